//! The crawl pipeline: fetch tasks → CPU stage → one writer.
//!
//! * A dispatcher (one async task) owns the [`Frontier`], the robots.txt cache and each host's
//!   pacing. It starts at most `concurrency` fetches at once and at most one per host, a host's
//!   next request no sooner than its delay after the last one ended (the configured delay, or
//!   the site's Crawl-delay up to a cap, raised by 429/503 answers with Retry-After).
//! * Each fetch task does one request. Redirects and retries go back to the dispatcher, so every
//!   hop is checked against the scope, the guard and robots.txt, and paced like any request.
//! * A fetched page goes to the rayon pool for the pure [`analyse_page`]; its host is free for
//!   the next request as soon as the body is read. The fetch task waits for the analysis (and
//!   counts against `concurrency` until then), which bounds the pages in memory.
//! * One writer thread owns the output files: the crawl log (appended as pages finish) and the
//!   queues and summary (published atomically every 100 pages and at the end).
//!
//! Ctrl-C or SIGTERM stops dispatching; fetches under way finish, and the writer publishes
//! valid queues before the process exits.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tracing_indicatif::span_ext::IndicatifSpanExt;
use url::Url;

use crate::analyse::{Engine, Hashing, analyse_page};
use crate::budget::{HostBudget, Limits};
use crate::classify::{Summary, publish_queues};
use crate::fetch::{FetchConfig, FetchError, Fetcher, Response};
use crate::frontier::{Frontier, Scope, Target, registrable_domain, without_credentials};
use crate::guard::Guard;
use crate::queue::{self, QueueRow};
use crate::health::{Health, Tried};
use crate::robots::{MAX_ROBOTS_BYTES, Robots};

/// Crawl settings: the `--config` TOML file (all keys optional).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrawlConfig {
    /// Fetches under way at once, over all hosts.
    pub concurrency: usize,
    /// Pause between the end of one request to a host and the start of the next.
    pub delay_ms: u64,
    /// Links followed from a seed.
    pub max_depth: u32,
    pub max_pages_per_host: usize,
    pub max_body_bytes: usize,
    pub connect_timeout_ms: u64,
    pub read_timeout_ms: u64,
    pub total_timeout_ms: u64,
    /// Sent with every request; say who you are and how to reach you.
    pub user_agent: String,
    /// Regular expressions on the whole URL: if any, a URL must match one.
    pub include: Vec<String>,
    /// Regular expressions on the whole URL: a URL matching one is skipped.
    pub exclude: Vec<String>,
    pub max_url_len: usize,
    pub max_query_params: usize,
    /// Further attempts after a timeout, a connection error, a 5xx or a 429.
    pub retries: u32,
    /// Crawl-delay from robots.txt is honoured up to this.
    pub max_crawl_delay_ms: u64,
    /// A 429/503 answer's Retry-After is honoured up to this (a host asking for days must not
    /// hold the night open).
    pub max_retry_after_ms: u64,
    /// Failed attempts in a row on one host (timeouts, connection errors, 429 and 5xx answers,
    /// retries included) after which the host is given up for the rest of the crawl.
    pub max_host_failures: u32,
    /// Time one host may take from the crawl: its requests from start to last byte, plus the
    /// waits its answers imposed (Retry-After, backoff). Past it the host is given up for the
    /// rest of the crawl, so a server dripping a byte a second cannot hold the night open.
    pub max_host_time_ms: u64,
    /// Links taken from one page (the rest are dropped and counted).
    pub max_links_per_page: usize,
    /// URLs of one host a nightly store keeps waiting (pending); unset: `max_pages_per_host`.
    pub max_pending_per_host: Option<usize>,
    pub max_redirects: u8,
    /// Explicit proxy URL (never the system proxy).
    pub proxy: Option<String>,
    /// Queues and summary are republished after this many analysed pages (and at the end).
    pub publish_every: usize,
    /// The night fails (exit 1) when more than this share of the URLs tried failed (0 to 1;
    /// 0: any failure). A seed host that could not be reached fails it whatever the share.
    pub max_failed_share: f64,
    /// "Older posts" links followed back from a thread or channel page a site adapter split
    /// ([`crate::adapters`]), beyond `max_depth`; 0: none.
    pub max_pages_back: u32,
    /// Paging back stops at a page whose oldest post is older than this many days (posts
    /// with a date the adapter can read; 0: no limit).
    pub max_age_days: u32,
    /// `[evidence]`: which pages are kept as WARC ([`crate::evidence`]).
    pub evidence: crate::evidence::EvidenceConfig,
}

impl Default for CrawlConfig {
    fn default() -> CrawlConfig {
        CrawlConfig {
            concurrency: 64,
            delay_ms: 1000,
            max_depth: 3,
            max_pages_per_host: 10_000,
            max_body_bytes: 5 << 20,
            connect_timeout_ms: 10_000,
            read_timeout_ms: 20_000,
            total_timeout_ms: 60_000,
            user_agent: concat!("kuzet/", env!("CARGO_PKG_VERSION"), " (+https://kuzet.invalid/contact; moderation research crawler)").into(),
            include: Vec::new(),
            exclude: Vec::new(),
            max_url_len: 2048,
            max_query_params: 16,
            retries: 2,
            max_crawl_delay_ms: 30_000,
            max_retry_after_ms: 120_000,
            max_host_failures: 6,
            max_host_time_ms: 3_600_000,
            max_links_per_page: 1000,
            max_pending_per_host: None,
            max_redirects: 5,
            proxy: None,
            publish_every: 100,
            max_failed_share: 0.0,
            max_pages_back: 5,
            max_age_days: 30,
            evidence: crate::evidence::EvidenceConfig::default(),
        }
    }
}

impl CrawlConfig {
    /// Reads a TOML config file; unknown keys are errors naming each key and its line.
    pub fn load(path: &std::path::Path) -> anyhow::Result<CrawlConfig> {
        let path = &crate::settings::resolved(path);
        let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let config: CrawlConfig = crate::settings::parse(&text).map_err(|e| anyhow::anyhow!("{}", e.render(path)))?;
        config.check().map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Ok(config)
    }

    /// Refuses budgets and caps that would stop the crawl before it starts (a zero).
    pub fn check(&self) -> Result<(), ConfigError> {
        let zero = [
            ("max_host_failures", self.max_host_failures == 0),
            ("max_host_time_ms", self.max_host_time_ms == 0),
            ("max_links_per_page", self.max_links_per_page == 0),
            ("max_pending_per_host", self.max_pending_per_host == Some(0)),
        ];
        if let Some((key, _)) = zero.iter().find(|(_, is_zero)| *is_zero) {
            return Err(ConfigError::Zero(key));
        }
        if !(0.0..=1.0).contains(&self.max_failed_share) {
            return Err(ConfigError::Share("max_failed_share", self.max_failed_share.to_string()));
        }
        Ok(())
    }

    /// Pending URLs per host a store keeps: `max_pending_per_host`, or `max_pages_per_host`.
    pub fn pending_cap(&self) -> usize {
        self.max_pending_per_host.unwrap_or(self.max_pages_per_host).max(1)
    }

    /// The user agent's product token, matched against robots.txt groups.
    pub fn robots_agent(&self) -> String {
        self.user_agent.split(['/', ' ']).next().unwrap_or("kuzet").to_string()
    }
}

/// A crawl setting out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} must be at least 1")]
    Zero(&'static str),
    #[error("{0} must be a share from 0 to 1, not {1}")]
    Share(&'static str, String),
}

/// One crawl to run.
#[derive(Debug, Clone)]
pub struct CrawlJob {
    /// The seeds: the crawl's scope is their registrable domains.
    pub seeds: Vec<Url>,
    /// What to fetch first (the seeds at depth 0 for a one-off crawl; the due URLs of the store
    /// for a nightly run).
    pub start: Vec<Target>,
    /// [`crate::frontier::key_hash`]es of URLs not to fetch in this crawl even when linked
    /// (known to the store and not due yet).
    pub known: Vec<u64>,
    pub config: CrawlConfig,
    pub guard: Guard,
    pub out: PathBuf,
    pub run_id: String,
    /// Hash every page's visible text ([`crate::analyse::content_hash`]): a nightly run keeps
    /// the hashes to leave unchanged pages alone next time; a one-off crawl has no use for them.
    pub hashes: bool,
}

/// The crawl's own counts, beside the classification summary.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CrawlCounts {
    pub requests: u64,
    pub pages_analysed: u64,
    pub bytes: u64,
    pub robots_disallowed: u64,
    pub redirects: u64,
    pub retries: u64,
    pub statuses: std::collections::BTreeMap<String, u64>,
    /// Pages answered 304 Not Modified to a conditional request.
    pub not_modified: u64,
    /// Pages fetched whose visible text had not changed (not analysed again).
    pub unchanged: u64,
    pub interrupted: bool,
    pub pages_per_second: f64,
    /// Hosts given up for the rest of the crawl (`max_host_failures` or `max_host_time_ms`).
    pub hosts_given_up: Vec<GivenUp>,
    /// Links dropped past `max_links_per_page` on their page.
    pub links_dropped: u64,
    /// Pages kept as WARC evidence, and of them those recorded as revisits of an earlier capture.
    pub evidence_pages: u64,
    pub evidence_revisits: u64,
    /// Failures per host with their reasons, unreachable seed hosts, and whether the night failed.
    pub health: Health,
}

/// A host the crawl stopped asking.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GivenUp {
    /// Scheme, host and port (`https://example.kz`).
    pub host: String,
    pub reason: String,
    /// Its URLs that were waiting and were not fetched (a nightly run keeps them for later).
    pub urls_left: u64,
}

/// The crawl summary written to `OUT/summary.json`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CrawlSummary {
    #[serde(flatten)]
    pub items: Summary,
    pub crawl: CrawlCounts,
}

/// A crawl log row (`OUT/crawl.csv`).
#[derive(Debug, Clone, Default)]
pub struct LogRow {
    pub url: String,
    pub status: String,
    pub bytes: usize,
    pub content_type: String,
    pub encoding: String,
    pub encoding_source: String,
    pub elapsed_ms: u128,
    pub depth: u32,
    pub error: String,
}

const LOG_COLUMNS: [&str; 9] = ["url", "status", "bytes", "content_type", "encoding", "encoding_source", "elapsed_ms", "depth", "error"];

/// What happened to one URL, sent to the writer.
#[derive(Debug)]
pub enum Event {
    /// Not analysed: refused, disallowed, failed, redirected, not text, or to be retried.
    Log { log: LogRow, kind: LogKind, redirect_to: Option<Url> },
    /// 304 Not Modified.
    NotModified { log: LogRow },
    /// A page's body has been read; its analysis follows.
    Fetched { url: Url, depth: u32 },
    /// A page read and (unless its content was unchanged) analysed.
    Page { log: LogRow, page: Box<PageRecord> },
}

/// Why a URL was only logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    /// A failure: counted and named in the summary.
    Failed,
    /// Not text, or out of scope: not a failure.
    Skipped,
    /// Disallowed by robots.txt (which may change, or have been unreachable tonight).
    Disallowed,
    Redirect,
    /// Will be tried again in this crawl.
    Retry,
    /// A remark on a URL that was not requested (a redirect target not followed); the URL's
    /// state is not touched.
    Note,
}

/// A page as the writer records it.
#[derive(Debug)]
pub struct PageRecord {
    pub url: Url,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_hash: Option<String>,
    /// `None` when the content was unchanged and not analysed.
    pub analysed: Option<Analysed>,
    /// Links in scope, at depth `log.depth + 1`.
    pub links: Vec<Url>,
    /// The exchange as received, when evidence is kept ([`crate::evidence`]).
    pub exchange: Option<Box<crate::evidence::Exchange>>,
}

/// The result of analysing a page.
#[derive(Debug)]
pub struct Analysed {
    pub row: Option<QueueRow>,
    /// The near-duplicate fingerprint of a flagged page's text ([`crate::fingerprint`]).
    pub fingerprint: Option<crate::fingerprint::Fingerprint>,
    pub lang: &'static str,
    pub obfuscated: bool,
    /// The posts of a page a site adapter split ([`crate::adapters`]); `row` is then `None`.
    pub items: Vec<ItemRecord>,
}

/// The fingerprints of a page's flagged text: the page's own, or each post's when a site
/// adapter split it. Computed in the analysis pool, beside the analysis.
#[derive(Debug, Default)]
struct Fingerprints {
    page: Option<crate::fingerprint::Fingerprint>,
    items: Vec<Option<crate::fingerprint::Fingerprint>>,
}

impl Fingerprints {
    fn of(page: &crate::analyse::PageAnalysis) -> Fingerprints {
        let flagged = |a: &crate::analyse::Analysis| a.assessment.priority.is_some();
        let fp = |text: &str| crate::fingerprint::fingerprint(text);
        Fingerprints {
            page: page.analysis.as_ref().filter(|a| page.items.is_empty() && flagged(a)).map(|_| fp(&page.doc.text)),
            items: page.items.iter().map(|i| flagged(&i.analysis).then(|| fp(&i.doc.text))).collect(),
        }
    }
}

/// A post of a split page as the writer records it.
#[derive(Debug)]
pub struct ItemRecord {
    /// The post's key in the store: the page's canonical key, `#`, the permalink.
    pub key: String,
    pub permalink: String,
    pub content_hash: String,
    pub row: Option<QueueRow>,
    /// The near-duplicate fingerprint of a flagged post's text.
    pub fingerprint: Option<crate::fingerprint::Fingerprint>,
}

/// The sending side of the writer's channel. A send that fails means the writer stopped (an
/// error in the sink): `gone` tells the dispatcher to stop fetching.
#[derive(Clone)]
struct Writer {
    tx: std_mpsc::Sender<Event>,
    gone: Arc<std::sync::atomic::AtomicBool>,
}

impl Writer {
    fn send(&self, event: Event) {
        if self.tx.send(event).is_err() {
            self.gone.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    fn is_gone(&self) -> bool {
        self.gone.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Where the writer puts what the crawl finds: queue files for a one-off crawl, the state
/// store for a nightly run. Every method runs on the writer thread.
pub trait Sink: Send {
    /// One event, in arrival order.
    fn event(&mut self, event: Event, summary: &mut CrawlSummary) -> anyhow::Result<()>;
    /// Called whenever the writer has caught up with the crawl: make what came so far durable.
    fn checkpoint(&mut self, summary: &mut CrawlSummary) -> anyhow::Result<()>;
    /// The crawl is over (or was stopped): publish the final output.
    fn finish(&mut self, summary: &mut CrawlSummary) -> anyhow::Result<()>;
}

enum Done {
    /// A page's body has been read: its host may take the next request while it is analysed.
    HostFree { host: String },
    /// robots.txt of `host`; `refused` when the guard refused the host's address.
    Robots { host: String, robots: Robots, refused: Option<String> },
    Page { host: String, target: Target, outcome: Outcome },
}

enum Outcome {
    /// `dropped`: links past `max_links_per_page`.
    /// `older`: the link to older posts, to follow back ([`CrawlConfig::max_pages_back`]).
    Analysed { links: Vec<Url>, dropped: usize, older: Option<Url> },
    Redirect { location: Url },
    Retry { after: Duration, slow_down: bool },
    /// A timeout, a connection error, or a 429/5xx answer after the last retry: counts against
    /// the host's `max_host_failures`.
    Failed,
    /// Anything else: the host answered.
    Finished,
}

struct Host {
    next_at: Instant,
    busy: bool,
    delay: Duration,
    robots: Option<Arc<Robots>>,
    robots_pending: bool,
    /// The guard refused this host: every URL of it is logged as refused, none fetched.
    refused: Option<String>,
    /// What the host has cost; once given up, its URLs are no longer fetched.
    budget: HostBudget,
}

/// Runs a one-off crawl to the end (or to Ctrl-C / SIGTERM): queues and summary in `job.out`.
pub fn run(job: &mut CrawlJob, engine: Arc<Engine>) -> anyhow::Result<CrawlSummary> {
    std::fs::create_dir_all(job.out.join("queues"))?;
    let sink = QueueSink::new(&job.out, &engine, job.config.publish_every.max(1))?;
    let summary = run_with(job, engine, Box::new(sink))?;
    queue::publish_json(&job.out.join("summary.json"), &summary)?;
    Ok(summary)
}

/// Runs a crawl whose findings go to `sink`; the crawl log goes to `job.out/crawl.csv`.
pub fn run_with(job: &mut CrawlJob, engine: Arc<Engine>, sink: Box<dyn Sink>) -> anyhow::Result<CrawlSummary> {
    std::fs::create_dir_all(&job.out)?;
    let (tx, writer_rx) = std_mpsc::channel::<Event>();
    let writer_tx = Writer { tx, gone: Arc::default() };
    let summary = CrawlSummary { items: Summary { run_id: job.run_id.clone(), lexicon_version: engine.lexicon.version.clone(), ..Summary::default() }, ..CrawlSummary::default() };
    let recorder = crate::evidence::Recorder::new(&job.out, &job.run_id, &job.config.evidence)?;
    let writer = {
        let out = job.out.clone();
        std::thread::Builder::new().name("kuzet-writer".into()).spawn(move || write_outputs(writer_rx, &out, sink, summary, recorder))?
    };
    // Fetching is one thread (requests to a host are one at a time; tokio's multi-thread
    // scheduler cost a context switch per page more). The CPU stage has a pool of its own whose
    // threads yield to it (nice 5): the fetch of the next page is on the critical path, the
    // analysis of the last one is not.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let pool = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("kuzet-analyse-{i}"))
            .start_handler(|_| lower_priority())
            .build()?,
    );
    let started = Instant::now();
    // The start targets move into the frontier (a nightly run may have many).
    let start = std::mem::take(&mut job.start);
    let counts = runtime.block_on(dispatch(job, start, engine, writer_tx, pool));
    drop(runtime);
    // The writer's error, if any, is the cause of everything else.
    let mut summary = writer.join().map_err(|_| anyhow::anyhow!("the writer thread panicked"))??;
    let counts = counts?;
    // The writer counted what it saw in the events; the dispatcher counted the rest.
    let w = std::mem::take(&mut summary.crawl);
    summary.crawl = CrawlCounts { bytes: w.bytes, statuses: w.statuses, not_modified: w.not_modified, unchanged: w.unchanged, health: w.health, evidence_pages: w.evidence_pages, evidence_revisits: w.evidence_revisits, ..counts };
    let given_up: Vec<String> = summary.crawl.hosts_given_up.iter().map(|g| g.host.clone()).collect();
    summary.crawl.health.finish(&job.seeds, &given_up, job.config.max_failed_share);
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    summary.crawl.pages_per_second = (summary.crawl.pages_analysed as f64 / secs * 10.0).round() / 10.0;
    summary.items.duration_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

/// Lowers the calling thread's scheduling priority (Linux: nice is per thread); best effort.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority reads no memory of ours; `who` 0 is the calling thread on Linux.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 5);
    }
}

async fn dispatch(job: &CrawlJob, start: Vec<Target>, engine: Arc<Engine>, writer: Writer, pool: Arc<rayon::ThreadPool>) -> anyhow::Result<CrawlCounts> {
    let c = &job.config;
    let fetch_config = FetchConfig {
        user_agent: c.user_agent.clone(),
        connect_timeout: Duration::from_millis(c.connect_timeout_ms),
        read_timeout: Duration::from_millis(c.read_timeout_ms),
        total_timeout: Duration::from_millis(c.total_timeout_ms),
        max_body_bytes: c.max_body_bytes,
        proxy: c.proxy.clone(),
        guard: job.guard.clone(),
    };
    let fetcher = Arc::new(Fetcher::new(&fetch_config)?);
    let scope = Arc::new(build_scope(job)?);
    let agent = c.robots_agent();
    let base_delay = Duration::from_millis(c.delay_ms);
    let mut frontier = Frontier::default();
    let mut hosts: HashMap<String, Host> = HashMap::new();
    let mut counts = CrawlCounts::default();
    for &hash in &job.known {
        frontier.mark_known(hash);
    }
    let start_len = start.len();
    frontier.push_all(start, c.max_pages_per_host, |target| match scope.refusal(&target.url, target.depth) {
        // A URL the store knows but tonight's scope (config) no longer covers.
        Some(why) => {
            log(&writer, target, "scope", &format!("out of scope: {why}"), LogKind::Skipped);
            false
        }
        None => true,
    });
    let span = tracing::info_span!("crawl");
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {elapsed} {pos}/{len} URLs done {msg}") {
        span.pb_set_style(&style);
    }
    let _entered = span.enter();
    tracing::info!(seeds = job.seeds.len(), start = start_len, concurrency = c.concurrency, delay_ms = c.delay_ms, max_depth = c.max_depth, "crawl started");
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Done>();
    let mut in_flight = 0usize;
    let mut stopping = false;
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let now = Instant::now();
        let mut wake: Option<Instant> = None;
        if !stopping {
            let ready: Vec<String> = frontier.hosts().cloned().collect();
            for key in ready {
                if in_flight >= c.concurrency.max(1) {
                    break;
                }
                let host = hosts.entry(key.clone()).or_insert_with(|| Host {
                    next_at: now,
                    busy: false,
                    delay: base_delay,
                    robots: None,
                    robots_pending: false,
                    refused: Url::parse(&key).ok().and_then(|u| fetcher.check_target(&u).err()).map(|e| e.to_string()),
                    budget: HostBudget::default(),
                });
                if let Some(why) = &host.refused {
                    while let Some(target) = frontier.pop(&key) {
                        log(&writer, &target, "refused", why, LogKind::Failed);
                    }
                    continue;
                }
                if let Some(why) = &host.budget.given_up {
                    // Not requested: a nightly run keeps these URLs as they were, for later.
                    let mut left = 0;
                    while let Some(target) = frontier.pop(&key) {
                        log(&writer, &target, "given-up", &format!("not fetched: host given up ({why})"), LogKind::Note);
                        left += 1;
                    }
                    if let Some(g) = counts.hosts_given_up.iter_mut().find(|g| g.host == key) {
                        g.urls_left += left;
                    }
                    continue;
                }
                if host.busy || host.robots_pending {
                    continue;
                }
                if host.next_at > now {
                    wake = Some(wake.map_or(host.next_at, |w: Instant| w.min(host.next_at)));
                    continue;
                }
                let Some(robots) = host.robots.clone() else {
                    host.robots_pending = true;
                    host.busy = true;
                    host.budget.request_started(now);
                    in_flight += 1;
                    counts.requests += 1;
                    tokio::spawn(fetch_robots(fetcher.clone(), key.clone(), agent.clone(), writer.clone(), done_tx.clone()));
                    continue;
                };
                while let Some(target) = frontier.pop(&key) {
                    if let Robots::Unavailable(why) = &*robots {
                        log(&writer, &target, "robots", &format!("robots.txt could not be fetched, nothing of the host is: {why}"), LogKind::Failed);
                        continue;
                    }
                    if !robots.allowed(&target.url) {
                        counts.robots_disallowed += 1;
                        let why = match &*robots {
                            Robots::DisallowAll(why) => format!("disallowed: {why}"),
                            _ => "disallowed by robots.txt".to_string(),
                        };
                        log(&writer, &target, "robots", &why, LogKind::Disallowed);
                        continue;
                    }
                    host.busy = true;
                    host.budget.request_started(now);
                    in_flight += 1;
                    counts.requests += 1;
                    let task = PageTask {
                        fetcher: fetcher.clone(),
                        engine: engine.clone(),
                        pool: pool.clone(),
                        scope: scope.clone(),
                        writer: writer.clone(),
                        done: done_tx.clone(),
                        host: key.clone(),
                        run_id: job.run_id.clone(),
                        retries: c.retries,
                        hashes: job.hashes,
                        max_links: c.max_links_per_page,
                        paging: (c.max_pages_back, c.max_age_days),
                        capture: c.evidence.capture,
                    };
                    tokio::spawn(task.run(target));
                    break;
                }
            }
        }
        if writer.is_gone() && !stopping {
            tracing::error!("the writer stopped; no more fetching");
            stopping = true;
        }
        if in_flight == 0 && (stopping || frontier.pending() == 0) {
            break;
        }
        let sleep = tokio::time::sleep_until(wake.unwrap_or_else(|| later(now, Duration::from_secs(3600))).into());
        tokio::select! {
            done = done_rx.recv() => {
                let Some(done) = done else { break };
                if !matches!(done, Done::HostFree { .. }) {
                    in_flight -= 1;
                }
                let ctx = Ctx { frontier: &mut frontier, scope: &scope, config: c, writer: &writer, counts: &mut counts };
                on_done(done, &mut hosts, base_delay, ctx);
                span.pb_set_length(frontier.seen() as u64);
                span.pb_set_position((frontier.seen() - frontier.pending()) as u64);
                span.pb_set_message(&format!("({} requests, {} pages analysed)", counts.requests, counts.pages_analysed));
            }
            _ = sleep, if wake.is_some() => {}
            _ = &mut shutdown, if !stopping => {
                tracing::warn!("stopping: finishing {in_flight} fetches under way, then writing the queues");
                stopping = true;
                counts.interrupted = true;
            }
        }
    }
    tracing::info!(requests = counts.requests, pages = counts.pages_analysed, interrupted = counts.interrupted, "crawl finished");
    Ok(counts)
}

struct Ctx<'a> {
    frontier: &'a mut Frontier,
    scope: &'a Scope,
    config: &'a CrawlConfig,
    writer: &'a Writer,
    counts: &'a mut CrawlCounts,
}

fn on_done(done: Done, hosts: &mut HashMap<String, Host>, base_delay: Duration, ctx: Ctx<'_>) {
    let now = Instant::now();
    match done {
        Done::HostFree { host } => {
            if let Some(h) = hosts.get_mut(&host) {
                h.budget.request_ended(now);
                h.busy = false;
                h.next_at = later(now, h.delay);
            }
        }
        Done::Robots { host, robots, refused } => {
            if let Some(h) = hosts.get_mut(&host) {
                h.budget.request_ended(now);
                h.refused = refused;
                let cap = Duration::from_millis(ctx.config.max_crawl_delay_ms);
                if let Some(d) = robots.crawl_delay() {
                    h.delay = h.delay.max(d.min(cap));
                }
                h.robots = Some(Arc::new(robots));
                h.robots_pending = false;
                h.busy = false;
                h.next_at = later(now, h.delay);
            }
        }
        Done::Page { host, target, outcome } => {
            let Some(h) = hosts.get_mut(&host) else { return };
            if !matches!(outcome, Outcome::Analysed { .. }) {
                h.budget.request_ended(now);
                h.busy = false;
                h.next_at = later(now, h.delay);
            }
            h.budget.attempt(matches!(outcome, Outcome::Retry { .. } | Outcome::Failed));
            match outcome {
                Outcome::Analysed { links, dropped, older } => {
                    ctx.counts.pages_analysed += 1;
                    ctx.counts.links_dropped += dropped as u64;
                    // Paging back keeps the page's depth: a thread's older pages are the
                    // same thread, however deep it was found.
                    if let Some(older) = older
                        && ctx.scope.refusal(&older, target.depth).is_none()
                        && ctx.frontier.mark_seen(&older)
                    {
                        ctx.frontier.push(Target { back: target.back + 1, ..Target::new(older, target.depth) }, ctx.config.max_pages_per_host);
                    }
                    for link in links {
                        if ctx.scope.refusal(&link, target.depth + 1).is_none() && ctx.frontier.mark_seen(&link) {
                            ctx.frontier.push(Target::new(link, target.depth + 1), ctx.config.max_pages_per_host);
                        }
                    }
                }
                Outcome::Redirect { location } => {
                    ctx.counts.redirects += 1;
                    let next = Target { url: location, depth: target.depth, hops: target.hops + 1, attempt: 0, prior: None, back: target.back };
                    if next.hops > ctx.config.max_redirects {
                        log(ctx.writer, &next, "redirect", &format!("more than {} redirects", ctx.config.max_redirects), LogKind::Note);
                    } else if let Some(why) = ctx.scope.refusal(&next.url, next.depth) {
                        log(ctx.writer, &next, "redirect", &format!("redirect target out of scope: {why}"), LogKind::Note);
                    } else if ctx.frontier.mark_seen(&next.url) {
                        ctx.frontier.push(next, ctx.config.max_pages_per_host);
                    } else {
                        log(ctx.writer, &next, "redirect", "redirect to a URL already seen (loop, duplicate or not due)", LogKind::Note);
                    }
                }
                Outcome::Retry { after, slow_down } => {
                    ctx.counts.retries += 1;
                    if slow_down {
                        h.delay = (h.delay * 2).max(base_delay).min(Duration::from_millis(ctx.config.max_crawl_delay_ms).max(base_delay));
                    }
                    let after = after.min(Duration::from_millis(ctx.config.max_retry_after_ms));
                    h.next_at = later(now, h.delay.max(after));
                    h.budget.waited(h.delay.max(after));
                    ctx.frontier.retry(Target { attempt: target.attempt + 1, ..target });
                }
                Outcome::Failed | Outcome::Finished => {}
            }
            let limits = Limits { max_failures: ctx.config.max_host_failures, max_time: Duration::from_millis(ctx.config.max_host_time_ms) };
            if let Some(why) = h.budget.give_up_if_over(limits) {
                tracing::warn!(host = %host, reason = %why, "host given up for the rest of the crawl");
                let row = LogRow { url: host.clone(), status: "given-up".into(), error: format!("host given up: {why}"), ..LogRow::default() };
                ctx.writer.send(Event::Log { log: row, kind: LogKind::Note, redirect_to: None });
                ctx.counts.hosts_given_up.push(GivenUp { host, reason: why, urls_left: 0 });
            }
        }
    }
}

fn build_scope(job: &CrawlJob) -> anyhow::Result<Scope> {
    let compile = |list: &[String]| -> anyhow::Result<Vec<regex::Regex>> {
        list.iter().map(|p| regex::Regex::new(p).map_err(|e| anyhow::anyhow!("pattern {p:?}: {e}"))).collect()
    };
    Ok(Scope {
        domains: job.seeds.iter().filter_map(|s| s.host_str()).map(registrable_domain).collect(),
        include: compile(&job.config.include)?,
        exclude: compile(&job.config.exclude)?,
        max_depth: job.config.max_depth,
        max_url_len: job.config.max_url_len,
        max_query_params: job.config.max_query_params,
    })
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending::<()>().await } } => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

fn log(writer: &Writer, target: &Target, status: &str, error: &str, kind: LogKind) {
    let log = LogRow { url: target.url.to_string(), status: status.into(), depth: target.depth, error: error.into(), ..LogRow::default() };
    writer.send(Event::Log { log, kind, redirect_to: None });
}

async fn fetch_robots(fetcher: Arc<Fetcher>, host: String, agent: String, writer: Writer, done: mpsc::UnboundedSender<Done>) {
    let mut url = Url::parse(&host).and_then(|u| u.join("/robots.txt"));
    let mut robots = Robots::from_response(None, b"", &agent);
    let mut refused = None;
    for hop in 0..=5 {
        let Ok(u) = url.clone() else { break };
        match fetcher.get(&u, Some(MAX_ROBOTS_BYTES), &[]).await {
            Ok(r) if (300..400).contains(&r.status) => match r.location.as_deref().map(|l| u.join(l).map(without_credentials)) {
                Some(next) => {
                    url = next;
                    continue;
                }
                None => robots = Robots::AllowAll,
            },
            Ok(r) => robots = Robots::from_response(Some(r.status), &r.body, &agent),
            Err(e) => {
                tracing::info!("robots.txt of {host}: {e}");
                let text = e.to_string();
                let is_refusal = matches!(e, FetchError::Refused(_)) || text.starts_with("refused");
                if is_refusal && hop == 0 {
                    refused = Some(text);
                } else if !is_refusal {
                    robots = Robots::Unavailable(format!("{}: {text}", crate::health::reason("error", &text)));
                } else {
                    // The host itself is fine; its robots.txt points at a refused address. The
                    // refusal is logged against that address, and the host's robots.txt counts
                    // as unreachable (RFC 9309: everything disallowed).
                    let row = LogRow { url: u.to_string(), status: "refused".into(), error: format!("robots.txt of {host} redirected here: {text}"), ..LogRow::default() };
                    writer.send(Event::Log { log: row, kind: LogKind::Note, redirect_to: None });
                    robots = Robots::DisallowAll(format!("robots.txt redirected to a refused address ({u})"));
                }
            }
        }
        break;
    }
    let _ = done.send(Done::Robots { host, robots, refused });
}

struct PageTask {
    fetcher: Arc<Fetcher>,
    engine: Arc<Engine>,
    pool: Arc<rayon::ThreadPool>,
    scope: Arc<Scope>,
    writer: Writer,
    done: mpsc::UnboundedSender<Done>,
    host: String,
    run_id: String,
    retries: u32,
    hashes: bool,
    max_links: usize,
    /// `max_pages_back`, `max_age_days`.
    paging: (u32, u32),
    /// Which exchanges go to the evidence recorder.
    capture: crate::evidence::Capture,
}

impl PageTask {
    async fn run(self, target: Target) {
        let mut headers = Vec::new();
        if let Some(prior) = &target.prior {
            if let Some(etag) = &prior.etag {
                headers.push(("if-none-match", etag.clone()));
            }
            if let Some(date) = &prior.last_modified {
                headers.push(("if-modified-since", date.clone()));
            }
        }
        let outcome = match self.fetcher.get(&target.url, None, &headers).await {
            Ok(resp) => self.on_response(&target, resp).await,
            Err(e) => self.on_error(&target, e),
        };
        let _ = self.done.send(Done::Page { host: self.host, target, outcome });
    }

    fn on_error(&self, target: &Target, e: FetchError) -> Outcome {
        if e.is_retryable() && target.attempt < self.retries {
            let text = e.to_string();
            log(&self.writer, target, "error", &format!("will retry: {text}"), LogKind::Retry);
            return Outcome::Retry { after: backoff(target.attempt), slow_down: false };
        }
        let status = if matches!(e, FetchError::Refused(_)) || e.to_string().starts_with("refused") { "refused" } else { "error" };
        log(&self.writer, target, status, &e.to_string(), LogKind::Failed);
        if e.is_retryable() && status == "error" { Outcome::Failed } else { Outcome::Finished }
    }

    async fn on_response(&self, target: &Target, resp: Response) -> Outcome {
        let mut row = LogRow {
            url: target.url.to_string(),
            status: resp.status.to_string(),
            bytes: resp.body.len(),
            content_type: resp.content_type.clone(),
            elapsed_ms: resp.elapsed.as_millis(),
            depth: target.depth,
            ..LogRow::default()
        };
        let send_log = |mut row: LogRow, kind: LogKind, error: String, redirect_to: Option<Url>| {
            row.error = error;
            self.writer.send(Event::Log { log: row, kind, redirect_to });
        };
        if resp.status == 304 && target.prior.is_some() {
            self.writer.send(Event::NotModified { log: row });
            return Outcome::Finished;
        }
        if (300..400).contains(&resp.status) {
            let location = resp.location.as_deref().and_then(|l| target.url.join(l).ok()).map(|mut l| {
                l.set_fragment(None);
                without_credentials(l)
            });
            let Some(location) = location else {
                send_log(row, LogKind::Skipped, "redirect without a usable Location".into(), None);
                return Outcome::Finished;
            };
            // The store keeps the target only if it is in scope; the dispatcher checks again.
            let keep = self.scope.refusal(&location, target.depth).is_none().then(|| location.clone());
            send_log(row, LogKind::Redirect, format!("redirect to {location}"), keep);
            return Outcome::Redirect { location };
        }
        if matches!(resp.status, 429 | 500..=599) && target.attempt < self.retries {
            let after = resp.retry_after.unwrap_or_else(|| backoff(target.attempt));
            send_log(row, LogKind::Retry, format!("will retry in {} ms", after.as_millis()), None);
            return Outcome::Retry { after, slow_down: matches!(resp.status, 429 | 503) };
        }
        if resp.body_skipped {
            if (200..300).contains(&resp.status) {
                send_log(row, LogKind::Skipped, format!("skipped: not text ({})", resp.content_type), None);
            } else {
                send_log(row, LogKind::Failed, format!("HTTP {}", resp.status), None);
                if matches!(resp.status, 429 | 500..=599) {
                    return Outcome::Failed;
                }
            }
            return Outcome::Finished;
        }
        if resp.truncated {
            row.error = format!("body cut at {} bytes", resp.body.len());
        }
        let _ = self.done.send(Done::HostFree { host: self.host.clone() });
        self.writer.send(Event::Fetched { url: target.url.clone(), depth: target.depth });
        let (tx, rx) = tokio::sync::oneshot::channel();
        let engine = self.engine.clone();
        let known_hash = target.prior.as_ref().and_then(|p| p.content_hash.clone());
        let hashes = self.hashes;
        let (etag, last_modified) = (resp.etag.clone(), resp.last_modified.clone());
        let capture = self.capture;
        self.pool.spawn(move || {
            // A panic on one hostile page must not take the crawl down (rayon would abort).
            let page = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let hashing = if hashes { Hashing::Keep(known_hash.as_deref()) } else { Hashing::Skip };
                let page = analyse_page(&resp.url, &resp.content_type, resp.charset.as_deref(), &resp.body, &engine, hashing);
                let fingerprints = Fingerprints::of(&page);
                (page, fingerprints)
            }));
            // The body goes back with the analysis, for the evidence (no copy); a page that is
            // kept has its record encoded here, on the pool, not on the one writer thread.
            use crate::evidence::{Capture, Exchange};
            let exchange = (capture != Capture::None).then(|| {
                let mut exchange = Box::new(Exchange { url: resp.url.to_string(), wire: resp.wire, body: resp.body, truncated: resp.truncated, encoded: None });
                let flagged = page.as_ref().is_ok_and(|(p, _)| p.analysis.as_ref().is_some_and(|a| a.assessment.priority.is_some()) || p.items.iter().any(|i| i.analysis.assessment.priority.is_some()));
                if capture == Capture::All || flagged {
                    // On failure the writer encodes it again and reports the error.
                    exchange.encoded = exchange.encode_response().ok();
                }
                exchange
            });
            let _ = tx.send(page.map(|(p, f)| (p, f, exchange)));
        });
        let (page, mut fingerprints, exchange) = match rx.await {
            Ok(Ok(page)) => page,
            _ => {
                send_log(row, LogKind::Failed, "analysis failed (internal error; the page is skipped)".into(), None);
                return Outcome::Analysed { links: Vec::new(), dropped: 0, older: None };
            }
        };
        row.encoding = page.encoding.to_string();
        row.encoding_source = page.decided_by.as_str().to_string();
        let analysed = if page.items.is_empty() {
            page.analysis.as_ref().map(|analysis| {
                let queue_row = QueueRow::new(&page.doc, analysis, &self.engine.lexicon, &self.run_id);
                let obfuscated = queue_row.is_some() && analysis.assessment.is_obfuscated();
                let fingerprint = fingerprints.page.take().filter(|_| queue_row.is_some());
                Analysed { row: queue_row, fingerprint, lang: analysis.lang, obfuscated, items: Vec::new() }
            })
        } else {
            let page_key = crate::frontier::canonical_key(&target.url);
            let items: Vec<ItemRecord> = page
                .items
                .iter()
                .enumerate()
                .map(|(n, i)| {
                    let row = QueueRow::for_item(i, &self.engine.lexicon, &self.run_id);
                    let fingerprint = fingerprints.items.get(n).copied().flatten().filter(|_| row.is_some());
                    ItemRecord { key: format!("{page_key}#{}", i.item.permalink), permalink: i.item.permalink.clone(), content_hash: i.content_hash.clone(), row, fingerprint }
                })
                .collect();
            let obfuscated = page.items.iter().zip(&items).any(|(i, r)| r.row.is_some() && i.analysis.assessment.is_obfuscated());
            Some(Analysed { row: None, fingerprint: None, lang: page.items[0].analysis.lang, obfuscated, items })
        };
        // Each link once, and at most `max_links_per_page` of them: a page of 100,000 links
        // must not fill the frontier and the store.
        let mut distinct = std::collections::HashSet::new();
        // The link to older posts is followed as paging back, or not at all.
        let older = page.older.clone().filter(|_| self.page_back(target, &page.items));
        let mut links: Vec<Url> = page
            .links
            .into_iter()
            .filter(|l| page.older.as_ref().is_none_or(|o| crate::frontier::canonical_key(o) != crate::frontier::canonical_key(l)))
            .filter(|l| self.scope.refusal(l, target.depth + 1).is_none() && distinct.insert(crate::frontier::key_hash(&crate::frontier::canonical_key(l))))
            .collect();
        let dropped = links.len().saturating_sub(self.max_links);
        links.truncate(self.max_links);
        let record = PageRecord { url: target.url.clone(), etag, last_modified, content_hash: page.content_hash, analysed, links: links.clone(), exchange };
        self.writer.send(Event::Page { log: row, page: Box::new(record) });
        Outcome::Analysed { links, dropped, older }
    }

    /// Whether to follow a split page's "older posts" link: fewer than `max_pages_back` pages
    /// back so far, and no post on this page older than `max_age_days`.
    fn page_back(&self, target: &Target, items: &[crate::analyse::ItemAnalysis]) -> bool {
        let (max_back, max_days) = self.paging;
        if target.back >= max_back {
            return false;
        }
        if max_days == 0 {
            return true;
        }
        let now_days = crate::store::now() / 86_400;
        let oldest = items.iter().filter_map(|i| crate::adapters::days_since_epoch(&i.item.time)).min();
        oldest.is_none_or(|d| now_days - d <= i64::from(max_days))
    }
}

/// `now + wait`, or as far ahead as an instant goes: a wait read from a hostile answer must
/// never overflow (Retry-After: 18446744073709551615 once panicked the crawl).
fn later(now: Instant, wait: Duration) -> Instant {
    now.checked_add(wait).unwrap_or_else(|| now + Duration::from_secs(86_400 * 365))
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(1000u64.saturating_mul(1 << attempt.min(6)))
}

/// Events below which the writer pauses before reading more.
const WRITER_BATCH: usize = 64;
/// How long it pauses.
const WRITER_PAUSE: Duration = Duration::from_millis(5);

/// The writer: appends the crawl log, counts, and hands every event to the sink.
fn write_outputs(rx: std_mpsc::Receiver<Event>, out: &std::path::Path, mut sink: Box<dyn Sink>, mut summary: CrawlSummary, mut recorder: crate::evidence::Recorder) -> anyhow::Result<CrawlSummary> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(out.join("crawl.csv"))?);
    file.write_all(b"\xEF\xBB\xBF")?;
    let mut log = crate::cell::Writer::new(file);
    log.write_record(LOG_COLUMNS)?;
    // The sink's output is valid from the start: a crawl killed at any point leaves valid files.
    sink.checkpoint(&mut summary)?;
    while let Ok(first) = rx.recv() {
        let mut next = Some(first);
        let mut batch = 0;
        while let Some(event) = next.take() {
            if let Some(entry) = count(&event, &mut summary) {
                let cells = [
                entry.url.as_str(),
                entry.status.as_str(),
                &entry.bytes.to_string(),
                entry.content_type.as_str(),
                entry.encoding.as_str(),
                entry.encoding_source.as_str(),
                &entry.elapsed_ms.to_string(),
                &entry.depth.to_string(),
                entry.error.as_str(),
            ]
                .map(queue::defang);
                log.write_record(&cells)?;
            }
            let mut event = event;
            if let Event::Page { page, .. } = &mut event {
                keep_evidence(&mut recorder, page, &summary.items.run_id, &mut summary.crawl)?;
            }
            sink.event(event, &mut summary)?;
            batch += 1;
            if batch < 1000 {
                next = rx.try_recv().ok();
            }
        }
        log.flush()?;
        sink.checkpoint(&mut summary)?;
        if batch < WRITER_BATCH {
            // Let events gather instead of waking for each one: every wake-up is two context
            // switches on cores the analysis keeps busy, and nobody reads the log that fast.
            std::thread::sleep(WRITER_PAUSE);
        }
    }
    log.flush()?;
    log.get_ref().get_ref().sync_all()?;
    recorder.finish()?;
    sink.finish(&mut summary)?;
    Ok(summary)
}

/// Writes the page's exchange as evidence if the config keeps it; its queue row names it.
fn keep_evidence(recorder: &mut crate::evidence::Recorder, page: &mut PageRecord, run_id: &str, counts: &mut CrawlCounts) -> anyhow::Result<()> {
    let Some(mut exchange) = page.exchange.take() else { return Ok(()) };
    // The page's finding, or those of its posts (a split page): one capture names them all.
    let mut rows: Vec<&mut QueueRow> = match page.analysed.as_mut() {
        Some(a) => a.row.as_mut().into_iter().chain(a.items.iter_mut().filter_map(|i| i.row.as_mut())).collect(),
        None => Vec::new(),
    };
    let before = recorder.revisits;
    let kept = {
        let findings: Vec<crate::evidence::Finding<'_>> = rows
            .iter()
            .map(|r| crate::evidence::Finding {
                item_id: &r.item_id,
                run_id,
                lexicon_version: &r.lexicon_version,
                priority: r.priority,
                score: r.score,
                category: &r.category,
                fired: &r.fired,
                matched_terms: &r.matched_terms,
            })
            .collect();
        recorder.record(&mut exchange, &findings).map_err(|e| anyhow::anyhow!("writing evidence: {e}"))?
    };
    if let Some(kept) = kept {
        counts.evidence_pages += 1;
        counts.evidence_revisits += recorder.revisits - before;
        for row in &mut rows {
            row.evidence = Some(kept.clone());
        }
    }
    Ok(())
}

/// Counts `event` into the summary; returns its log row, if it has one.
fn count<'a>(event: &'a Event, summary: &mut CrawlSummary) -> Option<&'a LogRow> {
    let entry = match event {
        Event::Fetched { .. } => return None,
        Event::Log { log, kind, .. } => {
            let tried = match kind {
                LogKind::Failed => Tried::Failed,
                LogKind::Skipped | LogKind::Redirect => Tried::Done,
                LogKind::Disallowed | LogKind::Retry | LogKind::Note => Tried::Not,
            };
            summary.crawl.health.record(&log.url, &log.status, &log.error, tried);
            tracing::debug!(url = %log.url, status = %log.status, error = %log.error, "logged");
            if *kind == LogKind::Failed {
                tracing::info!(url = %log.url, status = %log.status, error = %log.error, "failed");
                summary.items.failed += 1;
                summary.items.failures.push(crate::classify::Failure { reference: log.url.clone(), error: log.error.clone() });
            }
            log
        }
        Event::NotModified { log } => {
            summary.crawl.health.record(&log.url, &log.status, &log.error, Tried::Done);
            summary.crawl.not_modified += 1;
            log
        }
        Event::Page { log, page } => {
            summary.crawl.health.record(&log.url, &log.status, &log.error, Tried::Done);
            tracing::debug!(url = %log.url, status = %log.status, bytes = log.bytes, ms = log.elapsed_ms as u64, analysed = page.analysed.is_some(), "page");
            match &page.analysed {
                Some(a) => {
                    summary.items.read += 1;
                    *summary.items.read_by_lang.entry(a.lang.to_string()).or_default() += 1;
                    summary.items.obfuscated += u64::from(a.obfuscated);
                }
                None => summary.crawl.unchanged += 1,
            }
            log
        }
    };
    *summary.crawl.statuses.entry(entry.status.clone()).or_default() += 1;
    summary.crawl.bytes += entry.bytes as u64;
    Some(entry)
}

/// The one-off crawl's sink: keeps flagged rows, publishes the queues every `every` pages
/// and at the end.
pub struct QueueSink {
    out: PathBuf,
    categories: Vec<String>,
    rows: Vec<QueueRow>,
    every: usize,
    since_publish: usize,
    published_once: bool,
    /// When the last publication ended and how long it took: the next waits ten times that,
    /// so rewriting a long queue never takes more than a tenth of the writer's time.
    last_publish: Option<(Instant, Duration)>,
}

impl QueueSink {
    pub fn new(out: &std::path::Path, engine: &Engine, every: usize) -> anyhow::Result<QueueSink> {
        Ok(QueueSink { out: out.to_path_buf(), categories: engine.lexicon.categories(), rows: Vec::new(), every, since_publish: 0, published_once: false, last_publish: None })
    }

    fn publish(&mut self, summary: &mut CrawlSummary) -> anyhow::Result<()> {
        let started = Instant::now();
        publish_queues(&self.out, &self.categories, &mut self.rows, &mut summary.items)?;
        self.since_publish = 0;
        self.published_once = true;
        self.last_publish = Some((Instant::now(), started.elapsed()));
        Ok(())
    }
}

impl Sink for QueueSink {
    fn event(&mut self, event: Event, _summary: &mut CrawlSummary) -> anyhow::Result<()> {
        if let Event::Page { page, .. } = event {
            self.since_publish += 1;
            if let Some(a) = page.analysed {
                self.rows.extend(a.row);
                self.rows.extend(a.items.into_iter().filter_map(|i| i.row));
            }
        }
        Ok(())
    }

    fn checkpoint(&mut self, summary: &mut CrawlSummary) -> anyhow::Result<()> {
        let rested = self.last_publish.is_none_or(|(at, took)| at.elapsed() >= took * 10);
        if !self.published_once || (self.since_publish >= self.every && rested) {
            self.publish(summary)?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &mut CrawlSummary) -> anyhow::Result<()> {
        self.publish(summary)
    }
}
