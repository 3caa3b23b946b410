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
    logging();
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fout: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Logs to stderr with UTC timestamps: warnings by default, what `RUST_LOG`
/// asks for otherwise (`RUST_LOG=info`, or per module:
/// `RUST_LOG=inwonercloud_sync=debug,inwonercloud_vault=info`). A `serve`
/// node under systemd writes these lines to its journal.
fn logging() {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|s| s.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::WARN));
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                // Colours only on a terminal, not in a journal or a file.
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .with_filter(filter),
        )
        .try_init();
}
