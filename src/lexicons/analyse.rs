//! The analysis of one item: everything done to one document, as a pure function.
//!
//! [`Engine`] is built once from a lexicon folder and shared by every worker thread;
//! [`analyse`] turns a [`Document`] into an [`Analysis`] without any I/O, so tests (and the
//! crawler's CPU stage) call it directly.

use std::sync::Arc;

use url::Url;

use crate::adapters::{Adapters, Item};
use crate::bundled::Lexicons;

use crate::decode::{self, DecidedBy};
use crate::lang::LangDetector;
use crate::lexicon::Lexicon;
use crate::matcher::{Hit, Matcher};
use crate::score::{self, Assessment};

/// The compiled lexicon, matcher and language detector, and the site adapters that split
/// pages into posts.
#[derive(Debug)]
pub struct Engine {
    pub lexicon: Lexicon,
    pub matcher: Matcher,
    lang: LangDetector,
    pub adapters: Arc<Adapters>,
}

/// The bundled adapters, compiled once (a unit test checks that they compile).
fn bundled_adapters() -> Arc<Adapters> {
    static BUNDLED: std::sync::OnceLock<Arc<Adapters>> = std::sync::OnceLock::new();
    BUNDLED
        .get_or_init(|| {
            Arc::new(Adapters::bundled().unwrap_or_else(|e| {
                tracing::error!("the bundled site adapters do not compile ({e}); pages are not split into posts");
                Adapters::none()
            }))
        })
        .clone()
}

impl Engine {
    /// Loads and compiles the lexicons of `source` (a folder, or [`Lexicons::Bundled`]), or
    /// reads them back compiled when the process keeps them ([`crate::saved`]).
    pub fn load(source: impl Into<Lexicons>) -> Result<Engine, crate::lint::CheckError> {
        let (lexicon, matcher) = crate::saved::load(&source.into())?;
        Ok(Engine::from_parts(lexicon, matcher))
    }

    /// Compiles `lexicon`.
    pub fn new(lexicon: Lexicon) -> Engine {
        let matcher = Matcher::new(&lexicon);
        Engine::from_parts(lexicon, matcher)
    }

    /// The engine of `lexicon` compiled into `matcher` ([`Matcher::new`] of it).
    pub fn from_parts(lexicon: Lexicon, matcher: Matcher) -> Engine {
        Engine { lexicon, matcher, lang: LangDetector::new(), adapters: bundled_adapters() }
    }

    /// The engine with `adapters` instead of the bundled ones.
    pub fn with_adapters(mut self, adapters: Adapters) -> Engine {
        self.adapters = Arc::new(adapters);
        self
    }

    /// Screen, normalize, match and score `text`.
    pub fn assess(&self, text: &str) -> (Vec<Hit>, Assessment) {
        self.assess_in(text, self.language(text))
    }

    /// [`Engine::assess`] of `text` whose language label is `lang` ([`Engine::language`]):
    /// Russian in Latin letters (`ru-Latn`) is matched as such
    /// ([`Matcher::find_latin_russian`]).
    pub fn assess_in(&self, text: &str, lang: &str) -> (Vec<Hit>, Assessment) {
        let hits = if lang == "ru-Latn" { self.matcher.find_latin_russian(text) } else { self.matcher.find(text) };
        let assessment = score::assess(text, &hits, &self.lexicon);
        (hits, assessment)
    }

    /// The language label of `text`.
    pub fn language(&self, text: &str) -> &'static str {
        self.lang.detect(text)
    }
}

/// One item to classify.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// What the `ref` column shows: a URL, a file path, a JSONL record id.
    pub reference: String,
    /// The URL, when known.
    pub url: String,
    pub title: String,
    /// The visible text; hit offsets point into it.
    pub text: String,
}

/// The result for one document.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub hits: Vec<Hit>,
    pub assessment: Assessment,
    pub lang: &'static str,
}

/// Everything done to one document: normalize, match, score, label the language.
pub fn analyse(doc: &Document, engine: &Engine) -> Analysis {
    let lang = engine.language(&doc.text);
    let (hits, assessment) = engine.assess_in(&doc.text, lang);
    Analysis { hits, assessment, lang }
}

/// The content hash of a text: 128 bits of BLAKE3, in hex, over the text with ASCII and
/// Russian Cyrillic capitals lower-cased, zero-width characters, soft hyphens and byte-order marks dropped, and every
/// run of whitespace (ASCII or no-break space) read as one space, so that markup, spacing and
/// invisible characters do not count as change. Sixteen bytes at a time where they are hashed
/// as they are, one table lookup a byte elsewhere: it runs on every page `kuzet run` fetches.
///
/// ```
/// use kuzet::analyse::content_hash;
/// assert_eq!(content_hash(" Kill\u{200B}  THEM\n"), content_hash("kill them"));
/// assert_ne!(content_hash("убить всех"), content_hash("убить всех!"));
/// ```
pub fn content_hash(text: &str) -> String {
    let mut out = HashWriter::default();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // A run of bytes hashed as they are, written at once: sixteen at a time while they
        // all are, then one by one.
        let run = i;
        i = as_is_16(b, i, run);
        while let Some(&c) = b.get(i) {
            i += if HASH_AS_IS[c as usize] {
                1
            } else if c == 0xD0 && b.get(i + 1).is_some_and(|&n| n >= 0xB0) {
                // Small Cyrillic а-п.
                2
            } else if c == b' ' && i > run && b.get(i + 1).is_some_and(|&n| VISIBLE[n as usize]) {
                // One space between two visible characters stands for itself.
                1
            } else {
                break;
            };
        }
        out.write(&b[run..i]);
        let Some(&c) = b.get(i) else { break };
        let (next, after) = (b.get(i + 1).copied(), b.get(i + 2).copied());
        i += match (c, next, after) {
            (_, _, _) if c.is_ascii_whitespace() || c == 0x0B => out.space(1),
            (b'A'..=b'Z', _, _) => out.write_len(&[c + 32], 1),
            (0xC2, Some(0xA0), _) => out.space(2),
            (0xC2, Some(0xAD), _) => 2,
            (0xE2, Some(0x80), Some(0x8B..=0x8F)) | (0xEF, Some(0xBB), Some(0xBF)) => 3,
            // Cyrillic capitals А-П, Р-Я and Ѐ-Џ to their small letters.
            (0xD0, Some(n @ 0x90..=0x9F), _) => out.write_len(&[0xD0, n + 0x20], 2),
            (0xD0, Some(n @ 0xA0..=0xAF), _) => out.write_len(&[0xD1, n - 0x20], 2),
            (0xD0, Some(n @ 0x80..=0x8F), _) => out.write_len(&[0xD1, n + 0x10], 2),
            _ => out.write_len(&[c], 1),
        };
    }
    out.finish()
}

/// The bytes that begin no character [`content_hash`] always writes: whitespace (and
/// vertical tab) and the first bytes of no-break spaces and of what it drops (soft hyphens,
/// zero-width characters, byte-order marks: 0xC2, 0xE2, 0xEF). [`visible`] and the sixteen-byte
/// scan both read it.
const HIDDEN: crate::simd::Class = &[(0x09, 0x0D), (b' ', b' '), (0xC2, 0xC2), (0xE2, 0xE2), (0xEF, 0xEF)];
/// Classes of the bytes [`content_hash`] reads sixteen at a time: [`HIDDEN`], ASCII capitals,
/// 0xD0 (Cyrillic а-п or a capital), and the space.
const HASH_CLASSES: [crate::simd::Class; 4] = [HIDDEN, &[(b'A', b'Z')], &[(0xD0, 0xD0)], &[(b' ', b' ')]];
/// Of the byte after: at least 0xB0 (after 0xD0, a small letter а-п), and [`HIDDEN`].
const NEXT_CLASSES: [crate::simd::Class; 2] = [&[(0xB0, 0xFF)], HIDDEN];

/// Where, from `i` on, the run of bytes that began at `run` may end: [`content_hash`]'s run
/// rules applied to sixteen bytes at a time while all sixteen and the one after them are in
/// the text (each byte as-is, a small letter а-п after 0xD0, or one space after what the run
/// took and before a visible byte). The byte-by-byte loop goes on from there.
#[inline]
fn as_is_16(b: &[u8], mut i: usize, run: usize) -> usize {
    while let (Some(x), Some(y)) = (b.get(i..i + 16), b.get(i + 1..i + 17)) {
        let (x, y): (&[u8; 16], &[u8; 16]) = (x.try_into().unwrap_or(&[0; 16]), y.try_into().unwrap_or(&[0; 16]));
        let [hidden, capital, d0, space] = crate::simd::classes(x, &HASH_CLASSES);
        let [high, next_hidden] = crate::simd::classes(y, &NEXT_CLASSES);
        let took_before = if i > run { u16::MAX } else { !1 };
        let stops = (hidden | capital | d0) & !(d0 & high) & !(space & !next_hidden & took_before);
        if stops != 0 {
            return i + stops.trailing_zeros() as usize;
        }
        i += 16;
    }
    i
}

/// Whether `b` begins a character [`content_hash`] always writes (as it is or lower-cased):
/// all but [`HIDDEN`].
const fn visible(b: u8) -> bool {
    let mut k = 0;
    while k < HIDDEN.len() {
        let (lo, hi) = HIDDEN[k];
        if lo <= b && b <= hi {
            return false;
        }
        k += 1;
    }
    true
}

/// [`visible`] as a table.
static VISIBLE: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = visible(c as u8);
        c += 1;
    }
    t
};

/// Bytes [`content_hash`] hashes as they are: [`visible`] ones but ASCII capitals and the first
/// byte of Cyrillic capitals (0xD0), which are looked at more closely.
static HASH_AS_IS: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = visible(b) && !b.is_ascii_uppercase() && b != 0xD0;
        c += 1;
    }
    t
};

/// [`content_hash`]'s output: whitespace runs become one space before the next visible byte
/// (never first), written through a buffer.
#[derive(Default)]
struct HashWriter {
    hasher: blake3::Hasher,
    buf: Vec<u8>,
    space: bool,
    started: bool,
}

impl HashWriter {
    fn write(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if self.space && self.started {
            self.buf.push(b' ');
        }
        (self.space, self.started) = (false, true);
        if bytes.len() >= 1024 {
            // Long runs go to the hasher directly, after what is buffered.
            self.hasher.update(&self.buf);
            self.buf.clear();
            self.hasher.update(bytes);
            return;
        }
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= 8000 {
            self.hasher.update(&self.buf);
            self.buf.clear();
        }
    }

    /// [`HashWriter::write`], returning `len` (the input bytes it stood for).
    fn write_len(&mut self, bytes: &[u8], len: usize) -> usize {
        self.write(bytes);
        len
    }

    /// Whitespace of `len` input bytes.
    fn space(&mut self, len: usize) -> usize {
        self.space = true;
        len
    }

    fn finish(mut self) -> String {
        self.hasher.update(&self.buf);
        self.hasher.finalize().to_hex()[..32].to_string()
    }
}

/// A fetched page after decoding, extraction and analysis.
#[derive(Debug, Clone)]
pub struct PageAnalysis {
    pub doc: Document,
    /// `None` when the content hash equals the one the caller already had: unchanged content
    /// is not matched or scored again.
    pub analysis: Option<Analysis>,
    /// [`content_hash`] of the visible text, when the caller keeps them ([`Hashing::Keep`]).
    pub content_hash: Option<String>,
    /// Links found on the page, resolved against `<base href>` or the page URL, http(s) only,
    /// without fragments.
    pub links: Vec<Url>,
    pub encoding: &'static str,
    pub decided_by: DecidedBy,
    /// The posts, when a site adapter split the page (and its content was new): each analysed
    /// on its own, and `analysis` is `None`.
    pub items: Vec<ItemAnalysis>,
    /// The link to older posts, when the adapter found one.
    pub older: Option<Url>,
}

/// One post of a split page after analysis.
#[derive(Debug, Clone)]
pub struct ItemAnalysis {
    pub item: Item,
    /// The post as a document: `reference` is its permalink, `url` the page's.
    pub doc: Document,
    pub analysis: Analysis,
    /// [`content_hash`] of the post's text: an edited post hashes differently.
    pub content_hash: String,
}

/// Whether [`analyse_page`] hashes the visible text: a crawl that remembers nothing between
/// runs has no use for the hash, which costs about half as much as matching.
#[derive(Debug, Clone, Copy)]
pub enum Hashing<'a> {
    Skip,
    /// Hash, with the hash of the page's last visit if there was one: when they are equal,
    /// the page is not analysed again.
    Keep(Option<&'a str>),
}

/// Everything done to one fetched page: decode, extract, hash, analyse. `url` is the final URL
/// (the `ref` of its queue row); `media_type` and `charset` come from the Content-Type header.
pub fn analyse_page(url: &Url, media_type: &str, charset: Option<&str>, body: &[u8], engine: &Engine, hashing: Hashing<'_>) -> PageAnalysis {
    let tld = url.host_str().and_then(|h| h.rsplit('.').next()).filter(|t| t.chars().all(|c| c.is_ascii_alphabetic()));
    let html = media_type.is_empty() || media_type.contains("html") || media_type.contains("xml");
    let mut decoded = decode::decode(body, charset, tld, html);
    let (title, text, links) = if html {
        let page = crate::extract::html(&decoded.text);
        let base = page.base.as_deref().and_then(|b| url.join(b).ok()).unwrap_or_else(|| url.clone());
        let links = page
            .links
            .iter()
            .filter_map(|href| base.join(href.trim()).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(|mut u| {
                u.set_fragment(None);
                crate::frontier::without_credentials(u)
            })
            .collect();
        (page.title, page.text, links)
    } else {
        (String::new(), std::mem::take(&mut decoded.text), Vec::new())
    };
    let doc = Document { reference: url.to_string(), url: url.to_string(), title, text };
    let (content_hash, known) = match hashing {
        Hashing::Skip => (None, None),
        Hashing::Keep(known) => (Some(content_hash(&doc.text)), known),
    };
    let unchanged = known.is_some() && known == content_hash.as_deref();
    // A page that changed and that a site adapter splits is analysed post by post.
    let split = if html && !unchanged { engine.adapters.split(url, &decoded.text) } else { None };
    let (items, older) = match split {
        Some(split) => (split.items.into_iter().map(|item| analyse_item(item, url, engine)).collect(), split.older),
        None => (Vec::new(), None),
    };
    let analysis = (!unchanged && items.is_empty()).then(|| analyse(&doc, engine));
    PageAnalysis { doc, analysis, content_hash, links, encoding: decoded.encoding.name(), decided_by: decoded.decided_by, items, older }
}

/// A post of the page at `url`, analysed as a document of its own.
pub fn analyse_item(item: Item, url: &Url, engine: &Engine) -> ItemAnalysis {
    let doc = Document { reference: item.permalink.clone(), url: url.to_string(), title: item.title.clone(), text: item.text.clone() };
    let analysis = analyse(&doc, engine);
    let content_hash = content_hash(&doc.text);
    ItemAnalysis { item, doc, analysis, content_hash }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        Engine::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lexicons")).expect("fixture lexicon")
    }

    #[test]
    fn content_hash_ignores_case_spacing_and_invisible_characters_only() {
        let table: &[(&str, &str, bool)] = &[
            ("Kill THEM", "kill them", true),
            ("УБИТЬ Всех ЁЖ Ѐ Џ", "убить всех ёж ѐ џ", true),
            ("  a\u{A0}\u{A0} b\r\n\tc  ", "a b c", true),
            ("ki\u{200B}ll\u{AD}\u{FEFF}", "kill", true),
            ("убить\u{200D}  всех", "убить всех", true),
            ("убить всех", "убить всех!", false),
            ("убить всех", "убить всё", false),
            ("ab", "a b", false),
            ("қазақ", "казак", false),
            ("", " x", false),
            ("x\u{2003}y", "x y", false),
            ("\u{2014}", "\u{2013}", false),
        ];
        for &(a, b, same) in table {
            assert_eq!(content_hash(a) == content_hash(b), same, "{a:?} vs {b:?}");
        }
        // Long texts go through the buffer in pieces: the boundaries must not matter.
        let long = "Word \u{A0} ".repeat(3000);
        assert_eq!(content_hash(&long), content_hash(&"word ".repeat(3000)));
    }

    /// What [`content_hash`] hashes, spelled out one character at a time.
    fn hashed_text(text: &str) -> String {
        let mut out = String::new();
        let mut space = false;
        for c in text.chars() {
            match c {
                '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{FEFF}' => {}
                c if c.is_ascii_whitespace() || c == '\u{B}' || c == '\u{A0}' => space = true,
                c => {
                    if space && !out.is_empty() {
                        out.push(' ');
                    }
                    space = false;
                    let lower = match c {
                        'A'..='Z' | '\u{400}'..='\u{42F}' => c.to_lowercase().next().unwrap(),
                        c => c,
                    };
                    out.push(lower);
                }
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn content_hash_hashes_the_text_spelled_out(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", "Z", " ", "  ", "\n", "\t", "\u{B}", "\u{A0}", "\u{AD}", "\u{200B}", "\u{200D}", "\u{FEFF}",
                "а", "п", "р", "я", "А", "П", "Р", "Я", "Ѐ", "Џ", "ё", "қ", "Қ", "\u{2003}", "\u{2014}", "«", "é",
                "\u{0}", "\u{1}", "word ", "Убить ", "всех. ", "x".repeat(1500).leak(),
            ]), 0..40)
        ) {
            let text: String = parts.concat();
            let want = blake3::hash(hashed_text(&text).as_bytes()).to_hex()[..32].to_string();
            proptest::prop_assert_eq!(content_hash(&text), want, "{:?}", text);
        }
    }

    #[test]
    fn a_page_is_decoded_extracted_and_scored_without_a_network() {
        let html = "<html><head><base href='/forum/'><title>Тема</title><script>убивайте()</script></head>\
                    <body><p>Гость: убивайте неверных!</p><a href='t2#c5'>next</a><a href='mailto:x@y'>m</a>\
                    <a href='https://other.kz/'>out</a></body></html>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(html);
        let url = Url::parse("http://site.kz/forum/t1").unwrap();
        let page = analyse_page(&url, "text/html", None, &bytes, &engine(), Hashing::Keep(None));
        assert_eq!(page.encoding, "windows-1251");
        assert_eq!(page.decided_by, DecidedBy::Detector);
        assert_eq!(page.doc.title, "Тема");
        assert_eq!(page.doc.text, "Гость: убивайте неверных!\n\nnextmout");
        let links: Vec<&str> = page.links.iter().map(Url::as_str).collect();
        assert_eq!(links, ["http://site.kz/forum/t2", "https://other.kz/"]);
        let analysis = page.analysis.as_ref().expect("new content is analysed");
        assert_eq!(analysis.assessment.category.as_deref(), Some("incitement"));
        assert!(analysis.assessment.is_flagged());
        assert_eq!(page.doc.reference, "http://site.kz/forum/t1");
        // The same text under other markup, case and spacing is unchanged and not analysed again.
        let again = "<html><body><div>ГОСТЬ:   убивайте\u{200B} неверных!</div><p>next<a href='x'>mout</a></p></body></html>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(again);
        let known = page.content_hash.as_deref();
        assert!(known.is_some());
        let second = analyse_page(&url, "text/html", None, &bytes, &engine(), Hashing::Keep(known));
        assert_eq!(second.content_hash, page.content_hash);
        assert!(second.analysis.is_none());
        let changed = analyse_page(&url, "text/html", None, "<p>Гость: убивайте всех!</p>".as_bytes(), &engine(), Hashing::Keep(known));
        assert_ne!(changed.content_hash, page.content_hash);
        assert!(changed.analysis.is_some());
        // A crawl that keeps no hashes analyses every page it fetches, the unchanged one too.
        let unhashed = analyse_page(&url, "text/html", None, &bytes, &engine(), Hashing::Skip);
        assert_eq!(unhashed.content_hash, None);
        assert_eq!(unhashed.doc.text, second.doc.text);
        assert!(unhashed.analysis.is_some_and(|a| a.assessment.is_flagged()));
    }
}
