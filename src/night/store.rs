//! The state store: what kuzet remembers between nights, in one SQLite file.
//!
//! * Per URL a state machine `pending → fetched → analysed → exported` (or `failed`,
//!   `skipped`, `redirected`), its validators (ETag, Last-Modified), the content hash of its
//!   normalized visible text, the lexicon version that analysed it, when it was last visited,
//!   how many visits in a row found it unchanged or failed, and when to visit it next.
//! * Per fetch a history row.
//! * Per finding (one flagged version of a page, see [`crate::queue::item_id`]) its queue
//!   row, the entries and rules that fired, first and last seen, and whether it was exported.
//! * Per reviewer decision a history row; decisions are appended, never overwritten.
//!
//! One connection writes (the nightly run's writer thread, or `review import`); readers may
//! open their own (WAL). A run holds an advisory lock on `STORE.lock` for its whole length, so
//! a second run on the same store stops with a clear message. The schema is versioned with
//! `PRAGMA user_version` and migrated forward on open.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

use crate::queue::QueueRow;

/// Errors of the state store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Sqlite { path: PathBuf, source: rusqlite::Error },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the store {store} is locked by another kuzet run (lock file {lock}: {holder}); wait for it to finish or stop it")]
    Locked { store: PathBuf, lock: PathBuf, holder: String },
    #[error("{path}: schema version {found} is newer than this kuzet understands ({known}); use a newer kuzet")]
    TooNew { path: PathBuf, found: i64, known: i64 },
}

/// The forward migrations: `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[r"
CREATE TABLE run (
    id              TEXT PRIMARY KEY,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    status          TEXT NOT NULL,            -- running | finished | interrupted
    lexicon_version TEXT NOT NULL,
    summary         TEXT
);
CREATE TABLE url (
    key             TEXT PRIMARY KEY,         -- canonical URL (frontier::canonical_key)
    url             TEXT NOT NULL,
    depth           INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'fetched', 'analysed', 'exported', 'failed', 'skipped', 'redirected')),
    etag            TEXT,
    last_modified   TEXT,
    content_hash    TEXT,
    lexicon_version TEXT,
    flagged         INTEGER NOT NULL DEFAULT 0,
    first_seen      INTEGER NOT NULL,
    last_visit      INTEGER,
    last_change     INTEGER,
    next_visit      INTEGER NOT NULL DEFAULT 0,
    interval_s      INTEGER NOT NULL DEFAULT 0,
    last_status     TEXT,
    last_error      TEXT,
    run_id          TEXT
);
CREATE INDEX url_next_visit ON url (next_visit);
CREATE TABLE fetch (
    id         INTEGER PRIMARY KEY,
    url_key    TEXT NOT NULL,
    run_id     TEXT NOT NULL,
    at         INTEGER NOT NULL,
    status     TEXT NOT NULL,
    outcome    TEXT NOT NULL,                 -- changed | unchanged | not_modified | failed | skipped | redirect | retry
    bytes      INTEGER NOT NULL,
    elapsed_ms INTEGER NOT NULL,
    error      TEXT NOT NULL
);
CREATE INDEX fetch_url ON fetch (url_key);
CREATE TABLE finding (
    item_id         TEXT PRIMARY KEY,
    url_key         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('new', 'queued', 'covered', 'retired')),
    category        TEXT NOT NULL,
    priority        INTEGER NOT NULL,
    score           INTEGER NOT NULL,
    lang            TEXT NOT NULL,
    ref             TEXT NOT NULL,
    url             TEXT NOT NULL,
    title           TEXT NOT NULL,
    matched_terms   TEXT NOT NULL,
    snippet         TEXT NOT NULL,
    reasons         TEXT NOT NULL,
    lexicon_version TEXT NOT NULL,
    first_run       TEXT NOT NULL,
    last_run        TEXT NOT NULL,
    first_seen      INTEGER NOT NULL,
    last_seen       INTEGER NOT NULL,
    exported_run    TEXT,
    exported_at     INTEGER,
    replaced_by     TEXT
);
CREATE INDEX finding_url ON finding (url_key);
CREATE INDEX finding_status ON finding (status);
CREATE TABLE finding_hit (
    item_id TEXT NOT NULL,
    key     TEXT NOT NULL,                   -- lexicon::Entry::key or rule:name
    PRIMARY KEY (item_id, key)
) WITHOUT ROWID;
CREATE INDEX finding_hit_key ON finding_hit (key);
CREATE TABLE decision (
    id          INTEGER PRIMARY KEY,
    item_id     TEXT NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('confirmed', 'dismissed', 'escalated')),
    reviewer    TEXT NOT NULL,
    notes       TEXT NOT NULL,
    source      TEXT NOT NULL,
    line        INTEGER NOT NULL,
    imported_at INTEGER NOT NULL
);
CREATE INDEX decision_item ON decision (item_id, id);
CREATE TABLE import (
    sha         TEXT PRIMARY KEY,            -- BLAKE3 of the file's bytes
    path        TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    rows        INTEGER NOT NULL,
    bad         INTEGER NOT NULL
);
", r"
CREATE INDEX url_state ON url (state);
", r"
-- Revisit intervals are computed at query time from these and the config's hours
-- (crate::revisit), so changed hours apply to pages already scheduled. Existing rows get
-- the streaks their stored interval implies under the default hours (68 h benign, 20 h failed).
ALTER TABLE url ADD COLUMN unchanged_visits INTEGER NOT NULL DEFAULT 0;
ALTER TABLE url ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
UPDATE url SET unchanged_visits = (interval_s > 244800) + (interval_s > 489600) + (interval_s > 979200) + (interval_s > 1958400)
WHERE state IN ('analysed', 'exported');
UPDATE url SET failures = 1 + (interval_s > 72000) + (interval_s > 144000) + (interval_s > 288000) + (interval_s > 576000) + (interval_s > 1152000)
WHERE state = 'failed';
", r"
ALTER TABLE finding ADD COLUMN why TEXT NOT NULL DEFAULT '';
", r"
-- Near-duplicate clusters (crate::clusters, crate::cluster_store). A cluster's id is its first
-- member's item id; decisions stay in `decision` (a carried one has source 'cluster:<id>').
CREATE TABLE cluster (
    id          TEXT PRIMARY KEY,
    first_item  TEXT NOT NULL,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    members     INTEGER NOT NULL
);
CREATE TABLE cluster_member (
    seq          INTEGER PRIMARY KEY,         -- insertion order (the index is rebuilt in it)
    item_id      TEXT NOT NULL UNIQUE,
    cluster_id   TEXT NOT NULL,
    url          TEXT NOT NULL,
    fingerprint  BLOB NOT NULL,               -- crate::fingerprint::Fingerprint::to_bytes
    similarity   REAL,                        -- to the member it joined by; NULL: first member
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    carried_from TEXT                         -- the item whose decision it took
);
CREATE INDEX cluster_member_cluster ON cluster_member (cluster_id, seq);
", r"
-- Posts (crate::adapters): a finding's author, time and the post it replies to; and every
-- post seen on a split page, so that a known thread's new or edited posts are told apart
-- and a deleted one is recorded as gone (its findings and decisions stay).
ALTER TABLE finding ADD COLUMN author TEXT NOT NULL DEFAULT '';
ALTER TABLE finding ADD COLUMN posted TEXT NOT NULL DEFAULT '';
ALTER TABLE finding ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';
CREATE TABLE item (
    key          TEXT PRIMARY KEY,          -- canonical page key, '#', the post's permalink
    page_key     TEXT NOT NULL,
    permalink    TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('present', 'gone')),
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    last_change  INTEGER NOT NULL,
    gone_at      INTEGER
);
CREATE INDEX item_page ON item (page_key);
", r"
-- Where each finding's page is kept as WARC evidence (crate::evidence), per run that captured it.
CREATE TABLE evidence (
    item_id   TEXT NOT NULL,
    run_id    TEXT NOT NULL,
    file      TEXT NOT NULL,
    offset    INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    sha256    TEXT NOT NULL
);
CREATE INDEX evidence_item ON evidence (item_id);
"];

/// The schema version this kuzet writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// An open store.
pub struct Store {
    pub conn: Connection,
    pub path: PathBuf,
    /// Held for a run's whole length; released when dropped (or when the process dies).
    lock: Option<File>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).field("locked", &self.lock.is_some()).finish()
    }
}

/// The lock file beside a store.
pub fn lock_path(store: &Path) -> PathBuf {
    let mut name = store.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    store.with_file_name(name)
}

impl Store {
    /// Opens (creating and migrating) the store at `path`. With `run` set, takes the run lock
    /// first and records `run` as its holder.
    pub fn open(path: &Path, run: Option<&str>) -> Result<Store, StoreError> {
        let io = |source| StoreError::Io { path: path.to_path_buf(), source };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let lock = match run {
            Some(run_id) => Some(take_lock(path, run_id)?),
            None => None,
        };
        // SQLite would create the file 0644 whatever the umask; created here it follows the
        // umask like every other output (0664 under umask 002), and its WAL files copy its mode.
        std::fs::OpenOptions::new().write(true).create(true).truncate(false).open(path).map_err(io)?;
        let sql = |source| StoreError::Sqlite { path: path.to_path_buf(), source };
        let conn = Connection::open(path).map_err(sql)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(sql)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(sql)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(sql)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(sql)?;
        let mut store = Store { conn, path: path.to_path_buf(), lock };
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing store (for `review import` and `lexicon stats`: a mistyped path is an
    /// error, not a new empty store).
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        if !path.is_file() {
            let source = std::io::Error::new(std::io::ErrorKind::NotFound, "no state store here (a run creates it)");
            return Err(StoreError::Io { path: path.to_path_buf(), source });
        }
        Store::open(path, None)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(sql)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew { path: path.clone(), found: version, known: SCHEMA_VERSION });
        }
        for (i, step) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(step).map_err(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1).map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }

    /// Takes the run lock out of the store, so that it outlives this connection; dropping the
    /// returned file releases it.
    pub fn take_lock(&mut self) -> Option<File> {
        self.lock.take()
    }

    /// Wraps a SQLite error with the store's path.
    pub fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite { path: self.path.clone(), source }
    }

    /// Runs `f` in one immediate transaction.
    pub fn write<T>(&mut self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(sql)?;
        let out = f(&tx).map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(out)
    }
}

fn take_lock(store: &Path, run_id: &str) -> Result<File, StoreError> {
    let lock = lock_path(store);
    let io = |source| StoreError::Io { path: lock.clone(), source };
    let mut file = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&lock).map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let holder = std::fs::read_to_string(&lock).unwrap_or_default();
            let holder = if holder.trim().is_empty() { "held by another process".to_string() } else { format!("held by {}", holder.trim()) };
            return Err(StoreError::Locked { store: store.to_path_buf(), lock: lock.clone(), holder });
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
    }
    file.set_len(0).map_err(io)?;
    write!(file, "pid {} run {}", std::process::id(), run_id).map_err(io)?;
    file.flush().map_err(io)?;
    Ok(file)
}

/// What an item's latest decision is, if any (`escalated` counts as decided).
pub fn latest_decision(conn: &Connection, item_id: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT decision FROM decision WHERE item_id = ?1 ORDER BY id DESC LIMIT 1")?.query_row([item_id], |r| r.get(0)).optional()
}

/// The earlier decisions on other findings of the same page, oldest first, as one line for
/// the queue's `history` column: `2026-11-27 dismissed by aida (k12…): not a threat`.
pub fn history(conn: &Connection, url_key: &str, item_id: &str) -> rusqlite::Result<String> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.imported_at, d.decision, d.reviewer, d.notes, d.item_id FROM decision d JOIN finding f ON f.item_id = d.item_id \
         WHERE f.url_key = ?1 AND d.item_id != ?2 ORDER BY d.id",
    )?;
    let rows = stmt.query_map(params![url_key, item_id], |r| {
        let (at, decision, reviewer, notes, id): (i64, String, String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        let by = if reviewer.is_empty() { String::new() } else { format!(" by {reviewer}") };
        let notes = if notes.is_empty() { String::new() } else { format!(": {notes}") };
        Ok(format!("{} {decision}{by} ({id}){notes}", date(at)))
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?.join("; "))
}

/// `YYYY-MM-DD` (UTC) of a Unix time.
pub fn date(secs: i64) -> String {
    let stamp = crate::timestamp(secs.max(0) as u64);
    format!("{}-{}-{}", &stamp[..4], &stamp[4..6], &stamp[6..8])
}

/// `YYYY-MM-DD HH:MM` (UTC) of a Unix time.
pub fn minute(secs: i64) -> String {
    let stamp = crate::timestamp(secs.max(0) as u64);
    format!("{} {}:{}", date(secs), &stamp[9..11], &stamp[11..13])
}

/// Records where `item_id`'s page was kept as evidence in run `run_id`.
pub fn keep_evidence(conn: &Connection, item_id: &str, run_id: &str, e: &crate::evidence::EvidenceRef) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO evidence (item_id, run_id, file, offset, record_id, sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
        .execute(params![item_id, run_id, e.file, e.offset as i64, e.record_id, e.sha256])?;
    Ok(())
}

/// The latest evidence of `item_id`, if any was kept.
pub fn evidence(conn: &Connection, item_id: &str) -> rusqlite::Result<Option<crate::evidence::EvidenceRef>> {
    conn.prepare_cached("SELECT file, offset, record_id, sha256 FROM evidence WHERE item_id = ?1 ORDER BY rowid DESC LIMIT 1")?
        .query_row([item_id], |r| Ok(crate::evidence::EvidenceRef { file: r.get(0)?, offset: r.get::<_, i64>(1)?.max(0) as u64, record_id: r.get(2)?, sha256: r.get(3)? }))
        .optional()
}

/// A finding as stored, turned back into a queue row.
pub fn queue_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<QueueRow> {
    Ok(QueueRow {
        item_id: r.get("item_id")?,
        priority: r.get("priority")?,
        score: r.get("score")?,
        category: r.get("category")?,
        lang: r.get("lang")?,
        reference: r.get("ref")?,
        title: r.get("title")?,
        matched_terms: r.get("matched_terms")?,
        snippet: r.get("snippet")?,
        // Findings stored before the column existed explain themselves by their terms.
        why: Some(r.get::<_, String>("why")?).filter(|w| !w.is_empty()).map_or_else(|| r.get("matched_terms"), Ok)?,
        url: r.get("url")?,
        reasons: r.get("reasons")?,
        lexicon_version: r.get("lexicon_version")?,
        run_id: r.get("first_run")?,
        history: String::new(),
        author: r.get("author")?,
        posted: r.get("posted")?,
        reply_to: r.get("reply_to")?,
        fired: Vec::new(),
        snippets: Vec::new(),
        evidence: None,
        cluster: None,
    })
}

/// One line of `lexicon stats`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EntryStats {
    /// [`crate::lexicon::Entry::key`] or `rule:name`.
    pub key: String,
    /// Findings it fired in.
    pub hits: u64,
    pub confirmed: u64,
    pub dismissed: u64,
    pub escalated: u64,
    /// (confirmed + escalated) / decided; `None` before any decision.
    pub precision: Option<f64>,
    /// Enough decisions and a precision under the threshold.
    pub noisy: bool,
}

/// Per entry and rule: findings, and their latest decisions.
pub fn entry_stats(conn: &Connection, min_decided: u64, noisy_below: f64) -> rusqlite::Result<Vec<EntryStats>> {
    let mut stmt = conn.prepare(
        "WITH latest AS (SELECT item_id, decision FROM decision d WHERE id = (SELECT max(id) FROM decision WHERE item_id = d.item_id)) \
         SELECT h.key, count(*), \
                sum(l.decision = 'confirmed'), sum(l.decision = 'dismissed'), sum(l.decision = 'escalated') \
         FROM finding_hit h LEFT JOIN latest l ON l.item_id = h.item_id GROUP BY h.key",
    )?;
    let rows = stmt.query_map([], |r| {
        let n = |i| r.get::<_, Option<i64>>(i).map(|v| v.unwrap_or(0) as u64);
        let (confirmed, dismissed, escalated) = (n(2)?, n(3)?, n(4)?);
        let decided = confirmed + dismissed + escalated;
        let precision = (decided > 0).then(|| (confirmed + escalated) as f64 / decided as f64);
        Ok(EntryStats {
            key: r.get(0)?,
            hits: n(1)?,
            confirmed,
            dismissed,
            escalated,
            precision,
            noisy: decided >= min_decided && precision.is_some_and(|p| p < noisy_below),
        })
    })?;
    let mut out = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    // Noisy first, then decided entries from the least precise, then the undecided by hits.
    out.sort_by(|a, b| {
        b.noisy
            .cmp(&a.noisy)
            .then(b.precision.is_some().cmp(&a.precision.is_some()))
            .then(a.precision.partial_cmp(&b.precision).unwrap_or(std::cmp::Ordering::Equal))
            .then(b.hits.cmp(&a.hits))
            .then(a.key.cmp(&b.key))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_migrates_and_refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s/kuzet.sqlite");
        let store = Store::open(&path, None).unwrap();
        let v: i64 = store.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        let mode: String = store.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        store.conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        drop(store);
        let e = Store::open(&path, None).unwrap_err();
        assert!(e.to_string().contains("newer than this kuzet"), "{e}");
    }

    #[test]
    fn the_latest_evidence_of_a_finding_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("kuzet.sqlite"), None).unwrap();
        let e = |run: &str, offset| crate::evidence::EvidenceRef { file: format!("evidence/{run}/{run}-00001.warc.gz"), offset, record_id: format!("<urn:uuid:{run}>"), sha256: "ab".repeat(32) };
        assert_eq!(evidence(&store.conn, "k1").unwrap(), None);
        // (run, item, offset), then the evidence each item has
        for (run, item, offset) in [("r1", "k1", 10), ("r1", "k2", 20), ("r2", "k1", 30)] {
            keep_evidence(&store.conn, item, run, &e(run, offset)).unwrap();
        }
        assert_eq!(evidence(&store.conn, "k1").unwrap(), Some(e("r2", 30)));
        assert_eq!(evidence(&store.conn, "k2").unwrap(), Some(e("r1", 20)));
    }

    #[test]
    fn a_second_run_lock_is_refused_naming_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kuzet.sqlite");
        let first = Store::open(&path, Some("run-a")).unwrap();
        let e = Store::open(&path, Some("run-b")).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("kuzet.sqlite.lock") && msg.contains("run run-a"), "{msg}");
        // Readers and review imports do not need the lock.
        Store::open(&path, None).unwrap();
        drop(first);
        Store::open(&path, Some("run-c")).unwrap();
    }

    #[test]
    fn stats_mark_noisy_entries_from_the_latest_decisions() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite"), None).unwrap();
        // Six findings hit `noisy`; `good` fires in the first two. Latest decisions: two
        // confirmed, four dismissed (one of them first confirmed, then dismissed).
        store
            .write(|tx| {
                for i in 0..6 {
                    let id = format!("k{i:016x}");
                    tx.execute(
                        "INSERT INTO finding (item_id, url_key, status, category, priority, score, lang, ref, url, title, matched_terms, snippet, \
                         reasons, lexicon_version, first_run, last_run, first_seen, last_seen) \
                         VALUES (?1, ?1, 'queued', 'violence', 3, 6, 'en', 'r', 'u', 't', 'm', 's', 'x', 'lex', 'r1', 'r1', 0, 0)",
                        [&id],
                    )?;
                    tx.execute("INSERT INTO finding_hit (item_id, key) VALUES (?1, 'en:noisy:violence')", [&id])?;
                    if i < 2 {
                        tx.execute("INSERT INTO finding_hit (item_id, key) VALUES (?1, 'en:good:violence')", [&id])?;
                    }
                    let decisions: &[&str] = match i {
                        0 | 1 => &["confirmed"],
                        2 => &["confirmed", "dismissed"],
                        _ => &["dismissed"],
                    };
                    for d in decisions {
                        tx.execute("INSERT INTO decision (item_id, decision, reviewer, notes, source, line, imported_at) VALUES (?1, ?2, 'a', '', 'f', 2, 0)", [&id, &d.to_string()])?;
                    }
                }
                Ok(())
            })
            .unwrap();
        let stats = entry_stats(&store.conn, 5, 0.5).unwrap();
        let got: Vec<(&str, u64, u64, u64, bool)> = stats.iter().map(|s| (s.key.as_str(), s.hits, s.confirmed, s.dismissed, s.noisy)).collect();
        assert_eq!(got, [("en:noisy:violence", 6, 2, 4, true), ("en:good:violence", 2, 2, 0, false)]);
        assert_eq!(stats[0].precision, Some(2.0 / 6.0));
        // Too few decisions to judge: not noisy.
        assert!(!entry_stats(&store.conn, 7, 0.5).unwrap()[0].noisy);
    }

    #[test]
    fn migrating_to_streaks_keeps_the_default_schedules() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        {
            // A store of schema version 2, before the streak columns.
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute_batch(MIGRATIONS[1]).unwrap();
            conn.pragma_update(None, "user_version", 2).unwrap();
            for (key, state, hours) in [("a", "exported", 68), ("b", "exported", 136), ("c", "analysed", 272), ("d", "exported", 336), ("e", "failed", 20), ("f", "failed", 80), ("g", "failed", 336)] {
                conn.execute("INSERT INTO url (key, url, depth, state, first_seen, interval_s) VALUES (?1, ?1, 1, ?2, 0, ?3)", params![key, state, hours * 3600]).unwrap();
            }
        }
        let store = Store::open(&path, None).unwrap();
        let streaks: Vec<(String, i64, i64)> =
            store.conn.prepare("SELECT key, unchanged_visits, failures FROM url ORDER BY key").unwrap().query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
        let want = [("a", 0, 0), ("b", 1, 0), ("c", 2, 0), ("d", 3, 0), ("e", 0, 1), ("f", 0, 3), ("g", 0, 6)];
        assert_eq!(streaks, want.map(|(k, u, f)| (k.to_string(), u, f)));
        // Under the default hours each is due when its stored interval said.
        let r = crate::nightly::Revisit::default();
        for ((_, u, f), (_, state, hours)) in streaks.iter().zip([("a", "e", 68), ("b", "e", 136), ("c", "e", 272), ("d", "e", 336), ("e", "f", 20), ("f", "f", 80), ("g", "f", 336)]) {
            let class = if state == "f" { crate::revisit::Class::Failed(*f as u32) } else { crate::revisit::Class::Analysed(*u as u32) };
            assert_eq!(crate::revisit::interval(&r, class, false, 1), hours * 3600);
        }
    }

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_795_824_000), "2026-11-28");
        assert_eq!(date(1_795_910_399), "2026-11-28");
        assert_eq!(minute(1_795_910_399), "2026-11-28 23:59");
        assert_eq!(minute(-5), "1970-01-01 00:00");
    }
}
