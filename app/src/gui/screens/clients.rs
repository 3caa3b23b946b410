//! Cliënten / budgethouders: the people who share documents with this vault;
//! choosing one makes the other screens show their documents.

use egui::{RichText, Ui};
use inwonercloud_schemas::{Lang, Role};

use super::sharing::doc_name;
use crate::gui::i18n::Texts;
use crate::gui::workspace::{Confirm, Screen, Workspace};

pub fn show(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    if ws.who.role == Role::Municipality {
        providers(ui, ws, t);
    }
    if ws.views.holders.is_empty() {
        ui.label(t.no_clients);
        return;
    }
    ui.label(t.clients_help);
    let mut pick = None;
    egui::Grid::new("clients").striped(true).num_columns(4).show(ui, |ui| {
        for h in [t.who, t.role, t.documents, ""] {
            ui.label(RichText::new(h).strong());
        }
        ui.end_row();
        for h in &ws.views.holders {
            let chosen = ws.subject == Some(h.identity);
            let name = if chosen {
                format!("» {}", h.name)
            } else {
                h.name.clone()
            };
            ui.label(RichText::new(name).strong());
            ui.label(h.role.map(|r| r.label(lang)).unwrap_or("—"));
            ui.label(
                h.documents
                    .iter()
                    .map(|(_, d)| doc_name(d, t))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            if ui.button(t.open_client).on_hover_text(&h.name).clicked() {
                pick = Some(h.identity);
            }
            ui.end_row();
        }
    });
    if let Some(k) = pick {
        ws.subject = Some(k);
        ws.views.plan_then = None;
        ws.reload();
        ws.screen = Screen::Overview;
    }
}

/// A municipality's providers: those that joined it in the provider role,
/// each admitted to its market (its catalogue passed on to everyone who
/// joined the municipality) or not (see `inwonercloud_vault::discovery`).
fn providers(ui: &mut Ui, ws: &mut Workspace, t: &Texts) {
    let providers: Vec<_> = ws
        .views
        .peers
        .iter()
        .filter(|p| p.role == Role::Provider)
        .cloned()
        .collect();
    if providers.is_empty() {
        return;
    }
    let mut change = None;
    crate::gui::widgets::card(ui, t.market_providers, |ui| {
        egui::Grid::new("providers")
            .striped(true)
            .num_columns(3)
            .show(ui, |ui| {
                for p in &providers {
                    let admitted = ws
                        .views
                        .admissions
                        .iter()
                        .any(|a| a.provider == p.identity && a.withdrawn_on.is_none());
                    ui.label(RichText::new(&p.name).strong());
                    ui.label(if admitted { t.is_admitted } else { "—" });
                    let label = if admitted {
                        t.withdraw_provider
                    } else {
                        t.admit_provider
                    };
                    if ui.button(label).on_hover_text(&p.name).clicked() {
                        change = Some((p.identity, p.name.clone(), !admitted));
                    }
                    ui.end_row();
                }
            });
    });
    let Some((k, name, admit)) = change else { return };
    ws.ask(if admit {
        Confirm {
            what: format!("{} {name}", t.confirm_admit),
            effect: t.admit_effect(&name),
            done: t.provider_admitted.to_string(),
            step: Box::new(move |v: &mut inwonercloud_vault::Vault| v.admit_provider(&k).map(drop)),
        }
    } else {
        Confirm {
            what: format!("{} {name}", t.confirm_withdraw_admission),
            effect: t.withdraw_admission_effect(&name),
            done: t.provider_withdrawn.to_string(),
            step: Box::new(move |v: &mut inwonercloud_vault::Vault| v.withdraw_provider(&k).map(drop)),
        }
    });
}
