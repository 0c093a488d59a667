//! Flood guard: one entry or rule firing on an unusual share of tonight's items (a news event)
//! is named, and the items it fired on are grouped, so one story does not bury the night's
//! other calls.
//!
//! A key floods when it fired on at least `min_items` items, on at least `min_share` of
//! tonight's items, and (when its usual share over past nights is known) on at least `factor`
//! times that share. Each item goes to the group of the first flooding key it holds (groups
//! are ordered by share, largest first), so an item is in one group at most.
//!
//! This module only decides; the run summary and morning report show its result.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// When a key floods.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct FloodConfig {
    pub min_items: usize,
    pub min_share: f64,
    pub factor: f64,
}

impl Default for FloodConfig {
    fn default() -> FloodConfig {
        FloodConfig { min_items: 20, min_share: 0.2, factor: 3.0 }
    }
}

/// One item of tonight's run: its id and the keys (entries, `rule:NAME`) that fired on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item<'a> {
    pub id: &'a str,
    pub keys: &'a [String],
}

/// A flooding key and the items grouped under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Flood {
    pub key: String,
    /// Items it fired on tonight.
    pub fired: usize,
    /// Its share of tonight's items.
    pub share: f64,
    /// Its usual share, when known.
    pub usual: Option<f64>,
    /// The items grouped under it (ids, in tonight's order).
    pub items: Vec<String>,
}

/// The floods among `items`; `usual` is each key's share of items over past nights.
pub fn floods(items: &[Item<'_>], usual: &HashMap<String, f64>, config: &FloodConfig) -> Vec<Flood> {
    if items.is_empty() {
        return Vec::new();
    }
    let mut fired: HashMap<&str, usize> = HashMap::new();
    for item in items {
        let mut keys: Vec<&str> = item.keys.iter().map(String::as_str).collect();
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            *fired.entry(k).or_default() += 1;
        }
    }
    let total = items.len() as f64;
    let mut out: Vec<Flood> = fired
        .into_iter()
        .filter_map(|(key, n)| {
            let share = n as f64 / total;
            let usual = usual.get(key).copied().filter(|u| u.is_finite() && *u >= 0.0);
            let unusual = usual.is_none_or(|u| share >= config.factor * u);
            (n >= config.min_items && share >= config.min_share && unusual).then(|| Flood { key: key.to_string(), fired: n, share, usual, items: Vec::new() })
        })
        .collect();
    out.sort_by(|a, b| b.share.total_cmp(&a.share).then_with(|| a.key.cmp(&b.key)));
    for item in items {
        if let Some(f) = out.iter_mut().find(|f| item.keys.contains(&f.key)) {
            f.items.push(item.id.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` items `prefix0..` holding `keys`.
    fn items(prefix: &str, n: usize, keys: &[&str]) -> Vec<(String, Vec<String>)> {
        (0..n).map(|i| (format!("{prefix}{i}"), keys.iter().map(|k| k.to_string()).collect())).collect()
    }

    #[test]
    fn unusual_shares_flood_and_their_items_are_grouped() {
        let config = FloodConfig { min_items: 5, min_share: 0.2, factor: 3.0 };
        let usual_storm: HashMap<String, f64> = [("storm".to_string(), 0.02)].into();
        let usual_high: HashMap<String, f64> = [("storm".to_string(), 0.3), ("a".to_string(), 0.7)].into();
        let none = HashMap::new();
        // (night, usual shares, want: (key, fired, grouped items))
        type Case<'a> = (Vec<(String, Vec<String>)>, &'a HashMap<String, f64>, Vec<(&'a str, usize, usize)>);
        let cases: Vec<Case<'_>> = vec![
            // a news story: 40 of 100 items
            ([items("s", 40, &["storm"]), items("o", 60, &["kill"])].concat(), &usual_storm, vec![("kill", 60, 60), ("storm", 40, 40)]),
            // usual for these keys: not a flood
            ([items("s", 40, &["storm"]), items("o", 160, &["a"]), items("p", 10, &["b"])].concat(), &usual_high, vec![]),
            // too few items
            (items("s", 4, &["storm"]), &none, vec![]),
            // an item holding two flooding keys is grouped once, under the larger
            ([items("x", 10, &["storm", "rule:call"]), items("y", 20, &["storm"]), items("z", 10, &[])].concat(), &none, vec![("storm", 30, 30), ("rule:call", 10, 0)]),
            (vec![], &none, vec![]),
        ];
        for (i, (night, usual, want)) in cases.iter().enumerate() {
            let list: Vec<Item<'_>> = night.iter().map(|(id, keys)| Item { id, keys }).collect();
            let got = floods(&list, usual, &config);
            let got: Vec<(&str, usize, usize)> = got.iter().map(|f| (f.key.as_str(), f.fired, f.items.len())).collect();
            assert_eq!(&got, want, "case {i}");
        }
    }

    #[test]
    fn duplicate_keys_on_one_item_count_once() {
        let keys = vec!["storm".to_string(), "storm".to_string()];
        let list: Vec<Item<'_>> = (0..5).map(|_| Item { id: "a", keys: &keys }).collect();
        let f = floods(&list, &HashMap::new(), &FloodConfig { min_items: 5, min_share: 0.5, factor: 3.0 });
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].fired, f[0].share), (5, 1.0));
    }
}
