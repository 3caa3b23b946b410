//! Review of the exact id lookups: a record is found by its exact id through
//! the documents' key maps. Another writer can put anything under any key of
//! a document it may write, so a key alone proves nothing: a broken value or
//! a copied id in one document must neither hide the genuine record in
//! another nor stand in for it.

use std::path::Path;

use inwonercloud_schemas::{DocKind, FundingStream, Role, Verdict};
use inwonercloud_tests::{change_on_top, day, euro_account, hand_over, offering, remember, vault};
use inwonercloud_vault::{Vault, VaultError};
use rust_decimal::Decimal;

/// A citizen with countersigned agreements with two providers. The honest
/// one declared; the other (whose agreement document the citizen's vault
/// lists first) is the attacker.
struct Setup {
    burger: Vault,
    honest: Vault,
    attacker: Vault,
    account: String,
    declaration: String,
    honest_doc: String,
    attacker_doc: String,
    attacker_agreement: String,
}

fn setup(root: &Path) -> Setup {
    let mut burger = vault(&root.join("burger"), "Sanne", Role::Citizen);
    let account = euro_account(&mut burger, "Eigen geld", FundingStream::EigenBijdrage);
    let budget = burger.budget_doc();
    burger
        .top_up(&budget, &account, Decimal::from(5000), day("2026-02-01"), "")
        .unwrap();
    let mut a = vault(&root.join("a"), "Thuiszorg Noord", Role::Provider);
    let mut b = vault(&root.join("b"), "Buurtzorg Zuid", Role::Provider);
    let mut agreements = vec![];
    for p in [&mut a, &mut b] {
        let o = p.publish_offering(offering(p.name(), Decimal::from(60))).unwrap();
        hand_over(p, &mut burger, &p.doc_id(DocKind::Catalogue));
        let ag = burger
            .order(&o.id, &account, Decimal::from(8), day("2026-03-01"), day("2026-06-30"))
            .unwrap();
        let doc = burger.agreement_doc_id(&p.identity());
        hand_over(&burger, p, &doc);
        p.countersign(&ag.id).unwrap();
        hand_over(p, &mut burger, &doc);
        agreements.push((doc, ag.id));
    }
    // The attacker is the provider whose agreement document comes first.
    let (mut honest, attacker, (honest_doc, honest_ag), (attacker_doc, attacker_agreement)) =
        if agreements[0].0 < agreements[1].0 {
            (b, a, agreements.remove(1), agreements.remove(0))
        } else {
            (a, b, agreements.remove(0), agreements.remove(0))
        };
    let d = honest
        .declare(
            &honest_ag,
            Decimal::from(3),
            day("2026-03-01"),
            day("2026-03-31"),
            "maart",
        )
        .unwrap();
    hand_over(&honest, &mut burger, &honest_doc);
    Setup {
        burger,
        honest,
        attacker,
        account,
        declaration: d.id,
        honest_doc,
        attacker_doc,
        attacker_agreement,
    }
}

/// The attacker writes `value` under `key` in its own agreement document (it
/// may write there) and the citizen imports it, as a sync would.
fn plant(s: &mut Setup, key: &str, value: &str) {
    let base = s.attacker.signed_changes(&s.attacker_doc).unwrap();
    let change = change_on_top(&s.attacker, &s.attacker_doc, &base, key, value, None);
    let header = s.burger.bundle(&s.attacker_doc).unwrap().header;
    let certs = vec![s.attacker.device_certificate().clone()];
    s.burger.import_changes(&header, &certs, &[change], "attacker").unwrap();
}

#[test]
fn a_broken_value_under_a_copied_id_hides_no_genuine_declaration() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = setup(tmp.path());
    let key = format!("declaration/{}", s.declaration);
    plant(&mut s, &key, "not a record");

    let (a, d) = s
        .burger
        .declaration(&s.declaration)
        .expect("the genuine declaration is still found");
    assert_eq!(a.doc, s.honest_doc);
    assert_eq!(d.declaration.author, s.honest.identity());
    s.burger
        .judge_declaration(&s.declaration, Verdict::Goedgekeurd)
        .expect("and can be approved");
}

#[test]
fn a_declaration_under_a_copied_id_is_never_the_one_approved() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = setup(tmp.path());
    // A declaration signed by the attacker for its own agreement, under the
    // honest declaration's id, for far more units.
    let genuine = s.burger.declaration(&s.declaration).unwrap().1.declaration.record;
    let forged = inwonercloud_schemas::Declaration {
        agreement_id: s.attacker_agreement.clone(),
        units: Decimal::from(8),
        ..genuine
    };
    let signed = inwonercloud_vault::keys::sign_record(
        forged,
        s.attacker.device_key(),
        s.attacker.device_certificate(),
        inwonercloud_vault::keys::now(),
    );
    let key = format!("declaration/{}", s.declaration);
    plant(&mut s, &key, &serde_json::to_string(&signed).unwrap());

    // Both declarations are in the list the citizen sees, under one id.
    let listed: Vec<_> = s
        .burger
        .agreements()
        .unwrap()
        .into_iter()
        .flat_map(|a| a.declarations.into_iter().map(move |d| (a.doc.clone(), d)))
        .filter(|(_, d)| d.declaration.record.id == s.declaration)
        .collect();
    assert_eq!(
        listed.len(),
        2,
        "the copy is a valid declaration of the attacker's agreement"
    );

    // Looking the id up must not silently pick the attacker's.
    match s.burger.declaration(&s.declaration) {
        Ok((a, _)) => assert_eq!(a.doc, s.honest_doc, "the id picked the attacker's declaration"),
        Err(e) => assert!(matches!(e, VaultError::AmbiguousRecord { .. }), "{e}"),
    }
    let before = s.burger.budget(&s.burger.budget_doc()).unwrap().report.accounts[&s.account].clone();
    let judged = s.burger.judge_declaration(&s.declaration, Verdict::Goedgekeurd);
    let after = s.burger.budget(&s.burger.budget_doc()).unwrap().report.accounts[&s.account].clone();
    let attacker_approved = s
        .burger
        .agreements()
        .unwrap()
        .into_iter()
        .filter(|a| a.doc == s.attacker_doc)
        .flat_map(|a| a.declarations)
        .any(|d| d.approval.is_some());
    assert!(
        !attacker_approved,
        "the citizen approved the attacker's declaration: {judged:?}"
    );
    if judged.is_err() {
        assert_eq!(format!("{before:?}"), format!("{after:?}"));
    }
}

/// Redeeming an invite is one action: it uses up the ticket, stores the
/// peer's certificate and grants the consent. When any of its writes fails,
/// none of it stays — above all, the ticket is not used up by a redemption
/// that granted nothing (the peer could never join with it again).
#[test]
fn a_redemption_that_fails_at_any_write_leaves_the_ticket_usable() {
    use inwonercloud_vault::consent::InviteSpec;
    use inwonercloud_vault::store::Fault;

    let tmp = tempfile::tempdir().unwrap();
    let mut anna = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
    let hulp = vault(&tmp.path().join("hulp"), "Wijkteam", Role::Counselor);
    let plan = anna.plan_doc();
    anna.add_goal(
        &plan,
        inwonercloud_schemas::LifeDomain::Wonen,
        "zelfstandig wonen",
        None,
    )
    .unwrap();
    let (secret, _) = anna
        .create_invite(
            InviteSpec {
                role: Role::Counselor,
                documents: vec![plan.clone()],
                access: inwonercloud_schemas::Access::Write,
                valid_until: None,
                purpose: "begeleiding".into(),
                name_hint: String::new(),
                device: false,
            },
            3600,
        )
        .unwrap();
    let mut step = 1;
    loop {
        anna.inject_fault(Some(Fault::ErrorAt(step)));
        let r = anna.redeem_invite(&secret, hulp.device_certificate());
        anna.inject_fault(None);
        if r.is_ok() {
            break;
        }
        let invites = anna.invites().unwrap();
        assert_eq!(
            invites[0].used_by, None,
            "write {step} failed, yet the ticket is used up"
        );
        assert!(anna.consents().unwrap().is_empty(), "write {step}");
        let hulp_device = hulp.device_key().public();
        assert!(
            !anna.known_devices().iter().any(|c| c.certificate.device == hulp_device),
            "write {step} failed, yet the peer's certificate is held"
        );
        assert!(
            !anna.header(&plan).unwrap().writers.contains(&hulp.identity()),
            "write {step}"
        );
        step += 1;
        assert!(step < 50, "the redemption never succeeds");
    }
    assert!(step > 2, "the faults hit the redemption's writes");
    assert_eq!(anna.invites().unwrap()[0].used_by, Some(hulp.identity()));
    assert!(anna.header(&plan).unwrap().writers.contains(&hulp.identity()));
}

/// An import inside an action (an action inside an action) lands in the
/// action's transaction; memory must hold what it imported as soon as the
/// action commits, not only after the next write.
#[test]
fn an_import_inside_an_action_is_in_memory_when_the_action_commits() {
    use inwonercloud_schemas::LifeDomain;
    let tmp = tempfile::tempdir().unwrap();
    let (mut anna, mut hulp, plan) = inwonercloud_tests::plan_with_writer(tmp.path());
    hulp.add_goal(&plan, LifeDomain::Wonen, "van de hulp", None).unwrap();
    let bundle = hulp.bundle(&plan).unwrap();
    // And a document Anna does not hold yet.
    let mut buur = vault(&tmp.path().join("buur"), "Buur", Role::Citizen);
    let own = buur.plan_doc();
    buur.add_goal(&own, LifeDomain::Wonen, "eigen doel", None).unwrap();
    let new_doc = buur.bundle(&own).unwrap();
    anna.transact(|v| {
        v.add_goal(&plan, LifeDomain::Wonen, "van Anna", None)?;
        v.import_bundle(&bundle, "hulp")?;
        v.import_bundle(&new_doc, "buur")?;
        Ok(())
    })
    .unwrap();
    assert_eq!(
        inwonercloud_tests::goal_texts(&anna, &own),
        ["eigen doel"],
        "a new document, in memory"
    );
    let texts = |v: &Vault| {
        let mut t = inwonercloud_tests::goal_texts(v, &plan);
        t.sort();
        t
    };
    assert_eq!(texts(&anna), ["doel", "van Anna", "van de hulp"], "memory");
    let rows = anna.change_count(&plan).unwrap();
    let dir = anna.dir().to_path_buf();
    drop(anna);
    let anna = Vault::open(&dir, &inwonercloud_tests::pass()).unwrap();
    assert_eq!(texts(&anna), ["doel", "van Anna", "van de hulp"], "file");
    assert_eq!(anna.change_count(&plan).unwrap(), rows);
    assert_eq!(
        inwonercloud_tests::goal_texts(&anna, &own),
        ["eigen doel"],
        "a new document, in the file"
    );
}

/// A transfer is accepted by its exact id: a sender who copies another
/// sender's transfer id into its own exchange document must not have its
/// transfer accepted in the other's place.
#[test]
fn a_transfer_under_a_copied_id_is_never_the_one_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let mut moeder = vault(&tmp.path().join("moeder"), "Moeder", Role::Citizen);
    let into = euro_account(&mut moeder, "Mantelzorg", FundingStream::EigenBijdrage);
    let mut senders = vec![];
    for name in ["Sanne", "Mallory"] {
        let mut v = vault(&tmp.path().join(name), name, Role::Citizen);
        let account = euro_account(&mut v, "Eigen geld", FundingStream::EigenBijdrage);
        let budget = v.budget_doc();
        v.top_up(&budget, &account, Decimal::from(1000), day("2026-02-01"), "")
            .unwrap();
        remember(&mut v, &moeder);
        let amount = Decimal::from(if senders.is_empty() { 40 } else { 1 });
        let t = v
            .offer_transfer(moeder.identity(), &account, amount, "begeleiding_informeel", "huur")
            .unwrap();
        let doc = v.exchange_doc_id(&moeder.identity());
        senders.push((v, doc, t));
    }
    // The attacker is the sender whose exchange document comes first.
    senders.sort_by(|a, b| b.1.cmp(&a.1));
    let (mut attacker, attacker_doc, mine) = senders.pop().unwrap();
    let (honest, honest_doc, genuine) = senders.pop().unwrap();
    let copy = inwonercloud_schemas::Transfer {
        id: genuine.id.clone(),
        ..mine
    };
    attacker.put_record(&attacker_doc, &genuine.id, copy).unwrap();
    hand_over(&honest, &mut moeder, &honest_doc);
    hand_over(&attacker, &mut moeder, &attacker_doc);

    let judged = moeder.accept_transfer(&genuine.id, &into);
    let accepted: Vec<String> = moeder
        .transfers()
        .unwrap()
        .into_iter()
        .filter(|t| t.acceptance.is_some())
        .map(|t| t.doc)
        .collect();
    assert!(
        !accepted.contains(&attacker_doc),
        "the mother accepted the attacker's transfer: {judged:?}"
    );
    match judged {
        Ok(_) => assert_eq!(accepted, [honest_doc]),
        Err(e) => assert!(matches!(e, VaultError::AmbiguousRecord { .. }), "{e}"),
    }
}

/// A second handle on the same file in the same process (the window's
/// claim check opens one) writes only after the running action commits,
/// and then goes on from the action's changes: the same device never
/// signs two changes with one sequence number.
#[test]
fn a_second_handle_writing_during_an_action_waits_for_it() {
    use inwonercloud_schemas::LifeDomain;
    let tmp = tempfile::tempdir().unwrap();
    let mut anna = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
    let plan = anna.plan_doc();
    anna.add_goal(&plan, LifeDomain::Wonen, "een", None).unwrap();
    let dir = anna.dir().to_path_buf();
    let key = anna.key().clone();
    let second = anna
        .transact(|v| {
            v.add_goal(&plan, LifeDomain::Wonen, "in de actie", None)?;
            let (d, p) = (dir.clone(), plan.clone());
            let h = std::thread::spawn(move || {
                let mut b = Vault::open_with_key(&d, &key).unwrap();
                b.add_goal(&p, LifeDomain::Wonen, "van de tweede", None).unwrap();
            });
            std::thread::sleep(std::time::Duration::from_millis(300));
            assert!(!h.is_finished(), "the second handle wrote while the action was open");
            v.add_goal(&plan, LifeDomain::Wonen, "nog in de actie", None)?;
            Ok(h)
        })
        .unwrap();
    second.join().unwrap();
    anna.refresh().unwrap();
    let mut goals = inwonercloud_tests::goal_texts(&anna, &plan);
    goals.sort();
    assert_eq!(goals, ["een", "in de actie", "nog in de actie", "van de tweede"]);
    assert!(anna.rejections().unwrap().is_empty());
    drop(anna);
    let anna = Vault::open(&dir, &inwonercloud_tests::pass()).unwrap();
    assert_eq!(inwonercloud_tests::goal_texts(&anna, &plan).len(), 4);
    assert!(anna.rejections().unwrap().is_empty());
}

/// A write that fails inside an action fails the action, even when the
/// action ignores the error and goes on; a document it created is gone
/// again, from memory and from the file.
#[test]
fn a_swallowed_write_error_fails_the_action_and_its_new_document_is_gone() {
    use inwonercloud_schemas::LifeDomain;
    use inwonercloud_vault::store::Fault;
    let tmp = tempfile::tempdir().unwrap();
    let mut anna = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
    let zorg = vault(&tmp.path().join("zorg"), "Zorg", Role::Provider);
    let plan = anna.plan_doc();
    let before = anna.document_ids();
    let rows = anna.change_count(&plan).unwrap();
    let r: inwonercloud_vault::Result<()> = anna.transact(|v| {
        let doc = v.open_agreement_doc(zorg.identity())?;
        assert!(v.document_ids().contains(&doc));
        v.add_goal(&plan, LifeDomain::Wonen, "een", None)?;
        v.inject_fault(Some(Fault::ErrorAt(1)));
        let swallowed = v.add_goal(&plan, LifeDomain::Wonen, "twee", None);
        assert!(swallowed.is_err());
        v.add_goal(&plan, LifeDomain::Wonen, "drie", None)?;
        Ok(())
    });
    assert!(r.is_err(), "the action committed past a failed write");
    assert_eq!(anna.document_ids(), before, "memory");
    assert_eq!(anna.change_count(&plan).unwrap(), rows, "memory");
    let dir = anna.dir().to_path_buf();
    drop(anna);
    let anna = Vault::open(&dir, &inwonercloud_tests::pass()).unwrap();
    assert_eq!(anna.document_ids(), before, "file");
    assert_eq!(anna.change_count(&plan).unwrap(), rows, "file");
}

/// Creating a vault is one action too: when any of its writes fails (or
/// the process dies there), no half-made vault is left that opens without
/// its documents or blocks creating it again.
#[test]
fn a_vault_whose_creation_fails_at_any_write_can_be_created_again() {
    use inwonercloud_vault::store::{Fault, inject_fault_on_create};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("anna");
    let create = || {
        Vault::create(
            &dir,
            inwonercloud_vault::CreateOptions {
                name: "Anna".into(),
                role: Role::Citizen,
                device_name: "laptop".into(),
                passphrase: inwonercloud_tests::pass(),
            },
        )
    };
    let mut step = 1;
    let v = loop {
        inject_fault_on_create(Some(Fault::ErrorAt(step)));
        let r = create();
        inject_fault_on_create(None);
        match r {
            Ok(v) => break v,
            Err(e) => {
                assert!(
                    !Vault::exists(&dir),
                    "write {step} failed ({e}), yet a half-made vault is there"
                );
                step += 1;
                assert!(step < 100, "creating never succeeds");
            }
        }
    };
    assert!(step > 3, "the faults hit the creation's writes");
    // An empty file (the process died as the file was made) is no vault either.
    let empty = tmp.path().join("leeg");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join(inwonercloud_vault::DB_FILE), b"").unwrap();
    assert!(!Vault::exists(&empty));
    inwonercloud_tests::vault(&empty, "Leeg", Role::Citizen);
    let docs = v.document_ids();
    assert_eq!(docs.len(), 5, "{docs:?}");
    drop(v);
    let v = Vault::open(&dir, &inwonercloud_tests::pass()).unwrap();
    assert_eq!(v.document_ids(), docs);
    assert_eq!(v.name(), "Anna");
}

/// A record's signature once covered the record and its time, not who the
/// signing device belongs to: the certificate beside it said that. Someone
/// holding a citizen's grant chain (every provider she buys from receives
/// it in a claim bundle) could put her request under a certificate of an
/// identity of his own for her device key, and claim her municipal grant a
/// second time as that identity. Record signatures now cover the signer's
/// identity (`signing_bytes`, v2), so the re-certified request no longer
/// verifies.
#[test]
fn a_grant_cannot_be_claimed_again_under_another_identity_for_the_citizens_device() {
    use inwonercloud_schemas::{Agreement, AgreementSignature, Approval, Declaration};
    use inwonercloud_vault::keys::{SecretKey, certify_device, now, record_hash, sign_record};
    use inwonercloud_vault::{DecisionInput, NewRequest, TrustRoots};

    let tmp = tempfile::tempdir().unwrap();
    let mut burger = vault(&tmp.path().join("burger"), "Sanne", Role::Citizen);
    let mut zorg = vault(&tmp.path().join("zorg"), "Thuiszorg Noord", Role::Provider);
    let mut gemeente = vault(&tmp.path().join("gemeente"), "Gemeente Oss", Role::Municipality);
    let budget = burger.budget_doc();
    let req = burger
        .request_budget(NewRequest {
            stream: FundingStream::Wmo,
            category: "begeleiding_individueel".into(),
            quantity: inwonercloud_schemas::Quantity::new(Decimal::from(600), inwonercloud_schemas::Unit::Euro)
                .unwrap(),
            period_start: day("2026-04-01"),
            period_end: day("2026-12-31"),
            goal_ids: vec![],
            motivation: "begeleiding bij wonen".into(),
            adjusts_account: None,
        })
        .unwrap();
    burger
        .grant_consent(
            gemeente.identity(),
            "Gemeente Oss",
            Role::Municipality,
            vec![budget.clone()],
            inwonercloud_schemas::Access::Write,
            None,
            "beoordeling",
        )
        .unwrap();
    hand_over(&burger, &mut gemeente, &budget);
    gemeente
        .decide(
            &req.id,
            DecisionInput {
                outcome: inwonercloud_schemas::Outcome::Toegekend,
                granted: None,
                reasons: "past in het beleid".into(),
                automated_rule: None,
            },
        )
        .unwrap();
    hand_over(&gemeente, &mut burger, &budget);
    let account = inwonercloud_vault::assessment::account_for(&req.id);

    // Sanne buys 10 hours at 60 (600, all of the grant); the provider
    // declares them and she approves.
    let o = zorg
        .publish_offering(offering("Thuiszorg Noord", Decimal::from(60)))
        .unwrap();
    hand_over(&zorg, &mut burger, &zorg.doc_id(DocKind::Catalogue));
    let ag = burger
        .order(&o.id, &account, Decimal::from(10), day("2026-05-01"), day("2026-06-30"))
        .unwrap();
    let ag_doc = burger.agreement_doc_id(&zorg.identity());
    hand_over(&burger, &mut zorg, &ag_doc);
    zorg.countersign(&ag.id).unwrap();
    let d = zorg
        .declare(&ag.id, Decimal::from(10), day("2026-05-01"), day("2026-05-31"), "mei")
        .unwrap();
    hand_over(&zorg, &mut burger, &ag_doc);
    burger.judge_declaration(&d.id, Verdict::Goedgekeurd).unwrap();
    let trust = TrustRoots::new([gemeente.identity()]).unwrap();
    let bundles = burger.claim_bundles().unwrap();
    assert_eq!(bundles.len(), 1);
    let genuine = bundles[0].clone();
    assert_eq!(
        inwonercloud_vault::claims::check_claims(&bundles, &trust).valid_count(),
        1
    );

    // The provider, holding that bundle, makes up a citizen "Mallory" and
    // claims the same 600 again.
    let mallory = SecretKey::generate().unwrap();
    let mallory_device = SecretKey::generate().unwrap();
    let mallory_cert = certify_device(&mallory, "Mallory", Role::Citizen, mallory_device.public(), "x", 1);
    let agreement = Agreement {
        id: "tweede".into(),
        citizen: mallory.public(),
        ..genuine.agreement.record.clone()
    };
    let agreement = sign_record(agreement, &mallory_device, &mallory_cert, now());
    let countersignature = sign_record(
        AgreementSignature {
            agreement_id: "tweede".into(),
            agreement_hash: record_hash(&agreement),
        },
        zorg.device_key(),
        zorg.device_certificate(),
        now(),
    );
    let declaration = sign_record(
        Declaration {
            id: "nog-een-keer".into(),
            agreement_id: "tweede".into(),
            ..genuine.declaration.record.clone()
        },
        zorg.device_key(),
        zorg.device_certificate(),
        now(),
    );
    let approval = sign_record(
        Approval {
            id: "goed".into(),
            declaration_id: "nog-een-keer".into(),
            declaration_hash: record_hash(&declaration),
            verdict: Verdict::Goedgekeurd,
        },
        &mallory_device,
        &mallory_cert,
        now(),
    );
    let mut grants = genuine.grants.clone();
    for g in &mut grants {
        // Sanne's own request and signature, under Mallory's certificate for Sanne's device key.
        let c = &g.request.device.certificate;
        g.request.device = certify_device(
            &mallory,
            "Mallory",
            Role::Citizen,
            c.device,
            &c.device_name,
            c.issued_at,
        );
    }
    let second = inwonercloud_vault::ClaimBundle {
        agreement,
        countersignature: Some(countersignature),
        declaration,
        approval,
        grants,
        cancellation: None,
        mandates: vec![],
        revocations: vec![],
    };
    // Alone (a claims file of its own), and first in a file with the genuine claim.
    let alone = inwonercloud_vault::claims::check_claims(std::slice::from_ref(&second), &trust);
    let first = inwonercloud_vault::claims::check_claims(&[second, genuine.clone()], &trust);
    let valid = |r: &inwonercloud_vault::ClaimReport, id: &str| r.claims.iter().any(|c| c.claim == id && c.valid);
    assert!(
        !valid(&alone, "nog-een-keer"),
        "Sanne's grant paid out to Mallory: {:?}",
        alone.claims
    );
    assert!(!valid(&first, "nog-een-keer"), "{:?}", first.claims);
    assert!(
        valid(&first, &genuine.declaration.record.id),
        "Sanne's own claim lost its grant: {:?}",
        first.claims
    );
}
