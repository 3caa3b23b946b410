//! A representative approving in the app (egui_kittest): the demo's Eva de
//! Vries, Sanne's daughter with Sanne's mandate to approve, approves the
//! declaration that waits for her mother, after a confirmation; the spend
//! lands in Sanne's budget signed with Eva's own key, counts there, and
//! Sanne's ledger shows "namens Sanne de Vries, door Eva de Vries".

use egui::accesskit::Role as A11y;
use egui_kittest::kittest::Queryable;
use inwonercloud_app::gui::Screen;
use inwonercloud_schemas::{DocKind, EntryKind};
use inwonercloud_vault::ledger::EntryStatus;
use rust_decimal::Decimal;

use super::ui::{click, demo_app_as, demo_as, open_as, open_demo, pick, sign, type_into, workspace};

#[test]
fn a_representative_approves_a_declaration_for_the_holder_in_the_app() {
    let (_tmp, demo_dir, mut h) = demo_as("vertegenwoordiger");
    assert_eq!(workspace(&h).who.name, "Eva de Vries");

    click(&mut h, "Machtigingen");
    assert_eq!(workspace(&h).screen, Screen::Mandates);
    assert!(
        h.query_by_label_contains("Sanne de Vries · wettelijk vertegenwoordiger · goedkeuren")
            .is_some(),
        "Eva sees for whom she acts, and what she may do"
    );
    // The mandate names approving only: there is nothing to dispute with.
    assert!(h.query_by_role_and_label(A11y::Button, "Betwisten").is_none());
    // December, which she approved before, shows both names.
    assert!(
        h.query_by_label_contains("goedgekeurd (namens Sanne de Vries, door Eva de Vries)")
            .is_some()
    );

    // Approving asks first, naming for whom she signs; cancelling signs nothing.
    click(&mut h, "Goedkeuren");
    assert!(
        h.query_by_label_contains("De Linde (namens Sanne de Vries, door Eva de Vries)")
            .is_some(),
        "the confirmation says on whose behalf"
    );
    click(&mut h, "Annuleren");
    click(&mut h, "Goedkeuren");
    sign(&mut h);
    click(&mut h, "Kluis sluiten");

    // Eva's vault holds the approval and the spend in Sanne's budget, signed by Eva.
    let eva = open_demo(&demo_dir.join("vertegenwoordiger"));
    let sanne_id = eva.mandates_for_me().unwrap()[0].mandate.record.citizen;
    let budget = DocKind::Budget.doc_id(&sanne_id);
    let ag = eva
        .agreements()
        .unwrap()
        .into_iter()
        .find(|a| a.agreement.record.citizen == sanne_id && !a.agreement.record.informal)
        .unwrap();
    assert!(ag.declarations.iter().all(|d| !d.pending()), "every declaration judged");
    // Sanne's vault receives Eva's changes (what a sync carries) and counts the spend.
    let mut sanne = open_demo(&demo_dir.join("inwoner"));
    for doc in [&budget, &ag.doc] {
        sanne.import_bundle(&eva.bundle(doc).unwrap(), "eva").unwrap();
    }
    let spent_by_eva: Vec<_> = sanne
        .budget(&budget)
        .unwrap()
        .report
        .lines
        .into_iter()
        .filter(|l| l.author == eva.identity() && l.entry.kind == EntryKind::Spend)
        .collect();
    assert_eq!(spent_by_eva.len(), 2, "December (the demo) and November's second half");
    assert!(spent_by_eva.iter().all(|l| l.status == EntryStatus::Counted));
    assert!(
        spent_by_eva.iter().any(|l| l.entry.amount == Decimal::from(320)),
        "5 hours × 64"
    );
    drop((eva, sanne));

    // Sanne's own ledger in the app names both.
    open_as(&mut h, "inwoner");
    click(&mut h, "Budget");
    assert_eq!(
        h.query_all_by_label_contains("namens Sanne de Vries, door Eva de Vries")
            .count(),
        2,
        "both spends Eva booked show on whose behalf and by whom"
    );
}

#[test]
fn a_representative_asks_for_a_budget_for_the_holder_in_the_app() {
    let (_tmp, demo_dir, mut h) = demo_as("vertegenwoordiger");
    // No form to order or request: the demo's mandate names approving only.
    click(&mut h, "Machtigingen");
    assert!(h.query_by_label_contains("Budget aanvragen namens").is_none());
    click(&mut h, "Kluis sluiten");

    // Sanne widens Eva's mandate to requests; Eva receives her budget.
    let mut sanne = open_demo(&demo_dir.join("inwoner"));
    let mut eva = open_demo(&demo_dir.join("vertegenwoordiger"));
    let (sanne_id, eva_id) = (sanne.identity(), eva.identity());
    let budget = sanne.budget_doc();
    sanne
        .give_mandate(
            eva_id,
            inwonercloud_schemas::Capacity::WettelijkVertegenwoordiger,
            vec![inwonercloud_schemas::MandateAction::Request],
            inwonercloud_schemas::Date::new(2026, 1, 1).unwrap(),
            None,
        )
        .unwrap();
    eva.import_bundle(&sanne.bundle(&budget).unwrap(), "sanne").unwrap();
    drop((sanne, eva));

    let mut h = demo_app_as(&demo_dir, "vertegenwoordiger");
    click(&mut h, "Machtigingen");
    pick(&mut h, "Categorie", "Dagbesteding");
    type_into(&mut h, "Bedrag", "2400");
    type_into(&mut h, "Budget vanaf (dd-mm-jjjj)", "01-01-2027");
    type_into(&mut h, "Budget tot en met (dd-mm-jjjj)", "31-12-2027");
    type_into(&mut h, "Waarom", "twee dagdelen per week");
    click(&mut h, "Aanvraagopdracht ondertekenen");
    assert!(
        h.query_by_label_contains("Opdracht ondertekenen namens Sanne de Vries")
            .is_some()
    );
    sign(&mut h);
    assert!(
        h.query_by_label_contains("wacht op de kluis van de budgethouder")
            .is_some()
    );
    click(&mut h, "Kluis sluiten");

    // Sanne's vault receives the commission and files the request itself.
    let eva = open_demo(&demo_dir.join("vertegenwoordiger"));
    let mut sanne = open_demo(&demo_dir.join("inwoner"));
    sanne.import_bundle(&eva.bundle(&budget).unwrap(), "eva").unwrap();
    let done = sanne
        .carry_out_commissions(inwonercloud_schemas::Date::today())
        .unwrap();
    assert_eq!(done.len(), 1, "{done:?}");
    let requests = sanne.requests(&budget).unwrap();
    let r = requests
        .iter()
        .find(|r| r.request.record.motivation == "twee dagdelen per week")
        .expect("the request Eva asked for");
    assert_eq!(r.request.author, sanne_id, "signed by Sanne's own vault");
    assert_eq!(r.request.record.quantity.amount, rust_decimal::Decimal::from(2400));
    assert_eq!(
        sanne.commissioned_by(&sanne_id, &r.request.record.id).unwrap(),
        Some(eva_id)
    );
}
