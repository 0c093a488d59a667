//! `kuzet lexicon eval`: how well the lexicons separate what should be queued from what should
//! not, on labeled JSONL (`{"id", "lang", "text", "label", "orig_label"?}` per line).
//!
//! "Positive" is a set of labels (by default `violent` and `incitement`). Reported: precision,
//! recall and F1 of "flagged" and of "flagged at priority 1" against the positives, the same
//! per language, the flagged share per original label (the part before `|`), and the entries
//! and rules behind the most false positives. Every lexicon change can be measured this way.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::BufRead;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analyse::Engine;
use crate::bundled::Lexicons;
use crate::score::ReasonKind;

/// One labeled record.
#[derive(Debug, Clone, Deserialize)]
pub struct Labeled {
    #[serde(default)]
    pub lang: String,
    pub text: String,
    pub label: String,
    #[serde(default)]
    pub orig_label: String,
    /// The identity a template case is about (HateCheck), left out of its wording group.
    #[serde(default)]
    pub target_ident: String,
}

/// One of the two halves of a labeled set, split by wording group ([`Labeled::half`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Half {
    /// Records a lexicon maintainer may read to write entries.
    Read,
    /// Records kept unread, to measure whether entries generalize.
    Unread,
}

impl Labeled {
    /// The record's wording group: its text in lower case with the target identity replaced
    /// by a placeholder, so that the cases of one template (HateCheck writes each sentence for
    /// every target) fall in the same half.
    pub fn wording(&self) -> String {
        let text = self.text.to_lowercase();
        let ident = self.target_ident.trim().to_lowercase();
        let text = if ident.is_empty() { text } else { text.replace(&ident, "<target>") };
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The half the record's wording group falls in: by a fixed hash (FNV-1a), so the split
    /// is the same on every machine and run.
    pub fn half(&self) -> Half {
        let hash = self.wording().bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
        if (hash >> 7) & 1 == 0 { Half::Read } else { Half::Unread }
    }
}

/// Confusion counts and the rates derived from them.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Counts {
    pub items: u64,
    pub positives: u64,
    pub flagged: u64,
    pub true_positives: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Counts {
    fn add(&mut self, positive: bool, flagged: bool) {
        self.items += 1;
        self.positives += u64::from(positive);
        self.flagged += u64::from(flagged);
        self.true_positives += u64::from(positive && flagged);
    }

    fn finish(mut self) -> Counts {
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        self.precision = ratio(self.true_positives, self.flagged);
        self.recall = ratio(self.true_positives, self.positives);
        self.f1 = if self.precision + self.recall == 0.0 { 0.0 } else { 2.0 * self.precision * self.recall / (self.precision + self.recall) };
        self
    }
}

/// Per original label: how much of it is flagged.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct LabelShare {
    pub items: u64,
    pub flagged: u64,
    pub priority1: u64,
    pub flagged_share: f64,
    pub priority1_share: f64,
}

/// The evaluation report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub positive_labels: Vec<String>,
    /// With `--negative`: only these labels (and the positives) count; other records are left
    /// out of every figure.
    pub negative_labels: Vec<String>,
    /// Records left out because their label is neither positive nor negative.
    pub excluded: u64,
    pub lexicon_version: String,
    pub flagged: Counts,
    pub priority1: Counts,
    pub by_lang: BTreeMap<String, Counts>,
    pub by_lang_priority1: BTreeMap<String, Counts>,
    pub by_orig_label: BTreeMap<String, LabelShare>,
    /// Entries and rules in false positives: (label, false positives), most first.
    pub false_positive_reasons: Vec<(String, u64)>,
    pub skipped_lines: u64,
}

/// Reads labeled records from JSONL files; lines that do not parse are counted and skipped.
pub fn read(paths: &[&Path]) -> std::io::Result<(Vec<Labeled>, u64)> {
    let mut records = Vec::new();
    let mut skipped = 0;
    for path in paths {
        let file = std::fs::File::open(path).map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        for line in std::io::BufReader::new(file).lines() {
            match serde_json::from_str::<Labeled>(&line?) {
                Ok(r) => records.push(r),
                Err(_) => skipped += 1,
            }
        }
    }
    Ok((records, skipped))
}

/// Classifies every record and compares with its label. With `negative` non-empty, only records
/// labeled positive or negative count (e.g. implicit_hate's incitement against its neutral posts,
/// leaving the other hate out).
pub fn evaluate(engine: &Engine, records: &[Labeled], positive: &BTreeSet<String>, negative: &BTreeSet<String>) -> Report {
    let all = records.len();
    let records: Vec<&Labeled> = records.iter().filter(|r| negative.is_empty() || positive.contains(&r.label) || negative.contains(&r.label)).collect();
    let results: Vec<(Option<u8>, Vec<String>)> = records
        .par_iter()
        .map(|r| {
            let (_, a) = engine.assess(&r.text);
            let reasons = a.reasons.iter().filter(|x| !matches!(x.kind, ReasonKind::Dampener(_))).map(|x| x.label.clone()).collect();
            (a.priority, reasons)
        })
        .collect();
    let mut report = Report {
        positive_labels: positive.iter().cloned().collect(),
        negative_labels: negative.iter().cloned().collect(),
        excluded: (all - records.len()) as u64,
        lexicon_version: engine.lexicon.version.clone(),
        ..Report::default()
    };
    let mut fp_reasons: HashMap<String, u64> = HashMap::new();
    for (r, (priority, reasons)) in records.iter().zip(&results) {
        let is_positive = positive.contains(&r.label);
        let (flagged, p1) = (priority.is_some(), *priority == Some(1));
        report.flagged.add(is_positive, flagged);
        report.priority1.add(is_positive, p1);
        report.by_lang.entry(r.lang.clone()).or_default().add(is_positive, flagged);
        report.by_lang_priority1.entry(r.lang.clone()).or_default().add(is_positive, p1);
        let functionality = r.orig_label.split('|').next().filter(|s| !s.is_empty()).unwrap_or(&r.label);
        let share = report.by_orig_label.entry(functionality.to_string()).or_default();
        share.items += 1;
        share.flagged += u64::from(flagged);
        share.priority1 += u64::from(p1);
        if flagged && !is_positive {
            for reason in reasons {
                *fp_reasons.entry(reason.clone()).or_default() += 1;
            }
        }
    }
    report.flagged = report.flagged.finish();
    report.priority1 = report.priority1.finish();
    report.by_lang.values_mut().for_each(|c| *c = c.finish());
    report.by_lang_priority1.values_mut().for_each(|c| *c = c.finish());
    for s in report.by_orig_label.values_mut() {
        s.flagged_share = s.flagged as f64 / s.items.max(1) as f64;
        s.priority1_share = s.priority1 as f64 / s.items.max(1) as f64;
    }
    let mut fps: Vec<(String, u64)> = fp_reasons.into_iter().collect();
    fps.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    fps.truncate(25);
    report.false_positive_reasons = fps;
    report
}

/// Up to `n` missed positives and `n` false positives, with what fired, for reading the half
/// of a set one may read.
pub fn render_examples(engine: &Engine, records: &[Labeled], positive: &BTreeSet<String>, negative: &BTreeSet<String>, n: usize) -> String {
    let (mut missed, mut wrong) = (Vec::new(), Vec::new());
    for r in records.iter().filter(|r| negative.is_empty() || positive.contains(&r.label) || negative.contains(&r.label)) {
        let (_, a) = engine.assess(&r.text);
        let is_positive = positive.contains(&r.label);
        let text: String = r.text.chars().take(300).collect::<String>().replace('\n', " ");
        if is_positive && !a.is_flagged() && missed.len() < n {
            let fired: Vec<String> = a.reasons.iter().map(|x| format!("{}={:.1}", x.label, x.points)).collect();
            missed.push(format!("  MISS score {:.1} [{}] {text}\n", a.score, fired.join(" ")));
        } else if !is_positive && a.is_flagged() && wrong.len() < n {
            let fired: Vec<String> = a.reasons.iter().map(|x| format!("{}={:.1}", x.label, x.points)).collect();
            wrong.push(format!("  FP p{} {:.1} ({}) [{}] {text}\n", a.priority.unwrap_or(0), a.score, r.orig_label, fired.join(" ")));
        }
    }
    format!("\nmissed positives:\n{}\nfalse positives:\n{}", missed.concat(), wrong.concat())
}

/// The report as text for a terminal.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let line = |name: &str, c: &Counts| {
        format!(
            "{name:<22} items {:>6}  positives {:>5}  flagged {:>5}  TP {:>5}  precision {:.3}  recall {:.3}  F1 {:.3}\n",
            c.items, c.positives, c.flagged, c.true_positives, c.precision, c.recall, c.f1
        )
    };
    out.push_str(&format!("positive labels: {}   lexicon {}\n", report.positive_labels.join(","), report.lexicon_version));
    if !report.negative_labels.is_empty() {
        out.push_str(&format!("negative labels: {}   ({} records with other labels left out)\n", report.negative_labels.join(","), report.excluded));
    }
    out.push_str(&line("flagged", &report.flagged));
    out.push_str(&line("priority 1", &report.priority1));
    for (lang, c) in &report.by_lang {
        out.push_str(&line(&format!("flagged [{lang}]"), c));
        out.push_str(&line(&format!("priority 1 [{lang}]"), &report.by_lang_priority1[lang]));
    }
    out.push_str("\nby original label                      items  flagged  share   P1  share\n");
    for (label, s) in &report.by_orig_label {
        out.push_str(&format!("  {label:<36} {:>6} {:>8} {:>6.3} {:>4} {:>6.3}\n", s.items, s.flagged, s.flagged_share, s.priority1, s.priority1_share));
    }
    out.push_str("\nentries and rules behind false positives (items):\n");
    for (label, n) in &report.false_positive_reasons {
        out.push_str(&format!("  {n:>5}  {label}\n"));
    }
    if report.skipped_lines > 0 {
        out.push_str(&format!("\n{} lines skipped (not a labeled record)\n", report.skipped_lines));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(text: &str, target: &str) -> Labeled {
        Labeled { lang: "en".into(), text: text.into(), label: "violent".into(), orig_label: String::new(), target_ident: target.into() }
    }

    /// (text, target identity, its wording group)
    const WORDINGS: &[(&str, &str, &str)] = &[
        ("I will kill all Women.", "women", "i will kill all <target>."),
        ("I will  kill all\ngay people.", "gay people", "i will kill all <target>."),
        ("Kill them", "", "kill them"),
    ];

    #[test]
    fn wording_groups_leave_the_target_out_and_keep_a_template_in_one_half() {
        for &(text, target, wording) in WORDINGS {
            assert_eq!(record(text, target).wording(), wording, "{text:?}");
        }
        assert_eq!(record("I will kill all women.", "women").half(), record("I will kill all trans people.", "trans people").half());
        // Both halves are used: the split is by a hash, not all to one side.
        let halves: Vec<Half> = (0..64).map(|i| record(&format!("case {i}"), "").half()).collect();
        assert!(halves.contains(&Half::Read) && halves.contains(&Half::Unread));
    }

    #[test]
    fn counts() {
        let mut c = Counts::default();
        for (p, f) in [(true, true), (true, false), (false, true), (false, false), (true, true)] {
            c.add(p, f);
        }
        let c = c.finish();
        assert_eq!((c.items, c.positives, c.flagged, c.true_positives), (5, 3, 3, 2));
        assert!((c.precision - 2.0 / 3.0).abs() < 1e-9 && (c.recall - 2.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn evaluation_on_the_fixture_lexicon() {
        let engine = Engine::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lexicons")).unwrap();
        let records: Vec<Labeled> = [
            ("en", "behead the infidels, kill them", "violent", "threat|hateful"),
            ("en", "nice weather", "neutral", "calm_nh|non-hateful"),
            ("en", "kill", "neutral", "mention_nh|non-hateful"),
            ("en", "we will meet", "violent", "threat|hateful"),
        ]
        .iter()
        .map(|&(lang, text, label, orig)| Labeled { lang: lang.into(), text: text.into(), label: label.into(), orig_label: orig.into(), target_ident: String::new() })
        .collect();
        let positive: BTreeSet<String> = ["violent".to_string()].into();
        let r = evaluate(&engine, &records, &positive, &BTreeSet::new());
        assert_eq!((r.flagged.true_positives, r.flagged.flagged, r.flagged.positives), (1, 2, 2));
        assert_eq!(r.priority1.true_positives, 1);
        assert_eq!(r.by_orig_label["mention_nh"].flagged, 1);
        assert_eq!(r.false_positive_reasons, [("kill".to_string(), 1)]);
        assert!(render(&r).contains("precision 0.500"));
        // Only `calm_nh`-style neutral records as negatives: the `mention` record is left out.
        let mut records = records;
        records[2].label = "mention".into();
        let r = evaluate(&engine, &records, &positive, &["neutral".to_string()].into());
        assert_eq!((r.flagged.true_positives, r.flagged.flagged, r.excluded), (1, 1, 1));
        assert!(render(&r).contains("precision 1.000") && render(&r).contains("1 records with other labels left out"));
    }
}

/// One failed lexicon test case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFailure {
    /// `path:line`.
    pub at: String,
    pub expected: String,
    pub got: String,
    pub text: String,
}

/// Runs every `<lang>/tests.csv` of `cases` (header `expect,text,note`). `expect` is `none`
/// (must not be queued), a category (must be queued in it; `a|b` for either, `any` for any),
/// or `category:N` (queued in it at priority N or more urgent). Returns (cases run, failures); a malformed file is an error.
pub fn run_tests(engine: &Engine, cases: &Lexicons) -> Result<(usize, Vec<CaseFailure>), String> {
    let files: Vec<PathBuf> = cases
        .list()
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|r| r.components().count() == 2 && r.file_name().is_some_and(|n| n == crate::lexicon::TESTS_FILE))
        .collect();
    let mut cases_run = 0;
    let mut failures = Vec::new();
    for rel in files {
        let file = cases.shown(&rel);
        let bytes = cases.read(&rel).map_err(|e| format!("{}: {e}", file.display()))?;
        let text = std::str::from_utf8(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
        let mut header_seen = false;
        for (i, line) in text.lines().enumerate() {
            let at = format!("{}:{}", file.display(), i + 1);
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let fields = crate::lexicon::split_csv_line(line).map_err(|e| format!("{at}: {e}"))?;
            if !header_seen {
                if fields.first().map(|f| f.trim()) != Some("expect") || fields.get(1).map(|f| f.trim()) != Some("text") {
                    return Err(format!("{at}: header must start with expect,text"));
                }
                header_seen = true;
                continue;
            }
            let (Some(expect), Some(case)) = (fields.first(), fields.get(1)) else {
                return Err(format!("{at}: needs expect and text"));
            };
            cases_run += 1;
            let (_, a) = engine.assess(case);
            let got = match (&a.category, a.priority) {
                (Some(c), Some(p)) => format!("{c}:{p}"),
                _ => "none".to_string(),
            };
            if !case_passes(expect.trim(), &a) {
                failures.push(CaseFailure { at, expected: expect.trim().to_string(), got, text: case.clone() });
            }
        }
    }
    Ok((cases_run, failures))
}

fn case_passes(expect: &str, a: &crate::score::Assessment) -> bool {
    if expect == "none" {
        return !a.is_flagged();
    }
    let (categories, max_priority) = match expect.split_once(':') {
        Some((c, p)) => (c, p.parse::<u8>().unwrap_or(0)),
        None => (expect, 3),
    };
    let category_ok = categories.split('|').any(|c| c == "any" || a.category.as_deref() == Some(c));
    a.priority.is_some_and(|p| p <= max_priority) && category_ok
}

#[cfg(test)]
mod case_tests {
    use super::*;

    #[test]
    fn lexicon_test_cases_pass_and_fail() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lexicons");
        let engine = Engine::load(&dir).unwrap();
        let (cases, failures) = run_tests(&engine, &dir.clone().into()).unwrap();
        assert_eq!(cases, 6);
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(failures[0].at.ends_with("en/tests.csv:8"), "{}", failures[0].at);
        assert_eq!((failures[0].expected.as_str(), failures[0].got.as_str()), ("violence:1", "none"));
    }
}
