//! `kuzet review import` against hostile and careless files (issue 19, cases 5 to 7): a huge
//! file must not lock the nightly run out, a broken quote must not lose decisions silently,
//! and a reviewer's latest decision must win. Sites are served on 127.0.0.1 only.
use std::path::Path;
use std::process::{Command, Stdio};

use crate::nightly::{Site, ok, reviewed, small_site};
use crate::util::kuzet;

fn import(store: &Path, file: &Path) -> std::process::Output {
    kuzet(&["review", "import", "--store", store.to_str().unwrap(), file.to_str().unwrap()])
}

/// The item id of the finding on `page`.
fn item_of(site: &Site, page: &str) -> String {
    site.db().query_row("SELECT item_id FROM finding WHERE ref LIKE ?1", [format!("%{page}")], |r| r.get(0)).unwrap()
}

/// (decision, reviewer, notes) of each decision on `item`, oldest first.
fn history(site: &Site, item: &str) -> Vec<(String, String, String)> {
    let db = site.db();
    let mut stmt = db.prepare("SELECT decision, reviewer, notes FROM decision WHERE item_id = ?1 ORDER BY id").unwrap();
    stmt.query_map([item], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
}

fn count(site: &Site, sql: &str) -> i64 {
    site.db().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Issue 19, case 5: the import was one write transaction with a duplicate check that scanned
/// every earlier decision of the item, so a big file held the write lock for minutes and a
/// nightly run started meanwhile exited 2 "database is locked". Now a run started right
/// after the import begins completes, and the import takes every row.
#[test]
fn case05_a_run_started_during_an_import_completes() {
    const ITEMS: usize = 30_000;
    const ONE_ITEM_ROWS: usize = 30_000;
    let site = small_site();
    let config = site.config("");
    ok(&site.run(&config).0);
    let a = item_of(&site, "a.html");
    // Many findings already queued on earlier nights, to be decided in one file.
    let mut db = site.db();
    let tx = db.transaction().unwrap();
    for i in 0..ITEMS {
        tx.execute(
            "INSERT INTO finding (item_id, url_key, status, category, priority, score, lang, ref, url, title, matched_terms, snippet, reasons, \
             lexicon_version, first_run, last_run, first_seen, last_seen, exported_run) \
             VALUES (?1, ?1, 'queued', 'violence', 3, 6, 'en', 'r', 'u', 't', 'm', 's', 'x', 'lex', 'r0', 'r0', 0, 0, 'r0')",
            [format!("k{i:016x}")],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    drop(db);
    // One item decided over and over (the old duplicate check was quadratic in these), then
    // every other item once.
    let mut file = String::from("item_id,decision,reviewer,notes\n");
    for i in 0..ONE_ITEM_ROWS {
        file.push_str(&format!("{a},{},aida,pass {i}\n", if i % 2 == 0 { "dismissed" } else { "confirmed" }));
    }
    for i in 0..ITEMS {
        file.push_str(&format!("k{i:016x},confirmed,aida,\n"));
    }
    let saved = site.dir.path().join("big.csv");
    std::fs::write(&saved, file).unwrap();

    let importer = Command::new(env!("CARGO_BIN_EXE_kuzet"))
        .args(["review", "import", "--store", site.store().to_str().unwrap(), saved.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let run = site.run(&config).0;
    let imported = importer.wait_with_output().unwrap();
    ok(&run);
    let stdout = String::from_utf8_lossy(&imported.stdout);
    assert_eq!(imported.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&imported.stderr));
    assert!(stdout.contains(&format!("{} decisions imported, 0 unchanged, 0 undecided, 0 bad rows", ITEMS + 1)), "{stdout}");
    assert!(stdout.contains(&format!("{} superseded by a later row", ONE_ITEM_ROWS - 1)), "{stdout}");
    assert_eq!(count(&site, "SELECT count(*) FROM decision"), ITEMS as i64 + 1);
    assert_eq!(history(&site, &a), [("confirmed".to_string(), "aida".to_string(), format!("pass {}", ONE_ITEM_ROWS - 1))]);
}

/// Issue 19, case 6: an unterminated quote swallowed the rest of the file ("0 imported, 1
/// undecided", exit 0) and the file was recorded as imported. Now nothing is imported, the
/// file is not recorded, and the exit code and message name the line.
#[test]
fn case06_unterminated_quote_rejected() {
    let site = small_site();
    let config = site.config("");
    ok(&site.run(&config).0);
    let (a, b) = (item_of(&site, "a.html"), item_of(&site, "b.html"));
    let broken = site.dir.path().join("broken.csv");
    std::fs::write(&broken, format!("item_id,decision,reviewer,notes\n{a},confirmed,aida,\"threat, real\n{b},dismissed,aida,news\n")).unwrap();
    let out = import(&site.store(), &broken);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("broken.csv:2: a quote opened on this line is never closed"), "{stderr}");
    assert_eq!((count(&site, "SELECT count(*) FROM decision"), count(&site, "SELECT count(*) FROM import")), (0, 0));

    // A row missing its decision cell is a bad row; the others are imported, the file is not
    // remembered as done.
    let short = site.dir.path().join("short.csv");
    std::fs::write(&short, format!("item_id,decision,reviewer,notes\n{a}\n{b},dismissed,aida,news\n")).unwrap();
    let out = import(&site.store(), &short);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("short.csv:2: the row has 1 cells and the header 4, its decision cell is missing"), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 decisions imported, 0 unchanged, 0 undecided, 1 bad rows"), "{out:?}");
    assert_eq!((count(&site, "SELECT count(*) FROM decision"), count(&site, "SELECT count(*) FROM import")), (1, 0));

    // Issue 15, point 10: saved with CRLF, the bad row is still line 3 (it was 2), and the
    // line is printed once (it was `crlf.csv:2: line 2: ...`).
    let crlf = site.dir.path().join("crlf.csv");
    std::fs::write(&crlf, format!("item_id,decision,reviewer,notes\r\n{a},confirmed,aida,\r\n{b},maybe,aida,\r\n")).unwrap();
    let out = import(&site.store(), &crlf);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("crlf.csv:3: decision must be confirmed, dismissed, escalated or empty, got \"maybe\""), "{stderr}");
    assert!(!stderr.contains("line 3"), "{stderr}");
}

/// Issue 19, case 7: confirmed, then dismissed, then confirmed again (same reviewer, same
/// notes) left the item dismissed ("unchanged"). Now the latest decision wins, and rows of
/// one file that disagree are warned about, the last taken.
#[test]
fn case07_latest_decision_wins_and_conflicts_warn() {
    let site = small_site();
    let config = site.config("");
    ok(&site.run(&config).0);
    let queue = site.out().join("queues/violence.csv");
    let a = item_of(&site, "a.html");
    for (n, verdict) in ["confirmed", "dismissed", "confirmed"].iter().enumerate() {
        let file = site.dir.path().join(format!("review-{n}.csv"));
        std::fs::write(&file, reviewed(&queue, &[("a.html", verdict, "checked")], b',', n == 1)).unwrap();
        assert!(ok(&import(&site.store(), &file)).contains("1 decisions imported"), "import {n}");
    }
    let latest = |site: &Site| history(site, &a).last().cloned().unwrap();
    assert_eq!(history(&site, &a).len(), 3);
    assert_eq!(latest(&site).0, "confirmed");
    // The first file once more, byte for byte: the item goes back to confirmed... it is
    // confirmed already, so nothing changes and the file counts as already imported.
    let first = site.dir.path().join("review-0.csv");
    assert!(ok(&import(&site.store(), &first)).contains("already imported"));
    // After a dismissal from another file, the same bytes are read again and win again.
    let second = site.dir.path().join("review-1.csv");
    ok(&import(&site.store(), &second));
    assert_eq!(latest(&site).0, "dismissed");
    assert!(ok(&import(&site.store(), &first)).contains("1 decisions imported"));
    assert_eq!(latest(&site).0, "confirmed");

    // Two rows of one item that disagree: a warning naming both lines, the last one taken.
    let b = item_of(&site, "b.html");
    let conflicting = site.dir.path().join("conflict.csv");
    std::fs::write(&conflicting, format!("item_id,decision,reviewer,notes\n{b},confirmed,aida,\n{a},dismissed,aida,\n{b},escalated,boss,\n")).unwrap();
    let out = import(&site.store(), &conflicting);
    let stdout = ok(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("conflict.csv:2: item {b} has 2 rows that disagree (confirmed, escalated, lines 2 to 4); the last, line 4 (escalated), is taken")), "{stderr}");
    assert!(stdout.contains("2 decisions imported, 0 unchanged, 0 undecided, 0 bad rows") && stdout.contains("1 superseded"), "{stdout}");
    assert_eq!(history(&site, &b), [("escalated".to_string(), "boss".to_string(), String::new())]);
}
