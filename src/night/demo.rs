//! `kuzet demo`: the nightly job pointed at the loopback server the demo started. The sample
//! config's seeds name the default address (127.0.0.1:8737); when the demo serves elsewhere
//! (`--addr`, or port 0 for any free port) its loopback seeds and the guard's matching
//! `allow_addr` entries move to the address actually served. Seeds on other hosts are left
//! alone. This module does not start the server or run the night; `main` does.

use std::net::SocketAddr;

use url::Url;

use crate::nightly::Loaded;

/// Moves every loopback seed of `loaded` (and each `allow_addr` entry it was allowed by) to
/// `served`; returns how many seeds moved.
pub fn point_at(loaded: &mut Loaded, served: SocketAddr) -> usize {
    let mut moved = 0;
    for seed in &mut loaded.seeds {
        let Some(old) = loopback_addr(seed) else { continue };
        if old == served {
            continue;
        }
        // Both set_* only fail for URLs that cannot have a host, which a loopback seed has.
        if seed.set_ip_host(served.ip()).is_ok() && seed.set_port(Some(served.port())).is_ok() {
            moved += 1;
            for allowed in &mut loaded.config.allow_addr {
                if *allowed == old {
                    *allowed = served;
                }
            }
        }
    }
    if moved > 0 && !loaded.config.allow_private && !loaded.config.allow_addr.contains(&served) {
        loaded.config.allow_addr.push(served);
    }
    moved
}

/// The address of a seed whose host is a loopback IP literal.
fn loopback_addr(seed: &Url) -> Option<SocketAddr> {
    let ip = match seed.host()? {
        url::Host::Ipv4(ip) => std::net::IpAddr::V4(ip),
        url::Host::Ipv6(ip) => std::net::IpAddr::V6(ip),
        url::Host::Domain(_) => return None,
    };
    ip.is_loopback().then(|| SocketAddr::new(ip, seed.port_or_known_default().unwrap_or(80)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(seeds: &[&str], allow: &[&str]) -> Loaded {
        let text = format!("seeds = \"s.txt\"\nout = \"o\"\nallow_addr = {allow:?}\n");
        Loaded {
            config: toml::from_str(&text).unwrap(),
            seeds: seeds.iter().map(|s| Url::parse(s).unwrap()).collect(),
            lexicons: "l".into(),
            adapters: None,
            out: "o".into(),
            store: "o/kuzet.sqlite".into(),
            inbox: None,
            force: None,
        }
    }

    #[test]
    fn loopback_seeds_follow_the_served_address() {
        // (seeds, allow_addr, served, seeds after, allow_addr after)
        let table: [(&[&str], &[&str], &str, &[&str], &[&str]); 4] = [
            (&["http://127.0.0.1:8737/"], &["127.0.0.1:8737"], "127.0.0.1:8738", &["http://127.0.0.1:8738/"], &["127.0.0.1:8738"]),
            (&["http://127.0.0.1:8737/a?b"], &[], "127.0.0.1:40000", &["http://127.0.0.1:40000/a?b"], &["127.0.0.1:40000"]),
            (&["http://127.0.0.1:8737/", "https://example.kz/"], &["127.0.0.1:8737"], "127.0.0.1:8737", &["http://127.0.0.1:8737/", "https://example.kz/"], &["127.0.0.1:8737"]),
            (&["http://localhost:8737/", "https://example.kz/"], &[], "127.0.0.1:9", &["http://localhost:8737/", "https://example.kz/"], &[]),
        ];
        for (seeds, allow, served, want_seeds, want_allow) in table {
            let mut l = loaded(seeds, allow);
            point_at(&mut l, served.parse().unwrap());
            let got: Vec<&str> = l.seeds.iter().map(Url::as_str).collect();
            assert_eq!(got, want_seeds, "{seeds:?} served at {served}");
            let allowed: Vec<String> = l.config.allow_addr.iter().map(ToString::to_string).collect();
            assert_eq!(allowed, want_allow, "{seeds:?} served at {served}");
        }
    }
}
