//! A hostile peer on a raw connection: oversized and malformed frames, a
//! forged change, a change from a key that may not write. Each gets an error
//! code and a closed connection; the vault is unchanged; honest peers are
//! still served.

use inwonercloud_schemas::{Access, DocKind, LifeDomain, Role};
use inwonercloud_sync::Node;
use inwonercloud_sync::wire::{ALPN, ChangesHead, Code, Frame, Hello, MAX_FRAME, Offer, PROTOCOL_VERSION};
use inwonercloud_tests::{goal_change, invite, node, vault};
use inwonercloud_vault::Vault;
use iroh::endpoint::{RecvStream, SendStream, presets};

/// A hand-made peer's connection (also used by `discovery`).
pub(crate) struct Raw {
    _ep: iroh::Endpoint,
    pub(crate) send: SendStream,
    pub(crate) recv: RecvStream,
}

/// The next frame, or `None` when the stream ends or the frame is garbage.
pub(crate) async fn read_frame(recv: &mut RecvStream) -> Option<Frame> {
    let mut len = [0u8; 4];
    recv.read_exact(&mut len).await.ok()?;
    let mut body = vec![0u8; u32::from_be_bytes(len) as usize];
    recv.read_exact(&mut body).await.ok()?;
    Frame::decode(&body).ok()
}

/// A bare endpoint on 127.0.0.1 with `who`'s device key: a peer that speaks
/// the protocol by hand.
pub(crate) async fn raw_endpoint(who: &Vault) -> iroh::Endpoint {
    let sk = iroh::SecretKey::from_bytes(&who.device_key().to_bytes());
    iroh::Endpoint::builder(presets::Minimal)
        .clear_ip_transports()
        .bind_addr("127.0.0.1:0")
        .unwrap()
        .secret_key(sk)
        .bind()
        .await
        .unwrap()
}

/// Anna (a node, with one goal in her plan), Bert (an honest node) and
/// Mallory (a vault whose device key a hand-made peer uses).
async fn cast(dir: &std::path::Path, goal: &str) -> (Node, Node, Vault, String) {
    let anna = node(&dir.join("anna"), "Anna", Role::Citizen).await;
    let bert = node(&dir.join("bert"), "Bert", Role::Counselor).await;
    let mallory = vault(&dir.join("mallory"), "Mallory", Role::Counselor);
    let plan = anna.with_vault(|v| v.plan_doc());
    anna.with_vault(|v| v.add_goal(&plan, LifeDomain::Wonen, goal, None).unwrap());
    (anna, bert, mallory, plan)
}

/// Bert joins Anna with a fresh read invite and receives her plan's one goal.
async fn honest_peer_is_served(anna: &Node, bert: &Node, plan: &str) {
    bert.join(&invite(anna, Role::Counselor, &[DocKind::Plan], Access::Read))
        .await
        .unwrap();
    assert_eq!(bert.with_vault(|v| v.plan(plan).unwrap().goals.len()), 1);
}

/// `who`'s hello frame, encoded.
fn hello(who: &Vault) -> Vec<u8> {
    Frame::Hello(Hello {
        version: PROTOCOL_VERSION,
        device: who.device_certificate().clone(),
        ticket_secret: None,
        listen: vec![],
        postbus: None,
    })
    .encode()
}

/// Dials `target` as `who` and completes the handshake.
pub(crate) async fn connect(target: &Node, who: &Vault) -> Raw {
    let ep = raw_endpoint(who).await;
    let conn = ep.connect(target.endpoint_addr(), ALPN).await.unwrap();
    let (mut send, mut recv) = conn.open_bi().await.unwrap();
    send.write_all(&hello(who)).await.unwrap();
    assert!(matches!(read_frame(&mut recv).await, Some(Frame::Welcome(_))));
    Raw { _ep: ep, send, recv }
}

/// Reads until the node's error frame and returns its code.
pub(crate) async fn error_code(raw: &mut Raw) -> Option<Code> {
    while let Some(f) = read_frame(&mut raw.recv).await {
        if let Frame::Error(e) = f {
            return Code::from_u32(e.code);
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_frames_are_refused_and_the_node_keeps_serving() {
    let tmp = tempfile::tempdir().unwrap();
    let (anna, bert, mallory, plan) = cast(tmp.path(), "zelfstandig wonen").await;
    bert.join(&invite(&anna, Role::Counselor, &[DocKind::Plan], Access::Write))
        .await
        .unwrap();
    let header = anna.with_vault(|v| v.signed_header(&plan).unwrap());
    let base = anna.with_vault(|v| v.signed_changes(&plan).unwrap());
    let count = || anna.with_vault(|v| v.change_count(&plan).unwrap());
    let before = count();

    // 1. A frame over the size limit.
    let mut raw = connect(&anna, &mallory).await;
    raw.send
        .write_all(&((MAX_FRAME as u32) + 1).to_be_bytes())
        .await
        .unwrap();
    assert_eq!(error_code(&mut raw).await, Some(Code::TooLarge));

    // 1b. Asking for a document outside any consent, and for one that does
    // not exist: refused with an error code, nothing sent.
    for doc in [plan.clone(), "no-such-document".to_string()] {
        let mut raw = connect(&anna, &mallory).await;
        let want = Frame::Want(inwonercloud_sync::wire::Want {
            doc,
            have: Default::default(),
        });
        raw.send.write_all(&want.encode()).await.unwrap();
        let mut got_changes = false;
        let code = loop {
            match read_frame(&mut raw.recv).await {
                Some(Frame::Changes(_, c)) if !c.is_empty() => got_changes = true,
                Some(Frame::Error(e)) => break Some(e.code),
                Some(_) => continue,
                None => break None,
            }
        };
        assert!(!got_changes, "no change bytes leave the node");
        assert_eq!(code, Some(Code::Unauthorized as u32));
    }

    // 2. A malformed frame.
    let mut raw = connect(&anna, &mallory).await;
    raw.send.write_all(&[0, 0, 0, 3, 99, 1, 2]).await.unwrap();
    assert_eq!(error_code(&mut raw).await, Some(Code::Protocol));

    // 3 and 4. A forged change, and a well-signed change from a key that may
    // not write: offered as an update to a document Anna holds.
    for forge in [true, false] {
        let mut raw = connect(&anna, &mallory).await;
        let offer = Frame::Offer(Offer {
            docs: vec![header.clone()],
            known: vec![],
            withdrawn: vec![],
        });
        raw.send.write_all(&offer.encode()).await.unwrap();
        // Wait for Anna's want, then answer it with the bad change.
        loop {
            match read_frame(&mut raw.recv).await {
                Some(Frame::Want(w)) if w.doc == plan => break,
                Some(_) => continue,
                None => panic!("no want"),
            }
        }
        let mut bad = goal_change(&mallory, &plan, &base);
        if forge {
            bad.signature.0[0] ^= 1;
        }
        let head = ChangesHead {
            doc: plan.clone(),
            certs: vec![mallory.device_certificate().clone()],
            last: true,
        };
        raw.send
            .write_all(&Frame::Changes(head, vec![bad]).encode())
            .await
            .unwrap();
        assert_eq!(error_code(&mut raw).await, Some(Code::RefusedChange), "forge = {forge}");
    }

    // Nothing was applied, every refusal was logged, and Bert is still served.
    assert_eq!(count(), before);
    assert_eq!(anna.with_vault(|v| v.plan(&plan).unwrap().goals.len()), 1);
    let rejections = anna.with_vault(|v| v.rejections().unwrap());
    assert!(
        rejections
            .iter()
            .any(|r| r.from == "Mallory" && r.why.contains("may not write"))
    );
    assert!(
        rejections
            .iter()
            .any(|r| r.from == "Mallory" && r.why.contains("signature"))
    );
    bert.with_vault(|v| v.add_goal(&plan, LifeDomain::Wonen, "van Bert", None).unwrap());
    let report = bert.sync_once(anna.endpoint_addr()).await.unwrap();
    assert_eq!(report.sent_changes, 1);
    assert_eq!(count(), before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_device_cannot_hold_more_than_a_few_sessions() {
    let tmp = tempfile::tempdir().unwrap();
    let (anna, bert, mallory, plan) = cast(tmp.path(), "doel").await;
    // Mallory opens the most sessions one device may hold, and keeps them.
    let mut held = Vec::new();
    for _ in 0..inwonercloud_sync::MAX_SESSIONS_PER_DEVICE {
        held.push(connect(&anna, &mallory).await);
    }
    // One more is closed at once with TooLarge.
    let ep = raw_endpoint(&mallory).await;
    let conn = ep.connect(anna.endpoint_addr(), ALPN).await.unwrap();
    let closed = tokio::time::timeout(std::time::Duration::from_secs(10), conn.closed())
        .await
        .expect("closed in time");
    match closed {
        iroh::endpoint::ConnectionError::ApplicationClosed(c) => {
            assert_eq!(c.error_code.into_inner(), Code::TooLarge as u64)
        }
        other => panic!("expected an application close, got {other:?}"),
    }
    // An honest peer is still served.
    honest_peer_is_served(&anna, &bert, &plan).await;
    drop(held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_sending_one_byte_per_second_is_cut_off_and_others_are_served() {
    let tmp = tempfile::tempdir().unwrap();
    let (anna, bert, mallory, plan) = cast(tmp.path(), "doel").await;
    let mut raw = connect(&anna, &mallory).await;
    // A frame announced at 1,000 bytes, then one byte per second.
    raw.send.write_all(&1000u32.to_be_bytes()).await.unwrap();
    let drip = tokio::spawn(async move {
        let started = std::time::Instant::now();
        for _ in 0..30 {
            if raw.send.write_all(&[0u8]).await.is_err() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
        let code = error_code(&mut raw).await;
        (code, started.elapsed())
    });
    // Meanwhile an honest peer joins and is served at once.
    let started = std::time::Instant::now();
    honest_peer_is_served(&anna, &bert, &plan).await;
    let honest = started.elapsed();
    let (code, slow) = drip.await.unwrap();
    assert_eq!(code, Some(Code::Timeout), "the slow peer is told why");
    assert!(
        slow < std::time::Duration::from_secs(20),
        "cut off after the frame timeout, not served forever"
    );
    assert!(honest < slow, "the honest peer did not wait for the slow one");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_opening_many_streams_gets_nothing_and_others_are_served() {
    let tmp = tempfile::tempdir().unwrap();
    let (anna, bert, mallory, plan) = cast(tmp.path(), "doel").await;
    // One connection, then stream after stream, each with a frame on it.
    let ep = raw_endpoint(&mallory).await;
    let conn = ep.connect(anna.endpoint_addr(), ALPN).await.unwrap();
    let hello = hello(&mallory);
    let mut opened = 0;
    let mut answered = 0;
    for _ in 0..200 {
        let Ok(Ok((mut send, mut recv))) =
            tokio::time::timeout(std::time::Duration::from_millis(500), conn.open_bi()).await
        else {
            break;
        };
        opened += 1;
        if send.write_all(&hello).await.is_err() {
            break;
        }
        let mut len = [0u8; 4];
        if let Ok(Ok(())) = tokio::time::timeout(std::time::Duration::from_millis(50), recv.read_exact(&mut len)).await
        {
            answered += 1;
        }
    }
    // The node answers the first stream only; with nothing to share it ends
    // the session and closes the connection, so further streams fail.
    assert!(opened >= 1);
    assert!(
        answered <= 1,
        "only the first stream is a session ({answered} of {opened} answered)"
    );
    assert!(opened < 200, "the node did not keep taking streams");
    // Nothing of Anna's reached Mallory's vault, and an honest peer is served meanwhile.
    assert!(mallory.header(&plan).is_err());
    honest_peer_is_served(&anna, &bert, &plan).await;
}
