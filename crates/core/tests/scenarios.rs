//! The scenario corpus runner.
//!
//! Every folder in `tests/scenarios/` holds describe-* JSON exactly as `aws ec2 <command> --output json`
//! prints it, optionally evidence files (`*.txt`, `*.log`, `*.csv`: flow log records and command
//! output from the instance, exactly as printed), plus `expect.toml` with hand-derived expectations
//! (format: `tests/scenarios/README.md`). Adding a scenario is adding a folder: nothing here names
//! one.
//!
//! - `scenario_json_is_cli_output`, `scenario_evidence_is_saved_output` and
//!   `scenario_expectations_are_well_formed` check the corpus itself.
//! - `scenarios_match_engine` loads every file of a folder as one input each (as the CLI does), runs
//!   every check through `load` + `analyze` and reports every mismatch at once.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::fs;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use vpc_reach_core::net::{internet, Cidr, Family, IpSet};
use vpc_reach_core::{analyze, load, Input, Layer, Query, QueryProtocol, Report, Status, Verdict};

/// At least this many scenarios must exist (the corpus only grows).
const MIN_SCENARIOS: usize = 50;
/// Extensions of evidence files: loaded with the JSON, as non-JSON inputs.
const EVIDENCE_EXTENSIONS: [&str; 3] = ["txt", "log", "csv"];
/// Layers whose checks only come from evidence files (flow logs also from describe-flow-logs).
const EVIDENCE_LAYERS: [Layer; 4] = [
    Layer::FlowLogs,
    Layer::OsRoute,
    Layer::OsFirewall,
    Layer::Listening,
];
/// Rule numbers in `shared/docs/aws-semantics.md`.
const RULES: std::ops::RangeInclusive<u32> = 1..=31;

// ---- expect.toml ---------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectFile {
    description: String,
    rules: Vec<u32>,
    #[serde(rename = "check", default)]
    checks: Vec<ExpectCheck>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectCheck {
    instance: String,
    protocol: String,
    port: Option<u16>,
    icmp_type: Option<u8>,
    icmp_code: Option<u8>,
    source: Option<String>,
    address: Option<String>,
    verdict: String,
    exit_code: Option<i32>,
    blocking: Option<Vec<String>>,
    reachable_from: Option<Vec<String>>,
    #[serde(default)]
    layers: BTreeMap<String, String>,
    #[serde(default)]
    summary_contains: BTreeMap<String, Vec<String>>,
}

/// One check, validated: the query to run and what must come out.
#[derive(Debug)]
struct Case {
    label: String,
    query: Query,
    verdict: Verdict,
    exit_code: Option<i32>,
    blocking: Option<BTreeSet<Layer>>,
    reachable_from: Option<Vec<Cidr>>,
    layers: BTreeMap<Layer, Status>,
    /// Text each listed layer's summary must contain.
    summary_contains: BTreeMap<Layer, Vec<String>>,
}

struct Scenario {
    name: String,
    dir: PathBuf,
    /// `(file name, bytes)` of every `.json` file, sorted by name.
    json: Vec<(String, Vec<u8>)>,
    /// `(file name, bytes)` of every evidence file, sorted by name.
    evidence: Vec<(String, Vec<u8>)>,
}

impl Scenario {
    /// Every file as the CLI would pass it: one input each, JSON first.
    fn inputs(&self) -> Vec<Input<'_>> {
        self.json
            .iter()
            .chain(&self.evidence)
            .map(|(name, bytes)| Input { name, bytes })
            .collect()
    }
}

/// `(file name, bytes)` of the files in `dir` whose extension is one of `exts`, sorted by name.
fn files_with(dir: &Path, exts: &[&str]) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| exts.iter().any(|e| x == *e)))
        .map(|p| {
            let file = p.file_name().unwrap().to_string_lossy().into_owned();
            (file, fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios")
}

fn scenarios() -> Vec<Scenario> {
    let root = corpus_dir();
    let entries = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot read the scenario corpus {}: {e}", root.display()));
    let mut dirs: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let json = files_with(&dir, &["json"]);
            let evidence = files_with(&dir, &EVIDENCE_EXTENSIONS);
            Scenario {
                name,
                dir,
                json,
                evidence,
            }
        })
        .collect()
}

fn read_expect(s: &Scenario) -> Result<ExpectFile, String> {
    let path = s.dir.join("expect.toml");
    let text = fs::read_to_string(&path).map_err(|e| format!("cannot read expect.toml: {e}"))?;
    toml::from_str(&text).map_err(|e| format!("expect.toml: {e}"))
}

/// Every scenario with its parsed expect.toml; unreadable files become problems.
fn with_expectations(all: &[Scenario]) -> (Vec<(&Scenario, ExpectFile)>, Vec<String>) {
    let mut ok = Vec::new();
    let mut problems = Vec::new();
    for s in all {
        match read_expect(s) {
            Ok(e) => ok.push((s, e)),
            Err(e) => problems.push(format!("{}: {e}", s.name)),
        }
    }
    (ok, problems)
}

/// The value among `all` whose `name` is `s`.
fn by_name<T: Copy>(
    all: &[T],
    name: fn(T) -> &'static str,
    s: &str,
    what: &str,
) -> Result<T, String> {
    all.iter()
        .copied()
        .find(|v| name(*v) == s)
        .ok_or_else(|| format!("unknown {what} `{s}`"))
}

fn parse_verdict(s: &str) -> Result<Verdict, String> {
    use Verdict::*;
    by_name(
        &[Reachable, Partial, Blocked, Unknown],
        Verdict::name,
        s,
        "verdict",
    )
}

fn parse_status(s: &str) -> Result<Status, String> {
    use Status::*;
    let all = [Pass, Warn, Fail, Unknown, NotApplicable];
    by_name(&all, Status::name, s, "layer status")
}

fn parse_layer(s: &str) -> Result<Layer, String> {
    Layer::parse(s).ok_or_else(|| format!("`{s}` is not a layer"))
}

/// A CIDR written in canonical form (host bits clear), or a bare address when `bare_ok`.
fn parse_cidr(s: &str, bare_ok: bool) -> Result<Cidr, String> {
    let c = Cidr::parse(s).map_err(|e| e.to_string())?;
    let canonical = c.to_string();
    if canonical == s || (bare_ok && !s.contains('/') && s.parse::<IpAddr>().is_ok()) {
        Ok(c)
    } else {
        Err(format!("`{s}` is not canonical: write `{canonical}`"))
    }
}

fn to_case(i: usize, c: &ExpectCheck) -> Result<Case, String> {
    let protocol = match (c.protocol.as_str(), c.port, c.icmp_type, c.icmp_code) {
        ("tcp", Some(port), None, None) => QueryProtocol::Tcp { port },
        ("udp", Some(port), None, None) => QueryProtocol::Udp { port },
        ("icmp", None, Some(icmp_type), code) => QueryProtocol::Icmp { icmp_type, code },
        ("all", None, None, None) => QueryProtocol::All,
        (p, ..) => {
            return Err(format!(
                "protocol `{p}` needs: tcp/udp a `port`, icmp an `icmp_type` (and optional `icmp_code`), all neither"
            ))
        }
    };
    let source = c
        .source
        .as_deref()
        .map(|s| parse_cidr(s, true))
        .transpose()?;
    let address = c
        .address
        .as_deref()
        .map(|a| {
            a.parse::<IpAddr>()
                .map_err(|e| format!("address `{a}`: {e}"))
        })
        .transpose()?;
    let verdict = parse_verdict(&c.verdict)?;
    let blocking = c
        .blocking
        .as_ref()
        .map(|b| {
            b.iter()
                .map(|l| parse_layer(l))
                .collect::<Result<BTreeSet<_>, _>>()
        })
        .transpose()?;
    let reachable_from = c
        .reachable_from
        .as_ref()
        .map(|r| {
            let mut v = r
                .iter()
                .map(|s| parse_cidr(s, false))
                .collect::<Result<Vec<_>, _>>()?;
            v.sort();
            Ok::<_, String>(v)
        })
        .transpose()?;
    let layers = c
        .layers
        .iter()
        .map(|(l, s)| Ok((parse_layer(l)?, parse_status(s)?)))
        .collect::<Result<BTreeMap<_, _>, String>>()?;
    let summary_contains = c
        .summary_contains
        .iter()
        .map(|(l, texts)| {
            if texts.is_empty() || texts.iter().any(|t| t.trim().is_empty()) {
                return Err(format!("`summary_contains.{l}` must list non-empty texts"));
            }
            Ok((parse_layer(l)?, texts.clone()))
        })
        .collect::<Result<BTreeMap<_, _>, String>>()?;
    let mut label = format!("check #{} ({} {protocol}", i + 1, c.instance);
    if let Some(s) = source {
        let _ = write!(label, " from {s}");
    }
    if let Some(a) = address {
        let _ = write!(label, " to {a}");
    }
    label.push(')');
    Ok(Case {
        label,
        query: Query {
            target: c.instance.clone(),
            protocol,
            source,
            address,
        },
        verdict,
        exit_code: c.exit_code,
        blocking,
        reachable_from,
        layers,
        summary_contains,
    })
}

/// The sources a query asks about: `source`, else the internet of the address family.
fn queried_sources(q: &Query) -> IpSet {
    match q.source {
        Some(c) => c.to_set(),
        None => match q.address {
            Some(IpAddr::V6(_)) => internet(Family::Ipv6),
            _ => internet(Family::Ipv4),
        },
    }
}

/// Rules an expectation must obey on its own, whatever the engine says.
fn consistency(case: &Case) -> Vec<String> {
    let mut errs = Vec::new();
    if let Some(code) = case.exit_code {
        if code != case.verdict.exit_code() {
            errs.push(format!(
                "exit_code {code} does not match verdict `{}` (exit {})",
                case.verdict.name(),
                case.verdict.exit_code()
            ));
        }
    }
    let fails: BTreeSet<Layer> = case
        .layers
        .iter()
        .filter(|(_, s)| **s == Status::Fail)
        .map(|(l, _)| *l)
        .collect();
    if let Some(b) = &case.blocking {
        if case.verdict == Verdict::Blocked && b.is_empty() {
            errs.push("verdict `blocked` with an empty `blocking`".into());
        }
        if case.verdict != Verdict::Blocked && !b.is_empty() {
            errs.push(format!(
                "verdict `{}` cannot have blocking layers",
                case.verdict.name()
            ));
        }
        if !fails.is_subset(b) {
            errs.push("a layer marked `fail` is missing from `blocking`".into());
        }
        for l in b {
            if case.layers.get(l).is_some_and(|s| *s != Status::Fail) {
                errs.push(format!(
                    "`{l}` is blocking but its layer status is not `fail`"
                ));
            }
        }
    } else if case.verdict != Verdict::Blocked && !fails.is_empty() {
        errs.push("a layer marked `fail` with a verdict other than `blocked`".into());
    }
    if let Some(r) = &case.reachable_from {
        let set = IpSet::from_cidrs(r);
        if set.to_cidrs() != *r {
            errs.push("`reachable_from` is not the minimal CIDR list of its addresses".into());
        }
        let queried = queried_sources(&case.query);
        match case.verdict {
            Verdict::Blocked if !r.is_empty() => {
                errs.push("verdict `blocked` with a non-empty `reachable_from`".into())
            }
            Verdict::Reachable if set != queried => errs.push(
                "verdict `reachable` but `reachable_from` is not every queried source".into(),
            ),
            Verdict::Partial if !set.is_subset(&queried) || set == queried => errs.push(
                "verdict `partial` but `reachable_from` is not a strict subset of the queried sources"
                    .into(),
            ),
            _ => {}
        }
    }
    errs
}

/// Evidence layers a check names (in `layers`, `blocking` or `summary_contains`) whose input is not
/// in the folder: such a check could never appear in the report.
fn missing_evidence(s: &Scenario, case: &Case) -> Vec<String> {
    let named: BTreeSet<Layer> = case
        .layers
        .keys()
        .chain(case.summary_contains.keys())
        .chain(case.blocking.iter().flatten())
        .copied()
        .filter(|l| EVIDENCE_LAYERS.contains(l))
        .collect();
    let flow_logs_described = s.json.iter().any(|(f, _)| f == "describe-flow-logs.json");
    named
        .into_iter()
        .filter(|l| s.evidence.is_empty() && !(*l == Layer::FlowLogs && flow_logs_described))
        .map(|l| {
            format!(
                "layer `{l}` needs an evidence file (`.{}`) in the folder",
                EVIDENCE_EXTENSIONS.join("`, `.")
            )
        })
        .collect()
}

// ---- describe-instances: which targets and addresses exist --------------------------------------

/// For each way to name a target (instance id, ENI id, Name tag): the public addresses behind it.
fn targets(s: &Scenario) -> Result<BTreeMap<String, BTreeSet<IpAddr>>, String> {
    let (_, bytes) = s
        .json
        .iter()
        .find(|(f, _)| f == "describe-instances.json")
        .ok_or("no describe-instances.json")?;
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let mut out: BTreeMap<String, BTreeSet<IpAddr>> = BTreeMap::new();
    let empty = Vec::new();
    let arr = |v: &Value, k: &str| v.get(k).and_then(Value::as_array).unwrap_or(&empty).clone();
    for r in arr(&doc, "Reservations") {
        for inst in arr(&r, "Instances") {
            let mut all = BTreeSet::new();
            for eni in arr(&inst, "NetworkInterfaces") {
                let mut addrs = BTreeSet::new();
                for p in arr(&eni, "PrivateIpAddresses") {
                    if let Some(ip) = p.pointer("/Association/PublicIp").and_then(Value::as_str) {
                        addrs.insert(ip.parse::<IpAddr>().map_err(|e| e.to_string())?);
                    }
                }
                for a in arr(&eni, "Ipv6Addresses") {
                    if let Some(ip) = a.get("Ipv6Address").and_then(Value::as_str) {
                        addrs.insert(ip.parse::<IpAddr>().map_err(|e| e.to_string())?);
                    }
                }
                if let Some(id) = eni.get("NetworkInterfaceId").and_then(Value::as_str) {
                    out.entry(id.to_owned())
                        .or_default()
                        .extend(addrs.iter().copied());
                }
                all.extend(addrs);
            }
            if let Some(ip) = inst.get("PublicIpAddress").and_then(Value::as_str) {
                all.insert(ip.parse::<IpAddr>().map_err(|e| e.to_string())?);
            }
            let id = inst
                .get("InstanceId")
                .and_then(Value::as_str)
                .ok_or("an instance without InstanceId")?;
            out.entry(id.to_owned())
                .or_default()
                .extend(all.iter().copied());
            for t in arr(&inst, "Tags") {
                if t.get("Key").and_then(Value::as_str) == Some("Name") {
                    if let Some(name) = t.get("Value").and_then(Value::as_str) {
                        out.entry(name.to_owned())
                            .or_default()
                            .extend(all.iter().copied());
                    }
                }
            }
        }
    }
    Ok(out)
}

// ---- the tests ------------------------------------------------------------------------------------

fn fail_with(title: &str, problems: &[String]) {
    if !problems.is_empty() {
        panic!("{title}:\n  {}\n", problems.join("\n  "));
    }
}

#[test]
fn scenario_json_is_cli_output() {
    let all = scenarios();
    let mut problems = Vec::new();
    for s in &all {
        if s.json.is_empty() {
            problems.push(format!("{}: no .json files", s.name));
        }
        for (file, bytes) in &s.json {
            let at = format!("{}/{file}", s.name);
            if let Err(e) = serde_json::from_slice::<Value>(bytes) {
                problems.push(format!("{at}: invalid JSON: {e}"));
                continue;
            }
            let Ok(text) = std::str::from_utf8(bytes) else {
                problems.push(format!("{at}: not UTF-8"));
                continue;
            };
            if !text.ends_with("}\n") {
                problems.push(format!(
                    "{at}: must end with `}}` and a newline, as the CLI prints it"
                ));
            }
            for (n, line) in text.lines().enumerate() {
                let indent = line.len() - line.trim_start_matches(' ').len();
                if line.contains('\t') || indent % 4 != 0 || line.ends_with(' ') {
                    problems.push(format!(
                        "{at}:{}: not the CLI's 4-space indentation (tab, odd indent or trailing space)",
                        n + 1
                    ));
                    break;
                }
            }
        }
    }
    fail_with("scenario JSON problems", &problems);
}

/// Evidence files are terminal output or flow log files as saved: UTF-8 text ending with a newline.
#[test]
fn scenario_evidence_is_saved_output() {
    let mut problems = Vec::new();
    for s in &scenarios() {
        for (file, bytes) in &s.evidence {
            let at = format!("{}/{file}", s.name);
            match std::str::from_utf8(bytes) {
                Err(e) => problems.push(format!("{at}: not UTF-8: {e}")),
                Ok(text) if text.trim().is_empty() => problems.push(format!("{at}: empty")),
                Ok(text) if !text.ends_with('\n') => problems.push(format!(
                    "{at}: must end with a newline, as saved output does"
                )),
                Ok(_) => {}
            }
        }
    }
    fail_with("scenario evidence problems", &problems);
}

#[test]
fn scenario_expectations_are_well_formed() {
    let all = scenarios();
    assert!(
        all.len() >= MIN_SCENARIOS,
        "the corpus has {} scenarios, expected at least {MIN_SCENARIOS}",
        all.len()
    );
    let (scenarios, mut problems) = with_expectations(&all);
    for (s, expect) in scenarios {
        let desc = expect.description.trim();
        if desc.is_empty() || desc.contains('\n') {
            problems.push(format!(
                "{}: `description` must be one non-empty line",
                s.name
            ));
        }
        if expect.rules.is_empty() || expect.rules.iter().any(|r| !RULES.contains(r)) {
            problems.push(format!(
                "{}: `rules` must list aws-semantics.md rule numbers {}..={}",
                s.name,
                RULES.start(),
                RULES.end()
            ));
        }
        if expect.checks.is_empty() {
            problems.push(format!("{}: no [[check]]", s.name));
        }
        let known = match targets(s) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{}: describe-instances.json: {e}", s.name));
                continue;
            }
        };
        for (i, c) in expect.checks.iter().enumerate() {
            let case = match to_case(i, c) {
                Ok(case) => case,
                Err(e) => {
                    problems.push(format!("{} check #{}: {e}", s.name, i + 1));
                    continue;
                }
            };
            match known.get(&c.instance) {
                None => problems.push(format!(
                    "{} {}: `{}` is not an instance id, ENI id or Name tag in describe-instances.json",
                    s.name, case.label, c.instance
                )),
                Some(addrs) => {
                    if let Some(a) = case.query.address {
                        if !addrs.contains(&a) {
                            problems.push(format!(
                                "{} {}: address `{a}` is not a public address of `{}`",
                                s.name, case.label, c.instance
                            ));
                        }
                    }
                }
            }
            for e in consistency(&case)
                .into_iter()
                .chain(missing_evidence(s, &case))
            {
                problems.push(format!("{} {}: {e}", s.name, case.label));
            }
        }
    }
    fail_with("malformed expectations", &problems);
}

/// One disagreement between an expectation and the engine.
struct Mismatch {
    scenario: String,
    check: String,
    field: String,
    expected: String,
    got: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}: expected {}, got {}",
            self.scenario, self.check, self.field, self.expected, self.got
        )
    }
}

fn layer_list(ls: impl IntoIterator<Item = Layer>) -> String {
    let v: Vec<&str> = ls.into_iter().map(Layer::name).collect();
    format!("[{}]", v.join(", "))
}

fn cidr_list(cs: &[Cidr]) -> String {
    const SHOWN: usize = 8;
    let mut v: Vec<String> = cs.iter().take(SHOWN).map(Cidr::to_string).collect();
    if cs.len() > SHOWN {
        v.push(format!("… {} more", cs.len() - SHOWN));
    }
    format!("[{}]", v.join(", "))
}

fn compare(case: &Case, report: &Report) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    if report.verdict != case.verdict {
        out.push((
            "verdict".into(),
            case.verdict.name().into(),
            report.verdict.name().into(),
        ));
    }
    if let Some(code) = case.exit_code {
        if report.verdict.exit_code() != code {
            out.push((
                "exit_code".into(),
                code.to_string(),
                report.verdict.exit_code().to_string(),
            ));
        }
    }
    if let Some(b) = &case.blocking {
        let got: BTreeSet<Layer> = report.blocking.iter().copied().collect();
        if got != *b {
            out.push((
                "blocking".into(),
                layer_list(b.iter().copied()),
                layer_list(got),
            ));
        }
    }
    if let Some(r) = &case.reachable_from {
        let mut got = report.reachable_from.clone();
        got.sort();
        if got != *r {
            let missing: Vec<Cidr> = r.iter().filter(|c| !got.contains(c)).copied().collect();
            let extra: Vec<Cidr> = got.iter().filter(|c| !r.contains(c)).copied().collect();
            out.push((
                "reachable_from".into(),
                cidr_list(r),
                format!(
                    "{} (missing {}, unexpected {})",
                    cidr_list(&got),
                    cidr_list(&missing),
                    cidr_list(&extra)
                ),
            ));
        }
    }
    for (layer, texts) in &case.summary_contains {
        let summary = report
            .checks
            .iter()
            .find(|c| c.layer == *layer)
            .map(|c| c.summary.as_str());
        for text in texts {
            match summary {
                Some(s) if s.contains(text.as_str()) => {}
                got => out.push((
                    format!("summary of {layer}"),
                    format!("a text containing `{text}`"),
                    got.map_or("no such check in the report".into(), |s| format!("`{s}`")),
                )),
            }
        }
    }
    for (layer, want) in &case.layers {
        let got = report
            .checks
            .iter()
            .find(|c| c.layer == *layer)
            .map(|c| c.status);
        if got != Some(*want) {
            out.push((
                format!("layer {layer}"),
                want.name().into(),
                got.map_or("no such check in the report", Status::name)
                    .into(),
            ));
        }
    }
    out
}

#[test]
fn scenarios_match_engine() {
    let all = scenarios();
    let mut mismatches = Vec::new();
    let (scenarios, mut problems) = with_expectations(&all);
    let mut total = 0usize;
    for (s, expect) in scenarios {
        let loaded = load(&s.inputs());
        for (i, c) in expect.checks.iter().enumerate() {
            total += 1;
            let case = match to_case(i, c) {
                Ok(case) => case,
                Err(e) => {
                    problems.push(format!("{} check #{}: {e}", s.name, i + 1));
                    continue;
                }
            };
            let push = |field: String, expected: String, got: String, m: &mut Vec<Mismatch>| {
                m.push(Mismatch {
                    scenario: s.name.clone(),
                    check: case.label.clone(),
                    field,
                    expected,
                    got,
                })
            };
            match analyze(&loaded, &case.query) {
                Err(e) => push(
                    "analyze".into(),
                    "a report".into(),
                    format!("error: {e}"),
                    &mut mismatches,
                ),
                Ok(report) => {
                    for (field, expected, got) in compare(&case, &report) {
                        push(field, expected, got, &mut mismatches);
                    }
                    for w in evidence_warnings(s, &report) {
                        push(
                            "warnings".into(),
                            "every evidence file recognised and every line understood".into(),
                            w,
                            &mut mismatches,
                        );
                    }
                }
            }
        }
    }
    fail_with("unreadable expectations", &problems);
    if !mismatches.is_empty() {
        let failing: BTreeSet<(&str, &str)> = mismatches
            .iter()
            .map(|m| (m.scenario.as_str(), m.check.as_str()))
            .collect();
        let lines: Vec<String> = mismatches.iter().map(ToString::to_string).collect();
        panic!(
            "{} of {total} checks in {} scenarios disagree with the engine ({} mismatches):\n  {}\n",
            failing.len(),
            all.len(),
            mismatches.len(),
            lines.join("\n  ")
        );
    }
}

/// Warnings and notes of the report about the scenario's evidence files (not recognised, lines
/// skipped): an evidence file must be read whole, or its checks prove nothing.
fn evidence_warnings(s: &Scenario, report: &Report) -> Vec<String> {
    report
        .warnings
        .iter()
        .filter(|w| {
            let source = w.split_once(": ").map_or("", |(_, rest)| rest);
            s.evidence.iter().any(|(f, _)| {
                source
                    .strip_prefix(f.as_str())
                    .is_some_and(|r| r.starts_with(':'))
            })
        })
        .cloned()
        .collect()
}

/// The comparison itself: a report equal to the expectation gives no mismatch, and each differing
/// field is named once.
#[test]
fn compare_names_each_differing_field() {
    let check = ExpectCheck {
        instance: "i-0a1b2c3d4e5f60718".into(),
        protocol: "tcp".into(),
        port: Some(22),
        icmp_type: None,
        icmp_code: None,
        source: None,
        address: None,
        verdict: "partial".into(),
        exit_code: Some(3),
        blocking: Some(vec![]),
        reachable_from: Some(vec!["203.0.113.0/24".into()]),
        layers: BTreeMap::from([("security_group".into(), "warn".into())]),
        summary_contains: BTreeMap::from([(
            "security_group".into(),
            vec!["admits `203.0.113.0/24`".into()],
        )]),
    };
    let case = to_case(0, &check).unwrap();
    let layer = |status| vpc_reach_core::Check {
        layer: Layer::SecurityGroup,
        status,
        summary: "web-sg admits `203.0.113.0/24`".into(),
        evidence: Vec::new(),
        fix: None,
    };
    let mut report = Report {
        verdict: Verdict::Partial,
        query: case.query.clone(),
        target: Default::default(),
        sources: Vec::new(),
        blocking: Vec::new(),
        checks: vec![layer(Status::Warn)],
        reachable_from: vec![Cidr::parse("203.0.113.0/24").unwrap()],
        partially_reachable_from: Vec::new(),
        assumptions: Vec::new(),
        warnings: Vec::new(),
    };
    assert!(compare(&case, &report).is_empty());
    report.verdict = Verdict::Blocked;
    report.blocking = vec![Layer::SecurityGroup];
    report.checks = vec![layer(Status::Fail)];
    report.checks[0].summary = "web-sg admits no source".into();
    report.reachable_from.clear();
    let fields: Vec<String> = compare(&case, &report).into_iter().map(|m| m.0).collect();
    assert_eq!(
        fields,
        [
            "verdict",
            "exit_code",
            "blocking",
            "reachable_from",
            "summary of security_group",
            "layer security_group"
        ]
    );
}

/// Without route tables the survey cannot lean on the return route, so the internet gateway layer
/// alone must keep a VPC whose gateway is detached closed: its address is listed as undecided
/// (`route_table` unknown) with nothing open, while with the gateway attached the open services are
/// listed (and still marked undecided).
#[test]
fn exposure_without_route_tables_still_needs_an_attached_gateway() {
    for (scenario, opens) in [("igw-detached", false), ("missing-route-tables", true)] {
        let files: Vec<(String, Vec<u8>)> = files_with(&corpus_dir().join(scenario), &["json"])
            .into_iter()
            .filter(|(name, _)| name != "describe-route-tables.json")
            .collect();
        let inputs: Vec<Input> = files
            .iter()
            .map(|(name, bytes)| Input { name, bytes })
            .collect();
        let report = vpc_reach_core::exposure(&load(&inputs).inventory);
        let [e] = report.exposures.as_slice() else {
            panic!(
                "{scenario}: one exposed address expected, got {:#?}",
                report.exposures
            );
        };
        assert_eq!(e.unknown, ["route_table"], "{scenario}: {e:#?}");
        assert_eq!(!e.open.is_empty(), opens, "{scenario}: {e:#?}");
    }
}

/// An interface without an instance whose id is also an instance's `Name` tag: the one case where
/// the survey leaves its shortcut and resolves the interface as `check` does. It is still listed,
/// with what `check` finds open on it.
#[test]
fn exposure_resolves_an_unattached_interface_named_like_an_instance() {
    let loose = "eni-0f96064da206bcadb";
    let mut files = files_with(&corpus_dir().join("several-enis"), &["json"]);
    for (name, bytes) in &mut files {
        let mut doc: Value = serde_json::from_slice(bytes).unwrap();
        match name.as_str() {
            "describe-network-interfaces.json" => {
                for eni in doc["NetworkInterfaces"].as_array_mut().unwrap() {
                    if eni["NetworkInterfaceId"] == loose {
                        eni.as_object_mut().unwrap().remove("Attachment");
                    }
                }
            }
            "describe-instances.json" => {
                for r in doc["Reservations"].as_array_mut().unwrap() {
                    for i in r["Instances"].as_array_mut().unwrap() {
                        let nested = i["NetworkInterfaces"].as_array_mut().unwrap();
                        nested.retain(|e| e["NetworkInterfaceId"] != loose);
                        i["Tags"] = serde_json::json!([{ "Key": "Name", "Value": loose }]);
                    }
                }
            }
            _ => continue,
        }
        *bytes = serde_json::to_vec(&doc).unwrap();
    }
    let inputs: Vec<Input> = files
        .iter()
        .map(|(name, bytes)| Input { name, bytes })
        .collect();
    let inv = load(&inputs).inventory;
    assert!(inv.enis[loose].instance_id.is_none());
    let report = vpc_reach_core::exposure(&inv);
    let e = report
        .exposures
        .iter()
        .find(|e| e.eni_id == loose)
        .unwrap_or_else(|| panic!("{loose} not listed: {:#?}", report.exposures));
    let tcp = e
        .open
        .iter()
        .find(|s| s.protocol == "tcp")
        .expect("a tcp opening");
    let port = tcp.ports.unwrap().from();
    let q = Query {
        target: loose.to_owned(),
        protocol: QueryProtocol::Tcp { port },
        source: None,
        address: Some(e.address),
    };
    let checked = vpc_reach_core::check(&inv, &q).unwrap();
    assert_eq!(
        checked.reachable_from,
        tcp.sources.to_vec(),
        "{e:#?}\n{checked:#?}"
    );
}
