//! Reviewer decisions, read back from queue files the way spreadsheets save them.
//!
//! Excel and LibreOffice re-save a queue with or without the byte-order mark, with `,` or `;`
//! between cells (a Russian-locale Excel uses `;`), with CRLF line ends, and sometimes in
//! windows-1251. This module reads all of those into [`Decision`] rows; each bad row is
//! reported with its line number and the rest are kept. Storing them is the state store's job.

use crate::decode;

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
    /// The line the row starts on (1-based, the header is line 1).
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

/// A parsed queue file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub decisions: Vec<Decision>,
    pub bad: Vec<BadRow>,
    /// The encoding the file was read in.
    pub encoding: &'static str,
    pub delimiter: char,
}

/// Reads a saved queue file. A file without the `item_id` and `decision` columns is an error;
/// a bad row is reported in [`Parsed::bad`] and skipped.
///
/// ```
/// let file = "\u{FEFF}item_id;decision;reviewer\r\nk0123456789abcdef;dismissed;aida\r\n";
/// let parsed = kuzet::review::parse(file.as_bytes()).unwrap();
/// assert_eq!(parsed.delimiter, ';');
/// assert_eq!(parsed.decisions[0].verdict, Some(kuzet::review::Verdict::Dismissed));
/// ```
pub fn parse(bytes: &[u8]) -> Result<Parsed, String> {
    let decoded = decode::decode(bytes, None, Some("ru"), false);
    let text = decoded.text;
    let delimiter = sniff_delimiter(text.lines().next().unwrap_or(""));
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter as u8).flexible(true).has_headers(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().map_err(|e| format!("line 1: {e}"))?.iter().map(|h| h.trim().trim_start_matches('\'').to_lowercase()).collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(id_col), Some(decision_col)) = (column("item_id"), column("decision")) else {
        return Err(format!("line 1: the header needs item_id and decision columns, found {}", headers.join(",")));
    };
    let (reviewer_col, notes_col) = (column("reviewer"), column("notes"));
    let mut parsed = Parsed { decisions: Vec::new(), bad: Vec::new(), encoding: decoded.encoding.name(), delimiter };
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                parsed.bad.push(BadRow { line, message: e.to_string() });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).map(undefang).unwrap_or_default();
        match row(line, &cell(Some(id_col)), &cell(Some(decision_col))) {
            Ok((item_id, verdict)) => parsed.decisions.push(Decision { line, item_id, verdict, reviewer: cell(reviewer_col), notes: cell(notes_col) }),
            Err(message) => parsed.bad.push(BadRow { line, message }),
        }
    }
    Ok(parsed)
}

fn row(line: usize, item_id: &str, decision: &str) -> Result<(String, Option<Verdict>), String> {
    let id_ok = item_id.len() == 17 && item_id.starts_with('k') && item_id[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if !id_ok {
        return Err(format!("line {line}: {item_id:?} is not a kuzet item_id (k + 16 hex digits)"));
    }
    let verdict = match decision.to_lowercase().as_str() {
        "" => None,
        "confirmed" => Some(Verdict::Confirmed),
        "dismissed" => Some(Verdict::Dismissed),
        "escalated" => Some(Verdict::Escalated),
        other => return Err(format!("line {line}: decision must be confirmed, dismissed, escalated or empty, got {other:?}")),
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
        let bad: Vec<(usize, bool)> = p.bad.iter().map(|b| (b.line, b.message.contains(&format!("line {}", b.line)))).collect();
        assert_eq!(bad, [(4, true), (5, true)], "{:?}", p.bad);
        assert_eq!(p.decisions.len(), 2);
        assert_eq!(p.decisions[0].notes, "two\nlines");
        assert_eq!((p.decisions[1].line, p.decisions[1].notes.as_str()), (6, "=1+1"));
    }

    #[test]
    fn a_file_without_the_columns_is_an_error() {
        assert!(parse(b"a,b,c\n1,2,3\n").unwrap_err().contains("item_id and decision"));
    }
}
