//! Clusters in the state store: the `cluster` and `cluster_member` tables (see
//! [`crate::store`]'s migrations) and the decisions of their members.
//!
//! Functions take a connection (or a transaction, which derefs to one), so the nightly run's
//! writer thread can call them inside its own batches. The index is rebuilt from the stored
//! members in insertion order ([`load`]); stored cluster ids are kept, never recomputed.
//! Decisions stay in the `decision` table: a reviewer's decision on any member is the
//! cluster's, and a carried decision is a `decision` row with source `cluster:<id>` and notes
//! `carried from item X`, so every queue and report that reads decisions sees it.

use rusqlite::{Connection, OptionalExtension, params};

use crate::clusters::{Clusters, Decided, Hit, Placed};
use crate::fingerprint::Fingerprint;
use crate::review::Verdict;

/// One member as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub item_id: String,
    pub url: String,
    /// Similarity to the member it joined by; `None` for the first member.
    pub similarity: Option<f64>,
    pub first_seen: i64,
    pub last_seen: i64,
    /// The item whose decision it took.
    pub carried_from: Option<String>,
}

/// A decision on a member.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberDecision {
    pub item_id: String,
    pub verdict: Verdict,
    pub reviewer: String,
    pub notes: String,
    /// `cluster:<id>` for a carried decision, else the file it was imported from.
    pub source: String,
}

/// A cluster as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    pub id: String,
    pub first_item: String,
    pub first_seen: i64,
    pub last_seen: i64,
    /// Members in the order they joined.
    pub members: Vec<Member>,
    /// Decisions on any member, oldest first (reviewers' and carried ones).
    pub decisions: Vec<MemberDecision>,
}

/// The stored clusters read back into an index.
#[derive(Debug)]
pub struct Loaded {
    pub clusters: Clusters,
    /// Members skipped: an unreadable fingerprint, or a cluster id that is not an earlier member.
    pub skipped: Vec<(String, String)>,
}

/// Records `item` (at `url`, seen at `at`) where [`Clusters::place`] put it. A member stored
/// already only has its last sighting updated; a first member creates its cluster.
pub fn save_member(conn: &Connection, item: &str, url: &str, fp: &Fingerprint, placed: &Placed, at: i64) -> rusqlite::Result<()> {
    let known: Option<String> = conn.prepare_cached("SELECT cluster_id FROM cluster_member WHERE item_id = ?1")?.query_row([item], |r| r.get(0)).optional()?;
    if let Some(cluster) = known {
        conn.prepare_cached("UPDATE cluster_member SET last_seen = max(last_seen, ?2) WHERE item_id = ?1")?.execute(params![item, at])?;
        conn.prepare_cached("UPDATE cluster SET last_seen = max(last_seen, ?2) WHERE id = ?1")?.execute(params![cluster, at])?;
        return Ok(());
    }
    let similarity = placed.nearest.as_ref().map(|(_, s)| f64::from(*s));
    conn.prepare_cached(
        "INSERT INTO cluster_member (item_id, cluster_id, url, fingerprint, similarity, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![item, placed.cluster, url, fp.to_bytes().as_slice(), similarity, at])?;
    conn.prepare_cached(
        "INSERT INTO cluster (id, first_item, first_seen, last_seen, members) VALUES (?1, ?2, ?3, ?3, 1) \
         ON CONFLICT (id) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen), first_seen = min(first_seen, excluded.first_seen), members = members + 1",
    )?
    .execute(params![placed.cluster, item, at])?;
    Ok(())
}

/// Rebuilds the index from the stored members (insertion order), joining at `threshold`.
pub fn load(conn: &Connection, threshold: f32) -> rusqlite::Result<Loaded> {
    let mut clusters = Clusters::new(threshold);
    let mut skipped = Vec::new();
    let mut stmt = conn.prepare("SELECT item_id, cluster_id, fingerprint FROM cluster_member ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (item, cluster, bytes): (String, String, Vec<u8>) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let restored = Fingerprint::from_bytes(&bytes).map_err(|e| e.to_string()).and_then(|fp| clusters.restore(&item, &fp, &cluster).map_err(|e| e.to_string()));
        if let Err(why) = restored {
            skipped.push((item, why));
        }
    }
    Ok(Loaded { clusters, skipped })
}

/// The stored cluster `id`, with its members and decisions.
pub fn cluster(conn: &Connection, id: &str) -> rusqlite::Result<Option<Cluster>> {
    let head = conn
        .prepare_cached("SELECT first_item, first_seen, last_seen FROM cluster WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))
        .optional()?;
    let Some((first_item, first_seen, last_seen)) = head else { return Ok(None) };
    let members = conn
        .prepare_cached("SELECT item_id, url, similarity, first_seen, last_seen, carried_from FROM cluster_member WHERE cluster_id = ?1 ORDER BY seq")?
        .query_map([id], |r| Ok(Member { item_id: r.get(0)?, url: r.get(1)?, similarity: r.get(2)?, first_seen: r.get(3)?, last_seen: r.get(4)?, carried_from: r.get(5)? }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let decisions = decisions(conn, id)?;
    Ok(Some(Cluster { id: id.to_string(), first_item, first_seen, last_seen, members, decisions }))
}

/// Decisions on the members of cluster `id`, oldest first; unknown decision words are skipped.
fn decisions(conn: &Connection, id: &str) -> rusqlite::Result<Vec<MemberDecision>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.item_id, d.decision, d.reviewer, d.notes, d.source FROM decision d JOIN cluster_member m ON m.item_id = d.item_id \
         WHERE m.cluster_id = ?1 ORDER BY d.id",
    )?;
    let rows = stmt.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (item_id, word, reviewer, notes, source) = row?;
        if let Some(verdict) = verdict(&word) {
            out.push(MemberDecision { item_id, verdict, reviewer, notes, source });
        }
    }
    Ok(out)
}

fn verdict(word: &str) -> Option<Verdict> {
    [Verdict::Confirmed, Verdict::Dismissed, Verdict::Escalated].into_iter().find(|v| v.as_str() == word)
}

/// The reviewers' decisions on cluster `id` as [`crate::clusters::carry`] takes them: carried
/// decisions left out, each with its member's content hash and hits (`finding_hit` keys,
/// weighed by `weight`).
pub fn decided(conn: &Connection, id: &str, weight: impl Fn(&str) -> f32) -> rusqlite::Result<Vec<Decided>> {
    let mut out = Vec::new();
    for d in decisions(conn, id)?.into_iter().filter(|d| !d.source.starts_with("cluster:")) {
        let bytes: Vec<u8> = conn.prepare_cached("SELECT fingerprint FROM cluster_member WHERE item_id = ?1")?.query_row([&d.item_id], |r| r.get(0))?;
        let exact = Fingerprint::from_bytes(&bytes).map_or(0, |f| f.exact);
        let hits = conn
            .prepare_cached("SELECT key FROM finding_hit WHERE item_id = ?1 ORDER BY key")?
            .query_map([&d.item_id], |r| r.get::<_, String>(0))?
            .map(|k| k.map(|key| Hit { weight: weight(&key), key }))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.push(Decided { item: d.item_id, verdict: d.verdict, exact, hits });
    }
    Ok(out)
}

/// Records that `item` took `verdict` from item `from` of cluster `cluster`.
pub fn record_carry(conn: &Connection, item: &str, cluster: &str, from: &str, verdict: Verdict, at: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE cluster_member SET carried_from = ?2 WHERE item_id = ?1")?.execute(params![item, from])?;
    conn.prepare_cached(
        "INSERT INTO decision (item_id, decision, reviewer, notes, source, line, imported_at) VALUES (?1, ?2, 'kuzet', ?3, ?4, 0, ?5)",
    )?
    .execute(params![item, verdict.as_str(), format!("carried from item {from}"), format!("cluster:{cluster}"), at])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clusters::{Carry, Copy, DEFAULT_THRESHOLD, Outcome, carry};
    use crate::fingerprint::fingerprint;
    use crate::store::Store;

    const MESSAGE: &str = "We gather at the gate at dawn. Nobody stays home this time. Tell the others.";

    #[test]
    fn clusters_survive_a_reopen_and_decisions_carry_from_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.sqlite");
        // Night 1: two copies of a message and an unrelated item.
        {
            let mut store = Store::open(&path, None).unwrap();
            let mut clusters = load(&store.conn, DEFAULT_THRESHOLD).unwrap().clusters;
            let items = [
                ("k1", "https://a.example/1", MESSAGE.to_string()),
                ("k2", "https://b.example/2", format!("Tell the others! {MESSAGE} 🔥 https://t.me/b")),
                ("k3", "https://c.example/3", "A quiet week at the library: new books on gardening and two on old ships.".to_string()),
            ];
            store
                .write(|tx| {
                    for (item, url, text) in &items {
                        let fp = fingerprint(text);
                        let placed = clusters.place(item, &fp).unwrap();
                        save_member(tx, item, url, &fp, &placed, 100)?;
                        tx.execute("INSERT INTO finding_hit (item_id, key) VALUES (?1, 'en:gather:call')", [item])?;
                    }
                    // seen again the same night: one member, later sighting
                    let fp = fingerprint(&items[1].2);
                    save_member(tx, "k2", items[1].1, &fp, &clusters.place("k2", &fp).unwrap(), 150)?;
                    tx.execute("INSERT INTO decision (item_id, decision, reviewer, notes, source, line, imported_at) VALUES ('k2', 'dismissed', 'aida', 'old news', 'q.csv', 2, 200)", [])
                })
                .unwrap();
        }
        // Night 2: reopened; a third copy joins k1's cluster and takes the dismissal.
        let mut store = Store::open(&path, None).unwrap();
        let loaded = load(&store.conn, DEFAULT_THRESHOLD).unwrap();
        assert!(loaded.skipped.is_empty());
        let mut clusters = loaded.clusters;
        let fp = fingerprint(&format!("{MESSAGE}\nПодписывайтесь на канал"));
        let placed = clusters.place("k4", &fp).unwrap();
        assert_eq!(placed.cluster, "k1");
        let decided = decided(&store.conn, "k1", |_| 1.0).unwrap();
        assert_eq!(decided.len(), 1);
        let outcome = carry(Carry::Near, &decided, &Copy { exact: fp.exact, hits: vec![Hit { key: "en:gather:call".into(), weight: 1.0 }] });
        let Outcome::Carried { from, verdict } = outcome else { panic!("{outcome:?}") };
        store
            .write(|tx| {
                save_member(tx, "k4", "https://d.example/4", &fp, &placed, 300)?;
                record_carry(tx, "k4", &placed.cluster, &from, verdict, 300)
            })
            .unwrap();
        let c = cluster(&store.conn, "k1").unwrap().unwrap();
        assert_eq!((c.first_item.as_str(), c.first_seen, c.last_seen), ("k1", 100, 300));
        let members: Vec<(&str, &str, Option<&str>)> = c.members.iter().map(|m| (m.item_id.as_str(), m.url.as_str(), m.carried_from.as_deref())).collect();
        assert_eq!(members, [("k1", "https://a.example/1", None), ("k2", "https://b.example/2", None), ("k4", "https://d.example/4", Some("k2"))]);
        assert_eq!((c.members[1].first_seen, c.members[1].last_seen), (100, 150));
        assert!(c.members[0].similarity.is_none() && c.members[1].similarity.is_some_and(|s| s >= 0.5));
        let decisions: Vec<(&str, Verdict, &str)> = c.decisions.iter().map(|d| (d.item_id.as_str(), d.verdict, d.notes.as_str())).collect();
        assert_eq!(decisions, [("k2", Verdict::Dismissed, "old news"), ("k4", Verdict::Dismissed, "carried from item k2")]);
        let members: i64 = store.conn.query_row("SELECT members FROM cluster WHERE id = 'k1'", [], |r| r.get(0)).unwrap();
        assert_eq!(members, 3);
        // carried decisions are not the reviewers'
        assert_eq!(crate::cluster_store::decided(&store.conn, "k1", |_| 1.0).unwrap().len(), 1);
        assert_eq!(cluster(&store.conn, "k3").unwrap().unwrap().members.len(), 1);
        assert_eq!(cluster(&store.conn, "nope").unwrap(), None);
    }

    #[test]
    fn unreadable_members_are_skipped_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("k.sqlite"), None).unwrap();
        let good = fingerprint(MESSAGE).to_bytes();
        for (item, cluster, bytes) in [("k1", "k1", good.to_vec()), ("k2", "k1", vec![1, 2, 3]), ("k3", "k9", good.to_vec()), ("k4", "k1", good.to_vec())] {
            store
                .conn
                .execute("INSERT INTO cluster_member (item_id, cluster_id, url, fingerprint, first_seen, last_seen) VALUES (?1, ?2, 'u', ?3, 0, 0)", params![item, cluster, bytes])
                .unwrap();
        }
        let loaded = load(&store.conn, DEFAULT_THRESHOLD).unwrap();
        let skipped: Vec<&str> = loaded.skipped.iter().map(|(i, _)| i.as_str()).collect();
        assert_eq!(skipped, ["k2", "k3"]);
        assert!(loaded.skipped[0].1.contains("3 bytes"), "{:?}", loaded.skipped);
        assert_eq!(loaded.clusters.cluster_of("k4"), Some("k1"));
    }
}
