//! The node: an iroh endpoint for a closed network, the vault it serves, and
//! the sessions it runs (accepted, dialed once, or kept live with backoff).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use inwonercloud_schemas::PublicKey;
use inwonercloud_vault::Vault;
use inwonercloud_vault::consent::InviteSpec;
use iroh::endpoint::{Connection, PortmapperConfig, presets};
use iroh::protocol::{AcceptError, ProtocolHandler, Router};
use iroh::{Endpoint, EndpointAddr, NetReportConfig, RelayMode, RelayUrl, TransportAddr};
use tokio::sync::broadcast;

use crate::event::Event;
use crate::protocol::{Mode, Side, SyncError, SyncReport};
use crate::session;
pub use crate::shared::PeerStatus;
use crate::shared::Shared;
use crate::ticket::Ticket;
use crate::wire::ALPN;

/// How a node binds and reaches others.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// Address to bind (default `0.0.0.0:0`: every IPv4 interface, a free port).
    pub bind: SocketAddr,
    /// An optional relay (for example one the municipality hosts).
    pub relay: Option<RelayUrl>,
    /// More relays, for when the first is down: the node keeps its home on
    /// whichever answers best and dials peers through all of them.
    pub fallback_relays: Vec<RelayUrl>,
    /// How long a dial may take.
    pub dial_timeout: Duration,
    /// How often to look for changes other processes wrote to the vault.
    pub poll: Duration,
}

impl Default for NodeConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([0, 0, 0, 0], 0)),
            relay: None,
            fallback_relays: Vec::new(),
            dial_timeout: Duration::from_secs(5),
            poll: Duration::from_millis(200),
        }
    }
}

impl NodeConfig {
    /// Loopback only, a free port: for tests and single-machine demos.
    pub fn loopback() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..Self::default()
        }
    }
}

/// Most sessions one remote device may hold open at once; more are closed
/// at once with [`Code::TooLarge`](crate::wire::Code::TooLarge).
pub const MAX_SESSIONS_PER_DEVICE: usize = 8;

#[derive(Debug, Clone)]
struct Handler(Arc<Shared>);

impl ProtocolHandler for Handler {
    async fn accept(&self, conn: Connection) -> Result<(), AcceptError> {
        let device = *conn.remote_id().as_bytes();
        let admitted = {
            let mut open = self.0.sessions.lock().unwrap_or_else(|p| p.into_inner());
            let n = open.entry(device).or_default();
            if *n >= MAX_SESSIONS_PER_DEVICE {
                false
            } else {
                *n += 1;
                true
            }
        };
        if !admitted {
            conn.close(
                (crate::wire::Code::TooLarge as u32).into(),
                b"too many sessions from one device at once",
            );
            return Ok(());
        }
        // Errors were reported to the peer and logged in the vault; the
        // node keeps serving others.
        let _ = session::run(&self.0, conn, Side::Acceptor, Mode::Live, vec![]).await;
        let mut open = self.0.sessions.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&device) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&device);
            }
        }
        Ok(())
    }
}

/// Errors starting a node or dialing.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// Binding failed.
    #[error("cannot start the network endpoint: {0}")]
    Bind(String),
    /// A session failed.
    #[error(transparent)]
    Sync(#[from] SyncError),
    /// Vault failure.
    #[error(transparent)]
    Vault(#[from] inwonercloud_vault::VaultError),
    /// A ticket or address was unusable.
    #[error("{0}")]
    Address(String),
    /// The ticket offers a role other than the one this vault was made for.
    #[error(
        "this invite is for a {offered}, but this vault belongs to a {own}: ask the sender for an invite with \
         the right role, or join from a vault made for that role (nothing was sent)"
    )]
    RoleMismatch {
        /// The role the ticket offers.
        offered: &'static str,
        /// The role of this vault's certificate.
        own: &'static str,
    },
}

/// A running node.
#[derive(Clone)]
pub struct Node {
    inner: Arc<Shared>,
    endpoint: Endpoint,
    router: Arc<Router>,
    /// The configured relays, the first one first.
    relays: Vec<RelayUrl>,
    dial_timeout: Duration,
    /// What the last postbus round did.
    last_round: Arc<std::sync::Mutex<Option<crate::postbus::RoundReport>>>,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Node({})", self.endpoint.id().fmt_short())
    }
}

impl Node {
    /// Starts a node for `vault`: binds the endpoint with the vault's device
    /// key, accepts sessions, and watches the vault file for changes other
    /// processes make.
    pub async fn spawn(vault: Vault, cfg: NodeConfig) -> Result<Node, NodeError> {
        Self::spawn_shared(inwonercloud_vault::Shared::new(vault), cfg).await
    }

    /// Starts a node on the process's vault engine, which the window of the
    /// same process also uses: what either writes, the other hears of at
    /// once, without reading the file.
    pub async fn spawn_shared(engine: inwonercloud_vault::Shared, cfg: NodeConfig) -> Result<Node, NodeError> {
        let secret = iroh::SecretKey::from_bytes(&engine.with(|v| v.device_key().to_bytes()));
        let relays: Vec<RelayUrl> = cfg.relay.iter().chain(&cfg.fallback_relays).cloned().collect();
        let endpoint = bind_endpoint(secret, cfg.bind, &relays).await?;
        let inner = Arc::new(Shared::new(engine));
        let router = Router::builder(endpoint.clone())
            .accept(ALPN, Handler(inner.clone()))
            .spawn();
        // Pick up writes from other processes (a CLI command in another terminal).
        let weak = Arc::downgrade(&inner);
        let poll = cfg.poll;
        tokio::spawn(async move {
            let mut last_expiry: Option<tokio::time::Instant> = None;
            loop {
                tokio::time::sleep(poll).await;
                let Some(inner) = weak.upgrade() else { return };
                // What the refresh finds and the expiry writes is published
                // by the engine like any other change.
                session::blocking(|| {
                    inner.with_vault(|v| {
                        let _ = v.refresh();
                        // Once a minute: write consents past their last day end
                        // (the new headers go out like any other change), and
                        // reservations of ended agreements are released.
                        if last_expiry.is_none_or(|t| t.elapsed() >= Duration::from_secs(60)) {
                            last_expiry = Some(tokio::time::Instant::now());
                            let _ = v.expire_consents();
                            // Money still reserved for an agreement that ended
                            // goes back to the budget (a signed release).
                            let _ = v.release_ended_reservations(inwonercloud_schemas::Date::today());
                            // What a representative asked for under a mandate is
                            // carried out (or refused) by the holder's own vault.
                            let _ = v.carry_out_commissions(inwonercloud_schemas::Date::today());
                        }
                    })
                });
            }
        });
        Ok(Node {
            inner,
            endpoint,
            router: Arc::new(router),
            relays,
            dial_timeout: cfg.dial_timeout,
            last_round: Arc::default(),
        })
    }

    /// The vault engine this node runs on (share it with a window).
    pub fn engine(&self) -> inwonercloud_vault::Shared {
        self.inner.engine().clone()
    }

    /// Runs `f` on the vault; sessions push whatever it changed.
    pub fn with_vault<R>(&self, f: impl FnOnce(&mut Vault) -> R) -> R {
        self.inner.with_vault(f)
    }

    /// This node's endpoint id (its device key).
    pub fn id(&self) -> PublicKey {
        PublicKey(*self.endpoint.id().as_bytes())
    }

    /// Addresses peers can dial: the bound sockets (an unspecified address
    /// is listed as loopback plus the interfaces iroh reports).
    pub fn addrs(&self) -> Vec<SocketAddr> {
        endpoint_addrs(&self.endpoint)
    }

    /// The address to dial this node by.
    pub fn endpoint_addr(&self) -> EndpointAddr {
        let mut addr = EndpointAddr::new(self.endpoint.id());
        for a in self.addrs() {
            addr = addr.with_ip_addr(a);
        }
        for r in &self.relays {
            addr = addr.with_relay_url(r.clone());
        }
        addr
    }

    /// Makes an invite and the ticket that carries it.
    pub fn invite(&self, spec: InviteSpec, ttl_secs: u64) -> Result<Ticket, NodeError> {
        let (secret, invite, who) = self.with_vault(|v| -> Result<_, NodeError> {
            let (secret, invite) = v.create_invite(spec, ttl_secs)?;
            Ok((secret, invite, v.whoami()))
        })?;
        Ok(Ticket::for_invite(
            self.id(),
            self.addrs().iter().map(|a| a.to_string()).collect(),
            // Every relay, comma-separated: the joiner can reach us through
            // whichever is up.
            (!self.relays.is_empty()).then(|| self.relays.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(",")),
            &who,
            invite,
            &secret,
        ))
    }

    async fn dial(&self, addr: EndpointAddr) -> Result<Connection, NodeError> {
        self.dial_alpn(addr, ALPN).await
    }

    /// Dials `addr` for protocol `alpn` (sync, or a postbus), through the
    /// configured relays too, within the dial timeout.
    pub(crate) async fn dial_alpn(&self, addr: EndpointAddr, alpn: &[u8]) -> Result<Connection, NodeError> {
        // Through our own relays too: a peer that shares one of them (its
        // first may be down) is reached there.
        let mut addr = addr;
        for r in &self.relays {
            addr = addr.with_relay_url(r.clone());
        }
        match tokio::time::timeout(self.dial_timeout, self.endpoint.connect(addr, alpn)).await {
            Err(_) => Err(SyncError::Connect(format!(
                "no answer within {} s: is the other side's app or node running, and is the address right?",
                self.dial_timeout.as_secs()
            ))
            .into()),
            Ok(Err(e)) => Err(SyncError::Connect(e.to_string()).into()),
            Ok(Ok(c)) => Ok(c),
        }
    }

    /// Joins with a ticket: dials the inviter, redeems the invite, syncs once.
    pub async fn join(&self, ticket: &Ticket) -> Result<SyncReport, NodeError> {
        let own = self.with_vault(|v| v.role());
        if !ticket.device && !inwonercloud_schemas::Role::invitable_as(own, ticket.role) {
            return Err(NodeError::RoleMismatch {
                offered: ticket.role.label(inwonercloud_schemas::Lang::En),
                own: own.label(inwonercloud_schemas::Lang::En),
            });
        }
        let addr = ticket_addr(ticket)?;
        let conn = self.dial(addr).await?;
        let secret =
            hex::decode(&ticket.secret).map_err(|_| NodeError::Address("the ticket's secret is damaged".into()))?;
        let side = Side::Dialer {
            ticket_secret: Some(secret),
            expect_identity: Some(ticket.inviter),
        };
        // Whoever invited us may place their documents here (the session
        // checks the inviter is the identity the ticket names).
        self.with_vault(|v| v.admit(ticket.inviter))?;
        let report = session::run(&self.inner, conn, side, Mode::Once, ticket.addrs.clone()).await?;
        self.remember_addrs(&ticket.inviter, &ticket.addrs);
        Ok(report)
    }

    /// Adds the addresses a known peer was reached at (the session keeps
    /// them with the peer it met; this writes only what is still missing).
    fn remember_addrs(&self, peer: &PublicKey, addrs: &[String]) {
        self.with_vault(|v| {
            if let Ok(Some(mut info)) = v.peer(peer)
                && addrs.iter().any(|a| !info.addrs.contains(a))
            {
                for a in addrs {
                    if !info.addrs.contains(a) {
                        info.addrs.push(a.clone());
                    }
                }
                let _ = v.remember_peer(&info);
            }
        });
    }

    /// Syncs once with a peer at `addr`, then closes.
    pub async fn sync_once(&self, addr: EndpointAddr) -> Result<SyncReport, NodeError> {
        let conn = self.dial(addr.clone()).await?;
        let side = Side::Dialer {
            ticket_secret: None,
            expect_identity: None,
        };
        let addrs: Vec<String> = addr.ip_addrs().map(|a| a.to_string()).collect();
        let report = session::run(&self.inner, conn, side, Mode::Once, addrs.clone()).await?;
        if let Some(peer) = report.peer {
            self.remember_addrs(&peer, &addrs);
        }
        Ok(report)
    }

    /// Keeps a live session with `addr`, reconnecting with backoff (0.5 s
    /// doubling to 30 s) until the node shuts down.
    pub fn keep_connected(&self, addr: EndpointAddr) -> tokio::task::JoinHandle<()> {
        let node = self.clone();
        tokio::spawn(async move {
            let mut backoff = Duration::from_millis(500);
            loop {
                if node.endpoint.is_closed() {
                    return;
                }
                if let Ok(conn) = node.dial(addr.clone()).await {
                    backoff = Duration::from_millis(500);
                    let side = Side::Dialer {
                        ticket_secret: None,
                        expect_identity: None,
                    };
                    let dialed = addr.ip_addrs().map(|a| a.to_string()).collect();
                    let _ = session::run(&node.inner, conn, side, Mode::Live, dialed).await;
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
            }
        })
    }

    /// Keeps a live session with every peer the vault knows an address for,
    /// including peers learned later (for example by a `join` in another
    /// process, or an invite redeemed here); looks once a second.
    pub fn keep_known_peers_connected(&self) -> tokio::task::JoinHandle<()> {
        let node = self.clone();
        tokio::spawn(async move {
            let mut kept = std::collections::HashSet::new();
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            while !node.endpoint.is_closed() {
                tick.tick().await;
                let peers = node.with_vault(|v| v.peers()).unwrap_or_default();
                for p in peers {
                    if p.addrs.is_empty() || kept.contains(&p.identity) {
                        continue;
                    }
                    if let Some(addr) = node.peer_addr(&p.identity) {
                        kept.insert(p.identity);
                        node.keep_connected(addr);
                    }
                }
            }
        })
    }

    /// The address of a known peer from the vault's peer table.
    pub fn peer_addr(&self, identity: &PublicKey) -> Option<EndpointAddr> {
        let info = self.with_vault(|v| v.peer(identity).ok().flatten())?;
        let device = info.devices.last()?;
        let id = iroh::PublicKey::from_bytes(device.as_bytes()).ok()?;
        let mut addr = EndpointAddr::new(id);
        for a in &info.addrs {
            if let Ok(sa) = a.parse::<SocketAddr>() {
                addr = addr.with_ip_addr(sa);
            }
        }
        // Peers that share a relay (the municipality's) reach each other
        // through it when no direct address works.
        for r in &self.relays {
            addr = addr.with_relay_url(r.clone());
        }
        Some(addr)
    }

    /// A receiver of "these documents changed" notices (local writes, imports).
    pub fn subscribe(&self) -> broadcast::Receiver<Vec<String>> {
        let (tx, rx) = broadcast::channel(64);
        let mut events = self.inner.events.subscribe();
        tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(Event::Changed(d)) => {
                        if tx.send(d).is_err() {
                            return;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        });
        rx
    }

    /// Status of every peer seen since the node started.
    pub fn peer_status(&self) -> BTreeMap<PublicKey, PeerStatus> {
        self.inner.status.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// What the last postbus round did (`None` before the first).
    pub fn last_postbus_round(&self) -> Option<crate::postbus::RoundReport> {
        self.last_round.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn note_postbus_round(&self, report: crate::postbus::RoundReport) {
        *self.last_round.lock().unwrap_or_else(|p| p.into_inner()) = Some(report);
    }

    /// Whether the node was shut down.
    pub fn is_closed(&self) -> bool {
        self.endpoint.is_closed()
    }

    /// Stops accepting and closes the endpoint.
    pub async fn shutdown(&self) {
        let _ = self.router.shutdown().await;
        self.endpoint.close().await;
    }
}

/// Binds an endpoint for a closed network: no public relays, no DNS or
/// pkarr, no port mapping; `relays` (if any) as home and for dialing, with
/// their latency probed. An address on every IPv4 interface listens on IPv6
/// on the same port too, where the machine has it.
pub(crate) async fn bind_endpoint(
    secret: iroh::SecretKey,
    bind: SocketAddr,
    relays: &[RelayUrl],
) -> Result<Endpoint, NodeError> {
    let relay_mode = if relays.is_empty() {
        RelayMode::Disabled
    } else {
        RelayMode::Custom(relays.iter().cloned().collect())
    };
    let mut builder = Endpoint::builder(presets::Minimal)
        .relay_mode(relay_mode)
        .portmapper_config(PortmapperConfig::Disabled)
        // With a relay, its latency is probed (over HTTP(S)) so that it
        // becomes this node's home relay; without one, no probes at all.
        .net_report_config(if !relays.is_empty() {
            NetReportConfig::default()
        } else {
            NetReportConfig::minimal()
        })
        .clear_ip_transports()
        .bind_addr(bind)
        .map_err(|e| NodeError::Bind(e.to_string()))?;
    // Many homes have no IPv6: not required.
    if bind.ip() == std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED) {
        builder = builder
            .bind_addr_with_opts(
                SocketAddr::from((std::net::Ipv6Addr::UNSPECIFIED, bind.port())),
                iroh::endpoint::BindOpts::default().set_is_required(false),
            )
            .map_err(|e| NodeError::Bind(e.to_string()))?;
    }
    builder
        .secret_key(secret)
        .bind()
        .await
        .map_err(|e| NodeError::Bind(e.to_string()))
}

/// The addresses an endpoint can be dialed at: its bound sockets (an
/// unspecified address listed as loopback) plus the interfaces iroh reports.
pub(crate) fn endpoint_addrs(endpoint: &Endpoint) -> Vec<SocketAddr> {
    let mut out: Vec<SocketAddr> = vec![];
    for a in endpoint.bound_sockets() {
        if a.ip().is_unspecified() {
            let loopback = match a {
                SocketAddr::V4(_) => std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
                SocketAddr::V6(_) => std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            };
            out.push(SocketAddr::new(loopback, a.port()));
        } else {
            out.push(a);
        }
    }
    for t in endpoint.addr().addrs {
        if let TransportAddr::Ip(a) = t
            && !out.contains(&a)
        {
            out.push(a);
        }
    }
    out
}

/// The endpoint address a ticket names.
pub fn ticket_addr(t: &Ticket) -> Result<EndpointAddr, NodeError> {
    let id = iroh::PublicKey::from_bytes(t.endpoint.as_bytes())
        .map_err(|e| NodeError::Address(format!("the ticket's endpoint id is unusable: {e}")))?;
    let mut addr = EndpointAddr::new(id);
    for a in &t.addrs {
        let sa: SocketAddr = a
            .parse()
            .map_err(|_| NodeError::Address(format!("'{a}' in the ticket is not an address")))?;
        addr = addr.with_ip_addr(sa);
    }
    for r in t
        .relay
        .iter()
        .flat_map(|r| r.split(','))
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        let url: RelayUrl = r
            .parse()
            .map_err(|_| NodeError::Address(format!("'{r}' in the ticket is not a relay URL")))?;
        addr = addr.with_relay_url(url);
    }
    Ok(addr)
}

/// Parses `ENDPOINT_ID@ip:port[,ip:port…]` as people type it.
pub fn parse_addr(s: &str) -> Result<EndpointAddr, NodeError> {
    let (id, addrs) = s
        .split_once('@')
        .ok_or_else(|| NodeError::Address(format!("'{s}': write it as ENDPOINT_ID@IP:PORT")))?;
    let id: iroh::PublicKey = id
        .trim()
        .parse()
        .map_err(|_| NodeError::Address(format!("'{id}' is not an endpoint id")))?;
    let mut addr = EndpointAddr::new(id);
    for a in addrs.split(',') {
        let sa: SocketAddr = a
            .trim()
            .parse()
            .map_err(|_| NodeError::Address(format!("'{a}' is not an address like 127.0.0.1:4433")))?;
        addr = addr.with_ip_addr(sa);
    }
    Ok(addr)
}
