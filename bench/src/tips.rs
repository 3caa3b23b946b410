//! Tip signatures (issue 20, `--tips`): the floor of an initial sync that
//! sends a document in automerge's compressed document format plus, per
//! author, the signature of that author's newest change, beside raw
//! automerge sync and figure 1 (today's sync) in the same run.
//!
//! The design is proposed in `docs/protocol.md` ("Proposed (not yet the
//! protocol): tip signatures"): a change with actor X is authentic when a
//! verified signature by X covers a change with actor X that is the change
//! itself or one of its descendants in the hash DAG.
//!
//! What one run measures (each step timed from the sender's `save()` to the
//! receiver's durable commit and its one-byte answer):
//!
//! - sender: the citizen's real budget document, held by her real vault
//!   (the vault of figure 1, served by her node), `save()`d — or, in a
//!   second variant, her sealed snapshot row read and unsealed; the header,
//!   the certificates of the header's and the tips' signers, and the tips
//!   (signer, change hash, signature), picked beforehand from her change
//!   log (in a real vault an index lookup per author, not timed here);
//! - transport: a new iroh connection on 127.0.0.1, one stream carrying
//!   the payload (as `delivery.rs` does for raw iroh);
//! - receiver: the header's checks (`refusal::check_header`), each
//!   certificate (`keys::verify_certificate`), each tip signature
//!   (`keys::verify`, the one signature rule), `AutoCommit::load`, every
//!   change (`get_changes`), the coverage check over the hash DAG (every
//!   change reached from a verified tip of its own actor), the real
//!   admission rule per change (`admission::admit`, moment `Arriving`), and
//!   one durable redb transaction of the vault's own store
//!   (`store::Store`, every value sealed) writing the header, the
//!   certificates, the snapshot (the save) and the tips.
//!
//! Not done, as today's import does not do them either: the record
//! signatures inside the document (checked on read); they are timed apart
//! (`keys::verify_records` over every ledger entry) and reported on their
//! own row.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Instant;

use automerge::{AutoCommit, Change, ChangeHash, ReadDoc, ScalarValueRef, ValueRef};
use inwonercloud_bench::{citizen_budget, create, entries, pass};
use inwonercloud_schemas::{
    CertifiedDevice, DocumentHeader, LedgerEntry, PublicKey, Record, Role, SignatureBytes, Signed,
};
use inwonercloud_sync::{Node, NodeConfig};
use inwonercloud_vault::admission::{Moment, admit};
use inwonercloud_vault::store::{self, Store};
use inwonercloud_vault::{KdfParams, SignedChange, Vault, change, keys, refusal};
use serde::{Deserialize, Serialize};

use crate::delivery::{RAW_ALPN, raw_endpoint};
use crate::{Row, SYNC_REPS, median, row};

/// Largest payload the receiver reads.
const MAX_PAYLOAD: usize = 256 * 1024 * 1024;
/// Bytes of one tip on the wire: signer, change hash, signature.
const TIP_LEN: usize = 32 + 32 + 64;

/// The signature of one author's newest change.
#[derive(Clone, Debug)]
struct Tip {
    signer: PublicKey,
    hash: [u8; 32],
    signature: SignatureBytes,
}

/// What travels before the save: the header and the certificates.
#[derive(Serialize, Deserialize)]
struct Head {
    header: Signed<DocumentHeader>,
    certs: Vec<CertifiedDevice>,
}

/// The receiver's steps, in seconds.
#[derive(Clone, Copy, Default)]
struct Phases {
    /// Header, certificates and tip signatures.
    signatures: f64,
    /// `AutoCommit::load`.
    load: f64,
    /// `get_changes` (every change, parsed).
    changes: f64,
    /// The coverage check over the hash DAG.
    coverage: f64,
    /// `admission::admit` for every change.
    admission: f64,
    /// Sealing and the durable commit.
    write: f64,
    /// Not part of the total: every ledger entry's record signature.
    records: f64,
    /// Sender: `save()` and the payload.
    save: f64,
    /// Sender: the new connection, until established.
    connect: f64,
    /// Receiver: from the stream's acceptance to the payload's last byte.
    transfer: f64,
    /// Receiver: its whole work on the payload.
    work: f64,
}

/// Per author, the signature of its newest change (highest automerge seq).
fn tips_of(changes: &[SignedChange]) -> Vec<(SignedChange, Tip)> {
    let mut newest: BTreeMap<PublicKey, (u64, SignedChange, [u8; 32])> = BTreeMap::new();
    for sc in changes {
        let c = sc.parse().expect("a stored change parses");
        let seq = c.seq();
        if newest.get(&sc.signer).is_none_or(|(s, _, _)| seq > *s) {
            newest.insert(sc.signer, (seq, sc.clone(), c.hash().0));
        }
    }
    newest
        .into_values()
        .map(|(_, sc, hash)| {
            let tip = Tip {
                signer: sc.signer,
                hash,
                signature: sc.signature,
            };
            (sc, tip)
        })
        .collect()
}

/// The payload: `u32 head length | head JSON | u32 tips | tips | save`.
fn encode(head: &Head, tips: &[Tip], save: &[u8]) -> Vec<u8> {
    let head = serde_json::to_vec(head).expect("head JSON");
    let mut out = Vec::with_capacity(8 + head.len() + tips.len() * TIP_LEN + save.len());
    out.extend_from_slice(&(head.len() as u32).to_be_bytes());
    out.extend_from_slice(&head);
    out.extend_from_slice(&(tips.len() as u32).to_be_bytes());
    for t in tips {
        out.extend_from_slice(t.signer.as_bytes());
        out.extend_from_slice(&t.hash);
        out.extend_from_slice(&t.signature.0);
    }
    out.extend_from_slice(save);
    out
}

/// Splits a payload into what [`encode`] put in it.
fn decode(bytes: &[u8]) -> Result<(Head, Vec<Tip>, &[u8]), String> {
    let take = |at: usize, n: usize| bytes.get(at..at + n).ok_or_else(|| "payload too short".to_string());
    let u32_at = |at: usize| -> Result<usize, String> {
        let b: [u8; 4] = take(at, 4)?.try_into().map_err(|_| "length".to_string())?;
        Ok(u32::from_be_bytes(b) as usize)
    };
    let head_len = u32_at(0)?;
    let head: Head = serde_json::from_slice(take(4, head_len)?).map_err(|e| e.to_string())?;
    let mut at = 4 + head_len;
    let count = u32_at(at)?;
    at += 4;
    let mut tips = Vec::with_capacity(count);
    for _ in 0..count {
        let t = take(at, TIP_LEN)?;
        tips.push(Tip {
            signer: PublicKey::try_from(&t[..32]).map_err(|e| e.to_string())?,
            hash: t[32..64].try_into().map_err(|_| "hash".to_string())?,
            signature: SignatureBytes::try_from(&t[64..]).map_err(|e| e.to_string())?,
        });
        at += TIP_LEN;
    }
    Ok((head, tips, &bytes[at..]))
}

/// The change's actor as a device key, if it is one.
fn actor(c: &Change) -> Option<PublicKey> {
    PublicKey::try_from(c.actor_id().to_bytes()).ok()
}

/// The coverage rule: every change must be the tip or an ancestor of a
/// verified tip *of its own actor*. Walks the hash DAG back from each
/// author's tips (O(changes × authors with tips)). Returns the index of the
/// first change not covered, or of a tip not in the document.
fn uncovered(changes: &[Change], tips: &[Tip]) -> Option<usize> {
    let index: HashMap<ChangeHash, usize> = changes.iter().enumerate().map(|(i, c)| (c.hash(), i)).collect();
    let actors: Vec<Option<PublicKey>> = changes.iter().map(actor).collect();
    let mut by_signer: BTreeMap<PublicKey, Vec<usize>> = BTreeMap::new();
    for t in tips {
        let Some(&i) = index.get(&ChangeHash(t.hash)) else {
            return Some(changes.len());
        };
        // A tip must be a change of its own signer.
        if actors[i] != Some(t.signer) {
            return Some(i);
        }
        by_signer.entry(t.signer).or_default().push(i);
    }
    let mut covered = vec![false; changes.len()];
    let mut seen = vec![false; changes.len()];
    for (signer, starts) in by_signer {
        seen.iter_mut().for_each(|s| *s = false);
        let mut stack = starts;
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            if actors[i] == Some(signer) {
                covered[i] = true;
            }
            for d in changes[i].deps() {
                // A loaded document holds every dependency.
                stack.push(*index.get(d)?);
            }
        }
    }
    covered.iter().position(|c| !c)
}

/// The receiver: checks, loads, covers, admits and stores one payload.
/// Returns its phases, the number of changes taken and the document.
fn receive(bytes: &[u8], store: &Store) -> Result<(Phases, usize, AutoCommit), String> {
    let mut p = Phases::default();
    let t = Instant::now();
    let (head, tips, save) = decode(bytes)?;
    let header = &head.header;
    let doc_id = header.record.id.clone();
    refusal::check_header(header).map_err(|r| r.to_string())?;
    let mut certs: HashMap<PublicKey, &CertifiedDevice> = HashMap::new();
    for c in &head.certs {
        keys::verify_certificate(c).map_err(|e| e.to_string())?;
        certs.insert(c.certificate.device, c);
    }
    for tip in &tips {
        keys::verify(
            &tip.signer,
            &change::message(&doc_id, &tip.hash),
            &tip.signature,
            || "tip".into(),
        )
        .map_err(|e| e.to_string())?;
    }
    p.signatures = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let mut doc = AutoCommit::load(save).map_err(|e| e.to_string())?;
    p.load = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let changes = doc.get_changes(&[]);
    p.changes = t.elapsed().as_secs_f64();

    let t = Instant::now();
    if let Some(i) = uncovered(&changes, &tips) {
        return Err(format!("change #{i} is covered by no signature of its own author"));
    }
    p.coverage = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let now = keys::now();
    for c in &changes {
        let signer = actor(c).ok_or("an actor that is no device key")?;
        let moment = Moment::Arriving {
            now,
            held_if_revoked_elsewhere: None,
        };
        admit(certs.get(&signer).copied(), &signer, &header.record, c, moment).map_err(|r| r.to_string())?;
    }
    p.admission = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let w = store.begin().map_err(|e| e.to_string())?;
    w.put(store::DOCS, &doc_id, &json(header)).map_err(|e| e.to_string())?;
    for c in &head.certs {
        w.put32(store::DEVICES, c.certificate.device.as_bytes(), &json(c))
            .map_err(|e| e.to_string())?;
    }
    // A snapshot row as the vault keeps one: rows covered, then the save.
    let mut snapshot = (changes.len() as u64).to_be_bytes().to_vec();
    snapshot.extend_from_slice(save);
    w.put(store::SNAPSHOTS, &doc_id, &snapshot).map_err(|e| e.to_string())?;
    let mut kept = Vec::with_capacity(tips.len() * TIP_LEN);
    for tip in &tips {
        kept.extend_from_slice(tip.signer.as_bytes());
        kept.extend_from_slice(&tip.hash);
        kept.extend_from_slice(&tip.signature.0);
    }
    w.put(store::META, &format!("tips/{doc_id}"), &kept)
        .map_err(|e| e.to_string())?;
    w.commit().map_err(|e| e.to_string())?;
    p.write = t.elapsed().as_secs_f64();

    Ok((p, changes.len(), doc))
}

/// Apart, after the answer: what checking every ledger entry's own record
/// signature would add (today's import leaves it to each read). Seconds.
fn check_records(doc: &AutoCommit) -> f64 {
    let t = Instant::now();
    let range = format!("{}/", LedgerEntry::KIND)..format!("{}0", LedgerEntry::KIND);
    let records: Vec<Signed<LedgerEntry>> = doc
        .map_range(automerge::ROOT, range)
        .filter_map(|item| match item.value {
            ValueRef::Scalar(ScalarValueRef::Str(s)) => serde_json::from_str(&s).ok(),
            _ => None,
        })
        .collect();
    let refs: Vec<&Signed<LedgerEntry>> = records.iter().collect();
    assert!(
        keys::verify_records(&refs).iter().all(|v| v.is_ok()),
        "every record signature holds"
    );
    t.elapsed().as_secs_f64()
}

/// JSON of a header or certificate, for the store.
fn json<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

/// Where the sender takes the document's bytes from.
enum Source<'a> {
    /// `save()` of the document her vault holds in memory.
    Save(&'a Node),
    /// The sealed snapshot row her store already holds (the vault writes
    /// one at doubling intervals and at the end of a session): read and
    /// unsealed, no `save()` on the sync path.
    Snapshot(&'a Store),
}

/// One tips sync: the sender saves and sends over a new connection, the
/// receiver (on `server`) takes it in and answers one byte. Returns
/// (seconds, payload bytes, save bytes, the receiver's phases).
async fn tips_sync(
    source: &Source<'_>,
    doc: &str,
    head: &Head,
    tips: &[Tip],
    server: &iroh::Endpoint,
    file: &Path,
) -> (f64, usize, usize, Phases) {
    let store = Store::create(file, &pass(), KdfParams::default()).expect("receiver store");
    let client = raw_endpoint(None).await;
    let ep = server.clone();
    let receiver = tokio::spawn(async move {
        let incoming = ep.accept().await.expect("incoming");
        let conn = incoming.await.expect("connection");
        let (mut send, mut recv) = conn.accept_bi().await.expect("stream");
        let start = Instant::now();
        let bytes = recv.read_to_end(MAX_PAYLOAD).await.expect("payload");
        let transfer = start.elapsed().as_secs_f64();
        let result = tokio::task::spawn_blocking(move || {
            let start = Instant::now();
            receive(&bytes, &store).map(|(mut p, n, doc)| {
                p.work = start.elapsed().as_secs_f64();
                p.transfer = transfer;
                (p, n, doc)
            })
        })
        .await
        .expect("receiver");
        let _ = send.write_all(&[u8::from(result.is_ok())]).await;
        let _ = send.finish();
        conn.closed().await;
        // The record check runs after the answer: not in the timed sync.
        let (mut p, n, doc) = result?;
        p.records = tokio::task::spawn_blocking(move || check_records(&doc))
            .await
            .expect("records");
        Ok::<_, String>((p, n))
    });
    let addr = server.addr();
    keys::verified::forget();
    let start = Instant::now();
    let save = match source {
        Source::Save(citizen) => citizen.with_vault(|v| v.save_document(doc)).expect("save"),
        Source::Snapshot(store) => store.snapshot(doc).expect("snapshot").expect("a snapshot").1,
    };
    let payload = encode(head, tips, &save);
    let saved = start.elapsed().as_secs_f64();
    let conn = client.connect(addr, RAW_ALPN).await.expect("connect");
    let connected = start.elapsed().as_secs_f64() - saved;
    let (mut send, mut recv) = conn.open_bi().await.expect("stream");
    send.write_all(&payload).await.expect("send");
    send.finish().expect("finish");
    let answer = recv.read_to_end(16).await.expect("answer");
    let secs = start.elapsed().as_secs_f64();
    conn.close(0u32.into(), b"done");
    let (mut phases, taken) = receiver
        .await
        .expect("receiver task")
        .expect("the receiver took the document");
    phases.save = saved;
    phases.connect = connected;
    assert_eq!(answer, [1], "the receiver answered");
    assert!(taken > 0, "changes arrived");
    client.close().await;
    (secs, payload.len(), save.len(), phases)
}

/// The `--tips` rows at `n` entries.
pub async fn rows(dir: &Path, n: usize) -> Vec<Row> {
    let citizen_dir = dir.join("citizen");
    let (citizen, budget, account) = citizen_budget(&citizen_dir, n);
    drop(citizen);
    let payloads: Vec<(String, String)> = entries(n, &account)
        .iter()
        .map(|(k, e)| {
            (
                format!("ledger_entry/{k}"),
                serde_json::to_string(e).unwrap_or_default(),
            )
        })
        .collect();
    let citizen = Node::spawn(
        Vault::open(&citizen_dir, &pass()).expect("open"),
        NodeConfig::loopback(),
    )
    .await
    .expect("node");
    // The tips and what the receiver needs to check them (picked from the
    // change log; in a vault an index lookup per author, not timed).
    let (head, tips, changes) = citizen.with_vault(|v| {
        let changes = v.signed_changes(&budget).expect("changes");
        let picked = tips_of(&changes);
        let signed: Vec<SignedChange> = picked.iter().map(|(sc, _)| sc.clone()).collect();
        let head = Head {
            header: v.signed_header(&budget).expect("header"),
            certs: v.certificates_for(&budget, &signed).expect("certificates"),
        };
        (
            head,
            picked.into_iter().map(|(_, t)| t).collect::<Vec<_>>(),
            changes.len(),
        )
    });
    // Her store's snapshot row, as the vault writes it (not timed).
    let held = Store::create(&dir.join("sender-snapshot.redb"), &pass(), KdfParams::default()).expect("store");
    let mut row_bytes = (changes as u64).to_be_bytes().to_vec();
    row_bytes.extend_from_slice(&citizen.with_vault(|v| v.save_document(&budget)).expect("save"));
    let w = held.begin().expect("write");
    w.put(store::SNAPSHOTS, &budget, &row_bytes).expect("snapshot row");
    w.commit().expect("commit");
    let server = raw_endpoint(None).await;
    let (mut snaps, mut snap_phases, mut transports) = (vec![], vec![], vec![]);
    // The transport floor: raw iroh carrying a payload of the same size on
    // a new connection (`delivery.rs`), one byte answered.
    let raw_iroh = crate::delivery::Raw::new(None).await;
    let _ = raw_iroh.deliver_secs(b"warm-up").await;
    let same_size = vec![7u8; json(&head).len() + 8 + tips.len() * TIP_LEN + row_bytes.len() - 8];
    let (mut raws, mut raw_bytes) = (vec![], 0);
    let (mut todays, mut today_bytes) = (vec![], vec![]);
    let (mut ours, mut our_bytes, mut phases) = (vec![], vec![], vec![]);
    let mut counselor: Option<Node> = None;
    let mut save_len = 0;
    for i in 0..SYNC_REPS {
        // Raw automerge, today's sync (figure 1) and the tips floor, interleaved.
        let (secs, bytes) = crate::raw_automerge_sync(&payloads);
        raws.push(secs);
        raw_bytes = bytes;

        if let Some(node) = counselor.take() {
            node.shutdown().await;
        }
        let node = Node::spawn(
            create(&dir.join(format!("counselor-{i}")), "Bert", Role::Counselor),
            NodeConfig::loopback(),
        )
        .await
        .expect("node");
        let ticket = citizen.invite(crate::invite_spec(&budget), 600).expect("invite");
        let start = Instant::now();
        let report = node.join(&ticket).await.expect("join");
        todays.push(start.elapsed().as_secs_f64());
        today_bytes.push(report.bytes_received as f64);
        assert!(report.received_changes >= n, "every change arrived");
        counselor = Some(node);

        let file = dir.join(format!("tips-{i}.redb"));
        let (secs, bytes, save, p) = tips_sync(&Source::Save(&citizen), &budget, &head, &tips, &server, &file).await;
        ours.push(secs);
        our_bytes.push(bytes as f64);
        phases.push(p);
        save_len = save;
        let file = dir.join(format!("tips-snapshot-{i}.redb"));
        let (secs, _, _, p) = tips_sync(&Source::Snapshot(&held), &budget, &head, &tips, &server, &file).await;
        snaps.push(secs);
        snap_phases.push(p);
        transports.push(raw_iroh.deliver_secs(&same_size).await);
    }
    raw_iroh.close().await;
    if let Some(node) = counselor.take() {
        node.shutdown().await;
    }
    citizen.shutdown().await;
    server.close().await;

    let pick = |f: fn(&Phases) -> f64| median(phases.iter().map(f).collect());
    eprintln!(
        "tips, N = {n}: {changes} changes, {} tip(s); payload {:.0} B (save {save_len} B, header and certificates {} B); \
         sender medians: save {:.4} s, connect {:.4} s; receiver medians: transfer {:.4} s, work {:.4} s of which signatures {:.4} s, load {:.4} s, get_changes {:.4} s, coverage {:.4} s, admission \
         {:.4} s, seal + durable commit {:.4} s; apart: record signatures {:.4} s",
        tips.len(),
        median(our_bytes.clone()),
        json(&head).len(),
        pick(|p| p.save),
        pick(|p| p.connect),
        pick(|p| p.transfer),
        pick(|p| p.work),
        pick(|p| p.signatures),
        pick(|p| p.load),
        pick(|p| p.changes),
        pick(|p| p.coverage),
        pick(|p| p.admission),
        pick(|p| p.write),
        pick(|p| p.records),
    );
    let (raw, today, tips_secs) = (median(raws), median(todays), median(ours));
    let (today_b, tips_b) = (median(today_bytes), median(our_bytes));
    let records = pick(|p| p.records);
    let snap = median(snaps);
    let transport = median(transports);
    eprintln!(
        "tips from the stored snapshot, N = {n}: sender read + unseal {:.4} s, connect {:.4} s; receiver transfer {:.4} s, work {:.4} s, load {:.4} s",
        median(snap_phases.iter().map(|p| p.save).collect()),
        median(snap_phases.iter().map(|p| p.connect).collect()),
        median(snap_phases.iter().map(|p| p.transfer).collect()),
        median(snap_phases.iter().map(|p| p.work).collect()),
        median(snap_phases.iter().map(|p| p.load).collect()),
    );
    vec![
        row(
            "T tips floor, time",
            tips_secs,
            raw,
            "s",
            "≤ 2× raw automerge",
            Some(tips_secs <= 2.0 * raw),
        ),
        row(
            "T tips floor, bytes",
            tips_b,
            raw_bytes as f64,
            "B",
            "≤ 2× raw automerge",
            Some(tips_b <= 2.0 * raw_bytes as f64),
        ),
        row(
            "T tips floor, stored snapshot, time",
            snap,
            raw,
            "s",
            "≤ 2× raw automerge",
            Some(snap <= 2.0 * raw),
        ),
        row(
            "T raw iroh, same payload size, time",
            transport,
            raw,
            "s",
            "(transport floor)",
            None,
        ),
        row(
            "1 initial sync today, time",
            today,
            raw,
            "s",
            "≤ 2× raw automerge",
            Some(today <= 2.0 * raw),
        ),
        row("1 initial sync today, bytes", today_b, raw_bytes as f64, "B", "—", None),
        row("T tips floor / today, time", tips_secs, today, "s", "—", None),
        row("T tips floor / today, bytes", tips_b, today_b, "B", "—", None),
        row(
            "T tips + record signatures, time",
            tips_secs + records,
            raw,
            "s",
            "(records checked on read today)",
            None,
        ),
    ]
}
