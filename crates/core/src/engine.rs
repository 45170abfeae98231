//! The evaluator: the exact set of internet sources (and client ports) that reach a target.
//!
//! Each layer maps the queried source set to the part it admits (and the part it cannot decide for
//! lack of data). The answer is their intersection, computed on exact address sets, so a single
//! question ("can 203.0.113.7 reach port 22?") is just the special case of a one-address set.
//! Replies are checked too: the route table must send them to the internet gateway, and the
//! stateless network ACL must let them out to the client's ephemeral port.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::rc::Rc;
use std::sync::Arc;

use crate::fix::{Fix, FixAction};
use crate::model::SecurityGroup;
use crate::model::{
    ElasticIp, Eni, Id, Instance, InstanceState, InstanceStatus, Inventory, NaclEntry, NetworkAcl,
    PortMatch, Protocol, RouteDest, RouteOrigin, RouteState, RouteTable, RouteTarget, RuleAction,
    SgPeer, Traffic,
};
use crate::net::{
    internet, Cidr, Family, FxHashMap, FxHasher, IpSet, PortRange, PortSet, RangeSet,
};
use crate::report::{
    Check, ClientFamily, Evidence, Exposure, ExposureReport, Layer, OpenService, PartialReach,
    Query, QueryProtocol, Report, Status, Target, Verdict,
};
use hashbrown::HashTable;

/// Why a query cannot be answered at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("no instance or network interface `{target}` in the input{}", did_you_mean(.suggestion))]
    UnknownTarget {
        target: String,
        suggestion: Option<String>,
    },
    #[error("`{target}` is the Name of several instances: {ids}; pass an instance id")]
    AmbiguousName { target: String, ids: String },
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

/// The resolved target: which ENI and private address the public address maps to.
#[derive(Debug, Clone)]
struct Resolved<'a> {
    instance: Option<&'a Instance>,
    eni: Option<&'a Eni>,
    family: Family,
    /// The public address checked (None when the instance has none of this family).
    public: Option<IpAddr>,
    /// The private address the IGW maps it to (IPv6: the address itself).
    private: Option<IpAddr>,
    subnet_id: Option<&'a str>,
    vpc_id: Option<&'a str>,
    groups: &'a [Id],
    others: Vec<IpAddr>,
}

/// Lookups built once per call, so that a survey of thousands of interfaces stays linear. Each one
/// answers exactly as the [`Inventory`] method of the same purpose (first match in id order).
struct Index<'a> {
    inv: &'a Inventory,
    /// Hash lookups by id, for a survey of every address (a check looks up a handful of ids in the
    /// inventory's ordered maps instead).
    by_id: Option<ById<'a>>,
    rt_by_subnet: FxHashMap<&'a str, &'a RouteTable>,
    main_rt_by_vpc: FxHashMap<&'a str, &'a RouteTable>,
    acl_by_subnet: FxHashMap<&'a str, &'a NetworkAcl>,
    default_acl_by_vpc: FxHashMap<&'a str, &'a NetworkAcl>,
    eips_by_eni: FxHashMap<&'a str, Vec<&'a ElasticIp>>,
    eips_by_instance: FxHashMap<&'a str, Vec<&'a ElasticIp>>,
}

/// See [`Index::by_id`].
struct ById<'a> {
    instances: FxHashMap<&'a str, &'a Instance>,
    security_groups: FxHashMap<&'a str, &'a SecurityGroup>,
    instance_status: FxHashMap<&'a str, &'a InstanceStatus>,
    /// `Name` tag → the first instance in id order with that name.
    instance_names: FxHashMap<&'a str, &'a Instance>,
}

fn by_id<T>(map: &BTreeMap<Id, T>) -> FxHashMap<&str, &T> {
    map.iter().map(|(k, v)| (k.as_str(), v)).collect()
}

/// `id` in the hash lookup when there is one, else in the inventory's map.
fn lookup<'a, T>(
    fast: Option<&FxHashMap<&'a str, &'a T>>,
    map: &'a BTreeMap<Id, T>,
    id: &str,
) -> Option<&'a T> {
    match fast {
        Some(m) => m.get(id).copied(),
        None => map.get(id),
    }
}

impl<'a> Index<'a> {
    /// With hash lookups by id, for many queries.
    fn for_survey(inv: &'a Inventory) -> Index<'a> {
        Index {
            by_id: Some(ById {
                instances: by_id(&inv.instances),
                security_groups: by_id(&inv.security_groups),
                instance_status: by_id(&inv.instance_status),
                instance_names: {
                    // Sized up front (most instances have a name); in reverse, so the first
                    // instance in id order with a name is the one kept.
                    let mut names = FxHashMap::default();
                    names.reserve(inv.instances.len());
                    for i in inv.instances.values().rev() {
                        if let Some(n) = i.name.as_deref() {
                            names.insert(n, i);
                        }
                    }
                    names
                },
            }),
            ..Index::new(inv)
        }
    }

    fn instance(&self, id: &str) -> Option<&'a Instance> {
        let fast = self.by_id.as_ref().map(|b| &b.instances);
        lookup(fast, &self.inv.instances, id)
    }

    fn eni(&self, id: &str) -> Option<&'a Eni> {
        // In the inventory's map even for a survey: it looks interfaces up by id only in odd
        // cases (an interface that is not attached, an id that names another resource).
        self.inv.enis.get(id)
    }

    fn security_group(&self, id: &str) -> Option<&'a SecurityGroup> {
        let fast = self.by_id.as_ref().map(|b| &b.security_groups);
        lookup(fast, &self.inv.security_groups, id)
    }

    fn instance_status(&self, id: &str) -> Option<&'a InstanceStatus> {
        let fast = self.by_id.as_ref().map(|b| &b.instance_status);
        lookup(fast, &self.inv.instance_status, id)
    }

    /// See [`Inventory::find_instance`].
    fn find_instance(&self, key: &str) -> Option<&'a Instance> {
        self.instance(key)
            .or_else(|| {
                let eni = self.eni(key)?;
                self.instance(eni.instance_id.as_deref()?)
            })
            .or_else(|| match &self.by_id {
                Some(b) => b.instance_names.get(key).copied(),
                None => self.inv.find_instance(key),
            })
    }

    fn new(inv: &'a Inventory) -> Index<'a> {
        let mut ix = Index {
            inv,
            by_id: None,
            rt_by_subnet: FxHashMap::default(),
            main_rt_by_vpc: FxHashMap::default(),
            acl_by_subnet: FxHashMap::default(),
            default_acl_by_vpc: FxHashMap::default(),
            eips_by_eni: FxHashMap::default(),
            eips_by_instance: FxHashMap::default(),
        };
        for rt in inv.route_tables.values() {
            for s in &rt.subnet_ids {
                ix.rt_by_subnet.entry(s.as_str()).or_insert(rt);
            }
            if let (true, Some(v)) = (rt.main, rt.vpc_id.as_deref()) {
                ix.main_rt_by_vpc.entry(v).or_insert(rt);
            }
        }
        for acl in inv.network_acls.values() {
            for s in &acl.subnet_ids {
                ix.acl_by_subnet.entry(s.as_str()).or_insert(acl);
            }
            if let (true, Some(v)) = (acl.is_default, acl.vpc_id.as_deref()) {
                ix.default_acl_by_vpc.entry(v).or_insert(acl);
            }
        }
        for eip in inv.addresses.values() {
            match (eip.eni_id.as_deref(), eip.instance_id.as_deref()) {
                (Some(e), _) => ix.eips_by_eni.entry(e).or_default().push(eip),
                (None, Some(i)) => ix.eips_by_instance.entry(i).or_default().push(eip),
                (None, None) => {}
            }
        }
        ix
    }

    /// See [`Inventory::route_table_for_subnet`].
    fn route_table(&self, subnet: &str, vpc: Option<&str>) -> Option<(&'a RouteTable, bool)> {
        if let Some(rt) = self.rt_by_subnet.get(subnet) {
            return Some((rt, false));
        }
        vpc.and_then(|v| self.main_rt_by_vpc.get(v))
            .map(|rt| (*rt, true))
    }

    /// See [`Inventory::network_acl_for_subnet`].
    fn network_acl(&self, subnet: &str, vpc: Option<&str>) -> Option<(&'a NetworkAcl, bool)> {
        if let Some(a) = self.acl_by_subnet.get(subnet) {
            return Some((a, false));
        }
        vpc.and_then(|v| self.default_acl_by_vpc.get(v))
            .map(|a| (*a, true))
    }
}

/// Public addresses of an ENI: `(public, private)`, IPv4 first.
fn public_addresses(ix: &Index, eni: &Eni, instance: Option<&Instance>) -> Vec<(IpAddr, IpAddr)> {
    let mut out = Vec::new();
    public_addresses_into(ix, eni, instance, &mut out);
    out
}

/// [`public_addresses`] into `out` (cleared first), for a caller that lists many interfaces.
fn public_addresses_into(
    ix: &Index,
    eni: &Eni,
    instance: Option<&Instance>,
    out: &mut Vec<(IpAddr, IpAddr)>,
) {
    out.clear();
    for p in &eni.private_ips {
        if let Some(pubip) = p.public_ip {
            out.push((pubip, p.address));
        }
    }
    let mut eips: Vec<&ElasticIp> = ix
        .eips_by_eni
        .get(eni.id.as_str())
        .cloned()
        .unwrap_or_default();
    if eni.device_index == Some(0) {
        if let Some(more) = instance.and_then(|i| ix.eips_by_instance.get(i.id.as_str())) {
            eips.extend(more.iter().copied());
        }
    }
    eips.sort_by_key(|e| e.public_ip);
    for eip in eips {
        let private = eip.private_ip.or_else(|| {
            eni.private_ips
                .iter()
                .find(|p| p.primary)
                .map(|p| p.address)
        });
        if let Some(private) = private {
            if !out.iter().any(|(a, _)| *a == eip.public_ip) {
                out.push((eip.public_ip, private));
            }
        }
    }
    if let Some(inst) = instance {
        if eni.device_index == Some(0) {
            if let (Some(pubip), Some(private)) = (inst.public_ip, inst.private_ip) {
                if !out.iter().any(|(a, _)| *a == pubip) {
                    out.push((pubip, private));
                }
            }
        }
    }
    for v6 in &eni.ipv6_addresses {
        out.push((*v6, *v6));
    }
}

fn suggestion(inv: &Inventory, target: &str) -> Option<String> {
    let keys = inv
        .instances
        .values()
        .flat_map(|i| {
            std::iter::once(i.id.as_str().to_owned())
                .chain(i.name.as_ref().map(|s| s.as_str().to_owned()))
        })
        .chain(inv.enis.keys().map(|s| s.as_str().to_owned()));
    keys.min_by_key(|k| edit_distance(k, target))
        .filter(|k| edit_distance(k, target) <= (target.len() / 3).max(2))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

fn resolve<'a>(inv: &'a Inventory, ix: &Index<'a>, q: &Query) -> Result<Resolved<'a>, QueryError> {
    if ix.instance(&q.target).is_none() && ix.eni(&q.target).is_none() {
        let named: Vec<&str> = inv
            .instances
            .values()
            .filter(|i| i.name.as_deref() == Some(q.target.as_str()))
            .map(|i| i.id.as_str())
            .collect();
        if named.len() > 1 {
            return Err(QueryError::AmbiguousName {
                target: q.target.clone(),
                ids: named.join(", "),
            });
        }
    }
    let eni_target = ix.eni(&q.target);
    let instance = ix.find_instance(&q.target);
    if eni_target.is_none() && instance.is_none() {
        return Err(QueryError::UnknownTarget {
            target: q.target.clone(),
            suggestion: suggestion(inv, &q.target),
        });
    }
    let enis: Vec<&Eni> = match (eni_target, instance) {
        (Some(e), _) => vec![e],
        (None, Some(i)) => inv.enis_of(&i.id),
        (None, None) => Vec::new(),
    };
    // Every (eni, public, private) of the target.
    let mut candidates: Vec<(Option<&Eni>, IpAddr, IpAddr)> = Vec::new();
    for e in &enis {
        for (p, pr) in public_addresses(ix, e, instance) {
            candidates.push((Some(e), p, pr));
        }
    }
    if enis.is_empty() {
        if let Some(i) = instance {
            if let (Some(p), Some(pr)) = (i.public_ip, i.private_ip) {
                candidates.push((None, p, pr));
            }
        }
    }
    let wanted_family = q
        .address
        .map(|a| Cidr::host(a).family())
        .or(q.source.map(|s| s.family()));
    let chosen = match q.address {
        Some(a) => match candidates.iter().find(|(_, p, _)| *p == a) {
            Some(c) => Some(*c),
            None => {
                let known: Vec<String> = candidates
                    .iter()
                    .map(|(_, p, _)| format!("`{p}`"))
                    .collect();
                return Err(QueryError::UnknownAddress {
                    target: q.target.clone(),
                    address: a.to_string(),
                    known: if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    },
                });
            }
        },
        None => {
            let fam = wanted_family.unwrap_or(Family::Ipv4);
            candidates
                .iter()
                .find(|(_, p, _)| Cidr::host(*p).family() == fam)
                .copied()
                .or_else(|| {
                    if wanted_family.is_none() {
                        candidates.first().copied()
                    } else {
                        None
                    }
                })
        }
    };
    let family = chosen
        .map(|(_, p, _)| Cidr::host(p).family())
        .or(wanted_family)
        .unwrap_or(Family::Ipv4);
    let eni = chosen.and_then(|c| c.0).or_else(|| enis.first().copied());
    let private = chosen.map(|c| c.2).or_else(|| match family {
        Family::Ipv4 => eni
            .and_then(|e| e.private_ips.iter().find(|p| p.primary).map(|p| p.address))
            .or(instance.and_then(|i| i.private_ip)),
        Family::Ipv6 => eni.and_then(|e| e.ipv6_addresses.first().copied()),
    });
    Ok(resolved(
        inv,
        instance,
        eni,
        family,
        chosen.map(|c| c.1),
        private,
        candidates.iter().map(|c| c.1),
    ))
}

/// The rest of [`resolve`] once the interface, family and address are chosen: the subnet, VPC and
/// security groups (the interface's, else the instance's), and the target's other public addresses
/// (of `addresses`, all of them).
fn resolved<'a>(
    inv: &'a Inventory,
    instance: Option<&'a Instance>,
    eni: Option<&'a Eni>,
    family: Family,
    public: Option<IpAddr>,
    private: Option<IpAddr>,
    addresses: impl Iterator<Item = IpAddr>,
) -> Resolved<'a> {
    let subnet_id = eni
        .and_then(|e| e.subnet_id.as_deref())
        .or_else(|| instance.and_then(|i| i.subnet_id.as_deref()));
    let vpc_id = eni
        .and_then(|e| e.vpc_id.as_deref())
        .or_else(|| instance.and_then(|i| i.vpc_id.as_deref()))
        .or_else(|| {
            subnet_id
                .and_then(|s| inv.subnets.get(s))
                .and_then(|s| s.vpc_id.as_deref())
        });
    let groups = match eni {
        Some(e) if !e.groups.is_empty() => e.groups.as_slice(),
        _ => instance.map_or(&[][..], |i| i.security_groups.as_slice()),
    };
    let others = addresses.filter(|p| Some(*p) != public).collect();
    Resolved {
        instance,
        eni,
        family,
        public,
        private,
        subnet_id,
        vpc_id,
        groups,
        others,
    }
}

/// What one layer decided about the queried sources.
#[derive(Debug, Clone)]
struct Outcome {
    /// Sources admitted.
    admitted: IpSet,
    /// Sources whose fate depends on data we lack.
    undecided: IpSet,
    summary: String,
    evidence: Vec<Evidence>,
    /// Forced status (for layers that are not about sources: state, status checks).
    status: Option<Status>,
    fix: Option<Fix>,
}

impl Outcome {
    fn all(universe: &IpSet, summary: impl Into<String>) -> Outcome {
        Outcome {
            admitted: universe.clone(),
            undecided: IpSet::empty(),
            summary: summary.into(),
            evidence: Vec::new(),
            status: None,
            fix: None,
        }
    }

    fn none(summary: impl Into<String>) -> Outcome {
        Outcome {
            admitted: IpSet::empty(),
            undecided: IpSet::empty(),
            summary: summary.into(),
            evidence: Vec::new(),
            status: None,
            fix: None,
        }
    }

    fn unknown(universe: &IpSet, summary: impl Into<String>) -> Outcome {
        Outcome {
            admitted: IpSet::empty(),
            undecided: universe.clone(),
            summary: summary.into(),
            evidence: Vec::new(),
            status: None,
            fix: None,
        }
    }

    fn forced(status: Status, universe: &IpSet, summary: impl Into<String>) -> Outcome {
        let mut o = match status {
            Status::Fail => Outcome::none(summary),
            Status::Unknown => Outcome::unknown(universe, summary),
            _ => Outcome::all(universe, summary),
        };
        o.status = Some(status);
        o
    }

    /// A set layer's answer before its summary is written.
    fn decided(admitted: IpSet, evidence: Vec<Evidence>) -> Outcome {
        Outcome {
            admitted,
            undecided: IpSet::empty(),
            summary: String::new(),
            evidence,
            status: None,
            fix: None,
        }
    }

    fn with_evidence(mut self, object: &str, detail: impl Into<String>) -> Outcome {
        self.evidence.push(Evidence {
            object: object.to_owned(),
            detail: detail.into(),
            origin: None,
        });
        self
    }

    fn with_fix(mut self, fix: Fix) -> Outcome {
        self.fix = Some(fix);
        self
    }

    fn status(&self, universe: &IpSet) -> Status {
        if let Some(s) = self.status {
            return s;
        }
        if universe.is_subset(&self.admitted) {
            Status::Pass
        } else if !self.undecided.intersect(universe).is_empty() {
            Status::Unknown
        } else if self.admitted.intersect(universe).is_empty() {
            Status::Fail
        } else {
            Status::Warn
        }
    }
}

fn ev(object: &str, detail: impl Into<String>) -> Evidence {
    Evidence {
        object: object.to_owned(),
        detail: detail.into(),
        origin: None,
    }
}

fn cidr_list(set: &IpSet) -> String {
    let c = set.to_cidrs();
    let shown: Vec<String> = c.iter().take(6).map(|c| c.to_string()).collect();
    if c.len() > 6 {
        format!("{} and {} more blocks", shown.join(", "), c.len() - 6)
    } else {
        shown.join(", ")
    }
}

/// Describes a set relative to the queried universe, e.g. "all queried sources" or "203.0.113.0/24".
fn describe(set: &IpSet, universe: &IpSet, family: Family) -> String {
    if universe.is_subset(set) {
        // A handful of blocks (a `--source`) is named; the whole internet is not.
        let ranges = universe.v4.ranges().len() + universe.v6.ranges().len();
        if ranges <= 3 {
            let blocks = universe.to_cidrs();
            if !blocks.is_empty() && blocks.len() <= 3 {
                return cidr_list(universe);
            }
        }
        match family {
            Family::Ipv4 => "every public IPv4 address".to_owned(),
            Family::Ipv6 => "every public IPv6 address".to_owned(),
        }
    } else if set.intersect(universe).is_empty() {
        "no queried source".to_owned()
    } else {
        cidr_list(&set.intersect(universe))
    }
}

/// The traffic of the inbound packet and of its reply.
#[derive(Debug, Clone, Copy)]
struct Flow {
    protocol: Protocol,
    /// The destination port (TCP/UDP) or ICMP type/code of the inbound packet.
    inbound: Option<(u16, Option<u16>)>,
    /// The reply, if the protocol has one: protocol and, for ICMP, type/code.
    reply: Reply,
}

#[derive(Debug, Clone, Copy)]
enum Reply {
    /// To the client's ephemeral port.
    Ports(Protocol),
    /// An ICMP reply of this type/code.
    Icmp(Protocol, u8, u8),
    /// Any-protocol reply (query `all`).
    All,
    /// No reply expected (most ICMP types).
    None,
}

fn flow_for(q: &QueryProtocol, family: Family) -> Flow {
    let icmp = match family {
        Family::Ipv4 => Protocol::Icmp,
        Family::Ipv6 => Protocol::Icmpv6,
    };
    match *q {
        QueryProtocol::Tcp { port } => Flow {
            protocol: Protocol::Tcp,
            inbound: Some((port, None)),
            reply: Reply::Ports(Protocol::Tcp),
        },
        QueryProtocol::Udp { port } => Flow {
            protocol: Protocol::Udp,
            inbound: Some((port, None)),
            reply: Reply::Ports(Protocol::Udp),
        },
        QueryProtocol::Icmp { icmp_type, code } => {
            // Echo request 8 (ICMPv6 128) is answered by echo reply 0 (129); timestamp 13 by 14.
            let ty = match (family, icmp_type) {
                (Family::Ipv6, 8) => 128,
                (_, t) => t,
            };
            let reply = match (family, ty) {
                (Family::Ipv4, 8) => Reply::Icmp(icmp, 0, 0),
                (Family::Ipv4, 13) => Reply::Icmp(icmp, 14, 0),
                (Family::Ipv6, 128) => Reply::Icmp(icmp, 129, 0),
                _ => Reply::None,
            };
            Flow {
                protocol: icmp,
                inbound: Some((u16::from(ty), Some(u16::from(code.unwrap_or(0))))),
                reply,
            }
        }
        QueryProtocol::All => Flow {
            protocol: Protocol::All,
            inbound: None,
            reply: Reply::All,
        },
    }
}

/// Does a rule's traffic match the inbound packet?
fn matches_inbound(rule: &Traffic, flow: &Flow) -> bool {
    if rule.protocol == Protocol::All {
        return true;
    }
    if rule.protocol != flow.protocol {
        return false;
    }
    match (rule.ports, flow.inbound) {
        (PortMatch::Any, _) => true,
        (PortMatch::Ports(r), Some((p, None))) => r.contains(p),
        (PortMatch::Icmp { icmp_type, code }, Some((t, Some(c)))) => {
            icmp_type.is_none_or(|rt| u16::from(rt) == t)
                && code.is_none_or(|rc| u16::from(rc) == c)
        }
        _ => false,
    }
}

/// Does a rule match an ICMP / any-protocol reply?
fn matches_reply(rule: &Traffic, reply: &Reply) -> bool {
    match *reply {
        Reply::All => rule.protocol == Protocol::All,
        Reply::Icmp(p, t, c) => {
            rule.protocol == Protocol::All
                || (rule.protocol == p
                    && match rule.ports {
                        PortMatch::Any => true,
                        PortMatch::Icmp { icmp_type, code } => {
                            icmp_type.is_none_or(|rt| rt == t) && code.is_none_or(|rc| rc == c)
                        }
                        PortMatch::Ports(_) => false,
                    })
        }
        Reply::Ports(_) | Reply::None => false,
    }
}

/// Ports of a reply that a rule covers (for TCP/UDP replies).
fn reply_ports(rule: &Traffic, proto: Protocol) -> Option<PortSet> {
    if rule.protocol == Protocol::All {
        return Some(PortSet::full());
    }
    if rule.protocol != proto {
        return None;
    }
    match rule.ports {
        PortMatch::Any => Some(PortSet::full()),
        PortMatch::Ports(r) => Some(r.to_set()),
        PortMatch::Icmp { .. } => None,
    }
}

fn nacl_entry_text(e: &NaclEntry) -> String {
    let action = match e.action {
        RuleAction::Allow => "allow",
        RuleAction::Deny => "deny",
    };
    let dir = if e.egress { "outbound" } else { "inbound" };
    let peer = if e.egress { "to" } else { "from" };
    format!(
        "rule {} {action} {} {peer} {} ({dir})",
        e.label(),
        e.traffic,
        e.cidr
    )
}

/// The entries of one direction and family, in evaluation order.
fn sorted_entries(acl: &NetworkAcl, egress: bool, family: Family) -> Vec<&NaclEntry> {
    let mut v: Vec<&NaclEntry> = acl
        .entries
        .iter()
        .filter(|e| e.egress == egress && e.cidr.family() == family)
        .collect();
    v.sort_by_key(|e| e.rule_number);
    v
}

/// First-match evaluation of NACL entries over a set of addresses. Returns the admitted set and the
/// entries that decided some part of `universe`.
fn first_match<'a>(
    entries: &[&'a NaclEntry],
    universe: &IpSet,
    matches: impl Fn(&NaclEntry) -> bool,
) -> (IpSet, Vec<(&'a NaclEntry, IpSet)>) {
    let mut deciding = Vec::new();
    let admitted = first_match_each(entries, universe, matches, |e, hit| deciding.push((e, hit)));
    (admitted, deciding)
}

/// [`first_match`], handing each deciding entry and the part it decided to `decided`.
fn first_match_each<'a>(
    entries: &[&'a NaclEntry],
    universe: &IpSet,
    matches: impl Fn(&NaclEntry) -> bool,
    mut decided: impl FnMut(&'a NaclEntry, IpSet),
) -> IpSet {
    let mut remaining = universe.clone();
    let mut admitted = IpSet::empty();
    for e in entries {
        if remaining.is_empty() {
            break;
        }
        if !matches(e) {
            continue;
        }
        let block = e.cidr.to_set();
        let hit = remaining.intersect(&block);
        if hit.is_empty() {
            continue;
        }
        if e.action == RuleAction::Allow {
            admitted = admitted.union(&hit);
        }
        remaining = remaining.subtract(&block);
        decided(e, hit);
    }
    admitted
}

/// A free rule number before `before`, preferring a multiple of 10 just after the previous rule.
fn free_rule_number(acl: &NetworkAcl, egress: bool, before: u32) -> Option<u32> {
    let used: Vec<u32> = acl
        .entries
        .iter()
        .filter(|e| e.egress == egress)
        .map(|e| e.rule_number)
        .collect();
    let before = before.min(32767);
    let lo = used
        .iter()
        .copied()
        .filter(|n| *n < before)
        .max()
        .unwrap_or(0);
    let round = (lo / 10 + 1) * 10;
    let candidates = [round, lo + (before - lo) / 2, before.saturating_sub(1)];
    candidates
        .into_iter()
        .find(|n| *n > lo && *n < before && *n >= 1 && *n <= 32766 && !used.contains(n))
}

/// What the fixes should open: the queried source block, or "anywhere" of the family.
fn goal_cidr(q: &Query, family: Family) -> Cidr {
    q.source.unwrap_or(Cidr::any(family))
}

fn wide_open_note(q: &Query, flow: &Flow) -> Option<String> {
    if q.source.is_some() {
        return None;
    }
    let sensitive = match flow.inbound {
        Some((p, None)) => RISKY_PORTS.iter().find(|(rp, _)| *rp == p).map(|(_, n)| *n),
        _ => None,
    };
    Some(match sensitive {
        Some(name) => format!(
            "this opens {name} to the whole internet; pass `--source <your address>` for a fix limited to your address"
        ),
        None => "this opens the port to the whole internet; pass `--source <your address>` to limit the fix to your address"
            .to_owned(),
    })
}

fn note_if(fix: Fix, note: Option<String>) -> Fix {
    match note {
        Some(n) => fix.with_note(n),
        None => fix,
    }
}

fn traffic_of(flow: &Flow) -> Traffic {
    Traffic {
        protocol: flow.protocol,
        ports: match flow.inbound {
            Some((p, None)) => PortMatch::Ports(PortRange::single(p)),
            Some((t, Some(c))) => PortMatch::Icmp {
                icmp_type: u8::try_from(t).ok(),
                code: u8::try_from(c).ok(),
            },
            None => PortMatch::Any,
        },
    }
}

/// Everything the layers need, resolved once.
struct Ctx<'a> {
    inv: &'a Inventory,
    ix: &'a Index<'a>,
    q: &'a Query,
    r: Resolved<'a>,
    flow: Flow,
    /// Sources asked about (internet ∩ --source).
    universe: &'a IpSet,
    /// --source as given (may include private space, which the IGW drops).
    asked: &'a IpSet,
    /// Whether outcomes explain themselves. A survey reads only the admitted sets, and naming them
    /// in words (minimal CIDR lists of large sets) was a tenth of its work.
    explain: bool,
}

impl Ctx<'_> {
    /// [`describe`] of `set` against the queried sources, or nothing when not explaining.
    fn describe(&self, set: &IpSet) -> String {
        if self.explain {
            describe(set, self.universe, self.r.family)
        } else {
            String::new()
        }
    }
}

fn layer_instance_state(c: &Ctx) -> Outcome {
    let u = c.universe;
    let Some(inst) = c.r.instance else {
        return match c.r.eni {
            Some(eni) => interface_without_instance(c, eni),
            None => Outcome::forced(
                Status::Unknown,
                u,
                "no describe-instances data: run `aws ec2 describe-instances`",
            ),
        };
    };
    let id = inst.id.as_str();
    match &inst.state {
        InstanceState::Running => Outcome::forced(Status::Pass, u, format!("{id} is running")),
        InstanceState::Pending => Outcome::forced(
            Status::Warn,
            u,
            format!("{id} is pending: it is starting; try again in a minute"),
        ),
        InstanceState::Stopped => Outcome::forced(Status::Fail, u, format!("{id} is stopped"))
            .with_evidence(id, "State.Name = stopped")
            .with_fix(
                Fix::new(
                    format!("start {id}"),
                    vec![FixAction::StartInstance {
                        instance_id: id.to_owned(),
                    }],
                )
                .with_note("an auto-assigned public IPv4 address changes at every start; an Elastic IP stays"),
            ),
        other => Outcome::forced(
            Status::Fail,
            u,
            format!("{id} is {}: it cannot accept connections", other.name()),
        )
        .with_evidence(id, format!("State.Name = {}", other.name())),
    }
}

/// The target is a network interface with no instance in the input.
fn interface_without_instance(c: &Ctx, eni: &Eni) -> Outcome {
    let u = c.universe;
    let kind = eni.interface_type.as_deref().unwrap_or("interface");
    let nat = c.inv.nat_gateways.values().find(|n| {
        c.r.public.is_some_and(|p| n.public_ips.contains(&p))
            || eni
                .description
                .as_deref()
                .is_some_and(|d| d.contains(n.id.as_str()))
    });
    if kind == "nat_gateway" || nat.is_some() {
        let what = nat
            .map(|n| n.id.as_str().to_owned())
            .unwrap_or_else(|| "a NAT gateway".to_owned());
        return Outcome::forced(
            Status::Fail,
            u,
            format!("{} belongs to {what}: a NAT gateway never accepts connections initiated from the internet", eni.id),
        )
        .with_evidence(&eni.id, format!("InterfaceType = {kind}"));
    }
    if let Some(id) = &eni.instance_id {
        return Outcome::forced(
            Status::Unknown,
            u,
            format!("{} is attached to {id}, which is not in the input: run `aws ec2 describe-instances --instance-ids {id}`", eni.id),
        );
    }
    if kind == "interface" {
        return Outcome::forced(
            Status::Fail,
            u,
            format!(
                "{} is not attached to any instance: nothing receives its traffic",
                eni.id
            ),
        )
        .with_evidence(&eni.id, "no Attachment");
    }
    let desc = eni.description.clone().unwrap_or_default();
    Outcome::forced(
        Status::Warn,
        u,
        format!("{} belongs to a {kind} ({desc}): the layers below apply to it, but whether anything answers is up to that service", eni.id),
    )
}

fn layer_status_checks(c: &Ctx) -> Outcome {
    let u = c.universe;
    let Some(inst) = c.r.instance else {
        return Outcome::forced(Status::Unknown, u, "not checked: no instance data");
    };
    let id = inst.id.as_str();
    let Some(st) = c.inv.instance_status.get(id) else {
        // Status checks never make the verdict unknown: an unchecked instance blocks no source.
        let mut o = Outcome::all(u, "");
        o.status = Some(Status::Unknown);
        let why = if c
            .inv
            .provided
            .contains(&crate::model::Command::DescribeInstanceStatus)
        {
            "not checked: the describe-instance-status output has no entry for it (stopped instances appear only with `--include-all-instances`)"
        } else {
            "not checked"
        };
        o.summary = format!("{why}: run `aws ec2 describe-instance-status --include-all-instances --instance-ids {id}`");
        return o;
    };
    let mut out = Outcome::forced(Status::Pass, u, "system and instance status checks pass");
    let mut failed = Vec::new();
    let mut waiting = Vec::new();
    for (label, sum) in [("system", &st.system), ("instance", &st.instance)] {
        let Some(sum) = sum else { continue };
        let detail: Vec<String> = sum
            .details
            .iter()
            .map(|(n, s)| format!("{n} {s}"))
            .collect();
        out.evidence.push(ev(
            id,
            format!("{label} status {} ({})", sum.status, detail.join(", ")),
        ));
        let bad = sum.status == "impaired" || sum.details.iter().any(|(_, s)| s == "failed");
        if bad {
            failed.push(label);
        } else if sum.status == "initializing" || sum.status == "insufficient-data" {
            waiting.push(label);
        }
    }
    if !failed.is_empty() {
        out.status = Some(Status::Fail);
        out.admitted = IpSet::empty();
        out.summary = format!("{} status check failed", failed.join(" and "));
        let action = if failed.contains(&"system") {
            FixAction::StopStartInstance {
                instance_id: id.to_owned(),
            }
        } else {
            FixAction::RebootInstance {
                instance_id: id.to_owned(),
            }
        };
        let what = if failed.contains(&"system") {
            "stop and start the instance to move it to healthy hardware"
        } else {
            "reboot the instance; if it stays impaired, check its OS and network configuration on the serial console"
        };
        out.fix = Some(Fix::new(what, vec![action]));
    } else if !waiting.is_empty() {
        out.status = Some(Status::Warn);
        out.summary = format!(
            "{} status check not yet passed (initializing)",
            waiting.join(" and ")
        );
    }
    for (code, desc) in &st.events {
        out.evidence
            .push(ev(id, format!("scheduled event {code}: {desc}")));
    }
    out
}

fn layer_public_ip(c: &Ctx) -> Outcome {
    let u = c.universe;
    match (c.r.public, c.r.private) {
        (Some(p), Some(pr)) if c.r.family == Family::Ipv4 => {
            let eni = c.r.eni.map(|e| e.id.as_str()).unwrap_or("?");
            let kind = if c.inv.addresses.contains_key(&p) {
                "Elastic IP"
            } else {
                "public IPv4"
            };
            Outcome::forced(Status::Pass, u, format!("{kind} {p} maps to {pr} on {eni}"))
                .with_evidence(eni, format!("{kind} {p} → private {pr}"))
        }
        (Some(p), _) => {
            let eni = c.r.eni.map(|e| e.id.as_str()).unwrap_or("?");
            Outcome::forced(Status::Pass, u, format!("IPv6 address {p} on {eni}"))
                .with_evidence(eni, format!("Ipv6Addresses includes {p}"))
        }
        (None, _) => {
            let mut o = match c.r.family {
                Family::Ipv4 => Outcome::forced(
                    Status::Fail,
                    u,
                    "no public IPv4 or Elastic IP: the internet has no address to reach it by",
                ),
                Family::Ipv6 => {
                    Outcome::forced(Status::Fail, u, "no IPv6 address on the network interface")
                }
            };
            if let (Family::Ipv4, Some(eni), Some(pr)) = (c.r.family, c.r.eni, c.r.private) {
                o = o.with_fix(Fix::new(
                    format!(
                        "allocate an Elastic IP and associate it with {pr} on {}",
                        eni.id
                    ),
                    vec![FixAction::AllocateAndAssociateEip {
                        eni_id: eni.id.as_str().to_owned(),
                        private_ip: pr,
                    }],
                ));
            }
            if let Some(inst) = c.r.instance {
                if inst.state == InstanceState::Stopped {
                    o.summary
                        .push_str(" (a stopped instance loses its auto-assigned public IPv4)");
                }
            }
            if let Some(sub) = c.r.subnet_id.and_then(|s| c.inv.subnets.get(s)) {
                if sub.map_public_ip_on_launch && c.r.family == Family::Ipv4 {
                    o.evidence.push(ev(
                        &sub.id,
                        "MapPublicIpOnLaunch is true, but it applies only at launch: it gives existing instances nothing",
                    ));
                }
            }
            o
        }
    }
}

fn attached_igw<'a>(c: &'a Ctx) -> Option<&'a crate::model::Gateway> {
    let vpc = c.r.vpc_id?;
    c.inv
        .internet_gateways
        .values()
        .find(|g| g.attached_to(vpc))
}

fn layer_internet_gateway(c: &Ctx) -> Outcome {
    let u = c.universe;
    let Some(vpc) = c.r.vpc_id else {
        return Outcome::unknown(
            u,
            "the instance's VPC is unknown: run `aws ec2 describe-instances`",
        );
    };
    if !c
        .inv
        .provided
        .contains(&crate::model::Command::DescribeInternetGateways)
    {
        return Outcome::unknown(
            u,
            format!("internet gateways not given: run `aws ec2 describe-internet-gateways --filters Name=attachment.vpc-id,Values={vpc}`"),
        );
    }
    if !c.explain {
        // A survey asks for internet sources only (nothing to drop) and reads the set alone.
        let admitted = match attached_igw(c) {
            Some(_) => u.clone(),
            None => IpSet::empty(),
        };
        return Outcome::decided(admitted, Vec::new());
    }
    // Private and shared-address sources never come in through an IGW.
    let dropped = c.asked.subtract(&internet(c.r.family));
    let mut o = match attached_igw(c) {
        Some(g) => Outcome::all(u, format!("{} is attached to {vpc}", g.id))
            .with_evidence(&g.id, format!("attachment to {vpc}: available")),
        None => {
            let detached = c.inv.internet_gateways.values().find(|g| {
                g.attachments.is_empty() || g.attachments.iter().all(|(_, s)| s == "detached")
            });
            let mut o = Outcome::none(format!("no internet gateway is attached to {vpc}"));
            for g in c.inv.internet_gateways.values() {
                let att: Vec<String> = g
                    .attachments
                    .iter()
                    .map(|(v, s)| format!("{v} {s}"))
                    .collect();
                if g.attachments.iter().any(|(v, _)| v == vpc) || g.attachments.is_empty() {
                    o.evidence.push(ev(
                        &g.id,
                        if att.is_empty() {
                            "not attached to any VPC".to_owned()
                        } else {
                            att.join(", ")
                        },
                    ));
                }
            }
            let fix = match detached {
                Some(g) => Fix::new(
                    format!("attach {} to {vpc}", g.id),
                    vec![FixAction::AttachInternetGateway {
                        igw_id: Some(g.id.as_str().to_owned()),
                        vpc_id: vpc.to_owned(),
                    }],
                ),
                None => Fix::new(
                    format!("create an internet gateway and attach it to {vpc}"),
                    vec![FixAction::AttachInternetGateway {
                        igw_id: None,
                        vpc_id: vpc.to_owned(),
                    }],
                ),
            };
            o.with_fix(fix)
        }
    };
    if !dropped.is_empty() {
        o.evidence.push(ev(
            "internet gateway",
            format!(
                "drops inbound traffic from private, shared and reserved addresses: {}",
                cidr_list(&dropped)
            ),
        ));
        if c.asked.intersect(&internet(c.r.family)).is_empty() {
            o.summary = format!(
                "{} is not an internet address: an internet gateway drops traffic from private (RFC 1918), shared (RFC 6598) and reserved sources; connect from a public address, or over VPN / Direct Connect",
                cidr_list(&dropped)
            );
            o.status = Some(Status::Fail);
            o.fix = None;
        }
    }
    o
}

fn layer_bpa(c: &Ctx) -> Outcome {
    use crate::model::BpaMode;
    let u = c.universe;
    let subnet = c.r.subnet_id.and_then(|s| c.inv.subnets.get(s));
    let vpc = c.r.vpc_id.and_then(|v| c.inv.vpcs.get(v));
    let (mode, from) = if let Some(m) = subnet.and_then(|s| s.bpa) {
        (
            Some(m),
            subnet.map(|s| s.id.as_str().to_owned()).unwrap_or_default(),
        )
    } else if let Some(m) = vpc.and_then(|v| v.bpa) {
        (
            Some(m),
            vpc.map(|v| v.id.as_str().to_owned()).unwrap_or_default(),
        )
    } else if let Some(m) = c.inv.bpa_account {
        (Some(m), "account".to_owned())
    } else {
        (None, String::new())
    };
    match mode {
        Some(BpaMode::Off) => Outcome::forced(Status::Pass, u, "VPC Block Public Access is off")
            .with_evidence(&from, "BlockPublicAccessStates.InternetGatewayBlockMode = off"),
        Some(m) => {
            let mut o = Outcome::forced(
                Status::Fail,
                u,
                format!(
                    "VPC Block Public Access is `{}`: it drops internet traffic to this VPC whatever the security groups and network ACLs allow",
                    m.name()
                ),
            )
            .with_evidence(&from, format!("BlockPublicAccessStates.InternetGatewayBlockMode = {}", m.name()));
            if let Some(s) = &c.r.subnet_id {
                o = o.with_fix(
                    Fix::new(
                        format!("exclude {s} from VPC Block Public Access"),
                        vec![FixAction::ExcludeFromBlockPublicAccess { subnet_id: (*s).to_owned() }],
                    )
                    .with_note("exclusions need the account's BPA setting to allow them (ExclusionsAllowed)"),
                );
            }
            o
        }
        None if vpc.is_some() => Outcome::forced(
            Status::Pass,
            u,
            "no VPC Block Public Access state in the describe-vpcs output (AWS CLI versions before BPA do not print it): assumed off",
        ),
        None => Outcome::forced(
            Status::Unknown,
            u,
            format!(
                "VPC data not given: run `aws ec2 describe-vpcs --vpc-ids {}` (it shows BlockPublicAccessStates)",
                c.r.vpc_id.unwrap_or("<vpc-id>")
            ),
        ),
    }
}

/// Routes of one family as `(prefix, priority, route)`, prefix lists expanded; `Err` names a prefix
/// list without entries.
fn expand_routes<'a>(
    inv: &Inventory,
    rt: &'a RouteTable,
    family: Family,
) -> Result<Vec<(Cidr, u8, &'a crate::model::Route)>, String> {
    let mut out = Vec::new();
    for r in &rt.routes {
        // Tie-break rank (lower wins): static CIDR, propagated CIDR, prefix list.
        let prop = u8::from(r.origin == RouteOrigin::Propagated);
        match &r.dest {
            RouteDest::Cidr(c) if c.family() == family => out.push((*c, prop, r)),
            RouteDest::Cidr(_) => {}
            RouteDest::PrefixList(pl) => {
                match inv.prefix_lists.get(pl).and_then(|p| p.entries.as_ref()) {
                    Some(entries) => {
                        for c in entries.iter().filter(|c| c.family() == family) {
                            out.push((*c, 2 + prop, r));
                        }
                    }
                    None => return Err(pl.as_str().to_owned()),
                }
            }
        }
    }
    // Longest prefix first; on ties the lower rank wins.
    out.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.1.cmp(&b.1)));
    Ok(out)
}

fn layer_route_table(c: &Ctx) -> Outcome {
    let u = c.universe;
    let (Some(subnet), vpc) = (c.r.subnet_id, c.r.vpc_id) else {
        return Outcome::unknown(
            u,
            "the instance's subnet is unknown: run `aws ec2 describe-instances`",
        );
    };
    if !c
        .inv
        .provided
        .contains(&crate::model::Command::DescribeRouteTables)
    {
        return Outcome::unknown(
            u,
            format!(
                "route tables not given: run `aws ec2 describe-route-tables --filters Name=vpc-id,Values={}`",
                vpc.unwrap_or("<vpc-id>")
            ),
        );
    }
    let Some((rt, implicit)) = c.ix.route_table(subnet, vpc) else {
        return Outcome::unknown(
            u,
            format!(
                "no route table for {subnet}: it has no explicit association and the output has no main table for {}; run `aws ec2 describe-route-tables --filters Name=vpc-id,Values={}` without other filters",
                vpc.unwrap_or("its VPC"),
                vpc.unwrap_or("<vpc-id>")
            ),
        );
    };
    let routes = match expand_routes(c.inv, rt, c.r.family) {
        Ok(r) => r,
        Err(pl) => {
            return Outcome::unknown(
                u,
                format!("{} has a route to prefix list {pl} whose entries were not given: run `aws ec2 get-managed-prefix-list-entries --prefix-list-id {pl} --query \"{{PrefixListId: '{pl}', Entries: Entries}}\"`", rt.id),
            )
        }
    };
    let igw = attached_igw(c).map(|g| g.id.as_str());
    let mut remaining = u.clone();
    let mut admitted = IpSet::empty();
    let mut evidence = Vec::new();
    let mut bad: Vec<(String, IpSet, &crate::model::Route)> = Vec::new();
    for (cidr, _, route) in &routes {
        if remaining.is_empty() {
            break;
        }
        let hit = remaining.intersect(&cidr.to_set());
        if hit.is_empty() {
            continue;
        }
        remaining = remaining.subtract(&hit);
        let ok = route.state == RouteState::Active
            && matches!(&route.target, RouteTarget::InternetGateway(g) if Some(g.as_str()) == igw);
        if ok {
            admitted = admitted.union(&hit);
        }
        if !c.explain {
            continue;
        }
        let state = match route.state {
            RouteState::Active => "active",
            RouteState::Blackhole => "blackhole",
        };
        let text = format!("route {} → {} ({state})", route.dest, route.target);
        if ok {
            evidence.push(ev(
                &rt.id,
                format!(
                    "{text}: replies to {} go out through the internet gateway",
                    c.describe(&hit)
                ),
            ));
        } else {
            let why = if route.state == RouteState::Blackhole {
                "blackhole: its target no longer exists or is detached, so replies are dropped"
                    .to_owned()
            } else {
                match &route.target {
                    RouteTarget::InternetGateway(g) => format!("{g} is not attached to this VPC"),
                    RouteTarget::EgressOnlyInternetGateway(_) => {
                        "an egress-only internet gateway lets the instance connect out but blocks connections initiated from the internet".to_owned()
                    }
                    RouteTarget::Local => "the reply stays inside the VPC".to_owned(),
                    RouteTarget::NatGateway(_) => {
                        "replies leave through a NAT gateway, which rewrites their source address, so the client drops them".to_owned()
                    }
                    other => format!("replies go to {other} instead of the internet gateway"),
                }
            };
            evidence.push(ev(
                &rt.id,
                format!("{text}: {why}; decides {}", c.describe(&hit)),
            ));
            bad.push((text, hit, route));
        }
    }
    if !c.explain {
        // A survey reads the admitted set only: no words, no fix.
        return Outcome::decided(admitted, evidence);
    }
    if !remaining.is_empty() {
        evidence.push(ev(
            &rt.id,
            format!(
                "no route for {}: replies are dropped",
                c.describe(&remaining)
            ),
        ));
    }
    let assoc = if implicit {
        format!(
            "{} (the main route table: {subnet} has no explicit association)",
            rt.id
        )
    } else {
        format!("{} (explicitly associated with {subnet})", rt.id)
    };
    let mut o = Outcome::decided(admitted, evidence);
    o.summary = match o.status(u) {
        Status::Pass => format!("{assoc} sends replies to the internet gateway"),
        Status::Fail if bad.is_empty() => {
            format!("{assoc} has no route to the internet for these clients")
        }
        Status::Fail => format!(
            "{assoc}: {}",
            bad.iter()
                .map(|b| b.0.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ),
        _ => format!(
            "{assoc} sends replies to the internet gateway only for {}",
            c.describe(&o.admitted)
        ),
    };
    if o.status(u) != Status::Pass {
        let igw_id = igw
            .or_else(|| {
                c.inv
                    .internet_gateways
                    .values()
                    .find(|g| g.attachments.is_empty())
                    .map(|g| g.id.as_str())
            })
            .unwrap_or("$IGW")
            .to_owned();
        let goal = goal_cidr(c.q, c.r.family);
        let mut actions = Vec::new();
        // The route for the goal block itself, then any more specific wrong route inside it.
        let exact = rt.routes.iter().any(|r| r.dest == RouteDest::Cidr(goal));
        actions.push(FixAction::RouteToInternetGateway {
            route_table_id: rt.id.as_str().to_owned(),
            dest: goal,
            igw_id: igw_id.clone(),
            replace: exact,
        });
        for (_, _, route) in &bad {
            if let RouteDest::Cidr(d) = route.dest {
                if d != goal && d.len() > goal.len() && goal.covers(&d) {
                    actions.push(FixAction::RouteToInternetGateway {
                        route_table_id: rt.id.as_str().to_owned(),
                        dest: d,
                        igw_id: igw_id.clone(),
                        replace: true,
                    });
                }
            }
        }
        let mut fix = Fix::new(
            format!(
                "route replies to {goal} through the internet gateway in {}",
                rt.id
            ),
            actions,
        );
        if implicit {
            fix = fix.with_note(format!(
                "{} is the VPC's main table: the change affects every subnet without an explicit association",
                rt.id
            ));
        } else if fix.actions.len() > 1 {
            fix = fix.with_note(
                "replacing a more specific route changes how the subnet reaches those addresses",
            );
        }
        o.fix = Some(fix);
    }
    o
}

fn nacl_for<'a>(c: &Ctx<'a>) -> Result<(&'a NetworkAcl, bool), Box<Outcome>> {
    let u = c.universe;
    let (Some(subnet), vpc) = (c.r.subnet_id, c.r.vpc_id) else {
        return Err(Box::new(Outcome::unknown(
            u,
            "the instance's subnet is unknown: run `aws ec2 describe-instances`",
        )));
    };
    if !c
        .inv
        .provided
        .contains(&crate::model::Command::DescribeNetworkAcls)
    {
        return Err(Box::new(Outcome::unknown(
            u,
            format!(
                "network ACLs not given: run `aws ec2 describe-network-acls --filters Name=vpc-id,Values={}`",
                vpc.unwrap_or("<vpc-id>")
            ),
        )));
    }
    c.ix.network_acl(subnet, vpc).ok_or_else(|| {
        Box::new(Outcome::unknown(
            u,
            format!(
                "no network ACL for {subnet} in the output (no association and no default ACL for {}): run `aws ec2 describe-network-acls --filters Name=vpc-id,Values={}`",
                vpc.unwrap_or("its VPC"),
                vpc.unwrap_or("<vpc-id>")
            ),
        ))
    })
}

fn acl_name(acl: &NetworkAcl, implicit: bool) -> String {
    if implicit {
        format!("{} (the VPC's default network ACL)", acl.id)
    } else if acl.is_default {
        format!("{} (default network ACL)", acl.id)
    } else {
        acl.id.as_str().to_owned()
    }
}

fn layer_nacl_in(c: &Ctx) -> Outcome {
    let u = c.universe;
    let (acl, implicit) = match nacl_for(c) {
        Ok(a) => a,
        Err(o) => return *o,
    };
    let entries = sorted_entries(acl, false, c.r.family);
    let (admitted, deciding) = first_match(&entries, u, |e| matches_inbound(&e.traffic, &c.flow));
    let mut evidence: Vec<Evidence> = deciding
        .iter()
        .map(|(e, hit)| {
            ev(
                &acl.id,
                format!("{} decides {}", nacl_entry_text(e), c.describe(hit)),
            )
        })
        .collect();
    let covered: IpSet = deciding.iter().fold(IpSet::empty(), |a, (_, h)| a.union(h));
    let rest = u.subtract(&covered);
    if !rest.is_empty() {
        evidence.push(ev(
            &acl.id,
            format!(
                "no numbered rule matches {}: the final `*` rule denies it",
                c.describe(&rest)
            ),
        ));
    }
    let name = acl_name(acl, implicit);
    let mut o = Outcome::decided(admitted, evidence);
    let proto = c.q.protocol;
    o.summary = match o.status(u) {
        Status::Pass => format!("{name} allows {proto} in from {}", c.describe(u)),
        Status::Fail => format!("{name} denies {proto} in from every queried source"),
        _ => format!(
            "{name} allows {proto} in only from {}",
            c.describe(&o.admitted)
        ),
    };
    if o.status(u) != Status::Pass {
        let goal = goal_cidr(c.q, c.r.family);
        let deny_before = deciding
            .iter()
            .filter(|(e, h)| e.action == RuleAction::Deny && h.intersects(&goal.to_set()))
            .map(|(e, _)| e.rule_number)
            .min()
            .unwrap_or(32767);
        o.fix = Some(match free_rule_number(acl, false, deny_before) {
            Some(n) => note_if(
                Fix::new(
                    format!("allow {proto} in from {goal} with rule {n}, before the rule that denies it"),
                    vec![FixAction::AddNaclEntry {
                        network_acl_id: acl.id.as_str().to_owned(),
                        egress: false,
                        rule_number: n,
                        traffic: traffic_of(&c.flow),
                        cidr: goal,
                    }],
                ),
                wide_open_note(c.q, &c.flow),
            ),
            None => Fix::new(
                format!("no free rule number before rule {deny_before} in {}: renumber the rules, then allow {proto} in from {goal}", acl.id),
                Vec::new(),
            ),
        });
    }
    o
}

/// Outbound NACL for replies: per client-port segment, the sources that get replies.
struct OutboundResult {
    outcome: Outcome,
    /// Sources whose replies pass for every port in each family's range.
    per_family: BTreeMap<ClientFamily, IpSet>,
    /// `(port segment, sources admitted)` over 1024–65535 (TCP/UDP only).
    segments: Vec<(PortRange, IpSet)>,
}

fn layer_nacl_out(c: &Ctx) -> OutboundResult {
    let u = c.universe;
    let all_families = |set: &IpSet| -> BTreeMap<ClientFamily, IpSet> {
        ClientFamily::ALL
            .iter()
            .map(|f| (*f, set.clone()))
            .collect()
    };
    let (acl, implicit) = match nacl_for(c) {
        Ok(a) => a,
        Err(o) => {
            return OutboundResult {
                outcome: *o,
                per_family: all_families(&IpSet::empty()),
                segments: Vec::new(),
            }
        }
    };
    let name = acl_name(acl, implicit);
    let entries = sorted_entries(acl, true, c.r.family);
    match c.flow.reply {
        Reply::None => OutboundResult {
            outcome: Outcome::forced(
                Status::NotApplicable,
                u,
                format!("{} expects no reply", c.q.protocol),
            ),
            per_family: all_families(u),
            segments: Vec::new(),
        },
        Reply::All | Reply::Icmp(..) => {
            let reply = c.flow.reply;
            let (admitted, deciding) =
                first_match(&entries, u, |e| matches_reply(&e.traffic, &reply));
            if !c.explain {
                // A survey reads the sets only: no words, no fix.
                return OutboundResult {
                    per_family: all_families(&admitted),
                    outcome: Outcome::decided(admitted, Vec::new()),
                    segments: Vec::new(),
                };
            }
            let what = match reply {
                Reply::Icmp(_, t, _) => format!("ICMP type {t} replies"),
                _ => "replies of any protocol".to_owned(),
            };
            let mut o = Outcome {
                admitted: admitted.clone(),
                undecided: IpSet::empty(),
                summary: String::new(),
                evidence: deciding
                    .iter()
                    .map(|(e, h)| {
                        ev(
                            &acl.id,
                            format!("{} decides {}", nacl_entry_text(e), c.describe(h)),
                        )
                    })
                    .collect(),
                status: None,
                fix: None,
            };
            o.summary = match o.status(u) {
                Status::Pass => format!("{name} lets {what} out"),
                Status::Fail => format!("{name} blocks {what} to every queried source"),
                _ => format!("{name} lets {what} out only to {}", c.describe(&admitted)),
            };
            if o.status(u) != Status::Pass {
                let goal = goal_cidr(c.q, c.r.family);
                let traffic = match reply {
                    Reply::Icmp(p, t, code) => Traffic {
                        protocol: p,
                        ports: PortMatch::Icmp {
                            icmp_type: Some(t),
                            code: Some(code),
                        },
                    },
                    _ => Traffic {
                        protocol: Protocol::All,
                        ports: PortMatch::Any,
                    },
                };
                o.fix = out_fix(
                    acl,
                    &deciding,
                    goal,
                    traffic,
                    format!("allow {what} out to {goal}"),
                );
            }
            OutboundResult {
                outcome: o,
                per_family: all_families(&admitted),
                segments: Vec::new(),
            }
        }
        Reply::Ports(proto) => {
            // Elementary client-port segments over 1024-65535 from every rule boundary.
            let mut cuts: Vec<u32> = vec![1024, 65536];
            for f in ClientFamily::ALL {
                cuts.push(u32::from(f.ports().from()));
                cuts.push(u32::from(f.ports().to()) + 1);
            }
            for e in &entries {
                if let Some(ps) = reply_ports(&e.traffic, proto) {
                    for (lo, hi) in ps.ranges() {
                        cuts.push(u32::from(*lo));
                        cuts.push(u32::from(*hi) + 1);
                    }
                }
            }
            cuts.retain(|x| (1024..=65536).contains(x));
            cuts.sort_unstable();
            cuts.dedup();
            let mut segments = Vec::new();
            type Decisive<'e> = (&'e NaclEntry, IpSet, Vec<(u16, u16)>);
            let mut decisive: Vec<Decisive> = Vec::new();
            for w in cuts.windows(2) {
                let (Some(&lo), Some(&hi)) = (w.first(), w.get(1)) else {
                    continue;
                };
                let (Ok(lo), Ok(hi)) = (u16::try_from(lo), u16::try_from(hi - 1)) else {
                    continue;
                };
                let Some(seg) = PortRange::new(lo, hi) else {
                    continue;
                };
                let (adm, deciding) = first_match(&entries, u, |e| {
                    reply_ports(&e.traffic, proto).is_some_and(|ps| ps.contains(lo))
                });
                // Which rules decide, for the words: not needed when only the sets are read.
                let deciding = if c.explain { deciding } else { Vec::new() };
                for (e, h) in deciding {
                    match decisive.iter_mut().find(|(d, _, _)| std::ptr::eq(*d, e)) {
                        Some((_, acc, ports)) => {
                            *acc = acc.union(&h);
                            ports.push((seg.from(), seg.to()));
                        }
                        None => decisive.push((e, h, vec![(seg.from(), seg.to())])),
                    }
                }
                segments.push((seg, adm));
            }
            let per_family: BTreeMap<ClientFamily, IpSet> = ClientFamily::ALL
                .iter()
                .map(|f| {
                    let fr = f.ports();
                    let set = segments
                        .iter()
                        .filter(|(s, _)| s.from() >= fr.from() && s.to() <= fr.to())
                        .fold(u.clone(), |acc, (_, a)| acc.intersect(a));
                    (*f, set)
                })
                .collect();
            let any_family = per_family.values().fold(IpSet::empty(), |a, s| a.union(s));
            let all_fam = per_family.values().fold(u.clone(), |a, s| a.intersect(s));
            let status = if u.is_subset(&all_fam) {
                Status::Pass
            } else if any_family.intersect(u).is_empty() {
                Status::Fail
            } else {
                Status::Warn
            };
            if !c.explain {
                // A survey reads the sets only: no words, no fix.
                return OutboundResult {
                    outcome: Outcome {
                        status: Some(status),
                        ..Outcome::decided(any_family, Vec::new())
                    },
                    per_family,
                    segments,
                };
            }
            decisive.sort_by_key(|(e, _, _)| e.rule_number);
            let evidence: Vec<Evidence> = decisive
                .iter()
                .map(|(e, h, ports)| {
                    let ports = RangeSet::from_ranges(ports.clone());
                    let ports: Vec<String> = ports
                        .ranges()
                        .iter()
                        .filter_map(|(a, b)| PortRange::new(*a, *b))
                        .map(|p| p.to_string())
                        .collect();
                    ev(
                        &acl.id,
                        format!(
                            "{} decides replies to {} on client ports {}",
                            nacl_entry_text(e),
                            c.describe(h),
                            ports.join(", ")
                        ),
                    )
                })
                .collect();
            let decisive: Vec<(&NaclEntry, IpSet)> =
                decisive.into_iter().map(|(e, h, _)| (e, h)).collect();
            // Families that get replies wherever any family does: if all do, the restriction is by
            // source, not by client OS.
            let families_ok: Vec<&str> = per_family
                .iter()
                .filter(|(_, s)| !s.intersect(u).is_empty())
                .map(|(f, _)| f.label())
                .collect();
            let families_bad: Vec<&str> = per_family
                .iter()
                .filter(|(_, s)| !any_family.intersect(u).is_subset(s))
                .map(|(f, _)| f.label())
                .collect();
            let passing_ports: Vec<String> = segments
                .iter()
                .filter(|(_, a)| !a.intersect(u).is_empty())
                .map(|(s, _)| s.to_string())
                .collect();
            let summary = match status {
                Status::Pass => format!(
                    "{name} lets {proto} replies out to every client ephemeral port (1024-65535)"
                ),
                Status::Fail => format!(
                    "{name} blocks {proto} replies to the clients' ephemeral ports{}",
                    if passing_ports.is_empty() {
                        String::new()
                    } else {
                        format!(" (replies pass only to ports {})", passing_ports.join(", "))
                    }
                ),
                _ if families_bad.is_empty() => format!(
                    "{name} lets {proto} replies out only to {}",
                    c.describe(&any_family)
                ),
                _ => format!(
                    "{name} lets {proto} replies out only for {}; replies to {} are dropped",
                    if families_ok.is_empty() {
                        "some clients".to_owned()
                    } else {
                        families_ok.join(", ")
                    },
                    families_bad.join(", ")
                ),
            };
            let mut o = Outcome {
                admitted: any_family,
                undecided: IpSet::empty(),
                summary,
                evidence,
                status: Some(status),
                fix: None,
            };
            if status != Status::Pass {
                let goal = goal_cidr(c.q, c.r.family);
                let traffic = Traffic {
                    protocol: proto,
                    ports: PortMatch::Ports(ClientFamily::NatGateway.ports()),
                };
                o.fix = out_fix(
                    acl,
                    &decisive,
                    goal,
                    traffic,
                    format!("allow {proto} replies out to {goal} on ports 1024-65535"),
                );
            }
            OutboundResult {
                outcome: o,
                per_family,
                segments,
            }
        }
    }
}

fn out_fix(
    acl: &NetworkAcl,
    deciding: &[(&NaclEntry, IpSet)],
    goal: Cidr,
    traffic: Traffic,
    what: String,
) -> Option<Fix> {
    let deny_before = deciding
        .iter()
        .filter(|(e, h)| e.action == RuleAction::Deny && h.intersects(&goal.to_set()))
        .map(|(e, _)| e.rule_number)
        .min()
        .unwrap_or(32767);
    Some(match free_rule_number(acl, true, deny_before) {
        Some(n) => Fix::new(
            format!("{what} with rule {n}"),
            vec![FixAction::AddNaclEntry {
                network_acl_id: acl.id.as_str().to_owned(),
                egress: true,
                rule_number: n,
                traffic,
                cidr: goal,
            }],
        ),
        None => Fix::new(
            format!("no free outbound rule number before rule {deny_before} in {}: renumber, then {what}", acl.id),
            Vec::new(),
        ),
    })
}

fn layer_security_group(c: &Ctx) -> Outcome {
    let u = c.universe;
    if c.r.groups.is_empty() {
        if c.r.eni.is_none() && c.r.instance.is_none() {
            return Outcome::unknown(
                u,
                "no network interface data: run `aws ec2 describe-network-interfaces`",
            );
        }
        return Outcome::none("the network interface has no security groups");
    }
    let mut admitted = IpSet::empty();
    let mut undecided = IpSet::empty();
    let mut evidence = Vec::new();
    let mut missing_groups = Vec::new();
    let mut missing_pls = Vec::new();
    let mut group_refs = Vec::new();
    for gid in c.r.groups {
        let Some(sg) = c.inv.security_groups.get(gid) else {
            missing_groups.push(gid.as_str().to_owned());
            undecided = u.clone();
            continue;
        };
        let gname = match &sg.name {
            Some(n) => format!("{} ({n})", sg.id),
            None => sg.id.as_str().to_owned(),
        };
        for rule in sg
            .ingress
            .iter()
            .filter(|r| matches_inbound(&r.traffic, &c.flow))
        {
            let label = format!(
                "rule {} ({} from {})",
                rule.position, rule.traffic, rule.peer
            );
            match &rule.peer {
                SgPeer::Cidr(cidr) => {
                    if cidr.family() != c.r.family {
                        continue;
                    }
                    let hit = cidr.to_set().intersect(u);
                    if !hit.is_empty() {
                        evidence.push(ev(&gname, format!("{label} admits {}", c.describe(&hit))));
                    }
                    admitted = admitted.union(&cidr.to_set());
                }
                SgPeer::PrefixList(pl) => {
                    match c.inv.prefix_lists.get(pl).and_then(|p| p.entries.as_ref()) {
                        Some(entries) => {
                            let set = IpSet::from_cidrs(entries.iter());
                            let hit = set.intersect(u);
                            evidence.push(ev(
                                &gname,
                                format!(
                                    "{label} admits {}",
                                    if hit.is_empty() {
                                        "no queried source".to_owned()
                                    } else {
                                        c.describe(&hit)
                                    }
                                ),
                            ));
                            admitted = admitted.union(&set);
                        }
                        None => {
                            evidence.push(ev(
                                &gname,
                                format!("{label}: the entries of {pl} were not given"),
                            ));
                            missing_pls.push(pl.clone());
                            undecided = u.clone();
                        }
                    }
                }
                SgPeer::Group { group_id, .. } => {
                    evidence.push(ev(
                        &gname,
                        format!("{label} admits only the private addresses of {group_id}'s members, never internet traffic"),
                    ));
                    group_refs.push(group_id.clone());
                }
            }
        }
    }
    let undecided = undecided.subtract(&admitted);
    if admitted.intersect(u).is_empty() && undecided.is_empty() {
        // Nothing admits the queried traffic: show what the groups do allow, so the gap is visible.
        for gid in c.r.groups {
            let Some(sg) = c.inv.security_groups.get(gid) else {
                continue;
            };
            if sg.ingress.is_empty() {
                evidence.push(ev(&sg.id, "has no inbound rules"));
            }
            for rule in sg.ingress.iter().take(8) {
                if !matches_inbound(&rule.traffic, &c.flow) {
                    evidence.push(ev(
                        &sg.id,
                        format!(
                            "rule {} allows {} from {} (not the queried traffic)",
                            rule.position, rule.traffic, rule.peer
                        ),
                    ));
                }
            }
        }
    }
    let groups = c.r.groups.join(", ");
    let mut o = Outcome {
        admitted,
        undecided,
        summary: String::new(),
        evidence,
        status: None,
        fix: None,
    };
    let proto = c.q.protocol;
    o.summary = match o.status(u) {
        Status::Pass => format!("{groups} admit {proto} from {}", c.describe(u)),
        Status::Unknown if !missing_groups.is_empty() => format!(
            "security group {} not in the input: run `aws ec2 describe-security-groups --group-ids {}`",
            missing_groups.join(", "),
            missing_groups.join(" ")
        ),
        Status::Unknown => {
            missing_pls.sort();
            missing_pls.dedup();
            let cmds: Vec<String> = missing_pls
                .iter()
                .map(|pl| format!("`aws ec2 get-managed-prefix-list-entries --prefix-list-id {pl} --query \"{{PrefixListId: '{pl}', Entries: Entries}}\"`"))
                .collect();
            format!("a rule refers to prefix list {} whose entries were not given: run {}", missing_pls.join(", "), cmds.join(" and "))
        }
        Status::Fail if !group_refs.is_empty() => format!(
            "no rule of {groups} admits {proto} from the internet (rules referring to other security groups admit only private addresses)"
        ),
        Status::Fail => format!("no rule of {groups} admits {proto} from the queried sources"),
        _ => format!("{groups} admit {proto} only from {}", c.describe(&o.admitted)),
    };
    if matches!(o.status(u), Status::Fail | Status::Warn) {
        if let Some(first) = c.r.groups.first() {
            let goal = goal_cidr(c.q, c.r.family);
            let shared = c
                .inv
                .enis
                .values()
                .filter(|e| {
                    e.groups.contains(first)
                        && Some(e.id.as_str()) != c.r.eni.map(|x| x.id.as_str())
                })
                .count();
            let mut fix = note_if(
                Fix::new(
                    format!("allow {proto} from {goal} in {first}"),
                    vec![FixAction::AddSecurityGroupIngress {
                        group_id: first.as_str().to_owned(),
                        traffic: traffic_of(&c.flow),
                        cidr: goal,
                    }],
                ),
                wide_open_note(c.q, &c.flow),
            );
            if shared > 0 {
                let extra = format!("{first} is also attached to {shared} other network interface(s), which the rule opens too");
                fix.note = Some(match fix.note {
                    Some(n) => format!("{n}; {extra}"),
                    None => extra,
                });
            }
            o.fix = Some(fix);
        }
    }
    o
}

/// Ports (or "all") the client families need, for the report's assumptions.
fn assumptions(c: &Ctx) -> Vec<String> {
    let mut a = Vec::new();
    if let Reply::Ports(_) = c.flow.reply {
        a.push(
            "network ACLs are stateless: replies go to the client's ephemeral port, which depends on its OS (Linux 32768-60999, Windows/macOS 49152-65535, NAT gateways and load balancers 1024-65535); every range is checked".to_owned(),
        );
    }
    if c.q.source.is_none() {
        a.push(match c.r.family {
            Family::Ipv4 => "no --source given: the sources are every public IPv4 address (private, shared and reserved ranges never arrive through an internet gateway)".to_owned(),
            Family::Ipv6 => "no --source given: the sources are every global unicast IPv6 address (2000::/3) outside this VPC's own ranges".to_owned(),
        });
    }
    a.push("the configuration is as pasted: changes made since the describe-* commands ran are not seen".to_owned());
    a
}

/// The VPC's own ranges, which are never internet clients (IPv6 VPC ranges are public space).
fn own_ranges(inv: &Inventory, r: &Resolved) -> IpSet {
    let own: Vec<Cidr> = r
        .vpc_id
        .and_then(|v| inv.vpcs.get(v))
        .map(|v| v.cidrs.iter().chain(v.ipv6_cidrs.iter()).copied().collect())
        .unwrap_or_default();
    IpSet::from_cidrs(own.iter())
}

/// Answers one query against the configuration.
pub fn check(inv: &Inventory, q: &Query) -> Result<Report, QueryError> {
    let ix = Index::new(inv);
    let r = resolve(inv, &ix, q)?;
    let asked = match q.source {
        Some(s) => s.to_set(),
        None => internet(r.family),
    }
    .family(r.family);
    let inet = asked.intersect(&internet(r.family));
    let universe = if q.source.is_none() {
        inet.subtract(&own_ranges(inv, &r))
    } else if inet.is_empty() {
        // A private source: the internet gateway drops it; the other layers still say what they
        // would do with it, so every blocker is reported.
        asked.clone()
    } else {
        inet
    };
    let flow = flow_for(&q.protocol, r.family);
    let c = Ctx {
        inv,
        ix: &ix,
        q,
        r,
        flow,
        universe: &universe,
        asked: &asked,
        explain: true,
    };
    let u = c.universe;

    let out = layer_nacl_out(&c);
    let mut layers: Vec<(Layer, Outcome)> = vec![
        (Layer::InstanceState, layer_instance_state(&c)),
        (Layer::StatusChecks, layer_status_checks(&c)),
        (Layer::PublicIp, layer_public_ip(&c)),
        (Layer::InternetGateway, layer_internet_gateway(&c)),
        (Layer::BlockPublicAccess, layer_bpa(&c)),
        (Layer::RouteTable, layer_route_table(&c)),
        (Layer::NetworkAclInbound, layer_nacl_in(&c)),
        (Layer::SecurityGroup, layer_security_group(&c)),
        (Layer::NetworkAclOutbound, out.outcome.clone()),
    ];

    let mut statuses: Vec<Status> = layers.iter().map(|(_, o)| o.status(u)).collect();
    // Sources that pass every inbound layer (status checks never pass or fail by source).
    let inbound: IpSet = layers
        .iter()
        .filter(|(l, _)| *l != Layer::NetworkAclOutbound)
        .fold(u.clone(), |acc, (_, o)| acc.intersect(&o.admitted));
    let full = out
        .per_family
        .values()
        .fold(inbound.clone(), |acc, s| acc.intersect(s));
    let some = out
        .per_family
        .values()
        .fold(IpSet::empty(), |acc, s| acc.union(s))
        .intersect(&inbound);

    let any_fail = statuses.contains(&Status::Fail);
    let any_unknown = layers
        .iter()
        .zip(&statuses)
        .any(|((l, _), s)| *s == Status::Unknown && *l != Layer::StatusChecks);
    let verdict = if any_fail {
        Verdict::Blocked
    } else if any_unknown {
        Verdict::Unknown
    } else if !u.is_empty() && u.is_subset(&full) {
        Verdict::Reachable
    } else if !some.is_empty() {
        Verdict::Partial
    } else {
        // Every layer admits something, but no source passes them all: the restricting layers
        // block jointly.
        for (i, (_, o)) in layers.iter_mut().enumerate() {
            if statuses.get(i) == Some(&Status::Warn) && !u.is_subset(&o.admitted) {
                o.summary.push_str(
                    "; no source it admits passes every other layer, so together they block all",
                );
                if let Some(s) = statuses.get_mut(i) {
                    *s = Status::Fail;
                }
            }
        }
        Verdict::Blocked
    };

    let mut checks = Vec::new();
    let mut blocking = Vec::new();
    for ((layer, o), status) in layers.into_iter().zip(statuses) {
        if status == Status::Fail {
            blocking.push(layer);
        }
        let fix = match status {
            Status::Fail | Status::Warn => o.fix,
            _ => None,
        };
        checks.push(Check {
            layer,
            status,
            summary: o.summary,
            evidence: o.evidence,
            fix,
        });
    }

    for ch in &mut checks {
        for e in &mut ch.evidence {
            if e.origin.is_none() {
                e.origin = origin_of(inv, &e.object);
            }
        }
    }

    let reachable_from = if verdict == Verdict::Blocked {
        Vec::new()
    } else {
        full.to_cidrs()
    };
    let partially_reachable_from = if verdict == Verdict::Blocked {
        Vec::new()
    } else {
        partial_reach(&some.subtract(&full), &out)
    };

    let target = Target {
        instance_id: c.r.instance.map(|i| i.id.as_str().to_owned()),
        name: c
            .r
            .instance
            .and_then(|i| i.name.as_ref().map(|s| s.as_str().to_owned())),
        eni_id: c.r.eni.map(|e| e.id.as_str().to_owned()),
        address: c.r.public,
        private_address: c.r.private,
        other_addresses: c.r.others.clone(),
    };
    let mut warnings = Vec::new();
    if !c.r.others.is_empty() {
        let list: Vec<String> = c.r.others.iter().map(|a| a.to_string()).collect();
        warnings.push(format!(
            "the instance has other public addresses ({}); check one with `--address`",
            list.join(", ")
        ));
    }
    if let Some(eni) = c.r.eni {
        if c.r.instance.is_some_and(|i| i.eni_ids.len() > 1) && eni.device_index.unwrap_or(0) > 0 {
            warnings.push(format!(
                "{} is a secondary interface: the instance's OS must send replies out through it (check `ip route` / `ip rule` on the instance)",
                eni.id
            ));
        }
    }
    Ok(Report {
        verdict,
        query: q.clone(),
        target,
        sources: c.universe.to_cidrs(),
        blocking,
        checks,
        reachable_from,
        partially_reachable_from,
        assumptions: assumptions(&c),
        warnings,
    })
}

/// Where the object an evidence line names came from (`sg-0abc (web)` → the group's file and path).
fn origin_of(inv: &Inventory, object: &str) -> Option<crate::model::Origin> {
    let id = object.split(' ').next().unwrap_or(object);
    let o = match id.split('-').next().unwrap_or("") {
        "sg" => inv.security_groups.get(id).map(|x| &x.origin),
        "acl" => inv.network_acls.get(id).map(|x| &x.origin),
        "rtb" => inv.route_tables.get(id).map(|x| &x.origin),
        "igw" => inv.internet_gateways.get(id).map(|x| &x.origin),
        "i" => inv.instances.get(id).map(|x| &x.origin),
        "eni" => inv.enis.get(id).map(|x| &x.origin),
        "subnet" => inv.subnets.get(id).map(|x| &x.origin),
        "vpc" => inv.vpcs.get(id).map(|x| &x.origin),
        _ => None,
    }?;
    (!o.source.is_empty()).then(|| o.clone())
}

/// Groups partially reachable sources by which client families and ports get replies.
fn partial_reach(set: &IpSet, out: &OutboundResult) -> Vec<PartialReach> {
    if set.is_empty() {
        return Vec::new();
    }
    // Split `set` into regions with the same port signature.
    let mut regions: Vec<(IpSet, Vec<PortRange>)> = vec![(set.clone(), Vec::new())];
    for (seg, adm) in &out.segments {
        let mut next = Vec::new();
        for (region, ports) in regions {
            let inside = region.intersect(adm);
            let outside = region.subtract(adm);
            if !inside.is_empty() {
                let mut p = ports.clone();
                p.push(*seg);
                next.push((inside, p));
            }
            if !outside.is_empty() {
                next.push((outside, ports));
            }
        }
        regions = next;
    }
    let mut result: Vec<PartialReach> = regions
        .into_iter()
        .map(|(region, ports)| {
            let families = ClientFamily::ALL
                .iter()
                .filter(|f| out.per_family.get(f).is_some_and(|s| region.is_subset(s)))
                .copied()
                .collect();
            let merged = RangeSet::from_ranges(ports.iter().map(|p| (p.from(), p.to())).collect());
            PartialReach {
                cidrs: region.to_cidrs(),
                client_families: families,
                client_ports: merged
                    .ranges()
                    .iter()
                    .filter_map(|(a, b)| PortRange::new(*a, *b))
                    .collect(),
            }
        })
        .collect();
    result.sort_by(|a, b| a.cidrs.cmp(&b.cidrs));
    result
}

/// Ports whose exposure to the whole internet is risky, with a name.
pub const RISKY_PORTS: &[(u16, &str)] = &[
    (22, "SSH"),
    (23, "Telnet"),
    (3389, "RDP"),
    (5900, "VNC"),
    (3306, "MySQL"),
    (5432, "PostgreSQL"),
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (27017, "MongoDB"),
    (6379, "Redis"),
    (9200, "Elasticsearch"),
    (11211, "Memcached"),
    (5984, "CouchDB"),
    (9042, "Cassandra"),
    (2375, "Docker API"),
    (445, "SMB"),
];

/// The probes of a survey: TCP and UDP over every port, ICMP echo, and all traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Probe {
    Tcp,
    Udp,
    Echo,
    All,
}

impl Probe {
    const EACH: [Probe; 4] = [Probe::Tcp, Probe::Udp, Probe::Echo, Probe::All];

    /// The protocol whose ports this probe covers, if it has ports.
    fn ported(self) -> Option<Protocol> {
        match self {
            Probe::Tcp => Some(Protocol::Tcp),
            Probe::Udp => Some(Protocol::Udp),
            Probe::Echo | Probe::All => None,
        }
    }

    /// The flow of this probe to `port` (ignored by probes without ports).
    fn flow(self, port: u16, family: Family) -> Flow {
        let q = match self {
            Probe::Tcp => QueryProtocol::Tcp { port },
            Probe::Udp => QueryProtocol::Udp { port },
            Probe::Echo => QueryProtocol::Icmp {
                icmp_type: 8,
                code: Some(0),
            },
            Probe::All => QueryProtocol::All,
        };
        flow_for(&q, family)
    }

    fn label(self) -> &'static str {
        match self {
            Probe::Tcp => "tcp",
            Probe::Udp => "udp",
            Probe::Echo => "icmp echo (ping)",
            Probe::All => "all traffic",
        }
    }
}

/// The first port of every elementary segment of the port ranges `traffic` gives for `probe`, into
/// `out`: the ports where the answer of those rules can change (just `0` for a probe without ports).
fn segment_starts<'t>(
    probe: Probe,
    traffic: impl Iterator<Item = &'t Traffic>,
    out: &mut Vec<u16>,
) {
    out.clear();
    out.push(0);
    if let Some(proto) = probe.ported() {
        for t in traffic {
            if t.protocol == proto || t.protocol == Protocol::All {
                if let PortMatch::Ports(r) = t.ports {
                    out.push(r.from());
                    // A range that ends at 65535 starts no segment after it.
                    if let Some(next) = r.to().checked_add(1) {
                        out.push(next);
                    }
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
}

/// An interned source set of one survey.
type SetId = u32;

/// The two operations [`Sets`] remembers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum SetOp {
    Union,
    Meet,
}

/// Source sets of one survey, hash-consed: each distinct set is stored once under an id, and the
/// union or intersection of two ids, and the minimal CIDR list of an id, are computed once (the
/// union of an interface's groups is not remembered: see [`Sets::union_meet`]). Interfaces share
/// answers: on the benchmark's synthetic account 9 833 open port ranges have 2 497 distinct source
/// sets, and the survey meets 8 786 distinct sets in all, so most set operations are lookups.
struct Sets {
    sets: Vec<IpSet>,
    /// Ids by the hash of their set (each set is stored once, in `sets`).
    ids: HashTable<SetId>,
    combined: FxHashMap<(SetOp, SetId, SetId), SetId>,
    /// Set → its minimal CIDR list, and whether it is wide enough to count as the internet.
    cidrs: FxHashMap<SetId, (Arc<[Cidr]>, bool)>,
    empty: IpSet,
    /// Buffers for computed sets, which are copied only when new.
    scratch: [IpSet; 2],
}

impl Sets {
    /// The id of the empty set.
    const EMPTY: SetId = 0;

    /// Sized for a survey of `interfaces` interfaces (the synthetic account's 12 108 meet 13 728
    /// distinct sets), so the maps seldom grow.
    fn new(interfaces: usize) -> Sets {
        let mut s = Sets {
            sets: Vec::with_capacity(interfaces),
            ids: HashTable::with_capacity(interfaces),
            combined: FxHashMap::default(),
            cidrs: FxHashMap::default(),
            empty: IpSet::empty(),
            scratch: Default::default(),
        };
        s.combined.reserve(2 * interfaces);
        s.id(IpSet::empty());
        s
    }

    fn id(&mut self, set: IpSet) -> SetId {
        let hash = set_hash(&set);
        match self.find(hash, &set) {
            Some(id) => id,
            None => self.insert(hash, set),
        }
    }

    /// [`Sets::id`] of a set that is only borrowed: copied only when it is new.
    fn intern(&mut self, set: &IpSet) -> SetId {
        let hash = set_hash(set);
        match self.find(hash, set) {
            Some(id) => id,
            None => self.insert(hash, set.clone()),
        }
    }

    fn find(&self, hash: u64, set: &IpSet) -> Option<SetId> {
        let sets = &self.sets;
        let same = |id: &SetId| usize::try_from(*id).ok().and_then(|i| sets.get(i)) == Some(set);
        self.ids.find(hash, same).copied()
    }

    /// Stores a set [`Sets::find`] did not find.
    fn insert(&mut self, hash: u64, set: IpSet) -> SetId {
        let id = SetId::try_from(self.sets.len()).unwrap_or(SetId::MAX);
        let sets = &self.sets;
        self.ids.insert_unique(hash, id, |id| {
            set_hash(
                usize::try_from(*id)
                    .ok()
                    .and_then(|i| sets.get(i))
                    .unwrap_or(&self.empty),
            )
        });
        self.sets.push(set);
        id
    }

    fn get(&self, id: SetId) -> &IpSet {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.sets.get(i))
            .unwrap_or(&self.empty)
    }

    fn union(&mut self, a: SetId, b: SetId) -> SetId {
        if a == b || b == Sets::EMPTY {
            return a;
        }
        if a == Sets::EMPTY {
            return b;
        }
        self.combine(SetOp::Union, a, b)
    }

    fn meet(&mut self, a: SetId, b: SetId) -> SetId {
        if a == b {
            return a;
        }
        if a == Sets::EMPTY || b == Sets::EMPTY {
            return Sets::EMPTY;
        }
        self.combine(SetOp::Meet, a, b)
    }

    /// `a op b`, computed once per unordered pair (both operations commute).
    fn combine(&mut self, op: SetOp, a: SetId, b: SetId) -> SetId {
        let key = (op, a.min(b), a.max(b));
        if let Some(&r) = self.combined.get(&key) {
            return r;
        }
        // Into a buffer, so that an answer already stored (the common case) is not copied.
        let mut out = std::mem::take(&mut self.scratch[0]);
        match op {
            SetOp::Union => self.get(a).union_into(self.get(b), &mut out),
            SetOp::Meet => self.get(a).intersect_into(self.get(b), &mut out),
        }
        let r = self.intern(&out);
        self.scratch[0] = out;
        self.combined.insert(key, r);
        r
    }

    /// `(a₁ ∪ a₂ ∪ …) ∩ gate`, not remembered: an interface's groups are often a combination
    /// no other interface has, so their union would be computed once and never looked up again.
    fn union_meet(&mut self, ids: &[SetId], gate: SetId) -> SetId {
        let (first, rest) = match ids {
            [] => return Sets::EMPTY,
            [a] => return self.meet(*a, gate),
            [first, rest @ ..] => (*first, rest),
        };
        if gate == Sets::EMPTY {
            return Sets::EMPTY;
        }
        let [mut acc, mut next] = std::mem::take(&mut self.scratch);
        acc.clone_from(self.get(first));
        for &id in rest {
            acc.union_into(self.get(id), &mut next);
            std::mem::swap(&mut acc, &mut next);
        }
        acc.intersect_into(self.get(gate), &mut next);
        let r = self.intern(&next);
        self.scratch = [acc, next];
        r
    }

    /// The minimal CIDR list of set `id`, shared, and whether it is [`wide_sources`]: computed
    /// once per set.
    fn cidrs(&mut self, id: SetId) -> (Arc<[Cidr]>, bool) {
        if let Some((c, wide)) = self.cidrs.get(&id) {
            return (Arc::clone(c), *wide);
        }
        let c: Arc<[Cidr]> = self.get(id).to_cidrs().into();
        let wide = wide_sources(&c);
        self.cidrs.insert(id, (Arc::clone(&c), wide));
        (c, wide)
    }
}

fn set_hash(set: &IpSet) -> u64 {
    use std::hash::BuildHasher;
    std::hash::BuildHasherDefault::<FxHasher>::default().hash_one(set)
}

/// One security group's or inbound network ACL's answer over the ports of one probe: `(first port,
/// admitted sources, undecided)` per elementary segment of its own rules, in port order.
type PortTable = [(u16, SetId, bool)];

/// The port tables of one security group or network ACL, one per probe in [`Probe::EACH`] order,
/// as ranges of [`Survey::table_rows`].
type Tables = [(usize, usize); 4];

/// What one survey computes once and shares between interfaces: the interned source sets, and per
/// subnet, network ACL, security group and VPC the answers of the layers that depend on them only.
struct Survey<'a> {
    inv: &'a Inventory,
    ix: &'a Index<'a>,
    sets: Sets,
    /// Numbers for subnet, VPC and prefix-list ids (`u32::MAX` for none), so that cache keys need no
    /// string copies.
    names: FxHashMap<String, u32>,
    /// `(VPC, family)` → the internet sources outside the VPC's own ranges.
    universes: FxHashMap<(u32, Family), (SetId, Rc<IpSet>)>,
    /// `(subnet, VPC, family)` → sources the gateway, Block Public Access and the return route
    /// admit, and the layers that could not be decided.
    paths: FxHashMap<(u32, u32, Family), (SetId, Vec<String>)>,
    /// `(network ACL by address, family, protocol, VPC)` → sources whose replies leave for some
    /// client OS.
    replies: FxHashMap<(usize, Family, Protocol, u32), SetId>,
    /// `(security group or network ACL by address, family)` → its [`PortTable`] per probe, as
    /// ranges of `table_rows`.
    tables: FxHashMap<(usize, Family), Tables>,
    table_rows: Vec<(u16, SetId, bool)>,
    /// [`expose_address`]'s buffers.
    buffers: Buffers<'a>,
    /// Port table buffers: a group's rules for one probe, and a table's segment starts.
    scratch: (Vec<(Traffic, SetId, bool)>, Vec<u16>),
    /// Rule blocks already interned.
    cidr_ids: FxHashMap<Cidr, SetId>,
    /// `(prefix list, family)` → its entries, or undecided.
    prefix_lists: FxHashMap<(u32, Family), (SetId, bool)>,
}

/// Lists one address of a survey builds, kept for the next (see [`expose_address`]).
#[derive(Default)]
struct Buffers<'a> {
    sgs: Vec<&'a SecurityGroup>,
    open: Vec<(Probe, Option<PortRange>, SetId)>,
    groups: Vec<Tables>,
    /// One probe's table of each group.
    probe_groups: Vec<(usize, usize)>,
    starts: Vec<u16>,
    /// The groups' answers at one port segment.
    admitted: Vec<SetId>,
    /// Where the sweep up the ports is in the network ACL's table, then each group's.
    cursors: Vec<usize>,
}

/// An entity's address, as a cache key for entities borrowed from the inventory during one survey.
fn address_of<T>(t: &T) -> usize {
    std::ptr::from_ref(t) as usize
}

impl<'a> Survey<'a> {
    /// See [`Survey::names`].
    fn name(&mut self, s: Option<&str>) -> u32 {
        let Some(s) = s else { return u32::MAX };
        if let Some(&n) = self.names.get(s) {
            return n;
        }
        let n = u32::try_from(self.names.len()).unwrap_or(u32::MAX - 1);
        self.names.insert(s.to_owned(), n);
        n
    }

    fn cidr_id(&mut self, c: Cidr) -> SetId {
        if let Some(&id) = self.cidr_ids.get(&c) {
            return id;
        }
        let id = self.sets.id(c.to_set());
        self.cidr_ids.insert(c, id);
        id
    }

    /// A prefix list's entries of one family, or undecided when its entries were not given.
    fn prefix_list(&mut self, pl: &str, family: Family) -> (SetId, bool) {
        let key = (self.name(Some(pl)), family);
        if let Some(&p) = self.prefix_lists.get(&key) {
            return p;
        }
        let p = match self
            .inv
            .prefix_lists
            .get(pl)
            .and_then(|p| p.entries.as_ref())
        {
            Some(e) => {
                let set = IpSet::from_cidrs(e.iter().filter(|c| c.family() == family));
                (self.sets.id(set), false)
            }
            None => (Sets::EMPTY, true),
        };
        self.prefix_lists.insert(key, p);
        p
    }

    /// The port tables of one security group, one per probe (in [`Probe::EACH`] order).
    fn group_tables(&mut self, sg: &SecurityGroup, family: Family) -> Tables {
        let key = (address_of(sg), family);
        if let Some(&t) = self.tables.get(&key) {
            return t;
        }
        let t = Probe::EACH.map(|probe| self.group_table(sg, probe, family));
        self.tables.insert(key, t);
        t
    }

    /// The port table of one security group for one probe.
    fn group_table(&mut self, sg: &SecurityGroup, probe: Probe, family: Family) -> (usize, usize) {
        // Each rule's sources once (a prefix list without entries: undecided), then per segment
        // the union over the rules that match there.
        let proto = probe.flow(0, family).protocol;
        // Buffers kept across tables: a survey builds thousands.
        let (mut rules, mut starts) = std::mem::take(&mut self.scratch);
        rules.clear();
        for r in &sg.ingress {
            if r.traffic.protocol != proto && r.traffic.protocol != Protocol::All {
                continue;
            }
            let (set, undecided) = match &r.peer {
                SgPeer::Cidr(c) if c.family() == family => (self.cidr_id(*c), false),
                SgPeer::Cidr(_) | SgPeer::Group { .. } => (Sets::EMPTY, false),
                SgPeer::PrefixList(pl) => self.prefix_list(pl, family),
            };
            rules.push((r.traffic, set, undecided));
        }
        segment_starts(probe, rules.iter().map(|r| &r.0), &mut starts);
        let start = self.table_rows.len();
        for &port in &starts {
            let flow = probe.flow(port, family);
            let (mut admitted, mut undecided) = (Sets::EMPTY, false);
            for (traffic, set, unsure) in &rules {
                if matches_inbound(traffic, &flow) {
                    admitted = self.sets.union(admitted, *set);
                    undecided |= unsure;
                }
            }
            self.table_rows.push((port, admitted, undecided));
        }
        self.scratch = (rules, starts);
        (start, self.table_rows.len())
    }

    /// The port tables of one network ACL's inbound entries, one per probe (in [`Probe::EACH`]
    /// order). First match decides each address on its own, so its answer over every address, cut
    /// down to some set, is its answer for that set.
    fn acl_tables(&mut self, acl: &NetworkAcl, family: Family) -> Tables {
        let key = (address_of(acl), family);
        if let Some(&t) = self.tables.get(&key) {
            return t;
        }
        let entries = sorted_entries(acl, false, family);
        let t = Probe::EACH.map(|probe| self.acl_table(&entries, probe, family));
        self.tables.insert(key, t);
        t
    }

    /// See [`Survey::acl_tables`].
    fn acl_table(
        &mut self,
        entries: &[&NaclEntry],
        probe: Probe,
        family: Family,
    ) -> (usize, usize) {
        let all = IpSet::all(family);
        let start = self.table_rows.len();
        let mut starts = std::mem::take(&mut self.scratch.1);
        segment_starts(probe, entries.iter().map(|e| &e.traffic), &mut starts);
        for &port in &starts {
            let flow = probe.flow(port, family);
            let admitted = first_match_each(
                entries,
                &all,
                |e| matches_inbound(&e.traffic, &flow),
                |_, _| {},
            );
            let id = self.sets.id(admitted);
            self.table_rows.push((port, id, false));
        }
        self.scratch.1 = starts;
        (start, self.table_rows.len())
    }

    fn rows(&self, (from, to): (usize, usize)) -> &PortTable {
        self.table_rows.get(from..to).unwrap_or_default()
    }
}

/// The sources admitted by the row of a port table that covers `port`, for ports asked in
/// increasing order: `cursor` (start it at 0) moves up the table as they do.
fn row_from(table: &PortTable, cursor: &mut usize, port: u16) -> Option<SetId> {
    while table.get(*cursor + 1).is_some_and(|r| r.0 <= port) {
        *cursor += 1;
    }
    table.get(*cursor).filter(|r| r.0 <= port).map(|r| r.1)
}

/// Every internet-exposed address with what is open on it.
///
/// For each public address the port-independent layers (state, address, gateway, Block Public Access,
/// return route) and the reply path are evaluated once per subnet or network ACL; the inbound network
/// ACL and each security group once per elementary port segment of its own rules. An interface's
/// answer per port segment is then the union of its groups' answers cut down by the rest, all on
/// interned sets, so every distinct behaviour is seen without probing 65 536 ports.
pub fn exposure(inv: &Inventory) -> ExposureReport {
    let mut exposures = Vec::new();
    let mut warnings = Vec::new();
    let ix = Index::for_survey(inv);
    let mut survey = Survey {
        inv,
        ix: &ix,
        sets: Sets::new(inv.enis.len()),
        names: FxHashMap::default(),
        universes: FxHashMap::default(),
        paths: FxHashMap::default(),
        replies: FxHashMap::default(),
        tables: FxHashMap::default(),
        table_rows: Vec::new(),
        buffers: Buffers::default(),
        scratch: (Vec::new(), Vec::new()),
        cidr_ids: FxHashMap::default(),
        prefix_lists: FxHashMap::default(),
    };
    let mut addresses = Vec::new();
    for eni in inv.enis.values() {
        let instance = eni.instance_id.as_deref().and_then(|i| ix.instance(i));
        public_addresses_into(&ix, eni, instance, &mut addresses);
        for &(public, private) in &addresses {
            let target = Surveyed {
                eni,
                instance,
                addresses: &addresses,
            };
            if let Some(e) = expose_address(&mut survey, target, public, private) {
                exposures.push(e);
            }
        }
    }
    if inv.enis.is_empty() && !inv.instances.is_empty() {
        warnings.push(
            "no network interface data: run `aws ec2 describe-instances` without `--query`, or `aws ec2 describe-network-interfaces`"
                .to_owned(),
        );
    }
    ExposureReport {
        exposures,
        warnings,
    }
}

/// One interface of a survey: its instance and all its public addresses, as [`public_addresses`]
/// lists them.
struct Surveyed<'a> {
    eni: &'a Eni,
    instance: Option<&'a Instance>,
    addresses: &'a [(IpAddr, IpAddr)],
}

impl<'a> Surveyed<'a> {
    /// What [`resolve`] gives for this interface as the target and `public` as the address, without
    /// its search: `public` is one of the interface's own addresses, so it is chosen (its first
    /// listing), and the rest follows as in `resolve`. `None` in the odd case where `resolve` would
    /// tie the interface to another instance (an instance whose `Name` is this interface's id).
    fn resolved(&self, inv: &'a Inventory, ix: &Index<'a>, public: IpAddr) -> Option<Resolved<'a>> {
        // `find_instance(eni id)`, knowing that the interface with that id is this one and its
        // instance is `self.instance`: one lookup instead of three.
        let found = ix
            .instance(&self.eni.id)
            .or(self.instance)
            .or_else(|| ix.find_instance(&self.eni.id));
        let same = match (found, self.instance) {
            (None, None) => true,
            (Some(a), Some(b)) => std::ptr::eq(a, b),
            _ => false,
        };
        if !same {
            return None;
        }
        let private = self
            .addresses
            .iter()
            .find(|(p, _)| *p == public)
            .map(|c| c.1);
        Some(resolved(
            inv,
            self.instance,
            Some(self.eni),
            Cidr::host(public).family(),
            Some(public),
            private,
            self.addresses.iter().map(|a| a.0),
        ))
    }
}

fn expose_address(
    s: &mut Survey<'_>,
    target: Surveyed<'_>,
    public: IpAddr,
    private: IpAddr,
) -> Option<Exposure> {
    let (inv, ix) = (s.inv, s.ix);
    let (eni, instance) = (target.eni, target.instance);
    // The target's id is read only by `resolve`, so it is written only for that odd case.
    let mut q = Query {
        target: String::new(),
        protocol: QueryProtocol::Tcp { port: 0 },
        source: None,
        address: Some(public),
    };
    let r = match target.resolved(inv, ix, public) {
        Some(r) => r,
        None => {
            q.target = eni.id.as_str().to_owned();
            resolve(inv, ix, &q).ok()?
        }
    };
    let family = r.family;
    let vpc = s.name(r.vpc_id);
    // Shared, not copied per address: the layers borrow it while the survey's sets grow.
    let (universe_id, universe) = match s.universes.get(&(vpc, family)) {
        Some((u, set)) => (*u, Rc::clone(set)),
        None => {
            let set = internet(family).subtract(&own_ranges(inv, &r));
            let u = s.sets.id(set.clone());
            let set = Rc::new(set);
            s.universes.insert((vpc, family), (u, Rc::clone(&set)));
            (u, set)
        }
    };
    let mut c = Ctx {
        inv,
        ix,
        q: &q,
        r,
        flow: flow_for(&q.protocol, family),
        universe: &universe,
        asked: &universe,
        explain: false,
    };
    let mut unknown: Vec<String> = Vec::new();
    let mut base = universe_id;
    type LayerFn = fn(&Ctx) -> Outcome;
    // The address exists by construction; a running (or starting) instance is the common case and
    // needs no explanation here, so only other states go through the full layer.
    let running =
        c.r.instance
            .is_some_and(|i| matches!(i.state, InstanceState::Running | InstanceState::Pending));
    if !running {
        let o = layer_instance_state(&c);
        match o.status(&universe) {
            Status::Unknown => unknown.push(Layer::InstanceState.name().to_owned()),
            _ => {
                let admitted = s.sets.id(o.admitted);
                base = s.sets.meet(base, admitted);
            }
        }
    }
    // The gateway, Block Public Access and return route depend on the subnet only: once per subnet.
    let key = (s.name(c.r.subnet_id), vpc, family);
    let (path, path_unknown) = match s.paths.get(&key) {
        Some(p) => p.clone(),
        None => {
            let per_subnet: [(Layer, LayerFn); 3] = [
                (Layer::InternetGateway, layer_internet_gateway),
                (Layer::BlockPublicAccess, layer_bpa),
                (Layer::RouteTable, layer_route_table),
            ];
            let mut set = universe_id;
            let mut unk = Vec::new();
            for (layer, f) in per_subnet {
                let o = f(&c);
                match o.status(&universe) {
                    Status::Unknown => unk.push(layer.name().to_owned()),
                    _ => {
                        let admitted = s.sets.id(o.admitted);
                        set = s.sets.meet(set, admitted);
                    }
                }
            }
            s.paths.insert(key, (set, unk.clone()));
            (set, unk)
        }
    };
    base = s.sets.meet(base, path);
    unknown.extend(path_unknown);
    let status_fail =
        c.r.instance
            .and_then(|i| ix.instance_status(&i.id))
            .is_some_and(|st| {
                [&st.system, &st.instance].into_iter().flatten().any(|sum| {
                    sum.status == "impaired" || sum.details.iter().any(|(_, s)| s == "failed")
                })
            });
    if (base == Sets::EMPTY || status_fail) && unknown.is_empty() {
        return None;
    }
    let acl = match nacl_for(&c) {
        Ok((acl, _)) => Some(acl),
        Err(_) => {
            unknown.push(Layer::NetworkAclInbound.name().to_owned());
            None
        }
    };
    // The groups; `(probe, ports, sources)` of every open port segment, in probe and port order;
    // each probe's group tables and port segment starts: in buffers kept across addresses.
    let Buffers {
        mut sgs,
        mut open,
        mut groups,
        mut probe_groups,
        mut starts,
        mut admitted,
        mut cursors,
    } = std::mem::take(&mut s.buffers);
    sgs.clear();
    open.clear();
    sgs.extend(c.r.groups.iter().filter_map(|g| ix.security_group(g)));
    let mut sg_unknown = sgs.len() < c.r.groups.len();
    groups.clear();
    groups.extend(sgs.iter().map(|g| s.group_tables(g, family)));
    // A prefix list without entries leaves the groups undecided wherever its rule applies.
    sg_unknown |= groups
        .iter()
        .flatten()
        .any(|t| s.rows(*t).iter().any(|r| r.2));
    let acl_tables = acl.map(|a| s.acl_tables(a, family));
    for (p, probe) in Probe::EACH.into_iter().enumerate() {
        // The reply path depends on the network ACL, family and protocol only.
        c.flow = probe.flow(0, family);
        let reply_key = (acl.map_or(0, address_of), family, c.flow.protocol, vpc);
        let replies = match s.replies.get(&reply_key) {
            Some(&r) => r,
            None => {
                let out = layer_nacl_out(&c);
                let set = out
                    .per_family
                    .values()
                    .fold(IpSet::empty(), |a, s| a.union(s));
                let r = s.sets.id(set);
                s.replies.insert(reply_key, r);
                r
            }
        };
        let through = s.sets.meet(base, replies);
        if through == Sets::EMPTY {
            continue;
        }
        probe_groups.clear();
        probe_groups.extend(groups.iter().filter_map(|t| t.get(p)));
        let acl_rows = acl_tables.and_then(|t| t.get(p).copied());
        starts.clear();
        for t in probe_groups.iter().chain(acl_rows.iter()) {
            starts.extend(s.rows(*t).iter().map(|r| r.0));
        }
        starts.sort_unstable();
        starts.dedup();
        // One sweep up the ports, with a cursor into each table.
        cursors.clear();
        cursors.resize(probe_groups.len() + 1, 0);
        let (tables, sets) = (&s.table_rows, &mut s.sets);
        let rows = |t: (usize, usize)| tables.get(t.0..t.1).unwrap_or_default();
        // The network ACL's answer at the last segment, and what it let through: the next
        // segments mostly share it (the groups' rules start most of them).
        let mut last_acl: Option<(SetId, SetId)> = None;
        for (i, &from) in starts.iter().enumerate() {
            let Some((acl_cursor, group_cursors)) = cursors.split_first_mut() else {
                break;
            };
            // What passes the path and the network ACL here (shared by the interfaces behind
            // them), then the union of the groups' answers cut down to it.
            let gate = match acl_rows {
                Some(t) => {
                    let row = row_from(rows(t), acl_cursor, from).unwrap_or(Sets::EMPTY);
                    match last_acl {
                        Some((r, gate)) if r == row => gate,
                        _ => {
                            let gate = sets.meet(through, row);
                            last_acl = Some((row, gate));
                            gate
                        }
                    }
                }
                None => through,
            };
            if gate == Sets::EMPTY {
                continue;
            }
            admitted.clear();
            for (t, cursor) in probe_groups.iter().zip(group_cursors) {
                match row_from(rows(*t), cursor, from) {
                    Some(id) if id != Sets::EMPTY => admitted.push(id),
                    _ => {}
                }
            }
            admitted.sort_unstable();
            admitted.dedup();
            let set = sets.union_meet(&admitted, gate);
            if set == Sets::EMPTY {
                continue;
            }
            let ports = probe.ported().and_then(|_| {
                let to = starts.get(i + 1).map_or(u16::MAX, |next| next - 1);
                PortRange::new(from, to)
            });
            // Adjacent segments with the same sources are one range.
            if let Some((p, Some(last), id)) = open.last_mut() {
                if let Some(this) = ports {
                    if *p == probe && *id == set && u32::from(last.to()) + 1 == u32::from(from) {
                        *last = PortRange::new(last.from(), this.to()).unwrap_or(*last);
                        continue;
                    }
                }
            }
            open.push((probe, ports, set));
        }
    }
    if sg_unknown {
        unknown.push(Layer::SecurityGroup.name().to_owned());
    }
    let services: Vec<OpenService> = open
        .drain(..)
        .map(|(probe, ports, set)| {
            let (sources, wide) = s.sets.cidrs(set);
            let mut service = OpenService {
                protocol: probe.label().to_owned(),
                ports,
                open_to_all: s.sets.get(universe_id).is_subset(s.sets.get(set)),
                sources,
                risk: None,
            };
            service.risk = risk_of(&service, wide);
            service
        })
        .collect();
    s.buffers = Buffers {
        sgs,
        open,
        groups,
        probe_groups,
        starts,
        admitted,
        cursors,
    };
    if services.is_empty() && unknown.is_empty() {
        return None;
    }
    Some(Exposure {
        instance_id: instance.map(|i| i.id.as_str().to_owned()),
        name: instance.and_then(|i| i.name.as_ref().map(|s| s.as_str().to_owned())),
        eni_id: eni.id.as_str().to_owned(),
        address: public,
        private_address: Some(private),
        state: instance.map(|i| i.state.name().to_owned()),
        open: services,
        unknown,
    })
}

/// Whether sources this wide are "the internet": at least a /8's worth of IPv4 addresses, or an
/// IPv6 block of /32 or wider. `sources` is a minimal, hence disjoint, list of blocks, so their
/// sizes add up.
fn wide_sources(sources: &[Cidr]) -> bool {
    let v4_count: u64 = sources
        .iter()
        .filter(|c| c.family() == Family::Ipv4)
        .map(|c| 1u64 << (32 - u32::from(c.len().min(32))))
        .sum();
    v4_count >= 1 << 24
        || sources
            .iter()
            .any(|c| c.family() == Family::Ipv6 && c.len() <= 32)
}

/// Why service `s` is a risky exposure, if it is; `wide` is [`wide_sources`] of its sources.
fn risk_of(s: &OpenService, wide: bool) -> Option<String> {
    if !(s.open_to_all || wide) {
        return None;
    }
    if s.protocol == "all traffic" {
        return Some("all traffic open to the internet".to_owned());
    }
    let r = s.ports?;
    let hits: Vec<&str> = RISKY_PORTS
        .iter()
        .filter(|(p, _)| r.contains(*p) && s.protocol == "tcp")
        .map(|(_, n)| *n)
        .collect();
    if hits.is_empty() {
        None
    } else {
        Some(format!("{} open to the internet", hits.join(", ")))
    }
}
