//! Issue 18, acceptance: one queue row per message, not per copy, and a reviewer's decision
//! carried to new copies, night after night (`kuzet run` on a loopback site, `kuzet review
//! import` in between). Nothing here sends traffic anywhere but 127.0.0.1.
use std::collections::{BTreeSet, HashMap};

use crate::nightly::{EVERY_RUN, Site, ok, reviewed};
use crate::util::kuzet;

/// The message's sentences; each copy is edited differently.
const S: [&str; 3] = [
    "We will kill the traitors of the valley at the old bridge.",
    "Nobody stays home this time, everyone brings what they have.",
    "Meet at dawn near the mill and tell the others in the village.",
];

/// Copy `n` of the message, edited: sentences reordered, a line dropped, links, emoji, case,
/// and a different signature or channel footer on each.
fn copy(n: usize) -> String {
    let lines: Vec<String> = match n {
        1 => vec![S[0].into(), S[1].into(), S[2].into(), "— Valley Voice".into()],
        2 => vec![S[1].into(), S[0].into(), format!("{} 🔥🔥", S[2]), "https://t.me/valley_two".into()],
        3 => vec![S[0].into(), S[2].into(), "Subscribe to the channel".into()],
        4 => vec![S[0].to_uppercase(), S[1].into(), S[2].into(), "Forwarded from Mountain News".into()],
        5 => vec![S[2].into(), S[0].into(), S[1].into(), "✊ share it: https://example.org/v5".into()],
        _ => vec![format!("{} {}", S[0], S[1]), S[2].into(), format!("— channel {n}, https://t.me/c{n}")],
    };
    lines.iter().map(|l| format!("<p>{l}</p>")).collect()
}

fn index(pages: &[&str]) -> String {
    pages.iter().map(|p| format!("<a href='{p}'>{p}</a> ")).collect()
}

/// `members.csv` as maps from column to value.
pub(crate) fn members(site: &Site) -> Vec<HashMap<String, String>> {
    let bytes = std::fs::read(site.out().join("queues/members.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "members.csv has a BOM as the queues do");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&bytes[3..]);
    let records: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    assert_eq!(records[0], kuzet::cluster_queue::MEMBER_COLUMNS);
    records[1..].iter().map(|r| records[0].iter().cloned().zip(r.iter().cloned()).collect()).collect()
}

fn page(url: &str) -> String {
    url.rsplit('/').next().unwrap_or("").to_string()
}

#[test]
fn five_copies_make_one_row_a_dismissal_carries_and_a_copy_with_a_new_call_comes_back() {
    let pages = ["a.html", "b.html", "c.html", "d.html", "e.html"];
    let mut site_pages: Vec<(String, String)> = vec![("index.html".into(), index(&pages))];
    site_pages.extend(pages.iter().enumerate().map(|(i, p)| (p.to_string(), copy(i + 1))));
    let refs: Vec<(&str, &str)> = site_pages.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let site = Site::new(&refs);
    // a low flood floor, so that tonight's five findings, all holding `kill`, are a flood
    let config = site.config(&format!("{EVERY_RUN}[flood]\nmin_items = 3\n"));

    // Night 1: five copies on five pages, one row.
    let (out, _) = site.run(&config);
    let stdout = ok(&out);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let rows = site.rows();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    let cluster = row["cluster_id"].clone();
    assert_eq!((row["cluster_members"].as_str(), row["cluster_hosts"].as_str()), ("5", "1"), "{row:?}");
    assert!(!cluster.is_empty() && !row["cluster_first_seen"].is_empty(), "{row:?}");
    let m = members(&site);
    assert_eq!(m.len(), 5, "{m:?}");
    assert!(m.iter().all(|r| r["cluster_id"] == cluster && !r["evidence_file"].is_empty() && !r["evidence_sha256"].is_empty()), "{m:?}");
    assert_eq!(m.iter().map(|r| page(&r["url"])).collect::<BTreeSet<_>>(), pages.iter().map(|p| p.to_string()).collect());
    let queued: Vec<&str> = m.iter().filter(|r| r["queue_row"] == "yes").map(|r| r["item_id"].as_str()).collect();
    assert_eq!(queued, [row["item_id"].as_str()]);
    assert_eq!(m[0]["item_id"], cluster, "the cluster is named after its first member");
    let s = site.summary();
    assert_eq!((s["night"]["new_findings"].as_u64(), s["night"]["queued"].as_u64(), s["night"]["copies_grouped"].as_u64()), (Some(5), Some(1), Some(4)), "{s}");
    // the flood guard names the entry and groups the night's findings, in the run's output and the report
    let floods = s["night"]["floods"].as_array().unwrap();
    assert!(floods.iter().any(|f| f["key"].as_str().is_some_and(|k| k.contains("kill")) && f["fired"] == 5 && f["grouped"] == 5), "{s}");
    assert!(stderr.contains("kuzet: flood: ") && stderr.contains("fired on 5 of tonight's findings"), "{stderr}");
    let report = std::fs::read_to_string(site.out().join("report.html")).unwrap();
    assert!(report.contains("<h3>Flood: ") && report.contains("fired on 5 of tonight's findings"), "{report}");
    // every member's evidence reference in members.csv names its capture
    let verify = kuzet(&["evidence", "verify", "--out", site.out().to_str().unwrap()]);
    let verified = String::from_utf8_lossy(&verify.stdout).into_owned();
    assert!(verify.status.success(), "{verified}{}", String::from_utf8_lossy(&verify.stderr));
    assert!(verified.contains(", 6 queue rows"), "the queue row and the five members: {verified}");
    let book = kuzet::workbook::read(&std::fs::read(site.out().join("queues").join(s["queues"].as_array().unwrap().iter().filter_map(|q| q.as_str()).find(|q| q.ends_with(".xlsx")).unwrap().trim_start_matches("queues/"))).unwrap()).unwrap();
    let sheet = book.iter().find(|sh| sh.name == "members").expect("a members sheet");
    assert_eq!(sheet.rows.len(), 6, "header and five members");
    println!("night 1: {} queue row for {} copies on {} pages; members.csv {} rows; stdout: {}", rows.len(), row["cluster_members"], pages.len(), m.len(), stdout.lines().find(|l| l.starts_with("clusters:")).unwrap_or(""));

    // A reviewer dismisses the row.
    let saved = site.dir.path().join("reviewed.csv");
    let queue = site.out().join("queues").join(format!("{}.csv", row["category"]));
    std::fs::write(&saved, reviewed(&queue, &[(&page(&row["ref"]), "dismissed", "old propaganda, known")], b',', false)).unwrap();
    assert!(ok(&kuzet(&["review", "import", "--config", config.to_str().unwrap(), saved.to_str().unwrap()])).contains("1 decisions imported"));

    // Night 2: a sixth copy on a new page: nothing queued; it takes the dismissal. (The first
    // copies' sightings are made old, to see the unchanged pages seen again.)
    site.db().execute("UPDATE cluster_member SET last_seen = 0", []).unwrap();
    site.db().execute("UPDATE cluster SET last_seen = 0", []).unwrap();
    site.set("index.html", &index(&["a.html", "b.html", "c.html", "d.html", "e.html", "f.html"]));
    site.set("f.html", &copy(6));
    let stdout = ok(&site.run(&config).0);
    assert!(site.rows().is_empty(), "{:?}", site.rows());
    let db = site.db();
    let (item, carried_from, notes, source): (String, String, String, String) = db
        .query_row(
            "SELECT m.item_id, m.carried_from, d.notes, d.source FROM cluster_member m JOIN decision d ON d.item_id = m.item_id WHERE m.url LIKE '%/f.html'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!((carried_from.as_str(), notes.as_str(), source.as_str()), (row["item_id"].as_str(), format!("carried from item {}", row["item_id"]).as_str(), format!("cluster:{cluster}").as_str()));
    let stale: i64 = db.query_row("SELECT count(*) FROM cluster_member WHERE last_seen = 0", [], |r| r.get(0)).unwrap();
    let cluster_seen: i64 = db.query_row("SELECT last_seen FROM cluster WHERE id = ?1", [&cluster], |r| r.get(0)).unwrap();
    assert_eq!((stale, cluster_seen > 0), (0, true), "copies on unchanged pages are seen again");
    let latest: String = db.query_row("SELECT decision FROM decision WHERE item_id = ?1 ORDER BY id DESC LIMIT 1", [&item], |r| r.get(0)).unwrap();
    assert_eq!(latest, "dismissed");
    let s = site.summary();
    // the sixth copy and the four copies listed under the dismissed row
    assert_eq!((s["night"]["decisions_carried"].as_u64(), s["night"]["queued"].as_u64()), (Some(5), Some(0)), "{s}");
    let report = std::fs::read_to_string(site.out().join("report.html")).unwrap();
    assert!(report.contains("Decisions carried to new copies (5)") && report.contains(&format!("<td>{item}</td><td>dismissed</td><td>carried from item")), "{report}");
    println!("night 2: {} queue rows; sixth copy {item} took 'dismissed' ({notes}); {}", site.rows().len(), stdout.lines().find(|l| l.starts_with("clusters:")).unwrap_or(""));

    // Night 3: a copy with a new call to violence comes back, in the same cluster.
    site.set("index.html", &index(&["a.html", "b.html", "c.html", "d.html", "e.html", "f.html", "g.html"]));
    site.set("g.html", &format!("{}<p>Then bomb the station.</p>", copy(7)));
    let stdout = ok(&site.run(&config).0);
    let rows = site.rows();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let back = &rows[0];
    assert_eq!((page(&back["ref"]).as_str(), back["cluster_id"].as_str(), back["cluster_members"].as_str()), ("g.html", cluster.as_str(), "7"), "{back:?}");
    assert!(back["matched_terms"].contains("bomb"), "{back:?}");
    assert!(back["history"].contains("dismissed by") && back["history"].contains("old propaganda, known"), "the cluster's decision is shown: {back:?}");
    let s = site.summary();
    assert_eq!((s["night"]["copies_requeued"].as_u64(), s["night"]["decisions_carried"].as_u64()), (Some(1), Some(0)), "{s}");
    println!("night 3: {} queue row ({}, cluster {} of {} members, history: {}); {}", rows.len(), page(&back["ref"]), back["cluster_id"], back["cluster_members"], back["history"], stdout.lines().find(|l| l.starts_with("clusters:")).unwrap_or(""));
}
