//! Evidence through the whole pipeline: describe-* JSON from a scenario plus pasted instance output
//! and flow log records, read by `load`, answered by `analyze`, rendered as text and JSON.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use vpc_reach_core::report::{Layer, Query, QueryProtocol, Status, Verdict};
use vpc_reach_core::{analyze, load, render, Input, Report};

/// The happy-path-web scenario (tcp/80 and tcp/443 open to the internet, tcp/22 closed by the
/// security group; instance i-040c04ae537dd6033, eni-01e3f0f6110a99d7d, 10.0.1.25 ↔ 54.166.203.140)
/// plus the given evidence files.
fn analyze_with(port: u16, evidence: &[(&str, &str)]) -> Report {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios/happy-path-web");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut data: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| {
            (
                f.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(f).unwrap(),
            )
        })
        .collect();
    for (name, text) in evidence {
        data.push(((*name).to_owned(), text.as_bytes().to_vec()));
    }
    let inputs: Vec<Input> = data
        .iter()
        .map(|(n, b)| Input { name: n, bytes: b })
        .collect();
    let loaded = load(&inputs);
    let q = Query {
        target: "i-040c04ae537dd6033".to_owned(),
        protocol: QueryProtocol::Tcp { port },
        source: None,
        address: None,
    };
    analyze(&loaded, &q).unwrap()
}

fn check(r: &Report, l: Layer) -> &vpc_reach_core::Check {
    r.checks
        .iter()
        .find(|c| c.layer == l)
        .unwrap_or_else(|| panic!("no {l} check"))
}

const SESSION: &str = "[ec2-user@ip-10-0-1-25 ~]$ ip -br addr\n\
lo               UNKNOWN        127.0.0.1/8 ::1/128\n\
ens5             UP             10.0.1.25/24 fe80::8ff:4eff:fe5b:9c1d/64\n\
[ec2-user@ip-10-0-1-25 ~]$ ip route\n\
default via 10.0.1.1 dev ens5 proto dhcp src 10.0.1.25 metric 512\n\
10.0.1.0/24 dev ens5 proto kernel scope link src 10.0.1.25 metric 512\n\
[ec2-user@ip-10-0-1-25 ~]$ sudo iptables -S\n\
-P INPUT DROP\n\
-P FORWARD ACCEPT\n\
-P OUTPUT ACCEPT\n\
-A INPUT -i lo -j ACCEPT\n\
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n\
-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\n\
[ec2-user@ip-10-0-1-25 ~]$ sudo ss -ltnp\n\
State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n\
LISTEN 0      511          0.0.0.0:80        0.0.0.0:*     users:((\"nginx\",pid=1880,fd=6))\n\
LISTEN 0      511          0.0.0.0:443       0.0.0.0:*     users:((\"nginx\",pid=1880,fd=7))\n";

#[test]
fn configuration_reachable_but_host_firewall_drops_blocks_the_verdict() {
    let r = analyze_with(443, &[("session.txt", SESSION)]);
    assert_eq!(r.verdict, Verdict::Blocked);
    assert_eq!(r.blocking, vec![Layer::OsFirewall]);
    assert!(r.reachable_from.is_empty());
    assert_eq!(check(&r, Layer::OsRoute).status, Status::Pass);
    assert_eq!(check(&r, Layer::Listening).status, Status::Pass);
    let fw = check(&r, Layer::OsFirewall);
    assert_eq!(fw.status, Status::Fail);
    assert!(
        fw.summary
            .contains("line 8 of `session.txt`: `-P INPUT DROP`"),
        "{}",
        fw.summary
    );
    let text = render::text(&r);
    assert!(
        text.contains("BLOCKED by 1 layer: Instance firewall"),
        "{text}"
    );
    assert!(
        text.contains(
            "$ sudo iptables -A INPUT -p tcp --dport 443 -m conntrack --ctstate NEW -j ACCEPT"
        ),
        "{text}"
    );
    // The JSON contract names the layer and the evidence line.
    let json = serde_json::to_value(&r).unwrap();
    let layers: Vec<&str> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["layer"].as_str().unwrap())
        .collect();
    assert!(
        layers.ends_with(&["os_route", "os_firewall", "listening"]),
        "{layers:?}"
    );
    assert_eq!(json["blocking"][0], "os_firewall");

    // Port 80 passes every evidence layer and stays reachable.
    let r = analyze_with(80, &[("session.txt", SESSION)]);
    assert_eq!(r.verdict, Verdict::Reachable);
    assert!(
        r.checks.iter().all(|c| c.status == Status::Pass),
        "{:#?}",
        r.checks
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

const REJECTED_443: &str = "2 123456789012 eni-01e3f0f6110a99d7d 198.51.100.7 10.0.1.25 51234 443 6 3 180 1714558320 1714558380 REJECT OK\n";

#[test]
fn flow_log_rejects_contradict_the_configuration() {
    let r = analyze_with(443, &[("flows.log", REJECTED_443)]);
    let fl = check(&r, Layer::FlowLogs);
    assert_eq!(fl.status, Status::Fail);
    assert!(
        fl.summary.contains("contradicts the configuration check"),
        "{}",
        fl.summary
    );
    assert_eq!(r.verdict, Verdict::Blocked);
    assert_eq!(fl.evidence[0].object, "flows.log");
    assert!(fl.evidence[0]
        .detail
        .contains("198.51.100.7:51234 → 10.0.1.25:443"));
}

#[test]
fn flow_log_rejects_agree_with_a_closed_security_group() {
    let rec = REJECTED_443.replace(" 443 6 ", " 22 6 ");
    let r = analyze_with(22, &[("flows.log", &rec)]);
    let fl = check(&r, Layer::FlowLogs);
    assert_eq!(fl.status, Status::Fail);
    assert!(!fl.summary.contains("contradicts"), "{}", fl.summary);
    assert!(
        fl.summary.contains("points at the security group"),
        "{}",
        fl.summary
    );
    assert_eq!(r.blocking, vec![Layer::SecurityGroup, Layer::FlowLogs]);
}

#[test]
fn unrecognised_text_is_a_warning_of_the_report_not_a_check() {
    let r = analyze_with(
        443,
        &[("notes.txt", "the site is down since this morning\n")],
    );
    assert_eq!(r.verdict, Verdict::Reachable);
    assert!(r.checks.iter().all(|c| c.layer < Layer::FlowLogs));
    assert!(
        r.warnings.iter().any(|w| w.contains(
            "note: notes.txt: `notes.txt` is not recognised as flow log records, routes, firewall rules or listening sockets"
        )),
        "{:?}",
        r.warnings
    );
}

/// Every describe-* document of the third-party corpus (valid JSON and broken doc blocks), given
/// as text, is noted as not recognised: none is ever taken for flow logs, routes, firewall rules
/// or sockets, and none makes the evaluator panic.
#[test]
fn corpus_json_is_never_taken_for_evidence() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    assert!(
        corpus.is_dir(),
        "the shared corpus is missing at {}",
        corpus.display()
    );
    let mut files = Vec::new();
    let mut dirs = vec![corpus];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "json" || x == "txt") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() > 800, "only {} corpus files", files.len());
    let report = analyze_with(443, &[]);
    let loaded = load(&[]);
    for f in &files {
        let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
        let name = f.display().to_string();
        let (checks, notes) =
            vpc_reach_core::evidence::evaluate(&[(name.clone(), text)], &loaded.inventory, &report);
        assert!(
            checks.is_empty(),
            "{name} was taken for evidence: {checks:#?}"
        );
        assert!(!notes.is_empty(), "{name} got no note");
    }
}
