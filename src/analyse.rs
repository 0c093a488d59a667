//! The analysis of one item: everything done to one document, as a pure function.
//!
//! [`Engine`] is built once from a lexicon folder and shared by every worker thread;
//! [`analyse`] turns a [`Document`] into an [`Analysis`] without any I/O, so tests (and the
//! crawler's CPU stage) call it directly.

use std::path::Path;

use crate::lang::LangDetector;
use crate::lexicon::{Lexicon, LexiconError};
use crate::matcher::{Hit, Matcher};
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

    /// Normalize, match and score `text` (no language label).
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
