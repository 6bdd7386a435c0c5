use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask codegen [--check]
       cargo xtask bench [--quick] [--callgrind [--calls SHORT,LONG]] [-- ARGS]

  codegen          regenerate sdk/src/generated/*.rs from openapi/*.yaml
  codegen --check  regenerate in memory; exit 1 naming every stale file
  bench            userbridge against hand-written reqwest, release build:
                   wall-clock ratios against the targets; --quick: small
                   sizes, one round; ARGS go to userbridge-bench
                   (`-- --rounds 9`, `-- stream-rss`, `-- --help`)
  bench --callgrind  CPU instructions per call under valgrind, from two run
                   lengths (default 200,1200; with --quick 20,120)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|cmd| cmd == "bench") {
        return bench(&args[1..]);
    }
    let check = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["codegen"] => false,
        ["codegen", "--check"] => true,
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let root = xtask::codegen::workspace_root();
    match xtask::codegen::run(&root, check) {
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
