//! Ingest against the third-party corpus in `../shared/corpus` (beside the repository).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use vpc_reach_core::ingest::{DocumentInfo, Loaded};
use vpc_reach_core::model::{Command, InstanceState};
use vpc_reach_core::net::Cidr;
use vpc_reach_core::{load, Input, Severity};

fn corpus() -> PathBuf {
    let root = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ));
    assert!(
        root.join("README.md").is_file(),
        "the corpus is missing: expected it at {}",
        root.display()
    );
    root
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.retain(|p| p.extension().is_some_and(|e| e == ext));
    out.sort();
    out
}

fn load_files(paths: &[PathBuf], root: &Path) -> Loaded {
    let data: Vec<(String, Vec<u8>)> = paths
        .iter()
        .map(|p| {
            (
                p.strip_prefix(root).unwrap().display().to_string(),
                std::fs::read(p).unwrap(),
            )
        })
        .collect();
    let inputs: Vec<Input<'_>> = data
        .iter()
        .map(|(name, bytes)| Input { name, bytes })
        .collect();
    load(&inputs)
}

fn count(doc: &DocumentInfo, c: Command) -> Option<usize> {
    doc.commands.iter().find(|(k, _)| *k == c).map(|(_, n)| *n)
}

/// How many resources a known top-level key holds, by an independent reading of the JSON.
fn expected(key: &str, v: &serde_json::Value) -> Option<(Vec<Command>, usize)> {
    let len = v.as_array().map_or(0, Vec::len);
    let cmd = match key {
        "Reservations" => {
            let n = v
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["Instances"].as_array().map_or(0, Vec::len))
                .sum();
            return Some((vec![Command::DescribeInstances], n));
        }
        "PrefixLists" => {
            return Some((
                vec![
                    Command::DescribeManagedPrefixLists,
                    Command::DescribePrefixLists,
                ],
                len,
            ))
        }
        "VpcBlockPublicAccessOptions" => {
            return Some((vec![Command::DescribeVpcBlockPublicAccessOptions], 1))
        }
        "NetworkInterfaces" => Command::DescribeNetworkInterfaces,
        "SecurityGroups" => Command::DescribeSecurityGroups,
        "SecurityGroupRules" => Command::DescribeSecurityGroupRules,
        "NetworkAcls" => Command::DescribeNetworkAcls,
        "RouteTables" => Command::DescribeRouteTables,
        "InternetGateways" => Command::DescribeInternetGateways,
        "EgressOnlyInternetGateways" => Command::DescribeEgressOnlyInternetGateways,
        "Subnets" => Command::DescribeSubnets,
        "Vpcs" => Command::DescribeVpcs,
        "Addresses" => Command::DescribeAddresses,
        "InstanceStatuses" => Command::DescribeInstanceStatus,
        "Entries" => Command::GetManagedPrefixListEntries,
        "NatGateways" => Command::DescribeNatGateways,
        "FlowLogs" => Command::DescribeFlowLogs,
        _ => return None,
    };
    Some((vec![cmd], len))
}

#[test]
fn every_corpus_json_file_loads_and_known_commands_yield_resources() {
    let root = corpus();
    let all = files(&root, "json");
    assert!(all.len() > 800, "only {} JSON files found", all.len());
    let mut resources = 0;
    for path in &all {
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        let l = load_files(std::slice::from_ref(path), &root);
        let errors: Vec<String> = l
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        assert_eq!(l.documents.len(), 1, "{name}");
        let doc = &l.documents[0];
        let value: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let Some(obj) = value.as_object() else {
            assert!(value.is_array(), "{name}");
            assert!(doc.commands.is_empty(), "{name}");
            continue;
        };
        for (key, v) in obj {
            let Some((cmds, n)) = expected(key, v) else {
                if key != "NextToken" {
                    assert!(
                        doc.unused.contains(key),
                        "{name}: {key} not listed as unused"
                    );
                }
                continue;
            };
            let got: usize = cmds.iter().filter_map(|c| count(doc, *c)).sum();
            // A key with a problem is reported with a warning at that key's path; only then may
            // fewer resources come out than the JSON holds.
            let warned = l.diagnostics.iter().any(|d| {
                d.severity == Severity::Warning
                    && d.path
                        .as_deref()
                        .is_some_and(|p| p.starts_with(key.as_str()))
                    && !d.message.contains("listed twice")
            });
            if warned {
                assert!(got <= n, "{name}: {key}: {got} > {n}");
            } else {
                assert_eq!(got, n, "{name}: {key}");
            }
            assert!(
                cmds.iter().any(|c| l.inventory.provided.contains(c)),
                "{name}: {key} not recorded as provided"
            );
            resources += got;
        }
    }
    // The corpus holds 782 resources of the kinds we read (counted with Python); the two entries
    // of the awscli example for get-managed-prefix-list-entries cannot be tied to a list.
    assert_eq!(resources, 780);
}

#[test]
fn every_unparsed_doc_block_is_an_error_with_line_and_column() {
    let root = corpus();
    let unparsed = files(&root.join("awscli-examples/unparsed"), "txt");
    assert_eq!(unparsed.len(), 31);
    for path in &unparsed {
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let l = load_files(std::slice::from_ref(path), &root);
        let errors: Vec<_> = l
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert_eq!(errors.len(), 1, "{name}: {:?}", l.diagnostics);
        let e = errors[0];
        assert_eq!(e.source, name);
        let (line, column) = (e.line.unwrap(), e.column.unwrap());
        let lines: Vec<&str> = text.split('\n').collect();
        assert!(line >= 1 && line <= lines.len(), "{name}: line {line}");
        assert!(
            column >= 1 && column <= lines[line - 1].chars().count() + 1,
            "{name}: column {column} of {:?}",
            lines[line - 1]
        );
        assert!(e.message.starts_with("the JSON is malformed"), "{name}");
        assert!(l.texts.is_empty(), "{name}");
    }
}

#[test]
fn known_doc_typos_point_at_the_right_place() {
    let root = corpus();
    let at = |file: &str| {
        let l = load_files(&[root.join("awscli-examples/unparsed").join(file)], &root);
        let e = &l.diagnostics[0];
        (e.line.unwrap(), e.column.unwrap())
    };
    // `"ImageId": "ami-5731123e",` then `}`: the trailing comma is reported at the brace.
    assert_eq!(at("describe-image-attribute__ex01.txt"), (8, 1));
    // A missing comma after `"InstanceId": "i-1234567890abcdef0"`: reported at the next key.
    assert_eq!(at("describe-instance-attribute__ex01.txt"), (3, 5));
    // A single-quoted string: reported at the quote.
    assert_eq!(at("describe-subnets__ex01.txt"), (17, 39));
}

#[test]
fn the_doc_sample_with_a_bad_private_ip_keeps_the_instance() {
    let root = corpus();
    let l = load_files(
        &[root.join("awscli-examples/json/describe-instances__ex01.json")],
        &root,
    );
    let warned: Vec<&str> = l
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .filter_map(|d| d.path.as_deref())
        .collect();
    assert!(
        warned.contains(&"Reservations[0].Instances[0].PrivateIpAddress"),
        "{warned:?}"
    );
    assert_eq!(l.inventory.instances.len(), 1);
    let i = l.inventory.instances.values().next().unwrap();
    assert_eq!(i.private_ip, None);
    assert_eq!(i.state, InstanceState::Running);
    assert!(l
        .diagnostics
        .iter()
        .all(|d| d.message.contains("10-0-0-157")));
}

fn s1_files(root: &Path) -> Vec<PathBuf> {
    files(&root.join("moto/s1-public-private"), "json")
}

#[test]
fn moto_s1_loads_into_the_expected_inventory() {
    let root = corpus();
    let l = load_files(&s1_files(&root), &root);
    let bad: Vec<String> = l
        .diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Note)
        .map(|d| d.to_string())
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    // Notes: availability zones, DHCP options, transit gateways (3 files + attachments),
    // VPC endpoints, VPC peering connections.
    assert_eq!(l.diagnostics.len(), 8, "{:#?}", l.diagnostics);
    let inv = &l.inventory;

    assert_eq!(inv.instances.len(), 5);
    let by_name = |n: &str| {
        inv.instances
            .values()
            .find(|i| i.name.as_deref() == Some(n))
            .unwrap()
    };
    let web = by_name("web-1");
    assert_eq!(web.id, "i-21257989a63b25669");
    assert_eq!(web.state, InstanceState::Running);
    assert_eq!(web.public_ip, Some("54.214.171.32".parse().unwrap()));
    assert_eq!(
        web.eni_ids,
        ["eni-fab17d004cb1c3d52", "eni-3b85b3b4e8761f71a"]
    );
    assert_eq!(by_name("web-stopped").state, InstanceState::Stopped);
    assert_eq!(by_name("web-stopped").public_ip, None);
    // moto leaves instance-level SecurityGroups empty for --network-interfaces launches.
    assert!(by_name("app-eip").security_groups.is_empty());

    // 6 ENIs inside describe-instances, 7 in describe-network-interfaces (plus the NAT gateway's).
    assert_eq!(inv.enis.len(), 7);
    let second = &inv.enis["eni-3b85b3b4e8761f71a"];
    assert_eq!(second.instance_id.as_deref(), Some("i-21257989a63b25669"));
    assert_eq!(second.device_index, Some(1));
    assert_eq!(second.private_ips.len(), 2);
    assert_eq!(
        second.private_ips[0].public_ip,
        Some("127.247.219.119".parse().unwrap())
    );
    assert_eq!(inv.enis_of("i-21257989a63b25669").len(), 2);
    let by_instance = inv.enis_by_instance();
    assert_eq!(by_instance.len(), inv.instances.len());
    for id in inv.instances.keys() {
        let ids = |enis: &[&vpc_reach_core::model::Eni]| -> Vec<String> {
            enis.iter().map(|e| e.id.to_string()).collect()
        };
        assert_eq!(
            ids(&by_instance[id.as_str()]),
            ids(&inv.enis_of(id)),
            "{id}"
        );
    }

    assert_eq!(inv.security_groups.len(), 6);
    let web_sg = &inv.security_groups["sg-b7bd4bdeb693928ce"];
    assert_eq!(web_sg.name.as_deref(), Some("web-sg"));
    // 4 IpPermissions with 6 peers; describe-security-group-rules adds no new rule, only ids.
    assert_eq!(web_sg.ingress.len(), 6);
    assert_eq!(web_sg.egress.len(), 2);
    assert!(web_sg.ingress.iter().all(|r| r.rule_id.is_some()));
    assert_eq!(web_sg.ingress.iter().map(|r| r.position).max(), Some(4));
    let rules: usize = inv
        .security_groups
        .values()
        .map(|g| g.ingress.len() + g.egress.len())
        .sum();
    assert_eq!(rules, 23);

    assert_eq!(inv.network_acls.len(), 3);
    let public = &inv.network_acls["acl-8382a71c5e0e5d60d"];
    assert!(!public.is_default);
    assert_eq!(public.subnet_ids, ["subnet-4e09c2fb57e4f7c25"]);
    assert_eq!(public.entries.len(), 10);
    let entries: usize = inv.network_acls.values().map(|a| a.entries.len()).sum();
    assert_eq!(entries, 18);

    assert_eq!(inv.route_tables.len(), 4);
    assert_eq!(
        inv.route_tables
            .values()
            .map(|t| t.routes.len())
            .sum::<usize>(),
        11
    );
    let (rt, implicit) = inv
        .route_table_for_subnet("subnet-4e09c2fb57e4f7c25", Some("vpc-d5572d7a779a97109"))
        .unwrap();
    assert!(!implicit);
    assert_eq!(rt.routes.len(), 4);

    assert_eq!(inv.subnets.len(), 8);
    assert_eq!(inv.vpcs.len(), 2);
    assert_eq!(inv.addresses.len(), 4);
    assert_eq!(inv.internet_gateways.len(), 1);
    assert!(inv.internet_gateways["igw-03d5bd79826c74207"].attached_to("vpc-d5572d7a779a97109"));
    assert_eq!(inv.egress_only_gateways.len(), 1);
    // 4 running in describe-instance-status, plus the stopped one with --include-all-instances.
    assert_eq!(inv.instance_status.len(), 5);
    assert_eq!(inv.nat_gateways.len(), 1);
    assert_eq!(inv.flow_logs.len(), 2);
    assert_eq!(inv.bpa_account, None);

    // 7 managed lists (6 also in describe-prefix-lists), each with entries tied by file name.
    assert_eq!(inv.prefix_lists.len(), 7);
    assert!(inv.prefix_lists.values().all(|p| p.entries.is_some()));
    let office = &inv.prefix_lists["pl-dd5cb27c41ad96674"];
    assert_eq!(office.name.as_deref(), Some("office-ranges"));
    assert_eq!(
        office.entries,
        Some(vec![
            Cidr::parse("198.51.100.0/24").unwrap(),
            Cidr::parse("192.0.2.128/25").unwrap()
        ])
    );
    assert_eq!(
        inv.prefix_lists["pl-9c2138cf1537796a6"]
            .entries
            .as_ref()
            .map(Vec::len),
        Some(10)
    );

    let provided: BTreeSet<Command> = inv.provided.clone();
    assert_eq!(provided.len(), 17);
    assert!(!provided.contains(&Command::DescribeVpcBlockPublicAccessOptions));
}

#[test]
fn moto_s1_as_one_stream_gives_the_same_resources() {
    let root = corpus();
    let paths: Vec<PathBuf> = s1_files(&root)
        .into_iter()
        .filter(|p| !p.display().to_string().contains("__pl-"))
        .collect();
    let separate = load_files(&paths, &root);
    let mut stream = Vec::new();
    for p in &paths {
        stream.extend(std::fs::read(p).unwrap());
    }
    let l = load(&[Input {
        name: "stdin",
        bytes: &stream,
    }]);
    assert_eq!(l.documents.len(), paths.len());
    assert_eq!(l.documents[0].source, "stdin#1");
    assert_eq!(
        l.diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Note)
            .count(),
        0,
        "{:#?}",
        l.diagnostics
    );
    let (a, b) = (&separate.inventory, &l.inventory);
    assert!(a.instances.keys().eq(b.instances.keys()));
    assert!(a.enis.keys().eq(b.enis.keys()));
    assert!(a.security_groups.keys().eq(b.security_groups.keys()));
    assert!(a.route_tables.keys().eq(b.route_tables.keys()));
    assert!(a.prefix_lists.keys().eq(b.prefix_lists.keys()));
    assert_eq!(a.provided, b.provided);
    assert_eq!(
        a.security_groups["sg-b7bd4bdeb693928ce"].ingress,
        b.security_groups["sg-b7bd4bdeb693928ce"].ingress
    );
}

#[test]
fn a_powershell_utf16_copy_of_a_corpus_file_loads_the_same() {
    let root = corpus();
    let path = root.join("moto/s1-public-private/describe-security-groups.json");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace('\n', "\r\n");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let plain = load_files(&[path], &root);
    let l = load(&[Input {
        name: "moto/s1-public-private/describe-security-groups.json",
        bytes: &utf16,
    }]);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    assert_eq!(l.inventory, plain.inventory);
}
