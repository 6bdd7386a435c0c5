//! `userbridge simulate PROVIDER`: one provider's simulator served on
//! 127.0.0.1 until interrupted, for scripts and rehearsals without an account
//! (`userbridge::mock::standalone`, as the SDK's `simulator` example serves
//! it). Its first line on stdout is one JSON object: `base_url`, `token`,
//! `organization`, `admin_url`, the seeded `users`, and `token_url`,
//! `client_id` and `client_secret` where the provider has a token endpoint.
//! `admin_url` (`/_userbridge`) adds users, queues failures and reads the
//! request record while it runs (see `userbridge::mock::standalone`).

use std::io::Write as _;
use std::process::ExitCode;

use userbridge::mock::standalone::{
    default_users, read_users, SeedUser, Standalone, StandaloneError,
};

use crate::args::SimulateArgs;
use crate::exit;

pub async fn run(args: SimulateArgs) -> ExitCode {
    let provider = args.provider;
    let users: Vec<SeedUser> = match &args.users {
        None => default_users(),
        Some(path) => match read_users(path) {
            Ok(users) => users,
            Err(why) => {
                eprintln!("userbridge: {why}");
                return ExitCode::from(exit::USAGE);
            }
        },
    };
    let served = match Standalone::start(provider, &users, args.port).await {
        Ok(served) => served,
        Err(StandaloneError::Seed(why)) => {
            eprintln!("userbridge: --users: {why}");
            return ExitCode::from(exit::USAGE);
        }
        Err(e) => {
            let port = args
                .port
                .map(|p| format!(" (--port {p})"))
                .unwrap_or_default();
            eprintln!("userbridge: the {provider} simulator{port}: {e}");
            return ExitCode::from(exit::FAILED);
        }
    };
    {
        let mut out = std::io::stdout().lock();
        if writeln!(out, "{}", served.announcement())
            .and_then(|()| out.flush())
            .is_err()
        {
            return ExitCode::from(exit::FAILED);
        }
    }
    eprintln!(
        "userbridge: the {provider} simulator serves {} (Ctrl-C to stop)",
        served.base_url()
    );
    userbridge::mock::standalone::until_interrupted().await;
    ExitCode::SUCCESS
}
