//! Embeds the shipped question bank (question_bank/**/*.toml) in the binary: writes
//! `$OUT_DIR/bank_files.rs`, a list of (relative path, contents) pairs, and the skill
//! stations (question_bank/skills/*.toml) as `$OUT_DIR/skill_files.rs`.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=question_bank");
    // Read at run time of this script (not baked in when it was compiled): a clone in
    // another folder sharing the target directory must embed its own bank.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let root = Path::new(&manifest).join("question_bank");
    let mut files = Vec::new();
    let mut stations = Vec::new();
    if let Ok(areas) = std::fs::read_dir(&root) {
        for area in areas.flatten() {
            let path = area.path();
            if !path.is_dir() {
                continue;
            }
            println!("cargo:rerun-if-changed={}", path.display());
            let is_skills = path.file_name().is_some_and(|n| n == "skills");
            if let Ok(entries) = std::fs::read_dir(&path) {
                for entry in entries.flatten() {
                    let file = entry.path();
                    if file.extension().is_some_and(|e| e == "toml") {
                        println!("cargo:rerun-if-changed={}", file.display());
                        if is_skills {
                            stations.push(file);
                        } else {
                            files.push(file);
                        }
                    }
                }
            }
        }
    }
    files.sort();
    stations.sort();
    if files.is_empty() {
        panic!("no question bank files under {}", root.display());
    }
    embed(
        &root,
        &files,
        "/// The shipped bank's files: (path under question_bank/, contents).",
        "bank_files.rs",
    );
    embed(
        &root,
        &stations,
        "/// The shipped skill stations: (path under question_bank/, contents).",
        "skill_files.rs",
    );
}

fn embed(root: &Path, files: &[std::path::PathBuf], doc: &str, name: &str) {
    let mut out = format!("{doc}\npub const FILES: &[(&str, &str)] = &[\n");
    for file in files {
        let rel = file
            .strip_prefix(root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    ({rel:?}, include_str!({:?})),",
            file.display().to_string()
        );
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join(name);
    if let Err(e) = std::fs::write(&dest, out) {
        panic!("cannot write {}: {e}", dest.display());
    }
}
