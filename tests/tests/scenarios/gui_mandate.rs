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

use super::ui::{app, click, open_demo, options, settle};

#[test]
fn a_representative_approves_a_declaration_for_the_holder_in_the_app() {
    let tmp = tempfile::tempdir().unwrap();
    let demo_dir = tmp.path().join("demo");
    let mut h = app(options(&tmp.path().join("none"), &demo_dir, None));
    settle(&mut h);
    click(&mut h, "… als vertegenwoordiger");
    assert_eq!(h.state().workspace.as_ref().unwrap().who.name, "Eva de Vries");

    click(&mut h, "Machtigingen");
    assert_eq!(h.state().workspace.as_ref().unwrap().screen, Screen::Mandates);
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
    click(&mut h, "Ja, ondertekenen");
    let notice = h.state().workspace.as_ref().unwrap().notice.clone().unwrap();
    assert!(!notice.error, "{}", notice.text);
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
    click(&mut h, "Demo openen als inwoner");
    click(&mut h, "Budget");
    assert_eq!(
        h.query_all_by_label_contains("namens Sanne de Vries, door Eva de Vries")
            .count(),
        2,
        "both spends Eva booked show on whose behalf and by whom"
    );
}
