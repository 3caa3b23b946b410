//! `inwonercloud`: the desktop app (no arguments) and the command line for
//! headless nodes, scripts and tests (subcommands).

use std::process::ExitCode;

use clap::Parser;
use inwonercloud_app::cli;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fout: {e:#}");
            ExitCode::from(1)
        }
    }
}
