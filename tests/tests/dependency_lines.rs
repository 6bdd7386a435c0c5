//! The README's dependency lines work as written (issue 33): scratch
//! applications outside this workspace depend on the sdk with the README's own
//! lines and build and run.
//!
//! The README says "a clone of this repository beside your project", so each
//! application is laid out that way: `target/scratch/<app>/` beside
//! `target/scratch/userbridge`, a link to this checkout. They share one target
//! directory (`target/scratch/target`), so only the first build is cold.
//!
//! Also checked: a one-provider build (the README's `default-features = false`
//! line) compiles that provider alone, refuses the others at `build()` naming
//! their feature, and has neither aws-lc nor Cognito's SigV4 crates in its
//! dependency tree; with
//! `rustls-graviola` it has no C build step at all (no `cc`, no `cmake`); and the
//! git form resolves the package in this repository (from a `file://` URL of
//! this checkout, as no network is assumed).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is in the workspace")
        .to_path_buf()
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).expect("README.md is readable")
}

/// The `userbridge = ...` lines of the README's section `heading`, in order,
/// comments left out.
fn dependency_lines(heading: &str) -> Vec<String> {
    let text = readme();
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("the README has no section {heading:?}"));
    let end = text[start + heading.len()..]
        .find("\n## ")
        .map_or(text.len(), |i| start + heading.len() + i);
    text[start..end]
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("userbridge = "))
        .map(str::to_string)
        .collect()
}

/// `target/scratch`, with the link to this checkout made once (the tests run
/// in parallel).
fn scratch() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = root().join("target/scratch");
        std::fs::create_dir_all(&dir).expect("target/scratch can be created");
        let link = dir.join("userbridge");
        if std::fs::read_link(&link).ok().as_deref() != Some(root().as_path()) {
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(root(), &link).expect("a link to this checkout");
        }
        dir
    })
    .clone()
}

/// Writes an application `name` with `dependency` and `main`, beside the link
/// to this checkout.
fn app(name: &str, dependency: &str, main: &str) -> PathBuf {
    let dir = scratch().join(name);
    std::fs::create_dir_all(dir.join("src")).expect("the app's folder");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\n{dependency}\n\n[workspace]\n"
        ),
    )
    .expect("the app's manifest");
    // The versions this workspace is tested with.
    std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock")).expect("Cargo.lock");
    std::fs::write(dir.join("src/main.rs"), main).expect("the app's main.rs");
    dir
}

fn cargo(dir: &Path, args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(dir)
        .args(args)
        .env("CARGO_TARGET_DIR", scratch().join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "cargo {args:?} in {} failed:\n{}\n{stdout}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Every crate of the application's build: `name vX.Y.Z` lines.
fn tree(dir: &Path) -> String {
    cargo(dir, &["tree", "-e", "normal,build", "--prefix", "none"])
}

const ALL_PROVIDERS: &str = r#"
use userbridge::Provider;

fn main() {
    for p in Provider::ALL {
        assert!(p.is_compiled(), "{p} is in the default features");
    }
    let client = userbridge::Client::builder(Provider::Okta)
        .base_url("https://example.okta.com")
        .api_token("00abcdefghijklmnopqrstuvwxyz")
        .build();
    assert!(client.is_ok(), "{client:?}");
    println!("ok");
}
"#;

#[test]
fn the_readme_path_line_builds_an_application() {
    let lines = dependency_lines("## Adding userbridge to a project");
    let line = lines
        .first()
        .expect("the README shows a dependency line")
        .clone();
    assert!(line.contains("path = \"../userbridge/sdk\""), "{line}");
    let dir = app("readme-path", &line, ALL_PROVIDERS);
    assert_eq!(cargo(&dir, &["run", "--quiet"]).trim(), "ok");
}

#[test]
fn the_readme_one_provider_line_builds_that_provider_alone() {
    let line = dependency_lines("## Adding userbridge to a project")
        .into_iter()
        .find(|l| l.contains("default-features = false"))
        .expect("the README shows a one-provider line");
    assert!(line.contains("\"okta\""), "{line}");
    let dir = app(
        "readme-okta",
        &line,
        r#"
use userbridge::{Client, ErrorKind, Provider};

fn main() {
    assert!(Provider::Okta.is_compiled());
    let compiled: Vec<_> = Provider::ALL.into_iter().filter(|p| p.is_compiled()).collect();
    assert_eq!(compiled, [Provider::Okta]);
    let okta = Client::builder(Provider::Okta)
        .base_url("https://example.okta.com")
        .api_token("00abcdefghijklmnopqrstuvwxyz")
        .build();
    assert!(okta.is_ok(), "{okta:?}");
    let err = Client::builder(Provider::Auth0)
        .base_url("https://example.eu.auth0.com/api/v2")
        .bearer_token("token-123")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("`auth0` feature"), "{err}");
    println!("{err}");
}
"#,
    );
    let said = cargo(&dir, &["run", "--quiet"]);
    assert!(said.contains("does not include Auth0"), "{said}");
    let crates = tree(&dir);
    // No aws-lc (the TLS default is ring) and no other provider's own
    // dependencies (Cognito's SigV4).
    for absent in [
        "aws-lc-rs",
        "aws-lc-sys",
        "aws-sigv4",
        "aws-smithy-runtime-api",
    ] {
        assert!(
            !crates
                .lines()
                .any(|l| l.starts_with(&format!("{absent} v"))),
            "{absent} is in a one-provider build:\n{crates}"
        );
    }
}

#[test]
fn a_graviola_build_has_no_c_build_step() {
    let dir = app(
        "okta-graviola",
        r#"userbridge = { path = "../userbridge/sdk", default-features = false, features = ["okta", "rustls-graviola"] }"#,
        ALL_PROVIDERS.replace(
            "for p in Provider::ALL {\n        assert!(p.is_compiled(), \"{p} is in the default features\");\n    }",
            "assert!(Provider::Okta.is_compiled() && !Provider::Scim.is_compiled());",
        )
        .as_str(),
    );
    assert_eq!(cargo(&dir, &["run", "--quiet"]).trim(), "ok");
    let crates = tree(&dir);
    for c_build in ["cc", "cmake", "ring", "aws-lc-sys"] {
        assert!(
            !crates
                .lines()
                .any(|l| l.starts_with(&format!("{c_build} v"))),
            "{c_build} is in the graviola build:\n{crates}"
        );
    }
}

#[test]
fn the_git_form_finds_the_package_in_this_repository() {
    if !root().join(".git").exists() {
        panic!(
            "this checkout is not a git repository: the git form needs one (run the tests in a \
             `git clone` of userbridge)"
        );
    }
    let line = format!("userbridge = {{ git = \"file://{}\" }}", root().display());
    let dir = app("readme-git", &line, ALL_PROVIDERS);
    assert_eq!(cargo(&dir, &["run", "--quiet"]).trim(), "ok");
}
