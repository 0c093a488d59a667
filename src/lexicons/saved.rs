//! The compiled lexicons kept between runs.
//!
//! Compiling a lexicon (parsing its files, normalizing some 25,000 terms, building the
//! screen's tables and the two tries) takes a tenth of a second of CPU at ~2,000 entries,
//! while the lexicons change far less often than kuzet runs. The command line keeps what it
//! compiled, the checked [`Lexicon`] and its [`Matcher`], in a cache folder
//! ([`default_dir`]) as `engine-<key>.bin`, and reads it back when the key is the same: a
//! hash over this build of kuzet and every file of the lexicon folder, path and bytes. Any
//! change to either makes another key; an old file is simply not read again, and the
//! [`KEEP`] newest are kept.
//!
//! A saved file is input like any other: it is read only if its header and the hash of its
//! body are right and the body decodes; otherwise the lexicons are compiled as if it were not
//! there (and saved again), with a warning. Failing to save is a warning too: the cache can
//! make a run faster, never fail it. The library keeps nothing unless [`set_dir`] is called:
//! tests and other callers compile afresh.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::bundled::Lexicons;
use crate::lexicon::Lexicon;
use crate::lint::CheckError;
use crate::matcher::Matcher;

/// The first bytes of a saved file, with the format's number.
const MAGIC: &[u8; 16] = b"kuzet-engine-v2\n";

/// Saved engines kept in the folder; the oldest beyond these are removed when one is saved.
pub const KEEP: usize = 8;

/// The folder this process keeps compiled lexicons in, once set.
static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();

/// Keeps compiled lexicons in `dir` for the rest of the process (`None`: never). The first
/// call wins.
pub fn set_dir(dir: Option<PathBuf>) {
    let _ = DIR.set(dir);
}

/// Where the command line keeps compiled lexicons: `$KUZET_CACHE_DIR` (empty or `off`: not
/// at all), else `$XDG_CACHE_HOME/kuzet`, else `$HOME/.cache/kuzet`.
pub fn default_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = std::env::var_os("KUZET_CACHE_DIR") {
        return (!dir.is_empty() && dir != "off").then(|| PathBuf::from(dir));
    }
    var("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("kuzet")).or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".cache").join("kuzet")))
}

/// The checked lexicons of `source` and their matcher: read back from the cache folder when
/// this build compiled the same files before, compiled (and saved) otherwise.
pub fn load(source: &Lexicons) -> Result<(Lexicon, Matcher), CheckError> {
    match DIR.get().cloned().flatten() {
        Some(dir) => load_in(source, &dir),
        None => compile(source),
    }
}

/// [`load`] with the cache folder `dir`.
pub fn load_in(source: &Lexicons, dir: &Path) -> Result<(Lexicon, Matcher), CheckError> {
    // A folder that cannot be listed or read is reported by compiling it; a build that cannot
    // tell itself from another keeps nothing.
    let Some(build) = build() else { return compile(source) };
    let Ok(key) = key(source, build) else { return compile(source) };
    let path = dir.join(format!("engine-{key}.bin"));
    match read(&path) {
        Ok(Some(engine)) => return Ok(engine),
        Ok(None) => {}
        Err(e) => tracing::warn!("{}: {e}; compiling the lexicons instead", path.display()),
    }
    let (lexicon, matcher) = compile(source)?;
    if let Err(e) = save(dir, &path, &lexicon, &matcher) {
        tracing::warn!("could not keep the compiled lexicons in {}: {e}", dir.display());
    }
    Ok((lexicon, matcher))
}

fn compile(source: &Lexicons) -> Result<(Lexicon, Matcher), CheckError> {
    let lexicon = crate::lint::load_checked(source)?;
    let matcher = Matcher::new(&lexicon);
    Ok((lexicon, matcher))
}

/// What a saved engine is kept under: 32 hex digits of a hash over this build and every
/// file of `source`.
fn key(source: &Lexicons, build: &str) -> Result<String, Box<dyn std::error::Error>> {
    let mut hasher = blake3::Hasher::new();
    hasher.update(MAGIC);
    hasher.update(build.as_bytes());
    hasher.update(match source {
        Lexicons::Bundled => b"bundled",
        Lexicons::Dir(_) => b"folder\0",
    });
    for rel in source.list()? {
        let bytes = source.read(&rel)?;
        let name = rel.to_string_lossy();
        hasher.update(&(name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    Ok(hasher.finalize().to_hex()[..32].to_string())
}

/// This build of kuzet: its version and the size and time of its executable, which differ
/// for any other build (the saved format is serde's, of this build's types); `None` when the
/// executable cannot be looked at.
fn build() -> Option<&'static str> {
    static BUILD: OnceLock<Option<String>> = OnceLock::new();
    BUILD
        .get_or_init(|| {
            let exe = std::env::current_exe().and_then(std::fs::metadata).ok()?;
            let modified = exe.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
            Some(format!("{} {} {modified}", env!("CARGO_PKG_VERSION"), exe.len()))
        })
        .as_deref()
}

/// The largest saved file read back (some 6.5 MB at ~2,000 entries): a bigger one is no engine.
const MAX_SAVED: u64 = 1 << 30;

/// The engine saved at `path`: `None` when there is none.
fn read(path: &Path) -> Result<Option<(Lexicon, Matcher)>, String> {
    match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_SAVED => return Err(format!("{} bytes, more than an engine takes", m.len())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        _ => {}
    }
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    decode(&bytes).map(Some)
}

/// A saved file's bytes: [`MAGIC`], the body's blake3 hash, the body: the lexicon and the
/// matcher's pieces ([`Matcher::to_saved`]), each in postcard's format, as postcard's byte
/// strings, so that they are read back side by side.
fn encode(lexicon: &Lexicon, matcher: &Matcher) -> Result<Vec<u8>, postcard::Error> {
    let lexicon = postcard::to_stdvec(lexicon)?;
    let parts = matcher.to_saved()?;
    let pieces: [&[u8]; 5] = [&lexicon, &parts[0], &parts[1], &parts[2], &parts[3]];
    let body = postcard::to_stdvec(&pieces)?;
    let mut bytes = Vec::with_capacity(MAGIC.len() + 32 + body.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(blake3::hash(&body).as_bytes());
    bytes.extend_from_slice(&body);
    Ok(bytes)
}

fn decode(bytes: &[u8]) -> Result<(Lexicon, Matcher), String> {
    let rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or("not a saved engine of this kuzet")?;
    let (hash, body) = rest.split_first_chunk::<32>().ok_or("cut short")?;
    if blake3::hash(body).as_bytes() != hash {
        return Err("damaged (its hash does not match)".into());
    }
    let fail = |e: postcard::Error| format!("does not decode: {e}");
    let [lexicon, strict, loose, screen, rest]: [&[u8]; 5] = postcard::from_bytes(body).map_err(fail)?;
    let (lexicon, matcher) = rayon::join(|| postcard::from_bytes::<Lexicon>(lexicon), || Matcher::from_saved([strict, loose, screen, rest]));
    Ok((lexicon.map_err(fail)?, matcher.map_err(fail)?))
}

/// Writes the engine to `path` in `dir` (whole or not at all: a file beside it, renamed),
/// then removes the oldest saved engines beyond [`KEEP`].
fn save(dir: &Path, path: &Path, lexicon: &Lexicon, matcher: &Matcher) -> Result<(), Box<dyn std::error::Error>> {
    let bytes = encode(lexicon, matcher)?;
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::Builder::new().prefix(".engine-").suffix(".tmp").tempfile_in(dir)?;
    file.write_all(&bytes)?;
    file.persist(path)?;
    prune(dir);
    Ok(())
}

/// Removes the oldest `engine-*.bin` of `dir` beyond [`KEEP`], and temporary files of saves
/// that never finished (an hour old).
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let now = std::time::SystemTime::now();
    let mut saved = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(modified) = entry.metadata().and_then(|m| m.modified()) else { continue };
        if name.starts_with("engine-") && name.ends_with(".bin") {
            saved.push((modified, entry.path()));
        } else if name.starts_with(".engine-") && name.ends_with(".tmp") && now.duration_since(modified).is_ok_and(|age| age.as_secs() > 3600) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    saved.sort_by(|a, b| b.0.cmp(&a.0));
    for (_, path) in saved.into_iter().skip(KEEP) {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Lexicons {
        Lexicons::Dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lexicons"))
    }

    /// What the engine makes of a few texts, as the queue would show it.
    fn verdicts(lexicon: Lexicon, matcher: Matcher) -> Vec<String> {
        let engine = crate::analyse::Engine::from_parts(lexicon, matcher);
        let texts = ["We will kill them all tomorrow", "k1ll them all", "killing time at the station", "Мы убьём их всех", "nothing to see here"];
        texts
            .iter()
            .map(|t| {
                let (hits, a) = engine.assess(t);
                format!("{:?} {} {:?} {hits:?}", a.priority, a.score, a.reasons)
            })
            .collect()
    }

    #[test]
    fn a_saved_engine_reads_back_as_compiled() {
        let dir = tempfile::tempdir().unwrap();
        let (lexicon, matcher) = load_in(&fixture(), dir.path()).unwrap();
        let saved: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(saved.len(), 1, "{saved:?}");
        assert!(saved[0].starts_with("engine-") && saved[0].ends_with(".bin"), "{saved:?}");
        let path = dir.path().join(&saved[0]);
        let (read_lexicon, read_matcher) = read(&path).unwrap().expect("saved");
        assert_eq!(read_lexicon.version, lexicon.version);
        assert_eq!(read_lexicon.entries.len(), lexicon.entries.len());
        let compiled = verdicts(lexicon, matcher);
        assert!(compiled.iter().any(|v| !v.starts_with("None")), "the fixture flags something: {compiled:?}");
        assert_eq!(verdicts(read_lexicon, read_matcher), compiled);
        // Loading again reads the file (the same one: nothing new is saved).
        let (again, _) = load_in(&fixture(), dir.path()).unwrap();
        assert_eq!(again.version, compiled_version());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// A lexicon folder of one English file, `a.csv`, with `rows` under its header; and its
    /// `en` folder.
    fn en_lexicon(rows: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let lexicons = tempfile::tempdir().unwrap();
        let en = lexicons.path().join("en");
        std::fs::create_dir_all(&en).unwrap();
        write_rows(&en, rows);
        (lexicons, en)
    }

    fn write_rows(en: &Path, rows: &str) {
        std::fs::write(en.join("a.csv"), format!("term,category,weight,lang,note\n{rows}")).unwrap();
    }

    fn compiled_version() -> String {
        crate::lint::load_checked(&fixture()).unwrap().version
    }

    #[test]
    fn a_damaged_or_foreign_file_is_compiled_over() {
        let dir = tempfile::tempdir().unwrap();
        load_in(&fixture(), dir.path()).unwrap();
        let path = std::fs::read_dir(dir.path()).unwrap().flatten().next().unwrap().path();
        let good = std::fs::read(&path).unwrap();
        let mut flipped = good.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        let cases: [(&str, Vec<u8>); 4] = [("empty", Vec::new()), ("foreign", b"PK\x03\x04 a workbook".to_vec()), ("cut short", good[..good.len() / 2].to_vec()), ("one bit off", flipped)];
        for (what, bytes) in cases {
            assert!(decode(&bytes).is_err(), "{what}");
            std::fs::write(&path, &bytes).unwrap();
            let (lexicon, _) = load_in(&fixture(), dir.path()).unwrap();
            assert_eq!(lexicon.version, compiled_version(), "{what}");
            // Saved again, whole.
            assert!(read(&path).unwrap().is_some(), "{what}");
        }
    }

    #[test]
    fn a_changed_lexicon_is_compiled_again() {
        let (lexicons, en) = en_lexicon("slaughter them,violent_threat,9,en,\n");
        let cache = tempfile::tempdir().unwrap();
        let source = Lexicons::Dir(lexicons.path().to_path_buf());
        let (first, _) = load_in(&source, cache.path()).unwrap();
        write_rows(&en, "slaughter them,violent_threat,9,en,\nbehead them,violent_threat,9,en,\n");
        let (second, _) = load_in(&source, cache.path()).unwrap();
        assert_ne!(first.version, second.version);
        assert_eq!(second.entries.len(), 2);
        // A word list changes no version, but the screen: another key all the same.
        std::fs::write(en.join("common-words.txt"), "them\n").unwrap();
        let (third, _) = load_in(&source, cache.path()).unwrap();
        assert_eq!(third.version, second.version);
        assert_eq!(third.common_words.len(), 1);
        assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 3);
    }

    #[test]
    fn only_the_newest_are_kept() {
        let cache = tempfile::tempdir().unwrap();
        for k in 0..KEEP + 3 {
            let path = cache.path().join(format!("engine-{k:032}.bin"));
            std::fs::write(&path, b"old").unwrap();
            let when = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000 + k as u64);
            std::fs::File::options().write(true).open(&path).unwrap().set_modified(when).unwrap();
        }
        std::fs::write(cache.path().join("notes.txt"), b"not ours").unwrap();
        prune(cache.path());
        let mut left: Vec<String> = std::fs::read_dir(cache.path()).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        left.sort();
        let mut expected: Vec<String> = (3..KEEP + 3).map(|k| format!("engine-{k:032}.bin")).collect();
        expected.push("notes.txt".into());
        assert_eq!(left, expected);
    }

    #[test]
    fn a_lexicon_with_errors_is_refused_and_not_saved() {
        let (lexicons, _) = en_lexicon("x,violent_threat,9,en,\n");
        let cache = tempfile::tempdir().unwrap();
        assert!(load_in(&Lexicons::Dir(lexicons.path().to_path_buf()), cache.path()).is_err());
        assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 0);
    }
}
