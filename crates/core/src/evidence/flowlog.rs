//! VPC flow log records.
//!
//! Format (VPC User Guide, "Flow log records" and "Flow log record examples"): one record per line,
//! fields separated by single spaces, `-` for a field with no value. The default format is every
//! version-2 field in order:
//!
//! ```text
//! version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
//! 2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK
//! 2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA
//! ```
//!
//! A custom format is the `LogFormat` of `describe-flow-logs` (`${version} ${vpc-id} …`). Files
//! delivered to S3 start with a header line naming the fields (`version account-id …`); Athena and
//! CloudWatch Logs Insights CSV exports name their columns in a header (`@timestamp,@message`, with
//! the record in `@message`, or parsed columns such as `srcAddr`). Lines copied from the CloudWatch
//! console or `aws logs tail` carry a timestamp and stream name before the record; we find the
//! record inside the line.
//!
//! `srcaddr`/`dstaddr` name the interface's primary private IPv4 even for traffic to a secondary or
//! public address; `pkt-srcaddr`/`pkt-dstaddr` (custom formats) carry the packet's own addresses.
//!
//! Conclusions (VPC User Guide, "Flow log record examples"): an inbound REJECT means the security
//! group or the inbound network ACL drops the traffic; an inbound ACCEPT whose reply is REJECTed
//! means the outbound network ACL (stateless) does not let replies to the client's ephemeral port
//! out; an ACCEPT with no reply at all points inside the instance; no record for the port means
//! the traffic never reached the interface. Each client is judged by its latest record, so a
//! reject followed by accepts reads as "the rule was changed". Records come from the target ENI
//! (by `interface-id`, else by address) and from the queried sources only.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use super::text::{csv_fields, join_and, set_of, utc};
use super::{capped, Ctx, Line, Segment};
use crate::fix::Fix;
use crate::model::{Command, FlowLogConfig, Inventory};
use crate::report::{Check, Evidence, Layer, QueryProtocol, Status};

/// One field of a flow log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Version,
    AccountId,
    InterfaceId,
    SrcAddr,
    DstAddr,
    SrcPort,
    DstPort,
    Protocol,
    Packets,
    Bytes,
    Start,
    End,
    Action,
    LogStatus,
    VpcId,
    SubnetId,
    InstanceId,
    TcpFlags,
    Type,
    PktSrcAddr,
    PktDstAddr,
    FlowDirection,
    /// A field we read but do not use (`region`, `az-id`, `traffic-path`, `ecs-*`, …).
    Other,
    /// `@timestamp` of a Logs Insights export.
    Timestamp,
    /// `@message` of a Logs Insights export: the whole record.
    Message,
}

/// Field names as they appear in `${…}`, S3 headers (`log-status`), Athena (`log_status`) and Logs
/// Insights (`logStatus`, `@message`), compared without case, `-`, `_`, `@`.
fn field_named(name: &str) -> Option<Field> {
    let n: String = name
        .trim()
        .trim_start_matches("${")
        .trim_end_matches('}')
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | '@' | '"'))
        .flat_map(char::to_lowercase)
        .collect();
    Some(match n.as_str() {
        "version" => Field::Version,
        "accountid" => Field::AccountId,
        "interfaceid" => Field::InterfaceId,
        "srcaddr" => Field::SrcAddr,
        "dstaddr" => Field::DstAddr,
        "srcport" => Field::SrcPort,
        "dstport" => Field::DstPort,
        "protocol" => Field::Protocol,
        "packets" => Field::Packets,
        "bytes" => Field::Bytes,
        "start" => Field::Start,
        "end" => Field::End,
        "action" => Field::Action,
        "logstatus" => Field::LogStatus,
        "vpcid" => Field::VpcId,
        "subnetid" => Field::SubnetId,
        "instanceid" => Field::InstanceId,
        "tcpflags" => Field::TcpFlags,
        "type" => Field::Type,
        "pktsrcaddr" => Field::PktSrcAddr,
        "pktdstaddr" => Field::PktDstAddr,
        "flowdirection" => Field::FlowDirection,
        "timestamp" => Field::Timestamp,
        "message" => Field::Message,
        "region"
        | "azid"
        | "sublocationtype"
        | "sublocationid"
        | "pktsrcawsservice"
        | "pktdstawsservice"
        | "trafficpath"
        | "ecsclustername"
        | "ecsclusterarn"
        | "ecscontainerinstanceid"
        | "ecscontainerinstancearn"
        | "ecsservicename"
        | "ecstaskdefinitionarn"
        | "ecstaskid"
        | "ecstaskarn"
        | "ecscontainerid"
        | "ecssecondcontainerid"
        | "rejectreason"
        | "logstream"
        | "log"
        | "ingestiontime"
        | "ptr"
        | "resolverip" => Field::Other,
        _ => return None,
    })
}

/// A list of fields in record order.
pub(crate) type Format = Vec<Field>;

fn default_format() -> Format {
    vec![
        Field::Version,
        Field::AccountId,
        Field::InterfaceId,
        Field::SrcAddr,
        Field::DstAddr,
        Field::SrcPort,
        Field::DstPort,
        Field::Protocol,
        Field::Packets,
        Field::Bytes,
        Field::Start,
        Field::End,
        Field::Action,
        Field::LogStatus,
    ]
}

/// A `LogFormat` string (`${version} ${vpc-id} …`); unknown `${names}` are kept as unused fields.
fn parse_log_format(s: &str) -> Option<Format> {
    let mut out = Vec::new();
    for tok in s.split_whitespace() {
        let name = tok.strip_prefix("${")?.strip_suffix('}')?;
        out.push(field_named(name).unwrap_or(Field::Other));
    }
    (out.len() >= 2).then_some(out)
}

/// The formats to try: each distinct `LogFormat` in the inventory, then the default.
pub(crate) fn formats_from(inv: &Inventory) -> Vec<Format> {
    let mut out: Vec<Format> = Vec::new();
    for fl in &inv.flow_logs {
        if let Some(f) = fl.log_format.as_deref().and_then(parse_log_format) {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    let d = default_format();
    if !out.contains(&d) {
        out.push(d);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Accept,
    Reject,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogStatus {
    Ok,
    NoData,
    SkipData,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Ingress,
    Egress,
}

/// One flow log record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rec {
    pub input: String,
    pub line: usize,
    pub text: String,
    pub interface: Option<String>,
    pub src: Option<IpAddr>,
    pub dst: Option<IpAddr>,
    pub pkt_src: Option<IpAddr>,
    pub pkt_dst: Option<IpAddr>,
    pub srcport: Option<u16>,
    pub dstport: Option<u16>,
    pub protocol: Option<u8>,
    pub start: Option<u64>,
    pub end: Option<u64>,
    pub action: Option<Action>,
    pub status: Option<LogStatus>,
    pub direction: Option<Direction>,
    pub timestamp: Option<String>,
}

impl Rec {
    fn empty(input: &str, line: &Line<'_>) -> Rec {
        Rec {
            input: input.to_owned(),
            line: line.no,
            text: line.text.trim().to_owned(),
            interface: None,
            src: None,
            dst: None,
            pkt_src: None,
            pkt_dst: None,
            srcport: None,
            dstport: None,
            protocol: None,
            start: None,
            end: None,
            action: None,
            status: None,
            direction: None,
            timestamp: None,
        }
    }

    /// `2024-05-01 10:12:00 UTC` from `start`, else the export's timestamp.
    fn when(&self) -> String {
        match (self.start, &self.timestamp) {
            (Some(s), _) => utc(s),
            (None, Some(t)) => t.clone(),
            (None, None) => "unknown time".to_owned(),
        }
    }

    fn describe(&self) -> String {
        let proto = match self.protocol {
            Some(6) => "tcp".to_owned(),
            Some(17) => "udp".to_owned(),
            Some(1) => "icmp".to_owned(),
            Some(58) => "icmpv6".to_owned(),
            Some(n) => format!("protocol {n}"),
            None => "-".to_owned(),
        };
        let ep = |a: Option<IpAddr>, p: Option<u16>| {
            let a = a.map_or("-".to_owned(), |a| a.to_string());
            match p {
                Some(p) => format!("{a}:{p}"),
                None => a,
            }
        };
        let action = match self.action {
            Some(Action::Accept) => "ACCEPT",
            Some(Action::Reject) => "REJECT",
            None => "-",
        };
        format!(
            "{}, {proto} {} → {}, {action}",
            self.when(),
            ep(self.pkt_src.or(self.src), self.srcport),
            ep(self.pkt_dst.or(self.dst), self.dstport)
        )
    }

    fn evidence(&self) -> Evidence {
        let cite = super::Cite {
            input: self.input.clone(),
            line: self.line,
            text: self.text.clone(),
        };
        cite.evidence_with(&self.describe())
    }
}

fn dash(s: &str) -> bool {
    s == "-"
}

fn opt<T: std::str::FromStr>(s: &str) -> Result<Option<T>, ()> {
    if dash(s) {
        Ok(None)
    } else {
        s.parse::<T>().map(Some).map_err(|_| ())
    }
}

fn id_like(s: &str, prefix: &str) -> bool {
    dash(s)
        || s.strip_prefix(prefix)
            .is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Reads `toks` as a record in `format`; `None` unless every typed field is valid and the record
/// says something (an address, an action or a log status).
fn read_record(format: &[Field], toks: &[&str], base: &Rec) -> Option<Rec> {
    if toks.len() != format.len() {
        return None;
    }
    let mut r = base.clone();
    for (f, t) in format.iter().zip(toks.iter().copied()) {
        let ok = match f {
            Field::Version => t.parse::<u8>().is_ok_and(|v| (2..=20).contains(&v)),
            Field::AccountId => dash(t) || (t.len() == 12 && t.chars().all(|c| c.is_ascii_digit())),
            Field::InterfaceId => {
                let ok = id_like(t, "eni-");
                if ok && !dash(t) {
                    r.interface = Some(t.to_owned());
                }
                ok
            }
            Field::VpcId => id_like(t, "vpc-"),
            Field::SubnetId => id_like(t, "subnet-"),
            Field::InstanceId => id_like(t, "i-"),
            Field::SrcAddr => opt(t).map(|v| r.src = v).is_ok(),
            Field::DstAddr => opt(t).map(|v| r.dst = v).is_ok(),
            Field::PktSrcAddr => opt(t).map(|v| r.pkt_src = v).is_ok(),
            Field::PktDstAddr => opt(t).map(|v| r.pkt_dst = v).is_ok(),
            Field::SrcPort => opt(t).map(|v| r.srcport = v).is_ok(),
            Field::DstPort => opt(t).map(|v| r.dstport = v).is_ok(),
            Field::Protocol => opt(t).map(|v| r.protocol = v).is_ok(),
            Field::Packets | Field::Bytes | Field::TcpFlags => opt::<u64>(t).is_ok(),
            Field::Start => opt(t).map(|v| r.start = v).is_ok(),
            Field::End => opt(t).map(|v| r.end = v).is_ok(),
            Field::Action => match t {
                "ACCEPT" => {
                    r.action = Some(Action::Accept);
                    true
                }
                "REJECT" => {
                    r.action = Some(Action::Reject);
                    true
                }
                "-" => true,
                _ => false,
            },
            Field::LogStatus => match t {
                "OK" => {
                    r.status = Some(LogStatus::Ok);
                    true
                }
                "NODATA" => {
                    r.status = Some(LogStatus::NoData);
                    true
                }
                "SKIPDATA" => {
                    r.status = Some(LogStatus::SkipData);
                    true
                }
                "-" => true,
                _ => false,
            },
            Field::Type => matches!(t, "IPv4" | "IPv6" | "EFA" | "-"),
            Field::FlowDirection => match t {
                "ingress" => {
                    r.direction = Some(Direction::Ingress);
                    true
                }
                "egress" => {
                    r.direction = Some(Direction::Egress);
                    true
                }
                "-" => true,
                _ => false,
            },
            Field::Timestamp => {
                r.timestamp = Some(t.to_owned());
                true
            }
            Field::Other | Field::Message => true,
        };
        if !ok {
            return None;
        }
    }
    let says_something = r.status.is_some()
        || r.action.is_some()
        || (r.src.or(r.pkt_src).is_some() && r.dst.or(r.pkt_dst).is_some());
    says_something.then_some(r)
}

/// Finds a record in `toks` for one of `formats`: the whole line, or a run of tokens inside it
/// (lines copied from the console or `aws logs tail` carry a timestamp and stream name first).
fn find_record(formats: &[Format], toks: &[&str], base: &Rec) -> Option<Rec> {
    for f in formats {
        if toks.len() == f.len() {
            if let Some(r) = read_record(f, toks, base) {
                return Some(r);
            }
        }
    }
    for f in formats {
        if toks.len() > f.len() && f.len() >= 6 {
            for start in 0..=(toks.len() - f.len()) {
                if let Some(window) = toks.get(start..start + f.len()) {
                    if let Some(r) = read_record(f, window, base) {
                        return Some(r);
                    }
                }
            }
        }
    }
    None
}

/// How the lines after a header are laid out.
enum Layout {
    /// Space-separated records; try these formats.
    Spaces,
    /// CSV with named columns (Athena, Logs Insights with parsed fields).
    Csv(Format),
    /// Logs Insights CSV with the record in `@message`.
    Insights {
        message: usize,
        timestamp: Option<usize>,
    },
}

/// A header line: space-separated field names (S3), or a CSV header.
fn header(line: &str) -> Option<(Layout, Option<Format>)> {
    let t = line.trim();
    if t.contains(',') {
        let cols = csv_fields(t);
        let fields: Vec<Option<Field>> = cols.iter().map(|c| field_named(c)).collect();
        if let Some(m) = fields.iter().position(|f| *f == Some(Field::Message)) {
            let ts = fields.iter().position(|f| *f == Some(Field::Timestamp));
            return Some((
                Layout::Insights {
                    message: m,
                    timestamp: ts,
                },
                None,
            ));
        }
        if fields.len() >= 3 && fields.iter().all(Option::is_some) {
            let f: Format = fields.into_iter().flatten().collect();
            let useful = f.iter().any(|x| {
                matches!(
                    x,
                    Field::SrcAddr | Field::DstAddr | Field::DstPort | Field::Action
                )
            });
            return useful.then_some((Layout::Csv(f), None));
        }
        return None;
    }
    let toks: Vec<&str> = t.split_whitespace().collect();
    if toks.len() < 3 {
        return None;
    }
    let fields: Vec<Option<Field>> = toks
        .iter()
        .map(|tok| {
            if tok.starts_with("${") {
                Some(field_named(tok).unwrap_or(Field::Other))
            } else {
                field_named(tok)
            }
        })
        .collect();
    if fields.iter().all(Option::is_some) {
        let f: Format = fields.into_iter().flatten().collect();
        let useful = f.iter().any(|x| {
            matches!(
                x,
                Field::SrcAddr | Field::DstPort | Field::Action | Field::LogStatus
            )
        });
        return useful.then_some((Layout::Spaces, Some(f)));
    }
    None
}

/// Parses a segment of flow log records; `None` unless most lines are records or headers.
pub(crate) fn parse<'a>(
    seg: &Segment<'a>,
    formats: &[Format],
) -> Option<(Vec<Rec>, Vec<Line<'a>>)> {
    let mut layout = Layout::Spaces;
    let mut local: Vec<Format> = formats.to_vec();
    let mut records = Vec::new();
    let mut skipped = Vec::new();
    let mut headers = 0usize;
    for line in seg.content() {
        if let Some((l, f)) = header(line.text) {
            layout = l;
            if let Some(f) = f {
                local.retain(|x| x != &f);
                local.insert(0, f);
            }
            headers += 1;
            continue;
        }
        let base = Rec::empty(seg.input, line);
        let rec = match &layout {
            Layout::Spaces => {
                let toks: Vec<&str> = line.text.split_whitespace().collect();
                find_record(&local, &toks, &base)
            }
            Layout::Csv(f) => {
                let cols = csv_fields(line.text.trim());
                let toks: Vec<&str> = cols.iter().map(|c| c.trim()).collect();
                read_record(f, &toks, &base)
            }
            Layout::Insights { message, timestamp } => {
                let cols = csv_fields(line.text.trim());
                let mut b = base.clone();
                b.timestamp = timestamp.and_then(|i| cols.get(i)).cloned();
                cols.get(*message).and_then(|m| {
                    let toks: Vec<&str> = m.split_whitespace().collect();
                    find_record(&local, &toks, &b)
                })
            }
        };
        match rec {
            Some(r) => records.push(r),
            None => skipped.push(*line),
        }
    }
    let total = records.len() + skipped.len();
    if records.is_empty() && headers == 0 {
        return None;
    }
    // A header alone (an empty export) still counts as flow logs.
    if records.len() * 2 < total && headers == 0 {
        return None;
    }
    Some((records, skipped))
}

// ---------------------------------------------------------------------------------------------
// Evaluation

#[derive(Default)]
struct Tally<'r> {
    in_accept: Vec<&'r Rec>,
    in_reject: Vec<&'r Rec>,
    reply_accept: Vec<&'r Rec>,
    reply_reject: Vec<&'r Rec>,
    /// Records of the target interface (any traffic).
    on_eni: usize,
    nodata: Vec<&'r Rec>,
    skipdata: Vec<&'r Rec>,
    /// Matching records from sources outside the query (VPC-internal, or outside `--source`).
    other_sources: Vec<&'r Rec>,
    /// Inbound ports seen on the interface besides the queried one.
    other_ports: BTreeMap<String, usize>,
    first: Option<u64>,
    last: Option<u64>,
    interfaces: BTreeSet<String>,
}

fn proto_matches(ctx: &Ctx<'_>, p: Option<u8>) -> bool {
    match ctx.protocol {
        QueryProtocol::Tcp { .. } => p == Some(6),
        QueryProtocol::Udp { .. } => p == Some(17),
        QueryProtocol::Icmp { .. } => p == Some(1) || p == Some(58),
        QueryProtocol::All => true,
    }
}

fn query_port(ctx: &Ctx<'_>) -> Option<u16> {
    match ctx.protocol {
        QueryProtocol::Tcp { port } | QueryProtocol::Udp { port } => Some(port),
        _ => None,
    }
}

fn tally<'r>(ctx: &Ctx<'_>, recs: &'r [Rec]) -> Tally<'r> {
    let mut t = Tally::default();
    let ours = |a: Option<IpAddr>| a.is_some_and(|a| ctx.eni_addrs.contains(&a));
    for r in recs {
        if let Some(i) = &r.interface {
            t.interfaces.insert(i.clone());
        }
        let on_eni = match (&r.interface, &ctx.eni_id) {
            (Some(ri), Some(ti)) => ri == ti,
            _ => {
                ours(r.src)
                    || ours(r.dst)
                    || ours(r.pkt_src)
                    || ours(r.pkt_dst)
                    || (ctx.eni_addrs.is_empty() && r.interface.is_none())
            }
        };
        if !on_eni {
            continue;
        }
        t.on_eni += 1;
        if let Some(s) = r.start {
            t.first = Some(t.first.map_or(s, |f| f.min(s)));
        }
        if let Some(e) = r.end.or(r.start) {
            t.last = Some(t.last.map_or(e, |l| l.max(e)));
        }
        match r.status {
            Some(LogStatus::NoData) => {
                t.nodata.push(r);
                continue;
            }
            Some(LogStatus::SkipData) => {
                t.skipdata.push(r);
                continue;
            }
            _ => {}
        }
        let Some(action) = r.action else { continue };
        let to_us = ours(r.dst) || ours(r.pkt_dst) || ctx.eni_addrs.is_empty();
        let from_us = ours(r.src) || ours(r.pkt_src) || ctx.eni_addrs.is_empty();
        let port = query_port(ctx);
        let inbound = r.direction != Some(Direction::Egress)
            && to_us
            && proto_matches(ctx, r.protocol)
            && (port.is_none() || r.dstport == port);
        let reply = !inbound
            && r.direction != Some(Direction::Ingress)
            && from_us
            && proto_matches(ctx, r.protocol)
            && (port.is_none() || r.srcport == port);
        if !inbound && !reply {
            if to_us && r.direction != Some(Direction::Egress) && !ours(r.src) {
                let p = match (r.protocol, r.dstport) {
                    (Some(6), Some(p)) => format!("tcp/{p}"),
                    (Some(17), Some(p)) => format!("udp/{p}"),
                    (Some(1), _) | (Some(58), _) => "icmp".to_owned(),
                    (Some(n), _) => format!("protocol {n}"),
                    _ => continue,
                };
                // Replies to connections the instance opened are not inbound ports.
                if r.dstport.is_some_and(|p| p < 32768) || r.protocol == Some(1) {
                    *t.other_ports.entry(p).or_insert(0) += 1;
                }
            }
            continue;
        }
        let client = if inbound {
            r.pkt_src.or(r.src)
        } else {
            r.pkt_dst.or(r.dst)
        };
        if !client.is_some_and(|c| ctx.sources.contains(c)) {
            t.other_sources.push(r);
            continue;
        }
        match (inbound, action) {
            (true, Action::Accept) => t.in_accept.push(r),
            (true, Action::Reject) => t.in_reject.push(r),
            (false, Action::Accept) => t.reply_accept.push(r),
            (false, Action::Reject) => t.reply_reject.push(r),
        }
    }
    t
}

fn clients(recs: &[&Rec], inbound: bool) -> BTreeSet<IpAddr> {
    set_of(recs.iter().filter_map(|r| {
        if inbound {
            r.pkt_src.or(r.src)
        } else {
            r.pkt_dst.or(r.dst)
        }
    }))
}

fn addr_list(set: &BTreeSet<IpAddr>) -> String {
    let shown: Vec<String> = set.iter().take(3).map(|a| format!("`{a}`")).collect();
    if set.len() > 3 {
        format!("{} and {} more", shown.join(", "), set.len() - 3)
    } else {
        join_and(&shown)
    }
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// The flow logs (from describe-flow-logs) that capture the target interface.
fn covering<'i>(ctx: &Ctx<'i>) -> Vec<(&'i FlowLogConfig, &'static str)> {
    let (subnet, vpc) = match ctx.eni {
        Some(e) => (e.subnet_id.clone(), e.vpc_id.clone()),
        None => {
            let inst = ctx
                .instance_id
                .as_deref()
                .and_then(|i| ctx.inv.instances.get(i));
            (
                inst.and_then(|i| i.subnet_id.clone()),
                inst.and_then(|i| i.vpc_id.clone()),
            )
        }
    };
    ctx.inv
        .flow_logs
        .iter()
        .filter_map(|fl| {
            if Some(fl.resource_id.as_str()) == ctx.eni_id.as_deref() {
                Some((fl, "the network interface"))
            } else if Some(fl.resource_id.as_str()) == subnet.as_deref() {
                Some((fl, "its subnet"))
            } else if Some(&fl.resource_id) == vpc.as_ref() {
                Some((fl, "its VPC"))
            } else {
                None
            }
        })
        .filter(|(fl, _)| {
            fl.status
                .as_deref()
                .is_none_or(|s| s.eq_ignore_ascii_case("active"))
        })
        .collect()
}

fn coverage_sentence(cov: &[(&FlowLogConfig, &str)]) -> String {
    let parts: Vec<String> = cov
        .iter()
        .map(|(fl, what)| {
            let traffic = fl.traffic_type.as_deref().unwrap_or("ALL");
            let dest = fl
                .destination
                .as_deref()
                .map(|d| format!(" to `{d}`"))
                .unwrap_or_default();
            format!(
                "`{}` on {what} `{}` ({traffic} traffic{dest})",
                fl.id, fl.resource_id
            )
        })
        .collect();
    format!("flow logs {} capture this interface", join_and(&parts))
}

/// Which actions the covering flow logs record, if they restrict it.
fn logged_only(cov: &[(&FlowLogConfig, &str)]) -> Option<Action> {
    if cov.is_empty() {
        return None;
    }
    let types: BTreeSet<String> = set_of(cov.iter().map(|(fl, _)| {
        fl.traffic_type
            .as_deref()
            .unwrap_or("ALL")
            .to_ascii_uppercase()
    }));
    if types.contains("ALL") || (types.contains("ACCEPT") && types.contains("REJECT")) {
        None
    } else if types.contains("ACCEPT") {
        Some(Action::Accept)
    } else if types.contains("REJECT") {
        Some(Action::Reject)
    } else {
        None
    }
}

const RECOMMENDED_FORMAT: &str = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${pkt-srcaddr} ${pkt-dstaddr} ${flow-direction}";

/// The commands that turn on flow logs for the interface, to an S3 bucket (no IAM role needed).
fn enable_fix(eni: &str) -> Fix {
    Fix {
        summary: format!("turn on flow logs for `{eni}` (delivered to a new S3 bucket every few minutes)"),
        commands: vec![
            "BUCKET=vpc-flow-logs-$(aws sts get-caller-identity --query Account --output text)".to_owned(),
            "aws s3 mb \"s3://$BUCKET\"".to_owned(),
            format!(
                "aws ec2 create-flow-logs --resource-type NetworkInterface --resource-ids {eni} --traffic-type ALL --max-aggregation-interval 60 --log-destination-type s3 --log-destination \"arn:aws:s3:::$BUCKET/\" --log-format '{RECOMMENDED_FORMAT}'"
            ),
        ],
        actions: Vec::new(),
        note: Some(format!(
            "try to connect, wait about ten minutes, then fetch the records with `aws s3 cp \"s3://$BUCKET/\" flowlogs --recursive` and pass them decompressed (`zcat flowlogs/AWSLogs/*/vpcflowlogs/*/*/*/*/*.log.gz`); to send them to CloudWatch Logs instead use `--log-destination-type cloud-watch-logs --log-group-name vpc-flow-logs --deliver-logs-permission-arn <role ARN>` and read them with `aws logs tail vpc-flow-logs --log-stream-names {eni}-all --since 1h`"
        )),
    }
}

/// How to read the records of a flow log that exists.
fn fetch_hint(cov: &[(&FlowLogConfig, &str)], eni: &str) -> String {
    let Some((fl, _)) = cov.first() else {
        return String::new();
    };
    match fl.destination.as_deref() {
        Some(d) if d.starts_with("arn:aws:s3:::") => {
            let bucket = d.trim_start_matches("arn:aws:s3:::").trim_end_matches('/');
            format!(
                "fetch them with `aws s3 cp s3://{bucket}/ flowlogs --recursive` and pass the `.log.gz` files decompressed, or just the lines with `{eni}`"
            )
        }
        Some(d) => {
            let group = d
                .strip_prefix("arn:")
                .and_then(|_| d.split(":log-group:").nth(1))
                .map(|g| g.trim_end_matches(":*"))
                .unwrap_or(d);
            format!(
                "fetch them with `aws logs tail {group} --log-stream-names {eni}-all --since 1h`"
            )
        }
        None => format!("pass the records for `{eni}`"),
    }
}

/// The flow-logs check: from records when given, else from `describe-flow-logs` coverage.
pub(crate) fn evaluate(ctx: &Ctx<'_>, recs: &[Rec], records_given: bool) -> Option<Check> {
    let described = ctx.inv.provided.contains(&Command::DescribeFlowLogs);
    if !records_given && !described {
        return None;
    }
    let cov = covering(ctx);
    let eni = ctx.eni_id.clone().unwrap_or_else(|| "eni-…".to_owned());
    if !records_given {
        let (summary, fix) = if cov.is_empty() {
            (
                format!(
                    "no flow logs were given, and none of the flow logs in describe-flow-logs capture `{eni}`, its subnet or its VPC; turn them on to see whether {} arrives and is accepted",
                    ctx.what()
                ),
                Some(enable_fix(&eni)),
            )
        } else {
            (
                format!(
                    "no flow log records were given; {}: {} to see whether {} arrives and is accepted",
                    coverage_sentence(&cov),
                    fetch_hint(&cov, &eni),
                    ctx.what()
                ),
                None,
            )
        };
        let evidence = cov
            .iter()
            .map(|(fl, _)| Evidence {
                object: fl.id.as_str().to_owned(),
                detail: format!(
                    "flow log on `{}`, traffic type {}",
                    fl.resource_id,
                    fl.traffic_type.as_deref().unwrap_or("ALL")
                ),
                origin: Some(fl.origin.clone()),
            })
            .collect();
        return Some(Check {
            layer: Layer::FlowLogs,
            status: Status::NotApplicable,
            summary,
            evidence,
            fix,
        });
    }
    Some(judge(ctx, recs, &cov, described))
}

/// Rejected clients whose later records are accepted: the rule was changed in between. Their
/// rejects move out of `in_reject` and are returned, so each client is judged by its latest record.
fn superseded<'r>(t: &mut Tally<'r>) -> Vec<&'r Rec> {
    let time = |r: &Rec| (r.start.unwrap_or(0), r.line);
    let mut latest_accept: BTreeMap<IpAddr, (u64, usize)> = BTreeMap::new();
    for r in &t.in_accept {
        if let Some(c) = r.pkt_src.or(r.src) {
            let e = latest_accept.entry(c).or_insert(time(r));
            *e = (*e).max(time(r));
        }
    }
    let (old, current): (Vec<&Rec>, Vec<&Rec>) = t.in_reject.iter().partition(|r| {
        r.pkt_src
            .or(r.src)
            .and_then(|c| latest_accept.get(&c))
            .is_some_and(|a| *a > time(r))
    });
    t.in_reject = current;
    old
}

fn judge(ctx: &Ctx<'_>, recs: &[Rec], cov: &[(&FlowLogConfig, &str)], described: bool) -> Check {
    let mut t = tally(ctx, recs);
    let earlier = superseded(&mut t);
    let input = recs
        .first()
        .map_or("flow logs", |r| r.input.as_str())
        .to_owned();
    let what = ctx.what();
    let eni = ctx
        .eni_id
        .clone()
        .unwrap_or_else(|| "the target interface".to_owned());
    let window = match (t.first, t.last) {
        (Some(a), Some(b)) => format!(" between {} and {}", utc(a), utc(b)),
        _ => String::new(),
    };
    let only = logged_only(cov);
    let mut tail: Vec<String> = Vec::new();
    if !cov.is_empty() {
        tail.push(coverage_sentence(cov));
    } else if described {
        tail.push(format!(
            "describe-flow-logs shows no active flow log on `{eni}`, its subnet or its VPC, although records were given: the describe-flow-logs output is probably stale or for another region"
        ));
    }
    let ev = |rs: &[&Rec]| -> Vec<Evidence> {
        capped(rs, 5, &input, |r| r.evidence(), "records like these")
    };

    if t.on_eni == 0 {
        let seen: Vec<String> = t
            .interfaces
            .iter()
            .take(5)
            .map(|i| format!("`{i}`"))
            .collect();
        let whose = if seen.is_empty() {
            String::new()
        } else {
            format!(" (they are for {})", join_and(&seen))
        };
        let target = ctx
            .eni_id
            .clone()
            .or_else(|| ctx.private.map(|p| p.to_string()))
            .unwrap_or_else(|| "the target".to_owned());
        tail.insert(
            0,
            format!(
                "none of the {} flow log records is for `{target}`{whose}; pass the records of `{eni}`",
                recs.len()
            ),
        );
        return Check {
            layer: Layer::FlowLogs,
            status: Status::NotApplicable,
            summary: tail.join("; "),
            evidence: Vec::new(),
            fix: None,
        };
    }

    let admitted = ctx.config_admitted();
    let mut evidence: Vec<Evidence> = Vec::new();
    let mut sentences: Vec<String> = Vec::new();
    let status;

    if !t.reply_reject.is_empty() {
        status = Status::Fail;
        let to: BTreeSet<IpAddr> = clients(&t.reply_reject, false);
        let ports: BTreeSet<u16> = set_of(t.reply_reject.iter().filter_map(|r| r.dstport));
        let port_list: Vec<String> = ports.iter().take(5).map(|p| p.to_string()).collect();
        sentences.push(format!(
            "the VPC accepted inbound {what} but rejected the replies to {} (client ports {}; {}{window}): the outbound network ACL does not allow replies to the clients' ephemeral ports",
            addr_list(&to),
            port_list.join(", "),
            plural(t.reply_reject.len(), "reply record")
        ));
        evidence.extend(ev(&t.in_accept));
        evidence.extend(ev(&t.reply_reject));
        let contradicted: Vec<&&Rec> = t
            .reply_reject
            .iter()
            .filter(|r| match (r.pkt_dst.or(r.dst), r.dstport) {
                (Some(c), Some(p)) => ctx.config_admits_reply(c, p),
                _ => false,
            })
            .collect();
        if !contradicted.is_empty() {
            sentences.push(format!(
                "this contradicts the configuration check, which finds that the outbound network ACL allows these replies: the pasted configuration is probably stale or incomplete (or the rules changed after {}); run describe-network-acls again",
                contradicted.last().map_or_else(String::new, |r| r.when())
            ));
        }
    } else if !t.in_reject.is_empty() {
        let rejected = clients(&t.in_reject, true);
        let blamed = match (
            ctx.config_status(Layer::SecurityGroup),
            ctx.config_status(Layer::NetworkAclInbound),
        ) {
            (Some(Status::Fail), Some(Status::Fail)) => {
                " (the configuration check finds that both block it)".to_owned()
            }
            (Some(Status::Fail), _) => {
                " (the configuration check points at the security group)".to_owned()
            }
            (_, Some(Status::Fail)) => {
                " (the configuration check points at the inbound network ACL)".to_owned()
            }
            _ => String::new(),
        };
        if t.in_accept.is_empty() {
            status = Status::Fail;
            sentences.push(format!(
                "the VPC rejected inbound {what} from {} ({}{window}): the security group or the inbound network ACL drops this traffic{blamed}",
                addr_list(&rejected),
                plural(t.in_reject.len(), "record")
            ));
        } else {
            status = Status::Warn;
            let accepted = clients(&t.in_accept, true);
            sentences.push(format!(
                "the VPC accepted inbound {what} from {} but rejected it from {} ({} accepted, {} rejected{window}): the security group or the inbound network ACL admits only some sources{blamed}",
                addr_list(&accepted),
                addr_list(&rejected),
                t.in_accept.len(),
                plural(t.in_reject.len(), "record")
            ));
            evidence.extend(ev(&t.in_accept));
        }
        evidence.extend(ev(&t.in_reject));
        let contra: BTreeSet<IpAddr> =
            set_of(rejected.iter().copied().filter(|c| admitted.contains(*c)));
        if !contra.is_empty() {
            let last = t
                .in_reject
                .iter()
                .rfind(|r| r.pkt_src.or(r.src).is_some_and(|c| contra.contains(&c)))
                .map_or_else(String::new, |r| r.when());
            sentences.push(format!(
                "this contradicts the configuration check, which finds that the security group and the inbound network ACL admit {}: the pasted configuration is probably stale or incomplete (or the rules changed after {last}); run describe-security-groups and describe-network-acls again",
                addr_list(&contra)
            ));
        }
    } else if !t.in_accept.is_empty() {
        let accepted = clients(&t.in_accept, true);
        evidence.extend(ev(&t.in_accept));
        if t.reply_accept.is_empty() && query_port(ctx).is_some() {
            status = Status::Warn;
            let mut s = format!(
                "the VPC accepted inbound {what} from {} ({}{window}), but no reply left the instance: the instance itself did not answer — check its firewall, that a service listens on the port, and its routes",
                addr_list(&accepted),
                plural(t.in_accept.len(), "record")
            );
            if only == Some(Action::Accept) {
                s.push_str(" (the flow log records only accepted traffic, so replies rejected by the outbound network ACL would not show)");
            }
            sentences.push(s);
        } else {
            status = Status::Pass;
            sentences.push(format!(
                "the VPC accepted inbound {what} from {} and the instance's replies ({}{window})",
                addr_list(&accepted),
                plural(t.in_accept.len() + t.reply_accept.len(), "record")
            ));
            evidence.extend(ev(&t.reply_accept));
        }
        let blocked = ctx.sources.subtract(&admitted);
        let contra: BTreeSet<IpAddr> =
            set_of(accepted.iter().copied().filter(|c| blocked.contains(*c)));
        let config_blocks = ctx.config_status(Layer::SecurityGroup) == Some(Status::Fail)
            || ctx.config_status(Layer::NetworkAclInbound) == Some(Status::Fail);
        if config_blocks && !contra.is_empty() {
            sentences.push(format!(
                "this contradicts the configuration check, which finds that the security group or the inbound network ACL blocks {}: the pasted configuration is probably stale or incomplete (or the rules changed); run the describe-* commands again",
                addr_list(&contra)
            ));
        }
    } else if only == Some(Action::Reject) {
        status = Status::Pass;
        sentences.push(format!(
            "no inbound {what} from {} was rejected among {} for `{eni}`{window} (the flow log records only rejected traffic, so accepted traffic does not show)",
            ctx.source_label,
            plural(t.on_eni, "record")
        ));
    } else {
        status = Status::Warn;
        let mut s = format!(
            "no inbound {what} from {} among {} for `{eni}`{window}: the traffic never reached the network interface — check the address the client connects to{}, the internet gateway and the route table, or the client used another address or port",
            ctx.source_label,
            plural(t.on_eni, "record"),
            ctx.report
                .target
                .address
                .map(|a| format!(" (it must be `{a}`)"))
                .unwrap_or_default()
        );
        if !t.other_ports.is_empty() {
            let ports: Vec<String> = t
                .other_ports
                .keys()
                .take(5)
                .map(|p| format!("`{p}`"))
                .collect();
            s.push_str(&format!(
                "; inbound records show {} instead",
                join_and(&ports)
            ));
        }
        if !t.nodata.is_empty() && t.nodata.len() == t.on_eni {
            s.push_str("; every record is NODATA: no traffic at all reached the interface in these intervals");
        }
        sentences.push(s);
        evidence.extend(capped(
            &t.nodata,
            3,
            &input,
            |r| r.evidence(),
            "NODATA records",
        ));
    }
    if !t.other_sources.is_empty() {
        let others: BTreeSet<IpAddr> = set_of(
            t.other_sources
                .iter()
                .filter_map(|r| r.pkt_src.or(r.src))
                .filter(|a| !ctx.eni_addrs.contains(a))
                .chain(
                    t.other_sources
                        .iter()
                        .filter_map(|r| r.pkt_dst.or(r.dst))
                        .filter(|a| !ctx.eni_addrs.contains(a)),
                ),
        );
        if !others.is_empty() {
            let n = t.other_sources.len();
            sentences.push(format!(
                "{} for the port from other sources ({}) {} left out, since the question is about {}",
                plural(n, "record"),
                addr_list(&others),
                if n == 1 { "was" } else { "were" },
                ctx.source_label
            ));
        }
    }
    if !earlier.is_empty() {
        let who = clients(&earlier, true);
        let until = earlier
            .iter()
            .filter_map(|r| r.end.or(r.start))
            .max()
            .map(utc);
        sentences.push(format!(
            "earlier records rejected {} (until {}) but later ones were accepted: the blocking rule was changed in between",
            addr_list(&who),
            until.unwrap_or_else(|| "an unknown time".to_owned())
        ));
    }
    if !t.skipdata.is_empty() {
        let n = t.skipdata.len();
        let are = if n == 1 {
            "1 record is".to_owned()
        } else {
            format!("{n} records are")
        };
        sentences.push(format!(
            "{are} SKIPDATA: some flows were not captured in those intervals"
        ));
    }
    sentences.extend(tail);
    Check {
        layer: Layer::FlowLogs,
        status,
        summary: sentences.join("; "),
        evidence,
        fix: None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::super::text::split;
    use super::*;

    fn parse_text(text: &str, formats: &[Format]) -> Option<(Vec<Rec>, usize)> {
        let segs = split("flows.txt", text);
        let seg = segs.first()?;
        parse(seg, formats).map(|(r, s)| (r, s.len()))
    }

    #[test]
    fn default_format_records_from_the_user_guide() {
        let text = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n\
                    2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK\n\
                    2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA\n\
                    2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA\n";
        let (recs, skipped) = parse_text(text, &[default_format()]).unwrap();
        assert_eq!(skipped, 0);
        assert_eq!(recs.len(), 4);
        assert_eq!(recs[0].action, Some(Action::Accept));
        assert_eq!(recs[0].dstport, Some(22));
        assert_eq!(recs[0].src, "172.31.16.139".parse().ok());
        assert_eq!(recs[1].action, Some(Action::Reject));
        assert_eq!(recs[2].status, Some(LogStatus::NoData));
        assert_eq!(recs[2].src, None);
        assert_eq!(recs[3].status, Some(LogStatus::SkipData));
        assert_eq!(recs[1].line, 2);
    }

    #[test]
    fn ipv6_records() {
        let text = "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK\n";
        let (recs, _) = parse_text(text, &[default_format()]).unwrap();
        assert_eq!(
            recs[0].dst,
            "2001:db8:1234:a102:3304:8879:34cf:4071".parse().ok()
        );
    }

    #[test]
    fn custom_format_from_describe_flow_logs() {
        let fmt = parse_log_format("${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${account-id} ${type} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} ${bytes} ${packets} ${start} ${end} ${action} ${tcp-flags} ${log-status}").unwrap();
        let text = "3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789012 IPv4 52.213.180.42 10.0.0.62 43416 5001 52.213.180.42 10.0.0.62 6 568 8 1566848875 1566848933 ACCEPT 2 OK\n\
                    3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789012 IPv4 10.0.0.62 52.213.180.42 5001 43416 10.0.0.62 52.213.180.42 6 376 7 1566848875 1566848933 ACCEPT 18 OK\n";
        let (recs, skipped) = parse_text(text, &[fmt, default_format()]).unwrap();
        assert_eq!(skipped, 0);
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].pkt_src, "52.213.180.42".parse().ok());
        assert_eq!(recs[1].srcport, Some(5001));
        // Without the format, the same lines are not records.
        assert!(parse_text(text, &[default_format()]).is_none());
    }

    #[test]
    fn s3_file_with_header_line() {
        let text = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status pkt-srcaddr pkt-dstaddr flow-direction\n\
                    2 123456789012 eni-0a1b2c3d4e5f67890 198.51.100.7 10.0.1.5 51234 22 6 3 180 1714558320 1714558380 REJECT OK 198.51.100.7 10.0.1.25 ingress\n";
        let (recs, skipped) = parse_text(text, &[default_format()]).unwrap();
        assert_eq!(skipped, 0);
        assert_eq!(recs[0].pkt_dst, "10.0.1.25".parse().ok());
        assert_eq!(recs[0].direction, Some(Direction::Ingress));
        // A header alone (an empty export) is still recognised.
        let (recs, _) = parse_text("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n", &[default_format()]).unwrap();
        assert!(recs.is_empty());
    }

    #[test]
    fn logs_insights_csv_export() {
        let text = "@timestamp,@message\n\
                    2024-05-01 10:12:03.000,2 123456789012 eni-0a1b2c3d4e5f67890 198.51.100.7 10.0.1.5 51234 22 6 3 180 1714558320 1714558380 REJECT OK\n\
                    \"2024-05-01 10:13:03.000\",\"2 123456789012 eni-0a1b2c3d4e5f67890 10.0.1.5 198.51.100.7 22 51234 6 3 180 1714558380 1714558440 ACCEPT OK\"\n";
        let (recs, skipped) = parse_text(text, &[default_format()]).unwrap();
        assert_eq!(skipped, 0);
        assert_eq!(recs.len(), 2);
        assert_eq!(
            recs[0].timestamp.as_deref(),
            Some("2024-05-01 10:12:03.000")
        );
        assert_eq!(recs[1].srcport, Some(22));
    }

    #[test]
    fn athena_and_insights_parsed_columns() {
        let text = "interfaceId,srcAddr,dstAddr,srcPort,dstPort,protocol,action,logStatus\n\
                    eni-0a1b2c3d4e5f67890,198.51.100.7,10.0.1.5,51234,22,6,REJECT,OK\n";
        let (recs, _) = parse_text(text, &[default_format()]).unwrap();
        assert_eq!(recs[0].action, Some(Action::Reject));
        let text = "version,account_id,interface_id,srcaddr,dstaddr,srcport,dstport,protocol,packets,bytes,start,end,action,log_status\n\
                    \"2\",\"123456789012\",\"eni-0a1b2c3d4e5f67890\",\"198.51.100.7\",\"10.0.1.5\",\"51234\",\"22\",\"6\",\"3\",\"180\",\"1714558320\",\"1714558380\",\"ACCEPT\",\"OK\"\n";
        let (recs, _) = parse_text(text, &[default_format()]).unwrap();
        assert_eq!(recs[0].action, Some(Action::Accept));
    }

    #[test]
    fn records_inside_console_and_tail_lines() {
        let text = "2024-05-01T10:12:03.000000+00:00 eni-0a1b2c3d4e5f67890-all 2 123456789012 eni-0a1b2c3d4e5f67890 198.51.100.7 10.0.1.5 51234 22 6 3 180 1714558320 1714558380 REJECT OK\n\
                    2024-05-01T10:13:03.000Z\t2 123456789012 eni-0a1b2c3d4e5f67890 198.51.100.7 10.0.1.5 51235 22 6 3 180 1714558380 1714558440 REJECT OK\n";
        let (recs, skipped) = parse_text(text, &[default_format()]).unwrap();
        assert_eq!((recs.len(), skipped), (2, 0));
        assert_eq!(recs[1].srcport, Some(51235));
    }

    #[test]
    fn unrelated_text_is_not_flow_logs() {
        assert!(parse_text("hello world\nthis is not a flow log\n", &[default_format()]).is_none());
        assert!(parse_text("default via 10.0.1.1 dev eth0\n", &[default_format()]).is_none());
        // A malformed record among good ones is skipped, not fatal.
        let text = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n\
                    2 123456789010 eni-1235b8ca123456789 172.31.16.139 999.1.1.1 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n\
                    2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n";
        let (recs, skipped) = parse_text(text, &[default_format()]).unwrap();
        assert_eq!((recs.len(), skipped), (2, 1));
    }

    #[test]
    fn field_names_in_every_spelling() {
        assert_eq!(field_named("log-status"), Some(Field::LogStatus));
        assert_eq!(field_named("log_status"), Some(Field::LogStatus));
        assert_eq!(field_named("logStatus"), Some(Field::LogStatus));
        assert_eq!(field_named("${pkt-dstaddr}"), Some(Field::PktDstAddr));
        assert_eq!(field_named("@message"), Some(Field::Message));
        assert_eq!(field_named("banana"), None);
        assert!(parse_log_format("version srcaddr").is_none());
    }
}
