//! The dependency rule, read from the source, as an allow-list: for every top-level module of
//! `src/` the top-level modules it may use, and no cycle between them. The layers:
//! domain (finance, analysis, model, decisions, and the leaf helpers clock, filter, timings)
//! <- store <- ingest, views <- demo <- ops <- the front-ends (cli, commands, tui, serve, output,
//! main). Only `store/` speaks SQL (rusqlite); only the front-ends know their libraries (tui:
//! ratatui and crossterm; the command line: clap; serve: axum, hyper, tower); domain code does
//! no I/O; and no message below the front-ends names a command-line flag or a command (the
//! front-end adds it).
//!
//! The reader is a small Rust lexer, not a line grep: comments, string literals (raw, byte,
//! continued on the next line) and `#[cfg(test)]` items are set aside; `use` trees are expanded
//! (`use crate::{a, b::c}`, over several lines); `super::` and `self::` are followed to the
//! module they name; and paths written in code (`crate::store::Store::open(..)`) count too.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The front-ends: the only modules that may know the command line, the terminal or HTTP.
const FRONT_ENDS: [&str; 6] = ["cli", "commands", "tui", "serve", "output", "main"];
/// Domain code and leaf helpers: no store, no front-end. `decisions` holds the rules a decision
/// must meet and the types the store records (and the exporters' file writers); only finance,
/// analysis and model are also kept free of I/O.
const DOMAIN: [&str; 7] = [
    "finance",
    "analysis",
    "model",
    "decisions",
    "clock",
    "filter",
    "timings",
];

/// For each top-level module, the top-level modules it may use (itself always).
fn allowed() -> BTreeMap<&'static str, Vec<&'static str>> {
    let with = |base: &[&'static str], more: &[&'static str]| -> Vec<&'static str> {
        base.iter().chain(more).copied().collect()
    };
    let domain: Vec<&str> = DOMAIN.to_vec();
    let store = with(&domain, &["store"]);
    let mid = with(&store, &["ingest", "views", "demo"]);
    let use_cases = with(&mid, &["ops"]);
    let mut m = BTreeMap::new();
    m.insert("finance", vec![]);
    m.insert("clock", vec![]);
    m.insert("timings", vec![]);
    m.insert("filter", vec!["finance"]);
    m.insert("analysis", vec!["finance"]);
    m.insert("model", vec!["analysis", "finance"]);
    m.insert("store", domain.clone());
    // (decisions is domain: the store records its types; nothing of the store is known to it)
    m.insert("ingest", store.clone());
    m.insert("decisions", vec!["finance"]);
    m.insert("views", store.clone());
    m.insert("demo", with(&store, &["ingest"]));
    m.insert("ops", with(&mid, &[]));
    m.insert("output", with(&use_cases, &[]));
    m.insert("cli", with(&use_cases, &["output"]));
    m.insert("tui", with(&use_cases, &["output"]));
    m.insert("serve", with(&use_cases, &[]));
    m.insert(
        "commands",
        with(&use_cases, &["output", "cli", "tui", "serve"]),
    );
    m.insert("main", vec!["cli", "commands"]);
    m.insert("lib", vec![]);
    m
}

/// External crates each known only to some top-level modules.
fn library_owners() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("rusqlite", vec!["store"]),
        ("ratatui", vec!["tui"]),
        ("crossterm", vec!["tui"]),
        ("clap", vec!["cli", "commands", "main", "output"]),
        ("clap_complete", vec!["cli", "commands"]),
        ("axum", vec!["serve"]),
        ("hyper", vec!["serve"]),
        ("hyper_util", vec!["serve"]),
        ("tower", vec!["serve"]),
        ("tower_http", vec!["serve"]),
        ("tokio", vec!["serve"]),
        // A type's documented shape (derive(ToSchema)) lives with the type: the typed results
        // and views the service serves, and the records it answers with.
        (
            "utoipa",
            vec!["serve", "ops", "views", "store", "decisions"],
        ),
        ("tokio_io_timeout", vec!["serve"]),
        // Spreadsheets are read by the import alone.
        ("calamine", vec!["ingest"]),
        ("http_body_util", vec!["serve"]),
    ]
}

// ---------------------------------------------------------------------------------------------
// The lexer: code tokens and string literals, comments dropped.

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// An identifier or keyword.
    Ident(String),
    /// Punctuation, one character (`::` is two `:`).
    Punct(char),
    /// A string literal's text (escapes and line continuations kept as written).
    Str(String),
    /// A number, a char or byte literal, or a lifetime.
    Other,
}

fn lex(src: &str) -> Vec<(Tok, usize)> {
    let s: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let count_lines = |from: usize, to: usize, line: &mut usize| {
        *line += s[from..to.min(s.len())]
            .iter()
            .filter(|c| **c == '\n')
            .count();
    };
    while i < s.len() {
        let c = s[i];
        let start_line = line;
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && s.get(i + 1) == Some(&'/') {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && s.get(i + 1) == Some(&'*') {
            let (from, mut depth) = (i, 0usize);
            while i < s.len() {
                if s[i] == '/' && s.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if s[i] == '*' && s.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            count_lines(from, i, &mut line);
        } else if let Some((text, end)) = raw_string(&s, i) {
            count_lines(i, end, &mut line);
            out.push((Tok::Str(text), start_line));
            i = end;
        } else if c == '"' || (c == 'b' && s.get(i + 1) == Some(&'"')) {
            let from = i;
            i += if c == 'b' { 2 } else { 1 };
            let mut text = String::new();
            while i < s.len() && s[i] != '"' {
                if s[i] == '\\' {
                    // An escape, or a line continuation (`\` then the newline): kept as written.
                    text.push(s[i]);
                    i += 1;
                }
                if i < s.len() {
                    text.push(s[i]);
                }
                i += 1;
            }
            i += 1;
            count_lines(from, i, &mut line);
            out.push((Tok::Str(text), start_line));
        } else if c == '\'' {
            // A char literal ('a', '\n', '\'', '\u{1F600}') or a lifetime ('a).
            if s.get(i + 1) == Some(&'\\') {
                i += 3;
                while i < s.len() && s[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if s.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
                while i < s.len() && (s[i].is_alphanumeric() || s[i] == '_') {
                    i += 1;
                }
            }
            out.push((Tok::Other, start_line));
        } else if c == 'b' && s.get(i + 1) == Some(&'\'') {
            i += 2;
            if s.get(i) == Some(&'\\') {
                i += 2;
            }
            while i < s.len() && s[i] != '\'' {
                i += 1;
            }
            i += 1;
            out.push((Tok::Other, start_line));
        } else if c.is_alphabetic() || c == '_' {
            let from = i;
            while i < s.len() && (s[i].is_alphanumeric() || s[i] == '_') {
                i += 1;
            }
            let word: String = s[from..i].iter().collect();
            // `r#ident`: the raw identifier is the identifier.
            if word == "r" && s.get(i) == Some(&'#') {
                i += 1;
                continue;
            }
            out.push((Tok::Ident(word), start_line));
        } else if c.is_ascii_digit() {
            while i < s.len() && (s[i].is_alphanumeric() || s[i] == '_' || s[i] == '.') {
                // `0..n`: a range, not a fraction.
                if s[i] == '.' && s.get(i + 1) == Some(&'.') {
                    break;
                }
                i += 1;
            }
            out.push((Tok::Other, start_line));
        } else {
            out.push((Tok::Punct(c), start_line));
            i += 1;
        }
    }
    out
}

/// A raw string (`r"..."`, `r#"..."#`, `br#"..."#`) starting at `i`: its text and its end.
fn raw_string(s: &[char], i: usize) -> Option<(String, usize)> {
    let mut j = i;
    if s.get(j) == Some(&'b') {
        j += 1;
    }
    if s.get(j) != Some(&'r') {
        return None;
    }
    // Not the end of an identifier such as `for` or `bar`.
    if i > 0 && (s[i - 1].is_alphanumeric() || s[i - 1] == '_') {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while s.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    if s.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    let from = j;
    while j < s.len() {
        if s[j] == '"' && (0..hashes).all(|k| s.get(j + 1 + k) == Some(&'#')) {
            return Some((s[from..j].iter().collect(), j + 1 + hashes));
        }
        j += 1;
    }
    Some((s[from..].iter().collect(), s.len()))
}

/// The tokens without `#[cfg(test)]` items (a test module, a test-only `use` or function):
/// tests may use anything.
fn without_tests(toks: Vec<(Tok, usize)>) -> Vec<(Tok, usize)> {
    let is = |t: &Tok, p: char| *t == Tok::Punct(p);
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let cfg_test = is(&toks[i].0, '#')
            && toks.get(i + 1).is_some_and(|t| is(&t.0, '['))
            && toks
                .get(i + 2)
                .is_some_and(|t| t.0 == Tok::Ident("cfg".into()))
            && toks.get(i + 3).is_some_and(|t| is(&t.0, '('))
            && toks
                .get(i + 4)
                .is_some_and(|t| t.0 == Tok::Ident("test".into()))
            && toks.get(i + 5).is_some_and(|t| is(&t.0, ')'))
            && toks.get(i + 6).is_some_and(|t| is(&t.0, ']'));
        if !cfg_test {
            out.push(toks[i].clone());
            i += 1;
            continue;
        }
        // Skip the item: up to a `;` outside any bracket, or the end of its first `{ }` block.
        i += 7;
        let mut depth = 0i32;
        while i < toks.len() {
            match &toks[i].0 {
                Tok::Punct('{') | Tok::Punct('(') | Tok::Punct('[') => depth += 1,
                Tok::Punct('}') | Tok::Punct(')') | Tok::Punct(']') => {
                    depth -= 1;
                    if depth == 0 && is(&toks[i].0, '}') {
                        i += 1;
                        break;
                    }
                }
                Tok::Punct(';') if depth == 0 => {
                    i += 1;
                    break;
                }
                _ => {}
            }
            i += 1;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Paths: every path a file names, resolved to an absolute module path where it is the crate's.

/// A path a file names: its segments from the crate root (`["store", "Store", "open"]`) when
/// it is the crate's, or from an external crate (`["rusqlite", "Connection"]`), and its line.
#[derive(Debug, Clone, PartialEq)]
struct Named {
    crate_path: bool,
    segments: Vec<String>,
    line: usize,
}

/// Resolves `path` (as written) seen inside module `module` (`["model", "learner"]`).
fn resolve(module: &[String], path: &[String], crate_name: &str) -> Option<(bool, Vec<String>)> {
    let first = path.first()?;
    match first.as_str() {
        "crate" => Some((true, path[1..].to_vec())),
        "super" | "self" => {
            let mut base = module.to_vec();
            let mut rest = path;
            while let Some(seg) = rest.first() {
                match seg.as_str() {
                    "super" => {
                        base.pop();
                    }
                    "self" => {}
                    _ => break,
                }
                rest = &rest[1..];
            }
            base.extend(rest.iter().cloned());
            Some((true, base))
        }
        f if f == crate_name => Some((true, path[1..].to_vec())),
        _ => Some((false, path.to_vec())),
    }
}

/// Expands one `use` tree starting at `toks[i]` (after `use`) into full paths; returns them
/// and the index after the tree.
fn use_tree(toks: &[(Tok, usize)], mut i: usize, prefix: Vec<String>) -> (Vec<Vec<String>>, usize) {
    let mut path = prefix;
    let mut out = Vec::new();
    // `use ::std::x`
    while i < toks.len() && toks[i].0 == Tok::Punct(':') {
        i += 1;
    }
    loop {
        match toks.get(i).map(|t| &t.0) {
            Some(Tok::Ident(w)) if w == "as" => {
                // `as name` / `as _`: the path is what counts.
                i += 2;
                out.push(path.clone());
                return (out, i);
            }
            Some(Tok::Ident(w)) => {
                if w != "self" || path.is_empty() {
                    path.push(w.clone());
                }
                i += 1;
            }
            Some(Tok::Punct('*')) => {
                i += 1;
                out.push(path.clone());
                return (out, i);
            }
            Some(Tok::Punct('{')) => {
                i += 1;
                loop {
                    match toks.get(i).map(|t| &t.0) {
                        Some(Tok::Punct('}')) | None => {
                            i += 1;
                            break;
                        }
                        Some(Tok::Punct(',')) => i += 1,
                        _ => {
                            let (inner, next) = use_tree(toks, i, path.clone());
                            out.extend(inner);
                            i = next;
                        }
                    }
                }
                if out.is_empty() {
                    out.push(path.clone());
                }
                return (out, i);
            }
            _ => {
                out.push(path.clone());
                return (out, i);
            }
        }
        // `::` continues the path.
        if toks.get(i).map(|t| &t.0) == Some(&Tok::Punct(':'))
            && toks.get(i + 1).map(|t| &t.0) == Some(&Tok::Punct(':'))
        {
            i += 2;
        } else {
            out.push(path.clone());
            return (out, i);
        }
    }
}

/// Every path a file's code names (use trees expanded, paths in code), resolved from the file's
/// module (`["model", "learner"]`; inline `mod x { }` blocks are followed).
fn named_paths(module: &[String], toks: &[(Tok, usize)], crate_name: &str) -> Vec<Named> {
    let mut out = Vec::new();
    let mut modules: Vec<(Vec<String>, i32)> = vec![(module.to_vec(), -1)];
    let mut depth = 0i32;
    let mut i = 0;
    let colons = |i: usize| {
        toks.get(i).map(|t| &t.0) == Some(&Tok::Punct(':'))
            && toks.get(i + 1).map(|t| &t.0) == Some(&Tok::Punct(':'))
    };
    while i < toks.len() {
        let here = modules.last().map(|m| m.0.clone()).unwrap_or_default();
        match &toks[i].0 {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                depth -= 1;
                if modules.len() > 1 && modules.last().is_some_and(|m| m.1 == depth) {
                    modules.pop();
                }
            }
            Tok::Ident(w) if w == "mod" => {
                if let (Some(Tok::Ident(name)), Some(Tok::Punct('{'))) =
                    (toks.get(i + 1).map(|t| &t.0), toks.get(i + 2).map(|t| &t.0))
                {
                    let mut inner = here.clone();
                    inner.push(name.clone());
                    modules.push((inner, depth));
                }
            }
            Tok::Ident(w) if w == "use" => {
                let line = toks[i].1;
                let (paths, next) = use_tree(toks, i + 1, Vec::new());
                for p in paths {
                    if let Some((crate_path, segments)) = resolve(&here, &p, crate_name) {
                        out.push(Named {
                            crate_path,
                            segments,
                            line,
                        });
                    }
                }
                i = next;
                continue;
            }
            Tok::Ident(w) if colons(i + 1) => {
                // The start of a path (not a later segment of one).
                let later = i >= 2 && colons(i - 2);
                if !later {
                    let line = toks[i].1;
                    let mut p = vec![w.clone()];
                    let mut j = i + 1;
                    while colons(j) {
                        match toks.get(j + 2).map(|t| &t.0) {
                            Some(Tok::Ident(n)) => {
                                p.push(n.clone());
                                j += 3;
                            }
                            _ => break,
                        }
                    }
                    if let Some((crate_path, segments)) = resolve(&here, &p, crate_name) {
                        out.push(Named {
                            crate_path,
                            segments,
                            line,
                        });
                    }
                    i = j;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The sources and the checks.

struct Source {
    /// Top-level module: "store", "tui", "main", "lib", ...
    top: String,
    /// Module path from the crate root (`["model", "learner"]`; `[]` for lib.rs and main.rs).
    module: Vec<String>,
    path: PathBuf,
    toks: Vec<(Tok, usize)>,
}

impl Source {
    fn from_text(rel: &Path, text: &str) -> Source {
        let mut module: Vec<String> = rel
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .collect();
        if module.last().is_some_and(|m| m == "mod") {
            module.pop();
        }
        let top = module.first().cloned().unwrap_or_default();
        if top == "lib" || top == "main" {
            module.clear();
        }
        Source {
            top,
            module,
            path: rel.to_path_buf(),
            toks: without_tests(lex(text)),
        }
    }

    /// The crate's name as this file spells it (the binary reaches the library as `precre`).
    fn crate_name(&self) -> &'static str {
        if self.top == "main" {
            "precre"
        } else {
            "crate"
        }
    }

    fn paths(&self) -> Vec<Named> {
        named_paths(&self.module, &self.toks, self.crate_name())
    }

    /// The top-level modules this file uses (other than its own), with the line of each use.
    fn uses(&self, tops: &BTreeSet<String>) -> Vec<(String, usize)> {
        self.paths()
            .into_iter()
            .filter(|n| n.crate_path)
            .filter_map(|n| n.segments.first().cloned().map(|t| (t, n.line)))
            .filter(|(t, _)| *t != self.top && tops.contains(t))
            .collect()
    }

    /// The string literals of the code, with their lines.
    fn strings(&self) -> impl Iterator<Item = (&str, usize)> {
        self.toks.iter().filter_map(|(t, l)| match t {
            Tok::Str(s) => Some((s.as_str(), *l)),
            _ => None,
        })
    }
}

fn sources() -> Vec<Source> {
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
            let text = std::fs::read_to_string(&p).unwrap();
            Source::from_text(p.strip_prefix(&src).unwrap(), &text)
        })
        .collect()
}

/// The top-level modules, from the files.
fn tops(files: &[Source]) -> BTreeSet<String> {
    files.iter().map(|f| f.top.clone()).collect()
}

/// Each use of a top-level module that its allow-list does not hold, and each module missing
/// from the allow-list.
fn rule_violations(files: &[Source], allowed: &BTreeMap<&str, Vec<&str>>) -> Vec<String> {
    let tops = tops(files);
    let mut bad = Vec::new();
    for top in &tops {
        if !allowed.contains_key(top.as_str()) {
            bad.push(format!(
                "src/{top}: a top-level module with no allow-list: add it to `allowed()`"
            ));
        }
    }
    for f in files {
        let Some(may) = allowed.get(f.top.as_str()) else {
            continue;
        };
        let mut seen = BTreeSet::new();
        for (used, line) in f.uses(&tops) {
            if !may.contains(&used.as_str()) && seen.insert((used.clone(), line)) {
                bad.push(format!(
                    "{}:{line}: {} may not use {used} (it may use: {})",
                    f.path.display(),
                    f.top,
                    may.join(", ")
                ));
            }
        }
    }
    bad
}

/// The cycles between top-level modules: each a list of modules, the first repeated last.
fn cycles(files: &[Source]) -> Vec<Vec<String>> {
    let tops = tops(files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        for (used, _) in f.uses(&tops) {
            edges.entry(f.top.clone()).or_default().insert(used);
        }
    }
    // Depth-first search; a back edge closes a cycle. Each cycle is reported once, from its
    // smallest module.
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        found: &mut BTreeSet<Vec<String>>,
    ) {
        if let Some(at) = stack.iter().position(|s| s == n) {
            let mut cycle: Vec<String> = stack[at..].to_vec();
            let min = cycle
                .iter()
                .enumerate()
                .min_by_key(|(_, s)| s.as_str())
                .map(|(i, _)| i)
                .unwrap_or(0);
            cycle.rotate_left(min);
            cycle.push(cycle[0].clone());
            found.insert(cycle);
            return;
        }
        if done.contains(n) {
            return;
        }
        stack.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            visit(m, edges, stack, done, found);
        }
        stack.pop();
        done.insert(n.to_string());
    }
    let mut found = BTreeSet::new();
    for n in &tops {
        // A fresh `done` per start: every cycle is reached from one of its members.
        let mut done = BTreeSet::new();
        visit(n, &edges, &mut Vec::new(), &mut done, &mut found);
    }
    found.into_iter().collect()
}

/// External crates named outside the modules that may know them.
fn library_violations(files: &[Source]) -> Vec<String> {
    let owners = library_owners();
    let mut bad = Vec::new();
    for f in files {
        for n in f.paths().into_iter().filter(|n| !n.crate_path) {
            let Some(lib) = n.segments.first() else {
                continue;
            };
            if let Some((_, who)) = owners.iter().find(|(l, _)| l == lib) {
                if !who.contains(&f.top.as_str()) {
                    bad.push(format!(
                        "{}:{}: {} uses {lib} (only {} may)",
                        f.path.display(),
                        n.line,
                        f.top,
                        who.join(", ")
                    ));
                }
            }
            let io = ["std::fs", "std::io", "std::net", "std::process"];
            let joined = n.segments.join("::");
            if ["finance", "analysis", "model"].contains(&f.top.as_str())
                && io
                    .iter()
                    .any(|p| joined == *p || joined.starts_with(&format!("{p}::")))
            {
                bad.push(format!(
                    "{}:{}: domain code does no I/O ({joined})",
                    f.path.display(),
                    n.line
                ));
            }
        }
    }
    bad
}

/// A string literal below the front-ends that names a flag (`--name`) or a command
/// (`precre name`): the front-end adds those words.
fn flag_violations(files: &[Source]) -> Vec<String> {
    let mut bad = Vec::new();
    for f in files
        .iter()
        .filter(|f| !FRONT_ENDS.contains(&f.top.as_str()))
    {
        for (s, line) in f.strings() {
            if names_a_flag(s) || names_a_command(s) {
                bad.push(format!("{}:{line}: \"{s}\"", f.path.display()));
            }
        }
    }
    bad
}

/// `--` followed by a letter, not preceded by a letter (`a--b` is no flag).
fn names_a_flag(s: &str) -> bool {
    let c: Vec<char> = s.chars().collect();
    (0..c.len().saturating_sub(2)).any(|i| {
        c[i] == '-'
            && c[i + 1] == '-'
            && c[i + 2].is_ascii_lowercase()
            && (i == 0 || !c[i - 1].is_alphanumeric() && c[i - 1] != '-')
    })
}

/// `precre NAME` where NAME is one of the command line's subcommands (`precre check`).
fn names_a_command(s: &str) -> bool {
    use clap::CommandFactory;
    let cli = precre::cli::Cli::command();
    let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
    s.match_indices("precre ").any(|(i, _)| {
        let word: String = s[i + 7..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '-')
            .collect();
        let before = s[..i].chars().next_back();
        !before.is_some_and(|b| b.is_alphanumeric()) && names.contains(&word.as_str())
    })
}

#[test]
fn every_module_uses_only_what_its_allow_list_holds() {
    let files = sources();
    let bad = rule_violations(&files, &allowed());
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn no_cycle_between_top_level_modules() {
    let found = cycles(&sources());
    let words: Vec<String> = found.iter().map(|c| c.join(" -> ")).collect();
    assert!(words.is_empty(), "cycles:\n{}", words.join("\n"));
}

#[test]
fn libraries_stay_in_their_layer() {
    let bad = library_violations(&sources());
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn no_message_below_the_front_ends_names_a_flag_or_a_command() {
    let bad = flag_violations(&sources());
    assert!(
        bad.is_empty(),
        "flags or commands named below the front-ends (name the thing; the front-end adds \
         its flag):\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_allow_list_is_itself_acyclic_and_layered() {
    // The allow-list may not allow a cycle, and the layers of the rule hold in it.
    let allowed = allowed();
    for (m, may) in &allowed {
        for u in may {
            let back = allowed.get(u).is_some_and(|v| v.contains(m));
            assert!(!back, "{m} and {u} may use each other");
        }
        if DOMAIN.contains(m) {
            assert!(
                may.iter().all(|u| DOMAIN.contains(u)),
                "{m}: domain uses only domain"
            );
        }
        if !FRONT_ENDS.contains(m) && *m != "lib" {
            assert!(
                may.iter().all(|u| !FRONT_ENDS.contains(u)),
                "{m}: below the front-ends"
            );
        }
    }
    assert!(!allowed["tui"].contains(&"commands"));
    assert!(!allowed["store"].contains(&"views"));
    assert!(!allowed["decisions"].contains(&"store"));
}

// ---------------------------------------------------------------------------------------------
// The checker's own tests: it must catch planted violations, not pass because it read nothing.

fn planted(files: &[(&str, &str)]) -> Vec<Source> {
    files
        .iter()
        .map(|(p, t)| Source::from_text(Path::new(p), t))
        .collect()
}

fn uses_of(path: &str, text: &str) -> Vec<String> {
    let all: BTreeSet<String> = [
        "store", "ops", "tui", "model", "analysis", "finance", "views", "cli", "commands",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut u: Vec<String> = Source::from_text(Path::new(path), text)
        .uses(&all)
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    u.sort();
    u.dedup();
    u
}

#[test]
fn the_reader_reads_every_form_of_a_path() {
    // Grouped and nested imports, over several lines, `pub(crate) use`, `as`.
    assert_eq!(
        uses_of(
            "finance/x.rs",
            "use crate::{\n    store::Store,\n    ops::{self, train::Req as R},\n};\npub(crate) use crate::views as v;"
        ),
        ["ops", "store", "views"]
    );
    // A fully qualified path in code, not in a use line; a `::` path after a generic.
    assert_eq!(
        uses_of(
            "finance/x.rs",
            "fn f() { let s = crate::store::Store::open(p); Vec::<crate::tui::A>::new(); }"
        ),
        ["store", "tui"]
    );
    // `super::` followed to its module: from analysis/dataset.rs, `super::super::store` is
    // crate::store; from model/mod.rs, `super::ops` is crate::ops; `super::x` stays in model.
    assert_eq!(
        uses_of("analysis/dataset.rs", "use super::super::store::Store;"),
        ["store"]
    );
    assert_eq!(uses_of("model/mod.rs", "use super::ops;"), ["ops"]);
    assert_eq!(
        uses_of("model/learner.rs", "use super::boost::B;"),
        Vec::<String>::new()
    );
    assert_eq!(
        uses_of("model/a/b.rs", "use super::super::super::tui::X;"),
        ["tui"]
    );
    // Inline modules: `super` inside `mod inner { }` is the file's module, so from
    // model/x.rs's `inner`, `super::super` is model and `super::super::super` the crate.
    assert_eq!(
        uses_of("model/x.rs", "mod inner { use super::super::cli::A; }"),
        Vec::<String>::new()
    );
    assert_eq!(
        uses_of(
            "model/x.rs",
            "mod inner { use super::super::super::cli::A; }"
        ),
        ["cli"]
    );
    // The binary reaches the library by its name.
    assert_eq!(uses_of("main.rs", "use precre::commands;"), ["commands"]);
}

#[test]
fn strings_comments_and_tests_do_not_fool_the_reader() {
    // Paths inside strings (one continued on the next line, raw, byte), comments (line, nested
    // block, doc) and `#[cfg(test)]` items are not uses.
    let text = r##"
        //! crate::store in a doc comment
        /* crate::ops /* nested crate::tui */ still a comment crate::views */
        const A: &str = "a string that names crate::store and \
                         continues: crate::ops::train \" with a quote crate::tui";
        const B: &str = r#"raw "crate::cli" "#;
        const C: &[u8] = b"crate::commands";
        const D: char = '"';
        const E: (char, u8) = ('\'', b'\'');
        fn f<'a>(x: &'a str) -> &'a str { x }
        #[cfg(test)]
        use crate::views::X;
        #[cfg(test)]
        mod tests { use crate::tui::Y; fn g() { crate::store::Z; } }
        fn real() { crate::analysis::go(); }
    "##;
    assert_eq!(uses_of("finance/x.rs", text), ["analysis"]);
    // The string continued on its second line is read whole: the flag in it is seen.
    let files = planted(&[(
        "views/x.rs",
        "fn f() -> String { format!(\"no such ratio: \\\n   run it with --list\") }",
    )]);
    assert_eq!(
        flag_violations(&files).len(),
        1,
        "{:?}",
        flag_violations(&files)
    );
    // `--` in code (a decrement does not exist in Rust, but `a -- b` is `a - (-b)`) is no flag;
    // a doc comment naming a flag is no message.
    let files = planted(&[(
        "views/x.rs",
        "/// run `precre check --fix`\nfn f(a: i32, b: i32) -> i32 { a -- b }",
    )]);
    assert!(flag_violations(&files).is_empty());
}

#[test]
fn the_checker_catches_planted_violations() {
    let files = planted(&[
        // tui uses commands (a front-end using another's words).
        ("tui/mod.rs", "use crate::commands::UsageError;"),
        // store and views use each other: a violation and a cycle.
        ("store/decisions.rs", "use crate::{views::{DecisionView}, finance};"),
        ("views/mod.rs", "pub fn f(s: &crate::store::Store) {}"),
        // domain code names the store through super::, and a flag in a message.
        (
            "analysis/dataset.rs",
            "use super::super::store::Store;\nfn e() -> String { \"`precre ratios --list` lists them\".into() }",
        ),
        // rusqlite outside the store, clap below the front-ends, axum outside serve.
        ("views/x.rs", "use rusqlite::Connection;\nfn f() { clap::Command::new(\"x\"); }"),
        ("ops/y.rs", "use axum::Router;"),
        ("commands/mod.rs", "use crate::tui;"),
        ("finance/mod.rs", "fn f() { std::fs::read(\"x\"); }"),
        ("lib.rs", ""),
    ]);
    let bad = rule_violations(&files, &allowed());
    let has = |needle: &str| bad.iter().any(|b| b.contains(needle));
    assert!(has("tui/mod.rs:1: tui may not use commands"), "{bad:?}");
    assert!(
        has("store/decisions.rs:1: store may not use views"),
        "{bad:?}"
    );
    assert!(
        has("analysis/dataset.rs:1: analysis may not use store"),
        "{bad:?}"
    );
    assert!(!has("commands/mod.rs"), "commands may use tui: {bad:?}");
    assert_eq!(bad.len(), 3, "{bad:?}");
    let cyc = cycles(&files);
    let words: Vec<String> = cyc.iter().map(|c| c.join(" -> ")).collect();
    assert_eq!(
        words,
        ["commands -> tui -> commands", "store -> views -> store"]
    );
    let libs = library_violations(&files);
    assert_eq!(libs.len(), 4, "{libs:?}");
    assert!(libs
        .iter()
        .any(|l| l.contains("views/x.rs:1: views uses rusqlite")));
    assert!(libs
        .iter()
        .any(|l| l.contains("views/x.rs:2: views uses clap")));
    assert!(libs.iter().any(|l| l.contains("ops/y.rs:1: ops uses axum")));
    assert!(libs
        .iter()
        .any(|l| l.contains("domain code does no I/O (std::fs::read)")));
    let flags = flag_violations(&files);
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert!(flags[0].starts_with("analysis/dataset.rs:2:"), "{flags:?}");
    // A module with no allow-list is itself a violation.
    let files = planted(&[("newthing/mod.rs", "")]);
    assert!(rule_violations(&files, &allowed())[0].contains("no allow-list"));
}

#[test]
fn the_reader_reads_the_real_source() {
    // The checks above must not pass because they read nothing.
    let files = sources();
    assert!(files.len() > 60, "{} files", files.len());
    let tops = tops(&files);
    for t in ["store", "serve", "tui", "ops", "model", "main", "lib"] {
        assert!(tops.contains(t), "{t}");
    }
    let store_uses_finance = files
        .iter()
        .filter(|f| f.top == "store")
        .any(|f| f.uses(&tops).iter().any(|(u, _)| u == "finance"));
    assert!(store_uses_finance);
    let commands_use_ops = files
        .iter()
        .filter(|f| f.top == "commands")
        .any(|f| f.uses(&tops).iter().any(|(u, _)| u == "ops"));
    assert!(commands_use_ops);
}
