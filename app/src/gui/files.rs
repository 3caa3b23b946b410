//! Choosing a file or a folder without typing its path: an in-app picker
//! (a modal window listing the folders and files of one folder), used by
//! every field of the app that names a file or folder, and reading an
//! invite from a picture of its QR code.
//!
//! Why in the app and not the system's own dialog (`rfd`): on Linux that
//! dialog needs the xdg desktop portal (over D-Bus, `zbus`) or GTK. Both are
//! heavy to build and are missing on minimal desktops, where the dialog then
//! silently does not open; and a dialog outside the window cannot be driven
//! by the app's tests (egui_kittest), so nothing would prove it works. This
//! picker is plain egui: it works wherever the window works, it is read out
//! by screen readers like every other widget, and the tests click through it.
//!
//! One picker serves every use: [`FilePicker`] holds its state and
//! [`FilePicker::show`] draws it and returns what was chosen; the helpers
//! [`path_field`] (a path field with a "Kiezen…" button beside it) and
//! [`pick_button`] (a button that opens the picker and returns the choice)
//! keep that state in egui's memory, so a screen needs no field for it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use egui::{Id, RichText, Ui};

use super::i18n::Texts;
use super::widgets;

/// What the picker chooses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An existing folder, or a new one made in the picker.
    Folder,
    /// An existing file; with extensions (lower case, no dot), only files of
    /// those types are listed unless the person asks for all.
    Open(Vec<String>),
    /// A file to write: a folder plus a file name (which may exist already).
    Save(Vec<String>),
}

impl Kind {
    /// Choose an existing file of one of these types (lower case, no dot).
    pub fn open(extensions: &[&str]) -> Self {
        Kind::Open(extensions.iter().map(|e| e.to_string()).collect())
    }

    /// Choose a file to write, listing files of these types.
    pub fn save(extensions: &[&str]) -> Self {
        Kind::Save(extensions.iter().map(|e| e.to_string()).collect())
    }

    fn extensions(&self) -> &[String] {
        match self {
            Kind::Folder => &[],
            Kind::Open(e) | Kind::Save(e) => e,
        }
    }
}

/// How the picker ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// This path was chosen.
    Chosen(PathBuf),
    /// "Annuleren", Esc or a click beside the window.
    Cancelled,
}

/// One line of the listing.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    name: String,
    folder: bool,
}

/// The picker's state: which folder it shows, what is typed and selected.
#[derive(Clone, Debug)]
pub struct FilePicker {
    kind: Kind,
    /// The folder shown.
    dir: PathBuf,
    /// The path field at the top (the folder shown, or typed by the person).
    typed: String,
    /// Open: the selected file's name. Save: the file name to write.
    name: String,
    /// Name of a folder to make here.
    new_folder: String,
    /// The folder's contents, folders first, each group by name.
    entries: Vec<Entry>,
    /// Why the last step did not work.
    error: Option<String>,
    /// A folder that could not be read, with why.
    unreadable: Option<String>,
    /// List files of every type, not only the kind's extensions.
    all_files: bool,
    /// List names starting with a dot.
    hidden: bool,
}

impl FilePicker {
    /// A picker for `kind`, starting at what `current` (a field's text) names:
    /// that folder, or the folder of that file (whose name is then filled
    /// in); else the home folder.
    pub fn new(kind: Kind, current: &str) -> Self {
        let current = PathBuf::from(current.trim());
        let mut name = String::new();
        let dir = if current.as_os_str().is_empty() {
            None
        } else if current.is_dir() {
            Some(current.clone())
        } else {
            // A file, or a path not made yet: start in the nearest folder
            // that exists; the file's own name is kept for saving.
            if current.is_file() || matches!(kind, Kind::Save(_)) {
                name = current
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
            }
            current.ancestors().skip(1).find(|a| a.is_dir()).map(Path::to_path_buf)
        };
        let dir = dir.or_else(dirs::home_dir).unwrap_or_else(|| PathBuf::from("/"));
        let mut p = FilePicker {
            kind,
            dir: dir.clone(),
            typed: String::new(),
            name,
            new_folder: String::new(),
            entries: Vec::new(),
            error: None,
            unreadable: None,
            all_files: false,
            hidden: false,
        };
        p.go(dir);
        p
    }

    /// A picker to save a file called `name`, in the folder of `current`
    /// (else the home folder).
    pub fn save_as(extensions: &[&str], current: &str, name: &str) -> Self {
        let mut p = FilePicker::new(Kind::save(extensions), current);
        if p.name.is_empty() {
            p.name = name.to_string();
        }
        p
    }

    /// The folder it shows.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Shows the folder `dir`, or says it cannot be read.
    fn go(&mut self, dir: PathBuf) {
        match list(&dir) {
            Ok(entries) => {
                self.entries = entries;
                self.typed = dir.display().to_string();
                if self.dir != dir && matches!(self.kind, Kind::Open(_)) {
                    self.name.clear();
                }
                self.dir = dir;
                self.error = None;
                self.unreadable = None;
            }
            Err(e) => self.unreadable = Some(format!("{} ({e})", dir.display())),
        }
    }

    /// What the typed path names, acted on: a folder is shown; a file is
    /// chosen (Open) or named (Save); a folder not made yet is chosen
    /// (Folder) when its parent exists.
    fn follow_typed(&mut self, t: &Texts) -> Option<Outcome> {
        let path = PathBuf::from(self.typed.trim());
        if path.is_dir() {
            self.go(path);
            return None;
        }
        let parent = path.parent().filter(|p| p.is_dir()).map(Path::to_path_buf);
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned());
        match (&self.kind, parent, file) {
            (Kind::Open(_), _, _) if path.is_file() => Some(Outcome::Chosen(path)),
            (Kind::Save(_), Some(parent), Some(file)) => {
                self.go(parent);
                self.name = file;
                None
            }
            (Kind::Folder, Some(_), Some(_)) => Some(Outcome::Chosen(path)),
            _ => {
                self.error = Some(format!("{}: {}", t.picker_no_folder, path.display()));
                None
            }
        }
    }

    /// The entries shown: hidden names and other file types left out
    /// unless asked for; in a folder picker, files are shown but not chosen.
    fn shown(&self) -> Vec<Entry> {
        let ext = self.kind.extensions();
        self.entries
            .iter()
            .filter(|e| self.hidden || !e.name.starts_with('.'))
            .filter(|e| e.folder || self.all_files || ext.is_empty() || has_extension(&e.name, ext))
            .cloned()
            .collect()
    }

    /// The path "choose" would give now, or why there is none.
    fn choice(&self, t: &Texts) -> Result<PathBuf, String> {
        match &self.kind {
            Kind::Folder => Ok(self.dir.clone()),
            Kind::Open(_) if self.name.is_empty() => Err(t.picker_no_file.into()),
            Kind::Save(_) if self.name.trim().is_empty() => Err(t.picker_name_needed.into()),
            Kind::Open(_) => Ok(self.dir.join(&self.name)),
            Kind::Save(_) => Ok(self.dir.join(self.name.trim())),
        }
    }

    /// Draws the picker as a modal window; returns the outcome once the
    /// person chose or cancelled.
    pub fn show(&mut self, ctx: &egui::Context, t: &Texts) -> Option<Outcome> {
        let mut outcome = None;
        let modal = egui::Modal::new(Id::unique("inwonercloud-file-picker")).show(ctx, |ui| {
            ui.set_width(560.0);
            ui.heading(match self.kind {
                Kind::Folder => t.picker_folder_title,
                Kind::Open(_) => t.picker_open_title,
                Kind::Save(_) => t.picker_save_title,
            });
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                if ui.button(t.picker_up).clicked()
                    && let Some(up) = self.dir.parent()
                {
                    self.go(up.to_path_buf());
                }
                if ui.button(t.picker_home).clicked()
                    && let Some(home) = dirs::home_dir()
                {
                    self.go(home);
                }
            });
            ui.horizontal(|ui| {
                let field = widgets::text(ui, t.picker_path, &mut self.typed);
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if ui.button(t.picker_go).clicked() || enter {
                    outcome = self.follow_typed(t);
                }
            });
            ui.label(RichText::new(format!("{}: {}", t.picker_looking_in, self.dir.display())).weak());
            if let Some(e) = &self.error {
                widgets::warning(ui, e);
            }
            if let Some(e) = &self.unreadable {
                widgets::warning(ui, &format!("{}: {e}", t.picker_no_folder));
            }
            ui.separator();
            self.listing(ui, t, &mut outcome);
            ui.separator();
            ui.horizontal_wrapped(|ui| {
                ui.checkbox(&mut self.hidden, t.picker_hidden);
                let ext = self.kind.extensions();
                if !ext.is_empty() {
                    ui.checkbox(&mut self.all_files, t.picker_all_files);
                    let types: Vec<String> = ext.iter().map(|e| format!(".{e}")).collect();
                    ui.label(RichText::new(format!("{}: {}", t.picker_only, types.join(", "))).weak());
                }
            });
            self.bottom(ui, t, &mut outcome);
        });
        if outcome.is_none() && modal.should_close() {
            outcome = Some(Outcome::Cancelled);
        }
        outcome
    }

    /// The folders and files of the folder shown.
    fn listing(&mut self, ui: &mut Ui, t: &Texts, outcome: &mut Option<Outcome>) {
        let shown = self.shown();
        let mut open = None;
        egui::ScrollArea::vertical()
            .max_height(320.0)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                if shown.is_empty() {
                    ui.label(RichText::new(t.picker_empty).italics());
                }
                egui::Grid::new("file-picker-listing").num_columns(2).show(ui, |ui| {
                    for e in &shown {
                        if e.folder {
                            ui.label(RichText::new(t.picker_folder_word).weak());
                            if ui.button(&e.name).clicked() {
                                open = Some(self.dir.join(&e.name));
                            }
                        } else {
                            ui.label(RichText::new(t.picker_file_word).weak());
                            match self.kind {
                                Kind::Folder => {
                                    ui.label(RichText::new(&e.name).weak());
                                }
                                Kind::Open(_) | Kind::Save(_) => {
                                    let on = self.name == e.name;
                                    let r = ui.add(egui::Button::selectable(on, &e.name));
                                    if r.clicked() {
                                        self.name = e.name.clone();
                                    }
                                    if r.double_clicked() && matches!(self.kind, Kind::Open(_)) {
                                        *outcome = Some(Outcome::Chosen(self.dir.join(&e.name)));
                                    }
                                }
                            }
                        }
                        ui.end_row();
                    }
                });
            });
        if let Some(dir) = open {
            self.go(dir);
        }
    }

    /// The new-folder and file-name fields, and the buttons that end.
    fn bottom(&mut self, ui: &mut Ui, t: &Texts, outcome: &mut Option<Outcome>) {
        match self.kind {
            Kind::Folder => {
                ui.horizontal(|ui| {
                    widgets::text(ui, t.picker_new_folder, &mut self.new_folder);
                    if ui.button(t.picker_make_folder).clicked() {
                        self.make_folder(t);
                    }
                });
            }
            Kind::Open(_) => {
                if !self.name.is_empty() {
                    ui.label(format!("{}: {}", t.picker_chosen, self.dir.join(&self.name).display()));
                }
            }
            Kind::Save(_) => {
                widgets::text(ui, t.picker_file_name, &mut self.name);
                let name = self.name.trim();
                if !name.is_empty() && self.dir.join(name).is_file() {
                    widgets::warning(ui, t.picker_overwrite);
                }
            }
        }
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let choose = match self.kind {
                Kind::Folder => t.picker_choose_folder,
                Kind::Open(_) => t.picker_choose_file,
                Kind::Save(_) => t.picker_save,
            };
            if ui.button(choose).clicked() {
                // A path typed without "Ga naar" counts too.
                if self.typed.trim() != self.dir.display().to_string() {
                    if let Some(o) = self.follow_typed(t) {
                        *outcome = Some(o);
                        return;
                    }
                    if self.error.is_some() {
                        return;
                    }
                }
                match self.choice(t) {
                    Ok(p) => *outcome = Some(Outcome::Chosen(p)),
                    Err(e) => self.error = Some(e),
                }
            }
            if ui.button(t.picker_cancel).clicked() {
                *outcome = Some(Outcome::Cancelled);
            }
        });
    }

    /// Makes the folder named in the new-folder field here and goes in.
    fn make_folder(&mut self, t: &Texts) {
        let name = self.new_folder.trim();
        if name.is_empty() || name.contains(['/', '\\']) {
            self.error = Some(t.picker_name_needed.into());
            return;
        }
        let dir = self.dir.join(name);
        match std::fs::create_dir_all(&dir) {
            Ok(()) => {
                self.new_folder.clear();
                self.go(dir);
            }
            Err(e) => self.error = Some(format!("{}: {} ({e})", t.picker_cannot_make, dir.display())),
        }
    }
}

/// Whether `name` ends in one of `extensions` (lower case, no dot).
fn has_extension(name: &str, extensions: &[String]) -> bool {
    Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .is_some_and(|e| extensions.contains(&e))
}

/// The folders and files in `dir`: folders first, each group by name
/// (ignoring case).
fn list(dir: &Path) -> std::io::Result<Vec<Entry>> {
    let mut entries: Vec<Entry> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| Entry {
            name: e.file_name().to_string_lossy().into_owned(),
            // Follows links: a link to a folder is a folder.
            folder: e.path().is_dir(),
        })
        .collect();
    entries.sort_by(|a, b| {
        b.folder
            .cmp(&a.folder)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(entries)
}

/// The one open picker, with the id of what opened it; shared, so a large
/// folder's listing is not copied on every frame.
#[derive(Clone)]
struct Open(Id, Arc<Mutex<FilePicker>>);

/// Where the one open picker is kept between frames, with the id of the
/// button that opened it (only that button's caller gets the choice).
fn slot() -> Id {
    Id::unique("inwonercloud-file-picker-state")
}

/// A button labelled `label` that opens the picker made by `make`; returns
/// the path once one is chosen (on a later frame). `id` tells apart
/// buttons with the same label.
pub fn pick_button(
    ui: &mut Ui,
    t: &Texts,
    label: &str,
    id: impl std::hash::Hash + std::fmt::Debug,
    make: impl FnOnce() -> FilePicker,
) -> Option<PathBuf> {
    let button = ui.button(label);
    open_on_click(ui, t, &button, Id::unique(("file-picker-owner", id)), make)
}

/// Opens the picker when `button` is clicked and shows it while it is this
/// owner's; returns the chosen path.
fn open_on_click(
    ui: &mut Ui,
    t: &Texts,
    button: &egui::Response,
    owner: Id,
    make: impl FnOnce() -> FilePicker,
) -> Option<PathBuf> {
    let ctx = ui.ctx().clone();
    if button.clicked() {
        ctx.data_mut(|d| d.insert_temp(slot(), Open(owner, Arc::new(Mutex::new(make())))));
    }
    let Open(who, picker) = ctx.data_mut(|d| d.get_temp::<Open>(slot()))?;
    if who != owner {
        return None;
    }
    // The lock is this frame's only one: the picker is shown from one place.
    let outcome = picker.lock().ok()?.show(&ctx, t)?;
    ctx.data_mut(|d| d.remove::<Open>(slot()));
    match outcome {
        Outcome::Chosen(p) => Some(p),
        Outcome::Cancelled => None,
    }
}

/// A path field labelled `label` with a "Kiezen…" button beside it that
/// opens the picker for `kind` and writes the chosen path into the field.
/// Typing the path still works. Returns true when a path was just chosen.
pub fn path_field(ui: &mut Ui, t: &Texts, label: &str, value: &mut String, kind: Kind) -> bool {
    // Several fields share a label and even a value ("Map van de kluis" in
    // three cards): the field's place on the screen keeps their pickers apart.
    let owner = ui.next_auto_id().with(("file-picker-field", label));
    let chosen = ui
        .horizontal(|ui| {
            widgets::text(ui, label, value);
            let button = ui.button(t.pick);
            let name = format!("{} {label}", t.pick_for);
            button.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
            let current = value.clone();
            open_on_click(ui, t, &button, owner, || FilePicker::new(kind, &current))
        })
        .inner;
    match chosen {
        Some(p) => {
            *value = p.display().to_string();
            true
        }
        None => false,
    }
}

/// Why no invite could be read from a picture.
#[derive(Debug)]
pub enum QrError {
    /// The file is no picture this app can open.
    Unreadable(String),
    /// The picture holds no readable QR code.
    NoCode,
}

impl QrError {
    /// The reason in the language of `t`.
    pub fn text(&self, t: &Texts) -> String {
        match self {
            QrError::Unreadable(why) => format!("{} ({why}).", t.qr_unreadable),
            QrError::NoCode => t.qr_none.to_string(),
        }
    }
}

/// The picture types a QR code is read from.
pub const PICTURES: &[&str] = &["png", "jpg", "jpeg"];

/// Pictures larger than this (pixels on the longest side) are scaled down
/// before searching: a phone photo is far larger than a QR code needs.
const QR_MAX_SIDE: u32 = 2400;

/// The text of the first QR code in the picture (PNG or JPEG) at `path`.
pub fn qr_text_from_image(path: &Path) -> Result<String, QrError> {
    let img = image::ImageReader::open(path)
        .map_err(|e| QrError::Unreadable(e.to_string()))?
        .with_guessed_format()
        .map_err(|e| QrError::Unreadable(e.to_string()))?
        .decode()
        .map_err(|e| QrError::Unreadable(e.to_string()))?;
    let img = if img.width().max(img.height()) > QR_MAX_SIDE {
        img.resize(QR_MAX_SIDE, QR_MAX_SIDE, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    qr_text(&img.to_luma8())
}

/// The text of the first QR code in a grey picture.
pub fn qr_text(grey: &image::GrayImage) -> Result<String, QrError> {
    let (w, h) = (grey.width() as usize, grey.height() as usize);
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| grey.get_pixel(x as u32, y as u32).0[0]);
    prepared
        .detect_grids()
        .into_iter()
        .find_map(|g| g.decode().ok().map(|(_, text)| text))
        .ok_or(QrError::NoCode)
}

/// `text` as a QR code picture: black modules of `module` pixels on white,
/// with the four-module quiet zone around it. None when the text does not
/// fit in a QR code.
pub fn qr_image(text: &str, module: u32) -> Option<image::GrayImage> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::L).ok()?;
    let width = code.width() as u32;
    let colors = code.to_colors();
    let side = (width + 8) * module;
    let mut img = image::GrayImage::from_pixel(side, side, image::Luma([255]));
    for (i, c) in colors.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (x, y) = ((i as u32 % width + 4) * module, (i as u32 / width + 4) * module);
            for dy in 0..module {
                for dx in 0..module {
                    img.put_pixel(x + dx, y + dy, image::Luma([0]));
                }
            }
        }
    }
    Some(img)
}

/// Writes `text` as a QR code picture (PNG) to `path`.
pub fn save_qr(text: &str, path: &Path) -> Result<(), String> {
    let img = qr_image(text, 8).ok_or_else(|| "QR".to_string())?;
    img.save_with_format(path, image::ImageFormat::Png)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_drawn_as_a_qr_png_is_read_back_and_a_picture_without_one_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        // As long as an invite: the QR code is dense.
        let ticket = format!("inwonercloud1{}", "a7k3q9xz".repeat(40));
        let png = tmp.path().join("uitnodiging.png");
        qr_image(&ticket, 4).unwrap().save(&png).unwrap();
        assert_eq!(qr_text_from_image(&png).unwrap(), ticket);

        let jpg = tmp.path().join("foto.jpg");
        qr_image(&ticket, 6).unwrap().save(&jpg).unwrap();
        assert_eq!(qr_text_from_image(&jpg).unwrap(), ticket, "a JPEG too");

        let blank = tmp.path().join("leeg.png");
        image::GrayImage::from_pixel(200, 200, image::Luma([255]))
            .save(&blank)
            .unwrap();
        assert!(matches!(qr_text_from_image(&blank), Err(QrError::NoCode)));
        let not_a_picture = tmp.path().join("tekst.png");
        std::fs::write(&not_a_picture, "geen plaatje").unwrap();
        assert!(matches!(
            qr_text_from_image(&not_a_picture),
            Err(QrError::Unreadable(_))
        ));
        let nl = QrError::NoCode.text(crate::gui::i18n::texts(inwonercloud_schemas::Lang::Nl));
        assert!(nl.contains("geen QR-code"), "{nl}");
    }

    #[test]
    fn the_listing_puts_folders_first_sorted_and_filters_by_type() {
        let tmp = tempfile::tempdir().unwrap();
        for d in ["beta", "Alfa"] {
            std::fs::create_dir(tmp.path().join(d)).unwrap();
        }
        for f in ["z.png", "b.JPG", "a.txt", ".verborgen.png"] {
            std::fs::write(tmp.path().join(f), "x").unwrap();
        }
        let p = FilePicker::new(Kind::open(&["png", "jpg"]), tmp.path().to_str().unwrap());
        assert_eq!(p.dir(), tmp.path());
        let names: Vec<String> = p.shown().into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["Alfa", "beta", "b.JPG", "z.png"]);
        let mut all = p.clone();
        all.all_files = true;
        all.hidden = true;
        let names: Vec<String> = all.shown().into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["Alfa", "beta", ".verborgen.png", "a.txt", "b.JPG", "z.png"]);

        // Starting from a file: its folder, and for saving its name.
        let file = tmp.path().join("z.png");
        let s = FilePicker::new(Kind::save(&[]), file.to_str().unwrap());
        assert_eq!((s.dir(), s.name.as_str()), (tmp.path(), "z.png"));
        // A folder not made yet: its nearest existing parent.
        let f = FilePicker::new(Kind::Folder, tmp.path().join("nieuw/kluis").to_str().unwrap());
        assert_eq!(f.dir(), tmp.path());
    }
}
