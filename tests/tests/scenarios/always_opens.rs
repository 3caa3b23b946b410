//! Nothing a peer sends can keep a citizen's vault from opening: a device key
//! re-certified under another identity is refused, a revocation's cut-off
//! counts what is stored (also changes waiting for an earlier one), and a
//! stored row that the header held now no longer allows is left out and
//! logged, never fatal.

use inwonercloud_schemas::{LifeDomain, Role};
use inwonercloud_tests::{goal_texts, pass, plan_with_writer, revoking_header};
use inwonercloud_vault::{Vault, VaultError, keys};

#[test]
fn a_known_device_cannot_be_re_certified_by_another_identity() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut anna, mut mallory, plan) = plan_with_writer(tmp.path());
    mallory.add_goal(&plan, LifeDomain::Wonen, "van Mallory", None).unwrap();
    anna.import_bundle(&mallory.bundle(&plan).unwrap(), "mallory").unwrap();
    // Eve certifies Mallory's device key under her own identity.
    let eve = keys::SecretKey::generate().unwrap();
    let forged = keys::certify_device(&eve, "Eve", Role::Counselor, mallory.device_key().public(), "x", 1);
    let e = anna.add_device_certificate(&forged).unwrap_err();
    assert!(matches!(e, VaultError::NotAllowed(_)), "{e}");
    assert!(e.to_string().contains("already certified by Mallory"), "{e}");
    // Nor through an import: the held certificate stays.
    let header = anna.bundle(&plan).unwrap().header;
    let _ = anna.import_changes(&header, &[forged], &[], "eve");
    drop(anna);
    let anna = Vault::open(&tmp.path().join("anna"), &pass()).unwrap();
    let goals = anna.plan(&plan).unwrap().goals;
    let hers = goals.iter().find(|g| g.record.text == "van Mallory").unwrap();
    assert_eq!(hers.author_name, "Mallory", "still attributed to Mallory");
}

#[test]
fn a_revocation_while_a_change_waits_for_an_earlier_one_keeps_the_vault_opening() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut anna, mut mallory, plan) = plan_with_writer(tmp.path());
    for text in ["een", "twee", "drie"] {
        mallory.add_goal(&plan, LifeDomain::Wonen, text, None).unwrap();
    }
    let mine: Vec<_> = mallory
        .signed_changes(&plan)
        .unwrap()
        .into_iter()
        .filter(|c| c.signer == mallory.device_key().public())
        .collect();
    assert_eq!(mine.len(), 3);
    let header = mallory.bundle(&plan).unwrap().header;
    let certs = vec![mallory.device_certificate().clone()];
    // Anna gets Mallory's first and third change; the third waits for the second.
    anna.import_changes(&header, &certs, &mine[0..1], "mallory").unwrap();
    anna.import_changes(&header, &certs, &mine[2..3], "mallory").unwrap();
    anna.remove_writer(&plan, mallory.identity()).unwrap();
    let cut = &anna.header(&plan).unwrap().revoked[0].cutoffs;
    assert_eq!(
        cut,
        &vec![(mallory.device_key().public(), 3)],
        "the stored third change counts"
    );
    drop(anna);
    let mut anna = Vault::open(&tmp.path().join("anna"), &pass()).expect("the vault opens");
    // The second change, written before the revocation, still completes the history.
    let header = anna.bundle(&plan).unwrap().header;
    anna.import_changes(&header, &certs, &mine[1..2], "mallory").unwrap();
    let texts = goal_texts(&anna, &plan);
    for t in ["een", "twee", "drie"] {
        assert!(texts.contains(&t.to_string()), "{t} in {texts:?}");
    }
}

#[test]
fn a_stored_row_the_header_no_longer_allows_is_left_out_and_logged_not_fatal() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut anna, mut mallory, plan) = plan_with_writer(tmp.path());
    for text in ["een", "twee", "drie"] {
        mallory.add_goal(&plan, LifeDomain::Wonen, text, None).unwrap();
    }
    anna.import_bundle(&mallory.bundle(&plan).unwrap(), "mallory").unwrap();
    // A header whose cut-off lies below what is stored, as a revoke in
    // another process racing an import could write: Anna's own device signs it.
    let signed = revoking_header(&anna, &plan, &mallory, 1);
    anna.import_changes(&signed, &[], &[], "self").unwrap();
    drop(anna);
    let anna = Vault::open(&tmp.path().join("anna"), &pass()).expect("the vault opens");
    let texts = goal_texts(&anna, &plan);
    assert!(texts.contains(&"een".to_string()), "{texts:?}");
    assert!(
        !texts.contains(&"drie".to_string()),
        "rows beyond the cut-off are left out: {texts:?}"
    );
    let logged = anna.rejections().unwrap();
    let left_out = logged.iter().filter(|r| r.why.contains("left out on open")).count();
    assert_eq!(left_out, 2, "the two rows are logged once: {logged:?}");
    drop(anna);
    let anna = Vault::open(&tmp.path().join("anna"), &pass()).unwrap();
    let again = anna.rejections().unwrap();
    assert_eq!(again.len(), logged.len(), "opening again logs nothing new");
}

/// A revoking header that reaches a device holding a writer's rows beyond
/// its cut-off drops that document's snapshot, so the next open judges
/// those rows again. A snapshot taken later in the same run (after the
/// import, or at the end of a sync session) must not bring them back: it
/// stands for its rows without judging them.
#[test]
fn a_snapshot_taken_after_a_revoking_header_does_not_keep_rows_beyond_the_cut_off() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut anna, mut mallory, plan) = plan_with_writer(tmp.path());
    let mut phone = inwonercloud_tests::another_device(&mut anna, &tmp.path().join("phone"), "phone");
    phone.import_bundle(&anna.bundle(&plan).unwrap(), "anna").unwrap();
    // The laptop holds Mallory's first goal, the phone all three.
    mallory.add_goal(&plan, LifeDomain::Wonen, "een", None).unwrap();
    anna.import_bundle(&mallory.bundle(&plan).unwrap(), "mallory").unwrap();
    for text in ["twee", "drie"] {
        mallory.add_goal(&plan, LifeDomain::Wonen, text, None).unwrap();
    }
    phone.import_bundle(&mallory.bundle(&plan).unwrap(), "mallory").unwrap();
    // The laptop revokes Mallory (cut-off: the one change it holds) and
    // goes on writing; the phone takes all of it in one import.
    anna.remove_writer(&plan, mallory.identity()).unwrap();
    for i in 0..20 {
        anna.add_goal(&plan, LifeDomain::Wonen, &format!("doel {i}"), None)
            .unwrap();
    }
    phone.import_bundle(&anna.bundle(&plan).unwrap(), "anna").unwrap();
    let texts = goal_texts(&phone, &plan);
    assert!(!texts.contains(&"drie".to_string()), "judged again at once: {texts:?}");
    // What opening from the log alone shows: the rows beyond the cut-off left out.
    let dir = phone.dir().to_path_buf();
    drop(phone);
    let phone = Vault::open(&dir, &pass()).unwrap();
    let texts = goal_texts(&phone, &plan);
    assert!(texts.contains(&"een".to_string()), "{texts:?}");
    assert!(
        !texts.contains(&"drie".to_string()) && !texts.contains(&"twee".to_string()),
        "rows beyond the cut-off are left out on open, snapshot or not: {texts:?}"
    );
}

/// The app revokes a writer while the node, a second handle of the same
/// vault that has not caught up yet, still holds the old header in memory.
/// The revoked writer's late changes then reach the node: it must judge
/// them under the header the file holds, and neither its memory nor a
/// snapshot it takes may keep them (a snapshot stands for its rows on open).
#[test]
fn a_second_handle_holding_the_old_header_does_not_keep_a_revoked_writers_late_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut anna, mut mallory, plan) = plan_with_writer(tmp.path());
    mallory.add_goal(&plan, LifeDomain::Wonen, "een", None).unwrap();
    anna.import_bundle(&mallory.bundle(&plan).unwrap(), "mallory").unwrap();
    let mut node = Vault::open_with_key(anna.dir(), &anna.key()).unwrap();
    // The app revokes Mallory (cut-off: her one change); the node has not refreshed.
    anna.remove_writer(&plan, mallory.identity()).unwrap();
    // Enough late changes for the node to snapshot the document after the import.
    for i in 0..20 {
        mallory
            .add_goal(&plan, LifeDomain::Wonen, &format!("laat {i}"), None)
            .unwrap();
    }
    let late = node.import_bundle(&mallory.bundle(&plan).unwrap(), "mallory");
    assert!(
        late.is_err(),
        "judged under the revoking header the file holds: {late:?}"
    );
    holds_een_and_no_late_goal(&node, &plan, "not in the node's memory");
    node.compact_due().unwrap();
    drop((node, anna));
    let anna = Vault::open(&tmp.path().join("anna"), &pass()).unwrap();
    holds_een_and_no_late_goal(&anna, &plan, "no snapshot brings the late changes back on open");
}

/// The node takes a writer's changes and snapshots them; then a revoking
/// header whose cut-off lies below them reaches the file through the app
/// (made on Anna's other device before it saw them). That header drops the
/// node's snapshot, so the next open judges the rows beyond the cut-off
/// again; and the node, catching up, judges them again in memory too.
#[test]
fn a_revocation_stored_after_another_handle_snapshotted_late_changes_still_cuts_them_off() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut anna, mut mallory, plan) = plan_with_writer(tmp.path());
    mallory.add_goal(&plan, LifeDomain::Wonen, "een", None).unwrap();
    anna.import_bundle(&mallory.bundle(&plan).unwrap(), "mallory").unwrap();
    let mut node = Vault::open_with_key(anna.dir(), &anna.key()).unwrap();
    for i in 0..20 {
        mallory
            .add_goal(&plan, LifeDomain::Wonen, &format!("laat {i}"), None)
            .unwrap();
    }
    node.import_bundle(&mallory.bundle(&plan).unwrap(), "mallory").unwrap();
    node.compact_due().unwrap();
    let signed = revoking_header(&anna, &plan, &mallory, 1);
    anna.import_changes(&signed, &[], &[], "other device").unwrap();
    node.refresh().unwrap();
    holds_een_and_no_late_goal(&node, &plan, "judged again on catching up");
    node.compact_due().unwrap();
    drop((node, anna));
    let anna = Vault::open(&tmp.path().join("anna"), &pass()).unwrap();
    holds_een_and_no_late_goal(&anna, &plan, "no snapshot stands for rows beyond the new cut-off");
}

/// `v` holds Mallory's first goal ("een") and none of her late ones ("laat …").
fn holds_een_and_no_late_goal(v: &Vault, plan: &str, why: &str) {
    let texts = goal_texts(v, plan);
    assert!(texts.contains(&"een".to_string()), "{texts:?}");
    assert!(!texts.iter().any(|t| t.starts_with("laat")), "{why}: {texts:?}");
}
