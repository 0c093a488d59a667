//! Scoring: from the hits in one text to an explained [`Assessment`].
//!
//! The formula (also in the README):
//! * Each entry's hits are first damped: a hit within a dampener's window of one of its cues
//!   (reporting, condemnation, education, idioms), counted from the nearest of the cue's words,
//!   is multiplied by the smallest such factor,
//!   and inside quotation marks by a `quoted` dampener's factor as well.
//! * An entry contributes `weight × best damped factor of its hits × (1 + repeat_bonus ×
//!   min(hits − 1, repeat_cap))`, times `obfuscation_boost` when any of its hits shows evasion.
//! * A proximity rule fires once per anchor hit of its first group that has a hit of every other
//!   group within `within` words in the same paragraph; it contributes like an entry, damped at
//!   its anchor.
//! * A category's score is the sum of its entries and rules; the item's category is the top
//!   one and its score is the top category's plus `other_categories` × the others'.
//! * Not queued below `flag`; priority 1 at `priority1` or more *and* either a rule or two
//!   distinct entries in the top category (so no single word is ever priority 1 on its own),
//!   or when an undamped firing of a rule marked `priority1` (a direct threat or call to kill
//!   with a target) is in the top category; priority 2 at `priority2`; priority 3 otherwise.
//!
//! Hits of entries of one category that cover the same text, or lie inside a longer hit of
//! that category, count once (the heaviest).

use std::collections::BTreeMap;
use std::ops::Range;

use crate::lexicon::{Lexicon, SIMILE_WORDS};
use crate::matcher::{Evasion, Hit, TermRef};

/// At most this many entry hits are scored per item; a page with more is flagged anyway.
const MAX_SCORED_HITS: usize = 2_000;

/// Why an item scored what it did.
#[derive(Debug, Clone, PartialEq)]
pub enum ReasonKind {
    /// A lexicon entry (index into [`Lexicon::entries`]).
    Entry(usize),
    /// A proximity rule (index into [`Lexicon::proximity`]).
    Proximity(usize),
    /// A dampener (index into [`Lexicon::dampeners`]) that lowered some hit.
    Dampener(usize),
}

/// One line of explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    pub kind: ReasonKind,
    /// The term as written, the rule's name.
    pub label: String,
    /// Empty for dampeners.
    pub category: String,
    /// Contribution to the category's score; for a dampener, its factor.
    pub points: f32,
    /// Hits (entries), firings (rules) or hits lowered (dampeners).
    pub count: usize,
    /// Original byte ranges: hits, or each firing's anchor and partner.
    pub spans: Vec<Range<usize>>,
    pub evasion: Evasion,
    /// Every hit was found only in the loose view.
    pub loose_only: bool,
    /// An undamped firing of a rule marked `priority1`: a direct threat or call to kill.
    pub direct: bool,
    /// Some hit is written in another script than the term.
    pub translit: bool,
}

/// The verdict on one text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Assessment {
    pub score: f32,
    /// The top category, if anything scored.
    pub category: Option<String>,
    /// 1 (review first) to 3; `None` when the item is not queued.
    pub priority: Option<u8>,
    /// Scoring reasons, strongest first, then dampeners.
    pub reasons: Vec<Reason>,
    /// The strongest hit of the top category, for the snippet.
    pub focus: Option<Range<usize>>,
    /// Score per category.
    pub categories: BTreeMap<String, f32>,
}

impl Assessment {
    /// Whether the item goes into a queue.
    pub fn is_flagged(&self) -> bool {
        self.priority.is_some()
    }

    /// Whether any contributing hit shows evasion.
    pub fn is_obfuscated(&self) -> bool {
        self.reasons.iter().any(|r| !r.evasion.is_empty() && !matches!(r.kind, ReasonKind::Dampener(_)))
    }
}

/// Category order for ties: the most urgent first.
const SEVERITY: [&str; 4] = ["incitement", "terrorism", "violence", "extremism"];

fn severity(category: &str) -> usize {
    SEVERITY.iter().position(|&c| c == category).unwrap_or(SEVERITY.len())
}

/// Scores `hits` (from [`crate::matcher::Matcher::find`] on `text`) against `lexicon`'s rules.
/// The text is read only where a rule asks about clauses (their boundaries lie between hits).
pub fn assess(text: &str, hits: &[Hit], lexicon: &Lexicon) -> Assessment {
    let scoring = &lexicon.scoring;
    let entry_hits = distinct_entry_hits(hits, lexicon);
    let mut damp_used: BTreeMap<usize, Vec<Range<usize>>> = BTreeMap::new();
    // Every group's hits by place, found once: whether a cue is near a hit is a search, not a
    // scan of all hits (a page with thousands of hits made scoring quadratic), and each rule
    // and dampener reads its groups' lists instead of sorting all hits out again.
    let by_group = ByGroup::new(hits, lexicon);
    let cues: Vec<Near> = lexicon.dampeners.iter().map(|d| by_group.near(&d.groups)).collect();
    // How many words each hit's term is: a cue of several words is near what is near any of
    // them (a frame's part inside "bite the bullet" is in the idiom).
    let words: Vec<u32> = hits.iter().map(|h| term_words(h.term, lexicon)).collect();
    let longest: Vec<u32> = cues.iter().map(|c| c.at.iter().map(|&(_, _, i)| words[i]).max().unwrap_or(1)).collect();
    let similes: Vec<Near> = lexicon.dampeners.iter().map(|d| by_group.near(&d.unless)).collect();
    let mut damp = |h: &Hit, call: bool| -> f32 {
        // The smallest factor of the cue dampeners, times the quotation's: a quotation and a
        // reporting cue around it ("he messaged me 'I will kill you' so I reported him") are
        // two signs of reported speech, each alone one.
        let (mut factor, mut quote) = (1.0f32, 1.0f32);
        for (d, dampener) in lexicon.dampeners.iter().enumerate() {
            if call && dampener.spares_calls {
                continue;
            }
            let cued = if dampener.quoted {
                h.quoted
            } else {
                let near = match dampener.within {
                    None => &cues[d].at[..],
                    Some(w) => cues[d].around_from(h, w.saturating_add(longest[d].saturating_sub(1)), w),
                };
                let within = dampener.within.unwrap_or(u32::MAX);
                let reaches = |&&(_, word, i): &&(u32, u32, usize)| (word + words[i].saturating_sub(1)).saturating_add(within) >= h.word;
                let mut near = near.iter().filter(reaches).filter(|&&(p, w, _)| !similes[d].before(p, w, SIMILE_WORDS));
                if call && dampener.calls_in_clause {
                    near.any(|&(_, _, i)| !apart_in_clauses(text, &hits[i], h))
                } else {
                    near.next().is_some()
                }
            };
            if cued && dampener.factor < 1.0 {
                let kind = if dampener.quoted { &mut quote } else { &mut factor };
                *kind = kind.min(dampener.factor);
                damp_used.entry(d).or_default().push(h.span.clone());
            }
        }
        factor * quote
    };
    let repeat = |n: usize| 1.0 + scoring.repeat_bonus * (n.saturating_sub(1).min(scoring.repeat_cap as usize)) as f32;

    let mut reasons = Vec::new();
    let mut by_entry: BTreeMap<usize, Vec<&Hit>> = BTreeMap::new();
    for h in &entry_hits {
        if let TermRef::Entry(e) = h.term {
            by_entry.entry(e).or_default().push(h);
        }
    }
    for (e, hs) in by_entry {
        let entry = &lexicon.entries[e];
        let factors: Vec<f32> = hs.iter().map(|h| damp(h, false)).collect();
        let best = factors.iter().copied().fold(0.0f32, f32::max);
        // The least damped hit goes first: it is the one the snippet shows.
        let first = factors.iter().position(|&f| f == best).unwrap_or(0);
        let mut spans: Vec<Range<usize>> = hs.iter().map(|h| h.span.clone()).collect();
        spans[..=first].rotate_right(1);
        let mut evasion = Evasion::default();
        hs.iter().for_each(|h| evasion |= h.evasion);
        let boost = if evasion.is_empty() { 1.0 } else { scoring.obfuscation_boost };
        reasons.push(Reason {
            kind: ReasonKind::Entry(e),
            label: entry.term.to_string(),
            category: entry.category.clone(),
            points: f32::from(entry.weight) * best * repeat(hs.len()) * boost,
            count: hs.len(),
            spans,
            evasion,
            loose_only: hs.iter().all(|h| h.loose_only),
            direct: false,
            translit: hs.iter().any(|h| h.translit),
        });
    }
    for (r, rule) in lexicon.proximity.iter().enumerate() {
        let firings = fire(text, rule, hits, &by_group, lexicon);
        if firings.is_empty() {
            continue;
        }
        let mut firings = firings;
        // A firing is damped as much as its most damped part: an idiom or a reporting cue on
        // any word of the frame speaks for the whole of it.
        let factors: Vec<f32> = firings.iter().map(|parts| parts.iter().map(|h| damp(h, rule.call)).fold(1.0f32, f32::min)).collect();
        let best = factors.iter().copied().fold(0.0f32, f32::max);
        let first = factors.iter().position(|&f| f == best).unwrap_or(0);
        firings[..=first].rotate_right(1);
        reasons.push(Reason {
            kind: ReasonKind::Proximity(r),
            label: rule.name.clone(),
            category: rule.category.clone(),
            points: f32::from(rule.weight) * best * repeat(firings.len()),
            count: firings.len(),
            spans: firings.iter().flat_map(|parts| parts.iter().map(|h| h.span.clone())).collect(),
            evasion: Evasion::default(),
            loose_only: false,
            direct: rule.priority1 && best >= 1.0,
            translit: false,
        });
    }
    reasons.sort_by(|a, b| b.points.total_cmp(&a.points).then_with(|| a.label.cmp(&b.label)));
    finish(reasons, damp_used, lexicon)
}

/// Totals, category, priority and focus from the scoring reasons.
fn finish(mut reasons: Vec<Reason>, damp_used: BTreeMap<usize, Vec<Range<usize>>>, lexicon: &Lexicon) -> Assessment {
    let scoring = &lexicon.scoring;
    let mut categories: BTreeMap<String, f32> = BTreeMap::new();
    for r in &reasons {
        *categories.entry(r.category.clone()).or_default() += r.points;
    }
    let top = categories
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1).then_with(|| severity(b.0).cmp(&severity(a.0))))
        .map(|(c, s)| (c.clone(), *s));
    let Some((category, top_score)) = top else {
        return Assessment { reasons, ..Assessment::default() };
    };
    let others: f32 = categories.iter().filter(|(c, _)| **c != category).map(|(_, s)| s).sum();
    let score = top_score + scoring.other_categories * others;
    let in_top = |r: &&Reason| r.category == category;
    let corroborated = reasons.iter().filter(in_top).any(|r| matches!(r.kind, ReasonKind::Proximity(_)))
        || reasons.iter().filter(in_top).filter(|r| matches!(r.kind, ReasonKind::Entry(_))).count() >= 2;
    let direct = reasons.iter().filter(in_top).any(|r| r.direct);
    let priority = if score < scoring.flag {
        None
    } else if direct || (score >= scoring.priority1 && corroborated) {
        Some(1)
    } else if score >= scoring.priority2 {
        Some(2)
    } else {
        Some(3)
    };
    let focus = reasons.iter().find(in_top).and_then(|r| r.spans.first().cloned());
    for (d, spans) in damp_used {
        let dampener = &lexicon.dampeners[d];
        reasons.push(Reason {
            kind: ReasonKind::Dampener(d),
            label: dampener.name.clone(),
            category: String::new(),
            points: dampener.factor,
            count: spans.len(),
            spans,
            evasion: Evasion::default(),
            loose_only: false,
            direct: false,
            translit: false,
        });
    }
    Assessment { score, category: Some(category), priority, reasons, focus, categories }
}

/// Entry hits after dropping those that repeat a heavier hit of the same category on the same
/// or a covering span.
fn distinct_entry_hits<'a>(hits: &'a [Hit], lexicon: &Lexicon) -> Vec<&'a Hit> {
    let mut entry_hits: Vec<&Hit> = hits.iter().filter(|h| matches!(h.term, TermRef::Entry(_))).take(MAX_SCORED_HITS).collect();
    let weight = |h: &Hit| match h.term {
        TermRef::Entry(e) => lexicon.entries[e].weight,
        TermRef::Cue { .. } => 0,
    };
    let category = |h: &Hit| match h.term {
        TermRef::Entry(e) => lexicon.entries[e].category.as_str(),
        TermRef::Cue { .. } => "",
    };
    entry_hits.sort_by(|a, b| weight(b).cmp(&weight(a)).then((b.span.len()).cmp(&a.span.len())).then(a.span.start.cmp(&b.span.start)));
    let mut kept: Vec<&Hit> = Vec::new();
    for h in entry_hits {
        let covered = kept.iter().any(|k| category(k) == category(h) && k.span.start <= h.span.start && h.span.end <= k.span.end);
        if !covered {
            kept.push(h);
        }
    }
    kept.sort_by_key(|h| h.span.start);
    kept
}

/// Whether hit `h` belongs to any of `groups`.
fn in_groups(h: &Hit, groups: &[usize], lexicon: &Lexicon) -> bool {
    match h.term {
        TermRef::Cue { group, .. } => groups.contains(&group),
        TermRef::Entry(e) => lexicon.entries[e].groups.iter().any(|g| groups.contains(g)),
    }
}

/// Each group's hits as (paragraph, word, index in the hits), sorted: in text order, since
/// hits are sorted by place and word and paragraph indices only grow with it.
struct ByGroup {
    at: Vec<Vec<(u32, u32, usize)>>,
}

impl ByGroup {
    fn new(hits: &[Hit], lexicon: &Lexicon) -> ByGroup {
        let mut at = vec![Vec::new(); lexicon.groups.len()];
        for (i, h) in hits.iter().enumerate() {
            let place = (h.paragraph, h.word, i);
            match h.term {
                TermRef::Cue { group, .. } => at[group].push(place),
                TermRef::Entry(e) => lexicon.entries[e].groups.iter().for_each(|&g| at[g].push(place)),
            }
        }
        at.iter_mut().for_each(|list| {
            list.sort_unstable();
            list.dedup();
        });
        ByGroup { at }
    }

    /// The hits of any of `groups`.
    fn near(&self, groups: &[usize]) -> Near {
        let mut at: Vec<(u32, u32, usize)> = groups.iter().flat_map(|&g| self.at[g].iter().copied()).collect();
        if groups.len() > 1 {
            at.sort_unstable();
            at.dedup();
        }
        Near { at }
    }
}

/// How many words `term` is written with (what a hit of it spans in the view's words).
fn term_words(term: TermRef, lexicon: &Lexicon) -> u32 {
    let words = match term {
        TermRef::Entry(e) => &lexicon.entries[e].term.words,
        TermRef::Cue { group, term } => &lexicon.groups[group].terms[term].term.words,
    };
    words.split_whitespace().count().max(1) as u32
}

/// The hits of some groups by paragraph and word, for the hits near a given one.
struct Near {
    /// (paragraph, word, index in the hits), sorted.
    at: Vec<(u32, u32, usize)>,
}

impl Near {
    /// Whether one of these stands in paragraph `p` at most `n` words before word `w`.
    fn before(&self, p: u32, w: u32, n: u32) -> bool {
        let from = self.at.partition_point(|&(q, word, _)| (q, word) < (p, w.saturating_sub(n)));
        self.at.get(from).is_some_and(|&(q, word, _)| q == p && word < w)
    }

    /// Those in `h`'s paragraph at most `w` words from it.
    fn around(&self, h: &Hit, w: u32) -> &[(u32, u32, usize)] {
        self.around_from(h, w, w)
    }

    /// Those in `h`'s paragraph beginning at most `before` words before it or `after` after.
    fn around_from(&self, h: &Hit, before: u32, after: u32) -> &[(u32, u32, usize)] {
        let from = self.at.partition_point(|&(p, word, _)| (p, word) < (h.paragraph, h.word.saturating_sub(before)));
        let to = self.at.partition_point(|&(p, word, _)| (p, word) <= (h.paragraph, h.word.saturating_add(after)));
        &self.at[from..to.max(from)]
    }
}

/// Whether `c` ends a clause for the rules that stay within one: sentence punctuation and line
/// breaks (commas and colons do not: "hang them, all of them", "he said: kill them").
pub fn is_clause_boundary(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | ';' | '\n' | '…' | '؟' | '؛' | '。' | '|')
}

/// Whether the character `c` at byte `k` of `text` ends a clause: [`is_clause_boundary`], but
/// not a dot between single letters or digits (a word spelled out with dots, `к.и.л.л`, or a
/// number, `3.5`).
fn ends_clause(text: &str, k: usize, c: char) -> bool {
    if !is_clause_boundary(c) {
        return false;
    }
    if c != '.' {
        return true;
    }
    !(lone(text[..k].chars().rev()) && lone(text[k + 1..].chars()))
}

/// Whether `around` (the characters going away from a dot) begins with a letter or digit
/// alone: followed by no other.
fn lone(mut around: impl Iterator<Item = char>) -> bool {
    match around.next() {
        Some(x) if x.is_alphanumeric() => around.next().is_none_or(|y| !y.is_alphanumeric()),
        _ => false,
    }
}

/// Whether a clause boundary lies between two hits (in either order).
fn apart_in_clauses(text: &str, a: &Hit, b: &Hit) -> bool {
    let (from, to) = if a.span.end <= b.span.start { (a.span.end, b.span.start) } else { (b.span.end.min(a.span.start), a.span.start) };
    text.get(from..to).is_some_and(|between| between.char_indices().any(|(k, c)| ends_clause(text, from + k, c)))
}

/// Whether `a` begins its clause: before it, back to a clause boundary or the start, stand
/// only punctuation and symbols and at most [`MAX_LEAD_WORDS`] words, each inside a hit of
/// `lead` (`hits` sorted by start; `i` is `a`'s index).
fn begins_clause(text: &str, hits: &[Hit], i: usize, lead: &[usize], lexicon: &Lexicon) -> bool {
    let a = &hits[i];
    let before = &text[..a.span.start];
    let start = before.char_indices().rev().find(|&(k, c)| ends_clause(text, k, c)).map_or(0, |(k, c)| k + c.len_utf8());
    let leads: Vec<&Hit> = hits[..i].iter().filter(|h| h.span.start >= start && h.span.end <= a.span.start && in_groups(h, lead, lexicon)).collect();
    let mut words = 0;
    let mut at = start;
    for (k, c) in text[start..a.span.start].char_indices() {
        let k = start + k;
        if k < at || !c.is_alphanumeric() {
            continue;
        }
        // A letter outside every lead hit: the clause began before the anchor.
        let Some(h) = leads.iter().find(|h| h.span.start <= k && k < h.span.end) else { return false };
        words += 1;
        at = h.span.end;
    }
    words <= crate::lexicon::MAX_LEAD_WORDS
}

/// The firings of a proximity rule: the anchor (a hit of its first group) and a partner for
/// each other group, in that order.
fn fire<'a>(text: &str, rule: &crate::lexicon::Proximity, hits: &'a [Hit], by_group: &ByGroup, lexicon: &Lexicon) -> Vec<Vec<&'a Hit>> {
    let mut firings = Vec::new();
    let Some((&first, rest)) = rule.groups.split_first() else { return firings };
    if rule.groups.iter().any(|&g| by_group.at[g].is_empty()) {
        return firings;
    }
    let partners: Vec<Near> = rest.iter().map(|&g| by_group.near(&[g])).collect();
    let negations = by_group.near(&rule.unless);
    let apart = |a: &Hit, b: &Hit| b.span.end <= a.span.start || a.span.end <= b.span.start;
    let mut last_anchor: Option<Range<usize>> = None;
    for (i, a) in by_group.at[first].iter().map(|&(_, _, i)| (i, &hits[i])) {
        if last_anchor.as_ref().is_some_and(|s| s.start < a.span.end && a.span.start < s.end) {
            continue; // another term on the same words: one firing
        }
        if rule.initial && !begins_clause(text, hits, i, &rule.lead, lexicon) {
            continue;
        }
        let mut parts = vec![a];
        let mut after = a.span.end;
        let all = partners.iter().all(|near| {
            // The first in text order of those near enough, not on the anchor's words, after
            // the previous part when ordered, in the anchor's clause when asked.
            let found = near
                .around(a, rule.within)
                .iter()
                .map(|&(_, _, i)| &hits[i])
                .filter(|b| apart(a, b) && (!rule.ordered || b.span.start >= after) && !(rule.clause && apart_in_clauses(text, a, b)))
                .min_by_key(|b| (b.span.start, b.span.end));
            if let Some(b) = found {
                after = b.span.end;
                parts.push(b);
            }
            found.is_some()
        });
        if all && !negated(text, rule, &parts, &negations, hits, lexicon) {
            firings.push(parts);
            last_anchor = Some(a.span.clone());
        }
    }
    firings
}

/// Whether a hit of the rule's `unless` groups stands among the parts of a firing, up to
/// `unless_before` words before the first of them or `unless_after` after the last word of the
/// last (`поставить к стенке шкаф`: the wardrobe is one word after the phrase, not three after
/// its first word), in the same clause.
fn negated(text: &str, rule: &crate::lexicon::Proximity, parts: &[&Hit], negations: &Near, hits: &[Hit], lexicon: &Lexicon) -> bool {
    if rule.unless.is_empty() {
        return false;
    }
    let first = parts.iter().min_by_key(|h| h.span.start).expect("a firing has parts");
    let last_word = parts.iter().map(|h| h.word + term_words(h.term, lexicon) - 1).max().unwrap_or(first.word);
    let reach = rule.unless_before.max(last_word - first.word + rule.unless_after);
    negations.around(first, reach).iter().map(|&(_, _, i)| &hits[i]).any(|n| {
        let inside = n.word <= last_word + rule.unless_after && n.word + rule.unless_before >= first.word;
        // A negation inside a part is that part's own word ("can't" in "can't wait to see").
        let own = parts.iter().any(|p| p.span.start <= n.span.start && n.span.end <= p.span.end);
        inside && !own && !apart_in_clauses(text, first, n)
    })
}

#[cfg(test)]
mod tests;
