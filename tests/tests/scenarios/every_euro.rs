//! Every euro verifiable: a year of one citizen's spending — marketplace
//! declarations, a cancelled agreement, an informal carer's hours approved
//! by the citizen's representative, an own purchase with a receipt, one
//! without — checked by
//! the municipality, whose report reconciles with the citizen's budget per
//! category and month to the cent; a receipt file or hash changed in the
//! claims file makes that claim invalid, by name.

use std::collections::BTreeMap;

use inwonercloud_schemas::{Access, Capacity, DocKind, EntryKind, MandateAction, Role, Verdict};
use inwonercloud_sync::Node;
use inwonercloud_tests::{day, eur, invite, node, sync};
use inwonercloud_vault::budget::NewEntry;
use inwonercloud_vault::receipts::NewFile;
use inwonercloud_vault::{ClaimKind, ClaimReport, ClaimsFile};
use rust_decimal::Decimal;

use super::market::{grant, granted_citizen, order, trusting};
use super::receipts::photo;

fn own_spend(account: &str, cents: i64, date: &str, note: &str) -> NewEntry {
    NewEntry {
        account: account.into(),
        kind: EntryKind::Spend,
        amount: eur(cents),
        category: Some("hulpmiddel".into()),
        date: day(date),
        note: note.into(),
        reference: None,
    }
}

/// What the budget shows as spent per category and per month, over the
/// accounts the municipality granted.
fn budget_spent(n: &Node, doc: &str, accounts: &[&str]) -> (BTreeMap<String, Decimal>, BTreeMap<String, Decimal>) {
    n.with_vault(|v| {
        let b = v.budget(doc).unwrap();
        let (mut cat, mut month) = (BTreeMap::new(), BTreeMap::new());
        for a in accounts {
            let f = &b.report.accounts[*a];
            for (k, x) in &f.spent_per_category {
                *cat.entry(k.clone()).or_insert(Decimal::ZERO) += x;
            }
            for (k, x) in &f.spent_per_month {
                *month.entry(k.clone()).or_insert(Decimal::ZERO) += x;
            }
        }
        (cat, month)
    })
}

/// Every claim's amount (valid or not) per category and per month.
fn claimed(r: &ClaimReport) -> (BTreeMap<String, Decimal>, BTreeMap<String, Decimal>) {
    let (mut cat, mut month) = (BTreeMap::new(), BTreeMap::new());
    for c in &r.claims {
        *cat.entry(c.category.clone()).or_insert(Decimal::ZERO) += c.amount;
        *month.entry(c.month.clone()).or_insert(Decimal::ZERO) += c.amount;
    }
    (cat, month)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_municipality_accounts_for_every_euro_of_a_year() {
    let tmp = tempfile::tempdir().unwrap();
    let sanne = node(&tmp.path().join("sanne"), "Sanne", Role::Citizen).await;
    let linde = node(&tmp.path().join("linde"), "Zorg De Linde", Role::Provider).await;
    let gemeente = node(&tmp.path().join("g"), "Gemeente Woerden", Role::Municipality).await;
    let care = granted_citizen(&sanne, &gemeente, 500_000).await;
    let aids = grant(&sanne, &gemeente, "hulpmiddel", 100_000).await;
    let budget = sanne.with_vault(|v| v.budget_doc());

    // Marketplace: two months of declared care, approved.
    let (_, ag) = order(&sanne, &linde, &care, eur(6250), 20).await;
    for (hours, from, to) in [(8, "2027-01-01", "2027-01-31"), (4, "2027-02-01", "2027-02-28")] {
        let d = linde.with_vault(|v| {
            v.declare(&ag, Decimal::from(hours), day(from), day(to), "zorg")
                .unwrap()
        });
        sync(&linde, &sanne).await;
        sanne.with_vault(|v| v.judge_declaration(&d.id, Verdict::Goedgekeurd).unwrap());
    }
    // The provider ends the agreement after February; March cannot be
    // declared, and the citizen's vault frees the unused 8 hours.
    linde.with_vault(|v| v.cancel_agreement(&ag, day("2027-02-28"), "verhuizing").unwrap());
    let late = linde.with_vault(|v| v.declare(&ag, Decimal::from(2), day("2027-03-01"), day("2027-03-31"), "maart"));
    assert!(late.unwrap_err().to_string().contains("cancelled"));
    sync(&linde, &sanne).await;
    let reserved = |n: &Node| n.with_vault(|v| v.budget(&budget).unwrap().report.accounts[&care].reserved);
    assert_eq!(
        reserved(&sanne),
        eur(50_000),
        "8 hours still reserved until the last day has passed"
    );
    assert!(
        sanne
            .with_vault(|v| v.release_ended_reservations(day("2027-02-28")).unwrap())
            .is_empty()
    );
    let freed = sanne.with_vault(|v| v.release_ended_reservations(day("2027-03-01")).unwrap());
    assert_eq!(freed.len(), 1);
    assert_eq!(freed[0].amount, eur(50_000));
    assert_eq!(
        reserved(&sanne),
        Decimal::ZERO,
        "nothing stays reserved for the cancelled agreement"
    );
    assert!(
        sanne
            .with_vault(|v| v.release_ended_reservations(day("2027-04-01")).unwrap())
            .is_empty(),
        "freed once"
    );

    // Her neighbour Els helps at an informal tariff; her daughter Eva, her
    // legal representative, approves Els's hours with her own key.
    let els = node(&tmp.path().join("els"), "Els", Role::Family).await;
    let eva = node(&tmp.path().join("eva"), "Eva", Role::Family).await;
    for who in [&els, &eva] {
        let t = invite(&sanne, Role::Family, &[DocKind::Plan], Access::Read);
        who.join(&t.to_string().parse().unwrap()).await.unwrap();
    }
    let els_id = els.with_vault(|v| v.identity());
    let eva_id = eva.with_vault(|v| v.identity());
    let informal = sanne.with_vault(|v| {
        v.agree_informal(
            els_id,
            &care,
            "begeleiding_individueel",
            eur(2250),
            Decimal::from(12),
            day("2027-05-01"),
            day("2027-06-30"),
        )
        .unwrap()
    });
    sanne.with_vault(|v| {
        v.give_mandate(
            eva_id,
            Capacity::WettelijkVertegenwoordiger,
            vec![MandateAction::Approve],
            day("2027-01-01"),
            None,
        )
        .unwrap()
    });
    sync(&sanne, &els).await;
    els.with_vault(|v| v.countersign(&informal.id).unwrap());
    let hours = els.with_vault(|v| {
        v.declare(
            &informal.id,
            Decimal::from(8),
            day("2027-05-01"),
            day("2027-05-31"),
            "post en planning",
        )
        .unwrap()
    });
    sync(&els, &sanne).await;
    sync(&sanne, &eva).await;
    eva.with_vault(|v| v.judge_declaration(&hours.id, Verdict::Goedgekeurd).unwrap());
    sync(&eva, &sanne).await;

    // An own purchase with its receipt, and one without.
    let bytes = photo("BON-DOUCHESTOEL");
    let (chair, receipt) = sanne
        .with_vault(|v| {
            v.record_spend(
                &budget,
                own_spend(&aids, 8950, "2027-03-14", "douchestoel, Medipoint"),
                vec![NewFile {
                    name: "bon.png".into(),
                    bytes: bytes.clone(),
                }],
            )
        })
        .unwrap();
    let receipt = receipt.unwrap();
    let (bare, _) = sanne
        .with_vault(|v| v.record_spend(&budget, own_spend(&aids, 2500, "2027-04-02", "grijper"), vec![]))
        .unwrap();
    sync(&sanne, &gemeente).await;

    let report = gemeente.with_vault(|v| v.verify_claims().unwrap());
    let by_id = |id: &str| report.claims.iter().find(|c| c.claim == id).unwrap().clone();
    assert_eq!(report.claims.len(), 5, "{report:#?}");
    let carer = by_id(&hours.id);
    assert_eq!(carer.kind, ClaimKind::InformalCarer);
    assert!(carer.valid, "approved by her representative: {:?}", carer.reason);
    assert_eq!(carer.amount, eur(18_000), "8 hours × 22,50");
    let chair_claim = by_id(&chair.id);
    assert_eq!(chair_claim.kind, ClaimKind::Receipt);
    assert!(chair_claim.valid, "{:?}", chair_claim.reason);
    let bare_claim = by_id(&bare.id);
    assert!(!bare_claim.valid, "a spend without a receipt is listed, not counted");
    assert!(
        bare_claim.reason.as_deref().unwrap().contains("no receipt"),
        "{bare_claim:?}"
    );
    assert_eq!(
        report.per_kind.get(&ClaimKind::Marketplace).copied(),
        Some(eur(75_000)),
        "8 + 4 hours × 62,50"
    );
    assert_eq!(report.per_kind.get(&ClaimKind::Receipt).copied(), Some(eur(8950)));
    let label = inwonercloud_vault::claims::citizen_label("Sanne", &sanne.with_vault(|v| v.identity()));
    assert_eq!(report.not_verified.get(&label).copied(), Some(eur(2500)));

    // Reconciled: every euro the budget shows as spent is a claim, per
    // category and per month, to the cent — on both sides.
    let from_budget = budget_spent(&sanne, &budget, &[&care, &aids]);
    assert_eq!(claimed(&report), from_budget);
    assert_eq!(budget_spent(&gemeente, &budget, &[&care, &aids]), from_budget);
    let total: Decimal = report.per_citizen.values().chain(report.not_verified.values()).sum();
    assert_eq!(total, eur(75_000 + 18_000 + 8950 + 2500));

    // The exported file checks the same offline, receipts included.
    let file = gemeente.with_vault(|v| v.export_claims().unwrap());
    let trust = trusting(&gemeente);
    let offline = file.verify(&trust);
    assert_eq!(offline.claims, report.claims);

    // A receipt file changed in the file: that claim, by name, is invalid.
    let json = serde_json::to_string(&file).unwrap();
    let mut f: ClaimsFile = serde_json::from_str(&json).unwrap();
    let s = f.spends.iter_mut().find(|s| s.entry.record.id == chair.id).unwrap();
    s.files[0].bytes[20] ^= 1;
    let r = f.verify(&trust);
    let c = r.claims.iter().find(|c| c.claim == chair.id).unwrap();
    assert!(!c.valid);
    let why = c.reason.as_deref().unwrap();
    assert!(why.contains("bon.png") && why.contains("hash"), "{why}");
    assert_eq!(r.valid_count(), 3, "the other claims stand");

    // The receipt's hash edited to match a swapped file: its signature fails.
    let mut f: ClaimsFile = serde_json::from_str(&json).unwrap();
    let s = f.spends.iter_mut().find(|s| s.entry.record.id == chair.id).unwrap();
    let other = photo("EEN ANDERE BON");
    let hash = inwonercloud_vault::receipts::sha256(&other);
    s.files[0] = inwonercloud_vault::claims::FileBytes { hash, bytes: other };
    s.receipts[0].record.files[0].hash = hash;
    let r = f.verify(&trust);
    let c = r.claims.iter().find(|c| c.claim == chair.id).unwrap();
    assert!(!c.valid);
    let why = c.reason.as_deref().unwrap();
    assert!(why.contains(&receipt.id) && why.contains("signature"), "{why}");

    // The file leaving out the receipt's bytes cannot pass either.
    let mut f: ClaimsFile = serde_json::from_str(&json).unwrap();
    f.spends.iter_mut().for_each(|s| s.files.clear());
    let r = f.verify(&trust);
    assert!(!r.claims.iter().find(|c| c.claim == chair.id).unwrap().valid);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn care_declared_after_a_cancellation_is_not_paid() {
    let tmp = tempfile::tempdir().unwrap();
    let sanne = node(&tmp.path().join("sanne"), "Sanne", Role::Citizen).await;
    let linde = node(&tmp.path().join("linde"), "Zorg De Linde", Role::Provider).await;
    let gemeente = node(&tmp.path().join("g"), "Gemeente Woerden", Role::Municipality).await;
    let mallory = node(&tmp.path().join("m"), "Mallory", Role::Provider).await;
    let care = granted_citizen(&sanne, &gemeente, 500_000).await;
    let (_, ag) = order(&sanne, &linde, &care, eur(6250), 20).await;
    sync(&linde, &sanne).await;

    // A manual release names the reservation it frees, never more than is left.
    let budget = sanne.with_vault(|v| v.budget_doc());
    let reserved = |n: &Node| n.with_vault(|v| v.budget(&budget).unwrap().report.accounts[&care].reserved);
    let r = sanne.with_vault(|v| {
        v.release_reservation(&ag, Some(eur(6250)), day("2027-01-10"), "")
            .unwrap()
    });
    assert_eq!(r.reference.as_deref(), Some(format!("res-{ag}").as_str()));
    assert_eq!(reserved(&sanne), eur(125_000 - 6250));
    let e = sanne.with_vault(|v| v.release_reservation(&ag, Some(eur(200_000)), day("2027-01-10"), ""));
    assert!(e.unwrap_err().to_string().contains("is left of this reservation"));
    assert!(
        linde
            .with_vault(|v| v.release_reservation(&ag, None, day("2027-01-10"), ""))
            .is_err()
    );

    // Someone not party to the agreement cannot end it.
    let e = mallory.with_vault(|v| v.cancel_agreement(&ag, day("2027-01-31"), "weg"));
    assert!(e.is_err());
    // The citizen ends it after January while the provider, not yet told,
    // declares February.
    sanne.with_vault(|v| v.cancel_agreement(&ag, day("2027-01-31"), "andere zorg").unwrap());
    let feb = linde.with_vault(|v| {
        v.declare(&ag, Decimal::from(4), day("2027-02-01"), day("2027-02-28"), "feb")
            .unwrap()
    });
    sync(&linde, &sanne).await;
    sync(&sanne, &linde).await;
    let e = sanne
        .with_vault(|v| v.judge_declaration(&feb.id, Verdict::Goedgekeurd))
        .unwrap_err();
    assert!(e.to_string().contains("last day"), "{e}");
    // Both sides see the same cancellation; the provider's own notice
    // cannot end it before care it declared.
    let seen = linde.with_vault(|v| v.agreement(&ag).unwrap());
    assert_eq!(seen.last_day(), day("2027-01-31"));
    assert!(
        linde
            .with_vault(|v| v.cancel_agreement(&ag, day("2027-01-15"), "nog eens"))
            .is_err()
    );
    // Disputing it stays possible; nothing is spent.
    sanne.with_vault(|v| {
        v.judge_declaration(
            &feb.id,
            Verdict::Betwist {
                reason: "na de opzegging".into(),
            },
        )
        .unwrap()
    });
    sync(&sanne, &gemeente).await;
    let report = gemeente.with_vault(|v| v.verify_claims().unwrap());
    assert!(report.claims.is_empty(), "{report:#?}");
}
