//! Hostile input to `classify` and the lexicon commands (issue 19, cases 8 to 12): cells that
//! turn into formulas when split on `;`, invisible and control characters in cells, binaries,
//! FIFOs, and lexicons that lint would refuse. Local files only; no network.
use std::io::Write;
use std::path::Path;

use crate::util::{kuzet, tempdir};

const LEXICONS: &str = "tests/fixtures/lexicons";

fn classify(out: &Path, inputs: &[&str]) -> std::process::Output {
    let out = out.to_str().unwrap();
    let mut args = vec!["classify", "--lexicons", LEXICONS, "--out", out, "--run-id", "t"];
    args.extend_from_slice(inputs);
    kuzet(&args)
}

/// Every CSV queue file under `out/queues`, as text after the BOM.
fn queue_texts(out: &Path) -> Vec<String> {
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(out.join("queues")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let bytes = std::fs::read(path).unwrap();
        texts.push(String::from_utf8(bytes[3..].to_vec()).unwrap());
    }
    texts
}

/// The fields of every record of `text` read with `delimiter`, quotes honoured.
fn fields(text: &str, delimiter: u8) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    r.records().flat_map(|rec| rec.unwrap().iter().map(str::to_string).collect::<Vec<_>>()).collect()
}

fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap()
}

/// Issue 19, case 8: a title `x;=1+1;y` was written unquoted, so a spreadsheet splitting on
/// `;` (a Russian-locale Excel) showed a live formula; `matched_terms` was `;`-joined too.
#[test]
fn case08_cells_are_safe_when_split_on_semicolons() {
    let dir = tempdir();
    let input = dir.path().join("in.jsonl");
    let mut f = std::fs::File::create(&input).unwrap();
    for (i, title) in ["x;=1+1;y", "a; -2+3", "b,@SUM(A1)", "c;\t=cmd", "d; ＝1"].iter().enumerate() {
        writeln!(f, "{}", serde_json::json!({"id": format!("r{i}"), "title": title, "url": title, "text": "Kill them all, убивайте их."})).unwrap();
    }
    drop(f);
    let out = dir.path().join("out");
    let output = classify(&out, &[input.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let mut seen = 0;
    for text in queue_texts(&out) {
        for delimiter in [b',', b';'] {
            for field in fields(&text, delimiter) {
                seen += 1;
                assert!(!field.trim_start().starts_with(['=', '+', '-', '@', '＝', '＋', '－', '＠']), "split on {:?}: {field:?}", delimiter as char);
            }
        }
    }
    assert!(seen >= 6 * 17, "the header and five rows were written: {seen} fields");
}

/// Issue 19, case 9: titles kept ESC sequences, DEL, bidi overrides, zero-width characters,
/// the BOM and NUL; only the snippet was cleaned. Now every cell is.
#[test]
fn case09_control_bidi_and_invisible_characters_leave_every_cell() {
    let dir = tempdir();
    let input = dir.path().join("in.jsonl");
    let nasty = "\u{1b}[2J\u{7f}evil\u{202E}txt.exe\u{2066}\u{200B}\u{FEFF}\u{0}title";
    std::fs::write(&input, format!("{}\n", serde_json::json!({"id": nasty, "title": nasty, "url": format!("http://x/{nasty}"), "text": format!("{nasty} kill them all")}))).unwrap();
    let out = dir.path().join("out");
    let output = classify(&out, &[input.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let texts = queue_texts(&out);
    let all: Vec<String> = texts.iter().flat_map(|t| fields(t, b',')).collect();
    assert!(all.iter().any(|c| c == "[2Jeviltxt.exetitle"), "the title is kept, cleaned: {all:?}");
    for cell in &all {
        assert!(!cell.chars().any(|c| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}' | '\u{FEFF}')), "{cell:?}");
    }
}

/// Issue 19, case 10: `kuzet classify /bin/ls` queued machine code at priority 2 (leet
/// decoding found words in it). Binaries are now counted as skipped and never analysed.
#[test]
fn case10_binary_files_are_skipped_not_classified() {
    let dir = tempdir();
    let folder = dir.path().join("in");
    std::fs::create_dir(&folder).unwrap();
    // Machine-code-like bytes that spell a flagged word in leet, and a text file beside them.
    let mut binary = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
    binary.extend_from_slice(b"ub3y k1ll th3m 4ll, \xd1\x83\xd0\xb1\xd0\xb5\xd0\xb9 \xd0\xb8\xd1\x85 kill them all\0\x01\x02");
    std::fs::write(folder.join("tool"), &binary).unwrap();
    std::fs::write(folder.join("post.txt"), "Kill them all.").unwrap();
    let out = dir.path().join("out");
    let output = classify(&out, &[folder.to_str().unwrap(), "/bin/ls"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let s = summary(&out);
    assert_eq!((s["skipped_binary"].as_u64(), s["read"].as_u64(), s["failed"].as_u64()), (Some(2), Some(1), Some(0)), "{s}");
    let refs: Vec<String> = queue_texts(&out).iter().flat_map(|t| fields(t, b',')).filter(|c| c.contains("tool") || c.contains("/bin/ls")).collect();
    assert!(refs.is_empty(), "no binary is queued: {refs:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("skipped 2 binary files"), "{output:?}");
}

/// Issue 19, case 11: a FIFO in an input folder blocked classify forever. Now a FIFO in a
/// folder is counted and never opened, and one given by path is a failure naming it.
#[cfg(unix)]
#[test]
fn case11_fifos_are_never_opened() {
    let dir = tempdir();
    let folder = dir.path().join("in");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("post.txt"), "Kill them all.").unwrap();
    let fifo = folder.join("pipe");
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0, "mkfifo");
    let out = dir.path().join("out");
    // A child that hangs on the FIFO would hang this test: run it with a deadline.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kuzet"))
        .args(["classify", "--lexicons", LEXICONS, "--out", out.to_str().unwrap(), folder.to_str().unwrap(), fifo.to_str().unwrap()])
        .current_dir(crate::util::root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("classify hung on a FIFO");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "the FIFO given by path is a failure: {stderr}");
    assert!(stderr.contains("pipe: not a regular file (a FIFO, socket or device)"), "{stderr}");
    let s = summary(&out);
    assert_eq!((s["skipped_not_regular"].as_u64(), s["read"].as_u64(), s["failed"].as_u64()), (Some(1), Some(1), Some(1)), "{s}");
}

/// A copy of the fixture lexicons in `dir/lex`, with `edit` applied to it.
fn lexicon_copy(dir: &Path, edit: impl Fn(&Path)) -> std::path::PathBuf {
    let lex = dir.join("lex");
    for rel in ["rules.toml", "en/rules.toml", "en/violence.csv", "ru/rules.toml"] {
        let to = lex.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(crate::util::root().join(LEXICONS).join(rel), &to).unwrap();
    }
    for entry in std::fs::read_dir(crate::util::root().join(LEXICONS).join("ru")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, lex.join("ru").join(path.file_name().unwrap())).unwrap();
    }
    edit(&lex);
    lex
}

/// Runs `classify`, `crawl`, `run --check` and `run` with the lexicons `lex` (and the run
/// config's `extra` TOML); returns (command, exit code, stderr) of each.
fn every_lexicon_command(dir: &Path, lex: &Path, extra: &str) -> Vec<(&'static str, Option<i32>, String)> {
    std::fs::write(dir.join("seeds.txt"), "http://127.0.0.1:9/\n").unwrap();
    std::fs::write(dir.join("post.txt"), "I bought a new car.").unwrap();
    let config = dir.join("nightly.toml");
    std::fs::write(&config, format!("seeds = \"seeds.txt\"\nlexicons = {:?}\nout = \"out\"\nallow_private = true\n{extra}", lex.display().to_string())).unwrap();
    let (lex_s, out, config_s) = (lex.to_str().unwrap(), dir.join("out"), config.to_str().unwrap());
    let out_s = out.to_str().unwrap();
    let post = dir.join("post.txt");
    let seeds = dir.join("seeds.txt");
    let runs: [(&'static str, Vec<&str>); 4] = [
        ("classify", vec!["classify", "--lexicons", lex_s, "--out", out_s, post.to_str().unwrap()]),
        ("crawl", vec!["crawl", "--lexicons", lex_s, "--out", out_s, "--seeds", seeds.to_str().unwrap(), "--allow-private"]),
        ("run --check", vec!["run", "--check", config_s]),
        ("run", vec!["run", config_s]),
    ];
    runs.into_iter()
        .map(|(name, args)| {
            let o = kuzet(&args);
            (name, o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
        })
        .collect()
}

/// Issue 19, case 12: a one-letter term or a two-letter stem is a lint error, yet `classify`
/// and `run` loaded it and `run --check` said OK ("a" at weight 5 flagged "I bought a new
/// car"). Every command that loads the lexicons now stops with exit 2 naming the entry.
#[test]
fn case12_lint_errors_stop_every_command_that_loads_a_lexicon() {
    for (term, message) in [("a", "term a normalizes to one letter"), ("ki*", "stem ki* has 2 letters")] {
        let dir = tempdir();
        let lex = lexicon_copy(dir.path(), |lex| {
            let csv = lex.join("en/violence.csv");
            let text = std::fs::read_to_string(&csv).unwrap();
            std::fs::write(&csv, format!("{text}{term},violence,5,,,\n")).unwrap();
        });
        for (command, code, stderr) in every_lexicon_command(dir.path(), &lex, "") {
            assert_eq!(code, Some(2), "{command} with {term}: {stderr}");
            assert!(stderr.contains(message) && stderr.contains("violence.csv:"), "{command}: {stderr}");
        }
    }
}

/// Issue 19, case 12: `[scoring]` values flag > priority1, negative, NaN or infinite were
/// accepted (flag = 50 silently queued nothing); in the lexicon's rules or the run config's
/// `[priority]`, they now stop every command with exit 2.
#[test]
fn case12_scoring_values_are_validated() {
    let cases = [
        ("flag = 5.0", "flag = 50.0", "", "flag <= priority2 <= priority1"),
        ("repeat_bonus = 0.25", "repeat_bonus = -1.0", "", "repeat_bonus must be a finite number >= 0"),
        ("priority2 = 10.0", "priority2 = nan", "", "priority2 must be a finite number >= 0"),
        ("priority1 = 18.0", "priority1 = inf", "", "priority1 must be a finite number >= 0"),
        ("", "", "[priority]\nflag = 50.0\n", "flag <= priority2 <= priority1"),
    ];
    for (from, to, extra, message) in cases {
        let dir = tempdir();
        let lex = lexicon_copy(dir.path(), |lex| {
            let rules = lex.join("rules.toml");
            let text = std::fs::read_to_string(&rules).unwrap();
            std::fs::write(&rules, text.replacen(from, to, 1)).unwrap();
        });
        for (command, code, stderr) in every_lexicon_command(dir.path(), &lex, extra) {
            if !extra.is_empty() && matches!(command, "classify" | "crawl") {
                continue; // the run config's thresholds only apply to runs
            }
            assert_eq!(code, Some(2), "{command} with {to:?}{extra:?}: {stderr}");
            assert!(stderr.contains(message), "{command}: {stderr}");
        }
    }
}
