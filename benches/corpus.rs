//! The deterministic test corpus and synthetic lexicons shared by the benchmarks
//! (`classify.rs`, `scale.rs`): see `classify.rs` for what the corpus looks like.

use std::collections::HashSet;

use kuzet::lexicon::{Entry, Lexicon, Term};

/// One document in this many gets lexicon terms injected.
pub const INJECT_ONE_IN: usize = 50;
/// The generators' seed.
pub const SEED: u64 = 0x6b75_7a65_7400_2024;
pub const CATEGORIES: [&str; 4] = ["incitement", "violence", "terrorism", "extremism"];

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/// splitmix64: tiny, fast and good enough for generating test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabularies

/// Everyday Russian, news style, roughly by frequency.
pub const RU_WORDS: &str = "
и в не на что он с как по это она к но они мы из у за от то же так все вы бы его для о до вот
когда уже только если да или еще можно время был была были было будет даже сказал очень может
человек раз тоже себя через потом день после жизнь здесь сейчас город страна люди работа дом
новый большой первый последний второй другой каждый весь свой наш ваш их этот тот который такой
какой сегодня вчера завтра утром вечером года лет месяц неделя области района министр президент
правительство компания рынок цены рубль тенге доллар школа университет студенты дети семья мама
отец друг вода погода дождь снег солнце тепло холод ветер улица дорога машина автобус поезд
самолет аэропорт станция магазин продукты хлеб молоко мясо овощи фрукты чай кофе обед ужин
завтрак книга газета новости сайт телефон интернет компьютер программа проект развитие экономика
бизнес банк кредит зарплата пенсия налог закон решение вопрос ответ проблема ситуация результат
число процент миллион тысяча сто несколько много мало больше меньше хорошо плохо быстро медленно
важно нужно должен хотят говорят думают знают видят работают живут играют читают пишут строят
открыли закрыли провели начали получили решили стало будут футбол матч команда игра победа спорт
музей театр концерт праздник фестиваль весна лето осень зима утро вечер ночь час минута центр
площадь парк река озеро гора поле село столица Алматы Астана Москва Россия Казахстан мир история
культура язык русский казахский английский врач больница здоровье лечение помощь служба жители
граждане населения специалисты эксперты данные информация сообщает отметил заявил добавил
рассказал словам также поэтому однако например кроме около между среди своих нового ёлка";

/// Everyday Kazakh (Cyrillic), news style, roughly by frequency.
pub const KK_WORDS: &str = "
және мен бұл бір ол да де деп үшін бар жоқ сол осы біз сіз олар керек болады болды еді екен
туралы қазір бүгін ертең кеше жыл жылы ай апта күн сағат уақыт адам адамдар халық ел елі мемлекет
қала ауыл облыс аудан үй мектеп бала балалар ата ана әке шеше аға апа іні қарындас дос отбасы
жұмыс жұмысшы қызмет ақша баға теңге нарық банк несие жалақы зейнетақы салық заң шешім сұрақ
жауап мәселе нәтиже жаңа үлкен кіші жақсы көп аз ең әрі өте тез баяу маңызды қажет барлық әр өз
біздің сіздің олардың менің сенің оның су ауа райы жаңбыр қар жел жылу суық көше жол көлік
автобус пойыз ұшақ әуежай бекет дүкен азық нан сүт ет көкөніс жеміс шай кофе түскі ас кешкі
таңғы кітап газет жаңалық сайт телефон интернет компьютер бағдарлама жоба даму экономика бизнес
білім ғылым университет студент оқушы мұғалім дәрігер аурухана денсаулық емдеу көмек тұрғындар
азаматтар мамандар сарапшылар деректер ақпарат хабарлайды атап өтті мәлімдеді айтты қосты сондай
ақ сондықтан алайда мысалы шамамен арасында ішінде футбол ойын команда жеңіс спорт мұражай
театр концерт мереке фестиваль көктем жаз күз қыс таң кеш түн минут орталық алаң саябақ өзен
көл тау дала Алматы Астана Қазақстан әлем тарих мәдениет тіл қазақ орыс ағылшын ұлттық өңір
өңірде жиын отырыс кездесу іс шара бағыт қоғам еңбек табыс өнім өндіріс зауыт егін мал шаруа
қоныс ұстаз шәкірт һәм гауһар жиһаз ілім іскер ізгі үміт үкімет ұйым ұлт ғимарат ғасыр шығыс
батыс оңтүстік солтүстік жақында бойынша қатысты жөнінде тағы енді бірақ өйткені немесе ғана";

/// Everyday English, news style, roughly by frequency.
pub const EN_WORDS: &str = "
the of and to a in is that for it on was with as he be at by this have from or one had not but
what all were we when your can said there use an each which she do how their if will up other
about out many then them these so some her would make like him into time has look two more
write go see number no way could people my than first water been call who its now find long
down day did get come made may part over new sound take only little work know place year live
me back give most very after thing our just name good sentence man think say great where help
through much before line right too mean old any same tell boy follow came want show also around
form three small set put end does another well large must big even such because turn here why
ask went men read need land different home us move try kind hand picture again change off play
air away animal house point page letter mother answer found study still learn should city
country government market price school children family weather rain snow morning evening week
month report minister president company business bank council road bus train airport station
shop bread coffee dinner news website phone computer project development economy football match
team game win sport museum theatre concert festival spring summer autumn winter river lake
mountain park centre square region capital history culture language doctor hospital health
service residents citizens experts data information according officials announced added noted
however therefore example between among during";

/// A list of words with Zipf-like sampling: the word of rank r (from 1) has weight 1/r.
pub struct Vocab {
    words: Vec<String>,
    /// Cumulative weights, normalized so the last is 1.
    cdf: Vec<f64>,
}

impl Vocab {
    pub fn new(words: Vec<String>) -> Vocab {
        let mut cdf = Vec::with_capacity(words.len());
        let mut sum = 0.0;
        for rank in 1..=words.len() {
            sum += 1.0 / rank as f64;
            cdf.push(sum);
        }
        cdf.iter_mut().for_each(|c| *c /= sum);
        Vocab { words, cdf }
    }

    pub fn from_list(list: &str) -> Vocab {
        Vocab::new(list.split_whitespace().map(str::to_string).collect())
    }

    pub fn word(&self, rng: &mut Rng) -> &str {
        let u = rng.unit();
        let i = self.cdf.partition_point(|&c| c < u).min(self.words.len() - 1);
        &self.words[i]
    }
}

/// Kazakh Cyrillic to the 2021 Latin alphabet (ä ğ ñ ö ū ü ı ş q ...), letter by letter.
pub fn kazakh_latin(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let latin = match lower {
            'а' => "a", 'ә' => "ä", 'б' => "b", 'в' => "v", 'г' => "g", 'ғ' => "ğ", 'д' => "d",
            'е' | 'э' => "e", 'ё' => "io", 'ж' => "j", 'з' => "z", 'и' | 'й' => "i", 'к' => "k",
            'қ' => "q", 'л' => "l", 'м' => "m", 'н' => "n", 'ң' => "ñ", 'о' => "o", 'ө' => "ö",
            'п' => "p", 'р' => "r", 'с' => "s", 'т' => "t", 'у' => "u", 'ұ' => "ū", 'ү' => "ü",
            'ф' => "f", 'х' | 'һ' => "h", 'ц' => "ts", 'ч' => "ç", 'ш' => "ş", 'щ' => "şş",
            'ъ' | 'ь' => "", 'ы' => "y", 'і' => "ı", 'ю' => "iu", 'я' => "ia",
            _ => {
                out.push(c);
                continue;
            }
        };
        if c != lower {
            out.push_str(&capitalize(latin));
        } else {
            out.push_str(latin);
        }
    }
    out
}

/// `word` with its first letter upper-cased.
pub fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// The corpus

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ru,
    Kk,
    En,
    KkLatin,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::Ru, Lang::Kk, Lang::En, Lang::KkLatin];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::Kk => "kk",
            Lang::En => "en",
            Lang::KkLatin => "kk-latin",
        }
    }

    /// The document language: ru 45%, kk 25%, en 25%, kk in Latin 5%.
    pub fn draw(rng: &mut Rng) -> Lang {
        match rng.below(100) {
            0..45 => Lang::Ru,
            45..70 => Lang::Kk,
            70..95 => Lang::En,
            _ => Lang::KkLatin,
        }
    }

    /// The lexicon folder whose entries suit a document in this language.
    pub fn lexicon_lang(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::Kk | Lang::KkLatin => "kk",
            Lang::En => "en",
        }
    }

    /// Endings appended to a stem term to make a plausible word.
    pub fn stem_suffixes(self) -> &'static [&'static str] {
        match self {
            Lang::Ru => &["ть", "айте", "ют", "ли", "ем"],
            Lang::Kk | Lang::KkLatin => &["ейік", "іңдер", "у", "ді", "ған"],
            Lang::En => &["ing", "ed", "s", "er"],
        }
    }
}

pub struct Vocabs {
    ru: Vocab,
    kk: Vocab,
    en: Vocab,
    kk_latin: Vocab,
}

impl Vocabs {
    pub fn new() -> Vocabs {
        let kk = Vocab::from_list(KK_WORDS);
        let kk_latin = Vocab::new(kk.words.iter().map(|w| kazakh_latin(w)).collect());
        Vocabs { ru: Vocab::from_list(RU_WORDS), kk, en: Vocab::from_list(EN_WORDS), kk_latin }
    }

    pub fn get(&self, lang: Lang) -> &Vocab {
        match lang {
            Lang::Ru => &self.ru,
            Lang::Kk => &self.kk,
            Lang::En => &self.en,
            Lang::KkLatin => &self.kk_latin,
        }
    }
}

pub struct Doc {
    pub text: String,
    /// The main language (about one paragraph in ten is in another).
    pub lang: Lang,
    /// Whether lexicon terms were injected into it.
    pub injected: bool,
}

pub struct Corpus {
    pub docs: Vec<Doc>,
}

impl Corpus {
    pub fn bytes(&self) -> usize {
        self.docs.iter().map(|d| d.text.len()).sum()
    }

    pub fn injected(&self) -> usize {
        self.docs.iter().filter(|d| d.injected).count()
    }
}

/// Documents until the corpus holds at least `mb` MB.
pub fn generate_corpus(mb: f64, lexicon: &Lexicon, rng: &mut Rng) -> Corpus {
    let target = (mb * 1e6) as usize;
    let vocabs = Vocabs::new();
    let mut docs = Vec::new();
    let mut total = 0;
    while total < target {
        let lang = Lang::draw(rng);
        let mut text = document(&vocabs, lang, rng);
        let injected = rng.below(INJECT_ONE_IN) == 0 && inject_terms(&mut text, lexicon, lang, rng);
        total += text.len();
        docs.push(Doc { text, lang, injected });
    }
    Corpus { docs }
}

/// One document of 2–20 KB, mostly in `lang`.
pub fn document(vocabs: &Vocabs, lang: Lang, rng: &mut Rng) -> String {
    let size = rng.range(2 * 1024, 20 * 1024);
    let mut text = String::with_capacity(size + 2048);
    while text.len() < size {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        // About one paragraph in ten is in another language (a quote, a translation).
        let para_lang = if rng.chance(0.1) { Lang::draw(rng) } else { lang };
        paragraph(&mut text, vocabs.get(para_lang), rng);
    }
    text
}

/// 2–7 sentences.
pub fn paragraph(out: &mut String, vocab: &Vocab, rng: &mut Rng) {
    for i in 0..rng.range(2, 7) {
        if i > 0 {
            out.push(' ');
        }
        sentence(out, vocab, rng);
    }
}

/// 5–20 words, capitalized, with commas, the odd number and an end mark.
pub fn sentence(out: &mut String, vocab: &Vocab, rng: &mut Rng) {
    let n = rng.range(5, 20);
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        if i > 0 && rng.chance(0.03) {
            out.push_str(&rng.range(1, 2030).to_string());
        } else if i == 0 {
            out.push_str(&capitalize(vocab.word(rng)));
        } else {
            out.push_str(vocab.word(rng));
        }
        if i + 1 < n && rng.chance(0.08) {
            out.push(',');
        }
    }
    out.push(match rng.below(100) {
        0..85 => '.',
        85..93 => '!',
        _ => '?',
    });
}

/// Inserts 1–3 terms of `lexicon` suited to `lang` at word boundaries of `text`.
/// Returns whether anything was inserted.
pub fn inject_terms(text: &mut String, lexicon: &Lexicon, lang: Lang, rng: &mut Rng) -> bool {
    let candidates: Vec<&Entry> = lexicon.entries.iter().filter(|e| e.lang == lang.lexicon_lang()).collect();
    if candidates.is_empty() {
        return false;
    }
    for _ in 0..rng.range(1, 3) {
        let entry = rng.pick(&candidates);
        let mut phrase = entry.term.words.clone();
        if entry.term.stem {
            phrase.push_str(rng.pick(lang.stem_suffixes()));
        }
        if lang == Lang::KkLatin {
            phrase = kazakh_latin(&phrase);
        }
        // Just after the first space from a random byte: a space is ASCII, so searching bytes
        // from anywhere (even inside a character) lands on a char boundary at a word start.
        let from = rng.below(text.len());
        let at = text.as_bytes()[from..].iter().position(|&b| b == b' ').map_or(text.len(), |i| from + i + 1);
        let insert = if at == text.len() { format!(" {phrase}") } else { format!("{phrase} ") };
        text.insert_str(at, &insert);
    }
    true
}

// ---------------------------------------------------------------------------------------------
// The synthetic lexicon

pub const RU_CONSONANTS: &[&str] = &["б", "в", "г", "д", "ж", "з", "к", "л", "м", "н", "п", "р", "с", "т", "х", "ш", "ч"];
pub const RU_VOWELS: &[&str] = &["а", "е", "и", "о", "у", "ы", "я", "ю"];
pub const KK_CONSONANTS: &[&str] = &["б", "ғ", "д", "ж", "з", "қ", "к", "л", "м", "н", "ң", "п", "р", "с", "т", "ш", "һ"];
pub const KK_VOWELS: &[&str] = &["а", "ә", "е", "ы", "і", "о", "ө", "ұ", "ү"];
pub const EN_CONSONANTS: &[&str] = &["b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "th", "sh"];
pub const EN_VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ea", "ou"];

/// A pronounceable pseudo-word of exactly `letters` letters.
pub fn pseudo_word(consonants: &[&str], vowels: &[&str], letters: usize, rng: &mut Rng) -> String {
    let mut word = String::new();
    while word.chars().count() < letters {
        // No doubled consonants: the loose view collapses repeats, so `жаңңа*` would match
        // the everyday `жаңа` and flag a third of the corpus.
        let consonant = rng.pick(consonants);
        if !word.ends_with(consonant) {
            word.push_str(consonant);
        }
        word.push_str(rng.pick(vowels));
        if rng.chance(0.3) {
            word.push_str(rng.pick(consonants));
        }
    }
    word.chars().take(letters).collect()
}

/// A pseudo-word of 5–12 letters in one of the three scripts, with the entry language.
pub fn pseudo_term_word(rng: &mut Rng) -> (String, &'static str) {
    let letters = rng.range(5, 12);
    match rng.below(10) {
        0..4 => (pseudo_word(RU_CONSONANTS, RU_VOWELS, letters, rng), "ru"),
        4..7 => (pseudo_word(KK_CONSONANTS, KK_VOWELS, letters, rng), "kk"),
        _ => (pseudo_word(EN_CONSONANTS, EN_VOWELS, letters, rng), "en"),
    }
}

/// `shipped` plus generated entries, `total` entries in all: about a third stems, a few
/// two-word phrases, weights 1–10, one of the four categories each.
pub fn synthetic_lexicon(shipped: &Lexicon, total: usize, rng: &mut Rng) -> Lexicon {
    let mut lexicon = shipped.clone();
    let mut seen: HashSet<String> = lexicon.entries.iter().map(|e| e.term.to_string()).collect();
    while lexicon.entries.len() < total {
        let (mut words, lang) = pseudo_term_word(rng);
        if rng.chance(0.03) {
            words.push(' ');
            words.push_str(&pseudo_term_word(rng).0);
        }
        let raw = if rng.chance(1.0 / 3.0) { format!("{words}*") } else { words };
        if !seen.insert(raw.clone()) {
            continue;
        }
        let term = Term::parse(&raw).unwrap_or_else(|e| panic!("generated term {raw:?} does not parse: {e}"));
        lexicon.entries.push(Entry {
            term,
            category: rng.pick(&CATEGORIES).to_string(),
            weight: rng.range(1, 10) as u8,
            lang: lang.into(),
            note: String::new(),
            groups: vec![],
            meta: vec![],
            source: format!("synthetic:{}", lexicon.entries.len() + 1),
        });
    }
    lexicon
}
