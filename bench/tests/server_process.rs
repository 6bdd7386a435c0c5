//! The comparison with its server in a child process (`--server-process`):
//! the binary starts `serve`, every call of every case succeeds against it,
//! and the server process is stopped at the end. Nothing about time is
//! asserted.

use std::process::Command;

#[test]
fn a_quick_comparison_runs_against_a_server_process() {
    let out = Command::new(env!("CARGO_BIN_EXE_userbridge-bench"))
        .args(["compare", "--quick", "--server-process"])
        .output()
        .expect("the bench runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("own process"), "{stdout}");
    assert!(stdout.contains("all calls succeeded;"), "{stdout}");
    // The token case runs by default, against a warm cache.
    assert!(
        stdout.contains("token/static, within noise, 100 calls"),
        "{stdout}"
    );
    assert!(
        stdout.contains("the token source was asked 1 time(s) in all"),
        "{stdout}"
    );
    // The server child printed its count when its standard input closed.
    assert!(
        stderr.contains("bench server: ") && stderr.contains(" answers sent"),
        "{stderr}"
    );
}

/// What `cargo xtask bench --callgrind` runs under valgrind: `calls` with a
/// server process of its own, which it stops before it exits.
#[test]
fn calls_run_against_a_server_process_of_their_own() {
    let out = Command::new(env!("CARGO_BIN_EXE_userbridge-bench"))
        .args(["calls", "sdk-conc", "50", "--server-process"])
        .output()
        .expect("the bench runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("50 calls (conc sdk)"), "{stderr}");
    assert!(stderr.contains("bench server: 50 answers sent"), "{stderr}");
}
