//! Posts, not pages (issue 16): a forum thread split into posts by a site adapter is queued
//! post by post, and the nightly job only queues a known thread's new or edited posts. All
//! traffic stays on 127.0.0.1.
use std::collections::HashMap;

use crate::nightly::{EVERY_RUN, Site, ok};
use crate::util::{kuzet, tempdir};

/// A phpBB-style thread of `posts` (id, author, time, text).
fn thread(posts: &[(u32, &str, &str, &str)]) -> String {
    let mut html = String::from("<div id='phpbb'><h2 class='topic-title'>Weekend plans</h2>");
    for (id, author, time, text) in posts {
        html.push_str(&format!(
            "<div id='p{id}' class='post'><div class='postbody'><p class='author'>by <a class='username'>{author}</a> <time datetime='{time}'>{time}</time></p>\
             <div class='content'>{text}</div></div></div>"
        ));
    }
    html.push_str("</div>");
    html
}

const HARMLESS: [(u32, &str, &str, &str); 3] = [
    (1, "ann", "2026-11-01T10:00:00Z", "Who is coming to the picnic on Saturday?"),
    (3, "cid", "2026-11-01T12:00:00Z", "I will bring the lemonade."),
    (4, "dan", "2026-11-01T13:00:00Z", "Nice weather today, see you there."),
];
const VIOLENT: (u32, &str, &str, &str) = (2, "bob", "2026-11-01T11:00:00Z", "I will kill you tomorrow.");

fn new_tonight(site: &Site) -> Vec<HashMap<String, String>> {
    site.rows().into_iter().filter(|r| r["new_tonight"] == "yes").collect()
}

fn fragment(row: &HashMap<String, String>) -> String {
    row["ref"].rsplit('#').next().unwrap_or("").to_string()
}

#[test]
fn a_thread_is_queued_post_by_post_and_nightly_queues_only_new_posts() {
    let mut posts = vec![HARMLESS[0], VIOLENT, HARMLESS[1], HARMLESS[2]];
    let site = Site::new(&[("index.html", "<a href='thread.html'>thread</a>"), ("thread.html", &thread(&posts))]);
    let config = site.config(EVERY_RUN);

    // Night 1: the violent post is one row whose ref is its permalink; the others are not queued.
    ok(&site.run(&config).0);
    let rows = new_tonight(&site);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(row["ref"], format!("{}thread.html#p2", site.server.url()));
    assert_eq!(row["url"], format!("{}thread.html", site.server.url()));
    assert_eq!((row["author"].as_str(), row["posted"].as_str(), row["title"].as_str()), ("bob", "2026-11-01T11:00:00Z", "Weekend plans"));
    assert!(row["snippet"].contains("⟦kill⟧ you tomorrow") && !row["snippet"].contains("lemonade"), "{row:?}");
    let s = site.summary();
    assert_eq!((s["night"]["posts_new_or_edited"].as_u64(), s["night"]["new_findings"].as_u64()), (Some(4), Some(1)), "{s}");

    // Night 2: one new harmless reply queues nothing new; the known posts are not queued again.
    posts.push((5, "eve", "2026-11-02T09:00:00Z", "Can I bring my dog?"));
    site.set("thread.html", &thread(&posts));
    ok(&site.run(&config).0);
    assert_eq!(new_tonight(&site), Vec::<HashMap<String, String>>::new());
    let s = site.summary();
    assert_eq!((s["night"]["posts_new_or_edited"].as_u64(), s["night"]["posts_unchanged"].as_u64(), s["night"]["new_findings"].as_u64()), (Some(1), Some(4), Some(0)), "{s}");
    assert_eq!(site.rows().len(), 1, "the undecided post stays in the live queue");

    // Night 3: a new violent reply queues only that reply.
    posts.push((6, "fox", "2026-11-02T10:00:00Z", "Behead the infidels, kill them."));
    site.set("thread.html", &thread(&posts));
    ok(&site.run(&config).0);
    let rows = new_tonight(&site);
    assert_eq!(rows.iter().map(fragment).collect::<Vec<_>>(), ["p6"], "{rows:?}");
    assert_eq!(rows[0]["author"], "fox");

    // Night 4: a deleted post is recorded as gone; its finding stays for the reviewers.
    posts.retain(|p| p.0 != 2);
    site.set("thread.html", &thread(&posts));
    ok(&site.run(&config).0);
    assert_eq!(site.summary()["night"]["posts_gone"], 1);
    let state: String = site.db().query_row("SELECT state FROM item WHERE permalink LIKE '%#p2'", [], |r| r.get(0)).unwrap();
    assert_eq!(state, "gone");
    let live: Vec<String> = site.rows().iter().map(fragment).collect();
    assert!(live.contains(&"p2".to_string()) && live.contains(&"p6".to_string()), "{live:?}");

    // Night 5: an edited post is analysed again: the harmless p1 turned violent is queued.
    posts[0].3 = "Now kill them all.";
    site.set("thread.html", &thread(&posts));
    ok(&site.run(&config).0);
    let rows = new_tonight(&site);
    let findings: Vec<(String, String, String)> = site.db().prepare("SELECT ref, status, snippet FROM finding").unwrap().query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
    assert_eq!(rows.iter().map(fragment).collect::<Vec<_>>(), ["p1"], "{rows:?} {findings:?}");
}

#[test]
fn a_malformed_adapter_file_exits_2_naming_file_line_and_selector() {
    let dir = tempdir();
    let adapters = dir.path().join("adapters");
    std::fs::create_dir_all(&adapters).unwrap();
    std::fs::write(adapters.join("forum.toml"), "name = \"forum\"\nhints = [\"post\"]\nitem = \"div.post\"\nauthor = \"span..who\"\n").unwrap();
    std::fs::write(dir.path().join("seeds.txt"), "http://127.0.0.1:9/\n").unwrap();
    let out = dir.path().join("out");
    let output = kuzet(&["crawl", "--seeds", dir.path().join("seeds.txt").to_str().unwrap(), "--out", out.to_str().unwrap(), "--adapters", adapters.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let want = format!("{}:4: selector `span..who` does not parse", adapters.join("forum.toml").display());
    assert!(stderr.contains(&want), "want {want:?} in:\n{stderr}");
}

#[test]
fn the_demo_queues_the_violent_posts_not_their_pages() {
    let dir = tempdir();
    let out = dir.path().join("demo");
    let output = kuzet(&["demo", "--addr", "127.0.0.1:0", "--out", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let mut rows = Vec::new();
    for (_, records) in crate::util::queues(&out) {
        let header = &records[0];
        rows.extend(records[1..].iter().map(|r| header.iter().cloned().zip(r.iter().cloned()).collect::<HashMap<_, _>>()));
    }
    let posts: Vec<(String, &str, &str)> = rows
        .iter()
        .filter(|r| r["url"].contains("/forum/viewtopic-hiking.html") || r["url"].contains("/channel/dala-city.html"))
        .map(|r| (r["ref"].rsplit('/').next().unwrap_or("").to_string(), r["author"].as_str(), r["reply_to"].as_str()))
        .collect();
    let reply_to = posts.iter().find(|p| p.0 == "dala-city.html#303").map(|p| p.2.rsplit('/').next().unwrap_or(""));
    assert_eq!(posts.len(), 2, "{posts:?}");
    assert!(posts.iter().any(|p| p.0 == "viewtopic-hiking.html#p503" && p.1 == "quiet_ranger"), "{posts:?}");
    assert!(posts.iter().any(|p| p.0 == "dala-city.html#303" && p.1 == "Dala City"), "{posts:?}");
    assert_eq!(reply_to, Some("dala-city.html#302"));
}

/// A channel preview page `n` (Telegram markup) with one message dated `date`, its older
/// messages on page `n + 1`.
fn channel_page(n: u32, date: &str) -> String {
    format!(
        "<section class='tgme_channel_history'><a class='tme_messages_more' data-before='{n}' href='chan-{}.html'></a>\
         <div class='tgme_widget_message' data-post='c/{n}'><div class='tgme_widget_message_bubble'>\
         <div class='tgme_widget_message_text'>Message {n}: the market opens at nine.</div>\
         <a class='tgme_widget_message_date' href='chan-{n}.html#m{n}'><time datetime='{date}'>x</time></a></div></div></section>",
        n + 1
    )
}

#[test]
fn paging_back_stops_at_max_pages_back_and_max_age_days() {
    let today = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let recent = kuzet::timestamp(today as u64 - 86_400);
    let recent = format!("{}-{}-{}T10:00:00Z", &recent[..4], &recent[4..6], &recent[6..8]);
    let pages: Vec<(String, String)> = (0..6).map(|n| (format!("chan-{n}.html"), channel_page(n, if n < 4 { &recent } else { "2020-01-01T00:00:00Z" }))).collect();
    let mut site_pages: Vec<(&str, &str)> = pages.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    site_pages.push(("index.html", "<a href='chan-0.html'>channel</a>"));
    let fetched = |extra: &str| {
        let site = Site::new(&site_pages);
        let config = site.config(&format!("{EVERY_RUN}[crawl]\nmax_depth = 1\n{extra}"));
        let (output, requests) = site.run(&config);
        ok(&output);
        crate::nightly::pages(&requests)
    };
    // Two pages back beyond max_depth, no further.
    assert_eq!(fetched("max_pages_back = 2\nmax_age_days = 0\n"), ["/", "/chan-0.html", "/chan-1.html", "/chan-2.html"]);
    // None back.
    assert_eq!(fetched("max_pages_back = 0\n"), ["/", "/chan-0.html"]);
    // Back until a page's oldest post is older than max_age_days: chan-4 (2020) is fetched, its older link not followed.
    assert_eq!(fetched("max_pages_back = 10\nmax_age_days = 30\n"), ["/", "/chan-0.html", "/chan-1.html", "/chan-2.html", "/chan-3.html", "/chan-4.html"]);
}
