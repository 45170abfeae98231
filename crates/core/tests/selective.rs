//! `analyze_inputs` (which reads only what the question needs, `ingest::load_for`) gives the same
//! report as `load` + `analyze` (which read everything), on every scenario folder, every Batfish and
//! moto network of the corpus and the benchmark's synthetic account: for every instance and
//! interface, by id and by `Name` tag, for several questions. Only warnings may differ, and then
//! only by leaving out some (those about resources the question does not read).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../benches/synth/mod.rs"]
mod synth;

use std::path::{Path, PathBuf};

use vpc_reach_core::net::Cidr;
use vpc_reach_core::{analyze, analyze_inputs, load, Input, Query, QueryProtocol};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// An account's name and its files: `(name, bytes)`.
type Account = (String, Vec<(String, Vec<u8>)>);

/// One account per folder: the scenarios, Batfish's `aws_configs` folders and moto's networks.
fn accounts() -> Vec<Account> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(root().join("tests/scenarios")).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            dirs.push(p);
        }
    }
    let corpus = root().join("../shared/corpus");
    let mut all = Vec::new();
    walk(&corpus.join("batfish"), &mut all);
    let mut configs: Vec<PathBuf> = all
        .iter()
        .filter_map(|f| {
            f.ancestors()
                .find(|a| a.file_name().is_some_and(|n| n == "aws_configs"))
                .map(Path::to_path_buf)
        })
        .collect();
    configs.sort();
    configs.dedup();
    dirs.extend(configs);
    for entry in std::fs::read_dir(corpus.join("moto")).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            dirs.push(p);
        }
    }
    dirs.sort();
    let mut out = Vec::new();
    for d in dirs {
        let mut files = Vec::new();
        walk(&d, &mut files);
        let inputs: Vec<(String, Vec<u8>)> = files
            .into_iter()
            .filter(|f| {
                f.extension()
                    .is_some_and(|e| ["json", "txt", "log", "csv"].iter().any(|x| e == *x))
            })
            .map(|f| (f.display().to_string(), std::fs::read(&f).unwrap()))
            .collect();
        out.push((d.display().to_string(), inputs));
    }
    let account = synth::generate(synth::Sizes::smoke()).unwrap();
    let (bundle, _) = account.bundle();
    out.push((
        "synthetic account".to_owned(),
        vec![("bundle.json".to_owned(), bundle)],
    ));
    out
}

fn questions(target: &str) -> Vec<Query> {
    let q = |protocol, source: Option<&str>| Query {
        target: target.to_owned(),
        protocol,
        source: source.map(|s| s.parse::<Cidr>().unwrap()),
        address: None,
    };
    vec![
        q(QueryProtocol::Tcp { port: 22 }, None),
        q(QueryProtocol::Tcp { port: 443 }, Some("198.51.100.7/32")),
        q(QueryProtocol::Udp { port: 53 }, None),
        q(
            QueryProtocol::Icmp {
                icmp_type: 8,
                code: None,
            },
            None,
        ),
        q(QueryProtocol::All, None),
    ]
}

#[test]
fn reading_only_what_the_question_needs_gives_the_same_report() {
    let mut compared = 0;
    let mut accounts_seen = 0;
    for (name, files) in accounts() {
        let inputs: Vec<Input> = files
            .iter()
            .map(|(n, b)| Input { name: n, bytes: b })
            .collect();
        let full = load(&inputs);
        let inv = &full.inventory;
        let mut targets: Vec<String> = inv.instances.keys().map(|k| k.to_string()).collect();
        targets.extend(inv.enis.keys().map(|k| k.to_string()));
        targets.extend(
            inv.instances
                .values()
                .filter_map(|i| i.name.as_ref().map(|n| n.to_string())),
        );
        targets.push("i-0000000000000dead".to_owned());
        targets.sort();
        targets.dedup();
        if !inv.instances.is_empty() {
            accounts_seen += 1;
        }
        // Large accounts: an even sample (the test runs unoptimised).
        let step = targets.len().div_ceil(48);
        let targets: Vec<String> = targets.into_iter().step_by(step).collect();
        for target in &targets {
            for q in questions(target) {
                let expected = analyze(&full, &q);
                let (_, got) = analyze_inputs(&inputs, &q);
                match (expected, got) {
                    (Ok(mut e), Ok(mut g)) => {
                        for w in &g.warnings {
                            assert!(
                                e.warnings.contains(w),
                                "{name}: {q:?}: a warning the full read does not give: {w}"
                            );
                        }
                        e.warnings.clear();
                        g.warnings.clear();
                        assert_eq!(
                            serde_json::to_value(&g).unwrap(),
                            serde_json::to_value(&e).unwrap(),
                            "{name}: {q:?}"
                        );
                    }
                    (Err(e), Err(g)) => assert_eq!(g.to_string(), e.to_string(), "{name}: {q:?}"),
                    (e, g) => panic!("{name}: {q:?}: full read {e:?}, selective read {g:?}"),
                }
                compared += 1;
            }
        }
    }
    assert!(
        accounts_seen >= 55,
        "{accounts_seen} accounts with instances"
    );
    assert!(compared > 1000, "{compared} questions compared");
}

/// An id spelled with an escape (`i\u002d…`) is still found: elements holding an escape are
/// always read.
#[test]
fn ids_spelled_with_escapes_are_found() {
    let account = synth::generate(synth::Sizes::smoke()).unwrap();
    let (bundle, _) = account.bundle();
    let text = String::from_utf8(bundle).unwrap();
    let target = &account.target;
    // Spell the instance id with an escape in the describe-instance-status document, where only
    // the instance id can select its entry.
    let at = text.find("\"InstanceStatuses\"").unwrap();
    let end = at + text[at..].find("\n}").unwrap();
    let escaped = target.replacen('-', "\\u002d", 1);
    let changed = format!(
        "{}{}{}",
        &text[..at],
        text[at..end].replace(&format!("\"{target}\""), &format!("\"{escaped}\"")),
        &text[end..]
    );
    assert_ne!(changed, text, "the target has a status entry");
    let inputs = [Input {
        name: "bundle.json",
        bytes: changed.as_bytes(),
    }];
    let full = load(&inputs);
    assert!(full.inventory.instance_status.contains_key(target.as_str()));
    for q in questions(target) {
        let expected = analyze(&full, &q).unwrap();
        let (_, got) = analyze_inputs(&inputs, &q);
        assert_eq!(
            serde_json::to_value(got.unwrap()).unwrap(),
            serde_json::to_value(expected).unwrap()
        );
    }
}
