//! Routes and addresses inside the instance.
//!
//! Formats:
//! - `ip route` / `ip -6 route` / `ip route show table all` (iproute2): one route per line,
//!   `[TYPE] PREFIX|default [via [inet6] ADDR] [dev NAME] [proto P] [scope S] [src ADDR]
//!   [metric N] [table T] …`; multipath routes continue on tab-indented `nexthop via … dev …`
//!   lines; types `blackhole`, `unreachable`, `prohibit`, `local`, `broadcast`, …;
//! - `ip rule`: `PRIO:\tfrom SEL [to SEL] [fwmark M] [iif D] lookup TABLE`;
//! - `ip addr`: `2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 … state UP …` then
//!   indented `inet 10.0.1.5/24 …` / `inet6 …` lines; `ip -br addr`: `eth0  UP  10.0.1.5/24 …`;
//!   `ifconfig` (net-tools, old and new styles);
//! - `route -n` / `netstat -rn` (net-tools): `Kernel IP routing table`, then `Destination Gateway
//!   Genmask Flags Metric Ref Use Iface` (or `Flags MSS Window irtt Iface`) rows; `route -6 -n`:
//!   `Destination Next Hop Flag Met Ref Use If`;
//! - Windows `route print`: `Interface List`, `IPv4 Route Table` with `Network Destination Netmask
//!   Gateway Interface Metric` rows (Interface is the local address), `IPv6 Route Table` with
//!   `If Metric Network Destination Gateway` rows whose gateway wraps onto the next line when the
//!   destination is long.
//!
//! What we check: that a route carries replies to the queried sources, that it is not a
//! blackhole/unreachable route, that the address the client used is configured on an interface that
//! is up, and that replies leave by the interface holding that address (several ENIs: replies by
//! another interface are dropped by the ENI's source/destination check, and Linux's reverse-path
//! filter drops the requests). Linux policy routing (`ip rule` `from ADDR lookup T`) is followed
//! when given. Windows sends only from the interface that holds the source address (strong host
//! model), so only routes through that interface count.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use super::text::{join_and, parse_ip, set_of};
use super::{describe_set, Cite, Ctx, Line, Segment};
use crate::fix::Fix;
use crate::net::{Cidr, Family, IpSet};
use crate::report::{Check, Evidence, Layer, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Unicast,
    Blackhole,
    Unreachable,
    Prohibit,
    Throw,
    /// `local`, `broadcast`, `multicast`, `anycast`, `nat`: not used for replies.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Route {
    pub family: Family,
    pub dest: Cidr,
    pub kind: Kind,
    pub local: bool,
    pub gateway: Option<IpAddr>,
    /// Linux device name; for Windows IPv4 the interface's address, for IPv6 `if N`.
    pub dev: Option<String>,
    pub src: Option<IpAddr>,
    pub metric: u32,
    pub table: String,
    pub cite: Cite,
}

impl Route {
    /// A unicast route of the main table.
    fn unicast(
        family: Family,
        dest: Cidr,
        gateway: Option<IpAddr>,
        dev: String,
        metric: u32,
        cite: Cite,
    ) -> Route {
        Route {
            family,
            dest,
            kind: Kind::Unicast,
            local: false,
            gateway,
            dev: Some(dev),
            src: None,
            metric,
            table: "main".to_owned(),
            cite,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Addr {
    pub dev: String,
    pub addr: IpAddr,
    pub cite: Cite,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    pub name: String,
    pub up: bool,
    pub cite: Cite,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PolicyRule {
    pub prio: u32,
    /// `None` = `from all`.
    pub from: Option<Cidr>,
    pub negate: bool,
    /// Has selectors we do not follow (`fwmark`, `iif`, `to`, …): never applies to our replies.
    pub selective: bool,
    pub table: Option<String>,
    pub cite: Cite,
}

/// Everything learnt from route/address/rule outputs, merged across inputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NetFacts {
    pub routes: Vec<Route>,
    pub addrs: Vec<Addr>,
    pub links: Vec<Link>,
    pub rules: Vec<PolicyRule>,
    pub rules_given: bool,
    pub windows: bool,
}

impl NetFacts {
    pub fn merge(&mut self, o: NetFacts) {
        self.routes.extend(o.routes);
        self.addrs.extend(o.addrs);
        self.links.extend(o.links);
        self.rules.extend(o.rules);
        self.rules_given |= o.rules_given;
        self.windows |= o.windows;
    }

    fn is_empty(&self) -> bool {
        self.routes.is_empty()
            && self.addrs.is_empty()
            && self.links.is_empty()
            && self.rules.is_empty()
    }
}

fn family_of(a: IpAddr) -> Family {
    match a {
        IpAddr::V4(_) => Family::Ipv4,
        IpAddr::V6(_) => Family::Ipv6,
    }
}

/// `main` for 254 and no table, `local` for 255, `default` for 253.
fn table_name(t: &str) -> String {
    match t {
        "254" => "main".to_owned(),
        "255" => "local".to_owned(),
        "253" => "default".to_owned(),
        other => other.to_owned(),
    }
}

/// Parses an address with a prefix length, keeping the address (`10.0.1.5/24` → 10.0.1.5).
fn addr_with_len(s: &str) -> Option<IpAddr> {
    parse_ip(s.split('/').next().unwrap_or(s))
}

fn mask_len(mask: &str) -> Option<u8> {
    let m: std::net::Ipv4Addr = mask.parse().ok()?;
    let bits = u32::from(m);
    let len = bits.leading_ones();
    (bits.checked_shl(len).unwrap_or(0) == 0).then(|| u8::try_from(len).ok())?
}

// ---------------------------------------------------------------------------------------------
// iproute2

struct IpRouteLine {
    dest: Option<Cidr>,
    kind: Kind,
    local: bool,
    via: Option<IpAddr>,
    dev: Option<String>,
    src: Option<IpAddr>,
    metric: u32,
    table: Option<String>,
}

const ROUTE_VALUE_KEYS: [&str; 20] = [
    "proto", "scope", "mtu", "advmss", "expires", "hoplimit", "pref", "weight", "realm", "realms",
    "nhid", "initcwnd", "initrwnd", "rtt", "rttvar", "features", "congctl", "error", "users",
    "age",
];

fn ip_route_line(text: &str) -> Option<IpRouteLine> {
    let toks: Vec<&str> = text.split_whitespace().collect();
    let mut i = 0;
    let mut kind = Kind::Unicast;
    let mut local = false;
    let first = *toks.first()?;
    match first {
        "unicast" => i += 1,
        "blackhole" => (kind, i) = (Kind::Blackhole, 1),
        "unreachable" => (kind, i) = (Kind::Unreachable, 1),
        "prohibit" => (kind, i) = (Kind::Prohibit, 1),
        "throw" => (kind, i) = (Kind::Throw, 1),
        "local" => (kind, local, i) = (Kind::Other, true, 1),
        "broadcast" | "multicast" | "anycast" | "nat" => (kind, i) = (Kind::Other, 1),
        _ => {}
    }
    let d = *toks.get(i)?;
    let dest = if d == "default" {
        None
    } else {
        if !(d.contains('.') || d.contains(':')) {
            return None;
        }
        Some(crate::net::Cidr::parse(d).ok()?)
    };
    i += 1;
    let mut r = IpRouteLine {
        dest,
        kind,
        local,
        via: None,
        dev: None,
        src: None,
        metric: 0,
        table: None,
    };
    while let Some(&k) = toks.get(i) {
        i += 1;
        match k {
            "via" => {
                let mut v = *toks.get(i)?;
                if v == "inet" || v == "inet6" {
                    i += 1;
                    v = *toks.get(i)?;
                }
                r.via = Some(parse_ip(v)?);
                i += 1;
            }
            "dev" | "oif" => {
                r.dev = Some((*toks.get(i)?).to_owned());
                i += 1;
            }
            "src" => {
                r.src = Some(parse_ip(toks.get(i)?)?);
                i += 1;
            }
            "metric" | "priority" => {
                r.metric = toks.get(i)?.parse().ok()?;
                i += 1;
            }
            "table" => {
                r.table = Some(table_name(toks.get(i)?));
                i += 1;
            }
            k if ROUTE_VALUE_KEYS.contains(&k) => i += 1,
            "lock" => {}
            _ => {}
        }
    }
    Some(r)
}

fn nexthop_line(text: &str) -> Option<(Option<IpAddr>, Option<String>)> {
    let rest = text.trim().strip_prefix("nexthop")?;
    let r = ip_route_line(&format!("0.0.0.0/0 {rest}"))?;
    Some((r.via, r.dev))
}

/// `(priority, not, from, selective, table)` of an `ip rule` line.
type RuleLine = (u32, bool, Option<Cidr>, bool, Option<String>);

fn ip_rule_line(text: &str) -> Option<RuleLine> {
    let toks: Vec<&str> = text.split_whitespace().collect();
    let prio: u32 = toks.first()?.strip_suffix(':')?.parse().ok()?;
    let mut i = 1;
    let mut negate = false;
    if toks.get(i) == Some(&"not") {
        negate = true;
        i += 1;
    }
    if toks.get(i) != Some(&"from") {
        return None;
    }
    let from_tok = *toks.get(i + 1)?;
    let from = if from_tok == "all" {
        None
    } else {
        Some(crate::net::Cidr::parse(from_tok).ok()?)
    };
    i += 2;
    let mut selective = false;
    let mut table = None;
    while let Some(&k) = toks.get(i) {
        i += 1;
        match k {
            "lookup" | "table" => {
                table = toks.get(i).map(|t| table_name(t));
                i += 1;
            }
            "to" | "fwmark" | "iif" | "oif" | "uidrange" | "ipproto" | "sport" | "dport"
            | "tos" | "dsfield" | "l3mdev" => {
                selective = true;
                if k != "l3mdev" {
                    i += 1;
                }
            }
            _ => {}
        }
    }
    Some((prio, negate, from, selective, table))
}

/// `2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc mq state UP …` → (name, up).
fn ip_addr_header(text: &str) -> Option<(String, bool)> {
    let toks: Vec<&str> = text.split_whitespace().collect();
    let idx = toks.first()?.strip_suffix(':')?;
    if idx.is_empty() || !idx.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let name = toks.get(1)?.strip_suffix(':')?;
    let name = name.split('@').next().unwrap_or(name).to_owned();
    let flags = toks.get(2)?.strip_prefix('<')?.strip_suffix('>')?;
    let flags: Vec<&str> = flags.split(',').collect();
    let state = toks
        .iter()
        .position(|t| *t == "state")
        .and_then(|p| toks.get(p + 1))
        .copied();
    let up = flags.contains(&"UP") && !flags.contains(&"NO-CARRIER") && state != Some("DOWN");
    Some((name, up))
}

/// `eth0   UP   10.0.1.5/24 fe80::…/64` (ip -br addr).
fn ip_br_line(text: &str) -> Option<(String, bool, Vec<IpAddr>)> {
    let toks: Vec<&str> = text.split_whitespace().collect();
    let name = toks.first()?;
    let state = *toks.get(1)?;
    if !matches!(
        state,
        "UP" | "DOWN" | "UNKNOWN" | "LOWERLAYERDOWN" | "DORMANT" | "NOTPRESENT" | "TESTING"
    ) {
        return None;
    }
    let mut addrs = Vec::new();
    let mut rest = toks.iter().skip(2);
    while let Some(t) = rest.next() {
        // iproute2 prints `metric N` after an address with a route priority, in brief mode too
        // (systemd-networkd DHCP addresses on Amazon Linux 2023 and Ubuntu).
        if *t == "metric" {
            rest.next();
            continue;
        }
        addrs.push(addr_with_len(t)?);
    }
    let name = name.split('@').next().unwrap_or(name).to_owned();
    Some((name, state != "DOWN" && state != "LOWERLAYERDOWN", addrs))
}

/// `eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 9001` or `eth0      Link encap:Ethernet`.
fn ifconfig_header(text: &str) -> Option<(String, Option<bool>)> {
    if text.starts_with(char::is_whitespace) {
        return None;
    }
    let toks: Vec<&str> = text.split_whitespace().collect();
    let first = *toks.first()?;
    if let Some(flags) = toks.get(1).and_then(|t| t.strip_prefix("flags=")) {
        let name = first.strip_suffix(':')?.to_owned();
        let up = flags.contains("<UP") || flags.contains(",UP");
        return Some((name, Some(up && flags.contains("RUNNING"))));
    }
    if toks.get(1) == Some(&"Link") && toks.get(2).is_some_and(|t| t.starts_with("encap:")) {
        return Some((first.to_owned(), None));
    }
    None
}

fn ifconfig_inet(text: &str) -> Option<IpAddr> {
    let toks: Vec<&str> = text.split_whitespace().collect();
    match *toks.first()? {
        "inet" => {
            let a = *toks.get(1)?;
            parse_ip(a.strip_prefix("addr:").unwrap_or(a))
        }
        "inet6" => {
            let a = *toks.get(1)?;
            let a = if a == "addr:" { *toks.get(2)? } else { a };
            addr_with_len(a)
        }
        _ => None,
    }
}

fn parse_linux<'a>(seg: &Segment<'a>) -> (NetFacts, Vec<Line<'a>>, usize) {
    let mut f = NetFacts::default();
    let mut skipped = Vec::new();
    let mut understood = 0usize;
    let hint = if seg.command_has("-6") {
        Family::Ipv6
    } else {
        Family::Ipv4
    };
    let cmd_table = seg.command.as_deref().and_then(|c| {
        let w: Vec<&str> = c.split_whitespace().collect();
        w.iter()
            .position(|x| *x == "table")
            .and_then(|p| w.get(p + 1))
            .filter(|t| **t != "all")
            .map(|t| table_name(t))
    });
    let seg_family = {
        let mut v4 = false;
        let mut v6 = false;
        for l in seg.content() {
            if let Some(r) = ip_route_line(l.text) {
                match r.dest.map(|c| c.family()).or(r.via.map(family_of)) {
                    Some(Family::Ipv4) => v4 = true,
                    Some(Family::Ipv6) => v6 = true,
                    None => {}
                }
            }
        }
        if v6 && !v4 {
            Family::Ipv6
        } else if v4 && !v6 {
            Family::Ipv4
        } else {
            hint
        }
    };
    // The interface whose `ip addr` / `ifconfig` block we are in.
    let mut current: Option<String> = None;
    let mut ifconfig = false;
    // A multipath route header waiting for its `nexthop` lines.
    let mut pending: Option<(IpRouteLine, Cite)> = None;
    for line in seg.content() {
        let cite = Cite::new(seg.input, line);
        let text = line.text;
        if let Some((via, dev)) = nexthop_line(text) {
            if let Some((head, hc)) = &pending {
                let family = head
                    .dest
                    .map(|c| c.family())
                    .or(via.map(family_of))
                    .unwrap_or(seg_family);
                f.routes.push(Route {
                    family,
                    dest: head.dest.unwrap_or(Cidr::any(family)),
                    kind: head.kind,
                    local: head.local,
                    gateway: via,
                    dev,
                    src: head.src,
                    metric: head.metric,
                    table: head
                        .table
                        .clone()
                        .or(cmd_table.clone())
                        .unwrap_or_else(|| "main".to_owned()),
                    cite: Cite {
                        text: format!("{} {}", hc.text, cite.text),
                        ..cite.clone()
                    },
                });
                understood += 1;
                continue;
            }
        }
        if let Some((name, up)) = ip_addr_header(text) {
            f.links.push(Link {
                name: name.clone(),
                up,
                cite,
            });
            current = Some(name);
            ifconfig = false;
            understood += 1;
            continue;
        }
        if let Some((name, up)) = ifconfig_header(text) {
            if let Some(up) = up {
                f.links.push(Link {
                    name: name.clone(),
                    up,
                    cite,
                });
            }
            current = Some(name);
            ifconfig = true;
            understood += 1;
            continue;
        }
        let indented = text.starts_with(char::is_whitespace);
        if let Some(dev) = &current {
            // Indented in real output; tolerated unindented (some paste boxes strip it).
            if indented || !ifconfig {
                let toks: Vec<&str> = text.split_whitespace().collect();
                let first = toks.first().copied().unwrap_or("");
                if !ifconfig && (first == "inet" || first == "inet6") {
                    if let Some(a) = toks.get(1).and_then(|t| addr_with_len(t)) {
                        f.addrs.push(Addr {
                            dev: dev.clone(),
                            addr: a,
                            cite,
                        });
                        understood += 1;
                        continue;
                    }
                }
                if ifconfig && indented {
                    if let Some(a) = ifconfig_inet(text) {
                        f.addrs.push(Addr {
                            dev: dev.clone(),
                            addr: a,
                            cite,
                        });
                    }
                    understood += 1;
                    continue;
                }
                if first.starts_with("link/")
                    || first == "valid_lft"
                    || first == "altname"
                    || first == "inet"
                    || first == "inet6"
                {
                    understood += 1;
                    continue;
                }
            }
        }
        if let Some((prio, negate, from, selective, table)) = ip_rule_line(text) {
            f.rules.push(PolicyRule {
                prio,
                from,
                negate,
                selective,
                table,
                cite,
            });
            f.rules_given = true;
            understood += 1;
            continue;
        }
        if let Some((name, up, addrs)) = ip_br_line(text) {
            for a in addrs {
                f.addrs.push(Addr {
                    dev: name.clone(),
                    addr: a,
                    cite: cite.clone(),
                });
            }
            f.links.push(Link { name, up, cite });
            understood += 1;
            continue;
        }
        if let Some(r) = ip_route_line(text) {
            let usable = r.dev.is_some()
                || r.via.is_some()
                || matches!(
                    r.kind,
                    Kind::Blackhole | Kind::Unreachable | Kind::Prohibit | Kind::Throw
                );
            if !usable {
                pending = Some((r, cite));
                understood += 1;
                continue;
            }
            let family = r
                .dest
                .map(|c| c.family())
                .or(r.via.map(family_of))
                .or(r.src.map(family_of))
                .unwrap_or(seg_family);
            f.routes.push(Route {
                family,
                dest: r.dest.unwrap_or(Cidr::any(family)),
                kind: r.kind,
                local: r.local,
                gateway: r.via,
                dev: r.dev,
                src: r.src,
                metric: r.metric,
                table: r
                    .table
                    .or(cmd_table.clone())
                    .unwrap_or_else(|| "main".to_owned()),
                cite: cite.clone(),
            });
            pending = None;
            understood += 1;
            continue;
        }
        skipped.push(*line);
    }
    (f, skipped, understood)
}

// ---------------------------------------------------------------------------------------------
// net-tools `route -n` / `netstat -rn`

fn parse_kernel<'a>(seg: &Segment<'a>) -> Option<(NetFacts, Vec<Line<'a>>)> {
    let mut f = NetFacts::default();
    let mut skipped = Vec::new();
    let mut v6 = false;
    let mut metric_col: Option<usize> = None;
    let mut seen_header = false;
    for line in seg.content() {
        let t = line.text.trim();
        if t.starts_with("Kernel IP routing table") {
            v6 = false;
            continue;
        }
        if t.starts_with("Kernel IPv6 routing table") {
            v6 = true;
            continue;
        }
        if t.starts_with("Destination") {
            seen_header = true;
            v6 = v6 || t.contains("Next Hop");
            let cols: Vec<&str> = t.split_whitespace().collect();
            metric_col = cols.iter().position(|c| *c == "Metric" || *c == "Met");
            if v6 {
                // `Next Hop` is two words in the header, one column in the rows.
                metric_col = metric_col.map(|c| c.saturating_sub(1));
            }
            continue;
        }
        let toks: Vec<&str> = t.split_whitespace().collect();
        let cite = Cite::new(seg.input, line);
        let route = if v6 {
            (|| {
                let dest = crate::net::Cidr::parse(toks.first()?).ok()?;
                let gw = parse_ip(toks.get(1)?)?;
                let flags = *toks.get(2)?;
                let dev = (*toks.last()?).to_owned();
                let metric = metric_col
                    .and_then(|c| toks.get(c))
                    .and_then(|m| m.parse().ok())
                    .unwrap_or(0);
                let gw = (!gw.is_unspecified()).then_some(gw);
                let mut r = Route::unicast(Family::Ipv6, dest, gw, dev, metric, cite.clone());
                if flags.contains('!') {
                    r.kind = Kind::Unreachable;
                }
                Some(r)
            })()
        } else {
            (|| {
                if toks.len() < 8 {
                    return None;
                }
                let dest: std::net::Ipv4Addr = if *toks.first()? == "default" {
                    std::net::Ipv4Addr::UNSPECIFIED
                } else {
                    toks.first()?.parse().ok()?
                };
                let gw: Option<std::net::Ipv4Addr> = match *toks.get(1)? {
                    "*" => None,
                    g => Some(g.parse().ok()?),
                };
                let len = mask_len(toks.get(2)?)?;
                let flags = *toks.get(3)?;
                let dev = (*toks.last()?).to_owned();
                let metric = metric_col
                    .and_then(|c| toks.get(c))
                    .and_then(|m| m.parse().ok())
                    .unwrap_or(0);
                let dest = Cidr::new(IpAddr::V4(dest), len)?;
                let gw = gw.filter(|g| !g.is_unspecified()).map(IpAddr::V4);
                let mut r = Route::unicast(Family::Ipv4, dest, gw, dev, metric, cite.clone());
                if flags.contains('!') {
                    r.kind = Kind::Unreachable;
                }
                Some(r)
            })()
        };
        match route {
            Some(r) => f.routes.push(r),
            None => skipped.push(*line),
        }
    }
    let ok = seen_header && (!f.routes.is_empty() || skipped.is_empty());
    ok.then_some((f, skipped))
}

// ---------------------------------------------------------------------------------------------
// Windows `route print`

fn parse_route_print<'a>(seg: &Segment<'a>) -> Option<(NetFacts, Vec<Line<'a>>)> {
    #[derive(PartialEq)]
    enum Sec {
        None,
        IfList,
        V4,
        V4Active,
        V4Persistent,
        V6,
        V6Active,
        V6Persistent,
    }
    let mut sec = Sec::None;
    let mut f = NetFacts {
        windows: true,
        ..NetFacts::default()
    };
    let mut skipped = Vec::new();
    let mut recognised = false;
    // A wrapped IPv6 row: (if, metric, destination, first line).
    let mut wrapped: Option<(String, u32, Cidr, Cite)> = None;
    for line in seg.content() {
        let t = line.text.trim();
        let cite = Cite::new(seg.input, line);
        if t.starts_with("====") {
            continue;
        }
        match t {
            "Interface List" => {
                sec = Sec::IfList;
                recognised = true;
                continue;
            }
            "IPv4 Route Table" => {
                sec = Sec::V4;
                recognised = true;
                continue;
            }
            "IPv6 Route Table" => {
                sec = Sec::V6;
                recognised = true;
                continue;
            }
            "Active Routes:" => {
                sec = match sec {
                    Sec::V6 | Sec::V6Active | Sec::V6Persistent => Sec::V6Active,
                    _ => Sec::V4Active,
                };
                recognised = true;
                continue;
            }
            "Persistent Routes:" => {
                sec = match sec {
                    Sec::V6 | Sec::V6Active | Sec::V6Persistent => Sec::V6Persistent,
                    _ => Sec::V4Persistent,
                };
                continue;
            }
            "None" => continue,
            _ => {}
        }
        if t.starts_with("Network Destination")
            || t.starts_with("Network Address")
            || t.starts_with("If Metric")
        {
            continue;
        }
        let toks: Vec<&str> = t.split_whitespace().collect();
        match sec {
            Sec::IfList => {
                if toks.first().is_some_and(|x| x.contains("...")) {
                    continue;
                }
            }
            Sec::V4Persistent | Sec::V6Persistent => {
                if toks.len() >= 3 {
                    continue;
                }
            }
            Sec::V4Active => {
                let row = (|| {
                    if toks.len() != 5 {
                        return None;
                    }
                    let dest: IpAddr = toks.first()?.parse().ok()?;
                    let len = mask_len(toks.get(1)?)?;
                    let gw = match *toks.get(2)? {
                        "On-link" => None,
                        g => Some(g.parse::<IpAddr>().ok()?),
                    };
                    let iface: IpAddr = toks.get(3)?.parse().ok()?;
                    let metric: u32 = toks.get(4)?.parse().ok()?;
                    let dest = Cidr::new(dest, len)?;
                    let dev = iface.to_string();
                    Some(Route::unicast(
                        Family::Ipv4,
                        dest,
                        gw,
                        dev,
                        metric,
                        cite.clone(),
                    ))
                })();
                if let Some(r) = row {
                    f.routes.push(r);
                    continue;
                }
            }
            Sec::V6Active => {
                let gateway = |gw: &str| if gw == "On-link" { None } else { parse_ip(gw) };
                if let (Some((ifx, metric, dest, first)), [gw]) = (wrapped.take(), toks.as_slice())
                {
                    let cite = Cite {
                        text: format!("{} {}", first.text, t),
                        ..first
                    };
                    let dev = format!("if {ifx}");
                    f.routes.push(Route::unicast(
                        Family::Ipv6,
                        dest,
                        gateway(gw),
                        dev,
                        metric,
                        cite,
                    ));
                    continue;
                }
                let head = (|| {
                    let ifx: u32 = toks.first()?.parse().ok()?;
                    let metric: u32 = toks.get(1)?.parse().ok()?;
                    let dest = crate::net::Cidr::parse(toks.get(2)?).ok()?;
                    Some((ifx.to_string(), metric, dest))
                })();
                if let Some((ifx, metric, dest)) = head {
                    match toks.get(3) {
                        Some(gw) if toks.len() == 4 => {
                            let dev = format!("if {ifx}");
                            f.routes.push(Route::unicast(
                                Family::Ipv6,
                                dest,
                                gateway(gw),
                                dev,
                                metric,
                                cite,
                            ));
                        }
                        None => wrapped = Some((ifx, metric, dest, cite)),
                        _ => skipped.push(*line),
                    }
                    continue;
                }
            }
            Sec::None | Sec::V4 | Sec::V6 => {}
        }
        skipped.push(*line);
    }
    recognised.then_some((f, skipped))
}

/// Recognises route, address and policy-rule outputs.
pub(crate) fn parse<'a>(seg: &Segment<'a>) -> Option<(NetFacts, Vec<Line<'a>>)> {
    let content: Vec<&Line<'_>> = seg.content().collect();
    if content.iter().any(|l| {
        let t = l.text.trim();
        t == "IPv4 Route Table" || t == "IPv6 Route Table" || t == "Interface List"
    }) {
        return parse_route_print(seg);
    }
    if content.iter().any(|l| {
        let t = l.text.trim();
        t.starts_with("Kernel IP routing table")
            || t.starts_with("Kernel IPv6 routing table")
            || (t.starts_with("Destination") && (t.contains("Genmask") || t.contains("Next Hop")))
    }) {
        return parse_kernel(seg);
    }
    let (facts, skipped, understood) = parse_linux(seg);
    if facts.is_empty() || understood < skipped.len() {
        return None;
    }
    Some((facts, skipped))
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/// Which interface holds the target address, and how we know.
struct Holder {
    dev: String,
    cite: Option<Cite>,
    /// True when read from an address listing or a `src`; false when guessed from a subnet route.
    exact: bool,
}

fn holder(f: &NetFacts, target: IpAddr) -> Option<Holder> {
    if let Some(a) = f.addrs.iter().find(|a| a.addr == target) {
        return Some(Holder {
            dev: a.dev.clone(),
            cite: Some(a.cite.clone()),
            exact: true,
        });
    }
    // An address listing of the family that lacks the address is the answer: nobody holds it.
    if f.addrs
        .iter()
        .any(|a| family_of(a.addr) == family_of(target))
    {
        return None;
    }
    if f.windows {
        let t = target.to_string();
        return f
            .routes
            .iter()
            .find(|r| r.dev.as_deref() == Some(t.as_str()))
            .map(|r| Holder {
                dev: t.clone(),
                cite: Some(r.cite.clone()),
                exact: true,
            });
    }
    if let Some(r) = f
        .routes
        .iter()
        .find(|r| r.src == Some(target) && r.dev.is_some())
    {
        return Some(Holder {
            dev: r.dev.clone().unwrap_or_default(),
            cite: Some(r.cite.clone()),
            exact: true,
        });
    }
    if let Some(r) = f
        .routes
        .iter()
        .find(|r| r.local && r.dest == Cidr::host(target) && r.dev.is_some())
    {
        return Some(Holder {
            dev: r.dev.clone().unwrap_or_default(),
            cite: Some(r.cite.clone()),
            exact: true,
        });
    }
    let connected: BTreeMap<String, &Route> = f
        .routes
        .iter()
        .filter(|r| {
            r.gateway.is_none()
                && r.kind == Kind::Unicast
                && !r.local
                && r.dest.len() > 0
                && r.dest.contains(target)
        })
        .filter_map(|r| r.dev.clone().map(|d| (d, r)))
        .collect();
    if connected.len() == 1 {
        return connected.into_iter().next().map(|(d, r)| Holder {
            dev: d,
            cite: Some(r.cite.clone()),
            exact: false,
        });
    }
    None
}

/// Longest-prefix match of a set of sources over `routes`: which route carries which sources.
fn lookup<'r>(routes: &[&'r Route], sources: &IpSet) -> (Vec<(&'r Route, IpSet)>, IpSet) {
    let mut sorted: Vec<&'r Route> = routes.to_vec();
    super::text::sort_by(&mut sorted, |a, b| {
        (b.dest.len(), a.metric, a.cite.line).cmp(&(a.dest.len(), b.metric, b.cite.line))
    });
    let mut remaining = sources.clone();
    let mut out = Vec::new();
    for r in sorted {
        if remaining.is_empty() {
            break;
        }
        let hit = remaining.intersect(&r.dest.to_set());
        if !hit.is_empty() {
            remaining = remaining.subtract(&hit);
            out.push((r, hit));
        }
    }
    (out, remaining)
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Blackhole => "blackhole",
        Kind::Unreachable => "unreachable",
        Kind::Prohibit => "prohibit",
        Kind::Throw => "throw",
        Kind::Unicast | Kind::Other => "unicast",
    }
}

/// The VPC router of the target's subnet (the subnet's base address plus one).
fn subnet_router(ctx: &Ctx<'_>) -> Option<IpAddr> {
    let subnet = ctx.eni.and_then(|e| e.subnet_id.as_deref())?;
    match ctx.inv.subnets.get(subnet)?.cidr? {
        Cidr::V4 { addr, .. } => Some(IpAddr::V4(std::net::Ipv4Addr::from(addr.checked_add(1)?))),
        Cidr::V6 { .. } => None,
    }
}

fn os_fix(ctx: &Ctx<'_>, summary: String, commands: Vec<String>, note: &str) -> Option<Fix> {
    if commands.is_empty() {
        return None;
    }
    Some(Fix {
        summary,
        commands,
        actions: Vec::new(),
        note: Some(format!("{}; {note}", ctx.how_to_run)),
    })
}

/// The `os_route` check, and the Linux device that holds the target address (for the firewall's
/// `-i` matches and sockets bound to a device).
pub(crate) fn evaluate(ctx: &Ctx<'_>, f: &NetFacts) -> (Check, Option<String>) {
    let fam = ctx.family;
    let mk = |status: Status, summary: String, evidence: Vec<Evidence>, fix: Option<Fix>| Check {
        layer: Layer::OsRoute,
        status,
        summary,
        evidence,
        fix,
    };
    let routes_f: Vec<&Route> = f.routes.iter().filter(|r| r.family == fam).collect();
    let addrs_f: Vec<&Addr> = f
        .addrs
        .iter()
        .filter(|a| family_of(a.addr) == fam)
        .collect();
    let tool = if f.windows {
        "`route print`"
    } else if fam == Family::Ipv6 {
        "`ip -6 route`"
    } else {
        "`ip route`"
    };
    if routes_f.is_empty() && addrs_f.is_empty() {
        let other: BTreeSet<String> = set_of(f.routes.iter().map(|r| r.family.to_string()));
        let given = if other.is_empty() {
            "no routes".to_owned()
        } else {
            format!(
                "only {} routes",
                join_and(&other.into_iter().collect::<Vec<_>>())
            )
        };
        return (
            mk(
                Status::NotApplicable,
                format!(
                    "the instance output has {given} and no {fam} addresses; the target address is {fam}: run {tool} and `ip addr` and pass the output ({})",
                    ctx.how_to_run
                ),
                Vec::new(),
                None,
            ),
            None,
        );
    }

    let mut evidence: Vec<Evidence> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    let mut commands: Vec<String> = Vec::new();
    let mut hard_fail = false;
    let target = ctx.private;
    let held = target.and_then(|t| holder(f, t));
    let device = held.as_ref().filter(|_| !f.windows).map(|h| h.dev.clone());

    if let (Some(t), None) = (target, &held) {
        if !addrs_f.is_empty() {
            hard_fail = true;
            let listed: BTreeSet<String> = addrs_f
                .iter()
                .filter(|a| !a.addr.is_loopback())
                .map(|a| format!("`{}` on `{}`", a.addr, a.dev))
                .collect();
            let has = if listed.is_empty() {
                "only loopback addresses".to_owned()
            } else {
                join_and(&listed.into_iter().collect::<Vec<_>>())
            };
            problems.push(format!(
                "no interface holds `{t}`, the private address the client's traffic is sent to (the instance has {has}): configure it on the interface of its ENI (secondary private IPs need OS configuration unless a tool such as ec2-net-utils or cloud-init adds them)"
            ));
            evidence.extend(
                addrs_f
                    .iter()
                    .filter(|a| !a.addr.is_loopback())
                    .take(5)
                    .map(|a| a.cite.evidence()),
            );
            if let Some(dev) = addrs_f
                .iter()
                .find(|a| !a.addr.is_loopback())
                .map(|a| a.dev.clone())
            {
                let len = ctx
                    .eni
                    .and_then(|e| e.subnet_id.as_deref())
                    .and_then(|s| ctx.inv.subnets.get(s))
                    .and_then(|s| s.cidr)
                    .map_or(if fam == Family::Ipv4 { 32 } else { 128 }, |c| c.len());
                if !f.windows {
                    commands.push(format!("sudo ip addr add {t}/{len} dev {dev}"));
                }
            }
        }
    }
    if let Some(h) = &held {
        if let Some(l) = f.links.iter().find(|l| l.name == h.dev && !l.up) {
            hard_fail = true;
            problems.push(format!(
                "`{}`, which holds `{}`, is down",
                h.dev,
                target.map(|t| t.to_string()).unwrap_or_default()
            ));
            evidence.push(l.cite.evidence_with("interface down"));
            commands.push(format!("sudo ip link set dev {} up", h.dev));
        }
    }

    // Which tables a reply from the target address consults, in order.
    let mut missing_tables: Vec<(String, Cite)> = Vec::new();
    let mut tables: Vec<(String, Option<Cite>)> = Vec::new();
    if f.windows {
        tables.push(("main".to_owned(), None));
    } else if f.rules_given {
        let mut rules: Vec<&PolicyRule> = f.rules.iter().collect();
        super::text::sort_by(&mut rules, |a, b| a.prio.cmp(&b.prio));
        for r in rules {
            let applies = !r.negate
                && !r.selective
                && match (r.from, target) {
                    (None, _) => true,
                    (Some(c), Some(t)) => c.contains(t),
                    (Some(_), None) => false,
                };
            if let (true, Some(t)) = (applies, &r.table) {
                if t != "local" && !tables.iter().any(|(x, _)| x == t) {
                    tables.push((t.clone(), Some(r.cite.clone())));
                }
            }
        }
    } else {
        tables.push(("main".to_owned(), None));
        tables.push(("default".to_owned(), None));
    }

    let mut remaining = ctx.sources.clone();
    let mut assigned: Vec<(&Route, IpSet)> = Vec::new();
    let mut used_rules: Vec<Cite> = Vec::new();
    for (table, rule) in &tables {
        let in_table: Vec<&Route> = routes_f
            .iter()
            .copied()
            .filter(|r| &r.table == table && !r.local && r.kind != Kind::Other)
            .filter(|r| {
                !f.windows
                    || match (target, &r.dev) {
                        (Some(t), Some(d)) if fam == Family::Ipv4 => *d == t.to_string(),
                        _ => true,
                    }
            })
            .collect();
        if in_table.is_empty() {
            if table != "main" && table != "default" {
                if let Some(c) = rule {
                    missing_tables.push((table.clone(), c.clone()));
                }
            }
            continue;
        }
        let (hits, rest) = lookup(&in_table, &remaining);
        let mut rest = rest;
        for (r, set) in hits {
            if r.kind == Kind::Throw {
                rest = rest.union(&set);
            } else {
                if let Some(c) = rule {
                    if table != "main" && !used_rules.contains(c) {
                        used_rules.push(c.clone());
                    }
                }
                assigned.push((r, set));
            }
        }
        remaining = rest;
        if remaining.is_empty() {
            break;
        }
    }

    let mut ok: Vec<(&Route, IpSet)> = Vec::new();
    let mut mismatch = false;
    for (r, set) in &assigned {
        let who = describe_set(set, ctx);
        match r.kind {
            Kind::Blackhole | Kind::Unreachable | Kind::Prohibit => {
                hard_fail = true;
                problems.push(format!(
                    "replies to {who} hit the {} route at {}, which drops them",
                    kind_name(r.kind),
                    r.cite.place()
                ));
                evidence.push(r.cite.evidence_with("drops the replies"));
            }
            _ => match (&held, &r.dev) {
                (Some(h), Some(d)) if !f.windows && h.dev != *d => {
                    mismatch = true;
                    problems.push(format!(
                        "replies to {who} leave by `{d}` ({}), but `{}` is on `{}`: the ENI behind `{d}` drops packets whose source is not one of its addresses (source/destination check), and with strict reverse-path filtering (rp_filter=1) the requests arriving on `{}` are dropped too",
                        r.cite.place(),
                        target.map(|t| t.to_string()).unwrap_or_default(),
                        h.dev,
                        h.dev
                    ));
                    evidence.push(r.cite.evidence_with(&format!("replies leave by {d}")));
                    if let Some(hc) = &h.cite {
                        evidence.push(hc.evidence_with(&format!("the address is on {}", h.dev)));
                    }
                }
                _ => ok.push((*r, set.clone())),
            },
        }
    }
    if !remaining.is_empty() {
        let who = describe_set(&remaining, ctx);
        let through = match (f.windows, target) {
            (true, Some(t)) => format!(" through the interface that holds `{t}` (Windows sends only from the interface that holds the source address)"),
            _ => String::new(),
        };
        problems.push(format!(
            "no route carries replies to {who}{through}: there is no default route"
        ));
        hard_fail = hard_fail || !mismatch;
        if !f.windows {
            if let (Some(gw), Some(dev)) = (
                subnet_router(ctx).filter(|_| fam == Family::Ipv4),
                device
                    .clone()
                    .or_else(|| routes_f.iter().find_map(|r| r.dev.clone())),
            ) {
                commands.push(format!("sudo ip route add default via {gw} dev {dev}"));
            }
        }
        let default_like: Vec<&Route> = routes_f
            .iter()
            .copied()
            .filter(|r| r.dest.len() == 0)
            .collect();
        evidence.extend(
            default_like
                .iter()
                .take(3)
                .map(|r| r.cite.evidence_with("not usable for these replies")),
        );
    }
    for (t, c) in &missing_tables {
        problems.push(format!(
            "{} sends replies from this address to table `{t}`, whose routes were not given (run `ip route show table all`)",
            c.place()
        ));
    }
    if mismatch && !f.windows {
        if let (Some(t), Some(h), Some(gw)) = (target, &held, subnet_router(ctx)) {
            commands.push(format!("sudo ip rule add from {t} lookup 1000"));
            commands.push(format!(
                "sudo ip route add default via {gw} dev {} table 1000",
                h.dev
            ));
        }
    }

    for c in &used_rules {
        evidence.push(c.evidence_with("policy rule for the target address"));
    }
    let target_txt = target
        .map(|t| format!("`{t}`"))
        .unwrap_or_else(|| "the target address".to_owned());
    let ok_sentence = |ok: &[(&Route, IpSet)]| -> String {
        let parts: Vec<String> = ok
            .iter()
            .take(3)
            .map(|(r, set)| {
                format!(
                    "to {} by `{}` ({})",
                    describe_set(set, ctx),
                    r.cite.text,
                    r.cite.place()
                )
            })
            .collect();
        let via = match &held {
            Some(h) if h.exact && !f.windows => format!(", the interface that holds {target_txt}"),
            Some(h) if !f.windows => {
                format!(", the interface on {target_txt}'s subnet `{}`", h.dev)
            }
            Some(_) => format!(", through the interface that holds {target_txt}"),
            _ => String::new(),
        };
        format!("replies go {}{via}", parts.join("; "))
    };
    let status;
    let mut summary;
    if problems.is_empty() {
        status = Status::Pass;
        summary = ok_sentence(&ok);
        evidence.extend(
            ok.iter()
                .take(5)
                .map(|(r, _)| r.cite.evidence_with("carries the replies")),
        );
        if let Some(h) = &held {
            if let Some(c) = &h.cite {
                if !ok.iter().any(|(r, _)| r.cite == *c) {
                    evidence.push(c.evidence_with(&format!("{target_txt} is on {}", h.dev)));
                }
            }
        }
        if held.is_none() && target.is_some() {
            let devs: BTreeSet<&str> = set_of(ok.iter().filter_map(|(r, _)| r.dev.as_deref()));
            if devs.len() > 1 || !f.windows {
                summary.push_str(&format!(
                    "; we could not tell which interface holds {target_txt}: pass `ip -br addr` too"
                ));
            }
        }
    } else {
        let only_mismatch = !hard_fail && mismatch && missing_tables.is_empty();
        status = if hard_fail {
            Status::Fail
        } else if only_mismatch && !f.rules_given {
            Status::Warn
        } else if ok.is_empty() {
            Status::Fail
        } else {
            Status::Warn
        };
        summary = problems.join("; ");
        if only_mismatch && !f.rules_given {
            summary.push_str("; unless policy routing sends these replies by the right interface: pass `ip rule` and `ip route show table all` to check");
        }
        if !ok.is_empty() {
            summary.push_str("; ");
            summary.push_str(&ok_sentence(&ok));
            evidence.extend(
                ok.iter()
                    .take(3)
                    .map(|(r, _)| r.cite.evidence_with("carries the replies")),
            );
        }
    }
    let fix = if status == Status::Pass {
        None
    } else {
        os_fix(
            ctx,
            format!("make replies from {target_txt} leave by the interface that holds it"),
            commands,
            "these commands do not survive a reboot: make them permanent in the distribution's network configuration (on Amazon Linux, amazon-ec2-net-utils configures every ENI)",
        )
    };
    (mk(status, summary, evidence, fix), device)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::super::text::split;
    use super::*;

    fn facts(text: &str) -> (NetFacts, usize) {
        let mut all = NetFacts::default();
        let mut skipped = 0;
        for seg in split("net.txt", text) {
            let (f, s) = parse(&seg).expect("recognised as routes");
            skipped += s.len();
            all.merge(f);
        }
        (all, skipped)
    }

    #[test]
    fn ip_route_amazon_linux() {
        let (f, skipped) = facts(
            "default via 10.0.1.1 dev ens5 proto dhcp src 10.0.1.5 metric 512 \n\
             10.0.0.2 via 10.0.1.1 dev ens5 proto dhcp src 10.0.1.5 metric 512 \n\
             10.0.1.0/24 dev ens5 proto kernel scope link src 10.0.1.5 metric 512 \n\
             10.0.1.1 dev ens5 proto dhcp scope link src 10.0.1.5 metric 512 \n\
             blackhole 203.0.113.0/24 proto static\n",
        );
        assert_eq!(skipped, 0);
        assert_eq!(f.routes.len(), 5);
        let d = &f.routes[0];
        assert_eq!(d.dest, Cidr::any(Family::Ipv4));
        assert_eq!(d.gateway, "10.0.1.1".parse().ok());
        assert_eq!(d.dev.as_deref(), Some("ens5"));
        assert_eq!(d.src, "10.0.1.5".parse().ok());
        assert_eq!(d.metric, 512);
        assert_eq!(f.routes[4].kind, Kind::Blackhole);
    }

    #[test]
    fn ip_6_route_and_multipath() {
        let (f, skipped) = facts(
            "$ ip -6 route\n\
             ::1 dev lo proto kernel metric 256 pref medium\n\
             2600:1f18:4a3:6b00::/64 dev eth0 proto ra metric 100 expires 2591993sec pref medium\n\
             fe80::/64 dev eth0 proto kernel metric 256 pref medium\n\
             default via fe80::10:ff:fe11:2233 dev eth0 proto ra metric 100 expires 1793sec mtu 9001 hoplimit 255 pref medium\n\
             $ ip route\n\
             default proto static metric 100 \n\
             \tnexthop via 10.0.1.1 dev eth0 weight 1 \n\
             \tnexthop via 10.0.2.1 dev eth1 weight 1 \n",
        );
        assert_eq!(skipped, 0);
        let v6: Vec<&Route> = f
            .routes
            .iter()
            .filter(|r| r.family == Family::Ipv6)
            .collect();
        assert_eq!(v6.len(), 4);
        assert_eq!(v6[3].dest, Cidr::any(Family::Ipv6));
        let v4: Vec<&Route> = f
            .routes
            .iter()
            .filter(|r| r.family == Family::Ipv4)
            .collect();
        assert_eq!(v4.len(), 2);
        assert_eq!(v4[1].dev.as_deref(), Some("eth1"));
        assert_eq!(v4[1].dest, Cidr::any(Family::Ipv4));
    }

    #[test]
    fn ip_addr_and_brief_and_rules() {
        let (f, skipped) = facts(
            "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n\
             \x20   link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n\
             \x20   inet 127.0.0.1/8 scope host lo\n\
             \x20      valid_lft forever preferred_lft forever\n\
             \x20   inet6 ::1/128 scope host \n\
             \x20      valid_lft forever preferred_lft forever\n\
             2: ens5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc mq state UP group default qlen 1000\n\
             \x20   link/ether 02:3c:5e:11:22:33 brd ff:ff:ff:ff:ff:ff\n\
             \x20   altname enp0s5\n\
             \x20   inet 10.0.1.5/24 metric 512 brd 10.0.1.255 scope global dynamic ens5\n\
             \x20      valid_lft 3412sec preferred_lft 3412sec\n\
             3: ens6: <BROADCAST,MULTICAST> mtu 9001 qdisc noop state DOWN group default qlen 1000\n\
             \x20   link/ether 02:aa:bb:cc:dd:ee brd ff:ff:ff:ff:ff:ff\n\
             $ ip -br addr\n\
             lo               UNKNOWN        127.0.0.1/8 ::1/128 \n\
             eth1@if7         UP             10.0.2.9/24 fe80::aa:bbff:fecc:ddee/64 \n\
             $ ip rule\n\
             0:\tfrom all lookup local\n\
             10001:\tfrom 10.0.2.9 lookup 10001 proto static\n\
             32766:\tfrom all lookup main\n\
             32767:\tfrom all lookup default\n",
        );
        assert_eq!(skipped, 0);
        assert!(f
            .addrs
            .iter()
            .any(|a| a.dev == "ens5" && a.addr == "10.0.1.5".parse::<IpAddr>().unwrap()));
        assert!(f
            .addrs
            .iter()
            .any(|a| a.dev == "eth1" && a.addr == "10.0.2.9".parse::<IpAddr>().unwrap()));
        assert!(f.links.iter().any(|l| l.name == "ens6" && !l.up));
        assert!(f.links.iter().any(|l| l.name == "ens5" && l.up));
        assert_eq!(f.rules.len(), 4);
        assert_eq!(f.rules[1].from, Cidr::parse("10.0.2.9/32").ok());
        assert_eq!(f.rules[1].table.as_deref(), Some("10001"));
        assert!(f.rules_given);
    }

    #[test]
    fn ifconfig_old_and_new() {
        let (f, _) = facts(
            "eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 9001\n\
             \x20       inet 10.0.1.5  netmask 255.255.255.0  broadcast 10.0.1.255\n\
             \x20       inet6 fe80::3c:5eff:fe11:2233  prefixlen 64  scopeid 0x20<link>\n\
             \x20       ether 02:3c:5e:11:22:33  txqueuelen 1000  (Ethernet)\n\
             \x20       RX packets 1234  bytes 567890 (554.5 KiB)\n",
        );
        assert_eq!(f.addrs.len(), 2);
        assert_eq!(f.addrs[0].addr, "10.0.1.5".parse::<IpAddr>().unwrap());
        let (f, _) = facts(
            "eth0      Link encap:Ethernet  HWaddr 02:3C:5E:11:22:33  \n\
             \x20         inet addr:10.0.1.5  Bcast:10.0.1.255  Mask:255.255.255.0\n\
             \x20         UP BROADCAST RUNNING MULTICAST  MTU:9001  Metric:1\n",
        );
        assert_eq!(f.addrs[0].addr, "10.0.1.5".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn route_n_and_netstat_rn() {
        let (f, skipped) = facts(
            "Kernel IP routing table\n\
             Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n\
             0.0.0.0         10.0.1.1        0.0.0.0         UG    100    0        0 eth0\n\
             10.0.1.0        0.0.0.0         255.255.255.0   U     100    0        0 eth0\n\
             198.51.100.0    0.0.0.0         255.255.255.0   !     0      -        0 -\n",
        );
        assert_eq!(skipped, 0);
        assert_eq!(f.routes[0].dest, Cidr::any(Family::Ipv4));
        assert_eq!(f.routes[0].metric, 100);
        assert_eq!(f.routes[1].gateway, None);
        assert_eq!(f.routes[2].kind, Kind::Unreachable);
        let (f, skipped) = facts(
            "Kernel IP routing table\n\
             Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n\
             0.0.0.0         172.31.0.1      0.0.0.0         UG        0 0          0 eth0\n\
             172.31.0.0      0.0.0.0         255.255.240.0   U         0 0          0 eth0\n",
        );
        assert_eq!(skipped, 0);
        assert_eq!(f.routes[1].dest, Cidr::parse("172.31.0.0/20").unwrap());
        let (f, skipped) = facts(
            "Kernel IPv6 routing table\n\
             Destination                    Next Hop                   Flag Met Ref Use If\n\
             ::1/128                        ::                         U    256 2     0 lo\n\
             2600:1f18:4a3:6b00::/64        ::                         U    100 1     0 eth0\n\
             ::/0                           fe80::10:ff:fe11:2233      UGe  100 2     0 eth0\n",
        );
        assert_eq!(skipped, 0);
        assert_eq!(f.routes[2].metric, 100);
        assert_eq!(f.routes[2].family, Family::Ipv6);
    }

    #[test]
    fn windows_route_print_with_wrapped_ipv6_rows() {
        let (f, skipped) = facts(
            "===========================================================================\n\
             Interface List\n\
             \x20 6...0a 1b 2c 3d 4e 5f ......Amazon Elastic Network Adapter\n\
             \x20 1...........................Software Loopback Interface 1\n\
             ===========================================================================\n\
             \n\
             IPv4 Route Table\n\
             ===========================================================================\n\
             Active Routes:\n\
             Network Destination        Netmask          Gateway       Interface  Metric\n\
             \x20         0.0.0.0          0.0.0.0         10.0.1.1        10.0.1.5     15\n\
             \x20        10.0.1.0    255.255.255.0         On-link          10.0.1.5    271\n\
             \x20       127.0.0.0        255.0.0.0         On-link         127.0.0.1    331\n\
             ===========================================================================\n\
             Persistent Routes:\n\
             \x20 Network Address          Netmask  Gateway Address  Metric\n\
             \x20         0.0.0.0          0.0.0.0         10.0.1.1  Default\n\
             ===========================================================================\n\
             \n\
             IPv6 Route Table\n\
             ===========================================================================\n\
             Active Routes:\n\
             \x20If Metric Network Destination      Gateway\n\
             \x20 6    271 ::/0                     fe80::10:ff:fe11:2233\n\
             \x20 1    331 ::1/128                  On-link\n\
             \x20 6    271 fe80::b1a2:c3d4:e5f6:1234/128\n\
             \x20                                   On-link\n\
             ===========================================================================\n\
             Persistent Routes:\n\
             \x20 None\n",
        );
        assert_eq!(skipped, 0);
        assert!(f.windows);
        assert_eq!(f.routes.len(), 6);
        assert_eq!(f.routes[0].dev.as_deref(), Some("10.0.1.5"));
        assert_eq!(f.routes[0].metric, 15);
        let wrapped = &f.routes[5];
        assert_eq!(
            wrapped.dest,
            Cidr::parse("fe80::b1a2:c3d4:e5f6:1234/128").unwrap()
        );
        assert_eq!(wrapped.gateway, None);
        assert_eq!(wrapped.dev.as_deref(), Some("if 6"));
    }

    #[test]
    fn unrelated_text_is_not_routes() {
        let segs = split("x", "hello world\nnothing to see\n");
        assert!(parse(&segs[0]).is_none());
        let segs = split("x", "Status: active\n");
        assert!(parse(&segs[0]).is_none());
    }
}
