//! The desktop app (eframe/egui).
//!
//! [`App`] is either at the welcome screen (create a vault, open one, or load
//! the demo) or has a [`Workspace`]: an open vault with its screens. Each
//! screen is a function in [`screens`] that reads the workspace's cached
//! views and calls the vault API through [`Workspace::act`]; networking runs
//! on a background thread ([`network`]). Texts live in [`i18n`], one table
//! per language.

pub mod files;
pub mod forms;
/// The app's texts: its table in the one catalogue, [`crate::i18n::app`].
pub use crate::i18n::app as i18n;
pub mod network;
pub mod screens;
pub mod theme;
pub mod welcome;
pub mod widgets;
pub mod workspace;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use egui::RichText;
use inwonercloud_schemas::Lang;
use inwonercloud_sync::NodeConfig;
use inwonercloud_vault::{Passphrase, VaultError};

pub use i18n::Texts;
pub use workspace::{Screen, Workspace};

/// How the app starts.
#[derive(Clone, Debug)]
pub struct Options {
    /// The vault directory (created at first run).
    pub vault: PathBuf,
    /// Where the demo world goes.
    pub demo_dir: PathBuf,
    /// Language.
    pub lang: Lang,
    /// The network to start with an open vault; none keeps the app offline.
    pub network: Option<NodeConfig>,
    /// The screen to show first.
    pub screen: Option<Screen>,
    /// Font scale (1.0 = 100 %).
    pub zoom: f32,
    /// The look asked for on the command line (none: the remembered one);
    /// it is not remembered unless chosen again in the window.
    pub theme: Option<theme::Theme>,
    /// Where the language, text size and colours chosen in the window are remembered
    /// (none: not remembered, as in tests).
    pub settings: Option<PathBuf>,
}

/// What the window remembers between runs (not in the vault: it is needed
/// before a vault is open).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Remembered {
    /// The language chosen.
    pub lang: Option<Lang>,
    /// The text size chosen (1.0 = 100 %).
    pub zoom: Option<f32>,
    /// The look chosen (none in files written before there was a choice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<theme::Theme>,
}

impl Remembered {
    /// What `file` remembers (nothing when it is missing or unreadable).
    pub fn load(file: &std::path::Path) -> Self {
        std::fs::read(file)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }
}

/// The app.
pub struct App {
    /// Start options.
    pub options: Options,
    /// Language.
    pub lang: Lang,
    /// Welcome screen state.
    pub welcome: welcome::Welcome,
    /// The open vault, if any.
    pub workspace: Option<Workspace>,
    /// A vault waiting for its passphrase.
    pub locked: Option<welcome::Locked>,
    ctx: egui::Context,
    zoom: f32,
    theme: theme::Theme,
    /// The chosen look is set again on the first frame, after whatever set
    /// up the window (a test harness sets its own theme after `new`).
    theme_pending: bool,
}

impl App {
    /// Builds the app; opens the vault at `options.vault` when there is one.
    pub fn new(ctx: &egui::Context, options: Options) -> Self {
        // A remembered choice counts unless the command line asked for
        // something other than the default.
        let saved = options.settings.as_deref().map(Remembered::load).unwrap_or_default();
        let lang = match (options.lang, saved.lang) {
            (Lang::Nl, Some(l)) => l,
            (l, _) => l,
        };
        let zoom = match saved.zoom.filter(|z| (0.5..=3.0).contains(z)) {
            Some(z) if options.zoom == 1.0 => z,
            _ => options.zoom,
        };
        let mut app = App {
            lang,
            welcome: welcome::Welcome::new(&options),
            workspace: None,
            locked: None,
            ctx: ctx.clone(),
            zoom,
            theme: options.theme.or(saved.theme).unwrap_or_default(),
            theme_pending: true,
            options,
        };
        ctx.set_zoom_factor(app.zoom);
        app.theme.apply(ctx);
        if inwonercloud_vault::Vault::exists(&app.options.vault) {
            let dir = app.options.vault.clone();
            app.open(&dir, None);
        }
        app
    }

    /// The texts in the current language.
    pub fn texts(&self) -> &'static Texts {
        i18n::texts(self.lang)
    }

    /// Opens the vault in `dir` (closing any open one). Without a
    /// passphrase, the one in `INWONERCLOUD_PASSPHRASE` (or the demo's, for
    /// a demo vault) is tried; otherwise the unlock screen asks for it.
    pub fn open(&mut self, dir: &Path, passphrase: Option<Passphrase>) {
        self.workspace = None;
        let passphrase = passphrase
            .or_else(|| dir.starts_with(&self.options.demo_dir).then(crate::demo::passphrase))
            .or_else(Passphrase::from_env);
        let Some(passphrase) = passphrase else {
            self.locked = Some(welcome::Locked::new(dir, false));
            return;
        };
        let net = self.options.network.clone().map(|c| (c, self.ctx.clone()));
        match Workspace::open(dir, &passphrase, net) {
            Ok(mut ws) => {
                if let Some(s) = self.options.screen
                    && Screen::for_role(ws.who.role).contains(&s)
                {
                    ws.screen = s;
                }
                self.workspace = Some(ws);
                self.locked = None;
                self.welcome.error = None;
            }
            Err(VaultError::WrongPassphrase) => {
                self.locked = Some(welcome::Locked::new(dir, true));
            }
            Err(e) => {
                self.locked = None;
                let why = crate::error_text::error_text(&e, self.lang);
                self.welcome.error = Some(format!("{}: {why}", self.texts().open_failed));
            }
        }
    }

    /// Writes the language, text size and colours to the settings file, if any.
    pub fn remember(&self) {
        let Some(file) = &self.options.settings else { return };
        let r = Remembered {
            lang: Some(self.lang),
            zoom: Some(self.zoom),
            theme: Some(self.theme),
        };
        if let (Some(dir), Ok(json)) = (file.parent(), serde_json::to_vec_pretty(&r)) {
            let _ = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(file, json));
        }
    }

    /// The text size in use (1.0 = 100 %).
    pub fn zoom(&self) -> f32 {
        self.zoom
    }

    /// The look in use.
    pub fn theme(&self) -> theme::Theme {
        self.theme
    }

    /// Changes the look (and remembers it, when settings are remembered).
    pub fn set_theme(&mut self, theme: theme::Theme) {
        self.theme = theme;
        theme.apply(&self.ctx);
        self.remember();
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        let t = self.texts();
        // Wrapped: at 200 % text size the pickers go on a second line.
        ui.horizontal_wrapped(|ui| {
            ui.heading("Inwonercloud");
            if let Some(ws) = &self.workspace {
                ui.separator();
                ui.label(RichText::new(&ws.who.name).strong());
                ui.label(format!("({})", ws.who.role.label(self.lang)));
            }
            ui.separator();
            let lang_name = match self.lang {
                Lang::Nl => "Nederlands",
                Lang::En => "English",
            };
            widgets::combo(ui, "language", t.language, lang_name, |ui| {
                ui.selectable_value(&mut self.lang, Lang::Nl, "Nederlands");
                ui.selectable_value(&mut self.lang, Lang::En, "English");
            });
            let before = (self.lang, self.zoom, self.theme);
            let zoom = format!("{:.0} %", self.zoom * 100.0);
            widgets::combo(ui, "text size", t.text_size, zoom, |ui| {
                for z in [1.0f32, 1.25, 1.5, 1.75, 2.0] {
                    ui.selectable_value(&mut self.zoom, z, format!("{:.0} %", z * 100.0));
                }
            });
            widgets::combo(ui, "theme", t.theme, self.theme.label(t), |ui| {
                for th in theme::Theme::ALL {
                    ui.selectable_value(&mut self.theme, th, th.label(t));
                }
            });
            if before.1 != self.zoom {
                ui.ctx().set_zoom_factor(self.zoom);
            }
            if before.2 != self.theme {
                self.theme.apply(ui.ctx());
            }
            if before != (self.lang, self.zoom, self.theme) {
                self.remember();
            }
            if self.workspace.is_some() && ui.button(t.close_vault).clicked() {
                self.workspace = None;
            }
        });
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let t = self.texts();
        let lang = self.lang;
        if std::mem::take(&mut self.theme_pending) && self.theme != theme::Theme::System {
            self.theme.apply(ui.ctx());
        }
        // Ctrl+plus, Ctrl+minus and Ctrl+0 (egui's own shortcuts) change the
        // text size as the picker does: shown there, and remembered.
        let zoom = ui.ctx().zoom_factor();
        if (zoom - self.zoom).abs() > 0.001 {
            self.zoom = zoom;
            self.remember();
        }
        if let Some(ws) = &mut self.workspace {
            ws.tick(t);
            // With the network on, change events ask for frames; without it,
            // look at the file twice a second for another process's writes.
            let later = if ws.reload_pending() {
                50
            } else if ws.net.is_none() {
                500
            } else {
                2000
            };
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(later));
        }
        egui::Panel::top("top").show(ui, |ui| self.top_bar(ui));
        match &mut self.workspace {
            None => {
                let mut chosen = None;
                egui::CentralPanel::default().show(ui, |ui| match &mut self.locked {
                    Some(l) => match welcome::unlock(ui, l, t) {
                        Some(welcome::UnlockAction::Try(p)) => chosen = Some((l.dir.clone(), Some(p))),
                        Some(welcome::UnlockAction::Back) => self.locked = None,
                        None => {}
                    },
                    None => chosen = welcome::show(ui, &mut self.welcome, t, lang),
                });
                if let Some((dir, pass)) = chosen {
                    self.open(&dir, pass);
                    // A new device joins with its ticket once its network runs.
                    if let (Some(ticket), Some(ws)) = (self.welcome.pending_join.take(), self.workspace.as_mut()) {
                        ws.net(network::NetCmd::Join(ticket), t);
                    }
                }
            }
            Some(ws) => {
                egui::Panel::bottom("status").show(ui, |ui| screens::status_bar(ui, ws, t, lang));
                egui::Panel::left("nav")
                    .resizable(false)
                    .default_size(170.0)
                    .show(ui, |ui| {
                        screens::nav(ui, ws, t);
                    });
                egui::CentralPanel::default().show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| screens::show(ui, ws, t, lang));
                });
                let ctx = ui.ctx().clone();
                ws.confirmation(&ctx, t);
            }
        }
    }
}

/// Whether a window can be opened here.
pub fn display_available() -> bool {
    if cfg!(any(target_os = "windows", target_os = "macos")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// The application id: the `.desktop` file's name and the window's app id.
pub const APP_ID: &str = "nl.inwonercloud.Inwonercloud";

/// Runs the app in a window until it is closed.
pub fn run(options: Options) -> ExitCode {
    let t = i18n::texts(options.lang);
    if !display_available() {
        eprintln!("{}", t.no_display(&options.vault));
        return ExitCode::from(2);
    }
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1180.0, 780.0])
            .with_min_inner_size([640.0, 420.0])
            .with_title("Inwonercloud")
            // Matches the .desktop file (app/assets), so desktops show its name and icon.
            .with_app_id(APP_ID),
        ..Default::default()
    };
    // winit panics, rather than returning an error, when a system library
    // it loads at run time is missing (libxkbcommon-x11, seen in a clean
    // Debian): catch that too and say which packages to install.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        eframe::run_native(
            "inwonercloud",
            native,
            Box::new(move |cc| Ok(Box::new(App::new(&cc.egui_ctx, options)))),
        )
    }));
    match result {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("{}\n{e}", t.window_failed);
            ExitCode::from(2)
        }
        Err(_) => {
            eprintln!("{}", t.window_failed);
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod desktop_tests {
    /// The `.desktop` file, the icon and the window agree on one app id, so a
    /// desktop shows the app's name and icon for its window.
    #[test]
    fn the_desktop_file_names_the_app_id_and_its_icon_exists() {
        let desktop = include_str!("../../assets/nl.inwonercloud.Inwonercloud.desktop");
        assert!(desktop.contains(&format!("Icon={}", super::APP_ID)));
        assert!(desktop.contains(&format!("StartupWMClass={}", super::APP_ID)));
        assert!(desktop.contains("Exec=inwonercloud"));
        let icon = include_str!("../../assets/nl.inwonercloud.Inwonercloud.svg");
        assert!(icon.starts_with("<svg") && icon.contains("viewBox"));
    }
}
