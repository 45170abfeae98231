//! Collecting converted resources across documents and inputs: duplicates, pages, and the records
//! that two commands give about the same thing (ENIs, security group rules, prefix lists).

use std::collections::BTreeMap;
use std::fmt::Display;
use std::ops::Range;
use std::sync::Arc;

use super::stage::read_nested;

use crate::diag::{Diagnostic, Severity};
use crate::model::{
    BpaMode, ElasticIp, Eni, FlowLogConfig, Gateway, Id, Instance, InstanceStatus, Inventory,
    NatGateway, NetworkAcl, Origin, PrefixList, RouteTable, SecurityGroup, SgRule, Subnet, Vpc,
};
use crate::net::{Cidr, Family};

/// Anything that carries an [`Origin`].
pub(crate) trait Entity: Clone + PartialEq {
    fn origin(&self) -> &Origin;
    fn origin_mut(&mut self) -> &mut Origin;
}

macro_rules! entity {
    ($($t:ty),*) => {$(
        impl Entity for $t {
            fn origin(&self) -> &Origin {
                &self.origin
            }
            fn origin_mut(&mut self) -> &mut Origin {
                &mut self.origin
            }
        }
    )*};
}
entity!(
    Instance,
    Eni,
    SecurityGroup,
    NetworkAcl,
    RouteTable,
    Gateway,
    Subnet,
    Vpc,
    ElasticIp,
    InstanceStatus,
    PrefixList,
    NatGateway,
    FlowLogConfig
);

/// Equal apart from where they came from.
fn same_content<T: Entity>(a: &T, b: &T) -> bool {
    let mut b = b.clone();
    *b.origin_mut() = a.origin().clone();
    *a == b
}

fn duplicate_warning(id: &dyn Display, old: &Origin, new: &Origin) -> Diagnostic {
    Diagnostic {
        severity: Severity::Warning,
        source: new.source.to_string(),
        line: None,
        column: None,
        path: Some(new.path.clone()),
        message: format!(
            "`{id}` is listed twice with different content, in `{}` at `{}` and in `{}` at `{}`; \
             the last one is used",
            old.source, old.path, new.source, new.path
        ),
        help: Some(
            "give each command's output once, or collect all outputs again at the same time"
                .to_owned(),
        ),
    }
}

/// A key's first bytes as a number that orders like the key, so sorting touches the keys
/// themselves only on ties (and the entities not at all).
pub(crate) trait SortKey: Ord + Clone + Display {
    fn prefix(&self) -> u128;
}

impl SortKey for Id {
    fn prefix(&self) -> u128 {
        let mut b = [0u8; 16];
        for (d, s) in b.iter_mut().zip(self.bytes()) {
            *d = s;
        }
        u128::from_be_bytes(b)
    }
}

impl SortKey for std::net::IpAddr {
    fn prefix(&self) -> u128 {
        match self {
            // IPv4 sorts before IPv6, as `IpAddr` does.
            std::net::IpAddr::V4(a) => u128::from(u32::from(*a)),
            std::net::IpAddr::V6(_) => u128::MAX,
        }
    }
}

/// `(key, entity)` in key order from entities in input order. The same content again is silent
/// (pages, repeated files); different content is a warning naming both places, and the last one
/// wins. Sorting once and building the map in bulk is much cheaper than inserting one by one, and
/// pairs are what a map is built from, so no entity is moved twice.
fn sorted<K: SortKey, T: Entity>(
    items: Vec<T>,
    key: impl Fn(&T) -> &K,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(K, T)> {
    let mut out = Vec::with_capacity(items.len());
    sorted_with(items, key, diags, |k, t| out.push((k, t)));
    out
}

/// [`sorted`], handing each `(key, entity)` it keeps to `emit`, in key order, so that a caller
/// can take an entity apart as it goes instead of moving it once more afterwards.
fn sorted_with<K: SortKey, T: Entity>(
    items: Vec<T>,
    key: impl Fn(&T) -> &K,
    diags: &mut Vec<Diagnostic>,
    mut emit: impl FnMut(K, T),
) {
    let mut order: Vec<(u128, usize)> = items.iter().map(|t| key(t).prefix()).zip(0..).collect();
    // By key, then input position: the last of equal keys comes last.
    order.sort_unstable_by(|(pa, a), (pb, b)| {
        pa.cmp(pb)
            .then_with(|| items.get(*a).map(&key).cmp(&items.get(*b).map(&key)))
            .then(a.cmp(b))
    });
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    // The last key's entity, emitted once the next key differs (a later equal key may replace it).
    let mut last: Option<(K, T)> = None;
    for (n, &(_, at)) in order.iter().enumerate() {
        // Key order is random in memory: ask for an entity a few places ahead while this one moves
        // (on the benchmark's 10 000-instance account: 0.4-0.8 ms per map instead of 0.9-1.7 ms).
        prefetch(
            order
                .get(n + PREFETCH_AHEAD)
                .and_then(|&(_, a)| slots.get(a)),
        );
        let Some(value) = slots.get_mut(at).and_then(Option::take) else {
            continue;
        };
        match &mut last {
            Some((k, kept)) if k == key(&value) => {
                if !same_content(kept, &value) {
                    diags.push(duplicate_warning(k, kept.origin(), value.origin()));
                    *kept = value;
                }
            }
            _ => {
                if let Some((k, t)) = last.replace((key(&value).clone(), value)) {
                    emit(k, t);
                }
            }
        }
    }
    if let Some((k, t)) = last {
        emit(k, t);
    }
}

/// How many entities ahead of the one being moved [`sorted_with`] asks for: far enough for the
/// fetch to arrive in time, near enough that it is still in cache when used.
const PREFETCH_AHEAD: usize = 6;

/// Starts fetching the cache line where `slot` begins, so that reading it soon after waits less.
#[inline(always)]
fn prefetch<T>(slot: Option<&T>) {
    #[cfg(target_arch = "x86_64")]
    if let Some(s) = slot {
        safe_arch::prefetch_t0(s);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = slot;
}

/// [`sorted`] as a map (built in bulk from the sorted pairs, which it takes over).
pub(crate) fn build_map<K: SortKey, T: Entity>(
    items: Vec<T>,
    key: impl Fn(&T) -> &K,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<K, T> {
    sorted(items, key, diags).into_iter().collect()
}

/// Entities committed from documents, in input order, until [`Builder::finish`] builds the maps.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    pub instances: Vec<Instance>,
    /// From describe-network-interfaces.
    pub enis_own: Vec<OwnEni>,
    /// Nested in describe-instances.
    pub enis_nested: Vec<NestedEni>,
    pub security_groups: Vec<SecurityGroup>,
    pub network_acls: Vec<NetworkAcl>,
    pub route_tables: Vec<RouteTable>,
    pub internet_gateways: Vec<Gateway>,
    pub egress_only_gateways: Vec<Gateway>,
    pub subnets: Vec<Subnet>,
    pub vpcs: Vec<Vpc>,
    pub addresses: Vec<ElasticIp>,
    pub statuses: Vec<InstanceStatus>,
    pub lists_managed: Vec<PrefixList>,
    pub lists_legacy: Vec<PrefixList>,
    pub nat_gateways: Vec<NatGateway>,
    pub flow_logs: Vec<FlowLogConfig>,
}

/// An interface from describe-network-interfaces, with which of its lists the record gives (an
/// empty list counts as given).
#[derive(Debug, Clone)]
pub(crate) struct OwnEni {
    pub eni: Eni,
    /// `Groups`, `PrivateIpAddresses` (or `PrivateIpAddress`), `Ipv6Addresses`.
    pub lists: [bool; 3],
}

impl PartialEq for OwnEni {
    fn eq(&self, other: &Self) -> bool {
        self.eni == other.eni
    }
}

impl Entity for OwnEni {
    fn origin(&self) -> &Origin {
        &self.eni.origin
    }
    fn origin_mut(&mut self) -> &mut Origin {
        &mut self.eni.origin
    }
}

/// An interface record of describe-network-interfaces that gives every field the copy in
/// describe-instances could add (see [`fill_eni`]); `lists` as in [`OwnEni::lists`].
fn complete(e: &Eni, lists: [bool; 3]) -> bool {
    lists == [true; 3]
        && e.vpc_id.is_some()
        && e.subnet_id.is_some()
        && e.instance_id.is_some()
        && e.device_index.is_some()
        && e.attachment_status.is_some()
        && e.source_dest_check.is_some()
        && e.interface_type.is_some()
        && e.description.is_some()
}

/// A copy of an interface nested in describe-instances, kept until [`Builder::finish`] knows
/// whether describe-network-interfaces gave the whole record.
#[derive(Debug)]
pub(crate) struct NestedEni {
    /// The interface's id, when it has a usable one.
    pub id: Option<Id>,
    pub body: NestedBody,
}

#[derive(Debug)]
pub(crate) enum NestedBody {
    /// Converted when it was read: the interface (`None` if unusable) and the warnings that gave.
    Converted(Option<Box<Eni>>, Vec<Diagnostic>),
    /// Skipped by the fast reader: where it is, to be read only if it is needed. (The browser
    /// build reads every list in full.)
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    Skipped {
        /// The input, and the element's bytes in its text.
        input: usize,
        range: Range<usize>,
        instance: Id,
        /// `Reservations[r].Instances[i].NetworkInterfaces[k]`.
        at: [usize; 3],
        source: Arc<str>,
    },
}

impl NestedEni {
    pub(crate) fn converted(eni: Option<Eni>, diags: Vec<Diagnostic>) -> Self {
        NestedEni {
            id: eni.as_ref().map(|e| e.id.clone()),
            body: NestedBody::Converted(eni.map(Box::new), diags),
        }
    }
}

/// A rule from describe-security-group-rules, before it is merged into its group.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FlatRule {
    pub group_id: Id,
    pub egress: bool,
    pub rule: SgRule,
    pub origin: Origin,
}

/// Entries from get-managed-prefix-list-entries, tied to a list id.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ListEntries {
    pub cidrs: Vec<Cidr>,
    pub origin: Origin,
}

/// Everything read so far.
#[derive(Debug, Default)]
pub(crate) struct Builder {
    /// The number of the input being read (what a skipped nested interface is read from later).
    pub input: usize,
    pub inv: Inventory,
    pub pending: Pending,
    flat_rules: Vec<FlatRule>,
    flat_by_id: BTreeMap<Id, usize>,
    list_entries: BTreeMap<Id, ListEntries>,
    bpa: Option<(BpaMode, Origin)>,
}

impl Builder {
    pub(crate) fn add_flat_rule(&mut self, rule: FlatRule, diags: &mut Vec<Diagnostic>) {
        let Some(id) = rule.rule.rule_id.clone() else {
            // Without an id, a repeat is found when the rule is merged into its group.
            self.flat_rules.push(rule);
            return;
        };
        match self.flat_by_id.get(&id).copied() {
            Some(at) => {
                if let Some(old) = self.flat_rules.get_mut(at) {
                    let same = old.group_id == rule.group_id
                        && old.egress == rule.egress
                        && old.rule == rule.rule;
                    if !same {
                        diags.push(duplicate_warning(&id, &old.origin, &rule.origin));
                        *old = rule;
                    }
                }
            }
            None => {
                self.flat_by_id.insert(id, self.flat_rules.len());
                self.flat_rules.push(rule);
            }
        }
    }

    pub(crate) fn add_entries(
        &mut self,
        list_id: Id,
        entries: ListEntries,
        diags: &mut Vec<Diagnostic>,
    ) {
        if let Some(old) = self.list_entries.get(&list_id) {
            if old.cidrs == entries.cidrs {
                return;
            }
            diags.push(duplicate_warning(&list_id, &old.origin, &entries.origin));
        }
        self.list_entries.insert(list_id, entries);
    }

    pub(crate) fn set_bpa(&mut self, mode: BpaMode, origin: Origin, diags: &mut Vec<Diagnostic>) {
        if let Some((old, old_origin)) = &self.bpa {
            if *old != mode {
                diags.push(duplicate_warning(
                    &"VpcBlockPublicAccessOptions",
                    old_origin,
                    &origin,
                ));
            }
        }
        self.bpa = Some((mode, origin));
    }

    /// Merges what two commands said about the same things and returns the inventory. `texts` are
    /// the inputs' texts, by number, for the nested interfaces still to be read.
    ///
    /// An interface's copy nested in describe-instances is used only for what its
    /// describe-network-interfaces record lacks: when that record gives every field the copy could
    /// add, the copy is dropped unread (or, if it was read, with its warnings).
    pub(crate) fn finish(mut self, texts: &[&str], diags: &mut Vec<Diagnostic>) -> Inventory {
        let p = std::mem::take(&mut self.pending);
        let inv = &mut self.inv;
        inv.instances = build_map(p.instances, |e| &e.id, diags);
        // The records, split from which lists each gives as they come out in id order: the
        // interfaces then go into their map without being moved again.
        let mut own: Vec<(Id, Eni)> = Vec::with_capacity(p.enis_own.len());
        let mut lists: Vec<[bool; 3]> = Vec::with_capacity(p.enis_own.len());
        sorted_with(
            p.enis_own,
            |e| &e.eni.id,
            diags,
            |id, o| {
                own.push((id, o.eni));
                lists.push(o.lists);
            },
        );
        let mut copies = Vec::with_capacity(p.enis_nested.len());
        let mut lost = false;
        // The records' id prefixes, in their order: a search touches these (a few pages) and
        // compares whole ids, in the records, only where the prefixes tie.
        let prefixes: Vec<u128> = own.iter().map(|(k, _)| k.prefix()).collect();
        for n in p.enis_nested {
            let covered = n.id.as_ref().is_some_and(|id| {
                let p = id.prefix();
                let at = prefixes.partition_point(|x| *x < p);
                let ties = prefixes.get(at..).unwrap_or_default();
                let records = own.get(at..).unwrap_or_default();
                let given = lists.get(at..).unwrap_or_default();
                ties.iter()
                    .take_while(|x| **x == p)
                    .zip(records.iter().zip(given))
                    .find(|(_, ((k, _), _))| k == id)
                    .is_some_and(|(_, ((_, e), l))| complete(e, *l))
            });
            if covered {
                continue;
            }
            let (eni, ds) = match n.body {
                NestedBody::Converted(eni, ds) => (eni.map(|e| *e), ds),
                NestedBody::Skipped {
                    input,
                    range,
                    instance,
                    at,
                    source,
                } => {
                    let text = texts.get(input).copied().unwrap_or_default();
                    let (mut eni, mut ds) = read_nested(text, range, at, &instance);
                    if let Some(e) = eni.as_mut() {
                        e.origin.source = Arc::clone(&source);
                    }
                    ds.iter_mut().for_each(|d| d.source = source.to_string());
                    (eni, ds)
                }
            };
            diags.extend(ds);
            match eni {
                Some(e) => copies.push(e),
                None => lost |= n.id.is_some(),
            }
        }
        let nested = sorted(copies, |e| &e.id, diags);
        inv.security_groups = build_map(p.security_groups, |e| &e.id, diags);
        inv.network_acls = build_map(p.network_acls, |e| &e.id, diags);
        inv.route_tables = build_map(p.route_tables, |e| &e.id, diags);
        inv.internet_gateways = build_map(p.internet_gateways, |e| &e.id, diags);
        inv.egress_only_gateways = build_map(p.egress_only_gateways, |e| &e.id, diags);
        inv.subnets = build_map(p.subnets, |e| &e.id, diags);
        inv.vpcs = build_map(p.vpcs, |e| &e.id, diags);
        inv.addresses = build_map(p.addresses, |e| &e.public_ip, diags);
        inv.instance_status = build_map(p.statuses, |e| &e.instance_id, diags);
        let managed = build_map(p.lists_managed, |e| &e.id, diags);
        let legacy = build_map(p.lists_legacy, |e| &e.id, diags);
        inv.nat_gateways = build_map(p.nat_gateways, |e| &e.id, diags);
        inv.flow_logs = sorted(p.flow_logs, |e| &e.id, diags)
            .into_iter()
            .map(|(_, f)| f)
            .collect();
        self.merge_enis(own, lists, nested);
        self.order_eni_ids(lost);
        self.merge_flat_rules();
        self.merge_prefix_lists(managed, legacy, diags);
        self.inv.bpa_account = self.bpa.map(|(m, _)| m);
        self.inv
    }

    /// An ENI listed by describe-network-interfaces and inside describe-instances is one ENI: the
    /// describe-network-interfaces record is used, with fields it lacks filled in from the other.
    /// `lists[i]`: which lists `own[i]` gives (see [`OwnEni::lists`]).
    fn merge_enis(&mut self, own: Vec<(Id, Eni)>, lists: Vec<[bool; 3]>, nested: Vec<(Id, Eni)>) {
        // Both are sorted by id: merge them in one pass and build the map in bulk.
        if nested.is_empty() {
            self.inv.enis = own.into_iter().collect();
            return;
        }
        if own.is_empty() {
            self.inv.enis = nested.into_iter().collect();
            return;
        }
        let mut out: Vec<(Id, Eni)> = Vec::with_capacity(own.len().max(nested.len()));
        let mut a = own
            .into_iter()
            .zip(lists)
            .map(|((id, eni), lists)| (id, eni, lists))
            .peekable();
        let mut b = nested.into_iter().peekable();
        loop {
            let order = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => x.0.cmp(&y.0),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => break,
            };
            let next = match order {
                std::cmp::Ordering::Less => a.next().map(|(id, e, _)| (id, e)),
                std::cmp::Ordering::Greater => b.next(),
                std::cmp::Ordering::Equal => match (a.next(), b.next()) {
                    (Some((id, mut own, lists)), Some((_, other))) => {
                        fill_eni(&mut own, lists, other);
                        Some((id, own))
                    }
                    (x, y) => x.map(|(id, e, _)| (id, e)).or(y),
                },
            };
            out.extend(next);
        }
        self.inv.enis = out.into_iter().collect();
    }

    /// Orders each instance's interfaces by device index (then id), as merged; `lost`: some nested
    /// interface listed in `eni_ids` turned out unreadable, so the lists keep only known ones.
    fn order_eni_ids(&mut self, lost: bool) {
        let enis = &self.inv.enis;
        for inst in self.inv.instances.values_mut() {
            if lost {
                inst.eni_ids.retain(|id| enis.contains_key(id));
            }
            if inst.eni_ids.len() > 1 {
                let index = |id: &Id| enis.get(id).and_then(|e| e.device_index);
                inst.eni_ids.sort_by(|a, b| {
                    (index(a).unwrap_or(u32::MAX), a).cmp(&(index(b).unwrap_or(u32::MAX), b))
                });
            }
        }
    }

    /// Adds describe-security-group-rules rules to their groups (creating a group known only from
    /// its rules); a rule the group already lists gets its `sgr-` id and is not added twice.
    fn merge_flat_rules(&mut self) {
        for flat in std::mem::take(&mut self.flat_rules) {
            let group = self
                .inv
                .security_groups
                .entry(flat.group_id.clone())
                .or_insert_with(|| SecurityGroup {
                    id: flat.group_id.clone(),
                    name: None,
                    vpc_id: None,
                    ingress: Vec::new(),
                    egress: Vec::new(),
                    origin: flat.origin.clone(),
                });
            let rules = if flat.egress {
                &mut group.egress
            } else {
                &mut group.ingress
            };
            let same = rules.iter_mut().find(|r| {
                r.traffic == flat.rule.traffic
                    && same_peer(&r.peer, &flat.rule.peer)
                    && (r.rule_id.is_none() || r.rule_id == flat.rule.rule_id)
            });
            match same {
                Some(r) => {
                    if r.rule_id.is_none() {
                        r.rule_id = flat.rule.rule_id;
                    }
                    if r.description.is_none() {
                        r.description = flat.rule.description;
                    }
                }
                None => {
                    let position = rules.iter().map(|r| r.position).max().unwrap_or(0) + 1;
                    rules.push(SgRule {
                        position,
                        ..flat.rule
                    });
                }
            }
        }
    }

    /// describe-managed-prefix-lists (name, family, size), describe-prefix-lists (name, `Cidrs`)
    /// and get-managed-prefix-list-entries (CIDRs) about one list become one [`PrefixList`].
    fn merge_prefix_lists(
        &mut self,
        managed: BTreeMap<Id, PrefixList>,
        legacy: BTreeMap<Id, PrefixList>,
        diags: &mut Vec<Diagnostic>,
    ) {
        let mut lists = managed;
        for (id, legacy) in legacy {
            match lists.get_mut(&id) {
                Some(pl) => {
                    if pl.name.is_none() {
                        pl.name = legacy.name;
                    }
                    if pl.family.is_none() {
                        pl.family = legacy.family;
                    }
                    if pl.entries.is_none() {
                        pl.entries = legacy.entries;
                    }
                }
                None => {
                    lists.insert(id, legacy);
                }
            }
        }
        for (id, given) in std::mem::take(&mut self.list_entries) {
            match lists.get_mut(&id) {
                Some(pl) => {
                    if let Some(old) = &pl.entries {
                        let mut a = old.clone();
                        let mut b = given.cidrs.clone();
                        a.sort();
                        b.sort();
                        if a != b {
                            diags.push(Diagnostic {
                                severity: Severity::Warning,
                                source: given.origin.source.to_string(),
                                line: None,
                                column: None,
                                path: Some(given.origin.path.clone()),
                                message: format!(
                                    "the entries of `{id}` differ from its `Cidrs` in `{}` at `{}`; \
                                     the get-managed-prefix-list-entries output is used",
                                    pl.origin.source, pl.origin.path
                                ),
                                help: Some(
                                    "collect both outputs again at the same time".to_owned(),
                                ),
                            });
                        }
                    }
                    pl.entries = Some(given.cidrs);
                }
                None => {
                    let family = uniform_family(&given.cidrs);
                    lists.insert(
                        id.clone(),
                        PrefixList {
                            id,
                            name: None,
                            family,
                            max_entries: None,
                            entries: Some(given.cidrs),
                            origin: given.origin,
                        },
                    );
                }
            }
        }
        self.inv.prefix_lists = lists;
    }
}

fn same_peer(a: &crate::model::SgPeer, b: &crate::model::SgPeer) -> bool {
    use crate::model::SgPeer;
    match (a, b) {
        (SgPeer::Group { group_id: x, .. }, SgPeer::Group { group_id: y, .. }) => x == y,
        _ => a == b,
    }
}

fn uniform_family(cidrs: &[Cidr]) -> Option<Family> {
    let first = cidrs.first()?.family();
    cidrs.iter().all(|c| c.family() == first).then_some(first)
}

fn fill<T>(slot: &mut Option<T>, other: Option<T>) {
    if slot.is_none() {
        *slot = other;
    }
}

fn fill_vec<T>(slot: &mut Vec<T>, given: bool, other: Vec<T>) {
    if !given {
        *slot = other;
    }
}

/// What the describe-network-interfaces record lacks, from the copy nested in describe-instances.
fn fill_eni(own: &mut Eni, lists: [bool; 3], nested: Eni) {
    let [groups, private_ips, ipv6] = lists;
    fill(&mut own.vpc_id, nested.vpc_id);
    fill(&mut own.subnet_id, nested.subnet_id);
    fill(&mut own.instance_id, nested.instance_id);
    fill(&mut own.device_index, nested.device_index);
    fill(&mut own.attachment_status, nested.attachment_status);
    fill_vec(&mut own.groups, groups, nested.groups);
    fill_vec(&mut own.private_ips, private_ips, nested.private_ips);
    fill_vec(&mut own.ipv6_addresses, ipv6, nested.ipv6_addresses);
    fill(&mut own.source_dest_check, nested.source_dest_check);
    fill(&mut own.interface_type, nested.interface_type);
    fill(&mut own.description, nested.description);
}
