//! Listening sockets inside the instance.
//!
//! Formats:
//! - `ss -ltnup` / `ss -tlnp` / `ss -lunp` (iproute2): a header `Netid State Recv-Q Send-Q Local
//!   Address:Port Peer Address:Port Process` (no `Netid` column with a single `-t` or `-u`), rows
//!   like `tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=820,fd=3))`. ss prints an
//!   IPv6 wildcard socket that also accepts IPv4 as `*:80` and an IPv6-only one as `[::]:22`;
//!   a socket bound to a device shows `0.0.0.0%eth0:68`;
//! - `netstat -tlnp` / `netstat -an` (net-tools): `Active Internet connections`, then `Proto
//!   Recv-Q Send-Q Local Address Foreign Address State PID/Program name` rows such as
//!   `tcp6 0 0 :::22 :::* LISTEN 820/sshd`; the `Active UNIX domain sockets` part is ignored;
//! - Windows `netstat -an` / `-ano` / `-anb`: `Active Connections`, then rows `TCP 0.0.0.0:3389
//!   0.0.0.0:0 LISTENING [PID]`, `UDP [::]:500 *:*`; `-b` adds `[svchost.exe]` lines;
//! - macOS `netstat -an`: `tcp4 0 0 *.22 *.* LISTEN` (port after a dot).
//!
//! What we check: that a socket of the queried protocol listens on the port, on an address that
//! receives the client's traffic — a wildcard, or the target's private address. A service bound
//! to 127.0.0.1 (or another address) only is a classic cause of "connection refused".

use std::collections::BTreeSet;
use std::net::IpAddr;

use super::text::{join_and, parse_ip, set_of};
use super::{Cite, Ctx, Line, Segment};
use crate::net::Family;
use crate::report::{Check, Evidence, Layer, QueryProtocol, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Proto {
    Tcp,
    Udp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bind {
    /// `*` in ss: an IPv6 wildcard socket that accepts IPv4 too.
    AnyDual,
    AnyV4,
    /// `[::]` in ss and Windows: IPv6 only.
    AnyV6Only,
    /// `:::` in net-tools netstat: IPv6 wildcard, which accepts IPv4 unless bindv6only is set.
    AnyV6Maybe,
    Ip(IpAddr),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Socket {
    pub proto: Proto,
    pub listening: bool,
    pub bind: Bind,
    pub port: u16,
    pub device: Option<String>,
    pub process: Option<String>,
    pub cite: Cite,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listing {
    pub sockets: Vec<Socket>,
    pub input: String,
    /// The protocols the command was asked to show (from its rows or its flags).
    pub protos: BTreeSet<Proto>,
}

/// Service names ss and netstat print without `-n`.
fn service_port(s: &str) -> Option<u16> {
    if let Ok(p) = s.parse() {
        return Some(p);
    }
    Some(match s {
        "ssh" => 22,
        "http" => 80,
        "https" => 443,
        "ms-wbt-server" => 3389,
        "domain" => 53,
        "mysql" => 3306,
        "postgresql" | "postgres" => 5432,
        "smtp" => 25,
        "ftp" => 21,
        "http-alt" | "webcache" => 8080,
        "bootpc" => 68,
        "bootps" => 67,
        "ntp" => 123,
        "sunrpc" => 111,
        "redis" => 6379,
        _ => return None,
    })
}

/// `0.0.0.0:22`, `*:22`, `[::]:22`, `127.0.0.53%lo:53`, `[::ffff:10.0.1.5]:8080`, `:::22`,
/// `*.22` / `127.0.0.1.5432` (macOS).
fn local_address(s: &str, style: Style) -> Option<(Bind, u16, Option<String>)> {
    if style == Style::Mac {
        let (host, port) = s.rsplit_once('.')?;
        let port = service_port(port)?;
        let bind = match host {
            "*" => Bind::AnyDual,
            h => Bind::Ip(h.parse().ok()?),
        };
        return Some((bind, port, None));
    }
    let (host, port) = s.rsplit_once(':')?;
    let port = service_port(port)?;
    let (host, device) = match host.split_once('%') {
        Some((h, d)) => (h, Some(d.trim_end_matches(']').to_owned())),
        None => (host, None),
    };
    let bind = match host {
        "*" => {
            if style == Style::Ss {
                Bind::AnyDual
            } else {
                Bind::AnyV4
            }
        }
        "0.0.0.0" => Bind::AnyV4,
        "[::]" => Bind::AnyV6Only,
        "::" => Bind::AnyV6Maybe,
        h => Bind::Ip(parse_ip(h)?),
    };
    Some((bind, port, device))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Ss,
    NetTools,
    Windows,
    Mac,
}

fn process_of(rest: &[&str], style: Style) -> Option<String> {
    let joined = rest.join(" ");
    match style {
        Style::Ss => {
            let start = joined.find("((\"")? + 3;
            let tail = joined.get(start..)?;
            Some(tail.split('"').next()?.to_owned())
        }
        Style::NetTools => {
            let first = rest.first()?;
            let (_, name) = first.split_once('/')?;
            Some(name.trim_end_matches(':').to_owned())
        }
        Style::Windows => rest.last().map(|pid| format!("PID {pid}")),
        Style::Mac => None,
    }
}

const SS_STATES: [&str; 12] = [
    "LISTEN",
    "UNCONN",
    "ESTAB",
    "TIME-WAIT",
    "CLOSE-WAIT",
    "SYN-SENT",
    "SYN-RECV",
    "FIN-WAIT-1",
    "FIN-WAIT-2",
    "LAST-ACK",
    "CLOSING",
    "CLOSED",
];

fn ss_row(toks: &[&str], hint: Option<Proto>) -> Option<(Proto, bool, &'static str, usize)> {
    let first = *toks.first()?;
    let (proto, state_idx) = match first {
        "tcp" => (Some(Proto::Tcp), 1),
        "udp" => (Some(Proto::Udp), 1),
        _ if SS_STATES.contains(&first) => (None, 0),
        _ => return None,
    };
    let state = *toks.get(state_idx)?;
    if !SS_STATES.contains(&state) {
        return None;
    }
    toks.get(state_idx + 1)?.parse::<u64>().ok()?;
    toks.get(state_idx + 2)?.parse::<u64>().ok()?;
    let proto = proto.or(hint).or(match state {
        "UNCONN" => Some(Proto::Udp),
        _ => Some(Proto::Tcp),
    })?;
    let listening = state == "LISTEN" || (proto == Proto::Udp && state == "UNCONN");
    Some((proto, listening, "", state_idx + 3))
}

/// Parses socket listings; `None` unless the segment is one.
pub(crate) fn parse<'a>(seg: &Segment<'a>) -> Option<(Listing, Vec<Line<'a>>)> {
    let mut sockets = Vec::new();
    let mut skipped = Vec::new();
    let mut headers = 0usize;
    let mut protos = BTreeSet::new();
    let mut unix_part = false;
    let cmd_hint = match (seg.command.as_deref(), seg.command_has("-u")) {
        (Some(c), _) if c.starts_with("ss") && c.contains('t') && !c.contains('u') => {
            Some(Proto::Tcp)
        }
        (Some(c), _) if c.starts_with("ss") && c.contains('u') && !c.contains('t') => {
            Some(Proto::Udp)
        }
        _ => None,
    };
    let mut windows = false;
    for line in seg.content() {
        let t = line.text.trim();
        let toks: Vec<&str> = t.split_whitespace().collect();
        if t.starts_with("Active UNIX domain sockets") {
            unix_part = true;
            headers += 1;
            continue;
        }
        if unix_part {
            continue;
        }
        if t.starts_with("Netid")
            || (t.starts_with("State") && t.contains("Recv-Q"))
            || t.starts_with("Active Internet connections")
            || (t.starts_with("Proto") && (t.contains("Local Address") || t.contains("Recv-Q")))
        {
            headers += 1;
            continue;
        }
        if t == "Active Connections" {
            windows = true;
            headers += 1;
            continue;
        }
        let cite = Cite::new(seg.input, line);
        // ss
        if let Some((proto, listening, _, local_idx)) = ss_row(&toks, cmd_hint) {
            if let Some((bind, port, device)) = toks
                .get(local_idx)
                .and_then(|a| local_address(a, Style::Ss))
            {
                let process = process_of(toks.get(local_idx + 2..).unwrap_or(&[]), Style::Ss);
                protos.insert(proto);
                sockets.push(Socket {
                    proto,
                    listening,
                    bind,
                    port,
                    device,
                    process,
                    cite,
                });
                continue;
            }
        }
        // net-tools, Windows and macOS netstat
        let first = toks.first().copied().unwrap_or("");
        let lower = first.to_ascii_lowercase();
        let style = if first == "TCP" || first == "UDP" {
            Some(Style::Windows)
        } else if matches!(lower.as_str(), "tcp4" | "tcp46" | "udp4" | "udp46")
            || ((lower == "tcp6" || lower == "udp6")
                && toks
                    .get(3)
                    .is_some_and(|a| a.starts_with("*.") || !a.contains(':')))
        {
            Some(Style::Mac)
        } else if matches!(lower.as_str(), "tcp" | "udp" | "tcp6" | "udp6") {
            Some(Style::NetTools)
        } else {
            None
        };
        if let Some(style) = style {
            let proto = if lower.starts_with("tcp") {
                Proto::Tcp
            } else {
                Proto::Udp
            };
            let local_idx = if style == Style::Windows { 1 } else { 3 };
            let parsed = toks
                .get(local_idx)
                .and_then(|a| local_address(a, style))
                .filter(|_| {
                    style == Style::Windows || toks.get(1).is_some_and(|q| q.parse::<u64>().is_ok())
                });
            if let Some((bind, port, device)) = parsed {
                let state = toks.get(local_idx + 2).copied().unwrap_or("");
                let listening = match proto {
                    Proto::Tcp => state == "LISTEN" || state == "LISTENING",
                    Proto::Udp => true,
                };
                let rest_idx = match (proto, style) {
                    (Proto::Udp, Style::Windows) => local_idx + 2,
                    (Proto::Udp, Style::NetTools)
                        if !state.contains('/')
                            && state.parse::<u64>().is_err()
                            && state != "-" =>
                    {
                        local_idx + 3
                    }
                    (Proto::Udp, _) => local_idx + 2,
                    (Proto::Tcp, _) => local_idx + 3,
                };
                // Windows -ano puts the PID last; -an has nothing after the state.
                let rest = toks.get(rest_idx..).unwrap_or(&[]);
                let process = if style == Style::Windows && rest.is_empty() {
                    None
                } else {
                    process_of(rest, style)
                };
                let bind = match (style, bind) {
                    (Style::NetTools, Bind::AnyV4) if lower.ends_with('6') => Bind::AnyV6Maybe,
                    (_, b) => b,
                };
                protos.insert(proto);
                sockets.push(Socket {
                    proto,
                    listening,
                    bind,
                    port,
                    device,
                    process,
                    cite,
                });
                continue;
            }
        }
        // Windows `netstat -b` owner lines.
        if windows
            && ((t.starts_with('[') && t.ends_with(']'))
                || toks.len() == 1
                || t.starts_with("Can not obtain ownership"))
        {
            continue;
        }
        skipped.push(*line);
    }
    if sockets.is_empty() && headers == 0 {
        return None;
    }
    if sockets.len() < skipped.len() {
        return None;
    }
    if let Some(p) = cmd_hint {
        protos.insert(p);
    }
    Some((
        Listing {
            sockets,
            input: seg.input.to_owned(),
            protos,
        },
        skipped,
    ))
}

/// Where a service's listen address is set, for the summary.
fn bind_hint(port: u16) -> String {
    let s = match port {
        22 => " (for sshd: `ListenAddress` in /etc/ssh/sshd_config)",
        80 | 443 | 8080 | 8443 => {
            return format!(" (for nginx: `listen {port};`; for Apache: `Listen {port}`)")
        }
        3306 => " (for MySQL: `bind-address = 0.0.0.0` in my.cnf)",
        5432 => " (for PostgreSQL: `listen_addresses = '*'` in postgresql.conf, and a `pg_hba.conf` entry)",
        6379 => " (for Redis: `bind` and `protected-mode` in redis.conf)",
        27017 => " (for MongoDB: `net.bindIp` in mongod.conf)",
        3389 => " (Remote Desktop: check that it is enabled and the TermService service runs)",
        _ => "",
    };
    s.to_owned()
}

fn start_hint(port: u16) -> &'static str {
    match port {
        22 => ": start the SSH server (`sudo systemctl enable --now sshd`, or `ssh` on Debian/Ubuntu)",
        3389 => ": enable Remote Desktop (`Set-ItemProperty 'HKLM:\\System\\CurrentControlSet\\Control\\Terminal Server' fDenyTSConnections 0`) and start TermService",
        _ => ": start the service, or check the port it is configured to use",
    }
}

/// The `listening` check.
pub(crate) fn evaluate(ctx: &Ctx<'_>, listings: &[Listing], device: Option<&str>) -> Check {
    let mk = |status: Status, summary: String, evidence: Vec<Evidence>| Check {
        layer: Layer::Listening,
        status,
        summary,
        evidence,
        fix: None,
    };
    let (proto, port) = match ctx.protocol {
        QueryProtocol::Tcp { port } => (Proto::Tcp, port),
        QueryProtocol::Udp { port } => (Proto::Udp, port),
        QueryProtocol::Icmp { .. } | QueryProtocol::All => {
            return mk(
                Status::NotApplicable,
                format!(
                    "{} needs no listening socket (the kernel answers ICMP)",
                    ctx.what()
                ),
                Vec::new(),
            );
        }
    };
    let what = ctx.what();
    let input = listings.first().map_or("", |l| l.input.as_str());
    let all: Vec<&Socket> = listings.iter().flat_map(|l| l.sockets.iter()).collect();
    let shown: BTreeSet<Proto> = set_of(listings.iter().flat_map(|l| l.protos.iter().copied()));
    let proto_name = if proto == Proto::Tcp { "TCP" } else { "UDP" };
    let listening_any = all.iter().any(|s| s.listening && s.proto == proto);
    if !shown.contains(&proto) || !listening_any {
        let cmd = if proto == Proto::Tcp {
            "sudo ss -ltnp"
        } else {
            "sudo ss -lunp"
        };
        if !all.iter().any(|s| s.listening) || !shown.contains(&proto) {
            return mk(
                Status::NotApplicable,
                format!(
                    "the socket listing shows no listening {proto_name} sockets at all; run `{cmd}` (with `-l` for listening sockets; `netstat -ano` on Windows) and pass its output"
                ),
                Vec::new(),
            );
        }
    }
    let on_port: Vec<&Socket> = all
        .iter()
        .copied()
        .filter(|s| s.proto == proto && s.listening && s.port == port)
        .collect();
    let target = ctx.private;
    let fam = ctx.family;
    let mut good: Vec<(&Socket, &str)> = Vec::new();
    let mut bad: Vec<(&Socket, String)> = Vec::new();
    for s in &on_port {
        let dev_ok = match (&s.device, device) {
            (Some(d), Some(t)) => d == t,
            (Some(d), None) => d != "lo",
            (None, _) => true,
        };
        if !dev_ok {
            bad.push((
                s,
                format!(
                    "bound to device `{}`, not the one that holds the target address",
                    s.device.clone().unwrap_or_default()
                ),
            ));
            continue;
        }
        match (s.bind, fam) {
            (Bind::AnyDual, _) | (Bind::AnyV4, Family::Ipv4) | (Bind::AnyV6Only, Family::Ipv6) | (Bind::AnyV6Maybe, Family::Ipv6) => {
                good.push((s, "all addresses"))
            }
            (Bind::AnyV6Maybe, Family::Ipv4) => good.push((s, "all addresses (an IPv6 wildcard socket, which also accepts IPv4 unless net.ipv6.bindv6only is set)")),
            (Bind::AnyV4, Family::Ipv6) => bad.push((s, "IPv4 addresses only (the target address is IPv6)".to_owned())),
            (Bind::AnyV6Only, Family::Ipv4) => bad.push((s, "IPv6 addresses only, `[::]` (the target address is IPv4)".to_owned())),
            (Bind::Ip(a), _) => {
                let a4 = match a {
                    IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(a),
                    v4 => v4,
                };
                if Some(a4) == target || Some(a) == target {
                    good.push((s, "the target's private address"));
                } else if a4.is_loopback() {
                    bad.push((s, format!("the loopback address `{a}` only")));
                } else if target.is_none() {
                    good.push((s, "a specific address (we could not check it is the target's private address)"));
                } else {
                    bad.push((s, format!("`{a}` only, not `{}`", target.map(|t| t.to_string()).unwrap_or_default())));
                }
            }
        }
    }
    let who = |s: &Socket| {
        s.process
            .as_ref()
            .map_or_else(|| "a socket".to_owned(), |p| format!("`{p}`"))
    };
    if let Some((s, how)) = good.first() {
        let mut evidence: Vec<Evidence> = good
            .iter()
            .take(3)
            .map(|(s, how)| s.cite.evidence_with(&format!("listens on {how}")))
            .collect();
        evidence.extend(
            bad.iter()
                .take(2)
                .map(|(s, why)| s.cite.evidence_with(&format!("listens on {why}"))),
        );
        return mk(
            Status::Pass,
            format!("{} listens on {what} on {how} ({})", who(s), s.cite.place()),
            evidence,
        );
    }
    if !bad.is_empty() {
        let reasons: Vec<String> = bad
            .iter()
            .take(3)
            .map(|(s, why)| format!("{} listens on {what} on {why} ({})", who(s), s.cite.place()))
            .collect();
        let evidence = bad
            .iter()
            .take(5)
            .map(|(s, why)| s.cite.evidence_with(&format!("listens on {why}")))
            .collect();
        return mk(
            Status::Fail,
            format!(
                "{}, so connections from outside the instance are refused; make it listen on `0.0.0.0` (or `{}`){}",
                join_and(&reasons),
                target.map(|t| t.to_string()).unwrap_or_else(|| "the private address".to_owned()),
                bind_hint(port)
            ),
            evidence,
        );
    }
    let ports: BTreeSet<u16> = set_of(
        all.iter()
            .filter(|s| s.proto == proto && s.listening)
            .map(|s| s.port),
    );
    let list: Vec<String> = ports.iter().take(8).map(|p| p.to_string()).collect();
    mk(
        Status::Fail,
        format!(
            "nothing listens on {what}, so the instance refuses the connection{}; {proto_name} ports listening: {}",
            start_hint(port),
            if list.is_empty() { "none".to_owned() } else { list.join(", ") }
        ),
        vec![Evidence {
            object: input.to_owned(),
            detail: format!("no listening {proto_name} socket on port {port} among {} sockets", all.len()),
            origin: None,
        }],
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::super::text::split;
    use super::*;

    fn listing(text: &str) -> (Listing, usize) {
        let segs = split("sockets.txt", text);
        let (l, s) = parse(&segs[0]).unwrap();
        (l, s.len())
    }

    #[test]
    fn ss_ltnup() {
        let (l, skipped) = listing(
            "Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n\
             udp   UNCONN 0      0          127.0.0.53%lo:53         0.0.0.0:*    users:((\"systemd-resolve\",pid=512,fd=13))\n\
             udp   UNCONN 0      0       10.0.1.5%ens5:68          0.0.0.0:*    users:((\"systemd-network\",pid=498,fd=15))\n\
             tcp   LISTEN 0      128            0.0.0.0:22         0.0.0.0:*    users:((\"sshd\",pid=820,fd=3))\n\
             tcp   LISTEN 0      4096         127.0.0.1:5432       0.0.0.0:*    users:((\"postgres\",pid=901,fd=5))\n\
             tcp   LISTEN 0      511                  *:80               *:*    users:((\"apache2\",pid=1001,fd=4),(\"apache2\",pid=1000,fd=4))\n\
             tcp   LISTEN 0      128               [::]:22            [::]:*    users:((\"sshd\",pid=820,fd=4))\n\
             tcp   LISTEN 0      128  [::ffff:10.0.1.5]:8080             *:*    users:((\"java\",pid=77,fd=9))\n",
        );
        assert_eq!(skipped, 0);
        assert_eq!(l.sockets.len(), 7);
        assert_eq!(l.sockets[0].device.as_deref(), Some("lo"));
        assert_eq!(l.sockets[2].bind, Bind::AnyV4);
        assert_eq!(l.sockets[2].process.as_deref(), Some("sshd"));
        assert_eq!(l.sockets[3].bind, Bind::Ip("127.0.0.1".parse().unwrap()));
        assert_eq!(l.sockets[4].bind, Bind::AnyDual);
        assert_eq!(l.sockets[5].bind, Bind::AnyV6Only);
        assert!(l.sockets[1].listening);
        assert_eq!(l.protos.len(), 2);
    }

    #[test]
    fn ss_tlnp_without_netid() {
        let (l, skipped) = listing(
            "$ sudo ss -tlnp\n\
             State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n\
             LISTEN 0      128          0.0.0.0:ssh       0.0.0.0:*     users:((\"sshd\",pid=820,fd=3))\n",
        );
        assert_eq!(skipped, 0);
        assert_eq!(l.sockets[0].port, 22);
        assert_eq!(l.sockets[0].proto, Proto::Tcp);
    }

    #[test]
    fn netstat_linux() {
        let (l, skipped) = listing(
            "Active Internet connections (only servers)\n\
             Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    \n\
             tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN      820/sshd: /usr/sbin \n\
             tcp        0      0 127.0.0.1:3306          0.0.0.0:*               LISTEN      933/mysqld          \n\
             tcp        0     36 10.0.1.5:22             198.51.100.7:51234      ESTABLISHED 1202/sshd: ec2-user \n\
             tcp6       0      0 :::22                   :::*                    LISTEN      820/sshd: /usr/sbin \n\
             udp        0      0 127.0.0.53:53           0.0.0.0:*                           512/systemd-resolve \n\
             udp        0      0 0.0.0.0:68              0.0.0.0:*                           -                   \n\
             Active UNIX domain sockets (servers and established)\n\
             Proto RefCnt Flags       Type       State         I-Node   PID/Program name     Path\n\
             unix  2      [ ACC ]     STREAM     LISTENING     19352    1/systemd            /run/systemd/private\n",
        );
        assert_eq!(skipped, 0);
        assert_eq!(l.sockets.len(), 6);
        assert_eq!(l.sockets[0].process.as_deref(), Some("sshd"));
        assert!(!l.sockets[2].listening);
        assert_eq!(l.sockets[3].bind, Bind::AnyV6Maybe);
        assert_eq!(l.sockets[4].process.as_deref(), Some("systemd-resolve"));
    }

    #[test]
    fn netstat_windows() {
        let (l, skipped) = listing(
            "\n\
             Active Connections\n\
             \n\
             \x20 Proto  Local Address          Foreign Address        State           PID\n\
             \x20 TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       912\n\
             \x20 TCP    0.0.0.0:3389           0.0.0.0:0              LISTENING       1036\n\
             \x20 TCP    10.0.1.5:3389          198.51.100.7:50122     ESTABLISHED     1036\n\
             \x20 TCP    [::]:3389              [::]:0                 LISTENING       1036\n\
             \x20 UDP    0.0.0.0:3389           *:*                                    1036\n\
             \x20 UDP    [::1]:1900             *:*                                    3120\n\
             \x20[svchost.exe]\n\
             \x20TermService\n",
        );
        assert_eq!(skipped, 0);
        assert_eq!(l.sockets.len(), 6);
        assert_eq!(l.sockets[1].port, 3389);
        assert!(l.sockets[1].listening);
        assert_eq!(l.sockets[1].process.as_deref(), Some("PID 1036"));
        assert!(!l.sockets[2].listening);
        assert_eq!(l.sockets[3].bind, Bind::AnyV6Only);
        assert_eq!(l.sockets[4].proto, Proto::Udp);
    }

    #[test]
    fn netstat_macos() {
        let (l, _) = listing(
            "Active Internet connections (including servers)\n\
             Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)    \n\
             tcp4       0      0  *.22                   *.*                    LISTEN     \n\
             tcp4       0      0  127.0.0.1.5432         *.*                    LISTEN     \n",
        );
        assert_eq!(l.sockets[0].bind, Bind::AnyDual);
        assert_eq!(l.sockets[1].port, 5432);
    }

    #[test]
    fn unrelated_text_is_not_sockets() {
        let segs = split("x", "hello world\n");
        assert!(parse(&segs[0]).is_none());
        let segs = split("x", "default via 10.0.1.1 dev eth0\n");
        assert!(parse(&segs[0]).is_none());
    }
}
