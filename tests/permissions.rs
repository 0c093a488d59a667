//! Every file and folder kuzet writes follows the process umask (0644/0664, 0755/0775), so that
//! analysts in the service account's group can open the queues. Loopback only.
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::nightly::small_site;
use crate::util::{kuzet_with_umask, root};

/// Every entry under `dir` (itself included) with its permission bits and whether it is a folder.
fn modes(dir: &Path) -> Vec<(PathBuf, u32, bool)> {
    let meta = std::fs::metadata(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut out = vec![(dir.to_path_buf(), meta.permissions().mode() & 0o777, meta.is_dir())];
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for entry in entries {
            out.extend(modes(&entry));
        }
    }
    out
}

fn names(found: &[(PathBuf, u32, bool)], base: &Path) -> Vec<String> {
    found.iter().map(|(p, _, _)| p.strip_prefix(base).unwrap().display().to_string()).collect()
}

#[test]
fn outputs_follow_the_umask() {
    for mask in [0o022, 0o002] {
        let site = small_site();
        let config = site.config("");
        let run = kuzet_with_umask(mask, &["run", config.to_str().unwrap()]);
        assert_eq!(run.status.code(), Some(0), "run: {}", String::from_utf8_lossy(&run.stderr));
        let base = site.dir.path();
        let crawl_out = base.join("crawl-out");
        let seeds = base.join("seeds.txt");
        let lexicons = root().join("tests/fixtures/lexicons");
        let crawl = kuzet_with_umask(
            mask,
            &["crawl", "--seeds", seeds.to_str().unwrap(), "--lexicons", lexicons.to_str().unwrap(), "--out", crawl_out.to_str().unwrap(), "--allow-private", "--delay-ms", "0"],
        );
        assert_eq!(crawl.status.code(), Some(0), "crawl: {}", String::from_utf8_lossy(&crawl.stderr));
        let classify_out = base.join("classify-out");
        let classify = kuzet_with_umask(mask, &["classify", "--lexicons", lexicons.to_str().unwrap(), "--out", classify_out.to_str().unwrap(), "samples/en_posts.jsonl"]);
        assert_eq!(classify.status.code(), Some(0), "classify: {}", String::from_utf8_lossy(&classify.stderr));

        let mut found = Vec::new();
        for dir in [site.out(), site.store().parent().unwrap().to_path_buf(), crawl_out, classify_out] {
            found.extend(modes(&dir));
        }
        let listed = names(&found, base);
        for expected in ["out/queues/violence.csv", "out/crawl.csv", "out/summary.json", "state/kuzet.sqlite", "crawl-out/queues/violence.csv", "crawl-out/crawl.csv", "classify-out/summary.json"] {
            assert!(listed.iter().any(|n| n == expected), "umask {mask:03o}: {expected} not written; found {listed:?}");
        }
        assert!(listed.iter().any(|n| n.starts_with("out/runs/") && n.ends_with(".csv")), "umask {mask:03o}: no per-run copy in {listed:?}");
        let (file_mode, dir_mode) = (0o666 & !mask, 0o777 & !mask);
        let wrong: Vec<String> = found
            .iter()
            .filter(|(_, mode, is_dir)| *mode != if *is_dir { dir_mode } else { file_mode })
            .map(|(p, mode, _)| format!("{} {mode:o}", p.strip_prefix(base).unwrap().display()))
            .collect();
        println!("umask {mask:03o}: {} files and folders checked, files {file_mode:o}, folders {dir_mode:o}", found.len());
        assert!(wrong.is_empty(), "umask {mask:03o}: expected files {file_mode:o} and folders {dir_mode:o}, found {wrong:?}");
    }
}
