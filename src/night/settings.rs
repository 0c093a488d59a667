//! Reading a TOML config file into its typed config, reporting every unknown key at once.
//!
//! The config types refuse unknown keys (`deny_unknown_fields`), which stops at the first; a
//! file with two typos would take two rounds to fix. [`parse`] takes each unknown key out and
//! tries again, so that every one is reported, each with its line; any other error ends the
//! reading. It does not check values: that is each config type's job. [`resolved`] shows a
//! config's paths (and any path in an error) absolute and cleaned.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue};

/// A config file's errors: every unknown key, or the first other error, each with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError(pub Vec<(Option<usize>, String)>);

impl SettingsError {
    /// One line per error: `PATH:LINE: message`.
    pub fn render(&self, path: &std::path::Path) -> String {
        let lines: Vec<String> = self.0.iter().map(|(line, m)| format!("{}{}: {m}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())).collect();
        lines.join("\n")
    }
}

/// Parses `text` as `T`, reporting every unknown key.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, SettingsError> {
    let problem = |e: &toml::de::Error| (e.span().map(|s| 1 + text[..s.start.min(text.len())].matches('\n').count()), e.message().trim().to_string());
    let mut root = DeTable::parse(text).map_err(|e| SettingsError(vec![problem(&e)]))?;
    let mut errors = Vec::new();
    // Each round takes one unknown key out; a file has fewer keys than bytes.
    for _ in 0..=text.len() {
        match T::deserialize(toml::de::Deserializer::from(root.clone())) {
            Ok(config) if errors.is_empty() => return Ok(config),
            Ok(_) => break,
            Err(e) => {
                errors.push(problem(&e));
                let removed = e.message().starts_with("unknown field") && e.span().is_some_and(|span| remove_key(root.get_mut(), &span));
                if !removed {
                    break;
                }
            }
        }
    }
    Err(SettingsError(errors))
}

/// Removes the key at `span` from `table` or the tables under it; whether it was found.
fn remove_key(table: &mut DeTable<'_>, span: &std::ops::Range<usize>) -> bool {
    let found = table.keys().find(|k| k.span() == *span).cloned();
    if let Some(key) = found {
        table.remove(&key);
        return true;
    }
    table.iter_mut().any(|(_, v)| remove_under(v.get_mut(), span))
}

fn remove_under(value: &mut DeValue<'_>, span: &std::ops::Range<usize>) -> bool {
    match value {
        DeValue::Table(t) => remove_key(t, span),
        DeValue::Array(items) => items.iter_mut().any(|item| remove_under(item.get_mut(), span)),
        _ => false,
    }
}

/// `path` made absolute (from the current folder) and cleaned, as errors show it.
pub fn resolved(path: &Path) -> PathBuf {
    clean(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// `a/b/../c` → `a/c`, lexically (for messages; symlinks are not resolved).
pub fn clean(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() { PathBuf::from(".") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Config {
        name: String,
        #[serde(default)]
        inner: Inner,
    }

    #[derive(Debug, Default, serde::Deserialize, PartialEq)]
    #[serde(deny_unknown_fields, default)]
    struct Inner {
        depth: u32,
    }

    #[test]
    fn every_unknown_key_is_reported_with_its_line() {
        let cases: &[(&str, Result<Config, &[(usize, &str)]>)] = &[
            ("name = \"a\"\n[inner]\ndepth = 3\n", Ok(Config { name: "a".into(), inner: Inner { depth: 3 } })),
            ("name = \"a\"\ncolour = 1\n", Err(&[(2, "unknown field `colour`")])),
            ("colour = 1\nname = \"a\"\n[inner]\ndepht = 3\nwidth = 2\n", Err(&[(1, "unknown field `colour`"), (4, "unknown field `depht`"), (5, "unknown field `width`")])),
            // Unknown keys, then another error: all reported.
            ("colour = 1\n[inner]\ndepth = \"deep\"\n", Err(&[(1, "unknown field `colour`"), (3, "invalid type")])),
            ("name = \n", Err(&[(1, "")])),
        ];
        for (text, want) in cases {
            match (parse::<Config>(text), want) {
                (Ok(got), Ok(want)) => assert_eq!(&got, want),
                (Err(SettingsError(got)), Err(want)) => {
                    assert_eq!(got.len(), want.len(), "{text:?}: {got:?}");
                    for ((line, message), (want_line, want_message)) in got.iter().zip(want.iter()) {
                        assert!(*line == Some(*want_line) && message.starts_with(want_message), "{text:?}: {got:?}");
                    }
                }
                (got, want) => panic!("{text:?}: got {got:?}, want {want:?}"),
            }
        }
        let e = SettingsError(vec![(Some(2), "a".into()), (None, "b".into())]);
        assert_eq!(e.render(std::path::Path::new("/etc/k.toml")), "/etc/k.toml:2: a\n/etc/k.toml: b");
    }
}
