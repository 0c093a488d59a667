//! Integration tests: the `kuzet` binary end to end. One test binary (see Cargo.toml).
mod classify;
mod crawl;
mod nightly;
mod util;
