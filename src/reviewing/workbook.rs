//! The reviewer workbook: `queues/review-<run>.xlsx`, and saved workbooks read back.
//!
//! Written next to the CSV queues (rust_xlsxwriter): a first sheet of the priority-1 items of
//! every queue, then one sheet per queue, each with the queue's columns in the CSV's order
//! ([`crate::queue::COLUMNS`]); a frozen header, an autofilter, column widths that fit their
//! text (long text capped and wrapped), the snippet with its marked hit in bold, the URL as a
//! link (http and https only), and the decision cell a dropdown of `confirmed`, `dismissed`,
//! `escalated`. Every text cell is cleaned and defanged exactly as a CSV cell is
//! ([`crate::cell`]), so a workbook re-saved as CSV is as safe as kuzet's own CSV.
//!
//! Reading ([`read`], calamine) gives each sheet's rows as text; which rows are decisions is
//! [`crate::review`]'s job. This module does not decide which rows go in a queue.

use std::io;
use std::path::Path;

use rust_xlsxwriter::{DataValidation, Format, FormatAlign, FormatBorder, Url, Workbook, Worksheet, XlsxError};

use crate::cell::{clean, defang};
use crate::queue::{COLUMNS, QueueRow, column};

/// The name of the first sheet, the priority-1 items of every queue.
pub const PRIORITY1_SHEET: &str = "priority 1";
/// The extra column of the priority-1 sheet: the queue a row comes from.
pub const QUEUE_COLUMN: &str = "queue";
/// The decisions the dropdown offers.
pub const VERDICTS: [&str; 3] = ["confirmed", "dismissed", "escalated"];

/// Widths (in characters) a column is kept within; long text wraps.
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 60;
/// The snippet column: wide, wrapped, so the hit (near its start) is in view.
const SNIPPET_WIDTH: f64 = 80.0;
/// Excel's limit on a link's length; a longer URL is written as text.
const MAX_URL_LEN: usize = 2079;
/// Excel's limit on the characters in a cell.
const MAX_CELL_CHARS: usize = 32767;
/// Excel's limit on the rows of a sheet, less the header: rows past it are only in the CSV.
const MAX_ROWS: usize = 1_048_575;

/// One queue: its name and rows, in the order they are shown.
pub struct Queue<'a> {
    pub name: &'a str,
    pub rows: Vec<Entry<'a>>,
}

/// A row of a queue: the finding, the cells of the queue's columns after [`COLUMNS`] (the live
/// queues' `first_seen` and `new_tonight`), and whether it is tonight's (only tonight's go on
/// the priority-1 sheet).
pub struct Entry<'a> {
    pub row: &'a QueueRow,
    pub extra: Vec<String>,
    pub tonight: bool,
}

impl<'a> Entry<'a> {
    /// A row with no columns after [`COLUMNS`], found tonight (`classify`, `crawl`).
    pub fn new(row: &'a QueueRow) -> Entry<'a> {
        Entry { row, extra: Vec::new(), tonight: true }
    }
}

/// The file name of the workbook of run `run_id`.
pub fn file_name(run_id: &str) -> String {
    format!("review-{}.xlsx", crate::queue::file_safe(run_id))
}

/// Publishes the workbook of run `run_id` (its queues with `extra_columns` after [`COLUMNS`]) as `out/queues/review-<run>.xlsx`, and as
/// `out/runs/<run>/review-<run>.xlsx` if that folder exists. The workbooks of earlier runs
/// are taken out of `out/queues/`, which holds the queues as they are now (as its CSVs do);
/// a run's own folder keeps its copy. One that cannot be removed (open on a share) stays.
/// `tables` are sheets after the queues' (the nightly job's cluster members).
pub fn publish_for_run(out: &Path, run_id: &str, extra_columns: &[&str], queues: &[Queue<'_>], tables: &[Table<'_>]) -> io::Result<()> {
    let name = file_name(run_id);
    let bytes = build_with(extra_columns, queues, tables).map_err(io::Error::other)?;
    let live = out.join("queues");
    crate::queue::publish(&live.join(&name), |w| w.write_all(&bytes))?;
    let archive = out.join("runs").join(crate::queue::file_safe(run_id));
    if archive.is_dir() {
        crate::queue::publish(&archive.join(&name), |w| w.write_all(&bytes))?;
    }
    for entry in std::fs::read_dir(&live)?.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if file != name && file.starts_with("review-") && file.ends_with(".xlsx") && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// A sheet that is not a queue (the nightly job's `members`): a header and rows of text, each
/// cell as safe as a queue's. It has no `decision` column, so a review import leaves it alone.
pub struct Table<'a> {
    pub name: &'a str,
    pub header: &'a [&'a str],
    pub rows: &'a [Vec<String>],
}

/// The workbook's bytes: the queues' columns are [`COLUMNS`], then `extra_columns`.
pub fn build(extra_columns: &[&str], queues: &[Queue<'_>]) -> Result<Vec<u8>, XlsxError> {
    build_with(extra_columns, queues, &[])
}

/// [`build`], with `tables` as sheets after the queues'.
pub fn build_with(extra_columns: &[&str], queues: &[Queue<'_>], tables: &[Table<'_>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let styles = Styles::new();
    let mut first: Vec<(&str, &Entry)> = queues.iter().flat_map(|q| q.rows.iter().filter(|e| e.tonight && e.row.priority == 1).map(move |e| (q.name, e))).collect();
    first.sort_by(|a, b| b.1.row.score.cmp(&a.1.row.score).then(a.1.row.item_id.cmp(&b.1.row.item_id)));
    let sheet = book.add_worksheet();
    sheet.set_name(PRIORITY1_SHEET)?;
    let mut header: Vec<&str> = COLUMNS.iter().chain(extra_columns).copied().collect();
    header.push(QUEUE_COLUMN);
    write_sheet(sheet, &styles, &header, &first.iter().take(MAX_ROWS).map(|(q, e)| (Some(*q), *e)).collect::<Vec<_>>())?;
    header.pop();
    let mut used = vec![PRIORITY1_SHEET.to_lowercase()];
    for q in queues {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(q.name, &mut used))?;
        write_sheet(sheet, &styles, &header, &q.rows.iter().take(MAX_ROWS).map(|e| (None, e)).collect::<Vec<_>>())?;
    }
    for t in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(t.name, &mut used))?;
        write_table(sheet, &styles, t)?;
    }
    book.save_to_buffer()
}

/// Writes a [`Table`]: header, text cells (URLs as links), widths to fit, frozen header, filter.
fn write_table(sheet: &mut Worksheet, styles: &Styles, t: &Table<'_>) -> Result<(), XlsxError> {
    let mut widths: Vec<usize> = t.header.iter().map(|h| h.chars().count() + 3).collect();
    for (c, h) in t.header.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &styles.header)?;
    }
    let url_col = t.header.iter().position(|h| *h == "url");
    for (i, cells) in t.rows.iter().take(MAX_ROWS).enumerate() {
        let r = i as u32 + 1;
        for (c, cell) in cells.iter().take(t.header.len()).enumerate() {
            let text = safe_text(cell);
            widths[c] = widths[c].max(text.chars().count());
            if text.is_empty() {
                continue;
            }
            if Some(c) == url_col && is_link(cell) && sheet.write_url_with_format(r, c as u16, Url::new(cell.as_str()).set_text(&text), &styles.link).is_ok() {
                continue;
            }
            sheet.write_string_with_format(r, c as u16, &text, &styles.plain)?;
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, (*w).clamp(MIN_WIDTH, MAX_WIDTH) as f64 + 1.0)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, (t.rows.len().min(MAX_ROWS) as u32).max(1), t.header.len().max(1) as u16 - 1)?;
    Ok(())
}

/// A sheet name Excel accepts, unique in the workbook: no `[]:*?/\`, at most 31 characters.
fn sheet_name(queue: &str, used: &mut Vec<String>) -> String {
    let base: String = queue.chars().map(|c| if "[]:*?/\\'".contains(c) { '_' } else { c }).take(28).collect();
    let base = if base.trim().is_empty() { "queue".to_string() } else { base };
    let mut name = base.clone();
    let mut n = 2;
    while used.contains(&name.to_lowercase()) {
        name = format!("{base} {n}");
        n += 1;
    }
    used.push(name.to_lowercase());
    name
}

struct Styles {
    header: Format,
    wrap: Format,
    plain: Format,
    bold: Format,
    link: Format,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            header: Format::new().set_bold().set_background_color("#DDE4EE").set_border_bottom(FormatBorder::Thin).set_align(FormatAlign::Top),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            plain: Format::new().set_align(FormatAlign::Top),
            bold: Format::new().set_bold(),
            link: Format::new().set_align(FormatAlign::Top).set_font_color("#0563C1").set_underline(rust_xlsxwriter::FormatUnderline::Single),
        }
    }
}

/// The text of a cell: as safe as a CSV cell ([`crate::cell`]), without the two characters XML
/// cannot hold (U+FFFE, U+FFFF: a page may contain them), cut to Excel's cell limit.
fn safe_text(s: &str) -> String {
    let text = defang(clean(&s.replace(['\u{FFFE}', '\u{FFFF}'], "")).trim());
    if text.chars().count() > MAX_CELL_CHARS { text.chars().take(MAX_CELL_CHARS - 1).chain(['…']).collect() } else { text }
}

/// Writes `headers` and `rows` (each with its queue on the priority-1 sheet).
fn write_sheet(sheet: &mut Worksheet, styles: &Styles, headers: &[&str], rows: &[(Option<&str>, &Entry)]) -> Result<(), XlsxError> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count() + 3).collect();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &styles.header)?;
    }
    let (snippet_col, url_col, decision_col) = (column("snippet"), column("url"), column("decision"));
    for (i, (queue, entry)) in rows.iter().enumerate() {
        let (r, row) = (i as u32 + 1, entry.row);
        let mut cells: Vec<String> = row.cells().into_iter().chain(entry.extra.iter().cloned()).collect();
        cells.extend(queue.map(str::to_string));
        cells.resize(headers.len(), String::new());
        for (c, cell) in cells.iter().enumerate() {
            let text = safe_text(cell);
            let col = c as u16;
            if Some(c) == snippet_col {
                write_snippet(sheet, r, col, &text, styles)?;
                continue;
            }
            widths[c] = widths[c].max(text.chars().count());
            if text.is_empty() {
                continue;
            }
            // A link Excel would refuse (more than 65,530 in a sheet, a malformed URL) is text.
            if Some(c) == url_col && is_link(&row.url) && sheet.write_url_with_format(r, col, Url::new(row.url.as_str()).set_text(&text), &styles.link).is_ok() {
                continue;
            }
            if COLUMNS.get(c).is_some_and(|h| matches!(*h, "priority" | "score")) {
                // Numbers stay numbers, so the filter sorts them as numbers.
                match text.parse::<f64>() {
                    Ok(n) => sheet.write_number_with_format(r, col, n, &styles.plain)?,
                    Err(_) => sheet.write_string_with_format(r, col, &text, &styles.plain)?,
                };
            } else {
                let format = if widths[c] > MAX_WIDTH { &styles.wrap } else { &styles.plain };
                sheet.write_string_with_format(r, col, &text, format)?;
            }
        }
    }
    let last = rows.len() as u32;
    for (c, w) in widths.iter().enumerate() {
        let width = if Some(c) == snippet_col { SNIPPET_WIDTH } else { (*w).clamp(MIN_WIDTH, MAX_WIDTH) as f64 + 1.0 };
        sheet.set_column_width(c as u16, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last.max(1), headers.len() as u16 - 1)?;
    if let Some(d) = decision_col {
        let list = DataValidation::new()
            .allow_list_strings(&VERDICTS)?
            .set_input_title("decision")?
            .set_input_message("confirmed, dismissed or escalated; empty: not decided yet")?
            .set_error_title("decision")?
            .set_error_message("Choose confirmed, dismissed or escalated (or leave it empty).")?;
        sheet.add_data_validation(1, d as u16, last.max(1), d as u16, &list)?;
    }
    Ok(())
}

/// The snippet: wrapped, the text between `⟦` and `⟧` (marks included) in bold.
fn write_snippet(sheet: &mut Worksheet, r: u32, c: u16, text: &str, styles: &Styles) -> Result<(), XlsxError> {
    let parts: Option<(&str, &str, &str)> = text.split_once('⟦').and_then(|(before, rest)| {
        let (hit, after) = rest.split_once('⟧')?;
        Some((before, hit, after))
    });
    let Some((before, hit, after)) = parts else {
        if !text.is_empty() {
            sheet.write_string_with_format(r, c, text, &styles.wrap)?;
        }
        return Ok(());
    };
    let hit = format!("⟦{hit}⟧");
    let mut segments: Vec<(&Format, &str)> = Vec::new();
    if !before.is_empty() {
        segments.push((&styles.plain, before));
    }
    segments.push((&styles.bold, &hit));
    if !after.is_empty() {
        segments.push((&styles.plain, after));
    }
    if sheet.write_rich_string_with_format(r, c, &segments, &styles.wrap).is_err() {
        sheet.write_string_with_format(r, c, text, &styles.wrap)?;
    }
    Ok(())
}

/// Whether `url` may be a link: http or https, within Excel's length limit.
fn is_link(url: &str) -> bool {
    url.len() <= MAX_URL_LEN && url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// One sheet read back: each row's number (1-based) and its cells as text.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRows {
    pub name: String,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Every sheet of the .xlsx `bytes`, as text (numbers as Excel shows them without a format:
/// `1`, `12.5`). An error names what could not be read.
pub fn read(bytes: &[u8]) -> Result<Vec<SheetRows>, String> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(io::Cursor::new(bytes)).map_err(|e: calamine::XlsxError| e.to_string())?;
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| format!("sheet '{name}': {e}"))?;
        let first = range.start().map_or(0, |(row, _)| row as usize);
        let rows = range.rows().enumerate().map(|(i, cells)| (first + i + 1, cells.iter().map(|c| c.to_string()).collect())).collect();
        sheets.push(SheetRows { name, rows });
    }
    Ok(sheets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, priority: u8, snippet: &str, url: &str) -> QueueRow {
        QueueRow {
            item_id: id.to_string(),
            priority,
            score: 20 - priority as u32,
            category: "violence".into(),
            lang: "ru".into(),
            reference: url.into(),
            title: "=HYPERLINK(\"http://evil\")".into(),
            matched_terms: "убей*".into(),
            snippet: snippet.into(),
            why: "убей*: imperative kill".into(),
            url: url.into(),
            reasons: "r".into(),
            lexicon_version: "lex-1".into(),
            run_id: "run-1".into(),
            history: String::new(),
            author: String::new(),
            posted: String::new(),
            reply_to: String::new(),
            fired: Vec::new(),
            snippets: Vec::new(),
            evidence: None,
            cluster: None,
        }
    }

    /// What kuzet writes, read back: sheets, header order, safe cells, the snippet's text.
    #[test]
    fn written_workbooks_read_back() {
        let a = row("k000000000000000a", 1, "…до ⟦убейте⟧ их", "https://example.org/a");
        let b = row("k000000000000000b", 2, "no marks here", "javascript:alert(1)");
        let c = row("k000000000000000c", 1, "-kill ⟦them⟧", "");
        let mut old = Entry::new(&c);
        old.tonight = false;
        old.extra = vec!["2026-01-01 00:00".into()];
        let fresh = |r| Entry { extra: vec!["2026-12-05 01:00".into()], ..Entry::new(r) };
        let queues = [Queue { name: "violence", rows: vec![fresh(&a), fresh(&b)] }, Queue { name: "terror/ism", rows: vec![fresh(&c), old] }];
        let bytes = build(&["first_seen"], &queues).unwrap();
        assert_eq!(crate::filekind::sniff(&bytes), crate::filekind::Kind::Xlsx);
        let sheets = read(&bytes).unwrap();
        let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, [PRIORITY1_SHEET, "violence", "terror_ism"]);
        let header: Vec<&str> = sheets[1].rows[0].1.iter().map(String::as_str).collect();
        assert_eq!(header, [&COLUMNS[..], &["first_seen"]].concat());
        assert_eq!(sheets[2].rows[2].1.last().map(String::as_str), Some("2026-01-01 00:00"));
        assert_eq!(sheets[0].rows[0].1.last().map(String::as_str), Some(QUEUE_COLUMN));
        // The priority-1 sheet: tonight's priority-1 rows (not the one of an earlier night), with their queue.
        let p1: Vec<(&str, &str)> = sheets[0].rows[1..].iter().map(|(_, r)| (r[column("item_id").unwrap()].as_str(), r.last().unwrap().as_str())).collect();
        assert_eq!(p1, [("k000000000000000a", "violence"), ("k000000000000000c", "terror/ism")]);
        let first = &sheets[1].rows[1].1;
        assert_eq!(first[column("snippet").unwrap()], "…до ⟦убейте⟧ их");
        assert_eq!(first[column("title").unwrap()], "'=HYPERLINK(\"http://evil\")");
        assert_eq!(first[column("priority").unwrap()], "1");
        assert_eq!(sheets[2].rows[1].1[column("snippet").unwrap()], "'-kill ⟦them⟧");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// Every text cell of the workbook reads back as the CSV writes it (cleaned, trimmed,
        /// defanged: [`crate::cell`]), so no cell starts a formula, the snippet's rich text too.
        #[test]
        fn cells_are_as_safe_as_csv_cells(title in "(\\PC|[\\x00-\\x1f\\x7f\u{202E}\u{200B}\u{FEFF}\u{FFFF};,=+@\"'-])*", snippet in "[=+@ a-z-]{0,8}⟦[=a-z]{1,4}⟧[ a-z=]{0,8}") {
            let mut r = row("k000000000000000a", 1, &snippet, "https://example.org/a");
            r.title = title.clone();
            r.why = title.clone();
            let bytes = build(&[], &[Queue { name: "violence", rows: vec![Entry::new(&r)] }]).unwrap();
            let sheets = read(&bytes).unwrap();
            let cells = &sheets[1].rows[1].1;
            for (col, text) in [("title", &title), ("why", &title), ("snippet", &snippet)] {
                let got = &cells[column(col).unwrap()];
                proptest::prop_assert_eq!(got, &defang(clean(&text.replace('\u{FFFF}', "")).trim()), "{}", col);
                proptest::prop_assert!(!got.trim_start().starts_with(['=', '+', '-', '@', '＝', '＋', '－', '＠']), "{}: {:?}", col, got);
            }
        }
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used = vec![PRIORITY1_SHEET.to_string()];
        let (long, cut) = ("x".repeat(40), "x".repeat(28));
        let cases = [("violence", "violence"), ("a[b]:c*?", "a_b__c__"), ("Violence", "Violence 2"), ("", "queue"), (long.as_str(), cut.as_str())];
        for (queue, want) in cases {
            assert_eq!(sheet_name(queue, &mut used), want);
        }
    }
}
