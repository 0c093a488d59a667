//! A byte trie of the lexicon's normalized patterns, walked from a word start (anchored): the
//! matcher's automaton. Every walk begins at a word start, so failure links (what an
//! Aho-Corasick automaton adds for unanchored search) are never taken; without them the trie is
//! built in one pass over the sorted patterns, a few flat arrays and no allocation per state.
//! Building the two views' automata with `aho-corasick` was a fifth of `kuzet classify`'s
//! start-up with the threat grammar's ~25,000 cue terms.

use std::collections::VecDeque;

/// A state: the root is 0, [`DEAD`] is no state.
pub(crate) type State = u32;

/// Where a walk ends when no pattern continues.
pub(crate) const DEAD: State = u32::MAX;

/// No pattern ends at a state.
const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Trie {
    /// The root's transitions, one per byte.
    #[serde(with = "root_table")]
    root: Box<[State; 256]>,
    /// The states, and one more after the last (where its transitions end).
    states: Vec<StateInfo>,
    /// The transitions, each state's sorted by byte.
    bytes: Vec<u8>,
    to: Vec<State>,
}

/// What a walk reads of a state: a state of one transition (most past the first few bytes of
/// a pattern) in one look, not one in each of four tables. Walks go from each word start
/// kept, and with the threat grammar's cues the tables do not stay in the nearer caches.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
struct StateInfo {
    /// Where its transitions begin in `bytes`/`to` (the next state's, where they end).
    first: u32,
    /// The pattern that is the path to it ([`NONE`] when none).
    pattern: u32,
    /// Its transition when it has one and no other, on `byte` ([`DEAD`] otherwise).
    only: State,
    byte: u8,
}

/// The root's table as a sequence of 256 states (serde has no arrays that long).
mod root_table {
    use super::State;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(root: &[State; 256], s: S) -> Result<S::Ok, S::Error> {
        root.as_slice().serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Box<[State; 256]>, D::Error> {
        let states = Vec::<State>::deserialize(d)?;
        let n = states.len();
        states.into_boxed_slice().try_into().map_err(|_| serde::de::Error::invalid_length(n, &"256 states"))
    }
}

impl Trie {
    /// The trie of `patterns` (each pattern's index is its id); duplicates keep the first.
    /// Sorted patterns without duplicates (as [`Trie::sorted`] takes them) are fastest.
    pub(crate) fn new<P: AsRef<[u8]>>(patterns: &[P]) -> Trie {
        if patterns.windows(2).all(|w| w[0].as_ref() < w[1].as_ref()) {
            return Trie::sorted(patterns, |k| k as u32);
        }
        let mut order: Vec<u32> = (0..patterns.len() as u32).collect();
        order.sort_by(|&a, &b| patterns[a as usize].as_ref().cmp(patterns[b as usize].as_ref()).then(a.cmp(&b)));
        order.dedup_by(|b, a| patterns[*a as usize].as_ref() == patterns[*b as usize].as_ref());
        let sorted: Vec<&[u8]> = order.iter().map(|&k| patterns[k as usize].as_ref()).collect();
        Trie::sorted(&sorted, |k| order[k])
    }

    /// The trie of `sorted` (ascending, no duplicates), the pattern at `k` with id `id(k)`.
    fn sorted<P: AsRef<[u8]>>(sorted: &[P], id: impl Fn(usize) -> u32) -> Trie {
        let key = |k: usize| sorted[k].as_ref();
        // At most a state for each byte of the patterns, and the root.
        let states = sorted.iter().map(|p| p.as_ref().len()).sum::<usize>() + 1;
        let mut trie = Trie { root: Box::new([DEAD; 256]), states: Vec::with_capacity(states + 1), bytes: Vec::with_capacity(states), to: Vec::with_capacity(states) };
        // States in breadth-first order, each a range of the patterns sharing the path to it,
        // of length `depth`; its children are numbered as they are queued, so each state's
        // transitions are contiguous.
        let mut queue: VecDeque<(usize, usize, usize)> = VecDeque::from([(0, sorted.len(), 0)]);
        let mut next: State = 1;
        while let Some((mut lo, hi, depth)) = queue.pop_front() {
            let state = trie.states.len();
            // Sorted: the pattern that ends here comes first.
            let mut pattern = NONE;
            if lo < hi && key(lo).len() == depth {
                pattern = id(lo);
                lo += 1;
            }
            trie.states.push(StateInfo { first: trie.bytes.len() as u32, pattern, only: DEAD, byte: 0 });
            while lo < hi {
                let b = key(lo)[depth];
                let end = lo + sorted[lo..hi].partition_point(|p| p.as_ref()[depth] <= b);
                if state == 0 {
                    trie.root[b as usize] = next;
                }
                trie.bytes.push(b);
                trie.to.push(next);
                next += 1;
                queue.push_back((lo, end, depth + 1));
                lo = end;
            }
        }
        trie.states.push(StateInfo { first: trie.bytes.len() as u32, pattern: NONE, only: DEAD, byte: 0 });
        for k in 0..trie.states.len() - 1 {
            let (from, to) = (trie.states[k].first as usize, trie.states[k + 1].first as usize);
            if to - from == 1 {
                (trie.states[k].only, trie.states[k].byte) = (trie.to[from], trie.bytes[from]);
            }
        }
        trie
    }

    /// The state after `state` on byte `b`, or [`DEAD`].
    #[inline]
    pub(crate) fn next(&self, state: State, b: u8) -> State {
        if state == 0 {
            return self.root[b as usize];
        }
        let info = &self.states[state as usize];
        if info.only != DEAD {
            return if info.byte == b { info.only } else { DEAD };
        }
        let (from, to) = (info.first as usize, self.states[state as usize + 1].first as usize);
        let bytes = &self.bytes[from..to];
        // Most states have one or two transitions.
        if bytes.len() <= 8 {
            bytes.iter().position(|&c| c == b).map_or(DEAD, |k| self.to[from + k])
        } else {
            bytes.binary_search(&b).map_or(DEAD, |k| self.to[from + k])
        }
    }

    /// The pattern whose bytes are the path to `state`, if any.
    #[inline]
    pub(crate) fn pattern(&self, state: State) -> Option<usize> {
        let p = self.states[state as usize].pattern;
        (p != NONE).then_some(p as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The patterns that are prefixes of `text` that the trie finds, walking it byte by byte.
    fn walk(trie: &Trie, text: &str) -> Vec<usize> {
        let mut found = Vec::new();
        let mut s = 0;
        for &b in text.as_bytes() {
            s = trie.next(s, b);
            if s == DEAD {
                break;
            }
            found.extend(trie.pattern(s));
        }
        found
    }

    #[test]
    fn finds_the_patterns_that_begin_a_text() {
        let patterns = ["kill", "kil", "убива", "убить", "k", "kill them", "abcdefghijk", "abcdefghijl", "kill"];
        let trie = Trie::new(&patterns);
        let table: &[(&str, &[usize])] = &[
            ("kill them all", &[4, 1, 0, 5]),
            ("killer", &[4, 1, 0]),
            ("ki", &[4]),
            ("убивать", &[2]),
            ("убить", &[3]),
            ("уб", &[]),
            ("abcdefghijl", &[7]),
            ("x", &[]),
            ("", &[]),
        ];
        for &(text, want) in table {
            assert_eq!(walk(&trie, text), want, "{text:?}");
        }
    }

    #[test]
    fn agrees_with_a_scan_of_the_patterns() {
        // Many transitions from one state (a binary search) and few (a scan).
        let mut patterns: Vec<String> = (0u8..=255).filter(|b| b.is_ascii_alphanumeric()).map(|b| format!("a{}", b as char)).collect();
        patterns.extend(["ab", "abc", "abcd", "b", "ба", "бар", "бара"].map(String::from));
        let trie = Trie::new(&patterns);
        for text in ["abcde", "a0", "aZ", "ab", "бараны", "бы", "b", "c", "a"] {
            let mut want: Vec<usize> = (0..patterns.len()).filter(|&k| text.starts_with(patterns[k].as_str()) && !patterns[..k].contains(&patterns[k])).collect();
            want.sort_by_key(|&k| patterns[k].len());
            assert_eq!(walk(&trie, text), want, "{text:?}");
        }
    }

    #[test]
    fn no_patterns_no_states_but_the_root() {
        let trie = Trie::new::<&str>(&[]);
        assert_eq!(trie.next(0, b'a'), DEAD);
        assert_eq!(trie.pattern(0), None);
        let empty = Trie::new(&[""]);
        assert_eq!(empty.pattern(0), Some(0));
    }
}
