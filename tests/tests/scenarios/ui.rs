//! Driving the desktop app through its accessibility tree (egui_kittest):
//! the steps every GUI scenario shares.

use std::path::Path;
use std::time::{Duration, Instant};

use egui::accesskit::Role as A11y;
use egui_kittest::{Harness, kittest::Queryable};
use inwonercloud_app::gui::{App, Options};
use inwonercloud_schemas::Lang;
use inwonercloud_sync::NodeConfig;
use inwonercloud_vault::Vault;

/// Dutch, no saved settings, this vault and demo folder, and a network
/// when one is given.
pub(crate) fn options(vault: &Path, demo: &Path, network: Option<NodeConfig>) -> Options {
    Options {
        vault: vault.to_path_buf(),
        demo_dir: demo.to_path_buf(),
        lang: Lang::Nl,
        network,
        screen: None,
        zoom: 1.0,
        theme: None,
        settings: None,
    }
}

/// The real app in a window tall enough that every form is on screen:
/// clicks land at a widget's centre.
pub(crate) fn app(o: Options) -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1300.0, 3600.0))
        .build_eframe(move |cc| App::new(&cc.egui_ctx, o))
}

/// A few frames, for clicks and loads to take effect.
pub(crate) fn settle(h: &mut Harness<'static, App>) {
    h.run_steps(4);
}

/// Clicks the one button with this label.
pub(crate) fn click(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_role_and_label(A11y::Button, label).click();
    settle(h);
}

/// Types into the one field with this role and label.
pub(crate) fn type_in(h: &mut Harness<'static, App>, role: A11y, label: &str, text: &str) {
    h.get_by_role_and_label(role, label).focus();
    h.run_steps(1);
    h.get_by_role_and_label(role, label).type_text(text);
    settle(h);
}

/// Types into the one text field with this label.
pub(crate) fn type_into(h: &mut Harness<'static, App>, label: &str, text: &str) {
    type_in(h, A11y::TextInput, label, text);
}

/// Replaces the text of the one field with this label (select all, type).
pub(crate) fn replace_text(h: &mut Harness<'static, App>, label: &str, text: &str) {
    h.get_by_role_and_label(A11y::TextInput, label).focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    h.get_by_role_and_label(A11y::TextInput, label).type_text(text);
    settle(h);
}

/// Types into the one password field with this label.
pub(crate) fn type_secret(h: &mut Harness<'static, App>, label: &str, text: &str) {
    type_in(h, A11y::PasswordInput, label, text);
}

/// Types into the `n`-th field labelled `label` (forms repeat per card).
pub(crate) fn type_into_nth(h: &mut Harness<'static, App>, role: A11y, label: &str, n: usize, text: &str) {
    h.get_all_by_role_and_label(role, label).nth(n).unwrap().focus();
    h.run_steps(1);
    h.get_all_by_role_and_label(role, label).nth(n).unwrap().type_text(text);
    settle(h);
}

/// Picks `option` in the one drop-down (e.g. a category picker) labelled `label`.
pub(crate) fn pick(h: &mut Harness<'static, App>, label: &str, option: &str) {
    h.get_by_role_and_label(A11y::ComboBox, label).click();
    settle(h);
    // The open list is drawn last, above the screen that may show the same name.
    h.get_all_by_label(option).last().unwrap().click();
    settle(h);
}

/// Picks a day in the calendar beside the date field labelled `field`:
/// opens it, steps `months` months on (back when negative), and clicks
/// the day read out as `day` ("15 december 2026").
pub(crate) fn pick_date(h: &mut Harness<'static, App>, field: &str, months: i32, day: &str) {
    h.get_by_role_and_label(A11y::Button, &format!("Kalender voor {field}"))
        .click();
    settle(h);
    for _ in 0..months.unsigned_abs() {
        click(h, if months > 0 { "Volgende maand" } else { "Vorige maand" });
    }
    click(h, day);
}

/// Types the test passphrase into the unlock screen.
pub(crate) fn unlock(h: &mut Harness<'static, App>) {
    assert!(h.state().locked.is_some(), "the unlock screen shows");
    type_secret(h, "Wachtwoord", inwonercloud_tests::PASSPHRASE);
    click(h, "Ontgrendelen");
    assert!(h.state().workspace.is_some(), "unlocked");
}

/// Goes to a screen by its menu button.
pub(crate) fn go(h: &mut Harness<'static, App>, screen: &str) {
    click(h, screen);
}

/// Steps the app until `done` holds, or panics after `secs` seconds.
pub(crate) fn wait_for(h: &mut Harness<'static, App>, secs: u64, what: &str, done: impl Fn(&App) -> bool) {
    let start = Instant::now();
    while !done(h.state()) {
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
        h.step();
    }
}

/// The notice after the last action: whether it is an error, and its text.
pub(crate) fn notice(h: &Harness<'static, App>) -> (bool, String) {
    let n = h.state().workspace.as_ref().unwrap().notice.clone().unwrap();
    (n.error, n.text)
}

/// A demo vault, opened beside the app with its own handle.
pub(crate) fn open_demo(dir: &Path) -> Vault {
    Vault::open(dir, &inwonercloud_app::demo::passphrase()).unwrap()
}

/// The app's own handle on the open vault.
pub(crate) fn vault<T>(h: &Harness<'static, App>, read: impl FnOnce(&Vault) -> T) -> T {
    read(&h.state().workspace.as_ref().unwrap().vault.lock())
}

/// Whether the confirmation dialog is open.
pub(crate) fn asking(h: &Harness<'static, App>) -> bool {
    h.state().workspace.as_ref().unwrap().confirm.is_some()
}

/// Presses the step's button (`press`) four times: "Annuleren", Esc and
/// Enter each close the dialog with `state` (read from the vault)
/// unchanged; "Ja, ondertekenen" signs, after which `state` differs.
/// Before the first answer the dialog must show every text in `shows`.
pub(crate) fn cancel_then_sign<T: PartialEq + std::fmt::Debug>(
    h: &mut Harness<'static, App>,
    press: impl Fn(&mut Harness<'static, App>),
    state: impl Fn(&Harness<'static, App>) -> T,
    shows: &[&str],
) -> T {
    let before = state(h);
    press(h);
    assert!(asking(h), "the button asks first");
    assert!(h.query_by_label("Bevestigen en ondertekenen").is_some());
    for text in shows {
        assert!(h.query_by_label_contains(text).is_some(), "the dialog shows {text:?}");
    }
    assert_eq!(state(h), before, "nothing is signed before the yes");
    click(h, "Annuleren");
    assert!(!asking(h), "Annuleren closes the dialog");
    assert_eq!(state(h), before, "Annuleren signs nothing");

    press(h);
    assert!(asking(h));
    h.key_press(egui::Key::Escape);
    settle(h);
    assert!(!asking(h), "Esc closes the dialog");
    assert_eq!(state(h), before, "Esc signs nothing");

    press(h);
    assert!(asking(h));
    h.key_press(egui::Key::Enter);
    settle(h);
    assert!(!asking(h), "Enter answers Annuleren, where the keyboard starts");
    assert_eq!(state(h), before, "Enter signs nothing");

    press(h);
    click(h, "Ja, ondertekenen");
    let (error, text) = notice(h);
    assert!(!error, "{text}");
    assert!(!asking(h));
    let after = state(h);
    assert_ne!(after, before, "the yes signs");
    after
}
