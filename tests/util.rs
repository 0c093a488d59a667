//! Helpers shared by the integration tests.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The crate's root folder.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the kuzet binary with `args` from the crate root.
pub fn kuzet(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kuzet")).args(args).current_dir(root()).output().expect("run kuzet")
}

/// A fresh temporary folder.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Reads every CSV under `dir/queues` as (file name, records), checking the BOM (the reviewer
/// workbook beside them is not read here).
pub fn queues(dir: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut out = Vec::new();
    // Only the queue files: a publish in progress (or cut by a kill) leaves a `.kuzet-*.tmp`.
    // `members.csv` lists the nightly job's cluster members: not a queue.
    let mut files: Vec<_> = std::fs::read_dir(dir.join("queues"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv") && p.file_name().is_some_and(|n| n != "members.csv"))
        .collect();
    files.sort();
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{} has no BOM", path.display());
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&bytes[3..]);
        let records = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
        out.push((path.file_name().unwrap().to_string_lossy().into_owned(), records));
    }
    out
}

/// Compares `actual` with the golden file `tests/golden/<name>` byte for byte;
/// `UPDATE_GOLDEN=1` rewrites it instead.
pub fn golden(name: &str, actual: &[u8]) {
    let path = root().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1 to create it)", path.display()));
    if expected != actual {
        panic!(
            "{} differs from the output (UPDATE_GOLDEN=1 to accept):\n--- expected\n{}\n--- actual\n{}",
            path.display(),
            String::from_utf8_lossy(&expected),
            String::from_utf8_lossy(actual)
        );
    }
}

/// Peak resident memory of all waited-for children so far, in KiB.
pub fn children_peak_rss_kib() -> i64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss
}

/// Runs the kuzet binary with `args` from the crate root under the process umask `mask`.
pub fn kuzet_with_umask(mask: u32, args: &[&str]) -> Output {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(env!("CARGO_BIN_EXE_kuzet"));
    command.args(args).current_dir(root());
    // SAFETY: umask is async-signal-safe and touches only the child's own state.
    unsafe {
        command.pre_exec(move || {
            libc::umask(mask as libc::mode_t);
            Ok(())
        });
    }
    command.output().expect("run kuzet")
}
