//! Issue 15, point 10, the smaller items: the run's URL counts, the guard's refusal naming the
//! config key under `run`, resolved paths in errors, every unknown config key reported.
//! (Import line numbers of CRLF files: `review::case06_*` and the unit tests of `review`.)
use crate::nightly::{ok, small_site};
use crate::util::{kuzet, root, tempdir};

#[test]
fn the_run_says_how_many_urls_were_due_and_how_many_it_discovered() {
    let site = small_site();
    let config = site.config("");
    let stdout = ok(&site.run(&config).0);
    // Before: "1 URLs due of 5 known", then 4 more pages fetched.
    assert!(stdout.contains("URLs: 1 due at the start, 4 discovered during the run, 5 known;"), "{stdout}");
    let night = &site.summary()["night"];
    assert_eq!((night["urls_due"].as_u64(), night["urls_discovered"].as_u64(), night["urls_known"].as_u64()), (Some(1), Some(4), Some(5)));
    let stdout = ok(&site.run(&config).0);
    assert!(stdout.contains("URLs: 0 due at the start, 0 discovered during the run, 5 known;"), "{stdout}");
}

#[test]
fn the_guard_under_run_names_the_config_key() {
    let site = small_site();
    let config = site.config("");
    let text = std::fs::read_to_string(&config).unwrap().replace("allow_private = true", "allow_private = false");
    std::fs::write(&config, text).unwrap();
    let (out, requests) = site.run(&config);
    assert_eq!(out.status.code(), Some(1));
    assert!(requests.is_empty(), "the guard refused the loopback seed");
    let log = std::fs::read_to_string(site.out().join("crawl.csv")).unwrap();
    assert!(log.contains("allow_private = true in the config lifts it") && !log.contains("--allow-private"), "{log}");
    // `kuzet crawl` names its flag.
    let dir = tempdir();
    std::fs::write(dir.path().join("seeds.txt"), site.server.url()).unwrap();
    let out = kuzet(&["crawl", "--seeds", dir.path().join("seeds.txt").to_str().unwrap(), "--lexicons", "tests/fixtures/lexicons", "--out", dir.path().join("o").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let log = std::fs::read_to_string(dir.path().join("o/crawl.csv")).unwrap();
    assert!(log.contains("--allow-private lifts it"), "{log}");
}

#[test]
fn paths_in_errors_are_resolved() {
    // `kuzet` runs from the crate root: relative paths are shown from there, cleaned.
    let out = kuzet(&["run", "tests/../no-such.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("reading {}", root().join("no-such.toml").display())), "{stderr}");

    let site = small_site();
    let config = site.config("");
    std::fs::remove_file(site.dir.path().join("seeds.txt")).unwrap();
    let out = kuzet(&["run", "--check", config.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("reading seeds {}", site.dir.path().join("seeds.txt").display())), "{stderr}");

    let out = kuzet(&["crawl", "--seeds", "tests/../no-seeds.txt", "--out", "/nonexistent/out"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("reading seeds {}", root().join("no-seeds.txt").display())), "{stderr}");
}

#[test]
fn every_unknown_config_key_is_reported() {
    let site = small_site();
    let config = site.config("colour = 1\n[crawl]\nconcurency = 4\nmax_dpeth = 2\n[revisit]\nflaged_hours = 1\n");
    let out = kuzet(&["run", "--check", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let path = config.display();
    // The config's first seven lines are the site's own (seeds ... delay_ms).
    for (line, key) in [(7, "colour"), (9, "concurency"), (10, "max_dpeth"), (12, "flaged_hours")] {
        assert!(stderr.contains(&format!("{path}:{line}: unknown field `{key}`")), "{key}: {stderr}");
    }
    // `kuzet crawl --config` too.
    let crawl_config = site.dir.path().join("crawl.toml");
    std::fs::write(&crawl_config, "delay = 1\nretires = 2\n").unwrap();
    let seeds = site.dir.path().join("seeds.txt");
    let out = kuzet(&["crawl", "--seeds", seeds.to_str().unwrap(), "--config", crawl_config.to_str().unwrap(), "--out", "/nonexistent"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let path = crawl_config.display();
    assert!(stderr.contains(&format!("{path}:1: unknown field `delay`")) && stderr.contains(&format!("{path}:2: unknown field `retires`")), "{stderr}");
}
