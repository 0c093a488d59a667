//! Hostile hosts (issue 19): one site answering badly must never stop the night. Each case is
//! a loopback server with one bad behaviour beside a good host, and the crawl is asserted to
//! finish in bounded time, report the bad host and still queue the good host's findings.
//! Nothing here sends traffic anywhere but 127.0.0.1.
use std::sync::Arc;
use std::time::{Duration, Instant};

use kuzet::serve::{Reply, Request, Server};

use crate::util::{kuzet, queues, tempdir};

const LEXICONS: &str = "tests/fixtures/lexicons";

fn server(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
    Server::start(Arc::new(handler)).expect("start loopback server")
}

/// A host with one page that the fixture lexicons flag.
fn good_host() -> Server {
    server(|r| match r.path.as_str() {
        "/robots.txt" => Reply::not_found(),
        _ => Reply::new(200, "text/html; charset=utf-8", "<html><body><p>Гость написал: убивайте их всех.</p></body></html>"),
    })
}

/// A host whose every page answers 429 with `retry_after`.
fn throttling_host(retry_after: &'static str) -> Server {
    server(move |r| match r.path.as_str() {
        "/robots.txt" => Reply::not_found(),
        _ => Reply::new(429, "text/plain", "slow down").with_header("Retry-After", retry_after),
    })
}

struct Crawled {
    code: Option<i32>,
    stderr: String,
    took: Duration,
    /// Queue rows (header left out) over every queue file.
    rows: Vec<Vec<String>>,
    log: String,
}

fn crawl(seeds: &[String], config: &str) -> Crawled {
    let dir = tempdir();
    let seeds_file = dir.path().join("seeds.txt");
    std::fs::write(&seeds_file, seeds.join("\n")).unwrap();
    let config_file = dir.path().join("crawl.toml");
    std::fs::write(&config_file, config).unwrap();
    let out = dir.path().join("out");
    let (seeds_arg, config_arg, out_arg) = (seeds_file.display().to_string(), config_file.display().to_string(), out.display().to_string());
    let started = Instant::now();
    let output = kuzet(&["crawl", "--seeds", &seeds_arg, "--lexicons", LEXICONS, "--out", &out_arg, "--config", &config_arg, "--delay-ms", "0", "--allow-private", "--run-id", "t"]);
    let took = started.elapsed();
    let rows = if out.join("queues").is_dir() { queues(&out).into_iter().flat_map(|(_, r)| r.into_iter().skip(1)).collect() } else { Vec::new() };
    let log = std::fs::read_to_string(out.join("crawl.csv")).unwrap_or_default();
    Crawled { code: output.status.code(), stderr: String::from_utf8_lossy(&output.stderr).into_owned(), took, rows, log }
}

/// Issue 19, case 1: `Retry-After: 18446744073709551615` overflowed the host's next slot and
/// panicked the whole crawl (exit 101), so no other host was crawled.
#[test]
fn retry_after_overflow_does_not_stop_the_crawl() {
    let (bad, good) = (throttling_host("18446744073709551615"), good_host());
    let run = crawl(&[bad.url(), good.url()], "retries = 1\nmax_retry_after_ms = 300\n");
    assert!(run.code.is_some_and(|c| c <= 1), "exit {:?}: {}", run.code, run.stderr);
    assert_eq!(run.rows.len(), 1, "the good host's finding is queued: {:?}", run.rows);
    assert!(run.rows[0].iter().any(|c| c.starts_with(&good.url())), "{:?}", run.rows[0]);
    assert!(run.log.contains("429"), "the bad host's answers are in the crawl log: {}", run.log);
}

/// Issue 19, case 2: `Retry-After: 999999` was obeyed as it stood (11.6 days); it is capped by
/// `max_retry_after_ms`.
#[test]
fn retry_after_is_capped_by_config() {
    let (bad, good) = (throttling_host("999999"), good_host());
    let run = crawl(&[bad.url(), good.url()], "retries = 2\nmax_retry_after_ms = 500\n");
    assert!(run.code.is_some_and(|c| c <= 1), "exit {:?}: {}", run.code, run.stderr);
    assert!(run.took < Duration::from_secs(20), "took {:?}", run.took);
    assert_eq!(bad.requests().iter().filter(|r| r.path == "/").count(), 3, "first try and two retries");
    assert_eq!(run.rows.len(), 1, "the good host's finding is queued: {:?}", run.rows);
}
