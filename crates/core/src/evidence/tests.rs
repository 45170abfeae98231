//! End-to-end tests: a hand-built inventory and configuration report, evidence texts written as
//! the commands print them, and the conclusions drawn.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::net::IpAddr;

use super::evaluate;
use crate::diag::Severity;
use crate::model::{
    Command, Eni, FlowLogConfig, Instance, InstanceState, Inventory, Origin, PrivateIp, Subnet,
};
use crate::net::{internet, Cidr, Family};
use crate::report::{Check, Layer, Query, QueryProtocol, Report, Status, Target, Verdict};

const ENI: &str = "eni-0a1b2c3d4e5f67890";
const ENI2: &str = "eni-0fedcba9876543210";

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn origin() -> Origin {
    Origin {
        source: "describe.json".into(),
        path: "x".to_owned(),
    }
}

/// One instance with two ENIs: eth0 10.0.1.5 (public 54.210.10.20) and eth1 10.0.2.9.
fn inventory() -> Inventory {
    let mut inv = Inventory::default();
    inv.instances.insert(
        "i-0abc1234def567890".into(),
        Instance {
            id: "i-0abc1234def567890".into(),
            name: Some("web".into()),
            state: InstanceState::Running,
            vpc_id: Some("vpc-0123".into()),
            subnet_id: Some("subnet-0aaa".into()),
            private_ip: Some(ip("10.0.1.5")),
            public_ip: Some(ip("54.210.10.20")),
            eni_ids: vec![ENI.into(), ENI2.into()],
            security_groups: vec!["sg-0123".into()],
            platform: None,
            origin: origin(),
        },
    );
    let eni = |id: &str, subnet: &str, addr: &str, public: Option<&str>, index: u32| Eni {
        id: id.into(),
        vpc_id: Some("vpc-0123".into()),
        subnet_id: Some(subnet.into()),
        instance_id: Some("i-0abc1234def567890".into()),
        device_index: Some(index),
        attachment_status: Some("attached".into()),
        groups: vec!["sg-0123".into()],
        private_ips: vec![PrivateIp {
            address: ip(addr),
            primary: true,
            public_ip: public.map(ip),
        }],
        ipv6_addresses: vec![ip("2600:1f18:4a3:6b00::5")],
        source_dest_check: Some(true),
        interface_type: Some("interface".into()),
        description: None,
        origin: origin(),
    };
    inv.enis.insert(
        ENI.into(),
        eni(ENI, "subnet-0aaa", "10.0.1.5", Some("54.210.10.20"), 0),
    );
    inv.enis.insert(
        ENI2.into(),
        eni(ENI2, "subnet-0bbb", "10.0.2.9", Some("54.210.10.30"), 1),
    );
    for (id, cidr) in [
        ("subnet-0aaa", "10.0.1.0/24"),
        ("subnet-0bbb", "10.0.2.0/24"),
    ] {
        inv.subnets.insert(
            id.into(),
            Subnet {
                id: id.into(),
                vpc_id: Some("vpc-0123".into()),
                cidr: Cidr::parse(cidr).ok(),
                ipv6_cidrs: Vec::new(),
                map_public_ip_on_launch: true,
                bpa: None,
                origin: origin(),
            },
        );
    }
    inv
}

fn flow_log(
    id: &str,
    resource: &str,
    traffic: &str,
    format: Option<&str>,
    dest: Option<&str>,
) -> FlowLogConfig {
    FlowLogConfig {
        id: id.into(),
        resource_id: resource.into(),
        traffic_type: Some(traffic.into()),
        log_format: format.map(Into::into),
        status: Some("ACTIVE".into()),
        destination: dest.map(Into::into),
        origin: origin(),
    }
}

fn config_check(layer: Layer, status: Status) -> Check {
    Check {
        layer,
        status,
        summary: format!("configuration says {}", status.name()),
        evidence: Vec::new(),
        fix: None,
    }
}

/// A configuration report for tcp/`port` to the given ENI's address; `sg_nacl_pass` says whether the
/// configuration admits the internet.
fn report(
    port: u16,
    eni: &str,
    private: &str,
    public: &str,
    sg_nacl_pass: bool,
    source: Option<&str>,
) -> Report {
    let family = if private.contains(':') {
        Family::Ipv6
    } else {
        Family::Ipv4
    };
    let sources = match source {
        Some(s) => vec![Cidr::parse(s).unwrap()],
        None => internet(family).to_cidrs(),
    };
    let st = if sg_nacl_pass {
        Status::Pass
    } else {
        Status::Fail
    };
    Report {
        verdict: if sg_nacl_pass {
            Verdict::Reachable
        } else {
            Verdict::Blocked
        },
        query: Query {
            target: "i-0abc1234def567890".to_owned(),
            protocol: QueryProtocol::Tcp { port },
            source: source.map(|s| Cidr::parse(s).unwrap()),
            address: None,
        },
        target: Target {
            instance_id: Some("i-0abc1234def567890".to_owned()),
            name: Some("web".to_owned()),
            eni_id: Some(eni.to_owned()),
            address: Some(ip(public)),
            private_address: Some(ip(private)),
            other_addresses: Vec::new(),
        },
        sources: sources.clone(),
        blocking: if sg_nacl_pass {
            Vec::new()
        } else {
            vec![Layer::SecurityGroup]
        },
        checks: vec![
            config_check(Layer::NetworkAclInbound, Status::Pass),
            config_check(Layer::SecurityGroup, st),
            config_check(Layer::NetworkAclOutbound, Status::Pass),
        ],
        reachable_from: if sg_nacl_pass { sources } else { Vec::new() },
        partially_reachable_from: Vec::new(),
        assumptions: Vec::new(),
        warnings: Vec::new(),
    }
}

fn ssh_report(sg_nacl_pass: bool) -> Report {
    report(22, ENI, "10.0.1.5", "54.210.10.20", sg_nacl_pass, None)
}

fn run(
    texts: &[(&str, &str)],
    inv: &Inventory,
    rep: &Report,
) -> (Vec<Check>, Vec<crate::diag::Diagnostic>) {
    let texts: Vec<(String, String)> = texts
        .iter()
        .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
        .collect();
    evaluate(&texts, inv, rep)
}

fn layer(checks: &[Check], l: Layer) -> &Check {
    checks
        .iter()
        .find(|c| c.layer == l)
        .unwrap_or_else(|| unreachable!("no {l} check in {checks:#?}"))
}

#[test]
fn no_evidence_no_checks() {
    let (checks, diags) = run(&[], &inventory(), &ssh_report(true));
    assert!(checks.is_empty());
    assert!(diags.is_empty());
}

#[test]
fn unrecognised_text_gets_a_note_naming_the_input() {
    let (checks, diags) = run(
        &[("notes.txt", "I tried to ssh but it hangs\nplease help\n")],
        &inventory(),
        &ssh_report(true),
    );
    assert!(checks.is_empty());
    assert_eq!(diags.len(), 1);
    let d = &diags[0];
    assert_eq!(d.severity, Severity::Note);
    assert_eq!(d.source, "notes.txt");
    assert_eq!(
        d.message,
        "`notes.txt` is not recognised as flow log records, routes, firewall rules or listening sockets"
    );
    assert!(d.help.as_deref().unwrap().contains("iptables-save"));
}

const REJECTS: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n\
2 123456789012 eni-0a1b2c3d4e5f67890 198.51.100.7 10.0.1.5 51234 22 6 3 180 1714558320 1714558380 REJECT OK\n\
2 123456789012 eni-0a1b2c3d4e5f67890 198.51.100.7 10.0.1.5 51240 22 6 2 120 1714558380 1714558440 REJECT OK\n\
2 123456789012 eni-0a1b2c3d4e5f67890 10.0.1.5 52.94.76.10 40522 443 6 12 4400 1714558320 1714558380 ACCEPT OK\n\
2 123456789012 eni-0fedcba9876543210 - - - - - - - 1714558320 1714558380 - NODATA\n";

#[test]
fn inbound_rejects_contradict_a_configuration_that_admits_the_client() {
    let (checks, diags) = run(&[("flows.log", REJECTS)], &inventory(), &ssh_report(true));
    assert!(diags.is_empty(), "{diags:?}");
    let c = layer(&checks, Layer::FlowLogs);
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.summary
            .contains("rejected inbound tcp/22 from `198.51.100.7` (2 records between"),
        "{}",
        c.summary
    );
    assert!(c
        .summary
        .contains("security group or the inbound network ACL"));
    assert!(
        c.summary.contains("contradicts the configuration check"),
        "{}",
        c.summary
    );
    assert!(c.summary.contains("stale or incomplete"));
    // The evidence names the records: input, line, time, source and ports.
    assert_eq!(c.evidence.len(), 2);
    assert_eq!(c.evidence[0].object, "flows.log");
    assert!(
        c.evidence[0].detail.starts_with("line 2: 2 123456789012"),
        "{}",
        c.evidence[0].detail
    );
    assert!(c.evidence[0]
        .detail
        .contains("2024-05-01 10:12:00 UTC, tcp 198.51.100.7:51234 → 10.0.1.5:22, REJECT"));
    assert_eq!(c.evidence[1].origin.as_ref().unwrap().path, "line 3");
}

#[test]
fn inbound_rejects_agree_with_a_configuration_that_blocks() {
    let (checks, _) = run(&[("flows.log", REJECTS)], &inventory(), &ssh_report(false));
    let c = layer(&checks, Layer::FlowLogs);
    assert_eq!(c.status, Status::Fail);
    assert!(!c.summary.contains("contradicts"), "{}", c.summary);
    assert!(
        c.summary.contains("points at the security group"),
        "{}",
        c.summary
    );
}

#[test]
fn accepted_inbound_with_rejected_replies_blames_the_outbound_nacl() {
    let text = "2 123456789012 eni-0a1b2c3d4e5f67890 198.51.100.7 10.0.1.5 51234 22 6 3 180 1714558320 1714558380 ACCEPT OK\n\
                2 123456789012 eni-0a1b2c3d4e5f67890 10.0.1.5 198.51.100.7 22 51234 6 3 252 1714558320 1714558380 REJECT OK\n";
    let mut rep = ssh_report(true);
    rep.checks[2].status = Status::Fail;
    rep.reachable_from.clear();
    let (checks, _) = run(&[("flows.log", text)], &inventory(), &rep);
    let c = layer(&checks, Layer::FlowLogs);
    assert_eq!(c.status, Status::Fail);
    assert!(c.summary.contains("outbound network ACL"), "{}", c.summary);
    assert!(c.summary.contains("client ports 51234"), "{}", c.summary);
    assert!(!c.summary.contains("contradicts"));
    assert_eq!(c.evidence.len(), 2);
    // With a configuration that says replies pass, the records contradict it.
    let (checks, _) = run(&[("flows.log", text)], &inventory(), &ssh_report(true));
    let c = layer(&checks, Layer::FlowLogs);
    assert!(
        c.summary.contains("contradicts the configuration check"),
        "{}",
        c.summary
    );
}

#[test]
fn accepted_without_reply_points_inside_the_instance() {
    let text = "2 123456789012 eni-0a1b2c3d4e5f67890 198.51.100.7 10.0.1.5 51234 22 6 3 180 1714558320 1714558380 ACCEPT OK\n";
    let (checks, _) = run(&[("flows.log", text)], &inventory(), &ssh_report(true));
    let c = layer(&checks, Layer::FlowLogs);
    assert_eq!(c.status, Status::Warn);
    assert!(
        c.summary.contains("no reply left the instance"),
        "{}",
        c.summary
    );
}

#[test]
fn accepted_with_replies_passes() {
    let text = "2 123456789012 eni-0a1b2c3d4e5f67890 198.51.100.7 10.0.1.5 51234 22 6 3 180 1714558320 1714558380 ACCEPT OK\n\
                2 123456789012 eni-0a1b2c3d4e5f67890 10.0.1.5 198.51.100.7 22 51234 6 3 252 1714558320 1714558380 ACCEPT OK\n";
    let (checks, _) = run(&[("flows.log", text)], &inventory(), &ssh_report(true));
    assert_eq!(layer(&checks, Layer::FlowLogs).status, Status::Pass);
}

#[test]
fn no_records_for_the_port_means_the_traffic_never_arrived() {
    let text = "2 123456789012 eni-0a1b2c3d4e5f67890 198.51.100.7 10.0.1.5 51234 80 6 3 180 1714558320 1714558380 ACCEPT OK\n\
                2 123456789012 eni-0a1b2c3d4e5f67890 10.0.1.5 198.51.100.7 80 51234 6 3 180 1714558320 1714558380 ACCEPT OK\n\
                2 123456789012 eni-0a1b2c3d4e5f67890 10.0.9.9 10.0.1.5 40000 22 6 3 180 1714558320 1714558380 ACCEPT OK\n";
    let (checks, _) = run(&[("flows.log", text)], &inventory(), &ssh_report(true));
    let c = layer(&checks, Layer::FlowLogs);
    assert_eq!(c.status, Status::Warn);
    assert!(
        c.summary.contains("never reached the network interface"),
        "{}",
        c.summary
    );
    assert!(c.summary.contains("`54.210.10.20`"));
    assert!(c.summary.contains("`tcp/80` instead"), "{}", c.summary);
    // The VPC-internal client's record is left out and said so.
    assert!(
        c.summary.contains("from other sources (`10.0.9.9`)"),
        "{}",
        c.summary
    );
}

#[test]
fn records_for_other_interfaces_only_do_not_apply() {
    let text = "2 123456789012 eni-0999999999999999a 198.51.100.7 10.0.7.7 51234 22 6 3 180 1714558320 1714558380 REJECT OK\n";
    let (checks, _) = run(&[("flows.log", text)], &inventory(), &ssh_report(true));
    let c = layer(&checks, Layer::FlowLogs);
    assert_eq!(c.status, Status::NotApplicable);
    assert!(
        c.summary.contains("`eni-0999999999999999a`"),
        "{}",
        c.summary
    );
}

#[test]
fn secondary_address_traffic_is_matched_through_pkt_fields() {
    // Custom format from describe-flow-logs; the client used a secondary address (10.0.1.25),
    // srcaddr/dstaddr show the primary one.
    let mut inv = inventory();
    inv.flow_logs.push(flow_log("fl-0123", "vpc-0123", "ALL", Some("${version} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${start} ${end} ${action} ${log-status} ${pkt-srcaddr} ${pkt-dstaddr}"), Some("arn:aws:s3:::my-flow-logs")));
    inv.provided.insert(Command::DescribeFlowLogs);
    if let Some(e) = inv.enis.get_mut(ENI) {
        e.private_ips.push(PrivateIp {
            address: ip("10.0.1.25"),
            primary: false,
            public_ip: Some(ip("54.210.10.25")),
        });
    }
    let rep = report(22, ENI, "10.0.1.25", "54.210.10.25", true, None);
    let text = "5 eni-0a1b2c3d4e5f67890 198.51.100.7 10.0.1.5 51234 22 6 1714558320 1714558380 REJECT OK 198.51.100.7 10.0.1.25\n";
    let (checks, diags) = run(&[("custom.log", text)], &inv, &rep);
    assert!(diags.is_empty(), "{diags:?}");
    let c = layer(&checks, Layer::FlowLogs);
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.evidence[0]
            .detail
            .contains("198.51.100.7:51234 → 10.0.1.25:22"),
        "{}",
        c.evidence[0].detail
    );
    assert!(
        c.summary
            .contains("`fl-0123` on its VPC `vpc-0123` (ALL traffic"),
        "{}",
        c.summary
    );
}

#[test]
fn describe_flow_logs_without_coverage_gives_the_command_to_turn_them_on() {
    let mut inv = inventory();
    inv.provided.insert(Command::DescribeFlowLogs);
    inv.flow_logs
        .push(flow_log("fl-0999", "vpc-0other", "ALL", None, None));
    let (checks, _) = run(&[], &inv, &ssh_report(true));
    let c = layer(&checks, Layer::FlowLogs);
    assert_eq!(c.status, Status::NotApplicable);
    assert!(c.summary.contains("none of the flow logs"), "{}", c.summary);
    let fix = c.fix.as_ref().unwrap();
    let create = fix
        .commands
        .iter()
        .find(|c| c.contains("create-flow-logs"))
        .unwrap();
    assert!(create.starts_with(&format!(
        "aws ec2 create-flow-logs --resource-type NetworkInterface --resource-ids {ENI} --traffic-type ALL"
    )));
    assert!(
        create.contains("--log-destination-type s3 --log-destination \"arn:aws:s3:::$BUCKET/\"")
    );
    assert!(fix.commands[0].starts_with("BUCKET="));
    // Covered by its subnet: no fix, the command to fetch the records instead.
    inv.flow_logs.push(flow_log(
        "fl-0aaa",
        "subnet-0aaa",
        "REJECT",
        None,
        Some("vpc-flow-logs"),
    ));
    let (checks, _) = run(&[], &inv, &ssh_report(true));
    let c = layer(&checks, Layer::FlowLogs);
    assert!(c.fix.is_none());
    assert!(
        c.summary.contains("`fl-0aaa` on its subnet `subnet-0aaa`"),
        "{}",
        c.summary
    );
    assert!(
        c.summary.contains(&format!(
            "aws logs tail vpc-flow-logs --log-stream-names {ENI}-all"
        )),
        "{}",
        c.summary
    );
}

/// What a user pastes from a Session Manager shell on a broken Amazon Linux instance.
const SESSION: &str = "sh-5.2$ ip -br addr\n\
lo               UNKNOWN        127.0.0.1/8 ::1/128 \n\
ens5             UP             10.0.1.5/24 fe80::3c:5eff:fe11:2233/64 \n\
sh-5.2$ ip route\n\
default via 10.0.1.1 dev ens5 proto dhcp src 10.0.1.5 metric 512 \n\
10.0.0.2 via 10.0.1.1 dev ens5 proto dhcp src 10.0.1.5 metric 512 \n\
10.0.1.0/24 dev ens5 proto kernel scope link src 10.0.1.5 metric 512 \n\
sh-5.2$ sudo iptables-save -c\n\
# Generated by iptables-save v1.8.8 (nf_tables) on Wed May  1 10:20:00 2024\n\
*filter\n\
:INPUT DROP [412:24720]\n\
:FORWARD ACCEPT [0:0]\n\
:OUTPUT ACCEPT [9120:1200400]\n\
[20:1200] -A INPUT -i lo -j ACCEPT\n\
[8800:1100000] -A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n\
[0:0] -A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\n\
[0:0] -A INPUT -p tcp -m tcp --dport 443 -j ACCEPT\n\
COMMIT\n\
# Completed on Wed May  1 10:20:00 2024\n\
sh-5.2$ sudo ss -ltnp\n\
State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n\
LISTEN 0      128        127.0.0.1:22         0.0.0.0:*    users:((\"sshd\",pid=2101,fd=3))\n\
LISTEN 0      511          0.0.0.0:80         0.0.0.0:*    users:((\"nginx\",pid=1880,fd=6))\n\
sh-5.2$ \n";

#[test]
fn session_paste_is_split_and_each_layer_concluded() {
    let (checks, diags) = run(&[("session.txt", SESSION)], &inventory(), &ssh_report(true));
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(checks.len(), 3);

    let r = layer(&checks, Layer::OsRoute);
    assert_eq!(r.status, Status::Pass, "{}", r.summary);
    assert!(
        r.summary.contains("default via 10.0.1.1 dev ens5"),
        "{}",
        r.summary
    );

    let f = layer(&checks, Layer::OsFirewall);
    assert_eq!(f.status, Status::Fail, "{}", f.summary);
    assert!(
        f.summary
            .starts_with("iptables drops tcp/22 from the IPv4 internet"),
        "{}",
        f.summary
    );
    assert!(
        f.summary
            .contains("`INPUT` policy (line 11 of `session.txt`: `:INPUT DROP [412:24720]`)"),
        "{}",
        f.summary
    );
    assert_eq!(
        f.evidence[0].detail.split(' ').take(2).collect::<Vec<_>>(),
        vec!["line", "11:"]
    );
    let fix = f.fix.as_ref().unwrap();
    assert_eq!(
        fix.commands,
        vec!["sudo iptables -A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT"]
    );
    assert!(fix
        .note
        .as_deref()
        .unwrap()
        .contains("aws ssm start-session --target i-0abc1234def567890"));

    let l = layer(&checks, Layer::Listening);
    assert_eq!(l.status, Status::Fail);
    assert!(
        l.summary.contains("loopback address `127.0.0.1` only"),
        "{}",
        l.summary
    );
    assert!(l.summary.contains("ListenAddress"), "{}", l.summary);
    assert!(
        l.evidence[0].detail.starts_with("line 22: LISTEN"),
        "{}",
        l.evidence[0].detail
    );

    // The same blob for port 80: everything passes.
    let rep = report(80, ENI, "10.0.1.5", "54.210.10.20", true, None);
    let (checks, _) = run(&[("session.txt", SESSION)], &inventory(), &rep);
    for c in &checks {
        assert_eq!(c.status, Status::Pass, "{}: {}", c.layer, c.summary);
    }
    assert!(layer(&checks, Layer::OsFirewall)
        .summary
        .contains("line 16 of `session.txt`: `[0:0] -A INPUT -p tcp -m tcp --dport 80 -j ACCEPT`"));
}

#[test]
fn reply_by_another_interface_is_caught() {
    // The target address is on the second ENI (ens6); the default route leaves by ens5.
    let rep = report(22, ENI2, "10.0.2.9", "54.210.10.30", true, None);
    let text = "$ ip addr\n\
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n\
\x20   inet 127.0.0.1/8 scope host lo\n\
2: ens5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc mq state UP group default qlen 1000\n\
\x20   inet 10.0.1.5/24 metric 100 brd 10.0.1.255 scope global dynamic ens5\n\
3: ens6: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc mq state UP group default qlen 1000\n\
\x20   inet 10.0.2.9/24 metric 200 brd 10.0.2.255 scope global dynamic ens6\n\
$ ip route\n\
default via 10.0.1.1 dev ens5 proto dhcp metric 100\n\
10.0.1.0/24 dev ens5 proto kernel scope link src 10.0.1.5 metric 100\n\
10.0.2.0/24 dev ens6 proto kernel scope link src 10.0.2.9 metric 200\n";
    let (checks, diags) = run(&[("routes.txt", text)], &inventory(), &rep);
    assert!(diags.is_empty(), "{diags:?}");
    let c = layer(&checks, Layer::OsRoute);
    // Without `ip rule`, policy routing may still save it: a warning that says what to check.
    assert_eq!(c.status, Status::Warn, "{}", c.summary);
    assert!(c.summary.contains("leave by `ens5`"), "{}", c.summary);
    assert!(
        c.summary.contains("`10.0.2.9` is on `ens6`"),
        "{}",
        c.summary
    );
    assert!(c.summary.contains("`ip rule`"));
    let fix = c.fix.as_ref().unwrap();
    assert_eq!(
        fix.commands,
        vec![
            "sudo ip rule add from 10.0.2.9 lookup 1000",
            "sudo ip route add default via 10.0.2.1 dev ens6 table 1000"
        ]
    );
    // With `ip rule` showing only the main table, it fails.
    let with_rules = format!("{text}$ ip rule\n0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n");
    let (checks, _) = run(&[("routes.txt", &with_rules)], &inventory(), &rep);
    assert_eq!(layer(&checks, Layer::OsRoute).status, Status::Fail);
    // With a policy rule and its table (as amazon-ec2-net-utils sets up), it passes.
    let fixed = format!(
        "{text}$ ip rule\n0:\tfrom all lookup local\n10001:\tfrom 10.0.2.9 lookup 10001\n32766:\tfrom all lookup main\n\
         $ ip route show table 10001\ndefault via 10.0.2.1 dev ens6\n10.0.2.0/24 dev ens6 scope link src 10.0.2.9\n"
    );
    let (checks, diags) = run(&[("routes.txt", &fixed)], &inventory(), &rep);
    assert!(diags.is_empty(), "{diags:?}");
    let c = layer(&checks, Layer::OsRoute);
    assert_eq!(c.status, Status::Pass, "{}", c.summary);
    assert!(c
        .evidence
        .iter()
        .any(|e| e.detail.contains("from 10.0.2.9 lookup 10001")));
}

#[test]
fn missing_address_and_default_route() {
    let rep = report(22, ENI, "10.0.1.25", "54.210.10.25", true, None);
    let text = "$ ip -br addr\nlo UNKNOWN 127.0.0.1/8\nens5 UP 10.0.1.5/24\n$ ip route\n10.0.1.0/24 dev ens5 proto kernel scope link src 10.0.1.5\n";
    let (checks, _) = run(&[("net.txt", text)], &inventory(), &rep);
    let c = layer(&checks, Layer::OsRoute);
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.summary.contains("no interface holds `10.0.1.25`"),
        "{}",
        c.summary
    );
    assert!(c.summary.contains("no default route"), "{}", c.summary);
    let fix = c.fix.as_ref().unwrap();
    assert!(fix
        .commands
        .contains(&"sudo ip addr add 10.0.1.25/24 dev ens5".to_owned()));
    assert!(fix
        .commands
        .contains(&"sudo ip route add default via 10.0.1.1 dev ens5".to_owned()));
}

#[test]
fn ipv6_target_with_ipv4_routes_only_is_not_applicable() {
    let rep = report(
        22,
        ENI,
        "2600:1f18:4a3:6b00::5",
        "2600:1f18:4a3:6b00::5",
        true,
        None,
    );
    let (checks, _) = run(
        &[("r.txt", "default via 10.0.1.1 dev ens5\n")],
        &inventory(),
        &rep,
    );
    let c = layer(&checks, Layer::OsRoute);
    assert_eq!(c.status, Status::NotApplicable);
    assert!(c.summary.contains("`ip -6 route`"), "{}", c.summary);
}

#[test]
fn nftables_set_admits_only_the_office() {
    let text = "table inet filter {\n\
\tset office {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { 203.0.113.0/24 }\n\t}\n\
\tchain input {\n\
\t\ttype filter hook input priority filter; policy drop;\n\
\t\tct state established,related accept\n\
\t\tiif \"lo\" accept\n\
\t\tip saddr @office tcp dport 22 accept\n\
\t\tcounter packets 17 bytes 1020 reject with icmpx type admin-prohibited\n\
\t}\n\
}\n";
    let (checks, _) = run(&[("nft.txt", text)], &inventory(), &ssh_report(true));
    let c = layer(&checks, Layer::OsFirewall);
    assert_eq!(c.status, Status::Warn, "{}", c.summary);
    assert!(
        c.summary
            .contains("accepts tcp/22 only from `203.0.113.0/24`"),
        "{}",
        c.summary
    );
    assert!(c.summary.contains("line 12 of `nft.txt`"), "{}", c.summary);
    let rep = report(
        22,
        ENI,
        "10.0.1.5",
        "54.210.10.20",
        true,
        Some("203.0.113.7/32"),
    );
    let (checks, _) = run(&[("nft.txt", text)], &inventory(), &rep);
    assert_eq!(layer(&checks, Layer::OsFirewall).status, Status::Pass);
    let rep = report(
        22,
        ENI,
        "10.0.1.5",
        "54.210.10.20",
        true,
        Some("198.51.100.7/32"),
    );
    let (checks, _) = run(&[("nft.txt", text)], &inventory(), &rep);
    let c = layer(&checks, Layer::OsFirewall);
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.summary.contains("rejects tcp/22 from `198.51.100.7/32`"),
        "{}",
        c.summary
    );
    assert_eq!(
        c.fix.as_ref().unwrap().commands,
        vec!["sudo nft insert rule inet filter input ip saddr 198.51.100.7/32 tcp dport 22 accept"]
    );
}

#[test]
fn ufw_and_firewalld() {
    let ufw = "$ sudo ufw status verbose\nStatus: active\nLogging: on (low)\nDefault: deny (incoming), allow (outgoing), disabled (routed)\nNew profiles: skip\n\n\
               To                         Action      From\n--                         ------      ----\n\
               80/tcp                     ALLOW IN    Anywhere\n\
               22/tcp                     DENY IN     Anywhere\n";
    let (checks, _) = run(&[("ufw.txt", ufw)], &inventory(), &ssh_report(true));
    let c = layer(&checks, Layer::OsFirewall);
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.summary
            .contains("line 10 of `ufw.txt`: `22/tcp                     DENY IN     Anywhere`"),
        "{}",
        c.summary
    );
    assert_eq!(
        c.fix.as_ref().unwrap().commands,
        vec!["sudo ufw insert 1 allow proto tcp from any to any port 22"]
    );

    let fwd = "public (active)\n  target: default\n  icmp-block-inversion: no\n  interfaces: eth0\n  sources: \n  services: dhcpv6-client ssh\n  ports: \n  protocols: \n  forward: yes\n  masquerade: no\n  forward-ports: \n  source-ports: \n  icmp-blocks: \n  rich rules: \n";
    let (checks, _) = run(&[("fw.txt", fwd)], &inventory(), &ssh_report(true));
    let c = layer(&checks, Layer::OsFirewall);
    assert_eq!(c.status, Status::Pass, "{}", c.summary);
    assert!(
        c.summary.contains("`services: dhcpv6-client ssh`"),
        "{}",
        c.summary
    );
    let rep = report(5432, ENI, "10.0.1.5", "54.210.10.20", true, None);
    let (checks, _) = run(&[("fw.txt", fwd)], &inventory(), &rep);
    let c = layer(&checks, Layer::OsFirewall);
    assert_eq!(c.status, Status::Fail);
    assert!(c.summary.contains("`target: default`"), "{}", c.summary);
    assert_eq!(
        c.fix.as_ref().unwrap().commands,
        vec![
            "sudo firewall-cmd --permanent --zone=public --add-port=5432/tcp",
            "sudo firewall-cmd --reload"
        ]
    );
}

#[test]
fn windows_rdp() {
    let mut inv = inventory();
    if let Some(i) = inv.instances.get_mut("i-0abc1234def567890") {
        i.platform = Some("windows".into());
    }
    let rep = report(3389, ENI, "10.0.1.5", "54.210.10.20", true, None);
    let text = "PS C:\\Users\\Administrator> route print -4\n\
===========================================================================\n\
Interface List\n\
  6...0a 1b 2c 3d 4e 5f ......Amazon Elastic Network Adapter\n\
===========================================================================\n\
IPv4 Route Table\n\
===========================================================================\n\
Active Routes:\n\
Network Destination        Netmask          Gateway       Interface  Metric\n\
          0.0.0.0          0.0.0.0         10.0.1.1         10.0.1.5     15\n\
         10.0.1.0    255.255.255.0         On-link          10.0.1.5    271\n\
===========================================================================\n\
PS C:\\Users\\Administrator> netsh advfirewall firewall show rule name=all dir=in\n\
\n\
Rule Name:                            Remote Desktop - User Mode (TCP-In)\n\
----------------------------------------------------------------------\n\
Enabled:                              Yes\n\
Direction:                            In\n\
Profiles:                             Domain,Private,Public\n\
Grouping:                             Remote Desktop\n\
LocalIP:                              Any\n\
RemoteIP:                             Any\n\
Protocol:                             TCP\n\
LocalPort:                            3389\n\
RemotePort:                           Any\n\
Edge traversal:                       No\n\
Action:                               Allow\n\
\n\
Rule Name:                            Block inbound RDP\n\
----------------------------------------------------------------------\n\
Enabled:                              Yes\n\
Direction:                            In\n\
Profiles:                             Domain,Private,Public\n\
Grouping:                             \n\
LocalIP:                              Any\n\
RemoteIP:                             Any\n\
Protocol:                             TCP\n\
LocalPort:                            3389\n\
RemotePort:                           Any\n\
Edge traversal:                       No\n\
Action:                               Block\n\
Ok.\n\
\n\
PS C:\\Users\\Administrator> netsh advfirewall show currentprofile\n\
\n\
Public Profile Settings:\n\
----------------------------------------------------------------------\n\
State                                 ON\n\
Firewall Policy                       BlockInbound,AllowOutbound\n\
Ok.\n\
PS C:\\Users\\Administrator> netstat -ano\n\
\n\
Active Connections\n\
\n\
  Proto  Local Address          Foreign Address        State           PID\n\
  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       912\n\
  TCP    0.0.0.0:3389           0.0.0.0:0              LISTENING       1036\n\
  TCP    [::]:3389              [::]:0                 LISTENING       1036\n";
    let (checks, diags) = run(&[("windows.txt", text)], &inv, &rep);
    assert!(diags.is_empty(), "{diags:?}");
    let r = layer(&checks, Layer::OsRoute);
    assert_eq!(r.status, Status::Pass, "{}", r.summary);
    let f = layer(&checks, Layer::OsFirewall);
    assert_eq!(f.status, Status::Fail, "{}", f.summary);
    assert!(
        f.summary
            .contains("Rule Name:                            Block inbound RDP")
            || f.summary.contains("Block inbound RDP"),
        "{}",
        f.summary
    );
    assert_eq!(
        f.fix.as_ref().unwrap().commands,
        vec!["netsh advfirewall firewall set rule name=\"Block inbound RDP\" dir=in new enable=no"]
    );
    let l = layer(&checks, Layer::Listening);
    assert_eq!(l.status, Status::Pass);
    assert!(l.summary.contains("PID 1036"), "{}", l.summary);
}

#[test]
fn unrecognised_part_of_a_blob_is_named_and_the_rest_used() {
    let text = "$ ip route\ndefault via 10.0.1.1 dev ens5\n$ systemctl status sshd\n● sshd.service - OpenSSH server daemon\n   Active: failed (Result: exit-code)\n";
    let (checks, diags) = run(&[("paste", text)], &inventory(), &ssh_report(true));
    assert_eq!(checks.len(), 1);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].line, Some(4));
    assert!(
        diags[0]
            .message
            .starts_with("the output of `systemctl status sshd` in `paste` is not recognised"),
        "{}",
        diags[0].message
    );
}

#[test]
fn icmp_and_sockets() {
    let mut rep = ssh_report(true);
    rep.query.protocol = QueryProtocol::Icmp {
        icmp_type: 8,
        code: None,
    };
    let (checks, _) = run(&[("ss.txt", "Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port\ntcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n")], &inventory(), &rep);
    assert_eq!(
        layer(&checks, Layer::Listening).status,
        Status::NotApplicable
    );
    // Nothing on the port.
    let rep = report(8080, ENI, "10.0.1.5", "54.210.10.20", true, None);
    let (checks, _) = run(&[("ss.txt", "Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port\ntcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n")], &inventory(), &rep);
    let c = layer(&checks, Layer::Listening);
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.summary.contains("nothing listens on tcp/8080"),
        "{}",
        c.summary
    );
}

proptest::proptest! {
    /// Whatever is pasted, evaluation never panics and every text is either used or noted.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}", lines in proptest::collection::vec("[ -~\\t]{0,80}", 0..30)) {
        let inv = inventory();
        let rep = ssh_report(true);
        let joined = lines.join("\n");
        let _ = run(&[("a", &text), ("b", &joined)], &inv, &rep);
    }

    /// Mangled real outputs (lines dropped or truncated) never panic either.
    #[test]
    fn mangled_real_output_never_panics(cut in 0usize..2000, drop in 0usize..40) {
        let inv = inventory();
        let rep = ssh_report(true);
        let mut lines: Vec<&str> = SESSION.lines().chain(REJECTS.lines()).collect();
        if drop < lines.len() {
            lines.remove(drop);
        }
        let joined = lines.join("\n");
        let end = joined.char_indices().map(|(i, _)| i).nth(cut).unwrap_or(joined.len());
        let _ = run(&[("m", &joined[..end])], &inv, &rep);
    }
}

/// `nft list ruleset` on a firewalld host (RHEL 9 / Amazon Linux 2023 with firewalld), abridged.
const FIREWALLD_NFT: &str = "table inet firewalld {
\tchain filter_INPUT {
\t\ttype filter hook input priority filter + 10; policy accept;
\t\tct state { established, related } accept
\t\tct status dnat accept
\t\tiifname \"lo\" accept
\t\tct state invalid drop
\t\tjump filter_INPUT_POLICIES_pre
\t\tjump filter_INPUT_ZONES
\t\tjump filter_INPUT_POLICIES_post
\t\treject with icmpx admin-prohibited
\t}
\tchain filter_INPUT_POLICIES_pre {
\t}
\tchain filter_INPUT_POLICIES_post {
\t}
\tchain filter_INPUT_ZONES {
\t\tiifname \"ens5\" goto filter_IN_public
\t\tgoto filter_IN_public
\t}
\tchain filter_IN_public {
\t\tjump filter_IN_public_pre
\t\tjump filter_IN_public_log
\t\tjump filter_IN_public_deny
\t\tjump filter_IN_public_allow
\t\tjump filter_IN_public_post
\t\tmeta l4proto { icmp, ipv6-icmp } accept
\t\treject with icmpx admin-prohibited
\t}
\tchain filter_IN_public_pre {
\t}
\tchain filter_IN_public_log {
\t}
\tchain filter_IN_public_deny {
\t\tip saddr 198.51.100.7 reject with icmp admin-prohibited
\t}
\tchain filter_IN_public_allow {
\t\ttcp dport 22 accept
\t\tip6 daddr fe80::/64 udp dport 546 accept
\t\ttcp dport 9090 accept
\t}
\tchain filter_IN_public_post {
\t}
}
";

#[test]
fn firewalld_generated_nftables() {
    let (checks, diags) = run(
        &[("nft.txt", FIREWALLD_NFT)],
        &inventory(),
        &ssh_report(true),
    );
    assert!(diags.is_empty(), "{diags:?}");
    let c = layer(&checks, Layer::OsFirewall);
    // Everyone but the denied host gets tcp/22.
    assert_eq!(c.status, Status::Warn, "{}", c.summary);
    assert!(
        c.summary
            .contains("line 35 of `nft.txt`: `ip saddr 198.51.100.7 reject"),
        "{}",
        c.summary
    );
    assert!(
        c.summary
            .contains("line 38 of `nft.txt`: `tcp dport 22 accept`"),
        "{}",
        c.summary
    );
    let rep = report(
        5432,
        ENI,
        "10.0.1.5",
        "54.210.10.20",
        true,
        Some("203.0.113.7/32"),
    );
    let (checks, _) = run(&[("nft.txt", FIREWALLD_NFT)], &inventory(), &rep);
    let c = layer(&checks, Layer::OsFirewall);
    assert_eq!(c.status, Status::Fail, "{}", c.summary);
    assert!(
        c.summary
            .contains("line 28 of `nft.txt`: `reject with icmpx admin-prohibited`"),
        "{}",
        c.summary
    );
    // Traffic straight to the instance is not DNAT-ed: `ct status dnat` is no uncertainty.
    assert!(!c.summary.contains("ct status"), "{}", c.summary);
}

#[test]
fn iptables_list_output_is_evaluated() {
    let text = "[root@ip-10-0-1-5 ~]# iptables -L -n -v\n\
Chain INPUT (policy DROP 0 packets, 0 bytes)\n\
\x20pkts bytes target     prot opt in     out     source               destination\n\
\x20   2   120 f2b-sshd   tcp  --  *      *       0.0.0.0/0            0.0.0.0/0            multiport dports 22\n\
\x20   0     0 ACCEPT     tcp  --  *      *       203.0.113.0/24       0.0.0.0/0            tcp dpt:22 /* office ssh */\n\
\n\
Chain f2b-sshd (1 references)\n\
\x20pkts bytes target     prot opt in     out     source               destination\n\
\x20   2   120 REJECT     all  --  *      *       203.0.113.66         0.0.0.0/0            reject-with icmp-port-unreachable\n\
\x20   2   120 RETURN     all  --  *      *       0.0.0.0/0            0.0.0.0/0\n";
    let (checks, diags) = run(&[("ipt.txt", text)], &inventory(), &ssh_report(true));
    assert!(diags.is_empty(), "{diags:?}");
    let c = layer(&checks, Layer::OsFirewall);
    assert_eq!(c.status, Status::Warn, "{}", c.summary);
    // The office block minus the banned host, by the office rule; fail2ban's ban rejects the host.
    assert!(
        c.summary.contains("only from `203.0.113.0/26`"),
        "{}",
        c.summary
    );
    assert!(
        c.evidence.iter().any(|e| e.detail.starts_with("line 9:")
            && e.detail.contains("rejects tcp/22 from `203.0.113.66/32`")),
        "{:?}",
        c.evidence
    );
    assert!(
        c.evidence
            .iter()
            .any(|e| e.detail.starts_with("line 2: Chain INPUT (policy DROP")),
        "{:?}",
        c.evidence
    );
}

/// What the recommended loop prints on Amazon Linux 2023 without ufw or firewalld
/// (`for c in …; do echo "\$ $c"; $c 2>&1; done`): empty outputs and missing tools leave no noise.
#[test]
fn recommended_loop_output() {
    let text = "$ ip -br addr\n\
lo               UNKNOWN        127.0.0.1/8 ::1/128 \n\
ens5             UP             10.0.1.5/24 2600:1f18:4a3:6b00::5/128 fe80::3c:5eff:fe11:2233/64 \n\
$ ip route\n\
default via 10.0.1.1 dev ens5 proto dhcp src 10.0.1.5 metric 512 \n\
10.0.1.0/24 dev ens5 proto kernel scope link src 10.0.1.5 metric 512 \n\
$ ip -6 route\n\
2600:1f18:4a3:6b00::5 dev ens5 proto kernel metric 256 pref medium\n\
fe80::/64 dev ens5 proto kernel metric 256 pref medium\n\
default via fe80::10:ff:fe11:2233 dev ens5 proto ra metric 1024 expires 1798sec hoplimit 64 pref medium\n\
$ ip rule\n\
0:\tfrom all lookup local\n\
32766:\tfrom all lookup main\n\
32767:\tfrom all lookup default\n\
$ ip route show table all\n\
default via 10.0.1.1 dev ens5 proto dhcp src 10.0.1.5 metric 512 \n\
10.0.1.0/24 dev ens5 proto kernel scope link src 10.0.1.5 metric 512 \n\
local 10.0.1.5 dev ens5 table local proto kernel scope host src 10.0.1.5 \n\
broadcast 10.0.1.255 dev ens5 table local proto kernel scope link src 10.0.1.5 \n\
local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1 \n\
fe80::/64 dev ens5 proto kernel metric 256 pref medium\n\
local ::1 dev lo table local proto kernel metric 0 pref medium\n\
multicast ff00::/8 dev ens5 table local proto kernel metric 256 pref medium\n\
$ sudo iptables-save\n\
$ sudo ip6tables-save\n\
$ sudo nft list ruleset\n\
$ sudo ufw status verbose\n\
sudo: ufw: command not found\n\
$ sudo firewall-cmd --list-all\n\
sudo: firewall-cmd: command not found\n\
$ sudo ss -ltnup\n\
Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n\
udp   UNCONN 0      0          127.0.0.1:323        0.0.0.0:*    users:((\"chronyd\",pid=1201,fd=5))\n\
tcp   LISTEN 0      128          0.0.0.0:22         0.0.0.0:*    users:((\"sshd\",pid=1433,fd=3))\n\
tcp   LISTEN 0      128             [::]:22            [::]:*    users:((\"sshd\",pid=1433,fd=4))\n";
    let (checks, diags) = run(&[("evidence.txt", text)], &inventory(), &ssh_report(true));
    assert!(diags.is_empty(), "{diags:?}");
    let layers: Vec<Layer> = checks.iter().map(|c| c.layer).collect();
    // No firewall output at all: no firewall check.
    assert_eq!(layers, vec![Layer::OsRoute, Layer::Listening]);
    assert!(
        checks.iter().all(|c| c.status == Status::Pass),
        "{checks:#?}"
    );
    // The same output answers the IPv6 question.
    let rep = report(
        22,
        ENI,
        "2600:1f18:4a3:6b00::5",
        "2600:1f18:4a3:6b00::5",
        true,
        None,
    );
    let (checks, _) = run(&[("evidence.txt", text)], &inventory(), &rep);
    let r = layer(&checks, Layer::OsRoute);
    assert_eq!(r.status, Status::Pass, "{}", r.summary);
    assert!(
        r.summary
            .contains("default via fe80::10:ff:fe11:2233 dev ens5"),
        "{}",
        r.summary
    );
    let l = layer(&checks, Layer::Listening);
    assert_eq!(l.status, Status::Pass, "{}", l.summary);
    // The IPv6-only socket `[::]:22` is the one that serves the IPv6 address.
    assert!(l.summary.contains("line 35"), "{}", l.summary);
}

#[test]
fn a_client_rejected_then_accepted_is_judged_by_its_latest_record() {
    let text = "2 123456789012 eni-0a1b2c3d4e5f67890 198.51.100.7 10.0.1.5 51234 22 6 3 180 1714558320 1714558380 REJECT OK\n\
                2 123456789012 eni-0a1b2c3d4e5f67890 198.51.100.7 10.0.1.5 51300 22 6 3 180 1714559000 1714559060 ACCEPT OK\n\
                2 123456789012 eni-0a1b2c3d4e5f67890 10.0.1.5 198.51.100.7 22 51300 6 3 252 1714559000 1714559060 ACCEPT OK\n";
    let (checks, _) = run(&[("flows.log", text)], &inventory(), &ssh_report(true));
    let c = layer(&checks, Layer::FlowLogs);
    assert_eq!(c.status, Status::Pass, "{}", c.summary);
    assert!(
        c.summary
            .contains("earlier records rejected `198.51.100.7` (until 2024-05-01 10:13:00 UTC)"),
        "{}",
        c.summary
    );
}
