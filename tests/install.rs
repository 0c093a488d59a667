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
