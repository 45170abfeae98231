//! Snapshots of what people read: the text and Markdown reports and the exposure survey, for
//! scenarios from `tests/scenarios` that show each kind of verdict. Review changes with
//! `INSTA_UPDATE=always cargo test -p vpc-reach-core --test snapshots` and `git diff`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use vpc_reach_core::report::{Query, QueryProtocol};
use vpc_reach_core::{analyze, exposure, load, render, Input, Loaded};

fn scenario(name: &str) -> Loaded {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/scenarios")
        .join(name);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let data: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "json"))
        .map(|f| {
            (
                f.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&f).unwrap(),
            )
        })
        .collect();
    let inputs: Vec<Input> = data
        .iter()
        .map(|(n, b)| Input { name: n, bytes: b })
        .collect();
    load(&inputs)
}

fn report(
    name: &str,
    target: &str,
    port: u16,
    source: Option<&str>,
    address: Option<&str>,
) -> vpc_reach_core::Report {
    let q = Query {
        target: target.to_owned(),
        protocol: QueryProtocol::Tcp { port },
        source: source.map(|s| s.parse().unwrap()),
        address: address.map(|a| a.parse().unwrap()),
    };
    analyze(&scenario(name), &q).unwrap()
}

#[test]
fn blocked_by_main_route_table() {
    let r = report(
        "main-rtb-implicit-private",
        "i-069af13a4ae28038b",
        22,
        Some("203.0.113.10"),
        None,
    );
    insta::assert_snapshot!("blocked_text", render::text(&r));
    insta::assert_snapshot!("blocked_markdown", render::markdown(&r));
}

#[test]
fn partial_from_an_office_range_on_a_secondary_ip() {
    let r = report(
        "eip-secondary-ip",
        "i-0966488f475a6db41",
        22,
        None,
        Some("3.33.229.206"),
    );
    insta::assert_snapshot!("partial_text", render::text(&r));
    insta::assert_snapshot!("partial_markdown", render::markdown(&r));
}

#[test]
fn partial_for_some_client_systems() {
    let r = report(
        "ephemeral-high-ranges",
        "i-0551c44242f773929",
        443,
        Some("198.51.100.7"),
        None,
    );
    insta::assert_snapshot!("ephemeral_text", render::text(&r));
}

#[test]
fn unknown_prefix_list() {
    let r = report(
        "prefix-list-missing-entries",
        "i-0786534b6dc7c2c5e",
        22,
        None,
        None,
    );
    insta::assert_snapshot!("unknown_text", render::text(&r));
}

#[test]
fn reachable_over_ipv6() {
    let r = report(
        "ipv6-happy-path",
        "i-04f6b0b4a62e0ad5c",
        443,
        None,
        Some("2600:1f18:6c2a:3e01:5f07:ab3c:5dfc:bcd7"),
    );
    insta::assert_snapshot!("ipv6_markdown", render::markdown(&r));
}

#[test]
fn exposure_survey() {
    let l = scenario("sg-union");
    let e = exposure(&l.inventory);
    insta::assert_snapshot!("exposure_text", render::exposure_text(&e));
    insta::assert_snapshot!("exposure_markdown", render::exposure_markdown(&e));
}

#[test]
fn json_contract() {
    let r = report(
        "main-rtb-implicit-private",
        "i-069af13a4ae28038b",
        22,
        Some("203.0.113.10"),
        None,
    );
    let v: serde_json::Value = serde_json::to_value(&r).unwrap();
    for key in [
        "verdict",
        "blocking",
        "checks",
        "reachable_from",
        "warnings",
    ] {
        assert!(v.get(key).is_some(), "missing `{key}`");
    }
    assert_eq!(v["verdict"], "blocked");
    assert_eq!(v["blocking"], serde_json::json!(["route_table"]));
    let check = &v["checks"][5];
    for key in ["layer", "status", "summary", "evidence", "fix"] {
        assert!(check.get(key).is_some(), "check lacks `{key}`");
    }
    assert_eq!(check["layer"], "route_table");
    assert_eq!(check["status"], "fail");
    insta::assert_json_snapshot!("json_contract", v);
}

/// A rule whose prefix list has no entries leaves the security groups undecided: the survey says so
/// for every address behind them (and still lists what the decided rules open).
#[test]
fn exposure_marks_groups_undecided_without_prefix_list_entries() {
    let e = exposure(&scenario("prefix-list-missing-entries").inventory);
    assert!(!e.exposures.is_empty());
    for x in &e.exposures {
        assert_eq!(x.unknown, ["security_group"], "{}", x.eni_id);
    }
    // With the entries given, nothing is undecided.
    let full = exposure(&scenario("prefix-list-by-key").inventory);
    assert!(!full.exposures.is_empty());
    assert!(full.exposures.iter().all(|x| x.unknown.is_empty()));
}
