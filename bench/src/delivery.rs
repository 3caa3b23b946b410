//! Figure 7 (issue 16): one change delivered (a) directly, (b) through a
//! relay, (c) through a postbus, each beside raw iroh on the same payload in
//! the same run.
//!
//! The change is a counselor's new goal in a citizen's plan; the two had
//! synced before (he joined her invite with write access to the plan). The
//! vaults are small and fresh: this measures delivery, not document size.
//!
//! - (a) `counselor.sync_once(citizen)` on 127.0.0.1: time, and the bytes
//!   of the sync stream both ways (`SyncReport::bytes_sent + bytes_received`).
//! - (b) the same with both nodes homed on a local `iroh-relay --dev` and
//!   the citizen dialed by endpoint id and relay URL only. Needs the
//!   `iroh-relay` binary (`IROH_RELAY` or on the PATH); without it (b) is
//!   skipped. On loopback iroh may move the connection to a direct path:
//!   once two endpoints know each other's address it does at once, so (b) is
//!   also measured from a dialer that never reached the citizen (the
//!   counselor's node restarted; a new raw client endpoint), whose
//!   connection must start through the relay.
//! - (c) the counselor's `postbus_round` that deposits plus the citizen's
//!   that collects, against a postbus on 127.0.0.1. Bytes: every postbus
//!   message of both rounds (requests and answers, framed as on the stream),
//!   rebuilt from what the postbus held; not QUIC or TLS.
//!
//! The baseline of each: two plain iroh endpoints on 127.0.0.1 (no relay), a
//! fresh connection per delivery, the change's signed bytes
//! (`SignedChange::encode`) sent on one stream and one byte answered; time =
//! connect + that round trip, bytes = the payload. Each scenario's baseline is
//! measured interleaved with its own runs; medians of [`REPS`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use inwonercloud_bench::create;
use inwonercloud_schemas::{Access, LifeDomain, PostbusRoster, PublicKey, Role, Signed};
use inwonercloud_sync::postbus::store::Held;
use inwonercloud_sync::postbus::wire::{self, MailItem, Request, Response};
use inwonercloud_sync::postbus::{Postbus, PostbusConfig};
use inwonercloud_sync::{Node, NodeConfig};
use inwonercloud_vault::consent::InviteSpec;
use inwonercloud_vault::{Vault, VaultKey};
use iroh::endpoint::{PortmapperConfig, presets};
use iroh::{Endpoint, EndpointAddr, NetReportConfig, RelayMode, RelayUrl};

use crate::{REPS, Row, median, row};

/// The raw baseline's protocol.
pub(crate) const RAW_ALPN: &[u8] = b"inwonercloud-bench/raw/1";
/// What the postbus client asks for in one `Fetch` (its `FETCH_BATCH`).
const FETCH_BATCH: u64 = 4 * 1024 * 1024;
/// No target is set by the issue: the figures are reported.
const TARGET: &str = "report";

/// An iroh endpoint on 127.0.0.1 as the nodes bind theirs: no port mapping,
/// no address lookup; homed on `relay` if given.
pub(crate) async fn raw_endpoint(relay: Option<&RelayUrl>) -> Endpoint {
    let (mode, report) = match relay {
        Some(url) => (RelayMode::Custom(url.clone().into()), NetReportConfig::default()),
        None => (RelayMode::Disabled, NetReportConfig::minimal()),
    };
    Endpoint::builder(presets::Minimal)
        .relay_mode(mode)
        .portmapper_config(PortmapperConfig::Disabled)
        .net_report_config(report)
        .clear_ip_transports()
        .bind_addr(SocketAddr::from(([127, 0, 0, 1], 0)))
        .expect("bind address")
        .alpns(vec![RAW_ALPN.to_vec()])
        .bind()
        .await
        .expect("endpoint")
}

/// Raw iroh: a client endpoint and a server endpoint that reads a stream to
/// its end and answers one byte.
pub(crate) struct Raw {
    client: Endpoint,
    server: Endpoint,
    addr: EndpointAddr,
}

/// One raw delivery.
struct RawRun {
    secs: f64,
    /// UDP payload bytes of the whole QUIC connection, both ways, as the
    /// client counted them (handshake included).
    quic_bytes: u64,
    /// Whether the relay was the selected path when the answer came.
    on_relay: bool,
}

impl Raw {
    pub(crate) async fn new(relay: Option<&RelayUrl>) -> Raw {
        let server = raw_endpoint(relay).await;
        let client = raw_endpoint(relay).await;
        let addr = match relay {
            Some(url) => {
                // Dialed by id and relay only: the server must be homed there.
                tokio::time::timeout(Duration::from_secs(15), server.online())
                    .await
                    .expect("the raw endpoint reached the relay");
                EndpointAddr::new(server.id()).with_relay_url(url.clone())
            }
            None => server.addr(),
        };
        let ep = server.clone();
        tokio::spawn(async move {
            while let Some(incoming) = ep.accept().await {
                tokio::spawn(async move {
                    let Ok(conn) = incoming.await else { return };
                    let Ok((mut send, mut recv)) = conn.accept_bi().await else {
                        return;
                    };
                    if recv.read_to_end(16 * 1024 * 1024).await.is_ok() {
                        let _ = send.write_all(&[1]).await;
                        let _ = send.finish();
                    }
                    conn.closed().await;
                });
            }
        });
        Raw { client, server, addr }
    }

    /// [`Raw::deliver`]'s time, in seconds (the municipality figure's baseline).
    pub(crate) async fn deliver_secs(&self, payload: &[u8]) -> f64 {
        self.deliver(payload).await.secs
    }

    /// Connects afresh, sends `payload` on one stream, reads the answer.
    async fn deliver(&self, payload: &[u8]) -> RawRun {
        self.deliver_from(&self.client, payload).await
    }

    /// The same from another client endpoint.
    async fn deliver_from(&self, client: &Endpoint, payload: &[u8]) -> RawRun {
        let start = Instant::now();
        let conn = tokio::time::timeout(Duration::from_secs(10), client.connect(self.addr.clone(), RAW_ALPN))
            .await
            .expect("raw connect in time")
            .expect("raw connect");
        let (mut send, mut recv) = conn.open_bi().await.expect("stream");
        send.write_all(payload).await.expect("send");
        send.finish().expect("finish");
        let answer = recv.read_to_end(16).await.expect("answer");
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(answer, [1], "the raw server answered");
        let stats = conn.stats();
        let on_relay = conn.paths().iter().any(|p| p.is_selected() && p.is_relay());
        conn.close(0u32.into(), b"done");
        RawRun {
            secs,
            quic_bytes: stats.udp_tx.bytes + stats.udp_rx.bytes,
            on_relay,
        }
    }

    pub(crate) async fn close(self) {
        self.client.close().await;
        self.server.close().await;
    }
}

/// A citizen and a counselor who joined her invite with write access to her
/// plan, and have synced.
struct Pair {
    citizen: Node,
    counselor: Node,
    plan: String,
}

async fn pair(dir: &Path, cfg: NodeConfig, postbus: Option<&Postbus>) -> Pair {
    let citizen_vault = create(&dir.join("citizen"), "Sanne", Role::Citizen);
    if let Some(pb) = postbus {
        citizen_vault.set_postbus(Some(&pb.addr())).expect("postbus chosen");
    }
    let citizen = Node::spawn(citizen_vault, cfg.clone()).await.expect("node");
    let counselor = Node::spawn(create(&dir.join("counselor"), "Bert", Role::Counselor), cfg)
        .await
        .expect("node");
    let plan = citizen.with_vault(|v| v.plan_doc());
    let spec = InviteSpec {
        role: Role::Counselor,
        documents: vec![plan.clone()],
        access: Access::Write,
        valid_until: None,
        purpose: "bench".into(),
        name_hint: String::new(),
        device: false,
    };
    let ticket = citizen.invite(spec, 600).expect("invite");
    counselor.join(&ticket).await.expect("join");
    Pair {
        citizen,
        counselor,
        plan,
    }
}

/// The counselor adds a goal to the plan: one change. Returns its signed
/// bytes, the raw baseline's payload.
fn one_change(counselor: &Node, plan: &str, i: usize) -> Vec<u8> {
    let me = counselor.id();
    counselor.with_vault(|v| {
        v.add_goal(plan, LifeDomain::Wonen, &format!("doel {i}: zelfstandig wonen"), None)
            .expect("goal");
        let rows = v.missing_rows(plan, &Default::default()).expect("rows");
        let change = v
            .changes_at(plan, &rows[rows.len().saturating_sub(1)..])
            .expect("change")
            .pop()
            .expect("the new change");
        assert_eq!(change.signer, me, "the newest change is the counselor's");
        change.encode()
    })
}

impl Pair {
    fn one_change(&self, i: usize) -> Vec<u8> {
        one_change(&self.counselor, &self.plan, i)
    }

    async fn shutdown(self) {
        self.citizen.shutdown().await;
        self.counselor.shutdown().await;
    }
}

/// The `iroh-relay` binary: `IROH_RELAY`, or on the PATH.
fn relay_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("IROH_RELAY").map(PathBuf::from) {
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("iroh-relay"))
        .find(|p| p.is_file())
}

/// A local `iroh-relay --dev`, killed when dropped.
struct Relay {
    child: Child,
    url: RelayUrl,
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether an HTTP server answers at `addr` (the relay's probe path).
fn answers(addr: SocketAddr) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    let req = format!("GET /generate_204 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let mut head = [0u8; 12];
    s.write_all(req.as_bytes()).is_ok() && s.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 2")
}

/// Starts `iroh-relay --dev` on a free local port; `None` (with a note) if
/// there is no binary or it does not answer.
async fn start_relay(dir: &Path) -> Option<Relay> {
    let Some(bin) = relay_bin() else {
        eprintln!(
            "7b skipped: no iroh-relay binary (set IROH_RELAY, or cargo install iroh-relay --version 1.4.1 \
             --features server)"
        );
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let config = dir.join("relay.toml");
    std::fs::write(
        &config,
        format!("enable_relay = true\nhttp_bind_addr = \"{addr}\"\nenable_quic_addr_discovery = false\n"),
    )
    .expect("relay config");
    let child = Command::new(&bin)
        .args(["--dev", "--config-path"])
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the relay");
    let relay = Relay {
        child,
        url: format!("http://{addr}").parse().expect("relay url"),
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    while !answers(addr) {
        if Instant::now() > deadline {
            eprintln!("7b skipped: {} did not answer on {addr}", bin.display());
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Some(relay)
}

/// What one scenario measured, run by run.
#[derive(Default)]
struct Runs {
    /// Our delivery's seconds.
    secs: Vec<f64>,
    /// Our delivery's bytes.
    bytes: Vec<f64>,
    /// Raw iroh's seconds, the runs interleaved with ours.
    raw_secs: Vec<f64>,
    /// The payload's bytes.
    raw_bytes: Vec<f64>,
}

impl Runs {
    fn push(&mut self, secs: f64, bytes: usize, raw: &RawRun, payload: &[u8]) {
        self.secs.push(secs);
        self.bytes.push(bytes as f64);
        self.raw_secs.push(raw.secs);
        self.raw_bytes.push(payload.len() as f64);
    }

    /// The time and bytes rows, medians against the raw baseline.
    fn rows(self, figure: &str) -> [Row; 2] {
        [
            row(
                &format!("{figure}, time"),
                median(self.secs),
                median(self.raw_secs),
                "s",
                TARGET,
                None,
            ),
            row(
                &format!("{figure}, bytes"),
                median(self.bytes),
                median(self.raw_bytes),
                "B",
                TARGET,
                None,
            ),
        ]
    }
}

/// The figure-7 rows. Prints notes on what was measured to stderr.
pub async fn rows(dir: &Path) -> Vec<Row> {
    let raw = Raw::new(None).await;
    // The first connection between two endpoints sets up state; not counted.
    raw.deliver(b"warm-up").await;
    let mut rows = Vec::from(direct(dir, &raw).await);
    if let Some(relay) = start_relay(dir).await {
        rows.extend(relayed(dir, &raw, relay).await);
    }
    rows.extend(through_postbus(dir, &raw).await);
    raw.close().await;
    rows
}

/// (a) `sync_once` from the counselor to the citizen on 127.0.0.1.
async fn direct(dir: &Path, raw: &Raw) -> [Row; 2] {
    let p = pair(&dir.join("direct"), NodeConfig::loopback(), None).await;
    let (mut runs, mut quic, mut edits) = (Runs::default(), vec![], vec![]);
    for i in 0..REPS {
        let start = Instant::now();
        let payload = p.one_change(i);
        edits.push(start.elapsed().as_secs_f64());
        let start = Instant::now();
        let r = p.counselor.sync_once(p.citizen.endpoint_addr()).await.expect("sync");
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(r.sent_changes, 1, "one change went: {r:?}");
        let b = raw.deliver(&payload).await;
        quic.push(b.quic_bytes as f64);
        runs.push(secs, r.bytes_sent + r.bytes_received, &b, &payload);
    }
    p.shutdown().await;
    eprintln!(
        "7: the change's signed bytes: {:.0} B; the raw iroh connection that carried them: {:.0} B of UDP \
         payload both ways (QUIC handshake included); the counselor's edit itself (one goal, one durable \
         commit) took {:.4} s",
        median(runs.raw_bytes.clone()),
        median(quic),
        median(edits)
    );
    runs.rows("7a one change direct")
}

/// (b) The same through a relay: both nodes homed on it, the citizen dialed
/// by endpoint id and relay URL only. Also against raw iroh through it.
async fn relayed(dir: &Path, raw: &Raw, relay: Relay) -> Vec<Row> {
    let url = relay.url.clone();
    let cfg = NodeConfig {
        relay: Some(url.clone()),
        ..NodeConfig::loopback()
    };
    let p = pair(&dir.join("relay"), cfg.clone(), None).await;
    let via_relay = EndpointAddr::new(p.citizen.endpoint_addr().id).with_relay_url(url.clone());
    // Until the citizen is homed on the relay, a dial by id and relay finds
    // nobody there.
    let deadline = Instant::now() + Duration::from_secs(30);
    while let Err(e) = p.counselor.sync_once(via_relay.clone()).await {
        assert!(Instant::now() < deadline, "no sync through the relay: {e}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let raw_relay = Raw::new(Some(&url)).await;
    raw_relay.deliver(b"warm-up").await;
    let (mut runs, mut relayed, mut on_relay) = (Runs::default(), vec![], 0);
    for i in 0..REPS {
        let payload = p.one_change(i);
        let start = Instant::now();
        let r = p.counselor.sync_once(via_relay.clone()).await.expect("sync via relay");
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(r.sent_changes, 1, "one change went: {r:?}");
        let b = raw.deliver(&payload).await;
        runs.push(secs, r.bytes_sent + r.bytes_received, &b, &payload);
        let b = raw_relay.deliver(&payload).await;
        relayed.push(b.secs);
        on_relay += usize::from(b.on_relay);
    }

    // First contact: a dialer whose endpoint never reached the citizen (the
    // counselor's node started again on his vault; a new raw client), so the
    // connection starts through the relay, as after a restart.
    let key = p.counselor.with_vault(|v| v.key());
    let Pair {
        citizen,
        mut counselor,
        plan,
    } = p;
    let (mut first, mut raw_first, mut first_on_relay) = (vec![], vec![], 0);
    for i in REPS..2 * REPS {
        counselor.shutdown().await;
        drop(counselor);
        counselor = reopen(&dir.join("relay").join("counselor"), &key, cfg.clone()).await;
        let payload = one_change(&counselor, &plan, i);
        let start = Instant::now();
        let r = counselor
            .sync_once(via_relay.clone())
            .await
            .expect("first sync via relay");
        first.push(start.elapsed().as_secs_f64());
        assert_eq!(r.sent_changes, 1, "one change went: {r:?}");
        let client = raw_endpoint(Some(&url)).await;
        let b = raw_relay.deliver_from(&client, &payload).await;
        client.close().await;
        raw_first.push(b.secs);
        first_on_relay += usize::from(b.on_relay);
    }
    counselor.shutdown().await;
    citizen.shutdown().await;
    raw_relay.close().await;
    drop(relay);
    eprintln!(
        "7b: raw iroh through the relay had the relay as its selected path when the answer came in {on_relay} of \
         {REPS} runs from a warm endpoint and {first_on_relay} of {REPS} from a new one (otherwise a direct path \
         punched on loopback)"
    );
    let ours = median(runs.secs.clone());
    let mut rows = Vec::from(runs.rows("7b one change via relay"));
    rows.push(row(
        "7b via relay, vs raw iroh via the relay",
        ours,
        median(relayed),
        "s",
        TARGET,
        None,
    ));
    rows.push(row(
        "7b first contact via relay, time",
        median(first),
        median(raw_first),
        "s",
        TARGET,
        None,
    ));
    rows
}

/// A node on a vault that was just closed (retried while the previous node
/// lets go of the file).
async fn reopen(dir: &Path, key: &VaultKey, cfg: NodeConfig) -> Node {
    let deadline = Instant::now() + Duration::from_secs(10);
    let vault = loop {
        match Vault::open_with_key(dir, key) {
            Ok(v) => break v,
            Err(e) => {
                assert!(Instant::now() < deadline, "reopen {}: {e}", dir.display());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    Node::spawn(vault, cfg).await.expect("node")
}

/// (c) The counselor's round that deposits plus the citizen's that collects.
async fn through_postbus(dir: &Path, raw: &Raw) -> [Row; 2] {
    let pb = Postbus::spawn(
        &dir.join("postbus"),
        PostbusConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..PostbusConfig::default()
        },
    )
    .await
    .expect("postbus");
    let p = pair(&dir.join("mail"), NodeConfig::loopback(), Some(&pb)).await;
    let owner = p.citizen.with_vault(|v| v.identity());
    // The citizen gives the postbus her roster (and leaves her own changes,
    // which the counselor collects) until both sides are quiet.
    for _ in 0..3 {
        let r = p.citizen.postbus_round().await;
        assert!(r.problems.is_empty(), "{r:?}");
        let r = p.counselor.postbus_round().await;
        assert!(r.problems.is_empty(), "{r:?}");
    }
    let (mut runs, mut deposits, mut collects) = (Runs::default(), vec![], vec![]);
    let (mut envelopes, mut rosters) = (vec![], vec![]);
    for i in 0..REPS {
        let payload = p.one_change(i);
        let start = Instant::now();
        let left = p.counselor.postbus_round().await;
        let deposit = start.elapsed().as_secs_f64();
        assert_eq!(
            (left.reached, left.deposited, left.changes_deposited, left.received),
            (1, 1, 1, 0),
            "{left:?}"
        );
        // What the postbus holds now: the one envelope, and the roster the
        // counselor was given to seal by.
        let usage = pb.store().usage(&owner).expect("usage");
        assert_eq!(usage.envelopes, 1);
        let held = pb
            .store()
            .fetch(&p.citizen.id(), inwonercloud_vault::keys::now(), usize::MAX)
            .expect("held");
        assert_eq!(held.len(), 1);
        let roster = pb.store().roster(&owner).expect("roster").expect("a roster");
        let start = Instant::now();
        let taken = p.citizen.postbus_round().await;
        let collect = start.elapsed().as_secs_f64();
        assert_eq!(
            (taken.reached, taken.received, taken.changes_received, taken.deposited),
            (1, 1, 1, 0),
            "{taken:?}"
        );
        deposits.push(deposit);
        collects.push(collect);
        envelopes.push(usage.bytes as f64);
        let recipients: Vec<PublicKey> = roster
            .record
            .readers(&inwonercloud_vault::mail::doc_tag(&owner, &p.plan))
            .into_iter()
            .filter(|d| *d != p.counselor.id())
            .collect();
        let (bytes, roster_bytes) = postbus_messages(roster, recipients, &held[0]);
        rosters.push(roster_bytes as f64);
        let b = raw.deliver(&payload).await;
        runs.push(deposit + collect, bytes, &b, &payload);
    }
    p.shutdown().await;
    pb.shutdown().await;
    eprintln!(
        "7c: deposit round {:.4} s + collect round {:.4} s (medians); the envelope held: {:.0} B (it crosses \
         twice); the roster answer the depositor gets each round: {:.0} B",
        median(deposits),
        median(collects),
        median(envelopes),
        median(rosters)
    );
    runs.rows("7c one change via postbus")
}

fn len<T: serde::Serialize>(msg: &T, blobs: &[&[u8]]) -> usize {
    wire::encode(msg, blobs).expect("encode").len()
}

/// The bytes of every postbus message the two rounds exchanged (requests
/// and answers, framed as on their streams), rebuilt from what the postbus
/// held: the depositor asks for mail (none), for the owner's roster, and
/// leaves the envelope; the collector asks for mail (the envelope) and
/// acknowledges it. Returns all of them, and the roster answer's share.
fn postbus_messages(roster: Signed<PostbusRoster>, recipients: Vec<PublicKey>, held: &Held) -> (usize, usize) {
    let owner = held.owner;
    let blob: &[u8] = &held.blob;
    let fetch = Request::Fetch { max_bytes: FETCH_BATCH };
    let nothing = Response::Mail {
        items: vec![],
        more: false,
    };
    let mail = Response::Mail {
        items: vec![MailItem {
            id: held.id,
            owner,
            from: held.from,
        }],
        more: false,
    };
    let roster = len(
        &Response::Roster {
            roster: Some(roster.into()),
        },
        &[],
    );
    let depositor = len(&fetch, &[])
        + len(&nothing, &[])
        + len(&Request::Roster { owner }, &[])
        + roster
        + len(&Request::Deposit { owner, recipients }, &[blob])
        + len(&Response::Deposited { id: held.id }, &[]);
    let collector = len(&fetch, &[])
        + len(&mail, &[blob])
        + len(&Request::Ack { ids: vec![held.id] }, &[])
        + len(&Response::Acked { count: 1 }, &[]);
    (depositor + collector, roster)
}
