//! Throughput of pages split into posts by a site adapter against the plain path.
//!
//! ```text
//! cargo bench --bench adapters
//! KUZET_BENCH_MB=16 cargo bench --bench adapters    # corpus size in MB (10^6 bytes), default 16
//! ```
//!
//! Generates a deterministic corpus of forum threads (phpBB markup: 20 posts of 2–6 sentences a
//! page, English and Russian everyday words, one post in 40 with a violent phrase) and measures
//! single-thread MB/s of [`analyse_page`] (decode, extract, hash, split, analyse) three ways:
//! the thread pages with the bundled adapters (split into posts, each analysed), the same pages
//! with no adapters (the plain path: one item a page), and plain pages of the same text without
//! forum markup with the bundled adapters (what every page without posts pays for the adapter
//! check). Median of 3 runs each.

use std::hint::black_box;
use std::time::Instant;

use kuzet::adapters::Adapters;
use kuzet::analyse::{Engine, Hashing, analyse_page};
use url::Url;

const WORDS_EN: &[&str] = &["the", "road", "weather", "market", "school", "bus", "friend", "city", "park", "morning", "tickets", "match", "price", "dinner", "river", "bridge", "winter", "garden", "library", "music"];
const WORDS_RU: &[&str] = &["дорога", "погода", "рынок", "школа", "автобус", "друг", "город", "парк", "утро", "билеты", "матч", "цена", "ужин", "река", "мост", "зима", "сад", "музыка"];

/// splitmix64: a fixed-seed generator, so every run measures the same corpus.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[(self.next() % list.len() as u64) as usize]
    }
}

fn post_text(rng: &mut Rng) -> String {
    let words = if rng.next() % 2 == 0 { WORDS_EN } else { WORDS_RU };
    let mut text = String::new();
    for _ in 0..2 + rng.next() % 5 {
        for i in 0..5 + rng.next() % 10 {
            if i > 0 {
                text.push(' ');
            }
            text.push_str(rng.pick(words));
        }
        text.push_str(". ");
    }
    if rng.next() % 40 == 0 {
        text.push_str("I will kill you all tomorrow.");
    }
    text
}

/// A thread page in phpBB markup, and the same posts without forum markup.
fn pages(rng: &mut Rng, page: usize) -> (String, String) {
    let mut forum = format!("<!DOCTYPE html><html><head><title>Thread {page}</title></head><body id=\"phpbb\"><h2 class=\"topic-title\">Thread {page}</h2>");
    let mut plain = format!("<!DOCTYPE html><html><head><title>Thread {page}</title></head><body><h2>Thread {page}</h2>");
    for p in 0..20 {
        let id = page * 100 + p;
        let text = post_text(rng);
        forum.push_str(&format!(
            "<div id=\"p{id}\" class=\"post bg2\"><div class=\"inner\"><dl class=\"postprofile\"><dt><a class=\"username\">user{p}</a></dt></dl><div class=\"postbody\">\
             <p class=\"author\"><a href=\"./viewtopic.php?p={id}#p{id}\">#</a> by <a class=\"username\">user{p}</a> <time datetime=\"2026-11-01T10:{:02}:00Z\">1 Nov</time></p>\
             <div class=\"content\">{text}</div></div></div></div>",
            p % 60
        ));
        plain.push_str(&format!("<div class=\"msg\"><p><b>user{p}</b> 1 Nov</p><p>{text}</p></div>"));
    }
    forum.push_str("</body></html>");
    plain.push_str("</body></html>");
    (forum, plain)
}

/// Median MB/s of [`analyse_page`] over `pages` served at `url`, and the items they made.
fn mb_per_s(engine: &Engine, pages: &[String], url: &str) -> (f64, usize) {
    let url = Url::parse(url).unwrap();
    let bytes: usize = pages.iter().map(String::len).sum();
    let mut runs = Vec::new();
    let mut items = 0;
    for _ in 0..3 {
        let started = Instant::now();
        items = 0;
        for page in pages {
            let a = analyse_page(&url, "text/html", Some("utf-8"), page.as_bytes(), engine, Hashing::Keep(None));
            items += a.items.len().max(1);
            black_box(a);
        }
        runs.push(bytes as f64 / 1e6 / started.elapsed().as_secs_f64());
    }
    runs.sort_by(f64::total_cmp);
    (runs[1], items)
}

fn main() {
    let mb: f64 = std::env::var("KUZET_BENCH_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(16.0);
    let mut rng = Rng(0x6B75_7A65_74);
    let (mut forum, mut plain) = (Vec::new(), Vec::new());
    let mut size = 0;
    while (size as f64) < mb * 1e6 {
        let (f, p) = pages(&mut rng, forum.len());
        size += f.len();
        forum.push(f);
        plain.push(p);
    }
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/lexicons"));
    let with = Engine::load(dir).expect("the shipped lexicons");
    let without = Engine::load(dir).expect("the shipped lexicons").with_adapters(Adapters::none());
    println!("corpus: {} thread pages, {:.1} MB (plain twins {:.1} MB)", forum.len(), size as f64 / 1e6, plain.iter().map(String::len).sum::<usize>() as f64 / 1e6);
    // Thread pages at a URL no adapter pattern matches: the markup alone finds the adapter.
    // The plain twins too, so the figure is the hint check every ordinary page pays.
    let (thread_url, plain_url) = ("https://forum.example/saved/thread.html", "https://news.example/2026/11/story.html");
    let (split, posts) = mb_per_s(&with, &forum, thread_url);
    let (whole, pages_n) = mb_per_s(&without, &forum, thread_url);
    let (plain_check, _) = mb_per_s(&with, &plain, plain_url);
    let (plain_none, _) = mb_per_s(&without, &plain, plain_url);
    println!("thread pages split into posts (bundled adapters): {split:.1} MB/s, {posts} posts");
    println!("thread pages, plain path (no adapters):           {whole:.1} MB/s, {pages_n} pages");
    println!("pages without posts, bundled adapters:            {plain_check:.1} MB/s");
    println!("pages without posts, no adapters:                 {plain_none:.1} MB/s");
}
