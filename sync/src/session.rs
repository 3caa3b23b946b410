//! Runs one sync session over one iroh connection: the protocol core
//! ([`protocol::Session`](crate::protocol::Session)) fed with frames read
//! from a bidirectional stream, change events and the time, its frames
//! written back, and the connection closed with the code it names.
//!
//! This is the only place where the protocol meets QUIC, tokio and the
//! node's shared vault; everything it decides is in [`protocol`](crate::protocol).

use std::time::{Duration, Instant};

use inwonercloud_schemas::PublicKey;
use iroh::endpoint::{Connection, RecvStream, SendStream};
use tokio::sync::{broadcast, mpsc};
use tracing::Instrument;

use crate::event::Event;
use crate::protocol::{Effect, Input, Session};
pub use crate::protocol::{Mode, Side, SyncError, SyncReport};
use crate::shared::Shared;
use crate::wire::{Code, Decoder, Frame, WireError};

/// How long the acceptor waits for the dialer to open its stream.
const STREAM_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an error frame gets to leave before the connection closes.
const ERROR_GRACE: Duration = Duration::from_millis(50);

/// The connection and what crossed it.
struct Wire {
    conn: Connection,
    send: SendStream,
    bytes_sent: usize,
    bytes_received: usize,
    /// Per frame type: how many and their bytes, each way.
    frames: crate::protocol::FrameTally,
    /// When the session started: time 0 of the protocol's clock.
    epoch: Instant,
}

impl Wire {
    fn now(&self) -> u64 {
        millis(self.epoch)
    }

    fn close_reason(&self) -> String {
        match self.conn.close_reason() {
            Some(r) => r.to_string(),
            None => "the peer closed the connection".into(),
        }
    }
}

fn millis(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn remote_device(conn: &Connection) -> PublicKey {
    PublicKey(*conn.remote_id().as_bytes())
}

/// Runs a whole session on `conn`, in a tracing span naming the peer's
/// device and the direction; `dialed` are the addresses the peer was
/// dialed at (remembered with it).
pub(crate) async fn run(
    shared: &Shared,
    conn: Connection,
    side: Side,
    mode: Mode,
    dialed: Vec<String>,
) -> Result<SyncReport, SyncError> {
    let device = remote_device(&conn);
    let direction = match side {
        Side::Dialer { .. } => "dial",
        Side::Acceptor => "accept",
    };
    let span = tracing::info_span!(
        "sync_session",
        peer = %device.short(),
        direction,
        mode = ?mode,
        identity = tracing::field::Empty,
    );
    let result = drive(shared, conn, side, mode, device, dialed)
        .instrument(span.clone())
        .await;
    let _enter = span.enter();
    match &result {
        Ok(r) => tracing::info!(
            sent = r.sent_changes,
            received = r.received_changes,
            bytes_sent = r.bytes_sent,
            bytes_received = r.bytes_received,
            "session ended"
        ),
        Err(e) => tracing::info!(error = %e, "session failed"),
    }
    result
}

async fn drive(
    shared: &Shared,
    conn: Connection,
    side: Side,
    mode: Mode,
    device: PublicKey,
    dialed: Vec<String>,
) -> Result<SyncReport, SyncError> {
    let (send, recv) = match side {
        Side::Dialer { .. } => conn.open_bi().await.map_err(|e| SyncError::Lost(e.to_string()))?,
        Side::Acceptor => tokio::time::timeout(STREAM_TIMEOUT, conn.accept_bi())
            .await
            .map_err(|_| SyncError::Lost("no stream opened in time".into()))?
            .map_err(|e| SyncError::Lost(e.to_string()))?,
    };
    let epoch = Instant::now();
    let (tx, mut frames) = mpsc::channel(16);
    tokio::spawn(read_frames(recv, tx, epoch).in_current_span());
    let mut events = shared.events.subscribe();
    let mut wire = Wire {
        conn,
        send,
        bytes_sent: 0,
        bytes_received: 0,
        frames: Default::default(),
        epoch,
    };
    let mut core = Session::new(side, mode, device).dialed_at(dialed);
    let mut input = Input::Start;
    loop {
        let now = wire.now();
        tracing::trace!(?input, "input");
        let effects = blocking(|| shared.with_vault(|v| core.handle(v, now, input)));
        if let Some(end) = perform(shared, &mut wire, &core, effects).await {
            if core.has_notes() {
                // Stopped before the core ended (the stream broke): what it
                // noted of the session is still written.
                blocking(|| shared.with_vault(|v| core.flush_notes(v)));
            }
            if let Some(peer) = core.peer() {
                let error = end.as_ref().err().map(|e| e.to_string());
                shared.set_online(peer, core.peer_name(), false, error);
            }
            return end.map(|mut report| {
                report.bytes_sent = wire.bytes_sent;
                report.bytes_received = wire.bytes_received;
                report.frames = std::mem::take(&mut wire.frames);
                report
            });
        }
        let deadline = core.deadline().map(|d| epoch + Duration::from_millis(d));
        let pending = core.has_pending();
        input = tokio::select! {
            biased;
            frame = frames.recv() => match frame {
                None => Input::Closed(wire.close_reason()),
                Some(Ok((f, n))) => {
                    wire.bytes_received += n;
                    wire.frames.add(f.name(), false, n);
                    tracing::debug!(frame = f.name(), bytes = n, "received");
                    Input::Frame(f)
                }
                Some(Err(e)) => Input::FrameError(e),
            },
            ev = events.recv() => match ev {
                Ok(Event::Changed(docs)) => Input::LocalChanged(docs),
                Err(broadcast::error::RecvError::Lagged(_)) => Input::Lagged,
                Err(broadcast::error::RecvError::Closed) => Input::Shutdown,
            },
            () = std::future::ready(()), if pending => Input::Writable,
            () = sleep_until(deadline), if deadline.is_some() => Input::Tick,
        };
    }
}

/// Runs `f`, which waits for the vault's lock and its durable writes, as
/// blocking work: on a multi-threaded runtime the worker hands its other
/// tasks (other sessions' connections, their QUIC timers) to another thread
/// first, so that sessions queued behind the lock or a disk flush do not
/// stall every connection of the node. Elsewhere it just runs `f`.
pub(crate) fn blocking<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d.into()).await,
        None => std::future::pending().await,
    }
}

/// Performs the core's effects in order; returns the session's end, if this was it.
async fn perform(
    shared: &Shared,
    wire: &mut Wire,
    core: &Session,
    effects: Vec<Effect>,
) -> Option<Result<SyncReport, SyncError>> {
    let mut error_sent = false;
    for effect in effects {
        match effect {
            Effect::Send(f) => {
                error_sent = matches!(f, Frame::Error(_));
                let bytes = f.encode();
                tracing::debug!(frame = f.name(), bytes = bytes.len(), "sent");
                wire.bytes_sent += bytes.len();
                wire.frames.add(f.name(), true, bytes.len());
                if let Err(e) = wire.send.write_all(&bytes).await {
                    if error_sent {
                        // The peer is gone already; the error is ours to report.
                        continue;
                    }
                    return Some(Err(SyncError::Lost(e.to_string())));
                }
            }
            Effect::Connected { peer, name } => {
                tracing::Span::current().record("identity", tracing::field::display(peer.short()));
                shared.set_online(peer, &name, true, None);
            }
            Effect::Received(n) => {
                if let Some(peer) = core.peer() {
                    shared.set_received(peer, n);
                }
            }
            Effect::InSync => {
                if let Some(peer) = core.peer() {
                    shared.mark_synced(peer);
                }
            }
            Effect::Notify(docs) => shared.notify(docs),
            Effect::Close { code, message } => {
                if code == Code::Done {
                    let _ = wire.send.finish();
                } else if error_sent {
                    // Give the error frame a moment to leave before the close.
                    tokio::time::sleep(ERROR_GRACE).await;
                }
                wire.conn.close((code as u32).into(), message.as_bytes());
            }
            Effect::Done(report) => return Some(Ok(report)),
            Effect::Failed(e) => return Some(Err(e)),
        }
    }
    None
}

/// Reads the stream into frames until it ends or breaks a limit; the
/// decoder's deadline bounds how long the rest of a frame may take.
async fn read_frames(mut recv: RecvStream, tx: mpsc::Sender<Result<(Frame, usize), WireError>>, epoch: Instant) {
    let mut decoder = Decoder::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let read = match decoder.deadline() {
            Some(d) => {
                let at = epoch + Duration::from_millis(d);
                match tokio::time::timeout_at(at.into(), recv.read(&mut buf)).await {
                    Ok(r) => r,
                    Err(_) => {
                        if let Some(e) = decoder.tick(millis(epoch)) {
                            let _ = tx.send(Err(e)).await;
                            return;
                        }
                        continue;
                    }
                }
            }
            None => recv.read(&mut buf).await,
        };
        let n = match read {
            Ok(Some(n)) => n,
            Ok(None) | Err(_) => return,
        };
        let Some(chunk) = buf.get(..n) else { return };
        for decoded in decoder.push(chunk, millis(epoch)) {
            let stop = decoded.is_err();
            if tx.send(decoded).await.is_err() || stop {
                return;
            }
        }
    }
}
