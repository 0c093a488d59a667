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
    /// Serve a folder on 127.0.0.1 until interrupted (for benchmarks and manual tests).
    Serve {
        /// The folder to serve.
        root: PathBuf,
        /// File to write the chosen address to (`127.0.0.1:PORT`), once listening.
        #[arg(long)]
        addr_file: Option<PathBuf>,
    },
    /// Serve samples/site on 127.0.0.1 and crawl it (the guard opened for that server only).
    Demo {
        /// The site to serve.
        #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/site"))]
        site: PathBuf,
        #[command(flatten)]
        common: CrawlArgs,
    },
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
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
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
            let seeds = read_seeds(&seeds)?;
            let summary = crawl(seeds, kuzet::guard::Guard { allow_private: common.allow_private, allow: common.allow_addr.clone() }, &common)?;
            Ok(if summary.items.failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Lexicon { command: LexiconCommand::Eval { data, lexicons, positive, json } } => {
            let engine = kuzet::analyse::Engine::load(&lexicons).context("loading lexicons")?;
            let paths: Vec<&Path> = data.iter().map(PathBuf::as_path).collect();
            let (records, skipped) = kuzet::evaluate::read(&paths)?;
            let positive = positive.into_iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
            let mut report = kuzet::evaluate::evaluate(&engine, &records, &positive);
            report.skipped_lines = skipped;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", kuzet::evaluate::render(&report));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Lexicon { command: LexiconCommand::Lint { lexicons } } => {
            let lexicon = kuzet::lexicon::Lexicon::load(&lexicons).context("loading lexicons")?;
            let common = kuzet::lint::load_common_words(&lexicons);
            let findings = kuzet::lint::lint(&lexicon, &common);
            for f in &findings {
                println!("{} {}: {}", if f.error { "error" } else { "warning" }, f.at, f.message);
            }
            let errors = findings.iter().filter(|f| f.error).count();
            println!("lexicon lint: {} entries, {} common words, {errors} errors, {} warnings", lexicon.entries.len(), common.len(), findings.len() - errors);
            Ok(if errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Lexicon { command: LexiconCommand::Test { lexicons } } => {
            let engine = kuzet::analyse::Engine::load(&lexicons).context("loading lexicons")?;
            let (cases, failures) = kuzet::evaluate::run_tests(&engine, &lexicons).map_err(anyhow::Error::msg)?;
            for f in &failures {
                println!("FAIL {}: expected {}, got {}: {}", f.at, f.expected, f.got, f.text);
            }
            println!("lexicon tests: {} passed, {} failed", cases - failures.len(), failures.len());
            Ok(if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Serve { root, addr_file } => {
            let server = kuzet::serve::Server::start(kuzet::serve::static_site(root.clone())).context("starting the server")?;
            println!("serving {} at {}", root.display(), server.url());
            if let Some(f) = addr_file {
                std::fs::write(&f, server.addr.to_string()).with_context(|| format!("writing {}", f.display()))?;
            }
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            rt.block_on(tokio::signal::ctrl_c())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { site, common } => {
            if !site.join("index.html").exists() {
                bail!("{}: no index.html to serve", site.display());
            }
            let server = kuzet::serve::Server::start(kuzet::serve::static_site(site.clone())).context("starting the demo server")?;
            println!("serving {} at {}", site.display(), server.url());
            let mut allow = common.allow_addr.clone();
            allow.push(server.addr);
            let guard = kuzet::guard::Guard { allow_private: common.allow_private, allow };
            let seed = url::Url::parse(&server.url())?;
            // Our own loopback server needs no 1 s pause; the site's Crawl-delay still holds.
            let common = CrawlArgs { delay_ms: common.delay_ms.or(Some(100)), ..common };
            crawl(vec![seed], guard, &common)?;
            Ok(ExitCode::SUCCESS)
        }
    }
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
    let job = kuzet::crawl::CrawlJob { seeds, config, guard, out: common.out.clone(), run_id: common.run_id.clone().unwrap_or_else(kuzet::run_id) };
    let summary = kuzet::crawl::run(&job, engine).with_context(|| format!("crawling into {}", common.out.display()))?;
    let c = &summary.crawl;
    println!(
        "crawled {} pages ({} requests, {} bytes, {} disallowed by robots.txt, {} redirects, {} retries, {:.1} pages/s){}",
        c.pages_analysed, c.requests, c.bytes, c.robots_disallowed, c.redirects, c.retries, c.pages_per_second,
        if c.interrupted { ", interrupted" } else { "" }
    );
    print_summary(&summary.items, &common.out);
    println!("crawl log: {}", common.out.join("crawl.csv").display());
    Ok(summary)
}

fn print_summary(summary: &kuzet::classify::Summary, out: &Path) {
    let p = |k: &str| summary.flagged_by_priority.get(k).copied().unwrap_or(0);
    println!(
        "read {} items, flagged {} (priority 1: {}, 2: {}, 3: {}; obfuscated: {}), failed {} in {} ms",
        summary.read, summary.flagged, p("1"), p("2"), p("3"), summary.obfuscated, summary.failed, summary.duration_ms
    );
    for (category, n) in &summary.flagged_by_category {
        println!("  {category}: {n} -> {}", out.join("queues").join(format!("{category}.csv")).display());
    }
    println!("summary: {}  (lexicon {}, run {})", out.join("summary.json").display(), summary.lexicon_version, summary.run_id);
}

fn read_seeds(path: &Path) -> anyhow::Result<Vec<url::Url>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading seeds {}", path.display()))?;
    let mut seeds = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let url = url::Url::parse(line).with_context(|| format!("{}:{}: not a URL: {line:?}", path.display(), i + 1))?;
        if !matches!(url.scheme(), "http" | "https") {
            bail!("{}:{}: only http and https seeds, got {line:?}", path.display(), i + 1);
        }
        seeds.push(url);
    }
    if seeds.is_empty() {
        bail!("{}: no seed URLs", path.display());
    }
    Ok(seeds)
}
