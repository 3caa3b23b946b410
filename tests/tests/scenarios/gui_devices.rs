//! The person's own devices on Apparaten (egui_kittest, issue 19): the list
//! names each device with its short code and the day it was added, marks
//! this one, and revokes another one after a yes ("Annuleren" first changes
//! nothing); the revoked device is marked and the vault refuses what it
//! signs afterwards. A second device sees the list but cannot revoke.

use egui::accesskit::Role as A11y;
use egui_kittest::{Harness, kittest::Queryable};
use inwonercloud_app::gui::App;
use inwonercloud_schemas::{LifeDomain, PublicKey};
use inwonercloud_vault::Vault;

use super::ui::{click, go, sanne_with_a_goal, sign, unlocked, workspace};

/// The app's own handle on the open vault.
fn vault<T>(h: &Harness<'static, App>, read: impl FnOnce(&mut Vault) -> T) -> T {
    read(&mut workspace(h).vault.lock())
}

/// Sanne's laptop (the first device, "test", with one goal in her plan) and
/// her phone ("telefoon"), which holds the plan too. Returns the laptop's
/// folder, the phone's vault and key, and the plan's id.
fn laptop_and_phone(dir: &std::path::Path) -> (std::path::PathBuf, Vault, PublicKey, String) {
    let folder = dir.join("laptop");
    let mut laptop = sanne_with_a_goal(&folder);
    let plan = laptop.plan_doc();
    let mut phone = inwonercloud_tests::another_device(&mut laptop, &dir.join("telefoon"), "telefoon");
    phone.import_bundle(&laptop.bundle(&plan).unwrap(), "laptop").unwrap();
    let key = phone.device_key().public();
    (folder, phone, key, plan)
}

#[test]
fn the_own_devices_list_shows_both_devices_and_revokes_the_phone_after_a_yes() {
    let tmp = tempfile::tempdir().unwrap();
    let (folder, mut phone, phone_key, plan) = laptop_and_phone(tmp.path());
    let mut h = unlocked(&folder, None);
    go(&mut h, "Apparaten");

    // Both devices, this one marked, each with its short code and day.
    assert!(h.query_by_label("Uw apparaten").is_some());
    assert!(
        h.query_by_label("test (dit apparaat)").is_some(),
        "this device is marked"
    );
    assert!(h.query_by_label("telefoon").is_some(), "the phone is listed");
    assert!(h.query_by_label(&phone_key.short()).is_some(), "with its short code");
    assert_eq!(h.query_all_by_label("in gebruik").count(), 2);
    assert_eq!(
        h.query_all_by_role_and_label(A11y::Button, "Intrekken").count(),
        1,
        "only the other device can be revoked"
    );
    let today = inwonercloud_schemas::Date::today().show(inwonercloud_schemas::Lang::Nl);
    assert_eq!(
        h.query_all_by_label_contains(&today).count(),
        2,
        "both were added today ({today})"
    );
    let me = workspace(&h).who.identity;
    let revoked = |h: &Harness<'static, App>| vault(h, |v| v.is_device_revoked(&me, &phone_key));

    // "Annuleren" first: nothing is signed.
    click(&mut h, "Intrekken");
    assert!(workspace(&h).confirm.is_some(), "it asks first");
    assert!(
        h.query_by_label_contains("Apparaat intrekken: telefoon").is_some(),
        "the dialog names the device"
    );
    assert_eq!(
        h.query_all_by_label_contains(&phone_key.short()).count(),
        2,
        "the dialog gives the short code as the list does"
    );
    click(&mut h, "Annuleren");
    assert!(!revoked(&h), "Annuleren revokes nothing");
    assert_eq!(h.query_all_by_label("in gebruik").count(), 2);

    // Then yes.
    click(&mut h, "Intrekken");
    sign(&mut h);
    assert!(revoked(&h), "the phone is revoked in the vault");
    assert!(h.query_by_label("(!) ingetrokken").is_some(), "and marked in the list");
    assert_eq!(h.query_all_by_label("in gebruik").count(), 1);
    assert_eq!(
        h.query_all_by_role_and_label(A11y::Button, "Intrekken").count(),
        0,
        "a revoked device cannot be revoked again"
    );

    // The phone, in someone else's hands, goes on signing: the laptop
    // refuses what it signed after the revocation.
    phone
        .add_goal(&plan, LifeDomain::Wonen, "na het intrekken", None)
        .unwrap();
    let bundle = phone.bundle(&plan).unwrap();
    let goals = |h: &Harness<'static, App>| vault(h, |v| v.plan(&plan).unwrap().goals.len());
    let refused = |h: &Harness<'static, App>| vault(h, |v| v.rejections().unwrap().len());
    let before = refused(&h);
    let _ = vault(&h, |v| v.import_bundle(&bundle, "telefoon"));
    assert_eq!(goals(&h), 1, "the change the revoked phone signed is refused");
    assert!(refused(&h) > before, "and the refusal is recorded");
}

#[test]
fn a_second_device_sees_the_list_but_only_the_first_device_revokes() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, phone, _, _) = laptop_and_phone(tmp.path());
    let folder = phone.dir().to_path_buf();
    drop(phone);
    let mut h = unlocked(&folder, None);
    go(&mut h, "Apparaten");
    assert!(h.query_by_label("telefoon (dit apparaat)").is_some());
    assert!(h.query_by_label("test").is_some(), "the laptop is listed");
    assert_eq!(h.query_all_by_role_and_label(A11y::Button, "Intrekken").count(), 0);
    assert!(
        h.query_by_label_contains("Intrekken kan alleen op het eerste apparaat")
            .is_some()
    );
}
