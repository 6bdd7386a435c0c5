//! The README's main command, `cargo run -p userbridge --example reactivate
//! --features mock`: its demo mode runs every provider's simulator and prints a
//! table of outcomes. This runs it as a user would and checks what it printed.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use userbridge::mock::UserState;
use userbridge_tests::single_call_providers;
use userbridge_tests::{spec, Example, Provider};

/// The start of the `Display` line of the demo's error for `user`, as the
/// spec's example `ex` says it: provider, user, what happened, status, error id
/// or code, message.
fn display_line(ex: &Example, user: &str, what: &str) -> String {
    let id = ["error_id", "code"]
        .iter()
        .find_map(|f| ex.outcome.get(*f).and_then(Value::as_str));
    let id = id.map(|id| format!(", {id}")).unwrap_or_default();
    let message = ex.outcome["message"].as_str().unwrap_or_default();
    format!(
        "{}: user {user} {what} (HTTP {}{id}): {message}",
        ex.provider,
        ex.status()
    )
}

/// Runs the example through cargo (which builds it if needed) in the workspace.
fn run_example(args: &[&str]) -> Output {
    run_example_with_env(args, &[])
}

/// [`run_example`] with extra environment variables.
fn run_example_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    Command::new(env!("CARGO"))
        .current_dir(&workspace)
        .args([
            "run",
            "-q",
            "-p",
            "userbridge",
            "--example",
            "reactivate",
            "--features",
            "mock",
            "--",
        ])
        .args(args)
        .env("CARGO_TERM_COLOR", "never")
        .envs(env.iter().copied())
        .output()
        .expect("cargo runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn demo_prints_every_provider_with_the_expected_outcomes() {
    let out = run_example(&[]);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed ({}):\n{stdout}\n{}",
        out.status,
        text(&out.stderr)
    );

    // The table: a header, a rule, one row per provider.
    let lines: Vec<&str> = stdout.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.starts_with("provider"))
        .unwrap_or_else(|| panic!("no table header in:\n{stdout}"));
    for column in [
        "user state",
        "reactivate",
        "reactivate again",
        "unknown user",
    ] {
        assert!(lines[header].contains(column), "{}", lines[header]);
    }
    assert!(
        lines[header + 1].starts_with("---"),
        "{}",
        lines[header + 1]
    );
    // Every provider, in the registry's order; the "not deactivated" status is
    // the spec's where the reactivation is one call (a provider that reads first
    // says so from its read).
    let single = single_call_providers();
    let rows: Vec<(String, String, Option<u16>)> = Provider::ALL
        .into_iter()
        .map(|p| {
            (
                p.to_string(),
                format!("{} -> active", UserState::Deactivated.label(p)),
                single
                    .contains(&p)
                    .then(|| spec(p).example_of("not_deactivated").status()),
            )
        })
        .collect();
    for (i, (provider, state, status)) in rows.iter().enumerate() {
        let row = lines[header + 2 + i];
        assert!(row.starts_with(provider), "row {i}: {row}");
        // Cells in column order.
        let expected = [
            state.to_string(),
            "reactivated".to_string(),
            status.map_or("not_deactivated (HTTP ".to_string(), |s| {
                format!("not_deactivated (HTTP {s})")
            }),
            // A provider that reads first may say "no such user" in a 200
            // (Firebase's lookup without `users`).
            if status.is_some() {
                "not_found (HTTP 404)".to_string()
            } else {
                "not_found (HTTP ".to_string()
            },
        ];
        let mut rest = &row[provider.len()..];
        for cell in &expected {
            let at = rest
                .find(cell.as_str())
                .unwrap_or_else(|| panic!("{provider}: no `{cell}` in order in `{row}`"));
            rest = &rest[at + cell.len()..];
        }
        assert!(!row.contains("expected"), "{row}");
    }

    // Columns are aligned: every row's cells start where the header's do.
    let starts = |line: &str, cells: &[&str]| -> Vec<usize> {
        let mut from = 0;
        cells
            .iter()
            .map(|c| {
                let at = from + line[from..].find(c).unwrap();
                from = at + c.len();
                at
            })
            .collect()
    };
    let header_starts = starts(
        lines[header],
        &[
            "user state",
            "reactivate",
            "reactivate again",
            "unknown user",
        ],
    );
    for (i, (_, state, _)) in rows.iter().enumerate() {
        let row = lines[header + 2 + i];
        assert_eq!(
            starts(row, &[state, "reactivated", "not_deactivated", "not_found"]),
            header_starts,
            "misaligned: {row}"
        );
    }

    // The errors' Display lines, with each provider's own code and message:
    // those of the spec's example of the same outcome (one of them, where the
    // spec has several).
    let printed = |line: &str| lines.iter().any(|l| l.trim_start().starts_with(line));
    for p in single_call_providers() {
        for (kind, user, what) in [
            ("not_deactivated", "usr_demo1", "is not deactivated"),
            ("not_found", "usr_unknown", "not found"),
        ] {
            let candidates: Vec<String> = spec(p)
                .examples_of(kind)
                .into_iter()
                .map(|ex| display_line(ex, user, what))
                .collect();
            assert!(
                candidates.iter().any(|l| printed(l)),
                "none of {candidates:?} in:\n{stdout}"
            );
        }
    }
    let checks = 4 * Provider::ALL.len();
    assert!(
        stdout.contains(&format!("All {checks} checks passed")),
        "no summary in:\n{stdout}"
    );
}

#[test]
fn bad_arguments_exit_2_with_usage() {
    let out = run_example(&["--provider", "nope", "--token-env", "X", "u1"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("unknown provider `nope`"), "{stderr}");
    // clap names every provider and points at --help.
    for p in single_call_providers() {
        assert!(stderr.contains(p.as_str()), "{stderr}");
    }
    assert!(stderr.contains("--help"), "{stderr}");

    let out = run_example(&["--provider", single_call_providers()[0].as_str(), "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("unexpected argument '--bogus'"), "{stderr}");
    assert!(stderr.contains("Usage:"), "{stderr}");
}

/// The command line of a real run for `p` against `base` (the path of the
/// spec's server URL appended), with its sample organization where it needs
/// one, the token from `token_env`, and `users`.
fn real_args(p: Provider, base: &str, token_env: &str, users: &[&str], json: bool) -> Vec<String> {
    let spec = spec(p);
    let mut args: Vec<String> = vec![
        "--provider".into(),
        p.as_str().into(),
        "--base-url".into(),
        format!("{base}{}", spec.server_prefix()),
        "--token-env".into(),
        token_env.into(),
    ];
    if let Some(org) = spec.required_organization() {
        args.extend(["--organization".into(), org.into()]);
    }
    if json {
        args.push("--json".into());
    }
    args.extend(users.iter().map(|u| u.to_string()));
    args
}

#[test]
fn real_mode_reports_each_user_and_fails_when_one_fails() {
    // Nothing listens on port 9 of the loopback: every user fails with a
    // network error, one line each, exit code 1.
    for p in single_call_providers() {
        let sample = spec(p).sample_user_id();
        let users = [format!("{sample}1"), format!("{sample}2")];
        let users: Vec<&str> = users.iter().map(String::as_str).collect();
        let args = real_args(
            p,
            "http://127.0.0.1:9",
            "USERBRIDGE_DEMO_TEST_TOKEN",
            &users,
            true,
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run_example_with_env(
            &args,
            &[("USERBRIDGE_DEMO_TEST_TOKEN", "secret-demo-token")],
        );
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{p}: {stdout}{}",
            text(&out.stderr)
        );
        let lines: Vec<serde_json::Value> = stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{p}: {e}: {l}")))
            .collect();
        assert_eq!(lines.len(), 2, "{p}: {stdout}");
        // Lines come as the calls finish, each with its input index.
        let mut lines = lines;
        lines.sort_by_key(|l| l["index"].as_u64());
        assert_eq!(lines[0]["index"], 0, "{p}: {stdout}");
        assert_eq!(lines[1]["index"], 1, "{p}: {stdout}");
        for (line, user) in lines.iter().zip(&users) {
            assert_eq!(line["kind"], "network", "{p}: {line}");
            assert_eq!(line["user_id"], *user, "{p}: {line}");
        }
        assert!(!stdout.contains("secret-demo-token"));
    }

    // A missing token variable is a usage error.
    let p = single_call_providers()[0];
    let args = real_args(
        p,
        "http://127.0.0.1:9",
        "USERBRIDGE_SURELY_UNSET_VARIABLE",
        &[spec(p).sample_user_id()],
        false,
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_example(&args);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("USERBRIDGE_SURELY_UNSET_VARIABLE"));
}

#[test]
fn a_run_that_stops_says_why_and_lists_the_users_not_attempted() {
    // The simulator does not know the token: the first 401 stops the run.
    let sim =
        userbridge::mock::Simulator::start_blocking(Provider::Flashback).expect("a simulator");
    let users: Vec<String> = (0..60)
        .map(|i| format!("550e8400-e29b-41d4-a716-{i:012}"))
        .collect();
    let mut args = vec![
        "--provider".to_string(),
        "flashback".into(),
        "--base-url".into(),
        sim.base_url(),
        "--token-env".into(),
        "USERBRIDGE_DEMO_STOP_TOKEN".into(),
        "--concurrency".into(),
        "4".into(),
    ];
    args.extend(users.iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_example_with_env(
        &args,
        &[("USERBRIDGE_DEMO_STOP_TOKEN", "not-the-sim-token")],
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("the run stopped"), "{stderr}");
    assert!(stderr.contains("authentication failed"), "{stderr}");
    let not_attempted = stdout
        .lines()
        .filter(|l| l.starts_with("not attempted"))
        .count();
    let failed = stdout.lines().filter(|l| l.starts_with("failed")).count();
    assert_eq!(not_attempted + failed, 60, "{stdout}");
    assert!(failed <= 8, "{failed} users sent after the stop: {stdout}");
    assert!(
        stderr.contains(&format!("{not_attempted} user(s) were not attempted")),
        "{stderr}"
    );
    assert!(sim.requests().len() <= 8);
}
