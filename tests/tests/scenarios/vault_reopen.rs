//! Reopening a vault reproduces its exact state, and an export verifies.

use std::str::FromStr;

use inwonercloud_schemas::{EntryKind, FundingStream, LifeDomain, Period, Role, TimeCost};
use inwonercloud_tests::{day, euro_account, vault};
use inwonercloud_vault::Vault;
use inwonercloud_vault::export::verify_export;
use inwonercloud_vault::plan::NewNeed;
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn reopen_reproduces_exact_state() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("anna");
    let mut v = vault(&dir, "Anna de Vries", Role::Citizen);
    let plan = v.plan_doc();
    v.set_plan_header(&plan, "Plan van Anna", Some(day("2026-01-01")), Some(day("2027-12-31")))
        .unwrap();
    v.set_situation(
        &plan,
        LifeDomain::Financien,
        "Schulden bij de energieleverancier; €\u{a0}1.234,56 open.",
    )
    .unwrap();
    let goal = v
        .add_goal(
            &plan,
            LifeDomain::Financien,
            "Schuldenvrij in 2027",
            Some(day("2027-06-30")),
        )
        .unwrap();
    let need = v
        .add_need(
            &plan,
            NewNeed {
                domain: LifeDomain::Financien,
                goal_id: Some(goal.id.clone()),
                wish: "Hulp bij post en betalingen".into(),
                objective_need: "1,5 uur per week budgetbegeleiding".into(),
                time_cost: TimeCost {
                    hours: d("1.5"),
                    period: Period::Week,
                    tariff: d("66.50"),
                },
                category: Some("begeleiding_individueel".into()),
                member: None,
            },
        )
        .unwrap();
    let budget = v.budget_doc();
    let acct = euro_account(&mut v, "Eigen geld 2026", FundingStream::EigenBijdrage);
    for (amount, date) in [
        ("0.01", "2026-01-05"),
        ("12.50", "2026-02-01"),
        ("1234.56", "2026-02-15"),
    ] {
        v.top_up(&budget, &acct, d(amount), day(date), "eigen geld").unwrap();
    }
    v.record_entry(
        &budget,
        inwonercloud_vault::budget::NewEntry {
            account: acct.clone(),
            kind: EntryKind::Spend,
            amount: d("100.07"),
            category: Some("huishoudelijke_hulp".into()),
            date: day("2026-03-01"),
            note: "schoonmaak maart".into(),
            reference: None,
        },
    )
    .unwrap();
    v.add_note("privé: gesprek met schuldhulp ging goed").unwrap();

    let plan_before = serde_json::to_value(v.plan(&plan).unwrap()).unwrap();
    let budget_before = serde_json::to_value(&v.budget(&budget).unwrap().report).unwrap();
    let heads_before = v.heads(&plan).unwrap();
    let who = v.whoami();
    drop(v);

    let mut v = Vault::open(&dir, &inwonercloud_tests::pass()).unwrap();
    assert_eq!(v.whoami(), who);
    assert_eq!(serde_json::to_value(v.plan(&plan).unwrap()).unwrap(), plan_before);
    assert_eq!(
        serde_json::to_value(&v.budget(&budget).unwrap().report).unwrap(),
        budget_before
    );
    assert_eq!(v.heads(&plan).unwrap(), heads_before);
    let b = v.budget(&budget).unwrap();
    let f = &b.report.accounts[&acct];
    assert_eq!(f.topped_up, d("1247.07"));
    assert_eq!(f.spent, d("100.07"));
    assert_eq!(f.remaining, d("1147.00"));
    assert_eq!(f.spent_per_month["2026-03"], d("100.07"));
    let p = v.plan(&plan).unwrap();
    assert_eq!(p.needs[0].record, need);
    assert_eq!(p.cost_per_year(), d("5187.00"));
    assert!(p.situations[0].record.situation.contains("1.234,56"));
    assert_eq!(v.notes().unwrap().len(), 1);

    // The export carries every record with a signature that verifies; an
    // edited amount does not.
    let export = v.export().unwrap();
    let check = verify_export(&export);
    assert!(check.invalid.is_empty(), "{:?}", check.invalid);
    assert!(check.valid >= 10, "{}", check.valid);
    let mut text = serde_json::to_string(&export).unwrap();
    assert!(text.contains("\"1234.56\""));
    text = text.replacen("\"1234.56\"", "\"9234.56\"", 1);
    let forged: inwonercloud_vault::export::Export = serde_json::from_str(&text).unwrap();
    let check = verify_export(&forged);
    assert_eq!(check.invalid.len(), 1, "{:?}", check.invalid);
    assert!(check.invalid[0].0.starts_with("ledger_entry/"));

    // Earlier versions stay viewable.
    v.set_situation(&plan, LifeDomain::Financien, "Schulden afgelost.")
        .unwrap();
    let then = v.plan_at(&plan, &heads_before).unwrap();
    assert!(then.situations[0].record.situation.contains("1.234,56"));
    assert_eq!(
        v.plan(&plan).unwrap().situations[0].record.situation,
        "Schulden afgelost."
    );
}

#[test]
fn missing_vault_is_named_and_two_handles_write_without_clashing() {
    let tmp = tempfile::tempdir().unwrap();
    let err = Vault::open(&tmp.path().join("nothing"), &inwonercloud_tests::pass())
        .unwrap_err()
        .to_string();
    assert!(err.contains("nothing") && err.contains("create one first"), "{err}");

    // Two handles on one vault (as the app and a command in another terminal
    // have): each write first takes in the other's, so sequence numbers never
    // clash, and `refresh` shows a handle what the other wrote.
    let dir = tmp.path().join("v");
    let mut one = vault(&dir, "A", Role::Citizen);
    let mut two = Vault::open(&dir, &inwonercloud_tests::pass()).unwrap();
    let plan = one.plan_doc();
    one.add_goal(&plan, LifeDomain::Wonen, "van handle één", None).unwrap();
    two.add_goal(&plan, LifeDomain::Wonen, "van handle twee", None).unwrap();
    one.add_goal(&plan, LifeDomain::Wonen, "weer één", None).unwrap();
    assert_eq!(two.plan(&plan).unwrap().goals.len(), 2);
    assert_eq!(two.refresh().unwrap(), vec![plan.clone()]);
    assert_eq!(two.plan(&plan).unwrap().goals.len(), 3);
    assert!(one.rejections().unwrap().is_empty());
    drop((one, two));
    let v = Vault::open(&dir, &inwonercloud_tests::pass()).unwrap();
    assert_eq!(v.plan(&plan).unwrap().goals.len(), 3);
    assert_eq!(v.change_count(&plan).unwrap(), 3);
}
