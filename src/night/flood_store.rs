//! The flood guard on a night's findings: [`crate::flood::floods`] over the findings a run
//! found first, with each key's usual share measured on the findings of earlier nights.
//! The result is what the run summary and the morning report show ([`FloodNote`]).

use std::collections::HashMap;

use rusqlite::{Connection, params};
use serde::Serialize;

use crate::flood::{FloodConfig, Item, floods};

/// Items named per flood in the run summary; the rest are counted.
pub const ITEMS_NAMED: usize = 100;

/// One flooding entry or rule of a night, as the run summary records it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FloodNote {
    pub key: String,
    /// Tonight's findings it fired on, and their share of tonight's findings.
    pub fired: usize,
    pub share: f64,
    /// Its share of earlier nights' findings, when there were any.
    pub usual: Option<f64>,
    /// The findings grouped under it (each finding under one flood at most).
    pub grouped: usize,
    /// The first [`ITEMS_NAMED`] of them.
    pub items: Vec<String>,
}

/// The floods among the findings run `run` found first.
pub fn tonight(conn: &Connection, run: &str, config: &FloodConfig) -> rusqlite::Result<Vec<FloodNote>> {
    let ids: Vec<String> = conn
        .prepare("SELECT item_id FROM finding WHERE first_run = ?1 ORDER BY first_seen, item_id")?
        .query_map([run], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut keys: HashMap<String, Vec<String>> = HashMap::new();
    let mut stmt = conn.prepare("SELECT h.item_id, h.key FROM finding_hit h JOIN finding f ON f.item_id = h.item_id WHERE f.first_run = ?1 ORDER BY h.key")?;
    for row in stmt.query_map([run], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (item, key) = row?;
        keys.entry(item).or_default().push(key);
    }
    let past: i64 = conn.query_row("SELECT count(*) FROM finding WHERE first_run != ?1", [run], |r| r.get(0))?;
    let mut usual: HashMap<String, f64> = HashMap::new();
    if past > 0 {
        let mut stmt = conn.prepare("SELECT h.key, count(*) FROM finding_hit h JOIN finding f ON f.item_id = h.item_id WHERE f.first_run != ?1 GROUP BY h.key")?;
        for row in stmt.query_map(params![run], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (key, n) = row?;
            usual.insert(key, n as f64 / past as f64);
        }
        // A key never seen on earlier nights usually fires on none of them.
        for k in keys.values().flatten() {
            usual.entry(k.clone()).or_insert(0.0);
        }
    }
    let none = Vec::new();
    let items: Vec<Item<'_>> = ids.iter().map(|id| Item { id, keys: keys.get(id).unwrap_or(&none) }).collect();
    Ok(floods(&items, &usual, config)
        .into_iter()
        .map(|f| FloodNote { key: f.key, fired: f.fired, share: f.share, usual: f.usual, grouped: f.items.len(), items: f.items.into_iter().take(ITEMS_NAMED).collect() })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn finding(conn: &Connection, item: &str, run: &str, keys: &[&str]) {
        conn.execute(
            "INSERT INTO finding (item_id, url_key, status, category, priority, score, lang, ref, url, title, matched_terms, snippet, reasons, lexicon_version, first_run, last_run, first_seen, last_seen) \
             VALUES (?1, ?1, 'new', 'violence', 2, 5, 'en', ?1, ?1, 't', 'm', 's', 'r', 'lex', ?2, ?2, 100, 100)",
            params![item, run],
        )
        .unwrap();
        for k in keys {
            conn.execute("INSERT INTO finding_hit (item_id, key) VALUES (?1, ?2)", [item, k]).unwrap();
        }
    }

    #[test]
    fn a_key_on_an_unusual_share_of_tonights_findings_floods_and_groups_them() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("k.sqlite"), None).unwrap();
        let conn = &store.conn;
        let config = FloodConfig { min_items: 5, min_share: 0.2, factor: 3.0 };
        // Night 1: 20 findings, `storm` on 1 of them, `kill` on all.
        for i in 0..20 {
            finding(conn, &format!("a{i:02}"), "r1", if i == 0 { &["kill", "storm"] } else { &["kill"] });
        }
        // with no earlier night, a share is unusual by itself
        let first: Vec<(String, usize)> = tonight(conn, "r1", &config).unwrap().into_iter().map(|f| (f.key, f.fired)).collect();
        assert_eq!(first, [("kill".to_string(), 20)]);
        // Night 2: a news story: `storm` on 8 of 12 findings; `kill` as usual.
        for i in 0..12 {
            finding(conn, &format!("b{i:02}"), "r2", if i < 8 { &["kill", "storm"] } else { &["kill"] });
        }
        let got = tonight(conn, "r2", &config).unwrap();
        assert_eq!(got.len(), 1, "{got:?}");
        let f = &got[0];
        assert_eq!((f.key.as_str(), f.fired, f.grouped), ("storm", 8, 8));
        assert!((f.share - 8.0 / 12.0).abs() < 1e-9 && f.usual == Some(1.0 / 20.0), "{f:?}");
        assert_eq!(f.items, (0..8).map(|i| format!("b{i:02}")).collect::<Vec<_>>());
        assert!(tonight(conn, "r3", &config).unwrap().is_empty());
    }
}
