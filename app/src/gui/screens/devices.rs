//! Apparaten: this device, and adding another device of the same person.

use egui::{RichText, Ui};
use inwonercloud_schemas::{Access, Lang};
use inwonercloud_vault::consent::INVITE_TTL;
use inwonercloud_vault::{InviteSpec, Passphrase, VaultError};

use super::sharing;
use crate::gui::i18n::Texts;
use crate::gui::network::NetCmd;
use crate::gui::widgets;
use crate::gui::workspace::{Confirm, Workspace};

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
        if ws.vault.lock().holds_identity_key() {
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
    ui.add_space(8.0);
    passphrase(ui, ws, t);
    ui.add_space(8.0);
    relay(ui, ws, t);
    ui.add_space(8.0);
    postbus(ui, ws, t);
    ui.add_space(8.0);
    backup(ui, ws, t);
}

/// The postbus where those this vault shares with leave changes while it is
/// offline (`postbus-use`), and what still waits to be left there.
fn postbus(ui: &mut Ui, ws: &mut Workspace, t: &Texts) {
    if ws.forms.postbus.is_none() {
        let stored = ws.vault.lock().postbus().ok().flatten().map(|p| p.to_string());
        ws.forms.postbus = Some(stored.unwrap_or_default());
    }
    // Counting reads every shared document's history from the file: at most
    // once a second, not on every frame.
    let fresh = ws
        .forms
        .postbus_waiting
        .filter(|(at, _)| at.elapsed() < std::time::Duration::from_secs(1));
    let waiting = match fresh {
        Some((_, n)) => n,
        None => {
            let n: u64 = ws.vault.lock().mail_waiting().iter().map(|(_, n)| n).sum();
            ws.forms.postbus_waiting = Some((std::time::Instant::now(), n));
            n
        }
    };
    let mut save = false;
    widgets::card(ui, t.postbus_title, |ui| {
        ui.label(t.postbus_help);
        if let Some(addr) = ws.forms.postbus.as_mut() {
            widgets::text(ui, t.postbus_addr, addr);
        }
        if waiting > 0 {
            ui.label(format!("{}: {waiting}", t.postbus_waiting));
        }
        save = ui.button(t.save).clicked();
    });
    if !save {
        return;
    }
    let text = ws.forms.postbus.clone().unwrap_or_default().trim().to_string();
    if text.is_empty() {
        ws.act(t.postbus_cleared, |v| v.set_postbus(None));
        return;
    }
    match text.parse::<inwonercloud_vault::mail::PostbusAddr>() {
        Ok(addr) => {
            ws.act(t.postbus_saved, |v| v.set_postbus(Some(&addr)));
        }
        Err(_) => ws.fail(t.postbus_bad.to_string()),
    }
}

/// The relay this vault uses to reach and be reached (`serve --relay`, a
/// ticket's, or set here), kept in the vault's settings.
fn relay(ui: &mut Ui, ws: &mut Workspace, t: &Texts) {
    if ws.forms.relay.is_none() {
        let stored = ws.vault.lock().setting("relay").ok().flatten().unwrap_or_default();
        ws.forms.relay = Some(stored);
    }
    let mut save = false;
    widgets::card(ui, t.relay_title, |ui| {
        ui.label(t.relay_help);
        if let Some(url) = ws.forms.relay.as_mut() {
            widgets::text(ui, t.relay_url, url);
        }
        save = ui.button(t.save).clicked();
    });
    if !save {
        return;
    }
    let url = ws.forms.relay.clone().unwrap_or_default().trim().to_string();
    if url.is_empty() {
        ws.act(t.relay_cleared, |v| v.set_setting("relay", ""));
    } else if url
        .split(',')
        .map(str::trim)
        .all(|u| u.parse::<inwonercloud_sync::RelayUrl>().is_ok() && u.starts_with("http"))
    {
        ws.act(t.relay_saved, |v| v.set_setting("relay", &url));
    } else {
        ws.fail(t.relay_bad.to_string());
    }
}

/// Backup to a file, the recovery phrase, revoking a lost device.
fn backup(ui: &mut Ui, ws: &mut Workspace, t: &Texts) {
    let (mut make, mut show, mut revoke) = (false, false, false);
    let first_device = ws.vault.lock().holds_identity_key();
    widgets::card(ui, t.backup_title, |ui| {
        ui.label(t.backup_help);
        widgets::text(ui, t.backup_file, &mut ws.forms.backup_file);
        widgets::secret(ui, t.current_passphrase, &mut ws.forms.backup_pass);
        make = ui.button(t.backup_button).clicked();
        if first_device {
            ui.separator();
            ui.label(RichText::new(t.recovery_help).weak());
            match &ws.forms.recovery_words {
                Some(words) => {
                    ui.label(RichText::new(words.as_str()).monospace().strong());
                }
                None => show = ui.button(t.show_recovery).clicked(),
            }
            ui.separator();
            widgets::text(ui, t.revoke_device_label, &mut ws.forms.revoke_device);
            revoke = ui.button(t.revoke_device_button).clicked();
        }
    });
    if make {
        let pass = Passphrase::new(std::mem::take(&mut ws.forms.backup_pass));
        let file = std::path::PathBuf::from(ws.forms.backup_file.trim());
        let result = ws.vault.lock().backup(&file, &pass);
        match result {
            Ok(n) => ws.inform(format!("{}: {} ({n} bytes)", t.backup_done, file.display())),
            Err(e) => ws.fail(passphrase_error(e, t)),
        }
    }
    if show {
        let result = ws.vault.lock().recovery_phrase();
        match result {
            Ok(w) => ws.forms.recovery_words = Some(w.to_string()),
            Err(e) => ws.fail_with(&e),
        }
    }
    if revoke {
        match ws.forms.revoke_device.trim().parse::<inwonercloud_schemas::PublicKey>() {
            Ok(device) => ws.ask_then(
                Confirm {
                    what: format!("{} {device}", t.confirm_revoke_device),
                    effect: t.revoke_device_effect.to_string(),
                    done: t.device_revoked.to_string(),
                    step: Box::new(move |v: &mut inwonercloud_vault::Vault| v.revoke_device(device).map(drop)),
                },
                |ws| ws.forms.revoke_device.clear(),
            ),
            Err(e) => ws.fail(crate::error_text::schema_error_text(&e, t.lang)),
        }
    }
}

/// Changing the passphrase: the current one, the new one twice.
fn passphrase(ui: &mut Ui, ws: &mut Workspace, t: &Texts) {
    let mut go = false;
    widgets::card(ui, t.change_passphrase_title, |ui| {
        widgets::secret(ui, t.current_passphrase, &mut ws.forms.pass_current);
        widgets::secret(ui, t.new_passphrase, &mut ws.forms.pass_new);
        widgets::secret(ui, t.passphrase_repeat, &mut ws.forms.pass_repeat);
        go = ui.button(t.change_passphrase_button).clicked();
    });
    if !go {
        return;
    }
    let f = &mut ws.forms;
    let current = Passphrase::new(std::mem::take(&mut f.pass_current));
    let new = Passphrase::new(std::mem::take(&mut f.pass_new));
    let again = Passphrase::new(std::mem::take(&mut f.pass_repeat));
    if new.check_new().is_err() {
        ws.fail(t.passphrase_too_short.into());
    } else if !new.matches(&again) {
        ws.fail(t.passphrases_differ.into());
    } else {
        let result = ws.vault.lock().change_passphrase(&current, &new);
        match result {
            Ok(()) => ws.inform(t.passphrase_changed.into()),
            Err(e) => ws.fail(passphrase_error(e, t)),
        }
    }
}

/// An error of an operation that checks the passphrase, in the user's language
/// when it is the passphrase that was wrong.
fn passphrase_error(e: VaultError, t: &Texts) -> String {
    match e {
        VaultError::WrongPassphrase => t.wrong_passphrase.into(),
        other => crate::error_text::error_text(&other, t.lang),
    }
}
