//! Items from schema.org JSON-LD (`<script type="application/ld+json">`): every object whose
//! `@type` is one of the adapter's types, wherever it sits (`@graph`, `comment`, `hasPart`),
//! a nested one replying to the one it sits in.

use scraper::{Html, Selector};
use serde_json::Value;
use url::Url;

use super::Item;

/// How deep the JSON is followed: hostile pages nest without end.
const MAX_DEPTH: usize = 32;

/// Appends the items of `doc`'s JSON-LD blocks to `items`.
pub(super) fn items(doc: &Html, url: &Url, types: &[String], title: &str, items: &mut Vec<Item>) {
    let Ok(sel) = Selector::parse(r#"script[type="application/ld+json" i]"#) else { return };
    for script in doc.select(&sel) {
        let text: String = script.text().collect();
        // A block that does not parse is skipped: the page's other blocks still count.
        let Ok(value) = serde_json::from_str::<Value>(text.trim()) else { continue };
        walk(&value, url, types, title, "", 0, items);
    }
}

fn walk(value: &Value, url: &Url, types: &[String], title: &str, parent: &str, depth: usize, items: &mut Vec<Item>) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Array(list) => list.iter().for_each(|v| walk(v, url, types, title, parent, depth + 1, items)),
        Value::Object(map) => {
            let wanted = match map.get("@type") {
                Some(Value::String(t)) => is_wanted(t, types),
                Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(|t| is_wanted(t, types)),
                _ => false,
            };
            let mut here = parent.to_string();
            if wanted {
                let text = ["articleBody", "text", "commentText"].iter().find_map(|k| map.get(*k).and_then(Value::as_str)).map(crate::extract::collapse).unwrap_or_default();
                let permalink = ["url", "@id"]
                    .iter()
                    .filter_map(|k| map.get(*k).and_then(Value::as_str))
                    .filter_map(|h| url.join(h.trim()).ok())
                    .find(|u| matches!(u.scheme(), "http" | "https"))
                    .map(|u| u.to_string())
                    .unwrap_or_else(|| {
                        let mut u = url.clone();
                        u.set_fragment(Some(&format!("item-{}", items.len() + 1)));
                        u.to_string()
                    });
                let time = ["datePublished", "dateCreated"].iter().find_map(|k| map.get(*k).and_then(Value::as_str)).unwrap_or_default().to_string();
                let headline = map.get("headline").and_then(Value::as_str).map(crate::extract::collapse).unwrap_or_default();
                if !text.is_empty() {
                    items.push(Item {
                        permalink: permalink.clone(),
                        author: author(map.get("author")),
                        time,
                        text,
                        position: items.len() + 1,
                        reply_to: parent.to_string(),
                        title: if title.is_empty() { headline } else { title.to_string() },
                    });
                }
                here = permalink;
            }
            for (k, v) in map {
                if k != "author" && (v.is_object() || v.is_array()) {
                    walk(v, url, types, title, &here, depth + 1, items);
                }
            }
        }
        _ => {}
    }
}

/// `Comment` matches `Comment` and `https://schema.org/Comment`.
fn is_wanted(t: &str, types: &[String]) -> bool {
    let short = t.rsplit(['/', '#', ':']).next().unwrap_or(t);
    types.iter().any(|w| w == short)
}

fn author(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => crate::extract::collapse(s),
        Some(Value::Object(m)) => m.get("name").and_then(Value::as_str).map(crate::extract::collapse).unwrap_or_default(),
        Some(Value::Array(list)) => list.first().map(|a| author(Some(a))).unwrap_or_default(),
        _ => String::new(),
    }
}
