//! The trust model on real vaults: a role is what the citizen granted, never
//! what a certificate says; policies count only from a trusted municipality;
//! an invite's role and the joiner's certificate must agree; a consent's last
//! day ends write access too.

use inwonercloud_schemas::{
    Access, Account, Date, Decision, DocKind, EntryKind, FundingStream, LedgerEntry, LifeDomain, Outcome, Policy,
    Quantity, Role, Unit,
};
use inwonercloud_tests::{day, eur, pass, vault};
use inwonercloud_vault::consent::InviteSpec;
use inwonercloud_vault::ledger::EntryStatus;
use inwonercloud_vault::{DecisionInput, NewRequest, Vault, VaultError};

fn request(v: &mut Vault) -> String {
    v.request_budget(NewRequest {
        stream: FundingStream::Wmo,
        category: "begeleiding_individueel".into(),
        quantity: Quantity::new(eur(900_000), Unit::Euro).unwrap(),
        period_start: day("2027-01-01"),
        period_end: day("2027-12-31"),
        goal_ids: vec![],
        motivation: "hulp thuis".into(),
        adjusts_account: None,
    })
    .unwrap()
    .id
}

fn grant() -> DecisionInput {
    DecisionInput {
        outcome: Outcome::Toegekend,
        granted: None,
        reasons: "past in het plan".into(),
        automated_rule: None,
    }
}

/// Hands `doc` from one vault to another, as a sync would.
fn pass_on(from: &Vault, to: &mut Vault, doc: &str) {
    to.import_bundle(&from.bundle(doc).unwrap(), "peer").unwrap();
}

#[test]
fn a_counselor_whose_vault_says_gemeente_cannot_grant() {
    let tmp = tempfile::tempdir().unwrap();
    let mut anna = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
    // Mallory made her vault as a "municipality", but Anna lets her write as a counselor.
    let mut mallory = vault(&tmp.path().join("mallory"), "Gemeente Nep", Role::Municipality);
    let budget = anna.budget_doc();
    anna.grant_consent(
        mallory.identity(),
        "Mallory",
        Role::Counselor,
        vec![budget.clone()],
        Access::Write,
        None,
        "hulp bij de aanvraag",
    )
    .unwrap();
    let req = request(&mut anna);
    pass_on(&anna, &mut mallory, &budget);

    // Through the API: refused, naming why.
    let e = mallory.decide(&req, grant()).unwrap_err();
    assert!(matches!(e, VaultError::NotAllowed(_)), "{e}");
    assert!(e.to_string().contains("municipality's role"), "{e}");

    // Around the API: Mallory signs a decision, an account and a grant of 9.000,00 herself.
    let account = inwonercloud_vault::assessment::account_for(&req);
    let decision = Decision {
        id: "nep-besluit".into(),
        request_id: req.clone(),
        outcome: Outcome::Toegekend,
        granted: Some(Quantity::new(eur(900_000), Unit::Euro).unwrap()),
        reasons: "zelf besloten".into(),
        automated_rule: None,
        date: day("2027-01-01"),
        funding: Vec::new(),
        categories: Vec::new(),
    };
    mallory.put_record(&budget, "nep-besluit", decision).unwrap();
    mallory
        .put_record(
            &budget,
            &account,
            Account {
                id: account.clone(),
                name: "Begeleiding 2027".into(),
                stream: FundingStream::Wmo,
                unit: Unit::Euro,
                period_start: day("2027-01-01"),
                period_end: day("2027-12-31"),
            },
        )
        .unwrap();
    mallory
        .put_record(
            &budget,
            "nep-toekenning",
            LedgerEntry {
                id: "nep-toekenning".into(),
                account: account.clone(),
                kind: EntryKind::Grant,
                amount: eur(900_000),
                category: Some("begeleiding_individueel".into()),
                date: day("2027-01-01"),
                note: String::new(),
                reference: Some("nep-besluit".into()),
            },
        )
        .unwrap();
    pass_on(&mallory, &mut anna, &budget);

    for (who, v) in [("Anna", &anna), ("Mallory", &mallory)] {
        let view = v.budget(&budget).unwrap();
        assert_eq!(
            view.report.accounts[&account].granted,
            eur(0),
            "{who}'s vault grants nothing on Mallory's word"
        );
        let line = view
            .report
            .lines
            .iter()
            .find(|l| l.entry.id == "nep-toekenning")
            .unwrap();
        assert!(
            matches!(&line.status, EntryStatus::Refused { reason } if reason.contains("only the municipality")),
            "{who}: {:?}",
            line.status
        );
        let r = v.requests(&budget).unwrap();
        assert!(r[0].decision.is_none(), "{who}: Mallory's decision is not a decision");
    }

    // The municipality Anna consented to as a municipality decides, and that counts.
    let mut gemeente = vault(&tmp.path().join("gemeente"), "Gemeente Woerden", Role::Municipality);
    anna.grant_consent(
        gemeente.identity(),
        "Gemeente Woerden",
        Role::Municipality,
        vec![budget.clone()],
        Access::Write,
        None,
        "beoordeling",
    )
    .unwrap();
    pass_on(&anna, &mut gemeente, &budget);
    gemeente.decide(&req, grant()).unwrap();
    pass_on(&gemeente, &mut anna, &budget);
    let view = anna.budget(&budget).unwrap();
    assert_eq!(view.report.accounts[&account].granted, eur(900_000));
    assert!(
        anna.trusted_municipalities()
            .unwrap()
            .contains_key(&gemeente.identity())
    );
    assert!(
        !anna.trusted_municipalities().unwrap().contains_key(&mallory.identity()),
        "a counselor consent makes no municipality"
    );
}

#[test]
fn an_invite_and_the_joiners_certificate_must_agree_on_the_role() {
    let tmp = tempfile::tempdir().unwrap();
    let mut anna = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
    let posing = vault(&tmp.path().join("posing"), "Gemeente Nep", Role::Municipality);
    let counselor = vault(&tmp.path().join("ben"), "Ben", Role::Counselor);
    let (secret, _) = anna
        .create_invite(
            InviteSpec {
                role: Role::Counselor,
                documents: vec![anna.plan_doc()],
                access: Access::Write,
                valid_until: None,
                purpose: "plan".into(),
                name_hint: "Ben".into(),
                device: false,
            },
            3600,
        )
        .unwrap();
    let e = anna.redeem_invite(&secret, posing.device_certificate()).unwrap_err();
    assert!(e.to_string().contains("roles must agree"), "{e}");
    assert!(anna.consents().unwrap().is_empty(), "nothing was granted");
    // The ticket was not used up: the person it was meant for still joins with it.
    anna.redeem_invite(&secret, counselor.device_certificate()).unwrap();
    let consents = anna.consents().unwrap();
    assert_eq!(consents.len(), 1);
    assert_eq!(consents[0].consent.record.grantee, counselor.identity());
    assert_eq!(
        anna.header(&anna.plan_doc()).unwrap().role_of(&counselor.identity()),
        Some(Role::Counselor)
    );
}

#[test]
fn a_policy_counts_only_from_a_trusted_municipality() {
    let tmp = tempfile::tempdir().unwrap();
    let mut anna = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
    let mut stranger = vault(&tmp.path().join("nep"), "Gemeente Nep", Role::Municipality);
    let mut policy = Policy::example("Gemeente Nep");
    policy.catalogue.source = "Nep-catalogus".into();
    stranger.publish_policy(policy).unwrap();
    pass_on(&stranger, &mut anna, &stranger.doc_id(DocKind::Policy));
    assert!(
        anna.policy().is_none(),
        "a policy from a key nobody trusted is held but not used"
    );
    assert_ne!(
        anna.catalogue().source,
        "Nep-catalogus",
        "the shipped catalogue stays in force"
    );
    anna.pin_municipality(stranger.identity(), "Gemeente Nep").unwrap();
    assert_eq!(anna.policy().unwrap().author, stranger.identity());
    assert_eq!(anna.catalogue().source, "Nep-catalogus");
    assert!(anna.unpin_municipality(&stranger.identity()).unwrap());
    assert!(anna.policy().is_none());
}

#[test]
fn a_consents_last_day_ends_write_access_too() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("anna");
    let mut anna = vault(&dir, "Anna", Role::Citizen);
    let mut ben = vault(&tmp.path().join("ben"), "Ben", Role::Counselor);
    let plan = anna.plan_doc();
    let yesterday = Date::from_unix(inwonercloud_vault::keys::now() - 86_400);
    anna.grant_consent(
        ben.identity(),
        "Ben",
        Role::Counselor,
        vec![plan.clone()],
        Access::Write,
        Some(yesterday),
        "tot gisteren",
    )
    .unwrap();
    pass_on(&anna, &mut ben, &plan);
    assert!(anna.header(&plan).unwrap().may_write(&ben.identity()));
    // Ben writes after the consent's last day, offline.
    ben.add_goal(&plan, LifeDomain::Wonen, "te laat", None).unwrap();
    drop(anna);

    // Anna's vault ends the consent when it opens, before anything from Ben arrives.
    let mut anna = Vault::open(&dir, &pass()).unwrap();
    let h = anna.header(&plan).unwrap().clone();
    assert!(!h.may_write(&ben.identity()), "Ben is no longer a writer");
    assert_eq!(
        h.revoked[0].role,
        Some(Role::Counselor),
        "what he wrote before keeps its role"
    );
    let e = anna.import_bundle(&ben.bundle(&plan).unwrap(), "ben").unwrap_err();
    assert!(e.to_string().contains("may not write"), "{e}");
    assert!(
        anna.plan(&plan).unwrap().goals.is_empty(),
        "the late goal is not in Anna's plan"
    );
    assert_eq!(anna.expire_consents().unwrap(), 0, "ending it once is enough");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_with_its_own_keys_places_nothing_and_is_not_remembered() {
    let tmp = tempfile::tempdir().unwrap();
    let anna = inwonercloud_tests::node(&tmp.path().join("anna"), "Anna", Role::Citizen).await;
    let peers_before = anna.with_vault(|v| v.peers().unwrap().len());
    // Three strangers, each a fresh identity with a self-made certificate,
    // dial Anna and offer their own documents.
    for i in 0..3 {
        let s = inwonercloud_tests::node(&tmp.path().join(format!("s{i}")), "Vreemde", Role::Citizen).await;
        s.with_vault(|v| {
            let plan = v.plan_doc();
            v.add_goal(&plan, LifeDomain::Wonen, "spam", None).unwrap();
        });
        inwonercloud_tests::sync(&s, &anna).await;
        let s_id = s.with_vault(|v| v.identity());
        let held: Vec<String> = anna.with_vault(|v| v.document_ids());
        assert!(
            held.iter().all(|d| !d.starts_with(&s_id.to_string())),
            "no document of stranger {i} is held: {held:?}"
        );
    }
    assert_eq!(
        anna.with_vault(|v| v.peers().unwrap().len()),
        peers_before,
        "strangers are not remembered as peers"
    );

    // Someone Anna invited is admitted and remembered.
    let ben = inwonercloud_tests::node(&tmp.path().join("ben"), "Ben", Role::Counselor).await;
    let t = inwonercloud_tests::invite(&anna, Role::Counselor, &[DocKind::Plan], Access::Read);
    ben.join(&t.to_string().parse().unwrap()).await.unwrap();
    inwonercloud_tests::sync(&ben, &anna).await;
    let ben_id = ben.with_vault(|v| v.identity());
    assert!(anna.with_vault(|v| v.is_admitted(&ben_id)));
    assert!(
        anna.with_vault(|v| v.peers().unwrap())
            .iter()
            .any(|p| p.identity == ben_id)
    );
}

#[test]
fn a_person_may_be_family_but_an_organisation_only_itself() {
    use Role::*;
    assert!(
        Role::invitable_as(Citizen, Family),
        "a budget holder is family in her mother's vault"
    );
    assert!(Role::invitable_as(Family, Citizen));
    assert!(!Role::invitable_as(Municipality, Counselor));
    assert!(!Role::invitable_as(Counselor, Municipality));
    assert!(!Role::invitable_as(Citizen, Municipality));
    assert!(!Role::invitable_as(Provider, Family));
    for r in Role::ALL {
        assert!(Role::invitable_as(r, r));
    }
}

#[test]
fn a_writer_cannot_put_back_an_older_version_of_someone_elses_record() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut anna, mut mallory, plan) = inwonercloud_tests::plan_with_writer(tmp.path());
    let goal = anna.plan(&plan).unwrap().goals[0].clone();
    // Anna marks her goal reached; the old "active" version stays in history.
    anna.set_goal_status(&plan, &goal.record.id, inwonercloud_schemas::GoalStatus::Bereikt)
        .unwrap();
    pass_on(&anna, &mut mallory, &plan);
    // Mallory, a writer, puts Anna's own older signed version back under its key.
    let old = serde_json::to_string(&goal.signed).unwrap();
    let base = mallory.signed_changes(&plan).unwrap();
    let key = format!("goal/{}", goal.record.id);
    let change = inwonercloud_tests::change_on_top(&mallory, &plan, &base, &key, &old, None);
    let header = mallory.bundle(&plan).unwrap().header;
    let certs = vec![mallory.device_certificate().clone()];
    anna.import_changes(&header, &certs, &[change], "mallory").unwrap();
    let view = anna.plan(&plan).unwrap();
    assert!(
        view.goals
            .iter()
            .all(|g| g.record.status == inwonercloud_schemas::GoalStatus::Bereikt),
        "the older version does not count as Anna's: {:?}",
        view.goals
    );
    assert!(
        view.bad.iter().any(|b| b.why.contains("placed here by someone else")),
        "and it is named: {:?}",
        view.bad
    );
}

#[test]
fn a_revoked_consent_takes_its_role_along_and_a_cut_off_revocation_is_repaired() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("anna");
    let mut anna = vault(&dir, "Anna", Role::Citizen);
    let x = vault(&tmp.path().join("x"), "Xander", Role::Counselor).identity();
    let budget = anna.budget_doc();
    let consent = |anna: &mut Vault, role| {
        anna.grant_consent(x, "Xander", role, vec![budget.clone()], Access::Write, None, "hulp")
            .unwrap()
            .id
    };
    consent(&mut anna, Role::Counselor);
    let municipal = consent(&mut anna, Role::Municipality);
    assert_eq!(anna.header(&budget).unwrap().role_of(&x), Some(Role::Municipality));
    anna.revoke_consent(&municipal, "vergissing").unwrap();
    assert_eq!(
        anna.header(&budget).unwrap().role_of(&x),
        Some(Role::Counselor),
        "the counselor consent still holds, the municipality's role went with its consent"
    );
    assert!(!anna.trusted_municipalities().unwrap().contains_key(&x));

    // A revocation stored without its header edit (a crash in between) is
    // repaired when the vault next opens.
    let counselor = anna
        .consents()
        .unwrap()
        .into_iter()
        .find(|c| c.active)
        .unwrap()
        .consent
        .record
        .id;
    let consents_doc = anna.consents_doc();
    anna.put_record(
        &consents_doc,
        &counselor,
        inwonercloud_schemas::Revocation {
            consent_id: counselor.clone(),
            reason: "stroomuitval".into(),
            at: keys_now(),
        },
    )
    .unwrap();
    assert!(
        anna.header(&budget).unwrap().may_write(&x),
        "only the record was written"
    );
    drop(anna);
    let anna = Vault::open(&dir, &pass()).unwrap();
    assert!(!anna.header(&budget).unwrap().may_write(&x), "repaired on open");
}

fn keys_now() -> u64 {
    inwonercloud_vault::keys::now()
}

#[test]
fn a_transfer_makes_no_one_the_citizens_municipality() {
    let tmp = tempfile::tempdir().unwrap();
    let mut anna = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
    // A peer whose own certificate says "gemeente", known to Anna.
    let posing = vault(&tmp.path().join("nep"), "Gemeente Nep", Role::Municipality);
    anna.remember_peer(&inwonercloud_vault::PeerInfo {
        identity: posing.identity(),
        name: "Gemeente Nep".into(),
        role: Role::Municipality,
        devices: vec![],
        addrs: vec![],
        last_seen: 0,
        postbus: None,
    })
    .unwrap();
    let account = inwonercloud_tests::euro_account(&mut anna, "Wmo", FundingStream::Wmo);
    let budget = anna.budget_doc();
    anna.top_up(&budget, &account, eur(10_000), day("2026-02-01"), "")
        .unwrap();
    anna.offer_transfer(posing.identity(), &account, eur(1_000), "begeleiding_individueel", "x")
        .unwrap();
    assert!(
        anna.consents()
            .unwrap()
            .iter()
            .any(|c| c.consent.record.grantee == posing.identity()),
        "the transfer opened an exchange under a consent"
    );
    assert!(
        !anna.trusted_municipalities().unwrap().contains_key(&posing.identity()),
        "a transfer's consent carries no municipality role"
    );
}
