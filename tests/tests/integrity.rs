//! Tampering with the file, and changes from keys that may not write.

use automerge::Change;
use inwonercloud_schemas::{LifeDomain, Role};
use inwonercloud_tests::{change_on_top, flip_in_file, goal_change, vault};
use inwonercloud_vault::vault::DB_FILE;
use inwonercloud_vault::{SignedChange, Vault, VaultError};

#[test]
fn flipping_one_byte_of_a_stored_signature_names_the_change() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("v");
    let mut v = vault(&dir, "Anna", Role::Citizen);
    let plan = v.plan_doc();
    v.add_goal(&plan, LifeDomain::Wonen, "eerste doel", None).unwrap();
    v.add_goal(&plan, LifeDomain::Wonen, "tweede doel", None).unwrap();
    let victim = v.signed_changes(&plan).unwrap()[1].clone();
    let hash = Change::from_bytes(victim.bytes.clone()).unwrap().hash().to_string();
    drop(v);

    let n = flip_in_file(&dir.join(DB_FILE), &victim.signature.0, 10);
    assert!(n >= 1, "signature not found in the file");
    let err = Vault::open(&dir).unwrap_err();
    match &err {
        VaultError::TamperedChange { doc, seq, hash: h, .. } => {
            assert_eq!(doc, &plan);
            assert_eq!(*seq, 1);
            assert_eq!(h, &hash);
        }
        other => panic!("expected a tampered-change error, got {other}"),
    }
    let text = err.to_string();
    assert!(text.contains(&hash) && text.contains("backup"), "{text}");
}

#[test]
fn flipping_one_byte_of_a_stored_change_body_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("v");
    let mut v = vault(&dir, "Anna", Role::Citizen);
    let plan = v.plan_doc();
    v.add_goal(&plan, LifeDomain::Gezondheid, "elke dag wandelen", None)
        .unwrap();
    let victim = v.signed_changes(&plan).unwrap()[0].clone();
    drop(v);
    // Flip a bit in the middle of the change's own bytes (not its signature).
    let mid = victim.bytes.len() / 2;
    let needle = victim.bytes[mid - 16..mid + 16].to_vec();
    let n = flip_in_file(&dir.join(DB_FILE), &needle, 16);
    assert!(n >= 1, "change bytes not found in the file");
    let err = Vault::open(&dir).unwrap_err();
    assert!(matches!(err, VaultError::TamperedChange { .. }), "{err}");
}

#[test]
fn change_from_a_key_that_may_not_write_is_refused_and_logged() {
    let tmp = tempfile::tempdir().unwrap();
    let mut anna = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
    let mut mallory = vault(&tmp.path().join("mallory"), "Mallory", Role::Counselor);
    let plan = anna.plan_doc();
    anna.add_goal(&plan, LifeDomain::Wonen, "zelfstandig wonen", None)
        .unwrap();

    // Mallory receives the plan legitimately (read), then writes to it.
    let bundle = anna.bundle(&plan).unwrap();
    mallory.import_bundle(&bundle, "anna").unwrap();
    let base = anna.signed_changes(&plan).unwrap();
    let forged = goal_change(&mallory, &plan, &base);
    let header = anna.bundle(&plan).unwrap().header;
    let certs = vec![mallory.device_certificate().clone()];

    let before = anna.change_count(&plan).unwrap();
    let err = anna
        .import_changes(&header, &certs, std::slice::from_ref(&forged), "mallory")
        .unwrap_err();
    assert!(
        matches!(&err, VaultError::ChangeRefused { why, .. } if why.contains("may not write")),
        "{err}"
    );
    assert_eq!(anna.change_count(&plan).unwrap(), before);
    assert_eq!(anna.plan(&plan).unwrap().goals.len(), 1);
    let log = anna.rejections().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].from, "mallory");

    // A change whose actor is not the signer is refused too (actor spoofing).
    let mut spoof = forged.clone();
    spoof.signer = anna.device_key().public();
    let err = anna.import_changes(&header, &certs, &[spoof], "mallory").unwrap_err();
    assert!(err.to_string().contains("is not the signing device"), "{err}");

    // Once Anna lets Mallory write, the very same change is accepted: the
    // refusal above was about the right to write, nothing else.
    anna.add_writer(&plan, mallory.identity()).unwrap();
    let header = anna.bundle(&plan).unwrap().header;
    let report = anna.import_changes(&header, &certs, &[forged], "mallory").unwrap();
    assert_eq!(report.applied, 1);
    let goals = anna.plan(&plan).unwrap().goals;
    assert_eq!(goals.len(), 2);
    let evil = goals.iter().find(|g| g.record.id == "evil").unwrap();
    assert_eq!(evil.author_name, "Mallory");
    assert_eq!(evil.placed_by, Some(mallory.device_key().public()));

    // And it survives reopening, with the writer's certificate stored.
    let dir = anna.dir().to_path_buf();
    drop(anna);
    let anna = Vault::open(&dir).unwrap();
    assert_eq!(anna.plan(&plan).unwrap().goals.len(), 2);
}

#[test]
fn forged_signature_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut anna = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
    let mut other = vault(&tmp.path().join("other"), "Other", Role::Citizen);
    let plan = anna.plan_doc();
    anna.add_goal(&plan, LifeDomain::Wonen, "doel", None).unwrap();
    let mut bundle = anna.bundle(&plan).unwrap();
    let mut c = SignedChange::decode(&hex::decode(&bundle.changes[0]).unwrap()).unwrap();
    c.signature.0[5] ^= 0x40;
    bundle.changes[0] = hex::encode(c.encode());
    let err = other.import_bundle(&bundle, "peer").unwrap_err();
    assert!(matches!(err, VaultError::ChangeRefused { .. }), "{err}");
    assert!(other.document_ids().iter().all(|d| d != &plan));
}

#[test]
fn a_change_from_the_far_future_is_refused_and_logged() {
    let tmp = tempfile::tempdir().unwrap();
    let mut anna = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
    let mut bert = vault(&tmp.path().join("bert"), "Bert", Role::Counselor);
    let plan = anna.plan_doc();
    anna.add_goal(&plan, LifeDomain::Wonen, "doel", None).unwrap();
    let base = anna.signed_changes(&plan).unwrap();
    // Anna's own device, correctly signed, but dated ten days ahead.
    let future = inwonercloud_vault::keys::now() as i64 + 10 * 86_400;
    let signed = change_on_top(&anna, &plan, &base, "note", "later", Some(future));
    let mut bundle = anna.bundle(&plan).unwrap();
    bundle.changes.push(hex::encode(signed.encode()));
    let err = bert.import_bundle(&bundle, "anna").unwrap_err();
    assert!(err.to_string().contains("in the future"), "{err}");
    assert!(
        bert.document_ids().iter().all(|d| d != &plan),
        "nothing of the batch applied"
    );
    assert!(
        bert.rejections()
            .unwrap()
            .iter()
            .any(|r| r.why.contains("in the future"))
    );
}
