//! What the binary carries so that it works from any folder: the bundled lexicons, the sample
//! site and the demo's config and seeds, compiled in by `build.rs`. [`Lexicons`] says where a
//! command reads its lexicons from (the bundled ones unless a folder is given), and lists and
//! reads their files the same way for both, so a lexicon's version is the same whether it is
//! loaded from the binary or from the files `kuzet lexicon export` wrote.
//!
//! Parsing the lexicon files is `lexicon`'s job; serving the site is `serve`'s.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::lexicon::LexiconError;

/// A file compiled into the binary: its path inside its folder (`/`-separated) and bytes.
pub type File = (&'static str, &'static [u8]);

/// Every file of `lexicons/` except the maintainers' `tools/`, sorted by path.
pub static LEXICON_FILES: &[File] = include!(concat!(env!("OUT_DIR"), "/lexicons.rs"));

/// Every file of `samples/site/`, sorted by path.
pub static SITE_FILES: &[File] = include!(concat!(env!("OUT_DIR"), "/site.rs"));

/// Every file of `adapters/` (site adapters, [`crate::adapters`]), sorted by path.
pub static ADAPTER_FILES: &[File] = include!(concat!(env!("OUT_DIR"), "/adapters.rs"));

/// `samples/nightly.toml`, the demo's run config.
pub const DEMO_CONFIG: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/nightly.toml"));

/// `samples/seeds.txt`, the demo's seeds.
pub const DEMO_SEEDS: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seeds.txt"));

/// The folder the bundled config is read as if it were in (its relative paths are relative to
/// it): `samples/` under the current folder, as when `kuzet demo` runs from a checkout.
pub const DEMO_CONFIG_BASE: &str = "samples";

/// How bundled files are named in messages: `[bundled]/en/violence.csv`.
const SHOWN_ROOT: &str = "[bundled]";

/// Where lexicons are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lexicons {
    /// The lexicons compiled into the binary.
    Bundled,
    /// A lexicon folder.
    Dir(PathBuf),
}

impl From<PathBuf> for Lexicons {
    fn from(dir: PathBuf) -> Lexicons {
        Lexicons::Dir(dir)
    }
}

impl From<&Path> for Lexicons {
    fn from(dir: &Path) -> Lexicons {
        Lexicons::Dir(dir.to_path_buf())
    }
}

impl From<&PathBuf> for Lexicons {
    fn from(dir: &PathBuf) -> Lexicons {
        Lexicons::Dir(dir.clone())
    }
}

impl From<&str> for Lexicons {
    fn from(dir: &str) -> Lexicons {
        Lexicons::Dir(dir.into())
    }
}

impl fmt::Display for Lexicons {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lexicons::Bundled => f.write_str("the bundled lexicons"),
            Lexicons::Dir(dir) => write!(f, "{}", dir.display()),
        }
    }
}

impl Lexicons {
    /// A folder if one is given, else the bundled lexicons.
    pub fn or_bundled(dir: Option<PathBuf>) -> Lexicons {
        dir.map_or(Lexicons::Bundled, Lexicons::Dir)
    }

    /// Every file (relative path), sorted; names starting with `.` are left out, and folders
    /// are not followed through symbolic links.
    pub fn list(&self) -> Result<Vec<PathBuf>, LexiconError> {
        let mut files = match self {
            Lexicons::Bundled => LEXICON_FILES.iter().map(|(rel, _)| PathBuf::from(rel)).collect(),
            Lexicons::Dir(dir) => {
                let mut files = Vec::new();
                walk(dir, dir, &mut files)?;
                files
            }
        };
        files.sort();
        Ok(files)
    }

    /// The bytes of the file at `rel` (a path [`Lexicons::list`] gave).
    pub fn read(&self, rel: &Path) -> std::io::Result<Cow<'static, [u8]>> {
        match self {
            Lexicons::Bundled => bundled(rel).map(Cow::Borrowed).ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "not a bundled lexicon file")),
            Lexicons::Dir(dir) => crate::input::read_regular(&dir.join(rel)).map(Cow::Owned),
        }
    }

    /// The file at `rel` as messages name it.
    pub fn shown(&self, rel: &Path) -> PathBuf {
        match self {
            Lexicons::Bundled => Path::new(SHOWN_ROOT).join(rel),
            Lexicons::Dir(dir) => dir.join(rel),
        }
    }
}

fn bundled(rel: &Path) -> Option<&'static [u8]> {
    let key: Vec<&str> = rel.iter().map(|c| c.to_str()).collect::<Option<_>>()?;
    let key = key.join("/");
    LEXICON_FILES.iter().find(|(k, _)| *k == key).map(|(_, b)| *b)
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LexiconError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| LexiconError::Io { path, source }
    };
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if entry.file_type().map_err(io(&path))?.is_dir() {
            walk(root, &path, out)?;
        } else {
            out.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
        }
    }
    Ok(())
}

/// A bundled lexicon file that could not be written out.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{}: already exists (give --force to overwrite); nothing written", path.display())]
    Exists { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

/// Writes the bundled lexicons under `dir` (created if needed) and returns the files written.
/// Without `force` nothing is written when any of the files already exists.
pub fn export(dir: &Path, force: bool) -> Result<Vec<PathBuf>, ExportError> {
    let targets: Vec<(PathBuf, &[u8])> = LEXICON_FILES.iter().map(|(rel, bytes)| (dir.join(rel), *bytes)).collect();
    if !force && let Some((path, _)) = targets.iter().find(|(p, _)| p.symlink_metadata().is_ok()) {
        return Err(ExportError::Exists { path: path.clone() });
    }
    for (path, bytes) in &targets {
        let io = |source| ExportError::Io { path: path.clone(), source };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(path, bytes).map_err(io)?;
    }
    Ok(targets.into_iter().map(|(p, _)| p).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicon;

    #[test]
    fn bundled_exported_and_checked_out_lexicons_are_one_version() {
        let checkout = Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicons");
        let dir = tempfile::tempdir().unwrap();
        let written = export(dir.path(), false).unwrap();
        assert_eq!(written.len(), LEXICON_FILES.len());
        let bundled = Lexicon::load_from(&Lexicons::Bundled).unwrap();
        let exported = Lexicon::load(dir.path()).unwrap();
        let checked_out = Lexicon::load(&checkout).unwrap();
        assert!(bundled.version.starts_with("lex-") && bundled.entries.len() > 100, "{} {}", bundled.version, bundled.entries.len());
        for (name, other) in [("exported", &exported), ("checked out", &checked_out)] {
            assert_eq!((&other.version, other.entries.len(), other.common_words.len(), other.function_words.len()), (&bundled.version, bundled.entries.len(), bundled.common_words.len(), bundled.function_words.len()), "{name}");
        }
    }

    #[test]
    fn export_refuses_to_overwrite_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let (rel, bytes) = LEXICON_FILES[LEXICON_FILES.len() / 2];
        let target = dir.path().join(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(&target, "edited by hand").unwrap();
        // (force, error expected, the hand-edited file's bytes after)
        let table: [(bool, bool, &[u8]); 2] = [(false, true, b"edited by hand"), (true, false, bytes)];
        for (force, fails, after) in table {
            let got = export(dir.path(), force);
            assert_eq!(got.is_err(), fails, "force {force}: {got:?}");
            if let Err(e) = got {
                assert!(e.to_string().contains(rel) && e.to_string().contains("--force"), "{e}");
                // Nothing else was written either.
                assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
            }
            assert_eq!(std::fs::read(&target).unwrap(), after, "force {force}");
        }
    }

    #[test]
    fn bundled_files_list_and_read_like_a_folder() {
        let rels = Lexicons::Bundled.list().unwrap();
        assert!(rels.iter().any(|r| r == Path::new("en/tests.csv")) && !rels.iter().any(|r| r.starts_with("tools")), "{rels:?}");
        let checkout = Lexicons::Dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicons"));
        let en = Path::new("en/violence.csv");
        assert_eq!(Lexicons::Bundled.read(en).unwrap(), checkout.read(en).unwrap());
        assert!(Lexicons::Bundled.read(Path::new("en/missing.csv")).is_err());
        assert_eq!(Lexicons::Bundled.shown(en), Path::new("[bundled]/en/violence.csv"));
        assert!(SITE_FILES.iter().any(|(k, _)| *k == "index.html") && DEMO_SEEDS.contains("http://127.0.0.1:8737/"));
    }
}
