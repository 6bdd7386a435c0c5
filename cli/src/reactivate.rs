//! `userbridge reactivate`: the ids read and checked, the client built, then
//! one bulk run (or a dry run) whose results are printed in input order as
//! they come, a summary, and the file of ids to rerun.

use std::collections::{BTreeMap, HashSet};
use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::time::Duration;

use futures_util::StreamExt as _;
use userbridge::{BulkItem, BulkReport, Client, Error, ErrorKind, Provider, ReactivateRequest};

use crate::args::ReactivateArgs;
use crate::client::{self, said};
use crate::input::{shell_word, Failures, Input};
use crate::outcome::{Line, Outcome, Rules};
use crate::{exit, say, Usage};

/// What the run does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Reactivates.
    Run,
    /// Dry run: each user read, nothing written.
    DryRead,
    /// Dry run of a provider that cannot read users: ids and configuration
    /// checked, nothing sent.
    DryCheck,
}

pub async fn run(args: ReactivateArgs) -> ExitCode {
    match reactivate(args).await {
        Ok(code) => ExitCode::from(code),
        Err(Usage(why)) => {
            eprintln!("userbridge: {why}");
            ExitCode::from(exit::USAGE)
        }
    }
}

async fn reactivate(args: ReactivateArgs) -> Result<u8, Usage> {
    let provider = args.provider;
    let input = match &args.input {
        Some(path) => Input::read(
            path,
            args.format,
            args.column.as_deref(),
            args.delimiter.unwrap_or(b','),
        )?,
        None if args.format.is_some() || args.column.is_some() || args.delimiter.is_some() => {
            return Err(Usage(
                "--format, --column and --delimiter describe the file of --input".into(),
            ))
        }
        None if args.ids.is_empty() => {
            return Err(Usage(
                "no user ids: give them as arguments, or --input FILE (`-` for stdin)".into(),
            ))
        }
        None => Input::arguments(args.ids.clone()),
    };
    if input.ids.is_empty() {
        return Err(Usage(format!("no user ids in {}", input.name)));
    }
    let client = client::build(provider, &args.client)?;
    let failures = args
        .failures
        .as_deref()
        .map(Failures::prepare)
        .transpose()?;
    let mode = match (args.dry_run, provider.reads_users()) {
        (false, _) => Mode::Run,
        (true, true) => Mode::DryRead,
        (true, false) => Mode::DryCheck,
    };
    let rules = Rules {
        require_deactivated: args.require_deactivated,
        unread_refusal: match mode {
            Mode::DryCheck => match unread_refusal(&client).await {
                Ok(refusal) => Some(refusal),
                Err(why) => {
                    if let Some(f) = failures {
                        f.abandon();
                    }
                    return Err(why);
                }
            },
            _ => None,
        },
    };
    let allow = !args.require_deactivated;
    let dry = mode != Mode::Run;
    let repeated = repeated(&input.ids);
    if repeated > 0 {
        eprintln!(
            "userbridge: {repeated} id(s) appear more than once in {}{}",
            input.name,
            if dry {
                ""
            } else {
                "; each is sent every time (a later one finds the user active already)"
            }
        );
    }

    let requests: Vec<ReactivateRequest> = input
        .ids
        .iter()
        .map(|id| {
            let mut request = ReactivateRequest::new(id.as_str());
            if allow {
                request = request.allow_already_active();
            }
            if dry {
                request = request.dry_run();
            }
            request
        })
        .collect();
    let total = requests.len();
    let bar = std::io::stderr().is_terminal().then(|| progress_bar(total));
    let mut many = client
        .users()
        .reactivate_many(requests)
        .concurrency(args.concurrency);
    if let Some(rate) = args.rate {
        many = many.rate_limit(rate);
    }
    if let Some(rate) = args.request_rate {
        many = many.request_rate(rate);
    }
    if let Some(bar) = bar.clone() {
        many = many.on_progress(move |p| {
            bar.set_position(p.done() as u64);
            if p.failed() > 0 {
                bar.set_message(format!("{} failed", p.failed()));
            }
        });
    }

    // The results in input order as they come: each finished item waits in
    // `early` until those before it are printed.
    let print = |line: &Line| {
        let text = if args.json { line.json() } else { line.text() };
        match &bar {
            Some(bar) => bar.suspend(|| say!("{text}")),
            None => say!("{text}"),
        }
    };
    let mut items: Vec<BulkItem> = Vec::with_capacity(total);
    let mut lines: Vec<Line> = Vec::with_capacity(total);
    let mut early: BTreeMap<usize, BulkItem> = BTreeMap::new();
    let mut interrupted = false;
    {
        let mut stream = std::pin::pin!(many.stream());
        let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
        loop {
            tokio::select! {
                next = stream.next() => match next {
                    Some(item) => {
                        early.insert(item.index(), item);
                        while let Some(item) = early.remove(&items.len()) {
                            let line = Line::of(&item, &rules);
                            print(&line);
                            lines.push(line);
                            items.push(item);
                        }
                    }
                    None => break,
                },
                _ = &mut ctrl_c => {
                    interrupted = true;
                    break;
                }
            }
        }
    }
    if interrupted {
        // Dropping the stream cancelled the calls in flight: what finished is
        // printed, the rest is interrupted (in flight) or not attempted.
        for index in items.len()..total {
            let line = match early.remove(&index) {
                Some(item) => Line::of(&item, &rules),
                None => Line::interrupted(index, input.ids.get(index).map_or("", String::as_str)),
            };
            print(&line);
            lines.push(line);
        }
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let report: BulkReport = items.into_iter().collect();
    // The failure no user can get past: what stopped the run, or, when every
    // user was sent before it came back (a small input), what would have.
    let stopped = report.stopped().or_else(|| {
        report.items().iter().find_map(|item| {
            item.result().as_ref().err().filter(|e| {
                matches!(
                    e.kind(),
                    ErrorKind::Unauthenticated | ErrorKind::Misconfigured
                )
            })
        })
    });

    let rerun: Vec<usize> = lines
        .iter()
        .filter(|l| !l.outcome.is_done())
        .map(|l| l.index)
        .collect();
    summary(provider, &lines, mode, stopped, interrupted);
    if let Some(failures) = failures {
        let path = failures.path().to_path_buf();
        match failures.finish(&input, &rerun) {
            Ok(()) if rerun.is_empty() => eprintln!(
                "userbridge: nothing to rerun: {} holds no id{}",
                path.display(),
                if input.rerun_options().contains("csv") {
                    " (the header only)"
                } else {
                    ""
                }
            ),
            Ok(()) => eprintln!(
                "userbridge: {} id(s) to rerun written to {}: userbridge reactivate --provider \
                 {} --input {}{}",
                rerun.len(),
                path.display(),
                provider.as_str(),
                shell_word(&path.to_string_lossy()),
                input.rerun_options()
            ),
            Err(e) => {
                eprintln!(
                    "userbridge: --failures {}: cannot write it: {e}",
                    path.display()
                );
                return Ok(exit::USAGE);
            }
        }
    } else if !rerun.is_empty() && !dry {
        eprintln!("userbridge: --failures FILE writes the ids to rerun");
    }
    Ok(if interrupted || stopped.is_some() {
        exit::STOPPED
    } else if !rerun.is_empty() {
        exit::FAILED
    } else {
        exit::DONE
    })
}

/// The SDK's refusal of a dry run for a provider that cannot read users,
/// for a valid id: nothing is sent. Any other answer means the SDK does not
/// refuse, and the dry run stops before any id of the input is used.
async fn unread_refusal(client: &Client) -> Result<String, Usage> {
    let probe = ReactivateRequest::new("userbridge-dry-run-probe").dry_run();
    match client.users().reactivate(probe).await {
        Err(Error::InvalidRequest { reason, .. }) => Ok(reason),
        _ => Err(Usage(format!(
            "{}: this build of userbridge does not refuse a dry run it cannot read; no dry run \
             is made",
            client.provider()
        ))),
    }
}

/// How many ids repeat an earlier one.
fn repeated(ids: &[String]) -> usize {
    let mut seen = HashSet::with_capacity(ids.len());
    ids.iter().filter(|id| !seen.insert(id.as_str())).count()
}

fn progress_bar(total: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} {pos}/{len} users [{elapsed_precise}] {wide_bar} {per_sec} {msg}",
    ) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// The counts, what needs a person, why the run stopped, on stderr.
fn summary(
    provider: Provider,
    lines: &[Line],
    mode: Mode,
    stopped: Option<&Error>,
    interrupted: bool,
) {
    let count = |o: Outcome| lines.iter().filter(|l| l.outcome == o).count();
    let mut parts = Vec::new();
    for (outcome, words) in [
        (Outcome::Reactivated, "reactivated"),
        (Outcome::WouldReactivate, "would be reactivated"),
        (Outcome::Checked, "valid"),
        (Outcome::AlreadyActive, "already active"),
        (
            Outcome::Failed,
            if mode == Mode::Run {
                "failed"
            } else {
                "would fail"
            },
        ),
        (Outcome::NotAttempted, "not attempted"),
        (Outcome::Interrupted, "interrupted"),
    ] {
        let n = count(outcome);
        if n > 0 {
            parts.push(format!("{n} {words}"));
        }
    }
    let dry = if mode == Mode::Run { "" } else { "dry run, " };
    eprintln!(
        "userbridge: {dry}{} user(s) on {provider}: {}",
        lines.len(),
        parts.join(", ")
    );
    let waiting = lines.iter().filter(|l| l.needs_person).count();
    if waiting > 0 {
        eprintln!(
            "userbridge: {waiting} reactivated user(s) must set a password before signing in \
             (Okta PROVISIONED; listed above)"
        );
    }
    match mode {
        Mode::Run => {}
        Mode::DryRead => eprintln!("userbridge: dry run: each user was read; nothing was changed"),
        Mode::DryCheck => eprintln!(
            "userbridge: dry run: {provider} cannot read a user without changing it, so only \
             the ids and the configuration were checked; nothing was sent"
        ),
    }
    if let Some(cause) = stopped {
        let not_attempted = count(Outcome::NotAttempted);
        if not_attempted > 0 {
            eprintln!(
                "userbridge: the run stopped: no user can get past this failure: {}; \
                 {not_attempted} user(s) were not attempted: fix the cause, then rerun the \
                 failures",
                said(cause)
            );
        } else {
            eprintln!(
                "userbridge: no user can get past this failure: {}; fix the cause, then rerun \
                 the failures",
                said(cause)
            );
        }
    }
    if interrupted {
        eprintln!(
            "userbridge: interrupted: {} user(s) not finished (those in flight may have been \
             reactivated); rerunning them is safe",
            count(Outcome::Interrupted) + count(Outcome::NotAttempted)
        );
    }
}
