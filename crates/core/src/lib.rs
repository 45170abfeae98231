//! vpc-reach core: "why can't I connect to my EC2 instance from the internet?"
//!
//! Pure: takes bytes, returns values. No file system, no printing, no clock, so it runs the same in
//! the CLI and in the browser (wasm32).

pub mod diag;
pub mod fix;
pub mod ingest;
pub mod model;
pub mod net;
pub mod report;

pub use diag::{Diagnostic, Severity};
pub use ingest::{load, Input, Loaded};
pub use report::{Check, Layer, Query, QueryProtocol, Report, Status, Verdict};
