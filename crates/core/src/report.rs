//! The question and the answer: [`Query`] in, [`Report`] / [`ExposureReport`] out.
//!
//! These types are the JSON contract of `vpc-reach check --format json` (field names are stable) and
//! what the web app renders.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::fix::Fix;
use crate::model::Origin;
use crate::net::{Cidr, PortRange};

/// The protocol asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "protocol")]
pub enum QueryProtocol {
    Tcp {
        port: u16,
    },
    Udp {
        port: u16,
    },
    /// ICMP (ICMPv6 for an IPv6 target) with a type and optional code; echo request is type 8.
    Icmp {
        icmp_type: u8,
        code: Option<u8>,
    },
    /// Any IP protocol: only rules that allow all traffic (`-1`) admit it.
    All,
}

impl fmt::Display for QueryProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryProtocol::Tcp { port } => write!(f, "tcp/{port}"),
            QueryProtocol::Udp { port } => write!(f, "udp/{port}"),
            QueryProtocol::Icmp {
                icmp_type,
                code: None,
            } => write!(f, "icmp type {icmp_type}"),
            QueryProtocol::Icmp {
                icmp_type,
                code: Some(c),
            } => write!(f, "icmp type {icmp_type} code {c}"),
            QueryProtocol::All => f.write_str("all traffic"),
        }
    }
}

/// "Can `source` reach `target` on `protocol` from the internet?"
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    /// Instance id, ENI id, or `Name` tag.
    pub target: String,
    #[serde(flatten)]
    pub protocol: QueryProtocol,
    /// Client address or block; `None` = the whole internet of the target address's family.
    pub source: Option<Cidr>,
    /// Which public address of the target (IPv4 public/Elastic IP or IPv6); `None` = the primary
    /// ENI's primary public IPv4, else its first IPv6 address.
    pub address: Option<IpAddr>,
}

/// The layers a packet meets, in order; then the evidence-based layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    InstanceState,
    StatusChecks,
    PublicIp,
    InternetGateway,
    BlockPublicAccess,
    RouteTable,
    NetworkAclInbound,
    SecurityGroup,
    NetworkAclOutbound,
    FlowLogs,
    OsRoute,
    OsFirewall,
    Listening,
}

impl Layer {
    pub const PATH: [Layer; 9] = [
        Layer::InstanceState,
        Layer::StatusChecks,
        Layer::PublicIp,
        Layer::InternetGateway,
        Layer::BlockPublicAccess,
        Layer::RouteTable,
        Layer::NetworkAclInbound,
        Layer::SecurityGroup,
        Layer::NetworkAclOutbound,
    ];

    /// The snake_case name used in JSON and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Layer::InstanceState => "instance_state",
            Layer::StatusChecks => "status_checks",
            Layer::PublicIp => "public_ip",
            Layer::InternetGateway => "internet_gateway",
            Layer::BlockPublicAccess => "block_public_access",
            Layer::RouteTable => "route_table",
            Layer::NetworkAclInbound => "network_acl_inbound",
            Layer::SecurityGroup => "security_group",
            Layer::NetworkAclOutbound => "network_acl_outbound",
            Layer::FlowLogs => "flow_logs",
            Layer::OsRoute => "os_route",
            Layer::OsFirewall => "os_firewall",
            Layer::Listening => "listening",
        }
    }

    /// A human title.
    pub fn title(self) -> &'static str {
        match self {
            Layer::InstanceState => "Instance state",
            Layer::StatusChecks => "Status checks",
            Layer::PublicIp => "Public address",
            Layer::InternetGateway => "Internet gateway",
            Layer::BlockPublicAccess => "VPC Block Public Access",
            Layer::RouteTable => "Route table (return path)",
            Layer::NetworkAclInbound => "Network ACL inbound",
            Layer::SecurityGroup => "Security groups",
            Layer::NetworkAclOutbound => "Network ACL outbound (replies)",
            Layer::FlowLogs => "VPC flow logs",
            Layer::OsRoute => "Instance routes",
            Layer::OsFirewall => "Instance firewall",
            Layer::Listening => "Listening socket",
        }
    }

    pub fn parse(s: &str) -> Option<Layer> {
        Layer::PATH
            .iter()
            .chain(
                [
                    Layer::FlowLogs,
                    Layer::OsRoute,
                    Layer::OsFirewall,
                    Layer::Listening,
                ]
                .iter(),
            )
            .copied()
            .find(|l| l.name() == s)
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    /// Passes only part of the queried sources or client ports, or passes with a caveat.
    Warn,
    Fail,
    /// Data missing: the summary names the command to run.
    Unknown,
    NotApplicable,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::NotApplicable => "not_applicable",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Reachable,
    Partial,
    Blocked,
    Unknown,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Reachable => "reachable",
            Verdict::Partial => "partial",
            Verdict::Blocked => "blocked",
            Verdict::Unknown => "unknown",
        }
    }

    /// `vpc-reach check` exit status.
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Reachable => 0,
            Verdict::Blocked => 1,
            Verdict::Partial => 3,
            Verdict::Unknown => 4,
        }
    }
}

/// One fact behind a layer's status: the object and rule that decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The AWS id (`sg-…`, `acl-…`, `rtb-…`) or evidence file the fact is about.
    pub object: String,
    /// The rule or route in the user's terms, e.g. `rule 100 allow tcp 22 from 0.0.0.0/0 (inbound)`.
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// One layer's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub layer: Layer,
    pub status: Status,
    pub summary: String,
    pub evidence: Vec<Evidence>,
    /// The fix for a `fail` (or a `warn` that can be widened); `None` when nothing to do.
    pub fix: Option<Fix>,
}

/// The common client operating systems' ephemeral port ranges, which replies must reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientFamily {
    /// Linux 32768–60999.
    Linux,
    /// Windows Vista/Server 2008 and later, and macOS: 49152–65535.
    WindowsMacos,
    /// NAT gateways, load balancers, Lambda: 1024–65535.
    NatGateway,
}

impl ClientFamily {
    pub const ALL: [ClientFamily; 3] = [
        ClientFamily::Linux,
        ClientFamily::WindowsMacos,
        ClientFamily::NatGateway,
    ];

    pub fn ports(self) -> PortRange {
        match self {
            ClientFamily::Linux => PortRange::new(32768, 60999).unwrap_or(PortRange::ALL),
            ClientFamily::WindowsMacos => PortRange::new(49152, 65535).unwrap_or(PortRange::ALL),
            ClientFamily::NatGateway => PortRange::new(1024, 65535).unwrap_or(PortRange::ALL),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ClientFamily::Linux => "Linux clients (32768-60999)",
            ClientFamily::WindowsMacos => "Windows/macOS clients (49152-65535)",
            ClientFamily::NatGateway => "clients behind NAT gateways / load balancers (1024-65535)",
        }
    }
}

/// A block of sources that passes every layer but only for some clients' ephemeral ports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartialReach {
    pub cidrs: Vec<Cidr>,
    /// The client families whose whole ephemeral range gets replies.
    pub client_families: Vec<ClientFamily>,
    /// The exact client ports whose replies pass.
    pub client_ports: Vec<PortRange>,
}

/// The instance and address the report is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Target {
    pub instance_id: Option<String>,
    pub name: Option<String>,
    pub eni_id: Option<String>,
    /// The public address checked.
    pub address: Option<IpAddr>,
    /// The private address it maps to (for IPv6, the address itself).
    pub private_address: Option<IpAddr>,
    /// The instance's other public addresses (pass one with `--address`).
    pub other_addresses: Vec<IpAddr>,
}

/// The answer to one [`Query`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub verdict: Verdict,
    pub query: Query,
    pub target: Target,
    /// The sources queried (the internet of the family, or `--source`), as CIDRs.
    pub sources: Vec<Cidr>,
    /// Names of every layer whose status is `fail`.
    pub blocking: Vec<Layer>,
    pub checks: Vec<Check>,
    /// Sources that can connect whatever their client OS (every common ephemeral range gets replies).
    pub reachable_from: Vec<Cidr>,
    /// Sources that pass only for some client families.
    pub partially_reachable_from: Vec<PartialReach>,
    /// Assumptions stated in plain words (ephemeral ports, missing data).
    pub assumptions: Vec<String>,
    pub warnings: Vec<String>,
}

/// One protocol/port range open to the internet on an exposed address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenService {
    pub protocol: String,
    /// `None` for protocols without ports (all traffic, ICMP types are in `protocol`).
    pub ports: Option<PortRange>,
    /// Shared between the services whose sources are the same set (in JSON, a plain list).
    pub sources: Arc<[Cidr]>,
    /// True when open to the whole internet of the family.
    pub open_to_all: bool,
    /// Why this exposure is risky (`SSH open to the internet`), if it is.
    pub risk: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exposure {
    pub instance_id: Option<String>,
    pub name: Option<String>,
    pub eni_id: String,
    pub address: IpAddr,
    pub private_address: Option<IpAddr>,
    pub state: Option<String>,
    pub open: Vec<OpenService>,
    /// Layers that could not be evaluated (missing data), so `open` may be incomplete.
    pub unknown: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExposureReport {
    pub exposures: Vec<Exposure>,
    pub warnings: Vec<String>,
}
