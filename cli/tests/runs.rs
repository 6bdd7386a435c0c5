//! Runs against the simulators: exit codes, the file of ids to rerun and the
//! rerun, `--json`, the plain words of outcomes that need a person, dry runs
//! that write nothing, and secrets that never come out.

mod common;

use std::time::Duration;

use common::{dir, file, json_lines, read, run_in, TOKEN};
use userbridge::mock::{Failure, Simulator, UserState};
use userbridge::Provider;

const ENV: &[(&str, &str)] = &[("USERBRIDGE_TOKEN", TOKEN)];

fn start(provider: Provider) -> Simulator {
    Simulator::start_blocking(provider).expect("a simulator")
}

/// `userbridge reactivate --provider P --base-url B MORE...`.
fn args<'a>(provider: &'a str, base: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["reactivate", "--provider", provider, "--base-url", base];
    args.extend_from_slice(more);
    args
}

#[test]
fn exit_codes_say_done_failed_usage_stopped() {
    let d = dir("exit-codes");
    let sim = start(Provider::Flashback);
    let base = sim.base_url();
    for id in ["u1", "u2"] {
        sim.add_user(id, sim.organization(), UserState::Deactivated);
    }

    let done = run_in(&d, &args("flashback", &base, &["u1", "u2"]), ENV, None);
    assert_eq!(done.code, 0, "{done:?}");
    // Users already active count as done: the same run again is safe.
    let again = run_in(&d, &args("flashback", &base, &["u1", "u2"]), ENV, None);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("already active"), "{}", again.stdout);
    // Unless they must not be.
    let strict = run_in(
        &d,
        &args("flashback", &base, &["--require-deactivated", "u1"]),
        ENV,
        None,
    );
    assert_eq!(strict.code, 1, "{strict:?}");

    let failed = run_in(&d, &args("flashback", &base, &["u1", "nobody"]), ENV, None);
    assert_eq!(failed.code, 1, "{failed:?}");
    assert!(failed.stdout.contains("not found"), "{}", failed.stdout);

    let before = sim.requests().len();
    let usage = run_in(
        &d,
        &args("flashback", &base, &["--input", "missing.csv"]),
        ENV,
        None,
    );
    assert_eq!(usage.code, 2, "{usage:?}");
    assert_eq!(sim.requests().len(), before, "nothing sent");

    // A token the simulator does not know: Unauthenticated stops the run.
    let ids: Vec<String> = (0..40).map(|i| format!("x{i}")).collect();
    file(&d, "many.txt", &ids.join("\n"));
    let before = sim.requests().len();
    let stopped = run_in(
        &d,
        &args(
            "flashback",
            &base,
            &[
                "--input",
                "many.txt",
                "--concurrency",
                "2",
                "--failures",
                "rerun.txt",
            ],
        ),
        &[("USERBRIDGE_TOKEN", "revoked-token-0123456789")],
        None,
    );
    assert_eq!(stopped.code, 3, "{stopped:?}");
    assert!(
        stopped.stderr.contains("the run stopped"),
        "{}",
        stopped.stderr
    );
    assert!(
        stopped.stdout.contains("not attempted"),
        "{}",
        stopped.stdout
    );
    let sent = sim.requests().len() - before;
    assert!(
        sent < 40,
        "the run went on after the refusal: {sent} requests"
    );
    // Every id not done is to rerun, in input order.
    assert_eq!(read(&d, "rerun.txt"), format!("{}\n", ids.join("\n")));
}

#[test]
fn the_failures_file_keeps_the_csv_and_a_rerun_completes() {
    let d = dir("failures-csv");
    let sim = start(Provider::Okta);
    let base = sim.base_url();
    let org = sim.organization().to_string();
    for (id, status) in [
        ("00u1", "SUSPENDED"),
        ("00u2", "DEPROVISIONED"),
        ("00u3", "LOCKED_OUT"),
    ] {
        sim.add_user_with_status(id, org.as_str(), status)
            .expect("an Okta status");
    }
    // 00u2 fails with a server error (no retries: --max-attempts 1); 00u9
    // is not known yet.
    sim.fail_user("00u2", 1, Failure::ServerError);
    file(
        &d,
        "export.csv",
        "name,user_id,note\n\"Lovelace, Ada\",00u1,ok\nBob,00u2,\"says \"\"hi\"\"\"\nCy,00u3,\nDee,00u9,typo\n",
    );
    let csv = [
        "--input",
        "export.csv",
        "--column",
        "user_id",
        "--max-attempts",
        "1",
        "--failures",
        "rerun.csv",
    ];
    let first = run_in(&d, &args("okta", &base, &csv), ENV, None);
    assert_eq!(first.code, 1, "{first:?}");
    assert_eq!(
        read(&d, "rerun.csv"),
        "name,user_id,note\nBob,00u2,\"says \"\"hi\"\"\"\nDee,00u9,typo\n",
        "the failed rows, as they were"
    );
    assert!(first
        .stderr
        .contains("--input rerun.csv --format csv --column user_id"));

    // The rerun reads the file it writes: 00u2 goes through, 00u9 still fails.
    let rerun = [
        "--input",
        "rerun.csv",
        "--column",
        "user_id",
        "--failures",
        "rerun.csv",
    ];
    let second = run_in(&d, &args("okta", &base, &rerun), ENV, None);
    assert_eq!(second.code, 1, "{second:?}");
    assert_eq!(read(&d, "rerun.csv"), "name,user_id,note\nDee,00u9,typo\n");

    sim.add_user_with_status("00u9", org.as_str(), "SUSPENDED")
        .expect("an Okta status");
    let third = run_in(&d, &args("okta", &base, &rerun), ENV, None);
    assert_eq!(third.code, 0, "{third:?}");
    assert_eq!(read(&d, "rerun.csv"), "name,user_id,note\n", "nothing left");
    for id in ["00u1", "00u2", "00u3", "00u9"] {
        assert_eq!(sim.user_status(id).as_deref(), Some("ACTIVE"), "{id}");
    }
}

#[test]
fn the_failures_file_of_lines_and_of_json_lines() {
    let d = dir("failures-lines");
    let sim = start(Provider::ZitadelV2);
    let base = sim.base_url();
    sim.add_user("111", sim.organization(), UserState::Deactivated);
    file(&d, "ids.txt", "# from the incident\n111\n222\n\n333\n");
    let run = run_in(
        &d,
        &args(
            "zitadel-v2",
            &base,
            &["--input", "ids.txt", "--failures", "left.txt"],
        ),
        ENV,
        None,
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(read(&d, "left.txt"), "222\n333\n");

    file(
        &d,
        "ids.jsonl",
        "{\"user\": \"222\", \"why\": \"sync\"}\n{\"user\": \"111\"}\n",
    );
    let run = run_in(
        &d,
        &args(
            "zitadel-v2",
            &base,
            &[
                "--input",
                "ids.jsonl",
                "--format",
                "jsonl",
                "--column",
                "user",
                "--failures",
                "left.jsonl",
            ],
        ),
        ENV,
        None,
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        read(&d, "left.jsonl"),
        "{\"user\": \"222\", \"why\": \"sync\"}\n"
    );
    assert!(
        run.stderr.contains("--format jsonl --column user"),
        "{}",
        run.stderr
    );

    // Ids given as arguments: their failures are lines.
    let run = run_in(
        &d,
        &args(
            "zitadel-v2",
            &base,
            &["--failures", "args.txt", "111", "444"],
        ),
        ENV,
        None,
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(read(&d, "args.txt"), "444\n");
}

#[test]
fn json_output_is_one_object_per_user_in_input_order() {
    let d = dir("json");
    let sim = start(Provider::Okta);
    let base = sim.base_url();
    let org = sim.organization().to_string();
    sim.add_user_with_status("00u1", org.as_str(), "PROVISIONED")
        .expect("an Okta status");
    sim.add_user_with_status("00u2", org.as_str(), "SUSPENDED")
        .expect("an Okta status");
    // The first user answers last: the output is in input order all the same.
    sim.fail_user("00u1", 1, Failure::Slow(Duration::from_millis(400)));
    let run = run_in(
        &d,
        &args("okta", &base, &["--json", "00u1", "00u2", "00u9"]),
        ENV,
        None,
    );
    assert_eq!(run.code, 1, "{run:?}");
    let objects = json_lines(&run.stdout);
    assert_eq!(objects.len(), 3, "{}", run.stdout);
    let ids: Vec<&str> = objects.iter().filter_map(|o| o["id"].as_str()).collect();
    assert_eq!(ids, ["00u1", "00u2", "00u9"]);

    let provisioned = &objects[0];
    assert_eq!(provisioned["outcome"], "reactivated");
    assert_eq!(provisioned["transition"], "reactivate");
    assert_eq!(provisioned["status"], "PROVISIONED");
    assert_eq!(provisioned["needs_person"], true);
    assert!(provisioned["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("reactivated; must set a password before signing in")));
    assert!(provisioned["kind"].is_null());

    let suspended = &objects[1];
    assert_eq!(suspended["transition"], "unsuspend");
    assert_eq!(suspended["status"], "ACTIVE");
    assert_eq!(suspended["needs_person"], false);

    let unknown = &objects[2];
    assert_eq!(unknown["outcome"], "failed");
    assert_eq!(unknown["kind"], "not_found");
    assert!(unknown["message"]
        .as_str()
        .is_some_and(|m| m.contains("00u9")));

    // The text form says the same in plain words, and no progress bar is
    // drawn when stderr is not a terminal.
    sim.add_user_with_status("00u3", org.as_str(), "PROVISIONED")
        .expect("an Okta status");
    let text = run_in(&d, &args("okta", &base, &["00u3"]), ENV, None);
    assert_eq!(text.code, 0, "{text:?}");
    assert!(text
        .stdout
        .contains("reactivated; must set a password before signing in"));
    assert!(
        text.stderr.contains("must set a password"),
        "{}",
        text.stderr
    );
    assert!(!text.stderr.contains('\r') && !text.stderr.contains("users ["));
}

#[test]
fn keycloak_lockouts_and_auth0_blocks_are_said_plainly() {
    let d = dir("plain-words");
    let keycloak = start(Provider::Keycloak);
    let kc_base = keycloak.base_url();
    let realm = keycloak.organization().to_string();
    let locked = "3f1c2a9e-5b7d-4e8f-9a6b-1c2d3e4f5a6b";
    keycloak.add_user(locked, realm.as_str(), UserState::Active);
    assert!(keycloak.lock_out(locked));
    let run = run_in(
        &d,
        &args("keycloak", &kc_base, &["--realm", &realm, locked]),
        ENV,
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("lockout released"), "{}", run.stdout);
    assert_eq!(keycloak.is_locked_out(locked), Some(false));

    let auth0 = start(Provider::Auth0);
    let a0_base = auth0.base_url();
    auth0
        .add_user_with_status(
            "auth0|1",
            auth0.organization().to_string(),
            "blocked+brute-force-blocked",
        )
        .expect("an Auth0 status");
    let run = run_in(&d, &args("auth0", &a0_base, &["auth0|1"]), ENV, None);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("blocks lifted"), "{}", run.stdout);
    assert!(
        run.stdout.contains("administrator's block"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("brute-force"), "{}", run.stdout);
}

#[test]
fn a_dry_run_reads_and_changes_nothing() {
    let d = dir("dry-run");
    let sim = start(Provider::Okta);
    let base = sim.base_url();
    let org = sim.organization().to_string();
    for (id, status) in [
        ("00u1", "SUSPENDED"),
        ("00u2", "PROVISIONED"),
        ("00u3", "ACTIVE"),
    ] {
        sim.add_user_with_status(id, org.as_str(), status)
            .expect("an Okta status");
    }
    let run = run_in(
        &d,
        &args(
            "okta",
            &base,
            &[
                "--dry-run",
                "--json",
                "--failures",
                "would-fail.txt",
                "00u1",
                "00u2",
                "00u3",
                "00u9",
            ],
        ),
        ENV,
        None,
    );
    assert_eq!(run.code, 1, "{run:?}");
    let objects = json_lines(&run.stdout);
    let outcomes: Vec<&str> = objects
        .iter()
        .filter_map(|o| o["outcome"].as_str())
        .collect();
    assert_eq!(
        outcomes,
        [
            "would_reactivate",
            "would_reactivate",
            "already_active",
            "failed"
        ]
    );
    assert_eq!(objects[0]["transition"], "unsuspend");
    assert_eq!(objects[1]["transition"], "reactivate");
    assert_eq!(objects[3]["kind"], "not_found");
    assert!(run.stderr.contains("nothing was changed"), "{}", run.stderr);
    assert_eq!(read(&d, "would-fail.txt"), "00u9\n");
    // Reads only, and every user as it was.
    assert!(sim.requests().iter().all(|r| r.method == "GET"));
    assert_eq!(sim.user_status("00u1").as_deref(), Some("SUSPENDED"));
    assert_eq!(sim.user_status("00u2").as_deref(), Some("PROVISIONED"));
}

#[test]
fn a_dry_run_without_a_read_sends_nothing_and_says_so() {
    let d = dir("dry-run-unread");
    let sim = start(Provider::Flashback);
    let base = sim.base_url();
    sim.add_user("u1", sim.organization(), UserState::Deactivated);
    let run = run_in(
        &d,
        &args("flashback", &base, &["--dry-run", "u1", "u\\2"]),
        ENV,
        None,
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("valid"), "{}", run.stdout);
    assert!(run.stdout.contains("backslash"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("only the ids and the configuration were checked; nothing was sent"),
        "{}",
        run.stderr
    );
    assert!(
        sim.requests().is_empty(),
        "a dry run without a read sends nothing"
    );
    assert_eq!(sim.user_state("u1"), Some(UserState::Deactivated));

    let valid = run_in(
        &d,
        &args("flashback", &base, &["--dry-run", "u1"]),
        ENV,
        None,
    );
    assert_eq!(valid.code, 0, "{valid:?}");
}

#[test]
fn secrets_never_come_out() {
    let d = dir("secrets");
    let secret = "s3cr3t-T0ken-value-0123456789";
    let sim = start(Provider::Flashback);
    let base = sim.base_url();
    sim.add_token(secret);
    sim.add_user("u1", sim.organization(), UserState::Deactivated);
    let env = [
        ("USERBRIDGE_TOKEN", secret),
        ("USERBRIDGE_BASE_URL", base.as_str()),
    ];
    let mut outputs = Vec::new();
    for more in [
        &["u1", "nobody"][..],
        &["--json", "u1", "nobody"],
        &["--dry-run", "u1"],
        &["--failures", "left.txt", "nobody"],
    ] {
        let mut a = vec!["reactivate", "--provider", "flashback"];
        a.extend_from_slice(more);
        outputs.push(run_in(&d, &a, &env, None).all());
    }
    outputs.push(read(&d, "left.txt"));
    // Usage errors and help, with the secret in the environment.
    outputs.push(run_in(&d, &["reactivate", "--provider", "flashback"], &env, None).all());
    outputs.push(run_in(&d, &["reactivate", "--help"], &env, None).all());
    // A refused token: the provider's 401, the run stopped.
    let wrong = "wr0ng-T0ken-value-9876543210";
    let refused = run_in(
        &d,
        &["reactivate", "--provider", "flashback", "u1"],
        &[
            ("USERBRIDGE_TOKEN", wrong),
            ("USERBRIDGE_BASE_URL", base.as_str()),
        ],
        None,
    );
    assert_eq!(refused.code, 3, "{refused:?}");
    outputs.push(refused.all());
    for output in &outputs {
        assert!(!output.contains(secret), "the token came out: {output}");
        assert!(!output.contains(wrong), "the token came out: {output}");
    }
    // The help shows the variables, not their values.
    assert!(!outputs[6].contains(&base), "{}", outputs[6]);

    // A client secret the token endpoint refuses.
    let keycloak = start(Provider::Keycloak);
    let client_secret = "cl1ent-S3cret-value-5555555555";
    let run = run_in(
        &d,
        &[
            "reactivate",
            "--provider",
            "keycloak",
            "--base-url",
            &keycloak.base_url(),
            "--realm",
            keycloak.organization(),
            "--client-id",
            keycloak.client_id(),
            "some-user",
        ],
        &[("USERBRIDGE_CLIENT_SECRET", client_secret)],
        None,
    );
    assert_eq!(run.code, 3, "{run:?}");
    assert!(!run.all().contains(client_secret), "{run:?}");
    assert!(!run.all().contains(keycloak.client_secret()), "{run:?}");
    // The right one, from a file.
    keycloak.add_user("some-user", keycloak.organization(), UserState::Deactivated);
    let secret_file = file(&d, "client-secret", keycloak.client_secret());
    let run = run_in(
        &d,
        &[
            "reactivate",
            "--provider",
            "keycloak",
            "--base-url",
            &keycloak.base_url(),
            "--realm",
            keycloak.organization(),
            "--client-id",
            keycloak.client_id(),
            "--client-secret-file",
            secret_file.to_str().expect("a UTF-8 path"),
            "some-user",
        ],
        &[],
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.all().contains(keycloak.client_secret()), "{run:?}");
}

/// Ctrl-C: the calls in flight are cut off, and every user not finished is
/// to rerun (exit 3).
#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_run_and_keeps_what_is_left() {
    use std::process::{Command, Stdio};

    let d = dir("interrupted");
    let sim = start(Provider::Flashback);
    let base = sim.base_url();
    for id in ["u1", "u2", "u3"] {
        sim.add_user(id, sim.organization(), UserState::Deactivated);
    }
    sim.fail_user("u2", 1, Failure::Slow(Duration::from_secs(30)));
    let child = Command::new(common::bin())
        .args(args(
            "flashback",
            &base,
            &[
                "--concurrency",
                "1",
                "--failures",
                "left.txt",
                "u1",
                "u2",
                "u3",
            ],
        ))
        .current_dir(&d)
        .env_clear()
        .env("USERBRIDGE_TOKEN", TOKEN)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("userbridge starts");
    // u1 done, u2 in flight for 30 s.
    let waited = std::time::Instant::now();
    while sim.requests().len() < 2 && waited.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let signalled = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(signalled.success());
    let out = child.wait_with_output().expect("userbridge ends");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(
        waited.elapsed() < Duration::from_secs(20),
        "it waited for u2"
    );
    assert!(stdout.contains("reactivated      u1"), "{stdout}");
    assert!(stdout.contains("interrupted      u2"), "{stdout}");
    assert!(stdout.contains("interrupted      u3"), "{stdout}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert_eq!(read(&d, "left.txt"), "u2\nu3\n");
}

/// Amazon Cognito: `--region`, the keys from the standard AWS environment
/// variables (as the SDK reads them); a missing key is named, nothing sent.
#[test]
fn cognito_takes_its_region_and_aws_keys_from_the_environment() {
    let d = dir("cognito");
    let sim = start(Provider::Cognito);
    let base = sim.base_url();
    let pool = sim.organization().to_string();
    sim.add_user_with_status("jane.doe", pool.as_str(), "DISABLED_FORCE_CHANGE_PASSWORD")
        .expect("a Cognito status");
    let aws = [
        ("AWS_ACCESS_KEY_ID", sim.token()),
        ("AWS_SECRET_ACCESS_KEY", "cli-SECRET-access-key"),
    ];
    let more = [
        "--region",
        "us-east-1",
        "--organization",
        pool.as_str(),
        "jane.doe",
    ];
    let run = run_in(&d, &args("cognito", &base, &more), &aws, None);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(sim.user_state("jane.doe"), Some(UserState::Active));
    assert!(!run.all().contains("cli-SECRET"), "{run:?}");
    let signed = sim.requests();
    assert_eq!(signed.len(), 2, "a read, then the write");
    let missing = run_in(
        &d,
        &args("cognito", &base, &more),
        &[("AWS_ACCESS_KEY_ID", sim.token())],
        None,
    );
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(
        missing.stderr.contains("AWS_SECRET_ACCESS_KEY"),
        "{missing:?}"
    );
    assert_eq!(sim.requests().len(), 2, "nothing more was sent");
}

/// Sleeps until just past the next whole second (the simulators' quota
/// windows are aligned on Unix time).
fn just_after_a_second() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let into = Duration::from_nanos(u64::from(now.subsec_nanos()));
    std::thread::sleep(Duration::from_millis(1_020).saturating_sub(into));
}

#[test]
fn request_rate_counts_http_requests_and_rate_counts_users() {
    // Keycloak reports no budget on its answers: only the flags pace the
    // run. Its simulator, under a quota of three requests a second, answers
    // the fourth 429. A Keycloak reactivation is more than one request.
    let d = dir("request-rate");
    let sim = start(Provider::Keycloak);
    let base = sim.base_url();
    let realm = sim.organization().to_string();
    let ids: Vec<String> = (0..4)
        .map(|i| format!("3f1c2a9e-5b7d-4e8f-9a6b-1c2d3e4f5a{i:02}"))
        .collect();
    for id in &ids {
        sim.add_user(id.as_str(), realm.as_str(), UserState::Deactivated);
    }
    sim.set_quota(3, Duration::from_secs(1));
    let flags = [
        "--realm",
        &realm,
        "--concurrency",
        "2",
        "--max-attempts",
        "1",
    ];

    // --request-rate 3: three requests a second, whatever users they are for.
    just_after_a_second();
    let mut more = flags.to_vec();
    more.extend(["--request-rate", "3", &ids[0], &ids[1]]);
    let paced = run_in(&d, &args("keycloak", &base, &more), ENV, None);
    assert_eq!(paced.code, 0, "{paced:?}");
    let sent = sim.requests().len();
    assert!(sent >= 4, "two users, {sent} requests");
    assert_eq!(sim.quota_refusals(), 0, "{paced:?}");

    // --rate 3 counts users: both start at once, and their requests overrun
    // the three a second.
    just_after_a_second();
    let mut more = flags.to_vec();
    more.extend(["--rate", "3", &ids[2], &ids[3]]);
    let by_users = run_in(&d, &args("keycloak", &base, &more), ENV, None);
    assert_eq!(by_users.code, 1, "{by_users:?}");
    assert!(sim.quota_refusals() > 0, "{by_users:?}");
}
