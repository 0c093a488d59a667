//! The `classify` command: local files, folders, JSONL and stdin in; review queues and a run
//! summary out.
//!
//! Inputs: a file (`.html`/`.htm` parsed as HTML, `.warc`/`.warc.gz` as web archives ([`warc_input`]), `.jsonl` as records
//! `{"id", "text", "url"?, "title"?}`, anything else as text in any encoding), a folder
//! (recursively, hidden files skipped, symlinks not followed, only regular files read: a FIFO
//! or device in a folder is counted and never opened), or `-` for JSONL on stdin. A file that
//! looks binary ([`crate::decode::looks_binary`]) is counted as skipped, never analysed.
//! Items are analysed in parallel; an unreadable input or a bad record is counted, named in the
//! summary and skipped, never fatal.

use std::collections::BTreeMap;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::analyse::{Document, Engine, analyse};
use crate::queue::{self, QueueRow};

/// Files larger than this are refused (counted as failed).
pub const MAX_FILE_BYTES: u64 = 256 << 20;
/// JSONL records analysed per parallel batch.
const BATCH: usize = 1024;

/// What to classify and where to write.
#[derive(Debug, Clone)]
pub struct Config {
    pub inputs: Vec<String>,
    pub out: PathBuf,
    pub run_id: String,
}

/// An input that could not be read or parsed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Failure {
    pub reference: String,
    pub error: String,
}

/// The run summary, written to `OUT/summary.json`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub run_id: String,
    pub lexicon_version: String,
    pub read: u64,
    pub failed: u64,
    pub flagged: u64,
    pub flagged_by_category: BTreeMap<String, u64>,
    pub flagged_by_priority: BTreeMap<String, u64>,
    pub flagged_by_lang: BTreeMap<String, u64>,
    pub read_by_lang: BTreeMap<String, u64>,
    pub obfuscated: u64,
    /// Files skipped because they look binary.
    #[serde(default)]
    pub skipped_binary: u64,
    /// Entries of input folders skipped because they are not regular files (FIFOs, sockets,
    /// devices).
    #[serde(default)]
    pub skipped_not_regular: u64,
    /// WARC records not classified: revisits, requests, metadata, non-text or non-2xx answers.
    #[serde(default)]
    pub skipped_records: u64,
    pub queues: Vec<String>,
    pub failures: Vec<Failure>,
    pub duration_ms: u64,
}

/// What a batch of items produced.
#[derive(Debug, Default)]
struct Batch {
    rows: Vec<QueueRow>,
    read: u64,
    obfuscated: u64,
    skipped_binary: u64,
    skipped_not_regular: u64,
    skipped_records: u64,
    read_by_lang: BTreeMap<String, u64>,
    failures: Vec<Failure>,
}

impl Batch {
    fn merge(mut self, other: Batch) -> Batch {
        self.rows.extend(other.rows);
        self.read += other.read;
        self.obfuscated += other.obfuscated;
        self.skipped_binary += other.skipped_binary;
        self.skipped_not_regular += other.skipped_not_regular;
        self.skipped_records += other.skipped_records;
        for (k, v) in other.read_by_lang {
            *self.read_by_lang.entry(k).or_default() += v;
        }
        self.failures.extend(other.failures);
        self
    }

    fn failed(reference: String, error: impl ToString) -> Batch {
        Batch { failures: vec![Failure { reference, error: error.to_string() }], ..Batch::default() }
    }
}

/// Classifies `config.inputs` and writes the queues and summary. Returns the summary; only
/// failing to write the outputs is an error.
pub fn run(config: &Config, engine: &Engine) -> std::io::Result<Summary> {
    let started = std::time::Instant::now();
    let mut sources = Vec::new();
    let mut batch = Batch::default();
    for input in &config.inputs {
        if input == "-" {
            sources.push(None);
        } else {
            match expand(Path::new(input), &mut sources, &mut batch.skipped_not_regular) {
                Ok(()) => {}
                Err(e) => batch.failures.push(Failure { reference: input.clone(), error: e.to_string() }),
            }
        }
    }
    let files: Vec<PathBuf> = sources.iter().flatten().cloned().collect();
    batch = batch.merge(files.par_iter().map(|p| classify_file(p, engine, &config.run_id)).reduce(Batch::default, Batch::merge));
    if sources.iter().any(Option::is_none) {
        batch = batch.merge(classify_jsonl(std::io::stdin().lock(), "-", engine, &config.run_id));
    }
    let mut summary = write_outputs(config, engine, batch)?;
    summary.duration_ms = started.elapsed().as_millis() as u64;
    queue::publish_json(&config.out.join("summary.json"), &summary)?;
    Ok(summary)
}

fn write_outputs(config: &Config, engine: &Engine, batch: Batch) -> std::io::Result<Summary> {
    let mut rows = batch.rows;
    let mut summary = Summary {
        run_id: config.run_id.clone(),
        lexicon_version: engine.lexicon.version.clone(),
        read: batch.read,
        failed: batch.failures.len() as u64,
        obfuscated: batch.obfuscated,
        skipped_binary: batch.skipped_binary,
        skipped_not_regular: batch.skipped_not_regular,
        skipped_records: batch.skipped_records,
        read_by_lang: batch.read_by_lang,
        failures: batch.failures,
        ..Summary::default()
    };
    publish_queues(&config.out, &engine.lexicon.categories(), &mut rows, &mut summary)?;
    Ok(summary)
}

/// Sorts `rows`, publishes one queue per category (every category in `categories` gets a file,
/// header-only when empty) under `out/queues/`, with the reviewer workbook of the summary's run
/// ([`crate::workbook`]), and sets the summary's flagged counts.
pub fn publish_queues(out: &Path, categories: &[String], rows: &mut [QueueRow], summary: &mut Summary) -> std::io::Result<()> {
    queue::sort(rows);
    let mut by_category: BTreeMap<&str, Vec<&QueueRow>> = categories.iter().map(|c| (c.as_str(), Vec::new())).collect();
    summary.flagged = rows.len() as u64;
    summary.flagged_by_category.clear();
    summary.flagged_by_priority.clear();
    summary.flagged_by_lang.clear();
    summary.queues.clear();
    for row in rows.iter() {
        *summary.flagged_by_priority.entry(row.priority.to_string()).or_default() += 1;
        *summary.flagged_by_lang.entry(row.lang.clone()).or_default() += 1;
        by_category.entry(row.category.as_str()).or_default().push(row);
    }
    let mut sheets = Vec::new();
    for (category, list) in &by_category {
        let name = format!("{}.csv", crate::queue::file_safe(category));
        queue::publish_queue(&out.join("queues").join(&name), list)?;
        summary.flagged_by_category.insert(category.to_string(), list.len() as u64);
        summary.queues.push(format!("queues/{name}"));
        sheets.push(crate::workbook::Queue { name: category, rows: list.iter().map(|r| crate::workbook::Entry::new(r)).collect() });
    }
    crate::workbook::publish_for_run(out, &summary.run_id, &[], &sheets, &[])?;
    summary.queues.push(format!("queues/{}", crate::workbook::file_name(&summary.run_id)));
    Ok(())
}

/// Adds `path` (a file, or every regular file under a folder) to `out`; counts the folder
/// entries that are neither folders nor regular files in `not_regular`. A path given directly
/// is added whatever it is: [`classify_file`] refuses it by name if it is not a regular file.
fn expand(path: &Path, out: &mut Vec<Option<PathBuf>>, not_regular: &mut u64) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_dir() {
        out.push(Some(path.to_path_buf()));
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(path)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let kind = entry.file_type()?;
        if entry.file_name().to_string_lossy().starts_with('.') || kind.is_symlink() {
            continue;
        }
        if kind.is_dir() {
            expand(&entry.path(), out, not_regular)?;
        } else if kind.is_file() {
            out.push(Some(entry.path()));
        } else {
            *not_regular += 1;
        }
    }
    Ok(())
}

fn classify_file(path: &Path, engine: &Engine, run_id: &str) -> Batch {
    let reference = path.display().to_string();
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    let file = match crate::input::open_regular(path) {
        Ok(f) => f,
        Err(e) => return Batch::failed(reference, e),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if name.ends_with(".warc") || name.ends_with(".warc.gz") {
        return warc_input(file, &reference, engine, run_id);
    }
    if ext == "jsonl" {
        return classify_jsonl(std::io::BufReader::new(file), &reference, engine, run_id);
    }
    // Room for the whole file at once (a page of it at a time grew and copied it some ten times).
    let room = file.metadata().map_or(0, |m| m.len().min(MAX_FILE_BYTES) as usize + 1);
    let mut bytes = Vec::with_capacity(room);
    if let Err(e) = file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes) {
        return Batch::failed(reference, e);
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Batch::failed(reference, format!("larger than {} MiB", MAX_FILE_BYTES >> 20));
    }
    if crate::decode::looks_binary(&bytes) {
        tracing::info!(file = %reference, "skipped: looks binary");
        return Batch { skipped_binary: 1, ..Batch::default() };
    }
    let html = ext == "html" || ext == "htm";
    let text = crate::decode::decode_owned(bytes, None, None, html).text;
    let doc = if html {
        let page = crate::extract::html(&text);
        Document { reference, url: String::new(), title: page.title, text: page.text }
    } else {
        let title = text.lines().map(crate::extract::collapse).find(|l| !l.is_empty()).unwrap_or_default();
        Document { reference, url: String::new(), title: title.chars().take(120).collect(), text }
    };
    classify_document(&doc, engine, run_id)
}

fn classify_document(doc: &Document, engine: &Engine, run_id: &str) -> Batch {
    let analysis = analyse(doc, engine);
    let mut batch = Batch { read: 1, ..Batch::default() };
    batch.read_by_lang.insert(analysis.lang.to_string(), 1);
    if let Some(row) = QueueRow::new(doc, &analysis, &engine.lexicon, run_id) {
        batch.obfuscated = u64::from(analysis.assessment.is_obfuscated());
        batch.rows.push(row);
    }
    batch
}

/// Records of a WARC file gathered before a parallel batch is analysed (and their bytes).
const WARC_BATCH: usize = 256;
const WARC_BATCH_BYTES: usize = 64 << 20;

/// Classifies the `response` and `resource` records of HTML and text in a WARC file, streaming,
/// in parallel batches, as the crawl analyses pages (the record's `WARC-Target-URI` is the row's
/// URL). Revisits, other record types and non-text or non-2xx answers are counted as skipped; a
/// corrupt record is a failure naming its offset, and the records after it are read.
fn warc_input(file: std::fs::File, name: &str, engine: &Engine, run_id: &str) -> Batch {
    let mut reader = match crate::warc::Reader::new(std::io::BufReader::with_capacity(1 << 20, file)) {
        Ok(r) => r,
        Err(e) => return Batch::failed(name.to_string(), e),
    };
    let mut total = Batch::default();
    let mut pending: Vec<(url::Url, String, Option<String>, Vec<u8>)> = Vec::new();
    let mut pending_bytes = 0;
    let flush = |pending: &mut Vec<(url::Url, String, Option<String>, Vec<u8>)>| -> Batch {
        let batch = pending.par_iter().map(|(url, media, charset, body)| classify_page(url, media, charset.as_deref(), body, engine, run_id)).reduce(Batch::default, Batch::merge);
        pending.clear();
        batch
    };
    let wanted = |h: &[(String, String)]| {
        let get = |n: &str| h.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.as_str()).unwrap_or("");
        matches!(get("WARC-Type"), "response" | "resource")
    };
    while let Some(next) = reader.next_record(wanted) {
        let record = match next {
            Ok(r) => r,
            Err(e) => {
                total = total.merge(Batch::failed(format!("{name}: record at offset {}", e.offset()), e));
                continue;
            }
        };
        match page_of(&record) {
            Some(page) => {
                pending_bytes += page.3.len();
                pending.push(page);
                if pending.len() >= WARC_BATCH || pending_bytes >= WARC_BATCH_BYTES {
                    total = total.merge(flush(&mut pending));
                    pending_bytes = 0;
                }
            }
            None if matches!(record.kind(), "warcinfo" | "request" | "metadata") => {}
            None => total.skipped_records += 1,
        }
    }
    total.merge(flush(&mut pending))
}

/// The URL, media type, charset and decoded body of a record worth classifying.
fn page_of(record: &crate::warc::Record) -> Option<(url::Url, String, Option<String>, Vec<u8>)> {
    if record.block_skipped {
        return None;
    }
    let url = url::Url::parse(record.header("WARC-Target-URI")?.trim_matches(['<', '>'])).ok()?;
    let header = |h: &[(String, String)], n: &str| h.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.clone());
    let (content_type, body, headers) = match record.kind() {
        "response" => {
            let (status, headers, at) = crate::warc::http_parts(&record.block)?;
            if !(200..300).contains(&status) {
                return None;
            }
            (header(&headers, "Content-Type").unwrap_or_default(), record.block[at..].to_vec(), headers)
        }
        "resource" => (record.header("Content-Type").unwrap_or("").to_string(), record.block.clone(), Vec::new()),
        _ => return None,
    };
    let (media, charset) = crate::fetch::parse_content_type(&content_type);
    if !crate::fetch::is_text_type(&media) {
        return None;
    }
    let body = match header(&headers, "Transfer-Encoding") {
        Some(te) if te.to_ascii_lowercase().contains("chunked") => dechunk(&body).unwrap_or(body),
        _ => body,
    };
    let body = match header(&headers, "Content-Encoding").map(|c| c.trim().to_ascii_lowercase()) {
        Some(c) if !matches!(c.as_str(), "" | "identity") => crate::fetch::decode_body(&c, &body, MAX_FILE_BYTES as usize).ok()?.0,
        _ => body,
    };
    if crate::decode::looks_binary(&body) {
        return None;
    }
    Some((url, media, charset, body))
}

/// An HTTP/1.1 chunked body joined; `None` when it is not one.
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len());
    loop {
        let line_end = memchr::memmem::find(data, b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size..)?.strip_prefix(b"\r\n").unwrap_or(&data[size..]);
    }
}

/// One archived page, analysed as the crawl analyses a fetched one.
fn classify_page(url: &url::Url, media: &str, charset: Option<&str>, body: &[u8], engine: &Engine, run_id: &str) -> Batch {
    let page = crate::analyse::analyse_page(url, media, charset, body, engine, crate::analyse::Hashing::Skip);
    if !page.items.is_empty() {
        // A thread or channel page a site adapter split: a row per flagged post, as the crawl.
        let mut batch = Batch { read: 1, ..Batch::default() };
        batch.read_by_lang.insert(page.items[0].analysis.lang.to_string(), 1);
        for item in &page.items {
            if let Some(row) = QueueRow::for_item(item, &engine.lexicon, run_id) {
                batch.obfuscated |= u64::from(item.analysis.assessment.is_obfuscated());
                batch.rows.push(row);
            }
        }
        return batch;
    }
    let Some(analysis) = page.analysis else { return Batch::default() };
    let mut batch = Batch { read: 1, ..Batch::default() };
    batch.read_by_lang.insert(analysis.lang.to_string(), 1);
    if let Some(row) = QueueRow::new(&page.doc, &analysis, &engine.lexicon, run_id) {
        batch.obfuscated = u64::from(analysis.assessment.is_obfuscated());
        batch.rows.push(row);
    }
    batch
}

/// Classifies JSONL records from `reader`, in parallel batches.
fn classify_jsonl(reader: impl BufRead, name: &str, engine: &Engine, run_id: &str) -> Batch {
    let mut total = Batch::default();
    let mut pending: Vec<(usize, String)> = Vec::with_capacity(BATCH);
    let flush = |pending: &mut Vec<(usize, String)>| -> Batch {
        let batch = pending.par_iter().map(|(n, line)| classify_record(line, &format!("{name}:{n}"), engine, run_id)).reduce(Batch::default, Batch::merge);
        pending.clear();
        batch
    };
    for (i, line) in reader.split(b'\n').enumerate() {
        let line = match line {
            Ok(l) => String::from_utf8_lossy(&l).into_owned(),
            Err(e) => {
                total = total.merge(Batch::failed(format!("{name}:{}", i + 1), e));
                break;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        pending.push((i + 1, line));
        if pending.len() >= BATCH {
            total = total.merge(flush(&mut pending));
        }
    }
    total.merge(flush(&mut pending))
}

fn classify_record(line: &str, at: &str, engine: &Engine, run_id: &str) -> Batch {
    let value: serde_json::Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return Batch::failed(at.to_string(), format!("not a JSON record: {e}")),
    };
    let text_of = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_string);
    let id = match value.get("id") {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => return Batch::failed(at.to_string(), "record has no string or number \"id\""),
    };
    let Some(text) = text_of("text") else {
        return Batch::failed(at.to_string(), "record has no string \"text\"");
    };
    let doc = Document { reference: id, url: text_of("url").unwrap_or_default(), title: text_of("title").unwrap_or_default(), text };
    classify_document(&doc, engine, run_id)
}
