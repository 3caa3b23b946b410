//! `inwonercloud`: the desktop app (no arguments) and the command line for
//! headless nodes, scripts and tests (subcommands).

use std::process::ExitCode;

use clap::Parser;
use inwonercloud_app::cli;

fn main() -> ExitCode {
    // `inwonercloud requests | head`: a closed pipe ends the program quietly,
    // as other command-line tools do, instead of panicking in println!.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.starts_with("failed printing to stdout") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fout: {e:#}");
            ExitCode::from(1)
        }
    }
}
