use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

  codegen              regenerate sdk/src/generated/*.rs from openapi/*.yaml
  codegen --check      regenerate in memory; exit 1 naming every stale file
  conformance [NAME]   Spectral on the specs, Schemathesis on the simulators, the
                       SDK's requests through a Prism proxy (every provider, or
                       the one named); installs the tools under target/tools";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
