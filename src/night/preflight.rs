//! `kuzet run --check`: what a deployment needs beyond a config that parses. The output, store
//! and inbox folders must be writable by the user the run will be (proved by creating and
//! removing a file, in the folder or in the nearest existing folder above it, which is never
//! created); the User-Agent should give a real contact when the seeds are public hosts. Nothing
//! here connects anywhere: a seed's host is only classified (an address by the guard's ranges,
//! a name by its reserved or intranet suffix).
//!
//! Loading the lexicons and the seeds is `nightly`'s job; printing is the command line's.

use std::path::{Path, PathBuf};

use url::Url;

/// A folder the run must be able to write, and why it cannot.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("{}: cannot be created: {} is not a folder", path.display(), blocker.display())]
    NotAFolder { path: PathBuf, blocker: PathBuf },
    #[error("{}: not writable: cannot create a file in {}: {source}", path.display(), probed.display())]
    NotWritable { path: PathBuf, probed: PathBuf, source: std::io::Error },
    #[error("{}: cannot be read: {source}", path.display())]
    Unreadable { path: PathBuf, source: std::io::Error },
}

/// How a writable folder was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Writable {
    /// It exists and a file could be created in it.
    Exists,
    /// It does not exist yet; the run creates it under this folder, where a file could be created.
    WillBeCreated { under: PathBuf },
}

/// Proves that `dir` is, or can be made, a writable folder, without creating it.
pub fn writable_folder(dir: &Path) -> Result<Writable, FolderError> {
    let mut probe = dir;
    loop {
        match probe.metadata() {
            Ok(m) if m.is_dir() => break,
            Ok(_) => return Err(FolderError::NotAFolder { path: dir.to_path_buf(), blocker: probe.to_path_buf() }),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => {}
            Err(source) => return Err(FolderError::Unreadable { path: probe.to_path_buf(), source }),
        }
        probe = match probe.parent() {
            Some(p) if p.as_os_str().is_empty() => Path::new("."),
            Some(p) => p,
            None => break,
        };
    }
    tempfile::Builder::new()
        .prefix(".kuzet-check-")
        .tempfile_in(probe)
        .map_err(|source| FolderError::NotWritable { path: dir.to_path_buf(), probed: probe.to_path_buf(), source })?;
    Ok(if probe == dir { Writable::Exists } else { Writable::WillBeCreated { under: probe.to_path_buf() } })
}

/// Proves that the store file can be written: its folder as [`writable_folder`], and the file
/// itself opened for writing when it exists (nothing is written to it).
pub fn writable_store(store: &Path) -> Result<Writable, FolderError> {
    let folder = store.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let found = writable_folder(folder)?;
    if store.exists() {
        std::fs::OpenOptions::new()
            .append(true)
            .open(store)
            .map_err(|source| FolderError::NotWritable { path: store.to_path_buf(), probed: store.to_path_buf(), source })?;
    }
    Ok(found)
}

/// Host names that reach nobody: reserved for documentation and tests (RFC 2606, RFC 6761).
fn placeholder_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let under = |suffix: &str| host == suffix || host.ends_with(&format!(".{suffix}"));
    ["invalid", "example", "test", "localhost", "example.com", "example.net", "example.org"].iter().any(|s| under(s))
}

/// The contact hosts a User-Agent names: hosts of URLs, domains of e-mail addresses, and bare
/// domain names (`kuzet/0.1.0 (+https://kuzet.invalid/contact)` → `kuzet.invalid`).
pub fn contact_hosts(user_agent: &str) -> Vec<String> {
    let mut hosts = Vec::new();
    for token in user_agent.split(|c: char| c.is_whitespace() || "();,<>+".contains(c)).filter(|t| !t.is_empty()) {
        let token = token.strip_prefix("mailto:").unwrap_or(token);
        let host = if token.contains("://") {
            Url::parse(token).ok().and_then(|u| u.host_str().map(str::to_string))
        } else if let Some((_, domain)) = token.rsplit_once('@') {
            Some(domain.to_string())
        } else if !token.contains('/') && token.contains('.') && token.rsplit('.').next().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_alphabetic()) && !tld.is_empty()) {
            Some(token.to_string())
        } else {
            None
        };
        hosts.extend(host.map(|h| h.trim_end_matches('.').to_ascii_lowercase()).filter(|h| h.contains('.') || h == "localhost"));
    }
    hosts
}

/// Whether a seed's host is on the public Internet, judged without resolving it: an address
/// by the guard's ranges; a name unless it is single-label (an intranet name), reserved, or
/// under an intranet suffix (`.local`, `.internal`, `.lan`, `.home.arpa`, `.corp`).
pub fn public_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => crate::guard::refusal(ip.into()).is_none(),
        Some(url::Host::Ipv6(ip)) => crate::guard::refusal(ip.into()).is_none(),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            let intranet = ["local", "internal", "lan", "home.arpa", "corp", "intranet"].iter().any(|s| name.ends_with(&format!(".{s}")));
            name.contains('.') && !intranet && !placeholder_host(&name)
        }
        None => false,
    }
}

/// A warning when the seeds include public hosts and the User-Agent gives no contact that
/// reaches anyone (none at all, or only reserved names such as the default `kuzet.invalid`).
pub fn contact_warning(user_agent: &str, seeds: &[Url]) -> Option<String> {
    let public: Vec<&str> = seeds.iter().filter(|s| public_host(s)).filter_map(Url::host_str).collect();
    let contacts = contact_hosts(user_agent);
    if public.is_empty() || contacts.iter().any(|h| !placeholder_host(h)) {
        return None;
    }
    let mut shown: Vec<&str> = public.clone();
    shown.dedup();
    let more = if shown.len() > 3 { format!(" and {} more", shown.len() - 3) } else { String::new() };
    shown.truncate(3);
    let named = if contacts.is_empty() { "names no contact".to_string() } else { format!("names no real contact (only {})", contacts.join(", ")) };
    Some(format!(
        "the User-Agent {user_agent:?} {named} while the seeds include public hosts ({}{more}): set [crawl] user_agent to say who runs the crawl and how to reach them, e.g. \"kuzet/{} (+https://your-organisation/contact)\"",
        shown.join(", "),
        env!("CARGO_PKG_VERSION")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_contacts_against_public_seeds() {
        let default_ua = crate::crawl::CrawlConfig::default().user_agent;
        // (user agent, seeds, warned)
        let table: &[(&str, &[&str], bool)] = &[
            (&default_ua, &["https://news.example.kz/"], true),
            (&default_ua, &["http://127.0.0.1:8737/"], false),
            (&default_ua, &["http://mirror.internal/", "http://10.0.0.5/", "http://intranet/"], false),
            (&default_ua, &["http://127.0.0.1:8737/", "https://93.184.215.14/"], true),
            ("kuzet/0.1.0 (+https://trust.acme.kz/contact)", &["https://news.example.kz/"], false),
            ("kuzet/0.1.0 (moderation@acme.kz)", &["https://news.example.kz/"], false),
            ("kuzet/0.1.0 (mailto:ops@example.org)", &["https://news.example.kz/"], true),
            ("kuzet/0.1.0", &["https://news.example.kz/"], true),
            ("kuzet/0.1.0 (+https://crawler.example.com/)", &["https://a.kz/", "https://b.kz/", "https://c.kz/", "https://d.kz/"], true),
        ];
        for &(ua, seeds, warned) in table {
            let seeds: Vec<Url> = seeds.iter().map(|s| Url::parse(s).unwrap()).collect();
            let got = contact_warning(ua, &seeds);
            assert_eq!(got.is_some(), warned, "{ua:?} {seeds:?}: {got:?}");
            if let Some(w) = got {
                assert!(w.contains("user_agent") && w.contains(seeds.iter().find(|s| public_host(s)).unwrap().host_str().unwrap()), "{w}");
            }
        }
        assert_eq!(contact_hosts(&default_ua), ["kuzet.invalid"]);
        assert_eq!(contact_hosts("kuzet/0.1.0 (+https://Trust.Acme.kz/c; ops@acme.kz; acme.kz)"), ["trust.acme.kz", "acme.kz", "acme.kz"]);
    }

    #[test]
    fn folders_writable_or_not() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, "x").unwrap();
        let deep = dir.path().join("new/deeper");
        assert_eq!(writable_folder(dir.path()).unwrap(), Writable::Exists);
        assert_eq!(writable_folder(&deep).unwrap(), Writable::WillBeCreated { under: dir.path().to_path_buf() });
        assert!(!deep.exists() && !dir.path().join("new").exists(), "the check creates nothing");
        for bad in [file.join("out"), file.clone()] {
            let e = writable_folder(&bad).unwrap_err();
            assert!(matches!(e, FolderError::NotAFolder { .. }) && e.to_string().contains("a-file is not a folder"), "{e}");
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "the probe file is removed");
        assert_eq!(writable_store(&dir.path().join("kuzet.sqlite")).unwrap(), Writable::Exists);
        assert!(writable_store(&file.join("kuzet.sqlite")).is_err());
    }
}
