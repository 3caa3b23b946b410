//! The municipality's `verify_claims` over many citizens gives, claim by
//! claim, the verdicts each citizen's own vault gives over her own claims:
//! gathering them once for all held budgets (one read of the transfers, one
//! index of declarations by citizen, signatures checked across documents)
//! mixes nothing up between citizens. The world holds the cases that
//! gathering touches: a citizen with two granted accounts, a transfer out
//! of a granted account into another citizen's granted account, a spend
//! beyond what is left after it, own spends with and without a receipt, and
//! declarations under agreements with one provider for every citizen.

use std::collections::BTreeMap;

use inwonercloud_schemas::{Role, Verdict};
use inwonercloud_sync::Node;
use inwonercloud_tests::{day, eur, node, sync};
use inwonercloud_vault::budget::NewEntry;
use inwonercloud_vault::receipts::NewFile;
use inwonercloud_vault::{ClaimReport, ClaimResult};
use rust_decimal::Decimal;

use super::market::{grant, granted_citizen, order};
use super::receipts::photo;
use super::review_claims::spend as own_spend;

/// The provider declares `hours` in each listed month and the citizen approves.
async fn declare_and_approve(citizen: &Node, provider: &Node, ag: &str, months: &[(i64, &str, &str)]) {
    for (hours, from, to) in months {
        let d = provider.with_vault(|v| {
            v.declare(ag, Decimal::from(*hours), day(from), day(to), "zorg")
                .unwrap()
        });
        sync(provider, citizen).await;
        citizen.with_vault(|v| v.judge_declaration(&d.id, Verdict::Goedgekeurd).unwrap());
    }
}

/// A citizen's spend with or without a receipt (a photo named `tag`).
fn spend_with(citizen: &Node, e: NewEntry, tag: Option<&str>) -> String {
    let budget = citizen.with_vault(|v| v.budget_doc());
    let files = tag
        .map(|t| {
            vec![NewFile {
                name: "bon.png".into(),
                bytes: photo(t),
            }]
        })
        .unwrap_or_default();
    citizen.with_vault(|v| v.record_spend(&budget, e, files)).unwrap().0.id
}

/// Per claim id, its verdict.
fn by_claim(r: &ClaimReport) -> BTreeMap<String, ClaimResult> {
    r.claims.iter().map(|c| (c.claim.clone(), c.clone())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_municipality_reports_each_citizen_as_her_own_vault_does() {
    let tmp = tempfile::tempdir().unwrap();
    let gemeente = node(&tmp.path().join("g"), "Gemeente", Role::Municipality).await;
    let linde = node(&tmp.path().join("p"), "Zorg De Linde", Role::Provider).await;
    let anna = node(&tmp.path().join("a"), "Anna", Role::Citizen).await;
    let bert = node(&tmp.path().join("b"), "Bert", Role::Citizen).await;
    let cees = node(&tmp.path().join("c"), "Cees", Role::Citizen).await;

    // Anna: two granted accounts (care and aids), care declared by the
    // provider, aids spent herself with and without a receipt.
    let anna_care = granted_citizen(&anna, &gemeente, 300_000).await;
    let anna_aids = grant(&anna, &gemeente, "hulpmiddel", 50_000).await;
    let (_, anna_ag) = order(&anna, &linde, &anna_care, eur(6000), 20).await;
    declare_and_approve(
        &anna,
        &linde,
        &anna_ag,
        &[(6, "2027-01-01", "2027-01-31"), (5, "2027-02-01", "2027-02-28")],
    )
    .await;
    spend_with(
        &anna,
        own_spend(&anna_aids, 12_000, "hulpmiddel", "2027-03-01", "rollator"),
        Some("BON-ROLLATOR"),
    );
    spend_with(
        &anna,
        own_spend(&anna_aids, 4_000, "hulpmiddel", "2027-03-02", "zonder bon"),
        None,
    );

    // Bert: one granted account, declared care; he receives part of
    // Cees's grant into that account.
    let bert_care = granted_citizen(&bert, &gemeente, 200_000).await;
    let (_, bert_ag) = order(&bert, &linde, &bert_care, eur(5500), 20).await;
    declare_and_approve(&bert, &linde, &bert_ag, &[(4, "2027-01-01", "2027-01-31")]).await;

    // Cees: one granted account; he moves 1.000,00 of it to Bert (both
    // sign), then spends more than is left after it on his own receipts.
    let cees_care = granted_citizen(&cees, &gemeente, 150_000).await;
    let t = inwonercloud_tests::invite(
        &cees,
        Role::Family,
        &[inwonercloud_schemas::DocKind::Plan],
        inwonercloud_schemas::Access::Read,
    );
    bert.join(&t.to_string().parse().unwrap()).await.unwrap();
    let bert_id = bert.with_vault(|v| v.identity());
    let tr = cees.with_vault(|v| {
        v.offer_transfer(
            bert_id,
            &cees_care,
            eur(100_000),
            "begeleiding_individueel",
            "voor Bert",
        )
        .unwrap()
    });
    sync(&cees, &bert).await;
    bert.with_vault(|v| v.accept_transfer(&tr.id, &bert_care).unwrap());
    sync(&bert, &cees).await;
    spend_with(
        &cees,
        own_spend(&cees_care, 40_000, "begeleiding_individueel", "2027-04-01", "les"),
        Some("BON-LES-1"),
    );
    spend_with(
        &cees,
        own_spend(&cees_care, 30_000, "begeleiding_individueel", "2027-04-02", "les"),
        Some("BON-LES-2"),
    );
    // Bert spends what Cees moved to him on his own receipt.
    spend_with(
        &bert,
        own_spend(
            &bert_care,
            90_000,
            "begeleiding_individueel",
            "2027-05-01",
            "dagbesteding",
        ),
        Some("BON-DAG"),
    );

    for c in [&anna, &bert, &cees] {
        sync(c, &gemeente).await;
    }
    let all = gemeente.with_vault(|v| v.verify_claims().unwrap());
    let mut seen = 0;
    for (name, c) in [("Anna", &anna), ("Bert", &bert), ("Cees", &cees)] {
        let own = c.with_vault(|v| v.verify_claims().unwrap());
        assert!(!own.claims.is_empty(), "{name} has claims");
        let theirs = by_claim(&all);
        for (id, mine) in by_claim(&own) {
            assert_eq!(theirs.get(&id), Some(&mine), "{name}'s claim {id}");
            seen += 1;
        }
        let label = own.claims[0].citizen.clone();
        assert_eq!(all.per_citizen.get(&label), own.per_citizen.get(&label), "{name}");
        assert_eq!(all.not_verified.get(&label), own.not_verified.get(&label), "{name}");
    }
    assert_eq!(
        seen,
        all.claims.len(),
        "every claim the municipality lists is a citizen's own"
    );
    // The cases themselves: what each citizen's report shows.
    let valid = |who: &str| -> Decimal {
        all.per_citizen
            .iter()
            .filter(|(k, _)| k.starts_with(&format!("{who} (")))
            .map(|(_, v)| *v)
            .sum()
    };
    let not_verified = |who: &str| -> Decimal {
        all.not_verified
            .iter()
            .filter(|(k, _)| k.starts_with(&format!("{who} (")))
            .map(|(_, v)| *v)
            .sum()
    };
    assert_eq!(valid("Anna"), eur(66_000 + 12_000), "11 hours × 60,00 and the rollator");
    assert_eq!(not_verified("Anna"), eur(4_000), "the spend without a receipt");
    assert_eq!(valid("Bert"), eur(22_000 + 90_000), "4 hours × 55,00 and his receipt");
    assert_eq!(
        valid("Cees"),
        eur(40_000),
        "1.500,00 granted less 1.000,00 moved out: the second lesson does not fit"
    );
    assert_eq!(not_verified("Cees"), eur(30_000));
    assert_eq!(all.claims.len(), 8);
}

/// The report as JSON, to compare two reports whole.
fn json(r: &ClaimReport) -> serde_json::Value {
    serde_json::to_value(r).unwrap()
}

/// `verify_claims` checks the signatures of every record it gathers, from
/// every document, in one batch. A forged declaration there (the
/// provider's own device places a copy of an approved declaration with
/// more hours, under its key: only the signature is wrong) is pinned to
/// exactly its record and refused, and everything else is judged as
/// before: per document, `records` refuses that record and nothing else;
/// the report is the one `check_all` gives when it checks every signature
/// of the same claims again; and every claim but the forged one gets the
/// verdict its citizen's own vault gives (she never received the forgery).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_record_in_the_one_batch_is_refused_alone() {
    use inwonercloud_schemas::{Declaration, Signed};
    use inwonercloud_vault::change::SignedChange;

    let tmp = tempfile::tempdir().unwrap();
    let gemeente = node(&tmp.path().join("g"), "Gemeente", Role::Municipality).await;
    let linde = node(&tmp.path().join("p"), "Zorg De Linde", Role::Provider).await;
    let anna = node(&tmp.path().join("a"), "Anna", Role::Citizen).await;
    let bert = node(&tmp.path().join("b"), "Bert", Role::Citizen).await;
    let months = [
        (6, "2027-01-01", "2027-01-31"),
        (5, "2027-02-01", "2027-02-28"),
        (4, "2027-03-01", "2027-03-31"),
        (3, "2027-04-01", "2027-04-30"),
    ];
    let anna_care = granted_citizen(&anna, &gemeente, 300_000).await;
    let (_, anna_ag) = order(&anna, &linde, &anna_care, eur(6000), 40).await;
    declare_and_approve(&anna, &linde, &anna_ag, &months).await;
    let bert_care = granted_citizen(&bert, &gemeente, 300_000).await;
    let (_, bert_ag) = order(&bert, &linde, &bert_care, eur(5500), 40).await;
    declare_and_approve(&bert, &linde, &bert_ag, &months).await;
    for c in [&anna, &bert] {
        sync(c, &gemeente).await;
    }
    let honest = gemeente.with_vault(|v| v.verify_claims().unwrap());
    assert_eq!(honest.claims.len(), 8);
    assert_eq!(honest.valid_count(), 8);

    // The provider's device forges: February's declaration with 50 hours,
    // its signature left as it was, in a change the device signs itself.
    let doc = anna.with_vault(|v| v.agreement_doc_id(&linde.with_vault(|l| l.identity())));
    let (header, base) = gemeente.with_vault(|v| (v.signed_header(&doc).unwrap(), v.signed_changes(&doc).unwrap()));
    let (decls, _) = gemeente.with_vault(|v| v.records::<Declaration>(&doc).unwrap());
    let february = decls
        .iter()
        .find(|d| d.record.period_start == day("2027-02-01"))
        .unwrap()
        .signed
        .clone();
    let mut forged: Signed<Declaration> = february.clone();
    forged.record.units = Decimal::from(50);
    let (cert, change) = linde.with_vault(|l| {
        use automerge::transaction::Transactable;
        let device = l.device_key();
        let mut am = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(device.public().0));
        am.apply_changes(base.iter().map(|c| c.parse().unwrap())).unwrap();
        let before = am.get_heads();
        am.put(
            automerge::ROOT,
            format!("declaration/{}", february.record.id),
            serde_json::to_string(&forged).unwrap(),
        )
        .unwrap();
        am.commit();
        let change = SignedChange::sign(&doc, &am.get_changes(&before)[0], device);
        (l.device_certificate().clone(), change)
    });
    gemeente.with_vault(|v| v.import_changes(&header, &[cert], &[change], "linde").unwrap());

    // Per document, exactly the forged record is refused.
    let (_, bad) = gemeente.with_vault(|v| v.records::<Declaration>(&doc).unwrap());
    assert_eq!(
        bad.iter().map(|b| b.key.clone()).collect::<Vec<_>>(),
        vec![format!("declaration/{}", february.record.id)],
        "{bad:?}"
    );
    assert!(bad[0].why.contains("does not verify"), "{bad:?}");

    // The report: as when every signature of the same claims is checked again.
    let (report, again) = gemeente.with_vault(|v| {
        let report = v.verify_claims().unwrap();
        let claims = v.claims().unwrap();
        let mut again = inwonercloud_vault::claims::check_all(
            &claims.declarations,
            &claims.spends,
            &claims.transfers,
            &v.trust_roots().unwrap(),
            |_, _| {},
        );
        claims.reconcile(&mut again);
        (report, again)
    });
    assert_eq!(json(&report), json(&again));
    // February's approval no longer has a valid declaration: its spend is
    // listed as not verified (never as the forged 50 hours); everything
    // else stands as each citizen's own vault judges it.
    let theirs = by_claim(&report);
    let mut others = 0;
    for (name, c) in [("Anna", &anna), ("Bert", &bert)] {
        for (id, mine) in by_claim(&c.with_vault(|v| v.verify_claims().unwrap())) {
            if id == february.record.id {
                assert!(!theirs.contains_key(&id), "the forged declaration is no claim");
                continue;
            }
            assert_eq!(theirs.get(&id), Some(&mine), "{name}'s claim {id}");
            others += 1;
        }
    }
    assert_eq!(others, 7);
    assert_eq!(report.valid_count(), 7);
    let unverified: Vec<&ClaimResult> = report.claims.iter().filter(|c| !c.valid).collect();
    assert_eq!(unverified.len(), 1, "{unverified:?}");
    assert_eq!(
        unverified[0].amount,
        eur(5 * 6000),
        "February's 5 hours as booked, not 50"
    );
}
