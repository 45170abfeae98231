//! Fixes: least-privilege changes, as structured actions that render to exact AWS CLI commands and
//! can be applied to the model (so a test can check that applying every fix makes the path work).

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::model::{
    Gateway, Id, InstanceState, Inventory, NaclEntry, Origin, PortMatch, PrivateIp, Protocol,
    Route, RouteDest, RouteOrigin, RouteState, RouteTarget, RuleAction, SgPeer, SgRule,
    StatusSummary, Traffic,
};
use crate::net::Cidr;

/// One change to make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum FixAction {
    StartInstance {
        instance_id: String,
    },
    /// A failed instance status check: reboot (the OS or its network configuration is impaired).
    RebootInstance {
        instance_id: String,
    },
    /// A failed system status check: stop and start moves the instance to healthy hardware.
    StopStartInstance {
        instance_id: String,
    },
    /// Allocate a new Elastic IP and map it to this ENI's private address.
    AllocateAndAssociateEip {
        eni_id: String,
        private_ip: IpAddr,
    },
    /// Attach an existing detached IGW, or create one (`igw_id: None`) and attach it.
    AttachInternetGateway {
        igw_id: Option<String>,
        vpc_id: String,
    },
    /// Add (or, when `replace`, replace) a route to the VPC's internet gateway.
    RouteToInternetGateway {
        route_table_id: String,
        dest: Cidr,
        igw_id: String,
        replace: bool,
    },
    /// Create a table for the subnet with a route to the IGW, when none of its tables can be used.
    ExcludeFromBlockPublicAccess {
        subnet_id: String,
    },
    AddNaclEntry {
        network_acl_id: String,
        egress: bool,
        rule_number: u32,
        traffic: Traffic,
        cidr: Cidr,
    },
    AddSecurityGroupIngress {
        group_id: String,
        traffic: Traffic,
        cidr: Cidr,
    },
}

/// The fix for one layer: what to do, why, and the commands that do it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    pub summary: String,
    /// Exact AWS CLI commands with real ids, in order.
    pub commands: Vec<String>,
    pub actions: Vec<FixAction>,
    /// A caveat, e.g. "this opens the port to the whole internet; pass --source".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Fix {
    pub fn new(summary: impl Into<String>, actions: Vec<FixAction>) -> Fix {
        let commands = actions.iter().flat_map(FixAction::commands).collect();
        Fix {
            summary: summary.into(),
            commands,
            actions,
            note: None,
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Fix {
        self.note = Some(note.into());
        self
    }
}

fn cidr_flag(c: &Cidr, v4: &str, v6: &str) -> String {
    match c {
        Cidr::V4 { .. } => format!("{v4} {c}"),
        Cidr::V6 { .. } => format!("{v6} {c}"),
    }
}

/// `--ip-permissions` shorthand for one rule.
fn ip_permission(t: &Traffic, cidr: &Cidr) -> String {
    let proto = match t.protocol {
        Protocol::All => "-1".to_owned(),
        p => p.to_string(),
    };
    let (from, to) = match t.ports {
        PortMatch::Any => (None, None),
        PortMatch::Ports(r) => (Some(i32::from(r.from())), Some(i32::from(r.to()))),
        PortMatch::Icmp { icmp_type, code } => (
            Some(icmp_type.map_or(-1, i32::from)),
            Some(code.map_or(-1, i32::from)),
        ),
    };
    let ports = match (from, to) {
        (Some(f), Some(t)) => format!(",FromPort={f},ToPort={t}"),
        _ => String::new(),
    };
    let range = match cidr {
        Cidr::V4 { .. } => format!("IpRanges=[{{CidrIp={cidr}}}]"),
        Cidr::V6 { .. } => format!("Ipv6Ranges=[{{CidrIpv6={cidr}}}]"),
    };
    format!("IpProtocol={proto}{ports},{range}")
}

impl FixAction {
    /// The AWS CLI commands that carry out this action.
    pub fn commands(&self) -> Vec<String> {
        match self {
            FixAction::StartInstance { instance_id } => {
                vec![format!("aws ec2 start-instances --instance-ids {instance_id}")]
            }
            FixAction::RebootInstance { instance_id } => {
                vec![format!("aws ec2 reboot-instances --instance-ids {instance_id}")]
            }
            FixAction::StopStartInstance { instance_id } => vec![
                format!("aws ec2 stop-instances --instance-ids {instance_id}"),
                format!("aws ec2 wait instance-stopped --instance-ids {instance_id}"),
                format!("aws ec2 start-instances --instance-ids {instance_id}"),
            ],
            FixAction::AllocateAndAssociateEip { eni_id, private_ip } => vec![
                "ALLOC=$(aws ec2 allocate-address --domain vpc --query AllocationId --output text)".to_owned(),
                format!(
                    "aws ec2 associate-address --allocation-id \"$ALLOC\" --network-interface-id {eni_id} --private-ip-address {private_ip}"
                ),
            ],
            FixAction::AttachInternetGateway { igw_id: Some(igw), vpc_id } => {
                vec![format!(
                    "aws ec2 attach-internet-gateway --internet-gateway-id {igw} --vpc-id {vpc_id}"
                )]
            }
            FixAction::AttachInternetGateway { igw_id: None, vpc_id } => vec![
                "IGW=$(aws ec2 create-internet-gateway --query InternetGateway.InternetGatewayId --output text)"
                    .to_owned(),
                format!("aws ec2 attach-internet-gateway --internet-gateway-id \"$IGW\" --vpc-id {vpc_id}"),
            ],
            FixAction::RouteToInternetGateway {
                route_table_id,
                dest,
                igw_id,
                replace,
            } => {
                let verb = if *replace { "replace-route" } else { "create-route" };
                let dest = cidr_flag(dest, "--destination-cidr-block", "--destination-ipv6-cidr-block");
                vec![format!(
                    "aws ec2 {verb} --route-table-id {route_table_id} {dest} --gateway-id {igw_id}"
                )]
            }
            FixAction::ExcludeFromBlockPublicAccess { subnet_id } => vec![format!(
                "aws ec2 create-vpc-block-public-access-exclusion --subnet-id {subnet_id} --internet-gateway-exclusion-mode allow-bidirectional"
            )],
            FixAction::AddNaclEntry {
                network_acl_id,
                egress,
                rule_number,
                traffic,
                cidr,
            } => {
                let dir = if *egress { "--egress" } else { "--ingress" };
                let proto = traffic.protocol.number().map_or("-1".to_owned(), |n| n.to_string());
                let ports = match traffic.ports {
                    PortMatch::Any => String::new(),
                    PortMatch::Ports(r) => format!(" --port-range From={},To={}", r.from(), r.to()),
                    PortMatch::Icmp { icmp_type, code } => format!(
                        " --icmp-type-code Type={},Code={}",
                        icmp_type.map_or(-1, i32::from),
                        code.map_or(-1, i32::from)
                    ),
                };
                let block = cidr_flag(cidr, "--cidr-block", "--ipv6-cidr-block");
                vec![format!(
                    "aws ec2 create-network-acl-entry --network-acl-id {network_acl_id} {dir} --rule-number {rule_number} --protocol {proto}{ports} {block} --rule-action allow"
                )]
            }
            FixAction::AddSecurityGroupIngress { group_id, traffic, cidr } => vec![format!(
                "aws ec2 authorize-security-group-ingress --group-id {group_id} --ip-permissions '{}'",
                ip_permission(traffic, cidr)
            )],
        }
    }

    /// Applies the change to the model, as AWS would.
    pub fn apply(&self, inv: &mut Inventory) {
        let fix_origin = Origin {
            source: "fix".into(),
            path: String::new(),
        };
        match self {
            FixAction::StartInstance { instance_id } => {
                if let Some(i) = inv.instances.get_mut(instance_id.as_str()) {
                    i.state = InstanceState::Running;
                }
                if let Some(s) = inv.instance_status.get_mut(instance_id.as_str()) {
                    s.state = Some(InstanceState::Running);
                }
            }
            FixAction::RebootInstance { instance_id }
            | FixAction::StopStartInstance { instance_id } => {
                if let Some(s) = inv.instance_status.get_mut(instance_id.as_str()) {
                    let ok = StatusSummary {
                        status: Id::const_new("ok"),
                        details: vec![(Id::const_new("reachability"), Id::const_new("passed"))],
                    };
                    s.system = Some(ok.clone());
                    s.instance = Some(ok);
                }
            }
            FixAction::AllocateAndAssociateEip { eni_id, private_ip } => {
                // A documentation address stands in for the one AWS will allocate.
                let new_ip = fresh_public_ip(inv);
                if let Some(eni) = inv.enis.get_mut(eni_id.as_str()) {
                    match eni
                        .private_ips
                        .iter_mut()
                        .find(|p| p.address == *private_ip)
                    {
                        Some(p) => p.public_ip = Some(new_ip),
                        None => eni.private_ips.push(PrivateIp {
                            address: *private_ip,
                            primary: eni.private_ips.is_empty(),
                            public_ip: Some(new_ip),
                        }),
                    }
                    if let Some(inst) = eni
                        .instance_id
                        .clone()
                        .and_then(|id| inv.instances.get_mut(&id))
                    {
                        if inst.private_ip == Some(*private_ip) {
                            inst.public_ip = Some(new_ip);
                        }
                    }
                }
            }
            FixAction::AttachInternetGateway { igw_id, vpc_id } => {
                let id = Id::from(igw_id.as_deref().unwrap_or("igw-new"));
                let gw = inv
                    .internet_gateways
                    .entry(id.clone())
                    .or_insert_with(|| Gateway {
                        id,
                        attachments: Vec::new(),
                        origin: fix_origin.clone(),
                    });
                gw.attachments.retain(|(v, _)| v != vpc_id);
                gw.attachments
                    .push((Id::from(vpc_id.as_str()), Id::const_new("available")));
            }
            FixAction::RouteToInternetGateway {
                route_table_id,
                dest,
                igw_id,
                replace: _,
            } => {
                if let Some(rt) = inv.route_tables.get_mut(route_table_id.as_str()) {
                    rt.routes.retain(|r| r.dest != RouteDest::Cidr(*dest));
                    rt.routes.push(Route {
                        dest: RouteDest::Cidr(*dest),
                        target: RouteTarget::InternetGateway(Id::from(igw_id.as_str())),
                        state: RouteState::Active,
                        origin: RouteOrigin::CreateRoute,
                    });
                }
            }
            FixAction::ExcludeFromBlockPublicAccess { subnet_id } => {
                if let Some(s) = inv.subnets.get_mut(subnet_id.as_str()) {
                    s.bpa = Some(crate::model::BpaMode::Off);
                }
            }
            FixAction::AddNaclEntry {
                network_acl_id,
                egress,
                rule_number,
                traffic,
                cidr,
            } => {
                if let Some(acl) = inv.network_acls.get_mut(network_acl_id.as_str()) {
                    acl.entries.push(NaclEntry {
                        rule_number: *rule_number,
                        egress: *egress,
                        action: RuleAction::Allow,
                        cidr: *cidr,
                        traffic: *traffic,
                    });
                }
            }
            FixAction::AddSecurityGroupIngress {
                group_id,
                traffic,
                cidr,
            } => {
                if let Some(sg) = inv.security_groups.get_mut(group_id.as_str()) {
                    let position = sg.ingress.iter().map(|r| r.position).max().unwrap_or(0) + 1;
                    sg.ingress.push(SgRule {
                        traffic: *traffic,
                        peer: SgPeer::Cidr(*cidr),
                        description: Some(Id::from("added by vpc-reach fix")),
                        rule_id: None,
                        position,
                    });
                }
            }
        }
    }
}

/// An unused public address from 198.18.0.0/15 to stand for a newly allocated Elastic IP.
fn fresh_public_ip(inv: &Inventory) -> IpAddr {
    let used: std::collections::BTreeSet<IpAddr> = inv
        .enis
        .values()
        .flat_map(|e| e.private_ips.iter().filter_map(|p| p.public_ip))
        .chain(inv.addresses.keys().copied())
        .collect();
    (0u32..)
        .map(|n| IpAddr::V4(std::net::Ipv4Addr::from(0xC612_0001u32.wrapping_add(n))))
        .find(|ip| !used.contains(ip))
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::new(198, 18, 0, 1)))
}
