//! The nightly job, `kuzet run CONFIG.toml`: crawl what is due, analyse what changed, remember
//! everything in the state store, export the new findings as review queues.
//!
//! A run, step by step:
//! 1. Read and check the config; load the lexicons; open the store and take its lock.
//! 2. Add the seeds; choose the URLs to fetch: never fetched, fetched but not analysed (a run
//!    that was killed), or due by the revisit policy. Every other known URL is marked seen, so a
//!    link to it is not followed tonight.
//! 3. Crawl ([`crate::crawl::run_with`]). Known pages are asked for conditionally (304 =
//!    unchanged); a page whose normalized visible text hashes as before is not analysed. The
//!    writer thread records each URL's fetch, state, validators, hash and next visit, and each
//!    finding, committing whenever it has caught up with the crawl.
//! 4. Export ([`crate::export`]): every finding still waiting for a decision goes to the live
//!    `OUT/queues/<queue>.csv`, newest first, with when it first appeared and whether it is new
//!    tonight; tonight's new ones also to `OUT/runs/<run>/`; all published atomically; then
//!    tonight's are marked exported. A run killed before this step leaves the previous queues
//!    in place, and the next run exports what this one found.
//! 5. The run's folder gets copies of `crawl.csv` and `summary.json`, and both folders the
//!    morning report ([`crate::report`]); run folders older than `[output] keep_runs_days` are
//!    pruned ([`crate::runs`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::analyse::Engine;
use crate::bundled::Lexicons;
use crate::crawl::{CrawlConfig, CrawlJob, CrawlSummary, Event, LogKind, LogRow, PageRecord, Sink};
use crate::frontier::{Prior, Target, canonical_key, key_hash, origin, without_credentials};
use crate::queue::{self, LiveRow, QueueRow};
use crate::revisit::{self, Class, Policy, Visit, hours_to_secs};
use crate::store::{self, Store, now};

use crate::settings::clean;
/// Re-exported where callers have always found them.
pub use crate::queue::file_safe;
pub use crate::settings::resolved;

/// The nightly job's config file. Relative paths are relative to the file's folder.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// A file of seed URLs, one per line (`#` comments).
    pub seeds: PathBuf,
    /// The lexicon folder (default: the bundled one).
    pub lexicons: Option<PathBuf>,
    /// The site adapter folder (default: the bundled one).
    pub adapters: Option<PathBuf>,
    /// Where the queues, `summary.json` and `crawl.csv` go.
    pub out: PathBuf,
    /// The state store (default: `OUT/kuzet.sqlite`).
    pub store: Option<PathBuf>,
    /// Let the crawler reach loopback and private addresses (tests, intranet mirrors).
    #[serde(default)]
    pub allow_private: bool,
    /// Single `IP:PORT` addresses allowed although private or loopback.
    #[serde(default)]
    pub allow_addr: Vec<SocketAddr>,
    /// Pause between two requests to one host, in ms (wins over `[crawl] delay_ms`).
    pub delay_ms: Option<u64>,
    /// Crawl settings, as in `kuzet crawl --config`.
    #[serde(default)]
    pub crawl: CrawlConfig,
    #[serde(default)]
    pub revisit: Revisit,
    #[serde(default)]
    pub queues: Queues,
    /// Score thresholds, overriding the lexicon's `[scoring]`.
    #[serde(default)]
    pub priority: Thresholds,
    #[serde(default)]
    pub review: ReviewConfig,
    #[serde(default)]
    pub output: Output,
    /// Near-duplicate clusters: when a copy joins one, and how decisions carry to new copies
    /// ([`crate::clusters`]).
    #[serde(default)]
    pub clusters: crate::clusters::ClustersConfig,
    /// When one entry or rule fires on an unusual share of a night's findings ([`crate::flood`]).
    #[serde(default)]
    pub flood: crate::flood::FloodConfig,
}

/// Reviewer settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewConfig {
    /// A folder where reviewers drop saved queue files; each run imports them first
    /// ([`crate::inbox`]).
    pub inbox: Option<PathBuf>,
}

/// What is kept in the output folder.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Output {
    /// `OUT/runs/<run>/` folders older than this many days are removed at the end of a run;
    /// 0 keeps every one.
    pub keep_runs_days: u32,
}

impl Default for Output {
    fn default() -> Output {
        Output { keep_runs_days: 90 }
    }
}

/// When known pages are fetched again, by what the last visit found. Hours; 0 = every run.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Revisit {
    /// Pages that were flagged at their last analysis.
    pub flagged_hours: f64,
    /// Benign pages that changed (or are new): fetched again after this long...
    pub benign_hours: f64,
    /// ...and each time they are found unchanged the pause doubles, up to this.
    pub max_hours: f64,
    /// Pages that failed (after the crawl's own retries).
    pub failed_hours: f64,
    /// Seeds (depth 0) at least this often, since new links appear on them.
    pub seeds_hours: f64,
}

impl Default for Revisit {
    fn default() -> Revisit {
        // 20 h rather than 24 so that a page is due at the next night's run.
        Revisit { flagged_hours: 20.0, benign_hours: 68.0, max_hours: 14.0 * 24.0, failed_hours: 20.0, seeds_hours: 20.0 }
    }
}

/// Queue export settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Queues {
    /// Accepted for older configs and ignored: the live queues always hold every finding
    /// still waiting for a decision.
    pub include_undecided: bool,
    /// Category → queue file name (`extremism = "terrorism"` sends both to `terrorism.csv`).
    /// Unrouted categories get a queue of their own name.
    pub route: BTreeMap<String, String>,
}

/// Score thresholds (see the README's scoring formula); unset ones keep the lexicon's.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    pub flag: Option<f32>,
    pub priority2: Option<f32>,
    pub priority1: Option<f32>,
}

/// A config file read and resolved.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: RunConfig,
    pub seeds: Vec<Url>,
    pub lexicons: Lexicons,
    /// The site adapter folder, resolved (`None`: the bundled adapters).
    pub adapters: Option<PathBuf>,
    pub out: PathBuf,
    pub store: PathBuf,
    /// The reviewer inbox, resolved.
    pub inbox: Option<PathBuf>,
    /// Tonight's forced revisits (`kuzet run --revisit`), not part of the config file.
    pub force: Option<revisit::Force>,
}

impl RunConfig {
    /// Reads `path`; unknown keys are errors, every one named with its line.
    /// Every path, in errors too, is shown resolved (absolute).
    pub fn load(path: &Path) -> anyhow::Result<Loaded> {
        let path = &resolved(path);
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        RunConfig::from_text(&text, path, read_seeds)
    }

    /// The demo's config and seeds carried by the binary, read as if they were in
    /// `samples/` under the current folder (so its output goes to `out/demo`).
    pub fn bundled_demo() -> anyhow::Result<Loaded> {
        let path = Path::new(crate::bundled::DEMO_CONFIG_BASE).join("nightly.toml");
        RunConfig::from_text(crate::bundled::DEMO_CONFIG, &path, |seeds| parse_seeds(crate::bundled::DEMO_SEEDS, seeds))
    }

    /// Parses a config as if it were the file `path`: messages name it, relative paths are
    /// relative to its folder, and `seeds` reads the seed file it names.
    fn from_text(text: &str, path: &Path, seeds: impl FnOnce(&Path) -> anyhow::Result<Vec<Url>>) -> anyhow::Result<Loaded> {
        let config: RunConfig = crate::settings::parse(text).map_err(|e| anyhow::anyhow!("{}", e.render(path)))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let resolve = |p: &Path| if p.is_absolute() { p.to_path_buf() } else { clean(&base.join(p)) };
        let out = resolve(&config.out);
        let store = config.store.as_deref().map_or_else(|| out.join("kuzet.sqlite"), resolve);
        let lexicons = Lexicons::or_bundled(config.lexicons.as_deref().map(resolve));
        let seeds = seeds(&resolve(&config.seeds))?;
        let inbox = config.review.inbox.as_deref().map(resolve);
        for (name, list) in [("include", &config.crawl.include), ("exclude", &config.crawl.exclude)] {
            for p in list {
                regex::Regex::new(p).map_err(|e| anyhow::anyhow!("{}: crawl.{name}: pattern {p:?}: {e}", path.display()))?;
            }
        }
        let r = &config.revisit;
        for (name, v) in [("flagged_hours", r.flagged_hours), ("benign_hours", r.benign_hours), ("max_hours", r.max_hours), ("failed_hours", r.failed_hours), ("seeds_hours", r.seeds_hours)] {
            if !(0.0..=24.0 * 3650.0).contains(&v) {
                anyhow::bail!("{}: revisit.{name} must be between 0 and 87600 hours, got {v}", path.display());
            }
        }
        config.crawl.check().map_err(|e| anyhow::anyhow!("{}: crawl.{e}", path.display()))?;
        for (category, queue) in &config.queues.route {
            if queue.trim().is_empty() || file_safe(queue) != *queue {
                anyhow::bail!("{}: queues.route.{category}: {queue:?} is not a usable file name (letters, digits, - and _)", path.display());
            }
        }
        config.clusters.validate().map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let f = &config.flood;
        if !(0.0..=1.0).contains(&f.min_share) || !(0.0..f64::INFINITY).contains(&f.factor) {
            anyhow::bail!("{}: flood.min_share must be between 0 and 1 and flood.factor at least 0, got {} and {}", path.display(), f.min_share, f.factor);
        }
        if config.queues.route.values().any(|q| q == MEMBERS) {
            anyhow::bail!("{}: queues.route: {MEMBERS:?} is the name of the cluster members' file; choose another queue name", path.display());
        }
        let adapters = config.adapters.as_deref().map(resolve);
        Ok(Loaded { seeds, lexicons, adapters, out, store, inbox, config, force: None })
    }
}


/// Reads a seed file: one http(s) URL per line, `#` comments and blank lines skipped.
pub fn read_seeds(path: &Path) -> anyhow::Result<Vec<Url>> {
    let path = &resolved(path);
    let text = std::fs::read_to_string(path).with_context(|| format!("reading seeds {}", path.display()))?;
    parse_seeds(&text, path)
}

/// Parses the seeds `text` of the file `path` (for messages), as [`read_seeds`] does.
pub fn parse_seeds(text: &str, path: &Path) -> anyhow::Result<Vec<Url>> {
    let mut seeds = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let url = Url::parse(line).map_err(|e| anyhow::anyhow!("{}:{}: not a URL ({e})", path.display(), i + 1))?;
        if !matches!(url.scheme(), "http" | "https") {
            anyhow::bail!("{}:{}: only http and https seeds, got {}", path.display(), i + 1, without_credentials(url));
        }
        if !url.username().is_empty() || url.password().is_some() {
            tracing::warn!("{}:{}: user name and password left out of the seed (kuzet never sends or records them)", path.display(), i + 1);
        }
        let url = without_credentials(url);
        seeds.push(url);
    }
    if seeds.is_empty() {
        anyhow::bail!("{}: no seed URLs", path.display());
    }
    Ok(seeds)
}


/// Loads the lexicons with the config's threshold overrides.
pub fn engine(loaded: &Loaded) -> anyhow::Result<Engine> {
    let (mut lexicon, matcher) = crate::saved::load(&loaded.lexicons).with_context(|| format!("loading lexicons from {}", loaded.lexicons))?;
    let t = &loaded.config.priority;
    let s = &mut lexicon.scoring;
    s.flag = t.flag.unwrap_or(s.flag);
    s.priority2 = t.priority2.unwrap_or(s.priority2);
    s.priority1 = t.priority1.unwrap_or(s.priority1);
    s.check().map_err(|e| anyhow::anyhow!("priority thresholds (with the config's [priority]): {e}"))?;
    if t.flag.is_some() || t.priority2.is_some() || t.priority1.is_some() {
        // Other thresholds give other results: the version says so, and pages analysed under
        // the old ones are analysed again.
        let (flag, p2, p1) = (s.flag, s.priority2, s.priority1);
        lexicon.version = format!("{}-t{flag}-{p2}-{p1}", lexicon.version);
    }
    // The thresholds are the scorer's: the matcher is the same.
    let engine = Engine::from_parts(lexicon, matcher);
    Ok(match &loaded.adapters {
        Some(dir) => engine.with_adapters(crate::adapters::Adapters::load_dir(dir)?),
        None => engine,
    })
}

/// What the nightly part of a run did, beside the crawl's counts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NightCounts {
    pub store: String,
    /// URLs the store knows after the run.
    pub urls_known: u64,
    /// URLs chosen for fetching at the start (due, new or left over by a killed run).
    pub urls_due: u64,
    /// URLs the store did not know at the start, found during the run (links, redirects).
    pub urls_discovered: u64,
    /// New findings (new pages, or pages with new hits).
    pub new_findings: u64,
    /// Findings whose hits a reviewer already decided on the same page (not queued again).
    pub covered: u64,
    /// Rows in the live queues (every finding waiting for a decision), and how many of them
    /// were queued on an earlier night.
    pub queued: u64,
    pub carried_over: u64,
    pub queued_by_queue: BTreeMap<String, u64>,
    /// Discovered URLs not stored: their host already had `max_pending_per_host` waiting.
    pub pending_dropped: u64,
    /// `OUT/runs/<run>/` folders removed as older than `[output] keep_runs_days`.
    pub runs_pruned: u64,
    /// Posts of split pages ([`crate::adapters`]): new or edited tonight (recorded, and
    /// queued when flagged), unchanged (not queued again), and gone from their page (recorded;
    /// their findings and decisions stay).
    pub posts_new_or_edited: u64,
    pub posts_unchanged: u64,
    pub posts_gone: u64,
    /// Near-duplicate clusters ([`crate::cluster_queue`]): findings that took a reviewer's
    /// decision on another copy tonight (not queued; each listed in `carried`), copies of
    /// decided clusters left in the queues (new or stronger hits, or an escalated cluster),
    /// and waiting findings listed under another copy's row instead of a row of their own.
    pub decisions_carried: u64,
    pub copies_requeued: u64,
    pub copies_grouped: u64,
    pub carried: Vec<crate::cluster_queue::Carried>,
    /// Stored cluster members that could not be read back at the start (not clustered).
    pub cluster_members_skipped: u64,
    /// Entries and rules that fired on an unusual share of tonight's findings ([`crate::flood`]).
    pub floods: Vec<crate::flood_store::FloodNote>,
}

/// The file beside the queues that lists the members of every queued cluster.
pub const MEMBERS: &str = "members";

/// The run summary written to `OUT/summary.json`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunSummary {
    #[serde(flatten)]
    pub crawl: CrawlSummary,
    pub night: NightCounts,
}

/// Runs the nightly job described by `loaded`.
pub fn run(loaded: &Loaded) -> anyhow::Result<RunSummary> {
    let engine = Arc::new(engine(loaded)?);
    let lexicon_version = engine.lexicon.version.clone();
    std::fs::create_dir_all(loaded.out.join("queues")).with_context(|| format!("creating {}", loaded.out.display()))?;
    let mut run_id = crate::run_id();
    let mut store = Store::open(&loaded.store, Some(&run_id))?;
    let started = now();
    store.write(|tx| {
        let mut n = 1;
        while tx.query_row("SELECT 1 FROM run WHERE id = ?1", [&run_id], |_| Ok(())).optional()?.is_some() {
            n += 1;
            run_id = format!("{}-{n}", crate::run_id());
        }
        tx.execute("UPDATE run SET status = 'killed' WHERE status = 'running'", [])?;
        tx.execute("INSERT INTO run (id, started_at, status, lexicon_version) VALUES (?1, ?2, 'running', ?3)", params![run_id, started, lexicon_version])?;
        for seed in &loaded.seeds {
            tx.execute(
                "INSERT INTO url (key, url, depth, state, first_seen) VALUES (?1, ?2, 0, 'pending', ?3) \
                 ON CONFLICT (key) DO UPDATE SET depth = 0, next_visit = min(next_visit, ?4)",
                params![canonical_key(seed), seed.as_str(), started, started + hours_to_secs(loaded.config.revisit.seeds_hours)],
            )?;
        }
        Ok(())
    })?;
    let policy = Policy { revisit: loaded.config.revisit.clone(), lexicon_version: lexicon_version.clone(), force: loaded.force };
    let (start, known) = due(&store.conn, started, &policy).map_err(|e| store.err(e))?;
    let urls_due = start.len() as u64;
    let known_before = (start.len() + known.len()) as u64;
    tracing::info!(run = %run_id, due = urls_due, known = known.len(), store = %loaded.store.display(), "nightly run started");
    let c = &loaded.config;
    let mut crawl_config = c.crawl.clone();
    if let Some(d) = c.delay_ms {
        crawl_config.delay_ms = d;
    }
    let mut job = CrawlJob {
        seeds: loaded.seeds.clone(),
        start,
        known,
        config: crawl_config,
        guard: crate::guard::Guard { allow_private: c.allow_private, allow: c.allow_addr.clone(), lift: crate::guard::Lift::ConfigKey },
        out: loaded.out.clone(),
        run_id: run_id.clone(),
        hashes: true,
    };
    let lock = store.take_lock();
    let night = Arc::new(std::sync::Mutex::new(NightCounts::default()));
    let sink = StoreSink::new(store, &run_id, &engine, loaded, night.clone())?;
    let crawl = crate::crawl::run_with(&mut job, engine, Box::new(sink))?;
    let mut store = Store::open(&loaded.store, None)?;
    let mut night = std::mem::take(&mut *night.lock().map_err(|_| anyhow::anyhow!("the writer thread panicked"))?);
    night.urls_due = urls_due;
    night.urls_known = store.conn.query_row("SELECT count(*) FROM url", [], |r| r.get::<_, i64>(0)).map_err(|e| store.err(e))? as u64;
    night.urls_discovered = night.urls_known.saturating_sub(known_before);
    night.store = loaded.store.display().to_string();
    let runs = loaded.out.join("runs");
    // The night's work is done: a folder that cannot be pruned is a warning, not a failure.
    night.runs_pruned = match crate::runs::prune(&runs, started, loaded.config.output.keep_runs_days) {
        Ok(pruned) => pruned.len() as u64,
        Err(e) => {
            tracing::warn!(folder = %runs.display(), error = %e, "could not prune old run folders");
            0
        }
    };
    let summary = RunSummary { crawl, night };
    let status = if summary.crawl.crawl.interrupted { "interrupted" } else { "finished" };
    let json = serde_json::to_string(&summary)?;
    store.write(|tx| tx.execute("UPDATE run SET status = ?2, finished_at = ?3, summary = ?4 WHERE id = ?1", params![run_id, status, now(), json]))?;
    // The night's own copies first: the live files are the last thing a run changes.
    let archive = runs.join(&run_id);
    crate::runs::copy(&loaded.out.join("crawl.csv"), &archive.join("crawl.csv"))?;
    queue::publish_json(&archive.join("summary.json"), &summary)?;
    queue::publish_json(&loaded.out.join("summary.json"), &summary)?;
    crate::report::publish(&store.conn, Some(&run_id), &c.queues.route, &loaded.out)?;
    drop(lock);
    Ok(summary)
}

/// The URLs to fetch now (never fetched, fetched but not analysed, due by `policy`), and the
/// key hashes of all the others.
pub fn due(tx: &rusqlite::Connection, now: i64, policy: &Policy) -> rusqlite::Result<(Vec<Target>, Vec<u64>)> {
    let mut stmt = tx.prepare(
        "SELECT key, url, depth, state, etag, last_modified, content_hash, lexicon_version, next_visit, flagged, last_status, last_visit, unchanged_visits, failures \
         FROM url ORDER BY depth, key",
    )?;
    let mut rows = stmt.query([])?;
    let (mut start, mut known) = (Vec::new(), Vec::new());
    while let Some(r) = rows.next()? {
        let key: String = r.get(0)?;
        let (state, lexicon_version, last_status): (String, Option<String>, Option<String>) = (r.get(3)?, r.get(7)?, r.get(10)?);
        let depth = r.get::<_, i64>(2)?.max(0) as u32;
        let visit = Visit {
            state: &state,
            depth,
            flagged: r.get(9)?,
            lexicon_version: lexicon_version.as_deref(),
            last_status: last_status.as_deref(),
            last_visit: r.get(11)?,
            unchanged: stored_count(r.get(12)?),
            failures: stored_count(r.get(13)?),
            next_visit: r.get(8)?,
        };
        let Some(why) = policy.due(&visit, now) else {
            known.push(key_hash(&key));
            continue;
        };
        let Ok(url) = Url::parse(&r.get::<_, String>(1)?).map(without_credentials) else { continue };
        let mut target = Target::new(url, depth);
        // Validators and hash are only worth using if tonight's lexicons analysed the page
        // and it is not to be analysed again whatever it holds.
        if why.conditional() && lexicon_version.as_deref() == Some(policy.lexicon_version.as_str()) {
            let prior = Prior { etag: r.get(4)?, last_modified: r.get(5)?, content_hash: r.get(6)? };
            if prior != Prior::default() {
                target.prior = Some(Arc::new(prior));
            }
        }
        start.push(target);
    }
    Ok((start, known))
}

/// A stored count (a depth, a streak) as a `u32`, whatever the column holds.
fn stored_count(n: i64) -> u32 {
    n.clamp(0, i64::from(u32::MAX)) as u32
}

/// A stored URL's depth, flag and streaks (see [`crate::revisit::Class`]).
#[derive(Debug, Default, Clone, Copy)]
struct VisitInfo {
    depth: u32,
    flagged: bool,
    unchanged: u32,
    failures: u32,
}

/// The nightly sink: records every event in the store, exports the queues at the end.
struct StoreSink {
    store: Store,
    run_id: String,
    lexicon_version: String,
    revisit: Revisit,
    queues: Queues,
    categories: Vec<String>,
    out: PathBuf,
    in_tx: bool,
    pending: PendingCap,
    night: NightCounts,
    /// Tonight's clusters, restored from the store at the start.
    clusters: crate::clusters::Clusters,
    carry: crate::clusters::Carry,
    flood: crate::flood::FloodConfig,
    /// Where `night` goes at the end, for the caller.
    report: Arc<std::sync::Mutex<NightCounts>>,
}

impl StoreSink {
    fn new(store: Store, run_id: &str, engine: &Engine, loaded: &Loaded, report: Arc<std::sync::Mutex<NightCounts>>) -> anyhow::Result<StoreSink> {
        let config = &loaded.config.clusters;
        let restored = crate::cluster_store::load(&store.conn, config.threshold).map_err(|e| store.err(e))?;
        for (item, why) in restored.skipped.iter().take(10) {
            tracing::warn!(item = %item, why = %why, "a stored cluster member could not be read back; it is not clustered");
        }
        let night = NightCounts { cluster_members_skipped: restored.skipped.len() as u64, ..NightCounts::default() };
        Ok(StoreSink {
            clusters: restored.clusters,
            carry: config.carry,
            flood: loaded.config.flood,
            store,
            run_id: run_id.to_string(),
            lexicon_version: engine.lexicon.version.clone(),
            revisit: loaded.config.revisit.clone(),
            queues: loaded.config.queues.clone(),
            categories: engine.lexicon.categories(),
            out: loaded.out.clone(),
            in_tx: false,
            pending: PendingCap { cap: loaded.config.crawl.pending_cap(), ..PendingCap::default() },
            night,
            report,
        })
    }

    fn queue_of(&self, category: &str) -> String {
        self.queues.route.get(category).cloned().unwrap_or_else(|| file_safe(category))
    }

    fn record(&mut self, event: &Event) -> rusqlite::Result<()> {
        let conn = &self.store.conn;
        let t = now();
        let run = self.run_id.as_str();
        match event {
            Event::Fetched { url, depth } => {
                conn.prepare_cached(
                    "INSERT INTO url (key, url, depth, state, first_seen, run_id) VALUES (?1, ?2, ?3, 'fetched', ?4, ?5) \
                     ON CONFLICT (key) DO UPDATE SET state = 'fetched', run_id = ?5",
                )?
                .execute(params![canonical_key(url), url.as_str(), *depth as i64, t, run])?;
            }
            Event::Log { log, kind, redirect_to } => {
                let key = url_key(&log.url);
                let (outcome, state) = match kind {
                    LogKind::Failed => ("failed", Some("failed")),
                    LogKind::Skipped => ("skipped", Some("skipped")),
                    LogKind::Disallowed => ("disallowed", Some("skipped")),
                    LogKind::Redirect => ("redirect", Some("redirected")),
                    LogKind::Retry => ("retry", None),
                    LogKind::Note => ("note", None),
                };
                if *kind != LogKind::Note {
                    fetch_row(conn, &key, run, t, log, outcome)?;
                }
                if let Some(state) = state {
                    let info = self.visit_info(&key)?;
                    let failures = info.failures + u32::from(*kind == LogKind::Failed);
                    let class = match kind {
                        LogKind::Failed => Class::Failed(failures),
                        LogKind::Disallowed => Class::Disallowed,
                        LogKind::Redirect => Class::Redirected,
                        _ => Class::Skipped,
                    };
                    let secs = revisit::interval(&self.revisit, class, info.flagged, info.depth.min(log.depth));
                    conn.prepare_cached(
                        "INSERT INTO url (key, url, depth, state, first_seen, last_visit, next_visit, interval_s, last_status, last_error, run_id, failures) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
                         ON CONFLICT (key) DO UPDATE SET state = ?4, last_visit = ?5, next_visit = ?6, interval_s = ?7, last_status = ?8, last_error = ?9, run_id = ?10, failures = ?11",
                    )?
                    .execute(params![key, log.url, log.depth as i64, state, t, t + secs, secs, log.status, log.error, run, failures])?;
                }
                if let Some(to) = redirect_to {
                    add_pending(conn, &mut self.pending, to, log.depth, t)?;
                }
            }
            Event::NotModified { log } => {
                let key = url_key(&log.url);
                fetch_row(conn, &key, run, t, log, "not_modified")?;
                self.unchanged(&key, None, &log.status, t)?;
            }
            Event::Page { log, page } => {
                let key = canonical_key(&page.url);
                for link in &page.links {
                    add_pending(conn, &mut self.pending, link, log.depth + 1, t)?;
                }
                match &page.analysed {
                    None => {
                        fetch_row(conn, &key, run, t, log, "unchanged")?;
                        self.unchanged(&key, Some(page), &log.status, t)?;
                    }
                    Some(a) => {
                        fetch_row(conn, &key, run, t, log, "changed")?;
                        let depth = self.visit_info(&key)?.depth;
                        let flagged = a.row.is_some() || a.items.iter().any(|i| i.row.is_some());
                        let interval = revisit::interval(&self.revisit, Class::Analysed(0), flagged, depth);
                        conn.prepare_cached(
                            "UPDATE url SET state = 'analysed', etag = ?2, last_modified = ?3, content_hash = ?4, lexicon_version = ?5, flagged = ?6, \
                             last_visit = ?7, last_change = ?7, next_visit = ?8, interval_s = ?9, last_status = ?10, last_error = ?11, run_id = ?12, \
                             unchanged_visits = 0, failures = 0 WHERE key = ?1",
                        )?
                        .execute(params![key, page.etag, page.last_modified, page.content_hash, self.lexicon_version, flagged, t, t + interval, interval, log.status, log.error, run])?;
                        match &a.row {
                            Some(row) => {
                                self.finding(&key, row, a.fingerprint.as_ref(), t)?;
                                if let Some(e) = &row.evidence {
                                    crate::store::keep_evidence(&self.store.conn, &row.item_id, &self.run_id, e)?;
                                }
                            }
                            None => {
                                // A page split into posts is judged post by post: a finding on
                                // the page as a whole is replaced by its posts' findings.
                                conn.prepare_cached("UPDATE finding SET status = 'retired' WHERE url_key = ?1 AND status != 'retired'")?.execute([&key])?;
                                if !a.items.is_empty() {
                                    self.posts(&key, &a.items, t)?;
                                }
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The posts of a split page that changed: a new or edited post is recorded and, when
    /// flagged, becomes a finding; an unchanged one is only seen again (never queued again);
    /// a post the page no longer has is recorded as gone, its findings and decisions kept.
    fn posts(&mut self, page_key: &str, items: &[crate::crawl::ItemRecord], t: i64) -> rusqlite::Result<()> {
        let known: HashMap<String, (String, String)> = self
            .store
            .conn
            .prepare_cached("SELECT key, content_hash, state FROM item WHERE page_key = ?1")?
            .query_map([page_key], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
            .collect::<rusqlite::Result<_>>()?;
        let mut present = HashSet::new();
        for it in items {
            if !present.insert(it.key.as_str()) {
                continue; // the same permalink twice on a page: the first counts
            }
            let conn = &self.store.conn;
            if known.get(&it.key).is_some_and(|(hash, state)| *hash == it.content_hash && state == "present") {
                conn.prepare_cached("UPDATE item SET last_seen = ?2 WHERE key = ?1")?.execute(params![it.key, t])?;
                conn.prepare_cached("UPDATE finding SET last_seen = ?2, last_run = ?3 WHERE url_key = ?1 AND status != 'retired'")?.execute(params![it.key, t, self.run_id])?;
                member_seen(conn, &it.key, t)?;
                self.night.posts_unchanged += 1;
                continue;
            }
            conn.prepare_cached(
                "INSERT INTO item (key, page_key, permalink, content_hash, state, first_seen, last_seen, last_change) VALUES (?1, ?2, ?3, ?4, 'present', ?5, ?5, ?5) \
                 ON CONFLICT (key) DO UPDATE SET content_hash = ?4, state = 'present', last_seen = ?5, last_change = ?5, gone_at = NULL",
            )?
            .execute(params![it.key, page_key, it.permalink, it.content_hash, t])?;
            self.night.posts_new_or_edited += 1;
            match &it.row {
                Some(row) => {
                    self.finding(&it.key, row, it.fingerprint.as_ref(), t)?;
                    if let Some(e) = &row.evidence {
                        crate::store::keep_evidence(&self.store.conn, &row.item_id, &self.run_id, e)?;
                    }
                }
                None => {
                    conn.prepare_cached("UPDATE finding SET status = 'retired' WHERE url_key = ?1 AND status != 'retired'")?.execute([&it.key])?;
                }
            }
        }
        for (key, (_, state)) in &known {
            if state == "present" && !present.contains(key.as_str()) {
                self.store.conn.prepare_cached("UPDATE item SET state = 'gone', gone_at = ?2 WHERE key = ?1")?.execute(params![key, t])?;
                self.night.posts_gone += 1;
            }
        }
        Ok(())
    }

    /// A known page found unchanged (304, or the same content hash).
    fn unchanged(&self, key: &str, page: Option<&PageRecord>, status: &str, t: i64) -> rusqlite::Result<()> {
        let conn = &self.store.conn;
        let info = self.visit_info(key)?;
        let unchanged = info.unchanged.saturating_add(1);
        let interval = revisit::interval(&self.revisit, Class::Analysed(unchanged), info.flagged, info.depth);
        conn.prepare_cached(
            "UPDATE url SET state = 'analysed', last_visit = ?2, next_visit = ?3, interval_s = ?4, last_status = ?5, last_error = '', run_id = ?6, \
             etag = coalesce(?7, etag), last_modified = coalesce(?8, last_modified), unchanged_visits = ?9, failures = 0 WHERE key = ?1",
        )?
        .execute(params![
            key,
            t,
            t + interval,
            interval,
            status,
            self.run_id,
            page.and_then(|p| p.etag.as_deref()),
            page.and_then(|p| p.last_modified.as_deref()),
            unchanged
        ])?;
        conn.prepare_cached("UPDATE finding SET last_seen = ?2, last_run = ?3 WHERE url_key = ?1 AND status != 'retired'")?.execute(params![key, t, self.run_id])?;
        member_seen(conn, key, t)
    }

    /// What the store holds about a URL's visits so far (zeros for a URL it does not know).
    fn visit_info(&self, key: &str) -> rusqlite::Result<VisitInfo> {
        let found = self
            .store
            .conn
            .prepare_cached("SELECT depth, flagged, unchanged_visits, failures FROM url WHERE key = ?1")?
            .query_row([key], |r| {
                Ok(VisitInfo { depth: stored_count(r.get(0)?), flagged: r.get(1)?, unchanged: stored_count(r.get(2)?), failures: stored_count(r.get(3)?) })
            })
            .optional()?;
        Ok(found.unwrap_or_default())
    }

    /// Places a flagged item in its near-duplicate cluster and stores it there (a member
    /// already placed only has its last sighting updated).
    fn cluster(&mut self, row: &QueueRow, fp: Option<&crate::fingerprint::Fingerprint>, t: i64) -> rusqlite::Result<()> {
        let Some(fp) = fp else { return Ok(()) };
        // A post's own permalink, else the page's URL.
        let url = if row.reference.starts_with("http://") || row.reference.starts_with("https://") { &row.reference } else { &row.url };
        match self.clusters.place(&row.item_id, fp) {
            Ok(placed) => crate::cluster_store::save_member(&self.store.conn, &row.item_id, url, fp, &placed, t),
            Err(e) => {
                tracing::warn!(item = %row.item_id, error = %e, "finding not clustered");
                Ok(())
            }
        }
    }

    /// Records a flagged analysis of the page `key`, with its fingerprint.
    fn finding(&mut self, key: &str, row: &QueueRow, fp: Option<&crate::fingerprint::Fingerprint>, t: i64) -> rusqlite::Result<()> {
        self.cluster(row, fp, t)?;
        let conn = &self.store.conn;
        let exists: Option<(String, Option<String>)> =
            conn.prepare_cached("SELECT status, exported_run FROM finding WHERE item_id = ?1")?.query_row([&row.item_id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        if let Some((status, exported)) = exists {
            // The same finding again (or back after the page changed in between).
            let status = match status.as_str() {
                "retired" if store::latest_decision(conn, &row.item_id)?.is_some() => "covered",
                "retired" if exported.is_none() => "new",
                "retired" => "queued",
                other => other,
            };
            conn.prepare_cached(
                "UPDATE finding SET status = ?2, last_seen = ?3, last_run = ?4, priority = ?5, score = ?6, snippet = ?7, title = ?8, why = ?9 WHERE item_id = ?1",
            )?
            .execute(params![row.item_id, status, t, self.run_id, row.priority, row.score, row.snippet, row.title, row.why])?;
            retire_others(conn, key, &row.item_id)?;
            return Ok(());
        }
        let fired: BTreeSet<&str> = row.fired.iter().map(String::as_str).collect();
        // Earlier findings of this page: a decided one whose hits include all of these covers
        // the new finding (nothing materially new); otherwise the new one replaces them.
        // A decided one whose entries and rules include all of these, at the same or a more
        // urgent priority, covers the new finding (nothing materially new).
        let earlier: Vec<(String, u8)> = conn
            .prepare_cached("SELECT item_id, priority FROM finding WHERE url_key = ?1")?
            .query_map([key], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut covered = false;
        // What reviewers already decided on this page: a row that comes back shows a new hit.
        let mut decided_keys: HashSet<String> = HashSet::new();
        for (id, priority) in &earlier {
            if store::latest_decision(conn, id)?.is_none() {
                continue;
            }
            let keys: HashSet<String> = conn.prepare_cached("SELECT key FROM finding_hit WHERE item_id = ?1")?.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            if row.priority >= *priority && fired.iter().all(|k| keys.contains(*k)) {
                covered = true;
            }
            decided_keys.extend(keys);
        }
        let snippet = if decided_keys.is_empty() { None } else { row.snippet_of_new_hit(&decided_keys) }.unwrap_or(&row.snippet);
        let status = if covered { "covered" } else { "new" };
        if covered {
            self.night.covered += 1;
        } else {
            self.night.new_findings += 1;
        }
        conn.prepare_cached(
            "INSERT INTO finding (item_id, url_key, status, category, priority, score, lang, ref, url, title, matched_terms, snippet, reasons, \
             lexicon_version, first_run, last_run, first_seen, last_seen, why, author, posted, reply_to) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?16, ?16, ?17, ?18, ?19, ?20)",
        )?
        .execute(params![
            row.item_id, key, status, row.category, row.priority, row.score, row.lang, row.reference, row.url, row.title, row.matched_terms, snippet,
            row.reasons, row.lexicon_version, self.run_id, t, row.why, row.author, row.posted, row.reply_to
        ])?;
        for k in &fired {
            conn.prepare_cached("INSERT OR IGNORE INTO finding_hit (item_id, key) VALUES (?1, ?2)")?.execute(params![row.item_id, k])?;
        }
        retire_others(conn, key, &row.item_id)?;
        Ok(())
    }

    fn commit(&mut self) -> rusqlite::Result<()> {
        if self.in_tx {
            self.store.conn.execute_batch("COMMIT")?;
            self.in_tx = false;
        }
        Ok(())
    }

    /// Publishes the live queues (every finding waiting for a decision) and tonight's new
    /// findings into the run's folder, then marks tonight's as exported.
    fn export(&mut self, summary: &mut CrawlSummary) -> anyhow::Result<()> {
        // Decisions on a cluster carry to its waiting copies first, so that they leave the queues.
        let (mode, t) = (self.carry, now());
        let carried = self.store.write(|tx| crate::cluster_queue::carry_decisions(tx, mode, t))?;
        self.night.decisions_carried = carried.carried.len() as u64;
        self.night.copies_requeued = carried.requeued.len() as u64;
        self.night.carried = carried.carried;
        self.night.floods = crate::flood_store::tonight(&self.store.conn, &self.run_id, &self.flood)?;
        for f in &self.night.floods {
            let usual = f.usual.map_or_else(|| "no earlier nights".to_string(), |u| format!("usually {:.0}%", u * 100.0));
            tracing::warn!(key = %f.key, findings = f.fired, share = %format!("{:.0}%", f.share * 100.0), usual = %usual, "flood: one entry or rule fired on an unusual share of tonight's findings (a news event?); they are grouped in the report");
        }
        let grouped = crate::cluster_queue::group(&self.store.conn, crate::export::live_rows(&self.store.conn)?)?;
        self.night.copies_grouped = grouped.folded;
        let live = grouped.rows;
        let mut by_queue: BTreeMap<String, Vec<&LiveRow>> = self.categories.iter().map(|c| (self.queue_of(c), Vec::new())).collect();
        let s = &mut summary.items;
        s.flagged = 0;
        for l in &live {
            by_queue.entry(self.queue_of(&l.row.category)).or_default().push(l);
            if l.new_tonight {
                let row = &l.row;
                s.flagged += 1;
                *s.flagged_by_priority.entry(row.priority.to_string()).or_default() += 1;
                *s.flagged_by_lang.entry(row.lang.clone()).or_default() += 1;
                *s.flagged_by_category.entry(row.category.clone()).or_default() += 1;
            }
        }
        s.queues.clear();
        // The live queues, and tonight's new findings kept in the run's folder.
        let archive = self.out.join("runs").join(&self.run_id);
        for (name, list) in &by_queue {
            let file = format!("{name}.csv");
            queue::publish_live(&self.out.join("queues").join(&file), list)?;
            let tonight: Vec<&LiveRow> = list.iter().copied().filter(|l| l.new_tonight).collect();
            queue::publish_live(&archive.join(&file), &tonight)?;
            s.queues.push(format!("queues/{file}"));
            self.night.queued_by_queue.insert(name.clone(), list.len() as u64);
        }
        let sheets: Vec<crate::workbook::Queue> = by_queue
            .iter()
            .map(|(name, list)| crate::workbook::Queue {
                name,
                rows: list.iter().map(|l| crate::workbook::Entry { row: &l.row, extra: l.live_cells().to_vec(), tonight: l.new_tonight }).collect(),
            })
            .collect();
        // Every member of the queued clusters, with its URL and evidence; tonight's in the run's folder.
        let members: Vec<Vec<String>> = grouped.members.iter().map(|m| m.cells()).collect();
        let tonight: BTreeSet<&str> = live.iter().filter(|l| l.new_tonight).filter_map(|l| l.row.cluster.as_ref()).map(|c| c.id.as_str()).collect();
        let members_tonight: Vec<Vec<String>> = grouped.members.iter().filter(|m| tonight.contains(m.cluster.as_str())).map(|m| m.cells()).collect();
        let file = format!("{MEMBERS}.csv");
        queue::publish_table(&self.out.join("queues").join(&file), &crate::cluster_queue::MEMBER_COLUMNS, &members)?;
        queue::publish_table(&archive.join(&file), &crate::cluster_queue::MEMBER_COLUMNS, &members_tonight)?;
        s.queues.push(format!("queues/{file}"));
        let tables = [crate::workbook::Table { name: MEMBERS, header: &crate::cluster_queue::MEMBER_COLUMNS, rows: &members }];
        crate::workbook::publish_for_run(&self.out, &self.run_id, &queue::LIVE_COLUMNS, &sheets, &tables)?;
        s.queues.push(format!("queues/{}", crate::workbook::file_name(&self.run_id)));
        self.night.queued = live.len() as u64;
        self.night.carried_over = live.iter().filter(|l| !l.new_tonight).count() as u64;
        let (run, t) = (self.run_id.clone(), now());
        self.store.write(|tx| {
            tx.execute("UPDATE finding SET status = 'queued', exported_run = ?1, exported_at = ?2 WHERE status = 'new'", params![run, t])?;
            tx.execute("UPDATE url SET state = 'exported' WHERE state = 'analysed'", [])?;
            Ok(())
        })?;
        Ok(())
    }
}

/// A page or post seen again unchanged: its live finding's cluster member, and its cluster,
/// were last seen now.
fn member_seen(conn: &rusqlite::Connection, url_key: &str, t: i64) -> rusqlite::Result<()> {
    let live = "SELECT item_id FROM finding WHERE url_key = ?1 AND status != 'retired'";
    conn.prepare_cached(&format!("UPDATE cluster_member SET last_seen = max(last_seen, ?2) WHERE item_id IN ({live})"))?.execute(params![url_key, t])?;
    conn.prepare_cached(&format!("UPDATE cluster SET last_seen = max(last_seen, ?2) WHERE id IN (SELECT cluster_id FROM cluster_member WHERE item_id IN ({live}))"))?
        .execute(params![url_key, t])?;
    Ok(())
}

/// A page has one live finding: the one its latest analysis produced.
fn retire_others(conn: &rusqlite::Connection, key: &str, current: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE finding SET status = 'retired', replaced_by = ?2 WHERE url_key = ?1 AND item_id != ?2 AND status != 'retired'")?
        .execute(params![key, current])?;
    Ok(())
}


/// A fetch history row for `log`.
fn fetch_row(conn: &rusqlite::Connection, key: &str, run: &str, t: i64, log: &LogRow, outcome: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO fetch (url_key, run_id, at, status, outcome, bytes, elapsed_ms, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?
        .execute(params![key, run, t, log.status, outcome, log.bytes as i64, log.elapsed_ms as i64, log.error])?;
    Ok(())
}

/// The store key of a logged URL: its canonical form (the text itself if it does not parse).
fn url_key(url: &str) -> String {
    Url::parse(url).map(|u| canonical_key(&u)).unwrap_or_else(|_| url.to_string())
}

/// The cap on pending URLs per host in the store, and what it has counted so far.
#[derive(Debug, Default)]
struct PendingCap {
    cap: usize,
    /// Per host ([`origin`]): pending rows when first seen tonight, plus the rows added since
    /// (rows fetched meanwhile are not taken off: the count errs on the side of fewer).
    per_host: HashMap<String, usize>,
    dropped: u64,
}

/// Adds a discovered URL as pending, unless its host has `cap.cap` pending already (a known
/// URL keeps its state; its depth becomes the lower).
fn add_pending(conn: &rusqlite::Connection, cap: &mut PendingCap, url: &Url, depth: u32, t: i64) -> rusqlite::Result<()> {
    let key = canonical_key(url);
    let host = origin(url);
    let n = match cap.per_host.get(&host) {
        Some(&n) => n,
        None => {
            // Keys are canonical URLs, so a host's keys sort between `origin/` and `origin0`.
            let n: i64 = conn
                .prepare_cached("SELECT count(*) FROM url WHERE key >= ?1 AND key < ?2 AND state = 'pending'")?
                .query_row(params![format!("{host}/"), format!("{host}0")], |r| r.get(0))?;
            n.max(0) as usize
        }
    };
    let added = n < cap.cap
        && conn
            .prepare_cached("INSERT OR IGNORE INTO url (key, url, depth, state, first_seen) VALUES (?1, ?2, ?3, 'pending', ?4)")?
            .execute(params![key, url.as_str(), depth as i64, t])?
            > 0;
    if added {
        cap.per_host.insert(host, n + 1);
        return Ok(());
    }
    cap.per_host.insert(host, n);
    let lowered = conn.prepare_cached("UPDATE url SET depth = ?2 WHERE key = ?1 AND depth > ?2")?.execute(params![key, depth as i64])?;
    if n >= cap.cap && lowered == 0 && conn.prepare_cached("SELECT 1 FROM url WHERE key = ?1")?.query_row([&key], |_| Ok(())).optional()?.is_none() {
        cap.dropped += 1;
    }
    Ok(())
}

impl Sink for StoreSink {
    fn event(&mut self, event: Event, _summary: &mut CrawlSummary) -> anyhow::Result<()> {
        if !self.in_tx {
            self.store.conn.execute_batch("BEGIN IMMEDIATE").map_err(|e| self.store.err(e))?;
            self.in_tx = true;
        }
        self.record(&event).map_err(|e| self.store.err(e))?;
        Ok(())
    }

    fn checkpoint(&mut self, _summary: &mut CrawlSummary) -> anyhow::Result<()> {
        self.commit().map_err(|e| self.store.err(e))?;
        Ok(())
    }

    fn finish(&mut self, summary: &mut CrawlSummary) -> anyhow::Result<()> {
        self.commit().map_err(|e| self.store.err(e))?;
        self.export(summary)?;
        self.night.pending_dropped = self.pending.dropped;
        if let Ok(mut report) = self.report.lock() {
            *report = std::mem::take(&mut self.night);
        }
        Ok(())
    }
}
