//! Review queues: the CSV rows reviewers open in Excel or LibreOffice.
//!
//! One row per flagged item, reviewer-first in the order of [`COLUMNS`] (what to look at and
//! where to decide first, the identifiers and the long explanations after), UTF-8 with a
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

/// The queue columns, in order: what a reviewer reads and fills in first (priority, category,
/// snippet, why, then decision, reviewer, notes), the rest after. Readers go by the header
/// ([`crate::review`]), so files saved in an earlier order still import.
pub const COLUMNS: [&str; 29] = [
    "priority", "category", "snippet", "why", "decision", "reviewer", "notes", "item_id", "score", "lang", "ref", "title", "url",
    "matched_terms", "reasons", "lexicon_version", "run_id", "history", "author", "posted", "reply_to",
    // The page as captured ([`crate::evidence`]); empty when no evidence was kept.
    "evidence_file", "evidence_offset", "evidence_record_id", "evidence_sha256",
    // The near-duplicate cluster the row stands for ([`crate::cluster_queue`]); empty outside
    // the nightly job. Its members are listed in `members.csv`.
    "cluster_id", "cluster_members", "cluster_hosts", "cluster_first_seen",
];

/// The index of `name` in [`COLUMNS`].
pub fn column(name: &str) -> Option<usize> {
    COLUMNS.iter().position(|c| *c == name)
}

/// Characters of context before the strongest hit in a snippet (so it shows near the start of
/// a cell), and after it.
const SNIPPET_BEFORE: usize = 60;
const SNIPPET_AFTER: usize = 140;
/// A cut in the context before the hit moves forward to the next space when one is this close,
/// so the snippet does not open in the middle of a word.
const WORD_SLACK: usize = 15;

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
    /// The entries and rules that fired (and the dampeners), in plain words: the lexicon's
    /// note on each.
    pub why: String,
    pub url: String,
    pub reasons: String,
    pub lexicon_version: String,
    pub run_id: String,
    /// Earlier decisions on the same page (filled by the nightly job from its store).
    pub history: String,
    /// A post's author, time (as the page gives it) and the permalink of the post it replies
    /// to, when a site adapter split the page into posts ([`crate::adapters`]); empty otherwise.
    pub author: String,
    pub posted: String,
    pub reply_to: String,
    /// The keys of the entries ([`crate::lexicon::Entry::key`]) and rules (`rule:name`) that
    /// fired, for per-entry precision; not a column.
    pub fired: Vec<String>,
    /// Per entry and rule that fired (its key as in `fired`), strongest first, the snippet
    /// around its first hit; the nightly job shows a returning page's new hit with it. Not a
    /// column.
    pub snippets: Vec<(String, String)>,
    /// Where the page is kept as WARC evidence (set by the crawl's writer).
    pub evidence: Option<crate::evidence::EvidenceRef>,
    /// The near-duplicate cluster the row stands for (set by the nightly job's export).
    pub cluster: Option<ClusterCells>,
}

/// A queue row's cluster: its id (the first member's item id), how many members it has, on
/// how many distinct hosts, and when it was first seen (`YYYY-MM-DD HH:MM`, UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterCells {
    pub id: String,
    pub members: u64,
    pub hosts: u64,
    pub first_seen: String,
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
            why: a.reasons.iter().map(|r| why(r, lexicon)).collect::<Vec<_>>().join(" • "),
            url: doc.url.clone(),
            reasons: a.reasons.iter().map(|r| explain(r, &doc.text, lexicon)).collect::<Vec<_>>().join(" | "),
            lexicon_version: lexicon.version.clone(),
            run_id: run_id.to_string(),
            history: String::new(),
            author: String::new(),
            posted: String::new(),
            reply_to: String::new(),
            fired: a.reasons.iter().filter_map(|r| fired_key(r, lexicon)).collect(),
            snippets: a
                .reasons
                .iter()
                .filter_map(|r| Some((fired_key(r, lexicon)?, snippet(&doc.text, to_word_end(&doc.text, r.spans.first()?.clone())))))
                .collect(),
            evidence: None,
            cluster: None,
        })
    }

    /// The row for a post of a split page, if its analysis flagged it: `ref` is the post's
    /// permalink, `title` the thread's or channel's, and the post's author, time and the post
    /// it replies to fill their columns.
    pub fn for_item(item: &crate::analyse::ItemAnalysis, lexicon: &Lexicon, run_id: &str) -> Option<QueueRow> {
        let mut row = QueueRow::new(&item.doc, &item.analysis, lexicon, run_id)?;
        row.author = item.item.author.clone();
        row.posted = item.item.time.clone();
        row.reply_to = item.item.reply_to.clone();
        Some(row)
    }

    /// The snippet of the strongest entry or rule not among `seen` (the keys of findings a
    /// reviewer already decided on the same page), if another than the row's own: a page that
    /// returns with new hits shows them, not the one already dismissed.
    pub fn snippet_of_new_hit(&self, seen: &std::collections::HashSet<String>) -> Option<&str> {
        let (_, s) = self.snippets.iter().find(|(k, _)| !seen.contains(k))?;
        (*s != self.snippet).then_some(s.as_str())
    }

    /// The cells in column order (reviewer columns empty), as the text to show: the writer
    /// ([`crate::cell::Writer`]) cleans, defangs and quotes them.
    pub fn cells(&self) -> [String; 29] {
        let [file, offset, id, sha] = crate::evidence::EvidenceRef::cells(self.evidence.as_ref());
        let [cluster, members, hosts, first_seen] = match &self.cluster {
            Some(c) => [c.id.clone(), c.members.to_string(), c.hosts.to_string(), c.first_seen.clone()],
            None => Default::default(),
        };
        let head = [
            &self.priority.to_string(),
            &self.category,
            &self.snippet,
            &self.why,
            "",
            "",
            "",
            &self.item_id,
            &self.score.to_string(),
            &self.lang,
            &self.reference,
            &self.title,
            &self.url,
            &self.matched_terms,
            &self.reasons,
            &self.lexicon_version,
            &self.run_id,
            &self.history,
            &self.author,
            &self.posted,
            &self.reply_to,
        ]
        .map(str::to_string);
        let [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u] = head;
        [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, file, offset, id, sha, cluster, members, hosts, first_seen]
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
        // A post's anchor (`thread#p2`) tells it from the thread's other posts.
        Ok(u) if matches!(u.scheme(), "http" | "https") => match u.fragment() {
            Some(f) => format!("{}#{f}", crate::frontier::canonical_key(&u)),
            None => crate::frontier::canonical_key(&u),
        },
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

/// One reason in plain words: what fired (how often, whether disguised) and the lexicon's note
/// saying why it matters.
fn why(r: &Reason, lexicon: &Lexicon) -> String {
    let times = if r.count > 1 { format!(" ({} times)", r.count) } else { String::new() };
    let disguise = if !r.evasion.is_empty() {
        format!(", disguised ({})", r.evasion.names().join(", "))
    } else if r.loose_only {
        if r.translit { ", in another script".to_string() } else { ", in a variant spelling".to_string() }
    } else {
        String::new()
    };
    let said = |note: &str, otherwise: String| if note.trim().is_empty() { otherwise } else { note.trim().to_string() };
    match r.kind {
        ReasonKind::Entry(e) => {
            let entry = &lexicon.entries[e];
            format!("{}{times}{disguise}: {}", r.label, said(&entry.note, format!("a term of the {} lexicon", r.category)))
        }
        ReasonKind::Proximity(p) => {
            let note = lexicon.proximity.get(p).map_or("", |p| p.note.as_str());
            format!("rule {}{times}{disguise}: {}", r.label.replace('_', " "), said(note, format!("{} words close together", r.category)))
        }
        ReasonKind::Dampener(d) => {
            let note = lexicon.dampeners.get(d).map_or("", |d| d.note.as_str());
            format!("lowered to x{} by {}{times}: {}", r.points, r.label.replace('_', " "), said(note, "context that lowers the score".to_string()))
        }
    }
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

/// The original text around `focus`, with the hit marked ⟦like this⟧: at most
/// [`SNIPPET_BEFORE`] characters before it (so the hit shows near the start of a cell, not off
/// screen), more after it, cut at a word where one is close and `…` where text was cut.
pub fn snippet(text: &str, focus: std::ops::Range<usize>) -> String {
    let before: String = {
        let mut v: Vec<char> = text[..focus.start].chars().rev().take(SNIPPET_BEFORE + 1).collect();
        let cut = v.len() > SNIPPET_BEFORE;
        v.truncate(SNIPPET_BEFORE);
        v.reverse();
        if cut {
            // Start at a word: drop the partial word up to the first space, if one is near.
            if let Some(space) = v.iter().take(WORD_SLACK).position(|c| c.is_whitespace()) {
                v.drain(..=space);
            }
        }
        format!("{}{}", if cut { "…" } else { "" }, v.into_iter().collect::<String>())
    };
    let after: String = {
        let mut v: Vec<char> = text[focus.end..].chars().take(SNIPPET_AFTER + 1).collect();
        let cut = v.len() > SNIPPET_AFTER;
        v.truncate(SNIPPET_AFTER);
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

impl LiveRow {
    /// The cells of [`LIVE_COLUMNS`].
    pub fn live_cells(&self) -> [String; 2] {
        [self.first_seen.clone(), if self.new_tonight { "yes" } else { "no" }.to_string()]
    }
}

/// Writes a live queue: BOM, the header of [`COLUMNS`] then [`LIVE_COLUMNS`], rows.
pub fn write_live<W: Write>(out: W, rows: &[&LiveRow]) -> io::Result<()> {
    let header = COLUMNS.iter().chain(LIVE_COLUMNS.iter()).copied();
    let records = rows.iter().map(|live| {
        let mut cells = live.row.cells().to_vec();
        cells.extend(live.live_cells());
        cells
    });
    write_records(out, header, records)
}

/// Publishes a table that is not a queue (`members.csv`) at `path`, written as the queues are:
/// BOM, header, every cell cleaned, defanged and quoted.
pub fn publish_table(path: &Path, header: &[&str], records: &[Vec<String>]) -> io::Result<()> {
    publish(path, |w| write_records(w, header.iter().copied(), records.iter().cloned()))
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

/// A category or queue name as a file name: letters, digits, `-` and `_` kept, the rest `_`.
pub fn file_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_of_one_page_have_ids_of_their_own() {
        let engine = crate::analyse::Engine::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lexicons")).expect("fixture lexicon");
        let id = |reference: &str| {
            let doc = Document { reference: reference.into(), url: "http://f.kz/t".into(), title: String::new(), text: "I will kill you tomorrow.".into() };
            item_id(&doc, &crate::analyse::analyse(&doc, &engine), &engine.lexicon)
        };
        // Same text, other posts: other findings. Tracking parameters still do not count.
        assert_ne!(id("http://f.kz/t#p1"), id("http://f.kz/t#p2"));
        assert_ne!(id("http://f.kz/t#p1"), id("http://f.kz/t"));
        assert_eq!(id("http://f.kz/t?utm_source=x#p1"), id("http://f.kz/t#p1"));
        assert_eq!(id("http://f.kz/t?utm_source=x"), id("http://f.kz/t"));
    }

    #[test]
    fn snippets_mark_the_hit_and_clean_the_text() {
        let text = "a\u{202E}b  c\n\nkill them\u{200B} now";
        let at = text.find("kill").unwrap();
        assert_eq!(snippet(text, at..at + 4), "ab c ⟦kill⟧ them now");
        let long = format!("{}kill{}", "x ".repeat(200), " y".repeat(200));
        let s = snippet(&long, 400..404);
        assert!(s.starts_with('…') && s.ends_with('…') && s.contains("⟦kill⟧"), "{s}");
    }

    /// Issue 15, point 4: the hit sits near the start of the snippet (at most 60 characters
    /// before it, from a word's start), not ~120 characters in, off screen.
    #[test]
    fn snippets_open_near_the_hit() {
        let words = "the council met again on tuesday to discuss the budget and the roads ".repeat(5);
        // (text before the hit, the snippet's start before the hit)
        let cases = [
            ("", ""),
            ("short text then ", "short text then "),
            (words.as_str(), "…met again on tuesday to discuss the budget and the roads "),
            (&"x".repeat(300), &format!("…{}", "x".repeat(60))),
        ];
        for (before, want) in cases {
            let text = format!("{before}kill them all. {words}");
            let s = snippet(&text, before.len()..before.len() + 4);
            let (start, _) = s.split_once('⟦').unwrap();
            assert_eq!(start, want.trim_start(), "{s}");
            assert!(start.chars().count() <= SNIPPET_BEFORE + 1, "{s}");
            assert!(s.ends_with('…') && s.chars().count() <= SNIPPET_BEFORE + SNIPPET_AFTER + 8, "{s}");
        }
    }
}
