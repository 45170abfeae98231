//! Collecting converted resources across documents and inputs: duplicates, pages, and the records
//! that two commands give about the same thing (ENIs, security group rules, prefix lists).

use std::collections::BTreeMap;
use std::fmt::Display;

use crate::diag::{Diagnostic, Severity};
use crate::model::{
    BpaMode, ElasticIp, Eni, FlowLogConfig, Gateway, Instance, InstanceStatus, Inventory,
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
        source: new.source.clone(),
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

/// Inserts `value` under `key`. The same content again is silent (pages, repeated files); different
/// content is a warning naming both places, and the last one wins.
pub(crate) fn put<K: Ord + Display, T: Entity>(
    map: &mut BTreeMap<K, T>,
    key: K,
    value: T,
    diags: &mut Vec<Diagnostic>,
) {
    use std::collections::btree_map::Entry;
    match map.entry(key) {
        Entry::Vacant(v) => {
            v.insert(value);
        }
        Entry::Occupied(mut o) => {
            if same_content(o.get(), &value) {
                return;
            }
            diags.push(duplicate_warning(o.key(), o.get().origin(), value.origin()));
            o.insert(value);
        }
    }
}

/// A rule from describe-security-group-rules, before it is merged into its group.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FlatRule {
    pub group_id: String,
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
    pub inv: Inventory,
    /// From describe-network-interfaces.
    pub enis_own: BTreeMap<String, Eni>,
    /// Nested in describe-instances.
    pub enis_nested: BTreeMap<String, Eni>,
    flat_rules: Vec<FlatRule>,
    flat_by_id: BTreeMap<String, usize>,
    pub lists_managed: BTreeMap<String, PrefixList>,
    pub lists_legacy: BTreeMap<String, PrefixList>,
    list_entries: BTreeMap<String, ListEntries>,
    bpa: Option<(BpaMode, Origin)>,
    pub flow_logs: BTreeMap<String, FlowLogConfig>,
}

impl Builder {
    pub(crate) fn add_flat_rule(&mut self, rule: FlatRule, diags: &mut Vec<Diagnostic>) {
        let Some(id) = rule.rule.rule_id.clone() else {
            if !self.flat_rules.contains(&rule) {
                self.flat_rules.push(rule);
            }
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
        list_id: String,
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

    /// Merges what two commands said about the same things and returns the inventory.
    pub(crate) fn finish(mut self, diags: &mut Vec<Diagnostic>) -> Inventory {
        self.merge_enis();
        self.merge_flat_rules();
        self.merge_prefix_lists(diags);
        self.inv.bpa_account = self.bpa.map(|(m, _)| m);
        self.inv.flow_logs = self.flow_logs.into_values().collect();
        self.inv
    }

    /// An ENI listed by describe-network-interfaces and inside describe-instances is one ENI: the
    /// describe-network-interfaces record is used, with fields it lacks filled in from the other.
    fn merge_enis(&mut self) {
        let mut enis = std::mem::take(&mut self.enis_own);
        for (id, nested) in std::mem::take(&mut self.enis_nested) {
            match enis.get_mut(&id) {
                Some(own) => fill_eni(own, nested),
                None => {
                    enis.insert(id, nested);
                }
            }
        }
        self.inv.enis = enis;
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
    fn merge_prefix_lists(&mut self, diags: &mut Vec<Diagnostic>) {
        let mut lists = std::mem::take(&mut self.lists_managed);
        for (id, legacy) in std::mem::take(&mut self.lists_legacy) {
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
                                source: given.origin.source.clone(),
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

fn fill_vec<T>(slot: &mut Vec<T>, other: Vec<T>) {
    if slot.is_empty() {
        *slot = other;
    }
}

fn fill_eni(own: &mut Eni, nested: Eni) {
    fill(&mut own.vpc_id, nested.vpc_id);
    fill(&mut own.subnet_id, nested.subnet_id);
    fill(&mut own.instance_id, nested.instance_id);
    fill(&mut own.device_index, nested.device_index);
    fill(&mut own.attachment_status, nested.attachment_status);
    fill_vec(&mut own.groups, nested.groups);
    fill_vec(&mut own.private_ips, nested.private_ips);
    fill_vec(&mut own.ipv6_addresses, nested.ipv6_addresses);
    fill(&mut own.source_dest_check, nested.source_dest_check);
    fill(&mut own.interface_type, nested.interface_type);
    fill(&mut own.description, nested.description);
}
