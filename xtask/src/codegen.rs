//! The `codegen` command: generate everything, then write it or compare it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::generate::{self, Generated};
use crate::spec::Spec;

/// Where generated clients go, relative to the workspace root.
pub const GENERATED_DIR: &str = "sdk/src/generated";
/// Where specs are read from, relative to the workspace root.
pub const SPEC_DIR: &str = "openapi";
/// The JSON Schema of the SDK's serialized error, relative to the workspace root.
pub const ERROR_SCHEMA: &str = "openapi/userbridge-error.schema.json";

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

/// One file codegen owns: its path relative to the root, and its content.
pub struct Output {
    pub path: String,
    pub text: String,
}

/// Every provider spec under `openapi/`, sorted by name.
pub fn spec_paths(root: &Path) -> Result<Vec<PathBuf>, String> {
    let dir = root.join(SPEC_DIR);
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    paths.sort();
    Ok(paths)
}

/// Generates every output in memory. `Err` lists every spec that failed.
pub fn generate_all(root: &Path) -> Result<(Vec<Output>, Vec<String>), String> {
    let mut outputs = Vec::new();
    let mut log = Vec::new();
    let mut errors = Vec::new();
    let mut modules = Vec::new();
    for path in spec_paths(root)? {
        match Spec::load(&path).and_then(|spec| Ok((spec.file_name(), generate::generate(&spec)?)))
        {
            Ok((
                spec_file,
                Generated {
                    module,
                    file,
                    text,
                    notes,
                },
            )) => {
                log.push(format!("{file}: {} pre-pass rewrite(s)", notes.len()));
                outputs.push(Output {
                    path: format!("{GENERATED_DIR}/{file}"),
                    text,
                });
                modules.push((module, spec_file));
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    let features = sdk_features(root);
    outputs.push(Output {
        path: format!("{GENERATED_DIR}/mod.rs"),
        text: module_index(&modules, &features),
    });
    if root.join("sdk/Cargo.toml").is_file() {
        outputs.push(Output {
            path: ERROR_SCHEMA.to_string(),
            text: error_schema(root)?,
        });
    } else {
        log.push(format!(
            "{ERROR_SCHEMA}: skipped (no sdk crate under this root)"
        ));
    }
    Ok((outputs, log))
}

/// The error's JSON Schema, printed by the sdk's `error_schema` example (feature
/// `schema`). Built in a separate cargo process so that the xtask itself never
/// depends on the sdk: codegen works even while the sdk does not compile.
fn error_schema(root: &Path) -> Result<String, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = std::process::Command::new(cargo)
        .current_dir(root)
        .args([
            "run",
            "--quiet",
            "--package",
            "userbridge",
            "--features",
            "schema",
            "--example",
            "error_schema",
        ])
        .output()
        .map_err(|e| format!("{ERROR_SCHEMA}: cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{ERROR_SCHEMA}: the sdk's error_schema example failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("{ERROR_SCHEMA}: not UTF-8: {e}"))
}

/// The features of the sdk crate (`[features]` of `sdk/Cargo.toml`): a spec
/// whose name is one is compiled only with it.
fn sdk_features(root: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(root.join("sdk/Cargo.toml")).unwrap_or_default();
    let mut in_features = false;
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_features = line == "[features]";
        } else if in_features {
            if let Some((name, _)) = line.split_once('=') {
                let name = name.trim();
                if !name.is_empty() && !name.starts_with('#') {
                    out.push(name.to_string());
                }
            }
        }
    }
    out
}

/// `mod.rs`: one module per `(module name, spec file name)`, gated by the
/// sdk feature of the spec's name where there is one.
fn module_index(modules: &[(String, String)], features: &[String]) -> String {
    let mut s = String::from(
        "// @generated by `cargo xtask codegen`: one module per spec in openapi/.\n\
         // Do not edit by hand.\n\n\
         /// The per-call state every generated client carries (its `inner` value).\n\
         pub use crate::transport::CallContext;\n\n",
    );
    for (m, spec_file) in modules {
        let name = spec_file.trim_end_matches(".yaml").trim_end_matches(".yml");
        let gate = if features.iter().any(|f| f == name) {
            format!("#[cfg(feature = \"{name}\")]\n")
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "/// Client generated from `openapi/{spec_file}` (low-level, unstable).\n\
             {gate}#[rustfmt::skip]\n\
             #[allow(missing_docs, unused_imports, unreachable_patterns, dead_code, \
             clippy::all, clippy::pedantic)]\n\
             pub mod {m};"
        );
    }
    s
}

/// Runs `codegen` (write) or `codegen --check` (compare). Returns the report.
pub fn run(root: &Path, check: bool) -> Result<String, String> {
    let (outputs, log) = generate_all(root).map_err(|e| format!("codegen failed:\n{e}\n"))?;
    let mut report = String::new();
    for l in &log {
        let _ = writeln!(report, "{l}");
    }
    let mut stale = Vec::new();
    for out in &outputs {
        let path = root.join(&out.path);
        let current = std::fs::read_to_string(&path).ok();
        if current.as_deref() == Some(out.text.as_str()) {
            continue;
        }
        if check {
            let _ = writeln!(report, "stale: {}", out.path);
            report.push_str(&diff(
                current.as_deref().unwrap_or(""),
                &out.text,
                &out.path,
            ));
            stale.push(out.path.clone());
        } else {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
            std::fs::write(&path, &out.text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            let _ = writeln!(report, "wrote {}", out.path);
        }
    }
    // Files in the generated directory that no spec produces any more.
    let dir = root.join(GENERATED_DIR);
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.filter_map(Result::ok) {
            let rel = format!("{GENERATED_DIR}/{}", entry.file_name().to_string_lossy());
            if outputs.iter().any(|o| o.path == rel) {
                continue;
            }
            if check {
                let _ = writeln!(report, "stale: {rel} (no spec produces it)");
                stale.push(rel);
            } else {
                std::fs::remove_file(entry.path())
                    .map_err(|e| format!("cannot remove {rel}: {e}"))?;
                let _ = writeln!(report, "removed {rel}");
            }
        }
    }
    if !stale.is_empty() {
        let _ = writeln!(
            report,
            "\n{} generated file(s) are stale: {}\nrun `cargo xtask codegen` and commit the result",
            stale.len(),
            stale.join(", ")
        );
        return Err(report);
    }
    if check {
        let _ = writeln!(
            report,
            "all {} generated files are up to date",
            outputs.len()
        );
    }
    Ok(report)
}

/// A unified diff, cut to a readable length.
fn diff(old: &str, new: &str, path: &str) -> String {
    const MAX_LINES: usize = 80;
    let text = similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("{path} (checked in)"),
            &format!("{path} (from the spec)"),
        )
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= MAX_LINES {
        return text;
    }
    let mut s = lines[..MAX_LINES].join("\n");
    let _ = writeln!(s, "\n... ({} more diff lines)", lines.len() - MAX_LINES);
    s
}
