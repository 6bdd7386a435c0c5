//! Third-party tools the suites install, pinned, under `<target dir>/tools/`
//! when they are not there yet: npm packages ([`npm_package`]: Prism for
//! `prism_mock`, oauth2-mock-server for `oauth_server`), and the providers'
//! official client libraries of `official_sdks` ([`official_sdks`]: one
//! Python venv from a pinned `requirements.txt`, one `node_modules` from a
//! `package-lock.json`).
//!
//! An install goes into a fresh directory renamed when complete, so an
//! interrupted install never looks like a finished one and concurrent test
//! processes do not trip over each other (the first rename wins). A tool that
//! cannot be had is an error saying why: a suite never passes without having
//! run.

pub mod oauth_server;
pub mod official_sdks;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The cargo target directory the running test binary was built in (the one
/// holding `CACHEDIR.TAG`; `CARGO_TARGET_DIR` is honoured that way too).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    exe.ancestors()
        .find(|p| p.join("CACHEDIR.TAG").is_file())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// `<target dir>/tools/`.
pub fn tools_dir() -> PathBuf {
    target_dir().join("tools")
}

/// Runs `cmd args`; its trimmed standard output, or why it failed.
pub fn run(cmd: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .map_err(|e| format!("`{cmd}` could not be run: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`{cmd} {}` failed ({}): {}{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The version of `package` installed under `prefix` (its `package.json`).
fn installed_version(prefix: &Path, package: &str) -> Option<String> {
    let manifest = prefix
        .join("node_modules")
        .join(package)
        .join("package.json");
    let text = std::fs::read_to_string(manifest).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.get("version")?.as_str().map(str::to_string)
}

/// The npm package `package@version` installed (`npm install --save-exact`)
/// into `<target dir>/tools/<dir>/` unless that directory already holds that
/// version; returns the directory (the package is in its `node_modules`, its
/// executables in `node_modules/.bin`). Needs `node` and `npm` on `PATH` and
/// access to the npm registry the first time.
pub fn npm_package(dir: &str, package: &str, version: &str) -> Result<PathBuf, String> {
    // One install at a time in this process (tests run on several threads).
    static INSTALL: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tools_dir().join(dir);
    let wanted = format!("{package}@{version}");
    if installed_version(&dir, package).as_deref() == Some(version) {
        return Ok(dir);
    }
    let needs = format!(
        "{wanted} is installed with npm into {}: Node.js and npm must be on PATH",
        dir.display()
    );
    let node = run("node", &["--version"]).map_err(|e| format!("{needs}: {e}"))?;
    let npm = run("npm", &["--version"]).map_err(|e| format!("{needs}: {e}"))?;
    eprintln!(
        "installing {wanted} with node {node}, npm {npm} into {}",
        dir.display()
    );
    let partial = dir.with_extension(format!("partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial)
        .map_err(|e| format!("cannot create {}: {e}", partial.display()))?;
    let prefix = partial.to_string_lossy().into_owned();
    let installed = run(
        "npm",
        &[
            "install",
            "--prefix",
            &prefix,
            "--no-audit",
            "--no-fund",
            "--save-exact",
            "--loglevel=error",
            &wanted,
        ],
    );
    if let Err(e) = installed {
        let _ = std::fs::remove_dir_all(&partial);
        return Err(format!(
            "installing {wanted} with npm (node {node}, npm {npm}) failed; it needs access to \
             the npm registry: {e}"
        ));
    }
    if installed_version(&dir, package).as_deref() != Some(version) {
        // A leftover of an install that did not finish, or of another version.
        let _ = std::fs::remove_dir_all(&dir);
    }
    if std::fs::rename(&partial, &dir).is_err() {
        // Another process won the race.
        let _ = std::fs::remove_dir_all(&partial);
    }
    match installed_version(&dir, package) {
        Some(v) if v == version => Ok(dir),
        other => Err(format!(
            "{} holds {package} {other:?} after installing {wanted}",
            dir.display()
        )),
    }
}
