//! The file at rest (encrypted, tamper-evident) and changes from keys that may not write.

use automerge::Change;
use inwonercloud_schemas::{FundingStream, LifeDomain, Role};
use inwonercloud_tests::{change_on_top, day, eur, euro_account, flip_in_file, goal_change, pass, vault};
use inwonercloud_vault::DB_FILE;
use inwonercloud_vault::refusal::{Limit, Refusal};
use inwonercloud_vault::store::CHANGES;
use inwonercloud_vault::{Passphrase, SignedChange, Vault, VaultError};
use redb::ReadableDatabase;

/// The sealed bytes of one change row, read from the file without the key
/// (what an attacker holding the file sees).
fn sealed_row(file: &std::path::Path, doc: &str, row: u64) -> Vec<u8> {
    let db = redb::Database::open(file).unwrap();
    let r = db.begin_read().unwrap();
    let t = r.open_table(CHANGES).unwrap();
    t.get((doc, row)).unwrap().unwrap().value().to_vec()
}

#[test]
fn flipping_one_byte_of_a_stored_change_names_the_change() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("v");
    let mut v = vault(&dir, "Anna", Role::Citizen);
    let plan = v.plan_doc();
    v.add_goal(&plan, LifeDomain::Wonen, "eerste doel", None).unwrap();
    v.add_goal(&plan, LifeDomain::Wonen, "tweede doel", None).unwrap();
    let victim = v.signed_changes(&plan).unwrap()[1].clone();
    let hash = Change::from_bytes(victim.bytes.clone()).unwrap().hash().to_string();
    drop(v);

    let file = dir.join(DB_FILE);
    let sealed = sealed_row(&file, &plan, 1);
    for offset in [30, sealed.len() / 2, sealed.len() - 3] {
        let n = flip_in_file(&file, &sealed, offset);
        assert_eq!(n, 1, "the sealed row is in the file once");
        let err = Vault::open(&dir, &pass()).unwrap_err();
        match &err {
            VaultError::TamperedChange { doc, seq, hash: h, .. } => {
                assert_eq!(doc, &plan);
                assert_eq!(*seq, 1);
                assert_eq!(h, &hash);
            }
            other => panic!("expected a tampered-change error, got {other}"),
        }
        let text = err.to_string();
        assert!(text.contains(&hash) && text.contains("backup"), "{text}");
        // Flip it back: the vault opens again, nothing else was harmed.
        let mut bad = sealed.clone();
        bad[offset] ^= 0x01;
        flip_in_file(&file, &bad, offset);
        assert_eq!(Vault::open(&dir, &pass()).unwrap().plan(&plan).unwrap().goals.len(), 2);
    }
}

#[test]
fn a_change_moved_to_another_row_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("v");
    let mut v = vault(&dir, "Anna", Role::Citizen);
    let plan = v.plan_doc();
    v.add_goal(&plan, LifeDomain::Gezondheid, "elke dag wandelen", None)
        .unwrap();
    v.add_goal(&plan, LifeDomain::Gezondheid, "zwemmen", None).unwrap();
    drop(v);
    // Swap two sealed rows: each is intact, but bound to its own row.
    let file = dir.join(DB_FILE);
    let (a, b) = (sealed_row(&file, &plan, 0), sealed_row(&file, &plan, 1));
    {
        let db = redb::Database::open(&file).unwrap();
        let w = db.begin_write().unwrap();
        {
            let mut t = w.open_table(CHANGES).unwrap();
            t.insert((plan.as_str(), 0u64), b.as_slice()).unwrap();
            t.insert((plan.as_str(), 1u64), a.as_slice()).unwrap();
        }
        w.commit().unwrap();
    }
    let err = Vault::open(&dir, &pass()).unwrap_err();
    assert!(matches!(err, VaultError::TamperedChange { seq: 0, .. }), "{err}");
}

#[test]
fn the_vault_file_alone_reveals_no_text_amount_name_or_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("v");
    let mut v = vault(&dir, "Fatima El Amrani", Role::Citizen);
    let plan = v.plan_doc();
    v.add_goal(&plan, LifeDomain::Wonen, "zelfstandig boodschappen doen", None)
        .unwrap();
    let account = euro_account(&mut v, "Persoonsgebonden budget", FundingStream::Wmo);
    let budget = v.budget_doc();
    v.top_up(&budget, &account, eur(123_456), day("2026-02-01"), "spaargeld oma")
        .unwrap();
    v.add_note("afspraak met wijkteam over dagbesteding").unwrap();
    v.compact().unwrap();
    let secrets = [v.device_key().to_bytes().to_vec()];
    drop(v);

    let bytes = std::fs::read(dir.join(DB_FILE)).unwrap();
    let found = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    for text in [
        "Fatima",
        "Amrani",
        "boodschappen",
        "Persoonsgebonden",
        "1234.56",
        "spaargeld",
        "dagbesteding",
        "laptop",
        "test",
    ] {
        assert!(!found(text.as_bytes()), "{text:?} is readable in the vault file");
    }
    for s in &secrets {
        assert!(!found(s), "a secret key is readable in the vault file");
    }
    // With the passphrase everything is there; with a wrong one, nothing opens.
    assert!(matches!(
        Vault::open(&dir, &Passphrase::new("niet-het-wachtwoord")),
        Err(VaultError::WrongPassphrase)
    ));
    let v = Vault::open(&dir, &pass()).unwrap();
    assert_eq!(v.name(), "Fatima El Amrani");
    assert_eq!(
        v.budget(&budget).unwrap().report.accounts[&account].topped_up,
        eur(123_456)
    );
}

#[test]
fn changing_the_passphrase_rewraps_the_key_and_rewrites_no_history() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("v");
    let mut v = vault(&dir, "Anna", Role::Citizen);
    let plan = v.plan_doc();
    v.add_goal(&plan, LifeDomain::Wonen, "doel", None).unwrap();
    drop(v);
    let file = dir.join(DB_FILE);
    let before = sealed_row(&file, &plan, 0);
    let v = Vault::open(&dir, &pass()).unwrap();
    assert!(matches!(
        v.change_passphrase(
            &Passphrase::new("fout-wachtwoord"),
            &Passphrase::new("nieuw wachtwoord")
        ),
        Err(VaultError::WrongPassphrase)
    ));
    assert!(matches!(
        v.change_passphrase(&pass(), &Passphrase::new("kort")),
        Err(VaultError::WeakPassphrase(_))
    ));
    v.change_passphrase(&pass(), &Passphrase::new("nieuw wachtwoord"))
        .unwrap();
    drop(v);
    assert_eq!(sealed_row(&file, &plan, 0), before, "stored changes are not rewritten");
    assert!(matches!(Vault::open(&dir, &pass()), Err(VaultError::WrongPassphrase)));
    let v = Vault::open(&dir, &Passphrase::new("nieuw wachtwoord")).unwrap();
    assert_eq!(v.plan(&plan).unwrap().goals.len(), 1);
    // A second handle opens with the key, without the passphrase; a key of
    // another vault is refused.
    let other = vault(&tmp.path().join("w"), "Bert", Role::Citizen);
    assert!(Vault::open_with_key(&dir, &v.key()).is_ok());
    assert!(matches!(
        Vault::open_with_key(&dir, &other.key()),
        Err(VaultError::WrongPassphrase)
    ));
}

#[test]
fn change_from_a_key_that_may_not_write_is_refused_and_logged() {
    let tmp = tempfile::tempdir().unwrap();
    let mut anna = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
    let mut mallory = vault(&tmp.path().join("mallory"), "Mallory", Role::Counselor);
    let plan = anna.plan_doc();
    anna.add_goal(&plan, LifeDomain::Wonen, "zelfstandig wonen", None)
        .unwrap();

    // Mallory receives the plan legitimately (read), then writes to it.
    let bundle = anna.bundle(&plan).unwrap();
    mallory.import_bundle(&bundle, "anna").unwrap();
    let base = anna.signed_changes(&plan).unwrap();
    let forged = goal_change(&mallory, &plan, &base);
    let header = anna.bundle(&plan).unwrap().header;
    let certs = vec![mallory.device_certificate().clone()];

    let before = anna.change_count(&plan).unwrap();
    let err = anna
        .import_changes(&header, &certs, std::slice::from_ref(&forged), "mallory")
        .unwrap_err();
    let not_a_writer = Refusal::NotAWriter {
        name: "Mallory".into(),
        identity: mallory.identity(),
    };
    assert!(
        matches!(&err, VaultError::ChangeRefused { refusal, .. } if **refusal == not_a_writer),
        "{err}"
    );
    assert!(err.to_string().contains("may not write"), "{err}");
    assert_eq!(anna.change_count(&plan).unwrap(), before);
    assert_eq!(anna.plan(&plan).unwrap().goals.len(), 1);
    let log = anna.rejections().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].from, "mallory");
    assert_eq!(log[0].refusal, Some(not_a_writer), "the log names the rule, typed");
    assert!(log[0].why.contains("may not write"), "and in English: {}", log[0].why);

    // A change whose actor is not the signer is refused too (actor spoofing).
    let mut spoof = forged.clone();
    spoof.signer = anna.device_key().public();
    let err = anna.import_changes(&header, &certs, &[spoof], "mallory").unwrap_err();
    assert!(err.to_string().contains("is not the signing device"), "{err}");
    assert!(
        matches!(err.refusal(), Some(Refusal::ActorNotSigner { signer, .. }) if signer == anna.device_key().public()),
        "{err}"
    );

    // Once Anna lets Mallory write, the very same change is accepted: the
    // refusal above was about the right to write, nothing else.
    anna.add_writer(&plan, mallory.identity(), inwonercloud_schemas::Role::Counselor)
        .unwrap();
    let header = anna.bundle(&plan).unwrap().header;
    let report = anna.import_changes(&header, &certs, &[forged], "mallory").unwrap();
    assert_eq!(report.applied, 1);
    let goals = anna.plan(&plan).unwrap().goals;
    assert_eq!(goals.len(), 2);
    let evil = goals.iter().find(|g| g.record.id == "evil").unwrap();
    assert_eq!(evil.author_name, "Mallory");
    assert_eq!(evil.placed_by, Some(mallory.device_key().public()));

    // And it survives reopening, with the writer's certificate stored.
    let dir = anna.dir().to_path_buf();
    drop(anna);
    let anna = Vault::open(&dir, &inwonercloud_tests::pass()).unwrap();
    assert_eq!(anna.plan(&plan).unwrap().goals.len(), 2);
}

#[test]
fn forged_signature_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut anna = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
    let mut other = vault(&tmp.path().join("other"), "Other", Role::Citizen);
    let plan = anna.plan_doc();
    anna.add_goal(&plan, LifeDomain::Wonen, "doel", None).unwrap();
    let mut bundle = anna.bundle(&plan).unwrap();
    let mut c = SignedChange::decode(&hex::decode(&bundle.changes[0]).unwrap()).unwrap();
    c.signature.0[5] ^= 0x40;
    bundle.changes[0] = hex::encode(c.encode());
    let err = other.import_bundle(&bundle, "peer").unwrap_err();
    assert!(matches!(err, VaultError::ChangeRefused { .. }), "{err}");
    assert!(other.document_ids().iter().all(|d| d != &plan));
}

#[test]
fn a_change_from_the_far_future_is_refused_and_logged() {
    let tmp = tempfile::tempdir().unwrap();
    let mut anna = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
    let mut bert = vault(&tmp.path().join("bert"), "Bert", Role::Counselor);
    let plan = anna.plan_doc();
    anna.add_goal(&plan, LifeDomain::Wonen, "doel", None).unwrap();
    let base = anna.signed_changes(&plan).unwrap();
    // Anna's own device, correctly signed, but dated ten days ahead.
    let future = inwonercloud_vault::keys::now() as i64 + 10 * 86_400;
    let signed = change_on_top(&anna, &plan, &base, "note", "later", Some(future));
    let mut bundle = anna.bundle(&plan).unwrap();
    bundle.changes.push(hex::encode(signed.encode()));
    let err = bert.import_bundle(&bundle, "anna").unwrap_err();
    assert!(err.to_string().contains("in the future"), "{err}");
    assert!(
        bert.document_ids().iter().all(|d| d != &plan),
        "nothing of the batch applied"
    );
    assert!(
        bert.rejections()
            .unwrap()
            .iter()
            .any(|r| r.why.contains("in the future"))
    );
}

/// Regression for what the `vault_file` fuzz target found: redb panics on
/// some damaged pages. A sweep of single-byte damage over a whole real vault
/// file: every open gives a vault or an error, never a panic.
#[test]
fn damage_anywhere_in_the_file_gives_an_error_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("v");
    let mut v = vault(&dir, "Anna", Role::Citizen);
    let plan = v.plan_doc();
    for i in 0..5 {
        v.add_goal(&plan, LifeDomain::Wonen, &format!("doel {i}"), None)
            .unwrap();
    }
    let key = v.key();
    drop(v);
    let original = std::fs::read(dir.join(DB_FILE)).unwrap();
    let (mut opened, mut refused) = (0, 0);
    let step = (original.len() / 400).max(1);
    for offset in (0..original.len()).step_by(step) {
        let mut bytes = original.clone();
        bytes[offset] ^= 0x5a;
        let d = tmp.path().join(format!("d{offset}"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(DB_FILE), &bytes).unwrap();
        match Vault::open_with_key(&d, &key) {
            Ok(_) => opened += 1,
            Err(_) => refused += 1,
        }
        std::fs::remove_dir_all(&d).unwrap();
    }
    assert!(refused > 0, "damage was noticed somewhere ({opened} opened)");
}

/// A writer cannot park unbounded changes in memory by sending ones whose
/// dependencies never come: above the limit the batch is refused and logged.
#[test]
fn changes_waiting_for_missing_dependencies_are_bounded() {
    use automerge::transaction::{CommitOptions, Transactable};
    use inwonercloud_vault::replica::MAX_PENDING_CHANGES;
    let tmp = tempfile::tempdir().unwrap();
    let (mut anna, mallory, plan) = inwonercloud_tests::plan_with_writer(tmp.path());
    let base = anna.signed_changes(&plan).unwrap();
    let mut am = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(mallory.device_key().public().0));
    am.apply_changes(base.iter().map(|c| Change::from_bytes(c.bytes.clone()).unwrap()))
        .unwrap();
    let before = am.get_heads();
    for i in 0..MAX_PENDING_CHANGES + 2 {
        am.put(automerge::ROOT, "x", i as i64).unwrap();
        am.commit_with(CommitOptions::default().with_time(1));
    }
    let mut signed: Vec<SignedChange> = am
        .get_changes(&before)
        .into_iter()
        .map(|c| SignedChange::sign(&plan, &c, mallory.device_key()))
        .collect();
    // Hold back the first: every other change waits for it.
    let first = signed.remove(0);
    let header = anna.bundle(&plan).unwrap().header;
    let certs = vec![mallory.device_certificate().clone()];
    let count = anna.change_count(&plan).unwrap();
    // Under the limit, waiting changes are taken (and applied once the first comes).
    let (under, over) = signed.split_at(MAX_PENDING_CHANGES - 10);
    anna.import_changes(&header, &certs, under, "mallory").unwrap();
    let err = anna.import_changes(&header, &certs, over, "mallory").unwrap_err();
    assert!(err.to_string().contains("never arrived"), "{err}");
    assert!(
        matches!(
            err.refusal(),
            Some(Refusal::OverLimit { limit: Limit::PendingChanges, max, .. }) if max == MAX_PENDING_CHANGES as u64
        ),
        "{err}"
    );
    assert_eq!(anna.change_count(&plan).unwrap(), count + under.len() as u64);
    // The missing change arrives: everything waiting applies, the bound resets.
    anna.import_changes(&header, &certs, &[first], "mallory").unwrap();
    anna.import_changes(&header, &certs, over, "mallory").unwrap();
    assert_eq!(
        anna.change_count(&plan).unwrap(),
        count + MAX_PENDING_CHANGES as u64 + 2
    );
}

/// A peer cannot fill a vault with certificates of made-up devices.
#[test]
fn certificates_per_identity_are_bounded() {
    use inwonercloud_vault::keys::{SecretKey, certify_device};
    use inwonercloud_vault::replica::MAX_DEVICES_PER_IDENTITY;
    let tmp = tempfile::tempdir().unwrap();
    let mut anna = vault(&tmp.path().join("a"), "Anna", Role::Citizen);
    let plan = anna.plan_doc();
    let header = anna.bundle(&plan).unwrap().header;
    let identity = SecretKey::generate().unwrap();
    let certs: Vec<_> = (0..=MAX_DEVICES_PER_IDENTITY)
        .map(|i| {
            let device = SecretKey::generate().unwrap().public();
            certify_device(
                &identity,
                "Veel Apparaten",
                Role::Counselor,
                device,
                &format!("d{i}"),
                1,
            )
        })
        .collect();
    // Certificates that sign nothing in a frame are not kept at all: a
    // stranger cannot fill the vault through a document it offers back.
    let before = anna.known_devices().len();
    anna.import_changes(&header, &certs, &[], "mallory").unwrap();
    assert_eq!(
        anna.known_devices().len(),
        before,
        "no certificate without a change of its device"
    );
    // Where certificates are kept (a session's hello), the limit holds.
    for c in &certs[..MAX_DEVICES_PER_IDENTITY] {
        anna.add_device_certificate(c).unwrap();
    }
    let err = anna
        .add_device_certificate(&certs[MAX_DEVICES_PER_IDENTITY])
        .unwrap_err();
    assert!(err.to_string().contains("the limit is"), "{err}");
}

/// Another identity cannot grow a document's history here without bound:
/// past its byte quota a batch is refused whole and logged, the counter
/// survives reopening, and the citizen's own writing is never limited.
#[test]
fn history_per_writer_is_bounded() {
    use inwonercloud_vault::replica::Limits;
    const QUOTA: u64 = 20_000;
    let tmp = tempfile::tempdir().unwrap();
    let (mut anna, mut mallory, plan) = inwonercloud_tests::plan_with_writer(tmp.path());
    let limits = Limits {
        writer_bytes_per_document: QUOTA,
        ..Limits::default()
    };
    anna.set_limits(limits);
    let header = anna.bundle(&plan).unwrap().header;
    let certs = vec![mallory.device_certificate().clone()];
    let mut taken = 0u64;
    let err = loop {
        for i in 0..5 {
            mallory
                .add_goal(&plan, LifeDomain::Wonen, &format!("doel van Mallory {taken}-{i}"), None)
                .unwrap();
        }
        let missing = mallory
            .changes_missing(&plan, &anna.version_vector(&plan).unwrap())
            .unwrap();
        let before = anna.change_count(&plan).unwrap();
        match anna.import_changes(&header, &certs, &missing, "mallory") {
            Ok(r) => taken += r.applied as u64,
            Err(e) => {
                assert_eq!(
                    anna.change_count(&plan).unwrap(),
                    before,
                    "nothing of a refused batch is kept"
                );
                break e;
            }
        }
        assert!(taken < 1000, "the quota never bit");
    };
    assert!(
        err.to_string().contains(&format!("the limit per writer is {QUOTA}")),
        "{err}"
    );
    assert!(
        matches!(
            err.refusal(),
            Some(Refusal::OverLimit { limit: Limit::WriterBytesPerDocument { identity, .. }, value, max: QUOTA })
                if identity == mallory.identity() && value > QUOTA
        ),
        "{err}"
    );
    assert!(taken > 5, "changes under the quota were taken ({taken})");
    assert!(
        anna.rejections()
            .unwrap()
            .iter()
            .any(|r| r.why.contains("limit per writer"))
    );
    // The count is kept in the file: after reopening the writer is still over.
    let dir = tmp.path().join("anna");
    drop(anna);
    let mut anna = Vault::open(&dir, &pass()).unwrap();
    anna.set_limits(limits);
    let missing = mallory
        .changes_missing(&plan, &anna.version_vector(&plan).unwrap())
        .unwrap();
    assert!(anna.import_changes(&header, &certs, &missing, "mallory").is_err());
    // Anna's own history is hers to grow.
    for i in 0..100 {
        anna.add_goal(&plan, LifeDomain::Wonen, &format!("mijn doel {i}"), None)
            .unwrap();
    }
}

/// Another identity cannot make this vault keep unbounded documents of its own.
#[test]
fn documents_per_owner_are_bounded() {
    use inwonercloud_vault::replica::Limits;
    let tmp = tempfile::tempdir().unwrap();
    let mut anna = vault(&tmp.path().join("a"), "Anna", Role::Citizen);
    let mallory = vault(&tmp.path().join("m"), "Mallory", Role::Municipality);
    anna.set_limits(Limits {
        documents_per_owner: 2,
        ..Limits::default()
    });
    let docs = mallory.document_ids();
    assert!(docs.len() > 2, "{docs:?}");
    for doc in &docs[..2] {
        anna.import_bundle(&mallory.bundle(doc).unwrap(), "mallory").unwrap();
    }
    let err = anna
        .import_bundle(&mallory.bundle(&docs[2]).unwrap(), "mallory")
        .unwrap_err();
    assert!(err.to_string().contains("the limit is 2"), "{err}");
    assert!(!anna.document_ids().contains(&docs[2]));
}

/// A snapshot stands for every row it covers, so none is taken while changes
/// wait for a missing dependency: after compacting and reopening, the
/// waiting changes still apply when the missing one arrives.
#[test]
fn waiting_changes_survive_compaction_and_reopening() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut anna, mut mallory, plan) = inwonercloud_tests::plan_with_writer(tmp.path());
    let before = anna.plan(&plan).unwrap().goals.len();
    for text in ["een", "twee", "drie"] {
        mallory.add_goal(&plan, LifeDomain::Wonen, text, None).unwrap();
    }
    let theirs = mallory
        .changes_missing(&plan, &anna.version_vector(&plan).unwrap())
        .unwrap();
    assert_eq!(theirs.len(), 3);
    let header = anna.bundle(&plan).unwrap().header;
    let certs = vec![mallory.device_certificate().clone()];
    anna.import_changes(&header, &certs, &theirs[1..], "mallory").unwrap();
    assert_eq!(anna.plan(&plan).unwrap().goals.len(), before, "they wait for the first");
    anna.compact().unwrap();
    drop(anna);
    let mut anna = Vault::open(&tmp.path().join("anna"), &pass()).unwrap();
    anna.import_changes(&header, &certs, &theirs[..1], "mallory").unwrap();
    assert_eq!(anna.plan(&plan).unwrap().goals.len(), before + 3);
    // And a snapshot taken now stands for all of them.
    anna.compact().unwrap();
    drop(anna);
    let anna = Vault::open(&tmp.path().join("anna"), &pass()).unwrap();
    assert_eq!(anna.plan(&plan).unwrap().goals.len(), before + 3);
}

/// A vault written by an earlier version (formats 2 and 3: record signatures
/// that did not name their signer) is refused with words that say so and
/// what to do, and the file is not migrated.
#[test]
fn a_vault_of_an_earlier_format_is_refused_in_words_and_left_alone() {
    use inwonercloud_vault::store::{META, SCHEMA_VERSION};
    let tmp = tempfile::tempdir().unwrap();
    let (anna, _mallory, _plan) = inwonercloud_tests::plan_with_writer(tmp.path());
    drop(anna);
    let dir = tmp.path().join("anna");
    let file = dir.join(DB_FILE);
    for old in [2u32, 3] {
        {
            let db = redb::Database::open(&file).unwrap();
            let w = db.begin_write().unwrap();
            w.open_table(META)
                .unwrap()
                .insert("schema_version", old.to_be_bytes().as_slice())
                .unwrap();
            w.commit().unwrap();
        }
        let err = Vault::open(&dir, &pass()).unwrap_err();
        assert!(matches!(err, VaultError::OldFormat { found } if found == old), "{err}");
        assert!(err.to_string().contains("earlier version"), "{err}");
        // Nothing was migrated: the file still says what it is.
        let db = redb::Database::open(&file).unwrap();
        let r = db.begin_read().unwrap();
        let version = r
            .open_table(META)
            .unwrap()
            .get("schema_version")
            .unwrap()
            .unwrap()
            .value()
            .to_vec();
        assert_eq!(version, old.to_be_bytes());
    }
    assert_eq!(SCHEMA_VERSION, 4);
}
