//! The `kuzet` command line: parse arguments, call the library, map the outcome to an exit
//! code (0 success, 1 finished with failed items, 2 fatal).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};
use kuzet::bundled::Lexicons;

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
enum EvidenceCommand {
    /// Recompute every WARC file's SHA-256, every run's manifest and the chain, and check the
    /// evidence each queue row names; exit 1 naming the first mismatch.
    Verify {
        /// The output folder of the crawls (with `evidence/` and `queues/`).
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Evidence kept as WARC under OUT/evidence/.
    Evidence {
        #[command(subcommand)]
        command: EvidenceCommand,
    },
    /// Classify local files, folders, JSONL records or JSONL on stdin (`-`).
    Classify {
        /// Lexicon folder (`<lang>/*.csv` and `*.toml` rules; default: the lexicons bundled in the binary).
        #[arg(long)]
        lexicons: Option<PathBuf>,
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
        /// Tonight only: fetch again every known URL (`all`, analysed again), the pages
        /// flagged at their last analysis (`flagged`, analysed again) or the failed ones.
        #[arg(long, value_enum)]
        revisit: Option<kuzet::revisit::Force>,
    },
    /// Render the morning report again from the store (after a review import, say):
    /// OUT/runs/<run>/report.html, and OUT/report.html for the latest run.
    Report {
        /// The output folder (default: the config's `out`, else the current folder).
        #[arg(long)]
        out: Option<PathBuf>,
        /// A run config: its `out`, `store` and `[queues.route]`.
        #[arg(long)]
        config: Option<PathBuf>,
        /// The state store (default: the config's, else OUT/kuzet.sqlite).
        #[arg(long)]
        store: Option<PathBuf>,
        /// The run to report on (default: the latest).
        #[arg(long)]
        run: Option<String>,
    },
    /// Reviewer decisions back into the state store.
    Review {
        #[command(subcommand)]
        command: ReviewCommand,
    },
    /// Serve the sample site on 127.0.0.1 and run the nightly job on it (samples/nightly.toml);
    /// both are bundled in the binary.
    Demo {
        /// A site folder to serve instead of the bundled sample site.
        #[arg(long)]
        site: Option<PathBuf>,
        /// A run config instead of the bundled samples/nightly.toml (whose output goes to
        /// out/demo under the current folder); its loopback seeds are pointed at the address served.
        #[arg(long)]
        config: Option<PathBuf>,
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
            (Some(p), _) => Ok(kuzet::nightly::resolved(p)),
            (None, Some(c)) => Ok(kuzet::nightly::RunConfig::load(c)?.store),
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
        /// Lexicon folder (default: the lexicons bundled in the binary).
        #[arg(long)]
        lexicons: Option<PathBuf>,
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
    /// Write the bundled lexicons into a folder, to edit them (then give it as `--lexicons` or
    /// the run config's `lexicons`).
    Export {
        /// The folder to write (created if needed).
        dir: PathBuf,
        /// Overwrite files that exist (otherwise nothing is written when any does).
        #[arg(long)]
        force: bool,
    },
    /// Check entries: short stems, collisions after normalization, unknown categories, common words.
    Lint {
        /// Lexicon folder (default: the lexicons bundled in the binary).
        #[arg(long)]
        lexicons: Option<PathBuf>,
    },
    /// Run the test cases in every `<lang>/tests.csv` of the lexicon folder.
    Test {
        /// Lexicon folder (default: the lexicons bundled in the binary).
        #[arg(long)]
        lexicons: Option<PathBuf>,
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
    /// Lexicon folder (default: the lexicons bundled in the binary).
    #[arg(long)]
    lexicons: Option<PathBuf>,
    /// Site adapter folder (`*.toml`; default: the adapters bundled in the binary).
    #[arg(long)]
    adapters: Option<PathBuf>,
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

fn main() -> ExitCode {
    // `kuzet lexicon stats | head` ends quietly when head closes the pipe, as Unix tools do.
    #[cfg(unix)]
    // SAFETY: restoring the default action of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let args = Args::parse();
    init_logging(args.log_format);
    // Compiled lexicons are kept between runs (`$KUZET_CACHE_DIR=off` keeps none).
    kuzet::saved::set_dir(kuzet::saved::default_dir());
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
        Command::Evidence { command: EvidenceCommand::Verify { out } } => match kuzet::evidence::verify(&out) {
            Ok(v) => {
                println!("evidence verified: {} runs, {} files, {} queue rows", v.runs, v.files, v.rows);
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("kuzet: evidence verify failed: {e}");
                Ok(ExitCode::from(1))
            }
        },
        Command::Classify { lexicons, out, run_id, inputs } => {
            let engine = kuzet::analyse::Engine::load(Lexicons::or_bundled(lexicons)).context("loading lexicons")?;
            let run_id = run_id.unwrap_or_else(kuzet::run_id);
            let config = kuzet::classify::Config { inputs, out: out.clone(), run_id };
            let summary = kuzet::classify::run(&config, &engine).with_context(|| format!("writing to {}", kuzet::nightly::resolved(&out).display()))?;
            for f in &summary.failures {
                eprintln!("kuzet: failed: {}: {}", f.reference, f.error);
            }
            print_summary(&summary, &out);
            // The engine's tables (some 100,000 allocations) go with the process: no time spent
            // freeing them one by one on the way out.
            std::mem::forget(engine);
            Ok(if summary.failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Crawl { seeds, common } => {
            let seeds = kuzet::nightly::read_seeds(&seeds)?;
            let summary = crawl(seeds, kuzet::guard::Guard { allow_private: common.allow_private, allow: common.allow_addr.clone(), ..Default::default() }, &common)?;
            Ok(night_code(&summary.crawl))
        }
        Command::Lexicon { command: LexiconCommand::Eval { data, lexicons, positive, negative, json, half, show } } => {
            let engine = kuzet::analyse::Engine::load(Lexicons::or_bundled(lexicons)).context("loading lexicons")?;
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
            let lexicon = kuzet::lexicon::Lexicon::load_from(&Lexicons::or_bundled(lexicons)).context("loading lexicons")?;
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
            let lexicons = Lexicons::or_bundled(lexicons);
            let engine = kuzet::analyse::Engine::load(lexicons.clone()).context("loading lexicons")?;
            let cases = cases.map_or(lexicons, Lexicons::Dir);
            let (cases, failures) = kuzet::evaluate::run_tests(&engine, &cases).map_err(anyhow::Error::msg)?;
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
        Command::Run { config, check, revisit } => {
            let mut loaded = kuzet::nightly::RunConfig::load(&config)?;
            loaded.force = revisit;
            let contact = kuzet::preflight::contact_warning(&loaded.config.crawl.user_agent, &loaded.seeds);
            if check {
                let engine = kuzet::nightly::engine(&loaded)?;
                let folders_ok = check_folders(&loaded);
                if let Some(w) = &contact {
                    eprintln!("kuzet: warning: {w}");
                }
                if !folders_ok {
                    return Ok(ExitCode::from(2));
                }
                println!(
                    "{}: OK: {} seeds, {} lexicon entries ({}, {}), out {}, store {}",
                    config.display(),
                    loaded.seeds.len(),
                    engine.lexicon.entries.len(),
                    loaded.lexicons,
                    engine.lexicon.version,
                    loaded.out.display(),
                    loaded.store.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            if let Some(w) = &contact {
                tracing::warn!("{w}");
            }
            if let Some(inbox) = &loaded.inbox {
                empty_inbox(inbox, &loaded.store);
            }
            nightly(&loaded)
        }
        Command::Report { out, config, store, run } => {
            let loaded = config.map(|c| kuzet::nightly::RunConfig::load(&c)).transpose()?;
            let out = out.or_else(|| loaded.as_ref().map(|l| l.out.clone())).unwrap_or_else(|| PathBuf::from("."));
            let store = store.or_else(|| loaded.as_ref().map(|l| l.store.clone())).unwrap_or_else(|| out.join("kuzet.sqlite"));
            let route = loaded.map(|l| l.config.queues.route).unwrap_or_default();
            let store = kuzet::store::Store::open_existing(&store)?;
            for path in kuzet::report::publish(&store.conn, run.as_deref(), &route, &out)? {
                println!("report: {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Review { command: ReviewCommand::Import { store, files } } => {
            let path = store.path()?;
            let mut store = kuzet::store::Store::open_existing(&path)?;
            let mut failed = false;
            for file in &files {
                let outcome = kuzet::import::import_file(&mut store, file)?;
                let (problems, summary) = outcome.render(&kuzet::nightly::resolved(file).display().to_string());
                for p in problems {
                    eprintln!("kuzet: {p}");
                }
                if let Some(s) = summary {
                    println!("{s}");
                }
                failed |= !outcome.ok();
            }
            Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Lexicon { command: LexiconCommand::Export { dir, force } } => {
            let written = kuzet::bundled::export(&dir, force)?;
            let version = kuzet::lexicon::Lexicon::load(&dir).context("loading the lexicons written")?.version;
            println!("wrote {} files of the bundled lexicons ({version}) to {}", written.len(), dir.display());
            Ok(ExitCode::SUCCESS)
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
            let (handler, site_shown) = match site {
                Some(site) if !site.join("index.html").exists() => bail!("{}: no index.html to serve", site.display()),
                Some(site) => (kuzet::serve::static_site(site.clone()), site.display().to_string()),
                None => (kuzet::serve::files_site(kuzet::bundled::SITE_FILES), "the bundled sample site".to_string()),
            };
            let config_shown = config.as_ref().map_or_else(|| "the bundled samples/nightly.toml".to_string(), |c| c.display().to_string());
            let mut loaded = match &config {
                Some(config) => kuzet::nightly::RunConfig::load(config)?,
                None => kuzet::nightly::RunConfig::bundled_demo()?,
            };
            if let Some(out) = out {
                if loaded.config.store.is_none() {
                    loaded.store = out.join("kuzet.sqlite");
                }
                loaded.out = out;
            }
            let server = kuzet::serve::Server::start_on(addr, handler).context("starting the demo server")?;
            println!("serving {site_shown} at {}", server.url());
            let moved = kuzet::demo::point_at(&mut loaded, server.addr);
            if moved > 0 {
                println!("crawling the demo server at {} ({moved} loopback seeds of {config_shown} pointed there)", server.url());
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

/// `run --check`: proves the output and store folders writable (creating nothing), printing a
/// line for each; false if any is not.
fn check_folders(loaded: &kuzet::nightly::Loaded) -> bool {
    use kuzet::preflight::{Writable, writable_folder, writable_store};
    let mut ok = true;
    let mut folders = vec![("out", &loaded.out, writable_folder(&loaded.out)), ("store", &loaded.store, writable_store(&loaded.store))];
    if let Some(inbox) = &loaded.inbox {
        folders.push(("inbox", inbox, writable_folder(inbox)));
    }
    for (name, path, found) in folders {
        match found {
            Ok(Writable::Exists) => println!("{name} {}: writable", path.display()),
            Ok(Writable::WillBeCreated { under }) => println!("{name} {}: does not exist yet; the run creates it in {}, which is writable", path.display(), under.display()),
            Err(e) => {
                eprintln!("kuzet: {name}: {e}");
                ok = false;
            }
        }
    }
    ok
}

/// Imports what reviewers dropped into the inbox before the night starts; a bad file, or an
/// inbox that cannot be read, is reported and the night goes on.
fn empty_inbox(inbox: &Path, store: &Path) {
    let report = match kuzet::inbox::process(inbox, store) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kuzet: warning: inbox {}: {e}", inbox.display());
            return;
        }
    };
    for h in &report.handled {
        let went = h.moved_to.as_ref().map_or_else(|| format!("left in the inbox: {}", h.move_error.as_deref().unwrap_or("")), |t| format!("moved to {}", t.display()));
        if h.imported {
            println!("inbox: {}; {went}", h.report.join("; "));
        } else {
            eprintln!("kuzet: warning: inbox: {} rejected ({went}): {}", h.file.display(), h.report.join("; "));
        }
    }
    for f in &report.still_open {
        println!("inbox: {} is still open in a spreadsheet; left for the next run", f.display());
    }
    let rejected = report.handled.iter().filter(|h| !h.imported).count();
    if !report.handled.is_empty() {
        println!("inbox {}: {} files imported, {rejected} rejected", inbox.display(), report.handled.len() - rejected);
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
        "run {}: URLs: {} due at the start, {} discovered during the run, {} known; {} requests, {} pages analysed, {} unchanged ({} not modified), {} disallowed by robots.txt, {} redirects{}",
        summary.crawl.items.run_id, n.urls_due, n.urls_discovered, n.urls_known, c.requests, c.pages_analysed - c.unchanged, c.unchanged + c.not_modified, c.not_modified,
        c.robots_disallowed, c.redirects, if c.interrupted { ", interrupted" } else { "" }
    );
    println!(
        "findings: {} new, {} already decided (not queued again); the live queues hold {} waiting for a decision ({} from earlier nights)",
        n.new_findings, n.covered, n.queued, n.carried_over
    );
    if n.copies_grouped + n.decisions_carried + n.copies_requeued > 0 {
        println!(
            "clusters: {} copies listed under another copy's row, {} took the decision made on another copy (not queued), {} copies of decided messages queued again (new or stronger hits, or escalated)",
            n.copies_grouped, n.decisions_carried, n.copies_requeued
        );
    }
    for f in &n.floods {
        let usual = f.usual.map_or_else(|| "no earlier nights to compare".to_string(), |u| format!("usually {:.0}%", u * 100.0));
        eprintln!("kuzet: flood: {} fired on {} of tonight's findings ({:.0}%, {usual}); the report groups them", f.key, f.fired, f.share * 100.0);
    }
    if n.runs_pruned > 0 {
        println!("pruned {} run folders older than {} days from {}", n.runs_pruned, loaded.config.output.keep_runs_days, loaded.out.join("runs").display());
    }
    for f in &summary.crawl.items.failures {
        eprintln!("kuzet: failed: {}: {}", f.reference, f.error);
    }
    print_health(c);
    print_summary(&summary.crawl.items, &loaded.out);
    println!("store: {}  crawl log: {}  report: {}", n.store, loaded.out.join("crawl.csv").display(), loaded.out.join("report.html").display());
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
    if let Some(w) = kuzet::preflight::contact_warning(&config.user_agent, &seeds) {
        tracing::warn!("{w}");
    }
    let mut engine = kuzet::analyse::Engine::load(Lexicons::or_bundled(common.lexicons.clone())).context("loading lexicons")?;
    if let Some(dir) = &common.adapters {
        engine = engine.with_adapters(kuzet::adapters::Adapters::load_dir(&kuzet::nightly::resolved(dir))?);
    }
    let engine = Arc::new(engine);
    let start = seeds.iter().map(|s| kuzet::frontier::Target::new(s.clone(), 0)).collect();
    let mut job = kuzet::crawl::CrawlJob { seeds, start, known: Vec::new(), config, guard, out: common.out.clone(), run_id: common.run_id.clone().unwrap_or_else(kuzet::run_id), hashes: false };
    let summary = kuzet::crawl::run(&mut job, engine).with_context(|| format!("crawling into {}", kuzet::nightly::resolved(&common.out).display()))?;
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

