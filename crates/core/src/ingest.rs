//! Reading describe-* output: decoding, splitting streams into documents, recognising each document by
//! its top-level keys, and turning raw JSON into the validated [`crate::model`].
//!
//! (Being written: see the ingest branch.)

use crate::diag::Diagnostic;
use crate::model::{Command, Inventory};

/// One input: a file, standard input, or the web page's paste box.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// Shown in messages: file name, `stdin`, `paste`.
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// What one document was recognised as.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DocumentInfo {
    /// `file.json`, or `file.json#3` for the third document of a stream.
    pub source: String,
    /// Commands recognised and how many resources each contributed.
    pub commands: Vec<(Command, usize)>,
    /// Top-level keys of commands we do not use.
    pub unused: Vec<String>,
}

/// The result of reading every input.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub inventory: Inventory,
    pub documents: Vec<DocumentInfo>,
    pub diagnostics: Vec<Diagnostic>,
    /// Inputs that are not JSON (flow log records, `ip route`, `iptables-save`, …): `(name, text)`,
    /// decoded to UTF-8, for the evidence parsers.
    pub texts: Vec<(String, String)>,
}

/// Reads every input. Never panics; problems become diagnostics and the rest is still loaded.
pub fn load(_inputs: &[Input<'_>]) -> Loaded {
    Loaded::default()
}
