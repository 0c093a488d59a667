use super::*;
use crate::crawl::{CrawlSummary, GivenUp};
use crate::health::Tried;
use crate::nightly::RunSummary;
use crate::store::Store;

#[test]
fn escaping() {
    let table = [
        ("plain", "plain"),
        ("<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        ("a & \"b\"", "a &amp; &quot;b&quot;"),
        ("bidi\u{202E}flip\u{0}\nline", "bidiflip line"),
        ("Сәлем مرحبا", "Сәлем مرحبا"),
    ];
    for (input, want) in table {
        assert_eq!(esc(input), want, "{input:?}");
    }
}

#[test]
fn snippets_and_links() {
    let table = [
        ("before ⟦kill⟧ after", "before <mark>kill</mark> after"),
        ("<b>⟦<i>⟧</b>", "&lt;b&gt;<mark>&lt;i&gt;</mark>&lt;/b&gt;"),
        ("no marker <x>", "no marker &lt;x&gt;"),
        ("open ⟦only", "open ⟦only"),
    ];
    for (input, want) in table {
        assert_eq!(snippet_html(input), want, "{input:?}");
    }
    let links = [
        ("https://a.kz/x?q=\"1\"", true),
        ("http://127.0.0.1:8737/", true),
        ("javascript:alert(1)", false),
        ("data:text/html,<script>x</script>", false),
        ("samples/ar_post.txt", false),
    ];
    for (url, linked) in links {
        let html = link(url);
        assert_eq!(html.starts_with("<a href=\""), linked, "{url}: {html}");
        assert!(!html.contains("<script") && !html.contains("href=\"javascript"), "{url}: {html}");
    }
}

/// Data as hostile as a crawled page can make it.
fn hostile() -> ReportData {
    let evil = "<script>console.error('pwned')</script><img src=x onerror=alert(1)>";
    let item = Item {
        item_id: "k0123456789abcdef".into(),
        priority: 1,
        score: 42,
        queue: "incitement".into(),
        category: "incitement".into(),
        lang: "ar".into(),
        site: "https://evil.example".into(),
        title: evil.into(),
        snippet: format!("{evil} ⟦اقتلوهم⟧ </td></tr></table>"),
        url: "javascript:alert(1)".into(),
        decision: None,
    };
    let mut tonight = Counts { total: 1, ..Counts::default() };
    tonight.by_site.insert(evil.into(), 1);
    ReportData {
        run_id: "20261205T050000Z".into(),
        status: "finished".into(),
        lexicon_version: evil.into(),
        tonight,
        priority1: vec![item],
        health: Health { recorded: true, night_failed: vec![evil.into()], ..Health::default() },
        nights: vec![Night { run_id: evil.into(), findings: 1, ..Night::default() }],
        queues: vec![evil.into()],
        ..ReportData::default()
    }
}

#[test]
fn hostile_text_is_shown_as_text() {
    let html = render(&hostile());
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script") && !lower.contains("<img") && !lower.contains("href=\"javascript"), "{html}");
    assert!(html.contains("&lt;script&gt;console.error(&#39;pwned&#39;)&lt;/script&gt;"), "the title is shown as text");
    assert!(html.contains("<mark>اقتلوهم</mark> &lt;/td&gt;"), "the snippet's markup stays text");
    assert!(html.contains("<div dir=\"auto\">"), "snippets and titles set their own direction");
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'"));
}

#[test]
fn every_section_is_there_when_the_store_is_empty_of_findings() {
    let html = render(&ReportData { run_id: "r".into(), status: "killed".into(), ..ReportData::default() });
    for part in ["No crawl summary", "No new priority-1 items tonight", "Hosts down", "The last 30 nights (0 in the store)", "No reviewer decisions yet"] {
        assert!(html.contains(part), "{part}");
    }
}

/// Inserts a finding exported by `run`.
fn finding(tx: &rusqlite::Transaction<'_>, id: &str, run: &str, category: &str, priority: u8, lang: &str, url: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO finding (item_id, url_key, status, category, priority, score, lang, ref, url, title, matched_terms, snippet, reasons, \
         lexicon_version, first_run, last_run, first_seen, last_seen, exported_run) \
         VALUES (?1, ?1, 'queued', ?2, ?3, 20, ?4, ?5, ?5, 'Заголовок', 'm', 'x ⟦убить⟧ y', 'r', 'lex', ?6, ?6, 0, 0, ?6)",
        params![id, category, priority, lang, url, run],
    )?;
    tx.execute("INSERT INTO finding_hit (item_id, key) VALUES (?1, 'ru:убить:violence')", [id])?;
    Ok(())
}

fn decide(tx: &rusqlite::Transaction<'_>, id: &str, decision: &str) -> rusqlite::Result<()> {
    tx.execute("INSERT INTO decision (item_id, decision, reviewer, notes, source, line, imported_at) VALUES (?1, ?2, 'aida', '', 'f.csv', 2, 5000)", [id, decision])?;
    Ok(())
}

/// A run summary as `kuzet run` records it: one seed host down, one 404 elsewhere.
fn summary() -> String {
    let mut crawl = CrawlSummary::default();
    crawl.crawl.requests = 7;
    crawl.crawl.pages_analysed = 4;
    let h = &mut crawl.crawl.health;
    h.record("http://127.0.0.1:9/", "robots", "robots.txt could not be fetched: Connection refused (os error 111)", Tried::Failed);
    h.record("https://a.kz/", "200", "", Tried::Done);
    h.record("https://a.kz/gone", "404", "HTTP 404", Tried::Failed);
    let seeds = [url::Url::parse("http://127.0.0.1:9/").unwrap(), url::Url::parse("https://a.kz/").unwrap()];
    h.finish(&seeds, &["https://slow.kz".to_string()], 0.0);
    crawl.crawl.hosts_given_up.push(GivenUp { host: "https://slow.kz".into(), reason: "6 failures in a row".into(), urls_left: 12 });
    serde_json::to_string(&RunSummary { crawl, ..RunSummary::default() }).unwrap()
}

#[test]
fn gathers_tonight_the_nights_and_the_health_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("kuzet.sqlite"), None).unwrap();
    store
        .write(|tx| {
            tx.execute("INSERT INTO run (id, started_at, finished_at, status, lexicon_version) VALUES ('r1', 1000, 1100, 'finished', 'lex')", [])?;
            tx.execute("INSERT INTO run (id, started_at, finished_at, status, lexicon_version, summary) VALUES ('r2', 90000, 90100, 'finished', 'lex', ?1)", [summary()])?;
            // Night 1: two violence findings, one confirmed, one dismissed; an extremism one routed to terrorism, escalated.
            finding(tx, "k1", "r1", "violence", 2, "ru", "https://a.kz/1")?;
            finding(tx, "k2", "r1", "violence", 3, "ru", "https://a.kz/2")?;
            finding(tx, "k3", "r1", "extremism", 2, "kk", "https://b.kz/3")?;
            decide(tx, "k1", "confirmed")?;
            decide(tx, "k2", "confirmed")?;
            decide(tx, "k2", "dismissed")?;
            decide(tx, "k3", "escalated")?;
            // Night 2: two priority 1, one priority 3; one decided.
            finding(tx, "k4", "r2", "incitement", 1, "ru", "https://a.kz/4")?;
            finding(tx, "k5", "r2", "incitement", 1, "ar", "http://127.0.0.1:9/5")?;
            finding(tx, "k6", "r2", "violence", 3, "kk", "")?;
            decide(tx, "k5", "dismissed")?;
            Ok(())
        })
        .unwrap();
    let route = BTreeMap::from([("extremism".to_string(), "terrorism".to_string())]);
    let d = gather(&store.conn, None, &route).unwrap();
    assert_eq!(d.run_id, "r2");
    let t = &d.tonight;
    assert_eq!(t.total, 3);
    assert_eq!(t.by_queue, BTreeMap::from([("incitement".into(), 2), ("violence".into(), 1)]));
    assert_eq!(t.by_priority, BTreeMap::from([(1, 2), (3, 1)]));
    assert_eq!(t.by_lang, BTreeMap::from([("ar".into(), 1), ("kk".into(), 1), ("ru".into(), 1)]));
    assert_eq!(t.by_site, BTreeMap::from([("http://127.0.0.1:9".into(), 1), ("https://a.kz".into(), 1), ("local".into(), 1)]));
    let p1: Vec<(&str, Option<&str>)> = d.priority1.iter().map(|i| (i.item_id.as_str(), i.decision.as_deref())).collect();
    assert_eq!(p1, [("k4", None), ("k5", Some("dismissed"))]);
    assert_eq!((d.open, d.open_priority1), (2, 1), "k4 and k6 wait for a decision");
    assert_eq!(d.queues, ["incitement", "terrorism", "violence"]);
    let n: Vec<(&str, u64, u64, u64, u64)> = d.nights.iter().map(|n| (n.run_id.as_str(), n.findings, n.confirmed, n.escalated, n.dismissed)).collect();
    assert_eq!(n, [("r1", 3, 1, 1, 1), ("r2", 3, 0, 0, 1)]);
    assert_eq!(d.nights[0].by_queue, BTreeMap::from([("terrorism".into(), (1, 1)), ("violence".into(), (1, 2))]));
    assert_eq!(d.nights[1].by_queue, BTreeMap::from([("incitement".into(), (0, 1)), ("violence".into(), (0, 0))]));
    let h = &d.health;
    assert!(h.recorded);
    assert_eq!((h.requests, h.pages_analysed, h.tried, h.failed), (7, 4, 3, 2));
    assert_eq!(h.unreachable, [("http://127.0.0.1:9".to_string(), "connection refused".to_string())]);
    assert_eq!(h.given_up, [("https://slow.kz".to_string(), "6 failures in a row".to_string(), 12)]);
    assert_eq!(h.by_reason, BTreeMap::from([("HTTP 404".into(), 1), ("connection refused".into(), 1)]));
    assert_eq!(h.night_failed.len(), 3, "{:?}", h.night_failed);
    assert_eq!(d.noisy.first().map(|e| (e.key.as_str(), e.hits, e.dismissed)), Some(("ru:убить:violence", 6, 2)));
    // An earlier run: its own findings, and only the nights up to it.
    let early = gather(&store.conn, Some("r1"), &BTreeMap::new()).unwrap();
    assert_eq!((early.tonight.total, early.nights.len(), early.health.recorded), (3, 1, false));
    assert_eq!(early.tonight.by_queue.get("extremism"), Some(&1), "no route: the category's own queue");
    assert!(matches!(gather(&store.conn, Some("r9"), &route), Err(ReportError::NoSuchRun(_))));
    let html = render(&d);
    for part in ["<b>3</b> new findings", "<b>2</b> new priority 1", "<td>http://127.0.0.1:9</td><td>seed host unreachable</td><td>connection refused</td>", "x <mark>убить</mark> y"] {
        assert!(html.contains(part), "{part}");
    }
}

#[test]
fn publishes_the_latest_run_also_as_out_report_html() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("kuzet.sqlite"), None).unwrap();
    assert!(matches!(publish(&store.conn, None, &BTreeMap::new(), dir.path()), Err(ReportError::NoRuns)));
    store
        .write(|tx| {
            tx.execute("INSERT INTO run (id, started_at, status, lexicon_version) VALUES ('r1', 1000, 'finished', 'lex'), ('r2', 2000, 'finished', 'lex')", [])
        })
        .unwrap();
    let out = dir.path().join("out");
    let written = publish(&store.conn, Some("r1"), &BTreeMap::new(), &out).unwrap();
    assert_eq!(written, [out.join("runs/r1/report.html")], "an older run leaves OUT/report.html alone");
    let written = publish(&store.conn, None, &BTreeMap::new(), &out).unwrap();
    assert_eq!(written, [out.join("runs/r2/report.html"), out.join("report.html")]);
    assert_eq!(std::fs::read(&written[0]).unwrap(), std::fs::read(&written[1]).unwrap());
}
