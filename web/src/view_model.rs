//! Presentation helpers: how a report is laid out on the page. Nothing here decides reachability;
//! it groups, orders, filters and words what the core returned.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use vpc_reach_core::diag::{Diagnostic, Severity};
use vpc_reach_core::net::Cidr;
use vpc_reach_core::report::{ExposureReport, Layer, Report, Status, Verdict};

use crate::protocol::{CheckData, InstanceSummary, ReportData};

/// The text mark and word shown beside a status colour (colour is never the only signal).
pub fn status_mark(s: Status) -> (&'static str, &'static str) {
    match s {
        Status::Pass => ("✓", "passes"),
        Status::Warn => ("!", "partly"),
        Status::Fail => ("✗", "blocks"),
        Status::Unknown => ("?", "unknown"),
        Status::NotApplicable => ("–", "not applicable"),
    }
}

/// CSS class for a status colour.
pub fn status_class(s: Option<Status>) -> &'static str {
    match s {
        Some(Status::Pass) => "st-pass",
        Some(Status::Warn) => "st-warn",
        Some(Status::Fail) => "st-fail",
        Some(Status::Unknown) => "st-unknown",
        Some(Status::NotApplicable) | None => "st-none",
    }
}

pub fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Reachable => "st-pass",
        Verdict::Partial => "st-warn",
        Verdict::Blocked => "st-fail",
        Verdict::Unknown => "st-unknown",
    }
}

/// One box of the path diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hop {
    pub label: &'static str,
    /// The report layers that decide this hop (empty for the internet end points).
    pub layers: &'static [Layer],
    /// Shown instead of a status when the hop has no layer of its own.
    pub note: Option<&'static str>,
}

const GATEWAY: &[Layer] = &[Layer::InternetGateway, Layer::BlockPublicAccess];
const INSTANCE: &[Layer] = &[
    Layer::InstanceState,
    Layer::StatusChecks,
    Layer::OsRoute,
    Layer::OsFirewall,
    Layer::Listening,
];

const fn hop(label: &'static str, layers: &'static [Layer]) -> Hop {
    Hop {
        label,
        layers,
        note: None,
    }
}

/// A hop without a layer of its own, showing `note` instead of a status.
const fn noted(label: &'static str, note: &'static str) -> Hop {
    Hop {
        label,
        layers: &[],
        note: Some(note),
    }
}

const CLIENT: Hop = noted("Internet", "client");
const IGW: Hop = hop("Internet gateway", GATEWAY);
const ROUTES: Hop = hop("Route table", &[Layer::RouteTable]);
const ENI: Hop = hop("ENI / public IP", &[Layer::PublicIp]);

/// Internet → internet gateway → route table → network ACL in → security groups → ENI → instance.
pub const FORWARD: [Hop; 7] = [
    CLIENT,
    IGW,
    ROUTES,
    hop("Network ACL in", &[Layer::NetworkAclInbound]),
    hop("Security groups", &[Layer::SecurityGroup]),
    ENI,
    hop("Instance", INSTANCE),
];

/// The reply, right to left: ENI → security groups (stateful) → network ACL out → route table →
/// internet gateway → internet. Index 0 is the internet end.
pub const REPLY: [Hop; 6] = [
    CLIENT,
    IGW,
    ROUTES,
    hop("Network ACL out", &[Layer::NetworkAclOutbound]),
    noted("Security groups", "stateful"),
    ENI,
];

/// How bad a status is, for showing a hop with several layers by its worst one.
fn severity(s: Status) -> u8 {
    match s {
        Status::Fail => 4,
        Status::Warn => 3,
        Status::Unknown => 2,
        Status::Pass => 1,
        Status::NotApplicable => 0,
    }
}

/// The checks of the report that belong to `hop`, in the hop's layer order.
pub fn hop_checks<'a>(report: &'a ReportData, hop: &Hop) -> Vec<&'a CheckData> {
    hop.layers
        .iter()
        .filter_map(|l| report.checks.iter().find(|c| c.layer == *l))
        .collect()
}

/// The worst status among the hop's checks; `None` when the report has none of its layers.
pub fn hop_status(report: &ReportData, hop: &Hop) -> Option<Status> {
    hop_checks(report, hop)
        .into_iter()
        .map(|c| c.status)
        .max_by_key(|s| severity(*s))
}

/// The banner's sentence under the verdict name.
pub fn verdict_sentence(r: &ReportData) -> String {
    let what = format!("{} to {}", r.protocol, r.target);
    let from = match &r.source {
        Some(c) => format!("from {c}"),
        None => "from the internet".to_owned(),
    };
    match r.verdict {
        Verdict::Reachable => format!("{what} is open {from}."),
        Verdict::Partial => format!(
            "{what} works only for some sources or client systems {from}; see who can connect below."
        ),
        Verdict::Blocked => {
            let titles: Vec<&str> = r.blocking.iter().map(|l| l.title()).collect();
            if titles.is_empty() {
                format!("{what} is blocked {from}.")
            } else {
                format!(
                    "{what} is blocked {from} by {} layer{}: {}.",
                    titles.len(),
                    if titles.len() == 1 { "" } else { "s" },
                    titles.join(", ")
                )
            }
        }
        Verdict::Unknown => format!(
            "Cannot tell whether {what} is open {from}: some data is missing (see the layers marked ?)."
        ),
    }
}

/// `web-b (i-0abc…, 203.0.113.45)`, or the query's target when the report names no instance.
pub fn target_label(r: &Report) -> String {
    let t = &r.target;
    let id = t
        .instance_id
        .clone()
        .or_else(|| t.eni_id.clone())
        .unwrap_or_else(|| r.query.target.clone());
    let mut inner = vec![];
    if t.name.is_some() {
        inner.push(id.clone());
    }
    if let Some(a) = t.address {
        inner.push(a.to_string());
    }
    let head = t.name.clone().unwrap_or(id);
    if inner.is_empty() {
        head
    } else {
        format!("{head} ({})", inner.join(", "))
    }
}

/// `file.json:3:14 at Path[0]`.
pub fn diag_location(d: &Diagnostic) -> String {
    let mut s = d.source.clone();
    if let (Some(l), Some(c)) = (d.line, d.column) {
        s.push_str(&format!(":{l}:{c}"));
    } else if let Some(l) = d.line {
        s.push_str(&format!(":{l}"));
    }
    if let Some(p) = &d.path {
        s.push_str(" at ");
        s.push_str(p);
    }
    s
}

pub fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// Instances whose id, Name tag, state or any address contains `filter` (ignoring ASCII case;
/// full Unicode case folding would add its tables to the wasm).
pub fn filter_instances<'a>(list: &'a [InstanceSummary], filter: &str) -> Vec<&'a InstanceSummary> {
    let f = filter.trim().to_ascii_lowercase();
    list.iter()
        .filter(|i| {
            f.is_empty()
                || i.id.to_ascii_lowercase().contains(&f)
                || i.name
                    .as_deref()
                    .is_some_and(|n| n.to_ascii_lowercase().contains(&f))
                || i.state.to_ascii_lowercase().contains(&f)
                || i.private_ips
                    .iter()
                    .chain(&i.public_ips)
                    .any(|ip| ip.contains(&f))
        })
        .collect()
}

/// The picker's one-line description of an instance.
pub fn instance_label(i: &InstanceSummary) -> String {
    let mut s = match &i.name {
        Some(n) => format!("{n} — {}", i.id),
        None => i.id.clone(),
    };
    s.push_str(&format!(" — {}", i.state));
    let ips: Vec<String> = i
        .public_ips
        .iter()
        .map(|ip| format!("public {ip}"))
        .chain(i.private_ips.iter().map(|ip| format!("private {ip}")))
        .collect();
    if !ips.is_empty() {
        s.push_str(" — ");
        s.push_str(&ips.join(", "));
    }
    s
}

/// The instance to preselect: the first running one with a public address, else the first one.
pub fn default_target(list: &[InstanceSummary]) -> Option<String> {
    list.iter()
        .find(|i| i.state == "running" && !i.public_ips.is_empty())
        .or_else(|| list.first())
        .map(|i| i.id.clone())
}

/// The commands a layer's summary asks the user to run: the core quotes each in backticks
/// (`` `aws ec2 describe-route-tables --filters …` ``).
pub fn commands_to_run(summary: &str) -> Vec<String> {
    let mut parts: Vec<&str> = summary.split('`').collect();
    if parts.len().is_multiple_of(2) {
        parts.pop(); // an unclosed quote
    }
    parts
        .into_iter()
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with("aws "))
        .map(str::to_owned)
        .collect()
}

/// The layers the input cannot decide yet, each with its summary and the commands that would
/// decide it, in the report's order.
pub fn still_missing(r: &ReportData) -> Vec<(&CheckData, Vec<String>)> {
    r.checks
        .iter()
        .filter(|c| c.status == Status::Unknown)
        .map(|c| (c, commands_to_run(&c.summary)))
        .filter(|(_, cmds)| !cmds.is_empty())
        .collect()
}

/// The directory URL the page is served from, when AWS CloudShell could fetch `collect.sh` from it
/// (https and not this machine); `None` for local and file URLs.
pub fn public_base(page_url: &str) -> Option<String> {
    let url = page_url.split(['?', '#']).next().unwrap_or_default();
    let rest = url.strip_prefix("https://")?;
    let host = rest.split(['/', ':']).next().unwrap_or_default();
    let local = host.is_empty()
        || host == "localhost"
        || host.ends_with(".localhost")
        || host.starts_with("127.")
        || host.starts_with('[');
    if local {
        return None;
    }
    match url.rfind('/') {
        Some(i) if i >= "https://".len() => url.get(..=i).map(str::to_owned),
        _ => Some(format!("{url}/")),
    }
}

/// The CloudShell collector's command line for `instance`; with the page's public base it fetches
/// the script from there first.
pub fn collector_command(instance: &str, base: Option<&str>) -> String {
    let run = format!("bash collect.sh {instance} -o bundle.json");
    match base {
        Some(b) => format!("curl -fsSLO {b}collect.sh && {run}"),
        None => run,
    }
}

/// Up to `limit` items, with how many more there are.
pub fn first_n<T: ToString>(items: &[T], limit: usize) -> (Vec<String>, usize) {
    let shown = items.iter().take(limit).map(ToString::to_string).collect();
    (shown, items.len().saturating_sub(limit))
}

/// One row of the exposure table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExposureRow {
    pub instance: String,
    pub name: String,
    pub state: String,
    pub address: String,
    pub protocol: String,
    /// Sorts ports numerically (`None` first).
    pub port_from: Option<u16>,
    pub ports: String,
    pub sources: String,
    pub open_to_all: bool,
    pub risk: Option<String>,
    /// Layers that could not be evaluated for this address.
    pub unknown: Vec<String>,
}

/// Flattens the exposure report to one row per open service (or one "nothing open" row per address).
pub fn exposure_rows(r: &ExposureReport) -> Vec<ExposureRow> {
    let mut rows = Vec::new();
    for e in &r.exposures {
        let base = ExposureRow {
            instance: e.instance_id.clone().unwrap_or_else(|| e.eni_id.clone()),
            name: e.name.clone().unwrap_or_default(),
            state: e.state.clone().unwrap_or_default(),
            address: e.address.to_string(),
            protocol: String::new(),
            port_from: None,
            ports: String::new(),
            sources: String::new(),
            open_to_all: false,
            risk: None,
            unknown: e.unknown.clone(),
        };
        if e.open.is_empty() {
            rows.push(ExposureRow {
                protocol: "nothing open".to_owned(),
                ..base
            });
            continue;
        }
        for o in &e.open {
            let (shown, more) = first_n::<Cidr>(&o.sources, 4);
            let mut sources = if o.open_to_all {
                "the whole internet".to_owned()
            } else {
                shown.join(", ")
            };
            if more > 0 && !o.open_to_all {
                sources.push_str(&format!(" and {more} more"));
            }
            rows.push(ExposureRow {
                protocol: o.protocol.clone(),
                port_from: o.ports.map(|p| p.from()),
                ports: o
                    .ports
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "all".to_owned()),
                sources,
                open_to_all: o.open_to_all,
                risk: o.risk.clone(),
                ..base.clone()
            });
        }
    }
    rows
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Instance,
    Address,
    Protocol,
    Ports,
    Sources,
    Risk,
}

impl SortKey {
    pub const ALL: [(SortKey, &'static str); 6] = [
        (SortKey::Instance, "Instance"),
        (SortKey::Address, "Address"),
        (SortKey::Protocol, "Protocol"),
        (SortKey::Ports, "Ports"),
        (SortKey::Sources, "Open to"),
        (SortKey::Risk, "Risk"),
    ];
}

/// Sorts rows by `key` (risky first for `Risk`), ties broken by instance then port.
pub fn sort_rows(rows: &mut [ExposureRow], key: SortKey, ascending: bool) {
    rows.sort_by(|a, b| {
        let primary = match key {
            SortKey::Instance => (&a.name, &a.instance).cmp(&(&b.name, &b.instance)),
            SortKey::Address => a.address.cmp(&b.address),
            SortKey::Protocol => a.protocol.cmp(&b.protocol),
            SortKey::Ports => a.port_from.cmp(&b.port_from),
            SortKey::Sources => b
                .open_to_all
                .cmp(&a.open_to_all)
                .then(a.sources.cmp(&b.sources)),
            SortKey::Risk => b
                .risk
                .is_some()
                .cmp(&a.risk.is_some())
                .then(a.risk.cmp(&b.risk)),
        };
        let primary = if ascending {
            primary
        } else {
            primary.reverse()
        };
        primary
            .then_with(|| a.instance.cmp(&b.instance))
            .then_with(|| a.port_from.cmp(&b.port_from))
            .then(Ordering::Equal)
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use vpc_reach_core::report::{Check, Exposure, OpenService, Target};
    use vpc_reach_core::{Query, QueryProtocol};

    pub fn check(layer: Layer, status: Status) -> Check {
        Check {
            layer,
            status,
            summary: format!("{layer} summary"),
            evidence: vec![],
            fix: None,
        }
    }

    fn report(verdict: Verdict, checks: Vec<Check>) -> ReportData {
        ReportData::new(&core_report(verdict, checks), String::new())
    }

    fn core_report(verdict: Verdict, checks: Vec<Check>) -> Report {
        Report {
            verdict,
            query: Query {
                target: "i-1".into(),
                protocol: QueryProtocol::Tcp { port: 22 },
                source: None,
                address: None,
            },
            target: Target {
                instance_id: Some("i-1".into()),
                name: Some("web".into()),
                address: Some("203.0.113.5".parse().unwrap()),
                ..Target::default()
            },
            sources: vec![],
            blocking: checks
                .iter()
                .filter(|c| c.status == Status::Fail)
                .map(|c| c.layer)
                .collect(),
            checks,
            reachable_from: vec![],
            partially_reachable_from: vec![],
            assumptions: vec![],
            warnings: vec![],
        }
    }

    #[test]
    fn every_path_layer_appears_in_a_hop() {
        for l in Layer::PATH {
            assert!(
                FORWARD
                    .iter()
                    .chain(REPLY.iter())
                    .any(|h| h.layers.contains(&l)),
                "{l} is on no hop"
            );
        }
    }

    #[test]
    fn a_hop_shows_its_worst_layer() {
        let r = report(
            Verdict::Blocked,
            vec![
                check(Layer::InternetGateway, Status::Pass),
                check(Layer::BlockPublicAccess, Status::Fail),
                check(Layer::InstanceState, Status::Pass),
                check(Layer::StatusChecks, Status::Unknown),
            ],
        );
        assert_eq!(hop_status(&r, &FORWARD[1]), Some(Status::Fail));
        assert_eq!(hop_status(&r, &FORWARD[6]), Some(Status::Unknown));
        assert_eq!(hop_status(&r, &FORWARD[2]), None, "no route table check");
        assert_eq!(hop_status(&r, &FORWARD[0]), None);
        assert_eq!(hop_checks(&r, &FORWARD[1]).len(), 2);
    }

    #[test]
    fn verdict_sentence_names_blocking_layers() {
        let r = report(
            Verdict::Blocked,
            vec![
                check(Layer::RouteTable, Status::Fail),
                check(Layer::SecurityGroup, Status::Pass),
            ],
        );
        assert_eq!(
            verdict_sentence(&r),
            "tcp/22 to web (i-1, 203.0.113.5) is blocked from the internet by 1 layer: Route table (return path)."
        );
        let mut ok = core_report(Verdict::Reachable, vec![]);
        ok.query.source = Some(Cidr::parse("198.51.100.7").unwrap());
        let ok = ReportData::new(&ok, String::new());
        assert_eq!(
            verdict_sentence(&ok),
            "tcp/22 to web (i-1, 203.0.113.5) is open from 198.51.100.7/32."
        );
    }

    fn inst(id: &str, name: Option<&str>, state: &str, public: &[&str]) -> InstanceSummary {
        InstanceSummary {
            id: id.into(),
            name: name.map(Into::into),
            state: state.into(),
            private_ips: vec!["10.0.0.9".into()],
            public_ips: public.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    #[test]
    fn instance_filter_matches_id_name_state_and_addresses() {
        let list = vec![
            inst("i-aaa", Some("Web-B"), "running", &["203.0.113.45"]),
            inst("i-bbb", None, "stopped", &[]),
        ];
        let ids = |f: &str| -> Vec<String> {
            filter_instances(&list, f)
                .iter()
                .map(|i| i.id.clone())
                .collect()
        };
        assert_eq!(ids(""), vec!["i-aaa", "i-bbb"]);
        assert_eq!(ids("web-b"), vec!["i-aaa"]);
        assert_eq!(ids("113.45"), vec!["i-aaa"]);
        assert_eq!(ids("STOPPED"), vec!["i-bbb"]);
        assert_eq!(ids("10.0.0.9"), vec!["i-aaa", "i-bbb"]);
        assert!(ids("nothing").is_empty());
        assert_eq!(default_target(&list).as_deref(), Some("i-aaa"));
        assert_eq!(default_target(&list[1..]).as_deref(), Some("i-bbb"));
        assert_eq!(
            instance_label(&list[0]),
            "Web-B — i-aaa — running — public 203.0.113.45, private 10.0.0.9"
        );
    }

    fn svc(proto: &str, from: u16, to: u16, all: bool, risk: Option<&str>) -> OpenService {
        OpenService {
            protocol: proto.into(),
            ports: vpc_reach_core::net::PortRange::new(from, to),
            sources: vec![Cidr::parse(if all { "0.0.0.0/0" } else { "198.51.100.0/24" }).unwrap()]
                .into(),
            open_to_all: all,
            risk: risk.map(Into::into),
        }
    }

    #[test]
    fn exposure_rows_flatten_and_sort() {
        let r = ExposureReport {
            exposures: vec![
                Exposure {
                    instance_id: Some("i-2".into()),
                    name: Some("b".into()),
                    eni_id: "eni-2".into(),
                    address: "203.0.113.2".parse().unwrap(),
                    private_address: None,
                    state: Some("running".into()),
                    open: vec![
                        svc("tcp", 443, 443, true, None),
                        svc("tcp", 22, 22, true, Some("SSH open to the internet")),
                    ],
                    unknown: vec![],
                },
                Exposure {
                    instance_id: Some("i-1".into()),
                    name: Some("a".into()),
                    eni_id: "eni-1".into(),
                    address: "203.0.113.1".parse().unwrap(),
                    private_address: None,
                    state: Some("running".into()),
                    open: vec![svc("tcp", 8080, 8081, false, None)],
                    unknown: vec!["route_table".into()],
                },
                Exposure {
                    instance_id: None,
                    name: None,
                    eni_id: "eni-3".into(),
                    address: "203.0.113.3".parse().unwrap(),
                    private_address: None,
                    state: None,
                    open: vec![],
                    unknown: vec![],
                },
            ],
            warnings: vec![],
        };
        let mut rows = exposure_rows(&r);
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[3].instance, "eni-3");
        assert_eq!(rows[3].protocol, "nothing open");
        assert_eq!(rows[2].sources, "198.51.100.0/24");
        assert_eq!(rows[2].ports, "8080-8081");
        assert_eq!(rows[0].sources, "the whole internet");

        sort_rows(&mut rows, SortKey::Risk, true);
        assert_eq!(rows[0].risk.as_deref(), Some("SSH open to the internet"));
        sort_rows(&mut rows, SortKey::Ports, true);
        let ports: Vec<Option<u16>> = rows.iter().map(|r| r.port_from).collect();
        assert_eq!(ports, vec![None, Some(22), Some(443), Some(8080)]);
        sort_rows(&mut rows, SortKey::Ports, false);
        assert_eq!(rows[0].port_from, Some(8080));
        sort_rows(&mut rows, SortKey::Instance, true);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, vec!["", "a", "b", "b"]);
    }

    #[test]
    fn commands_to_run_are_the_quoted_aws_commands() {
        assert_eq!(
            commands_to_run("route tables not given: run `aws ec2 describe-route-tables --filters Name=vpc-id,Values=vpc-1`"),
            ["aws ec2 describe-route-tables --filters Name=vpc-id,Values=vpc-1"]
        );
        assert_eq!(
            commands_to_run("prefix list pl-1: run `aws ec2 a` and `aws ec2 b`; see `--query`"),
            ["aws ec2 a", "aws ec2 b"]
        );
        assert!(commands_to_run("no quotes here").is_empty());
        assert!(commands_to_run("unbalanced `aws ec2 x").is_empty());
    }

    #[test]
    fn still_missing_lists_unknown_layers_with_commands_only() {
        let mut unknown = check(Layer::RouteTable, Status::Unknown);
        unknown.summary = "route tables not given: run `aws ec2 describe-route-tables`".into();
        let mut vague = check(Layer::SecurityGroup, Status::Unknown);
        vague.summary = "undecided".into();
        let mut failing = check(Layer::NetworkAclInbound, Status::Fail);
        failing.summary = "denied; run `aws ec2 something`".into();
        let r = report(Verdict::Unknown, vec![failing, unknown, vague]);
        let missing = still_missing(&r);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].0.layer, Layer::RouteTable);
        assert_eq!(missing[0].1, ["aws ec2 describe-route-tables"]);
    }

    #[test]
    fn public_base_only_for_https_hosts_cloudshell_can_reach() {
        assert_eq!(
            public_base("https://acme.github.io/vpc-reach/index.html?x=1#y").as_deref(),
            Some("https://acme.github.io/vpc-reach/")
        );
        assert_eq!(
            public_base("https://reach.example.com").as_deref(),
            Some("https://reach.example.com/")
        );
        assert_eq!(
            public_base("https://reach.example.com/").as_deref(),
            Some("https://reach.example.com/")
        );
        for local in [
            "http://acme.github.io/vpc-reach/",
            "https://localhost:8080/",
            "https://127.0.0.1/",
            "https://[::1]/",
            "file:///home/me/dist/index.html",
        ] {
            assert_eq!(public_base(local), None, "{local}");
        }
        assert_eq!(
            collector_command("i-1", Some("https://a.example/r/")),
            "curl -fsSLO https://a.example/r/collect.sh && bash collect.sh i-1 -o bundle.json"
        );
        assert_eq!(
            collector_command("i-1", None),
            "bash collect.sh i-1 -o bundle.json"
        );
    }
}
