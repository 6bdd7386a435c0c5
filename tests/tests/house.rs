//! The house stays one picture: every module of `sdk/src` imports only modules
//! on the floors below its own, so no two modules import each other, directly
//! or through others.
//!
//! The floors are listed here top down, as the README's "Working on
//! userbridge" draws them. A module is a file (`providers/okta/mod.rs` is
//! `providers::okta`); it imports another when its code (comments left out)
//! names a path into it: `crate::a::b`, `super::b`, `self::b` or a child
//! module's `b::`, in a `use` line (braces expanded) or inline. A path is
//! charged to the deepest module it names, so `crate::providers::scim::types::X`
//! imports `providers::scim::types`, not the registry it passes through.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The floors, top down. A pattern ending in `*` covers that prefix's
/// modules; the first pattern a module matches places it.
const FLOORS: &[&[&str]] = &[
    &["crate"],
    &["mock::standalone"],
    &["client", "mock"],
    &["bulk"],
    &["users"],
    &["config"],
    &["providers"],
    &["providers::*::mock"],
    &["providers::*"],
    &["providers::google::envelope", "providers::google::tokens"],
    &["mock::state"],
    &["mock::front", "mock::model"],
    &["adapter"],
    &["generated", "generated::*"],
    &["credentials"],
    &["transport", "tls"],
    &["signing"],
    &["pacing"],
    &["outcome"],
    &["providers::*::types"],
    &["retry", "error"],
    &["provider"],
];

/// Where `module` stands: its floor's index (0 is the top).
fn floor_of(module: &str) -> Option<usize> {
    FLOORS.iter().position(|floor| {
        floor.iter().any(|pattern| match pattern.split_once('*') {
            Some((prefix, suffix)) => {
                module.len() > prefix.len() + suffix.len()
                    && module.starts_with(prefix)
                    && module.ends_with(suffix)
                    && !module[prefix.len()..module.len() - suffix.len()].contains("::")
            }
            None => module == *pattern,
        })
    })
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/src")
}

/// Every `.rs` file under `dir`, with its module path (`crate` for `lib.rs`).
fn modules(dir: &Path, prefix: &[String], out: &mut BTreeMap<String, PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("sdk/src is readable")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a UTF-8 file name")
            .to_string();
        if path.is_dir() {
            let mut inner = prefix.to_vec();
            inner.push(name);
            modules(&path, &inner, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let mut parts = prefix.to_vec();
            if !(name == "mod" || (prefix.is_empty() && name == "lib")) {
                parts.push(name);
            }
            let module = if parts.is_empty() {
                "crate".to_string()
            } else {
                parts.join("::")
            };
            out.insert(module, path);
        }
    }
}

/// The code of a file without its comments (line and block) and the text of
/// its string literals, so that neither a doc link nor a message counts.
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if b[i] == b'"' {
            // A string literal (raw strings of the SDK hold no `"` before
            // their end, and none of these paths): skipped to its end.
            out.push_str("\"\"");
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else if b[i] == b'\'' && i + 2 < b.len() && (b[i + 2] == b'\'' || b[i + 1] == b'\\') {
            // A char literal such as '"' or '\\'.
            let end = text[i + 1..].find('\'').map_or(b.len(), |n| i + 2 + n);
            out.push_str("' '");
            i = end;
        } else {
            let c = text[i..].chars().next().expect("in bounds");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The paths a piece of code names: `use` trees expanded, then every other
/// `a::b::c` run of identifiers.
fn paths_in(code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut rest = code;
    // `use` trees first (their braces hold several paths).
    let mut others = String::new();
    while let Some(at) = find_use(rest) {
        others.push_str(&rest[..at]);
        let after = &rest[at + 4..];
        let end = after.find(';').unwrap_or(after.len());
        expand(&after[..end], &[], &mut paths);
        rest = &after[(end + 1).min(after.len())..];
    }
    others.push_str(rest);
    // Inline paths.
    let mut current: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut chars = others.chars().peekable();
    let mut prev_sep = false;
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() || c == '_' || c == '$' {
            word.push(c);
            continue;
        }
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            if !word.is_empty() {
                current.push(std::mem::take(&mut word));
            }
            prev_sep = true;
            continue;
        }
        if !word.is_empty() {
            current.push(std::mem::take(&mut word));
        }
        if current.len() > 1 || prev_sep {
            paths.push(std::mem::take(&mut current));
        }
        current.clear();
        prev_sep = false;
    }
    paths
}

/// The start of the next `use ` item in `code` (after `pub`, `pub(crate)`, a
/// newline, `{` or `;`), if any.
fn find_use(code: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(n) = code[from..].find("use ") {
        let at = from + n;
        let before = code[..at].trim_end();
        if before.is_empty()
            || before.ends_with(';')
            || before.ends_with('{')
            || before.ends_with('}')
            || before.ends_with("pub")
            || before.ends_with(')')
            || before.ends_with(']')
        {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

/// Expands one `use` tree (`a::{b, c::{d, e}}`) into its paths.
fn expand(tree: &str, prefix: &[String], out: &mut Vec<Vec<String>>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let head: Vec<String> = tree[..open]
            .split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let mut base = prefix.to_vec();
        base.extend(head);
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(&inner[start..i], &base, out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand(&inner[start..], &base, out);
    } else {
        let leaf = tree.split(" as ").next().unwrap_or(tree);
        let mut path = prefix.to_vec();
        path.extend(
            leaf.split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from),
        );
        if !path.is_empty() {
            out.push(path);
        }
    }
}

/// The module a path names from inside `module`, resolved to the deepest
/// module of `known` it reaches; `None` for a path outside the crate.
fn target(module: &str, path: &[String], known: &BTreeSet<String>) -> Option<String> {
    let here: Vec<&str> = if module == "crate" {
        Vec::new()
    } else {
        module.split("::").collect()
    };
    let (mut base, rest): (Vec<&str>, &[String]) = match path.first().map(String::as_str) {
        Some("crate") | Some("$crate") => (Vec::new(), &path[1..]),
        Some("self") => (here.clone(), &path[1..]),
        Some("super") => {
            let mut base = here.clone();
            let mut rest = path;
            while rest.first().map(String::as_str) == Some("super") {
                base.pop();
                rest = &rest[1..];
            }
            (base, rest)
        }
        // A child module named by its bare name.
        Some(first) => {
            let mut child = here.clone();
            child.push(first);
            if known.contains(&child.join("::")) {
                (here.clone(), path)
            } else {
                return None;
            }
        }
        None => return None,
    };
    // The deepest module of the crate on the path: a path inside an inline
    // module (not a file) is charged to the file that holds it.
    base.extend(rest.iter().map(String::as_str));
    let mut deepest = "crate".to_string();
    for n in 1..=base.len() {
        let candidate = base[..n].join("::");
        if known.contains(&candidate) {
            deepest = candidate;
        }
    }
    Some(deepest)
}

/// The code of `module` split by its inline modules (`mod tests { .. }`,
/// generated `pub mod types { .. }`): each piece with the module path its
/// `self` and `super` are relative to.
fn inline_modules(module: &str, code: &str, out: &mut Vec<(String, String)>) {
    let mut outer = String::new();
    let mut rest = code;
    while let Some((at, name, open)) = next_inline_mod(rest) {
        outer.push_str(&rest[..at]);
        let mut depth = 0;
        let mut close = rest.len();
        for (i, c) in rest[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let inner = format!("{module}::{name}");
        inline_modules(&inner, &rest[open + 1..close.max(open + 1)], out);
        rest = &rest[(close + 1).min(rest.len())..];
    }
    outer.push_str(rest);
    out.push((module.to_string(), outer));
}

/// The next `mod NAME {` in `code`: where it starts, its name, where its brace is.
fn next_inline_mod(code: &str) -> Option<(usize, String, usize)> {
    let mut from = 0;
    while let Some(n) = code[from..].find("mod ") {
        let at = from + n;
        from = at + 4;
        let boundary = code[..at]
            .chars()
            .last()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        if !boundary {
            continue;
        }
        let after = &code[at + 4..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let tail = after[name.len()..].trim_start();
        if !name.is_empty() && tail.starts_with('{') {
            let open = at + 4 + name.len() + (after.len() - name.len() - tail.len());
            return Some((at, name, open));
        }
    }
    None
}

/// Each module's imports of other modules of the crate.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = BTreeMap::new();
    modules(&src(), &[], &mut files);
    let known: BTreeSet<String> = files.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (module, path) in &files {
        let text = std::fs::read_to_string(path).expect("a readable source file");
        let mut pieces = Vec::new();
        inline_modules(module, &code_of(&text), &mut pieces);
        let mut to = BTreeSet::new();
        for (within, code) in &pieces {
            for p in paths_in(code) {
                if let Some(t) = target(within, &p, &known) {
                    if &t != module {
                        to.insert(t);
                    }
                }
            }
        }
        graph.insert(module.clone(), to);
    }
    graph
}

#[test]
fn every_module_imports_only_floors_below_its_own() {
    let graph = imports();
    assert!(
        graph.len() > 30,
        "the walk found {} modules: is sdk/src where it was?",
        graph.len()
    );
    let mut wrong = Vec::new();
    for (module, to) in &graph {
        let Some(mine) = floor_of(module) else {
            wrong.push(format!(
                "{module} is on no floor: add it to FLOORS in tests/tests/house.rs and to the \
                 README's picture"
            ));
            continue;
        };
        for t in to {
            match floor_of(t) {
                Some(theirs) if theirs > mine => {}
                _ => wrong.push(format!(
                    "{module} (floor {mine}) imports {t} (floor {:?}): a module imports only \
                     floors below its own",
                    floor_of(t)
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_module_imports_itself_through_others() {
    // Follows from the floors, checked on its own so that a wrong floor list
    // cannot hide a circle: a depth-first search for a back edge.
    let graph = imports();
    fn visit<'a>(
        m: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        on_path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = on_path.iter().position(|x| *x == m) {
            let mut circle: Vec<String> = on_path[at..].iter().map(|s| s.to_string()).collect();
            circle.push(m.to_string());
            return Some(circle);
        }
        if !done.insert(m) {
            return None;
        }
        on_path.push(m);
        for t in graph.get(m).into_iter().flatten() {
            if let Some(c) = visit(t, graph, on_path, done) {
                return Some(c);
            }
        }
        on_path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        if let Some(circle) = visit(m, &graph, &mut Vec::new(), &mut done) {
            panic!("modules import each other: {}", circle.join(" -> "));
        }
    }
}

/// The check reads what it should: a circle written the ways code imports is
/// found, and what is not an import is not.
#[test]
fn the_reader_finds_imports_and_only_imports() {
    let known: BTreeSet<String> = ["crate", "a", "a::b", "a::b::c", "d"]
        .map(String::from)
        .into();
    let code = code_of(
        "use crate::a::{b::{c::X, Y}, Z};\n\
         pub(crate) use super::d;\n\
         // use crate::d::Commented;\n\
         /// [`crate::d::Doc`]\n\
         fn f() { let s = \"crate::d::InAString\"; crate::a::W::new(); b::V; }",
    );
    let found: BTreeSet<String> = paths_in(&code)
        .iter()
        .filter_map(|p| target("a", p, &known))
        .collect();
    assert_eq!(
        found,
        ["a::b::c", "a::b", "a", "d"].map(String::from).into(),
        "{:?}",
        paths_in(&code)
    );
    assert_eq!(floor_of("providers::okta"), floor_of("providers::scim"));
    assert_ne!(
        floor_of("providers::okta::mock"),
        floor_of("providers::okta")
    );
    assert_eq!(floor_of("providers::okta::x::y"), None);
}
