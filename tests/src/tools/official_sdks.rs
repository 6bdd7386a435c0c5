//! The providers' official client libraries, pinned in
//! `tests/official_sdks/requirements.txt` (PyPI) and
//! `tests/official_sdks/package.json` + `package-lock.json` (npm), installed
//! once per target directory: one venv in `<target>/tools/official-sdks-py/`,
//! one `node_modules` in `<target>/tools/official-sdks-node/`. An install is
//! redone when the pinned file it came from changed (its copy is kept in the
//! installed directory and compared).
//!
//! Needs `python3` with the `venv` module, Node.js 20+ and npm on `PATH`, and
//! access to PyPI and the npm registry the first time; without them an install
//! is an error saying so (the suite fails, it never passes without running).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

use super::tools_dir;

/// What a failed install says first.
pub const HOW_TO_INSTALL: &str = "tests/tests/official_sdks.rs installs the providers' official \
    SDKs (tests/official_sdks/requirements.txt from PyPI, tests/official_sdks/package-lock.json \
    from npm) into <target>/tools/ itself: it needs `python3` with the `venv` module (Debian: \
    apt-get install python3-venv), Node.js 20 or later and npm on PATH (Debian: apt-get install \
    nodejs npm), and access to PyPI and the npm registry the first time";

/// `tests/official_sdks/`: the pinned versions and the scripts.
pub fn project_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("official_sdks")
}

/// The file each installed directory keeps: a copy of what it was installed from.
const MARKER: &str = ".userbridge-installed-from";

/// Runs `cmd`; why it failed, with its output, otherwise.
fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{what}: cannot run {cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// `<tools>/<dir>`, installed by `install(staging)` unless it was already
/// installed from `pinned` (the content of the pinned file). The install goes
/// into a staging directory renamed when complete, so that an interrupted
/// install never passes for a finished one and concurrent test processes do
/// not trip over each other.
fn installed(
    dir: &str,
    pinned: &str,
    install: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<PathBuf, String> {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|p| p.into_inner());
    let home = tools_dir().join(dir);
    let current = |home: &Path| std::fs::read_to_string(home.join(MARKER)).ok();
    if current(&home).as_deref() == Some(pinned) {
        return Ok(home);
    }
    let tools = tools_dir();
    std::fs::create_dir_all(&tools).map_err(|e| format!("{}: {e}", tools.display()))?;
    let staging = tools.join(format!("{dir}.partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| format!("{}: {e}", staging.display()))?;
    let started = Instant::now();
    if let Err(e) = install(&staging) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(format!("{HOW_TO_INSTALL}.\n{e}"));
    }
    std::fs::write(staging.join(MARKER), pinned).map_err(|e| e.to_string())?;
    if current(&home).as_deref() != Some(pinned) {
        // An older install, or the leftover of one that did not finish.
        let _ = std::fs::remove_dir_all(&home);
    }
    if std::fs::rename(&staging, &home).is_err() {
        // Another process won the race.
        let _ = std::fs::remove_dir_all(&staging);
    }
    if current(&home).as_deref() != Some(pinned) {
        return Err(format!("{} was not installed", home.display()));
    }
    eprintln!(
        "installed {} in {:.1}s",
        home.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(home)
}

/// The Python of the venv holding `requirements.txt`'s packages, installed
/// with `python3 -m venv` and `pip install -r` (every package pinned).
pub fn python() -> Result<PathBuf, String> {
    let requirements = project_dir().join("requirements.txt");
    let pinned = std::fs::read_to_string(&requirements)
        .map_err(|e| format!("{}: {e}", requirements.display()))?;
    let home = installed("official-sdks-py", &pinned, |staging| {
        run(
            Command::new("python3").args(["-m", "venv"]).arg(staging),
            "creating a Python venv (python3 -m venv)",
        )?;
        run(
            Command::new(staging.join("bin/python"))
                .args(["-m", "pip", "install", "--disable-pip-version-check", "-q"])
                .args(["--no-deps", "-r"])
                .arg(&requirements),
            &format!("pip install -r {} (needs PyPI)", requirements.display()),
        )?;
        // Every dependency is pinned: a missing one is an error here, not at run time.
        run(
            Command::new(staging.join("bin/python")).args(["-m", "pip", "check"]),
            "pip check (requirements.txt must pin every dependency)",
        )
    })?;
    Ok(home.join("bin/python"))
}

/// The directory whose `node_modules` holds `package-lock.json`'s packages,
/// installed with `npm ci`. Scripts run from there (an ES module finds its
/// packages from its own location): see [`node_script`].
pub fn node() -> Result<PathBuf, String> {
    let project = project_dir();
    let lock = project.join("package-lock.json");
    let pinned = std::fs::read_to_string(&lock).map_err(|e| format!("{}: {e}", lock.display()))?;
    installed("official-sdks-node", &pinned, |staging| {
        for file in ["package.json", "package-lock.json"] {
            std::fs::copy(project.join(file), staging.join(file))
                .map_err(|e| format!("copying {file}: {e}"))?;
        }
        run(
            Command::new("node").arg("--version"),
            "node --version (Node.js 20 or later)",
        )?;
        run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .arg("--prefix")
                .arg(staging),
            "npm ci (needs the npm registry)",
        )
    })
}

/// `tests/official_sdks/node/<script>` and its helpers copied beside the
/// installed `node_modules` (so that its imports resolve); the copy's path.
pub fn node_script(script: &str) -> Result<PathBuf, String> {
    let home = node()?;
    let source = project_dir().join("node");
    let scripts = home.join("scripts");
    std::fs::create_dir_all(&scripts).map_err(|e| format!("{}: {e}", scripts.display()))?;
    let entries = std::fs::read_dir(&source).map_err(|e| format!("{}: {e}", source.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        // Written aside, then renamed: tests running at once never see half a file.
        let partial = scripts.join(format!(
            "{}.partial-{}-{script}",
            name.to_string_lossy(),
            std::process::id()
        ));
        std::fs::copy(entry.path(), &partial)
            .and_then(|_| std::fs::rename(&partial, scripts.join(&name)))
            .map_err(|e| format!("copying {}: {e}", entry.path().display()))?;
    }
    Ok(scripts.join(script))
}
