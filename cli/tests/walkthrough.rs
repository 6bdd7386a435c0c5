//! The README's incident-recovery walkthrough ("Command line"), step by step,
//! with the built binary and the README's own seed and export files: `userbridge simulate okta --users seed.json`, a dry
//! run of an HR export (CSV, `--column`) that changes nothing, the run with
//! its failures written to a file, a run stopped by a revoked token, and
//! reruns of the failures file to completion.

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use common::{dir, file, read, run_in, Run};

/// The text of the heredoc `cat > {name} <<'{tag}'` in the README's
/// walkthrough: the test runs the README's own files.
fn readme_file(name: &str, tag: &str) -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("the README");
    let walkthrough = readme
        .split("### Walkthrough: recovering from a bad sync")
        .nth(1)
        .expect("the README's walkthrough");
    let start = format!("cat > {name} <<'{tag}'\n");
    let from = walkthrough
        .find(&start)
        .unwrap_or_else(|| panic!("the README's walkthrough writes {name}"))
        + start.len();
    let end = walkthrough[from..]
        .find(&format!("\n{tag}\n"))
        .unwrap_or_else(|| panic!("{name}'s heredoc ends"));
    format!("{}\n", &walkthrough[from..from + end])
}

/// `userbridge simulate`, killed when dropped.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_readme_walkthrough() {
    let d = dir("walkthrough");
    let export = readme_file("export.csv", "CSV");
    file(&d, "seed.json", &readme_file("seed.json", "JSON"));
    file(&d, "export.csv", &export);

    // 1. A simulator to rehearse on; its first line says where it listens.
    let mut child = Command::new(common::bin())
        .args(["simulate", "okta", "--users", "seed.json"])
        .current_dir(&d)
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
    let line: serde_json::Value = serde_json::from_str(&first).expect("one JSON object");
    let base = line["base_url"].as_str().expect("base_url").to_string();
    let token = line["token"].as_str().expect("token").to_string();
    assert_eq!(line["users"]["00u3cy"], "locked-out", "{first}");
    assert!(line["token_url"].is_string() && line["client_secret"].is_string());
    let env = [
        ("USERBRIDGE_PROVIDER", "okta"),
        ("USERBRIDGE_BASE_URL", base.as_str()),
        ("USERBRIDGE_TOKEN", token.as_str()),
    ];
    let userbridge = |args: &[&str]| -> Run { run_in(&d, args, &env, None) };

    // A CSV without --column is refused.
    let refused = userbridge(&["reactivate", "--input", "export.csv"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("--column"), "{}", refused.stderr);

    // 2. The dry run: what would be done, and nothing done.
    let dry = [
        "reactivate",
        "--input",
        "export.csv",
        "--column",
        "user_id",
        "--dry-run",
    ];
    let plan = userbridge(&dry);
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(
        plan.stdout.contains("would run unsuspend"),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("would run unlock"), "{}", plan.stdout);
    assert!(
        plan.stdout.contains("must then set a password"),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("00u6fya") && plan.stdout.contains("not found"));
    let again = userbridge(&dry);
    assert_eq!(again.stdout, plan.stdout, "the dry run changed something");

    // 3. A run that stops: the token was revoked (exit 3). Nothing was
    //    reactivated; every row is in the failures file.
    let run = [
        "reactivate",
        "--input",
        "export.csv",
        "--column",
        "user_id",
        "--failures",
        "rerun.csv",
    ];
    let stopped = run_in(
        &d,
        &run,
        &[
            ("USERBRIDGE_PROVIDER", "okta"),
            ("USERBRIDGE_BASE_URL", base.as_str()),
            ("USERBRIDGE_TOKEN", "revoked-0123456789abcdef"),
        ],
        None,
    );
    assert_eq!(stopped.code, 3, "{stopped:?}");
    assert_eq!(read(&d, "rerun.csv"), export);

    // 4. The run with a valid token: Fay's typo fails (exit 1); Dee must set
    //    a password.
    let ran = userbridge(&[
        "reactivate",
        "--input",
        "rerun.csv",
        "--column",
        "user_id",
        "--failures",
        "rerun.csv",
    ]);
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(ran
        .stdout
        .contains("reactivated; must set a password before signing in"));
    assert_eq!(
        read(&d, "rerun.csv"),
        "employee,user_id,email\nFay Typo,00u6fya,fay@example.com\n"
    );

    // 5. Fix the id in the failures file, rerun it to completion (exit 0).
    let fixed = read(&d, "rerun.csv").replace("00u6fya", "00u6fay");
    file(&d, "rerun.csv", &fixed);
    let rerun = userbridge(&[
        "reactivate",
        "--input",
        "rerun.csv",
        "--column",
        "user_id",
        "--failures",
        "rerun.csv",
    ]);
    assert_eq!(rerun.code, 0, "{rerun:?}");
    assert_eq!(read(&d, "rerun.csv"), "employee,user_id,email\n");

    // What was done stays done: Ada is active already.
    let ada = userbridge(&["reactivate", "00u1ada"]);
    assert_eq!(ada.code, 0, "{ada:?}");
    assert!(ada.stdout.contains("already active"), "{}", ada.stdout);
    drop(served);
}
