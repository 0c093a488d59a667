//! `kuzet lexicon lint`: entries that will not do what their author meant.
//!
//! Errors (exit 1): stems under three letters (they match half the language), terms that
//! normalize to one letter. The same errors, and bad `[scoring]` values, stop every other
//! command that loads the lexicons ([`load_checked`]). Warnings: entries that collide after normalization with another
//! entry (a duplicate, or the same words in two categories), categories other than the four
//! kuzet reports, and entries that match very common words of any of the languages (after the
//! loose fold, so `бить` is caught matching English `bit`), and terms of one-group rules made
//! of function words only (screening cannot wait for a rarer word). Common words come from
//! `<lang>/common-words.txt` beside the lexicons: words separated by spaces or lines, `#`
//! comment lines.

use std::collections::HashMap;

use crate::bundled::Lexicons;
use crate::lexicon::{Entry, Lexicon, LexiconError};
use crate::normalize;

/// The categories kuzet's queues and rules are built around.
pub const CATEGORIES: [&str; 4] = ["incitement", "violence", "terrorism", "extremism"];

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub error: bool,
    /// `file:line` of the entry.
    pub at: String,
    pub message: String,
}


/// Lexicons that load but must not be used.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Load(#[from] LexiconError),
    #[error("{} lexicon lint error(s), fix them first (kuzet lexicon lint lists all):\n{}", .0.len(), .0.iter().map(|f| format!("  {}: {}", f.at, f.message)).collect::<Vec<_>>().join("\n"))]
    Lint(Vec<Finding>),
    #[error("[scoring]: {0}")]
    Scoring(String),
}

/// Loads the lexicons of `source` and refuses them if lint finds errors or `[scoring]` is
/// unusable: what every command that classifies loads.
pub fn load_checked(source: &Lexicons) -> Result<Lexicon, CheckError> {
    let lexicon = Lexicon::load_from(source)?;
    check(&lexicon)?;
    Ok(lexicon)
}

/// Lint errors and `[scoring]` problems of a loaded lexicon.
pub fn check(lexicon: &Lexicon) -> Result<(), CheckError> {
    let errors: Vec<Finding> = lexicon.entries.iter().flat_map(entry_errors).collect();
    if !errors.is_empty() {
        return Err(CheckError::Lint(errors));
    }
    lexicon.scoring.check().map_err(CheckError::Scoring)
}

/// The errors of one entry: a stem under three letters, a term of one letter.
fn entry_errors(e: &Entry) -> Vec<Finding> {
    let strict = normalize::strict(&e.term.words).as_str().trim().to_string();
    let letters = strict.chars().filter(|c| c.is_alphanumeric()).count();
    let mut out = Vec::new();
    let mut push = |message: String| out.push(Finding { error: true, at: e.source.clone(), message });
    if e.term.stem && !e.term.words.contains(' ') && letters < 3 {
        push(format!("stem {} has {letters} letters: at least 3 are needed", e.term));
    }
    if letters <= 1 {
        push(format!("term {} normalizes to one letter ({strict:?})", e.term));
    }
    out
}

/// Lints every entry of `lexicon` against the others and the common words.
pub fn lint(lexicon: &Lexicon, common: &HashMap<String, (String, String)>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut seen: HashMap<(String, bool), &Entry> = HashMap::new();
    for e in &lexicon.entries {
        findings.extend(entry_errors(e));
        let strict = normalize::strict(&e.term.words).as_str().trim().to_string();
        let loose = normalize::loose(&e.term.words).as_str().trim().to_string();
        let mut push = |error: bool, message: String| findings.push(Finding { error, at: e.source.clone(), message });
        if !CATEGORIES.contains(&e.category.as_str()) {
            push(false, format!("unknown category {:?} (expected one of {})", e.category, CATEGORIES.join(", ")));
        }
        match seen.get(&(strict.clone(), e.term.stem)) {
            Some(other) if other.category == e.category => push(false, format!("duplicates {} at {}", other.term, other.source)),
            Some(other) => push(false, format!("same words as {} ({}) at {}, in another category", other.term, other.category, other.source)),
            None => {
                seen.insert((strict.clone(), e.term.stem), e);
            }
        }
        if let Some((lang, word)) = common.get(&loose) {
            push(false, format!("{} matches the common {lang} word {word:?}", e.term));
        } else if e.term.stem
            && let Some((key, (lang, word))) = common.iter().filter(|(k, _)| k.starts_with(&loose) && !k.contains(' ')).min_by_key(|(k, _)| k.len()) {
                push(false, format!("stem {} matches the common {lang} word {word:?} ({key})", e.term));
            }
    }
    findings.extend(function_word_rules(lexicon));
    findings
}

/// Warnings for the terms of one-group rules made of function words only (`take them out`):
/// such a term has no rarer word for screening to wait for, so the rule fires in screening
/// wherever one of its words stands, and every page pays for matching around it.
fn function_word_rules(lexicon: &Lexicon) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in lexicon.proximity.iter().filter(|r| r.groups.len() == 1) {
        let group = &lexicon.groups[rule.groups[0]];
        for cue in &group.terms {
            let loose = normalize::loose(&cue.term.words);
            let mut words = loose.as_str().split_whitespace().peekable();
            if words.peek().is_some() && words.all(|w| lexicon.function_words.contains(w)) {
                let message = format!("{} in group {} is made of function words only: screening fires wherever its words stand", cue.term, group.name);
                out.push(Finding { error: false, at: format!("rule {}", rule.name), message });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Term;

    fn entry(term: &str, category: &str, line: usize) -> Entry {
        Entry {
            term: Term::parse(term).unwrap(),
            category: category.into(),
            weight: 5,
            lang: "ru".into(),
            note: String::new(),
            groups: vec![],
            meta: vec![],
            source: format!("ru/x.csv:{line}"),
        }
    }

    #[test]
    fn findings() {
        let lexicon = Lexicon {
            entries: vec![
                entry("уб*", "violence", 2),
                entry("убить", "violence", 3),
                entry("УБИТЬ", "violence", 4),
                entry("убить", "hate", 5),
                entry("бить", "violence", 6),
                entry("terror*", "terrorism", 7),
            ],
            ..Lexicon::default()
        };
        let mut common = HashMap::new();
        common.insert(normalize::loose("bit").as_str().to_string(), ("en".to_string(), "bit".to_string()));
        common.insert(normalize::loose("territory").as_str().to_string(), ("en".to_string(), "territory".to_string()));
        let found = lint(&lexicon, &common);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert!(messages.iter().any(|m| m.starts_with("stem уб* has 2 letters")), "{messages:?}");
        assert!(messages.iter().any(|m| m.starts_with("duplicates убить at ru/x.csv:3")), "{messages:?}");
        assert!(messages.iter().any(|m| m.starts_with("unknown category \"hate\"")), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("in another category")), "{messages:?}");
        assert!(messages.contains(&"бить matches the common en word \"bit\""), "{messages:?}");
        assert!(!messages.iter().any(|m| m.contains("terror*")), "terror* is not a prefix of territory's key: {messages:?}");
        let errors: Vec<&Finding> = found.iter().filter(|f| f.error).collect();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].at, "ru/x.csv:2");
    }

    #[test]
    fn one_group_rules_of_function_words_only() {
        let cue = |t: &str| crate::lexicon::Cue { term: Term::parse(t).unwrap(), lang: "en".into() };
        let group = |name: &str, terms: &[&str]| crate::lexicon::Group { name: name.into(), terms: terms.iter().map(|t| cue(t)).collect() };
        let rule = |name: &str, groups: Vec<usize>| crate::lexicon::Proximity { name: name.into(), groups, within: 3, ..Default::default() };
        let lexicon = Lexicon {
            groups: vec![group("take_out", &["take them out", "take that traitor out"]), group("pron", &["them", "him"]), group("verb", &["shoot"])],
            proximity: vec![rule("alone", vec![0]), rule("pair", vec![1, 2])],
            function_words: ["take", "them", "him", "out", "that"].iter().map(|w| normalize::loose(w).as_str().trim().to_string()).collect(),
            ..Lexicon::default()
        };
        let found: Vec<(String, String)> = lint(&lexicon, &HashMap::new()).into_iter().map(|f| (f.at, f.message)).collect();
        // Only the one-group rule's term of function words only: "traitor" is a word to wait
        // for, and the two-group rule waits for "shoot".
        assert_eq!(found, [("rule alone".to_string(), "take them out in group take_out is made of function words only: screening fires wherever its words stand".to_string())]);
    }
}
