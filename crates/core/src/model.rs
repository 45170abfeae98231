//! The validated model the evaluator works on.
//!
//! The ingest layer turns raw describe-* JSON into these types; the evaluator never sees raw JSON.
//! Illegal states are not representable: prefixes have their host bits cleared, port ranges are
//! ordered, protocols are an enum. Every entity carries its [`Origin`] so a decision can name the
//! file and JSON path it came from.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::net::{Cidr, Family, PortRange};

/// An AWS id (`i-…`, `eni-…`, `subnet-…`) or another short string of the model (a state, a `Name`
/// tag). Up to 24 bytes are stored inline, which every AWS id fits, so reading an account of
/// thousands of instances allocates nothing for its ids, and comparing or hashing one reads no
/// other memory. It derefs to `str` and serializes as a string. Copy one into a `String` with
/// `as_str().to_owned()`: `to_string()` goes through the formatter.
pub type Id = compact_str::CompactString;

/// Where an entity came from: the input's name (file name, `stdin#2`, `paste`) and its JSON path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub struct Origin {
    pub source: Arc<str>,
    pub path: String,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.source, self.path)
    }
}

/// The AWS CLI commands whose output we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Command {
    DescribeInstances,
    DescribeNetworkInterfaces,
    DescribeSecurityGroups,
    DescribeSecurityGroupRules,
    DescribeNetworkAcls,
    DescribeRouteTables,
    DescribeInternetGateways,
    DescribeEgressOnlyInternetGateways,
    DescribeSubnets,
    DescribeVpcs,
    DescribeAddresses,
    DescribeInstanceStatus,
    DescribeManagedPrefixLists,
    GetManagedPrefixListEntries,
    DescribePrefixLists,
    DescribeNatGateways,
    DescribeFlowLogs,
    DescribeVpcBlockPublicAccessOptions,
}

impl Command {
    /// The subcommand name, e.g. `describe-route-tables`.
    pub fn name(self) -> &'static str {
        match self {
            Command::DescribeInstances => "describe-instances",
            Command::DescribeNetworkInterfaces => "describe-network-interfaces",
            Command::DescribeSecurityGroups => "describe-security-groups",
            Command::DescribeSecurityGroupRules => "describe-security-group-rules",
            Command::DescribeNetworkAcls => "describe-network-acls",
            Command::DescribeRouteTables => "describe-route-tables",
            Command::DescribeInternetGateways => "describe-internet-gateways",
            Command::DescribeEgressOnlyInternetGateways => "describe-egress-only-internet-gateways",
            Command::DescribeSubnets => "describe-subnets",
            Command::DescribeVpcs => "describe-vpcs",
            Command::DescribeAddresses => "describe-addresses",
            Command::DescribeInstanceStatus => "describe-instance-status",
            Command::DescribeManagedPrefixLists => "describe-managed-prefix-lists",
            Command::GetManagedPrefixListEntries => "get-managed-prefix-list-entries",
            Command::DescribePrefixLists => "describe-prefix-lists",
            Command::DescribeNatGateways => "describe-nat-gateways",
            Command::DescribeFlowLogs => "describe-flow-logs",
            Command::DescribeVpcBlockPublicAccessOptions => {
                "describe-vpc-block-public-access-options"
            }
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "aws ec2 {}", self.name())
    }
}

/// Everything the user gave us, merged across files and documents. Maps are keyed by AWS id, so
/// iteration order (and therefore every report) is deterministic.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub instances: BTreeMap<Id, Instance>,
    pub enis: BTreeMap<Id, Eni>,
    pub security_groups: BTreeMap<Id, SecurityGroup>,
    pub network_acls: BTreeMap<Id, NetworkAcl>,
    pub route_tables: BTreeMap<Id, RouteTable>,
    pub internet_gateways: BTreeMap<Id, Gateway>,
    pub egress_only_gateways: BTreeMap<Id, Gateway>,
    pub subnets: BTreeMap<Id, Subnet>,
    pub vpcs: BTreeMap<Id, Vpc>,
    /// Elastic IPs, keyed by public IP.
    pub addresses: BTreeMap<IpAddr, ElasticIp>,
    /// Keyed by instance id.
    pub instance_status: BTreeMap<Id, InstanceStatus>,
    pub prefix_lists: BTreeMap<Id, PrefixList>,
    pub nat_gateways: BTreeMap<Id, NatGateway>,
    pub flow_logs: Vec<FlowLogConfig>,
    /// Account-wide VPC Block Public Access mode from `describe-vpc-block-public-access-options`.
    pub bpa_account: Option<BpaMode>,
    /// Which commands' output was given at all (an empty array counts: it says "there are none").
    pub provided: BTreeSet<Command>,
}

/// EC2 instance state, from `State.Code` (low byte) or `State.Name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InstanceState {
    Pending,
    Running,
    ShuttingDown,
    Terminated,
    Stopping,
    Stopped,
    Unknown(Id),
}

impl InstanceState {
    /// From the 16-bit `State.Code`: only the low byte is meaningful.
    pub fn from_code(code: i64) -> InstanceState {
        match code & 0xff {
            0 => InstanceState::Pending,
            16 => InstanceState::Running,
            32 => InstanceState::ShuttingDown,
            48 => InstanceState::Terminated,
            64 => InstanceState::Stopping,
            80 => InstanceState::Stopped,
            other => InstanceState::Unknown(Id::from(other.to_string())),
        }
    }

    pub fn from_name(name: &str) -> InstanceState {
        match name {
            "pending" => InstanceState::Pending,
            "running" => InstanceState::Running,
            "shutting-down" => InstanceState::ShuttingDown,
            "terminated" => InstanceState::Terminated,
            "stopping" => InstanceState::Stopping,
            "stopped" => InstanceState::Stopped,
            other => InstanceState::Unknown(Id::from(other)),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            InstanceState::Pending => "pending",
            InstanceState::Running => "running",
            InstanceState::ShuttingDown => "shutting-down",
            InstanceState::Terminated => "terminated",
            InstanceState::Stopping => "stopping",
            InstanceState::Stopped => "stopped",
            InstanceState::Unknown(s) => s,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub id: Id,
    /// The `Name` tag.
    pub name: Option<Id>,
    pub state: InstanceState,
    pub vpc_id: Option<Id>,
    pub subnet_id: Option<Id>,
    pub private_ip: Option<IpAddr>,
    pub public_ip: Option<IpAddr>,
    /// ENI ids attached to the instance, in device-index order. The ENIs themselves are in
    /// [`Inventory::enis`] (merged from describe-instances and describe-network-interfaces).
    pub eni_ids: Vec<Id>,
    /// `SecurityGroups[].GroupId` at the instance level (a fallback when no ENI data exists).
    pub security_groups: Vec<Id>,
    /// `Platform` (`windows`) or `PlatformDetails`, to pick the right OS hints.
    pub platform: Option<Id>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PrivateIp {
    pub address: IpAddr,
    pub primary: bool,
    /// `Association.PublicIp`: the public IPv4 mapped 1:1 to this private address.
    pub public_ip: Option<IpAddr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Eni {
    pub id: Id,
    pub vpc_id: Option<Id>,
    pub subnet_id: Option<Id>,
    pub instance_id: Option<Id>,
    pub device_index: Option<u32>,
    /// `Attachment.Status` (`attached`, `detaching`, …).
    pub attachment_status: Option<Id>,
    pub groups: Vec<Id>,
    pub private_ips: Vec<PrivateIp>,
    pub ipv6_addresses: Vec<IpAddr>,
    pub source_dest_check: Option<bool>,
    /// `InterfaceType` (`interface`, `nat_gateway`, `efa`, …).
    pub interface_type: Option<Id>,
    pub description: Option<Id>,
    pub origin: Origin,
}

/// The protocol a rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// `-1`: every protocol, every port.
    All,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    /// Any other IP protocol number; such rules match all ports.
    Other(u8),
}

impl Protocol {
    /// From an SG `IpProtocol` (name or number) or a NACL `Protocol` (number as a string).
    pub fn parse(s: &str) -> Option<Protocol> {
        match s.trim().to_ascii_lowercase().as_str() {
            "-1" | "all" => Some(Protocol::All),
            "tcp" | "6" => Some(Protocol::Tcp),
            "udp" | "17" => Some(Protocol::Udp),
            "icmp" | "1" => Some(Protocol::Icmp),
            "icmpv6" | "58" => Some(Protocol::Icmpv6),
            other => other.parse::<u8>().ok().map(Protocol::Other),
        }
    }

    /// The IP protocol number (`None` for all).
    pub fn number(self) -> Option<u8> {
        match self {
            Protocol::All => None,
            Protocol::Tcp => Some(6),
            Protocol::Udp => Some(17),
            Protocol::Icmp => Some(1),
            Protocol::Icmpv6 => Some(58),
            Protocol::Other(n) => Some(n),
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Protocol::All => f.write_str("all"),
            Protocol::Tcp => f.write_str("tcp"),
            Protocol::Udp => f.write_str("udp"),
            Protocol::Icmp => f.write_str("icmp"),
            Protocol::Icmpv6 => f.write_str("icmpv6"),
            Protocol::Other(n) => write!(f, "proto {n}"),
        }
    }
}

/// What part of a protocol's space a rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PortMatch {
    /// Every port / every ICMP type (protocol `-1`, non-TCP/UDP/ICMP protocols, `-1` ranges).
    Any,
    /// TCP/UDP destination ports.
    Ports(PortRange),
    /// ICMP type and code; `None` = all.
    Icmp {
        icmp_type: Option<u8>,
        code: Option<u8>,
    },
}

/// A protocol plus the part of it a rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Traffic {
    pub protocol: Protocol,
    pub ports: PortMatch,
}

impl fmt::Display for Traffic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.protocol, self.ports) {
            (Protocol::All, _) => f.write_str("all traffic"),
            (p, PortMatch::Any) => write!(f, "{p} all"),
            (p, PortMatch::Ports(r)) => write!(f, "{p} {r}"),
            (p, PortMatch::Icmp { icmp_type, code }) => match (icmp_type, code) {
                (None, _) => write!(f, "{p} all types"),
                (Some(t), None) => write!(f, "{p} type {t}"),
                (Some(t), Some(c)) => write!(f, "{p} type {t} code {c}"),
            },
        }
    }
}

/// The other end of a security group rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SgPeer {
    Cidr(Cidr),
    PrefixList(Id),
    /// Another security group: admits only the private IPs of its members, never the internet.
    Group {
        group_id: Id,
        user_id: Option<Id>,
    },
}

impl fmt::Display for SgPeer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SgPeer::Cidr(c) => write!(f, "{c}"),
            SgPeer::PrefixList(p) => write!(f, "prefix list {p}"),
            SgPeer::Group { group_id, .. } => write!(f, "security group {group_id}"),
        }
    }
}

/// One security group rule with one peer (an `IpPermission` with several ranges becomes several).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SgRule {
    pub traffic: Traffic,
    pub peer: SgPeer,
    pub description: Option<Id>,
    /// `sgr-…` when the input came from describe-security-group-rules.
    pub rule_id: Option<Id>,
    /// 1-based position of the `IpPermission` in the group's list, for "rule 2" in messages.
    pub position: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SecurityGroup {
    pub id: Id,
    pub name: Option<Id>,
    pub vpc_id: Option<Id>,
    pub ingress: Vec<SgRule>,
    pub egress: Vec<SgRule>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleAction {
    Allow,
    Deny,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NaclEntry {
    /// 1–32766; the catch-all `*` rule is listed by AWS as 32767 (IPv4) / 32768 (IPv6).
    pub rule_number: u32,
    pub egress: bool,
    pub action: RuleAction,
    pub cidr: Cidr,
    pub traffic: Traffic,
}

impl NaclEntry {
    /// `*` for the catch-all, else the number.
    pub fn label(&self) -> String {
        if self.rule_number >= 32767 {
            "*".to_owned()
        } else {
            self.rule_number.to_string()
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NetworkAcl {
    pub id: Id,
    pub vpc_id: Option<Id>,
    pub is_default: bool,
    pub subnet_ids: Vec<Id>,
    /// As listed; the evaluator sorts by rule number.
    pub entries: Vec<NaclEntry>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteDest {
    Cidr(Cidr),
    PrefixList(Id),
}

impl fmt::Display for RouteDest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteDest::Cidr(c) => write!(f, "{c}"),
            RouteDest::PrefixList(p) => f.write_str(p),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum RouteTarget {
    Local,
    InternetGateway(Id),
    EgressOnlyInternetGateway(Id),
    NatGateway(Id),
    Instance(Id),
    NetworkInterface(Id),
    VpcPeering(Id),
    TransitGateway(Id),
    VirtualPrivateGateway(Id),
    VpcEndpoint(Id),
    CarrierGateway(Id),
    LocalGateway(Id),
    CoreNetwork(Id),
    Other(Id),
}

impl RouteTarget {
    /// From a `GatewayId` value, which holds `local`, `igw-…`, `vgw-…` or `vpce-…`.
    pub fn from_gateway_id(id: &str) -> RouteTarget {
        if id == "local" {
            RouteTarget::Local
        } else if id.starts_with("igw-") {
            RouteTarget::InternetGateway(Id::from(id))
        } else if id.starts_with("vgw-") {
            RouteTarget::VirtualPrivateGateway(Id::from(id))
        } else if id.starts_with("vpce-") {
            RouteTarget::VpcEndpoint(Id::from(id))
        } else if id.starts_with("eigw-") {
            RouteTarget::EgressOnlyInternetGateway(Id::from(id))
        } else {
            RouteTarget::Other(Id::from(id))
        }
    }
}

impl fmt::Display for RouteTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteTarget::Local => f.write_str("local"),
            RouteTarget::InternetGateway(s)
            | RouteTarget::EgressOnlyInternetGateway(s)
            | RouteTarget::NatGateway(s)
            | RouteTarget::Instance(s)
            | RouteTarget::NetworkInterface(s)
            | RouteTarget::VpcPeering(s)
            | RouteTarget::TransitGateway(s)
            | RouteTarget::VirtualPrivateGateway(s)
            | RouteTarget::VpcEndpoint(s)
            | RouteTarget::CarrierGateway(s)
            | RouteTarget::LocalGateway(s)
            | RouteTarget::CoreNetwork(s)
            | RouteTarget::Other(s) => f.write_str(s),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RouteState {
    Active,
    Blackhole,
}

/// `Origin` of a route: static routes beat propagated ones on ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteOrigin {
    CreateRouteTable,
    CreateRoute,
    Propagated,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Route {
    pub dest: RouteDest,
    pub target: RouteTarget,
    pub state: RouteState,
    pub origin: RouteOrigin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RouteTable {
    pub id: Id,
    pub vpc_id: Option<Id>,
    /// Has an association with `Main: true`.
    pub main: bool,
    /// Subnets explicitly associated.
    pub subnet_ids: Vec<Id>,
    pub routes: Vec<Route>,
    pub origin: Origin,
}

/// An internet gateway or egress-only internet gateway.
#[derive(Debug, Clone, PartialEq)]
pub struct Gateway {
    pub id: Id,
    /// `(VpcId, State)`. For an IGW, an attached gateway reports `available`.
    pub attachments: Vec<(Id, Id)>,
    pub origin: Origin,
}

impl Gateway {
    /// True when attached to `vpc` (state `available` or `attached`).
    pub fn attached_to(&self, vpc: &str) -> bool {
        self.attachments
            .iter()
            .any(|(v, s)| v == vpc && (s == "available" || s == "attached"))
    }
}

/// VPC Block Public Access mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BpaMode {
    Off,
    BlockBidirectional,
    BlockIngress,
}

impl BpaMode {
    /// Accepts both the current (`block-ingress`) and the early (`ingress-access-blocked`) names.
    pub fn parse(s: &str) -> Option<BpaMode> {
        match s {
            "off" | "bidirectional-access-allowed" => Some(BpaMode::Off),
            "block-bidirectional" | "bidirectional-access-blocked" => {
                Some(BpaMode::BlockBidirectional)
            }
            "block-ingress" | "ingress-access-blocked" => Some(BpaMode::BlockIngress),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BpaMode::Off => "off",
            BpaMode::BlockBidirectional => "block-bidirectional",
            BpaMode::BlockIngress => "block-ingress",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Subnet {
    pub id: Id,
    pub vpc_id: Option<Id>,
    pub cidr: Option<Cidr>,
    pub ipv6_cidrs: Vec<Cidr>,
    pub map_public_ip_on_launch: bool,
    /// `BlockPublicAccessStates.InternetGatewayBlockMode`, the effective mode for this subnet.
    pub bpa: Option<BpaMode>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Vpc {
    pub id: Id,
    pub cidrs: Vec<Cidr>,
    pub ipv6_cidrs: Vec<Cidr>,
    pub is_default: bool,
    /// `BlockPublicAccessStates.InternetGatewayBlockMode`, the effective mode for this VPC.
    pub bpa: Option<BpaMode>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ElasticIp {
    pub public_ip: IpAddr,
    pub allocation_id: Option<Id>,
    pub association_id: Option<Id>,
    pub instance_id: Option<Id>,
    pub eni_id: Option<Id>,
    pub private_ip: Option<IpAddr>,
    pub origin: Origin,
}

/// One of the two status checks (`SystemStatus`, `InstanceStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusSummary {
    /// `ok`, `impaired`, `insufficient-data`, `not-applicable`, `initializing`.
    pub status: Id,
    /// `(Name, Status)`, e.g. `("reachability", "failed")`.
    pub details: Vec<(Id, Id)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InstanceStatus {
    pub instance_id: Id,
    pub state: Option<InstanceState>,
    pub system: Option<StatusSummary>,
    pub instance: Option<StatusSummary>,
    /// Scheduled events: `(Code, Description)`.
    pub events: Vec<(Id, Id)>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PrefixList {
    pub id: Id,
    pub name: Option<Id>,
    pub family: Option<Family>,
    pub max_entries: Option<u32>,
    /// `None` until entries are given (describe-prefix-lists `Cidrs`, or
    /// get-managed-prefix-list-entries tied to this id).
    pub entries: Option<Vec<Cidr>>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NatGateway {
    pub id: Id,
    pub vpc_id: Option<Id>,
    pub subnet_id: Option<Id>,
    pub state: Option<Id>,
    pub public_ips: Vec<IpAddr>,
    pub origin: Origin,
}

/// A flow log subscription from describe-flow-logs.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowLogConfig {
    pub id: Id,
    /// `vpc-…`, `subnet-…` or `eni-…`.
    pub resource_id: Id,
    /// `ACCEPT`, `REJECT` or `ALL`.
    pub traffic_type: Option<Id>,
    pub log_format: Option<Id>,
    pub status: Option<Id>,
    pub destination: Option<Id>,
    pub origin: Origin,
}

impl Inventory {
    /// The instance whose id, `Name` tag or ENI id is `key`.
    pub fn find_instance(&self, key: &str) -> Option<&Instance> {
        if let Some(i) = self.instances.get(key) {
            return Some(i);
        }
        if let Some(eni) = self.enis.get(key) {
            if let Some(i) = eni
                .instance_id
                .as_deref()
                .and_then(|id| self.instances.get(id))
            {
                return Some(i);
            }
        }
        self.instances
            .values()
            .find(|i| i.name.as_deref() == Some(key))
    }

    /// The ENIs of an instance: those it lists, plus any ENI whose attachment names it.
    pub fn enis_of(&self, instance_id: &str) -> Vec<&Eni> {
        let mut out: Vec<&Eni> = Vec::new();
        if let Some(inst) = self.instances.get(instance_id) {
            out.extend(inst.eni_ids.iter().filter_map(|id| self.enis.get(id)));
        }
        for eni in self.enis.values() {
            if eni.instance_id.as_deref() == Some(instance_id)
                && !out.iter().any(|e| e.id == eni.id)
            {
                out.push(eni);
            }
        }
        sort_enis(&mut out);
        out
    }

    /// Every instance's ENIs, as [`Inventory::enis_of`] lists them, in one pass over the ENIs: for
    /// listing every instance (calling `enis_of` for each would be quadratic in big accounts).
    pub fn enis_by_instance(&self) -> BTreeMap<&str, Vec<&Eni>> {
        let mut map: BTreeMap<&str, Vec<&Eni>> = self
            .instances
            .values()
            .map(|i| {
                let listed = i.eni_ids.iter().filter_map(|id| self.enis.get(id));
                (i.id.as_str(), listed.collect())
            })
            .collect();
        for eni in self.enis.values() {
            let Some(list) = eni.instance_id.as_deref().and_then(|id| map.get_mut(id)) else {
                continue;
            };
            if !list.iter().any(|e| e.id == eni.id) {
                list.push(eni);
            }
        }
        map.values_mut().for_each(|list| sort_enis(list));
        map
    }

    /// The route table a subnet uses: its explicit association, else its VPC's main table.
    /// The flag says whether the association is implicit (main table).
    pub fn route_table_for_subnet(
        &self,
        subnet_id: &str,
        vpc_id: Option<&str>,
    ) -> Option<(&RouteTable, bool)> {
        if let Some(rt) = self
            .route_tables
            .values()
            .find(|rt| rt.subnet_ids.iter().any(|s| s == subnet_id))
        {
            return Some((rt, false));
        }
        let vpc = vpc_id?;
        self.route_tables
            .values()
            .find(|rt| rt.main && rt.vpc_id.as_deref() == Some(vpc))
            .map(|rt| (rt, true))
    }

    /// The network ACL a subnet uses: its explicit association, else its VPC's default NACL.
    pub fn network_acl_for_subnet(
        &self,
        subnet_id: &str,
        vpc_id: Option<&str>,
    ) -> Option<(&NetworkAcl, bool)> {
        if let Some(acl) = self
            .network_acls
            .values()
            .find(|a| a.subnet_ids.iter().any(|s| s == subnet_id))
        {
            return Some((acl, false));
        }
        let vpc = vpc_id?;
        self.network_acls
            .values()
            .find(|a| a.is_default && a.vpc_id.as_deref() == Some(vpc))
            .map(|a| (a, true))
    }
}

/// An instance's ENIs in attachment order: device index, then id.
fn sort_enis(enis: &mut [&Eni]) {
    enis.sort_by(|a, b| {
        let key = |e: &Eni| e.device_index.unwrap_or(u32::MAX);
        key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
    });
}
