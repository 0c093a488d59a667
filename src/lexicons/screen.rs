//! Screening: the words of a text that cannot change its assessment, set aside before
//! normalization and matching.
//!
//! Nearly every word of a page is ordinary vocabulary. The text is split at ASCII separators
//! and no-break spaces (which normalization never joins across) and each word, normalized on
//! its own once per thread (a cache), is one of:
//!
//! * *opaque*: not exactly one token in each view (`b@mb`, marks, letters spelled out one by
//!   one, three or more single letters in a row): kept as it is, and it may be anything;
//! * *first*: may begin a pattern (an entry or a rule cue): kept when near a trigger (below);
//! * *later*: may only continue a pattern: kept when the word before it is kept;
//! * *inert*: one token that is no word of any pattern;
//! * a separator: no token at all (a dash, a lone symbol).
//!
//! Matches begin and end at token boundaries (a stem may end inside its last token), so a
//! hit is made of kept words only. Every pattern has a *signature*, its rarest word (not a
//! function word, not a common word, in the fewest patterns, longest): without it the pattern
//! cannot match. Triggers are signatures of entries, and signatures of rule cues with every
//! other group of the rule near; a signature stands only for the patterns that can match next
//! to the words around it (one that needs a word before or after it, next to an inert word,
//! triggers nothing). A text without a trigger has no entry hit and fires no rule,
//! so its assessment is empty whatever its cue hits ([`Screened::Nothing`]). Otherwise a cue
//! can only count within the widest rule or dampener window of a trigger, and words that may
//! begin a pattern further away are set aside like inert ones. Within a window too, a pattern
//! can only begin where some signature follows within as many words as any pattern puts
//! before its own: elsewhere such a word is kept only as it continues a kept one.
//!
//! [`Substitute`] is the shorter text the matcher then reads: kept words and the separators
//! around them as they are, each run of set-aside words as one placeholder word that is itself
//! inert, or as two with a blank line between them when the run crosses blank lines (its
//! paragraphs need not be there one by one: no pattern crosses a blank line). It maps offsets
//! back to the original and counts the words and paragraph breaks each placeholder stood for,
//! so spans, word indices and paragraphs come out as if the whole text had been matched, and a
//! page with a trigger carries a placeholder or two for each stretch between windows, not one
//! for each of its paragraphs. Distances are checked with a lower bound of the view's word
//! index (plain words before), so screening never drops a hit that could count.
//! `Matcher::find_in` keeps the whole-text path, and a property test holds the two to the same
//! assessments and entry hits.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::sync::atomic::{AtomicU64, Ordering};

use rustc_hash::FxHasher;

use crate::clitics;
use crate::lexicon::{Lexicon, TermRef};
use crate::normalize::{self, is_mark, is_word_char};
use crate::resolve::Vocabulary;

/// The widest window of the rules and dampeners whose words are kept only near a trigger
/// ([`Kind::First`]); those of wider ones are kept further out ([`Kind::Wide`]). A few rules
/// and dampeners look 14 to 23 words away; the rest no more than 12.
const NEAR_WORDS: u32 = 12;

/// Words longer than this (bytes) are never taken as inert: they are rare, and the cache
/// should not hold them.
const MAX_WORD: usize = 64;
/// The per-thread cache is emptied when it holds this many words (and its table of short
/// words takes no more).
const CACHE_WORDS: usize = 1 << 16;

/// Bit of a pattern word's mask: it begins a lexicon entry.
const ENTRY: Mask = Mask::bit(0);
/// A mask that stands for anything: a word screening cannot see through.
const ANY: Mask = Mask::MAX;

/// Which patterns a word may belong to: bit 0 for entries, a bit for each group that some
/// proximity rule needs ([`group_bits`]). 256 bits: the threat grammar's rules need some 220
/// groups, and groups that share a bit make rules fire in screening where they cannot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub(crate) struct Mask([u64; 4]);

impl Mask {
    const ZERO: Mask = Mask([0; 4]);
    const MAX: Mask = Mask([u64::MAX; 4]);
    const BITS: u32 = 256;

    const fn bit(k: usize) -> Mask {
        let mut m = [0; 4];
        m[k / 64] = 1 << (k % 64);
        Mask(m)
    }

    fn has(self, k: usize) -> bool {
        self.0[k / 64] >> (k % 64) & 1 == 1
    }

    fn is_zero(self) -> bool {
        self == Mask::ZERO
    }

    fn intersects(self, other: Mask) -> bool {
        (self.0[0] & other.0[0]) | (self.0[1] & other.0[1]) | (self.0[2] & other.0[2]) | (self.0[3] & other.0[3]) != 0
    }

    /// The set bits, lowest first.
    fn ones(self) -> impl Iterator<Item = usize> {
        self.0.into_iter().enumerate().flat_map(|(w, mut m)| {
            std::iter::from_fn(move || {
                (m != 0).then(|| {
                    let b = m.trailing_zeros() as usize;
                    m &= m - 1;
                    w * 64 + b
                })
            })
        })
    }
}

impl std::ops::BitAnd for Mask {
    type Output = Mask;
    fn bitand(self, o: Mask) -> Mask {
        Mask([self.0[0] & o.0[0], self.0[1] & o.0[1], self.0[2] & o.0[2], self.0[3] & o.0[3]])
    }
}

impl std::ops::BitOr for Mask {
    type Output = Mask;
    fn bitor(self, o: Mask) -> Mask {
        Mask([self.0[0] | o.0[0], self.0[1] | o.0[1], self.0[2] | o.0[2], self.0[3] | o.0[3]])
    }
}

impl std::ops::BitOrAssign for Mask {
    fn bitor_assign(&mut self, o: Mask) {
        *self = *self | o;
    }
}

/// Each group's bit in a word's mask. Only groups that rules need get one: first the groups of
/// one-group rules (a bit shared with another group would make such a rule fire in screening
/// on every word of that group), then the others, those with common words first. Each gets a
/// bit of its own while there are bits; past that, the bit shared with the fewest groups,
/// preferring groups without common words (a bit-mate's common words would make its rules
/// fire in screening all the time). 64 bits were too few for the 70 rule groups of session 3
/// (100 MB took 1.84 s to classify against 1.06 s with 128), and 128 for the threat grammar's
/// 222: sharing them, rules fired in screening wherever a bit-mate's word stood, and 100 MB
/// took 3.4 s of CPU against 1.6 s with 256 bits. Groups that only dampeners, negations or
/// leads read need none: no rule waits for them, and their words are kept near a trigger like
/// any pattern's.
fn group_bits(lexicon: &Lexicon, weak: &[Weakness]) -> Vec<Mask> {
    const FREE: usize = Mask::BITS as usize - 2;
    let mut bits = vec![CUE; lexicon.groups.len()];
    // Per bit: whether a group with common words has it, and how many groups.
    let mut taken: Vec<(bool, usize)> = vec![(false, 0); FREE];
    let needed = |single: bool| lexicon.proximity.iter().filter(move |r| (r.groups.len() == 1) == single).flat_map(|r| r.groups.iter().copied());
    let (mut common, rare): (Vec<usize>, Vec<usize>) = needed(false).partition(|&g| weak[g].weak > 0);
    common.sort_by_key(|&g| std::cmp::Reverse(weak[g].weak));
    // The bits of one-group rules' groups are theirs alone (shared, a rule of one group fired
    // wherever its bit-mate's words stood: `plow` of `ram_verb_en` fired `imperative_ar`).
    let single: Vec<usize> = needed(true).collect();
    let mut exclusive = vec![false; FREE];
    let mut next = 0;
    for g in single.iter().copied().chain(common).chain(rare) {
        if bits[g] != CUE {
            continue;
        }
        let alone = single.contains(&g);
        let k = if next < FREE {
            next += 1;
            next - 1
        } else {
            // Past a one-group rule's bit only when every bit is one (more than 254 such
            // groups: none of the shipped lexicons comes near).
            let shared = |k: &usize| !exclusive[*k] || exclusive.iter().all(|&e| e);
            (0..FREE).filter(shared).min_by_key(|&k| (taken[k].0 || weak[g].weak > 0 && taken[k].1 > 0, taken[k].1, k)).unwrap_or(0)
        };
        bits[g] = Mask::bit(2 + k);
        taken[k] = (taken[k].0 || weak[g].weak > 0, taken[k].1 + 1);
        exclusive[k] |= alone;
    }
    bits
}

/// The bit of cues of groups that no rule needs: their words are signatures all the same (a
/// word that may begin a pattern is kept only with a signature close enough after it).
const CUE: Mask = Mask::bit(1);

/// Words of patterns in one view: those that begin a pattern, those that continue one, and
/// each pattern's signature: its rarest word, which must be in a text for the pattern to
/// match there, with what the pattern is (an entry, a cue of some group).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct Words {
    first: Pieces<()>,
    /// The words that begin a cue of a rule or dampener with a wide window ([`Kind::Wide`]).
    wide: Pieces<()>,
    later: Pieces<()>,
    /// Each signature's [`Sig`], by its number in `sigs`.
    signature: Pieces<u32>,
    /// The loose signatures of patterns whose loose-only hits the matcher drops in some kinds
    /// of word ([`crate::matcher::plain_script`]): entry `k` those dropped in the kinds of
    /// bits `k + 1`.
    dropped: [Pieces<u32>; 7],
    /// The distinct [`Sig`]s of `signature` and `dropped`, which hold their numbers: a few
    /// hundred for tens of thousands of words (the tables are a tenth of the size, faster to
    /// look up and to read back from [`crate::saved`]).
    sigs: Vec<Sig>,
    /// The words of all seven `dropped` tables: most words are in none, and one look tells.
    any_dropped: Pieces<()>,
}

impl Words {
    /// Adds normalized patterns (with whether each is a stem, and its mask). `function` and
    /// `common`: loose keys of function words and common words, which make poor signatures.
    /// Also gives the longest lead, and each word once (whether it is a stem), in order, for
    /// [`Vocabulary`].
    /// `loose`: the patterns are in the loose view already (their words are their own keys).
    /// A pattern marked `wide` is a cue of a rule or dampener with a wide window; one with
    /// `dropped` bits has its signature in [`Words::dropped`].
    fn build(patterns: &[(&str, bool, Mask, bool, u8)], loose: bool, function: &HashSet<String>, common: &HashMap<String, (String, String)>) -> (Words, u32, Vec<(String, bool, ())>) {
        // Each pattern's words, one after another in one list (not a list each).
        let mut flat: Vec<&str> = Vec::with_capacity(2 * patterns.len());
        let mut ends: Vec<usize> = Vec::with_capacity(patterns.len() + 1);
        ends.push(0);
        for (p, ..) in patterns {
            word_runs_into(p, &mut flat);
            ends.push(flat.len());
        }
        let runs = |i: usize| &flat[ends[i]..ends[i + 1]];
        // Tables sized at once: growing them rehashed every word several times at start-up.
        let later = flat.len() - (0..patterns.len()).filter(|&i| !runs(i).is_empty()).count();
        let mut in_table = [0; 8];
        patterns.iter().for_each(|p| in_table[usize::from(p.4 & 7)] += 1);
        let mut words = Words {
            first: Pieces::with_capacity(patterns.len()),
            wide: Pieces::default(),
            later: Pieces::with_capacity(later),
            signature: Pieces::default(),
            dropped: Default::default(),
            sigs: Vec::new(),
            any_dropped: Pieces::with_capacity(in_table[1..].iter().sum()),
        };
        // The signatures' tables as they are built, whole [`Sig`]s merged.
        let mut signature: Pieces<Sig> = Pieces::with_capacity(in_table[0]);
        let mut dropped_tables: [Pieces<Sig>; 7] = std::array::from_fn(|k| Pieces::with_capacity(in_table[k + 1]));
        // How many patterns each word is in: a word of many phrases is a poor signature.
        let mut counts: FxMap<&str, usize> = FxMap::with_capacity_and_hasher(patterns.len() + later, Default::default());
        for r in (0..patterns.len()).map(runs) {
            for (k, w) in r.iter().enumerate() {
                if !r[..k].contains(w) {
                    *counts.entry(w).or_default() += 1;
                }
            }
        }
        // Whether a word's loose key is a function word or a common word: each word once.
        let mut poor: FxMap<&str, (bool, bool)> = FxMap::with_capacity_and_hasher(counts.len(), Default::default());
        // Each word once as it comes (the same words recur in thousands of cues), sorted after.
        let mut distinct: FxSet<(&str, bool)> = FxSet::with_capacity_and_hasher(counts.len(), Default::default());
        let mut max_lead = 0;
        // Signatures chosen so far, by word (whole words): a phrase one of whose words is one
        // already, with all of the phrase's bits, adds no trigger with it (`сто плетей` by
        // `плетей`, an entry of its own, not by `сто`; one in a [`Words::dropped`] table is in
        // the words it leaves out all the same, but for a few fold accidents). One-word
        // patterns, which have no choice, come first.
        let mut chosen: FxMap<&str, Mask> = FxMap::with_capacity_and_hasher(patterns.len(), Default::default());
        let order = (0..patterns.len()).filter(|&i| runs(i).len() == 1).chain((0..patterns.len()).filter(|&i| runs(i).len() > 1));
        for i in order {
            let ((pattern, stem, mask, wide, dropped), runs) = (&patterns[i], runs(i));
            let Some(last) = runs.len().checked_sub(1) else { continue };
            let stem_last = *stem && pattern.chars().next_back().is_some_and(is_word_char);
            for (k, run) in runs.iter().enumerate() {
                let pieces = if k == 0 { &mut words.first } else { &mut words.later };
                pieces.add(run, stem_last && k == last, ());
                if k == 0 && *wide {
                    words.wide.add(run, stem_last && k == last, ());
                }
                distinct.insert((run, stem_last && k == last));
            }
            // A stem matches every word it begins: a whole word is the better signature.
            let mut rarity = |k: usize| {
                let run = runs[k];
                let (function, common) = *poor.entry(run).or_insert_with(|| {
                    let normalized = (!loose).then(|| normalize::loose(run));
                    let key = normalized.as_ref().map_or(run, |n| n.as_str().trim());
                    (function.contains(key), common.contains_key(key))
                });
                let stem = stem_last && k == last;
                (function, common, stem, counts[run], std::cmp::Reverse(run.chars().count()))
            };
            // Dropped in plain words of a script: one-word patterns only.
            let plain = crate::matcher::PLAIN_LATIN | crate::matcher::PLAIN_CYRILLIC;
            let dropped = if last == 0 { *dropped } else { dropped & !plain };
            let whole = |k: usize| !(stem_last && k == last);
            // One word is its own signature.
            let sig = if last == 0 {
                0
            } else {
                let taken = |k: &usize| whole(*k) && chosen.get(runs[*k]).is_some_and(|&m| m & *mask == *mask);
                let best = (0..runs.len()).filter(taken).min_by_key(|&k| rarity(k));
                best.or_else(|| (0..runs.len()).min_by_key(|&k| rarity(k))).unwrap_or(0)
            };
            if whole(sig) {
                *chosen.entry(runs[sig]).or_insert(Mask::ZERO) |= *mask;
            }
            max_lead = max_lead.max(sig as u32);
            let table = match dropped {
                1..=7 => {
                    words.any_dropped.add(runs[sig], stem_last && sig == last, ());
                    &mut dropped_tables[usize::from(dropped) - 1]
                }
                _ => &mut signature,
            };
            table.add(runs[sig], stem_last && sig == last, Sig::of(*mask, sig, last - sig));
        }
        let mut ids = FxMap::default();
        words.signature = signature.numbered(&mut words.sigs, &mut ids);
        words.dropped = dropped_tables.map(|table| table.numbered(&mut words.sigs, &mut ids));
        let mut distinct: Vec<(&str, bool)> = distinct.into_iter().collect();
        distinct.sort_unstable();
        (words, max_lead, distinct.into_iter().map(|(w, stem)| (w.to_string(), stem, ())).collect())
    }
}

/// A set of pattern words, some of them stems, each with what it is (a [`Sig`] for
/// signatures, nothing for the words that begin or continue patterns). Words are kept as
/// 64-bit hashes of their bytes ([`piece_key`]): no string is stored or compared. Two words of
/// one hash (none among the shipped lexicons' words; a page could be written to have one)
/// merge what they are, so a word may only be taken for more than it is: kept or a trigger
/// where it need not be, never set aside where it counts.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct Pieces<V> {
    exact: FxMap<u64, V>,
    stems: FxMap<u64, V>,
    /// For the stems of 4 to 63 bytes, by their first four bytes: their byte lengths (bit `n`
    /// for `n` bytes). A word is looked up only at the lengths of stems it may begin with.
    lens_by_prefix: FxMap<u32, u64>,
    /// Distinct byte lengths of the other stems (shorter or longer).
    odd_lens: Vec<usize>,
}

/// A word's key in [`Pieces`]: a hash of its bytes and length.
fn piece_key(word: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = FxHasher::default();
    h.write(word);
    h.write_usize(word.len());
    h.finish()
}

/// The first four bytes of `word` (at least four) as one number, for [`Pieces::lens_by_prefix`].
fn prefix4(word: &[u8]) -> u32 {
    u32::from_le_bytes([word[0], word[1], word[2], word[3]])
}

/// What is known of a pattern word, merged over the patterns it is in.
trait Merge: Copy + Default {
    fn merge(&mut self, other: Self);
}

impl Merge for () {
    fn merge(&mut self, _: ()) {}
}

impl<V: Merge> Pieces<V> {
    /// Room for about `n` words (the exact ones; stems are fewer).
    fn with_capacity(n: usize) -> Pieces<V> {
        Pieces { exact: FxMap::with_capacity_and_hasher(n, Default::default()), stems: FxMap::default(), lens_by_prefix: FxMap::default(), odd_lens: Vec::new() }
    }

    fn add(&mut self, word: &str, stem: bool, sig: V) {
        let set = if stem {
            let n = word.len();
            if (4..64).contains(&n) {
                *self.lens_by_prefix.entry(prefix4(word.as_bytes())).or_default() |= 1 << n;
            } else if !self.odd_lens.contains(&n) {
                self.odd_lens.push(n);
            }
            &mut self.stems
        } else {
            &mut self.exact
        };
        set.entry(piece_key(word.as_bytes())).or_default().merge(sig);
    }

    /// What `token` may be: equal to one of the words, or beginning with one of the stems
    /// (`None`: neither).
    fn get(&self, token: &str) -> Option<V> {
        self.get_as(token, |v| v)
    }

    /// The table with its values numbered: each distinct one pushed onto `values` once
    /// (`ids` has the numbers of those there).
    fn numbered(self, values: &mut Vec<V>, ids: &mut FxMap<V, u32>) -> Pieces<u32>
    where
        V: Eq + std::hash::Hash,
    {
        let mut number = |v: V| {
            *ids.entry(v).or_insert_with(|| {
                values.push(v);
                (values.len() - 1) as u32
            })
        };
        let mut renumber = |map: FxMap<u64, V>| map.into_iter().map(|(k, v)| (k, number(v))).collect();
        let (exact, stems) = (renumber(self.exact), renumber(self.stems));
        Pieces { exact, stems, lens_by_prefix: self.lens_by_prefix, odd_lens: self.odd_lens }
    }
}

impl<V: Copy> Pieces<V> {
    /// [`Pieces::get`] of a table whose values stand for others (`what`), merged.
    fn get_as<T: Merge>(&self, token: &str, what: impl Fn(V) -> T) -> Option<T> {
        let mut sig = self.exact.get(&piece_key(token.as_bytes())).map(|&v| what(v));
        let mut stem_at = |n: usize| {
            if n <= token.len()
                && token.is_char_boundary(n)
                && let Some(&more) = self.stems.get(&piece_key(&token.as_bytes()[..n]))
            {
                sig.get_or_insert_default().merge(what(more));
            }
        };
        self.odd_lens.iter().for_each(|&n| stem_at(n));
        if token.len() >= 4
            && let Some(&lens) = self.lens_by_prefix.get(&prefix4(token.as_bytes()))
        {
            let mut m = lens;
            while m != 0 {
                stem_at(m.trailing_zeros() as usize);
                m &= m - 1;
            }
        }
        sig
    }
}

impl Pieces<()> {
    /// [`ENTRY`] when `token` is one of the words or begins with one of the stems.
    fn mask(&self, token: &str) -> Mask {
        if self.get(token).is_some() { ENTRY } else { Mask::ZERO }
    }
}

/// What patterns a word is part of ([`ENTRY`], [`group_bits`]), and for signatures, how many
/// words at most come before it in those patterns, and which of them need no word before it
/// (`no_prev`) or none after it (`no_next`): where the word next to a signature can be part
/// of no pattern, only those can match there ([`Screen::windows`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
struct Sig {
    mask: Mask,
    lead: u8,
    no_prev: Mask,
    no_next: Mask,
}

impl Merge for Sig {
    fn merge(&mut self, other: Sig) {
        self.mask |= other.mask;
        self.lead = self.lead.max(other.lead);
        self.no_prev |= other.no_prev;
        self.no_next |= other.no_next;
    }
}

impl Sig {
    /// A signature `lead` words into its pattern, `trail` words before its end.
    fn of(mask: Mask, lead: usize, trail: usize) -> Sig {
        let when = |free: bool| if free { mask } else { Mask::ZERO };
        Sig { mask, lead: lead.min(u8::MAX as usize) as u8, no_prev: when(lead == 0), no_next: when(trail == 0) }
    }
}

/// What patterns `token` may be the signature of, as it is or past the Arabic proclitics
/// written onto it ([`clitics`]: a one-word term may follow them).
fn signature(words: &Words, token: &str) -> Sig {
    signature_in(words, token, || 0)
}

/// [`signature`] in a word that is `plain()` ([`crate::matcher::plain_script`], worked out
/// only for a word of some dropped table): the patterns whose loose-only hits the matcher
/// drops there are left out.
fn signature_in(words: &Words, token: &str, plain: impl FnOnce() -> u8) -> Sig {
    let sig_of = |id: u32| words.sigs[id as usize];
    let mut sig = words.signature.get_as(token, sig_of).unwrap_or_default();
    if words.any_dropped.get(token).is_some() {
        let plain = plain();
        for (bits, table) in (1u8..).zip(&words.dropped) {
            if bits & plain == 0 {
                sig.merge(table.get_as(token, sig_of).unwrap_or_default());
            }
        }
    }
    for past in clitics::starts(token.as_bytes()) {
        sig.merge(words.signature.get_as(&format!("{}{}", past.prefix, &token[past.skip..]), sig_of).unwrap_or_default());
    }
    sig
}

/// Whether `token` may begin a pattern of `first` (the words that begin patterns, or those
/// that begin a dampener's), as it is or past the Arabic proclitics on it.
fn may_begin(first: &Pieces<()>, token: &str) -> Mask {
    let mut mask = first.mask(token);
    for past in clitics::starts(token.as_bytes()) {
        mask |= first.mask(&format!("{}{}", past.prefix, &token[past.skip..]));
    }
    mask
}

/// Maximal runs of word characters in a normalized view.
fn word_runs(view: &str) -> Vec<&str> {
    let mut runs = Vec::new();
    word_runs_into(view, &mut runs);
    runs
}

/// [`word_runs`], appended to `runs`.
fn word_runs_into<'a>(view: &'a str, runs: &mut Vec<&'a str>) {
    let mut start = None;
    for (i, c) in view.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push(&view[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push(&view[s..]);
    }
}

/// A proximity rule as screening sees it: its groups' bits ([`group_bits`]), the anchor's
/// first, and the window.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct RuleMask {
    groups: Vec<usize>,
    /// The bits of the groups but the anchor.
    rest: Mask,
    within: u32,
}

/// A rule as screening checks it, anchored at its strongest group: the one with the fewest cue
/// terms made only of function or one- and two-letter words, then of those or common words
/// ([`Weakness`]: a frame's modality group, "should", "надо", "керек", is in every other
/// sentence; its verb group is not, and a verb group with some common verbs still less often
/// than a modal one: `call_modal_en` anchored its rule with `harm_obj_en` 49,000 times in
/// `compare.py`'s 100 MB, 3 of them firing, while it came first by common words). With two
/// groups the check is the same from either end. With more, a firing's other parts are
/// within `within` of its first group, so within twice that of each other: the window doubles
/// when the anchor is not the first group, and screening still keeps all that may count.
fn screening_order(rule: &crate::lexicon::Proximity, weak: &[Weakness], bits: &[Mask]) -> RuleMask {
    let bit = |g: usize| bits[g].ones().next().unwrap_or(1);
    let anchor = (0..rule.groups.len()).min_by_key(|&k| (weak[rule.groups[k]], k)).unwrap_or(0);
    let mut groups = vec![bit(rule.groups[anchor])];
    groups.extend(rule.groups.iter().enumerate().filter(|&(k, _)| k != anchor).map(|(_, &g)| bit(g)));
    let within = if anchor != 0 && rule.groups.len() > 2 { rule.within.saturating_mul(2) } else { rule.within };
    let rest = groups[1..].iter().fold(Mask::ZERO, |m, &b| m | Mask::bit(b));
    RuleMask { groups, rest, within }
}

/// How often a group's cues may be in a text, for [`screening_order`] and [`group_bits`]:
/// compared field by field, fewer is rarer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Weakness {
    /// Cue terms made only of function words or one- and two-letter words (`should`, `let
    /// us`): in every other sentence.
    function: usize,
    /// Cue terms made only of those or common words.
    weak: usize,
    /// Cue terms.
    terms: usize,
}

/// Each group's [`Weakness`]. The cues' loose forms are among `patterns` (strict, loose,
/// stem, what): nothing is normalized again.
fn weak_terms(lexicon: &Lexicon, patterns: &[(&str, &str, bool, TermRef)]) -> Vec<Weakness> {
    // The groups' words repeat (pronouns, modal verbs): each looked up once. Per word:
    // whether it is a function word (or one or two letters), and whether it is common.
    let mut known: FxMap<&str, (bool, bool)> = FxMap::default();
    let mut weak: Vec<Weakness> = lexicon.groups.iter().map(|g| Weakness { function: 0, weak: 0, terms: g.terms.len() }).collect();
    for &(_, loose, _, what) in patterns {
        let TermRef::Cue { group, .. } = what else { continue };
        let (mut function, mut all_weak) = (true, true);
        for key in loose.split_whitespace() {
            let (f, c) = *known.entry(key).or_insert_with(|| {
                let f = key.chars().count() <= 2 || lexicon.function_words.contains(key);
                (f, f || lexicon.common_words.contains_key(key))
            });
            function &= f;
            all_weak &= c;
        }
        weak[group].function += usize::from(function);
        weak[group].weak += usize::from(all_weak);
    }
    weak
}

/// What screening needs of a lexicon, built once with the matcher.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Screen {
    /// Tells this screen's cache entries from another engine's on the same thread (a screen
    /// read back from [`crate::saved`] gets a new one).
    #[serde(skip, default = "next_id")]
    id: u64,
    strict: Words,
    loose: Words,
    rules: Vec<RuleMask>,
    /// The bits of the rules' anchors ([`RuleMask::groups`]' first), and for each bit the
    /// rules it anchors.
    anchor_bits: Mask,
    rules_by_anchor: Vec<Vec<u32>>,
    /// How far (in words) from an entry or a rule a cue can still matter: the widest rule or
    /// dampener window (with a rule's negations' and leads' stretches); `None` when some
    /// dampener looks at the whole text. Words that may begin a cue of a rule or dampener
    /// wider than [`NEAR_WORDS`] ([`Kind::Wide`]) are kept that far from a trigger.
    reach: Option<u32>,
    /// How far (in words) from an entry or a rule the other words that may begin a pattern
    /// ([`Kind::First`]) are kept: the widest window of the rules and dampeners up to
    /// [`NEAR_WORDS`] (with a rule's negations' and leads' stretches).
    near: u32,
    /// The most words before a pattern's signature, over all patterns.
    max_lead: u32,
    /// The inert word set-aside words become: its place in [`PLACEHOLDERS`], or none.
    placeholder: Option<u8>,
    /// The words of the loose patterns with the masks of the patterns they are in, for words
    /// read another way ([`Screen::reading_mask`]).
    pub(crate) vocabulary: Vocabulary<()>,
    /// The same for the strict patterns, for words typed in the wrong keyboard layout: the
    /// matcher reads those in the strict view ([`Screen::layout_mask`]).
    pub(crate) layout: Vocabulary<()>,
    /// The same for Arabizi: the consonants of the patterns' Arabic words.
    pub(crate) arabizi: Vocabulary<(Mask, String)>,
}

/// What screening makes of one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// No token in either view (a dash, a lone symbol): part of the separator.
    Sep,
    /// One plain token that can take no part in a match.
    Inert,
    /// One plain token that can only continue a pattern begun by the word before it.
    Later,
    /// One plain token that may begin a pattern (of an entry, or a cue of a rule or a
    /// dampener): kept near a trigger ([`Screen::near`]).
    First,
    /// One plain token that may begin a cue of a rule or dampener with a wider window (and
    /// maybe other patterns): kept within the widest window of a trigger ([`Screen::reach`]).
    Wide,
    /// Not one plain token (several, marks, letters spelled out): always kept, may be anything.
    Opaque,
}

/// Eight bytes: a word's mask is held by its number in the thread's [`Masks`], so a page's
/// [`Word`]s are 20 bytes each (a 5 MB page has some 600,000, walked twice) and the table of
/// short words fits the nearer caches. With the 256-bit masks in place a word took 48.
#[derive(Debug, Clone, Copy)]
struct Info {
    /// What the patterns whose signature it may be are ([`ENTRY`], [`group_bits`]).
    mask: MaskId,
    kind: Kind,
    /// How many words at most come before it in those patterns.
    lead: u8,
    /// One letter (or digit): may be part of letters spelled out one by one.
    single: bool,
    /// A letter spelled out that the loose view joins to the one before it: no word of its
    /// own there (set only in [`Screen::close_chain`]).
    joined: bool,
}

/// A mask's number in [`Masks`]: 0 is no pattern, 1 is anything ([`ANY`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MaskId(u32);

const NO_MASK: MaskId = MaskId(0);
const ANY_MASK: MaskId = MaskId(1);

/// The distinct masks of the words a thread has screened, numbered; emptied with its cache.
#[derive(Debug, Clone)]
struct Masks {
    list: Vec<Near>,
    ids: FxMap<Near, u32>,
    /// For the first `triggers.len()` masks of `list`, whether each has a bit of the screen's
    /// triggers (entries and rule anchors; [`Masks::may_trigger`]).
    triggers: Vec<bool>,
}

/// A word's mask, and what is left of it where the word before it ([`Sig::no_prev`]) or the
/// one after it ([`Sig::no_next`]) can be part of no pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Near {
    mask: Mask,
    no_prev: Mask,
    no_next: Mask,
}

impl Default for Masks {
    fn default() -> Masks {
        let mut masks = Masks { list: Vec::new(), ids: FxMap::default(), triggers: Vec::new() };
        masks.clear();
        masks
    }
}

impl Masks {
    /// The number of `mask`, whatever the words next to it.
    fn id(&mut self, mask: Mask) -> MaskId {
        self.id_near(Near { mask, no_prev: mask, no_next: mask })
    }

    /// The number of a signature's mask, less where its neighbours are no pattern words.
    fn id_sig(&mut self, sig: &Sig) -> MaskId {
        self.id_near(Near { mask: sig.mask, no_prev: sig.no_prev & sig.mask, no_next: sig.no_next & sig.mask })
    }

    fn id_near(&mut self, near: Near) -> MaskId {
        let next = self.list.len() as u32;
        let id = *self.ids.entry(near).or_insert(next);
        if id == next {
            self.list.push(near);
        }
        MaskId(id)
    }

    fn get(&self, id: MaskId) -> Mask {
        self.list[id.0 as usize].mask
    }

    /// The mask of `id` where the word before it (`prev`) and the one after it (`next`) may or
    /// may not be part of a pattern.
    fn near(&self, id: MaskId, prev: bool, next: bool) -> Mask {
        let n = &self.list[id.0 as usize];
        match (prev, next) {
            (true, true) => n.mask,
            (false, true) => n.no_prev,
            (true, false) => n.no_next,
            (false, false) => n.no_prev & n.no_next,
        }
    }

    /// Whether the mask of `id` has a bit of `bits` (the same `bits` at every call until the
    /// masks are cleared: they are one screen's), worked out once for each mask.
    fn may_trigger(&mut self, id: MaskId, bits: Mask) -> bool {
        let id = id.0 as usize;
        while self.triggers.len() <= id {
            let next = self.list[self.triggers.len()].mask.intersects(bits);
            self.triggers.push(next);
        }
        self.triggers[id]
    }

    fn clear(&mut self) {
        self.list.clear();
        self.ids.clear();
        self.triggers.clear();
        self.id(Mask::ZERO);
        self.id(ANY);
    }
}

const OPAQUE: Info = Info { kind: Kind::Opaque, mask: ANY_MASK, lead: u8::MAX, single: false, joined: false };

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
type FxSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

/// Where a word is, and for a short one its key and [`ShortTable::hash`] (key 0: longer than
/// [`SHORT_WORD`]).
#[derive(Clone, Copy)]
struct Span {
    start: u32,
    end: u32,
    key: ShortKey,
    hash: u32,
}

/// One word of the text being screened.
#[derive(Debug, Clone, Copy)]
struct Word {
    start: u32,
    end: u32,
    info: Info,
    /// Plain words before it: a lower bound of the view's word index.
    pos: u32,
}

/// What each word seen on this thread is: words of up to 32 bytes by their bytes as two
/// numbers, longer ones by their bytes; and what each chain of single letters is. It takes
/// no more than [`CACHE_WORDS`] in all, even within one page.
#[derive(Default)]
struct WordCache {
    short: ShortTable<Known>,
    long: FxMap<Box<[u8]>, Info>,
    /// Chains of single letters of up to [`MAX_WORD`] bytes, by their text.
    chains: FxMap<Box<[u8]>, Chain>,
    /// What ASCII stretches around words read as in another layout ([`Screen::stretch_mask`]):
    /// those of up to [`SHORT_WORD`] bytes (most: `word,` and `word.`), the longer ones.
    stretches: ShortTable<Option<MaskId>>,
    long_stretches: FxMap<Box<[u8]>, Option<Mask>>,
    /// The masks its words' [`Info::mask`] numbers stand for.
    masks: Masks,
}

impl WordCache {
    fn len(&self) -> usize {
        self.short.len + self.long.len() + self.chains.len() + self.stretches.len + self.long_stretches.len()
    }

    fn clear(&mut self) {
        self.short.clear();
        self.long.clear();
        self.chains.clear();
        self.stretches.clear();
        self.long_stretches.clear();
        self.masks.clear();
    }
}

/// What a chain of single letters is ([`Screen::judge_chain`]).
#[derive(Debug, Clone, Copy)]
enum Chain {
    /// Kept wherever it is, the signature of `mask`.
    Opaque { mask: Mask },
    /// Judged as a whole: it `may_match` some pattern, and is the signature of `mask`; bit `j`
    /// of `begins` is set when letter `j` begins a word of the loose view (the first does).
    Spelled { mask: Mask, may_match: bool, begins: u64 },
}

impl Chain {
    fn mask(self) -> Mask {
        match self {
            Chain::Opaque { mask } | Chain::Spelled { mask, .. } => mask,
        }
    }
}

/// Words of up to 32 bytes (16 Cyrillic letters) and what they are, keyed by [`short_key`]
/// (never 0: a word's first byte is no separator, and NUL is one). Open addressing with
/// linear probing, at most half full, one 64-byte slot a word: a lookup reads one cache line,
/// and [`ShortTable::prefetch`] asks for it while the words before are being looked up.
/// Reading the slots was half of screening's time while crawling, where the table does not
/// stay in the nearer caches.
///
/// Pages are hostile: the hash is keyed with random numbers drawn for each table, a lookup
/// reads at most [`MAX_PROBE`] slots, and the table stops taking words at [`CACHE_WORDS`]
/// (8 MiB); a word it cannot take is judged without being kept. No page can make lookups
/// slower than that or the table bigger.
struct ShortTable<V = Known> {
    slots: Vec<Slot<V>>,
    len: usize,
    seed: [u64; 3],
}

#[derive(Clone, Copy)]
#[repr(align(64))]
struct Slot<V> {
    key: ShortKey,
    value: V,
}

/// What a [`ShortTable`] holds in its empty slots.
trait Vacant: Copy {
    const VACANT: Self;
}

/// What a short word is, and what it is with a comma or a full stop typed after it and
/// nothing else around (`word,` and `word.`: most words that punctuation touches), once
/// [`Screen::split`] has needed it: in the word's own slot, read with it.
#[derive(Debug, Clone, Copy)]
struct Known {
    info: Info,
    /// After `,` and after `.`; [`Kind::Sep`] while not yet worked out.
    keyed: [Info; 2],
}

/// [`Known::keyed`] not yet worked out.
const NOT_YET: Info = Info { kind: Kind::Sep, ..OPAQUE };

impl Vacant for Known {
    const VACANT: Known = Known { info: OPAQUE, keyed: [NOT_YET; 2] };
}

impl Vacant for Option<MaskId> {
    const VACANT: Option<MaskId> = None;
}

/// A word of up to 32 bytes as two numbers (the second 0 for up to 16 bytes).
type ShortKey = [u128; 2];

/// Longest word kept in the [`ShortTable`].
const SHORT_WORD: usize = 32;

/// Slots a lookup reads at most.
const MAX_PROBE: usize = 32;

/// Words [`Screen::split`] finds before it looks them up.
const SPLIT_BLOCK: usize = 512;

impl<V: Vacant> Default for ShortTable<V> {
    fn default() -> ShortTable<V> {
        use std::hash::BuildHasher;
        let random = std::hash::RandomState::new();
        ShortTable::with_seed([1u8, 2, 3].map(|i| random.hash_one(i)))
    }
}

impl<V: Vacant> ShortTable<V> {
    const EMPTY: Slot<V> = Slot { key: [0, 0], value: V::VACANT };

    fn with_seed(seed: [u64; 3]) -> ShortTable<V> {
        ShortTable { slots: vec![Self::EMPTY; 1 << 12], len: 0, seed }
    }

    /// A keyed hash of `key`: folded multiplications of its halves with the seed mixed in.
    fn hash(&self, [a, b]: ShortKey) -> u32 {
        let [s0, s1, s2] = self.seed;
        let fold = |x: u64, y: u64| {
            let p = u128::from(x) * u128::from(y);
            (p as u64) ^ (p >> 64) as u64
        };
        let h = fold(a as u64 ^ s0, (a >> 64) as u64 ^ s1) ^ fold(b as u64 ^ s1, (b >> 64) as u64 ^ s2);
        (fold(h ^ s2, 0x9E37_79B9_7F4A_7C15) >> 32) as u32
    }

    /// The slot where the probe for a key of [`ShortTable::hash`] `hash` begins: its top bits.
    fn home(&self, hash: u32) -> usize {
        (u64::from(hash) << 32 >> (64 - self.slots.len().trailing_zeros())) as usize
    }

    /// Starts loading the slot where the probe for `hash` begins into the cache.
    #[inline]
    fn prefetch(&self, hash: u32) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            let slot: *const Slot<V> = &self.slots[self.home(hash)];
            // SAFETY: a prefetch only hints at the cache; it reads nothing and cannot fault,
            // and `slot` points into `self.slots` anyway. SSE is part of x86_64.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(slot.cast()) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = hash;
    }

    /// What the word `key` (of [`ShortTable::hash`] `hash`) is, made by `make` when not yet
    /// known.
    fn get_or_insert_with(&mut self, key: ShortKey, hash: u32, make: impl FnOnce() -> V) -> V {
        self.entry(key, hash, make).0
    }

    /// [`ShortTable::get_or_insert_with`], and the slot that holds it (none when the table
    /// could not take it), for [`ShortTable::set`].
    fn entry(&mut self, key: ShortKey, hash: u32, make: impl FnOnce() -> V) -> (V, Option<usize>) {
        let mask = self.slots.len() - 1;
        let mut i = self.home(hash);
        let mut free = None;
        for _ in 0..MAX_PROBE {
            let slot = &self.slots[i];
            if slot.key == key {
                return (slot.value, Some(i));
            }
            if slot.key[0] == 0 {
                free = Some(i);
                break;
            }
            i = (i + 1) & mask;
        }
        let value = make();
        match free.filter(|_| self.len < CACHE_WORDS) {
            Some(i) => {
                self.slots[i] = Slot { key, value };
                self.len += 1;
                if 2 * self.len > self.slots.len() {
                    self.grow();
                    // Moved: found again when next needed.
                    return (value, None);
                }
                (value, Some(i))
            }
            None => (value, None),
        }
    }

    /// Replaces what the slot `i` ([`ShortTable::entry`]) holds, under the same key.
    fn set(&mut self, i: usize, value: V) {
        self.slots[i].value = value;
    }

    fn grow(&mut self) {
        let bigger = vec![Self::EMPTY; 2 * self.slots.len()];
        let old = std::mem::replace(&mut self.slots, bigger);
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|s| s.key[0] != 0) {
            // Half full at most: an empty slot comes.
            let mut i = self.home(self.hash(slot.key));
            while self.slots[i].key[0] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = slot;
        }
    }

    fn clear(&mut self) {
        *self = ShortTable::default();
    }
}

#[derive(Default)]
struct Cache {
    id: u64,
    words: WordCache,
    scratch: Scratch,
}

/// Buffers reused from one text to the next.
#[derive(Default)]
struct Scratch {
    /// The text's words in [`Screen::split`]'s first pass.
    spans: Vec<Span>,
    words: Vec<Word>,
    /// Indices of the words that may be signatures.
    signals: Vec<usize>,
    /// Indices in `signals` of those that may be an entry's or a rule anchor's
    /// ([`Screen::windows`] begins at them).
    triggers: Vec<u32>,
    /// What [`Screen::windows`] reads of the partners near an anchor.
    reached: Vec<Signal>,
    /// Ranges of indices of opaque words (always kept), in order.
    opaque: Vec<(u32, u32)>,
    /// Indices of the words whose separator before them breaks the paragraph, once for each
    /// break it makes in both views ([`paragraph_breaks`]), in order.
    blanks: Vec<u32>,
    /// Indices of the words whose separator before them may break the paragraph in ways not
    /// worked out here, in order: runs of set-aside words end there.
    breaks: Vec<u32>,
    /// Indices of the words [`Info::joined`] to the one before, in order.
    joined: Vec<u32>,
    /// The next plain word's position.
    pos: u32,
    /// Where the open chain of single letters begins in `words`.
    chain: Option<usize>,
    /// Triggers' positions and leads.
    spots: Vec<(u32, u32)>,
    /// Stretches of positions (inclusive) where words that may begin a pattern are kept
    /// ([`Kind::First`]: [`Screen::near`] of a trigger).
    windows: Vec<(u32, u32)>,
    /// The same for the words of wide cues ([`Kind::Wide`]: [`Screen::reach`]); they hold
    /// `windows`.
    wide: Vec<(u32, u32)>,
}

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
}

/// The bytes that separate words, as ranges of byte values: ASCII but letters, digits,
/// apostrophes (strict keeps them in words) and the symbols read as leet (`!`, `$`, `@`, `|`;
/// loose reads them as letters). Normalization never joins two words across these, except
/// letters spelled out one by one, which screening keeps. A no-break space separates too.
const SEPARATOR_BYTES: crate::simd::Class =
    &[(0x00, 0x20), (0x22, 0x23), (0x25, 0x26), (0x28, 0x2F), (0x3A, 0x3F), (0x5B, 0x5F), (0x7B, 0x7B), (0x7D, 0x7F)];

/// Where words end and begin: the bytes that separate words ([`SEPARATOR_BYTES`], and both
/// bytes of a no-break space), found 64 at a time.
struct Separators<'a> {
    b: &'a [u8],
    /// Where `bits` begin; bit `k` is the byte at `base + k` (bytes after the end separate).
    base: usize,
    bits: u64,
}

impl<'a> Separators<'a> {
    fn new(b: &'a [u8]) -> Separators<'a> {
        Separators { b, base: usize::MAX / 2, bits: 0 }
    }

    /// The first byte at or after `i` that separates words (`separating`) or does not; the
    /// text's length when there is none.
    #[inline]
    fn next(&mut self, mut i: usize, separating: bool) -> usize {
        let n = self.b.len();
        while i < n {
            if i < self.base || i >= self.base + 64 {
                self.base = i;
                self.bits = separator_bits(self.b, i);
            }
            let bits = if separating { self.bits } else { !self.bits };
            let m = bits >> (i - self.base);
            if m != 0 {
                return (i + m.trailing_zeros() as usize).min(n);
            }
            i = self.base + 64;
        }
        n
    }
}

/// Bit `k` set when `b[at + k]` separates words (bytes past the end do).
fn separator_bits(b: &[u8], at: usize) -> u64 {
    let (mut sep, mut c2, mut a0) = (0u64, 0u64, 0u64);
    for k in 0..4 {
        let from = at + 16 * k;
        let chunk: [u8; 16] = match b.get(from..from + 16) {
            Some(chunk) => chunk.try_into().unwrap_or([b' '; 16]),
            None => {
                let mut chunk = [b' '; 16];
                let rest = b.get(from..).unwrap_or_default();
                chunk[..rest.len()].copy_from_slice(rest);
                chunk
            }
        };
        let [s, c, a] = crate::simd::classes(&chunk, &[SEPARATOR_BYTES, &[(0xC2, 0xC2)], &[(0xA0, 0xA0)]]);
        sep |= u64::from(s) << (16 * k);
        c2 |= u64::from(c) << (16 * k);
        a0 |= u64::from(a) << (16 * k);
    }
    // A no-break space is 0xC2 0xA0, either byte possibly just outside these 64.
    let a0_after = u64::from(b.get(at + 64) == Some(&0xA0));
    let c2_before = u64::from(at > 0 && b[at - 1] == 0xC2);
    sep | (c2 & ((a0 >> 1) | (a0_after << 63))) | (a0 & ((c2 << 1) | c2_before))
}

/// A new screen's [`Screen::id`].
fn next_id() -> u64 {
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// Inert words tried as the placeholder, first fit wins (a lexicon could contain any one).
const PLACEHOLDERS: [&str; 6] = ["zq", "qz", "zqzq", "xqv", "vqxz", "qqzv"];

/// What screening found.
pub(crate) enum Screened {
    /// Nothing in the text can be an entry or make a rule fire: no hit can count.
    Nothing,
    /// The text to match instead.
    Text(Substitute),
}

impl Screen {
    /// The screen of `lexicon`, whose entries and cues normalize to `patterns`: each term's
    /// strict and loose form, whether it is a stem, and what it is.
    /// `dropped`: for each pattern, the plain words in which the matcher drops its loose-only
    /// hits ([`crate::matcher::plain_script`]; 0 for none).
    pub(crate) fn new(lexicon: &Lexicon, patterns: &[(&str, &str, bool, TermRef)], dropped: &[u8]) -> Screen {
        let weak = weak_terms(lexicon, patterns);
        let bits = group_bits(lexicon, &weak);
        let mask = |target: TermRef| match target {
            TermRef::Entry(e) => lexicon.entries[e].groups.iter().fold(ENTRY, |m, &g| m | bits[g]),
            TermRef::Cue { group, .. } => bits[group],
        };
        let rules: Vec<RuleMask> = lexicon.proximity.iter().map(|r| screening_order(r, &weak, &bits)).collect();
        let mut rules_by_anchor = vec![Vec::new(); Mask::BITS as usize];
        let mut anchor_bits = Mask::ZERO;
        for (r, rule) in rules.iter().enumerate() {
            if let Some(&anchor) = rule.groups.first() {
                rules_by_anchor[anchor].push(r as u32);
                anchor_bits |= Mask::bit(anchor);
            }
        }
        // What a rule reads lies within its window of its parts, its negations' stretches
        // before and after them, and its lead hits before an initial anchor (up to
        // [`crate::lexicon::MAX_LEAD_WORDS`] of them, each as long as its group's longest term);
        // a dampener's within its window of a hit (and a simile's words before a cue). The
        // widest is `reach` (none when a dampener looks at the whole text); the groups of the
        // rules and dampeners that look no further than [`NEAR_WORDS`] (nearly all) are kept
        // that near a trigger, the others' up to `reach`.
        // Words of a term: runs of letters and digits, or what spaces part (scoring counts a
        // cue's words so, `🔥 🔥` two); the more of the two, so that no window falls short.
        let words_in = |t: &str| {
            let runs = t.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).count();
            runs.max(t.split_whitespace().count()) as u32
        };
        let longest = |g: usize| {
            let cues = lexicon.groups[g].terms.iter().map(|c| words_in(&c.term.words));
            cues.chain(lexicon.entries.iter().filter(|e| e.groups.contains(&g)).map(|e| words_in(&e.term.words))).max().unwrap_or(0)
        };
        let rule_reach = |r: &crate::lexicon::Proximity| {
            let lead = r.lead.iter().map(|&g| longest(g)).max().unwrap_or(0) * crate::lexicon::MAX_LEAD_WORDS as u32;
            r.within.max(r.unless_before).max(r.unless_after).max(lead)
        };
        // A dampener's window counts from the nearest word of a cue: from its first, as far
        // again as its longest cue.
        let damp_reach = |d: &crate::lexicon::Dampener| {
            let cue = d.groups.iter().map(|&g| longest(g)).max().unwrap_or(1).saturating_sub(1);
            d.within.map(|w| w.saturating_add(cue).saturating_add(if d.unless.is_empty() { 0 } else { crate::lexicon::SIMILE_WORDS }))
        };
        let dampeners = || lexicon.dampeners.iter().filter(|d| !d.quoted);
        let reach = lexicon.proximity.iter().map(|r| Some(rule_reach(r))).chain(dampeners().map(damp_reach)).try_fold(0, |a: u32, w| Some(a.max(w?)));
        let reaches = lexicon.proximity.iter().map(|r| (rule_reach(r), r.groups.iter().chain(&r.unless).chain(&r.lead).collect::<Vec<_>>()));
        let reaches = reaches.chain(dampeners().map(|d| (damp_reach(d).unwrap_or(u32::MAX), d.groups.iter().chain(&d.unless).collect())));
        let mut near = 0;
        let mut wide_groups = vec![false; lexicon.groups.len()];
        for (far, groups) in reaches {
            if far <= NEAR_WORDS {
                near = near.max(far);
            } else {
                groups.into_iter().for_each(|&g| wide_groups[g] = true);
            }
        }
        let wide = |target: TermRef| matches!(target, TermRef::Cue { group, .. } if wide_groups[group]);
        let (function, common) = (&lexicon.function_words, &lexicon.common_words);
        let view = |strict: bool| {
            let view: Vec<(&str, bool, Mask, bool, u8)> =
                patterns.iter().zip(dropped.iter().chain(std::iter::repeat(&0))).map(|(&(s, l, stem, t), &d)| (if strict { s } else { l }, stem, mask(t), wide(t), if strict { 0 } else { d })).collect();
            Words::build(&view, !strict, function, common)
        };
        let ((strict, a, strict_words), (loose, b, words)) = rayon::join(|| view(true), || view(false));
        let layout = Vocabulary::new(strict_words);
        // An Arabizi reading is the whole Arabic word, in which the matcher also finds stems and
        // words past proclitics: [`signature`] looks there too. A reading is kept wherever it
        // stands (opaque); like any word it triggers only the patterns it may be the signature
        // of, not every pattern holding it (a wrong-layout `шы` is `is`, in hundreds).
        let arabizi = Vocabulary::new(words.iter().filter(|(_, stem, _)| !stem).filter_map(|(w, stem, _)| {
            Some((normalize::wildcard::arabic_skeleton(w)?, *stem, (signature(&loose, w).mask, w.clone())))
        }));
        let vocabulary = Vocabulary::new(words);
        let mut screen =
            Screen { id: next_id(), strict, loose, anchor_bits, rules_by_anchor, rules, reach, near, max_lead: a.max(b), placeholder: None, vocabulary, layout, arabizi };
        let mut masks = Masks::default();
        screen.placeholder = PLACEHOLDERS.iter().position(|p| matches!(screen.info(p, &mut masks), Info { kind: Kind::Inert, single: false, .. })).map(|i| i as u8);
        screen
    }

    /// The longest lead of any pattern, as a word's [`Info::lead`] holds it.
    fn lead_cap(&self) -> u8 {
        self.max_lead.min(u32::from(u8::MAX)) as u8
    }

    /// Whether every rule and dampener looks only near a hit (`within`), never at the whole
    /// text: then what counts in one paragraph does not depend on the others.
    /// This screen's identity (each one built has its own), for caches kept per thread.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// The placeholder word ([`Screen::screen`] does nothing without one).
    fn placeholder(&self) -> &'static str {
        self.placeholder.and_then(|i| PLACEHOLDERS.get(usize::from(i))).copied().unwrap_or("")
    }

    pub(crate) fn is_local(&self) -> bool {
        self.reach.is_some()
    }

    /// What `word` (a piece of text between separators) is; see the module docs.
    fn info(&self, word: &str, masks: &mut Masks) -> Info {
        self.info_read(word, true, masks)
    }

    /// [`Screen::info`], the word's own reading in another keyboard layout looked at only when
    /// `layout`: a word glued by a layout's letter keys to other ASCII words is read, as the
    /// matcher reads it, only with them ([`layout_stretch`]).
    fn info_read(&self, word: &str, layout: bool, masks: &mut Masks) -> Info {
        if word.is_empty() || word.len() > MAX_WORD || word.chars().next().is_some_and(is_mark) || word.contains(['\u{2028}', '\u{2029}']) {
            return OPAQUE;
        }
        let (s, l) = normalize::both(word);
        let (s_runs, l_runs) = (word_runs(s.as_str()), word_runs(l.as_str()));
        let layout_mask = if layout { self.layout_mask(word) } else { None };
        if let Some(mask) = self.reading_mask(word, &s).into_iter().chain(layout_mask).reduce(|a, b| a | b) {
            // Read another way, it may be any word of the patterns it reads as: kept.
            return Info { mask: masks.id(mask | self.opaque_mask(&s_runs, &l_runs)), ..OPAQUE };
        }
        let (s_starts, l_starts) = (s.word_starts().len(), l.word_starts().len());
        let ([st], [lt]) = (&s_runs[..], &l_runs[..]) else {
            let sep = s_runs.is_empty() && l_runs.is_empty() && s_starts == 0 && l_starts == 0;
            return if sep { Info { kind: Kind::Sep, mask: NO_MASK, lead: 0, single: false, joined: false } } else { self.opaque(&s_runs, &l_runs, masks) };
        };
        if s_starts != 1 || l_starts != 1 {
            return self.opaque(&s_runs, &l_runs, masks);
        }
        // One letter as the loose view's spelled-out groups count it ([`normalize::loose`]):
        // a key of one letter, or one letter whose key is several (`ю` is `yu`).
        let single = lt.chars().nth(1).is_none() || st.chars().nth(1).is_none();
        let mut sig = signature(&self.strict, st);
        sig.merge(signature_in(&self.loose, lt, || crate::matcher::plain_script(word)));
        let first = may_begin(&self.strict.first, st) | may_begin(&self.loose.first, lt);
        let later = self.strict.later.mask(st) | self.loose.later.mask(lt);
        let kind = if !first.is_zero() {
            let wide = may_begin(&self.strict.wide, st) | may_begin(&self.loose.wide, lt);
            if wide.is_zero() { Kind::First } else { Kind::Wide }
        } else if !later.is_zero() {
            Kind::Later
        } else {
            Kind::Inert
        };
        Info { kind, mask: masks.id_sig(&sig), lead: sig.lead, single, joined: false }
    }

    /// What the words of `text` (whose strict view is `strict`) that read another way
    /// ([`normalize::wildcard`]) may be the signature of (a word they read as may be), or
    /// `None` when none reads as any word of the patterns.
    fn reading_mask(&self, text: &str, strict: &normalize::Normalized) -> Option<Mask> {
        // Every reading needs an ASCII digit, an upper-case ASCII letter or a mask (`*`, `_`)
        // written in the text: most words have none, and are not read.
        if !text.bytes().any(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'*' || b == b'_') {
            return None;
        }
        let mut found = None;
        for token in normalize::wildcard::tokens(text, strict) {
            if token.arabizi {
                self.arabizi.resolve(&token.parts, |_, &(mask, _)| *found.get_or_insert(Mask::ZERO) |= mask);
            } else {
                self.vocabulary.resolve(&token.parts, |read, _| {
                    // The matcher reads the word whole: a shorter stem's pattern may begin in it.
                    *found.get_or_insert(Mask::ZERO) |= signature(&self.loose, &read).mask;
                });
            }
        }
        found
    }

    /// What patterns the words of `text` typed with the wrong keyboard layout on may be the
    /// signature of ([`normalize::layout`]: their readings), or `None` when no token reads as
    /// a word of the patterns.
    fn layout_mask(&self, text: &str) -> Option<Mask> {
        let mut found = None;
        normalize::layout::tokens(text, |reading| {
            let Some(read) = normalize::layout::strict_key(reading) else { return false };
            let mut known = false;
            self.layout.lookup(&read, |_| {
                known = true;
                *found.get_or_insert(Mask::ZERO) |= signature(&self.strict, &read).mask;
            });
            known
        });
        found
    }

    /// [`Screen::layout_mask`] of the stretch `text[r]` ([`layout_stretch`]), once for each
    /// distinct stretch of up to [`MAX_WORD`] bytes on this thread (`word,` and `word.` are
    /// most of them: looked up as words are, in a [`ShortTable`], not a map of boxed keys,
    /// which took a twentieth off a one-thread run of 100 MB).
    fn stretch_mask(&self, text: &str, r: std::ops::Range<usize>, cache: &mut WordCache) -> Option<Mask> {
        if r.len() > SHORT_WORD {
            let bytes = &text.as_bytes()[r.clone()];
            if let Some(&mask) = cache.long_stretches.get(bytes) {
                return mask;
            }
            let mask = self.layout_mask(&text[r]);
            if bytes.len() <= MAX_WORD && cache.len() < CACHE_WORDS {
                cache.long_stretches.insert(bytes.into(), mask);
            }
            return mask;
        }
        let key = word_key(text.as_bytes(), r.start, r.end);
        let WordCache { stretches, masks, .. } = cache;
        let id = stretches.get_or_insert_with(key, stretches.hash(key), || self.layout_mask(&text[r]).map(|mask| masks.id(mask)));
        id.map(|id| masks.get(id))
    }

    /// Whether the word `text[start..end]`, not all ASCII, touches through a layout's letter
    /// key (`-`, `,`, ...) an ASCII stretch that reads as words of the patterns.
    fn glued_to_layout(&self, text: &str, start: usize, end: usize) -> bool {
        let b = text.as_bytes();
        // Keys between them, one or several (`dpjhdfnm-:"іұ`).
        let key = |c: &&u8| is_layout_key(**c);
        let (after, before) = (b[end..].iter().take(32).take_while(key).count(), b[..start].iter().rev().take(32).take_while(key).count());
        let right = after > 0 && b.get(end + after).is_some_and(u8::is_ascii_alphanumeric);
        let left = before > 0 && start > before && b[start - before - 1].is_ascii_alphanumeric();
        if !(right || left) || b[start..end].is_ascii() {
            return false;
        }
        (right && self.layout_mask(&text[solid_around(b, end, end + after)]).is_some()) || (left && self.layout_mask(&text[solid_around(b, start - before, start)]).is_some())
    }

    /// An opaque piece of text whose tokens in the two views are `s_runs` and `l_runs`: what
    /// patterns it may be the signature of is what its tokens may be.
    fn opaque(&self, s_runs: &[&str], l_runs: &[&str], masks: &mut Masks) -> Info {
        Info { kind: Kind::Opaque, mask: masks.id(self.opaque_mask(s_runs, l_runs)), lead: u8::MAX, single: false, joined: false }
    }

    /// What patterns the tokens `s_runs` and `l_runs` of the two views may be the signature of.
    fn opaque_mask(&self, s_runs: &[&str], l_runs: &[&str]) -> Mask {
        let mut sig = Sig::default();
        s_runs.iter().for_each(|r| sig.merge(signature(&self.strict, r)));
        l_runs.iter().for_each(|r| sig.merge(signature(&self.loose, r)));
        sig.mask
    }

    /// Screens `text`, or `None` when screening does not apply (no inert placeholder for this
    /// lexicon).
    pub(crate) fn screen(&self, text: &str) -> Option<Screened> {
        if self.placeholder.is_none() || text.len() >= u32::MAX as usize {
            return None;
        }
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            let cache = &mut *cache;
            if cache.id != self.id || cache.words.len() >= CACHE_WORDS {
                cache.id = self.id;
                cache.words.clear();
            }
            let scratch = &mut cache.scratch;
            self.split(text, &mut cache.words, scratch);
            if !self.windows(scratch, &cache.words.masks) {
                return Some(Screened::Nothing);
            }
            Some(Screened::Text(self.build(text, scratch, &cache.words.masks)))
        })
    }

    /// The words of `text` with what they are (separator-only words left out), their
    /// positions, and the words that may be signatures. Two passes over a page's words in all
    /// (this one and [`Screen::build`]): a long page's words do not fit the nearer caches.
    fn split(&self, text: &str, cache: &mut WordCache, scratch: &mut Scratch) {
        scratch.words.clear();
        scratch.signals.clear();
        scratch.triggers.clear();
        scratch.opaque.clear();
        scratch.blanks.clear();
        scratch.breaks.clear();
        scratch.joined.clear();
        scratch.pos = 0;
        scratch.chain = None;
        // In blocks of words: first their places, asking for the table slots of the short ones
        // as they are found; then what each word is. Blocks keep the places in the nearest
        // caches however long the page.
        let b = text.as_bytes();
        let n = b.len();
        let mut seps = Separators::new(b);
        let mut i = 0;
        while i < n {
            scratch.spans.clear();
            while i < n && scratch.spans.len() < SPLIT_BLOCK {
                let start = seps.next(i, false);
                i = seps.next(start, true);
                if start == i {
                    break;
                }
                let (key, hash) = if i - start <= SHORT_WORD {
                    let key = word_key(b, start, i);
                    let hash = cache.short.hash(key);
                    cache.short.prefetch(hash);
                    (key, hash)
                } else {
                    ([0, 0], 0)
                };
                scratch.spans.push(Span { start: start as u32, end: i as u32, key, hash });
            }
            for k in 0..scratch.spans.len() {
                let Span { start, end, key, hash } = scratch.spans[k];
                let (start, end) = (start as usize, end as usize);
                let word = &b[start..end];
                // Masks and layout keys are punctuation: a word with none next to it (most
                // words: spaces around) is what its table says.
                let punct = |at: usize| b.get(at).is_some_and(u8::is_ascii_punctuation);
                let touched = punct(end) || (start > 0 && punct(start - 1));
                let info = if key[0] != 0 {
                    let WordCache { short, masks, .. } = &mut *cache;
                    let (known, slot) = short.entry(key, hash, || Known { info: self.info(&text[start..end], masks), ..Known::VACANT });
                    if touched && known.info.kind != Kind::Sep { self.touched(text, start, end, known, slot, cache) } else { known.info }
                } else {
                    let info = if word.len() > MAX_WORD {
                        OPAQUE
                    } else if let Some(&info) = cache.long.get(word) {
                        info
                    } else {
                        let info = self.info(&text[start..end], &mut cache.masks);
                        // A page of distinct long words must not grow the cache without end.
                        if cache.len() < CACHE_WORDS {
                            cache.long.insert(word.into(), info);
                        }
                        info
                    };
                    if touched && info.kind != Kind::Sep { self.joined(text, start, end, info, cache, true) } else { info }
                };
                if info.kind != Kind::Sep {
                    self.push(text, scratch, cache, Word { start: start as u32, end: end as u32, info, pos: 0 });
                }
            }
        }
        self.close_chain(text, scratch, cache);
    }

    /// What the short word `text[start..end]`, `known` in slot `slot` of the table (none: not
    /// kept there), not [`Kind::Sep`], is next to the punctuation that touches it
    /// ([`Screen::joined`]). `word,` and `word.` with nothing else around (most words
    /// punctuation touches): what the key makes of the word is in its slot, worked out once,
    /// not looked up in the table of stretches.
    #[inline(never)]
    fn touched(&self, text: &str, start: usize, end: usize, mut known: Known, slot: Option<usize>, cache: &mut WordCache) -> Info {
        match (slot, lone_key_after(text.as_bytes(), start, end)) {
            (Some(slot), Some(j)) if known.info.kind != Kind::Opaque => {
                if known.keyed[j].kind == Kind::Sep {
                    known.keyed[j] = self.joined(text, start, end, known.info, cache, false);
                    cache.short.set(slot, known);
                }
                known.keyed[j]
            }
            _ => self.joined(text, start, end, known.info, cache, true),
        }
    }

    /// What the word `text[start..end]` (`info` by its table, not [`Kind::Sep`]) is next to the
    /// punctuation around it: masks and the keys of another layout's letters join it to
    /// other words ([`Screen::split`]). What the stretch around it reads as is kept in the
    /// cache's table of stretches when `keep` (the caller keeps what the word is otherwise).
    #[inline(never)]
    fn joined(&self, text: &str, start: usize, end: usize, info: Info, cache: &mut WordCache, keep: bool) -> Info {
        let b = text.as_bytes();
        // Words joined by masks (`k*ll`) are read together: kept, and judged with
        // their chain ([`Screen::judge_chain`]).
        let info = if touches_mask(b, start, end) { Info { kind: Kind::Opaque, lead: u8::MAX, single: false, ..info } } else { info };
        // Words joined by the keys of letters of another layout (`e,bnm`): kept when
        // the stretch reads as words of the patterns.
        let stretch = layout_stretch(b, start, end);
        let read = |r: std::ops::Range<usize>, cache: &mut WordCache| if keep { self.stretch_mask(text, r, cache) } else { self.layout_mask(&text[r]) };
        match stretch.clone().and_then(|r| read(r, cache)) {
            Some(mask) => Info { kind: Kind::Opaque, lead: u8::MAX, single: false, mask: cache.masks.id(mask | cache.masks.get(info.mask)), joined: false },
            // The stretch reads as nothing, and so the matcher reads no part of it that
            // way (`dpjhdfnm-Iight`): neither is the word read alone, or it would be kept
            // and the words glued to it set aside, and what stays would read.
            None if info.kind == Kind::Opaque && stretch.is_some_and(|r| r != (start..end)) && self.layout_mask(&text[start..end]).is_some() => {
                let alone = self.info_read(&text[start..end], false, &mut cache.masks);
                if touches_mask(b, start, end) { Info { kind: Kind::Opaque, lead: u8::MAX, single: false, ..alone } } else { alone }
            }
            // A word such a stretch is glued to stays as it is, so that the stretch
            // does not run on into a placeholder.
            _ if self.glued_to_layout(text, start, end) => Info { kind: Kind::Opaque, lead: u8::MAX, single: false, ..info },
            _ => info,
        }
    }

    /// Appends a word. Single letters (and opaque words, which may hold some) with nothing
    /// but spelling separators between them form a chain, judged when it ends.
    fn push(&self, text: &str, s: &mut Scratch, cache: &mut WordCache, mut w: Word) {
        let single_like = w.info.single || w.info.kind == Kind::Opaque;
        if s.chain.is_some() {
            let prev_end = s.words.last().map_or(0, |p| p.end as usize);
            if !(single_like && spelling_gap(&text.as_bytes()[prev_end..w.start as usize])) {
                self.close_chain(text, s, cache);
            }
        }
        if single_like && s.chain.is_none() {
            s.chain = Some(s.words.len());
        }
        w.pos = s.pos;
        s.pos += u32::from(w.info.kind != Kind::Opaque);
        w.info.lead = w.info.lead.min(self.lead_cap());
        if w.info.mask != NO_MASK {
            self.push_signal(s, cache, s.words.len(), w.info.mask);
        }
        if w.info.kind == Kind::Opaque {
            mark_opaque(&mut s.opaque, s.words.len(), s.words.len() + 1);
        }
        let prev_end = s.words.last().map_or(0, |p| p.end as usize);
        match paragraph_breaks(&text.as_bytes()[prev_end..w.start as usize]) {
            Some(0) => {}
            Some(n) => s.blanks.extend(std::iter::repeat_n(s.words.len() as u32, n as usize)),
            None => s.breaks.push(s.words.len() as u32),
        }
        s.words.push(w);
    }

    /// Ends the open chain: three or more single letters (an opaque word counts for three:
    /// `1…и` holds two) may join into one word of the loose view. What the stretch makes
    /// normalized on its own is what it makes in the text (the words around it are no single
    /// letters, so the letters join there as here), so it is judged as a whole
    /// ([`Screen::judge_chain`]), once for each distinct stretch of up to [`MAX_WORD`] bytes on
    /// this thread.
    fn close_chain(&self, text: &str, s: &mut Scratch, cache: &mut WordCache) {
        let Some(start) = s.chain.take() else { return };
        let members = &s.words[start..];
        let weight: usize = members.iter().map(|w| if w.info.kind == Kind::Opaque { 3 } else { 1 }).sum();
        if weight < 3 {
            return;
        }
        let (first, last) = (members[0].start as usize, members[members.len() - 1].end as usize);
        let stretch = &text.as_bytes()[first..last];
        // A stretch that goes on into the bytes around it (`e,m.`) is judged with them, not cached.
        let alone = solid_around(text.as_bytes(), first, last) == (first..last);
        let chain = match cache.chains.get(stretch).filter(|_| alone) {
            Some(&chain) => chain,
            None => {
                let chain = self.judge_chain(text, members);
                if alone && stretch.len() <= MAX_WORD && cache.len() < CACHE_WORDS {
                    cache.chains.insert(stretch.into(), chain);
                }
                chain
            }
        };
        let lead = self.lead_cap();
        let id = cache.masks.id(chain.mask());
        let pos = s.words[start].pos;
        while s.signals.last().is_some_and(|&k| k >= start) {
            s.signals.pop();
        }
        while s.triggers.last().is_some_and(|&t| t as usize >= s.signals.len()) {
            s.triggers.pop();
        }
        match chain {
            Chain::Opaque { .. } => {
                mark_opaque(&mut s.opaque, start, s.words.len());
                for (j, w) in s.words[start..].iter_mut().enumerate() {
                    w.info = Info { kind: Kind::Opaque, mask: if j == 0 { id } else { NO_MASK }, lead, single: false, joined: false };
                    w.pos = pos;
                }
                s.pos = pos;
            }
            Chain::Spelled { may_match, begins, .. } => {
                for (j, w) in s.words[start..].iter_mut().enumerate() {
                    let joined = begins & (1 << j) == 0;
                    let kind = match (may_match, j) {
                        (false, _) => Kind::Inert,
                        // What the letters make may begin any pattern: kept as far out as any.
                        (true, 0) => Kind::Wide,
                        (true, _) => Kind::Later,
                    };
                    w.info = Info { kind, mask: if j == 0 { id } else { NO_MASK }, lead, single: true, joined };
                    w.pos = pos;
                    if joined {
                        s.joined.push((start + j) as u32);
                    }
                }
                // One position for the chain, whatever its loose view's words: a pattern may
                // begin at any of them, and one counted for each would put the later ones
                // too far from what follows.
                s.pos = pos + 1;
            }
        }
        if !chain.mask().is_zero() {
            self.push_signal(s, cache, start, id);
        }
    }

    /// Notes that word `k`, of mask `id` (not [`NO_MASK`]), may be a signature.
    fn push_signal(&self, s: &mut Scratch, cache: &mut WordCache, k: usize, id: MaskId) {
        if cache.masks.may_trigger(id, ENTRY | self.anchor_bits) {
            s.triggers.push(s.signals.len() as u32);
        }
        s.signals.push(k);
    }

    /// What the chain of single letters `members` is.
    ///
    /// Judged as a whole ([`Chain::Spelled`]) when it holds no opaque word, no separator that
    /// ends a run of set-aside words ([`paragraph_breaks`]) and at most 64 letters, and every
    /// word of its loose view begins at one of its letters. Its first letter then stands for
    /// it: it may begin a pattern when a word of either view is a word of some pattern, and is
    /// the signature of what those words may be. The other letters go with the first
    /// ([`Kind::Later`], or inert when it is), and those that begin no word of the loose view
    /// are [`Info::joined`] to the one before. All take the first letter's position, and the
    /// chain counts as one position for the words after, so that positions stay a lower bound
    /// of the distance from any word of it. Kept in a
    /// window or set aside as a whole, the chain makes the same words in the substitute as in
    /// the text. Otherwise it is an opaque stretch, always kept, which may be the signature of
    /// what it makes.
    fn judge_chain(&self, text: &str, members: &[Word]) -> Chain {
        if members.iter().any(|w| w.info.mask == ANY_MASK) {
            return Chain::Opaque { mask: ANY };
        }
        let first = members[0].start as usize;
        let stretch = &text[first..members[members.len() - 1].end as usize];
        let (st, lo) = normalize::both(stretch);
        let (s_runs, l_runs) = (word_runs(st.as_str()), word_runs(lo.as_str()));
        let typed = solid_around(text.as_bytes(), first, members[members.len() - 1].end as usize);
        let mask = self.opaque_mask(&s_runs, &l_runs) | self.reading_mask(stretch, &st).unwrap_or(Mask::ZERO) | self.layout_mask(&text[typed]).unwrap_or(Mask::ZERO);
        let b = text.as_bytes();
        if members.len() > 64
            || members.iter().any(|w| w.info.kind == Kind::Opaque)
            || members.windows(2).any(|p| paragraph_breaks(&b[p[0].end as usize..p[1].start as usize]).is_none())
        {
            return Chain::Opaque { mask };
        }
        // Which letters begin a word of the loose view.
        let mut begins = 0u64;
        for &k in lo.word_starts() {
            let at = first + lo.original_range(k as usize..k as usize + 1).start;
            match members.iter().position(|w| (w.start as usize..w.end as usize).contains(&at)) {
                Some(j) => begins |= 1 << j,
                None => return Chain::Opaque { mask },
            }
        }
        if begins & 1 == 0 || begins.count_ones() as usize != lo.word_starts().len() {
            return Chain::Opaque { mask };
        }
        let in_pattern = |words: &Words, run: &str| !(may_begin(&words.first, run) | words.later.mask(run)).is_zero();
        let may_match = !mask.is_zero() || s_runs.iter().any(|r| in_pattern(&self.strict, r)) || l_runs.iter().any(|r| in_pattern(&self.loose, r));
        Chain::Spelled { mask, may_match, begins }
    }

    /// The stretches (in word positions) where words that may begin a pattern are kept;
    /// `false` when there are none: nothing can count.
    ///
    /// Triggers are signatures of entries, and signatures of rule cues with every other
    /// group near. A hit's word index is its first word's, up to `lead` words before its
    /// signature: the signatures of an anchor and a partner `within` words apart are at most
    /// `within` plus the leader's lead apart. Kept: what may begin a pattern within the
    /// widest window of the narrow rules and dampeners ([`Screen::near`]) of a trigger's first
    /// word, or a cue of a wider one within the widest window of all ([`Screen::reach`]), and
    /// has a signature close enough after it ([`Building::step`]).
    fn windows(&self, scratch: &mut Scratch, masks: &Masks) -> bool {
        let Scratch { words, signals, triggers, spots, windows, wide, reached, .. } = scratch;
        let (words, signals) = (&words[..], &signals[..]);
        spots.clear();
        windows.clear();
        wide.clear();
        // Only entries and a rule's anchor start a look (a rule's anchor is its strongest
        // group): most signals are cues of a rule's other groups, and those are read only
        // near an anchor, those next to it in text order (by `pos`), walked out from it.
        // ANY (an opaque word) has every bit: it is an anchor of every rule.
        for &i in triggers.iter() {
            let (i, k) = (i as usize, signals[i as usize]);
            let a = signal_at(words, masks, k);
            if a.mask.intersects(ENTRY) {
                spots.push((a.pos, a.lead));
            }
            let anchored = a.mask & self.anchor_bits;
            if anchored.is_zero() {
                continue;
            }
            let (p, lead) = (a.pos, a.lead);
            let rules = || anchored.ones().flat_map(|b| &self.rules_by_anchor[b]).map(|&r| &self.rules[r as usize]);
            // The signals within the widest reach of its rules: a partner `near` one is within it.
            let Some(reach) = rules().map(|rule| rule.within.saturating_add(self.max_lead)).max() else { continue };
            let from = i - signals[..i].iter().rev().take_while(|&&j| words[j].pos >= p.saturating_sub(reach)).count();
            let to = i + signals[i..].iter().take_while(|&&j| words[j].pos <= p.saturating_add(reach)).count();
            for rule in rules() {
                // A partner's bits are among its word's own (the words next to it only take
                // some away): the signals with none of the rule's other groups are passed
                // over without a look at their neighbours.
                // Saturating: a lexicon's `within` may be anything up to u32::MAX.
                let near = |w: &Signal| w.pos <= p.saturating_add(rule.within).saturating_add(w.lead) && p <= w.pos.saturating_add(rule.within).saturating_add(lead);
                reached.clear();
                reached.extend(
                    signals[from..to]
                        .iter()
                        .filter(|&&j| masks.get(words[j].info.mask).intersects(rule.rest))
                        .map(|&j| signal_at(words, masks, j))
                        .filter(|w| near(w) && w.mask.intersects(rule.rest)),
                );
                if rule.groups[1..].iter().all(|&g| reached.iter().any(|w| w.mask.has(g))) {
                    spots.push((p, lead));
                    spots.extend(reached.iter().map(|w| (w.pos, w.lead)));
                }
            }
        }
        if spots.is_empty() {
            return false;
        }
        let Some(reach) = self.reach else {
            windows.push((0, u32::MAX));
            wide.push((0, u32::MAX));
            return true;
        };
        merge_windows(spots, self.near, windows);
        if reach > self.near {
            merge_windows(spots, reach, wide);
        } else {
            wide.extend_from_slice(windows);
        }
        true
    }

        /// The substitute text: kept words (opaque ones, those that may begin a pattern within a
    /// window, those that continue a kept word) and the separators around them as they are,
    /// each run of other words as a placeholder ([`Substitute::placeholder`]). Only the words
    /// that may be kept are looked at one by one; a run of others is crossed in one step up to
    /// the next separator that ends it ([`Scratch::breaks`]; blank lines on the way are counted
    /// from [`Scratch::blanks`]), so a page with one trigger costs its window, not all its words.
    fn build(&self, text: &str, scratch: &Scratch, masks: &Masks) -> Substitute {
        let b = text.as_bytes();
        let words = &scratch.words;
        let mut out = Substitute { text: String::with_capacity(text.len() / 8), ..Substitute::default() };
        let mut state = Building { run: None, prev_end: 0, kept: false, window: 0, wide: 0, brk: 0, signal: 0 };
        let mut k = 0;
        for (from, to) in candidates(words, &scratch.wide, &scratch.opaque) {
            // Before `from`, a word is kept only as it continues a kept one.
            while k < from {
                k += 1;
                if !state.step(self, text, &mut out, scratch, masks, &words[k - 1]) {
                    break;
                }
            }
            self.cross(text, &mut out, &mut state, scratch, k, from);
            for w in &words[from.max(k)..to] {
                state.step(self, text, &mut out, scratch, masks, w);
            }
            k = k.max(to);
        }
        while k < words.len() {
            k += 1;
            if !state.step(self, text, &mut out, scratch, masks, &words[k - 1]) {
                break;
            }
        }
        self.cross(text, &mut out, &mut state, scratch, k, words.len());
        if let Some(r) = state.run.take() {
            out.placeholder(self.placeholder(), r);
        }
        out.verbatim(text, state.prev_end..b.len());
        out
    }

    /// Words `from..to`, none kept: they join the open run of set-aside words up to the next
    /// separator that ends one ([`Scratch::breaks`]), counting the blank lines they cross.
    fn cross(&self, text: &str, out: &mut Substitute, state: &mut Building, scratch: &Scratch, from: usize, to: usize) {
        let (words, breaks, blanks, joined) = (&scratch.words, &scratch.breaks, &scratch.blanks, &scratch.joined);
        // How many of `list` are in `from..to`.
        let count = |list: &[u32], from: usize, to: usize| (list.partition_point(|&m| (m as usize) < to) - list.partition_point(|&m| (m as usize) < from)) as u32;
        let mut k = from;
        while k < to {
            // Word `k` joins the run (or opens one), then so do the words up to the next break.
            state.not_kept(self, text, out, &words[k]);
            while state.brk < breaks.len() && breaks[state.brk] as usize <= k {
                state.brk += 1;
            }
            let next = breaks.get(state.brk).map_or(to, |&m| (m as usize).min(to));
            if next > k + 1
                && let Some(run) = state.run.as_mut()
            {
                let last = &words[next - 1];
                run.to = last.end as usize;
                // Words k + 1 .. next, and the blank lines before them.
                run.words += (next - 1 - k) as u32 - count(joined, k + 1, next);
                run.blanks += count(blanks, k + 1, next);
                state.prev_end = last.end as usize;
            }
            k = next;
        }
    }
}

/// Whether `pos` is in one of `windows` (in order), from the `at`th on; moves `at` past the
/// windows that end before it (positions come in order).
fn inside(windows: &[(u32, u32)], at: &mut usize, pos: u32) -> bool {
    while *at < windows.len() && windows[*at].1 < pos {
        *at += 1;
    }
    *at < windows.len() && windows[*at].0 <= pos
}

/// A word that may be a signature, as [`Screen::windows`] reads it.
#[derive(Debug, Clone, Copy)]
struct Signal {
    mask: Mask,
    pos: u32,
    lead: u32,
}

/// Word `k`, a signal, as a signature: where its patterns need a word before it (or after it)
/// where that word can be part of no pattern, it cannot match there; only its other
/// patterns count.
fn signal_at(words: &[Word], masks: &Masks, k: usize) -> Signal {
    let in_pattern = |k: usize| words.get(k).is_some_and(|w: &Word| w.info.kind != Kind::Inert || w.info.single);
    let w = &words[k];
    Signal { mask: masks.near(w.info.mask, k > 0 && in_pattern(k - 1), in_pattern(k + 1)), pos: w.pos, lead: u32::from(w.info.lead) }
}


/// A run of set-aside words: where it is in the original, how many words, and how many blank
/// lines between them.
#[derive(Debug, Clone, Copy)]
struct Run {
    from: usize,
    to: usize,
    words: u32,
    blanks: u32,
}

/// [`Screen::build`]'s state between words.
struct Building {
    /// The open run of set-aside words.
    run: Option<Run>,
    prev_end: usize,
    /// Whether the last word was kept.
    kept: bool,
    /// The first window that may hold the next word.
    window: usize,
    /// The same among the wide windows.
    wide: usize,
    /// The first of [`Scratch::breaks`] that may be after the next word.
    brk: usize,
    /// The first of [`Scratch::signals`] that may be at or after the next word.
    signal: usize,
}

impl Building {
    /// One word; whether it was kept.
    ///
    /// A word that may begin a pattern is kept when it continues a kept word (it may continue
    /// a pattern too, past the window), and in a window when some signature is at most
    /// `max_lead` words on: every pattern holds its signature that near its first word, and
    /// one with none near cannot begin there.
    fn step(&mut self, screen: &Screen, text: &str, out: &mut Substitute, scratch: &Scratch, masks: &Masks, w: &Word) -> bool {
        let in_window = inside(&scratch.windows, &mut self.window, w.pos);
        let in_wide = inside(&scratch.wide, &mut self.wide, w.pos);
        self.kept = match w.info.kind {
            Kind::Opaque => true,
            Kind::First => self.kept || (in_window && self.signal_near(scratch, masks, w.pos, screen.max_lead)),
            Kind::Wide => self.kept || (in_wide && self.signal_near(scratch, masks, w.pos, screen.max_lead)),
            Kind::Later => self.kept,
            Kind::Inert | Kind::Sep => false,
        };
        if self.kept {
            if let Some(r) = self.run.take() {
                out.placeholder(screen.placeholder(), r);
            }
            out.verbatim(text, self.prev_end..w.start as usize);
            out.verbatim(text, w.start as usize..w.end as usize);
            self.prev_end = w.end as usize;
        } else {
            self.not_kept(screen, text, out, w);
        }
        self.kept
    }

    /// Whether a signal (one whose mask is not emptied by its neighbours) is at `pos` or at
    /// most `lead` positions after it. Positions come in order, in words and so in signals.
    fn signal_near(&mut self, scratch: &Scratch, masks: &Masks, pos: u32, lead: u32) -> bool {
        let (words, signals) = (&scratch.words[..], &scratch.signals[self.signal..]);
        self.signal += signals.partition_point(|&k| words[k].pos < pos);
        scratch.signals[self.signal..].iter().take_while(|&&k| words[k].pos <= pos.saturating_add(lead)).any(|&k| !signal_at(words, masks, k).mask.is_zero())
    }

    /// A word set aside: it joins the open run, or opens one after what was kept or after a
    /// separator that ends runs ([`paragraph_breaks`] does not say).
    fn not_kept(&mut self, screen: &Screen, text: &str, out: &mut Substitute, w: &Word) {
        self.kept = false;
        let (start, end) = (w.start as usize, w.end as usize);
        let sep = self.prev_end..start;
        self.run = match self.run.take() {
            Some(run) => match paragraph_breaks(&text.as_bytes()[sep.clone()]) {
                None => {
                    out.placeholder(screen.placeholder(), run);
                    None
                }
                Some(n) => Some(Run { to: end, words: run.words + u32::from(!w.info.joined), blanks: run.blanks + n, ..run }),
            },
            None => None,
        };
        if self.run.is_none() {
            out.verbatim(text, sep);
            self.run = Some(Run { from: start, to: end, words: u32::from(!w.info.joined), blanks: 0 });
        }
        self.prev_end = end;
    }
}

/// The stretches within `reach` (and each one's lead) of the trigger `spots`, merged, in
/// order, into `windows`.
fn merge_windows(spots: &[(u32, u32)], reach: u32, windows: &mut Vec<(u32, u32)>) {
    let mut found: Vec<(u32, u32)> = spots.iter().map(|&(p, lead)| (p.saturating_sub(reach + lead), p.saturating_add(reach + lead))).collect();
    found.sort_unstable();
    for (from, to) in found {
        match windows.last_mut() {
            Some(last) if from <= last.1.saturating_add(1) => last.1 = last.1.max(to),
            _ => windows.push((from, to)),
        }
    }
}

/// The index ranges of words that may be kept (in a window, or opaque), in order and apart.
fn candidates(words: &[Word], windows: &[(u32, u32)], opaque: &[(u32, u32)]) -> Vec<(usize, usize)> {
    let mut all: Vec<(usize, usize)> = windows
        .iter()
        .map(|&(from, to)| (words.partition_point(|w| w.pos < from), words.partition_point(|w| w.pos <= to)))
        .chain(opaque.iter().map(|&(a, b)| (a as usize, b as usize)))
        .filter(|(a, b)| a < b)
        .collect();
    all.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(all.len());
    for (a, b) in all {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

/// Adds words `from..to` to the ranges of opaque words (a chain may take in words already there).
fn mark_opaque(ranges: &mut Vec<(u32, u32)>, from: usize, to: usize) {
    let (from, to) = (from as u32, to as u32);
    while ranges.last().is_some_and(|r| r.0 >= from) {
        ranges.pop();
    }
    match ranges.last_mut() {
        Some(last) if last.1 >= from => last.1 = last.1.max(to),
        _ => ranges.push((from, to)),
    }
}

/// The [`ShortTable`] key of the word `b[start..end]` (at most [`SHORT_WORD`] bytes).
#[inline]
fn word_key(b: &[u8], start: usize, end: usize) -> ShortKey {
    if end - start <= 16 { [short_key(b, start, end), 0] } else { [short_key(b, start, start + 16), short_key(b, start + 16, end)] }
}

/// The bytes `b[start..end]` (at most 16) as one number, zero-padded: words hold no NUL (a
/// separator), so keys stay apart. One 16-byte load where the text allows.
#[inline]
fn short_key(b: &[u8], start: usize, end: usize) -> u128 {
    let len = end - start;
    match b.get(start..start + 16) {
        Some(chunk) => {
            let all = u128::from_le_bytes(chunk.try_into().unwrap_or([0; 16]));
            if len == 16 { all } else { all & ((1u128 << (8 * len)) - 1) }
        }
        None => {
            let mut key = [0u8; 16];
            key[..len].copy_from_slice(&b[start..end]);
            u128::from_le_bytes(key)
        }
    }
}

/// Whether the word `b[start..end]` is joined to another by a run of masks (`*`, `_`) with
/// no other separator: a word of `normalize::wildcard` may begin or go on there.
fn touches_mask(b: &[u8], start: usize, end: usize) -> bool {
    let mask = |c: &&u8| matches!(**c, b'*' | b'_');
    let after = b[end..].iter().take_while(mask).count();
    if after > 0 && b.get(end + after).is_some_and(|&c| !separates(c)) {
        return true;
    }
    let before = b[..start].iter().rev().take_while(mask).count();
    before > 0 && start > before && !separates(b[start - before - 1])
}

/// Separators that are letters' keys in the Russian or Kazakh layout.
#[cfg(test)]
const LAYOUT_KEYS: &[u8] = b",.;:[]{}<>\"-=";

/// Whether `c` is a separator that is a letter's key in the Russian or Kazakh layout (a
/// `match`, not a search of the list).
fn is_layout_key(c: u8) -> bool {
    matches!(c, b',' | b'.' | b';' | b':' | b'[' | b']' | b'{' | b'}' | b'<' | b'>' | b'"' | b'-' | b'=')
}

/// The stretch of text around the ASCII word `b[start..end]` when a separator that is a
/// letter's key in the Russian or Kazakh layout (`,` б, `.` ю, `;` ж, `[` х, `-` ө, ...)
/// touches it: the run of ASCII bytes other than spaces around it (at most 64), for
/// [`Screen::layout_mask`].
fn layout_stretch(b: &[u8], start: usize, end: usize) -> Option<std::ops::Range<usize>> {
    // Any punctuation: a word after the token's last key (`e,m.!2024`) goes with it too.
    let touches = b.get(end).is_some_and(u8::is_ascii_punctuation) || (start > 0 && b[start - 1].is_ascii_punctuation());
    if !touches || !b[start..end].iter().any(u8::is_ascii_alphanumeric) {
        return None;
    }
    Some(solid_around(b, start, end))
}

/// Which of `,` and `.` (0 or 1) is typed right after the word `b[start..end]`, when no other
/// ASCII byte but whitespace touches the two ([`solid_around`]): what the word is there
/// ([`Screen::joined`]) then depends on the word and that key alone.
fn lone_key_after(b: &[u8], start: usize, end: usize) -> Option<usize> {
    let solid = |c: u8| c.is_ascii() && !c.is_ascii_whitespace();
    let key = match b.get(end) {
        Some(b',') => 0,
        Some(b'.') => 1,
        _ => return None,
    };
    let alone = !b.get(end + 1).is_some_and(|&c| solid(c)) && (start == 0 || !solid(b[start - 1]));
    alone.then_some(key)
}

/// `start..end` widened over the ASCII bytes other than spaces and brackets around it (at most
/// 32 each side): where a token typed in another layout around it ends.
fn solid_around(b: &[u8], start: usize, end: usize) -> std::ops::Range<usize> {
    let solid = |c: &&u8| c.is_ascii() && !c.is_ascii_whitespace();
    let from = start - b[..start].iter().rev().take(32).take_while(solid).count();
    let to = end + b[end..].iter().take(32).take_while(solid).count();
    from..to
}

/// Whether byte `c` separates words ([`SEPARATOR_BYTES`]).
fn separates(c: u8) -> bool {
    SEPARATOR_BYTES.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

/// Whether the separator between two single letters may fold to a gap that letters spelled
/// out cross: ASCII whitespace and hyphens (strict folds them to a space), spelling
/// separators, or anything not ASCII.
fn spelling_gap(sep: &[u8]) -> bool {
    sep.iter().all(|&c| c >= 0x80 || c.is_ascii_whitespace() || c == b'-' || normalize::is_spelling_sep(c as char))
}

/// How many paragraph breaks `sep`, the separator between two words, makes in both views;
/// `None` when that is not worked out here (two line breaks and something not ASCII): a run
/// of set-aside words ends there, and the separator is kept as it is.
///
/// ASCII folds as the strict view folds it: a line break is a line, other whitespace and `-`
/// are spacing, and anything else is punctuation, which ends a spacing. A spacing of two lines
/// or more is a break (`.\n\n` makes one, `\n.\n` none).
#[inline]
fn paragraph_breaks(sep: &[u8]) -> Option<u32> {
    // Most separators are a byte or two: a loop, no search set up for each.
    if sep.len() < 2 || sep.iter().filter(|&&c| c == b'\n').nth(1).is_none() {
        return Some(0);
    }
    blank_lines(sep)
}

/// [`paragraph_breaks`] of a separator with two line breaks or more.
#[inline(never)]
fn blank_lines(sep: &[u8]) -> Option<u32> {
    let (mut lines, mut breaks) = (0u32, 0u32);
    for &c in sep {
        match c {
            b'\n' => lines += 1,
            b' ' | b'\t' | b'\r' | 0x0B | 0x0C | b'-' => {}
            0x80.. | b'\'' | b'`' => return None,
            _ => {
                breaks += u32::from(lines >= 2);
                lines = 0;
            }
        }
    }
    Some(breaks + u32::from(lines >= 2))
}

/// One stretch of the substitute text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seg {
    /// Start in the substitute text.
    at: usize,
    /// Original range.
    from: usize,
    to: usize,
    /// A placeholder, not text copied as it is.
    placeholder: bool,
    /// What placeholders hid before this segment, and up to its end.
    before: Hidden,
    after: Hidden,
}

/// Words and paragraph breaks of the original that placeholders stand for but do not show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Hidden {
    pub(crate) words: u32,
    pub(crate) paragraphs: u32,
}

/// The screened text and how it maps back to the original.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Substitute {
    pub(crate) text: String,
    segs: Vec<Seg>,
    hidden: Hidden,
}

impl Substitute {
    fn verbatim(&mut self, text: &str, range: std::ops::Range<usize>) {
        if range.is_empty() {
            return;
        }
        match self.segs.last_mut() {
            Some(last) if !last.placeholder && last.to == range.start => last.to = range.end,
            _ => self.segs.push(Seg { at: self.text.len(), from: range.start, to: range.end, placeholder: false, before: self.hidden, after: self.hidden }),
        }
        self.text.push_str(&text[range]);
    }

    /// A run of set-aside words as `word`; a run across blank lines as `word`, a blank line and
    /// `word` again (its first and last paragraph's words), one paragraph break for all of
    /// its own.
    fn placeholder(&mut self, word: &str, run: Run) {
        let (at, before) = (self.text.len(), self.hidden);
        self.text.push_str(word);
        if run.blanks == 0 {
            self.hidden.words += run.words - 1;
        } else {
            self.text.push_str("\n\n");
            self.text.push_str(word);
            self.hidden.words += run.words - 2;
            self.hidden.paragraphs += run.blanks - 1;
        }
        self.segs.push(Seg { at, from: run.from, to: run.to, placeholder: true, before, after: self.hidden });
    }

    fn seg_at(&self, x: usize) -> Option<&Seg> {
        let k = self.segs.partition_point(|s| s.at <= x);
        k.checked_sub(1).map(|k| &self.segs[k])
    }

    /// The original offset of substitute offset `x`.
    pub(crate) fn original(&self, x: usize) -> usize {
        match self.seg_at(x) {
            None => 0,
            Some(s) if s.placeholder => {
                if x == s.at { s.from } else { s.to }
            }
            Some(s) => (s.from + (x - s.at)).min(s.to),
        }
    }

    /// What placeholders hid before substitute offset `x`.
    pub(crate) fn hidden_before(&self, x: usize) -> Hidden {
        match self.seg_at(x) {
            None => Hidden::default(),
            Some(s) if s.placeholder && x > s.at => s.after,
            Some(s) => s.before,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn a_word_takes_20_bytes() {
        // 24 with 64-bit masks in it; 128-bit masks ([`super::Mask`]) for the 70 rule groups
        // added 8, 256 bits for the threat grammar's 222 another 16; a mask's number takes 4.
        assert_eq!(std::mem::size_of::<super::Word>(), 20);
    }
    use std::sync::OnceLock;

    use proptest::prelude::*;

    use super::*;
    use crate::lexicon::Lexicon;
    use crate::matcher::{Hit, Matcher, TermRef};
    use crate::score;

    /// Whether a byte separates words, as first written: one table lookup a byte.
    fn separates(b: u8) -> bool {
        b < 0x80 && !(b.is_ascii_alphanumeric() || matches!(b, b'\'' | b'`') || normalize::is_leet_symbol(b as char))
    }

    /// The words of `b` as the split first found them, one byte at a time: the reference.
    fn words_by_bytes(b: &[u8]) -> Vec<(usize, usize)> {
        let nbsp = |i: usize| b[i] == 0xC2 && b.get(i + 1) == Some(&0xA0);
        let (mut words, mut i) = (Vec::new(), 0);
        while i < b.len() {
            while i < b.len() && (separates(b[i]) || nbsp(i)) {
                i += if nbsp(i) { 2 } else { 1 };
            }
            let start = i;
            while i < b.len() && !separates(b[i]) && !nbsp(i) {
                i += 1;
            }
            if start < i {
                words.push((start, i));
            }
        }
        words
    }

    fn words_by_separators(b: &[u8]) -> Vec<(usize, usize)> {
        let (mut words, mut seps, mut i) = (Vec::new(), Separators::new(b), 0);
        while i < b.len() {
            let start = seps.next(i, false);
            i = seps.next(start, true);
            if start < i {
                words.push((start, i));
            }
        }
        words
    }

    #[test]
    fn separator_ranges_are_the_separating_bytes() {
        for c in 0..=255u8 {
            let inside = SEPARATOR_BYTES.iter().any(|&(lo, hi)| (lo..=hi).contains(&c));
            assert_eq!(inside, separates(c), "{c:#x}");
        }
    }

    proptest! {
        #[test]
        fn separators_find_the_words_bytes_do(parts in proptest::collection::vec(proptest::sample::select(vec![
            "a", "убить", "x1", " ", "  ", "\n", ",", "'", "@", "$", "|", "!", "\u{A0}", "«", "»", "\u{C2}", "\u{2014}",
            "ü", "к\u{A0}", "\u{A0}\u{A0}", "q".repeat(63).leak(), "ж".repeat(31).leak(),
        ]), 0..80)) {
            let text: String = parts.concat();
            prop_assert_eq!(words_by_separators(text.as_bytes()), words_by_bytes(text.as_bytes()), "{:?}", text);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

        /// The paragraph breaks worked out for a separator are those the views make of it
        /// between two words.
        #[test]
        fn paragraph_breaks_are_the_views_breaks(sep in "[ \n\r\t\x0B\x0C.,:;!?*/()\\[\\]\"#%&<>=_{}~-]{0,12}") {
            let Some(n) = paragraph_breaks(sep.as_bytes()) else { return Ok(()) };
            let text = format!("ab{sep}cd");
            let (strict, loose) = normalize::both(&text);
            for view in [strict, loose] {
                let count = view.as_str().chars().filter(|&c| c == normalize::PARAGRAPH).count();
                prop_assert_eq!(count as u32, n, "{:?} in {:?}", sep, view.as_str());
            }
        }
    }

    #[test]
    fn layout_keys_are_the_listed_bytes() {
        for c in 0..=u8::MAX {
            assert_eq!(is_layout_key(c), LAYOUT_KEYS.contains(&c), "{:?}", char::from(c));
        }
    }

    #[test]
    fn the_short_table_keeps_every_word_through_growth() {
        // A fixed seed: a lookup reads at most MAX_PROBE slots, so with some seeds a word in a
        // long cluster stays out of the table (it is then worked out each time, never wrong),
        // and whether every word fits would be left to chance.
        let mut table = ShortTable::with_seed([0x9E37_79B9_7F4A_7C15, 0x2545_F491_4F6C_DD1D, 0x5851_F42D_4C95_7F2D]);
        let words: Vec<String> = (0..20_000).map(|i| if i % 3 == 0 { format!("слово{i}") } else { format!("w{i}") }).collect();
        let key = |w: &str| word_key(w.as_bytes(), 0, w.len());
        let info = |i: usize| Info { kind: Kind::Later, mask: MaskId(i as u32), lead: 0, single: false, joined: false };
        // What the first round sets in a word's slot (none when taking the word grew the table).
        let mut set = vec![false; words.len()];
        for round in 0..2 {
            let mut made = 0;
            for (i, w) in words.iter().enumerate() {
                let k = key(w);
                // Hashes taken before the table grows (as `split` takes them) still find the word.
                let (got, slot) = table.entry(k, table.hash(k), || {
                    made += 1;
                    Known { info: info(i), ..Known::VACANT }
                });
                assert_eq!(got.info.mask, MaskId(i as u32), "{w}");
                if round == 0 {
                    if let Some(slot) = slot {
                        table.set(slot, Known { keyed: [NOT_YET, info(i + 1)], ..got });
                        set[i] = true;
                    }
                } else {
                    assert_eq!(got.keyed[1].mask, if set[i] { MaskId(i as u32 + 1) } else { NOT_YET.mask }, "{w}");
                    assert!(slot.is_some(), "{w}");
                }
            }
            assert_eq!((made, table.len), (if round == 0 { words.len() } else { 0 }, words.len()));
        }
        // The table grew a few times, on one word each time.
        assert!(set.iter().filter(|&&s| !s).count() <= 16);
        assert!(table.slots.len() >= 2 * words.len());
    }

    #[test]
    fn hostile_words_spread_over_the_short_table() {
        // Words built to collide under a hash that folds a key's halves together: first 8
        // bytes equal to the last 8, or halves swapped. Keyed folded multiplication spreads them.
        let table = ShortTable::<Known>::default();
        let bits = table.slots.len().trailing_zeros();
        let mut homes = HashSet::new();
        let mut rng = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..4000 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let half: String = (0..8).map(|k| char::from(b'a' + ((rng >> (5 * k)) % 26) as u8)).collect();
            for word in [format!("{half}{half}"), format!("{}{half}", &half[4..])] {
                let key = word_key(word.as_bytes(), 0, word.len());
                homes.insert(table.home(table.hash(key)));
            }
        }
        // 8,000 words into 4,096 slots: a uniform hash leaves about 3,500 slots used.
        assert!(homes.len() > 3000, "{} of {} slots used", homes.len(), 1usize << bits);
    }

    struct Shipped {
        lexicon: Lexicon,
        matcher: Matcher,
        /// Every entry and cue term as written.
        terms: Vec<String>,
    }

    fn shipped() -> &'static Shipped {
        static M: OnceLock<Shipped> = OnceLock::new();
        M.get_or_init(|| {
            let lexicon = Lexicon::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicons")).expect("shipped lexicons load");
            let mut terms: Vec<String> = lexicon.entries.iter().map(|e| e.term.words.clone()).collect();
            terms.extend(lexicon.groups.iter().flat_map(|g| g.terms.iter().map(|c| c.term.words.clone())));
            Shipped { matcher: Matcher::new(&lexicon), lexicon, terms }
        })
    }

    /// A lexicon of a few entries, no rules and no dampeners: windows no wider than a
    /// pattern's lead, where what is kept beyond them shows.
    fn narrow() -> &'static Shipped {
        static M: OnceLock<Shipped> = OnceLock::new();
        M.get_or_init(|| {
            let terms = ["kill them", "kill", "убива*", "i am going to kill", "the infidels must die", "бомба", "аллаху акбар", "взорвать метро"];
            let entry = |t: &str| crate::lexicon::Entry {
                term: crate::lexicon::Term::parse(t).expect("term"),
                category: "violence".into(),
                weight: 5,
                lang: "en".into(),
                note: String::new(),
                groups: vec![],
                meta: vec![],
                source: String::new(),
            };
            let lexicon = Lexicon { entries: terms.iter().map(|t| entry(t)).collect(), ..Lexicon::default() };
            let terms = lexicon.entries.iter().map(|e| e.term.words.clone()).collect();
            Shipped { matcher: Matcher::new(&lexicon), lexicon, terms }
        })
    }

    /// Ordinary words, separators and the characters normalization treats specially.
    const PLAIN: &[&str] = &[
        "the", "People", "город", "Вчера", "новости", "бүгін", "Қала", "adamdar", "şahar", "الناس", "مدينة", "2024", "1", "и", "a",
        "в", "I", "ь", "ъ", "don't", "it’s", "x", "qq", "ООН", "killing", "time", "убить", "время", "бомба", "stop!", "b@", "@mb",
        "zq", "e\u{301}", "\u{301}", "a\u{200B}b", "\u{FF4B}\u{FF49}\u{FF4C}\u{FF4C}", "k1ll", "ki11", "кilл", "nаme", "Ёлка",
        "ß", "İstanbul", "\u{2028}", "\u{2029}", "word\u{2028}word", "—", "–", "…", "№5", "ﷺ", "\u{640}\u{64B}",
        // Words read another way: masked letters, ambiguous leet digits, I and l confused.
        "k*ll", "k__l", "у*бить", "уб*й", "уб3й", "6омб4", "kiII", "ISlS", "Ki|l", "snake_case", "a2tolak", "7ar2", "dab7", "mp3",
        // Words typed with the wrong layout on.
        "e,bnm", "e,m.", "dpjhdfnm", "bx", "dct[", "лшдд", "-kn3h3g", "0fpfr", "ghbdtn,",
        // Words that fold to a term's key: sounded in the other script, folded in their own.
        "шоть", "Шот", "шотинг", "кил", "plou", "ubit", "ubivat", "сто", "хим",
        // More combining marks than the strict view reads in one cluster.
        "\u{301}\u{302}\u{303}\u{304}\u{306}\u{307}\u{308}\u{345}k1ll",
    ];
    const SEPARATORS: &[&str] =
        &[" ", " ", " ", "  ", "\n", "\n\n", "\n \n", "\r\n\r\n", "\n\n\n", "\n.\n", ".\n\n", "!\n \n", "\n\n.\n\n", "\n-\n", "\n*\n\n", "\n\u{A0}\n", "\n\u{2014}\n", "\n\x0B\n", ", ", ". ", " - ", "-", " — ", "\u{A0}", " «", "» ", "\"", "'", "’", "\t", "!", ".", " . ", "?", " | ", "*", "_", "/", ":", "…"];

    /// A lexicon term as written, or spelled out (all of it or past its first word), leet,
    /// split by zero-width or look-alikes, masked, or read two ways.
    fn variant(term: &str, how: u8) -> String {
        match how % 12 {
            // sounded in the other script (`шот`, `шоть`), or folded in its own (`plou`)
            10 => sounded(term),
            11 if how & 16 != 0 => term.replace('w', "u").replace("oo", "o").replace("ck", "k"),
            // a hard sign before it, which the loose view drops
            11 if how & 32 != 0 => format!("ъ{}", sounded(term)),
            11 => sounded(term).split(' ').map(|w| format!("{w}ь")).collect::<Vec<_>>().join(" "),
            // a letter of each word masked, or one read as a two-way leet digit
            8 => term.split(' ').map(|w| w.chars().enumerate().map(|(k, c)| if k == 1 { '*' } else { c }).collect::<String>()).collect::<Vec<_>>().join(" "),
            9 => term.replacen(['е', 'l'], if term.is_ascii() { "I" } else { "3" }, 1),
            7 => match term.split_once(' ') {
                Some((first, rest)) => format!("{first} {}", rest.chars().map(|c| c.to_string()).collect::<Vec<_>>().join(" ")),
                None => term.to_string(),
            },
            0 => term.to_string(),
            1 => term.chars().map(|c| c.to_string()).collect::<Vec<_>>().join(" "),
            2 => term.chars().map(|c| c.to_string()).collect::<Vec<_>>().join("."),
            3 => term.replace(['i', 'и'], "1").replace(['o', 'о'], "0").replace(['a', 'а'], "@"),
            4 => term.chars().flat_map(|c| [c, '\u{200B}']).collect(),
            5 => term.replace('о', "o").replace('а', "a").replace('е', "e").replace('k', "к"),
            _ => term.to_uppercase(),
        }
    }

    /// `term` as a word of the other script that sounds like it (`shot` → `шот`, `убить` →
    /// `ubit`): no disguise, another language's word.
    fn sounded(term: &str) -> String {
        let mut out = String::new();
        let mut chars = term.chars().peekable();
        while let Some(c) = chars.next() {
            let digraph = match (c, chars.peek()) {
                ('s', Some('h')) => "ш",
                ('c', Some('h')) => "ч",
                ('z', Some('h')) => "ж",
                _ => "",
            };
            if !digraph.is_empty() {
                out.push_str(digraph);
                chars.next();
                continue;
            }
            let to = match c {
                'a' => "а", 'b' => "б", 'c' | 'k' | 'q' => "к", 'd' => "д", 'e' => "е", 'f' => "ф", 'g' => "г", 'h' => "х", 'i' => "и",
                'j' => "дж", 'l' => "л", 'm' => "м", 'n' => "н", 'o' => "о", 'p' => "п", 'r' => "р", 's' => "с", 't' => "т", 'u' => "у",
                'v' | 'w' => "в", 'x' => "кс", 'y' => "й", 'z' => "з", 'а' => "a", 'б' => "b", 'в' => "v", 'г' => "g", 'д' => "d",
                'е' | 'э' => "e", 'ё' => "yo", 'ж' => "zh", 'з' => "z", 'и' => "i", 'й' | 'ы' => "y", 'к' => "k", 'л' => "l", 'м' => "m",
                'н' => "n", 'о' => "o", 'п' => "p", 'р' => "r", 'с' => "s", 'т' => "t", 'у' => "u", 'ф' => "f", 'х' => "h", 'ц' => "ts",
                'ч' => "ch", 'ш' => "sh", 'щ' => "sch", 'ъ' | 'ь' => "", 'ю' => "yu", 'я' => "ya",
                _ => {
                    out.push(c);
                    continue;
                }
            };
            out.push_str(to);
        }
        out
    }

    fn texts() -> impl Strategy<Value = String> {
        texts_of(shipped())
    }

    /// Ordinary words, `lexicon`'s terms and their variants, with separators between.
    fn texts_of(lexicon: &'static Shipped) -> impl Strategy<Value = String> {
        let terms = lexicon.terms.len();
        let piece = prop_oneof![
            3 => (0..PLAIN.len()).prop_map(|i| PLAIN[i].to_string()),
            2 => (0..terms, any::<u8>()).prop_map(move |(i, how)| variant(&lexicon.terms[i], how)),
            2 => (0..SEPARATORS.len()).prop_map(|i| SEPARATORS[i].to_string()),
            1 => "[a-zа-яәіңғүұқөһ]{1,9}",
        ];
        prop::collection::vec((piece, 0..SEPARATORS.len()), 1..80).prop_map(|parts| {
            let mut text = String::new();
            for (p, s) in parts {
                text.push_str(&p);
                text.push_str(SEPARATORS[s]);
            }
            text
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        /// Screening changes nothing that counts: the same assessment (score, priority,
        /// reasons with their spans) and the same entry hits as matching the whole text; the
        /// cue hits it leaves out are among the whole text's.
        #[test]
        fn screened_matching_scores_as_whole_text_matching(text in texts()) {
            screened_as_whole(&text)?;
        }

        /// The same with windows no wider than a pattern: what continues a kept word past
        /// them is kept.
        #[test]
        fn narrow_windows_keep_what_continues_a_kept_word(text in texts_of(narrow())) {
            screened_as_whole_with(narrow(), &text)?;
        }
    }

    #[test]
    fn a_layout_word_glued_to_a_word_that_reads_another_way_is_read_as_without_screening() {
        for text in ["dpjhdfnm-Iight on fire k*ll ", "dpjhdfnm-Iight k*ll ", "dpjhdfnm-light k*ll ", "e,tq-Iight", "dpjhdfnm- !fәa ", "dpjhdfnm- zq ", "dpjhdfnm-:\"іұ ", "іұ-:dpjhdfnm "] {
            screened_as_whole(text).expect(text);
        }
    }

    #[test]
    fn a_comma_or_full_stop_alone_after_a_word_is_found_as_the_stretch_is() {
        let at = |text: &str| {
            let start = text.find('w').unwrap_or(0);
            lone_key_after(text.as_bytes(), start, start + 4)
        };
        for (text, key) in [
            ("word, x", Some(0)),
            ("word.", Some(1)),
            ("word.\n", Some(1)),
            ("«word,»", Some(0)),
            ("word", None),
            ("word;", None),
            ("word,x", None),
            ("word.,", None),
            ("(word,", None),
            ("-word.", None),
            ("word!", None),
        ] {
            assert_eq!(at(text), key, "{text:?}");
        }
    }

    #[test]
    fn a_layout_word_before_a_comma_or_full_stop_is_read_as_without_screening_each_time() {
        // `e,m.` is убью typed in the English layout; `ds,bq` выбей. Each text twice: the second
        // time the word's slot knows what it is before the key.
        for text in ["ze e,m. ntn,", "я e,m. тебя. e,m.", "e,m, e,m.", "ds,bq, ds,bq. word, word. ds,", "и и e. и, и."] {
            screened_as_whole(text).expect(text);
            screened_as_whole(text).expect(text);
        }
    }

    #[test]
    fn a_signature_next_to_words_of_no_pattern_triggers_only_what_needs_no_more() {
        let Shipped { matcher: m, .. } = narrow();
        // `infidels` is the signature of `the infidels must die` only: it needs a pattern word
        // on either side. `kill` is a pattern of its own.
        for (text, nothing) in [
            ("город infidels город", true),
            ("the infidels город", true),
            ("город infidels must", true),
            ("infidels", true),
            ("the infidels must", false),
            ("город kill город", false),
            ("the infidels must die", false),
        ] {
            assert_eq!(matches!(m.screen.screen(text), Some(Screened::Nothing)), nothing, "{text}");
            screened_as_whole_with(narrow(), text).expect(text);
        }
        assert_eq!(m.find("the infidels must die").len(), 1);
    }

    #[test]
    fn a_word_read_another_way_triggers_only_what_its_reading_is_the_signature_of() {
        let screen = &shipped().matcher.screen;
        // Typed on the English layout, `шы` is `is` and `шыы` `iss`: words of many patterns,
        // the signature of none. `dpjhdfnm` is `взорвать`, and `k*ll` may be `kill`.
        for (text, nothing) in [("шы шы. Шы шы", true), ("шыы", true), ("dpjhdfnm", false), ("k*ll", false)] {
            assert_eq!(matches!(screen.screen(text), Some(Screened::Nothing)), nothing, "{text}");
            screened_as_whole(text).expect(text);
        }
    }

    #[test]
    fn a_spelled_chain_finishes_a_pattern_past_its_window() {
        for text in ["kill t h e m", "kill t.h.e.m now", "the infidels must d i e"] {
            screened_as_whole_with(narrow(), text).expect(text);
            assert!(narrow().matcher.find(text).iter().any(|h| h.span.len() > 4), "{text}: the phrase is found");
        }
    }

    fn screened_as_whole(text: &str) -> Result<(), TestCaseError> {
        screened_as_whole_with(shipped(), text)
    }

    fn screened_as_whole_with(lexicon: &Shipped, text: &str) -> Result<(), TestCaseError> {
        let Shipped { lexicon, matcher: m, .. } = lexicon;
        let whole = m.find_in(text, &normalize::strict(text));
        let screened = m.find(text);
        prop_assert_eq!(score::assess(&text, &screened, lexicon), score::assess(&text, &whole, lexicon));
        let entries = |hits: &[Hit]| hits.iter().filter(|h| matches!(h.term, TermRef::Entry(_))).cloned().collect::<Vec<_>>();
        prop_assert_eq!(entries(&screened), entries(&whole));
        for h in &screened {
            prop_assert!(whole.contains(h), "{:?} not found without screening", h);
        }
        Ok(())
    }

    /// Words that screening sets aside, chains of single letters among them.
    const FILLERS: &[&str] = &["и и и", "в и в и", "и. И и", "a a a", "the", "город", "новости", "и", "a", "People", "и\n\nи и"];

    /// A proximity rule's cues (group terms, or entries of the group) with up to a dozen
    /// set-aside words and chains between the first and the others: around the rule's reach.
    /// The `k`th term (modulo their number) of group `g`: its cues, then the entries of the group.
    fn group_term(lexicon: &Lexicon, g: usize, k: u16) -> String {
        let mut terms: Vec<&str> = lexicon.groups[g].terms.iter().map(|c| c.term.words.as_str()).collect();
        terms.extend(lexicon.entries.iter().filter(|e| e.groups.contains(&g)).map(|e| e.term.words.as_str()));
        terms.get(k as usize % terms.len().max(1)).copied().unwrap_or("").to_string()
    }

    fn rule_texts() -> impl Strategy<Value = String> {
        let lexicon = &shipped().lexicon;
        let fill = prop::collection::vec((0..FILLERS.len()).prop_map(|i| FILLERS[i]), 0..12);
        (0..lexicon.proximity.len(), any::<u16>(), any::<u16>(), fill).prop_map(move |(r, a, b, fill)| {
            let rule = &lexicon.proximity[r];
            let term = |g: usize, k: u16| group_term(lexicon, g, k);
            let mut words = vec![term(rule.groups[0], a)];
            words.extend(fill.iter().map(|f| f.to_string()));
            words.extend(rule.groups[1..].iter().map(|&g| term(g, b)));
            words.join(" ")
        })
    }

    /// A rule that begins its clause, with up to three hits of its lead groups before it (as
    /// long as they come: their words reach further back than the rule's window).
    fn lead_texts() -> impl Strategy<Value = String> {
        let lexicon = &shipped().lexicon;
        let rules: Vec<usize> = lexicon.proximity.iter().enumerate().filter(|(_, r)| r.initial && !r.lead.is_empty()).map(|(i, _)| i).collect();
        // Half the time a lead group's longest term: those reach furthest back.
        let longest = |g: usize| {
            let n = lexicon.groups[g].terms.len() + lexicon.entries.iter().filter(|e| e.groups.contains(&g)).count();
            (0..n as u16).max_by_key(|&k| group_term(lexicon, g, k).split_whitespace().count()).unwrap_or(0)
        };
        (0..rules.len(), prop::collection::vec((any::<u16>(), any::<u16>(), any::<bool>()), 1..=3), any::<u16>(), any::<u16>()).prop_map(move |(r, leads, a, b)| {
            let rule = &lexicon.proximity[rules[r]];
            let lead = |g: u16, k: u16, long: bool| {
                let g = rule.lead[g as usize % rule.lead.len()];
                group_term(lexicon, g, if long { longest(g) } else { k })
            };
            let mut words: Vec<String> = leads.iter().map(|&(g, k, long)| lead(g, k, long)).collect();
            words.push(group_term(lexicon, rule.groups[0], a));
            words.extend(rule.groups[1..].iter().map(|&g| group_term(lexicon, g, b)));
            words.join(" ")
        })
    }

    /// An entry or a whole firing of a rule, and a dampener's cue up to 30 set-aside words
    /// before or after it: around the widest windows, past the rules' ([`NEAR_WORDS`]); half
    /// the time with a word of the dampener's `unless` groups (a simile) just before the cue.
    fn dampener_texts() -> impl Strategy<Value = String> {
        let lexicon = &shipped().lexicon;
        let fill = prop::collection::vec((0..FILLERS.len()).prop_map(|i| FILLERS[i]), 0..30);
        let dampeners: Vec<&crate::lexicon::Dampener> = lexicon.dampeners.iter().filter(|d| !d.quoted).collect();
        let hit = prop_oneof![
            (0..lexicon.entries.len()).prop_map(move |e| lexicon.entries[e].term.words.clone()),
            rule_texts(),
        ];
        (hit, 0..dampeners.len(), any::<(u16, u16, u16, u16)>(), fill, any::<(bool, bool)>()).prop_map(move |(hit, d, (g, k, u, j), fill, (after, simile))| {
            let d = dampeners[d];
            let mut cue = group_term(lexicon, d.groups[g as usize % d.groups.len()], k);
            if simile && !d.unless.is_empty() {
                cue = format!("{} {cue}", group_term(lexicon, d.unless[u as usize % d.unless.len()], j));
            }
            let fill = fill.join(" ");
            if after { format!("{hit} {fill} {cue}") } else { format!("{cue} {fill} {hit}") }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        /// Rules fire across set-aside words and letter chains as in the whole text, up to
        /// their reach and not past it.
        #[test]
        fn rules_fire_across_set_aside_words_as_in_the_whole_text(text in rule_texts()) {
            screened_as_whole(&text)?;
        }

        /// Rules that begin their clause fire after their lead words as in the whole text.
        #[test]
        fn rules_fire_after_their_leads_as_in_the_whole_text(text in lead_texts()) {
            screened_as_whole(&text)?;
        }

        /// Dampeners' cues count across set-aside words as in the whole text, up to their
        /// windows and not past them, the wide ones too.
        #[test]
        fn dampeners_count_across_set_aside_words_as_in_the_whole_text(text in dampener_texts()) {
            screened_as_whole(&text)?;
        }
    }

    #[test]
    fn a_pattern_may_begin_at_any_letter_of_a_chain() {
        // `а`, `1` and `i` chain across the blank line but stay three words of the loose view,
        // and the phrase (spelled with zero-width spaces) begins at the last of them.
        let Shipped { lexicon, matcher: m, .. } = shipped();
        let text = "а\n\n1 i\u{200b} \u{200b}a\u{200b}m\u{200b} \u{200b}g\u{200b}o\u{200b}i\u{200b}n\u{200b}g\u{200b} \u{200b}t\u{200b}o\u{200b} \u{200b}k\u{200b}i\u{200b}l\u{200b}l\u{200b} ";
        screened_as_whole(text).expect("as matched whole");
        let labels: Vec<String> = score::assess(text, &m.find(text), lexicon).reasons.into_iter().map(|r| r.label).collect();
        assert!(labels.iter().any(|l| l == "i am going to kill"), "{labels:?}");
    }

    #[test]
    fn a_rule_fires_across_an_inert_chain_at_its_reach() {
        // Letters spelled out count as the loose view counts them (`и и и` is one word).
        let Shipped { lexicon, matcher: m, .. } = shipped();
        let rule = lexicon.proximity.iter().position(|r| r.name == "beat_group").expect("beat_group");
        let fires = |text: &str| {
            let screened = score::assess(text, &m.find(text), lexicon);
            assert_eq!(screened, score::assess(text, &m.find_in(text, &normalize::strict(text)), lexicon), "{text}");
            screened.reasons.iter().any(|r| r.kind == score::ReasonKind::Proximity(rule))
        };
        // Two cues and no entry: the rule itself is what makes screening keep the words.
        assert!(fires("бейте людей"));
        assert!(fires("бейте и и и город людей"), "three words apart");
        assert!(fires("бейте город и в\nи людей"), "three words apart");
        assert!(!fires("бейте и в\n\nи людей"), "a blank line between");
        assert!(!fires("бейте и и и город новости людей"), "four words apart");
    }

    #[test]
    fn an_apostrophe_that_opens_or_ends_no_word_is_no_letter_of_it() {
        // (text, the same words with a space for the quoting apostrophe, in the same places)
        let Shipped { lexicon, matcher: m, .. } = shipped();
        let cases = [
            ("He wrote: 'I will kill you tomorrow and left", "He wrote:  I will kill you tomorrow and left"),
            ("x 'e,bnm ", "x  e,bnm "),
            ("don't\n\n\n'e,bnm ", "don't\n\n\n e,bnm "),
            ("они писали 'убить всех вчера", "они писали  убить всех вчера"),
            ("He wrote: I will kill you' and left", "He wrote: I will kill you  and left"),
            ("kill them all'", "kill them all "),
            ("e,bnm' ", "e,bnm  "),
            ("они писали убить всех' вчера", "они писали убить всех  вчера"),
        ];
        for (quoted, plain) in cases {
            let found = |text: &str| {
                let whole = m.find_in(text, &normalize::strict(text));
                assert_eq!(score::assess(text, &m.find_cut(text, 1), lexicon), score::assess(text, &whole, lexicon), "{text:?}");
                whole.into_iter().map(|h| (h.term, h.span)).collect::<Vec<_>>()
            };
            let hits = found(quoted);
            assert!(hits.iter().any(|(t, _)| matches!(t, TermRef::Entry(_))), "{quoted:?}: {hits:?}");
            assert_eq!(hits, found(plain), "{quoted:?}");
        }
    }

    proptest! {
        /// Matched in pieces, a text has the same assessment and the same entry hits as
        /// matched whole; word and paragraph indices keep their order, which hits share a
        /// paragraph, and the distances within one.
        #[test]
        fn pieces_match_as_the_whole_text(text in prop_oneof![texts(), long_texts()], piece in 1usize..400) {
            let Shipped { lexicon, matcher: m, .. } = shipped();
            prop_assume!(m.screen.is_local());
            let whole = m.find_in(&text, &normalize::strict(&text));
            let cut = m.find_cut(&text, piece);
            prop_assert_eq!(score::assess(&text, &cut, lexicon), score::assess(&text, &whole, lexicon));
            // A hit but for its word and paragraph indices.
            let key = |h: &Hit| (h.term, h.span.clone(), h.loose_only, h.evasion, h.translit, h.quoted);
            let entries = |hits: &[Hit]| hits.iter().filter(|h| matches!(h.term, TermRef::Entry(_))).map(key).collect::<Vec<_>>();
            prop_assert_eq!(entries(&cut), entries(&whole));
            let mut found = Vec::new();
            for h in &cut {
                let Some(w) = whole.iter().find(|w| key(w) == key(h)) else { return Err(TestCaseError::fail(format!("{h:?} not found whole"))) };
                found.push((h, w));
            }
            for (a, wa) in &found {
                for (b, wb) in &found {
                    prop_assert_eq!(a.paragraph == b.paragraph, wa.paragraph == wb.paragraph);
                    prop_assert_eq!((a.paragraph, a.word) < (b.paragraph, b.word), (wa.paragraph, wa.word) < (wb.paragraph, wb.word));
                    if a.paragraph == b.paragraph {
                        prop_assert_eq!(i64::from(a.word) - i64::from(b.word), i64::from(wa.word) - i64::from(wb.word));
                    }
                }
            }
        }
    }

    #[test]
    fn long_pages_are_cut_at_blank_lines() {
        fn cut(text: &str, piece: usize) -> Vec<&str> {
            crate::matcher::pieces(text, piece).map(|r| &text[r]).collect()
        }
        assert_eq!(cut("", 4), Vec::<&str>::new());
        assert_eq!(cut("a b c", 1), ["a b c"]);
        assert_eq!(cut("ab\n\ncd\n \t\nef", 1), ["ab\n\n", "cd\n \t\n", "ef"]);
        assert_eq!(cut("ab\n\ncd\n \t\nef", 5), ["ab\n\ncd\n \t\n", "ef"]);
        assert_eq!(cut("ab\n.\ncd\n\n", 1), ["ab\n.\ncd\n\n"]);
        assert_eq!(cut("ab\n\n\n\ncd", 1), ["ab\n\n", "\n\ncd"]);
        assert_eq!(cut("ab\n\n\u{301}cd\n\nef", 1), ["ab\n\n\u{301}cd\n\n", "ef"], "not before a mark");
    }

    /// [`Screen::build`] as first written, every word in turn: the reference.
    fn build_by_words(screen: &Screen, text: &str, scratch: &Scratch, masks: &Masks) -> Substitute {
        let b = text.as_bytes();
        let mut out = Substitute { text: String::with_capacity(text.len() / 8), ..Substitute::default() };
        let mut run: Option<Run> = None;
        let (mut prev_end, mut kept) = (0, false);
        let within = |windows: &[(u32, u32)], pos: u32| windows.iter().any(|&(from, to)| from <= pos && pos <= to);
        for w in &scratch.words {
            let signal_near = scratch.signals.iter().map(|&k| signal_at(&scratch.words, masks, k)).any(|s| !s.mask.is_zero() && s.pos >= w.pos && s.pos <= w.pos + screen.max_lead);
            kept = match w.info.kind {
                Kind::Opaque => true,
                Kind::First => kept || (within(&scratch.windows, w.pos) && signal_near),
                Kind::Wide => kept || (within(&scratch.wide, w.pos) && signal_near),
                Kind::Later => kept,
                Kind::Inert | Kind::Sep => false,
            };
            let (start, end) = (w.start as usize, w.end as usize);
            let sep = prev_end..start;
            prev_end = end;
            match run.as_mut() {
                Some(r) if !kept && paragraph_breaks(&b[sep.clone()]).is_some() => {
                    r.to = end;
                    r.words += u32::from(!w.info.joined);
                    r.blanks += paragraph_breaks(&b[sep.clone()]).unwrap_or(0);
                }
                _ => {
                    if let Some(r) = run.take() {
                        out.placeholder(screen.placeholder(), r);
                    }
                    out.verbatim(text, sep);
                    if kept {
                        out.verbatim(text, start..end);
                    } else {
                        run = Some(Run { from: start, to: end, words: u32::from(!w.info.joined), blanks: 0 });
                    }
                }
            }
        }
        if let Some(r) = run.take() {
            out.placeholder(screen.placeholder(), r);
        }
        out.verbatim(text, prev_end..text.len());
        out
    }

    /// Long texts of mostly plain words, a few terms, and line breaks and blank lines: long
    /// stretches of set-aside words with paragraphs in them.
    fn long_texts() -> impl Strategy<Value = String> {
        let terms = shipped().terms.len();
        const INERT: &[&str] = &["и", "в", "a", "the", "People", "город", "Вчера", "новости", "бүгін", "Қала", "adamdar", "şahar", "الناس", "مدينة", "2024", "ООН"];
        let piece = prop_oneof![
            24 => (0..INERT.len()).prop_map(|i| INERT[i].to_string()),
            2 => (0..PLAIN.len()).prop_map(|i| PLAIN[i].to_string()),
            1 => (0..terms, any::<u8>()).prop_map(|(i, how)| variant(&shipped().terms[i], how)),
        ];
        let sep = prop_oneof![
            16 => Just(" "),
            2 => Just("\n"),
            2 => Just("\n\n"),
            2 => Just(" \n \r\n"),
            2 => Just(", "),
            1 => Just("\n.\n"),
            2 => Just(".\n\n"),
            1 => Just("\n\n.\n\n"),
            1 => Just("\n\u{A0}\n"),
            1 => Just("\n — \n"),
            1 => Just(" «"),
            1 => Just("» "),
            1 => Just(" \""),
            1 => Just("\n\x0B\n"),
        ];
        prop::collection::vec((piece, sep), 1..600).prop_map(|parts| parts.into_iter().map(|(p, s)| p + s).collect())
    }

    proptest! {
        /// The substitute of a text is what looking at every word makes it.
        #[test]
        fn build_crosses_set_aside_words_as_word_by_word(text in long_texts()) {
            let screen = &shipped().matcher.screen;
            let mut cache = WordCache::default();
            let mut scratch = Scratch::default();
            screen.split(&text, &mut cache, &mut scratch);
            if screen.windows(&mut scratch, &cache.masks) {
                prop_assert_eq!(screen.build(&text, &scratch, &cache.masks), build_by_words(screen, &text, &scratch, &cache.masks));
            }
        }

        /// Runs of set-aside words across blank lines keep word indices and paragraphs.
        #[test]
        fn long_screened_texts_match_as_whole_texts(text in long_texts()) {
            screened_as_whole(&text)?;
        }
    }

    #[test]
    fn inert_words_are_set_aside_and_others_kept() {
        let m = &shipped().matcher;
        let screen = &m.screen;
        let table: &[(&str, bool)] = &[
            ("город", true),
            ("Garden", true),
            ("the", false),
            ("2024", true),
            ("и", false),     // one letter: may be spelled out
            ("kill", false),  // an entry
            ("k1ll", false),  // leet for one
            ("убивайте", false), // a stem's word
            ("word\u{2028}", false),
            ("\u{301}word", false),
            ("a\u{A0}b", false),
        ];
        for &(word, inert) in table {
            assert_eq!(screen.info(word, &mut Masks::default()).kind == Kind::Inert, inert, "{word:?}");
        }
        let text = "Вчера в городе прошёл праздник.\n\nОни сказали: убивайте всех! Больше ничего.";
        let Some(Screened::Text(sub)) = screen.screen(text) else { panic!("an entry is screened out") };
        assert!(sub.text.len() < text.len() / 2, "{:?}", sub.text);
        assert!(sub.text.contains("убивайте всех!"), "{:?}", sub.text);
        assert!(sub.text.contains("\n\n"), "paragraph kept: {:?}", sub.text);
        let hits = m.find(text);
        assert!(hits.iter().any(|h| &text[h.span.clone()] == "убивайте"), "{hits:?}");
        assert_eq!(hits, m.find_in(text, &normalize::strict(text)));
    }
}
