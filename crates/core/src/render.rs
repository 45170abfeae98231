//! Human-readable reports: plain text for terminals, Markdown for tickets.
//!
//! (Being written.)

use crate::report::{ExposureReport, Report};

pub fn text(r: &Report) -> String {
    format!("{:?}\n", r.verdict)
}

pub fn markdown(r: &Report) -> String {
    format!("{:?}\n", r.verdict)
}

pub fn exposure_text(r: &ExposureReport) -> String {
    format!("{} exposed\n", r.exposures.len())
}

pub fn exposure_markdown(r: &ExposureReport) -> String {
    format!("{} exposed\n", r.exposures.len())
}
