//! `kuzet run` (the nightly job with its state store) and `kuzet review import` against loopback
//! sites these tests start themselves. Nothing here sends traffic anywhere but 127.0.0.1.
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kuzet::serve::{Reply, Request, Server};

use crate::util::{kuzet, queues, root, tempdir};

/// Revisit everything on every run (the default waits most of a day).
pub(crate) const EVERY_RUN: &str = "[revisit]\nflagged_hours = 0\nbenign_hours = 0\nmax_hours = 0\nfailed_hours = 0\nseeds_hours = 0\n";

/// A static site in a temporary folder, served with ETags, plus a nightly config for it.
pub(crate) struct Site {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) server: Server,
}

impl Site {
    pub(crate) fn new(pages: &[(&str, &str)]) -> Site {
        let dir = tempdir();
        std::fs::create_dir_all(dir.path().join("www")).unwrap();
        for (name, body) in pages {
            write_page(dir.path(), name, body);
        }
        let server = Server::start(kuzet::serve::static_site(dir.path().join("www"))).expect("loopback server");
        Site { dir, server }
    }

    pub(crate) fn set(&self, name: &str, body: &str) {
        write_page(self.dir.path(), name, body);
    }

    pub(crate) fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    pub(crate) fn store(&self) -> PathBuf {
        self.dir.path().join("state/kuzet.sqlite")
    }

    /// Writes the config (no delay, `extra` TOML appended) and returns its path.
    pub(crate) fn config(&self, extra: &str) -> PathBuf {
        self.config_with_delay(0, extra)
    }

    fn config_with_delay(&self, delay_ms: u64, extra: &str) -> PathBuf {
        std::fs::write(self.dir.path().join("seeds.txt"), format!("{}\n", self.server.url())).unwrap();
        let text = format!(
            "seeds = \"seeds.txt\"\nlexicons = {:?}\nout = \"out\"\nstore = \"state/kuzet.sqlite\"\nallow_private = true\ndelay_ms = {delay_ms}\n{extra}",
            root().join("tests/fixtures/lexicons").display().to_string()
        );
        let path = self.dir.path().join("nightly.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Runs `kuzet run` to the end; returns its output and the requests it made.
    pub(crate) fn run(&self, config: &Path) -> (Output, Vec<Request>) {
        let before = self.server.requests().len();
        let output = kuzet(&["run", config.to_str().unwrap()]);
        (output, self.server.requests()[before..].to_vec())
    }

    pub(crate) fn summary(&self) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.out().join("summary.json")).unwrap()).unwrap()
    }

    /// The live queue rows (all queues) as maps from column to value.
    pub(crate) fn rows(&self) -> Vec<HashMap<String, String>> {
        let mut out = Vec::new();
        for (_, records) in queues(&self.out()) {
            let header = &records[0];
            out.extend(records[1..].iter().map(|r| header.iter().cloned().zip(r.iter().cloned()).collect::<HashMap<_, _>>()));
        }
        out
    }

    pub(crate) fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.store()).unwrap()
    }
}

fn write_page(dir: &Path, name: &str, body: &str) {
    let html = format!("<!doctype html><html><head><meta charset=utf-8><title>{name}</title></head><body>{body}</body></html>");
    std::fs::write(dir.join("www").join(name), html).unwrap();
}

pub(crate) fn ok(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(0), "stdout:\n{stdout}\nstderr:\n{}", String::from_utf8_lossy(&output.stderr));
    stdout
}

pub(crate) fn pages(requests: &[Request]) -> Vec<String> {
    let mut p: Vec<String> = requests.iter().map(|r| r.path.clone()).filter(|p| p != "/robots.txt").collect();
    p.sort();
    p
}

pub(crate) fn refs(rows: &[HashMap<String, String>]) -> BTreeSet<String> {
    rows.iter().map(|r| r["ref"].rsplit('/').next().unwrap_or("").to_string()).collect()
}

pub(crate) fn small_site() -> Site {
    Site::new(&[
        ("index.html", "<a href='a.html'>a</a> <a href='b.html'>b</a> <a href='c.html'>c</a> <a href='d.html'>d</a>"),
        ("a.html", "<p>I will kill you tomorrow.</p>"),
        ("b.html", "<p>Behead the infidels, kill them.</p>"),
        ("c.html", "<p>Nice weather today.</p>"),
        ("d.html", "<p>The library opens at nine.</p>"),
    ])
}

#[test]
fn second_run_is_conditional_and_queues_nothing_new() {
    let site = small_site();
    let config = site.config(EVERY_RUN);
    let (first, requests) = site.run(&config);
    ok(&first);
    assert_eq!(pages(&requests), ["/", "/a.html", "/b.html", "/c.html", "/d.html"]);
    assert!(requests.iter().all(|r| r.header("if-none-match").is_none()), "nothing is known on the first night");
    assert_eq!(refs(&site.rows()), BTreeSet::from(["a.html".to_string(), "b.html".to_string()]));

    let (second, requests) = site.run(&config);
    let stdout = ok(&second);
    assert_eq!(pages(&requests), ["/", "/a.html", "/b.html", "/c.html", "/d.html"]);
    assert!(requests.iter().filter(|r| r.path != "/robots.txt").all(|r| r.header("if-none-match").is_some_and(|v| v.starts_with('"'))), "{requests:?}");
    // Nothing new tonight: the live queue still holds both undecided findings, as old ones.
    let rows = site.rows();
    assert_eq!(refs(&rows), BTreeSet::from(["a.html".to_string(), "b.html".to_string()]));
    assert!(rows.iter().all(|r| r["new_tonight"] == "no"), "{rows:?}");
    let s = site.summary();
    assert_eq!(s["crawl"]["not_modified"], 5, "{stdout}");
    assert_eq!(s["night"]["new_findings"], 0);
    assert_eq!((s["night"]["queued"].as_u64(), s["night"]["carried_over"].as_u64(), s["flagged"].as_u64()), (Some(2), Some(2), Some(0)), "{s}");
    assert_eq!(s["read"], 0, "unchanged pages are not analysed");
    // Each night has its folder; the second one's queue is empty.
    let archived: usize = std::fs::read_dir(site.out().join("runs")).unwrap().count();
    assert_eq!(archived, 2);

    // A route sends the live findings to another queue (`include_undecided` is still accepted).
    let config = site.config(&format!("{EVERY_RUN}[queues]\ninclude_undecided = true\n[queues.route]\nviolence = \"desk\"\n"));
    ok(&site.run(&config).0);
    assert_eq!(refs(&site.rows()), BTreeSet::from(["a.html".to_string(), "b.html".to_string()]));
    assert!(site.out().join("queues/desk.csv").exists());
    assert_eq!(site.summary()["night"]["carried_over"], 2);
}

#[test]
fn a_changed_page_is_requeued_alone_and_a_markup_change_is_not_analysed() {
    let site = small_site();
    let config = site.config(EVERY_RUN);
    ok(&site.run(&config).0);
    site.set("c.html", "<p>Nice weather today. Now kill them all.</p>");
    site.set("d.html", "<div><b>The   LIBRARY</b> opens at nine.</div>"); // same text, other markup
    let (run, requests) = site.run(&config);
    ok(&run);
    let rows: Vec<_> = site.rows().into_iter().filter(|r| r["new_tonight"] == "yes").collect();
    assert_eq!(refs(&rows), BTreeSet::from(["c.html".to_string()]), "{rows:?}");
    assert_eq!(rows.len(), 1);
    let s = site.summary();
    assert_eq!((s["crawl"]["not_modified"].as_u64(), s["crawl"]["unchanged"].as_u64(), s["read"].as_u64()), (Some(3), Some(1), Some(1)), "{s}");
    assert_eq!(requests.iter().filter(|r| r.path == "/d.html").count(), 1);
}

/// Reads a queue file, sets `decision`/`reviewer`/`notes` for the rows whose ref ends with a
/// key of `decide`, and returns the CSV as a spreadsheet would save it.
pub(crate) fn reviewed(path: &Path, decide: &[(&str, &str, &str)], delimiter: u8, crlf: bool) -> String {
    let bytes = std::fs::read(path).unwrap();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&bytes[3..]);
    let records: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    let col = |name: &str| records[0].iter().position(|h| h == name).unwrap();
    let (r, d, who, notes) = (col("ref"), col("decision"), col("reviewer"), col("notes"));
    let mut w = csv::WriterBuilder::new().delimiter(delimiter).terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') }).from_writer(Vec::new());
    for (i, mut rec) in records.into_iter().enumerate() {
        if i > 0
            && let Some((_, decision, note)) = decide.iter().find(|(page, _, _)| rec[r].ends_with(page)) {
                rec[d] = decision.to_string();
                rec[who] = "Айгерім".into();
                rec[notes] = note.to_string();
            }
        w.write_record(&rec).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

#[test]
fn decisions_stick_and_new_hits_come_back_with_their_history() {
    let site = small_site();
    let config = site.config(EVERY_RUN);
    ok(&site.run(&config).0);
    let saved = site.dir.path().join("violence-reviewed.csv");
    let text = reviewed(&site.out().join("queues/violence.csv"), &[("a.html", "dismissed", "пустая угроза, не всерьёз"), ("b.html", "confirmed", "")], b',', false);
    std::fs::write(&saved, text).unwrap();
    let import = kuzet(&["review", "import", "--config", config.to_str().unwrap(), saved.to_str().unwrap()]);
    assert!(ok(&import).contains("2 decisions imported"));

    // a.html changes, with a new spelling of the same entry but no new entry or rule: its
    // dismissal stands. b.html gains a new entry.
    site.set("a.html", "<p>I will kill you tomorrow.</p><p>Posted in the evening. Yes, I will k.i.l.l you.</p>");
    site.set("b.html", "<p>Behead the infidels, kill them.</p><p>Then bomb the station.</p>");
    ok(&site.run(&config).0);
    let rows = site.rows();
    assert_eq!(refs(&rows), BTreeSet::from(["b.html".to_string()]), "{rows:?}");
    let b = &rows[0];
    assert!(b["matched_terms"].contains("bomb"), "{b:?}");
    assert!(b["history"].contains("confirmed by Айгерім"), "earlier decisions are visible: {b:?}");
    let s = site.summary();
    assert_eq!((s["night"]["new_findings"].as_u64(), s["night"]["covered"].as_u64()), (Some(1), Some(1)), "{s}");

    // Another night: nothing comes back; b.html's new finding waits for its decision.
    ok(&site.run(&config).0);
    let rows = site.rows();
    assert_eq!(refs(&rows), BTreeSet::from(["b.html".to_string()]), "{rows:?}");
    assert_eq!(rows[0]["new_tonight"], "no");
}

/// Issue 15, point 4: a page dismissed for one hit comes back with a new, weaker one; its row
/// shows the new hit (before, the snippet showed the strongest hit: the one already dismissed).
#[test]
fn a_row_back_after_a_dismissal_shows_its_new_hit() {
    let site = Site::new(&[("index.html", "<a href='a.html'>a</a>"), ("a.html", "<p>Behead him, said the queen in the play.</p>")]);
    let config = site.config(EVERY_RUN);
    ok(&site.run(&config).0);
    let saved = site.dir.path().join("reviewed.csv");
    std::fs::write(&saved, reviewed(&site.out().join("queues/violence.csv"), &[("a.html", "dismissed", "a play")], b',', false)).unwrap();
    ok(&kuzet(&["review", "import", "--config", config.to_str().unwrap(), saved.to_str().unwrap()]));
    let filler = "The audience clapped for a long time after the second act ended. ".repeat(4);
    site.set("a.html", &format!("<p>Behead him, said the queen in the play.</p><p>{filler}</p><p>Tomorrow I will kill you.</p>"));
    ok(&site.run(&config).0);
    let rows = site.rows();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert!(row["matched_terms"].starts_with("behead*"), "the dismissed hit is still the strongest: {row:?}");
    assert!(row["snippet"].contains("⟦kill⟧ you"), "{}", row["snippet"]);
    assert!(!row["snippet"].contains("⟦Behead⟧"), "{}", row["snippet"]);
    assert!(row["history"].contains("dismissed"), "{row:?}");
}

#[test]
fn review_import_reads_spreadsheet_saves_reports_bad_rows_and_is_idempotent() {
    let site = small_site();
    let config = site.config(EVERY_RUN);
    ok(&site.run(&config).0);
    let queue = site.out().join("queues/violence.csv");
    // Re-saved by a Russian-locale Excel: `;`, CRLF, windows-1251, no BOM.
    let text = reviewed(&queue, &[("a.html", "Dismissed", "новости, не угроза"), ("b.html", "escalated", "")], b';', true);
    let cp1251 = as_windows_1251(&text);
    let saved = site.dir.path().join("excel.csv");
    std::fs::write(&saved, &cp1251).unwrap();
    let store = site.store();
    let out = kuzet(&["review", "import", "--store", store.to_str().unwrap(), saved.to_str().unwrap()]);
    let stdout = ok(&out);
    assert!(stdout.contains("2 decisions imported, 0 unchanged, 0 undecided, 0 bad rows (windows-1251, delimiter ';')"), "{stdout}");
    let notes: Vec<(String, String, String)> = site
        .db()
        .prepare("SELECT decision, reviewer, notes FROM decision ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(notes.contains(&("dismissed".into(), "Айгерім".into(), "новости, не угроза".into())), "{notes:?}");

    // The same file again, and the same decisions saved differently: nothing changes.
    let again = kuzet(&["review", "import", "--store", store.to_str().unwrap(), saved.to_str().unwrap()]);
    assert!(ok(&again).contains("already imported"));
    let resaved = site.dir.path().join("libreoffice.csv");
    std::fs::write(&resaved, format!("\u{FEFF}{}", text.replace("\r\n", "\n"))).unwrap();
    let third = kuzet(&["review", "import", "--config", config.to_str().unwrap(), resaved.to_str().unwrap()]);
    assert!(ok(&third).contains("0 decisions imported, 2 unchanged"));
    let count = |db: &rusqlite::Connection| db.query_row("SELECT count(*) FROM decision", [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(count(&site.db()), 2);

    // Bad rows: reported with their line numbers, the good row imported.
    let header = "item_id,decision,reviewer,notes";
    let good_id: String = site.db().query_row("SELECT item_id FROM finding WHERE ref LIKE '%a.html'", [], |r| r.get(0)).unwrap();
    let bad = format!("{header}\n{good_id},confirmed,boss,on second thought\nk0000000000000000,confirmed,boss,\n{good_id},maybe,boss,\nnot-an-id,dismissed,x,\n");
    let bad_file = site.dir.path().join("bad.csv");
    std::fs::write(&bad_file, bad).unwrap();
    let out = kuzet(&["review", "import", "--store", store.to_str().unwrap(), bad_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in [3, 4, 5] {
        assert!(stderr.contains(&format!("bad.csv:{line}: ")) && !stderr.contains(&format!("line {line}:")), "line {line} reported once: {stderr}");
    }
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 decisions imported, 0 unchanged, 0 undecided, 3 bad rows"));
    assert_eq!(count(&site.db()), 3, "appended, never overwritten");
    // Per-entry precision from the latest decisions: a.html confirmed, b.html escalated.
    let kill_stats = || {
        let stats = kuzet(&["lexicon", "stats", "--store", store.to_str().unwrap(), "--json"]);
        let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
        stats.as_array().unwrap().iter().find(|s| s["key"] == "en:kill:violence").expect("kill in the stats").clone()
    };
    let kill = kill_stats();
    assert_eq!((kill["hits"].as_u64(), kill["confirmed"].as_u64(), kill["escalated"].as_u64(), kill["dismissed"].as_u64()), (Some(2), Some(1), Some(1), Some(0)), "{kill}");
    assert_eq!(kill["precision"].as_f64(), Some(1.0));
    // The older file saved once more (other bytes): the latest decision wins (issue 19, case
    // 7), so a.html is dismissed again; b.html's escalation is unchanged.
    let older = site.dir.path().join("older.csv");
    std::fs::write(&older, format!("{}\n", text.replace("\r\n", "\n"))).unwrap();
    let out = kuzet(&["review", "import", "--store", store.to_str().unwrap(), older.to_str().unwrap()]);
    assert!(ok(&out).contains("1 decisions imported, 1 unchanged"));
    let kill = kill_stats();
    assert_eq!((kill["confirmed"].as_u64(), kill["escalated"].as_u64(), kill["dismissed"].as_u64()), (Some(0), Some(1), Some(1)), "{kill}");
}

/// `text` as a spreadsheet saves it in windows-1251: characters the code page lacks become `?`.
fn as_windows_1251(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for c in text.chars() {
        let mut buf = [0; 4];
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(c.encode_utf8(&mut buf));
        if unmappable { out.push(b'?') } else { out.extend_from_slice(&bytes) }
    }
    out
}

/// A site of `n` flagged pages, all linked from the index.
fn many_pages(n: usize) -> Site {
    let links: String = (0..n).map(|i| format!("<a href='p{i}.html'>{i}</a> ")).collect();
    let mut pages = vec![("index.html".to_string(), links)];
    pages.extend((0..n).map(|i| (format!("p{i}.html"), format!("<p>page {i}: I will kill you, number {i}.</p>"))));
    let borrowed: Vec<(&str, &str)> = pages.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    Site::new(&borrowed)
}

#[test]
fn a_killed_run_resumes_without_refetching_duplicating_or_losing() {
    const N: usize = 40;
    let site = many_pages(N);
    // Default revisit policy: analysed pages are not due again for hours.
    let config = site.config_with_delay(60, "");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kuzet"))
        .args(["run", config.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while site.server.requests().len() < 15 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL mid-crawl
    child.wait().unwrap();
    let first = site.server.requests().len();
    assert!(first < N, "killed mid-crawl: {first} requests");
    let analysed: BTreeSet<String> = site
        .db()
        .prepare("SELECT url FROM url WHERE state IN ('analysed', 'exported')")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|u| u.unwrap().rsplit('/').next().unwrap().to_string())
        .collect();
    assert!(analysed.len() >= 5, "the killed run recorded its analysed pages: {analysed:?}");

    let (second, requests) = site.run(&config);
    ok(&second);
    let refetched: Vec<String> = pages(&requests).into_iter().filter(|p| analysed.contains(p.trim_start_matches('/'))).collect();
    assert!(refetched.is_empty(), "pages analysed before the kill were fetched again: {refetched:?}");
    let rows = site.rows();
    let ids: BTreeSet<&str> = rows.iter().map(|r| r["item_id"].as_str()).collect();
    assert_eq!(ids.len(), rows.len(), "no duplicate rows");
    let expected: BTreeSet<String> = (0..N).map(|i| format!("p{i}.html")).collect();
    // The pages are near-duplicates: each cluster is one row, every copy listed in members.csv.
    let members = crate::cluster_queues::members(&site);
    let listed: Vec<String> = members.iter().map(|m| m["url"].rsplit('/').next().unwrap().to_string()).collect();
    assert_eq!(listed.len(), N, "every finding, from both runs, is listed exactly once: {listed:?}");
    assert_eq!(listed.into_iter().collect::<BTreeSet<_>>(), expected, "every finding, from both runs, is listed exactly once");
    let clusters: BTreeSet<&str> = members.iter().map(|m| m["cluster_id"].as_str()).collect();
    assert_eq!(rows.iter().map(|r| r["cluster_id"].as_str()).collect::<BTreeSet<_>>(), clusters, "each cluster is in the queue exactly once");
    assert!(rows.iter().all(|r| members.iter().any(|m| m["item_id"] == r["item_id"] && m["queue_row"] == "yes")), "{rows:?}");
    let findings: i64 = site.db().query_row("SELECT count(*) FROM finding", [], |r| r.get(0)).unwrap();
    assert_eq!(findings, N as i64);
    let runs: Vec<String> = site.db().prepare("SELECT status FROM run ORDER BY started_at, id").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(runs, ["killed", "finished"]);
}

#[test]
fn a_second_concurrent_run_exits_2_naming_the_lock() {
    let slow = Arc::new(|r: &Request| match r.path.as_str() {
        "/robots.txt" => Reply::not_found(),
        _ => {
            std::thread::sleep(Duration::from_millis(300));
            Reply::new(200, "text/html", "<a href='/x'>x</a> <a href='/y'>y</a> <a href='/z'>z</a> <a href='/w'>w</a>")
        }
    });
    let dir = tempdir();
    let server = Server::start(slow).unwrap();
    std::fs::write(dir.path().join("seeds.txt"), server.url()).unwrap();
    let config = dir.path().join("n.toml");
    std::fs::write(&config, format!("seeds = \"seeds.txt\"\nlexicons = {:?}\nout = \"out\"\nallow_private = true\ndelay_ms = 200\n", root().join("tests/fixtures/lexicons").display().to_string())).unwrap();
    let mut first = std::process::Command::new(env!("CARGO_BIN_EXE_kuzet")).args(["run", config.to_str().unwrap()]).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.requests().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = kuzet(&["run", config.to_str().unwrap()]);
    first.kill().unwrap();
    first.wait().unwrap();
    assert_eq!(second.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains("is locked by another kuzet run") && stderr.contains("kuzet.sqlite.lock"), "{stderr}");
}

#[test]
fn last_modified_alone_makes_the_request_conditional() {
    const DATE: &str = "Wed, 25 Nov 2026 10:00:00 GMT";
    let server = Server::start(Arc::new(|r: &Request| match r.path.as_str() {
        "/robots.txt" => Reply::not_found(),
        _ if r.header("if-modified-since") == Some(DATE) => Reply { status: 304, headers: Vec::new(), body: kuzet::serve::Body::Bytes(Vec::new()) },
        _ => Reply::new(200, "text/html", "<p>I will kill you tomorrow.</p>").with_header("Last-Modified", DATE),
    }))
    .unwrap();
    let dir = tempdir();
    std::fs::write(dir.path().join("seeds.txt"), server.url()).unwrap();
    let config = dir.path().join("n.toml");
    let lexicons = root().join("tests/fixtures/lexicons").display().to_string();
    std::fs::write(&config, format!("seeds = \"seeds.txt\"\nlexicons = {lexicons:?}\nout = \"out\"\nallow_private = true\ndelay_ms = 0\n{EVERY_RUN}")).unwrap();
    ok(&kuzet(&["run", config.to_str().unwrap()]));
    ok(&kuzet(&["run", config.to_str().unwrap()]));
    let conditional: Vec<bool> = server.requests().iter().filter(|r| r.path == "/").map(|r| r.header("if-modified-since").is_some()).collect();
    assert_eq!(conditional, [false, true], "the second night asks If-Modified-Since");
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("out/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["crawl"]["not_modified"], 1);
    assert_eq!((summary["night"]["queued"].as_u64(), summary["night"]["carried_over"].as_u64()), (Some(1), Some(1)), "still undecided, not new");
}

#[test]
fn tonights_scope_applies_to_urls_the_store_already_knows() {
    let site = small_site();
    ok(&site.run(&site.config(EVERY_RUN)).0);
    let narrowed = site.config(&format!("{EVERY_RUN}[crawl]\nexclude = [\"b\\\\.html\"]\n"));
    let (run, requests) = site.run(&narrowed);
    ok(&run);
    assert_eq!(pages(&requests), ["/", "/a.html", "/c.html", "/d.html"]);
    let state: String = site.db().query_row("SELECT state FROM url WHERE url LIKE '%b.html'", [], |r| r.get(0)).unwrap();
    assert_eq!(state, "skipped");
}

#[test]
fn run_check_validates_and_names_unknown_keys() {
    let site = small_site();
    let config = site.config("[queues.route]\nextremism = \"terrorism\"\n");
    let out = kuzet(&["run", "--check", config.to_str().unwrap()]);
    assert!(ok(&out).contains(": OK: 1 seeds"));
    assert!(site.server.requests().is_empty(), "--check fetches nothing");
    let cases = [
        ("colour = 1\n", "unknown field `colour`"),
        ("[crawl]\nconcurency = 4\n", "unknown field `concurency`"),
        ("[revisit]\nflagged_hours = -1\n", "revisit.flagged_hours"),
        ("[queues.route]\nextremism = \"../x\"\n", "queues.route.extremism"),
        ("[crawl]\ninclude = [\"(\"]\n", "crawl.include"),
        ("[crawl]\nmax_host_failures = 0\n", "crawl.max_host_failures must be at least 1"),
        ("[crawl]\nmax_host_time_ms = 0\n", "crawl.max_host_time_ms must be at least 1"),
        ("[crawl]\nmax_pending_per_host = 0\n", "crawl.max_pending_per_host must be at least 1"),
        ("[clusters]\ncarry = \"sometimes\"\n", "unknown variant `sometimes`"),
        ("[clusters]\nthreshold = 0\n", "clusters.threshold must be above 0"),
        ("[flood]\nmin_share = 2\n", "flood.min_share must be between 0 and 1"),
        ("[flood]\nfactor = -1\n", "flood.factor at least 0"),
        ("[queues.route]\nviolence = \"members\"\n", "is the name of the cluster members' file"),
    ];
    for (extra, expected) in cases {
        let config = site.config(extra);
        let out = kuzet(&["run", "--check", config.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{extra}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{extra}: {stderr}");
    }
}
