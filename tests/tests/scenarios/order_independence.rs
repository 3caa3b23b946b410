//! The same set of signed changes, applied in any order and split across
//! replicas, gives identical documents and identical balances.

use std::sync::OnceLock;

use inwonercloud_schemas::{CertifiedDevice, DocumentHeader, EntryKind, FundingStream, Role, Signed};
use inwonercloud_tests::{day, euro_account, vault};
use inwonercloud_vault::budget::NewEntry;
use inwonercloud_vault::{SignedChange, Vault};
use proptest::prelude::*;
use rust_decimal::Decimal;

struct Fixture {
    doc: String,
    header: Signed<DocumentHeader>,
    certs: Vec<CertifiedDevice>,
    changes: Vec<SignedChange>,
    expected_json: serde_json::Value,
    expected_heads: Vec<String>,
    _dirs: tempfile::TempDir,
}

/// A citizen and the municipality write to one budget concurrently: the
/// municipality grants while the citizen, offline, tops up and spends more
/// than is granted.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let mut anna = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
        let mut oss = vault(&tmp.path().join("oss"), "Gemeente Oss", Role::Municipality);
        let doc = anna.budget_doc();
        let acct = euro_account(&mut anna, "Wmo 2026", FundingStream::Wmo);
        anna.add_writer(&doc, oss.identity(), inwonercloud_schemas::Role::Municipality)
            .unwrap();
        oss.import_bundle(&anna.bundle(&doc).unwrap(), "anna").unwrap();
        let entry = |kind, amount: i64, cents: u32, date: &str| NewEntry {
            account: acct.clone(),
            kind,
            amount: Decimal::new(amount * 100 + i64::from(cents), 2),
            category: Some("huishoudelijke_hulp".into()),
            date: day(date),
            note: String::new(),
            reference: None,
        };
        for (i, date) in ["2026-01-01", "2026-04-01", "2026-07-01"].iter().enumerate() {
            oss.record_entry(&doc, entry(EntryKind::Grant, 400 + i as i64, 10, date))
                .unwrap();
        }
        for (i, date) in ["2026-01-15", "2026-02-15", "2026-03-15", "2026-05-15", "2026-08-15"]
            .iter()
            .enumerate()
        {
            anna.record_entry(&doc, entry(EntryKind::Spend, 250 + i as i64, 33, date))
                .unwrap();
        }
        anna.top_up(&doc, &acct, Decimal::new(2501, 2), day("2026-02-01"), "")
            .unwrap();
        let mut changes = anna.signed_changes(&doc).unwrap();
        for c in oss.signed_changes(&doc).unwrap() {
            if !changes.contains(&c) {
                changes.push(c);
            }
        }
        let header = anna.bundle(&doc).unwrap().header;
        let certs = vec![anna.device_certificate().clone(), oss.device_certificate().clone()];
        // The reference: everything merged in log order.
        anna.import_changes(&header, &certs, &changes, "oss").unwrap();
        let expected_json = serde_json::to_value(&anna.budget(&doc).unwrap().report).unwrap();
        let mut expected_heads = anna.heads(&doc).unwrap();
        expected_heads.sort();
        Fixture {
            doc,
            header,
            certs,
            changes,
            expected_json,
            expected_heads,
            _dirs: tmp,
        }
    })
}

/// Every record of the document with its signature, as exported.
fn records_of(v: &Vault, doc: &str) -> Vec<(String, serde_json::Value)> {
    let export = v.export().unwrap();
    let d = export
        .documents
        .into_iter()
        .find(|d| d.header.record.id == doc)
        .unwrap();
    d.records.into_iter().map(|r| (r.key, r.signed)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn any_order_any_split_same_document_and_balances(
        order in Just(()).prop_perturb(|_, mut rng| {
            let n = fixture().changes.len();
            let mut idx: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                let j = (rng.next_u32() as usize) % (i + 1);
                idx.swap(i, j);
            }
            idx
        }),
        split in 0usize..100,
        batch in 1usize..5,
    ) {
        let f = fixture();
        let tmp = tempfile::tempdir().unwrap();
        let mut a = vault(&tmp.path().join("r1"), "Replica 1", Role::Citizen);
        let mut b = vault(&tmp.path().join("r2"), "Replica 2", Role::Citizen);
        let cut = split * order.len() / 100;
        let (first, second) = order.split_at(cut);
        let feed = |v: &mut Vault, idx: &[usize]| {
            for chunk in idx.chunks(batch) {
                let cs: Vec<SignedChange> = chunk.iter().map(|&i| f.changes[i].clone()).collect();
                v.import_changes(&f.header, &f.certs, &cs, "peer").unwrap();
            }
        };
        feed(&mut a, first);
        feed(&mut b, second);
        // Exchange everything each holds, in the other's log order.
        let from_a = a.signed_changes(&f.doc).unwrap_or_default();
        let from_b = b.signed_changes(&f.doc).unwrap_or_default();
        if !from_b.is_empty() { a.import_changes(&f.header, &f.certs, &from_b, "b").unwrap(); }
        if !from_a.is_empty() { b.import_changes(&f.header, &f.certs, &from_a, "a").unwrap(); }
        for v in [&mut a, &mut b] {
            let mut heads = v.heads(&f.doc).unwrap();
            heads.sort();
            prop_assert_eq!(&heads, &f.expected_heads);
            prop_assert!(v.missing_changes(&f.doc).unwrap().is_empty());
            let json = serde_json::to_value(&v.budget(&f.doc).unwrap().report).unwrap();
            prop_assert_eq!(&json, &f.expected_json);
        }
        prop_assert_eq!(records_of(&a, &f.doc), records_of(&b, &f.doc));
        // Reopening a replica gives the same again.
        let dir = a.dir().to_path_buf();
        drop(a);
        let a = Vault::open(&dir, &inwonercloud_tests::pass()).unwrap();
        let json = serde_json::to_value(&a.budget(&f.doc).unwrap().report).unwrap();
        prop_assert_eq!(&json, &f.expected_json);
    }
}

#[test]
fn overspending_is_flagged_in_the_merged_ledger() {
    let f = fixture();
    let accounts = f.expected_json["accounts"].as_object().unwrap();
    let fig = accounts.values().next().unwrap();
    // Granted 1203.30 + own 25.01; spent 1261.65 → 33.34 not covered.
    assert_eq!(fig["granted"], "1203.30");
    assert_eq!(fig["spent"], "1261.65");
    assert_eq!(fig["not_covered"], "33.34");
    let flagged = f.expected_json["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["status"] == "not_covered")
        .count();
    assert_eq!(flagged, 1);
}
