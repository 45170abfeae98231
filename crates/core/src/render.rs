//! Human-readable reports: plain text for terminals (read like a doctor's report: verdict first,
//! then each layer with a mark, its evidence and its fix), Markdown for tickets.

use std::fmt::Write as _;

use crate::net::Cidr;
use crate::report::{Check, ExposureReport, Report, Status, Verdict};

/// A mark that does not rely on colour.
pub fn mark(s: Status) -> &'static str {
    match s {
        Status::Pass => "[pass]",
        Status::Warn => "[warn]",
        Status::Fail => "[FAIL]",
        Status::Unknown => "[ ?? ]",
        Status::NotApplicable => "[ -- ]",
    }
}

/// One line that says what was asked.
pub fn question(r: &Report) -> String {
    let who = match (&r.target.instance_id, &r.target.name) {
        (Some(id), Some(n)) => format!("{id} ({n})"),
        (Some(id), None) => id.clone(),
        _ => r
            .target
            .eni_id
            .clone()
            .unwrap_or_else(|| r.query.target.clone()),
    };
    let addr = r
        .target
        .address
        .map(|a| format!(" at {a}"))
        .unwrap_or_else(|| " (no public address)".to_owned());
    let from = match r.query.source {
        Some(s) => format!("from {s}"),
        None => "from the internet".to_owned(),
    };
    format!("{} to {who}{addr} {from}", r.query.protocol)
}

/// The verdict as one sentence.
pub fn headline(r: &Report) -> String {
    let layers =
        |v: &[crate::report::Layer]| v.iter().map(|l| l.title()).collect::<Vec<_>>().join(", ");
    match r.verdict {
        Verdict::Reachable => "REACHABLE: every queried source can connect".to_owned(),
        Verdict::Partial if r.reachable_from.is_empty() => {
            let fams: Vec<&str> = r
                .partially_reachable_from
                .iter()
                .flat_map(|p| p.client_families.iter().map(|f| f.label()))
                .collect();
            format!(
                "PARTIAL: replies reach only some client systems ({})",
                if fams.is_empty() {
                    "no common client OS".to_owned()
                } else {
                    fams.join(", ")
                }
            )
        }
        Verdict::Partial => format!(
            "PARTIAL: only some sources can connect: {}",
            sources_line(&r.reachable_from, r)
        ),
        Verdict::Blocked => match r.blocking.len() {
            0 => "BLOCKED".to_owned(),
            1 => format!("BLOCKED by 1 layer: {}", layers(&r.blocking)),
            n => format!("BLOCKED by {n} layers: {}", layers(&r.blocking)),
        },
        Verdict::Unknown => {
            let missing: Vec<&str> = r
                .checks
                .iter()
                .filter(|c| {
                    c.status == Status::Unknown && c.layer != crate::report::Layer::StatusChecks
                })
                .map(|c| c.layer.title())
                .collect();
            format!("UNKNOWN: data missing for {}", missing.join(", "))
        }
    }
}

fn sources_line(cidrs: &[Cidr], r: &Report) -> String {
    if cidrs.is_empty() {
        "no source passes every layer for every client".to_owned()
    } else if cidrs == r.sources.as_slice() {
        "all queried sources".to_owned()
    } else {
        cidrs
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn can_connect(r: &Report) -> String {
    match r.verdict {
        Verdict::Unknown => "not known until the missing data is given".to_owned(),
        Verdict::Blocked => "nobody".to_owned(),
        _ if r.reachable_from.is_empty() => "no source, whatever its OS (see below)".to_owned(),
        _ => sources_line(&r.reachable_from, r),
    }
}

fn text_check(out: &mut String, c: &Check) {
    let _ = writeln!(
        out,
        "  {} {:<31} {}",
        mark(c.status),
        c.layer.title(),
        c.summary
    );
    if (c.status == Status::Pass || c.status == Status::NotApplicable) && c.fix.is_none() {
        return;
    }
    for e in &c.evidence {
        let _ = writeln!(out, "           - {}: {}", e.object, e.detail);
    }
    if let Some(f) = &c.fix {
        let _ = writeln!(out, "           fix: {}", f.summary);
        for cmd in &f.commands {
            let _ = writeln!(out, "             $ {cmd}");
        }
        if let Some(n) = &f.note {
            let _ = writeln!(out, "             note: {n}");
        }
    }
}

/// The terminal report.
pub fn text(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "vpc-reach: {}", question(r));
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", headline(r));
    let _ = writeln!(out);
    for c in &r.checks {
        text_check(&mut out, c);
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Can connect (any client OS): {}", can_connect(r));
    for p in &r.partially_reachable_from {
        let fams: Vec<&str> = p.client_families.iter().map(|f| f.label()).collect();
        let ports: Vec<String> = p.client_ports.iter().map(|p| p.to_string()).collect();
        let _ = writeln!(
            out,
            "Can connect only from some clients: {} ({}; replies pass to client ports {})",
            p.cidrs
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            if fams.is_empty() {
                "no common client OS".to_owned()
            } else {
                fams.join(", ")
            },
            if ports.is_empty() {
                "none".to_owned()
            } else {
                ports.join(", ")
            }
        );
    }
    if !r.assumptions.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Assumptions:");
        for a in &r.assumptions {
            let _ = writeln!(out, "  - {a}");
        }
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Warnings:");
        for w in &r.warnings {
            let _ = writeln!(out, "  - {w}");
        }
    }
    out
}

/// Escapes text for a Markdown table cell or paragraph.
fn md(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '|' | '*' | '_' | '<' | '>' | '[' | ']' | '#' => {
                o.push('\\');
                o.push(ch);
            }
            '\n' => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// The Markdown report, for a ticket.
pub fn markdown(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## vpc-reach: {}", md(&question(r)));
    let _ = writeln!(out);
    let _ = writeln!(out, "**{}**", md(&headline(r)));
    let _ = writeln!(out);
    let _ = writeln!(out, "| Layer | Status | Finding |");
    let _ = writeln!(out, "|---|---|---|");
    for c in &r.checks {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            c.layer.title(),
            c.status.name(),
            md(&c.summary)
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "**Can connect (any client OS):** {}",
        md(&can_connect(r))
    );
    for p in &r.partially_reachable_from {
        let fams: Vec<&str> = p.client_families.iter().map(|f| f.label()).collect();
        let _ = writeln!(
            out,
            "\n**Only from some clients:** {} ({})",
            md(&p
                .cidrs
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")),
            if fams.is_empty() {
                "no common client OS".to_owned()
            } else {
                md(&fams.join(", "))
            }
        );
    }
    for c in r.checks.iter().filter(|c| {
        matches!(c.status, Status::Fail | Status::Warn | Status::Unknown) || c.fix.is_some()
    }) {
        let _ = writeln!(out);
        let _ = writeln!(out, "### {} ({})", c.layer.title(), c.status.name());
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", md(&c.summary));
        if !c.evidence.is_empty() {
            let _ = writeln!(out);
            for e in &c.evidence {
                let _ = writeln!(out, "- `{}`: {}", e.object.replace('`', "'"), md(&e.detail));
            }
        }
        if let Some(f) = &c.fix {
            let _ = writeln!(out);
            let _ = writeln!(out, "**Fix:** {}", md(&f.summary));
            if !f.commands.is_empty() {
                let _ = writeln!(out);
                let _ = writeln!(out, "```sh");
                for cmd in &f.commands {
                    let _ = writeln!(out, "{cmd}");
                }
                let _ = writeln!(out, "```");
            }
            if let Some(n) = &f.note {
                let _ = writeln!(out);
                let _ = writeln!(out, "> {}", md(n));
            }
        }
    }
    if !r.assumptions.is_empty() || !r.warnings.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "### Assumptions and warnings");
        let _ = writeln!(out);
        for a in r.assumptions.iter().chain(r.warnings.iter()) {
            let _ = writeln!(out, "- {}", md(a));
        }
    }
    out
}

fn exposure_rows(r: &ExposureReport) -> Vec<[String; 6]> {
    let mut rows = Vec::new();
    for e in &r.exposures {
        let who = match (&e.instance_id, &e.name) {
            (Some(i), Some(n)) => format!("{i} ({n})"),
            (Some(i), None) => i.clone(),
            _ => e.eni_id.clone(),
        };
        if e.open.is_empty() {
            rows.push([
                who.clone(),
                e.address.to_string(),
                "-".to_owned(),
                "-".to_owned(),
                format!("unknown: data missing for {}", e.unknown.join(", ")),
                String::new(),
            ]);
        }
        for s in &e.open {
            let family = s
                .sources
                .first()
                .map(|c| c.family())
                .unwrap_or(crate::net::Family::Ipv4);
            let missing = crate::net::internet(family)
                .subtract(&crate::net::IpSet::from_cidrs(s.sources.iter()));
            let missing_cidrs = missing.to_cidrs();
            let sources = if s.open_to_all {
                "anywhere".to_owned()
            } else if missing_cidrs.len() < s.sources.len() && missing_cidrs.len() <= 4 {
                let v: Vec<String> = missing_cidrs.iter().map(|c| c.to_string()).collect();
                format!("anywhere except {}", v.join(", "))
            } else {
                let v: Vec<String> = s.sources.iter().take(4).map(|c| c.to_string()).collect();
                if s.sources.len() > 4 {
                    format!("{} (+{} more)", v.join(", "), s.sources.len() - 4)
                } else {
                    v.join(", ")
                }
            };
            rows.push([
                who.clone(),
                e.address.to_string(),
                s.protocol.clone(),
                s.ports
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "-".to_owned()),
                sources,
                s.risk
                    .clone()
                    .map(|r| format!("RISK: {r}"))
                    .unwrap_or_default(),
            ]);
        }
    }
    rows
}

/// The exposure survey for a terminal.
pub fn exposure_text(r: &ExposureReport) -> String {
    let mut out = String::new();
    let risky = r
        .exposures
        .iter()
        .flat_map(|e| &e.open)
        .filter(|s| s.risk.is_some())
        .count();
    let _ = writeln!(
        out,
        "vpc-reach exposure: {} internet-facing address(es), {} risky opening(s)",
        r.exposures.len(),
        risky
    );
    let _ = writeln!(out);
    for row in exposure_rows(r) {
        let [who, addr, proto, ports, src, risk] = row;
        let _ = writeln!(
            out,
            "  {who:<32} {addr:<16} {proto:<16} {ports:<12} from {src} {risk}"
        );
    }
    for w in &r.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

/// The exposure survey as Markdown.
pub fn exposure_markdown(r: &ExposureReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## vpc-reach exposure");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| Instance | Address | Protocol | Ports | Sources | Risk |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for row in exposure_rows(r) {
        let cells: Vec<String> = row.iter().map(|c| md(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    for w in &r.warnings {
        let _ = writeln!(out, "\n- {}", md(w));
    }
    out
}
