//! The dependency rule, read from the source: pure domain code (finance, analysis, model) knows
//! no store, no I/O and no front-end; only `store/` speaks SQL (rusqlite); only `tui/` knows
//! ratatui and crossterm; only the command line knows clap; the use cases (`ops/`) sit above
//! store, ingest and views and below the front-ends; and no module below the front-ends names
//! a command-line flag in a message (the front-end adds it).

use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, with its top module ("store", "tui", "main", ...).
fn sources() -> Vec<(String, PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&src).unwrap();
            let top = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string();
            let text = std::fs::read_to_string(&p).unwrap();
            (top, p, text)
        })
        .collect()
}

/// The code of a file without its comments and its `#[cfg(test)]` module (tests may use
/// anything).
fn code(text: &str) -> String {
    let body = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    body.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The crate modules a file refers to (`crate::store`, `crate::ops`, ...).
fn crate_refs(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + 7..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        out.push(name);
    }
    out
}

fn violations(rule: &str, allowed: impl Fn(&str, &str) -> bool) -> Vec<String> {
    let mut bad = Vec::new();
    for (top, path, text) in sources() {
        let c = code(&text);
        for r in crate_refs(&c) {
            if !allowed(&top, &r) {
                bad.push(format!("{rule}: {} uses crate::{r}", path.display()));
            }
        }
    }
    bad
}

const FRONT_ENDS: [&str; 5] = ["cli", "commands", "tui", "main", "output"];

#[test]
fn modules_depend_only_downwards() {
    let domain = ["finance", "analysis", "model"];
    let mut bad = violations("domain code knows only domain code", |top, r| {
        !domain.contains(&top) || domain.contains(&r)
    });
    bad.extend(violations(
        "the store knows the domain, not the layers above it",
        |top, r| {
            top != "store" || !["ingest", "views", "ops", "cli", "commands", "tui"].contains(&r)
        },
    ));
    bad.extend(violations(
        "ingest and views sit below the use cases and the front-ends",
        |top, r| {
            !["ingest", "views", "decisions"].contains(&top)
                || !["ops", "cli", "commands", "tui"].contains(&r)
        },
    ));
    bad.extend(violations("the use cases know no front-end", |top, r| {
        top != "ops" || !FRONT_ENDS.contains(&r) && r != "commands"
    }));
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn libraries_stay_in_their_layer() {
    let mut bad = Vec::new();
    for (top, path, text) in sources() {
        let c = code(&text);
        let uses = |lib: &str| c.contains(&format!("{lib}::")) || c.contains(&format!("use {lib}"));
        if uses("rusqlite") && top != "store" {
            bad.push(format!(
                "only store/ speaks SQL: {} uses rusqlite",
                path.display()
            ));
        }
        if (uses("ratatui") || uses("crossterm")) && top != "tui" {
            bad.push(format!(
                "only tui/ draws: {} uses ratatui/crossterm",
                path.display()
            ));
        }
        if uses("clap") && !FRONT_ENDS.contains(&top.as_str()) {
            bad.push(format!(
                "only the command line parses flags: {} uses clap",
                path.display()
            ));
        }
        if ["finance", "analysis", "model"].contains(&top.as_str())
            && (c.contains("std::fs") || c.contains("std::io::") || c.contains("std::net"))
        {
            bad.push(format!("domain code does no I/O: {}", path.display()));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn no_message_below_the_front_ends_names_a_flag() {
    let mut bad = Vec::new();
    for (top, path, text) in sources() {
        if FRONT_ENDS.contains(&top.as_str()) {
            continue;
        }
        for (n, line) in code(&text).lines().enumerate() {
            // A string literal holding "--" followed by a letter: a flag named in a message.
            let mut in_str = false;
            let mut prev = ' ';
            let chars: Vec<char> = line.chars().collect();
            for (i, &ch) in chars.iter().enumerate() {
                if ch == '"' && prev != '\\' {
                    in_str = !in_str;
                }
                if in_str
                    && ch == '-'
                    && chars.get(i + 1) == Some(&'-')
                    && chars.get(i + 2).is_some_and(|c| c.is_ascii_lowercase())
                {
                    bad.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    break;
                }
                prev = ch;
            }
        }
    }
    assert!(
        bad.is_empty(),
        "flags named below the front-ends:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_rule_reader_sees_what_it_should() {
    // The readers above must not pass because they read nothing.
    let files = sources();
    assert!(files.iter().any(|(t, _, _)| t == "store"));
    assert!(files.len() > 60, "{} files", files.len());
    assert_eq!(
        crate_refs("use crate::store::Store; crate::ops::train"),
        ["store", "ops"]
    );
    assert_eq!(
        code("a\n// crate::tui\n#[cfg(test)]\nmod t { crate::tui }"),
        "a"
    );
}
