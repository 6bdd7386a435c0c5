//! `reactivate`: reactivate users from the command line, one or many at once,
//! or watch the SDK work against the embedded simulators of every provider (the
//! README's main command).
//!
//! ```sh
//! # demo: no account, no network
//! cargo run -p userbridge --example reactivate --features mock
//!
//! # for real: ids as arguments, or one per line from a file or stdin
//! export ZITADEL_TOKEN=...
//! cargo run -p userbridge --example reactivate --features mock -- \
//!     --provider zitadel-v2 --base-url https://example.zitadel.cloud \
//!     --token-env ZITADEL_TOKEN 69629023906488334 69629023906488335
//! cargo run -p userbridge --example reactivate --features mock -- \
//!     --provider zitadel-v2 --base-url https://example.zitadel.cloud \
//!     --token-env ZITADEL_TOKEN --input ids.txt --concurrency 16 --rate 50
//! ```
//!
//! Exit status: 0 when everything went as expected, 1 when a reactivation failed
//! (or, in the demo, an outcome was not the expected one), 2 for bad arguments
//! or unreadable input.

use std::io::{BufRead as _, IsTerminal as _};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};
use futures_util::StreamExt as _;
use userbridge::mock::{Simulator, UserState};
use userbridge::{
    BulkItem, Client, ClientBuilder, ErrorKind, Provider, ReactivateRequest, Reactivated,
    DEFAULT_BULK_CONCURRENCY,
};

/// `println!` that does not panic when stdout is closed (`reactivate | head`).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

fn command() -> Command {
    let providers = Provider::ALL.map(Provider::as_str).join(", ");
    Command::new("reactivate")
        .about(
            "Reactivate users on an identity provider. Without arguments: a demo against \
             simulators of every provider (no account, no network).",
        )
        .override_usage(
            "reactivate                      (the demo)\n       \
             reactivate --provider P --token-env VAR [OPTIONS] [USER_ID]...\n       \
             reactivate --provider P --client-id ID (--client-secret-env VAR | --private-key FILE) \
             [OPTIONS] [USER_ID]...",
        )
        .after_help(
            "exit status: 0 all reactivated, 1 some failed, 2 bad arguments or unreadable input",
        )
        .arg(
            Arg::new("provider")
                .long("provider")
                .value_name("P")
                .help(format!("the provider: {providers}"))
                .value_parser(|s: &str| s.parse::<Provider>().map_err(|e| e.to_string())),
        )
        .arg(
            Arg::new("base-url")
                .long("base-url")
                .value_name("URL")
                .help(
                    "the provider's API root (e.g. https://my.example.com/api; required where \
                     the provider has no public host)",
                ),
        )
        .arg(
            Arg::new("token-env")
                .long("token-env")
                .value_name("VAR")
                .help("the environment variable holding the bearer token")
                .requires("provider"),
        )
        .arg(
            Arg::new("client-id")
                .long("client-id")
                .value_name("ID")
                .env("USERBRIDGE_CLIENT_ID")
                .help(
                    "OAuth 2.0 client credentials: the client's id; the client fetches and \
                     renews its own tokens (with --client-secret-env or --private-key; \
                     --token-env, when given, wins)",
                ),
        )
        .arg(
            Arg::new("client-secret-env")
                .long("client-secret-env")
                .value_name("VAR")
                .default_value("USERBRIDGE_CLIENT_SECRET")
                .help("the environment variable holding the client secret"),
        )
        .arg(
            Arg::new("private-key")
                .long("private-key")
                .value_name("FILE")
                .env("USERBRIDGE_PRIVATE_KEY_FILE")
                .help(
                    "authenticate the client by a private key JWT signed with this RSA key \
                     (PEM file; Okta service apps) instead of a secret",
                ),
        )
        .arg(
            Arg::new("key-id")
                .long("key-id")
                .value_name("KID")
                .env("USERBRIDGE_KEY_ID")
                .help("the key id (`kid`) of --private-key, as registered with the provider"),
        )
        .arg(
            Arg::new("token-url")
                .long("token-url")
                .value_name("URL")
                .env("USERBRIDGE_TOKEN_URL")
                .help("the token endpoint, instead of the provider's own"),
        )
        .arg(
            Arg::new("scope")
                .long("scope")
                .value_name("SCOPE")
                .action(ArgAction::Append)
                .help("a scope to ask for, instead of the provider's defaults (repeatable)"),
        )
        .arg(
            Arg::new("tenant")
                .long("tenant")
                .value_name("TENANT")
                .env("USERBRIDGE_TENANT")
                .help("the Microsoft Entra ID directory (tenant) id or domain"),
        )
        .arg(
            Arg::new("organization")
                .long("organization")
                .value_name("ORG")
                .help(
                    "the organization (Aitronos: required; Keycloak: the realm, required; \
                     Zitadel v1: x-zitadel-orgid)",
                ),
        )
        .arg(
            Arg::new("input")
                .long("input")
                .short('i')
                .value_name("FILE")
                .help("read user ids from FILE, one per line (`-`: stdin; blank lines and # comments skipped)"),
        )
        .arg(
            Arg::new("concurrency")
                .long("concurrency")
                .short('c')
                .value_name("N")
                .value_parser(value_parser!(u32).range(1..=1024))
                .help(format!("calls in flight at most (default {DEFAULT_BULK_CONCURRENCY})")),
        )
        .arg(
            Arg::new("rate")
                .long("rate")
                .value_name("N")
                .value_parser(value_parser!(u32).range(1..))
                .help("at most N calls start in any one-second window"),
        )
        .arg(
            Arg::new("api-token")
                .long("api-token")
                .action(ArgAction::SetTrue)
                .help("send the token with the provider's API-token scheme (Okta: SSWS) instead of Bearer"),
        )
        .arg(
            Arg::new("allow-already-active")
                .long("allow-already-active")
                .action(ArgAction::SetTrue)
                .help("count users that are already active as done (idempotent reruns)"),
        )
        .arg(
            Arg::new("json")
                .long("json")
                .action(ArgAction::SetTrue)
                .help(
                    "one JSON object per user (the SDK's serde form of the result or the error, \
                     with its input `index`), in completion order",
                ),
        )
        .arg(
            Arg::new("users")
                .value_name("USER_ID")
                .num_args(0..)
                .help("the users to reactivate"),
        )
}

#[tokio::main]
async fn main() -> ExitCode {
    let matches = match command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS // --help, --version
            };
        }
    };
    if matches.get_one::<Provider>("provider").is_none() {
        if matches.contains_id("users") || matches.contains_id("input") {
            eprintln!(
                "reactivate: `--provider` and credentials (`--token-env VAR`, or `--client-id` \
                 with `--client-secret-env VAR` or `--private-key FILE`) are required to \
                 reactivate users"
            );
            return ExitCode::from(2);
        }
        return demo().await;
    }
    run(&matches).await
}

/// The credentials of the command line: a bearer token from `--token-env`, or
/// client credentials (`--client-id` with a secret from `--client-secret-env`
/// or a key from `--private-key`). Secrets come from the environment or a
/// file only, never from an argument.
fn credentials(builder: ClientBuilder, args: &ArgMatches) -> Result<ClientBuilder, String> {
    let from_env = |var: &str, what: &str| match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(format!(
            "the environment variable `{var}` is not set or empty; export the {what} in it"
        )),
    };
    if let Some(token_env) = args.get_one::<String>("token-env") {
        let token = from_env(token_env, "bearer token")?;
        return Ok(if args.get_flag("api-token") {
            builder.api_token(token)
        } else {
            builder.bearer_token(token)
        });
    }
    let Some(client_id) = args.get_one::<String>("client-id") else {
        return Err(
            "credentials are required: `--token-env VAR`, or `--client-id ID` with \
             `--client-secret-env VAR` or `--private-key FILE`"
                .into(),
        );
    };
    let mut builder = match args.get_one::<String>("private-key") {
        Some(file) => {
            let pem =
                std::fs::read_to_string(file).map_err(|e| format!("--private-key {file}: {e}"))?;
            let key_id = args.get_one::<String>("key-id").cloned();
            builder.private_key_jwt(client_id, pem, key_id)
        }
        None => {
            let var = args
                .get_one::<String>("client-secret-env")
                .map_or("USERBRIDGE_CLIENT_SECRET", String::as_str);
            builder.client_credentials(client_id, from_env(var, "client secret")?)
        }
    };
    if let Some(url) = args.get_one::<String>("token-url") {
        builder = builder.token_url(url);
    }
    if let Some(scopes) = args.get_many::<String>("scope") {
        builder = builder.scopes(scopes.cloned());
    }
    if let Some(tenant) = args.get_one::<String>("tenant") {
        builder = builder.tenant(tenant);
    }
    Ok(builder)
}

// ---------------------------------------------------------------- real runs

async fn run(args: &ArgMatches) -> ExitCode {
    let Some(provider) = args.get_one::<Provider>("provider").copied() else {
        return ExitCode::from(2);
    };
    let json = args.get_flag("json");
    let builder = match credentials(Client::builder(provider), args) {
        Ok(builder) => builder,
        Err(why) => {
            eprintln!("reactivate: {why}");
            return ExitCode::from(2);
        }
    };
    let mut builder = builder;
    if let Some(url) = args.get_one::<String>("base-url") {
        builder = builder.base_url(url);
    }
    if let Some(org) = args.get_one::<String>("organization") {
        builder = builder.organization(org);
    }
    let client = match builder.build() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("reactivate: {e}");
            return ExitCode::from(2);
        }
    };

    let listed: Vec<String> = args
        .get_many::<String>("users")
        .map(|ids| ids.cloned().collect())
        .unwrap_or_default();
    let input_error = Arc::new(Mutex::new(None::<String>));
    let ids: Box<dyn Iterator<Item = String> + Send> = match args.get_one::<String>("input") {
        None if listed.is_empty() => {
            eprintln!("reactivate: no user id given (as arguments, or --input FILE)");
            return ExitCode::from(2);
        }
        None => Box::new(listed.into_iter()),
        Some(path) => {
            let reader: Box<dyn std::io::BufRead + Send> = if path == "-" {
                Box::new(std::io::BufReader::new(std::io::stdin()))
            } else {
                match std::fs::File::open(path) {
                    Ok(f) => Box::new(std::io::BufReader::new(f)),
                    Err(e) => {
                        eprintln!("reactivate: cannot read `{path}`: {e}");
                        return ExitCode::from(2);
                    }
                }
            };
            Box::new(
                listed
                    .into_iter()
                    .chain(lines(reader, path, input_error.clone())),
            )
        }
    };
    let allow = args.get_flag("allow-already-active");
    let requests = ids.map(move |id| {
        let req = ReactivateRequest::new(id);
        if allow {
            req.allow_already_active()
        } else {
            req
        }
    });

    let bar = (!json && std::io::stderr().is_terminal()).then(progress_bar);
    let mut many = client.users().reactivate_many(requests).concurrency(
        args.get_one::<u32>("concurrency")
            .map_or(DEFAULT_BULK_CONCURRENCY, |n| *n as usize),
    );
    if let Some(rate) = args.get_one::<u32>("rate") {
        many = many.rate_limit(*rate);
    }
    if let Some(bar) = bar.clone() {
        many = many.on_progress(move |p| {
            if let Some(total) = p.total() {
                bar.set_length(total as u64);
            }
            bar.set_position(p.done() as u64);
            bar.set_message(format!("{} failed", p.failed()));
        });
    }
    let (mut done, mut failed) = (0usize, 0usize);
    let (mut not_attempted, mut stopped) = (0usize, None::<String>);
    let mut items = std::pin::pin!(many.stream());
    while let Some(item) = items.next().await {
        done += 1;
        failed += usize::from(item.result().is_err());
        if let Err(userbridge::Error::NotAttempted { reason, .. }) = item.result() {
            not_attempted += 1;
            stopped.get_or_insert_with(|| reason.clone());
        }
        let line = if json {
            json_line(&item)
        } else {
            text_line(&item)
        };
        match &bar {
            Some(bar) => bar.suspend(|| say!("{line}")),
            None => say!("{line}"),
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(e) = input_error.lock().ok().and_then(|mut e| e.take()) {
        eprintln!("reactivate: {e}; the ids after that line were not read");
        return ExitCode::from(2);
    }
    if !json {
        eprintln!(
            "{done} user(s): {} reactivated, {failed} failed",
            done - failed
        );
    }
    if let Some(cause) = stopped {
        eprintln!(
            "reactivate: the run stopped: {cause}; {not_attempted} user(s) were not attempted \
             (listed above as `not attempted`): fix the cause and run them again"
        );
    }
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The ids of `reader`, one per trimmed line, blank lines and `#` comments
/// skipped, read as the run needs them. A read error ends the input and is
/// kept in `error`.
fn lines(
    reader: Box<dyn std::io::BufRead + Send>,
    path: &str,
    error: Arc<Mutex<Option<String>>>,
) -> impl Iterator<Item = String> + Send + 'static {
    let path = path.to_string();
    reader
        .lines()
        .enumerate()
        .map_while(move |(n, line)| match line {
            Ok(line) => Some(line),
            Err(e) => {
                if let Ok(mut slot) = error.lock() {
                    *slot = Some(format!("cannot read line {} of `{path}`: {e}", n + 1));
                }
                None
            }
        })
        .map(|line| line.trim().to_string())
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

fn progress_bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} {pos}/{len} users [{elapsed_precise}] {wide_bar} {per_sec} {msg}",
    ) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// The item's result in the SDK's serde form, with its input `index`.
fn json_line(item: &BulkItem) -> String {
    let value = match item.result() {
        Ok(done) => serde_json::to_value(done),
        Err(e) => serde_json::to_value(e),
    };
    match value {
        Ok(mut v) => {
            if let Some(obj) = v.as_object_mut() {
                obj.insert("index".into(), item.index().into());
            }
            v.to_string()
        }
        Err(e) => format!(
            r#"{{"index":{},"kind":"unprintable","reason":"{e}"}}"#,
            item.index()
        ),
    }
}

fn text_line(item: &BulkItem) -> String {
    let user = item.request().user_id();
    match item.result() {
        Ok(done) => format!("ok      {user}  {}", success_line(done)),
        // Not sent: the run stopped (its cause is said once, at the end).
        Err(userbridge::Error::NotAttempted { .. }) => format!("not attempted  {user}"),
        Err(e) => format!("failed  {user}  {e}"),
    }
}

/// One line about a success: what the provider said.
fn success_line(done: &Reactivated) -> String {
    let mut line = format!("{}: reactivated", done.provider());
    if done.already_active() {
        line.push_str(" (it was already active)");
    }
    if done.recovered() {
        line.push_str(" (an earlier attempt did it; its answer was lost)");
    }
    if let Some(user) = done.aitronos_user() {
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
