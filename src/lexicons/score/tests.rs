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
type Case = (&'static str, Option<&'static str>, Option<u8>, i32, &'static str);
const CASES: &[Case] = &[
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
    // the same words reported from a court: damped (the entry's hit and both words of the
    // rule's firing, which is damped as much as its most damped part)
    ("Суд вынес приговор за призывы убивать неверных.", Some("incitement"), Some(3), 6, "call_to_kill_target×1 reporting×3 убива*×1"),
    // evasion raises the weight
    ("k1ll", Some("violence"), Some(3), 8, "kill×1"),
];

#[test]
fn table() {
    let (lexicon, matcher) = fixture();
    for &(text, category, priority, score, reasons) in CASES {
        let a = assess(text, &matcher.find(text), &lexicon);
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
    let a = assess(text, &matcher.find(text), &lexicon);
    assert!(a.is_obfuscated());
    let top = &a.reasons[0];
    assert_eq!(top.label, "behead*");
    assert_eq!(top.evasion.names(), ["spelled out"]);
    assert_eq!(&text[a.focus.clone().unwrap()], "b e h e a d");
}

/// [`fire`] as first written, a scan of all hits for each anchor: the reference.
fn fire_by_scan<'a>(rule: &crate::lexicon::Proximity, hits: &'a [Hit], lexicon: &Lexicon) -> Vec<(&'a Hit, &'a Hit)> {
    let mut firings = Vec::new();
    let Some((&first, rest)) = rule.groups.split_first() else { return firings };
    let near = |a: &Hit, b: &Hit| {
        a.paragraph == b.paragraph && a.word.abs_diff(b.word) <= rule.within && (b.span.end <= a.span.start || a.span.end <= b.span.start)
    };
    let mut last_anchor: Option<Range<usize>> = None;
    for a in hits.iter().filter(|h| in_groups(h, &[first], lexicon)) {
        if last_anchor.as_ref().is_some_and(|s| s.start < a.span.end && a.span.start < s.end) {
            continue;
        }
        let mut partner = None;
        let all = rest.iter().all(|&g| {
            let found = hits.iter().find(|b| in_groups(b, &[g], lexicon) && near(a, b));
            if partner.is_none() {
                partner = found;
            }
            found.is_some()
        });
        if let (true, Some(b)) = (all, partner) {
            firings.push((a, b));
            last_anchor = Some(a.span.clone());
        }
    }
    firings
}

/// Hits of the fixture's groups (cues) and entries at random places, in text order.
fn random_hits(lexicon: &Lexicon) -> impl proptest::strategy::Strategy<Value = Vec<Hit>> + use<> {
    use proptest::prelude::*;
    let (groups, entries) = (lexicon.groups.len(), lexicon.entries.len());
    proptest::collection::vec((0..groups + entries, 0u32..3, 0u32..40, 1usize..3), 0..120).prop_map(move |raw| {
        let mut hits: Vec<Hit> = raw
            .into_iter()
            .map(|(t, paragraph, word, len)| Hit {
                term: if t < groups { TermRef::Cue { group: t, term: 0 } } else { TermRef::Entry(t - groups) },
                span: (paragraph * 1000 + word * 10) as usize..(paragraph * 1000 + word * 10) as usize + len * 10 - 2,
                loose_only: false,
                evasion: Default::default(),
                translit: false,
                word,
                paragraph,
                quoted: word % 7 == 0,
            })
            .collect();
        hits.sort_by_key(|h| (h.span.start, h.span.end));
        hits
    })
}

proptest::proptest! {
    /// Rules fire on the same anchors with the same partners, and dampeners are cued for the
    /// same hits, as when every hit was scanned.
    #[test]
    fn indexed_rules_and_dampeners_match_the_scans(hits in random_hits(&fixture().0)) {
        let (lexicon, _) = fixture();
        for rule in &lexicon.proximity {
            let by_group = ByGroup::new(&hits, &lexicon);
            let got: Vec<_> = fire("", rule, &hits, &by_group, &lexicon).iter().map(|parts| (parts[0].span.clone(), parts[1].span.clone())).collect();
            let want: Vec<_> = fire_by_scan(rule, &hits, &lexicon).iter().map(|(a, b)| (a.span.clone(), b.span.clone())).collect();
            proptest::prop_assert_eq!(got, want, "{}", rule.name);
        }
        for dampener in lexicon.dampeners.iter().filter(|d| !d.quoted) {
            let cues = ByGroup::new(&hits, &lexicon).near(&dampener.groups);
            for h in &hits {
                let got = dampener.within.map_or(!cues.at.is_empty(), |w| !cues.around(h, w).is_empty());
                let want = hits.iter().any(|c| in_groups(c, &dampener.groups, &lexicon) && dampener.within.is_none_or(|w| c.paragraph == h.paragraph && c.word.abs_diff(h.word) <= w));
                proptest::prop_assert_eq!(got, want, "{}", dampener.name);
            }
        }
    }
}

/// A lexicon of one frame of each kind, written to a temporary folder.
fn frames() -> (Lexicon, Matcher) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("en")).unwrap();
    std::fs::write(dir.path().join("en/entries.csv"), "term,category,weight\nzzqx,violence,1\n").unwrap();
    let rules = r#"
[[group]]
name = "who"
terms = ["i will", "we should", "i will not hesitate to"]
[[group]]
name = "harm"
terms = ["kill", "hang"]
[[group]]
name = "target"
terms = ["him", "them"]
[[group]]
name = "lead"
terms = ["just", "please"]
[[group]]
name = "neg"
terms = ["never", "not"]
[[group]]
name = "legal"
terms = ["arrested"]
[[dampener]]
name = "legal"
groups = ["legal"]
factor = 0.4
within = 10
spares_calls = true
[[group]]
name = "condemned"
terms = ["is a crime", "shameful"]
[[dampener]]
name = "condemnation"
groups = ["condemned"]
factor = 0.35
within = 15
calls_in_clause = true
[[group]]
name = "animal"
terms = ["sheep"]
[[group]]
name = "simile"
terms = ["like a", "like"]
[[dampener]]
name = "animal"
groups = ["animal"]
factor = 0.2
within = 4
unless = ["simile"]
[[proximity]]
name = "threat"
call = true
groups = ["who", "harm", "target"]
within = 6
ordered = true
clause = true
unless = ["neg"]
category = "violence"
weight = 9
priority1 = true
[[group]]
name = "weapon"
terms = ["bullet"]
[[group]]
name = "idiom"
terms = ["bite the bullet"]
[[dampener]]
name = "idiom"
groups = ["idiom"]
factor = 0.1
within = 1
[[proximity]]
name = "weapon_threat"
groups = ["who", "weapon"]
within = 6
ordered = true
category = "violence"
weight = 6
[[proximity]]
name = "imperative"
groups = ["harm", "target"]
within = 3
ordered = true
clause = true
initial = true
lead = ["lead"]
category = "incitement"
weight = 8
"#;
    std::fs::write(dir.path().join("en/frames.toml"), rules).unwrap();
    let lexicon = Lexicon::load(dir.path()).expect("frames lexicon loads");
    let matcher = Matcher::new(&lexicon);
    (lexicon, matcher)
}

/// (text, the rules that fire, priority)
type FrameCase = (&'static str, &'static str, Option<u8>);
const FRAMES: &[FrameCase] = &[
    // ordered parts in one clause; `priority1` puts a lone firing at priority 1
    ("I will kill him tomorrow", "threat", Some(1)),
    ("We should hang them all", "threat", Some(1)),
    // the parts out of order: the target before the verb
    ("him I will kill", "", None),
    // a clause boundary between the parts
    ("I will kill. Him? no", "", None),
    // negation among the parts or just before them
    ("I will never kill him", "", None),
    ("not that I will kill him", "", None),
    // a negation word inside a part of the frame is that part's own
    ("I will not hesitate to kill him", "threat", Some(1)),
    // a negation in another clause does not count
    ("Not me. I will kill him", "threat", Some(1)),
    // an imperative begins its clause, lead words allowed before it
    ("Hang them", "imperative", Some(3)),
    ("ok. just please hang them", "imperative", Some(3)),
    ("they hang them", "", None),
    // a legal word spares a frame marked `call`, and damps one that is not
    ("they were arrested, I will kill him", "threat", Some(1)),
    ("Hang them, they were arrested", "imperative", None),
    // a `calls_in_clause` cue damps a call only in the clause of one of its parts
    ("saying I will kill him is a crime", "threat", None),
    ("I will kill him. shameful", "threat", Some(1)),
    // a word spelled out with dots between the parts is no clause boundary; a full stop is
    ("I will s.o.o.n kill him", "threat", Some(1)),
    ("I will go. Kill him", "imperative", Some(3)),
    // an animal near the harm damps it, unless a simile names it (`unless`)
    ("Hang them with the sheep", "imperative", None),
    ("Hang them like a sheep", "imperative", Some(3)),
    ("Hang them like sheep", "imperative", Some(3)),
    // a part inside a cue of several words is near it, however far the cue's first word is:
    // the idiom damps the firing through its `bullet`
    ("I will put a bullet in him", "weapon_threat", Some(3)),
    ("I will have to bite the bullet", "weapon_threat", None),
];

#[test]
fn frames_keep_order_clause_negation_and_initial_position() {
    let (lexicon, matcher) = frames();
    for &(text, rules, priority) in FRAMES {
        let a = assess(text, &matcher.find(text), &lexicon);
        let fired: Vec<&str> = a.reasons.iter().filter(|r| matches!(r.kind, ReasonKind::Proximity(_))).map(|r| r.label.as_str()).collect();
        assert_eq!(fired.join(" "), rules, "{text:?}");
        assert_eq!(a.priority, priority, "{text:?}: {:?}", a.reasons);
    }
}
