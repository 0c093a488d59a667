//! `kuzet review import`: the decisions of one saved queue file into the state store.
//!
//! The latest decision on an item wins: each row that differs from the item's latest decision
//! (verdict, reviewer or notes) is appended to its history, so a reviewer can go back to an
//! earlier verdict. Within one file the last decided row of an item is the one taken; rows
//! before it that say otherwise are reported as a [`Conflict`].
//!
//! The work is linear in the file: the file is read twice (once to check every row and find
//! each item's last row, once to store), each item is looked up once (its finding by primary
//! key, its latest decision through the `decision (item_id, id)` index), and decisions are
//! written in short transactions with a pause between them, so a nightly run that starts
//! during an import gets the write lock within moments. A file with a broken quote is refused
//! before anything is written; one with bad rows is imported but not remembered as done.
//! [`import_file`] is the one entry point for a saved file, for `kuzet review import` and the
//! reviewer inbox of `kuzet run` alike: it reads the file and says what came of it, in the
//! lines the command line prints. Printing them is the caller's job.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rusqlite::{OptionalExtension, params};

use crate::review::{BadRow, FileError, Verdict};
use crate::store::{Store, StoreError, now};

/// Rows written in one transaction at most...
const BATCH_ROWS: usize = 2000;
/// ...or for about this long, whichever comes first.
const BATCH_TIME: Duration = Duration::from_millis(50);
/// The pause after each transaction, in which a waiting writer (a nightly run) gets the lock.
const PAUSE: Duration = Duration::from_millis(20);

/// What `review import` did with one file. Every data row is counted once: imported,
/// unchanged, superseded, undecided or bad.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Decisions appended.
    pub imported: usize,
    /// Rows whose decision equals the item's latest one (a re-saved or re-imported file).
    pub unchanged: usize,
    /// Decided rows of an item followed by a later decided row of the same item in the file.
    pub superseded: usize,
    /// Rows left undecided.
    pub undecided: usize,
    /// Bad rows: unreadable, invalid decision, or an item the store does not know.
    pub bad: Vec<BadRow>,
    /// Items whose rows in this file disagree; the last row was taken.
    pub conflicts: Vec<Conflict>,
    /// The file's exact bytes were imported before, and nothing in it changed a decision.
    pub already_imported: bool,
    pub encoding: &'static str,
    pub delimiter: char,
    /// For a workbook, the sheets read (those with the `item_id` and `decision` columns);
    /// empty for CSV.
    pub sheets: Vec<String>,
    /// A file saved in a single-byte code page (windows-1251) whose reviewer or notes cells
    /// hold `?`: letters the code page lacks (Kazakh `ә ғ қ ң ө ұ ү һ`) may have been lost.
    pub maybe_lost_letters: bool,
}

/// An item with rows of different verdicts in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub item_id: String,
    /// Its decided rows in the file.
    pub rows: usize,
    pub first_line: usize,
    /// The last row, the one taken.
    pub last_line: usize,
    /// Where the first and the last row are (`line N`, or `sheet 'S' row N` in a workbook).
    pub first_at: String,
    pub last_at: String,
    pub taken: Verdict,
    /// The verdicts its rows gave, in the order first seen.
    pub verdicts: Vec<Verdict>,
}

/// An item's decided rows in the file, gathered by the first pass.
struct ItemRows {
    rows: usize,
    first_line: usize,
    last_line: usize,
    last: Verdict,
    verdicts: Vec<Verdict>,
}

/// What importing one saved file came to.
#[derive(Debug)]
pub enum FileOutcome {
    /// The file could not be read.
    Unreadable(std::io::Error),
    /// The file is unusable as a whole (not a queue file, a broken quote); nothing was written.
    Refused(FileError),
    /// Imported, perhaps with bad rows (the rest were imported).
    Imported(ImportReport),
}

impl FileOutcome {
    /// Everything in the file was taken: imported with no bad rows.
    pub fn ok(&self) -> bool {
        matches!(self, FileOutcome::Imported(r) if r.bad.is_empty())
    }

    /// What to tell about the file `shown`: the problems (bad rows, conflicts, why it was
    /// refused), then the summary line if it was imported.
    pub fn render(&self, shown: &str) -> (Vec<String>, Option<String>) {
        match self {
            FileOutcome::Unreadable(e) => (vec![format!("{shown}: {e}")], None),
            // Line 0: the file as a whole is not a queue file; the message says what it is.
            FileOutcome::Refused(e) if e.line == 0 => (vec![format!("{shown} {}", e.message)], None),
            FileOutcome::Refused(e) => (vec![format!("{shown}:{}: {}", e.line, e.message)], None),
            FileOutcome::Imported(r) => {
                let workbook = !r.sheets.is_empty();
                // Said on stdout with the summary: a workbook given under another name is read as one.
                let named_as_workbook = shown.rsplit('.').next().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
                let read_as = if workbook && !named_as_workbook { format!("{shown} is an Excel workbook (.xlsx), not CSV: read as a workbook\n") } else { String::new() };
                if r.already_imported {
                    return (Vec::new(), Some(format!("{read_as}{shown}: already imported (same bytes), nothing changed")));
                }
                // A workbook's bad rows say their sheet and row in the message.
                let mut problems: Vec<String> =
                    r.bad.iter().map(|b| if workbook { format!("{shown}: {}", b.message) } else { format!("{shown}:{}: {}", b.line, b.message) }).collect();
                for c in &r.conflicts {
                    let said = c.verdicts.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ");
                    let (at, span) =
                        if workbook { (String::new(), format!("{} to {}", c.first_at, c.last_at)) } else { (format!(":{}", c.first_line), format!("lines {} to {}", c.first_line, c.last_line)) };
                    problems.push(format!(
                        "warning: {shown}{at}: item {} has {} rows that disagree ({said}, {span}); the last, {} ({}), is taken",
                        c.item_id, c.rows, c.last_at, c.taken.as_str()
                    ));
                }
                if r.maybe_lost_letters {
                    problems.push(format!(
                        "warning: {shown} was saved in {}: letters it lacks (such as Kazakh ә ғ қ ң ө ұ ү һ) were turned into '?' by the spreadsheet and cannot be recovered; save as CSV UTF-8 or as an Excel workbook (.xlsx)",
                        r.encoding
                    ));
                }
                let kind = if workbook {
                    format!("an Excel workbook, sheets {}", r.sheets.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", "))
                } else {
                    format!("{}, delimiter {:?}", r.encoding, r.delimiter)
                };
                let summary = format!(
                    "{read_as}{shown}: {} decisions imported, {} unchanged, {} undecided, {} bad rows ({kind}), {} superseded by a later row of the same item",
                    r.imported, r.unchanged, r.undecided, r.bad.len(), r.superseded
                );
                (problems, Some(summary))
            }
        }
    }
}

/// Reads the saved file at `path` and imports its decisions: what `kuzet review import` does
/// with each file it is given. `Err` only when the store itself fails.
pub fn import_file(store: &mut Store, path: &std::path::Path) -> Result<FileOutcome, StoreError> {
    let bytes = match crate::input::read_regular(path) {
        Ok(b) => b,
        Err(e) => return Ok(FileOutcome::Unreadable(e)),
    };
    Ok(match import_decisions(store, &path.display().to_string(), bytes)? {
        Ok(report) => FileOutcome::Imported(report),
        Err(e) => FileOutcome::Refused(e),
    })
}

/// Imports the decisions of `bytes` (a file read from `source`). `Ok(Err(_))`: the file
/// itself is unusable (no such columns, a broken quote) and nothing was written.
pub fn import_decisions(store: &mut Store, source: &str, bytes: Vec<u8>) -> Result<Result<ImportReport, FileError>, StoreError> {
    let sha = blake3::hash(&bytes).to_hex().to_string();
    // The same bytes are read again even when imported before: decisions from other files
    // since then may have made theirs no longer the latest.
    let known = store.conn.prepare_cached("SELECT 1 FROM import WHERE sha = ?1").and_then(|mut s| s.query_row([&sha], |_| Ok(())).optional());
    let known = known.map_err(|e| store.err(e))?.is_some();
    let sheet = match crate::review::open(bytes) {
        Ok(s) => s,
        Err(e) => return Ok(Err(e)),
    };
    let mut report = ImportReport { encoding: sheet.encoding, delimiter: sheet.delimiter, sheets: sheet.sheet_names(), ..ImportReport::default() };
    let items = first_pass(store, &sheet, &mut report)?;
    report.conflicts = conflicts(&items, &sheet);
    let at = now();
    let mut batch: Vec<(crate::review::Decision, Verdict)> = Vec::new();
    let mut started = Instant::now();
    for d in sheet.rows().flatten() {
        let Some(verdict) = d.verdict else { continue };
        match items.get(&d.item_id) {
            Some(item) if item.last_line == d.line => {}
            Some(_) => {
                report.superseded += 1;
                continue;
            }
            None => continue, // not in the store: reported by the first pass
        }
        batch.push((d, verdict));
        if batch.len() >= BATCH_ROWS || started.elapsed() >= BATCH_TIME {
            write_batch(store, source, at, &mut batch, &mut report)?;
            std::thread::sleep(PAUSE);
            started = Instant::now();
        }
    }
    write_batch(store, source, at, &mut batch, &mut report)?;
    report.bad.sort_by_key(|b| b.line);
    report.already_imported = known && report.imported == 0 && report.bad.is_empty();
    // A file with bad rows is not remembered: once it is fixed (or the items exist), the same
    // bytes may be imported again.
    if report.bad.is_empty() {
        let imported = report.imported as i64;
        store.write(|tx| tx.execute("INSERT OR IGNORE INTO import (sha, path, imported_at, rows, bad) VALUES (?1, ?2, ?3, ?4, 0)", params![sha, source, at, imported]))?;
    }
    Ok(Ok(report))
}

/// Checks every row: counts the undecided, collects bad rows (unreadable ones, and items the
/// store does not know), and gathers each known item's decided rows.
fn first_pass(store: &Store, sheet: &crate::review::Sheet, report: &mut ImportReport) -> Result<HashMap<String, ItemRows>, StoreError> {
    let mut items: HashMap<String, ItemRows> = HashMap::new();
    let mut unknown: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut finding = store.conn.prepare_cached("SELECT 1 FROM finding WHERE item_id = ?1").map_err(|e| store.err(e))?;
    for row in sheet.rows() {
        let d = match row {
            Ok(d) => d,
            Err(bad) => {
                report.bad.push(bad);
                continue;
            }
        };
        if report.encoding != "UTF-8" && report.encoding != "xlsx" && (d.notes.contains('?') || d.reviewer.contains('?')) {
            report.maybe_lost_letters = true;
        }
        let Some(verdict) = d.verdict else {
            report.undecided += 1;
            continue;
        };
        if let Some(item) = items.get_mut(&d.item_id) {
            item.rows += 1;
            item.last_line = d.line;
            item.last = verdict;
            if !item.verdicts.contains(&verdict) {
                item.verdicts.push(verdict);
            }
            continue;
        }
        let exists = !unknown.contains(&d.item_id) && finding.query_row([&d.item_id], |_| Ok(())).optional().map_err(|e| store.err(e))?.is_some();
        if !exists {
            let at = if sheet.sheet_names().is_empty() { String::new() } else { format!("{}: ", sheet.place(d.line)) };
            report.bad.push(BadRow { line: d.line, message: format!("{at}item {} is not in this store", d.item_id) });
            unknown.insert(d.item_id);
            continue;
        }
        items.insert(d.item_id, ItemRows { rows: 1, first_line: d.line, last_line: d.line, last: verdict, verdicts: vec![verdict] });
    }
    Ok(items)
}

/// The items whose rows disagree, in the order of their first row.
fn conflicts(items: &HashMap<String, ItemRows>, sheet: &crate::review::Sheet) -> Vec<Conflict> {
    let mut out: Vec<Conflict> = items
        .iter()
        .filter(|(_, i)| i.verdicts.len() > 1)
        .map(|(id, i)| Conflict {
            item_id: id.clone(),
            rows: i.rows,
            first_line: i.first_line,
            last_line: i.last_line,
            first_at: sheet.place(i.first_line),
            last_at: sheet.place(i.last_line),
            taken: i.last,
            verdicts: i.verdicts.clone(),
        })
        .collect();
    out.sort_by_key(|c| c.first_line);
    out
}

/// Writes one batch in one short transaction: each row that differs from its item's latest
/// decision is appended.
fn write_batch(store: &mut Store, source: &str, at: i64, batch: &mut Vec<(crate::review::Decision, Verdict)>, report: &mut ImportReport) -> Result<(), StoreError> {
    if batch.is_empty() {
        return Ok(());
    }
    let (imported, unchanged) = store.write(|tx| {
        let (mut imported, mut unchanged) = (0, 0);
        for (d, verdict) in batch.iter() {
            let latest: Option<(String, String, String)> = tx
                .prepare_cached("SELECT decision, reviewer, notes FROM decision WHERE item_id = ?1 ORDER BY id DESC LIMIT 1")?
                .query_row([&d.item_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            if latest.is_some_and(|(v, r, n)| v == verdict.as_str() && r == d.reviewer && n == d.notes) {
                unchanged += 1;
                continue;
            }
            tx.prepare_cached("INSERT INTO decision (item_id, decision, reviewer, notes, source, line, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?
                .execute(params![d.item_id, verdict.as_str(), d.reviewer, d.notes, source, d.line as i64, at])?;
            imported += 1;
        }
        Ok((imported, unchanged))
    })?;
    report.imported += imported;
    report.unchanged += unchanged;
    batch.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KNOWN: [&str; 3] = ["k000000000000000a", "k000000000000000b", "k000000000000000c"];

    fn store_with_findings(dir: &std::path::Path) -> Store {
        let mut store = Store::open(&dir.join("s.sqlite"), None).unwrap();
        store
            .write(|tx| {
                for id in KNOWN {
                    tx.execute(
                        "INSERT INTO finding (item_id, url_key, status, category, priority, score, lang, ref, url, title, matched_terms, snippet, \
                         reasons, lexicon_version, first_run, last_run, first_seen, last_seen) \
                         VALUES (?1, ?1, 'queued', 'violence', 3, 6, 'en', 'r', 'u', 't', 'm', 's', 'x', 'lex', 'r1', 'r1', 0, 0)",
                        [id],
                    )?;
                }
                Ok(())
            })
            .unwrap();
        store
    }

    /// One data row: (item id, decision, notes, cells left out at the end, a raw quote
    /// spliced in).
    fn row() -> impl Strategy<Value = (String, String, String, usize, bool)> {
        let id = prop_oneof![Just(KNOWN[0].to_string()), Just(KNOWN[1].to_string()), Just(KNOWN[2].to_string()), Just("k00000000000000ff".to_string()), Just("nope".to_string())];
        let decision = prop_oneof![Just("confirmed"), Just("Dismissed"), Just("escalated"), Just(""), Just("maybe")].prop_map(str::to_string);
        (id, decision, "[a-z ,;\"'=\n]{0,12}", prop_oneof![8 => Just(0usize), 1 => Just(1), 1 => Just(3)], proptest::bool::weighted(0.05))
    }

    fn csv_line(delimiter: u8, cells: &[&str]) -> String {
        let mut w = csv::WriterBuilder::new().delimiter(delimiter).flexible(true).from_writer(Vec::new());
        w.write_record(cells).unwrap();
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any file either is refused as a whole (nothing written, a line named) or has every
        /// data row counted once, each bad one by a line the file has, and the last good
        /// decided row of each item is its latest decision.
        #[test]
        fn any_file_imports_every_row_or_reports_the_bad_ones(rows in proptest::collection::vec(row(), 0..30), delimiter in prop_oneof![Just(b','), Just(b';')]) {
            let mut text = csv_line(delimiter, &["item_id", "decision", "reviewer", "notes"]);
            for (id, decision, notes, missing, raw_quote) in &rows {
                let cells = [id.as_str(), decision.as_str(), "aida", notes.as_str()];
                let mut line = csv_line(delimiter, &cells[..4 - missing]);
                if *raw_quote {
                    line.insert(0, '"');
                }
                text.push_str(&line);
            }
            let dir = tempfile::tempdir().unwrap();
            let mut store = store_with_findings(dir.path());
            let lines = text.matches('\n').count() + 1;
            let count = |store: &Store, sql: &str| store.conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
            match import_decisions(&mut store, "f.csv", text.clone().into_bytes()).unwrap() {
                Err(e) => {
                    prop_assert!(rows.iter().any(|r| r.4), "only a spliced quote breaks the file: {e}\n{text}");
                    prop_assert!((1..=lines).contains(&e.line), "{e}");
                    prop_assert_eq!((count(&store, "SELECT count(*) FROM decision"), count(&store, "SELECT count(*) FROM import")), (0, 0));
                }
                Ok(r) => {
                    let records = crate::review::parse(text.as_bytes()).unwrap();
                    let data = records.decisions.len() + records.bad.len();
                    prop_assert_eq!(r.imported + r.unchanged + r.superseded + r.undecided + r.bad.len(), data, "{:?}\n{}", r, text);
                    for b in &r.bad {
                        prop_assert!((2..=lines).contains(&b.line) && !b.message.starts_with("line"), "{:?}", b);
                    }
                    prop_assert_eq!(count(&store, "SELECT count(*) FROM import"), i64::from(r.bad.is_empty()));
                    for id in KNOWN {
                        let last = records.decisions.iter().filter(|d| d.item_id == id).filter_map(|d| d.verdict).last();
                        let latest = crate::store::latest_decision(&store.conn, id).unwrap();
                        prop_assert_eq!(latest.as_deref(), last.map(Verdict::as_str), "{}\n{}", id, text);
                    }
                }
            }
        }
    }
}
