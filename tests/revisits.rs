//! Revisits that follow the world (`kuzet run`): a new lexicon version makes every known page
//! due once, `--revisit all|flagged|failed` forces one night's revisits, and changed
//! `[revisit]` hours apply to pages already scheduled. Loopback only.
use std::path::{Path, PathBuf};

use kuzet::serve::Request;

use crate::nightly::{Site, ok, pages, small_site};
use crate::util::{kuzet, root};

/// A config for `site` reading the lexicons in `lexicons`, with `extra` TOML appended.
fn config(site: &Site, lexicons: &Path, extra: &str) -> PathBuf {
    std::fs::write(site.dir.path().join("seeds.txt"), format!("{}\n", site.server.url())).unwrap();
    let text = format!("seeds = \"seeds.txt\"\nlexicons = {:?}\nout = \"out\"\nstore = \"state/kuzet.sqlite\"\nallow_private = true\ndelay_ms = 0\n{extra}", lexicons.display().to_string());
    let path = site.dir.path().join("nightly.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `kuzet run` with `args` before the config; returns the pages requested.
fn run(site: &Site, config: &Path, args: &[&str]) -> Vec<Request> {
    let before = site.server.requests().len();
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.push(config.to_str().unwrap());
    ok(&kuzet(&all));
    site.server.requests()[before..].iter().filter(|r| r.path != "/robots.txt").cloned().collect()
}

/// The fixture lexicons copied into `dir` (to be edited).
fn lexicon_copy(dir: &Path) -> PathBuf {
    let to = dir.join("lexicons");
    for entry in ["rules.toml", "en/rules.toml", "en/tests.csv", "en/violence.csv", "ru/rules.toml", "ru/incitement.csv"] {
        let from = root().join("tests/fixtures/lexicons").join(entry);
        std::fs::create_dir_all(to.join(entry).parent().unwrap()).unwrap();
        std::fs::copy(from, to.join(entry)).unwrap();
    }
    to
}

fn analysed(site: &Site) -> u64 {
    site.summary()["read"].as_u64().unwrap()
}

const ALL: [&str; 5] = ["/", "/a.html", "/b.html", "/c.html", "/d.html"];

#[test]
fn a_new_lexicon_version_makes_every_known_page_due_once() {
    let site = small_site();
    let lexicons = lexicon_copy(site.dir.path());
    // The default revisit policy: nothing is due again the same day.
    let config = config(&site, &lexicons, "");
    assert_eq!(pages(&run(&site, &config, &[])), ALL);
    assert!(run(&site, &config, &[]).is_empty(), "nothing due with the same lexicons");

    let mut csv = std::fs::read_to_string(lexicons.join("en/violence.csv")).unwrap();
    csv.push_str("stab,violence,5,a new entry,cta_verb,\n");
    std::fs::write(lexicons.join("en/violence.csv"), csv).unwrap();
    let requests = run(&site, &config, &[]);
    assert_eq!(pages(&requests), ALL, "every known page again under the new version");
    assert!(requests.iter().all(|r| r.header("if-none-match").is_none()), "unconditionally: {requests:?}");
    assert_eq!(analysed(&site), 5, "and analysed again");
    let versions: Vec<String> = site.db().prepare("SELECT DISTINCT lexicon_version FROM url WHERE lexicon_version IS NOT NULL").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(versions.len(), 1, "{versions:?}");
    assert!(run(&site, &config, &[]).is_empty(), "once: the next night nothing is due");
}

#[test]
fn revisit_flag_forces_one_nights_revisits() {
    let site = small_site();
    let lexicons = root().join("tests/fixtures/lexicons");
    // The failed page below does not fail the night.
    let config = config(&site, &lexicons, "[crawl]\nmax_failed_share = 1.0\n");
    run(&site, &config, &[]);
    assert!(run(&site, &config, &[]).is_empty());

    let flagged = run(&site, &config, &["--revisit", "flagged"]);
    assert_eq!(pages(&flagged), ["/a.html", "/b.html"]);
    assert!(flagged.iter().all(|r| r.header("if-none-match").is_none()), "analysed again whatever they hold");
    assert_eq!(analysed(&site), 2);

    let all = run(&site, &config, &["--revisit", "all"]);
    assert_eq!(pages(&all), ALL);
    assert_eq!(analysed(&site), 5);
    assert!(run(&site, &config, &[]).is_empty(), "for one night only");

    // A page that failed: --revisit failed fetches it (and only it) before its back-off ends.
    site.set("index.html", "<a href='a.html'>a</a> <a href='gone.html'>gone</a>");
    let with_gone = run(&site, &config, &["--revisit", "all"]);
    assert!(pages(&with_gone).contains(&"/gone.html".to_string()), "{with_gone:?}");
    let state: String = site.db().query_row("SELECT state FROM url WHERE url LIKE '%gone.html'", [], |r| r.get(0)).unwrap();
    assert_eq!(state, "failed");
    assert!(run(&site, &config, &[]).is_empty());
    assert_eq!(pages(&run(&site, &config, &["--revisit", "failed"])), ["/gone.html"]);

    let bad = kuzet(&["run", "--revisit", "sometimes", config.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("possible values: all, flagged, failed"));
}

#[test]
fn lowered_revisit_hours_make_scheduled_pages_due() {
    let site = small_site();
    let lexicons = root().join("tests/fixtures/lexicons");
    run(&site, &config(&site, &lexicons, ""), &[]);
    assert!(run(&site, &config(&site, &lexicons, ""), &[]).is_empty());
    // Flagged pages every run now: a.html and b.html were scheduled 20 hours out.
    let flagged_now = config(&site, &lexicons, "[revisit]\nflagged_hours = 0\n");
    let requests = run(&site, &flagged_now, &[]);
    assert_eq!(pages(&requests), ["/a.html", "/b.html"]);
    assert!(requests.iter().all(|r| r.header("if-none-match").is_some()), "a scheduled visit is conditional");
    // Everything every run.
    let every_run = config(&site, &lexicons, "[revisit]\nflagged_hours = 0\nbenign_hours = 0\nmax_hours = 0\nseeds_hours = 0\n");
    assert_eq!(pages(&run(&site, &every_run, &[])), ALL);
    // Back to the defaults: nothing due, as the intervals from the last visit have not passed.
    assert!(run(&site, &config(&site, &lexicons, ""), &[]).is_empty());
}
