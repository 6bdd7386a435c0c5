//! Reading the ids: CSV needs `--column`, lines that look like CSV or JSON are
//! refused unless `--format lines`, JSON lines, stdin. A refused input sends
//! nothing.

mod common;

use common::{dir, file, run_in, TOKEN};
use userbridge::mock::{Simulator, UserState};
use userbridge::Provider;

/// A Flashback simulator with `ids` deactivated.
fn flashback(ids: &[&str]) -> Simulator {
    let sim = Simulator::start_blocking(Provider::Flashback).expect("a simulator");
    for id in ids {
        sim.add_user(*id, sim.organization(), UserState::Deactivated);
    }
    sim
}

/// `userbridge reactivate` of Flashback at `base`, then `more`.
fn reactivate<'a>(base: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["reactivate", "--provider", "flashback", "--base-url", base];
    args.extend_from_slice(more);
    args
}

const ENV: &[(&str, &str)] = &[("USERBRIDGE_TOKEN", TOKEN)];

#[test]
fn a_csv_needs_its_column() {
    let d = dir("csv-column");
    let sim = flashback(&["u1", "u2"]);
    let base = sim.base_url();
    file(&d, "export.csv", "name,user_id\nAda,u1\nBob,u2\n");
    file(&d, "export.txt", "name,user_id\nAda,u1\nBob,u2\n");

    // A .csv file without --column: refused, naming the flag.
    let run = run_in(
        &d,
        &reactivate(&base, &["--input", "export.csv"]),
        ENV,
        None,
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--column"), "{}", run.stderr);

    // --format csv without --column: refused, the header's columns listed.
    let run = run_in(
        &d,
        &reactivate(&base, &["--input", "export.txt", "--format", "csv"]),
        ENV,
        None,
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("a CSV needs --column"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`user_id`"), "{}", run.stderr);

    // A column the header does not have.
    let run = run_in(
        &d,
        &reactivate(&base, &["--input", "export.csv", "--column", "uid"]),
        ENV,
        None,
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("no such column"), "{}", run.stderr);
    assert!(
        sim.requests().is_empty(),
        "nothing is sent on a refused input"
    );

    // With it: the ids of that column, the header not among them.
    let run = run_in(
        &d,
        &reactivate(&base, &["--input", "export.csv", "--column", "user_id"]),
        ENV,
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(sim.requests().len(), 2);
    assert_eq!(sim.user_state("u1"), Some(UserState::Active));
    assert_eq!(sim.user_state("u2"), Some(UserState::Active));
}

#[test]
fn lines_that_look_like_csv_are_refused_unless_lines_is_explicit() {
    let d = dir("csv-lines");
    let sim = flashback(&["u1"]);
    let base = sim.base_url();
    file(&d, "header.txt", "user_id\nu1\n");
    file(&d, "rows.txt", "u1,Ada\n");
    file(&d, "objects.txt", "{\"id\": \"u1\"}\n");
    for (name, said) in [
        ("header.txt", "looks like a CSV header"),
        ("rows.txt", "looks like a CSV row"),
        ("objects.txt", "--format jsonl"),
    ] {
        let run = run_in(&d, &reactivate(&base, &["--input", name]), ENV, None);
        assert_eq!(run.code, 2, "{name}: {run:?}");
        assert!(run.stderr.contains(said), "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains("--format lines"),
            "{name}: {}",
            run.stderr
        );
    }
    assert!(
        sim.requests().is_empty(),
        "nothing is sent on a refused input"
    );

    // Explicit: each whole line is an id (`u1,Ada` is not a user).
    let run = run_in(
        &d,
        &reactivate(&base, &["--input", "rows.txt", "--format", "lines"]),
        ENV,
        None,
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("u1,Ada"), "{}", run.stdout);
    assert_eq!(sim.requests().len(), 1);

    // Plain ids with comments and blank lines are lines.
    file(&d, "ids.txt", "# restore, after the sync job\n\nu1\n");
    let run = run_in(&d, &reactivate(&base, &["--input", "ids.txt"]), ENV, None);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(sim.user_state("u1"), Some(UserState::Active));
}

#[test]
fn json_lines_and_stdin() {
    let d = dir("jsonl");
    let sim = flashback(&["u1", "u2", "u3"]);
    let base = sim.base_url();
    file(
        &d,
        "users.jsonl",
        "{\"uid\": \"u1\", \"name\": \"Ada\"}\n\n{\"uid\": \"u2\"}\n",
    );
    let run = run_in(
        &d,
        &reactivate(
            &base,
            &[
                "--input",
                "users.jsonl",
                "--format",
                "jsonl",
                "--column",
                "uid",
            ],
        ),
        ENV,
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(sim.user_state("u2"), Some(UserState::Active));

    // Without --column, the field is `id`.
    let run = run_in(
        &d,
        &reactivate(&base, &["--input", "users.jsonl", "--format", "jsonl"]),
        ENV,
        None,
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("no `id` field"), "{}", run.stderr);

    let run = run_in(&d, &reactivate(&base, &["--input", "-"]), ENV, Some("u3\n"));
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(sim.user_state("u3"), Some(UserState::Active));
}

#[test]
fn a_spreadsheet_export_reads_as_written() {
    let d = dir("spreadsheet");
    let sim = flashback(&["u1", "u 2"]);
    let base = sim.base_url();
    // A byte order mark, `;`, quotes, a trailing empty row.
    file(
        &d,
        "export.csv",
        "\u{feff}Name;User ID\r\n\"Lovelace; Ada\";u1\r\nBob;\"u 2\"\r\n;\r\n",
    );
    let run = run_in(
        &d,
        &reactivate(
            &base,
            &[
                "--input",
                "export.csv",
                "--column",
                "user id",
                "--delimiter",
                ";",
            ],
        ),
        ENV,
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(sim.user_state("u1"), Some(UserState::Active));
    assert_eq!(sim.user_state("u 2"), Some(UserState::Active));
}
