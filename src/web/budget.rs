//! A host's failure budget: how much of the crawl one host may take before it is given up for
//! the rest of the crawl (issue 19: one dripping or throttling site must not hold the night).
//!
//! Counted per host: failed attempts in a row (timeouts, connection errors, 429 and 5xx answers,
//! retries included; any other answer resets the count), and time spent (each request from
//! dispatch to its last byte, plus the waits the host's answers imposed: Retry-After, backoff).
//! The politeness delay between requests is not counted. This module only counts and decides;
//! the dispatcher stops asking the host and reports it.

use std::time::{Duration, Instant};

/// What a host has cost so far.
#[derive(Debug, Clone, Default)]
pub struct HostBudget {
    /// When the request under way started.
    started: Option<Instant>,
    /// Time taken from the crawl: requests and the waits the host imposed.
    pub spent: Duration,
    /// Failed attempts in a row.
    pub failures: u32,
    /// Why the host was given up, once it is.
    pub given_up: Option<String>,
}

/// The limits ([`crate::crawl::CrawlConfig::max_host_failures`] and `max_host_time_ms`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_failures: u32,
    pub max_time: Duration,
}

impl HostBudget {
    /// A request to the host starts.
    pub fn request_started(&mut self, now: Instant) {
        self.started = Some(now);
    }

    /// The request under way has ended (its body read, or failed): its time is spent.
    pub fn request_ended(&mut self, now: Instant) {
        if let Some(started) = self.started.take() {
            self.spent = self.spent.saturating_add(now.saturating_duration_since(started));
        }
    }

    /// The host made the crawl wait `wait` before asking again (Retry-After, backoff).
    pub fn waited(&mut self, wait: Duration) {
        self.spent = self.spent.saturating_add(wait);
    }

    /// An attempt ended: `failed` counts one more in a row, anything else starts over.
    pub fn attempt(&mut self, failed: bool) {
        self.failures = if failed { self.failures.saturating_add(1) } else { 0 };
    }

    /// Gives the host up if it is over `limits` and was not given up yet; returns why.
    pub fn give_up_if_over(&mut self, limits: Limits) -> Option<String> {
        if self.given_up.is_some() {
            return None;
        }
        let why = if self.failures >= limits.max_failures {
            format!("{} failed attempts in a row (max_host_failures)", self.failures)
        } else if self.spent >= limits.max_time {
            format!("took {} ms of requests and imposed waits (max_host_time_ms = {})", self.spent.as_millis(), limits.max_time.as_millis())
        } else {
            return None;
        };
        self.given_up = Some(why.clone());
        Some(why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (attempts failed?, waits in ms, expected reason prefix)
    const CASES: &[(&[bool], &[u64], Option<&str>)] = &[
        (&[], &[], None),
        (&[true, true], &[], None),
        (&[true, true, true], &[], Some("3 failed attempts in a row")),
        (&[true, true, false, true, true], &[], None),
        (&[false], &[400, 600], Some("took 1000 ms")),
        (&[false], &[999], None),
        (&[true, true, true], &[5000], Some("3 failed attempts in a row")),
    ];

    #[test]
    fn budget_table() {
        let limits = Limits { max_failures: 3, max_time: Duration::from_millis(1000) };
        for &(attempts, waits, want) in CASES {
            let mut b = HostBudget::default();
            let mut why = None;
            for &failed in attempts {
                b.attempt(failed);
                why = why.or(b.give_up_if_over(limits));
            }
            for &ms in waits {
                b.waited(Duration::from_millis(ms));
                why = why.or(b.give_up_if_over(limits));
            }
            match want {
                Some(prefix) => assert!(why.as_deref().is_some_and(|w| w.starts_with(prefix)), "{attempts:?} {waits:?}: {why:?}"),
                None => assert_eq!(why, None, "{attempts:?} {waits:?}"),
            }
            assert_eq!(b.give_up_if_over(limits), None, "given up once only");
        }
    }

    #[test]
    fn request_time_is_counted_once_and_never_overflows() {
        let mut b = HostBudget::default();
        let t0 = Instant::now();
        b.request_started(t0);
        b.request_ended(t0 + Duration::from_millis(300));
        b.request_ended(t0 + Duration::from_millis(900));
        assert_eq!(b.spent, Duration::from_millis(300));
        b.waited(Duration::MAX);
        assert_eq!(b.spent, Duration::MAX);
    }
}
