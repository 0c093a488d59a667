//! `kuzet crawl` against loopback servers these tests start themselves. Nothing here sends
//! traffic anywhere but 127.0.0.1.
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kuzet::serve::{Body, Reply, Request, Server};

use crate::util::{kuzet, queues, tempdir};

const LEXICONS: &str = "tests/fixtures/lexicons";

fn html(body: &str) -> Reply {
    Reply::new(200, "text/html; charset=utf-8", format!("<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"))
}

fn server(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
    Server::start(Arc::new(handler)).expect("start loopback server")
}

struct Run {
    output: Output,
    out: PathBuf,
    _dir: tempfile::TempDir,
}

impl Run {
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// crawl.csv as maps from column name to value.
    fn log(&self) -> Vec<HashMap<String, String>> {
        read_log(&self.out)
    }

    fn log_for(&self, path: &str) -> Vec<HashMap<String, String>> {
        self.log().into_iter().filter(|r| r["url"].ends_with(path)).collect()
    }
}

fn read_log(out: &Path) -> Vec<HashMap<String, String>> {
    let bytes = std::fs::read(out.join("crawl.csv")).expect("crawl.csv");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers = reader.headers().unwrap().clone();
    reader.records().map(|r| headers.iter().zip(r.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()).collect()
}

/// Runs `kuzet crawl` on `seeds` with the fixture lexicons, no delay unless `args` sets one,
/// and `config` (TOML) if given.
fn crawl(seeds: &[String], args: &[&str], config: Option<&str>) -> Run {
    let dir = tempdir();
    let seeds_file = dir.path().join("seeds.txt");
    std::fs::write(&seeds_file, format!("# test seeds\n\n{}\n", seeds.join("\n"))).unwrap();
    let out = dir.path().join("out");
    let mut all: Vec<String> = vec!["crawl".into(), "--seeds".into(), seeds_file.display().to_string(), "--lexicons".into(), LEXICONS.into(), "--out".into(), out.display().to_string(), "--run-id".into(), "t".into()];
    if !args.contains(&"--delay-ms") {
        all.extend(["--delay-ms".into(), "0".into()]);
    }
    if let Some(c) = config {
        let path = dir.path().join("crawl.toml");
        std::fs::write(&path, c).unwrap();
        all.extend(["--config".into(), path.display().to_string()]);
    }
    all.extend(args.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let output = kuzet(&refs);
    Run { output, out, _dir: dir }
}

fn paths(server: &Server) -> Vec<String> {
    server.requests().into_iter().map(|r| r.path).collect()
}

/// Gaps between consecutive requests, in arrival order, as the server saw them.
fn gaps(requests: &[Request]) -> Vec<Duration> {
    requests.windows(2).map(|w| w[1].at.duration_since(w[0].at)).collect()
}

#[test]
fn robots_disallow_is_obeyed() {
    let s = server(|r| match r.path.as_str() {
        "/robots.txt" => Reply::new(200, "text/plain", "User-agent: *\nDisallow: /secret/\n"),
        "/" => html("<a href='/open'>open</a> <a href='/secret/page'>secret</a>"),
        "/open" => html("nothing here"),
        _ => html("kill kill kill"),
    });
    let run = crawl(&[s.url()], &["--allow-private"], None);
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr());
    let seen = paths(&s);
    assert!(!seen.iter().any(|p| p.starts_with("/secret")), "{seen:?}");
    assert!(seen.contains(&"/open".to_string()));
    assert_eq!(run.log_for("/secret/page")[0]["status"], "robots");
}

#[test]
fn robots_server_error_disallows_everything() {
    let s = server(|r| if r.path == "/robots.txt" { Reply::new(503, "text/plain", "down") } else { html("<a href='/a'>a</a>") });
    let run = crawl(&[s.url()], &["--allow-private"], None);
    assert_eq!(paths(&s), ["/robots.txt"], "nothing but robots.txt is fetched");
    assert_eq!(run.log_for("/")[0]["status"], "robots");
}

fn chain_site(robots: &'static str) -> Server {
    server(move |r| match r.path.as_str() {
        "/robots.txt" => Reply::new(200, "text/plain", robots),
        "/" => html("<a href='/p1'>1</a>"),
        p => {
            let n: u32 = p.trim_start_matches("/p").parse().unwrap_or(99);
            html(&format!("<a href='/p{}'>next</a>", n + 1))
        }
    })
}

#[test]
fn per_host_delay_holds() {
    let s = chain_site("User-agent: *\nAllow: /\n");
    let run = crawl(&[s.url()], &["--allow-private", "--delay-ms", "300", "--max-depth", "3"], None);
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr());
    let requests = s.requests();
    assert_eq!(requests.len(), 5, "robots + 4 pages: {:?}", paths(&s));
    for gap in gaps(&requests) {
        assert!(gap >= Duration::from_millis(300), "gap {gap:?} < 300 ms");
    }
}

#[test]
fn crawl_delay_holds() {
    let s = chain_site("User-agent: *\nCrawl-delay: 0.5\n");
    let run = crawl(&[s.url()], &["--allow-private", "--max-depth", "2"], None);
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr());
    let requests = s.requests();
    assert_eq!(requests.len(), 4);
    for gap in gaps(&requests) {
        assert!(gap >= Duration::from_millis(500), "gap {gap:?} < Crawl-delay 0.5 s");
    }
}

#[test]
fn depth_and_scope_limits_hold() {
    let s = server(|r| match r.path.as_str() {
        "/robots.txt" => Reply::not_found(),
        "/" => html("<a href='/p1'>1</a> <a href='http://example.invalid/x'>away</a> <a href='http://127.0.0.2:9/other'>other host</a> <a href='mailto:a@b.c'>m</a>"),
        p => {
            let n: u32 = p.trim_start_matches("/p").parse().unwrap_or(99);
            html(&format!("<a href='/p{}'>next</a>", n + 1))
        }
    });
    let run = crawl(&[s.url()], &["--allow-private", "--max-depth", "2"], None);
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr());
    assert_eq!(paths(&s), ["/robots.txt", "/", "/p1", "/p2"]);
    assert!(run.log().iter().all(|r| !r["url"].contains("invalid") && !r["url"].contains("127.0.0.2")));
}

#[test]
fn redirect_loops_and_chains_stop() {
    let s = server(|r| match r.path.as_str() {
        "/robots.txt" => Reply::not_found(),
        "/" => html("<a href='/loop1'>l</a> <a href='/r0'>chain</a>"),
        "/loop1" => Reply::redirect(302, "/loop2"),
        "/loop2" => Reply::redirect(301, "/loop1"),
        p if p.starts_with("/r") => {
            let n: u32 = p[2..].parse().unwrap_or(0);
            Reply::redirect(302, &format!("/r{}", n + 1))
        }
        _ => Reply::not_found(),
    });
    let run = crawl(&[s.url()], &["--allow-private"], None);
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr());
    let seen = paths(&s);
    assert_eq!(seen.iter().filter(|p| p.starts_with("/loop")).count(), 2, "{seen:?}");
    assert_eq!(seen.iter().filter(|p| p.starts_with("/r") && *p != "/robots.txt").count(), 6, "the first request and 5 redirects: {seen:?}");
    assert!(run.log().iter().any(|r| r["error"].contains("more than 5 redirects")));
    assert!(run.log().iter().any(|r| r["error"].contains("already seen")));
}

#[test]
fn redirect_to_another_loopback_port_is_refused_while_the_guard_is_on() {
    let other = server(|_| html("kill kill"));
    let target = format!("http://{}/x", other.addr);
    let first = server(move |r| match r.path.as_str() {
        "/robots.txt" => Reply::not_found(),
        _ => Reply::redirect(302, &target),
    });
    let allow = first.addr.to_string();
    let run = crawl(&[first.url()], &["--allow-addr", &allow], None);
    assert!(other.requests().is_empty(), "the other port was contacted");
    let refused = run.log_for("/x");
    assert_eq!(refused[0]["status"], "refused", "{:?}", run.log());
    assert!(refused[0]["error"].contains("loopback"), "{:?}", refused);
    assert_eq!(run.output.status.code(), Some(1));
}

#[test]
fn loopback_seed_is_refused_by_default_and_crawled_with_allow_private() {
    let s = server(|r| if r.path == "/robots.txt" { Reply::not_found() } else { html("behead them") });
    let run = crawl(&[s.url()], &[], None);
    assert_eq!(run.output.status.code(), Some(1), "{}", run.stderr());
    assert!(s.requests().is_empty(), "no request may reach a loopback seed with the guard on");
    assert_eq!(run.log()[0]["status"], "refused");
    let run = crawl(&[s.url()], &["--allow-private"], None);
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr());
    assert_eq!(paths(&s), ["/robots.txt", "/"]);
    let rows: usize = queues(&run.out).iter().map(|(_, r)| r.len() - 1).sum();
    assert_eq!(rows, 1, "the page was classified and queued");
}

#[test]
fn slow_drip_is_cut_by_the_total_timeout() {
    let s = server(|r| match r.path.as_str() {
        "/robots.txt" => Reply::not_found(),
        _ => Reply { status: 200, headers: vec![("Content-Type".into(), "text/html".into())], body: Body::Drip { chunk: b"<p>a".to_vec(), every: Duration::from_millis(100), times: 300 } },
    });
    let started = Instant::now();
    let run = crawl(&[s.url()], &["--allow-private"], Some("total_timeout_ms = 1500\nread_timeout_ms = 1000\nretries = 0\n"));
    assert!(started.elapsed() < Duration::from_secs(15), "took {:?}", started.elapsed());
    assert_eq!(run.log_for("/")[0]["error"], "timed out", "{:?}", run.log());
}

#[test]
fn huge_bodies_and_gzip_bombs_stop_at_the_cap() {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b'a'; 1 << 20];
    for _ in 0..50 {
        gz.write_all(&zeros).unwrap();
    }
    let bomb = Arc::new(gz.finish().unwrap());
    assert!(bomb.len() < 200_000);
    let s = server(move |r| match r.path.as_str() {
        "/robots.txt" => Reply::not_found(),
        "/" => html("<a href='/big'>big</a> <a href='/bomb'>bomb</a>"),
        "/big" => Reply { status: 200, headers: vec![("Content-Type".into(), "text/plain".into())], body: Body::Repeat { byte: b'a', len: 50 << 20 } },
        "/bomb" => Reply::new(200, "text/html", bomb.as_slice()).with_header("Content-Encoding", "gzip"),
        _ => Reply::not_found(),
    });
    let run = crawl(&[s.url()], &["--allow-private"], Some("max_body_bytes = 1048576\n"));
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr());
    for path in ["/big", "/bomb"] {
        let row = &run.log_for(path)[0];
        assert_eq!(row["bytes"], "1048576", "{path}: {row:?}");
        assert!(row["error"].starts_with("body cut"), "{path}: {row:?}");
    }
}

#[test]
fn too_many_requests_with_retry_after_is_respected() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let s = server(move |r| match r.path.as_str() {
        "/robots.txt" => Reply::not_found(),
        _ if counter.fetch_add(1, Ordering::SeqCst) == 0 => Reply::new(429, "text/plain", "slow down").with_header("Retry-After", "2"),
        _ => html("fine"),
    });
    let run = crawl(&[s.url()], &["--allow-private"], None);
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr());
    let pages: Vec<Request> = s.requests().into_iter().filter(|r| r.path == "/").collect();
    assert_eq!(pages.len(), 2);
    let gap = pages[1].at.duration_since(pages[0].at);
    assert!(gap >= Duration::from_secs(2), "retried after {gap:?}, Retry-After said 2 s");
    assert_eq!(run.log_for("/").iter().map(|r| r["status"].as_str()).collect::<Vec<_>>(), ["429", "200"]);
}

#[test]
fn legacy_encodings_without_http_charset_decode() {
    let text = "<html><body><p>Новости района. Сегодня на форуме обсуждали погоду, цены и дороги. \
                Один гость написал: убивайте их всех, и модератор удалил сообщение. Остальные жители \
                просили соблюдать правила и писать вежливо, без оскорблений и угроз.</p></body></html>";
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(text);
    let (koi8, _, _) = encoding_rs::KOI8_R.encode(text);
    let (cp1251, koi8) = (cp1251.into_owned(), koi8.into_owned());
    let s = server(move |r| match r.path.as_str() {
        "/robots.txt" => Reply::not_found(),
        "/" => html("<a href='/cp1251'>a</a> <a href='/koi8'>b</a>"),
        "/cp1251" => Reply::new(200, "text/html", cp1251.clone()),
        "/koi8" => Reply::new(200, "text/html", koi8.clone()),
        _ => Reply::not_found(),
    });
    let run = crawl(&[s.url()], &["--allow-private"], None);
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr());
    assert_eq!(run.log_for("/cp1251")[0]["encoding"], "windows-1251");
    assert!(run.log_for("/koi8")[0]["encoding"].starts_with("KOI8"));
    assert_eq!(run.log_for("/koi8")[0]["encoding_source"], "detector");
    let rows: Vec<Vec<String>> = queues(&run.out).into_iter().flat_map(|(_, r)| r.into_iter().skip(1)).collect();
    for path in ["/cp1251", "/koi8"] {
        let (reference, snippet) = (kuzet::queue::column("ref").unwrap(), kuzet::queue::column("snippet").unwrap());
        let row = rows.iter().find(|r| r[reference].ends_with(path)).unwrap_or_else(|| panic!("{path} not queued: {rows:?}"));
        assert!(row[snippet].contains("⟦убивайте⟧ их всех"), "{path}: {}", row[snippet]);
    }
}

#[test]
fn malformed_html_is_handled() {
    let s = server(|r| match r.path.as_str() {
        "/robots.txt" => Reply::new(200, "text/plain", "\u{0}\u{FFFF}garbage\nDisallow"),
        _ => Reply::new(200, "text/html", "<html><div><p>убивайте <b>неверных</div></span></p><p<<a href='/x'><script>var x = '</div>'; kill();</scr"),
    });
    let run = crawl(&[s.url()], &["--allow-private"], None);
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr());
    let files = queues(&run.out);
    assert!(files.iter().flat_map(|(_, r)| r.iter()).all(|r| r.len() == kuzet::queue::COLUMNS.len()));
    let rows: usize = files.iter().map(|(_, r)| r.len() - 1).sum();
    assert!(rows >= 1, "the malformed page is still classified");
    assert_eq!(run.log_for("/")[0]["status"], "200");
}

#[test]
fn link_traps_stay_bounded() {
    let s = server(|r| match r.path.as_str() {
        "/robots.txt" => Reply::not_found(),
        p => {
            let n: u64 = p.trim_start_matches("/cal/").split('?').next().unwrap_or("0").parse().unwrap_or(0);
            html(&format!("<a href='/cal/{}'>next</a> <a href='/cal/{}?view=week&a=1&b=2&c=3'>week</a>", n + 1, n))
        }
    });
    let run = crawl(&[s.url()], &["--allow-private"], Some("max_depth = 1000\nmax_pages_per_host = 25\nmax_query_params = 2\n"));
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr());
    let seen = paths(&s);
    assert_eq!(seen.len(), 26, "robots + the 25-page cap: {seen:?}");
    assert!(seen.iter().all(|p| !p.contains("view=week")), "URLs with too many query parameters are skipped");
}

/// A site of endlessly chained pages, each flagged ("kill N"), and a crawl of it running as a
/// child process with `config`; returns the server, the temp dir, the output folder and the child.
fn endless_crawl(config: &str) -> (Server, tempfile::TempDir, PathBuf, std::process::Child) {
    let s = server(|r| match r.path.as_str() {
        "/robots.txt" => Reply::not_found(),
        p => {
            let n: u32 = p.trim_start_matches("/p").parse().unwrap_or(0);
            html(&format!("kill {n} <a href='/p{}'>next</a>", n + 1))
        }
    });
    let dir = tempdir();
    let seeds = dir.path().join("seeds.txt");
    std::fs::write(&seeds, s.url()).unwrap();
    let config_file = dir.path().join("c.toml");
    std::fs::write(&config_file, config).unwrap();
    let out = dir.path().join("out");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_kuzet"))
        .args(["crawl", "--seeds", seeds.to_str().unwrap(), "--lexicons", LEXICONS, "--out", out.to_str().unwrap(), "--config", config_file.to_str().unwrap(), "--allow-private", "--delay-ms", "100"])
        .current_dir(crate::util::root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while s.requests().len() < 12 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    (s, dir, out, child)
}

#[test]
fn killed_crawl_leaves_valid_queue_files() {
    let (_server, _dir, out, mut child) = endless_crawl("publish_every = 2\nmax_depth = 1000\n");
    // Pages are fetched before they are classified and published: under load (a debug build's
    // engine takes seconds to build) the requests run ahead. The kill comes once some rows are
    // published, at whatever point the crawl is then, mid-write or not.
    let published = |out: &std::path::Path| out.join("queues").is_dir() && queues(out).iter().map(|(_, r)| r.len() - 1).sum::<usize>() >= 4;
    let deadline = Instant::now() + Duration::from_secs(60);
    while !published(&out) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let files = queues(&out);
    assert!(!files.is_empty());
    let rows: usize = files.iter().map(|(_, r)| r.len() - 1).sum();
    assert!(rows >= 4, "flagged pages published before the kill: {rows}");
    for (_, records) in files {
        assert_eq!(records[0], kuzet::queue::COLUMNS);
        assert!(records.iter().all(|r| r.len() == kuzet::queue::COLUMNS.len()));
    }
}

#[test]
fn sigterm_stops_fetching_and_writes_everything() {
    let (s, _dir, out, child) = endless_crawl("max_depth = 1000\n");
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let output = child.wait_with_output().unwrap();
    let requests_at_exit = s.requests().len();
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(s.requests().len(), requests_at_exit, "no fetching after exit");
    assert!(requests_at_exit < 40, "stopped early: {requests_at_exit} requests");
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["crawl"]["interrupted"], true, "{}", String::from_utf8_lossy(&output.stderr));
    let analysed = summary["crawl"]["pages_analysed"].as_u64().unwrap();
    let rows: u64 = queues(&out).iter().map(|(_, r)| r.len() as u64 - 1).sum();
    assert_eq!(rows, analysed, "every analysed page (all flagged here) is in the queues");
    assert_eq!(read_log(&out).len() as u64, analysed, "and in the crawl log");
}
