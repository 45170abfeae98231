//! One document's converted resources, staged until the document has been read to its end.
//!
//! Resources are converted while the parser walks the document (the raw struct is still hot in
//! cache and is dropped at once), but go into the [`Builder`] only when the whole document parsed:
//! if its shape turns out wrong half-way, the staged part is dropped and the fallback pass reads
//! the document again. The document's name (`stdin#2`) is also only known then.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::convert::*;
#[cfg(not(target_arch = "wasm32"))]
use super::json;
use super::json::Spans;
use super::merge::{Builder, Entity, FlatRule, ListEntries, NestedBody, NestedEni, OwnEni};
use super::raw::*;
use crate::diag::{Diagnostic, Severity};
use crate::model::*;
use crate::net::{Cidr, Family};

/// A nested interface list the fast reader skipped: its number in the reader's `Spans`, its
/// instance (an index in `DocOut::instances`), and `Reservations[r].Instances[i]`.
#[derive(Debug)]
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
struct SkippedList {
    list: usize,
    instance: usize,
    at: [usize; 2],
}

/// What one document gave, before it is committed.
#[derive(Debug, Default)]
pub(crate) struct DocOut {
    pub diags: Vec<Diagnostic>,
    pub commands: BTreeMap<Command, usize>,
    /// Top-level keys we do not read.
    pub unused: Vec<String>,
    /// Keys we read whose value was unusable as a whole (fallback pass; already reported).
    pub failed_keys: usize,
    /// The top-level `PrefixListId` our collector writes beside `Entries`: the id, or a description
    /// of the value that is not one.
    pub prefix_list_id: Option<Result<String, String>>,
    entries: Option<Vec<Cidr>>,
    instances: Vec<Instance>,
    enis_nested: Vec<NestedEni>,
    enis_own: Vec<OwnEni>,
    /// Nested interface lists the fast reader skipped, until [`DocOut::resolve_spans`].
    skipped: Vec<SkippedList>,
    security_groups: Vec<SecurityGroup>,
    flat_rules: Vec<FlatRule>,
    network_acls: Vec<NetworkAcl>,
    route_tables: Vec<RouteTable>,
    internet_gateways: Vec<Gateway>,
    egress_only_gateways: Vec<Gateway>,
    subnets: Vec<Subnet>,
    vpcs: Vec<Vpc>,
    addresses: Vec<ElasticIp>,
    statuses: Vec<InstanceStatus>,
    lists_managed: Vec<PrefixList>,
    lists_legacy: Vec<PrefixList>,
    nat_gateways: Vec<NatGateway>,
    flow_logs: Vec<FlowLogConfig>,
    bpa: Option<(BpaMode, Origin)>,
}

impl DocOut {
    fn ctx(&mut self) -> Ctx<'_> {
        Ctx {
            diags: &mut self.diags,
        }
    }

    fn count(&mut self, c: Command, n: usize) {
        *self.commands.entry(c).or_insert(0) += n;
    }

    /// Reads the top-level `PrefixListId`.
    pub(crate) fn set_prefix_list_id(&mut self, v: Option<Val<'_>>) {
        self.prefix_list_id = v.map(|v| match v {
            Val::Str(s) if is_prefix_list_id(&s) => Ok(s.into_owned()),
            other => Err(other.describe()),
        });
    }

    /// Reads `VpcBlockPublicAccessOptions`.
    pub(crate) fn set_bpa_options(&mut self, opts: Option<RawBpaOptions<'_>>) {
        let Some(opts) = opts else {
            return;
        };
        let p = Path::root("VpcBlockPublicAccessOptions");
        let pm = p.key("InternetGatewayBlockMode");
        let mode = match opt_str(&opts.internet_gateway_block_mode, &pm) {
            Ok(Some(m)) => BpaMode::parse(m)
                .ok_or_else(|| problem(&pm, format!("`{m}` is not a block public access mode"))),
            Ok(None) => Err(missing(&pm)),
            Err(e) => Err(e),
        };
        let mut ctx = self.ctx();
        match mode {
            Ok(m) => {
                let origin = ctx.origin(&p);
                self.bpa = Some((m, origin));
                self.count(Command::DescribeVpcBlockPublicAccessOptions, 1);
            }
            Err(pr) => {
                ctx.skip(pr, "setting");
                self.count(Command::DescribeVpcBlockPublicAccessOptions, 0);
            }
        }
    }

    /// Puts the document into `b` under the name `source`; returns the commands it gave.
    pub(crate) fn commit(
        mut self,
        source: &str,
        input_name: &str,
        b: &mut Builder,
        diags: &mut Vec<Diagnostic>,
    ) -> Vec<(Command, usize)> {
        if let Some(cidrs) = self.entries.take() {
            self.tie_entries(cidrs, source, input_name, b);
        }
        for mut d in std::mem::take(&mut self.diags) {
            d.source = source.to_owned();
            diags.push(d);
        }
        let shared: Arc<str> = source.into();
        let origin = |o: &mut Origin| o.source = Arc::clone(&shared);
        macro_rules! into {
            ($($kind:ident),*) => {$(
                let mut v = std::mem::take(&mut self.$kind);
                v.iter_mut().for_each(|e| origin(e.origin_mut()));
                if b.pending.$kind.is_empty() {
                    b.pending.$kind = v;
                } else {
                    b.pending.$kind.append(&mut v);
                }
            )*};
        }
        let input = b.input;
        for n in &mut self.enis_nested {
            match &mut n.body {
                NestedBody::Converted(eni, ds) => {
                    if let Some(e) = eni.as_mut() {
                        origin(&mut e.origin);
                    }
                    ds.iter_mut().for_each(|d| d.source = source.to_owned());
                }
                NestedBody::Skipped {
                    input: i,
                    source: s,
                    ..
                } => {
                    *i = input;
                    *s = Arc::clone(&shared);
                }
            }
        }
        b.pending.enis_nested.append(&mut self.enis_nested);
        into!(
            instances,
            enis_own,
            security_groups,
            network_acls,
            route_tables,
            internet_gateways,
            egress_only_gateways,
            subnets,
            vpcs,
            addresses,
            statuses,
            lists_managed,
            lists_legacy,
            nat_gateways,
            flow_logs
        );
        for mut r in std::mem::take(&mut self.flat_rules) {
            origin(&mut r.origin);
            b.add_flat_rule(r, diags);
        }
        if let Some((mode, mut o)) = self.bpa.take() {
            origin(&mut o);
            b.set_bpa(mode, o, diags);
        }
        b.inv.provided.extend(self.commands.keys().copied());
        self.commands.into_iter().collect()
    }

    /// Ties get-managed-prefix-list-entries output to its list (see the module doc of `ingest`).
    fn tie_entries(&mut self, cidrs: Vec<Cidr>, source: &str, input_name: &str, b: &mut Builder) {
        let n = cidrs.len();
        let given = match self.prefix_list_id.take() {
            None => None,
            Some(Ok(id)) => Some(id),
            Some(Err(what)) => {
                self.ctx().or_ignore::<()>(Err(problem(
                    &Path::root("PrefixListId"),
                    format!("{what} is not a prefix list id like `pl-0123abcd`"),
                )));
                None
            }
        };
        let Some(id) = given.or_else(|| prefix_list_id_in(input_name).map(str::to_owned)) else {
            self.diags.push(Diagnostic {
                severity: Severity::Warning,
                source: String::new(),
                line: None,
                column: None,
                path: Some("Entries".to_owned()),
                message: "these prefix list entries could not be tied to a prefix list, because \
                          get-managed-prefix-list-entries output does not name its list"
                    .to_owned(),
                help: Some(
                    "add `\"PrefixListId\": \"pl-…\"` to the object beside `Entries`, or name the \
                     file after the list, e.g. `get-managed-prefix-list-entries__pl-0123abcd.json`"
                        .to_owned(),
                ),
            });
            return;
        };
        self.count(Command::GetManagedPrefixListEntries, n);
        let origin = Origin {
            source: source.into(),
            path: "Entries".to_owned(),
        };
        b.add_entries(Id::from(id), ListEntries { cidrs, origin }, &mut self.diags);
    }
}

/// A top-level list's element type: how to convert one element, and what an empty list means.
macro_rules! simple {
    ($raw:ident, $key:literal, $cmd:expr, $conv:ident, $vec:ident) => {
        impl<'a> RawResource<'a> for $raw<'a> {
            fn convert(&self, i: usize, out: &mut DocOut) {
                let root = Path::root($key);
                let r = $conv(self, &root.at(i), &mut out.ctx());
                out.count($cmd, 0);
                if let Ok(x) = r {
                    out.$vec.push(x);
                    out.count($cmd, 1);
                }
            }
            fn list_done(_: usize, out: &mut DocOut) {
                out.count($cmd, 0);
            }
        }
    };
}

fn eni_own(raw: &RawEni<'_>, p: &Path<'_>, ctx: &mut Ctx<'_>) -> Result<OwnEni, Skip> {
    let eni = eni(raw, p, None, ctx)?;
    let lists = [
        raw.groups.is_some() || !eni.groups.is_empty(),
        raw.private_ip_addresses.is_some() || !eni.private_ips.is_empty(),
        raw.ipv6_addresses.is_some() || !eni.ipv6_addresses.is_empty(),
    ];
    Ok(OwnEni { eni, lists })
}

/// Reads and converts the nested interface at `range` of `text`, at
/// `Reservations[r].Instances[i].NetworkInterfaces[k]` of instance `instance`: the interface, if
/// usable, and the warnings. An element of the wrong shape is read again by `serde_json` to name
/// the problem, as the fallback pass does.
pub(crate) fn read_nested(
    text: &str,
    range: std::ops::Range<usize>,
    [r, i, k]: [usize; 3],
    instance: &str,
) -> (Option<Eni>, Vec<Diagnostic>) {
    let root = Path::root("Reservations");
    let pr = root.at(r);
    let pis = pr.key("Instances");
    let pi = pis.at(i);
    let pn = pi.key("NetworkInterfaces");
    let p = pn.at(k);
    let mut diags = Vec::new();
    let mut ctx = Ctx { diags: &mut diags };
    // The browser build never skips a list, and carries no fast reader for this type.
    #[cfg(not(target_arch = "wasm32"))]
    let fast = json::read_document::<RawEni<'_>>(text, range.start).ok();
    #[cfg(target_arch = "wasm32")]
    let fast: Option<(RawEni<'_>, usize)> = None;
    let eni = match fast {
        Some((raw, _)) => eni(&raw, &p, Some(instance), &mut ctx).ok(),
        None => {
            let element = text.get(range).unwrap_or_default();
            let value = serde_json::from_str::<serde_json::Value>(element).ok();
            let mut problems = Vec::new();
            let raw = value.as_ref().and_then(|v| {
                element_from_value::<RawEni<'_>>(v, &mut |suffix, msg| {
                    problems.push((suffix, msg));
                })
            });
            let at = p.render();
            for (suffix, msg) in problems {
                ctx.part_skipped(format!("{at}{suffix}"), &msg);
            }
            raw.and_then(|raw| eni(&raw, &p, Some(instance), &mut ctx).ok())
        }
    };
    (eni, diags)
}

fn internet_gateway(
    raw: &RawInternetGateway<'_>,
    p: &Path<'_>,
    ctx: &mut Ctx<'_>,
) -> Result<Gateway, Skip> {
    gateway(
        &raw.internet_gateway_id,
        "InternetGatewayId",
        &raw.attachments,
        p,
        ctx,
    )
}

fn egress_only_gateway(
    raw: &RawEgressOnlyGateway<'_>,
    p: &Path<'_>,
    ctx: &mut Ctx<'_>,
) -> Result<Gateway, Skip> {
    gateway(
        &raw.egress_only_internet_gateway_id,
        "EgressOnlyInternetGatewayId",
        &raw.attachments,
        p,
        ctx,
    )
}

simple!(
    RawEni,
    "NetworkInterfaces",
    Command::DescribeNetworkInterfaces,
    eni_own,
    enis_own
);
simple!(
    RawSecurityGroup,
    "SecurityGroups",
    Command::DescribeSecurityGroups,
    security_group,
    security_groups
);
simple!(
    RawNetworkAcl,
    "NetworkAcls",
    Command::DescribeNetworkAcls,
    network_acl,
    network_acls
);
simple!(
    RawRouteTable,
    "RouteTables",
    Command::DescribeRouteTables,
    route_table,
    route_tables
);
simple!(
    RawInternetGateway,
    "InternetGateways",
    Command::DescribeInternetGateways,
    internet_gateway,
    internet_gateways
);
simple!(
    RawEgressOnlyGateway,
    "EgressOnlyInternetGateways",
    Command::DescribeEgressOnlyInternetGateways,
    egress_only_gateway,
    egress_only_gateways
);
simple!(
    RawSubnet,
    "Subnets",
    Command::DescribeSubnets,
    subnet,
    subnets
);
simple!(RawVpc, "Vpcs", Command::DescribeVpcs, vpc, vpcs);
simple!(
    RawAddress,
    "Addresses",
    Command::DescribeAddresses,
    address,
    addresses
);
simple!(
    RawInstanceStatus,
    "InstanceStatuses",
    Command::DescribeInstanceStatus,
    instance_status,
    statuses
);
simple!(
    RawNatGateway,
    "NatGateways",
    Command::DescribeNatGateways,
    nat_gateway,
    nat_gateways
);
simple!(
    RawFlowLog,
    "FlowLogs",
    Command::DescribeFlowLogs,
    flow_log,
    flow_logs
);

impl<'a> RawResource<'a> for RawSgRule<'a> {
    fn convert(&self, i: usize, out: &mut DocOut) {
        let root = Path::root("SecurityGroupRules");
        // A flat rule's position is its 1-based index until it is merged into its group.
        if let Ok(r) = flat_rule(self, &root.at(i), i + 1, &mut out.ctx()) {
            out.flat_rules.push(r);
            out.count(Command::DescribeSecurityGroupRules, 1);
        }
    }
    fn list_done(_: usize, out: &mut DocOut) {
        out.count(Command::DescribeSecurityGroupRules, 0);
    }
}

impl<'a> RawResource<'a> for RawReservation<'a> {
    fn from_value(
        v: &'a serde_json::Value,
        report: &mut dyn FnMut(String, String),
    ) -> Option<Self> {
        reservation_from_value(v, report)
    }
    fn convert(&self, r: usize, out: &mut DocOut) {
        let root = Path::root("Reservations");
        let pr = root.at(r);
        let pi = pr.key("Instances");
        for (i, raw) in self.instances.iter().flat_map(|it| it.iter()) {
            let Ok((inst, nested)) = instance(raw, &pi.at(i), &mut out.ctx()) else {
                continue;
            };
            match nested {
                Nested::Read(enis) => out.enis_nested.extend(enis),
                Nested::Skipped(list) => out.skipped.push(SkippedList {
                    list,
                    instance: out.instances.len(),
                    at: [r, i],
                }),
            }
            out.instances.push(inst);
            out.count(Command::DescribeInstances, 1);
        }
    }
    fn list_done(_: usize, out: &mut DocOut) {
        out.count(Command::DescribeInstances, 0);
    }
}

impl<'a> RawResource<'a> for RawPrefixListEntry<'a> {
    fn convert(&self, i: usize, out: &mut DocOut) {
        let root = Path::root("Entries");
        let p = root.at(i);
        let r = req_cidr(&self.cidr, &p.key("Cidr"));
        let list = out.entries.get_or_insert_with(Vec::new);
        match r {
            Ok(c) => list.push(c),
            Err(e) => {
                out.ctx().skip(e, "entry");
            }
        }
    }
    fn list_done(_: usize, out: &mut DocOut) {
        out.entries.get_or_insert_with(Vec::new);
        out.count(Command::GetManagedPrefixListEntries, 0);
    }
}

/// `PrefixLists[]`: an item with describe-managed-prefix-lists fields (`AddressFamily`, `MaxEntries`,
/// `State`, `OwnerId`, `PrefixListArn`, `Version`) is a managed list; any other (`PrefixListId`,
/// `PrefixListName`, `Cidrs`) is describe-prefix-lists.
impl<'a> RawResource<'a> for RawPrefixList<'a> {
    fn convert(&self, i: usize, out: &mut DocOut) {
        let raw = self;
        let root = Path::root("PrefixLists");
        let p = root.at(i);
        let is_managed = raw.address_family.is_some()
            || raw.max_entries.is_some()
            || raw.state.is_some()
            || raw.owner_id.is_some()
            || raw.prefix_list_arn.is_some()
            || raw.version.is_some();
        let cmd = if is_managed {
            Command::DescribeManagedPrefixLists
        } else {
            Command::DescribePrefixLists
        };
        out.count(cmd, 0);
        let mut ctx = out.ctx();
        let Ok(id) = req_str(&raw.prefix_list_id, &p.key("PrefixListId"))
            .map_err(|e| ctx.skip(e, "prefix list"))
        else {
            return;
        };
        let pf = p.key("AddressFamily");
        let family = match ctx.or_ignore(opt_str(&raw.address_family, &pf)) {
            None => None,
            Some(f) if f.eq_ignore_ascii_case("ipv4") => Some(Family::Ipv4),
            Some(f) if f.eq_ignore_ascii_case("ipv6") => Some(Family::Ipv6),
            Some(f) => {
                ctx.or_ignore::<Family>(Err(problem(&pf, format!("`{f}` is not `IPv4` or `IPv6`"))))
            }
        };
        let pm = p.key("MaxEntries");
        let max_entries = ctx.or_ignore(opt_int(&raw.max_entries, &pm)).and_then(|m| {
            u32::try_from(m).ok().or_else(|| {
                ctx.or_ignore::<u32>(Err(problem(&pm, format!("`{m}` is not a list size"))))
            })
        });
        let entries = raw.cidrs.as_ref().map(|cidrs| {
            let pc = p.key("Cidrs");
            let mut list = Vec::with_capacity(cidrs.len());
            for (k, c) in cidrs.iter().enumerate() {
                let pk = pc.at(k);
                let parsed = match c {
                    Val::Str(s) => Cidr::parse(s).map_err(|e| problem(&pk, e.to_string())),
                    other => Err(wrong(&pk, "a string", other)),
                };
                match parsed {
                    Ok(c) => list.push(c),
                    Err(e) => {
                        ctx.skip(e, "entry");
                    }
                }
            }
            list
        });
        let pl = PrefixList {
            id: Id::from(id),
            name: ctx.opt_string(&raw.prefix_list_name, &p.key("PrefixListName")),
            family,
            max_entries,
            entries,
            origin: ctx.origin(&p),
        };
        if is_managed {
            out.lists_managed.push(pl);
        } else {
            out.lists_legacy.push(pl);
        }
        out.count(cmd, 1);
    }

    fn list_done(n: usize, out: &mut DocOut) {
        if n == 0 {
            // An empty answer cannot tell the two commands apart; it says "none" for both.
            out.count(Command::DescribeManagedPrefixLists, 0);
            out.count(Command::DescribePrefixLists, 0);
        }
    }
}

impl DocOut {
    /// Takes in the nested interface lists the fast reader skipped in this document (of `text`):
    /// each element becomes a [`NestedEni`] to be read if needed, and its id goes into its
    /// instance's `eni_ids`. An element whose id could not be seen without reading it (missing,
    /// escaped, not a string) is read now.
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    pub(crate) fn resolve_spans(&mut self, text: &str, spans: &Spans<'_>) {
        for s in std::mem::take(&mut self.skipped) {
            let Some(inst) = self.instances.get_mut(s.instance) else {
                continue;
            };
            let elements = spans
                .lists
                .get(s.list)
                .and_then(|l| spans.elements.get(l.clone()))
                .unwrap_or_default();
            let [r, i] = s.at;
            for (k, (range, id)) in elements.iter().enumerate() {
                let n = match id {
                    Some(id) => {
                        let id = Id::from(*id);
                        inst.eni_ids.push(id.clone());
                        NestedEni {
                            id: Some(id),
                            body: NestedBody::Skipped {
                                input: 0,
                                range: range.clone(),
                                instance: inst.id.clone(),
                                at: [r, i, k],
                                source: Arc::default(),
                            },
                        }
                    }
                    None => {
                        let (eni, diags) = read_nested(text, range.clone(), [r, i, k], &inst.id);
                        if let Some(e) = &eni {
                            inst.eni_ids.push(e.id.clone());
                        }
                        NestedEni::converted(eni, diags)
                    }
                };
                self.enis_nested.push(n);
            }
        }
    }

    /// Adds to `w` the ids that the resources read so far, and reached from the target, reference
    /// (see [`super::select`]).
    pub(crate) fn learn(&self, w: &mut super::select::Wanted) {
        let add = |set: &mut std::collections::BTreeSet<Id>, id: Option<&Id>| {
            if let Some(id) = id {
                if !set.contains(id) {
                    set.insert(id.clone());
                }
            }
        };
        for i in &self.instances {
            let reached = i.id == w.target
                || i.name.as_deref() == Some(w.target.as_str())
                || i.eni_ids.contains(&w.target)
                || w.instances.contains(&i.id);
            if reached {
                add(&mut w.instances, Some(&i.id));
                i.eni_ids.iter().for_each(|e| add(&mut w.enis, Some(e)));
                add(&mut w.subnets, i.subnet_id.as_ref());
                add(&mut w.vpcs, i.vpc_id.as_ref());
                i.security_groups
                    .iter()
                    .for_each(|g| add(&mut w.groups, Some(g)));
            }
        }
        let nested = self.enis_nested.iter().filter_map(|n| match &n.body {
            NestedBody::Converted(e, _) => e.as_deref(),
            NestedBody::Skipped { .. } => None,
        });
        for e in nested.chain(self.enis_own.iter().map(|o| &o.eni)) {
            let reached = e.id == w.target
                || w.enis.contains(&e.id)
                || e.instance_id
                    .as_ref()
                    .is_some_and(|i| w.instances.contains(i));
            if reached {
                add(&mut w.enis, Some(&e.id));
                add(&mut w.instances, e.instance_id.as_ref());
                add(&mut w.subnets, e.subnet_id.as_ref());
                add(&mut w.vpcs, e.vpc_id.as_ref());
                e.groups.iter().for_each(|g| add(&mut w.groups, Some(g)));
            }
        }
        for s in &self.subnets {
            if w.subnets.contains(&s.id) {
                add(&mut w.vpcs, s.vpc_id.as_ref());
            }
        }
    }
}
