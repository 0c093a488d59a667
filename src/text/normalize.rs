//! Normalization: two views of a text, each with a map back to the original.
//!
//! * [`strict`]: default-ignorable code points (zero-width, bidi controls, soft hyphen) dropped,
//!   NFKC, full case fold (dotted/dotless i handled), `ё`→`е`, Cyrillic stress marks dropped,
//!   Arabic tatweel and harakat removed and letter variants unified, runs of spaces, hyphens and
//!   single line breaks folded to one space (a blank line becomes [`PARAGRAPH`], which phrases
//!   never cross), and per-word script repair: Latin look-alikes inside a Cyrillic word and Cyrillic
//!   look-alikes inside a Latin word are mapped to the word's script.
//! * [`loose`]: the strict view plus letters spelled out with separators joined (`у.б.и.т.ь`,
//!   `k i l l`), leet digits and symbols inside words read as letters (`k1ll`, `b@mb`), and every
//!   Cyrillic and Latin letter folded to one ASCII key, which makes Kazakh written in Cyrillic,
//!   the 2017/2018/2021 Latin alphabets, ad-hoc ASCII and with Russian-keyboard substitutes (қ→к,
//!   ә→а, ...) all meet; finally repeated letters are collapsed.
//!
//! [`wildcard`] finds the words of the strict view that the loose view cannot read one way
//! (letters masked by `*`/`_`, leet digits that stand for two letters, I and l confused), for the
//! matcher to read against the lexicon's words; the views themselves keep one reading.
//!
//! The same functions are applied to lexicon terms and to text, so a term matches whatever text
//! normalizes to the same string. Both views are idempotent, and every byte of a view maps to an
//! offset inside the original, so a hit can always quote what the page really said.
//!
//! This module does not tokenize for matching and does not stem: matching runs an automaton over
//! the view and verifies word boundaries afterwards (see `matcher`).

use std::ops::Range;

use caseless::Caseless;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{compose, decompose_canonical, is_combining_mark};

/// One normalized view of a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalized {
    text: String,
    /// `map[i]`: byte offset in the original of the character that produced byte `i` of
    /// `text`; `map[text.len()]` is the original's length. Non-decreasing.
    map: Vec<u32>,
    /// Byte offsets in `text` where a word begins, ascending (matching starts only there).
    starts: Vec<u32>,
    /// Byte offsets in `text` of [`PARAGRAPH`] separators, ascending.
    paragraphs: Vec<u32>,
    /// Byte offsets in `text` of spaces that stand for two or more spaces, tabs or dashes (no
    /// line break) in the original (strict view), ascending: words spelled out letter by letter are set apart by
    /// them (`j o i n  i s i s`).
    wide: Vec<u32>,
}

impl Normalized {
    /// The normalized text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The original byte range that produced `range` of the normalized text.
    ///
    /// ```
    /// let n = kuzet::normalize::loose("Он сказал: у.б.и.т.ь!");
    /// let at = n.as_str().find("ubit").unwrap();
    /// let orig = n.original_range(at..at + 4);
    /// assert_eq!(&"Он сказал: у.б.и.т.ь!"[orig], "у.б.и.т.ь");
    /// ```
    pub fn original_range(&self, range: Range<usize>) -> Range<usize> {
        let start = self.map[range.start] as usize;
        if range.end <= range.start {
            return start..start;
        }
        let last = self.map[range.end - 1];
        let mut j = range.end;
        while j < self.text.len() && self.map[j] == last {
            j += 1;
        }
        start..self.map[j] as usize
    }

    /// Byte offsets where words begin in the normalized text, ascending.
    pub fn word_starts(&self) -> &[u32] {
        &self.starts
    }

    /// The index of the word at or after normalized byte `i`, and of its paragraph.
    pub fn word_and_paragraph(&self, i: usize) -> (u32, u32) {
        let i = i as u32;
        (self.starts.partition_point(|&s| s < i) as u32, self.paragraphs.partition_point(|&p| p < i) as u32)
    }

    /// The first normalized byte produced at or after original offset `offset`.
    pub fn position_of_original(&self, offset: usize) -> usize {
        self.map.partition_point(|&m| (m as usize) < offset).min(self.text.len())
    }

    /// `self.text[window]` with `hole` (inside `window`, one whole word) read as `with`: the
    /// view a word of another reading makes. `with` is one word, and its bytes map to the
    /// hole's original text (its first byte to the hole's first, the others to its last), so a
    /// hit over it quotes the whole hole.
    pub(crate) fn splice(&self, window: Range<usize>, hole: Range<usize>, with: &str) -> Normalized {
        self.splice_all(window, &[(hole, with)])
    }

    /// [`Normalized::splice`] with several holes, in order and apart.
    pub(crate) fn splice_all(&self, window: Range<usize>, holes: &[(Range<usize>, &str)]) -> Normalized {
        let mut out = Normalized::with_capacity(window.len() + holes.iter().map(|(_, w)| w.len()).sum::<usize>());
        fn inside(list: &[u32], r: Range<usize>) -> impl Iterator<Item = u32> + '_ {
            list.iter().copied().filter(move |&p| r.contains(&(p as usize)))
        }
        // Copies self.text[from..to] (and its map, starts and paragraphs) to the end of `out`.
        let copy = |out: &mut Normalized, from: usize, to: usize| {
            let at = out.text.len();
            out.text.push_str(&self.text[from..to]);
            out.map.extend_from_slice(&self.map[from..to]);
            out.starts.extend(inside(&self.starts, from..to).map(|p| (p as usize - from + at) as u32));
            out.paragraphs.extend(inside(&self.paragraphs, from..to).map(|p| (p as usize - from + at) as u32));
            out.wide.extend(inside(&self.wide, from..to).map(|p| (p as usize - from + at) as u32));
        };
        let mut next = window.start;
        for (hole, with) in holes {
            copy(&mut out, next, hole.start);
            let (first, last) = (self.map[hole.start], self.map[hole.end.saturating_sub(1).max(hole.start)]);
            out.starts.push(out.text.len() as u32);
            out.text.push_str(with);
            out.map.extend((0..with.len()).map(|k| if k == 0 { first } else { last }));
            next = hole.end;
        }
        copy(&mut out, next, window.end);
        out.map.push(self.map[window.end]);
        out
    }

    /// The strict or loose view's map: byte `i` of the text came from original offset `map[i]`.
    pub(crate) fn map(&self) -> &[u32] {
        &self.map
    }

    fn with_capacity(n: usize) -> Normalized {
        Normalized { text: String::with_capacity(n), map: Vec::with_capacity(n + 1), starts: Vec::with_capacity(n / 6), paragraphs: Vec::new(), wide: Vec::new() }
    }

    #[inline]
    fn push(&mut self, c: char, from: u32) {
        if c == PARAGRAPH {
            self.paragraphs.push(self.text.len() as u32);
        }
        self.text.push(c);
        let len = self.map.len();
        self.map.resize(len + c.len_utf8(), from);
    }

}

/// What a blank line becomes in both views: U+2029 PARAGRAPH SEPARATOR. Phrases and
/// proximity rules never cross it.
pub const PARAGRAPH: char = '\u{2029}';

/// What an apostrophe that opens no word's letters becomes in both views: the quotation mark
/// it stands for, which no boundary test takes for a letter of the word after it (an apostrophe
/// is a word character: `'kill them'` read `'kill` as one word, and no term matched it). One
/// that ends a word becomes a space.
pub const QUOTE_APOSTROPHE: char = '"';

/// The strict view of `text`.
///
/// ```
/// let n = kuzet::normalize::strict("ＫＩＬＬ  them\u{200B}all — Ёлка");
/// assert_eq!(n.as_str(), "kill themall елка");
/// ```
pub fn strict(text: &str) -> Normalized {
    assert!(text.len() < u32::MAX as usize, "text over 4 GiB");
    let mut s = Strict::new(text.len());
    let mut it = text.char_indices().peekable();
    while let Some((off, c)) = it.next() {
        let off = off as u32;
        let next_is_mark = matches!(it.peek(), Some(&(_, n)) if is_cluster_mark(n));
        if !next_is_mark
            && let Some(f) = fast_fold(c) {
                s.feed(f, off);
                continue;
            }
        if is_default_ignorable(c) {
            continue;
        }
        let mut cluster = [c; 8];
        let mut len = 1;
        while let Some(&(_, n)) = it.peek() {
            if !is_cluster_mark(n) {
                break;
            }
            if len < cluster.len() {
                cluster[len] = n;
                len += 1;
            }
            it.next();
        }
        for f in cluster[..len].iter().copied().nfkc().default_case_fold().nfkc() {
            s.feed_slow(f, off);
        }
    }
    s.finish(text.len() as u32)
}

/// The loose view of `text`: [`strict`] plus the recall folds described in the module docs.
///
/// ```
/// use kuzet::normalize::loose;
/// assert_eq!(loose("Öltıremın").as_str(), loose("өлтіремін").as_str());
/// assert_eq!(loose("k1lll").as_str(), loose("kill").as_str());
/// ```
pub fn loose(text: &str) -> Normalized {
    loosen(&strict(text))
}

/// Both views of `text`, computing the strict view once.
pub fn both(text: &str) -> (Normalized, Normalized) {
    let s = strict(text);
    let l = loosen(&s);
    (s, l)
}

/// Whether `c` counts as part of a word in a normalized view (for boundary checks).
#[inline]
pub fn is_word_char(c: char) -> bool {
    is_alnum(c) || c == '\'' || is_mark(c)
}

/// `char::is_alphabetic`, answered from ranges for the scripts that make up nearly all text
/// (the standard library's table search dominated profiles).
#[inline]
pub fn is_letter(c: char) -> bool {
    match c as u32 {
        0x41..=0x5A | 0x61..=0x7A => true,
        0..=0x7F => false,
        0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x24F => true,
        0x400..=0x481 | 0x48A..=0x52F => true,
        0x621..=0x64A => true,
        _ => c.is_alphabetic(),
    }
}

/// `char::is_alphanumeric`, with the same fast ranges as [`is_letter`].
#[inline]
pub fn is_alnum(c: char) -> bool {
    match c as u32 {
        0x30..=0x39 => true,
        0..=0x7F | 0xC0..=0x24F | 0x400..=0x52F | 0x621..=0x64A => is_letter(c),
        _ => c.is_alphanumeric(),
    }
}

/// `is_combining_mark`, skipping the table for letters of the common scripts.
#[inline]
pub fn is_mark(c: char) -> bool {
    match c as u32 {
        0..=0x2FF | 0x400..=0x482 | 0x48A..=0x52F | 0x621..=0x64A => false,
        _ => is_combining_mark(c),
    }
}

// ---------------------------------------------------------------------------------------------
// strict

/// What one folded character does in the strict view.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fold {
    Word(char),
    /// Whitespace or a hyphen; the number of line breaks it holds.
    Space(u8),
    Apostrophe,
    Punct(char),
    Drop,
    /// An emoji read as a word of its own ([`emoji`]).
    Emoji(&'static str, u8),
}

struct Strict {
    out: Normalized,
    /// Where the open token (word) began in `out.text`. Tokens are written straight to the
    /// output; a mixed-script token is taken back out, repaired and written again.
    token: Option<usize>,
    /// Scripts seen in the token: 1 Latin, 2 Cyrillic. Only a mixed token needs repair.
    scripts: u8,
    apostrophe: Option<u32>,
    /// A pending run of separators: offset of its first character and line breaks seen.
    sep: Option<(u32, u8)>,
    /// Spaces and tabs in the separator being gathered ([`Normalized::wide`]).
    spaces: u8,
    scratch: Vec<(char, u32)>,
    /// Set after an emoji word: the offset where a separator goes if a word follows at once.
    glue: Option<u32>,
}

impl Strict {
    fn new(n: usize) -> Strict {
        Strict { out: Normalized::with_capacity(n), token: None, scripts: 0, apostrophe: None, sep: None, spaces: 0, scratch: Vec::new(), glue: None }
    }

    #[inline]
    fn feed(&mut self, f: Fold, off: u32) {
        match f {
            Fold::Word(c) => {
                if self.token.is_none() {
                    if let Some(g) = self.glue.take() {
                        self.sep.get_or_insert((g, 0));
                    }
                    self.emit_sep();
                    self.token = Some(self.out.text.len());
                    self.out.starts.push(self.out.text.len() as u32);
                }
                if let Some(a) = self.apostrophe.take() {
                    self.out.push('\'', a);
                }
                self.scripts |= script_bit(c);
                self.out.push(c, off);
            }
            Fold::Space(lines) => {
                self.glue = None;
                self.flush_token();
                let (_, seen) = self.sep.get_or_insert((off, 0));
                *seen = seen.saturating_add(lines);
                self.spaces = self.spaces.saturating_add(1);
            }
            Fold::Apostrophe => {
                if self.token.is_none() || self.apostrophe.is_some() {
                    // Not within a word: an opening quote ('kill them'), written as one that
                    // no boundary test takes for a letter of the word after it.
                    self.punct(QUOTE_APOSTROPHE, off);
                } else {
                    self.apostrophe = Some(off);
                }
            }
            Fold::Punct(c) => self.punct(c, off),
            Fold::Drop => {}
            Fold::Emoji(word, len) => self.emoji(word, off, len),
        }
    }

    /// An emoji as a word of its own, apart from any word glued to it; every byte maps to
    /// the emoji's offset (the separator after it to the offset past the emoji).
    fn emoji(&mut self, word: &str, off: u32, len: u8) {
        let glued = self.token.is_some() || self.apostrophe.is_some() || self.glue.is_some();
        self.flush_token();
        if glued {
            self.sep.get_or_insert((off, 0));
        }
        self.emit_sep();
        self.out.starts.push(self.out.text.len() as u32);
        for c in word.chars() {
            self.out.push(c, off);
        }
        self.glue = Some(off + u32::from(len));
    }

    /// The last character of the open token, unless an apostrophe is pending after it.
    fn token_last(&self) -> Option<char> {
        match (self.token, self.apostrophe) {
            (Some(start), None) => self.out.text[start..].chars().next_back(),
            _ => None,
        }
    }

    /// A character produced by NFKC and case folding of a cluster outside the fast path.
    fn feed_slow(&mut self, c: char, off: u32) {
        if is_default_ignorable(c) || (self.glue.is_some() && is_mark(c)) {
            return; // invisible, or a combining mark on an emoji word
        }
        if let Some(prev) = self.token_last() {
            if is_dropped_mark(prev, c) {
                return;
            }
            // A folded base (ѐ → е) may compose anew with a mark that follows it (е + ̆ → ӗ).
            if let Some(composed) = compose(prev, c)
                && let Some(Fold::Word(w)) = fast_fold(composed).or(Some(classify(composed))) {
                    let from = self.out.map[self.out.text.len() - prev.len_utf8()];
                    self.out.text.pop();
                    self.out.map.truncate(self.out.text.len());
                    self.out.push(w, from);
                    return;
                }
        }
        let f = fast_fold(c).unwrap_or_else(|| classify(c));
        self.feed(f, off);
    }

    fn punct(&mut self, c: char, off: u32) {
        if let Some(g) = self.glue.take()
            && c == QUOTE_APOSTROPHE {
            self.sep.get_or_insert((g, 0)); // else a second reading glues it to the emoji word
        }
        self.flush_token();
        self.emit_sep();
        self.out.push(c, off);
    }

    #[inline]
    fn emit_sep(&mut self) {
        if let Some((off, lines)) = self.sep.take() {
            if lines == 0 && self.spaces >= 2 {
                self.out.wide.push(self.out.text.len() as u32);
            }
            self.out.push(if lines >= 2 { PARAGRAPH } else { ' ' }, off);
        }
        self.spaces = 0;
    }

    fn flush_token(&mut self) {
        if let Some(start) = self.token.take() {
            if self.scripts == 3 {
                let out = &mut self.out;
                self.scratch.clear();
                self.scratch.extend(out.text[start..].char_indices().map(|(k, c)| (c, out.map[start + k])));
                repair_script(&mut self.scratch);
                out.text.truncate(start);
                out.map.truncate(start);
                for &(c, from) in &self.scratch {
                    out.push(c, from);
                }
            }
            self.scripts = 0;
        }
        // An apostrophe that ends a word (`'kill you'`, `students'`) is no letter of it: a
        // space, which the separator after it joins. Not the quotation mark: the loose view
        // is made from this one, and a phrase in Kazakh 2017 Latin writes a letter with it
        // (`seni' o'ltiremin`, сені өлтіремін) and needs the space to meet the next word.
        if let Some(a) = self.apostrophe.take() {
            self.sep.get_or_insert((a, 0));
        }
    }

    fn finish(mut self, len: u32) -> Normalized {
        self.flush_token();
        self.emit_sep();
        self.out.map.push(len);
        self.out
    }
}

/// The fast path for the scripts that make up nearly all text: ASCII, Latin-1, Cyrillic and
/// Arabic. `None` sends the character through NFKC and full case folding.
fn fast_fold(c: char) -> Option<Fold> {
    let u = c as u32;
    Some(match u {
        0..=0x7F => ascii_fold(c),
        0xA0 => Fold::Space(0),
        0xC0..=0xDE if u != 0xD7 => Fold::Word(char::from_u32(u + 0x20)?),
        0xDF => return None, // ß folds to "ss"
        0xE0..=0xFF if u != 0xF7 => Fold::Word(c),
        0x400..=0x4FF => return cyrillic_fold(c),
        0x600..=0x6FF => return arabic_fold(c),
        0x2010..=0x2015 | 0x2212 => Fold::Space(0),
        0x2018 | 0x2019 | 0x2032 => Fold::Apostrophe,
        0x2028 => Fold::Space(1),
        0x2029 => Fold::Space(2),
        _ => return None,
    })
}

fn ascii_fold(c: char) -> Fold {
    match c {
        'A'..='Z' => Fold::Word(c.to_ascii_lowercase()),
        'a'..='z' | '0'..='9' => Fold::Word(c),
        '\n' => Fold::Space(1),
        ' ' | '\t' | '\r' | '\x0B' | '\x0C' | '-' => Fold::Space(0),
        '\'' | '`' => Fold::Apostrophe,
        _ => Fold::Punct(c),
    }
}

fn cyrillic_fold(c: char) -> Option<Fold> {
    let u = c as u32;
    let lower = match u {
        0x400 | 0x401 | 0x450 | 0x451 => 'е', // Ѐ Ё ѐ ё
        0x40D | 0x45D => 'и',                 // Ѝ ѝ
        0x402..=0x40F => char::from_u32(u + 0x50)?,
        0x410..=0x42F => char::from_u32(u + 0x20)?,
        0x430..=0x45F => c,
        0x483..=0x489 => return None, // combining marks: slow path
        _ => c.to_lowercase().next()?,
    };
    Some(if is_letter(lower) { Fold::Word(lower) } else { Fold::Punct(lower) })
}

fn arabic_fold(c: char) -> Option<Fold> {
    let u = c as u32;
    Some(match u {
        0x640 | 0x64B..=0x65F | 0x670 | 0x6D6..=0x6DC | 0x6DF..=0x6E8 | 0x6EA..=0x6ED => Fold::Drop,
        0x610..=0x61A => Fold::Drop,
        0x61C => Fold::Drop, // Arabic letter mark (bidi)
        0x622 | 0x623 | 0x625 | 0x671 => Fold::Word('ا'),
        0x649 | 0x6CC | 0x626 => Fold::Word('ي'),
        0x624 => Fold::Word('و'),
        0x629 | 0x6C1 => Fold::Word('ه'),
        0x6A9 => Fold::Word('ك'),
        0x660..=0x669 => Fold::Word(char::from_u32(u - 0x660 + '0' as u32)?),
        0x6F0..=0x6F9 => Fold::Word(char::from_u32(u - 0x6F0 + '0' as u32)?),
        0x60C => Fold::Punct(','),
        0x61B => Fold::Punct(';'),
        0x61F => Fold::Punct('?'),
        0x675..=0x678 => return None, // compatibility ligatures: NFKC decides
        _ if is_alnum(c) => Fold::Word(c),
        _ => Fold::Punct(c),
    })
}

/// Classification of any character the fast path does not know.
fn classify(c: char) -> Fold {
    if c == '\u{2029}' {
        Fold::Space(2)
    } else if c == '\u{2028}' {
        Fold::Space(1)
    } else if c.is_whitespace() || matches!(c, '\u{2043}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}') {
        Fold::Space(0)
    } else if matches!(c, '\u{B4}' | '\u{2BB}' | '\u{2BC}') {
        Fold::Apostrophe
    } else if is_alnum(c) || is_mark(c) {
        Fold::Word(c)
    } else if let Some(word) = emoji::word(c) {
        Fold::Emoji(word, c.len_utf8() as u8)
    } else if emoji::is_modifier(c) {
        Fold::Drop
    } else {
        Fold::Punct(c)
    }
}

/// Combining marks that must be normalized with their base character. Arabic marks are not
/// included: they are removed one by one.
fn is_cluster_mark(c: char) -> bool {
    let u = c as u32;
    if u < 0x300 || (0x400..=0x482).contains(&u) || (0x48A..=0x52F).contains(&u) {
        return false;
    }
    if (0x600..=0x6FF).contains(&u) {
        return false;
    }
    is_mark(c)
}

/// Default_Ignorable_Code_Point (Unicode DerivedCoreProperties), plus the Mongolian vowel
/// separator: invisible characters used to break up words.
pub fn is_default_ignorable(c: char) -> bool {
    matches!(c as u32,
        0xAD | 0x34F | 0x61C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

/// Whether `c` is a Cyrillic letter.
pub fn is_cyrillic(c: char) -> bool {
    matches!(c as u32, 0x400..=0x52F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F)
        && is_letter(c)
}

/// Whether `c` is a Latin letter.
pub fn is_latin(c: char) -> bool {
    matches!(c as u32, 0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F | 0x1E00..=0x1EFF | 0xFF21..=0xFF5A)
        && is_letter(c)
        && c != '\u{D7}'
        && c != '\u{F7}'
}

/// 1 for a Latin letter, 2 for a Cyrillic one, 0 otherwise.
#[inline]
fn script_bit(c: char) -> u8 {
    match c as u32 {
        0x61..=0x7A => 1,
        0..=0x7F => 0,
        0x430..=0x45F => 2,
        _ if is_latin(c) => 1,
        _ if is_cyrillic(c) => 2,
        _ => 0,
    }
}

/// Latin letters that look like a Cyrillic letter (lower case).
fn latin_to_cyrillic(c: char) -> Option<char> {
    Some(match c {
        'a' => 'а', 'b' => 'в', 'c' => 'с', 'd' => 'ԁ', 'e' => 'е', 'h' => 'н', 'i' => 'і',
        'j' => 'ј', 'k' => 'к', 'l' => 'ӏ', 'm' => 'м', 'n' => 'п', 'o' => 'о', 'p' => 'р',
        'r' => 'г', 's' => 'ѕ', 't' => 'т', 'u' => 'и', 'x' => 'х', 'y' => 'у',
        _ => return None,
    })
}

/// Cyrillic letters that look like a Latin letter (lower case).
fn cyrillic_to_latin(c: char) -> Option<char> {
    Some(match c {
        'а' => 'a', 'в' => 'b', 'ь' => 'b', 'с' => 'c', 'ԁ' => 'd', 'е' => 'e', 'н' => 'h',
        'і' => 'i', 'ј' => 'j', 'к' => 'k', 'ӏ' => 'l', 'м' => 'm', 'п' => 'n', 'о' => 'o',
        'р' => 'p', 'г' => 'r', 'ѕ' => 's', 'т' => 't', 'и' => 'u', 'х' => 'x', 'у' => 'y',
        _ => return None,
    })
}

/// Whether the Cyrillic letter `c` (either case) looks like a Latin letter ([`cyrillic_to_latin`],
/// [`looks_same`]; capitals too: `Д` or `Ш` look like none).
pub fn looks_latin(c: char) -> bool {
    c.to_lowercase().all(|l| cyrillic_to_latin(l).is_some() || looks_same(l))
}

/// Lower-case letters that look the same in both scripts in ordinary type (`а`/`a`, `р`/`p`):
/// those that only look alike as capitals or in some fonts (`т`, `м`, `ь`, `и`, `п`, `г`) are
/// not among them.
fn looks_same(c: char) -> bool {
    matches!(c, 'a' | 'c' | 'e' | 'i' | 'j' | 'o' | 'p' | 's' | 'x' | 'y' | 'h' | 'd' | 'l' | 'k'
        | 'а' | 'с' | 'е' | 'і' | 'ј' | 'о' | 'р' | 'ѕ' | 'х' | 'у' | 'һ' | 'ԁ' | 'ӏ' | 'к')
}

/// Maps look-alike letters of the minority script in a mixed Latin/Cyrillic word to the
/// word's script. Letters with no look-alike stay as they are. The word's script is the one
/// with more letters that have no look-alike in the other, else the one with more letters;
/// with as many of each, the one with more letters that do not look the same in ordinary type
/// ([`looks_same`]): `cмepть` with Latin `c`, `e`, `p` is Cyrillic (`м`, `т`, `ь` look like
/// `m`, `t`, `b` only at a stretch), `shooт` with a Cyrillic `т` is Latin.
fn repair_script(token: &mut Vec<(char, u32)>) {
    let (mut lat, mut cyr, mut lat_only, mut cyr_only, mut lat_unlike, mut cyr_unlike) = (0, 0, 0, 0, 0, 0);
    for &(c, _) in token.iter() {
        if is_latin(c) {
            lat += 1;
            lat_only += usize::from(latin_to_cyrillic(c).is_none());
            lat_unlike += usize::from(!looks_same(c));
        } else if is_cyrillic(c) {
            cyr += 1;
            cyr_only += usize::from(cyrillic_to_latin(c).is_none());
            cyr_unlike += usize::from(!looks_same(c));
        }
    }
    if lat == 0 || cyr == 0 {
        return;
    }
    let to_cyrillic = match cyr_only.cmp(&lat_only) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal if cyr != lat => cyr > lat,
        std::cmp::Ordering::Equal if cyr_unlike != lat_unlike => cyr_unlike > lat_unlike,
        std::cmp::Ordering::Equal => token.iter().find(|(c, _)| is_letter(*c)).is_some_and(|&(c, _)| is_cyrillic(c)),
    };
    for (c, _) in token.iter_mut() {
        let mapped = if to_cyrillic { latin_to_cyrillic(*c) } else { cyrillic_to_latin(*c) };
        if let Some(m) = mapped {
            *c = m;
        }
    }
    // A repaired base letter may now compose with a following mark (Latin y + breve → ў).
    let mut k = 1;
    while k < token.len() {
        let (prev, mark) = (token[k - 1].0, token[k].0);
        if is_dropped_mark(prev, mark) {
            token.remove(k);
        } else if let Some(composed) = compose(prev, mark) {
            token[k - 1].0 = composed;
            token.remove(k);
        } else {
            k += 1;
        }
    }
}

/// Marks that are not spelling: the dot that case folding leaves on `İ`, and stress marks on
/// Cyrillic letters.
fn is_dropped_mark(prev: char, mark: char) -> bool {
    (mark == '\u{307}' && prev == 'i') || (matches!(mark, '\u{300}' | '\u{301}') && is_cyrillic(prev))
}

// ---------------------------------------------------------------------------------------------
// loose

/// Separators allowed between letters spelled out one by one (`k.i.l.l`, `у-б-и-т-ь`).
pub(crate) const fn is_spelling_sep(c: char) -> bool {
    matches!(c, ' ' | '.' | '*' | '_' | '/' | '\\' | ',' | '·' | '+' | '~' | '•' | ':')
}

/// Symbols read as letters when they stand inside a word (`b@mb`, `k!ll`).
pub(crate) const fn is_leet_symbol(c: char) -> bool {
    matches!(c, '@' | '$' | '!' | '|' | '€')
}

/// Strict word characters, as the loose pass sees them.
fn is_strict_word(c: char) -> bool {
    is_word_char(c)
}

/// The loose view computed from an existing strict view (see [`both`]).
pub fn loosen(s: &Normalized) -> Normalized {
    loosen_as(s, false)
}

/// [`loosen`] of a text in Russian written in Latin letters (`ru-Latn`), where `y` after a vowel
/// is `й` (`ubey ikh vsekh` is `убей их всех`) and `j` is `y` (`ja tebja ubju` is `я тебя убью`).
pub fn loosen_latin_russian(s: &Normalized) -> Normalized {
    loosen_as(s, true)
}

fn loosen_as(s: &Normalized, latin_russian: bool) -> Normalized {
    let text = s.as_str();
    let mut l = Loose { latin_russian, out: Normalized::with_capacity(text.len()), word: Vec::new(), key: Vec::new() };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let b = bytes[i];
        if b < 0x80 && !(b.is_ascii_alphanumeric() || b == b'\'') {
            l.out.push(b as char, i as u32);
            i += 1;
            continue;
        }
        let c = char_at(text, i);
        if !is_strict_word(c) {
            l.out.push(c, i as u32);
            i += c.len_utf8();
            continue;
        }
        if let Some(end) = l.fold_plain(text, i) {
            l.emit_key();
            i = end;
            continue;
        }
        let end = scan_word(text, i);
        l.fold_span(text, i, end);
        if l.is_single() {
            if let Some((singles, group_end)) = l.single_letter_group(text, &s.wide, i, end) {
                l.word.clear();
                for (a, b) in singles {
                    l.word.extend(text[a..b].char_indices().map(|(k, c)| (c, (a + k) as u32)));
                }
                l.fold_word();
                l.emit_key();
                i = group_end;
                continue;
            }
            l.fold_span(text, i, end);
        }
        l.emit_key();
        i = end;
    }
    let mut out = l.out;
    out.map.push(text.len() as u32);
    for m in out.map.iter_mut() {
        *m = s.map[*m as usize];
    }
    out
}

fn char_at(text: &str, i: usize) -> char {
    text[i..].chars().next().unwrap_or('\0')
}

/// End of the word starting at `i`: word characters and leet symbols between two of them.
fn scan_word(text: &str, i: usize) -> usize {
    let mut j = i;
    let mut it = text[i..].char_indices().peekable();
    while let Some((k, c)) = it.next() {
        if is_strict_word(c) {
            j = i + k + c.len_utf8();
        } else if !(is_leet_symbol(c) && j == i + k && it.peek().is_some_and(|&(_, n)| is_strict_word(n))) {
            break;
        }
    }
    j
}

struct Loose {
    /// The text is Russian in Latin letters ([`loosen_latin_russian`]).
    latin_russian: bool,
    out: Normalized,
    /// The strict word being folded, with strict offsets.
    word: Vec<(char, u32)>,
    /// Its key.
    key: Vec<(char, u32)>,
}

impl Loose {
    /// Folds the strict word `text[start..end]` into `self.key`.
    fn fold_span(&mut self, text: &str, start: usize, end: usize) {
        self.word.clear();
        self.word.extend(text[start..end].char_indices().map(|(k, c)| (c, (start + k) as u32)));
        self.fold_word();
    }

    /// Folds the word at `at` in one go if it is plain (letters only: no digit, leet symbol,
    /// apostrophe or mark) and its key is longer than one letter; returns its end. `None`
    /// leaves the word to the general path (which also handles spelled-out letters).
    fn fold_plain(&mut self, text: &str, at: usize) -> Option<usize> {
        self.key.clear();
        let mut it = text[at..].char_indices().peekable();
        while let Some((k, c)) = it.next() {
            if is_letter(c) && !is_mark(c) {
                self.push_folded(c, (at + k) as u32);
            } else if is_strict_word(c) || (is_leet_symbol(c) && it.peek().is_some_and(|&(_, n)| is_strict_word(n))) {
                return None;
            } else {
                return (self.key.len() > 1).then_some(at + k);
            }
        }
        (self.key.len() > 1).then_some(text.len())
    }

    /// Words spelled out one letter at a time with separators between them (`k.i.l.l`): at
    /// least three words whose key is one letter, at least two of them letters, the same
    /// separator between each two (`з.а.к.о.п.а.т.ь в` spells закопать, and `в` is a word of
    /// its own), as wide in the original (`j o i n  i s i s`: the strict view's one space was
    /// two there, between words; `wide`: [`Normalized::wide`]). Returns the words' spans and
    /// the group's end.
    fn single_letter_group(&mut self, text: &str, wide: &[u32], start: usize, end: usize) -> Option<(Vec<(usize, usize)>, usize)> {
        let is_wide = |a: usize, b: usize| wide.get(wide.partition_point(|&w| (w as usize) < a)).is_some_and(|&w| (w as usize) < b);
        let mut singles = vec![(start, end)];
        let mut letters = usize::from(self.single_is_letter());
        let mut group_end = end;
        let mut first_gap: Option<(usize, usize)> = None;
        loop {
            let mut k = group_end;
            let mut gap = 0;
            while k < text.len() && gap < 3 {
                let c = char_at(text, k);
                if !is_spelling_sep(c) {
                    break;
                }
                k += c.len_utf8();
                gap += 1;
            }
            if gap == 0 || k >= text.len() || !is_strict_word(char_at(text, k)) {
                break;
            }
            match first_gap {
                None => first_gap = Some((group_end, k)),
                Some((a, b)) if text[a..b] != text[group_end..k] => break,
                // A wider gap ends a group that is one already: what follows is the next word
                // (a group broken before it is one would read differently once joined).
                Some((a, b)) if is_wide(a, b) != is_wide(group_end, k) && singles.len() >= 3 && letters >= 2 => break,
                Some(_) => {}
            }
            let word_end = scan_word(text, k);
            self.fold_span(text, k, word_end);
            if !self.is_single() {
                break;
            }
            letters += usize::from(self.single_is_letter());
            singles.push((k, word_end));
            group_end = word_end;
        }
        (singles.len() >= 3 && letters >= 2).then_some((singles, group_end))
    }

    /// Whether the folded word stands for one letter: a key of one character, or a lone sign
    /// (ъ, ь) whose key is empty, or one letter whose key is several (`ю` is `yu`, `ж` is `zh`:
    /// `у б ь ю` spells убью, which a group that stopped at `ю` read as `ub yu`).
    fn is_single(&self) -> bool {
        self.key.len() == 1 || self.word.len() == 1
    }

    /// Whether a single (see [`Loose::is_single`]) is a letter rather than a digit or a sign.
    /// Decided on the key, which is what a second pass sees.
    fn single_is_letter(&self) -> bool {
        match self.key.first() {
            Some(&(c, _)) => is_letter(c),
            None => self.word.first().is_some_and(|&(c, _)| is_letter(c)),
        }
    }

    /// Folds `self.word` into `self.key`: leet, apostrophes, marks, one-key transliteration,
    /// digraphs and repeats.
    fn fold_word(&mut self) {
        let (mut cyr, mut lat, mut letters) = (0, 0, false);
        for &(c, _) in &self.word {
            cyr += usize::from(is_cyrillic(c));
            lat += usize::from(is_latin(c));
            letters |= is_letter(c);
        }
        self.fold_word_in(cyr > lat, letters);
    }

    /// [`Loose::fold_word`] with the word's script (`cyrillic_context`) and whether it holds
    /// letters given.
    fn fold_word_in(&mut self, cyrillic_context: bool, letters: bool) {
        self.key.clear();
        if !letters {
            // Numbers and signs are kept as they are: `2024`, `1@2`.
            self.key.extend_from_slice(&self.word);
            return;
        }
        for k in 0..self.word.len() {
            let (c, off) = self.word[k];
            let c = leet(c, cyrillic_context).unwrap_or(c);
            if c == '\'' {
                let prev = self.key.last().map(|&(p, _)| p);
                let next_is_letter = self.word.get(k + 1).is_some_and(|&(n, _)| is_letter(n));
                // Kazakh 2017 Latin: s' = ш, c' = ч; elsewhere the apostrophe is dropped.
                if next_is_letter && matches!(prev, Some('s' | 'c')) {
                    self.push_key('h', off);
                }
                continue;
            }
            if is_mark(c) {
                continue;
            }
            self.push_folded(c, off);
        }
    }

    /// Pushes the one-key fold of `c`.
    #[inline]
    fn push_folded(&mut self, c: char, off: u32) {
        // Russian in Latin letters writes `й` as `y` after a vowel (`ubey`, `davay`): its key is
        // `i`, as `й`'s. Only there: a Kazakh `y` (ы) after a vowel is a vowel (`auyl`).
        if self.latin_russian && c == 'y' && self.key.last().is_some_and(|&(p, _)| matches!(p, 'a' | 'e' | 'i' | 'o' | 'u')) {
            return self.push_key('i', off);
        }
        // And `j` as `y` (`ja tebja ubju`: я, ю), not the Kazakh ж it is elsewhere.
        if self.latin_russian && c == 'j' {
            return self.push_folded('y', off);
        }
        match key_of(c) {
            Key::Same => self.push_key(c, off),
            Key::One(a) => self.push_key(a, off),
            Key::Two(a, b) => {
                self.push_key(a, off);
                self.push_key(b, off);
            }
            Key::Zero => {}
        }
    }

    /// Pushes a key character, folding digraphs (`sh` → `š`, `kh` → `h`) and collapsing repeats.
    fn push_key(&mut self, c: char, off: u32) {
        if let Some(&(p, poff)) = self.key.last() {
            if let Some(d) = digraph(p, c) {
                self.key.pop();
                return self.push_key(d, poff);
            }
            // A word's لل (the proclitic ل before the article: للشرطة) is two letters, which the
            // proclitics' reading takes apart ([`crate::clitics`]); any other repeat is one.
            if p == c && !(c == 'ل' && self.key.len() == 1) {
                return;
            }
        }
        self.key.push((c, off));
    }

    fn emit_key(&mut self) {
        self.out.starts.push(self.out.text.len() as u32);
        if self.key.is_empty() {
            // A word made only of signs (ъ, ь): keep it rather than leave a double space.
            for &(c, off) in &self.word {
                self.out.push(c, off);
            }
        } else {
            for &(c, off) in &self.key {
                self.out.push(c, off);
            }
        }
    }
}

fn digraph(a: char, b: char) -> Option<char> {
    match (a, b) {
        ('s', 'h') => Some('š'),
        ('c', 'h') => Some('č'),
        ('z', 'h') => Some('ž'),
        // х in Russian transliteration (`vsekh`, `ikh`): the key of х is `h`.
        ('k', 'h') => Some('h'),
        _ => None,
    }
}

/// Leet digits and symbols read as letters, by the script of the word around them. Where a
/// digit stands for two letters (Cyrillic `3` з/е, `4` ч/а, `9` д/я; Latin `1` i/l) this is the
/// first reading; [`wildcard::choices`] gives both.
fn leet(c: char, cyrillic: bool) -> Option<char> {
    Some(match (c, cyrillic) {
        ('0', false) => 'o',
        ('0', true) => 'о',
        ('1' | '!', false) => 'i',
        ('1' | '!', true) => 'и',
        ('3', false) => 'e',
        ('3', true) => 'з',
        ('4', false) => 'a',
        ('4', true) => 'ч',
        ('5' | '$', false) => 's',
        ('5' | '$', true) => 'с',
        ('6', false) => 'b',
        ('6', true) => 'б',
        ('7', false) => 't',
        ('7', true) => 'т',
        ('8', false) => 'b',
        ('8', true) => 'в',
        ('9', true) => 'д',
        ('@', false) => 'a',
        ('@', true) => 'а',
        ('|', false) => 'l',
        ('|', true) => 'л',
        ('€', false) => 'e',
        ('€', true) => 'е',
        _ => return None,
    })
}

/// The one-key fold of one character.
enum Key {
    Same,
    Zero,
    One(char),
    Two(char, char),
}

/// The one-key fold: Cyrillic transliterated to Latin letters (`ш ч ж` become `š č ž`, as do
/// `sh ch zh`), Latin letters with diacritics reduced to their base, and the Latin letters that
/// Kazakh spellings use interchangeably folded (`q`→`k`, `w`→`u`, `x`→`h`, `j`→`ž`).
fn key_of(c: char) -> Key {
    match c {
        'a'..='z' => match c {
            'q' => Key::One('k'),
            'w' => Key::One('u'),
            'x' => Key::One('h'),
            'j' => Key::One('ž'),
            _ => Key::Same,
        },
        '\u{400}'..='\u{52F}' | '\u{1C80}'..='\u{1C8F}' | '\u{A640}'..='\u{A69F}' => cyrillic_key(c),
        '\u{C0}'..='\u{24F}' | '\u{1E00}'..='\u{1EFF}' => latin_key(c),
        _ => Key::Same,
    }
}

fn cyrillic_key(c: char) -> Key {
    Key::One(match c {
        'а' | 'ә' => 'a',
        'б' => 'b',
        'в' => 'v',
        'г' | 'ғ' | 'ґ' => 'g',
        'д' | 'ԁ' => 'd',
        'е' | 'є' | 'э' => 'e',
        'ж' => 'ž',
        'ш' | 'щ' => 'š',
        'ч' => 'č',
        'я' => return Key::Two('y', 'a'),
        'ю' => return Key::Two('y', 'u'),
        'з' => 'z',
        'и' | 'й' | 'і' | 'ї' | 'ј' => 'i',
        'к' | 'қ' => 'k',
        'л' | 'ӏ' => 'l',
        'м' => 'm',
        'н' | 'ң' => 'n',
        'о' | 'ө' => 'o',
        'п' => 'p',
        'р' => 'r',
        'с' | 'ѕ' => 's',
        'т' => 't',
        'у' | 'ұ' | 'ү' | 'ў' => 'u',
        'ф' => 'f',
        'х' | 'һ' => 'h',
        'ц' => 'c',
        'ъ' | 'ь' => return Key::Zero,
        'ы' => 'y',
        'љ' => 'l',
        'њ' => 'n',
        'ђ' => 'd',
        'ћ' => 'c',
        'џ' => return Key::Two('d', 'ž'),
        'ѓ' => 'g',
        'ќ' => 'k',
        _ => {
            let base = first_decomposed(c);
            return if base != c && is_cyrillic(base) {
                cyrillic_key(base)
            } else if c.is_alphabetic() {
                // Any other Cyrillic letter gets one Latin key letter of its own, so that no
                // loose word mixes scripts (strict script repair would then rewrite it).
                Key::One('ə')
            } else {
                Key::Same
            };
        }
    })
}

/// The first character of the canonical decomposition of `c` (its base letter).
fn first_decomposed(c: char) -> char {
    let mut base = None;
    decompose_canonical(c, |d| {
        if base.is_none() {
            base = Some(d);
        }
    });
    base.unwrap_or(c)
}

fn latin_key(c: char) -> Key {
    match c {
        'š' | 'č' | 'ž' => Key::Same,
        'ş' | 'ś' | 'ș' => Key::One('š'),
        'ç' => Key::One('č'),
        'ı' => Key::One('i'),
        'ý' => Key::One('u'), // Kazakh 2018: ý = у
        'ø' => Key::One('o'),
        'ł' => Key::One('l'),
        'đ' => Key::One('d'),
        'æ' => Key::Two('a', 'e'),
        'œ' => Key::Two('o', 'e'),
        'ĳ' => Key::Two('i', 'ž'),
        _ => match first_decomposed(c) {
            b if b.is_ascii_lowercase() => match key_of(b) {
                Key::Same => Key::One(b),
                k => k,
            },
            _ => Key::Same,
        },
    }
}

mod emoji;

/// Whether `c` is one of the pictographs the normalizers read as a word of its own (`🔪` →
/// `emojiknife`) or a skin-tone modifier: for callers that want a text's words without them
/// ([`crate::fingerprint`]: an emoji added to a repost does not make it another message).
pub fn is_emoji_word(c: char) -> bool {
    emoji::word(c).is_some() || emoji::is_modifier(c)
}
pub(crate) mod wildcard;
pub(crate) mod layout;

#[cfg(test)]
mod tests;
