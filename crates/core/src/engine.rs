//! The evaluator: the exact set of internet sources (and client ports) that reach a target.
//!
//! (Being written.)

use crate::model::Inventory;
use crate::report::{ExposureReport, Query, Report};

/// Why a query cannot be answered at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("no instance or network interface `{target}` in the input{}", did_you_mean(.suggestion))]
    UnknownTarget {
        target: String,
        suggestion: Option<String>,
    },
    #[error("`{address}` is not an address of `{target}`; its public addresses are {known}")]
    UnknownAddress {
        target: String,
        address: String,
        known: String,
    },
}

fn did_you_mean(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

/// Answers one query against the configuration.
pub fn check(_inv: &Inventory, q: &Query) -> Result<Report, QueryError> {
    Err(QueryError::UnknownTarget {
        target: q.target.clone(),
        suggestion: None,
    })
}

/// Every internet-exposed address with what is open on it.
pub fn exposure(_inv: &Inventory) -> ExposureReport {
    ExposureReport {
        exposures: Vec::new(),
        warnings: Vec::new(),
    }
}
