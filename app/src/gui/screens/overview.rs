//! Overzicht: per account granted, reserved, spent and remaining; spending
//! per month and per category as charts; the year-end forecast; alerts.

use egui::Ui;
use egui_plot::{Bar, BarChart, Plot};
use inwonercloud_schemas::{Date, Lang};
use inwonercloud_vault::ledger::{AccountFigures, forecast};

use super::subject_line;
use crate::gui::i18n::Texts;
use crate::gui::widgets;
use crate::gui::workspace::Workspace;

pub fn show(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    subject_line(ui, ws, t);
    let Some(view) = &ws.views.budget else {
        ui.label(t.no_budget);
        return;
    };
    let view = match view {
        Ok(v) => v,
        Err(e) => {
            widgets::warning(ui, e);
            return;
        }
    };
    // Alerts first: what needs attention.
    let mut alerts = Vec::new();
    // At most three not-covered spends by name; the rest as a count and total,
    // so a long ledger never turns into thousands of lines per frame.
    let mut uncovered = view.report.over_budget_lines();
    for line in uncovered.by_ref().take(3) {
        alerts.push(t.alert_not_covered(&line.entry.note, line.entry.amount, line.entry.date));
    }
    let (more, more_total) = uncovered.fold((0usize, rust_decimal::Decimal::ZERO), |(n, s), l| {
        (n + 1, s + l.entry.amount)
    });
    if more > 0 {
        alerts.push(t.alert_more_not_covered(more, more_total));
    }
    let today = Date::today();
    for a in &view.accounts {
        if let Some(f) = view.report.accounts.get(&a.record.id) {
            let fc = forecast(&a.record, f, today);
            if fc.projected_remaining.is_sign_negative() && !fc.projected_remaining.is_zero() && fc.days.0 < fc.days.1 {
                alerts.push(t.alert_forecast_short(&a.record.name, -fc.projected_remaining, a.record.unit));
            }
            if !f.reserved.is_zero() {
                alerts.push(t.alert_reserved(&a.record.name, f.reserved, a.record.unit));
            }
        }
    }
    let pending: usize = ws
        .views
        .agreements
        .iter()
        .filter(|a| a.agreement.record.citizen == ws.who.identity)
        .map(|a| a.declarations.iter().filter(|d| d.pending()).count())
        .sum();
    if pending > 0 {
        alerts.push(t.pending_declarations(pending));
    }
    for b in &view.bad {
        alerts.push(format!("{}: {} ({})", t.alert_bad_record, b.key, b.why));
    }
    if !alerts.is_empty() {
        widgets::card(ui, t.alerts, |ui| {
            for a in &alerts {
                widgets::warning(ui, a);
            }
        });
        ui.add_space(6.0);
    }
    if view.accounts.is_empty() {
        ui.label(t.no_accounts);
    }
    let (own, municipal) = view.own_and_municipal();
    if !own.is_zero() {
        ui.label(t.own_vs_municipal(own, municipal));
    }
    for a in &view.accounts {
        let f = view.report.accounts.get(&a.record.id).cloned().unwrap_or_default();
        let fc = forecast(&a.record, &f, today);
        let unit = a.record.unit;
        let q = |d| widgets::amount(d, unit, lang);
        widgets::card(ui, &a.record.name, |ui| {
            ui.label(format!(
                "{} · {} – {}",
                a.record.stream.label(lang),
                widgets::date(a.record.period_start, lang),
                widgets::date(a.record.period_end, lang)
            ));
            let figures = |ui: &mut Ui| {
                egui::Grid::new(("figures", &a.record.id))
                    .num_columns(2)
                    .striped(true)
                    .show(ui, |ui| {
                        widgets::figure(ui, t.granted, q(f.granted));
                        widgets::figure(ui, t.topped_up, q(f.topped_up));
                        if !f.transferred_in.is_zero() || !f.transferred_out.is_zero() {
                            widgets::figure(ui, t.transferred, q(f.transferred_in - f.transferred_out));
                        }
                        widgets::figure(ui, t.reserved, q(f.reserved));
                        widgets::figure(ui, t.spent, q(f.spent));
                        widgets::figure(ui, t.remaining, q(f.remaining));
                        widgets::figure(ui, t.forecast_spent, q(fc.projected_spent));
                        widgets::figure(ui, t.forecast_left, q(fc.projected_remaining));
                    });
            };
            let progress = |ui: &mut Ui| {
                let avail = f.available();
                let used = if avail.is_zero() {
                    0.0
                } else {
                    (widgets::plot_value(f.spent + f.reserved) / widgets::plot_value(avail)) as f32
                };
                ui.add(
                    egui::ProgressBar::new(used.clamp(0.0, 1.0))
                        .text(t.used_share(used))
                        .desired_width(260.0),
                );
                ui.label(t.forecast_note(fc.days.0, fc.days.1));
            };
            // Side by side when there is room; under each other in a narrow
            // window or at a large text size, so nothing runs past the edge.
            if ui.available_width() > 700.0 {
                ui.columns(2, |cols| {
                    figures(&mut cols[0]);
                    progress(&mut cols[1]);
                });
            } else {
                figures(ui);
                progress(ui);
            }
            charts(ui, &a.record.id, &f, unit, t, lang);
        });
        ui.add_space(6.0);
    }
}

fn charts(ui: &mut Ui, id: &str, f: &AccountFigures, unit: inwonercloud_schemas::Unit, t: &Texts, lang: Lang) {
    if f.spent_per_month.is_empty() {
        return;
    }
    ui.columns(2, |cols| {
        cols[0].label(t.per_month);
        let months: Vec<&String> = f.spent_per_month.keys().collect();
        let bars: Vec<Bar> = f
            .spent_per_month
            .iter()
            .enumerate()
            .map(|(i, (m, v))| Bar::new(i as f64, widgets::plot_value(*v)).name(m))
            .collect();
        Plot::new(("months", id))
            .height(180.0)
            .allow_zoom(false)
            .allow_drag(false)
            .allow_scroll(false)
            .x_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 2.0, 4.0]))
            .x_axis_formatter(move |mark, _| {
                let i = mark.value.round();
                if (mark.value - i).abs() > 0.01 || i < 0.0 {
                    return String::new();
                }
                months.get(i as usize).map(|m| m[5..].to_string()).unwrap_or_default()
            })
            .show(&mut cols[0], |p| p.bar_chart(BarChart::new(t.spent, bars).width(0.7)));
        // The chart in words, for screen readers and for reading exact amounts.
        for (m, v) in &f.spent_per_month {
            cols[0].label(format!("{}: {}", t.month_words(m), widgets::amount(*v, unit, lang)));
        }
        cols[1].label(t.per_category);
        let cats: Vec<String> = f
            .spent_per_category
            .keys()
            .map(|c| widgets::category(c, lang))
            .collect();
        let bars: Vec<Bar> = f
            .spent_per_category
            .values()
            .enumerate()
            .map(|(i, v)| Bar::new(i as f64, widgets::plot_value(*v)).name(cats.get(i).cloned().unwrap_or_default()))
            .collect();
        Plot::new(("cats", id))
            .height(180.0)
            .allow_zoom(false)
            .allow_drag(false)
            .allow_scroll(false)
            .x_axis_formatter(|_, _| String::new())
            .show(&mut cols[1], |p| p.bar_chart(BarChart::new(t.spent, bars).width(0.6)));
        for (c, v) in cats.iter().zip(f.spent_per_category.values()) {
            cols[1].label(format!("{c}: {}", widgets::amount(*v, unit, lang)));
        }
    });
}
