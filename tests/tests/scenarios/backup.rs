//! Backups, the recovery phrase, and a lost laptop: restore on a new
//! machine, revoke the old device, and peers refuse it from then on.

use inwonercloud_schemas::{Access, DocKind, LifeDomain, Role};
use inwonercloud_sync::{Node, NodeConfig};
use inwonercloud_tests::{PASSPHRASE, day, eur, euro_account, invite, node, pass, sync, vault};
use inwonercloud_vault::backup::{BackupSecret, MAGIC};
use inwonercloud_vault::{CreateOptions, Passphrase, Vault, VaultError};

fn goals(n: &Node, plan: &str) -> Vec<String> {
    n.with_vault(|v| v.plan(plan).unwrap().goals.into_iter().map(|g| g.record.text).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_laptop_is_restored_from_backup_and_revoked_at_the_peers() {
    let tmp = tempfile::tempdir().unwrap();
    let old_dir = tmp.path().join("laptop");
    let anna = node(&old_dir, "Anna", Role::Citizen).await;
    let bert = node(&tmp.path().join("bert"), "Bert", Role::Counselor).await;
    let plan = anna.with_vault(|v| v.plan_doc());
    anna.with_vault(|v| {
        v.add_goal(&plan, LifeDomain::Wonen, "voor de reservekopie", None)
            .unwrap()
    });
    let ticket = invite(&anna, Role::Counselor, &[DocKind::Plan], Access::Write);
    bert.join(&ticket).await.unwrap();

    // The backup: one file, nothing readable in it.
    let file = tmp.path().join("anna.backup");
    let size = anna.with_vault(|v| v.backup(&file, &pass())).unwrap();
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(bytes.len() as u64, size);
    assert!(bytes.starts_with(MAGIC));
    for text in ["voor de reservekopie", "Anna", "Bert"] {
        assert!(
            !bytes.windows(text.len()).any(|w| w == text.as_bytes()),
            "{text:?} is readable in the backup"
        );
    }
    // A wrong passphrase cannot make a backup either.
    let refused = anna.with_vault(|v| v.backup(&tmp.path().join("x"), &Passphrase::new("niet het goede")));
    assert!(matches!(refused, Err(VaultError::WrongPassphrase)));

    // After the backup Anna writes more; Bert gets it.
    anna.with_vault(|v| {
        v.add_goal(&plan, LifeDomain::Wonen, "na de reservekopie", None)
            .unwrap()
    });
    sync(&anna, &bert).await;
    assert_eq!(goals(&bert, &plan).len(), 2);
    let old_device = anna.with_vault(|v| v.device_key().public());
    anna.shutdown().await;
    drop(anna);

    // The laptop is lost. On a new machine: restore with the passphrase.
    let new_dir = tmp.path().join("nieuwe-laptop");
    assert!(matches!(
        Vault::restore(
            &file,
            &new_dir,
            &BackupSecret::Passphrase(Passphrase::new("vergeten")),
            None,
            "nieuw"
        ),
        Err(VaultError::WrongPassphrase)
    ));
    assert!(!Vault::exists(&new_dir), "a failed restore leaves nothing behind");
    let (restored, report) = Vault::restore(
        &file,
        &new_dir,
        &BackupSecret::Passphrase(pass()),
        None,
        "nieuwe laptop",
    )
    .unwrap();
    assert_eq!(report.old_device, old_device);
    assert_ne!(
        report.device, old_device,
        "a restored vault never reuses the old device key"
    );
    assert!(
        !report.needs_link,
        "the identity key in the backup certifies the new device"
    );
    assert!(!restored.is_unlinked());
    assert_eq!(restored.plan(&plan).unwrap().goals.len(), 1, "the backup's state");
    drop(restored);
    let restored = Node::spawn(Vault::open(&new_dir, &pass()).unwrap(), NodeConfig::loopback())
        .await
        .unwrap();

    // The restored device syncs with Bert and gets back what Anna wrote
    // after the backup; then she revokes the lost laptop and Bert learns it.
    sync(&restored, &bert).await;
    let mut have = goals(&restored, &plan);
    have.sort();
    assert_eq!(have, ["na de reservekopie", "voor de reservekopie"]);
    let n = restored.with_vault(|v| v.revoke_device(old_device)).unwrap();
    assert!(n >= 4, "every document Anna owns: {n}");
    sync(&restored, &bert).await;
    assert!(bert.with_vault(|v| v.is_device_revoked(&v.plan(&plan).unwrap().goals[0].author, &old_device)));

    // The lost laptop turns up with someone who knows the passphrase: it
    // writes and tries to sync. Bert refuses the session; nothing arrives.
    let thief = Node::spawn(Vault::open(&old_dir, &pass()).unwrap(), NodeConfig::loopback())
        .await
        .unwrap();
    thief.with_vault(|v| v.add_goal(&plan, LifeDomain::Wonen, "van de dief", None).unwrap());
    let err = thief.sync_once(bert.endpoint_addr()).await.unwrap_err().to_string();
    assert!(err.contains("revoked"), "{err}");
    assert!(!goals(&bert, &plan).iter().any(|g| g == "van de dief"));
    // Even handed over directly, its new change is refused by the header.
    let bundle = thief.with_vault(|v| v.bundle(&plan).unwrap());
    let header = bert.with_vault(|v| v.bundle(&plan).unwrap().header);
    let certs = bundle.devices.clone();
    let changes: Vec<_> = thief.with_vault(|v| v.signed_changes(&plan).unwrap());
    let refused = bert.with_vault(|v| v.import_changes(&header, &certs, &changes, "dief"));
    assert!(refused.is_err(), "a revoked device's later change is refused");

    // The restored device writes as Anna, and Bert accepts it.
    restored.with_vault(|v| {
        v.add_goal(&plan, LifeDomain::Gezondheid, "weer aan het werk", None)
            .unwrap()
    });
    sync(&restored, &bert).await;
    assert!(goals(&bert, &plan).iter().any(|g| g == "weer aan het werk"));
    assert!(
        goals(&bert, &plan).len() == 3,
        "before + after the backup + the restored device's goal: {:?}",
        goals(&bert, &plan)
    );
}

#[test]
fn the_recovery_phrase_restores_a_backup_when_the_passphrase_is_forgotten() {
    let tmp = tempfile::tempdir().unwrap();
    let mut v = vault(&tmp.path().join("v"), "Anna", Role::Citizen);
    let account = euro_account(&mut v, "pgb", inwonercloud_schemas::FundingStream::Wmo);
    let budget = v.budget_doc();
    v.top_up(&budget, &account, eur(98_765), day("2026-03-01"), "").unwrap();
    let words = v.recovery_phrase().unwrap().to_string();
    assert_eq!(words.split(' ').count(), 24);
    let file = tmp.path().join("b");
    v.backup(&file, &pass()).unwrap();
    let identity = v.identity();

    // Someone else's phrase does not open it; a typo is named as such.
    let other = vault(&tmp.path().join("o"), "Other", Role::Citizen);
    let wrong = other.recovery_phrase().unwrap().to_string();
    let dir = tmp.path().join("r");
    let secret = |w: &str| BackupSecret::RecoveryPhrase(w.to_string());
    let new = Passphrase::new("een nieuw wachtwoord");
    assert!(matches!(
        Vault::restore(&file, &dir, &secret(&wrong), Some(&new), ""),
        Err(VaultError::WrongPassphrase)
    ));
    let typo = words.replacen(words.split(' ').next().unwrap(), "zzzz", 1);
    let err = Vault::restore(&file, &dir, &secret(&typo), Some(&new), "").unwrap_err();
    assert!(err.to_string().contains("recovery phrase"), "{err}");
    // The phrase needs a new passphrase to go with it.
    assert!(matches!(
        Vault::restore(&file, &dir, &secret(&words), None, ""),
        Err(VaultError::PassphraseNeeded)
    ));
    let (r, _) = Vault::restore(&file, &dir, &secret(&words), Some(&new), "").unwrap();
    assert_eq!(r.identity(), identity);
    assert_eq!(
        r.budget(&budget).unwrap().report.accounts[&account].topped_up,
        eur(98_765)
    );
    drop(r);
    assert!(matches!(Vault::open(&dir, &pass()), Err(VaultError::WrongPassphrase)));
    assert!(Vault::open(&dir, &new).is_ok());

    // With no backup at all, the phrase brings back the identity.
    let again = Vault::recover(
        &tmp.path().join("recovered"),
        &words,
        CreateOptions {
            name: "Anna".into(),
            role: Role::Citizen,
            device_name: "telefoon".into(),
            passphrase: Passphrase::new(PASSPHRASE),
        },
    )
    .unwrap();
    assert_eq!(again.identity(), identity);
    assert!(again.holds_identity_key());
}

/// A device ticket from `first` (which holds the identity key).
fn device_ticket(first: &Node) -> inwonercloud_sync::Ticket {
    first
        .invite(
            inwonercloud_vault::InviteSpec {
                role: Role::Citizen,
                documents: vec![],
                access: Access::Write,
                valid_until: None,
                purpose: "mijn telefoon".into(),
                name_hint: "telefoon".into(),
                device: true,
            },
            600,
        )
        .unwrap()
}

/// Issue 14, defect 6. A second device holds no identity key, so it cannot
/// certify a new key for itself; restoring its backup used to keep the
/// backed-up device secret. Now the restored vault gets a fresh device key
/// and waits, unlinked, until the first device links it again; nothing of
/// the backup is lost, and the old key never signs again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_devices_backup_is_restored_with_a_new_device_key_and_linked_again() {
    let tmp = tempfile::tempdir().unwrap();
    let laptop = node(&tmp.path().join("laptop"), "Anna", Role::Citizen).await;
    let phone_dir = tmp.path().join("telefoon");
    let phone = Node::spawn(
        Vault::create_unlinked(&phone_dir, "telefoon", &pass()).unwrap(),
        NodeConfig::loopback(),
    )
    .await
    .unwrap();
    phone.join(&device_ticket(&laptop)).await.unwrap();
    let (identity, plan) = laptop.with_vault(|v| (v.identity(), v.plan_doc()));
    assert_eq!(phone.with_vault(|v| v.identity()), identity);
    assert!(!phone.with_vault(|v| v.holds_identity_key()));

    // The phone writes something the laptop never sees, then backs up.
    phone.with_vault(|v| {
        v.add_goal(&plan, LifeDomain::WerkEnInkomen, "alleen op de telefoon", None)
            .unwrap()
    });
    let file = tmp.path().join("telefoon.backup");
    phone.with_vault(|v| v.backup(&file, &pass())).unwrap();
    let old_device = phone.with_vault(|v| v.device_key().public());
    phone.shutdown().await;
    drop(phone);

    // The phone is lost; its backup is restored on a new phone.
    let new_dir = tmp.path().join("nieuwe-telefoon");
    let (restored, report) = Vault::restore(
        &file,
        &new_dir,
        &BackupSecret::Passphrase(pass()),
        None,
        "nieuwe telefoon",
    )
    .unwrap();
    assert_eq!(report.old_device, old_device);
    assert_ne!(
        report.device, old_device,
        "a restored vault never reuses the old device key"
    );
    assert_eq!(restored.device_key().public(), report.device);
    assert!(report.needs_link, "only the first device can certify the new key");
    assert!(restored.is_unlinked());
    assert!(!restored.holds_identity_key());
    assert_eq!(
        goals_of(&restored, &plan),
        ["alleen op de telefoon"],
        "nothing of the backup is lost"
    );
    drop(restored);
    // Reopened, it is still the new key and still waits for its link.
    let restored = Vault::open(&new_dir, &pass()).unwrap();
    assert_eq!(restored.device_key().public(), report.device);
    assert!(restored.is_unlinked());
    let restored = Node::spawn(restored, NodeConfig::loopback()).await.unwrap();

    // The first device links it again; the phone-only goal reaches the laptop.
    restored.join(&device_ticket(&laptop)).await.unwrap();
    sync(&restored, &laptop).await;
    assert!(!restored.with_vault(|v| v.is_unlinked()));
    assert_eq!(restored.with_vault(|v| v.identity()), identity);
    assert_eq!(
        restored.with_vault(|v| v.device_certificate().certificate.device),
        report.device
    );
    assert!(goals(&laptop, &plan).iter().any(|g| g == "alleen op de telefoon"));

    // The laptop revokes the lost phone; the new phone writes, signed by its
    // new key, and the laptop accepts it.
    laptop.with_vault(|v| v.revoke_device(old_device)).unwrap();
    let by_old = |n: &Node| {
        n.with_vault(|v| {
            v.signed_changes(&plan)
                .unwrap()
                .iter()
                .filter(|c| c.signer == old_device)
                .count()
        })
    };
    let old_changes = by_old(&restored);
    restored.with_vault(|v| {
        v.add_goal(&plan, LifeDomain::Gezondheid, "van de nieuwe telefoon", None)
            .unwrap()
    });
    sync(&restored, &laptop).await;
    let placed = laptop.with_vault(|v| {
        v.plan(&plan)
            .unwrap()
            .goals
            .into_iter()
            .find(|g| g.record.text == "van de nieuwe telefoon")
            .and_then(|g| g.placed_by)
    });
    assert_eq!(placed, Some(report.device));
    assert_eq!(by_old(&restored), old_changes, "the old device key signs nothing new");
    assert_eq!(by_old(&laptop), old_changes);

    // The lost phone, if it turns up, is refused by the laptop.
    let thief = Node::spawn(Vault::open(&phone_dir, &pass()).unwrap(), NodeConfig::loopback())
        .await
        .unwrap();
    let err = thief.sync_once(laptop.endpoint_addr()).await.unwrap_err().to_string();
    assert!(err.contains("revoked"), "{err}");
}

fn goals_of(v: &Vault, plan: &str) -> Vec<String> {
    v.plan(plan).unwrap().goals.into_iter().map(|g| g.record.text).collect()
}
