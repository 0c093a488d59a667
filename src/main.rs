//! The `kuzet` command line: parse arguments, call the library, map the outcome to an exit
//! code (0 success, 1 finished with failed items, 2 fatal).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

/// Find calls to violence, violent threats and terrorist propaganda; write review queues.
#[derive(Debug, Parser)]
#[command(name = "kuzet", version, about)]
struct Args {
    #[command(subcommand)]
    command: Command,
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
}

fn default_lexicons() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/lexicons")
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kuzet: error: {e:#}");
            ExitCode::from(2)
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
            let p = |k: &str| summary.flagged_by_priority.get(k).copied().unwrap_or(0);
            println!(
                "read {} items, flagged {} (priority 1: {}, 2: {}, 3: {}; obfuscated: {}), failed {} in {} ms",
                summary.read, summary.flagged, p("1"), p("2"), p("3"), summary.obfuscated, summary.failed, summary.duration_ms
            );
            for (category, n) in &summary.flagged_by_category {
                println!("  {category}: {n} -> {}", out.join("queues").join(format!("{category}.csv")).display());
            }
            println!("summary: {}  (lexicon {}, run {})", out.join("summary.json").display(), summary.lexicon_version, summary.run_id);
            Ok(if summary.failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
    }
}
