//! The app's network: a sync node on a background thread with its own tokio
//! runtime, on the same vault engine as the window.
//!
//! The window never waits for the network. It sends [`NetCmd`]s and reads
//! [`NetEvent`]s between frames; what the node imports reaches the window as
//! the engine's change event, and what the window writes reaches the node's
//! sessions the same way, which push it to peers at once. Each event asks
//! egui for a repaint, so nothing waits for the mouse to move.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use inwonercloud_schemas::PublicKey;
use inwonercloud_sync::{Node, NodeConfig, PeerStatus, SyncReport, Ticket};
use inwonercloud_vault::{InviteSpec, Shared};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// What the window asks of the network.
#[derive(Debug)]
pub enum NetCmd {
    /// Make an invite ticket valid for this many seconds.
    Invite(InviteSpec, u64),
    /// Join with a ticket (its text).
    Join(String),
    /// Sync now with every known peer.
    SyncNow,
}

/// What the network tells the window.
#[derive(Debug)]
pub enum NetEvent {
    /// The node listens: its endpoint id and addresses.
    Started(String, Vec<String>),
    /// The node could not start.
    Failed(String),
    /// A fresh ticket.
    Ticket(String),
    /// A join or sync finished.
    Synced(SyncReport),
    /// Something went wrong (rendered in the window's language by
    /// [`crate::error_text::anyhow_text`]).
    Error(anyhow::Error),
    /// Peer status, refreshed every second.
    Peers(BTreeMap<PublicKey, PeerStatus>),
}

/// The window's side of the network thread.
pub struct Network {
    cmd: UnboundedSender<NetCmd>,
    events: mpsc::Receiver<NetEvent>,
    thread: Option<JoinHandle<()>>,
    /// Endpoint id and addresses once started, or why it failed.
    pub started: Option<Result<(String, Vec<String>), String>>,
    /// Per peer: name, online, last sync, last error.
    pub peers: BTreeMap<PublicKey, PeerStatus>,
    /// Operations sent and not answered yet.
    pub busy: usize,
}

impl Network {
    /// Starts the node on the window's vault engine, on a background thread.
    pub fn start(engine: Shared, cfg: NodeConfig, ctx: egui::Context) -> Self {
        let (cmd, rx) = unbounded_channel();
        let (tx, events) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("inwonercloud-net".into())
            .spawn(move || run(engine, cfg, ctx, rx, tx))
            .ok();
        Network {
            cmd,
            events,
            thread,
            started: None,
            peers: BTreeMap::new(),
            busy: 0,
        }
    }

    /// Sends a command; false when the network thread is gone.
    pub fn send(&mut self, c: NetCmd) -> bool {
        let ok = self.cmd.send(c).is_ok();
        if ok {
            self.busy += 1;
        }
        ok
    }

    /// Events that arrived since the last call; updates the status fields.
    pub fn poll(&mut self) -> Vec<NetEvent> {
        let mut out = Vec::new();
        while let Ok(e) = self.events.try_recv() {
            match &e {
                NetEvent::Started(id, addrs) => self.started = Some(Ok((id.clone(), addrs.clone()))),
                NetEvent::Failed(why) => self.started = Some(Err(why.clone())),
                NetEvent::Peers(p) => {
                    self.peers = p.clone();
                    continue;
                }
                NetEvent::Ticket(_) | NetEvent::Synced(_) | NetEvent::Error(_) => {
                    self.busy = self.busy.saturating_sub(1);
                }
            }
            out.push(e);
        }
        out
    }

    /// How many peers are connected now.
    pub fn online(&self) -> usize {
        self.peers.values().filter(|p| p.online).count()
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        // Closing the command channel ends the thread's loop.
        let (dead, _) = unbounded_channel();
        self.cmd = dead;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(
    engine: Shared,
    cfg: NodeConfig,
    ctx: egui::Context,
    mut rx: UnboundedReceiver<NetCmd>,
    tx: mpsc::Sender<NetEvent>,
) {
    let send = {
        let ctx = ctx.clone();
        move |e: NetEvent| {
            let _ = tx.send(e);
            ctx.request_repaint();
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return send(NetEvent::Failed(e.to_string())),
    };
    rt.block_on(async move {
        let node = match start_node(engine, cfg).await {
            Ok(n) => n,
            Err(e) => return send(NetEvent::Failed(e.to_string())),
        };
        let addrs: Vec<String> = node.addrs().iter().map(|a| a.to_string()).collect();
        let _ = node.with_vault(|v| v.set_setting("serve_addrs", &addrs.join(",")));
        send(NetEvent::Started(node.id().to_string(), addrs));
        node.keep_known_peers_connected();
        node.keep_postbus_rounds(std::time::Duration::from_secs(30));
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                c = rx.recv() => match c {
                    None => break,
                    Some(c) => handle(&node, c, send.clone()),
                },
                _ = tick.tick() => send(NetEvent::Peers(node.peer_status())),
            }
        }
        node.shutdown().await;
    });
}

/// The setting holding the port the app listened on last time.
const LISTEN_PORT: &str = "listen_port";

/// Starts the node on the port it had last time, so the addresses peers
/// stored stay good (a fresh port when that one is taken), with the relay
/// the vault was given (`serve --relay`, or a ticket's).
async fn start_node(engine: Shared, mut cfg: NodeConfig) -> Result<Node, inwonercloud_sync::NodeError> {
    let (port, relay) = engine.with(|v| {
        let port = v
            .setting(LISTEN_PORT)
            .ok()
            .flatten()
            .and_then(|p| p.parse::<u16>().ok());
        (port, v.setting("relay").ok().flatten())
    });
    if cfg.relay.is_none() {
        // One relay URL or several, comma-separated (the others for when the first is down).
        let mut urls = relay
            .unwrap_or_default()
            .split(',')
            .filter_map(|r| r.trim().parse::<inwonercloud_sync::RelayUrl>().ok())
            .collect::<Vec<_>>()
            .into_iter();
        cfg.relay = urls.next();
        cfg.fallback_relays = urls.collect();
    }
    let node = match port.filter(|p| *p != 0 && cfg.bind.port() == 0) {
        Some(p) => {
            let mut same = cfg.clone();
            same.bind.set_port(p);
            match Node::spawn_shared(engine.clone(), same).await {
                Ok(n) => n,
                Err(_) => Node::spawn_shared(engine.clone(), cfg).await?,
            }
        }
        None => Node::spawn_shared(engine.clone(), cfg).await?,
    };
    if let Some(a) = node.addrs().first() {
        let _ = engine.with(|v| v.set_setting(LISTEN_PORT, &a.port().to_string()));
    }
    Ok(node)
}

fn handle(node: &Node, c: NetCmd, send: impl Fn(NetEvent) + Send + 'static) {
    match c {
        NetCmd::Invite(spec, ttl) => match node.invite(spec, ttl) {
            Ok(t) => send(NetEvent::Ticket(t.to_string())),
            Err(e) => send(NetEvent::Error(e.into())),
        },
        NetCmd::Join(text) => {
            let node = node.clone();
            tokio::spawn(async move {
                let ticket = match Ticket::from_str(text.trim()) {
                    Ok(t) => t,
                    Err(e) => return send(NetEvent::Error(e.into())),
                };
                match node.join(&ticket).await {
                    Ok(r) => send(NetEvent::Synced(r)),
                    Err(e) => send(NetEvent::Error(e.into())),
                }
            });
        }
        NetCmd::SyncNow => {
            let node = node.clone();
            tokio::spawn(async move {
                let peers = node.with_vault(|v| v.peers()).unwrap_or_default();
                let mut total = SyncReport::default();
                let mut errors = Vec::new();
                for p in peers {
                    let Some(addr) = node.peer_addr(&p.identity) else {
                        continue;
                    };
                    match node.sync_once(addr).await {
                        Ok(r) => {
                            total.sent_changes += r.sent_changes;
                            total.received_changes += r.received_changes;
                            total.bytes_sent += r.bytes_sent;
                            total.bytes_received += r.bytes_received;
                            total.docs_received.extend(r.docs_received);
                            total.docs_sent.extend(r.docs_sent);
                        }
                        Err(e) => errors.push((p.name, e)),
                    }
                }
                match errors.len() {
                    0 => send(NetEvent::Synced(total)),
                    // One peer failed: its typed error, so the window can say it in its language.
                    1 => {
                        if let Some((name, e)) = errors.pop() {
                            send(NetEvent::Error(anyhow::Error::new(e).context(name)))
                        }
                    }
                    _ => {
                        let all: Vec<String> = errors.iter().map(|(name, e)| format!("{name}: {e}")).collect();
                        send(NetEvent::Error(anyhow::anyhow!(all.join("; "))))
                    }
                }
            });
        }
    }
}
