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
        relays.push(r.parse().with_context(|| out.t(|t| t.not_a_relay_url(r)))?);
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
    let rt = super::net::runtime(out)?;
    rt.block_on(async {
        let pb = Postbus::spawn(&a.dir, cfg)
            .await
            .with_context(|| out.t(|t| t.cannot_start_postbus(&a.bind.to_string(), &a.dir)))?;
        let addr = pb.addr();
        tracing::info!(postbus = %addr, "postbus started");
        // For scripts and operators: the address, also in a file beside the store.
        let file = a.dir.join("postbus-address.txt");
        std::fs::write(&file, format!("{addr}\n")).with_context(|| out.t(|t| t.cannot_write(&file)))?;
        out.emit(&serde_json::json!({"postbus": addr.to_string()}), || {
            println!(
                "{}\n\n{addr}\n\n{}",
                out.t(|t| t.postbus_running),
                out.t(|t| t.postbus_use_and_stop)
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
        out.say(|t| t.postbus_left);
        return Ok(());
    }
    let Some(text) = a.addr else {
        let now = v.postbus()?;
        return out.emit(
            &serde_json::json!({"postbus": now.as_ref().map(|p| p.to_string())}),
            || match &now {
                Some(p) => println!("{} {p}", out.t(|t| t.postbus_title)),
                None => out.say(|t| t.no_postbus_chosen),
            },
        );
    };
    let addr: PostbusAddr = text.parse()?;
    v.set_postbus(Some(&addr))?;
    out.emit(&serde_json::json!({"postbus": addr.to_string()}), || {
        println!("{}", out.t(|t| t.postbus_chosen))
    })
}

/// One line about a postbus round, for a person.
pub fn describe(out: &Out, r: &RoundReport) -> String {
    let mut s = format!(
        "{} {} {} ({}), {} {} ({})",
        out.t(|t| t.postbus_colon),
        r.received,
        out.t(|t| t.received),
        out.t(|t| t.changes_count(r.changes_received)),
        r.deposited,
        out.t(|t| t.left_at_postbus),
        out.t(|t| t.changes_count(r.changes_deposited)),
    );
    if r.refused > 0 {
        s.push_str(&format!(", {} {}", r.refused, out.t(|t| t.refused)));
    }
    for p in &r.problems {
        s.push_str(&format!("\n  {p}"));
    }
    s
}

/// How often a running node visits its postbusses when nothing changes.
pub const ROUND_EVERY: Duration = Duration::from_secs(30);
