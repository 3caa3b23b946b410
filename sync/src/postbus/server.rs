//! The postbus node: an iroh endpoint that answers [`wire`] requests from
//! the devices on its owners' rosters, over a [`PostbusStore`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use inwonercloud_schemas::PublicKey;
use inwonercloud_vault::keys;
use inwonercloud_vault::mail::PostbusAddr;
use iroh::endpoint::Connection;
use iroh::protocol::{AcceptError, ProtocolHandler, Router};
use iroh::{Endpoint, RelayUrl};
use tracing::Instrument;

use super::store::{Limits, PostbusError, PostbusStore};
use super::wire::{self, ALPN, Code, MailItem, Request, Response};
use crate::node::{NodeError, bind_endpoint, endpoint_addrs};

/// How a postbus binds and what it holds.
#[derive(Clone, Debug)]
pub struct PostbusConfig {
    /// Address to bind (a fixed port, so rosters and peers keep reaching it).
    pub bind: SocketAddr,
    /// Relays it keeps a home on, for devices behind NAT.
    pub relays: Vec<RelayUrl>,
    /// Space and time bounds per owner.
    pub limits: Limits,
}

impl Default for PostbusConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([0, 0, 0, 0], 4450)),
            relays: vec![],
            limits: Limits::default(),
        }
    }
}

/// Errors starting a postbus.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The directory or key file could not be used.
    #[error("postbus directory {path}: {why}")]
    Dir {
        /// Which path.
        path: PathBuf,
        /// Why.
        why: String,
    },
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] PostbusError),
    /// The endpoint could not bind.
    #[error(transparent)]
    Bind(#[from] Box<NodeError>),
}

/// A running postbus.
pub struct Postbus {
    endpoint: Endpoint,
    router: Router,
    store: Arc<PostbusStore>,
    relays: Vec<RelayUrl>,
}

/// How long a device may take to send one request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an idle connection is kept.
const IDLE: Duration = Duration::from_secs(30);
/// Largest batch of mail in one answer.
const FETCH_BATCH: usize = 4 * 1024 * 1024;

#[derive(Clone, Debug)]
struct Handler(Arc<PostbusStore>);

fn refusal(code: Code, message: String) -> Response {
    Response::Error {
        code: code as u32,
        message,
    }
}

impl ProtocolHandler for Handler {
    async fn accept(&self, conn: Connection) -> Result<(), AcceptError> {
        let device = PublicKey(*conn.remote_id().as_bytes());
        let span = tracing::info_span!("postbus", device = %device.short());
        self.serve(device, conn).instrument(span).await;
        Ok(())
    }
}

impl Handler {
    async fn serve(&self, device: PublicKey, conn: Connection) {
        loop {
            let Ok(Ok((mut send, mut recv))) = tokio::time::timeout(IDLE, conn.accept_bi()).await else {
                return;
            };
            let bytes = match tokio::time::timeout(REQUEST_TIMEOUT, recv.read_to_end(wire::MAX_MESSAGE)).await {
                Ok(Ok(b)) => b,
                _ => return,
            };
            let (answer, blobs) = match wire::decode::<Request>(&bytes) {
                // The store writes to disk: off the async threads.
                Ok((req, blobs)) => {
                    let me = self.clone();
                    match tokio::task::spawn_blocking(move || me.answer(&device, req, blobs)).await {
                        Ok(a) => a,
                        Err(_) => (refusal(Code::Internal, "the postbus failed".into()), vec![]),
                    }
                }
                Err(e) => (refusal(Code::Protocol, e.to_string()), vec![]),
            };
            let refs: Vec<&[u8]> = blobs.iter().map(Vec::as_slice).collect();
            let Ok(out) = wire::encode(&answer, &refs) else {
                return;
            };
            if send.write_all(&out).await.is_err() || send.finish().is_err() {
                return;
            }
        }
    }

    fn answer(&self, device: &PublicKey, req: Request, mut blobs: Vec<Vec<u8>>) -> (Response, Vec<Vec<u8>>) {
        let now = keys::now();
        let store = &self.0;
        let failed = |e: PostbusError| {
            tracing::info!(error = %e, "refused");
            (refusal(e.code(), e.to_string()), vec![])
        };
        match req {
            Request::Register { roster } => {
                if roster.device.certificate.device != *device {
                    return (
                        refusal(
                            Code::Unauthorized,
                            "a roster is given by the device that signed it".into(),
                        ),
                        vec![],
                    );
                }
                match store.register(&roster, now) {
                    Ok(r) => {
                        tracing::info!(owner = %roster.record.owner.short(), members = roster.record.members.len(), dropped = r.dropped_deliveries, "roster in force");
                        (
                            Response::Registered {
                                dropped_deliveries: r.dropped_deliveries,
                            },
                            vec![],
                        )
                    }
                    Err(e) => failed(e),
                }
            }
            Request::Roster { owner } => match store.roster(&owner) {
                // Only a device on the roster learns who else is on it.
                Ok(Some(r)) if r.record.has_device(device) => (
                    Response::Roster {
                        roster: Some(Box::new(r)),
                    },
                    vec![],
                ),
                Ok(_) => (Response::Roster { roster: None }, vec![]),
                Err(e) => failed(e),
            },
            Request::Deposit { owner, recipients } => {
                if blobs.len() != 1 {
                    return (
                        refusal(Code::Protocol, "a deposit carries exactly one envelope".into()),
                        vec![],
                    );
                }
                let blob = blobs.remove(0);
                match store.deposit(device, &owner, &recipients, &blob, now) {
                    Ok(id) => {
                        tracing::debug!(owner = %owner.short(), bytes = blob.len(), recipients = recipients.len(), "deposited");
                        (Response::Deposited { id }, vec![])
                    }
                    Err(e) => failed(e),
                }
            }
            Request::Fetch { max_bytes } => {
                let max = (max_bytes as usize).min(FETCH_BATCH);
                match store.fetch(device, now, max) {
                    Ok(held) => {
                        let waiting = store.waiting_for(device).unwrap_or(held.len());
                        let more = waiting > held.len();
                        let items = held
                            .iter()
                            .map(|h| MailItem {
                                id: h.id,
                                owner: h.owner,
                                from: h.from,
                            })
                            .collect();
                        (
                            Response::Mail { items, more },
                            held.into_iter().map(|h| h.blob).collect(),
                        )
                    }
                    Err(e) => failed(e),
                }
            }
            Request::Ack { ids } => match store.ack(device, &ids) {
                Ok(count) => (Response::Acked { count }, vec![]),
                Err(e) => failed(e),
            },
        }
    }
}

impl Postbus {
    /// Starts a postbus on `dir` (its key and store live there; made if
    /// missing), answering devices on the rosters it holds.
    pub async fn spawn(dir: &Path, cfg: PostbusConfig) -> Result<Postbus, StartError> {
        let key = load_or_create_key(dir)?;
        let me = PublicKey(*key.public().as_bytes());
        let store = Arc::new(PostbusStore::open(&dir.join("postbus.redb"), me, cfg.limits.clone())?);
        let endpoint = bind_endpoint(key, cfg.bind, &cfg.relays).await.map_err(Box::new)?;
        let router = Router::builder(endpoint.clone())
            .accept(ALPN, Handler(store.clone()))
            .spawn();
        // Expired mail goes once a minute.
        let weak = Arc::downgrade(&store);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                let Some(store) = weak.upgrade() else { return };
                match store.sweep(keys::now()) {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(envelopes = n, "expired mail dropped"),
                    Err(e) => tracing::warn!(error = %e, "sweeping expired mail failed"),
                }
            }
        });
        Ok(Postbus {
            endpoint,
            router,
            store,
            relays: cfg.relays,
        })
    }

    /// The address citizens choose this postbus by.
    pub fn addr(&self) -> PostbusAddr {
        PostbusAddr {
            endpoint: PublicKey(*self.endpoint.id().as_bytes()),
            addrs: endpoint_addrs(&self.endpoint).iter().map(|a| a.to_string()).collect(),
            relays: self.relays.iter().map(|r| r.to_string()).collect(),
        }
    }

    /// The store (for status and tests).
    pub fn store(&self) -> &PostbusStore {
        &self.store
    }

    /// Stops answering and closes the endpoint; what is held stays on disk.
    pub async fn shutdown(&self) {
        let _ = self.router.shutdown().await;
        self.endpoint.close().await;
    }
}

/// The postbus's endpoint key, `postbus.key` in `dir` (hex, owner-only).
fn load_or_create_key(dir: &Path) -> Result<iroh::SecretKey, StartError> {
    let err = |path: &Path, why: String| StartError::Dir {
        path: path.to_path_buf(),
        why,
    };
    std::fs::create_dir_all(dir).map_err(|e| err(dir, e.to_string()))?;
    let path = dir.join("postbus.key");
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let bytes: [u8; 32] = hex::decode(text.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| err(&path, "the key file is damaged (expected 64 hex digits)".into()))?;
            Ok(iroh::SecretKey::from_bytes(&bytes))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let fresh = keys::SecretKey::generate().map_err(|e| err(&path, e.to_string()))?;
            let bytes = fresh.to_bytes();
            write_private(&path, hex::encode(bytes).as_bytes()).map_err(|e| err(&path, e.to_string()))?;
            Ok(iroh::SecretKey::from_bytes(&bytes))
        }
        Err(e) => Err(err(&path, e.to_string())),
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}
