//! The house rules of `docs/ARCHITECTURE.md`, checked on the source tree:
//! - handlers (`api` and `pages` rooms) never touch the database: no diesel, no
//!   `store`, no `state.db(` — they call their area's `ops`;
//! - no area reaches into another area's `api`, `pages` or `store`;
//! - no source file or template passes 500 lines.
//!
//! Every file obeys (the last ones, the question bank's, came into the shape in issue 8),
//! so there is no list of exceptions: a new area, or a room that grows, obeys from its
//! first commit. The checker's own test below keeps it able to fail.

use std::path::{Path, PathBuf};

/// Crate-level plumbing, not areas.
const NOT_AREAS: &[&str] = &[
    "db", "auth", "demo", "cli", "sheet", "app", "state", "extract", "page", "error", "config",
    "time", "pii", "points", "access", "lib", "main", "stash", "areas", "openapi",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
            out.push(path);
        }
    }
}

/// `src/exams/api/start.rs` → ("exams", "api").
fn area_and_room(rel: &Path) -> Option<(String, String)> {
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    match parts.as_slice() {
        [src, area, room, ..] if src == "src" => Some((area.clone(), room.clone())),
        _ => None,
    }
}

/// The code of a file without its `#[cfg(test)]` module and comments.
fn code_of(text: &str) -> String {
    let body = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    body.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn violations(root: &Path, rel: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(root.join(rel)).unwrap();
    let mut found = Vec::new();
    let lines = text.lines().count();
    if lines > 500 {
        found.push(format!("{lines} lines (more than 500: split the room)"));
    }
    let Some((area, room)) = area_and_room(rel) else {
        return found;
    };
    if NOT_AREAS.contains(&area.as_str()) || rel.extension().is_some_and(|e| e == "html") {
        return found;
    }
    let code = code_of(&text);
    if room == "api" || room == "pages" {
        for (needle, why) in [
            ("diesel::", "uses diesel"),
            ("use diesel", "uses diesel"),
            ("store::", "calls a store (handlers call ops)"),
            ("state.db(", "opens a database hop (handlers call ops)"),
            (".db(move", "opens a database hop (handlers call ops)"),
        ] {
            if code.contains(needle) {
                found.push(format!("{room} {why}: `{needle}`"));
            }
        }
    }
    for other in ["api", "pages", "store"] {
        let needle = format!("::{other}::");
        for (i, _) in code.match_indices(&needle) {
            let before = &code[..i];
            let start = before
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(0, |p| p + 1);
            let path = &code[start..i];
            let target = path
                .trim_start_matches("crate::")
                .trim_start_matches("super::");
            if !target.is_empty()
                && target != area
                && !path.starts_with("super")
                && path.starts_with("crate::")
            {
                found.push(format!("reaches into another area: `{path}::{other}::`"));
            }
        }
    }
    found
}

#[test]
fn the_house_rules_hold() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("templates"), &mut files);
    assert!(
        files.len() > 100,
        "the walk found the tree ({} files)",
        files.len()
    );
    let mut broken = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(root).unwrap();
        let name = rel.to_string_lossy().replace('\\', "/");
        let v = violations(root, rel);
        if !v.is_empty() {
            broken.push(format!("{name}:\n    {}", v.join("\n    ")));
        }
    }
    assert!(
        broken.is_empty(),
        "files that break the house rules (docs/ARCHITECTURE.md):\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_checker_catches_what_it_should() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src/widgets")).unwrap();
    let write = |name: &str, text: &str| std::fs::write(root.join(name), text).unwrap();
    write(
        "src/widgets/api.rs",
        "use diesel::prelude::*;\nfn f() { crate::gadgets::store::get(); }\n",
    );
    write(
        "src/widgets/ops.rs",
        "fn f() { crate::gadgets::api::x(); }\n",
    );
    write(
        "src/widgets/pages.rs",
        &"// a line\n"
            .repeat(501)
            .replace("// a line\n", "let x = 1;\n"),
    );
    write(
        "src/widgets/store.rs",
        "fn f() { super::rules::x(); crate::widgets::store::y(); }\n",
    );
    let api = violations(root, Path::new("src/widgets/api.rs"));
    assert!(api.iter().any(|v| v.contains("uses diesel")), "{api:?}");
    assert!(api.iter().any(|v| v.contains("calls a store")), "{api:?}");
    assert!(api.iter().any(|v| v.contains("crate::gadgets")), "{api:?}");
    let ops = violations(root, Path::new("src/widgets/ops.rs"));
    assert!(ops.iter().any(|v| v.contains("another area")), "{ops:?}");
    let pages = violations(root, Path::new("src/widgets/pages.rs"));
    assert!(pages.iter().any(|v| v.contains("501 lines")), "{pages:?}");
    assert!(violations(root, Path::new("src/widgets/store.rs")).is_empty());
}
