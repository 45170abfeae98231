//! vpc-reach core: "why can't I connect to my EC2 instance from the internet?"
//!
//! Pure: takes bytes, returns values. No file system, no printing, no clock, so it runs the same in
//! the CLI and in the browser (wasm32).

pub mod diag;
pub mod engine;
pub mod evidence;
pub mod fix;
pub mod ingest;
pub mod model;
pub mod net;
pub mod render;
pub mod report;

pub use diag::{Diagnostic, Severity};
pub use engine::{check, exposure, QueryError};
pub use ingest::{load, load_for, Input, Loaded};
pub use report::{Check, Layer, Query, QueryProtocol, Report, Status, Verdict};

/// Everything in one call: the configuration check for `q`, plus the evidence layers from any
/// non-JSON inputs (a failing one blocks the verdict, as a failing status check does), plus the
/// input's warnings.
pub fn analyze(loaded: &Loaded, q: &Query) -> Result<Report, QueryError> {
    let mut report = engine::check(&loaded.inventory, q)?;
    let (checks, notes) = evidence::evaluate(&loaded.texts, &loaded.inventory, &report);
    evidence::apply(&mut report, checks);
    report.warnings.extend(
        loaded
            .diagnostics
            .iter()
            .chain(notes.iter())
            .map(|d| d.to_string()),
    );
    Ok(report)
}

/// [`analyze`] straight from the inputs, reading only what the question needs
/// ([`ingest::load_for`]): what the CLI's `check` does. When the target is not found, everything is
/// read, so the error can suggest the nearest instance names. Returns what was loaded too.
pub fn analyze_inputs(inputs: &[Input<'_>], q: &Query) -> (Loaded, Result<Report, QueryError>) {
    let loaded = load_for(inputs, &q.target);
    match analyze(&loaded, q) {
        Err(QueryError::UnknownTarget { .. }) => {
            let loaded = load(inputs);
            let report = analyze(&loaded, q);
            (loaded, report)
        }
        report => (loaded, report),
    }
}
