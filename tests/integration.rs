//! Integration tests: the `kuzet` binary end to end. One test binary (see Cargo.toml).
mod classify;
mod crawl;
mod demo;
mod health;
mod hostile;
mod hostile_input;
mod install;
mod live_queues;
mod nightly;
mod permissions;
mod report;
mod robots_google;
mod smaller;
mod review;
mod revisits;
mod util;
mod workbook;
