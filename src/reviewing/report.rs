//! The morning report (issue 15, point 5): one self-contained HTML page per run, for the
//! analyst who opens one file before the queues.
//!
//! [`gather`] reads a run's [`ReportData`] from the store: tonight's findings (those first
//! queued by the run) counted by queue, priority, language and site; its priority-1 items with
//! their snippets, links and latest decisions; the crawl's health as the run recorded it in its
//! summary (hosts down, failures by reason); the last 30 nights as charts (findings, decisions
//! on them, precision per queue); and the noisiest lexicon entries by reviewer decisions.
//! [`render`] is pure: data in, HTML out. [`publish`] writes `OUT/runs/<run>/report.html` and,
//! for the latest run, `OUT/report.html`, atomically.
//!
//! The page needs nothing else: inline CSS, inline SVG charts ([`svg`]), no script, and a
//! Content-Security-Policy of `default-src 'none'` so a browser fetches nothing even if a page
//! title tried to make it. Every text from the store is cleaned of control and bidi characters
//! and escaped ([`esc`]); snippets and titles carry `dir="auto"` so Arabic reads right to left.
//! It does not decide anything and reads no page again.

pub mod floods;
pub mod svg;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::store::{self, EntryStats};

/// Nights shown in the charts.
pub const NIGHTS: usize = 30;
/// Entries listed as the noisiest.
const NOISY_SHOWN: usize = 10;

/// Errors of gathering and publishing a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("the store has no runs yet (kuzet run records one)")]
    NoRuns,
    #[error("the store has no run {0:?}")]
    NoSuchRun(String),
    #[error("reading the store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Everything the report shows, read from the store.
#[derive(Debug, Clone, Default)]
pub struct ReportData {
    pub run_id: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    /// `running`, `finished`, `interrupted` or `killed`.
    pub status: String,
    pub lexicon_version: String,
    /// Findings first queued tonight.
    pub tonight: Counts,
    /// Findings still waiting for a decision, from every night, and how many are priority 1.
    pub open: u64,
    pub open_priority1: u64,
    /// Tonight's priority-1 items, highest score first.
    pub priority1: Vec<Item>,
    pub health: Health,
    /// Up to [`NIGHTS`] runs up to this one, oldest first.
    pub nights: Vec<Night>,
    /// The queues the nights' findings went to.
    pub queues: Vec<String>,
    /// The entries and rules reviewers dismissed most ([`store::entry_stats`] order).
    pub noisy: Vec<EntryStats>,
    /// The entries and rules that fired on an unusual share of tonight's findings.
    pub floods: Vec<floods::Flood>,
    /// Decisions carried to new copies of decided messages tonight: how many, the first ones.
    pub carried_total: u64,
    pub carried: Vec<floods::Carried>,
}

/// Counts of findings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    pub total: u64,
    pub by_queue: BTreeMap<String, u64>,
    pub by_priority: BTreeMap<u8, u64>,
    pub by_lang: BTreeMap<String, u64>,
    pub by_site: BTreeMap<String, u64>,
}

/// One finding as the report shows it.
#[derive(Debug, Clone, Default)]
pub struct Item {
    pub item_id: String,
    pub priority: u8,
    pub score: u32,
    pub queue: String,
    pub category: String,
    pub lang: String,
    /// Scheme, host and port of its URL (or its reference, for local files).
    pub site: String,
    pub title: String,
    /// With the hit marked `⟦like this⟧`.
    pub snippet: String,
    pub url: String,
    /// Its latest reviewer decision, if any.
    pub decision: Option<String>,
}

/// The crawl's health as the run recorded it (`crawl` in `summary.json`).
#[derive(Debug, Clone, Default)]
pub struct Health {
    /// The run wrote a summary (a killed run did not).
    pub recorded: bool,
    pub requests: u64,
    pub pages_analysed: u64,
    pub robots_disallowed: u64,
    pub tried: u64,
    pub failed: u64,
    pub max_failed_share: f64,
    /// Seed hosts that never answered, with their reason.
    pub unreachable: Vec<(String, String)>,
    /// Hosts given up: host, reason, URLs left for another night.
    pub given_up: Vec<(String, String, u64)>,
    /// Per host with failures: failed, HTTP answers, failures by reason.
    pub hosts: BTreeMap<String, (u64, u64, BTreeMap<String, u64>)>,
    /// Failures by reason over all hosts.
    pub by_reason: BTreeMap<String, u64>,
    /// Why the night counts as failed (empty: it does not).
    pub night_failed: Vec<String>,
}

/// One night in the charts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Night {
    pub run_id: String,
    pub started_at: i64,
    /// Findings first queued that night.
    pub findings: u64,
    /// Latest decisions on those findings.
    pub confirmed: u64,
    pub escalated: u64,
    pub dismissed: u64,
    /// Per queue: (confirmed + escalated, decided) of that night's findings.
    pub by_queue: BTreeMap<String, (u64, u64)>,
}

/// Text for HTML: control, bidi and zero-width characters removed, whitespace folded
/// ([`crate::cell::clean`]), then `& < > " '` escaped, so it is safe in text and in quoted
/// attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in crate::cell::clean(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The queue a category goes to, as the nightly export routes it.
fn queue_of(route: &BTreeMap<String, String>, category: &str) -> String {
    route.get(category).cloned().unwrap_or_else(|| crate::queue::file_safe(category))
}

/// Scheme, host and port of `url`, or `local` for a reference that is not a web URL.
fn site_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => crate::frontier::origin(&u),
        _ => "local".to_string(),
    }
}

/// Reads the report of `run` (default: the latest run) from the store. `route` is the
/// config's `[queues.route]` (empty: one queue per category).
pub fn gather(conn: &Connection, run: Option<&str>, route: &BTreeMap<String, String>) -> Result<ReportData, ReportError> {
    let row = match run {
        Some(id) => conn
            .query_row("SELECT id, started_at, finished_at, status, lexicon_version, summary FROM run WHERE id = ?1", [id], run_row)
            .optional()?
            .ok_or_else(|| ReportError::NoSuchRun(id.to_string()))?,
        None => conn
            .query_row("SELECT id, started_at, finished_at, status, lexicon_version, summary FROM run ORDER BY started_at DESC, id DESC LIMIT 1", [], run_row)
            .optional()?
            .ok_or(ReportError::NoRuns)?,
    };
    let (run_id, started_at, finished_at, status, lexicon_version, summary) = row;
    let summary: Value = summary.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or(Value::Null);
    let items = tonight(conn, &run_id, route)?;
    let mut counts = Counts::default();
    for i in &items {
        counts.total += 1;
        *counts.by_queue.entry(i.queue.clone()).or_default() += 1;
        *counts.by_priority.entry(i.priority).or_default() += 1;
        *counts.by_lang.entry(i.lang.clone()).or_default() += 1;
        *counts.by_site.entry(i.site.clone()).or_default() += 1;
    }
    let (open, open_priority1) = conn.query_row(
        "SELECT count(*), coalesce(sum(priority = 1), 0) FROM finding f WHERE status IN ('new', 'queued') \
         AND NOT EXISTS (SELECT 1 FROM decision d WHERE d.item_id = f.item_id)",
        [],
        |r| Ok((r.get::<_, i64>(0)?.max(0) as u64, r.get::<_, i64>(1)?.max(0) as u64)),
    )?;
    let nights = nights(conn, started_at, &run_id, route)?;
    let mut queues: BTreeSet<String> = nights.iter().flat_map(|n| n.by_queue.keys().cloned()).collect();
    queues.extend(counts.by_queue.keys().cloned());
    let flooded = floods::floods(conn, &summary)?;
    let (carried_total, carried) = floods::carried(conn, started_at, finished_at)?;
    let noisy = store::entry_stats(conn, 5, 0.3)?.into_iter().filter(|s| s.confirmed + s.dismissed + s.escalated > 0).take(NOISY_SHOWN).collect();
    Ok(ReportData {
        run_id,
        started_at,
        finished_at,
        status,
        lexicon_version,
        tonight: counts,
        open,
        open_priority1,
        priority1: items.into_iter().filter(|i| i.priority == 1).collect(),
        health: health(&summary),
        nights,
        queues: queues.into_iter().collect(),
        noisy,
        floods: flooded,
        carried_total,
        carried,
    })
}

type RunRow = (String, i64, Option<i64>, String, String, Option<String>);

fn run_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
}

/// The findings `run` queued first, most urgent first.
fn tonight(conn: &Connection, run: &str, route: &BTreeMap<String, String>) -> Result<Vec<Item>, ReportError> {
    let mut stmt = conn.prepare(
        "SELECT item_id, priority, score, category, lang, url, ref, title, snippet FROM finding WHERE exported_run = ?1 \
         ORDER BY priority, score DESC, item_id",
    )?;
    let rows = stmt.query_map([run], |r| {
        let (url, reference): (String, String) = (r.get(5)?, r.get(6)?);
        let category: String = r.get(3)?;
        Ok(Item {
            item_id: r.get(0)?,
            priority: r.get(1)?,
            score: r.get(2)?,
            queue: queue_of(route, &category),
            category,
            lang: r.get(4)?,
            site: site_of(if url.is_empty() { &reference } else { &url }),
            title: r.get(7)?,
            snippet: r.get(8)?,
            url: if url.is_empty() { reference } else { url },
            decision: None,
        })
    })?;
    let mut items = rows.collect::<rusqlite::Result<Vec<Item>>>()?;
    for i in items.iter_mut().filter(|i| i.priority == 1) {
        i.decision = store::latest_decision(conn, &i.item_id)?;
    }
    Ok(items)
}

/// The last [`NIGHTS`] runs up to `run` (started at `started`), oldest first, with their
/// findings and the latest decisions on them.
fn nights(conn: &Connection, started: i64, run: &str, route: &BTreeMap<String, String>) -> Result<Vec<Night>, ReportError> {
    let mut stmt = conn.prepare("SELECT id, started_at FROM run WHERE started_at < ?1 OR id = ?2 ORDER BY started_at DESC, id DESC LIMIT ?3")?;
    let mut nights: Vec<Night> = stmt
        .query_map(params![started, run, NIGHTS as i64], |r| Ok(Night { run_id: r.get(0)?, started_at: r.get(1)?, ..Night::default() }))?
        .collect::<rusqlite::Result<_>>()?;
    nights.reverse();
    let index: HashMap<String, usize> = nights.iter().enumerate().map(|(i, n)| (n.run_id.clone(), i)).collect();
    let mut stmt = conn.prepare(
        "WITH latest AS (SELECT item_id, decision FROM decision d WHERE id = (SELECT max(id) FROM decision WHERE item_id = d.item_id)) \
         SELECT f.exported_run, f.category, l.decision, count(*) FROM finding f LEFT JOIN latest l ON l.item_id = f.item_id \
         WHERE f.exported_run IS NOT NULL GROUP BY 1, 2, 3",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, i64>(3)?.max(0) as u64)))?;
    for row in rows {
        let (run, category, decision, n) = row?;
        let Some(night) = index.get(&run).map(|&i| &mut nights[i]) else { continue };
        night.findings += n;
        let q = night.by_queue.entry(queue_of(route, &category)).or_default();
        match decision.as_deref() {
            Some("confirmed") => night.confirmed += n,
            Some("escalated") => night.escalated += n,
            Some("dismissed") => night.dismissed += n,
            _ => continue,
        }
        q.1 += n;
        q.0 += if decision.as_deref() == Some("dismissed") { 0 } else { n };
    }
    Ok(nights)
}

/// The health part of a run summary (`crawl` in `summary.json`).
fn health(summary: &Value) -> Health {
    let crawl = &summary["crawl"];
    let h = &crawl["health"];
    let n = |v: &Value| v.as_u64().unwrap_or(0);
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let mut out = Health {
        recorded: crawl.is_object(),
        requests: n(&crawl["requests"]),
        pages_analysed: n(&crawl["pages_analysed"]),
        robots_disallowed: n(&crawl["robots_disallowed"]),
        tried: n(&h["tried"]),
        failed: n(&h["failed"]),
        max_failed_share: h["max_failed_share"].as_f64().unwrap_or(0.0),
        unreachable: list(&h["seed_hosts_unreachable"]).iter().map(|u| (text(&u["host"]), text(&u["reason"]))).collect(),
        given_up: list(&crawl["hosts_given_up"]).iter().map(|g| (text(&g["host"]), text(&g["reason"]), n(&g["urls_left"]))).collect(),
        night_failed: list(&h["night_failed"]).iter().map(text).collect(),
        ..Health::default()
    };
    for (host, v) in h["hosts"].as_object().into_iter().flatten() {
        let reasons: BTreeMap<String, u64> = v["reasons"].as_object().into_iter().flatten().map(|(r, c)| (r.clone(), n(c))).collect();
        for (r, c) in &reasons {
            *out.by_reason.entry(r.clone()).or_default() += c;
        }
        out.hosts.insert(host.clone(), (n(&v["failed"]), n(&v["answered"]), reasons));
    }
    out
}

/// `2026-12-05 05:17 UTC`.
fn when(secs: i64) -> String {
    let t = crate::timestamp(secs.max(0) as u64);
    format!("{} {}:{} UTC", store::date(secs), &t[9..11], &t[11..13])
}

/// A snippet with its `⟦hit⟧` shown as `<mark>`.
pub fn snippet_html(snippet: &str) -> String {
    let Some((before, rest)) = snippet.split_once('⟦') else { return esc(snippet) };
    let Some((hit, after)) = rest.split_once('⟧') else { return esc(snippet) };
    format!("{}<mark>{}</mark>{}", esc(before), esc(hit), esc(after))
}

/// A link for http(s) URLs; anything else (a local file's reference) as text.
pub fn link(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {
            format!(r#"<a href="{}" rel="noopener noreferrer nofollow" referrerpolicy="no-referrer">{}</a>"#, esc(u.as_str()), esc(url))
        }
        _ => esc(url),
    }
}

const STYLE: &str = "body{font:14px/1.45 'DejaVu Sans',system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:16px 24px;color:#1b1b1b;background:#fff}\
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:3px}h3{font-size:14px;margin:12px 0 4px}\
.meta{color:#555;margin:0}.verdict{padding:8px 12px;border-radius:4px;margin:14px 0}.ok{background:#e7f5e9;border:1px solid #8fcf99}\
.bad{background:#fdecea;border:1px solid #e8a09a}.verdict ul{margin:4px 0 0 18px;padding:0}\
.tiles{display:flex;flex-wrap:wrap;gap:10px}.tile{border:1px solid #ddd;border-radius:4px;padding:6px 12px;min-width:110px}.tile b{display:block;font-size:22px}\
.grid{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}table{border-collapse:collapse;margin:4px 0}\
th,td{border-bottom:1px solid #e4e4e4;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}\
td.snippet{max-width:520px}mark{background:#ffe08a;font-weight:bold}a{color:#1558b0;word-break:break-all}.small{font-size:12px;color:#555}\
.chart{display:block;width:100%;height:auto}.chart .grid{stroke:#e4e4e4}.chart text{font-size:9px;fill:#555}.chart .ylabel{text-anchor:end}\
.chart .xlabel{text-anchor:middle}.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}.noisy{color:#b42318;font-weight:bold}";

/// The report as one HTML page.
pub fn render(d: &ReportData) -> String {
    let mut s = String::with_capacity(32 * 1024);
    let _ = writeln!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
         <meta name=\"referrer\" content=\"no-referrer\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>kuzet morning report: run {}</title><style>{STYLE}</style></head><body>",
        esc(&d.run_id)
    );
    let finished = d.finished_at.map_or_else(|| "not finished".to_string(), |t| format!("finished {}", when(t)));
    let _ = writeln!(
        s,
        "<header><h1>Morning report</h1><p class=\"meta\">run {} · started {} · {finished} · {} · lexicon {}</p></header>",
        esc(&d.run_id),
        when(d.started_at),
        esc(&d.status),
        esc(&d.lexicon_version)
    );
    verdict(&mut s, d);
    tonight_html(&mut s, d);
    floods::floods_html(&mut s, &d.floods);
    priority1(&mut s, d);
    floods::carried_html(&mut s, d.carried_total, &d.carried);
    health_html(&mut s, &d.health);
    charts(&mut s, d);
    noisy(&mut s, &d.noisy);
    s.push_str("<footer><p class=\"small\">Written by kuzet ");
    s.push_str(env!("CARGO_PKG_VERSION"));
    s.push_str(" from its state store; <code>kuzet report</code> renders it again after a review import. kuzet ranks and explains; people decide.</p></footer>\n</body></html>\n");
    s
}

/// The night's verdict: failed (why) or not.
fn verdict(s: &mut String, d: &ReportData) {
    let h = &d.health;
    if !h.recorded {
        let _ = writeln!(s, "<section class=\"verdict bad\"><b>No crawl summary</b>: the run is {} and recorded no summary.</section>", esc(&d.status));
    } else if h.night_failed.is_empty() {
        let _ = writeln!(s, "<section class=\"verdict ok\"><b>The night did not fail</b>: {} of {} URLs tried failed.</section>", h.failed, h.tried);
    } else {
        s.push_str("<section class=\"verdict bad\"><b>The night failed</b><ul>");
        for why in &h.night_failed {
            let _ = write!(s, "<li>{}</li>", esc(why));
        }
        s.push_str("</ul></section>\n");
    }
}

fn tonight_html(s: &mut String, d: &ReportData) {
    let t = &d.tonight;
    let p1 = t.by_priority.get(&1).copied().unwrap_or(0);
    let _ = write!(
        s,
        "<section id=\"tonight\"><h2>Tonight</h2><div class=\"tiles\">\
         <div class=\"tile\"><b>{}</b> new findings</div><div class=\"tile\"><b>{p1}</b> new priority 1</div>\
         <div class=\"tile\"><b>{}</b> open items</div><div class=\"tile\"><b>{}</b> open priority 1</div>\
         <div class=\"tile\"><b>{}</b> pages analysed</div><div class=\"tile\"><b>{}</b> URLs failed</div></div>\n<div class=\"grid\">",
        t.total, d.open, d.open_priority1, d.health.pages_analysed, d.health.failed
    );
    let by_priority: BTreeMap<String, u64> = t.by_priority.iter().map(|(p, n)| (format!("priority {p}"), *n)).collect();
    for (heading, map) in [("queue", &t.by_queue), ("priority", &by_priority), ("language", &t.by_lang), ("site", &t.by_site)] {
        count_table(s, heading, "findings", map);
    }
    s.push_str("</div><p class=\"small\">New findings: first queued by this run. Open items: findings of every night still waiting for a decision.</p></section>\n");
}

/// A table of counts: what is counted (`heading`), and of what (`unit`).
fn count_table(s: &mut String, heading: &str, unit: &str, map: &BTreeMap<String, u64>) {
    let _ = write!(s, "<table><tr><th>{heading}</th><th>{unit}</th></tr>");
    if map.is_empty() {
        s.push_str("<tr><td colspan=\"2\">none</td></tr>");
    }
    for (k, n) in map {
        let _ = write!(s, "<tr><td>{}</td><td class=\"n\">{n}</td></tr>", esc(k));
    }
    s.push_str("</table>");
}

fn priority1(s: &mut String, d: &ReportData) {
    let _ = write!(s, "<section id=\"priority1\"><h2>Priority 1 tonight ({})</h2>", d.priority1.len());
    if d.priority1.is_empty() {
        s.push_str("<p>No new priority-1 items tonight.</p></section>\n");
        return;
    }
    s.push_str("<table><tr><th>queue</th><th>score</th><th>lang</th><th>title and snippet</th><th>link</th><th>decision</th></tr>");
    for i in &d.priority1 {
        let _ = write!(
            s,
            "<tr><td>{}{}</td><td class=\"n\">{}</td><td>{}</td>\
             <td class=\"snippet\"><div dir=\"auto\"><b>{}</b></div><div dir=\"auto\">{}</div><span class=\"small\">{}</span></td><td>{}</td><td>{}</td></tr>",
            esc(&i.queue),
            if i.category == i.queue { String::new() } else { format!("<br><span class=\"small\">{}</span>", esc(&i.category)) },
            i.score,
            esc(&i.lang),
            esc(&i.title),
            snippet_html(&i.snippet),
            esc(&i.item_id),
            link(&i.url),
            i.decision.as_deref().map_or_else(|| "undecided".to_string(), esc)
        );
    }
    s.push_str("</table></section>\n");
}

fn health_html(s: &mut String, h: &Health) {
    let _ = write!(
        s,
        "<section id=\"health\"><h2>Crawl health</h2><p>{} requests, {} pages analysed, {} URLs tried, {} failed (allowed share {}), {} disallowed by robots.txt.</p>",
        h.requests, h.pages_analysed, h.tried, h.failed, h.max_failed_share, h.robots_disallowed
    );
    s.push_str("<h3>Hosts down</h3>");
    if h.unreachable.is_empty() && h.given_up.is_empty() {
        s.push_str("<p>None: every seed host answered and no host was given up.</p>");
    } else {
        s.push_str("<table><tr><th>host</th><th>what</th><th>reason</th></tr>");
        for (host, reason) in &h.unreachable {
            let _ = write!(s, "<tr><td>{}</td><td>seed host unreachable</td><td>{}</td></tr>", esc(host), esc(reason));
        }
        for (host, reason, left) in &h.given_up {
            let _ = write!(s, "<tr><td>{}</td><td>given up, {left} URLs left for another night</td><td>{}</td></tr>", esc(host), esc(reason));
        }
        s.push_str("</table>");
    }
    s.push_str("<div class=\"grid\"><div><h3>Failures by reason</h3>");
    count_table(s, "reason", "URLs", &h.by_reason);
    s.push_str("</div><div><h3>Hosts with failures</h3><table><tr><th>host</th><th>failed</th><th>HTTP answers</th><th>reasons</th></tr>");
    if h.hosts.is_empty() {
        s.push_str("<tr><td colspan=\"4\">none</td></tr>");
    }
    for (host, (failed, answered, reasons)) in &h.hosts {
        let reasons: Vec<String> = reasons.iter().map(|(r, n)| format!("{}: {n}", esc(r))).collect();
        let _ = write!(s, "<tr><td>{}</td><td class=\"n\">{failed}</td><td class=\"n\">{answered}</td><td>{}</td></tr>", esc(host), reasons.join(", "));
    }
    s.push_str("</table></div></div></section>\n");
}

/// A legend line for chart series.
fn legend(series: &[svg::Series]) -> String {
    let mut s = String::from("<p class=\"legend small\">");
    for serie in series {
        let _ = write!(s, "<span style=\"background:{}\"></span>{}", serie.color, esc(&serie.name));
    }
    s.push_str("</p>");
    s
}

fn charts(s: &mut String, d: &ReportData) {
    let _ = write!(s, "<section id=\"nights\"><h2>The last {NIGHTS} nights ({} in the store)</h2>", d.nights.len());
    let labels: Vec<String> = d.nights.iter().map(|n| store::date(n.started_at)[5..].to_string()).collect();
    let of = |f: fn(&Night) -> u64| d.nights.iter().map(|n| Some(f(n) as f64)).collect::<Vec<_>>();
    let findings = [svg::Series { name: "findings".into(), color: svg::PALETTE[0], values: of(|n| n.findings) }];
    let decisions = [
        svg::Series { name: "confirmed".into(), color: svg::PALETTE[1], values: of(|n| n.confirmed) },
        svg::Series { name: "escalated".into(), color: svg::PALETTE[3], values: of(|n| n.escalated) },
        svg::Series { name: "dismissed".into(), color: svg::PALETTE[2], values: of(|n| n.dismissed) },
    ];
    let precision: Vec<svg::Series> = d
        .queues
        .iter()
        .enumerate()
        .map(|(i, q)| svg::Series {
            name: q.clone(),
            color: svg::PALETTE[i % svg::PALETTE.len()],
            values: d.nights.iter().map(|n| n.by_queue.get(q).filter(|(_, decided)| *decided > 0).map(|&(good, decided)| good as f64 / decided as f64)).collect(),
        })
        .collect();
    let _ = write!(s, "<h3>New findings per night</h3>{}", svg::bars("new findings per night", &labels, &findings));
    let _ = write!(s, "<h3>Decisions on each night's findings (latest per item)</h3>{}{}", svg::bars("decisions per night", &labels, &decisions), legend(&decisions));
    let _ = write!(
        s,
        "<h3>Precision per queue: (confirmed + escalated) / decided, of each night's findings</h3>{}{}",
        svg::lines("precision per queue", &labels, &precision, 1.0, true),
        legend(&precision)
    );
    s.push_str("<table class=\"small\"><tr><th>night</th><th>run</th><th>findings</th><th>confirmed</th><th>escalated</th><th>dismissed</th></tr>");
    for (n, label) in d.nights.iter().zip(&labels).rev() {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(label),
            esc(&n.run_id),
            n.findings,
            n.confirmed,
            n.escalated,
            n.dismissed
        );
    }
    s.push_str("</table></section>\n");
}

fn noisy(s: &mut String, noisy: &[EntryStats]) {
    s.push_str("<section id=\"noisy\"><h2>Noisiest entries</h2>");
    if noisy.is_empty() {
        s.push_str("<p>No reviewer decisions yet.</p></section>\n");
        return;
    }
    s.push_str("<table><tr><th>entry or rule</th><th>findings</th><th>confirmed</th><th>dismissed</th><th>escalated</th><th>precision</th><th></th></tr>");
    for e in noisy {
        let _ = write!(
            s,
            "<tr><td dir=\"auto\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"noisy\">{}</td></tr>",
            esc(&e.key),
            e.hits,
            e.confirmed,
            e.dismissed,
            e.escalated,
            e.precision.map_or_else(|| "-".to_string(), |p| format!("{:.0}%", p * 100.0)),
            if e.noisy { "NOISY" } else { "" }
        );
    }
    s.push_str("</table><p class=\"small\">As <code>kuzet lexicon stats</code>: noisy = at least 5 decisions and a precision under 30%.</p></section>\n");
}

/// Renders the report of `run` (default: the latest) and writes it to
/// `OUT/runs/<run>/report.html`, and to `OUT/report.html` when it is the latest run. Returns
/// the paths written.
pub fn publish(conn: &Connection, run: Option<&str>, route: &BTreeMap<String, String>, out: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let data = gather(conn, run, route)?;
    let html = render(&data);
    let latest: Option<String> = conn.query_row("SELECT id FROM run ORDER BY started_at DESC, id DESC LIMIT 1", [], |r| r.get(0)).optional()?;
    let mut paths = vec![out.join("runs").join(crate::queue::file_safe(&data.run_id)).join("report.html")];
    if latest.as_deref() == Some(data.run_id.as_str()) {
        paths.push(out.join("report.html"));
    }
    for path in &paths {
        crate::queue::publish(path, |w| std::io::Write::write_all(w, html.as_bytes())).map_err(|source| ReportError::Io { path: path.clone(), source })?;
    }
    Ok(paths)
}

#[cfg(test)]
mod tests;
