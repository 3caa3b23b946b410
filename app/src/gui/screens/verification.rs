//! Verificatie (municipality): every claim it can see, valid or with its
//! reason; totals per provider, category and month; export for offline
//! checking and CSV.

use egui::{RichText, Ui};
use inwonercloud_schemas::Lang;

use crate::gui::files::{self, FilePicker, Kind};
use crate::gui::i18n::Texts;
use crate::gui::widgets::{self, euros};
use crate::gui::workspace::Workspace;

pub fn show(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    // Verification runs on its own thread with its own vault handle; the
    // window shows how far it is.
    if let Some(job) = &ws.verifying {
        let (done, total) = job.progress();
        match job.result() {
            None => {
                ui.add(
                    egui::ProgressBar::new(if total == 0 { 0.0 } else { done as f32 / total as f32 })
                        .text(t.verifying(done, total))
                        .desired_width(360.0),
                );
                ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
                return;
            }
            Some(Ok(r)) => {
                ws.views.claims = Some(r);
                ws.verifying = None;
            }
            Some(Err(e)) => {
                ws.verifying = None;
                ws.fail(e);
            }
        }
    }
    if ws.views.claims.is_none() && ws.verifying.is_none() {
        ws.verifying = Some(ws.verify_job());
        return;
    }
    ui.horizontal(|ui| {
        if ui.button(t.verify_now).clicked() {
            ws.verifying = Some(ws.verify_job());
        }
        let folder = files::pick_button(ui, t, t.export_claims, "claims-export", || {
            FilePicker::new(Kind::Folder, "")
        });
        if let Some(dir) = folder {
            let written = write_claims(ws, &dir, t, lang);
            match written {
                Ok(said) => ws.inform(said),
                Err(e) => ws.fail(e),
            }
        }
    });
    let Some(r) = ws.views.claims.clone() else {
        ui.label(t.press_verify);
        return;
    };
    ui.label(RichText::new(t.valid_of(r.valid_count(), r.claims.len())).strong());
    // Wide: the reasons are long; it scrolls sideways in a narrow window.
    widgets::wide(ui, "claims-scroll", |ui| {
        egui::Grid::new("claims").striped(true).num_columns(8).show(ui, |ui| {
            for h in [
                t.claim_item,
                t.claim_kind,
                t.who,
                t.provider,
                t.category,
                t.month,
                t.amount,
                t.status,
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for c in &r.claims {
                // The first characters identify it (as in the export); the whole key on hover.
                ui.label(c.claim.get(..8).unwrap_or(&c.claim)).on_hover_text(&c.claim);
                ui.label(c.kind.label(lang));
                ui.label(&c.citizen);
                ui.label(&c.provider);
                ui.label(widgets::category(&c.category, lang));
                ui.label(t.month_words(&c.month));
                ui.label(widgets::amount(c.amount, c.unit, lang));
                match &c.reason {
                    None => {
                        ui.label(t.valid);
                    }
                    Some(why) => {
                        widgets::warning(ui, why);
                    }
                }
                ui.end_row();
            }
        });
    });
    ui.add_space(8.0);
    ui.label(RichText::new(t.per_citizen_check).strong());
    let citizens: std::collections::BTreeSet<&String> = r.per_citizen.keys().chain(r.not_verified.keys()).collect();
    for c in citizens {
        let ok = r.per_citizen.get(c).copied().unwrap_or_default();
        let not = r.not_verified.get(c).copied().unwrap_or_default();
        ui.label(format!("{c}: {} / {}", euros(ok, lang), euros(not, lang)));
    }
    ui.add_space(8.0);
    ui.label(RichText::new(t.per_stream).strong());
    ui.label(
        r.per_stream
            .iter()
            .map(|(s, v)| format!("{} {}", s.label(lang), euros(*v, lang)))
            .collect::<Vec<_>>()
            .join(" · "),
    );
    if !r.per_member.is_empty() {
        ui.label(RichText::new(t.per_member).strong());
        for (m, v) in &r.per_member {
            ui.label(format!("{m}: {}", euros(*v, lang)));
        }
    }
    // Points and hours: per unit, never added to euros; a points total in
    // euros only at the value the policy states, shown as an equivalent.
    if !r.other_units.is_empty() {
        ui.add_space(8.0);
        ui.label(RichText::new(t.points_apart).strong());
        let equivalents = ws
            .views
            .policy
            .as_ref()
            .map(|p| r.euro_equivalents(&p.record))
            .unwrap_or_default();
        for (unit, totals) in &r.other_units {
            for (k, v) in &totals.per_category {
                let total = format!("{}: {}", widgets::category(k, lang), widgets::amount(*v, *unit, lang));
                // "Dagbesteding: 96 punten — euro-equivalent € 432,00
                // (puntwaarde volgens het beleid: € 4,50 per punt)": only
                // where the policy states a value, and named as such.
                match equivalents
                    .iter()
                    .find(|e| *unit == inwonercloud_schemas::Unit::Points && &e.category == k)
                {
                    Some(e) => ui.label(format!(
                        "{total} — {} {} ({} {} {})",
                        t.euro_equivalent,
                        euros(e.euros, lang),
                        t.points_value,
                        euros(e.euros_per_point, lang),
                        t.per_point
                    )),
                    None => ui.label(total),
                };
            }
            if !totals.not_verified.is_empty() {
                let not: rust_decimal::Decimal = totals.not_verified.values().sum();
                widgets::warning(
                    ui,
                    &format!("{}: {}", t.points_not_verified, widgets::amount(not, *unit, lang)),
                );
            }
        }
    }
    ui.add_space(8.0);
    ui.columns(3, |cols| {
        for (i, (col, (title, map))) in cols
            .iter_mut()
            .zip([
                (t.per_provider, &r.per_provider),
                (t.per_category, &r.per_category),
                (t.per_month, &r.per_month),
            ])
            .enumerate()
        {
            col.label(RichText::new(title).strong());
            for (k, v) in map {
                let name = match i {
                    1 => widgets::category(k, lang),
                    2 => t.month_words(k),
                    _ => k.clone(),
                };
                col.label(format!("{name}: {}", euros(*v, lang)));
            }
        }
    });
}

/// The files the claims export writes: every claim for another program,
/// and the table for Excel (`;` between columns).
const CLAIMS_JSON: &str = "declaraties.json";
const CLAIMS_CSV: &str = "verificatie.csv";

/// Writes every claim (`declaraties.json`) and the verified table
/// (`verificatie.csv`) into `dir`, and says where.
fn write_claims(ws: &Workspace, dir: &std::path::Path, t: &Texts, lang: Lang) -> Result<String, String> {
    let claims = ws
        .vault
        .lock()
        .export_claims()
        .map_err(|e| crate::error_text::error_text(&e, lang))?;
    let not_written =
        |path: &std::path::Path, e: &dyn std::fmt::Display| format!("{}: {} ({e})", t.file_not_written, path.display());
    let json = serde_json::to_string_pretty(&claims).map_err(|e| not_written(dir, &e))?;
    let path = dir.join(CLAIMS_JSON);
    std::fs::write(&path, json).map_err(|e| not_written(&path, &e))?;
    let mut said = format!(
        "{} {}: {CLAIMS_JSON} ({})",
        t.claims_written,
        dir.display(),
        t.claims_written_json
    );
    if let Some(r) = &ws.views.claims {
        let csv = dir.join(CLAIMS_CSV);
        let text = r.to_csv(lang).map_err(|e| crate::error_text::error_text(&e, lang))?;
        std::fs::write(&csv, text).map_err(|e| not_written(&csv, &e))?;
        said.push_str(&format!("; {CLAIMS_CSV} ({})", t.claims_written_csv));
    }
    Ok(said)
}
