//! Plain Dutch in the app (egui_kittest): a decided request tells the
//! citizen until which day, and with whom, she can object (six weeks after
//! the decision); the municipality sees that day before it signs a
//! decision; and the overview's per-month chart is also written out in
//! words (month and amount) for those who cannot see the bars.

use egui_kittest::kittest::Queryable;
use inwonercloud_schemas::{Date, Decision, Lang, Quantity, format_quantity};

use super::ui::{click, click_first, demo_as, go, open_demo, workspace};

#[test]
fn the_demo_citizen_sees_until_when_she_can_object_to_each_decision() {
    let (_tmp, demo_dir, mut h) = demo_as("inwoner");
    go(&mut h, "Budget");

    let citizen = open_demo(&demo_dir.join("inwoner"));
    let doc = citizen.budget_doc();
    let decided: Vec<Date> = citizen
        .requests(&doc)
        .unwrap()
        .iter()
        .filter_map(|r| r.decision.as_ref().map(|d| d.record.date))
        .collect();
    assert!(!decided.is_empty(), "the demo citizen has decided requests");
    for date in &decided {
        let last = date.plus_days(Decision::OBJECTION_DAYS);
        assert_eq!(last.days_since_epoch() - date.days_since_epoch(), 42);
        let text = format!(
            "U kunt tot en met {} bezwaar maken bij Gemeente Utrecht.",
            last.show(Lang::Nl)
        );
        let same_day = decided.iter().filter(|d| *d == date).count();
        assert_eq!(
            h.query_all_by_label(&text).count(),
            same_day,
            "each decision of {date} shows: {text}"
        );
    }
    // The text is only there for decisions: nothing says "bezwaar" for a
    // request still waiting, so the count matches the decisions in force.
    let lines = h.query_all_by_label_contains("bezwaar maken bij").count();
    let in_force = citizen
        .requests(&doc)
        .unwrap()
        .iter()
        .filter(|r| r.decision.is_some())
        .count();
    assert_eq!(lines, in_force, "one objection line per decision in force");
}

#[test]
fn the_municipality_sees_the_objection_day_before_it_signs_a_decision() {
    let (_tmp, _, mut h) = demo_as("gemeente");
    assert!(
        !workspace(&h).views.inbox.is_empty(),
        "a request waits in the demo inbox"
    );
    click_first(&mut h, "Besluit nemen");
    let last = Date::today().plus_days(Decision::OBJECTION_DAYS).show(Lang::Nl);
    let expected = format!("kan tot en met {last} bezwaar maken bij Gemeente Utrecht.");
    assert!(
        h.query_by_label_contains(&expected).is_some(),
        "the confirmation names the last day to object: {expected}"
    );
    click(&mut h, "Annuleren");
}

#[test]
fn the_overview_writes_the_per_month_chart_out_in_words() {
    let (_tmp, demo_dir, mut h) = demo_as("inwoner");
    go(&mut h, "Overzicht");

    let citizen = open_demo(&demo_dir.join("inwoner"));
    let view = citizen.budget(&citizen.budget_doc()).unwrap();
    const MONTHS: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    let mut checked = 0;
    for a in &view.accounts {
        let Some(f) = view.report.accounts.get(&a.record.id) else {
            continue;
        };
        for (key, amount) in &f.spent_per_month {
            let (year, month) = key.split_once('-').unwrap();
            let month: usize = month.parse().unwrap();
            let text = format!(
                "{} {year}: {}",
                MONTHS[month - 1],
                format_quantity(
                    Quantity {
                        amount: *amount,
                        unit: a.record.unit
                    },
                    Lang::Nl
                )
            );
            assert!(
                h.query_by_label(&text).is_some(),
                "the month is written out under the chart: {text}"
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "the demo citizen spent in some month");
}
