//! Install and deployment (issue 15, points 6 and 7): the binary alone in an empty folder runs
//! the demo and classifies with what it carries; the exported lexicons are the same version.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::{root, tempdir};

/// A copy of the kuzet binary alone in `dir`.
fn lone_binary(dir: &Path) -> PathBuf {
    let bin = dir.join("kuzet");
    std::fs::copy(env!("CARGO_BIN_EXE_kuzet"), &bin).expect("copy the binary");
    bin
}

/// Runs `bin` with `args`, its folder as the current folder and HOME.
fn run_in(bin: &Path, args: &[&str]) -> Output {
    let dir = bin.parent().expect("the binary's folder");
    Command::new(bin).args(args).current_dir(dir).env("HOME", dir).env_remove("RUST_LOG").output().expect("run the copied kuzet")
}

fn text(o: &Output) -> String {
    format!("exit {:?}\nstdout:\n{}\nstderr:\n{}", o.status.code(), String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn lexicon_version(summary: &Path) -> String {
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(summary).expect("summary.json")).expect("summary JSON");
    summary["lexicon_version"].as_str().expect("lexicon_version").to_string()
}

#[test]
fn binary_alone_in_an_empty_folder_runs_the_demo_and_classifies() {
    let dir = tempdir();
    let bin = lone_binary(dir.path());
    let build = root();
    let build = build.to_str().unwrap();
    // No default names the build folder (they used to: `[default: /work/main/lexicons]`).
    for args in [&["classify", "--help"][..], &["lexicon", "lint", "--help"], &["lexicon", "test", "--help"], &["demo", "--help"], &["crawl", "--help"]] {
        let help = run_in(&bin, args);
        assert!(help.status.success() && !String::from_utf8_lossy(&help.stdout).contains(build), "{args:?}: {}", text(&help));
    }

    let demo = run_in(&bin, &["demo", "--addr", "127.0.0.1:0"]);
    let stdout = String::from_utf8_lossy(&demo.stdout);
    assert_eq!(demo.status.code(), Some(0), "{}", text(&demo));
    assert!(stdout.contains("serving the bundled sample site at http://127.0.0.1:") && !stdout.contains(build), "{}", text(&demo));
    let out = dir.path().join("out/demo");
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("out/demo/summary.json")).unwrap();
    let (pages, flagged) = (summary["crawl"]["pages_analysed"].as_u64().unwrap(), summary["flagged"].as_u64().unwrap());
    assert!(pages >= 30 && flagged >= 5, "the sample site has over 30 pages and several flagged ones; analysed {pages}, flagged {flagged}");

    std::fs::write(dir.path().join("post.txt"), "Brothers, take up arms and kill the infidels, blow up their station tonight.").unwrap();
    let classify = run_in(&bin, &["classify", "--out", "local", "post.txt"]);
    assert_eq!(classify.status.code(), Some(0), "{}", text(&classify));
    let local: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("local/summary.json")).unwrap()).unwrap();
    assert_eq!((local["read"].as_u64(), local["flagged"].as_u64()), (Some(1), Some(1)), "{local}");

    for args in [&["lexicon", "lint"][..], &["lexicon", "test"]] {
        let o = run_in(&bin, args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o));
    }
    let version = lexicon_version(&out.join("summary.json"));
    assert_eq!(lexicon_version(&dir.path().join("local/summary.json")), version);
    println!("binary alone in {}: demo analysed {pages} pages, flagged {flagged}; classify flagged 1 of 1; lexicon {version}", dir.path().display());
}

#[test]
fn exported_lexicons_are_the_bundled_version_and_override_it() {
    let dir = tempdir();
    let bin = lone_binary(dir.path());
    let export = run_in(&bin, &["lexicon", "export", "lex"]);
    assert_eq!(export.status.code(), Some(0), "{}", text(&export));
    let again = run_in(&bin, &["lexicon", "export", "lex"]);
    assert_eq!(again.status.code(), Some(2), "a second export without --force is refused: {}", text(&again));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists (give --force to overwrite)"), "{}", text(&again));
    assert_eq!(run_in(&bin, &["lexicon", "export", "lex", "--force"]).status.code(), Some(0));

    std::fs::write(dir.path().join("post.txt"), "Kill them all tonight, brothers.").unwrap();
    let bundled = run_in(&bin, &["classify", "--out", "a", "post.txt"]);
    let exported = run_in(&bin, &["classify", "--lexicons", "lex", "--out", "b", "post.txt"]);
    assert!(bundled.status.success() && exported.status.success(), "{}\n{}", text(&bundled), text(&exported));
    let (a, b) = (lexicon_version(&dir.path().join("a/summary.json")), lexicon_version(&dir.path().join("b/summary.json")));
    assert_eq!(a, b, "bundled and exported lexicons are one version");

    // An edited copy is a new version, used when given.
    let en = dir.path().join("lex/en/violence.csv");
    let mut csv = std::fs::read_to_string(&en).unwrap();
    csv.push_str("zorblatt*,violence,9,made-up entry for the test,\n");
    std::fs::write(&en, csv).unwrap();
    std::fs::write(dir.path().join("post.txt"), "zorblatt zorblatting").unwrap();
    let edited = run_in(&bin, &["classify", "--lexicons", "lex", "--out", "c", "post.txt"]);
    assert!(edited.status.success(), "{}", text(&edited));
    let c = lexicon_version(&dir.path().join("c/summary.json"));
    assert_ne!(c, a, "an edited lexicon is another version");
    let queue = std::fs::read_to_string(dir.path().join("c/queues/violence.csv")).unwrap();
    assert!(queue.contains("zorblatt"), "the edited lexicon was used:\n{queue}");
    println!("bundled {a} = exported {b}; edited {c}");
}

/// A loopback site of two flagged pages and a run config for it with `extra` appended.
fn flagged_site(dir: &Path, extra: &str) -> (kuzet::serve::Server, PathBuf) {
    let www = dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    let page = |text: &str, link: &str| format!("<html><head><title>t</title></head><body><p>{text}</p>{link}</body></html>");
    std::fs::write(www.join("index.html"), page("Brothers, take up arms and kill the infidels, blow up their station tonight.", "<a href=\"b.html\">b</a>")).unwrap();
    std::fs::write(www.join("b.html"), page("We will hunt them down and kill them all, death to the traitors.", "")).unwrap();
    let server = kuzet::serve::Server::start(kuzet::serve::static_site(www)).expect("loopback server");
    std::fs::write(dir.join("seeds.txt"), format!("{}\n", server.url())).unwrap();
    let config = dir.join("kuzet.toml");
    std::fs::write(&config, format!("seeds = \"seeds.txt\"\nout = \"out\"\nallow_private = true\ndelay_ms = 0\n{extra}")).unwrap();
    (server, config)
}

/// The item ids of every row of the queues under `out`.
fn item_ids(out: &Path) -> Vec<String> {
    let mut ids = Vec::new();
    for (_, records) in crate::util::queues(out) {
        let col = records[0].iter().position(|h| h == "item_id").expect("item_id column");
        ids.extend(records[1..].iter().map(|r| r[col].clone()));
    }
    ids
}

#[test]
fn inbox_files_are_imported_or_rejected_with_their_reason_and_the_run_completes() {
    let dir = tempdir();
    let d = dir.path();
    let (_server, config) = flagged_site(d, "[revisit]\nflagged_hours = 0\nseeds_hours = 0\n\n[review]\ninbox = \"inbox\"\n");
    let config = config.to_str().unwrap();
    let first = crate::util::kuzet(&["run", config]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    assert!(d.join("inbox").is_dir(), "the first run creates the inbox");
    let ids = item_ids(&d.join("out"));
    assert!(ids.len() >= 2, "two flagged pages queued: {ids:?}");

    let inbox = d.join("inbox");
    std::fs::write(inbox.join("aida.csv"), format!("item_id,decision,reviewer,notes\n{},confirmed,aida,a real call\n", ids[0])).unwrap();
    std::fs::write(inbox.join("notes.txt"), "remember to check the forum\n").unwrap();
    std::fs::write(inbox.join("typo.csv"), format!("item_id,decision,reviewer,notes\n{},dismissed,erlan,\n{},maybe,erlan,\n", ids[1], ids[0])).unwrap();
    std::fs::write(inbox.join("open.csv"), format!("item_id,decision\n{},dismissed\n", ids[1])).unwrap();
    std::fs::write(inbox.join(".~lock.open.csv#"), "erlan,pc,01.12.2026").unwrap();

    let second = crate::util::kuzet(&["run", config]);
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert_eq!(second.status.code(), Some(0), "a bad file does not stop the run: {}", text(&second));
    assert!(stdout.contains("files imported, 2 rejected") && stdout.contains("run "), "{}", text(&second));

    let present = |rel: &str| inbox.join(rel).exists();
    for (rel, there) in [
        ("aida.csv", false),
        ("imported/aida.csv", true),
        ("rejected/aida.csv.reason.txt", false),
        ("notes.txt", false),
        ("rejected/notes.txt", true),
        ("typo.csv", false),
        ("rejected/typo.csv", true),
        ("open.csv", true),
        ("imported/open.csv", false),
    ] {
        assert_eq!(present(rel), there, "{rel}: {}", text(&second));
    }
    let reason = |name: &str| std::fs::read_to_string(inbox.join("rejected").join(format!("{name}.reason.txt"))).unwrap();
    let (notes, typo) = (reason("notes.txt"), reason("typo.csv"));
    assert!(notes.contains("notes.txt:") && notes.contains("item_id"), "{notes}");
    assert!(typo.contains("typo.csv:3:") && typo.contains("maybe") && typo.contains("1 decisions imported"), "{typo}");

    let db = rusqlite::Connection::open(d.join("out/kuzet.sqlite")).unwrap();
    let decided = |id: &str| db.query_row("SELECT group_concat(decision || ' by ' || reviewer) FROM decision WHERE item_id = ?1", [id], |r| r.get::<_, Option<String>>(0)).unwrap();
    let decisions = (decided(&ids[0]), decided(&ids[1]));
    // aida.csv and the good row of typo.csv are in the store; open.csv is not.
    assert_eq!(decisions, (Some("confirmed by aida".to_string()), Some("dismissed by erlan".to_string())));
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("out/summary.json")).unwrap()).unwrap();
    assert!(summary["crawl"]["requests"].as_u64().unwrap() >= 2 && summary["night"]["urls_due"].as_u64() == Some(2), "the night ran after the inbox: {summary}");
    println!("inbox: imported/aida.csv, rejected/notes.txt ({}), rejected/typo.csv ({}), open.csv left; decisions {decisions:?}", notes.lines().nth(1).unwrap_or(""), typo.lines().nth(1).unwrap_or(""));
}

#[test]
fn run_check_proves_folders_writable_and_warns_of_a_user_agent_without_contact() {
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(d.join("a-file"), "not a folder").unwrap();
    std::fs::write(d.join("public.txt"), "https://news.example.kz/\n").unwrap();
    std::fs::write(d.join("local.txt"), "http://127.0.0.1:9/\n").unwrap();
    let write = |name: &str, body: &str| {
        let p = d.join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    };
    // (config, exit code, a stderr part, warned)
    let table = [
        (write("blocked.toml", "seeds = \"local.txt\"\nout = \"a-file/out\"\n"), 2, "a-file is not a folder", false),
        (write("blocked-store.toml", "seeds = \"local.txt\"\nout = \"out\"\nstore = \"a-file/kuzet.sqlite\"\n"), 2, "a-file is not a folder", false),
        (write("public.toml", "seeds = \"public.txt\"\nout = \"out\"\n"), 0, "news.example.kz", true),
        (write("contact.toml", "seeds = \"public.txt\"\nout = \"out\"\n[crawl]\nuser_agent = \"kuzet/0.1.0 (+https://trust.acme.kz/contact)\"\n"), 0, "", false),
        (write("local.toml", "seeds = \"local.txt\"\nout = \"out\"\n"), 0, "", false),
    ];
    for (config, code, part, warned) in table {
        let o = crate::util::kuzet(&["run", "--check", &config]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(code), "{config}: {}", text(&o));
        assert!(stderr.contains(part), "{config}: {}", text(&o));
        assert_eq!(stderr.contains("names no real contact (only kuzet.invalid)"), warned, "{config}: {}", text(&o));
        if code == 0 {
            assert!(String::from_utf8_lossy(&o.stdout).contains("does not exist yet; the run creates it in"), "{config}: {}", text(&o));
        }
    }
    assert!(!d.join("out").exists(), "the check creates no folder");
    println!("run --check: an output folder under a file exits 2; the default User-Agent with news.example.kz warns");
}

/// `deploy/` with the binary's path (the one thing that differs per machine) put where the
/// units name `/usr/local/bin/kuzet`, and `/etc/kuzet`, `/var/lib/kuzet` moved under `dir`.
fn deploy_copy(dir: &Path) -> (String, String, String) {
    let read = |name: &str| std::fs::read_to_string(root().join("deploy").join(name)).unwrap_or_else(|e| panic!("deploy/{name}: {e}"));
    let bin = env!("CARGO_BIN_EXE_kuzet");
    let moved = |text: String| text.replace("/etc/kuzet", &dir.join("etc").display().to_string()).replace("/var/lib/kuzet", &dir.join("var").display().to_string());
    (read("kuzet.service").replace("/usr/local/bin/kuzet", bin), read("kuzet.timer"), moved(read("kuzet.toml")))
}

#[test]
fn deploy_units_pass_systemd_analyze_verify() {
    let dir = tempdir();
    let (service, timer, _) = deploy_copy(dir.path());
    for (name, text) in [("kuzet.service", &service), ("kuzet.timer", &timer)] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    for needed in ["User=kuzet", "NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=/var/lib/kuzet", "--log-format json run"] {
        assert!(service.contains(needed), "kuzet.service lacks {needed}");
    }
    assert!(timer.contains("OnCalendar=") && timer.contains("Persistent=true"), "{timer}");
    let verify = Command::new("systemd-analyze").arg("verify").arg("--man=no").arg(dir.path().join("kuzet.service")).arg(dir.path().join("kuzet.timer")).output();
    let Ok(verify) = verify else {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true: the units must be verified, but systemd-analyze is not installed");
        println!("SKIPPED: systemd-analyze is not installed (.ci/run installs Debian's systemd package)");
        return;
    };
    let stderr = String::from_utf8_lossy(&verify.stderr);
    let ours: Vec<&str> = stderr.lines().filter(|l| l.contains("kuzet.service") || l.contains("kuzet.timer")).collect();
    assert!(verify.status.success() && ours.is_empty(), "systemd-analyze verify: {}", text(&verify));
    println!("systemd-analyze verify deploy/kuzet.service deploy/kuzet.timer: exit 0, no warnings about them");
}

#[test]
fn deploy_config_and_command_line_pass_run_check() {
    let dir = tempdir();
    let (service, _, config) = deploy_copy(dir.path());
    std::fs::create_dir_all(dir.path().join("etc")).unwrap();
    std::fs::write(dir.path().join("etc/seeds.txt"), "https://news.example.kz/\n").unwrap();
    let config_path = dir.path().join("etc/kuzet.toml");
    std::fs::write(&config_path, config).unwrap();
    // The service's own command line, with --check: the flags parse and the config is valid.
    let exec = service.lines().find_map(|l| l.strip_prefix("ExecStart=")).expect("ExecStart");
    let mut words: Vec<String> = exec.split_whitespace().map(str::to_string).collect();
    let last = words.len() - 1;
    words[last] = config_path.display().to_string();
    words.insert(last, "--check".into());
    let o = Command::new(&words[0]).args(&words[1..]).output().expect("run the service's command");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Until the operator names a real contact, the placeholder User-Agent is warned about.
    assert!(stderr.contains("names no real contact (only example.org)") && stderr.contains("news.example.kz"), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(["out ", "store ", "inbox "].iter().all(|f| stdout.contains(f)), "{}", text(&o));
    println!("{}", stdout.trim());
}
