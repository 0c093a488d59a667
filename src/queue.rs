//! Review queues: the CSV rows reviewers open in Excel or LibreOffice.
//!
//! One row per flagged item, required columns first in the order of [`COLUMNS`], UTF-8 with a
//! byte-order mark (so Excel shows Cyrillic), every cell cleaned, defanged against formula
//! injection and quoted by [`crate::cell`], files published atomically (temp file, fsync,
//! rename, fsync of the folder). Cells are single-line: line breaks inside text become spaces.
//!
//! The `score` column is a whole number: a decimal point would turn `12.5` into a date in a
//! Russian-locale Excel.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::analyse::{Analysis, Document};
use crate::lexicon::Lexicon;
use crate::matcher::TermRef;
use crate::score::{Reason, ReasonKind};

/// The queue columns, in order. The first twelve are the contract; the rest follow.
pub const COLUMNS: [&str; 17] = [
    "item_id", "priority", "score", "category", "lang", "ref", "title", "matched_terms", "snippet", "decision",
    "reviewer", "notes", "url", "reasons", "lexicon_version", "run_id", "history",
];

/// Characters of context on each side of the strongest hit in a snippet.
const SNIPPET_CONTEXT: usize = 120;

/// One queue row; fields in column order.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueRow {
    pub item_id: String,
    pub priority: u8,
    pub score: u32,
    pub category: String,
    pub lang: String,
    pub reference: String,
    pub title: String,
    pub matched_terms: String,
    pub snippet: String,
    pub url: String,
    pub reasons: String,
    pub lexicon_version: String,
    pub run_id: String,
    /// Earlier decisions on the same page (filled by the nightly job from its store).
    pub history: String,
    /// The keys of the entries ([`crate::lexicon::Entry::key`]) and rules (`rule:name`) that
    /// fired, for per-entry precision; not a column.
    pub fired: Vec<String>,
}

impl QueueRow {
    /// The row for `doc`, if its analysis flagged it.
    pub fn new(doc: &Document, analysis: &Analysis, lexicon: &Lexicon, run_id: &str) -> Option<QueueRow> {
        let a = &analysis.assessment;
        let priority = a.priority?;
        Some(QueueRow {
            item_id: item_id(doc, analysis, lexicon),
            priority,
            score: a.score.round().max(0.0) as u32,
            category: a.category.clone().unwrap_or_default(),
            lang: analysis.lang.to_string(),
            reference: doc.reference.clone(),
            title: doc.title.clone(),
            matched_terms: a.reasons.iter().map(matched_term).collect::<Vec<_>>().join("; "),
            snippet: a.focus.clone().map(|f| snippet(&doc.text, to_word_end(&doc.text, f))).unwrap_or_default(),
            url: doc.url.clone(),
            reasons: a.reasons.iter().map(|r| explain(r, &doc.text, lexicon)).collect::<Vec<_>>().join(" | "),
            lexicon_version: lexicon.version.clone(),
            run_id: run_id.to_string(),
            history: String::new(),
            fired: a.reasons.iter().filter_map(|r| fired_key(r, lexicon)).collect(),
        })
    }

    /// The cells in column order (reviewer columns empty), as the text to show: the writer
    /// ([`crate::cell::Writer`]) cleans, defangs and quotes them.
    pub fn cells(&self) -> [String; 17] {
        [
            &self.item_id,
            &self.priority.to_string(),
            &self.score.to_string(),
            &self.category,
            &self.lang,
            &self.reference,
            &self.title,
            &self.matched_terms,
            &self.snippet,
            "",
            "",
            "",
            &self.url,
            &self.reasons,
            &self.lexicon_version,
            &self.run_id,
            &self.history,
        ]
        .map(str::to_string)
    }
}

/// A stable id for the finding: the item's reference and what was found in it (each entry's
/// key with the normalized text its hits matched, and the rules that fired). The same page with the same hits keeps its
/// id across runs and lexicon versions; new hits make a new finding. Starts with a letter so
/// that no spreadsheet reads it as a number.
pub fn item_id(doc: &Document, analysis: &Analysis, lexicon: &Lexicon) -> String {
    let mut parts: Vec<String> = analysis
        .hits
        .iter()
        .filter_map(|h| match h.term {
            TermRef::Entry(e) => Some(format!("{}={}", lexicon.entries[e].key(), crate::normalize::strict(&doc.text[h.span.clone()]).as_str())),
            _ => None,
        })
        .collect();
    // Rules that fire are part of the finding: a page whose words move so that a rule now
    // fires is a new finding.
    parts.extend(analysis.assessment.reasons.iter().filter(|r| matches!(r.kind, ReasonKind::Proximity(_))).map(|r| format!("rule:{}", r.label)));
    parts.sort();
    parts.dedup();
    let mut hasher = blake3::Hasher::new();
    // A URL is hashed by its canonical key, so tracking parameters do not make a new finding.
    let reference = match url::Url::parse(&doc.reference) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => crate::frontier::canonical_key(&u),
        _ => doc.reference.clone(),
    };
    hasher.update(reference.as_bytes());
    for p in &parts {
        hasher.update(b"\0");
        hasher.update(p.as_bytes());
    }
    format!("k{}", &hasher.finalize().to_hex()[..16])
}

fn fired_key(r: &Reason, lexicon: &Lexicon) -> Option<String> {
    match r.kind {
        ReasonKind::Entry(e) => Some(lexicon.entries[e].key()),
        ReasonKind::Proximity(_) => Some(format!("rule:{}", r.label)),
        ReasonKind::Dampener(_) => None,
    }
}

fn matched_term(r: &Reason) -> String {
    let mut s = match r.kind {
        ReasonKind::Entry(_) => r.label.clone(),
        ReasonKind::Proximity(_) => format!("rule:{}", r.label),
        ReasonKind::Dampener(_) => return format!("damp:{} x{}", r.label, r.points),
    };
    if r.count > 1 {
        s.push_str(&format!(" x{}", r.count));
    }
    if !r.evasion.is_empty() {
        s.push_str(&format!(" [obfuscated: {}]", r.evasion.names().join(", ")));
    } else if r.loose_only {
        s.push_str(if r.translit { " [other script]" } else { " [variant spelling]" });
    }
    s
}

fn explain(r: &Reason, text: &str, lexicon: &Lexicon) -> String {
    let at = r
        .spans
        .iter()
        .take(3)
        .map(|s| format!("{}-{} \"{}\"", s.start, s.end, clean(&text[s.clone()]).chars().take(40).collect::<String>()))
        .collect::<Vec<_>>()
        .join(", ");
    match r.kind {
        ReasonKind::Entry(e) => {
            let entry = &lexicon.entries[e];
            format!("{} ({}, w{}, {:.1} pts, {}, {}) at {at}", r.label, r.category, entry.weight, r.points, entry.lang, entry.source)
        }
        ReasonKind::Proximity(_) => format!("rule:{} ({}, {:.1} pts) at {at}", r.label, r.category, r.points),
        ReasonKind::Dampener(_) => format!("damp:{} x{} on {} hits", r.label, r.points, r.count),
    }
}

/// Extends a hit to the end of its word, so a stem's hit shows the whole word (`убива` → `убивайте`).
fn to_word_end(text: &str, focus: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let rest = &text[focus.end..];
    let len = rest.find(|c: char| !c.is_alphanumeric()).unwrap_or(rest.len());
    focus.start..focus.end + len
}

/// The original text around `focus`, with the hit marked ⟦like this⟧.
pub fn snippet(text: &str, focus: std::ops::Range<usize>) -> String {
    let before: String = {
        let mut v: Vec<char> = text[..focus.start].chars().rev().take(SNIPPET_CONTEXT + 1).collect();
        let cut = v.len() > SNIPPET_CONTEXT;
        v.truncate(SNIPPET_CONTEXT);
        v.reverse();
        format!("{}{}", if cut { "…" } else { "" }, v.into_iter().collect::<String>())
    };
    let after: String = {
        let mut v: Vec<char> = text[focus.end..].chars().take(SNIPPET_CONTEXT + 1).collect();
        let cut = v.len() > SNIPPET_CONTEXT;
        v.truncate(SNIPPET_CONTEXT);
        format!("{}{}", v.into_iter().collect::<String>(), if cut { "…" } else { "" })
    };
    let s = format!("{}⟦{}⟧{}", clean(&before), clean(&text[focus]), clean(&after));
    s.trim().to_string()
}

pub use crate::cell::defang;
use crate::cell::clean;

/// Sorts rows for review: priority, then score (highest first), then item id.
pub fn sort(rows: &mut [QueueRow]) {
    rows.sort_by(review_order);
}

/// The review order of two rows: priority, then score (highest first), then item id.
pub fn review_order(a: &QueueRow, b: &QueueRow) -> std::cmp::Ordering {
    a.priority.cmp(&b.priority).then(b.score.cmp(&a.score)).then(a.item_id.cmp(&b.item_id))
}

/// Writes a queue: BOM, header, rows.
pub fn write<W: Write>(out: W, rows: &[&QueueRow]) -> io::Result<()> {
    write_records(out, COLUMNS.iter().copied(), rows.iter().map(|row| row.cells().to_vec()))
}

/// The columns a live queue of the nightly job adds after [`COLUMNS`]: when the finding first
/// appeared, and whether tonight's run queued it for the first time.
pub const LIVE_COLUMNS: [&str; 2] = ["first_seen", "new_tonight"];

/// A row of a live queue: the finding, and the cells of [`LIVE_COLUMNS`].
#[derive(Debug, Clone, PartialEq)]
pub struct LiveRow {
    pub row: QueueRow,
    /// `YYYY-MM-DD HH:MM` (UTC).
    pub first_seen: String,
    pub new_tonight: bool,
}

/// Writes a live queue: BOM, the header of [`COLUMNS`] then [`LIVE_COLUMNS`], rows.
pub fn write_live<W: Write>(out: W, rows: &[&LiveRow]) -> io::Result<()> {
    let header = COLUMNS.iter().chain(LIVE_COLUMNS.iter()).copied();
    let records = rows.iter().map(|live| {
        let mut cells = live.row.cells().to_vec();
        cells.extend([live.first_seen.clone(), if live.new_tonight { "yes" } else { "no" }.to_string()]);
        cells
    });
    write_records(out, header, records)
}

fn write_records<'a, W: Write>(mut out: W, header: impl Iterator<Item = &'a str>, records: impl Iterator<Item = Vec<String>>) -> io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut w = crate::cell::Writer::new(out);
    w.write_record(header)?;
    for cells in records {
        w.write_record(cells)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes `bytes` to `path` atomically: a temp file in the same folder, fsync, rename, fsync of
/// the folder. A reader sees the old file or the new one, never half of one. The file gets the
/// mode a plain `File::create` would (0666 less the umask: 0644 or 0664), not the temp file's
/// owner-only 0600, so that analysts in the service account's group can open it.
pub fn publish(path: &Path, write_to: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".kuzet-").suffix(".tmp");
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let tmp = builder.tempfile_in(dir)?;
    {
        let mut w = BufWriter::new(tmp.as_file());
        write_to(&mut w)?;
        w.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    File::open(dir)?.sync_all()
}

/// Publishes the queue of `rows` at `path`.
pub fn publish_queue(path: &Path, rows: &[&QueueRow]) -> io::Result<()> {
    publish(path, |w| write(w, rows))
}

/// Publishes the live queue of `rows` at `path`.
pub fn publish_live(path: &Path, rows: &[&LiveRow]) -> io::Result<()> {
    publish(path, |w| write_live(w, rows))
}

/// Publishes `value` as pretty JSON at `path`, atomically.
pub fn publish_json(path: &Path, value: &impl serde::Serialize) -> io::Result<()> {
    publish(path, |w| {
        serde_json::to_writer_pretty(&mut *w, value).map_err(io::Error::other)?;
        w.write_all(b"\n")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_mark_the_hit_and_clean_the_text() {
        let text = "a\u{202E}b  c\n\nkill them\u{200B} now";
        let at = text.find("kill").unwrap();
        assert_eq!(snippet(text, at..at + 4), "ab c ⟦kill⟧ them now");
        let long = format!("{}kill{}", "x ".repeat(200), " y".repeat(200));
        let s = snippet(&long, 400..404);
        assert!(s.starts_with('…') && s.ends_with('…') && s.contains("⟦kill⟧"), "{s}");
    }
}
