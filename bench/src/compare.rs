//! `userbridge-bench` (the default mode): warm-up, then interleaved rounds of
//! every case, raw and SDK alternating, and a table of medians and ratios
//! against the targets of issue 14 (and, for the cached token against a static
//! one, SDK against SDK: within noise).

use std::time::{Duration, Instant};

use crate::cases::{self, Case, Clients, Side, BULK_CONCURRENCY, CONCURRENCY};
use crate::cpu;
use crate::server::Backend;

/// Calls per case and round.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    pub sequential: usize,
    pub concurrent: usize,
    pub blocking: usize,
    pub bulk: usize,
    /// Cached token against static token, sequential.
    pub token: usize,
}

impl Sizes {
    /// Rounds short enough that raw and sdk run close in time (a round's
    /// ratio compares the two), and many of them (see `Options::default`);
    /// bulk runs the 10,000 ids every round.
    pub const FULL: Sizes = Sizes {
        sequential: 1_000,
        concurrent: 2_500,
        blocking: 1_000,
        bulk: 10_000,
        token: 1_000,
    };
    pub const QUICK: Sizes = Sizes {
        sequential: 100,
        concurrent: 500,
        blocking: 100,
        bulk: 500,
        token: 100,
    };

    pub fn of(&self, case: Case) -> usize {
        match case {
            Case::Sequential => self.sequential,
            Case::Concurrent => self.concurrent,
            Case::Blocking => self.blocking,
            Case::Bulk => self.bulk,
            Case::Token => self.token,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Options {
    pub rounds: usize,
    pub sizes: Sizes,
    /// Calls per implementation and case in the warm-up (capped by the size).
    pub warmup: usize,
    pub client_threads: usize,
    pub cases: Vec<Case>,
    /// The server in a child process instead of a thread of this one.
    pub server_process: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            // On a shared 2-core VM one round's ratio ranges from about 0.3 to
            // 3.9: with 40 rounds the 95% interval of their median is about
            // +-3% for the sequential, concurrent and bulk cases (the blocking
            // one stays about +-25%); about 40 s in all.
            rounds: 40,
            sizes: Sizes::FULL,
            warmup: 1_000,
            client_threads: 1,
            cases: Case::ALL.to_vec(),
            server_process: false,
        }
    }
}

impl Options {
    pub fn quick() -> Options {
        Options {
            rounds: 1,
            sizes: Sizes::QUICK,
            warmup: 50,
            ..Options::default()
        }
    }
}

/// One timed run.
#[derive(Clone, Copy, Debug)]
struct Sample {
    wall: Duration,
    /// CPU time of the client side (every thread but the server's).
    cpu_ns: Option<u64>,
}

/// The target of one case's ratio sdk/raw (token/static for [`Case::Token`]).
struct Target {
    what: &'static str,
    /// Time ratio (lower is better) or throughput ratio (higher is better).
    time: bool,
    bound: f64,
}

impl Target {
    fn meets(&self, ratio: f64) -> bool {
        if self.time {
            ratio <= self.bound
        } else {
            ratio >= self.bound
        }
    }

    /// PASS or MISS when the whole interval is on one side of the target;
    /// PASS? or MISS? when it straddles the target (or there is none), from
    /// the median.
    fn verdict(&self, median: f64, ci: Option<(f64, f64)>) -> &'static str {
        match ci {
            Some((a, b)) if self.meets(a) && self.meets(b) => "PASS",
            Some((a, b)) if !self.meets(a) && !self.meets(b) => "MISS",
            _ if self.meets(median) => "PASS?",
            _ => "MISS?",
        }
    }
}

fn target(case: Case) -> Target {
    match case {
        Case::Sequential => Target {
            what: "time per call",
            time: true,
            bound: 1.03,
        },
        Case::Concurrent => Target {
            what: "throughput",
            time: false,
            bound: 0.95,
        },
        Case::Blocking => Target {
            what: "time per call",
            time: true,
            bound: 1.05,
        },
        Case::Bulk => Target {
            what: "throughput",
            time: false,
            bound: 0.95,
        },
        // Within noise: the sequential case's bound.
        Case::Token => Target {
            what: "time per call",
            time: true,
            bound: 1.03,
        },
    }
}

fn title(case: Case, n: usize) -> String {
    match case {
        Case::Sequential => format!("async sequential, {n} calls"),
        Case::Concurrent => format!("async concurrency {CONCURRENCY}, {n} calls"),
        Case::Blocking => format!("blocking sequential, {n} calls"),
        Case::Bulk => format!("bulk {n} ids, concurrency {BULK_CONCURRENCY}"),
        Case::Token => format!("cached token vs static, {n} calls"),
    }
}

/// The label of a case's ratio: its title, or for [`Case::Token`] (SDK
/// against SDK) which ratio it is and its target.
fn ratio_title(case: Case, n: usize) -> String {
    match case {
        Case::Token => format!("token/static, within noise, {n} calls"),
        _ => title(case, n),
    }
}

fn describe(case: Case, side: Side) -> &'static str {
    match (case, side) {
        (Case::Sequential, Side::Raw) => "reqwest::Client, await each call",
        (Case::Sequential, Side::Sdk) => "client.users().reactivate(id).await",
        (Case::Concurrent, Side::Raw) => "reqwest calls, buffer_unordered(32)",
        (Case::Concurrent, Side::Sdk) => "reactivate(id) futures, buffer_unordered(32)",
        (Case::Blocking, Side::Raw) => "reqwest::blocking::Client",
        (Case::Blocking, Side::Sdk) => "userbridge_blocking reactivate(id)",
        (Case::Bulk, Side::Raw) => "reqwest calls, buffer_unordered(64)",
        (Case::Bulk, Side::Sdk) => "reactivate_many(ids).concurrency(64).run()",
        (Case::Token, Side::Raw) => "reactivate(id).await; .bearer_token(..)",
        (Case::Token, Side::Sdk) => "reactivate(id).await; cached .token_source",
    }
}

/// Runs the comparison and prints the table. `Err` only for a functional
/// failure (a call that did not succeed, a server that did not start).
pub fn run(opts: &Options) -> Result<(), String> {
    let server = Backend::start(opts.server_process)?;
    let base = server.base_url();
    let rt = cases::client_runtime(opts.client_threads)
        .map_err(|e| format!("the client runtime did not start: {e}"))?;
    let clients = Clients::new(&base)?;
    let largest = opts
        .cases
        .iter()
        .map(|c| opts.sizes.of(*c))
        .max()
        .unwrap_or(0);
    let ids = cases::ids(largest.max(opts.warmup));

    println!(
        "userbridge-bench: Flashback reactivation against a loopback hyper server ({base}, {})",
        match server {
            Backend::Thread(_) => "own thread",
            Backend::Process(_) => "own process",
        }
    );
    println!(
        "client: multi-thread Tokio runtime, {} worker(s); {} round(s) after a warm-up of {} \
         calls per case and side; raw and sdk alternate (order flipped every round); {} build",
        opts.client_threads,
        opts.rounds,
        opts.warmup,
        if cfg!(debug_assertions) {
            "DEBUG (figures meaningless: use --release)"
        } else {
            "release"
        }
    );
    println!(
        "machine: {}",
        cpu::machine().unwrap_or_else(|| "unknown (no /proc/cpuinfo)".into())
    );
    println!();

    let started = Instant::now();
    for &case in &opts.cases {
        let n = opts.warmup.min(opts.sizes.of(case));
        for side in [Side::Raw, Side::Sdk] {
            cases::run(&rt, &clients, &ids, case, side, n)
                .map_err(|e| format!("warm-up {} {}: {e}", case.key(), case.side_name(side)))?;
        }
    }

    // times[case][side][round]: wall time and client CPU time.
    let mut times: Vec<[Vec<Sample>; 2]> = vec![[Vec::new(), Vec::new()]; opts.cases.len()];
    let cpu = || cpu::client_cpu_ns(server.thread_id());
    for round in 0..opts.rounds {
        let order = if round % 2 == 0 {
            [Side::Raw, Side::Sdk]
        } else {
            [Side::Sdk, Side::Raw]
        };
        for (i, &case) in opts.cases.iter().enumerate() {
            let n = opts.sizes.of(case);
            for side in order {
                let cpu_before = cpu();
                let wall = cases::run(&rt, &clients, &ids, case, side, n).map_err(|e| {
                    format!(
                        "round {} {} {}: {e}",
                        round + 1,
                        case.key(),
                        case.side_name(side)
                    )
                })?;
                let cpu_ns = cpu_before
                    .zip(cpu())
                    .map(|(before, after)| after.saturating_sub(before));
                times[i][side as usize].push(Sample { wall, cpu_ns });
            }
        }
        eprintln!(
            "  round {}/{} done ({:.1} s)",
            round + 1,
            opts.rounds,
            started.elapsed().as_secs_f64()
        );
    }

    print_table(opts, &times);
    println!();
    match server.served() {
        Some(n) => println!(
            "all calls succeeded ({n} answers served); total {:.1} s",
            started.elapsed().as_secs_f64()
        ),
        None => println!(
            "all calls succeeded; total {:.1} s",
            started.elapsed().as_secs_f64()
        ),
    }
    if opts.cases.contains(&Case::Token) {
        let fetches = clients
            .token_fetches
            .load(std::sync::atomic::Ordering::Relaxed);
        println!(
            "cached token: the token source was asked {fetches} time(s) in all (once: every \
             other call took the token from the cache)"
        );
        if fetches != 1 {
            return Err(format!(
                "the token source was asked {fetches} times instead of once: the token case \
                 did not measure a warm cache"
            ));
        }
    }
    println!("CPU instructions per call (target sdk/raw <= 1.10): cargo xtask bench --callgrind");
    Ok(())
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// The distribution-free 95% confidence interval of the median of `xs`
/// (order statistics: the interval between the k-th smallest and the k-th
/// largest value, with k the largest for which fewer than k of n values fall
/// below the true median with probability at most 2.5%, from the binomial
/// distribution B(n, 1/2)); `None` for fewer than 6 values, which cannot give
/// one.
fn median_ci(xs: &[f64]) -> Option<(f64, f64)> {
    let k = ci_rank(xs.len())?;
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some((sorted[k - 1], sorted[xs.len() - k]))
}

/// The rank k (1-based) of [`median_ci`]'s lower bound among `n` values:
/// the largest k with P(X < k) <= 0.025 for X ~ B(n, 1/2); `None` when even
/// P(X < 1) = 2^-n is larger (n < 6).
fn ci_rank(n: usize) -> Option<usize> {
    // ln C(n, i) - n ln 2, summed for i = 0, 1, .. while the tail stays small.
    let ln_half_n = n as f64 * std::f64::consts::LN_2;
    let mut ln_choose = 0.0_f64;
    let mut tail = 0.0_f64;
    let mut k = 0;
    for i in 0..n {
        tail += (ln_choose - ln_half_n).exp();
        if tail > 0.025 {
            break;
        }
        k = i + 1;
        ln_choose += ((n - i) as f64).ln() - ((i + 1) as f64).ln();
    }
    (k > 0).then_some(k)
}

fn min_max(xs: &[f64]) -> (f64, f64) {
    xs.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}

fn print_table(opts: &Options, times: &[[Vec<Sample>; 2]]) {
    println!(
        "{:<38} {:<6} {:<44} {:>9} {:>11} {:>17} {:>15}",
        "case", "impl", "what", "calls/s", "wall/call", "calls/s min..max", "client CPU/call"
    );
    let mut verdicts = Vec::new();
    for (i, &case) in opts.cases.iter().enumerate() {
        let n = opts.sizes.of(case) as f64;
        let mut rate_medians = [0.0; 2];
        let mut rate_best = [0.0; 2];
        for side in [Side::Raw, Side::Sdk] {
            let samples = &times[i][side as usize];
            let rates: Vec<f64> = samples.iter().map(|s| n / s.wall.as_secs_f64()).collect();
            let rate = median(rates.clone());
            let (lo, hi) = min_max(&rates);
            let cpu: Option<Vec<f64>> = samples
                .iter()
                .map(|s| s.cpu_ns.map(|ns| ns as f64 / 1e3 / n))
                .collect();
            let cpu = cpu.map(median);
            rate_medians[side as usize] = rate;
            rate_best[side as usize] = hi;
            let label = if side == Side::Raw {
                title(case, opts.sizes.of(case))
            } else {
                String::new()
            };
            println!(
                "{:<38} {:<6} {:<44} {:>9.0} {:>8.1} µs {:>17} {:>15}",
                label,
                case.side_name(side),
                describe(case, side),
                rate,
                1e6 / rate,
                format!("{lo:.0}..{hi:.0}"),
                cpu.map_or_else(|| "?".to_string(), |c| format!("{c:.1} µs")),
            );
        }
        let t = target(case);
        let [raw, sdk] = rate_medians;
        // Throughput ratio, or time ratio (its inverse).
        let ratio = if t.time { raw / sdk } else { sdk / raw };
        let [raw_best, sdk_best] = rate_best;
        let best = if t.time {
            raw_best / sdk_best
        } else {
            sdk_best / raw_best
        };
        let per_round: Vec<f64> = times[i][0]
            .iter()
            .zip(&times[i][1])
            .map(|(r, s)| {
                let time_ratio = s.wall.as_secs_f64() / r.wall.as_secs_f64();
                if t.time {
                    time_ratio
                } else {
                    1.0 / time_ratio
                }
            })
            .collect();
        let (lo, hi) = min_max(&per_round);
        let paired = median(per_round.clone());
        let ci = median_ci(&per_round);
        let verdict = t.verdict(paired, ci);
        // Client CPU, paired the same way: sdk/raw within each round.
        let cpu_per_round: Option<Vec<f64>> = times[i][0]
            .iter()
            .zip(&times[i][1])
            .map(|(r, s)| match (r.cpu_ns, s.cpu_ns) {
                (Some(r), Some(s)) if r > 0 => Some(s as f64 / r as f64),
                _ => None,
            })
            .collect();
        let cpu_ratio = cpu_per_round.map(|xs| (median(xs.clone()), median_ci(&xs)));
        verdicts.push(Verdict {
            case,
            target: t,
            paired,
            ci,
            verdict,
            of_medians: ratio,
            best,
            spread: (lo, hi),
            cpu_ratio,
        });
    }
    println!();
    println!(
        "{:<38} {:<14} {:>7} {:>13} {:>9} {:>5} {:>10} {:>7} {:>13} {:>20}",
        "ratio sdk/raw",
        "of",
        "ratio",
        "95% CI",
        "target",
        "",
        "of medians",
        "best",
        "per round",
        "client CPU, 95% CI"
    );
    for v in verdicts {
        println!(
            "{:<38} {:<14} {:>7.3} {:>13} {:>9} {:>5} {:>10.3} {:>7.3} {:>13} {:>20}",
            ratio_title(v.case, opts.sizes.of(v.case)),
            v.target.what,
            v.paired,
            v.ci.map_or_else(|| "n/a".to_string(), |(a, b)| format!("{a:.3}..{b:.3}")),
            format!(
                "{} {:.2}",
                if v.target.time { "<=" } else { ">=" },
                v.target.bound
            ),
            v.verdict,
            v.of_medians,
            v.best,
            format!("{:.2}..{:.2}", v.spread.0, v.spread.1),
            match v.cpu_ratio {
                None => "?".to_string(),
                Some((r, None)) => format!("{r:.3}"),
                Some((r, Some((a, b)))) => format!("{r:.3} {a:.3}..{b:.3}"),
            },
        );
    }
    println!(
        "ratio: of wall-clock time per call or of throughput, as targeted: the median of the \
         rounds' ratios (each round runs\n  raw and sdk back to back); 95% CI: of that median \
         (distribution-free; needs 6 rounds or more); PASS or MISS:\n  the whole interval \
         meets or misses the target; PASS? or MISS?: the interval straddles it, the median \
         decides,\n  more rounds (--rounds) may settle it; of medians: the ratio of each \
         side's median round; best: of each side's\n  best round; per round: the rounds' \
         ratios, min..max; client CPU: CPU time per call of every thread but the server's,\n  \
         sdk/raw, the median of the rounds' ratios and its 95% interval"
    );
    if opts.cases.contains(&Case::Token) {
        println!(
            "cached token vs static: the SDK against itself, sequential async calls: static is \
             a client with .bearer_token(..)\n  (a default header of its HTTP client), token one \
             with .token_source(..) whose token comes from its warm cache\n  and is inserted per \
             request; its ratios (under sdk/raw) are token/static, its target within noise \
             (<= 1.03)"
        );
    }
}

struct Verdict {
    case: Case,
    target: Target,
    /// The median of the rounds' ratios.
    paired: f64,
    /// Its 95% confidence interval.
    ci: Option<(f64, f64)>,
    verdict: &'static str,
    /// The ratio of each side's median round.
    of_medians: f64,
    /// The same ratio of each side's best round.
    best: f64,
    spread: (f64, f64),
    /// Client CPU sdk/raw: the median of the rounds' ratios, and its interval.
    cpu_ratio: Option<(f64, Option<(f64, f64)>)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ranks of the textbook tables (B(n, 1/2) tails): n = 6 gives
    /// P(X < 1) = 1/64, n = 10 P(X < 2) = 11/1024, n = 15 P(X < 4) =
    /// 576/32768, n = 100 P(X < 40) = 0.0176; the next rank's tail is above
    /// 2.5% in each.
    #[test]
    fn confidence_ranks() {
        for n in 0..6 {
            assert_eq!(ci_rank(n), None, "{n}");
        }
        assert_eq!(ci_rank(6), Some(1));
        assert_eq!(ci_rank(10), Some(2));
        assert_eq!(ci_rank(15), Some(4));
        assert_eq!(ci_rank(100), Some(40));
        // The default round count, and a large one (neither overflows nor
        // underflows; both computed independently with lgamma).
        assert_eq!(ci_rank(40), Some(14));
        assert_eq!(ci_rank(10_000), Some(4_902));
    }

    #[test]
    fn only_an_interval_on_one_side_decides() {
        let time = target(Case::Sequential); // <= 1.03
        assert_eq!(time.verdict(1.01, Some((0.99, 1.02))), "PASS");
        assert_eq!(time.verdict(1.01, Some((0.99, 1.04))), "PASS?");
        assert_eq!(time.verdict(1.04, Some((1.02, 1.06))), "MISS?");
        assert_eq!(time.verdict(1.05, Some((1.04, 1.06))), "MISS");
        assert_eq!(time.verdict(1.00, None), "PASS?");
        let throughput = target(Case::Concurrent); // >= 0.95
        assert_eq!(throughput.verdict(0.97, Some((0.96, 0.99))), "PASS");
        assert_eq!(throughput.verdict(0.96, Some((0.94, 0.99))), "PASS?");
        assert_eq!(throughput.verdict(0.94, Some((0.93, 0.96))), "MISS?");
        assert_eq!(throughput.verdict(0.90, Some((0.88, 0.94))), "MISS");
        assert_eq!(throughput.verdict(0.90, None), "MISS?");
        // Cached token against static token: within noise, a time ratio.
        let token = target(Case::Token); // <= 1.03
        assert!(token.time);
        assert_eq!(token.verdict(1.01, Some((0.99, 1.02))), "PASS");
        assert_eq!(token.verdict(1.04, Some((1.035, 1.05))), "MISS");
        assert!(ratio_title(Case::Token, 1000).contains("token/static, within noise"));
    }

    #[test]
    fn the_interval_is_between_order_statistics() {
        // 1..=15 in a scrambled order.
        let xs: Vec<f64> = (0..15).map(|i| f64::from((i * 7) % 15 + 1)).collect();
        assert_eq!(median_ci(&xs), Some((4.0, 12.0)));
        assert_eq!(median(xs), 8.0);
        assert_eq!(median_ci(&[1.0, 2.0, 3.0]), None);
    }
}
