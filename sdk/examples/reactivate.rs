//! `reactivate`: reactivate users from the command line, or watch the SDK work
//! against the embedded simulators of every provider (the README's main command).
//!
//! ```sh
//! # demo: no account, no network
//! cargo run -p userbridge --example reactivate --features mock
//!
//! # for real
//! export ZITADEL_TOKEN=...
//! cargo run -p userbridge --example reactivate --features mock -- \
//!     --provider zitadel-v2 --base-url https://example.zitadel.cloud \
//!     --token-env ZITADEL_TOKEN 69629023906488334 69629023906488335
//! ```
//!
//! Exit status: 0 when everything went as expected, 1 when a reactivation failed
//! (or, in the demo, an outcome was not the expected one), 2 for bad arguments.

use std::process::ExitCode;
use std::time::Duration;

use userbridge::mock::{Simulator, UserState};
use userbridge::{Client, Error, ErrorKind, Provider, Reactivated};

/// `println!` that does not panic when stdout is closed (`reactivate | head`).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

const USAGE: &str = "\
usage:
  reactivate                       demo: simulators of every provider, no network
  reactivate --provider P --token-env VAR [--base-url URL] [--organization ORG]
             [--json] USER_ID...   reactivate these users for real

  --provider P        aitronos, flashback, zitadel-v1, zitadel-v2 or nethesis
  --base-url URL      the provider's API root (required for Zitadel and My Nethesis,
                      e.g. https://my.example.com/api; Aitronos and Flashback default
                      to their public hosts)
  --token-env VAR     the environment variable holding the bearer token
  --organization ORG  the organization (Aitronos: required; Zitadel v1: x-zitadel-orgid)
  --json              one JSON object per user (the SDK's serde form of the
                      result or the error) instead of one line of text
  -h, --help          this help

exit status: 0 all reactivated, 1 some failed, 2 bad arguments";

/// Arguments of a real run.
#[derive(Debug, Default)]
struct Real {
    provider: Option<Provider>,
    base_url: Option<String>,
    token_env: Option<String>,
    organization: Option<String>,
    json: bool,
    users: Vec<String>,
}

enum Mode {
    Help,
    Demo,
    Real(Real),
}

fn parse(args: &[String]) -> Result<Mode, String> {
    if args.is_empty() {
        return Ok(Mode::Demo);
    }
    let mut real = Real::default();
    let mut i = 0;
    let mut only_ids = false;
    while i < args.len() {
        let arg = args[i].as_str();
        i += 1;
        if only_ids || !arg.starts_with('-') {
            real.users.push(arg.to_string());
            continue;
        }
        if arg == "--" {
            only_ids = true;
            continue;
        }
        if arg == "-h" || arg == "--help" {
            return Ok(Mode::Help);
        }
        if arg == "--json" {
            real.json = true;
            continue;
        }
        // `--flag value` or `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag, Some(value.to_string())),
            None => (arg, None),
        };
        if !matches!(
            flag,
            "--provider" | "--base-url" | "--token-env" | "--organization"
        ) {
            return Err(format!("unknown option `{arg}`"));
        }
        let value = match inline {
            Some(value) => value,
            None => {
                let value = args
                    .get(i)
                    .cloned()
                    .ok_or_else(|| format!("`{flag}` needs a value"))?;
                i += 1;
                value
            }
        };
        match flag {
            "--provider" => {
                real.provider = Some(value.parse::<Provider>().map_err(|e| e.to_string())?)
            }
            "--base-url" => real.base_url = Some(value),
            "--token-env" => real.token_env = Some(value),
            _ => real.organization = Some(value),
        }
    }
    if real.provider.is_none() {
        return Err("`--provider` is required to reactivate users".into());
    }
    if real.token_env.is_none() {
        return Err("`--token-env` is required to reactivate users".into());
    }
    if real.users.is_empty() {
        return Err("no user id given".into());
    }
    Ok(Mode::Real(real))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args) {
        Ok(Mode::Help) => {
            say!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Mode::Demo) => demo().await,
        Ok(Mode::Real(real)) => run(real).await,
        Err(e) => {
            eprintln!("reactivate: {e}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

// ---------------------------------------------------------------- real runs

async fn run(real: Real) -> ExitCode {
    let (Some(provider), Some(token_env)) = (real.provider, real.token_env.as_deref()) else {
        return ExitCode::from(2);
    };
    let token = match std::env::var(token_env) {
        Ok(t) if !t.trim().is_empty() => t,
        _ => {
            eprintln!(
                "reactivate: the environment variable `{token_env}` is not set or empty; \
                 export the bearer token in it"
            );
            return ExitCode::from(2);
        }
    };
    let mut builder = Client::builder(provider).bearer_token(token);
    if let Some(url) = &real.base_url {
        builder = builder.base_url(url);
    }
    if let Some(org) = &real.organization {
        builder = builder.organization(org);
    }
    let client = match builder.build() {
        Ok(client) => client,
        Err(e) => {
            print_error(real.json, None, &e);
            return ExitCode::FAILURE;
        }
    };
    let mut failed = false;
    for user in &real.users {
        match client.users().reactivate(user.as_str()).await {
            Ok(done) => print_ok(real.json, &done),
            Err(e) => {
                failed = true;
                print_error(real.json, Some(user), &e);
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn print_ok(json: bool, done: &Reactivated) {
    if json {
        match serde_json::to_string(done) {
            Ok(line) => say!("{line}"),
            Err(e) => eprintln!("reactivate: cannot print the result as JSON: {e}"),
        }
    } else {
        say!("ok      {}  {}", done.user_id(), success_line(done));
    }
}

fn print_error(json: bool, user: Option<&str>, e: &Error) {
    if json {
        match serde_json::to_string(e) {
            Ok(line) => say!("{line}"),
            Err(err) => eprintln!("reactivate: cannot print the error as JSON: {err}"),
        }
    } else {
        say!("failed  {}  {e}", user.unwrap_or("-"));
    }
}

/// One line about a success: what the provider said.
fn success_line(done: &Reactivated) -> String {
    let mut line = format!("{}: reactivated", done.provider());
    if done.already_active() {
        line.push_str(" (it was already active)");
    }
    if let Some(user) = done.user() {
        line.push_str(&format!(", account_state {}", user.account_state));
    }
    if let Some(details) = done.change_details() {
        if let Some(seq) = details.sequence {
            line.push_str(&format!(", sequence {seq}"));
        }
    }
    if let Some(message) = done.message() {
        line.push_str(&format!(": {message}"));
    }
    if done.attempts() > 1 {
        line.push_str(&format!(" (after {} attempts)", done.attempts()));
    }
    line
}

// ---------------------------------------------------------------- the demo

const DEMO_USER: &str = "usr_demo1";
const UNKNOWN_USER: &str = "usr_unknown";

/// What a demo step should come to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    Reactivated,
    Error(ErrorKind),
}

/// One provider's row.
struct Row {
    provider: Provider,
    cells: Vec<String>,
    /// Display lines of the errors (expected or not).
    errors: Vec<String>,
    /// Checks that did not come out as expected.
    surprises: Vec<String>,
}

const STEPS: [(&str, &str, Expect); 3] = [
    ("reactivate", DEMO_USER, Expect::Reactivated),
    (
        "reactivate again",
        DEMO_USER,
        Expect::Error(ErrorKind::NotDeactivated),
    ),
    (
        "unknown user",
        UNKNOWN_USER,
        Expect::Error(ErrorKind::NotFound),
    ),
];

/// Checks per provider: the steps, and the user's state afterwards.
const CHECKS_PER_PROVIDER: usize = STEPS.len() + 1;

async fn demo() -> ExitCode {
    say!("userbridge demo: a simulator of every provider on 127.0.0.1 (no account, no network).");
    say!(
        "Each one gets a deactivated user `{DEMO_USER}`; the SDK reactivates it, tries again, \
         then tries an unknown user.\n"
    );
    let mut rows = Vec::new();
    for provider in Provider::ALL {
        rows.push(demo_provider(provider).await);
    }

    let mut header = vec!["provider".to_string(), "user state".to_string()];
    header.extend(STEPS.iter().map(|(label, _, _)| label.to_string()));
    let table: Vec<Vec<String>> = std::iter::once(header)
        .chain(rows.iter().map(|row| {
            std::iter::once(row.provider.to_string())
                .chain(row.cells.iter().cloned())
                .collect()
        }))
        .collect();
    print_table(&table);

    say!("\nThe errors, as the SDK displays them:");
    for row in &rows {
        for line in &row.errors {
            say!("  {line}");
        }
    }

    let checks = rows.len() * CHECKS_PER_PROVIDER;
    let surprises: Vec<&String> = rows.iter().flat_map(|r| &r.surprises).collect();
    if surprises.is_empty() {
        say!(
            "\nAll {checks} checks passed: every provider answered as it documents, and the \
             SDK gave the same result for all of them."
        );
        ExitCode::SUCCESS
    } else {
        say!("\n{} of {checks} checks FAILED:", surprises.len());
        for s in surprises {
            say!("  {s}");
        }
        ExitCode::FAILURE
    }
}

async fn demo_provider(provider: Provider) -> Row {
    let mut row = Row {
        provider,
        cells: Vec::new(),
        errors: Vec::new(),
        surprises: Vec::new(),
    };
    let sim = match Simulator::try_start(provider).await {
        Ok(sim) => sim,
        Err(e) => {
            row.surprises
                .push(format!("{provider}: the simulator could not start: {e}"));
            row.cells = vec!["-".to_string(); CHECKS_PER_PROVIDER];
            return row;
        }
    };
    sim.add_user(DEMO_USER, sim.organization(), UserState::Deactivated);
    let client = Client::builder(provider)
        .base_url(sim.base_url())
        .bearer_token(sim.token())
        .organization(sim.organization())
        .timeout(Duration::from_secs(10))
        .build();
    let client = match client {
        Ok(client) => client,
        Err(e) => {
            row.surprises
                .push(format!("{provider}: the client could not be built: {e}"));
            row.cells = vec!["-".to_string(); CHECKS_PER_PROVIDER];
            return row;
        }
    };

    let mut cells = Vec::new();
    for (label, user, expect) in STEPS {
        let outcome = client.users().reactivate(user).await;
        let (cell, got) = match &outcome {
            Ok(_) => ("reactivated".to_string(), Expect::Reactivated),
            Err(e) => {
                row.errors.push(e.to_string());
                let cell = match e.status() {
                    Some(status) => format!("{} (HTTP {status})", e.kind()),
                    None => e.kind().to_string(),
                };
                (cell, Expect::Error(e.kind()))
            }
        };
        if got == expect {
            cells.push(cell);
        } else {
            let want = match expect {
                Expect::Reactivated => "reactivated".to_string(),
                Expect::Error(kind) => kind.to_string(),
            };
            cells.push(format!("{cell} [expected {want}]"));
            row.surprises
                .push(format!("{provider}, {label}: got {cell}, expected {want}"));
        }
    }

    let before = UserState::Deactivated.label(provider);
    let state = match sim.user_state(DEMO_USER) {
        Some(UserState::Active) => format!("{before} -> active"),
        other => {
            let now = other.map_or("unknown", |s| s.label(provider));
            row.surprises.push(format!(
                "{provider}: `{DEMO_USER}` is {now} after the reactivation, expected active"
            ));
            format!("{before} -> {now} [expected active]")
        }
    };
    row.cells.push(state);
    row.cells.extend(cells);
    row
}

/// Prints rows as aligned columns, a rule under the first.
fn print_table(rows: &[Vec<String>]) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        say!("{}", padded.join("  ").trim_end());
    };
    for (i, row) in rows.iter().enumerate() {
        line(row.clone());
        if i == 0 {
            line(widths.iter().map(|w| "-".repeat(*w)).collect());
        }
    }
}
