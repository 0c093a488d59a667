//! Reposted copies: near-duplicate fingerprints and the clusters they form across pages and nights.

pub mod cluster_queue;
pub mod cluster_store;
pub mod clusters;
pub mod fingerprint;
