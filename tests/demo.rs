//! The demo by hand (issue 15, point 9): `kuzet demo --addr` crawls the address it serves, and
//! `kuzet serve DIR --addr` serves the sample site for a crawl started by hand. Ephemeral
//! loopback ports only, so a demo already running on 8737 is never touched.
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{kuzet, root, tempdir};

/// Every crawl log row's URL (the `given-up` notes aside).
fn logged_urls(out: &std::path::Path) -> Vec<String> {
    let bytes = std::fs::read(out.join("crawl.csv")).expect("crawl.csv");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    reader.records().map(|r| r.unwrap()[0].to_string()).collect()
}

#[test]
fn demo_crawls_the_address_it_serves() {
    let dir = tempdir();
    let out = dir.path().join("demo");
    let output = kuzet(&["demo", "--addr", "127.0.0.1:0", "--out", out.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "stdout:\n{stdout}\nstderr:\n{}", String::from_utf8_lossy(&output.stderr));
    let served = stdout.lines().find_map(|l| l.split(" at ").nth(1).filter(|_| l.starts_with("serving "))).expect("a 'serving ... at URL' line").trim().to_string();
    assert!(!served.ends_with(":8737/"), "port 0 serves on a free port, not {served}");
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let pages = summary["crawl"]["pages_analysed"].as_u64().unwrap();
    assert!(pages >= 30, "the sample site has over 30 pages; analysed {pages}");
    let urls = logged_urls(&out);
    let elsewhere: Vec<&String> = urls.iter().filter(|u| !u.starts_with(&served)).collect();
    assert!(elsewhere.is_empty(), "every URL on {served}: {elsewhere:?}");
    println!("demo served and crawled {served}: {pages} pages analysed, {} crawl log rows", urls.len());
}

#[test]
fn serve_with_addr_serves_the_sample_site_for_a_crawl_by_hand() {
    let dir = tempdir();
    let addr_file = dir.path().join("addr");
    let site = root().join("samples/site");
    let mut server = Command::new(env!("CARGO_BIN_EXE_kuzet"))
        .args(["serve", site.to_str().unwrap(), "--addr", "127.0.0.1:0", "--addr-file", addr_file.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("kuzet serve");
    let deadline = Instant::now() + Duration::from_secs(30);
    let addr = loop {
        match std::fs::read_to_string(&addr_file) {
            Ok(a) if a.parse::<std::net::SocketAddr>().is_ok() => break a,
            _ if Instant::now() > deadline => {
                let _ = server.kill();
                panic!("kuzet serve wrote no address");
            }
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    let seeds = dir.path().join("seeds.txt");
    std::fs::write(&seeds, format!("http://{addr}/\n")).unwrap();
    let out = dir.path().join("out");
    let crawl = kuzet(&["crawl", "--seeds", seeds.to_str().unwrap(), "--out", out.to_str().unwrap(), "--allow-addr", &addr, "--delay-ms", "0", "--max-depth", "1"]);
    let _ = server.kill();
    let _ = server.wait();
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let pages = summary["crawl"]["pages_analysed"].as_u64().unwrap();
    assert!(pages > 1, "crawled {pages} pages from {addr}; stderr:\n{}", String::from_utf8_lossy(&crawl.stderr));
    assert!(addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"), "{addr}");
    println!("kuzet serve --addr 127.0.0.1:0 served at {addr}; crawl by hand analysed {pages} pages");
}
