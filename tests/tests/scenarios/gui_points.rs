//! Points in the app (egui_kittest, issue 18, seed 003): the demo's Sanne de
//! Vries pays from her points account on the Marktplaats screen. De Linde's
//! dagbesteding per dagdeel shows its price in points (the policy's 12, not
//! the € 55 it asks in euros); ordering reserves points; an offering the
//! policy gives no points price is refused with a Dutch message and
//! reserves nothing. The municipality's Verificatie screen then shows the
//! points claim in points, apart from the euros, with its euro equivalent
//! named as such.

use egui::accesskit::Role as A11y;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use inwonercloud_app::gui::App;
use inwonercloud_schemas::{EntryKind, ServiceUnit, Unit};
use rust_decimal::Decimal;

use super::ui::{
    click, click_first, demo_as, go, notice, open_as, open_demo, pick, replace_text, sign, wait_for_verification,
    workspace,
};

/// The points the open vault's points account has left.
fn points_left(h: &Harness<'static, App>) -> Decimal {
    let ws = workspace(h);
    let b = ws.views.budget.as_ref().unwrap().as_ref().unwrap();
    let acc = b.accounts.iter().find(|a| a.record.unit == Unit::Points).unwrap();
    b.report.accounts[&acc.record.id].remaining
}

#[test]
fn a_citizen_orders_from_her_points_account_and_the_municipality_sees_points() {
    let (_tmp, demo_dir, mut h) = demo_as("inwoner");
    assert_eq!(workspace(&h).who.name, "Sanne de Vries");
    go(&mut h, "Marktplaats");

    // Paying from the points account: every offering shows its price in
    // points, or says the policy gives it none.
    pick(&mut h, "Rekening", "Dagbesteding 2026 (288 punten over)");
    assert_eq!(
        h.query_all_by_label("Prijs van deze rekening: 12 punten per dagdeel")
            .count(),
        1,
        "the policy's 12 points per dagdeel, on De Linde's dagbesteding"
    );
    let no_price =
        "Het beleid van de gemeente geeft dit aanbod geen prijs in punten: kies ander aanbod of een eurorekening.";
    assert!(
        h.query_all_by_label(&format!("(!) {no_price}")).count() >= 3,
        "the hourly offerings have no price in points"
    );
    assert!(
        h.query_by_label_contains("Dagbesteding · € 55,00 per dagdeel")
            .is_some(),
        "the euro price stays visible beside it"
    );

    // Ordering 4 dagdelen reserves 4 × 12 points.
    pick(&mut h, "Categorie", "Dagbesteding");
    assert_eq!(
        h.query_all_by_role_and_label(A11y::Button, "Bestellen").count(),
        1,
        "only the dagbesteding"
    );
    replace_text(&mut h, "Aantal eenheden", "4");
    replace_text(&mut h, "Van (datum)", "04-01-2027");
    replace_text(&mut h, "Tot en met (datum)", "29-01-2027");
    let before = workspace(&h).views.agreements.len();
    click(&mut h, "Bestellen");
    sign(&mut h);
    assert_eq!(points_left(&h), Decimal::from(240), "288 − 48 points");
    assert_eq!(
        h.get_by_role_and_label(A11y::ComboBox, "Rekening").value().as_deref(),
        Some("Dagbesteding 2026 (240 punten over)"),
        "the account shows what is left in points"
    );
    let ordered = workspace(&h).views.agreements.len();
    assert_eq!(ordered, before + 1);

    // An hourly offering has no points price: refused in Dutch, nothing reserved.
    pick(&mut h, "Categorie", "Individuele begeleiding (professioneel)");
    click_first(&mut h, "Bestellen");
    let (error, text) = notice(&h);
    assert!(error, "ordering without a points price is refused");
    assert_eq!(text, no_price);
    assert_eq!(points_left(&h), Decimal::from(240), "nothing was reserved");
    assert_eq!(workspace(&h).views.agreements.len(), ordered);
    click(&mut h, "Kluis sluiten");

    // Her vault holds the agreement at the policy's tariff in points and
    // its reservation of 48 points.
    let sanne = open_demo(&demo_dir.join("inwoner"));
    let made = sanne
        .agreements()
        .unwrap()
        .into_iter()
        .find(|a| a.agreement.record.period_start.to_string() == "2027-01-04")
        .expect("the new agreement");
    let s = &made.agreement.record.services[0];
    assert_eq!(
        (s.tariff, s.tariff_unit, s.unit, s.max_units),
        (Decimal::from(12), Unit::Points, ServiceUnit::Dagdeel, Decimal::from(4))
    );
    let b = sanne.budget(&sanne.budget_doc()).unwrap();
    let reservation = b
        .report
        .lines
        .iter()
        .find(|l| l.entry.kind == EntryKind::Reservation && l.entry.note.contains(made.agreement.record.id.as_str()))
        .expect("the reservation");
    assert_eq!(reservation.entry.amount, Decimal::from(48));
    assert_eq!(reservation.entry.account, made.agreement.record.account);

    // The municipality's verification: the demo's approved November in
    // points, apart from the euros, with the policy's euro equivalent.
    open_as(&mut h, "gemeente");
    go(&mut h, "Verificatie");
    wait_for_verification(&mut h);
    assert!(
        h.query_by_label("Punten en uren (apart geteld, nooit bij euro's opgeteld)")
            .is_some()
    );
    assert!(
        h.query_by_label(
            "Dagbesteding: 96 punten — euro-equivalent € 432,00 (puntwaarde volgens het beleid: € 4,50 per punt)"
        )
        .is_some(),
        "the points total and its euro equivalent, labelled as such"
    );
    assert!(
        h.query_all_by_label("96 punten").count() >= 1,
        "the claim's row counts in points"
    );
    let report = workspace(&h).views.claims.clone().unwrap();
    let claim = report.claims.iter().find(|c| c.unit == Unit::Points).unwrap();
    assert!(claim.valid, "{:?}", claim.reason);
    assert_eq!(report.other_units[&Unit::Points].total(), Decimal::from(96));
    assert_eq!(
        report.per_category["dagbesteding"],
        Decimal::new(429_200, 2),
        "the euro total of dagbesteding holds the invoices only, no points"
    );
}
