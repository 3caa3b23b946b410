//! One sync session over one connection: handshake, offers, wants, changes,
//! and — in live mode — pushing new changes until the connection ends.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Duration;

use inwonercloud_schemas::{CertifiedDevice, DocumentHeader, PublicKey, Signed};
use inwonercloud_vault::SignedChange;
use inwonercloud_vault::consent::{AccessLine, Direction, PeerInfo, Redeemed};
use inwonercloud_vault::replica::VersionVector;
use iroh::endpoint::{Connection, RecvStream, SendStream};
use serde::Serialize;
use tokio::sync::{broadcast, mpsc};

use crate::node::{Event, Inner};
use crate::wire::{
    ChangesHead, Code, ErrorFrame, Frame, Hello, MAX_CHANGES_PER_FRAME, MAX_FRAME, Offer, PROTOCOL_VERSION, Want,
    Welcome, WireError,
};

/// How long the rest of a frame may take once its length has arrived.
const FRAME_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Most change bytes per `Changes` frame before starting another.
const CHUNK_BYTES: usize = 2 * 1024 * 1024;

/// Which side of the connection this is.
pub(crate) enum Side {
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
    Vault(#[from] inwonercloud_vault::VaultError),
}

struct State {
    peer: PublicKey,
    peer_name: String,
    offered: BTreeMap<String, Signed<DocumentHeader>>,
    wanted: HashSet<String>,
    got_offer: bool,
    peer_wants_done: bool,
    peer_synced: bool,
    sent_synced: bool,
    peer_have: BTreeMap<String, VersionVector>,
    shared: BTreeMap<String, u64>,
    /// Every document offered in this session, withdrawn or not.
    ever_offered: HashSet<String>,
    certs_sent: HashSet<PublicKey>,
    report: SyncReport,
}

impl State {
    fn done(&self) -> bool {
        self.got_offer && self.wanted.is_empty() && self.peer_wants_done
    }
}

pub(crate) struct Session<'a> {
    inner: &'a Inner,
    conn: Connection,
    send: SendStream,
    frames: mpsc::Receiver<Result<(Frame, usize), WireError>>,
    events: broadcast::Receiver<Event>,
    /// Addresses the peer announced in its hello.
    peer_listen: Vec<String>,
}

fn remote_device(conn: &Connection) -> PublicKey {
    PublicKey(*conn.remote_id().as_bytes())
}

impl<'a> Session<'a> {
    /// Runs a whole session.
    pub(crate) async fn run(
        inner: &'a Inner,
        conn: Connection,
        side: Side,
        mode: Mode,
    ) -> Result<SyncReport, SyncError> {
        let (send, recv) = match side {
            Side::Dialer { .. } => conn.open_bi().await.map_err(|e| SyncError::Lost(e.to_string()))?,
            Side::Acceptor => tokio::time::timeout(HANDSHAKE_TIMEOUT, conn.accept_bi())
                .await
                .map_err(|_| SyncError::Lost("no stream opened in time".into()))?
                .map_err(|e| SyncError::Lost(e.to_string()))?,
        };
        let (tx, rx) = mpsc::channel(16);
        tokio::spawn(read_frames(recv, tx));
        let events = inner.events.subscribe();
        let mut s = Session {
            inner,
            conn,
            send,
            frames: rx,
            events,
            peer_listen: Vec::new(),
        };
        let result = s.session(side, mode).await;
        match &result {
            Err(SyncError::Local { code, message }) => {
                s.conn.close((*code as u32).into(), message.as_bytes());
            }
            Err(SyncError::Vault(e)) => {
                s.conn.close((Code::Internal as u32).into(), e.to_string().as_bytes());
            }
            _ => {}
        }
        result
    }

    async fn write(&mut self, f: &Frame, report: &mut SyncReport) -> Result<(), SyncError> {
        let bytes = f.encode();
        report.bytes_sent += bytes.len();
        self.send
            .write_all(&bytes)
            .await
            .map_err(|e| SyncError::Lost(e.to_string()))
    }

    async fn fail(&mut self, code: Code, message: String) -> SyncError {
        let f = Frame::Error(ErrorFrame {
            code: code as u32,
            message: message.clone(),
        });
        let _ = self.send.write_all(&f.encode()).await;
        // Give the error frame a moment to leave before the close.
        tokio::time::sleep(Duration::from_millis(50)).await;
        SyncError::Local { code, message }
    }

    async fn next_frame(&mut self, report: &mut SyncReport) -> Result<Option<Frame>, SyncError> {
        match self.frames.recv().await {
            None => Ok(None),
            Some(Ok((f, n))) => {
                report.bytes_received += n;
                Ok(Some(f))
            }
            Some(Err(e)) => Err(self.fail(e.code(), e.to_string()).await),
        }
    }

    async fn handshake(&mut self, side: Side, report: &mut SyncReport) -> Result<CertifiedDevice, SyncError> {
        let device = remote_device(&self.conn);
        let mine = self.inner.with_vault(|v| v.device_certificate().clone());
        let inner = &self.inner;
        let check_cert = |c: &CertifiedDevice| -> Result<(), String> {
            inwonercloud_vault::keys::verify_certificate(c).map_err(|e| e.to_string())?;
            if c.certificate.device != device {
                return Err("the device certificate is not for the connecting device".into());
            }
            if inner.with_vault(|v| v.is_device_revoked(&c.certificate.identity, &device)) {
                return Err(format!(
                    "device {} was revoked by its owner {} (lost or replaced)",
                    device.short(),
                    c.certificate.identity_name
                ));
            }
            Ok(())
        };
        match side {
            Side::Dialer {
                ticket_secret,
                expect_identity,
            } => {
                let listen: Vec<String> = self
                    .inner
                    .with_vault(|v| v.setting("serve_addrs").ok().flatten())
                    .unwrap_or_default()
                    .split(',')
                    .filter(|a| a.parse::<std::net::SocketAddr>().is_ok())
                    .take(crate::wire::MAX_LISTEN_ADDRS)
                    .map(str::to_string)
                    .collect();
                let hello = Frame::Hello(Hello {
                    version: PROTOCOL_VERSION,
                    device: mine,
                    ticket_secret: ticket_secret.map(hex::encode),
                    listen,
                });
                self.write(&hello, report).await?;
                let frame = tokio::time::timeout(HANDSHAKE_TIMEOUT, self.next_frame(report))
                    .await
                    .map_err(|_| SyncError::Local {
                        code: Code::Timeout,
                        message: "no answer to hello".into(),
                    })??;
                match frame {
                    Some(Frame::Welcome(w)) => {
                        if let Err(why) = check_cert(&w.device) {
                            return Err(self.fail(Code::Unauthorized, why).await);
                        }
                        if let Some(issued) = w.issued {
                            if issued.certificate.identity != w.device.certificate.identity {
                                let why = "the issued certificate is not from the inviting identity".to_string();
                                return Err(self.fail(Code::Unauthorized, why).await);
                            }
                            let adopted = self.inner.with_vault(|v| {
                                v.add_device_certificate(&w.device)?;
                                v.adopt_certificate(issued)
                            });
                            if let Err(e) = adopted {
                                return Err(self.fail(Code::Unauthorized, e.to_string()).await);
                            }
                        }
                        if let Some(id) = expect_identity
                            && id != w.device.certificate.identity
                        {
                            let why = "the peer is not the identity the ticket names".to_string();
                            return Err(self.fail(Code::Unauthorized, why).await);
                        }
                        Ok(w.device)
                    }
                    Some(Frame::Error(e)) => Err(remote(e)),
                    Some(other) => Err(self
                        .fail(Code::Protocol, format!("expected welcome, got {}", other.name()))
                        .await),
                    None => Err(SyncError::Lost(self.close_reason())),
                }
            }
            Side::Acceptor => {
                let frame = tokio::time::timeout(HANDSHAKE_TIMEOUT, self.next_frame(report))
                    .await
                    .map_err(|_| SyncError::Local {
                        code: Code::Timeout,
                        message: "no hello in time".into(),
                    })??;
                let hello = match frame {
                    Some(Frame::Hello(h)) => h,
                    Some(other) => {
                        return Err(self
                            .fail(Code::Protocol, format!("expected hello, got {}", other.name()))
                            .await);
                    }
                    None => return Err(SyncError::Lost(self.close_reason())),
                };
                if hello.version != PROTOCOL_VERSION {
                    let why = format!(
                        "protocol version {} is not supported (this node speaks {PROTOCOL_VERSION})",
                        hello.version
                    );
                    return Err(self.fail(Code::Version, why).await);
                }
                if let Err(why) = check_cert(&hello.device) {
                    return Err(self.fail(Code::Unauthorized, why).await);
                }
                if hello.listen.len() > crate::wire::MAX_LISTEN_ADDRS
                    || hello.listen.iter().any(|a| a.parse::<std::net::SocketAddr>().is_err())
                {
                    let why = format!(
                        "hello announces more than {} addresses or one that is not ip:port",
                        crate::wire::MAX_LISTEN_ADDRS
                    );
                    return Err(self.fail(Code::Protocol, why).await);
                }
                self.peer_listen = hello.listen.clone();
                let mut issued = None;
                let mut peer_cert = hello.device.clone();
                if let Some(secret) = &hello.ticket_secret {
                    let secret = hex::decode(secret).unwrap_or_default();
                    let redeemed = self.inner.with_vault(|v| v.redeem_invite(&secret, &hello.device));
                    match redeemed {
                        Err(e) => return Err(self.fail(Code::BadTicket, e.to_string()).await),
                        Ok(Redeemed::Device(cert)) => {
                            peer_cert = cert.clone();
                            issued = Some(cert);
                        }
                        Ok(Redeemed::Consent(_)) => {}
                    }
                    self.inner.notify_all();
                } else {
                    // Only certificates of admitted identities are kept: a
                    // stranger with fresh keys gets public documents and
                    // leaves nothing behind.
                    let stored = self.inner.with_vault(|v| {
                        if v.is_admitted(&hello.device.certificate.identity) {
                            v.add_device_certificate(&hello.device)
                        } else {
                            inwonercloud_vault::trust::certificate_bounds(&hello.device)
                                .map_err(inwonercloud_vault::VaultError::NotAllowed)
                        }
                    });
                    if let Err(e) = stored {
                        return Err(self.fail(Code::Unauthorized, e.to_string()).await);
                    }
                }
                self.write(
                    &Frame::Welcome(Welcome {
                        version: PROTOCOL_VERSION,
                        device: mine,
                        issued,
                    }),
                    report,
                )
                .await?;
                Ok(peer_cert)
            }
        }
    }

    fn close_reason(&self) -> String {
        match self.conn.close_reason() {
            Some(r) => r.to_string(),
            None => "the peer closed the connection".into(),
        }
    }

    async fn session(&mut self, side: Side, mode: Mode) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport::default();
        let peer_cert = self.handshake(side, &mut report).await?;
        let peer = peer_cert.certificate.identity;
        let peer_name = peer_cert.certificate.identity_name.clone();
        report.peer = Some(peer);
        report.peer_name = peer_name.clone();
        self.inner.with_vault(|v| {
            // Strangers are served public documents but not remembered.
            if !v.is_admitted(&peer) {
                return;
            }
            let mut info = v.peer(&peer).ok().flatten().unwrap_or(PeerInfo {
                identity: peer,
                name: peer_name.clone(),
                role: peer_cert.certificate.role,
                devices: vec![],
                addrs: vec![],
                last_seen: 0,
            });
            if !info.devices.contains(&peer_cert.certificate.device) {
                info.devices.push(peer_cert.certificate.device);
            }
            for a in &self.peer_listen {
                if !info.addrs.contains(a) {
                    info.addrs.push(a.clone());
                }
            }
            info.last_seen = inwonercloud_vault::keys::now();
            let _ = v.remember_peer(&info);
        });
        self.inner.set_online(peer, &peer_name, true, None);
        self.inner.set_received(peer, 0);
        let mut st = State {
            peer,
            peer_name,
            offered: BTreeMap::new(),
            wanted: HashSet::new(),
            got_offer: false,
            peer_wants_done: false,
            peer_synced: false,
            sent_synced: false,
            peer_have: BTreeMap::new(),
            shared: BTreeMap::new(),
            ever_offered: HashSet::new(),
            certs_sent: HashSet::new(),
            report,
        };
        let result = self.exchange(&mut st, mode).await;
        self.inner.set_online(
            st.peer,
            &st.peer_name,
            false,
            result.as_ref().err().map(|e| e.to_string()),
        );
        result.map(|()| st.report)
    }

    async fn exchange(&mut self, st: &mut State, mode: Mode) -> Result<(), SyncError> {
        self.offer_changes_in_sharing(st).await?;
        loop {
            if st.done() && !st.sent_synced {
                st.sent_synced = true;
                self.inner.mark_synced(st.peer);
                // Snapshot what came in, so the next open re-checks little. A
                // failed snapshot costs only speed: the change log is complete.
                let _ = self.inner.with_vault(|v| v.compact_due());
                self.write(&Frame::Synced, &mut st.report).await?;
            }
            if mode == Mode::Once && st.sent_synced && st.peer_synced {
                let _ = self.send.finish();
                self.conn.close((Code::Done as u32).into(), b"in sync");
                return Ok(());
            }
            tokio::select! {
                frame = self.frames.recv() => {
                    let frame = match frame {
                        None => None,
                        Some(Ok((f, n))) => {
                            st.report.bytes_received += n;
                            Some(f)
                        }
                        Some(Err(e)) => return Err(self.fail(e.code(), e.to_string()).await),
                    };
                    match frame {
                        None => return if mode == Mode::Once && !(st.sent_synced && st.peer_synced) {
                            Err(SyncError::Lost(self.close_reason()))
                        } else {
                            Ok(())
                        },
                        Some(f) => self.handle(st, f).await?,
                    }
                }
                ev = self.events.recv() => {
                    match ev {
                        Ok(Event::Changed(docs)) => self.push(st, &docs).await?,
                        Err(broadcast::error::RecvError::Lagged(_)) => {
                            let all: Vec<String> = st.peer_have.keys().cloned().collect();
                            self.push(st, &all).await?;
                        }
                        Err(broadcast::error::RecvError::Closed) => {
                            self.conn.close((Code::Shutdown as u32).into(), b"node shutting down");
                            return Ok(());
                        }
                    }
                }
            }
        }
    }

    /// Offers documents newly shared with the peer and withdraws ones no longer shared.
    async fn offer_changes_in_sharing(&mut self, st: &mut State) -> Result<(), SyncError> {
        let (docs, withdrawn) = self.inner.with_vault(|v| -> Result<_, SyncError> {
            let now: Vec<String> = v.documents_for_peer(&st.peer)?;
            let mut docs = vec![];
            for d in &now {
                let h = v.signed_header(d)?;
                let newer = st.shared.get(d).is_none_or(|ver| *ver < h.record.version);
                if newer {
                    docs.push(h);
                }
            }
            let withdrawn: Vec<String> = st.shared.keys().filter(|d| !now.contains(d)).cloned().collect();
            Ok((docs, withdrawn))
        })?;
        let first = st.shared.is_empty() && !st.sent_synced;
        if docs.is_empty() && withdrawn.is_empty() && !first {
            return Ok(());
        }
        for h in &docs {
            st.shared.insert(h.record.id.clone(), h.record.version);
            st.ever_offered.insert(h.record.id.clone());
        }
        for d in &withdrawn {
            st.shared.remove(d);
            st.peer_have.remove(d);
        }
        self.write(&Frame::Offer(Offer { docs, withdrawn }), &mut st.report)
            .await
    }

    async fn handle(&mut self, st: &mut State, f: Frame) -> Result<(), SyncError> {
        match f {
            Frame::Offer(o) => {
                for d in &o.withdrawn {
                    st.offered.remove(d);
                    st.wanted.remove(d);
                }
                for h in o.docs {
                    let accept = self.inner.with_vault(|v| v.accepts_document_from(&st.peer, &h.record));
                    if !accept {
                        continue;
                    }
                    let doc = h.record.id.clone();
                    let have = self.inner.with_vault(|v| v.version_vector(&doc).unwrap_or_default());
                    st.offered.insert(doc.clone(), h);
                    st.wanted.insert(doc.clone());
                    self.write(&Frame::Want(Want { doc, have }), &mut st.report).await?;
                }
                if !st.got_offer {
                    st.got_offer = true;
                    self.write(&Frame::WantsDone, &mut st.report).await?;
                }
            }
            Frame::Want(w) => {
                let shared = self.inner.with_vault(|v| v.documents_for_peer(&st.peer))?;
                if !shared.contains(&w.doc) && !st.ever_offered.contains(&w.doc) {
                    // Never offered: outside every consent, or no such document.
                    let why = format!("asked for {}, which this node never offered to you", w.doc);
                    return Err(self.fail(Code::Unauthorized, why).await);
                }
                if !shared.contains(&w.doc) {
                    // No longer shared (revoked during the session): answer with nothing.
                    let head = ChangesHead {
                        doc: w.doc,
                        certs: vec![],
                        last: true,
                    };
                    return self.write(&Frame::Changes(head, vec![]), &mut st.report).await;
                }
                st.peer_have.insert(w.doc.clone(), w.have.clone());
                self.send_missing(st, &w.doc).await?;
            }
            Frame::Changes(head, changes) => {
                let Some(header) = st.offered.get(&head.doc).cloned() else {
                    let why = format!("changes for {} which was not offered", head.doc);
                    return Err(self.fail(Code::Protocol, why).await);
                };
                let bytes: usize = changes.iter().map(|c| c.bytes.len()).sum();
                let n = changes.len();
                let name = st.peer_name.clone();
                let imported = self
                    .inner
                    .with_vault(|v| v.import_changes(&header, &head.certs, &changes, &name));
                match imported {
                    Ok(r) => {
                        // What the peer sent, it has.
                        let have = st.peer_have.entry(head.doc.clone()).or_default();
                        for (dev, seq) in &r.seqs {
                            let e = have.entry(*dev).or_insert(0);
                            if *seq == *e + 1 {
                                *e = *seq;
                            }
                        }
                        if n > 0 {
                            st.report.received_changes += r.applied;
                            self.inner.set_received(st.peer, st.report.received_changes);
                            st.report.docs_received.insert(head.doc.clone());
                            self.log(st, &head.doc, Direction::Received, n, bytes);
                        }
                        if r.applied > 0 || n == 0 {
                            self.inner.notify(vec![head.doc.clone()]);
                        }
                    }
                    Err(e) => {
                        return Err(self.fail(Code::RefusedChange, e.to_string()).await);
                    }
                }
                if head.last {
                    st.wanted.remove(&head.doc);
                }
            }
            Frame::WantsDone => st.peer_wants_done = true,
            Frame::Synced => st.peer_synced = true,
            Frame::Error(e) => return Err(remote(e)),
            other => {
                return Err(self
                    .fail(Code::Protocol, format!("unexpected {} frame", other.name()))
                    .await);
            }
        }
        Ok(())
    }

    /// Sends what the peer lacks of a document, read and sent a page of
    /// [`MAX_CHANGES_PER_FRAME`] rows at a time (a large document is never
    /// held in memory whole); the last frame says so.
    async fn send_missing(&mut self, st: &mut State, doc: &str) -> Result<(), SyncError> {
        let have = st.peer_have.get(doc).cloned().unwrap_or_default();
        let (rows, held) = self.inner.with_vault(|v| -> Result<_, SyncError> {
            // What the peer holds once it has taken these: at least what this
            // vault held when it listed them.
            Ok((v.missing_rows(doc, &have)?, v.version_vector(doc)?))
        })?;
        let total = rows.len();
        let mut bytes = 0;
        let pages: Vec<&[u64]> = if rows.is_empty() {
            vec![&[]]
        } else {
            rows.chunks(MAX_CHANGES_PER_FRAME).collect()
        };
        let header_signer = self
            .inner
            .with_vault(|v| v.signed_header(doc).map(|h| h.device.certificate.device))?;
        let mut first = true;
        for (p, page) in pages.iter().enumerate() {
            let (changes, certs) = self.inner.with_vault(|v| -> Result<_, SyncError> {
                let changes = v.changes_at(doc, page)?;
                let certs = v.certificates_for(doc, &changes)?;
                Ok((changes, certs))
            })?;
            bytes += changes.iter().map(|c| c.bytes.len()).sum::<usize>();
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
                let new_certs: Vec<CertifiedDevice> = certs
                    .iter()
                    .filter(|c| {
                        // A device the peer already has changes from is certified
                        // there already; a certificate travels with the first
                        // chunk holding a change of its device, because the
                        // receiver keeps only certificates of signers of the
                        // batch they come with (and the header's).
                        !st.certs_sent.contains(&c.certificate.device)
                            && !have.contains_key(&c.certificate.device)
                            && ((first && c.certificate.device == header_signer)
                                || chunk.iter().any(|x| x.signer == c.certificate.device))
                    })
                    .cloned()
                    .collect();
                first = false;
                for c in &new_certs {
                    st.certs_sent.insert(c.certificate.device);
                }
                let head = ChangesHead {
                    doc: doc.to_string(),
                    certs: new_certs,
                    last: p + 1 == pages.len() && i + 1 == n,
                };
                self.write(&Frame::Changes(head, chunk), &mut st.report).await?;
            }
        }
        let have = st.peer_have.entry(doc.to_string()).or_default();
        for (dev, seq) in held {
            let e = have.entry(dev).or_insert(0);
            if seq > *e {
                *e = seq;
            }
        }
        if total > 0 {
            st.report.sent_changes += total;
            st.report.docs_sent.insert(doc.to_string());
            self.log(st, doc, Direction::Sent, total, bytes);
        }
        Ok(())
    }

    /// Live push after local or relayed changes.
    async fn push(&mut self, st: &mut State, docs: &[String]) -> Result<(), SyncError> {
        self.offer_changes_in_sharing(st).await?;
        for d in docs {
            if st.peer_have.contains_key(d) && st.shared.contains_key(d) {
                let have = st.peer_have.get(d).cloned().unwrap_or_default();
                let any = self
                    .inner
                    .with_vault(|v| v.missing_rows(d, &have).map(|m| !m.is_empty()).unwrap_or(false));
                if any {
                    self.send_missing(st, d).await?;
                }
            }
        }
        Ok(())
    }

    fn log(&self, st: &State, doc: &str, direction: Direction, changes: usize, bytes: usize) {
        let line = AccessLine {
            at: inwonercloud_vault::keys::now(),
            peer: st.peer,
            peer_name: st.peer_name.clone(),
            doc: doc.to_string(),
            direction,
            changes,
            bytes,
        };
        self.inner.with_vault(|v| {
            let _ = v.log_access(&line);
        });
    }
}

fn remote(e: ErrorFrame) -> SyncError {
    SyncError::Remote {
        code: Code::from_u32(e.code).unwrap_or(Code::Protocol),
        message: e.message,
    }
}

/// Reads frames until the stream ends or a frame breaks a limit.
async fn read_frames(mut recv: RecvStream, tx: mpsc::Sender<Result<(Frame, usize), WireError>>) {
    loop {
        let mut len = [0u8; 4];
        if recv.read_exact(&mut len).await.is_err() {
            return;
        }
        let n = u32::from_be_bytes(len) as usize;
        if n == 0 || n > MAX_FRAME {
            let _ = tx
                .send(Err(WireError::TooLarge(format!(
                    "a frame of {n} bytes (the limit is {MAX_FRAME})"
                ))))
                .await;
            return;
        }
        let mut body = vec![0u8; n];
        match tokio::time::timeout(FRAME_TIMEOUT, recv.read_exact(&mut body)).await {
            Err(_) => {
                let _ = tx
                    .send(Err(WireError::TooSlow(format!(
                        "a frame of {n} bytes did not arrive within {} s",
                        FRAME_TIMEOUT.as_secs()
                    ))))
                    .await;
                return;
            }
            Ok(Err(_)) => return,
            Ok(Ok(_)) => {}
        }
        let decoded = Frame::decode(&body).map(|f| (f, n + 4));
        let stop = decoded.is_err();
        if tx.send(decoded).await.is_err() || stop {
            return;
        }
    }
}
