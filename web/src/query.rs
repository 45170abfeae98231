//! The question form's choices, and turning them into a core [`Query`] (input checking only).

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use vpc_reach_core::net::Cidr;
use vpc_reach_core::{Query, QueryProtocol};

/// The port presets offered next to a custom port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PortChoice {
    Ssh,
    Rdp,
    Http,
    Https,
    Custom,
}

impl PortChoice {
    pub const ALL: [PortChoice; 5] = [
        PortChoice::Ssh,
        PortChoice::Rdp,
        PortChoice::Http,
        PortChoice::Https,
        PortChoice::Custom,
    ];

    pub fn port(self) -> Option<u16> {
        match self {
            PortChoice::Ssh => Some(22),
            PortChoice::Rdp => Some(3389),
            PortChoice::Http => Some(80),
            PortChoice::Https => Some(443),
            PortChoice::Custom => None,
        }
    }

    /// The `<option>` value.
    pub fn key(self) -> &'static str {
        match self {
            PortChoice::Ssh => "22",
            PortChoice::Rdp => "3389",
            PortChoice::Http => "80",
            PortChoice::Https => "443",
            PortChoice::Custom => "custom",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PortChoice::Ssh => "SSH (22)",
            PortChoice::Rdp => "RDP (3389)",
            PortChoice::Http => "HTTP (80)",
            PortChoice::Https => "HTTPS (443)",
            PortChoice::Custom => "Other port…",
        }
    }

    pub fn from_key(s: &str) -> PortChoice {
        PortChoice::ALL
            .into_iter()
            .find(|c| c.key() == s)
            .unwrap_or(PortChoice::Custom)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProtocolChoice {
    Tcp,
    Udp,
    /// ICMP echo request (ping).
    Ping,
    /// Any protocol: only allow-all rules admit it.
    All,
}

impl ProtocolChoice {
    pub const ALL: [ProtocolChoice; 4] = [
        ProtocolChoice::Tcp,
        ProtocolChoice::Udp,
        ProtocolChoice::Ping,
        ProtocolChoice::All,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ProtocolChoice::Tcp => "tcp",
            ProtocolChoice::Udp => "udp",
            ProtocolChoice::Ping => "icmp",
            ProtocolChoice::All => "all",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ProtocolChoice::Tcp => "TCP",
            ProtocolChoice::Udp => "UDP",
            ProtocolChoice::Ping => "ICMP echo (ping)",
            ProtocolChoice::All => "All traffic",
        }
    }

    pub fn from_key(s: &str) -> ProtocolChoice {
        ProtocolChoice::ALL
            .into_iter()
            .find(|c| c.key() == s)
            .unwrap_or(ProtocolChoice::Tcp)
    }

    /// Whether a port applies.
    pub fn has_port(self) -> bool {
        matches!(self, ProtocolChoice::Tcp | ProtocolChoice::Udp)
    }
}

/// Everything the question form holds, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryForm {
    pub target: String,
    pub protocol: ProtocolChoice,
    pub port: PortChoice,
    pub custom_port: String,
    /// The user's public IP or a block; empty = the whole internet.
    pub source: String,
    /// Which public address of the instance; empty = its primary one.
    pub address: String,
}

impl Default for QueryForm {
    fn default() -> Self {
        QueryForm {
            target: String::new(),
            protocol: ProtocolChoice::Tcp,
            port: PortChoice::Ssh,
            custom_port: String::new(),
            source: String::new(),
            address: String::new(),
        }
    }
}

/// Why the form does not make a query yet; shown next to the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormError {
    NoTarget,
    Port(String),
    Source(String),
    Address(String),
}

impl std::fmt::Display for FormError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormError::NoTarget => f.write_str("pick an instance first"),
            FormError::Port(p) if p.trim().is_empty() => {
                f.write_str("type a port number from 1 to 65535")
            }
            FormError::Port(p) => write!(f, "`{}` is not a port number from 1 to 65535", p.trim()),
            FormError::Source(msg) | FormError::Address(msg) => f.write_str(msg),
        }
    }
}

impl QueryForm {
    /// The core query, or what to correct.
    pub fn to_query(&self) -> Result<Query, FormError> {
        let target = self.target.trim();
        if target.is_empty() {
            return Err(FormError::NoTarget);
        }
        let port = || -> Result<u16, FormError> {
            match self.port.port() {
                Some(p) => Ok(p),
                None => match self.custom_port.trim().parse::<u16>() {
                    Ok(p) if p > 0 => Ok(p),
                    _ => Err(FormError::Port(self.custom_port.clone())),
                },
            }
        };
        let protocol = match self.protocol {
            ProtocolChoice::Tcp => QueryProtocol::Tcp { port: port()? },
            ProtocolChoice::Udp => QueryProtocol::Udp { port: port()? },
            ProtocolChoice::Ping => QueryProtocol::Icmp {
                icmp_type: 8,
                code: None,
            },
            ProtocolChoice::All => QueryProtocol::All,
        };
        let source = match self.source.trim() {
            "" => None,
            s => Some(Cidr::parse(s).map_err(|e| FormError::Source(e.to_string()))?),
        };
        let address = match self.address.trim() {
            "" => None,
            a => Some(
                a.parse::<IpAddr>()
                    .map_err(|_| FormError::Address(format!("`{a}` is not an IP address")))?,
            ),
        };
        Ok(Query {
            target: target.to_owned(),
            protocol,
            source,
            address,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn form() -> QueryForm {
        QueryForm {
            target: "i-0abc".into(),
            ..QueryForm::default()
        }
    }

    #[test]
    fn presets_and_custom_ports() {
        let q = form().to_query().unwrap();
        assert_eq!(q.protocol, QueryProtocol::Tcp { port: 22 });
        assert_eq!(q.source, None);
        assert_eq!(q.address, None);

        let mut f = form();
        f.port = PortChoice::Custom;
        f.custom_port = " 8443 ".into();
        f.protocol = ProtocolChoice::Udp;
        assert_eq!(
            f.to_query().unwrap().protocol,
            QueryProtocol::Udp { port: 8443 }
        );

        for bad in ["", "0", "65536", "ssh", "-1"] {
            f.custom_port = bad.into();
            assert_eq!(f.to_query(), Err(FormError::Port(bad.into())), "{bad}");
        }
    }

    #[test]
    fn ping_and_all_ignore_the_port() {
        let mut f = form();
        f.port = PortChoice::Custom;
        f.custom_port = "nonsense".into();
        f.protocol = ProtocolChoice::Ping;
        assert_eq!(
            f.to_query().unwrap().protocol,
            QueryProtocol::Icmp {
                icmp_type: 8,
                code: None
            }
        );
        f.protocol = ProtocolChoice::All;
        assert_eq!(f.to_query().unwrap().protocol, QueryProtocol::All);
    }

    #[test]
    fn source_address_and_target_are_checked() {
        let mut f = form();
        f.source = "198.51.100.7".into();
        f.address = "203.0.113.45".into();
        let q = f.to_query().unwrap();
        assert_eq!(q.source.unwrap().to_string(), "198.51.100.7/32");
        assert_eq!(q.address.unwrap().to_string(), "203.0.113.45");

        f.source = "198.51.100.0/24".into();
        assert_eq!(
            f.to_query().unwrap().source.unwrap().to_string(),
            "198.51.100.0/24"
        );

        f.source = "my laptop".into();
        assert!(matches!(f.to_query(), Err(FormError::Source(m)) if m.contains("`my laptop`")));

        f.source.clear();
        f.address = "eth0".into();
        assert!(matches!(f.to_query(), Err(FormError::Address(_))));

        assert_eq!(QueryForm::default().to_query(), Err(FormError::NoTarget));
    }

    #[test]
    fn option_keys_round_trip() {
        for c in PortChoice::ALL {
            assert_eq!(PortChoice::from_key(c.key()), c);
        }
        for c in ProtocolChoice::ALL {
            assert_eq!(ProtocolChoice::from_key(c.key()), c);
        }
    }
}
