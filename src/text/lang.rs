//! Language labels: which language an item is mostly written in, for routing and reporting.
//!
//! It labels; it never decides which lexicons run (every lexicon runs on every text). The
//! sample is the item's main text: lines of running text first, so that a menu of short links
//! ("Қазақша", "English") does not decide the label of a Russian page. Cheap signals decide
//! first: Arabic script; Kazakh-only Cyrillic letters (ә ғ қ ң ө ұ ү һ і) as a share of the
//! Cyrillic ones; Kazakh Latin letters (ä ū ñ ǵ ń) and function words, so that Latin-script
//! Kazakh is not called Azerbaijani or Turkish; frequent Russian and English function words.
//! Kazakh, Russian and Arabic written in Latin letters (the 2021 alphabet or ad-hoc ASCII,
//! transliterated Russian, Arabizi with its digits 2 3 5 7 9) are labelled with the script:
//! `kk-Latn`, `ru-Latn`, `ar-Latn`. Only what the signals leave open goes to lingua, restricted
//! to en, ru, kk, ar, uk, tr and az.

use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};

use crate::normalize::{is_cyrillic, is_latin};

/// Characters of the sample the detector looks at.
const SAMPLE_CHARS: usize = 1_000;

/// A language detector restricted to the languages kuzet reports.
pub struct LangDetector {
    lingua: LanguageDetector,
}

impl std::fmt::Debug for LangDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LangDetector")
    }
}

impl Default for LangDetector {
    fn default() -> LangDetector {
        LangDetector::new()
    }
}

const KK_LATIN_WORDS: &[&str] = &["jäne", "jane", "men", "bul", "osy", "üşın", "ushin", "üshin", "emes", "bolyp", "dep", "qazaq", "qazaqstan", "biz", "sender", "olar", "degen", "bar", "joq", "üşin", "turaly", "bіz"];
const KK_CYRILLIC_WORDS: &[&str] = &["жане", "және", "мен", "бул", "бұл", "осы", "ушин", "үшін", "емес", "болып", "деп", "бар", "жок", "жоқ", "биз", "біз", "олар", "туралы", "казак", "қазақ"];
const RU_LATIN_WORDS: &[&str] = &["chto", "eto", "kak", "ne", "na", "oni", "vse", "vseh", "ego", "dlya", "tak", "uzhe", "byl", "byla", "nado", "nuzhno", "ih", "ty", "ya", "menya", "tebya", "budet", "kogda", "tolko", "esli", "mne", "tebe", "etih", "etot", "eta", "vy", "vas", "my", "nas", "kto", "gde", "pochemu", "sejchas", "seichas", "blya", "bylo", "ili", "net", "da", "vot", "tut", "ono",
    "chtob", "chtoby", "shto", "ja", "tebja", "menja", "vsekh", "ikh", "etikh", "tekh", "teh", "svoih", "svoikh",
    "iz", "ot", "bez", "emu", "ej", "ey", "nikto", "nichego", "chego", "chem", "tozhe", "eshche",
    "eshe", "potom", "mozhno", "nelzya", "hochu", "khochu", "budu", "budem", "davay", "davai", "pust", "bratva",
    "bratan", "bratya", "brat", "suka", "blyat", "blin", "nahuy", "nahui", "segodnya", "zavtra", "vsegda",
    "nikogda", "kotoryj", "kotoryi", "kotorye", "tvoyu", "tvoi", "moi", "moy", "vash", "nash", "im",
    // Words of the calls themselves, Russian only in Latin letters (not single letters: a word
    // spelled out, `j o i n  i s i s`, is no Russian).
    "vstupay", "vstupayte", "vstupai", "ubey", "ubeyte", "ubei", "ubit", "ubiy", "szhech", "vzorvat",
    "zhdet", "zhdut", "halifat", "moj", "tvoj"];
const AR_LATIN_WORDS: &[&str] = &["ana", "enta", "inta", "enti", "inti", "ya", "el", "fe", "fi", "mesh", "msh", "mish", "3shan", "ma3", "la2", "5alas", "yalla", "wallah", "walla", "inshallah", "habibi", "akhi", "ya3ni", "kaman", "bas", "zay", "keda", "leh", "ezay", "delwa2ty", "hayk", "shu", "ma3ak", "ento", "howa", "heya", "e7na", "ne7na", "homa", "kol", "kollo"];
const RU_WORDS: &[&str] = &["и", "в", "не", "на", "что", "это", "как", "он", "по", "но", "они", "все", "его", "для", "так", "уже", "был", "была"];
const EN_WORDS: &[&str] = &["the", "and", "to", "of", "is", "in", "that", "it", "you", "for", "are", "with", "this", "we", "they", "will"];

impl LangDetector {
    /// Builds the restricted lingua detector (models load lazily).
    pub fn new() -> LangDetector {
        let languages = [Language::English, Language::Russian, Language::Kazakh, Language::Arabic, Language::Ukrainian, Language::Turkish, Language::Azerbaijani];
        LangDetector { lingua: LanguageDetectorBuilder::from_languages(&languages).with_low_accuracy_mode().build() }
    }

    /// The ISO 639-1 code of the main language of `text`, or `und`.
    ///
    /// ```
    /// let d = kuzet::lang::LangDetector::new();
    /// assert_eq!(d.detect("Біз бүгін Алматыда жиналып, жаңа жобаны талқыладық."), "kk");
    /// assert_eq!(d.detect("Biz bügın Almatyda jinalyp, jaña jobany talqyladyq jäne şeştık."), "kk-Latn");
    /// assert_eq!(d.detect("Сегодня в городе прошёл дождь, и все остались дома."), "ru");
    /// ```
    pub fn detect(&self, text: &str) -> &'static str {
        let main = main_text(text);
        let sample = &main[..main.char_indices().nth(SAMPLE_CHARS).map_or(main.len(), |(i, _)| i)];
        let (mut cyr, mut lat, mut arabic, mut kk_cyr, mut kk_lat, mut uk) = (0usize, 0usize, 0usize, 0usize, 0usize, 0usize);
        for c in sample.chars() {
            if is_cyrillic(c) {
                cyr += 1;
                kk_cyr += usize::from(matches!(c, 'ә' | 'ғ' | 'қ' | 'ң' | 'ө' | 'ұ' | 'ү' | 'һ' | 'Ә' | 'Ғ' | 'Қ' | 'Ң' | 'Ө' | 'Ұ' | 'Ү' | 'Һ'));
                uk += usize::from(matches!(c, 'ї' | 'є' | 'ґ' | 'Ї' | 'Є' | 'Ґ'));
            } else if is_latin(c) {
                lat += 1;
                kk_lat += usize::from(matches!(c, 'ä' | 'ū' | 'ñ' | 'ǵ' | 'ń' | 'Ä' | 'Ū' | 'Ñ' | 'Ǵ' | 'Ń'));
            } else if matches!(c as u32, 0x600..=0x6FF | 0x750..=0x77F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF) && c.is_alphabetic() {
                arabic += 1;
            }
        }
        if cyr + lat + arabic == 0 {
            return "und";
        }
        if arabic > cyr + lat {
            return "ar";
        }
        // How many of the sample's words are in each of two lists, in one pass, each word
        // lower-cased once (the lists are lower case).
        let words = |lists: [&[&str]; 2]| {
            let mut lower = String::new();
            let mut n = [0, 0];
            for w in sample.split(|c: char| !crate::normalize::is_alnum(c)).filter(|w| !w.is_empty()) {
                lower.clear();
                lower.extend(w.chars().flat_map(char::to_lowercase));
                for (count, list) in n.iter_mut().zip(lists) {
                    *count += usize::from(list.contains(&lower.as_str()));
                }
            }
            n
        };
        if cyr >= lat {
            // Kazakh-only letters are some 5-10% of a Kazakh text's Cyrillic letters; one word
            // of Kazakh in a Russian text (a menu's "Қазақша") is far below 1%.
            if kk_cyr >= 2.max(cyr / 100) || (kk_cyr >= 1 && cyr < 40) {
                return "kk";
            }
            if uk >= 2 {
                return "uk";
            }
            let [kk, ru] = words([KK_CYRILLIC_WORDS, RU_WORDS]);
            if ru >= 2 && ru > kk {
                return "ru";
            }
            if kk >= 2 && kk > ru {
                return "kk";
            }
        } else {
            let [kk, en] = words([KK_LATIN_WORDS, EN_WORDS]);
            let [ru, ar] = words([RU_LATIN_WORDS, AR_LATIN_WORDS]);
            let arabizi = arabizi_words(sample);
            if kk_lat >= 2 || (kk >= 2 && kk > en && kk >= ru) {
                return "kk-Latn";
            }
            if ru >= 2 && ru > en && ru > kk {
                return "ru-Latn";
            }
            if arabizi >= 1 && ar + arabizi >= 2 && ar + arabizi > en {
                return "ar-Latn";
            }
            if en >= 3 {
                return "en";
            }
        }
        match self.lingua.detect_language_of(sample) {
            Some(Language::English) => "en",
            Some(Language::Russian) => "ru",
            Some(Language::Kazakh) => "kk",
            Some(Language::Arabic) => "ar",
            Some(Language::Ukrainian) => "uk",
            Some(Language::Turkish) => "tr",
            Some(Language::Azerbaijani) => "az",
            _ => "und",
        }
    }
}

/// The running text of `text`: its lines of five words or more, joined, when they hold at
/// least [`MIN_MAIN`] characters; otherwise the whole text. Menus, breadcrumbs and link lists
/// are lines of a word or two.
fn main_text(text: &str) -> std::borrow::Cow<'_, str> {
    let long = |line: &&str| line.split_whitespace().nth(4).is_some();
    // The lines are read only until the sample is full: a long page's lines past it change
    // neither test below (its running text is long enough, and it has more than one line).
    let (mut out, mut total) = (String::new(), 0);
    for line in text.lines().filter(long) {
        if out.len() >= 4 * SAMPLE_CHARS {
            break;
        }
        total += line.len();
        out.push_str(line);
        out.push('\n');
    }
    if total < MIN_MAIN || total == text.len() {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(out)
}

/// Characters of running text [`main_text`] needs before it prefers it to the whole text.
const MIN_MAIN: usize = 80;

/// Latin words with an Arabizi digit between letters (`3ala`, `a7med`, `la2`): the digits 2 3
/// 5 7 9 stand for Arabic letters Latin lacks.
fn arabizi_words(sample: &str) -> usize {
    sample
        .split(|c: char| !crate::normalize::is_alnum(c))
        .filter(|w| {
            let has_letter = w.chars().any(|c| c.is_ascii_alphabetic());
            let b = w.as_bytes();
            has_letter && b.iter().enumerate().any(|(i, &c)| matches!(c, b'2' | b'3' | b'5' | b'7' | b'9') && (i > 0 && b[i - 1].is_ascii_alphabetic() || b.get(i + 1).is_some_and(u8::is_ascii_alphabetic)))
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &[(&str, &str)] = &[
        ("The police said the suspect was detained after the attack.", "en"),
        ("Полиция сообщила, что подозреваемый задержан после нападения.", "ru"),
        ("Полиция күдіктінің шабуылдан кейін ұсталғанын хабарлады.", "kk"),
        ("Policiä küdıktınıñ şabuyldan keiın ūstalğanyn habarlady.", "kk-Latn"),
        ("Politsiya kudiktinin shabuyldan keyin ustalganyn habarlady jane bul turaly aitty.", "kk-Latn"),
        ("ih vseh nado ubit, eto ne shutka, ya ne shuchu", "ru-Latn"),
        ("chtob ty sdoh, suka", "ru-Latn"),
        ("ubey ikh vsekh, bratva", "ru-Latn"),
        ("ana ha2tolak ya 7ayawan, wallah 3ala rasi", "ar-Latn"),
        ("The men went to the bar and ordered a drink with their friends.", "en"),
        // a menu line in Kazakh above a Russian article: the article decides
        ("Главная\nҚазақша\nEnglish\nПолиция сообщила, что подозреваемый задержан после нападения на магазин в центре города.\nВ ходе проверки установлено, что он действовал один.", "ru"),
        ("قالت الشرطة إن المشتبه به اعتقل بعد الهجوم.", "ar"),
        ("Поліція повідомила, що підозрюваного затримали після нападу. Її це не здивувало, є докази.", "uk"),
        ("Polis, şüphelinin saldırıdan sonra gözaltına alındığını söyledi.", "tr"),
        ("12345 !!!", "und"),
    ];

    #[test]
    fn table() {
        let d = LangDetector::new();
        for &(text, want) in CASES {
            assert_eq!(d.detect(text), want, "{text}");
        }
    }
}
