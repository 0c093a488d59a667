//! The address guard: kuzet never connects to private or internal addresses unless told to.
//!
//! Every address is checked where it is used: IP-literal hosts (which never reach a resolver)
//! before each request and each redirect hop, and every address a host name resolves to inside
//! the resolver, so that the address checked is the address connected to (no DNS-rebinding
//! window). Refused: every range of IANA's IPv4 and IPv6 special-purpose registries that is not
//! the public Internet (unspecified, loopback, private, link-local, CGNAT, unique-local,
//! multicast, documentation, benchmarking, protocol assignments, Teredo, reserved), every IPv6
//! address outside global unicast 2000::/3, and IPv4 addresses embedded in IPv6 forms judged as
//! the IPv4 address (IPv4-mapped, IPv4-translated, IPv4-compatible, NAT64, 6to4). It does not
//! know a network's own NAT64 prefix (RFC 6052 network-specific prefixes): those addresses are
//! global unicast and pass.
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
    let [a, b, c, d] = ip.octets();
    Some(match (a, b, c, d) {
        (0, ..) => "unspecified",
        (127, ..) => "loopback",
        (10, ..) | (192, 168, ..) => "private",
        (172, 16..=31, ..) => "private",
        (100, 64..=127, ..) => "carrier-grade NAT",
        (169, 254, ..) => "link-local",
        // IETF protocol assignments (DS-Lite, NAT64 discovery, PCP and TURN anycast), the
        // deprecated 6to4 relay anycast, AS112 and AMT.
        (192, 0, 0, _) | (192, 88, 99, _) | (192, 31, 196, _) | (192, 52, 193, _) | (192, 175, 48, _) => "reserved",
        (192, 0, 2, _) | (198, 51, 100, _) | (203, 0, 113, _) => "documentation",
        (198, 18..=19, ..) => "benchmarking",
        (224..=239, ..) => "multicast",
        (240..=255, ..) => "reserved",
        _ => return None,
    })
}

/// The IPv4 address in the last 32 bits of an IPv6 address.
fn low_v4(s: [u16; 8]) -> Ipv4Addr {
    Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8)
}

/// An IPv4 address embedded in an IPv6 form is judged as that address; a public one is still
/// refused when the form itself is not routable (`why`).
fn embedded(v4: Ipv4Addr, why: &'static str) -> &'static str {
    refusal_v4(v4).unwrap_or(why)
}

fn refusal_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    Some(match s {
        // IPv4-mapped ::ffff:a.b.c.d: the IPv4 address it is (connecting reaches it).
        [0, 0, 0, 0, 0, 0xffff, ..] => return refusal_v4(low_v4(s)),
        // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052): reaches the IPv4 address it embeds.
        [0x64, 0xff9b, 0, 0, 0, 0, ..] => return refusal_v4(low_v4(s)),
        // IPv4-translated ::ffff:0:a.b.c.d (RFC 2765 SIIT) and IPv4-compatible ::a.b.c.d
        // (deprecated): never a public destination.
        [0, 0, 0, 0, 0xffff, 0, ..] => embedded(low_v4(s), "IPv4-translated"),
        [0, 0, 0, 0, 0, 0, ..] => embedded(low_v4(s), "reserved"),
        // 6to4 2002:a.b.c.d::/48 (RFC 3056): judged by the IPv4 address it tunnels to.
        [0x2002, hi, lo, ..] => return refusal_v4(low_v4([0, 0, 0, 0, 0, 0, hi, lo])),
        [0x2001, 0, ..] => "Teredo",
        [0x2001, 0xdb8, ..] => "documentation",
        // IETF protocol assignments 2001::/23 (benchmarking, AMT, AS112, ORCHID, drone ID).
        [0x2001, 0..=0x1ff, ..] => "reserved",
        // AS112 direct delegation.
        [0x2620, 0x4f, 0x8000, ..] => "reserved",
        [0x3fff, y, ..] if y < 0x1000 => "documentation",
        // SRv6 segment identifiers.
        [0x5f00, ..] => "reserved",
        [x, ..] if x & 0xfe00 == 0xfc00 => "unique-local",
        [x, ..] if x & 0xffc0 == 0xfe80 => "link-local",
        [x, ..] if x & 0xffc0 == 0xfec0 => "site-local",
        [x, ..] if x & 0xff00 == 0xff00 => "multicast",
        // Global unicast is 2000::/3; everything else outside the forms above (64:ff9b:1::/48
        // local-use translation, 100::/64 discard-only, the rest of ::/8) is reserved.
        [x, ..] if x & 0xe000 != 0x2000 => "reserved",
        _ => return None,
    })
}

/// A refused connection target.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("refused {addr}: {reason} address (the address guard is on; {lift} lifts it)")]
pub struct Refused {
    pub addr: SocketAddr,
    pub reason: &'static str,
    pub lift: Lift,
}

/// Where the setting that lifts the guard is, as refusals name it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lift {
    /// `kuzet crawl --allow-private`.
    #[default]
    Flag,
    /// `allow_private = true` in a `kuzet run` config.
    ConfigKey,
}

impl std::fmt::Display for Lift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Lift::Flag => "--allow-private",
            Lift::ConfigKey => "allow_private = true in the config",
        })
    }
}

/// Which addresses may be connected to.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    /// Allow everything (`--allow-private`).
    pub allow_private: bool,
    /// Exact socket addresses allowed although they are refused otherwise (`kuzet demo`).
    pub allow: Vec<SocketAddr>,
    /// What refusals say lifts the guard.
    pub lift: Lift,
}

impl Guard {
    /// Checks a connection target.
    pub fn check(&self, addr: SocketAddr) -> Result<(), Refused> {
        match refusal(canonical(addr.ip())) {
            Some(reason) if !self.allow_private && !self.allow.contains(&addr) => Err(Refused { addr, reason, lift: self.lift }),
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
                    format!("refused {host}: all {total} resolved addresses refused ({why}); the address guard is on ({} lifts it)", guard.lift).into();
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
        ("192.0.0.9", Some("reserved")),
        ("192.0.0.170", Some("reserved")),
        ("192.31.196.1", Some("reserved")),
        ("192.52.193.1", Some("reserved")),
        ("192.88.99.1", Some("reserved")),
        ("192.175.48.6", Some("reserved")),
        ("198.19.255.255", Some("benchmarking")),
        ("192.0.1.1", None),
        ("198.20.0.1", None),
        ("::", Some("unspecified")),
        ("::1", Some("loopback")),
        // IPv4-mapped (RFC 4291): the IPv4 address it is.
        ("::ffff:127.0.0.1", Some("loopback")),
        ("::ffff:7f00:1", Some("loopback")),
        ("::ffff:192.168.0.1", Some("private")),
        ("::ffff:169.254.1.1", Some("link-local")),
        ("::ffff:8.8.8.8", None),
        // IPv4-translated ::ffff:0:a.b.c.d (RFC 2765): once fell through to allowed.
        ("::ffff:0:127.0.0.1", Some("loopback")),
        ("::ffff:0:10.0.0.1", Some("private")),
        ("::ffff:0:a9fe:a9fe", Some("link-local")),
        ("::ffff:0:8.8.8.8", Some("IPv4-translated")),
        // IPv4-compatible (deprecated).
        ("::127.0.0.1", Some("loopback")),
        ("::10.1.2.3", Some("private")),
        ("::8.8.8.8", Some("reserved")),
        // NAT64 well-known prefix (RFC 6052) and the local-use prefix (RFC 8215).
        ("64:ff9b::10.0.0.1", Some("private")),
        ("64:ff9b::127.0.0.1", Some("loopback")),
        ("64:ff9b::169.254.169.254", Some("link-local")),
        ("64:ff9b::192.168.1.1", Some("private")),
        ("64:ff9b::8.8.8.8", None),
        ("64:ff9b:1::10.0.0.1", Some("reserved")),
        ("64:ff9b:1::8.8.8.8", Some("reserved")),
        // 6to4 (RFC 3056): the IPv4 address it tunnels to.
        ("2002:7f00:1::", Some("loopback")),
        ("2002:a00:1::1", Some("private")),
        ("2002:c0a8:101::1", Some("private")),
        ("2002:a9fe:a9fe::", Some("link-local")),
        ("2002:808:808::1", None),
        // Teredo (RFC 4380) and the rest of 2001::/23.
        ("2001::1", Some("Teredo")),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", Some("Teredo")),
        ("2001:1::1", Some("reserved")),
        ("2001:2::1", Some("reserved")),
        ("2001:3::1", Some("reserved")),
        ("2001:4:112::1", Some("reserved")),
        ("2001:10::1", Some("reserved")),
        ("2001:20::1", Some("reserved")),
        ("2001:1ff::1", Some("reserved")),
        ("2001:200::1", None),
        ("2001:db8::1", Some("documentation")),
        ("3fff::1", Some("documentation")),
        ("3fff:fff::1", Some("documentation")),
        ("3fff:1000::1", None),
        ("2620:4f:8000::1", Some("reserved")),
        ("5f00::1", Some("reserved")),
        ("100::1", Some("reserved")),
        ("100:0:0:1::1", Some("reserved")),
        ("fc00::1", Some("unique-local")),
        ("fd12:3456::1", Some("unique-local")),
        ("fe80::1", Some("link-local")),
        ("febf::1", Some("link-local")),
        ("fec0::1", Some("site-local")),
        ("ff02::1", Some("multicast")),
        ("ff0e::1", Some("multicast")),
        // Outside global unicast 2000::/3: not allocated.
        ("4000::1", Some("reserved")),
        ("1::1", Some("reserved")),
        ("e000::1", Some("reserved")),
        ("2606:4700::1111", None),
        ("2a00:1450:4001::1", None),
    ];

    /// Issue 19, case 15: the IPv4-translated form and IANA's special-purpose ranges.
    #[test]
    fn case15_special_purpose_address_table() {
        for &(addr, want) in ADDRESSES {
            assert_eq!(refusal(addr.parse().unwrap()), want, "{addr}");
        }
    }

    /// Hosts written in the odd forms URL parsers accept, classified through the same parser
    /// the crawler uses, without connecting anywhere.
    #[test]
    fn url_host_forms() {
        for url in ["http://0x7f.1/", "http://2130706433/", "http://0177.0.0.1/", "http://127.1/", "http://[::ffff:127.0.0.1]/", "http://[::1]:8080/", "http://[::ffff:0:127.0.0.1]/", "http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::1]/"] {
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
        let demo = Guard { allow_private: false, allow: vec![server], ..Guard::default() };
        assert!(demo.check(server).is_ok());
        assert!(demo.check(other).is_err());
        assert!(demo.check_resolved(server.ip()).is_some(), "names never resolve to the allow-listed server");
        let open = Guard { allow_private: true, allow: vec![], ..Guard::default() };
        assert!(open.check(other).is_ok() && open.check_resolved(other.ip()).is_none());
        assert!(Guard::default().check("93.184.215.14:80".parse().unwrap()).is_ok());
    }
}
