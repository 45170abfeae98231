//! `nft list ruleset` output (optionally `-a`, which adds `# handle N` comments).
//!
//! Format (nft(8)): nested blocks
//!
//! ```text
//! table inet filter {
//!         set allowed {
//!                 type ipv4_addr
//!                 flags interval
//!                 elements = { 192.0.2.0/24, 198.51.100.7 }
//!         }
//!         chain input {
//!                 type filter hook input priority filter; policy drop;
//!                 ct state established,related accept
//!                 iifname "lo" accept
//!                 ip saddr @allowed tcp dport 22 accept
//!                 tcp dport { 80, 443 } counter packets 0 bytes 0 accept
//!                 jump input_user
//!         }
//! }
//! ```
//!
//! Every base chain of type `filter` on hook `prerouting` or `input` (in `ip`, `ip6` and `inet`
//! tables) must accept the packet; `accept` ends one base chain, `drop` ends all. A chain without
//! `policy` accepts. Verdict maps (`ct state vmap { established : accept, invalid : drop }`) become
//! one rule per entry.

use std::collections::BTreeMap;

use super::super::{Cite, Line, Segment};
use super::{
    addr_set, icmp_type, icmpv6_type, port_range, Chain, Cond, FixInfo, Kind, Proto, Rule, Ruleset,
    Target, Verdict,
};
use crate::net::{Family, IpSet, PortRange};

/// Splits a rule into tokens: words, quoted strings, and `{ } , ;` on their own.
fn tokens(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                if !quoted {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ if quoted => cur.push(c),
            '{' | '}' | ',' | ';' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                out.push(c.to_string());
            }
            c if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Drops a trailing `# handle 12` (or any `#` comment outside quotes).
fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted => return line.get(..i).unwrap_or(line),
            _ => {}
        }
    }
    line
}

const OPS: [&str; 5] = ["==", "!=", "eq", "ne", "!"];

const KEYWORDS: [&str; 37] = [
    "ip", "ip6", "tcp", "udp", "th", "sctp", "dccp", "udplite", "meta", "l4proto", "nfproto",
    "pkttype", "iifname", "iif", "oifname", "oif", "ct", "icmp", "icmpv6", "fib", "counter", "log",
    "limit", "quota", "comment", "accept", "drop", "reject", "return", "continue", "jump", "goto",
    "queue", "notrack", "mark", "vmap", "socket",
];

/// Reads an operator and a value (`22`, `{ 22, 80 }`, `established,related`) at `*i`.
fn value(toks: &[String], i: &mut usize) -> (bool, Vec<String>) {
    let mut neg = false;
    if let Some(op) = toks.get(*i) {
        if OPS.contains(&op.as_str()) {
            neg = op == "!=" || op == "ne" || op == "!";
            *i += 1;
        }
    }
    let mut vals = Vec::new();
    match toks.get(*i).map(String::as_str) {
        Some("{") => {
            *i += 1;
            while let Some(t) = toks.get(*i) {
                *i += 1;
                match t.as_str() {
                    "}" => break,
                    "," => {}
                    v => vals.push(v.to_owned()),
                }
            }
        }
        Some(v) => {
            vals.push(v.to_owned());
            *i += 1;
            while toks.get(*i).map(String::as_str) == Some(",") {
                if let Some(n) = toks.get(*i + 1) {
                    vals.push(n.clone());
                }
                *i += 2;
            }
        }
        None => {}
    }
    (neg, vals)
}

/// A verdict map `vmap { key : verdict, … }` at `*i` (after `vmap`).
fn vmap(toks: &[String], i: &mut usize, table: &str) -> Vec<(String, Target)> {
    let mut out = Vec::new();
    if toks.get(*i).map(String::as_str) != Some("{") {
        return out;
    }
    *i += 1;
    let mut entry: Vec<String> = Vec::new();
    while let Some(t) = toks.get(*i) {
        *i += 1;
        match t.as_str() {
            "," | "}" => {
                if let Some(colon) = entry.iter().position(|x| x == ":") {
                    let key = entry.get(..colon).unwrap_or(&[]).join(" ");
                    let verdict = entry.get(colon + 1..).unwrap_or(&[]);
                    if let Some(v) = verdict_of(verdict, table) {
                        out.push((key, v));
                    }
                }
                entry.clear();
                if t == "}" {
                    break;
                }
            }
            x => entry.push(x.to_owned()),
        }
    }
    out
}

/// One rule per verdict-map entry: the rule's conditions so far, plus the entry's key.
fn vmap_rules(
    toks: &[String],
    i: &mut usize,
    table: &str,
    base: &Cond,
    key: impl Fn(&mut Cond, &str) -> Option<()>,
) -> Vec<(Cond, Target)> {
    vmap(toks, i, table)
        .into_iter()
        .map(|(k, t)| {
            let mut c = base.clone();
            if key(&mut c, &k).is_none() {
                c.unknown.push(format!("`{k}`"));
            }
            (c, t)
        })
        .collect()
}

fn verdict_of(words: &[String], table: &str) -> Option<Target> {
    let first = words.first()?.as_str();
    Some(match first {
        "accept" => Target::Verdict(Verdict::Accept),
        "drop" => Target::Verdict(Verdict::Drop),
        "reject" => Target::Verdict(Verdict::Reject),
        "return" => Target::Return,
        "continue" => Target::Continue,
        "jump" => Target::Jump(format!("{table}/{}", words.get(1)?)),
        "goto" => Target::Goto(format!("{table}/{}", words.get(1)?)),
        _ => return None,
    })
}

/// A named set: its type and elements.
struct Set {
    addr: bool,
    port: bool,
    elements: Vec<String>,
}

fn addrs(vals: &[String], sets: &BTreeMap<String, Set>, table: &str) -> Result<IpSet, String> {
    let mut out = IpSet::empty();
    for v in vals {
        if let Some(name) = v.strip_prefix('@') {
            match sets.get(&format!("{table}/{name}")) {
                Some(s) if s.addr => out = out.union(&addrs(&s.elements, sets, table)?),
                _ => return Err(format!("set `@{name}`")),
            }
            continue;
        }
        out = out.union(&addr_set(v).ok_or_else(|| format!("address `{v}`"))?);
    }
    Ok(out)
}

fn ports(
    vals: &[String],
    sets: &BTreeMap<String, Set>,
    table: &str,
) -> Result<Vec<PortRange>, String> {
    let mut out = Vec::new();
    for v in vals {
        if let Some(name) = v.strip_prefix('@') {
            match sets.get(&format!("{table}/{name}")) {
                Some(s) if s.port => out.extend(ports(&s.elements, sets, table)?),
                _ => return Err(format!("set `@{name}`")),
            }
            continue;
        }
        out.push(port_range(v).ok_or_else(|| format!("port `{v}`"))?);
    }
    Ok(out)
}

fn protos(vals: &[String]) -> Result<Vec<Proto>, String> {
    vals.iter()
        .map(|v| Proto::parse(v).ok_or_else(|| format!("protocol `{v}`")))
        .collect()
}

fn family_word(v: &str) -> Option<Family> {
    match v {
        "ip" => Some(Family::Ipv4),
        "ip6" => Some(Family::Ipv6),
        _ => None,
    }
}

/// Parses one rule into one or more rules (a verdict map gives one per entry).
fn rule(
    toks: &[String],
    table: &str,
    fam: Option<Family>,
    sets: &BTreeMap<String, Set>,
    cite: &Cite,
) -> Vec<Rule> {
    let mut c = Cond {
        family: fam,
        ..Cond::default()
    };
    let mut target = Target::Continue;
    let mut maps: Vec<(Cond, Target)> = Vec::new();
    let mut i = 0;
    let restrict_family = |c: &mut Cond, f: Family| {
        if c.family.is_some_and(|x| x != f) {
            c.never = Some("the other address family".to_owned());
        }
        c.family = Some(f);
    };
    while let Some(tok) = toks.get(i) {
        i += 1;
        match tok.as_str() {
            "ip" | "ip6" => {
                let f = family_word(tok).unwrap_or(Family::Ipv4);
                restrict_family(&mut c, f);
                let field = toks.get(i).cloned().unwrap_or_default();
                i += 1;
                match field.as_str() {
                    "saddr" | "daddr" => {
                        if toks.get(i).map(String::as_str) == Some("vmap") {
                            i += 1;
                            maps.extend(vmap_rules(toks, &mut i, table, &c, |mc, k| {
                                let set = addr_set(k)?;
                                if field == "saddr" {
                                    mc.src = Some((false, set));
                                } else {
                                    mc.dst = Some((false, set));
                                }
                                Some(())
                            }));
                            continue;
                        }
                        let (neg, vals) = value(toks, &mut i);
                        match addrs(&vals, sets, table) {
                            Ok(set) if field == "saddr" => c.src = Some((neg, set)),
                            Ok(set) => c.dst = Some((neg, set)),
                            Err(e) => c.unknown.push(e),
                        }
                    }
                    "protocol" | "nexthdr" => {
                        let (neg, vals) = value(toks, &mut i);
                        match protos(&vals) {
                            Ok(p) => c.protos = Some((neg, p)),
                            Err(e) => c.unknown.push(e),
                        }
                    }
                    other => {
                        c.unknown.push(format!("`{tok} {other}`"));
                        let _ = value(toks, &mut i);
                    }
                }
            }
            "tcp" | "udp" | "th" | "sctp" | "dccp" | "udplite" => {
                let p = match tok.as_str() {
                    "tcp" => vec![Proto::Tcp],
                    "udp" => vec![Proto::Udp],
                    "th" => vec![Proto::Tcp, Proto::Udp],
                    "sctp" => vec![Proto::Num(132)],
                    "dccp" => vec![Proto::Num(33)],
                    _ => vec![Proto::Num(136)],
                };
                c.protos = Some((false, p));
                let field = toks.get(i).cloned().unwrap_or_default();
                i += 1;
                match field.as_str() {
                    "dport" | "sport" => {
                        if toks.get(i).map(String::as_str) == Some("vmap") {
                            i += 1;
                            maps.extend(vmap_rules(toks, &mut i, table, &c, |mc, k| {
                                let r = port_range(k)?;
                                if field == "dport" {
                                    mc.dports = Some((false, vec![r]));
                                } else {
                                    mc.sports = Some((false, vec![r]));
                                }
                                Some(())
                            }));
                            continue;
                        }
                        let (neg, vals) = value(toks, &mut i);
                        match ports(&vals, sets, table) {
                            Ok(r) if field == "dport" => c.dports = Some((neg, r)),
                            Ok(r) => c.sports = Some((neg, r)),
                            Err(e) => c.unknown.push(e),
                        }
                    }
                    "flags" => {
                        // `tcp flags syn`, `tcp flags & (fin|syn|rst|ack) == syn`, `tcp flags != syn`
                        let mut expr = Vec::new();
                        while let Some(t) = toks.get(i) {
                            if KEYWORDS.contains(&t.as_str()) {
                                break;
                            }
                            expr.push(t.clone());
                            i += 1;
                        }
                        let last = expr.last().map(String::as_str);
                        let negated = expr.iter().any(|x| x == "!=");
                        if last == Some("syn") {
                            c.syn = Some(!negated);
                        } else {
                            c.unknown.push(format!("`tcp flags {}`", expr.join(" ")));
                        }
                    }
                    other => {
                        c.unknown.push(format!("`{tok} {other}`"));
                        let _ = value(toks, &mut i);
                    }
                }
            }
            "meta" => {
                // `meta l4proto tcp` reads like `l4proto tcp`; `meta mark set 0x1` is a statement.
                if toks.get(i + 1).map(String::as_str) == Some("set") {
                    i += 3;
                }
            }
            "l4proto" => {
                let (neg, vals) = value(toks, &mut i);
                match protos(&vals) {
                    Ok(p) => c.protos = Some((neg, p)),
                    Err(e) => c.unknown.push(e),
                }
            }
            "nfproto" => {
                let (neg, vals) = value(toks, &mut i);
                let v4 = vals.first().map(String::as_str) == Some("ipv4");
                restrict_family(
                    &mut c,
                    if v4 != neg {
                        Family::Ipv4
                    } else {
                        Family::Ipv6
                    },
                );
            }
            "pkttype" => {
                let (neg, vals) = value(toks, &mut i);
                if vals.iter().any(|v| v == "host") == neg {
                    c.never = Some("packet type".to_owned());
                }
            }
            "iifname" | "iif" => {
                let (neg, vals) = value(toks, &mut i);
                if let Some(v) = vals.first() {
                    c.iif = Some((neg, v.clone()));
                }
            }
            "oifname" | "oif" => {
                let _ = value(toks, &mut i);
            }
            "ct" => {
                let field = toks.get(i).cloned().unwrap_or_default();
                i += 1;
                if toks.get(i).map(String::as_str) == Some("set") {
                    i += 2;
                    continue;
                }
                if field == "state" && toks.get(i).map(String::as_str) == Some("vmap") {
                    i += 1;
                    maps.extend(vmap_rules(toks, &mut i, table, &c, |mc, k| {
                        mc.states = Some((false, vec![k.to_ascii_uppercase()]));
                        Some(())
                    }));
                    continue;
                }
                match field.as_str() {
                    "state" => {
                        let (neg, vals) = value(toks, &mut i);
                        c.states =
                            Some((neg, vals.iter().map(|v| v.to_ascii_uppercase()).collect()));
                    }
                    "status" => {
                        // Traffic straight to the instance is not DNAT-ed (`ct status dnat accept`
                        // in firewalld's ruleset is for forwarded ports).
                        let (neg, vals) = value(toks, &mut i);
                        if vals.iter().all(|v| v == "dnat" || v == "snat") && !neg {
                            c.never = Some("a NAT-ed connection".to_owned());
                        } else {
                            c.unknown.push(format!("`ct status {}`", vals.join(",")));
                        }
                    }
                    "count" => {
                        let over = toks.get(i).map(String::as_str) == Some("over");
                        let _ = value(toks, &mut i);
                        if over {
                            let _ = value(toks, &mut i);
                            c.never = Some(
                                "a connection count the first connection does not exceed"
                                    .to_owned(),
                            );
                        }
                    }
                    other => {
                        c.unknown.push(format!("`ct {other}`"));
                        let _ = value(toks, &mut i);
                    }
                }
            }
            "icmp" | "icmpv6" => {
                let v6 = tok == "icmpv6";
                restrict_family(&mut c, if v6 { Family::Ipv6 } else { Family::Ipv4 });
                c.protos = Some((false, vec![if v6 { Proto::Icmpv6 } else { Proto::Icmp }]));
                let field = toks.get(i).cloned().unwrap_or_default();
                i += 1;
                let (neg, vals) = value(toks, &mut i);
                if field == "type" {
                    let types: Option<Vec<u8>> = vals
                        .iter()
                        .map(|v| if v6 { icmpv6_type(v) } else { icmp_type(v) })
                        .collect();
                    match types {
                        Some(t) => c.icmp_types = Some((neg, t)),
                        None => c.unknown.push(format!("ICMP type `{}`", vals.join(", "))),
                    }
                } else {
                    c.unknown.push(format!("`{tok} {field}`"));
                }
            }
            "fib" => {
                let mut expr = Vec::new();
                while let Some(t) = toks.get(i) {
                    if KEYWORDS.contains(&t.as_str())
                        && !expr.is_empty()
                        && t != "oif"
                        && t != "iif"
                    {
                        break;
                    }
                    expr.push(t.clone());
                    i += 1;
                }
                let has = |w: &str| expr.iter().any(|x| x == w);
                if has("daddr") && has("type") && has("local") {
                    // The target address is local: matches.
                } else if has("oif") && (has("missing") || has("0")) {
                    c.never = Some(
                        "the reverse-path check (the route back is assumed to exist)".to_owned(),
                    );
                } else {
                    c.unknown.push(format!("`fib {}`", expr.join(" ")));
                }
            }
            "counter" => {
                if toks.get(i).map(String::as_str) == Some("packets") {
                    i += 4;
                }
            }
            "log" => {
                while let Some(t) = toks.get(i) {
                    match t.as_str() {
                        "prefix" | "level" | "group" | "snaplen" | "queue-threshold" => i += 2,
                        "flags" => {
                            i += 2;
                            while toks.get(i).map(String::as_str) == Some(",") {
                                i += 2;
                            }
                        }
                        _ => break,
                    }
                }
            }
            "limit" => {
                let mut over = false;
                while let Some(t) = toks.get(i) {
                    match t.as_str() {
                        "rate" => i += 1,
                        "over" => {
                            over = true;
                            i += 1;
                        }
                        "burst" => i += 3,
                        t if t.contains('/') || t.chars().all(|c| c.is_ascii_digit()) => i += 1,
                        "bytes" | "packets" | "kbytes" | "mbytes" => i += 1,
                        _ => break,
                    }
                }
                if over {
                    c.never = Some("a rate limit the first packets do not exceed".to_owned());
                } else {
                    c.assumed
                        .push("that rate limits let the first packets through".to_owned());
                }
            }
            "comment" => i += 1,
            "accept" | "drop" | "return" | "continue" => {
                target = verdict_of(std::slice::from_ref(tok), table).unwrap_or(Target::Continue);
            }
            "reject" => {
                target = Target::Verdict(Verdict::Reject);
                // `reject with tcp reset`, `with icmpx type admin-prohibited` (nft < 1.0),
                // `with icmp host-prohibited`.
                if toks.get(i).map(String::as_str) == Some("with") {
                    i += 2;
                    i += if toks.get(i).map(String::as_str) == Some("type") {
                        2
                    } else {
                        1
                    };
                }
            }
            "jump" | "goto" => {
                let name = toks.get(i).cloned().unwrap_or_default();
                i += 1;
                target = if tok == "jump" {
                    Target::Jump(format!("{table}/{name}"))
                } else {
                    Target::Goto(format!("{table}/{name}"))
                };
            }
            "queue" => {
                target = Target::Unknown("a user-space queue".to_owned());
                break;
            }
            "notrack" | "masquerade" | "snat" | "dnat" | "redirect" | "dup" | "fwd" => {}
            other => c.unknown.push(format!("`{other}`")),
        }
    }
    if maps.is_empty() {
        return vec![Rule {
            cite: cite.clone(),
            cond: c,
            target,
        }];
    }
    maps.into_iter()
        .map(|(cond, target)| Rule {
            cite: cite.clone(),
            cond,
            target,
        })
        .collect()
}

fn priority(words: &[String]) -> i32 {
    let base = |w: &str| -> i32 {
        match w {
            "raw" => -300,
            "mangle" => -150,
            "dstnat" => -100,
            "filter" => 0,
            "security" => 50,
            "srcnat" => 100,
            n => n.parse().unwrap_or(0),
        }
    };
    let mut p = words.first().map_or(0, |w| base(w));
    if let (Some(op), Some(n)) = (
        words.get(1),
        words.get(2).and_then(|n| n.parse::<i32>().ok()),
    ) {
        match op.as_str() {
            "+" => p += n,
            "-" => p -= n,
            _ => {}
        }
    }
    p
}

enum Block {
    Table { family: String, name: String },
    Chain { key: String },
    Set { key: String },
    Other,
}

/// Parses `nft list ruleset`; `None` unless it is one.
pub(crate) fn parse<'a>(seg: &Segment<'a>) -> Option<(Ruleset, Vec<Line<'a>>)> {
    let mut stack: Vec<Block> = Vec::new();
    let mut chains: BTreeMap<String, Chain> = BTreeMap::new();
    let mut sets: BTreeMap<String, Set> = BTreeMap::new();
    let mut raw_rules: Vec<(String, Vec<String>, Cite, Option<Family>)> = Vec::new();
    let mut bases: Vec<(u8, i32, String, Option<Family>)> = Vec::new();
    let mut names: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    let mut skipped = Vec::new();
    let mut tables = 0usize;
    let mut collecting: Option<(String, String)> = None;
    let mut families: Vec<Option<Family>> = Vec::new();
    for line in seg.content() {
        let t = strip_comment(line.text).trim();
        if t.is_empty() {
            continue;
        }
        if let Some((key, mut text)) = collecting.take() {
            text.push(' ');
            text.push_str(t);
            if t.contains('}') {
                if let Some(s) = sets.get_mut(&key) {
                    s.elements.extend(elements(&text));
                }
            } else {
                collecting = Some((key, text));
            }
            continue;
        }
        let cite = Cite::new(seg.input, line);
        let table_ctx = stack.iter().find_map(|b| match b {
            Block::Table { family, name } => Some((family.clone(), name.clone())),
            _ => None,
        });
        let tfam = table_ctx.as_ref().and_then(|(f, _)| family_word(f));
        if t == "}" {
            if stack.pop().is_none() {
                skipped.push(*line);
            }
            continue;
        }
        let w: Vec<&str> = t.split_whitespace().collect();
        if t.ends_with('{') {
            let block = match (w.first().copied(), table_ctx.as_ref()) {
                (Some("table"), None) => {
                    let (family, name) = match (w.get(1), w.get(2)) {
                        (Some(f), Some(n)) if *n != "{" => ((*f).to_owned(), (*n).to_owned()),
                        (Some(n), _) => ("ip".to_owned(), (*n).to_owned()),
                        _ => ("ip".to_owned(), String::new()),
                    };
                    tables += 1;
                    Block::Table { family, name }
                }
                (Some("chain"), Some((f, n))) => {
                    let name = w.get(1).copied().unwrap_or("");
                    let key = format!("{f} {n}/{name}");
                    chains.insert(key.clone(), Chain::new(name, false, Verdict::Accept, None));
                    names.insert(key.clone(), (f.clone(), n.clone(), name.to_owned()));
                    Block::Chain { key }
                }
                (Some("set") | Some("map"), Some((f, n))) => {
                    let name = w.get(1).copied().unwrap_or("");
                    let key = format!("{f} {n}/{name}");
                    sets.insert(
                        key.clone(),
                        Set {
                            addr: false,
                            port: false,
                            elements: Vec::new(),
                        },
                    );
                    Block::Set { key }
                }
                _ => Block::Other,
            };
            stack.push(block);
            continue;
        }
        match stack.last() {
            Some(Block::Set { key }) => {
                if let Some(ty) = t.strip_prefix("type ") {
                    if let Some(s) = sets.get_mut(key) {
                        s.addr = ty.trim() == "ipv4_addr" || ty.trim() == "ipv6_addr";
                        s.port = ty.trim() == "inet_service";
                    }
                } else if let Some(rest) = t.strip_prefix("elements = ") {
                    if rest.contains('}') {
                        if let Some(s) = sets.get_mut(key) {
                            s.elements.extend(elements(rest));
                        }
                    } else {
                        collecting = Some((key.clone(), rest.to_owned()));
                    }
                }
            }
            Some(Block::Chain { key }) => {
                if t.starts_with("type ") {
                    let toks = tokens(t);
                    let pos = |w: &str| toks.iter().position(|x| x == w);
                    let ty = pos("type")
                        .and_then(|p| toks.get(p + 1))
                        .cloned()
                        .unwrap_or_default();
                    let hook = pos("hook")
                        .and_then(|p| toks.get(p + 1))
                        .cloned()
                        .unwrap_or_default();
                    let prio = pos("priority")
                        .map(|p| {
                            let rest: Vec<String> = toks
                                .iter()
                                .skip(p + 1)
                                .take_while(|x| *x != ";")
                                .cloned()
                                .collect();
                            priority(&rest)
                        })
                        .unwrap_or(0);
                    let policy = pos("policy").and_then(|p| toks.get(p + 1)).cloned();
                    let tf = table_ctx.as_ref().map(|(f, _)| f.as_str()).unwrap_or("");
                    let inbound = ty == "filter"
                        && (hook == "input" || hook == "prerouting")
                        && matches!(tf, "ip" | "ip6" | "inet");
                    if let Some(ch) = chains.get_mut(key) {
                        if let Some(p) = &policy {
                            ch.policy = if p == "drop" {
                                Verdict::Drop
                            } else {
                                Verdict::Accept
                            };
                            ch.policy_cite = Some(cite.clone());
                        }
                        if inbound {
                            ch.base = true;
                            bases.push((u8::from(hook == "input"), prio, key.clone(), tfam));
                            families.push(tfam);
                        }
                    }
                } else {
                    raw_rules.push((key.clone(), tokens(t), cite, tfam));
                }
            }
            Some(Block::Table { .. }) | Some(Block::Other) => {
                // Table-level statements (`flags dormant`, `comment`) and other objects' bodies.
            }
            None => skipped.push(*line),
        }
    }
    if tables == 0 {
        return None;
    }
    for (key, toks, cite, fam) in raw_rules {
        let table = key
            .split_once('/')
            .map_or(key.as_str(), |(t, _)| t)
            .to_owned();
        let rs = rule(&toks, &table, fam, &sets, &cite);
        if let Some(ch) = chains.get_mut(&key) {
            ch.rules.extend(rs);
        }
    }
    crate::evidence::text::sort_by(&mut bases, |a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
    let family = if families.is_empty() || families.iter().any(Option::is_none) {
        None
    } else if families.iter().all(|f| *f == Some(Family::Ipv4)) {
        Some(Family::Ipv4)
    } else if families.iter().all(|f| *f == Some(Family::Ipv6)) {
        Some(Family::Ipv6)
    } else {
        None
    };
    let base_families = bases
        .iter()
        .filter_map(|(_, _, k, f)| f.map(|f| (k.clone(), f)))
        .collect();
    let mut notes = Vec::new();
    if bases.is_empty() {
        notes.push("the ruleset has no filter chain on the input hook, so it does not filter traffic to the instance".to_owned());
    }
    Some((
        Ruleset {
            kind: Kind::Nftables,
            input: seg.input.to_owned(),
            family,
            chains,
            bases: bases.into_iter().map(|(_, _, k, _)| k).collect(),
            base_families,
            rule_listing: true,
            disabled: None,
            notes,
            fix: FixInfo::Nft(names),
        },
        skipped,
    ))
}

/// `{ 192.0.2.0/24, 198.51.100.7 }` → the elements (without `timeout …` annotations).
fn elements(text: &str) -> Vec<String> {
    let inner = text
        .split_once('{')
        .map_or(text, |(_, r)| r)
        .split('}')
        .next()
        .unwrap_or("");
    inner
        .split(',')
        .filter_map(|e| e.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::super::super::text::split;
    use super::*;

    fn ruleset(text: &str) -> (Ruleset, usize) {
        let segs = split("nft.txt", text);
        let (r, s) = parse(&segs[0]).unwrap();
        (r, s.len())
    }

    #[test]
    fn inet_filter_with_sets_vmap_and_handles() {
        let (r, skipped) = ruleset(
            "table inet filter { # handle 1\n\
             \tset allowed_ssh { # handle 3\n\
             \t\ttype ipv4_addr\n\
             \t\tflags interval\n\
             \t\telements = { 192.0.2.0/24, 198.51.100.7,\n\
             \t\t\t     203.0.113.9 }\n\
             \t}\n\
             \tchain input { # handle 2\n\
             \t\ttype filter hook input priority filter; policy drop;\n\
             \t\tct state vmap { invalid : drop, established : accept, related : accept } # handle 4\n\
             \t\tiifname \"lo\" accept # handle 5\n\
             \t\tip saddr @allowed_ssh tcp dport 22 accept # handle 6\n\
             \t\ttcp dport { 80, 443, 8000-8100 } counter packets 12 bytes 720 accept # handle 7\n\
             \t\tmeta l4proto { icmp, ipv6-icmp } accept # handle 8\n\
             \t\tjump input_user # handle 9\n\
             \t\tlog prefix \"nft drop: \" level info flags all # handle 10\n\
             \t}\n\
             \tchain input_user { # handle 11\n\
             \t\tip6 saddr 2001:db8::/32 tcp dport 22 accept comment \"office v6\" # handle 12\n\
             \t}\n\
             }\n",
        );
        assert_eq!(skipped, 0);
        assert_eq!(r.family, None);
        assert_eq!(r.bases, vec!["inet filter/input"]);
        let input = &r.chains["inet filter/input"];
        assert_eq!(input.policy, Verdict::Drop);
        // vmap: 3 rules, then 6 more.
        assert_eq!(input.rules.len(), 9);
        assert_eq!(
            input.rules[0].cond.states,
            Some((false, vec!["INVALID".to_owned()]))
        );
        assert_eq!(input.rules[0].target, Target::Verdict(Verdict::Drop));
        let ssh = &input.rules[4];
        let src = &ssh.cond.src.as_ref().unwrap().1;
        assert!(src.contains("203.0.113.9".parse().unwrap()));
        assert!(src.contains("192.0.2.77".parse().unwrap()));
        assert_eq!(ssh.cite.line, 12);
        assert_eq!(input.rules[5].cond.dports.as_ref().unwrap().1.len(), 3);
        assert_eq!(
            input.rules[7].target,
            Target::Jump("inet filter/input_user".to_owned())
        );
        assert_eq!(input.rules[8].target, Target::Continue);
        let v6 = &r.chains["inet filter/input_user"].rules[0];
        assert_eq!(v6.cond.family, Some(Family::Ipv6));
    }

    #[test]
    fn iptables_nft_translation() {
        let (r, skipped) = ruleset(
            "# Warning: table ip filter is managed by iptables-nft, do not touch!\n\
             table ip filter {\n\
             \tchain INPUT {\n\
             \t\ttype filter hook input priority filter; policy accept;\n\
             \t\tmeta l4proto tcp tcp dport 22 counter packets 0 bytes 0 drop\n\
             \t}\n\
             }\n",
        );
        assert_eq!(skipped, 0);
        assert_eq!(r.family, Some(Family::Ipv4));
        let rule = &r.chains["ip filter/INPUT"].rules[0];
        assert_eq!(rule.target, Target::Verdict(Verdict::Drop));
        assert_eq!(rule.cond.dports, Some((false, vec![PortRange::single(22)])));
    }

    #[test]
    fn unrelated_text_is_not_nft() {
        let segs = split("x", "chain input {\n}\n");
        assert!(parse(&segs[0]).is_none());
    }
}
