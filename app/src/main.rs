//! `inwonercloud`: the desktop app (no arguments) and the command line for
//! headless nodes, scripts and tests (subcommands).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fout: {e:#}");
            ExitCode::from(1)
        }
    }
}
