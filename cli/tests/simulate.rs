//! `userbridge simulate`: its first line, the seed file's state words, a port
//! of the caller's choice, and its refusals.

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use common::{dir, file, run_in, TOKEN};

/// `userbridge simulate ARGS` in `d`, killed when dropped, and its first line.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(d: &std::path::Path, args: &[&str]) -> (Served, serde_json::Value) {
    let mut child = Command::new(common::bin())
        .arg("simulate")
        .args(args)
        .current_dir(d)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("userbridge simulate starts");
    let stdout = child.stdout.take().expect("its stdout");
    let served = Served(child);
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("its first line");
    let line = serde_json::from_str(&first).unwrap_or_else(|e| panic!("{first}: {e}"));
    (served, line)
}

#[test]
fn state_words_in_the_providers_own_words_or_kebab_case() {
    let d = dir("simulate-words");
    file(
        &d,
        "users.json",
        r#"[{"id": "00u1", "state": "LOCKED_OUT"},
            {"id": "00u2", "state": "locked-out"},
            {"id": "00u3", "state": "Provisioned", "email": "c@example.com"},
            {"id": "00u4", "state": "deactivated"}]"#,
    );
    let (_served, line) = serve(&d, &["okta", "--users", "users.json"]);
    assert_eq!(line["provider"], "okta");
    assert_eq!(line["token"], TOKEN);
    assert_eq!(line["users"]["00u1"], "locked-out");
    assert_eq!(line["users"]["00u2"], "locked-out");
    assert_eq!(line["users"]["00u3"], "provisioned");
    for key in [
        "base_url",
        "admin_url",
        "organization",
        "token_url",
        "client_id",
        "client_secret",
    ] {
        assert!(line[key].is_string(), "{key}: {line}");
    }

    // Without --users: the two default users. Without a token endpoint: no
    // client fields.
    let (_served, line) = serve(&d, &["flashback"]);
    assert_eq!(line["users"]["usr_deactivated1"], "deleted");
    assert_eq!(line["users"]["usr_active1"], "active");
    assert!(line.get("token_url").is_none() && line.get("client_secret").is_none());
}

#[test]
fn a_port_of_ones_choice_serves_the_same_simulator() {
    let d = dir("simulate-port");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let port_arg = port.to_string();
    file(&d, "users.json", r#"[{"id": "u1", "state": "deleted"}]"#);
    let (_served, line) = serve(
        &d,
        &["flashback", "--users", "users.json", "--port", &port_arg],
    );
    let base = format!("http://127.0.0.1:{port}");
    assert_eq!(line["base_url"], base.as_str());
    let run = run_in(
        &d,
        &[
            "reactivate",
            "--provider",
            "flashback",
            "--base-url",
            &base,
            "u1",
        ],
        &[("USERBRIDGE_TOKEN", TOKEN)],
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("reactivated"), "{}", run.stdout);

    // The port taken: it cannot listen (exit 1).
    let busy = run_in(
        &d,
        &["simulate", "flashback", "--port", &port_arg],
        &[],
        None,
    );
    assert_eq!(busy.code, 1, "{busy:?}");
    assert!(busy.stderr.contains("cannot listen"), "{}", busy.stderr);

    // Keycloak's token endpoint is on the chosen port too.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let (_kc, line) = serve(&d, &["keycloak", "--port", &port.to_string()]);
    assert!(line["token_url"]
        .as_str()
        .is_some_and(|u| u.starts_with(&format!("http://127.0.0.1:{port}/"))));
    let run = run_in(
        &d,
        &[
            "reactivate",
            "--provider",
            "keycloak",
            "--base-url",
            line["base_url"].as_str().unwrap_or_default(),
            "--realm",
            line["organization"].as_str().unwrap_or_default(),
            "--client-id",
            line["client_id"].as_str().unwrap_or_default(),
            "usr_deactivated1",
        ],
        &[(
            "USERBRIDGE_CLIENT_SECRET",
            line["client_secret"].as_str().unwrap_or_default(),
        )],
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn unknown_states_and_bad_files_are_refused() {
    let d = dir("simulate-refusals");
    file(&d, "frozen.json", r#"[{"id": "00u1", "state": "frozen"}]"#);
    let run = run_in(
        &d,
        &["simulate", "okta", "--users", "frozen.json"],
        &[],
        None,
    );
    assert_eq!(run.code, 2, "{run:?}");
    for word in [
        "frozen",
        "active",
        "deactivated",
        "suspended",
        "locked-out",
        "provisioned",
    ] {
        assert!(run.stderr.contains(word), "{word}: {}", run.stderr);
    }
    assert!(run.stdout.is_empty());

    file(
        &d,
        "twice.json",
        r#"[{"id": "a", "state": "active"}, {"id": "a", "state": "active"}]"#,
    );
    let run = run_in(
        &d,
        &["simulate", "okta", "--users", "twice.json"],
        &[],
        None,
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("twice"), "{}", run.stderr);

    file(
        &d,
        "extra.json",
        r#"[{"id": "a", "state": "active", "role": "admin"}]"#,
    );
    let run = run_in(
        &d,
        &["simulate", "okta", "--users", "extra.json"],
        &[],
        None,
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("role"), "{}", run.stderr);

    let run = run_in(&d, &["simulate", "nope"], &[], None);
    assert_eq!(run.code, 2, "{run:?}");
    let run = run_in(
        &d,
        &["simulate", "okta", "--users", "missing.json"],
        &[],
        None,
    );
    assert_eq!(run.code, 2, "{run:?}");
}
