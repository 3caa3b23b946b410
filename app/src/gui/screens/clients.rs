//! Cliënten / budgethouders: the people who share documents with this vault;
//! choosing one makes the other screens show their documents.

use egui::{RichText, Ui};
use inwonercloud_schemas::Lang;

use super::sharing::doc_name;
use crate::gui::i18n::Texts;
use crate::gui::workspace::{Screen, Workspace};

pub fn show(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
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
