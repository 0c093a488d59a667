//! kuzet: find calls to violence, violent threats and terrorist propaganda in web text, in
//! English, Russian, Kazakh and Arabic, and write review queues for people to decide on.
//!
//! The stages, each a module: [`decode`] bytes → [`extract`] visible text → [`normalize`]
//! (strict and loose views) → [`matcher`] (lexicon hits) → [`score`] (an explained
//! [`score::Assessment`]) → [`queue`] (CSV rows). [`analyse`] ties the pure stages together for
//! one document; [`classify`] is the command that runs them over local input.
pub mod adapters;
pub mod analyse;
pub mod budget;
pub mod bundled;
pub mod cell;
pub mod classify;
pub mod cluster_queue;
pub mod cluster_store;
pub mod clusters;
mod clitics;
pub mod crawl;
pub mod decode;
pub mod demo;
pub mod evaluate;
pub mod export;
pub mod extract;
pub mod fetch;
pub mod filekind;
pub mod fingerprint;
pub mod flood;
pub mod flood_store;
pub mod frontier;
pub mod guard;
pub mod health;
pub mod import;
pub mod inbox;
pub mod input;
pub mod lang;
pub mod lexicon;
pub mod lint;
pub mod matcher;
pub mod normalize;
pub mod preflight;
pub mod queue;
pub mod report;
pub(crate) mod resolve;
pub mod review;
pub mod revisit;
pub mod robots;
pub mod runs;
pub mod score;
pub mod screen;
pub mod serve;
pub mod settings;
mod simd;
pub mod store;
pub mod warc;
pub mod evidence;
pub mod workbook;
pub mod nightly;

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
