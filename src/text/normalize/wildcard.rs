//! Words of the strict view that the loose view cannot read one way, as tokens of parts for
//! `resolve` to read against the lexicon's words.
//!
//! * Masked letters: `*` or `_` between letters of one word (`k*ll`, `k**l`, `у*бить`,
//!   `уб_й`). A run of n marks stands for 0 to n letters ([`Part::Any`]): `у*бить` hides
//!   nothing, `k**l` two letters (one once repeats are folded).
//! * Ambiguous leet digits ([`choices`]): in a Cyrillic word `3` is з or е, `4` ч or а, `9` д or
//!   я; in a Latin word `1` is i or l (`ki11`). The loose view reads each the first way.
//! * I and l confused in a Latin word: an upper-case `I` after the first letter of a word
//!   otherwise in lower case reads l or i (`kiII`), a lower-case `l` in a word otherwise in upper
//!   case reads i or l (`ISlS`). `Illinois`, `ILL` and `ill` have no such letter.
//!
//! * Arabizi (the Arabic chat alphabet): a Latin word with the digits that stand for Arabic
//!   letters (`2` ء/ق, `3` ع, `5` خ, `6` ط, `7` ح, `8` غ/ق, `9` ق/ص) is read as the consonants of an
//!   Arabic word ([`arabizi`]: vowels and the weak letters ا و ي ء dropped, as in
//!   [`arabic_skeleton`]): `a2tolak` ~ أقتلك, `7ar2` ~ حرق, `dab7` ~ ذبح, `yel3an` ~ يلعن.
//!
//! Only marks, digits and letters written in ASCII count: fullwidth forms fold to them in the
//! strict view but are evasion of their own kind. Nothing here matches, and the loose view is
//! left as it is: a word read another way is matched where it stands by the matcher.

use std::ops::Range;

use super::{Loose, Normalized, char_at, is_cyrillic, is_latin, is_letter, is_strict_word, scan_word};

/// Longest token looked at (bytes of the strict view), and most pieces between marks.
const MAX_TOKEN: usize = 96;
const MAX_PIECES: usize = 8;

/// One part of a token.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Part {
    /// Letters as the loose view folds them (repeats folded within the part only).
    Lit(Vec<char>),
    /// 0 to n letters.
    Any(u8),
    /// One of these loose keys.
    OneOf(&'static [&'static str]),
}

/// A word (or words joined by marks) read as parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// Byte range in the strict view.
    pub(crate) strict: Range<usize>,
    pub(crate) parts: Vec<Part>,
    /// Arabizi: `parts` are the consonants of an Arabic word ([`arabic_skeleton`]).
    pub(crate) arabizi: bool,
}

/// Every token of the strict view `strict` of `original` (see the module docs), in order.
pub(crate) fn tokens(original: &str, strict: &Normalized) -> Vec<Token> {
    let text = strict.as_str();
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let c = char_at(text, i);
        if !is_strict_word(c) {
            i += c.len_utf8();
            continue;
        }
        let (start, mut end) = (i, scan_word(text, i));
        let mut pieces = vec![start..end];
        loop {
            let run = text[end..].bytes().take_while(|&b| b == b'*' || b == b'_').count();
            let next = end + run;
            if run == 0 || next >= text.len() || !is_strict_word(char_at(text, next)) || !written_ascii(original, strict, end..next) {
                break;
            }
            end = scan_word(text, next);
            pieces.push(next..end);
        }
        i = end;
        if end - start > MAX_TOKEN || pieces.len() > MAX_PIECES {
            continue;
        }
        if pieces.len() == 1
            && let Some(parts) = arabizi(&text[start..end])
            && written_ascii(original, strict, start..end)
        {
            out.push(Token { strict: start..end, parts, arabizi: true });
        }
        if pieces.len() == 1 && !may_read_two_ways(original.as_bytes().get(strict.original_range(start..end)).unwrap_or_default()) {
            continue;
        }
        let mut parts = Vec::new();
        let mut odd = pieces.len() > 1;
        for (k, piece) in pieces.iter().enumerate() {
            if k > 0 {
                let marks = piece.start - pieces[k - 1].end;
                parts.push(Part::Any(marks.min(usize::from(u8::MAX)) as u8));
            }
            odd |= piece_parts(original, strict, piece.clone(), &mut parts);
        }
        if odd {
            out.push(Token { strict: start..end, parts, arabizi: false });
        }
    }
    out
}

/// Whether a word written as `original` may hold a letter read two ways ([`piece_parts`]): a
/// two-way leet digit, an upper-case `I`, or an `l` with an upper-case letter. Most words have
/// none and are passed over without being read.
fn may_read_two_ways(original: &[u8]) -> bool {
    original.iter().any(|&b| matches!(b, b'1' | b'3' | b'4' | b'9' | b'I')) || (original.contains(&b'l') && original.iter().any(u8::is_ascii_uppercase))
}

/// Whether every character that made `strict[range]` was ASCII in the original.
fn written_ascii(original: &str, strict: &Normalized, range: Range<usize>) -> bool {
    range.clone().all(|k| original.as_bytes().get(strict.map()[k] as usize).is_some_and(u8::is_ascii))
}

/// The original character that made the strict byte `k`.
fn original_char(original: &str, strict: &Normalized, k: usize) -> char {
    original.get(strict.map()[k] as usize..).and_then(|s| s.chars().next()).unwrap_or('\0')
}

/// Appends the parts of one word `strict[range]`; whether any reads two ways.
fn piece_parts(original: &str, strict: &Normalized, range: Range<usize>, parts: &mut Vec<Part>) -> bool {
    let text = strict.as_str();
    let word: Vec<(char, u32)> = text[range.clone()].char_indices().map(|(k, c)| (c, (range.start + k) as u32)).collect();
    let (cyr, lat) = (word.iter().filter(|(c, _)| is_cyrillic(*c)).count(), word.iter().filter(|(c, _)| is_latin(*c)).count());
    let letters = word.iter().any(|&(c, _)| is_letter(c));
    let cyrillic = cyr > lat;
    // In the original: letters in upper case after the first (but I), letters in lower case,
    // and those but l.
    let (mut inner_upper, mut lower, mut lower_not_l) = (0, 0, 0);
    if !cyrillic {
        for (k, &(c, off)) in word.iter().enumerate() {
            if is_letter(c) {
                let o = original_char(original, strict, off as usize);
                inner_upper += usize::from(k > 0 && o.is_uppercase() && o != 'I');
                lower += usize::from(o.is_lowercase());
                lower_not_l += usize::from(o.is_lowercase() && o != 'l');
            }
        }
    }
    let mut loose = Loose { latin_russian: false, out: Normalized::default(), word: Vec::new(), key: Vec::new() };
    let flush = |loose: &mut Loose, parts: &mut Vec<Part>| {
        if !loose.word.is_empty() {
            loose.fold_word_in(cyrillic, letters);
            parts.push(Part::Lit(loose.key.iter().map(|&(c, _)| c).collect()));
            loose.word.clear();
        }
    };
    let mut odd = false;
    for (k, &(c, off)) in word.iter().enumerate() {
        let o = original_char(original, strict, off as usize);
        let choice = if !letters || !o.is_ascii() {
            None
        } else if cyrillic {
            choices(c, true)
        } else {
            match (c, o) {
                ('i', 'I') if k > 0 && inner_upper == 0 && lower > 0 => Some(&["l", "i"][..]),
                ('l', 'l') if inner_upper > 0 && lower_not_l == 0 => Some(&["i", "l"][..]),
                _ => choices(c, false),
            }
        };
        match choice {
            Some(options) => {
                flush(&mut loose, parts);
                parts.push(Part::OneOf(options));
                odd = true;
            }
            None => loose.word.push((c, off)),
        }
    }
    flush(&mut loose, parts);
    odd
}

/// The readings of a leet digit that stands for two letters (the loose view takes the first),
/// in a Cyrillic word or a Latin one, as loose keys. In Russian and Kazakh leet `3` is з (its
/// shape) or е (mirrored Ε), `4` ч (its shape) or а (as in Latin leet), `9` д (handwritten) or я
/// (mirrored); `1` in a Latin word is i or l.
pub(crate) fn choices(c: char, cyrillic: bool) -> Option<&'static [&'static str]> {
    Some(match (c, cyrillic) {
        ('3', true) => &["z", "e"],
        ('4', true) => &["č", "a"],
        ('9', true) => &["d", "ya"],
        ('1', false) => &["i", "l"],
        _ => return None,
    })
}

/// Latin letters and digits of Arabizi and the Arabic letters they stand for (a choice of
/// several where the chat alphabet writes several alike; "" for a glottal stop, which
/// [`arabic_skeleton`] drops), two-letter spellings first.
const ARABIZI: &[(&str, &[&str])] = &[
    ("sh", &["ش"]),
    ("kh", &["خ"]),
    ("gh", &["غ"]),
    ("th", &["ث", "ذ"]),
    ("dh", &["ذ", "ض"]),
    ("2", &["", "ق"]),
    ("3", &["ع"]),
    ("5", &["خ"]),
    ("6", &["ط"]),
    ("7", &["ح"]),
    ("8", &["غ", "ق"]),
    ("9", &["ق", "ص"]),
    ("b", &["ب"]),
    ("p", &["ب"]),
    ("t", &["ت", "ط"]),
    ("j", &["ج"]),
    ("g", &["ج", "غ"]),
    ("d", &["د", "ض", "ذ"]),
    ("r", &["ر"]),
    ("z", &["ز", "ظ", "ذ"]),
    ("s", &["س", "ص"]),
    ("f", &["ف"]),
    ("v", &["ف"]),
    ("q", &["ق"]),
    ("k", &["ك", "ق"]),
    ("l", &["ل"]),
    ("m", &["م"]),
    ("n", &["ن"]),
    ("h", &["ه", "ح"]),
    ("c", &["ك", "س"]),
    ("x", &["ك"]),
];

/// The consonants of the strict Latin word `word` read as Arabizi: it must hold a letter and a
/// digit that only Arabizi reads as a letter (2 3 5 6 7 8 9), and make three consonants or more.
/// Vowels, `w` and `y` (the weak letters) are dropped.
fn arabizi(word: &str) -> Option<Vec<Part>> {
    let b = word.as_bytes();
    if !b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()) || !b.iter().any(u8::is_ascii_lowercase) || !b.iter().any(|c| b"2356789".contains(c)) {
        return None;
    }
    let mut parts = Vec::new();
    let mut i = 0;
    while i < word.len() {
        match ARABIZI.iter().find(|(latin, _)| word[i..].starts_with(latin)) {
            Some(&(latin, options)) => {
                parts.push(Part::OneOf(options));
                i += latin.len();
            }
            None if b"aeiouwy".contains(&b[i]) => i += 1,
            None => return None,
        }
    }
    (parts.len() >= 3).then_some(parts)
}

/// The consonants of an Arabic word of the loose view: ا و ي ء dropped (Arabizi leaves short
/// vowels unwritten and spells long ones as it likes), repeats folded; `None` for a word
/// not all Arabic or of fewer than two consonants.
pub(crate) fn arabic_skeleton(word: &str) -> Option<String> {
    if !word.chars().all(|c| ('\u{621}'..='\u{64A}').contains(&c)) {
        return None;
    }
    let mut out = String::new();
    for c in word.chars().filter(|c| !matches!(c, 'ا' | 'و' | 'ي' | 'ء' | 'ى' | 'أ' | 'إ' | 'آ' | 'ؤ' | 'ئ')) {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    (out.chars().count() >= 2).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(parts: &[Part]) -> String {
        parts
            .iter()
            .map(|p| match p {
                Part::Lit(cs) => cs.iter().collect(),
                Part::Any(n) => format!("?{n}"),
                Part::OneOf(o) => format!("[{}]", o.join("|")),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// (text, tokens as their original text and parts)
    const CASES: &[(&str, &[(&str, &str)])] = &[
        ("I will kill you", &[]),
        ("k*ll them", &[("k*ll", "k ?1 l")]),
        ("k**l", &[("k**l", "k ?2 l")]),
        ("k_ll k__ll", &[("k_ll", "k ?1 l"), ("k__ll", "k ?2 l")]),
        ("у*бить", &[("у*бить", "u ?1 bit")]),
        ("уб*й", &[("уб*й", "ub ?1 i")]),
        ("*bold* and snake_case", &[("snake_case", "snake ?1 case")]),
        ("k* ll", &[]),
        ("ki11 k1ll", &[("ki11", "ki [i|l] [i|l]"), ("k1ll", "k [i|l] l")]),
        ("уб3й 4ечня 9а", &[("уб3й", "ub [z|e] i"), ("4ечня", "[č|a] ečnya"), ("9а", "[d|ya] a")]),
        ("kiII ISlS KlLL", &[("kiII", "ki [l|i] [l|i]"), ("ISlS", "is [i|l] s"), ("KlLL", "k [i|l] l")]),
        ("Illinois ILLINOIS ill Ill Kill Will Ki|l McIntosh", &[("McIntosh", "mc [l|i] ntoš")]),
        ("2024 и 1", &[]),
        // Arabizi: vowels and weak letters dropped; digits of Arabic letters
        ("a2tolak", &[("a2tolak", "[|ق] [ت|ط] [ل] [ك|ق]")]),
        ("7ar2 dab7", &[("7ar2", "[ح] [ر] [|ق]"), ("dab7", "[د|ض|ذ] [ب] [ح]")]),
        ("yel3an mp3 covid19 h264", &[("yel3an", "[ل] [ع] [ن]"), ("mp3", "[م] [ب] [ع]"), ("covid19", "covid [i|l] 9")]),
    ];

    #[test]
    fn skeletons() {
        for (word, want) in [("اقتلك", Some("قتلك")), ("هقتلك", Some("هقتلك")), ("ذبح", Some("ذبح")), ("يلعن", Some("لعن")), ("الله", Some("له")), ("و", None), ("kill", None)] {
            assert_eq!(arabic_skeleton(word).as_deref(), want, "{word}");
        }
    }

    #[test]
    fn table() {
        for &(text, want) in CASES {
            let strict = super::super::strict(text);
            let got: Vec<(String, String)> = tokens(text, &strict)
                .iter()
                .map(|t| (text[strict.original_range(t.strict.clone())].to_string(), show(&t.parts)))
                .collect();
            let want: Vec<(String, String)> = want.iter().map(|&(a, b)| (a.to_string(), b.to_string())).collect();
            assert_eq!(got, want, "{text:?}");
        }
    }
}
