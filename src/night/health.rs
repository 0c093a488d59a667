//! Night health (issue 15, point 1): what failed, on which host and why, and whether the night
//! as a whole failed (exit 1), so that monitoring can tell an outage from a quiet night.
//!
//! Counted from the crawl log's rows as the writer sees them: every URL tried to the end once
//! (its retries not counted again), each failure under its host with a short reason
//! (`connection refused`, `DNS failure`, `timed out`, `HTTP 503`, ...). A seed's host that
//! failed and never answered with HTTP could not be reached. This module only counts and
//! decides; the crawl logs, the CLI prints.

use std::collections::BTreeMap;

use serde::Serialize;
use url::Url;

/// One host's failures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HostHealth {
    /// URLs of the host that failed.
    pub failed: u64,
    /// Answers with an HTTP status (any status) from the host.
    pub answered: u64,
    /// Failures by reason.
    pub reasons: BTreeMap<String, u64>,
}

/// A seed's host that could not be reached tonight.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Unreachable {
    /// Scheme, host and port (`http://127.0.0.1:8737`).
    pub host: String,
    /// Its most frequent failure reason.
    pub reason: String,
}

/// The night's health, in `summary.json` as `crawl.health`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Health {
    /// URLs tried to the end: fetched, failed, skipped or redirected (not those robots.txt
    /// disallowed, nor retries).
    pub tried: u64,
    pub failed: u64,
    /// `failed / tried` (0 when nothing was tried).
    pub failed_share: f64,
    /// The configured `max_failed_share` the night was judged by.
    pub max_failed_share: f64,
    /// Hosts with at least one failure.
    pub hosts: BTreeMap<String, HostHealth>,
    /// Seed hosts that failed and never answered.
    pub seed_hosts_unreachable: Vec<Unreachable>,
    /// Why the night counts as failed (empty: it does not).
    pub night_failed: Vec<String>,
    /// HTTP answers per host, failed hosts or not.
    #[serde(skip)]
    answers: BTreeMap<String, u64>,
}

/// What one crawl log row was, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tried {
    Failed,
    /// Fetched, skipped or redirected: tried, not failed.
    Done,
    /// Not tried to the end (disallowed, retried, a note).
    Not,
}

/// The short reason of a failure logged with `status` and `error`.
pub fn reason(status: &str, error: &str) -> String {
    let e = error.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| e.contains(w));
    if status == "refused" {
        return "refused by the address guard".into();
    }
    if has(&["connection refused"]) {
        return "connection refused".into();
    }
    if has(&["dns error", "failed to lookup address", "name or service not known", "no address associated", "nodename nor servname"]) {
        return "DNS failure".into();
    }
    if has(&["timed out", "timeout"]) {
        return "timed out".into();
    }
    if has(&["connection reset", "broken pipe", "connection closed", "unexpected eof"]) {
        return "connection reset".into();
    }
    if has(&["certificate", "tls", "ssl", "handshake"]) {
        return "TLS error".into();
    }
    if let Some(code) = e.strip_prefix("robots.txt answered ").and_then(|r| r.split_whitespace().next()) {
        return format!("robots.txt answered {code}");
    }
    if has(&["analysis failed"]) {
        return "analysis failed".into();
    }
    if status.parse::<u16>().is_ok() {
        return format!("HTTP {status}");
    }
    "connection error".into()
}

impl Health {
    /// Counts one crawl log row of `url`.
    pub fn record(&mut self, url: &str, status: &str, error: &str, tried: Tried) {
        if tried == Tried::Not {
            return;
        }
        let host = Url::parse(url).map(|u| crate::frontier::origin(&u)).unwrap_or_else(|_| url.to_string());
        self.tried += 1;
        if status.parse::<u16>().is_ok() {
            *self.answers.entry(host.clone()).or_default() += 1;
        }
        if tried == Tried::Failed {
            self.failed += 1;
            let h = self.hosts.entry(host).or_default();
            h.failed += 1;
            *h.reasons.entry(reason(status, error)).or_default() += 1;
        }
    }

    /// Judges the night: a seed host unreachable, a host given up, or more than
    /// `max_failed_share` of the URLs tried failed.
    pub fn finish(&mut self, seeds: &[Url], given_up: &[String], max_failed_share: f64) {
        self.failed_share = if self.tried == 0 { 0.0 } else { self.failed as f64 / self.tried as f64 };
        self.max_failed_share = max_failed_share;
        for (host, h) in &mut self.hosts {
            h.answered = self.answers.get(host).copied().unwrap_or(0);
        }
        let mut seed_hosts: Vec<String> = seeds.iter().map(crate::frontier::origin).collect();
        seed_hosts.dedup();
        self.seed_hosts_unreachable = seed_hosts
            .iter()
            .filter_map(|s| self.hosts.get(s).filter(|h| h.answered == 0).map(|h| Unreachable { host: s.clone(), reason: top_reason(h) }))
            .collect();
        self.night_failed.clear();
        for u in &self.seed_hosts_unreachable {
            self.night_failed.push(format!("seed host {} could not be reached ({})", u.host, u.reason));
        }
        for g in given_up {
            self.night_failed.push(format!("host {g} given up"));
        }
        if self.failed_share > max_failed_share {
            self.night_failed.push(format!("{} of {} URLs failed ({:.1}%, more than max_failed_share {})", self.failed, self.tried, self.failed_share * 100.0, max_failed_share));
        }
    }
}

/// The reason a host failed most often (the first by name on a tie).
fn top_reason(h: &HostHealth) -> String {
    h.reasons.iter().fold((0, ""), |best, (r, &n)| if n > best.0 { (n, r.as_str()) } else { best }).1.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons() {
        let table = [
            ("error", "error sending request for url (http://127.0.0.1:9/): client error (Connect): tcp connect error: Connection refused (os error 111)", "connection refused"),
            ("robots", "robots.txt could not be fetched: error sending request: Connection refused (os error 111)", "connection refused"),
            ("error", "error sending request for url (http://nx.invalid/): dns error: failed to lookup address information: Name or service not known", "DNS failure"),
            ("error", "timed out", "timed out"),
            ("error", "error sending request: connection reset by peer", "connection reset"),
            ("error", "invalid peer certificate: UnknownIssuer", "TLS error"),
            ("robots", "robots.txt answered 503", "robots.txt answered 503"),
            ("refused", "refused 10.0.0.1: private address", "refused by the address guard"),
            ("404", "HTTP 404", "HTTP 404"),
            ("200", "analysis failed (internal error; the page is skipped)", "analysis failed"),
            ("error", "something new", "connection error"),
        ];
        for (status, error, want) in table {
            assert_eq!(reason(status, error), want, "{status} {error}");
        }
    }

    #[test]
    fn a_seed_host_that_never_answered_fails_the_night() {
        let seeds = [Url::parse("http://127.0.0.1:9/").unwrap(), Url::parse("http://127.0.0.1:80/").unwrap()];
        let mut h = Health::default();
        h.record("http://127.0.0.1:9/", "robots", "robots.txt could not be fetched: Connection refused", Tried::Failed);
        h.record("http://127.0.0.1/a", "200", "", Tried::Done);
        h.record("http://127.0.0.1/b", "404", "HTTP 404", Tried::Failed);
        h.record("http://127.0.0.1/c", "robots", "disallowed by robots.txt", Tried::Not);
        h.finish(&seeds, &[], 0.5);
        assert_eq!((h.tried, h.failed), (3, 2));
        assert_eq!(h.seed_hosts_unreachable, [Unreachable { host: "http://127.0.0.1:9".into(), reason: "connection refused".into() }]);
        assert_eq!(h.hosts["http://127.0.0.1"].answered, 2, "the 200 before the 404 counts");
        assert_eq!(h.night_failed.len(), 2, "{:?}", h.night_failed);
    }

    #[test]
    fn the_failed_share_is_judged_against_the_limit() {
        let seeds = [Url::parse("http://a.kz/").unwrap()];
        let table = [(0.0, 1), (0.25, 1), (0.5, 0), (1.0, 0)];
        for (limit, verdicts) in table {
            let mut h = Health::default();
            h.record("http://a.kz/", "200", "", Tried::Done);
            h.record("http://a.kz/x", "404", "HTTP 404", Tried::Failed);
            h.finish(&seeds, &[], limit);
            assert_eq!(h.night_failed.len(), verdicts, "limit {limit}: {:?}", h.night_failed);
        }
        let mut quiet = Health::default();
        quiet.finish(&seeds, &[], 0.0);
        assert!(quiet.night_failed.is_empty(), "a night that tried nothing is not a failure");
    }
}
