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

/// [`LATIN_KEYS`] and [`CYRILLIC_KEYS`] as a table by ASCII byte (`'\0'`: no letter's key).
const BY_ASCII: [char; 128] = {
    let mut table = ['\0'; 128];
    let (latin, cyrillic) = (LATIN_KEYS.as_bytes(), CYRILLIC_KEYS.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < latin.len() {
        // Each Cyrillic letter is two bytes in UTF-8 (the space, one).
        let (c, len) = if cyrillic[j] < 0x80 {
            ('\0', 1)
        } else {
            let code = ((cyrillic[j] as u32 & 0x1F) << 6) | (cyrillic[j + 1] as u32 & 0x3F);
            match char::from_u32(code) {
                Some(c) => (c, 2),
                None => ('\0', 2),
            }
        };
        table[latin[i] as usize] = c;
        i += 1;
        j += len;
    }
    table
};

/// The Cyrillic letter typed with Latin key `c` (lower case), if it is a key of a letter.
fn cyrillic_of(c: char) -> Option<char> {
    let r = *BY_ASCII.get(c as usize)?;
    (r != '\0').then_some(r)
}

/// The Latin letter on the key of Russian letter `c` (lower case), if it is a letter.
fn latin_of(c: char) -> Option<char> {
    // а..я in alphabetical order, then ё; `\0` where the key is no letter in English.
    const RU: [char; 32] = [
        'f', ',', 'd', 'u', 'l', 't', ';', 'p', 'b', 'q', 'r', 'k', 'v', 'y', 'j', 'g', 'h', 'c', 'n', 'e', 'a', '[', 'w', 'x', 'i', 'o', ']', 's', 'm', '\'', '.', 'z',
    ];
    let l = match c {
        'а'..='я' => RU[(c as u32 - 'а' as u32) as usize],
        _ => return None,
    };
    l.is_ascii_lowercase().then_some(l)
}

/// Index of a lower-case letter in the pair tables: `a`..`z` or `а`..`я` 0..31, ё as е, the
/// word's edge 32.
fn pair_index(c: char) -> usize {
    match c {
        'a'..='z' => c as usize - 'a' as usize,
        'а'..='я' => c as usize - 'а' as usize,
        'ё' => 'е' as usize - 'а' as usize,
        _ => 32,
    }
}

/// A pair table as bits: row of the first letter, bit of the second.
type Pairs = [u64; 33];

fn pairs(rare: &[&str]) -> Pairs {
    let mut table = [0u64; 33];
    for pair in rare {
        let mut it = pair.chars().map(pair_index);
        if let (Some(a), Some(b)) = (it.next(), it.next()) {
            table[a] |= 1 << b;
        }
    }
    table
}

/// Whether `word` (lower case) has a pair of `rare`, its edges included.
fn has_rare_pair(word: &str, rare: &Pairs) -> bool {
    let mut prev = 32;
    word.chars().map(pair_index).chain(std::iter::once(32)).any(|c| {
        let hit = rare[prev] & (1 << c) != 0;
        prev = c;
        hit
    })
}

static RARE_EN_PAIRS: std::sync::LazyLock<Pairs> = std::sync::LazyLock::new(|| pairs(&RARE_EN));
static RARE_RU_PAIRS: std::sync::LazyLock<Pairs> = std::sync::LazyLock::new(|| pairs(&RARE_RU));

/// Whether the token `t` (lower case, Latin keys or Russian letters) is implausible as typed:
/// a key that is no letter in English before its last character, or its letters (the marks
/// that end it aside) without a vowel or with a rare pair.
pub(crate) fn implausible(t: &str) -> bool {
    let letters = t.trim_end_matches(|c: char| !is_letter(c));
    if letters.is_empty() || t.chars().count() < 2 {
        return false;
    }
    if letters.chars().all(|c| c.is_ascii_lowercase()) {
        !letters.contains(['a', 'e', 'i', 'o', 'u']) || has_rare_pair(letters, &RARE_EN_PAIRS)
    } else if letters.chars().all(|c| ('а'..='я').contains(&c) || c == 'ё') {
        !letters.contains(['а', 'е', 'ё', 'и', 'о', 'у', 'ы', 'э', 'ю', 'я']) || has_rare_pair(letters, &RARE_RU_PAIRS)
    } else {
        // Latin keys with a layout's letter keys that are no letters in English inside.
        letters.chars().any(|c| c.is_ascii_lowercase()) && t.chars().all(|c| cyrillic_of(c).is_some())
    }
}

/// Whether `run` is letters of one script only, with a vowel and no rare pair (in one pass, in
/// any case): a plausible word, the common case, passed over without more work.
fn plain_word(run: &str) -> bool {
    let (mut ascii, mut cyrillic, mut vowel, mut rare) = (false, false, false, false);
    let mut prev = 32;
    for c in run.chars().map(lower) {
        let k = match c {
            'a'..='z' => {
                ascii = true;
                vowel |= matches!(c, 'a' | 'e' | 'i' | 'o' | 'u');
                pair_index(c)
            }
            'а'..='я' | 'ё' => {
                cyrillic = true;
                vowel |= matches!(c, 'а' | 'е' | 'ё' | 'и' | 'о' | 'у' | 'ы' | 'э' | 'ю' | 'я');
                pair_index(c)
            }
            _ => return false,
        };
        let table = if ascii { &*RARE_EN_PAIRS } else { &*RARE_RU_PAIRS };
        rare |= table[prev] & (1 << k) != 0;
        prev = k;
    }
    let table = if ascii { &*RARE_EN_PAIRS } else { &*RARE_RU_PAIRS };
    rare |= table[prev] & (1 << 32) != 0;
    ascii != cyrillic && vowel && !rare
}

/// Whether a reading (lower case) may be a word: a vowel and no rare pair of its language
/// (Kazakh letters are let through). A token of random keys reads as no word either way.
fn plausible(reading: &str) -> bool {
    if reading.is_ascii() {
        reading.contains(['a', 'e', 'i', 'o', 'u', 'y']) && !has_rare_pair(reading, &RARE_EN_PAIRS)
    } else if reading.chars().all(|c| ('а'..='я').contains(&c) || c == 'ё') {
        reading.contains(['а', 'е', 'ё', 'и', 'о', 'у', 'ы', 'э', 'ю', 'я']) && !has_rare_pair(reading, &RARE_RU_PAIRS)
    } else {
        true
    }
}

#[cfg(test)]
/// `token` read in the other layout, lower case, if every character is a letter's key there:
/// Latin keys as Russian or Kazakh letters, Russian letters as English ones.
pub(crate) fn read(token: &str) -> Option<String> {
    read_lower(&lower_if_typed(token)?)
}

/// [`read`] of a token in lower case.
fn read_lower(lower: &str) -> Option<String> {
    if lower.is_ascii() {
        lower.chars().map(cyrillic_of).collect()
    } else {
        lower.chars().map(latin_of).collect()
    }
}

/// `token` in lower case when it is written as typing makes words: all in lower case, all in
/// upper case, or the first letter only in upper case (not `iPhone`, `McDonald`).
#[cfg(test)]
fn lower_if_typed(token: &str) -> Option<String> {
    typed_case(token).then(|| token.chars().map(lower).collect())
}

/// Whether the letters of `token` are all in lower case, all in upper case, or only the first
/// in upper case.
fn typed_case(token: &str) -> bool {
    let (mut letters, mut upper, mut first_upper) = (0, 0, false);
    for c in token.chars().filter(|&c| is_letter(c)) {
        let up = c.is_ascii_uppercase() || ('А'..='Я').contains(&c) || c == 'Ё';
        first_upper |= letters == 0 && up;
        letters += 1;
        upper += usize::from(up);
    }
    upper == 0 || upper == letters || (upper == 1 && first_upper)
}

/// `c` in lower case (ASCII and Russian letters; others as they are).
fn lower(c: char) -> char {
    match c {
        'A'..='Z' => c.to_ascii_lowercase(),
        'А'..='Я' => char::from_u32(c as u32 + 0x20).unwrap_or(c),
        'Ё' => 'ё',
        _ => c,
    }
}

/// The strict form of a reading when it is one word (the form the strict patterns' words
/// have; the matcher reads it in the strict view). Not the loose form: there a Russian reading
/// is transliterated, and English typed `by` (ин, in) or Kazakh `-шы` (is) would read as
/// English function words.
pub(crate) fn strict_key(reading: &str) -> Option<String> {
    let key = super::strict(reading);
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
/// Whether `c` is a letter of a layout's token (ASCII or Russian).
fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || ('А'..='я').contains(&c) || c == 'ё' || c == 'Ё'
}

fn is_key(c: char) -> bool {
    c.is_ascii_alphabetic() || cyrillic_of(c).is_some() || ('А'..='я').contains(&c) || c == 'ё' || c == 'Ё'
}

/// Candidate tokens of `text`: runs of layout keys between spaces (or other characters), each
/// implausible as typed, as they are or without the punctuation that usually ends a word
/// (`.`, `,`, `;`, `:`, `"`, `'`: `e,m.` is убью, `e,tq.` is убей and a full stop). Each gives
/// its readings, longest first; `accept` picks the first that stands. The edges of `text`
/// count as bounds: screening reads a word or a stretch of the page this way, and finds among
/// them every token the matcher finds in the whole text (a run glued inside the piece to a
/// character of another kind, `әшы`, is glued to it in the page too).
pub(crate) fn tokens(text: &str, mut accept: impl FnMut(&str) -> bool) -> Vec<Token> {
    let mut out = Vec::new();
    let mut buf = String::new();
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
        // A token stands between spaces (opening marks before it, closing marks after it):
        // a run glued to anything else (`өәe,bnm`, `e,m.!2024`) is part of a word of another kind.
        let before = text[..start].chars().next_back();
        let after = text[end..].trim_start_matches(['!', '?', ')', '»', '”', '…']).chars().next();
        if !before.is_none_or(|c| c.is_whitespace() || matches!(c, '«' | '“' | '„' | '(')) || !after.is_none_or(char::is_whitespace) {
            continue;
        }
        let run = &text[start..end];
        // Leading marks are opening punctuation here, unless they are the Kazakh ө key (`-`).
        let lead = run.len() - run.trim_start_matches(['"', '\'', '[', '{', '<', '`']).len();
        let (from, run) = (start + lead, &run[lead..]);
        if run.chars().count() > MAX_TOKEN || !run.chars().any(is_letter) {
            continue;
        }
        if plain_word(run) {
            continue;
        }
        let mut cut = run;
        loop {
            buf.clear();
            buf.extend(cut.chars().map(lower));
            if typed_case(cut)
                && implausible(&buf)
                && let Some(reading) = read_lower(&buf)
                && plausible(&reading)
                && accept(&reading)
            {
                out.push(Token { range: from..from + cut.len(), reading });
                break;
            }
            match cut.strip_suffix(['.', ',', ';', ':', '"', '\'']) {
                Some(shorter) if shorter.chars().any(is_letter) => cut = shorter,
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
        for pair in RARE_EN.iter().chain(&RARE_RU) {
            let table = if pair.is_ascii() { &*RARE_EN_PAIRS } else { &*RARE_RU_PAIRS };
            assert!(has_rare_pair(pair.trim_matches(['^', '$']), table), "{pair}");
        }
        assert_eq!(LATIN_KEYS.chars().count(), CYRILLIC_KEYS.chars().count());
    }

    #[test]
    fn key_tables_agree() {
        for (l, r) in LATIN_KEYS.chars().zip(CYRILLIC_KEYS.chars()) {
            assert_eq!(cyrillic_of(l), (r != ' ').then_some(r), "{l}");
        }
        for r in ('а'..='я').chain(['ё']) {
            let first = CYRILLIC_KEYS.chars().position(|c| c == r).and_then(|k| LATIN_KEYS.chars().nth(k));
            assert_eq!(latin_of(r), first.filter(char::is_ascii_lowercase), "{r}");
        }
    }

    #[test]
    fn plain_words_agree_with_implausible() {
        for w in ["kill", "Herb", "ПРИВЕТ", "руку", "лшдд", "ырщще", "dpjhdfnm", "e,bnm", "пгт", "Шышы", "rhythm"] {
            let lower: String = w.chars().map(lower).collect();
            let simple = lower.chars().all(|c| c.is_ascii_lowercase()) || lower.chars().all(|c| ('а'..='я').contains(&c) || c == 'ё');
            assert_eq!(plain_word(w), simple && !implausible(&lower), "{w}");
        }
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
        const WORDS: &[&str] = &["убью", "его", "взорвать", "метро", "kill", "all", "убей", "фдд", "is"];
        let all = |text: &str| tokens(text, |r| WORDS.contains(&r)).into_iter().map(|t| (text[t.range].to_string(), t.reading)).collect::<Vec<_>>();
        let own = |a: &str, b: &str| (a.to_string(), b.to_string());
        // tuj (его) has a vowel and no rare pair: plausible English, left alone
        assert_eq!(all("ya e,m. tuj! lol"), [own("e,m.", "убью")]);
        assert_eq!(all("(e,m.!) e,m.!2024 лшдд\"@mb"), [own("e,m.", "убью")]);
        assert_eq!(all("nice song, great vibe"), []);
        assert_eq!(all("\"dpjhdfnm vtnhj\""), [own("dpjhdfnm", "взорвать"), own("vtnhj", "метро")]);
        // all, is plausible (a comma at the end is punctuation); фдд is no reading of it
        assert_eq!(all("лшдд them all, привет"), [own("лшдд", "kill")]);
        // the first reading that stands, longest first
        assert_eq!(all("e,tq."), [own("e,tq", "убей")]);
        assert_eq!(all("-kn3htv3y"), []);
        // glued to letters that are no keys: part of another word
        assert_eq!(all("өәe,bnm ә\"e,bnm"), []);
        // a Kazakh word ending in шы (is) is no token, whatever piece of the page is read
        assert_eq!(all("әшы"), []);
        assert_eq!(all("шы"), [own("шы", "is")]);
    }

    #[test]
    fn strict_keys_keep_the_reading_in_its_script() {
        // The loose view would make ин "in" and он "on", English function words.
        let table = [("ин", Some("ин")), ("Он", Some("он")), ("kill", Some("kill")), ("e,m", None), ("", None)];
        for (reading, want) in table {
            assert_eq!(strict_key(reading).as_deref(), want, "{reading}");
        }
    }
}
