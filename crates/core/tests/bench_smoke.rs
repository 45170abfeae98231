//! The scale benchmark's synthetic account generator (`benches/synth`), checked on small sizes: its
//! JSON parses, holds what was asked for, every reference resolves, and it is deterministic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../benches/synth/mod.rs"]
mod synth;

use std::collections::BTreeMap;

use serde_json::Value;
use synth::{generate, validate, Sizes};

fn documents(account: &synth::Account) -> Vec<Value> {
    account
        .documents
        .iter()
        .map(|d| serde_json::from_slice(&d.bytes).expect("every document parses"))
        .collect()
}

fn one<'a>(docs: &'a [Value], key: &str) -> &'a Vec<Value> {
    let found: Vec<&Vec<Value>> = docs
        .iter()
        .filter_map(|d| d.get(key).and_then(Value::as_array))
        .collect();
    assert!(!found.is_empty(), "no `{key}` document");
    found[0]
}

#[test]
fn smoke_account_has_the_requested_counts_and_valid_references() {
    let sizes = Sizes::smoke();
    let account = generate(sizes).unwrap();
    assert_eq!(account.sizes, sizes.normalized());
    // The smoke sizes are already valid: nothing was raised.
    assert_eq!(account.sizes, sizes);
    let counts = validate(&account).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts.instances, 60);
    assert_eq!(counts.instance_statuses, 60);
    assert_eq!(counts.security_groups, 12);
    assert_eq!(counts.nacls, 6);
    assert_eq!(counts.route_tables, 6);
    assert_eq!(counts.subnets, 12);
    assert_eq!(counts.vpcs, 3);
    // four customer lists and the S3, DynamoDB and CloudFront lists, each with an Entries document
    assert_eq!(counts.prefix_lists, 7);
    assert_eq!(counts.prefix_list_entry_documents, 7);
    // one ENI per instance, a second one on every fifth, plus NAT and spare interfaces
    assert!(counts.enis >= 60 + 12, "{} ENIs", counts.enis);
    assert!(counts.sg_permissions >= 12 * 2);

    // One document per command, in the collector's order, each a single top-level key (Entries
    // documents carry their PrefixListId beside it).
    let docs = documents(&account);
    let mut keys: BTreeMap<String, usize> = BTreeMap::new();
    for d in &docs {
        let obj = d.as_object().unwrap();
        if obj.contains_key("Entries") {
            assert_eq!(obj.len(), 2);
            assert!(obj["PrefixListId"].as_str().unwrap().starts_with("pl-"));
        } else {
            assert_eq!(obj.len(), 1, "{:?}", obj.keys());
        }
        for k in obj.keys() {
            *keys.entry(k.clone()).or_default() += 1;
        }
    }
    for k in [
        "Reservations",
        "NetworkInterfaces",
        "SecurityGroups",
        "NetworkAcls",
        "RouteTables",
        "InternetGateways",
        "EgressOnlyInternetGateways",
        "Subnets",
        "Vpcs",
        "Addresses",
        "InstanceStatuses",
        "NatGateways",
        "FlowLogs",
        "VpcBlockPublicAccessOptions",
    ] {
        assert_eq!(keys.get(k), Some(&1), "`{k}` documents");
    }
    assert_eq!(keys.get("PrefixLists"), Some(&2)); // managed + legacy
    assert_eq!(keys.get("Entries"), Some(&7));
}

#[test]
fn documents_are_formatted_like_the_aws_cli() {
    let account = generate(Sizes::smoke()).unwrap();
    for d in &account.documents {
        let text = std::str::from_utf8(&d.bytes).unwrap();
        assert!(
            text.starts_with("{\n    \""),
            "{}: {}",
            d.command,
            &text[..20]
        );
        assert!(text.ends_with("}\n"), "{}", d.command);
        // Four-space indentation only, `"Key": value`, as the CLI's JSON printer writes it.
        for line in text.lines() {
            let indent = line.len() - line.trim_start().len();
            assert_eq!(indent % 4, 0, "{}: {line:?}", d.command);
            assert!(!line.contains("\":\""), "{}: {line:?}", d.command);
        }
    }
    // Reformatting with the CLI's indentation reproduces the bytes.
    for d in &account.documents {
        let v: Value = serde_json::from_slice(&d.bytes).unwrap();
        let mut out = Vec::new();
        let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
        serde::Serialize::serialize(&v, &mut ser).unwrap();
        out.push(b'\n');
        if d.command != "get-managed-prefix-list-entries" {
            // (those keep the collector's key order, PrefixListId first)
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(d.bytes.clone()).unwrap(),
                "{}",
                d.command
            );
        }
    }
}

#[test]
fn the_target_is_a_running_instance_with_a_public_address() {
    let account = generate(Sizes::smoke()).unwrap();
    let docs = documents(&account);
    let instance = one(&docs, "Reservations")
        .iter()
        .flat_map(|r| r["Instances"].as_array().unwrap())
        .find(|i| i["InstanceId"] == account.target.as_str())
        .expect("the target is in describe-instances");
    assert_eq!(instance["State"]["Name"], "running");
    let ip = instance["PublicIpAddress"].as_str().expect("a public IPv4");
    assert!(ip.parse::<std::net::Ipv4Addr>().is_ok(), "{ip}");
    // Its subnet routes 0.0.0.0/0 to an internet gateway (explicitly or through the main table).
    let subnet = instance["SubnetId"].as_str().unwrap();
    let tables = one(&docs, "RouteTables");
    let explicit = tables.iter().find(|t| {
        t["Associations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["SubnetId"] == subnet)
    });
    let table = explicit.expect("public subnets have an explicit route table");
    assert!(table["Routes"].as_array().unwrap().iter().any(|r| {
        r["DestinationCidrBlock"] == "0.0.0.0/0"
            && r["GatewayId"].as_str().unwrap_or("").starts_with("igw-")
    }));
}

#[test]
fn generation_is_deterministic_and_follows_the_seed() {
    let a = generate(Sizes::smoke()).unwrap().bundle().0;
    let b = generate(Sizes::smoke()).unwrap().bundle().0;
    assert!(a == b, "same sizes and seed, different bytes");
    let mut other = Sizes::smoke();
    other.seed += 1;
    let c = generate(other).unwrap().bundle().0;
    assert!(a != c, "another seed, same bytes");
}

#[test]
fn sizes_scale_and_stay_valid() {
    // More instances than the subnets can address: subnets (and then VPCs) are raised.
    let mut sizes = Sizes::smoke();
    sizes.set("instances", "1000").unwrap();
    sizes.set("subnets", "3").unwrap();
    sizes.set("vpcs", "1").unwrap();
    let account = generate(sizes).unwrap();
    assert!(account.sizes.subnets >= 1000 / 80, "{:?}", account.sizes);
    let counts = validate(&account).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts.instances, 1000);
    assert_eq!(counts.subnets, account.sizes.subnets);

    // Over 256 subnets cannot fit one /16 VPC: VPCs are raised.
    let mut sizes = Sizes::smoke();
    sizes.set("subnets", "600").unwrap();
    sizes.set("vpcs", "1").unwrap();
    let normalized = sizes.normalized();
    assert_eq!(normalized.vpcs, 3);
    assert_eq!(normalized.subnets, 600);
    let counts = validate(&generate(sizes).unwrap()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts.subnets, 600);
    assert_eq!(counts.vpcs, 3);
}

#[test]
fn sizes_come_from_arguments_and_the_environment() {
    let mut sizes = Sizes::standard();
    assert_eq!(sizes.instances, 10_000);
    assert_eq!(sizes.security_groups, 3_000);
    assert_eq!(sizes.nacls, 300);
    assert_eq!(sizes.route_tables, 300);
    let env = |name: &str| match name {
        "VPC_REACH_BENCH_INSTANCES" => Some("123".to_owned()),
        "VPC_REACH_BENCH_SECURITY_GROUPS" => Some("45".to_owned()),
        _ => None,
    };
    sizes.apply_env(env).unwrap();
    assert_eq!((sizes.instances, sizes.security_groups), (123, 45));
    assert_eq!(sizes.nacls, 300);
    sizes.set("route-tables", "7").unwrap();
    assert_eq!(sizes.route_tables, 7);
    assert!(sizes.set("instances", "many").is_err());
    let err = sizes.set("lambdas", "3").unwrap_err();
    assert!(err.contains("unknown size `lambdas`"), "{err}");
    let err = Sizes::standard()
        .apply_env(|n| (n == "VPC_REACH_BENCH_NACLS").then(|| "x".to_owned()))
        .unwrap_err();
    assert!(err.starts_with("VPC_REACH_BENCH_NACLS:"), "{err}");
}

#[test]
fn validate_catches_a_broken_reference() {
    let mut account = generate(Sizes::smoke()).unwrap();
    let sg = account
        .documents
        .iter_mut()
        .find(|d| d.command == "describe-security-groups")
        .unwrap();
    let text = String::from_utf8(sg.bytes.clone()).unwrap();
    let first_id = text.split("\"GroupId\": \"").nth(1).unwrap()[..20].to_owned();
    sg.bytes = text.replace(&first_id, "sg-0000000000000dead").into_bytes();
    let err = validate(&account).unwrap_err();
    assert!(err.contains("unknown security group"), "{err}");
}
