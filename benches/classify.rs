//! Throughput of the whole normalize + match + score path (`Engine::assess`).
//!
//! Run it with
//!
//! ```text
//! cargo bench --bench classify
//! KUZET_BENCH_MB=64 cargo bench --bench classify    # corpus size in MB (10^6 bytes), default 64
//! ```
//!
//! What it does:
//!
//! 1. Generates a deterministic corpus (fixed-seed splitmix64, no `rand`) of "documents" of
//!    2–20 KB each: Russian (~45%), Kazakh in Cyrillic (~25%), English (~25%) and Kazakh in the
//!    2021 Latin alphabet (~5%, transliterated from the Cyrillic word list). Words are drawn from
//!    small everyday news-style vocabularies with a Zipf-like distribution (rank r has weight
//!    1/r), sentences have 5–20 words, capitalization and punctuation, paragraphs are separated
//!    by blank lines, and about one paragraph in ten switches language. About one document in
//!    50 gets 1–3 terms of the shipped lexicon injected (stems get a plausible suffix), so the
//!    matcher and the scorer have real work to do.
//! 2. Measures single-thread MB/s of `engine.assess(doc)` over every document with the shipped
//!    lexicons (`lexicons/`): 3 runs and their median; the first run is also broken down by the
//!    documents' main language (Cyrillic text is 2 bytes a letter, so its MB/s is lower).
//! 3. Does the same with a synthetic 20,000-entry lexicon (the shipped one plus generated
//!    pseudo-words), and reports how long `Engine::new` took to compile it.
//! 4. Checks that screening changed nothing: every document is assessed again by matching its
//!    whole text (`Matcher::find_in`, no screening) and the two assessments are compared.
//! 5. Measures the shipped lexicon over 2 threads (`std::thread::scope`, the corpus split in two
//!    halves by bytes), one run, to compare with the single-thread per-core figure.
//!
//! The numbers are wall-clock time over the whole corpus, which is held in memory: no I/O is
//! measured, and anything else running on the machine (a build, say) lowers them, the 2-thread
//! figure most. The flagged counts are printed to show the work is real; they stay the same
//! across runs and machines, since everything is deterministic. A few flagged documents without
//! injected terms are quoted (top reason and the text it matched) to show what the plain
//! vocabulary trips over.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use kuzet::analyse::Engine;
use kuzet::score::Assessment;

#[path = "corpus.rs"]
mod corpus;
use corpus::*;

/// Default corpus size, in MB (10^6 bytes).
const DEFAULT_MB: f64 = 64.0;
/// Entries in the synthetic lexicon, shipped entries included.
const SYNTHETIC_ENTRIES: usize = 20_000;
/// Timed repetitions per single-thread measurement.
const RUNS: usize = 3;

fn main() {
    let mb = corpus_mb();
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/lexicons"));

    let started = Instant::now();
    let engine = Engine::load(dir).unwrap_or_else(|e| panic!("cannot load the lexicons in {}: {e}", dir.display()));
    let shipped = &engine.lexicon;
    let shipped_entries = shipped.entries.len();
    println!("shipped lexicon: {shipped_entries} entries, loaded and compiled in {} ms", started.elapsed().as_millis());

    let started = Instant::now();
    let corpus = generate_corpus(mb, shipped, &mut Rng::new(SEED));
    let bytes = corpus.bytes();
    println!(
        "corpus: {:.1} MB, {} documents ({} with injected terms), generated in {} ms",
        megabytes(bytes),
        corpus.docs.len(),
        corpus.injected(),
        started.elapsed().as_millis()
    );

    println!("\nshipped lexicon, single thread:");
    let shipped_runs = measure_runs(&engine, &corpus);

    let synthetic = synthetic_lexicon(shipped, SYNTHETIC_ENTRIES, &mut Rng::new(SEED ^ 0x5eed));
    let synthetic_entries = synthetic.entries.len();
    let started = Instant::now();
    let synthetic_engine = Engine::new(synthetic);
    let build = started.elapsed();
    println!("\nsynthetic lexicon ({synthetic_entries} entries, Engine::new in {} ms), single thread:", build.as_millis());
    let synthetic_runs = measure_runs(&synthetic_engine, &corpus);

    println!("\nscreening against whole-text matching (same assessment for every document?):");
    let differ = screening_differences(&engine, &corpus);
    println!("  shipped lexicon: {differ} of {} documents differ", corpus.docs.len());
    let synthetic_differ = screening_differences(&synthetic_engine, &corpus);
    println!("  synthetic lexicon: {synthetic_differ} of {} documents differ", corpus.docs.len());
    drop(synthetic_engine);

    println!("\nshipped lexicon, 2 threads:");
    let parallel = measure_threads(&engine, &corpus, 2);
    println!("  {:.1} MB/s ({:.2} s), flagged {}", parallel.mb_per_s(bytes), parallel.time.as_secs_f64(), parallel.flagged);

    println!("\n== summary ==");
    println!("corpus: {:.1} MB, {} documents ({} with injected terms)", megabytes(bytes), corpus.docs.len(), corpus.injected());
    println!(
        "shipped lexicon ({shipped_entries} entries): single thread median {:.1} MB/s (runs: {}), flagged {}",
        median_mb_per_s(&shipped_runs, bytes),
        list_runs(&shipped_runs, bytes),
        shipped_runs[0].flagged_summary()
    );
    println!(
        "synthetic lexicon ({synthetic_entries} entries, built in {} ms): single thread median {:.1} MB/s (runs: {}), flagged {}",
        build.as_millis(),
        median_mb_per_s(&synthetic_runs, bytes),
        list_runs(&synthetic_runs, bytes),
        synthetic_runs[0].flagged_summary()
    );
    println!(
        "shipped lexicon, 2 threads: {:.1} MB/s ({:.1} MB/s per thread)",
        parallel.mb_per_s(bytes),
        parallel.mb_per_s(bytes) / 2.0
    );
    println!("screening: {differ} (shipped) and {synthetic_differ} (synthetic) documents assessed differently from whole-text matching");
}

/// Documents whose assessment with screening (`Engine::assess`) differs from matching the
/// whole text (`Matcher::find_in`): screening must never change a result.
fn screening_differences(engine: &Engine, corpus: &Corpus) -> usize {
    corpus
        .docs
        .iter()
        .filter(|d| {
            let whole = engine.matcher.find_in(&d.text, &kuzet::normalize::strict(&d.text));
            engine.assess(&d.text).1 != kuzet::score::assess(&d.text, &whole, &engine.lexicon)
        })
        .count()
}

/// The corpus size asked for with `KUZET_BENCH_MB`, or the default.
fn corpus_mb() -> f64 {
    match std::env::var("KUZET_BENCH_MB") {
        Ok(v) => match v.trim().parse::<f64>() {
            Ok(mb) if mb > 0.0 && mb.is_finite() => mb,
            _ => panic!("KUZET_BENCH_MB must be a positive number of MB, not {v:?}"),
        },
        Err(_) => DEFAULT_MB,
    }
}

fn megabytes(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

// ---------------------------------------------------------------------------------------------
// Measuring

/// The outcome of one pass over (part of) the corpus.
#[derive(Debug, Clone, Default)]
struct Run {
    time: Duration,
    flagged: usize,
    /// Flagged documents without injected terms: matches of the plain vocabulary.
    flagged_clean: usize,
    hits: usize,
    /// The top reason of the first few of those, as `term → "text"`.
    clean_samples: Vec<String>,
    /// Bytes and time per document language, indexed by [`Lang::index`].
    by_lang: [(usize, Duration); 4],
}

/// How many flagged documents without injected terms are quoted per run.
const SAMPLES: usize = 4;

impl Run {
    fn mb_per_s(&self, bytes: usize) -> f64 {
        megabytes(bytes) / self.time.as_secs_f64()
    }

    /// MB/s per document language.
    fn by_lang_summary(&self) -> String {
        Lang::ALL
            .iter()
            .map(|l| {
                let (bytes, time) = self.by_lang[l.index()];
                format!("{} {:.1}", l.name(), megabytes(bytes) / time.as_secs_f64())
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn flagged_summary(&self) -> String {
        format!("{} ({} without injected terms), {} hits", self.flagged, self.flagged_clean, self.hits)
    }
}

/// Assesses every document once, timing the whole pass.
fn measure(engine: &Engine, docs: &[Doc]) -> Run {
    let mut run = Run::default();
    let started = Instant::now();
    for doc in docs {
        let doc_started = Instant::now();
        let (hits, assessment) = black_box(engine.assess(black_box(&doc.text)));
        let slot = &mut run.by_lang[doc.lang.index()];
        slot.0 += doc.text.len();
        slot.1 += doc_started.elapsed();
        run.hits += hits.len();
        if assessment.is_flagged() {
            run.flagged += 1;
            if !doc.injected {
                run.flagged_clean += 1;
                if run.clean_samples.len() < SAMPLES {
                    run.clean_samples.push(top_reason(&assessment, &doc.text));
                }
            }
        }
    }
    run.time = started.elapsed();
    run
}

/// [`RUNS`] single-thread passes, each printed as it ends.
fn measure_runs(engine: &Engine, corpus: &Corpus) -> Vec<Run> {
    let bytes = corpus.bytes();
    (1..=RUNS)
        .map(|i| {
            let run = measure(engine, &corpus.docs);
            println!(
                "  run {i}: {:.1} MB/s ({:.2} s), flagged {}",
                run.mb_per_s(bytes),
                run.time.as_secs_f64(),
                run.flagged_summary()
            );
            if i == 1 {
                println!("  by document language, MB/s: {}", run.by_lang_summary());
            }
            if i == 1 && !run.clean_samples.is_empty() {
                println!("  flagged without injected terms, e.g.: {}", run.clean_samples.join("; "));
            }
            run
        })
        .collect()
}

/// The strongest reason of `assessment` and the text of its first span.
fn top_reason(assessment: &Assessment, text: &str) -> String {
    match assessment.reasons.first() {
        Some(r) => {
            let quote = r.spans.first().and_then(|s| text.get(s.clone())).unwrap_or("");
            format!("{} → {quote:?}", r.label)
        }
        None => "no reason given".into(),
    }
}

/// One pass with the corpus split into `threads` parts of about the same number of bytes.
fn measure_threads(engine: &Engine, corpus: &Corpus, threads: usize) -> Run {
    let parts = split_by_bytes(&corpus.docs, threads);
    let started = Instant::now();
    let runs: Vec<Run> = std::thread::scope(|s| {
        let handles: Vec<_> = parts.iter().map(|part| s.spawn(|| measure(engine, part))).collect();
        handles.into_iter().map(|h| h.join().expect("a benchmark thread panicked")).collect()
    });
    let mut total = Run { time: started.elapsed(), ..Run::default() };
    for run in &runs {
        total.flagged += run.flagged;
        total.flagged_clean += run.flagged_clean;
        total.hits += run.hits;
    }
    total
}

/// Splits `docs` into `parts` consecutive slices of about the same number of bytes.
fn split_by_bytes(docs: &[Doc], parts: usize) -> Vec<&[Doc]> {
    let total: usize = docs.iter().map(|d| d.text.len()).sum();
    let mut out = Vec::with_capacity(parts);
    let (mut start, mut acc) = (0, 0);
    for (i, doc) in docs.iter().enumerate() {
        acc += doc.text.len();
        if out.len() + 1 < parts && acc * parts >= total * (out.len() + 1) {
            out.push(&docs[start..=i]);
            start = i + 1;
        }
    }
    out.push(&docs[start..]);
    out
}

fn median_mb_per_s(runs: &[Run], bytes: usize) -> f64 {
    let mut speeds: Vec<f64> = runs.iter().map(|r| r.mb_per_s(bytes)).collect();
    speeds.sort_by(f64::total_cmp);
    speeds[speeds.len() / 2]
}

fn list_runs(runs: &[Run], bytes: usize) -> String {
    runs.iter().map(|r| format!("{:.1}", r.mb_per_s(bytes))).collect::<Vec<_>>().join(", ")
}

