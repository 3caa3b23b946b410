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
