//! `ufw status`, `ufw status verbose` and `ufw status numbered` output.
//!
//! Format (ufw(8)):
//!
//! ```text
//! Status: active
//! Logging: on (low)
//! Default: deny (incoming), allow (outgoing), disabled (routed)
//! New profiles: skip
//!
//! To                         Action      From
//! --                         ------      ----
//! 22/tcp                     ALLOW IN    Anywhere                   # ssh
//! 80,443/tcp                 ALLOW IN    Anywhere
//! 5432                       ALLOW IN    10.0.0.0/16
//! 10.0.1.5 8080/tcp on ens5  DENY IN     198.51.100.7
//! Nginx Full                 ALLOW IN    Anywhere
//! 22/tcp (v6)                ALLOW IN    Anywhere (v6)
//! ```
//!
//! Without `verbose` the actions have no direction (`ALLOW`) and there is no `Default:` line;
//! `numbered` prefixes `[ 1]`. Rules are tried in order, the first match wins, then the incoming
//! default. Lines without `(v6)` are the IPv4 rules. ufw's own `before.rules` accept ICMP echo
//! requests.

use std::collections::BTreeMap;

use super::super::{Cite, Line, Segment};
use super::{
    addr_set, port_range, Chain, Cond, FixInfo, Kind, Proto, Rule, Ruleset, Target, Verdict,
};
use crate::net::{Family, PortRange};

const ACTIONS: [&str; 4] = ["ALLOW", "DENY", "REJECT", "LIMIT"];

/// Ports of ufw application profiles shipped by common packages (`ufw app info NAME`).
fn app_ports(name: &str) -> Option<Vec<(Proto, PortRange)>> {
    let t = |p: u16| (Proto::Tcp, PortRange::single(p));
    Some(match name {
        "OpenSSH" => vec![t(22)],
        "Nginx Full" | "Apache Full" | "WWW Full" => vec![t(80), t(443)],
        "Nginx HTTP" | "Apache" | "WWW" => vec![t(80)],
        "Nginx HTTPS" | "Apache Secure" | "WWW Secure" => vec![t(443)],
        "Postfix" => vec![t(25)],
        "Postfix SMTPS" => vec![t(465)],
        "Postfix Submission" => vec![t(587)],
        "CUPS" => vec![t(631)],
        _ => return None,
    })
}

/// `22/tcp`, `80,443/tcp`, `60000:61000/udp`, `5432` → protocol (None = tcp and udp) and ports.
fn port_spec(s: &str) -> Option<(Option<Proto>, Vec<PortRange>)> {
    let (ports, proto) = match s.rsplit_once('/') {
        Some((p, proto)) => (p, Some(Proto::parse(proto)?)),
        None => (s, None),
    };
    let ranges: Option<Vec<PortRange>> = ports.split(',').map(port_range).collect();
    Some((proto, ranges?))
}

/// One side of a rule (`To` or `From`): address, ports or application, interface, v6 flag.
#[derive(Default)]
struct Side {
    addr: Option<String>,
    ports: Option<(Option<Proto>, Vec<PortRange>)>,
    app: Option<String>,
    iface: Option<String>,
    v6: bool,
}

fn side(text: &str) -> Side {
    let mut s = Side::default();
    let mut t = text.trim().to_owned();
    if t.contains("(v6)") {
        s.v6 = true;
        t = t.replace("(v6)", " ");
    }
    if let Some((head, iface)) = t.clone().split_once(" on ") {
        s.iface = Some(iface.trim().to_owned());
        t = head.to_owned();
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    let mut rest: Vec<&str> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if i == 0 && *w == "Anywhere" {
            continue;
        }
        if i == 0 && (w.contains('.') || w.contains(':')) && addr_set(w).is_some() {
            s.addr = Some((*w).to_owned());
            continue;
        }
        rest.push(w);
    }
    let rest = rest.join(" ");
    if !rest.is_empty() {
        match port_spec(&rest) {
            Some(p) => s.ports = Some(p),
            None => s.app = Some(rest),
        }
    }
    s
}

/// Parses ufw status output; `None` unless it is one.
pub(crate) fn parse<'a>(seg: &Segment<'a>) -> Option<(Ruleset, Vec<Line<'a>>)> {
    let mut status: Option<(bool, Cite)> = None;
    let mut default: Option<(Verdict, Cite)> = None;
    let mut rules: Vec<Rule> = Vec::new();
    let mut skipped = Vec::new();
    let mut in_table = false;
    let mut notes = Vec::new();
    for line in seg.content() {
        let t = line.text.trim();
        let cite = Cite::new(seg.input, line);
        if let Some(s) = t.strip_prefix("Status:") {
            status = Some((s.trim() == "active", cite));
            continue;
        }
        if let Some(d) = t.strip_prefix("Default:") {
            let incoming = d
                .split(',')
                .find(|p| p.contains("(incoming)"))
                .map(|p| p.split_whitespace().next().unwrap_or(""));
            let v = match incoming {
                Some("allow") => Verdict::Accept,
                Some("reject") => Verdict::Reject,
                _ => Verdict::Drop,
            };
            default = Some((v, cite));
            continue;
        }
        if t.starts_with("Logging:") || t.starts_with("New profiles:") {
            continue;
        }
        if t.starts_with("To") && t.contains("Action") && t.contains("From") {
            in_table = true;
            continue;
        }
        if t.starts_with("--") {
            continue;
        }
        if !in_table {
            skipped.push(*line);
            continue;
        }
        // `[ 1] 22/tcp  ALLOW IN  Anywhere  # comment`
        let body = match t.strip_prefix('[') {
            Some(r) => r.split_once(']').map_or(t, |(_, b)| b.trim()),
            None => t,
        };
        let body = body.split_once(" # ").map_or(body, |(b, _)| b).trim();
        let words: Vec<&str> = body.split_whitespace().collect();
        let Some(ai) = words.iter().position(|w| ACTIONS.contains(w)) else {
            skipped.push(*line);
            continue;
        };
        let action = words.get(ai).copied().unwrap_or("");
        let mut from_start = ai + 1;
        let mut direction = "IN";
        if let Some(d) = words
            .get(ai + 1)
            .filter(|d| matches!(**d, "IN" | "OUT" | "FWD"))
        {
            direction = d;
            from_start += 1;
        }
        while words
            .get(from_start)
            .is_some_and(|w| *w == "(log)" || *w == "(log-all)")
        {
            from_start += 1;
        }
        if direction != "IN" {
            continue;
        }
        let to = side(&words.get(..ai).unwrap_or(&[]).join(" "));
        let from = side(&words.get(from_start..).unwrap_or(&[]).join(" "));
        let mut c = Cond::default();
        let v6 = to.v6
            || from.v6
            || to.addr.as_deref().is_some_and(|a| a.contains(':'))
            || from.addr.as_deref().is_some_and(|a| a.contains(':'));
        c.family = Some(if v6 { Family::Ipv6 } else { Family::Ipv4 });
        if let Some(a) = &from.addr {
            c.src = addr_set(a).map(|s| (false, s));
        }
        if let Some(a) = &to.addr {
            c.dst = addr_set(a).map(|s| (false, s));
        }
        if let Some(i) = to.iface.or(from.iface) {
            c.iif = Some((false, i));
        }
        let mut targets: Vec<(Option<Proto>, Option<Vec<PortRange>>)> = Vec::new();
        match (&to.ports, &to.app) {
            (Some((p, r)), _) => targets.push((*p, Some(r.clone()))),
            (None, Some(app)) => match app_ports(app) {
                Some(list) => {
                    for (p, r) in list {
                        targets.push((Some(p), Some(vec![r])));
                    }
                }
                None => {
                    c.unknown.push(format!(
                        "application profile `{app}` (run `ufw app info \"{app}\"`)"
                    ));
                    targets.push((None, None));
                }
            },
            (None, None) => targets.push((None, None)),
        }
        if let Some((_, r)) = &from.ports {
            c.sports = Some((false, r.clone()));
        }
        let target = match action {
            "ALLOW" => Target::Verdict(Verdict::Accept),
            "LIMIT" => {
                c.assumed.push("that ufw's LIMIT (6 connections in 30 seconds) lets the first connections through".to_owned());
                Target::Verdict(Verdict::Accept)
            }
            "REJECT" => Target::Verdict(Verdict::Reject),
            _ => Target::Verdict(Verdict::Drop),
        };
        for (p, ports) in targets {
            let mut rc = c.clone();
            if let Some(p) = p {
                rc.protos = Some((false, vec![p]));
            } else if ports.is_some() {
                rc.protos = Some((false, vec![Proto::Tcp, Proto::Udp]));
            }
            rc.dports = ports.map(|r| (false, r));
            rules.push(Rule {
                cite: cite.clone(),
                cond: rc,
                target: target.clone(),
            });
        }
    }
    let (active, status_cite) = status?;
    let has_rules = !rules.is_empty();
    let policy_cite = default.as_ref().map(|(_, c)| c.clone());
    let policy = match &default {
        Some((v, _)) => *v,
        None => {
            if active {
                notes.push("`ufw status` without `verbose` does not show the default policy: we assumed ufw's default, deny (incoming)".to_owned());
            }
            Verdict::Drop
        }
    };
    // ufw's before.rules accept ICMP echo requests ahead of the user rules.
    let mut before = Chain::new("ufw-before-input", false, Verdict::Accept, None);
    before.rules.push(Rule {
        cite: status_cite.clone(),
        cond: Cond {
            protos: Some((false, vec![Proto::Icmp, Proto::Icmpv6])),
            icmp_types: Some((false, vec![8, 128])),
            ..Cond::default()
        },
        target: Target::Verdict(Verdict::Accept),
    });
    let mut chain = Chain::new("ufw", true, policy, policy_cite);
    chain.rules.push(Rule {
        cite: status_cite.clone(),
        cond: Cond::default(),
        target: Target::Jump("before".to_owned()),
    });
    chain.rules.extend(rules);
    let mut chains = BTreeMap::new();
    chains.insert("ufw".to_owned(), chain);
    chains.insert("before".to_owned(), before);
    Some((
        Ruleset {
            kind: Kind::Ufw,
            input: seg.input.to_owned(),
            family: None,
            chains,
            bases: vec!["ufw".to_owned()],
            base_families: BTreeMap::new(),
            rule_listing: true,
            disabled: (!active).then_some(status_cite),
            notes,
            fix: FixInfo::Ufw { has_rules },
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
        let segs = split("ufw.txt", text);
        let (r, s) = parse(&segs[0]).unwrap();
        (r, s.len())
    }

    #[test]
    fn verbose_with_v6_apps_comments_and_interfaces() {
        let (r, skipped) = ruleset(
            "Status: active\n\
             Logging: on (low)\n\
             Default: deny (incoming), allow (outgoing), disabled (routed)\n\
             New profiles: skip\n\
             \n\
             To                         Action      From\n\
             --                         ------      ----\n\
             22/tcp                     ALLOW IN    203.0.113.0/24             # office\n\
             80,443/tcp                 ALLOW IN    Anywhere\n\
             Nginx Full                 ALLOW IN    Anywhere\n\
             8000:8100/tcp              DENY IN     Anywhere\n\
             10.0.1.5 5432/tcp on ens5  ALLOW IN    10.0.0.0/16\n\
             22/tcp                     LIMIT IN    Anywhere\n\
             Anywhere                   ALLOW OUT   Anywhere on ens5\n\
             22/tcp (v6)                ALLOW IN    Anywhere (v6)\n",
        );
        assert_eq!(skipped, 0);
        assert!(r.disabled.is_none());
        let ch = &r.chains["ufw"];
        assert_eq!(ch.policy, Verdict::Drop);
        assert_eq!(ch.policy_cite.as_ref().unwrap().line, 3);
        // jump to before-rules, then 1 + 1 + 2 (Nginx Full) + 1 + 1 + 1 + 1 rules (OUT skipped)
        assert_eq!(ch.rules.len(), 9);
        let office = &ch.rules[1];
        assert!(office
            .cond
            .src
            .as_ref()
            .unwrap()
            .1
            .contains("203.0.113.9".parse().unwrap()));
        assert_eq!(
            office.cond.dports,
            Some((false, vec![PortRange::single(22)]))
        );
        assert_eq!(office.cond.family, Some(Family::Ipv4));
        assert_eq!(ch.rules[2].cond.dports.as_ref().unwrap().1.len(), 2);
        assert_eq!(
            ch.rules[4].cond.dports,
            Some((false, vec![PortRange::single(443)]))
        );
        assert_eq!(ch.rules[5].target, Target::Verdict(Verdict::Drop));
        assert_eq!(ch.rules[6].cond.iif, Some((false, "ens5".to_owned())));
        assert!(ch.rules[6].cond.dst.is_some());
        assert_eq!(ch.rules[8].cond.family, Some(Family::Ipv6));
    }

    #[test]
    fn plain_numbered_and_inactive() {
        let (r, skipped) = ruleset(
            "Status: active\n\
             \n\
             \x20    To                         Action      From\n\
             \x20    --                         ------      ----\n\
             [ 1] 3389                       ALLOW IN    Anywhere\n\
             [ 2] OpenSSH                    ALLOW IN    198.51.100.0/24\n",
        );
        assert_eq!(skipped, 0);
        assert_eq!(r.notes.len(), 1);
        let ch = &r.chains["ufw"];
        assert_eq!(
            ch.rules[1].cond.protos,
            Some((false, vec![Proto::Tcp, Proto::Udp]))
        );
        assert_eq!(
            ch.rules[2].cond.dports,
            Some((false, vec![PortRange::single(22)]))
        );
        let (r, _) = ruleset("Status: inactive\n");
        assert!(r.disabled.is_some());
    }
}
