//! The wijkbudget in the app (egui_kittest): the demo's De Linde, a partner
//! in the municipality's pot for Overvecht, sees the dashboard every partner
//! sees (with the alert for Welzijn, near its room), books support for a
//! resident against its own room, and is refused a spend beyond it. The
//! municipality sets a room on the same screen. De Linde counts an approved
//! marketplace declaration in the pot; the municipality removes a partner.

use egui_kittest::kittest::Queryable;
use inwonercloud_app::gui::Screen;
use inwonercloud_schemas::SupportKind;
use inwonercloud_vault::{DeclarationCheck, resident_pseudonym};
use rust_decimal::Decimal;

use super::ui::{click, demo_as, go, notice, open_demo, pick, replace_text, settle, sign, workspace};

#[test]
fn a_provider_sees_the_pot_dashboard_and_books_a_spend_in_the_app() {
    let (_tmp, demo_dir, mut h) = demo_as("zorgaanbieder");
    go(&mut h, "Wijkbudget");
    assert_eq!(workspace(&h).screen, Screen::Pot);
    assert!(h.query_by_label_contains("Wijkbudget Overvecht").is_some());
    assert!(
        h.query_by_label_contains("Welzijn Overvecht heeft 90 % of meer van de ruimte gebruikt")
            .is_some(),
        "the alert for the organisation near its room"
    );
    // De Linde: room 15.000 + 1.500 from the Buurtteam, 5.860,75 spent.
    assert!(
        h.query_by_label("€ 16.500,00").is_some(),
        "De Linde's room after the rebalance"
    );
    assert!(h.query_by_label("€ 5.860,75").is_some(), "De Linde's spending");
    assert!(
        h.query_by_label_contains("93,1 %").is_some(),
        "Welzijn's share used, the Dutch way, flagged"
    );

    // Book support for a resident.
    replace_text(&mut h, "Inwoner (pseudoniem, geen naam of BSN)", "OV-0105");
    pick(&mut h, "Categorie", "Individuele begeleiding (professioneel)");
    replace_text(&mut h, "Bedrag (€)", "250,00");
    replace_text(&mut h, "Datum (dd-mm-jjjj, leeg: vandaag)", "15-12-2026");
    click(&mut h, "Boeken");
    sign(&mut h);
    settle(&mut h);
    assert!(
        h.query_by_label("€ 6.110,75").is_some(),
        "the dashboard shows the new spend"
    );

    // Beyond the room: refused, in words, nothing written.
    replace_text(&mut h, "Inwoner (pseudoniem, geen naam of BSN)", "OV-0106");
    replace_text(&mut h, "Bedrag (€)", "20000");
    click(&mut h, "Boeken");
    click(&mut h, "Ja, ondertekenen");
    let (error, text) = notice(&h);
    assert!(error && text.contains("past niet in uw ruimte"), "in Dutch: {text}");
    click(&mut h, "Kluis sluiten");

    let linde = open_demo(&demo_dir.join("zorgaanbieder"));
    let pot = linde.pots().pop().unwrap();
    let d = linde.pot_dashboard(&pot).unwrap();
    let mine: Vec<_> = d
        .spends
        .iter()
        .filter(|s| s.spend.resident == "OV-0105" || s.spend.resident == "OV-0106")
        .collect();
    assert_eq!(mine.len(), 1, "only the spend within the room was booked");
    assert_eq!(mine[0].spend.amount, Decimal::new(25000, 2));
    assert_eq!(mine[0].spend.kind, SupportKind::Individual);
    assert_eq!(mine[0].spend.organisation, linde.identity(), "signed for its own room");
    let o = d.organisation(&linde.identity()).unwrap();
    assert_eq!(o.spent, Decimal::new(611_075, 2));
}

#[test]
fn the_municipality_sets_a_room_on_the_pot_screen() {
    let (_tmp, demo_dir, mut h) = demo_as("gemeente");
    go(&mut h, "Wijkbudget");
    assert!(h.query_by_label_contains("Welzijn Overvecht heeft 90 %").is_some());
    // The organisation drop-down starts at the first partner by name
    // (Buurtteam Overvecht); more than the subsidy allows is refused.
    replace_text(&mut h, "Ruimte (€)", "40000");
    click(&mut h, "Ruimte vastleggen");
    click(&mut h, "Ja, ondertekenen");
    let (error, text) = notice(&h);
    assert!(error && text.contains("more than"), "{text}");
    replace_text(&mut h, "Ruimte (€)", "21000");
    click(&mut h, "Ruimte vastleggen");
    sign(&mut h);
    click(&mut h, "Kluis sluiten");
    let g = open_demo(&demo_dir.join("gemeente"));
    let d = g.pot_dashboard(&g.pots().pop().unwrap()).unwrap();
    let team = d
        .organisations
        .iter()
        .find(|o| o.name == "Buurtteam Overvecht")
        .unwrap();
    assert_eq!(team.base_room, Decimal::from(21000));
}

#[test]
fn a_provider_counts_an_approved_marketplace_declaration_in_the_pot_in_the_app() {
    let (_tmp, demo_dir, mut h) = demo_as("zorgaanbieder");
    go(&mut h, "Wijkbudget");
    assert!(h.query_by_label("Marktdeclaraties in het wijkbudget").is_some());
    click(&mut h, "Meetellen in het wijkbudget");
    sign(&mut h);
    settle(&mut h);
    click(&mut h, "Kluis sluiten");

    let linde = open_demo(&demo_dir.join("zorgaanbieder"));
    let pot = linde.pots().pop().unwrap();
    let d = linde.pot_dashboard(&pot).unwrap();
    let booked: Vec<_> = d.spends.iter().filter(|s| s.spend.declaration.is_some()).collect();
    assert_eq!(booked.len(), 1, "one declaration counted");
    let line = booked[0];
    assert_eq!(line.declaration, Some(DeclarationCheck::Verified));
    let r = line.spend.declaration.as_ref().unwrap();
    let (a, decl) = linde.declaration(&r.id).unwrap();
    assert_eq!(line.spend.amount, decl.declaration.record.amount().unwrap());
    assert_eq!(
        line.spend.resident,
        resident_pseudonym(&pot, &a.agreement.record.citizen),
        "a pseudonym from the citizen's key, never her name"
    );
    assert_eq!(line.spend.organisation, linde.identity());
    let o = d.organisation(&linde.identity()).unwrap();
    assert_eq!(o.marketplace, line.spend.amount);
    // Counted once: booking it again is refused.
    let mut linde = linde;
    let err = linde.pot_spend_declaration(&pot, &r.id, "").unwrap_err();
    assert!(err.to_string().contains("already counted"), "{err}");
}

#[test]
fn the_municipality_removes_a_partner_on_the_pot_screen() {
    let (_tmp, demo_dir, mut h) = demo_as("gemeente");
    go(&mut h, "Wijkbudget");
    // The drop-down starts at the first partner by name: Buurtteam Overvecht.
    replace_text(&mut h, "Reden", "samenwerking beëindigd");
    click(&mut h, "Partner verwijderen");
    sign(&mut h);
    settle(&mut h);
    assert!(
        h.query_by_label_contains("Buurtteam Overvecht is geen partner meer")
            .is_some(),
        "the dashboard says so"
    );
    click(&mut h, "Kluis sluiten");
    let g = open_demo(&demo_dir.join("gemeente"));
    let pot = g.pots().pop().unwrap();
    let d = g.pot_dashboard(&pot).unwrap();
    let team = d
        .organisations
        .iter()
        .find(|o| o.name == "Buurtteam Overvecht")
        .unwrap();
    assert!(team.removed);
    assert!(!team.spent.is_zero(), "its spends so far still count");
    assert!(!g.header(&pot).unwrap().may_write(&team.organisation));
}
