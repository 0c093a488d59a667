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
            out.push(Token { strict: start..end, parts });
        }
    }
    out
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
    let mut loose = Loose { out: Normalized::default(), word: Vec::new(), key: Vec::new() };
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
    ];

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
