//! Reviewer decisions, read back from queue files the way spreadsheets save them.
//!
//! Excel and LibreOffice re-save a queue with or without the byte-order mark, with `,` or `;`
//! between cells (a Russian-locale Excel uses `;`), with CRLF line ends, and sometimes in
//! windows-1251; or as a workbook (.xlsx: kuzet's reviewer workbook, or a CSV saved as one),
//! whose every sheet with the `item_id` and `decision` columns is read. What a file is comes
//! from its content ([`crate::filekind`]), not its name; a file that is neither text nor an
//! Excel workbook is refused, naming what it is. This module reads all of those into
//! [`Decision`] rows, by the header: the columns may be in any order.
//!
//! Reading is strict where a mistake would lose decisions silently: a quote that is never
//! closed (or is followed by more text in its cell) swallows every row after it, so it rejects
//! the whole file ([`FileError`]); a row whose cells do not match the header (a missing
//! decision cell, a delimiter typed into an unquoted cell) is a bad row, reported with its line
//! while the rest are kept. Storing the decisions is [`crate::import`]'s job.

use crate::decode;
use crate::filekind::{self, Kind};

/// What a reviewer decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    Confirmed,
    Dismissed,
    Escalated,
}

impl Verdict {
    /// The value written in the `decision` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Confirmed => "confirmed",
            Verdict::Dismissed => "dismissed",
            Verdict::Escalated => "escalated",
        }
    }
}

/// One reviewed row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The line the row starts on (1-based, the header is line 1). In a workbook, rows are
    /// numbered through its sheets one after the other ([`Sheet::place`] names sheet and row).
    pub line: usize,
    pub item_id: String,
    /// `None`: not decided yet.
    pub verdict: Option<Verdict>,
    pub reviewer: String,
    pub notes: String,
}

/// A row that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub line: usize,
    pub message: String,
}

/// A file that cannot be imported at all: nothing in it may be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", if *line == 0 { message.clone() } else { format!("line {line}: {message}") })]
pub struct FileError {
    /// 0: the file as a whole (it is not a queue file at all).
    pub line: usize,
    pub message: String,
}

/// A parsed queue file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub decisions: Vec<Decision>,
    pub bad: Vec<BadRow>,
    /// The encoding the file was read in.
    pub encoding: &'static str,
    pub delimiter: char,
}

/// A saved queue file, decoded and checked, whose rows can be read (more than once).
#[derive(Debug, Clone)]
pub struct Sheet {
    source: Source,
    /// The encoding the file was read in (`xlsx` for a workbook).
    pub encoding: &'static str,
    pub delimiter: char,
    /// What the file is: [`Kind::Text`] (CSV) or [`Kind::Xlsx`].
    pub kind: Kind,
}

#[derive(Debug, Clone)]
enum Source {
    Csv { text: String, columns: Columns },
    /// The sheets with the columns kuzet reads, in workbook order.
    Workbook(Vec<Table>),
}

/// One sheet of a workbook: its rows after the header, each with its row number.
#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Columns,
    /// The row numbers of this sheet are offset by this much in [`Decision::line`].
    base: usize,
    rows: Vec<(usize, Vec<String>)>,
}

/// Where the columns kuzet reads are, and how many cells a row has.
#[derive(Debug, Clone, Copy)]
struct Columns {
    item_id: usize,
    decision: usize,
    reviewer: Option<usize>,
    notes: Option<usize>,
    width: usize,
}

/// Reads a saved queue file: tells what it is, decodes it, finds its delimiter and columns,
/// and checks its quotes. A file that is neither text nor an Excel workbook, one without the
/// `item_id` and `decision` columns, or one with a broken quote, is an error (naming the line
/// where there is one).
pub fn open(bytes: Vec<u8>) -> Result<Sheet, FileError> {
    match filekind::sniff(&bytes) {
        Kind::Text => open_csv(bytes),
        Kind::Xlsx => open_workbook(&bytes),
        other => Err(FileError {
            line: 0,
            message: format!("is {}, not a queue file: save it as an Excel workbook (.xlsx) or as CSV (UTF-8)", other.describe()),
        }),
    }
}

fn open_csv(bytes: Vec<u8>) -> Result<Sheet, FileError> {
    // UTF-8 (the common case) is taken in place: a file of a million rows is not held twice.
    let (text, encoding) = match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{FEFF}') {
                text.drain(..3);
            }
            (text, encoding_rs::UTF_8)
        }
        Err(e) => {
            let decoded = decode::decode(e.as_bytes(), None, Some("ru"), false);
            (decoded.text, decoded.encoding)
        }
    };
    let delimiter = sniff_delimiter(text.lines().next().unwrap_or(""));
    if let Some(e) = broken_quote(&text, delimiter as u8) {
        return Err(e);
    }
    let mut reader = reader(&text, delimiter);
    let headers: Vec<String> = reader.headers().map_err(|e| FileError { line: 1, message: e.to_string() })?.iter().map(str::to_string).collect();
    let columns = columns(&headers).ok_or_else(|| FileError { line: 1, message: format!("the header needs item_id and decision columns, found {}", headers.join(",")) })?;
    Ok(Sheet { encoding: encoding.name(), delimiter, kind: Kind::Text, source: Source::Csv { text, columns } })
}

/// The columns kuzet reads in a header row, if it has `item_id` and `decision`.
fn columns(headers: &[String]) -> Option<Columns> {
    let headers: Vec<String> = headers.iter().map(|h| h.trim().trim_start_matches('\'').to_lowercase()).collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    Some(Columns { item_id: column("item_id")?, decision: column("decision")?, reviewer: column("reviewer"), notes: column("notes"), width: headers.len() })
}

/// Every sheet of the workbook whose first row has the `item_id` and `decision` columns;
/// other sheets (a reviewer's own notes) are left alone.
fn open_workbook(bytes: &[u8]) -> Result<Sheet, FileError> {
    let sheets = crate::workbook::read(bytes).map_err(|message| FileError { line: 0, message: format!("is an Excel workbook that cannot be read: {message}") })?;
    let mut tables = Vec::new();
    let mut base = 0;
    let names: Vec<String> = sheets.iter().map(|s| s.name.clone()).collect();
    for sheet in sheets {
        let height = sheet.rows.last().map_or(0, |(n, _)| *n);
        let mut rows = sheet.rows.into_iter();
        let Some((_, header)) = rows.next() else { continue };
        let Some(columns) = columns(&header) else { continue };
        let rows = rows.filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty())).collect();
        tables.push(Table { name: sheet.name, columns, base, rows });
        base += height;
    }
    if tables.is_empty() {
        return Err(FileError { line: 0, message: format!("is an Excel workbook, but no sheet's first row has item_id and decision columns (sheets: {})", names.join(", ")) });
    }
    Ok(Sheet { encoding: "xlsx", delimiter: ',', kind: Kind::Xlsx, source: Source::Workbook(tables) })
}

fn reader(text: &str, delimiter: char) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().delimiter(delimiter as u8).flexible(true).has_headers(true).from_reader(text.as_bytes())
}

impl Sheet {
    /// The rows after the header, in order: each a decision or a bad row.
    pub fn rows(&self) -> Box<dyn Iterator<Item = Result<Decision, BadRow>> + '_> {
        match &self.source {
            Source::Csv { text, columns } => {
                let columns = *columns;
                let mut lines = Lines { text: text.as_bytes(), at: 0, line: 1 };
                Box::new(reader(text, self.delimiter).into_records().map(move |record| {
                    let record = record.map_err(|e| {
                        let line = e.position().map_or(0, |p| lines.line_at(p.byte() as usize));
                        BadRow { line, message: e.to_string() }
                    })?;
                    let line = record.position().map_or(0, |p| lines.line_at(p.byte() as usize));
                    let cells: Vec<&str> = record.iter().collect();
                    decision(&cells, columns).map(|d| Decision { line, ..d }).map_err(|message| BadRow { line, message })
                }))
            }
            // A workbook's rows are numbered through its sheets, so each message says where.
            Source::Workbook(tables) => Box::new(tables.iter().flat_map(|t| {
                t.rows.iter().map(move |(row, cells)| {
                    let line = t.base + row;
                    let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
                    decision(&cells, t.columns)
                        .map(|d| Decision { line, ..d })
                        .map_err(|message| BadRow { line, message: format!("sheet '{}' row {row}: {message}", t.name) })
                })
            })),
        }
    }

    /// Where [`Decision::line`] `line` is, for messages: `line N`, or in a workbook `sheet 'S' row N`.
    pub fn place(&self, line: usize) -> String {
        match &self.source {
            Source::Csv { .. } => format!("line {line}"),
            Source::Workbook(tables) => match tables.iter().rev().find(|t| t.base < line) {
                Some(t) => format!("sheet '{}' row {}", t.name, line - t.base),
                None => format!("row {line}"),
            },
        }
    }

    /// The names of the sheets read (none for CSV).
    pub fn sheet_names(&self) -> Vec<String> {
        match &self.source {
            Source::Csv { .. } => Vec::new(),
            Source::Workbook(tables) => tables.iter().map(|t| t.name.clone()).collect(),
        }
    }
}

/// Line numbers of byte offsets, counted as a spreadsheet user sees them: `\r\n`, `\n` and a
/// lone `\r` each end a line (the CSV reader's own count is one short on CRLF files).
/// Offsets are asked for in increasing order, so the file is scanned once.
#[derive(Debug, Clone, Copy)]
struct Lines<'a> {
    text: &'a [u8],
    at: usize,
    line: usize,
}

impl Lines<'_> {
    fn line_at(&mut self, byte: usize) -> usize {
        let mut end = byte.min(self.text.len());
        // The reader places a record after CRLF at the LF: the line break is before it.
        if end > 0 && self.text.get(end) == Some(&b'\n') && self.text[end - 1] == b'\r' {
            end += 1;
        }
        if end < self.at {
            // Not in order (never, from the reader): count again from the start.
            self.at = 0;
            self.line = 1;
        }
        self.line += (self.at..end).filter(|&i| ends_line(self.text, i)).count();
        self.at = end;
        self.line
    }
}

/// Reads a saved queue file into memory: every decision and every bad row.
///
/// ```
/// let file = "\u{FEFF}item_id;decision;reviewer\r\nk0123456789abcdef;dismissed;aida\r\n";
/// let parsed = kuzet::review::parse(file.as_bytes()).unwrap();
/// assert_eq!(parsed.delimiter, ';');
/// assert_eq!(parsed.decisions[0].verdict, Some(kuzet::review::Verdict::Dismissed));
/// ```
pub fn parse(bytes: &[u8]) -> Result<Parsed, FileError> {
    let sheet = open(bytes.to_vec())?;
    let mut parsed = Parsed { decisions: Vec::new(), bad: Vec::new(), encoding: sheet.encoding, delimiter: sheet.delimiter };
    for row in sheet.rows() {
        match row {
            Ok(d) => parsed.decisions.push(d),
            Err(b) => parsed.bad.push(b),
        }
    }
    Ok(parsed)
}

/// The decision of one row; its line is the caller's to fill in and to report.
fn decision(record: &[&str], columns: Columns) -> Result<Decision, String> {
    if record.len() != columns.width {
        let lacks = if record.len() <= columns.decision.max(columns.item_id) { ", its decision cell is missing" } else { "" };
        return Err(format!("the row has {} cells and the header {}{lacks} (a delimiter inside an unquoted cell, or cells left out?)", record.len(), columns.width));
    }
    let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).map(|c| undefang(c)).unwrap_or_default();
    let (item_id, verdict) = row(&cell(Some(columns.item_id)), &cell(Some(columns.decision)))?;
    Ok(Decision { line: 0, item_id, verdict, reviewer: cell(columns.reviewer), notes: cell(columns.notes) })
}

fn row(item_id: &str, decision: &str) -> Result<(String, Option<Verdict>), String> {
    let id_ok = item_id.len() == 17 && item_id.starts_with('k') && item_id[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if !id_ok {
        return Err(format!("{item_id:?} is not a kuzet item_id (k + 16 hex digits)"));
    }
    let verdict = match decision.to_lowercase().as_str() {
        "" => None,
        "confirmed" => Some(Verdict::Confirmed),
        "dismissed" => Some(Verdict::Dismissed),
        "escalated" => Some(Verdict::Escalated),
        other => return Err(format!("decision must be confirmed, dismissed, escalated or empty, got {other:?}")),
    };
    Ok((item_id.to_string(), verdict))
}

/// A cell as the reviewer meant it: trimmed, without the `'` kuzet puts before formula-like text.
fn undefang(cell: &str) -> String {
    let t = cell.trim();
    match t.strip_prefix('\'') {
        Some(rest) if rest.trim_start().starts_with(['=', '+', '-', '@', '＝', '＋', '－', '＠']) || rest.starts_with('\t') => rest.to_string(),
        _ => t.to_string(),
    }
}

/// The delimiter of a header line: the most frequent of `,`, `;` and tab outside quotes.
fn sniff_delimiter(header: &str) -> char {
    let mut counts = [(',', 0usize), (';', 0), ('\t', 0)];
    let mut quoted = false;
    for c in header.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted {
            for (d, n) in counts.iter_mut() {
                if c == *d {
                    *n += 1;
                }
            }
        }
    }
    counts.iter().max_by_key(|(_, n)| *n).map_or(',', |&(d, _)| d)
}

/// The first quote that does not close properly, with the line it opened on: one never closed
/// (the CSV reader would take the rest of the file as one cell), or one followed by more text
/// before the next delimiter or line end (a stray quote that closed another's cell). Only a
/// quote at the start of a cell opens one, as in RFC 4180; `""` inside is a quote.
fn broken_quote(text: &str, delimiter: u8) -> Option<FileError> {
    let b = text.as_bytes();
    let (mut i, mut line, mut cell_start) = (0, 1, true);
    while i < b.len() {
        if cell_start && b[i] == b'"' {
            let opened = line;
            i += 1;
            loop {
                match b.get(i) {
                    None => return Some(FileError { line: opened, message: "a quote opened on this line is never closed: the file is not imported".into() }),
                    Some(b'"') if b.get(i + 1) == Some(&b'"') => i += 2,
                    Some(b'"') => break,
                    Some(_) => {
                        line += usize::from(ends_line(b, i));
                        i += 1;
                    }
                }
            }
            i += 1;
            match b.get(i) {
                None | Some(b'\n' | b'\r') => {}
                Some(&d) if d == delimiter => {}
                Some(_) => {
                    return Some(FileError { line: opened, message: "text follows the closing quote of a cell opened on this line (a stray quote?): the file is not imported".into() });
                }
            }
            cell_start = false;
            continue;
        }
        cell_start = matches!(b[i], b'\n' | b'\r') || b[i] == delimiter;
        line += usize::from(ends_line(b, i));
        i += 1;
    }
    None
}

/// Whether the byte at `i` ends a line: `\n`, or a `\r` not followed by `\n`.
fn ends_line(b: &[u8], i: usize) -> bool {
    b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "k0123456789abcdef";
    const ID2: &str = "kfedcba9876543210";

    #[test]
    fn saved_forms() {
        let header = "item_id,priority,score,category,lang,ref,title,matched_terms,snippet,decision,reviewer,notes";
        let utf8 = format!("\u{FEFF}{header}\n{ID},1,20,violence,ru,x,t,m,s,confirmed,aida,ok\n{ID2},2,12,violence,ru,x,t,m,s,,,\n");
        let semicolon = format!("{}\r\n{ID};1;20;violence;ru;x;t;m;\"s;s\";Dismissed;Айда;\"новости, не угроза\"\r\n", header.replace(',', ";"));
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(&semicolon);
        // (file bytes, delimiter, encoding, verdict of the first row, its notes)
        type Case<'a> = (&'a [u8], char, &'a str, Option<Verdict>, &'a str);
        let cases: Vec<Case> = vec![
            (utf8.as_bytes(), ',', "UTF-8", Some(Verdict::Confirmed), "ok"),
            (semicolon.as_bytes(), ';', "UTF-8", Some(Verdict::Dismissed), "новости, не угроза"),
            (&cp1251, ';', "windows-1251", Some(Verdict::Dismissed), "новости, не угроза"),
        ];
        for (bytes, delimiter, encoding, verdict, notes) in cases {
            let p = parse(bytes).unwrap();
            assert_eq!((p.delimiter, p.encoding), (delimiter, encoding));
            assert!(p.bad.is_empty(), "{:?}", p.bad);
            assert_eq!(p.decisions[0].item_id, ID);
            assert_eq!(p.decisions[0].verdict, verdict);
            assert_eq!(p.decisions[0].notes, notes);
        }
        let p = parse(utf8.as_bytes()).unwrap();
        assert_eq!((p.decisions.len(), p.decisions[1].verdict, p.decisions[1].line), (2, None, 3));
    }

    #[test]
    fn bad_rows_are_reported_with_line_numbers_and_the_rest_kept() {
        let file = format!("item_id,decision,reviewer,notes\n{ID},confirmed,a,\"two\nlines\"\nnot-an-id,confirmed,a,\n{ID2},maybe,a,\n{ID2},escalated,a,'=1+1\n");
        let p = parse(file.as_bytes()).unwrap();
        // The line is the row's, given once (the caller prints `FILE:LINE: message`).
        let bad: Vec<(usize, bool)> = p.bad.iter().map(|b| (b.line, b.message.contains("line"))).collect();
        assert_eq!(bad, [(4, false), (5, false)], "{:?}", p.bad);
        assert_eq!(p.decisions.len(), 2);
        assert_eq!(p.decisions[0].notes, "two\nlines");
        assert_eq!((p.decisions[1].line, p.decisions[1].notes.as_str()), (6, "=1+1"));
    }

    /// Issue 15, point 10: a CRLF file's lines were numbered one too low, a CR-only file's all 1.
    #[test]
    fn lines_are_numbered_alike_whatever_ends_them() {
        for nl in ["\n", "\r\n", "\r"] {
            let file = format!("item_id,decision{nl}{ID},confirmed{nl}{ID},\"two{nl}lines\"{nl}{ID2},maybe{nl}bad,confirmed{nl}");
            let p = parse(file.as_bytes()).unwrap();
            let decided: Vec<usize> = p.decisions.iter().map(|d| d.line).collect();
            let bad: Vec<usize> = p.bad.iter().map(|b| b.line).collect();
            assert_eq!((decided, bad), (vec![2], vec![3, 5, 6]), "{nl:?}: {:?}", p.bad);
        }
    }

    #[test]
    fn a_file_without_the_columns_is_an_error() {
        assert!(parse(b"a,b,c\n1,2,3\n").unwrap_err().to_string().contains("item_id and decision"));
    }

    /// A workbook with `sheets` of rows of text cells, written by rust_xlsxwriter.
    fn workbook(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        for (name, rows) in sheets {
            let sheet = book.add_worksheet();
            sheet.set_name(*name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    if !cell.is_empty() {
                        sheet.write_string(r as u32, c as u16, *cell).unwrap();
                    }
                }
            }
        }
        book.save_to_buffer().unwrap()
    }

    /// Issue 15, point 4: a saved workbook is read sheet by sheet, by each sheet's header (any
    /// column order); sheets without the columns are left alone, empty rows skipped, and bad
    /// rows named by sheet and row.
    #[test]
    fn workbooks_are_read_by_their_headers() {
        let bytes = workbook(&[
            ("my notes", &[&["todo"], &["call aida"]]),
            ("priority 1", &[&["priority", "decision", "item_id", "notes", "queue"], &["1", "confirmed", ID, "Қазақша ескерту", "violence"]]),
            ("violence", &[&["notes", "reviewer", "item_id", "decision"], &["", "", ID2, "Escalated"], &["", "", "", ""], &["'=1+1", "b", ID, "maybe"], &["x", "b", ID, ""]]),
        ]);
        let sheet = open(bytes).unwrap();
        assert_eq!((sheet.kind, sheet.encoding), (Kind::Xlsx, "xlsx"));
        assert_eq!(sheet.sheet_names(), ["priority 1", "violence"]);
        let rows: Vec<Result<Decision, BadRow>> = sheet.rows().collect();
        let got: Vec<(String, Result<(&str, Option<Verdict>, &str), &str>)> = rows
            .iter()
            .map(|r| match r {
                Ok(d) => (sheet.place(d.line), Ok((d.item_id.as_str(), d.verdict, d.notes.as_str()))),
                Err(b) => (sheet.place(b.line), Err(b.message.as_str())),
            })
            .collect();
        let want: Vec<(String, Result<(&str, Option<Verdict>, &str), &str>)> = vec![
            ("sheet 'priority 1' row 2".into(), Ok((ID, Some(Verdict::Confirmed), "Қазақша ескерту"))),
            ("sheet 'violence' row 2".into(), Ok((ID2, Some(Verdict::Escalated), ""))),
            ("sheet 'violence' row 4".into(), Err("sheet 'violence' row 4: decision must be confirmed, dismissed, escalated or empty, got \"maybe\"")),
            ("sheet 'violence' row 5".into(), Ok((ID, None, "x"))),
        ];
        assert_eq!(got, want);
        // Lines are unique through the workbook, in order: the later sheet's rows come later.
        let lines: Vec<usize> = rows.iter().map(|r| r.as_ref().map_or_else(|b| b.line, |d| d.line)).collect();
        assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
    }

    #[test]
    fn workbooks_without_the_columns_and_other_files_are_refused_by_what_they_are() {
        let no_columns = workbook(&[("Sheet1", &[&["a", "b"], &["1", "2"]])]);
        let cases: [(Vec<u8>, &str); 3] = [
            (no_columns, "is an Excel workbook, but no sheet's first row has item_id and decision columns (sheets: Sheet1)"),
            (b"%PDF-1.4\n".to_vec(), "is a PDF document, not a queue file"),
            (b"PK\x03\x04\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x05\0\0\0notes".to_vec(), "is a zip archive, not a queue file"),
        ];
        for (bytes, want) in cases {
            let e = open(bytes).unwrap_err();
            assert_eq!(e.line, 0);
            assert!(e.message.starts_with(want), "{e}");
        }
    }

    /// Issue 19, case 6: a broken quote rejects the whole file, naming the line it opened on;
    /// before, the rest of the file was swallowed into one cell and nothing was said.
    #[test]
    fn case06_broken_quotes_reject_the_file() {
        let head = "item_id,decision,reviewer,notes\n";
        // (rows after the header, the line reported)
        let cases = [
            (format!("{ID},confirmed,a,\"never closed\n{ID2},dismissed,b,\n"), 2),
            (format!("{ID},confirmed,a,ok\n{ID2},dismissed,b,\"x\n"), 3),
            (format!("{ID},\"confirmed,a,ok\n{ID2},dismissed,b,\"fine\"\n"), 2),
            (format!("{ID},confirmed,a,\"a\"b\n"), 2),
        ];
        for (rows, line) in cases {
            let e = parse(format!("{head}{rows}").as_bytes()).unwrap_err();
            assert_eq!(e.line, line, "{rows:?}: {e}");
            assert!(e.message.contains("not imported"), "{e}");
        }
        // Quotes that close where they should are fine, across lines and with "" inside.
        let fine = format!("{head}{ID},confirmed,a,\"say \"\"hi\"\"\nthen, go\"\n{ID2},\"dismissed\",b,x \"quoted\" y\n");
        let p = parse(fine.as_bytes()).unwrap();
        assert!(p.bad.is_empty(), "{:?}", p.bad);
        assert_eq!(p.decisions[0].notes, "say \"hi\"\nthen, go");
        assert_eq!((p.decisions[1].line, p.decisions[1].notes.as_str()), (4, "x \"quoted\" y"));
    }

    /// Issue 19, case 6: a row missing its decision cell (or with a cell too many) is a bad
    /// row named by its line; before, it was taken as undecided without a word.
    #[test]
    fn case06_rows_that_do_not_fit_the_header_are_bad_rows() {
        let file = format!("item_id,decision,reviewer,notes\n{ID}\n{ID2},dismissed,b,one;two\n{ID},confirmed,a,x,extra\n{ID2},,,\n");
        let p = parse(file.as_bytes()).unwrap();
        let bad: Vec<(usize, bool)> = p.bad.iter().map(|b| (b.line, b.message.contains("decision cell is missing"))).collect();
        assert_eq!(bad, [(2, true), (4, false)], "{:?}", p.bad);
        let kept: Vec<(usize, Option<Verdict>)> = p.decisions.iter().map(|d| (d.line, d.verdict)).collect();
        assert_eq!(kept, [(3, Some(Verdict::Dismissed)), (5, None)]);
    }
}
