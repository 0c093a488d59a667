//! Lexicons and rules: loading and validating the files an analyst maintains.
//!
//! A lexicon folder holds `<lang>/<name>.csv` lexicon files and `*.toml` rules files at any
//! depth (see the README for both formats); `<lang>/tests.csv` holds test cases for
//! `kuzet lexicon test`, never terms. Loading is all-or-nothing: the first malformed line
//! stops it with an error naming `file:line` and the problem, because a half-loaded lexicon
//! silently misses what analysts rely on.
//!
//! This module only parses and validates; compiling terms into an automaton is `matcher`'s job.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Deserialize;

use crate::bundled::Lexicons;

/// A lexicon or rules file that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    /// A problem at a line of a file.
    #[error("{}:{line}: {message}", path.display())]
    Line { path: PathBuf, line: usize, message: String },
    /// A file or folder that could not be read.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// A folder with no lexicon in it.
    #[error("{}: no lexicon files (<lang>/<name>.csv) found", path.display())]
    Empty { path: PathBuf },
}

/// What a matched term is: a lexicon entry, or a cue of a rule group (the matcher's hits and
/// screening's patterns name their terms so).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum TermRef {
    /// Index into [`Lexicon::entries`].
    Entry(usize),
    /// Indices into [`Lexicon::groups`] and that group's terms.
    Cue { group: usize, term: usize },
}

/// A term as written in a lexicon or a group: one or more words, a trailing `*` for a stem.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Term {
    /// The words, without the `*`.
    pub words: String,
    /// Whether the last word is a stem: it matches that word followed by any letters.
    pub stem: bool,
}

impl Term {
    /// Parses the term syntax; the error says what is wrong.
    pub fn parse(raw: &str) -> Result<Term, String> {
        let raw = raw.trim();
        let (words, stem) = match raw.strip_suffix('*') {
            Some(w) => (w.trim_end(), true),
            None => (raw, false),
        };
        if words.is_empty() {
            return Err("empty term".into());
        }
        if words.contains('*') {
            return Err(format!("`*` may only end the last word, in {raw:?}"));
        }
        if words.contains('"') {
            return Err(format!("stray quote in term {raw:?}"));
        }
        // A Latin or Russian letter stays a letter in both views: only other terms are
        // normalized here (the matcher normalizes them all once more).
        let lettered = words.chars().any(|c| c.is_ascii_alphabetic() || ('А'..='я').contains(&c));
        if !lettered && {
            let (strict, loose) = crate::normalize::both(words);
            strict.as_str().trim().is_empty() || loose.as_str().trim().is_empty()
        } {
            return Err(format!("term {raw:?} normalizes to nothing"));
        }
        Ok(Term { words: words.to_string(), stem })
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.words, if self.stem { "*" } else { "" })
    }
}

/// One lexicon entry.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub term: Term,
    pub category: String,
    /// 1–10.
    pub weight: u8,
    /// ISO 639-1 code: the `lang` column, or the lexicon's folder name.
    pub lang: String,
    pub note: String,
    /// Indices into [`Lexicon::groups`] of the groups named in the `groups` column.
    pub groups: Vec<usize>,
    /// Any other columns, as (header, value).
    pub meta: Vec<(String, String)>,
    /// `path:line` where the entry is defined, the path relative to the lexicon folder.
    pub source: String,
}

impl Entry {
    /// The entry's key in the state store and in `lexicon stats`: `lang:term:category`. It
    /// survives reordering and edits of other entries, so findings stay comparable across
    /// lexicon versions.
    pub fn key(&self) -> String {
        format!("{}:{}:{}", self.lang, self.term, self.category)
    }
}

/// A named group of terms used by rules (call-to-action verbs, reporting cues, ...).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Group {
    pub name: String,
    /// Cue terms listed in rules files; lexicon entries join through their `groups` column.
    pub terms: Vec<Cue>,
}

/// A term of a group, with the language of the rules file's folder (empty at the top level).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Cue {
    pub term: Term,
    pub lang: String,
}

/// Terms from all the named groups within `within` words of each other raise the score. The
/// options make it a frame of a clause: its parts in the listed order, within one clause, the
/// first one beginning the clause (an imperative), and no negation before or among them.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Proximity {
    pub name: String,
    /// Indices into [`Lexicon::groups`]; at least one (a rule of one group is a word class
    /// that counts by itself, with the rule's clause conditions).
    pub groups: Vec<usize>,
    pub within: u32,
    pub category: String,
    pub weight: u8,
    pub note: String,
    /// Each group's hit follows the previous one's in the text.
    pub ordered: bool,
    /// No clause boundary ([`crate::score::is_clause_boundary`]) between the parts.
    pub clause: bool,
    /// The first group's hit begins its clause: before it in the clause stand only
    /// punctuation, symbols and at most [`MAX_LEAD_WORDS`] hits of the `lead` groups.
    pub initial: bool,
    /// Groups whose words may stand before an `initial` anchor (just, please, so, go...).
    pub lead: Vec<usize>,
    /// A hit of these groups among the parts, or up to `unless_before` words before the first,
    /// in the same clause, stops the firing (negation: never, don't, не, емес).
    pub unless: Vec<usize>,
    pub unless_before: u32,
    /// ...or up to this many words after the last (a reflexive object: нужно вешать себе).
    pub unless_after: u32,
    /// An undamped firing puts the item at priority 1 (direct threats and calls to kill with
    /// a target), whatever the score, once it is flagged.
    pub priority1: bool,
    /// The frame states a call, wish or threat (modality, imperative, first person): dampeners
    /// marked `spares_calls` leave it alone.
    pub call: bool,
}

/// Words of `lead` groups allowed before an `initial` anchor.
pub const MAX_LEAD_WORDS: usize = 3;

/// A cue from any of the groups near a hit (or anywhere, without `within`) multiplies that
/// hit's weight by `factor`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Dampener {
    pub name: String,
    pub groups: Vec<usize>,
    /// Lowers hits inside quotation marks (quoted or reported speech) rather than hits near cues.
    pub quoted: bool,
    pub factor: f32,
    pub within: Option<u32>,
    pub note: String,
    /// Never lowers a firing of a rule marked `call`: legal and police words (arrested, trial,
    /// court) mark news about violent words, but a frame that calls for a harm ("arrest them
    /// and hang them") is no less a call beside them.
    pub spares_calls: bool,
    /// Lowers a firing of a rule marked `call` only when the cue stands in the clause of one of
    /// its parts: "calls to kill them are a crime" is condemned, but a threat in one sentence
    /// and "this must not be forgiven" in the next is still a threat. Entries are damped as before.
    pub calls_in_clause: bool,
    /// A cue with a hit of these groups at most [`SIMILE_WORDS`] words before it does not count:
    /// a simile ("gut you like a fish", "как собаку", "مثل الخروف") names an animal that is not
    /// what the harm is done to.
    pub unless: Vec<usize>,
}

/// How far before a dampener's cue its `unless` words are looked for.
pub const SIMILE_WORDS: u32 = 3;

/// Score thresholds and factors (the `[scoring]` table).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scoring {
    /// Minimum score to be queued at all.
    pub flag: f32,
    /// Minimum score for priority 2.
    pub priority2: f32,
    /// Minimum score for priority 1 (which also needs two distinct entries or a rule).
    pub priority1: f32,
    /// Multiplies the weight of an entry whose hits show evasion.
    pub obfuscation_boost: f32,
    /// Extra share of an entry's weight per repeated hit...
    pub repeat_bonus: f32,
    /// ...for at most this many repeats.
    pub repeat_cap: u32,
    /// Share of the other categories' scores added to the top category's.
    pub other_categories: f32,
}

impl Scoring {
    /// Every value finite and non-negative, and `flag <= priority2 <= priority1` (a flag
    /// threshold above the others would queue nothing without a word).
    pub fn check(&self) -> Result<(), String> {
        let values = [
            ("flag", self.flag),
            ("priority2", self.priority2),
            ("priority1", self.priority1),
            ("obfuscation_boost", self.obfuscation_boost),
            ("repeat_bonus", self.repeat_bonus),
            ("other_categories", self.other_categories),
        ];
        for (name, v) in values {
            if !v.is_finite() || v < 0.0 {
                return Err(format!("{name} must be a finite number >= 0, got {v}"));
            }
        }
        if !(self.flag <= self.priority2 && self.priority2 <= self.priority1) {
            return Err(format!("thresholds must satisfy flag <= priority2 <= priority1, got {} / {} / {}", self.flag, self.priority2, self.priority1));
        }
        Ok(())
    }
}

impl Default for Scoring {
    fn default() -> Scoring {
        Scoring {
            flag: 5.0,
            priority2: 10.0,
            priority1: 18.0,
            obfuscation_boost: 1.25,
            repeat_bonus: 0.25,
            repeat_cap: 4,
            other_categories: 0.5,
        }
    }
}

/// Everything loaded from a lexicon folder.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Lexicon {
    pub entries: Vec<Entry>,
    pub groups: Vec<Group>,
    pub proximity: Vec<Proximity>,
    pub dampeners: Vec<Dampener>,
    pub scoring: Scoring,
    /// `lex-` and 12 hex digits of a hash over every file's path and bytes.
    pub version: String,
    /// The words of `<lang>/common-words.txt` by their loose key, with the language and word
    /// they come from: `lexicon lint` warns of entries that match one, and the matcher's
    /// screening avoids them as the word that tells whether a phrase can be in a text.
    pub common_words: HashMap<String, (String, String)>,
    /// Loose keys of `<lang>/function-words.txt`: screening avoids these most of all.
    pub function_words: HashSet<String>,
}

/// The words of every `<lang>/<name>` among the lexicon files `rels` of `source` (separated
/// by spaces or lines, `#` lines are comments) by their loose key, with the language and word
/// they come from. A missing or unreadable file is no error: the lists are optional.
pub fn load_word_list(source: &Lexicons, rels: &[PathBuf], name: &str) -> HashMap<String, (String, String)> {
    let mut words = HashMap::new();
    for rel in rels.iter().filter(|r| r.components().count() == 2 && r.file_name().is_some_and(|n| n == name)) {
        let lang = folder_lang(rel);
        let Ok(bytes) = source.read(rel) else { continue };
        let Ok(text) = std::str::from_utf8(&bytes) else { continue };
        for w in text.lines().filter(|l| !l.trim_start().starts_with('#')).flat_map(str::split_whitespace) {
            let key = crate::normalize::loose(w).as_str().trim().to_string();
            if !key.is_empty() {
                words.entry(key).or_insert_with(|| (lang.clone(), w.to_string()));
            }
        }
    }
    words
}

impl Lexicon {
    /// Loads every `<lang>/*.csv` and every `*.toml` under `dir`.
    pub fn load(dir: &Path) -> Result<Lexicon, LexiconError> {
        Lexicon::load_from(&Lexicons::Dir(dir.to_path_buf()))
    }

    /// Loads every `<lang>/*.csv` and every `*.toml` of `source`. The version hashes each
    /// file's relative path and bytes, so it is the same from the binary or from exported files.
    pub fn load_from(source: &Lexicons) -> Result<Lexicon, LexiconError> {
        let all = source.list()?;
        let mut hasher = blake3::Hasher::new();
        let mut rules = Vec::new();
        let mut csvs = Vec::new();
        for rel in all.iter().filter(|r| is_lexicon_file(r)) {
            let path = source.shown(rel);
            let bytes = source.read(rel).map_err(|source| LexiconError::Io { path: path.clone(), source })?.into_owned();
            hasher.update(rel.to_string_lossy().as_bytes());
            hasher.update(&(bytes.len() as u64).to_le_bytes());
            hasher.update(&bytes);
            let kind = crate::filekind::sniff(&bytes);
            if kind != crate::filekind::Kind::Text {
                // A lexicon edited in a spreadsheet and saved in its own format.
                let message = format!("is {}, not CSV or TOML text: save it as CSV (UTF-8)", kind.describe());
                return Err(LexiconError::Line { path, line: 1, message });
            }
            let text = String::from_utf8(bytes).map_err(|e| {
                let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|&&b| b == b'\n').count();
                LexiconError::Line { path: path.clone(), line, message: "not valid UTF-8".into() }
            })?;
            match rel.extension().and_then(|e| e.to_str()) {
                Some("toml") => rules.push((path, text, folder_lang(rel))),
                _ => csvs.push((path, text, folder_lang(rel), rel.clone())),
            }
        }
        if csvs.is_empty() {
            return Err(LexiconError::Empty { path: source.shown(Path::new("")) });
        }
        let mut lexicon = Lexicon::default();
        // The rules files parsed on all cores (their cue terms are most of the start-up); their
        // groups added in file order, so the first error reported is the same.
        let parsed: Vec<Result<(RulesFile, Vec<Vec<Cue>>), LexiconError>> = rules.par_iter().map(|(path, text, lang)| parse_rules(path, text, lang)).collect();
        let mut parsed_rules = Vec::new();
        for ((path, text, _), parsed) in rules.iter().zip(parsed) {
            let (file, cues) = parsed?;
            parsed_rules.push(lexicon.add_groups(path, text, file, cues)?);
        }
        for ((path, text, _), file) in rules.iter().zip(&parsed_rules) {
            lexicon.add_rules(path, text, file)?;
        }
        for (path, text, lang, rel) in &csvs {
            lexicon.add_csv(path, text, lang, rel)?;
        }
        let hash = hasher.finalize().to_hex();
        lexicon.version = format!("lex-{}", &hash[..12]);
        lexicon.common_words = load_word_list(source, &all, "common-words.txt");
        lexicon.function_words = load_word_list(source, &all, "function-words.txt").into_keys().collect();
        Ok(lexicon)
    }

    /// The categories of all entries and rules, sorted.
    pub fn categories(&self) -> Vec<String> {
        let mut set: BTreeSet<String> = self.entries.iter().map(|e| e.category.clone()).collect();
        set.extend(self.proximity.iter().map(|p| p.category.clone()));
        set.into_iter().collect()
    }

    /// The index of the group named `name`.
    pub fn group(&self, name: &str) -> Option<usize> {
        self.groups.iter().position(|g| g.name == name)
    }

    fn add_groups(&mut self, path: &Path, text: &str, file: RulesFile, cues: Vec<Vec<Cue>>) -> Result<RulesFile, LexiconError> {
        for (g, terms) in file.group.iter().zip(cues) {
            match self.group(&g.name) {
                Some(i) => self.groups[i].terms.extend(terms),
                None => self.groups.push(Group { name: g.name.clone(), terms }),
            }
        }
        if let Some(s) = &file.scoring {
            s.check().map_err(|message| LexiconError::Line { path: path.to_path_buf(), line: line_starting(text, "[scoring]"), message: format!("[scoring]: {message}") })?;
            self.scoring = s.clone();
        }
        Ok(file)
    }

    fn add_rules(&mut self, path: &Path, text: &str, file: &RulesFile) -> Result<(), LexiconError> {
        for p in &file.proximity {
            let err = |message: String| LexiconError::Line { path: path.to_path_buf(), line: line_of_name(text, &p.name), message };
            let groups = self.resolve_groups(&p.groups).map_err(&err)?;
            if groups.is_empty() {
                return Err(err(format!("proximity rule {:?} needs at least one group", p.name)));
            }
            if p.within == 0 {
                return Err(err(format!("proximity rule {:?}: within must be at least 1", p.name)));
            }
            if !(1..=10).contains(&p.weight) || p.category.trim().is_empty() {
                return Err(err(format!("proximity rule {:?}: weight must be 1-10 and category set", p.name)));
            }
            self.check_unique_rule(&p.name).map_err(err)?;
            self.proximity.push(Proximity {
                name: p.name.clone(),
                groups,
                within: p.within,
                category: p.category.trim().to_lowercase(),
                weight: p.weight,
                note: p.note.clone(),
                ordered: p.ordered,
                clause: p.clause,
                initial: p.initial,
                lead: self.resolve_groups(&p.lead).map_err(&err)?,
                unless: self.resolve_groups(&p.unless).map_err(&err)?,
                unless_before: p.unless_before,
                unless_after: p.unless_after,
                priority1: p.priority1,
                call: p.call,
            });
        }
        for d in &file.dampener {
            let err = |message: String| LexiconError::Line { path: path.to_path_buf(), line: line_of_name(text, &d.name), message };
            let groups = self.resolve_groups(&d.groups).map_err(&err)?;
            if !(d.factor > 0.0 && d.factor < 1.0) {
                return Err(err(format!("dampener {:?}: factor must be between 0 and 1, got {}", d.name, d.factor)));
            }
            if d.within == Some(0) {
                return Err(err(format!("dampener {:?}: within must be at least 1", d.name)));
            }
            if d.quoted != groups.is_empty() {
                return Err(err(format!("dampener {:?}: give either groups (cue terms) or quoted = true", d.name)));
            }
            self.check_unique_rule(&d.name).map_err(err)?;
            self.dampeners.push(Dampener {
                name: d.name.clone(),
                groups,
                quoted: d.quoted,
                factor: d.factor,
                within: d.within,
                note: d.note.clone(),
                spares_calls: d.spares_calls,
                calls_in_clause: d.calls_in_clause,
                unless: self.resolve_groups(&d.unless).map_err(&err)?,
            });
        }
        Ok(())
    }

    fn check_unique_rule(&self, name: &str) -> Result<(), String> {
        if name.trim().is_empty() {
            return Err("empty rule name".into());
        }
        let taken = self.proximity.iter().any(|p| p.name == name) || self.dampeners.iter().any(|d| d.name == name);
        if taken { Err(format!("rule {name:?} is defined twice")) } else { Ok(()) }
    }

    fn resolve_groups(&self, names: &[String]) -> Result<Vec<usize>, String> {
        names
            .iter()
            .map(|n| self.group(n.trim()).ok_or_else(|| format!("unknown group {n:?}")))
            .collect()
    }

    fn add_csv(&mut self, path: &Path, text: &str, folder_lang: &str, rel: &Path) -> Result<(), LexiconError> {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let mut header: Option<Header> = None;
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            let err = |message: String| LexiconError::Line { path: path.to_path_buf(), line: line_no, message };
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let fields = split_csv_line(line).map_err(|m| err(m.into()))?;
            let Some(h) = &header else {
                header = Some(Header::parse(&fields).map_err(err)?);
                continue;
            };
            let entry = h.entry(&fields, folder_lang, self).map_err(err)?;
            self.entries.push(Entry { source: format!("{}:{line_no}", rel.display()), ..entry });
        }
        if header.is_none() {
            return Err(LexiconError::Line { path: path.to_path_buf(), line: 1, message: "no header row (term,category,weight,...)".into() });
        }
        Ok(())
    }
}

/// Column positions of a lexicon CSV.
struct Header {
    names: Vec<String>,
    term: usize,
    category: usize,
    weight: usize,
    lang: Option<usize>,
    note: Option<usize>,
    groups: Option<usize>,
}

impl Header {
    fn parse(fields: &[String]) -> Result<Header, String> {
        let names: Vec<String> = fields.iter().map(|f| f.trim().to_lowercase()).collect();
        let find = |n: &str| names.iter().position(|x| x == n);
        for (i, n) in names.iter().enumerate() {
            if n.is_empty() {
                return Err(format!("empty column name in header (column {})", i + 1));
            }
            if names[..i].contains(n) {
                return Err(format!("column `{n}` appears twice in header"));
            }
        }
        let required = |n: &str| find(n).ok_or_else(|| format!("missing column `{n}` in header"));
        Ok(Header {
            term: required("term")?,
            category: required("category")?,
            weight: required("weight")?,
            lang: find("lang"),
            note: find("note"),
            groups: find("groups"),
            names,
        })
    }

    fn entry(&self, fields: &[String], folder_lang: &str, lexicon: &Lexicon) -> Result<Entry, String> {
        if fields.len() > self.names.len() {
            return Err(format!("{} fields, but the header has {} columns", fields.len(), self.names.len()));
        }
        let get = |i: usize| fields.get(i).map(|f| f.trim()).unwrap_or("");
        for (i, name) in [(self.term, "term"), (self.category, "category"), (self.weight, "weight")] {
            if i >= fields.len() {
                return Err(format!("missing column `{name}`"));
            }
        }
        let term = Term::parse(get(self.term))?;
        let category = get(self.category).to_lowercase();
        if category.is_empty() {
            return Err("empty category".into());
        }
        let weight = match get(self.weight).parse::<u8>() {
            Ok(w @ 1..=10) => w,
            _ => return Err(format!("weight must be 1-10, got {:?}", get(self.weight))),
        };
        let lang = match self.lang.map(get).filter(|l| !l.is_empty()) {
            Some(l) if l.len() == 2 && l.bytes().all(|b| b.is_ascii_lowercase()) => l.to_string(),
            Some(l) => return Err(format!("lang must be a two-letter ISO 639-1 code, got {l:?}")),
            None => folder_lang.to_string(),
        };
        let mut groups = Vec::new();
        for name in self.groups.map(get).unwrap_or("").split(';').map(str::trim).filter(|n| !n.is_empty()) {
            groups.push(lexicon.group(name).ok_or_else(|| format!("unknown group {name:?} (define it in a rules file)"))?);
        }
        let known = [Some(self.term), Some(self.category), Some(self.weight), self.lang, self.note, self.groups];
        let meta = (0..fields.len())
            .filter(|i| !known.contains(&Some(*i)))
            .map(|i| (self.names[i].clone(), get(i).to_string()))
            .collect();
        Ok(Entry { term, category, weight, lang, note: self.note.map(get).unwrap_or("").to_string(), groups, meta, source: String::new() })
    }
}

/// Splits one CSV line (RFC 4180 quoting, no line breaks inside fields).
pub fn split_csv_line(line: &str) -> Result<Vec<String>, &'static str> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err("unterminated quote"),
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => field.push(c),
                }
            }
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => {}
                Some(_) => return Err("stray quote: text after a closing quote"),
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        fields.push(field);
                        return Ok(fields);
                    }
                    Some(',') => break,
                    Some('"') => return Err("stray quote inside an unquoted field"),
                    Some(c) => field.push(c),
                }
            }
        }
        fields.push(field);
    }
}

/// The test cases of a lexicon folder (`<lang>/tests.csv`), never loaded as a lexicon.
pub const TESTS_FILE: &str = "tests.csv";

/// Whether the file at `rel` is loaded as lexicon: a `*.toml` rules file at any depth, or a
/// `<lang>/<name>.csv` other than the test cases.
fn is_lexicon_file(rel: &Path) -> bool {
    rel.extension().is_some_and(|e| e == "toml")
        || (rel.extension().is_some_and(|e| e == "csv") && rel.components().count() == 2 && rel.file_name().is_some_and(|n| n != TESTS_FILE))
}

/// The language folder of a file at `rel` inside the lexicon folder: `ru/x.csv` → `ru`.
fn folder_lang(rel: &Path) -> String {
    match rel.parent().and_then(|p| p.file_name()) {
        Some(n) if rel.components().count() == 2 => n.to_string_lossy().into_owned(),
        _ => String::new(),
    }
}

fn line_of(text: &str, byte: usize) -> usize {
    1 + text.as_bytes()[..byte.min(text.len())].iter().filter(|&&b| b == b'\n').count()
}

/// The line of `name = "<name>"` in a rules file, for errors about a table serde accepted.
/// The line of the first line of `text` starting with `start` (1 if none).
fn line_starting(text: &str, start: &str) -> usize {
    text.lines().position(|l| l.trim_start().starts_with(start)).map_or(1, |i| i + 1)
}

fn line_of_name(text: &str, name: &str) -> usize {
    let quoted = format!("\"{name}\"");
    text.lines()
        .position(|l| l.trim_start().starts_with("name") && l.contains(&quoted))
        .map_or(1, |i| i + 1)
}

/// A rules file read: its TOML, and each group's cue terms parsed (`lang`: the file's folder).
fn parse_rules(path: &Path, text: &str, lang: &str) -> Result<(RulesFile, Vec<Vec<Cue>>), LexiconError> {
    let file: RulesFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        LexiconError::Line { path: path.to_path_buf(), line, message: e.message().trim().to_string() }
    })?;
    let mut cues = Vec::with_capacity(file.group.len());
    for g in &file.group {
        // The line is looked for only for an error (a scan of the file for each group).
        let err = |message: String| LexiconError::Line { path: path.to_path_buf(), line: line_of_name(text, &g.name), message };
        if g.name.trim().is_empty() {
            return Err(err("empty group name".into()));
        }
        let mut terms = Vec::with_capacity(g.terms.len());
        for raw in &g.terms {
            let term = Term::parse(raw).map_err(|m| err(format!("group {:?}: {m}", g.name)))?;
            terms.push(Cue { term, lang: lang.to_string() });
        }
        cues.push(terms);
    }
    Ok((file, cues))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    scoring: Option<Scoring>,
    #[serde(default)]
    group: Vec<GroupToml>,
    #[serde(default)]
    proximity: Vec<ProximityToml>,
    #[serde(default)]
    dampener: Vec<DampenerToml>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupToml {
    name: String,
    #[serde(default)]
    terms: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProximityToml {
    name: String,
    groups: Vec<String>,
    within: u32,
    category: String,
    weight: u8,
    #[serde(default)]
    note: String,
    #[serde(default)]
    ordered: bool,
    #[serde(default)]
    clause: bool,
    #[serde(default)]
    initial: bool,
    #[serde(default)]
    lead: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
    #[serde(default = "default_unless_before")]
    unless_before: u32,
    #[serde(default)]
    unless_after: u32,
    #[serde(default)]
    priority1: bool,
    #[serde(default)]
    call: bool,
}

fn default_unless_before() -> u32 {
    3
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DampenerToml {
    name: String,
    #[serde(default)]
    groups: Vec<String>,
    /// Applies to hits inside quotation marks (instead of near cue terms).
    #[serde(default)]
    quoted: bool,
    factor: f32,
    within: Option<u32>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    spares_calls: bool,
    #[serde(default)]
    calls_in_clause: bool,
    #[serde(default)]
    unless: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_lines() {
        let ok: &[(&str, &[&str])] = &[
            ("a,b,c", &["a", "b", "c"]),
            ("a,,", &["a", "", ""]),
            ("\"a,b\",c", &["a,b", "c"]),
            ("\"say \"\"kill\"\"\",x", &["say \"kill\"", "x"]),
            ("a,b\r", &["a", "b"]),
        ];
        for &(line, want) in ok {
            assert_eq!(split_csv_line(line).unwrap(), want, "{line:?}");
        }
        for bad in ["kill\"s,x", "\"kill,x", "\"kill\"x,y"] {
            assert!(split_csv_line(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_latin_or_russian_letter_never_normalizes_to_nothing() {
        // What lets `Term::parse` skip normalizing such terms.
        for c in ('a'..='z').chain('A'..='Z').chain('А'..='я') {
            for text in [c.to_string(), format!("{c}{c}{c}"), format!("- {c} *"), format!("\u{200B}{c}\u{301}")] {
                let (s, l) = crate::normalize::both(&text);
                assert!(!s.as_str().trim().is_empty() && !l.as_str().trim().is_empty(), "{text:?}");
            }
        }
    }

    #[test]
    fn terms() {
        let ok: &[(&str, &str, bool)] = &[("kill", "kill", false), ("убива*", "убива", true), (" kill them ", "kill them", false), ("blow up *", "blow up", true)];
        for &(raw, words, stem) in ok {
            assert_eq!(Term::parse(raw).unwrap(), Term { words: words.into(), stem }, "{raw:?}");
        }
        for bad in ["", "*", "k*ll", "--", "\u{200B}", "kill\"s"] {
            assert!(Term::parse(bad).is_err(), "{bad:?}");
        }
    }
}
