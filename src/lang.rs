//! Language labels: which language an item is mostly written in, for routing and reporting.
//!
//! It labels; it never decides which lexicons run (every lexicon runs on every text). Cheap
//! signals decide first: Arabic script; Kazakh-only Cyrillic letters (ә ғ қ ң ө ұ ү һ і);
//! Kazakh Latin letters (ä ū ñ ǵ ń) and function words, so that Latin-script Kazakh is not
//! called Azerbaijani or Turkish; frequent Russian and English function words. Only what they
//! leave open goes to lingua, restricted to en, ru, kk, ar, uk, tr and az, on a sample of the text.

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
    /// assert_eq!(d.detect("Biz bügın Almatyda jinalyp, jaña jobany talqyladyq jäne şeştık."), "kk");
    /// assert_eq!(d.detect("Сегодня в городе прошёл дождь, и все остались дома."), "ru");
    /// ```
    pub fn detect(&self, text: &str) -> &'static str {
        let sample = &text[..text.char_indices().nth(SAMPLE_CHARS).map_or(text.len(), |(i, _)| i)];
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
            if kk_cyr >= 2 || (kk_cyr >= 1 && cyr < 40) {
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
            if kk_lat >= 2 || kk >= 2 {
                return "kk";
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

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &[(&str, &str)] = &[
        ("The police said the suspect was detained after the attack.", "en"),
        ("Полиция сообщила, что подозреваемый задержан после нападения.", "ru"),
        ("Полиция күдіктінің шабуылдан кейін ұсталғанын хабарлады.", "kk"),
        ("Policiä küdıktınıñ şabuyldan keiın ūstalğanyn habarlady.", "kk"),
        ("Politsiya kudiktinin shabuyldan keyin ustalganyn habarlady jane bul turaly aitty.", "kk"),
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
