//! robots.txt, per RFC 9309: what a site allows kuzet to fetch, and how slowly.
//!
//! Status rules: 2xx → the rules (at most 500 KiB are read); 4xx (except 429) → everything
//! allowed; 5xx, 429 or unreachable → everything disallowed until the cache entry expires. A file
//! that cannot be parsed allows everything (RFC 9309 §2.2.1: parse what you can). The parser is
//! texting_robots (fuzzed, run over 54M real files), wrapped in `catch_unwind` anyway.

use std::time::Duration;

use texting_robots::Robot;
use url::Url;

/// At most this much of a robots.txt is read.
pub const MAX_ROBOTS_BYTES: usize = 500 * 1024;

/// What one origin's robots.txt says.
#[derive(Debug)]
pub enum Robots {
    AllowAll,
    /// Everything refused: why.
    DisallowAll(String),
    Rules(Box<Robot>),
}

impl Robots {
    /// Interprets a robots.txt response. `status` is `None` when it could not be fetched.
    ///
    /// ```
    /// use kuzet::robots::Robots;
    /// let r = Robots::from_response(Some(200), b"User-agent: *\nDisallow: /private/\nCrawl-delay: 2", "kuzet");
    /// assert!(!r.allowed(&url::Url::parse("http://a.kz/private/x").unwrap()));
    /// assert!(r.allowed(&url::Url::parse("http://a.kz/public").unwrap()));
    /// assert_eq!(r.crawl_delay(), Some(std::time::Duration::from_secs(2)));
    /// ```
    pub fn from_response(status: Option<u16>, body: &[u8], agent: &str) -> Robots {
        match status {
            None => Robots::DisallowAll("robots.txt unreachable".into()),
            Some(429) | Some(500..=599) => Robots::DisallowAll(format!("robots.txt answered {}", status.unwrap_or(0))),
            Some(200..=299) => {
                let body = &body[..body.len().min(MAX_ROBOTS_BYTES)];
                match std::panic::catch_unwind(|| Robot::new(agent, body)) {
                    Ok(Ok(robot)) => Robots::Rules(Box::new(robot)),
                    _ => Robots::AllowAll,
                }
            }
            Some(_) => Robots::AllowAll,
        }
    }

    /// Whether `url` may be fetched.
    pub fn allowed(&self, url: &Url) -> bool {
        match self {
            Robots::AllowAll => true,
            Robots::DisallowAll(_) => false,
            Robots::Rules(r) => r.allowed(url.as_str()),
        }
    }

    /// The Crawl-delay for kuzet, if any.
    pub fn crawl_delay(&self) -> Option<Duration> {
        match self {
            Robots::Rules(r) => r.delay.filter(|d| d.is_finite() && *d >= 0.0).map(|d| Duration::from_secs_f32(d.min(86_400.0))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_rules() {
        let rules = b"User-agent: kuzet\nDisallow: /secret\n\nUser-agent: *\nDisallow: /\n";
        let u = |p: &str| Url::parse(&format!("http://a.kz{p}")).unwrap();
        let cases: &[(Option<u16>, &[u8], &str, bool)] = &[
            (Some(200), rules, "/open", true),
            (Some(200), rules, "/secret/x", false),
            (Some(404), b"", "/anything", true),
            (Some(403), b"", "/anything", true),
            (Some(429), b"", "/anything", false),
            (Some(503), b"", "/anything", false),
            (None, b"", "/anything", false),
            (Some(200), b"\xFF\xFE garbage \x00 Disallow", "/x", true),
        ];
        for &(status, body, path, allowed) in cases {
            assert_eq!(Robots::from_response(status, body, "kuzet").allowed(&u(path)), allowed, "{status:?} {path}");
        }
    }

    #[test]
    fn oversized_file_is_cut() {
        let mut big = b"User-agent: *\nDisallow: /a\n".to_vec();
        big.resize(MAX_ROBOTS_BYTES + 10, b'#');
        big.extend_from_slice(b"\nDisallow: /b\n");
        let r = Robots::from_response(Some(200), &big, "kuzet");
        assert!(!r.allowed(&Url::parse("http://a.kz/a").unwrap()));
        assert!(r.allowed(&Url::parse("http://a.kz/b").unwrap()), "rules past 500 KiB are not read");
    }
}
