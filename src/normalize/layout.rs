//! Words typed in the wrong keyboard layout: Russian or Kazakh typed with the English (QWERTY)
//! layout on (`e,bnm` for убить, `dpjhdfnm` for взорвать, `-kn3h` for өлтір), and English typed
//! with the Russian layout on (`лшдд` for kill).
//!
//! The keys are those of the Russian ЙЦУКЕН layout and of the Kazakh one (RST KazSSR 903-90, as
//! in xkeyboard-config's `kz` symbols: ә і ң ғ ү ұ қ ө һ on the keys of 2 3 4 5 8 9 0 - =; its
//! other letters sit where the Russian layout has them).
//!
//! A token is read the other way only when it is implausible as typed ([`implausible`]): a
//! Latin token with a layout's letter keys that are not letters in English (`, . ; ' [ ] \``, a
//! digit or `-`/`=` of the Kazakh row) inside it, or without a vowel, or with a letter pair
//! that (almost) no English word has; a Cyrillic token without a vowel or with a letter pair
//! that (almost) no Russian word form has. The pair tables were made once from word lists (the
//! English words of `wordfreq` at a Zipf frequency of 2.5 or more: pairs in fewer than 3 words;
//! every word form of `pymorphy3`'s Russian dictionary: pairs in fewer than 50), at the word's
//! edges too (`^ы`: no Russian word begins with ы). Ordinary words of either language are left
//! as they are, and the matcher reads a token only when its reading is a word of the lexicon.
//!
//! This module reads tokens only; it does not match.

use std::ops::Range;

/// Latin keys and the Cyrillic letters of the same keys in the Russian layout; then the
/// Kazakh layout's digit row.
const LATIN_KEYS: &str = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`{}:\"<>~234589 0-=";
const CYRILLIC_KEYS: &str = "йцукенгшщзхъфывапролджэячсмитьбюёхъжэбюёәіңғүұ қөһ";

/// Letter pairs that fewer than 3 common English words have (`^`, `$`: the word's edges).
const RARE_EN: [&str; 100] = [
    "bk", "bq", "bx", "bz", "cj", "cx", "dx", "fq", "fv", "fz", "gj", "gq", "gv", "gx", "hj", "hx", "jb", "jc", "jd", "jg", "jk", "jl", "jm", "jn",
    "jq", "jr", "jt", "jv", "jw", "jx", "jy", "jz", "kq", "kx", "kz", "lq", "lx", "mj", "mq", "pq", "px", "pz", "qc", "qd", "qe", "qf", "qg", "qh",
    "qj", "qk", "qm", "qn", "qo", "qp", "qq", "qr", "qt", "qv", "qw", "qx", "qy", "qz", "tj", "tq", "vb", "vj", "vk", "vn", "vq", "vw", "vx", "vz",
    "wj", "wq", "wv", "wx", "wz", "xd", "xg", "xj", "xk", "xn", "xq", "xr", "xs", "xw", "xz", "yj", "yq", "zc", "zd", "zf", "zg", "zj", "zn", "zp",
    "zq", "zv", "zw", "zx",
];

/// Letter pairs that fewer than 50 Russian word forms have (ё read as е).
const RARE_RU: [&str; 186] = [
    "^ъ", "^ы", "^ь", "аъ", "аы", "аь", "бй", "вй", "гй", "гф", "гц", "гщ", "гъ", "дй", "еъ", "еы", "еь", "жй", "жш", "жщ", "жъ", "жы", "зй", "зф",
    "зщ", "иъ", "иы", "иь", "йй", "йу", "йъ", "йь", "кй", "кщ", "къ", "лй", "лъ", "мй", "мъ", "нй", "оъ", "оы", "оь", "пв", "пг", "пж", "пз", "пй",
    "пъ", "рй", "ръ", "сй", "тй", "уъ", "уы", "уь", "фб", "фв", "фд", "фж", "фй", "фп", "фц", "фщ", "фъ", "фэ", "хж", "хй", "хф", "хщ", "хъ", "хю",
    "хя", "цж", "цй", "цф", "цч", "цщ", "цъ", "ця", "чб", "чг", "чд", "чз", "чй", "чц", "чч", "чщ", "чъ", "чы", "чэ", "чю", "шд", "шж", "шй", "шш",
    "шщ", "шъ", "шы", "шя", "щб", "щг", "щд", "щж", "щз", "щй", "щк", "щл", "щм", "щп", "щс", "щт", "щф", "щх", "щц", "щч", "щш", "щщ", "щъ", "щы",
    "щэ", "щю", "щя", "ъ$", "ъа", "ъб", "ъв", "ъг", "ъд", "ъж", "ъз", "ъи", "ъй", "ък", "ъл", "ъм", "ън", "ъо", "ъп", "ър", "ъс", "ът", "ъу", "ъф",
    "ъх", "ъц", "ъч", "ъш", "ъщ", "ъъ", "ъы", "ъь", "ъэ", "ыо", "ыъ", "ыы", "ыь", "ыэ", "ыю", "ьй", "ьу", "ьъ", "ьы", "ьь", "э$", "эа", "эе", "эи",
    "эц", "эч", "эщ", "эъ", "эы", "эь", "ээ", "эю", "эя", "юу", "юъ", "юы", "юь", "юя", "яъ", "яы", "яь", "яэ",
];

/// Longest token read (characters).
const MAX_TOKEN: usize = 32;

/// The Cyrillic letter typed with Latin key `c` (lower case), if it is a key of a letter.
fn cyrillic_of(c: char) -> Option<char> {
    let k = LATIN_KEYS.chars().position(|l| l == c)?;
    CYRILLIC_KEYS.chars().nth(k).filter(|&r| r != ' ')
}

/// The Latin letter on the key of Russian letter `c` (lower case), if it is a letter.
fn latin_of(c: char) -> Option<char> {
    let c = if c == 'ё' { '`' } else { c };
    let k = CYRILLIC_KEYS.chars().position(|r| r == c)?;
    LATIN_KEYS.chars().nth(k).filter(char::is_ascii_lowercase)
}

/// Whether `word` (lower case) has a pair of `rare`, its edges marked `^` and `$`.
fn has_rare_pair(word: &str, rare: &[&str]) -> bool {
    let mut prev = '^';
    word.chars().chain(std::iter::once('$')).any(|c| {
        let pair = (Some(prev), Some(c));
        prev = c;
        rare.binary_search_by(|r| {
            let mut it = r.chars();
            (it.next(), it.next()).cmp(&pair)
        })
        .is_ok()
    })
}

/// Whether the token `t` (lower case, Latin keys or Russian letters) is implausible as typed:
/// a key that is no letter in English before its last character, or its letters (the marks
/// that end it aside) without a vowel or with a rare pair.
pub(crate) fn implausible(t: &str) -> bool {
    let letters = t.trim_end_matches(|c: char| !c.is_alphabetic());
    if letters.is_empty() || t.chars().count() < 2 {
        return false;
    }
    if letters.chars().all(|c| c.is_ascii_lowercase()) {
        !letters.contains(['a', 'e', 'i', 'o', 'u']) || has_rare_pair(letters, &RARE_EN)
    } else if letters.chars().all(|c| ('а'..='я').contains(&c) || c == 'ё') {
        let letters = letters.replace('ё', "е");
        !letters.contains(['а', 'е', 'и', 'о', 'у', 'ы', 'э', 'ю', 'я']) || has_rare_pair(&letters, &RARE_RU)
    } else {
        // Latin keys with a layout's letter keys that are no letters in English inside.
        letters.chars().any(|c| c.is_ascii_lowercase()) && t.chars().all(|c| cyrillic_of(c).is_some())
    }
}

/// `token` read in the other layout, lower case, if every character is a letter's key there:
/// Latin keys as Russian or Kazakh letters, Russian letters as English ones.
pub(crate) fn read(token: &str) -> Option<String> {
    let lower = lower_if_typed(token)?;
    if lower.is_ascii() {
        lower.chars().map(cyrillic_of).collect()
    } else {
        lower.chars().map(latin_of).collect()
    }
}

/// `token` in lower case when it is written as typing makes words: all in lower case, all in
/// upper case, or the first letter only in upper case (not `iPhone`, `McDonald`).
fn lower_if_typed(token: &str) -> Option<String> {
    let letters: Vec<char> = token.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    let first_only = upper == 1 && letters.first().is_some_and(|c| c.is_uppercase());
    (upper == 0 || upper == letters.len() || first_only).then(|| token.chars().flat_map(char::to_lowercase).collect())
}

/// The loose key of a reading when it is one word (the form the patterns' words have).
pub(crate) fn loose_key(reading: &str) -> Option<String> {
    let key = super::loose(reading);
    let key = key.as_str().trim();
    (!key.is_empty() && key.chars().all(super::is_word_char)).then(|| key.to_string())
}

/// One token that may be typed in the wrong layout, with its reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// Byte range in the original text.
    pub(crate) range: Range<usize>,
    /// The token read in the other layout (lower case).
    pub(crate) reading: String,
}

/// Characters a token of a layout may hold: ASCII letters and the keys of Russian and Kazakh
/// letters, or Russian letters.
fn is_key(c: char) -> bool {
    c.is_ascii_alphabetic() || cyrillic_of(c.to_ascii_lowercase()).is_some() || ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c)) || c == 'ё' || c == 'Ё'
}

/// Candidate tokens of `text`: runs of layout keys between spaces (or other characters), each
/// implausible as typed, as they are or without the punctuation that usually ends a word
/// (`.`, `,`, `;`, `:`, `"`, `'`: `e,m.` is убью, `e,tq.` is убей and a full stop). Each gives
/// its readings, longest first; `accept` picks the first that stands.
pub(crate) fn tokens(text: &str, mut accept: impl FnMut(&str) -> bool) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !is_key(c) {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(k, n)) = chars.peek() {
            if !is_key(n) {
                break;
            }
            end = k + n.len_utf8();
            chars.next();
        }
        let run = &text[start..end];
        // Leading marks are opening punctuation here, unless they are the Kazakh ө key (`-`).
        let lead = run.len() - run.trim_start_matches(['"', '\'', '[', '{', '<', '`']).len();
        let (from, run) = (start + lead, &run[lead..]);
        if run.chars().count() > MAX_TOKEN || !run.chars().any(char::is_alphabetic) {
            continue;
        }
        let mut cut = run;
        loop {
            if let Some(reading) = lower_if_typed(cut).filter(|l| implausible(l)).and_then(|_| read(cut))
                && accept(&reading)
            {
                out.push(Token { range: from..from + cut.len(), reading });
                break;
            }
            match cut.strip_suffix(['.', ',', ';', ':', '"', '\'']) {
                Some(shorter) if shorter.chars().any(char::is_alphabetic) => cut = shorter,
                _ => break,
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted() {
        assert!(RARE_EN.windows(2).all(|p| p[0] < p[1]));
        assert!(RARE_RU.windows(2).all(|p| p[0] < p[1]));
        assert_eq!(LATIN_KEYS.chars().count(), CYRILLIC_KEYS.chars().count());
    }

    #[test]
    fn readings() {
        let table: &[(&str, Option<&str>)] = &[
            ("e,bnm", Some("убить")),
            ("dpjhdfnm", Some("взорвать")),
            ("E,tQ", None), // mixed case is not typing
            ("Ghbdtn", Some("привет")),
            ("-kn3h", Some("өлтір")),
            ("0fpfr", Some("қазак")),
            ("лшдд", Some("kill")),
            ("ищьи", Some("bomb")),
            ("хлеб", None), // х and б are punctuation keys in English
            ("e,m.", Some("убью")),
        ];
        for &(token, want) in table {
            assert_eq!(read(token).as_deref(), want, "{token}");
        }
    }

    #[test]
    fn implausible_as_typed() {
        let table: &[(&str, bool)] = &[
            // Russian and Kazakh typed on the English layout
            ("e,bnm", true),
            ("dpjhdfnm", true),
            ("cnhtkznm", true),
            ("-kn3htv3y", true),
            ("ghbdtn", true),
            // English typed on the Russian layout
            ("лшдд", true),
            ("ырщще", true),
            ("шышы", true),
            // ordinary words of either language
            ("kill", false),
            ("herb", false),
            ("bomb", false),
            ("here", false),
            ("руку", false),
            ("пгт", true), // no vowel: the matcher reads no token of three letters alone
            ("убить", false),
            ("привет", false),
            ("туче", false),
        ];
        for &(token, want) in table {
            assert_eq!(implausible(token), want, "{token}");
        }
    }

    #[test]
    fn tokens_with_their_readings() {
        const WORDS: &[&str] = &["убью", "его", "взорвать", "метро", "kill", "all", "убей", "фдд"];
        let all = |text: &str| tokens(text, |r| WORDS.contains(&r)).into_iter().map(|t| (text[t.range].to_string(), t.reading)).collect::<Vec<_>>();
        let own = |a: &str, b: &str| (a.to_string(), b.to_string());
        // tuj (его) has a vowel and no rare pair: plausible English, left alone
        assert_eq!(all("ya e,m. tuj! lol"), [own("e,m.", "убью")]);
        assert_eq!(all("nice song, great vibe"), []);
        assert_eq!(all("\"dpjhdfnm vtnhj\""), [own("dpjhdfnm", "взорвать"), own("vtnhj", "метро")]);
        // all, is plausible (a comma at the end is punctuation); фдд is no reading of it
        assert_eq!(all("лшдд them all, привет"), [own("лшдд", "kill")]);
        // the first reading that stands, longest first
        assert_eq!(all("e,tq."), [own("e,tq", "убей")]);
        assert_eq!(all("-kn3htv3y"), []);
    }
}
