//! Fetching the web: the crawl, its frontier and pacing, robots.txt, the address guard, site adapters and the loopback server.

pub mod adapters;
pub mod budget;
pub mod crawl;
pub mod fetch;
pub mod frontier;
pub mod guard;
pub mod robots;
pub mod serve;
