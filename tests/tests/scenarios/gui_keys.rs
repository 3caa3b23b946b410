//! The app without a mouse (egui_kittest, issue 19): Tab and Shift+Tab move
//! through the menu, the forms and their buttons; Enter or Space presses the
//! button the keyboard is on. The demo citizen goes to Plan and adds a goal
//! with key presses only; on every role's first screen Tab reaches each
//! button of the menu; the confirmation dialog is answered with the keyboard.

use egui::Key;
use egui::accesskit::Role as A11y;
use egui_kittest::{Harness, kittest::Queryable};
use inwonercloud_app::gui::{App, Screen, i18n};
use inwonercloud_schemas::{Lang, Role};

use super::ui::{
    app, built_demo, demo_app, demo_app_as, demo_folder, no_error, remembering, sanne_has_a_phone, settle, workspace,
};

/// The role and label of the widget the keyboard is on, if any.
fn focused(h: &Harness<'static, App>) -> Option<(A11y, String)> {
    let n = h.query_by(|n| n.is_focused())?;
    let node = egui_kittest::kittest::NodeT::accesskit_node(&n);
    Some((node.role(), node.label().unwrap_or_default()))
}

/// One key press and the frames it takes to act on it.
fn press(h: &mut Harness<'static, App>, key: Key) {
    h.key_press(key);
    h.run_steps(2);
}

/// Presses Tab until the keyboard is on the widget with this role and
/// label (at most `max` times); panics with the way it went otherwise.
fn tab_to(h: &mut Harness<'static, App>, role: A11y, label: &str, max: usize) {
    let mut seen = Vec::new();
    for _ in 0..max {
        press(h, Key::Tab);
        match focused(h) {
            Some((r, l)) if r == role && l == label => return,
            other => seen.push(format!("{other:?}")),
        }
    }
    panic!("Tab never reached {role:?} {label:?}; it went: {}", seen.join(" → "));
}

/// Every menu button's label and role the keyboard lands on while pressing
/// Tab `n` times from where it is.
fn tab_walk(h: &mut Harness<'static, App>, n: usize) -> Vec<(A11y, String)> {
    let mut seen = Vec::new();
    for _ in 0..n {
        press(h, Key::Tab);
        if let Some(f) = focused(h) {
            seen.push(f);
        }
    }
    seen
}

#[test]
fn the_demo_citizen_adds_a_goal_on_plan_with_the_keyboard_only() {
    let (_tmp, demo_dir) = built_demo();
    let mut h = demo_app_as(&demo_dir, "inwoner");
    assert_eq!(workspace(&h).screen, Screen::Overview);
    let plan_doc = workspace(&h).vault.lock().plan_doc();
    let goals = |h: &Harness<'static, App>| -> Vec<String> {
        let v = workspace(h).vault.lock();
        v.plan(&plan_doc)
            .unwrap()
            .goals
            .into_iter()
            .map(|g| g.record.text)
            .collect()
    };
    let before = goals(&h);

    // From here on only keys: Tab to "Plan" in the menu, Enter.
    tab_to(&mut h, A11y::Button, "Plan", 40);
    press(&mut h, Key::Enter);
    settle(&mut h);
    assert_eq!(workspace(&h).screen, Screen::Plan, "Enter opened Plan");

    // Shift+Tab goes back the way it came: from "Plan" to "Overzicht".
    press(&mut h, Key::Tab);
    let next = focused(&h);
    h.key_press_modifiers(egui::Modifiers::SHIFT, Key::Tab);
    h.run_steps(2);
    assert_eq!(focused(&h), Some((A11y::Button, "Plan".to_string())), "after {next:?}");

    // Tab into the form, type the goal, Tab to its button, Space.
    tab_to(&mut h, A11y::TextInput, "Het doel in eigen woorden", 200);
    h.event(egui::Event::Text("Elke week zwemmen".into()));
    h.run_steps(2);
    tab_to(&mut h, A11y::Button, "Doel toevoegen", 40);
    press(&mut h, Key::Space);
    settle(&mut h);
    let after = goals(&h);
    assert_eq!(after.len(), before.len() + 1, "one goal added: {after:?}");
    assert!(after.iter().any(|g| g == "Elke week zwemmen"), "{after:?}");
    no_error(&h);
}

#[test]
fn tab_reaches_every_menu_button_on_each_roles_first_screen() {
    let (_tmp, demo_dir) = built_demo();
    let t = i18n::texts(Lang::Nl);
    for (button, role) in [
        ("inwoner", Role::Citizen),
        ("begeleider", Role::Counselor),
        ("zorgaanbieder", Role::Provider),
        ("gemeente", Role::Municipality),
    ] {
        let mut h = demo_app_as(&demo_dir, button);
        let ws = workspace(&h);
        assert_eq!(ws.who.role, role, "{button}");
        let first = ws.screen;
        let seen = tab_walk(&mut h, 40);
        for s in Screen::for_role(role) {
            assert!(
                seen.contains(&(A11y::Button, s.title(t).to_string())),
                "{role:?}: Tab never reached the menu button {:?}; it went {seen:?}",
                s.title(t)
            );
        }
        // The top bar's pickers are on the way too.
        for picker in ["Taal", "Tekstgrootte", "Kleuren"] {
            assert!(
                seen.iter().any(|(r, l)| *r == A11y::ComboBox && l == picker),
                "{role:?}: {picker} not reached: {seen:?}"
            );
        }
        assert_eq!(workspace(&h).screen, first, "Tab alone opens nothing");
    }
}

#[test]
fn a_confirmation_is_answered_with_the_keyboard() {
    let (tmp, demo_dir) = built_demo();
    let phone = sanne_has_a_phone(&demo_dir, &tmp.path().join("telefoon"));
    let mut h = demo_app_as(&demo_dir, "inwoner");
    let me = workspace(&h).who.identity;
    let revoked = |h: &Harness<'static, App>| workspace(h).vault.lock().is_device_revoked(&me, &phone);
    let asking = |h: &Harness<'static, App>| workspace(h).confirm.is_some();
    tab_to(&mut h, A11y::Button, "Apparaten", 40);
    press(&mut h, Key::Enter);
    settle(&mut h);
    tab_to(&mut h, A11y::Button, "Intrekken", 200);

    // Enter opens the dialog; the keyboard starts on "Annuleren", so a
    // second Enter signs nothing.
    press(&mut h, Key::Enter);
    settle(&mut h);
    assert!(asking(&h), "Enter on Intrekken asks first");
    assert_eq!(focused(&h), Some((A11y::Button, "Annuleren".to_string())));
    press(&mut h, Key::Enter);
    settle(&mut h);
    assert!(!asking(&h) && !revoked(&h), "Enter on Annuleren signs nothing");

    // Again, and Esc: nothing.
    tab_to(&mut h, A11y::Button, "Intrekken", 200);
    press(&mut h, Key::Space);
    settle(&mut h);
    assert!(asking(&h));
    press(&mut h, Key::Escape);
    settle(&mut h);
    assert!(!asking(&h) && !revoked(&h), "Esc signs nothing");

    // Again, Shift+Tab to "Ja, ondertekenen" and Space: revoked.
    tab_to(&mut h, A11y::Button, "Intrekken", 200);
    press(&mut h, Key::Enter);
    settle(&mut h);
    assert!(asking(&h));
    h.key_press_modifiers(egui::Modifiers::SHIFT, Key::Tab);
    h.run_steps(2);
    assert_eq!(focused(&h), Some((A11y::Button, "Ja, ondertekenen".to_string())));
    press(&mut h, Key::Space);
    settle(&mut h);
    assert!(!asking(&h));
    assert!(revoked(&h), "the yes, given with the keyboard, signs");
}

#[test]
fn a_drop_down_is_opened_and_chosen_from_with_the_keyboard() {
    let (_tmp, demo_dir) = demo_folder();
    let mut h = demo_app(&demo_dir);
    tab_to(&mut h, A11y::ComboBox, "Kleuren", 20);
    press(&mut h, Key::Enter);
    settle(&mut h);
    let mut seen = Vec::new();
    for _ in 0..10 {
        press(&mut h, Key::ArrowDown);
        seen.push(focused(&h));
        if focused(&h).is_some_and(|(_, l)| l == "Donker") {
            break;
        }
    }
    press(&mut h, Key::Enter);
    settle(&mut h);
    assert_eq!(
        h.state().theme(),
        inwonercloud_app::gui::theme::Theme::Dark,
        "went {seen:?}"
    );
}

#[test]
fn every_screen_of_each_role_opens_from_the_keyboard() {
    let (_tmp, demo_dir) = built_demo();
    let t = i18n::texts(Lang::Nl);
    for button in ["inwoner", "begeleider", "zorgaanbieder", "gemeente"] {
        let mut h = demo_app_as(&demo_dir, button);
        let role = workspace(&h).who.role;
        for &s in Screen::for_role(role) {
            tab_to(&mut h, A11y::Button, s.title(t), 40);
            press(&mut h, Key::Enter);
            settle(&mut h);
            assert_eq!(workspace(&h).screen, s, "{role:?}");
        }
    }
}

#[test]
fn ctrl_plus_and_ctrl_minus_change_the_text_size_and_it_is_remembered() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("config").join("app.json");
    let with = || remembering(tmp.path(), &file);
    let mut h = app(with());
    settle(&mut h);
    assert_eq!(h.state().zoom(), 1.0);
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Plus);
    settle(&mut h);
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Plus);
    settle(&mut h);
    assert!((h.state().zoom() - 1.2).abs() < 0.01, "{}", h.state().zoom());
    assert_eq!(
        h.get_by_role_and_label(A11y::ComboBox, "Tekstgrootte")
            .value()
            .as_deref(),
        Some("120 %")
    );
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Minus);
    settle(&mut h);
    drop(h);
    let saved = inwonercloud_app::gui::Remembered::load(&file).zoom.unwrap();
    assert!((saved - 1.1).abs() < 0.01, "{saved}");
    let h = app(with());
    assert!((h.state().zoom() - 1.1).abs() < 0.01, "remembered");
}
