//! `userbridge-bench`: userbridge against hand-written reqwest, on a loopback
//! hyper server speaking Flashback. Run it with `cargo xtask bench` (release).
//!
//! Timings are figures to read, never assertions: the binary exits non-zero
//! only when something failed functionally (a call that did not succeed).

mod cases;
mod compare;
mod cpu;
mod ratelimit;
mod raw;
mod rss;
mod server;

use std::process::ExitCode;

use cases::{Case, Side};

const USAGE: &str = "\
usage: userbridge-bench [compare] [--quick] [--rounds N] [--warmup N] [--seq N] [--conc N]
                        [--blocking N] [--bulk N] [--token N]
                        [--cases seq,conc,blocking,bulk,token]
                        [--client-threads N] [--server-process]
       userbridge-bench calls <IMPL> <N> [--base-url URL | --server-process]
       userbridge-bench serve
       userbridge-bench ratelimit [--quick] [--users N] [--limit L] [--window-ms W]
                        [--latency-ms MS] [--rounds N]
       userbridge-bench stream-rss [--quick] [--ids N] [--concurrency N] [--base-url URL]

  compare     (default) warm-up, then interleaved rounds of every case, raw and
              sdk alternating; prints medians and the ratios sdk/raw against the
              targets, with the 95% confidence interval of each ratio; the
              token case is the SDK against itself, a cached token from a
              token_source (token) against a static bearer token (static),
              sequential, target within noise (token/static <= 1.03). Sizes
              per round: --seq 1000, --conc 2500 (concurrency 32), --blocking
              1000, --bulk 10000 (concurrency 64), --token 1000; --rounds 40;
              --quick: small sizes, 1 round (a functional smoke run);
              --server-process: the server in a child process (`serve`)
              instead of a thread of this one, so that nothing but the
              clients runs in the measured process.
  calls       N calls of one implementation, then exit (what
              `cargo xtask bench --callgrind` runs under valgrind): IMPL is
              raw or sdk (sequential), raw-conc or sdk-conc (concurrency 32),
              raw-blocking or sdk-blocking, raw-bulk or sdk-bulk (concurrency
              64), sdk-token (sequential, a cached token; its static side is
              sdk); without --base-url the server runs in this process, or
              with --server-process in a child process.
  ratelimit   bulk runs against a simulated quota of L requests per window
              W (Okta: 600 per 60 s, 300 users; Auth0: 16 per 1 s, 100
              users), through a relay adding a round trip of --latency-ms
              (40), each round started at its own offset into the window:
              userbridge with no rate (a), with rate_limit set to L/W (b),
              with request_rate L/W, and hand-written loops that retry each
              429 as the provider's official SDKs do (c): wall time /
              (requests / L x W), 429s per request, users given up on;
              medians of the rounds, sides interleaved. --users, --limit,
              --window-ms replace both providers' settings; --rounds 2
              (--quick: 20 users, L 20 per 1 s, 1 round).
  serve       the loopback server alone: prints its base URL, serves until
              standard input is closed.
  stream-rss  peak RSS (VmHWM) of reactivate_many(..).stream() over a lazy
              input: without --ids, runs 10,000 and 1,000,000 ids, each in its
              own process against a server process (--quick: 1,000 and 20,000);
              with --ids, one run here.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(why)) => {
            eprintln!("userbridge-bench: {why}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Run(why)) => {
            eprintln!("userbridge-bench: FAILED: {why}");
            ExitCode::FAILURE
        }
    }
}

enum Failure {
    Usage(String),
    Run(String),
}

/// `--flag value` pairs and `--switch`es after the mode and its positionals.
struct Flags<'a> {
    rest: &'a [String],
}

impl<'a> Flags<'a> {
    /// Every flag, checked against `known` (switches take no value).
    fn parse(
        &self,
        valued: &[&str],
        switches: &[&str],
    ) -> Result<Vec<(&'a str, Option<&'a str>)>, Failure> {
        let mut out = Vec::new();
        let mut it = self.rest.iter();
        while let Some(flag) = it.next() {
            let flag = flag.as_str();
            if switches.contains(&flag) {
                out.push((flag, None));
            } else if valued.contains(&flag) {
                let value = it
                    .next()
                    .ok_or_else(|| Failure::Usage(format!("{flag} needs a value")))?;
                out.push((flag, Some(value.as_str())));
            } else {
                return Err(Failure::Usage(format!("unknown argument `{flag}`")));
            }
        }
        Ok(out)
    }
}

fn number(flag: &str, value: Option<&str>) -> Result<usize, Failure> {
    value
        .unwrap_or_default()
        .replace('_', "")
        .parse()
        .map_err(|_| Failure::Usage(format!("{flag} needs a number")))
}

fn run(args: &[String]) -> Result<(), Failure> {
    let (mode, rest) = match args.first().map(String::as_str) {
        Some(m @ ("compare" | "calls" | "serve" | "stream-rss" | "ratelimit")) => (m, &args[1..]),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            return Ok(());
        }
        _ => ("compare", args),
    };
    match mode {
        "compare" => {
            let flags = Flags { rest }.parse(
                &[
                    "--rounds",
                    "--warmup",
                    "--seq",
                    "--conc",
                    "--blocking",
                    "--bulk",
                    "--token",
                    "--cases",
                    "--client-threads",
                ],
                &["--quick", "--server-process"],
            )?;
            let mut opts = if flags.iter().any(|(f, _)| *f == "--quick") {
                compare::Options::quick()
            } else {
                compare::Options::default()
            };
            for (flag, value) in flags {
                match flag {
                    "--quick" => {}
                    "--server-process" => opts.server_process = true,
                    "--cases" => {
                        opts.cases = value
                            .unwrap_or_default()
                            .split(',')
                            .map(|c| {
                                Case::parse(c.trim())
                                    .ok_or_else(|| Failure::Usage(format!("unknown case `{c}`")))
                            })
                            .collect::<Result<_, _>>()?;
                    }
                    _ => {
                        let n = number(flag, value)?;
                        match flag {
                            "--rounds" => opts.rounds = n.max(1),
                            "--warmup" => opts.warmup = n,
                            "--seq" => opts.sizes.sequential = n.max(1),
                            "--conc" => opts.sizes.concurrent = n.max(1),
                            "--blocking" => opts.sizes.blocking = n.max(1),
                            "--bulk" => opts.sizes.bulk = n.max(1),
                            "--token" => opts.sizes.token = n.max(1),
                            _ => opts.client_threads = n.max(1),
                        }
                    }
                }
            }
            compare::run(&opts).map_err(Failure::Run)
        }
        "calls" => {
            let [which, n, rest @ ..] = rest else {
                return Err(Failure::Usage("calls needs an implementation and N".into()));
            };
            let n = number("N", Some(n))?;
            let (case, side) = match which.as_str() {
                "raw" => (Case::Sequential, Side::Raw),
                "sdk" => (Case::Sequential, Side::Sdk),
                "raw-conc" => (Case::Concurrent, Side::Raw),
                "sdk-conc" => (Case::Concurrent, Side::Sdk),
                "raw-blocking" => (Case::Blocking, Side::Raw),
                "sdk-blocking" => (Case::Blocking, Side::Sdk),
                "raw-bulk" => (Case::Bulk, Side::Raw),
                "sdk-bulk" => (Case::Bulk, Side::Sdk),
                "sdk-token" => (Case::Token, Side::Sdk),
                other => return Err(Failure::Usage(format!("unknown implementation `{other}`"))),
            };
            let (mut base_url, mut server_process) = (None, false);
            for (flag, value) in (Flags { rest }).parse(&["--base-url"], &["--server-process"])? {
                match flag {
                    "--server-process" => server_process = true,
                    _ => base_url = value.map(str::to_string),
                }
            }
            if server_process && base_url.is_some() {
                return Err(Failure::Usage(
                    "--base-url and --server-process exclude each other: give the server's \
                     URL, or let `calls` start one"
                        .into(),
                ));
            }
            calls(case, side, n, base_url, server_process).map_err(Failure::Run)
        }
        "ratelimit" => {
            let flags = Flags { rest }.parse(
                &[
                    "--users",
                    "--limit",
                    "--window-ms",
                    "--latency-ms",
                    "--rounds",
                ],
                &["--quick"],
            )?;
            let mut opts = if flags.iter().any(|(f, _)| *f == "--quick") {
                ratelimit::Options::quick()
            } else {
                ratelimit::Options::default()
            };
            for (flag, value) in flags {
                match flag {
                    "--quick" => {}
                    "--users" => opts.users = Some(number(flag, value)?.max(1)),
                    "--limit" => {
                        opts.limit =
                            Some(u32::try_from(number(flag, value)?.max(1)).unwrap_or(u32::MAX))
                    }
                    "--window-ms" => {
                        opts.window = Some(std::time::Duration::from_millis(
                            number(flag, value)?.max(1) as u64,
                        ))
                    }
                    "--latency-ms" => {
                        opts.latency = std::time::Duration::from_millis(number(flag, value)? as u64)
                    }
                    _ => opts.rounds = number(flag, value)?.max(1),
                }
            }
            ratelimit::run(&opts).map_err(Failure::Run)
        }
        "serve" => {
            Flags { rest }.parse(&[], &[])?;
            server::serve_until_stdin_closes().map_err(|e| Failure::Run(e.to_string()))
        }
        _ => {
            let mut ids = None;
            let mut concurrency = cases::BULK_CONCURRENCY;
            let mut base_url = None;
            let mut sizes = [10_000, 1_000_000];
            for (flag, value) in
                (Flags { rest }).parse(&["--ids", "--concurrency", "--base-url"], &["--quick"])?
            {
                match flag {
                    "--quick" => sizes = [1_000, 20_000],
                    "--ids" => ids = Some(number(flag, value)?),
                    "--concurrency" => concurrency = number(flag, value)?.max(1),
                    _ => base_url = value.map(str::to_string),
                }
            }
            match ids {
                Some(n) => rss::measure(n, concurrency, base_url.as_deref()),
                None => rss::compare(&sizes, concurrency),
            }
            .map_err(Failure::Run)
        }
    }
}

/// `calls`: `n` calls of one implementation in one case, nothing else,
/// against `base_url`, or else a server of its own: a thread, or
/// with `server_process` a child process (under valgrind, the child runs
/// natively and is not counted).
fn calls(
    case: Case,
    side: Side,
    n: usize,
    base_url: Option<String>,
    server_process: bool,
) -> Result<(), String> {
    let local;
    let base = match base_url {
        Some(b) => b,
        None => {
            local = server::Backend::start(server_process)?;
            local.base_url()
        }
    };
    let rt = cases::client_runtime(1).map_err(|e| e.to_string())?;
    let clients = cases::Clients::new(&base)?;
    let ids = cases::ids(n);
    let took = cases::run(&rt, &clients, &ids, case, side, n)?;
    eprintln!(
        "{n} calls ({} {}) in {:.3} s",
        case.key(),
        case.side_name(side),
        took.as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A functional smoke run of every case at tiny sizes: every call must
    /// succeed. Nothing about time is asserted.
    #[test]
    fn every_case_succeeds() {
        let opts = compare::Options {
            rounds: 1,
            sizes: compare::Sizes {
                sequential: 20,
                concurrent: 100,
                blocking: 20,
                bulk: 100,
                token: 20,
            },
            warmup: 5,
            client_threads: 1,
            cases: Case::ALL.to_vec(),
            server_process: false,
        };
        compare::run(&opts).expect("every call succeeds");
    }

    #[test]
    fn calls_takes_a_server_url_or_starts_a_server_not_both() {
        let args: Vec<String> = [
            "calls",
            "sdk",
            "1",
            "--base-url",
            "http://127.0.0.1:9",
            "--server-process",
        ]
        .map(String::from)
        .to_vec();
        match run(&args) {
            Err(Failure::Usage(why)) => assert!(
                why.contains("--base-url and --server-process exclude each other"),
                "{why}"
            ),
            Err(Failure::Run(why)) => panic!("ran instead of refusing: {why}"),
            Ok(()) => panic!("ran instead of refusing"),
        }
    }

    /// The token case: selectable by its key, its sides named for what they
    /// are (both are the SDK).
    #[test]
    fn the_token_case_names_its_sides() {
        assert_eq!(Case::parse("token"), Some(Case::Token));
        assert!(Case::ALL.contains(&Case::Token));
        assert_eq!(Case::Token.side_name(Side::Raw), "static");
        assert_eq!(Case::Token.side_name(Side::Sdk), "token");
        assert_eq!(Case::Sequential.side_name(Side::Raw), "raw");
        assert_eq!(Case::Bulk.side_name(Side::Sdk), "sdk");
    }

    /// The ratelimit mode at a tiny size: every reactivation succeeds, on
    /// every side. Nothing about time is asserted.
    #[test]
    fn the_ratelimit_mode_succeeds() {
        let opts = ratelimit::Options {
            users: Some(4),
            limit: Some(10),
            window: Some(std::time::Duration::from_secs(1)),
            rounds: 1,
            ..ratelimit::Options::default()
        };
        ratelimit::run(&opts).expect("every reactivation succeeds");
    }

    #[test]
    fn status_fields_are_read() {
        assert!(rss::status_kb("VmHWM").is_some_and(|kb| kb > 0));
    }
}
