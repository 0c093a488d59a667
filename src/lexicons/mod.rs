//! The lexicons and what is done with them: loading, linting, matching, screening, scoring, evaluating, and the analysis of one document.

pub mod analyse;
pub mod bundled;
pub mod classify;
pub mod evaluate;
pub mod lexicon;
pub mod lint;
pub mod matcher;
pub(crate) mod resolve;
pub mod saved;
pub mod score;
pub mod screen;
mod trie;
