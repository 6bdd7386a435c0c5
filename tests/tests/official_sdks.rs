//! The providers' official client libraries against the standalone simulators
//! (issue 29): each SDK, pinned in `tests/official_sdks/requirements.txt`
//! (PyPI) or `tests/official_sdks/package-lock.json` (npm) and installed by the
//! test itself under `<target>/tools/` ([`userbridge_tests::tools::official_sdks`]),
//! runs its script in `tests/official_sdks/{python,node}/` the way a user of
//! that SDK would: reactivate deactivated users the SDK's own way, read them
//! back, an unknown user (the SDK's own not-found error), an already-active
//! user (the provider's answer), a retry (a 429 or 503 queued through the
//! simulator's admin route `/_userbridge/failures`), then the exact requests the
//! simulator recorded (`/_userbridge/requests`: method, path, query).
//!
//! Each script prints one JSON line per step (`{"sdk", "step", "ok",
//! "detail"}`); a test passes when every step it must run ran and passed.
//! The simulator is the library's [`Standalone`] (what the `simulator` example
//! and `userbridge simulate` serve), in this process, seeded from the same JSON
//! a `--users FILE` holds; the script gets its announcement line.
//!
//! Without python3 (with venv), Node.js 20+ and npm, or without access to the
//! registries for the first install, the tests fail saying how to install.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use userbridge::mock::standalone::{SeedUser, Standalone};
use userbridge::Provider;
use userbridge_tests::tools::official_sdks;

/// How long one script may take (installs are done before it starts).
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(240);

/// The language a script is written in, and so how it is run.
#[derive(Clone, Copy)]
enum Language {
    Python,
    Node,
}

/// One SDK's run: the simulator it talks to, the users seeded (`--users`
/// JSON), the script and the steps it must report.
struct Sdk {
    provider: Provider,
    users: Value,
    language: Language,
    script: &'static str,
    steps: &'static [&'static str],
}

/// One step as a script reported it.
struct Step {
    name: String,
    ok: bool,
    detail: String,
}

fn command(sdk: &Sdk) -> Command {
    let how = |e: String| -> ! { panic!("{}\n{e}", official_sdks::HOW_TO_INSTALL) };
    match sdk.language {
        Language::Python => {
            let python = official_sdks::python().unwrap_or_else(|e| how(e));
            let mut cmd = Command::new(python);
            cmd.arg(official_sdks::project_dir().join("python").join(sdk.script));
            // No bytecode written into the source tree.
            cmd.env("PYTHONDONTWRITEBYTECODE", "1");
            cmd
        }
        Language::Node => {
            let script: PathBuf = official_sdks::node_script(sdk.script).unwrap_or_else(|e| how(e));
            let mut cmd = Command::new("node");
            cmd.arg(script);
            cmd
        }
    }
}

/// Runs `sdk`'s script against a fresh simulator; its steps, its exit status
/// and its standard error.
fn run(sdk: &Sdk) -> (Vec<Step>, String, String) {
    let mut cmd = command(sdk);
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let users: Vec<SeedUser> =
        serde_json::from_value(sdk.users.clone()).expect("the users are a --users file's JSON");
    let served = runtime
        .block_on(Standalone::start(sdk.provider, &users, None))
        .unwrap_or_else(|e| panic!("the {} simulator does not start: {e}", sdk.provider));
    let announcement = served.announcement().to_string();
    let mut child = cmd
        .env("USERBRIDGE_SIMULATOR", &announcement)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: cannot run {cmd:?}: {e}", sdk.script));
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("the script can be waited for") {
            break status.to_string();
        }
        if started.elapsed() > SCRIPT_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break format!("killed after {SCRIPT_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    drop(served);
    let steps = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|v| v.get("step").is_some())
        .map(|v| Step {
            name: v["step"].as_str().unwrap_or_default().to_string(),
            ok: v["ok"] == json!(true),
            detail: match &v["detail"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            },
        })
        .collect();
    eprintln!(
        "{} ({:.1}s): {status}",
        sdk.script,
        started.elapsed().as_secs_f64()
    );
    (steps, status, stderr)
}

/// Runs `sdk` and asserts that each of its steps ran and passed.
fn check(sdk: Sdk) {
    let (steps, status, stderr) = run(&sdk);
    let passed = steps.iter().filter(|s| s.ok).count();
    eprintln!(
        "{}: {passed} of {} steps pass",
        sdk.script,
        steps.len().max(sdk.steps.len())
    );
    let mut report = String::new();
    for step in &steps {
        let mark = if step.ok { "pass" } else { "FAIL" };
        let detail: String = step.detail.chars().take(1500).collect();
        report.push_str(&format!("  {mark} {}: {detail}\n", step.name));
    }
    eprintln!("{report}");
    let names: Vec<&str> = steps.iter().map(|s| s.name.as_str()).collect();
    let missing: Vec<&&str> = sdk.steps.iter().filter(|s| !names.contains(s)).collect();
    let failed: Vec<&str> = steps
        .iter()
        .filter(|s| !s.ok)
        .map(|s| s.name.as_str())
        .collect();
    assert!(
        missing.is_empty() && failed.is_empty() && status == "exit status: 0",
        "{}: {passed} of {} steps pass; failed {failed:?}, not run {missing:?}, exit {status}\n\
         {report}\nstderr:\n{}",
        sdk.script,
        steps.len().max(sdk.steps.len()),
        stderr
            .chars()
            .rev()
            .take(4000)
            .collect::<String>()
            .chars()
            .rev()
            .collect::<String>()
    );
}

// ------------------------------------------------------------------- Okta

const OKTA_USERS: &str = r#"[
    {"id": "00ususpended1", "state": "suspended"},
    {"id": "00ulocked1", "state": "locked-out"},
    {"id": "00udeprov1", "state": "deprovisioned"},
    {"id": "00uactive1", "state": "active", "login": "active1@example.com"}
]"#;

#[test]
fn okta_sdk_python() {
    check(Sdk {
        provider: Provider::Okta,
        users: serde_json::from_str(OKTA_USERS).expect("JSON"),
        language: Language::Python,
        script: "okta_sdk.py",
        steps: &[
            "clear-record",
            "reactivate",
            "read-back",
            "find-by-login",
            "unknown-user",
            "already-active",
            "retry-429",
            "retry-503",
            "requests",
        ],
    });
}

#[test]
fn okta_sdk_nodejs() {
    check(Sdk {
        provider: Provider::Okta,
        users: serde_json::from_str(OKTA_USERS).expect("JSON"),
        language: Language::Node,
        script: "okta_sdk.mjs",
        steps: &[
            "clear-record",
            "reactivate",
            "read-back",
            "find-by-login",
            "unknown-user",
            "already-active",
            "retry-429",
            "requests",
        ],
    });
}

// ------------------------------------------------------------------ Auth0

#[test]
fn auth0_python() {
    check(Sdk {
        provider: Provider::Auth0,
        users: json!([
            {"id": "auth0|blocked1", "state": "blocked"},
            {"id": "auth0|bfb1", "state": "brute-force-blocked", "email": "bfb1@example.com"},
            {"id": "auth0|active1", "state": "active", "email": "active1@example.com"},
        ]),
        language: Language::Python,
        script: "auth0_sdk.py",
        steps: &[
            "clear-record",
            "reactivate",
            "read-back",
            "find-by-email",
            "patch-with-app-metadata",
            "unknown-user",
            "already-active",
            "retry-429",
            "retry-503",
            "requests",
        ],
    });
}

// --------------------------------------------------------------- Keycloak

fn keycloak_users() -> Value {
    json!([
        {"id": "kc-disabled-1", "state": "disabled", "login": "alice.disabled"},
        {"id": "kc-locked-1", "state": "locked-out"},
        {"id": "kc-active-1", "state": "active"},
    ])
}

#[test]
fn python_keycloak() {
    check(Sdk {
        provider: Provider::Keycloak,
        users: keycloak_users(),
        language: Language::Python,
        script: "keycloak_sdk.py",
        steps: &[
            "clear-record",
            "reactivate",
            "read-back",
            "users-count",
            "unknown-user",
            "already-active",
            "retry-reset",
            "503-surfaces",
            "requests",
        ],
    });
}

#[test]
fn keycloak_admin_client() {
    check(Sdk {
        provider: Provider::Keycloak,
        users: keycloak_users(),
        language: Language::Node,
        script: "keycloak_sdk.mjs",
        steps: &[
            "clear-record",
            "authenticate",
            "reactivate",
            "read-back",
            "users-count",
            "unknown-user",
            "already-active",
            "503-surfaces",
            "requests",
        ],
    });
}

// ------------------------------------------------------------------- SCIM

#[test]
fn scim2_client() {
    check(Sdk {
        provider: Provider::Scim,
        users: json!([
            {"id": "scim-inactive-1", "state": "deactivated"},
            {"id": "scim-inactive-2", "state": "deactivated", "login": "bjensen"},
            {"id": "scim-active-1", "state": "active"},
        ]),
        language: Language::Python,
        script: "scim_sdk.py",
        steps: &[
            "clear-record",
            "discover",
            "reactivate",
            "read-back",
            "find-by-filter",
            "replace-put",
            "stale-if-match",
            "unknown-user",
            "already-active",
            "503-surfaces",
            "requests",
        ],
    });
}

// --------------------------------------------------------------- Entra ID

fn entra_users() -> Value {
    json!([
        {"id": "6e7b768e-07e2-4810-8459-485f84f8f204", "state": "disabled"},
        {"id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd", "state": "disabled",
         "login": "adele@contoso.onmicrosoft.com"},
        {"id": "4562bcc8-c436-4f95-b7c0-4f8ce89dca5e", "state": "active"},
    ])
}

const GRAPH_STEPS: &[&str] = &[
    "clear-record",
    "reactivate",
    "read-back",
    "find-by-filter",
    "unknown-user",
    "already-active",
    "retry-429",
    "retry-503",
    "requests",
];

#[test]
fn msgraph_sdk_python() {
    check(Sdk {
        provider: Provider::EntraId,
        users: entra_users(),
        language: Language::Python,
        script: "msgraph_sdk.py",
        steps: GRAPH_STEPS,
    });
}

#[test]
fn microsoft_graph_client() {
    check(Sdk {
        provider: Provider::EntraId,
        users: entra_users(),
        language: Language::Node,
        script: "msgraph_sdk.mjs",
        steps: GRAPH_STEPS,
    });
}

// ---------------------------------------------------------------- Zitadel

#[test]
fn zitadel_client() {
    check(Sdk {
        provider: Provider::ZitadelV2,
        users: json!([
            {"id": "300000000000000001", "state": "inactive"},
            {"id": "300000000000000003", "state": "active"},
        ]),
        language: Language::Python,
        script: "zitadel_sdk.py",
        steps: &[
            "clear-record",
            "reactivate",
            "read-back",
            "unknown-user",
            "already-active",
            "503-surfaces",
            "requests",
        ],
    });
}
