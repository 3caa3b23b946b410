//! Forms a person can fill in (issue 19), in the app (egui_kittest): a
//! category is picked by its name, a date from a calendar, and an amount or
//! date that cannot be read is said under its field while it is typed,
//! before anything is signed.

use egui::accesskit::Role as A11y;
use egui_kittest::kittest::Queryable;
use inwonercloud_schemas::{Date, EntryKind};
use rust_decimal::Decimal;

use super::ui::{
    Cards, asked_with, built_demo, card, click, click_last, decide, demo_app_as, demo_as, go, linde_pot, notice,
    open_demo, pick, pick_date, replace_nth, replace_text, request_asked_with, settle, sign, type_into, type_into_nth,
    workspace,
};

const AMOUNT: &str = "Bedrag (bijv. 66,50)";
const DATE: &str = "Datum (leeg = vandaag)";
const TOO_MANY_DECIMALS: &str = "Te veel cijfers achter de komma";
const NO_DATE: &str = "Schrijf de datum als 31-12-2026";

/// The number of lines in the open vault's budget ledger.
fn ledger_lines(h: &egui_kittest::Harness<'static, inwonercloud_app::gui::App>) -> usize {
    let ws = workspace(h);
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
    let (_tmp, demo_dir, mut h) = demo_as("inwoner");
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
    click_last(&mut h, "Boeken");
    assert!(
        h.query_by_label_contains("Persoonlijke verzorging").is_some(),
        "the confirmation names the category"
    );
    sign(&mut h);
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
    let (_tmp, _, mut h) = demo_as("inwoner");
    go(&mut h, "Budget");
    let before = ledger_lines(&h);
    assert!(h.query_by_label_contains(TOO_MANY_DECIMALS).is_none());

    type_into(&mut h, AMOUNT, "12,505");
    assert!(
        h.query_by_label_contains(TOO_MANY_DECIMALS).is_some(),
        "the hint shows while typing, in Dutch"
    );
    assert!(workspace(&h).notice.is_none(), "nothing was submitted");
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
    click_last(&mut h, "Boeken");
    let (error, text) = notice(&h);
    assert!(error && text.contains("te veel cijfers achter de komma"), "{text}");
    assert_eq!(ledger_lines(&h), before, "nothing signed");
}

#[test]
fn a_date_that_does_not_exist_is_said_under_the_field() {
    let (_tmp, _, mut h) = demo_as("inwoner");
    go(&mut h, "Budget");
    let before = ledger_lines(&h);
    assert!(h.query_by_label_contains(NO_DATE).is_none(), "an empty date is today");

    type_into(&mut h, DATE, "31-02-2026");
    assert!(
        h.query_by_label_contains(NO_DATE).is_some(),
        "31 February: the hint shows before anything is submitted"
    );
    assert!(workspace(&h).notice.is_none());
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
    let (_tmp, demo_dir, mut h) = demo_as("zorgaanbieder");
    go(&mut h, "Wijkbudget");
    replace_text(&mut h, "Inwoner (pseudoniem, geen naam of BSN)", "OV-0200");
    pick(&mut h, "Categorie", "Dagbesteding");
    replace_text(&mut h, "Bedrag (€)", "75,00");
    let date = "Datum (dd-mm-jjjj, leeg: vandaag)";
    replace_text(&mut h, date, "15-12-2026");
    pick_date(&mut h, date, 0, "1 december 2026");
    assert_eq!(field(&h, date), "01-12-2026");
    click(&mut h, "Boeken");
    sign(&mut h);
    click(&mut h, "Kluis sluiten");

    let d = linde_pot(&demo_dir);
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
    let (_tmp, demo_dir) = built_demo();
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
    let mut h = demo_app_as(&demo_dir, "gemeente");
    // The card of this request among the integral ones waiting.
    let asked = asked_with("Begeleiding voor mij en mijn zoon");
    let n = card(&h, Cards::Inbox, |r| !r.request.record.categories.is_empty(), &asked);
    type_into_nth(&mut h, A11y::TextInput, "Wmo", n, "6000,001");
    assert!(
        h.query_by_label_contains(TOO_MANY_DECIMALS).is_some(),
        "each act's amount is checked as it is typed"
    );
    replace_nth(&mut h, "Wmo", n, "6000");
    type_into_nth(&mut h, A11y::TextInput, "Jeugdwet", n, "4000");
    assert!(h.query_by_label_contains(TOO_MANY_DECIMALS).is_none());
    let n = card(&h, Cards::Inbox, |_| true, &asked);
    decide(&mut h, n, "Past bij het gezinsplan");
    sign(&mut h);
    drop(h);

    let m = open_demo(&demo_dir.join("gemeente"));
    let req = request_asked_with(&m, "Begeleiding voor mij en mijn zoon");
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
