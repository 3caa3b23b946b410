//! First run: create a vault, open another one, or load the demo; and the
//! unlock screen that asks an encrypted vault's passphrase.

use std::path::PathBuf;

use egui::RichText;
use inwonercloud_schemas::{Lang, Role};
use inwonercloud_vault::{CreateOptions, Passphrase, Vault};

use super::Options;
use super::files::{self, FilePicker, Kind};
use super::i18n::Texts;
use super::widgets;
use crate::demo::{self, DemoWorld};
use crate::error_text::{error_text, ticket_error_text};

/// The welcome screen's state.
#[derive(Debug)]
pub struct Welcome {
    /// Where a new vault goes.
    pub dir: String,
    /// Owner's name.
    pub name: String,
    /// Owner's role.
    pub role: Role,
    /// This device's name.
    pub device: String,
    /// The new vault's passphrase, and again.
    pub pass: String,
    /// The passphrase typed a second time.
    pub pass2: String,
    /// A vault to open.
    pub open_dir: String,
    /// A backup file to restore.
    pub backup_file: String,
    /// The backup's passphrase, or the 24-word recovery phrase.
    pub backup_secret: String,
    /// With the recovery phrase: the new passphrase for the restored vault.
    pub backup_new_pass: String,
    /// A device ticket from one's first device.
    pub device_ticket: String,
    /// A device ticket to join with once the new vault's network runs.
    pub pending_join: Option<String>,
    /// The joining device's new passphrase, and again.
    pub join_pass: String,
    /// The joining device's passphrase typed a second time.
    pub join_pass2: String,
    /// Where the demo goes.
    pub demo_dir: PathBuf,
    /// What went wrong last.
    pub error: Option<String>,
}

impl Welcome {
    /// Fresh state for these start options.
    pub fn new(o: &Options) -> Self {
        Welcome {
            dir: o.vault.display().to_string(),
            name: String::new(),
            role: Role::Citizen,
            device: std::env::var("HOSTNAME").unwrap_or_else(|_| "laptop".into()),
            pass: String::new(),
            pass2: String::new(),
            open_dir: String::new(),
            backup_file: String::new(),
            backup_secret: String::new(),
            backup_new_pass: String::new(),
            device_ticket: String::new(),
            pending_join: None,
            join_pass: String::new(),
            join_pass2: String::new(),
            demo_dir: o.demo_dir.clone(),
            error: None,
        }
    }
}

/// Shows the welcome screen; returns the vault directory to open, if chosen,
/// with its passphrase when it was just typed here.
pub fn show(ui: &mut egui::Ui, w: &mut Welcome, t: &Texts, lang: Lang) -> Option<(PathBuf, Option<Passphrase>)> {
    let mut open = None;
    ui.heading(t.welcome_title);
    ui.label(t.welcome_intro);
    ui.add_space(8.0);
    if let Some(e) = &w.error {
        widgets::warning(ui, e);
    }
    widgets::card(ui, t.create_title, |ui| {
        widgets::text(ui, t.your_name, &mut w.name);
        widgets::choice(ui, t.your_role, &mut w.role, &Role::ALL, |r| r.label(lang).to_string());
        widgets::text(ui, t.device_name, &mut w.device);
        files::path_field(ui, t, t.vault_folder, &mut w.dir, Kind::Folder);
        widgets::secret(ui, t.passphrase, &mut w.pass);
        widgets::secret(ui, t.passphrase_repeat, &mut w.pass2);
        ui.label(RichText::new(t.passphrase_hint).weak());
        if ui.button(t.create_button).clicked() {
            let dir = PathBuf::from(w.dir.trim());
            let pass = Passphrase::new(w.pass.clone());
            if w.name.trim().is_empty() {
                w.error = Some(t.name_needed.into());
            } else if pass.check_new().is_err() {
                w.error = Some(t.passphrase_too_short.into());
            } else if w.pass != w.pass2 {
                w.error = Some(t.passphrases_differ.into());
            } else if Vault::exists(&dir) {
                w.error = Some(format!("{}: {}", t.vault_exists, dir.display()));
            } else {
                let made = Vault::create(
                    &dir,
                    CreateOptions {
                        name: w.name.trim().into(),
                        role: w.role,
                        device_name: w.device.trim().into(),
                        passphrase: pass.clone(),
                    },
                );
                match made {
                    Ok(_) => {
                        w.pass.clear();
                        w.pass2.clear();
                        open = Some((dir, Some(pass)));
                    }
                    Err(e) => w.error = Some(error_text(&e, t.lang)),
                }
            }
        }
    });
    ui.add_space(8.0);
    widgets::card(ui, t.open_title, |ui| {
        files::path_field(ui, t, t.vault_folder, &mut w.open_dir, Kind::Folder);
        if ui.button(t.open_button).clicked() {
            let dir = PathBuf::from(w.open_dir.trim());
            if Vault::exists(&dir) {
                open = Some((dir, None));
            } else {
                w.error = Some(format!("{}: {}", t.no_vault_there, dir.display()));
            }
        }
    });
    ui.add_space(8.0);
    widgets::card(ui, t.restore_title, |ui| {
        ui.label(t.restore_help);
        files::path_field(ui, t, t.restore_file, &mut w.backup_file, Kind::open(&["bak"]));
        widgets::secret(ui, t.restore_secret, &mut w.backup_secret);
        widgets::secret(ui, t.restore_new_pass, &mut w.backup_new_pass);
        files::path_field(ui, t, t.vault_folder, &mut w.dir, Kind::Folder);
        if ui.button(t.restore_button).clicked() {
            match restore(w, t.lang) {
                Ok(opened) => open = Some(opened),
                Err(e) => w.error = Some(e),
            }
        }
    });
    ui.add_space(8.0);
    widgets::card(ui, t.join_device_title, |ui| {
        ui.label(t.join_device_help);
        widgets::text(ui, t.join_device_ticket, &mut w.device_ticket);
        let picture = files::pick_button(ui, t, t.qr_pick, "welcome-device-qr", || {
            FilePicker::new(Kind::open(files::PICTURES), "")
        });
        if let Some(path) = picture {
            match files::qr_text_from_image(&path) {
                Ok(text) => {
                    w.device_ticket = text;
                    w.error = None;
                }
                Err(e) => w.error = Some(e.text(t)),
            }
        }
        files::path_field(ui, t, t.vault_folder, &mut w.dir, Kind::Folder);
        widgets::secret(ui, t.join_device_pass, &mut w.join_pass);
        widgets::secret(ui, t.join_device_pass2, &mut w.join_pass2);
        if ui.button(t.join_device_button).clicked() {
            match join_as_device(w, t) {
                Ok(opened) => open = Some(opened),
                Err(e) => w.error = Some(e),
            }
        }
    });
    ui.add_space(8.0);
    widgets::card(ui, t.demo_title, |ui| {
        ui.label(t.demo_intro);
        ui.horizontal_wrapped(|ui| {
            let world = DemoWorld::at(&w.demo_dir);
            for (label, dir) in [
                (t.demo_as_citizen, &world.citizen),
                (t.demo_as_counselor, &world.counselor),
                (t.demo_as_provider, &world.provider),
                (t.demo_as_municipality, &world.municipality),
                (t.demo_as_carer, &world.carer),
                (t.demo_as_representative, &world.representative),
                (t.demo_as_household, &world.household),
            ] {
                if ui.button(label).clicked() {
                    if !world.exists()
                        && let Err(e) = demo::build(&w.demo_dir)
                    {
                        w.error = Some(format!("{}: {}", t.demo_failed, error_text(&e, t.lang)));
                        continue;
                    }
                    open = Some((dir.clone(), Some(demo::passphrase())));
                }
            }
        });
        ui.label(RichText::new(format!("{}: {}", t.demo_folder, w.demo_dir.display())).weak());
        ui.label(RichText::new(format!("{}: {}", t.demo_passphrase, demo::PASSPHRASE)).weak());
    });
    open
}

/// Makes this machine another device of someone who has a vault already:
/// an empty vault waiting for its certificate, which joins with the device
/// ticket as soon as its network runs.
fn join_as_device(w: &mut Welcome, t: &Texts) -> Result<(PathBuf, Option<Passphrase>), String> {
    let text = w.device_ticket.trim().to_string();
    let ticket: inwonercloud_sync::Ticket = text.parse().map_err(|e| ticket_error_text(&e, t.lang))?;
    if !ticket.device {
        return Err(t.not_a_device_ticket.into());
    }
    let pass = Passphrase::new(w.join_pass.clone());
    pass.check_new().map_err(|_| t.passphrase_too_short.to_string())?;
    if w.join_pass != w.join_pass2 {
        return Err(t.passphrases_differ.into());
    }
    let dir = PathBuf::from(w.dir.trim());
    if Vault::exists(&dir) {
        return Err(format!("{}: {}", t.vault_exists, dir.display()));
    }
    Vault::create_unlinked(&dir, w.device.trim(), &pass).map_err(|e| error_text(&e, t.lang))?;
    w.join_pass.clear();
    w.join_pass2.clear();
    w.pending_join = Some(text);
    Ok((dir, Some(pass)))
}

/// Restores the backup named on the welcome screen into its vault folder.
/// Twenty-four words are the recovery phrase (a new passphrase is then
/// needed); anything else is the backup's passphrase.
fn restore(w: &mut Welcome, lang: Lang) -> Result<(PathBuf, Option<Passphrase>), String> {
    use inwonercloud_vault::backup::BackupSecret;
    let file = PathBuf::from(w.backup_file.trim());
    let dir = PathBuf::from(w.dir.trim());
    let words = w.backup_secret.split_whitespace().count();
    let (secret, new, open_with) = if words == 24 {
        let new = Passphrase::new(w.backup_new_pass.clone());
        new.check_new().map_err(|e| error_text(&e, lang))?;
        let normal: Vec<&str> = w.backup_secret.split_whitespace().collect();
        (BackupSecret::RecoveryPhrase(normal.join(" ")), Some(new.clone()), new)
    } else {
        let p = Passphrase::new(w.backup_secret.clone());
        (BackupSecret::Passphrase(p.clone()), None, p)
    };
    let device = if w.device.trim().is_empty() {
        "laptop"
    } else {
        w.device.trim()
    };
    Vault::restore(&file, &dir, &secret, new.as_ref(), device).map_err(|e| error_text(&e, lang))?;
    w.backup_secret.clear();
    w.backup_new_pass.clear();
    Ok((dir, Some(open_with)))
}

/// A vault waiting for its passphrase.
#[derive(Debug)]
pub struct Locked {
    /// The vault directory.
    pub dir: PathBuf,
    /// What is typed so far.
    pub pass: String,
    /// Set after a wrong attempt.
    pub wrong: bool,
}

impl Locked {
    /// The unlock screen for `dir`, after a wrong attempt when `wrong`.
    pub fn new(dir: &std::path::Path, wrong: bool) -> Self {
        Locked {
            dir: dir.to_path_buf(),
            pass: String::new(),
            wrong,
        }
    }
}

/// What the unlock screen asks for.
pub enum UnlockAction {
    /// Try this passphrase.
    Try(Passphrase),
    /// Back to the welcome screen.
    Back,
}

/// Shows the unlock screen.
pub fn unlock(ui: &mut egui::Ui, l: &mut Locked, t: &Texts) -> Option<UnlockAction> {
    let mut action = None;
    ui.heading(t.unlock_title);
    ui.label(t.unlock_intro);
    ui.label(RichText::new(l.dir.display().to_string()).weak());
    ui.add_space(8.0);
    if l.wrong {
        widgets::warning(ui, t.wrong_passphrase);
    }
    let field = widgets::secret(ui, t.passphrase, &mut l.pass);
    let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    ui.horizontal(|ui| {
        if ui.button(t.unlock_button).clicked() || enter {
            action = Some(UnlockAction::Try(Passphrase::new(std::mem::take(&mut l.pass))));
        }
        if ui.button(t.back).clicked() {
            action = Some(UnlockAction::Back);
        }
    });
    action
}
