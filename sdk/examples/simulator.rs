//! `simulator`: run one provider's embedded simulator outside a Rust test, so
//! that any client (curl, Python, a conformance tool) can talk to it.
//!
//! ```sh
//! cargo run -p userbridge --features mock --example simulator -- flashback
//! # {"provider":"flashback","base_url":"http://127.0.0.1:40123","token":"...",
//! #  "organization":"...","users":{"usr_active1":"active","usr_deactivated1":"deleted"}}
//! ```
//!
//! It prints one JSON line on stdout (the provider's machine name, the base URL
//! to use, the accepted bearer token, the default organization, `admin_url`,
//! the seeded users with their state words, and, for
//! providers with an OAuth 2.0 token endpoint, `token_url`, `client_id` and
//! `client_secret` of the client registered from the start), then serves on
//! 127.0.0.1 until it is interrupted (Ctrl-C) or terminated (SIGTERM).
//!
//! Seed users with `--users FILE` (a JSON array of `{"id", "state", "login"?,
//! "email"?}`) and `--user ID=STATE` (repeatable), where STATE is `active`,
//! `deactivated` or any state word of
//! `userbridge::mock::standalone::state_words` (Okta's `suspended`, Keycloak's
//! `disabled+locked-out`, ...); without any, `usr_deactivated1` (deactivated)
//! and `usr_active1` (active) are seeded. `--port N` serves on that port.
//! While it runs, `admin_url` (`/_userbridge` on the same port) adds users,
//! queues failures and reads or clears the request record: see
//! `userbridge::mock::standalone`. `userbridge simulate` (the `cli/` crate)
//! serves the same simulator (`userbridge::mock::standalone`).
//!
//! Exit status: 0 when stopped by a signal, 2 for bad arguments, 1 when the
//! simulator cannot start.

use std::process::ExitCode;

use clap::{Arg, ArgAction, Command};
use userbridge::mock::standalone::{
    default_users, read_users, SeedUser, Standalone, StandaloneError,
};
use userbridge::Provider;

fn command() -> Command {
    let providers = Provider::ALL.map(Provider::as_str).join(", ");
    Command::new("simulator")
        .about("Serve one provider's simulator on 127.0.0.1 until interrupted.")
        .arg(
            Arg::new("provider")
                .required(true)
                .value_name("PROVIDER")
                .help(format!("the provider: {providers}"))
                .value_parser(|s: &str| s.parse::<Provider>().map_err(|e| e.to_string())),
        )
        .arg(
            Arg::new("users")
                .long("users")
                .value_name("FILE")
                .value_parser(clap::value_parser!(std::path::PathBuf))
                .help(
                    "seed the users of a JSON array of {\"id\", \"state\", \"login\"?,                      \"email\"?} (states: `active`, `deactivated` or a state word of the                      provider's simulator, joined with `+` where they hold together)",
                ),
        )
        .arg(
            Arg::new("port")
                .long("port")
                .value_name("N")
                .value_parser(clap::value_parser!(u16))
                .help("serve on this port of 127.0.0.1 (0 or absent: any free port)"),
        )
        .arg(
            Arg::new("user")
                .long("user")
                .value_name("ID=STATE")
                .action(ArgAction::Append)
                .value_parser(parse_user)
                .help(
                    "seed a user: STATE is `active`, `deactivated` or a state word of the \
                     provider's simulator (repeatable)",
                ),
        )
}

fn parse_user(s: &str) -> Result<SeedUser, String> {
    let (id, state) = s
        .rsplit_once('=')
        .ok_or_else(|| format!("`{s}`: expected ID=active or ID=deactivated"))?;
    if id.is_empty() {
        return Err(format!("`{s}`: the id is empty"));
    }
    Ok(SeedUser::new(id, state))
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
                ExitCode::SUCCESS
            };
        }
    };
    let Some(provider) = matches.get_one::<Provider>("provider").copied() else {
        return ExitCode::from(2);
    };
    let mut users: Vec<SeedUser> = matches
        .get_many::<SeedUser>("user")
        .map(|u| u.cloned().collect())
        .unwrap_or_default();
    if let Some(path) = matches.get_one::<std::path::PathBuf>("users") {
        match read_users(path) {
            Ok(from_file) => users.extend(from_file),
            Err(why) => {
                eprintln!("simulator: {why}");
                return ExitCode::from(2);
            }
        }
    }
    if users.is_empty() {
        users = default_users();
    }
    let port = matches.get_one::<u16>("port").copied();
    let served = match Standalone::start(provider, &users, port).await {
        Ok(served) => served,
        Err(StandaloneError::Seed(why)) => {
            eprintln!("simulator: {why}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("simulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let line = served.announcement();
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
            return ExitCode::FAILURE;
        }
    }
    userbridge::mock::standalone::until_interrupted().await;
    ExitCode::SUCCESS
}
