//! How the app looks (egui_kittest, issue 19): the colours chosen in the top
//! bar (Systeem, Licht, Donker, Hoog contrast) are remembered between runs,
//! an older settings file without them still loads, the high-contrast
//! theme is really applied (black on white, a thick focus outline), text
//! goes up to 200 %; and every chart on Overzicht has its figures as text.

use egui::accesskit::Role as A11y;
use egui_kittest::kittest::Queryable;
use inwonercloud_app::gui::theme::{self, Theme};
use inwonercloud_app::gui::{Remembered, i18n, widgets};
use inwonercloud_schemas::Lang;

use super::ui::{app, demo_as, go, pick, remembering, settle, workspace};

#[test]
fn the_high_contrast_theme_is_chosen_applied_and_remembered_between_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("config").join("app.json");
    let with = || remembering(tmp.path(), &file);
    // A settings file from before there was a choice of colours.
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, br#"{"lang": "Nl", "zoom": 1.25}"#).unwrap();
    let mut h = app(with());
    settle(&mut h);
    assert_eq!(h.state().zoom(), 1.25, "the old file still loads");
    assert_eq!(h.state().theme(), Theme::System);
    assert_eq!(
        h.get_by_role_and_label(A11y::ComboBox, "Kleuren").value().as_deref(),
        Some("Systeem")
    );

    pick(&mut h, "Kleuren", "Hoog contrast (licht)");
    assert_eq!(h.state().theme(), Theme::HighContrast);
    let applied = |h: &egui_kittest::Harness<'static, inwonercloud_app::gui::App>| h.ctx.global_style().visuals.clone();
    let v = applied(&h);
    assert_eq!(v, theme::high_contrast(), "the window uses the high-contrast visuals");
    assert_eq!(v.panel_fill, egui::Color32::WHITE);
    assert_eq!(v.text_color(), egui::Color32::BLACK);
    assert!(v.widgets.active.bg_stroke.width >= 3.0, "a thick focus outline");
    pick(&mut h, "Tekstgrootte", "200 %");
    assert_eq!(h.state().zoom(), 2.0);
    drop(h);
    let saved = Remembered::load(&file);
    assert_eq!(saved.theme, Some(Theme::HighContrast));
    assert_eq!(saved.zoom, Some(2.0));

    // The next run starts in high contrast.
    let mut h = app(with());
    settle(&mut h);
    assert_eq!(h.state().theme(), Theme::HighContrast, "remembered");
    assert_eq!(applied(&h), theme::high_contrast(), "and applied at start");
    assert_eq!(h.state().zoom(), 2.0);

    // Dark: egui's dark visuals, and the notices switch to light colours.
    pick(&mut h, "Kleuren", "Donker");
    settle(&mut h);
    let v = applied(&h);
    assert!(v.dark_mode, "dark");
    assert!(theme::contrast(theme::error_color(&v), v.panel_fill) >= 4.5);
    drop(h);
    assert_eq!(Remembered::load(&file).theme, Some(Theme::Dark));
}

#[test]
fn every_month_and_category_of_the_overview_charts_is_also_written_out() {
    let (_tmp, _, mut h) = demo_as("inwoner");
    go(&mut h, "Overzicht");
    let t = i18n::texts(Lang::Nl);
    let view = match workspace(&h).views.budget.clone() {
        Some(Ok(v)) => v,
        other => panic!("no budget: {:?}", other.map(|r| r.map(|_| ()))),
    };
    let mut months = 0;
    for a in &view.accounts {
        let Some(f) = view.report.accounts.get(&a.record.id) else {
            continue;
        };
        for (m, v) in &f.spent_per_month {
            let line = format!("{}: {}", t.month_words(m), widgets::amount(*v, a.record.unit, Lang::Nl));
            assert!(!t.month_words(m).contains('-'), "the month in words: {line}");
            assert!(
                h.query_all_by_label(&line).count() > 0,
                "the chart's month as text: {line}"
            );
            months += 1;
        }
        for (c, v) in &f.spent_per_category {
            let line = format!(
                "{}: {}",
                widgets::category(c, Lang::Nl),
                widgets::amount(*v, a.record.unit, Lang::Nl)
            );
            assert!(
                h.query_all_by_label(&line).count() > 0,
                "the chart's category as text: {line}"
            );
        }
    }
    assert!(months > 0, "the demo has spending to chart");
}
