//! Raw describe-* records to the validated model, one resource at a time. A bad field becomes a
//! warning with its JSON path, and only the part it belongs to (a rule, a route, an address, or
//! the resource when its id is unusable) is skipped.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::sync::Arc;

use super::merge::{FlatRule, NestedEni};
use super::raw::*;
use crate::diag::{Diagnostic, Severity};
use crate::model::*;
use crate::net::{Cidr, PortRange};

/// A JSON path kept on the stack, rendered only when a message or an origin needs it.
#[derive(Clone, Copy)]
pub(crate) struct Path<'p> {
    parent: Option<&'p Path<'p>>,
    seg: Seg,
}

#[derive(Clone, Copy)]
enum Seg {
    Key(&'static str),
    Index(usize),
}

impl<'p> Path<'p> {
    pub(crate) fn root(key: &'static str) -> Path<'static> {
        Path {
            parent: None,
            seg: Seg::Key(key),
        }
    }

    pub(crate) fn key<'s>(&'s self, key: &'static str) -> Path<'s> {
        Path {
            parent: Some(self),
            seg: Seg::Key(key),
        }
    }

    pub(crate) fn at<'s>(&'s self, i: usize) -> Path<'s> {
        Path {
            parent: Some(self),
            seg: Seg::Index(i),
        }
    }

    pub(crate) fn render(&self) -> String {
        let mut out = String::with_capacity(64);
        self.render_into(&mut out);
        out
    }

    fn render_into(&self, out: &mut String) {
        if let Some(p) = self.parent {
            p.render_into(out);
        }
        match self.seg {
            Seg::Key(k) => {
                if self.parent.is_some() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => {
                // Every resource renders its path: digits by hand, not through `fmt`.
                out.push('[');
                push_decimal(out, i);
                out.push(']');
            }
        }
    }

    /// The last key, for "`GroupId` is missing".
    fn name(&self) -> &'static str {
        match self.seg {
            Seg::Key(k) => k,
            Seg::Index(_) => "element",
        }
    }
}

fn push_decimal(out: &mut String, n: usize) {
    if n >= 10 {
        push_decimal(out, n / 10);
    }
    // `n % 10` is a single digit.
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// What is wrong with one value, and where.
pub(crate) struct Problem {
    path: String,
    message: String,
}

pub(crate) fn problem(p: &Path<'_>, message: String) -> Problem {
    Problem {
        path: p.render(),
        message,
    }
}

pub(crate) fn missing(p: &Path<'_>) -> Problem {
    problem(p, format!("`{}` is missing", p.name()))
}

pub(crate) fn wrong(p: &Path<'_>, expected: &str, v: &Val<'_>) -> Problem {
    problem(p, format!("expected {expected}, found {}", v.describe()))
}

/// Marks a part that was reported and skipped.
pub(crate) struct Skip;

/// A string; empty strings count as absent (moto prints `"InstanceId": ""`).
pub(crate) fn opt_str<'v>(
    v: &'v Option<Val<'_>>,
    p: &Path<'_>,
) -> Result<Option<&'v str>, Problem> {
    match v {
        None => Ok(None),
        Some(Val::Str(s)) if s.is_empty() => Ok(None),
        Some(Val::Str(s)) => Ok(Some(s)),
        Some(other) => Err(wrong(p, "a string", other)),
    }
}

pub(crate) fn req_str<'v>(v: &'v Option<Val<'_>>, p: &Path<'_>) -> Result<&'v str, Problem> {
    opt_str(v, p)?.ok_or_else(|| missing(p))
}

pub(crate) fn opt_int(v: &Option<Val<'_>>, p: &Path<'_>) -> Result<Option<i64>, Problem> {
    match v {
        None => Ok(None),
        Some(Val::Int(i)) => Ok(Some(*i)),
        Some(other) => Err(wrong(p, "a whole number", other)),
    }
}

fn opt_bool(v: &Option<Val<'_>>, p: &Path<'_>) -> Result<Option<bool>, Problem> {
    match v {
        None => Ok(None),
        Some(Val::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(wrong(p, "`true` or `false`", other)),
    }
}

fn opt_ip(v: &Option<Val<'_>>, p: &Path<'_>) -> Result<Option<IpAddr>, Problem> {
    match opt_str(v, p)? {
        None => Ok(None),
        Some(s) => s
            .trim()
            .parse::<IpAddr>()
            .map(Some)
            .map_err(|_| problem(p, format!("`{s}` is not an IP address"))),
    }
}

pub(crate) fn opt_cidr(v: &Option<Val<'_>>, p: &Path<'_>) -> Result<Option<Cidr>, Problem> {
    match opt_str(v, p)? {
        None => Ok(None),
        Some(s) => Cidr::parse(s)
            .map(Some)
            .map_err(|e| problem(p, e.to_string())),
    }
}

pub(crate) fn req_cidr(v: &Option<Val<'_>>, p: &Path<'_>) -> Result<Cidr, Problem> {
    opt_cidr(v, p)?.ok_or_else(|| missing(p))
}

/// A protocol given as a name or number, as a string or a JSON number.
fn protocol(v: &Option<Val<'_>>, p: &Path<'_>) -> Result<Protocol, Problem> {
    let text = match v {
        Some(Val::Int(i)) => i.to_string(),
        other => {
            // The spellings the CLI prints, without allocating.
            let s = req_str(other, p)?;
            match s {
                "-1" => return Ok(Protocol::All),
                "tcp" | "6" => return Ok(Protocol::Tcp),
                "udp" | "17" => return Ok(Protocol::Udp),
                "icmp" | "1" => return Ok(Protocol::Icmp),
                "icmpv6" | "58" => return Ok(Protocol::Icmpv6),
                _ => s.to_owned(),
            }
        }
    };
    Protocol::parse(&text).ok_or_else(|| problem(p, format!("`{text}` is not an IP protocol")))
}

fn port(v: i64, p: &Path<'_>) -> Result<u16, Problem> {
    u16::try_from(v).map_err(|_| problem(p, format!("`{v}` is not a port number")))
}

/// An ICMP type or code: `-1` (or absent) = all.
fn icmp_part(v: &Option<Val<'_>>, p: &Path<'_>) -> Result<Option<u8>, Problem> {
    match opt_int(v, p)? {
        None | Some(-1) => Ok(None),
        Some(n) => u8::try_from(n)
            .map(Some)
            .map_err(|_| problem(p, format!("`{n}` is not an ICMP type or code"))),
    }
}

fn icmp_match(t: Option<u8>, code: Option<u8>) -> PortMatch {
    PortMatch::Icmp {
        icmp_type: t,
        // "If you specify all ICMP types, you must specify all codes."
        code: t.and(code),
    }
}

/// SG `IpProtocol`/`FromPort`/`ToPort`: `-1` and protocols other than TCP/UDP/ICMP/ICMPv6 match all
/// ports; for ICMP, `FromPort` is the type and `ToPort` the code, `-1` (or omitted) = all.
fn sg_traffic(
    proto: &Option<Val<'_>>,
    from: &Option<Val<'_>>,
    to: &Option<Val<'_>>,
    p: &Path<'_>,
) -> Result<Traffic, Problem> {
    let protocol = protocol(proto, &p.key("IpProtocol"))?;
    let (pf, pt) = (p.key("FromPort"), p.key("ToPort"));
    let ports = match protocol {
        Protocol::All | Protocol::Other(_) => PortMatch::Any,
        Protocol::Tcp | Protocol::Udp => match (opt_int(from, &pf)?, opt_int(to, &pt)?) {
            (None, _) => return Err(missing(&pf)),
            (_, None) => return Err(missing(&pt)),
            (Some(-1), Some(-1)) => PortMatch::Any,
            (Some(f), Some(t)) => PortMatch::Ports(
                PortRange::new(port(f, &pf)?, port(t, &pt)?)
                    .ok_or_else(|| problem(p, format!("`{f}`-`{t}` is not a port range")))?,
            ),
        },
        Protocol::Icmp | Protocol::Icmpv6 => icmp_match(icmp_part(from, &pf)?, icmp_part(to, &pt)?),
    };
    Ok(Traffic { protocol, ports })
}

/// NACL `Protocol` (a number as a string), `PortRange` for TCP/UDP, `IcmpTypeCode` for ICMP.
fn nacl_traffic(e: &RawNaclEntry<'_>, p: &Path<'_>) -> Result<Traffic, Problem> {
    let protocol = protocol(&e.protocol, &p.key("Protocol"))?;
    let ports = match protocol {
        Protocol::All | Protocol::Other(_) => PortMatch::Any,
        Protocol::Tcp | Protocol::Udp => {
            let pr = p.key("PortRange");
            let range = e.port_range.as_ref().ok_or_else(|| missing(&pr))?;
            let (pf, pt) = (pr.key("From"), pr.key("To"));
            let f = opt_int(&range.from, &pf)?.ok_or_else(|| missing(&pf))?;
            let t = opt_int(&range.to, &pt)?.ok_or_else(|| missing(&pt))?;
            PortMatch::Ports(
                PortRange::new(port(f, &pf)?, port(t, &pt)?)
                    .ok_or_else(|| problem(&pr, format!("`{f}`-`{t}` is not a port range")))?,
            )
        }
        Protocol::Icmp | Protocol::Icmpv6 => match &e.icmp_type_code {
            // moto omits IcmpTypeCode; AWS prints -1/-1 for "all".
            None => icmp_match(None, None),
            Some(tc) => {
                let ip = p.key("IcmpTypeCode");
                icmp_match(
                    icmp_part(&tc.icmp_type, &ip.key("Type"))?,
                    icmp_part(&tc.code, &ip.key("Code"))?,
                )
            }
        },
    };
    Ok(Traffic { protocol, ports })
}

fn instance_state(s: &RawState<'_>, p: &Path<'_>, ctx: &mut Ctx<'_>) -> InstanceState {
    if let Some(code) = ctx.or_ignore(opt_int(&s.code, &p.key("Code"))) {
        return InstanceState::from_code(code);
    }
    match ctx.or_ignore(opt_str(&s.name, &p.key("Name"))) {
        Some(name) => InstanceState::from_name(name),
        None => InstanceState::Unknown(Id::const_new("unknown")),
    }
}

/// Where messages and origins go while one document is converted.
/// The source name is filled in when the document is committed (see `super::stage`): it is not
/// known until the stream has been read past the document.
pub(crate) struct Ctx<'c> {
    pub diags: &'c mut Vec<Diagnostic>,
}

const HELP: &str =
    "the rest of the input is still used; check that the file is unedited aws cli output";

impl Ctx<'_> {
    pub(crate) fn warn(&mut self, path: String, message: String) {
        self.diags.push(Diagnostic {
            severity: Severity::Warning,
            source: String::new(),
            line: None,
            column: None,
            path: Some(path),
            message,
            help: Some(HELP.to_owned()),
        });
    }

    /// Reports a value of the wrong shape (found by `serde_json` in the fallback pass), skipped.
    pub(crate) fn part_skipped(&mut self, path: String, message: &str) {
        self.warn(path, format!("{message}, so this part is skipped"));
    }

    /// Reports a problem that makes `what` unusable.
    pub(crate) fn skip(&mut self, pr: Problem, what: &str) -> Skip {
        self.warn(
            pr.path,
            format!("{}, so this {what} is skipped", pr.message),
        );
        Skip
    }

    /// Reports a problem with an optional value and carries on without it.
    pub(crate) fn or_ignore<T>(&mut self, r: Result<Option<T>, Problem>) -> Option<T> {
        match r {
            Ok(v) => v,
            Err(pr) => {
                self.warn(pr.path, format!("{}, so the value is ignored", pr.message));
                None
            }
        }
    }

    pub(crate) fn origin(&self, p: &Path<'_>) -> Origin {
        Origin {
            source: Arc::default(),
            path: p.render(),
        }
    }

    pub(crate) fn opt_string(&mut self, v: &Option<Val<'_>>, p: &Path<'_>) -> Option<Id> {
        self.or_ignore(opt_str(v, p)).map(Id::from)
    }

    fn flag(&mut self, v: &Option<Val<'_>>, p: &Path<'_>) -> Option<bool> {
        self.or_ignore(opt_bool(v, p))
    }

    fn group_ids(&mut self, groups: &Option<Vec<RawGroupRef<'_>>>, p: &Path<'_>) -> Vec<Id> {
        let mut out = Vec::new();
        for (i, g) in groups.iter().flatten().enumerate() {
            if let Some(id) = self.opt_string(&g.group_id, &p.at(i).key("GroupId")) {
                out.push(id);
            }
        }
        out
    }

    fn bpa(&mut self, s: &Option<RawBpaStates<'_>>, p: &Path<'_>) -> Option<BpaMode> {
        let s = s.as_ref()?;
        let pm = p.key("InternetGatewayBlockMode");
        let mode = self.or_ignore(opt_str(&s.internet_gateway_block_mode, &pm))?;
        let parsed = BpaMode::parse(mode);
        if parsed.is_none() {
            self.or_ignore::<()>(Err(problem(
                &pm,
                format!("`{mode}` is not a block public access mode"),
            )));
        }
        parsed
    }
}

/// The interfaces nested in one instance, as [`instance`] leaves them.
pub(crate) enum Nested {
    /// Converted, each with the warnings converting it gave (kept apart: see
    /// `super::merge::Builder::finish`).
    Read(Vec<NestedEni>),
    /// Skipped by the fast reader: this list number in its `Spans`.
    Skipped(usize),
}

/// An instance and its nested interfaces. Its `eni_ids` list the nested interfaces in input order
/// (`Builder::finish` orders them by device index once the interfaces are merged).
pub(crate) fn instance(
    raw: &RawInstance<'_>,
    p: &Path<'_>,
    ctx: &mut Ctx<'_>,
) -> Result<(Instance, Nested), Skip> {
    let id =
        req_str(&raw.instance_id, &p.key("InstanceId")).map_err(|e| ctx.skip(e, "instance"))?;
    let state = match &raw.state {
        Some(s) => instance_state(s, &p.key("State"), ctx),
        None => InstanceState::Unknown(Id::const_new("unknown")),
    };
    let mut name = None;
    let pt = p.key("Tags");
    for (i, t) in raw.tags.iter().flatten().enumerate() {
        let pti = pt.at(i);
        if ctx.or_ignore(opt_str(&t.key, &pti.key("Key"))) == Some("Name") {
            name = ctx.opt_string(&t.value, &pti.key("Value"));
        }
    }
    let mut eni_ids = Vec::new();
    let nested = match &raw.network_interfaces {
        Some(NestedEnis::Skipped(list)) => Nested::Skipped(*list),
        Some(NestedEnis::Read(items)) => {
            let pn = p.key("NetworkInterfaces");
            let mut read = Vec::with_capacity(items.list.len());
            for (i, raw_eni) in items.iter() {
                let mut diags = Vec::new();
                let e = eni(raw_eni, &pn.at(i), Some(id), &mut Ctx { diags: &mut diags }).ok();
                if let Some(e) = &e {
                    eni_ids.push(e.id.clone());
                }
                read.push(NestedEni::converted(e, diags));
            }
            Nested::Read(read)
        }
        None => Nested::Read(Vec::new()),
    };
    let platform = match ctx.opt_string(&raw.platform, &p.key("Platform")) {
        Some(pl) => Some(pl),
        None => ctx.opt_string(&raw.platform_details, &p.key("PlatformDetails")),
    };
    let inst = Instance {
        id: Id::from(id),
        name,
        state,
        vpc_id: ctx.opt_string(&raw.vpc_id, &p.key("VpcId")),
        subnet_id: ctx.opt_string(&raw.subnet_id, &p.key("SubnetId")),
        private_ip: ctx.or_ignore(opt_ip(&raw.private_ip_address, &p.key("PrivateIpAddress"))),
        public_ip: ctx.or_ignore(opt_ip(&raw.public_ip_address, &p.key("PublicIpAddress"))),
        eni_ids,
        security_groups: ctx.group_ids(&raw.security_groups, &p.key("SecurityGroups")),
        platform,
        origin: ctx.origin(p),
    };
    Ok((inst, nested))
}

pub(crate) fn eni(
    raw: &RawEni<'_>,
    p: &Path<'_>,
    instance_id: Option<&str>,
    ctx: &mut Ctx<'_>,
) -> Result<Eni, Skip> {
    let id = req_str(&raw.network_interface_id, &p.key("NetworkInterfaceId"))
        .map_err(|e| ctx.skip(e, "network interface"))?;
    let pa = p.key("Attachment");
    let (mut att_instance, mut device_index, mut attachment_status) = (None, None, None);
    if let Some(a) = &raw.attachment {
        att_instance = ctx.opt_string(&a.instance_id, &pa.key("InstanceId"));
        let pd = pa.key("DeviceIndex");
        device_index =
            ctx.or_ignore(opt_int(&a.device_index, &pd))
                .and_then(|d| match u32::try_from(d) {
                    Ok(d) => Some(d),
                    Err(_) => ctx.or_ignore::<u32>(Err(problem(
                        &pd,
                        format!("`{d}` is not a device index"),
                    ))),
                });
        attachment_status = ctx.opt_string(&a.status, &pa.key("Status"));
    }
    let mut private_ips = Vec::new();
    let pp = p.key("PrivateIpAddresses");
    for (i, ip) in raw.private_ip_addresses.iter().flatten().enumerate() {
        let pi = pp.at(i);
        let address = match req_ip(&ip.private_ip_address, &pi.key("PrivateIpAddress")) {
            Ok(a) => a,
            Err(e) => {
                ctx.skip(e, "address");
                continue;
            }
        };
        let public_ip = match &ip.association {
            Some(assoc) => ctx.or_ignore(opt_ip(
                &assoc.public_ip,
                &pi.key("Association").key("PublicIp"),
            )),
            None => None,
        };
        private_ips.push(PrivateIp {
            address,
            primary: ctx.flag(&ip.primary, &pi.key("Primary")).unwrap_or(false),
            public_ip,
        });
    }
    let primary_ip = ctx.or_ignore(opt_ip(&raw.private_ip_address, &p.key("PrivateIpAddress")));
    let eni_public = match &raw.association {
        Some(a) => ctx.or_ignore(opt_ip(&a.public_ip, &p.key("Association").key("PublicIp"))),
        None => None,
    };
    if private_ips.is_empty() {
        if let Some(address) = primary_ip {
            private_ips.push(PrivateIp {
                address,
                primary: true,
                public_ip: eni_public,
            });
        }
    } else if let Some(public) = eni_public {
        // The ENI-level association belongs to the primary address.
        if private_ips.iter().all(|ip| ip.public_ip.is_none()) {
            if let Some(primary) = private_ips.iter_mut().find(|ip| ip.primary) {
                primary.public_ip = Some(public);
            }
        }
    }
    let mut ipv6_addresses = Vec::new();
    let p6 = p.key("Ipv6Addresses");
    for (i, a) in raw.ipv6_addresses.iter().flatten().enumerate() {
        if let Some(ip) = ctx.or_ignore(opt_ip(&a.ipv6_address, &p6.at(i).key("Ipv6Address"))) {
            ipv6_addresses.push(ip);
        }
    }
    Ok(Eni {
        id: Id::from(id),
        vpc_id: ctx.opt_string(&raw.vpc_id, &p.key("VpcId")),
        subnet_id: ctx.opt_string(&raw.subnet_id, &p.key("SubnetId")),
        instance_id: att_instance.or_else(|| instance_id.map(Id::from)),
        device_index,
        attachment_status,
        groups: ctx.group_ids(&raw.groups, &p.key("Groups")),
        private_ips,
        ipv6_addresses,
        source_dest_check: ctx.flag(&raw.source_dest_check, &p.key("SourceDestCheck")),
        interface_type: ctx.opt_string(&raw.interface_type, &p.key("InterfaceType")),
        description: ctx.opt_string(&raw.description, &p.key("Description")),
        origin: ctx.origin(p),
    })
}

pub(crate) fn req_ip(v: &Option<Val<'_>>, p: &Path<'_>) -> Result<IpAddr, Problem> {
    opt_ip(v, p)?.ok_or_else(|| missing(p))
}

pub(crate) fn security_group(
    raw: &RawSecurityGroup<'_>,
    p: &Path<'_>,
    ctx: &mut Ctx<'_>,
) -> Result<SecurityGroup, Skip> {
    let id =
        req_str(&raw.group_id, &p.key("GroupId")).map_err(|e| ctx.skip(e, "security group"))?;
    Ok(SecurityGroup {
        id: Id::from(id),
        name: ctx.opt_string(&raw.group_name, &p.key("GroupName")),
        vpc_id: ctx.opt_string(&raw.vpc_id, &p.key("VpcId")),
        ingress: permissions(&raw.ip_permissions, &p.key("IpPermissions"), ctx),
        egress: permissions(
            &raw.ip_permissions_egress,
            &p.key("IpPermissionsEgress"),
            ctx,
        ),
        origin: ctx.origin(p),
    })
}

/// One [`SgRule`] per peer of each `IpPermission`; `position` is the permission's 1-based index.
fn permissions(
    perms: &Option<Vec<RawIpPermission<'_>>>,
    p: &Path<'_>,
    ctx: &mut Ctx<'_>,
) -> Vec<SgRule> {
    let mut out = Vec::new();
    for (i, perm) in perms.iter().flatten().enumerate() {
        let pp = p.at(i);
        let traffic = match sg_traffic(&perm.ip_protocol, &perm.from_port, &perm.to_port, &pp) {
            Ok(t) => t,
            Err(e) => {
                ctx.skip(e, "rule");
                continue;
            }
        };
        let position = i + 1;
        let mut push = |peer: SgPeer, description: Option<Id>| {
            out.push(SgRule {
                traffic,
                peer,
                description,
                rule_id: None,
                position,
            });
        };
        let pr = pp.key("IpRanges");
        for (k, r) in perm.ip_ranges.iter().flatten().enumerate() {
            let pk = pr.at(k);
            match req_cidr(&r.cidr_ip, &pk.key("CidrIp")) {
                Ok(c) => push(
                    SgPeer::Cidr(c),
                    ctx.opt_string(&r.description, &pk.key("Description")),
                ),
                Err(e) => {
                    ctx.skip(e, "rule");
                }
            }
        }
        let pr = pp.key("Ipv6Ranges");
        for (k, r) in perm.ipv6_ranges.iter().flatten().enumerate() {
            let pk = pr.at(k);
            match req_cidr(&r.cidr_ipv6, &pk.key("CidrIpv6")) {
                Ok(c) => push(
                    SgPeer::Cidr(c),
                    ctx.opt_string(&r.description, &pk.key("Description")),
                ),
                Err(e) => {
                    ctx.skip(e, "rule");
                }
            }
        }
        let pr = pp.key("PrefixListIds");
        for (k, r) in perm.prefix_list_ids.iter().flatten().enumerate() {
            let pk = pr.at(k);
            match req_str(&r.prefix_list_id, &pk.key("PrefixListId")) {
                Ok(id) => push(
                    SgPeer::PrefixList(Id::from(id)),
                    ctx.opt_string(&r.description, &pk.key("Description")),
                ),
                Err(e) => {
                    ctx.skip(e, "rule");
                }
            }
        }
        let pr = pp.key("UserIdGroupPairs");
        for (k, r) in perm.user_id_group_pairs.iter().flatten().enumerate() {
            let pk = pr.at(k);
            match req_str(&r.group_id, &pk.key("GroupId")) {
                Ok(id) => push(
                    SgPeer::Group {
                        group_id: Id::from(id),
                        user_id: ctx.opt_string(&r.user_id, &pk.key("UserId")),
                    },
                    ctx.opt_string(&r.description, &pk.key("Description")),
                ),
                Err(e) => {
                    ctx.skip(e, "rule");
                }
            }
        }
    }
    out
}

/// A describe-security-group-rules rule; `position` is its 1-based index in the document until it
/// is merged into its group.
pub(crate) fn flat_rule(
    raw: &RawSgRule<'_>,
    p: &Path<'_>,
    position: usize,
    ctx: &mut Ctx<'_>,
) -> Result<FlatRule, Skip> {
    let group_id = req_str(&raw.group_id, &p.key("GroupId")).map_err(|e| ctx.skip(e, "rule"))?;
    let pe = p.key("IsEgress");
    let egress = opt_bool(&raw.is_egress, &pe)
        .and_then(|b| b.ok_or_else(|| missing(&pe)))
        .map_err(|e| ctx.skip(e, "rule"))?;
    let traffic = sg_traffic(&raw.ip_protocol, &raw.from_port, &raw.to_port, p)
        .map_err(|e| ctx.skip(e, "rule"))?;
    let peer = flat_peer(raw, p).map_err(|e| ctx.skip(e, "rule"))?;
    Ok(FlatRule {
        group_id: Id::from(group_id),
        egress,
        rule: SgRule {
            traffic,
            peer,
            description: ctx.opt_string(&raw.description, &p.key("Description")),
            rule_id: ctx.opt_string(&raw.security_group_rule_id, &p.key("SecurityGroupRuleId")),
            position,
        },
        origin: ctx.origin(p),
    })
}

fn flat_peer(raw: &RawSgRule<'_>, p: &Path<'_>) -> Result<SgPeer, Problem> {
    if let Some(c) = opt_cidr(&raw.cidr_ipv4, &p.key("CidrIpv4"))? {
        return Ok(SgPeer::Cidr(c));
    }
    if let Some(c) = opt_cidr(&raw.cidr_ipv6, &p.key("CidrIpv6"))? {
        return Ok(SgPeer::Cidr(c));
    }
    if let Some(id) = opt_str(&raw.prefix_list_id, &p.key("PrefixListId"))? {
        return Ok(SgPeer::PrefixList(Id::from(id)));
    }
    if let Some(g) = &raw.referenced_group_info {
        let pg = p.key("ReferencedGroupInfo");
        let group_id = req_str(&g.group_id, &pg.key("GroupId"))?;
        return Ok(SgPeer::Group {
            group_id: Id::from(group_id),
            user_id: opt_str(&g.user_id, &pg.key("UserId"))?.map(Id::from),
        });
    }
    Err(problem(
        p,
        "the rule has no `CidrIpv4`, `CidrIpv6`, `PrefixListId` or `ReferencedGroupInfo`"
            .to_owned(),
    ))
}

pub(crate) fn network_acl(
    raw: &RawNetworkAcl<'_>,
    p: &Path<'_>,
    ctx: &mut Ctx<'_>,
) -> Result<NetworkAcl, Skip> {
    let id = req_str(&raw.network_acl_id, &p.key("NetworkAclId"))
        .map_err(|e| ctx.skip(e, "network ACL"))?;
    let mut subnet_ids = Vec::new();
    let pa = p.key("Associations");
    for (i, a) in raw.associations.iter().flatten().enumerate() {
        if let Some(s) = ctx.opt_string(&a.subnet_id, &pa.at(i).key("SubnetId")) {
            subnet_ids.push(s);
        }
    }
    let mut entries = Vec::new();
    let pe = p.key("Entries");
    for (i, e) in raw.entries.iter().flatten().enumerate() {
        match nacl_entry(e, &pe.at(i)) {
            Ok(e) => entries.push(e),
            Err(pr) => {
                ctx.skip(pr, "rule");
            }
        }
    }
    Ok(NetworkAcl {
        id: Id::from(id),
        vpc_id: ctx.opt_string(&raw.vpc_id, &p.key("VpcId")),
        is_default: ctx
            .flag(&raw.is_default, &p.key("IsDefault"))
            .unwrap_or(false),
        subnet_ids,
        entries,
        origin: ctx.origin(p),
    })
}

fn nacl_entry(e: &RawNaclEntry<'_>, p: &Path<'_>) -> Result<NaclEntry, Problem> {
    let pn = p.key("RuleNumber");
    let n = opt_int(&e.rule_number, &pn)?.ok_or_else(|| missing(&pn))?;
    let rule_number = u32::try_from(n)
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| problem(&pn, format!("`{n}` is not a rule number")))?;
    let pe = p.key("Egress");
    let egress = opt_bool(&e.egress, &pe)?.ok_or_else(|| missing(&pe))?;
    let pa = p.key("RuleAction");
    let action = match req_str(&e.rule_action, &pa)? {
        a if a.eq_ignore_ascii_case("allow") => RuleAction::Allow,
        a if a.eq_ignore_ascii_case("deny") => RuleAction::Deny,
        a => return Err(problem(&pa, format!("`{a}` is not `allow` or `deny`"))),
    };
    let cidr = match opt_cidr(&e.cidr_block, &p.key("CidrBlock"))? {
        Some(c) => c,
        None => opt_cidr(&e.ipv6_cidr_block, &p.key("Ipv6CidrBlock"))?.ok_or_else(|| {
            problem(
                p,
                "the rule has no `CidrBlock` or `Ipv6CidrBlock`".to_owned(),
            )
        })?,
    };
    Ok(NaclEntry {
        rule_number,
        egress,
        action,
        cidr,
        traffic: nacl_traffic(e, p)?,
    })
}

/// Associations that no longer apply.
fn gone(state: Option<&str>) -> bool {
    matches!(
        state,
        Some("disassociated" | "disassociating" | "failed" | "failing")
    )
}

pub(crate) fn route_table(
    raw: &RawRouteTable<'_>,
    p: &Path<'_>,
    ctx: &mut Ctx<'_>,
) -> Result<RouteTable, Skip> {
    let id = req_str(&raw.route_table_id, &p.key("RouteTableId"))
        .map_err(|e| ctx.skip(e, "route table"))?;
    let (mut main, mut subnet_ids) = (false, Vec::new());
    let pa = p.key("Associations");
    for (i, a) in raw.associations.iter().flatten().enumerate() {
        let pi = pa.at(i);
        let state = a.association_state.as_ref().and_then(|s| {
            ctx.or_ignore(opt_str(&s.state, &pi.key("AssociationState").key("State")))
        });
        if gone(state) {
            continue;
        }
        if ctx.flag(&a.main, &pi.key("Main")) == Some(true) {
            main = true;
        }
        if let Some(s) = ctx.opt_string(&a.subnet_id, &pi.key("SubnetId")) {
            subnet_ids.push(s);
        }
    }
    let mut routes = Vec::new();
    let pr = p.key("Routes");
    for (i, r) in raw.routes.iter().flatten().enumerate() {
        match route(r, &pr.at(i), ctx) {
            Ok(r) => routes.push(r),
            Err(e) => {
                ctx.skip(e, "route");
            }
        }
    }
    Ok(RouteTable {
        id: Id::from(id),
        vpc_id: ctx.opt_string(&raw.vpc_id, &p.key("VpcId")),
        main,
        subnet_ids,
        routes,
        origin: ctx.origin(p),
    })
}

fn route(r: &RawRoute<'_>, p: &Path<'_>, ctx: &mut Ctx<'_>) -> Result<Route, Problem> {
    let dest = if let Some(c) = opt_cidr(&r.destination_cidr_block, &p.key("DestinationCidrBlock"))?
    {
        RouteDest::Cidr(c)
    } else if let Some(c) = opt_cidr(
        &r.destination_ipv6_cidr_block,
        &p.key("DestinationIpv6CidrBlock"),
    )? {
        RouteDest::Cidr(c)
    } else if let Some(pl) = opt_str(
        &r.destination_prefix_list_id,
        &p.key("DestinationPrefixListId"),
    )? {
        RouteDest::PrefixList(Id::from(pl))
    } else {
        return Err(problem(
            p,
            "the route has no `DestinationCidrBlock`, `DestinationIpv6CidrBlock` or \
             `DestinationPrefixListId`"
                .to_owned(),
        ));
    };
    type Make = fn(Id) -> RouteTarget;
    // A route to a NAT instance lists both `InstanceId` and `NetworkInterfaceId`: the instance wins.
    let targets: [(&Option<Val<'_>>, &'static str, Make); 10] = [
        (&r.gateway_id, "GatewayId", |s| {
            RouteTarget::from_gateway_id(&s)
        }),
        (&r.nat_gateway_id, "NatGatewayId", RouteTarget::NatGateway),
        (
            &r.transit_gateway_id,
            "TransitGatewayId",
            RouteTarget::TransitGateway,
        ),
        (
            &r.vpc_peering_connection_id,
            "VpcPeeringConnectionId",
            RouteTarget::VpcPeering,
        ),
        (
            &r.egress_only_internet_gateway_id,
            "EgressOnlyInternetGatewayId",
            RouteTarget::EgressOnlyInternetGateway,
        ),
        (
            &r.carrier_gateway_id,
            "CarrierGatewayId",
            RouteTarget::CarrierGateway,
        ),
        (
            &r.local_gateway_id,
            "LocalGatewayId",
            RouteTarget::LocalGateway,
        ),
        (
            &r.core_network_arn,
            "CoreNetworkArn",
            RouteTarget::CoreNetwork,
        ),
        (&r.instance_id, "InstanceId", RouteTarget::Instance),
        (
            &r.network_interface_id,
            "NetworkInterfaceId",
            RouteTarget::NetworkInterface,
        ),
    ];
    let mut target = None;
    for (v, key, make) in targets {
        if let Some(s) = opt_str(v, &p.key(key))? {
            target = Some(make(Id::from(s)));
            break;
        }
    }
    let target = target.ok_or_else(|| problem(p, "the route has no target".to_owned()))?;
    let ps = p.key("State");
    let state = match opt_str(&r.state, &ps)? {
        None | Some("active") => RouteState::Active,
        Some("blackhole") => RouteState::Blackhole,
        Some(s) => {
            return Err(problem(
                &ps,
                format!("`{s}` is not `active` or `blackhole`"),
            ))
        }
    };
    let po = p.key("Origin");
    let origin = match ctx.or_ignore(opt_str(&r.origin, &po)) {
        Some("CreateRouteTable") => RouteOrigin::CreateRouteTable,
        Some("EnableVgwRoutePropagation") => RouteOrigin::Propagated,
        None | Some("CreateRoute") => RouteOrigin::CreateRoute,
        Some(o) => {
            ctx.or_ignore::<()>(Err(problem(&po, format!("`{o}` is not a route origin"))));
            RouteOrigin::CreateRoute
        }
    };
    Ok(Route {
        dest,
        target,
        state,
        origin,
    })
}

pub(crate) fn gateway(
    id: &Option<Val<'_>>,
    id_key: &'static str,
    attachments: &Option<Vec<RawGwAttachment<'_>>>,
    p: &Path<'_>,
    ctx: &mut Ctx<'_>,
) -> Result<Gateway, Skip> {
    let id = req_str(id, &p.key(id_key)).map_err(|e| ctx.skip(e, "gateway"))?;
    let mut out = Vec::new();
    let pa = p.key("Attachments");
    for (i, a) in attachments.iter().flatten().enumerate() {
        let pi = pa.at(i);
        let vpc = req_str(&a.vpc_id, &pi.key("VpcId"));
        let state = req_str(&a.state, &pi.key("State"));
        match (vpc, state) {
            (Ok(v), Ok(s)) => out.push((Id::from(v), Id::from(s))),
            (Err(e), _) | (_, Err(e)) => {
                ctx.skip(e, "attachment");
            }
        }
    }
    Ok(Gateway {
        id: Id::from(id),
        attachments: out,
        origin: ctx.origin(p),
    })
}

fn ipv6_cidrs(
    set: &Option<Vec<RawIpv6CidrAssoc<'_>>>,
    p: &Path<'_>,
    ctx: &mut Ctx<'_>,
) -> Vec<Cidr> {
    let mut out = Vec::new();
    for (i, a) in set.iter().flatten().enumerate() {
        let pi = p.at(i);
        let state = a.ipv6_cidr_block_state.as_ref().and_then(|s| {
            ctx.or_ignore(opt_str(
                &s.state,
                &pi.key("Ipv6CidrBlockState").key("State"),
            ))
        });
        if gone(state) {
            continue;
        }
        if let Some(c) = ctx.or_ignore(opt_cidr(&a.ipv6_cidr_block, &pi.key("Ipv6CidrBlock"))) {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

pub(crate) fn subnet(raw: &RawSubnet<'_>, p: &Path<'_>, ctx: &mut Ctx<'_>) -> Result<Subnet, Skip> {
    let id = req_str(&raw.subnet_id, &p.key("SubnetId")).map_err(|e| ctx.skip(e, "subnet"))?;
    Ok(Subnet {
        id: Id::from(id),
        vpc_id: ctx.opt_string(&raw.vpc_id, &p.key("VpcId")),
        cidr: ctx.or_ignore(opt_cidr(&raw.cidr_block, &p.key("CidrBlock"))),
        ipv6_cidrs: ipv6_cidrs(
            &raw.ipv6_cidr_block_association_set,
            &p.key("Ipv6CidrBlockAssociationSet"),
            ctx,
        ),
        map_public_ip_on_launch: ctx
            .flag(&raw.map_public_ip_on_launch, &p.key("MapPublicIpOnLaunch"))
            .unwrap_or(false),
        bpa: ctx.bpa(
            &raw.block_public_access_states,
            &p.key("BlockPublicAccessStates"),
        ),
        origin: ctx.origin(p),
    })
}

pub(crate) fn vpc(raw: &RawVpc<'_>, p: &Path<'_>, ctx: &mut Ctx<'_>) -> Result<Vpc, Skip> {
    let id = req_str(&raw.vpc_id, &p.key("VpcId")).map_err(|e| ctx.skip(e, "VPC"))?;
    let mut cidrs = Vec::new();
    let pa = p.key("CidrBlockAssociationSet");
    for (i, a) in raw.cidr_block_association_set.iter().flatten().enumerate() {
        let pi = pa.at(i);
        let state = a
            .cidr_block_state
            .as_ref()
            .and_then(|s| ctx.or_ignore(opt_str(&s.state, &pi.key("CidrBlockState").key("State"))));
        if gone(state) {
            continue;
        }
        if let Some(c) = ctx.or_ignore(opt_cidr(&a.cidr_block, &pi.key("CidrBlock"))) {
            if !cidrs.contains(&c) {
                cidrs.push(c);
            }
        }
    }
    if let Some(c) = ctx.or_ignore(opt_cidr(&raw.cidr_block, &p.key("CidrBlock"))) {
        if !cidrs.contains(&c) {
            cidrs.insert(0, c);
        }
    }
    Ok(Vpc {
        id: Id::from(id),
        cidrs,
        ipv6_cidrs: ipv6_cidrs(
            &raw.ipv6_cidr_block_association_set,
            &p.key("Ipv6CidrBlockAssociationSet"),
            ctx,
        ),
        is_default: ctx
            .flag(&raw.is_default, &p.key("IsDefault"))
            .unwrap_or(false),
        bpa: ctx.bpa(
            &raw.block_public_access_states,
            &p.key("BlockPublicAccessStates"),
        ),
        origin: ctx.origin(p),
    })
}

pub(crate) fn address(
    raw: &RawAddress<'_>,
    p: &Path<'_>,
    ctx: &mut Ctx<'_>,
) -> Result<ElasticIp, Skip> {
    let public_ip =
        req_ip(&raw.public_ip, &p.key("PublicIp")).map_err(|e| ctx.skip(e, "address"))?;
    Ok(ElasticIp {
        public_ip,
        allocation_id: ctx.opt_string(&raw.allocation_id, &p.key("AllocationId")),
        association_id: ctx.opt_string(&raw.association_id, &p.key("AssociationId")),
        instance_id: ctx.opt_string(&raw.instance_id, &p.key("InstanceId")),
        eni_id: ctx.opt_string(&raw.network_interface_id, &p.key("NetworkInterfaceId")),
        private_ip: ctx.or_ignore(opt_ip(&raw.private_ip_address, &p.key("PrivateIpAddress"))),
        origin: ctx.origin(p),
    })
}

fn status_summary(
    s: &Option<RawStatusSummary<'_>>,
    p: &Path<'_>,
    ctx: &mut Ctx<'_>,
) -> Option<StatusSummary> {
    let s = s.as_ref()?;
    let status = ctx.opt_string(&s.status, &p.key("Status"))?;
    let mut details = Vec::new();
    let pd = p.key("Details");
    for (i, d) in s.details.iter().flatten().enumerate() {
        let pi = pd.at(i);
        let name = ctx.opt_string(&d.name, &pi.key("Name"));
        let st = ctx.opt_string(&d.status, &pi.key("Status"));
        if let (Some(n), Some(s)) = (name, st) {
            details.push((n, s));
        }
    }
    Some(StatusSummary { status, details })
}

pub(crate) fn instance_status(
    raw: &RawInstanceStatus<'_>,
    p: &Path<'_>,
    ctx: &mut Ctx<'_>,
) -> Result<InstanceStatus, Skip> {
    let id = req_str(&raw.instance_id, &p.key("InstanceId"))
        .map_err(|e| ctx.skip(e, "instance status"))?;
    let mut events = Vec::new();
    let pe = p.key("Events");
    for (i, e) in raw.events.iter().flatten().enumerate() {
        let pi = pe.at(i);
        let code = ctx.opt_string(&e.code, &pi.key("Code")).unwrap_or_default();
        let desc = ctx
            .opt_string(&e.description, &pi.key("Description"))
            .unwrap_or_default();
        events.push((code, desc));
    }
    Ok(InstanceStatus {
        instance_id: Id::from(id),
        state: raw
            .instance_state
            .as_ref()
            .map(|s| instance_state(s, &p.key("InstanceState"), ctx)),
        system: status_summary(&raw.system_status, &p.key("SystemStatus"), ctx),
        instance: status_summary(&raw.instance_status, &p.key("InstanceStatus"), ctx),
        events,
        origin: ctx.origin(p),
    })
}

pub(crate) fn is_prefix_list_id(s: &str) -> bool {
    s.strip_prefix("pl-")
        .is_some_and(|hex| !hex.is_empty() && hex.bytes().all(|c| c.is_ascii_hexdigit()))
}

/// The last `pl-[0-9a-f]+` in `name` that stands on its own (not inside a longer word).
pub(crate) fn prefix_list_id_in(name: &str) -> Option<&str> {
    let bytes = name.as_bytes();
    let mut found = None;
    let mut from = 0;
    while let Some(at) = name
        .get(from..)
        .and_then(|s| s.find("pl-"))
        .map(|i| i + from)
    {
        from = at + 3;
        let before_ok = at == 0 || !bytes.get(at - 1).is_some_and(|c| c.is_ascii_alphanumeric());
        let hex_len = bytes
            .get(at + 3..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
            .count();
        let end = at + 3 + hex_len;
        let after_ok = !bytes.get(end).is_some_and(|c| c.is_ascii_alphanumeric());
        if before_ok && hex_len > 0 && after_ok {
            found = name.get(at..end);
        }
    }
    found
}

pub(crate) fn nat_gateway(
    raw: &RawNatGateway<'_>,
    p: &Path<'_>,
    ctx: &mut Ctx<'_>,
) -> Result<NatGateway, Skip> {
    let id = req_str(&raw.nat_gateway_id, &p.key("NatGatewayId"))
        .map_err(|e| ctx.skip(e, "NAT gateway"))?;
    let mut public_ips = BTreeSet::new();
    let pa = p.key("NatGatewayAddresses");
    for (i, a) in raw.nat_gateway_addresses.iter().flatten().enumerate() {
        if let Some(ip) = ctx.or_ignore(opt_ip(&a.public_ip, &pa.at(i).key("PublicIp"))) {
            public_ips.insert(ip);
        }
    }
    Ok(NatGateway {
        id: Id::from(id),
        vpc_id: ctx.opt_string(&raw.vpc_id, &p.key("VpcId")),
        subnet_id: ctx.opt_string(&raw.subnet_id, &p.key("SubnetId")),
        state: ctx.opt_string(&raw.state, &p.key("State")),
        public_ips: public_ips.into_iter().collect(),
        origin: ctx.origin(p),
    })
}

pub(crate) fn flow_log(
    raw: &RawFlowLog<'_>,
    p: &Path<'_>,
    ctx: &mut Ctx<'_>,
) -> Result<FlowLogConfig, Skip> {
    let id = req_str(&raw.flow_log_id, &p.key("FlowLogId")).map_err(|e| ctx.skip(e, "flow log"))?;
    let resource =
        req_str(&raw.resource_id, &p.key("ResourceId")).map_err(|e| ctx.skip(e, "flow log"))?;
    let destination = match ctx.opt_string(&raw.log_destination, &p.key("LogDestination")) {
        Some(d) => Some(d),
        None => ctx.opt_string(&raw.log_group_name, &p.key("LogGroupName")),
    };
    Ok(FlowLogConfig {
        id: Id::from(id),
        resource_id: Id::from(resource),
        traffic_type: ctx.opt_string(&raw.traffic_type, &p.key("TrafficType")),
        log_format: ctx.opt_string(&raw.log_format, &p.key("LogFormat")),
        status: ctx.opt_string(&raw.flow_log_status, &p.key("FlowLogStatus")),
        destination,
        origin: ctx.origin(p),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn paths_render_like_json_paths() {
        let root = Path::root("SecurityGroups");
        let a = root.at(2);
        let b = a.key("IpPermissions");
        let c = b.at(0);
        assert_eq!(
            c.key("FromPort").render(),
            "SecurityGroups[2].IpPermissions[0].FromPort"
        );
    }

    #[test]
    fn prefix_list_ids_in_names() {
        assert_eq!(
            prefix_list_id_in("dir/get-managed-prefix-list-entries__pl-0abc.json"),
            Some("pl-0abc")
        );
        assert_eq!(prefix_list_id_in("pl-dir/entries.json"), None);
        assert_eq!(prefix_list_id_in("sample-pl-12.json"), Some("pl-12"));
        assert_eq!(prefix_list_id_in("apl-12.json"), None);
        assert_eq!(prefix_list_id_in("pl-1/pl-2ab.json"), Some("pl-2ab"));
        assert_eq!(prefix_list_id_in("stdin"), None);
    }

    fn traffic(proto: &str, from: Option<i64>, to: Option<i64>) -> Result<Traffic, String> {
        let v = |x: Option<i64>| x.map(Val::Int);
        sg_traffic(
            &Some(Val::Str(proto.into())),
            &v(from),
            &v(to),
            &Path::root("P"),
        )
        .map_err(|p| format!("{} at {}", p.message, p.path))
    }

    #[test]
    fn sg_protocol_and_port_semantics() {
        let any = |protocol| Traffic {
            protocol,
            ports: PortMatch::Any,
        };
        assert_eq!(traffic("-1", None, None), Ok(any(Protocol::All)));
        // A protocol other than tcp/udp/icmp/icmpv6 matches all ports whatever the range says.
        assert_eq!(
            traffic("50", Some(22), Some(22)),
            Ok(any(Protocol::Other(50)))
        );
        assert_eq!(
            traffic("tcp", Some(1024), Some(65535)).unwrap().ports,
            PortMatch::Ports(PortRange::new(1024, 65535).unwrap())
        );
        assert_eq!(
            traffic("6", Some(22), Some(22)).unwrap().protocol,
            Protocol::Tcp
        );
        assert_eq!(
            traffic("icmp", Some(8), Some(-1)).unwrap().ports,
            PortMatch::Icmp {
                icmp_type: Some(8),
                code: None
            }
        );
        assert_eq!(
            traffic("icmp", Some(3), Some(4)).unwrap().ports,
            PortMatch::Icmp {
                icmp_type: Some(3),
                code: Some(4)
            }
        );
        assert_eq!(
            traffic("icmpv6", None, None).unwrap().ports,
            PortMatch::Icmp {
                icmp_type: None,
                code: None
            }
        );
        assert_eq!(
            traffic("tcp", Some(80), Some(22)).unwrap_err(),
            "`80`-`22` is not a port range at P"
        );
        assert_eq!(
            traffic("tcp", Some(0), Some(70000)).unwrap_err(),
            "`70000` is not a port number at P.ToPort"
        );
        assert_eq!(
            traffic("tcp", None, Some(22)).unwrap_err(),
            "`FromPort` is missing at P.FromPort"
        );
        assert_eq!(
            traffic("gre", None, None).unwrap_err(),
            "`gre` is not an IP protocol at P.IpProtocol"
        );
    }

    #[test]
    fn nacl_protocol_is_a_string_number() {
        let e: RawNaclEntry<'_> = serde_json::from_str(
            r#"{"RuleNumber": 100, "Protocol": "17", "PortRange": {"From": 53, "To": 53},
                "RuleAction": "allow", "Egress": false, "CidrBlock": "10.0.0.0/8"}"#,
        )
        .unwrap();
        let n = nacl_entry(&e, &Path::root("E"))
            .map_err(|p| p.message)
            .unwrap();
        assert_eq!(n.traffic.protocol, Protocol::Udp);
        assert_eq!(n.traffic.ports, PortMatch::Ports(PortRange::single(53)));
        let e: RawNaclEntry<'_> = serde_json::from_str(
            r#"{"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": true,
                "Ipv6CidrBlock": "::/0", "PortRange": {"From": 1, "To": 2}}"#,
        )
        .unwrap();
        let n = nacl_entry(&e, &Path::root("E"))
            .map_err(|p| p.message)
            .unwrap();
        assert_eq!(n.traffic.ports, PortMatch::Any);
        assert_eq!(n.label(), "*");
        assert_eq!(n.cidr.to_string(), "::/0");
        let e: RawNaclEntry<'_> = serde_json::from_str(
            r#"{"RuleNumber": 5, "Protocol": "1", "RuleAction": "allow", "Egress": false,
                "CidrBlock": "0.0.0.0/0", "IcmpTypeCode": {"Type": 3, "Code": 4}}"#,
        )
        .unwrap();
        let n = nacl_entry(&e, &Path::root("E"))
            .map_err(|p| p.message)
            .unwrap();
        assert_eq!(
            n.traffic.ports,
            PortMatch::Icmp {
                icmp_type: Some(3),
                code: Some(4)
            }
        );
        let e: RawNaclEntry<'_> = serde_json::from_str(
            r#"{"RuleNumber": 5, "Protocol": "6", "RuleAction": "allow", "Egress": false,
                "CidrBlock": "0.0.0.0/0"}"#,
        )
        .unwrap();
        let err = nacl_entry(&e, &Path::root("E")).map(|_| ()).unwrap_err();
        assert_eq!(err.path, "E.PortRange");
    }

    #[test]
    fn paths_render_indices_in_decimal() {
        let root = Path::root("Reservations");
        for i in [0, 7, 9, 10, 42, 100, 12_345, usize::MAX] {
            let at = root.at(i);
            let inner = at.key("Instances");
            assert_eq!(
                inner.at(3).render(),
                format!("Reservations[{i}].Instances[3]")
            );
        }
    }
}
