//! The reviewer workbook (`queues/review-<run>.xlsx`) read by openpyxl, a reader other than
//! kuzet, filled in there and imported back; files that are not queue files named for what they
//! are; and a CSV saved in the column order of earlier versions still imported. Sites are served
//! on 127.0.0.1 only.
//!
//! openpyxl is installed with pip into a virtual environment under `target/`; when it cannot be
//! installed the test fails (it never skips).
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use kuzet::queue::COLUMNS;

use crate::nightly::{Site, ok, small_site};
use crate::util::{kuzet, queues, root};

/// The Python of a virtual environment with openpyxl, made on first use.
fn openpyxl_python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let venv = root().join("target/openpyxl-venv");
        let python = venv.join("bin/python");
        let has_openpyxl = || Command::new(&python).args(["-c", "import openpyxl"]).status().is_ok_and(|s| s.success());
        if !has_openpyxl() {
            let made = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().expect("python3 to make a virtual environment");
            assert!(made.success(), "python3 -m venv {} failed", venv.display());
            let pip = Command::new(venv.join("bin/pip")).args(["install", "--quiet", "openpyxl"]).output().expect("pip");
            assert!(pip.status.success(), "pip install openpyxl failed (the workbook test needs it):\n{}", String::from_utf8_lossy(&pip.stderr));
            assert!(has_openpyxl(), "openpyxl installed but not importable");
        }
        python
    })
}

fn probe(args: &[&str]) -> String {
    let script = root().join("tests/fixtures/workbook/openpyxl_probe.py");
    let out = Command::new(openpyxl_python()).arg(script).args(args).output().expect("run the openpyxl probe");
    assert!(out.status.success(), "openpyxl probe {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// What openpyxl sees in `book`.
fn show(book: &Path) -> serde_json::Value {
    serde_json::from_str(&probe(&["show", book.to_str().unwrap()])).unwrap()
}

/// The one reviewer workbook in `out/queues`.
fn workbook_of(out: &Path) -> PathBuf {
    let books: Vec<PathBuf> = std::fs::read_dir(out.join("queues"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    assert_eq!(books.len(), 1, "{books:?}");
    assert!(books[0].file_name().unwrap().to_string_lossy().starts_with("review-"), "{books:?}");
    books[0].clone()
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect()
}

/// The spreadsheet column letter of the 0-based column `i` (under 26 columns).
fn letter(i: usize) -> char {
    (b'A' + i as u8) as char
}

fn column(name: &str) -> usize {
    kuzet::queue::column(name).unwrap()
}

/// (decision, reviewer, notes) of the latest decision on the finding of `page`.
fn decision_of(site: &Site, page: &str) -> Option<(String, String, String)> {
    site.db()
        .query_row(
            "SELECT d.decision, d.reviewer, d.notes FROM decision d JOIN finding f ON f.item_id = d.item_id WHERE f.ref LIKE ?1 ORDER BY d.id DESC LIMIT 1",
            [format!("%{page}")],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .ok()
}

/// A small site after its first night (config with `extra`): the site and its config.
fn first_night(extra: &str) -> (Site, PathBuf) {
    let site = small_site();
    let config = site.config(extra);
    ok(&site.run(&config).0);
    (site, config)
}

/// Issue 15, point 4 (acceptance): openpyxl shows the sheets (priority 1 first, then one per
/// queue with the CSV's cells), the frozen header, the filter, the decision dropdown's list,
/// the links and the bold hit; a copy with decisions filled in by openpyxl imports, also under
/// a .csv name, where it is reported as a workbook.
#[test]
fn the_workbook_read_and_filled_by_openpyxl_imports() {
    let (site, config) = first_night("");
    let book = workbook_of(&site.out());
    let run = book.file_stem().unwrap().to_string_lossy().trim_start_matches("review-").to_string();
    let archived = site.out().join("runs").join(&run).join(book.file_name().unwrap());
    assert_eq!(std::fs::read(&archived).unwrap(), std::fs::read(&book).unwrap(), "the run's folder keeps the same workbook");

    let seen = show(&book);
    let sheets = seen["sheets"].as_array().unwrap();
    let names: Vec<&str> = sheets.iter().map(|s| s["name"].as_str().unwrap()).collect();
    let csvs = queues(&site.out());
    let mut expected = vec!["priority 1".to_string()];
    expected.extend(csvs.iter().map(|(f, _)| f.trim_end_matches(".csv").to_string()));
    // then the members of the queued clusters (checked in tests/cluster_queues.rs)
    expected.push("members".to_string());
    assert_eq!(names, expected);
    let sheets = &sheets[..sheets.len() - 1];
    let decision = letter(column("decision"));
    for sheet in sheets {
        let name = sheet["name"].as_str().unwrap();
        // The live queues' columns: COLUMNS, then first_seen and new_tonight.
        let mut header: Vec<&str> = COLUMNS.iter().chain(&kuzet::queue::LIVE_COLUMNS).copied().collect();
        if name == "priority 1" {
            header.push("queue");
        }
        assert_eq!(strings(&sheet["header"]), header, "{name}");
        assert_eq!(sheet["freeze_panes"], "A2", "{name}: the header row is frozen");
        assert!(sheet["auto_filter"].as_str().unwrap().starts_with("A1:"), "{name}: {}", sheet["auto_filter"]);
        let lists = sheet["validations"].as_array().unwrap();
        assert_eq!(lists.len(), 1, "{name}: {lists:?}");
        assert_eq!(lists[0]["type"], "list");
        assert_eq!(lists[0]["formula1"], "\"confirmed,dismissed,escalated\"");
        // The decision cell of every row (of row 2 on an empty sheet).
        let last = sheet["rows"].as_array().unwrap().len().max(1) + 1;
        let cells = if last == 2 { format!("{decision}2") } else { format!("{decision}2:{decision}{last}") };
        assert_eq!(lists[0]["sqref"], cells, "{name}: {lists:?}");
        // Widths that fit (openpyxl merges neighbours of one width): set, within 8 to 60
        // characters (plus padding), the snippet's the widest.
        let widths = sheet["widths"].as_object().unwrap();
        let snippet = widths[&letter(column("snippet")).to_string()].as_f64().unwrap();
        assert!(snippet > 80.0, "{name}: {widths:?}");
        assert!(widths.iter().all(|(c, w)| c.starts_with(letter(column("snippet"))) || (8.0..=62.0).contains(&w.as_f64().unwrap())), "{name}: {widths:?}");
    }
    // Each queue's sheet holds exactly its CSV's cells; the URL cells are links to themselves,
    // and the snippet's marked hit is bold.
    let mut flagged = 0;
    for (sheet, (file, records)) in sheets[1..].iter().zip(&csvs) {
        let rows: Vec<Vec<String>> = sheet["rows"].as_array().unwrap().iter().map(strings).collect();
        assert_eq!(rows, records[1..].to_vec(), "{file}");
        let links = sheet["links"].as_object().unwrap();
        assert_eq!(links.len(), rows.len(), "{file}: {links:?}");
        for (i, row) in rows.iter().enumerate() {
            let url = &row[column("url")];
            assert!(url.starts_with(&site.server.url().to_string()), "{url}");
            let link = &links[&format!("{}{}", letter(column("url")), i + 2)];
            assert_eq!((link["target"].as_str(), link["text"].as_str()), (Some(url.as_str()), Some(url.as_str())));
        }
        let bold = strings(&sheet["bold_in_snippets"]);
        assert_eq!(bold.len(), rows.len(), "{file}: {bold:?}");
        for (b, row) in bold.iter().zip(&rows) {
            assert!(b.starts_with('⟦') && b.ends_with('⟧') && row[column("snippet")].contains(b.as_str()), "{b} in {row:?}");
        }
        flagged += rows.len();
    }
    assert_eq!(flagged, 2, "a.html and b.html");
    let p1 = strings(&sheets[0]["rows"][0]);
    assert!(p1[column("ref")].ends_with("b.html") && p1[column("priority")] == "1" && p1.last().unwrap() == "violence", "{p1:?}");

    // Decisions filled in by openpyxl: b.html on the priority-1 sheet, a.html on its queue's.
    let decisions = site.dir.path().join("decisions.json");
    let plan = serde_json::json!([["priority 1", "b.html", "confirmed", "Айгерім", "үндеу, Қазақша"], ["violence", "a.html", "Dismissed", "aida", "a quote"]]);
    std::fs::write(&decisions, plan.to_string()).unwrap();
    let reviewed = site.dir.path().join("reviewed.xlsx");
    let filled = probe(&["fill", book.to_str().unwrap(), reviewed.to_str().unwrap(), decisions.to_str().unwrap()]);
    assert_eq!(filled.trim(), "2");
    let import = kuzet(&["review", "import", "--config", config.to_str().unwrap(), reviewed.to_str().unwrap()]);
    let stdout = ok(&import);
    assert!(stdout.contains("2 decisions imported, 0 unchanged, 1 undecided, 0 bad rows (an Excel workbook, sheets 'priority 1', "), "{stdout}");
    assert_eq!(decision_of(&site, "b.html"), Some(("confirmed".into(), "Айгерім".into(), "үндеу, Қазақша".into())));
    assert_eq!(decision_of(&site, "a.html"), Some(("dismissed".into(), "aida".into(), "a quote".into())));

    // The next night's workbook replaces it in queues/; the run's folder keeps it.
    ok(&site.run(&config).0);
    let next = workbook_of(&site.out());
    assert_ne!(next, book);
    assert!(archived.exists() && !book.exists());

    // The same workbook given under a CSV name: read as what it is, and said so.
    let as_csv = site.dir.path().join("reviewed.csv");
    std::fs::copy(&reviewed, &as_csv).unwrap();
    let again = kuzet(&["review", "import", "--config", config.to_str().unwrap(), as_csv.to_str().unwrap()]);
    let stdout = ok(&again);
    assert!(stdout.contains("reviewed.csv is an Excel workbook (.xlsx), not CSV: read as a workbook"), "{stdout}");
}

/// Issue 15, point 4: a file that is neither CSV nor an Excel workbook is refused, named for
/// what it is (by its content, whatever its name); before, it was decoded as text and the
/// message quoted its bytes (`found pk  dv„]…`).
#[test]
fn files_that_are_not_queue_files_are_named() {
    let (site, config) = first_night("");
    let mut ods = b"PK\x03\x04".to_vec();
    ods.extend([0u8; 22]);
    ods.extend(8u16.to_le_bytes());
    ods.extend([0u8; 2]);
    ods.extend(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet");
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("saved.csv", ods, "saved.csv is an OpenDocument spreadsheet (.ods), not a queue file"),
        ("print.csv", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec(), "print.csv is a PDF document, not a queue file"),
        ("old.xls", vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0], "old.xls is an Office 97-2003 file (.xls or .doc), not a queue file"),
        ("queue.xlsx", b"\x7fELF\x02\x01\x01\0\0\0\0\0".to_vec(), "queue.xlsx is a binary file (not text), not a queue file"),
    ];
    for (name, bytes, said) in cases {
        let path = site.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = kuzet(&["review", "import", "--config", config.to_str().unwrap(), path.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.contains(said), "{name}: {stderr}");
    }
    assert_eq!(site.db().query_row("SELECT count(*) FROM decision", [], |r| r.get::<_, i64>(0)).unwrap(), 0);
}

/// The column order before issue 15 (identifiers first, the reviewer's columns 10th to 12th).
const OLD_COLUMNS: [&str; 17] = [
    "item_id", "priority", "score", "category", "lang", "ref", "title", "matched_terms", "snippet", "decision", "reviewer", "notes", "url", "reasons",
    "lexicon_version", "run_id", "history",
];

/// Issue 15, point 4: the reviewer's columns come first in the CSV, and a file saved from a
/// queue of the old order still imports: the import goes by the header.
#[test]
fn csv_in_the_old_column_order_still_imports() {
    let (site, config) = first_night("");
    let (_, records) = queues(&site.out()).into_iter().find(|(f, _)| f == "violence.csv").unwrap();
    assert_eq!(&records[0][..7], ["priority", "category", "snippet", "why", "decision", "reviewer", "notes"]);
    let by_name: Vec<HashMap<&str, &str>> = records[1..].iter().map(|r| COLUMNS.iter().copied().zip(r.iter().map(String::as_str)).collect()).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(OLD_COLUMNS).unwrap();
    for row in &by_name {
        let decided = if row["ref"].ends_with("a.html") { ("escalated", "aida", "old file") } else { ("", "", "") };
        let cells: Vec<&str> = OLD_COLUMNS
            .iter()
            .map(|c| match *c {
                "decision" => decided.0,
                "reviewer" => decided.1,
                "notes" => decided.2,
                other => row[other],
            })
            .collect();
        w.write_record(cells).unwrap();
    }
    let saved = site.dir.path().join("old-order.csv");
    std::fs::write(&saved, w.into_inner().unwrap()).unwrap();
    let stdout = ok(&kuzet(&["review", "import", "--config", config.to_str().unwrap(), saved.to_str().unwrap()]));
    assert!(stdout.contains("1 decisions imported, 0 unchanged, 1 undecided, 0 bad rows (UTF-8, delimiter ',')"), "{stdout}");
    assert_eq!(decision_of(&site, "a.html"), Some(("escalated".into(), "aida".into(), "old file".into())));
}

/// Issue 15, point 4: a windows-1251 save turned Kazakh letters in notes into `?` silently;
/// the import now warns (the letters cannot be recovered), and a UTF-8 file with a `?` does not.
#[test]
fn a_code_page_save_that_lost_letters_is_warned_about() {
    let (site, config) = first_night("");
    let id: String = site.db().query_row("SELECT item_id FROM finding WHERE ref LIKE '%a.html'", [], |r| r.get(0)).unwrap();
    // What the spreadsheet saved: Қ, ә and ұ are not in windows-1251 and became `?`.
    let saved_text = format!("item_id;decision;reviewer;notes\r\n{id};dismissed;Айгерім;?аза?ша ж?мыс\r\n");
    let (cp1251, _, unmappable) = encoding_rs::WINDOWS_1251.encode(&saved_text);
    assert!(!unmappable);
    // (file, its bytes, whether the import warns)
    let cases: [(&str, Vec<u8>, bool); 2] =
        [("cp1251.csv", cp1251.into_owned(), true), ("utf8.csv", format!("item_id,decision,reviewer,notes\n{id},dismissed,aida,why?\n").into_bytes(), false)];
    for (name, bytes, warns) in cases {
        let path = site.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = kuzet(&["review", "import", "--config", config.to_str().unwrap(), path.to_str().unwrap()]);
        ok(&out);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.contains("was saved in windows-1251: letters it lacks (such as Kazakh"), warns, "{name}: {stderr}");
    }
}

/// The reviewer inbox takes workbooks too: one filled in by openpyxl is imported by the next
/// run and moved to `imported/`; a PDF is moved to `rejected/` with a reason naming it.
#[test]
fn the_inbox_imports_a_filled_workbook_and_rejects_a_pdf_by_name() {
    let (site, config) = first_night("[review]\ninbox = \"inbox\"\n");
    let book = workbook_of(&site.out());
    let decisions = site.dir.path().join("decisions.json");
    std::fs::write(&decisions, serde_json::json!([["violence", "a.html", "confirmed", "aida", ""]]).to_string()).unwrap();
    let inbox = site.dir.path().join("inbox");
    let filled = probe(&["fill", book.to_str().unwrap(), inbox.join("aida.xlsx").to_str().unwrap(), decisions.to_str().unwrap()]);
    assert_eq!(filled.trim(), "1");
    std::fs::write(inbox.join("print.pdf"), b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n").unwrap();
    let (run, _) = site.run(&config);
    ok(&run);
    assert!(inbox.join("imported/aida.xlsx").exists() && !inbox.join("aida.xlsx").exists());
    let reason = std::fs::read_to_string(inbox.join("rejected/print.pdf.reason.txt")).unwrap();
    assert!(reason.contains("print.pdf is a PDF document, not a queue file"), "{reason}");
    assert_eq!(decision_of(&site, "a.html"), Some(("confirmed".into(), "aida".into(), String::new())));
}
