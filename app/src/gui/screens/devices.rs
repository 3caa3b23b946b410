//! Apparaten: this device, the person's own devices (revoking a lost one),
//! and adding another device of the same person.

use egui::{RichText, Ui};
use inwonercloud_schemas::{Access, Lang};
use inwonercloud_vault::consent::INVITE_TTL;
use inwonercloud_vault::{InviteSpec, Passphrase, VaultError};

use super::sharing;
use crate::gui::files::{self, FilePicker, Kind};
use crate::gui::i18n::Texts;
use crate::gui::network::NetCmd;
use crate::gui::widgets;
use crate::gui::workspace::{Confirm, Workspace};

pub fn show(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    widgets::card(ui, t.this_device, |ui| {
        widgets::wide(ui, "device-scroll", |ui| {
            egui::Grid::new("device").num_columns(2).show(ui, |ui| {
                widgets::figure(ui, t.device_name, ws.who.device_name.clone());
                // The same short code as in the list of devices below.
                widgets::figure(ui, t.device_key, ws.who.device.short());
                widgets::figure(ui, t.identity, ws.who.identity.to_string());
                widgets::figure(ui, t.vault_folder, ws.who.vault.clone());
                widgets::figure(ui, t.role, ws.who.role.label(lang).to_string());
            });
        });
    });
    ui.add_space(8.0);
    own_devices(ui, ws, t, lang);
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
    ui.add_space(8.0);
    archive(ui, ws, t);
}

/// One of the owner's devices as the list shows it.
struct OwnDevice {
    key: inwonercloud_schemas::PublicKey,
    name: String,
    added: u64,
    this: bool,
    revoked: bool,
}

/// The owner's devices this vault holds a certificate for, the first added
/// first, with whether a header of the owner revokes them.
fn own_devices_of(v: &inwonercloud_vault::Vault) -> Vec<OwnDevice> {
    let (me, this) = (v.identity(), v.device_key().public());
    // Read every frame while the screen shows: only the owner's few
    // certificates are looked at, not every peer's.
    let mut list: Vec<OwnDevice> = v
        .devices_of(&me)
        .into_iter()
        .filter_map(|key| v.certificate_of(&key))
        .map(|c| OwnDevice {
            key: c.certificate.device,
            name: c.certificate.device_name.clone(),
            added: c.certificate.issued_at,
            this: c.certificate.device == this,
            revoked: v.is_device_revoked(&me, &c.certificate.device),
        })
        .collect();
    list.sort_by_key(|d| (d.added, d.key));
    list
}

/// The person's own devices: name, short code, when added, this one, the
/// revoked ones; every other device can be revoked (after a yes) from the
/// device that holds the identity key.
fn own_devices(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    let (list, first_device) = {
        let v = ws.vault.lock();
        (own_devices_of(&v), v.holds_identity_key())
    };
    let mut revoke = None;
    widgets::card(ui, t.own_devices_title, |ui| {
        ui.label(t.own_devices_help);
        ui.add_space(4.0);
        widgets::wide(ui, "own-devices-scroll", |ui| {
            egui::Grid::new("own_devices")
                .num_columns(5)
                .striped(true)
                .spacing([16.0, 6.0])
                .show(ui, |ui| {
                    for h in [
                        t.device_col_name,
                        t.device_col_code,
                        t.device_col_added,
                        t.device_col_status,
                    ] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.label("");
                    ui.end_row();
                    for d in &list {
                        let name = if d.name.trim().is_empty() {
                            "—"
                        } else {
                            d.name.as_str()
                        };
                        if d.this {
                            ui.label(RichText::new(format!("{name} ({})", t.device_is_this)).strong());
                        } else {
                            ui.label(name);
                        }
                        ui.label(RichText::new(d.key.short()).monospace());
                        ui.label(widgets::moment(d.added, lang));
                        if d.revoked {
                            widgets::warning(ui, t.device_is_revoked);
                        } else {
                            ui.label(t.device_in_use);
                        }
                        if first_device && !d.this && !d.revoked && ui.button(t.device_revoke).clicked() {
                            revoke = Some((d.key, name.to_string()));
                        }
                        ui.end_row();
                    }
                });
        });
        if !first_device && list.iter().any(|d| !d.this && !d.revoked) {
            ui.label(RichText::new(t.revoke_on_first_device).italics());
        }
    });
    if let Some((device, name)) = revoke {
        ws.ask(Confirm {
            what: format!(
                "{} {name} ({} {})",
                t.confirm_revoke_device,
                t.device_code_word,
                device.short()
            ),
            effect: t.revoke_device_effect.to_string(),
            done: t.device_revoked.to_string(),
            step: Box::new(move |v: &mut inwonercloud_vault::Vault| v.revoke_device(device).map(drop)),
        });
    }
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

/// Backup to a file and the recovery phrase.
fn backup(ui: &mut Ui, ws: &mut Workspace, t: &Texts) {
    let (mut make, mut show) = (false, false);
    let first_device = ws.vault.lock().holds_identity_key();
    widgets::card(ui, t.backup_title, |ui| {
        ui.label(t.backup_help);
        files::path_field(ui, t, t.backup_file, &mut ws.forms.backup_file, Kind::save(&["bak"]));
        widgets::secret(ui, t.backup_passphrase, &mut ws.forms.backup_pass);
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
    // Revoking a lost device is in the list of devices above: every device
    // that can be revoked has its certificate here, so it is in that list.
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

/// The archive file's suggested name.
const ARCHIVE_NAME: &str = "inwonercloud-archief.json";

/// Gegevens exporteren: every record with its signature in one open file,
/// the archive `inwonercloud export` writes, to a file the person picks;
/// then read back and checked as `inwonercloud verify-export` checks it.
fn archive(ui: &mut Ui, ws: &mut Workspace, t: &Texts) {
    let mut chosen = None;
    widgets::card(ui, t.archive_title, |ui| {
        ui.label(t.archive_help);
        chosen = files::pick_button(ui, t, t.archive_button, "archive-export", || {
            FilePicker::save_as(&["json"], "", ARCHIVE_NAME)
        });
    });
    let Some(path) = chosen else { return };
    let written = write_archive(&ws.vault.lock(), &path, t);
    match written {
        Ok(said) => ws.inform(said),
        Err(e) => ws.fail(e),
    }
}

/// Writes the archive to `path`, reads it back and checks every signature;
/// says where it went and what it holds.
fn write_archive(v: &inwonercloud_vault::Vault, path: &std::path::Path, t: &Texts) -> Result<String, String> {
    use crate::gui::i18n::plural;
    let export = v.export().map_err(|e| crate::error_text::error_text(&e, t.lang))?;
    let text = serde_json::to_string_pretty(&export).map_err(|e| format!("{}: {e}", t.file_not_written))?;
    std::fs::write(path, text).map_err(|e| format!("{}: {} ({e})", t.file_not_written, path.display()))?;
    let back = std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|s| serde_json::from_str::<inwonercloud_vault::export::Export>(&s).map_err(|e| e.to_string()))
        .map_err(|e| format!("{}: {} ({e})", t.archive_unreadable, path.display()))?;
    let check = inwonercloud_vault::export::verify_export(&back);
    if !check.invalid.is_empty() {
        return Err(format!("{}: {}", t.archive_check_failed, check.invalid.len()));
    }
    let records: usize = back.documents.iter().map(|d| d.records.len()).sum();
    Ok(format!(
        "{} {}: {}, {}. {}",
        t.archive_done,
        path.display(),
        plural(back.documents.len(), t.archive_documents, t.archive_documents_many),
        plural(records, t.archive_records, t.archive_records_many),
        t.archive_checked
    ))
}
