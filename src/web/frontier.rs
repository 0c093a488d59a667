//! The frontier: which URLs to crawl, in what order, and which ones never.
//!
//! * Canonical keys for dedup: fragment dropped, scheme and host lower-cased (by `url`), default
//!   port dropped, tracking parameters (`utm_*`, `fbclid`, `gclid`, ...) dropped, query pairs
//!   sorted. The key is only for "seen?": the URL fetched is the one the page linked to.
//! * Scope: by default the registrable domain of each seed (public-suffix aware, so
//!   `a.example.co.uk` and `b.example.co.uk` are one site, `x.blogspot.com` and
//!   `y.blogspot.com` are two); include/exclude regular expressions on the whole URL.
//! * Link-trap limits: URL length, number of query parameters, depth, pages per host.
//!
//! Breadth-first: a URL at depth `d` is crawled before any at `d + 1`, per host queue.
//! Memory per known URL is one 64-bit hash.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use regex::Regex;
use url::Url;

/// Query parameters that only track the visitor.
const TRACKING: &[&str] = &["fbclid", "gclid", "dclid", "msclkid", "yclid", "_openstat", "mc_cid", "mc_eid", "igshid", "ref_src"];

/// The dedup key of `url`.
///
/// ```
/// use kuzet::frontier::canonical_key;
/// let a = url::Url::parse("HTTP://Example.org:80/a?b=2&a=1&utm_source=x#top").unwrap();
/// let b = url::Url::parse("http://example.org/a?a=1&b=2").unwrap();
/// assert_eq!(canonical_key(&a), canonical_key(&b));
/// ```
pub fn canonical_key(url: &Url) -> String {
    let mut u = url.clone();
    u.set_fragment(None); // `url` already dropped a default port when parsing
    let mut pairs: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| !(k.starts_with("utm_") || TRACKING.contains(&k.as_ref())))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if pairs.is_empty() {
        u.set_query(None);
    } else {
        pairs.sort();
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    u.to_string()
}

/// `url` without its user name and password. Credentials in a URL (`http://user:pass@host/`,
/// from a seed, a link or a redirect) must never reach the crawl log, the store or a queue, and
/// kuzet never sends them: every URL is taken through this where it enters the crawl.
///
/// ```
/// use kuzet::frontier::without_credentials;
/// let u = url::Url::parse("http://user:secret@example.org/a").unwrap();
/// assert_eq!(without_credentials(u).as_str(), "http://example.org/a");
/// ```
pub fn without_credentials(mut url: Url) -> Url {
    if !url.username().is_empty() || url.password().is_some() {
        // Only URLs that cannot have credentials (no host) refuse these, and they have none.
        let _ = url.set_username("");
        let _ = url.set_password(None);
    }
    url
}

/// The registrable domain of a host (`news.example.co.uk` → `example.co.uk`); IP addresses
/// and single-label hosts are their own domain.
pub fn registrable_domain(host: &str) -> String {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
        return host;
    }
    psl::domain_str(&host).unwrap_or(&host).to_string()
}

/// Limits and patterns that decide whether a URL may be crawled.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Registrable domains (or IP hosts) of the seeds.
    pub domains: HashSet<String>,
    pub include: Vec<Regex>,
    pub exclude: Vec<Regex>,
    pub max_depth: u32,
    pub max_url_len: usize,
    pub max_query_params: usize,
}

impl Scope {
    /// Why `url` at `depth` is out of scope, or `None` if it may be crawled.
    pub fn refusal(&self, url: &Url, depth: u32) -> Option<&'static str> {
        if !matches!(url.scheme(), "http" | "https") {
            return Some("not http(s)");
        }
        let Some(host) = url.host_str() else { return Some("no host") };
        if !self.domains.contains(&registrable_domain(host)) {
            return Some("other site");
        }
        if depth > self.max_depth {
            return Some("too deep");
        }
        if url.as_str().len() > self.max_url_len {
            return Some("URL too long");
        }
        if url.query_pairs().count() > self.max_query_params {
            return Some("too many query parameters");
        }
        if !self.include.is_empty() && !self.include.iter().any(|r| r.is_match(url.as_str())) {
            return Some("not included");
        }
        if self.exclude.iter().any(|r| r.is_match(url.as_str())) {
            return Some("excluded");
        }
        None
    }
}

/// A URL waiting to be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub url: Url,
    pub depth: u32,
    /// Redirects followed to reach this URL.
    pub hops: u8,
    /// Earlier attempts that failed in a way worth retrying.
    pub attempt: u32,
    /// What an earlier visit left (nightly runs): validators for a conditional request and the
    /// content hash that makes an unchanged page skip analysis.
    pub prior: Option<Arc<Prior>>,
    /// "Older posts" links followed to reach this URL (paging back through a thread or a
    /// channel, [`crate::adapters`]).
    pub back: u32,
}

/// What is known of a URL from an earlier visit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prior {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_hash: Option<String>,
}

impl Target {
    /// A first attempt at `url`, reached by following links `depth` times.
    pub fn new(url: Url, depth: u32) -> Target {
        Target { url, depth, hops: 0, attempt: 0, prior: None, back: 0 }
    }
}

/// Per-host queues of URLs to fetch, and every URL ever seen.
#[derive(Debug, Default)]
pub struct Frontier {
    seen: HashSet<u64>,
    queues: HashMap<String, VecDeque<Queued>>,
    /// Pages admitted per host (the per-host cap counts these).
    admitted: HashMap<String, usize>,
    pending: usize,
}

/// A queued target, compact (a million of them are held at once): the URL as text, parsed
/// again when popped.
#[derive(Debug)]
struct Queued {
    url: Box<str>,
    depth: u32,
    hops: u8,
    attempt: u32,
    prior: Option<Arc<Prior>>,
    back: u32,
}

impl Queued {
    fn new(t: Target) -> Queued {
        Queued { url: t.url.as_str().into(), depth: t.depth, hops: t.hops, attempt: t.attempt, prior: t.prior, back: t.back }
    }

    fn target(self) -> Option<Target> {
        // It was a `Url` when queued, so it parses again (to the same URL).
        let url = Url::parse(&self.url).ok()?;
        Some(Target { url, depth: self.depth, hops: self.hops, attempt: self.attempt, prior: self.prior, back: self.back })
    }
}

/// The host key politeness is counted by: scheme, host and port.
pub fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// The 64-bit hash the seen set keeps of a [`canonical_key`].
pub fn key_hash(key: &str) -> u64 {
    let h = blake3::hash(key.as_bytes());
    u64::from_le_bytes(h.as_bytes()[..8].try_into().expect("8 bytes"))
}

impl Frontier {
    /// Marks `url` seen; true if it was new.
    pub fn mark_seen(&mut self, url: &Url) -> bool {
        self.seen.insert(key_hash(&canonical_key(url)))
    }

    /// Marks a URL seen by the [`key_hash`] of its canonical key, so that links to it are not
    /// followed in this crawl (a nightly run's URLs that are not due yet).
    pub fn mark_known(&mut self, hash: u64) {
        self.seen.insert(hash);
    }

    /// Queues `target` unless its host already has `max_per_host` pages admitted.
    pub fn push(&mut self, target: Target, max_per_host: usize) -> bool {
        let host = origin(&target.url);
        let n = self.admitted.entry(host.clone()).or_default();
        if *n >= max_per_host {
            return false;
        }
        *n += 1;
        self.queues.entry(host).or_default().push_back(Queued::new(target));
        self.pending += 1;
        true
    }

    /// Queues every target of `targets` that `keep` accepts (and not seen yet), freeing the
    /// vector's memory as it goes: a nightly run may start with a million.
    pub fn push_all(&mut self, mut targets: Vec<Target>, max_per_host: usize, mut keep: impl FnMut(&Target) -> bool) {
        targets.reverse();
        while let Some(t) = targets.pop() {
            if keep(&t) && self.mark_seen(&t.url) {
                self.push(t, max_per_host);
            }
            if targets.len().is_multiple_of(65_536) {
                targets.shrink_to_fit();
            }
        }
    }

    /// Puts `target` back at the front of its host's queue (a retry), outside the per-host cap.
    pub fn retry(&mut self, target: Target) {
        self.queues.entry(origin(&target.url)).or_default().push_front(Queued::new(target));
        self.pending += 1;
    }

    /// The next URL of `host`, if any.
    pub fn pop(&mut self, host: &str) -> Option<Target> {
        let queue = self.queues.get_mut(host)?;
        while let Some(q) = queue.pop_front() {
            self.pending -= 1;
            if let Some(t) = q.target() {
                return Some(t);
            }
        }
        None
    }

    /// Hosts with queued URLs.
    pub fn hosts(&self) -> impl Iterator<Item = &String> {
        self.queues.iter().filter(|(_, q)| !q.is_empty()).map(|(h, _)| h)
    }

    /// URLs queued and not yet popped.
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// URLs ever seen.
    pub fn seen(&self) -> usize {
        self.seen.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_keys() {
        let same = [
            ("http://example.org/a#x", "http://example.org/a"),
            ("http://EXAMPLE.org:80/a", "http://example.org/a"),
            ("https://example.org:443/", "https://example.org/"),
            ("http://example.org/?b=1&a=2", "http://example.org/?a=2&b=1"),
            ("http://example.org/?utm_source=x&fbclid=y&id=3", "http://example.org/?id=3"),
            ("http://example.org/p?utm_medium=m", "http://example.org/p"),
        ];
        for (a, b) in same {
            let (a, b) = (Url::parse(a).unwrap(), Url::parse(b).unwrap());
            assert_eq!(canonical_key(&a), canonical_key(&b));
        }
        let different = [("http://example.org/a", "https://example.org/a"), ("http://example.org:8080/", "http://example.org/"), ("http://example.org/?a=1", "http://example.org/?a=2")];
        for (a, b) in different {
            assert_ne!(canonical_key(&Url::parse(a).unwrap()), canonical_key(&Url::parse(b).unwrap()));
        }
    }

    #[test]
    fn registrable_domains() {
        let cases = [
            ("news.example.co.uk", "example.co.uk"),
            ("example.kz", "example.kz"),
            ("a.b.gov.kz", "b.gov.kz"),
            ("x.blogspot.com", "x.blogspot.com"),
            ("127.0.0.1", "127.0.0.1"),
            ("localhost", "localhost"),
        ];
        for (host, want) in cases {
            assert_eq!(registrable_domain(host), want, "{host}");
        }
    }

    #[test]
    fn scope_refusals() {
        let scope = Scope {
            domains: ["example.kz".to_string()].into(),
            include: vec![],
            exclude: vec![Regex::new(r"/logout").unwrap()],
            max_depth: 2,
            max_url_len: 60,
            max_query_params: 2,
        };
        let cases = [
            ("https://news.example.kz/a", 1, None),
            ("https://other.kz/a", 1, Some("other site")),
            ("ftp://example.kz/a", 1, Some("not http(s)")),
            ("https://example.kz/a", 3, Some("too deep")),
            ("https://example.kz/logout", 1, Some("excluded")),
            ("https://example.kz/?a=1&b=2&c=3", 1, Some("too many query parameters")),
            ("https://example.kz/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1, Some("URL too long")),
        ];
        for (url, depth, want) in cases {
            assert_eq!(scope.refusal(&Url::parse(url).unwrap(), depth), want, "{url}");
        }
    }

    #[test]
    fn frontier_dedups_and_caps_per_host() {
        let mut f = Frontier::default();
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(f.mark_seen(&u("http://a.kz/x#1")));
        assert!(!f.mark_seen(&u("http://a.kz/x#2")));
        assert!(f.push(Target::new(u("http://a.kz/1"), 0), 2));
        assert!(f.push(Target::new(u("http://a.kz/2"), 1), 2));
        assert!(!f.push(Target::new(u("http://a.kz/3"), 1), 2));
        assert_eq!(f.pending(), 2);
        assert_eq!(f.pop("http://a.kz").map(|t| t.depth), Some(0));
    }
}
