//! Windows Firewall: `netsh advfirewall firewall show rule name=all [dir=in]` and
//! `netsh advfirewall show currentprofile` (or `allprofiles`).
//!
//! Rule format: blocks of `Key: value` lines, values aligned at column 39, one block per rule:
//!
//! ```text
//! Rule Name:                            Remote Desktop - User Mode (TCP-In)
//! ----------------------------------------------------------------------
//! Enabled:                              Yes
//! Direction:                            In
//! Profiles:                             Domain,Private,Public
//! Grouping:                             Remote Desktop
//! LocalIP:                              Any
//! RemoteIP:                             Any
//! Protocol:                             TCP
//! LocalPort:                            3389
//! RemotePort:                           Any
//! Edge traversal:                       No
//! Action:                               Allow
//! ```
//!
//! ICMP rules add an indented `Type Code` table under `Protocol:`; long values (RemoteIP lists)
//! wrap onto the next line when copied from a narrow console, and we join them back. Profile
//! format: `Public Profile Settings:` then `State  ON` and `Firewall Policy  BlockInbound,
//! AllowOutbound`. Block rules win over allow rules; what no rule allows meets the profile's
//! inbound policy (block by default).

use std::collections::BTreeMap;

use super::super::{Cite, Line, Segment};
use super::{
    addr_set, port_range, Chain, Cond, FixInfo, Kind, Proto, Rule, Ruleset, Target, Verdict,
};
use crate::net::{non_internet_v4, Cidr, IpSet};

const KEYS: [&str; 19] = [
    "Rule Name",
    "Description",
    "Enabled",
    "Direction",
    "Profiles",
    "Grouping",
    "LocalIP",
    "RemoteIP",
    "Protocol",
    "LocalPort",
    "RemotePort",
    "Edge traversal",
    "Program",
    "Service",
    "InterfaceTypes",
    "Security",
    "Rule source",
    "Action",
    "Remote computers",
];

#[derive(Default)]
struct Block {
    cite: Option<Cite>,
    fields: BTreeMap<String, String>,
    /// Where each field's line is, for the evidence.
    lines: BTreeMap<String, Cite>,
}

struct Profile {
    name: String,
    state_on: Option<(bool, Cite)>,
    inbound: Option<(Verdict, Cite)>,
}

fn key_of(t: &str) -> Option<(&'static str, &str)> {
    KEYS.iter().find_map(|k| {
        t.strip_prefix(k)
            .and_then(|r| r.strip_prefix(':'))
            .map(|v| (*k, v.trim()))
    })
}

fn local_subnet() -> IpSet {
    let v6: Vec<Cidr> = ["fc00::/7", "fe80::/10"]
        .iter()
        .filter_map(|s| Cidr::parse(s).ok())
        .collect();
    non_internet_v4().union(&IpSet::from_cidrs(&v6))
}

fn addresses(v: &str, what: &str, c: &mut Cond) -> Option<IpSet> {
    if v.eq_ignore_ascii_case("any") {
        return None;
    }
    let mut set = IpSet::empty();
    for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if part.eq_ignore_ascii_case("LocalSubnet") {
            set = set.union(&local_subnet());
            continue;
        }
        match addr_set(part) {
            Some(s) => set = set.union(&s),
            None => {
                c.unknown.push(format!("{what} `{part}`"));
                return None;
            }
        }
    }
    Some(set)
}

fn ports(v: &str, what: &str, c: &mut Cond) -> Option<Vec<super::PortRange>> {
    if v.eq_ignore_ascii_case("any") {
        return None;
    }
    let mut out = Vec::new();
    for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match port_range(part) {
            Some(r) => out.push(r),
            None => {
                c.unknown.push(format!("{what} `{part}`"));
                return None;
            }
        }
    }
    Some(out)
}

/// A rule block as (is it a block rule, the rule), or `None` for disabled, outbound, or
/// other-profile rules.
fn rule(b: &Block, profile: Option<&str>, notes: &mut Vec<String>) -> Option<(bool, String, Rule)> {
    let get = |k: &str| b.fields.get(k).map(String::as_str).unwrap_or("");
    if !get("Enabled").eq_ignore_ascii_case("yes") || !get("Direction").eq_ignore_ascii_case("in") {
        return None;
    }
    let profiles: Vec<String> = get("Profiles")
        .split(',')
        .map(|p| p.trim().to_owned())
        .collect();
    let all = get("Profiles").is_empty()
        || get("Profiles").eq_ignore_ascii_case("any")
        || ["Domain", "Private", "Public"]
            .iter()
            .all(|p| profiles.iter().any(|x| x == p));
    if let Some(active) = profile {
        if !all && !profiles.iter().any(|p| p == active) {
            return None;
        }
    }
    let mut c = Cond::default();
    if !all && profile.is_none() {
        c.assumed.push(format!(
            "that the active profile is one of {} (pass `netsh advfirewall show currentprofile`)",
            profiles.join(", ")
        ));
    }
    let proto_field = get("Protocol");
    let mut pw = proto_field.split_whitespace();
    let pname = pw.next().unwrap_or("Any");
    match Proto::parse(pname) {
        Some(Proto::All) => {}
        Some(p) => {
            c.protos = Some((false, vec![p]));
            if matches!(p, Proto::Icmp | Proto::Icmpv6) {
                // `ICMPv4 Type Code 8 Any` after joining the table.
                let rest: Vec<&str> = pw.filter(|w| *w != "Type" && *w != "Code").collect();
                let types: Vec<u8> = rest
                    .chunks(2)
                    .filter_map(|ch| ch.first().and_then(|t| t.parse().ok()))
                    .collect();
                if !types.is_empty() {
                    c.icmp_types = Some((false, types));
                }
            }
        }
        None => c.unknown.push(format!("protocol `{pname}`")),
    }
    if let Some(set) = addresses(get("RemoteIP"), "remote address", &mut c) {
        c.src = Some((false, set));
    }
    if let Some(set) = addresses(get("LocalIP"), "local address", &mut c) {
        c.dst = Some((false, set));
    }
    if c.protos
        .as_ref()
        .is_some_and(|(_, p)| p.iter().any(|x| matches!(x, Proto::Tcp | Proto::Udp)))
    {
        if let Some(r) = ports(get("LocalPort"), "local port", &mut c) {
            c.dports = Some((false, r));
        }
        if let Some(r) = ports(get("RemotePort"), "remote port", &mut c) {
            c.sports = Some((false, r));
        }
    }
    for k in ["Program", "Service"] {
        let v = get(k);
        if !v.is_empty() && !v.eq_ignore_ascii_case("any") {
            c.assumed.push(format!(
                "that `{v}` is what listens (the rule is limited to it)"
            ));
        }
    }
    let action = get("Action");
    let block = action.eq_ignore_ascii_case("block");
    if action.eq_ignore_ascii_case("bypass") {
        notes.push(
            "a rule allows authenticated IPsec bypass only; we took it as an allow rule".to_owned(),
        );
    }
    let name = get("Rule Name").to_owned();
    let cite = b.cite.clone()?;
    Some((
        block,
        name,
        Rule {
            cite,
            cond: c,
            target: Target::Verdict(if block {
                Verdict::Drop
            } else {
                Verdict::Accept
            }),
        },
    ))
}

/// Parses netsh firewall rule and profile listings; `None` unless it is one.
pub(crate) fn parse<'a>(seg: &Segment<'a>) -> Option<(Ruleset, Vec<Line<'a>>)> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut profiles: Vec<Profile> = Vec::new();
    let mut skipped = Vec::new();
    let mut last_key: Option<&'static str> = None;
    let mut in_profile = false;
    let mut empty = false;
    for line in seg.content() {
        let raw = line.text;
        let t = raw.trim();
        let cite = Cite::new(seg.input, line);
        if t.starts_with("---") || t == "Ok." {
            continue;
        }
        if t.starts_with("No rules match") {
            empty = true;
            continue;
        }
        if let Some(name) = t.strip_suffix(" Profile Settings:") {
            profiles.push(Profile {
                name: name.to_owned(),
                state_on: None,
                inbound: None,
            });
            in_profile = true;
            last_key = None;
            continue;
        }
        if let Some((k, v)) = key_of(t) {
            in_profile = false;
            if k == "Rule Name" {
                blocks.push(Block {
                    cite: Some(cite.clone()),
                    ..Block::default()
                });
            }
            match blocks.last_mut() {
                Some(b) => {
                    b.fields.insert(k.to_owned(), v.to_owned());
                    b.lines.insert(k.to_owned(), cite);
                    last_key = Some(k);
                }
                None => skipped.push(*line),
            }
            continue;
        }
        if in_profile {
            if let Some(p) = profiles.last_mut() {
                if let Some(v) = t.strip_prefix("State") {
                    p.state_on = Some((v.trim().eq_ignore_ascii_case("on"), cite));
                } else if let Some(v) = t.strip_prefix("Firewall Policy") {
                    let inbound = v.trim().split(',').next().unwrap_or("");
                    let verdict = match inbound {
                        "AllowInbound" => Verdict::Accept,
                        _ => Verdict::Drop,
                    };
                    p.inbound = Some((verdict, cite));
                }
            }
            continue;
        }
        // A continuation: the ICMP type table (indented) or a value wrapped by the console.
        match (last_key, blocks.last_mut()) {
            (Some(k), Some(b)) => {
                let entry = b.fields.entry(k.to_owned()).or_default();
                if raw.starts_with(char::is_whitespace) {
                    entry.push(' ');
                }
                entry.push_str(t);
                if let Some(c) = b.lines.get_mut(k) {
                    c.text.push_str(if raw.starts_with(char::is_whitespace) {
                        " "
                    } else {
                        ""
                    });
                    c.text.push_str(t);
                }
            }
            _ => skipped.push(*line),
        }
    }
    if blocks.is_empty() && profiles.is_empty() && !empty {
        return None;
    }
    let mut notes = Vec::new();
    let current = (profiles.len() == 1)
        .then(|| profiles.first().map(|p| p.name.clone()))
        .flatten();
    let disabled = if !profiles.is_empty()
        && profiles
            .iter()
            .all(|p| p.state_on.as_ref().is_some_and(|(on, _)| !on))
    {
        profiles
            .first()
            .and_then(|p| p.state_on.as_ref().map(|(_, c)| c.clone()))
    } else {
        if profiles
            .iter()
            .any(|p| p.state_on.as_ref().is_some_and(|(on, _)| !on))
        {
            notes.push(
                "the firewall is off in some profiles but not all; we evaluated it as on"
                    .to_owned(),
            );
        }
        None
    };
    let policy = profiles
        .iter()
        .find(|p| p.state_on.as_ref().is_none_or(|(on, _)| *on))
        .and_then(|p| p.inbound.clone());
    if policy.is_none() && !blocks.is_empty() {
        notes.push("we assumed the default inbound policy, BlockInbound (pass `netsh advfirewall show currentprofile` to check)".to_owned());
    }
    let (policy, policy_cite) = match policy {
        Some((v, c)) => (v, Some(c)),
        None => (Verdict::Drop, None),
    };
    let mut block_rules = Vec::new();
    let mut allow_rules = Vec::new();
    for b in &blocks {
        if let Some((block, name, r)) = rule(b, current.as_deref(), &mut notes) {
            if block {
                block_rules.push((name, r));
            } else {
                allow_rules.push((name, r));
            }
        }
    }
    let mut chain = Chain::new("inbound", true, policy, policy_cite);
    let mut names = BTreeMap::new();
    for (name, r) in block_rules.into_iter().chain(allow_rules) {
        chain.rules.push(r);
        names.insert(chain.rules.len(), name);
    }
    let mut chains = BTreeMap::new();
    chains.insert("inbound".to_owned(), chain);
    notes.dedup();
    Some((
        Ruleset {
            kind: Kind::Windows,
            input: seg.input.to_owned(),
            family: None,
            chains,
            bases: vec!["inbound".to_owned()],
            base_families: BTreeMap::new(),
            rule_listing: !blocks.is_empty() || empty,
            disabled,
            notes,
            fix: FixInfo::Windows(names),
        },
        skipped,
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::unreachable)]
mod tests {
    use super::super::super::text::split;
    use super::*;
    use crate::net::PortRange;

    fn ruleset(text: &str) -> (Ruleset, usize) {
        let segs = split("netsh.txt", text);
        let mut all: Option<Ruleset> = None;
        let mut skipped = 0;
        for seg in &segs {
            let (r, s) = parse(seg).unwrap();
            skipped += s.len();
            all = Some(r);
        }
        (all.unwrap(), skipped)
    }

    const RULES: &str = "\n\
Rule Name:                            Remote Desktop - User Mode (TCP-In)\n\
----------------------------------------------------------------------\n\
Enabled:                              Yes\n\
Direction:                            In\n\
Profiles:                             Domain,Private,Public\n\
Grouping:                             Remote Desktop\n\
LocalIP:                              Any\n\
RemoteIP:                             Any\n\
Protocol:                             TCP\n\
LocalPort:                            3389\n\
RemotePort:                           Any\n\
Edge traversal:                       No\n\
Action:                               Allow\n\
\n\
Rule Name:                            Block RDP from scanners\n\
----------------------------------------------------------------------\n\
Enabled:                              Yes\n\
Direction:                            In\n\
Profiles:                             Domain,Private,Public\n\
Grouping:                             \n\
LocalIP:                              Any\n\
RemoteIP:                             45.155.205.0/255.255.255.0,80.66.76.0/255.255.255.0,1\n\
94.165.16.0/255.255.255.0\n\
Protocol:                             TCP\n\
LocalPort:                            3389\n\
RemotePort:                           Any\n\
Edge traversal:                       No\n\
Action:                               Block\n\
\n\
Rule Name:                            File and Printer Sharing (Echo Request - ICMPv4-In)\n\
----------------------------------------------------------------------\n\
Enabled:                              No\n\
Direction:                            In\n\
Profiles:                             Domain\n\
Grouping:                             File and Printer Sharing\n\
LocalIP:                              Any\n\
RemoteIP:                             Any\n\
Protocol:                             ICMPv4\n\
\x20                                     Type    Code\n\
\x20                                     8       Any \n\
Edge traversal:                       No\n\
Action:                               Allow\n\
Ok.\n";

    #[test]
    fn rules_with_wrapped_values_and_icmp_table() {
        let (r, skipped) = ruleset(RULES);
        assert_eq!(skipped, 0);
        let ch = &r.chains["inbound"];
        // The disabled ICMP rule is left out; the block rule comes first.
        assert_eq!(ch.rules.len(), 2);
        assert_eq!(ch.rules[0].target, Target::Verdict(Verdict::Drop));
        let src = &ch.rules[0].cond.src.as_ref().unwrap().1;
        assert!(
            src.contains("194.165.16.9".parse().unwrap()),
            "wrapped value joined"
        );
        assert!(src.contains("45.155.205.1".parse().unwrap()));
        assert_eq!(
            ch.rules[1].cond.dports,
            Some((false, vec![PortRange::single(3389)]))
        );
        assert_eq!(ch.rules[1].cite.line, 2);
        assert_eq!(ch.policy, Verdict::Drop);
        assert!(!r.notes.is_empty());
        let FixInfo::Windows(names) = &r.fix else {
            unreachable!("netsh gives Windows fix info")
        };
        assert_eq!(names[&1], "Block RDP from scanners");
    }

    #[test]
    fn icmp_table_is_read() {
        let text = RULES.replace(
            "Enabled:                              No",
            "Enabled:                              Yes",
        );
        let (r, _) = ruleset(&text);
        let ch = &r.chains["inbound"];
        let icmp = ch
            .rules
            .iter()
            .find(|r| r.cond.protos == Some((false, vec![Proto::Icmp])))
            .unwrap();
        assert_eq!(icmp.cond.icmp_types, Some((false, vec![8])));
    }

    #[test]
    fn profile_settings() {
        let (r, _) = ruleset(
            "\n\
             Public Profile Settings:\n\
             ----------------------------------------------------------------------\n\
             State                                 OFF\n\
             Firewall Policy                       BlockInbound,AllowOutbound\n\
             LocalFirewallRules                    N/A (GPO-store only)\n\
             \n\
             Logging:\n\
             LogAllowedConnections                 Disable\n\
             FileName                              %systemroot%\\system32\\LogFiles\\Firewall\\pfirewall.log\n\
             Ok.\n",
        );
        assert!(r.disabled.is_some());
    }
}
