//! vpc-reach in the browser. The page renders what `vpc_reach_core` returns; the core runs in a
//! Web Worker (the same WebAssembly module started by `worker.js`, see `main.rs`), so large inputs
//! never freeze the page.

pub mod app;
pub mod browser;
pub mod client;
pub mod example;
pub mod protocol;
pub mod query;
pub mod session;
pub mod ui;
pub mod view_model;
#[cfg(target_arch = "wasm32")]
pub mod worker;
