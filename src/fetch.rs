//! Fetching one URL: one HTTP request, never following redirects (the crawler follows them
//! itself, so every hop is checked against the guard, the scope and robots.txt).
//!
//! Safety and limits: only http and https; an IP-literal host is checked against the address
//! guard before the request (it never reaches the resolver), a host name through the guarded
//! resolver; no proxy unless configured; connect, read and total timeouts (a slow-drip server
//! is cut by the total); the body is read only for text content types and 2xx answers, counted
//! after decompression and cut at the cap, so a gzip bomb stops there too.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, ETAG, LAST_MODIFIED, LOCATION, RETRY_AFTER};
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
}

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
            .dns_resolver(Arc::new(GuardedResolver { guard: guard.clone() }));
        builder = match &config.proxy {
            Some(p) => builder.proxy(reqwest::Proxy::all(p).map_err(|e| FetchError::Http(format!("proxy {p:?}: {e}")))?),
            None => builder.no_proxy(),
        };
        let client = builder.build().map_err(|e| FetchError::Http(format!("building the HTTP client: {e}")))?;
        Ok(Fetcher { client, guard, max_body: config.max_body_bytes })
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
        let mut request = self.client.get(url.clone());
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let mut resp = request.send().await.map_err(FetchError::from_reqwest)?;
        let status = resp.status().as_u16();
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

/// Splits `text/html; charset=windows-1251` into the media type and the charset.
fn parse_content_type(raw: &str) -> (String, Option<String>) {
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
