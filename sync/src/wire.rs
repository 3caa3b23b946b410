//! The wire format: length-prefixed frames on one QUIC bidirectional stream.
//!
//! A frame is `u32 length (big-endian) | u8 type | payload`, where length
//! counts type and payload. Control frames carry JSON; a `Changes` frame
//! carries a small JSON head followed by length-prefixed signed changes, so
//! change bytes travel as they are stored. A frame of 512 bytes or more
//! travels deflated (type 9) when that is smaller: the signed records inside
//! consecutive changes repeat their authors' certificates, which compression
//! folds into one copy, and keys and signatures in JSON are hex.
//! See `docs/protocol.md`.

use inwonercloud_schemas::{CertifiedDevice, DocumentHeader, Signed};
use inwonercloud_vault::SignedChange;
use inwonercloud_vault::replica::VersionVector;
use serde::{Deserialize, Serialize};

/// ALPN of the protocol.
pub const ALPN: &[u8] = b"inwonercloud/sync/1";
/// Protocol version carried in `Hello` and `Resume`. Version 3 added
/// `Resume`, `SendHello`, `WantHeader`, a `Welcome` that may leave its
/// certificate out and an `Offer` that may name a header by its hash; a
/// node of another version is refused with [`Code::Version`].
pub const PROTOCOL_VERSION: u32 = 3;
/// Largest frame accepted (type + payload).
pub const MAX_FRAME: usize = 8 * 1024 * 1024;
/// Most changes in one `Changes` frame.
pub const MAX_CHANGES_PER_FRAME: usize = 1000;
/// Frames at least this long are sent deflated when that is smaller.
pub const DEFLATE_FROM: usize = 512;
/// Most documents in one `Offer`.
pub const MAX_DOCS_PER_OFFER: usize = 1000;

/// Error codes sent when closing a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Code {
    /// Normal end of a session.
    Done = 0,
    /// A frame could not be decoded or broke the protocol's order.
    Protocol = 1,
    /// A frame exceeded a limit.
    TooLarge = 2,
    /// The peer's certificate does not match its connection, or it may not do this.
    Unauthorized = 3,
    /// A change failed verification or its author may not write; nothing of it was applied.
    RefusedChange = 4,
    /// The invite ticket was unknown, used or expired.
    BadTicket = 5,
    /// Unsupported protocol version.
    Version = 6,
    /// The peer was too slow.
    Timeout = 7,
    /// The node is shutting down.
    Shutdown = 8,
    /// An internal error on this side.
    Internal = 9,
}

impl Code {
    /// The code for a number received from a peer.
    pub fn from_u32(n: u32) -> Option<Code> {
        Some(match n {
            0 => Code::Done,
            1 => Code::Protocol,
            2 => Code::TooLarge,
            3 => Code::Unauthorized,
            4 => Code::RefusedChange,
            5 => Code::BadTicket,
            6 => Code::Version,
            7 => Code::Timeout,
            8 => Code::Shutdown,
            9 => Code::Internal,
            _ => return None,
        })
    }
}

/// The dialer's first frame.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hello {
    /// [`PROTOCOL_VERSION`].
    pub version: u32,
    /// The dialing device's certificate; its device key must be the connection's endpoint id.
    pub device: CertifiedDevice,
    /// An invite secret (hex), when joining with a ticket.
    pub ticket_secret: Option<String>,
    /// Where the dialer's vault is reachable for sessions the other way
    /// (`ip:port`, at most [`MAX_LISTEN_ADDRS`]); omitted when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listen: Vec<String>,
    /// The postbus where the dialer's owner takes mail while away
    /// (`ENDPOINT_ID@ip:port…[;relay=URL…]`); omitted when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postbus: Option<String>,
}

/// Most addresses a `Hello` may announce.
pub const MAX_LISTEN_ADDRS: usize = 8;

/// The dialer's first frame to a device it knows keeps its certificate: a
/// `Hello` naming the certificate by its [`digest`] instead of carrying it
/// (never with a ticket). The acceptor uses the certificate it holds for
/// the connecting device when the digest matches, and answers `SendHello`
/// when it does not.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resume {
    /// [`PROTOCOL_VERSION`].
    pub version: u32,
    /// [`digest`] of the dialing device's certificate.
    pub device: String,
    /// [`digest`] of the acceptor's certificate the dialer holds: the
    /// acceptor leaves its certificate out of `Welcome` when it matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known: Option<String>,
    /// As in [`Hello::listen`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listen: Vec<String>,
    /// As in [`Hello::postbus`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postbus: Option<String>,
}

/// The acceptor's answer to `Hello` or `Resume`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Welcome {
    /// [`PROTOCOL_VERSION`].
    pub version: u32,
    /// The accepting device's certificate; left out when the `Resume`
    /// named it (the dialer holds it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<CertifiedDevice>,
    /// Whether the acceptor keeps the dialer's certificate as it is now, so
    /// the dialer may `Resume` next time.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub kept: bool,
    /// For a device ticket: the certificate the identity issued for the dialing device.
    pub issued: Option<CertifiedDevice>,
    /// The acceptor owner's postbus, as in [`Hello::postbus`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postbus: Option<String>,
}

/// Headers of the documents the sender may share with the receiver.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Offer {
    /// Owner-signed headers.
    pub docs: Vec<Signed<DocumentHeader>>,
    /// Documents offered by the [`digest`] of a header the receiver was
    /// seen to hold: it uses its own copy when the digest matches and asks
    /// with `WantHeader` when it does not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub known: Vec<KnownHeader>,
    /// Documents no longer shared (revoked since the last offer).
    pub withdrawn: Vec<String>,
}

/// A document offered by its header's digest.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownHeader {
    /// Document id.
    pub doc: String,
    /// [`digest`] of the owner-signed header.
    pub hash: String,
}

/// Asks for the header of a document offered by a digest the asker does
/// not hold; answered with an `Offer` carrying it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WantHeader {
    /// Document id.
    pub doc: String,
}

/// Names a certificate or header by the first 16 bytes of the SHA-256 of
/// its JSON (hex). A match only ever selects the receiver's own verified
/// copy, so a forged or colliding digest gains nothing: it is a name, not
/// a proof.
pub fn digest<T: Serialize>(v: &T) -> String {
    use sha2::Digest;
    let h = sha2::Sha256::digest(serde_json::to_vec(v).unwrap_or_default());
    hex::encode(&h[..16])
}

/// A request for a document's changes beyond a version vector.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Want {
    /// Document id.
    pub doc: String,
    /// What the requester holds.
    pub have: VersionVector,
}

/// Head of a `Changes` frame.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangesHead {
    /// Document id.
    pub doc: String,
    /// Certificates of signers the receiver may not know yet.
    pub certs: Vec<CertifiedDevice>,
    /// Whether this answers a `Want` completely.
    pub last: bool,
}

/// An error the sender reports before closing.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorFrame {
    /// [`Code`] as a number.
    pub code: u32,
    /// What went wrong, for a person.
    pub message: String,
}

/// One decoded frame.
#[derive(Clone, Debug)]
pub enum Frame {
    /// Type 1.
    Hello(Hello),
    /// Type 2.
    Welcome(Welcome),
    /// Type 3.
    Offer(Offer),
    /// Type 4.
    Want(Want),
    /// Type 5.
    Changes(ChangesHead, Vec<SignedChange>),
    /// Type 6: the sender has sent every `Want` for the offer it received.
    WantsDone,
    /// Type 7: the sender holds everything it asked for and answered every request.
    Synced,
    /// Type 8.
    Error(ErrorFrame),
    /// Type 10: the dialer's first frame to a device that keeps its certificate.
    Resume(Resume),
    /// Type 11: the acceptor does not hold the certificate a `Resume` named; send `Hello`.
    SendHello,
    /// Type 12.
    WantHeader(WantHeader),
}

/// Why a frame could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// Over a limit.
    #[error("{0}")]
    TooLarge(String),
    /// Malformed.
    #[error("malformed frame: {0}")]
    Malformed(String),
    /// A frame did not arrive completely within the time limit.
    #[error("{0}")]
    TooSlow(String),
}

impl WireError {
    /// The close code for this error.
    pub fn code(&self) -> Code {
        match self {
            WireError::TooLarge(_) => Code::TooLarge,
            WireError::Malformed(_) => Code::Protocol,
            WireError::TooSlow(_) => Code::Timeout,
        }
    }
}

fn json_payload<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

fn json<T: serde::de::DeserializeOwned>(p: &[u8], what: &str) -> Result<T, WireError> {
    serde_json::from_slice(p).map_err(|e| WireError::Malformed(format!("{what}: {e}")))
}

fn framed(ty: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + body.len());
    out.extend_from_slice(&((body.len() + 1) as u32).to_be_bytes());
    out.push(ty);
    out.extend_from_slice(body);
    out
}

/// Type 9's payload: the inflated length (u32, big-endian) and the raw
/// deflate stream of another frame's type byte and payload; `None` when
/// that is not smaller.
fn deflated(body: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    if body.len() < DEFLATE_FROM {
        return None;
    }
    let mut out = (body.len() as u32).to_be_bytes().to_vec();
    let mut z = flate2::write::DeflateEncoder::new(&mut out, flate2::Compression::fast());
    z.write_all(body).ok()?;
    z.finish().ok()?;
    (out.len() < body.len()).then_some(out)
}

/// Inflates a type 9 payload, refusing more than [`MAX_FRAME`] bytes of
/// output (a small frame cannot expand into a memory bomb).
fn inflated(payload: &[u8]) -> Result<Vec<u8>, WireError> {
    use std::io::Read;
    let mut r = Reader(payload);
    let len = r.u32()? as usize;
    if len > MAX_FRAME {
        return Err(WireError::TooLarge(format!(
            "a compressed frame of {len} bytes when inflated (at most {MAX_FRAME})"
        )));
    }
    let mut out = Vec::with_capacity(len);
    flate2::read::DeflateDecoder::new(r.0)
        .take(len as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| WireError::Malformed(format!("compressed changes: {e}")))?;
    if out.len() != len {
        return Err(WireError::Malformed(format!(
            "compressed changes inflate to {} bytes, not the {len} announced",
            out.len()
        )));
    }
    Ok(out)
}

impl Frame {
    /// Encodes the frame with its length prefix; a frame of at least
    /// [`DEFLATE_FROM`] bytes travels deflated (type 9) when that is smaller.
    pub fn encode(&self) -> Vec<u8> {
        let (ty, payload) = match self {
            Frame::Hello(h) => (1, json_payload(h)),
            Frame::Welcome(w) => (2, json_payload(w)),
            Frame::Offer(o) => (3, json_payload(o)),
            Frame::Want(w) => (4, json_payload(w)),
            Frame::Changes(head, changes) => {
                let head = serde_json::to_vec(head).unwrap_or_default();
                let mut body =
                    Vec::with_capacity(8 + head.len() + changes.iter().map(|c| c.bytes.len() + 101).sum::<usize>());
                body.extend_from_slice(&(head.len() as u32).to_be_bytes());
                body.extend_from_slice(&head);
                body.extend_from_slice(&(changes.len() as u32).to_be_bytes());
                for c in changes {
                    let b = c.encode();
                    body.extend_from_slice(&(b.len() as u32).to_be_bytes());
                    body.extend_from_slice(&b);
                }
                (5, body)
            }
            Frame::WantsDone => (6, json_payload(&())),
            Frame::Synced => (7, json_payload(&())),
            Frame::Error(e) => (8, json_payload(e)),
            Frame::Resume(r) => (10, json_payload(r)),
            Frame::SendHello => (11, json_payload(&())),
            Frame::WantHeader(w) => (12, json_payload(w)),
        };
        let mut inner = Vec::with_capacity(1 + payload.len());
        inner.push(ty);
        inner.extend_from_slice(&payload);
        match deflated(&inner) {
            Some(z) => framed(9, &z),
            None => framed(ty, &payload),
        }
    }

    /// Decodes a frame body (type byte and payload, without the length prefix).
    pub fn decode(body: &[u8]) -> Result<Frame, WireError> {
        let (&ty, payload) = body
            .split_first()
            .ok_or_else(|| WireError::Malformed("empty frame".into()))?;
        Ok(match ty {
            1 => Frame::Hello(json(payload, "hello")?),
            2 => Frame::Welcome(json(payload, "welcome")?),
            3 => {
                let o: Offer = json(payload, "offer")?;
                let n = o.docs.len() + o.known.len() + o.withdrawn.len();
                if n > MAX_DOCS_PER_OFFER {
                    return Err(WireError::TooLarge(format!("offer of {n} documents")));
                }
                Frame::Offer(o)
            }
            4 => Frame::Want(json(payload, "want")?),
            5 => Self::decode_changes(payload)?,
            6 => Frame::WantsDone,
            7 => Frame::Synced,
            8 => Frame::Error(json(payload, "error")?),
            9 => {
                let inner = inflated(payload)?;
                if inner.first() == Some(&9) {
                    return Err(WireError::Malformed("a deflated frame inside a deflated frame".into()));
                }
                Self::decode(&inner)?
            }
            10 => Frame::Resume(json(payload, "resume")?),
            11 => Frame::SendHello,
            12 => Frame::WantHeader(json(payload, "want header")?),
            other => return Err(WireError::Malformed(format!("unknown frame type {other}"))),
        })
    }

    fn decode_changes(payload: &[u8]) -> Result<Frame, WireError> {
        let mut r = Reader(payload);
        let head_len = r.u32()? as usize;
        let head: ChangesHead = json(r.take(head_len)?, "changes head")?;
        let n = r.u32()? as usize;
        if n > MAX_CHANGES_PER_FRAME {
            return Err(WireError::TooLarge(format!(
                "{n} changes in one frame (at most {MAX_CHANGES_PER_FRAME})"
            )));
        }
        let mut changes = Vec::with_capacity(n);
        for i in 0..n {
            let len = r.u32()? as usize;
            let c = SignedChange::decode(r.take(len)?).map_err(|e| WireError::Malformed(format!("change {i}: {e}")))?;
            changes.push(c);
        }
        if !r.0.is_empty() {
            return Err(WireError::Malformed("trailing bytes after the changes".into()));
        }
        Ok(Frame::Changes(head, changes))
    }

    /// A short name for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Frame::Hello(_) => "hello",
            Frame::Welcome(_) => "welcome",
            Frame::Offer(_) => "offer",
            Frame::Want(_) => "want",
            Frame::Changes(..) => "changes",
            Frame::WantsDone => "wants-done",
            Frame::Synced => "synced",
            Frame::Error(_) => "error",
            Frame::Resume(_) => "resume",
            Frame::SendHello => "send-hello",
            Frame::WantHeader(_) => "want-header",
        }
    }
}

/// How long the rest of a frame may take once its length has arrived, in milliseconds.
pub const FRAME_TIMEOUT_MS: u64 = 10_000;

/// Cuts a byte stream into frames, with no I/O and no clock of its own: the
/// caller pushes bytes as they arrive with the current time (milliseconds on
/// any monotonic clock), and asks [`Decoder::tick`] once [`Decoder::deadline`]
/// has passed. It checks the frame length before the body arrives and keeps
/// only what has arrived (a peer announcing 8 MiB and sending one byte costs
/// one byte). After the first error it yields nothing more.
#[derive(Debug, Default)]
pub struct Decoder {
    buf: Vec<u8>,
    /// When the length of the frame now arriving was complete.
    since: Option<u64>,
    failed: bool,
}

impl Decoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes bytes that arrived at `now`; returns each complete frame with
    /// its size on the wire (prefix included), or the error that ends the stream.
    pub fn push(&mut self, bytes: &[u8], now: u64) -> Vec<Result<(Frame, usize), WireError>> {
        let mut out = vec![];
        if self.failed {
            return out;
        }
        self.buf.extend_from_slice(bytes);
        let mut at = 0;
        loop {
            let rest = &self.buf[at..];
            let Some(len) = rest.get(..4) else { break };
            let n = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
            if n == 0 || n > MAX_FRAME {
                self.fail();
                out.push(Err(WireError::TooLarge(format!(
                    "a frame of {n} bytes (the limit is {MAX_FRAME})"
                ))));
                return out;
            }
            let Some(body) = rest.get(4..4 + n) else {
                self.since.get_or_insert(now);
                break;
            };
            self.since = None;
            at += 4 + n;
            match Frame::decode(body) {
                Ok(f) => out.push(Ok((f, n + 4))),
                Err(e) => {
                    self.fail();
                    out.push(Err(e));
                    return out;
                }
            }
        }
        self.buf.drain(..at);
        out
    }

    /// When the frame now arriving must be complete, if one is under way.
    pub fn deadline(&self) -> Option<u64> {
        self.since.map(|s| s + FRAME_TIMEOUT_MS)
    }

    /// The error for a frame whose rest did not arrive in time, once `now` is past [`Decoder::deadline`].
    pub fn tick(&mut self, now: u64) -> Option<WireError> {
        if self.failed || self.deadline().is_none_or(|d| now < d) {
            return None;
        }
        let n = self
            .buf
            .get(..4)
            .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
        self.fail();
        Some(WireError::TooSlow(format!(
            "a frame of {n} bytes did not arrive within {} s",
            FRAME_TIMEOUT_MS / 1000
        )))
    }

    fn fail(&mut self) {
        self.failed = true;
        self.since = None;
        self.buf = Vec::new();
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        if self.0.len() < n {
            return Err(WireError::Malformed(format!(
                "needs {n} more bytes, has {}",
                self.0.len()
            )));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn u32(&mut self) -> Result<u32, WireError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_refused_not_panicked() {
        for body in [
            &b""[..],
            b"\x09",
            b"\x05\x00\x00\x00\xff",
            b"\x03{",
            b"\x05\x00\x00\x00\x02{}\x00\x00\x00\x01",
        ] {
            assert!(Frame::decode(body).is_err(), "{body:?}");
        }
    }

    fn changes_frame(n: usize) -> Frame {
        let change = |i: usize| SignedChange {
            signer: inwonercloud_schemas::PublicKey([7; 32]),
            signature: inwonercloud_schemas::SignatureBytes([i as u8; 64]),
            bytes: format!("{{\"certificate\": \"the same text in every change\", \"n\": {i}}}").into_bytes(),
        };
        Frame::Changes(
            ChangesHead {
                doc: "d".into(),
                certs: vec![],
                last: true,
            },
            (0..n).map(change).collect(),
        )
    }

    #[test]
    fn large_changes_travel_deflated_and_come_back_whole() {
        let frame = changes_frame(200);
        let enc = frame.encode();
        assert_eq!(enc[4], 9, "deflated");
        let plain: usize = 4 + 1 + 8 + 40 + 200 * (4 + 97 + 60);
        assert!(enc.len() * 3 < plain, "{} bytes against about {plain}", enc.len());
        let (Frame::Changes(_, a), Frame::Changes(_, b)) = (frame, Frame::decode(&enc[4..]).unwrap()) else {
            panic!("not changes")
        };
        assert_eq!(a, b);
        // A single small change is not worth compressing.
        assert_eq!(changes_frame(1).encode()[4], 5);
    }

    #[test]
    fn a_deflate_bomb_or_a_wrong_length_is_refused() {
        let enc = changes_frame(200).encode();
        let mut body = enc[4..].to_vec();
        // Announce more than a frame may hold.
        body[1..5].copy_from_slice(&((MAX_FRAME + 1) as u32).to_be_bytes());
        assert!(matches!(Frame::decode(&body), Err(WireError::TooLarge(_))));
        // Announce one byte less than the stream inflates to.
        let real = u32::from_be_bytes([enc[5], enc[6], enc[7], enc[8]]);
        body[1..5].copy_from_slice(&(real - 1).to_be_bytes());
        assert!(matches!(Frame::decode(&body), Err(WireError::Malformed(_))));
        // A deflated frame may not hold another deflated frame.
        let inner = [vec![9u8], vec![0u8; 600]].concat();
        let nested = [vec![9u8], deflated(&inner).unwrap()].concat();
        assert!(matches!(Frame::decode(&nested), Err(WireError::Malformed(m)) if m.contains("inside")));
        // Not a deflate stream at all.
        assert!(Frame::decode(b"\x09\x00\x00\x01\x00garbage").is_err());
    }

    #[test]
    fn large_control_frames_travel_deflated_too() {
        let f = Frame::Error(ErrorFrame {
            code: 1,
            message: "ab".repeat(400),
        });
        let enc = f.encode();
        assert_eq!(enc[4], 9);
        assert!(matches!(Frame::decode(&enc[4..]).unwrap(), Frame::Error(e) if e.message == "ab".repeat(400)));
    }

    #[test]
    fn roundtrip() {
        let f = Frame::Want(Want {
            doc: "d".into(),
            have: Default::default(),
        });
        let enc = f.encode();
        let len = u32::from_be_bytes([enc[0], enc[1], enc[2], enc[3]]) as usize;
        assert_eq!(len, enc.len() - 4);
        assert!(matches!(Frame::decode(&enc[4..]).unwrap(), Frame::Want(w) if w.doc == "d"));
    }

    #[test]
    fn the_decoder_cuts_a_stream_anywhere() {
        let frames = [
            Frame::WantsDone,
            changes_frame(200),
            Frame::Want(Want {
                doc: "d".into(),
                have: Default::default(),
            }),
        ];
        let bytes: Vec<u8> = frames.iter().flat_map(Frame::encode).collect();
        for step in [1, 3, 7, 100, bytes.len()] {
            let mut d = Decoder::new();
            let mut got = vec![];
            for (i, chunk) in bytes.chunks(step).enumerate() {
                for r in d.push(chunk, i as u64) {
                    got.push(r.unwrap());
                }
            }
            let names: Vec<_> = got.iter().map(|(f, _)| f.name()).collect();
            assert_eq!(names, ["wants-done", "changes", "want"], "step {step}");
            assert_eq!(got.iter().map(|(_, n)| n).sum::<usize>(), bytes.len());
            assert_eq!(d.deadline(), None);
        }
    }

    #[test]
    fn the_decoder_refuses_limits_and_slow_frames() {
        let mut d = Decoder::new();
        let r = d.push(&((MAX_FRAME as u32) + 1).to_be_bytes(), 0);
        assert!(matches!(&r[..], [Err(WireError::TooLarge(_))]));
        assert!(d.push(&Frame::Synced.encode(), 1).is_empty(), "nothing after an error");
        let mut d = Decoder::new();
        assert!(matches!(&d.push(&[0, 0, 0, 0], 0)[..], [Err(WireError::TooLarge(_))]));
        // A frame announced at 1,000 bytes, arriving a byte at a time.
        let mut d = Decoder::new();
        assert!(d.push(&1000u32.to_be_bytes(), 5).is_empty());
        assert_eq!(d.deadline(), Some(5 + FRAME_TIMEOUT_MS));
        assert!(d.push(&[0], 1000).is_empty());
        assert!(d.tick(5 + FRAME_TIMEOUT_MS - 1).is_none());
        let e = d.tick(5 + FRAME_TIMEOUT_MS).unwrap();
        assert_eq!(e.code(), Code::Timeout);
        assert!(e.to_string().contains("1000 bytes"), "{e}");
        // A malformed frame ends the stream with Protocol.
        let mut d = Decoder::new();
        let r = d.push(&[0, 0, 0, 3, 99, 1, 2], 0);
        assert!(matches!(&r[..], [Err(e)] if e.code() == Code::Protocol));
    }
}
