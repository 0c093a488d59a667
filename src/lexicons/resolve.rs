//! Reading words that stand for another word: the lexicon's words that a token of
//! `normalize::wildcard` (masked letters, ambiguous leet digits, I/l confusion) may spell.
//!
//! The automaton has no wildcards, and such words are rare: each is read against the words of
//! the loose patterns, indexed by first letter, and the matcher matches each reading in its
//! place. Repeated letters are folded where parts meet (`kil*l` reads `kil`). A stem matches
//! a token that begins with it, only when the stem takes in a part read two ways (otherwise
//! the loose view finds it as it is).
//!
//! This module does not find tokens and does not match: it only answers which words.

use std::collections::HashMap;

use crate::normalize::is_letter;
use crate::normalize::wildcard::Part;

/// Most letters a run of masks stands for.
const MAX_HIDDEN: usize = 3;

/// The words of the loose patterns, each with whether it is a stem and what it belongs to.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Vocabulary<T> {
    words: Vec<(Vec<char>, bool, T)>,
    by_first: HashMap<char, Vec<u32>>,
}

impl<T> Vocabulary<T> {
    /// The vocabulary of `words` (loose keys, stem or not, and what each belongs to).
    pub(crate) fn new(words: impl IntoIterator<Item = (String, bool, T)>) -> Vocabulary<T> {
        let mut v = Vocabulary { words: Vec::new(), by_first: HashMap::new() };
        for (word, stem, data) in words {
            let chars: Vec<char> = word.chars().collect();
            let Some(&first) = chars.first() else { continue };
            v.by_first.entry(first).or_default().push(v.words.len() as u32);
            v.words.push((chars, stem, data));
        }
        // In order within each first letter, for [`Vocabulary::lookup`].
        for list in v.by_first.values_mut() {
            list.sort_by(|&a, &b| v.words[a as usize].0.cmp(&v.words[b as usize].0));
        }
        v
    }

    /// Calls `f` with each word `parts` may stand for: the token read that way (the word, and
    /// for a stem the token's letters after it) and what the word belongs to.
    pub(crate) fn resolve(&self, parts: &[Part], mut f: impl FnMut(String, &T)) {
        let firsts: Vec<char> = match parts.first() {
            Some(Part::Lit(cs)) if !cs.is_empty() => vec![cs[0]],
            Some(Part::OneOf(options)) => options.iter().filter_map(|o| o.chars().next()).collect(),
            _ => self.by_first.keys().copied().collect(),
        };
        for first in firsts {
            for &k in self.by_first.get(&first).map_or(&[][..], Vec::as_slice) {
                let (word, stem, data) = &self.words[k as usize];
                if let Some(at) = walk(parts, At { part: 0, off: 0, w: 0, prev: None, odd: false }, word, *stem) {
                    let mut read: String = word.iter().collect();
                    if *stem {
                        read.push_str(&rest(parts, at));
                    }
                    f(read, data);
                }
            }
        }
    }
}

impl<T> Vocabulary<T> {
    /// Calls `f` with what each word that `key` is belongs to: a word equal to it, or a stem
    /// it begins with (each of its beginnings searched for among the words in order).
    pub(crate) fn lookup(&self, key: &str, mut f: impl FnMut(&T)) {
        let key: Vec<char> = key.chars().collect();
        let Some(list) = key.first().and_then(|c| self.by_first.get(c)) else { return };
        for n in 1..=key.len() {
            let begin = &key[..n];
            let from = list.partition_point(|&k| self.words[k as usize].0.as_slice() < begin);
            for &k in list[from..].iter().take_while(|&&k| self.words[k as usize].0.as_slice() == begin) {
                let (_, stem, data) = &self.words[k as usize];
                if *stem || n == key.len() {
                    f(data);
                }
            }
        }
    }
}

/// Where a reading stands: in part `part` (at letter `off` of a literal), at letter `w` of the
/// word, after letter `prev`, and whether a part read two ways was crossed.
#[derive(Debug, Clone, Copy)]
struct At {
    part: usize,
    off: usize,
    w: usize,
    prev: Option<char>,
    odd: bool,
}

/// Whether `parts` from `at` read as the rest of `word` (for a stem: as its rest and then
/// anything); where the reading ended.
fn walk(parts: &[Part], at: At, word: &[char], stem: bool) -> Option<At> {
    if at.w == word.len() && ((stem && at.odd) || (!stem && at.part == parts.len())) {
        return Some(at);
    }
    let next = At { part: at.part + 1, off: 0, ..at };
    match parts.get(at.part)? {
        Part::Lit(cs) => match cs.get(at.off) {
            None => walk(parts, next, word, stem),
            Some(&c) => {
                let step = At { off: at.off + 1, ..at };
                if word.get(at.w) == Some(&c) {
                    if let Some(end) = walk(parts, At { w: at.w + 1, prev: Some(c), ..step }, word, stem) {
                        return Some(end);
                    }
                }
                if at.prev == Some(c) { walk(parts, step, word, stem) } else { None }
            }
        },
        Part::Any(n) => {
            let most = usize::from(*n).min(MAX_HIDDEN).min(word.len() - at.w);
            (0..=most).take_while(|&k| k == 0 || is_letter(word[at.w + k - 1])).find_map(|k| {
                let prev = if k == 0 { at.prev } else { Some(word[at.w + k - 1]) };
                // Hiding nothing at the end of a stem does not make it read another way.
                let odd = at.odd || k > 0 || at.w < word.len();
                walk(parts, At { w: at.w + k, prev, odd, ..next }, word, stem)
            })
        }
        Part::OneOf(options) => options.iter().find_map(|o| {
            let (mut w, mut prev) = (at.w, at.prev);
            for c in o.chars() {
                if word.get(w) == Some(&c) {
                    w += 1;
                    prev = Some(c);
                } else if prev != Some(c) {
                    return None;
                }
            }
            walk(parts, At { w, prev, odd: true, ..next }, word, stem)
        }),
    }
}

/// The token's letters from `at` on: what follows a stem (a choice read its first way, masks
/// as nothing).
fn rest(parts: &[Part], at: At) -> String {
    let mut out = String::new();
    for (k, p) in parts.iter().enumerate().skip(at.part) {
        match p {
            Part::Lit(cs) => out.extend(&cs[if k == at.part { at.off.min(cs.len()) } else { 0 }..]),
            Part::OneOf(options) if k > at.part || at.off == 0 => out.push_str(options.first().copied().unwrap_or("")),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize;
    use crate::normalize::wildcard::tokens;

    /// (vocabulary words, `*` marking stems, token text, readings found)
    const CASES: &[(&[&str], &str, &[&str])] = &[
        (&["kil", "bil"], "k*ll", &["kil"]),
        (&["kil"], "k**l", &["kil"]),
        (&["kil"], "kil*l", &["kil"]),
        (&["kil"], "k***ll", &["kil"]),
        (&["kil"], "ki11", &["kil"]),
        (&["kil"], "kiII", &["kil"]),
        (&["isis"], "ISlS", &["isis"]),
        (&["ubit"], "у*бить", &["ubit"]),
        (&["ubei"], "уб*й", &["ubei"]),
        (&["ubei"], "уб3й", &["ubei"]),
        (&["ubiva*"], "уб*вайте", &["ubivaite"]),
        // the stem does not take in the mask: the loose view finds it as it is
        (&["kil*"], "kil*ers", &[]),
        (&["snake"], "snake_case", &[]),
        (&["kil"], "k*", &[]),
    ];

    #[test]
    fn table() {
        for &(words, text, want) in CASES {
            let vocabulary = Vocabulary::new(words.iter().map(|w| (w.trim_end_matches('*').to_string(), w.ends_with('*'), ())));
            let strict = normalize::strict(text);
            let mut got = Vec::new();
            for t in tokens(text, &strict) {
                vocabulary.resolve(&t.parts, |read, _| got.push(read));
            }
            assert_eq!(got, want, "{text:?} against {words:?}");
        }
    }

    #[test]
    fn lookup() {
        let vocabulary = Vocabulary::new([("убить", false, 1), ("взорв", true, 2), ("ub", true, 3)].map(|(w, stem, d)| (w.to_string(), stem, d)));
        let table: &[(&str, &[i32])] = &[("убить", &[1]), ("убит", &[]), ("убитьь", &[]), ("взорвать", &[2]), ("взор", &[]), ("ubit", &[3]), ("", &[])];
        for &(key, want) in table {
            let mut got = Vec::new();
            vocabulary.lookup(key, |&d| got.push(d));
            assert_eq!(got, want, "{key}");
        }
    }
}
