//! What the retaken screenshots showed (egui_kittest, issue 19, SCREENS):
//! at 150 % text in a 1180-point window the forms, the devices card and the
//! overview stay inside the window (wide tables scroll sideways instead of
//! pushing everything past the right edge); a request shows a short
//! kenmerk, not its raw key, and so does the ledger's note; and colours
//! asked for on the command line (`app --theme`) are used for that run
//! without being remembered, as `--zoom`.

use egui::accesskit::Role as A11y;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use inwonercloud_app::gui::theme::{self, Theme};
use inwonercloud_app::gui::{App, Remembered};

use super::ui::{app, demo_as, demo_folder, go, open_as, options, remembering, settle, workspace};

/// The demo as the citizen in a window as wide as the screenshots (1180
/// pixels), at 150 %.
fn citizen_at_150() -> (tempfile::TempDir, Harness<'static, App>) {
    let (tmp, demo) = demo_folder();
    let o = inwonercloud_app::gui::Options {
        zoom: 1.5,
        ..options(&tmp.path().join("none"), &demo, None)
    };
    let mut h = Harness::builder()
        // The harness's size is in points at the zoom asked for: 1180
        // pixels at 150 % are 787 points.
        .with_size(egui::vec2(1180.0 / 1.5, 3600.0))
        .build_eframe(move |cc| App::new(&cc.egui_ctx, o));
    settle(&mut h);
    open_as(&mut h, "inwoner");
    settle(&mut h);
    (tmp, h)
}

/// The right edge of the window, in the same points as a node's rect.
fn right_edge(h: &Harness<'static, App>) -> f32 {
    h.ctx.content_rect().right()
}

#[test]
fn at_150_percent_forms_devices_and_the_overview_stay_inside_the_window() {
    let (_tmp, mut h) = citizen_at_150();
    assert!((h.ctx.zoom_factor() - 1.5).abs() < 0.01);
    let edge = right_edge(&h);

    // Budget: the accounts table is wider than the window; it scrolls
    // sideways, and the form under it keeps its "Kiezen…" button in sight.
    go(&mut h, "Budget");
    settle(&mut h);
    let pick = h.get_by_role_and_label(A11y::Button, "Kiezen voor Bon of factuur (foto of pdf, mag leeg)");
    assert!(pick.rect().right() <= edge, "{} > {edge}", pick.rect().right());
    let field = h.get_by_role_and_label(A11y::TextInput, "Bon of factuur (foto of pdf, mag leeg)");
    assert!(
        field.rect().right() < pick.rect().left(),
        "the field and its button side by side"
    );

    // Apparaten: the long personal code scrolls in its own table; the
    // explanation under "Uw apparaten" wraps at the window's edge.
    go(&mut h, "Apparaten");
    settle(&mut h);
    let help = h.get_by_label_contains("Op deze apparaten staat uw kluis.");
    assert!(help.rect().right() <= edge, "{} > {edge}", help.rect().right());
    assert!(
        help.rect().height() > 30.0,
        "the explanation wraps onto more lines: {:?} {edge}",
        help.rect()
    );

    // Overzicht: figures and the progress note under each other, inside.
    go(&mut h, "Overzicht");
    settle(&mut h);
    let note = h
        .query_all_by_label_contains("Verwachting: uitgaventempo")
        .map(|n| n.rect().right())
        .fold(0.0_f32, f32::max);
    assert!(note > 0.0 && note <= edge, "{note} > {edge}");
}

#[test]
fn a_request_and_its_grant_show_a_short_kenmerk_not_the_raw_key() {
    let (_tmp, _demo, mut h) = demo_as("inwoner");
    settle(&mut h);
    go(&mut h, "Budget");
    settle(&mut h);
    let ids: Vec<String> = workspace(&h)
        .views
        .requests
        .iter()
        .map(|r| r.request.record.id.clone())
        .collect();
    assert!(!ids.is_empty(), "the demo citizen has requests");
    for id in &ids {
        assert!(id.len() >= 16, "a request's key is long: {id}");
        assert_eq!(
            h.query_all_by_label_contains(id).count(),
            0,
            "the raw key {id} is shown nowhere"
        );
        assert_eq!(
            h.query_all_by_label_contains(&format!("kenmerk {}", &id[..8])).count(),
            1
        );
    }
    // The grant booked for a decided request names the same kenmerk.
    assert!(
        ids.iter().any(|id| h
            .query_all_by_label_contains(&format!("besluit op aanvraag {}", &id[..8]))
            .count()
            == 1),
        "the ledger's note shows the kenmerk"
    );
}

#[test]
fn colours_from_the_command_line_are_used_for_that_run_and_not_remembered() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("config").join("app.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, br#"{"lang": "Nl", "zoom": 1.0, "theme": "dark"}"#).unwrap();

    // `app --theme hoog-contrast`: wins over the remembered dark theme.
    let mut h = app(inwonercloud_app::gui::Options {
        theme: Some(Theme::HighContrast),
        ..remembering(tmp.path(), &file)
    });
    settle(&mut h);
    assert_eq!(h.state().theme(), Theme::HighContrast);
    assert_eq!(h.ctx.global_style().visuals, theme::high_contrast());
    assert_eq!(
        h.get_by_role_and_label(A11y::ComboBox, "Kleuren").value().as_deref(),
        Some("Hoog contrast (licht)")
    );
    drop(h);
    assert_eq!(
        Remembered::load(&file).theme,
        Some(Theme::Dark),
        "a choice on the command line is not written down"
    );

    // Without it, the remembered choice again.
    let mut h = app(remembering(tmp.path(), &file));
    settle(&mut h);
    assert_eq!(h.state().theme(), Theme::Dark);
}
