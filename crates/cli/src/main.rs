//! The `vpc-reach` command line: reads files (or standard input), runs the core, prints a report.
//!
//! Exit status of `check`: 0 reachable, 1 blocked, 2 usage or input error, 3 partial, 4 unknown.

use std::io::{Read, Write};
use std::net::IpAddr;
use std::process::ExitCode;

use vpc_reach_core::net::Cidr;
use vpc_reach_core::report::{Query, QueryProtocol};
use vpc_reach_core::{render, Input, Severity};

const USAGE: &str = "\
vpc-reach: why can't I connect to my EC2 instance from the internet?

usage:
  vpc-reach check [FILE]... --instance <i-…|eni-…|NAME> [--port N] [--protocol tcp|udp|icmp|all]
                  [--icmp-type T] [--icmp-code C] [--source ADDR|CIDR] [--address PUBLIC_IP]
                  [--format text|json|markdown]
  vpc-reach exposure [FILE]... [--format text|json|markdown]

FILE is the JSON printed by `aws ec2 describe-*` (any order, several per file or concatenated),
or evidence text (flow log records, `ip route`, `iptables-save`, `ss -ltnp`, …).
With no FILE, or FILE `-`, input is read from standard input.

check exit status: 0 reachable, 1 blocked, 2 usage or input error, 3 partial, 4 unknown.";

/// Loading a large account allocates many small strings and lists; with mimalloc the whole command
/// runs markedly faster than with glibc's allocator, for more peak memory (README "Speed" has the
/// figures). `RUSTFLAGS="--cfg system_allocator"` keeps the system allocator.
#[cfg(not(system_allocator))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Default)]
struct Args {
    files: Vec<String>,
    instance: Option<String>,
    port: Option<u16>,
    protocol: Option<String>,
    icmp_type: Option<u8>,
    icmp_code: Option<u8>,
    source: Option<Cidr>,
    address: Option<IpAddr>,
    format: Option<Format>,
}

fn usage_error(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}\n\n{USAGE}");
    ExitCode::from(2)
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args::default();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("`{name}` needs a value"))
        };
        match flag.as_str() {
            "--instance" | "-i" => a.instance = Some(value("--instance")?),
            "--port" | "-p" => {
                let v = value("--port")?;
                a.port = Some(
                    v.parse()
                        .map_err(|_| format!("`{v}` is not a port (0-65535)"))?,
                );
            }
            "--protocol" => a.protocol = Some(value("--protocol")?.to_ascii_lowercase()),
            "--icmp-type" => {
                let v = value("--icmp-type")?;
                a.icmp_type = Some(
                    v.parse()
                        .map_err(|_| format!("`{v}` is not an ICMP type (0-255)"))?,
                );
            }
            "--icmp-code" => {
                let v = value("--icmp-code")?;
                a.icmp_code = Some(
                    v.parse()
                        .map_err(|_| format!("`{v}` is not an ICMP code (0-255)"))?,
                );
            }
            "--source" | "-s" => {
                let v = value("--source")?;
                a.source = Some(Cidr::parse(&v).map_err(|e| e.to_string())?);
            }
            "--address" => {
                let v = value("--address")?;
                a.address = Some(
                    v.parse()
                        .map_err(|_| format!("`{v}` is not an IP address"))?,
                );
            }
            "--format" | "-f" => {
                let v = value("--format")?;
                a.format = Some(match v.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "markdown" | "md" => Format::Markdown,
                    other => {
                        return Err(format!(
                            "unknown format `{other}`; use text, json or markdown"
                        ))
                    }
                });
            }
            f if f.starts_with("--") => return Err(format!("unknown option `{f}`")),
            _ => a.files.push(arg),
        }
    }
    Ok(a)
}

/// Reads the inputs; `Err` is a message for an unreadable file.
fn read_inputs(files: &[String]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = Vec::new();
    let names: Vec<String> = if files.is_empty() {
        vec!["-".to_owned()]
    } else {
        files.to_vec()
    };
    for f in names {
        if f == "-" {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            out.push(("stdin".to_owned(), buf));
        } else {
            let bytes = std::fs::read(&f).map_err(|e| format!("cannot read `{f}`: {e}"))?;
            out.push((f, bytes));
        }
    }
    Ok(out)
}

fn query_of(a: &Args) -> Result<Query, String> {
    let target = a
        .instance
        .clone()
        .ok_or("`check` needs `--instance <i-…|eni-…|NAME>`")?;
    let protocol = match a.protocol.as_deref().unwrap_or("tcp") {
        "tcp" | "6" => QueryProtocol::Tcp {
            port: a
                .port
                .ok_or("tcp needs `--port N` (e.g. 22 for SSH, 443 for HTTPS)")?,
        },
        "udp" | "17" => QueryProtocol::Udp {
            port: a.port.ok_or("udp needs `--port N`")?,
        },
        "icmp" | "icmpv6" | "1" | "58" => QueryProtocol::Icmp {
            icmp_type: a.icmp_type.unwrap_or(8),
            code: a.icmp_code,
        },
        "all" | "-1" => QueryProtocol::All,
        other => {
            return Err(format!(
                "unknown protocol `{other}`; use tcp, udp, icmp or all"
            ))
        }
    };
    Ok(Query {
        target,
        protocol,
        source: a.source,
        address: a.address,
    })
}

fn print_diagnostics(diags: &[vpc_reach_core::Diagnostic]) {
    for d in diags {
        if d.severity != Severity::Note {
            eprintln!("{d}");
        }
    }
}

fn write_out(s: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(cmd) = args.next() else {
        return usage_error("missing command");
    };
    match cmd.as_str() {
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        "-V" | "--version" => {
            println!("vpc-reach {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        "check" | "exposure" => {}
        other => return usage_error(format!("unknown command `{other}`")),
    }
    let a = match parse_args(args) {
        Ok(a) => a,
        Err(e) => return usage_error(e),
    };
    let query = if cmd == "check" {
        match query_of(&a) {
            Ok(q) => Some(q),
            Err(e) => return usage_error(e),
        }
    } else {
        None
    };
    let raw = match read_inputs(&a.files) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let inputs: Vec<Input> = raw
        .iter()
        .map(|(n, b)| Input { name: n, bytes: b })
        .collect();
    let format = a.format.unwrap_or(Format::Text);
    // `check` reads only what its question needs; `exposure` reads everything.
    let (loaded, answer) = match &query {
        Some(q) => {
            let (loaded, answer) = vpc_reach_core::analyze_inputs(&inputs, q);
            (loaded, Some(answer))
        }
        None => (vpc_reach_core::load(&inputs), None),
    };
    if format == Format::Text {
        print_diagnostics(&loaded.diagnostics);
    }
    match answer {
        Some(Ok(report)) => {
            let s = match format {
                Format::Text => render::text(&report),
                Format::Markdown => render::markdown(&report),
                Format::Json => serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
            };
            write_out(&s);
            ExitCode::from(u8::try_from(report.verdict.exit_code()).unwrap_or(2))
        }
        Some(Err(e)) => {
            eprintln!("error: {e}");
            if loaded.inventory.instances.is_empty() && loaded.inventory.enis.is_empty() {
                eprintln!("help: the input has no instances; include the output of `aws ec2 describe-instances`");
            }
            ExitCode::from(2)
        }
        None => {
            let mut report = vpc_reach_core::exposure(&loaded.inventory);
            report.warnings.extend(
                loaded
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity != Severity::Note)
                    .map(|d| d.to_string()),
            );
            let s = match format {
                Format::Text => render::exposure_text(&report),
                Format::Markdown => render::exposure_markdown(&report),
                Format::Json => serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
            };
            write_out(&s);
            ExitCode::SUCCESS
        }
    }
}
