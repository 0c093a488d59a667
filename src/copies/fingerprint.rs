//! Near-duplicate fingerprints of an item's text, for clustering reposts (see [`crate::clusters`]).
//!
//! A fingerprint is a 64-value b-bit MinHash (the lowest byte of each of 64 minima) over the
//! word 3-shingles of the item's *content*, plus a hash of the content words in order (for
//! identical copies). The content is the text with what reposts change taken out:
//!
//! * links, `@handles` and e-mail-like tokens are removed before normalizing (a repost adds
//!   its own channel link);
//! * each other whitespace-separated token goes through the project's loose normalizer
//!   ([`crate::normalize::loose`]) on its own, so case, homoglyph, leet and Kazakh-alphabet
//!   variants of a word shingle alike, and emoji and punctuation fall away as non-word
//!   characters (letters spaced out are not joined into a word: in running text "и в с" are
//!   words, and a token's form is remembered per thread, so a long page costs a lookup per
//!   word, not a normalization);
//! * boilerplate lines — a short line holding a cue from [`BOILERPLATE`] ("subscribe to the
//!   channel", "share", "forwarded from", in en/ru/kk/ar, matched on the normalized words) —
//!   are dropped, so a shared footer does not make unrelated posts look alike (if nothing is
//!   left, every line counts, so a post that is all footer still has a fingerprint);
//! * shingles never cross a sentence or line end, so reordered sentences and lines give the
//!   same shingle set, and a dropped line only removes its own shingles.
//!
//! The estimated Jaccard similarity of two fingerprints is the share of equal bytes, corrected
//! for the 1/256 chance that two different minima share their lowest byte. Hashes are this
//! module's own (FNV-1a and a SplitMix64 finalizer), so stored fingerprints stay comparable
//! across builds and dependency versions.
//!
//! This module does not decide what is a duplicate (that is [`crate::clusters`]'s threshold)
//! and does not learn boilerplate from the corpus (a footer not in the list costs the few
//! shingles of one line; see the acceptance test's figures).

use std::sync::OnceLock;

use crate::normalize;

/// Values in a fingerprint.
pub const HASHES: usize = 64;
/// Values per LSH band ([`Fingerprint::band`]). Three rather than four: a copy at similarity
/// 0.5 then shares a band with probability 1 - (1 - 0.5³)^21 = 0.94 instead of 0.64 (the
/// acceptance test measured the difference), at the cost of 24-bit band keys.
pub const ROWS: usize = 3;
/// LSH bands (the last `HASHES % ROWS` values are in none).
pub const BANDS: usize = HASHES / ROWS;
/// Words per shingle.
const SHINGLE: usize = 3;
/// A line with more words than this is content even when it holds a boilerplate cue.
const BOILERPLATE_MAX_WORDS: usize = 12;
/// Bytes of [`Fingerprint::to_bytes`].
pub const STORED_LEN: usize = HASHES + 8 + 4;

/// Cues of boilerplate lines, each the start of a phrase (a stem: `подпис` matches
/// `подписывайтесь`). Compared after loose normalization, so spelling variants agree.
pub const BOILERPLATE: &[&str] = &[
    // en
    "subscribe", "share this", "share with", "share on", "please share", "like and share", "follow us", "follow our channel",
    "join our channel", "join the channel", "our channel", "forwarded from", "reposted from", "repost", "retweet",
    "click here", "read more", "read the full", "all rights reserved", "copyright", "comments", "turn on notifications",
    // ru
    "подписывайтесь", "подпишись", "подпишитесь", "подписаться", "подписка", "поделитесь", "поделись", "поделиться",
    "репост", "переслано", "перешлите", "наш канал", "нашего канала", "на канал", "читать далее", "читать полностью",
    "подробнее", "все права защищены", "комментари", "ставьте лайк", "лайк",
    // kk
    "жазылыңыз", "жазылыңдар", "жазылу", "бөліс", "арнамыз", "арнаға", "біздің арна", "толығырақ", "пікір қалдыр",
    "барлық құқықтар", "таратыңыз",
    // ar
    "اشترك في قناتنا", "اشتركوا في قناتنا", "اشترك في القناة", "اشتركوا في القناة", "شارك المنشور", "شاركوا المنشور",
    "انشر تؤجر", "قناتنا", "القناة", "تابعونا", "للمزيد", "اقرأ المزيد", "جميع الحقوق محفوظة", "التعليقات",
];

/// How a fingerprint is made (the defaults are what kuzet uses; the switch is for measuring).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Drop boilerplate lines (see [`BOILERPLATE`]).
    pub drop_boilerplate: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options { drop_boilerplate: true }
    }
}

/// A near-duplicate fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// The lowest byte of each of [`HASHES`] MinHash minima.
    pub minhash: [u8; HASHES],
    /// Hash of the content words in order: equal for identical copies.
    pub exact: u64,
    /// Distinct shingles the fingerprint was made from; 0: no content (never similar).
    pub shingles: u32,
}

/// A stored fingerprint that could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a stored fingerprint has {0} bytes, expected {STORED_LEN}")]
pub struct BadFingerprint(pub usize);

impl Fingerprint {
    /// Estimated Jaccard similarity of the two content shingle sets, in 0..=1; 0 when either
    /// has no content.
    pub fn similarity(&self, other: &Fingerprint) -> f32 {
        if self.shingles == 0 || other.shingles == 0 {
            return 0.0;
        }
        similarity(&self.minhash, &other.minhash)
    }

    /// Band `b`'s key: its [`ROWS`] bytes. Two fingerprints with similarity `s` share a band
    /// with probability about `s^ROWS`.
    pub fn band(&self, b: usize) -> u32 {
        band(&self.minhash, b)
    }

    /// The stored form: minhash, exact hash (little endian), shingle count.
    pub fn to_bytes(&self) -> [u8; STORED_LEN] {
        let mut out = [0; STORED_LEN];
        out[..HASHES].copy_from_slice(&self.minhash);
        out[HASHES..HASHES + 8].copy_from_slice(&self.exact.to_le_bytes());
        out[HASHES + 8..].copy_from_slice(&self.shingles.to_le_bytes());
        out
    }

    /// Reads [`Fingerprint::to_bytes`] back.
    pub fn from_bytes(bytes: &[u8]) -> Result<Fingerprint, BadFingerprint> {
        if bytes.len() != STORED_LEN {
            return Err(BadFingerprint(bytes.len()));
        }
        let mut minhash = [0; HASHES];
        minhash.copy_from_slice(&bytes[..HASHES]);
        let exact = u64::from_le_bytes(bytes[HASHES..HASHES + 8].try_into().unwrap_or_default());
        let shingles = u32::from_le_bytes(bytes[HASHES + 8..].try_into().unwrap_or_default());
        Ok(Fingerprint { minhash, exact, shingles })
    }
}

/// Estimated Jaccard similarity of two b-bit MinHash signatures.
pub fn similarity(a: &[u8; HASHES], b: &[u8; HASHES]) -> f32 {
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count() as f32 / HASHES as f32;
    ((equal - 1.0 / 256.0) / (1.0 - 1.0 / 256.0)).clamp(0.0, 1.0)
}

/// Band `b`'s key of a signature.
pub fn band(minhash: &[u8; HASHES], b: usize) -> u32 {
    let at = b * ROWS;
    u32::from_le_bytes([minhash[at], minhash[at + 1], minhash[at + 2], 0])
}

/// The fingerprint of `text` with the default [`Options`].
///
/// ```
/// use kuzet::fingerprint::fingerprint;
/// let a = fingerprint("Join the march on Friday. Bring your flags!\nSubscribe to the channel");
/// let b = fingerprint("BRING YOUR FLAGS 🔥 Join the march on Friday https://t.me/x\nПодписывайтесь на канал");
/// assert_eq!(a.similarity(&b), 1.0);
/// ```
pub fn fingerprint(text: &str) -> Fingerprint {
    fingerprint_with(text, Options::default())
}

/// The fingerprint of `text` made with `options`.
pub fn fingerprint_with(text: &str, options: Options) -> Fingerprint {
    let lines = content_lines(text);
    let keep = |line: &&Line| !(options.drop_boilerplate && line.boilerplate);
    let mut kept: Vec<&Line> = lines.iter().filter(keep).collect();
    if kept.iter().all(|l| l.words == 0) {
        kept = lines.iter().collect();
    }
    let mut shingles = Vec::new();
    let mut exact = EXACT_SEED;
    for line in &kept {
        for sentence in line.sentences() {
            for &w in sentence {
                exact = mix(exact.rotate_left(17) ^ w);
            }
            shingle(sentence, &mut shingles);
        }
    }
    shingles.sort_unstable();
    shingles.dedup();
    Fingerprint { minhash: minhash(&shingles), exact: mix(exact), shingles: shingles.len() as u32 }
}

/// One line of the text: its normalized words' hashes, and whether it is boilerplate.
#[derive(Debug)]
struct Line {
    /// Word hashes ([`word_hash`]), [`END`] after each sentence.
    hashes: Vec<u64>,
    words: usize,
    boilerplate: bool,
}

/// Ends a sentence among word hashes (no word hashes to it).
const END: u64 = 0;

impl Line {
    fn sentences(&self) -> impl Iterator<Item = &[u64]> {
        self.hashes.split(|&h| h == END).filter(|s| !s.is_empty())
    }
}

/// The text's lines that hold words. Each whitespace-separated token is normalized on its own
/// (links, handles and e-mail addresses dropped, emoji read as sentence ends) and its words
/// hashed, through a per-thread memo: words repeat, and a flagged page's whole text is
/// fingerprinted, so a long page costs a lookup per token, not a normalization.
fn content_lines(text: &str) -> Vec<Line> {
    MEMO.with_borrow_mut(|memo| {
        if memo.tokens.len() > MEMO_MAX {
            *memo = Memo::default();
        }
        text.lines().filter_map(|raw| content_line(raw, memo)).collect()
    })
}

/// A token as the fingerprint reads it: its word hashes, with [`END`] where a sentence ends.
/// Nearly every token is one word (and perhaps a sentence end), so two hashes are kept inline;
/// a token with more keeps them in the memo's spill list.
#[derive(Debug, Clone, Copy)]
struct Token {
    hashes: [u64; 2],
    /// 0..=2: hashes in use; [`LINK`]: a link, `@handle` or e-mail address (left out);
    /// [`SPILLED`]: `hashes[0]` indexes [`Memo::spilled`].
    len: u8,
    /// Whether a word of the token begins with the last word of a boilerplate cue: a line
    /// without such a token holds no cue, and its words are not looked at again.
    cue_end: bool,
}

const LINK: u8 = u8::MAX;
const SPILLED: u8 = u8::MAX - 1;

/// What a thread remembers of the tokens it has read, keyed by a 64-bit hash of the token's
/// bytes ([`token_key`]): comparing keys then never reads the token's bytes again (on a long
/// page the string comparisons were most of the lookups' cost). Two different tokens sharing
/// a key, at 2^-64 per pair, would only make one word look like another in a fingerprint.
#[derive(Default)]
struct Memo {
    tokens: std::collections::HashMap<u64, Token, std::hash::BuildHasherDefault<KeyHasher>>,
    spilled: Vec<Box<[u64]>>,
}

impl Memo {
    fn hashes<'a>(&'a self, token: &'a Token) -> &'a [u64] {
        match token.len {
            LINK => &[],
            SPILLED => &self.spilled[token.hashes[0] as usize],
            n => &token.hashes[..usize::from(n)],
        }
    }

    fn token(&mut self, raw: &str) -> Token {
        let key = token_key(raw);
        if let Some(t) = self.tokens.get(&key) {
            return *t;
        }
        let token = match normalized_token(raw) {
            None => Token { hashes: [0; 2], len: LINK, cue_end: false },
            Some(normalized) => {
                let hashes = word_hashes(&normalized);
                let cue_end = words_of(&normalized).any(|w| cue_ends().iter().any(|end| w.starts_with(end.as_str())));
                if hashes.len() <= 2 {
                    let mut inline = [0; 2];
                    inline[..hashes.len()].copy_from_slice(&hashes);
                    Token { hashes: inline, len: hashes.len() as u8, cue_end }
                } else {
                    self.spilled.push(hashes.into());
                    Token { hashes: [self.spilled.len() as u64 - 1, 0], len: SPILLED, cue_end }
                }
            }
        };
        self.tokens.insert(key, token);
        token
    }
}

/// The keys are already mixed hashes: the map uses them as they are.
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = mix(self.0 ^ u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A 64-bit hash of a token's bytes, eight at a time.
fn token_key(token: &str) -> u64 {
    let bytes = token.as_bytes();
    let mut h = mix(bytes.len() as u64 ^ 0x746f_6b65_6e5f_6b79);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        h = mix(h ^ u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        h = mix(h ^ u64::from_le_bytes(last));
    }
    h
}

/// Tokens a thread remembers before it starts again (32 bytes each).
const MEMO_MAX: usize = 1 << 17;

thread_local! {
    static MEMO: std::cell::RefCell<Memo> = std::cell::RefCell::new(Memo::default());
}

fn content_line(raw: &str, memo: &mut Memo) -> Option<Line> {
    let mut hashes = Vec::new();
    let mut words = 0;
    let mut cue_end = false;
    for token in tokens(raw) {
        let token = memo.token(token);
        cue_end |= token.cue_end;
        for &w in memo.hashes(&token) {
            // a sentence end only after a word of this sentence
            if w != END || hashes.last().is_some_and(|&last| last != END) {
                hashes.push(w);
                words += usize::from(w != END);
            }
        }
    }
    if words == 0 {
        return None;
    }
    let boilerplate = words <= BOILERPLATE_MAX_WORDS && cue_end && holds_cue(&line_words(raw));
    Some(Line { hashes, words, boilerplate })
}

/// The whitespace-separated tokens of `line`, as [`str::split_whitespace`] gives them, found
/// on the bytes (the standard library's per-character Unicode test was a quarter of a
/// fingerprint's time).
fn tokens(line: &str) -> impl Iterator<Item = &str> {
    let bytes = line.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        let mut start = None;
        while i < bytes.len() {
            let space = whitespace_len(bytes, i);
            if space > 0 {
                if let Some(s) = start {
                    let token = &line[s..i];
                    i += space;
                    return Some(token);
                }
                i += space;
            } else {
                start.get_or_insert(i);
                i += 1;
            }
        }
        start.map(|s| &line[s..])
    })
}

/// The length of the White_Space character at `bytes[i]` (0 if there is none there). `i` is
/// any byte of valid UTF-8: a continuation byte is never a whitespace lead.
#[inline]
fn whitespace_len(bytes: &[u8], i: usize) -> usize {
    let at = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
    match bytes[i] {
        b'\t'..=b'\r' | b' ' => 1,
        0xC2 if matches!(at(1), 0x85 | 0xA0) => 2,
        0xE1 if at(1) == 0x9A && at(2) == 0x80 => 3,
        0xE2 if (at(1) == 0x80 && matches!(at(2), 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF)) || (at(1) == 0x81 && at(2) == 0x9F) => 3,
        0xE3 if at(1) == 0x80 && at(2) == 0x80 => 3,
        _ => 0,
    }
}

/// A short line's normalized words, one space before each (for the boilerplate cues).
fn line_words(raw: &str) -> String {
    let mut line = String::new();
    for normalized in tokens(raw).filter_map(normalized_token) {
        for word in words_of(&normalized) {
            line.push(' ');
            line.push_str(word);
        }
    }
    line
}

fn words_of(normalized: &str) -> impl Iterator<Item = &str> {
    normalized.split(|c: char| !normalize::is_word_char(c)).filter(|w| !w.is_empty())
}

/// The hashes of a normalized token's words, [`END`] after a sentence end.
fn word_hashes(normalized: &str) -> Vec<u64> {
    let mut hashes = Vec::new();
    let mut word_start = None;
    for (i, c) in normalized.char_indices().chain([(normalized.len(), ' ')]) {
        if normalize::is_word_char(c) && i < normalized.len() {
            word_start.get_or_insert(i);
            continue;
        }
        if let Some(start) = word_start.take() {
            hashes.push(word_hash(&normalized[start..i]));
        }
        if is_sentence_end(c) {
            hashes.push(END);
        }
    }
    hashes
}

/// A normalized word's hash (never [`END`]).
fn word_hash(word: &str) -> u64 {
    mix(fnv(FNV_OFFSET, word.as_bytes())).max(1)
}

/// A token's normalized form; `None` for a link, `@handle` or e-mail address. Emoji are
/// decoration here, whatever the matcher reads them as; in a post they stand where a sentence
/// ends ("bring your flags 🔥 join us").
fn normalized_token(token: &str) -> Option<Box<str>> {
    if is_link(token) {
        return None;
    }
    let token: String = token.chars().map(|c| if is_pictograph(c) { '.' } else { c }).collect();
    Some(normalize::loose(&token).as_str().into())
}

/// An emoji or pictograph (the blocks emoji come from), or a skin-tone modifier.
fn is_pictograph(c: char) -> bool {
    normalize::is_emoji_word(c) || matches!(c, '\u{1F000}'..='\u{1FAFF}' | '\u{2600}'..='\u{27BF}' | '\u{2B00}'..='\u{2BFF}')
}

fn is_link(token: &str) -> bool {
    let t = token.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '@');
    let lower = t.to_ascii_lowercase();
    if lower.contains("://") || lower.starts_with("www.") || (t.starts_with('@') && t.len() > 1) || (t.contains('@') && t.contains('.')) {
        return true;
    }
    // host.tld/path
    match lower.split_once('/') {
        Some((host, _)) => {
            let labels: Vec<&str> = host.split('.').collect();
            // Letters of any script: a repost may spell its link with look-alikes (`vk.cоm`).
            let tld_has_letter = labels.last().is_some_and(|l| l.chars().any(char::is_alphabetic));
            labels.len() >= 2 && tld_has_letter && labels.iter().all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
        }
        None => false,
    }
}

fn is_sentence_end(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | ';' | '…' | '؟' | '۔' | '।' | '\u{2029}')
}

/// Whether a line's words (each after one space, as [`line_words`] makes them) hold a
/// boilerplate cue starting at a word.
fn holds_cue(line: &str) -> bool {
    cues().iter().any(|cue| line.contains(cue.as_str()))
}

/// The cues normalized as lines are, each with a leading space (a cue starts at a word).
fn cues() -> &'static [String] {
    static CUES: OnceLock<Vec<String>> = OnceLock::new();
    CUES.get_or_init(|| {
        BOILERPLATE
            .iter()
            .filter_map(|cue| {
                let normalized = normalize::loose(cue);
                let words: Vec<&str> = words_of(normalized.as_str()).collect();
                (!words.is_empty()).then(|| format!(" {}", words.join(" ")))
            })
            .collect()
    })
}

/// The last word of each cue (normalized).
fn cue_ends() -> &'static [String] {
    static ENDS: OnceLock<Vec<String>> = OnceLock::new();
    ENDS.get_or_init(|| {
        let mut ends: Vec<String> = cues().iter().filter_map(|cue| cue.rsplit(' ').next().map(str::to_owned)).collect();
        ends.sort();
        ends.dedup();
        ends
    })
}

/// Pushes the hashes of a sentence's word shingles (a shorter sentence is one shingle).
fn shingle(words: &[u64], out: &mut Vec<u64>) {
    let hash = |ws: &[u64]| ws.iter().fold(SHINGLE_SEED, |h, &w| mix(h.rotate_left(17) ^ w));
    if words.len() < SHINGLE {
        out.push(hash(words));
    } else {
        out.extend(words.windows(SHINGLE).map(hash));
    }
}

/// The b-bit MinHash of a set of shingle hashes (the scale bench makes synthetic
/// fingerprints with it).
///
/// 64 mixes per shingle are most of a fingerprint's cost on a long page; where the CPU has
/// AVX-512 (64-bit lane multiplies) or AVX2 the same loop is compiled for it, with the same
/// result.
pub fn minhash(shingles: &[u64]) -> [u8; HASHES] {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512dq") {
            // SAFETY: the CPU has the features the function is compiled for.
            return unsafe { minhash_avx512(shingles) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: as above.
            return unsafe { minhash_avx2(shingles) };
        }
    }
    minhash_in(shingles)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl")]
fn minhash_avx512(shingles: &[u64]) -> [u8; HASHES] {
    minhash_in(shingles)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn minhash_avx2(shingles: &[u64]) -> [u8; HASHES] {
    minhash_in(shingles)
}

#[inline(always)]
fn minhash_in(shingles: &[u64]) -> [u8; HASHES] {
    let seeds = seeds();
    let mut mins = [u64::MAX; HASHES];
    for &h in shingles {
        for i in 0..HASHES {
            mins[i] = mins[i].min(mix(h ^ seeds[i]));
        }
    }
    mins.map(|m| m as u8)
}

fn seeds() -> &'static [u64; HASHES] {
    static SEEDS: [u64; HASHES] = {
        let mut s = [0; HASHES];
        let mut i = 0;
        while i < HASHES {
            s[i] = mix(0x6b75_7a65_745f_6670 ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            i += 1;
        }
        s
    };
    &SEEDS
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const SHINGLE_SEED: u64 = 0x7368_696e_676c_6533;
const EXACT_SEED: u64 = 0x6578_6163_745f_7764;

fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// SplitMix64's finalizer: a bijective mix of 64 bits.
pub const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "The council meets on Friday at noon in the old square.\nEveryone who cares about the river must come and speak.\nBring your neighbours, bring your questions, bring water for the long wait.\nThe vote on the dam is next month and the plans are still secret.";

    proptest::proptest! {
        /// Any text (hostile bytes, mixed scripts, lines in any order) gives a fingerprint
        /// without panicking; it is similar to itself, and reordering its lines changes nothing.
        #[test]
        fn any_text_fingerprints_and_line_order_does_not_matter(
            parts in proptest::collection::vec(proptest::sample::select(vec!["kill", "Убить", "қ", "قتل", "a.b/c", "@x", "🔥", "\u{200B}", ".", "!", " ", "\n", "\r\n", "\u{2029}", "k1ll", "Subscribe", "ё"]), 0..80),
        ) {
            let text: String = parts.concat();
            let fp = fingerprint(&text);
            let lines: Vec<&str> = text.lines().collect();
            let reversed: Vec<&str> = lines.iter().rev().copied().collect();
            let other = fingerprint(&reversed.join("\n"));
            proptest::prop_assert_eq!(fp.shingles, other.shingles);
            proptest::prop_assert_eq!(fp.minhash, other.minhash);
            if fp.shingles > 0 {
                proptest::prop_assert_eq!(fp.similarity(&fp), 1.0);
            }
            proptest::prop_assert_eq!(Fingerprint::from_bytes(&fp.to_bytes()), Ok(fp));
        }
    }

    proptest::proptest! {
        /// The byte splitter agrees with the standard library on any text, every whitespace
        /// character included.
        #[test]
        fn tokens_split_as_split_whitespace_does(text in "(\\PC|[\\s\u{85}\u{a0}\u{1680}\u{2000}-\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}\u{200b}\u{180e}\u{feff}]){0,40}") {
            let ours: Vec<&str> = tokens(&text).collect();
            let std: Vec<&str> = text.split_whitespace().collect();
            proptest::prop_assert_eq!(ours, std);
        }
    }

    #[test]
    fn minhash_is_the_same_on_every_code_path() {
        // The CPU-specific builds of the loop and the portable one.
        let mut h = 7u64;
        for n in [0, 1, 2, 3, 63, 64, 65, 1000] {
            let shingles: Vec<u64> = (0..n).map(|_| { h = mix(h); h }).collect();
            assert_eq!(minhash(&shingles), minhash_in(&shingles), "{n} shingles");
        }
    }

    #[test]
    fn every_whitespace_character_splits_tokens() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let text = format!("a{c}b");
            let ours: Vec<&str> = tokens(&text).collect();
            let std: Vec<&str> = text.split_whitespace().collect();
            assert_eq!(ours, std, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn edits_reposts_make_keep_the_fingerprint_close() {
        // (edited copy, lowest similarity to BASE it must keep)
        let cases: &[(&str, f32)] = &[
            (BASE, 1.0),
            // reordered lines and sentences
            ("The vote on the dam is next month and the plans are still secret.\nBring your neighbours, bring your questions, bring water for the long wait.\nEveryone who cares about the river must come and speak.\nThe council meets on Friday at noon in the old square.", 1.0),
            // links, handles and emoji added; case and homoglyphs changed
            ("🔥🔥 THE COUNCIL MEETS ON FRIDAY AT NOON IN THE OLD SQUARE https://t.me/river_now\nEveryone who cares about the river must come and speak 👉 @river_now\nBring your neighbours, bring your questions, bring water for the long wait. www.example.org/x\nThe vote on the dam is next month and the plans are still secrеt.", 1.0),
            // a footer and a signature (boilerplate lines) added
            ("The council meets on Friday at noon in the old square.\nEveryone who cares about the river must come and speak.\nBring your neighbours, bring your questions, bring water for the long wait.\nThe vote on the dam is next month and the plans are still secret.\nSubscribe to our channel and share with friends!\nПодписывайтесь на наш канал", 1.0),
            // one line dropped, a signature that is not boilerplate added
            ("The council meets on Friday at noon in the old square.\nBring your neighbours, bring your questions, bring water for the long wait.\nThe vote on the dam is next month and the plans are still secret.\n— Aigerim from the valley", 0.55),
        ];
        let base = fingerprint(BASE);
        for (copy, least) in cases {
            let s = base.similarity(&fingerprint(copy));
            assert!(s >= *least, "similarity {s} < {least} for {copy:?}");
        }
    }

    #[test]
    fn unrelated_texts_with_the_same_footer_stay_apart() {
        let footer = "\nSubscribe to the channel!\nShare this post 🔥 https://t.me/chan\nПодписывайтесь на канал «Вести»\nАрнамызға жазылыңыз!\nاشترك في قناتنا";
        let a = format!("The harvest came early this year and the barns are full.{footer}");
        let b = format!("A new bridge opens in the north of the city next week.{footer}");
        let with = fingerprint(&a).similarity(&fingerprint(&b));
        let without = fingerprint_with(&a, Options { drop_boilerplate: false }).similarity(&fingerprint_with(&b, Options { drop_boilerplate: false }));
        assert!(with < 0.1, "{with}");
        assert!(without > 0.25, "the footer should weigh without the list: {without}");
    }

    #[test]
    fn boilerplate_lines_are_recognised_in_every_language_and_spelling() {
        // (line, boilerplate?)
        let cases: &[(&str, bool)] = &[
            ("Subscribe to the channel!", true),
            ("SUBSCR1BE to the channel", true),
            ("Подписывайтесь на наш канал 👉 https://t.me/x", true),
            ("ПОДПИСЫВАЙТЕСЬ", true),
            ("Арнамызға жазылыңыз", true),
            ("Arnamyzga jazylynyz", true),
            ("اشترك في قناتنا", true),
            ("Forwarded from Voice of the East", true),
            ("Переслано из «Голос»", true),
            ("We will meet at the square on Friday", false),
            ("Они пришли ночью и ушли утром", false),
            // words that share a stem with a cue but are content
            ("Президент подписал указ", false),
            ("Хат жазылған күні", false),
            ("Join us at the square on Friday", false),
            ("اشترك في القتال", false),
            // a long line holding a cue is content
            ("Those who subscribe to this idea should come to the square on Friday and speak with the council about the dam", false),
        ];
        for (line, want) in cases {
            let lines = content_lines(line);
            assert_eq!(lines.len(), 1, "{line:?}");
            assert_eq!(lines[0].boilerplate, *want, "{line:?}");
        }
    }

    #[test]
    fn links_are_recognised() {
        let cases: &[(&str, bool)] = &[
            ("https://t.me/x", true),
            ("(http://a.b/c)", true),
            ("www.example.org", true),
            ("t.me/chan", true),
            ("example.com/path", true),
            ("@handle", true),
            ("me@mail.kz", true),
            ("@", false),
            ("word", false),
            ("end.", false),
            ("and/or", false),
            ("3.5/10", false),
            ("https://vk.cоm/wаll-1_2", true),
            ("vk.cоm/wаll-1_2", true),
        ];
        for (token, want) in cases {
            assert_eq!(is_link(token), *want, "{token:?}");
        }
    }

    #[test]
    fn empty_and_footer_only_texts() {
        assert_eq!(fingerprint("").shingles, 0);
        assert_eq!(fingerprint("🔥🔥 https://t.me/x").shingles, 0);
        assert_eq!(fingerprint("").similarity(&fingerprint("")), 0.0);
        // all footer: the footer is the content
        let f = fingerprint("Subscribe to the channel");
        assert!(f.shingles > 0);
        assert_eq!(f.similarity(&fingerprint("subscribe to the channel!!")), 1.0);
    }

    #[test]
    fn identical_content_has_equal_exact_hashes() {
        let a = fingerprint("One two three. Four five six.");
        assert_eq!(a.exact, fingerprint("ONE two three 🔥. Four five six! https://x.y/z").exact);
        assert_ne!(a.exact, fingerprint("Four five six. One two three.").exact);
    }

    #[test]
    fn stored_form_round_trips_and_bad_lengths_are_errors() {
        let f = fingerprint(BASE);
        assert_eq!(Fingerprint::from_bytes(&f.to_bytes()), Ok(f));
        assert_eq!(Fingerprint::from_bytes(&[0; 5]), Err(BadFingerprint(5)));
    }

    #[test]
    fn fingerprints_are_stable_across_builds() {
        // The hashes are this module's own: a stored fingerprint must compare with one made
        // by a later build. The expected bytes were computed once with this code (words hashed
        // one by one, before the first release that stores fingerprints).
        let f = fingerprint("the quick brown fox");
        assert_eq!(f.shingles, 2);
        assert_eq!(f.minhash[..4], STABLE_PREFIX);
    }
    const STABLE_PREFIX: [u8; 4] = [142, 177, 196, 195];
}
