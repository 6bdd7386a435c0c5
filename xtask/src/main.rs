use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

  codegen              regenerate sdk/src/generated/*.rs from openapi/*.yaml
  codegen --check      regenerate in memory; exit 1 naming every stale file
  conformance [NAME]   Spectral on the specs, Schemathesis on the simulators, the
                       SDK's requests through a Prism proxy (every provider, or
                       the one named); installs the tools under target/tools
  bench [--quick] [--callgrind [--cache-sim] [--calls SHORT,LONG]] [-- ARGS]
                       userbridge against hand-written reqwest, release build:
                       wall-clock ratios against the targets; --quick: small
                       sizes, one round; ARGS go to userbridge-bench
                       (`-- --rounds 9`, `-- stream-rss`, `-- --help`);
                       --callgrind: CPU instructions per call under valgrind,
                       from two run lengths (default 200,1200; --quick 20,120);
                       --cache-sim: also cache misses, mispredicted branches
                       and a cycle estimate per call";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|cmd| cmd == "bench") {
        return bench(&args[1..]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = xtask::codegen::workspace_root();
    let result = match args.as_slice() {
        ["codegen"] => xtask::codegen::run(&root, false),
        ["codegen", "--check"] => xtask::codegen::run(&root, true),
        ["conformance"] => xtask::conformance::run(&root, None),
        ["conformance", name] => xtask::conformance::run(&root, Some(name)),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(report) => {
            eprint!("{report}");
            ExitCode::FAILURE
        }
    }
}

fn bench(args: &[String]) -> ExitCode {
    let opts = match xtask::bench::parse(args) {
        Ok(opts) => opts,
        Err(why) => {
            eprintln!("{why}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match xtask::bench::run(&xtask::codegen::workspace_root(), &opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("cargo xtask bench: {why}");
            ExitCode::FAILURE
        }
    }
}
