//! Which findings the nightly job's queues hold, read from the state store.
//!
//! The live queues (`OUT/queues/<queue>.csv`) hold every finding still waiting for a decision:
//! the live finding of its page (status `new` or `queued`) with no reviewer decision yet. A
//! decided finding leaves them at the next run; one a later analysis of its page replaced
//! (`retired`) or that a decision already covers (`covered`) is not in them. The run's own
//! folder (`OUT/runs/<run>/`) keeps only tonight's new ones. Writing the files is
//! [`crate::queue`]'s job, marking the findings exported the caller's.

use std::cmp::Reverse;

use rusqlite::Connection;

use crate::queue::LiveRow;
use crate::store;

/// Every finding waiting for a decision, newest first: tonight's new ones (never exported
/// before), then the others by the night they first appeared, latest first; within a night by
/// priority, then score (highest first), then item id.
pub fn live_rows(conn: &Connection) -> rusqlite::Result<Vec<LiveRow>> {
    let mut stmt = conn.prepare(
        "SELECT *, url_key FROM finding WHERE status IN ('new', 'queued') \
         AND NOT EXISTS (SELECT 1 FROM decision d WHERE d.item_id = finding.item_id)",
    )?;
    let found = stmt.query_map([], |r| {
        let first_seen: i64 = r.get("first_seen")?;
        let new_tonight = r.get::<_, String>("status")? == "new";
        Ok((store::queue_row(r)?, r.get::<_, String>("url_key")?, first_seen, new_tonight))
    })?;
    let mut rows = Vec::new();
    for f in found {
        let (mut row, url_key, first_seen, new_tonight) = f?;
        row.history = store::history(conn, &url_key, &row.item_id)?;
        row.evidence = store::evidence(conn, &row.item_id)?;
        rows.push(LiveRow { row, first_seen: store::minute(first_seen), new_tonight });
    }
    sort(&mut rows);
    Ok(rows)
}

/// Orders live rows newest first (see [`live_rows`]); `run_id` is the night a finding first
/// appeared, and run ids sort by time.
pub(crate) fn sort(rows: &mut [LiveRow]) {
    rows.sort_by(|a, b| {
        let key = |l: &LiveRow| (Reverse(l.new_tonight), Reverse(l.row.run_id.clone()));
        key(a).cmp(&key(b)).then_with(|| crate::queue::review_order(&a.row, &b.row))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::QueueRow;

    fn live(id: &str, run: &str, priority: u8, score: u32, new_tonight: bool) -> LiveRow {
        let row = QueueRow {
            item_id: id.into(),
            priority,
            score,
            category: "violence".into(),
            lang: "en".into(),
            reference: String::new(),
            title: String::new(),
            matched_terms: String::new(),
            snippet: String::new(),
            why: String::new(),
            url: String::new(),
            reasons: String::new(),
            lexicon_version: String::new(),
            run_id: run.into(),
            history: String::new(),
            author: String::new(),
            posted: String::new(),
            reply_to: String::new(),
            fired: Vec::new(),
            snippets: Vec::new(),
            evidence: None,
            cluster: None,
        };
        LiveRow { row, first_seen: String::new(), new_tonight }
    }

    #[test]
    fn newest_first_then_priority_and_score() {
        let mut rows = vec![
            live("k1", "20261101T030000Z", 1, 30, false),
            live("k2", "20261103T030000Z", 3, 6, false),
            live("k3", "20261103T030000Z", 1, 20, false),
            live("k4", "20261104T030000Z", 2, 12, true),
            live("k5", "20261102T030000Z", 1, 25, true),
            live("k6", "20261103T030000Z", 1, 22, false),
        ];
        sort(&mut rows);
        let ids: Vec<&str> = rows.iter().map(|l| l.row.item_id.as_str()).collect();
        assert_eq!(ids, ["k4", "k5", "k6", "k3", "k2", "k1"]);
    }
}
