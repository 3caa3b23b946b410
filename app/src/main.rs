//! `inwonercloud`: the desktop app (no arguments) and the command line for
//! headless nodes, scripts and tests (subcommands).

use std::process::ExitCode;

use clap::Parser as _;
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
    let raw: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let args = match cli::Args::try_parse_from(&raw) {
        Ok(args) => args,
        Err(e) => return usage_error(&e, &raw),
    };
    let (json, lang) = (args.json, args.lang);
    match cli::run(args) {
        Ok(code) => code,
        // The exit code follows the error's type (see `inwonercloud --help`);
        // with --json the error is one JSON object on stderr.
        Err(e) => cli::exit::report(json, lang, &e, &mut std::io::stderr().lock()),
    }
}

/// A command line clap could not parse: clap's own text, or with `--json`
/// the JSON error object; exit code 2 (usage), or 3 when clap refused a
/// value (invalid input). `--help` and `--version` print as usual and end
/// with 0.
fn usage_error(e: &clap::Error, raw: &[std::ffi::OsString]) -> ExitCode {
    if !e.use_stderr() {
        e.exit();
    }
    let kind = cli::exit::clap_kind(e);
    if !raw.iter().any(|a| a == "--json") {
        // clap's text (coloured on a terminal); a closed stderr leaves nothing to tell.
        let _ = e.print();
        return ExitCode::from(kind.code());
    }
    let text = e.render().to_string();
    let message = text.trim_start_matches("error: ");
    cli::exit::report_as(
        true,
        inwonercloud_schemas::Lang::Nl,
        kind,
        message,
        &mut std::io::stderr().lock(),
    )
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
