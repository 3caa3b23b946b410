//! Apparaten: this device, and adding another device of the same person.

use egui::{RichText, Ui};
use inwonercloud_schemas::{Access, Lang};
use inwonercloud_vault::InviteSpec;
use inwonercloud_vault::consent::INVITE_TTL;

use super::sharing;
use crate::gui::i18n::Texts;
use crate::gui::network::NetCmd;
use crate::gui::widgets;
use crate::gui::workspace::Workspace;

pub fn show(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    widgets::card(ui, t.this_device, |ui| {
        egui::Grid::new("device").num_columns(2).show(ui, |ui| {
            widgets::figure(ui, t.device_name, ws.who.device_name.clone());
            widgets::figure(ui, t.device_key, ws.who.device.to_string());
            widgets::figure(ui, t.identity, ws.who.identity.to_string());
            widgets::figure(ui, t.vault_folder, ws.who.vault.clone());
            widgets::figure(ui, t.role, ws.who.role.label(lang).to_string());
        });
    });
    ui.add_space(8.0);
    let mut go = false;
    widgets::card(ui, t.add_device, |ui| {
        ui.label(t.add_device_help);
        if ws.vault.holds_identity_key() {
            go = ui.button(t.make_device_ticket).clicked();
        } else {
            ui.label(RichText::new(t.not_identity_device).italics());
        }
    });
    if go {
        let spec = InviteSpec {
            role: ws.who.role,
            documents: Vec::new(),
            access: Access::Write,
            valid_until: None,
            purpose: String::new(),
            name_hint: String::new(),
            device: true,
        };
        ws.ticket = None;
        ws.net(NetCmd::Invite(spec, INVITE_TTL), t);
    }
    sharing::ticket(ui, ws, t);
}
