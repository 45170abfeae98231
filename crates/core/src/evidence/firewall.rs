//! Host firewalls inside the instance: one evaluator, five front ends.
//!
//! Every format is read into the same model: named chains of rules, each rule a set of match
//! conditions and a target (accept, drop, reject, return, jump, goto, or "continue" for logging
//! and counting rules), and base chains with a policy. The evaluator pushes the *set* of queried
//! sources through the chains, so a rule that accepts only `203.0.113.0/24` splits the set exactly
//! and every part ends at the rule (or policy) that decides it. A new connection's first packet is
//! what we follow: conntrack state `NEW`, a SYN for TCP, a client port in 1024–65535, arriving on the
//! interface that holds the target address.
//!
//! Conditions we cannot evaluate (ipsets, marks, `-m string`) are assumed not to match, and the
//! rule is named in the summary; if such a rule could drop the traffic, a pass becomes a warning.
//! Rate limits are assumed to let the first packets through.
//!
//! Formats are described in the submodules: [`iptables`], [`nft`], [`ufw`], [`firewalld`],
//! [`netsh`].

mod firewalld;
mod iptables;
mod netsh;
mod nft;
mod ufw;

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use super::text::set_of;
use super::{describe_set, Cite, Ctx, Line, Segment};
use crate::fix::Fix;
use crate::net::{Family, IpSet, PortRange};
use crate::report::{Check, Evidence, Layer, QueryProtocol, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Accept,
    Drop,
    Reject,
}

impl Verdict {
    fn word(self) -> &'static str {
        match self {
            Verdict::Accept => "accepts",
            Verdict::Drop => "drops",
            Verdict::Reject => "rejects",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Verdict(Verdict),
    Return,
    Jump(String),
    Goto(String),
    /// Logging, counting, marking: evaluation goes on with the next rule.
    Continue,
    /// A target that hands the packet elsewhere (`QUEUE`, `NFQUEUE`): we cannot follow it.
    Unknown(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Proto {
    All,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    Num(u8),
}

impl Proto {
    /// `tcp`, `6`, `ipv6-icmp`, `all`, …
    pub fn parse(s: &str) -> Option<Proto> {
        Some(match s.to_ascii_lowercase().as_str() {
            "all" | "any" | "0" | "ip" => Proto::All,
            "tcp" | "6" => Proto::Tcp,
            "udp" | "17" => Proto::Udp,
            "icmp" | "1" | "icmpv4" => Proto::Icmp,
            "icmpv6" | "ipv6-icmp" | "58" => Proto::Icmpv6,
            n => Proto::Num(n.parse().ok()?),
        })
    }

    fn number(self) -> Option<u8> {
        match self {
            Proto::All => None,
            Proto::Tcp => Some(6),
            Proto::Udp => Some(17),
            Proto::Icmp => Some(1),
            Proto::Icmpv6 => Some(58),
            Proto::Num(n) => Some(n),
        }
    }
}

/// The match conditions of one rule. `(true, …)` is a negated condition (`! -s …`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Cond {
    pub family: Option<Family>,
    pub protos: Option<(bool, Vec<Proto>)>,
    pub dports: Option<(bool, Vec<PortRange>)>,
    pub sports: Option<(bool, Vec<PortRange>)>,
    pub src: Option<(bool, IpSet)>,
    pub dst: Option<(bool, IpSet)>,
    pub iif: Option<(bool, String)>,
    /// Conntrack states, upper case (`NEW`, `ESTABLISHED`, …).
    pub states: Option<(bool, Vec<String>)>,
    /// ICMP types; an empty list matches any type.
    pub icmp_types: Option<(bool, Vec<u8>)>,
    /// `Some(true)`: only a SYN matches (`--syn`); `Some(false)`: a SYN never matches.
    pub syn: Option<bool>,
    /// A reason the first packet of a new connection never matches (`--connlimit-above`).
    pub never: Option<String>,
    /// Conditions we cannot evaluate.
    pub unknown: Vec<String>,
    /// Conditions we assume match (rate limits), said in the summary.
    pub assumed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rule {
    pub cite: Cite,
    pub cond: Cond,
    pub target: Target,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chain {
    pub rules: Vec<Rule>,
    /// Base chains end in their policy; other chains return to their caller.
    pub base: bool,
    pub policy: Verdict,
    /// The line that sets the policy, if any (else the format's default).
    pub policy_cite: Option<Cite>,
    /// The chain's name as the user knows it (`INPUT`, `input`, zone `public`).
    pub display: String,
}

impl Chain {
    pub fn new(display: &str, base: bool, policy: Verdict, policy_cite: Option<Cite>) -> Chain {
        Chain {
            rules: Vec::new(),
            base,
            policy,
            policy_cite,
            display: display.to_owned(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    Iptables,
    Nftables,
    Ufw,
    Firewalld,
    Windows,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Iptables => "iptables",
            Kind::Nftables => "nftables",
            Kind::Ufw => "ufw",
            Kind::Firewalld => "firewalld",
            Kind::Windows => "Windows Firewall",
        }
    }

    /// For "line 3 is not understood as …".
    pub fn what(self) -> &'static str {
        match self {
            Kind::Iptables => "an iptables rule",
            Kind::Nftables => "an nftables rule",
            Kind::Ufw => "a ufw rule",
            Kind::Firewalld => "a firewalld zone setting",
            Kind::Windows => "a Windows Firewall rule",
        }
    }
}

/// Per-format data the fix commands need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FixInfo {
    Iptables {
        v6: bool,
    },
    /// chain key → (family, table, chain)
    Nft(BTreeMap<String, (String, String, String)>),
    Ufw {
        has_rules: bool,
    },
    Firewalld {
        zone: String,
    },
    /// chain position → rule name
    Windows(BTreeMap<usize, String>),
}

/// One firewall's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ruleset {
    pub kind: Kind,
    pub input: String,
    /// `None`: applies to both families (nftables `inet`, Windows).
    pub family: Option<Family>,
    pub chains: BTreeMap<String, Chain>,
    /// Base chains the packet crosses, in order; it must be accepted by each.
    pub bases: Vec<String>,
    /// Base chains that see only one family (nftables `ip` / `ip6` tables).
    pub base_families: BTreeMap<String, Family>,
    /// The firewall is off (ufw inactive, firewalld not running, profile state OFF).
    pub disabled: Option<Cite>,
    /// False for a Windows profile listing without rules: it only lends its state and policy.
    pub rule_listing: bool,
    pub notes: Vec<String>,
    pub fix: FixInfo,
}

/// Recognises a firewall configuration.
pub(crate) fn parse<'a>(seg: &Segment<'a>) -> Option<(Ruleset, Vec<Line<'a>>)> {
    iptables::parse(seg)
        .or_else(|| nft::parse(seg))
        .or_else(|| ufw::parse(seg))
        .or_else(|| firewalld::parse(seg))
        .or_else(|| netsh::parse(seg))
}

// ---------------------------------------------------------------------------------------------
// Shared value parsers

/// A port, a `from:to` / `from-to` range (open ends allowed), or a well-known service name.
pub(crate) fn port_range(s: &str) -> Option<PortRange> {
    let s = s.trim();
    let sep = if s.contains(':') { ':' } else { '-' };
    match s.split_once(sep) {
        Some((a, b)) => {
            let a = if a.is_empty() { 0 } else { service_port(a)? };
            let b = if b.is_empty() {
                u16::MAX
            } else {
                service_port(b)?
            };
            PortRange::new(a, b)
        }
        None => service_port(s).map(PortRange::single),
    }
}

fn service_port(s: &str) -> Option<u16> {
    if let Ok(p) = s.parse() {
        return Some(p);
    }
    Some(match s.to_ascii_lowercase().as_str() {
        "ssh" => 22,
        "http" | "www" => 80,
        "https" => 443,
        "ms-wbt-server" | "rdp" => 3389,
        "domain" | "dns" => 53,
        "mysql" => 3306,
        "postgresql" | "postgres" => 5432,
        "smtp" => 25,
        "ftp" => 21,
        "telnet" => 23,
        "ntp" => 123,
        "http-alt" => 8080,
        _ => return None,
    })
}

/// Ports of the services firewalld and friends name (`firewall-cmd --get-services`).
pub(crate) fn service_ports(name: &str) -> Option<Vec<(Proto, PortRange)>> {
    let t = |p: u16| (Proto::Tcp, PortRange::single(p));
    let u = |p: u16| (Proto::Udp, PortRange::single(p));
    Some(match name {
        "ssh" => vec![t(22)],
        "http" => vec![t(80)],
        "https" => vec![t(443)],
        "http3" => vec![u(443)],
        "rdp" | "ms-wbt" => vec![t(3389)],
        "mysql" => vec![t(3306)],
        "postgresql" => vec![t(5432)],
        "dns" => vec![t(53), u(53)],
        "ftp" => vec![t(21)],
        "smtp" => vec![t(25)],
        "smtps" => vec![t(465)],
        "smtp-submission" => vec![t(587)],
        "imap" => vec![t(143)],
        "imaps" => vec![t(993)],
        "pop3" => vec![t(110)],
        "pop3s" => vec![t(995)],
        "cockpit" => vec![t(9090)],
        "dhcpv6-client" => vec![u(546)],
        "dhcp" => vec![u(67)],
        "ntp" => vec![u(123)],
        "redis" => vec![t(6379)],
        "mongodb" => vec![t(27017)],
        "openvpn" => vec![u(1194)],
        "wireguard" => vec![u(51820)],
        "nfs" => vec![t(2049)],
        "mdns" => vec![u(5353)],
        "snmp" => vec![u(161)],
        "ldap" => vec![t(389)],
        "ldaps" => vec![t(636)],
        "kerberos" => vec![t(88), u(88)],
        "vnc-server" => vec![(Proto::Tcp, PortRange::new(5900, 5903)?)],
        "elasticsearch" => vec![t(9200), t(9300)],
        "kibana" => vec![t(5601)],
        "samba" => vec![u(137), u(138), t(139), t(445)],
        _ => return None,
    })
}

/// An address, a CIDR, a `a-b` range or an address with a dotted mask, as a set.
pub(crate) fn addr_set(s: &str) -> Option<IpSet> {
    let s = s.trim();
    if let Some((a, b)) = s.split_once('-') {
        let a: IpAddr = a.trim().parse().ok()?;
        let b: IpAddr = b.trim().parse().ok()?;
        return match (a, b) {
            (IpAddr::V4(a), IpAddr::V4(b)) if a <= b => Some(IpSet {
                v4: crate::net::RangeSet::from_range(u32::from(a), u32::from(b)),
                v6: crate::net::RangeSet::empty(),
            }),
            (IpAddr::V6(a), IpAddr::V6(b)) if a <= b => Some(IpSet {
                v4: crate::net::RangeSet::empty(),
                v6: crate::net::RangeSet::from_range(u128::from(a), u128::from(b)),
            }),
            _ => None,
        };
    }
    if let Some((a, m)) = s.split_once('/') {
        if m.contains('.') {
            let a: IpAddr = a.parse().ok()?;
            let m: std::net::Ipv4Addr = m.parse().ok()?;
            let bits = u32::from(m);
            let len = bits.leading_ones();
            if bits.checked_shl(len).unwrap_or(0) != 0 {
                return None;
            }
            return crate::net::Cidr::new(a, u8::try_from(len).ok()?).map(|c| c.to_set());
        }
    }
    crate::net::Cidr::parse(s).ok().map(|c| c.to_set())
}

/// ICMP type names used by iptables, nftables, firewalld; and numbers (`8`, `8/0`).
pub(crate) fn icmp_type(s: &str) -> Option<u8> {
    let s = s.split('/').next().unwrap_or(s);
    if let Ok(n) = s.parse() {
        return Some(n);
    }
    Some(match s.to_ascii_lowercase().as_str() {
        "echo-request" | "ping" => 8,
        "echo-reply" | "pong" => 0,
        "destination-unreachable" => 3,
        "time-exceeded" => 11,
        "parameter-problem" => 12,
        "redirect" => 5,
        "router-advertisement" => 9,
        "router-solicitation" => 10,
        "timestamp-request" => 13,
        "timestamp-reply" => 14,
        _ => return None,
    })
}

/// ICMPv6 type names (echo request is 128).
pub(crate) fn icmpv6_type(s: &str) -> Option<u8> {
    if let Ok(n) = s.split('/').next().unwrap_or(s).parse() {
        return Some(n);
    }
    Some(match s.to_ascii_lowercase().as_str() {
        "echo-request" => 128,
        "echo-reply" => 129,
        "destination-unreachable" => 1,
        "packet-too-big" => 2,
        "time-exceeded" => 3,
        "parameter-problem" => 4,
        "nd-router-solicit" | "router-solicitation" => 133,
        "nd-router-advert" | "router-advertisement" => 134,
        "nd-neighbor-solicit" | "neighbour-solicitation" | "neighbor-solicitation" => 135,
        "nd-neighbor-advert" | "neighbour-advertisement" | "neighbor-advertisement" => 136,
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/// The packet we follow: the first packet of a new connection from the queried sources.
pub(crate) struct Probe<'a> {
    pub family: Family,
    pub protocol: QueryProtocol,
    pub dst: Option<IpAddr>,
    pub iface: Option<&'a str>,
}

enum M {
    Yes,
    No,
    Unknown(String),
}

fn iface_matches(pattern: &str, dev: &str) -> bool {
    match pattern
        .strip_suffix('+')
        .or_else(|| pattern.strip_suffix('*'))
    {
        Some(prefix) => dev.starts_with(prefix),
        None => pattern == dev,
    }
}

/// The ephemeral ports an internet client may use.
fn client_ports() -> PortRange {
    PortRange::new(1024, u16::MAX).unwrap_or(PortRange::ALL)
}

/// Evaluates the non-address conditions; returns the match and the source restriction.
fn eval_cond(c: &Cond, p: &Probe<'_>, assumed: &mut BTreeSet<String>) -> (M, IpSet) {
    let universe = IpSet::all(p.family);
    let mut unknown: Vec<String> = c.unknown.clone();
    let no = (M::No, IpSet::empty());
    if c.family.is_some_and(|f| f != p.family) {
        return no;
    }
    if c.never.is_some() {
        return no;
    }
    let probe_proto = match p.protocol {
        QueryProtocol::Tcp { .. } => Proto::Tcp,
        QueryProtocol::Udp { .. } => Proto::Udp,
        QueryProtocol::Icmp { .. } => {
            if p.family == Family::Ipv6 {
                Proto::Icmpv6
            } else {
                Proto::Icmp
            }
        }
        QueryProtocol::All => Proto::All,
    };
    if let Some((neg, list)) = &c.protos {
        let hit = list.iter().any(|x| match (x, probe_proto) {
            (Proto::All, _) => true,
            (_, Proto::All) => false,
            (a, b) => a.number() == b.number(),
        });
        if hit == *neg {
            return no;
        }
    }
    let port = match p.protocol {
        QueryProtocol::Tcp { port } | QueryProtocol::Udp { port } => Some(port),
        _ => None,
    };
    if let Some((neg, ranges)) = &c.dports {
        let hit = port.is_some_and(|p| ranges.iter().any(|r| r.contains(p)));
        if hit == *neg {
            return no;
        }
    }
    if let Some((neg, ranges)) = &c.sports {
        let eph = client_ports();
        let covers = ranges
            .iter()
            .any(|r| r.from() <= eph.from() && r.to() >= eph.to());
        let disjoint = ranges
            .iter()
            .all(|r| r.to() < eph.from() || r.from() > eph.to());
        match (covers, disjoint, neg) {
            (true, _, false) | (_, true, true) => {}
            (_, true, false) | (true, _, true) => return no,
            _ => unknown.push("a client source-port range".to_owned()),
        }
    }
    if let Some((neg, types)) = &c.icmp_types {
        let hit = match p.protocol {
            QueryProtocol::Icmp { icmp_type, .. } => {
                let t = if p.family == Family::Ipv6 && icmp_type == 8 {
                    128
                } else {
                    icmp_type
                };
                types.is_empty() || types.contains(&t)
            }
            _ => false,
        };
        if hit == *neg {
            return no;
        }
    }
    match c.syn {
        Some(true) if probe_proto != Proto::Tcp => return no,
        Some(false) => return no,
        _ => {}
    }
    if let Some((neg, states)) = &c.states {
        let hit = states.iter().any(|s| s == "NEW");
        if hit == *neg {
            return no;
        }
    }
    if let Some((neg, name)) = &c.iif {
        let hit = match p.iface {
            Some(dev) => iface_matches(name, dev),
            None => {
                if name == "lo" {
                    false
                } else {
                    assumed.insert(format!("that the traffic arrives on `{name}`"));
                    true
                }
            }
        };
        if hit == *neg {
            return no;
        }
    }
    if let Some((neg, set)) = &c.dst {
        match p.dst {
            Some(d) => {
                if set.contains(d) == *neg {
                    return no;
                }
            }
            None => {
                if !universe.is_subset(set) || *neg {
                    unknown.push("the destination address".to_owned());
                }
            }
        }
    }
    for a in &c.assumed {
        assumed.insert(a.clone());
    }
    let src = match &c.src {
        None => universe,
        Some((false, set)) => set.intersect(&universe),
        Some((true, set)) => universe.subtract(set),
    };
    if !unknown.is_empty() {
        return (M::Unknown(unknown.join(", ")), src);
    }
    (M::Yes, src)
}

/// One part of the sources and the rule (or policy) that decided it.
#[derive(Debug, Clone)]
pub(crate) struct Decision {
    pub set: IpSet,
    pub verdict: Verdict,
    pub cite: Option<Cite>,
    pub chain: String,
    /// 1-based position in the chain; 0 for the policy.
    pub pos: usize,
    pub display: String,
    pub chain_has_rules: bool,
}

#[derive(Default)]
struct Trace {
    decisions: Vec<Decision>,
    /// Rules we could not evaluate that might have decided part of the traffic.
    uncertain: Vec<(Cite, String, bool)>,
    assumed: BTreeSet<String>,
    missing_chains: BTreeSet<String>,
}

const MAX_DEPTH: usize = 32;

/// Pushes `input` through a chain; returns what falls through back to the caller.
fn run_chain(
    rs: &Ruleset,
    name: &str,
    input: IpSet,
    p: &Probe<'_>,
    depth: usize,
    tr: &mut Trace,
) -> IpSet {
    let Some(chain) = rs.chains.get(name) else {
        tr.missing_chains.insert(name.to_owned());
        return input;
    };
    if depth > MAX_DEPTH {
        return input;
    }
    let mut remaining = input;
    let mut returned = IpSet::empty();
    for (i, rule) in chain.rules.iter().enumerate() {
        if remaining.is_empty() {
            break;
        }
        let (m, src) = eval_cond(&rule.cond, p, &mut tr.assumed);
        let matched = remaining.intersect(&src);
        if matched.is_empty() {
            continue;
        }
        match m {
            M::No => continue,
            M::Unknown(why) => {
                let could_block = matches!(
                    rule.target,
                    Target::Verdict(Verdict::Drop | Verdict::Reject)
                        | Target::Jump(_)
                        | Target::Goto(_)
                        | Target::Unknown(_)
                );
                let could_accept = matches!(rule.target, Target::Verdict(Verdict::Accept));
                if could_block || could_accept {
                    tr.uncertain.push((rule.cite.clone(), why, could_block));
                }
                continue;
            }
            M::Yes => {}
        }
        match &rule.target {
            Target::Verdict(v) => {
                tr.decisions.push(Decision {
                    set: matched.clone(),
                    verdict: *v,
                    cite: Some(rule.cite.clone()),
                    chain: name.to_owned(),
                    pos: i + 1,
                    display: chain.display.clone(),
                    chain_has_rules: true,
                });
                remaining = remaining.subtract(&matched);
            }
            Target::Return => {
                returned = returned.union(&matched);
                remaining = remaining.subtract(&matched);
            }
            Target::Jump(c) => {
                let back = run_chain(rs, c, matched.clone(), p, depth + 1, tr);
                remaining = remaining.subtract(&matched).union(&back);
            }
            Target::Goto(c) => {
                let back = run_chain(rs, c, matched.clone(), p, depth + 1, tr);
                remaining = remaining.subtract(&matched);
                returned = returned.union(&back);
            }
            Target::Continue => {}
            Target::Unknown(why) => tr.uncertain.push((rule.cite.clone(), why.clone(), true)),
        }
    }
    let rest = remaining.union(&returned);
    if chain.base {
        if !rest.is_empty() {
            tr.decisions.push(Decision {
                set: rest,
                verdict: chain.policy,
                cite: chain.policy_cite.clone(),
                chain: name.to_owned(),
                pos: 0,
                display: chain.display.clone(),
                chain_has_rules: !chain.rules.is_empty(),
            });
        }
        IpSet::empty()
    } else {
        rest
    }
}

struct Outcome {
    accepted: IpSet,
    trace: Trace,
}

fn run(rs: &Ruleset, p: &Probe<'_>, sources: &IpSet) -> Outcome {
    let mut tr = Trace::default();
    let mut accepted = sources.clone();
    for base in &rs.bases {
        if rs.base_families.get(base).is_some_and(|f| *f != p.family) {
            continue;
        }
        let before = tr.decisions.len();
        run_chain(rs, base, sources.clone(), p, 0, &mut tr);
        let acc = tr
            .decisions
            .iter()
            .skip(before)
            .filter(|d| d.verdict == Verdict::Accept)
            .fold(IpSet::empty(), |a, d| a.union(&d.set));
        accepted = accepted.intersect(&acc);
    }
    Outcome {
        accepted,
        trace: tr,
    }
}

fn decision_text(d: &Decision) -> String {
    match &d.cite {
        Some(c) if d.pos > 0 => format!("{}: `{}`", c.place(), super::text::clip(&c.text)),
        Some(c) => format!("the `{}` policy ({}: `{}`)", d.display, c.place(), c.text),
        None => format!("the `{}` default policy ({})", d.display, d.verdict.word()),
    }
}

fn decision_evidence(rs: &Ruleset, d: &Decision, ctx: &Ctx<'_>) -> Evidence {
    let why = format!(
        "{} {} from {}",
        d.verdict.word(),
        ctx.what(),
        describe_set(&d.set, ctx)
    );
    match &d.cite {
        Some(c) => c.evidence_with(&why),
        None => Evidence {
            object: rs.input.clone(),
            detail: format!("default policy of `{}` ({why})", d.display),
            origin: None,
        },
    }
}

/// One firewall's verdict as a partial check.
struct Judged {
    status: Status,
    summary: String,
    evidence: Vec<Evidence>,
    fix: Option<Fix>,
}

fn judge(rs: &Ruleset, ctx: &Ctx<'_>, device: Option<&str>) -> Judged {
    let name = rs.kind.name();
    if let Some(c) = &rs.disabled {
        return Judged {
            status: Status::Pass,
            summary: format!("{name} is off ({}: `{}`)", c.place(), c.text),
            evidence: vec![c.evidence_with("firewall off")],
            fix: None,
        };
    }
    if !rs.rule_listing {
        return Judged {
            status: Status::NotApplicable,
            summary: format!(
                "{name} is on, but no rules were given: run `netsh advfirewall firewall show rule name=all dir=in` and pass the output"
            ),
            evidence: Vec::new(),
            fix: None,
        };
    }
    let probe = Probe {
        family: ctx.family,
        protocol: ctx.protocol,
        dst: ctx.private,
        iface: device,
    };
    let sources = &ctx.sources;
    let out = run(rs, &probe, sources);
    let acc = out.accepted.intersect(sources);
    let what = ctx.what();
    let relevant = |d: &&Decision| {
        d.set.intersects(sources) && (d.chain_has_rules || d.verdict != Verdict::Accept)
    };
    let accepts: Vec<&Decision> = out
        .trace
        .decisions
        .iter()
        .filter(|d| d.verdict == Verdict::Accept)
        .filter(relevant)
        .collect();
    let drops: Vec<&Decision> = out
        .trace
        .decisions
        .iter()
        .filter(|d| d.verdict != Verdict::Accept && d.set.intersects(sources))
        .collect();
    let mut status;
    let mut summary;
    let mut evidence: Vec<Evidence> = Vec::new();
    if &acc == sources {
        status = Status::Pass;
        let by: Vec<String> = accepts.iter().take(2).map(|d| decision_text(d)).collect();
        summary = if by.is_empty() {
            format!("{name} accepts {what} from {}", ctx.source_label)
        } else {
            format!(
                "{name} accepts {what} from {}: {}",
                ctx.source_label,
                by.join("; ")
            )
        };
        evidence.extend(
            accepts
                .iter()
                .take(4)
                .map(|d| decision_evidence(rs, d, ctx)),
        );
    } else if acc.is_empty() {
        status = Status::Fail;
        let by: Vec<String> = drops.iter().take(2).map(|d| decision_text(d)).collect();
        summary = format!(
            "{name} {} {what} from {}: {}",
            drops.first().map_or("drops", |d| d.verdict.word()),
            ctx.source_label,
            by.join("; ")
        );
        evidence.extend(drops.iter().take(4).map(|d| decision_evidence(rs, d, ctx)));
    } else {
        status = Status::Warn;
        let by: Vec<String> = drops.iter().take(2).map(|d| decision_text(d)).collect();
        summary = format!(
            "{name} accepts {what} only from {} ({}); {} drops the rest",
            describe_set(&acc, ctx),
            accepts
                .iter()
                .take(2)
                .map(|d| decision_text(d))
                .collect::<Vec<_>>()
                .join("; "),
            by.join("; ")
        );
        evidence.extend(
            accepts
                .iter()
                .take(3)
                .map(|d| decision_evidence(rs, d, ctx)),
        );
        evidence.extend(drops.iter().take(3).map(|d| decision_evidence(rs, d, ctx)));
    }
    let mut could_block = false;
    for (c, why, blocks) in out.trace.uncertain.iter().take(3) {
        summary.push_str(&format!(
            "; {} (`{}`) depends on {why}, which we cannot evaluate: we assumed it does not match",
            c.place(),
            super::text::clip(&c.text)
        ));
        evidence.push(c.evidence_with(&format!("not evaluated: {why}")));
        could_block |= *blocks;
    }
    if could_block && status == Status::Pass {
        status = Status::Warn;
    }
    if !out.trace.assumed.is_empty() {
        let a: Vec<String> = out.trace.assumed.iter().cloned().collect();
        summary.push_str(&format!("; we assumed {}", super::text::join_and(&a)));
    }
    for m in &out.trace.missing_chains {
        summary.push_str(&format!(
            "; the rules jump to chain `{m}`, which is not in the output"
        ));
    }
    for n in &rs.notes {
        summary.push_str("; ");
        summary.push_str(n);
    }
    let fix = if status == Status::Pass {
        None
    } else {
        fix_for(rs, ctx, drops.first().copied())
    };
    Judged {
        status,
        summary,
        evidence,
        fix,
    }
}

fn proto_word(ctx: &Ctx<'_>) -> Option<(&'static str, u16)> {
    match ctx.protocol {
        QueryProtocol::Tcp { port } => Some(("tcp", port)),
        QueryProtocol::Udp { port } => Some(("udp", port)),
        _ => None,
    }
}

/// The narrowest source to allow: the queried `--source`, else any.
fn allow_source(ctx: &Ctx<'_>) -> Option<String> {
    ctx.report.query.source.map(|c| c.to_string())
}

fn fix_for(rs: &Ruleset, ctx: &Ctx<'_>, deciding: Option<&Decision>) -> Option<Fix> {
    let (proto, port) = proto_word(ctx)?;
    let src = allow_source(ctx);
    let what = ctx.what();
    let mut note = ctx.how_to_run.clone();
    // False when the fix only removes a block rule.
    let mut opens = true;
    let commands: Vec<String> = match &rs.fix {
        FixInfo::Iptables { v6 } => {
            let bin = if *v6 { "ip6tables" } else { "iptables" };
            let (chain, pos) = match deciding {
                Some(d) => {
                    let chain = d.chain.split_once('/').map_or(d.chain.as_str(), |(_, c)| c);
                    (
                        chain.to_owned(),
                        if d.pos == 0 { None } else { Some(d.pos) },
                    )
                }
                None => ("INPUT".to_owned(), None),
            };
            let s = src.as_ref().map(|s| format!(" -s {s}")).unwrap_or_default();
            let at = pos.map(|p| format!(" {p}")).unwrap_or_default();
            let verb = if pos.is_some() { "-I" } else { "-A" };
            if pos.is_some() {
                note.push_str("; the rule goes just before the one that drops the traffic");
            }
            note.push_str(&format!(
                "; save it so it survives a reboot (`sudo service {bin} save` on RHEL-like systems, `sudo netfilter-persistent save` on Debian/Ubuntu)"
            ));
            vec![format!("sudo {bin} {verb} {chain}{at} -p {proto}{s} --dport {port} -m conntrack --ctstate NEW -j ACCEPT")]
        }
        FixInfo::Nft(chains) => {
            let key = deciding
                .map(|d| d.chain.clone())
                .or_else(|| rs.bases.last().cloned())?;
            let (family, table, chain) = chains.get(&key)?;
            let sel = match (&src, ctx.family) {
                (Some(s), Family::Ipv4) => format!("ip saddr {s} "),
                (Some(s), Family::Ipv6) => format!("ip6 saddr {s} "),
                (None, _) => String::new(),
            };
            note.push_str("; `insert` puts the rule first in the chain; add it to /etc/nftables.conf (or your ruleset file) to keep it");
            vec![format!(
                "sudo nft insert rule {family} {table} {chain} {sel}{proto} dport {port} accept"
            )]
        }
        FixInfo::Ufw { has_rules } => {
            let from = src.clone().unwrap_or_else(|| "any".to_owned());
            let verb = if *has_rules {
                "insert 1 allow"
            } else {
                "allow"
            };
            vec![format!(
                "sudo ufw {verb} proto {proto} from {from} to any port {port}"
            )]
        }
        FixInfo::Firewalld { zone } => {
            let mut cmds = Vec::new();
            if let Some(d) = deciding.filter(|d| d.pos > 0) {
                if let Some(c) = &d.cite {
                    if c.text.starts_with("rule ") {
                        cmds.push(format!(
                            "sudo firewall-cmd --permanent --zone={zone} --remove-rich-rule='{}'",
                            c.text
                        ));
                    }
                }
            }
            match (&src, ctx.family) {
                (Some(s), fam) => cmds.push(format!(
                    "sudo firewall-cmd --permanent --zone={zone} --add-rich-rule='rule family=\"{}\" source address=\"{s}\" port port=\"{port}\" protocol=\"{proto}\" accept'",
                    if fam == Family::Ipv6 { "ipv6" } else { "ipv4" }
                )),
                (None, _) => cmds.push(format!(
                    "sudo firewall-cmd --permanent --zone={zone} --add-port={port}/{proto}"
                )),
            }
            cmds.push("sudo firewall-cmd --reload".to_owned());
            cmds
        }
        FixInfo::Windows(names) => {
            let blocking = deciding
                .filter(|d| d.pos > 0)
                .and_then(|d| names.get(&d.pos));
            match blocking {
                Some(n) if deciding.is_some_and(|d| d.verdict != Verdict::Accept) => {
                    note.push_str("; block rules win over allow rules in Windows Firewall, so the block rule must go");
                    opens = false;
                    vec![format!("netsh advfirewall firewall set rule name=\"{n}\" dir=in new enable=no")]
                }
                _ => vec![format!(
                    "netsh advfirewall firewall add rule name=\"Allow {} {port}\" dir=in action=allow protocol={} localport={port} remoteip={}",
                    proto.to_ascii_uppercase(),
                    proto.to_ascii_uppercase(),
                    src.clone().unwrap_or_else(|| "any".to_owned())
                )],
            }
        }
    };
    if src.is_none() && opens {
        note.push_str(
            "; this allows the whole internet: pass `--source` to allow only your client",
        );
    }
    Some(Fix {
        summary: format!("allow {what} in {}", rs.kind.name()),
        commands,
        actions: Vec::new(),
        note: Some(note),
    })
}

/// A Windows profile listing (`netsh advfirewall show currentprofile`) lends its state and inbound
/// policy to the rule listings; alone, it is kept as is.
fn merge_windows(rulesets: &[Ruleset]) -> Vec<Ruleset> {
    let profile = rulesets
        .iter()
        .find(|r| r.kind == Kind::Windows && !r.rule_listing);
    let has_rules = rulesets
        .iter()
        .any(|r| r.kind == Kind::Windows && r.rule_listing);
    let mut out = Vec::new();
    for r in rulesets {
        if r.kind == Kind::Windows && !r.rule_listing && has_rules {
            continue;
        }
        let mut r = r.clone();
        if let (Kind::Windows, true, Some(p)) = (r.kind, r.rule_listing, profile) {
            if r.disabled.is_none() {
                r.disabled = p.disabled.clone();
            }
            let pol = p
                .chains
                .get("inbound")
                .map(|c| (c.policy, c.policy_cite.clone()));
            if let (Some(ch), Some((v, Some(c)))) = (r.chains.get_mut("inbound"), pol) {
                if ch.policy_cite.is_none() {
                    ch.policy = v;
                    ch.policy_cite = Some(c);
                    r.notes.retain(|n| !n.contains("default inbound policy"));
                }
            }
        }
        out.push(r);
    }
    out
}

/// The `os_firewall` check over every firewall output given.
pub(crate) fn evaluate(ctx: &Ctx<'_>, rulesets: &[Ruleset], device: Option<&str>) -> Check {
    let merged = merge_windows(rulesets);
    let applicable: Vec<&Ruleset> = merged
        .iter()
        .filter(|r| r.family.is_none_or(|f| f == ctx.family))
        .collect();
    if applicable.is_empty() {
        let fams: BTreeSet<String> = set_of(
            rulesets
                .iter()
                .filter_map(|r| r.family.map(|f| f.to_string())),
        );
        let cmd = if ctx.family == Family::Ipv6 {
            "sudo ip6tables-save"
        } else {
            "sudo iptables-save"
        };
        return Check {
            layer: Layer::OsFirewall,
            status: Status::NotApplicable,
            summary: format!(
                "the firewall rules given are for {} only and the target address is {}: run `{cmd}` (or `sudo nft list ruleset`) and pass the output ({})",
                super::text::join_and(&fams.into_iter().collect::<Vec<_>>()),
                ctx.family,
                ctx.how_to_run
            ),
            evidence: Vec::new(),
            fix: None,
        };
    }
    let judged: Vec<(Kind, Judged)> = applicable
        .iter()
        .map(|r| (r.kind, judge(r, ctx, device)))
        .collect();
    let rank = |s: Status| match s {
        Status::Fail => 4,
        Status::Warn => 3,
        Status::Unknown => 2,
        Status::Pass => 1,
        Status::NotApplicable => 0,
    };
    let status = judged
        .iter()
        .map(|(_, j)| j.status)
        .max_by_key(|s| rank(*s))
        .unwrap_or(Status::NotApplicable);
    let summary = judged
        .iter()
        .map(|(_, j)| j.summary.clone())
        .collect::<Vec<_>>()
        .join("; ");
    let evidence = judged
        .iter()
        .flat_map(|(_, j)| j.evidence.clone())
        .collect();
    let fix = judged
        .iter()
        .filter(|(_, j)| j.status == status)
        .find_map(|(_, j)| j.fix.clone());
    Check {
        layer: Layer::OsFirewall,
        status,
        summary,
        evidence,
        fix,
    }
}

/// Splits a rule line into words, keeping `"quoted strings"` (with `\"` escapes) as one word.
pub(crate) fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    let mut had = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' if quoted => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '"' => {
                quoted = !quoted;
                had = true;
            }
            c if c.is_whitespace() && !quoted => {
                if had || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    had = false;
                }
            }
            c => cur.push(c),
        }
    }
    if had || !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn value_parsers() {
        assert_eq!(port_range("22"), Some(PortRange::single(22)));
        assert_eq!(port_range("1000:2000"), PortRange::new(1000, 2000));
        assert_eq!(port_range("1024:"), PortRange::new(1024, 65535));
        assert_eq!(port_range("8000-8100"), PortRange::new(8000, 8100));
        assert_eq!(port_range("ssh"), Some(PortRange::single(22)));
        assert_eq!(port_range("banana"), None);
        assert!(addr_set("10.0.0.0/255.0.0.0")
            .unwrap()
            .contains("10.9.9.9".parse().unwrap()));
        assert!(addr_set("192.0.2.10-192.0.2.20")
            .unwrap()
            .contains("192.0.2.15".parse().unwrap()));
        assert!(!addr_set("192.0.2.10-192.0.2.20")
            .unwrap()
            .contains("192.0.2.21".parse().unwrap()));
        assert!(addr_set("2001:db8::/32")
            .unwrap()
            .contains("2001:db8::1".parse().unwrap()));
        assert_eq!(addr_set("not-an-address"), None);
        assert_eq!(icmp_type("echo-request"), Some(8));
        assert_eq!(icmpv6_type("echo-request"), Some(128));
        assert_eq!(
            words(r#"-A INPUT -m comment --comment "allow \"ssh\" from office" -j ACCEPT"#),
            vec![
                "-A",
                "INPUT",
                "-m",
                "comment",
                "--comment",
                "allow \"ssh\" from office",
                "-j",
                "ACCEPT"
            ]
        );
    }
}
