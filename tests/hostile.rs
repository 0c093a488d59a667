//! Hostile hosts (issue 19): one site answering badly must never stop the night. Each case is
//! a loopback server with one bad behaviour beside a good host, and the crawl is asserted to
//! finish in bounded time, report the bad host and still queue the good host's findings.
//! Nothing here sends traffic anywhere but 127.0.0.1.
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kuzet::serve::{Body, Reply, Request, Server};

use crate::util::{kuzet, queues, root, tempdir};

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

/// A host whose pages drip `chunk` every `every`, `times` times (no Content-Length).
fn dripping_host(chunk: &'static str, every: Duration, times: usize) -> Server {
    server(move |r| match r.path.as_str() {
        "/robots.txt" => Reply::not_found(),
        _ => Reply { status: 200, headers: vec![("Content-Type".into(), "text/html".into())], body: Body::Drip { chunk: chunk.as_bytes().to_vec(), every, times } },
    })
}

/// A host whose front page links `n` pages of its own (each a small page without links).
fn link_farm_host(n: usize) -> Server {
    let mut page = String::with_capacity(n * 24);
    page.push_str("<html><body>");
    for i in 0..n {
        page.push_str(&format!("<a href=\"/p/{i}\">{i}</a>"));
    }
    page.push_str("</body></html>");
    server(move |r| match r.path.as_str() {
        "/robots.txt" => Reply::not_found(),
        "/" => Reply::new(200, "text/html", page.clone()),
        _ => Reply::new(200, "text/html", "<p>nothing here</p>"),
    })
}

/// Requests `host` saw for pages (robots.txt left out).
fn page_requests(host: &Server) -> usize {
    host.requests().iter().filter(|r| r.path != "/robots.txt").count()
}

/// The seeds for `n` pages of `host` (`/0` … `/n-1`).
fn pages(host: &Server, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{}{i}", host.url())).collect()
}

struct Crawled {
    code: Option<i32>,
    stderr: String,
    took: Duration,
    /// Queue rows (header left out) over every queue file.
    rows: Vec<Vec<String>>,
    log: String,
    summary: serde_json::Value,
}

fn crawl(seeds: &[String], config: &str) -> Crawled {
    crawl_with(seeds, config, &["--allow-private"])
}

/// A crawl with the address guard set by `guard` (`--allow-private`, or `--allow-addr`s).
fn crawl_with(seeds: &[String], config: &str, guard: &[&str]) -> Crawled {
    let dir = tempdir();
    let seeds_file = dir.path().join("seeds.txt");
    std::fs::write(&seeds_file, seeds.join("\n")).unwrap();
    let config_file = dir.path().join("crawl.toml");
    std::fs::write(&config_file, config).unwrap();
    let out = dir.path().join("out");
    let (seeds_arg, config_arg, out_arg) = (seeds_file.display().to_string(), config_file.display().to_string(), out.display().to_string());
    let started = Instant::now();
    let mut args = vec!["crawl", "--seeds", &seeds_arg, "--lexicons", LEXICONS, "--out", &out_arg, "--config", &config_arg, "--delay-ms", "0", "--run-id", "t"];
    args.extend_from_slice(guard);
    let output = kuzet(&args);
    let took = started.elapsed();
    let rows = if out.join("queues").is_dir() { queues(&out).into_iter().flat_map(|(_, r)| r.into_iter().skip(1)).collect() } else { Vec::new() };
    let log = std::fs::read_to_string(out.join("crawl.csv")).unwrap_or_default();
    let summary = std::fs::read(out.join("summary.json")).map(|b| serde_json::from_slice(&b).unwrap()).unwrap_or_default();
    Crawled { code: output.status.code(), stderr: String::from_utf8_lossy(&output.stderr).into_owned(), took, rows, log, summary }
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

/// A nightly `kuzet run` over `seeds` with `crawl` as its `[crawl]` table, to the end.
struct Night {
    code: Option<i32>,
    stderr: String,
    took: Duration,
    summary: serde_json::Value,
    rows: Vec<Vec<String>>,
    log: String,
    /// The store's folder (the store file and its WAL).
    state: PathBuf,
    _dir: tempfile::TempDir,
}

impl Night {
    fn run(seeds: &[String], crawl: &str) -> Night {
        let dir = tempdir();
        std::fs::write(dir.path().join("seeds.txt"), seeds.join("\n")).unwrap();
        let config = format!(
            "seeds = \"seeds.txt\"\nlexicons = {:?}\nout = \"out\"\nstore = \"state/kuzet.sqlite\"\nallow_private = true\ndelay_ms = 0\n[crawl]\n{crawl}",
            root().join(LEXICONS).display().to_string()
        );
        let config_file = dir.path().join("nightly.toml");
        std::fs::write(&config_file, config).unwrap();
        let started = Instant::now();
        let output = kuzet(&["run", config_file.to_str().unwrap()]);
        let took = started.elapsed();
        let out = dir.path().join("out");
        let summary = std::fs::read(out.join("summary.json")).map(|b| serde_json::from_slice(&b).unwrap()).unwrap_or_default();
        let rows = if out.join("queues").is_dir() { queues(&out).into_iter().flat_map(|(_, r)| r.into_iter().skip(1)).collect() } else { Vec::new() };
        let log = std::fs::read_to_string(out.join("crawl.csv")).unwrap_or_default();
        let state = dir.path().join("state");
        Night { code: output.status.code(), stderr: String::from_utf8_lossy(&output.stderr).into_owned(), took, summary, rows, log, state, _dir: dir }
    }

    fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.state.join("kuzet.sqlite")).unwrap()
    }

    /// The store's URL rows in `state`, by host prefix.
    fn count(&self, state: &str, prefix: &str) -> i64 {
        self.db().query_row("SELECT count(*) FROM url WHERE state = ?1 AND url LIKE ?2 || '%'", [state, prefix], |r| r.get(0)).unwrap()
    }

    /// The hosts the summary reports as given up.
    fn given_up(&self) -> Vec<String> {
        given_up(&self.summary)
    }
}

fn given_up(summary: &serde_json::Value) -> Vec<String> {
    summary["crawl"]["hosts_given_up"].as_array().map(|a| a.iter().map(|g| g["host"].as_str().unwrap_or("").to_string()).collect()).unwrap_or_default()
}

/// `http://127.0.0.1:PORT` of a server (the origin, as the crawl names hosts).
fn origin(server: &Server) -> String {
    format!("http://{}", server.addr)
}

/// Issue 19, case 3: a host dripping a byte a second had no failure budget (each page cost the
/// total timeout times the attempts, one page after the other). After `max_host_failures`
/// failed attempts in a row it is given up for the night, reported, and its other pages are
/// not requested; the good host is crawled.
#[test]
fn case03_slow_drip_host_is_given_up_after_failures() {
    let (bad, good) = (dripping_host("x", Duration::from_secs(1), 3600), good_host());
    let run = crawl(&[pages(&bad, 8), vec![good.url()]].concat(), "retries = 1\ntotal_timeout_ms = 1200\nmax_host_failures = 2\n");
    let page_requests = page_requests(&bad);
    eprintln!("case 3 (failures): {page_requests} page requests to the dripping host, took {:?}", run.took);
    assert_eq!(run.code, Some(1), "given up is a failure of the run: {}", run.stderr);
    assert_eq!(page_requests, 2, "one page tried twice, then the host is given up");
    let summary = &run.summary;
    assert_eq!(given_up(summary), [origin(&bad)], "{summary}");
    assert_eq!(summary["crawl"]["hosts_given_up"][0]["urls_left"], 7);
    assert!(run.stderr.contains(&format!("gave up on {}", origin(&bad))), "{}", run.stderr);
    assert!(run.log.contains("given-up"), "{}", run.log);
    assert_eq!(run.rows.len(), 1, "the good host's finding is queued: {:?}", run.rows);
}

/// Issue 19, case 3: a host that answers, but slowly (each page takes a second to drip),
/// is given up once it has taken `max_host_time_ms` from the crawl.
#[test]
fn case03_slow_host_time_budget() {
    let (slow, good) = (dripping_host("<p>slow</p>", Duration::from_millis(300), 3), good_host());
    let run = crawl(&[pages(&slow, 10), vec![good.url()]].concat(), "max_host_time_ms = 1500\n");
    let page_requests = page_requests(&slow);
    eprintln!("case 3 (time): {page_requests} page requests to the slow host, took {:?}", run.took);
    assert!((1..10).contains(&page_requests), "{page_requests} of 10 pages requested");
    let summary = &run.summary;
    assert_eq!(given_up(summary), [origin(&slow)], "{summary}");
    assert!(summary["crawl"]["hosts_given_up"][0]["reason"].as_str().unwrap_or("").contains("max_host_time_ms"), "{summary}");
    assert_eq!(run.rows.len(), 1, "the good host's finding is queued: {:?}", run.rows);
}

/// Issue 19, case 4: every link of a page was stored as pending, whatever
/// `max_pages_per_host` said (one page of 100,000 links: 100,000 rows). The store keeps at most
/// `max_pending_per_host` (by default `max_pages_per_host`) pending per host, and a page gives
/// at most `max_links_per_page` links.
#[test]
fn case04_pending_urls_capped_per_host_and_page() {
    let (farm, good) = (link_farm_host(100_000), good_host());
    let run = Night::run(&[farm.url(), good.url()], "max_depth = 1\nmax_pages_per_host = 30\nmax_links_per_page = 1000\n");
    assert!(run.code.is_some_and(|c| c <= 1), "exit {:?}: {}", run.code, run.stderr);
    let farm_urls: i64 = run.db().query_row("SELECT count(*) FROM url WHERE url LIKE ?1 || '%'", [farm.url()], |r| r.get(0)).unwrap();
    let pending = run.count("pending", &farm.url());
    eprintln!("case 4: {farm_urls} URLs of the link farm stored, {pending} pending, summary {}", run.summary["night"]);
    assert!(farm_urls <= 31, "the front page and at most 30 links: {farm_urls}");
    assert!(pending <= 30, "{pending} pending");
    assert_eq!(run.summary["crawl"]["links_dropped"], 99_000, "links past max_links_per_page are counted");
    assert!(run.summary["night"]["pending_dropped"].as_u64().is_some_and(|n| n > 0), "{}", run.summary["night"]);
    assert_eq!(run.rows.len(), 1, "the good host's finding is exported: {:?}", run.rows);
}

/// Issue 19, case 13: user names and passwords in URLs (a seed, a link, a redirect) were copied
/// into the crawl log, the store and the queues. They are left out where a URL enters the
/// crawl, so they are never recorded, and never sent.
#[test]
fn case13_credentials_never_logged_stored_or_queued() {
    let host = Server::start(Arc::new(|r: &Request| match r.path.as_str() {
        "/robots.txt" => Reply::not_found(),
        "/" => Reply::new(200, "text/html", format!("<a href=\"http://linkuser:linksecret@{}/second\">x</a> <a href=\"/r\">r</a>", r.header("host").unwrap_or(""))),
        "/r" => Reply::redirect(302, &format!("http://hopuser:hopsecret@{}/third", r.header("host").unwrap_or(""))),
        _ => Reply::new(200, "text/html", "<p>Гость написал: убивайте их всех.</p>"),
    }))
    .unwrap();
    let seed = format!("http://seeduser:seedsecret@{}/", host.addr);
    let run = Night::run(&[seed], "max_depth = 2\n");
    assert!(run.code.is_some_and(|c| c <= 1), "exit {:?}: {}", run.code, run.stderr);
    let paths: Vec<String> = host.requests().iter().map(|r| r.path.clone()).collect();
    assert!(["/", "/second", "/r", "/third"].iter().all(|p| paths.iter().any(|q| q == p)), "every page is still crawled: {paths:?}");
    assert!(host.requests().iter().all(|r| r.header("authorization").is_none()), "credentials are never sent");
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(&run.state).unwrap() {
        stored.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let rows = format!("{:?}", run.rows);
    for (what, text) in [("crawl log", run.log.as_str()), ("queues", rows.as_str()), ("stderr", run.stderr.as_str()), ("store", &String::from_utf8_lossy(&stored))] {
        assert!(!text.contains("secret") && !text.contains("user:"), "credentials in the {what}: {text:.2000}");
    }
    let members = std::fs::read_to_string(run._dir.path().join("out/queues/members.csv")).unwrap();
    assert!(!members.contains("secret") && !members.contains("user:"), "credentials in members.csv: {members}");
    // The two pages hold the same text: one row for the message, both copies its members.
    assert_eq!(run.rows.len(), 1, "/second and /third are queued as one message: {rows}");
    assert!(members.contains("/second,") && members.contains("/third,"), "{members}");
}

/// Issue 19, case 13: a robots.txt redirected to a refused address was logged against the
/// host's own pages, as if the host were refused. The refusal is logged against the address
/// refused, and the host's robots.txt counts as unreachable (its pages disallowed, not refused).
#[test]
fn case13_robots_redirect_refusal_logged_against_its_address() {
    let refused = server(|_| Reply::not_found());
    let target = format!("{}robots.txt", refused.url());
    let host = server(move |r| match r.path.as_str() {
        "/robots.txt" => Reply::redirect(302, &target),
        _ => Reply::new(200, "text/html", "<p>page</p>"),
    });
    let allow = host.addr.to_string();
    let run = crawl_with(&[host.url()], "", &["--allow-addr", &allow]);
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(run.log.trim_start_matches('\u{feff}').as_bytes()).records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    let row = |url: &str| rows.iter().find(|r| r[0] == url).unwrap_or_else(|| panic!("no row for {url} in {rows:?}"));
    let refused_row = row(&format!("{}robots.txt", refused.url()));
    assert_eq!(refused_row[1], "refused", "{refused_row:?}");
    assert!(refused_row[8].contains(&format!("robots.txt of {}", origin(&host))), "{refused_row:?}");
    let page = row(&host.url());
    assert_eq!(page[1], "robots", "the host's page is disallowed by its unreachable robots.txt, not refused: {page:?}");
    assert!(!page[8].contains("refused 127.0.0.1"), "{page:?}");
    assert!(refused.requests().is_empty(), "the refused address is never connected to");
}

/// Issue 19, case 14, as a real crawl: a group naming kuzet's full User-Agent string (a
/// webmaster pasting it) applies to kuzet, so what it disallows is not fetched.
#[test]
fn case14_robots_group_named_by_full_user_agent() {
    let host = server(|r| match r.path.as_str() {
        "/robots.txt" => Reply::new(200, "text/plain", "User-agent: *\nAllow: /\n\nUser-agent: kuzet/0.1.0 (+https://kuzet.invalid/contact; moderation research crawler)\nDisallow: /private/\n"),
        "/" => Reply::new(200, "text/html", "<a href=\"/private/x\">p</a> <a href=\"/public\">q</a>"),
        _ => Reply::new(200, "text/html", "<p>Гость написал: убивайте их всех.</p>"),
    });
    let run = crawl(&[host.url()], "");
    assert!(run.code.is_some_and(|c| c <= 1), "exit {:?}: {}", run.code, run.stderr);
    let paths: Vec<String> = host.requests().iter().map(|r| r.path.clone()).collect();
    assert!(paths.contains(&"/public".to_string()), "{paths:?}");
    assert!(!paths.contains(&"/private/x".to_string()), "robots.txt disallows /private/ for kuzet: {paths:?}");
}

/// Issue 19, acceptance: a nightly run over a good site and a host answering 429 and 503 with
/// `Retry-After: 999999` finishes: the bad host is given up within its budget and reported, its
/// pages kept pending for another night, and the good site's finding exported.
#[test]
fn acceptance_nightly_run_with_a_retry_after_999999_host() {
    let answered = std::sync::atomic::AtomicUsize::new(0);
    let bad = server(move |r| match r.path.as_str() {
        "/robots.txt" => Reply::not_found(),
        _ => {
            let status = if answered.fetch_add(1, std::sync::atomic::Ordering::Relaxed).is_multiple_of(2) { 429 } else { 503 };
            Reply::new(status, "text/plain", "come back in 11 days").with_header("Retry-After", "999999")
        }
    });
    let good = good_host();
    let seeds = [pages(&bad, 10), vec![good.url()]].concat();
    let budget = "retries = 2\nmax_retry_after_ms = 1000\nmax_host_failures = 3\nmax_host_time_ms = 4000\n";
    let run = Night::run(&seeds, budget);
    let page_requests = page_requests(&bad);
    eprintln!("acceptance: run took {:?} (host budget 3 failures / 4 s); {page_requests} requests to the bad host; stderr: {}", run.took, run.stderr.trim());
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.given_up(), [origin(&bad)], "{}", run.summary);
    assert!(run.stderr.contains(&format!("gave up on {}", origin(&bad))), "{}", run.stderr);
    assert_eq!(page_requests, 3, "one page, tried three times, then the host is given up");
    assert_eq!(run.count("pending", &bad.url()), 9, "the pages not tried stay pending for another night");
    assert_eq!(run.rows.len(), 1, "the good site's finding is exported: {:?}", run.rows);
    assert!(run.rows[0].iter().any(|c| c.starts_with(&good.url())), "{:?}", run.rows[0]);
}
