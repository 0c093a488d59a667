use std::path::Path;

use super::*;
use crate::matcher::Matcher;

fn fixture() -> (Lexicon, Matcher) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lexicons");
    let lexicon = Lexicon::load(&dir).expect("fixture lexicon loads");
    let matcher = Matcher::new(&lexicon);
    (lexicon, matcher)
}

/// (text, category, priority, score rounded, reasons as "label×count")
const CASES: &[(&str, Option<&str>, Option<u8>, i32, &str)] = &[
    ("nice weather today", None, None, 0, ""),
    // one whole-word hit; the stem `kill*` on the same word counts once (the heavier entry)
    ("kill", Some("violence"), Some(3), 6, "kill×1"),
    ("kill kill kill", Some("violence"), Some(3), 9, "kill×3"),
    // an idiom damps the stem to nothing
    ("I am killing time", Some("violence"), None, 0, "idiom×1 kill*×1"),
    // a rule alone
    ("shoot the infidels now", Some("incitement"), Some(3), 8, "call_to_kill_target×1"),
    // two entries and two rule firings: violence 14 on top, incitement 10 at half
    ("behead the infidels, kill them", Some("violence"), Some(1), 19, "behead*×1 call_to_kill_target×2 kill×1"),
    ("Убивайте неверных!", Some("incitement"), Some(2), 15, "call_to_kill_target×1 убива*×1"),
    // the same words reported from a court: damped
    ("Суд вынес приговор за призывы убивать неверных.", Some("incitement"), Some(3), 6, "call_to_kill_target×1 reporting×2 убива*×1"),
    // evasion raises the weight
    ("k1ll", Some("violence"), Some(3), 8, "kill×1"),
];

#[test]
fn table() {
    let (lexicon, matcher) = fixture();
    for &(text, category, priority, score, reasons) in CASES {
        let a = assess(&matcher.find(text), &lexicon);
        let got: Vec<String> = a.reasons.iter().map(|r| format!("{}×{}", r.label, r.count)).collect();
        let mut got_sorted = got.clone();
        got_sorted.sort();
        assert_eq!(a.category.as_deref(), category, "{text:?}: {got:?}");
        assert_eq!(a.priority, priority, "{text:?}: {got:?}");
        assert_eq!(a.score.round() as i32, score, "{text:?}: {} {got:?}", a.score);
        assert_eq!(got_sorted.join(" "), reasons, "{text:?}");
    }
}

#[test]
fn evasion_is_explained_and_focus_points_at_the_strongest_hit() {
    let (lexicon, matcher) = fixture();
    let text = "calm words, then b e h e a d them";
    let a = assess(&matcher.find(text), &lexicon);
    assert!(a.is_obfuscated());
    let top = &a.reasons[0];
    assert_eq!(top.label, "behead*");
    assert_eq!(top.evasion.names(), ["spelled out"]);
    assert_eq!(&text[a.focus.clone().unwrap()], "b e h e a d");
}
