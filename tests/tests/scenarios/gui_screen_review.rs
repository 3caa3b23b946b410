//! Findings of the screen review (egui_kittest, issue 19): Eva, Sanne's
//! representative, sees on her Machtigingen screen the same amount left in
//! Sanne's pgb as Sanne on her budget screen (the neighbour's reservation
//! included); a partner in the wijkbudget picks the pot's own categories
//! ("Jongerenwerk") in the spend form; and the two passphrase fields on
//! Apparaten each say what they are for.

use egui::accesskit::Role as A11y;
use egui_kittest::kittest::{NodeT, Queryable};

use super::ui::{click, demo_as, go, linde_pot, pick, replace_text, sign, workspace};

#[test]
fn the_representative_sees_the_same_amount_left_as_the_budget_holder() {
    let (_tmp, _demo, mut h) = demo_as("vertegenwoordiger");
    go(&mut h, "Machtigingen");
    assert!(
        h.query_all_by_label_contains("Nu resterend op de rekening: € 705,00")
            .count()
            >= 1,
        "what Sanne sees left on her pgb, reservations included"
    );
    assert_eq!(h.query_all_by_label_contains("€ 975,00").count(), 0);
    let (_tmp, _demo, mut sanne) = demo_as("inwoner");
    go(&mut sanne, "Budget");
    assert!(sanne.query_all_by_label_contains("€ 705,00").count() >= 1);
}

#[test]
fn a_partner_books_a_spend_in_one_of_the_pots_own_categories() {
    let (_tmp, demo_dir, mut h) = demo_as("zorgaanbieder");
    go(&mut h, "Wijkbudget");
    let resident = "OV-0777";
    replace_text(&mut h, "Inwoner (pseudoniem, geen naam of BSN)", resident);
    pick(&mut h, "Categorie", "Jongerenwerk");
    assert_eq!(workspace(&h).forms.pot.category, "jongerenwerk");
    replace_text(&mut h, "Bedrag (€)", "120,00");
    replace_text(&mut h, "Datum (dd-mm-jjjj, leeg: vandaag)", "15-12-2026");
    click(&mut h, "Boeken");
    sign(&mut h);
    click(&mut h, "Kluis sluiten");
    let d = linde_pot(&demo_dir);
    let spend = d
        .spends
        .iter()
        .find(|s| s.spend.resident == resident)
        .expect("the spend is booked");
    assert_eq!(spend.spend.category, "jongerenwerk");
}

#[test]
fn each_passphrase_field_on_apparaten_says_what_it_is_for() {
    let (_tmp, _demo, mut h) = demo_as("inwoner");
    go(&mut h, "Apparaten");
    let fields: Vec<String> = h
        .query_all_by_role(A11y::PasswordInput)
        .filter_map(|n| n.accesskit_node().label().map(|l| l.to_string()))
        .collect();
    assert_eq!(
        fields,
        [
            "Huidig wachtwoord (dat u wijzigt)",
            "Nieuw wachtwoord",
            "Herhaal wachtwoord",
            "Wachtwoord van de kluis (de reservekopie krijgt hetzelfde wachtwoord)",
        ],
        "no two passphrase fields share a label"
    );
}
