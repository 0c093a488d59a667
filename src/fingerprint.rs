//! Near-duplicate fingerprints of an item's text, for clustering reposts (see [`crate::clusters`]).
//!
//! A fingerprint is a 64-value b-bit MinHash (the lowest byte of each of 64 minima) over the
//! word 3-shingles of the item's *content*, plus a hash of the content words in order (for
//! identical copies). The content is the text with what reposts change taken out:
//!
//! * links, `@handles` and e-mail-like tokens are removed before normalizing (a repost adds
//!   its own channel link);
//! * the rest goes through the project's loose normalizer ([`crate::normalize::loose`]), so
//!   case, homoglyph, leet and Kazakh-alphabet variants of a word shingle alike, and emoji and
//!   punctuation fall away as non-word characters;
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
    if kept.iter().all(|l| l.words() == 0) {
        kept = lines.iter().collect();
    }
    let mut shingles = Vec::new();
    let mut exact = FNV_OFFSET;
    for line in &kept {
        for sentence in &line.sentences {
            for w in sentence {
                exact = fnv(exact, w.as_bytes());
                exact = fnv(exact, b" ");
            }
            shingle(sentence, &mut shingles);
        }
    }
    shingles.sort_unstable();
    shingles.dedup();
    Fingerprint { minhash: minhash(&shingles), exact: mix(exact), shingles: shingles.len() as u32 }
}

/// One line of the text: its sentences as normalized words, and whether it is boilerplate.
#[derive(Debug)]
struct Line {
    sentences: Vec<Vec<String>>,
    boilerplate: bool,
}

impl Line {
    fn words(&self) -> usize {
        self.sentences.iter().map(Vec::len).sum()
    }
}

fn content_lines(text: &str) -> Vec<Line> {
    text.lines()
        .filter_map(|raw| {
            let stripped = strip_links(raw);
            let normalized = normalize::loose(&stripped);
            let sentences = sentences(normalized.as_str());
            if sentences.is_empty() {
                return None;
            }
            let words: Vec<&str> = sentences.iter().flatten().map(String::as_str).collect();
            let boilerplate = words.len() <= BOILERPLATE_MAX_WORDS && holds_cue(&words);
            Some(Line { sentences, boilerplate })
        })
        .collect()
}

/// `line` without links, `@handles` and e-mail addresses (whitespace-separated tokens), its
/// emoji read as sentence ends.
fn strip_links(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for token in line.split_whitespace() {
        if !is_link(token) {
            // Emoji are decoration here, whatever the matcher reads them as; in a post they
            // stand where a sentence ends ("bring your flags 🔥 join us").
            out.extend(token.chars().map(|c| if is_pictograph(c) { '.' } else { c }));
        }
        out.push(' ');
    }
    out
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

/// The sentences of a normalized line, each as its words.
fn sentences(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut sentence: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if normalize::is_word_char(c) {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            sentence.push(std::mem::take(&mut word));
        }
        if is_sentence_end(c) && !sentence.is_empty() {
            out.push(std::mem::take(&mut sentence));
        }
    }
    if !word.is_empty() {
        sentence.push(word);
    }
    if !sentence.is_empty() {
        out.push(sentence);
    }
    out
}

fn is_sentence_end(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | ';' | '…' | '؟' | '۔' | '।' | '\u{2029}')
}

/// Whether the words hold a boilerplate cue starting at a word.
fn holds_cue(words: &[&str]) -> bool {
    let line = format!(" {}", words.join(" "));
    cues().iter().any(|cue| line.contains(cue.as_str()))
}

/// The cues normalized as lines are, each with a leading space (a cue starts at a word).
fn cues() -> &'static [String] {
    static CUES: OnceLock<Vec<String>> = OnceLock::new();
    CUES.get_or_init(|| {
        BOILERPLATE
            .iter()
            .filter_map(|cue| {
                let words: Vec<String> = sentences(normalize::loose(cue).as_str()).into_iter().flatten().collect();
                (!words.is_empty()).then(|| format!(" {}", words.join(" ")))
            })
            .collect()
    })
}

/// Pushes the hashes of a sentence's word shingles (a shorter sentence is one shingle).
fn shingle(words: &[String], out: &mut Vec<u64>) {
    let hash = |ws: &[String]| ws.iter().fold(FNV_OFFSET, |h, w| fnv(fnv(h, w.as_bytes()), b" "));
    if words.len() < SHINGLE {
        out.push(hash(words));
    } else {
        out.extend(words.windows(SHINGLE).map(hash));
    }
}

/// The b-bit MinHash of a set of shingle hashes (the scale bench makes synthetic
/// fingerprints with it).
pub fn minhash(shingles: &[u64]) -> [u8; HASHES] {
    let mut mins = [u64::MAX; HASHES];
    for &h in shingles {
        for (m, seed) in mins.iter_mut().zip(seeds()) {
            *m = (*m).min(mix(h ^ seed));
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
        // by a later build. The expected bytes were computed once with this code.
        let f = fingerprint("the quick brown fox");
        assert_eq!(f.shingles, 2);
        assert_eq!(f.minhash[..4], STABLE_PREFIX);
    }
    const STABLE_PREFIX: [u8; 4] = [100, 95, 218, 2];
}
