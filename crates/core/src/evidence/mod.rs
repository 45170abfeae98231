//! Evidence from traffic and from inside the instance: flow logs, OS routes, firewall, sockets.
//!
//! The configuration check says what AWS *should* do; evidence says what happened. The user pastes
//! VPC flow log records and the output of commands run on the instance (through Session Manager or
//! the EC2 serial console, since SSH may be what is broken). Each text is recognised by its
//! content, never by its file name; one text may hold several command outputs one after another
//! (split on prompt lines, see [`text`]).
//!
//! Four layers come out, each supplementary like the status checks: `flow_logs`, `os_route`,
//! `os_firewall` and `listening`. A layer is reported only when its input was given (for flow logs,
//! records or `describe-flow-logs`); absent evidence never adds a check, so it never makes the
//! verdict unknown. A layer whose input was given but does not apply (IPv4 routes for an IPv6
//! target, ICMP for listening sockets, no flow log records yet) is `not_applicable`, saying what to
//! run instead. A `fail` blocks the verdict, as a failed status check does ([`apply`]); evidence is
//! never `unknown`.
//!
//! Recognised formats (the README lists them too):
//! - flow log records: the default version-2 line, any custom format from `describe-flow-logs`
//!   `LogFormat`, files with a header line of field names (S3 exports, Athena CSV), CloudWatch
//!   Logs Insights CSV exports (`@timestamp,@message`), `aws logs tail` lines; NODATA/SKIPDATA
//!   records; IPv4 and IPv6 ([`flowlog`]);
//! - routes: `ip route`, `ip -6 route`, `ip route show table all`, `ip rule`, `ip addr`,
//!   `ip -br addr`, `ifconfig`, `route -n`, `route -6 -n`, `netstat -rn`, Windows `route print`
//!   ([`osroute`]);
//! - firewalls: `iptables-save` (with `-c` counters), `iptables -S`, `iptables -L -n [-v]
//!   [--line-numbers]`, `ip6tables-save`,
//!   `nft list ruleset`, `ufw status [verbose|numbered]`, `firewall-cmd --list-all[-zones]`,
//!   Windows `netsh advfirewall firewall show rule name=all` and `netsh advfirewall show
//!   currentprofile` ([`firewall`]);
//! - listening sockets: `ss -ltnup` and friends, `netstat -tlnp`, `netstat -an` (Linux, Windows,
//!   macOS) ([`sockets`]).

mod firewall;
mod flowlog;
mod osroute;
mod sockets;
mod text;

use std::collections::BTreeSet;
use std::net::IpAddr;

use crate::diag::{Diagnostic, Severity};
use crate::model::{Eni, Inventory, Origin};
use crate::net::{internet, Cidr, Family, IpSet};
use crate::report::{Check, Evidence, Layer, QueryProtocol, Report, Status, Verdict};

pub(crate) use text::{Line, Segment};

/// The commands we recommend running on the instance, as the README and help texts show them.
pub const RECOMMENDED_COMMANDS_LINUX: &[&str] = &[
    "ip -br addr",
    "ip route",
    "ip -6 route",
    "ip rule",
    "ip route show table all",
    "sudo iptables-save",
    "sudo ip6tables-save",
    "sudo nft list ruleset",
    "sudo ufw status verbose",
    "sudo firewall-cmd --list-all",
    "sudo ss -ltnup",
];

/// The commands to run on a Windows instance (PowerShell or cmd.exe).
pub const RECOMMENDED_COMMANDS_WINDOWS: &[&str] = &[
    "route print",
    "netsh advfirewall show currentprofile",
    "netsh advfirewall firewall show rule name=all dir=in",
    "netstat -ano",
];

const ACCEPTED: &str = "accepted: VPC flow log records (default or custom format, S3 files with \
their header line, CloudWatch Logs Insights CSV with `@message`); `ip route`, `ip -6 route`, \
`ip rule`, `ip addr`, `route -n`, `netstat -rn`, Windows `route print`; `iptables-save`, \
`iptables -S`, `iptables -L -n`, `nft list ruleset`, `ufw status verbose`, `firewall-cmd --list-all`, `netsh \
advfirewall firewall show rule name=all`; `ss -ltnup`, `netstat -tlnp`, `netstat -an`; paste \
each command's output after its prompt line (e.g. `$ sudo iptables-save`); AWS CLI output must be \
JSON (`--output json`)";

/// A line of an input that decided something: shown as evidence.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Cite {
    pub input: String,
    pub line: usize,
    pub text: String,
}

impl Cite {
    pub fn new(input: &str, line: &Line<'_>) -> Cite {
        Cite {
            input: input.to_owned(),
            line: line.no,
            text: line.text.trim().to_owned(),
        }
    }

    /// Evidence naming the input, the line number and the line.
    pub fn evidence(&self) -> Evidence {
        self.evidence_with("")
    }

    /// Evidence with an explanation after the line.
    pub fn evidence_with(&self, why: &str) -> Evidence {
        let mut detail = format!("line {}: {}", self.line, text::clip(&self.text));
        if !why.is_empty() {
            detail.push_str(" (");
            detail.push_str(why);
            detail.push(')');
        }
        Evidence {
            object: self.input.clone(),
            detail,
            origin: Some(Origin {
                source: self.input.as_str().into(),
                path: format!("line {}", self.line),
            }),
        }
    }

    /// `line 7 of `iptables.txt``
    pub fn place(&self) -> String {
        format!("line {} of `{}`", self.line, self.input)
    }
}

/// What the evaluators know about the question and its target.
pub(crate) struct Ctx<'a> {
    pub inv: &'a Inventory,
    pub report: &'a Report,
    pub family: Family,
    /// The address the instance sees for the target (its private IPv4, or the IPv6 address).
    pub private: Option<IpAddr>,
    /// Every address of the target's network interface (flow logs name the primary private IPv4).
    pub eni_addrs: Vec<IpAddr>,
    pub eni: Option<&'a Eni>,
    pub eni_id: Option<String>,
    pub instance_id: Option<String>,
    pub protocol: QueryProtocol,
    /// The queried sources in the target's family.
    pub sources: IpSet,
    /// `the IPv4 internet` or `` `203.0.113.7/32` ``.
    pub source_label: String,
    /// Where to run commands: "through Session Manager (`aws ssm start-session --target i-…`) or the
    /// EC2 serial console".
    pub how_to_run: String,
}

impl<'a> Ctx<'a> {
    fn new(inv: &'a Inventory, report: &'a Report) -> Ctx<'a> {
        let t = &report.target;
        let instance_id = t.instance_id.clone();
        let eni_id = t.eni_id.clone().or_else(|| {
            instance_id
                .as_deref()
                .and_then(|i| inv.enis_of(i).first().map(|e| e.id.as_str().to_owned()))
        });
        let eni = eni_id.as_deref().and_then(|id| inv.enis.get(id));
        let inst = instance_id.as_deref().and_then(|i| inv.instances.get(i));
        let private = t
            .private_address
            .or_else(|| {
                eni.and_then(|e| e.private_ips.iter().find(|p| p.primary))
                    .map(|p| p.address)
            })
            .or_else(|| inst.and_then(|i| i.private_ip));
        let family = private
            .or(t.address)
            .map(|a| match a {
                IpAddr::V4(_) => Family::Ipv4,
                IpAddr::V6(_) => Family::Ipv6,
            })
            .or_else(|| report.query.source.map(|c| c.family()))
            .unwrap_or(Family::Ipv4);
        let mut eni_addrs: Vec<IpAddr> = Vec::new();
        eni_addrs.extend(private);
        if let Some(e) = eni {
            eni_addrs.extend(e.private_ips.iter().map(|p| p.address));
            eni_addrs.extend(e.ipv6_addresses.iter().copied());
        }
        if let Some(i) = inst {
            eni_addrs.extend(i.private_ip);
        }
        text::sort_by(&mut eni_addrs, Ord::cmp);
        eni_addrs.dedup();
        let queried: Vec<Cidr> = if !report.sources.is_empty() {
            report.sources.clone()
        } else {
            report.query.source.into_iter().collect()
        };
        let sources = if queried.is_empty() {
            internet(family)
        } else {
            IpSet::from_cidrs(&queried).family(family)
        };
        let source_label = match report.query.source {
            Some(c) => format!("`{c}`"),
            None => format!("the {family} internet"),
        };
        let how_to_run = match &instance_id {
            Some(id) => format!(
                "run it on the instance through Session Manager (`aws ssm start-session --target {id}`) or the EC2 serial console"
            ),
            None => "run it on the instance through Session Manager or the EC2 serial console".to_owned(),
        };
        Ctx {
            inv,
            report,
            family,
            private,
            eni_addrs,
            eni,
            eni_id,
            instance_id,
            protocol: report.query.protocol,
            sources,
            source_label,
            how_to_run,
        }
    }

    /// The configuration check's status for a layer, if it ran.
    pub fn config_status(&self, layer: Layer) -> Option<Status> {
        self.report
            .checks
            .iter()
            .find(|c| c.layer == layer)
            .map(|c| c.status)
    }

    /// The sources the configuration says pass the security group and the inbound network ACL.
    pub fn config_admitted(&self) -> IpSet {
        let mut cidrs: Vec<Cidr> = self.report.reachable_from.clone();
        for p in &self.report.partially_reachable_from {
            cidrs.extend(p.cidrs.iter().copied());
        }
        let mut set = IpSet::from_cidrs(&cidrs);
        if self.config_status(Layer::SecurityGroup) == Some(Status::Pass)
            && self.config_status(Layer::NetworkAclInbound) == Some(Status::Pass)
        {
            set = set.union(&self.sources);
        }
        set
    }

    /// True when the configuration says replies to `client` port `port` pass the outbound NACL.
    pub fn config_admits_reply(&self, client: IpAddr, port: u16) -> bool {
        if self.config_status(Layer::NetworkAclOutbound) == Some(Status::Pass) {
            return true;
        }
        if self
            .report
            .reachable_from
            .iter()
            .any(|c| c.contains(client))
        {
            return true;
        }
        self.report.partially_reachable_from.iter().any(|p| {
            p.cidrs.iter().any(|c| c.contains(client))
                && p.client_ports.iter().any(|r| r.contains(port))
        })
    }

    /// `tcp/22`, `udp/53`, `icmp type 8`, `all traffic`.
    pub fn what(&self) -> String {
        self.protocol.to_string()
    }
}

/// What one command output was recognised as.
enum Parsed {
    FlowLogs(Vec<flowlog::Rec>),
    Net(osroute::NetFacts),
    Firewall(firewall::Ruleset),
    Sockets(sockets::Listing),
}

/// Recognises one command output by its content; returns what it is and the lines that did not
/// fit that format.
fn recognise<'a>(
    seg: &Segment<'a>,
    formats: &[flowlog::Format],
) -> Option<(Parsed, Vec<Line<'a>>)> {
    if let Some((r, skipped)) = flowlog::parse(seg, formats) {
        return Some((Parsed::FlowLogs(r), skipped));
    }
    if let Some((r, skipped)) = firewall::parse(seg) {
        return Some((Parsed::Firewall(r), skipped));
    }
    if let Some((r, skipped)) = sockets::parse(seg) {
        return Some((Parsed::Sockets(r), skipped));
    }
    if let Some((r, skipped)) = osroute::parse(seg) {
        return Some((Parsed::Net(r), skipped));
    }
    None
}

fn not_recognised(seg: &Segment<'_>, whole: bool) -> Diagnostic {
    let what = match (&seg.command, whole) {
        (_, true) => format!("`{}`", seg.input),
        (Some(c), false) if !c.is_empty() => format!("the output of `{c}` in `{}`", seg.input),
        _ => format!("part of `{}`", seg.input),
    };
    Diagnostic {
        severity: Severity::Note,
        source: seg.input.to_owned(),
        line: seg.span().map(|(a, _)| a),
        column: if whole { None } else { Some(1) },
        path: None,
        message: format!(
            "{what} is not recognised as flow log records, routes, firewall rules or listening sockets"
        ),
        help: Some(ACCEPTED.to_owned()),
    }
}

fn skipped_warning(seg: &Segment<'_>, kind: &str, skipped: &[Line<'_>]) -> Option<Diagnostic> {
    let first = skipped.first()?;
    let more = if skipped.len() > 1 {
        format!(" (and {} more lines)", skipped.len() - 1)
    } else {
        String::new()
    };
    Some(Diagnostic {
        severity: Severity::Warning,
        source: seg.input.to_owned(),
        line: Some(first.no),
        column: Some(1),
        path: None,
        message: format!(
            "line {} is not understood as {kind} and was skipped: `{}`{more}",
            first.no,
            text::clip(first.text)
        ),
        help: Some(
            "paste the command's output unchanged; put each command's output after its own prompt line"
                .to_owned(),
        ),
    })
}

/// Evaluates the non-JSON inputs (`(name, text)` from [`crate::ingest::Loaded::texts`]) against a
/// finished configuration report, returning the `flow_logs`, `os_route`, `os_firewall` and
/// `listening` checks, and a note for each text that was not recognised.
pub fn evaluate(
    texts: &[(String, String)],
    inv: &Inventory,
    report: &Report,
) -> (Vec<Check>, Vec<Diagnostic>) {
    let ctx = Ctx::new(inv, report);
    let formats = flowlog::formats_from(inv);
    let mut diags = Vec::new();
    let mut records: Vec<flowlog::Rec> = Vec::new();
    let mut flow_inputs: BTreeSet<String> = BTreeSet::new();
    let mut net = osroute::NetFacts::default();
    let mut net_given = false;
    let mut rulesets: Vec<firewall::Ruleset> = Vec::new();
    let mut listings: Vec<sockets::Listing> = Vec::new();

    for (name, body) in texts {
        let segments = text::split(name, body);
        if segments.is_empty() {
            diags.push(Diagnostic {
                severity: Severity::Note,
                source: name.clone(),
                line: None,
                column: None,
                path: None,
                message: format!("`{name}` is empty"),
                help: Some(ACCEPTED.to_owned()),
            });
            continue;
        }
        let whole = segments.len() == 1;
        for seg in &segments {
            match recognise(seg, &formats) {
                None => diags.push(not_recognised(seg, whole)),
                Some((parsed, skipped)) => {
                    let kind = match parsed {
                        Parsed::FlowLogs(r) => {
                            flow_inputs.insert(name.clone());
                            records.extend(r);
                            "a flow log record"
                        }
                        Parsed::Net(n) => {
                            net_given = true;
                            net.merge(n);
                            "a route, address or rule line"
                        }
                        Parsed::Firewall(r) => {
                            let k = r.kind.what();
                            rulesets.push(r);
                            k
                        }
                        Parsed::Sockets(l) => {
                            listings.push(l);
                            "a socket line"
                        }
                    };
                    diags.extend(skipped_warning(seg, kind, &skipped));
                }
            }
        }
    }

    let mut checks = Vec::new();
    checks.extend(flowlog::evaluate(&ctx, &records, !flow_inputs.is_empty()));
    let device = if net_given {
        let (check, device) = osroute::evaluate(&ctx, &net);
        checks.push(check);
        device
    } else {
        None
    };
    if !rulesets.is_empty() {
        checks.push(firewall::evaluate(&ctx, &rulesets, device.as_deref()));
    }
    if !listings.is_empty() {
        checks.push(sockets::evaluate(&ctx, &listings, device.as_deref()));
    }
    (checks, diags)
}

/// Adds evidence checks to a configuration report. Evidence is supplementary, like the status
/// checks: a `fail` (the host firewall drops the traffic, nothing listens, the VPC rejected real
/// traffic) blocks the verdict and joins `blocking`; any other status leaves the verdict as the
/// configuration decided it, so missing or inconclusive evidence never makes it unknown.
pub fn apply(report: &mut Report, checks: Vec<Check>) {
    for c in &checks {
        if c.status == Status::Fail && !report.blocking.contains(&c.layer) {
            report.blocking.push(c.layer);
        }
    }
    if checks.iter().any(|c| c.status == Status::Fail) {
        report.verdict = Verdict::Blocked;
        report.reachable_from.clear();
        report.partially_reachable_from.clear();
    }
    report.checks.extend(checks);
}

/// Evidence items for a list of cites, at most `max`, then one item saying how many more.
pub(crate) fn capped<T>(
    items: &[T],
    max: usize,
    input: &str,
    each: impl Fn(&T) -> Evidence,
    more: &str,
) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = items.iter().take(max).map(each).collect();
    if items.len() > max {
        out.push(Evidence {
            object: input.to_owned(),
            detail: format!("… and {} more {more}", items.len() - max),
            origin: None,
        });
    }
    out
}

/// A short description of a set of sources: `the queried sources`, or up to three CIDRs.
pub(crate) fn describe_set(set: &IpSet, ctx: &Ctx<'_>) -> String {
    if set == &ctx.sources {
        return ctx.source_label.clone();
    }
    let cidrs = set.to_cidrs();
    let shown: Vec<String> = cidrs.iter().take(3).map(|c| format!("`{c}`")).collect();
    let mut s = text::join_and(&shown);
    if cidrs.len() > 3 {
        s = format!("{} and {} more blocks", shown.join(", "), cidrs.len() - 3);
    }
    if s.is_empty() {
        "no source".to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests;
