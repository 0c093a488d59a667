use super::*;
use proptest::prelude::*;

/// (input, expected strict view)
const STRICT: &[(&str, &str)] = &[
    // case, all four scripts (Arabic has none: its letter variants below)
    ("KILL Them", "kill them"),
    ("УБИТЬ ВСЕХ", "убить всех"),
    ("ӨЛТІРУ ҚАЖЕТ", "өлтіру қажет"),
    ("İSTANBUL", "istanbul"),
    ("STRASSE Straße", "strasse strasse"),
    // NFKC: fullwidth, mathematical letters, ligatures, Arabic presentation forms
    ("ｋｉｌｌ", "kill"),
    ("𝐤𝐢𝐥𝐥 𝓴𝓲𝓵𝓵", "kill kill"),
    ("ﬁght", "fight"),
    ("ﻗﺘﻞ", "قتل"),
    // zero-width, bidi, soft hyphen
    ("ki\u{200B}ll", "kill"),
    ("уб\u{00AD}ить", "убить"),
    ("\u{202E}уби\u{200D}ть\u{202C}", "убить"),
    ("өл\u{2060}тір", "өлтір"),
    ("اق\u{200C}تلوا", "اقتلوا"),
    // ё, stress marks, combining breve
    ("ёлка Ёж", "елка еж"),
    ("убе\u{301}й", "убей"),
    ("и\u{306}", "й"),
    // separators: spaces, hyphens, line breaks; a blank line is a paragraph break
    ("kill  -\n all", "kill all"),
    ("kill\r\n\r\nall", "kill\u{2029}all"),
    ("kill — all", "kill all"),
    ("kill, all", "kill, all"),
    ("don’t", "don't"),
    ("'quoted'", "\"quoted "),
    ("kill you' now", "kill you now"),
    ("the students' books", "the students books"),
    // homoglyphs: Latin inside Cyrillic and Cyrillic inside Latin
    ("убuть", "убить"),
    ("взрывaть", "взрывать"),
    ("ВЗPЫВ", "взрыв"),
    ("kіll", "kill"),
    ("bоmb", "bomb"),
    ("өлтipу", "өлтіру"),
    // Latin c, e, p in a Cyrillic word whose other letters look like Latin ones only at a
    // stretch (м, т, ь); Cyrillic look-alikes in English words
    ("cмepть", "смерть"),
    ("cмepть полицаям", "смерть полицаям"),
    ("CМEPТЬ", "смерть"),
    // ...but a Latin word with one Cyrillic letter that looks like its Latin one only at a
    // stretch stays Latin: the Latin letters are more
    ("shooт", "shoot"),
    ("SHOOТ", "shoot"),
    ("aттack", "attack"),
    // Arabic diacritics, tatweel, letter variants, digits
    ("اُقْتُلُوا", "اقتلوا"),
    ("اقتـــلوا", "اقتلوا"),
    ("إرهاب أمة آخر", "ارهاب امه اخر"),
    ("على مدرسة", "علي مدرسه"),
    ("٢٠٢٤", "2024"),
    // emoji that can stand for an act: a word of their own; skin tones dropped; others stay
    ("тебя🔪", "тебя emojiknife"),
    ("🔪тебя", "emojiknife тебя"),
    ("you 🔫🔫 now", "you emojigun emojigun now"),
    ("💣\u{FE0F}!", "emojibomb!"),
    ("☠\u{FE0F}", "emojicrossbones"),
    ("🔪🏽x", "emojiknife x"),
    ("ki🏻ll", "kill"),
    ("lol 😂", "lol 😂"),
];

/// (input, other spelling) pairs whose loose views must be equal.
const LOOSE_SAME: &[(&str, &str)] = &[
    // repeated letters
    ("kiiiilllll", "kill"),
    ("убииииить", "убить"),
    ("өлтіііііру", "өлтіру"),
    ("اقتلللللوا", "اقتلوا"),
    // letters spelled out with separators
    ("k i l l", "kill"),
    ("k.i.l.l", "kill"),
    ("k-i-l-l", "kill"),
    ("k . i . l . l", "kill"),
    ("у.б.и.т.ь", "убить"),
    ("у-б-и-т-ь", "убить"),
    ("в з о р в а т ь", "взорвать"),
    ("ө л т і р", "өлтір"),
    ("ق ت ل", "قتل"),
    // the same separator throughout: a one-letter word after another separator is a word
    ("з.а.к.о.п.а.т.ь в лесу", "закопать в лесу"),
    ("k.i.l.l u", "kill u"),
    // leet digits and symbols
    ("k1ll", "kill"),
    ("b0mb", "bomb"),
    ("j1h@d", "jihad"),
    ("k!ll", "kill"),
    ("уб1ть", "убить"),
    ("3арезать", "зарезать"),
    ("6омба", "бомба"),
    ("өлт1р", "өлтір"),
    ("қ@ру", "қару"),
    // Kazakh: Cyrillic, 2017, 2018 and 2021 Latin, ad-hoc ASCII, Russian keyboard
    ("өлтіреміз", "o'ltiremiz"),
    ("өлтіреміз", "óltiremiz"),
    ("өлтіреміз", "öltıremız"),
    ("өлтіреміз", "oltiremiz"),
    ("өлтіреміз", "олтиремиз"),
    ("қазақ", "qazaq"),
    ("қазақ", "kazak"),
    ("қазақ", "казак"),
    ("шабуыл", "şabuyl"),
    ("шабуыл", "shabýyl"),
    ("шабуыл", "s'abuyl"),
    ("соғыс", "soğys"),
    ("соғыс", "sog'ys"),
    ("соғыс", "soǵys"),
    ("соғыс", "согыс"),
    ("жарылыс", "jarylys"),
    ("жарылыс", "zharylys"),
    ("үшін", "üşın"),
    ("үшін", "úshin"),
    ("үшін", "ушин"),
    ("әскер", "äsker"),
    ("әскер", "ásker"),
    ("әскер", "a'sker"),
    ("әскер", "аскер"),
    ("жиһад", "жихад"),
    ("жаңа", "jaña"),
    ("жаңа", "jańa"),
    ("жаңа", "жана"),
    // Cyrillic written in Latin look-alikes mixed with digits
    ("6oм6a", "бомба"),
];

/// Inputs that once broke idempotence (found by the property test below).
const IDEMPOTENT: &[&str] = &["Ꙁ6", "Ｗ\u{2de0}\u{200b}", "Y\u{306}Ўa", "h\u{301}Ђa", "6Hљc", "0@3Ａ", "\u{301}a a \u{483}¡", "y'\u{306}Љ"];

/// (input, other) pairs whose loose views must differ.
const LOOSE_DIFFERENT: &[(&str, &str)] = &[
    ("kill", "skill"),
    ("2024", "zoza"),
    ("a b", "ab"),
    ("kill. all", "kill all"),
];

#[test]
fn strict_table() {
    for &(input, want) in STRICT {
        assert_eq!(strict(input).as_str(), want, "strict({input:?})");
    }
}

#[test]
fn loose_table() {
    for &(a, b) in LOOSE_SAME {
        assert_eq!(loose(a).as_str(), loose(b).as_str(), "loose({a:?}) vs loose({b:?})");
    }
    for &(a, b) in LOOSE_DIFFERENT {
        assert_ne!(loose(a).as_str(), loose(b).as_str(), "loose({a:?}) vs loose({b:?})");
    }
}

#[test]
fn known_idempotence_cases() {
    for &text in IDEMPOTENT {
        let (s, l) = both(text);
        assert_eq!(strict(s.as_str()).as_str(), s.as_str(), "strict {text:?}");
        assert_eq!(loose(l.as_str()).as_str(), l.as_str(), "loose {text:?}");
    }
}

#[test]
fn original_ranges_quote_the_source() {
    let text = "Они: у.\u{200B}б.и.т.ь их!";
    let n = loose(text);
    let at = n.as_str().find("ubit").expect("joined");
    assert_eq!(&text[n.original_range(at..at + 4)], "у.\u{200B}б.и.т.ь");
    let s = strict("ＫＩＬＬ them");
    assert_eq!(&"ＫＩＬＬ them"[s.original_range(0..4)], "ＫＩＬＬ");
}

#[test]
fn emoji_words_quote_the_emoji() {
    for (text, word, quoted) in [
        ("я тебя🔪 понял", "emojiknife", "🔪"),
        ("💣\u{FE0F}на вокзал", "emojibomb", "💣"),
        ("☠ их", "emojicrossbones", "☠"),
    ] {
        for (n, word) in [(strict(text), word.to_string()), (loose(text), loose(word).as_str().to_string())] {
            let at = n.as_str().find(&word).map(|at| at..at + word.len());
            let at = at.unwrap_or_else(|| panic!("{word} in {:?}", n.as_str()));
            assert_eq!(&text[n.original_range(at.clone())], quoted, "{text:?}");
            assert!(n.word_starts().contains(&(at.start as u32)), "{text:?}: a word start");
        }
    }
}

fn interesting_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range('a', 'z'),
        2 => prop::char::range('A', 'Z'),
        4 => prop::char::range('\u{400}', '\u{4FF}'),
        2 => prop::sample::select(vec!['ә', 'ғ', 'қ', 'ң', 'ө', 'ұ', 'ү', 'һ', 'і', 'ä', 'ğ', 'ñ', 'ö', 'ū', 'ü', 'ı', 'ş', 'İ', 'ß', 'ý', 'á', 'ǵ']),
        2 => prop::char::range('\u{600}', '\u{6FF}'),
        2 => prop::sample::select(vec![' ', ' ', '\n', '\r', '\t', '-', '.', ',', '\'', '’', '*', '_', '@', '$', '!', '|', '€', '—', '\u{A0}']),
        2 => prop::char::range('0', '9'),
        1 => prop::sample::select(vec!['\u{200B}', '\u{200D}', '\u{202E}', '\u{AD}', '\u{FEFF}', '\u{301}', '\u{306}', '\u{307}', '\u{2028}', '\u{2029}']),
        1 => prop::char::range('\u{FF01}', '\u{FF5E}'),
        1 => prop::char::range('\u{1D400}', '\u{1D4FF}'),
        1 => prop::char::range('\u{FB50}', '\u{FDFF}'),
        1 => prop::sample::select(vec!['🔪', '💣', '🔥', '💀', '☠', '\u{FE0F}', '\u{1F3FB}', '😂']),
        1 => any::<char>(),
    ]
}

fn check_map(original: &str, n: &Normalized) -> Result<(), TestCaseError> {
    prop_assert_eq!(n.map.len(), n.text.len() + 1);
    prop_assert_eq!(*n.map.last().unwrap() as usize, original.len());
    let mut prev = 0;
    for &m in &n.map {
        prop_assert!(m >= prev, "map decreases");
        prop_assert!((m as usize) <= original.len());
        prop_assert!(original.is_char_boundary(m as usize));
        prev = m;
    }
    for (i, c) in n.text.char_indices() {
        let r = n.original_range(i..i + c.len_utf8());
        prop_assert!(r.start <= r.end && r.end <= original.len());
        prop_assert!(original.is_char_boundary(r.start) && original.is_char_boundary(r.end));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn views_are_idempotent_and_map_inside(chars in prop::collection::vec(interesting_char(), 0..60)) {
        let text: String = chars.into_iter().collect();
        let (s, l) = both(&text);
        check_map(&text, &s)?;
        check_map(&text, &l)?;
        let s2 = strict(s.as_str());
        prop_assert_eq!(s2.as_str(), s.as_str());
        let l2 = loose(l.as_str());
        prop_assert_eq!(l2.as_str(), l.as_str());
    }

    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>()) {
        let (s, l) = both(&text);
        check_map(&text, &s)?;
        check_map(&text, &l)?;
    }
}

#[test]
fn fast_predicates_agree_with_the_standard_library() {
    for u in (0..0x3000u32).chain(0xFB00..0xFF00).chain(0x1D400..0x1D800) {
        let Some(c) = char::from_u32(u) else { continue };
        assert_eq!(is_letter(c), c.is_alphabetic(), "is_letter U+{u:04X}");
        assert_eq!(is_alnum(c), c.is_alphanumeric(), "is_alnum U+{u:04X}");
        assert_eq!(is_mark(c), is_combining_mark(c), "is_mark U+{u:04X}");
    }
}
