//! `kuzet classify`: golden queues, formula safety, malformed lexicons, hostile input.
use std::io::Write;

use crate::util::{children_peak_rss_kib, golden, kuzet, queues, root, tempdir};

const FIXTURE_LEXICONS: &str = "tests/fixtures/lexicons";

fn classify(out: &std::path::Path, inputs: &[&str]) -> std::process::Output {
    let out = out.to_str().unwrap();
    let mut args = vec!["classify", "--lexicons", FIXTURE_LEXICONS, "--out", out, "--run-id", "test-run"];
    args.extend_from_slice(inputs);
    kuzet(&args)
}

#[test]
fn golden_queues() {
    let dir = tempdir();
    let output = classify(dir.path(), &["tests/fixtures/golden_input"]);
    // Two bad JSONL records: counted, named, exit code 1, everything else written.
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("records.jsonl:4") && stderr.contains("records.jsonl:5"), "{stderr}");
    for name in ["incitement.csv", "terrorism.csv", "violence.csv"] {
        golden(name, &std::fs::read(dir.path().join("queues").join(name)).unwrap());
    }
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["read"], 5);
    assert_eq!(summary["failed"], 2);
    assert_eq!(summary["run_id"], "test-run");
}

#[test]
fn no_cell_starts_a_formula() {
    let dir = tempdir();
    let input = dir.path().join("hostile.jsonl");
    let mut f = std::fs::File::create(&input).unwrap();
    let hostile = ["=HYPERLINK(\"http://x\",\"y\")", "+cmd", "-2+3", "@SUM(A1)", "\tlead", "\rcr", " =spaced", "＝wide"];
    for (i, h) in hostile.iter().enumerate() {
        let record = serde_json::json!({"id": h, "title": h, "url": h, "text": format!("{h} kill {h}")});
        writeln!(f, "{record}").unwrap();
        let record = serde_json::json!({"id": format!("x{i}"), "text": format!("{h}kill")});
        writeln!(f, "{record}").unwrap();
    }
    drop(f);
    let out = dir.path().join("out");
    let output = classify(&out, &[input.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let mut cells = 0;
    for (name, records) in queues(&out) {
        for record in records {
            for cell in record {
                cells += 1;
                assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{name}: unsafe cell {cell:?}");
                assert!(!cell.trim_start().starts_with(['=', '+', '-', '@', '＝']), "{name}: unsafe cell {cell:?}");
            }
        }
    }
    assert!(cells > 16 * 8, "expected hostile rows to be written, saw {cells} cells");
}

#[test]
fn malformed_lexicons_exit_2_naming_file_and_line() {
    let cases = [
        ("term,category,weight\nkill,violence,5\nmurder,violence,x\n", "bad.csv:3", "weight must be 1-10"),
        ("term,category\nkill,violence\n", "bad.csv:1", "missing column `weight`"),
        ("# comment\nterm,category,weight\n,violence,5\n", "bad.csv:3", "empty term"),
        ("term,category,weight\nkill,violence,5\nki\"ll,violence,5\n", "bad.csv:3", "stray quote"),
        ("term,category,weight\n\"kill,violence,5\n", "bad.csv:2", "unterminated quote"),
        ("term,category,weight\nkill,violence,11\n", "bad.csv:2", "weight must be 1-10"),
    ];
    let mut cases: Vec<(Vec<u8>, &str, &str)> = cases.into_iter().map(|(c, l, p)| (c.as_bytes().to_vec(), l, p)).collect();
    // Issue 15, point 4: a lexicon saved from a spreadsheet as a workbook under its .csv name.
    cases.push((kuzet::workbook::build(&[], &[]).unwrap(), "bad.csv:1", "is an Excel workbook (.xlsx), not CSV or TOML text"));
    cases.push((b"%PDF-1.7\n".to_vec(), "bad.csv:1", "is a PDF document"));
    for (content, location, problem) in cases {
        let dir = tempdir();
        std::fs::create_dir(dir.path().join("en")).unwrap();
        std::fs::write(dir.path().join("en/bad.csv"), &content).unwrap();
        let out = dir.path().join("out");
        let output = kuzet(&["classify", "--lexicons", dir.path().to_str().unwrap(), "--out", out.to_str().unwrap(), "samples"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let shown = String::from_utf8_lossy(&content[..content.len().min(60)]);
        assert_eq!(output.status.code(), Some(2), "{shown:?}: {stderr}");
        assert!(stderr.contains(location) && stderr.contains(problem), "{shown:?}: {stderr}");
        assert!(!out.exists(), "nothing is written when the lexicon fails");
    }
}

#[test]
fn hostile_bytes_classify_without_panic_in_bounded_memory() {
    let dir = tempdir();
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut random = vec![0u8; 1 << 20];
    for b in random.iter_mut() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        *b = seed as u8;
    }
    std::fs::write(dir.path().join("random.bin"), &random).unwrap();
    std::fs::write(dir.path().join("invalid.txt"), b"kill \xFF\xFE them \xC3\x28 \xE2\x82 all").unwrap();
    std::fs::write(dir.path().join("random.html"), &random[..100_000]).unwrap();
    // 10 MB on one line, with a hit at the very end.
    let mut line = "убийство ".repeat(10 * 1024 * 1024 / 17);
    line.push_str("kill");
    std::fs::write(dir.path().join("long.txt"), &line).unwrap();
    let input = dir.path().to_str().unwrap().to_string();
    let out = dir.path().join("out");
    let output = classify(&out, &[&input]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    // The two files of random bytes look binary: counted as skipped, never analysed.
    assert_eq!((summary["read"].as_u64(), summary["skipped_binary"].as_u64()), (Some(2), Some(2)), "{summary}");
    let rows: usize = queues(&out).iter().map(|(_, r)| r.len() - 1).sum();
    assert!(rows >= 2, "the invalid-UTF-8 file and the long line are flagged, got {rows} rows");
    let peak_mib = children_peak_rss_kib() / 1024;
    assert!(peak_mib < 600, "peak RSS {peak_mib} MiB for a 10 MB input");
    eprintln!("peak RSS of classify over 11 MB of hostile input: {peak_mib} MiB");
    assert!(root().join("samples").exists());
}

#[test]
fn jsonl_on_stdin() {
    use std::process::{Command, Stdio};
    let dir = tempdir();
    let out = dir.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kuzet"))
        .args(["classify", "--lexicons", FIXTURE_LEXICONS, "--out", out.to_str().unwrap(), "--run-id", "stdin", "-"])
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let records = "{\"id\": \"s1\", \"text\": \"behead the infidels\"}\n{\"id\": \"s2\", \"text\": \"calm\"}\n";
    child.stdin.take().unwrap().write_all(records.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let rows: Vec<Vec<String>> = queues(&out).into_iter().flat_map(|(_, r)| r.into_iter().skip(1)).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][kuzet::queue::column("ref").unwrap()], "s1");
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["read"], 2);
}

/// The compiled lexicons are kept in `$KUZET_CACHE_DIR` and read back by the next run, which
/// writes the same queues; a damaged file is compiled over with a warning, never an error.
#[test]
fn compiled_lexicons_are_kept_between_runs() {
    let cache = tempdir();
    let run = |cache_dir: &std::path::Path| {
        let out = tempdir();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_kuzet"))
            .env("KUZET_CACHE_DIR", cache_dir)
            .args(["classify", "--lexicons", "lexicons", "--out", out.path().to_str().unwrap(), "--run-id", "cached", "samples/en_posts.jsonl", "samples/forum_ru.html", "samples/ar_post.txt"])
            .current_dir(root())
            .output()
            .expect("run kuzet");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        (queues(out.path()), String::from_utf8_lossy(&output.stderr).into_owned())
    };
    let saved = || -> Vec<std::path::PathBuf> { std::fs::read_dir(cache.path()).unwrap().map(|e| e.unwrap().path()).collect() };
    let (first, _) = run(cache.path());
    assert!(first.iter().any(|(_, rows)| rows.len() > 1), "the samples fill a queue: {first:?}");
    let files = saved();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("engine-") && name.ends_with(".bin"), "{name}");
    let bytes = std::fs::read(&files[0]).unwrap();
    let modified = || std::fs::metadata(&files[0]).unwrap().modified().unwrap();
    let written = modified();
    let (second, stderr) = run(cache.path());
    assert_eq!(second, first);
    // Read, not written again.
    assert_eq!(modified(), written);
    assert_eq!(saved().len(), 1);
    assert!(!stderr.contains("compiling the lexicons instead"), "{stderr}");
    // Damaged: compiled over, with a warning, and saved whole again.
    let mut damaged = bytes.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x55;
    std::fs::write(&files[0], &damaged).unwrap();
    let (third, stderr) = run(cache.path());
    assert_eq!(third, first);
    assert!(stderr.contains("compiling the lexicons instead"), "{stderr}");
    // Saved whole again (the same size: maps may come out in another order), and read back.
    assert_eq!(std::fs::metadata(&files[0]).unwrap().len(), bytes.len() as u64);
    let (again, stderr) = run(cache.path());
    assert_eq!(again, first);
    assert!(!stderr.contains("compiling the lexicons instead"), "{stderr}");
    // `off` keeps nothing.
    let (fourth, _) = run(std::path::Path::new("off"));
    assert_eq!(fourth, first);
    assert!(!root().join("off").exists());
}
