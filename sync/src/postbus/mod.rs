//! The postbus: delivery while the other side is offline.
//!
//! A postbus is an always-on node a citizen chooses (her municipality's, a
//! wijkteam's, a box at home). It holds changes to her documents, sealed so
//! that only the devices her consents name can read them, until each of
//! those devices collects them; then, or at expiry, it drops them. It learns
//! who exchanges mail with whom, sizes and times — never a document, a
//! header or a change.
//!
//! - [`wire`]: one request and one answer per QUIC stream (ALPN
//!   `inwonercloud/postbus/1`).
//! - [`store`]: what a postbus holds (rosters and sealed envelopes, in
//!   redb), with its rules: only devices on an owner's signed roster deposit
//!   and collect, space per owner is bounded, a new roster cancels deliveries
//!   to whoever left it.
//! - [`server`]: the postbus node.
//! - [`client`]: a vault's node giving its roster, collecting and depositing.
//!
//! Sealing, the roster's contents and taking mail in are the vault's
//! ([`inwonercloud_vault::mail`]); mail enters a vault through the same gate
//! as a sync session's changes. The design is in `docs/protocol.md`.

pub mod client;
pub mod server;
pub mod store;
pub mod wire;

pub use client::{PostbusClientError, RoundReport};
pub use server::{Postbus, PostbusConfig, StartError};
pub use store::{Limits, PostbusError, PostbusStore};
