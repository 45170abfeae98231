//! The CLI contract: exit codes, standard input, formats, and clear errors for bad input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn scenario(name: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/scenarios")
        .join(name);
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    v
}

fn run(args: &[&str], files: &[PathBuf], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vpc-reach"));
    cmd.args(args).args(files);
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn exit_codes_follow_the_verdict() {
    let web = scenario("happy-path-web");
    let o = run(
        &[
            "check",
            "--instance",
            "i-040c04ae537dd6033",
            "--port",
            "443",
        ],
        &web,
        None,
    );
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("REACHABLE"));
    let o = run(
        &["check", "--instance", "i-040c04ae537dd6033", "--port", "22"],
        &web,
        None,
    );
    assert_eq!(code(&o), 1);
    assert!(text(&o.stdout).contains("[FAIL] Security groups"));
    let o = run(
        &[
            "check",
            "--instance",
            "i-0966488f475a6db41",
            "--port",
            "22",
            "--address",
            "3.33.229.206",
        ],
        &scenario("eip-secondary-ip"),
        None,
    );
    assert_eq!(code(&o), 3);
    let o = run(
        &["check", "--instance", "i-0de06d03ab7abf86e", "--port", "22"],
        &scenario("missing-route-tables"),
        None,
    );
    assert_eq!(code(&o), 4);
    assert!(text(&o.stdout).contains("aws ec2 describe-route-tables"));
}

#[test]
fn usage_errors_exit_2() {
    let web = scenario("happy-path-web");
    let o = run(&["check", "--port", "22"], &web, None);
    assert_eq!(code(&o), 2);
    assert!(text(&o.stderr).contains("--instance"));
    let o = run(&["check", "--instance", "i-040c04ae537dd6033"], &web, None);
    assert_eq!(code(&o), 2, "tcp without a port");
    let o = run(
        &[
            "check",
            "--instance",
            "i-040c04ae537dd6033",
            "--port",
            "99999",
        ],
        &web,
        None,
    );
    assert_eq!(code(&o), 2);
    let o = run(&["frobnicate"], &[], None);
    assert_eq!(code(&o), 2);
    let o = run(
        &["check", "--instance", "i-040c04ae537dd6034", "--port", "22"],
        &web,
        None,
    );
    assert_eq!(code(&o), 2);
    assert!(
        text(&o.stderr).contains("did you mean `i-040c04ae537dd6033`?"),
        "{}",
        text(&o.stderr)
    );
    let o = run(
        &[
            "check",
            "--instance",
            "x",
            "--port",
            "22",
            "/nonexistent/file.json",
        ],
        &[],
        None,
    );
    assert_eq!(code(&o), 2);
    assert!(text(&o.stderr).contains("/nonexistent/file.json"));
}

#[test]
fn reads_a_concatenated_stream_on_stdin() {
    let mut all = Vec::new();
    for f in scenario("happy-path-web") {
        all.extend(std::fs::read(f).unwrap());
    }
    let o = run(
        &[
            "check",
            "--instance",
            "i-040c04ae537dd6033",
            "--port",
            "443",
            "-",
        ],
        &[],
        Some(&all),
    );
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let o = run(
        &[
            "check",
            "--instance",
            "i-040c04ae537dd6033",
            "--port",
            "443",
        ],
        &[],
        Some(&all),
    );
    assert_eq!(code(&o), 0, "no FILE means standard input");
}

#[test]
fn json_format_is_the_contract() {
    let o = run(
        &[
            "check",
            "--instance",
            "i-040c04ae537dd6033",
            "--port",
            "22",
            "--format",
            "json",
        ],
        &scenario("happy-path-web"),
        None,
    );
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verdict"], "blocked");
    assert_eq!(v["blocking"], serde_json::json!(["security_group"]));
    assert!(v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["layer"].is_string() && c["status"].is_string()));
    assert!(v["reachable_from"].is_array() && v["warnings"].is_array());
    let sg = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["layer"] == "security_group")
        .unwrap();
    let cmd = sg["fix"]["commands"][0].as_str().unwrap();
    assert!(
        cmd.starts_with("aws ec2 authorize-security-group-ingress --group-id sg-"),
        "{cmd}"
    );
}

#[test]
fn markdown_format() {
    let o = run(
        &[
            "check",
            "--instance",
            "i-040c04ae537dd6033",
            "--port",
            "22",
            "--format",
            "markdown",
            "--source",
            "203.0.113.9",
        ],
        &scenario("happy-path-web"),
        None,
    );
    let md = text(&o.stdout);
    assert!(md.starts_with("## vpc-reach:"));
    assert!(md.contains("| Security groups | fail |"));
    assert!(md.contains("```sh\naws ec2 authorize-security-group-ingress"));
    assert!(
        md.contains("203.0.113.9/32"),
        "the fix is limited to the given source"
    );
}

#[test]
fn bad_json_names_file_line_and_column_and_the_rest_is_still_analysed() {
    let dir = std::env::temp_dir().join(format!("vpc-reach-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("broken.json");
    std::fs::write(
        &bad,
        "{\n  \"Vpcs\": [\n    {\"VpcId\": \"vpc-1\",}\n  ]\n}\n",
    )
    .unwrap();
    let mut files = scenario("happy-path-web");
    files.push(bad.clone());
    let o = run(
        &[
            "check",
            "--instance",
            "i-040c04ae537dd6033",
            "--port",
            "443",
        ],
        &files,
        None,
    );
    let err = text(&o.stderr);
    assert!(err.contains("broken.json:3:"), "{err}");
    assert_eq!(code(&o), 0, "the other files still answer the question");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn exposure_lists_what_is_open() {
    let o = run(&["exposure"], &scenario("happy-path-web"), None);
    assert_eq!(code(&o), 0);
    let out = text(&o.stdout);
    assert!(out.contains("443") && out.contains("80"), "{out}");
    let o = run(
        &["exposure", "--format", "json"],
        &scenario("sg-union"),
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!v["exposures"].as_array().unwrap().is_empty());
}

#[test]
fn help_and_version() {
    let o = run(&["--help"], &[], None);
    assert_eq!(code(&o), 0);
    assert!(text(&o.stdout).contains("vpc-reach check"));
    let o = run(&["--version"], &[], None);
    assert!(text(&o.stdout).starts_with("vpc-reach "));
}
