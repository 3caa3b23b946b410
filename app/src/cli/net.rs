//! Network commands: serve, invite, join, sync, peers, consents, revoke, access-log.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use inwonercloud_schemas::{Access, Date, PublicKey, Role};
use inwonercloud_sync::{Node, NodeConfig, Ticket, parse_addr, ticket_addr};
use inwonercloud_vault::DB_FILE;
use inwonercloud_vault::Vault;
use inwonercloud_vault::consent::InviteSpec;
use inwonercloud_vault::trust::fingerprint;

use super::Out;
use super::parse::{date, role};

/// Port `serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 47470;

pub(super) fn runtime(out: &Out) -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context(out.t(|t| t.cannot_start_network))
}

/// A node configuration; `relays` is one relay URL or several, separated by
/// commas (the first is used first, the others when it is down).
fn config(out: &Out, bind: SocketAddr, relays: Option<&str>) -> Result<NodeConfig> {
    let mut urls = vec![];
    for r in relays.unwrap_or("").split(',').map(str::trim).filter(|r| !r.is_empty()) {
        urls.push(r.parse().with_context(|| out.t(|t| t.not_a_relay_url(r)))?);
    }
    let mut urls = urls.into_iter();
    Ok(NodeConfig {
        bind,
        relay: urls.next(),
        fallback_relays: urls.collect(),
        ..NodeConfig::default()
    })
}

fn short_doc(doc: &str) -> String {
    match doc.split_once('/') {
        Some((owner, rest)) => format!(
            "{}…/{}",
            &owner[..8.min(owner.len())],
            rest.split('/').next().unwrap_or(rest)
        ),
        None => doc.to_string(),
    }
}

/// Arguments of `serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value_t = SocketAddr::from(([0, 0, 0, 0], DEFAULT_PORT)))]
    pub bind: SocketAddr,
    /// A relay URL for peers that cannot reach you directly (for example your
    /// municipality's); several, comma-separated, for when the first is down.
    #[arg(long)]
    pub relay: Option<String>,
    /// Stay connected to these peers too (ENDPOINT_ID@IP:PORT).
    #[arg(long)]
    pub peer: Vec<String>,
    /// The role this node serves as; `gemeente` checks the vault is a municipality's.
    #[arg(long, value_parser = role)]
    pub role: Option<Role>,
    /// Municipality: publish this policy file and decide incoming requests by its rules.
    #[arg(long)]
    pub policy: Option<std::path::PathBuf>,
}

pub fn serve(out: &Out, dir: &Path, a: ServeArgs) -> Result<()> {
    let mut vault = super::open_vault(out, dir)?;
    if let Some(r) = a.role
        && r != vault.role()
    {
        return Err(super::exit::fail(
            super::exit::ErrorKind::InvalidInput,
            out.t(|t| t.vault_has_another_role(vault.role().label(out.lang), r.label(out.lang))),
        ));
    }
    let automate = a.policy.is_some();
    if let Some(file) = &a.policy {
        let text = std::fs::read_to_string(file).with_context(|| out.t(|t| t.cannot_read(file)))?;
        let p = inwonercloud_schemas::Policy::from_json(&text).with_context(|| out.t(|t| t.not_a_policy(file)))?;
        vault.publish_policy(p)?;
    }
    // `--relay` once is remembered: later starts (and `join`, `sync`, the app) use it.
    let relay = match &a.relay {
        Some(r) => Some(r.clone()),
        None => vault.setting("relay")?.filter(|r| !r.is_empty()),
    };
    let rt = runtime(out)?;
    rt.block_on(async {
        let node = Node::spawn(vault, config(out, a.bind, relay.as_deref())?)
            .await
            .with_context(|| out.t(|t| t.cannot_listen(&a.bind.to_string())))?;
        let addrs: Vec<String> = node.addrs().iter().map(|s| s.to_string()).collect();
        node.with_vault(|v| v.set_setting("serve_addrs", &addrs.join(",")))?;
        if let Some(r) = &a.relay {
            node.with_vault(|v| v.set_setting("relay", r))?;
        }
        let who = node.with_vault(|v| v.whoami());
        let connect = format!("{}@{}", node.id(), addrs.join(","));
        out.emit(
            &serde_json::json!({"identity": who.identity, "endpoint": node.id(), "addrs": addrs, "connect": connect}),
            || println!("{}", out.t(|t| t.serving(&who.name, &connect.to_string()))),
        )?;
        for p in &a.peer {
            node.keep_connected(parse_addr(p)?);
        }
        node.keep_known_peers_connected();
        node.keep_postbus_rounds(super::postbus::ROUND_EVERY);
        let allocate = |node: &Node| {
            if !automate {
                return;
            }
            match node.with_vault(|v| v.allocate()) {
                Ok(done) => {
                    for x in done {
                        let what = match &x.rule {
                            Some(r) => format!("{} {r}", out.t(|t| t.granted_automatically_rule)),
                            None => out.t(|t| t.to_the_inbox).to_string(),
                        };
                        if !out.json {
                            println!("{} {} ({}): {what}", out.t(|t| t.request), x.request, x.holder);
                        }
                    }
                }
                Err(e) => eprintln!("allocate: {e}"),
            }
        };
        allocate(&node);
        let started = inwonercloud_vault::keys::now();
        let snapshot = |node: &Node, running: bool| {
            let status = NodeStatus {
                pid: std::process::id(),
                running,
                started,
                updated: inwonercloud_vault::keys::now(),
                addrs: addrs.clone(),
                relay: relay.clone(),
                peers: node.peer_status().into_iter().collect(),
                postbus_round: node.last_postbus_round(),
            };
            if let Ok(json) = serde_json::to_string(&status) {
                let _ = node.with_vault(|v| v.set_setting(NODE_STATUS, &json));
            }
        };
        snapshot(&node, true);
        let mut changes = node.subscribe();
        let mut status: BTreeMap<PublicKey, bool> = BTreeMap::new();
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        let stop = stop_signal();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                why = &mut stop => {
                    tracing::info!(signal = why, "stopping: closing sessions and the vault");
                    break;
                }
                d = changes.recv() => {
                    if let Ok(docs) = d && !out.json {
                        let names: Vec<String> = docs.iter().map(|d| short_doc(d)).collect();
                        println!("{} {}", out.t(|t| t.updated_colon), names.join(", "));
                    }
                    allocate(&node);
                }
                _ = tick.tick() => {
                    let mut moved = false;
                    for (peer, s) in node.peer_status() {
                        let was = status.insert(peer, s.online);
                        moved |= was != Some(s.online);
                        if was != Some(s.online) && !out.json {
                            if s.online {
                                println!("{} {}", out.t(|t| t.connected_to), s.name);
                            } else {
                                println!("{} {}{}", out.t(|t| t.disconnected_from), s.name,
                                    s.last_error.map(|e| format!(" ({e})")).unwrap_or_default());
                            }
                        }
                    }
                    if moved {
                        snapshot(&node, true);
                    }
                }
            }
        }
        snapshot(&node, false);
        node.shutdown().await;
        tracing::info!("stopped");
        Ok(())
    })
}

/// The setting under which a running `serve` keeps its [`NodeStatus`].
const NODE_STATUS: &str = "node_status";

/// What a running `serve` writes into its vault for `status` to read.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct NodeStatus {
    /// Its process id.
    pub pid: u32,
    /// Whether it was running when it last wrote (false after a clean stop).
    pub running: bool,
    /// Unix seconds it started.
    pub started: u64,
    /// Unix seconds it last wrote this.
    pub updated: u64,
    /// Addresses it listens on.
    pub addrs: Vec<String>,
    /// The relay it uses, if any.
    pub relay: Option<String>,
    /// Per peer: name, online, last sync, last error.
    pub peers: Vec<(PublicKey, inwonercloud_sync::PeerStatus)>,
    /// What its last postbus round did.
    #[serde(default)]
    pub postbus_round: Option<inwonercloud_sync::postbus::RoundReport>,
}

/// `status`: whether a node serves this vault, whom it is connected to, and
/// what waits to be delivered to each peer.
pub fn status(out: &Out, v: &mut Vault) -> Result<()> {
    let node: Option<NodeStatus> = v.setting(NODE_STATUS)?.and_then(|s| serde_json::from_str(&s).ok());
    // A node that was killed never wrote `running: false`: look for its process.
    let alive = node
        .as_ref()
        .is_some_and(|n| n.running && std::path::Path::new(&format!("/proc/{}", n.pid)).exists());
    let backlog = v.backlog()?;
    let postbus = v.postbus()?.map(|p| p.to_string());
    let mail_waiting = v.mail_waiting();
    let json = serde_json::json!({"running": alive, "node": node, "backlog": backlog,
        "postbus": postbus, "mail_waiting": mail_waiting});
    out.emit(&json, || {
        match &node {
            Some(n) if alive => {
                println!(
                    "{} {} ({} {}, {} {})",
                    out.t(|t| t.node),
                    out.t(|t| t.running),
                    out.t(|t| t.process),
                    n.pid,
                    out.t(|t| t.since),
                    out.day(n.started)
                );
                println!("{} {}", out.t(|t| t.addresses), n.addrs.join(", "));
                if let Some(r) = &n.relay {
                    println!("Relay: {r}");
                }
                for (_, p) in &n.peers {
                    println!(
                        "  {:<24} {}{}",
                        p.name,
                        if p.online {
                            out.t(|t| t.connected)
                        } else {
                            out.t(|t| t.not_connected)
                        },
                        p.last_error.as_ref().map(|e| format!(" ({e})")).unwrap_or_default()
                    );
                }
            }
            _ => out.say(|t| t.node_not_running),
        }
        let waiting: Vec<&inwonercloud_vault::consent::Backlog> =
            backlog.iter().filter(|b| !b.docs.is_empty()).collect();
        if waiting.is_empty() {
            out.say(|t| t.nothing_waits);
        }
        match &postbus {
            Some(p) => println!("{} {p}", out.t(|t| t.your_postbus)),
            None => out.say(|t| t.no_postbus_online_together),
        }
        if let Some(r) = node.as_ref().and_then(|n| n.postbus_round.as_ref()) {
            println!("{} {}", out.t(|t| t.last_round), super::postbus::describe(out, r));
        }
        for (doc, n) in &mail_waiting {
            println!(
                "{} {}: {}",
                out.t(|t| t.still_leave_postbus),
                short_doc(doc),
                out.t(|t| t.changes_count(*n))
            );
        }
        for b in waiting {
            let docs: Vec<String> = b
                .docs
                .iter()
                .map(|(d, n)| format!("{} ({})", short_doc(d), out.t(|t| t.changes_count(*n))))
                .collect();
            println!("{} {}: {}", out.t(|t| t.waiting_for), b.name, docs.join(", "));
        }
    })
}

/// Arguments of `relay-config`.
#[derive(Args, Debug)]
pub struct RelayConfigArgs {
    /// Where the relay listens for HTTP.
    #[arg(long, default_value = "0.0.0.0:3340")]
    pub bind: SocketAddr,
}

/// `relay-config`: a configuration for the upstream `iroh-relay` server with
/// an allowlist of every device this vault holds a certificate for under its
/// own identity or a known peer's. Run it again (and restart the relay) when
/// peers join.
pub fn relay_config(out: &Out, v: &Vault, a: RelayConfigArgs) -> Result<()> {
    let mut allow: Vec<(PublicKey, String)> = v
        .devices_of(&v.identity())
        .into_iter()
        .map(|d| (d, v.name().to_string()))
        .collect();
    for p in v.peers()? {
        for d in v.devices_of(&p.identity).into_iter().chain(p.devices.iter().copied()) {
            if !allow.iter().any(|(k, _)| k == &d) {
                allow.push((d, p.name.clone()));
            }
        }
    }
    let lines: Vec<String> = allow
        .iter()
        .map(|(d, name)| format!("  \"{d}\", # {}", name.replace('\n', " ")))
        .collect();
    let toml = format!(
        "# iroh-relay configuration made by `inwonercloud relay-config` for {name}.\n\
         # Run: iroh-relay --config-path relay.toml (see docs/running-a-node.md).\n\
         # The relay sees only encrypted QUIC; it serves only the devices below.\n\
         enable_relay = true\n\
         http_bind_addr = \"{bind}\"\n\
         enable_quic_addr_discovery = false\n\
         access.allowlist = [\n{list}\n]\n",
        name = v.name(),
        bind = a.bind,
        list = lines.join("\n")
    );
    out.emit(&serde_json::json!({"config": toml, "devices": allow.len()}), || {
        print!("{toml}")
    })
}

/// Resolves on Ctrl-C or SIGTERM (what systemd sends on `systemctl stop`),
/// naming which.
pub(super) async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = tokio::signal::ctrl_c() => "SIGINT",
                _ = term.recv() => "SIGTERM",
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

/// Arguments of `invite`.
#[derive(Args, Debug)]
pub struct InviteArgs {
    /// Role of whom you invite: begeleider, familie, zorgaanbieder, gemeente.
    #[arg(long, value_parser = role, required_unless_present = "device")]
    pub role: Option<Role>,
    /// Documents to share, comma-separated: plan, budget, journal, profile, or document ids.
    #[arg(long, value_delimiter = ',', required_unless_present = "device")]
    pub docs: Vec<String>,
    /// Let them write (co-edit) too; otherwise they may only read.
    #[arg(long)]
    pub write: bool,
    /// Last day the consent is valid.
    #[arg(long, value_parser = date)]
    pub until: Option<Date>,
    /// Why you share, in words.
    #[arg(long, default_value = "")]
    pub purpose: String,
    /// An invite for another device of yours (it will see and write everything).
    #[arg(long)]
    pub device: bool,
    /// Hours the ticket stays usable.
    #[arg(long, default_value_t = 168)]
    pub hours: u64,
}

pub fn invite(out: &Out, v: &mut Vault, a: InviteArgs) -> Result<()> {
    let addrs = v.setting("serve_addrs")?.unwrap_or_default();
    if addrs.is_empty() {
        bail!("{}", out.t(|t| t.start_serve_first));
    }
    let documents = if a.device {
        vec![]
    } else {
        a.docs.iter().map(|d| v.resolve_doc(d)).collect::<Result<Vec<_>, _>>()?
    };
    let spec = InviteSpec {
        role: if a.device {
            v.role()
        } else {
            a.role.unwrap_or(Role::Family)
        },
        documents,
        access: if a.write || a.device {
            Access::Write
        } else {
            Access::Read
        },
        valid_until: a.until,
        purpose: a.purpose,
        name_hint: String::new(),
        device: a.device,
    };
    let (secret, invite) = v.create_invite(spec, a.hours * 3600)?;
    let expires = invite.expires_at;
    let who = v.whoami();
    let ticket = Ticket::for_invite(
        who.device,
        addrs.split(',').map(str::to_string).collect(),
        v.setting("relay")?,
        &who,
        invite,
        &secret,
    );
    let text = ticket.to_string();
    out.emit(
        &serde_json::json!({"ticket": text, "expires": inwonercloud_schemas::Date::dutch(expires)}),
        || {
            println!("{}\n\n{text}\n", out.t(|t| t.give_invite));
            println!(
                "{} inwonercloud join <{}>",
                out.t(|t| t.they_run),
                out.t(|t| t.ticket_word)
            );
            println!(
                "{} {}",
                out.t(|t| t.your_fingerprint_compare),
                fingerprint(&who.identity)
            );
        },
    )
}

/// Arguments of `join`.
#[derive(Args, Debug)]
pub struct JoinArgs {
    /// The invite ticket (starts with inwonercloud1).
    pub ticket: String,
    /// This device's name (for a device ticket on a new device).
    #[arg(long, default_value = "telefoon")]
    pub device_name: String,
}

pub fn join(out: &Out, dir: &Path, a: JoinArgs) -> Result<()> {
    let ticket: Ticket = a.ticket.parse()?;
    let vault = if dir.join(DB_FILE).exists() {
        super::open_vault(out, dir)?
    } else if ticket.device {
        Vault::create_unlinked(
            dir,
            &a.device_name,
            &super::passphrase::new(out, inwonercloud_vault::seal::PASSPHRASE_ENV)?,
        )?
    } else {
        bail!("{}", out.t(|t| t.create_own_vault_first));
    };
    // The ticket's relay (the inviter's) is used to reach the inviter, and
    // kept for later syncs when this vault has none of its own.
    let own = vault.setting("relay")?.filter(|r| !r.is_empty());
    let relay = own.clone().or_else(|| ticket.relay.clone());
    let cfg = config(out, SocketAddr::from(([0, 0, 0, 0], 0)), relay.as_deref())?;
    if let (None, Some(theirs)) = (&own, &ticket.relay) {
        vault.set_setting("relay", theirs)?;
    }
    let rt = runtime(out)?;
    rt.block_on(async {
        let node = Node::spawn(vault, cfg).await?;
        let report = node.join(&ticket).await?;
        node.shutdown().await;
        out.emit(&report, || {
            println!(
                "{} {}: {}",
                out.t(|t| t.fingerprint_of),
                ticket.inviter_name,
                fingerprint(&ticket.inviter)
            );
            println!("{}", out.t(|t| t.trust_inviter_hint(&ticket.inviter.to_string())));
            println!(
                "{}",
                out.t(|t| {
                    t.synced_with(
                        &report.peer_name,
                        report.received_changes,
                        report.docs_received.len(),
                        report.sent_changes,
                    )
                })
            );
            let _ = ticket_addr(&ticket);
        })
    })
}

/// Arguments of `sync`.
#[derive(Args, Debug)]
pub struct SyncArgs {
    /// A known peer's name or identity (prefix), or ENDPOINT_ID@IP:PORT; default: every known peer.
    pub peer: Option<String>,
    /// Stay connected and exchange changes as they are made (until Ctrl-C).
    #[arg(long)]
    pub live: bool,
}

pub fn sync(out: &Out, dir: &Path, a: SyncArgs) -> Result<()> {
    let vault = super::open_vault(out, dir)?;
    let relay = vault.setting("relay")?.filter(|r| !r.is_empty());
    let cfg = config(out, SocketAddr::from(([0, 0, 0, 0], 0)), relay.as_deref())?;
    let via: Vec<_> = cfg.relay.iter().chain(&cfg.fallback_relays).cloned().collect();
    let rt = runtime(out)?;
    rt.block_on(async {
        let node = Node::spawn(vault, cfg).await?;
        let peers = node.with_vault(|v| v.peers())?;
        let mut targets = vec![];
        match &a.peer {
            Some(p) if p.contains('@') => {
                // Through our relay too, when the address itself cannot be reached.
                let addr = parse_addr(p)?;
                let addr = via.iter().fold(addr, |a, r| a.with_relay_url(r.clone()));
                targets.push((p.clone(), addr))
            }
            Some(p) => {
                let low = p.to_lowercase();
                for info in peers
                    .iter()
                    .filter(|i| i.name.to_lowercase().contains(&low) || i.identity.to_string().starts_with(&low))
                {
                    if let Some(addr) = node.peer_addr(&info.identity) {
                        targets.push((info.name.clone(), addr));
                    }
                }
                if targets.is_empty() {
                    return Err(super::exit::fail(
                        super::exit::ErrorKind::NotFound,
                        format!("{} '{p}'", out.t(|t| t.no_known_peer_named)),
                    ));
                }
            }
            None => {
                for info in peers.iter().filter(|i| !i.addrs.is_empty()) {
                    if let Some(addr) = node.peer_addr(&info.identity) {
                        targets.push((info.name.clone(), addr));
                    }
                }
            }
        }
        let postbusses = node.with_vault(|v| v.mail_owners());
        if targets.is_empty() && postbusses.is_empty() {
            out.say(|t| t.no_peers_with_address);
            return Ok(());
        }
        if a.live {
            for (_, addr) in &targets {
                node.keep_connected(addr.clone());
            }
            out.say(|t| t.live_stop_with_ctrl_c);
            let mut changes = node.subscribe();
            loop {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => break,
                    d = changes.recv() => {
                        if let Ok(docs) = d && !out.json {
                            let names: Vec<String> = docs.iter().map(|d| short_doc(d)).collect();
                            println!("{} {}", out.t(|t| t.updated_colon), names.join(", "));
                        }
                    }
                }
            }
            node.shutdown().await;
            return Ok(());
        }
        let mut reports = vec![];
        let mut failed = 0;
        for (name, addr) in targets {
            match node.sync_once(addr).await {
                Ok(r) => {
                    if !out.json {
                        println!(
                            "{name}: {} {}, {} {} ({} bytes)",
                            out.t(|t| t.received),
                            r.received_changes,
                            out.t(|t| t.sent),
                            r.sent_changes,
                            r.bytes_sent + r.bytes_received
                        );
                    }
                    reports.push(serde_json::to_value(&r)?);
                }
                Err(e) => {
                    failed += 1;
                    if !out.json {
                        println!("{name}: {} {e}", out.t(|t| t.failed_colon));
                    }
                    reports.push(serde_json::json!({"peer_name": name, "error": e.to_string()}));
                }
            }
        }
        // Then the postbusses: collect what was left for us, leave what we
        // wrote for whoever was not reached directly.
        if !postbusses.is_empty() {
            let round = node.postbus_round().await;
            if !out.json {
                println!("{}", super::postbus::describe(out, &round));
            }
            failed += round.problems.len();
            reports.push(serde_json::json!({"postbus": round}));
        }
        node.shutdown().await;
        if out.json {
            println!("{}", serde_json::to_string_pretty(&reports)?);
        }
        if failed > 0 {
            return Err(super::exit::fail(
                super::exit::ErrorKind::Network,
                out.t(|t| t.syncs_failed(failed)),
            ));
        }
        Ok(())
    })
}

pub fn peers(out: &Out, v: &Vault) -> Result<()> {
    let p = v.peers()?;
    out.emit(&p, || {
        if p.is_empty() {
            out.say(|t| t.no_known_peers);
        }
        for i in &p {
            println!(
                "{:<24} {:<14} {}  {}  {}",
                i.name,
                i.role.label(out.lang),
                i.identity.short(),
                i.addrs.join(","),
                out.day(i.last_seen)
            );
        }
    })
}

pub fn consents(out: &Out, v: &Vault) -> Result<()> {
    let c = v.consents()?;
    out.emit(&c, || {
        if c.is_empty() {
            out.say(|t| t.you_share_nothing);
        }
        for x in &c {
            let r = &x.consent.record;
            let docs: Vec<String> = r.documents.iter().map(|d| short_doc(d)).collect();
            let state = if x.revocation.is_some() {
                out.t(|t| t.revoked)
            } else if x.active {
                out.t(|t| t.active)
            } else {
                out.t(|t| t.expired)
            };
            println!(
                "{}  {:<20} {:<12} {:<6} {:<10} {}  [{}]",
                r.id,
                r.grantee_name,
                r.role.label(out.lang),
                if r.access == Access::Write {
                    out.t(|t| t.write_access)
                } else {
                    out.t(|t| t.read_access)
                },
                state,
                docs.join(","),
                r.purpose
            );
        }
        println!("\n{}", out.t(|t| t.revoking_stops_sharing));
    })
}

/// Arguments of `revoke`.
#[derive(Args, Debug)]
pub struct RevokeArgs {
    /// Consent id (see `inwonercloud consents`).
    pub id: String,
    /// Why.
    #[arg(long, default_value = "")]
    pub reason: String,
}

pub fn revoke(out: &Out, v: &mut Vault, a: RevokeArgs) -> Result<()> {
    let id = super::ids::consent(out, v, &a.id)?;
    v.revoke_consent(&id, &a.reason)?;
    out.emit(&serde_json::json!({"revoked": a.id}), || out.say(|t| t.consent_revoked))
}

pub fn access_log(out: &Out, v: &Vault) -> Result<()> {
    let log = v.access_log()?;
    out.emit(&log, || {
        if log.is_empty() {
            out.say(|t| t.nothing_shared_received);
        }
        for l in &log {
            println!(
                "{}  {:<9} {:<20} {:<26} {}",
                out.day(l.at),
                match l.direction {
                    inwonercloud_vault::consent::Direction::Sent => out.t(|t| t.sent),
                    inwonercloud_vault::consent::Direction::Received => out.t(|t| t.received),
                },
                l.peer_name,
                short_doc(&l.doc),
                out.t(|t| t.changes_count(l.changes)),
            );
        }
    })
}

/// `trust` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum TrustCmd {
    /// The municipality keys trusted here, with where the trust comes from.
    List,
    /// Trust a municipality key, after comparing its fingerprint with the municipality.
    Add {
        /// The municipality's identity key (64 hex characters).
        key: PublicKey,
        /// A name to remember it by.
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Stop trusting a key pinned with `trust add`.
    Remove {
        /// The identity key.
        key: PublicKey,
    },
}

pub fn trust(out: &Out, v: &mut Vault, c: TrustCmd) -> Result<()> {
    match c {
        TrustCmd::List => {
            let list = v.trusted_municipalities()?;
            let rows: Vec<serde_json::Value> = list
                .iter()
                .map(|(k, src)| serde_json::json!({"key": k, "fingerprint": fingerprint(k), "source": src, "name": v.display_name(k)}))
                .collect();
            out.emit(&rows, || {
                if list.is_empty() {
                    println!("{}", out.t(|t| t.no_trusted_municipality_key));
                }
                for (k, src) in &list {
                    let why = match src {
                        inwonercloud_vault::trust::TrustSource::Own => out.t(|t| t.your_own_key),
                        inwonercloud_vault::trust::TrustSource::Consent => out.t(|t| t.your_consent),
                        inwonercloud_vault::trust::TrustSource::Pinned => out.t(|t| t.added_by_you),
                    };
                    println!("{:<24} {}  {}  ({why})", v.display_name(k), fingerprint(k), k);
                }
            })
        }
        TrustCmd::Add { key, name } => {
            v.pin_municipality(key, &name)?;
            out.say(|t| t.trusted_key(&key.to_string(), &fingerprint(&key)));
            Ok(())
        }
        TrustCmd::Remove { key } => {
            if !v.unpin_municipality(&key)? {
                return Err(super::exit::fail(
                    super::exit::ErrorKind::NotFound,
                    out.t(|t| t.key_was_not_pinned),
                ));
            }
            out.say(|t| t.no_longer_trusted);
            Ok(())
        }
    }
}
