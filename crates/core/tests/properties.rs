//! Two implementations, one answer: the exact set engine against a deliberately naive per-packet
//! reference evaluator, on random configurations; and the fix round trip (applying every suggested
//! fix makes the path work).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};

use proptest::prelude::*;
use vpc_reach_core::fix::FixAction;
use vpc_reach_core::model::*;
use vpc_reach_core::net::{Cidr, PortRange};
use vpc_reach_core::report::{ClientFamily, Query, QueryProtocol, Status, Verdict};

const VPC: &str = "vpc-1";
const SUBNET: &str = "subnet-1";
const ENI: &str = "eni-1";
const INSTANCE: &str = "i-1";
const IGW: &str = "igw-1";
const PRIVATE: [u8; 4] = [10, 0, 1, 10];
const PUBLIC: [u8; 4] = [54, 1, 2, 3];

/// Blocks the random rules draw from: overlapping, nested, adjacent, private and public.
const POOL: &[&str] = &[
    "0.0.0.0/0",
    "0.0.0.0/1",
    "128.0.0.0/1",
    "203.0.113.0/24",
    "203.0.113.0/25",
    "203.0.113.128/25",
    "203.0.113.7/32",
    "198.51.100.0/24",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "8.8.8.0/24",
];

fn pool_cidr() -> impl Strategy<Value = Cidr> {
    prop::sample::select(POOL).prop_map(|s| Cidr::parse(s).unwrap())
}

fn port_match() -> impl Strategy<Value = Traffic> {
    let ports = prop_oneof![
        Just((22u16, 22u16)),
        Just((80, 80)),
        Just((0, 65535)),
        Just((1024, 65535)),
        Just((32768, 60999)),
        Just((49152, 65535)),
        Just((1024, 5000)),
        Just((20, 25)),
        (0u16..=65535, 0u16..=65535).prop_map(|(a, b)| (a.min(b), a.max(b))),
    ];
    prop_oneof![
        4 => (prop_oneof![Just(Protocol::Tcp), Just(Protocol::Udp)], ports).prop_map(|(p, (a, b))| Traffic {
            protocol: p,
            ports: PortMatch::Ports(PortRange::new(a, b).unwrap()),
        }),
        1 => Just(Traffic { protocol: Protocol::All, ports: PortMatch::Any }),
        1 => prop_oneof![Just(None), Just(Some(0u8)), Just(Some(8u8))].prop_map(|t| Traffic {
            protocol: Protocol::Icmp,
            ports: PortMatch::Icmp { icmp_type: t, code: None },
        }),
    ]
}

fn nacl_entry(egress: bool) -> impl Strategy<Value = NaclEntry> {
    (1u32..=200, any::<bool>(), pool_cidr(), port_match()).prop_map(
        move |(n, allow, cidr, traffic)| NaclEntry {
            rule_number: n * 10,
            egress,
            action: if allow {
                RuleAction::Allow
            } else {
                RuleAction::Deny
            },
            cidr,
            traffic,
        },
    )
}

fn sg_rule() -> impl Strategy<Value = SgRule> {
    let peer = prop_oneof![
        5 => pool_cidr().prop_map(SgPeer::Cidr),
        1 => Just(SgPeer::PrefixList("pl-1".into())),
        1 => Just(SgPeer::Group { group_id: "sg-2".into(), user_id: None }),
    ];
    (port_match(), peer).prop_map(|(traffic, peer)| SgRule {
        traffic,
        peer,
        description: None,
        rule_id: None,
        position: 0,
    })
}

fn route() -> impl Strategy<Value = Route> {
    let target = prop_oneof![
        4 => Just(RouteTarget::InternetGateway(IGW.into())),
        1 => Just(RouteTarget::InternetGateway("igw-other".into())),
        1 => Just(RouteTarget::NatGateway("nat-1".into())),
        1 => Just(RouteTarget::VpcPeering("pcx-1".into())),
        1 => Just(RouteTarget::EgressOnlyInternetGateway("eigw-1".into())),
    ];
    (
        pool_cidr(),
        target,
        prop::bool::weighted(0.15),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(c, target, blackhole, propagated)| Route {
            dest: RouteDest::Cidr(c),
            target,
            state: if blackhole {
                RouteState::Blackhole
            } else {
                RouteState::Active
            },
            origin: if propagated {
                RouteOrigin::Propagated
            } else {
                RouteOrigin::CreateRoute
            },
        })
}

#[derive(Debug, Clone)]
struct Config {
    running: bool,
    igw_attached: bool,
    bpa_on: bool,
    has_public: bool,
    in_rules: Vec<NaclEntry>,
    out_rules: Vec<NaclEntry>,
    sg1: Vec<SgRule>,
    sg2: Vec<SgRule>,
    routes: Vec<Route>,
    pl: Vec<Cidr>,
    /// Start from a working baseline (default route to the IGW, allow-all NACL tail rules, an open
    /// SG rule) so that random rules carve interesting partial sets instead of blocking everything.
    baseline: (bool, bool, bool, bool),
}

fn config() -> impl Strategy<Value = Config> {
    (
        prop::bool::weighted(0.9),
        prop::bool::weighted(0.9),
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.9),
        prop::collection::vec(nacl_entry(false), 0..6),
        prop::collection::vec(nacl_entry(true), 0..6),
        prop::collection::vec(sg_rule(), 0..4),
        prop::collection::vec(sg_rule(), 0..3),
        prop::collection::vec(route(), 0..4),
        prop::collection::vec(pool_cidr(), 0..3),
        (
            prop::bool::weighted(0.85),
            prop::bool::weighted(0.7),
            prop::bool::weighted(0.7),
            prop::bool::weighted(0.5),
        ),
    )
        .prop_map(
            |(
                running,
                igw_attached,
                bpa_on,
                has_public,
                in_rules,
                out_rules,
                sg1,
                sg2,
                routes,
                pl,
                baseline,
            )| Config {
                running,
                igw_attached,
                bpa_on,
                has_public,
                in_rules,
                out_rules,
                sg1,
                sg2,
                routes,
                pl,
                baseline,
            },
        )
}

fn origin() -> Origin {
    Origin::default()
}

fn build(c: &Config) -> Inventory {
    let mut inv = Inventory::default();
    for cmd in [
        Command::DescribeInstances,
        Command::DescribeSecurityGroups,
        Command::DescribeNetworkAcls,
        Command::DescribeRouteTables,
        Command::DescribeInternetGateways,
        Command::DescribeSubnets,
        Command::DescribeVpcs,
    ] {
        inv.provided.insert(cmd);
    }
    let private = IpAddr::V4(Ipv4Addr::from(PRIVATE));
    let public = IpAddr::V4(Ipv4Addr::from(PUBLIC));
    inv.instances.insert(
        INSTANCE.into(),
        Instance {
            id: INSTANCE.into(),
            name: Some("web".into()),
            state: if c.running {
                InstanceState::Running
            } else {
                InstanceState::Stopped
            },
            vpc_id: Some(VPC.into()),
            subnet_id: Some(SUBNET.into()),
            private_ip: Some(private),
            public_ip: None,
            eni_ids: vec![ENI.into()],
            security_groups: vec![],
            platform: None,
            origin: origin(),
        },
    );
    inv.enis.insert(
        ENI.into(),
        Eni {
            id: ENI.into(),
            vpc_id: Some(VPC.into()),
            subnet_id: Some(SUBNET.into()),
            instance_id: Some(INSTANCE.into()),
            device_index: Some(0),
            attachment_status: Some("attached".into()),
            groups: vec!["sg-1".into(), "sg-3".into()],
            private_ips: vec![PrivateIp {
                address: private,
                primary: true,
                public_ip: c.has_public.then_some(public),
            }],
            ipv6_addresses: vec![],
            source_dest_check: Some(true),
            interface_type: None,
            description: None,
            origin: origin(),
        },
    );
    for (id, rules) in [("sg-1", &c.sg1), ("sg-3", &c.sg2)] {
        let mut rules = rules.clone();
        if c.baseline.3 && id == "sg-3" {
            rules.push(SgRule {
                traffic: Traffic {
                    protocol: Protocol::All,
                    ports: PortMatch::Any,
                },
                peer: SgPeer::Cidr(Cidr::parse("0.0.0.0/0").unwrap()),
                description: None,
                rule_id: None,
                position: 0,
            });
        }
        for (i, r) in rules.iter_mut().enumerate() {
            r.position = i + 1;
        }
        inv.security_groups.insert(
            id.into(),
            SecurityGroup {
                id: id.into(),
                name: None,
                vpc_id: Some(VPC.into()),
                ingress: rules,
                egress: vec![],
                origin: origin(),
            },
        );
    }
    inv.prefix_lists.insert(
        "pl-1".into(),
        PrefixList {
            id: "pl-1".into(),
            name: None,
            family: Some(vpc_reach_core::net::Family::Ipv4),
            max_entries: None,
            entries: Some(c.pl.clone()),
            origin: origin(),
        },
    );
    let mut entries: Vec<NaclEntry> = Vec::new();
    let mut seen = BTreeSet::new();
    for e in c.in_rules.iter().chain(c.out_rules.iter()) {
        if seen.insert((e.egress, e.rule_number)) {
            entries.push(e.clone());
        }
    }
    for (egress, on) in [(false, c.baseline.1), (true, c.baseline.2)] {
        if on {
            entries.push(NaclEntry {
                rule_number: 32000,
                egress,
                action: RuleAction::Allow,
                cidr: Cidr::parse("0.0.0.0/0").unwrap(),
                traffic: Traffic {
                    protocol: Protocol::All,
                    ports: PortMatch::Any,
                },
            });
        }
    }
    for egress in [false, true] {
        entries.push(NaclEntry {
            rule_number: 32767,
            egress,
            action: RuleAction::Deny,
            cidr: Cidr::parse("0.0.0.0/0").unwrap(),
            traffic: Traffic {
                protocol: Protocol::All,
                ports: PortMatch::Any,
            },
        });
    }
    inv.network_acls.insert(
        "acl-1".into(),
        NetworkAcl {
            id: "acl-1".into(),
            vpc_id: Some(VPC.into()),
            is_default: false,
            subnet_ids: vec![SUBNET.into()],
            entries,
            origin: origin(),
        },
    );
    let mut routes = vec![Route {
        dest: RouteDest::Cidr(Cidr::parse("10.0.0.0/16").unwrap()),
        target: RouteTarget::Local,
        state: RouteState::Active,
        origin: RouteOrigin::CreateRouteTable,
    }];
    if c.baseline.0 {
        routes.push(Route {
            dest: RouteDest::Cidr(Cidr::parse("0.0.0.0/0").unwrap()),
            target: RouteTarget::InternetGateway(IGW.into()),
            state: RouteState::Active,
            origin: RouteOrigin::CreateRoute,
        });
    }
    for r in &c.routes {
        if !routes.iter().any(|x| x.dest == r.dest) {
            routes.push(r.clone());
        }
    }
    inv.route_tables.insert(
        "rtb-1".into(),
        RouteTable {
            id: "rtb-1".into(),
            vpc_id: Some(VPC.into()),
            main: true,
            subnet_ids: vec![],
            routes,
            origin: origin(),
        },
    );
    inv.internet_gateways.insert(
        IGW.into(),
        Gateway {
            id: IGW.into(),
            attachments: if c.igw_attached {
                vec![(VPC.into(), "available".into())]
            } else {
                vec![]
            },
            origin: origin(),
        },
    );
    inv.subnets.insert(
        SUBNET.into(),
        Subnet {
            id: SUBNET.into(),
            vpc_id: Some(VPC.into()),
            cidr: Cidr::parse("10.0.1.0/24").ok(),
            ipv6_cidrs: vec![],
            map_public_ip_on_launch: false,
            bpa: None,
            origin: origin(),
        },
    );
    inv.vpcs.insert(
        VPC.into(),
        Vpc {
            id: VPC.into(),
            cidrs: vec![Cidr::parse("10.0.0.0/16").unwrap()],
            ipv6_cidrs: vec![],
            is_default: false,
            bpa: Some(if c.bpa_on {
                BpaMode::BlockIngress
            } else {
                BpaMode::Off
            }),
            origin: origin(),
        },
    );
    inv
}

// ---------------------------------------------------------------------------------------------
// The naive reference: one packet at a time, straight from the AWS documentation.

fn rule_admits(t: &Traffic, proto: &QueryProtocol) -> bool {
    match (t.protocol, t.ports, proto) {
        (Protocol::All, _, _) => true,
        (Protocol::Tcp, PortMatch::Ports(r), QueryProtocol::Tcp { port }) => {
            r.from() <= *port && *port <= r.to()
        }
        (Protocol::Udp, PortMatch::Ports(r), QueryProtocol::Udp { port }) => {
            r.from() <= *port && *port <= r.to()
        }
        (
            Protocol::Icmp,
            PortMatch::Icmp { icmp_type, code },
            QueryProtocol::Icmp {
                icmp_type: qt,
                code: qc,
            },
        ) => {
            icmp_type.is_none_or(|t| t == *qt)
                && code.is_none_or(|c| Some(c) == *qc || (c == 0 && qc.is_none()))
        }
        _ => false,
    }
}

fn is_private(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    o[0] == 0
        || o[0] == 10
        || o[0] == 127
        || o[0] >= 224
        || (o[0] == 100 && (64..128).contains(&o[1]))
        || (o[0] == 169 && o[1] == 254)
        || (o[0] == 172 && (16..32).contains(&o[1]))
        || (o[0] == 192 && o[1] == 168)
}

fn first_match(inv: &Inventory, egress: bool, addr: IpAddr, proto: &QueryProtocol) -> bool {
    let acl = &inv.network_acls["acl-1"];
    let mut entries: Vec<&NaclEntry> = acl.entries.iter().filter(|e| e.egress == egress).collect();
    entries.sort_by_key(|e| e.rule_number);
    for e in entries {
        if e.cidr.contains(addr) && rule_admits(&e.traffic, proto) {
            return e.action == RuleAction::Allow;
        }
    }
    false
}

/// Inbound layers for one source address.
fn naive_inbound(inv: &Inventory, src: Ipv4Addr, proto: &QueryProtocol) -> bool {
    let addr = IpAddr::V4(src);
    let inst = &inv.instances[INSTANCE];
    let eni = &inv.enis[ENI];
    if inst.state != InstanceState::Running || is_private(src) {
        return false;
    }
    if eni.private_ips.iter().all(|p| p.public_ip.is_none()) {
        return false;
    }
    let attached = |g: &str| {
        inv.internet_gateways
            .get(g)
            .is_some_and(|g| g.attached_to(VPC))
    };
    if !inv.internet_gateways.values().any(|g| g.attached_to(VPC)) {
        return false;
    }
    if inv.vpcs[VPC].bpa.is_some_and(|m| m != BpaMode::Off)
        && inv.subnets[SUBNET].bpa != Some(BpaMode::Off)
    {
        return false;
    }
    // Longest prefix match for the reply; static beats propagated on a tie.
    let rt = &inv.route_tables["rtb-1"];
    let best = rt
        .routes
        .iter()
        .filter(|r| matches!(r.dest, RouteDest::Cidr(c) if c.contains(addr)))
        .max_by_key(|r| {
            let RouteDest::Cidr(c) = r.dest else {
                unreachable!()
            };
            (c.len(), r.origin != RouteOrigin::Propagated)
        });
    match best {
        Some(r) if r.state == RouteState::Active => match &r.target {
            RouteTarget::InternetGateway(g) if attached(g) => {}
            _ => return false,
        },
        _ => return false,
    }
    if !first_match(inv, false, addr, proto) {
        return false;
    }
    eni.groups.iter().any(|g| {
        inv.security_groups.get(g).is_some_and(|sg| {
            sg.ingress.iter().any(|r| {
                rule_admits(&r.traffic, proto)
                    && match &r.peer {
                        SgPeer::Cidr(c) => c.contains(addr),
                        SgPeer::PrefixList(p) => inv.prefix_lists[p]
                            .entries
                            .as_ref()
                            .is_some_and(|e| e.iter().any(|c| c.contains(addr))),
                        SgPeer::Group { .. } => false,
                    }
            })
        })
    })
}

/// The reply to one client port.
fn naive_reply(inv: &Inventory, src: Ipv4Addr, client_port: u16, proto: &QueryProtocol) -> bool {
    let reply = match proto {
        QueryProtocol::Tcp { .. } => QueryProtocol::Tcp { port: client_port },
        QueryProtocol::Udp { .. } => QueryProtocol::Udp { port: client_port },
        QueryProtocol::Icmp { .. } => QueryProtocol::Icmp {
            icmp_type: 0,
            code: Some(0),
        },
        QueryProtocol::All => QueryProtocol::All,
    };
    first_match(inv, true, IpAddr::V4(src), &reply)
}

fn sample_addrs(c: &Config) -> Vec<Ipv4Addr> {
    let mut v: BTreeSet<u32> = BTreeSet::new();
    for s in POOL {
        let c = Cidr::parse(s).unwrap();
        let set = c.to_set();
        for (lo, hi) in set.v4.ranges() {
            for x in [
                lo.wrapping_sub(1),
                *lo,
                lo.wrapping_add(1),
                hi.wrapping_sub(1),
                *hi,
                hi.wrapping_add(1),
            ] {
                v.insert(x);
            }
        }
    }
    let _ = c;
    v.extend([0x0808_0808, 0xCB00_7107, 0x3601_0203, 0xC633_6401]);
    v.into_iter().map(Ipv4Addr::from).collect()
}

fn sample_ports(c: &Config, f: ClientFamily) -> Vec<u16> {
    let r = f.ports();
    let mut v: BTreeSet<u16> = [r.from(), r.to()].into_iter().collect();
    for e in &c.out_rules {
        if let PortMatch::Ports(p) = e.traffic.ports {
            for x in [
                p.from().wrapping_sub(1),
                p.from(),
                p.to(),
                p.to().wrapping_add(1),
            ] {
                if r.contains(x) {
                    v.insert(x);
                }
            }
        }
    }
    v.into_iter().collect()
}

fn queries() -> impl Strategy<Value = QueryProtocol> {
    prop_oneof![
        Just(QueryProtocol::Tcp { port: 22 }),
        Just(QueryProtocol::Tcp { port: 80 }),
        Just(QueryProtocol::Udp { port: 22 }),
        Just(QueryProtocol::Icmp {
            icmp_type: 8,
            code: Some(0)
        }),
        Just(QueryProtocol::All),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// For every sampled source and client family, the engine's sets agree with the naive reference.
    #[test]
    fn engine_matches_naive_reference(c in config(), proto in queries()) {
        let inv = build(&c);
        let q = Query { target: INSTANCE.to_owned(), protocol: proto, source: None, address: None };
        let report = vpc_reach_core::check(&inv, &q).unwrap();
        prop_assert_ne!(report.verdict, Verdict::Unknown);
        let full: Vec<Cidr> = report.reachable_from.clone();
        for src in sample_addrs(&c) {
            let ip = IpAddr::V4(src);
            let engine_families: BTreeSet<ClientFamily> = if full.iter().any(|c| c.contains(ip)) {
                ClientFamily::ALL.into_iter().collect()
            } else {
                report
                    .partially_reachable_from
                    .iter()
                    .filter(|p| p.cidrs.iter().any(|c| c.contains(ip)))
                    .flat_map(|p| p.client_families.iter().copied())
                    .collect()
            };
            let inbound = naive_inbound(&inv, src, &proto);
            let naive_families: BTreeSet<ClientFamily> = ClientFamily::ALL
                .into_iter()
                .filter(|f| {
                    inbound
                        && match proto {
                            QueryProtocol::Tcp { .. } | QueryProtocol::Udp { .. } => {
                                sample_ports(&c, *f).into_iter().all(|p| naive_reply(&inv, src, p, &proto))
                            }
                            _ => naive_reply(&inv, src, 0, &proto),
                        }
                })
                .collect();
            prop_assert_eq!(
                &engine_families, &naive_families,
                "source {} for {:?}: engine {:?} naive {:?}\nreport: {:#?}", src, proto, engine_families, naive_families, report.checks
            );
        }
        // The verdict agrees with the sets.
        let any = !report.reachable_from.is_empty() || !report.partially_reachable_from.is_empty();
        match report.verdict {
            Verdict::Blocked => prop_assert!(!any && !report.blocking.is_empty()),
            Verdict::Reachable => prop_assert!(report.blocking.is_empty()),
            Verdict::Partial => prop_assert!(any && report.blocking.is_empty()),
            Verdict::Unknown => {}
        }
        for ch in &report.checks {
            prop_assert_eq!(ch.status == Status::Fail, report.blocking.contains(&ch.layer));
        }
    }

    /// Applying every suggested fix, then checking again, gives `reachable`.
    #[test]
    fn applying_fixes_makes_it_reachable(c in config(), proto in queries(), with_source in any::<bool>()) {
        let mut inv = build(&c);
        let source = with_source.then(|| Cidr::parse("203.0.113.7/32").unwrap());
        let q = Query { target: INSTANCE.to_owned(), protocol: proto, source, address: None };
        let mut report = vpc_reach_core::check(&inv, &q).unwrap();
        // Some fixes (a new Elastic IP) change the address; re-resolve it each round.
        for _round in 0..3 {
            if report.verdict == Verdict::Reachable {
                break;
            }
            let actions: Vec<FixAction> = report
                .checks
                .iter()
                .filter_map(|ch| ch.fix.as_ref())
                .flat_map(|f| f.actions.clone())
                .collect();
            prop_assert!(!actions.is_empty(), "no fix offered: {:#?}", report.checks);
            for a in &actions {
                a.apply(&mut inv);
            }
            report = vpc_reach_core::check(&inv, &q).unwrap();
        }
        prop_assert_eq!(report.verdict, Verdict::Reachable, "after fixes: {:#?}", report.checks);
        prop_assert_eq!(report.reachable_from, report.sources);
    }
}

/// The differential test means little if random configurations block everything: check that a fair
/// share of them is reachable or partial, and that both partial and joint blocks occur.
#[test]
fn generator_is_not_degenerate() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut reachable, mut partial, mut blocked) = (0, 0, 0);
    for _ in 0..400 {
        let c = config().new_tree(&mut runner).unwrap().current();
        let q = Query {
            target: INSTANCE.to_owned(),
            protocol: QueryProtocol::Tcp { port: 22 },
            source: None,
            address: None,
        };
        match vpc_reach_core::check(&build(&c), &q).unwrap().verdict {
            Verdict::Reachable => reachable += 1,
            Verdict::Partial => partial += 1,
            Verdict::Blocked => blocked += 1,
            Verdict::Unknown => {}
        }
    }
    assert!(
        reachable >= 10 && partial >= 40 && blocked >= 40,
        "reachable {reachable} partial {partial} blocked {blocked}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// The exposure survey agrees with single checks: each open port range's sources are exactly what
    /// `check` finds for its first and last port, and sampled ports outside every range are blocked.
    #[test]
    fn exposure_agrees_with_check(c in config()) {
        let inv = build(&c);
        let report = vpc_reach_core::exposure(&inv);
        let check_sources = |proto: QueryProtocol| -> Vec<Cidr> {
            let q = Query { target: ENI.to_owned(), protocol: proto, source: None, address: None };
            let r = vpc_reach_core::check(&inv, &q).unwrap();
            if r.verdict == Verdict::Blocked {
                return vec![];
            }
            let mut all: Vec<Cidr> = r.reachable_from.clone();
            for p in &r.partially_reachable_from {
                all.extend(p.cidrs.iter().copied());
            }
            vpc_reach_core::net::IpSet::from_cidrs(all.iter()).to_cidrs()
        };
        let open: Vec<_> = report.exposures.iter().flat_map(|e| e.open.iter()).collect();
        for proto in ["tcp", "udp"] {
            let make = |p: u16| if proto == "tcp" { QueryProtocol::Tcp { port: p } } else { QueryProtocol::Udp { port: p } };
            for s in open.iter().filter(|s| s.protocol == proto) {
                let r = s.ports.unwrap();
                prop_assert_eq!(&check_sources(make(r.from())), &s.sources.to_vec(), "{} {}", proto, r);
                prop_assert_eq!(&check_sources(make(r.to())), &s.sources.to_vec(), "{} {}", proto, r);
            }
            for p in [0u16, 21, 22, 23, 80, 1023, 1024, 5000, 32768, 65535] {
                let inside = open.iter().any(|s| s.protocol == proto && s.ports.unwrap().contains(p));
                if !inside {
                    prop_assert!(check_sources(make(p)).is_empty(), "{} {} open but not in exposure", proto, p);
                }
            }
        }
        let echo = check_sources(QueryProtocol::Icmp { icmp_type: 8, code: Some(0) });
        let listed = open.iter().find(|s| s.protocol.starts_with("icmp")).map(|s| s.sources.to_vec()).unwrap_or_default();
        prop_assert_eq!(echo, listed);
    }
}
