//! Small building blocks every screen uses: labelled inputs (so screen
//! readers and egui_kittest find every field by its label), amounts, times,
//! cards and the QR code.

use egui::{Color32, Response, RichText, Ui};
use inwonercloud_schemas::{Date, Lang, format_euros};
use rust_decimal::Decimal;

/// A one-line text field with a visible label tied to it.
pub fn text(ui: &mut Ui, label: &str, value: &mut String) -> Response {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(egui::TextEdit::singleline(value).desired_width(320.0))
            .labelled_by(l.id)
    })
    .inner
}

/// A passphrase field (shown as dots) with a visible label tied to it.
pub fn secret(ui: &mut Ui, label: &str, value: &mut String) -> Response {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(egui::TextEdit::singleline(value).password(true).desired_width(320.0))
            .labelled_by(l.id)
    })
    .inner
}

/// A multi-line text field with a visible label tied to it.
pub fn multiline(ui: &mut Ui, label: &str, value: &mut String) -> Response {
    let l = ui.label(label);
    ui.add(
        egui::TextEdit::multiline(value)
            .desired_rows(3)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(l.id)
}

/// A drop-down choice among `options`, labelled.
pub fn choice<T: Copy + PartialEq>(
    ui: &mut Ui,
    label: &str,
    value: &mut T,
    options: &[T],
    name: impl Fn(T) -> String,
) -> Response {
    let current = name(*value);
    // Several forms share labels ("Leefgebied"): the field's address keeps ids apart.
    egui::ComboBox::new((label, value as *const T as usize), label)
        .selected_text(current)
        .show_ui(ui, |ui| {
            for &o in options {
                ui.selectable_value(value, o, name(o));
            }
        })
        .response
}

/// Euros the way the language writes them.
pub fn euros(amount: Decimal, lang: Lang) -> String {
    format_euros(amount, lang)
}

/// An amount in its unit: euros, hours or points.
pub fn amount(d: Decimal, unit: inwonercloud_schemas::Unit, lang: Lang) -> String {
    inwonercloud_schemas::format_quantity(inwonercloud_schemas::Quantity { amount: d, unit }, lang)
}

/// A date as people write it: `23-11-2026` in Dutch, `2026-11-23` in English.
pub fn date(d: Date, lang: Lang) -> String {
    d.show(lang)
}

/// A moment (unix seconds) as date and time in the Netherlands.
pub fn moment(secs: u64, lang: Lang) -> String {
    if secs == 0 {
        return "—".into();
    }
    let local = secs.saturating_add(inwonercloud_schemas::date::dutch_offset(secs));
    let day = Date::from_unix(local);
    let in_day = local % 86_400;
    format!("{} {:02}:{:02}", date(day, lang), in_day / 3600, (in_day % 3600) / 60)
}

/// A framed group with a heading.
pub fn card<R>(ui: &mut Ui, title: &str, body: impl FnOnce(&mut Ui) -> R) -> R {
    egui::Frame::group(ui.style())
        .inner_margin(10.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new(title).strong().size(16.0));
            ui.add_space(4.0);
            body(ui)
        })
        .inner
}

/// One label–value line of a figures table.
pub fn figure(ui: &mut Ui, label: &str, value: String) {
    ui.label(label);
    ui.label(RichText::new(value).monospace());
    ui.end_row();
}

/// Red text for problems.
pub fn warning(ui: &mut Ui, text: &str) -> Response {
    ui.label(RichText::new(format!("(!) {text}")).color(Color32::from_rgb(200, 40, 40)))
}

/// Draws `data` as a QR code, `module` points per square.
pub fn qr(ui: &mut Ui, data: &str, module: f32) {
    let Ok(code) = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::L) else {
        ui.label("(QR)");
        return;
    };
    let width = code.width();
    let colors = code.to_colors();
    let quiet = 4.0 * module;
    let side = width as f32 * module + 2.0 * quiet;
    let (rect, _) = ui.allocate_exact_size(egui::vec2(side, side), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, Color32::WHITE);
    for (i, c) in colors.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (x, y) = ((i % width) as f32, (i / width) as f32);
            let min = rect.min + egui::vec2(quiet + x * module, quiet + y * module);
            painter.rect_filled(
                egui::Rect::from_min_size(min, egui::vec2(module, module)),
                0.0,
                Color32::BLACK,
            );
        }
    }
}

/// The name of a pgb category code in `lang` (the code itself when unknown).
pub fn category(code: &str, lang: Lang) -> String {
    static CATALOGUE: std::sync::OnceLock<inwonercloud_schemas::Catalogue> = std::sync::OnceLock::new();
    if code.is_empty() {
        return "—".into();
    }
    CATALOGUE
        .get_or_init(inwonercloud_schemas::Catalogue::shipped)
        .get(code)
        .map(|c| c.name(lang).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// Decimal to f64 for charts only (amounts stay exact everywhere else).
pub fn plot_value(d: Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    d.to_f64().unwrap_or(0.0)
}
