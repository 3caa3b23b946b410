//! Files and folders chosen in the app's own picker, no path typed and no
//! terminal (egui_kittest, issue 19): the picker walks a real temporary
//! folder and picks a backup file (then the backup is restored into a
//! folder made in the picker); the claims export writes both files into a
//! picked folder; the data export writes an archive every signature of
//! which checks; an invite is read from a picture of its QR code, on the
//! welcome screen and under Delen, and the pasted-in invite joins a real
//! provider over 127.0.0.1; a device invite made in the app, saved as a QR
//! picture, links a second app from its welcome screen.

use std::path::Path;

use egui::accesskit::Role as A11y;
use egui_kittest::{Harness, kittest::Queryable};
use inwonercloud_app::gui::App;
use inwonercloud_schemas::Role;
use inwonercloud_sync::NodeConfig;

use super::ui::{
    app_on, click, click_nth, demo_app_as, go, link_device, make_device_invite, no_error, notice, provider_inviting,
    replace_text, sanne_with_a_goal, settle, type_into, type_secret, unlocked, wait_both, wait_for_network,
    wait_for_offering, wait_for_verification, workspace,
};

/// Whether the picker is open.
fn picking(h: &Harness<'static, App>) -> bool {
    h.query_by_label("Annuleren").is_some() && h.query_by_label("Ga naar").is_some()
}

/// Opens the picker with `button`, goes to `dir` and chooses the file `name`.
fn pick_file(h: &mut Harness<'static, App>, button: &str, dir: &Path, name: &str) {
    click(h, button);
    picker_go(h, dir);
    click(h, name);
    click(h, "Dit bestand kiezen");
}

/// In the open picker: shows `dir` by typing it in the path field.
fn picker_go(h: &mut Harness<'static, App>, dir: &Path) {
    assert!(picking(h), "the picker is open");
    replace_text(h, "Map of bestand", dir.to_str().unwrap());
    click(h, "Ga naar");
}

#[test]
fn the_picker_walks_a_folder_picks_a_backup_and_restores_it_into_a_folder_made_there() {
    let tmp = tempfile::tempdir().unwrap();
    let usb = tmp.path().join("usb");
    std::fs::create_dir_all(usb.join("foto's")).unwrap();
    std::fs::write(usb.join("notitie.txt"), "boodschappen").unwrap();
    let identity = {
        let v = inwonercloud_tests::vault(&tmp.path().join("oud"), "Sanne", Role::Citizen);
        v.backup(&usb.join("kopie.bak"), &inwonercloud_tests::pass()).unwrap();
        v.identity()
    };
    let mut h = app_on(&tmp.path().join("niet-gebruikt"), None);

    // Annuleren leaves the field as it was.
    click(&mut h, "Kiezen voor Reservekopie (bestand)");
    assert!(picking(&h));
    click(&mut h, "Annuleren");
    assert!(!picking(&h), "Annuleren closes the picker");
    click(&mut h, "Kiezen voor Reservekopie (bestand)");
    h.key_press(egui::Key::Escape);
    settle(&mut h);
    assert!(!picking(&h), "so does Esc");
    assert_eq!(h.state().welcome.backup_file, "");

    click(&mut h, "Kiezen voor Reservekopie (bestand)");
    picker_go(&mut h, tmp.path());
    assert!(h.query_by_label("usb").is_some(), "the folder is listed");
    click(&mut h, "usb");
    // Folders first; only backups are listed, the note is not.
    assert!(h.query_by_label("foto's").is_some());
    assert!(h.query_by_label("kopie.bak").is_some());
    assert!(h.query_by_label("notitie.txt").is_none(), "other types are left out");
    h.get_by_role_and_label(A11y::CheckBox, "Alle bestanden tonen").click();
    settle(&mut h);
    assert!(h.query_by_label("notitie.txt").is_some(), "until asked for");
    // Choosing before a file is selected says so and chooses nothing.
    click(&mut h, "Dit bestand kiezen");
    assert!(h.query_by_label_contains("Kies eerst een bestand").is_some());
    click(&mut h, "kopie.bak");
    click(&mut h, "Dit bestand kiezen");
    assert!(!picking(&h));
    assert_eq!(
        Path::new(&h.state().welcome.backup_file),
        usb.join("kopie.bak"),
        "the field holds the picked file"
    );

    // The vault folder: a new folder made in the picker (the restore
    // card's field is the third "Map van de kluis" on the screen).
    click_nth(&mut h, "Kiezen voor Map van de kluis", 2);
    picker_go(&mut h, tmp.path());
    click(&mut h, "Omhoog");
    assert!(
        h.query_by_label_contains(&format!("U kijkt nu in: {}", tmp.path().parent().unwrap().display()))
            .is_some(),
        "Omhoog shows the folder above"
    );
    picker_go(&mut h, tmp.path());
    type_into(&mut h, "Naam van een nieuwe map", "nieuwe-laptop");
    click(&mut h, "Map maken");
    assert!(tmp.path().join("nieuwe-laptop").is_dir(), "the folder is made");
    click(&mut h, "Deze map kiezen");
    let new_dir = tmp.path().join("nieuwe-laptop");
    assert_eq!(Path::new(&h.state().welcome.dir), new_dir);

    type_secret(
        &mut h,
        "Wachtwoord of 24 herstelwoorden",
        inwonercloud_tests::PASSPHRASE,
    );
    click(&mut h, "Terugzetten en openen");
    let ws = h.state().workspace.as_ref().expect("the restored vault is open");
    assert_eq!(ws.who.identity, identity, "the same person, from the picked file");
    assert_eq!(Path::new(&ws.who.vault), new_dir, "in the picked folder");
}

#[test]
fn the_claims_export_writes_both_files_into_a_picked_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("export");
    std::fs::create_dir_all(&out).unwrap();
    let mut h = demo_app_as(&tmp.path().join("demo"), "gemeente");
    go(&mut h, "Verificatie");
    wait_for_verification(&mut h);
    click(&mut h, "Exporteren (bestanden voor de computer en voor Excel)");
    // A typed folder counts without "Ga naar" first.
    assert!(picking(&h));
    replace_text(&mut h, "Map of bestand", out.to_str().unwrap());
    click(&mut h, "Deze map kiezen");
    let text = no_error(&h);
    assert!(text.contains(&out.display().to_string()), "says where: {text}");
    let claims = workspace(&h).views.claims.clone().unwrap();

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("declaraties.json")).unwrap()).unwrap();
    assert!(json.is_object() || json.is_array(), "{json}");
    let csv = std::fs::read_to_string(out.join("verificatie.csv")).unwrap();
    assert!(csv.starts_with('\u{FEFF}'), "Excel reads it as UTF-8");
    let mut lines = csv.lines();
    assert!(
        lines.next().unwrap().contains("declaratie;soort;"),
        "Dutch headers, `;`"
    );
    assert_eq!(lines.count(), claims.claims.len(), "one line per claim");
    // Nothing is written into the vault's own folder any more.
    let vault = tmp.path().join("demo").join("gemeente");
    assert!(!vault.join("declaraties.json").exists());
}

#[test]
fn the_data_export_writes_an_archive_whose_every_signature_checks() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sanne");
    drop(sanne_with_a_goal(&dir));
    let out = tmp.path().join("usb");
    std::fs::create_dir_all(&out).unwrap();
    let mut h = unlocked(&dir, None);
    go(&mut h, "Apparaten");
    click(&mut h, "Exporteren naar een bestand…");
    picker_go(&mut h, &out);
    assert_eq!(
        h.get_by_role_and_label(A11y::TextInput, "Bestandsnaam")
            .value()
            .as_deref(),
        Some("inwonercloud-archief.json"),
        "a name is suggested"
    );
    replace_text(&mut h, "Bestandsnaam", "archief.json");
    click(&mut h, "Hier opslaan");
    let text = no_error(&h);
    let file = out.join("archief.json");
    assert!(text.contains(&file.display().to_string()), "says where: {text}");
    assert!(text.contains("ondertekeningen kloppen"), "says it is checked: {text}");

    // What `inwonercloud verify-export` checks.
    let e: inwonercloud_vault::export::Export = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let check = inwonercloud_vault::export::verify_export(&e);
    assert!(check.invalid.is_empty(), "{check:?}");
    assert!(check.valid > 1, "{check:?}");
    assert!(
        e.documents
            .iter()
            .flat_map(|d| &d.records)
            .any(|r| r.signed.to_string().contains("Zelfstandig wonen")),
        "with her plan"
    );
    assert!(
        text.contains(&format!("{} documenten", e.documents.len())),
        "says what it holds: {text}"
    );

    // Saving over it again: the picker warns it will be overwritten.
    click(&mut h, "Exporteren naar een bestand…");
    picker_go(&mut h, &out);
    click(&mut h, "archief.json");
    assert!(h.query_by_label_contains("wordt overschreven").is_some());
    click(&mut h, "Annuleren");
}

#[test]
fn an_invite_is_read_from_a_qr_picture_and_joins_a_real_provider() {
    let tmp = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let zorg = provider_inviting(&rt, &tmp.path().join("zorg"));
    let ticket = zorg.invite.clone();
    let pictures = tmp.path().join("afbeeldingen");
    std::fs::create_dir_all(&pictures).unwrap();
    inwonercloud_app::gui::files::qr_image(&ticket, 4)
        .expect("the invite fits in a QR code")
        .save(pictures.join("uitnodiging.png"))
        .unwrap();
    image::GrayImage::from_pixel(300, 300, image::Luma([255]))
        .save(pictures.join("leeg.png"))
        .unwrap();

    // The welcome screen's device card reads a picture too.
    let mut w = app_on(&tmp.path().join("nieuw"), None);
    pick_file(&mut w, "Afbeelding met QR-code kiezen", &pictures, "uitnodiging.png");
    assert_eq!(
        w.state().welcome.device_ticket,
        ticket,
        "the decoded text is the invite"
    );
    drop(w);

    let citizen = tmp.path().join("sanne");
    drop(inwonercloud_tests::vault(&citizen, "Sanne", Role::Citizen));
    let mut h = unlocked(&citizen, Some(NodeConfig::loopback()));
    go(&mut h, "Delen");

    // A picture without a QR code: a Dutch error, the field stays empty.
    pick_file(&mut h, "Afbeelding met QR-code kiezen", &pictures, "leeg.png");
    let (error, text) = notice(&h);
    assert!(error && text.contains("geen QR-code"), "{text}");
    assert!(workspace(&h).forms.join_ticket.is_empty());

    pick_file(&mut h, "Afbeelding met QR-code kiezen", &pictures, "uitnodiging.png");
    assert_eq!(workspace(&h).forms.join_ticket, ticket);
    click(&mut h, "Verbinden");
    wait_for_offering(&mut h, &zorg);
    let ws = workspace(&h);
    assert!(
        ws.views.peers.iter().any(|p| p.identity == zorg.identity),
        "joined the provider"
    );
    drop(h);
    rt.block_on(zorg.node.shutdown());
}

#[test]
fn a_device_invite_saved_as_a_qr_picture_links_a_second_app_from_its_welcome_screen() {
    let tmp = tempfile::tempdir().unwrap();
    let laptop = tmp.path().join("laptop");
    let identity = inwonercloud_tests::vault(&laptop, "Sanne", Role::Citizen).identity();
    let mut first = unlocked(&laptop, Some(NodeConfig::loopback()));
    wait_for_network(&mut first);
    let ticket = make_device_invite(&mut first);
    let usb = tmp.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    click(&mut first, "QR-code opslaan als afbeelding…");
    picker_go(&mut first, &usb);
    click(&mut first, "Hier opslaan");
    let text = no_error(&first);
    assert!(usb.join("uitnodiging.png").is_file(), "{text}");

    let phone = tmp.path().join("telefoon");
    let mut second = app_on(&phone, Some(NodeConfig::loopback()));
    pick_file(&mut second, "Afbeelding met QR-code kiezen", &usb, "uitnodiging.png");
    assert_eq!(second.state().welcome.device_ticket, ticket, "read from the picture");
    link_device(&mut second, "telefoon-wachtwoord");
    wait_both(&mut first, &mut second, 30, "the phone to be linked", |_, b| {
        b.workspace.as_ref().is_some_and(|w| w.who.identity == identity)
    });
    assert_ne!(
        workspace(&second).who.device,
        workspace(&first).who.device,
        "the phone has a key of its own"
    );
}
