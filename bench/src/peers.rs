//! The peers of figure 1, built only with `--features peers` (they pull in
//! iroh-docs, iroh-blobs, iroh-gossip and samod, which the workspace itself
//! does not need): the same payloads replicated by `iroh-docs` between two
//! iroh endpoints on 127.0.0.1, and the same automerge document synced by
//! `samod` (the Rust automerge-repo) over TCP on 127.0.0.1.
//!
//! Completion is detected by polling what the receiving side holds, never
//! from an event stream that can miss the moment: an event-driven wait once
//! sat out its whole deadline while every entry was already held, and a
//! ratio against that was no measurement. A peer that does not finish by
//! [`DEADLINE`] is reported as a timeout ([`PeerTime::TimedOut`]), never as a
//! number.

/// How long a peer may take before it counts as timed out.
pub const DEADLINE: Duration = Duration::from_secs(300);

/// How often the receiving side's holdings are checked.
const POLL: Duration = Duration::from_millis(5);

/// A peer's time to replicate, or that it did not finish.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PeerTime {
    /// Seconds until the receiver held everything.
    Done(f64),
    /// Not done within [`DEADLINE`]; what it held then (entries, of how many).
    TimedOut {
        /// What it held.
        held: usize,
        /// What it should hold.
        of: usize,
    },
}

use std::sync::Arc;
use std::time::{Duration, Instant};

use n0_future::StreamExt;

/// Binds an iroh endpoint on 127.0.0.1 without relays or discovery, as the
/// Inwonercloud nodes in the same run are bound.
async fn loopback_endpoint() -> iroh::Endpoint {
    iroh::Endpoint::builder(iroh::endpoint::presets::Minimal)
        .relay_mode(iroh::RelayMode::Disabled)
        .clear_ip_transports()
        .bind_addr(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .expect("bind address")
        .bind()
        .await
        .expect("endpoint")
}

struct DocsNode {
    router: iroh::protocol::Router,
    docs: iroh_docs::protocol::Docs,
    blobs: iroh_blobs::store::mem::MemStore,
}

async fn docs_node() -> DocsNode {
    let endpoint = loopback_endpoint().await;
    let blobs = iroh_blobs::store::mem::MemStore::default();
    let gossip = iroh_gossip::net::Gossip::builder().spawn(endpoint.clone());
    let docs = iroh_docs::protocol::Docs::memory()
        .spawn(endpoint.clone(), (*blobs).clone(), gossip.clone())
        .await
        .expect("docs");
    let router = iroh::protocol::Router::builder(endpoint)
        .accept(iroh_blobs::ALPN, iroh_blobs::BlobsProtocol::new(&blobs, None))
        .accept(iroh_gossip::ALPN, gossip)
        .accept(iroh_docs::ALPN, docs.clone())
        .spawn();
    DocsNode { router, docs, blobs }
}

/// How many keys a replica holds (latest entry per key) whose content is
/// in the receiver's blob store too.
async fn complete_entries(replica: &iroh_docs::api::Doc, blobs: &iroh_blobs::store::mem::MemStore) -> usize {
    let entries: Vec<_> = replica
        .get_many(iroh_docs::store::Query::single_latest_per_key().build())
        .await
        .expect("entries")
        .collect()
        .await;
    let mut n = 0;
    for e in entries.into_iter().flatten() {
        if blobs.blobs().has(e.content_hash()).await.unwrap_or(false) {
            n += 1;
        }
    }
    n
}

/// iroh-docs: node A writes every payload as an entry (key → JSON bytes);
/// node B imports the document's ticket. Timed from the import until B holds
/// every entry and its content, polled.
pub async fn iroh_docs_sync(payloads: &[(String, String)]) -> PeerTime {
    let a = docs_node().await;
    let b = docs_node().await;
    let author = a.docs.api().author_create().await.expect("author");
    let doc = a.docs.api().create().await.expect("doc");
    for (k, v) in payloads {
        doc.set_bytes(author, k.clone().into_bytes(), v.clone().into_bytes())
            .await
            .expect("set");
    }
    let ticket = doc
        .share(
            iroh_docs::api::protocol::ShareMode::Read,
            iroh_docs::api::protocol::AddrInfoOptions::Addresses,
        )
        .await
        .expect("ticket");
    let start = Instant::now();
    let replica = b.docs.api().import(ticket).await.expect("import");
    let n = payloads.len();
    let mut held = 0;
    let result = loop {
        // The count itself costs the receiver a little time; it is part of
        // what is measured, as the poll of our own nodes is.
        held = complete_entries(&replica, &b.blobs).await.max(held);
        if held >= n {
            break PeerTime::Done(start.elapsed().as_secs_f64());
        }
        if start.elapsed() >= DEADLINE {
            break PeerTime::TimedOut { held, of: n };
        }
        tokio::time::sleep(POLL).await;
    };
    a.router.shutdown().await.ok();
    b.router.shutdown().await.ok();
    result
}

/// samod: repo A holds the document (the same payloads, one commit each);
/// repo B dials A over TCP on 127.0.0.1 and finds the document. Timed from
/// the dial until B holds A's heads, polled.
pub async fn samod_sync(payloads: &[(String, String)]) -> PeerTime {
    use automerge::transaction::Transactable;
    let mut am = automerge::Automerge::new();
    for (k, v) in payloads {
        let mut tx = am.transaction();
        tx.put(automerge::ROOT, k.as_str(), v.as_str()).expect("put");
        tx.commit();
    }
    let heads = am.get_heads();
    let alice = samod::Repo::build_tokio()
        .with_peer_id(samod::PeerId::from("alice"))
        .load()
        .await;
    let bob = samod::Repo::build_tokio()
        .with_peer_id(samod::PeerId::from("bob"))
        .load()
        .await;
    let handle = alice.create(am).await.expect("create");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("listen");
    let port = listener.local_addr().expect("addr").port();
    let acceptor = alice
        .make_acceptor(url::Url::parse("tcp://127.0.0.1").expect("url"))
        .expect("acceptor");
    tokio::spawn(async move {
        if let Ok((io, _)) = listener.accept().await {
            let _ = acceptor.accept_tokio_io(io);
        }
    });
    let start = Instant::now();
    let dialer = samod::tokio_io::TcpDialer::new_host_port("127.0.0.1".into(), port);
    let dialed = bob
        .dial(samod::BackoffConfig::default(), Arc::new(dialer))
        .expect("dial");
    dialed.established().await.expect("connected");
    let found = bob
        .find(handle.document_id().clone())
        .await
        .expect("find")
        .expect("bob finds the document");
    let result = loop {
        if found.with_document(|d| d.get_heads()) == heads {
            break PeerTime::Done(start.elapsed().as_secs_f64());
        }
        if start.elapsed() >= DEADLINE {
            let held = found.with_document(|d| d.get_changes(&[]).len());
            break PeerTime::TimedOut {
                held,
                of: payloads.len(),
            };
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    bob.stop().await;
    alice.stop().await;
    result
}
