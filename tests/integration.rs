//! Integration tests: the `kuzet` binary end to end. One test binary (see Cargo.toml).
mod classify;
mod crawl;
mod demo;
mod health;
mod hostile;
mod hostile_input;
mod nightly;
mod permissions;
mod robots_google;
mod review;
mod util;
mod workbook;
