//! The command line's arguments: what it accepts, what it refuses (exit 2,
//! nothing sent) and in which words.

mod common;

use common::{dir, file, run_in, TOKEN};
use userbridge::mock::{Simulator, UserState};
use userbridge::Provider;

#[test]
fn help_and_version_exit_zero_and_name_every_setting() {
    let d = dir("help");
    let help = run_in(&d, &["reactivate", "--help"], &[], None);
    assert_eq!(help.code, 0, "{help:?}");
    for flag in [
        "--provider",
        "--input",
        "--format",
        "--column",
        "--dry-run",
        "--json",
        "--failures",
        "--concurrency",
        "--rate",
        "--request-rate",
        "--base-url",
        "--organization",
        "--realm",
        "--tenant",
        "--region",
        "--token-file",
        "--api-token",
        "--client-id",
        "--client-secret-file",
        "--private-key",
        "--key-id",
        "--token-url",
        "--scope",
        "--timeout",
        "--deadline",
        "--max-attempts",
        "--danger-accept-plain-http-on-private-network",
        "USERBRIDGE_TOKEN",
        "USERBRIDGE_CLIENT_SECRET",
        "USERBRIDGE_BASE_URL",
    ] {
        assert!(help.stdout.contains(flag), "--help does not name {flag}");
    }
    let version = run_in(&d, &["--version"], &[], None);
    assert_eq!(version.code, 0);
    assert!(version.stdout.starts_with("userbridge "), "{version:?}");
    let simulate = run_in(&d, &["simulate", "--help"], &[], None);
    assert_eq!(simulate.code, 0);
    assert!(simulate.stdout.contains("--users"));
}

#[test]
fn usage_errors_exit_two() {
    let d = dir("usage");
    // A base URL nothing listens on: should a case get past the checks, it
    // reaches no one.
    let token = [
        ("USERBRIDGE_TOKEN", TOKEN),
        ("USERBRIDGE_BASE_URL", "http://127.0.0.1:9"),
    ];
    let cases: &[(&[&str], &str)] = &[
        (&["reactivate", "u1"], "--provider"),
        (
            &["reactivate", "--provider", "nope", "u1"],
            "not a provider",
        ),
        (&["reactivate", "--provider", "flashback"], "no user ids"),
        (
            &[
                "reactivate",
                "--provider",
                "flashback",
                "--input",
                "x",
                "u1",
            ],
            "cannot be used with",
        ),
        (
            &[
                "reactivate",
                "--provider",
                "flashback",
                "--column",
                "id",
                "u1",
            ],
            "--input",
        ),
        (
            &[
                "reactivate",
                "--provider",
                "flashback",
                "--concurrency",
                "0",
                "u1",
            ],
            "--concurrency",
        ),
        (
            &[
                "reactivate",
                "--provider",
                "flashback",
                "--timeout",
                "soon",
                "u1",
            ],
            "--timeout",
        ),
        (
            &[
                "reactivate",
                "--provider",
                "flashback",
                "--input",
                "missing.txt",
            ],
            "missing.txt",
        ),
        (&["frobnicate"], "unrecognized subcommand"),
    ];
    for (args, said) in cases {
        let run = run_in(&d, args, &token, None);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains(said), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
}

#[test]
fn credentials_come_from_the_environment_or_files_only() {
    let d = dir("credentials");
    let sim = Simulator::start_blocking(Provider::Flashback).expect("a simulator");
    sim.add_user("u1", sim.organization(), UserState::Deactivated);
    let base = sim.base_url();
    let args = [
        "reactivate",
        "--provider",
        "flashback",
        "--base-url",
        &base,
        "u1",
    ];

    let none = run_in(&d, &args, &[], None);
    assert_eq!(none.code, 2, "{none:?}");
    assert!(none.stderr.contains("USERBRIDGE_TOKEN"), "{}", none.stderr);
    assert!(none.stderr.contains("--token-file"), "{}", none.stderr);

    let empty = run_in(&d, &args, &[("USERBRIDGE_TOKEN", " ")], None);
    assert_eq!(empty.code, 2, "{empty:?}");
    assert!(empty.stderr.contains("set but empty"), "{}", empty.stderr);

    let token_file = file(&d, "token", &format!("{TOKEN}\n"));
    let token_file = token_file.to_str().expect("a UTF-8 path");
    let both = run_in(
        &d,
        &[&args[..], &["--token-file", token_file]].concat(),
        &[("USERBRIDGE_TOKEN", TOKEN)],
        None,
    );
    assert_eq!(both.code, 2, "{both:?}");
    assert!(both.stderr.contains("use one"), "{}", both.stderr);

    let two_kinds = run_in(
        &d,
        &[&args[..], &["--client-id", "someone"]].concat(),
        &[("USERBRIDGE_TOKEN", TOKEN)],
        None,
    );
    assert_eq!(two_kinds.code, 2, "{two_kinds:?}");

    let no_secret = run_in(
        &d,
        &[&args[..], &["--client-id", "someone"]].concat(),
        &[],
        None,
    );
    assert_eq!(no_secret.code, 2, "{no_secret:?}");
    assert!(
        no_secret.stderr.contains("USERBRIDGE_CLIENT_SECRET"),
        "{}",
        no_secret.stderr
    );

    // The token from a file (its newline trimmed) works.
    let from_file = run_in(
        &d,
        &[&args[..], &["--token-file", token_file]].concat(),
        &[],
        None,
    );
    assert_eq!(from_file.code, 0, "{from_file:?}");
    assert_eq!(sim.user_state("u1"), Some(UserState::Active));

    // Every setting has its variable: the provider and the base URL too.
    sim.add_user("u2", sim.organization(), UserState::Deactivated);
    let from_env = run_in(
        &d,
        &["reactivate", "u2"],
        &[
            ("USERBRIDGE_TOKEN", TOKEN),
            ("USERBRIDGE_PROVIDER", "flashback"),
            ("USERBRIDGE_BASE_URL", &base),
            ("USERBRIDGE_CONCURRENCY", "2"),
            ("USERBRIDGE_TIMEOUT", "5s"),
        ],
        None,
    );
    assert_eq!(from_env.code, 0, "{from_env:?}");
    assert_eq!(sim.user_state("u2"), Some(UserState::Active));
}

/// The SDK's refusals name builder methods; the command line says its own
/// flags and variables instead.
#[test]
fn configuration_errors_name_the_flags_and_variables() {
    let d = dir("translation");
    let token = [("USERBRIDGE_TOKEN", TOKEN)];
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["reactivate", "--provider", "okta", "00u1"],
            &["--base-url / USERBRIDGE_BASE_URL"],
        ),
        (
            &[
                "reactivate",
                "--provider",
                "keycloak",
                "--base-url",
                "https://sso.example.com",
                "u1",
            ],
            &["--realm / USERBRIDGE_REALM"],
        ),
        (
            &[
                "reactivate",
                "--provider",
                "keycloak",
                "--base-url",
                "http://keycloak:8080",
                "--realm",
                "acme",
                "u1",
            ],
            &["--danger-accept-plain-http-on-private-network"],
        ),
        (
            &[
                "reactivate",
                "--provider",
                "flashback",
                "--token-url",
                "https://example.com/token",
                "u1",
            ],
            &["--token-url / USERBRIDGE_TOKEN_URL", "--client-id"],
        ),
        (
            &[
                "reactivate",
                "--provider",
                "auth0",
                "--api-token",
                "--base-url",
                "https://example.us.auth0.com/api/v2",
                "auth0|1",
            ],
            &["leave out --api-token"],
        ),
    ];
    for (args, words) in cases {
        let run = run_in(&d, args, &token, None);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        for word in *words {
            assert!(run.stderr.contains(word), "{args:?}: {}", run.stderr);
        }
        assert!(
            !run.stderr.contains("(..)") && !run.stderr.contains("(true)"),
            "a method name left: {}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("ReactivateRequest::"),
            "{}",
            run.stderr
        );
    }

    // Aitronos without an organization: each user is refused, nothing sent.
    let run = run_in(
        &d,
        &[
            "reactivate",
            "--provider",
            "aitronos",
            "--base-url",
            "http://127.0.0.1:9",
            "usr_1",
        ],
        &token,
        None,
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("--organization / USERBRIDGE_ORGANIZATION"),
        "{run:?}"
    );
    assert!(!run.all().contains("(..)") && !run.all().contains("ReactivateRequest::"));

    // With the plain-http switch, the same Keycloak configuration is accepted
    // (the run then fails to reach the host, a per-user network failure).
    let accepted = run_in(
        &d,
        &[
            "reactivate",
            "--provider",
            "keycloak",
            "--base-url",
            "http://keycloak:8080",
            "--realm",
            "acme",
            "--danger-accept-plain-http-on-private-network",
            "--max-attempts",
            "1",
            "--timeout",
            "2s",
            "--deadline",
            "3s",
            "--dry-run",
            "u1",
        ],
        &token,
        None,
    );
    assert_ne!(accepted.code, 2, "{accepted:?}");
}

/// `--google-service-account FILE` (with `--subject`): the tool gets its
/// tokens from the key's token_uri (here the simulator's Google token
/// endpoint, which verifies the assertion); a key it cannot use is refused
/// naming the flag and the field, never showing the key.
#[test]
fn a_google_service_account_key_file_with_a_subject() {
    let d = dir("google-service-account");
    let sim = Simulator::start_blocking(Provider::GoogleWorkspace).expect("a simulator");
    let keys = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys");
    let pem = std::fs::read_to_string(keys.join("test-rsa-pkcs8.pem")).expect("the test key");
    let public = std::fs::read_to_string(keys.join("test-rsa-public.pem")).expect("its public key");
    let email = "sync@demo-userbridge.iam.gserviceaccount.com";
    sim.add_jwt_client(email, &public, Some("kid-cli-1"));
    sim.add_user("liz", sim.organization(), UserState::Deactivated);
    let key = serde_json::json!({
        "type": "service_account",
        "private_key_id": "kid-cli-1",
        "private_key": pem,
        "client_email": email,
        "token_uri": sim.token_url().expect("a token endpoint"),
    });
    let key_file = file(&d, "key.json", &key.to_string());
    let key_file = key_file.to_str().expect("a UTF-8 path");
    let base = sim.base_url();
    let args = [
        "reactivate",
        "--provider",
        "google-workspace",
        "--base-url",
        &base,
        "--google-service-account",
        key_file,
        "--subject",
        "admin@example.com",
        "liz@example.com",
    ];
    let run = run_in(&d, &args, &[], None);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(sim.user_state("liz"), Some(UserState::Active));
    assert_eq!(sim.token_requests(), 1);

    // --subject needs the key; a token and the key are two credentials.
    let run = run_in(
        &d,
        &[
            "reactivate",
            "--provider",
            "google-workspace",
            "--subject",
            "a@example.com",
            "liz",
        ],
        &[("USERBRIDGE_TOKEN", TOKEN)],
        None,
    );
    assert_eq!(run.code, 2, "{run:?}");
    let run = run_in(&d, &args, &[("USERBRIDGE_TOKEN", TOKEN)], None);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("use one"), "{}", run.stderr);

    // A key without its private key: refused naming the flag and the field.
    let secret_line = pem.lines().nth(2).expect("a line of the key").to_string();
    let mut broken = key.clone();
    broken["private_key"] = serde_json::json!(format!(
        "-----BEGIN PRIVATE KEY-----\n{secret_line}\n-----END PRIVATE KEY-----"
    ));
    let broken_file = file(&d, "broken.json", &broken.to_string());
    let broken_file = broken_file.to_str().expect("a UTF-8 path");
    let mut broken_args = args;
    broken_args[6] = broken_file;
    let run = run_in(&d, &broken_args, &[], None);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("--google-service-account"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`private_key`"), "{}", run.stderr);
    assert!(
        !run.all().contains(&secret_line),
        "the key leaked: {}",
        run.all()
    );
}
