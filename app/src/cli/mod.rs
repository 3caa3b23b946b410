//! Command-line interface: argument definitions and dispatch.
//!
//! Every command takes `--vault DIR` (default: the platform data directory)
//! and `--json` (machine-readable output on stdout, and a failure as one JSON
//! object on stderr); the exit code says the kind of failure ([`exit`]).

mod budget;
pub mod exit;
mod ids;
mod informal;
mod mandate;
mod market;
mod net;
mod output;
mod parse;
pub(crate) mod passphrase;
mod plan;
mod postbus;
mod pot;
mod receipt;
mod request;
mod vault;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use inwonercloud_schemas::Lang;
use inwonercloud_vault::{Vault, VaultError};

pub use output::Out;

/// Inwonercloud — your own care plan, budget and receipts, shared on your terms.
#[derive(Parser, Debug)]
#[command(name = "inwonercloud", version, about, long_about = None, after_help = exit::EXIT_CODES_HELP)]
pub struct Args {
    /// Vault directory (default: the platform data directory, e.g. ~/.local/share/inwonercloud/vault).
    #[arg(long, global = true, env = "INWONERCLOUD_VAULT")]
    pub vault: Option<PathBuf>,
    /// Print machine-readable JSON on stdout; a failure prints one JSON
    /// object {"error": {"kind", "message", "exit_code"}} on stderr.
    #[arg(long, global = true)]
    pub json: bool,
    /// Work on the plan or budget of this person (name or identity), e.g. as their counselor.
    #[arg(long, global = true)]
    pub of: Option<String>,
    /// Language of messages: nl (default) or en.
    #[arg(long, global = true, default_value = "nl", value_parser = parse_lang)]
    pub lang: Lang,
    /// Read the vault passphrase from this file (one line; for services: a
    /// systemd credential). `INWONERCLOUD_PASSPHRASE` still wins when set.
    #[arg(long, global = true, env = "INWONERCLOUD_PASSPHRASE_FILE")]
    pub passphrase_file: Option<PathBuf>,
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

fn parse_theme(s: &str) -> Result<crate::gui::theme::Theme, String> {
    use crate::gui::theme::Theme;
    match s.to_lowercase().replace('_', "-").as_str() {
        "systeem" | "system" => Ok(Theme::System),
        "licht" | "light" => Ok(Theme::Light),
        "donker" | "dark" => Ok(Theme::Dark),
        "hoog-contrast" | "contrast" | "high-contrast" => Ok(Theme::HighContrast),
        _ => Err(format!(
            "onbekende kleuren '{s}': kies systeem, licht, donker of hoog-contrast (unknown theme: use system, light, dark or high-contrast)"
        )),
    }
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a new vault with fresh keys.
    Init(vault::InitArgs),
    /// Show whose vault this is.
    Whoami,
    /// Write an encrypted backup of the whole vault to a new file.
    Backup {
        /// The backup file (must not exist yet).
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into --vault DIR on this machine (with a new device key).
    Restore(vault::RestoreArgs),
    /// Show the 24-word recovery phrase of your identity (first device only).
    RecoveryPhrase,
    /// Revoke a lost or replaced device of yours: its later changes are refused everywhere.
    RevokeDevice {
        /// The device key (hex, as `whoami` or `restore` shows it).
        device: String,
    },
    /// Change the vault's passphrase (asks for the current and the new one;
    /// scripts: INWONERCLOUD_PASSPHRASE and INWONERCLOUD_NEW_PASSPHRASE).
    Passphrase,
    /// Read and edit the support plan.
    #[command(subcommand)]
    Plan(plan::PlanCmd),
    /// Budget accounts, figures and the ledger.
    #[command(subcommand)]
    Budget(budget::BudgetCmd),
    /// Add your own money to a budget account.
    Topup(budget::TopupArgs),
    /// Book a spend from a budget account, with a photo or PDF of the receipt.
    Spend(receipt::SpendArgs),
    /// Attach a receipt to a booked entry (ENTRY FILE…), or list receipts (--save DIR to keep their files).
    Receipt(receipt::ReceiptArgs),
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
    /// Whether a node serves this vault, whom it reaches, and what waits to be delivered.
    Status,
    /// Print a configuration for iroh's relay server (`iroh-relay`) that
    /// serves only the devices this vault knows: yours and your peers'.
    RelayConfig(net::RelayConfigArgs),
    /// Run a postbus: hold sealed changes for citizens' peers while they are
    /// offline (until SIGTERM or Ctrl-C). Needs no vault.
    Postbus(postbus::PostbusArgs),
    /// Choose the postbus where those you share with leave changes while you
    /// are offline (or show it; --off to stop).
    PostbusUse(postbus::PostbusUseArgs),
    /// What you share with whom.
    Consents,
    /// The municipality keys whose grants and policies you trust (list, add, remove).
    #[command(subcommand)]
    Trust(net::TrustCmd),
    /// Stop sharing with someone (what was shared cannot be called back).
    Revoke(net::RevokeArgs),
    /// Who received or sent what, when.
    AccessLog,
    /// Ask the municipality for budget (or to change an account).
    Request(request::RequestArgs),
    /// Your requests with their assessment timeline (or someone's, with --of).
    Requests,
    /// Answer the municipality's question on a request.
    Answer {
        /// Request id.
        request: String,
        /// Your answer.
        text: String,
    },
    /// Ask a person to look again at an automated decision.
    Review {
        /// Request id.
        request: String,
        /// Why.
        reason: String,
    },
    /// Municipality: requests waiting for a decision.
    Inbox,
    /// Municipality: take a request into assessment.
    Assess {
        /// Request id.
        request: String,
    },
    /// Municipality: ask the citizen for more information.
    Ask {
        /// Request id.
        request: String,
        /// The question.
        question: String,
    },
    /// Municipality: decide on a request (grants write the budget entry).
    Decide(request::DecideArgs),
    /// Municipality: decide new requests by the policy's rules, route the rest to the inbox.
    Allocate,
    /// The municipality's policy: categories, tariffs, allocation rules.
    #[command(subcommand)]
    Policy(request::PolicyCmd),
    /// Transfer budget to another budget holder (moves once they sign too).
    Transfer(request::TransferArgs),
    /// Sign a transfer addressed to you, into one of your accounts.
    AcceptTransfer {
        /// Transfer id.
        transfer: String,
        /// Your receiving account (id or name).
        #[arg(long)]
        account: String,
    },
    /// Transfers to and from you, and whether both signed.
    Transfers,
    /// Wijkbudget: a neighbourhood pot run by partner organisations
    /// (create, partner add, fund, room, spend, rebalance, show).
    Pot(pot::PotArgs),
    /// Provider: publish an offering in your public catalogue.
    Offer(market::OfferArgs),
    /// Browse the offerings of the providers you know and those your
    /// municipality admitted, filtered by category, region, price and availability.
    Market(market::MarketArgs),
    /// Order an offering: sign an agreement and reserve the money.
    Order(market::OrderArgs),
    /// Municipality: admit a provider that joined you to your market; your
    /// node republishes its catalogue to everyone who joined you.
    AdmitProvider {
        /// The provider (name or identity prefix).
        provider: String,
    },
    /// Municipality: withdraw a provider's admission to your market.
    WithdrawProvider {
        /// The provider (name or identity prefix).
        provider: String,
    },
    /// Agreements with their declarations and approvals.
    Agreements,
    /// Agree with an informal carer (family, a neighbour) on hours at an
    /// informal tariff: sign and reserve the money.
    InformalAgree(informal::InformalArgs),
    /// Provider or informal carer: sign an agreement a citizen made.
    Countersign {
        /// Agreement id.
        agreement: String,
    },
    /// Provider or informal carer: declare delivered units (hours).
    Declare(market::DeclareArgs),
    /// End an agreement early (either party): no care after the last day;
    /// the unused reservation is freed.
    CancelAgreement(market::CancelArgs),
    /// Free (part of) a reservation: what is left returns to the account.
    Release(market::ReleaseArgs),
    /// Approve a declaration (it becomes a spend).
    Approve {
        /// Declaration id.
        declaration: String,
    },
    /// Representatives: give a mandate to act for you, list and revoke mandates.
    #[command(subcommand)]
    Mandate(mandate::MandateCmd),
    /// Dispute a declaration, with the reason.
    Dispute {
        /// Declaration id.
        declaration: String,
        /// Why.
        reason: String,
    },
    /// Municipality: verify every claim you can see (table, --json, --csv FILE).
    VerifyClaims {
        /// Also write the report as CSV.
        #[arg(long)]
        csv: Option<PathBuf>,
    },
    /// Write every claim you can see, with all signatures, to a file.
    ExportClaims {
        /// The file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Check a claims file offline, without a vault; fails naming invalid claims.
    Verify {
        /// The file.
        file: PathBuf,
        /// A municipality identity key to trust (hex), or a file with one key per line; repeatable.
        /// Without one, no claim can be called valid.
        #[arg(long = "trust", value_name = "KEY|FILE")]
        trust: Vec<String>,
    },
    /// Open the desktop app (what happens without a command).
    App(AppArgs),
    /// Build the demo world (citizen, counselor, provider, municipality vaults) in a folder.
    Demo(DemoArgs),
    /// Print a shell completion script on stdout (bash, zsh or fish; see the README to install it).
    Completions {
        /// The shell.
        shell: CompletionShell,
    },
    /// Print the manual page (roff) on stdout: `inwonercloud man | man -l -`.
    Man,
}

/// Shells `completions` writes a script for.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum CompletionShell {
    /// GNU bash.
    Bash,
    /// Z shell.
    Zsh,
    /// fish.
    Fish,
}

/// Writes the completion script for `shell` (made from the argument definitions).
pub fn completions(shell: CompletionShell, w: &mut dyn std::io::Write) {
    use clap::CommandFactory;
    let mut cmd = Args::command();
    let shell = match shell {
        CompletionShell::Bash => clap_complete::Shell::Bash,
        CompletionShell::Zsh => clap_complete::Shell::Zsh,
        CompletionShell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(shell, &mut cmd, "inwonercloud", w);
}

/// Writes generated text to stdout; a closed pipe (`| head`) ends quietly.
fn to_stdout(text: &[u8]) -> Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        done => done.context("cannot write to stdout"),
    }
}

/// Writes the manual page (roff, section 1) made from the argument definitions.
pub fn man(w: &mut dyn std::io::Write) -> Result<()> {
    use clap::CommandFactory;
    clap_mangen::Man::new(Args::command())
        .render(w)
        .context("cannot write the manual page")
}

/// Arguments of `app`.
#[derive(clap::Args, Debug, Default)]
pub struct AppArgs {
    /// Screen to show first: overzicht, plan, budget, delen, apparaten, dagboek, clienten.
    #[arg(long)]
    pub screen: Option<String>,
    /// Font scale in percent (100, 125, 150).
    #[arg(long, default_value_t = 100)]
    pub zoom: u16,
    /// Colours for this run: systeem, licht, donker or hoog-contrast (system, light, dark,
    /// high-contrast); not remembered. Without it: the colours chosen in the window last time.
    #[arg(long, value_parser = parse_theme)]
    pub theme: Option<crate::gui::theme::Theme>,
    /// Do not start the network (work offline).
    #[arg(long)]
    pub offline: bool,
    /// Open the demo world (building it first if needed) as: inwoner, begeleider, zorgaanbieder, gemeente,
    /// mantelzorger, vertegenwoordiger, gezin.
    #[arg(long)]
    pub demo: Option<String>,
}

/// Arguments of `demo`.
#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Folder to build it in (default: the demo folder next to the default vault).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs a parsed command line; an error a command can fix says what to type.
pub fn run(args: Args) -> Result<ExitCode> {
    let out = Out {
        json: args.json,
        lang: args.lang,
        of: args.of.clone(),
        passphrase_file: args.passphrase_file.clone(),
    };
    run_command(&out, args).map_err(|e| with_hint(&out, e))
}

fn run_command(out: &Out, args: Args) -> Result<ExitCode> {
    let out = out.clone();
    let command = args.command.unwrap_or(Command::App(AppArgs {
        zoom: 100,
        ..AppArgs::default()
    }));
    let dir = vault_dir(args.vault)?;
    let done = match command {
        Command::App(a) => return app(&out, dir, a),
        Command::Demo(a) => demo(&out, a),
        Command::Completions { shell } => {
            let mut text = Vec::new();
            completions(shell, &mut text);
            to_stdout(&text)
        }
        Command::Man => {
            let mut text = Vec::new();
            man(&mut text)?;
            to_stdout(&text)
        }
        Command::Init(a) => vault::init(&out, &dir, a),
        Command::Backup { out: file } => vault::backup(&out, &open_vault(&out, &dir)?, &file),
        Command::Restore(a) => vault::restore(&out, &dir, a),
        Command::RecoveryPhrase => vault::recovery_phrase(&out, &open_vault(&out, &dir)?),
        Command::RevokeDevice { device } => vault::revoke_device(&out, &mut open_vault(&out, &dir)?, &device),
        Command::Passphrase => vault::change_passphrase(&out, &open_vault(&out, &dir)?),
        Command::Whoami => vault::whoami(&out, &open_vault(&out, &dir)?),
        Command::Plan(c) => plan::run(&out, &mut open_vault(&out, &dir)?, c),
        Command::Budget(c) => budget::run(&out, &mut open_vault(&out, &dir)?, c),
        Command::Topup(a) => budget::topup(&out, &mut open_vault(&out, &dir)?, a),
        Command::Spend(a) => receipt::spend(&out, &mut open_vault(&out, &dir)?, a),
        Command::Receipt(a) => receipt::receipt(&out, &mut open_vault(&out, &dir)?, a),
        Command::Catalogue => budget::catalogue(&out),
        Command::Journal(c) => vault::journal(&out, &mut open_vault(&out, &dir)?, c),
        Command::Export(a) => vault::export(&out, &open_vault(&out, &dir)?, a),
        Command::VerifyExport(a) => vault::verify_export(&out, a),
        Command::Schema(a) => vault::schema(&out, a),
        Command::Rejections => vault::rejections(&out, &open_vault(&out, &dir)?),
        Command::Serve(a) => net::serve(&out, &dir, a),
        Command::Invite(a) => net::invite(&out, &mut open_vault(&out, &dir)?, a),
        Command::Join(a) => net::join(&out, &dir, a),
        Command::Sync(a) => net::sync(&out, &dir, a),
        Command::Peers => net::peers(&out, &open_vault(&out, &dir)?),
        Command::Status => net::status(&out, &mut open_vault(&out, &dir)?),
        Command::RelayConfig(a) => net::relay_config(&out, &open_vault(&out, &dir)?, a),
        Command::Postbus(a) => postbus::run(&out, a),
        Command::PostbusUse(a) => postbus::choose(&out, &open_vault(&out, &dir)?, a),
        Command::Consents => net::consents(&out, &open_vault(&out, &dir)?),
        Command::Trust(c) => net::trust(&out, &mut open_vault(&out, &dir)?, c),
        Command::Revoke(a) => net::revoke(&out, &mut open_vault(&out, &dir)?, a),
        Command::AccessLog => net::access_log(&out, &open_vault(&out, &dir)?),
        Command::Request(a) => request::request(&out, &mut open_vault(&out, &dir)?, a),
        Command::Requests => request::requests(&out, &open_vault(&out, &dir)?),
        Command::Answer { request, text } => request::answer(&out, &mut open_vault(&out, &dir)?, &request, &text),
        Command::Review { request, reason } => request::review(&out, &mut open_vault(&out, &dir)?, &request, &reason),
        Command::Inbox => request::inbox(&out, &open_vault(&out, &dir)?),
        Command::Assess { request } => request::assess(&out, &mut open_vault(&out, &dir)?, &request),
        Command::Ask { request, question } => request::ask(&out, &mut open_vault(&out, &dir)?, &request, &question),
        Command::Decide(a) => request::decide(&out, &mut open_vault(&out, &dir)?, a),
        Command::Allocate => request::allocate(&out, &mut open_vault(&out, &dir)?),
        Command::Transfer(a) => request::transfer(&out, &mut open_vault(&out, &dir)?, a),
        Command::AcceptTransfer { transfer, account } => {
            request::accept_transfer(&out, &mut open_vault(&out, &dir)?, &transfer, &account)
        }
        Command::Transfers => request::transfers(&out, &open_vault(&out, &dir)?),
        Command::Pot(c) => pot::run(&out, &mut open_vault(&out, &dir)?, c),
        Command::Offer(a) => market::offer(&out, &mut open_vault(&out, &dir)?, a),
        Command::Market(a) => market::market(&out, &open_vault(&out, &dir)?, a),
        Command::Order(a) => market::order(&out, &mut open_vault(&out, &dir)?, a),
        Command::AdmitProvider { provider } => market::admission(&out, &mut open_vault(&out, &dir)?, &provider, true),
        Command::WithdrawProvider { provider } => {
            market::admission(&out, &mut open_vault(&out, &dir)?, &provider, false)
        }
        Command::Agreements => market::agreements(&out, &open_vault(&out, &dir)?),
        Command::InformalAgree(a) => informal::agree(&out, &mut open_vault(&out, &dir)?, a),
        Command::Countersign { agreement } => market::countersign(&out, &mut open_vault(&out, &dir)?, &agreement),
        Command::Declare(a) => market::declare(&out, &mut open_vault(&out, &dir)?, a),
        Command::CancelAgreement(a) => market::cancel(&out, &mut open_vault(&out, &dir)?, a),
        Command::Release(a) => market::release(&out, &mut open_vault(&out, &dir)?, a),
        Command::Approve { declaration } => market::judge(&out, &mut open_vault(&out, &dir)?, &declaration, None),
        Command::Mandate(c) => mandate::run(&out, &mut open_vault(&out, &dir)?, c),
        Command::Dispute { declaration, reason } => {
            market::judge(&out, &mut open_vault(&out, &dir)?, &declaration, Some(reason))
        }
        Command::VerifyClaims { csv } => market::verify_claims(&out, &open_vault(&out, &dir)?, csv),
        Command::ExportClaims { out: path } => market::export_claims(&out, &open_vault(&out, &dir)?, path),
        Command::Verify { file, trust } => market::verify_file(&out, file, &trust),
        Command::Policy(c) => request::policy(&out, &dir, c),
    };
    done.map(|()| ExitCode::SUCCESS)
}

/// Adds what to type next to a library error that a command can fix: the
/// library names no commands, the command line does.
fn with_hint(out: &Out, e: anyhow::Error) -> anyhow::Error {
    let hint = match e.downcast_ref::<VaultError>() {
        Some(VaultError::NotFound(_)) => out.t(|t| t.create_or_choose_vault),
        Some(VaultError::NoTrustRoot) => out.t(|t| t.give_municipality_key),
        _ => return e,
    };
    anyhow::Error::new(exit::Hinted {
        error: e,
        hint: hint.to_string(),
    })
}

/// The default demo folder: `demo` next to the default vault.
pub fn demo_dir() -> Result<PathBuf> {
    Ok(dirs::data_dir()
        .context("no data directory is known for this user: pass --out DIR")?
        .join("inwonercloud")
        .join("demo"))
}

fn demo(out: &Out, a: DemoArgs) -> Result<()> {
    let base = match a.out {
        Some(p) => p,
        None => demo_dir()?,
    };
    let w = crate::demo::DemoWorld::at(&base);
    if w.exists() {
        return Err(exit::fail(
            exit::ErrorKind::InvalidInput,
            out.t(|t| t.demo_exists(&base.display().to_string())),
        ));
    }
    let w = crate::demo::build(&base)?;
    out.emit(
        &serde_json::json!({"citizen": w.citizen, "counselor": w.counselor, "provider": w.provider, "municipality": w.municipality, "carer": w.carer, "representative": w.representative, "household": w.household}),
        || {
            println!(
                "{}",
                out.t(|t| {
                    let path = |p: &std::path::Path| p.display().to_string();
                    t.demo_built(
                        &path(&base),
                        &[
                            (t.demo_citizen, path(&w.citizen)),
                            (t.demo_counselor, path(&w.counselor)),
                            (t.demo_provider, path(&w.provider)),
                            (t.demo_municipality, path(&w.municipality)),
                            (t.demo_carer, path(&w.carer)),
                            (t.demo_representative, path(&w.representative)),
                            (t.demo_household, path(&w.household)),
                        ],
                    )
                })
            )
        },
    )
}

fn app(out: &Out, dir: PathBuf, a: AppArgs) -> Result<ExitCode> {
    let demo_base = demo_dir()?;
    let mut vault = dir;
    if let Some(role) = &a.demo {
        let w = crate::demo::DemoWorld::at(&demo_base);
        if w.exists() && w.outdated() {
            // Demo data of an earlier version: build it anew.
            std::fs::remove_dir_all(&demo_base).with_context(|| out.t(|t| t.cannot_remove_old_demo(&demo_base)))?;
        }
        if !w.exists() {
            crate::demo::build(&demo_base)?;
        }
        vault = match role.to_lowercase().as_str() {
            "inwoner" | "citizen" => w.citizen,
            "begeleider" | "counselor" => w.counselor,
            "zorgaanbieder" | "provider" => w.provider,
            "gemeente" | "municipality" => w.municipality,
            "mantelzorger" | "carer" => w.carer,
            "vertegenwoordiger" | "representative" => w.representative,
            "gezin" | "household" => w.household,
            other => {
                return Err(exit::fail(
                    exit::ErrorKind::InvalidInput,
                    out.t(|t| t.unknown_demo_role(other)),
                ));
            }
        };
    }
    let screen = match &a.screen {
        Some(s) => Some(crate::gui::Screen::parse(s).with_context(|| out.t(|t| t.unknown_screen(s)))?),
        None => None,
    };
    Ok(crate::gui::run(crate::gui::Options {
        vault,
        demo_dir: demo_base,
        lang: out.lang,
        network: (!a.offline).then(inwonercloud_sync::NodeConfig::default),
        screen,
        zoom: f32::from(a.zoom.clamp(50, 300)) / 100.0,
        theme: a.theme,
        settings: dirs::config_dir().map(|d| d.join("inwonercloud").join("app.json")),
    }))
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

/// Opens the vault, asking for its passphrase (or reading `INWONERCLOUD_PASSPHRASE`).
fn open_vault(out: &Out, dir: &std::path::Path) -> Result<Vault> {
    if !Vault::exists(dir) {
        return Err(inwonercloud_vault::VaultError::NotFound(dir.display().to_string()).into());
    }
    Ok(Vault::open(dir, &passphrase::current(out)?)?)
}
