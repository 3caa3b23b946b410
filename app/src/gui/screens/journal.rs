//! Dagboek: private notes, never shared unless the citizen shares them.

use egui::{RichText, Ui};
use inwonercloud_schemas::Lang;

use crate::gui::i18n::Texts;
use crate::gui::widgets;
use crate::gui::workspace::Workspace;

pub fn show(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    ui.label(RichText::new(t.journal_private).weak());
    widgets::multiline(ui, t.new_note, &mut ws.forms.note);
    if ui.button(t.save_note).clicked() {
        let text = ws.forms.note.clone();
        if ws.act(t.saved, |v| v.add_note(&text)).is_some() {
            ws.forms.note.clear();
        }
    }
    ui.add_space(8.0);
    for n in ws.views.notes.iter().rev() {
        widgets::card(ui, &widgets::moment(n.signed_at, lang), |ui| {
            ui.label(&n.record.text);
        });
    }
}
