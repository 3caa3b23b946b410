//! Small building blocks every screen uses: labelled inputs (so screen
//! readers and egui_kittest find every field by its label), amounts, times,
//! cards and the QR code.

use egui::{Color32, Response, RichText, Ui};
use inwonercloud_schemas::{Category, Date, Lang, Quantity, SchemaError, Unit, format_euros, parse_amount};
use rust_decimal::Decimal;

use super::i18n::texts;

/// A one-line text field with a visible label tied to it.
pub fn text(ui: &mut Ui, label: &str, value: &mut String) -> Response {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(egui::TextEdit::singleline(value).desired_width(field_width(ui)))
            .labelled_by(l.id)
    })
    .inner
}

/// A one-line field's width: 320 points, narrower when the text is large or
/// the window narrow, leaving room for a button beside it ("Kiezen…"), so the
/// row stays inside the window.
fn field_width(ui: &Ui) -> f32 {
    320.0_f32.min(ui.available_width() - 100.0).max(120.0)
}

/// A passphrase field (shown as dots) with a visible label tied to it.
pub fn secret(ui: &mut Ui, label: &str, value: &mut String) -> Response {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(
            egui::TextEdit::singleline(value)
                .password(true)
                .desired_width(field_width(ui)),
        )
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
    combo(ui, (label, value as *const T as usize), label, current, |ui| {
        for &o in options {
            ui.selectable_value(value, o, name(o));
        }
    })
}

/// A drop-down with its label in front of it, as text fields have theirs,
/// and tied to it for screen readers. `id` keeps drop-downs with the same
/// label apart.
pub fn combo(
    ui: &mut Ui,
    id: impl std::hash::Hash + std::fmt::Debug,
    label: &str,
    selected: impl Into<egui::WidgetText>,
    options: impl FnOnce(&mut Ui),
) -> Response {
    labelled_combo(ui, id, label, selected, None, options)
}

/// [`combo`], optionally with its open list tall enough for `rows` options
/// (plus a little room), so a short list never scrolls inside itself.
fn labelled_combo(
    ui: &mut Ui,
    id: impl std::hash::Hash + std::fmt::Debug,
    label: &str,
    selected: impl Into<egui::WidgetText>,
    rows: Option<usize>,
    options: impl FnOnce(&mut Ui),
) -> Response {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        let mut combo = egui::ComboBox::new(id, "").selected_text(selected);
        if let Some(rows) = rows {
            let row = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
            combo = combo.height((rows + 2) as f32 * row);
        }
        combo.show_ui(ui, options).response.labelled_by(l.id)
    })
    .inner
}

/// A picker of the pgb categories the vault knows, by name in `lang`;
/// `code` holds the chosen category's code. A code not in `categories`
/// (or none yet) becomes the first category.
pub fn category_choice(ui: &mut Ui, label: &str, code: &mut String, categories: &[Category], lang: Lang) -> Response {
    if !categories.iter().any(|c| c.code == *code)
        && let Some(first) = categories.first()
    {
        *code = first.code.clone();
    }
    code_choice(ui, label, code, categories, None, lang)
}

/// A picker of codes by name, `options` as (code, name) pairs: for lists
/// that are not the pgb catalogue (a wijkbudget's own categories). A code
/// not among them (or none yet) becomes the first option.
pub fn named_choice(ui: &mut Ui, label: &str, code: &mut String, options: &[(String, String)]) -> Response {
    if !options.iter().any(|(c, _)| c == code)
        && let Some((first, _)) = options.first()
    {
        *code = first.clone();
    }
    let current = options
        .iter()
        .find(|(c, _)| c == code)
        .map_or("—", |(_, n)| n.as_str())
        .to_string();
    // Every option on screen at once, no scrolling inside the list.
    let id = (label, code as *const String as usize);
    labelled_combo(ui, id, label, current, Some(options.len()), |ui| {
        for (c, n) in options {
            ui.selectable_value(code, c.clone(), n.as_str());
        }
    })
}

/// [`category_choice`] with a first option `none` that leaves `code`
/// empty: for a category that may be left out, or "all" in a filter.
pub fn category_choice_or(
    ui: &mut Ui,
    label: &str,
    code: &mut String,
    categories: &[Category],
    none: &str,
    lang: Lang,
) -> Response {
    code_choice(ui, label, code, categories, Some(none), lang)
}

fn code_choice(
    ui: &mut Ui,
    label: &str,
    code: &mut String,
    categories: &[Category],
    none: Option<&str>,
    lang: Lang,
) -> Response {
    let current = if code.is_empty() {
        none.unwrap_or("—").to_string()
    } else {
        categories
            .iter()
            .find(|c| c.code == *code)
            .map_or_else(|| category(code, lang), |c| c.name(lang).to_string())
    };
    // Every category on screen at once, no scrolling inside the list.
    let id = (label, code as *const String as usize);
    labelled_combo(ui, id, label, current, Some(categories.len()), |ui| {
        if let Some(none) = none {
            ui.selectable_value(code, String::new(), none);
        }
        for c in categories {
            ui.selectable_value(code, c.code.clone(), c.name(lang));
        }
    })
}

/// A date field: typed as dd-mm-jjjj (Dutch) or yyyy-mm-dd (English; both
/// are read), with a calendar button beside it that writes the picked day
/// into the field. Says under the field when the text is no date. Returns
/// the date the text holds, if any (an empty field is none, without a hint).
pub fn date_field(ui: &mut Ui, label: &str, value: &mut String, lang: Lang) -> Option<Date> {
    let t = texts(lang);
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(egui::TextEdit::singleline(value).desired_width(160.0))
            .labelled_by(l.id);
        let button = ui.button(t.calendar);
        let name = format!("{} {label}", t.calendar_for);
        button.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
        let shown = button.id.with("month");
        if button.clicked() {
            // Open at the month of the date typed, else this month.
            let start = value.trim().parse::<Date>().unwrap_or_else(|_| Date::today());
            ui.data_mut(|d| d.insert_temp(shown, (start.year(), start.month())));
        }
        egui::Popup::from_toggle_button_response(&button)
            .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
            .show(|ui| calendar(ui, shown, value, lang));
    });
    let text = value.trim();
    let parsed = text.parse::<Date>().ok();
    if !text.is_empty() && parsed.is_none() {
        warning(ui, t.date_fix);
    }
    parsed
}

/// The calendar popup: a month with its days as buttons.
fn calendar(ui: &mut Ui, shown: egui::Id, value: &mut String, lang: Lang) {
    let t = texts(lang);
    let today = Date::today();
    let (mut year, mut month) = ui
        .data(|d| d.get_temp::<(u16, u8)>(shown))
        .unwrap_or((today.year(), today.month()));
    let chosen = value.trim().parse::<Date>().ok();
    ui.horizontal(|ui| {
        let back = ui.button("<").on_hover_text(t.previous_month);
        back.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, t.previous_month));
        if back.clicked() {
            (year, month) = if month == 1 { (year - 1, 12) } else { (year, month - 1) };
        }
        ui.label(
            RichText::new(format!(
                "{} {year}",
                inwonercloud_schemas::date::month_name(month, lang).unwrap_or("")
            ))
            .strong(),
        );
        let next = ui.button(">").on_hover_text(t.next_month);
        next.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, t.next_month));
        if next.clicked() {
            (year, month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
        }
    });
    // Dates run from 1900 to 2999 (`Date::new`).
    year = year.clamp(1900, 2999);
    ui.data_mut(|d| d.insert_temp(shown, (year, month)));
    let weekdays: [&str; 7] = match lang {
        Lang::Nl => ["ma", "di", "wo", "do", "vr", "za", "zo"],
        Lang::En => ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"],
    };
    egui::Grid::new(shown.with("days")).show(ui, |ui| {
        for w in weekdays {
            ui.label(RichText::new(w).small());
        }
        ui.end_row();
        for week in month_grid(year, month) {
            for day in week {
                let Some(day) = day.and_then(|d| Date::new(year, month, d).ok()) else {
                    ui.label("");
                    continue;
                };
                let b = ui.add(egui::Button::selectable(chosen == Some(day), day.day().to_string()));
                // Read out as the whole date: "15 december 2026".
                let name = format!(
                    "{} {} {year}",
                    day.day(),
                    inwonercloud_schemas::date::month_name(month, lang).unwrap_or("")
                );
                b.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
                if b.clicked() {
                    *value = day.show(lang);
                    ui.close();
                }
            }
            ui.end_row();
        }
    });
}

/// The weeks of `month` in `year`, Monday to Sunday, each day its number
/// and none before the first or after the last; empty for no real month.
pub fn month_grid(year: u16, month: u8) -> Vec<[Option<u8>; 7]> {
    let Ok(first) = Date::new(year, month, 1) else {
        return Vec::new();
    };
    let last = (28..=31u8)
        .rev()
        .find(|d| Date::new(year, month, *d).is_ok())
        .unwrap_or(28);
    // 1970-01-01 was a Thursday: Monday is 0.
    let offset = (first.days_since_epoch() + 3).rem_euclid(7) as usize;
    let mut weeks = Vec::new();
    let mut week = [None; 7];
    for day in 1..=last {
        let cell = (offset + usize::from(day) - 1) % 7;
        week[cell] = Some(day);
        if cell == 6 {
            weeks.push(week);
            week = [None; 7];
        }
    }
    if week.iter().any(Option::is_some) {
        weeks.push(week);
    }
    weeks
}

/// A euro amount field (more than zero, at most two decimals), checked as
/// it is typed with the parser the forms submit with; says under the
/// field what is wrong. Returns the amount when the text is one.
pub fn amount_field(ui: &mut Ui, label: &str, value: &mut String, lang: Lang) -> Option<Decimal> {
    amount_field_in(ui, label, value, Unit::Euro, true, lang)
}

/// An amount field in `unit` (its decimals), more than zero when
/// `positive`; see [`amount_field`].
pub fn amount_field_in(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    unit: Unit,
    positive: bool,
    lang: Lang,
) -> Option<Decimal> {
    text(ui, label, value);
    if value.trim().is_empty() {
        return None;
    }
    match check_amount(value, unit, positive, lang) {
        Ok(d) => Some(d),
        Err(hint) => {
            warning(ui, hint);
            None
        }
    }
}

/// The amount `input` holds in `unit`, or the hint that says why not.
pub fn check_amount(input: &str, unit: Unit, positive: bool, lang: Lang) -> Result<Decimal, &'static str> {
    let t = texts(lang);
    let d = parse_amount(input)
        .and_then(|d| Quantity::new(d, unit))
        .map(|q| q.amount)
        .map_err(|e| match e {
            SchemaError::TooManyDecimals { max: 0, .. } => t.amount_fix_whole,
            SchemaError::TooManyDecimals { .. } => t.amount_fix_decimals,
            _ => t.amount_fix,
        })?;
    if positive && d <= Decimal::ZERO {
        return Err(t.amount_fix_positive);
    }
    Ok(d)
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

/// A wide table that scrolls sideways when the window is narrow or the text
/// large, never past the window's edge; its thin scroll bar stays in sight,
/// so a table that goes on to the right does not look cut off.
pub fn wide<R>(ui: &mut Ui, id_salt: &str, table: impl FnOnce(&mut Ui) -> R) -> R {
    ui.scope(|ui| {
        ui.spacing_mut().scroll = egui::style::ScrollStyle::thin();
        egui::ScrollArea::horizontal().id_salt(id_salt).show(ui, table).inner
    })
    .inner
}

/// One label–value line of a figures table.
pub fn figure(ui: &mut Ui, label: &str, value: String) {
    ui.label(label);
    ui.label(RichText::new(value).monospace());
    ui.end_row();
}

/// Red text for problems (a red readable on the theme's background).
pub fn warning(ui: &mut Ui, text: &str) -> Response {
    let red = super::theme::error_color(ui.visuals());
    ui.label(RichText::new(format!("(!) {text}")).color(red))
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
        // A code outside the catalogue (a wijkbudget's own, e.g. "schuldhulp_preventie"):
        // shown as words, not as a code.
        .unwrap_or_else(|| code.replace(['_', '-'], " "))
}

/// `text` with every long hexadecimal key (16 characters or more) cut to its
/// first 8: a record's kenmerk as a person reads it, not a raw key.
pub fn short_keys(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 16 {
            out.push_str(&run[..8]);
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || ('a'..='f').contains(&c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Decimal to f64 for charts only (amounts stay exact everywhere else).
pub fn plot_value(d: Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    d.to_f64().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_keys_are_cut_to_a_kenmerk_and_words_stay() {
        assert_eq!(
            short_keys("besluit op aanvraag 8ceb078ac4338caa"),
            "besluit op aanvraag 8ceb078a"
        );
        assert_eq!(
            short_keys("zorgovereenkomst opdracht-034f06585edd432b met De Linde"),
            "zorgovereenkomst opdracht-034f0658 met De Linde"
        );
        // Short hex-looking words ("decade", an amount) are left alone.
        assert_eq!(
            short_keys("decade € 1.280,00 (12 × 58.00)"),
            "decade € 1.280,00 (12 × 58.00)"
        );
    }

    #[test]
    fn the_month_grid_starts_on_the_right_weekday_and_knows_leap_februaries() {
        // 1 December 2026 is a Tuesday: one empty Monday, 31 days, five weeks.
        let dec = month_grid(2026, 12);
        assert_eq!(dec[0], [None, Some(1), Some(2), Some(3), Some(4), Some(5), Some(6)]);
        assert_eq!(dec.len(), 5);
        assert_eq!(dec[4], [Some(28), Some(29), Some(30), Some(31), None, None, None]);
        // 1 February 2026 is a Sunday; 2026 is no leap year.
        let feb = month_grid(2026, 2);
        assert_eq!(feb[0], [None, None, None, None, None, None, Some(1)]);
        assert_eq!(feb.iter().flatten().flatten().max(), Some(&28));
        // 2028 is a leap year: 29 days, 1 February on a Tuesday.
        let leap = month_grid(2028, 2);
        assert_eq!(leap.iter().flatten().flatten().max(), Some(&29));
        assert_eq!(leap[0][1], Some(1));
        // 2100 is not (divisible by 100, not by 400), 2000 was.
        assert_eq!(month_grid(2100, 2).iter().flatten().flatten().max(), Some(&28));
        assert_eq!(month_grid(2000, 2).iter().flatten().flatten().max(), Some(&29));
        // February 2027 starts on a Monday and fills exactly four weeks.
        assert_eq!(month_grid(2027, 2).len(), 4);
        assert_eq!(month_grid(2027, 2)[0][0], Some(1));
        assert!(month_grid(2026, 13).is_empty());
    }

    #[test]
    fn amounts_are_checked_with_the_forms_parser_and_say_why_in_dutch() {
        let nl = texts(Lang::Nl);
        assert_eq!(
            check_amount("12,50", Unit::Euro, true, Lang::Nl),
            Ok(Decimal::new(1250, 2))
        );
        assert_eq!(
            check_amount("12,505", Unit::Euro, true, Lang::Nl),
            Err(nl.amount_fix_decimals)
        );
        assert_eq!(check_amount("twaalf", Unit::Euro, true, Lang::Nl), Err(nl.amount_fix));
        assert_eq!(
            check_amount("0", Unit::Euro, true, Lang::Nl),
            Err(nl.amount_fix_positive)
        );
        assert_eq!(check_amount("-5", Unit::Euro, false, Lang::Nl), Ok(Decimal::from(-5)));
        assert_eq!(
            check_amount("2,5", Unit::Points, true, Lang::Nl),
            Err(nl.amount_fix_whole)
        );
    }
}
