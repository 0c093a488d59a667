//! Queues by cluster: the nightly job's live queue rows grouped by near-duplicate cluster, the
//! cluster members listed for `members.csv` and the workbook, and the reviewers' decisions
//! carried to new copies.
//!
//! * [`carry_decisions`]: every finding waiting for a decision whose cluster has a reviewer's
//!   decision on another member goes through [`crate::clusters::carry`]: a copy that takes the
//!   decision gets it recorded ([`crate::cluster_store::record_carry`]: a `decision` row
//!   "carried from item X"), so it leaves the queues like any decided finding; a copy with new
//!   or stronger hits, or of an escalated cluster, stays. A hit's weight is its finding's score
//!   (the store keeps which entries and rules fired, not their points), so "stronger" means
//!   the same entries and rules scoring higher on the copy than on the decided member.
//! * [`group`]: one row per cluster, its strongest waiting member's (priority, then score),
//!   with the cluster's id, member count, distinct hosts and first sighting; the reviewers'
//!   decisions on the cluster's other members are added to its `history`. Rows of findings
//!   outside any cluster (stored before clusters existed) pass through alone.
//! * [`MemberRow`]: each member of a queued cluster, with its URL and evidence reference.
//!
//! Reading the live rows is [`crate::export`]'s job, writing the files the caller's.

use std::collections::{BTreeSet, HashMap};

use rusqlite::{Connection, OptionalExtension};

use crate::cluster_store;
use crate::clusters::{Carry, Copy, Decided, Hit, Outcome, Why, carry};
use crate::fingerprint::Fingerprint;
use crate::queue::{ClusterCells, LiveRow};
use crate::store;

/// A decision carried to a copy tonight.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Carried {
    pub item: String,
    pub cluster: String,
    pub from: String,
    pub verdict: &'static str,
}

/// What [`carry_decisions`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CarryResult {
    pub carried: Vec<Carried>,
    /// Copies of decided clusters left in the queues, and why.
    pub requeued: Vec<(String, Why)>,
}

/// Carries the reviewers' cluster decisions to the waiting copies (see the module's notes),
/// recording each at time `at`.
pub fn carry_decisions(conn: &Connection, mode: Carry, at: i64) -> rusqlite::Result<CarryResult> {
    let mut out = CarryResult::default();
    if mode == Carry::Off {
        return Ok(out);
    }
    let waiting: Vec<(String, String, Vec<u8>, i64)> = conn
        .prepare(
            "SELECT f.item_id, m.cluster_id, m.fingerprint, f.score FROM finding f JOIN cluster_member m ON m.item_id = f.item_id \
             WHERE f.status IN ('new', 'queued') AND NOT EXISTS (SELECT 1 FROM decision d WHERE d.item_id = f.item_id) \
             AND EXISTS (SELECT 1 FROM decision d JOIN cluster_member o ON o.item_id = d.item_id \
                         WHERE o.cluster_id = m.cluster_id AND d.source NOT LIKE 'cluster:%') \
             ORDER BY m.seq",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut decided: HashMap<String, Vec<Decided>> = HashMap::new();
    for (item, cluster, bytes, score) in waiting {
        if !decided.contains_key(&cluster) {
            let mut list = cluster_store::decided(conn, &cluster, |_| 0.0)?;
            for d in &mut list {
                let w = score_of(conn, &d.item)?;
                d.hits.iter_mut().for_each(|h| h.weight = w);
            }
            decided.insert(cluster.clone(), list);
        }
        let exact = Fingerprint::from_bytes(&bytes).map_or(0, |f| f.exact);
        let copy = Copy { exact, hits: hits(conn, &item, score as f32)? };
        match carry(mode, &decided[&cluster], &copy) {
            Outcome::Carried { from, verdict } => {
                cluster_store::record_carry(conn, &item, &cluster, &from, verdict, at)?;
                out.carried.push(Carried { item, cluster, from, verdict: verdict.as_str() });
            }
            Outcome::Queued(why) => out.requeued.push((item, why)),
        }
    }
    Ok(out)
}

fn score_of(conn: &Connection, item: &str) -> rusqlite::Result<f32> {
    Ok(conn.prepare_cached("SELECT score FROM finding WHERE item_id = ?1")?.query_row([item], |r| r.get::<_, i64>(0)).optional()?.unwrap_or(0) as f32)
}

fn hits(conn: &Connection, item: &str, weight: f32) -> rusqlite::Result<Vec<Hit>> {
    conn.prepare_cached("SELECT key FROM finding_hit WHERE item_id = ?1 ORDER BY key")?
        .query_map([item], |r| Ok(Hit { key: r.get(0)?, weight }))?
        .collect()
}

/// The columns of `members.csv` and the workbook's members sheet.
pub const MEMBER_COLUMNS: [&str; 14] = [
    "cluster_id", "item_id", "queue_row", "latest_decision", "url", "host", "first_seen", "last_seen", "similarity", "carried_from",
    "evidence_file", "evidence_offset", "evidence_record_id", "evidence_sha256",
];

/// A member of a queued cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    pub cluster: String,
    pub item_id: String,
    /// The member is its cluster's queue row.
    pub queue_row: bool,
    /// Its latest decision (a carried one too), if any.
    pub decision: Option<String>,
    pub url: String,
    pub first_seen: i64,
    pub last_seen: i64,
    pub similarity: Option<f64>,
    pub carried_from: Option<String>,
    pub evidence: Option<crate::evidence::EvidenceRef>,
}

impl MemberRow {
    /// The cells of [`MEMBER_COLUMNS`].
    pub fn cells(&self) -> Vec<String> {
        let [file, offset, id, sha] = crate::evidence::EvidenceRef::cells(self.evidence.as_ref());
        vec![
            self.cluster.clone(),
            self.item_id.clone(),
            if self.queue_row { "yes" } else { "no" }.to_string(),
            self.decision.clone().unwrap_or_default(),
            self.url.clone(),
            host(&self.url),
            store::minute(self.first_seen),
            store::minute(self.last_seen),
            self.similarity.map_or_else(String::new, |s| format!("{s:.2}")),
            self.carried_from.clone().unwrap_or_default(),
            file,
            offset,
            id,
            sha,
        ]
    }
}

/// The live rows grouped by cluster, and the members of the clusters they stand for.
#[derive(Debug, Clone, Default)]
pub struct Grouped {
    pub rows: Vec<LiveRow>,
    /// Per queued cluster (in row order), its members in the order they joined.
    pub members: Vec<MemberRow>,
    /// Waiting findings listed under another member's row instead of a row of their own.
    pub folded: u64,
}

/// Groups `live` (sorted as [`crate::export::live_rows`] sorts) by cluster; see the module's
/// notes. The result keeps that order.
pub fn group(conn: &Connection, live: Vec<LiveRow>) -> rusqlite::Result<Grouped> {
    let mut rows: Vec<LiveRow> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut folded = 0;
    for l in live {
        let cluster: Option<String> = conn.prepare_cached("SELECT cluster_id FROM cluster_member WHERE item_id = ?1")?.query_row([&l.row.item_id], |r| r.get(0)).optional()?;
        let Some(cluster) = cluster else {
            rows.push(l);
            continue;
        };
        match index.get(&cluster) {
            None => {
                index.insert(cluster.clone(), rows.len());
                let mut l = l;
                l.row.cluster = Some(ClusterCells { id: cluster, members: 0, hosts: 0, first_seen: String::new() });
                rows.push(l);
            }
            Some(&i) => {
                folded += 1;
                let head = &mut rows[i];
                let tonight = head.new_tonight || l.new_tonight;
                if crate::queue::review_order(&l.row, &head.row).is_lt() {
                    let cells = head.row.cluster.take();
                    *head = l;
                    head.row.cluster = cells;
                }
                head.new_tonight = tonight;
            }
        }
    }
    crate::export::sort(&mut rows);
    let mut members = Vec::new();
    for l in &mut rows {
        let Some(cells) = l.row.cluster.as_mut() else { continue };
        let Some(stored) = cluster_store::cluster(conn, &cells.id)? else { continue };
        cells.members = stored.members.len() as u64;
        cells.hosts = stored.members.iter().map(|m| host(&m.url)).collect::<BTreeSet<_>>().len() as u64;
        cells.first_seen = store::minute(stored.first_seen);
        let decided: Vec<String> = stored
            .decisions
            .iter()
            .filter(|d| !d.source.starts_with("cluster:") && d.item_id != l.row.item_id)
            .map(|d| {
                let by = if d.reviewer.is_empty() { String::new() } else { format!(" by {}", d.reviewer) };
                let notes = if d.notes.is_empty() { String::new() } else { format!(": {}", d.notes) };
                format!("copy {} {}{by}{notes}", d.item_id, d.verdict.as_str())
            })
            .collect();
        if !decided.is_empty() {
            let earlier = std::mem::take(&mut l.row.history);
            l.row.history = [earlier, format!("cluster {}: {}", cells.id, decided.join("; "))].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join("; ");
        }
        for m in stored.members {
            let decision = store::latest_decision(conn, &m.item_id)?;
            let evidence = store::evidence(conn, &m.item_id)?;
            members.push(MemberRow {
                cluster: cells.id.clone(),
                queue_row: m.item_id == l.row.item_id,
                item_id: m.item_id,
                decision,
                url: m.url,
                first_seen: m.first_seen,
                last_seen: m.last_seen,
                similarity: m.similarity,
                carried_from: m.carried_from,
                evidence,
            });
        }
    }
    Ok(Grouped { rows, members, folded })
}

/// The host of a URL (scheme, host and port), or the text itself when it is not one.
fn host(url: &str) -> String {
    url::Url::parse(url).ok().filter(|u| u.host_str().is_some()).map_or_else(|| url.to_string(), |u| crate::frontier::origin(&u))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clusters::{Clusters, DEFAULT_THRESHOLD};
    use crate::fingerprint::fingerprint;
    use crate::review::Verdict;
    use rusqlite::params;
    use crate::store::Store;

    /// Records `verdict` on `item` as a review import would.
    fn decide(conn: &Connection, item: &str, verdict: Verdict) -> rusqlite::Result<()> {
        conn.execute(
            "INSERT INTO decision (item_id, decision, reviewer, notes, source, line, imported_at) VALUES (?1, ?2, 'aida', 'old news', 'q.csv', 2, 0)",
            params![item, verdict.as_str()],
        )?;
        Ok(())
    }

    const MESSAGE: &str = "We gather at the north gate at dawn with everything we have. Nobody stays home this time. Tell the others to come.";

    /// Stores a finding `item` at `url` with `keys` and `score`, placed in `clusters` from `text`.
    fn finding(conn: &Connection, clusters: &mut Clusters, item: &str, url: &str, text: &str, keys: &[&str], score: i64) {
        conn.execute(
            "INSERT INTO finding (item_id, url_key, status, category, priority, score, lang, ref, url, title, matched_terms, snippet, reasons, lexicon_version, first_run, last_run, first_seen, last_seen) \
             VALUES (?1, ?2, 'new', 'violence', 2, ?3, 'en', ?2, ?2, 't', 'm', 's', 'r', 'lex', 'r1', 'r1', 100, 100)",
            params![item, url, score],
        )
        .unwrap();
        for k in keys {
            conn.execute("INSERT INTO finding_hit (item_id, key) VALUES (?1, ?2)", [item, k]).unwrap();
        }
        let fp = fingerprint(text);
        let placed = clusters.place(item, &fp).unwrap();
        cluster_store::save_member(conn, item, url, &fp, &placed, 100).unwrap();
    }

    fn live(conn: &Connection) -> Vec<LiveRow> {
        crate::export::live_rows(conn).unwrap()
    }

    #[test]
    fn copies_make_one_row_and_their_members_are_listed_with_evidence() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("k.sqlite"), None).unwrap();
        let conn = &store.conn;
        let mut clusters = Clusters::new(DEFAULT_THRESHOLD);
        // (item, url, text, score): three copies on two hosts, one unrelated finding
        let items = [
            ("k1", "https://a.example/1", MESSAGE.to_string(), 6),
            ("k2", "https://b.example/2", format!("{MESSAGE} 🔥 https://t.me/b"), 9),
            ("k3", "https://a.example/3", format!("Tell the others to come.\n{MESSAGE}\nSubscribe to the channel"), 6),
            ("k4", "https://c.example/4", "The library will burn the old records in the yard at noon, said the clerk.".to_string(), 3),
        ];
        for (item, url, text, score) in &items {
            finding(conn, &mut clusters, item, url, text, &["en:gather:call"], *score);
        }
        crate::store::keep_evidence(conn, "k2", "r1", &crate::evidence::EvidenceRef { file: "evidence/r1/a.warc.gz".into(), offset: 42, record_id: "<urn:uuid:x>".into(), sha256: "ab".repeat(32) }).unwrap();
        let g = group(conn, live(conn)).unwrap();
        type Seen<'a> = (&'a str, Option<(&'a str, u64, u64)>);
        let rows: Vec<Seen<'_>> = g.rows.iter().map(|l| (l.row.item_id.as_str(), l.row.cluster.as_ref().map(|c| (c.id.as_str(), c.members, c.hosts)))).collect();
        // the strongest copy (score 9) stands for its cluster, which is named by its first member
        assert_eq!(rows, [("k2", Some(("k1", 3, 2))), ("k4", Some(("k4", 1, 1)))]);
        assert_eq!(g.folded, 2);
        let cells: Vec<Vec<String>> = g.members.iter().map(MemberRow::cells).collect();
        let col = |name: &str| MEMBER_COLUMNS.iter().position(|c| *c == name).unwrap();
        let pick = |row: &Vec<String>| (row[col("cluster_id")].clone(), row[col("item_id")].clone(), row[col("queue_row")].clone(), row[col("host")].clone(), row[col("evidence_offset")].clone());
        let got: Vec<_> = cells.iter().map(pick).collect();
        let want = [
            ("k1", "k1", "no", "https://a.example", ""),
            ("k1", "k2", "yes", "https://b.example", "42"),
            ("k1", "k3", "no", "https://a.example", ""),
            ("k4", "k4", "yes", "https://c.example", ""),
        ]
        .map(|(a, b, c, d, e)| (a.to_string(), b.to_string(), c.to_string(), d.to_string(), e.to_string()));
        assert_eq!(got, want);
        assert!(cells.iter().all(|c| c.len() == MEMBER_COLUMNS.len()));
        // no `decision` column: a review import leaves members.csv and the members sheet alone
        assert!(!MEMBER_COLUMNS.contains(&"decision"));
        assert_eq!(cells[1][col("url")], "https://b.example/2");
        assert_eq!(cells[1][col("evidence_file")], "evidence/r1/a.warc.gz");
        assert_eq!(cells[0][col("similarity")], "");
        assert!(cells[1][col("similarity")].parse::<f64>().is_ok_and(|s| s >= f64::from(DEFAULT_THRESHOLD)), "{:?}", cells[1]);
    }

    #[test]
    fn decisions_carry_to_waiting_copies_unless_they_have_new_or_stronger_hits() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("k.sqlite"), None).unwrap();
        let conn = &store.conn;
        let mut clusters = Clusters::new(DEFAULT_THRESHOLD);
        let copy = |n: usize| format!("{MESSAGE} https://t.me/c{n}");
        finding(conn, &mut clusters, "k1", "https://a.example/1", MESSAGE, &["en:gather:call"], 6);
        finding(conn, &mut clusters, "k2", "https://b.example/1", &copy(2), &["en:gather:call"], 6);
        finding(conn, &mut clusters, "k3", "https://c.example/1", &format!("{} Kill them all.", copy(3)), &["en:gather:call", "en:kill:violence"], 9);
        finding(conn, &mut clusters, "k4", "https://d.example/1", &copy(4), &["en:gather:call"], 12);
        // undecided: nothing carries
        assert_eq!(carry_decisions(conn, Carry::Near, 200).unwrap(), CarryResult::default());
        decide(conn, "k1", Verdict::Dismissed).unwrap();
        assert_eq!(carry_decisions(conn, Carry::Off, 200).unwrap(), CarryResult::default());
        let r = carry_decisions(conn, Carry::Near, 200).unwrap();
        assert_eq!(r.carried, [Carried { item: "k2".into(), cluster: "k1".into(), from: "k1".into(), verdict: "dismissed" }]);
        assert_eq!(r.requeued, [("k3".to_string(), Why::NewHits(vec!["en:kill:violence".into()])), ("k4".to_string(), Why::StrongerHits(vec!["en:gather:call".into()]))]);
        // the carried copy left the queues; the store shows where its decision came from
        let c = cluster_store::cluster(conn, "k1").unwrap().unwrap();
        assert_eq!(c.members.iter().find(|m| m.item_id == "k2").unwrap().carried_from.as_deref(), Some("k1"));
        assert_eq!(c.decisions.last().map(|d| (d.item_id.as_str(), d.notes.as_str())), Some(("k2", "carried from item k1")));
        let g = group(conn, live(conn)).unwrap();
        assert_eq!(g.rows.iter().map(|l| l.row.item_id.as_str()).collect::<Vec<_>>(), ["k4"]);
        assert!(g.rows[0].row.history.contains("cluster k1: copy k1 dismissed by aida: old news"), "{}", g.rows[0].row.history);
        // run again: nothing more to carry
        assert!(carry_decisions(conn, Carry::Near, 300).unwrap().carried.is_empty());
        // an escalation lists every copy
        decide(conn, "k4", Verdict::Escalated).unwrap();
        finding(conn, &mut clusters, "k5", "https://e.example/1", &copy(5), &["en:gather:call"], 6);
        let r = carry_decisions(conn, Carry::Near, 400).unwrap();
        assert_eq!(r.requeued, [("k3".to_string(), Why::Escalated), ("k5".to_string(), Why::Escalated)]);
    }
}
