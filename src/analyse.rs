//! The analysis of one item: everything done to one document, as a pure function.
//!
//! [`Engine`] is built once from a lexicon folder and shared by every worker thread;
//! [`analyse`] turns a [`Document`] into an [`Analysis`] without any I/O, so tests (and the
//! crawler's CPU stage) call it directly.

use std::path::Path;

use url::Url;

use crate::decode::{self, DecidedBy};
use crate::lang::LangDetector;
use crate::lexicon::{Lexicon, LexiconError};
use crate::matcher::{Hit, Matcher};
use crate::normalize;
use crate::score::{self, Assessment};

/// The compiled lexicon, matcher and language detector.
#[derive(Debug)]
pub struct Engine {
    pub lexicon: Lexicon,
    pub matcher: Matcher,
    lang: LangDetector,
}

impl Engine {
    /// Loads and compiles the lexicon folder `dir`.
    pub fn load(dir: &Path) -> Result<Engine, LexiconError> {
        Ok(Engine::new(Lexicon::load(dir)?))
    }

    /// Compiles `lexicon`.
    pub fn new(lexicon: Lexicon) -> Engine {
        let matcher = Matcher::new(&lexicon);
        Engine { lexicon, matcher, lang: LangDetector::new() }
    }

    /// Screen, normalize, match and score `text` (no language label).
    pub fn assess(&self, text: &str) -> (Vec<Hit>, Assessment) {
        let hits = self.matcher.find(text);
        let assessment = score::assess(&hits, &self.lexicon);
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
    let (hits, assessment) = engine.assess(&doc.text);
    let lang = engine.language(&doc.text);
    Analysis { hits, assessment, lang }
}

/// The content hash of a text: 128 bits of BLAKE3, in hex, over the text lower-cased, with
/// invisible characters dropped and every run of whitespace read as one space, so that markup,
/// case, spacing and invisible characters do not count as change.
///
/// ```
/// use kuzet::analyse::content_hash;
/// assert_eq!(content_hash(" Убить\u{200B}  ВСЕХ\n"), content_hash("убить всех"));
/// assert_ne!(content_hash("убить всех"), content_hash("убить всех!"));
/// ```
pub fn content_hash(text: &str) -> String {
    let mut hasher = blake3::Hasher::new();
    let mut buf = String::with_capacity(4096);
    // A space is written before the next visible character, never first.
    let (mut space, mut started) = (false, false);
    for c in text.chars() {
        if c.is_ascii() && !c.is_ascii_whitespace() {
            if space && started {
                buf.push(' ');
            }
            (space, started) = (false, true);
            buf.push(c.to_ascii_lowercase());
        } else if c.is_whitespace() {
            space = true;
        } else if !normalize::is_default_ignorable(c) {
            if space && started {
                buf.push(' ');
            }
            (space, started) = (false, true);
            buf.extend(c.to_lowercase());
        }
        if buf.len() >= 4000 {
            hasher.update(buf.as_bytes());
            buf.clear();
        }
    }
    hasher.update(buf.as_bytes());
    hasher.finalize().to_hex()[..32].to_string()
}

/// A fetched page after decoding, extraction and analysis.
#[derive(Debug, Clone)]
pub struct PageAnalysis {
    pub doc: Document,
    /// `None` when the content hash equals the one the caller already had: unchanged content
    /// is not matched or scored again.
    pub analysis: Option<Analysis>,
    /// [`content_hash`] of the visible text.
    pub content_hash: String,
    /// Links found on the page, resolved against `<base href>` or the page URL, http(s) only,
    /// without fragments.
    pub links: Vec<Url>,
    pub encoding: &'static str,
    pub decided_by: DecidedBy,
}

/// Everything done to one fetched page: decode, extract, hash, analyse. `url` is the final URL
/// (the `ref` of its queue row); `media_type` and `charset` come from the Content-Type header.
/// When the visible text's [`content_hash`] equals `known_hash`, the page is not analysed.
pub fn analyse_page(url: &Url, media_type: &str, charset: Option<&str>, body: &[u8], engine: &Engine, known_hash: Option<&str>) -> PageAnalysis {
    let tld = url.host_str().and_then(|h| h.rsplit('.').next()).filter(|t| t.chars().all(|c| c.is_ascii_alphabetic()));
    let html = media_type.is_empty() || media_type.contains("html") || media_type.contains("xml");
    let decoded = decode::decode(body, charset, tld, html);
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
                u
            })
            .collect();
        (page.title, page.text, links)
    } else {
        (String::new(), decoded.text, Vec::new())
    };
    let doc = Document { reference: url.to_string(), url: url.to_string(), title, text };
    let content_hash = content_hash(&doc.text);
    let analysis = (known_hash != Some(content_hash.as_str())).then(|| analyse(&doc, engine));
    PageAnalysis { doc, analysis, content_hash, links, encoding: decoded.encoding.name(), decided_by: decoded.decided_by }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        Engine::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lexicons")).expect("fixture lexicon")
    }

    #[test]
    fn a_page_is_decoded_extracted_and_scored_without_a_network() {
        let html = "<html><head><base href='/forum/'><title>Тема</title><script>убивайте()</script></head>\
                    <body><p>Гость: убивайте неверных!</p><a href='t2#c5'>next</a><a href='mailto:x@y'>m</a>\
                    <a href='https://other.kz/'>out</a></body></html>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(html);
        let url = Url::parse("http://site.kz/forum/t1").unwrap();
        let page = analyse_page(&url, "text/html", None, &bytes, &engine(), None);
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
        let second = analyse_page(&url, "text/html", None, &bytes, &engine(), Some(&page.content_hash));
        assert_eq!(second.content_hash, page.content_hash);
        assert!(second.analysis.is_none());
        let changed = analyse_page(&url, "text/html", None, "<p>Гость: убивайте всех!</p>".as_bytes(), &engine(), Some(&page.content_hash));
        assert_ne!(changed.content_hash, page.content_hash);
        assert!(changed.analysis.is_some());
    }
}
