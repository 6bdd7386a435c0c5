//! The README's main command, `cargo run -p userbridge --example reactivate
//! --features mock`: its demo mode runs every provider's simulator and prints a
//! table of outcomes. This runs it as a user would and checks what it printed.

use std::path::Path;
use std::process::{Command, Output};

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
    let rows = [
        ("Aitronos", "deactivated -> active", 422),
        ("Flashback", "deleted -> active", 400),
        ("Zitadel v1", "inactive -> active", 400),
        ("Zitadel v2", "inactive -> active", 400),
        ("My Nethesis", "suspended -> active", 400),
    ];
    for (i, (provider, state, status)) in rows.iter().enumerate() {
        let row = lines[header + 2 + i];
        assert!(row.starts_with(provider), "row {i}: {row}");
        // Cells in column order.
        let expected = [
            state.to_string(),
            "reactivated".to_string(),
            format!("not_deactivated (HTTP {status})"),
            "not_found (HTTP 404)".to_string(),
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

    // The errors' Display lines, with each provider's own code and message.
    for line in [
        "Aitronos: user usr_demo1 is not deactivated (HTTP 422, USER_NOT_DEACTIVATED)",
        "Aitronos: user usr_unknown not found (HTTP 404, USER_NOT_FOUND)",
        "Flashback: user usr_demo1 is not deactivated (HTTP 400): User is not deleted",
        "Flashback: user usr_unknown not found (HTTP 404): User not found",
        "Zitadel v1: user usr_demo1 is not deactivated (HTTP 400, COMMAND-6M0sf)",
        "Zitadel v1: user usr_unknown not found (HTTP 404, COMMAND-4M0sd)",
        "Zitadel v2: user usr_demo1 is not deactivated (HTTP 400, COMMAND-s5qqcz97hf)",
        "Zitadel v2: user usr_unknown not found (HTTP 404, COMMAND-9hy5kzbuk6)",
        "My Nethesis: user usr_demo1 is not deactivated (HTTP 400): user not found or not suspended",
        "My Nethesis: user usr_unknown not found (HTTP 404): user not found",
    ] {
        assert!(
            lines.iter().any(|l| l.trim_start().starts_with(line)),
            "no `{line}` in:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("All 20 checks passed"),
        "no summary in:\n{stdout}"
    );
}

#[test]
fn bad_arguments_exit_2_with_usage() {
    let out = run_example(&["--provider", "nope", "--token-env", "X", "u1"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("unknown provider `nope`"), "{stderr}");
    assert!(stderr.contains("usage:"), "{stderr}");

    let out = run_example(&["--provider", "aitronos", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown option `--bogus`"));
}

#[test]
fn real_mode_reports_each_user_and_fails_when_one_fails() {
    // Nothing listens on port 9 of the loopback: every user fails with a
    // network error, one line each, exit code 1.
    let out = run_example_with_env(
        &[
            "--provider",
            "zitadel-v2",
            "--base-url",
            "http://127.0.0.1:9",
            "--token-env",
            "USERBRIDGE_DEMO_TEST_TOKEN",
            "--json",
            "u1",
            "u2",
        ],
        &[("USERBRIDGE_DEMO_TEST_TOKEN", "secret-demo-token")],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    for (line, user) in lines.iter().zip(["u1", "u2"]) {
        assert_eq!(line["kind"], "network", "{line}");
        assert_eq!(line["user_id"], user, "{line}");
    }
    assert!(!stdout.contains("secret-demo-token"));

    // A missing token variable is a usage error.
    let out = run_example(&[
        "--provider",
        "zitadel-v2",
        "--base-url",
        "http://127.0.0.1:9",
        "--token-env",
        "USERBRIDGE_SURELY_UNSET_VARIABLE",
        "u1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("USERBRIDGE_SURELY_UNSET_VARIABLE"));
}
