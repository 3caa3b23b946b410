//! An informal carer in the app (egui_kittest): the demo's Els Visser,
//! Sanne's neighbour, declares hours under her agreement from her own vault
//! (more than agreed is refused); Sanne approves them after a confirmation
//! and the budget pays hours × tariff. And Sanne makes a new agreement with
//! her on the Marktplaats screen, where a tariff above the municipality's
//! informal maximum is refused.

use egui::accesskit::Role as A11y;
use egui_kittest::{Harness, kittest::Queryable};
use inwonercloud_app::gui::{App, Screen};
use inwonercloud_schemas::EntryKind;
use inwonercloud_vault::Vault;
use rust_decimal::Decimal;

use super::ui::{click, click_nth, demo_as, notice, open_as, open_demo, replace_text, settle, sign, workspace};

/// Els's informal agreement as `v` holds it.
fn informal(v: &Vault) -> inwonercloud_vault::AgreementView {
    v.agreements()
        .unwrap()
        .into_iter()
        .find(|a| a.agreement.record.informal)
        .expect("the demo's informal agreement")
}

#[test]
fn an_informal_carer_declares_hours_in_the_app_and_the_citizen_approves_them() {
    let (_tmp, demo_dir, mut h) = demo_as("mantelzorger");
    assert_eq!(workspace(&h).who.name, "Els Visser");

    click(&mut h, "Overeenkomsten");
    assert_eq!(workspace(&h).screen, Screen::Agreements);
    assert!(
        h.query_by_label_contains("Zorgovereenkomst met Sanne de Vries")
            .is_some()
            && h.query_by_label_contains("· mantelzorg").is_some(),
        "her agreement shows, marked as informal care"
    );
    assert!(
        h.query_by_label_contains("8 van 12 × € 22,50").is_some(),
        "eight of twelve hours declared so far"
    );
    // Three hours in December.
    replace_text(&mut h, "Aantal eenheden", "3");
    replace_text(&mut h, "Van (datum)", "01-12-2026");
    replace_text(&mut h, "Tot en met (datum)", "15-12-2026");
    click(&mut h, "Declareren");
    sign(&mut h);
    // Two more would make 13 of the 12 agreed: refused, nothing written.
    replace_text(&mut h, "Aantal eenheden", "2");
    replace_text(&mut h, "Van (datum)", "16-12-2026");
    replace_text(&mut h, "Tot en met (datum)", "31-12-2026");
    click(&mut h, "Declareren");
    click(&mut h, "Ja, ondertekenen");
    let (error, text) = notice(&h);
    assert!(error, "more hours than agreed are refused: {text}");
    click(&mut h, "Kluis sluiten");

    let els = open_demo(&demo_dir.join("mantelzorger"));
    let a = informal(&els);
    let new: Vec<_> = a.declarations.iter().filter(|d| d.pending()).collect();
    assert_eq!(new.len(), 1, "only the three hours were declared");
    let decl = new[0].declaration.record.clone();
    assert_eq!(decl.units, Decimal::from(3));
    assert_eq!(new[0].declaration.author, els.identity(), "signed by Els herself");
    // Sanne's vault receives it, as a sync would.
    let mut sanne = open_demo(&demo_dir.join("inwoner"));
    sanne.import_bundle(&els.bundle(&a.doc).unwrap(), "els").unwrap();
    let spent_before = sanne.budget(&sanne.budget_doc()).unwrap().report.accounts[&a.agreement.record.account].spent;
    drop((els, sanne));

    open_as(&mut h, "inwoner");
    click(&mut h, "Declaraties");
    // The approve buttons come in the order the screen lists the pending
    // declarations of her own agreements: pick Els's.
    let at = {
        let ws = workspace(&h);
        let me = ws.who.identity;
        ws.views
            .agreements
            .iter()
            .filter(|a| a.agreement.record.citizen == me)
            .flat_map(|a| &a.declarations)
            .filter(|d| d.pending())
            .position(|d| d.declaration.record.id == decl.id)
            .expect("Els's declaration waits for Sanne")
    };
    click_nth(&mut h, "Goedkeuren", at);
    assert!(
        h.query_by_label_contains("Els Visser: 3 × € 22,50 = € 67,50").is_some(),
        "the confirmation names the carer and the amount"
    );
    sign(&mut h);
    click(&mut h, "Kluis sluiten");

    let sanne = open_demo(&demo_dir.join("inwoner"));
    let a = informal(&sanne);
    assert!(a.declarations.iter().all(|d| !d.pending()), "every hour judged");
    let b = sanne.budget(&sanne.budget_doc()).unwrap();
    assert_eq!(
        b.report.accounts[&a.agreement.record.account].spent - spent_before,
        Decimal::new(6750, 2),
        "3 hours × 22,50 spent, to the cent"
    );
    assert!(
        b.report
            .lines
            .iter()
            .any(|l| l.entry.kind == EntryKind::Spend && l.entry.note.contains(&decl.id)),
        "the spend names the declaration"
    );
}

#[test]
fn the_citizen_makes_an_agreement_with_an_informal_carer_in_the_app() {
    let (_tmp, demo_dir, mut h) = demo_as("inwoner");
    click(&mut h, "Marktplaats");
    assert!(h.query_by_label("Afspraak met mantelzorger").is_some());
    assert!(
        h.query_by_label_contains("Hoogste uurtarief voor mantelzorg bij de gemeente: € 25,00")
            .is_some(),
        "the policy's informal maximum is shown"
    );
    h.get_by_role_and_label(A11y::ComboBox, "Mantelzorger").click();
    settle(&mut h);
    h.get_all_by_label("Els Visser").last().unwrap().click();
    settle(&mut h);
    let before = open_count(&h);

    // Above the maximum: warned, and refused when signed.
    replace_text(&mut h, "Uurtarief in euro (bijv. 22,50)", "30");
    assert!(h.query_by_label_contains("boven het maximum voor mantelzorg").is_some());
    replace_text(&mut h, "Hoogstens aantal uren", "6");
    replace_text(&mut h, "Eerste dag van de afspraak", "01-12-2026");
    replace_text(&mut h, "Laatste dag van de afspraak", "31-12-2026");
    click(&mut h, "Afspraak tekenen");
    click(&mut h, "Ja, ondertekenen");
    let (error, text) = notice(&h);
    assert!(error, "a tariff above the maximum is refused: {text}");
    assert_eq!(open_count(&h), before, "nothing was signed");

    replace_text(&mut h, "Uurtarief in euro (bijv. 22,50)", "20,00");
    click(&mut h, "Afspraak tekenen");
    sign(&mut h);
    click(&mut h, "Kluis sluiten");

    let sanne = open_demo(&demo_dir.join("inwoner"));
    let made = sanne
        .agreements()
        .unwrap()
        .into_iter()
        .filter(|a| a.agreement.record.informal)
        .find(|a| a.agreement.record.services[0].tariff == Decimal::from(20))
        .expect("the new informal agreement");
    let r = &made.agreement.record;
    assert_eq!(r.services[0].max_units, Decimal::from(6));
    assert_eq!(r.services[0].category, "begeleiding_informeel");
    let els = open_demo(&demo_dir.join("mantelzorger"));
    assert_eq!(r.provider, els.identity(), "with Els");
    let b = sanne.budget(&sanne.budget_doc()).unwrap();
    let reservation = b
        .report
        .lines
        .iter()
        .find(|l| l.entry.kind == EntryKind::Reservation && l.entry.reference.as_deref() == Some(r.id.as_str()))
        .expect("the reservation");
    assert_eq!(reservation.entry.amount, Decimal::from(120), "6 hours × 20,00");
}

/// How many agreements the open vault's views hold.
fn open_count(h: &Harness<'static, App>) -> usize {
    workspace(h).views.agreements.len()
}
