//! What a node and its sessions share: the vault, change events, and the
//! status of each peer the UI shows.

use std::collections::BTreeMap;
use std::sync::Mutex;

use inwonercloud_schemas::PublicKey;
use inwonercloud_vault::{Shared as Engine, Vault};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::event::Event;

/// What the UI shows per peer.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PeerStatus {
    /// Name.
    pub name: String,
    /// Connected now.
    pub online: bool,
    /// Unix seconds of the last completed sync.
    pub last_sync: Option<u64>,
    /// The last error, in words.
    pub last_error: Option<String>,
    /// Changes received in the current (or last) session: progress of a long first sync.
    pub received: usize,
}

pub(crate) struct Shared {
    /// The process's one vault engine (shared with the window in the app).
    vault: Engine,
    pub(crate) events: broadcast::Sender<Event>,
    pub(crate) status: Mutex<BTreeMap<PublicKey, PeerStatus>>,
    /// Open sessions per remote device, bounded by [`MAX_SESSIONS_PER_DEVICE`](crate::MAX_SESSIONS_PER_DEVICE).
    pub(crate) sessions: Mutex<BTreeMap<[u8; 32], usize>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shared")
    }
}

impl Shared {
    /// Node state around the engine; every write through the engine — by a
    /// session, the node, or the window of the same process — reaches the
    /// sessions as a change event, which they push to their peers.
    pub(crate) fn new(vault: Engine) -> Self {
        let (events, _) = broadcast::channel(256);
        let tx = events.clone();
        vault.subscribe(move |docs| {
            let _ = tx.send(Event::Changed(docs.to_vec()));
        });
        Shared {
            vault,
            events,
            status: Mutex::new(BTreeMap::new()),
            sessions: Mutex::new(BTreeMap::new()),
        }
    }

    /// The engine handle.
    pub(crate) fn engine(&self) -> &Engine {
        &self.vault
    }

    /// Runs `f` on the vault; the engine publishes which documents it
    /// changed. Every vault access of the node and its sessions goes through here.
    pub(crate) fn with_vault<R>(&self, f: impl FnOnce(&mut Vault) -> R) -> R {
        self.vault.with(f)
    }

    pub(crate) fn notify(&self, docs: Vec<String>) {
        let _ = self.events.send(Event::Changed(docs));
    }

    pub(crate) fn set_online(&self, peer: PublicKey, name: &str, online: bool, error: Option<String>) {
        let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
        let e = s.entry(peer).or_default();
        e.name = name.to_string();
        e.online = online;
        if error.is_some() {
            e.last_error = error;
        }
    }

    pub(crate) fn set_received(&self, peer: PublicKey, received: usize) {
        let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
        s.entry(peer).or_default().received = received;
    }

    pub(crate) fn mark_synced(&self, peer: PublicKey) {
        let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
        let e = s.entry(peer).or_default();
        e.last_sync = Some(inwonercloud_vault::keys::now());
        e.last_error = None;
    }
}
