//! Micro figures with criterion, each beside its floor on the same data:
//! checking 1,000 signed records and 1,000 signed changes against raw
//! `ed25519_dalek::verify_batch` over the same signatures, and encoding plus
//! decoding a sync frame of 1,000 changes. Run with `cargo bench -p
//! inwonercloud-bench --features micro`; the whole-system figures are the bench binary's.

use criterion::{Criterion, criterion_group, criterion_main};
use ed25519_dalek::{Signature, VerifyingKey};
use inwonercloud_schemas::LedgerEntry;
use inwonercloud_sync::wire::{ChangesHead, Frame};

const N: usize = 1_000;

fn checks(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (v, doc, _) = inwonercloud_bench::citizen_budget(&tmp.path().join("v"), N);

    // Records: our check (certificate once, signatures batched) vs raw batch.
    let signed: Vec<_> = v
        .records::<LedgerEntry>(&doc)
        .expect("records")
        .0
        .into_iter()
        .map(|a| a.signed)
        .collect();
    let msgs: Vec<Vec<u8>> = signed
        .iter()
        .map(|s| inwonercloud_schemas::signed::signing_bytes(&s.record, s.signed_at, &s.device.certificate.identity))
        .collect();
    let sigs: Vec<Signature> = signed.iter().map(|s| Signature::from_bytes(&s.signature.0)).collect();
    let keys: Vec<VerifyingKey> = signed
        .iter()
        .filter_map(|s| VerifyingKey::from_bytes(&s.device.certificate.device.0).ok())
        .collect();
    let refs: Vec<&[u8]> = msgs.iter().map(|m| m.as_slice()).collect();
    let records: Vec<_> = signed.iter().collect();
    let mut g = c.benchmark_group("1000 records");
    g.bench_function("raw verify_batch", |b| {
        b.iter(|| ed25519_dalek::verify_batch(&refs, &sigs, &keys).is_ok())
    });
    g.bench_function("keys::verify_records", |b| {
        b.iter(|| {
            inwonercloud_vault::keys::verified::forget();
            inwonercloud_vault::keys::verify_records(&records)
        })
    });
    g.finish();

    // Changes: parse, actor = signer, batched signatures vs raw batch.
    let changes = v.signed_changes(&doc).expect("changes");
    let cmsgs: Vec<Vec<u8>> = changes
        .iter()
        .filter_map(|c| automerge::Change::from_bytes(c.bytes.clone()).ok())
        .map(|ch| inwonercloud_vault::change::message(&doc, &ch.hash().0))
        .collect();
    let csigs: Vec<Signature> = changes.iter().map(|c| Signature::from_bytes(&c.signature.0)).collect();
    let ckeys: Vec<VerifyingKey> = changes
        .iter()
        .filter_map(|c| VerifyingKey::from_bytes(&c.signer.0).ok())
        .collect();
    let crefs: Vec<&[u8]> = cmsgs.iter().map(|m| m.as_slice()).collect();
    let mut g = c.benchmark_group(format!("{} changes", changes.len()));
    g.bench_function("raw verify_batch", |b| {
        b.iter(|| ed25519_dalek::verify_batch(&crefs, &csigs, &ckeys).is_ok())
    });
    g.bench_function("change::verify_all", |b| {
        b.iter(|| {
            inwonercloud_vault::keys::verified::forget();
            inwonercloud_vault::change::verify_all(&doc, &changes).is_ok()
        })
    });
    g.finish();

    // A sync frame of those changes: encode (deflate) and decode (inflate).
    let frame = Frame::Changes(
        ChangesHead {
            doc: doc.clone(),
            certs: vec![],
            last: true,
        },
        changes.into_iter().take(N).collect(),
    );
    let encoded = frame.encode();
    let mut g = c.benchmark_group("frame of 1000 changes");
    g.bench_function("encode", |b| b.iter(|| frame.encode()));
    g.bench_function("decode", |b| b.iter(|| Frame::decode(&encoded[4..]).is_ok()));
    g.finish();
}

criterion_group! {
    name = micro;
    config = Criterion::default().sample_size(20);
    targets = checks
}
criterion_main!(micro);
