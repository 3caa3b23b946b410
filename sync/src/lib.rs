//! Inwonercloud's sync layer: an iroh endpoint for a closed network, invite
//! tickets, and a consent-driven protocol that moves signed changes between
//! vaults.
//!
//! # Shape
//!
//! A [`Node`] owns a vault and an iroh endpoint whose key is the vault's
//! device key, so a peer's endpoint id — proven by QUIC's TLS handshake — is
//! its device key. The endpoint uses the `Minimal` preset: no public relays,
//! no DNS or pkarr lookups, no port mapping; peers are dialed by endpoint id
//! plus direct addresses from a ticket, or through a relay the user names.
//!
//! A session runs on one bidirectional stream: `Hello` (the
//! dialer's device certificate, and an invite secret when joining) →
//! `Welcome` → each side `Offer`s the headers of the documents its consents
//! let it share with this peer → the other side `Want`s each with its version
//! vector (per device, how many changes it holds) → the sharing side streams
//! the missing signed changes straight from the change log → the receiver
//! imports each batch through the vault's one gate (signature, actor = signer,
//! certified device, the header's write rule) in one transaction. In live
//! mode the session stays open and pushes changes as they are made.
//!
//! Authorization is decided by the vault on every offer and every request
//! ([`inwonercloud_vault::Vault::documents_for_peer`]); iroh only
//! authenticates. The wire format is in [`wire`] and `docs/protocol.md`.
//!
//! # Layers
//!
//! - [`wire`]: frames, their codec and limits, and a [`wire::Decoder`] that
//!   cuts a byte stream into frames (no I/O; time is an argument).
//! - [`protocol`]: the session as a state machine with no I/O — an input and
//!   the time in, effects out — reaching the vault only through
//!   [`Replica`], which [`inwonercloud_vault::Vault`] implements.
//! - [`session`]: the driver that runs the core over an iroh stream, with a
//!   `tracing` span per session.
//! - [`node`]: the endpoint, the accept loop, dialing and reconnecting.
//! - [`postbus`]: delivery while the other side is offline — the postbus
//!   node, and a node's rounds of giving its roster, collecting and
//!   depositing sealed mail.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod event;
pub mod node;
pub mod postbus;
pub mod protocol;
pub mod replica;
pub mod session;
mod shared;
pub mod ticket;
pub mod wire;

pub use iroh::RelayUrl;
pub use node::{MAX_SESSIONS_PER_DEVICE, Node, NodeConfig, NodeError, PeerStatus, parse_addr, ticket_addr};
pub use protocol::{Mode, SyncError, SyncReport};
pub use replica::Replica;
pub use ticket::{Ticket, TicketError};
