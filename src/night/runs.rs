//! The per-run folders of the nightly job, `OUT/runs/<run>/`: what one night produced (its new
//! findings, its crawl log and its summary), kept after the live files have moved on, and
//! pruned after a configured number of days.
//!
//! A folder is only ever pruned when its name parses as a run id (`20261128T051725Z`, or
//! `20261128T051725Z-2` for a second run in the same second) and that time is older than the
//! limit; anything else in `runs/` (a folder an analyst made, a file, a symlink) is left
//! alone. Writing the night's queues is [`crate::queue`]'s job; choosing them, the store's.

use std::io;
use std::path::{Path, PathBuf};

/// Seconds since the Unix epoch of a run id (`YYYYMMDDTHHMMSSZ`, optionally `-N`), or `None`
/// when `name` is not one.
pub fn run_time(name: &str) -> Option<i64> {
    let stamp = match name.split_once('-') {
        Some((stamp, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => stamp,
        Some(_) => return None,
        None => name,
    };
    let b = stamp.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = &stamp[r];
        if s.bytes().all(|c| c.is_ascii_digit()) { s.parse().ok() } else { None }
    };
    let (year, month, day) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
    let (hour, minute, second) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
    if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm, the inverse of
/// [`crate::timestamp`]'s).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Removes the run folders under `runs` older than `keep_days` days before `now` (0: keep
/// every one) and returns them. Only folders named as run ids are touched; one that cannot be
/// removed is logged and skipped (the next run tries again).
pub fn prune(runs: &Path, now: i64, keep_days: u32) -> io::Result<Vec<PathBuf>> {
    if keep_days == 0 {
        return Ok(Vec::new());
    }
    let limit = now.saturating_sub(i64::from(keep_days).saturating_mul(86_400));
    let entries = match std::fs::read_dir(runs) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut pruned = Vec::new();
    for entry in entries {
        let entry = entry?;
        // `file_type` does not follow symlinks: a link named like a run is left alone.
        let old = entry.file_name().to_str().and_then(run_time).is_some_and(|t| t < limit);
        if !old || !entry.file_type()?.is_dir() {
            continue;
        }
        match std::fs::remove_dir_all(entry.path()) {
            Ok(()) => pruned.push(entry.path()),
            Err(e) => tracing::warn!(folder = %entry.path().display(), error = %e, "could not prune an old run folder"),
        }
    }
    pruned.sort();
    Ok(pruned)
}

/// Copies `from` to `to` atomically (see [`crate::queue::publish`]); nothing when `from` does
/// not exist.
pub fn copy(from: &Path, to: &Path) -> io::Result<()> {
    let mut file = match std::fs::File::open(from) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    crate::queue::publish(to, |w| io::copy(&mut file, w).map(drop))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_parse_back_to_their_time() {
        let cases: &[(&str, Option<i64>)] = &[
            ("19700101T000000Z", Some(0)),
            ("20261128T000000Z", Some(1_795_824_000)),
            ("20261128T051725Z", Some(1_795_824_000 + 5 * 3600 + 17 * 60 + 25)),
            ("20261128T051725Z-2", Some(1_795_824_000 + 5 * 3600 + 17 * 60 + 25)),
            ("20240229T120000Z", Some(1_709_208_000)),
            ("20230229T120000Z", None),
            ("20261328T000000Z", None),
            ("20261128T250000Z", None),
            ("20261128T051725Z-", None),
            ("20261128T051725Z-x", None),
            ("20261128T051725", None),
            ("2026-11-28", None),
            ("notes", None),
            ("+0261128T051725Z", None),
            ("", None),
        ];
        for (name, want) in cases {
            assert_eq!(run_time(name), *want, "{name}");
        }
        // The inverse of the run id's formatting, for any time.
        for secs in [0u64, 951_782_400, 1_795_824_000, 4_102_444_799, 4_107_542_400] {
            assert_eq!(run_time(&crate::timestamp(secs)), Some(secs as i64));
        }
    }

    #[test]
    fn prune_removes_only_old_run_folders() {
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs");
        let now = run_time("20261205T030000Z").unwrap();
        // 90 days before `now` is 2026-09-06 03:00:00: a second older goes, that moment stays.
        for name in ["20260801T030000Z", "20260906T025959Z-2", "20260906T030000Z", "20261204T030000Z", "keep-me", "2026-08-01"] {
            std::fs::create_dir_all(runs.join(name)).unwrap();
            std::fs::write(runs.join(name).join("violence.csv"), "x").unwrap();
        }
        std::fs::write(runs.join("20260101T000000Z"), "a file named like a run").unwrap();
        std::os::unix::fs::symlink(dir.path(), runs.join("20260102T000000Z")).unwrap();
        let pruned = prune(&runs, now, 90).unwrap();
        let names: Vec<String> = pruned.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["20260801T030000Z", "20260906T025959Z-2"]);
        let mut left: Vec<String> = std::fs::read_dir(&runs).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        left.sort();
        assert_eq!(left, ["2026-08-01", "20260101T000000Z", "20260102T000000Z", "20260906T030000Z", "20261204T030000Z", "keep-me"]);
        assert!(dir.path().exists(), "a symlink is not followed");
        assert!(prune(&runs, now, 0).unwrap().is_empty(), "0 keeps every run");
        assert!(prune(&dir.path().join("none"), now, 90).unwrap().is_empty());
    }
}
