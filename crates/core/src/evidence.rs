//! Evidence from traffic and from inside the instance: flow logs, OS routes, firewall, sockets.
//!
//! (Being written: see the evidence branch.)

use crate::diag::Diagnostic;
use crate::model::Inventory;
use crate::report::{Check, Report};

/// Evaluates the non-JSON inputs (`(name, text)` from [`crate::ingest::Loaded::texts`]) against a
/// finished configuration report, returning the `flow_logs`, `os_route`, `os_firewall` and
/// `listening` checks, and a note for each text that was not recognised.
pub fn evaluate(
    _texts: &[(String, String)],
    _inv: &Inventory,
    _report: &Report,
) -> (Vec<Check>, Vec<Diagnostic>) {
    (Vec::new(), Vec::new())
}
