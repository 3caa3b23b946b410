//! How the window looks: the system's choice, light, dark, or a light theme
//! with high contrast (black text on white, no faint grey text, strong
//! borders and a thick outline around the widget the keyboard is on), and
//! the colours of notices that stay readable in each of them (WCAG AA:
//! a contrast of at least 4.5 to 1 with the background).

use egui::{Color32, Stroke, Visuals};

use super::i18n::Texts;

/// The look chosen in the top bar (remembered between runs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Follow the computer's light or dark setting.
    #[default]
    System,
    /// egui's light theme.
    Light,
    /// egui's dark theme.
    Dark,
    /// Black on white with strong borders and a thick focus outline.
    HighContrast,
}

impl Theme {
    /// Every choice, in the order the picker shows them.
    pub const ALL: [Theme; 4] = [Theme::System, Theme::Light, Theme::Dark, Theme::HighContrast];

    /// The choice's name in the picker.
    pub fn label(self, t: &Texts) -> &'static str {
        match self {
            Theme::System => t.theme_system,
            Theme::Light => t.theme_light,
            Theme::Dark => t.theme_dark,
            Theme::HighContrast => t.theme_high_contrast,
        }
    }

    /// Makes the window look this way from the next frame on.
    pub fn apply(self, ctx: &egui::Context) {
        let light = match self {
            Theme::HighContrast => high_contrast(),
            _ => Visuals::light(),
        };
        ctx.set_visuals_of(egui::Theme::Light, light);
        ctx.set_visuals_of(egui::Theme::Dark, Visuals::dark());
        ctx.set_theme(match self {
            Theme::System => egui::ThemePreference::System,
            Theme::Light | Theme::HighContrast => egui::ThemePreference::Light,
            Theme::Dark => egui::ThemePreference::Dark,
        });
    }
}

/// Text on the high-contrast theme: black.
pub const HC_TEXT: Color32 = Color32::BLACK;
/// The high-contrast theme's background: white.
pub const HC_BACKGROUND: Color32 = Color32::WHITE;
/// Errors and warnings on a light background: a dark red.
const RED_ON_LIGHT: Color32 = Color32::from_rgb(170, 0, 0);
/// "Done" notices on a light background: a dark green.
const GREEN_ON_LIGHT: Color32 = Color32::from_rgb(0, 110, 40);
/// Errors and warnings on a dark background: a light red.
const RED_ON_DARK: Color32 = Color32::from_rgb(255, 120, 120);
/// "Done" notices on a dark background: a light green.
const GREEN_ON_DARK: Color32 = Color32::from_rgb(110, 220, 130);
/// Warnings (orange) on the high-contrast theme: a dark brown-orange.
const ORANGE_ON_LIGHT: Color32 = Color32::from_rgb(140, 70, 0);

/// The colour of an error or warning text in these visuals.
pub fn error_color(v: &Visuals) -> Color32 {
    if v.dark_mode { RED_ON_DARK } else { RED_ON_LIGHT }
}

/// The colour of a "done" notice in these visuals.
pub fn ok_color(v: &Visuals) -> Color32 {
    if v.dark_mode { GREEN_ON_DARK } else { GREEN_ON_LIGHT }
}

/// The high-contrast light theme: black text on white, weak text as black
/// as the rest, black borders on every widget and card, and a 3-point black
/// outline around the focused widget (egui draws a focused widget with
/// its "active" look, and a focused text field with the selection stroke).
pub fn high_contrast() -> Visuals {
    let mut v = Visuals::light();
    v.override_text_color = None;
    v.weak_text_color = Some(HC_TEXT);
    v.panel_fill = HC_BACKGROUND;
    v.window_fill = HC_BACKGROUND;
    v.extreme_bg_color = HC_BACKGROUND;
    v.text_edit_bg_color = Some(HC_BACKGROUND);
    v.faint_bg_color = Color32::from_gray(235);
    v.code_bg_color = Color32::from_gray(235);
    v.window_stroke = Stroke::new(2.0, HC_TEXT);
    v.hyperlink_color = Color32::from_rgb(0, 0, 180);
    v.error_fg_color = RED_ON_LIGHT;
    v.warn_fg_color = ORANGE_ON_LIGHT;
    v.selection.bg_fill = Color32::from_rgb(190, 215, 255);
    v.selection.stroke = Stroke::new(3.0, HC_TEXT);
    v.text_cursor.stroke = Stroke::new(2.0, HC_TEXT);
    // Each widget state: its fill, and its border and text widths in black.
    let look = |w: &mut egui::style::WidgetVisuals, fill: Color32, border: f32, text: f32| {
        w.bg_fill = fill;
        w.weak_bg_fill = fill;
        w.bg_stroke = Stroke::new(border, HC_TEXT);
        w.fg_stroke = Stroke::new(text, HC_TEXT);
    };
    let w = &mut v.widgets;
    look(&mut w.noninteractive, HC_BACKGROUND, 1.5, 1.0);
    look(&mut w.inactive, Color32::from_gray(235), 1.5, 1.5);
    look(&mut w.hovered, Color32::from_gray(215), 2.0, 1.5);
    look(&mut w.active, Color32::from_gray(200), 3.0, 2.0);
    look(&mut w.open, Color32::from_gray(235), 2.0, 1.5);
    v
}

/// The contrast ratio of two colours (WCAG 2: from 1 to 21), ignoring alpha.
pub fn contrast(a: Color32, b: Color32) -> f64 {
    fn luminance(c: Color32) -> f64 {
        let lin = |x: u8| {
            let s = f64::from(x) / 255.0;
            if s <= 0.04045 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c.r()) + 0.7152 * lin(c.g()) + 0.0722 * lin(c.b())
    }
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG AA for normal text.
    const AA: f64 = 4.5;

    #[test]
    fn the_contrast_ratio_is_computed_as_wcag_defines_it() {
        assert!((contrast(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 1e-9);
        assert!((contrast(Color32::WHITE, Color32::WHITE) - 1.0).abs() < 1e-9);
        // #777 on white is the well-known borderline grey: 4.48.
        let grey = contrast(Color32::from_gray(0x77), Color32::WHITE);
        assert!((4.4..4.5).contains(&grey), "{grey}");
    }

    #[test]
    fn the_high_contrast_theme_has_black_text_and_readable_notices_on_white() {
        let v = high_contrast();
        assert!(!v.dark_mode);
        let bg = v.panel_fill;
        assert_eq!(bg, Color32::WHITE);
        assert_eq!(v.text_color(), Color32::BLACK, "black text");
        assert!(contrast(v.text_color(), bg) >= 20.0);
        assert!(
            contrast(v.weak_text_color(), bg) >= 20.0,
            "no faint grey text: {}",
            contrast(v.weak_text_color(), bg)
        );
        for (what, c) in [
            ("error notice", error_color(&v)),
            ("done notice", ok_color(&v)),
            ("egui error", v.error_fg_color),
            ("egui warning", v.warn_fg_color),
            ("link", v.hyperlink_color),
        ] {
            let r = contrast(c, bg);
            assert!(r >= AA, "{what}: {r:.2} < {AA}");
        }
        // Buttons: black text on their grey, in every state.
        for w in [&v.widgets.inactive, &v.widgets.hovered, &v.widgets.active] {
            assert!(contrast(w.text_color(), w.weak_bg_fill) >= 7.0);
            assert!(
                w.bg_stroke.width >= 1.5 && w.bg_stroke.color == Color32::BLACK,
                "strong borders"
            );
        }
        // Selected text and the selected menu item stay black on light blue.
        assert!(contrast(v.selection.stroke.color, v.selection.bg_fill) >= 7.0);
        // A thick focus outline: buttons (active look) and text fields (selection stroke).
        assert!(v.widgets.active.bg_stroke.width >= 3.0);
        assert!(v.selection.stroke.width >= 3.0);
    }

    #[test]
    fn notices_are_readable_in_the_light_and_the_dark_theme_too() {
        for v in [Visuals::light(), Visuals::dark()] {
            for c in [error_color(&v), ok_color(&v)] {
                let r = contrast(c, v.panel_fill);
                assert!(r >= AA, "dark_mode {}: {r:.2}", v.dark_mode);
            }
        }
    }

    #[test]
    fn every_theme_has_a_dutch_and_an_english_name() {
        use super::super::i18n::{EN, NL};
        for t in [&NL, &EN] {
            let names: std::collections::BTreeSet<&str> = Theme::ALL.iter().map(|th| th.label(t)).collect();
            assert_eq!(names.len(), Theme::ALL.len(), "four different names");
        }
        assert_eq!(Theme::HighContrast.label(&NL), "Hoog contrast (licht)");
    }
}
