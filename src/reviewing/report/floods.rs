//! The morning report's flood guard and carried decisions (issue 18): the entries and rules
//! that fired on an unusual share of the night's findings, with those findings grouped under
//! each ([`crate::flood_store`], read from the run's summary), and the decisions carried to new
//! copies of decided messages that night ([`crate::cluster_queue`], read from the store).

use std::fmt::Write;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::{esc, link, snippet_html};

/// Findings shown per flood; the rest are counted.
pub const SHOWN: usize = 20;
/// Carried decisions listed; the rest are counted.
pub const CARRIED_SHOWN: usize = 50;

/// A flooding entry or rule as the report shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flood {
    pub key: String,
    pub fired: u64,
    pub share: f64,
    pub usual: Option<f64>,
    /// Findings grouped under it, and the first [`SHOWN`] of them.
    pub grouped: u64,
    pub items: Vec<Grouped>,
}

/// A finding grouped under a flood.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grouped {
    pub item_id: String,
    pub priority: u8,
    pub snippet: String,
    pub url: String,
}

/// A decision carried that night.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Carried {
    pub item_id: String,
    pub decision: String,
    /// `carried from item X`.
    pub notes: String,
    pub cluster: String,
    pub url: String,
}

/// The floods the run recorded in its summary (`night.floods`), with their findings.
pub fn floods(conn: &Connection, summary: &Value) -> rusqlite::Result<Vec<Flood>> {
    let mut out = Vec::new();
    for f in summary["night"]["floods"].as_array().into_iter().flatten() {
        let mut items = Vec::new();
        for id in f["items"].as_array().into_iter().flatten().filter_map(Value::as_str).take(SHOWN) {
            let found = conn
                .prepare_cached("SELECT priority, snippet, url, ref FROM finding WHERE item_id = ?1")?
                .query_row([id], |r| {
                    let (url, reference): (String, String) = (r.get(2)?, r.get(3)?);
                    Ok(Grouped { item_id: id.to_string(), priority: r.get(0)?, snippet: r.get(1)?, url: if url.is_empty() { reference } else { url } })
                })
                .optional()?;
            items.push(found.unwrap_or_else(|| Grouped { item_id: id.to_string(), ..Grouped::default() }));
        }
        out.push(Flood {
            key: f["key"].as_str().unwrap_or_default().to_string(),
            fired: f["fired"].as_u64().unwrap_or(0),
            share: f["share"].as_f64().unwrap_or(0.0),
            usual: f["usual"].as_f64(),
            grouped: f["grouped"].as_u64().unwrap_or(items.len() as u64),
            items,
        });
    }
    Ok(out)
}

/// The decisions carried between `started` and `finished` (the run's span), and how many.
pub fn carried(conn: &Connection, started: i64, finished: Option<i64>) -> rusqlite::Result<(u64, Vec<Carried>)> {
    let span = "d.source LIKE 'cluster:%' AND d.imported_at >= ?1 AND (?2 IS NULL OR d.imported_at <= ?2)";
    let total: i64 = conn.query_row(&format!("SELECT count(*) FROM decision d WHERE {span}"), params![started, finished], |r| r.get(0))?;
    let mut stmt = conn.prepare(&format!(
        "SELECT d.item_id, d.decision, d.notes, d.source, coalesce(f.url, '') FROM decision d LEFT JOIN finding f ON f.item_id = d.item_id WHERE {span} ORDER BY d.id LIMIT ?3"
    ))?;
    let rows = stmt.query_map(params![started, finished, CARRIED_SHOWN as i64], |r| {
        let source: String = r.get(3)?;
        Ok(Carried { item_id: r.get(0)?, decision: r.get(1)?, notes: r.get(2)?, cluster: source.trim_start_matches("cluster:").to_string(), url: r.get(4)? })
    })?;
    Ok((total.max(0) as u64, rows.collect::<rusqlite::Result<_>>()?))
}

fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// The flood guard's section.
pub fn floods_html(s: &mut String, floods: &[Flood]) {
    s.push_str("<section id=\"floods\"><h2>Floods</h2>");
    if floods.is_empty() {
        s.push_str("<p>No entry or rule fired on an unusual share of tonight's findings.</p></section>\n");
        return;
    }
    s.push_str("<p>One entry or rule fired on an unusual share of tonight's findings (a news event?): its findings are grouped here, so they do not bury the night's other calls.</p>");
    for f in floods {
        let usual = f.usual.map_or_else(|| "no earlier nights to compare".to_string(), |u| format!("usually {}", percent(u)));
        let _ = write!(s, "<h3>Flood: {} fired on {} of tonight's findings ({}, {usual})</h3>", esc(&f.key), f.fired, percent(f.share));
        s.push_str("<table><tr><th>priority</th><th>snippet</th><th>link</th></tr>");
        for i in &f.items {
            let _ = write!(
                s,
                "<tr><td class=\"n\">{}</td><td class=\"snippet\"><div dir=\"auto\">{}</div><span class=\"small\">{}</span></td><td>{}</td></tr>",
                i.priority,
                snippet_html(&i.snippet),
                esc(&i.item_id),
                link(&i.url)
            );
        }
        s.push_str("</table>");
        if f.grouped > f.items.len() as u64 {
            let _ = write!(s, "<p class=\"small\">and {} more findings grouped under it.</p>", f.grouped - f.items.len() as u64);
        }
    }
    s.push_str("</section>\n");
}

/// The carried decisions' section.
pub fn carried_html(s: &mut String, total: u64, carried: &[Carried]) {
    let _ = write!(s, "<section id=\"carried\"><h2>Decisions carried to new copies ({total})</h2>");
    if carried.is_empty() {
        s.push_str("<p>No new copy of a decided message tonight.</p></section>\n");
        return;
    }
    s.push_str("<table><tr><th>copy</th><th>decision</th><th>why</th><th>cluster</th><th>link</th></tr>");
    for c in carried {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.item_id),
            esc(&c.decision),
            esc(&c.notes),
            esc(&c.cluster),
            link(&c.url)
        );
    }
    s.push_str("</table>");
    if total > carried.len() as u64 {
        let _ = write!(s, "<p class=\"small\">and {} more (the store's decision table has them all).</p>", total - carried.len() as u64);
    }
    s.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{ReportData, render};

    #[test]
    fn floods_and_carried_decisions_are_shown_grouped_and_escaped() {
        let item = |id: &str| Grouped { item_id: id.into(), priority: 2, snippet: "storm ⟦kill⟧ <b>".into(), url: format!("https://n.example/{id}") };
        let data = ReportData {
            run_id: "r".into(),
            floods: vec![Flood { key: "en:kill:violence".into(), fired: 30, share: 0.6, usual: Some(0.05), grouped: 25, items: vec![item("k1"), item("k2")] }],
            carried_total: 1,
            carried: vec![Carried { item_id: "k9".into(), decision: "dismissed".into(), notes: "carried from item k1".into(), cluster: "k1".into(), url: "https://c.example/9".into() }],
            ..ReportData::default()
        };
        let html = render(&data);
        for part in [
            "<h3>Flood: en:kill:violence fired on 30 of tonight's findings (60%, usually 5%)</h3>",
            "storm <mark>kill</mark> &lt;b&gt;",
            "https://n.example/k2",
            "and 23 more findings grouped under it",
            "Decisions carried to new copies (1)",
            "<td>k9</td><td>dismissed</td><td>carried from item k1</td><td>k1</td>",
        ] {
            assert!(html.contains(part), "{part}\n{html}");
        }
        let empty = render(&ReportData::default());
        assert!(empty.contains("No entry or rule fired on an unusual share") && empty.contains("No new copy of a decided message tonight"));
    }
}
