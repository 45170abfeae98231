//! Batfish's own expected results for internet → instance flows (../shared/corpus/batfish/EXPECTED_RESULTS.md),
//! reproduced from the same snapshots.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use vpc_reach_core::report::{Layer, Query, QueryProtocol, Status, Verdict};
use vpc_reach_core::{analyze, exposure, load, Input, Loaded, QueryError};

fn corpus() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/batfish");
    assert!(
        p.is_dir(),
        "the shared corpus is missing at {}",
        p.display()
    );
    p
}

fn load_dirs(dirs: &[PathBuf]) -> Loaded {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for d in dirs {
        let mut entries: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for f in entries
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "json"))
        {
            files.push((f.display().to_string(), std::fs::read(&f).unwrap()));
        }
    }
    let inputs: Vec<Input> = files
        .iter()
        .map(|(n, b)| Input { name: n, bytes: b })
        .collect();
    load(&inputs)
}

fn aws(name: &str) -> PathBuf {
    corpus()
        .join("batfish/test-resources/representation/aws")
        .join(name)
        .join("aws_configs")
}

fn query(
    target: &str,
    protocol: QueryProtocol,
    source: Option<&str>,
    address: Option<&str>,
) -> Query {
    Query {
        target: target.to_owned(),
        protocol,
        source: source.map(|s| s.parse().unwrap()),
        address: address.map(|a| a.parse().unwrap()),
    }
}

fn status(r: &vpc_reach_core::Report, l: Layer) -> Status {
    r.checks.iter().find(|c| c.layer == l).unwrap().status
}

/// test-public-subnet: TCP/80 from 8.8.8.8 to 18.216.80.133 is DENIED_IN by the security group
/// (launch-wizard-1 allows only tcp/22); the IGW maps 18.216.80.133 to 10.0.0.91.
#[test]
fn public_subnet_tcp80_denied_by_security_group() {
    let l = load_dirs(&[aws("test-public-subnet")]);
    let r = analyze(
        &l,
        &query(
            "i-06669a407b2ef3ae5",
            QueryProtocol::Tcp { port: 80 },
            Some("8.8.8.8"),
            None,
        ),
    )
    .unwrap();
    assert_eq!(r.verdict, Verdict::Blocked);
    assert_eq!(r.blocking, vec![Layer::SecurityGroup]);
    assert_eq!(r.target.address, Some("18.216.80.133".parse().unwrap()));
    assert_eq!(r.target.private_address, Some("10.0.0.91".parse().unwrap()));
    // The one rule it has, tcp/22 from anywhere, is what gets through.
    let ssh = analyze(
        &l,
        &query(
            "i-06669a407b2ef3ae5",
            QueryProtocol::Tcp { port: 22 },
            Some("8.8.8.8"),
            None,
        ),
    )
    .unwrap();
    assert_eq!(ssh.verdict, Verdict::Reachable);
}

/// test-public-subnet: traffic to a public IP not in the snapshot, or to the private IP, goes
/// nowhere (NULL_ROUTED): neither is an address of the instance.
#[test]
fn public_subnet_unknown_addresses_are_not_the_instance() {
    let l = load_dirs(&[aws("test-public-subnet")]);
    for addr in ["54.191.107.23", "10.0.0.91"] {
        let e = analyze(
            &l,
            &query("i-06669a407b2ef3ae5", QueryProtocol::All, None, Some(addr)),
        )
        .unwrap_err();
        assert!(
            matches!(e, QueryError::UnknownAddress { .. }),
            "{addr}: {e}"
        );
    }
}

/// test-public-private-subnet: an any-IP flow from the internet to the public instance is DENIED_IN
/// (its SG allows only tcp/22); the private instance has no public address at all.
#[test]
fn public_private_subnet() {
    let l = load_dirs(&[aws("test-public-private-subnet")]);
    let r = analyze(
        &l,
        &query(
            "i-094a9e5b545a4fde4",
            QueryProtocol::All,
            Some("8.8.8.8"),
            None,
        ),
    )
    .unwrap();
    assert_eq!(r.verdict, Verdict::Blocked);
    assert_eq!(r.blocking, vec![Layer::SecurityGroup]);
    assert_eq!(r.target.address, Some("13.58.55.60".parse().unwrap()));
    let p = analyze(
        &l,
        &query(
            "i-099cf38911942421c",
            QueryProtocol::Tcp { port: 22 },
            None,
            None,
        ),
    )
    .unwrap();
    assert_eq!(p.verdict, Verdict::Blocked);
    assert_eq!(status(&p, Layer::PublicIp), Status::Fail);
    // Its subnet uses the main table, whose default route goes to the VPN gateway, not the IGW.
    assert_eq!(status(&p, Layer::RouteTable), Status::Fail);
}

/// test-nat-gateway: TCP/80 from the internet to the NAT gateway's public IP is DENIED_IN: a NAT
/// gateway makes nothing reachable from the internet, and exposure does not list it.
#[test]
fn nat_gateway_accepts_nothing_from_the_internet() {
    let l = load_dirs(&[aws("test-nat-gateway")]);
    let nat_eni = l
        .inventory
        .enis
        .values()
        .find(|e| {
            e.private_ips
                .iter()
                .any(|p| p.public_ip == Some("3.135.127.225".parse().unwrap()))
        })
        .expect("the NAT gateway's interface")
        .id
        .clone();
    let r = analyze(
        &l,
        &query(
            &nat_eni,
            QueryProtocol::Tcp { port: 80 },
            Some("8.8.8.8"),
            None,
        ),
    )
    .unwrap();
    assert_eq!(r.verdict, Verdict::Blocked);
    assert_eq!(status(&r, Layer::InstanceState), Status::Fail);
    let ex = exposure(&l.inventory);
    assert!(ex
        .exposures
        .iter()
        .all(|e| e.address.to_string() != "3.135.127.225"));
}

/// pybatfish hybrid-cloud notebook: east2_public and west2_public are reachable from the internet,
/// the private ones are not; with TCP to a port other than 22 only east2_public answers (3306,
/// security group rule "Connectivity test"), so west2_public is reachable only on 22.
#[test]
fn hybrid_cloud_notebook() {
    let base = corpus().join("pybatfish/hybrid-cloud/aws_configs");
    let l = load_dirs(&[base.join("us-east-2"), base.join("us-west-2")]);
    let east2_public = "i-01602d9efaed4409a";
    let west2_public = "i-02cae6eaa9edeed70";
    for private in ["i-04cd3db5124a05ee6", "i-0a5d64b8b58c6dd09"] {
        let r = analyze(
            &l,
            &query(private, QueryProtocol::Tcp { port: 22 }, None, None),
        )
        .unwrap();
        assert_eq!(r.verdict, Verdict::Blocked, "{private}");
        assert_eq!(status(&r, Layer::PublicIp), Status::Fail);
    }
    let from = Some("8.8.8.8");
    let ok = |id: &str, port: u16| {
        analyze(&l, &query(id, QueryProtocol::Tcp { port }, from, None))
            .unwrap()
            .verdict
    };
    assert_eq!(ok(east2_public, 22), Verdict::Reachable);
    assert_eq!(ok(east2_public, 3306), Verdict::Reachable);
    assert_eq!(ok(west2_public, 22), Verdict::Reachable);
    assert_eq!(ok(west2_public, 3306), Verdict::Blocked);
    // The exposure survey says the same for every port.
    let ex = exposure(&l.inventory);
    let open = |id: &str| -> Vec<(String, String)> {
        ex.exposures
            .iter()
            .filter(|e| e.instance_id.as_deref() == Some(id))
            .flat_map(|e| {
                e.open.iter().map(|s| {
                    (
                        s.protocol.clone(),
                        s.ports.map(|p| p.to_string()).unwrap_or_default(),
                    )
                })
            })
            .collect()
    };
    assert_eq!(
        open(east2_public),
        vec![("tcp".into(), "22".into()), ("tcp".into(), "3306".into())]
    );
    assert_eq!(open(west2_public), vec![("tcp".into(), "22".into())]);
    assert_eq!(ex.exposures.len(), 2);
}
