//! `cargo xtask bench [--quick] [--callgrind [--cache-sim] [--calls SHORT,LONG]] [-- ARGS]`:
//! builds `userbridge-bench` in release and runs it (the wall-clock comparison,
//! or any of its modes through `ARGS`), or counts CPU instructions per call
//! under callgrind.
//!
//! Instructions per call are the difference of two run lengths,
//! (I(long) - I(short)) / (long - short), so the process's start-up, the
//! clients' construction and the first connection cancel out. Each run starts
//! its server as a child process (`calls --server-process`), which valgrind
//! does not follow: only the client is counted.
//!
//! `--cache-sim` adds callgrind's cache and branch-prediction simulation:
//! instruction-cache, data-cache and last-level misses and mispredicted
//! branches per call, and KCachegrind's cycle estimate from them. Two sides
//! with nearly the same instruction count can differ by several per cent in
//! client CPU time through those misses; the estimate shows it
//! deterministically, where the wall-clock ratios are noisy.
//!
//! Every callgrind run also records how often each instruction ran
//! (`--dump-instr=yes`), which gives the code a call runs: the 64-byte lines of
//! machine code executed in at least half the calls. A sequential call's thread
//! sleeps while the server answers, so the call likely starts on cold caches
//! and fetches much of that code again: there, the footprint can weigh more
//! than the instruction count.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The cases counted under callgrind: `userbridge-bench calls` names of the
/// baseline and of the SDK, and whether issue 14 sets the 1.10 target on it
/// (sequential async calls only; the others are for reference).
const PAIRS: [(&str, &str, &str, bool); 4] = [
    ("async sequential", "raw", "sdk", true),
    ("async concurrency 32", "raw-conc", "sdk-conc", false),
    ("blocking sequential", "raw-blocking", "sdk-blocking", false),
    ("bulk, concurrency 64", "raw-bulk", "sdk-bulk", false),
];

/// Issue 14's target for instructions per call, sdk / raw.
const INSTRUCTIONS_TARGET: f64 = 1.10;

#[derive(Debug, PartialEq)]
pub struct Options {
    pub quick: bool,
    pub callgrind: bool,
    /// Callgrind's cache and branch simulation as well (implies `callgrind`).
    pub cache_sim: bool,
    /// The two run lengths of the callgrind mode.
    pub calls: (u64, u64),
    /// Passed on to `userbridge-bench`.
    pub extra: Vec<String>,
}

/// Parses the arguments after `bench`.
pub fn parse(args: &[String]) -> Result<Options, String> {
    let mut opts = Options {
        quick: false,
        callgrind: false,
        cache_sim: false,
        calls: (200, 1_200),
        extra: Vec::new(),
    };
    let mut calls = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => opts.quick = true,
            "--callgrind" => opts.callgrind = true,
            "--cache-sim" => {
                opts.callgrind = true;
                opts.cache_sim = true;
            }
            "--calls" => {
                let value = it.next().ok_or("--calls needs SHORT,LONG")?;
                let parsed = value
                    .split_once(',')
                    .and_then(|(s, l)| Some((s.trim().parse().ok()?, l.trim().parse().ok()?)))
                    .filter(|(s, l): &(u64, u64)| s < l)
                    .ok_or_else(|| {
                        format!("--calls needs SHORT,LONG with SHORT < LONG: `{value}`")
                    })?;
                calls = Some(parsed);
            }
            "--" => {
                opts.extra = it.by_ref().cloned().collect();
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    opts.calls = calls.unwrap_or(if opts.quick { (20, 120) } else { (200, 1_200) });
    if opts.callgrind && !opts.extra.is_empty() {
        return Err("--callgrind takes no arguments after `--`".into());
    }
    Ok(opts)
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs the benchmark as `opts` says; `Err` for a build or functional failure.
pub fn run(root: &Path, opts: &Options) -> Result<(), String> {
    if opts.callgrind {
        return callgrind(root, opts.calls, opts.cache_sim);
    }
    let mut cmd = cargo();
    cmd.current_dir(root)
        .args(["run", "--release", "-p", "userbridge-bench", "--"]);
    // The mode, if any, first: `-- stream-rss` with `--quick` is
    // `stream-rss --quick`.
    cmd.args(&opts.extra);
    if opts.quick {
        cmd.arg("--quick");
    }
    let status = cmd
        .status()
        .map_err(|e| format!("cargo did not start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("userbridge-bench failed ({status})"))
    }
}

/// Builds the bench binary in release; its path.
fn build(root: &Path) -> Result<PathBuf, String> {
    let out = cargo()
        .current_dir(root)
        .args([
            "build",
            "--release",
            "-p",
            "userbridge-bench",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cargo did not start: {e}"))?;
    if !out.status.success() {
        return Err(format!("the release build failed ({})", out.status));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "userbridge-bench")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo named no userbridge-bench executable".to_string())
}

/// The counts of a callgrind run, by event name (`Ir`, and with the cache and
/// branch simulation `I1mr`, `D1mr`, `Bcm` and the others).
#[derive(Clone, Debug, PartialEq)]
pub struct Events(Vec<(String, u64)>);

impl Events {
    /// The count of `event`; `None` when the run did not record it.
    pub fn get(&self, event: &str) -> Option<u64> {
        self.0.iter().find(|(e, _)| e == event).map(|(_, n)| *n)
    }

    /// The sum of `events`, each 0 when not recorded.
    fn sum(&self, events: &[&str]) -> f64 {
        events.iter().filter_map(|e| self.get(e)).sum::<u64>() as f64
    }
}

/// The `events:` line of a callgrind output file with its `totals:` (or
/// `summary:`) line: the whole run's count of each event.
pub fn callgrind_events(text: &str) -> Option<Events> {
    let line = |key: &str| text.lines().find_map(|l| l.strip_prefix(key));
    let names = line("events:")?.split_whitespace();
    let counts = line("totals:").or_else(|| line("summary:"))?;
    let counts: Vec<u64> = counts
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let events: Vec<(String, u64)> = names.map(String::from).zip(counts).collect();
    (!events.is_empty()).then_some(Events(events))
}

/// Per-call figures of the cache and branch simulation, from the counts of
/// two run lengths.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Simulated {
    instructions: f64,
    /// First-level instruction-cache misses.
    i1_misses: f64,
    /// First-level data-cache misses, reads and writes.
    d1_misses: f64,
    /// Last-level misses, instructions and data.
    ll_misses: f64,
    /// Mispredicted conditional and indirect branches.
    mispredicted: f64,
}

impl Simulated {
    fn per_call(short: &Events, long: &Events, calls: f64) -> Simulated {
        let per = |events: &[&str]| (long.sum(events) - short.sum(events)) / calls;
        Simulated {
            instructions: per(&["Ir"]),
            i1_misses: per(&["I1mr"]),
            d1_misses: per(&["D1mr", "D1mw"]),
            ll_misses: per(&["ILmr", "DLmr", "DLmw"]),
            mispredicted: per(&["Bcm", "Bim"]),
        }
    }

    /// KCachegrind's cycle estimate: Ir + 10 × (first-level misses and
    /// mispredicted branches) + 100 × last-level misses.
    fn cycles(&self) -> f64 {
        self.instructions
            + 10.0 * (self.i1_misses + self.d1_misses + self.mispredicted)
            + 100.0 * self.ll_misses
    }
}

/// The counts of `n` calls of `which`, its output kept in `dir`.
fn count(
    bin: &Path,
    dir: &Path,
    which: &str,
    n: u64,
    cache_sim: bool,
) -> Result<(Events, Executions), String> {
    let file = dir.join(format!("callgrind.{which}.{n}.out"));
    let mut valgrind = Command::new("valgrind");
    valgrind
        .args(["--tool=callgrind", "--dump-instr=yes", "--compress-pos=no"])
        .arg(format!("--callgrind-out-file={}", file.display()));
    if cache_sim {
        valgrind.args(["--cache-sim=yes", "--branch-sim=yes"]);
    }
    let out = valgrind
        .arg(bin)
        .args(["calls", which, &n.to_string(), "--server-process"])
        .output()
        .map_err(|e| format!("valgrind did not start: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "valgrind ... calls {which} {n} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = std::fs::read_to_string(&file)
        .map_err(|e| format!("{} could not be read: {e}", file.display()))?;
    let events = callgrind_events(&text)
        .filter(|e| e.get("Ir").is_some())
        .ok_or_else(|| format!("no events and totals lines in {}", file.display()))?;
    let executions = Executions::parse(&text).ok_or_else(|| {
        format!(
            "{}: no instruction-level counts (`--dump-instr=yes --compress-pos=no`)",
            file.display()
        )
    })?;
    Ok((events, executions))
}

/// How often each instruction of a callgrind run ran, by object file and
/// address: what `--dump-instr=yes --compress-pos=no` writes.
#[derive(Debug, Default, PartialEq)]
pub struct Executions(HashMap<String, HashMap<u64, u64>>);

impl Executions {
    /// Reads a callgrind output file. Each cost line names an instruction
    /// (`0x<address> <line> <Ir> ...`, as the `positions:` line says), and
    /// its `Ir` is how often the instruction ran; the cost line after
    /// `calls=<n> ...` is the call's inclusive cost, so the calling instruction
    /// counts `n` there. `None` for a file without instruction positions, or
    /// with compressed ones.
    pub fn parse(text: &str) -> Option<Executions> {
        let positions = text.lines().find_map(|l| l.strip_prefix("positions:"))?;
        let fields: Vec<&str> = positions.split_whitespace().collect();
        if fields.first() != Some(&"instr") {
            return None;
        }
        let cost_at = fields.len();
        // Object names are given once, `(id) name`, and then as `(id)`, in
        // `ob=` and `cob=` lines alike; the ids differ between runs, the
        // names do not.
        let mut names: HashMap<&str, &str> = HashMap::new();
        let mut object = "";
        let mut calls: Option<u64> = None;
        let mut counts: HashMap<String, HashMap<u64, u64>> = HashMap::new();
        for line in text.lines() {
            if let Some(ob) = line
                .strip_prefix("ob=")
                .or_else(|| line.strip_prefix("cob="))
            {
                let (id, name) = ob.split_once(' ').unwrap_or((ob, ""));
                let name = if name.is_empty() {
                    names.get(id).copied().unwrap_or(id)
                } else {
                    names.insert(id, name);
                    name
                };
                if line.starts_with("ob=") {
                    object = name;
                }
            } else if let Some(c) = line.strip_prefix("calls=") {
                calls = Some(c.split_whitespace().next()?.parse().ok()?);
            } else if let Some(rest) = line.strip_prefix("0x") {
                let mut parts = rest.split_whitespace();
                let address = u64::from_str_radix(parts.next()?, 16).ok()?;
                let ran = match calls.take() {
                    Some(n) => n,
                    None => parts.nth(cost_at - 1)?.parse().ok()?,
                };
                *counts
                    .entry(object.to_string())
                    .or_default()
                    .entry(address)
                    .or_default() += ran;
            } else if line.starts_with(['+', '-', '*']) {
                return None;
            }
        }
        (!counts.is_empty()).then_some(Executions(counts))
    }
}

/// The size of a cache line, in bytes.
const CACHE_LINE: u64 = 64;

/// The code a call runs: how many [`CACHE_LINE`]s of machine code have an
/// instruction that ran in at least half of the `calls` the long run adds to
/// the short one.
pub fn code_lines_per_call(short: &Executions, long: &Executions, calls: u64) -> usize {
    let mut lines = 0;
    for (object, counts) in &long.0 {
        let before = short.0.get(object);
        let mut hot: HashMap<u64, u64> = HashMap::new();
        for (address, n) in counts {
            let added = n.saturating_sub(
                before
                    .and_then(|b| b.get(address))
                    .copied()
                    .unwrap_or_default(),
            );
            let line = hot.entry(address / CACHE_LINE).or_default();
            *line = (*line).max(added);
        }
        lines += hot.values().filter(|&&added| 2 * added >= calls).count();
    }
    lines
}

fn callgrind(root: &Path, (short, long): (u64, u64), cache_sim: bool) -> Result<(), String> {
    let have_valgrind = Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !have_valgrind {
        return Err("valgrind is not installed (e.g. `apt-get install -y valgrind`)".into());
    }
    let bin = build(root)?;
    let dir = bin
        .parent()
        .and_then(Path::parent)
        .map_or_else(|| root.join("target"), Path::to_path_buf)
        .join("callgrind");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    eprintln!(
        "callgrind: {short} and {long} calls of each implementation and case, each run \
         against a server process of its own"
    );
    let mut rows = Vec::new();
    for which in PAIRS.iter().flat_map(|(_, raw, sdk, _)| [*raw, *sdk]) {
        let (e_short, x_short) = count(&bin, &dir, which, short, cache_sim)?;
        let (e_long, x_long) = count(&bin, &dir, which, long, cache_sim)?;
        eprintln!("  {which}: done");
        rows.push(Row {
            which,
            short_ir: e_short.get("Ir").unwrap_or_default(),
            long_ir: e_long.get("Ir").unwrap_or_default(),
            // Without the simulation only `Ir` is recorded: the rest is 0.
            per_call: Simulated::per_call(&e_short, &e_long, (long - short) as f64),
            code_lines: code_lines_per_call(&x_short, &x_long, long - short),
        });
    }
    print!("{}", report(short, long, &rows, &dir));
    if cache_sim {
        print!("{}", simulation_report(&rows));
    }
    Ok(())
}

/// One implementation's counts: its instructions in the two runs, and its
/// per-call figures.
struct Row<'a> {
    which: &'a str,
    short_ir: u64,
    long_ir: u64,
    per_call: Simulated,
    /// [`code_lines_per_call`].
    code_lines: usize,
}

/// The cases of [`PAIRS`] that `rows` has both sides of: what, whether issue
/// 14 targets it, and the raw and SDK figures.
fn pairs<'r, 'a>(
    rows: &'r [Row<'a>],
) -> impl Iterator<Item = (&'static str, bool, &'r Row<'a>, &'r Row<'a>)> + 'r {
    let get = |name: &str| rows.iter().find(|r| r.which == name);
    PAIRS
        .into_iter()
        .filter_map(move |(what, raw, sdk, targeted)| Some((what, targeted, get(raw)?, get(sdk)?)))
}

/// The table of simulated misses per call and the cycle estimates' ratios.
fn simulation_report(rows: &[Row<'_>]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nCache and branch simulation per call (callgrind --cache-sim=yes --branch-sim=yes; \
         the simulated caches are this machine's sizes)"
    );
    let _ = writeln!(
        out,
        "{:<14} {:>10} {:>10} {:>10} {:>10} {:>12} {:>12}",
        "impl", "Ir", "I1 miss", "D1 miss", "LL miss", "mispredict", "cycles (est)"
    );
    for Row {
        which, per_call: s, ..
    } in rows
    {
        let _ = writeln!(
            out,
            "{which:<14} {:>10.0} {:>10.0} {:>10.0} {:>10.1} {:>12.0} {:>12.0}",
            s.instructions,
            s.i1_misses,
            s.d1_misses,
            s.ll_misses,
            s.mispredicted,
            s.cycles()
        );
    }
    let _ = writeln!(out);
    for (what, _, raw, sdk) in pairs(rows) {
        let ratio = |f: fn(&Simulated) -> f64| f(&sdk.per_call) / f(&raw.per_call);
        let _ = writeln!(
            out,
            "{what:<24} sdk/raw: cycles (est) {:.3}, Ir {:.3}, I1 misses {:.3}, D1 misses {:.3}, \
             mispredicted {:.3}",
            ratio(Simulated::cycles),
            ratio(|s| s.instructions),
            ratio(|s| s.i1_misses),
            ratio(|s| s.d1_misses),
            ratio(|s| s.mispredicted),
        );
    }
    let _ = writeln!(
        out,
        "cycles (est): Ir + 10 x (I1 + D1 misses + mispredicted branches) + 100 x LL misses \
         (KCachegrind's estimate); no target, for reference: the concurrent and bulk wall-clock \
         ratios follow the client's CPU time, which these misses raise beyond its instruction count"
    );
    out
}

/// The table of instructions per call and the ratios sdk/raw.
fn report(short: u64, long: u64, rows: &[Row<'_>], dir: &Path) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nCPU instructions per call (callgrind, client process only; \
         (I({long}) - I({short})) / {})",
        long - short
    );
    let _ = writeln!(
        out,
        "{:<14} {:>16} {:>16} {:>14} {:>22}",
        "impl",
        format!("I({short})"),
        format!("I({long})"),
        "per call",
        "code run per call"
    );
    for row in rows {
        let code = format!(
            "{} lines, {} KiB",
            row.code_lines,
            row.code_lines as u64 * CACHE_LINE / 1024
        );
        let _ = writeln!(
            out,
            "{:<14} {:>16} {:>16} {:>14.0} {code:>22}",
            row.which, row.short_ir, row.long_ir, row.per_call.instructions
        );
    }
    let _ = writeln!(out);
    for (what, targeted, raw, sdk) in pairs(rows) {
        let ratio = sdk.per_call.instructions / raw.per_call.instructions;
        let code = sdk.code_lines as f64 / raw.code_lines.max(1) as f64;
        let verdict = match (targeted, ratio <= INSTRUCTIONS_TARGET) {
            (true, true) => format!("(target <= {INSTRUCTIONS_TARGET:.2}) PASS"),
            (true, false) => format!("(target <= {INSTRUCTIONS_TARGET:.2}) MISS"),
            (false, _) => "(no target; for reference)".to_string(),
        };
        let _ = writeln!(
            out,
            "{:<24} sdk/raw {ratio:.3}  {verdict}; code run per call {code:.3}",
            what
        );
    }
    let _ = writeln!(
        out,
        "code run per call: the {CACHE_LINE}-byte lines of machine code executed in at least \
         half the calls (no target, for reference: a sequential call likely starts on cold \
         caches, where this footprint can weigh more than the instruction count)"
    );
    let _ = writeln!(
        out,
        "outputs: {}/callgrind.<impl>.<calls>.out \
         (e.g. callgrind_annotate --inclusive=yes ...sdk.{long}.out)",
        dir.display()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &[&str]) -> Vec<String> {
        s.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn parses_the_flags() {
        let o = parse(&args(&["--quick", "--", "--rounds", "3"])).unwrap();
        assert!(o.quick && !o.callgrind);
        assert_eq!(o.extra, args(&["--rounds", "3"]));
        let o = parse(&args(&["--callgrind", "--calls", "100,600"])).unwrap();
        assert_eq!(o.calls, (100, 600));
        assert!(!o.cache_sim);
        let o = parse(&args(&["--cache-sim"])).unwrap();
        assert!(o.callgrind && o.cache_sim);
        assert!(parse(&args(&["--calls", "600,100"])).is_err());
        assert!(parse(&args(&["--callgrind", "--", "x"])).is_err());
        assert!(parse(&args(&["--nope"])).is_err());
    }

    #[test]
    fn reads_the_simulated_events_and_estimates_cycles() {
        let names = "events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw Bc Bcm Bi Bim\n";
        let short =
            callgrind_events(&format!("{names}totals: 100 0 0 1 1 1 0 0 0 0 1 0 1\n")).unwrap();
        let long =
            callgrind_events(&format!("{names}totals: 1100 0 0 11 6 6 1 0 1 0 6 0 6\n")).unwrap();
        assert_eq!(long.get("I1mr"), Some(11));
        let s = Simulated::per_call(&short, &long, 10.0);
        assert_eq!(
            s,
            Simulated {
                instructions: 100.0,
                i1_misses: 1.0,
                d1_misses: 1.0,
                ll_misses: 0.2,
                mispredicted: 1.0,
            }
        );
        assert_eq!(s.cycles(), 100.0 + 10.0 * 3.0 + 100.0 * 0.2);
        // Without the simulation there is only Ir: the estimate is Ir.
        let plain = callgrind_events("events: Ir\nsummary: 50\n").unwrap();
        let plain2 = callgrind_events("events: Ir\nsummary: 150\n").unwrap();
        assert_eq!(Simulated::per_call(&plain, &plain2, 10.0).cycles(), 10.0);
        // A totals line that does not parse is no reading at all.
        assert_eq!(callgrind_events("events: Ir\ntotals: 5x\n"), None);
    }

    /// A row whose figures are `instructions` and `misses` of each kind.
    fn row(which: &str, instructions: f64, misses: f64) -> Row<'_> {
        Row {
            which,
            short_ir: 0,
            long_ir: 0,
            per_call: Simulated {
                instructions,
                i1_misses: misses,
                d1_misses: misses,
                ll_misses: 0.0,
                mispredicted: misses,
            },
            code_lines: (instructions / 10.0) as usize,
        }
    }

    #[test]
    fn the_reports_give_each_case_its_ratios_and_verdict() {
        let rows = [
            row("raw", 1000.0, 10.0),
            row("sdk", 1050.0, 20.0),
            row("raw-bulk", 1000.0, 10.0),
            row("sdk-bulk", 1200.0, 10.0),
            // A case with one side only is left out.
            row("raw-conc", 1000.0, 10.0),
        ];
        let text = report(200, 1200, &rows, Path::new("/t"));
        assert!(
            text.contains(
                "async sequential         sdk/raw 1.050  (target <= 1.10) PASS; \
                 code run per call 1.050"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "bulk, concurrency 64     sdk/raw 1.200  (no target; for reference); \
                 code run per call 1.200"
            ),
            "{text}"
        );
        assert!(!text.contains("async concurrency 32"), "{text}");
        assert!(
            text.contains("sdk-bulk") && text.contains("120 lines, 7 KiB"),
            "{text}"
        );
        let sim = simulation_report(&rows);
        // sdk: 1050 + 10 x 60 = 1650; raw: 1000 + 10 x 30 = 1300.
        assert!(
            sim.contains(
                "async sequential         sdk/raw: cycles (est) 1.269, Ir 1.050, I1 misses 2.000, \
                 D1 misses 2.000, mispredicted 2.000"
            ),
            "{sim}"
        );
        assert!(!sim.contains("async concurrency 32 "), "{sim}");
        let missed = report(
            200,
            1200,
            &[row("raw", 1000.0, 0.0), row("sdk", 1101.0, 0.0)],
            Path::new("/t"),
        );
        assert!(
            missed.contains("sdk/raw 1.101  (target <= 1.10) MISS"),
            "{missed}"
        );
    }

    /// A callgrind output of `--dump-instr=yes --compress-pos=no` (and
    /// compressed names): `main` in `bin` runs 0x1000 `n` times and calls
    /// `free` in `libc` (defined by its `cob=` line) from 0x1004 `n` times; 0x1040
    /// (the next line of code) runs once; `free` runs its 0x50 `n` times.
    fn dump(n: u64, libc_id: &str) -> String {
        format!(
            "version: 1\npositions: instr line\nevents: Ir\nsummary: 1\n\n\
             ob=(1) /bin/bench\nfl=(1) ???\nfn=(1) main\n0x1000 0 {n}\n\
             cob={libc_id} /lib/libc.so.6\ncfn=(2) free\ncalls={n} 0x50 0\n0x1004 0 {}\n\
             0x1040 0 1\n\
             ob={libc_id}\nfn=(2)\n0x50 0 {n}\n\ntotals: 1\n",
            n * 9
        )
    }

    #[test]
    fn counts_the_code_a_call_runs() {
        let short = Executions::parse(&dump(10, "(2)")).unwrap();
        // Object ids differ between runs; their names do not.
        let long = Executions::parse(&dump(110, "(7)")).unwrap();
        let bin = &long.0["/bin/bench"];
        // The call instruction ran as often as it called, not its inclusive cost.
        assert_eq!((bin[&0x1000], bin[&0x1004], bin[&0x1040]), (110, 110, 1));
        assert_eq!(long.0["/lib/libc.so.6"][&0x50], 110);
        // 0x1000 and 0x1004 share a line; 0x1040 ran once in all; free's line.
        assert_eq!(code_lines_per_call(&short, &long, 100), 2);
        // Half the calls is enough, fewer is not.
        assert_eq!(code_lines_per_call(&short, &long, 200), 2);
        assert_eq!(code_lines_per_call(&short, &long, 201), 0);
        // Compressed positions, or none, are not read.
        assert_eq!(
            Executions::parse(&dump(1, "(2)").replace("0x1004", "+4")),
            None
        );
        assert_eq!(Executions::parse("events: Ir\nsummary: 5\n"), None);
    }

    #[test]
    fn reads_callgrind_totals() {
        let text = "events: Ir\nsummary: 12345\n\nfn=(1) main\n0 3\ntotals: 12345\n";
        let ir = |text: &str| callgrind_events(text).and_then(|e| e.get("Ir"));
        assert_eq!(ir(text), Some(12345));
        assert_eq!(ir("events: Ir\nsummary: 77\n"), Some(77));
        assert_eq!(ir("events: Ir\n"), None);
    }
}
