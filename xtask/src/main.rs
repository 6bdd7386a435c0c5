use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask codegen [--check]

  codegen          regenerate sdk/src/generated/*.rs from openapi/*.yaml
  codegen --check  regenerate in memory; exit 1 naming every stale file";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
