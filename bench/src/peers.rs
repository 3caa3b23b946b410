//! The peers of figure 1, built only with `--features peers` (they pull in
//! iroh-docs, iroh-blobs, iroh-gossip and samod, which the workspace itself
//! does not need): the same payloads replicated by `iroh-docs` between two
//! iroh endpoints on 127.0.0.1, and the same automerge document synced by
//! `samod` (the Rust automerge-repo) over TCP on 127.0.0.1.

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
    DocsNode { router, docs }
}

/// How many keys a replica holds (latest entry per key).
async fn entries_held(replica: &iroh_docs::api::Doc) -> usize {
    replica
        .get_many(iroh_docs::store::Query::single_latest_per_key().build())
        .await
        .expect("entries")
        .count()
        .await
}

/// iroh-docs: node A writes every payload as an entry (key → JSON bytes);
/// node B imports the document's ticket. Timed from the import until B holds
/// every entry and its content. Returns seconds.
pub async fn iroh_docs_sync(payloads: &[(String, String)]) -> f64 {
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
    let (replica, mut events) = b.docs.api().import_and_subscribe(ticket).await.expect("import");
    // Done when a sync finished and all content it queued is in, and every
    // entry is held (checked only then: the query itself costs time).
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut synced = false;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, events.next()).await {
            Ok(Some(Ok(iroh_docs::engine::LiveEvent::SyncFinished(_)))) => synced = true,
            Ok(Some(Ok(iroh_docs::engine::LiveEvent::PendingContentReady))) if synced => {
                let held = entries_held(&replica).await;
                if held >= payloads.len() {
                    break;
                }
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let held = entries_held(&replica).await;
    assert_eq!(held, payloads.len(), "iroh-docs replicated every entry");
    a.router.shutdown().await.ok();
    b.router.shutdown().await.ok();
    secs
}

/// samod: repo A holds the document (the same payloads, one commit each);
/// repo B dials A over TCP on 127.0.0.1 and finds the document. Timed from
/// the dial until B holds A's heads. Returns seconds.
pub async fn samod_sync(payloads: &[(String, String)]) -> f64 {
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
    loop {
        if found.with_document(|d| d.get_heads()) == heads {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let secs = start.elapsed().as_secs_f64();
    bob.stop().await;
    alice.stop().await;
    secs
}
