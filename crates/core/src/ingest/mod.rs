//! Reading describe-* output: decoding, splitting streams into documents, recognising each document by
//! its top-level keys, and turning raw JSON into the validated [`crate::model`].
//!
//! # What is accepted
//!
//! - **Encodings**: UTF-8 with or without a BOM, UTF-16 LE/BE with a BOM (what Windows PowerShell's `>`
//!   writes) or without one, CRLF or LF line endings. Anything else is an error naming the input.
//! - **Not JSON**: an input whose first non-blank character is not `{` or `[` (flow log records,
//!   `ip route`, `iptables-save`, `ss -ltnp` …) is passed on, decoded, in [`Loaded::texts`].
//! - **Streams**: one input may hold several JSON documents one after another (`cat a.json b.json`).
//!   Each document is recognised by its top-level keys, never by the file name, and is named in
//!   messages as the input name plus `#n` when the input holds several (`stdin#2`).
//! - **Bundles**: one object may hold several commands' keys (`{"Vpcs": […], "Subnets": […]}`), and
//!   pages of one command (several documents or objects with the same key) are merged.
//! - **Keys read**: `Reservations` (describe-instances), `NetworkInterfaces`, `SecurityGroups`,
//!   `SecurityGroupRules`, `NetworkAcls`, `RouteTables`, `InternetGateways`,
//!   `EgressOnlyInternetGateways`, `Subnets`, `Vpcs`, `Addresses`, `InstanceStatuses`, `PrefixLists`
//!   (describe-managed-prefix-lists and describe-prefix-lists share this key: an item with
//!   `AddressFamily`, `MaxEntries`, `State`, `OwnerId`, `PrefixListArn` or `Version` is a managed
//!   list, otherwise a describe-prefix-lists item, whose `Cidrs` are its entries), `Entries`
//!   (get-managed-prefix-list-entries), `NatGateways`, `FlowLogs` and `VpcBlockPublicAccessOptions`.
//!   `NextToken` and `ResponseMetadata` are ignored silently; any other key is listed as not used.
//!   A top-level array is a `--query` projection, which cannot be used (re-run without `--query`).
//!
//! # Tying prefix list entries to their list
//!
//! `aws ec2 get-managed-prefix-list-entries --prefix-list-id pl-…` prints `{"Entries": [{"Cidr": …}]}`
//! without the list's id. An `Entries` document is tied to a prefix list by, in order:
//!
//! 1. a `PrefixListId` key in the same object: `{"PrefixListId": "pl-0abc", "Entries": […]}` (what the
//!    collector script writes, using
//!    `--query '{PrefixListId: \`pl-0abc\`, Entries: Entries}'`);
//! 2. else a `pl-<hex>` id standing on its own in the input's name, e.g.
//!    `get-managed-prefix-list-entries__pl-0abc.json`;
//! 3. else it is not used, with a warning saying how to do 1 or 2.
//!
//! Entries tied to an id that no describe-managed-prefix-lists / describe-prefix-lists record names
//! create that prefix list.
//!
//! # Tolerance
//!
//! A malformed document is an error with the input's name and the 1-based line and column in the
//! whole input; the documents before it are still read. Inside a well-formed document, a resource
//! with a missing or invalid field becomes a warning with its JSON path (e.g.
//! `SecurityGroups[2].IpPermissions[0].IpRanges[1].CidrIp`), and only that part is skipped: the
//! rule, route, address or entry, or the whole resource when its id is missing. Unknown fields are
//! ignored. The same resource given twice with the same content is silent; with different content
//! it is a warning naming both places, and the last one is used. A rule in both
//! describe-security-groups and describe-security-group-rules is one rule.
//!
//! # Interfaces in both describe-instances and describe-network-interfaces
//!
//! An ENI in both is one ENI. describe-network-interfaces' record is used for every field it gives
//! (an empty list counts as given); the copy nested in describe-instances only fills in what the
//! record lacks (a `--query` that trimmed it). So when the record gives every field the copy could
//! add (as the AWS CLI always prints it), the copy is not needed, and it is not read: a full load
//! only checks its JSON syntax and notes its id, and reads it at the end if no complete record for
//! that id turned up (documents come in any order). Consequences:
//!
//! - a problem inside a copy that is not needed (an invalid address, say) is not reported;
//! - warnings about copies that are read come after the other warnings, as they are read last;
//! - an instance's interfaces are ordered by the merged device index;
//! - a copy of the wrong *shape* (`"Groups": {}`) loses only that interface, with a warning, and
//!   only if it is needed. In the browser, where every list is read in full by `serde_json`, the
//!   wrong shape sends the document to the fallback pass, which skips the whole instance. This is
//!   the one difference between the two builds; on well-formed input they agree (`tests` checks
//!   it on every scenario, corpus network and a synthetic account).
//!
//! # Speed
//!
//! One pass, no `serde_json::Value`: the [`json`] reader (a `serde::Deserializer` that skips blanks
//! and unread values a block of bytes at a time and borrows every unescaped string) feeds a custom
//! top-level visitor that matches each key and walks its list
//! with a seed that deserializes one resource at a time into a borrowed raw struct (unknown fields
//! are skipped by the parser; leaves accept any JSON type, so a wrong type is reported by the
//! conversion rather than failing the parse), converts it to the model while it is still in cache,
//! and drops it. A document's resources are staged and committed when the document has parsed.
//! The interface lists nested in describe-instances are skipped, and read at the end of the load
//! only if needed (above).
//! Only a document the fast pass refuses is read again, by `serde_json`: a malformed one for its
//! message and position, and one whose *shape* is wrong (an object where a list belongs)
//! into a `Value`, resource by resource, to name and skip the bad ones. (The browser build uses
//! `serde_json` for the typed pass too: see [`typed_read`].)

mod convert;
mod decode;
mod json;
mod merge;
mod raw;
mod select;
mod stage;

use std::borrow::Cow;

use serde::de::IgnoredAny;

use crate::diag::{Diagnostic, Severity};
use crate::model::{Command, Id, Inventory};
use merge::Builder;
use raw::{is_silent_key, read_key, TopDoc, ValueReader};
use stage::DocOut;

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
pub fn load(inputs: &[Input<'_>]) -> Loaded {
    load_all(inputs, true)
}

/// [`load`]; `skip_nested`: let the fast reader skip the interfaces nested in describe-instances
/// (the result is the same either way: `tests` checks it).
fn load_all(inputs: &[Input<'_>], skip_nested: bool) -> Loaded {
    let mut loaded = Loaded::default();
    let mut b = Builder::default();
    // Kept to the end: nested interfaces the fast reader skipped are read from them if needed.
    let mut texts = Vec::new();
    for input in inputs {
        if let Some(text) = decode_input(input, &mut loaded) {
            b.input = texts.len();
            let mut sink = Sink::Commit {
                b: &mut b,
                skip_nested,
            };
            load_json(input.name, &text, &mut sink, &mut loaded);
            texts.push(text);
        }
    }
    let text_of: Vec<&str> = texts.iter().map(|t| t.as_ref()).collect();
    loaded.inventory = b.finish(&text_of, &mut loaded.diagnostics);
    loaded
}

/// Reads what a `check` of `target` (an instance id, ENI id or `Name` tag) needs: the same
/// inventory for that question as [`load`] gives, built from far less of a large input (see
/// `select`). Only what is read is validated beyond its JSON syntax, so warnings about resources
/// the question does not touch are left out, and a document's command counts are those of the
/// resources read.
pub fn load_for(inputs: &[Input<'_>], target: &str) -> Loaded {
    let mut loaded = Loaded::default();
    let mut texts = Vec::new();
    let mut pending = Vec::new();
    for input in inputs {
        if let Some(text) = decode_input(input, &mut loaded) {
            let k = texts.len();
            let mut sink = Sink::Defer {
                input: k,
                pending: &mut pending,
            };
            load_json(input.name, &text, &mut sink, &mut loaded);
            texts.push(text);
        }
    }
    let text_of: Vec<&str> = texts.iter().map(|t| t.as_ref()).collect();
    let mut wanted = select::Wanted {
        target: Id::from(target),
        ..Default::default()
    };
    let mut decided: Vec<&DocOut> = Vec::new();
    let mut skimmed: Vec<(usize, &mut select::SkimDoc)> = Vec::new();
    for p in pending.iter_mut() {
        match &mut p.doc {
            Deferred::Read(TopDoc::Object(out)) => decided.push(out),
            Deferred::Skimmed(doc) => skimmed.push((p.input, doc)),
            Deferred::Read(_) => {}
        }
    }
    if select::select(&text_of, &mut skimmed, &decided, &mut wanted).is_err() {
        // An element of the wrong shape: the full read names and skips its bad part.
        return load(inputs);
    }
    let mut b = Builder::default();
    for p in pending {
        handle_doc(p.doc.into_doc(), &p.source, &p.name, &mut b, &mut loaded);
    }
    loaded.inventory = b.finish(&text_of, &mut loaded.diagnostics);
    loaded
}

/// An input's text if it is JSON; anything else becomes a diagnostic or evidence text.
fn decode_input<'i>(input: &Input<'i>, loaded: &mut Loaded) -> Option<Cow<'i, str>> {
    let text = match decode::decode(input.bytes) {
        Ok(t) => t,
        Err(e) => {
            loaded.diagnostics.push(Diagnostic {
                severity: Severity::Error,
                source: input.name.to_owned(),
                line: e.line,
                column: e.column,
                path: None,
                message: e.message,
                help: Some(
                    "save the output as UTF-8 (or UTF-16 with a byte order mark)".to_owned(),
                ),
            });
            return None;
        }
    };
    if decode::looks_like_json(&text) {
        Some(text)
    } else {
        loaded
            .texts
            .push((input.name.to_owned(), decode::normalise_newlines(text)));
        None
    }
}

/// Where a read document goes: into the inventory at once, or kept, in order, for [`load_for`].
enum Sink<'s> {
    Commit {
        b: &'s mut Builder,
        /// See [`typed_read`].
        skip_nested: bool,
    },
    Defer {
        input: usize,
        pending: &'s mut Vec<Pending>,
    },
}

/// A document kept for [`load_for`].
struct Pending {
    input: usize,
    source: String,
    name: String,
    doc: Deferred,
}

enum Deferred {
    Read(TopDoc),
    Skimmed(Box<select::SkimDoc>),
}

impl Deferred {
    /// The document as read, a skimmed one with what was read of it.
    fn into_doc(self) -> TopDoc {
        match self {
            Deferred::Read(doc) => doc,
            Deferred::Skimmed(doc) => TopDoc::Object(Box::new(doc.out)),
        }
    }
}

impl Sink<'_> {
    fn emit(&mut self, doc: Deferred, source: &str, name: &str, loaded: &mut Loaded) {
        match self {
            Sink::Commit { b, .. } => handle_doc(doc.into_doc(), source, name, b, loaded),
            Sink::Defer { input, pending } => pending.push(Pending {
                input: *input,
                source: source.to_owned(),
                name: name.to_owned(),
                doc,
            }),
        }
    }
}

/// Reads the documents of one JSON input, stopping at the first syntax error.
///
/// Each document is read by the fast [`json`] reader. Should that fail, `serde_json` decides what
/// the document is: malformed (a syntax error with its line and column, a BOM between
/// concatenated files, or evidence text after the JSON), or well-formed with a wrong shape
/// somewhere, which [`fallback`] reads resource by resource.
fn load_json(name: &str, text: &str, sink: &mut Sink<'_>, loaded: &mut Loaded) {
    // A full load skips the interfaces nested in describe-instances (read later if needed); a
    // selective one needs them to follow references.
    let skip_nested = matches!(
        sink,
        Sink::Commit {
            skip_nested: true,
            ..
        }
    );
    let mut pos = 0;
    let mut count = 0;
    loop {
        let mut blanks = json::Reader::new(text, pos);
        blanks.skip_blanks();
        let start = blanks.offset();
        if start >= text.len() {
            return;
        }
        if let Sink::Defer { .. } = sink {
            if let Ok((doc, end)) = select::skim(text, start) {
                count += 1;
                let source = doc_name(name, text, count, end);
                sink.emit(Deferred::Skimmed(Box::new(doc)), &source, name, loaded);
                pos = end;
                continue;
            }
        }
        if let Some((doc, end)) = typed_read(text, start, skip_nested) {
            count += 1;
            let source = doc_name(name, text, count, end);
            sink.emit(Deferred::Read(doc), &source, name, loaded);
            pos = end;
            continue;
        }
        let rest = text.get(start..).unwrap_or_default();
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<IgnoredAny>();
        match stream.next() {
            None => return,
            Some(Ok(_)) => {
                // The document parses but its shape is wrong somewhere: read it again as a
                // value, resource by resource.
                match fallback(name, text, start, count + 1, sink, loaded) {
                    Some(end) => {
                        count += 1;
                        pos = end;
                    }
                    None => return,
                }
            }
            Some(Err(e)) => {
                // A BOM between concatenated files (`cat` of PowerShell output): skip it.
                if let Some(after) = rest.strip_prefix('\u{feff}') {
                    pos = text.len() - after.len();
                    continue;
                }
                // One paste holding JSON documents and then command output (`ss -ltnp`, flow
                // log lines): the rest is evidence text, not broken JSON.
                if count > 0 && !decode::looks_like_json(rest) {
                    loaded.texts.push((
                        format!("{name} (text after the JSON)"),
                        rest.trim_start().to_owned(),
                    ));
                    return;
                }
                loaded.diagnostics.push(syntax_error(name, text, start, &e));
                return;
            }
        }
    }
}

/// The typed pass over the document at `start`: the fast [`json`] reader natively; in the browser,
/// `serde_json` itself, whose parsing code the page needs anyway (for the fallback pass), so the
/// download does not carry a second parser's copy of every input type (about 32 KB gzipped).
///
/// With `skip_nested`, the fast reader skips the interface lists nested in describe-instances and
/// the document records where their elements are (see `raw::NestedEnis`).
fn typed_read(text: &str, start: usize, skip_nested: bool) -> Option<(TopDoc, usize)> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        if !skip_nested {
            return json::read_document::<TopDoc>(text, start).ok();
        }
        let (mut doc, end, spans) = json::read_document_with_spans::<TopDoc>(text, start).ok()?;
        if let TopDoc::Object(out) = &mut doc {
            out.resolve_spans(text, &spans);
        }
        Some((doc, end))
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = skip_nested;
        let rest = text.get(start..)?;
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<TopDoc>();
        let doc = stream.next()?.ok()?;
        Some((doc, start + stream.byte_offset()))
    }
}

/// `name`, or `name#n` when the input holds more than one document (anything but blanks after
/// the first one).
fn doc_name(name: &str, text: &str, n: usize, end_of_first: usize) -> String {
    if n == 1 && decode::only_space(text.get(end_of_first..).unwrap_or_default()) {
        name.to_owned()
    } else {
        format!("{name}#{n}")
    }
}

fn syntax_error(name: &str, text: &str, pos: usize, e: &serde_json::Error) -> Diagnostic {
    let rest = text.get(pos..).unwrap_or_default();
    let at = pos + decode::serde_offset(rest, e.line(), e.column());
    let (line, column) = decode::line_col(text, at);
    let what = e.to_string();
    // serde_json appends " at line L column C"; we give our own (whole-input, in characters).
    let what = what
        .rsplit_once(" at line ")
        .map_or(what.as_str(), |(m, _)| m)
        .to_owned();
    Diagnostic {
        severity: Severity::Error,
        source: name.to_owned(),
        line: Some(line),
        column: Some(column),
        path: None,
        message: format!("the JSON is malformed: {what}"),
        help: Some(
            "give the command's output exactly as printed; documents before this point were read"
                .to_owned(),
        ),
    }
}

/// Re-reads the document at `start` as a `serde_json::Value`, converts what it can, and returns
/// where the document ends (`None` after a syntax error, which is reported).
fn fallback(
    name: &str,
    text: &str,
    start: usize,
    n: usize,
    sink: &mut Sink<'_>,
    loaded: &mut Loaded,
) -> Option<usize> {
    let rest = text.get(start..).unwrap_or_default();
    let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
    let value = match stream.next()? {
        Ok(v) => v,
        Err(e) => {
            loaded.diagnostics.push(syntax_error(name, text, start, &e));
            return None;
        }
    };
    let end = start + stream.byte_offset();
    let source = doc_name(name, text, n, end);
    let map = match &value {
        serde_json::Value::Object(map) => map,
        // Only objects can fail the typed pass; a list or a value is named as such.
        serde_json::Value::Array(_) => {
            sink.emit(Deferred::Read(TopDoc::List), &source, name, loaded);
            return Some(end);
        }
        _ => {
            sink.emit(Deferred::Read(TopDoc::Scalar), &source, name, loaded);
            return Some(end);
        }
    };
    let mut out = DocOut::default();
    for (key, v) in map {
        let mut reader = ValueReader { key, value: v };
        match read_key(key, &mut reader, &mut out) {
            Ok(true) => {}
            Err(_) => out.failed_keys += 1,
            Ok(false) => {
                if !is_silent_key(key) {
                    out.unused.push(key.clone());
                }
            }
        }
    }
    sink.emit(
        Deferred::Read(TopDoc::Object(Box::new(out))),
        &source,
        name,
        loaded,
    );
    Some(end)
}

fn handle_doc(doc: TopDoc, source: &str, input_name: &str, b: &mut Builder, loaded: &mut Loaded) {
    let note = |message: String, help: &str| Diagnostic {
        severity: Severity::Note,
        source: source.to_owned(),
        line: None,
        column: None,
        path: None,
        message,
        help: Some(help.to_owned()),
    };
    let mut info = DocumentInfo {
        source: source.to_owned(),
        commands: Vec::new(),
        unused: Vec::new(),
    };
    match doc {
        TopDoc::Object(out) => {
            let mut out = *out;
            if out.prefix_list_id.is_some()
                && !out
                    .commands
                    .contains_key(&Command::GetManagedPrefixListEntries)
            {
                out.unused.push("PrefixListId".to_owned());
            }
            let mut unused = std::mem::take(&mut out.unused);
            unused.sort();
            unused.dedup();
            let failed = out.failed_keys;
            info.commands = out.commit(source, input_name, b, &mut loaded.diagnostics);
            if !unused.is_empty() {
                loaded.diagnostics.push(note(
                    format!("{} not used", key_list(&unused)),
                    "vpc-reach reads only the describe-* outputs its README lists; this data is ignored",
                ));
            } else if info.commands.is_empty() && failed == 0 {
                loaded.diagnostics.push(Diagnostic {
                    severity: Severity::Warning,
                    ..note(
                        "the document holds no describe-* output".to_owned(),
                        "give the JSON that `aws ec2 describe-…` prints",
                    )
                });
            }
            info.unused = unused;
        }
        TopDoc::List => loaded.diagnostics.push(note(
            "the document is a list, i.e. a `--query` projection, which vpc-reach cannot use"
                .to_owned(),
            "re-run the command without `--query`",
        )),
        TopDoc::Scalar => loaded.diagnostics.push(Diagnostic {
            severity: Severity::Warning,
            ..note(
                "the document is a single value, not describe-* output".to_owned(),
                "give the JSON that `aws ec2 describe-…` prints",
            )
        }),
    }
    loaded.documents.push(info);
}

/// "`A` is", "`A` and `B` are", "`A`, `B`, `C` and 4 more are".
fn key_list(keys: &[String]) -> String {
    let quoted: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    match quoted.as_slice() {
        [one] => format!("the top-level key {one} is"),
        [first @ .., last] if quoted.len() <= 4 => {
            format!("the top-level keys {} and {last} are", first.join(", "))
        }
        _ => format!(
            "the top-level keys {} and {} more are",
            quoted.get(..3).unwrap_or_default().join(", "),
            quoted.len() - 3
        ),
    }
}

#[cfg(test)]
mod tests;
