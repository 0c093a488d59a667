//! Matching: every lexicon entry and rule-group cue, found in both normalized views.
//!
//! Terms are normalized exactly as text is, then compiled into one trie ([`crate::trie`]) per
//! view, walked from each word start. Word boundaries are verified after each match: a whole-word term never matches inside
//! a word (`kill` not in `skill`), a stem needs a word boundary on its left only (`убива*` not
//! in `избивать`), and the words of a phrase meet across the single space that spaces, hyphens
//! and line breaks fold to (sentence punctuation and blank lines are not folded, so phrases
//! never cross them).
//!
//! A hit found in the strict view is taken as it is. A hit found only in the loose view is kept
//! when it shows evasion (zero-width characters, look-alike letters, compatibility forms, leet,
//! letters spelled out, letters repeated), when the term is Kazakh (whose Latin and
//! Russian-keyboard spellings only meet in the loose view), or when it is a transliteration
//! across scripts of a term of five letters or more. Other loose-only matches are folding
//! accidents (`бить` → `bit`) and are dropped, and so is a term of a Latin-script language in a
//! word of Cyrillic letters one of which looks like no Latin letter (`шотинг` sounds like
//! `shooting`; `ѕһоt` disguises `shot`). Screening knows which words these are and looks no
//! further for such terms there.

use std::collections::HashMap;
use std::ops::Range;

use super::trie::{self, Trie};
use unicode_normalization::{IsNormalized, is_nfkc_quick};

use crate::clitics::{self, Start, Takes};
use crate::lexicon::{Lexicon, Term};
use crate::normalize::layout;
use crate::normalize::wildcard::{self, Part};
use crate::screen::{Screen, Screened};
use crate::normalize::{self, Normalized, is_alnum, is_cyrillic, is_default_ignorable, is_latin, is_letter, is_mark};

/// What a matched term is (defined with the lexicon, which screening reads too).
pub use crate::lexicon::TermRef;

/// The kinds of evasion seen in the original text of a hit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Evasion(u16);

impl Evasion {
    pub const ZERO_WIDTH: Evasion = Evasion(1);
    pub const HOMOGLYPH: Evasion = Evasion(2);
    pub const COMPAT: Evasion = Evasion(4);
    pub const LEET: Evasion = Evasion(8);
    pub const SEPARATED: Evasion = Evasion(16);
    pub const REPEATED: Evasion = Evasion(32);
    /// Letters hidden behind `*` or `_` inside a word (`k*ll`).
    pub const MASKED: Evasion = Evasion(64);
    /// An Arabic term written in the Arabic chat alphabet (`7ar2` for حرق).
    pub const ARABIZI: Evasion = Evasion(128);
    /// Typed with the wrong keyboard layout on (`e,bnm` for убить, `лшдд` for kill).
    pub const LAYOUT: Evasion = Evasion(256);

    const NAMES: [(Evasion, &'static str); 9] = [
        (Evasion::ZERO_WIDTH, "zero-width"),
        (Evasion::HOMOGLYPH, "look-alike letters"),
        (Evasion::COMPAT, "lookalike unicode"),
        (Evasion::LEET, "leet"),
        (Evasion::SEPARATED, "spelled out"),
        (Evasion::REPEATED, "repeated letters"),
        (Evasion::MASKED, "masked"),
        (Evasion::ARABIZI, "arabizi"),
        (Evasion::LAYOUT, "wrong layout"),
    ];

    /// Whether no evasion was seen.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether all kinds in `other` are in `self`.
    pub fn contains(self, other: Evasion) -> bool {
        self.0 & other.0 == other.0
    }

    /// Human-readable names of the kinds seen.
    pub fn names(self) -> Vec<&'static str> {
        Evasion::NAMES.iter().filter(|(e, _)| self.contains(*e)).map(|&(_, n)| n).collect()
    }
}

impl std::ops::BitOrAssign for Evasion {
    fn bitor_assign(&mut self, rhs: Evasion) {
        self.0 |= rhs.0;
    }
}

/// One occurrence of a term in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub term: TermRef,
    /// Byte range in the original text.
    pub span: Range<usize>,
    /// Found only in the loose view.
    pub loose_only: bool,
    pub evasion: Evasion,
    /// The original is written in another script than the term (Kazakh Latin, translit).
    pub translit: bool,
    /// Index of the hit's first word in the text, for proximity rules. On a text long enough to
    /// be matched in pieces ([`Matcher::find`]), indices go on from piece to piece without
    /// counting every word: only their order and their differences within a paragraph are
    /// kept, and those are all that rules and dampeners read.
    pub word: u32,
    /// Index of the hit's paragraph (blank-line separated), which rules do not cross; counted
    /// on from piece to piece like `word`.
    pub paragraph: u32,
    /// The hit lies inside quotation marks (see [`quotes`]).
    pub quoted: bool,
}

/// Texts longer than twice this many bytes are matched in pieces of at least this size
/// ([`Matcher::find_in_pieces`]): 64 KiB and 256 KiB measured alike here, and the smaller
/// fits smaller caches.
const PIECE: usize = 64 << 10;

/// `text` cut into pieces of at least `piece` bytes, each ending just after a blank line (a
/// line break, spaces, tabs or carriage returns, and another line break), the last one at the
/// end of the text and not before a combining mark: where the views break the paragraph
/// whatever comes before and after, and where no quotation goes on ([`quotes`]).
pub(crate) fn pieces(text: &str, piece: usize) -> impl Iterator<Item = Range<usize>> + '_ {
    let b = text.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= b.len() {
            return None;
        }
        let mut at = start + piece.max(1);
        let mut end = b.len();
        while let Some(k) = b.get(at..).and_then(|rest| memchr::memchr(b'\n', rest)) {
            let mut j = at + k + 1;
            while j < b.len() && matches!(b[j], b' ' | b'\t' | b'\r') {
                j += 1;
            }
            // Not before a combining mark: the strict view reads the line break and the marks
            // after it as one cluster.
            if b.get(j) == Some(&b'\n') && text[j + 1..].chars().next().is_none_or(|c| !normalize::is_mark(c)) {
                end = j + 1;
                break;
            }
            at = j;
        }
        let range = start..end;
        start = end;
        Some(range)
    })
}

/// Longest quotation taken as one (bytes); an opening mark with no close within it is not a
/// quotation.
const MAX_QUOTE: usize = 600;

/// Byte ranges of `text` inside quotation marks: `"…"`, `“…”`, `„…“`, `«…»`, `‹…›`, and single
/// quotes `'…'`, `‘…’` ([`SingleQuotes`]), within one paragraph and at most [`MAX_QUOTE`]
/// bytes; a quotation inside another is part of it.
///
/// ```
/// let text = "He wrote: «kill them» and \"more\". She said 'I will kill you' (don't). Then “x";
/// let q: Vec<&str> = kuzet::matcher::quotes(text).into_iter().map(|r| &text[r]).collect();
/// assert_eq!(q, ["kill them", "more", "I will kill you"]);
/// ```
pub fn quotes(text: &str) -> Vec<Range<usize>> {
    let (double, single) = (scan_quotes(text, &DoubleQuotes), scan_quotes(text, &SingleQuotes));
    if single.is_empty() {
        return double;
    }
    let mut all: Vec<Range<usize>> = double.into_iter().chain(single).collect();
    all.sort_unstable_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(all.len());
    for r in all {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Words written with an apostrophe in front that opens no quotation: `'em`, `'cause`, `'til`.
const ELISIONS: [&str; 20] =
    ["em", "tis", "twas", "cause", "cos", "coz", "til", "till", "bout", "round", "n", "s", "im", "er", "ere", "ave", "fore", "nuff", "sup", "ya"];

/// The quotation marks of one kind, for [`scan_quotes`]: where they may stand, which they are,
/// and which open and close a quotation.
trait QuoteMarks {
    /// Where the next byte that may begin a mark is in `hay`.
    fn find(&self, hay: &[u8]) -> Option<usize>;
    /// The mark at `b[at]` and its length in bytes, if one stands there.
    fn mark(&self, b: &[u8], at: usize) -> Option<(char, usize)>;
    /// Whether `mark`, at `text[at..end]`, opens a quotation.
    fn opens(&self, text: &str, mark: char, at: usize, end: usize) -> bool;
    /// Whether `mark`, at `text[at..end]`, closes the quotation `opener` opened.
    fn closes(&self, text: &str, opener: char, mark: char, at: usize, end: usize) -> bool;
}

/// Byte ranges of `text` inside the quotation marks of one kind, within one paragraph and at
/// most [`MAX_QUOTE`] bytes. Inside an open quotation, a mark that does not close it is part
/// of it; one that is too long or crosses a blank line is none, and the mark that finds so may
/// open the next. Blank lines only matter inside a quotation, read on as marks come ([`Blank`]).
fn scan_quotes(text: &str, marks: &impl QuoteMarks) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut open: Option<(usize, char, Blank)> = None;
    let mut i = 0;
    while let Some(k) = marks.find(&b[i..]) {
        let at = i + k;
        let Some((mark, len)) = marks.mark(b, at) else {
            i = at + 1;
            continue;
        };
        i = at + len;
        if let Some((start, opener, blank)) = &mut open {
            if at - *start > MAX_QUOTE || blank.reaches(b, at) {
                open = None;
            } else {
                if marks.closes(text, *opener, mark, at, i) {
                    out.push(*start..at);
                    open = None;
                }
                continue;
            }
        }
        if marks.opens(text, mark, at, i) {
            open = Some((i, mark, Blank::from(i)));
        }
    }
    out
}

/// Single quotes: an apostrophe (or `‘`) with no letter or digit before it and a letter after
/// it opens (not an elision, [`ELISIONS`], nor a year, `'90s`); an apostrophe (or `’`) after
/// something other than a space, with no letter or digit after it, closes. An apostrophe
/// inside a word (`don't`) does neither.
struct SingleQuotes;

impl QuoteMarks for SingleQuotes {
    fn find(&self, hay: &[u8]) -> Option<usize> {
        memchr::memchr2(b'\'', 0xE2, hay)
    }

    fn mark(&self, b: &[u8], at: usize) -> Option<(char, usize)> {
        match (b[at], b.get(at + 1), b.get(at + 2)) {
            (b'\'', _, _) => Some(('\'', 1)),
            (0xE2, Some(0x80), Some(0x98)) => Some(('‘', 3)),
            (0xE2, Some(0x80), Some(0x99)) => Some(('’', 3)),
            _ => None,
        }
    }

    fn opens(&self, text: &str, mark: char, at: usize, end: usize) -> bool {
        let after = text[end..].chars().next();
        if !matches!(mark, '\'' | '‘') || text[..at].chars().next_back().is_some_and(char::is_alphanumeric) || !after.is_some_and(char::is_alphabetic) {
            return false;
        }
        let word: String = text[end..].chars().take(6).take_while(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
        !ELISIONS.contains(&word.as_str())
    }

    fn closes(&self, text: &str, _: char, mark: char, at: usize, end: usize) -> bool {
        matches!(mark, '\'' | '’') && text[..at].chars().next_back().is_some_and(|c| !c.is_whitespace()) && !text[end..].chars().next().is_some_and(char::is_alphanumeric)
    }
}

/// Double marks: `"…"`, `“…”`, `„…“`, `«…»`, `‹…›`, each closed by its own pair.
struct DoubleQuotes;

impl QuoteMarks for DoubleQuotes {
    /// Quotation marks are `"` or start with 0xC2 (« ») or 0xE2 (“ ” „ ‹ ›).
    fn find(&self, hay: &[u8]) -> Option<usize> {
        memchr::memchr3(b'"', 0xC2, 0xE2, hay)
    }

    fn mark(&self, b: &[u8], at: usize) -> Option<(char, usize)> {
        match b[at] {
            b'"' => Some(('"', 1)),
            0xC2 => match b.get(at + 1) {
                Some(0xAB) => Some(('«', 2)),
                Some(0xBB) => Some(('»', 2)),
                _ => None,
            },
            _ => match (b.get(at + 1), b.get(at + 2)) {
                (Some(0x80), Some(0x9C)) => Some(('“', 3)),
                (Some(0x80), Some(0x9D)) => Some(('”', 3)),
                (Some(0x80), Some(0x9E)) => Some(('„', 3)),
                (Some(0x80), Some(0xB9)) => Some(('‹', 3)),
                (Some(0x80), Some(0xBA)) => Some(('›', 3)),
                _ => None,
            },
        }
    }

    fn opens(&self, _: &str, mark: char, _: usize, _: usize) -> bool {
        matches!(mark, '"' | '“' | '„' | '«' | '‹')
    }

    fn closes(&self, _: &str, opener: char, mark: char, _: usize, _: usize) -> bool {
        match opener {
            '"' => mark == '"',
            '“' => mark == '”' || mark == '"',
            '„' => mark == '“' || mark == '”',
            '«' => mark == '»',
            '‹' => mark == '›',
            _ => false,
        }
    }
}

/// Whether an open quotation has crossed a blank line (a line break, only spaces or tabs, another
/// line break), read on as marks come: each byte once however many marks stand inside it (a
/// page of apostrophes re-read the quotation for each).
#[derive(Debug, Clone, Copy)]
struct Blank {
    /// Read up to here.
    at: usize,
    /// The last line break had only spaces after it.
    newline: bool,
    found: bool,
}

impl Blank {
    fn from(at: usize) -> Blank {
        Blank { at, newline: false, found: false }
    }

    /// Reads on to `to`; whether a blank line lies between the start and `to`.
    fn reaches(&mut self, b: &[u8], to: usize) -> bool {
        while !self.found && self.at < to {
            match b[self.at] {
                b'\n' if self.newline => self.found = true,
                b'\n' => self.newline = true,
                b' ' | b'\t' | b'\r' => {}
                _ => self.newline = false,
            }
            self.at += 1;
        }
        self.found
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum Script {
    Latin,
    Cyrillic,
    Other,
}

/// What the matcher needs to know of each term.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct TermInfo {
    target: TermRef,
    stem: bool,
    kazakh: bool,
    /// Written in Latin letters, of a language written so (English): found in Cyrillic only
    /// through look-alike letters, never in a word that only sounds like it ([`accept_loose`]).
    sounds_apart: bool,
    script: Script,
    words: usize,
    loose_letters: usize,
    has_digit: bool,
    /// The Arabic proclitics it may be written with ([`clitics`]).
    clitics: Takes,
    /// Written in Arabic letters.
    arabic: bool,
}

/// The compiled lexicon: one automaton per view.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Matcher {
    strict: View,
    loose: View,
    terms: Vec<TermInfo>,
    /// A dampener needs to know which hits are quoted.
    needs_quotes: bool,
    pub(crate) screen: Screen,
    /// The most words in a pattern. (The words of the patterns, for words read another way
    /// ([`Matcher::scan_readings`]), are the screen's.)
    max_words: usize,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct View {
    /// Walked from each word start (anchored), so a search ends as soon as no term can
    /// continue. A plain trie ([`trie`]): since screening leaves the matcher a small part of
    /// each text, a DFA's faster steps no longer paid for its build time and memory (`kuzet
    /// classify` with 2,000 entries started in 0.13 s with 59 MiB, then 0.05 s with 33 MiB
    /// with a contiguous NFA), and anchored walks never take an NFA's failure links.
    automaton: Trie,
    /// Per pattern, the indices into `Matcher::terms` that normalize to it.
    targets: Vec<Vec<u32>>,
    /// Which first bytes can begin a pattern: a word start whose first bytes cannot is skipped
    /// without touching the automaton (whose tables do not fit the CPU's nearer caches).
    prefilter: Prefilter,
    /// Some term takes Arabic proclitics: words are also walked from past theirs.
    clitics: bool,
}

/// Bit tables of the first 1–4 bytes of every pattern (8 KiB each, hashed): a word start is a
/// candidate only if its first `n` bytes are in table `n` for some pattern length class.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Prefilter {
    /// `tables[n - 1]` for patterns of `n` bytes or more (n = 4) or exactly `n` bytes (n < 4).
    tables: [Vec<u64>; 4],
    used: [bool; 4],
}

impl Prefilter {
    const BITS: usize = 1 << 16;

    fn new(patterns: &[String]) -> Prefilter {
        let mut p = Prefilter { tables: std::array::from_fn(|_| vec![0u64; Self::BITS / 64]), used: [false; 4] };
        for pat in patterns {
            let b = pat.as_bytes();
            let n = b.len().min(4);
            if n == 0 {
                continue;
            }
            let h = Self::hash(&b[..n]);
            p.tables[n - 1][h / 64] |= 1 << (h % 64);
            p.used[n - 1] = true;
        }
        p
    }

    #[inline]
    fn hash(bytes: &[u8]) -> usize {
        let mut x = 0u32;
        for &b in bytes {
            x = (x << 8) | u32::from(b);
        }
        (x.wrapping_mul(0x9E37_79B1) >> 16) as usize ^ bytes.len()
    }

    /// Whether a pattern may begin at the start of `bytes`.
    #[inline]
    fn may_start(&self, bytes: &[u8]) -> bool {
        for n in (1..=4).rev() {
            if !self.used[n - 1] || bytes.len() < n {
                continue;
            }
            let h = Self::hash(&bytes[..n]) & (Self::BITS - 1);
            if self.tables[n - 1][h / 64] & (1 << (h % 64)) != 0 {
                return true;
            }
        }
        false
    }
}

impl View {
    fn build(mut keys: Vec<(String, u32)>, clitics: bool) -> View {
        // Sorted, each pattern once with the terms that normalize to it (in order): the trie
        // takes them so.
        keys.sort_unstable();
        let mut patterns: Vec<String> = Vec::new();
        let mut targets: Vec<Vec<u32>> = Vec::new();
        for (key, term) in keys {
            match (patterns.last(), targets.last_mut()) {
                (Some(last), Some(terms)) if *last == key => terms.push(term),
                _ => {
                    patterns.push(key);
                    targets.push(vec![term]);
                }
            }
        }
        let automaton = Trie::new(&patterns);
        let prefilter = Prefilter::new(&patterns);
        View { automaton, targets, prefilter, clitics }
    }
}

impl Matcher {
    /// Compiles every entry and cue of `lexicon`.
    pub fn new(lexicon: &Lexicon) -> Matcher {
        use rayon::prelude::*;
        let all: Vec<(TermRef, &Term, &str)> = (lexicon.entries.iter().enumerate().map(|(i, e)| (TermRef::Entry(i), &e.term, e.lang.as_str())))
            .chain(lexicon.groups.iter().enumerate().flat_map(|(g, group)| group.terms.iter().enumerate().map(move |(t, cue)| (TermRef::Cue { group: g, term: t }, &cue.term, cue.lang.as_str()))))
            .collect();
        // Normalizing some 25,000 terms twice is most of the start-up: on every core.
        let normalized: Vec<(String, String, TermInfo)> = all
            .par_iter()
            .map(|&(target, term, lang)| {
                let (s, l) = normalize::both(&term.words);
                let (s, l) = (s.as_str().trim().to_string(), l.as_str().trim().to_string());
                let script = script_of(&term.words);
                let info = TermInfo {
                    target,
                    stem: term.stem,
                    kazakh: lang == "kk",
                    sounds_apart: script == Script::Latin
                        && !matches!(lang, "ru" | "kk" | "uk" | "be" | "bg" | "sr" | "mk" | "ky" | "tg" | "mn" | "ar" | "fa" | "ur"),
                    script,
                    words: term.words.split_whitespace().count(),
                    loose_letters: l.chars().filter(|c| c.is_alphabetic()).count(),
                    has_digit: term.words.chars().any(|c| c.is_numeric()),
                    clitics: clitics::takes(&term.words),
                    arabic: term.words.chars().any(|c| ('\u{621}'..='\u{64A}').contains(&c)),
                };
                (s, l, info)
            })
            .collect();
        let mut terms = Vec::with_capacity(normalized.len());
        let mut strict_keys = Vec::with_capacity(normalized.len());
        let mut loose_keys = Vec::with_capacity(normalized.len());
        for (id, (s, l, info)) in normalized.into_iter().enumerate() {
            terms.push(info);
            strict_keys.push((s, id as u32));
            loose_keys.push((l, id as u32));
        }
        let needs_quotes = lexicon.dampeners.iter().any(|d| d.quoted);
        let patterns: Vec<(&str, &str, bool, TermRef)> =
            strict_keys.iter().zip(&loose_keys).map(|((s, id), (l, _))| (s.as_str(), l.as_str(), terms[*id as usize].stem, terms[*id as usize].target)).collect();
        let max_words = patterns.iter().map(|&(_, l, stem, _)| pattern_words(l, stem).count()).max().unwrap_or(0);
        let clitics = terms.iter().any(|t| t.clitics != Takes::None);
        // The screen and the two automata are built side by side.
        let dropped: Vec<u8> = terms.iter().zip(&loose_keys).map(|(t, (l, _))| dropped_in_plain(t, l)).collect();
        let (screen, (strict, loose)) = rayon::join(|| Screen::new(lexicon, &patterns, &dropped), || rayon::join(|| View::build(strict_keys.clone(), clitics), || View::build(loose_keys.clone(), clitics)));
        Matcher { strict, loose, terms, needs_quotes, screen, max_words }
    }

    /// Every hit in `text`, sorted by position.
    ///
    /// ```
    /// use kuzet::lexicon::{Entry, Lexicon, Term};
    /// use kuzet::matcher::Matcher;
    /// let entry = Entry {
    ///     term: Term::parse("убива*").unwrap(), category: "violence".into(), weight: 5,
    ///     lang: "ru".into(), note: String::new(), groups: vec![], meta: vec![], source: String::new(),
    /// };
    /// let lexicon = Lexicon { entries: vec![entry], ..Lexicon::default() };
    /// let m = Matcher::new(&lexicon);
    /// let text = "Они избивали. Убивайте их! уб1вать";
    /// let hits = m.find(text);
    /// assert_eq!(hits.len(), 2);
    /// assert_eq!(&text[hits[0].span.clone()], "Убива");
    /// assert!(hits[1].loose_only && !hits[1].evasion.is_empty());
    /// ```
    pub fn find(&self, text: &str) -> Vec<Hit> {
        self.find_cut(text, if self.screen.is_local() { PIECE } else { usize::MAX })
    }

    /// [`Matcher::find`], a text longer than twice `piece` bytes matched in pieces.
    pub(crate) fn find_cut(&self, text: &str, piece: usize) -> Vec<Hit> {
        if text.len() / 2 > piece {
            return self.find_in_pieces(text, piece);
        }
        let mut hits = self.find_screened(text);
        self.mark_quoted(text, &mut hits);
        hits
    }

    /// Hits in `text` through screening, quotation marks not yet looked at.
    fn find_screened(&self, text: &str) -> Vec<Hit> {
        let sub = match self.screen.screen(text) {
            None => return self.hits(text, &normalize::strict(text)),
            Some(Screened::Nothing) => return Vec::new(),
            Some(Screened::Text(sub)) => sub,
        };
        let mut hits = self.hits(&sub.text, &normalize::strict(&sub.text));
        for h in &mut hits {
            let hidden = sub.hidden_before(h.span.start);
            h.word += hidden.words;
            h.paragraph += hidden.paragraphs;
            h.span = sub.original(h.span.start)..sub.original(h.span.end);
        }
        hits
    }

    /// [`Matcher::find`] piece by piece ([`pieces`] of at least `piece` bytes, cut at blank
    /// lines), so that a long page's words, views and tables stay in the nearer caches and its
    /// cost per byte is a shorter page's. Nothing that counts crosses a blank line: rules,
    /// `within` dampeners, patterns and quotations ([`quotes`]) stay in their paragraph; only
    /// a dampener without `within` looks at the whole text, and with one the text is not cut
    /// ([`Screen::is_local`]). Word and paragraph indices go on from piece to piece, each
    /// piece's starting past the last one's (the [`Hit`] fields say so).
    fn find_in_pieces(&self, text: &str, piece: usize) -> Vec<Hit> {
        pieces_found(text, piece, |p| {
            let mut found = self.find_screened(p);
            self.mark_quoted(p, &mut found);
            found
        })
    }

    /// The hits of `text`, Russian written in Latin letters ([`crate::lang`]'s `ru-Latn`):
    /// a term of Cyrillic letters found in a plain word of Latin letters is a transliteration
    /// however short (`ubit ih vseh nado`), which in other text is kept only from five letters
    /// on (`ubit`, `vseh`, `nado` are words of other languages' text too). Screening leaves
    /// such short transliterations out, so the text is matched whole, piece by piece.
    pub fn find_latin_russian(&self, text: &str) -> Vec<Hit> {
        let find = |p: &str| {
            let mut found = self.hits_read(p, &normalize::strict(p), true);
            self.mark_quoted(p, &mut found);
            found
        };
        // Cut as [`Matcher::find`] cuts: only where what counts stays in its paragraph.
        let piece = if self.screen.is_local() { PIECE } else { usize::MAX };
        if text.len() / 2 > piece { pieces_found(text, piece, find) } else { find(text) }
    }

    /// [`Matcher::find`] over the whole text, without screening, with its strict view already
    /// computed: the reference that screening must agree with.
    pub fn find_in(&self, text: &str, strict: &Normalized) -> Vec<Hit> {
        let mut hits = self.hits(text, strict);
        self.mark_quoted(text, &mut hits);
        hits
    }

    fn mark_quoted(&self, text: &str, hits: &mut [Hit]) {
        if !self.needs_quotes || hits.is_empty() {
            return;
        }
        let quoted = quotes(text);
        if !quoted.is_empty() {
            for h in hits {
                // Quotations are apart and in order: the one a hit is in is the last to begin
                // at or before it (a search: a page of quoted hits made a scan quadratic).
                let k = quoted.partition_point(|q| q.start <= h.span.start);
                h.quoted = k > 0 && h.span.end <= quoted[k - 1].end;
            }
        }
    }

    /// Hits in `text` (spans into it), quotation marks not yet looked at.
    fn hits(&self, text: &str, strict: &Normalized) -> Vec<Hit> {
        self.hits_read(text, strict, false)
    }

    /// [`Matcher::hits`]; `latin_russian`: the text is Russian in Latin letters
    /// ([`Matcher::find_latin_russian`]).
    fn hits_read(&self, text: &str, strict: &Normalized, latin_russian: bool) -> Vec<Hit> {
        let loose = if latin_russian { normalize::loosen_latin_russian(strict) } else { normalize::loosen(strict) };
        let mut found: Vec<(u32, Range<usize>, bool)> = Vec::new();
        self.scan(&self.strict, strict, false, &mut found);
        let strict_count = found.len();
        self.scan(&self.loose, &loose, true, &mut found);
        self.scan_readings(text, strict, &loose, &mut found);
        let layout_from = found.len();
        self.scan_layout(text, strict, &mut found);
        let mut seen: HashMap<u32, Vec<Range<usize>>> = HashMap::new();
        for (term, span, _) in &found[..strict_count] {
            seen.entry(*term).or_default().push(span.clone());
        }
        let seen: HashMap<u32, Spans> = seen.into_iter().map(|(term, spans)| (term, Spans::new(spans))).collect();
        let mut hits = Vec::new();
        for (k, (term, span, loose_only)) in found.into_iter().enumerate() {
            // A layout's letter keys (`e,m.` убью) are no separators to drop; the spaces after
            // its last token are (a reading that ends the view's word runs on to the next one).
            let span = if k >= layout_from { span.start..span.start + text[span].trim_end().len() } else { trim_span(text, span) };
            if k >= strict_count && seen.get(&term).is_some_and(|v| v.overlaps(&span)) {
                continue;
            }
            let info = &self.terms[term as usize];
            // Cue hits only need evasion signals to decide whether a loose-only hit stands.
            let (mut evasion, translit, sounded) = if loose_only || matches!(info.target, TermRef::Entry(_)) {
                evasion_of(&text[span.clone()], info)
            } else {
                (Evasion::default(), false, false)
            };
            if k >= layout_from {
                // Its keys' punctuation is no spelling out.
                evasion = Evasion::LAYOUT;
            }
            // A word typed with the wrong layout (`лшдд` is `kill`) sounds like nothing.
            let sounded = sounded && k < layout_from;
            if loose_only && !accept_loose(info, evasion, translit, sounded, latin_russian) {
                continue;
            }
            hits.push(Hit { term: info.target, span, loose_only, evasion, translit, word: 0, paragraph: 0, quoted: false });
        }
        hits.sort_by_key(|a| (a.span.start, a.span.end, a.term));
        hits.dedup_by(|a, b| a.span == b.span && a.term == b.term);
        place_words(&loose, &mut hits);
        hits
    }

    /// Every term starting at a word start of `text`, or past the Arabic proclitics written
    /// onto it ([`clitics`]): an anchored search from each start, which ends as soon as no term
    /// can continue (usually within a letter or two).
    fn scan(&self, view: &View, text: &Normalized, loose: bool, out: &mut Vec<(u32, Range<usize>, bool)>) {
        let s = text.as_str();
        let bytes = s.as_bytes();
        for &start in text.word_starts() {
            let start = start as usize;
            if s[..start].chars().next_back().is_some_and(normalize::is_word_char) {
                continue;
            }
            if view.prefilter.may_start(&bytes[start..]) {
                self.walk(view, text, start, Start { skip: 0, prefix: "", needs: Takes::None }, loose, out);
            }
            if view.clitics {
                for past in clitics::starts(&bytes[start..]) {
                    let from = start + past.skip;
                    if !past.prefix.is_empty() || view.prefilter.may_start(&bytes[from..]) {
                        self.walk(view, text, start, past, loose, out);
                    }
                }
            }
        }
    }

    /// The terms that begin at `past` into the word at `start` and end at a word end (or
    /// anywhere, for a stem), each as a hit over the whole written word from `start`.
    fn walk(&self, view: &View, text: &Normalized, start: usize, past: Start, loose: bool, out: &mut Vec<(u32, Range<usize>, bool)>) {
        let trie = &view.automaton;
        let s = text.as_str();
        let mut sid = 0;
        for &b in past.prefix.as_bytes() {
            sid = trie.next(sid, b);
            if sid == trie::DEAD {
                return;
            }
        }
        let from = start + past.skip;
        for (k, &b) in s.as_bytes()[from..].iter().enumerate() {
            sid = trie.next(sid, b);
            if sid == trie::DEAD {
                break;
            }
            // Only the term that is the whole path from the word's start ends here.
            let Some(pid) = trie.pattern(sid) else { continue };
            let end = from + k + 1;
            let right_free = s[end..].chars().next().is_none_or(|c| !normalize::is_word_char(c));
            for &t in &view.targets[pid] {
                let term = &self.terms[t as usize];
                if (right_free || term.stem) && term.clitics >= past.needs {
                    out.push((t, text.original_range(start..end), loose));
                }
            }
        }
    }
}

/// What [`Matcher::to_saved`] makes: the matcher in four pieces of serde's postcard format.
pub(crate) type SavedParts = [Vec<u8>; 4];

impl Matcher {
    /// The matcher in pieces for [`crate::saved`], which [`Matcher::from_saved`] reads back
    /// side by side: the two views' tries, the screen and the rest (the screen's hash tables
    /// take the longest to read).
    pub(crate) fn to_saved(&self) -> Result<SavedParts, postcard::Error> {
        Ok([
            postcard::to_stdvec(&self.strict)?,
            postcard::to_stdvec(&self.loose)?,
            postcard::to_stdvec(&self.screen)?,
            postcard::to_stdvec(&(&self.terms, self.needs_quotes, self.max_words))?,
        ])
    }

    /// The matcher [`Matcher::to_saved`] made `parts` of, read on the threads rayon has.
    pub(crate) fn from_saved(parts: [&[u8]; 4]) -> Result<Matcher, postcard::Error> {
        let [strict, loose, screen, rest] = parts;
        let ((strict, loose), (screen, rest)) =
            rayon::join(|| rayon::join(|| postcard::from_bytes(strict), || postcard::from_bytes(loose)), || rayon::join(|| postcard::from_bytes::<Screen>(screen), || postcard::from_bytes(rest)));
        let (terms, needs_quotes, max_words) = rest?;
        Ok(Matcher { strict: strict?, loose: loose?, terms, needs_quotes, screen: screen?, max_words })
    }
}

impl Matcher {
    /// Hits of words read another way ([`normalize::wildcard`]: masked letters, ambiguous leet
    /// digits, I/l confusion): each reading ([`Vocabulary::resolve`]) put in the word's place
    /// in the loose view, and the patterns over it that the loose view alone would not find
    /// matched there. Text without such words costs one pass over its strict view.
    fn scan_readings(&self, text: &str, strict: &Normalized, loose: &Normalized, out: &mut Vec<(u32, Range<usize>, bool)>) {
        let tokens = wildcard::tokens(text, strict);
        if tokens.is_empty() {
            return;
        }
        let starts = loose.word_starts();
        let mut readings: HashMap<(bool, Vec<Part>), Vec<String>> = HashMap::new();
        let mut found = Vec::new();
        for token in tokens {
            let orig = strict.original_range(token.strict.clone());
            let hole = loose.position_of_original(orig.start)..loose.position_of_original(orig.end);
            // The word must be whole words of the loose view (not letters spelled out with others).
            let k = starts.partition_point(|&s| (s as usize) < hole.start);
            let after = loose.as_str()[hole.end..].chars().next();
            if hole.is_empty() || starts.get(k).is_none_or(|&s| s as usize != hole.start) || after.is_some_and(normalize::is_word_char) {
                continue;
            }
            let read = readings.entry((token.arabizi, token.parts.clone())).or_insert_with(|| {
                let mut read = Vec::new();
                if token.arabizi {
                    // The Arabic word whose consonants the token spells.
                    self.screen.arabizi.resolve(&token.parts, |_, (_, word)| read.push(word.clone()));
                } else {
                    self.screen.vocabulary.resolve(&token.parts, |r, _| read.push(r));
                }
                read.sort_unstable();
                read.dedup();
                read
            });
            let from = starts[k.saturating_sub(self.max_words)] as usize;
            let end = starts.partition_point(|&s| (s as usize) < hole.end);
            let to = starts.get(end + self.max_words).map_or(loose.as_str().len(), |&s| s as usize);
            for r in read.iter() {
                found.clear();
                self.scan(&self.loose, &loose.splice(from..to, hole.clone(), r), true, &mut found);
                // An Arabizi word is read whole: a stem that begins it is no reading of it (the
                // stems' conjugations and idioms are not read in Latin letters).
                let whole = |t: u32| !token.arabizi || !self.terms[t as usize].stem;
                out.extend(found.drain(..).filter(|(t, span, _)| span.start <= orig.start && orig.start < span.end && whole(*t)));
            }
        }
    }
}

thread_local! {
    /// Readings of words typed in the wrong layout, and what each is in the strict view when it
    /// is a word of the patterns, for the matcher whose screen has this id.
    static LAYOUT_WORDS: std::cell::RefCell<(u64, HashMap<Box<str>, Option<String>>)> = std::cell::RefCell::new((0, HashMap::new()));
}

/// Most readings kept in [`LAYOUT_WORDS`].
const LAYOUT_CACHE: usize = 1 << 16;

impl Matcher {
    /// The strict form of a reading when it is a word of the strict patterns (or begins with
    /// a stem): the view the reading is matched in.
    fn layout_word(&self, reading: &str) -> Option<String> {
        let key = layout::strict_key(reading)?;
        let mut known = false;
        self.screen.layout.lookup(&key, |_| known = true);
        known.then_some(key)
    }
}

/// Shortest reading of a word typed in the wrong layout that is read alone (letters); shorter
/// ones (`bx` их, `ghb` при) only next to one as long.
const LAYOUT_ALONE: usize = 4;

impl Matcher {
    /// Hits of words typed with the wrong keyboard layout on ([`layout`]): every token whose
    /// reading is a word of the patterns, read in its place in the strict view at once (so the
    /// words of a phrase typed that way meet), and the patterns over them matched there (the
    /// strict view: a reading is letters as they are, `лшд` is no `kill`). Only hits over such
    /// a token are kept.
    fn scan_layout(&self, text: &str, strict: &Normalized, out: &mut Vec<(u32, Range<usize>, bool)>) {
        let mut keys = Vec::new();
        let tokens = LAYOUT_WORDS.with(|cache| {
            let mut cache = cache.borrow_mut();
            let (id, words) = &mut *cache;
            if *id != self.screen.id() || words.len() >= LAYOUT_CACHE {
                *id = self.screen.id();
                words.clear();
            }
            layout::tokens(text, |reading| {
                if !words.contains_key(reading) {
                    words.insert(reading.into(), self.layout_word(reading));
                }
                let key = words.get(reading).cloned().flatten();
                let known = key.is_some();
                keys.extend(key);
                known
            })
        });
        if !tokens.iter().any(|t| t.reading.chars().count() >= LAYOUT_ALONE) {
            return;
        }
        let starts = strict.word_starts();
        let mut holes: Vec<(Range<usize>, &str)> = Vec::new();
        let mut covered: Vec<Range<usize>> = Vec::new();
        for (token, key) in tokens.iter().zip(&keys) {
            let at = strict.position_of_original(token.range.start);
            let end = strict.position_of_original(token.range.end);
            // From the token's first word in the view (a leading `-` is a space there).
            let Some(&first) = starts.get(starts.partition_point(|&s| (s as usize) < at)) else { continue };
            let first = first as usize;
            // It must end a word of the view: not go on into a word there, unless a key the
            // view folds to a space ends it (`dpjhdfnm- metro`: its `-` and the space fold to one).
            let after = strict.as_str()[end..].chars().next();
            let ends_in_word = strict.as_str()[..end].chars().next_back().is_some_and(normalize::is_word_char);
            if first >= end || (ends_in_word && after.is_some_and(normalize::is_word_char)) || holes.last().is_some_and(|(h, _)| h.end > first) {
                continue;
            }
            holes.push((first..end, key));
            covered.push(token.range.clone());
        }
        // Holes no further apart than a pattern's words are read together, in a window that
        // reaches as far again on either side.
        let word_of = |at: usize| starts.partition_point(|&s| (s as usize) < at);
        let mut found = Vec::new();
        let mut k = 0;
        while k < holes.len() {
            let mut j = k + 1;
            while j < holes.len() && word_of(holes[j].0.start) <= word_of(holes[j - 1].0.end) + self.max_words {
                j += 1;
            }
            let from = starts.get(word_of(holes[k].0.start).saturating_sub(self.max_words)).map_or(0, |&s| s as usize);
            let to = starts.get(word_of(holes[j - 1].0.end) + self.max_words).map_or(strict.as_str().len(), |&s| s as usize);
            self.scan(&self.strict, &strict.splice_all(from..to, &holes[k..j]), true, &mut found);
            k = j;
        }
        out.extend(found.into_iter().filter(|(_, span, _)| covered.iter().any(|c| c.start < span.end && span.start < c.end)));
    }
}

/// The words of a normalized pattern, the last one a stem when the pattern is.
fn pattern_words(pattern: &str, stem: bool) -> impl Iterator<Item = (&str, bool)> {
    let stem_last = stem && pattern.chars().next_back().is_some_and(normalize::is_word_char);
    let words: Vec<&str> = pattern.split(|c: char| !normalize::is_word_char(c)).filter(|w| !w.is_empty()).collect();
    let last = words.len().saturating_sub(1);
    words.into_iter().enumerate().map(move |(k, w)| (w, stem_last && k == last))
}

/// The spans of one term's strict hits, for whether a loose hit overlaps one of them: a
/// search, not a scan (a page repeating a term thousands of times made matching quadratic).
struct Spans {
    /// Sorted by end.
    spans: Vec<Range<usize>>,
    /// The least start of `spans[i..]`.
    least_start: Vec<usize>,
}

impl Spans {
    fn new(mut spans: Vec<Range<usize>>) -> Spans {
        spans.sort_unstable_by_key(|s| s.end);
        let mut least_start = vec![usize::MAX; spans.len()];
        let mut least = usize::MAX;
        for (i, s) in spans.iter().enumerate().rev() {
            least = least.min(s.start);
            least_start[i] = least;
        }
        Spans { spans, least_start }
    }

    /// Whether any span overlaps `span`: of those ending after it starts, the one starting
    /// first starts before it ends.
    fn overlaps(&self, span: &Range<usize>) -> bool {
        let i = self.spans.partition_point(|s| s.end <= span.start);
        self.least_start.get(i).is_some_and(|&start| start < span.end)
    }
}

/// The hits `find` gives for each of `text`'s [`pieces`] of at least `piece` bytes, their spans,
/// word and paragraph indices carried on from piece to piece.
fn pieces_found(text: &str, piece: usize, find: impl Fn(&str) -> Vec<Hit>) -> Vec<Hit> {
    let mut hits = Vec::new();
    let (mut word, mut paragraph) = (0u32, 0u32);
    for range in pieces(text, piece) {
        let (mut words, mut paragraphs) = (0, 0);
        for mut h in find(&text[range.clone()]) {
            (words, paragraphs) = (words.max(h.word + 1), paragraphs.max(h.paragraph + 1));
            h.span = h.span.start + range.start..h.span.end + range.start;
            h.word += word;
            h.paragraph += paragraph;
            hits.push(h);
        }
        word += words;
        paragraph += paragraphs;
    }
    hits
}

/// Whether a hit found only in the loose view is kept (see the module docs). Across scripts,
/// letters spelled out or repeated are not enough: Russian one-letter words `и с и с` would read
/// as `isis`. A term of a Latin-script language is not found in a word of Cyrillic letters
/// one of which looks like no Latin letter (`sounded`): `шот` is a Russian word that sounds
/// like `shot`, not `shot` disguised (`ѕһоt`, `kіll` are).
/// In Russian written in Latin letters (`latin_russian`), a transliteration of a Cyrillic term
/// is kept however short.
fn accept_loose(term: &TermInfo, evasion: Evasion, translit: bool, sounded: bool, latin_russian: bool) -> bool {
    if term.kazakh {
        return true;
    }
    if sounded && term.sounds_apart {
        return false;
    }
    let in_letters = [Evasion::ZERO_WIDTH, Evasion::HOMOGLYPH, Evasion::COMPAT, Evasion::LEET, Evasion::MASKED, Evasion::ARABIZI, Evasion::LAYOUT].iter().any(|&e| evasion.contains(e));
    if translit {
        in_letters || term.loose_letters >= 5 || (latin_russian && term.script == Script::Cyrillic)
    } else {
        !evasion.is_empty()
    }
}

/// In which words ([`plain_script`]) [`accept_loose`] drops every loose-only hit of `term`
/// (whose loose key is `loose`). A one-word term, not Kazakh nor Arabic, found only in the
/// loose view in a plain word of its own script is a folding accident (`plou` is `plow`:
/// [`PLAIN_LATIN`], [`PLAIN_CYRILLIC`]); in a plain word of the other script it is a
/// transliteration, kept from five letters on. A term of a Latin-script language, not a stem,
/// is never found in a word of [`SOUNDED`] Cyrillic letters (`шоть` is not `shot`).
fn dropped_in_plain(term: &TermInfo, loose: &str) -> u8 {
    if term.kazakh || term.arabic {
        return 0;
    }
    let sounded = if term.sounds_apart && !term.stem { SOUNDED } else { 0 };
    if term.words != 1 || loose.split(|c: char| !normalize::is_word_char(c)).filter(|w| !w.is_empty()).count() != 1 {
        return sounded;
    }
    let short = term.loose_letters < 5;
    sounded
        | match term.script {
            Script::Latin => PLAIN_LATIN | if short { PLAIN_CYRILLIC } else { 0 },
            Script::Cyrillic => PLAIN_CYRILLIC | if short { PLAIN_LATIN } else { 0 },
            Script::Other => 0,
        }
}

/// [`plain_script`]: letters of the Latin alphabet, no evasion.
pub(crate) const PLAIN_LATIN: u8 = 1;
/// [`plain_script`]: letters of the Cyrillic alphabet, no evasion.
pub(crate) const PLAIN_CYRILLIC: u8 = 2;
/// [`plain_script`]: Cyrillic letters only, one of them with no Latin look-alike.
pub(crate) const SOUNDED: u8 = 4;

/// What `word` is for [`dropped_in_plain`]: [`PLAIN_LATIN`] or [`PLAIN_CYRILLIC`] when it is
/// letters of that one script and nothing else, in which [`evasion_of`] sees no evasion, nor
/// in any part of it: no invisible or compatibility characters, no leet or masks, no letter
/// three times in a row, and (Latin) no capital after the first letter, which could be an I
/// read as an l, nor a letter beyond ASCII ([`is_marked_latin`]: `kíll`); and [`SOUNDED`] when it is Cyrillic letters only, one with no Latin look-alike.
/// 0 for any other word.
pub(crate) fn plain_script(word: &str) -> u8 {
    // A hit begins at the word's first letter the loose view keeps: not a leading ъ or ь.
    let kept = word.trim_start_matches(['ъ', 'ь', 'Ъ', 'Ь']);
    let sounded = !kept.is_empty() && word.chars().all(is_cyrillic) && kept.chars().any(|c| !normalize::looks_latin(c));
    let sounded = if sounded { SOUNDED } else { 0 };
    let mut script = 0;
    let (mut run_char, mut run) = ('\0', 0);
    for (k, c) in word.chars().enumerate() {
        let this = if is_latin(c) {
            PLAIN_LATIN
        } else if is_cyrillic(c) {
            PLAIN_CYRILLIC
        } else {
            return sounded;
        };
        if (script != 0 && this != script) || (!c.is_ascii() && is_nfkc_quick(std::iter::once(c)) != IsNormalized::Yes) || (this == PLAIN_LATIN && k > 0 && c.is_uppercase())
            // A Latin letter beyond ASCII, past the NFKC check above: [`is_marked_latin`].
            || (this == PLAIN_LATIN && !c.is_ascii())
        {
            return sounded;
        }
        script = this;
        let lower = c.to_lowercase().next().unwrap_or(c);
        if lower == run_char {
            run += 1;
            if run >= 3 {
                return sounded;
            }
        } else {
            (run_char, run) = (lower, 1);
        }
    }
    script | sounded
}

/// Fills in each hit's word and paragraph index, counted in the loose view.
fn place_words(loose: &Normalized, hits: &mut [Hit]) {
    for h in hits.iter_mut() {
        (h.word, h.paragraph) = loose.word_and_paragraph(loose.position_of_original(h.span.start));
    }
}

/// Drops the separators that a view folded into the last letter of a hit (`у б и в а ` → `у б и в а`).
fn trim_span(text: &str, span: Range<usize>) -> Range<usize> {
    let trimmed = text[span.clone()].trim_end_matches(|c: char| !(is_alnum(c) || is_leet_char(c) || is_mark(c)));
    if trimmed.is_empty() { span } else { span.start..span.start + trimmed.len() }
}

fn script_of(text: &str) -> Script {
    let (mut lat, mut cyr, mut other) = (0, 0, 0);
    for c in text.chars().filter(|&c| is_letter(c)) {
        if is_latin(c) {
            lat += 1;
        } else if is_cyrillic(c) {
            cyr += 1;
        } else {
            other += 1;
        }
    }
    if lat == 0 && cyr == 0 && other == 0 {
        Script::Other
    } else if lat >= cyr && lat >= other {
        Script::Latin
    } else if cyr >= other {
        Script::Cyrillic
    } else {
        Script::Other
    }
}

fn is_leet_char(c: char) -> bool {
    c.is_numeric() || matches!(c, '@' | '$' | '!' | '|' | '€')
}

/// The evasion seen in `span`, the original text of a hit of `term`, whether it is written
/// in another script than the term, and whether one of its words is Cyrillic letters only, one
/// of them with no Latin look-alike ([`normalize::looks_latin`]).
fn evasion_of(span: &str, term: &TermInfo) -> (Evasion, bool, bool) {
    let mut ev = Evasion::default();
    let mut pieces = 0;
    let mut sounded = false;
    let mut piece: Option<Piece> = None;
    let (mut run_char, mut run) = ('\0', 0);
    let mut chars = span.chars().peekable();
    while let Some(c) = chars.next() {
        if is_default_ignorable(c) {
            ev |= Evasion::ZERO_WIDTH;
            continue;
        }
        if !c.is_ascii() && is_nfkc_quick(std::iter::once(c)) != IsNormalized::Yes {
            ev |= Evasion::COMPAT;
        }
        let part_of_word = is_alnum(c) || is_leet_char(c) || c == '\'' || c == '’';
        if matches!(c, '*' | '_') && piece.is_some() && chars.peek().is_some_and(|&n| is_alnum(n) || is_leet_char(n) || matches!(n, '*' | '_')) {
            // A mask inside a word (`k*ll`) does not end it.
            ev |= Evasion::MASKED;
            continue;
        }
        if !part_of_word {
            if let Some(p) = piece.take() {
                ev |= p.evasion(term);
                sounded |= p.sounded();
            }
            run = 0;
            continue;
        }
        let p = piece.get_or_insert_with(|| {
            pieces += 1;
            Piece::default()
        });
        p.add(c);
        let lower = match c as u32 {
            // I after i is l confused (`kiII`), no repeat.
            0x49 => c,
            0x41..=0x5A => c.to_ascii_lowercase(),
            0..=0x7F => c,
            0x410..=0x42F => char::from_u32(c as u32 + 0x20).unwrap_or(c),
            _ => c.to_lowercase().next().unwrap_or(c),
        };
        if lower == run_char && is_letter(c) {
            run += 1;
            if run >= 3 {
                ev |= Evasion::REPEATED;
            }
        } else {
            (run_char, run) = (lower, 1);
        }
    }
    if let Some(p) = piece {
        ev |= p.evasion(term);
        sounded |= p.sounded();
    }
    if pieces > term.words {
        ev |= Evasion::SEPARATED;
    }
    let script = script_of(span);
    if term.arabic && script == Script::Latin {
        ev |= Evasion::ARABIZI;
    }
    let translit = term.script != Script::Other && script != Script::Other && script != term.script;
    (ev, translit, sounded)
}

/// What one word of a hit's original text holds, for [`evasion_of`].
#[derive(Debug, Default)]
struct Piece {
    len: usize,
    letters: bool,
    leet: bool,
    lat: bool,
    cyr: bool,
    /// A Cyrillic letter with no Latin look-alike.
    unlike: bool,
    /// Letters in upper case after the first (but I), letters in lower case, and those but l.
    inner_upper: bool,
    lower: bool,
    lower_not_l: bool,
    /// An upper-case I after the first letter; a lower-case l.
    inner_big_i: bool,
    small_l: bool,
    /// A Latin letter beyond ASCII (`í`, `ó`, `ï`): a disguise in a word of a language that
    /// writes none (`kíll`), a letter of Kazakh's Latin alphabets (whose terms take any).
    marked: bool,
}

impl Piece {
    fn add(&mut self, c: char) {
        if is_letter(c) {
            self.letters = true;
            self.lat |= is_latin(c);
            self.cyr |= is_cyrillic(c);
            self.unlike |= is_cyrillic(c) && !normalize::looks_latin(c);
            self.marked |= is_marked_latin(c);
            self.inner_big_i |= c == 'I' && self.len > 0;
            self.small_l |= c == 'l';
            self.inner_upper |= self.len > 0 && c.is_uppercase() && c != 'I';
            self.lower |= c.is_lowercase();
            self.lower_not_l |= c.is_lowercase() && c != 'l';
        } else if is_leet_char(c) {
            self.leet = true;
        }
        self.len += 1;
    }

    /// Cyrillic letters only, one with no Latin look-alike (`шот`).
    fn sounded(&self) -> bool {
        self.cyr && !self.lat && self.unlike
    }

    /// Leet, look-alike scripts, and I and l confused (`kiII`, `ISlS`).
    fn evasion(&self, term: &TermInfo) -> Evasion {
        let mut ev = Evasion::default();
        if self.letters && self.leet && !term.has_digit {
            ev |= Evasion::LEET;
        }
        let confused = (self.inner_big_i && self.lower && !self.inner_upper) || (self.small_l && self.inner_upper && !self.lower_not_l);
        if (self.lat && self.cyr) || confused || (self.marked && term.sounds_apart) {
            ev |= Evasion::HOMOGLYPH;
        }
        ev
    }
}

/// A Latin letter beyond ASCII ([`Piece::marked`]), not a compatibility form (`ｋ` is
/// [`Evasion::COMPAT`]); no word of one is plain ([`plain_script`]).
fn is_marked_latin(c: char) -> bool {
    !c.is_ascii() && is_latin(c) && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The quotation a span is in, searched, is the one a scan of all of them finds.
        #[test]
        fn a_quoted_span_is_found_as_a_scan_finds(
            parts in proptest::collection::vec(proptest::sample::select(vec!["\"", "«", "»", "“", "”", "„", "a", "kill", " ", "\n\n"]), 0..60),
            probe in (0usize..200, 0usize..20),
        ) {
            let text: String = parts.concat();
            let quoted = quotes(&text);
            proptest::prop_assert!(quoted.windows(2).all(|w| w[0].end <= w[1].start), "apart and in order: {:?}", quoted);
            let span = probe.0..probe.0 + probe.1;
            let k = quoted.partition_point(|q| q.start <= span.start);
            let searched = k > 0 && span.end <= quoted[k - 1].end;
            proptest::prop_assert_eq!(searched, quoted.iter().any(|q| q.start <= span.start && span.end <= q.end));
        }

        /// Whether a span overlaps one of a term's spans, searched as scanned.
        #[test]
        fn spans_overlap_as_a_scan_finds(
            spans in proptest::collection::vec((0usize..200, 1usize..30), 0..60),
            probe in (0usize..230, 0usize..30),
        ) {
            let spans: Vec<Range<usize>> = spans.into_iter().map(|(s, l)| s..s + l).collect();
            let probe = probe.0..probe.0 + probe.1;
            let want = spans.iter().any(|s| s.start < probe.end && probe.start < s.end);
            proptest::prop_assert_eq!(Spans::new(spans).overlaps(&probe), want);
        }
    }

    #[test]
    fn quotation_spans() {
        let long = format!("\"{}\"", "a".repeat(700));
        let cases: Vec<(&str, Vec<&str>)> = vec![
            ("he said \"убейте их\" twice", vec!["убейте их"]),
            ("«один» и „два“ и “three” и ‹four›", vec!["один", "два", "three", "four"]),
            ("an \"open quote\n\nnext paragraph\" stays open", vec![]),
            ("a quote \"over\na line break\" is one", vec!["over\na line break"]),
            // Single quotes pair; an apostrophe inside a word or before an elision opens none.
            ("don't 'kill' the apostrophes", vec!["kill"]),
            ("he wrote 'I will kill you' and left", vec!["I will kill you"]),
            ("she typed ‘kill them’ in the chat, didn’t she", vec!["kill them"]),
            ("kill 'em all, the dogs' owners too", vec![]),
            ("back in the '90s we said 'no'", vec!["no"]),
            ("rock 'n' roll", vec![]),
            ("the students' books and the teachers' desks", vec![]),
            ("\"he said 'kill them' twice\" she wrote", vec!["he said 'kill them' twice"]),
            ("an 'open quote\n\nnext paragraph' stays open", vec![]),
            ("«mismatched\" quotes» close", vec!["mismatched\" quotes"]),
            (long.as_str(), vec![]),
        ];
        for (text, expected) in cases {
            let got: Vec<&str> = quotes(text).into_iter().map(|r| &text[r]).collect();
            assert_eq!(got, expected, "{text:?}");
        }
    }
    use crate::lexicon::Entry;

    pub(super) fn lexicon(terms: &[(&str, &str)]) -> Lexicon {
        let entries = terms
            .iter()
            .map(|&(t, lang)| Entry {
                term: Term::parse(t).unwrap(),
                category: "violence".into(),
                weight: 5,
                lang: lang.into(),
                note: String::new(),
                groups: vec![],
                meta: vec![],
                source: String::new(),
            })
            .collect();
        Lexicon { entries, ..Lexicon::default() }
    }

    /// (term, lang, text, expected matched original texts, evasion names of the first hit)
    type Case = (&'static str, &'static str, &'static str, &'static [&'static str], &'static [&'static str]);
    const CASES: &[Case] = &[
        ("kill", "en", "I will kill you", &["kill"], &[]),
        ("kill", "en", "great skill, a killer app", &[], &[]),
        ("kill", "en", "KILL! kill.", &["KILL", "kill"], &[]),
        ("kill", "en", "k i l l them", &["k i l l"], &["spelled out"]),
        ("kill", "en", "k1ll them", &["k1ll"], &["leet"]),
        ("kill", "en", "ki\u{200B}ll them", &["ki\u{200B}ll"], &["zero-width"]),
        ("kill", "en", "ｋｉｌｌ them", &["ｋｉｌｌ"], &["lookalike unicode"]),
        ("kill", "en", "kіll them", &["kіll"], &["look-alike letters"]),
        ("kill", "en", "kiiiill them", &["kiiiill"], &["repeated letters"]),
        ("убива*", "ru", "Убивайте неверных", &["Убива"], &[]),
        ("убива*", "ru", "Они избивали его", &[], &[]),
        ("убива*", "ru", "у б и в а й т е", &["у б и в а"], &["spelled out"]),
        ("kill them", "en", "kill\nthem", &["kill\nthem"], &[]),
        ("kill them", "en", "kill - them", &["kill - them"], &[]),
        ("kill them", "en", "kill. Them", &[], &[]),
        ("kill them", "en", "kill\n\nthem", &[], &[]),
        ("өлтір*", "kk", "Олардың бәрін öltıremız", &["öltır"], &[]),
        ("өлтір*", "kk", "олтириниздер", &["олтир"], &[]),
        // a short Russian word in Latin text is a folding accident, not a hit
        ("бить", "ru", "a bit of luck", &[], &[]),
        ("взорвать", "ru", "vzorvat ih", &["vzorvat"], &[]),
        ("isis", "en", "и с и с", &[], &[]),
        // an English word is found in Cyrillic through look-alike letters only: `шот` (a shot
        // glass), `Шутинг` are Russian words that sound like it; a Russian word sounded in Latin
        // letters is translit (above), from five letters on
        ("shot", "en", "выпил шот водки", &[], &[]),
        ("shooting", "en", "Шотинг в тире", &[], &[]),
        ("shot him", "en", "шот хим", &[], &[]),
        ("shooting", "en", "шоoтинг", &["шоoтинг"], &["look-alike letters"]),
        ("shot", "en", "ѕһоt him", &["ѕһоt"], &["look-alike letters"]),
        ("shoot", "en", "shооt him", &["shооt"], &["look-alike letters"]),
        ("shooting", "en", "a shооtіng", &["shооtіng"], &["look-alike letters"]),
        ("kill", "en", "kіll them", &["kіll"], &["look-alike letters"]),
        // Cyrillic look-alikes only (һ too), five letters or more: a transliteration, kept; a
        // leading ъ is no letter of the hit (the loose view drops it), so the word is not sounded
        ("hitman", "en", "нанял һітман", &["һітман"], &[]),
        ("terrorist", "en", "ътеррорист", &["террорист"], &[]),
        // a loose-only hit in a plain word of the term's own script is a folding accident
        ("plow", "en", "plou through", &[], &[]),
        ("isis", "en", "i s i s", &["i s i s"], &["spelled out"]),
        ("اقتلوا", "ar", "اُقْتُلُوا الكفار", &["اُقْتُلُوا"], &[]),
        // Arabic proclitics: and, so, will... written onto the word; the hit is the whole word
        ("اقتلوهم", "ar", "فاقتلوهم واقتلوهم", &["فاقتلوهم", "واقتلوهم"], &[]),
        ("الخونه", "ar", "الموت للخونة", &["للخونة"], &[]),
        ("قتلهم", "ar", "وسقتلهم", &["وسقتلهم"], &[]),
        // not on a word of fewer than three letters, nor inside a word
        ("قتلهم", "ar", "مقتلهم", &[], &[]),
        // letters masked inside a word: a run of n marks stands for 0 to n letters
        ("kill", "en", "k*ll them", &["k*ll"], &["masked"]),
        ("kill", "en", "k**l them", &["k**l"], &["masked"]),
        ("kill", "en", "I will k_ll you", &["k_ll"], &["masked"]),
        ("kill them", "en", "k*ll them", &["k*ll them"], &["masked"]),
        // one word read another way per phrase: two are left to the loose view
        ("kill them", "en", "k*ll th_m", &[], &[]),
        ("kill", "en", "a kill_switch, *kill*", &["kill", "kill"], &[]),
        ("kill", "en", "k* ll, sk*ll", &[], &[]),
        ("убить", "ru", "надо у*бить", &["у*бить"], &["masked"]),
        ("убей*", "ru", "уб*й их", &["уб*й"], &["masked"]),
        ("убива*", "ru", "уб*вайте", &["уб*вайте"], &["masked"]),
        ("убить", "ru", "ub!t", &["ub!t"], &["leet"]),
        // I, l, 1 and | confused in a Latin word
        ("kill", "en", "ki11 them", &["ki11"], &["leet"]),
        ("kill", "en", "kiII them", &["kiII"], &["look-alike letters"]),
        ("kill", "en", "Ki|l them", &["Ki|l"], &["leet"]),
        ("isis", "en", "join ISlS", &["ISlS"], &["look-alike letters"]),
        ("illinois", "en", "Illinois ILLINOIS", &["Illinois", "ILLINOIS"], &[]),
        ("ill", "en", "Ill, ill and ILL", &["Ill", "ill", "ILL"], &[]),
        ("kill", "en", "kiII, kilI and Kill", &["kiII", "kilI", "Kill"], &["look-alike letters"]),
        // leet digits that stand for two Cyrillic letters: 3 з/е, 4 ч/а, 9 д/я
        ("убей*", "ru", "уб3й их", &["уб3й"], &["leet"]),
        ("зарежу", "ru", "3арежу", &["3арежу"], &["leet"]),
        ("бомба", "ru", "6омб4", &["6омб4"], &["leet"]),
        ("сдохни", "ru", "с9охни", &["с9охни"], &["leet"]),
        // Arabizi: a Latin word with Arabic letter digits read as the consonants of an Arabic word
        ("اقتلك", "ar", "ana ha a2tolak", &["a2tolak"], &["leet", "arabizi"]),
        ("هقتلك", "ar", "ha2tolak ya kalb", &["ha2tolak"], &["leet", "arabizi"]),
        ("حرق", "ar", "lazem 7ar2 el balad", &["7ar2"], &["leet", "arabizi"]),
        ("ذبح", "ar", "dab7 el kuffar", &["dab7"], &["leet", "arabizi"]),
        ("يلعن", "ar", "yel3an abok", &["yel3an"], &["leet", "arabizi"]),
        // no Arabizi digit, or too few consonants: left alone
        ("ذبح", "ar", "dab and d7", &[], &[]),
        // typed with the wrong keyboard layout on: Russian and Kazakh on QWERTY, English on ЙЦУКЕН
        ("убить", "ru", "надо e,bnm его", &["e,bnm"], &["wrong layout"]),
        ("взорвать", "ru", "надо dpjhdfnm метро", &["dpjhdfnm"], &["wrong layout"]),
        ("убью", "ru", "я тебя e,m.", &["e,m."], &["wrong layout"]),
        ("взорвать метро", "ru", "dpjhdfnm vtnhj!", &["dpjhdfnm vtnhj"], &["wrong layout"]),
        ("өлтір*", "kk", "бәрін -kn3h3g", &["kn3h3g"], &["wrong layout"]),
        // the span ends with the token, not at the next paragraph's first word
        ("өлтір*", "kk", "бәрін -kn3h3g'\n \n\n\nжәне", &["kn3h3g'"], &["wrong layout"]),
        ("kill", "en", "i will лшдд you", &["лшдд"], &["wrong layout"]),
        // plausible as typed, or read as no word of the lexicon: left alone
        ("убить", "ru", "e bnm, ebnm", &[], &[]),
        ("руки", "ru", "herb garden", &[], &[]),
        ("kill", "en", "лшд, лшддд, kill", &["kill"], &[]),
        // a diacritic on a letter of a language that writes none is a disguise
        ("kill", "en", "kíll, kïll them", &["kíll", "kïll"], &["look-alike letters"]),
        ("kill", "en", "öltır", &[], &[]),
    ];

    #[test]
    fn table() {
        for &(term, lang, text, want, evasion) in CASES {
            let m = Matcher::new(&lexicon(&[(term, lang)]));
            let hits = m.find(text);
            let got: Vec<&str> = hits.iter().map(|h| &text[h.span.clone()]).collect();
            assert_eq!(got, want, "{term:?} in {text:?}");
            if let Some(h) = hits.first() {
                assert_eq!(h.evasion.names(), evasion, "{term:?} in {text:?}");
            }
        }
    }

    #[test]
    fn words_and_paragraphs() {
        let m = Matcher::new(&lexicon(&[("kill", "en"), ("them", "en")]));
        let hits = m.find("we kill them\n\nthen them");
        let places: Vec<(u32, u32)> = hits.iter().map(|h| (h.word, h.paragraph)).collect();
        assert_eq!(places, [(1, 0), (2, 0), (4, 1)]);
    }
}
