//! The messages between the page and the analysis worker.
//!
//! Page → worker: a JS array whose first element is a [`Request`] as JSON and whose other elements
//! are the input bytes (`Uint8Array`, transferred, in the order of `Load::names`), so megabytes of
//! input are never JSON-escaped. Worker → page: a [`Response`] as a JSON string.
//!
//! The answers carry display-ready copies of the core's values ([`ReportData`], [`LoadSummary`]):
//! the page then links none of the core's (de)serialisers, which keeps the wasm small.

use serde::{Deserialize, Serialize};
use vpc_reach_core::diag::{Diagnostic, Severity};
use vpc_reach_core::ingest::DocumentInfo;
use vpc_reach_core::report::{Check, Layer, Report, Status, Verdict};

use crate::query::QueryForm;
use crate::view_model::{diag_location, target_label, ExposureRow};

// Externally tagged (serde's default): internally tagged enums buffer their input and cost wasm size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Read these inputs (replacing anything read before); their bytes follow in the message.
    Load { id: u64, names: Vec<String> },
    /// Answer the question in the form against the inputs of the last `Load`.
    Analyze { id: u64, form: QueryForm },
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
#[serde(rename_all = "snake_case")]
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

/// `1.5 MB`, `12 KB`, `300 bytes` (integer arithmetic: float formatting costs wasm size).
pub fn human_bytes(n: usize) -> String {
    if n >= 1_000_000 {
        let tenths = (n + 50_000) / 100_000;
        format!("{}.{} MB", tenths / 10, tenths % 10)
    } else if n >= 1_000 {
        format!("{} KB", (n + 500) / 1_000)
    } else {
        format!("{n} bytes")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
        result: Result<Box<ReportData>, String>,
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

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn sizes_in_words() {
        assert_eq!(human_bytes(0), "0 bytes");
        assert_eq!(human_bytes(999), "999 bytes");
        assert_eq!(human_bytes(1_499), "1 KB");
        assert_eq!(human_bytes(12_500), "13 KB");
        assert_eq!(human_bytes(999_999), "1000 KB");
        assert_eq!(human_bytes(1_000_000), "1.0 MB");
        assert_eq!(human_bytes(6_049_999), "6.0 MB");
        assert_eq!(human_bytes(6_050_000), "6.1 MB");
    }
}

/// What the core made of the inputs, for the documents list, the instance picker and the exposure view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadSummary {
    pub documents: Vec<DocumentData>,
    pub diagnostics: Vec<DiagnosticData>,
    /// Names of inputs that are not JSON (flow logs, `ip route`, …), kept as evidence.
    pub evidence_inputs: Vec<String>,
    pub instances: Vec<InstanceSummary>,
    /// One row per open service of every exposed address.
    pub exposure: Vec<ExposureRow>,
    pub exposure_warnings: Vec<String>,
}

/// One recognised document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentData {
    pub source: String,
    /// `(aws ec2 describe-…, resources)`.
    pub commands: Vec<(String, usize)>,
    pub unused: Vec<String>,
}

impl From<&DocumentInfo> for DocumentData {
    fn from(d: &DocumentInfo) -> Self {
        DocumentData {
            source: d.source.clone(),
            commands: d
                .commands
                .iter()
                .map(|(c, n)| (c.to_string(), *n))
                .collect(),
            unused: d.unused.clone(),
        }
    }
}

/// One problem with the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnosticData {
    pub severity: Severity,
    /// `file.json:3:14 at Path[0]`.
    pub location: String,
    pub message: String,
    pub help: Option<String>,
}

impl From<&Diagnostic> for DiagnosticData {
    fn from(d: &Diagnostic) -> Self {
        DiagnosticData {
            severity: d.severity,
            location: diag_location(d),
            message: d.message.clone(),
            help: d.help.clone(),
        }
    }
}

/// One instance as the picker lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceSummary {
    pub id: String,
    pub name: Option<String>,
    pub state: String,
    pub private_ips: Vec<String>,
    pub public_ips: Vec<String>,
}

/// A [`Report`] as the page shows it: the core's values with their display text, so the page
/// needs none of the core's types beyond the small enums.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportData {
    pub verdict: Verdict,
    /// `web-b (i-0abc…, 203.0.113.45)`.
    pub target: String,
    /// The instance id (else the query's target), for the export's file name.
    pub target_id: String,
    /// `tcp/22`.
    pub protocol: String,
    /// The query's source block, if one was given.
    pub source: Option<String>,
    pub sources: Vec<String>,
    pub blocking: Vec<Layer>,
    pub checks: Vec<CheckData>,
    pub reachable_from: Vec<String>,
    pub partially_reachable_from: Vec<PartialData>,
    pub assumptions: Vec<String>,
    pub warnings: Vec<String>,
    /// The core's Markdown rendering, for export.
    pub markdown: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckData {
    pub layer: Layer,
    pub status: Status,
    pub summary: String,
    pub evidence: Vec<EvidenceData>,
    pub fix: Option<FixData>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceData {
    pub object: String,
    pub detail: String,
    /// `file.json at Path[1]`.
    pub origin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixData {
    pub summary: String,
    pub commands: Vec<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartialData {
    pub cidrs: Vec<String>,
    /// Client families' labels, e.g. `Linux clients (32768-60999)`.
    pub client_families: Vec<String>,
    pub client_ports: Vec<String>,
}

fn strings<T: ToString>(v: &[T]) -> Vec<String> {
    v.iter().map(ToString::to_string).collect()
}

impl ReportData {
    pub fn new(r: &Report, markdown: String) -> ReportData {
        ReportData {
            verdict: r.verdict,
            target: target_label(r),
            target_id: r
                .target
                .instance_id
                .clone()
                .unwrap_or_else(|| r.query.target.clone()),
            protocol: r.query.protocol.to_string(),
            source: r.query.source.map(|c| c.to_string()),
            sources: strings(&r.sources),
            blocking: r.blocking.clone(),
            checks: r.checks.iter().map(CheckData::from).collect(),
            reachable_from: strings(&r.reachable_from),
            partially_reachable_from: r
                .partially_reachable_from
                .iter()
                .map(|p| PartialData {
                    cidrs: strings(&p.cidrs),
                    client_families: p
                        .client_families
                        .iter()
                        .map(|f| f.label().to_owned())
                        .collect(),
                    client_ports: strings(&p.client_ports),
                })
                .collect(),
            assumptions: r.assumptions.clone(),
            warnings: r.warnings.clone(),
            markdown,
        }
    }
}

impl From<&Check> for CheckData {
    fn from(c: &Check) -> Self {
        CheckData {
            layer: c.layer,
            status: c.status,
            summary: c.summary.clone(),
            evidence: c
                .evidence
                .iter()
                .map(|e| EvidenceData {
                    object: e.object.clone(),
                    detail: e.detail.clone(),
                    origin: e.origin.as_ref().map(ToString::to_string),
                })
                .collect(),
            fix: c.fix.as_ref().map(|f| FixData {
                summary: f.summary.clone(),
                commands: f.commands.clone(),
                note: f.note.clone(),
            }),
        }
    }
}
