//! Command-line interface: argument definitions and dispatch.
//!
//! Every command takes `--vault DIR` (default: the platform data directory)
//! and `--json` (machine-readable output on stdout).

mod budget;
mod net;
mod output;
mod plan;
mod vault;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use inwonercloud_schemas::Lang;
use inwonercloud_vault::Vault;

pub use output::Out;

/// Inwonercloud — your own care plan, budget and receipts, shared on your terms.
#[derive(Parser, Debug)]
#[command(name = "inwonercloud", version, about, long_about = None)]
pub struct Args {
    /// Vault directory (default: the platform data directory, e.g. ~/.local/share/inwonercloud/vault).
    #[arg(long, global = true, env = "INWONERCLOUD_VAULT")]
    pub vault: Option<PathBuf>,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    pub json: bool,
    /// Work on the plan or budget of this person (name or identity), e.g. as their counselor.
    #[arg(long, global = true)]
    pub of: Option<String>,
    /// Language of messages: nl (default) or en.
    #[arg(long, global = true, default_value = "nl", value_parser = parse_lang)]
    pub lang: Lang,
    /// What to do; without a command the desktop app opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    match s.to_lowercase().as_str() {
        "nl" | "nederlands" | "dutch" => Ok(Lang::Nl),
        "en" | "english" | "engels" => Ok(Lang::En),
        _ => Err(format!("unknown language '{s}': use nl or en")),
    }
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a new vault with fresh keys.
    Init(vault::InitArgs),
    /// Show whose vault this is.
    Whoami,
    /// Read and edit the support plan.
    #[command(subcommand)]
    Plan(plan::PlanCmd),
    /// Budget accounts, figures and the ledger.
    #[command(subcommand)]
    Budget(budget::BudgetCmd),
    /// Add your own money to a budget account.
    Topup(budget::TopupArgs),
    /// The example pgb categories with example amounts.
    Catalogue,
    /// Private journal notes.
    #[command(subcommand)]
    Journal(vault::JournalCmd),
    /// Export every record with its signature (open JSON format).
    Export(vault::ExportArgs),
    /// Check every signature in an export file, offline, without a vault.
    VerifyExport(vault::VerifyExportArgs),
    /// Write a JSON Schema per record type.
    Schema(vault::SchemaArgs),
    /// List changes refused because of a bad signature or missing right.
    Rejections,
    /// Run a node: be reachable for the people you share with (until Ctrl-C).
    Serve(net::ServeArgs),
    /// Make a one-time invite ticket for someone (or for another device of yours).
    Invite(net::InviteArgs),
    /// Join with an invite ticket and receive what is shared.
    Join(net::JoinArgs),
    /// Exchange changes with known peers (once, or --live).
    Sync(net::SyncArgs),
    /// The people and organisations you are connected with.
    Peers,
    /// What you share with whom.
    Consents,
    /// Stop sharing with someone (what was shared cannot be called back).
    Revoke(net::RevokeArgs),
    /// Who received or sent what, when.
    AccessLog,
}

/// Runs a parsed command line.
pub fn run(args: Args) -> Result<()> {
    let out = Out {
        json: args.json,
        lang: args.lang,
        of: args.of.clone(),
    };
    let Some(command) = args.command else {
        return no_command(&out, args.vault);
    };
    let dir = vault_dir(args.vault)?;
    match command {
        Command::Init(a) => vault::init(&out, &dir, a),
        Command::Whoami => vault::whoami(&out, &open(&dir)?),
        Command::Plan(c) => plan::run(&out, &mut open(&dir)?, c),
        Command::Budget(c) => budget::run(&out, &mut open(&dir)?, c),
        Command::Topup(a) => budget::topup(&out, &mut open(&dir)?, a),
        Command::Catalogue => budget::catalogue(&out),
        Command::Journal(c) => vault::journal(&out, &mut open(&dir)?, c),
        Command::Export(a) => vault::export(&out, &open(&dir)?, a),
        Command::VerifyExport(a) => vault::verify_export(&out, a),
        Command::Schema(a) => vault::schema(&out, a),
        Command::Rejections => vault::rejections(&out, &open(&dir)?),
        Command::Serve(a) => net::serve(&out, &dir, a),
        Command::Invite(a) => net::invite(&out, &mut open(&dir)?, a),
        Command::Join(a) => net::join(&out, &dir, a),
        Command::Sync(a) => net::sync(&out, &dir, a),
        Command::Peers => net::peers(&out, &open(&dir)?),
        Command::Consents => net::consents(&out, &open(&dir)?),
        Command::Revoke(a) => net::revoke(&out, &mut open(&dir)?, a),
        Command::AccessLog => net::access_log(&out, &open(&dir)?),
    }
}

fn no_command(out: &Out, vault: Option<PathBuf>) -> Result<()> {
    let dir = vault_dir(vault)?;
    out.say(
        &format!(
            "Inwonercloud — de app met vensters komt in een volgende versie. Gebruik nu de opdrachtregel.\n\
             Kluis: {}\nBegin met:  inwonercloud init --name \"Uw naam\" --role inwoner\nAlle opdrachten: inwonercloud --help",
            dir.display()
        ),
        &format!(
            "Inwonercloud — the windowed app arrives in a later version. Use the command line for now.\n\
             Vault: {}\nStart with:  inwonercloud init --name \"Your name\" --role citizen\nAll commands: inwonercloud --help",
            dir.display()
        ),
    );
    Ok(())
}

/// The vault directory: `--vault`, or the platform data directory.
pub fn vault_dir(arg: Option<PathBuf>) -> Result<PathBuf> {
    match arg {
        Some(p) => Ok(p),
        None => Ok(dirs::data_dir()
            .context("no data directory is known for this user: pass --vault DIR")?
            .join("inwonercloud")
            .join("vault")),
    }
}

fn open(dir: &std::path::Path) -> Result<Vault> {
    Ok(Vault::open(dir)?)
}
