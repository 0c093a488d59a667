//! Scale: what a million known URLs cost, and how classification time grows with the lexicon
//! and with the page.
//!
//! ```text
//! cargo bench --bench scale                       # KUZET_SCALE_URLS=1000000 by default
//! ```
//!
//! 1. **Frontier**: 1,000,000 generated URLs (1,000 hosts, paths and queries of realistic length)
//!    marked seen and queued as fetch targets, as a crawl holds them; and the same number only
//!    marked known (the nightly run's URLs that are not due). Time to enqueue, peak RSS.
//! 2. **State store**: the same URLs inserted into a fresh SQLite store (batches of 10,000 per
//!    transaction, as discovered links are), then the nightly run's start: choosing the due URLs
//!    with [`kuzet::nightly::due`] (all due, the worst case; then none due). Time, peak RSS, file
//!    size.
//! 3. **Lexicon size**: single-thread MB/s of `Engine::assess` over an 8 MB corpus with synthetic
//!    lexicons of 1,000, 2,000, 10,000, 20,000 and 100,000 entries, and their build times.
//! 4. **Page size**: time per page for pages of 1 KB to 5 MB (each size about 16 MB of text
//!    cut from the corpus read as a ring; best of five rounds over all sizes in turn): time per
//!    MB should stay flat, so doubling a page at most doubles its time.
//! 5. **Hostile input**: extraction of pages built to make a tree builder walk its stack of
//!    open elements again and again (200,000 nested `div`s, lists, stray end tags, SVG and
//!    skipped elements left open), and classification of text that is nothing but hits, at
//!    1 MB and 4 MB: time per MB should stay flat.
//!
//! 6. **Near-duplicate clusters**: 250,000, 500,000 and 1,000,000 synthetic fingerprints (half
//!    unrelated posts, half edited copies of n/10 messages: 15% of a message's 40 shingles
//!    dropped and 3 new ones added per copy) placed one by one into [`kuzet::clusters::Index`],
//!    each size in its own process: time per item should stay flat (linear time), peak RSS under
//!    300 MB at 1,000,000; purity and completeness against the generated truth.
//!
//! Each of 1–2 runs in a child process of its own (this program runs itself with `--phase`), so
//! that each peak RSS is its own.

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use kuzet::analyse::Engine;
use kuzet::frontier::{Frontier, Target, canonical_key, key_hash};

#[path = "corpus.rs"]
#[allow(dead_code)] // shared with classify.rs, which uses all of it
mod corpus;
use corpus::*;

const DEFAULT_URLS: usize = 1_000_000;
const HOSTS: usize = 1_000;
const LEXICON_SIZES: [usize; 5] = [1_000, 2_000, 10_000, 20_000, 100_000];
const PAGE_SIZES: [usize; 7] = [1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 5 << 20];
const CORPUS_MB: f64 = 8.0;
/// Rounds over all page sizes in the page-size phase (each size's best counts).
const PAGE_ROUNDS: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--phase") {
        let phase = args.get(i + 1).map(String::as_str).unwrap_or("");
        match phase {
            "frontier" => frontier(urls(), false),
            "known" => frontier(urls(), true),
            "store" => store(urls()),
            "lexicon" => lexicon_sizes(),
            "pages" => page_sizes(),
            "markup" => hostile_markup(),
            other if other.starts_with("clusters:") => clusters(other["clusters:".len()..].parse().expect("clusters:N")),
            other => panic!("unknown phase {other:?}"),
        }
        return;
    }
    println!("kuzet scale benchmark ({} URLs; each phase in its own process)\n", urls());
    let mut summary = Vec::new();
    for phase in ["frontier", "known", "store", "lexicon", "pages", "markup", "clusters:250000", "clusters:500000", "clusters:1000000"] {
        let (out, rss_kib) = child(phase);
        print!("{out}");
        println!("  [{phase}: peak RSS of the process {:.1} MiB]\n", rss_kib as f64 / 1024.0);
        summary.push((phase, out, rss_kib));
    }
    println!("== summary ==");
    for (phase, out, rss) in summary {
        for line in out.lines().filter(|l| l.starts_with("= ")) {
            println!("{phase}: {}", &line[2..]);
        }
        println!("{phase}: peak RSS {:.1} MiB", rss as f64 / 1024.0);
    }
}

fn urls() -> usize {
    std::env::var("KUZET_SCALE_URLS").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(DEFAULT_URLS)
}

/// Runs this program with `--phase NAME`; its stdout and peak RSS (VmHWM) in KiB.
fn child(phase: &str) -> (String, i64) {
    let exe = std::env::current_exe().expect("own path");
    let out = Command::new(exe).args(["--phase", phase]).output().expect("run phase");
    assert!(out.status.success(), "phase {phase} failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let peak = text.lines().find_map(|l| l.strip_prefix("vmhwm_kib ")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    (text.lines().filter(|l| !l.starts_with("vmhwm_kib ")).map(|l| format!("{l}\n")).collect(), peak)
}

/// Prints this process's peak RSS for the parent.
fn report_peak() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(kib) = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<i64>().ok()) {
        println!("vmhwm_kib {kib}");
    }
}

/// The `i`-th generated URL: 1,000 hosts, a few path segments, sometimes a query.
fn url(i: usize, rng: &mut Rng) -> String {
    let host = i % HOSTS;
    let depth = rng.range(1, 4);
    let mut path = String::new();
    for _ in 0..depth {
        path.push('/');
        path.push_str(&pseudo_word(EN_CONSONANTS, EN_VOWELS, rng.range(3, 9), rng));
    }
    let query = if rng.chance(0.3) { format!("?page={}&id={}", rng.below(100), i) } else { format!("-{i}.html") };
    format!("https://www.site{host}.example.kz{path}{query}")
}

fn frontier(n: usize, known_only: bool) {
    let mut rng = Rng::new(SEED);
    let mut bytes = 0;
    let started = Instant::now();
    let mut frontier = Frontier::default();
    let mut queued = 0;
    for i in 0..n {
        // Generated one at a time (generating counts in the time, not in the memory).
        let u = url(i, &mut rng);
        bytes += u.len();
        let parsed = url::Url::parse(&u).expect("generated URL parses");
        if known_only {
            frontier.mark_known(key_hash(&canonical_key(&parsed)));
        } else if frontier.mark_seen(&parsed) && frontier.push(Target::new(parsed, 1), usize::MAX) {
            queued += 1;
        }
    }
    let took = started.elapsed();
    let what = if known_only { "marked known (not due)" } else { "queued as targets" };
    println!("frontier: {n} URLs ({:.0} MB of URL text) {what} in {:.2} s ({:.0} URLs/s); {} seen, {queued} queued", bytes as f64 / 1e6, took.as_secs_f64(), n as f64 / took.as_secs_f64(), frontier.seen());
    println!("= {n} URLs {what}: {:.2} s", took.as_secs_f64());
    black_box(&frontier);
    report_peak();
}

fn store(n: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("kuzet.sqlite");
    let mut store = kuzet::store::Store::open(&path, Some("bench")).expect("store");
    let mut rng = Rng::new(SEED);
    let started = Instant::now();
    let now = kuzet::store::now();
    let mut i = 0;
    while i < n {
        let batch: Vec<String> = (i..(i + 10_000).min(n)).map(|k| url(k, &mut rng)).collect();
        store
            .write(|tx| {
                let mut stmt = tx.prepare_cached(
                    "INSERT INTO url (key, url, depth, state, first_seen) VALUES (?1, ?2, ?3, 'pending', ?4) \
                     ON CONFLICT (key) DO UPDATE SET depth = excluded.depth WHERE excluded.depth < url.depth",
                )?;
                for u in &batch {
                    let parsed = url::Url::parse(u).expect("generated URL parses");
                    stmt.execute(rusqlite::params![canonical_key(&parsed), u, 1, now])?;
                }
                Ok(())
            })
            .expect("insert");
        i += batch.len();
    }
    let insert = started.elapsed();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) + std::fs::metadata(dir.path().join("kuzet.sqlite-wal")).map(|m| m.len()).unwrap_or(0);
    println!("store: {n} URLs inserted in {:.2} s ({:.0} URLs/s), {:.0} MB on disk", insert.as_secs_f64(), n as f64 / insert.as_secs_f64(), size as f64 / 1e6);
    let started = Instant::now();
    let policy = kuzet::revisit::Policy { revisit: Default::default(), lexicon_version: "lex-bench".into(), force: None };
    let (due, known) = kuzet::nightly::due(&store.conn, now + 1, &policy).expect("due");
    let chosen = due.len();
    // Into the crawl's frontier, as the dispatcher takes them.
    let mut frontier = Frontier::default();
    for hash in known {
        frontier.mark_known(hash);
    }
    frontier.push_all(due, usize::MAX, |_| true);
    let took = started.elapsed();
    println!("store: a nightly start with all {chosen} due: chosen and queued in {:.2} s ({} queued)", took.as_secs_f64(), frontier.pending());
    drop(frontier);
    store.conn.execute("UPDATE url SET state = 'exported', next_visit = ?1", [now + 3600]).expect("update");
    let started = Instant::now();
    let (due, known) = kuzet::nightly::due(&store.conn, now + 1, &policy).expect("due");
    println!("store: a nightly start with none due: {} due, {} known, in {:.2} s", due.len(), known.len(), started.elapsed().as_secs_f64());
    println!("= {n} URLs: insert {:.1} s, nightly start (all due) {:.2} s", insert.as_secs_f64(), took.as_secs_f64());
    report_peak();
}

/// Shingles per synthetic message.
const MESSAGE_SHINGLES: u64 = 40;

/// A synthetic item's shingles: message `base`'s, or an edited copy of them.
fn synthetic_shingles(base: u64, edited: bool, rng: &mut Rng, out: &mut Vec<u64>) {
    out.clear();
    for k in 0..MESSAGE_SHINGLES {
        if !edited || !rng.chance(0.15) {
            out.push(kuzet::fingerprint::mix(base * 1_000 + k));
        }
    }
    if edited {
        out.extend((0..3).map(|_| rng.next_u64()));
    }
}

fn clusters(n: usize) {
    use kuzet::clusters::{DEFAULT_THRESHOLD, Index};
    use kuzet::fingerprint::{Fingerprint, minhash};
    let messages = (n / 10).max(1) as u64;
    let mut rng = Rng::new(SEED);
    let mut index = Index::new(DEFAULT_THRESHOLD);
    let mut labels: Vec<u32> = Vec::with_capacity(n);
    let mut shingles = Vec::new();
    let mut placing = std::time::Duration::ZERO;
    let mut joined = 0usize;
    let started = Instant::now();
    for i in 0..n {
        // Generated one at a time; only placing counts in the time.
        let (base, edited) = if rng.chance(0.5) { (messages + i as u64, false) } else { (rng.below(messages as usize) as u64, true) };
        synthetic_shingles(base, edited, &mut rng, &mut shingles);
        let fp = Fingerprint { minhash: minhash(&shingles), exact: base, shingles: shingles.len() as u32 };
        let t = Instant::now();
        let placed = index.add(&fp).expect("room");
        placing += t.elapsed();
        joined += usize::from(placed.nearest.is_some());
        labels.push(base as u32);
    }
    let total = started.elapsed();
    let (purity, completeness) = purity_completeness(&index, &labels);
    println!(
        "clusters: {n} fingerprints placed in {:.2} s ({:.2} µs each; {:.2} s with generating them), {joined} joined a cluster; index {:.0} MB; purity {purity:.4}, completeness {completeness:.4}",
        placing.as_secs_f64(),
        placing.as_secs_f64() * 1e6 / n as f64,
        total.as_secs_f64(),
        index.heap_bytes() as f64 / 1e6,
    );
    println!("= {n} fingerprints clustered: {:.2} s ({:.2} µs each), purity {purity:.3}, completeness {completeness:.3}", placing.as_secs_f64(), placing.as_secs_f64() * 1e6 / n as f64);
    black_box(&index);
    report_peak();
}

/// Purity and completeness of the index's clusters against `labels` (see tests/clusters.rs).
fn purity_completeness(index: &kuzet::clusters::Index, labels: &[u32]) -> (f64, f64) {
    let mut pairs: Vec<(u32, u32)> = labels.iter().enumerate().map(|(m, &l)| (index.cluster_of(m as u32).expect("member"), l)).collect();
    // Sum over groups (by the first of the pair) of the largest count of one second value.
    let best = |pairs: &mut Vec<(u32, u32)>| {
        pairs.sort_unstable();
        let mut sum = 0usize;
        let mut i = 0;
        while i < pairs.len() {
            let (group, mut most, mut j) = (pairs[i].0, 0, i);
            while j < pairs.len() && pairs[j].0 == group {
                let k = j;
                while j < pairs.len() && pairs[j] == pairs[k] {
                    j += 1;
                }
                most = most.max(j - k);
            }
            sum += most;
            i = j;
        }
        sum as f64 / pairs.len() as f64
    };
    let purity = best(&mut pairs);
    for p in pairs.iter_mut() {
        *p = (p.1, p.0);
    }
    (purity, best(&mut pairs))
}

fn engine_corpus() -> (Engine, Corpus) {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/lexicons"));
    let engine = Engine::load(dir).expect("bundled lexicons");
    let corpus = generate_corpus(CORPUS_MB, &engine.lexicon, &mut Rng::new(SEED));
    (engine, corpus)
}

/// Single-thread seconds for one pass of `engine` over `docs`.
fn once(engine: &Engine, docs: &[&str]) -> f64 {
    let started = Instant::now();
    for d in docs {
        black_box(engine.assess(d));
    }
    started.elapsed().as_secs_f64()
}

/// [`once`], best of three.
fn pass(engine: &Engine, docs: &[&str]) -> f64 {
    (0..3).map(|_| once(engine, docs)).fold(f64::INFINITY, f64::min)
}

fn lexicon_sizes() {
    let (engine, corpus) = engine_corpus();
    let docs: Vec<&str> = corpus.docs.iter().map(|d| d.text.as_str()).collect();
    let bytes = corpus.bytes() as f64;
    let mut figures = Vec::new();
    for &size in &LEXICON_SIZES {
        let lexicon = synthetic_lexicon(&engine.lexicon, size, &mut Rng::new(SEED ^ 0x5eed));
        let started = Instant::now();
        let e = Engine::new(lexicon);
        let build = started.elapsed().as_secs_f64();
        let secs = pass(&e, &docs);
        let mbs = bytes / 1e6 / secs;
        println!("lexicon {size:>7} entries: built in {:.2} s, {mbs:.1} MB/s single thread", build);
        figures.push((size, mbs));
    }
    let at = |n: usize| figures.iter().find(|(s, _)| *s == n).map_or(f64::NAN, |(_, m)| *m);
    println!("= 2,000 -> 20,000 entries: throughput x{:.2} (the aim: at least x0.5); 1,000 -> 100,000: x{:.2}", at(20_000) / at(2_000), at(100_000) / at(1_000));
    report_peak();
}

fn hostile_markup() {
    type Page = fn(usize) -> String;
    let pages: [(&str, Page); 8] = [
        ("nested divs", |n| "<div>".repeat(n)),
        ("nested lists", |n| "<ul><li>".repeat(n / 2)),
        ("p under a table, stray end tags", |n| format!("<p><table>{}{}", "<div>".repeat(n / 2), "</section>".repeat(n / 2))),
        ("list items under divs", |n| format!("<li>{}{}", "<div>".repeat(n / 2), "<li>".repeat(n / 2))),
        ("nested svg, stray </math>", |n| format!("{}{}", "<svg>".repeat(n / 2), "</math>".repeat(n / 2))),
        ("objects, then svg left by <p>", |n| format!("{}{}", "<object>".repeat(n / 2), "<svg><p>".repeat(n / 2))),
        ("objects, stray </template>", |n| format!("{}{}", "<object>".repeat(n / 2), "</template>".repeat(n / 2))),
        ("a form around divs", |n| format!("<form>{}{}", "<div>".repeat(n / 2), "</form>".repeat(n / 2))),
    ];
    let mut worst = 0.0f64;
    for (name, page) in pages {
        let mut per_mb = Vec::new();
        for n in [200_000, 800_000] {
            let html = page(n);
            let secs = (0..3)
                .map(|_| {
                    let started = Instant::now();
                    black_box(kuzet::extract::html(black_box(&html)));
                    started.elapsed().as_secs_f64()
                })
                .fold(f64::INFINITY, f64::min);
            per_mb.push(secs * 1e3 / (html.len() as f64 / 1e6));
        }
        worst = worst.max(per_mb[1] / per_mb[0]);
        println!("{name:<34} {:>6.1} ms per MB (about 1 MB), {:>6.1} ms per MB (about 4 MB)", per_mb[0], per_mb[1]);
    }
    println!("= hostile markup: time per MB at 4x the size is at most x{worst:.2} that at 1x (1.00 = linear)");
    // Text that is nothing but hits: every word a term, a rule's cue or leet.
    let engine = Engine::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/lexicons"))).expect("bundled lexicons");
    let texts: [(&str, &str); 4] = [
        ("kill them all now", "kill them all now "),
        ("убейте неверных джихад", "убейте неверных джихад "),
        ("k1ll 7h3m", "k1ll 7h3m "),
        ("«убейте неверных», quoted", "«убейте неверных» "),
    ];
    let mut worst = 0.0f64;
    for (name, unit) in texts {
        let mut per_mb = Vec::new();
        for mb in [1usize, 4] {
            let text = unit.repeat(mb * 1_000_000 / unit.len());
            let started = Instant::now();
            black_box(engine.assess(black_box(&text)));
            per_mb.push(started.elapsed().as_secs_f64() * 1e3 / (text.len() as f64 / 1e6));
        }
        worst = worst.max(per_mb[1] / per_mb[0]);
        println!("{name:<34} {:>6.1} ms per MB (about 1 MB), {:>6.1} ms per MB (about 4 MB)", per_mb[0], per_mb[1]);
    }
    println!("= text of nothing but hits: time per MB at 4x the size is at most x{worst:.2} that at 1x (1.00 = linear)");
    report_peak();
}

fn page_sizes() {
    let (engine, corpus) = engine_corpus();
    let all: String = corpus.docs.iter().map(|d| d.text.as_str()).collect::<Vec<_>>().join("\n\n");
    // Pages of each size cut one after the other from the corpus read as a ring (it follows
    // itself after a blank line), about twice round: every size reads the same text, about
    // evenly, whatever its length (pages cut from the start over and over would leave the
    // largest ones a part of it only).
    let ring = format!("{all}\n\n{all}");
    let period = all.len() + 2;
    let sets: Vec<Vec<&str>> = PAGE_SIZES
        .iter()
        .map(|&size| {
            let count = ((2 * period) as f64 / size as f64).round().max(3.0) as usize;
            (0..count)
                .map(|k| {
                    let mut start = k * size % period;
                    while !ring.is_char_boundary(start) {
                        start += 1;
                    }
                    let mut end = (start + size).min(ring.len());
                    while !ring.is_char_boundary(end) {
                        end -= 1;
                    }
                    &ring[start..end]
                })
                .collect()
        })
        .collect();
    // Rounds that pass over every size in turn, so that a change in the machine's pace between
    // rounds touches all sizes alike; each size's best round counts.
    let mut best = vec![f64::INFINITY; sets.len()];
    for _ in 0..PAGE_ROUNDS {
        for (k, pages) in sets.iter().enumerate() {
            best[k] = best[k].min(once(&engine, pages));
        }
    }
    let mut previous: Option<(usize, f64)> = None;
    let mut per_mb_seen: Vec<f64> = Vec::new();
    let mut worst = 0.0f64;
    // The most a doubling of page size multiplied time by, over the steps (a step of x4 in
    // size taking x4.2 the time is 2.05 per doubling).
    let mut worst_doubling = 0.0f64;
    for ((&size, pages), secs) in PAGE_SIZES.iter().zip(&sets).zip(best) {
        let per_page = secs / pages.len() as f64;
        let per_mb = secs / (pages.iter().map(|p| p.len()).sum::<usize>() as f64 / 1e6);
        let ratio = previous.map(|(_, p)| per_page / p);
        if let Some((smaller, p)) = previous {
            worst_doubling = worst_doubling.max((per_page / p).powf(2f64.ln() / (size as f64 / smaller as f64).ln()));
        }
        // Time per MB of this size against every smaller size: above 1 means bigger pages
        // cost more per byte (a doubling more than doubles the time).
        for &smaller in &per_mb_seen {
            worst = worst.max(per_mb / smaller);
        }
        per_mb_seen.push(per_mb);
        println!(
            "page {:>8} bytes: {:>9.3} ms per page, {:.2} ms per MB{}",
            size,
            per_page * 1e3,
            per_mb * 1e3,
            ratio.map_or(String::new(), |r| format!(", x{r:.3} the previous size's time"))
        );
        previous = Some((size, per_page));
    }
    println!("= time per MB of a larger page is at most x{worst:.2} that of a smaller one (1.00 = linear; from run to run this moves by about 1%)");
    println!("= doubling page size multiplied time by at most x{worst_doubling:.3} (the aim: at most x2)");
    report_peak();
}
