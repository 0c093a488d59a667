//! The address guard: kuzet never connects to private or internal addresses unless told to.
//!
//! Every address is checked where it is used: IP-literal hosts (which never reach a resolver)
//! before each request and each redirect hop, and every address a host name resolves to inside
//! the resolver, so that the address checked is the address connected to (no DNS-rebinding
//! window). Refused: unspecified, loopback, private, link-local, CGNAT, unique-local,
//! multicast, documentation, benchmarking and reserved ranges, and IPv4 addresses embedded in
//! IPv6 forms (IPv4-mapped, IPv4-compatible, NAT64, 6to4).
//!
//! `--allow-private` opens the guard for tests and intranet mirrors; `kuzet demo` opens it for
//! the one loopback server it starts (an allow-list of exact socket addresses).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// Why an address is refused, or `None` if it is a public unicast address.
///
/// ```
/// use kuzet::guard::refusal;
/// assert_eq!(refusal("127.0.0.1".parse().unwrap()), Some("loopback"));
/// assert_eq!(refusal("::ffff:10.1.2.3".parse().unwrap()), Some("private"));
/// assert_eq!(refusal("93.184.215.14".parse().unwrap()), None);
/// ```
pub fn refusal(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refusal_v4(v4),
        IpAddr::V6(v6) => refusal_v6(v6),
    }
}

fn refusal_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, _, _) => "unspecified",
        (127, _, _) => "loopback",
        (10, _, _) | (192, 168, _) => "private",
        (172, 16..=31, _) => "private",
        (100, 64..=127, _) => "carrier-grade NAT",
        (169, 254, _) => "link-local",
        (192, 0, 0) | (192, 88, 99) => "reserved",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "documentation",
        (198, 18..=19, _) => "benchmarking",
        (224..=239, _, _) => "multicast",
        (240..=255, _, _) => "reserved",
        _ => return None,
    })
}

fn refusal_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    Some(match s {
        // IPv4-mapped ::ffff:a.b.c.d: judged as the IPv4 address it is.
        [0, 0, 0, 0, 0, 0xffff, hi, lo] => return refusal_v4(embedded(hi, lo)),
        // IPv4-compatible ::a.b.c.d (deprecated) and NAT64 64:ff9b::a.b.c.d.
        [0, 0, 0, 0, 0, 0, _, _] => "reserved",
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => return refusal_v4(embedded(hi, lo)),
        [0x64, 0xff9b, 1, ..] => "reserved",
        [0x100, 0, 0, 0, ..] => "reserved",
        [0x2001, 0xdb8, ..] => "documentation",
        [0x2001, 0..=0x1ff, ..] => "reserved",
        [0x2002, hi, lo, ..] => return refusal_v4(embedded(hi, lo)),
        [x, ..] if x & 0xfe00 == 0xfc00 => "unique-local",
        [x, ..] if x & 0xffc0 == 0xfe80 => "link-local",
        [x, ..] if x & 0xffc0 == 0xfec0 => "site-local",
        [x, ..] if x & 0xff00 == 0xff00 => "multicast",
        _ => return None,
    })
}

/// A refused connection target.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("refused {addr}: {reason} address (the address guard is on; --allow-private lifts it)")]
pub struct Refused {
    pub addr: SocketAddr,
    pub reason: &'static str,
}

/// Which addresses may be connected to.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    /// Allow everything (`--allow-private`).
    pub allow_private: bool,
    /// Exact socket addresses allowed although they are refused otherwise (`kuzet demo`).
    pub allow: Vec<SocketAddr>,
}

impl Guard {
    /// Checks a connection target.
    pub fn check(&self, addr: SocketAddr) -> Result<(), Refused> {
        match refusal(canonical(addr.ip())) {
            Some(reason) if !self.allow_private && !self.allow.contains(&addr) => Err(Refused { addr, reason }),
            _ => Ok(()),
        }
    }

    /// Checks an address whose port is not known (inside the resolver): only
    /// `allow_private` lets a refused address through.
    pub fn check_resolved(&self, ip: IpAddr) -> Option<&'static str> {
        if self.allow_private { None } else { refusal(canonical(ip)) }
    }
}

/// IPv4-mapped IPv6 addresses as the IPv4 address they are.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// A resolver that drops every refused address a name resolves to, so the client connects
/// only to addresses that passed. Resolution uses the system resolver (getaddrinfo).
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    pub guard: Arc<Guard>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let guard = self.guard.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let total = resolved.len();
            let mut reasons = Vec::new();
            let allowed: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|a| match guard.check_resolved(a.ip()) {
                    Some(r) => {
                        reasons.push(r);
                        false
                    }
                    None => true,
                })
                .collect();
            if allowed.is_empty() {
                let why = reasons.first().copied().unwrap_or("no address");
                let err: Box<dyn std::error::Error + Send + Sync> =
                    format!("refused {host}: all {total} resolved addresses refused ({why}); the address guard is on").into();
                return Err(err);
            }
            let addrs: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (address, refusal) — classified without connecting anywhere.
    const ADDRESSES: &[(&str, Option<&str>)] = &[
        ("0.0.0.0", Some("unspecified")),
        ("0.1.2.3", Some("unspecified")),
        ("127.0.0.1", Some("loopback")),
        ("127.255.255.254", Some("loopback")),
        ("10.0.0.1", Some("private")),
        ("172.16.0.1", Some("private")),
        ("172.31.255.255", Some("private")),
        ("192.168.1.1", Some("private")),
        ("100.64.0.1", Some("carrier-grade NAT")),
        ("100.127.255.255", Some("carrier-grade NAT")),
        ("169.254.169.254", Some("link-local")),
        ("192.0.0.8", Some("reserved")),
        ("192.0.2.1", Some("documentation")),
        ("198.51.100.7", Some("documentation")),
        ("203.0.113.9", Some("documentation")),
        ("198.18.0.1", Some("benchmarking")),
        ("224.0.0.1", Some("multicast")),
        ("239.255.255.250", Some("multicast")),
        ("240.0.0.1", Some("reserved")),
        ("255.255.255.255", Some("reserved")),
        ("172.32.0.1", None),
        ("100.128.0.1", None),
        ("8.8.8.8", None),
        ("::", Some("unspecified")),
        ("::1", Some("loopback")),
        ("::ffff:127.0.0.1", Some("loopback")),
        ("::ffff:7f00:1", Some("loopback")),
        ("::ffff:192.168.0.1", Some("private")),
        ("::ffff:169.254.1.1", Some("link-local")),
        ("::127.0.0.1", Some("reserved")),
        ("64:ff9b::10.0.0.1", Some("private")),
        ("2002:7f00:1::", Some("loopback")),
        ("2001:db8::1", Some("documentation")),
        ("2001::1", Some("reserved")),
        ("100::1", Some("reserved")),
        ("fc00::1", Some("unique-local")),
        ("fd12:3456::1", Some("unique-local")),
        ("fe80::1", Some("link-local")),
        ("fec0::1", Some("site-local")),
        ("ff02::1", Some("multicast")),
        ("::ffff:8.8.8.8", None),
        ("2606:4700::1111", None),
    ];

    #[test]
    fn address_table() {
        for &(addr, want) in ADDRESSES {
            assert_eq!(refusal(addr.parse().unwrap()), want, "{addr}");
        }
    }

    /// Hosts written in the odd forms URL parsers accept, classified through the same parser
    /// the crawler uses, without connecting anywhere.
    #[test]
    fn url_host_forms() {
        for url in ["http://0x7f.1/", "http://2130706433/", "http://0177.0.0.1/", "http://127.1/", "http://[::ffff:127.0.0.1]/", "http://[::1]:8080/"] {
            let u = url::Url::parse(url).unwrap();
            let ip: IpAddr = match u.host() {
                Some(url::Host::Ipv4(v4)) => v4.into(),
                Some(url::Host::Ipv6(v6)) => v6.into(),
                other => panic!("{url}: not an IP host: {other:?}"),
            };
            let addr = SocketAddr::new(ip, u.port_or_known_default().unwrap());
            assert_eq!(Guard::default().check(addr).map_err(|r| r.reason), Err("loopback"), "{url}");
        }
    }

    #[test]
    fn allow_list_and_allow_private() {
        let server: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let other: SocketAddr = "127.0.0.1:8081".parse().unwrap();
        let demo = Guard { allow_private: false, allow: vec![server] };
        assert!(demo.check(server).is_ok());
        assert!(demo.check(other).is_err());
        assert!(demo.check_resolved(server.ip()).is_some(), "names never resolve to the allow-listed server");
        let open = Guard { allow_private: true, allow: vec![] };
        assert!(open.check(other).is_ok() && open.check_resolved(other.ip()).is_none());
        assert!(Guard::default().check("93.184.215.14:80".parse().unwrap()).is_ok());
    }
}
