//! Runs `scripts/test-collect.sh` (the CloudShell collector against a fake `aws`), then reads the bundle
//! it produced with serde_json: a stream of JSON objects, each recognisable by its top-level key.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn collector_script_passes_its_tests_and_writes_a_json_stream() {
    match Command::new("bash").arg("--version").output() {
        Err(e) if e.kind() == ErrorKind::NotFound => {
            eprintln!("note: bash is not installed; skipping the collector test");
            return;
        }
        other => {
            other.expect("bash --version");
        }
    }

    let keep =
        std::env::temp_dir().join(format!("vpc-reach-collector-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&keep);
    let out = Command::new("bash")
        .arg("scripts/test-collect.sh")
        .current_dir(repo_root())
        .env("COLLECT_TEST_KEEP", &keep)
        .output()
        .expect("run bash scripts/test-collect.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        out.status.success(),
        "scripts/test-collect.sh failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert!(stdout.contains(" 0 failed"), "no summary line:\n{stdout}");

    let bytes = std::fs::read(keep.join("bundle.json")).expect("the kept bundle");
    let _ = std::fs::remove_dir_all(&keep);
    let docs: Vec<serde_json::Value> = serde_json::Deserializer::from_slice(&bytes)
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("the bundle is a stream of JSON documents");

    let mut keys = BTreeSet::new();
    let mut labelled_lists = BTreeSet::new();
    for doc in &docs {
        let obj = doc.as_object().expect("every document is a JSON object");
        keys.extend(obj.keys().cloned());
        if obj.contains_key("Entries") {
            let id = obj
                .get("PrefixListId")
                .and_then(|v| v.as_str())
                .expect("an Entries document carries its PrefixListId");
            assert!(
                obj.get("Entries").is_some_and(|e| e.is_array()),
                "{id}: Entries is a list"
            );
            labelled_lists.insert(id.to_owned());
        } else {
            assert_eq!(
                obj.len(),
                1,
                "one top-level key per describe-* document: {:?}",
                obj.keys()
            );
        }
    }
    for want in [
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
        "PrefixLists",
        "NatGateways",
        "FlowLogs",
        "VpcBlockPublicAccessOptions",
    ] {
        assert!(
            keys.contains(want),
            "no `{want}` document in the bundle; keys: {keys:?}"
        );
    }
    // web-sg's office prefix list, and the S3 list the test's gateway-endpoint route names.
    assert_eq!(
        labelled_lists,
        BTreeSet::from([
            "pl-948e6214142fcd8f6".to_owned(),
            "pl-dd5cb27c41ad96674".to_owned()
        ])
    );
    // The collector passes documents through untouched: the corpus file parses to the same value.
    let corpus_sgs: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            repo_root()
                .join("../shared/corpus/moto/s1-public-private/describe-security-groups.json"),
        )
        .expect("the moto corpus beside the repository"),
    )
    .unwrap();
    assert!(
        docs.contains(&corpus_sgs),
        "security groups document changed on the way"
    );
}
