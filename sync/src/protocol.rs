//! The sync protocol as a state machine with no I/O: a [`Session`] takes one
//! [`Input`] and the current time, and returns the [`Effect`]s to perform.
//!
//! No network, no runtime, no clock: frames come in decoded (see
//! [`wire::Decoder`](crate::wire::Decoder)), time comes in as milliseconds
//! on any monotonic clock, and the vault is reached through the narrow
//! [`Replica`] trait. A driver ([`session`](crate::session) for iroh, the
//! simulated network in the tests crate) feeds inputs and performs effects:
//! it writes [`Effect::Send`] frames in order, closes on [`Effect::Close`],
//! and stops at [`Effect::Done`] or [`Effect::Failed`].
//!
//! Changes go out a page at a time: after the driver has written the frames
//! of one call, while [`Session::has_pending`] it feeds [`Input::Writable`]
//! for the next page, so a large document is never held in memory whole.
//! The answer to a `Want` is made on the input after it, so wants that
//! arrive together are answered in one call, several small pages at once.
//!
//! The session's bookkeeping (access-log lines, the peer's visit, the note
//! of what the peer holds) rides with its next durable commit: see
//! [`Session::flush_notes`] for when each part is written.
//!
//! The frames and their order are in `docs/protocol.md`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use inwonercloud_schemas::{CertifiedDevice, DocumentHeader, PublicKey, Signed};
use inwonercloud_vault::replica::VersionVector;
use inwonercloud_vault::{Direction, PeerVisit, Redeemed, SessionNotes, SignedChange, VaultError};
use serde::Serialize;

use crate::replica::{MAX_ANNOUNCED_ADDRS, PeerKnowledge, Replica};
use crate::wire::{
    ChangesHead, Code, ErrorFrame, Frame, Hello, KnownHeader, MAX_CHANGES_PER_FRAME, MAX_LISTEN_ADDRS, Offer,
    PROTOCOL_VERSION, Resume, Want, WantHeader, Welcome, WireError, digest,
};

/// Milliseconds on the driver's monotonic clock; only differences matter.
pub type Millis = u64;

/// How long the handshake may take from [`Input::Start`].
pub const HANDSHAKE_TIMEOUT_MS: Millis = 10_000;
/// Most change bytes per `Changes` frame before starting another.
pub const CHUNK_BYTES: usize = 2 * 1024 * 1024;
/// Change bytes below which one call goes on to the next page: small
/// answers for several documents leave together, after one write of their
/// access-log lines.
pub const SMALL_PAGES_BYTES: usize = 64 * 1024;

/// Which side of the connection this is.
#[derive(Clone, Debug)]
pub enum Side {
    /// We dialed; maybe with an invite secret.
    Dialer {
        /// Invite secret, when joining.
        ticket_secret: Option<Vec<u8>>,
        /// Identity the ticket says we dial, checked against the Welcome.
        expect_identity: Option<PublicKey>,
    },
    /// We accepted.
    Acceptor,
}

impl Side {
    /// A dialer without a ticket.
    pub fn dialer() -> Self {
        Side::Dialer {
            ticket_secret: None,
            expect_identity: None,
        }
    }
}

/// Whether to stop once in sync or stay connected and push.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Exchange what is missing, then close.
    Once,
    /// Stay connected and push new changes as they are made.
    Live,
}

/// What a session did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SyncReport {
    /// The peer's identity.
    pub peer: Option<PublicKey>,
    /// The peer's name.
    pub peer_name: String,
    /// Changes sent.
    pub sent_changes: usize,
    /// Changes received and applied (new ones).
    pub received_changes: usize,
    /// Every byte sent on the stream (frames with their prefixes).
    pub bytes_sent: usize,
    /// Every byte received on the stream.
    pub bytes_received: usize,
    /// Documents received or updated.
    pub docs_received: BTreeSet<String>,
    /// Documents sent.
    pub docs_sent: BTreeSet<String>,
    /// Frames on the wire per type (filled in by the driver).
    pub frames: FrameTally,
}

/// Per frame type ([`Frame::name`]), each way: how many frames and their
/// bytes on the wire (prefix included, as sent: deflated or not).
#[derive(Clone, Debug, Default, Serialize)]
pub struct FrameTally {
    /// Frames sent: count and bytes.
    pub sent: BTreeMap<&'static str, (usize, usize)>,
    /// Frames received: count and bytes.
    pub received: BTreeMap<&'static str, (usize, usize)>,
}

impl FrameTally {
    /// Counts one frame of `bytes` on the wire.
    pub fn add(&mut self, name: &'static str, sent: bool, bytes: usize) {
        let side = if sent { &mut self.sent } else { &mut self.received };
        let e = side.entry(name).or_default();
        e.0 += 1;
        e.1 += bytes;
    }
}

/// Why a session ended badly.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Could not connect.
    #[error("could not reach the peer: {0}")]
    Connect(String),
    /// The peer refused or closed with an error code.
    #[error("the peer ended the session ({code:?}): {message}")]
    Remote {
        /// Code.
        code: Code,
        /// Its message.
        message: String,
    },
    /// We ended the session because the peer broke a rule.
    #[error("session closed ({code:?}): {message}")]
    Local {
        /// Code sent.
        code: Code,
        /// Why.
        message: String,
    },
    /// The connection dropped.
    #[error("connection lost: {0}")]
    Lost(String),
    /// The local vault failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
}

/// What happened to the session.
// Each input is made once and moved into `handle`; boxing frames would cost
// an allocation per frame for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Input {
    /// The stream is open: the dialer sends `Hello`, the acceptor starts
    /// waiting for one. Must come first; inputs before it are ignored.
    Start,
    /// A frame arrived.
    Frame(Frame),
    /// The incoming bytes broke a limit or did not decode; the stream is unusable.
    FrameError(WireError),
    /// These documents changed here (a local write, or an import from another peer).
    LocalChanged(Vec<String>),
    /// Change notices were lost: re-check every document the peer holds.
    Lagged,
    /// The frames of the last call are written; give the next page.
    Writable,
    /// Time passed; see [`Session::deadline`].
    Tick,
    /// The peer closed the stream or the connection dropped (why, in words).
    Closed(String),
    /// This node is stopping.
    Shutdown,
}

/// What the driver must do, in order.
#[allow(clippy::large_enum_variant)] // as for `Input`
#[derive(Debug)]
pub enum Effect {
    /// Write this frame.
    Send(Frame),
    /// The handshake succeeded: the peer is this identity, now online.
    Connected {
        /// The peer's identity.
        peer: PublicKey,
        /// Its name.
        name: String,
    },
    /// New changes received in this session so far (progress of a long first sync).
    Received(usize),
    /// This side holds everything it asked for and answered every request.
    InSync,
    /// These documents changed through this session: tell the node's other sessions.
    Notify(Vec<String>),
    /// Close the connection with this code (after the frames before it are written).
    Close {
        /// Close code.
        code: Code,
        /// Why, for a person.
        message: String,
    },
    /// The session ended well.
    Done(SyncReport),
    /// The session ended badly.
    Failed(SyncError),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    New,
    AwaitWelcome,
    AwaitHello,
    Exchange,
    Ended,
}

/// Why a step ended the session.
enum Stop {
    /// The peer broke a rule: an `Error` frame, then close with the code.
    Fail(Code, String),
    /// The local vault failed: `Error{Internal}`, then close.
    Vault(VaultError),
    /// The peer sent an `Error` frame.
    Remote(ErrorFrame),
    /// The connection ended before the session did.
    Lost(String),
    /// A good end, closing with a code or not at all.
    Finished(Option<(Code, &'static str)>),
}

impl From<VaultError> for Stop {
    fn from(e: VaultError) -> Self {
        Stop::Vault(e)
    }
}

type Step = Result<(), Stop>;

/// What waits to be written.
#[allow(clippy::large_enum_variant)] // as for `Input`
enum Out {
    Frame(Frame),
    /// Answer what the peer lacks of a document (computed when its turn comes).
    Missing(String),
    /// An answer under way, a page at a time.
    Paging(Paging),
}

struct Paging {
    doc: String,
    have: VersionVector,
    rows: Vec<u64>,
    /// What the peer holds once it has taken these: at least what this
    /// vault held when it listed them.
    held: VersionVector,
    header_signer: PublicKey,
    next_page: usize,
    bytes: usize,
}

impl Paging {
    fn pages(&self) -> usize {
        self.rows.len().div_ceil(MAX_CHANGES_PER_FRAME).max(1)
    }
}

/// One sync session's protocol state.
pub struct Session {
    side: Side,
    mode: Mode,
    /// The device key the transport authenticated (the connection's endpoint id).
    remote_device: PublicKey,
    phase: Phase,
    deadline: Option<Millis>,
    peer: Option<PublicKey>,
    peer_name: String,
    offered: BTreeMap<String, Signed<DocumentHeader>>,
    /// Documents the peer withdrew in this session.
    withdrawn: BTreeSet<String>,
    wanted: BTreeSet<String>,
    got_offer: bool,
    peer_wants_done: bool,
    peer_synced: bool,
    sent_synced: bool,
    peer_have: BTreeMap<String, VersionVector>,
    shared: BTreeMap<String, u64>,
    /// Every document offered in this session, withdrawn or not.
    ever_offered: BTreeSet<String>,
    certs_sent: BTreeSet<PublicKey>,
    outbox: VecDeque<Out>,
    report: SyncReport,
    /// What the peer device was seen to hold of this vault (loaded at
    /// start; stored again when it changed).
    knowledge: PeerKnowledge,
    knowledge_changed: bool,
    /// Bookkeeping not yet written: access-log lines and the peer's visit
    /// (with `knowledge` when changed, see [`Session::flush_notes`]).
    notes: SessionNotes,
    /// Addresses the driver dialed the peer at, remembered with its visit.
    dialed: Vec<String>,
    /// Dialer: a `Resume` went out (not yet replaced by a `Hello`).
    resumed: bool,
    /// Dialer: the acceptor's certificate the `Resume` named.
    named_cert: Option<CertifiedDevice>,
    /// Acceptor: `SendHello` went out (once per session).
    asked_hello: bool,
    /// Acceptor: the `Resume` named this device's certificate as it is.
    peer_holds_my_cert: bool,
    /// Per document: the digest of the header offered last.
    sent_headers: BTreeMap<String, String>,
    /// Documents offered by digest whose header the peer may still ask for.
    offered_by_hash: BTreeSet<String>,
    /// Documents offered by digest at any time in this session: an ask that
    /// crosses a withdrawal or a full re-offer, or a duplicated ask, is
    /// ignored (the withdrawal or the full header is on its way), not a
    /// protocol error.
    ever_offered_by_hash: BTreeSet<String>,
    /// Documents whose header this side asked for with `WantHeader`.
    header_asked: BTreeSet<String>,
    /// Documents this side sent a `Want` for at any time in this session.
    /// Changes for these, or for one whose header is still asked for (a
    /// live push crossing a re-offer by digest), while no verified header
    /// is in hand are dropped unread: nothing of them is imported.
    ever_asked: BTreeSet<String>,
    /// Documents the peer wanted after our offer in this session: it took
    /// our header then, which outdates the one it offered at the start.
    took_ours: BTreeSet<String>,
    sent_wants_done: bool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("phase", &self.phase)
            .field("mode", &self.mode)
            .field("peer", &self.peer.map(|p| p.short()))
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A session with the device `remote_device` (as the transport authenticated it).
    pub fn new(side: Side, mode: Mode, remote_device: PublicKey) -> Self {
        Session {
            side,
            mode,
            remote_device,
            phase: Phase::New,
            deadline: None,
            peer: None,
            peer_name: String::new(),
            offered: BTreeMap::new(),
            withdrawn: BTreeSet::new(),
            wanted: BTreeSet::new(),
            got_offer: false,
            peer_wants_done: false,
            peer_synced: false,
            sent_synced: false,
            peer_have: BTreeMap::new(),
            shared: BTreeMap::new(),
            ever_offered: BTreeSet::new(),
            certs_sent: BTreeSet::new(),
            outbox: VecDeque::new(),
            report: SyncReport::default(),
            knowledge: PeerKnowledge::default(),
            knowledge_changed: false,
            notes: SessionNotes::default(),
            dialed: vec![],
            resumed: false,
            named_cert: None,
            asked_hello: false,
            peer_holds_my_cert: false,
            sent_headers: BTreeMap::new(),
            offered_by_hash: BTreeSet::new(),
            ever_offered_by_hash: BTreeSet::new(),
            header_asked: BTreeSet::new(),
            ever_asked: BTreeSet::new(),
            took_ours: BTreeSet::new(),
            sent_wants_done: false,
        }
    }

    /// The addresses the driver dialed the peer at: remembered with it.
    pub fn dialed_at(mut self, addrs: Vec<String>) -> Self {
        self.dialed = addrs;
        self
    }

    /// Whether bookkeeping waits to be written ([`Session::flush_notes`]).
    pub fn has_notes(&self) -> bool {
        !self.notes.is_empty() || self.knowledge_changed
    }

    /// Writes the bookkeeping still pending in one commit. The session does
    /// so itself; a driver that stops before the session ended calls this.
    ///
    /// When bookkeeping is written: an access-log line for received changes
    /// in the transaction of their import (never without it); a line for
    /// sent changes before the call that made their last page returns, so
    /// before the driver writes that page; the peer's visit and the note of
    /// what it holds with whichever comes first of those, when the session
    /// is in sync, or when it ends. A write that fails is tried again with
    /// the next one.
    pub fn flush_notes<R: Replica + ?Sized>(&mut self, replica: &mut R) {
        let notes = self.pending_notes();
        if notes.is_empty() {
            return;
        }
        match replica.write_notes(&notes) {
            Ok(()) => self.notes_written(),
            Err(e) => tracing::warn!(error = %e, "the session's access log and peer notes were not written"),
        }
    }

    /// The bookkeeping to write now, the sync note included when changed.
    fn pending_notes(&self) -> SessionNotes {
        self.notes_with_header(None)
    }

    /// The bookkeeping to write, with the sync note as it is once the
    /// peer's header (document, digest) is noted.
    fn notes_with_header(&self, header: Option<(&String, &String)>) -> SessionNotes {
        let mut notes = self.notes.clone();
        if self.knowledge_changed || header.is_some() {
            let mut k = self.knowledge.clone();
            if let Some((doc, hash)) = header {
                k.headers.insert(doc.clone(), hash.clone());
            }
            if let Ok(b) = serde_json::to_vec(&k) {
                notes.sync_note = Some((self.remote_device, b));
            }
        }
        notes
    }

    fn notes_written(&mut self) {
        self.notes = SessionNotes::default();
        self.knowledge_changed = false;
    }

    /// The peer's identity, once the handshake succeeded.
    pub fn peer(&self) -> Option<PublicKey> {
        self.peer
    }

    /// The peer's name as its certificate states it (empty before the handshake).
    pub fn peer_name(&self) -> &str {
        &self.peer_name
    }

    /// When to send [`Input::Tick`] (the handshake's time limit), if anything waits on time.
    pub fn deadline(&self) -> Option<Millis> {
        self.deadline
    }

    /// Whether more frames wait to be made: feed [`Input::Writable`].
    pub fn has_pending(&self) -> bool {
        self.phase != Phase::Ended && !self.outbox.is_empty()
    }

    /// Whether the session has ended (after [`Effect::Done`] or [`Effect::Failed`]).
    pub fn is_ended(&self) -> bool {
        self.phase == Phase::Ended
    }

    /// Handles one input at `now`; returns what to do, in order.
    pub fn handle<R: Replica + ?Sized>(&mut self, replica: &mut R, now: Millis, input: Input) -> Vec<Effect> {
        let mut fx = vec![];
        if self.phase == Phase::Ended {
            return fx;
        }
        // A want's answer is made on the next input, so that wants which
        // came together are answered in one call (and one write of their
        // access-log lines, see `flush_notes`).
        let pages = !matches!(input, Input::Frame(Frame::Want(_)));
        let result = self
            .step(replica, now, input, &mut fx)
            .and_then(|()| self.pump(replica, &mut fx, pages));
        if let Err(stop) = result {
            self.stop(stop, &mut fx);
        }
        // See `flush_notes` for when bookkeeping is written.
        let in_sync = fx.iter().any(|e| matches!(e, Effect::InSync));
        if self.notes.has_sent() || in_sync || self.phase == Phase::Ended {
            self.flush_notes(replica);
        }
        fx
    }

    fn step<R: Replica + ?Sized>(&mut self, replica: &mut R, now: Millis, input: Input, fx: &mut Vec<Effect>) -> Step {
        match input {
            Input::Start if self.phase == Phase::New => self.start(replica, now),
            _ if self.phase == Phase::New => Ok(()),
            Input::Start | Input::Writable => Ok(()),
            Input::Shutdown => Err(Stop::Finished(Some((Code::Shutdown, "node shutting down")))),
            Input::Closed(why) => {
                let fine = self.phase == Phase::Exchange
                    && (self.mode == Mode::Live || (self.sent_synced && self.peer_synced));
                Err(if fine { Stop::Finished(None) } else { Stop::Lost(why) })
            }
            Input::FrameError(e) => Err(Stop::Fail(e.code(), e.to_string())),
            Input::Frame(Frame::Error(e)) => Err(Stop::Remote(e)),
            Input::Tick => match self.deadline {
                Some(d) if now >= d => {
                    let why = if self.phase == Phase::AwaitWelcome {
                        "no answer to hello"
                    } else {
                        "no hello in time"
                    };
                    Err(Stop::Fail(Code::Timeout, why.into()))
                }
                _ => Ok(()),
            },
            Input::Frame(f) => match self.phase {
                Phase::AwaitWelcome => match f {
                    Frame::Welcome(w) => self.on_welcome(replica, w, fx),
                    Frame::SendHello if self.resumed => {
                        // The acceptor lost (or never kept) the certificate
                        // we named: introduce ourselves in full.
                        self.resumed = false;
                        self.named_cert = None;
                        self.set_known_cert(None);
                        let hello = self.hello(replica, None);
                        self.send(Frame::Hello(hello));
                        Ok(())
                    }
                    other => Err(Stop::Fail(
                        Code::Protocol,
                        format!("expected welcome, got {}", other.name()),
                    )),
                },
                Phase::AwaitHello => match f {
                    Frame::Hello(h) => self.on_hello(replica, h, fx),
                    Frame::Resume(r) => self.on_resume(replica, r, fx),
                    other => Err(Stop::Fail(
                        Code::Protocol,
                        format!("expected hello, got {}", other.name()),
                    )),
                },
                _ => self.on_frame(replica, f, fx),
            },
            Input::LocalChanged(docs) if self.phase == Phase::Exchange => self.push(replica, &docs),
            Input::Lagged if self.phase == Phase::Exchange => {
                let all: Vec<String> = self.peer_have.keys().cloned().collect();
                self.push(replica, &all)
            }
            Input::LocalChanged(_) | Input::Lagged => Ok(()),
        }
    }

    fn start<R: Replica + ?Sized>(&mut self, replica: &mut R, now: Millis) -> Step {
        self.deadline = Some(now + HANDSHAKE_TIMEOUT_MS);
        self.knowledge = replica.peer_knowledge(&self.remote_device);
        let secret = match &mut self.side {
            Side::Dialer { ticket_secret, .. } => ticket_secret.take(),
            Side::Acceptor => {
                self.phase = Phase::AwaitHello;
                return Ok(());
            }
        };
        let mine = digest(&replica.device_certificate());
        if secret.is_none() && self.knowledge.cert.as_deref() == Some(mine.as_str()) {
            // A known peer that keeps our certificate: name it, and the
            // peer's that we hold, instead of sending them.
            self.named_cert = replica.certificate_of(&self.remote_device);
            self.resumed = true;
            self.send(Frame::Resume(Resume {
                version: PROTOCOL_VERSION,
                device: mine,
                known: self.named_cert.as_ref().map(digest),
                listen: replica.listen_addrs(),
                postbus: replica.postbus(),
            }));
        } else {
            let hello = self.hello(replica, secret);
            self.send(Frame::Hello(hello));
        }
        self.phase = Phase::AwaitWelcome;
        Ok(())
    }

    fn hello<R: Replica + ?Sized>(&self, replica: &R, secret: Option<Vec<u8>>) -> Hello {
        Hello {
            version: PROTOCOL_VERSION,
            device: replica.device_certificate(),
            ticket_secret: secret.map(hex::encode),
            listen: replica.listen_addrs(),
            postbus: replica.postbus(),
        }
    }

    /// Notes whether the peer keeps this device's certificate (its digest, or none).
    fn set_known_cert(&mut self, cert: Option<String>) {
        if self.knowledge.cert != cert {
            self.knowledge.cert = cert;
            self.knowledge_changed = true;
        }
    }

    /// A `Resume`: the certificate it names must be the one this vault
    /// holds for the connecting device; then it is a `Hello` with that
    /// certificate, checked the same way. Otherwise `SendHello`, once.
    fn on_resume<R: Replica + ?Sized>(&mut self, replica: &mut R, r: Resume, fx: &mut Vec<Effect>) -> Step {
        check_version(r.version)?;
        if self.asked_hello {
            return Err(Stop::Fail(Code::Protocol, "a resume again after send-hello".into()));
        }
        let held = replica
            .certificate_of(&self.remote_device)
            .filter(|c| digest(c) == r.device);
        let Some(device) = held else {
            self.asked_hello = true;
            self.send(Frame::SendHello);
            return Ok(());
        };
        self.peer_holds_my_cert = r.known.is_some_and(|k| k == digest(&replica.device_certificate()));
        let hello = Hello {
            version: r.version,
            device,
            ticket_secret: None,
            listen: r.listen,
            postbus: r.postbus,
        };
        self.on_hello(replica, hello, fx)
    }

    /// A peer's certificate: signed by its identity, for the connecting
    /// device, and that device not revoked by its owner.
    fn check_cert<R: Replica + ?Sized>(&self, replica: &R, c: &CertifiedDevice) -> Result<(), Stop> {
        let unauthorized = |why: String| Stop::Fail(Code::Unauthorized, why);
        inwonercloud_vault::keys::verify_certificate(c).map_err(|e| unauthorized(e.to_string()))?;
        if c.certificate.device != self.remote_device {
            return Err(unauthorized(
                "the device certificate is not for the connecting device".into(),
            ));
        }
        if replica.is_device_revoked(&c.certificate.identity, &self.remote_device) {
            return Err(unauthorized(format!(
                "device {} was revoked by its owner {} (lost or replaced)",
                self.remote_device.short(),
                c.certificate.identity_name
            )));
        }
        Ok(())
    }

    fn on_welcome<R: Replica + ?Sized>(&mut self, replica: &mut R, w: Welcome, fx: &mut Vec<Effect>) -> Step {
        if w.version != PROTOCOL_VERSION {
            return Err(Stop::Fail(
                Code::Version,
                format!(
                    "the peer answered with protocol version {} (this node speaks {PROTOCOL_VERSION})",
                    w.version
                ),
            ));
        }
        // Left out only when our `Resume` named it: then our own copy,
        // checked exactly as a sent one.
        let device = match w.device.or_else(|| self.named_cert.take()) {
            Some(d) => d,
            None => {
                return Err(Stop::Fail(
                    Code::Protocol,
                    "welcome without a certificate, and none was named".into(),
                ));
            }
        };
        self.check_cert(replica, &device)?;
        if let Side::Dialer {
            expect_identity: Some(id),
            ..
        } = &self.side
            && *id != device.certificate.identity
        {
            return Err(Stop::Fail(
                Code::Unauthorized,
                "the peer is not the identity the ticket names".into(),
            ));
        }
        if let Some(issued) = w.issued {
            if issued.certificate.identity != device.certificate.identity {
                return Err(Stop::Fail(
                    Code::Unauthorized,
                    "the issued certificate is not from the inviting identity".into(),
                ));
            }
            replica
                .add_device_certificate(&device)
                .and_then(|()| replica.adopt_certificate(issued))
                .map_err(|e| Stop::Fail(Code::Unauthorized, e.to_string()))?;
        }
        check_postbus(w.postbus.as_deref())?;
        // Remember whether the acceptor keeps our certificate, and keep an
        // admitted acceptor's (as an acceptor keeps an admitted dialer's), so
        // the next session can `Resume`. Keeping it is a convenience: a
        // failure changes nothing of this session.
        self.set_known_cert(w.kept.then(|| digest(&replica.device_certificate())));
        if replica.is_admitted(&device.certificate.identity)
            && replica.certificate_of(&device.certificate.device).as_ref() != Some(&device)
        {
            let _ = replica.add_device_certificate(&device);
        }
        self.enter_exchange(replica, &device, &[], w.postbus.as_deref(), fx)
    }

    fn on_hello<R: Replica + ?Sized>(&mut self, replica: &mut R, hello: Hello, fx: &mut Vec<Effect>) -> Step {
        check_version(hello.version)?;
        self.check_cert(replica, &hello.device)?;
        if hello.listen.len() > MAX_LISTEN_ADDRS
            || hello.listen.iter().any(|a| a.parse::<std::net::SocketAddr>().is_err())
        {
            return Err(Stop::Fail(
                Code::Protocol,
                format!("hello announces more than {MAX_LISTEN_ADDRS} addresses or one that is not ip:port"),
            ));
        }
        check_postbus(hello.postbus.as_deref())?;
        let mut issued = None;
        let mut peer_cert = hello.device.clone();
        if let Some(secret) = &hello.ticket_secret {
            let secret = hex::decode(secret).unwrap_or_default();
            match replica.redeem_invite(&secret, &hello.device) {
                Err(e) => return Err(Stop::Fail(Code::BadTicket, e.to_string())),
                Ok(Redeemed::Device(cert)) => {
                    peer_cert = cert.clone();
                    issued = Some(cert);
                }
                Ok(Redeemed::Consent(_)) => {}
            }
            fx.push(Effect::Notify(replica.document_ids()));
        } else if replica.is_admitted(&hello.device.certificate.identity) {
            // Stored unless this very certificate is held already (a write saved).
            if replica.certificate_of(&self.remote_device).as_ref() != Some(&hello.device) {
                replica
                    .add_device_certificate(&hello.device)
                    .map_err(|e| Stop::Fail(Code::Unauthorized, e.to_string()))?;
            }
        } else {
            // Only certificates of admitted identities are kept: a stranger
            // with fresh keys gets public documents and leaves nothing behind.
            inwonercloud_vault::trust::certificate_bounds(&hello.device)
                .map_err(|why| Stop::Fail(Code::Unauthorized, why))?;
        }
        let kept = replica.certificate_of(&self.remote_device).as_ref() == Some(&hello.device);
        self.send(Frame::Welcome(Welcome {
            version: PROTOCOL_VERSION,
            device: (!self.peer_holds_my_cert).then(|| replica.device_certificate()),
            kept,
            issued,
            postbus: replica.postbus(),
        }));
        self.enter_exchange(replica, &peer_cert, &hello.listen, hello.postbus.as_deref(), fx)
    }

    fn enter_exchange<R: Replica + ?Sized>(
        &mut self,
        replica: &mut R,
        peer_cert: &CertifiedDevice,
        listen: &[String],
        postbus: Option<&str>,
        fx: &mut Vec<Effect>,
    ) -> Step {
        let peer = peer_cert.certificate.identity;
        let name = peer_cert.certificate.identity_name.clone();
        // Strangers are served public documents but not remembered.
        if replica.is_admitted(&peer) {
            // Bounded, whatever a peer announces.
            let announced: Vec<String> = listen.iter().take(MAX_ANNOUNCED_ADDRS).cloned().collect();
            let visit = PeerVisit::new(peer_cert, &announced, &self.dialed, postbus);
            if !replica.peer_met(&visit) {
                self.notes.visit = Some(visit);
            }
        }
        self.peer = Some(peer);
        self.peer_name = name.clone();
        self.report.peer = Some(peer);
        self.report.peer_name = name.clone();
        self.phase = Phase::Exchange;
        self.deadline = None;
        fx.push(Effect::Connected { peer, name });
        fx.push(Effect::Received(0));
        self.offer_changes_in_sharing(replica)
    }

    fn peer_id(&self) -> PublicKey {
        self.peer.unwrap_or(self.remote_device)
    }

    fn send(&mut self, f: Frame) {
        self.outbox.push_back(Out::Frame(f));
    }

    /// Offers documents newly shared with the peer and withdraws ones no longer shared.
    fn offer_changes_in_sharing<R: Replica + ?Sized>(&mut self, replica: &mut R) -> Step {
        let now = replica.documents_for_peer(&self.peer_id())?;
        let mut docs = vec![];
        for d in &now {
            let h = replica.signed_header(d)?;
            if self.shared.get(d).is_none_or(|ver| *ver < h.record.version) {
                docs.push(h);
            }
        }
        let withdrawn: Vec<String> = self.shared.keys().filter(|d| !now.contains(d)).cloned().collect();
        let first = self.shared.is_empty() && !self.sent_synced;
        if docs.is_empty() && withdrawn.is_empty() && !first {
            return Ok(());
        }
        // A header the peer took before, unchanged since, goes by its
        // digest; a new or changed one (a new consent, a new owner-signed
        // version) in full.
        let mut full = vec![];
        let mut known = vec![];
        for h in docs {
            let doc = h.record.id.clone();
            let hash = digest(&h);
            self.shared.insert(doc.clone(), h.record.version);
            self.ever_offered.insert(doc.clone());
            if self.knowledge.headers.get(&doc) == Some(&hash) {
                self.offered_by_hash.insert(doc.clone());
                self.ever_offered_by_hash.insert(doc.clone());
                known.push(KnownHeader {
                    doc: doc.clone(),
                    hash: hash.clone(),
                });
            } else {
                self.offered_by_hash.remove(&doc);
                full.push(h);
            }
            self.sent_headers.insert(doc, hash);
        }
        for d in &withdrawn {
            self.shared.remove(d);
            self.peer_have.remove(d);
            self.offered_by_hash.remove(d);
        }
        self.send(Frame::Offer(Offer {
            docs: full,
            known,
            withdrawn,
        }));
        Ok(())
    }

    fn on_frame<R: Replica + ?Sized>(&mut self, replica: &mut R, f: Frame, fx: &mut Vec<Effect>) -> Step {
        let peer = self.peer_id();
        match f {
            Frame::Offer(o) => {
                for d in o.withdrawn {
                    self.offered.remove(&d);
                    self.wanted.remove(&d);
                    self.header_asked.remove(&d);
                    self.withdrawn.insert(d);
                }
                let mut headers = o.docs;
                for k in o.known {
                    // Named by digest: our own stored, verified copy when it
                    // is that header; otherwise ask for it (and take it only
                    // as a sent header is taken).
                    match replica.signed_header(&k.doc) {
                        Ok(h) if h.record.id == k.doc && digest(&h) == k.hash => headers.push(h),
                        _ => {
                            if self.header_asked.insert(k.doc.clone()) {
                                self.wanted.insert(k.doc.clone());
                                self.send(Frame::WantHeader(WantHeader { doc: k.doc }));
                            }
                        }
                    }
                }
                for h in headers {
                    let doc = h.record.id.clone();
                    if self.header_asked.remove(&doc) {
                        self.wanted.remove(&doc);
                    }
                    if let Some(notice) = replica.revocation_notice(&peer, &h.record) {
                        // A writer we revoked while it was away: it gets the
                        // header that says so (and, when it asks, no
                        // changes), so it stops offering what it wrote late.
                        self.ever_offered.insert(notice.record.id.clone());
                        self.send(Frame::Offer(Offer {
                            docs: vec![notice],
                            known: vec![],
                            withdrawn: vec![],
                        }));
                        continue;
                    }
                    if !replica.accepts_document_from(&peer, &h.record) {
                        continue;
                    }
                    let have = replica.version_vector(&doc).unwrap_or_default();
                    self.offered.insert(doc.clone(), h);
                    self.wanted.insert(doc.clone());
                    self.ever_asked.insert(doc.clone());
                    self.send(Frame::Want(Want { doc, have }));
                }
                self.got_offer = true;
                self.wants_done_when_ready();
            }
            Frame::WantHeader(w) => {
                if !self.offered_by_hash.remove(&w.doc) {
                    if self.ever_offered_by_hash.contains(&w.doc) {
                        return Ok(());
                    }
                    return Err(Stop::Fail(
                        Code::Protocol,
                        format!("asked for the header of {}, which was not offered by its digest", w.doc),
                    ));
                }
                if !replica.documents_for_peer(&peer)?.contains(&w.doc) {
                    // No longer shared: nothing, as for a want crossing a withdrawal.
                    self.send(nothing_of(w.doc));
                    return Ok(());
                }
                let h = replica.signed_header(&w.doc)?;
                if self.knowledge.headers.remove(&w.doc).is_some() {
                    self.knowledge_changed = true;
                }
                self.shared.insert(w.doc.clone(), h.record.version);
                self.sent_headers.insert(w.doc, digest(&h));
                self.send(Frame::Offer(Offer {
                    docs: vec![h],
                    known: vec![],
                    withdrawn: vec![],
                }));
            }
            Frame::Want(w) => {
                let shared = replica.documents_for_peer(&peer)?;
                if !shared.contains(&w.doc) {
                    if !self.ever_offered.contains(&w.doc) {
                        // Never offered: outside every consent, or no such document.
                        return Err(Stop::Fail(
                            Code::Unauthorized,
                            format!("asked for {}, which this node never offered to you", w.doc),
                        ));
                    }
                    // No longer shared (revoked during the session): answer with nothing.
                    self.send(nothing_of(w.doc));
                    return Ok(());
                }
                // It took the header we offered: next time it goes by digest.
                self.took_ours.insert(w.doc.clone());
                if let Some(hash) = self.sent_headers.get(&w.doc)
                    && self.knowledge.headers.get(&w.doc) != Some(hash)
                {
                    self.knowledge.headers.insert(w.doc.clone(), hash.clone());
                    self.knowledge_changed = true;
                }
                self.peer_have.insert(w.doc.clone(), w.have);
                self.queue_missing(w.doc);
            }
            Frame::Changes(head, changes) => {
                let Some(header) = self.offered.get(&head.doc) else {
                    if changes.is_empty() && self.header_asked.remove(&head.doc) {
                        // The answer to a header asked for that is no longer shared.
                        self.wanted.remove(&head.doc);
                        self.wants_done_when_ready();
                        return Ok(());
                    }
                    let asked = self.ever_asked.contains(&head.doc) || self.header_asked.contains(&head.doc);
                    if self.withdrawn.contains(&head.doc) || asked {
                        // The answer to a want that crossed a withdrawal or
                        // a re-offer (pages already under way when the
                        // sender withdrew): dropped unread, nothing of it
                        // is imported.
                        return Ok(());
                    }
                    return Err(Stop::Fail(
                        Code::Protocol,
                        format!("changes for {} which was not offered", head.doc),
                    ));
                };
                let bytes: usize = changes.iter().map(|c| c.bytes.len()).sum();
                let n = changes.len();
                let name = self.peer_name.clone();
                // The peer holds the header it offered: offering the same one
                // back, we name it (a peer that lied only gets a digest to ask
                // about). Noted only for documents held here (after the
                // import), so bounded.
                let hash = digest(header);
                let note_header =
                    !self.took_ours.contains(&head.doc) && self.knowledge.headers.get(&head.doc) != Some(&hash);
                // Changes come with the session's bookkeeping so far and
                // their own access-log line, all in the import's transaction;
                // an empty answer brings nothing to write.
                let notes = if n > 0 {
                    let mut with = self.notes_with_header(note_header.then_some((&head.doc, &hash)));
                    with.exchange(&peer, &name, &head.doc, Direction::Received, n, bytes);
                    with
                } else {
                    SessionNotes::default()
                };
                let r = replica
                    .import_changes(header, &head.certs, &changes, &name, &notes)
                    .map_err(|e| Stop::Fail(Code::RefusedChange, e.to_string()))?;
                if note_header {
                    self.knowledge.headers.insert(head.doc.clone(), hash);
                    self.knowledge_changed = true;
                }
                if !notes.is_empty() {
                    self.notes_written();
                }
                // What the peer sent, it has.
                let have = self.peer_have.entry(head.doc.clone()).or_default();
                for (dev, seq) in &r.seqs {
                    let e = have.entry(*dev).or_insert(0);
                    if *seq == *e + 1 {
                        *e = *seq;
                    }
                }
                if n > 0 {
                    self.report.received_changes += r.applied;
                    fx.push(Effect::Received(self.report.received_changes));
                    self.report.docs_received.insert(head.doc.clone());
                }
                if r.applied > 0 || n == 0 {
                    fx.push(Effect::Notify(vec![head.doc.clone()]));
                }
                if head.last {
                    self.wanted.remove(&head.doc);
                }
            }
            Frame::WantsDone => self.peer_wants_done = true,
            Frame::Synced => self.peer_synced = true,
            other => {
                return Err(Stop::Fail(Code::Protocol, format!("unexpected {} frame", other.name())));
            }
        }
        Ok(())
    }

    /// `WantsDone` once the first offer is answered: every want sent, no header still asked for.
    fn wants_done_when_ready(&mut self) {
        if self.got_offer && !self.sent_wants_done && self.header_asked.is_empty() {
            self.sent_wants_done = true;
            self.send(Frame::WantsDone);
        }
    }

    fn queue_missing(&mut self, doc: String) {
        let queued = self.outbox.iter().any(|o| matches!(o, Out::Missing(d) if *d == doc));
        if !queued {
            self.outbox.push_back(Out::Missing(doc));
        }
    }

    /// Live push after local or relayed changes.
    fn push<R: Replica + ?Sized>(&mut self, replica: &mut R, docs: &[String]) -> Step {
        self.offer_changes_in_sharing(replica)?;
        for d in docs {
            if let Some(have) = self.peer_have.get(d)
                && self.shared.contains_key(d)
                && replica.missing_rows(d, have).is_ok_and(|m| !m.is_empty())
            {
                self.queue_missing(d.clone());
            }
        }
        Ok(())
    }

    /// Turns the outbox into frames: every queued frame up to and including
    /// one page of changes (or several small ones, up to
    /// [`SMALL_PAGES_BYTES`]; none when `pages` is false); then, when the
    /// outbox is empty, `Synced` or the end.
    fn pump<R: Replica + ?Sized>(&mut self, replica: &mut R, fx: &mut Vec<Effect>, pages: bool) -> Step {
        if self.phase != Phase::Exchange {
            while let Some(Out::Frame(f)) = self.outbox.pop_front() {
                fx.push(Effect::Send(f));
            }
            return Ok(());
        }
        if self.done() && !self.sent_synced {
            self.sent_synced = true;
            fx.push(Effect::InSync);
            // Snapshot what came in, so the next open re-checks little.
            replica.synced();
            self.send(Frame::Synced);
        }
        // Change bytes of the pages made in this call.
        let mut paged = 0;
        while let Some(out) = self.outbox.pop_front() {
            if !pages && !matches!(out, Out::Frame(_)) {
                self.outbox.push_front(out);
                return Ok(());
            }
            match out {
                Out::Frame(f) => fx.push(Effect::Send(f)),
                Out::Missing(doc) => {
                    let paging = self.start_paging(replica, doc)?;
                    self.outbox.push_front(Out::Paging(paging));
                }
                Out::Paging(mut p) => {
                    // Consent is re-checked before every page: one revoked
                    // while an answer was under way stops it.
                    if !replica.documents_for_peer(&self.peer_id())?.contains(&p.doc) {
                        fx.push(Effect::Send(nothing_of(p.doc)));
                        continue;
                    }
                    let before = p.bytes;
                    self.page(replica, &mut p, fx)?;
                    paged += p.bytes - before;
                    if p.next_page < p.pages() {
                        self.outbox.push_front(Out::Paging(p));
                    } else {
                        self.finish_paging(p);
                    }
                    // One page per call: the driver writes it, then asks for
                    // more; small pages of several documents share a call.
                    if !self.outbox.is_empty() && paged >= SMALL_PAGES_BYTES {
                        return Ok(());
                    }
                }
            }
        }
        if self.mode == Mode::Once && self.sent_synced && self.peer_synced {
            return Err(Stop::Finished(Some((Code::Done, "in sync"))));
        }
        Ok(())
    }

    fn done(&self) -> bool {
        self.got_offer && self.wanted.is_empty() && self.peer_wants_done
    }

    fn start_paging<R: Replica + ?Sized>(&mut self, replica: &mut R, doc: String) -> Result<Paging, Stop> {
        let have = self.peer_have.get(&doc).cloned().unwrap_or_default();
        let rows = replica.missing_rows(&doc, &have)?;
        let held = replica.version_vector(&doc)?;
        let header_signer = replica.signed_header(&doc)?.device.certificate.device;
        Ok(Paging {
            doc,
            have,
            rows,
            held,
            header_signer,
            next_page: 0,
            bytes: 0,
        })
    }

    /// Reads one page of [`MAX_CHANGES_PER_FRAME`] rows and makes its frames
    /// of at most about [`CHUNK_BYTES`]; the last frame of the last page says so.
    fn page<R: Replica + ?Sized>(&mut self, replica: &mut R, p: &mut Paging, fx: &mut Vec<Effect>) -> Step {
        let start = p.next_page * MAX_CHANGES_PER_FRAME;
        let rows = p
            .rows
            .get(start..(start + MAX_CHANGES_PER_FRAME).min(p.rows.len()))
            .unwrap_or(&[]);
        let changes = replica.changes_at(&p.doc, rows)?;
        let certs = replica.certificates_for(&p.doc, &changes)?;
        p.bytes += changes.iter().map(|c| c.bytes.len()).sum::<usize>();
        let first_page = p.next_page == 0;
        p.next_page += 1;
        let last_page = p.next_page == p.pages();
        let mut chunks: Vec<Vec<SignedChange>> = vec![];
        let mut cur: Vec<SignedChange> = vec![];
        let mut cur_bytes = 0;
        for c in changes {
            if cur_bytes + c.bytes.len() > CHUNK_BYTES && !cur.is_empty() {
                chunks.push(std::mem::take(&mut cur));
                cur_bytes = 0;
            }
            cur_bytes += c.bytes.len();
            cur.push(c);
        }
        chunks.push(cur);
        let n = chunks.len();
        for (i, chunk) in chunks.into_iter().enumerate() {
            let first = first_page && i == 0;
            let new_certs: Vec<CertifiedDevice> = certs
                .iter()
                .filter(|c| {
                    // A device the peer already has changes from is certified
                    // there already; a certificate travels with the first
                    // chunk holding a change of its device, because the
                    // receiver keeps only certificates of signers of the
                    // batch they come with (and the header's).
                    !self.certs_sent.contains(&c.certificate.device)
                        && !p.have.contains_key(&c.certificate.device)
                        && ((first && c.certificate.device == p.header_signer)
                            || chunk.iter().any(|x| x.signer == c.certificate.device))
                })
                .cloned()
                .collect();
            for c in &new_certs {
                self.certs_sent.insert(c.certificate.device);
            }
            let head = ChangesHead {
                doc: p.doc.clone(),
                certs: new_certs,
                last: last_page && i + 1 == n,
            };
            fx.push(Effect::Send(Frame::Changes(head, chunk)));
        }
        Ok(())
    }

    fn finish_paging(&mut self, p: Paging) {
        let have = self.peer_have.entry(p.doc.clone()).or_default();
        for (dev, seq) in p.held {
            let e = have.entry(dev).or_insert(0);
            if seq > *e {
                *e = seq;
            }
        }
        if !p.rows.is_empty() {
            self.report.sent_changes += p.rows.len();
            self.report.docs_sent.insert(p.doc.clone());
            let (peer, name) = (self.peer_id(), self.peer_name.clone());
            self.notes
                .exchange(&peer, &name, &p.doc, Direction::Sent, p.rows.len(), p.bytes);
        }
    }

    fn stop(&mut self, stop: Stop, fx: &mut Vec<Effect>) {
        self.phase = Phase::Ended;
        self.deadline = None;
        // Frames made before the end still go out (in order); unread pages do not.
        for out in std::mem::take(&mut self.outbox) {
            if let Out::Frame(f) = out {
                fx.push(Effect::Send(f));
            }
        }
        let report = std::mem::take(&mut self.report);
        let mut fail = |code: Code, message: String, err: SyncError| {
            fx.push(Effect::Send(Frame::Error(ErrorFrame {
                code: code as u32,
                message: message.clone(),
            })));
            fx.push(Effect::Close { code, message });
            fx.push(Effect::Failed(err));
        };
        match stop {
            Stop::Fail(code, message) => {
                let err = SyncError::Local {
                    code,
                    message: message.clone(),
                };
                fail(code, message, err);
            }
            Stop::Vault(e) => fail(Code::Internal, e.to_string(), SyncError::Vault(e)),
            Stop::Remote(e) => fx.push(Effect::Failed(SyncError::Remote {
                code: Code::from_u32(e.code).unwrap_or(Code::Protocol),
                message: e.message,
            })),
            Stop::Lost(why) => fx.push(Effect::Failed(SyncError::Lost(why))),
            Stop::Finished(close) => {
                if let Some((code, message)) = close {
                    fx.push(Effect::Close {
                        code,
                        message: message.into(),
                    });
                }
                fx.push(Effect::Done(report));
            }
        }
    }
}

/// A `Hello` or `Resume` of another protocol version closes the session (code 6).
fn check_version(version: u32) -> Step {
    if version == PROTOCOL_VERSION {
        return Ok(());
    }
    Err(Stop::Fail(
        Code::Version,
        format!("protocol version {version} is not supported (this node speaks {PROTOCOL_VERSION})"),
    ))
}

/// A postbus announcement must be one readable address: anything else
/// closes the session (code 1), as a bad `listen` address does.
fn check_postbus(announced: Option<&str>) -> Step {
    match announced {
        None => Ok(()),
        Some(text) if text.len() <= 2048 && text.parse::<inwonercloud_vault::mail::PostbusAddr>().is_ok() => Ok(()),
        Some(_) => Err(Stop::Fail(
            Code::Protocol,
            "the announced postbus is not an address (ENDPOINT_ID@ip:port…)".into(),
        )),
    }
}

/// The answer that holds nothing: a document no longer shared, or one
/// that was never to be sent, ends here for the peer.
fn nothing_of(doc: String) -> Frame {
    Frame::Changes(
        ChangesHead {
            doc,
            certs: vec![],
            last: true,
        },
        vec![],
    )
}

#[cfg(test)]
mod tests {
    //! The core without any network: two sessions over real vaults, their
    //! frames encoded, cut into bytes and decoded again in memory.

    use std::collections::VecDeque;
    use std::path::Path;

    use inwonercloud_schemas::{Access, LifeDomain, Role};
    use inwonercloud_vault::{CreateOptions, Passphrase, Vault};

    use super::*;
    use crate::wire::{Decoder, MAX_DOCS_PER_OFFER, MAX_FRAME};

    fn vault(dir: &Path, name: &str, role: Role) -> Vault {
        Vault::create(
            &dir.join(name),
            CreateOptions {
                name: name.into(),
                role,
                device_name: "test".into(),
                passphrase: Passphrase::new("proef-wachtwoord"),
            },
        )
        .unwrap()
    }

    /// Anna (a citizen with one goal in her plan) and Bert (a counselor who
    /// admits her); with `consent`, Anna lets Bert read her plan.
    /// Anna, and a second device of hers (a phone) she certified.
    fn anna_and_her_phone(dir: &Path) -> (Vault, Vault, CertifiedDevice) {
        let (mut anna, _, _) = anna_and_bert(dir, false);
        let pass = Passphrase::new("proef-wachtwoord");
        let mut phone = Vault::create_unlinked(&dir.join("phone"), "phone", &pass).unwrap();
        let cert = anna.certify_new_device(device(&phone), "phone").unwrap();
        phone.adopt_certificate(cert.clone()).unwrap();
        (anna, phone, cert)
    }

    fn anna_and_bert(dir: &Path, consent: bool) -> (Vault, Vault, String) {
        let mut anna = vault(dir, "Anna", Role::Citizen);
        let mut bert = vault(dir, "Bert", Role::Counselor);
        let plan = anna.plan_doc();
        anna.add_goal(&plan, LifeDomain::Wonen, "zelfstandig wonen", None)
            .unwrap();
        bert.admit(anna.identity()).unwrap();
        if consent {
            anna.grant_consent(
                bert.identity(),
                "Bert",
                Role::Counselor,
                vec![plan.clone()],
                Access::Read,
                None,
                "test",
            )
            .unwrap();
        }
        (anna, bert, plan)
    }

    fn device(v: &Vault) -> PublicKey {
        v.device_key().public()
    }

    /// One side of an in-memory connection.
    struct End {
        vault: Vault,
        session: Session,
        decoder: Decoder,
        inbox: VecDeque<Input>,
        effects: Vec<Effect>,
    }

    impl End {
        fn new(vault: Vault, side: Side, mode: Mode, remote: PublicKey) -> Self {
            let mut inbox = VecDeque::new();
            inbox.push_back(Input::Start);
            End {
                vault,
                session: Session::new(side, mode, remote),
                decoder: Decoder::new(),
                inbox,
                effects: vec![],
            }
        }

        fn handle(&mut self, now: Millis, input: Input) -> Vec<Effect> {
            self.session.handle(&mut self.vault, now, input)
        }

        /// The code this side closed with.
        fn closed_with(&self) -> Option<Code> {
            self.effects.iter().find_map(|e| match e {
                Effect::Close { code, .. } => Some(*code),
                _ => None,
            })
        }

        fn error_sent(&self) -> Option<(u32, String)> {
            self.effects.iter().find_map(|e| match e {
                Effect::Send(Frame::Error(e)) => Some((e.code, e.message.clone())),
                _ => None,
            })
        }

        fn report(&self) -> Option<&SyncReport> {
            self.effects.iter().find_map(|e| match e {
                Effect::Done(r) => Some(r),
                _ => None,
            })
        }

        fn failure(&self) -> Option<&SyncError> {
            self.effects.iter().find_map(|e| match e {
                Effect::Failed(e) => Some(e),
                _ => None,
            })
        }

        fn sent(&self) -> Vec<&Frame> {
            self.effects
                .iter()
                .filter_map(|e| match e {
                    Effect::Send(f) => Some(f),
                    _ => None,
                })
                .collect()
        }
    }

    /// Feeds bytes to `to` as if they came over the wire at `now`.
    fn deliver(to: &mut End, bytes: &[u8], now: Millis) {
        for r in to.decoder.push(bytes, now) {
            to.inbox.push_back(match r {
                Ok((f, _)) => Input::Frame(f),
                Err(e) => Input::FrameError(e),
            });
        }
    }

    /// Runs both ends until neither has anything to do; frames travel a
    /// few bytes at a time.
    fn run(ends: &mut [End; 2], now: Millis) {
        run_with(ends, now, &mut |_, _| {}, usize::MAX);
    }

    /// [`run`], with `tamper(sender, frame)` changing each frame on the
    /// wire, stopped after `inputs` inputs handled in all (as a crash would).
    fn run_with(ends: &mut [End; 2], now: Millis, tamper: &mut dyn FnMut(usize, &mut Frame), mut inputs: usize) {
        loop {
            let mut idle = true;
            for i in 0..2 {
                if inputs == 0 {
                    return;
                }
                let input = match ends[i].inbox.pop_front() {
                    Some(input) => input,
                    None if ends[i].session.has_pending() => Input::Writable,
                    None => continue,
                };
                idle = false;
                inputs -= 1;
                let fx = ends[i].handle(now, input);
                let (a, b) = ends.split_at_mut(1);
                let (me, other) = if i == 0 {
                    (&mut a[0], &mut b[0])
                } else {
                    (&mut b[0], &mut a[0])
                };
                for e in fx {
                    match &e {
                        Effect::Send(f) => {
                            let mut f = f.clone();
                            tamper(i, &mut f);
                            for chunk in f.encode().chunks(7) {
                                deliver(other, chunk, now);
                            }
                        }
                        Effect::Close { message, .. } => other.inbox.push_back(Input::Closed(message.clone())),
                        _ => {}
                    }
                    me.effects.push(e);
                }
            }
            if idle {
                return;
            }
        }
    }

    /// Bert dials Anna.
    fn pair(bert: Vault, anna: Vault, side: Side, mode: Mode) -> [End; 2] {
        let (b, a) = (device(&bert), device(&anna));
        [
            End::new(bert, side, mode, a),
            End::new(anna, Side::Acceptor, Mode::Live, b),
        ]
    }

    #[test]
    fn a_good_handshake_then_offer_want_and_changes() {
        let tmp = tempfile::tempdir().unwrap();
        let (anna, bert, plan) = anna_and_bert(tmp.path(), true);
        let mut ends = pair(bert, anna, Side::dialer(), Mode::Once);
        run(&mut ends, 0);
        let [bert, anna] = &ends;
        assert_eq!(bert.vault.plan(&plan).unwrap().goals.len(), 1);
        let r = bert.report().expect("bert's session ended well");
        assert_eq!(r.peer, Some(anna.vault.identity()));
        assert_eq!(r.peer_name, "Anna");
        assert!(r.received_changes > 0);
        assert!(r.docs_received.contains(&plan));
        assert_eq!(bert.closed_with(), Some(Code::Done));
        assert!(matches!(bert.sent()[0], Frame::Hello(_)));
        assert!(bert.sent().iter().any(|f| matches!(f, Frame::Want(w) if w.doc == plan)));
        let a = anna.report().expect("anna's session ended when bert closed");
        assert_eq!(a.sent_changes, r.received_changes);
        assert!(a.docs_sent.contains(&plan));
        assert!(matches!(anna.sent()[0], Frame::Welcome(_)));
        for end in &ends {
            assert!(end.effects.iter().any(|e| matches!(e, Effect::Connected { .. })));
            assert!(end.effects.iter().any(|e| matches!(e, Effect::InSync)));
            assert!(end.session.is_ended());
        }
        // Both logged what crossed.
        let log = ends[1].vault.access_log().unwrap();
        assert!(log.iter().any(|l| l.doc == plan && l.direction == Direction::Sent));
    }

    #[test]
    fn without_consent_nothing_is_offered_or_sent() {
        let tmp = tempfile::tempdir().unwrap();
        let (anna, bert, plan) = anna_and_bert(tmp.path(), false);
        let mut ends = pair(bert, anna, Side::dialer(), Mode::Once);
        run(&mut ends, 0);
        assert!(ends[0].report().is_some());
        assert!(ends[0].vault.header(&plan).is_err());
        assert!(
            ends[1]
                .sent()
                .iter()
                .all(|f| !matches!(f, Frame::Changes(..)) && !matches!(f, Frame::Offer(o) if !o.docs.is_empty()))
        );
    }

    /// Anna's session as acceptor, fed `input` after Start, as Bert's device.
    fn acceptor_gets(anna: Vault, from: PublicKey, frames: Vec<Input>) -> End {
        let mut end = End::new(anna, Side::Acceptor, Mode::Live, from);
        end.inbox.extend(frames);
        while let Some(input) = end.inbox.pop_front() {
            let fx = end.handle(0, input);
            end.effects.extend(fx);
        }
        end
    }

    fn hello(v: &Vault) -> Hello {
        Hello {
            version: PROTOCOL_VERSION,
            device: v.device_certificate().clone(),
            ticket_secret: None,
            listen: vec![],
            postbus: None,
        }
    }

    /// The session sent an error frame with `code`, closed with it, and failed locally with it.
    fn refused(end: &End, code: Code) -> String {
        let (sent, message) = end
            .error_sent()
            .unwrap_or_else(|| panic!("no error frame; wanted {code:?}"));
        assert_eq!(sent, code as u32, "{message}");
        assert_eq!(end.closed_with(), Some(code), "{message}");
        assert!(
            matches!(end.failure(), Some(SyncError::Local { code: c, .. }) if *c == code),
            "{:?}",
            end.failure()
        );
        assert!(end.session.is_ended());
        message
    }

    #[test]
    fn a_wrong_version_is_refused_both_ways() {
        let tmp = tempfile::tempdir().unwrap();
        let (anna, bert, _) = anna_and_bert(tmp.path(), true);
        let mut h = hello(&bert);
        h.version = 1;
        let end = acceptor_gets(anna, device(&bert), vec![Input::Frame(Frame::Hello(h))]);
        assert!(refused(&end, Code::Version).contains("version 1"));
        assert!(
            end.effects
                .iter()
                .all(|e| !matches!(e, Effect::Send(Frame::Welcome(_))))
        );
        // A welcome of another version.
        let anna_cert = end.vault.device_certificate().clone();
        let mut dialer = End::new(bert, Side::dialer(), Mode::Once, device(&end.vault));
        let fx = dialer.handle(0, Input::Start);
        dialer.effects.extend(fx);
        let welcome = Welcome {
            version: PROTOCOL_VERSION + 1,
            device: Some(anna_cert),
            kept: false,
            issued: None,
            postbus: None,
        };
        let fx = dialer.handle(1, Input::Frame(Frame::Welcome(welcome)));
        dialer.effects.extend(fx);
        refused(&dialer, Code::Version);
    }

    #[test]
    fn a_certificate_not_for_the_connecting_device_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let (anna, bert, _) = anna_and_bert(tmp.path(), true);
        let mallory = vault(tmp.path(), "Mallory", Role::Counselor);
        // Mallory's connection presents Bert's certificate.
        let end = acceptor_gets(anna, device(&mallory), vec![Input::Frame(Frame::Hello(hello(&bert)))]);
        assert!(refused(&end, Code::Unauthorized).contains("not for the connecting device"));
        // A certificate whose identity signature does not hold.
        let anna = end.vault;
        let mut forged = hello(&bert);
        forged.device.certificate.identity_name = "Bertje".into();
        let end = acceptor_gets(anna, device(&bert), vec![Input::Frame(Frame::Hello(forged))]);
        refused(&end, Code::Unauthorized);
    }

    #[test]
    fn a_revoked_device_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut anna, phone, _) = anna_and_her_phone(tmp.path());
        anna.revoke_device(device(&phone)).unwrap();
        let end = acceptor_gets(anna, device(&phone), vec![Input::Frame(Frame::Hello(hello(&phone)))]);
        assert!(refused(&end, Code::Unauthorized).contains("revoked"));
    }

    #[test]
    fn tickets_good_bad_and_for_another_identity() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut anna, mut bert, plan) = anna_and_bert(tmp.path(), false);
        // An unknown secret.
        let mut h = hello(&bert);
        h.ticket_secret = Some(hex::encode([7u8; 16]));
        let end = acceptor_gets(anna, device(&bert), vec![Input::Frame(Frame::Hello(h))]);
        refused(&end, Code::BadTicket);
        anna = end.vault;
        // A real invite, but the dialer expected someone else.
        let spec = inwonercloud_vault::InviteSpec {
            role: Role::Counselor,
            documents: vec![plan.clone()],
            access: Access::Read,
            valid_until: None,
            purpose: "test".into(),
            name_hint: String::new(),
            device: false,
        };
        let (secret, _) = anna.create_invite(spec.clone(), 3600).unwrap();
        let side = Side::Dialer {
            ticket_secret: Some(secret),
            expect_identity: Some(bert.identity()),
        };
        let mut ends = pair(bert, anna, side, Mode::Once);
        run(&mut ends, 0);
        assert!(refused(&ends[0], Code::Unauthorized).contains("ticket names"));
        let [End { vault: b, .. }, End { vault: a, .. }] = ends;
        (bert, anna) = (b, a);
        // A real invite for the right identity: redeemed, the plan arrives.
        let (secret, _) = anna.create_invite(spec, 3600).unwrap();
        let side = Side::Dialer {
            ticket_secret: Some(secret.clone()),
            expect_identity: Some(anna.identity()),
        };
        let mut ends = pair(bert, anna, side, Mode::Once);
        run(&mut ends, 0);
        assert!(ends[0].report().is_some(), "{:?}", ends[0].failure());
        assert_eq!(ends[0].vault.plan(&plan).unwrap().goals.len(), 1);
        assert!(ends[1].effects.iter().any(|e| matches!(e, Effect::Notify(_))));
        // Used once only.
        let [End { vault: bert, .. }, End { vault: anna, .. }] = ends;
        let side = Side::Dialer {
            ticket_secret: Some(secret),
            expect_identity: Some(anna.identity()),
        };
        let mut ends = pair(bert, anna, side, Mode::Once);
        run(&mut ends, 0);
        assert!(matches!(
            ends[0].failure(),
            Some(SyncError::Remote {
                code: Code::BadTicket,
                ..
            })
        ));
        refused(&ends[1], Code::BadTicket);
    }

    #[test]
    fn live_sessions_push_local_changes() {
        let tmp = tempfile::tempdir().unwrap();
        let (anna, bert, plan) = anna_and_bert(tmp.path(), true);
        let mut ends = pair(bert, anna, Side::dialer(), Mode::Live);
        run(&mut ends, 0);
        assert_eq!(ends[0].vault.plan(&plan).unwrap().goals.len(), 1);
        assert!(!ends[0].session.is_ended() && !ends[1].session.is_ended());
        // Anna writes; her session hears of it and pushes.
        ends[1]
            .vault
            .add_goal(&plan, LifeDomain::WerkEnInkomen, "werk vinden", None)
            .unwrap();
        ends[1].inbox.push_back(Input::LocalChanged(vec![plan.clone()]));
        run(&mut ends, 10);
        assert_eq!(ends[0].vault.plan(&plan).unwrap().goals.len(), 2);
        // A notice for a document the peer may not have changes nothing.
        ends[1].inbox.push_back(Input::LocalChanged(vec!["no-such-doc".into()]));
        let before = ends[1].sent().len();
        run(&mut ends, 20);
        assert_eq!(ends[1].sent().len(), before);
        // Revoking the consent withdraws the plan.
        let consent = ends[1].vault.consents().unwrap()[0].consent.record.id.clone();
        ends[1].vault.revoke_consent(&consent, "klaar").unwrap();
        ends[1].inbox.push_back(Input::Lagged);
        run(&mut ends, 30);
        assert!(
            ends[1]
                .sent()
                .iter()
                .any(|f| matches!(f, Frame::Offer(o) if o.withdrawn.contains(&plan)))
        );
        // Shutdown ends the session with its code.
        ends[1].inbox.push_back(Input::Shutdown);
        run(&mut ends, 40);
        assert_eq!(ends[1].closed_with(), Some(Code::Shutdown));
        assert!(ends[1].report().is_some());
        assert!(ends[0].report().is_some(), "a live peer's close is a good end");
    }

    /// Bert completes the handshake with Anna, then sends `bytes`.
    fn after_handshake(anna: Vault, bert: &Vault, bytes: &[u8]) -> End {
        let mut end = End::new(anna, Side::Acceptor, Mode::Live, device(bert));
        deliver(&mut end, &Frame::Hello(hello(bert)).encode(), 0);
        deliver(&mut end, bytes, 0);
        while let Some(input) = end.inbox.pop_front() {
            let fx = end.handle(0, input);
            end.effects.extend(fx);
        }
        assert!(matches!(end.sent()[0], Frame::Welcome(_)));
        end
    }

    #[test]
    fn each_limit_closes_with_too_large() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut anna, bert, _) = anna_and_bert(tmp.path(), true);
        // A frame over the size limit.
        let end = after_handshake(anna, &bert, &((MAX_FRAME as u32) + 1).to_be_bytes());
        refused(&end, Code::TooLarge);
        anna = end.vault;
        // Too many changes in one frame: the count is checked before the changes.
        let head = serde_json::to_vec(&ChangesHead {
            doc: "d".into(),
            certs: vec![],
            last: true,
        })
        .unwrap();
        let mut body = vec![5u8];
        body.extend_from_slice(&(head.len() as u32).to_be_bytes());
        body.extend_from_slice(&head);
        body.extend_from_slice(&((MAX_CHANGES_PER_FRAME as u32) + 1).to_be_bytes());
        let mut frame = ((body.len()) as u32).to_be_bytes().to_vec();
        frame.extend_from_slice(&body);
        let end = after_handshake(anna, &bert, &frame);
        assert!(refused(&end, Code::TooLarge).contains("changes in one frame"));
        anna = end.vault;
        // Too many documents in one offer.
        let offer = Frame::Offer(Offer {
            docs: vec![],
            known: vec![],
            withdrawn: (0..=MAX_DOCS_PER_OFFER).map(|i| format!("d{i}")).collect(),
        });
        let end = after_handshake(anna, &bert, &offer.encode());
        assert!(refused(&end, Code::TooLarge).contains("offer of"));
    }

    #[test]
    fn every_error_code_the_session_sends() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut anna, bert, plan) = anna_and_bert(tmp.path(), false);
        // Protocol: a malformed frame, a frame out of order, changes never offered.
        let end = after_handshake(anna, &bert, &[0, 0, 0, 3, 99, 1, 2]);
        refused(&end, Code::Protocol);
        anna = end.vault;
        let end = after_handshake(anna, &bert, &Frame::Hello(hello(&bert)).encode());
        assert!(refused(&end, Code::Protocol).contains("unexpected hello"));
        anna = end.vault;
        let changes = Frame::Changes(
            ChangesHead {
                doc: plan.clone(),
                certs: vec![],
                last: true,
            },
            vec![],
        );
        let end = after_handshake(anna, &bert, &changes.encode());
        assert!(refused(&end, Code::Protocol).contains("not offered"));
        anna = end.vault;
        let end = acceptor_gets(anna, device(&bert), vec![Input::Frame(Frame::Synced)]);
        assert!(refused(&end, Code::Protocol).contains("expected hello"));
        anna = end.vault;
        // Unauthorized: a want for a document never offered (outside every consent, or none such).
        for doc in [plan.clone(), "no-such-document".into()] {
            let want = Frame::Want(Want {
                doc,
                have: Default::default(),
            });
            let end = after_handshake(anna, &bert, &want.encode());
            assert!(refused(&end, Code::Unauthorized).contains("never offered"));
            assert!(end.sent().iter().all(|f| !matches!(f, Frame::Changes(..))));
            anna = end.vault;
        }
        // RefusedChange: a forged change to a document Anna holds, offered by Bert.
        let header = anna.signed_header(&plan).unwrap();
        let mut forged = anna.signed_changes(&plan).unwrap().remove(0);
        forged.signature.0[0] ^= 1;
        let before = anna.change_count(&plan).unwrap();
        let mut end = after_handshake(
            anna,
            &bert,
            &Frame::Offer(Offer {
                docs: vec![header],
                known: vec![],
                withdrawn: vec![],
            })
            .encode(),
        );
        assert!(end.sent().iter().any(|f| matches!(f, Frame::Want(w) if w.doc == plan)));
        let bad = Frame::Changes(
            ChangesHead {
                doc: plan.clone(),
                certs: vec![],
                last: true,
            },
            vec![forged],
        );
        deliver(&mut end, &bad.encode(), 1);
        while let Some(input) = end.inbox.pop_front() {
            let fx = end.handle(1, input);
            end.effects.extend(fx);
        }
        refused(&end, Code::RefusedChange);
        assert_eq!(end.vault.change_count(&plan).unwrap(), before);
        anna = end.vault;
        // Timeout: no hello within the handshake limit; a frame that stalls.
        let mut end = End::new(anna, Side::Acceptor, Mode::Live, device(&bert));
        let fx = end.handle(0, Input::Start);
        end.effects.extend(fx);
        assert_eq!(end.session.deadline(), Some(HANDSHAKE_TIMEOUT_MS));
        assert!(end.handle(HANDSHAKE_TIMEOUT_MS - 1, Input::Tick).is_empty());
        let fx = end.handle(HANDSHAKE_TIMEOUT_MS, Input::Tick);
        end.effects.extend(fx);
        assert!(refused(&end, Code::Timeout).contains("no hello"));
        anna = end.vault;
        let mut end = after_handshake(anna, &bert, &1000u32.to_be_bytes());
        assert!(end.decoder.deadline().is_some());
        let e = end.decoder.tick(crate::wire::FRAME_TIMEOUT_MS).unwrap();
        let fx = end.handle(crate::wire::FRAME_TIMEOUT_MS, Input::FrameError(e));
        end.effects.extend(fx);
        refused(&end, Code::Timeout);
        anna = end.vault;
        // Shutdown and Done: see the live and the good-handshake tests.
        // Internal: the vault fails while answering.
        let mut broken = Broken(anna);
        let mut s = Session::new(Side::Acceptor, Mode::Live, device(&bert));
        let mut fx = s.handle(&mut broken, 0, Input::Start);
        fx.extend(s.handle(&mut broken, 0, Input::Frame(Frame::Hello(hello(&bert)))));
        let codes: Vec<_> = fx
            .iter()
            .filter_map(|e| match e {
                Effect::Send(Frame::Error(e)) => Some(e.code),
                _ => None,
            })
            .collect();
        assert_eq!(codes, [Code::Internal as u32]);
        assert!(matches!(fx.last(), Some(Effect::Failed(SyncError::Vault(_)))));
    }

    /// A vault whose consent lookup fails.
    struct Broken(Vault);

    impl Replica for Broken {
        fn device_certificate(&self) -> CertifiedDevice {
            Replica::device_certificate(&self.0)
        }
        fn listen_addrs(&self) -> Vec<String> {
            vec![]
        }
        fn is_device_revoked(&self, identity: &PublicKey, device: &PublicKey) -> bool {
            Replica::is_device_revoked(&self.0, identity, device)
        }
        fn is_admitted(&self, _: &PublicKey) -> bool {
            false
        }
        fn add_device_certificate(&mut self, _: &CertifiedDevice) -> Result<(), VaultError> {
            Ok(())
        }
        fn adopt_certificate(&mut self, _: CertifiedDevice) -> Result<(), VaultError> {
            Ok(())
        }
        fn redeem_invite(&mut self, secret: &[u8], peer: &CertifiedDevice) -> Result<Redeemed, VaultError> {
            Replica::redeem_invite(&mut self.0, secret, peer)
        }
        fn peer_met(&mut self, _: &PeerVisit) -> bool {
            true
        }
        fn document_ids(&self) -> Vec<String> {
            vec![]
        }
        fn documents_for_peer(&self, _: &PublicKey) -> Result<Vec<String>, VaultError> {
            Err(VaultError::Storage("the disk is gone".into()))
        }
        fn signed_header(&self, doc: &str) -> Result<Signed<DocumentHeader>, VaultError> {
            Replica::signed_header(&self.0, doc)
        }
        fn accepts_document_from(&self, _: &PublicKey, _: &DocumentHeader) -> bool {
            false
        }
        fn version_vector(&self, doc: &str) -> Result<VersionVector, VaultError> {
            Replica::version_vector(&self.0, doc)
        }
        fn missing_rows(&self, doc: &str, have: &VersionVector) -> Result<Vec<u64>, VaultError> {
            Replica::missing_rows(&self.0, doc, have)
        }
        fn changes_at(&self, doc: &str, rows: &[u64]) -> Result<Vec<SignedChange>, VaultError> {
            Replica::changes_at(&self.0, doc, rows)
        }
        fn certificates_for(&self, doc: &str, changes: &[SignedChange]) -> Result<Vec<CertifiedDevice>, VaultError> {
            Replica::certificates_for(&self.0, doc, changes)
        }
        fn import_changes(
            &mut self,
            _: &Signed<DocumentHeader>,
            _: &[CertifiedDevice],
            _: &[SignedChange],
            _: &str,
            _: &SessionNotes,
        ) -> Result<inwonercloud_vault::ImportReport, VaultError> {
            Err(VaultError::Storage("the disk is gone".into()))
        }
        fn write_notes(&mut self, _: &SessionNotes) -> Result<(), VaultError> {
            Err(VaultError::Storage("the disk is gone".into()))
        }
        fn synced(&mut self) {}
    }

    #[test]
    fn a_peer_error_frame_ends_the_session_as_remote() {
        let tmp = tempfile::tempdir().unwrap();
        let (anna, bert, _) = anna_and_bert(tmp.path(), true);
        let err = Frame::Error(ErrorFrame {
            code: Code::Shutdown as u32,
            message: "bye".into(),
        });
        let end = after_handshake(anna, &bert, &err.encode());
        assert!(matches!(
            end.failure(),
            Some(SyncError::Remote {
                code: Code::Shutdown,
                ..
            })
        ));
        assert_eq!(end.closed_with(), None);
        // A lost connection mid-way in a one-shot session is an error; inputs after the end do nothing.
        let [mut bert_end, _] = pair(bert, end.vault, Side::dialer(), Mode::Once);
        let fx = bert_end.handle(0, Input::Start);
        assert!(matches!(&fx[..], [Effect::Send(Frame::Hello(_))]));
        let fx = bert_end.handle(1, Input::Closed("gone".into()));
        assert!(matches!(&fx[..], [Effect::Failed(SyncError::Lost(m))] if m == "gone"));
        assert!(bert_end.handle(2, Input::Tick).is_empty());
    }

    /// Adds `n` goals to the plan in one action.
    fn many_goals(v: &mut Vault, plan: &str, n: usize) {
        v.transact(|v| {
            for i in 0..n {
                v.add_goal(plan, LifeDomain::Wonen, &format!("doel {i}"), None)?;
            }
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn a_large_document_goes_out_a_page_per_call() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut anna, bert, plan) = anna_and_bert(tmp.path(), true);
        let extra = MAX_CHANGES_PER_FRAME + 50;
        many_goals(&mut anna, &plan, extra);
        let rows = anna.change_count(&plan).unwrap() as usize;
        assert!(rows > MAX_CHANGES_PER_FRAME);
        // Anna answers Bert's want: one call makes at most one page of changes.
        let mut ends = pair(bert, anna, Side::dialer(), Mode::Once);
        let mut most_per_call = 0;
        for _ in 0..10_000 {
            let mut idle = true;
            for i in 0..2 {
                let input = match ends[i].inbox.pop_front() {
                    Some(input) => input,
                    None if ends[i].session.has_pending() => Input::Writable,
                    None => continue,
                };
                idle = false;
                let fx = ends[i].handle(0, input);
                let changes: usize = fx
                    .iter()
                    .map(|e| match e {
                        Effect::Send(Frame::Changes(_, c)) => c.len(),
                        _ => 0,
                    })
                    .sum();
                most_per_call = most_per_call.max(changes);
                for e in &fx {
                    match e {
                        Effect::Send(f) => deliver(&mut ends[1 - i], &f.encode(), 0),
                        Effect::Close { message, .. } => ends[1 - i].inbox.push_back(Input::Closed(message.clone())),
                        _ => {}
                    }
                }
                ends[i].effects.extend(fx);
            }
            if idle {
                break;
            }
        }
        assert_eq!(most_per_call, MAX_CHANGES_PER_FRAME);
        let frames: Vec<&ChangesHead> = ends[1]
            .sent()
            .into_iter()
            .filter_map(|f| match f {
                Frame::Changes(h, _) => Some(h),
                _ => None,
            })
            .collect();
        assert_eq!(frames.len(), 2);
        assert!(!frames[0].last && frames[1].last);
        assert!(
            !frames[0].certs.is_empty() && frames[1].certs.is_empty(),
            "each certificate once"
        );
        // Synced only after the last page.
        let sent = ends[1].sent();
        let synced = sent.iter().position(|f| matches!(f, Frame::Synced)).unwrap();
        let last = sent.iter().rposition(|f| matches!(f, Frame::Changes(..))).unwrap();
        assert!(last < synced);
        assert_eq!(ends[0].vault.plan(&plan).unwrap().goals.len(), extra + 1);
        assert_eq!(ends[1].report().unwrap().sent_changes, rows);
        assert_eq!(ends[0].report().unwrap().received_changes, rows);
    }

    #[test]
    fn a_consent_revoked_while_pages_go_out_stops_them() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut anna, bert, plan) = anna_and_bert(tmp.path(), true);
        many_goals(&mut anna, &plan, MAX_CHANGES_PER_FRAME + 50);
        let consent = anna.consents().unwrap()[0].consent.record.id.clone();
        let mut end = End::new(anna, Side::Acceptor, Mode::Live, device(&bert));
        deliver(&mut end, &Frame::Hello(hello(&bert)).encode(), 0);
        let want = Frame::Want(Want {
            doc: plan.clone(),
            have: Default::default(),
        });
        deliver(&mut end, &want.encode(), 0);
        while let Some(input) = end.inbox.pop_front() {
            let fx = end.handle(0, input);
            end.effects.extend(fx);
        }
        // The answer to a want is made when the driver asks for more.
        assert!(end.session.has_pending());
        let fx = end.handle(0, Input::Writable);
        end.effects.extend(fx);
        let pages = |end: &End| {
            end.sent()
                .into_iter()
                .filter_map(|f| match f {
                    Frame::Changes(h, c) => Some((h.last, c.len())),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(pages(&end), [(false, MAX_CHANGES_PER_FRAME)]);
        assert!(end.session.has_pending());
        // The consent ends before the driver asks for the next page.
        end.vault.revoke_consent(&consent, "klaar").unwrap();
        let fx = end.handle(1, Input::Writable);
        end.effects.extend(fx);
        assert_eq!(pages(&end), [(false, MAX_CHANGES_PER_FRAME), (true, 0)]);
        assert!(!end.session.has_pending());
        assert!(!end.session.is_ended(), "the session goes on with what is still shared");
    }

    #[test]
    fn a_want_crossing_a_withdrawal_gets_an_empty_answer_and_no_error() {
        let tmp = tempfile::tempdir().unwrap();
        let (anna, bert, plan) = anna_and_bert(tmp.path(), true);
        let header = anna.signed_header(&plan).unwrap();
        let mut end = End::new(bert, Side::dialer(), Mode::Live, device(&anna));
        let welcome = Welcome {
            version: PROTOCOL_VERSION,
            device: Some(anna.device_certificate().clone()),
            kept: false,
            issued: None,
            postbus: None,
        };
        let offer = |docs, withdrawn| {
            Frame::Offer(Offer {
                docs,
                known: vec![],
                withdrawn,
            })
        };
        let changes = |c| {
            let head = ChangesHead {
                doc: plan.clone(),
                certs: vec![],
                last: true,
            };
            Frame::Changes(head, c)
        };
        for f in [
            Frame::Welcome(welcome),
            offer(vec![header], vec![]),
            offer(vec![], vec![plan.clone()]),
            changes(vec![]),
        ] {
            end.inbox.push_back(Input::Frame(f));
        }
        while let Some(input) = end.inbox.pop_front() {
            let fx = end.handle(0, input);
            end.effects.extend(fx);
        }
        assert!(end.sent().iter().any(|f| matches!(f, Frame::Want(w) if w.doc == plan)));
        assert!(end.failure().is_none(), "{:?}", end.failure());
        // Changes after the withdrawal (pages under way when the sender
        // withdrew) are dropped unread: no error, nothing imported.
        let some = anna.signed_changes(&plan).unwrap();
        let before = end.vault.change_count(&plan).unwrap_or(0);
        let fx = end.handle(1, Input::Frame(changes(some)));
        end.effects.extend(fx);
        assert!(end.failure().is_none(), "{:?}", end.failure());
        assert_eq!(
            end.vault.change_count(&plan).unwrap_or(0),
            before,
            "nothing of it imported"
        );
    }

    // Resuming with a known peer: what the peer was seen to hold is left
    // out, and every check still runs on this side's own verified copies.

    /// Bert dials Anna once (one-shot); returns both vaults.
    fn session(bert: Vault, anna: Vault) -> [End; 2] {
        let mut ends = pair(bert, anna, Side::dialer(), Mode::Once);
        run(&mut ends, 0);
        for end in &ends {
            assert!(end.report().is_some(), "{:?}", end.failure());
        }
        ends
    }

    fn offers(end: &End) -> Vec<&Offer> {
        end.sent()
            .into_iter()
            .filter_map(|f| match f {
                Frame::Offer(o) => Some(o),
                _ => None,
            })
            .collect()
    }

    fn welcome(end: &End) -> &Welcome {
        end.sent()
            .into_iter()
            .find_map(|f| match f {
                Frame::Welcome(w) => Some(w),
                _ => None,
            })
            .expect("a welcome")
    }

    #[test]
    fn a_fresh_peer_gets_everything_and_a_known_peer_resumes() {
        let tmp = tempfile::tempdir().unwrap();
        let (anna, bert, plan) = anna_and_bert(tmp.path(), true);
        // Never met: certificates and the header in full.
        let [bert, anna] = session(bert, anna);
        assert!(matches!(bert.sent()[0], Frame::Hello(_)));
        assert!(welcome(&anna).device.is_some() && welcome(&anna).kept);
        assert_eq!(offers(&anna)[0].docs.len(), 1);
        assert!(offers(&anna)[0].known.is_empty());
        // Known: Bert resumes, Anna names her header by digest, the new goal arrives.
        let [bert, mut anna] = [bert.vault, anna.vault];
        anna.add_goal(&plan, LifeDomain::Gezondheid, "een baan", None).unwrap();
        let [bert, anna] = session(bert, anna);
        assert!(matches!(bert.sent()[0], Frame::Resume(_)), "{:?}", bert.sent()[0]);
        assert!(welcome(&anna).device.is_none());
        let o = offers(&anna)[0];
        assert!(o.docs.is_empty());
        assert_eq!(o.known.len(), 1);
        assert_eq!(o.known[0].doc, plan);
        assert!(bert.sent().iter().all(|f| !matches!(f, Frame::WantHeader(_))));
        assert_eq!(bert.vault.plan(&plan).unwrap().goals.len(), 2);
        assert_eq!(bert.report().unwrap().received_changes, 1);
        // Bert's offer back names the header by digest too.
        assert!(offers(&bert).iter().all(|o| o.docs.is_empty()));
        // A third session writes nothing new about the peer.
        let note = bert.vault.sync_note(&device(&anna.vault)).unwrap();
        assert!(note.is_some());
        let [bert, _] = session(bert.vault, anna.vault);
        assert_eq!(bert.vault.sync_note(&bert.session.remote_device).unwrap(), note);
    }

    #[test]
    fn a_header_replaced_between_sessions_is_sent_in_full_and_taken() {
        let tmp = tempfile::tempdir().unwrap();
        let (anna, bert, plan) = anna_and_bert(tmp.path(), true);
        let [bert, anna] = session(bert, anna);
        let (bert, mut anna) = (bert.vault, anna.vault);
        let before = anna.signed_header(&plan).unwrap().record.version;
        // A new owner-signed header: Anna lets Carla write in the plan too.
        let carla = vault(tmp.path(), "Carla", Role::Counselor);
        anna.grant_consent(
            carla.identity(),
            "Carla",
            Role::Counselor,
            vec![plan.clone()],
            Access::Write,
            None,
            "test",
        )
        .unwrap();
        let header = anna.signed_header(&plan).unwrap();
        assert!(header.record.version > before);
        let [bert, anna] = session(bert, anna);
        let o = offers(&anna)[0];
        assert_eq!(o.docs.len(), 1, "the changed header goes in full");
        assert!(o.known.is_empty());
        assert_eq!(bert.vault.signed_header(&plan).unwrap(), header, "and is taken");
        // Once taken, it goes by digest again.
        let [_, anna] = session(bert.vault, anna.vault);
        assert_eq!(offers(&anna)[0].known.len(), 1, "{:#?}", offers(&anna));
    }

    #[test]
    fn false_or_stale_knowledge_falls_back_to_the_full_data() {
        let tmp = tempfile::tempdir().unwrap();
        let (anna, bert, plan) = anna_and_bert(tmp.path(), true);
        // Anna believes Bert holds her plan's header; Bert believes Anna
        // keeps his certificate. Neither is true: they never met.
        let header = anna.signed_header(&plan).unwrap();
        let mut k = PeerKnowledge::default();
        k.headers.insert(plan.clone(), digest(&header));
        anna.set_sync_note(&device(&bert), &serde_json::to_vec(&k).unwrap())
            .unwrap();
        let k = PeerKnowledge {
            cert: Some(digest(&bert.device_certificate().clone())),
            headers: Default::default(),
        };
        bert.set_sync_note(&device(&anna), &serde_json::to_vec(&k).unwrap())
            .unwrap();
        let [bert, anna] = session(bert, anna);
        let names = |e: &End| e.sent().iter().map(|f| f.name()).collect::<Vec<_>>();
        assert_eq!(names(&bert)[..2], ["resume", "hello"], "{:?}", names(&bert));
        assert_eq!(names(&anna)[0], "send-hello");
        assert!(
            bert.sent()
                .iter()
                .any(|f| matches!(f, Frame::WantHeader(w) if w.doc == plan))
        );
        // The header came in full and was checked as any sent header is.
        assert_eq!(bert.vault.signed_header(&plan).unwrap(), header);
        assert_eq!(bert.vault.plan(&plan).unwrap().goals.len(), 1);
        // What was learned is true now: the next session resumes.
        let [bert, _] = session(bert.vault, anna.vault);
        assert!(matches!(bert.sent()[0], Frame::Resume(_)));
        assert!(bert.sent().iter().all(|f| !matches!(f, Frame::WantHeader(_))));
    }

    /// A `Resume` naming `cert` as the dialer's and `acceptor`'s certificate as known.
    fn resume(acceptor: &Vault, cert: &CertifiedDevice) -> Frame {
        Frame::Resume(Resume {
            version: PROTOCOL_VERSION,
            device: digest(cert),
            known: Some(digest(&acceptor.device_certificate().clone())),
            listen: vec![],
            postbus: None,
        })
    }

    #[test]
    fn a_resume_naming_a_certificate_not_held_for_the_device_gets_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let (anna, bert, _) = anna_and_bert(tmp.path(), true);
        let [bert, anna] = session(bert, anna);
        let (bert, anna) = (bert.vault, anna.vault);
        let mallory = vault(tmp.path(), "Mallory", Role::Counselor);
        let bert_cert = bert.device_certificate().clone();
        // Mallory's connection names Bert's certificate, which Anna holds:
        // she is asked to introduce herself, once, and learns nothing.
        let f = resume(&anna, &bert_cert);
        let frame = || Input::Frame(f.clone());
        let end = acceptor_gets(anna, device(&mallory), vec![frame()]);
        assert!(matches!(end.sent()[..], [Frame::SendHello]), "{:?}", end.sent());
        assert!(!end.session.is_ended() && end.session.peer().is_none());
        let end = acceptor_gets(end.vault, device(&mallory), vec![frame(), frame()]);
        assert!(refused(&end, Code::Protocol).contains("resume again"));
        assert!(
            end.sent()
                .iter()
                .all(|f| !matches!(f, Frame::Welcome(_) | Frame::Offer(_)))
        );
        // Bert naming a certificate of his that Anna never saw: the same.
        let mut other = bert_cert.clone();
        other.certificate.device_name = "another".into();
        let frame = resume(&end.vault, &other);
        let end = acceptor_gets(end.vault, device(&bert), vec![Input::Frame(frame)]);
        assert!(matches!(end.sent()[..], [Frame::SendHello]));
        // Bert naming his own certificate as Anna holds it: welcome, without hers.
        let frame = resume(&end.vault, &bert_cert);
        let end = acceptor_gets(end.vault, device(&bert), vec![Input::Frame(frame)]);
        assert!(matches!(end.sent()[0], Frame::Welcome(Welcome { device: None, .. })));
        assert_eq!(end.session.peer(), Some(bert.identity()));
    }

    #[test]
    fn a_revoked_device_cannot_resume() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut anna, phone, cert) = anna_and_her_phone(tmp.path());
        // Anna holds the phone's certificate; the phone names it.
        assert_eq!(Replica::certificate_of(&anna, &device(&phone)), Some(cert.clone()));
        anna.revoke_device(device(&phone)).unwrap();
        let frame = resume(&anna, &cert);
        let end = acceptor_gets(anna, device(&phone), vec![Input::Frame(frame)]);
        assert!(refused(&end, Code::Unauthorized).contains("revoked"));
    }

    #[test]
    fn headers_go_only_to_whom_they_were_offered_by_digest_and_still_shared() {
        let tmp = tempfile::tempdir().unwrap();
        let (anna, bert, plan) = anna_and_bert(tmp.path(), true);
        let want_header = || Frame::WantHeader(WantHeader { doc: plan.clone() }).encode();
        // Asked for without having been offered by digest (a peer never
        // met gets the header in full): refused, and no header leaves.
        let mut end = End::new(anna, Side::Acceptor, Mode::Live, device(&bert));
        deliver(&mut end, &Frame::Hello(hello(&bert)).encode(), 0);
        while let Some(input) = end.inbox.pop_front() {
            let fx = end.handle(0, input);
            end.effects.extend(fx);
        }
        let header_frames = |e: &End| offers(e).iter().map(|o| o.docs.len()).sum::<usize>();
        let sent_before = header_frames(&end);
        deliver(&mut end, &want_header(), 1);
        while let Some(input) = end.inbox.pop_front() {
            let fx = end.handle(1, input);
            end.effects.extend(fx);
        }
        assert!(refused(&end, Code::Protocol).contains("not offered by its digest"));
        assert_eq!(header_frames(&end), sent_before);
        let [bert, anna] = session(bert, end.vault);
        let (bert, anna) = (bert.vault, anna.vault);
        // Offered by digest, then the consent ends before Bert asks: an
        // empty answer, no header.
        let consent = anna.consents().unwrap()[0].consent.record.id.clone();
        let r = resume(&anna, &bert.device_certificate().clone());
        let mut end = End::new(anna, Side::Acceptor, Mode::Live, device(&bert));
        deliver(&mut end, &r.encode(), 0);
        while let Some(input) = end.inbox.pop_front() {
            let fx = end.handle(0, input);
            end.effects.extend(fx);
        }
        assert_eq!(offers(&end)[0].known.len(), 1);
        end.vault.revoke_consent(&consent, "klaar").unwrap();
        deliver(&mut end, &want_header(), 1);
        while let Some(input) = end.inbox.pop_front() {
            let fx = end.handle(1, input);
            end.effects.extend(fx);
        }
        assert!(end.failure().is_none(), "{:?}", end.failure());
        assert_eq!(header_frames(&end), 0, "no header left");
        assert!(
            end.sent()
                .iter()
                .any(|f| matches!(f, Frame::Changes(h, c) if h.doc == plan && c.is_empty()))
        );
    }

    #[test]
    fn a_forged_digest_never_selects_a_copy_and_takes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let (anna, bert, plan) = anna_and_bert(tmp.path(), true);
        let [bert, anna] = session(bert, anna);
        let (mut bert, anna) = (bert.vault, anna.vault);
        let header = anna.signed_header(&plan).unwrap();
        let other = anna.signed_header(&anna.consents_doc()).unwrap();
        // Bert is offered Anna's plan under a wrong digest,
        // and under the digest of another document's header.
        for hash in ["00".repeat(16), digest(&other)] {
            let mut end = End::new(bert, Side::dialer(), Mode::Live, device(&anna));
            let welcome = Welcome {
                version: PROTOCOL_VERSION,
                device: Some(anna.device_certificate().clone()),
                kept: false,
                issued: None,
                postbus: None,
            };
            let offer = Frame::Offer(Offer {
                docs: vec![],
                known: vec![KnownHeader {
                    doc: plan.clone(),
                    hash,
                }],
                withdrawn: vec![],
            });
            // Then changes for it, before any header.
            let changes = Frame::Changes(
                ChangesHead {
                    doc: plan.clone(),
                    certs: vec![],
                    last: true,
                },
                anna.signed_changes(&plan).unwrap(),
            );
            for f in [Frame::Welcome(welcome), offer, changes] {
                end.inbox.push_back(Input::Frame(f));
            }
            let before = end.vault.change_count(&plan).unwrap();
            while let Some(input) = end.inbox.pop_front() {
                let fx = end.handle(0, input);
                end.effects.extend(fx);
            }
            assert!(
                end.sent()
                    .iter()
                    .any(|f| matches!(f, Frame::WantHeader(w) if w.doc == plan))
            );
            assert!(
                end.sent()
                    .iter()
                    .all(|f| !matches!(f, Frame::Want(_) | Frame::WantsDone))
            );
            // Changes before the header arrived are dropped unread.
            assert!(end.failure().is_none(), "{:?}", end.failure());
            assert_eq!(end.vault.change_count(&plan).unwrap(), before);
            assert_eq!(end.vault.signed_header(&plan).unwrap(), header);
            bert = end.vault;
        }
    }

    // The session's bookkeeping (issue 20): access-log lines, the peer's
    // visit and the sync note ride with the import's commit, or are written
    // once before changes leave or at the end. Nothing here is timed; the
    // commits are counted by the file's write generation.

    /// Anna lets Bert read her plan and her journal, each with a change.
    fn anna_and_bert_with_two_docs(dir: &Path) -> (Vault, Vault, String, String) {
        let (mut anna, bert, plan) = anna_and_bert(dir, false);
        let journal = anna.doc_id(inwonercloud_schemas::DocKind::Journal);
        anna.add_note("eerste notitie").unwrap();
        anna.grant_consent(
            bert.identity(),
            "Bert",
            Role::Counselor,
            vec![plan.clone(), journal.clone()],
            Access::Read,
            None,
            "test",
        )
        .unwrap();
        (anna, bert, plan, journal)
    }

    /// The vault `name` as the file holds it (what survives a crash).
    fn reopen(dir: &Path, name: &str) -> Vault {
        Vault::open(&dir.join(name), &Passphrase::new("proef-wachtwoord")).unwrap()
    }

    /// The access-log lines of `doc` in `direction`.
    fn lines(v: &Vault, doc: &str, direction: Direction) -> Vec<inwonercloud_vault::AccessLine> {
        v.access_log()
            .unwrap()
            .into_iter()
            .filter(|l| l.doc == doc && l.direction == direction)
            .collect()
    }

    #[test]
    fn a_session_keeps_every_log_line_the_visit_and_the_note_in_few_commits() {
        let tmp = tempfile::tempdir().unwrap();
        let (anna, bert, plan, journal) = anna_and_bert_with_two_docs(tmp.path());
        let [bert, anna] = session(bert, anna);
        let (mut anna, mut bert) = (anna.vault, bert.vault);
        // Known to each other now; each document gains a change.
        anna.add_goal(&plan, LifeDomain::Wonen, "werk vinden", None).unwrap();
        anna.add_note("tweede notitie").unwrap();
        let mut met = bert.peer(&anna.identity()).unwrap().expect("Bert remembers Anna");
        met.last_seen = 0;
        bert.remember_peer(&met).unwrap();
        let (a0, b0) = (anna.write_generation().unwrap(), bert.write_generation().unwrap());
        let [bert, anna] = session(bert, anna);
        assert_eq!(bert.report().unwrap().received_changes, 2);
        // Bert: one commit per document received, which holds its changes,
        // their line, the visit and the note; the empty answers he got
        // commit nothing. Anna: her two lines in one commit, written before
        // her pages (both small, made in one call) left.
        let commits = |e: &End, before: u64| e.vault.write_generation().unwrap() - before;
        assert_eq!(commits(&bert, b0), 2, "Bert's commits");
        assert_eq!(commits(&anna, a0), 1, "Anna's commits");
        drop(ends_of(bert, anna));
        // All of it is in the files.
        let (anna, bert) = (reopen(tmp.path(), "Anna"), reopen(tmp.path(), "Bert"));
        for doc in [&plan, &journal] {
            let got = lines(&bert, doc, Direction::Received);
            let sent = lines(&anna, doc, Direction::Sent);
            assert_eq!(got.len(), 2, "a line per session that brought {doc}: {got:?}");
            assert_eq!(sent.len(), 2, "a line per session that sent {doc}: {sent:?}");
            assert_eq!(got[1].changes, 1);
            assert_eq!((sent[1].changes, sent[1].bytes), (got[1].changes, got[1].bytes));
        }
        let met = bert.peer(&anna.identity()).unwrap().expect("Anna is remembered");
        assert!(met.last_seen > 0, "the visit was written");
        assert_eq!(met.devices, vec![device(&anna)]);
        assert!(bert.sync_note(&device(&anna)).unwrap().is_some());
        assert!(anna.sync_note(&device(&bert)).unwrap().is_some());
    }

    /// Lets the ends go (closing their vaults), as a test that reopens them needs.
    fn ends_of(bert: End, anna: End) -> (Vault, Vault) {
        (bert.vault, anna.vault)
    }

    #[test]
    fn a_refused_batch_keeps_the_lines_of_what_was_stored_and_of_what_was_sent() {
        let tmp = tempfile::tempdir().unwrap();
        let (anna, bert, plan, journal) = anna_and_bert_with_two_docs(tmp.path());
        let mut ends = pair(bert, anna, Side::dialer(), Mode::Once);
        // The second of Anna's documents is altered on the way: Bert
        // imports the first, refuses that batch, and the session ends with
        // an error.
        let (mut batches, mut altered) = (0, String::new());
        run_with(
            &mut ends,
            0,
            &mut |from, f| {
                if let (1, Frame::Changes(head, changes)) = (from, f)
                    && let Some(c) = changes.first_mut()
                {
                    batches += 1;
                    if batches == 2 {
                        c.signature.0[0] ^= 1;
                        altered = head.doc.clone();
                    }
                }
            },
            usize::MAX,
        );
        let (stored, refused) = if altered == journal {
            (plan.clone(), journal.clone())
        } else {
            (journal.clone(), plan.clone())
        };
        assert_eq!(altered, refused);
        let [bert, anna] = ends;
        assert!(
            matches!(
                bert.failure(),
                Some(SyncError::Local {
                    code: Code::RefusedChange,
                    ..
                })
            ),
            "{:?}",
            bert.failure()
        );
        assert!(!bert.session.has_notes(), "what was pending was written at the end");
        drop(ends_of(bert, anna));
        let (anna, bert) = (reopen(tmp.path(), "Anna"), reopen(tmp.path(), "Bert"));
        // The first came in with its line; the refused one has none, nothing
        // of it is stored, and its refusal is logged.
        assert!(bert.change_count(&stored).unwrap() > 0);
        assert_eq!(lines(&bert, &stored, Direction::Received).len(), 1);
        assert!(lines(&bert, &refused, Direction::Received).is_empty());
        assert!(bert.header(&refused).is_err(), "nothing of {refused} is stored");
        assert!(bert.rejections().unwrap().iter().any(|r| r.doc == refused));
        // Anna sent both: her log says so, whatever Bert made of them.
        assert_eq!(lines(&anna, &plan, Direction::Sent).len(), 1);
        assert_eq!(lines(&anna, &journal, Direction::Sent).len(), 1);
        // Bert still remembers the visit and what Anna holds.
        assert!(bert.peer(&anna.identity()).unwrap().is_some_and(|p| p.last_seen > 0));
        assert!(bert.sync_note(&device(&anna)).unwrap().is_some());
    }

    #[test]
    fn a_failed_write_or_a_crash_never_parts_an_import_from_its_line() {
        // A failed write at each step of Bert's side, and a crash (the
        // session dropped, nothing of it flushed) after each input: in the
        // file, a document's changes are held exactly when its line is.
        for step in 1..=12u64 {
            let tmp = tempfile::tempdir().unwrap();
            let (anna, bert, plan, journal) = anna_and_bert_with_two_docs(tmp.path());
            bert.inject_fault(Some(inwonercloud_vault::store::Fault::ErrorAt(step)));
            let mut ends = pair(bert, anna, Side::dialer(), Mode::Once);
            run(&mut ends, 0);
            let [bert, anna] = ends;
            bert.vault.inject_fault(None);
            drop(ends_of(bert, anna));
            let bert = reopen(tmp.path(), "Bert");
            for doc in [&plan, &journal] {
                let held = bert.header(doc).is_ok() && bert.change_count(doc).unwrap_or(0) > 0;
                let logged = lines(&bert, doc, Direction::Received).len();
                assert_eq!(logged, usize::from(held), "fault at write {step}, {doc}");
            }
        }
        for inputs in 1..=40 {
            let tmp = tempfile::tempdir().unwrap();
            let (anna, bert, plan, journal) = anna_and_bert_with_two_docs(tmp.path());
            let mut ends = pair(bert, anna, Side::dialer(), Mode::Once);
            run_with(&mut ends, 0, &mut |_, _| {}, inputs);
            drop(ends);
            let (anna, bert) = (reopen(tmp.path(), "Anna"), reopen(tmp.path(), "Bert"));
            for doc in [&plan, &journal] {
                let held = bert.header(doc).is_ok() && bert.change_count(doc).unwrap_or(0) > 0;
                let logged = lines(&bert, doc, Direction::Received).len();
                assert_eq!(logged, usize::from(held), "crash after {inputs} inputs, {doc}");
                // Whatever Bert holds, Anna logged sending before it left.
                if held {
                    assert_eq!(
                        lines(&anna, doc, Direction::Sent).len(),
                        1,
                        "crash after {inputs} inputs, {doc}"
                    );
                }
            }
        }
    }
}
