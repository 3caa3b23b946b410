//! Postbus commands: run a postbus (`postbus`), choose one (`postbus-use`),
//! and report a node's postbus round.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use inwonercloud_sync::postbus::{Limits, Postbus, PostbusConfig, RoundReport};
use inwonercloud_vault::Vault;
use inwonercloud_vault::mail::PostbusAddr;

use super::Out;

/// Port a postbus listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 47471;

/// Arguments of `postbus`.
#[derive(Args, Debug)]
pub struct PostbusArgs {
    /// Directory for the postbus's key and store (made if missing).
    #[arg(long)]
    pub dir: PathBuf,
    /// Address to listen on (keep the port fixed: citizens store it).
    #[arg(long, default_value_t = SocketAddr::from(([0, 0, 0, 0], DEFAULT_PORT)))]
    pub bind: SocketAddr,
    /// Relay URL(s) to keep a home on, comma-separated, for devices behind NAT.
    #[arg(long)]
    pub relay: Option<String>,
    /// Space per citizen, in MiB.
    #[arg(long, default_value_t = 64)]
    pub quota_mib: u64,
    /// Days mail is kept for a device that does not collect it.
    #[arg(long, default_value_t = 30)]
    pub days: u64,
}

/// `postbus`: runs a postbus until SIGTERM or Ctrl-C.
pub fn run(out: &Out, a: PostbusArgs) -> Result<()> {
    let mut relays = vec![];
    for r in a
        .relay
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        relays.push(r.parse().with_context(|| format!("'{r}' is not a relay URL"))?);
    }
    let cfg = PostbusConfig {
        bind: a.bind,
        relays,
        limits: Limits {
            quota_bytes: a.quota_mib.saturating_mul(1024 * 1024),
            ttl_secs: a.days.saturating_mul(24 * 3600),
            ..Limits::default()
        },
    };
    let rt = super::net::runtime()?;
    rt.block_on(async {
        let pb = Postbus::spawn(&a.dir, cfg)
            .await
            .with_context(|| format!("cannot start the postbus on {} in {}", a.bind, a.dir.display()))?;
        let addr = pb.addr();
        tracing::info!(postbus = %addr, "postbus started");
        // For scripts and operators: the address, also in a file beside the store.
        let file = a.dir.join("postbus-address.txt");
        std::fs::write(&file, format!("{addr}\n")).with_context(|| format!("cannot write {}", file.display()))?;
        out.emit(&serde_json::json!({"postbus": addr.to_string()}), || {
            println!(
                "{}\n\n{addr}\n\n{}",
                out.t(
                    "De postbus draait. Inwoners kiezen hem met:",
                    "The postbus is running. Citizens choose it with:"
                ),
                out.t(
                    "inwonercloud postbus-use <adres hierboven>\nStoppen: Ctrl-C (of SIGTERM)",
                    "inwonercloud postbus-use <address above>\nStop: Ctrl-C (or SIGTERM)"
                )
            )
        })?;
        let why = super::net::stop_signal().await;
        tracing::info!(signal = why, "stopping the postbus");
        pb.shutdown().await;
        tracing::info!("stopped");
        Ok(())
    })
}

/// Arguments of `postbus-use`.
#[derive(Args, Debug)]
pub struct PostbusUseArgs {
    /// The postbus's address, as `postbus` printed it (ENDPOINT_ID@IP:PORT[;relay=URL]).
    pub addr: Option<String>,
    /// Stop using a postbus.
    #[arg(long, conflicts_with = "addr")]
    pub off: bool,
}

/// `postbus-use`: chooses the postbus where peers leave mail for this vault's owner.
pub fn choose(out: &Out, v: &Vault, a: PostbusUseArgs) -> Result<()> {
    if a.off {
        v.set_postbus(None)?;
        out.say(
            "Geen postbus meer. Wie met u deelt, hoort dat bij de volgende verbinding.",
            "No postbus any more. Those you share with learn it at the next connection.",
        );
        return Ok(());
    }
    let Some(text) = a.addr else {
        let now = v.postbus()?;
        return out.emit(
            &serde_json::json!({"postbus": now.as_ref().map(|p| p.to_string())}),
            || match &now {
                Some(p) => println!("{} {p}", out.t("Postbus:", "Postbus:")),
                None => out.say(
                    "Nog geen postbus gekozen. Kies er een met: inwonercloud postbus-use ADRES",
                    "No postbus chosen yet. Choose one with: inwonercloud postbus-use ADDRESS",
                ),
            },
        );
    };
    let addr: PostbusAddr = text.parse()?;
    v.set_postbus(Some(&addr))?;
    out.emit(&serde_json::json!({"postbus": addr.to_string()}), || {
        println!(
            "{}",
            out.t(
                "Postbus gekozen. Wie met u deelt, laat daar voortaan wijzigingen achter als u offline bent\n(versleuteld: alleen wie u toestemming gaf kan ze lezen). Uw knooppunt geeft de postbus\nuw lijst van toestemmingen bij de volgende verbinding.",
                "Postbus chosen. Those you share with now leave changes there while you are offline\n(sealed: only those you consented to can read them). Your node gives the postbus\nyour list of consents at its next connection."
            )
        )
    })
}

/// One line about a postbus round, for a person.
pub fn describe(out: &Out, r: &RoundReport) -> String {
    let mut s = format!(
        "{} {} {} ({} {}), {} {} ({} {})",
        out.t("postbus:", "postbus:"),
        r.received,
        out.t("ontvangen", "received"),
        r.changes_received,
        out.t("wijzigingen", "changes"),
        r.deposited,
        out.t("achtergelaten", "left"),
        r.changes_deposited,
        out.t("wijzigingen", "changes"),
    );
    if r.refused > 0 {
        s.push_str(&format!(", {} {}", r.refused, out.t("geweigerd", "refused")));
    }
    for p in &r.problems {
        s.push_str(&format!("\n  {p}"));
    }
    s
}

/// How often a running node visits its postbusses when nothing changes.
pub const ROUND_EVERY: Duration = Duration::from_secs(30);
