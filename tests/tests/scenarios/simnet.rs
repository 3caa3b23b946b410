//! A simulated network: real vaults in temporary directories, the sync
//! protocol's I/O-free core ([`inwonercloud_sync::protocol::Session`]) on
//! every side, and in-memory connections carrying encoded frames cut into
//! chunks — with delay, reordering between sessions, dropped connections
//! (the dialer reconnects), duplicated sessions and a misbehaving peer, all
//! on a virtual clock and a seeded random source, so every run is the same.
//!
//! The property: every peer the owner gave consent ends with the owner's
//! changes and records, and no peer ever receives a document it has no
//! consent for. The hostile-peer cases of `sync_hostile.rs` that do not test
//! QUIC itself run here too, in milliseconds (the real-iroh tests stay).

use std::collections::BTreeMap;

use inwonercloud_schemas::{Access, DocKind, LifeDomain, Role};
use inwonercloud_sync::SyncReport;
use inwonercloud_sync::protocol::{Effect, Input, Mode, Session, Side};
use inwonercloud_sync::wire::{
    ChangesHead, Code, Decoder, FRAME_TIMEOUT_MS, Frame, Hello, MAX_FRAME, Offer, PROTOCOL_VERSION, Want,
};
use inwonercloud_tests::{another_device, goal_change, goal_texts, vault};
use inwonercloud_vault::Vault;
use proptest::prelude::*;

/// A small deterministic random source (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// One side of a connection: an honest session, or a raw peer the test
/// speaks for (it only collects what it receives).
struct End {
    peer: usize,
    session: Option<Session>,
    decoder: Decoder,
    /// Frames a raw end received.
    received: Vec<Frame>,
    /// How an honest end's session ended.
    result: Option<Result<SyncReport, String>>,
    /// The code it closed with.
    closed_with: Option<Code>,
    /// When its session ended (virtual milliseconds).
    ended_at: Option<u64>,
    /// No more bytes reach this end.
    gone: bool,
}

impl End {
    fn new(peer: usize, session: Option<Session>) -> Self {
        End {
            peer,
            session,
            decoder: Decoder::new(),
            received: vec![],
            result: None,
            closed_with: None,
            ended_at: None,
            gone: false,
        }
    }

    fn live(&self) -> bool {
        !self.gone && self.session.as_ref().is_some_and(|s| !s.is_ended())
    }

    /// The code of the first error frame a raw end received.
    fn error_code(&self) -> Option<Code> {
        self.received.iter().find_map(|f| match f {
            Frame::Error(e) => Code::from_u32(e.code),
            _ => None,
        })
    }
}

/// A connection: end 0 dialed, end 1 accepted.
struct Conn {
    ends: [End; 2],
    /// Cut: bytes in flight are lost.
    dropped: bool,
    /// When the last chunk toward each end arrives (a stream keeps its order).
    last_at: [u64; 2],
    link: Option<usize>,
}

/// A pair the dialer keeps connected, as `Node::keep_connected` does.
struct Link {
    dialer: usize,
    acceptor: usize,
    conn: Option<usize>,
    dials: u32,
}

#[allow(clippy::large_enum_variant)] // events are made once and moved
enum Ev {
    Bytes { conn: usize, to: usize, bytes: Vec<u8> },
    Closed { conn: usize, to: usize, why: String },
    Input { conn: usize, end: usize, input: Input },
    FrameDeadline { conn: usize, end: usize },
    Dial { link: usize },
}

/// Most times one link redials.
const MAX_DIALS: u32 = 40;

struct Sim {
    now: u64,
    seq: u64,
    queue: BTreeMap<(u64, u64), Ev>,
    rng: Rng,
    peers: Vec<Vault>,
    names: Vec<String>,
    conns: Vec<Conn>,
    links: Vec<Link>,
    /// Links redial while this holds.
    redial: bool,
    /// The document whose consent is checked; peer 0 owns it.
    watched: String,
    violations: Vec<String>,
}

impl Sim {
    fn new(seed: u64, watched: &str) -> Self {
        Sim {
            now: 0,
            seq: 0,
            queue: BTreeMap::new(),
            rng: Rng(seed),
            peers: vec![],
            names: vec![],
            conns: vec![],
            links: vec![],
            redial: true,
            watched: watched.to_string(),
            violations: vec![],
        }
    }

    fn add(&mut self, name: &str, v: Vault) -> usize {
        self.peers.push(v);
        self.names.push(name.to_string());
        self.peers.len() - 1
    }

    fn at(&mut self, t: u64, ev: Ev) {
        self.seq += 1;
        self.queue.insert((t.max(self.now), self.seq), ev);
    }

    /// Runs `f` on a peer's vault and tells its sessions what changed (what
    /// the node's `with_vault` does).
    fn with_vault<R>(&mut self, peer: usize, f: impl FnOnce(&mut Vault) -> R) -> R {
        let before = self.peers[peer].doc_states();
        let r = f(&mut self.peers[peer]);
        let after = self.peers[peer].doc_states();
        let changed: Vec<String> = after
            .iter()
            .filter(|(k, s)| before.get(*k) != Some(s))
            .map(|(k, _)| k.clone())
            .collect();
        self.notify(peer, changed);
        r
    }

    fn notify(&mut self, peer: usize, docs: Vec<String>) {
        if docs.is_empty() {
            return;
        }
        for c in 0..self.conns.len() {
            for e in 0..2 {
                if self.conns[c].ends[e].peer == peer && self.conns[c].ends[e].live() {
                    let input = Input::LocalChanged(docs.clone());
                    self.at(self.now, Ev::Input { conn: c, end: e, input });
                }
            }
        }
    }

    fn open(&mut self, ends: [End; 2], link: Option<usize>) -> usize {
        self.conns.push(Conn {
            ends,
            dropped: false,
            last_at: [self.now; 2],
            link,
        });
        let c = self.conns.len() - 1;
        for e in 0..2 {
            if self.conns[c].ends[e].session.is_some() {
                self.at(
                    self.now,
                    Ev::Input {
                        conn: c,
                        end: e,
                        input: Input::Start,
                    },
                );
            }
        }
        c
    }

    /// An honest session from `dialer` to `acceptor`.
    fn dial(&mut self, dialer: usize, acceptor: usize, side: Side, mode: Mode, link: Option<usize>) -> usize {
        let (dd, ad) = (self.device(dialer), self.device(acceptor));
        let ends = [
            End::new(dialer, Some(Session::new(side, mode, ad))),
            End::new(acceptor, Some(Session::new(Side::Acceptor, Mode::Live, dd))),
        ];
        self.open(ends, link)
    }

    /// A connection from a peer the test speaks for.
    fn raw(&mut self, from: usize, to: usize) -> usize {
        let fd = self.device(from);
        let ends = [
            End::new(from, None),
            End::new(to, Some(Session::new(Side::Acceptor, Mode::Live, fd))),
        ];
        self.open(ends, None)
    }

    fn device(&self, peer: usize) -> inwonercloud_schemas::PublicKey {
        self.peers[peer].device_key().public()
    }

    /// A pair kept connected in live mode.
    fn link(&mut self, dialer: usize, acceptor: usize) -> usize {
        self.links.push(Link {
            dialer,
            acceptor,
            conn: None,
            dials: 0,
        });
        let l = self.links.len() - 1;
        self.at(self.now, Ev::Dial { link: l });
        l
    }

    /// Sends bytes from `end` of `conn`, cut into chunks that arrive after a
    /// delay, in order within the connection.
    fn transmit(&mut self, conn: usize, end: usize, bytes: &[u8]) {
        let to = 1 - end;
        let mut rest = bytes;
        while !rest.is_empty() {
            let n = (self.rng.range(1, 1500) as usize).min(rest.len());
            let (chunk, tail) = rest.split_at(n);
            rest = tail;
            let t = (self.now + self.rng.range(1, 20)).max(self.conns[conn].last_at[to]);
            self.conns[conn].last_at[to] = t;
            self.at(
                t,
                Ev::Bytes {
                    conn,
                    to,
                    bytes: chunk.to_vec(),
                },
            );
        }
    }

    fn send_raw(&mut self, conn: usize, bytes: &[u8]) {
        self.transmit(conn, 0, bytes);
    }

    /// `end` closes: the other end learns it after what was sent before.
    fn close(&mut self, conn: usize, end: usize, why: &str) {
        let to = 1 - end;
        self.conns[conn].ends[end].gone = true;
        let t = self.conns[conn].last_at[to].max(self.now) + 1;
        self.at(
            t,
            Ev::Closed {
                conn,
                to,
                why: why.into(),
            },
        );
    }

    /// The connection breaks: what is in flight is lost, both ends learn it.
    fn cut(&mut self, conn: usize) {
        if self.conns[conn].dropped {
            return;
        }
        self.conns[conn].dropped = true;
        for to in 0..2 {
            let why = "link dropped".to_string();
            self.at(self.now + 1, Ev::Closed { conn, to, why });
        }
    }

    fn step(&mut self) -> bool {
        let Some(((t, _), ev)) = self.queue.pop_first() else {
            return false;
        };
        self.now = t;
        match ev {
            Ev::Bytes { conn, to, bytes } => {
                if self.conns[conn].dropped || self.conns[conn].ends[to].gone {
                    return true;
                }
                let now = self.now;
                let decoded = self.conns[conn].ends[to].decoder.push(&bytes, now);
                for r in decoded {
                    match r {
                        Ok((f, _)) if self.conns[conn].ends[to].session.is_none() => {
                            self.conns[conn].ends[to].received.push(f)
                        }
                        Ok((f, _)) => self.feed(conn, to, Input::Frame(f)),
                        Err(e) => self.feed(conn, to, Input::FrameError(e)),
                    }
                }
                if let Some(d) = self.conns[conn].ends[to].decoder.deadline() {
                    self.at(d, Ev::FrameDeadline { conn, end: to });
                }
            }
            Ev::FrameDeadline { conn, end } => {
                let now = self.now;
                if let Some(e) = self.conns[conn].ends[end].decoder.tick(now) {
                    self.feed(conn, end, Input::FrameError(e));
                }
            }
            Ev::Closed { conn, to, why } => {
                if self.conns[conn].ends[to].session.is_some() {
                    self.feed(conn, to, Input::Closed(why));
                }
                self.conns[conn].ends[to].gone = true;
            }
            Ev::Input { conn, end, input } => self.feed(conn, end, input),
            Ev::Dial { link } => {
                let (d, a) = (self.links[link].dialer, self.links[link].acceptor);
                if self.redial && self.links[link].conn.is_none() && self.links[link].dials < MAX_DIALS {
                    self.links[link].dials += 1;
                    let c = self.dial(d, a, Side::dialer(), Mode::Live, Some(link));
                    self.links[link].conn = Some(c);
                }
            }
        }
        true
    }

    /// Feeds an input to an honest end and performs its effects.
    fn feed(&mut self, conn: usize, end: usize, input: Input) {
        let peer = self.conns[conn].ends[end].peer;
        let before = self.peers[peer].doc_states();
        let now = self.now;
        let Some(session) = self.conns[conn].ends[end].session.as_mut() else {
            return;
        };
        if session.is_ended() {
            return;
        }
        let fx = session.handle(&mut self.peers[peer], now, input);
        let after = self.peers[peer].doc_states();
        let mut changed: Vec<String> = after
            .iter()
            .filter(|(k, s)| before.get(*k) != Some(s))
            .map(|(k, _)| k.clone())
            .collect();
        let dest = self.conns[conn].ends[1 - end].peer;
        let mut ended = false;
        for e in fx {
            match e {
                Effect::Send(f) => {
                    self.check_consent(peer, dest, &f);
                    if !self.conns[conn].ends[end].gone {
                        self.transmit(conn, end, &f.encode());
                    }
                }
                Effect::Close { code, message } => {
                    self.conns[conn].ends[end].closed_with = Some(code);
                    if !self.conns[conn].ends[end].gone {
                        self.close(conn, end, &message);
                    }
                }
                Effect::Notify(docs) => changed.extend(docs),
                Effect::Done(r) => {
                    self.conns[conn].ends[end].result = Some(Ok(r));
                    ended = true;
                }
                Effect::Failed(e) => {
                    self.conns[conn].ends[end].result = Some(Err(e.to_string()));
                    ended = true;
                }
                Effect::Connected { .. } | Effect::Received(_) | Effect::InSync => {}
            }
        }
        changed.sort();
        changed.dedup();
        self.notify(peer, changed);
        if ended {
            self.conns[conn].ends[end].ended_at = Some(self.now);
            // The driver drops the connection when its session ends.
            if !self.conns[conn].ends[end].gone {
                self.close(conn, end, "the peer's session ended");
            }
            if let Some(l) = self.conns[conn].link
                && self.links[l].conn == Some(conn)
            {
                self.links[l].conn = None;
                let backoff = self.rng.range(50, 500);
                self.at(self.now + backoff, Ev::Dial { link: l });
            }
            return;
        }
        let Some((pending, deadline)) = self.conns[conn].ends[end]
            .session
            .as_ref()
            .map(|s| (s.has_pending(), s.deadline()))
        else {
            return;
        };
        if pending {
            self.at(
                self.now + 1,
                Ev::Input {
                    conn,
                    end,
                    input: Input::Writable,
                },
            );
        }
        if let Some(d) = deadline {
            self.at(
                d,
                Ev::Input {
                    conn,
                    end,
                    input: Input::Tick,
                },
            );
        }
    }

    /// A frame that carries the watched document goes only to a peer that
    /// was given consent, and only while the sender's vault still sees that
    /// consent (a sender that has not yet heard of a revocation acts on what
    /// it holds; a session must never act on less).
    fn check_consent(&mut self, from: usize, dest: usize, f: &Frame) {
        let carries = match f {
            Frame::Changes(head, changes) => head.doc == self.watched && !changes.is_empty(),
            Frame::Offer(o) => o.docs.iter().any(|h| h.record.id == self.watched),
            _ => false,
        };
        if !carries {
            return;
        }
        let to = self.peers[dest].identity();
        let sender_allows = self.peers[from]
            .documents_for_peer(&to)
            .is_ok_and(|d| d.contains(&self.watched));
        let (_, ever) = self.consent(dest);
        if !ever || !sender_allows {
            self.violations.push(format!(
                "{} frame with {} sent by {} to {} (ever given consent: {}, by the sender's view: {})",
                f.name(),
                self.watched,
                self.names[from],
                self.names[dest],
                ever,
                sender_allows
            ));
        }
    }

    /// Whether `peer` may have the watched document now, and whether it ever
    /// might, as the owner's vault (peer 0) records consents (its own
    /// identity's devices always may).
    fn consent(&self, peer: usize) -> (bool, bool) {
        let (owner, id) = (&self.peers[0], self.peers[peer].identity());
        if id == owner.identity() {
            return (true, true);
        }
        let consents = owner.consents().unwrap_or_default();
        let mine: Vec<_> = consents
            .iter()
            .filter(|c| c.consent.record.grantee == id && c.consent.record.documents.contains(&self.watched))
            .collect();
        (mine.iter().any(|c| c.active), !mine.is_empty())
    }

    fn run_until(&mut self, t: u64) {
        while self.queue.first_key_value().is_some_and(|((at, _), _)| *at <= t) {
            self.step();
        }
        self.now = self.now.max(t);
    }

    /// Runs until nothing is left to do (live sessions idle), at most `limit` events.
    fn run_quiet(&mut self, limit: usize) {
        for _ in 0..limit {
            if !self.step() {
                return;
            }
        }
        panic!("the network did not settle within {limit} events");
    }

    /// Every end that failed with a code it sent, on a connection between
    /// honest peers (not `hostile`), as (peer name, code, message).
    fn honest_failures(&self, hostile: usize) -> Vec<(String, Code, String)> {
        let mut out = vec![];
        for c in self.conns.iter().filter(|c| c.ends.iter().all(|e| e.peer != hostile)) {
            for e in &c.ends {
                if let (Some(Err(msg)), Some(code)) = (&e.result, e.closed_with)
                    && code != Code::Done
                {
                    out.push((self.names[e.peer].clone(), code, msg.clone()));
                }
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------
// Convergence and consent under a random schedule.

/// The cast: Anna (the owner), her phone, six counselors; Mallory misbehaves.
const COUNSELORS: usize = 6;
const ANNA: usize = 0;
const PHONE: usize = 1;
const MALLORY: usize = 2 + COUNSELORS;

#[derive(Clone, Debug)]
enum Op {
    /// A peer writes a goal into Anna's plan (if it holds it and may write).
    Write(usize),
    /// A link's current connection breaks.
    Drop(usize),
    /// A second session over a link's pair, alongside the first.
    Duplicate(usize),
    /// Anna grants a counselor consent on her plan (write or read).
    Grant(usize, bool),
    /// Anna revokes a counselor's read consent.
    Revoke(usize),
    /// A counselor joins with an invite ticket from Anna (write or read).
    Join(usize, bool),
    /// Mallory sends a hostile frame to a peer.
    Hostile(usize, u8),
    /// Time passes.
    Wait(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..2 + COUNSELORS).prop_map(Op::Write),
        2 => (0..64usize).prop_map(Op::Drop),
        1 => (0..64usize).prop_map(Op::Duplicate),
        2 => (0..COUNSELORS, any::<bool>()).prop_map(|(c, w)| Op::Grant(c, w)),
        1 => (0..COUNSELORS).prop_map(Op::Revoke),
        1 => (0..COUNSELORS, any::<bool>()).prop_map(|(c, w)| Op::Join(c, w)),
        1 => (0..2 + COUNSELORS, 0..5u8).prop_map(|(t, k)| Op::Hostile(t, k)),
        2 => (1..300u64).prop_map(Op::Wait),
    ]
}

/// Hostile bytes of kind `k` from Mallory (after her hello).
fn hostile_bytes(mallory: &Vault, anna: &Vault, plan: &str, k: u8) -> Vec<u8> {
    let mut out = Frame::Hello(hello(mallory)).encode();
    match k {
        0 => out.extend_from_slice(&((MAX_FRAME as u32) + 1).to_be_bytes()),
        1 => out.extend_from_slice(&[0, 0, 0, 3, 99, 1, 2]),
        2 => out.extend(
            Frame::Want(Want {
                doc: plan.into(),
                have: Default::default(),
            })
            .encode(),
        ),
        3 => {
            // Anna's plan offered with a change Mallory may not write.
            let base = anna.signed_changes(plan).unwrap_or_default();
            out.extend(
                Frame::Offer(Offer {
                    docs: anna.signed_header(plan).into_iter().collect(),
                    known: vec![],
                    withdrawn: vec![],
                })
                .encode(),
            );
            let head = ChangesHead {
                doc: plan.into(),
                certs: vec![mallory.device_certificate().clone()],
                last: true,
            };
            out.extend(Frame::Changes(head, vec![goal_change(mallory, plan, &base)]).encode());
        }
        _ => out.extend_from_slice(&1000u32.to_be_bytes()),
    }
    out
}

fn hello(who: &Vault) -> Hello {
    Hello {
        version: PROTOCOL_VERSION,
        device: who.device_certificate().clone(),
        ticket_secret: None,
        listen: vec![],
        postbus: None,
    }
}

fn converge(seed: u64, initial: &[u8], ops: &[Op]) -> Result<(), TestCaseError> {
    let started = std::time::Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut anna = vault(&dir.join("anna"), "Anna", Role::Citizen);
    let plan = anna.plan_doc();
    anna.add_goal(&plan, LifeDomain::Wonen, "zelfstandig wonen", None)
        .unwrap();
    let phone = another_device(&mut anna, &dir.join("phone"), "phone");
    let mut sim = Sim::new(seed, &plan);
    sim.add("Anna", anna);
    sim.add("phone", phone);
    for i in 0..COUNSELORS {
        let name = format!("C{i}");
        let mut v = vault(&dir.join(&name), &name, Role::Counselor);
        v.admit(sim.peers[ANNA].identity()).unwrap();
        sim.add(&name, v);
    }
    let mallory = vault(&dir.join("mallory"), "Mallory", Role::Counselor);
    sim.add("Mallory", mallory);
    let access = |write: bool| if write { Access::Write } else { Access::Read };
    let grant = |sim: &mut Sim, c: usize, write: bool| {
        let who = 2 + c;
        if sim.consent(who).0 {
            return;
        }
        let (id, name) = (sim.peers[who].identity(), sim.names[who].clone());
        let plan = sim.watched.clone();
        sim.with_vault(ANNA, |v| {
            v.grant_consent(id, &name, Role::Counselor, vec![plan], access(write), None, "test")
                .unwrap()
        });
    };
    // Some consents from the start: 0 none, 1 read, 2 write.
    for (c, g) in initial.iter().enumerate() {
        if *g > 0 {
            grant(&mut sim, c, *g == 2);
        }
    }
    let setup = started.elapsed();
    // Everyone keeps a live session with Anna and with her phone, the phone
    // with Anna, and each counselor with the next (who share nothing).
    sim.link(PHONE, ANNA);
    for c in 0..COUNSELORS {
        sim.link(2 + c, ANNA);
        sim.link(2 + c, PHONE);
        sim.link(2 + c, 2 + (c + 1) % COUNSELORS);
    }
    let mut goals = 1;
    for op in ops {
        match op {
            Op::Write(p) => {
                // Whoever holds the plan tries; the vault refuses one that may not write.
                let (p, text) = (*p, format!("doel {goals}"));
                if sim.peers[p].header(&plan).is_ok() {
                    let plan = plan.clone();
                    let ok = sim.with_vault(p, |v| v.add_goal(&plan, LifeDomain::Wonen, &text, None).is_ok());
                    goals += usize::from(ok);
                }
            }
            Op::Drop(l) => {
                if let Some(c) = sim.links[l % sim.links.len()].conn {
                    sim.cut(c);
                }
            }
            Op::Duplicate(l) => {
                let l = &sim.links[l % sim.links.len()];
                let (d, a) = (l.dialer, l.acceptor);
                sim.dial(d, a, Side::dialer(), Mode::Once, None);
            }
            Op::Grant(c, w) => grant(&mut sim, *c, *w),
            Op::Join(c, w) => {
                // Sent once: a join cut off after the invite was redeemed is not retried.
                let who = 2 + c;
                if !sim.consent(who).0 {
                    let spec = inwonercloud_vault::InviteSpec {
                        role: Role::Counselor,
                        documents: vec![plan.clone()],
                        access: access(*w),
                        valid_until: None,
                        purpose: "test".into(),
                        name_hint: String::new(),
                        device: false,
                    };
                    let (secret, _) = sim.with_vault(ANNA, |v| v.create_invite(spec, 3600).unwrap());
                    let side = Side::Dialer {
                        ticket_secret: Some(secret),
                        expect_identity: Some(sim.peers[ANNA].identity()),
                    };
                    sim.dial(who, ANNA, side, Mode::Once, None);
                }
            }
            Op::Revoke(c) => {
                // Read consents only: a revoked writer's late changes are the
                // vault's revocation window (see the threat model), not sync's.
                let id = sim.peers[2 + c].identity();
                let consents = sim.peers[ANNA].consents().unwrap();
                let mine: Vec<_> = consents
                    .iter()
                    .filter(|v| v.active && v.consent.record.grantee == id)
                    .collect();
                if !mine.is_empty() && mine.iter().all(|v| v.consent.record.access == Access::Read) {
                    for v in mine {
                        let consent = v.consent.record.id.clone();
                        sim.with_vault(ANNA, |v| v.revoke_consent(&consent, "klaar").unwrap());
                    }
                }
            }
            Op::Hostile(t, k) => {
                let bytes = hostile_bytes(&sim.peers[MALLORY], &sim.peers[ANNA], &plan, *k);
                let c = sim.raw(MALLORY, *t);
                sim.send_raw(c, &bytes);
            }
            Op::Wait(ms) => {
                let t = sim.now + ms;
                sim.run_until(t);
            }
        }
        let t = sim.now + 20;
        sim.run_until(t);
    }
    // Heal: no more drops; every link reconnects and the network settles.
    sim.run_quiet(2_000_000);
    prop_assert!(sim.violations.is_empty(), "{:?}", sim.violations);
    // Only sessions with Mallory end with an error code.
    let honest = sim.honest_failures(MALLORY);
    prop_assert!(honest.is_empty(), "honest sessions failed: {:?}", honest);
    let want_vv = sim.peers[ANNA].version_vector(&plan).unwrap();
    let want_goals = goal_texts(&sim.peers[ANNA], &plan);
    prop_assert_eq!(want_goals.len(), goals, "Anna holds every goal written");
    for p in 1..sim.peers.len() {
        let v = &sim.peers[p];
        let (now, ever) = sim.consent(p);
        if now {
            let vv = v.version_vector(&plan).ok();
            prop_assert_eq!(vv.as_ref(), Some(&want_vv), "{} has Anna's changes", sim.names[p]);
            prop_assert_eq!(
                goal_texts(v, &plan),
                want_goals.clone(),
                "{} reads Anna's goals",
                sim.names[p]
            );
        } else if !ever {
            prop_assert!(
                v.header(&plan).is_err(),
                "{} holds the plan without consent",
                sim.names[p]
            );
        }
    }
    let ended = |f: fn(&Result<SyncReport, String>) -> bool| {
        sim.conns
            .iter()
            .flat_map(|c| &c.ends)
            .filter(|e| e.result.as_ref().is_some_and(f))
            .count()
    };
    eprintln!(
        "simnet seed {seed:#x}: {} ops, {} connections ({} ends done, {} failed), {} goals, {} of {} counselors with consent ({} revoked, {} invites made), {} virtual ms; wall: {:?} making vaults, {:?} on the network",
        ops.len(),
        sim.conns.len(),
        ended(|r| r.is_ok()),
        ended(|r| r.is_err()),
        goals,
        (2..2 + COUNSELORS).filter(|p| sim.consent(*p).0).count(),
        COUNSELORS,
        (2..2 + COUNSELORS).filter(|p| sim.consent(*p) == (false, true)).count(),
        sim.peers[ANNA].invites().map_or(0, |i| i.len()),
        sim.now,
        setup,
        started.elapsed() - setup
    );
    // Mallory's changes never entered anywhere.
    let mallory_dev = sim.device(MALLORY);
    prop_assert!(!want_vv.contains_key(&mallory_dev));
    Ok(())
}

proptest! {
    // 16 cases by default (seconds); `SIMNET_CASES=500` for a longer soak.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("SIMNET_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(16),
        ..ProptestConfig::default()
    })]

    #[test]
    fn peers_with_consent_converge_and_others_receive_nothing(
        seed in any::<u64>(),
        initial in proptest::collection::vec(0u8..3, COUNSELORS),
        ops in proptest::collection::vec(op(), 5..30),
    ) {
        converge(seed, &initial, &ops)?;
    }
}

// ---------------------------------------------------------------------------
// The hostile-peer cases of sync_hostile.rs, on the simulated network.

/// Anna (one goal in her plan), Bert (write consent, holds the plan) and
/// Mallory (a stranger to Anna).
fn cast(dir: &std::path::Path) -> (Sim, String) {
    let mut anna = vault(&dir.join("anna"), "Anna", Role::Citizen);
    let plan = anna.plan_doc();
    anna.add_goal(&plan, LifeDomain::Wonen, "zelfstandig wonen", None)
        .unwrap();
    let mut bert = vault(&dir.join("bert"), "Bert", Role::Counselor);
    bert.admit(anna.identity()).unwrap();
    anna.grant_consent(
        bert.identity(),
        "Bert",
        Role::Counselor,
        vec![anna.doc_id(DocKind::Plan)],
        Access::Write,
        None,
        "test",
    )
    .unwrap();
    let mallory = vault(&dir.join("mallory"), "Mallory", Role::Counselor);
    let mut sim = Sim::new(7, &plan);
    sim.add("Anna", anna);
    sim.add("Bert", bert);
    sim.add("Mallory", mallory);
    let c = sim.dial(1, 0, Side::dialer(), Mode::Once, None);
    sim.run_quiet(100_000);
    assert!(matches!(sim.conns[c].ends[0].result, Some(Ok(_))));
    (sim, plan)
}

/// Mallory (peer 2) dials Anna (peer 0) and sends `bytes` after her hello;
/// returns the code of Anna's error frame and the connection.
fn mallory_sends(sim: &mut Sim, bytes: &[u8]) -> (Option<Code>, usize) {
    let mut all = Frame::Hello(hello(&sim.peers[2])).encode();
    all.extend_from_slice(bytes);
    let c = sim.raw(2, 0);
    sim.send_raw(c, &all);
    sim.run_quiet(100_000);
    (sim.conns[c].ends[0].error_code(), c)
}

fn honest_peer_is_served(sim: &mut Sim, plan: &str) -> SyncReport {
    let text = format!("van Bert {}", sim.now);
    let plan_id = plan.to_string();
    sim.with_vault(1, |v| v.add_goal(&plan_id, LifeDomain::Wonen, &text, None).unwrap());
    let c = sim.dial(1, 0, Side::dialer(), Mode::Once, None);
    sim.run_quiet(100_000);
    let report = match &sim.conns[c].ends[0].result {
        Some(Ok(r)) => r.clone(),
        other => panic!("Bert was not served: {other:?}"),
    };
    assert!(goal_texts(&sim.peers[0], plan).contains(&text));
    report
}

#[test]
fn hostile_frames_are_refused_and_the_node_keeps_serving() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut sim, plan) = cast(tmp.path());
    let header = sim.peers[0].signed_header(&plan).unwrap();
    let base = sim.peers[0].signed_changes(&plan).unwrap();
    let count = |sim: &Sim| sim.peers[0].change_count(&plan).unwrap();
    let before = count(&sim);
    let started = std::time::Instant::now();

    // 1. A frame over the size limit.
    let (code, _) = mallory_sends(&mut sim, &((MAX_FRAME as u32) + 1).to_be_bytes());
    assert_eq!(code, Some(Code::TooLarge));

    // 1b. Asking for a document outside any consent, and for one that does
    // not exist: refused, nothing sent.
    for doc in [plan.clone(), "no-such-document".to_string()] {
        let want = Frame::Want(Want {
            doc,
            have: Default::default(),
        });
        let (code, c) = mallory_sends(&mut sim, &want.encode());
        assert_eq!(code, Some(Code::Unauthorized));
        let got_changes = sim.conns[c].ends[0]
            .received
            .iter()
            .any(|f| matches!(f, Frame::Changes(_, c) if !c.is_empty()));
        assert!(!got_changes, "no change bytes leave the node");
    }

    // 2. A malformed frame.
    let (code, _) = mallory_sends(&mut sim, &[0, 0, 0, 3, 99, 1, 2]);
    assert_eq!(code, Some(Code::Protocol));

    // 3 and 4. A forged change, and a well-signed change from a key that may
    // not write, offered as an update to a document Anna holds.
    for forge in [true, false] {
        let mut bad = goal_change(&sim.peers[2], &plan, &base);
        if forge {
            bad.signature.0[0] ^= 1;
        }
        let mut bytes = Frame::Offer(Offer {
            docs: vec![header.clone()],
            known: vec![],
            withdrawn: vec![],
        })
        .encode();
        let head = ChangesHead {
            doc: plan.clone(),
            certs: vec![sim.peers[2].device_certificate().clone()],
            last: true,
        };
        bytes.extend(Frame::Changes(head, vec![bad]).encode());
        let (code, c) = mallory_sends(&mut sim, &bytes);
        let wanted = sim.conns[c].ends[0]
            .received
            .iter()
            .any(|f| matches!(f, Frame::Want(w) if w.doc == plan));
        assert!(wanted, "Anna asked for the offered document");
        assert_eq!(code, Some(Code::RefusedChange), "forge = {forge}");
    }

    // Nothing was applied, every refusal was logged, and Bert is still served.
    assert_eq!(count(&sim), before);
    assert_eq!(sim.peers[0].plan(&plan).unwrap().goals.len(), 1);
    let rejections = sim.peers[0].rejections().unwrap();
    assert!(
        rejections
            .iter()
            .any(|r| r.from == "Mallory" && r.why.contains("may not write"))
    );
    assert!(
        rejections
            .iter()
            .any(|r| r.from == "Mallory" && r.why.contains("signature"))
    );
    let report = honest_peer_is_served(&mut sim, &plan);
    assert_eq!(report.sent_changes, 1);
    assert_eq!(count(&sim), before + 1);
    assert!(sim.violations.is_empty(), "{:?}", sim.violations);
    eprintln!("hostile frames: {:?} of wall time", started.elapsed());
}

#[test]
fn a_peer_sending_one_byte_per_second_is_cut_off_and_others_are_served() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut sim, plan) = cast(tmp.path());
    let started = std::time::Instant::now();
    // A frame announced at 1,000 bytes, then one byte per (virtual) second.
    let t0 = sim.now;
    let mut first = Frame::Hello(hello(&sim.peers[2])).encode();
    first.extend_from_slice(&1000u32.to_be_bytes());
    let c = sim.raw(2, 0);
    sim.send_raw(c, &first);
    // Meanwhile an honest peer is served, long before the slow one is cut off.
    sim.run_until(t0 + 100);
    let plan_id = plan.clone();
    sim.with_vault(1, |v| {
        v.add_goal(&plan_id, LifeDomain::Wonen, "van Bert", None).unwrap()
    });
    let b = sim.dial(1, 0, Side::dialer(), Mode::Once, None);
    sim.run_until(t0 + 1000);
    assert!(matches!(sim.conns[b].ends[0].result, Some(Ok(_))), "Bert was served");
    assert!(goal_texts(&sim.peers[0], &plan).contains(&"van Bert".to_string()));
    let honest = sim.conns[b].ends[0].ended_at.expect("Bert's session ended") - t0;
    for i in 1..30 {
        sim.run_until(t0 + i * 1000);
        if sim.conns[c].ends[0].gone {
            break;
        }
        sim.send_raw(c, &[0]);
    }
    sim.run_quiet(100_000);
    let slow = sim.conns[c].ends[1].ended_at.expect("the slow peer's session ended") - t0;
    assert_eq!(
        sim.conns[c].ends[0].error_code(),
        Some(Code::Timeout),
        "the slow peer is told why"
    );
    assert_eq!(sim.conns[c].ends[1].closed_with, Some(Code::Timeout));
    assert!(
        (FRAME_TIMEOUT_MS..20_000).contains(&slow),
        "cut off after the frame timeout ({slow} ms), not served forever"
    );
    assert!(honest < slow, "the honest peer did not wait for the slow one");
    eprintln!(
        "slow drip: honest peer served after {honest} virtual ms, slow one cut off after {slow}, in {:?} of wall time",
        started.elapsed()
    );
}

/// Found by the simulated network: a writer whose consent was revoked while
/// it was offline, and who wrote after its cut-off, offered that change to
/// the owner on every session; the owner refused it and closed with code 4,
/// so the writer never learned of the revocation and `keep_connected`
/// redialed into the same refusal for ever. Now the owner asks nothing of a
/// writer it revoked and sends it the header that says so
/// (`Vault::revocation_notice`, docs/protocol.md).
#[test]
fn a_revoked_writers_late_change_does_not_end_every_session() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut sim, plan) = cast(tmp.path());
    let bert_id = sim.peers[1].identity();
    let consent = sim.peers[0]
        .consents()
        .unwrap()
        .into_iter()
        .find(|v| v.active && v.consent.record.grantee == bert_id)
        .map(|v| v.consent.record.id)
        .unwrap();
    sim.with_vault(0, |v| v.revoke_consent(&consent, "klaar").unwrap());
    // Bert, offline, still holds the header that lets him write.
    let plan_id = plan.clone();
    sim.with_vault(1, |v| v.add_goal(&plan_id, LifeDomain::Wonen, "te laat", None).unwrap());
    for _ in 0..2 {
        let c = sim.dial(1, 0, Side::dialer(), Mode::Once, None);
        sim.run_quiet(100_000);
        let result = sim.conns[c].ends[0].result.as_ref().unwrap();
        assert!(result.is_ok(), "Bert's session failed: {result:?}");
    }
    assert!(!goal_texts(&sim.peers[0], &plan).contains(&"te laat".to_string()));
    assert!(
        !sim.peers[1].header(&plan).unwrap().writers.contains(&bert_id),
        "Bert learned that he no longer writes"
    );
}
