//! kuzet: find calls to violence, violent threats and terrorist propaganda in web text, in
//! English, Russian, Kazakh and Arabic, and write review queues for people to decide on.
//!
//! The stages, each a module: [`decode`] bytes → [`extract`] visible text → [`normalize`]
//! (strict and loose views) → [`matcher`] (lexicon hits) → [`score`] (an explained
//! [`score::Assessment`]) → [`queue`] (CSV rows). [`analyse`] ties the pure stages together for
//! one document; [`classify`] is the command that runs them over local input.
//!
//! The source is grouped in folders by pipeline stage (`web`, `text`, `lexicons`, `reviewing`,
//! `night`, `copies`, `archive`); every module is re-exported here, so its path is
//! `kuzet::<module>` wherever it lives.
// The modules live in folders by pipeline stage; each is re-exported here so that its path
// stays `kuzet::<module>`.
mod web;
mod text;
mod lexicons;
mod reviewing;
mod night;
mod copies;
mod archive;
pub use web::{adapters, budget, crawl, fetch, frontier, guard, robots, serve};
pub use text::{decode, extract, filekind, input, lang, normalize};
pub(crate) use text::{clitics, simd};
pub use lexicons::{analyse, bundled, classify, evaluate, lexicon, lint, matcher, saved, score, screen};
pub(crate) use lexicons::resolve;
pub use reviewing::{cell, export, import, inbox, queue, report, review, workbook};
pub use night::{demo, flood, flood_store, health, nightly, preflight, revisit, runs, settings, store};
pub use copies::{cluster_queue, cluster_store, clusters, fingerprint};
pub use archive::{evidence, warc};

/// A run id from the current time, UTC: `20261128T051725Z`.
pub fn run_id() -> String {
    timestamp(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()))
}

/// A Unix time as `20261128T051725Z` (UTC).
pub fn timestamp(secs: u64) -> String {
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}
