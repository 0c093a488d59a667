//! Evidence: the pages behind the findings, kept as WARC/1.1 under `OUT/evidence/<run>/`.
//!
//! The crawl's writer thread owns a [`Recorder`]. For every page that produced a finding (or,
//! with `capture = "all"`, every page read) it writes a `request` record, a `response` record
//! with the status line, headers and body as received (before content decoding), and a
//! `metadata` record with the finding (item id, lexicon version, entries and rules, run id). A
//! flagged page whose payload was captured before, in this run or an earlier one (found in the
//! runs' CDXJ indexes), gets a `revisit` record instead of a second copy. The queue row names its
//! evidence ([`EvidenceRef`]): file, offset, record id and payload SHA-256.
//!
//! At the end of the run: `index.cdxj` (the index pywb reads), `MANIFEST.sha256` (every file's
//! SHA-256), and a line appended to `OUT/evidence/chain.txt`: the run, its manifest's SHA-256,
//! the previous line's chain hash, and this line's chain hash (SHA-256 of the three).
//! [`verify`] recomputes all of it.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::fetch::Wire;
use crate::warc::{self, NewRecord};

/// Which pages are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Capture {
    /// Pages with a finding.
    #[default]
    Flagged,
    /// Every page read (text answers).
    All,
    None,
}

/// `[evidence]` in the crawl config.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct EvidenceConfig {
    pub capture: Capture,
    /// A WARC file is closed and the next one started past this size (MiB).
    pub max_file_mb: u64,
}

impl Default for EvidenceConfig {
    fn default() -> EvidenceConfig {
        EvidenceConfig { capture: Capture::Flagged, max_file_mb: 1024 }
    }
}

/// Where a finding's page is kept.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EvidenceRef {
    /// The WARC file, relative to the output folder (`evidence/<run>/<run>-00001.warc.gz`).
    pub file: String,
    pub offset: u64,
    pub record_id: String,
    /// SHA-256 of the payload (the body as received), lower-case hex.
    pub sha256: String,
}

/// The queue columns naming the evidence, after the others.
pub const COLUMNS: [&str; 4] = ["evidence_file", "evidence_offset", "evidence_record_id", "evidence_sha256"];

impl EvidenceRef {
    pub fn cells(this: Option<&EvidenceRef>) -> [String; 4] {
        match this {
            Some(e) => [e.file.clone(), e.offset.to_string(), e.record_id.clone(), e.sha256.clone()],
            None => Default::default(),
        }
    }
}

/// A page's exchange, as the writer records it.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub url: String,
    pub wire: Wire,
    /// The decoded body (the payload when the answer was not content-encoded).
    pub body: Vec<u8>,
    /// The body was cut at the size cap.
    pub truncated: bool,
}

impl Exchange {
    /// The response record's block: head and the body as received.
    fn response_block(&self) -> (Vec<u8>, usize) {
        let payload = self.wire.encoded_body.as_deref().unwrap_or(&self.body);
        let mut block = Vec::with_capacity(self.wire.response_head.len() + payload.len());
        block.extend_from_slice(self.wire.response_head.as_bytes());
        block.extend_from_slice(payload);
        (block, self.wire.response_head.len())
    }
}

/// What the finding was, for the metadata record.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Finding<'a> {
    pub item_id: &'a str,
    pub run_id: &'a str,
    pub lexicon_version: &'a str,
    pub priority: u8,
    pub score: u32,
    pub category: &'a str,
    /// Entry keys and `rule:` names.
    pub fired: &'a [String],
    pub matched_terms: &'a str,
}

/// The file names in a run's folder.
pub const INDEX: &str = "index.cdxj";
pub const MANIFEST: &str = "MANIFEST.sha256";
pub const CHAIN: &str = "chain.txt";

/// Writes a run's evidence; owned by the crawl's writer thread.
pub struct Recorder {
    out: PathBuf,
    run_id: String,
    dir: PathBuf,
    config: EvidenceConfig,
    writer: Option<warc::Writer>,
    /// Payload digests captured before → (URI, WARC-Date) of the capture.
    seen: HashMap<String, (String, String)>,
    cdx: Vec<String>,
    pub records: u64,
    pub revisits: u64,
}

impl Recorder {
    pub fn new(out: &Path, run_id: &str, config: &EvidenceConfig) -> io::Result<Recorder> {
        let root = out.join("evidence");
        let mut seen = HashMap::new();
        if config.capture != Capture::None && root.is_dir() {
            for entry in std::fs::read_dir(&root)?.flatten() {
                let Ok(text) = std::fs::read_to_string(entry.path().join(INDEX)) else { continue };
                for line in text.lines() {
                    if let Some(c) = CdxLine::parse(line).filter(|c| c.kind == "response") {
                        seen.insert(c.digest, (c.url, c.date));
                    }
                }
            }
        }
        Ok(Recorder { out: out.to_path_buf(), run_id: run_id.to_string(), dir: root.join(crate::queue::file_safe(run_id)), config: config.clone(), writer: None, seen, cdx: Vec::new(), records: 0, revisits: 0 })
    }

    pub fn capture(&self) -> Capture {
        self.config.capture
    }

    fn writer(&mut self) -> io::Result<&mut warc::Writer> {
        if self.writer.is_none() {
            let info = format!(
                "software: kuzet/{}\r\nformat: WARC File Format 1.1\r\nconformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\nisPartOf: {}\r\ndescription: kuzet evidence of run {}\r\n",
                env!("CARGO_PKG_VERSION"),
                self.run_id,
                self.run_id
            );
            let prefix = crate::queue::file_safe(&self.run_id);
            self.writer = Some(warc::Writer::new(&self.dir, &prefix, self.config.max_file_mb.max(1) << 20, info)?);
        }
        self.writer.as_mut().ok_or_else(|| io::Error::other("no WARC writer"))
    }

    /// Records `exchange`, a flagged page when `findings` is not empty (a page split into posts
    /// has one finding per flagged post, each named in a metadata record of its own); returns
    /// where its response (or revisit) record is. `None` when the config keeps no such page.
    pub fn record(&mut self, exchange: &Exchange, findings: &[Finding<'_>]) -> io::Result<Option<EvidenceRef>> {
        let flagged = !findings.is_empty();
        let keep = match self.config.capture {
            Capture::None => false,
            Capture::All => true,
            Capture::Flagged => flagged,
        };
        if !keep {
            return Ok(None);
        }
        let date = warc::iso_date(exchange.wire.fetched_at);
        let (block, head_len) = exchange.response_block();
        // One pass over the payload: the label (base32) and the hex are the same digest.
        let digest = {
            use sha2::Digest;
            sha2::Sha256::digest(&block[head_len..])
        };
        let payload_label = format!("sha256:{}", warc::base32(&digest));
        let sha256 = warc::hex(&digest);
        let ip = exchange.wire.ip.map(|ip| ip.to_string());
        let earlier = if flagged { self.seen.get(&payload_label).cloned() } else { None };
        let w = self.writer()?;
        let response_id = w.record_id();
        let mut common: Vec<(&str, String)> = Vec::new();
        if let Some(ip) = &ip {
            common.push(("WARC-IP-Address", ip.clone()));
        }
        let mut headers = common.clone();
        if exchange.truncated {
            headers.push(("WARC-Truncated", "length".into()));
        }
        let written = match &earlier {
            Some((uri, at)) => {
                // Unchanged since an earlier capture: the headers only, pointing at it.
                headers.push(("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest".into()));
                headers.push(("WARC-Refers-To-Target-URI", uri.clone()));
                headers.push(("WARC-Refers-To-Date", at.clone()));
                headers.push(("WARC-Payload-Digest", payload_label.clone()));
                let rec = NewRecord { kind: "revisit", date: date.clone(), target_uri: Some(&exchange.url), content_type: Some("application/http; msgtype=response"), headers, block: &block[..head_len], payload_at: None, ..NewRecord::default() };
                w.write_with_id(&rec, Some(response_id.clone()))?
            }
            None => {
                let rec = NewRecord { kind: "response", date: date.clone(), target_uri: Some(&exchange.url), content_type: Some("application/http; msgtype=response"), headers, block: &block, payload_at: Some(head_len), payload_sha256: Some(&digest) };
                w.write_with_id(&rec, Some(response_id.clone()))?
            }
        };
        let mut concurrent = common.clone();
        concurrent.push(("WARC-Concurrent-To", response_id.clone()));
        let request = NewRecord { kind: "request", date: date.clone(), target_uri: Some(&exchange.url), content_type: Some("application/http; msgtype=request"), headers: concurrent.clone(), block: exchange.wire.request_head.as_bytes(), payload_at: None, ..NewRecord::default() };
        w.write(&request)?;
        for f in findings {
            let fields = metadata_fields(f);
            let mut meta_headers = vec![("WARC-Refers-To", response_id.clone())];
            meta_headers.extend(concurrent.iter().filter(|(k, _)| *k == "WARC-Concurrent-To").cloned());
            let meta = NewRecord { kind: "metadata", date: date.clone(), target_uri: Some(&exchange.url), content_type: Some("application/warc-fields"), headers: meta_headers, block: fields.as_bytes(), payload_at: None, ..NewRecord::default() };
            w.write(&meta)?;
        }
        self.records += 1;
        let kind = if earlier.is_some() { "revisit" } else { "response" };
        self.revisits += u64::from(earlier.is_some());
        let file = format!("evidence/{}/{}", crate::queue::file_safe(&self.run_id), written.file);
        let status = crate::warc::http_parts(&block[..head_len]).map_or(0, |(s, _, _)| s);
        let mime = exchange.wire.response_head.lines().find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-type")).map(|(_, v)| v.split(';').next().unwrap_or("").trim().to_string())).unwrap_or_default();
        let line = CdxLine { url: exchange.url.clone(), date: date.clone(), kind: kind.into(), digest: payload_label.clone(), status, mime, length: written.length, offset: written.offset, filename: written.file.clone() };
        self.cdx.push(line.render());
        if earlier.is_none() {
            self.seen.insert(payload_label, (exchange.url.clone(), date));
        }
        Ok(Some(EvidenceRef { file, offset: written.offset, record_id: response_id, sha256 }))
    }

    /// Closes the WARC files and writes the index, the manifest and the chain line (only when
    /// something was captured).
    pub fn finish(&mut self) -> io::Result<()> {
        let Some(mut w) = self.writer.take() else { return Ok(()) };
        w.finish()?;
        self.cdx.sort();
        let mut index = self.cdx.join("\n");
        index.push('\n');
        crate::queue::publish(&self.dir.join(INDEX), |w| w.write_all(index.as_bytes()))?;
        let manifest = manifest_of(&self.dir)?;
        crate::queue::publish(&self.dir.join(MANIFEST), |w| w.write_all(manifest.as_bytes()))?;
        let chain_path = self.out.join("evidence").join(CHAIN);
        let previous = match std::fs::read_to_string(&chain_path) {
            Ok(text) => text.lines().filter_map(ChainLine::parse).last().map(|l| l.hash),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        let line = ChainLine::new(&crate::queue::file_safe(&self.run_id), &warc::sha256_hex(manifest.as_bytes()), previous.as_deref().unwrap_or(GENESIS));
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&chain_path)?;
        f.write_all(format!("{}\n", line.render()).as_bytes())?;
        f.sync_all()?;
        Ok(())
    }
}

fn metadata_fields(f: &Finding<'_>) -> String {
    let clean = |s: &str| s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>();
    let mut out = format!(
        "kuzet-item-id: {}\r\nkuzet-run-id: {}\r\nkuzet-lexicon-version: {}\r\nkuzet-priority: {}\r\nkuzet-score: {}\r\nkuzet-category: {}\r\n",
        clean(f.item_id),
        clean(f.run_id),
        clean(f.lexicon_version),
        f.priority,
        f.score,
        clean(f.category)
    );
    for key in f.fired {
        out.push_str(&format!("kuzet-fired: {}\r\n", clean(key)));
    }
    out.push_str(&format!("kuzet-matched-terms: {}\r\n", clean(f.matched_terms)));
    out
}

/// `sha256  name` for every file of a run's folder but the manifest, sorted by name.
fn manifest_of(dir: &Path) -> io::Result<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != MANIFEST && !n.starts_with('.'))
        .collect();
    names.sort();
    let mut out = String::new();
    for name in names {
        out.push_str(&format!("{}  {name}\n", file_sha256(&dir.join(&name))?));
    }
    Ok(out)
}

fn file_sha256(path: &Path) -> io::Result<String> {
    use sha2::Digest;
    let mut file = crate::input::open_regular(path)?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = io::Read::read(&mut file, &mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(warc::hex(&h.finalize()))
}

/// One line of `index.cdxj`: `SURT TIMESTAMP {json}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdxLine {
    pub url: String,
    pub date: String,
    pub kind: String,
    pub digest: String,
    pub status: u16,
    pub mime: String,
    pub length: u64,
    pub offset: u64,
    pub filename: String,
}

impl CdxLine {
    pub fn render(&self) -> String {
        let mut json = serde_json::json!({
            "url": self.url, "mime": self.mime, "status": self.status.to_string(), "digest": self.digest,
            "length": self.length.to_string(), "offset": self.offset.to_string(), "filename": self.filename,
        });
        if self.kind == "revisit" {
            json["mime"] = "warc/revisit".into();
        }
        format!("{} {} {}", surt(&self.url), warc::cdx_stamp(&self.date), json)
    }

    fn parse(line: &str) -> Option<CdxLine> {
        let mut parts = line.splitn(3, ' ');
        let (_, stamp, json) = (parts.next()?, parts.next()?, parts.next()?);
        let v: serde_json::Value = serde_json::from_str(json).ok()?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let date = if stamp.len() == 14 { format!("{}-{}-{}T{}:{}:{}Z", &stamp[..4], &stamp[4..6], &stamp[6..8], &stamp[8..10], &stamp[10..12], &stamp[12..14]) } else { String::new() };
        Some(CdxLine {
            url: s("url"),
            date,
            kind: if s("mime") == "warc/revisit" { "revisit".into() } else { "response".into() },
            digest: s("digest"),
            status: s("status").parse().unwrap_or(0),
            mime: s("mime"),
            length: s("length").parse().unwrap_or(0),
            offset: s("offset").parse().unwrap_or(0),
            filename: s("filename"),
        })
    }
}

/// The SURT form of a URL, as pywb sorts it: `org,example)/path?query` (host reversed, `www.`
/// dropped, lower case, query parameters sorted); checked against python `surt` 0.3.
pub fn surt(url: &str) -> String {
    let Ok(u) = url::Url::parse(url) else { return url.to_ascii_lowercase() };
    let host = u.host_str().unwrap_or("").trim_start_matches("www.").to_ascii_lowercase();
    // Reversed like a domain even for an IP address, as the surt library pywb uses does.
    let mut parts: Vec<&str> = host.split('.').collect();
    parts.reverse();
    let mut s = parts.join(",");
    if let Some(port) = u.port() {
        s.push_str(&format!(":{port}"));
    }
    s.push(')');
    s.push_str(&u.path().to_ascii_lowercase());
    if let Some(q) = u.query() {
        let mut pairs: Vec<&str> = q.split('&').collect();
        pairs.sort();
        s.push('?');
        s.push_str(&pairs.join("&").to_ascii_lowercase());
    }
    s
}

/// The chain hash before the first run.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One line of `chain.txt`: `RUN MANIFEST_SHA256 PREVIOUS_HASH HASH`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ChainLine {
    run: String,
    manifest: String,
    previous: String,
    hash: String,
}

impl ChainLine {
    fn new(run: &str, manifest: &str, previous: &str) -> ChainLine {
        ChainLine { run: run.into(), manifest: manifest.into(), previous: previous.into(), hash: chain_hash(run, manifest, previous) }
    }

    fn render(&self) -> String {
        format!("{} {} {} {}", self.run, self.manifest, self.previous, self.hash)
    }

    fn parse(line: &str) -> Option<ChainLine> {
        let f: Vec<&str> = line.split(' ').collect();
        (f.len() == 4).then(|| ChainLine { run: f[0].into(), manifest: f[1].into(), previous: f[2].into(), hash: f[3].into() })
    }
}

fn chain_hash(run: &str, manifest: &str, previous: &str) -> String {
    warc::sha256_hex(format!("{previous} {run} {manifest}").as_bytes())
}

/// What `evidence verify` checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verified {
    pub runs: usize,
    pub files: usize,
    pub rows: usize,
}

/// The first thing that does not match.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{0}: {1}")]
    Mismatch(String, String),
    #[error("{0}: {1}")]
    Io(String, io::Error),
}

/// Recomputes every run's manifest and files, the chain, and checks every queue row's evidence
/// (the CSV queues under `out/queues`): the record at its offset has its record id and digest.
pub fn verify(out: &Path) -> Result<Verified, VerifyError> {
    let root = out.join("evidence");
    let mismatch = |what: &Path, why: String| VerifyError::Mismatch(what.display().to_string(), why);
    let io_err = |what: &Path| {
        let what = what.display().to_string();
        move |e| VerifyError::Io(what.clone(), e)
    };
    let mut done = Verified::default();
    let chain_path = root.join(CHAIN);
    let chain = match std::fs::read_to_string(&chain_path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound && !root.exists() => String::new(),
        Err(e) => return Err(io_err(&chain_path)(e)),
    };
    let mut previous = GENESIS.to_string();
    let mut chained = std::collections::HashSet::new();
    for (n, text) in chain.lines().enumerate() {
        let at = format!("{}:{}", chain_path.display(), n + 1);
        let line = ChainLine::parse(text).ok_or_else(|| VerifyError::Mismatch(at.clone(), "not a chain line".into()))?;
        if line.previous != previous || line.hash != chain_hash(&line.run, &line.manifest, &line.previous) {
            return Err(VerifyError::Mismatch(at, format!("chain broken at run {}", line.run)));
        }
        previous = line.hash.clone();
        let dir = root.join(&line.run);
        let manifest_path = dir.join(MANIFEST);
        let manifest = std::fs::read(&manifest_path).map_err(io_err(&manifest_path))?;
        if warc::sha256_hex(&manifest) != line.manifest {
            return Err(mismatch(&manifest_path, format!("does not match its hash in {} (line {})", chain_path.display(), n + 1)));
        }
        let listed: HashMap<String, String> = String::from_utf8_lossy(&manifest).lines().filter_map(|l| l.split_once("  ")).map(|(h, f)| (f.to_string(), h.to_string())).collect();
        let mut names: Vec<String> = std::fs::read_dir(&dir).map_err(io_err(&dir))?.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n != MANIFEST && !n.starts_with('.')).collect();
        names.sort();
        for name in &names {
            let path = dir.join(name);
            let Some(want) = listed.get(name) else { return Err(mismatch(&path, format!("not in {}", manifest_path.display()))) };
            if &file_sha256(&path).map_err(io_err(&path))? != want {
                return Err(mismatch(&path, "SHA-256 differs from the manifest".into()));
            }
            done.files += 1;
        }
        if let Some(missing) = listed.keys().find(|f| !names.contains(f)) {
            return Err(mismatch(&dir.join(missing), "listed in the manifest but missing".into()));
        }
        chained.insert(line.run);
        done.runs += 1;
    }
    if root.is_dir() {
        let mut runs: Vec<_> = std::fs::read_dir(&root).map_err(io_err(&root))?.filter_map(|e| e.ok()).filter(|e| e.file_type().is_ok_and(|t| t.is_dir())).collect();
        runs.sort_by_key(|e| e.file_name());
        if let Some(e) = runs.iter().find(|e| !chained.contains(&*e.file_name().to_string_lossy())) {
            return Err(mismatch(&e.path(), format!("a run folder with no line in {}", chain_path.display())));
        }
    }
    done.rows = verify_rows(out)?;
    Ok(done)
}

/// Checks the evidence each CSV queue row names.
fn verify_rows(out: &Path) -> Result<usize, VerifyError> {
    let queues = out.join("queues");
    let Ok(entries) = std::fs::read_dir(&queues) else { return Ok(0) };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "csv")).collect();
    files.sort();
    let mut rows = 0;
    for path in files {
        let bytes = std::fs::read(&path).map_err(|e| VerifyError::Io(path.display().to_string(), e))?;
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(body);
        let header: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(str::to_string).collect(),
            Err(_) => continue,
        };
        let col = |name: &str| header.iter().position(|h| h == name);
        let (Some(fc), Some(oc), Some(ic), Some(sc)) = (col(COLUMNS[0]), col(COLUMNS[1]), col(COLUMNS[2]), col(COLUMNS[3])) else { continue };
        for (n, record) in reader.records().enumerate() {
            let at = format!("{}:{}", path.display(), n + 2);
            let record = record.map_err(|e| VerifyError::Mismatch(at.clone(), e.to_string()))?;
            let cell = |i: usize| record.get(i).unwrap_or("").trim_start_matches('\'').to_string();
            let file = cell(fc);
            if file.is_empty() {
                continue;
            }
            let offset: u64 = cell(oc).parse().map_err(|_| VerifyError::Mismatch(at.clone(), format!("evidence offset {:?} is not a number", cell(oc))))?;
            check_record(out, &file, offset, &cell(ic), &cell(sc)).map_err(|why| VerifyError::Mismatch(at.clone(), why))?;
            rows += 1;
        }
    }
    Ok(rows)
}

/// Reads the record at `file`/`offset` and checks its id and payload digest.
pub fn check_record(out: &Path, file: &str, offset: u64, record_id: &str, sha256: &str) -> Result<(), String> {
    if file.split('/').any(|p| p == ".." || p.is_empty()) || file.starts_with('/') {
        return Err(format!("evidence file {file:?} is not under the output folder"));
    }
    let path = out.join(file);
    let mut f = crate::input::open_regular(&path).map_err(|e| format!("evidence {file}: {e}"))?;
    io::Seek::seek(&mut f, io::SeekFrom::Start(offset)).map_err(|e| format!("evidence {file}: {e}"))?;
    let mut reader = warc::Reader::new(io::BufReader::new(f)).map_err(|e| format!("evidence {file}: {e}"))?;
    let record = match reader.next_record(|_| true) {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Err(format!("evidence {file} at {offset}: {e}")),
        None => return Err(format!("evidence {file}: no record at offset {offset}")),
    };
    if record.header("WARC-Record-ID") != Some(record_id) {
        return Err(format!("evidence {file} at {offset}: record id {:?}, the row names {record_id}", record.header("WARC-Record-ID")));
    }
    if record.header("WARC-Block-Digest") != Some(warc::sha256_label(&record.block).as_str()) {
        return Err(format!("evidence {file} at {offset}: block digest does not match the block"));
    }
    let payload = match record.kind() {
        "response" => {
            let at = warc::http_parts(&record.block).map_or(record.block.len(), |(_, _, at)| at);
            warc::sha256_hex(&record.block[at..])
        }
        _ => record.header("WARC-Payload-Digest").map(|d| d.to_string()).unwrap_or_default(),
    };
    let want_label = format!("sha256:{}", warc::base32(&from_hex(sha256).unwrap_or_default()));
    if payload != sha256 && payload != want_label {
        return Err(format!("evidence {file} at {offset}: payload SHA-256 differs from the row's {sha256}"));
    }
    Ok(())
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    (s.len() % 2 == 0).then_some(())?;
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surts_and_cdx_lines() {
        let cases = [
            ("http://www.Example.org/A/b?z=1&a=2", "org,example)/a/b?a=2&z=1"),
            ("http://127.0.0.1:8080/x", "1,0,0,127:8080)/x"),
            ("https://kz.example.kz/", "kz,example,kz)/"),
        ];
        for (url, want) in cases {
            assert_eq!(surt(url), want, "{url}");
        }
        let line = CdxLine { url: "http://127.0.0.1:9/p".into(), date: "2026-12-05T15:16:33Z".into(), kind: "response".into(), digest: "sha256:AB".into(), status: 200, mime: "text/html".into(), length: 10, offset: 20, filename: "f.warc.gz".into() };
        let text = line.render();
        assert!(text.starts_with("1,0,0,127:9)/p 20261205151633 {"), "{text}");
        assert_eq!(CdxLine::parse(&text), Some(line));
    }

    #[test]
    fn chain_lines_link_runs() {
        let a = ChainLine::new("r1", &"a".repeat(64), GENESIS);
        let b = ChainLine::new("r2", &"b".repeat(64), &a.hash);
        assert_eq!(ChainLine::parse(&b.render()), Some(b.clone()));
        assert_ne!(a.hash, b.hash);
        assert_ne!(chain_hash("r2", &"b".repeat(64), GENESIS), b.hash, "the previous hash is part of the line's");
        assert_eq!(from_hex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(from_hex("0g"), None);
    }
}
