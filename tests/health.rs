//! Night health (issue 15, point 1): a seed whose host cannot be reached fails the night (exit
//! 1) and is named with its reason on stderr, in `summary.json` and in the crawl log. Loopback
//! only: the dead seed is a port on 127.0.0.1 with nothing listening.
use std::path::Path;
use std::process::Output;

use crate::nightly::small_site;
use crate::util::{kuzet, root, tempdir};

/// A loopback URL whose port has nothing listening (bound, then released).
pub fn dead_seed() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/")
}

fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("summary.json")).unwrap()
}

/// Checks that `host` is named with "connection refused" in stderr, summary.json and crawl.csv.
fn assert_refused_everywhere(output: &Output, out: &Path, host: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr:\n{stderr}");
    let named = stderr.lines().filter(|l| l.contains(host) && l.contains("connection refused")).collect::<Vec<_>>();
    assert!(named.iter().any(|l| l.contains("night failed")), "stderr:\n{stderr}");
    let health = &summary(out)["crawl"]["health"];
    assert_eq!(health["seed_hosts_unreachable"], serde_json::json!([{"host": host, "reason": "connection refused"}]), "{health:#}");
    assert_eq!(health["hosts"][host]["reasons"]["connection refused"], 1, "{health:#}");
    assert_eq!(health["hosts"][host]["answered"], 0, "{health:#}");
    let log = std::fs::read_to_string(out.join("crawl.csv")).unwrap();
    let row = log.lines().find(|l| l.starts_with(&format!("{host}/"))).unwrap_or_else(|| panic!("no crawl log row for {host}:\n{log}"));
    assert!(row.contains("connection refused") && !row.contains("disallowed"), "{row}");
    println!("stderr: {}\nhealth: {health}\ncrawl.csv: {row}", named.join(" | "));
}

#[test]
fn an_unreachable_seed_fails_crawl_and_run_with_its_reason() {
    let seed = dead_seed();
    let host = seed.trim_end_matches('/').to_string();
    let dir = tempdir();
    std::fs::write(dir.path().join("seeds.txt"), format!("{seed}\n")).unwrap();

    let out = dir.path().join("crawl-out");
    let seeds = dir.path().join("seeds.txt");
    let output = kuzet(&["crawl", "--seeds", seeds.to_str().unwrap(), "--lexicons", "tests/fixtures/lexicons", "--out", out.to_str().unwrap(), "--allow-private", "--delay-ms", "0"]);
    assert_refused_everywhere(&output, &out, &host);

    let config = dir.path().join("nightly.toml");
    let lexicons = root().join("tests/fixtures/lexicons");
    std::fs::write(&config, format!("seeds = \"seeds.txt\"\nlexicons = {:?}\nout = \"out\"\nallow_private = true\ndelay_ms = 0\n", lexicons.display().to_string())).unwrap();
    let output = kuzet(&["run", config.to_str().unwrap()]);
    assert_refused_everywhere(&output, &dir.path().join("out"), &host);
}

#[test]
fn a_dead_seed_beside_a_live_one_still_fails_the_night_and_a_healthy_night_does_not() {
    let site = small_site();
    let healthy = site.run(&site.config("")).0;
    assert_eq!(healthy.status.code(), Some(0), "{}", String::from_utf8_lossy(&healthy.stderr));
    assert_eq!(summary(&site.out())["crawl"]["health"]["night_failed"], serde_json::json!([]));

    // Failures within the share allowed do not fail the night; an unreachable seed still does.
    let seed = dead_seed();
    let config = site.config("[crawl]\nmax_failed_share = 1.0\n");
    std::fs::write(site.dir.path().join("seeds.txt"), format!("{}\n{seed}\n", site.server.url())).unwrap();
    let output = kuzet(&["run", config.to_str().unwrap()]);
    assert_refused_everywhere(&output, &site.out(), seed.trim_end_matches('/'));
    let why = &summary(&site.out())["crawl"]["health"]["night_failed"];
    assert_eq!(why, &serde_json::json!([format!("seed host {} could not be reached (connection refused)", seed.trim_end_matches('/'))]));
}

#[test]
fn max_failed_share_is_validated() {
    let site = small_site();
    for bad in ["1.5", "-0.1", "nan"] {
        let config = site.config(&format!("[crawl]\nmax_failed_share = {bad}\n"));
        let output = kuzet(&["run", "--check", config.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("max_failed_share must be a share from 0 to 1"), "{bad}: {stderr}");
    }
}
