//! Near-duplicate clusters: one decision per message, not per copy.
//!
//! * [`Index`]: every member's fingerprint ([`crate::fingerprint`]) and the cluster it joined,
//!   with one LSH table per band for sub-linear candidate lookup. A new fingerprint is compared
//!   only with the members that share one of its [`BANDS`] band keys, and joins the cluster of
//!   the most similar one if that similarity reaches the threshold; otherwise it starts a
//!   cluster of its own. A cluster's id is its first member, so ids are stable: a cluster never
//!   changes id and never merges with another (a copy close to two clusters joins the closer).
//!   Each table slot holds one member per band key (the first seen): members sharing a band key
//!   are near-duplicates already, so keeping one is enough and memory stays at 4 bytes per slot.
//! * [`Clusters`]: the index with item ids, as the nightly run would keep it.
//! * [`carry`]: whether a new copy of a decided cluster takes the decision or is queued again.
//! * [`ClustersConfig`]: the `[clusters]` section of the nightly config.
//!
//! Storing clusters is [`crate::cluster_store`]'s job; grouping queue rows by cluster is not
//! done here.

use serde::{Deserialize, Serialize};

use crate::fingerprint::{self, BANDS, Fingerprint, HASHES};
use crate::review::Verdict;

/// What a cluster's decisions carry to new copies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Carry {
    /// To every copy in the cluster (similarity at or above the threshold).
    #[default]
    Near,
    /// Only to copies whose content is identical to a decided member's (links, emoji, case and
    /// boilerplate lines aside).
    Identical,
    /// Never: every copy is queued.
    Off,
}

/// `[clusters]` in the nightly config.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClustersConfig {
    pub carry: Carry,
    /// Estimated Jaccard similarity of content shingles at or above which a copy joins a
    /// cluster, in (0, 1].
    pub threshold: f32,
}

/// The default similarity threshold. The acceptance test (`tests/clusters.rs`) measured 0.3 to
/// 0.7: purity stays 1.0 throughout (unrelated posts sharing footers reach 0.14 at most),
/// completeness falls from about 0.99 at 0.4 to 0.97 at 0.5 and 0.85 at 0.7.
pub const DEFAULT_THRESHOLD: f32 = 0.4;

impl Default for ClustersConfig {
    fn default() -> ClustersConfig {
        ClustersConfig { carry: Carry::Near, threshold: DEFAULT_THRESHOLD }
    }
}

impl ClustersConfig {
    /// Checks the values serde cannot.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(format!("clusters.threshold must be above 0 and at most 1, got {}", self.threshold));
        }
        Ok(())
    }
}

/// Errors of the index.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClusterError {
    #[error("the cluster index is full ({0} members)")]
    Full(usize),
    #[error("member {member} names cluster {cluster}, which is not an earlier member")]
    UnknownCluster { member: usize, cluster: u32 },
}

/// Where a fingerprint went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// The new member's number (insertion order, from 0).
    pub member: u32,
    /// Its cluster: the number of the cluster's first member.
    pub cluster: u32,
    /// The member it was found close to and their similarity; `None`: a new cluster.
    pub nearest: Option<(u32, f32)>,
}

/// Fingerprints, their clusters and the LSH tables.
#[derive(Debug, Clone)]
pub struct Index {
    minhash: Vec<[u8; HASHES]>,
    cluster: Vec<u32>,
    tables: Vec<Table>,
    threshold: f32,
}

impl Index {
    /// An empty index joining at `threshold` (see [`ClustersConfig::threshold`]).
    pub fn new(threshold: f32) -> Index {
        Index { minhash: Vec::new(), cluster: Vec::new(), tables: (0..BANDS).map(|_| Table::new()).collect(), threshold }
    }

    /// Members so far.
    pub fn len(&self) -> usize {
        self.minhash.len()
    }

    pub fn is_empty(&self) -> bool {
        self.minhash.is_empty()
    }

    /// The cluster (first member) of `member`.
    pub fn cluster_of(&self, member: u32) -> Option<u32> {
        self.cluster.get(member as usize).copied()
    }

    /// The most similar member at or above the threshold, among those sharing a band.
    /// A fingerprint without content has none.
    pub fn nearest(&self, fp: &Fingerprint) -> Option<(u32, f32)> {
        if fp.shingles == 0 {
            return None;
        }
        let mut best: Option<(u32, f32)> = None;
        for (b, table) in self.tables.iter().enumerate() {
            let Some(m) = table.find(fp.band(b), b, &self.minhash) else { continue };
            let s = fingerprint::similarity(&self.minhash[m as usize], &fp.minhash);
            if s >= self.threshold && best.is_none_or(|(bm, bs)| s > bs || s == bs && m < bm) {
                best = Some((m, s));
            }
        }
        best
    }

    /// Adds `fp`: it joins its nearest member's cluster, or starts one.
    pub fn add(&mut self, fp: &Fingerprint) -> Result<Placement, ClusterError> {
        let nearest = self.nearest(fp);
        let member = self.next_member()?;
        let cluster = nearest.map_or(member, |(m, _)| self.cluster[m as usize]);
        self.push(fp, cluster);
        Ok(Placement { member, cluster, nearest })
    }

    /// Adds `fp` to a known cluster (`None`: its own), as when loading stored clusters.
    pub fn insert(&mut self, fp: &Fingerprint, cluster: Option<u32>) -> Result<u32, ClusterError> {
        let member = self.next_member()?;
        let cluster = match cluster {
            None => member,
            Some(c) if c < member => self.cluster[c as usize],
            Some(c) => return Err(ClusterError::UnknownCluster { member: member as usize, cluster: c }),
        };
        self.push(fp, cluster);
        Ok(member)
    }

    fn next_member(&self) -> Result<u32, ClusterError> {
        u32::try_from(self.minhash.len()).ok().filter(|&m| m < u32::MAX).ok_or(ClusterError::Full(self.minhash.len()))
    }

    fn push(&mut self, fp: &Fingerprint, cluster: u32) {
        let member = self.minhash.len() as u32;
        self.minhash.push(fp.minhash);
        self.cluster.push(cluster);
        if fp.shingles > 0 {
            for (b, table) in self.tables.iter_mut().enumerate() {
                table.insert(member, b, &self.minhash);
            }
        }
    }

    /// Bytes held by the index (for the scale bench).
    pub fn heap_bytes(&self) -> usize {
        self.minhash.capacity() * HASHES + self.cluster.capacity() * 4 + self.tables.iter().map(|t| t.slots.capacity() * 4).sum::<usize>()
    }
}

/// One band's table: open addressing with linear probing; a slot holds member + 1 (0: empty).
/// Keys are not stored: a member's key is recomputed from its fingerprint.
#[derive(Debug, Clone)]
struct Table {
    slots: Vec<u32>,
    used: usize,
}

impl Table {
    fn new() -> Table {
        Table { slots: vec![0; 64], used: 0 }
    }

    fn home(&self, key: u32, band: usize) -> usize {
        (fingerprint::mix(u64::from(key) ^ ((band as u64) << 32)) as usize) & (self.slots.len() - 1)
    }

    /// The member stored under `key`, or the empty slot where it would go.
    fn probe(&self, key: u32, band: usize, minhash: &[[u8; HASHES]]) -> Result<u32, usize> {
        let mask = self.slots.len() - 1;
        let mut i = self.home(key, band);
        loop {
            match self.slots[i] {
                0 => return Err(i),
                s if fingerprint::band(&minhash[s as usize - 1], band) == key => return Ok(s - 1),
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn find(&self, key: u32, band: usize, minhash: &[[u8; HASHES]]) -> Option<u32> {
        self.probe(key, band, minhash).ok()
    }

    /// Stores `member` under its key unless a member holds that key already.
    fn insert(&mut self, member: u32, band: usize, minhash: &[[u8; HASHES]]) {
        if (self.used + 1) * 4 > self.slots.len() * 3 {
            self.grow(band, minhash);
        }
        let key = fingerprint::band(&minhash[member as usize], band);
        if let Err(slot) = self.probe(key, band, minhash) {
            self.slots[slot] = member + 1;
            self.used += 1;
        }
    }

    fn grow(&mut self, band: usize, minhash: &[[u8; HASHES]]) {
        let doubled = vec![0; self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        for s in old.into_iter().filter(|&s| s != 0) {
            let key = fingerprint::band(&minhash[s as usize - 1], band);
            if let Err(slot) = self.probe(key, band, minhash) {
                self.slots[slot] = s;
            }
        }
    }
}

/// An [`Index`] whose members are items: cluster ids are the first member's item id.
#[derive(Debug, Clone)]
pub struct Clusters {
    pub index: Index,
    items: Vec<String>,
    by_item: std::collections::HashMap<String, u32>,
}

/// Where an item went.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// The cluster's id (its first item).
    pub cluster: String,
    /// The member it was found close to and their similarity; `None`: a new cluster.
    pub nearest: Option<(String, f32)>,
}

impl Clusters {
    pub fn new(threshold: f32) -> Clusters {
        Clusters { index: Index::new(threshold), items: Vec::new(), by_item: Default::default() }
    }

    /// Places `item`. An item already placed keeps its cluster.
    pub fn place(&mut self, item: &str, fp: &Fingerprint) -> Result<Placed, ClusterError> {
        if let Some(cluster) = self.cluster_of(item) {
            return Ok(Placed { cluster: cluster.to_string(), nearest: None });
        }
        let p = self.index.add(fp)?;
        self.items.push(item.to_string());
        self.by_item.insert(item.to_string(), p.member);
        Ok(Placed { cluster: self.items[p.cluster as usize].clone(), nearest: p.nearest.map(|(m, s)| (self.items[m as usize].clone(), s)) })
    }

    /// Adds a stored member of cluster `cluster` (an item added before, or `item` itself).
    pub fn restore(&mut self, item: &str, fp: &Fingerprint, cluster: &str) -> Result<(), ClusterError> {
        let known = if cluster == item { None } else { Some(self.by_item.get(cluster).copied().unwrap_or(u32::MAX)) };
        let member = self.index.insert(fp, known)?;
        self.items.push(item.to_string());
        self.by_item.insert(item.to_string(), member);
        Ok(())
    }

    /// The cluster id of a placed item.
    pub fn cluster_of(&self, item: &str) -> Option<&str> {
        let m = *self.by_item.get(item)?;
        Some(self.items[self.index.cluster_of(m)? as usize].as_str())
    }
}

/// One entry or rule that fired on an item, with its weight in the item's score.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// `lexicon::Entry::key` or `rule:NAME` (as in the store's `finding_hit`).
    pub key: String,
    pub weight: f32,
}

/// A reviewer's decision on a member of the cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided {
    pub item: String,
    pub verdict: Verdict,
    /// The decided member's content hash ([`Fingerprint::exact`]).
    pub exact: u64,
    /// The decided member's hits.
    pub hits: Vec<Hit>,
}

/// A new copy: its content hash and hits.
#[derive(Debug, Clone, PartialEq)]
pub struct Copy {
    pub exact: u64,
    pub hits: Vec<Hit>,
}

/// Why a copy is queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// No member is decided yet (the copy is listed with its cluster's row).
    Undecided,
    /// `carry = "off"`.
    CarryOff,
    /// `carry = "identical"` and no decided member has the same content.
    NotIdentical,
    /// The standing decision is an escalation: new copies are always listed.
    Escalated,
    /// Entries or rules the decision did not see.
    NewHits(Vec<String>),
    /// Entries or rules weighing more than when the decision was made.
    StrongerHits(Vec<String>),
}

/// What happens to a new copy.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Queued(Why),
    /// Takes `verdict` from item `from` and is not queued.
    Carried { from: String, verdict: Verdict },
}

/// Whether `copy` takes its cluster's decision. `decisions` are the reviewers' decisions on the
/// cluster's members, oldest first; the latest one stands. The copy comes back if it has hits
/// the members decided that way did not have, or the same hits with more weight.
pub fn carry(mode: Carry, decisions: &[Decided], copy: &Copy) -> Outcome {
    if mode == Carry::Off {
        return Outcome::Queued(Why::CarryOff);
    }
    let relevant: Vec<&Decided> = decisions.iter().filter(|d| mode == Carry::Near || d.exact == copy.exact).collect();
    let Some(latest) = relevant.last() else {
        return Outcome::Queued(if decisions.is_empty() { Why::Undecided } else { Why::NotIdentical });
    };
    if latest.verdict == Verdict::Escalated {
        return Outcome::Queued(Why::Escalated);
    }
    let seen = |key: &str| relevant.iter().filter(|d| d.verdict == latest.verdict).flat_map(|d| &d.hits).filter(|h| h.key == key).map(|h| h.weight).reduce(f32::max);
    let (mut new, mut stronger) = (Vec::new(), Vec::new());
    for hit in &copy.hits {
        match seen(&hit.key) {
            None => new.push(hit.key.clone()),
            Some(w) if hit.weight > w + 1e-4 * w.abs().max(1.0) => stronger.push(hit.key.clone()),
            Some(_) => {}
        }
    }
    for list in [&mut new, &mut stronger] {
        list.sort();
        list.dedup();
    }
    if !new.is_empty() {
        Outcome::Queued(Why::NewHits(new))
    } else if !stronger.is_empty() {
        Outcome::Queued(Why::StrongerHits(stronger))
    } else {
        Outcome::Carried { from: latest.item.clone(), verdict: latest.verdict }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::fingerprint;

    fn hits(list: &[(&str, f32)]) -> Vec<Hit> {
        list.iter().map(|&(key, weight)| Hit { key: key.into(), weight }).collect()
    }

    fn decided(item: &str, verdict: Verdict, exact: u64, h: &[(&str, f32)]) -> Decided {
        Decided { item: item.into(), verdict, exact, hits: hits(h) }
    }

    #[test]
    fn decisions_carry_unless_the_copy_has_new_or_stronger_hits() {
        use Verdict::*;
        let dismissed = [decided("a", Dismissed, 1, &[("kill", 2.0), ("rule:threat", 1.0)])];
        let confirmed_then_dismissed = [decided("a", Confirmed, 1, &[("kill", 2.0), ("bomb", 3.0)]), decided("b", Dismissed, 2, &[("kill", 2.0)])];
        let escalated = [decided("a", Dismissed, 1, &[("kill", 2.0)]), decided("b", Escalated, 1, &[("kill", 2.0)])];
        let carried = |from: &str, verdict| Outcome::Carried { from: from.into(), verdict };
        let queued = Outcome::Queued;
        // (mode, decisions, copy's exact hash, copy's hits, outcome)
        type Case<'a> = (Carry, &'a [Decided], u64, Vec<Hit>, Outcome);
        let cases: Vec<Case<'_>> = vec![
            (Carry::Near, &[], 1, hits(&[("kill", 2.0)]), queued(Why::Undecided)),
            (Carry::Near, &dismissed, 9, hits(&[("kill", 2.0)]), carried("a", Dismissed)),
            (Carry::Near, &dismissed, 9, hits(&[]), carried("a", Dismissed)),
            (Carry::Near, &dismissed, 9, hits(&[("kill", 2.0), ("rule:threat", 1.0)]), carried("a", Dismissed)),
            (Carry::Near, &dismissed, 9, hits(&[("kill", 2.0), ("behead", 3.0)]), queued(Why::NewHits(vec!["behead".into()]))),
            (Carry::Near, &dismissed, 9, hits(&[("kill", 4.0)]), queued(Why::StrongerHits(vec!["kill".into()]))),
            (Carry::Near, &dismissed, 9, hits(&[("kill", 2.00001)]), carried("a", Dismissed)),
            (Carry::Identical, &dismissed, 1, hits(&[("kill", 2.0)]), carried("a", Dismissed)),
            (Carry::Identical, &dismissed, 9, hits(&[("kill", 2.0)]), queued(Why::NotIdentical)),
            (Carry::Off, &dismissed, 1, hits(&[("kill", 2.0)]), queued(Why::CarryOff)),
            // the latest decision stands, measured against the members decided that way
            (Carry::Near, &confirmed_then_dismissed, 9, hits(&[("kill", 2.0)]), carried("b", Dismissed)),
            (Carry::Near, &confirmed_then_dismissed, 9, hits(&[("kill", 2.0), ("bomb", 3.0)]), queued(Why::NewHits(vec!["bomb".into()]))),
            // identical: only the decision on the identical member counts
            (Carry::Identical, &confirmed_then_dismissed, 1, hits(&[("kill", 2.0), ("bomb", 3.0)]), carried("a", Confirmed)),
            (Carry::Near, &escalated, 1, hits(&[("kill", 1.0)]), queued(Why::Escalated)),
        ];
        for (i, (mode, decisions, exact, h, want)) in cases.into_iter().enumerate() {
            assert_eq!(carry(mode, decisions, &Copy { exact, hits: h }), want, "case {i}");
        }
    }

    #[test]
    fn config_reads_and_checks_its_values() {
        let cases: &[(&str, Result<ClustersConfig, &str>)] = &[
            ("", Ok(ClustersConfig::default())),
            ("carry = \"identical\"\nthreshold = 0.7\n", Ok(ClustersConfig { carry: Carry::Identical, threshold: 0.7 })),
            ("carry = \"off\"\n", Ok(ClustersConfig { carry: Carry::Off, threshold: DEFAULT_THRESHOLD })),
            ("carry = \"sometimes\"\n", Err("unknown variant")),
            ("threshold = 0\n", Err("clusters.threshold must be above 0")),
            ("threshold = 1.5\n", Err("clusters.threshold must be above 0")),
            ("treshold = 0.5\n", Err("unknown field")),
        ];
        for (text, want) in cases {
            let got = crate::settings::parse::<ClustersConfig>(text).map_err(|e| e.0[0].1.clone()).and_then(|c| c.validate().map(|()| c));
            match (got, want) {
                (Ok(got), Ok(want)) => assert_eq!(&got, want, "{text:?}"),
                (Err(got), Err(want)) => assert!(got.contains(want), "{text:?}: {got}"),
                (got, want) => panic!("{text:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn copies_join_the_first_members_cluster_and_unrelated_texts_start_their_own() {
        let mut c = Clusters::new(DEFAULT_THRESHOLD);
        let texts = [
            ("i1", "We gather at the gate at dawn. Nobody stays home this time. Tell the others."),
            ("i2", "A quiet week at the library: new books on gardening and two on old ships."),
            ("i3", "Tell the others 🔥. We gather at the gate at dawn! https://t.me/x\nNobody stays home this time."),
            ("i4", "WE GATHER AT THE GATE AT DAWN. Nobody stays home this time.\nПодписывайтесь на канал"),
            ("i5", ""),
            ("i6", ""),
        ];
        let got: Vec<String> = texts.iter().map(|(id, t)| c.place(id, &fingerprint(t)).unwrap().cluster).collect();
        assert_eq!(got, ["i1", "i2", "i1", "i1", "i5", "i6"]);
        // placing again keeps the cluster
        assert_eq!(c.place("i3", &fingerprint("other")).unwrap().cluster, "i1");
        assert_eq!(c.cluster_of("i4"), Some("i1"));
        assert_eq!(c.cluster_of("nope"), None);
    }

    #[test]
    fn restored_clusters_keep_their_ids_and_take_new_copies() {
        let a = fingerprint("We gather at the gate at dawn. Nobody stays home this time. Tell the others.");
        let b = fingerprint("A quiet week at the library: new books on gardening and two on old ships.");
        let mut c = Clusters::new(DEFAULT_THRESHOLD);
        c.restore("x1", &a, "x1").unwrap();
        c.restore("x2", &b, "x2").unwrap();
        c.restore("x3", &a, "x1").unwrap();
        assert_eq!(c.cluster_of("x3"), Some("x1"));
        assert_eq!(c.restore("x4", &a, "later"), Err(ClusterError::UnknownCluster { member: 3, cluster: u32::MAX }));
        let placed = c.place("x5", &fingerprint("Nobody stays home this time. We gather at the gate at dawn.")).unwrap();
        assert_eq!(placed.cluster, "x1");
        assert_eq!(placed.nearest.map(|(m, _)| m), Some("x1".to_string()));
    }

    #[test]
    fn tables_grow_and_find_every_member() {
        // Synthetic signatures: each member distinct; every one must find itself.
        let mut index = Index::new(0.99);
        let mut fps = Vec::new();
        for i in 0..5_000u64 {
            let mut minhash = [0u8; HASHES];
            for (j, v) in minhash.iter_mut().enumerate() {
                *v = fingerprint::mix(i * 1000 + j as u64) as u8;
            }
            let fp = Fingerprint { minhash, exact: i, shingles: 10 };
            assert_eq!(index.add(&fp).unwrap().nearest, None, "member {i}");
            fps.push(fp);
        }
        for (i, fp) in fps.iter().enumerate() {
            assert_eq!(index.nearest(fp), Some((i as u32, 1.0)));
        }
    }
}
