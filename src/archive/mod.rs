//! Evidence: pages kept as received in WARC files, with digests and a tamper-evident chain.

pub mod evidence;
pub mod warc;
