//! The nightly job: its config, state store, runs, revisits, health, flood guard and the demo.

pub mod demo;
pub mod flood;
pub mod flood_store;
pub mod health;
pub mod nightly;
pub mod preflight;
pub mod revisit;
pub mod runs;
pub mod settings;
pub mod store;
