//! `userbridge`: the command line of the userbridge SDK.
//!
//! ```sh
//! export USERBRIDGE_TOKEN=...            # secrets: the environment or a file, never a flag
//! userbridge reactivate --provider okta --base-url https://acme.okta.com \
//!     --input export.csv --column user_id --dry-run
//! userbridge reactivate --provider okta --base-url https://acme.okta.com \
//!     --input export.csv --column user_id --failures rerun.csv
//! userbridge simulate okta --users seed.json       # a simulator to rehearse on
//! ```
//!
//! Exit status: 0 every user done, 1 some failed, 2 usage or configuration
//! error (nothing was sent), 3 the run stopped before the end.
#![forbid(unsafe_code)]

mod args;
mod client;
mod input;
mod outcome;
mod reactivate;
#[cfg(feature = "simulate")]
mod simulate;
mod translate;

use std::process::ExitCode;

use clap::Parser as _;

/// The exit statuses.
mod exit {
    /// Every user done (reactivated, already active; a dry run: all would be).
    pub const DONE: u8 = 0;
    /// Some users failed (or would fail).
    pub const FAILED: u8 = 1;
    /// A usage or configuration error: nothing was sent.
    pub const USAGE: u8 = 2;
    /// The run stopped before the end: a failure no user could get past
    /// (a refused token, a wrong realm), or Ctrl-C.
    pub const STOPPED: u8 = 3;
}

/// A usage or configuration error, in the command line's words: printed as
/// `userbridge: ...`, exit status 2.
#[derive(Debug)]
pub struct Usage(pub String);

/// `println!` that does not panic when stdout is closed (`userbridge ... | head`).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
pub(crate) use say;

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(exit::USAGE)
            } else {
                ExitCode::SUCCESS // --help, --version
            };
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("userbridge: cannot start: {e}");
            return ExitCode::from(exit::FAILED);
        }
    };
    match cli.command {
        args::Command::Reactivate(args) => runtime.block_on(reactivate::run(args)),
        #[cfg(feature = "simulate")]
        args::Command::Simulate(args) => runtime.block_on(simulate::run(args)),
    }
}
