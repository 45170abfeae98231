//! Raw describe-* JSON, as the AWS CLI prints it: PascalCase keys, every field optional, unknown
//! fields ignored, strings borrowed from the input.
//!
//! Leaves are [`Val`]s that accept any JSON value, so a wrong type (a port given as a string) never
//! fails the document: the conversion step names it with its path and skips just that part. Only a
//! wrong *shape* (an object where a list belongs) fails the typed pass, and then the document is
//! read again resource by resource (see `super::fallback`).

use std::borrow::Cow;
use std::fmt;

use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::stage::DocOut;

/// Any JSON leaf value, kept as it came.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    /// A number that is not an `i64` (a fraction, or too large).
    Float(f64),
    Bool(bool),
    List,
    Object,
}

impl Val<'_> {
    /// What it is, for messages: "a string `x`", "the number `3`", "a list".
    pub(crate) fn describe(&self) -> String {
        match self {
            Val::Str(s) => format!("the string `\"{s}\"`"),
            Val::Int(i) => format!("the number `{i}`"),
            Val::Float(f) => format!("the number `{f}`"),
            Val::Bool(b) => format!("`{b}`"),
            Val::List => "a list".to_owned(),
            Val::Object => "an object".to_owned(),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Val<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Val<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Val<'de>, E> {
                Ok(Val::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Val<'de>, E> {
                Ok(Val::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Val<'de>, E> {
                Ok(i64::try_from(v).map_or(Val::Float(v as f64), Val::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Val<'de>, E> {
                Ok(Val::Float(v))
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Val<'de>, E> {
                Ok(Val::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Val<'de>, E> {
                Ok(Val::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Val<'de>, E> {
                Ok(Val::Str(Cow::Owned(v)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Val<'de>, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Val::List)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Val<'de>, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Val::Object)
            }
        }
        d.deserialize_any(V)
    }
}

/// A list of resources. After the fallback pass some elements may be missing (they were reported
/// and skipped); `index` then maps each kept element to its position in the input, for paths.
#[derive(Debug, Default)]
pub(crate) struct Items<T> {
    pub list: Vec<T>,
    pub index: Option<Vec<usize>>,
}

impl<T> Items<T> {
    /// `(position in the input, element)`.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, &T)> {
        self.list.iter().enumerate().map(move |(i, t)| {
            let at = self
                .index
                .as_ref()
                .and_then(|ix| ix.get(i).copied())
                .unwrap_or(i);
            (at, t)
        })
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Items<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Items {
            list: Vec::deserialize(d)?,
            index: None,
        })
    }
}

/// Declares a raw struct: PascalCase keys, every field borrowed and defaulted.
macro_rules! raw {
    ($(#[$doc:meta])* $name:ident { $($(#[$m:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Default, Deserialize)]
        #[serde(rename_all = "PascalCase")]
        pub(crate) struct $name<'a> {
            $($(#[$m])* #[serde(borrow, default)] pub $field: $ty,)*
        }
    };
}

type V<'a> = Option<Val<'a>>;
type L<T> = Option<Vec<T>>;

raw!(RawTag { key: V<'a>, value: V<'a> });

raw!(RawState { code: V<'a>, name: V<'a> });

raw!(RawGroupRef { group_id: V<'a> });

raw!(RawAssociation { public_ip: V<'a> });

raw!(RawAttachment { instance_id: V<'a>, device_index: V<'a>, status: V<'a> });

raw!(RawPrivateIp {
    private_ip_address: V<'a>,
    primary: V<'a>,
    association: Option<RawAssociation<'a>>,
});

raw!(RawIpv6Address { ipv6_address: V<'a> });

raw!(
    /// `describe-network-interfaces` `NetworkInterfaces[]`, also nested in describe-instances.
    RawEni {
        network_interface_id: V<'a>,
        vpc_id: V<'a>,
        subnet_id: V<'a>,
        attachment: Option<RawAttachment<'a>>,
        association: Option<RawAssociation<'a>>,
        groups: L<RawGroupRef<'a>>,
        private_ip_address: V<'a>,
        private_ip_addresses: L<RawPrivateIp<'a>>,
        ipv6_addresses: L<RawIpv6Address<'a>>,
        source_dest_check: V<'a>,
        interface_type: V<'a>,
        description: V<'a>,
    }
);

raw!(
    /// `Reservations[].Instances[]`.
    RawInstance {
        instance_id: V<'a>,
        state: Option<RawState<'a>>,
        vpc_id: V<'a>,
        subnet_id: V<'a>,
        private_ip_address: V<'a>,
        public_ip_address: V<'a>,
        network_interfaces: Option<NestedEnis<'a>>,
        security_groups: L<RawGroupRef<'a>>,
        platform: V<'a>,
        platform_details: V<'a>,
        tags: L<RawTag<'a>>,
    }
);

raw!(RawReservation { instances: Option<Items<RawInstance<'a>>> });

/// `Reservations[].Instances[].NetworkInterfaces`: the copies of the instance's interfaces.
///
/// Usually describe-network-interfaces lists the same interfaces in full, and then these copies
/// are not needed (see `super::merge::Builder::finish`). The fast reader of a full load therefore
/// only skips the list, recording where each element is and its id ([`super::json::NESTED_ENIS`]);
/// the elements are read at the end of the load if they are needed. Every other reader
/// (`serde_json`, the fallback pass, a selective read) reads them at once.
#[derive(Debug)]
pub(crate) enum NestedEnis<'a> {
    Read(Items<RawEni<'a>>),
    /// The number of the list in the reader's [`super::json::Spans`].
    Skipped(usize),
}

impl<'de: 'a, 'a> Deserialize<'de> for NestedEnis<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = NestedEnis<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list")
            }
            fn visit_u64<E>(self, list: u64) -> Result<NestedEnis<'a>, E> {
                Ok(NestedEnis::Skipped(
                    usize::try_from(list).unwrap_or(usize::MAX),
                ))
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<NestedEnis<'a>, D::Error> {
                Items::deserialize(d).map(NestedEnis::Read)
            }
        }
        d.deserialize_newtype_struct(super::json::NESTED_ENIS, V(PhantomData))
    }
}

raw!(RawIpRange { cidr_ip: V<'a>, description: V<'a> });
raw!(RawIpv6Range { cidr_ipv6: V<'a>, description: V<'a> });
raw!(RawPrefixListRef { prefix_list_id: V<'a>, description: V<'a> });
raw!(RawGroupPair { group_id: V<'a>, user_id: V<'a>, description: V<'a> });

raw!(
    /// `SecurityGroups[].IpPermissions[]` / `IpPermissionsEgress[]`.
    RawIpPermission {
        ip_protocol: V<'a>,
        from_port: V<'a>,
        to_port: V<'a>,
        ip_ranges: L<RawIpRange<'a>>,
        ipv6_ranges: L<RawIpv6Range<'a>>,
        prefix_list_ids: L<RawPrefixListRef<'a>>,
        user_id_group_pairs: L<RawGroupPair<'a>>,
    }
);

raw!(RawSecurityGroup {
    group_id: V<'a>,
    group_name: V<'a>,
    vpc_id: V<'a>,
    ip_permissions: L<RawIpPermission<'a>>,
    ip_permissions_egress: L<RawIpPermission<'a>>,
});

raw!(RawReferencedGroup { group_id: V<'a>, user_id: V<'a> });

raw!(
    /// `describe-security-group-rules` `SecurityGroupRules[]`.
    RawSgRule {
        security_group_rule_id: V<'a>,
        group_id: V<'a>,
        is_egress: V<'a>,
        ip_protocol: V<'a>,
        from_port: V<'a>,
        to_port: V<'a>,
        cidr_ipv4: V<'a>,
        cidr_ipv6: V<'a>,
        prefix_list_id: V<'a>,
        referenced_group_info: Option<RawReferencedGroup<'a>>,
        description: V<'a>,
    }
);

raw!(RawPortRange { from: V<'a>, to: V<'a> });
raw!(RawIcmpTypeCode {
    #[serde(rename = "Type")]
    icmp_type: V<'a>,
    code: V<'a>,
});

raw!(RawNaclEntry {
    rule_number: V<'a>,
    protocol: V<'a>,
    rule_action: V<'a>,
    egress: V<'a>,
    cidr_block: V<'a>,
    ipv6_cidr_block: V<'a>,
    port_range: Option<RawPortRange<'a>>,
    icmp_type_code: Option<RawIcmpTypeCode<'a>>,
});

raw!(RawAssocState { state: V<'a> });
raw!(RawNaclAssociation { subnet_id: V<'a> });

raw!(RawNetworkAcl {
    network_acl_id: V<'a>,
    vpc_id: V<'a>,
    is_default: V<'a>,
    associations: L<RawNaclAssociation<'a>>,
    entries: L<RawNaclEntry<'a>>,
});

raw!(RawRtAssociation {
    main: V<'a>,
    subnet_id: V<'a>,
    association_state: Option<RawAssocState<'a>>,
});

raw!(RawRoute {
    destination_cidr_block: V<'a>,
    destination_ipv6_cidr_block: V<'a>,
    destination_prefix_list_id: V<'a>,
    gateway_id: V<'a>,
    nat_gateway_id: V<'a>,
    instance_id: V<'a>,
    network_interface_id: V<'a>,
    vpc_peering_connection_id: V<'a>,
    transit_gateway_id: V<'a>,
    egress_only_internet_gateway_id: V<'a>,
    carrier_gateway_id: V<'a>,
    local_gateway_id: V<'a>,
    core_network_arn: V<'a>,
    state: V<'a>,
    origin: V<'a>,
});

raw!(RawRouteTable {
    route_table_id: V<'a>,
    vpc_id: V<'a>,
    associations: L<RawRtAssociation<'a>>,
    routes: L<RawRoute<'a>>,
});

raw!(RawGwAttachment { vpc_id: V<'a>, state: V<'a> });

raw!(RawInternetGateway {
    internet_gateway_id: V<'a>,
    attachments: L<RawGwAttachment<'a>>,
});

raw!(RawEgressOnlyGateway {
    egress_only_internet_gateway_id: V<'a>,
    attachments: L<RawGwAttachment<'a>>,
});

raw!(RawCidrState { state: V<'a> });
raw!(RawCidrAssoc {
    cidr_block: V<'a>,
    cidr_block_state: Option<RawCidrState<'a>>,
});
raw!(RawIpv6CidrAssoc {
    ipv6_cidr_block: V<'a>,
    ipv6_cidr_block_state: Option<RawCidrState<'a>>,
});
raw!(RawBpaStates { internet_gateway_block_mode: V<'a> });

raw!(RawSubnet {
    subnet_id: V<'a>,
    vpc_id: V<'a>,
    cidr_block: V<'a>,
    ipv6_cidr_block_association_set: L<RawIpv6CidrAssoc<'a>>,
    map_public_ip_on_launch: V<'a>,
    block_public_access_states: Option<RawBpaStates<'a>>,
});

raw!(RawVpc {
    vpc_id: V<'a>,
    cidr_block: V<'a>,
    cidr_block_association_set: L<RawCidrAssoc<'a>>,
    ipv6_cidr_block_association_set: L<RawIpv6CidrAssoc<'a>>,
    is_default: V<'a>,
    block_public_access_states: Option<RawBpaStates<'a>>,
});

raw!(RawAddress {
    public_ip: V<'a>,
    allocation_id: V<'a>,
    association_id: V<'a>,
    instance_id: V<'a>,
    network_interface_id: V<'a>,
    private_ip_address: V<'a>,
});

raw!(RawStatusDetail { name: V<'a>, status: V<'a> });
raw!(RawStatusSummary {
    status: V<'a>,
    details: L<RawStatusDetail<'a>>,
});
raw!(RawEvent { code: V<'a>, description: V<'a> });

raw!(RawInstanceStatus {
    instance_id: V<'a>,
    instance_state: Option<RawState<'a>>,
    system_status: Option<RawStatusSummary<'a>>,
    instance_status: Option<RawStatusSummary<'a>>,
    events: L<RawEvent<'a>>,
});

raw!(
    /// `PrefixLists[]` of both describe-managed-prefix-lists and describe-prefix-lists.
    RawPrefixList {
        prefix_list_id: V<'a>,
        prefix_list_name: V<'a>,
        address_family: V<'a>,
        max_entries: V<'a>,
        cidrs: L<Val<'a>>,
        // Present only in describe-managed-prefix-lists output.
        state: V<'a>,
        owner_id: V<'a>,
        prefix_list_arn: V<'a>,
        version: V<'a>,
    }
);

raw!(RawPrefixListEntry { cidr: V<'a> });

raw!(RawNatAddress { public_ip: V<'a> });
raw!(RawNatGateway {
    nat_gateway_id: V<'a>,
    vpc_id: V<'a>,
    subnet_id: V<'a>,
    state: V<'a>,
    nat_gateway_addresses: L<RawNatAddress<'a>>,
});

raw!(RawFlowLog {
    flow_log_id: V<'a>,
    resource_id: V<'a>,
    traffic_type: V<'a>,
    log_format: V<'a>,
    flow_log_status: V<'a>,
    log_destination: V<'a>,
    log_group_name: V<'a>,
});

raw!(RawBpaOptions { internet_gateway_block_mode: V<'a> });

/// Keys that are neither read nor reported: pagination tokens and SDK envelopes.
pub(crate) fn is_silent_key(key: &str) -> bool {
    matches!(key, "NextToken" | "ResponseMetadata")
}

/// Reads `key`'s value with `next` into `out`. Returns false when the key is not one we read.
pub(crate) fn read_key<'a, E>(
    key: &str,
    next: &mut impl KeyReader<'a, E>,
    out: &mut DocOut,
) -> Result<bool, E> {
    match key {
        "Reservations" => next.items::<RawReservation<'a>>(out)?,
        "NetworkInterfaces" => next.items::<RawEni<'a>>(out)?,
        "SecurityGroups" => next.items::<RawSecurityGroup<'a>>(out)?,
        "SecurityGroupRules" => next.items::<RawSgRule<'a>>(out)?,
        "NetworkAcls" => next.items::<RawNetworkAcl<'a>>(out)?,
        "RouteTables" => next.items::<RawRouteTable<'a>>(out)?,
        "InternetGateways" => next.items::<RawInternetGateway<'a>>(out)?,
        "EgressOnlyInternetGateways" => next.items::<RawEgressOnlyGateway<'a>>(out)?,
        "Subnets" => next.items::<RawSubnet<'a>>(out)?,
        "Vpcs" => next.items::<RawVpc<'a>>(out)?,
        "Addresses" => next.items::<RawAddress<'a>>(out)?,
        "InstanceStatuses" => next.items::<RawInstanceStatus<'a>>(out)?,
        "PrefixLists" => next.items::<RawPrefixList<'a>>(out)?,
        "Entries" => next.items::<RawPrefixListEntry<'a>>(out)?,
        "NatGateways" => next.items::<RawNatGateway<'a>>(out)?,
        "FlowLogs" => next.items::<RawFlowLog<'a>>(out)?,
        "VpcBlockPublicAccessOptions" => {
            let v = next.one::<RawBpaOptions<'a>>(out)?;
            out.set_bpa_options(v);
        }
        "PrefixListId" => {
            let v = next.one::<Val<'a>>(out)?;
            out.set_prefix_list_id(v);
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// How [`read_key`] gets a key's value: from the stream (typed pass) or from a parsed
/// `serde_json::Value` (fallback pass, element by element).
pub(crate) trait KeyReader<'a, E> {
    fn items<T: RawResource<'a>>(&mut self, out: &mut DocOut) -> Result<(), E>;
    fn one<T: Deserialize<'a>>(&mut self, out: &mut DocOut) -> Result<Option<T>, E>;
}

/// An element type of a top-level list. Elements are converted one by one as they are read
/// (`super::stage` has the conversions).
pub(crate) trait RawResource<'a>: Deserialize<'a> {
    /// Deserializes one element from a parsed value (fallback pass), reporting failures as
    /// `(path below the element, message)`.
    fn from_value(
        v: &'a serde_json::Value,
        report: &mut dyn FnMut(String, String),
    ) -> Option<Self> {
        element_from_value(v, report)
    }

    /// Converts element `i` into `out`.
    fn convert(&self, i: usize, out: &mut DocOut);

    /// Called after the list's `n` elements (so an empty list still counts as given).
    fn list_done(n: usize, out: &mut DocOut);
}

pub(crate) fn element_from_value<'a, T: Deserialize<'a>>(
    v: &'a serde_json::Value,
    report: &mut dyn FnMut(String, String),
) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(v) {
        Ok(x) => Some(x),
        Err(e) => {
            report(
                path_suffix(e.path()),
                clean_serde_message(&e.inner().to_string()),
            );
            None
        }
    }
}

/// `.IpPermissions[0].FromPort` (empty for the element itself), to append to `Key[i]`.
pub(crate) fn path_suffix(p: &serde_path_to_error::Path) -> String {
    let mut out = String::new();
    for seg in p.iter() {
        match seg {
            serde_path_to_error::Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            serde_path_to_error::Segment::Map { key } => {
                out.push('.');
                out.push_str(key);
            }
            serde_path_to_error::Segment::Enum { variant } => {
                out.push('.');
                out.push_str(variant);
            }
            serde_path_to_error::Segment::Unknown => out.push_str(".?"),
        }
    }
    out
}

/// serde's "invalid type: string \"x\", expected a sequence" → "expected a list, found the string `\"x\"`".
pub(crate) fn clean_serde_message(m: &str) -> String {
    let m = m
        .replace("a sequence", "a list")
        .replace("struct ", "an object ")
        .replace("map", "object");
    match m.strip_prefix("invalid type: ") {
        Some(rest) => match rest.split_once(", expected ") {
            Some((found, expected)) => format!("expected {expected}, found {found}"),
            None => rest.to_owned(),
        },
        None => m,
    }
}

/// A reservation from a parsed value, instance by instance, so one bad instance does not hide the
/// others.
pub(crate) fn reservation_from_value<'a>(
    v: &'a serde_json::Value,
    report: &mut dyn FnMut(String, String),
) -> Option<RawReservation<'a>> {
    let Some(obj) = v.as_object() else {
        report(
            String::new(),
            format!("expected an object, found {}", kind(v)),
        );
        return None;
    };
    let instances = match obj.get("Instances") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Array(list)) => {
            let mut report_at = |i: usize, suffix: String, msg: String| {
                report(format!(".Instances[{i}]{suffix}"), msg)
            };
            Some(items_from_values(list, &mut report_at))
        }
        Some(other) => {
            report(
                ".Instances".to_owned(),
                format!("expected a list, found {}", kind(other)),
            );
            None
        }
    };
    Some(RawReservation { instances })
}

/// Deserializes each element on its own; failures are reported as `(index, suffix, message)` and
/// left out, and the kept elements remember their positions.
pub(crate) fn items_from_values<'a, T: Deserialize<'a>>(
    list: &'a [serde_json::Value],
    report: &mut dyn FnMut(usize, String, String),
) -> Items<T> {
    let mut items = Items {
        list: Vec::with_capacity(list.len()),
        index: Some(Vec::with_capacity(list.len())),
    };
    for (i, v) in list.iter().enumerate() {
        let mut at = |suffix: String, msg: String| report(i, suffix, msg);
        if let Some(x) = element_from_value::<T>(v, &mut at) {
            items.list.push(x);
            if let Some(ix) = items.index.as_mut() {
                ix.push(i);
            }
        }
    }
    items
}

/// "a string", "a number", … for a parsed value.
pub(crate) fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

/// A whole document from the stream, already converted (see `super::stage`).
#[derive(Debug)]
pub(crate) enum TopDoc {
    Object(Box<DocOut>),
    /// A top-level list: a `--query` projection.
    List,
    /// A string, number, boolean or null at the top level.
    Scalar,
}

impl<'de> Deserialize<'de> for TopDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TopDoc;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<TopDoc, A::Error> {
                let mut out = DocOut::default();
                while let Some(key) = a.next_key::<Cow<'de, str>>()? {
                    let mut reader = StreamValue(&mut a);
                    if !read_key(&key, &mut reader, &mut out)? {
                        a.next_value::<IgnoredAny>()?;
                        if !is_silent_key(&key) {
                            out.unused.push(key.into_owned());
                        }
                    }
                }
                Ok(TopDoc::Object(Box::new(out)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<TopDoc, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(TopDoc::List)
            }
            fn visit_bool<E>(self, _: bool) -> Result<TopDoc, E> {
                Ok(TopDoc::Scalar)
            }
            fn visit_i64<E>(self, _: i64) -> Result<TopDoc, E> {
                Ok(TopDoc::Scalar)
            }
            fn visit_u64<E>(self, _: u64) -> Result<TopDoc, E> {
                Ok(TopDoc::Scalar)
            }
            fn visit_f64<E>(self, _: f64) -> Result<TopDoc, E> {
                Ok(TopDoc::Scalar)
            }
            fn visit_str<E>(self, _: &str) -> Result<TopDoc, E> {
                Ok(TopDoc::Scalar)
            }
            fn visit_unit<E>(self) -> Result<TopDoc, E> {
                Ok(TopDoc::Scalar)
            }
        }
        d.deserialize_any(V)
    }
}

/// Reads a key's value straight from the stream, converting list elements as they come.
struct StreamValue<'m, A>(&'m mut A);

impl<'de, A: MapAccess<'de>> KeyReader<'de, A::Error> for StreamValue<'_, A> {
    fn items<T: RawResource<'de>>(&mut self, out: &mut DocOut) -> Result<(), A::Error> {
        self.0.next_value_seed(ListSeed::<T> {
            out,
            element: PhantomData,
        })
    }
    fn one<T: Deserialize<'de>>(&mut self, _: &mut DocOut) -> Result<Option<T>, A::Error> {
        self.0.next_value::<Option<T>>()
    }
}

/// Deserializes a list, handing each element to [`RawResource::convert`] and dropping it.
pub(crate) struct ListSeed<'o, T> {
    out: &'o mut DocOut,
    element: PhantomData<T>,
}

impl<'o, T> ListSeed<'o, T> {
    pub(crate) fn new(out: &'o mut DocOut) -> Self {
        ListSeed {
            out,
            element: PhantomData,
        }
    }
}

impl<'de, T: RawResource<'de>> DeserializeSeed<'de> for ListSeed<'_, T> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: RawResource<'de>> Visitor<'de> for ListSeed<'_, T> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }
    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        let mut i = 0;
        while let Some(x) = seq.next_element::<T>()? {
            x.convert(i, self.out);
            i += 1;
        }
        T::list_done(i, self.out);
        Ok(())
    }
}

/// Reads a key's value from a parsed document, element by element (the fallback pass). Problems
/// become warnings in the document's output.
pub(crate) struct ValueReader<'a> {
    pub key: &'a str,
    pub value: &'a serde_json::Value,
}

fn value_warning(out: &mut DocOut, path: String, message: String) {
    super::convert::Ctx {
        diags: &mut out.diags,
    }
    .part_skipped(path, &message);
}

impl<'a> KeyReader<'a, de::value::Error> for ValueReader<'a> {
    fn items<T: RawResource<'a>>(&mut self, out: &mut DocOut) -> Result<(), de::value::Error> {
        let key = self.key;
        match self.value {
            serde_json::Value::Array(list) => {
                for (i, v) in list.iter().enumerate() {
                    let mut problems = Vec::new();
                    let mut report = |suffix: String, msg: String| {
                        problems.push((format!("{key}[{i}]{suffix}"), msg));
                    };
                    let x = T::from_value(v, &mut report);
                    for (path, msg) in problems {
                        value_warning(out, path, msg);
                    }
                    if let Some(x) = x {
                        x.convert(i, out);
                    }
                }
                T::list_done(list.len(), out);
                Ok(())
            }
            other => {
                value_warning(
                    out,
                    key.to_owned(),
                    format!("expected a list, found {}", kind(other)),
                );
                Err(de::Error::custom("skipped"))
            }
        }
    }

    fn one<T: Deserialize<'a>>(&mut self, out: &mut DocOut) -> Result<Option<T>, de::value::Error> {
        match serde_path_to_error::deserialize::<_, Option<T>>(self.value) {
            Ok(x) => Ok(x),
            Err(e) => {
                value_warning(
                    out,
                    format!("{}{}", self.key, path_suffix(e.path())),
                    clean_serde_message(&e.inner().to_string()),
                );
                Err(de::Error::custom("skipped"))
            }
        }
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;

    #[test]
    fn leaves_accept_any_type_and_borrow() {
        let text = r#"{"FromPort": "22", "ToPort": 22, "IpProtocol": "tcp", "IpRanges": [{"CidrIp": {"x": [1]}}]}"#;
        let p: RawIpPermission<'_> = serde_json::from_str(text).unwrap();
        assert_eq!(p.from_port, Some(Val::Str(Cow::Borrowed("22"))));
        assert!(matches!(
            p.ip_protocol,
            Some(Val::Str(Cow::Borrowed("tcp")))
        ));
        assert_eq!(p.to_port, Some(Val::Int(22)));
        assert_eq!(p.ip_ranges.unwrap()[0].cidr_ip, Some(Val::Object));
    }

    #[test]
    fn top_level_keys_are_sorted_into_known_and_unused() {
        let text =
            r#"{"Vpcs": [], "NextToken": "x", "DhcpOptions": [], "Vpcs": [{"VpcId": "vpc-1"}]}"#;
        let TopDoc::Object(doc) = serde_json::from_str::<TopDoc>(text).unwrap() else {
            panic!("not an object")
        };
        assert_eq!(
            doc.commands.get(&crate::model::Command::DescribeVpcs),
            Some(&1)
        );
        assert_eq!(doc.unused, vec!["DhcpOptions".to_owned()]);
        assert!(matches!(
            serde_json::from_str::<TopDoc>("[1, {}]").unwrap(),
            TopDoc::List
        ));
    }

    #[test]
    fn serde_messages_read_like_ours() {
        assert_eq!(
            clean_serde_message("invalid type: string \"x\", expected a sequence"),
            "expected a list, found string \"x\""
        );
    }
}
