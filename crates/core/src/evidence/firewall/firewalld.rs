//! `firewall-cmd --list-all` and `firewall-cmd --list-all-zones` output.
//!
//! Format (firewall-cmd(1)): a zone header, then indented `key: value` lines; rich rules follow
//! `rich rules:` one per line, indented by a tab:
//!
//! ```text
//! public (active)
//!   target: default
//!   icmp-block-inversion: no
//!   interfaces: eth0
//!   sources:
//!   services: dhcpv6-client ssh
//!   ports: 8080/tcp 5000-5100/udp
//!   protocols:
//!   forward: yes
//!   masquerade: no
//!   forward-ports:
//!   source-ports:
//!   icmp-blocks:
//!   rich rules:
//!     rule family="ipv4" source address="198.51.100.7" reject
//! ```
//!
//! `FirewallD is not running` means no firewalld filtering. A zone applies to the traffic from its
//! `sources`, else to its `interfaces`; the default zone (`(default)`) takes the rest. Inside a
//! zone, rich rules with a negative priority come first, then deny rich rules, then allow rules
//! (services, ports, protocols, accepting rich rules), then positive priorities, then the zone's
//! target (`default` rejects everything but ICMP).

use std::collections::BTreeMap;

use super::super::{Cite, Line, Segment};
use super::{
    addr_set, icmp_type, port_range, service_ports, words, Chain, Cond, FixInfo, Kind, Proto, Rule,
    Ruleset, Target, Verdict,
};
use crate::net::{Family, IpSet, PortRange};

#[derive(Default)]
struct Zone {
    name: String,
    default: bool,
    active: bool,
    header: Option<Cite>,
    target: Option<(String, Cite)>,
    interfaces: Vec<String>,
    sources: Vec<(String, Cite)>,
    services: Vec<(String, Cite)>,
    ports: Vec<(String, Cite)>,
    protocols: Vec<(String, Cite)>,
    icmp_blocks: Vec<String>,
    icmp_inversion: bool,
    rich: Vec<Cite>,
}

/// A parsed rich rule: priority, condition, verdict (or `None` for log/audit/mark-only rules).
fn rich_rule(cite: &Cite) -> (i32, Cond, Option<Verdict>) {
    let w = words(&cite.text);
    let mut c = Cond::default();
    let mut prio = 0;
    let mut verdict = None;
    let mut i = 1;
    let kv = |s: &str| -> Option<(String, String)> {
        s.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned()))
    };
    let mut section = "";
    let mut neg = false;
    let mut port_proto: (Option<PortRange>, Option<Proto>) = (None, None);
    while let Some(tok) = w.get(i) {
        i += 1;
        match tok.as_str() {
            "source" | "destination" | "service" | "port" | "protocol" | "icmp-type"
            | "icmp-block" | "masquerade" | "forward-port" | "source-port" | "log" | "audit"
            | "nflog" | "limit" => {
                section = match tok.as_str() {
                    "source" => "source",
                    "destination" => "destination",
                    "service" => "service",
                    "port" => "port",
                    "protocol" => "protocol",
                    "icmp-type" => "icmp-type",
                    "icmp-block" => "icmp-block",
                    "source-port" => "source-port",
                    "limit" => {
                        c.assumed
                            .push("that rate limits let the first packets through".to_owned());
                        "limit"
                    }
                    _ => "other",
                };
                neg = false;
            }
            "not" | "NOT" => neg = true,
            "accept" => verdict = Some(Verdict::Accept),
            "reject" => verdict = Some(Verdict::Reject),
            "drop" => verdict = Some(Verdict::Drop),
            "mark" => section = "other",
            other => {
                let Some((k, v)) = kv(other) else {
                    continue;
                };
                match (section, k.as_str()) {
                    (_, "family") if section.is_empty() => {
                        c.family = match v.as_str() {
                            "ipv6" => Some(Family::Ipv6),
                            _ => Some(Family::Ipv4),
                        };
                    }
                    (_, "priority") if section.is_empty() => prio = v.parse().unwrap_or(0),
                    ("source", "address") => match addr_set(&v) {
                        Some(s) => c.src = Some((neg, s)),
                        None => c.unknown.push(format!("source `{v}`")),
                    },
                    ("source", _) => c.unknown.push(format!("source {k} `{v}`")),
                    ("destination", "address") => match addr_set(&v) {
                        Some(s) => c.dst = Some((neg, s)),
                        None => c.unknown.push(format!("destination `{v}`")),
                    },
                    ("service", "name") => match service_ports(&v) {
                        Some(list) => {
                            c.protos = Some((false, list.iter().map(|(p, _)| *p).collect()));
                            c.dports = Some((false, list.iter().map(|(_, r)| *r).collect()));
                        }
                        None => c.unknown.push(format!("service `{v}`")),
                    },
                    ("port", "port") => port_proto.0 = port_range(&v),
                    ("port", "protocol") => port_proto.1 = Proto::parse(&v),
                    ("protocol", "value") => {
                        if let Some(p) = Proto::parse(&v) {
                            c.protos = Some((false, vec![p]));
                        }
                    }
                    ("icmp-type", "name") | ("icmp-block", "name") => {
                        c.protos = Some((false, vec![Proto::Icmp, Proto::Icmpv6]));
                        match icmp_type(&v) {
                            Some(t) => {
                                c.icmp_types = Some((false, vec![t, if t == 8 { 128 } else { t }]))
                            }
                            None => c.unknown.push(format!("ICMP type `{v}`")),
                        }
                        if section == "icmp-block" {
                            verdict = Some(Verdict::Reject);
                        }
                    }
                    ("source-port", _) => c.unknown.push("a source port".to_owned()),
                    _ => {}
                }
            }
        }
    }
    if let (Some(r), p) = port_proto {
        c.dports = Some((false, vec![r]));
        c.protos = Some((false, vec![p.unwrap_or(Proto::Tcp)]));
    }
    (prio, c, verdict)
}

fn zone_chain(z: &Zone) -> Chain {
    let (policy, policy_cite) = match &z.target {
        Some((t, c)) => (
            match t.as_str() {
                "ACCEPT" => Verdict::Accept,
                "DROP" => Verdict::Drop,
                _ => Verdict::Reject,
            },
            Some(c.clone()),
        ),
        None => (Verdict::Reject, z.header.clone()),
    };
    let mut ch = Chain::new(&z.name, false, policy, policy_cite.clone());
    let mut rich: Vec<(i32, bool, Rule)> = Vec::new();
    for r in &z.rich {
        let (prio, cond, verdict) = rich_rule(r);
        let Some(v) = verdict else { continue };
        rich.push((
            prio,
            v != Verdict::Accept,
            Rule {
                cite: r.clone(),
                cond,
                target: Target::Verdict(v),
            },
        ));
    }
    crate::evidence::text::sort_by(&mut rich, |a, b| (a.0, !a.1).cmp(&(b.0, !b.1)));
    for (_, _, r) in rich.iter().filter(|(p, _, _)| *p < 0) {
        ch.rules.push(r.clone());
    }
    for (_, _, r) in rich.iter().filter(|(p, deny, _)| *p == 0 && *deny) {
        ch.rules.push(r.clone());
    }
    for (name, cite) in &z.services {
        let mut c = Cond::default();
        match service_ports(name) {
            Some(list) => {
                for (p, r) in list {
                    ch.rules.push(Rule {
                        cite: cite.clone(),
                        cond: Cond {
                            protos: Some((false, vec![p])),
                            dports: Some((false, vec![r])),
                            ..Cond::default()
                        },
                        target: Target::Verdict(Verdict::Accept),
                    });
                }
                continue;
            }
            None => c.unknown.push(format!(
                "service `{name}` (run `firewall-cmd --info-service={name}`)"
            )),
        }
        ch.rules.push(Rule {
            cite: cite.clone(),
            cond: c,
            target: Target::Verdict(Verdict::Accept),
        });
    }
    for (spec, cite) in &z.ports {
        let (ports, proto) = spec.split_once('/').unwrap_or((spec.as_str(), "tcp"));
        let mut c = Cond::default();
        match (port_range(ports), Proto::parse(proto)) {
            (Some(r), Some(p)) => {
                c.protos = Some((false, vec![p]));
                c.dports = Some((false, vec![r]));
            }
            _ => c.unknown.push(format!("port `{spec}`")),
        }
        ch.rules.push(Rule {
            cite: cite.clone(),
            cond: c,
            target: Target::Verdict(Verdict::Accept),
        });
    }
    for (proto, cite) in &z.protocols {
        if let Some(p) = Proto::parse(proto) {
            ch.rules.push(Rule {
                cite: cite.clone(),
                cond: Cond {
                    protos: Some((false, vec![p])),
                    ..Cond::default()
                },
                target: Target::Verdict(Verdict::Accept),
            });
        }
    }
    for (_, _, r) in rich.iter().filter(|(p, deny, _)| *p == 0 && !*deny) {
        ch.rules.push(r.clone());
    }
    for (_, _, r) in rich.iter().filter(|(p, _, _)| *p > 0) {
        ch.rules.push(r.clone());
    }
    // Target `default` lets ICMP through unless blocked.
    if z.target.as_ref().is_none_or(|(t, _)| t == "default") {
        let blocked: Vec<u8> = z
            .icmp_blocks
            .iter()
            .filter_map(|b| icmp_type(b))
            .flat_map(|t| if t == 8 { vec![8, 128] } else { vec![t] })
            .collect();
        let cond = Cond {
            protos: Some((false, vec![Proto::Icmp, Proto::Icmpv6])),
            icmp_types: if blocked.is_empty() {
                None
            } else {
                Some((!z.icmp_inversion, blocked))
            },
            ..Cond::default()
        };
        if let Some(c) = &policy_cite {
            ch.rules.push(Rule {
                cite: c.clone(),
                cond,
                target: Target::Verdict(Verdict::Accept),
            });
        }
    }
    // The zone's target decides what is left (the zone is entered by a goto, so it must not fall
    // through).
    let last = policy_cite.unwrap_or_else(|| Cite {
        input: String::new(),
        line: 0,
        text: format!("zone {}", z.name),
    });
    ch.rules.push(Rule {
        cite: last,
        cond: Cond::default(),
        target: Target::Verdict(policy),
    });
    ch
}

/// Parses firewall-cmd zone listings; `None` unless it is one.
pub(crate) fn parse<'a>(seg: &Segment<'a>) -> Option<(Ruleset, Vec<Line<'a>>)> {
    let mut zones: Vec<Zone> = Vec::new();
    let mut skipped = Vec::new();
    let mut not_running: Option<Cite> = None;
    let mut in_rich = false;
    for line in seg.content() {
        let cite = Cite::new(seg.input, line);
        let raw = line.text;
        let t = raw.trim();
        if t.contains("FirewallD is not running") || t == "not running" {
            not_running = Some(cite);
            continue;
        }
        let indented = raw.starts_with(char::is_whitespace);
        if !indented {
            // `public (default, active)`, `block`, `trusted (active)`
            let (name, marks) = match t.split_once(" (") {
                Some((n, m)) => (n, m.trim_end_matches(')')),
                None => (t, ""),
            };
            if !name.is_empty()
                && !name.contains(char::is_whitespace)
                && !name.contains(':')
                && (marks.is_empty()
                    || marks
                        .split(',')
                        .all(|m| matches!(m.trim(), "default" | "active")))
            {
                zones.push(Zone {
                    name: name.to_owned(),
                    default: marks.contains("default"),
                    active: marks.contains("active"),
                    header: Some(cite),
                    ..Zone::default()
                });
                in_rich = false;
                continue;
            }
            skipped.push(*line);
            continue;
        }
        let Some(z) = zones.last_mut() else {
            skipped.push(*line);
            continue;
        };
        if in_rich && t.starts_with("rule ") {
            z.rich.push(cite);
            continue;
        }
        let Some((key, val)) = t.split_once(':') else {
            skipped.push(*line);
            continue;
        };
        in_rich = false;
        let items: Vec<String> = val.split_whitespace().map(str::to_owned).collect();
        let with = |items: Vec<String>| {
            items
                .into_iter()
                .map(|i| (i, cite.clone()))
                .collect::<Vec<_>>()
        };
        match key.trim() {
            "target" => z.target = Some((val.trim().trim_matches('%').to_owned(), cite.clone())),
            "interfaces" => z.interfaces = items,
            "sources" => z.sources = with(items),
            "services" => z.services = with(items),
            "ports" => z.ports = with(items),
            "protocols" => z.protocols = with(items),
            "icmp-blocks" => z.icmp_blocks = items,
            "icmp-block-inversion" => z.icmp_inversion = val.trim() == "yes",
            "rich rules" => {
                in_rich = true;
                if val.trim().starts_with("rule ") {
                    z.rich.push(Cite {
                        text: val.trim().to_owned(),
                        ..cite
                    });
                }
            }
            "forward" | "masquerade" | "forward-ports" | "source-ports" | "ingress-priority"
            | "egress-priority" | "summary" | "description" => {}
            _ => skipped.push(*line),
        }
    }
    let recognised = not_running.is_some()
        || zones
            .iter()
            .any(|z| z.target.is_some() || !z.services.is_empty());
    if !recognised {
        return None;
    }
    // The zone for traffic not claimed by a source-bound zone: the active zone with interfaces,
    // else the default zone, else the only/first zone.
    let main = zones
        .iter()
        .position(|z| z.active && !z.interfaces.is_empty())
        .or_else(|| zones.iter().position(|z| z.default))
        .or_else(|| zones.iter().position(|z| z.active))
        .unwrap_or(0);
    let mut chains = BTreeMap::new();
    let mut dispatch = Chain::new("firewalld", true, Verdict::Accept, None);
    for z in &zones {
        let key = format!("zone/{}", z.name);
        chains.insert(key.clone(), zone_chain(z));
        if !z.sources.is_empty() && zones.len() > 1 {
            for (s, c) in &z.sources {
                let set = addr_set(s).unwrap_or_else(IpSet::empty);
                dispatch.rules.push(Rule {
                    cite: c.clone(),
                    cond: Cond {
                        src: Some((false, set)),
                        ..Cond::default()
                    },
                    target: Target::Goto(key.clone()),
                });
            }
        }
    }
    let zone_name = zones.get(main).map(|z| z.name.clone()).unwrap_or_default();
    if let Some(z) = zones.get(main) {
        dispatch.rules.push(Rule {
            cite: z.header.clone().unwrap_or_else(|| Cite {
                input: seg.input.to_owned(),
                line: 0,
                text: z.name.clone(),
            }),
            cond: Cond::default(),
            target: Target::Goto(format!("zone/{}", z.name)),
        });
    }
    chains.insert("firewalld".to_owned(), dispatch);
    let mut notes = Vec::new();
    if zones.len() > 1 {
        notes.push(format!("we used zone `{zone_name}` for the interface"));
    }
    Some((
        Ruleset {
            kind: Kind::Firewalld,
            input: seg.input.to_owned(),
            family: None,
            chains,
            bases: vec!["firewalld".to_owned()],
            base_families: BTreeMap::new(),
            rule_listing: true,
            disabled: not_running,
            notes,
            fix: FixInfo::Firewalld { zone: zone_name },
        },
        skipped,
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::super::super::text::split;
    use super::*;

    fn ruleset(text: &str) -> (Ruleset, usize) {
        let segs = split("firewalld.txt", text);
        let (r, s) = parse(&segs[0]).unwrap();
        (r, s.len())
    }

    #[test]
    fn list_all_with_rich_rules() {
        let (r, skipped) = ruleset(
            "public (active)\n\
             \x20 target: default\n\
             \x20 ingress-priority: 0\n\
             \x20 egress-priority: 0\n\
             \x20 icmp-block-inversion: no\n\
             \x20 interfaces: eth0\n\
             \x20 sources: \n\
             \x20 services: cockpit dhcpv6-client ssh\n\
             \x20 ports: 8080/tcp 5000-5100/udp\n\
             \x20 protocols: \n\
             \x20 forward: yes\n\
             \x20 masquerade: no\n\
             \x20 forward-ports: \n\
             \x20 source-ports: \n\
             \x20 icmp-blocks: \n\
             \x20 rich rules: \n\
             \trule family=\"ipv4\" source address=\"198.51.100.7\" reject\n\
             \trule family=\"ipv4\" source address=\"203.0.113.0/24\" port port=\"3389\" protocol=\"tcp\" accept\n",
        );
        assert_eq!(skipped, 0);
        let z = &r.chains["zone/public"];
        assert_eq!(z.policy, Verdict::Reject);
        // deny rich rule first, then services (3), ports (2), then accepting rich rule, then ICMP.
        assert_eq!(z.rules[0].target, Target::Verdict(Verdict::Reject));
        assert_eq!(z.rules[0].cite.line, 17);
        assert_eq!(
            z.rules[3].cond.dports,
            Some((false, vec![PortRange::single(22)]))
        );
        assert_eq!(
            z.rules[5].cond.dports,
            Some((false, vec![PortRange::new(5000, 5100).unwrap()]))
        );
        assert_eq!(
            z.rules[6].cond.dports,
            Some((false, vec![PortRange::single(3389)]))
        );
        assert_eq!(
            r.fix,
            FixInfo::Firewalld {
                zone: "public".to_owned()
            }
        );
    }

    #[test]
    fn not_running() {
        let (r, _) = ruleset("FirewallD is not running\n");
        assert!(r.disabled.is_some());
    }

    #[test]
    fn unrelated_text_is_not_firewalld() {
        let segs = split("x", "hello\n  world: yes\n");
        assert!(parse(&segs[0]).is_none());
    }
}
