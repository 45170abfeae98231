#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::IpAddr;

use super::*;
use crate::diag::Severity;
use crate::model::*;
use crate::net::{Cidr, Family, PortRange};

fn one(name: &str, text: &str) -> Loaded {
    load(&[Input {
        name,
        bytes: text.as_bytes(),
    }])
}

fn cidr(s: &str) -> Cidr {
    Cidr::parse(s).unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn of(l: &Loaded, sev: Severity) -> Vec<&Diagnostic> {
    l.diagnostics.iter().filter(|d| d.severity == sev).collect()
}

const SG: &str = r#"{"SecurityGroups": [
  {"GroupId": "sg-1", "GroupName": "web", "VpcId": "vpc-1",
   "IpPermissions": [
     {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
      "IpRanges": [{"CidrIp": "203.0.113.0/24", "Description": "office"}, {"CidrIp": "198.51.100.7/32"}],
      "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/32"}],
      "PrefixListIds": [{"PrefixListId": "pl-0abc"}],
      "UserIdGroupPairs": [{"GroupId": "sg-2", "UserId": "123456789012"}]},
     {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
   ],
   "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}
]}"#;

#[test]
fn security_groups_give_one_rule_per_peer_with_positions() {
    let l = one("sg.json", SG);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let g = &l.inventory.security_groups["sg-1"];
    assert_eq!(g.name.as_deref(), Some("web"));
    assert_eq!(g.vpc_id.as_deref(), Some("vpc-1"));
    assert_eq!(g.ingress.len(), 6);
    let peers: Vec<String> = g.ingress.iter().map(|r| r.peer.to_string()).collect();
    assert_eq!(
        peers,
        [
            "203.0.113.0/24",
            "198.51.100.7/32",
            "2001:db8::/32",
            "prefix list pl-0abc",
            "security group sg-2",
            "10.0.0.0/8"
        ]
    );
    assert!(g.ingress[..5].iter().all(|r| r.position == 1
        && r.traffic
            == Traffic {
                protocol: Protocol::Tcp,
                ports: PortMatch::Ports(PortRange::single(22))
            }));
    assert_eq!(g.ingress[0].description.as_deref(), Some("office"));
    assert_eq!(g.ingress[5].position, 2);
    assert_eq!(g.ingress[5].traffic.protocol, Protocol::All);
    assert_eq!(g.egress.len(), 1);
    assert_eq!(&*g.origin.source, "sg.json");
    assert_eq!(g.origin.path, "SecurityGroups[0]");
    assert_eq!(
        l.documents,
        vec![DocumentInfo {
            source: "sg.json".into(),
            commands: vec![(Command::DescribeSecurityGroups, 1)],
            unused: vec![],
        }]
    );
    assert!(l
        .inventory
        .provided
        .contains(&Command::DescribeSecurityGroups));
}

#[test]
fn bom_utf16_and_crlf_inputs_load_the_same() {
    let plain = one("a.json", SG).inventory;
    let crlf = SG.replace('\n', "\r\n");
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(crlf.as_bytes());
    let mut le = vec![0xFF, 0xFE];
    le.extend(crlf.encode_utf16().flat_map(u16::to_le_bytes));
    let mut be = vec![0xFE, 0xFF];
    be.extend(crlf.encode_utf16().flat_map(u16::to_be_bytes));
    for (label, bytes) in [
        ("crlf", crlf.as_bytes().to_vec()),
        ("bom", bom),
        ("le", le),
        ("be", be),
    ] {
        let l = load(&[Input {
            name: "a.json",
            bytes: &bytes,
        }]);
        assert!(l.diagnostics.is_empty(), "{label}: {:?}", l.diagnostics);
        assert_eq!(l.inventory, plain, "{label}");
    }
}

#[test]
fn invalid_encoding_is_an_error_naming_the_input() {
    let l = load(&[Input {
        name: "bad.json",
        bytes: b"{\"Vpcs\": [\"\xC3\x28\"]}",
    }]);
    let e = of(&l, Severity::Error);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].source, "bad.json");
    assert!(e[0].message.contains("UTF-8"), "{}", e[0].message);
    assert_eq!((e[0].line, e[0].column), (Some(1), Some(12)));
}

#[test]
fn non_json_goes_to_texts_with_lf_line_endings() {
    let l = load(&[
        Input {
            name: "flow.txt",
            bytes: b"2 123456789012 eni-1 1.2.3.4 10.0.0.5 443 22 6 1 40 1 2 REJECT OK\r\nnext\r\n",
        },
        Input {
            name: "vpcs.json",
            bytes: b"  \n{\"Vpcs\": []}",
        },
    ]);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    assert_eq!(l.texts.len(), 1);
    assert_eq!(l.texts[0].0, "flow.txt");
    assert!(l.texts[0].1.ends_with("REJECT OK\nnext\n"));
    assert!(l.inventory.provided.contains(&Command::DescribeVpcs));
}

#[test]
fn concatenated_documents_are_named_with_their_index() {
    let text = format!(
        "{}\n{}\n{}",
        r#"{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]}"#,
        r#"{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"}]}"#,
        r#"{"Vpcs": [{"VpcId": "vpc-2", "CidrBlock": "10.1.0.0/16"}], "NextToken": "abc"}"#
    );
    let l = one("stdin", &text);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let names: Vec<&str> = l.documents.iter().map(|d| d.source.as_str()).collect();
    assert_eq!(names, ["stdin#1", "stdin#2", "stdin#3"]);
    // Pages of the same command merge.
    assert_eq!(l.inventory.vpcs.len(), 2);
    assert_eq!(&*l.inventory.vpcs["vpc-2"].origin.source, "stdin#3");
    assert_eq!(
        l.inventory.subnets["subnet-1"].cidr,
        Some(cidr("10.0.1.0/24"))
    );
    // A single document keeps the plain name, even with blank lines after it.
    let l = one("one.json", "{\"Vpcs\": []}\n\n");
    assert_eq!(l.documents[0].source, "one.json");
}

#[test]
fn a_bundle_object_gives_several_commands() {
    let l = one(
        "bundle.json",
        r#"{"Vpcs": [{"VpcId": "vpc-1", "IsDefault": true,
              "CidrBlockAssociationSet": [{"CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}},
                                          {"CidrBlock": "10.9.0.0/16", "CidrBlockState": {"State": "disassociated"}},
                                          {"CidrBlock": "100.64.0.0/24"}],
              "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2001:db8:1::/56", "Ipv6CidrBlockState": {"State": "associated"}}],
              "BlockPublicAccessStates": {"InternetGatewayBlockMode": "block-ingress"}}],
            "InternetGateways": [{"InternetGatewayId": "igw-1", "Attachments": [{"VpcId": "vpc-1", "State": "available"}]}],
            "EgressOnlyInternetGateways": [{"EgressOnlyInternetGatewayId": "eigw-1", "Attachments": [{"VpcId": "vpc-1", "State": "attached"}]}],
            "VpcBlockPublicAccessOptions": {"InternetGatewayBlockMode": "block-bidirectional", "State": "update-complete"},
            "VpcEndpoints": [], "DhcpOptions": []}"#,
    );
    let inv = &l.inventory;
    let v = &inv.vpcs["vpc-1"];
    assert_eq!(v.cidrs, vec![cidr("10.0.0.0/16"), cidr("100.64.0.0/24")]);
    assert_eq!(v.ipv6_cidrs, vec![cidr("2001:db8:1::/56")]);
    assert!(v.is_default);
    assert_eq!(v.bpa, Some(BpaMode::BlockIngress));
    assert!(inv.internet_gateways["igw-1"].attached_to("vpc-1"));
    assert!(inv.egress_only_gateways["eigw-1"].attached_to("vpc-1"));
    assert_eq!(inv.bpa_account, Some(BpaMode::BlockBidirectional));
    let doc = &l.documents[0];
    assert_eq!(
        doc.commands,
        vec![
            (Command::DescribeInternetGateways, 1),
            (Command::DescribeEgressOnlyInternetGateways, 1),
            (Command::DescribeVpcs, 1),
            (Command::DescribeVpcBlockPublicAccessOptions, 1),
        ]
    );
    assert_eq!(doc.unused, ["DhcpOptions", "VpcEndpoints"]);
    let notes = of(&l, Severity::Note);
    assert_eq!(notes.len(), 1);
    assert_eq!(
        notes[0].message,
        "the top-level keys `DhcpOptions` and `VpcEndpoints` are not used"
    );
    assert!(of(&l, Severity::Warning).is_empty());
}

#[test]
fn malformed_json_is_an_error_with_whole_input_position_and_earlier_documents_stay() {
    let text = "{\"Vpcs\": [{\"VpcId\": \"vpc-1\"}]}\n{\"Subnets\": [\n  {\"SubnetId\": \"subnet-1\",}\n]}";
    let l = one("cat.json", text);
    assert!(l.inventory.vpcs.contains_key("vpc-1"));
    assert!(l.inventory.subnets.is_empty());
    let e = of(&l, Severity::Error);
    assert_eq!(e.len(), 1, "{:?}", l.diagnostics);
    assert_eq!(e[0].source, "cat.json");
    // The trailing comma is at line 3, column 26; serde reports the `}` after it.
    assert_eq!(e[0].line, Some(3));
    assert_eq!(e[0].column, Some(27));
    assert!(
        e[0].message.starts_with("the JSON is malformed: "),
        "{}",
        e[0].message
    );
    assert!(!e[0].message.contains("at line"), "{}", e[0].message);
}

#[test]
fn syntax_error_after_a_fallback_document_has_whole_input_position() {
    // Document 1 has a shape error (read by the fallback), document 2 a syntax error.
    let text = "{\"Vpcs\": {\"VpcId\": \"vpc-1\"}}\n{\"Vpcs\": [\n\n  {\"VpcId\" \"vpc-2\"}]}";
    let l = one("x.json", text);
    let w = of(&l, Severity::Warning);
    assert_eq!(w.len(), 1, "{:?}", l.diagnostics);
    assert_eq!(w[0].source, "x.json#1");
    assert_eq!(w[0].path.as_deref(), Some("Vpcs"));
    assert!(
        w[0].message.contains("expected a list, found an object"),
        "{}",
        w[0].message
    );
    let e = of(&l, Severity::Error);
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].line, e[0].column), (Some(4), Some(12)));
}

#[test]
fn top_level_list_is_a_query_projection_note() {
    let l = one("q.json", "[[\"i-1\", \"10.0.0.1\"]]");
    let n = of(&l, Severity::Note);
    assert_eq!(n.len(), 1);
    assert!(
        n[0].message.contains("`--query` projection"),
        "{}",
        n[0].message
    );
    assert_eq!(
        n[0].help.as_deref(),
        Some("re-run the command without `--query`")
    );
    assert!(l.inventory.provided.is_empty());
}

#[test]
fn empty_arrays_count_as_provided_and_next_token_is_silent() {
    let l = one(
        "e.json",
        r#"{"Reservations": [], "NetworkAcls": [], "NextToken": "t", "ResponseMetadata": {}}"#,
    );
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    assert!(l.inventory.provided.contains(&Command::DescribeInstances));
    assert!(l.inventory.provided.contains(&Command::DescribeNetworkAcls));
    assert_eq!(
        l.documents[0].commands,
        vec![
            (Command::DescribeInstances, 0),
            (Command::DescribeNetworkAcls, 0)
        ]
    );
}

#[test]
fn an_object_with_nothing_we_know_is_a_warning() {
    let l = one("empty.json", "{}");
    let w = of(&l, Severity::Warning);
    assert_eq!(w.len(), 1);
    assert!(w[0].message.contains("no describe-* output"));
}

#[test]
fn duplicates_same_content_is_silent_different_content_warns_and_last_wins() {
    let a = r#"{"Subnets": [{"SubnetId": "subnet-1", "CidrBlock": "10.0.1.0/24", "MapPublicIpOnLaunch": false}]}"#;
    let b = r#"{"Subnets": [{"SubnetId": "subnet-1", "CidrBlock": "10.0.1.0/24", "MapPublicIpOnLaunch": true}]}"#;
    let l = load(&[
        Input {
            name: "a.json",
            bytes: a.as_bytes(),
        },
        Input {
            name: "a-again.json",
            bytes: a.as_bytes(),
        },
    ]);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let l = load(&[
        Input {
            name: "a.json",
            bytes: a.as_bytes(),
        },
        Input {
            name: "b.json",
            bytes: b.as_bytes(),
        },
    ]);
    let w = of(&l, Severity::Warning);
    assert_eq!(w.len(), 1, "{:?}", l.diagnostics);
    assert_eq!(
        w[0].message,
        "`subnet-1` is listed twice with different content, in `a.json` at `Subnets[0]` and in \
         `b.json` at `Subnets[0]`; the last one is used"
    );
    let s = &l.inventory.subnets["subnet-1"];
    assert!(s.map_public_ip_on_launch);
    assert_eq!(&*s.origin.source, "b.json");
}

const INSTANCES: &str = r#"{"Reservations": [{"Instances": [{
  "InstanceId": "i-1", "State": {"Code": 272, "Name": "running"}, "SubnetId": "subnet-1", "VpcId": "vpc-1",
  "PrivateIpAddress": "10.0.1.4", "PublicIpAddress": "54.1.2.3", "Platform": "windows",
  "Tags": [{"Key": "env", "Value": "prod"}, {"Key": "Name", "Value": "web-1"}],
  "SecurityGroups": [{"GroupId": "sg-1", "GroupName": "web"}],
  "NetworkInterfaces": [
    {"NetworkInterfaceId": "eni-2", "Attachment": {"DeviceIndex": 1, "Status": "attached"},
     "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.1.50", "Primary": true}], "Groups": [{"GroupId": "sg-1"}]},
    {"NetworkInterfaceId": "eni-1", "Attachment": {"DeviceIndex": 0, "Status": "attached"},
     "Association": {"PublicIp": "54.1.2.3"}, "SubnetId": "subnet-1",
     "PrivateIpAddress": "10.0.1.4",
     "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.1.4", "Primary": true},
                            {"PrivateIpAddress": "10.0.1.9", "Primary": false}],
     "Ipv6Addresses": [{"Ipv6Address": "2001:db8::5"}], "Groups": [{"GroupId": "sg-1"}]}
  ]}]}]}"#;

#[test]
fn instances_and_their_nested_enis() {
    let l = one("i.json", INSTANCES);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let i = &l.inventory.instances["i-1"];
    // Only the low byte of the state code counts.
    assert_eq!(i.state, InstanceState::Running);
    assert_eq!(i.name.as_deref(), Some("web-1"));
    assert_eq!(i.eni_ids, ["eni-1", "eni-2"]);
    assert_eq!(i.security_groups, ["sg-1"]);
    assert_eq!(i.public_ip, Some(ip("54.1.2.3")));
    assert_eq!(i.platform.as_deref(), Some("windows"));
    assert_eq!(i.origin.path, "Reservations[0].Instances[0]");
    let e = &l.inventory.enis["eni-1"];
    assert_eq!(e.instance_id.as_deref(), Some("i-1"));
    assert_eq!(e.device_index, Some(0));
    assert_eq!(
        e.private_ips,
        vec![
            PrivateIp {
                address: ip("10.0.1.4"),
                primary: true,
                public_ip: Some(ip("54.1.2.3"))
            },
            PrivateIp {
                address: ip("10.0.1.9"),
                primary: false,
                public_ip: None
            }
        ]
    );
    assert_eq!(e.ipv6_addresses, vec![ip("2001:db8::5")]);
    assert_eq!(
        e.origin.path,
        "Reservations[0].Instances[0].NetworkInterfaces[1]"
    );
    let found: Vec<&str> = l
        .inventory
        .enis_of("i-1")
        .iter()
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(found, ["eni-1", "eni-2"]);
}

#[test]
fn an_eni_in_both_commands_is_merged_not_a_duplicate() {
    let dni = r#"{"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "VpcId": "vpc-1",
        "Attachment": {"InstanceId": "i-1", "DeviceIndex": 0, "Status": "attached"},
        "InterfaceType": "interface", "SourceDestCheck": false, "Description": "Primary network interface",
        "Groups": [{"GroupId": "sg-9"}]}]}"#;
    for order in [[INSTANCES, dni], [dni, INSTANCES]] {
        let l = load(&[
            Input {
                name: "first.json",
                bytes: order[0].as_bytes(),
            },
            Input {
                name: "second.json",
                bytes: order[1].as_bytes(),
            },
        ]);
        assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
        let e = &l.inventory.enis["eni-1"];
        // From describe-network-interfaces …
        assert_eq!(e.vpc_id.as_deref(), Some("vpc-1"));
        assert_eq!(e.source_dest_check, Some(false));
        assert_eq!(e.groups, ["sg-9"]);
        assert!(e.origin.path.starts_with("NetworkInterfaces[0]"));
        // … filled in from describe-instances.
        assert_eq!(e.subnet_id.as_deref(), Some("subnet-1"));
        assert_eq!(e.private_ips.len(), 2);
        assert_eq!(e.ipv6_addresses, vec![ip("2001:db8::5")]);
    }
}

#[test]
fn a_bad_field_names_its_path_and_keeps_the_rest() {
    let text = r#"{"SecurityGroups": [
      {"GroupName": "no-id"},
      {"GroupId": "sg-1", "IpPermissions": [
         {"IpProtocol": "tcp", "FromPort": "22", "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
         {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
          "IpRanges": [{"CidrIp": "0.0.0.0/0"}, {"CidrIp": "300.1.2.3/8"}]}]},
      {"GroupId": "sg-2"}
    ],
    "Reservations": [{"Instances": [{"InstanceId": "i-1", "PrivateIpAddress": "10-0-0-157"}]}]}"#;
    let l = one("bad.json", text);
    let w = of(&l, Severity::Warning);
    let paths: Vec<&str> = w.iter().filter_map(|d| d.path.as_deref()).collect();
    // In input order: the warnings of each resource as it is read.
    assert_eq!(
        paths,
        [
            "SecurityGroups[0].GroupId",
            "SecurityGroups[1].IpPermissions[0].FromPort",
            "SecurityGroups[1].IpPermissions[1].IpRanges[1].CidrIp",
            "Reservations[0].Instances[0].PrivateIpAddress",
        ]
    );
    assert_eq!(
        w[0].message,
        "`GroupId` is missing, so this security group is skipped"
    );
    assert_eq!(
        w[1].message,
        "expected a whole number, found the string `\"22\"`, so this rule is skipped"
    );
    assert!(
        w[2].message.starts_with("`300.1.2.3/8` is not"),
        "{}",
        w[2].message
    );
    assert_eq!(
        w[3].message,
        "`10-0-0-157` is not an IP address, so the value is ignored"
    );
    let inv = &l.inventory;
    assert_eq!(inv.security_groups.len(), 2);
    let g = &inv.security_groups["sg-1"];
    assert_eq!(g.ingress.len(), 1);
    assert_eq!(g.ingress[0].position, 2);
    assert_eq!(g.ingress[0].peer, SgPeer::Cidr(cidr("0.0.0.0/0")));
    assert_eq!(inv.instances["i-1"].private_ip, None);
    assert!(w.iter().all(|d| d.source == "bad.json"));
}

#[test]
fn only_name_tags_are_read_and_bad_tag_keys_are_reported() {
    // Only `Name` gives a value; a key that is not a string is reported, other tags are not read.
    let text = r#"{"Reservations": [{"Instances": [{"InstanceId": "i-1", "Tags": [
        {"Key": 5, "Value": "x"},
        {"Key": "env", "Value": 7},
        {"Key": "Name", "Value": ["web"]},
        {"Value": "no key"},
        {"Key": "Name", "Value": "web-2"},
        {"Key": "team", "Value": "a"}]},
      {"InstanceId": "i-2", "Tags": [{"Key": "Name", "Value": "db"}, {"Key": "Name"}]},
      {"InstanceId": "i-3", "Tags": null}]}]}"#;
    let l = one("tags.json", text);
    let paths: Vec<&str> = of(&l, Severity::Warning)
        .iter()
        .filter_map(|d| d.path.as_deref())
        .collect();
    assert_eq!(
        paths,
        [
            "Reservations[0].Instances[0].Tags[0].Key",
            "Reservations[0].Instances[0].Tags[2].Value",
        ]
    );
    let inv = &l.inventory;
    assert_eq!(inv.instances["i-1"].name.as_deref(), Some("web-2"));
    // The last `Name` decides, even when it has no value.
    assert_eq!(inv.instances["i-2"].name, None);
    assert_eq!(inv.instances["i-3"].name, None);
}

#[test]
fn a_wrong_shape_falls_back_to_skipping_just_that_resource() {
    let text = r#"{"SecurityGroups": [
        {"GroupId": "sg-1", "IpPermissions": [{"IpProtocol": "-1", "IpRanges": {"CidrIp": "0.0.0.0/0"}}]},
        {"GroupId": "sg-2", "IpPermissions": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}],
      "Reservations": [{"Instances": [
        {"InstanceId": "i-1", "NetworkInterfaces": "none"},
        {"InstanceId": "i-2"}]}],
      "Vpcs": [{"VpcId": "vpc-1"}], "Tags": []}"#;
    let l = one("shape.json", text);
    let w = of(&l, Severity::Warning);
    let paths: Vec<&str> = w.iter().filter_map(|d| d.path.as_deref()).collect();
    assert_eq!(
        paths,
        [
            "Reservations[0].Instances[0].NetworkInterfaces",
            "SecurityGroups[0].IpPermissions[0].IpRanges"
        ],
        "{:?}",
        l.diagnostics
    );
    assert!(
        w[1].message.starts_with("expected a list"),
        "{}",
        w[1].message
    );
    let inv = &l.inventory;
    assert_eq!(inv.security_groups.keys().collect::<Vec<_>>(), ["sg-2"]);
    assert_eq!(inv.instances.keys().collect::<Vec<_>>(), ["i-2"]);
    assert!(inv.vpcs.contains_key("vpc-1"));
    assert_eq!(l.documents[0].unused, ["Tags"]);
    assert_eq!(
        l.documents[0].commands,
        vec![
            (Command::DescribeInstances, 1),
            (Command::DescribeSecurityGroups, 1),
            (Command::DescribeVpcs, 1)
        ]
    );
}

#[test]
fn security_group_rules_merge_into_groups() {
    let flat = r#"{"SecurityGroupRules": [
      {"SecurityGroupRuleId": "sgr-1", "GroupId": "sg-1", "IsEgress": false, "IpProtocol": "tcp",
       "FromPort": 22, "ToPort": 22, "CidrIpv4": "203.0.113.0/24"},
      {"SecurityGroupRuleId": "sgr-2", "GroupId": "sg-1", "IsEgress": false, "IpProtocol": "tcp",
       "FromPort": 22, "ToPort": 22, "ReferencedGroupInfo": {"GroupId": "sg-2", "UserId": "1"}},
      {"SecurityGroupRuleId": "sgr-3", "GroupId": "sg-1", "IsEgress": true, "IpProtocol": "-1",
       "FromPort": -1, "ToPort": -1, "CidrIpv4": "0.0.0.0/0"},
      {"SecurityGroupRuleId": "sgr-4", "GroupId": "sg-1", "IsEgress": false, "IpProtocol": "udp",
       "FromPort": 53, "ToPort": 53, "PrefixListId": "pl-1"},
      {"SecurityGroupRuleId": "sgr-5", "GroupId": "sg-7", "IsEgress": false, "IpProtocol": "icmpv6",
       "FromPort": -1, "ToPort": -1, "CidrIpv6": "::/0"}
    ]}"#;
    let full = r#"{"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "web",
      "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": "203.0.113.0/24"}], "UserIdGroupPairs": [{"GroupId": "sg-2"}]}],
      "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]}"#;
    for order in [[flat, full], [full, flat]] {
        let l = load(&[
            Input {
                name: "1.json",
                bytes: order[0].as_bytes(),
            },
            Input {
                name: "2.json",
                bytes: order[1].as_bytes(),
            },
        ]);
        assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
        let g = &l.inventory.security_groups["sg-1"];
        assert_eq!(g.name.as_deref(), Some("web"));
        let ids: Vec<Option<&str>> = g.ingress.iter().map(|r| r.rule_id.as_deref()).collect();
        assert_eq!(ids, [Some("sgr-1"), Some("sgr-2"), Some("sgr-4")]);
        let positions: Vec<usize> = g.ingress.iter().map(|r| r.position).collect();
        assert_eq!(positions, [1, 1, 2]);
        assert_eq!(g.egress.len(), 1);
        assert_eq!(g.egress[0].rule_id.as_deref(), Some("sgr-3"));
        // A group known only from its rules is created.
        let g7 = &l.inventory.security_groups["sg-7"];
        assert_eq!(g7.name, None);
        assert_eq!(
            g7.ingress[0].traffic,
            Traffic {
                protocol: Protocol::Icmpv6,
                ports: PortMatch::Icmp {
                    icmp_type: None,
                    code: None
                }
            }
        );
    }
}

#[test]
fn network_acls() {
    let l = one(
        "acl.json",
        r#"{"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": false,
          "Associations": [{"SubnetId": "subnet-1"}, {"SubnetId": "subnet-2"}],
          "Entries": [
            {"RuleNumber": 100, "Protocol": "6", "PortRange": {"From": 22, "To": 22}, "RuleAction": "allow", "Egress": false, "CidrBlock": "0.0.0.0/0"},
            {"RuleNumber": 110, "Protocol": "1", "RuleAction": "allow", "Egress": false, "CidrBlock": "10.0.0.0/16"},
            {"RuleNumber": 120, "Protocol": 6, "PortRange": {"From": 443, "To": 443}, "RuleAction": "allow", "Egress": false, "CidrBlock": "0.0.0.0/0"},
            {"RuleNumber": 130, "Protocol": "6", "RuleAction": "maybe", "Egress": false, "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 1, "To": 2}},
            {"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": true, "CidrBlock": "0.0.0.0/0"}]}]}"#,
    );
    let w = of(&l, Severity::Warning);
    assert_eq!(w.len(), 1, "{:?}", l.diagnostics);
    assert_eq!(
        w[0].path.as_deref(),
        Some("NetworkAcls[0].Entries[3].RuleAction")
    );
    let a = &l.inventory.network_acls["acl-1"];
    assert_eq!(a.subnet_ids, ["subnet-1", "subnet-2"]);
    assert!(!a.is_default);
    let numbers: Vec<u32> = a.entries.iter().map(|e| e.rule_number).collect();
    assert_eq!(numbers, [100, 110, 120, 32767]);
    // moto omits IcmpTypeCode: all types.
    assert_eq!(
        a.entries[1].traffic.ports,
        PortMatch::Icmp {
            icmp_type: None,
            code: None
        }
    );
    assert_eq!(a.entries[3].action, RuleAction::Deny);
    assert!(a.entries[3].egress);
}

#[test]
fn route_tables_targets_and_associations() {
    let l = one(
        "rt.json",
        r#"{"RouteTables": [
          {"RouteTableId": "rtb-main", "VpcId": "vpc-1", "Associations": [{"Main": true}],
           "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"}]},
          {"RouteTableId": "rtb-1", "VpcId": "vpc-1",
           "Associations": [{"Main": false, "SubnetId": "subnet-1", "AssociationState": {"State": "associated"}},
                            {"Main": false, "SubnetId": "subnet-old", "AssociationState": {"State": "disassociated"}}],
           "Routes": [
             {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "Origin": "CreateRoute", "State": "active"},
             {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1", "State": "blackhole"},
             {"DestinationPrefixListId": "pl-1", "GatewayId": "vpce-1"},
             {"DestinationCidrBlock": "192.168.0.0/16", "InstanceId": "i-nat", "NetworkInterfaceId": "eni-nat", "Origin": "CreateRoute"},
             {"DestinationCidrBlock": "172.16.0.0/12", "NatGatewayId": "nat-1"},
             {"DestinationCidrBlock": "10.1.0.0/16", "VpcPeeringConnectionId": "pcx-1"},
             {"DestinationCidrBlock": "10.2.0.0/16", "TransitGatewayId": "tgw-1", "Origin": "EnableVgwRoutePropagation"},
             {"DestinationCidrBlock": "10.3.0.0/16", "CarrierGatewayId": "cagw-1"},
             {"DestinationCidrBlock": "10.4.0.0/16", "LocalGatewayId": "lgw-1"},
             {"DestinationCidrBlock": "10.5.0.0/16", "CoreNetworkArn": "arn:aws:networkmanager::1:core-network/x"},
             {"DestinationCidrBlock": "10.6.0.0/16", "GatewayId": "vgw-1"},
             {"DestinationCidrBlock": "10.7.0.0/16"},
             {"GatewayId": "igw-1"}
           ]}]}"#,
    );
    let w = of(&l, Severity::Warning);
    let paths: Vec<&str> = w.iter().filter_map(|d| d.path.as_deref()).collect();
    assert_eq!(
        paths,
        ["RouteTables[1].Routes[11]", "RouteTables[1].Routes[12]"]
    );
    assert_eq!(
        w[0].message,
        "the route has no target, so this route is skipped"
    );
    let inv = &l.inventory;
    assert!(inv.route_tables["rtb-main"].main);
    let t = &inv.route_tables["rtb-1"];
    assert!(!t.main);
    assert_eq!(t.subnet_ids, ["subnet-1"]);
    let targets: Vec<RouteTarget> = t.routes.iter().map(|r| r.target.clone()).collect();
    assert_eq!(
        targets,
        [
            RouteTarget::InternetGateway("igw-1".into()),
            RouteTarget::EgressOnlyInternetGateway("eigw-1".into()),
            RouteTarget::VpcEndpoint("vpce-1".into()),
            RouteTarget::Instance("i-nat".into()),
            RouteTarget::NatGateway("nat-1".into()),
            RouteTarget::VpcPeering("pcx-1".into()),
            RouteTarget::TransitGateway("tgw-1".into()),
            RouteTarget::CarrierGateway("cagw-1".into()),
            RouteTarget::LocalGateway("lgw-1".into()),
            RouteTarget::CoreNetwork("arn:aws:networkmanager::1:core-network/x".into()),
            RouteTarget::VirtualPrivateGateway("vgw-1".into()),
        ]
    );
    assert_eq!(t.routes[1].state, RouteState::Blackhole);
    assert_eq!(t.routes[2].dest, RouteDest::PrefixList("pl-1".into()));
    assert_eq!(t.routes[6].origin, RouteOrigin::Propagated);
    assert_eq!(
        inv.route_tables["rtb-main"].routes[0].origin,
        RouteOrigin::CreateRouteTable
    );
    assert_eq!(
        inv.route_table_for_subnet("subnet-9", Some("vpc-1"))
            .map(|(t, implicit)| (t.id.as_str(), implicit)),
        Some(("rtb-main", true))
    );
}

#[test]
fn addresses_statuses_nat_and_flow_logs() {
    let l = one(
        "misc.json",
        r#"{"Addresses": [
              {"PublicIp": "198.51.100.1", "AllocationId": "eipalloc-1", "AssociationId": "eipassoc-1",
               "InstanceId": "", "NetworkInterfaceId": "eni-1", "PrivateIpAddress": "10.0.1.50"},
              {"PublicIp": "198.51.100.2", "InstanceId": "", "NetworkInterfaceId": ""}],
            "InstanceStatuses": [{"InstanceId": "i-1", "InstanceState": {"Code": 16, "Name": "running"},
              "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
              "InstanceStatus": {"Status": "impaired", "Details": [{"Name": "reachability", "Status": "failed"}]},
              "Events": [{"Code": "system-reboot", "Description": "scheduled"}]}],
            "NatGateways": [{"NatGatewayId": "nat-1", "VpcId": "vpc-1", "SubnetId": "subnet-1", "State": "available",
              "NatGatewayAddresses": [{"PublicIp": "198.51.100.9"}]}],
            "FlowLogs": [{"FlowLogId": "fl-2", "ResourceId": "subnet-1", "TrafficType": "REJECT", "LogDestination": "arn:aws:s3:::b"},
                         {"FlowLogId": "fl-1", "ResourceId": "vpc-1", "TrafficType": "ALL", "LogGroupName": "/vpc/flow",
                          "FlowLogStatus": "ACTIVE", "LogFormat": "${version} ${srcaddr}"}]}"#,
    );
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let inv = &l.inventory;
    let a = &inv.addresses[&ip("198.51.100.1")];
    assert_eq!(a.instance_id, None);
    assert_eq!(a.eni_id.as_deref(), Some("eni-1"));
    assert_eq!(a.private_ip, Some(ip("10.0.1.50")));
    assert_eq!(inv.addresses[&ip("198.51.100.2")].eni_id, None);
    let s = &inv.instance_status["i-1"];
    assert_eq!(s.state, Some(InstanceState::Running));
    assert_eq!(s.instance.as_ref().unwrap().status, "impaired");
    assert_eq!(
        s.instance.as_ref().unwrap().details,
        [("reachability".into(), "failed".into())]
    );
    assert_eq!(s.events, [("system-reboot".into(), "scheduled".into())]);
    assert_eq!(
        inv.nat_gateways["nat-1"].public_ips,
        vec![ip("198.51.100.9")]
    );
    let ids: Vec<&str> = inv.flow_logs.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["fl-1", "fl-2"]);
    assert_eq!(inv.flow_logs[0].destination.as_deref(), Some("/vpc/flow"));
    assert_eq!(
        inv.flow_logs[1].destination.as_deref(),
        Some("arn:aws:s3:::b")
    );
}

const MANAGED: &str = r#"{"PrefixLists": [
  {"PrefixListId": "pl-0a", "AddressFamily": "IPv4", "MaxEntries": 10, "PrefixListName": "office", "State": "create-complete"},
  {"PrefixListId": "pl-0b", "AddressFamily": "IPv6", "MaxEntries": 5, "PrefixListName": "v6"}]}"#;

#[test]
fn prefix_lists_tied_by_key_in_the_object() {
    let entries = r#"{"PrefixListId": "pl-0a", "Entries": [{"Cidr": "198.51.100.0/24"}, {"Cidr": "192.0.2.128/25"}]}"#;
    let l = load(&[
        Input {
            name: "managed.json",
            bytes: MANAGED.as_bytes(),
        },
        Input {
            name: "stdin",
            bytes: entries.as_bytes(),
        },
    ]);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let pl = &l.inventory.prefix_lists["pl-0a"];
    assert_eq!(pl.name.as_deref(), Some("office"));
    assert_eq!(pl.family, Some(Family::Ipv4));
    assert_eq!(pl.max_entries, Some(10));
    assert_eq!(
        pl.entries,
        Some(vec![cidr("198.51.100.0/24"), cidr("192.0.2.128/25")])
    );
    assert_eq!(&*pl.origin.source, "managed.json");
    assert_eq!(l.inventory.prefix_lists["pl-0b"].entries, None);
    assert!(l
        .inventory
        .provided
        .contains(&Command::GetManagedPrefixListEntries));
    assert!(l
        .inventory
        .provided
        .contains(&Command::DescribeManagedPrefixLists));
    assert!(!l.inventory.provided.contains(&Command::DescribePrefixLists));
    assert_eq!(
        l.documents[1].commands,
        vec![(Command::GetManagedPrefixListEntries, 2)]
    );
    assert!(l.documents[1].unused.is_empty());
}

#[test]
fn prefix_lists_tied_by_file_name_create_the_list() {
    let entries =
        r#"{"Entries": [{"Cidr": "203.0.113.0/24", "Description": "x"}, {"Cidr": "nope"}]}"#;
    let l = one("out/get-managed-prefix-list-entries__pl-0c1.json", entries);
    let w = of(&l, Severity::Warning);
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].path.as_deref(), Some("Entries[1].Cidr"));
    let pl = &l.inventory.prefix_lists["pl-0c1"];
    assert_eq!(pl.entries, Some(vec![cidr("203.0.113.0/24")]));
    assert_eq!(pl.family, Some(Family::Ipv4));
    assert_eq!(pl.name, None);
    assert_eq!(pl.origin.path, "Entries");
}

#[test]
fn prefix_list_entries_that_cannot_be_tied_warn() {
    let l = one(
        "entries.json",
        r#"{"Entries": [{"Cidr": "203.0.113.0/24"}]}"#,
    );
    let w = of(&l, Severity::Warning);
    assert_eq!(w.len(), 1);
    assert!(
        w[0].message.contains("could not be tied"),
        "{}",
        w[0].message
    );
    let help = w[0].help.as_deref().unwrap();
    assert!(help.contains("\"PrefixListId\": \"pl-…\""), "{help}");
    assert!(help.contains("name the file after the list"), "{help}");
    assert!(l.inventory.prefix_lists.is_empty());
    assert_eq!(
        l.documents[0].commands,
        vec![(Command::GetManagedPrefixListEntries, 0)]
    );
    // An invalid `PrefixListId` is reported, then the name is tried.
    let l = one(
        "entries__pl-0d.json",
        r#"{"PrefixListId": 7, "Entries": [{"Cidr": "203.0.113.0/24"}]}"#,
    );
    assert_eq!(of(&l, Severity::Warning).len(), 1);
    assert!(l.inventory.prefix_lists.contains_key("pl-0d"));
}

#[test]
fn legacy_and_managed_prefix_lists_share_a_key() {
    let legacy = r#"{"PrefixLists": [{"PrefixListId": "pl-0a", "PrefixListName": "com.amazonaws.us-east-1.s3",
        "Cidrs": ["52.216.0.0/15", "3.5.0.0/19"]}, {"PrefixListId": "pl-0e", "PrefixListName": "ddb"}]}"#;
    let l = load(&[
        Input {
            name: "legacy.json",
            bytes: legacy.as_bytes(),
        },
        Input {
            name: "managed.json",
            bytes: MANAGED.as_bytes(),
        },
    ]);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let inv = &l.inventory;
    assert!(inv.provided.contains(&Command::DescribePrefixLists));
    assert!(inv.provided.contains(&Command::DescribeManagedPrefixLists));
    let a = &inv.prefix_lists["pl-0a"];
    assert_eq!(a.name.as_deref(), Some("office"));
    assert_eq!(a.max_entries, Some(10));
    assert_eq!(
        a.entries,
        Some(vec![cidr("52.216.0.0/15"), cidr("3.5.0.0/19")])
    );
    assert_eq!(inv.prefix_lists["pl-0e"].entries, None);
    assert_eq!(
        l.documents[0].commands,
        vec![(Command::DescribePrefixLists, 2)]
    );
    assert_eq!(
        l.documents[1].commands,
        vec![(Command::DescribeManagedPrefixLists, 2)]
    );
}

#[test]
fn a_bom_between_concatenated_documents_is_skipped() {
    let text = "{\"Vpcs\": []}\n\u{feff}{\"Subnets\": []}";
    let l = one("stdin", text);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    assert_eq!(l.documents.len(), 2);
    assert!(l.inventory.provided.contains(&Command::DescribeSubnets));
}

#[test]
fn subnets_with_ipv6_and_block_public_access() {
    let l = one(
        "s.json",
        r#"{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24",
            "MapPublicIpOnLaunch": true,
            "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2001:db8:1:1::/64", "Ipv6CidrBlockState": {"State": "associated"}}],
            "BlockPublicAccessStates": {"InternetGatewayBlockMode": "off"}},
           {"SubnetId": "subnet-2", "BlockPublicAccessStates": {"InternetGatewayBlockMode": "sideways"}}]}"#,
    );
    let s = &l.inventory.subnets["subnet-1"];
    assert!(s.map_public_ip_on_launch);
    assert_eq!(s.ipv6_cidrs, vec![cidr("2001:db8:1:1::/64")]);
    assert_eq!(s.bpa, Some(BpaMode::Off));
    let w = of(&l, Severity::Warning);
    assert_eq!(w.len(), 1);
    assert_eq!(
        w[0].path.as_deref(),
        Some("Subnets[1].BlockPublicAccessStates.InternetGatewayBlockMode")
    );
    assert_eq!(l.inventory.subnets["subnet-2"].bpa, None);
}

#[test]
fn json_then_command_output_in_one_paste() {
    let paste = "{\"Vpcs\": [{\"VpcId\": \"vpc-1\", \"CidrBlock\": \"10.0.0.0/16\"}]}\n$ sudo ss -ltnp\nState  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\nLISTEN 0 511 0.0.0.0:443 0.0.0.0:*\n";
    let l = load(&[Input {
        name: "paste",
        bytes: paste.as_bytes(),
    }]);
    assert!(
        l.diagnostics.iter().all(|d| d.severity != Severity::Error),
        "{:?}",
        l.diagnostics
    );
    assert_eq!(l.inventory.vpcs.len(), 1);
    assert_eq!(l.texts.len(), 1);
    assert!(l.texts[0].1.starts_with("$ sudo ss -ltnp"));
    // Broken JSON after JSON is still an error with its position.
    let broken = "{\"Vpcs\": []}\n{\"Subnets\": [,]}";
    let l = load(&[Input {
        name: "paste",
        bytes: broken.as_bytes(),
    }]);
    assert!(l
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error && d.line == Some(2)));
}

/// describe-instances whose nested copies disagree with describe-network-interfaces: `eni-1`'s
/// copy has an unreadable address and other values; `eni-2` is only nested, listed first.
const NESTED: &str = r#"{"Reservations": [{"Instances": [{"InstanceId": "i-1", "NetworkInterfaces": [
  {"NetworkInterfaceId": "eni-2", "PrivateIpAddress": "10.0.1.7"},
  {"NetworkInterfaceId": "eni-1", "Attachment": {"DeviceIndex": 0, "Status": "attached"},
   "SubnetId": "subnet-copy", "Description": "from the copy", "PrivateIpAddress": "10-0-1-4",
   "Groups": [{"GroupId": "sg-copy"}],
   "Ipv6Addresses": [{"Ipv6Address": "2001:db8::5"}]}
]}]}]}"#;

/// `eni-1` as describe-network-interfaces prints it: every field the copy could add.
const ENI_1: &str = r#"{"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "VpcId": "vpc-1",
  "SubnetId": "subnet-1", "Attachment": {"InstanceId": "i-1", "DeviceIndex": 0, "Status": "attached"},
  "Groups": [], "PrivateIpAddress": "10.0.1.4",
  "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.1.4", "Primary": true}],
  "Ipv6Addresses": [], "SourceDestCheck": true, "InterfaceType": "interface",
  "Description": "Primary network interface"}]}"#;

/// Both orders of two inputs, each loaded with the nested lists skipped and read in full: the four
/// results must agree (the browser build always reads them in full).
fn both_orders_both_ways(first: &str, second: &str) -> Loaded {
    let mut results = Vec::new();
    for (a, b) in [(first, second), (second, first)] {
        for skip in [true, false] {
            let inputs = [
                Input {
                    name: if a == first {
                        "first.json"
                    } else {
                        "second.json"
                    },
                    bytes: a.as_bytes(),
                },
                Input {
                    name: if b == first {
                        "first.json"
                    } else {
                        "second.json"
                    },
                    bytes: b.as_bytes(),
                },
            ];
            results.push(load_all(&inputs, skip));
        }
    }
    let first_result = results.remove(0);
    for r in &results {
        assert_eq!(r.inventory, first_result.inventory);
        let mut a = r.diagnostics.clone();
        let mut b = first_result.diagnostics.clone();
        a.sort_by_key(|d| format!("{d:?}"));
        b.sort_by_key(|d| format!("{d:?}"));
        assert_eq!(a, b);
    }
    first_result
}

#[test]
fn a_nested_copy_is_not_read_when_the_interface_record_is_complete() {
    let l = both_orders_both_ways(NESTED, ENI_1);
    // The copy's unreadable address is not reported: the copy is not used.
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let e = &l.inventory.enis["eni-1"];
    assert_eq!(e.subnet_id.as_deref(), Some("subnet-1"));
    assert_eq!(e.description.as_deref(), Some("Primary network interface"));
    // A list the record gives, even empty, is the record's.
    assert!(e.ipv6_addresses.is_empty());
    assert_eq!(e.origin.path, "NetworkInterfaces[0]");
    // An interface only nested is read, tied to its instance.
    let e2 = &l.inventory.enis["eni-2"];
    assert_eq!(e2.instance_id.as_deref(), Some("i-1"));
    assert_eq!(e2.device_index, None);
    assert_eq!(
        e2.private_ips.first().map(|p| p.address),
        Some(ip("10.0.1.7"))
    );
    assert_eq!(
        e2.origin.path,
        "Reservations[0].Instances[0].NetworkInterfaces[0]"
    );
    // By device index (none last), not input order.
    assert_eq!(l.inventory.instances["i-1"].eni_ids, ["eni-1", "eni-2"]);
}

#[test]
fn a_nested_copy_fills_what_the_interface_record_lacks_and_its_warnings_stay() {
    let incomplete = ENI_1.replace(r#""Ipv6Addresses": [], "#, "").replace(
        r#""Description": "Primary network interface""#,
        r#""Other": 1"#,
    );
    let l = both_orders_both_ways(NESTED, &incomplete);
    let warnings = of(&l, Severity::Warning);
    assert_eq!(warnings.len(), 1, "{:?}", l.diagnostics);
    let w = warnings[0];
    assert_eq!(
        w.path.as_deref(),
        Some("Reservations[0].Instances[0].NetworkInterfaces[1].PrivateIpAddress")
    );
    assert!(w.message.contains("10-0-1-4"), "{}", w.message);
    // Named after the input it is in, whichever order the inputs came in.
    assert_eq!(w.source, "first.json");
    let e = &l.inventory.enis["eni-1"];
    assert_eq!(e.description.as_deref(), Some("from the copy"));
    assert_eq!(e.ipv6_addresses, vec![ip("2001:db8::5")]);
    // What the record gives stays the record's, an empty list too.
    assert_eq!(e.subnet_id.as_deref(), Some("subnet-1"));
    assert!(e.groups.is_empty());
    assert_eq!(e.origin.path, "NetworkInterfaces[0]");
}

#[test]
fn a_record_without_one_list_still_needs_the_nested_copy() {
    // Every field but `Ipv6Addresses`: the record is not complete, so the copy is read for it.
    let l = both_orders_both_ways(NESTED, &ENI_1.replace(r#""Ipv6Addresses": [], "#, ""));
    let e = &l.inventory.enis["eni-1"];
    assert_eq!(e.ipv6_addresses, vec![ip("2001:db8::5")]);
    assert_eq!(e.description.as_deref(), Some("Primary network interface"));
    assert_eq!(of(&l, Severity::Warning).len(), 1, "{:?}", l.diagnostics);
}

#[test]
fn a_nested_copy_of_the_wrong_shape_loses_only_that_interface() {
    let text = r#"{"Reservations": [{"Instances": [{"InstanceId": "i-1", "NetworkInterfaces": [
        {"NetworkInterfaceId": "eni-1", "Groups": {"GroupId": "sg-1"}},
        {"NetworkInterfaceId": "eni-2", "Attachment": {"DeviceIndex": 0}}]}]}]}"#;
    let l = one("i.json", text);
    let warnings = of(&l, Severity::Warning);
    assert_eq!(warnings.len(), 1, "{:?}", l.diagnostics);
    assert_eq!(
        warnings[0].path.as_deref(),
        Some("Reservations[0].Instances[0].NetworkInterfaces[0].Groups")
    );
    assert!(
        warnings[0].message.starts_with("expected a list"),
        "{}",
        warnings[0].message
    );
    assert_eq!(warnings[0].source, "i.json");
    assert!(!l.inventory.enis.contains_key("eni-1"));
    assert_eq!(l.inventory.instances["i-1"].eni_ids, ["eni-2"]);
    // Its id unseen (escaped here), an element is read at once, and still named by its path.
    let escaped = text.replace(r#""eni-1""#, r#""eni-\u0031""#);
    let l = one("i.json", &escaped);
    assert_eq!(of(&l, Severity::Warning).len(), 1, "{:?}", l.diagnostics);
    assert_eq!(l.inventory.instances["i-1"].eni_ids, ["eni-2"]);
}

#[path = "../../benches/synth/mod.rs"]
mod synth;

/// Every input folder under `dir` (scenarios, corpus networks) as one load, and each file alone.
fn input_sets(dir: &std::path::Path, out: &mut Vec<Vec<(String, Vec<u8>)>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files = Vec::new();
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            input_sets(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            if let Ok(bytes) = std::fs::read(&p) {
                files.push((p.display().to_string(), bytes));
            }
        }
    }
    if files.len() > 1 {
        out.extend(files.iter().map(|f| vec![f.clone()]));
    }
    if !files.is_empty() {
        out.push(files);
    }
}

#[test]
fn skipping_nested_interfaces_gives_the_same_load_as_reading_them() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sets = Vec::new();
    input_sets(&root.join("../../tests/scenarios"), &mut sets);
    input_sets(&root.join("../../../shared/corpus"), &mut sets);
    assert!(sets.len() > 800, "the corpus is beside the repository");
    let account = synth::generate(synth::Sizes::smoke()).unwrap();
    let (bundle, _) = account.bundle();
    sets.push(vec![("bundle.json".to_owned(), bundle)]);
    let mut nested = 0;
    for set in &sets {
        let inputs: Vec<Input<'_>> = set
            .iter()
            .map(|(name, bytes)| Input { name, bytes })
            .collect();
        let skipped = load_all(&inputs, true);
        let read = load_all(&inputs, false);
        let what = set.first().map_or("", |f| f.0.as_str());
        assert_eq!(skipped.inventory, read.inventory, "{what}");
        assert_eq!(skipped.diagnostics, read.diagnostics, "{what}");
        assert_eq!(skipped.documents, read.documents, "{what}");
        nested += read
            .inventory
            .instances
            .values()
            .map(|i| i.eni_ids.len())
            .sum::<usize>();
    }
    assert!(nested > 200, "nested interfaces seen: {nested}");
}
