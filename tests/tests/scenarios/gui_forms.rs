//! Forms a person can fill in (issue 19), in the app (egui_kittest): a
//! category is picked by its name, a date from a calendar, and an amount or
//! date that cannot be read is said under its field while it is typed,
//! before anything is signed.

use egui::accesskit::Role as A11y;
use egui_kittest::kittest::Queryable;
use inwonercloud_schemas::{Date, EntryKind};
use rust_decimal::Decimal;

use super::ui::{app, click, go, open_demo, options, pick, pick_date, replace_text, settle, type_into};

const AMOUNT: &str = "Bedrag (bijv. 66,50)";
const DATE: &str = "Datum (leeg = vandaag)";
const TOO_MANY_DECIMALS: &str = "Te veel cijfers achter de komma";
const NO_DATE: &str = "Schrijf de datum als 31-12-2026";

/// The number of lines in the open vault's budget ledger.
fn ledger_lines(h: &egui_kittest::Harness<'static, inwonercloud_app::gui::App>) -> usize {
    let ws = h.state().workspace.as_ref().unwrap();
    ws.views.budget.as_ref().unwrap().as_ref().unwrap().report.lines.len()
}

/// The text now in the field labelled `label`.
fn field(h: &egui_kittest::Harness<'static, inwonercloud_app::gui::App>, label: &str) -> String {
    h.get_by_role_and_label(A11y::TextInput, label)
        .value()
        .unwrap_or_default()
}

#[test]
fn a_citizen_books_a_spend_with_the_category_picked_by_name_and_the_date_from_the_calendar() {
    let tmp = tempfile::tempdir().unwrap();
    let demo_dir = tmp.path().join("demo");
    let mut h = app(options(&tmp.path().join("none"), &demo_dir, None));
    settle(&mut h);
    click(&mut h, "Demo openen als inwoner");
    go(&mut h, "Budget");

    type_into(&mut h, AMOUNT, "42,00");
    // The category by its name; no code is typed.
    assert!(
        h.query_all_by_role_and_label(A11y::TextInput, "Categorie")
            .next()
            .is_none(),
        "the category is no text field any more"
    );
    pick(&mut h, "Categorie", "Persoonlijke verzorging");
    assert_eq!(
        h.get_by_role_and_label(A11y::ComboBox, "Categorie").value().as_deref(),
        Some("Persoonlijke verzorging")
    );
    // The calendar opens at the month typed; one month back, the 3rd.
    type_into(&mut h, DATE, "15-11-2026");
    h.get_by_role_and_label(A11y::Button, &format!("Kalender voor {DATE}"))
        .click();
    settle(&mut h);
    assert!(h.query_by_label("november 2026").is_some(), "the month in Dutch words");
    for day in ["ma", "di", "wo", "do", "vr", "za", "zo"] {
        assert!(h.query_by_label(day).is_some(), "weekday heading {day}");
    }
    click(&mut h, "Vorige maand");
    assert!(h.query_by_label("oktober 2026").is_some());
    click(&mut h, "3 oktober 2026");
    assert_eq!(field(&h, DATE), "03-10-2026", "the day, written the Dutch way");
    assert!(
        h.query_by_label("oktober 2026").is_none(),
        "the calendar closes once a day is picked"
    );
    type_into(&mut h, "Omschrijving", "Verzorging gekozen uit de lijst");
    h.get_all_by_role_and_label(A11y::Button, "Boeken")
        .last()
        .unwrap()
        .click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("Persoonlijke verzorging").is_some(),
        "the confirmation names the category"
    );
    click(&mut h, "Ja, ondertekenen");
    let (error, text) = super::ui::notice(&h);
    assert!(!error, "{text}");
    drop(h);

    let citizen = open_demo(&demo_dir.join("inwoner"));
    let b = citizen.budget(&citizen.budget_doc()).unwrap();
    let spend = b
        .report
        .lines
        .iter()
        .find(|l| l.entry.note == "Verzorging gekozen uit de lijst")
        .expect("the spend is signed into the ledger");
    assert_eq!(spend.entry.kind, EntryKind::Spend);
    assert_eq!(spend.entry.amount, Decimal::new(4200, 2));
    assert_eq!(spend.entry.category.as_deref(), Some("persoonlijke_verzorging"));
    assert_eq!(spend.entry.date, Date::new(2026, 10, 3).unwrap());
}

#[test]
fn an_amount_with_three_decimals_is_said_under_the_field_before_anything_is_signed() {
    let tmp = tempfile::tempdir().unwrap();
    let demo_dir = tmp.path().join("demo");
    let mut h = app(options(&tmp.path().join("none"), &demo_dir, None));
    settle(&mut h);
    click(&mut h, "Demo openen als inwoner");
    go(&mut h, "Budget");
    let before = ledger_lines(&h);
    assert!(h.query_by_label_contains(TOO_MANY_DECIMALS).is_none());

    type_into(&mut h, AMOUNT, "12,505");
    assert!(
        h.query_by_label_contains(TOO_MANY_DECIMALS).is_some(),
        "the hint shows while typing, in Dutch"
    );
    assert!(
        h.state().workspace.as_ref().unwrap().notice.is_none(),
        "nothing was submitted"
    );
    assert!(h.query_by_label_contains("Ja, ondertekenen").is_none(), "no dialog");
    assert_eq!(ledger_lines(&h), before, "nothing signed");

    // Not a number, then zero: each has its own hint.
    replace_text(&mut h, AMOUNT, "twaalf");
    assert!(h.query_by_label_contains(TOO_MANY_DECIMALS).is_none());
    assert!(h.query_by_label_contains("Dit is geen getal").is_some());
    replace_text(&mut h, AMOUNT, "0");
    assert!(h.query_by_label_contains("groter dan 0").is_some());
    // Corrected: the hint goes away.
    replace_text(&mut h, AMOUNT, "12,50");
    assert!(h.query_by_label_contains("Dit is geen getal").is_none());
    assert!(h.query_by_label_contains("groter dan 0").is_none());
    assert!(h.query_by_label_contains(TOO_MANY_DECIMALS).is_none());

    // Submitting the wrong amount still refuses, in Dutch, and signs nothing.
    replace_text(&mut h, AMOUNT, "12,505");
    h.get_all_by_role_and_label(A11y::Button, "Boeken")
        .last()
        .unwrap()
        .click();
    settle(&mut h);
    let (error, text) = super::ui::notice(&h);
    assert!(error && text.contains("te veel cijfers achter de komma"), "{text}");
    assert_eq!(ledger_lines(&h), before, "nothing signed");
}

#[test]
fn a_date_that_does_not_exist_is_said_under_the_field() {
    let tmp = tempfile::tempdir().unwrap();
    let demo_dir = tmp.path().join("demo");
    let mut h = app(options(&tmp.path().join("none"), &demo_dir, None));
    settle(&mut h);
    click(&mut h, "Demo openen als inwoner");
    go(&mut h, "Budget");
    let before = ledger_lines(&h);
    assert!(h.query_by_label_contains(NO_DATE).is_none(), "an empty date is today");

    type_into(&mut h, DATE, "31-02-2026");
    assert!(
        h.query_by_label_contains(NO_DATE).is_some(),
        "31 February: the hint shows before anything is submitted"
    );
    assert!(h.state().workspace.as_ref().unwrap().notice.is_none());
    // The calendar opens on this month (the text is no date) and writes a real one.
    let today = Date::today();
    pick_date(
        &mut h,
        DATE,
        0,
        &format!(
            "1 {} {}",
            inwonercloud_schemas::date::month_name(today.month(), inwonercloud_schemas::Lang::Nl).unwrap(),
            today.year()
        ),
    );
    assert_eq!(
        field(&h, DATE),
        Date::new(today.year(), today.month(), 1)
            .unwrap()
            .show(inwonercloud_schemas::Lang::Nl)
    );
    assert!(h.query_by_label_contains(NO_DATE).is_none(), "a real date: no hint");
    assert_eq!(ledger_lines(&h), before, "nothing signed");
}

#[test]
fn a_partner_books_wijkbudget_support_with_the_category_and_date_picked() {
    let tmp = tempfile::tempdir().unwrap();
    let demo_dir = tmp.path().join("demo");
    let mut h = app(options(&tmp.path().join("none"), &demo_dir, None));
    settle(&mut h);
    click(&mut h, "… als zorgaanbieder");
    go(&mut h, "Wijkbudget");
    replace_text(&mut h, "Inwoner (pseudoniem, geen naam of BSN)", "OV-0200");
    pick(&mut h, "Categorie", "Dagbesteding");
    replace_text(&mut h, "Bedrag (€)", "75,00");
    let date = "Datum (dd-mm-jjjj, leeg: vandaag)";
    replace_text(&mut h, date, "15-12-2026");
    pick_date(&mut h, date, 0, "1 december 2026");
    assert_eq!(field(&h, date), "01-12-2026");
    click(&mut h, "Boeken");
    click(&mut h, "Ja, ondertekenen");
    let (error, text) = super::ui::notice(&h);
    assert!(!error, "{text}");
    click(&mut h, "Kluis sluiten");

    let linde = open_demo(&demo_dir.join("zorgaanbieder"));
    let pot = linde.pots().pop().unwrap();
    let d = linde.pot_dashboard(&pot).unwrap();
    let spend = d
        .spends
        .iter()
        .find(|s| s.spend.resident == "OV-0200")
        .expect("the support is booked");
    assert_eq!(spend.spend.category, "dagbesteding", "the code of the name picked");
    assert_eq!(spend.spend.date, Date::new(2026, 12, 1).unwrap());
    assert_eq!(spend.spend.amount, Decimal::new(7500, 2));
}

#[test]
fn an_integral_grant_is_split_over_the_acts_with_one_amount_field_per_act() {
    use inwonercloud_schemas::{FundingStream, Quantity, StreamShare, Unit};
    let tmp = tempfile::tempdir().unwrap();
    let demo_dir = tmp.path().join("demo");
    inwonercloud_app::demo::build(&demo_dir).unwrap();
    {
        let mut sanne = open_demo(&demo_dir.join("inwoner"));
        let mut gemeente = open_demo(&demo_dir.join("gemeente"));
        sanne
            .request_integral_budget(
                inwonercloud_vault::NewRequest {
                    stream: FundingStream::Wmo,
                    category: "begeleiding_individueel".into(),
                    quantity: Quantity::new(Decimal::from(10_000), Unit::Euro).unwrap(),
                    period_start: Date::new(2027, 1, 1).unwrap(),
                    period_end: Date::new(2027, 12, 31).unwrap(),
                    goal_ids: vec![],
                    motivation: "Begeleiding voor mij en mijn zoon".into(),
                    adjusts_account: None,
                },
                vec!["jeugd_begeleiding".into()],
            )
            .unwrap();
        inwonercloud_tests::hand_over(&sanne, &mut gemeente, &sanne.budget_doc());
    }
    let mut h = app(options(&tmp.path().join("none"), &demo_dir, None));
    settle(&mut h);
    click(&mut h, "… als gemeente");
    // The card of this request among the integral ones waiting.
    let n = h
        .state()
        .workspace
        .as_ref()
        .unwrap()
        .views
        .inbox
        .iter()
        .filter(|r| !r.request.record.categories.is_empty())
        .position(|r| r.request.record.motivation == "Begeleiding voor mij en mijn zoon")
        .expect("the request waits");
    super::ui::type_into_nth(&mut h, A11y::TextInput, "Wmo", n, "6000,001");
    assert!(
        h.query_by_label_contains(TOO_MANY_DECIMALS).is_some(),
        "each act's amount is checked as it is typed"
    );
    h.get_all_by_role_and_label(A11y::TextInput, "Wmo")
        .nth(n)
        .unwrap()
        .focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    h.get_all_by_role_and_label(A11y::TextInput, "Wmo")
        .nth(n)
        .unwrap()
        .type_text("6000");
    settle(&mut h);
    super::ui::type_into_nth(&mut h, A11y::TextInput, "Jeugdwet", n, "4000");
    assert!(h.query_by_label_contains(TOO_MANY_DECIMALS).is_none());
    let card = h
        .state()
        .workspace
        .as_ref()
        .unwrap()
        .views
        .inbox
        .iter()
        .position(|r| r.request.record.motivation == "Begeleiding voor mij en mijn zoon")
        .unwrap();
    super::ui::type_into_nth(
        &mut h,
        A11y::TextInput,
        "Motivering van het besluit",
        card,
        "Past bij het gezinsplan",
    );
    h.get_all_by_role_and_label(A11y::Button, "Besluit nemen")
        .nth(card)
        .unwrap()
        .click();
    settle(&mut h);
    click(&mut h, "Ja, ondertekenen");
    let (error, text) = super::ui::notice(&h);
    assert!(!error, "{text}");
    drop(h);

    let m = open_demo(&demo_dir.join("gemeente"));
    let req = m
        .all_requests()
        .unwrap()
        .into_iter()
        .find(|r| r.request.record.motivation == "Begeleiding voor mij en mijn zoon")
        .unwrap();
    let d = req.decision.expect("decided in the app");
    assert_eq!(
        d.record.funding,
        vec![
            StreamShare {
                stream: FundingStream::Wmo,
                amount: Decimal::from(6000)
            },
            StreamShare {
                stream: FundingStream::Jeugdwet,
                amount: Decimal::from(4000)
            },
        ],
        "one share per act, as typed in its own field"
    );
}
