//! The reviewer inbox (`[review] inbox = DIR`): a folder where reviewers drop the queue files
//! they saved. Before a night starts, `kuzet run` imports each file there through the same
//! entry point as `kuzet review import` ([`crate::import::import_file`]) and moves it to
//! `DIR/imported/` when everything in it was taken, or to `DIR/rejected/` with a
//! `<file>.reason.txt` saying why (unreadable, not a queue file, bad rows: the good rows of a
//! file with bad rows are imported, and importing it again after a fix adds nothing twice).
//! A name already taken there gets `-2`, `-3`... before its extension.
//!
//! Hidden files, subfolders, and files a spreadsheet still has open (a LibreOffice
//! `.~lock.NAME#` or an Excel `~$NAME` beside them) are left where they are. A bad file never
//! stops the night: every problem is reported and the run goes on. This module does not parse
//! or store decisions (that is `review` and `import`) and prints nothing.

use std::path::{Path, PathBuf};

use crate::import::{FileOutcome, import_file};
use crate::store::Store;

/// What became of one file of the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handled {
    /// The file as found.
    pub file: PathBuf,
    /// Everything in it was imported.
    pub imported: bool,
    /// Where it went (`None`: it could not be moved and stays in the inbox).
    pub moved_to: Option<PathBuf>,
    /// The import's report lines: problems first, then the summary.
    pub report: Vec<String>,
    /// Why it could not be moved or its reason written, if so.
    pub move_error: Option<String>,
}

/// What the inbox held before a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxReport {
    pub handled: Vec<Handled>,
    /// Files left in place because a spreadsheet still has them open.
    pub still_open: Vec<PathBuf>,
}

/// Why the inbox could not be looked at; the night goes on without it.
#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0}; the inbox files stay for the next run")]
    Store(#[from] crate::store::StoreError),
}

/// Imports and moves every saved file in `inbox` into the store at `store` (which must exist:
/// before the first night there is nothing to decide on). The inbox is created if missing.
pub fn process(inbox: &Path, store: &Path) -> Result<InboxReport, InboxError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| InboxError::Io { path, source }
    };
    std::fs::create_dir_all(inbox).map_err(io(inbox))?;
    let mut files = Vec::new();
    for entry in std::fs::read_dir(inbox).map_err(io(inbox))? {
        let entry = entry.map_err(io(inbox))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.starts_with("~$") || !entry.file_type().map_err(io(&entry.path()))?.is_file() {
            continue;
        }
        files.push(entry.path());
    }
    files.sort();
    let mut report = InboxReport::default();
    if files.is_empty() {
        return Ok(report);
    }
    let mut store = Store::open_existing(store)?;
    for file in files {
        if still_open(&file) {
            report.still_open.push(file);
            continue;
        }
        let outcome = import_file(&mut store, &file)?;
        report.handled.push(settle(inbox, file, &outcome));
    }
    Ok(report)
}

/// Whether a spreadsheet has `file` open: LibreOffice's `.~lock.NAME#` or Excel's owner file
/// (`~$NAME`, or `~$` and the name without its first two letters) beside it.
fn still_open(file: &Path) -> bool {
    let (Some(dir), Some(name)) = (file.parent(), file.file_name().map(|n| n.to_string_lossy().into_owned())) else { return false };
    let short: String = name.chars().skip(2).collect();
    [format!(".~lock.{name}#"), format!("~${name}"), format!("~${short}")].iter().any(|lock| dir.join(lock).exists())
}

/// Moves `file` to `imported/` or `rejected/` (with its reason) by `outcome`.
fn settle(inbox: &Path, file: PathBuf, outcome: &FileOutcome) -> Handled {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let (problems, summary) = outcome.render(&name);
    let report: Vec<String> = problems.into_iter().chain(summary).collect();
    let imported = outcome.ok();
    let folder = inbox.join(if imported { "imported" } else { "rejected" });
    let moved = std::fs::create_dir_all(&folder).and_then(|()| {
        let target = free_name(&folder, &name);
        std::fs::rename(&file, &target)?;
        if !imported {
            let mut reason = format!("{name} was not fully imported; fix what is listed and drop it into the inbox again:\n");
            for line in &report {
                reason.push_str(line);
                reason.push('\n');
            }
            let reason_file = target.with_file_name(format!("{}.reason.txt", target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()));
            std::fs::write(reason_file, reason)?;
        }
        Ok(target)
    });
    let (moved_to, move_error) = match moved {
        Ok(t) => (Some(t), None),
        Err(e) => (None, Some(format!("cannot move it to {}: {e}", folder.display()))),
    };
    Handled { file, imported, moved_to, report, move_error }
}

/// `folder/name`, or `folder/stem-2.ext`, `-3`... if taken.
fn free_name(folder: &Path, name: &str) -> PathBuf {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    let mut n = 1;
    loop {
        let candidate = if n == 1 { folder.join(name) } else { folder.join(format!("{stem}-{n}{ext}")) };
        if candidate.symlink_metadata().is_err() {
            return candidate;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_taken_get_a_number_and_open_files_are_seen() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for taken in ["q.csv", "q-2.csv", "noext"] {
            std::fs::write(d.join(taken), "").unwrap();
        }
        // (name, free name)
        for (name, free) in [("q.csv", "q-3.csv"), ("r.csv", "r.csv"), ("noext", "noext-2"), (".hidden", ".hidden")] {
            assert_eq!(free_name(d, name), d.join(free), "{name}");
        }
        // (lock file beside it, file, open)
        let table = [(".~lock.a.csv#", "a.csv", true), ("~$b.xlsx", "b.xlsx", true), ("~$ng-name.xlsx", "long-name.xlsx", true), ("~$other.csv", "c.csv", false)];
        for (lock, file, open) in table {
            std::fs::write(d.join(lock), "").unwrap();
            assert_eq!(still_open(&d.join(file)), open, "{lock} beside {file}");
        }
    }
}
