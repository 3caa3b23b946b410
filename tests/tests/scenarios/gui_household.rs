//! The household of an integral plan in the app (egui_kittest): the demo's
//! Fatima El Amrani sees her household, its director and a goal per member
//! on the Plan screen, adds a member through the form, sees the integral
//! account fed by Wmo and Jeugdwet on the Budget screen, and approves the
//! youth support the director ordered for her son; the municipality's
//! verification screen then shows the spend per stream and per member.

use egui_kittest::kittest::Queryable;
use inwonercloud_schemas::{FundingStream, MemberKind};

use super::ui::{click, demo_as, go, open_demo, sign, type_into, workspace};

#[test]
fn a_household_plan_integral_budget_and_report_in_the_app() {
    let (_tmp, demo_dir, mut h) = demo_as("gezin (integraal pgb)");
    assert_eq!(workspace(&h).who.name, "Fatima El Amrani");

    go(&mut h, "Plan");
    assert!(
        h.query_by_label_contains("Noor (kind, 14-03-2017)").is_some(),
        "the child, born"
    );
    assert!(
        h.query_by_label_contains("Regisseur: Ahmed Bakker").is_some(),
        "the director"
    );
    assert_eq!(
        h.query_all_by_label_contains("Voor: Noor").count(),
        2,
        "a goal and a need for Noor"
    );
    type_into(&mut h, "Voornaam", "Amira");
    click(&mut h, "Gezinslid toevoegen");
    sign(&mut h);
    assert!(
        h.query_by_label_contains("Amira (volwassene)").is_some(),
        "the new member shows"
    );

    go(&mut h, "Budget");
    assert_eq!(
        h.query_all_by_label_contains("Wmo € 5.000,00 + Jeugdwet € 4.000,00")
            .count(),
        2,
        "the integral account and its decision show the funding streams"
    );
    assert!(
        h.query_by_label_contains("2026 — Te besteden aan: Individuele begeleiding")
            .is_some(),
        "the categories of the integral grant"
    );

    // The youth support the director ordered names Noor; Fatima approves November.
    go(&mut h, "Declaraties");
    assert!(h.query_by_label_contains("Voor: Noor").is_some());
    click(&mut h, "Goedkeuren");
    sign(&mut h);
    click(&mut h, "Kluis sluiten");

    // Her vault holds the new member (signed by her) and both approvals.
    let fatima = open_demo(&demo_dir.join("gezin"));
    let household = fatima.household(&fatima.plan_doc()).unwrap();
    assert!(
        household.members.iter().any(|m| m.record.name == "Amira"
            && m.record.kind == MemberKind::Volwassene
            && m.author == fatima.identity())
    );
    // The municipality, handed her budget and agreement, reports per stream and member.
    let mut gemeente = open_demo(&demo_dir.join("gemeente"));
    for doc in fatima.document_ids() {
        if doc.contains("/agreement/") || doc.ends_with("/budget") {
            gemeente.import_bundle(&fatima.bundle(&doc).unwrap(), "fatima").unwrap();
        }
    }
    let r = gemeente.verify_claims().unwrap();
    let noor: Vec<_> = r.per_member.iter().filter(|(k, _)| k.ends_with(" · Noor")).collect();
    assert_eq!(noor.len(), 1, "{:?}", r.per_member);
    // 12 + 14 hours × 58,00 = 1.508,00, split 5 : 4 over Wmo and Jeugdwet.
    assert_eq!(*noor[0].1, rust_decimal::Decimal::new(150_800, 2));
    assert_eq!(
        r.per_stream[&FundingStream::Jeugdwet],
        rust_decimal::Decimal::new(67_022, 2),
        "4/9 of 1.508,00"
    );
}
