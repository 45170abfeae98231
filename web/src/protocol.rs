//! The messages between the page and the analysis worker.
//!
//! Page → worker: a JS array whose first element is a [`Request`] as JSON and whose other elements
//! are the input bytes (`Uint8Array`, transferred, in the order of `Load::names`), so megabytes of
//! input are never JSON-escaped. Worker → page: a [`Response`] as a JSON string.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use vpc_reach_core::diag::Diagnostic;
use vpc_reach_core::ingest::DocumentInfo;
use vpc_reach_core::report::ExposureReport;
use vpc_reach_core::{Query, Report};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// Read these inputs (replacing anything read before); their bytes follow in the message.
    Load { id: u64, names: Vec<String> },
    /// Answer a query against the inputs of the last `Load`.
    Analyze { id: u64, query: Query },
}

impl Request {
    pub fn id(&self) -> u64 {
        match self {
            Request::Load { id, .. } | Request::Analyze { id, .. } => *id,
        }
    }
}

/// How far the worker has got with a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    Reading { inputs: usize, bytes: usize },
    ListingExposure { instances: usize },
    Analyzing { target: String },
}

impl Stage {
    /// What the page shows while the stage runs.
    pub fn describe(&self) -> String {
        match self {
            Stage::Reading { inputs, bytes } => format!(
                "Reading {inputs} input{} ({})…",
                if *inputs == 1 { "" } else { "s" },
                human_bytes(*bytes)
            ),
            Stage::ListingExposure { instances } => format!(
                "Listing what is open on {instances} instance{}…",
                if *instances == 1 { "" } else { "s" }
            ),
            Stage::Analyzing { target } => format!("Checking every layer for {target}…"),
        }
    }
}

/// `1.5 MB`, `12 KB`, `300 bytes`.
pub fn human_bytes(n: usize) -> String {
    if n >= 1_000_000 {
        format!("{:.1} MB", n as f64 / 1_000_000.0)
    } else if n >= 1_000 {
        format!("{:.0} KB", n as f64 / 1_000.0)
    } else {
        format!("{n} bytes")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Response {
    Progress {
        id: u64,
        stage: Stage,
    },
    Loaded {
        id: u64,
        summary: LoadSummary,
    },
    Analyzed {
        id: u64,
        result: Result<Box<Analysis>, String>,
    },
    /// The request itself could not be read (a bug, not bad input).
    Failed {
        id: u64,
        message: String,
    },
}

impl Response {
    pub fn id(&self) -> u64 {
        match self {
            Response::Progress { id, .. }
            | Response::Loaded { id, .. }
            | Response::Analyzed { id, .. }
            | Response::Failed { id, .. } => *id,
        }
    }
}

/// What the core made of the inputs, for the documents list, the instance picker and the exposure view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadSummary {
    pub documents: Vec<DocumentInfo>,
    pub diagnostics: Vec<Diagnostic>,
    /// Names of inputs that are not JSON (flow logs, `ip route`, …), kept as evidence.
    pub evidence_inputs: Vec<String>,
    pub instances: Vec<InstanceSummary>,
    pub exposure: ExposureReport,
}

/// One instance as the picker lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceSummary {
    pub id: String,
    pub name: Option<String>,
    pub state: String,
    pub private_ips: Vec<IpAddr>,
    pub public_ips: Vec<IpAddr>,
}

/// The answer to one query, with its Markdown rendering for export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub report: Report,
    pub markdown: String,
}
