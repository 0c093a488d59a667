//! Near-duplicate clusters, acceptance: messages each reposted 5–20 times with edits
//! (reordered lines and sentences, links and emoji added, a line dropped, case and homoglyph
//! changes, a different signature and footer on each copy) among unrelated posts that share the
//! same footers and signatures. Cluster purity and completeness must both reach 0.95. The same
//! corpus clustered without the boilerplate list is measured too, to show what the list buys.
//!
//! The texts are this test's own (`tests/fixtures/clusters/texts.txt`); the copies are made
//! here from them with a seeded generator.

use std::collections::HashMap;

use kuzet::clusters::{Clusters, DEFAULT_THRESHOLD};
use kuzet::fingerprint::{Options, fingerprint_with};

const TEXTS: &str = include_str!("fixtures/clusters/texts.txt");

/// The fixture: messages and unrelated posts (language, lines), footers and signatures by language.
#[derive(Default)]
struct Fixture {
    messages: Vec<(String, Vec<String>)>,
    unrelated: Vec<(String, Vec<String>)>,
    boilerplate: HashMap<String, Vec<String>>,
    signatures: HashMap<String, Vec<String>>,
}

fn fixture() -> Fixture {
    let mut f = Fixture::default();
    let mut block: Option<(String, String, Vec<String>)> = None;
    let close = |f: &mut Fixture, b: Option<(String, String, Vec<String>)>| {
        if let Some((kind, lang, lines)) = b {
            match kind.as_str() {
                "message" => f.messages.push((lang, lines)),
                "unrelated" => f.unrelated.push((lang, lines)),
                "boilerplate" => f.boilerplate.entry(lang).or_default().extend(lines),
                "signature" => f.signatures.entry(lang).or_default().extend(lines),
                other => panic!("unknown block kind {other:?}"),
            }
        }
    };
    for line in TEXTS.lines().filter(|l| !l.starts_with('#')) {
        if let Some(head) = line.strip_prefix("== ") {
            close(&mut f, block.take());
            let (kind, lang) = head.split_once(' ').expect("== KIND LANG");
            block = Some((kind.to_string(), lang.to_string(), Vec::new()));
        } else if !line.trim().is_empty() {
            block.as_mut().expect("a line before the first block").2.push(line.to_string());
        }
    }
    close(&mut f, block.take());
    f
}

/// xorshift64*: deterministic copies.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a, T>(&mut self, list: &'a [T]) -> &'a T {
        &list[self.below(list.len())]
    }
    fn shuffle<T>(&mut self, list: &mut [T]) {
        for i in (1..list.len()).rev() {
            list.swap(i, self.below(i + 1));
        }
    }
}

const EMOJI: &[&str] = &["🔥", "💥", "‼️", "👉", "🙏", "⚡️", "🇰🇿", "☝️", "❗", "📢"];
const LINKS: &[&str] = &["https://t.me/valley_front", "t.me/joinchat/AAAAE1x", "https://example.org/news/2026/12/05/item.html", "www.example.net/p?id=42", "@valley_voice", "https://vk.com/wall-1_2"];

/// Latin look-alikes of Cyrillic letters and back, for homoglyph edits.
fn homoglyphs(line: &str, rng: &mut Rng) -> String {
    line.chars()
        .map(|c| {
            let swapped = match c {
                'a' => 'а',
                'e' => 'е',
                'o' => 'о',
                'а' => 'a',
                'е' => 'e',
                'о' => 'o',
                'с' => 'c',
                _ => c,
            };
            if swapped != c && rng.chance(0.3) { swapped } else { c }
        })
        .collect()
}

/// The footer and signature every post carries, in a random language (footers are shared by
/// unrelated posts: that is the point).
fn dressing(f: &Fixture, lang: &str, rng: &mut Rng) -> Vec<String> {
    let langs = ["en", "ru", "kk", "ar"];
    let mut out = Vec::new();
    if rng.chance(0.8) {
        out.push(rng.pick(&f.signatures[lang]).clone());
    }
    for _ in 0..rng.below(4) {
        let l = if rng.chance(0.7) { lang } else { *rng.pick(&langs) };
        out.push(rng.pick(&f.boilerplate[l]).clone());
    }
    out
}

/// An edited copy of a message.
fn copy(f: &Fixture, lang: &str, lines: &[String], rng: &mut Rng) -> String {
    let mut body: Vec<String> = lines.to_vec();
    if body.len() >= 4 && rng.chance(0.6) {
        body.remove(rng.below(body.len()));
    }
    if rng.chance(0.6) {
        rng.shuffle(&mut body);
    }
    for line in body.iter_mut() {
        if rng.chance(0.3) {
            // sentences of the line reordered
            let mut parts: Vec<String> = line.split_inclusive(['.', '!', '?']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
            rng.shuffle(&mut parts);
            *line = parts.join(" ");
        }
        if rng.chance(0.3) {
            *line = format!("{} {}", line, rng.pick(EMOJI));
        }
        if rng.chance(0.15) {
            *line = format!("{} {}", rng.pick(LINKS), line);
        }
        if rng.chance(0.1) {
            *line = line.to_uppercase();
        }
        if rng.chance(0.15) {
            *line = homoglyphs(line, rng);
        }
    }
    if rng.chance(0.5) {
        let at = rng.below(body.len() + 1);
        body.insert(at, format!("{} {}", rng.pick(EMOJI), rng.pick(LINKS)));
    }
    body.extend(dressing(f, lang, rng));
    body.join("\n")
}

/// Items (label, text): every message's original and its copies (label = message number), and
/// the unrelated posts (a label each), all dressed with footers and signatures.
fn corpus(f: &Fixture, rng: &mut Rng) -> Vec<(usize, String)> {
    let mut items = Vec::new();
    for (label, (lang, lines)) in f.messages.iter().enumerate() {
        let mut original = lines.clone();
        original.extend(dressing(f, lang, rng));
        items.push((label, original.join("\n")));
        for _ in 0..5 + rng.below(16) {
            items.push((label, copy(f, lang, lines, rng)));
        }
    }
    for (i, (lang, lines)) in f.unrelated.iter().enumerate() {
        let mut post = lines.clone();
        post.extend(dressing(f, lang, rng));
        items.push((f.messages.len() + i, post.join("\n")));
    }
    rng.shuffle(&mut items);
    items
}

/// Purity (each found cluster's largest true group, summed, over all items) and completeness
/// (each true group's largest found cluster, summed, over all items).
fn purity_completeness(labels: &[usize], found: &[String]) -> (f64, f64) {
    let mut pairs: HashMap<(usize, &str), usize> = HashMap::new();
    for (l, c) in labels.iter().zip(found) {
        *pairs.entry((*l, c.as_str())).or_default() += 1;
    }
    let mut by_cluster: HashMap<&str, usize> = HashMap::new();
    let mut by_label: HashMap<usize, usize> = HashMap::new();
    for (&(l, c), &n) in &pairs {
        let bc = by_cluster.entry(c).or_default();
        *bc = (*bc).max(n);
        let bl = by_label.entry(l).or_default();
        *bl = (*bl).max(n);
    }
    let n = labels.len() as f64;
    (by_cluster.values().sum::<usize>() as f64 / n, by_label.values().sum::<usize>() as f64 / n)
}

struct Measured {
    purity: f64,
    completeness: f64,
    clusters: usize,
    /// Highest similarity between items of different messages (or unrelated posts).
    worst_unrelated: f32,
    /// Lowest similarity of a copy to its message's original.
    worst_copy: f32,
}

fn measure(items: &[(usize, String)], options: Options, threshold: f32) -> Measured {
    let fps: Vec<_> = items.iter().map(|(_, t)| fingerprint_with(t, options)).collect();
    let mut clusters = Clusters::new(threshold);
    let found: Vec<String> = fps.iter().enumerate().map(|(i, fp)| clusters.place(&format!("item{i}"), fp).expect("room").cluster).collect();
    let labels: Vec<usize> = items.iter().map(|(l, _)| *l).collect();
    let (purity, completeness) = purity_completeness(&labels, &found);
    let (mut worst_unrelated, mut worst_copy) = (0.0f32, 1.0f32);
    for i in 0..fps.len() {
        for j in i + 1..fps.len() {
            let s = fps[i].similarity(&fps[j]);
            if labels[i] == labels[j] {
                worst_copy = worst_copy.min(s);
            } else {
                worst_unrelated = worst_unrelated.max(s);
            }
        }
    }
    let distinct: std::collections::HashSet<&String> = found.iter().collect();
    Measured { purity, completeness, clusters: distinct.len(), worst_unrelated, worst_copy }
}

#[test]
fn edited_copies_cluster_by_message_and_shared_boilerplate_does_not_merge() {
    let f = fixture();
    assert_eq!(f.messages.len(), 16);
    assert!(f.unrelated.len() >= 20);
    for lang in ["en", "ru", "kk", "ar"] {
        assert!(f.messages.iter().filter(|(l, _)| l == lang).count() >= 4, "{lang}");
        assert!(!f.boilerplate[lang].is_empty() && !f.signatures[lang].is_empty(), "{lang}");
    }
    let mut rng = Rng(0x6b75_7a65_7431_3837);
    let mut totals = (0.0, 0.0);
    let rounds = 5;
    for round in 0..rounds {
        let items = corpus(&f, &mut rng);
        let with = measure(&items, Options::default(), DEFAULT_THRESHOLD);
        let without = measure(&items, Options { drop_boilerplate: false }, DEFAULT_THRESHOLD);
        let truth = f.messages.len() + f.unrelated.len();
        println!(
            "round {round}: {} items, {truth} true groups | boilerplate list on: purity {:.3} completeness {:.3} clusters {} worst unrelated {:.2} worst copy-pair {:.2} \
             | off: purity {:.3} completeness {:.3} clusters {} worst unrelated {:.2}",
            items.len(),
            with.purity,
            with.completeness,
            with.clusters,
            with.worst_unrelated,
            with.worst_copy,
            without.purity,
            without.completeness,
            without.clusters,
            without.worst_unrelated,
        );
        assert!(with.purity >= 0.95 && with.completeness >= 0.95, "round {round}: purity {:.3}, completeness {:.3}", with.purity, with.completeness);
        assert!(with.worst_unrelated < DEFAULT_THRESHOLD, "round {round}: unrelated items at {:.2}", with.worst_unrelated);
        totals.0 += with.purity;
        totals.1 += with.completeness;
        let sweep: Vec<String> = [0.3, 0.5, 0.6, 0.7]
            .into_iter()
            .map(|t| {
                let m = measure(&items, Options::default(), t);
                format!("{t}: {:.3}/{:.3}", m.purity, m.completeness)
            })
            .collect();
        println!("round {round}: other thresholds (purity/completeness): {}", sweep.join(", "));
    }
    println!("mean over {rounds} rounds: purity {:.3} completeness {:.3}", totals.0 / rounds as f64, totals.1 / rounds as f64);
}

#[test]
fn purity_and_completeness_are_computed_as_defined() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    // (labels, found clusters, purity, completeness)
    let cases: &[(&[usize], Vec<String>, f64, f64)] = &[
        (&[0, 0, 1, 1], s(&["a", "a", "b", "b"]), 1.0, 1.0),
        // everything merged: pure clusters lost
        (&[0, 0, 1, 1], s(&["a", "a", "a", "a"]), 0.5, 1.0),
        // everything split: completeness lost
        (&[0, 0, 1, 1], s(&["a", "b", "c", "d"]), 1.0, 0.5),
        (&[0, 0, 0, 1], s(&["a", "a", "b", "b"]), 0.75, 0.75),
    ];
    for (labels, found, p, c) in cases {
        assert_eq!(purity_completeness(labels, found), (*p, *c), "{labels:?} {found:?}");
    }
}


/// Short unrelated posts (one line each) under the same long footer: the case where boilerplate
/// would dominate. Each post is its own group, so any merge costs purity.
#[test]
fn short_posts_under_one_footer_stay_apart_only_with_the_boilerplate_list() {
    let f = fixture();
    let footer: Vec<String> = ["en", "ru", "kk", "ar"].iter().map(|l| f.boilerplate[*l][0].clone()).chain([f.boilerplate["en"][1].clone()]).collect();
    let items: Vec<(usize, String)> = f
        .unrelated
        .iter()
        .chain(&f.messages)
        .flat_map(|(_, lines)| lines.iter().take(2))
        .enumerate()
        .map(|(i, line)| (i, format!("{line}\n{}", footer.join("\n"))))
        .collect();
    let with = measure(&items, Options::default(), DEFAULT_THRESHOLD);
    let without = measure(&items, Options { drop_boilerplate: false }, DEFAULT_THRESHOLD);
    println!(
        "{} one-line posts under one 5-line footer | list on: purity {:.3}, {} clusters, worst unrelated {:.2} | off: purity {:.3}, {} clusters, worst unrelated {:.2}",
        items.len(),
        with.purity,
        with.clusters,
        with.worst_unrelated,
        without.purity,
        without.clusters,
        without.worst_unrelated
    );
    assert!(with.purity >= 0.95 && with.worst_unrelated < DEFAULT_THRESHOLD, "purity {:.3}, worst {:.2}", with.purity, with.worst_unrelated);
    assert!(without.purity < with.purity, "without the list the footer should merge posts: {:.3}", without.purity);
}
