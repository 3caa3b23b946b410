//! Driving the desktop app through its accessibility tree (egui_kittest):
//! the steps every GUI scenario shares.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui::accesskit::Role as A11y;
use egui_kittest::{Harness, kittest::Queryable};
use inwonercloud_app::gui::{App, Options, Workspace};
use inwonercloud_schemas::{Access, DocKind, FundingStream, Lang, LifeDomain, PublicKey, Quantity, Role, Unit};
use inwonercloud_sync::{Node, NodeConfig};
use inwonercloud_tests::{day, hand_over};
use inwonercloud_vault::{NewRequest, RequestView, Vault};
use rust_decimal::Decimal;

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

/// The `n`-th widget with this role and label, or the one when `n` is
/// `None` (then two would be an error).
fn node<'h>(h: &'h Harness<'static, App>, role: A11y, label: &'h str, n: Option<usize>) -> egui_kittest::Node<'h> {
    match n {
        None => h.get_by_role_and_label(role, label),
        Some(n) => h
            .get_all_by_role_and_label(role, label)
            .nth(n)
            .unwrap_or_else(|| panic!("no {role:?} {n} labelled {label:?}")),
    }
}

/// Puts the keyboard on a field and types `text` into it, after selecting
/// what it holds when `replace`.
fn enter(h: &mut Harness<'static, App>, role: A11y, label: &str, n: Option<usize>, replace: bool, text: &str) {
    node(h, role, label, n).focus();
    h.run_steps(1);
    if replace {
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        h.run_steps(1);
    }
    node(h, role, label, n).type_text(text);
    settle(h);
}

/// Types into the one field with this role and label.
pub(crate) fn type_in(h: &mut Harness<'static, App>, role: A11y, label: &str, text: &str) {
    enter(h, role, label, None, false, text);
}

/// Types into the one text field with this label.
pub(crate) fn type_into(h: &mut Harness<'static, App>, label: &str, text: &str) {
    type_in(h, A11y::TextInput, label, text);
}

/// Replaces the text of the one field with this label (select all, type).
pub(crate) fn replace_text(h: &mut Harness<'static, App>, label: &str, text: &str) {
    enter(h, A11y::TextInput, label, None, true, text);
}

/// Replaces what the one password field with this label holds.
pub(crate) fn replace_secret(h: &mut Harness<'static, App>, label: &str, text: &str) {
    enter(h, A11y::PasswordInput, label, None, true, text);
}

/// Types into the one password field with this label.
pub(crate) fn type_secret(h: &mut Harness<'static, App>, label: &str, text: &str) {
    type_in(h, A11y::PasswordInput, label, text);
}

/// Types into the `n`-th field labelled `label` (forms repeat per card).
pub(crate) fn type_into_nth(h: &mut Harness<'static, App>, role: A11y, label: &str, n: usize, text: &str) {
    enter(h, role, label, Some(n), false, text);
}

/// Replaces what the `n`-th text field labelled `label` holds.
pub(crate) fn replace_nth(h: &mut Harness<'static, App>, label: &str, n: usize, text: &str) {
    enter(h, A11y::TextInput, label, Some(n), true, text);
}

/// Clicks the `n`-th button with this label (cards repeat their buttons).
pub(crate) fn click_nth(h: &mut Harness<'static, App>, label: &str, n: usize) {
    node(h, A11y::Button, label, Some(n)).click();
    settle(h);
}

/// Clicks the first button with this label (the first card's).
pub(crate) fn click_first(h: &mut Harness<'static, App>, label: &str) {
    click_nth(h, label, 0);
}

/// Clicks the last button with this label (the form below the cards).
pub(crate) fn click_last(h: &mut Harness<'static, App>, label: &str) {
    h.get_all_by_role_and_label(A11y::Button, label)
        .last()
        .unwrap_or_else(|| panic!("no button labelled {label:?}"))
        .click();
    settle(h);
}

/// Clicks the one widget (a link, a section header) with this label.
pub(crate) fn click_label(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).click();
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

/// The open vault's workspace: who is signed in, the screen, the views.
pub(crate) fn workspace<'h>(h: &'h Harness<'static, App>) -> &'h Workspace {
    h.state().workspace.as_ref().expect("a vault is open")
}

/// The notice after the last action: whether it is an error, and its text.
pub(crate) fn notice(h: &Harness<'static, App>) -> (bool, String) {
    let n = workspace(h).notice.clone().unwrap();
    (n.error, n.text)
}

/// A demo vault, opened beside the app with its own handle.
pub(crate) fn open_demo(dir: &Path) -> Vault {
    Vault::open(dir, &inwonercloud_app::demo::passphrase()).unwrap()
}

/// The demo wijkbudget's dashboard as De Linde (a partner) holds it.
pub(crate) fn linde_pot(demo_dir: &Path) -> inwonercloud_vault::PotDashboard {
    let linde = open_demo(&demo_dir.join("zorgaanbieder"));
    let pot = linde.pots().pop().unwrap();
    linde.pot_dashboard(&pot).unwrap()
}

/// The app's own handle on the open vault.
pub(crate) fn vault<T>(h: &Harness<'static, App>, read: impl FnOnce(&Vault) -> T) -> T {
    read(&workspace(h).vault.lock())
}

/// Whether the confirmation dialog is open.
pub(crate) fn asking(h: &Harness<'static, App>) -> bool {
    workspace(h).confirm.is_some()
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

    for (key, closes) in [
        (egui::Key::Escape, "Esc closes the dialog"),
        (egui::Key::Enter, "Enter answers Annuleren, where the keyboard starts"),
    ] {
        press(h);
        assert!(asking(h));
        h.key_press(key);
        settle(h);
        assert!(!asking(h), "{closes}");
        assert_eq!(state(h), before, "{key:?} signs nothing");
    }

    press(h);
    sign(h);
    assert!(!asking(h));
    let after = state(h);
    assert_ne!(after, before, "the yes signs");
    after
}

/// A fresh temporary folder (keep it while the test runs) and the demo
/// world's folder in it, not built yet: the app builds it at the first
/// "Demo openen".
pub(crate) fn demo_folder() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let demo = tmp.path().join("demo");
    (tmp, demo)
}

/// A fresh temporary folder with the demo world built in it, for a test
/// to prepare the demo's vaults before the app opens them.
pub(crate) fn built_demo() -> (tempfile::TempDir, PathBuf) {
    let (tmp, demo) = demo_folder();
    inwonercloud_app::demo::build(&demo).unwrap();
    (tmp, demo)
}

/// The app on the demo world in `demo`, showing its welcome screen.
pub(crate) fn demo_app(demo: &Path) -> Harness<'static, App> {
    app_on(&demo.parent().unwrap().join("none"), None)
}

/// On the welcome screen: opens the demo as `role` ("inwoner",
/// "gemeente", "begeleider", "zorgaanbieder", "vertegenwoordiger",
/// "mantelzorger", "gezin (integraal pgb)").
pub(crate) fn open_as(h: &mut Harness<'static, App>, role: &str) {
    if role == "inwoner" {
        click(h, "Demo openen als inwoner");
    } else {
        click(h, &format!("… als {role}"));
    }
}

/// The app opened as `role` on the demo world in `demo`.
pub(crate) fn demo_app_as(demo: &Path, role: &str) -> Harness<'static, App> {
    let mut h = demo_app(demo);
    open_as(&mut h, role);
    h
}

/// The app opened as `role` on a fresh demo world: the temporary folder
/// (keep it while the test runs), the demo's folder and the app.
pub(crate) fn demo_as(role: &str) -> (tempfile::TempDir, PathBuf, Harness<'static, App>) {
    let (tmp, demo) = demo_folder();
    let h = demo_app_as(&demo, role);
    (tmp, demo, h)
}

/// The app on the vault folder `dir` (which may hold no vault yet; the
/// demo folder beside it), showing its first screen; on 127.0.0.1 when
/// `network` is given.
pub(crate) fn app_on(dir: &Path, network: Option<NodeConfig>) -> Harness<'static, App> {
    let mut h = app(options(dir, &dir.parent().unwrap().join("demo"), network));
    settle(&mut h);
    h
}

/// The app on the vault in `dir`, unlocked with the test passphrase.
pub(crate) fn unlocked(dir: &Path, network: Option<NodeConfig>) -> Harness<'static, App> {
    let mut h = app_on(dir, network);
    unlock(&mut h);
    h
}

/// Asserts the notice after the last action is no error; returns its text.
pub(crate) fn no_error(h: &Harness<'static, App>) -> String {
    let (error, text) = notice(h);
    assert!(!error, "{text}");
    text
}

/// Answers the open confirmation with "Ja, ondertekenen" and asserts the
/// app reports no error.
pub(crate) fn sign(h: &mut Harness<'static, App>) {
    click(h, "Ja, ondertekenen");
    no_error(h);
}

/// Steps the app until its network has started (at most 20 seconds).
pub(crate) fn wait_for_network(h: &mut Harness<'static, App>) {
    wait_for(h, 20, "the network to start", |a| {
        a.workspace
            .as_ref()
            .and_then(|w| w.net.as_ref())
            .is_some_and(|n| n.started.is_some())
    });
}

/// Steps the app until the claims check in the background is done and
/// shown (at most 30 seconds).
pub(crate) fn wait_for_verification(h: &mut Harness<'static, App>) {
    wait_for(h, 30, "the verification", |a| {
        a.workspace
            .as_ref()
            .is_some_and(|w| w.verifying.is_none() && w.views.claims.is_some())
    });
    settle(h);
}

/// Steps two apps until `done` holds for both, or panics after `secs`.
pub(crate) fn wait_both(
    a: &mut Harness<'static, App>,
    b: &mut Harness<'static, App>,
    secs: u64,
    what: &str,
    done: impl Fn(&App, &App) -> bool,
) {
    let start = Instant::now();
    while !done(a.state(), b.state()) {
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
        a.step();
        b.step();
    }
}

/// Under Apparaten (network started): makes a device invite and returns
/// its text.
pub(crate) fn make_device_invite(h: &mut Harness<'static, App>) -> String {
    go(h, "Apparaten");
    click(h, "Apparaat-uitnodiging maken");
    wait_for(h, 20, "the device invite", |a| {
        a.workspace.as_ref().is_some_and(|w| w.ticket.is_some())
    });
    workspace(h).ticket.clone().unwrap()
}

/// On the welcome screen, with the device invite filled in: chooses
/// `passphrase` for this device's vault (twice) and links.
pub(crate) fn link_device(h: &mut Harness<'static, App>, passphrase: &str) {
    type_secret(h, "Wachtwoord voor de kluis op dit apparaat", passphrase);
    type_secret(h, "Herhaal dat wachtwoord", passphrase);
    click(h, "Koppelen en openen");
}

/// On the welcome screen: restores the backup `file` with `secret` (its
/// passphrase or the 24 recovery words).
pub(crate) fn restore_backup(h: &mut Harness<'static, App>, file: &Path, secret: &str) {
    type_into(h, "Reservekopie (bestand)", file.to_str().unwrap());
    type_secret(h, "Wachtwoord of 24 herstelwoorden", secret);
    click(h, "Terugzetten en openen");
}

/// Which of the open vault's request cards: the municipality's inbox or
/// the citizen's own requests.
#[derive(Clone, Copy)]
pub(crate) enum Cards {
    /// The municipality's Inbox.
    Inbox,
    /// The citizen's own requests on Budget.
    Own,
}

/// Where the request `is` picks stands among the cards `keep` selects.
pub(crate) fn card(
    h: &Harness<'static, App>,
    cards: Cards,
    keep: impl Fn(&RequestView) -> bool,
    is: impl Fn(&RequestView) -> bool,
) -> usize {
    let views = &workspace(h).views;
    let list = match cards {
        Cards::Inbox => &views.inbox,
        Cards::Own => &views.requests,
    };
    list.iter()
        .filter(|r| keep(r))
        .position(is)
        .expect("the request is listed")
}

/// Where request `id` stands among the cards `keep` selects.
pub(crate) fn card_of(h: &Harness<'static, App>, cards: Cards, id: &str, keep: impl Fn(&RequestView) -> bool) -> usize {
    card(h, cards, keep, |r| r.request.record.id == id)
}

/// Where request `id` stands in the municipality's inbox.
pub(crate) fn inbox_card(h: &Harness<'static, App>, id: &str) -> usize {
    card_of(h, Cards::Inbox, id, |_| true)
}

/// On the `n`-th inbox card: writes the reasons and presses "Besluit
/// nemen" (the dialog then asks).
pub(crate) fn decide(h: &mut Harness<'static, App>, n: usize, reasons: &str) {
    type_into_nth(h, A11y::TextInput, "Motivering van het besluit", n, reasons);
    click_nth(h, "Besluit nemen", n);
}

/// Every document of the open vault with its change count and header
/// version: equal before and after means nothing was signed.
pub(crate) fn states(h: &Harness<'static, App>) -> BTreeMap<String, (u64, u64)> {
    vault(h, Vault::doc_states)
}

/// A request of Sanne's (the demo's citizen), handed to the municipality as
/// sync would; returns its id.
pub(crate) fn sanne_asks(demo: &Path, category: &str, euros: i64, motivation: &str) -> String {
    let mut sanne = open_demo(&demo.join("inwoner"));
    let mut gemeente = open_demo(&demo.join("gemeente"));
    let r = sanne
        .request_budget(NewRequest {
            stream: FundingStream::Wmo,
            category: category.into(),
            quantity: Quantity::new(Decimal::from(euros), Unit::Euro).unwrap(),
            period_start: day("2027-01-01"),
            period_end: day("2027-12-31"),
            goal_ids: vec![],
            motivation: motivation.into(),
            adjusts_account: None,
        })
        .unwrap();
    hand_over(&sanne, &mut gemeente, &sanne.budget_doc());
    r.id
}

/// Sanne's budget, from the vault at `from` to the vault at `to` (both
/// closed in the app): what a sync would carry.
pub(crate) fn carry_budget(demo: &Path, from: &str, to: &str) {
    let budget = open_demo(&demo.join("inwoner")).budget_doc();
    let a = open_demo(&demo.join(from));
    let mut b = open_demo(&demo.join(to));
    hand_over(&a, &mut b, &budget);
}

/// One request as the open app's vault sees it.
pub(crate) fn request(h: &Harness<'static, App>, id: &str) -> RequestView {
    vault(h, |v| {
        v.all_requests()
            .unwrap()
            .into_iter()
            .find(|r| r.request.record.id == id)
            .expect("the request")
    })
}

/// Sanne (a citizen) in a new vault at `dir`, with one goal in her plan:
/// "Zelfstandig wonen".
pub(crate) fn sanne_with_a_goal(dir: &Path) -> Vault {
    let mut v = inwonercloud_tests::vault(dir, "Sanne", Role::Citizen);
    let plan = v.plan_doc();
    v.add_goal(&plan, LifeDomain::Wonen, "Zelfstandig wonen", None).unwrap();
    v
}

/// A provider on 127.0.0.1 with one offering in its catalogue, and an
/// invite to that catalogue for a citizen.
pub(crate) struct Provider {
    /// Its running node.
    pub(crate) node: Node,
    /// The id of its offering.
    pub(crate) offering: String,
    /// Its identity key.
    pub(crate) identity: PublicKey,
    /// The invite's text, as it is pasted.
    pub(crate) invite: String,
}

/// Zorg De Linde in a new vault at `dir`, offering "Begeleiding thuis" at
/// € 62,50, serving on a node in `rt`.
pub(crate) fn provider_inviting(rt: &tokio::runtime::Runtime, dir: &Path) -> Provider {
    let mut zorg = inwonercloud_tests::vault(dir, "Zorg De Linde", Role::Provider);
    let offering = zorg
        .publish_offering(inwonercloud_tests::offering("Zorg De Linde", Decimal::new(6250, 2)))
        .unwrap();
    let identity = zorg.identity();
    let node = rt.block_on(Node::spawn(zorg, NodeConfig::loopback())).unwrap();
    let invite = inwonercloud_tests::invite(&node, Role::Citizen, &[DocKind::Catalogue], Access::Read).to_string();
    Provider {
        node,
        offering: offering.id,
        identity,
        invite,
    }
}

/// Steps the app until the provider's offering has arrived (at most 30
/// seconds).
pub(crate) fn wait_for_offering(h: &mut Harness<'static, App>, zorg: &Provider) {
    wait_for(h, 30, "the provider's offering to arrive", |a| {
        a.workspace
            .as_ref()
            .is_some_and(|w| w.views.offerings.iter().any(|o| o.offering.record.id == zorg.offering))
    });
}

/// Whether a request was asked for with this motivation.
pub(crate) fn asked_with(motivation: &str) -> impl Fn(&RequestView) -> bool + '_ {
    move |r| r.request.record.motivation == motivation
}

/// The request asked for with this motivation, as `v` holds it.
pub(crate) fn request_asked_with(v: &Vault, motivation: &str) -> RequestView {
    v.all_requests()
        .unwrap()
        .into_iter()
        .find(asked_with(motivation))
        .expect("the request")
}

/// A second device of Sanne's (the demo's citizen), "telefoon", with its
/// vault in `dir`; returns its device key.
pub(crate) fn sanne_has_a_phone(demo: &Path, dir: &Path) -> PublicKey {
    let mut sanne = open_demo(&demo.join("inwoner"));
    let phone = inwonercloud_tests::another_device(&mut sanne, dir, "telefoon");
    phone.device_key().public()
}

/// Options that keep the window's settings in `file` (vault and demo
/// folder in `tmp`).
pub(crate) fn remembering(tmp: &Path, file: &Path) -> Options {
    Options {
        settings: Some(file.to_path_buf()),
        ..options(&tmp.join("none"), &tmp.join("demo"), None)
    }
}

/// [`cancel_then_sign`] for the one button labelled `button`, with every
/// document of the open vault as what must stay unchanged until the yes.
pub(crate) fn asks_first(h: &mut Harness<'static, App>, button: &str, shows: &[&str]) {
    cancel_then_sign(h, |h| click(h, button), states, shows);
}
