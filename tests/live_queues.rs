//! The live queues of `kuzet run` (every finding waiting for a decision, until it is decided)
//! and the per-run folders `OUT/runs/<run>/` with their pruning. Loopback only.
use std::collections::BTreeSet;
use std::path::Path;

use crate::nightly::{ok, pages, refs, reviewed, small_site};
use crate::util::kuzet;

/// The folders under `dir`, sorted.
fn folders(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// Data rows of a queue file (BOM and header left out), with the header.
fn queue_file(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).unwrap();
    let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[3..]);
    let header = reader.headers().unwrap().iter().map(str::to_string).collect();
    (header, reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect())
}

#[test]
fn open_items_stay_in_the_live_queues_until_decided() {
    let site = small_site();
    // The default revisit policy: nothing is due again the same day.
    let config = site.config("");
    ok(&site.run(&config).0);
    let first = site.rows();
    assert_eq!(refs(&first), BTreeSet::from(["a.html".to_string(), "b.html".to_string()]));
    assert!(first.iter().all(|r| r["new_tonight"] == "yes" && r["first_seen"].len() == "2026-12-05 03:00".len()), "{first:?}");

    let (second, requests) = site.run(&config);
    ok(&second);
    assert!(pages(&requests).is_empty(), "nothing due: {requests:?}");
    assert_eq!(site.summary()["night"]["urls_due"], 0);
    let rows = site.rows();
    assert_eq!(refs(&rows), refs(&first), "the undecided items are still where analysts look");
    for r in &rows {
        let before = first.iter().find(|f| f["item_id"] == r["item_id"]).unwrap();
        assert_eq!((r["new_tonight"].as_str(), &r["first_seen"]), ("no", &before["first_seen"]), "{r:?}");
    }

    // a.html is dismissed; the next run takes it out of the live queue, and only it.
    let saved = site.dir.path().join("saved.csv");
    std::fs::write(&saved, reviewed(&site.out().join("queues/violence.csv"), &[("a.html", "dismissed", "not serious")], b',', false)).unwrap();
    assert!(ok(&kuzet(&["review", "import", "--config", config.to_str().unwrap(), saved.to_str().unwrap()])).contains("1 decisions imported"));
    ok(&site.run(&config).0);
    let rows = site.rows();
    assert_eq!(refs(&rows), BTreeSet::from(["b.html".to_string()]), "{rows:?}");
    let decided: (String, String) = site
        .db()
        .query_row("SELECT d.decision, d.notes FROM decision d JOIN finding f ON f.item_id = d.item_id WHERE f.ref LIKE '%a.html'", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(decided, ("dismissed".to_string(), "not serious".to_string()));
    let s = site.summary();
    assert_eq!((s["night"]["queued"].as_u64(), s["night"]["carried_over"].as_u64()), (Some(1), Some(1)), "{s}");

    // Three nights, each with its own folder: the first keeps its two new findings, the
    // others none; each has its crawl log and summary.
    let runs = site.out().join("runs");
    let nights = folders(&runs);
    assert_eq!(nights.len(), 3, "{nights:?}");
    let new_per_night: Vec<usize> = nights.iter().map(|n| queue_file(&runs.join(n).join("violence.csv")).1.len()).collect();
    assert_eq!(new_per_night, [2, 0, 0]);
    let (header, rows) = queue_file(&runs.join(&nights[0]).join("violence.csv"));
    assert_eq!(header[header.len() - 2..], ["first_seen", "new_tonight"]);
    assert!(rows.iter().all(|r| r[r.len() - 1] == "yes"));
    for night in &nights {
        let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(runs.join(night).join("summary.json")).unwrap()).unwrap();
        assert_eq!(summary["run_id"].as_str(), Some(night.as_str()));
        let log = std::fs::read_to_string(runs.join(night).join("crawl.csv")).unwrap();
        assert!(log.trim_start_matches('\u{FEFF}').starts_with("url,status,"), "{log}");
    }
    let first_log = std::fs::read_to_string(runs.join(&nights[0]).join("crawl.csv")).unwrap();
    assert!(first_log.contains("/a.html") && first_log.contains("/d.html"), "{first_log}");
    assert_eq!(std::fs::read(site.out().join("summary.json")).unwrap(), std::fs::read(runs.join(&nights[2]).join("summary.json")).unwrap());
}

#[test]
fn old_run_folders_are_pruned_and_nothing_else() {
    let site = small_site();
    let runs = site.out().join("runs");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let old = ["20200101T030000Z", "20200102T030000Z-2"].map(String::from);
    let recent = kuzet::timestamp(now - 86_400);
    let foreign = ["analyst-notes", "2020-01-01", "20200101T030000"].map(String::from);
    for name in old.iter().chain([&recent]).chain(&foreign) {
        std::fs::create_dir_all(runs.join(name)).unwrap();
        std::fs::write(runs.join(name).join("violence.csv"), "kept?").unwrap();
    }
    std::fs::write(runs.join("20200103T030000Z"), "a file named like a run").unwrap();

    // 0 keeps everything.
    ok(&site.run(&site.config("[output]\nkeep_runs_days = 0\n")).0);
    assert_eq!(folders(&runs).len(), 8);
    assert_eq!(site.summary()["night"]["runs_pruned"], 0);

    ok(&site.run(&site.config("[output]\nkeep_runs_days = 30\n")).0);
    let left = folders(&runs);
    for name in &old {
        assert!(!left.contains(name), "{name} pruned: {left:?}");
    }
    for name in foreign.iter().chain([&recent]) {
        assert!(runs.join(name).join("violence.csv").exists(), "{name} kept: {left:?}");
    }
    assert!(runs.join("20200103T030000Z").is_file());
    assert_eq!(left.len(), 7, "its two nights too: {left:?}");
    assert_eq!(site.summary()["night"]["runs_pruned"], 2);
}
