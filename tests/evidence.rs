//! Evidence (issue 17): crawls of loopback sites keep flagged pages as WARC that an independent
//! reader (warcio) validates; `kuzet evidence verify` catches tampering; `kuzet classify` reads
//! WARC files (wget's among them) and reports broken records. Only 127.0.0.1 is contacted.
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use kuzet::serve::{Reply, Request, Server};

use crate::util::{kuzet, queues, root, tempdir};

/// warcio in a virtual environment under target/ (made when missing; a failed install fails
/// the test, never skips it).
fn warcio() -> PathBuf {
    let venv = root().join("target/warcio-venv");
    let bin = venv.join("bin/warcio");
    if !bin.exists() {
        let ok = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().is_ok_and(|s| s.success())
            && Command::new(venv.join("bin/pip")).args(["install", "--quiet", "warcio"]).status().is_ok_and(|s| s.success());
        assert!(ok, "could not install warcio into {}", venv.display());
    }
    bin
}

fn crawl_into(out: &Path, seed: &str, run_id: &str, extra: &[&str]) -> std::process::Output {
    let seeds = out.with_extension("seeds.txt");
    std::fs::write(&seeds, format!("{seed}\n")).unwrap();
    let mut args = vec!["crawl", "--seeds", seeds.to_str().unwrap(), "--out", out.to_str().unwrap(), "--run-id", run_id, "--allow-private", "--delay-ms", "0", "--max-depth", "20"];
    // The sample site links two missing pages on purpose: a failed share of 1 keeps exit 0.
    let config = out.with_extension("crawl.toml");
    if !extra.contains(&"--config") {
        std::fs::write(&config, "max_failed_share = 1.0\n").unwrap();
        args.extend(["--config", config.to_str().unwrap()]);
    }
    args.extend(extra);
    kuzet(&args)
}

fn sample_site() -> Server {
    Server::start(kuzet::serve::static_site(root().join("samples/site"))).expect("loopback server")
}

/// Queue rows as (url, item_id, evidence cells).
fn findings(out: &Path) -> Vec<(String, String, Vec<String>)> {
    let mut rows = Vec::new();
    for (_, records) in queues(out) {
        let header = &records[0];
        let col = |n: &str| header.iter().position(|h| h == n).unwrap_or_else(|| panic!("no column {n}: {header:?}"));
        let ev: Vec<usize> = kuzet::evidence::COLUMNS.iter().map(|c| col(c)).collect();
        assert_eq!(ev, (1..=4).map(|i| col("reply_to") + i).collect::<Vec<_>>(), "evidence columns follow the post columns");
        assert_eq!(header[ev[3] + 1..header.len()], ["cluster_id", "cluster_members", "cluster_hosts", "cluster_first_seen"], "only the cluster columns after them");
        for r in &records[1..] {
            rows.push((r[col("url")].clone(), r[col("item_id")].clone(), ev.iter().map(|&i| r[i].clone()).collect()));
        }
    }
    rows.sort();
    rows
}

fn warc_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.to_string_lossy().ends_with(".warc.gz")).collect();
    files.sort();
    files
}

fn verify(out: &Path) -> (bool, String) {
    let o = kuzet(&["evidence", "verify", "--out", out.to_str().unwrap()]);
    (o.status.success(), format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
}

#[test]
fn crawl_evidence_is_valid_warc_and_rows_name_it() {
    let site = sample_site();
    let dir = tempdir();
    let out = dir.path().join("out");
    let o = crawl_into(&out, &site.url(), "r1", &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = findings(&out);
    assert!(!rows.is_empty(), "the sample site has findings");
    let run_dir = out.join("evidence/r1");
    let files = warc_files(&run_dir);
    assert!(!files.is_empty());
    for (url, _, ev) in &rows {
        assert!(ev[0].starts_with("evidence/r1/r1-") && ev[1].parse::<u64>().is_ok() && ev[2].starts_with("<urn:uuid:") && ev[3].len() == 64, "{url}: {ev:?}");
        kuzet::evidence::check_record(&out, &ev[0], ev[1].parse().unwrap(), &ev[2], &ev[3]).unwrap();
    }
    // An independent reader: every record and digest checks, and the index lists every page.
    let warcio = warcio();
    for file in &files {
        let check = Command::new(&warcio).args(["check", "-v"]).arg(file).output().unwrap();
        let text = String::from_utf8_lossy(&check.stdout).into_owned() + &String::from_utf8_lossy(&check.stderr);
        assert!(check.status.success(), "warcio check {}: {text}", file.display());
        assert!(text.contains("digest pass"), "digests were checked: {text}");
        assert!(!text.contains("digest failed"), "{text}");
    }
    let index = Command::new(&warcio).args(["index", "-f", "warc-type,warc-target-uri,offset,warc-payload-digest"]).args(&files).output().unwrap();
    assert!(index.status.success());
    let listed = String::from_utf8_lossy(&index.stdout).into_owned();
    for (url, _, ev) in &rows {
        let line = listed.lines().find(|l| l.contains("\"response\"") && l.contains(&format!("\"{url}\""))).unwrap_or_else(|| panic!("{url} not in warcio index:\n{listed}"));
        assert!(line.contains(&format!("\"offset\": \"{}\"", ev[1])), "{line} vs {ev:?}");
    }
    let cdxj = std::fs::read_to_string(run_dir.join("index.cdxj")).unwrap();
    assert_eq!(cdxj.lines().count(), rows.iter().map(|r| &r.0).collect::<BTreeSet<_>>().len(), "{cdxj}");
    let (ok, text) = verify(&out);
    assert!(ok && text.contains(&format!("{} queue rows", rows.len())), "{text}");

    // A second run of the unchanged site: revisit records, a chain of two runs, still valid.
    let o = crawl_into(&out, &site.url(), "r2", &[]);
    assert!(o.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["crawl"]["evidence_revisits"], summary["crawl"]["evidence_pages"], "{summary}");
    assert!(summary["crawl"]["evidence_pages"].as_u64().unwrap() > 0);
    for file in warc_files(&out.join("evidence/r2")) {
        let check = Command::new(&warcio).args(["check"]).arg(&file).output().unwrap();
        assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    }
    assert_eq!(std::fs::read_to_string(out.join("evidence/chain.txt")).unwrap().lines().count(), 2);
    let (ok, text) = verify(&out);
    assert!(ok, "{text}");

    // Tampering, each on a fresh copy: named in the failure.
    let copy = |name: &str| {
        let to = dir.path().join(name);
        let status = Command::new("cp").arg("-a").arg(&out).arg(&to).status().unwrap();
        assert!(status.success());
        to
    };
    let one_byte = copy("byte");
    let victim = warc_files(&one_byte.join("evidence/r1"))[0].clone();
    let mut bytes = std::fs::read(&victim).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    std::fs::write(&victim, bytes).unwrap();
    let (ok, text) = verify(&one_byte);
    assert!(!ok && text.contains(victim.file_name().unwrap().to_str().unwrap()) && text.contains("differs"), "{text}");

    let line_removed = copy("line");
    let manifest = line_removed.join("evidence/r2/MANIFEST.sha256");
    let kept: Vec<String> = std::fs::read_to_string(&manifest).unwrap().lines().skip(1).map(|l| format!("{l}\n")).collect();
    let removed_name = std::fs::read_to_string(&manifest).unwrap().lines().next().unwrap().split("  ").nth(1).unwrap().to_string();
    std::fs::write(&manifest, kept.concat()).unwrap();
    let (ok, text) = verify(&line_removed);
    assert!(!ok && text.contains("MANIFEST.sha256"), "{text}");
    assert!(text.contains("evidence/r2"), "{text} (removed {removed_name})");

    let earlier = copy("earlier");
    let manifest = earlier.join("evidence/r1/MANIFEST.sha256");
    let text = std::fs::read_to_string(&manifest).unwrap().replacen('a', "b", 1);
    std::fs::write(&manifest, text).unwrap();
    let (ok, text) = verify(&earlier);
    assert!(!ok && text.contains("evidence/r1/MANIFEST.sha256"), "{text}");
}

#[test]
fn the_body_is_kept_as_received_before_content_decoding() {
    let page = b"<html><head><title>t</title></head><body><p>We will kill them all tomorrow, bring weapons.</p></body></html>".repeat(3);
    let gz = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(&page).unwrap();
        e.finish().unwrap()
    };
    let wire = gz.clone();
    let server = Server::start(Arc::new(move |r: &Request| match r.path.as_str() {
        "/" => Reply::new(200, "text/html; charset=utf-8", wire.clone()).with_header("Content-Encoding", "gzip"),
        _ => Reply::not_found(),
    }))
    .unwrap();
    let dir = tempdir();
    let out = dir.path().join("out");
    let o = crawl_into(&out, &server.url(), "g", &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = findings(&out);
    assert_eq!(rows.len(), 1, "the decoded page was analysed: {rows:?}");
    let ev = &rows[0].2;
    assert_eq!(ev[3], kuzet::warc::sha256_hex(&gz), "the payload is the gzip body as sent");
    let mut reader = kuzet::warc::open(&out.join(&ev[0])).unwrap();
    let response = std::iter::from_fn(|| reader.next_record(|_| true)).map(Result::unwrap).find(|r| r.kind() == "response").unwrap();
    let (status, headers, at) = kuzet::warc::http_parts(&response.block).unwrap();
    assert_eq!(status, 200);
    assert!(headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("content-encoding") && v == "gzip"));
    assert_eq!(&response.block[at..], &gz[..]);
    assert!(response.header("WARC-IP-Address") == Some("127.0.0.1"), "{:?}", response.headers);
    let check = Command::new(warcio()).args(["check"]).arg(out.join(&ev[0])).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    // No evidence when the config says so.
    let none = dir.path().join("none.toml");
    std::fs::write(&none, "[evidence]\ncapture = \"none\"\n").unwrap();
    let out2 = dir.path().join("out2");
    let o = crawl_into(&out2, &server.url(), "n", &["--config", none.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!out2.join("evidence").exists());
    assert!(findings(&out2).iter().all(|r| r.2.iter().all(String::is_empty)));
}

#[test]
fn classify_reads_wget_warc_with_the_crawls_findings() {
    let site = sample_site();
    let dir = tempdir();
    let out = dir.path().join("crawl");
    let o = crawl_into(&out, &site.url(), "c", &[]);
    assert!(o.status.success());
    let crawled: BTreeSet<(String, String)> = findings(&out).into_iter().map(|(u, id, _)| (u, id)).collect();
    assert!(!crawled.is_empty());
    let mirror = dir.path().join("mirror");
    let warc = dir.path().join("site");
    let status = Command::new("wget")
        .args(["--quiet", "--mirror", "--no-proxy", "--user-agent", "kuzet-test-wget"])
        .arg(format!("--warc-file={}", warc.display()))
        .arg("--directory-prefix")
        .arg(&mirror)
        .arg(site.url())
        .status()
        .expect("wget");
    // wget exits 8 when some links answered 404: the archive is still whole.
    assert!(matches!(status.code(), Some(0 | 8)), "wget: {status:?}");
    let classified = dir.path().join("classified");
    let o = kuzet(&["classify", "--out", classified.to_str().unwrap(), "--run-id", "w", &format!("{}.warc.gz", warc.display())]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let from_warc: BTreeSet<(String, String)> = findings(&classified).into_iter().map(|(u, id, _)| (u, id)).collect();
    assert_eq!(from_warc, crawled);
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(classified.join("summary.json")).unwrap()).unwrap();
    assert!(summary["skipped_records"].as_u64().unwrap() > 0, "404s and non-text are skipped and counted: {summary}");
}

#[test]
fn broken_warc_records_are_reported_with_offsets_and_the_rest_classified() {
    let record = |uri: &str, body: &str, length: Option<usize>| {
        let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><p>{body}</p></body></html>");
        let len = length.unwrap_or(http.len());
        format!("WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2026-12-05T10:00:00Z\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {len}\r\n\r\n{http}\r\n\r\n")
    };
    let gz = |s: &str| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(s.as_bytes()).unwrap();
        e.finish().unwrap()
    };
    let threat = "We will kill them all tomorrow, bring weapons and shoot the guards.";
    let a = gz(&record("http://a.example/1", threat, None));
    let bad = gz(&record("http://a.example/2", threat, Some(20)));
    let c = gz(&record("http://a.example/3", threat, None));
    let dir = tempdir();
    let wrong_length = dir.path().join("wrong.warc.gz");
    std::fs::write(&wrong_length, [a.clone(), bad.clone(), c.clone()].concat()).unwrap();
    let truncated = dir.path().join("cut.warc.gz");
    let mut cut = [a.clone(), c.clone()].concat();
    cut.truncate(a.len() + c.len() / 2);
    std::fs::write(&truncated, cut).unwrap();
    // (file, offset reported, pages classified)
    let cases = [(&wrong_length, a.len(), 2), (&truncated, a.len(), 1)];
    for (file, offset, read) in cases {
        let out = dir.path().join(format!("out-{}", file.file_name().unwrap().to_string_lossy()));
        let o = kuzet(&["classify", "--out", out.to_str().unwrap(), file.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(&format!("record at offset {offset}")), "{stderr}");
        let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
        assert_eq!(summary["read"], read, "{summary}");
        assert_eq!(summary["failed"], 1, "{summary}");
    }
}
