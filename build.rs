//! Lists the bundled lexicons (`lexicons/`, without the maintainers' `tools/`) and the sample
//! site (`samples/site/`) and the site adapters (`adapters/`) as `include_bytes!` tables in OUT_DIR, so the binary carries them and
//! works from any folder (`src/lexicons/bundled.rs`). Nothing else is generated.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for (dir, skip, name) in [("lexicons", &["tools"][..], "lexicons.rs"), ("samples/site", &[][..], "site.rs"), ("adapters", &[][..], "adapters.rs")] {
        let base = root.join(dir);
        println!("cargo:rerun-if-changed={}", base.display());
        let mut files = Vec::new();
        walk(&base, &base, skip, &mut files);
        files.sort();
        let mut table = String::from("&[\n");
        for rel in &files {
            let key = rel.iter().map(|c| c.to_str().expect("bundled file names are UTF-8")).collect::<Vec<_>>().join("/");
            writeln!(table, "    ({key:?}, include_bytes!({:?})),", base.join(rel).display().to_string()).expect("write to a String");
        }
        table.push(']');
        std::fs::write(out.join(name), table).expect("write the bundled file table");
    }
    println!("cargo:rerun-if-changed=build.rs");
}

/// Every regular file under `dir` (relative to `base`), hidden names and `skip` folders left out.
fn walk(base: &Path, dir: &Path, skip: &[&str], out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        if name.starts_with('.') || (kind.is_dir() && dir == base && skip.contains(&name.as_ref())) {
            continue;
        }
        if kind.is_dir() {
            walk(base, &path, skip, out);
        } else if kind.is_file() {
            out.push(path.strip_prefix(base).expect("under base").to_path_buf());
        }
    }
}
