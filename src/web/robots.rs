//! robots.txt, per RFC 9309: what a site allows kuzet to fetch, and how slowly.
//!
//! Status rules: 2xx → the rules (at most 500 KiB are read); 4xx (except 429) → everything
//! allowed; 5xx, 429 or unreachable → everything disallowed until the cache entry expires. A file
//! that cannot be parsed allows everything (RFC 9309 §2.2.1: parse what you can). The parser is
//! texting_robots (fuzzed, run over 54M real files), wrapped in `catch_unwind` anyway.
//!
//! Before parsing, the file is brought to Google's reading of it ([`as_google_reads`]): a group's
//! `User-agent` value is matched by its product token (`FooBot/1.0` and `FOO BAR` name `foobot`
//! and `foo`; texting_robots compared the whole value), an allowed `…/index.html` also allows
//! its folder, and lines are cut at 16,663 bytes. Google's own test cases are in
//! `tests/robots_google.rs`.

use std::borrow::Cow;
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
    /// robots.txt could not be fetched (unreachable, or a 5xx/429 answer): nothing may be
    /// fetched (RFC 9309), and each URL of the host counts as a failure with this reason.
    Unavailable(String),
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
            None => Robots::Unavailable("robots.txt unreachable".into()),
            Some(429) | Some(500..=599) => Robots::Unavailable(format!("robots.txt answered {}", status.unwrap_or(0))),
            Some(200..=299) => {
                let body = as_google_reads(&body[..body.len().min(MAX_ROBOTS_BYTES)]);
                match std::panic::catch_unwind(|| Robot::new(agent, &body)) {
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
            Robots::DisallowAll(_) | Robots::Unavailable(_) => false,
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

/// Google cuts robots.txt lines at this many bytes (its buffer of 2083 × 8, less one).
const MAX_LINE: usize = 2083 * 8 - 1;

/// The product token of a user-agent value: its leading letters, `_` and `-` (Google's
/// reading; RFC 9309 §2.2.1 allows only those), or `*` for the catch-all group.
pub fn product_token(value: &str) -> &str {
    let value = value.trim_start();
    if value.starts_with('*') && value[1..].chars().next().is_none_or(char::is_whitespace) {
        return "*";
    }
    let end = value.find(|c: char| !(c.is_ascii_alphabetic() || c == '_' || c == '-')).unwrap_or(value.len());
    &value[..end]
}

/// The value of a `key: value` (or `key value`) line whose key is one of `keys` (ASCII case
/// ignored), as texting_robots splits it.
fn value_of<'a>(line: &'a [u8], keys: &[&str]) -> Option<&'a [u8]> {
    let line = line.trim_ascii_start();
    let key = keys.iter().find(|k| line.len() > k.len() && line[..k.len()].eq_ignore_ascii_case(k.as_bytes()))?;
    let rest = &line[key.len()..];
    let trimmed = rest.trim_ascii_start();
    match trimmed.strip_prefix(b":") {
        Some(value) => Some(value),
        None if trimmed.len() < rest.len() => Some(trimmed),
        None => None,
    }
}

/// `body` as Google reads it, for texting_robots: every user-agent line's value cut to its
/// [`product_token`], `Allow: /dir/index.html` followed by `Allow: /dir/$`, every line cut at
/// [`MAX_LINE`] bytes. Borrowed when nothing changes.
pub fn as_google_reads(body: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Vec<u8> = Vec::new();
    let mut changed = false;
    let mut rest = body;
    while !rest.is_empty() {
        let end = rest.iter().position(|&b| b == b'\n' || b == b'\r').unwrap_or(rest.len());
        let (line, tail) = rest.split_at(end);
        // A line ends as texting_robots ends it: any run of CR, then an optional LF.
        let mut eol_len = tail.iter().take_while(|&&b| b == b'\r').count();
        eol_len += usize::from(tail.get(eol_len) == Some(&b'\n'));
        let (eol, next) = tail.split_at(eol_len);
        rest = next;
        let cut = &line[..line.len().min(MAX_LINE)];
        changed |= cut.len() < line.len();
        if let Some(value) = value_of(cut, &["user-agent", "user agent", "useragent"]) {
            let value = String::from_utf8_lossy(value);
            let value = value.split('#').next().unwrap_or("");
            let token = product_token(value);
            if token != value.trim() {
                changed = true;
            }
            out.extend_from_slice(b"User-agent: ");
            out.extend_from_slice(token.as_bytes());
        } else {
            out.extend_from_slice(cut);
        }
        out.extend_from_slice(eol);
        if let Some(dir) = value_of(cut, &["allow"]).and_then(index_folder) {
            changed = true;
            out.extend_from_slice(if eol.is_empty() { b"\nAllow: " } else { b"Allow: " });
            out.extend_from_slice(dir);
            out.extend_from_slice(b"$\n");
        }
    }
    if changed { Cow::Owned(out) } else { Cow::Borrowed(body) }
}

/// `/dir/` of an allow pattern `/dir/index.htm…` (Google takes an allowed index page as its
/// folder).
fn index_folder(value: &[u8]) -> Option<&[u8]> {
    let value = value.split(|&b| b == b'#').next()?.trim_ascii();
    let slash = value.iter().rposition(|&b| b == b'/')?;
    value[slash..].starts_with(b"/index.htm").then(|| &value[..=slash])
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
