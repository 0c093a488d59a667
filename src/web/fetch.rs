//! Fetching one URL: one HTTP request, never following redirects (the crawler follows them
//! itself, so every hop is checked against the guard, the scope and robots.txt).
//!
//! Safety and limits: only http and https; an IP-literal host is checked against the address
//! guard before the request (it never reaches the resolver), a host name through the guarded
//! resolver; no proxy unless configured; connect, read and total timeouts (a slow-drip server
//! is cut by the total); the body is read only for text content types and 2xx answers, counted
//! after decompression and cut at the cap, so a gzip bomb stops there too.
//!
//! Content decoding (gzip, deflate, br) is kuzet's own, not the HTTP client's: the body as
//! received on the wire is kept beside the decoded one (for WARC evidence, [`crate::evidence`]).
//! Both are capped: at most the cap is read from the wire, and decoding stops at the cap.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use std::io::Read;

use reqwest::header::{CONTENT_ENCODING, CONTENT_TYPE, ETAG, LAST_MODIFIED, LOCATION, RETRY_AFTER};
use url::Url;

use crate::guard::{Guard, GuardedResolver, Refused};

/// How to fetch.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    pub user_agent: String,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub total_timeout: Duration,
    pub max_body_bytes: usize,
    /// An explicit proxy URL; none by default (the system proxy is never used, since a proxy
    /// resolves names itself and so bypasses the guarded resolver).
    pub proxy: Option<String>,
    pub guard: Guard,
}

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error("unsupported scheme {0:?} (only http and https)")]
    Scheme(String),
    #[error("timed out")]
    Timeout,
    #[error("{0}")]
    Http(String),
}

impl FetchError {
    /// Whether trying again later may help.
    pub fn is_retryable(&self) -> bool {
        matches!(self, FetchError::Timeout | FetchError::Http(_))
    }

    fn from_reqwest(e: reqwest::Error) -> FetchError {
        if e.is_timeout() {
            return FetchError::Timeout;
        }
        // The guarded resolver's refusal travels as the error's source: name it plainly.
        let mut source: Option<&dyn std::error::Error> = Some(&e);
        let mut text = String::new();
        while let Some(s) = source {
            text = s.to_string();
            source = s.source();
        }
        if text.starts_with("refused ") {
            return FetchError::Http(text);
        }
        FetchError::Http(format!("{e}: {text}"))
    }
}

/// One HTTP answer.
#[derive(Debug, Clone)]
pub struct Response {
    pub url: Url,
    pub status: u16,
    /// The media type, lower case, without parameters (`text/html`).
    pub content_type: String,
    pub charset: Option<String>,
    pub location: Option<String>,
    pub retry_after: Option<Duration>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub body: Vec<u8>,
    /// The body was longer than the cap and was cut.
    pub truncated: bool,
    /// The body was not read (not text, not 2xx, or a redirect).
    pub body_skipped: bool,
    pub elapsed: Duration,
    /// The exchange as on the wire (request and response heads, the body before content
    /// decoding), for evidence.
    pub wire: Wire,
}

/// An HTTP exchange as sent and received.
#[derive(Debug, Clone, Default)]
pub struct Wire {
    /// The request line and headers, ending with the empty line.
    pub request_head: String,
    /// The status line and headers as received (without `Transfer-Encoding`: the body is kept
    /// de-chunked), ending with the empty line.
    pub response_head: String,
    /// The body before content decoding, when it was content-encoded (otherwise it is the
    /// decoded body itself).
    pub encoded_body: Option<Vec<u8>>,
    pub ip: Option<IpAddr>,
    /// Unix time of the request.
    pub fetched_at: u64,
}

/// The content codings kuzet decodes itself, as sent in `Accept-Encoding`.
const ACCEPT_ENCODING: &str = "gzip, deflate, br";

/// Whether a media type is text kuzet analyses. No type at all counts as text.
pub fn is_text_type(media: &str) -> bool {
    media.is_empty() || media.starts_with("text/") || matches!(media, "application/xhtml+xml" | "application/xml")
}

/// An HTTP client with the guard built in.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    guard: Arc<Guard>,
    max_body: usize,
    user_agent: String,
}

impl Fetcher {
    /// Builds the client.
    pub fn new(config: &FetchConfig) -> Result<Fetcher, FetchError> {
        let guard = Arc::new(config.guard.clone());
        let mut builder = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .timeout(config.total_timeout)
            .pool_max_idle_per_host(2)
            .pool_idle_timeout(Duration::from_secs(30))
            // Bodies are decoded here, so the bytes on the wire can be kept as evidence.
            .no_gzip()
            .no_brotli()
            .no_deflate()
            .dns_resolver(Arc::new(GuardedResolver { guard: guard.clone() }));
        builder = match &config.proxy {
            Some(p) => builder.proxy(reqwest::Proxy::all(p).map_err(|e| FetchError::Http(format!("proxy {p:?}: {e}")))?),
            None => builder.no_proxy(),
        };
        let client = builder.build().map_err(|e| FetchError::Http(format!("building the HTTP client: {e}")))?;
        Ok(Fetcher { client, guard, max_body: config.max_body_bytes, user_agent: config.user_agent.clone() })
    }

    /// Checks an IP-literal host against the guard; host names are checked when resolved.
    pub fn check_target(&self, url: &Url) -> Result<(), FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Scheme(url.scheme().to_string()));
        }
        let ip: Option<IpAddr> = match url.host() {
            Some(url::Host::Ipv4(v4)) => Some(v4.into()),
            Some(url::Host::Ipv6(v6)) => Some(v6.into()),
            _ => None,
        };
        if let (Some(ip), Some(port)) = (ip, url.port_or_known_default()) {
            self.guard.check(SocketAddr::new(ip, port))?;
        }
        Ok(())
    }

    /// GETs `url`, reading at most `max_body` bytes of a text body (`max_body` overrides the
    /// configured cap when given, as for robots.txt).
    pub async fn get(&self, url: &Url, max_body: Option<usize>, headers: &[(&str, String)]) -> Result<Response, FetchError> {
        self.check_target(url)?;
        let started = Instant::now();
        let fetched_at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let mut request = self.client.get(url.clone()).header("accept-encoding", ACCEPT_ENCODING);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let request_head = self.request_head(url, headers);
        let mut resp = request.send().await.map_err(FetchError::from_reqwest)?;
        let status = resp.status().as_u16();
        let wire = Wire { request_head, response_head: response_head(&resp), encoded_body: None, ip: resp.remote_addr().map(|a| a.ip()), fetched_at };
        let coding = resp.headers().get(CONTENT_ENCODING).and_then(|v| v.to_str().ok()).map(|v| v.trim().to_ascii_lowercase()).unwrap_or_default();
        let header = |name| resp.headers().get(name).and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok()).map(str::to_string);
        let raw_type = header(CONTENT_TYPE).unwrap_or_default();
        let (content_type, charset) = parse_content_type(&raw_type);
        let mut out = Response {
            url: url.clone(),
            status,
            location: header(LOCATION),
            retry_after: header(RETRY_AFTER).and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_secs),
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
            content_type,
            charset,
            body: Vec::new(),
            truncated: false,
            body_skipped: true,
            elapsed: Duration::ZERO,
            wire,
        };
        if (200..300).contains(&status) && is_text_type(&out.content_type) {
            out.body_skipped = false;
            let cap = max_body.unwrap_or(self.max_body);
            // Room for the announced length, up to 1 MiB (an announcement costs the server
            // nothing): no copies as a page's body grows.
            out.body.reserve(resp.content_length().map_or(0, |n| n.min(cap.min(1 << 20) as u64) as usize));
            while let Some(chunk) = resp.chunk().await.map_err(FetchError::from_reqwest)? {
                let room = cap - out.body.len();
                if chunk.len() > room {
                    out.body.extend_from_slice(&chunk[..room]);
                    out.truncated = true;
                    break;
                }
                out.body.extend_from_slice(&chunk);
            }
            if !matches!(coding.as_str(), "" | "identity") {
                let encoded = std::mem::take(&mut out.body);
                let (decoded, cut) = decode_body(&coding, &encoded, cap).map_err(|e| FetchError::Http(format!("Content-Encoding {coding}: {e}")))?;
                out.body = decoded;
                out.truncated |= cut;
                out.wire.encoded_body = Some(encoded);
            }
            if crate::decode::looks_binary(&out.body) {
                // Machine code served as text is never analysed (leet decoding finds words in it).
                out.body = Vec::new();
                out.body_skipped = true;
                out.content_type.push_str(", binary body");
            }
        }
        out.elapsed = started.elapsed();
        Ok(out)
    }
}

impl Fetcher {
    /// The request as sent, for the record: reqwest adds `host`, `user-agent` and `accept`.
    fn request_head(&self, url: &Url, headers: &[(&str, String)]) -> String {
        let mut target = url.path().to_string();
        if let Some(q) = url.query() {
            target.push('?');
            target.push_str(q);
        }
        let host = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or("")),
            None => url.host_str().unwrap_or("").to_string(),
        };
        let mut head = format!("GET {target} HTTP/1.1\r\nhost: {host}\r\nuser-agent: {}\r\naccept: */*\r\naccept-encoding: {ACCEPT_ENCODING}\r\n", self.user_agent);
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        head
    }
}

/// The status line and headers of `resp` (HTTP/1.1 form; no `Transfer-Encoding`, since the
/// body is kept de-chunked).
fn response_head(resp: &reqwest::Response) -> String {
    let status = resp.status();
    let version = match resp.version() {
        reqwest::Version::HTTP_10 => "HTTP/1.0",
        _ => "HTTP/1.1",
    };
    let mut head = format!("{version} {} {}\r\n", status.as_u16(), status.canonical_reason().unwrap_or(""));
    for (name, value) in resp.headers() {
        if name == reqwest::header::TRANSFER_ENCODING {
            continue;
        }
        head.push_str(name.as_str());
        head.push_str(": ");
        head.push_str(&String::from_utf8_lossy(value.as_bytes()));
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head
}

/// Decodes a body of content coding `coding` (`gzip`, `x-gzip`, `deflate`, `br`), at most `cap`
/// bytes of it; whether it was cut. A body cut on the wire decodes as far as it goes; a body
/// that does not decode at all is an error.
pub fn decode_body(coding: &str, encoded: &[u8], cap: usize) -> std::io::Result<(Vec<u8>, bool)> {
    let reader: Box<dyn Read + '_> = match coding {
        "gzip" | "x-gzip" => Box::new(flate2::read::MultiGzDecoder::new(encoded)),
        // "deflate" is zlib-wrapped by the standard; some servers send it raw.
        "deflate" if encoded.first().is_some_and(|b| b & 0x0f == 8) => Box::new(flate2::read::ZlibDecoder::new(encoded)),
        "deflate" => Box::new(flate2::read::DeflateDecoder::new(encoded)),
        "br" => Box::new(brotli_decompressor::Decompressor::new(encoded, 32 << 10)),
        other => return Err(std::io::Error::other(format!("unsupported content coding {other:?}"))),
    };
    let mut out = Vec::with_capacity(encoded.len().saturating_mul(4).min(cap.min(1 << 20)));
    let result = reader.take(cap as u64 + 1).read_to_end(&mut out);
    let cut = out.len() > cap;
    out.truncate(cap);
    match result {
        Ok(_) => Ok((out, cut)),
        // What decoded before the stream broke (a body cut at the cap on the wire) is kept.
        Err(_) if !out.is_empty() => Ok((out, true)),
        Err(e) => Err(e),
    }
}

/// Splits `text/html; charset=windows-1251` into the media type and the charset.
pub fn parse_content_type(raw: &str) -> (String, Option<String>) {
    let mut parts = raw.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset = parts
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .filter(|v| !v.is_empty());
    (media, charset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        let cases = [
            ("text/html; charset=windows-1251", "text/html", Some("windows-1251")),
            ("Text/HTML;Charset=\"UTF-8\"", "text/html", Some("UTF-8")),
            ("application/pdf", "application/pdf", None),
            ("", "", None),
        ];
        for (raw, media, charset) in cases {
            assert_eq!(parse_content_type(raw), (media.to_string(), charset.map(str::to_string)), "{raw}");
        }
        assert!(is_text_type("text/html") && is_text_type("") && !is_text_type("image/png") && !is_text_type("application/pdf"));
    }

    #[test]
    fn bodies_decode_within_the_cap() {
        use std::io::Write;
        let text = b"<p>hello</p>".repeat(1000);
        let gzip = {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(&text).unwrap();
            e.finish().unwrap()
        };
        let zlib = {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(&text).unwrap();
            e.finish().unwrap()
        };
        let raw = {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(&text).unwrap();
            e.finish().unwrap()
        };
        // A bomb: 64 MiB of zeros in about 64 KiB.
        let bomb = {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            for _ in 0..64 {
                e.write_all(&vec![0u8; 1 << 20]).unwrap();
            }
            e.finish().unwrap()
        };
        let cases: Vec<(&str, &[u8], usize, Result<(usize, bool), ()>)> = vec![
            ("gzip", &gzip, 1 << 20, Ok((text.len(), false))),
            ("x-gzip", &gzip, 100, Ok((100, true))),
            ("deflate", &zlib, 1 << 20, Ok((text.len(), false))),
            ("deflate", &raw, 1 << 20, Ok((text.len(), false))),
            ("gzip", &gzip[..gzip.len() / 2], 1 << 20, Ok((0, true))),
            ("gzip", b"not gzip", 1 << 20, Err(())),
            ("zstd", &gzip, 1 << 20, Err(())),
            ("gzip", &bomb, 1 << 20, Ok((1 << 20, true))),
        ];
        for (coding, input, cap, want) in cases {
            match (decode_body(coding, input, cap), want) {
                (Ok((out, cut)), Ok((len, want_cut))) => {
                    assert!(len == 0 || out.len() == len, "{coding}: {} bytes", out.len());
                    assert!(!out.is_empty() && out.len() <= cap && cut == want_cut, "{coding}: {} bytes, cut {cut}", out.len());
                    assert!(coding.contains("gzip") && cap == 1 << 20 && len == 1 << 20 || text.starts_with(&out), "{coding}");
                }
                (Err(_), Err(())) => {}
                (got, want) => panic!("{coding}: got {:?}, want {want:?}", got.map(|(o, c)| (o.len(), c))),
            }
        }
    }

    #[test]
    fn guard_refuses_ip_literals_without_connecting() {
        let config = FetchConfig {
            user_agent: "kuzet-test".into(),
            connect_timeout: Duration::from_secs(1),
            read_timeout: Duration::from_secs(1),
            total_timeout: Duration::from_secs(1),
            max_body_bytes: 1024,
            proxy: None,
            guard: Guard::default(),
        };
        let f = Fetcher::new(&config).unwrap();
        for url in ["http://127.0.0.1:9/", "http://0x7f.1/", "http://2130706433/", "http://[::ffff:127.0.0.1]/", "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data"] {
            let err = f.check_target(&Url::parse(url).unwrap()).unwrap_err();
            assert!(matches!(err, FetchError::Refused(_)), "{url}: {err}");
        }
        assert!(matches!(f.check_target(&Url::parse("ftp://example.org/").unwrap()), Err(FetchError::Scheme(_))));
        assert!(f.check_target(&Url::parse("http://example.org/").unwrap()).is_ok());
    }
}
