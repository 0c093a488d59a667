//! WARC/1.1 records (ISO 28500): writing them, one gzip member per record, and reading them
//! back from `.warc` and `.warc.gz` files of any writer.
//!
//! Writing: [`Writer`] appends records to files `PREFIX-NNNNN.warc.gz` in a folder, starting a
//! new file (with its `warcinfo` record) once the current one has passed the size limit. Each
//! record is its own gzip member, so a record can be read alone from its (file, offset), and a
//! crash leaves every earlier record whole. Digests are SHA-256 in base32 with padding
//! (`sha256:…`), as warcio writes them; `WARC-Payload-Digest` is over the HTTP body as stored
//! (content-encoded, never chunked), `WARC-Block-Digest` over the whole block.
//!
//! Reading: [`Reader`] streams records from any `BufRead`. A gzip file is read member by member,
//! so a record's offset is the compressed offset of the member it starts in (the offset a CDX
//! index names). A record that is not whole (a wrong `Content-Length`, a cut gzip member, a
//! header that is not WARC) is returned as an error with its offset, and reading goes on at the
//! next record it can find.

use std::fs::File;
use std::io::{self, BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A record's header block is refused past this.
pub const MAX_HEADER_BYTES: usize = 64 << 10;

/// Why a record could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WarcError {
    #[error("at offset {offset}: {problem}")]
    Corrupt { offset: u64, problem: String },
    #[error("at offset {offset}: {source}")]
    Io { offset: u64, source: io::Error },
}

impl WarcError {
    pub fn offset(&self) -> u64 {
        match self {
            WarcError::Corrupt { offset, .. } | WarcError::Io { offset, .. } => *offset,
        }
    }
}

/// `sha256:` and the base32 digest of `bytes` (RFC 4648, with padding).
pub fn sha256_label(bytes: &[u8]) -> String {
    label_of(&Sha256::digest(bytes))
}

fn label_of(digest: &[u8]) -> String {
    format!("sha256:{}", base32(digest))
}

/// The SHA-256 of `bytes` in lower-case hex (manifests, queue columns).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// RFC 4648 base32 (upper case, padded).
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut block = [0u8; 5];
        block[..chunk.len()].copy_from_slice(chunk);
        let bits = block.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                out.push(ALPHABET[((bits >> (35 - 5 * i)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A record to write. `WARC-Record-ID`, `WARC-Block-Digest` and `Content-Length` are added.
#[derive(Debug, Clone, Default)]
pub struct NewRecord<'a> {
    pub kind: &'a str,
    /// `YYYY-MM-DDThh:mm:ssZ`.
    pub date: String,
    pub target_uri: Option<&'a str>,
    pub content_type: Option<&'a str>,
    /// Further headers, in order (`WARC-IP-Address`, `WARC-Concurrent-To`, …).
    pub headers: Vec<(&'a str, String)>,
    pub block: &'a [u8],
    /// Where the payload starts in the block (after the HTTP headers): a payload digest is
    /// written when set.
    pub payload_at: Option<usize>,
    /// The payload's SHA-256 when the caller has it already (saves a pass over the body).
    pub payload_sha256: Option<&'a [u8]>,
}

/// Where a record was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The file name (in the writer's folder).
    pub file: String,
    pub offset: u64,
    /// Compressed length of the record's gzip member.
    pub length: u64,
    pub record_id: String,
    /// `sha256:<base32>` of the payload (or of the block when it has no payload).
    pub payload_digest: String,
    /// The same digest in lower-case hex.
    pub payload_hex: String,
}

/// Appends records to rotating `.warc.gz` files.
pub struct Writer {
    dir: PathBuf,
    prefix: String,
    max_bytes: u64,
    /// The `warcinfo` block written first in each file.
    info: String,
    current: Option<(BufWriter<File>, String, u64)>,
    files: u32,
}

impl Writer {
    /// A writer of files `dir/PREFIX-00001.warc.gz`, …; `info` is the warcinfo record's fields
    /// (`software: kuzet/0.1.0\r\n…`).
    pub fn new(dir: &Path, prefix: &str, max_bytes: u64, info: String) -> io::Result<Writer> {
        std::fs::create_dir_all(dir)?;
        Ok(Writer { dir: dir.to_path_buf(), prefix: prefix.to_string(), max_bytes: max_bytes.max(1), info, current: None, files: 0 })
    }

    /// A fresh `<urn:uuid:…>` (v4 layout, from a hash of the prefix, a counter and the time).
    pub fn record_id(&mut self) -> String {
        record_id(self.prefix.as_bytes())
    }

    /// Writes `record` (a new file first, if the current one is full) and flushes it.
    pub fn write(&mut self, record: &NewRecord<'_>) -> io::Result<Written> {
        self.write_with_id(record, None)
    }

    /// As [`Writer::write`], with a record id made beforehand (to name it in another record).
    pub fn write_with_id(&mut self, record: &NewRecord<'_>, id: Option<String>) -> io::Result<Written> {
        let id = id.unwrap_or_else(|| self.record_id());
        let encoded = encode(record, id)?;
        self.append(&record.date, encoded)
    }

    /// Writes a record encoded beforehand ([`encode`], e.g. on another thread; `date` names a
    /// new file's warcinfo record if one is started) and flushes it.
    pub fn append(&mut self, date: &str, encoded: Encoded) -> io::Result<Written> {
        if self.current.as_ref().is_none_or(|(_, _, len)| *len >= self.max_bytes) {
            self.rotate(date)?;
        }
        let Encoded { id, bytes, payload_sha } = encoded;
        let (file, name, len) = self.current.as_mut().ok_or_else(|| io::Error::other("no WARC file open"))?;
        file.write_all(&bytes)?;
        file.flush()?;
        let written = Written { file: name.clone(), offset: *len, length: bytes.len() as u64, record_id: id, payload_digest: label_of(&payload_sha), payload_hex: hex(&payload_sha) };
        *len += bytes.len() as u64;
        Ok(written)
    }

    fn rotate(&mut self, date: &str) -> io::Result<()> {
        self.finish()?;
        self.files += 1;
        let name = format!("{}-{:05}.warc.gz", self.prefix, self.files);
        let path = self.dir.join(&name);
        let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
        self.current = Some((BufWriter::new(file), name.clone(), 0));
        let info = format!("{}filename: {name}\r\n", self.info);
        let record = NewRecord { kind: "warcinfo", date: date.to_string(), content_type: Some("application/warc-fields"), block: info.as_bytes(), ..NewRecord::default() };
        let Encoded { bytes, .. } = encode(&record, self.record_id())?;
        if let Some((f, _, len)) = self.current.as_mut() {
            f.write_all(&bytes)?;
            *len += bytes.len() as u64;
        }
        Ok(())
    }

    /// Flushes and syncs the current file; the next record starts a new one.
    pub fn finish(&mut self) -> io::Result<()> {
        if let Some((mut f, _, _)) = self.current.take() {
            f.flush()?;
            f.get_ref().sync_all()?;
        }
        Ok(())
    }
}

/// A fresh `<urn:uuid:…>` (v4 layout): a hash of `salt`, a process-wide counter, the time and
/// the process id, so ids made on any thread differ.
pub fn record_id(salt: &[u8]) -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut h = blake3::Hasher::new();
    h.update(salt);
    h.update(&n.to_le_bytes());
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    h.update(&nanos.to_le_bytes());
    h.update(&std::process::id().to_le_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h.finalize().as_bytes()[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex(&b);
    format!("<urn:uuid:{}-{}-{}-{}-{}>", &x[..8], &x[8..12], &x[12..16], &x[16..20], &x[20..])
}

/// A record as written: its id, its bytes (one gzip member) and its payload's SHA-256.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub id: String,
    pub bytes: Vec<u8>,
    pub payload_sha: Vec<u8>,
}

/// Encodes `record` under `id`: the costly part of writing it (digests, compression), which
/// needs no writer, so that it can be done away from the one thread that writes.
pub fn encode(record: &NewRecord<'_>, id: String) -> io::Result<Encoded> {
    let block_sha = Sha256::digest(record.block).to_vec();
    let block_digest = label_of(&block_sha);
    let payload_sha = match record.payload_at {
        Some(_) if record.payload_sha256.is_some() => record.payload_sha256.unwrap_or_default().to_vec(),
        Some(at) => Sha256::digest(record.block.get(at..).unwrap_or_default()).to_vec(),
        None => block_sha,
    };
    let payload_digest = label_of(&payload_sha);
    let mut head = format!("WARC/1.1\r\nWARC-Type: {}\r\nWARC-Record-ID: {id}\r\nWARC-Date: {}\r\n", record.kind, record.date);
    if let Some(uri) = record.target_uri {
        head.push_str(&format!("WARC-Target-URI: {}\r\n", clean_value(uri)));
    }
    for (name, value) in &record.headers {
        head.push_str(&format!("{name}: {}\r\n", clean_value(value)));
    }
    head.push_str(&format!("WARC-Block-Digest: {block_digest}\r\n"));
    if record.payload_at.is_some() {
        head.push_str(&format!("WARC-Payload-Digest: {payload_digest}\r\n"));
    }
    if let Some(ct) = record.content_type {
        head.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", record.block.len()));
    let bytes = gzip_member(&[head.as_bytes(), record.block, b"\r\n\r\n"], record.block.len() / 3 + 256)?;
    Ok(Encoded { id, bytes, payload_sha })
}

/// One gzip member holding `parts` in order (the way a `.warc.gz` holds each record). Each
/// thread keeps one deflate state and resets it per member: a new one per record allocated and
/// zeroed some hundreds of kilobytes, as much as compressing a page costs.
fn gzip_member(parts: &[&[u8]], capacity: usize) -> io::Result<Vec<u8>> {
    use flate2::{Compress, Compression, Crc, FlushCompress, Status};
    thread_local! {
        static DEFLATE: std::cell::RefCell<Compress> = std::cell::RefCell::new(Compress::new(Compression::fast(), false));
    }
    DEFLATE.with_borrow_mut(|deflate| {
        deflate.reset();
        let mut out = Vec::with_capacity(capacity.max(64));
        // ID1 ID2, deflate, no flags, no time, "fastest" (XFL 4), OS unknown: as flate2 writes it
        out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255]);
        let mut crc = Crc::new();
        let end: &[u8] = &[];
        for (input, flush) in parts.iter().map(|p| (*p, FlushCompress::None)).chain([(end, FlushCompress::Finish)]) {
            crc.update(input);
            let mut input = input;
            loop {
                if out.capacity() - out.len() < 256 {
                    out.reserve(out.capacity().max(4096));
                }
                let before = deflate.total_in();
                let status = deflate.compress_vec(input, &mut out, flush).map_err(io::Error::other)?;
                input = &input[(deflate.total_in() - before) as usize..];
                match (flush, status) {
                    (FlushCompress::Finish, Status::StreamEnd) => break,
                    (FlushCompress::None, _) if input.is_empty() => break,
                    _ => {}
                }
            }
        }
        out.extend_from_slice(&crc.sum().to_le_bytes());
        out.extend_from_slice(&crc.amount().to_le_bytes());
        Ok(out)
    })
}

/// A header value on one line (a hostile URL must not start a header of its own).
fn clean_value(v: &str) -> String {
    v.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// A record read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Offset of the record (compressed offset of its gzip member in a `.warc.gz`).
    pub offset: u64,
    pub version: String,
    pub headers: Vec<(String, String)>,
    /// The block; empty when it was skipped ([`Reader::skip_block`] said so).
    pub block: Vec<u8>,
    pub block_skipped: bool,
    pub content_length: u64,
}

impl Record {
    /// The first header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn kind(&self) -> &str {
        self.header("WARC-Type").unwrap_or("")
    }
}

/// Streams records from a `.warc` or `.warc.gz` (detected by the gzip magic).
pub struct Reader<R: BufRead> {
    src: Source<R>,
    /// Records whose blocks are longer than this are skipped (read past, not kept).
    pub max_block: u64,
    done: bool,
}

enum Input<R: BufRead> {
    Plain(Counting<R>),
    Gzip { decoder: Option<flate2::bufread::GzDecoder<Counting<R>>> },
}

struct Counting<R> {
    inner: R,
    pos: u64,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        self.pos += n as u64;
        self.inner.consume(n);
    }
}

/// Decoded bytes with a push-back buffer and the offset of what is read next.
struct Source<R: BufRead> {
    input: Input<R>,
    buf: Vec<u8>,
    at: usize,
    /// Compressed offset of the gzip member being read (gzip), or of `buf[0]` (plain).
    member: u64,
    /// The member's decoded bytes are all in `buf` (gzip) or the file ended (plain).
    member_done: bool,
    pending_error: Option<io::Error>,
}

impl<R: BufRead> Source<R> {
    /// Offset of the next byte: the member's offset (gzip), the byte's own (plain).
    fn offset(&self) -> u64 {
        match self.input {
            Input::Plain(_) => self.member + self.at as u64,
            Input::Gzip { .. } => self.member,
        }
    }

    /// Makes at least `want` bytes available if the member (or file) has them; returns what is
    /// available.
    fn fill(&mut self, want: usize) -> io::Result<usize> {
        while self.buf.len() - self.at < want && !self.member_done {
            if self.at > 0 && self.at * 2 > self.buf.len() {
                if let Input::Plain(_) = self.input {
                    self.member += self.at as u64;
                }
                self.buf.drain(..self.at);
                self.at = 0;
            }
            let old = self.buf.len();
            let grow = (want - (old - self.at)).clamp(64 << 10, 4 << 20);
            self.buf.resize(old + grow, 0);
            let n = match &mut self.input {
                Input::Plain(r) => r.read(&mut self.buf[old..]),
                Input::Gzip { decoder } => match decoder.as_mut() {
                    Some(d) => d.read(&mut self.buf[old..]),
                    None => Ok(0),
                },
            };
            let n = match n {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => 0,
                Err(e) => {
                    self.buf.truncate(old);
                    self.member_done = true;
                    self.pending_error = Some(e);
                    break;
                }
            };
            self.buf.truncate(old + n);
            if n == 0 {
                self.member_done = true;
            }
        }
        Ok(self.buf.len() - self.at)
    }

    /// Puts `bytes` back in front of what is read next (plain files only: offsets stay right).
    fn unread(&mut self, bytes: &[u8]) {
        self.buf.splice(self.at..self.at, bytes.iter().copied());
        self.member = self.member.saturating_sub(bytes.len() as u64);
    }

    fn available(&self) -> &[u8] {
        &self.buf[self.at..]
    }

    fn consume(&mut self, n: usize) {
        self.at += n;
    }

    /// Drops what is left of the current member and starts the next; false at the end of the
    /// file. Plain files have one "member": the file.
    fn next_member(&mut self) -> Result<bool, WarcError> {
        let Input::Gzip { decoder } = &mut self.input else { return Ok(false) };
        let Some(d) = decoder.take() else { return Ok(false) };
        let mut inner = d.into_inner();
        if self.pending_error.is_some() {
            // A broken member: look for the next gzip header after where it started.
            if !resync_gzip(&mut inner, self.member).map_err(|source| WarcError::Io { offset: self.member, source })? {
                return Ok(false);
            }
        }
        let at = inner.pos;
        let more = !inner.fill_buf().map_err(|source| WarcError::Io { offset: at, source })?.is_empty();
        self.buf.clear();
        self.at = 0;
        self.pending_error = None;
        if !more {
            return Ok(false);
        }
        self.member = inner.pos;
        self.member_done = false;
        *decoder = Some(flate2::bufread::GzDecoder::new(inner));
        Ok(true)
    }
}

/// Advances `r` to the next gzip member header (`1f 8b 08`) after `start`; false if none.
fn resync_gzip<R: BufRead>(r: &mut Counting<R>, start: u64) -> io::Result<bool> {
    let mut prev: [u8; 2] = [0, 0];
    loop {
        let base = r.pos;
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(false);
        }
        // A header split over two reads: checked with the last two bytes of the one before.
        let mut joined = prev.to_vec();
        joined.extend_from_slice(&buf[..buf.len().min(4096)]);
        let hit = joined.windows(3).position(|w| w == [0x1f, 0x8b, 0x08]).map(|i| base as i64 + i as i64 - 2).filter(|&p| p > start as i64);
        if let Some(p) = hit {
            if p >= base as i64 {
                r.consume((p as u64 - base) as usize);
                return Ok(true);
            }
            // The header began in the part already consumed: cannot go back; look further.
        }
        let n = buf.len().min(4096);
        prev = [joined[joined.len() - 2], joined[joined.len() - 1]];
        r.consume(n);
    }
}

impl<R: BufRead> Reader<R> {
    pub fn new(mut inner: R) -> io::Result<Reader<R>> {
        let gzip = inner.fill_buf()?.starts_with(&[0x1f, 0x8b]);
        let counting = Counting { inner, pos: 0 };
        let input = if gzip { Input::Gzip { decoder: Some(flate2::bufread::GzDecoder::new(counting)) } } else { Input::Plain(counting) };
        Ok(Reader { src: Source { input, buf: Vec::new(), at: 0, member: 0, member_done: false, pending_error: None }, max_block: 256 << 20, done: false })
    }

    /// The next record, an error for a record that is not whole (reading goes on after it), or
    /// `None` at the end.
    pub fn next_record(&mut self, keep_block: impl Fn(&[(String, String)]) -> bool) -> Option<Result<Record, WarcError>> {
        loop {
            if self.done {
                return None;
            }
            // Blank lines between records (and the end of a member) are skipped.
            let avail = match self.src.fill(1) {
                Ok(n) => n,
                Err(e) => return Some(Err(self.fail_io(e))),
            };
            if avail == 0 {
                if let Some(e) = self.src.pending_error.take() {
                    let offset = self.src.offset();
                    self.src.pending_error = Some(io::Error::new(e.kind(), e.to_string()));
                    self.advance_member();
                    return Some(Err(WarcError::Corrupt { offset, problem: format!("gzip member cut or broken: {e}") }));
                }
                if !self.advance_member() {
                    return None;
                }
                continue;
            }
            let lead = self.src.available().iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
            if lead > 0 {
                self.src.consume(lead);
                continue;
            }
            return Some(self.read_one(keep_block));
        }
    }

    fn advance_member(&mut self) -> bool {
        match self.src.next_member() {
            Ok(true) => true,
            _ => {
                self.done = true;
                false
            }
        }
    }

    fn fail_io(&mut self, e: io::Error) -> WarcError {
        self.done = true;
        WarcError::Io { offset: self.src.offset(), source: e }
    }

    fn read_one(&mut self, keep_block: impl Fn(&[(String, String)]) -> bool) -> Result<Record, WarcError> {
        let offset = self.src.offset();
        let corrupt = |problem: String| WarcError::Corrupt { offset, problem };
        // The header block, up to the empty line.
        let mut end = None;
        let mut want = 4096;
        while end.is_none() {
            let n = self.src.fill(want).map_err(|e| corrupt(e.to_string()))?;
            end = memchr::memmem::find(&self.src.available()[..n.min(MAX_HEADER_BYTES + 4)], b"\r\n\r\n");
            if end.is_none() && (n < want || n >= MAX_HEADER_BYTES) {
                let problem = if n >= MAX_HEADER_BYTES { "header longer than 64 KiB".to_string() } else { "record cut in its header".to_string() };
                self.recover(1);
                return Err(corrupt(problem));
            }
            want = (want * 4).min(MAX_HEADER_BYTES + 4);
        }
        let end = end.unwrap_or(0);
        let head = String::from_utf8_lossy(&self.src.available()[..end]).into_owned();
        let mut lines = head.split("\r\n");
        let version = lines.next().unwrap_or("").trim().to_string();
        if !version.starts_with("WARC/") {
            self.recover(1);
            return Err(corrupt(format!("not a WARC record (starts {:?})", version.chars().take(20).collect::<String>())));
        }
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in lines {
            if line.starts_with([' ', '\t']) {
                if let Some(last) = headers.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(line.trim());
                }
            } else if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        let length: u64 = match headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("Content-Length")).map(|(_, v)| v.parse()) {
            Some(Ok(n)) => n,
            _ => {
                self.recover(end + 4);
                return Err(corrupt("no valid Content-Length".into()));
            }
        };
        self.src.consume(end + 4);
        let keep = length <= self.max_block && keep_block(&headers);
        let mut block = Vec::new();
        let mut left = length;
        while left > 0 {
            let n = self.src.fill(left.min(1 << 20) as usize).map_err(|e| corrupt(e.to_string()))?;
            if n == 0 {
                let problem = match self.src.pending_error.take() {
                    Some(e) => format!("record cut ({} of {length} block bytes): {e}", length - left),
                    None => format!("record cut: Content-Length {length}, {} bytes present", length - left),
                };
                self.advance_member();
                return Err(corrupt(problem));
            }
            let take = n.min(left as usize);
            if keep {
                block.extend_from_slice(&self.src.available()[..take]);
            }
            self.src.consume(take);
            left -= take as u64;
        }
        // The record ends with an empty line; anything else means the length was wrong.
        let n = self.src.fill(4).map_err(|e| corrupt(e.to_string()))?;
        if n < 4 || &self.src.available()[..4] != b"\r\n\r\n" {
            let rest = &self.src.available()[..n.min(4)];
            let problem = format!("wrong Content-Length {length}: the block is not followed by an empty line (found {rest:?})");
            // A length too long took the start of the next record into this block: in a plain
            // file, give back what follows the first `WARC/1.` line in it (from its line break, where the search for the next record starts), so it is read again.
            if let (Input::Plain(_), Some(i)) = (&self.src.input, memchr::memmem::find(&block, b"\nWARC/1.")) {
                self.src.unread(&block[i..]);
            }
            self.recover(0);
            return Err(corrupt(problem));
        }
        self.src.consume(4);
        Ok(Record { offset, version, headers, block, block_skipped: !keep, content_length: length })
    }

    /// After a bad record: in a gzip file, goes on at the next member; in a plain file, at the
    /// next line starting `WARC/` (searched from `skip` bytes on).
    fn recover(&mut self, skip: usize) {
        if let Input::Gzip { .. } = self.src.input {
            self.advance_member();
            return;
        }
        let skip = skip.min(self.src.available().len());
        self.src.consume(skip);
        loop {
            let n = match self.src.fill(1 << 16) {
                Ok(n) => n,
                Err(_) => 0,
            };
            if n == 0 {
                self.done = true;
                return;
            }
            if let Some(i) = memchr::memmem::find(self.src.available(), b"\nWARC/1.") {
                self.src.consume(i + 1);
                return;
            }
            if self.src.member_done {
                self.done = true;
                return;
            }
            let keep = 8.min(n);
            self.src.consume(n - keep);
            // A search that keeps finding nothing must still move on.
            if self.src.fill(n + 1).unwrap_or(0) <= keep {
                self.done = true;
                return;
            }
        }
    }
}

/// Opens a WARC file for reading.
pub fn open(path: &Path) -> io::Result<Reader<io::BufReader<File>>> {
    Reader::new(io::BufReader::with_capacity(256 << 10, crate::input::open_regular(path)?))
}

/// Splits an HTTP message (a response record's block) into its status code, headers and body
/// offset; `None` when it has no header end.
pub fn http_parts(block: &[u8]) -> Option<(u16, Vec<(String, String)>, usize)> {
    let end = memchr::memmem::find(block, b"\r\n\r\n").map(|i| i + 4).or_else(|| memchr::memmem::find(block, b"\n\n").map(|i| i + 2))?;
    let head = String::from_utf8_lossy(&block[..end]);
    let mut lines = head.lines();
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers = lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    Some((status, headers, end))
}

/// `YYYY-MM-DDThh:mm:ssZ` of a Unix time.
pub fn iso_date(secs: u64) -> String {
    let s = crate::timestamp(secs);
    format!("{}-{}-{}T{}:{}:{}Z", &s[..4], &s[4..6], &s[6..8], &s[9..11], &s[11..13], &s[13..15])
}

/// The 14-digit timestamp of a WARC-Date (`20261205151633`), as CDX indexes use.
pub fn cdx_stamp(warc_date: &str) -> String {
    warc_date.bytes().filter(u8::is_ascii_digit).take(14).map(char::from).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn gzip_members_decode_to_their_parts_with_one_deflate_state_reused() {
        use std::io::Read as _;
        let mut noise = Vec::new();
        let mut x = 1u64;
        for _ in 0..300_000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            noise.push((x >> 56) as u8);
        }
        let text = "Привет, мир! kill them all. ".repeat(5000);
        let cases: Vec<Vec<&[u8]>> = vec![
            vec![],
            vec![b""],
            vec![b"WARC/1.1\r\n", b"", b"\r\n\r\n"],
            vec![text.as_bytes(), &noise, b"\r\n\r\n"],
            vec![&noise],
            vec![b"short"],
        ];
        for parts in cases {
            let member = gzip_member(&parts, 0).unwrap();
            let mut back = Vec::new();
            flate2::read::GzDecoder::new(&member[..]).read_to_end(&mut back).unwrap();
            assert_eq!(back, parts.concat(), "{} parts", parts.len());
        }
    }

    use super::*;

    #[test]
    fn base32_and_digests() {
        // RFC 4648 test vectors, and warcio's empty SHA-1 in the same encoding.
        let cases: &[(&[u8], &str)] = &[(b"", ""), (b"f", "MY======"), (b"fo", "MZXQ===="), (b"foo", "MZXW6==="), (b"foob", "MZXW6YQ="), (b"fooba", "MZXW6YTB"), (b"foobar", "MZXW6YTBOI======")];
        for (input, want) in cases {
            assert_eq!(base32(input), *want);
        }
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let label = sha256_label(b"abc");
        assert_eq!(label, format!("sha256:{}", base32(&Sha256::digest(b"abc"))));
        assert_eq!(label.len(), "sha256:".len() + 56);
        assert!(label.ends_with("===="));
    }

    fn write_records(dir: &Path, max: u64, n: usize) -> Vec<Written> {
        let mut w = Writer::new(dir, "t", max, "software: kuzet-test\r\n".into()).unwrap();
        let mut out = Vec::new();
        for i in 0..n {
            let block = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>page {i}</p>");
            let uri = format!("http://127.0.0.1/{i}\r\nX-Evil: 1");
            let rec = NewRecord { kind: "response", date: iso_date(1_764_950_000), target_uri: Some(&uri), content_type: Some("application/http; msgtype=response"), headers: vec![("WARC-IP-Address", "127.0.0.1".into())], block: block.as_bytes(), payload_at: Some(block.find("\r\n\r\n").unwrap() + 4), payload_sha256: None };
            out.push(w.write(&rec).unwrap());
        }
        w.finish().unwrap();
        out
    }

    fn read_all(path: &Path) -> Vec<Result<Record, WarcError>> {
        let mut r = open(path).unwrap();
        std::iter::from_fn(|| r.next_record(|_| true)).collect()
    }

    #[test]
    fn records_round_trip_with_offsets_digests_and_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let written = write_records(dir.path(), 600, 4);
        let files: std::collections::BTreeSet<_> = written.iter().map(|w| w.file.clone()).collect();
        assert!(files.len() >= 2, "rotation at 600 bytes: {files:?}");
        for w in &written {
            // Each record is its own gzip member: readable alone from its offset.
            let bytes = std::fs::read(dir.path().join(&w.file)).unwrap();
            let member = &bytes[w.offset as usize..(w.offset + w.length) as usize];
            let mut r = Reader::new(member).unwrap();
            let rec = r.next_record(|_| true).unwrap().unwrap();
            assert!(r.next_record(|_| true).is_none());
            assert_eq!(rec.header("WARC-Record-ID"), Some(w.record_id.as_str()));
            assert_eq!(rec.kind(), "response");
            assert!(rec.header("WARC-Target-URI").unwrap().ends_with("X-Evil: 1"), "one line: {:?}", rec.headers);
            assert!(rec.header("X-Evil").is_none());
            assert_eq!(rec.header("WARC-Block-Digest"), Some(sha256_label(&rec.block).as_str()));
            let (status, _, at) = http_parts(&rec.block).unwrap();
            assert_eq!(status, 200);
            assert_eq!(rec.header("WARC-Payload-Digest"), Some(sha256_label(&rec.block[at..]).as_str()));
            assert_eq!(rec.header("WARC-Payload-Digest"), Some(w.payload_digest.as_str()));
        }
        for file in &files {
            let recs: Vec<Record> = read_all(&dir.path().join(file)).into_iter().map(Result::unwrap).collect();
            assert_eq!(recs[0].kind(), "warcinfo");
            assert!(String::from_utf8_lossy(&recs[0].block).contains(&format!("filename: {file}")));
            let offsets: Vec<u64> = written.iter().filter(|w| &w.file == file).map(|w| w.offset).collect();
            assert_eq!(recs[1..].iter().map(|r| r.offset).collect::<Vec<_>>(), offsets);
        }
        let ids: std::collections::HashSet<_> = written.iter().map(|w| &w.record_id).collect();
        assert_eq!(ids.len(), written.len());
    }

    #[test]
    fn broken_records_are_reported_and_the_rest_read() {
        let rec = |body: &str, length: usize| format!("WARC/1.0\r\nWARC-Type: resource\r\nContent-Length: {length}\r\n\r\n{body}\r\n\r\n");
        let ok = rec("hello", 5);
        let gz = |s: &str| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(s.as_bytes()).unwrap();
            e.finish().unwrap()
        };
        // (input, records read whole, errors at these offsets)
        let wrong_short = format!("{ok}{}{ok}", rec("hello world", 5));
        let wrong_long = format!("{ok}{}{ok}", rec("hi", 40));
        let garbage = format!("{ok}junk junk\r\n\r\n{ok}");
        let plain: Vec<(Vec<u8>, usize, Vec<u64>)> = vec![
            (ok.clone().into_bytes(), 1, vec![]),
            (wrong_short.clone().into_bytes(), 2, vec![ok.len() as u64]),
            (wrong_long.into_bytes(), 2, vec![ok.len() as u64]),
            (garbage.into_bytes(), 2, vec![ok.len() as u64]),
            (ok.as_bytes()[..ok.len() - 8].to_vec(), 0, vec![0]),
        ];
        let (a, b) = (gz(&ok), gz(&rec("hello world", 5)));
        let mut truncated = [a.clone(), a.clone()].concat();
        truncated.truncate(a.len() + a.len() / 2);
        let gzip: Vec<(Vec<u8>, usize, Vec<u64>)> = vec![
            ([a.clone(), b.clone(), a.clone()].concat(), 2, vec![a.len() as u64]),
            (truncated, 1, vec![a.len() as u64]),
            ([a.clone(), b"not gzip at all".to_vec(), a.clone()].concat(), 2, vec![a.len() as u64]),
        ];
        for (i, (input, whole, errors)) in plain.into_iter().chain(gzip).enumerate() {
            let mut r = Reader::new(&input[..]).unwrap();
            let got: Vec<_> = std::iter::from_fn(|| r.next_record(|_| true)).collect();
            let read: Vec<&Record> = got.iter().filter_map(|g| g.as_ref().ok()).collect();
            let errs: Vec<u64> = got.iter().filter_map(|g| g.as_ref().err()).map(WarcError::offset).collect();
            assert_eq!((read.len(), &errs), (whole, &errors), "case {i}: {got:?}");
            assert!(read.iter().all(|r| r.block == b"hello"), "case {i}");
        }
    }
}
