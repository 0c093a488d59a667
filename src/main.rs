//! The `kuzet` command line: parse arguments, call the library, map the outcome to an exit
//! code (0 success, 1 finished with failed items, 2 fatal).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};

/// Find calls to violence, violent threats and terrorist propaganda; write review queues.
#[derive(Debug, Parser)]
#[command(name = "kuzet", version, about)]
struct Args {
    /// Log format on stderr (RUST_LOG sets the level, e.g. RUST_LOG=kuzet=debug).
    #[arg(long, value_enum, default_value = "text", global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Classify local files, folders, JSONL records or JSONL on stdin (`-`).
    Classify {
        /// Lexicon folder (`<lang>/*.csv` and `*.toml` rules).
        #[arg(long, default_value = default_lexicons())]
        lexicons: PathBuf,
        /// Output folder: queues/<category>.csv and summary.json.
        #[arg(long)]
        out: PathBuf,
        /// Run id written into every row (default: the start time, UTC).
        #[arg(long)]
        run_id: Option<String>,
        /// Files, folders, or `-` for JSONL on stdin.
        #[arg(required = true)]
        inputs: Vec<String>,
    },
    /// Crawl from seed URLs and classify every page.
    Crawl {
        /// Seed URLs, one per line (`#` comments and blank lines allowed).
        #[arg(long)]
        seeds: PathBuf,
        #[command(flatten)]
        common: CrawlArgs,
    },
    /// Lexicon tooling.
    Lexicon {
        #[command(subcommand)]
        command: LexiconCommand,
    },
    /// Serve a folder on loopback until interrupted (the demo by hand, benchmarks, manual tests).
    Serve {
        /// The folder to serve.
        root: PathBuf,
        /// The address to serve on (loopback only; port 0: any free port).
        #[arg(long, default_value = "127.0.0.1:0")]
        addr: std::net::SocketAddr,
        /// File to write the chosen address to (`127.0.0.1:PORT`), once listening.
        #[arg(long)]
        addr_file: Option<PathBuf>,
    },
    /// The nightly job: crawl what is due, analyse what changed, remember it in the store,
    /// export the new findings as review queues.
    Run {
        /// The run's TOML config (see the README).
        config: PathBuf,
        /// Only check the config (and the lexicons and seeds it names), then exit.
        #[arg(long)]
        check: bool,
    },
    /// Reviewer decisions back into the state store.
    Review {
        #[command(subcommand)]
        command: ReviewCommand,
    },
    /// Serve samples/site on 127.0.0.1 and run the nightly job on it (samples/nightly.toml).
    Demo {
        /// The site to serve.
        #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/site"))]
        site: PathBuf,
        /// The run config; its loopback seeds are pointed at the address served.
        #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/nightly.toml"))]
        config: PathBuf,
        /// The address to serve on (loopback only; port 0: any free port); the crawl goes there.
        #[arg(long, default_value = "127.0.0.1:8737")]
        addr: std::net::SocketAddr,
        /// Output folder (overrides the config's `out`; the store follows unless the config names one).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum ReviewCommand {
    /// Import saved queue files (from Excel or LibreOffice): decisions are appended to each
    /// item's history; bad rows are reported with their line numbers and the rest imported.
    Import {
        #[command(flatten)]
        store: StoreArg,
        /// Saved queue files (CSV, `,` or `;`, UTF-8 or windows-1251).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// Which store: a path, or the `store` of a run config.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
struct StoreArg {
    /// The state store file.
    #[arg(long)]
    store: Option<PathBuf>,
    /// A run config whose store to use.
    #[arg(long)]
    config: Option<PathBuf>,
}

impl StoreArg {
    fn path(&self) -> anyhow::Result<PathBuf> {
        match (&self.store, &self.config) {
            (Some(p), _) => Ok(p.clone()),
            (None, Some(c)) => Ok(kuzet::nightly::RunConfig::load(c, Path::new(default_lexicons()))?.store),
            (None, None) => bail!("give --store FILE or --config FILE"),
        }
    }
}

#[derive(Debug, Subcommand)]
enum LexiconCommand {
    /// Precision, recall and F1 of the lexicons on labeled JSONL.
    Eval {
        /// Labeled JSONL (`{"id","lang","text","label","orig_label"?}`); repeatable.
        #[arg(long, required = true)]
        data: Vec<PathBuf>,
        #[arg(long, default_value = default_lexicons())]
        lexicons: PathBuf,
        /// Labels that count as positive.
        #[arg(long, value_delimiter = ',', default_value = "violent,incitement")]
        positive: Vec<String>,
        /// Labels that count as negative; when given, records with any other label are left out.
        #[arg(long, value_delimiter = ',')]
        negative: Vec<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Only one half of the records, split by wording group (the text with its target
        /// identity taken out, so one template's cases stay together): `read` is the half a
        /// lexicon maintainer may read, `unread` the half kept for checking that entries
        /// generalize.
        #[arg(long)]
        half: Option<kuzet::evaluate::Half>,
        /// Also print up to N missed positives and N false positives (of the records evaluated).
        #[arg(long, default_value_t = 0)]
        show: usize,
    },
    /// Check entries: short stems, collisions after normalization, unknown categories, common words.
    Lint {
        #[arg(long, default_value = default_lexicons())]
        lexicons: PathBuf,
    },
    /// Run the test cases in every `<lang>/tests.csv` of the lexicon folder.
    Test {
        #[arg(long, default_value = default_lexicons())]
        lexicons: PathBuf,
        /// Read the `<lang>/tests.csv` files of this folder instead of the lexicon folder's
        /// (e.g. `lexicons/pending`, cases the lexicons do not pass yet).
        #[arg(long)]
        cases: Option<PathBuf>,
    },
    /// Per entry and rule: findings, reviewer decisions and precision, noisy entries first.
    Stats {
        #[command(flatten)]
        store: StoreArg,
        /// Decisions needed before an entry can be called noisy.
        #[arg(long, default_value_t = 5)]
        min_decided: u64,
        /// An entry with at least --min-decided decisions and a precision below this is noisy.
        #[arg(long, default_value_t = 0.3)]
        noisy_below: f64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, clap::Args)]
struct CrawlArgs {
    #[arg(long, default_value = default_lexicons())]
    lexicons: PathBuf,
    /// Output folder: queues/, crawl.csv, summary.json.
    #[arg(long)]
    out: PathBuf,
    /// Crawl settings (TOML; see the README).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Let the crawler reach loopback and private addresses (tests, intranet mirrors).
    #[arg(long)]
    allow_private: bool,
    /// Let the crawler reach this one address (IP:PORT) although the guard refuses its range;
    /// repeatable. Everything else stays guarded.
    #[arg(long, value_name = "IP:PORT")]
    allow_addr: Vec<std::net::SocketAddr>,
    /// Overrides max_depth.
    #[arg(long)]
    max_depth: Option<u32>,
    /// Overrides delay_ms (per-host pause between requests).
    #[arg(long)]
    delay_ms: Option<u64>,
    /// Overrides concurrency.
    #[arg(long)]
    concurrency: Option<usize>,
    #[arg(long)]
    run_id: Option<String>,
}

fn default_lexicons() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/lexicons")
}

fn main() -> ExitCode {
    // `kuzet lexicon stats | head` ends quietly when head closes the pipe, as Unix tools do.
    #[cfg(unix)]
    // SAFETY: restoring the default action of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let args = Args::parse();
    init_logging(args.log_format);
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kuzet: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = || tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,kuzet=info"));
    match format {
        LogFormat::Json => {
            let _ = tracing_subscriber::fmt().json().with_env_filter(filter()).with_writer(std::io::stderr).try_init();
        }
        LogFormat::Text if std::io::stderr().is_terminal() => {
            let bars = tracing_indicatif::IndicatifLayer::new();
            let _ = tracing_subscriber::registry()
                .with(filter())
                .with(tracing_subscriber::fmt::layer().with_writer(bars.get_stderr_writer()))
                .with(bars)
                .try_init();
        }
        LogFormat::Text => {
            let _ = tracing_subscriber::fmt().with_env_filter(filter()).with_writer(std::io::stderr).with_ansi(false).try_init();
        }
    }
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Classify { lexicons, out, run_id, inputs } => {
            let engine = kuzet::analyse::Engine::load(&lexicons).context("loading lexicons")?;
            let run_id = run_id.unwrap_or_else(kuzet::run_id);
            let config = kuzet::classify::Config { inputs, out: out.clone(), run_id };
            let summary = kuzet::classify::run(&config, &engine).with_context(|| format!("writing to {}", out.display()))?;
            for f in &summary.failures {
                eprintln!("kuzet: failed: {}: {}", f.reference, f.error);
            }
            print_summary(&summary, &out);
            Ok(if summary.failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Crawl { seeds, common } => {
            let seeds = kuzet::nightly::read_seeds(&seeds)?;
            let summary = crawl(seeds, kuzet::guard::Guard { allow_private: common.allow_private, allow: common.allow_addr.clone() }, &common)?;
            Ok(night_code(&summary.crawl))
        }
        Command::Lexicon { command: LexiconCommand::Eval { data, lexicons, positive, negative, json, half, show } } => {
            let engine = kuzet::analyse::Engine::load(&lexicons).context("loading lexicons")?;
            let paths: Vec<&Path> = data.iter().map(PathBuf::as_path).collect();
            let (mut records, skipped) = kuzet::evaluate::read(&paths)?;
            if let Some(half) = half {
                records.retain(|r| r.half() == half);
            }
            let positive = positive.into_iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
            let negative = negative.into_iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
            let mut report = kuzet::evaluate::evaluate(&engine, &records, &positive, &negative);
            report.skipped_lines = skipped;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", kuzet::evaluate::render(&report));
                if let Some(half) = half {
                    println!("\nhalf: {half:?} ({} records)", records.len());
                }
            }
            if show > 0 {
                print!("{}", kuzet::evaluate::render_examples(&engine, &records, &positive, &negative, show));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Lexicon { command: LexiconCommand::Lint { lexicons } } => {
            let lexicon = kuzet::lexicon::Lexicon::load(&lexicons).context("loading lexicons")?;
            let common = &lexicon.common_words;
            let findings = kuzet::lint::lint(&lexicon, common);
            for f in &findings {
                println!("{} {}: {}", if f.error { "error" } else { "warning" }, f.at, f.message);
            }
            let errors = findings.iter().filter(|f| f.error).count();
            println!("lexicon lint: {} entries, {} common words, {errors} errors, {} warnings", lexicon.entries.len(), common.len(), findings.len() - errors);
            Ok(if errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Lexicon { command: LexiconCommand::Test { lexicons, cases } } => {
            let engine = kuzet::analyse::Engine::load(&lexicons).context("loading lexicons")?;
            let (cases, failures) = kuzet::evaluate::run_tests(&engine, cases.as_deref().unwrap_or(&lexicons)).map_err(anyhow::Error::msg)?;
            for f in &failures {
                println!("FAIL {}: expected {}, got {}: {}", f.at, f.expected, f.got, f.text);
            }
            println!("lexicon tests: {} passed, {} failed", cases - failures.len(), failures.len());
            Ok(if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Serve { root, addr, addr_file } => {
            let server = kuzet::serve::Server::start_on(addr, kuzet::serve::static_site(root.clone())).context("starting the server")?;
            println!("serving {} at {}", root.display(), server.url());
            if let Some(f) = addr_file {
                std::fs::write(&f, server.addr.to_string()).with_context(|| format!("writing {}", f.display()))?;
            }
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            rt.block_on(tokio::signal::ctrl_c())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Run { config, check } => {
            let loaded = kuzet::nightly::RunConfig::load(&config, Path::new(default_lexicons()))?;
            if check {
                let engine = kuzet::nightly::engine(&loaded)?;
                println!(
                    "{}: OK: {} seeds, {} lexicon entries ({}), out {}, store {}",
                    config.display(),
                    loaded.seeds.len(),
                    engine.lexicon.entries.len(),
                    engine.lexicon.version,
                    loaded.out.display(),
                    loaded.store.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            nightly(&loaded)
        }
        Command::Review { command: ReviewCommand::Import { store, files } } => {
            let path = store.path()?;
            let mut store = kuzet::store::Store::open_existing(&path)?;
            let mut failed = false;
            for file in &files {
                let shown = file.display().to_string();
                let bytes = match kuzet::input::read_regular(file) {
                    Ok(b) => b,
                    Err(e) => {
                        eprintln!("kuzet: {shown}: {e}");
                        failed = true;
                        continue;
                    }
                };
                match kuzet::import::import_decisions(&mut store, &shown, bytes)? {
                    Err(e) if e.line == 0 => {
                        eprintln!("kuzet: {shown} {}", e.message);
                        failed = true;
                    }
                    Err(e) => {
                        eprintln!("kuzet: {shown}:{}: {}", e.line, e.message);
                        failed = true;
                    }
                    Ok(r) => {
                        let workbook = !r.sheets.is_empty();
                        if workbook && !file.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
                            println!("{shown} is an Excel workbook (.xlsx), not CSV: read as a workbook");
                        }
                        if r.already_imported {
                            println!("{shown}: already imported (same bytes), nothing changed");
                            continue;
                        }
                        for b in &r.bad {
                            if workbook {
                                eprintln!("kuzet: {shown}: {}", b.message);
                            } else {
                                eprintln!("kuzet: {shown}:{}: {}", b.line, b.message);
                            }
                        }
                        for c in &r.conflicts {
                            let said = c.verdicts.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ");
                            let (at, span) = if workbook {
                                (String::new(), format!("{} to {}", c.first_at, c.last_at))
                            } else {
                                (format!(":{}", c.first_line), format!("lines {} to {}", c.first_line, c.last_line))
                            };
                            eprintln!(
                                "kuzet: warning: {shown}{at}: item {} has {} rows that disagree ({said}, {span}); the last, {} ({}), is taken",
                                c.item_id, c.rows, c.last_at, c.taken.as_str()
                            );
                        }
                        if r.maybe_lost_letters {
                            eprintln!(
                                "kuzet: warning: {shown} was saved in {}: letters it lacks (such as Kazakh ә ғ қ ң ө ұ ү һ) were turned into '?' by the spreadsheet and cannot be recovered; save as CSV UTF-8 or as an Excel workbook (.xlsx)",
                                r.encoding
                            );
                        }
                        failed |= !r.bad.is_empty();
                        let read_as = if workbook {
                            format!("an Excel workbook, sheets {}", r.sheets.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", "))
                        } else {
                            format!("{}, delimiter {:?}", r.encoding, r.delimiter)
                        };
                        println!(
                            "{shown}: {} decisions imported, {} unchanged, {} undecided, {} bad rows ({read_as}), {} superseded by a later row of the same item",
                            r.imported, r.unchanged, r.undecided, r.bad.len(), r.superseded
                        );
                    }
                }
            }
            Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Lexicon { command: LexiconCommand::Stats { store, min_decided, noisy_below, json } } => {
            let store = kuzet::store::Store::open_existing(&store.path()?)?;
            let stats = kuzet::store::entry_stats(&store.conn, min_decided, noisy_below).map_err(|e| store.err(e))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&stats)?);
                return Ok(ExitCode::SUCCESS);
            }
            println!("{:<48} {:>6} {:>9} {:>9} {:>9} {:>9}  noisy", "entry or rule", "hits", "confirmed", "dismissed", "escalated", "precision");
            for s in &stats {
                let p = s.precision.map_or("-".to_string(), |p| format!("{p:.2}"));
                println!("{:<48} {:>6} {:>9} {:>9} {:>9} {:>9}  {}", s.key, s.hits, s.confirmed, s.dismissed, s.escalated, p, if s.noisy { "NOISY" } else { "" });
            }
            let noisy = stats.iter().filter(|s| s.noisy).count();
            println!("lexicon stats: {} entries and rules fired, {noisy} noisy (precision < {noisy_below} over >= {min_decided} decisions)", stats.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { site, config, addr, out } => {
            if !site.join("index.html").exists() {
                bail!("{}: no index.html to serve", site.display());
            }
            let mut loaded = kuzet::nightly::RunConfig::load(&config, Path::new(default_lexicons()))?;
            if let Some(out) = out {
                if loaded.config.store.is_none() {
                    loaded.store = out.join("kuzet.sqlite");
                }
                loaded.out = out;
            }
            let server = kuzet::serve::Server::start_on(addr, kuzet::serve::static_site(site.clone())).context("starting the demo server")?;
            println!("serving {} at {}", site.display(), server.url());
            let moved = kuzet::demo::point_at(&mut loaded, server.addr);
            if moved > 0 {
                println!("crawling the demo server at {} ({moved} loopback seeds of {} pointed there)", server.url(), config.display());
            }
            let summary = run_night(&loaded)?;
            let health = &summary.crawl.crawl.health;
            if !health.seed_hosts_unreachable.is_empty() || !summary.crawl.crawl.hosts_given_up.is_empty() {
                return Ok(ExitCode::from(1));
            }
            if !health.night_failed.is_empty() {
                // The sample site links to missing pages on purpose; they are counted above.
                println!("(the demo's failed pages are the sample site's deliberate broken links)");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn nightly(loaded: &kuzet::nightly::Loaded) -> anyhow::Result<ExitCode> {
    Ok(night_code(&run_night(loaded)?.crawl.crawl))
}

/// Runs the nightly job and prints its summary.
fn run_night(loaded: &kuzet::nightly::Loaded) -> anyhow::Result<kuzet::nightly::RunSummary> {
    let summary = kuzet::nightly::run(loaded).with_context(|| format!("nightly run into {}", loaded.out.display()))?;
    let c = &summary.crawl.crawl;
    let n = &summary.night;
    println!(
        "run {}: {} URLs due of {} known; {} requests, {} pages analysed, {} unchanged ({} not modified), {} disallowed by robots.txt, {} redirects{}",
        summary.crawl.items.run_id, n.urls_due, n.urls_known, c.requests, c.pages_analysed - c.unchanged, c.unchanged + c.not_modified, c.not_modified,
        c.robots_disallowed, c.redirects, if c.interrupted { ", interrupted" } else { "" }
    );
    println!("findings: {} new, {} already decided (not queued again); queued {} rows ({} carried over from earlier nights)", n.new_findings, n.covered, n.queued, n.carried_over);
    for f in &summary.crawl.items.failures {
        eprintln!("kuzet: failed: {}: {}", f.reference, f.error);
    }
    print_health(c);
    print_summary(&summary.crawl.items, &loaded.out);
    println!("store: {}  crawl log: {}", n.store, loaded.out.join("crawl.csv").display());
    Ok(summary)
}

fn crawl(seeds: Vec<url::Url>, guard: kuzet::guard::Guard, common: &CrawlArgs) -> anyhow::Result<kuzet::crawl::CrawlSummary> {
    let mut config = match &common.config {
        Some(path) => kuzet::crawl::CrawlConfig::load(path)?,
        None => kuzet::crawl::CrawlConfig::default(),
    };
    if let Some(d) = common.max_depth {
        config.max_depth = d;
    }
    if let Some(d) = common.delay_ms {
        config.delay_ms = d;
    }
    if let Some(c) = common.concurrency {
        config.concurrency = c;
    }
    let engine = Arc::new(kuzet::analyse::Engine::load(&common.lexicons).context("loading lexicons")?);
    let start = seeds.iter().map(|s| kuzet::frontier::Target::new(s.clone(), 0)).collect();
    let mut job = kuzet::crawl::CrawlJob { seeds, start, known: Vec::new(), config, guard, out: common.out.clone(), run_id: common.run_id.clone().unwrap_or_else(kuzet::run_id), hashes: false };
    let summary = kuzet::crawl::run(&mut job, engine).with_context(|| format!("crawling into {}", common.out.display()))?;
    let c = &summary.crawl;
    println!(
        "crawled {} pages ({} requests, {} bytes, {} disallowed by robots.txt, {} redirects, {} retries, {:.1} pages/s){}",
        c.pages_analysed, c.requests, c.bytes, c.robots_disallowed, c.redirects, c.retries, c.pages_per_second,
        if c.interrupted { ", interrupted" } else { "" }
    );
    print_health(c);
    print_summary(&summary.items, &common.out);
    println!("crawl log: {}", common.out.join("crawl.csv").display());
    Ok(summary)
}

/// Names each host the crawl gave up on and each host with failures (by reason), then why the
/// night failed, on stderr.
fn print_health(counts: &kuzet::crawl::CrawlCounts) {
    for g in &counts.hosts_given_up {
        eprintln!("kuzet: gave up on {}: {}; {} URLs not fetched", g.host, g.reason, g.urls_left);
    }
    for (host, h) in &counts.health.hosts {
        let reasons: Vec<String> = h.reasons.iter().map(|(r, n)| format!("{r}: {n}")).collect();
        eprintln!("kuzet: host {host}: {} failed ({}), {} HTTP answers", h.failed, reasons.join(", "), h.answered);
    }
    for why in &counts.health.night_failed {
        eprintln!("kuzet: night failed: {why}");
    }
}

/// 1 when the night failed (a seed host unreachable, a host given up, too many failures).
fn night_code(counts: &kuzet::crawl::CrawlCounts) -> ExitCode {
    if counts.health.night_failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

fn print_summary(summary: &kuzet::classify::Summary, out: &Path) {
    let p = |k: &str| summary.flagged_by_priority.get(k).copied().unwrap_or(0);
    println!(
        "read {} items, flagged {} (priority 1: {}, 2: {}, 3: {}; obfuscated: {}), failed {} in {} ms",
        summary.read, summary.flagged, p("1"), p("2"), p("3"), summary.obfuscated, summary.failed, summary.duration_ms
    );
    if summary.skipped_binary + summary.skipped_not_regular > 0 {
        println!("  skipped {} binary files, {} folder entries that are not regular files", summary.skipped_binary, summary.skipped_not_regular);
    }
    for (category, n) in &summary.flagged_by_category {
        println!("  {category}: {n}");
    }
    for q in &summary.queues {
        println!("  {}: {}", if q.ends_with(".xlsx") { "workbook" } else { "queue" }, out.join(q).display());
    }
    println!("summary: {}  (lexicon {}, run {})", out.join("summary.json").display(), summary.lexicon_version, summary.run_id);
}

