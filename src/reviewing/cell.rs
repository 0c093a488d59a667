//! Spreadsheet-safe CSV: every cell kuzet writes is cleaned, defanged and quoted here.
//!
//! A cell is made safe whether the file is opened with `,` or `;` as the separator (a
//! Russian-locale Excel splits on `;`) and even by a reader that ignores quotes:
//! * control, bidi, zero-width, NUL and byte-order-mark characters are removed and whitespace
//!   runs (line breaks, tabs) become one space ([`clean`]);
//! * a cell whose first character is a formula lead (`=`, `+`, `-`, `@`, full-width too) gets
//!   a leading `'`, and so does such a lead right after a `,` or `;` inside it ([`defang`]);
//! * a cell holding `,`, `;` or `"` is quoted (RFC 4180), so neither separator splits it.
//!
//! It does not decide what goes in a cell; the queue and the crawl log do.

use std::io::{self, Write};

/// The characters that start a formula in Excel or LibreOffice.
const FORMULA_LEADS: [char; 8] = ['=', '+', '-', '@', '＝', '＋', '－', '＠'];

/// Text for a cell: control, bidi and zero-width characters removed, whitespace runs folded
/// into one space.
///
/// ```
/// assert_eq!(kuzet::cell::clean("a\u{1b}[31m\u{202E}b\0\u{FEFF}  c\r\nd"), "a[31mb c d");
/// ```
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if crate::normalize::is_default_ignorable(c) || (c.is_control() && !c.is_whitespace()) {
            continue;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    if space {
        out.push(' ');
    }
    out
}

/// Makes cleaned text safe to open in a spreadsheet, as OWASP recommends: a `'` before a
/// formula lead at the start (after any spaces) and right after each `,` or `;` (after any
/// spaces), since a reader splitting on either would start a cell there.
///
/// ```
/// use kuzet::cell::defang;
/// assert_eq!(defang("=HYPERLINK(\"http://x\",\"y\")"), "'=HYPERLINK(\"http://x\",\"y\")");
/// assert_eq!(defang("  -2+3"), "'  -2+3");
/// assert_eq!(defang("x;=1+1;y"), "x;'=1+1;y");
/// assert_eq!(defang("plain, fine"), "plain, fine");
/// ```
pub fn defang(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len() + 2);
    let mut cell_start = true;
    let mut pending = String::new();
    for c in cell.chars() {
        if cell_start && c.is_whitespace() {
            pending.push(c);
            continue;
        }
        let lead = cell_start && FORMULA_LEADS.contains(&c);
        let first = out.is_empty();
        // At the very start the `'` goes first (Excel hides it there); after a separator,
        // right before the lead.
        if lead && first {
            out.push('\'');
        }
        out.push_str(&pending);
        pending.clear();
        if lead && !first {
            out.push('\'');
        }
        out.push(c);
        cell_start = c == ',' || c == ';';
    }
    out.push_str(&pending);
    out
}

/// A cell as written: cleaned, trimmed, defanged, quoted when it holds a separator or a quote.
pub fn safe(cell: &str) -> String {
    let text = defang(clean(cell).trim());
    if text.contains([',', ';', '"']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

/// A CSV writer whose every cell goes through [`safe`]; rows end in CRLF.
#[derive(Debug)]
pub struct Writer<W: Write> {
    out: W,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W) -> Writer<W> {
        Writer { out }
    }

    /// Writes one row.
    pub fn write_record<I, S>(&mut self, cells: I) -> io::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut line = String::new();
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            line.push_str(&safe(cell.as_ref()));
        }
        if line.is_empty() {
            // A row of one empty cell, quoted so that it is not read as a blank line.
            line.push_str("\"\"");
        }
        line.push_str("\r\n");
        self.out.write_all(line.as_bytes())
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    pub fn get_ref(&self) -> &W {
        &self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn safe_cells() {
        let cases = [
            ("=1+1", "'=1+1"),
            ("+cmd", "'+cmd"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tlead", "lead"),
            ("\t=lead", "'=lead"),
            ("\r=lead", "'=lead"),
            (" \u{A0}=x", "'=x"),
            ("＝1", "'＝1"),
            ("ok = fine", "ok = fine"),
            ("", ""),
            // Issue 19, case 8: a `;`-split cell started a live formula.
            ("x;=1+1;y", "\"x;'=1+1;y\""),
            ("a, -b", "\"a, '-b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            // Issue 19, case 9: control, bidi, zero-width, BOM and NUL characters.
            ("\u{1b}[2Jtitle\u{7f}", "[2Jtitle"),
            ("\u{202E}evil\u{2066}\u{200B}\u{FEFF}\0x", "evilx"),
        ];
        for (cell, want) in cases {
            assert_eq!(safe(cell), want, "{cell:?}");
        }
    }

    /// The cells of `line` read with `delimiter`, quotes honoured.
    fn read(line: &str, delimiter: u8) -> Vec<String> {
        let mut r = csv::ReaderBuilder::new().has_headers(false).delimiter(delimiter).from_reader(line.as_bytes());
        r.records().next().unwrap().unwrap().iter().map(str::to_string).collect()
    }

    fn starts_formula(field: &str) -> bool {
        field.trim_start().starts_with(FORMULA_LEADS)
    }

    proptest! {
        /// Issue 19, cases 8 and 9: any cell text, written in a row and read back with `,` or
        /// `;` as the separator (or split on either ignoring quotes), never starts a formula
        /// in any field, and reads back as its cleaned text.
        #[test]
        fn case08_written_cells_are_safe_under_either_separator(cells in proptest::collection::vec("(\\PC|[\\x00-\\x1f\\x7f\u{202E}\u{200B}\u{FEFF};,=+@\"'-])*", 1..4)) {
            let mut w = Writer::new(Vec::new());
            w.write_record(&cells).unwrap();
            let line = String::from_utf8(w.out).unwrap();
            let fields = read(&line, b',');
            prop_assert_eq!(fields.len(), cells.len());
            for (field, cell) in fields.iter().zip(&cells) {
                let cleaned = clean(cell).trim().to_string();
                prop_assert_eq!(field, &defang(&cleaned));
                prop_assert_eq!(field.replace('\'', ""), cleaned.replace('\'', ""), "only apostrophes are added");
                prop_assert!(!field.chars().any(|c| c.is_control() || crate::normalize::is_default_ignorable(c)), "{field:?}");
            }
            for delimiter in [b',', b';'] {
                for field in read(&line, delimiter) {
                    prop_assert!(!starts_formula(&field), "{field:?} in {line:?}");
                }
            }
            for naive in line.trim_end().split([',', ';']) {
                let naive = naive.strip_prefix('"').unwrap_or(naive);
                prop_assert!(!starts_formula(naive), "{naive:?} in {line:?}");
            }
        }
    }
}
