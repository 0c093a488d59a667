//! When a known URL is fetched again: the revisit policy of the nightly job.
//!
//! The interval of a URL follows from what its last visit found (flagged, changed, unchanged
//! again, failed, disallowed, redirected) and the config's `[revisit]` hours. It is stored with
//! the URL, and when the URL is due is computed again from its last visit and tonight's config
//! ([`next_visit`]), so that changed hours apply to pages already scheduled. A page analysed by
//! another lexicon version is due once, to be analysed again; `kuzet run --revisit` forces one
//! night's revisits. Reading and writing the store is [`crate::nightly`]'s job.

use crate::nightly::Revisit;

/// Known URLs made due for one night (`kuzet run --revisit`), whatever their schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Force {
    /// Every known URL, fetched unconditionally and analysed again.
    All,
    /// The pages flagged at their last analysis, fetched unconditionally and analysed again.
    Flagged,
    /// The URLs whose last attempt failed.
    Failed,
}

/// Tonight's revisit policy: the config's hours, the lexicon version, a forced revisit.
#[derive(Debug, Clone)]
pub struct Policy {
    pub revisit: Revisit,
    pub lexicon_version: String,
    pub force: Option<Force>,
}

/// What the store holds about a known URL's last visit.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit<'a> {
    /// `pending`, `fetched`, `analysed`, `exported`, `failed`, `skipped` or `redirected`.
    pub state: &'a str,
    pub depth: u32,
    pub flagged: bool,
    /// The lexicon version of its last analysis.
    pub lexicon_version: Option<&'a str>,
    /// The last HTTP status or crawl status (`robots` for a robots.txt refusal).
    pub last_status: Option<&'a str>,
    pub last_visit: Option<i64>,
    /// Visits in a row that found the page unchanged (since its last change).
    pub unchanged: u32,
    /// Attempts in a row that failed (since its last success).
    pub failures: u32,
    /// The next visit stored at the last visit.
    pub next_visit: i64,
}

/// What a URL's last visit found, as far as its interval goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Analysed, found unchanged this many times in a row since (0: it changed, or is new).
    Analysed(u32),
    /// Failed this many times in a row (at least 1).
    Failed(u32),
    /// Disallowed by robots.txt (which may change).
    Disallowed,
    Redirected,
    /// Out of tonight's scope, or skipped for its type.
    Skipped,
}

/// Why a URL is fetched tonight, if it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Never fetched, or fetched and not analysed (a killed run).
    New,
    /// Its next visit has come.
    Scheduled,
    /// Analysed by another lexicon version: fetched unconditionally and analysed again.
    Lexicon,
    /// Forced by `--revisit`; `true` when it is to be analysed again unconditionally.
    Forced(bool),
}

impl Due {
    /// Whether the stored validators and content hash may be used (a conditional request,
    /// no analysis when the text is the same).
    pub fn conditional(self) -> bool {
        matches!(self, Due::New | Due::Scheduled | Due::Forced(false))
    }
}

impl Policy {
    /// Whether `visit` is due at `now`, and why.
    pub fn due(&self, visit: &Visit<'_>, now: i64) -> Option<Due> {
        let analysed = matches!(visit.state, "analysed" | "exported");
        if matches!(visit.state, "pending" | "fetched") {
            return Some(Due::New);
        }
        match self.force {
            Some(Force::All) => return Some(Due::Forced(true)),
            Some(Force::Flagged) if visit.flagged && analysed => return Some(Due::Forced(true)),
            Some(Force::Failed) if visit.state == "failed" => return Some(Due::Forced(false)),
            _ => {}
        }
        if analysed && visit.lexicon_version.is_some_and(|v| v != self.lexicon_version) {
            return Some(Due::Lexicon);
        }
        (next_visit(visit, &self.revisit) <= now).then_some(Due::Scheduled)
    }
}

/// When `visit` is next due under `revisit`: its last visit plus the interval tonight's hours
/// give what that visit found (the stored next visit when there was no visit).
pub fn next_visit(visit: &Visit<'_>, revisit: &Revisit) -> i64 {
    let Some(last) = visit.last_visit else { return visit.next_visit };
    let class = match visit.state {
        "analysed" | "exported" => Class::Analysed(visit.unchanged),
        "failed" => Class::Failed(visit.failures.max(1)),
        "skipped" if visit.last_status == Some("robots") => Class::Disallowed,
        "skipped" => Class::Skipped,
        "redirected" => Class::Redirected,
        _ => return visit.next_visit,
    };
    last.saturating_add(interval(revisit, class, visit.flagged, visit.depth))
}

/// Seconds until the next visit: an analysed page after the benign interval, doubled for each
/// visit that found it unchanged, up to the maximum; a failed one after the failed interval,
/// doubled for each failure in a row, up to the maximum; both no longer than the flagged
/// pages' and the seeds' intervals when they are one.
pub fn interval(r: &Revisit, class: Class, flagged: bool, depth: u32) -> i64 {
    let (benign, failed, max) = (hours_to_secs(r.benign_hours), hours_to_secs(r.failed_hours), hours_to_secs(r.max_hours));
    let doubled = |base: i64, times: u32| base.saturating_mul(1i64 << times.min(40)).min(max.max(base));
    let secs = match class {
        Class::Analysed(unchanged) => doubled(benign, unchanged),
        Class::Failed(failures) => doubled(failed, failures.saturating_sub(1)),
        Class::Disallowed => failed,
        Class::Redirected => benign,
        Class::Skipped => max,
    };
    capped(r, secs, flagged, depth)
}

/// `secs`, but no longer than the flagged pages' and the seeds' revisit times.
fn capped(r: &Revisit, mut secs: i64, flagged: bool, depth: u32) -> i64 {
    if flagged {
        secs = secs.min(hours_to_secs(r.flagged_hours));
    }
    if depth == 0 {
        secs = secs.min(hours_to_secs(r.seeds_hours));
    }
    secs
}

/// Hours as whole seconds.
pub fn hours_to_secs(hours: f64) -> i64 {
    (hours * 3600.0).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600;

    /// A visit at hour 1000; `streak` is the unchanged visits or, when failed, the failures.
    fn visit(state: &str, flagged: bool, depth: u32, streak: u32) -> Visit<'_> {
        let failed = state == "failed";
        Visit {
            state,
            depth,
            flagged,
            lexicon_version: Some("lex-a"),
            last_status: Some("200"),
            last_visit: Some(1000 * H),
            unchanged: if failed { 0 } else { streak },
            failures: if failed { streak } else { 0 },
            next_visit: 0,
        }
    }

    fn hours(flagged: f64, benign: f64, max: f64, failed: f64, seeds: f64) -> Revisit {
        Revisit { flagged_hours: flagged, benign_hours: benign, max_hours: max, failed_hours: failed, seeds_hours: seeds }
    }

    #[test]
    fn next_visits_follow_tonights_hours() {
        let default = Revisit::default();
        let robots = Visit { last_status: Some("robots"), ..visit("skipped", false, 2, 0) };
        let never = Visit { last_visit: None, next_visit: 5, ..visit("exported", false, 1, 0) };
        // (visit, hours, hours after the last visit it is due)
        let cases: &[(Visit<'_>, Revisit, i64)] = &[
            // The default hours.
            (visit("exported", false, 1, 0), default.clone(), 68),
            (visit("exported", false, 1, 1), default.clone(), 136),
            (visit("exported", false, 1, 2), default.clone(), 272),
            (visit("exported", false, 1, 3), default.clone(), 336),
            (visit("exported", false, 1, 90), default.clone(), 336),
            (visit("exported", true, 1, 2), default.clone(), 20),
            (visit("exported", false, 0, 0), default.clone(), 20),
            (visit("failed", false, 1, 1), default.clone(), 20),
            (visit("failed", false, 1, 3), default.clone(), 80),
            (visit("failed", false, 1, 0), default.clone(), 20),
            (visit("redirected", false, 1, 0), default.clone(), 68),
            (visit("skipped", false, 1, 0), default.clone(), 336),
            (robots.clone(), default.clone(), 20),
            // Lowered hours apply to pages already scheduled; 0 makes them due now.
            (visit("exported", false, 1, 2), hours(20.0, 68.0, 100.0, 20.0, 20.0), 100),
            (visit("exported", false, 1, 0), hours(20.0, 10.0, 336.0, 20.0, 20.0), 10),
            (visit("exported", false, 1, 2), hours(20.0, 10.0, 336.0, 20.0, 20.0), 40),
            (visit("exported", true, 1, 0), hours(2.0, 68.0, 336.0, 20.0, 20.0), 2),
            (visit("exported", false, 0, 0), hours(20.0, 68.0, 336.0, 20.0, 1.0), 1),
            (visit("failed", false, 1, 5), hours(20.0, 68.0, 48.0, 20.0, 20.0), 48),
            (robots, hours(20.0, 68.0, 336.0, 5.0, 20.0), 5),
            (visit("exported", false, 1, 0), hours(0.0, 0.0, 0.0, 0.0, 0.0), 0),
            (visit("failed", false, 1, 4), hours(0.0, 0.0, 0.0, 0.0, 0.0), 0),
            // Raised hours too.
            (visit("exported", false, 1, 0), hours(20.0, 100.0, 336.0, 20.0, 20.0), 100),
            (visit("exported", true, 1, 0), hours(30.0, 68.0, 336.0, 20.0, 20.0), 30),
        ];
        for (v, r, want) in cases {
            assert_eq!(next_visit(v, r), v.last_visit.unwrap() + want * H, "{v:?} {r:?}");
        }
        assert_eq!(next_visit(&never, &default), 5, "no visit yet: the stored time");
    }

    #[test]
    fn what_is_due_and_how() {
        let policy = |force| Policy { revisit: Revisit::default(), lexicon_version: "lex-a".into(), force };
        let later = 1001 * H; // an hour after the last visit: nothing scheduled is due
        let other = Visit { lexicon_version: Some("lex-old"), ..visit("exported", false, 1, 0) };
        let failed = visit("failed", false, 1, 1);
        let flagged = visit("exported", true, 1, 0);
        let benign = visit("exported", false, 1, 0);
        let cases: &[(Option<Force>, &Visit<'_>, i64, Option<Due>)] = &[
            (None, &visit("pending", false, 1, 0), later, Some(Due::New)),
            (None, &visit("fetched", false, 1, 0), later, Some(Due::New)),
            (None, &benign, later, None),
            (None, &benign, 1068 * H, Some(Due::Scheduled)),
            (None, &other, later, Some(Due::Lexicon)),
            // A failed page keeps its back-off under a new lexicon: it was never analysed by it.
            (None, &Visit { lexicon_version: Some("lex-old"), ..failed.clone() }, later, None),
            (Some(Force::All), &benign, later, Some(Due::Forced(true))),
            (Some(Force::All), &failed, later, Some(Due::Forced(true))),
            (Some(Force::Flagged), &flagged, later, Some(Due::Forced(true))),
            (Some(Force::Flagged), &benign, later, None),
            (Some(Force::Failed), &failed, later, Some(Due::Forced(false))),
            (Some(Force::Failed), &flagged, later, None),
        ];
        for (force, v, now, want) in cases {
            assert_eq!(policy(*force).due(v, *now), *want, "{force:?} {v:?}");
        }
        assert!(Due::Scheduled.conditional() && !Due::Lexicon.conditional() && !Due::Forced(true).conditional());
    }
}
