//! Document headers signed by the owner's other devices: a revoked device
//! cannot sign one, a newer header cannot drop a device revocation, header
//! versions cannot be pushed to the end of their range, and a revoked device
//! that keeps writing adds nothing wherever its revocation has arrived.

use std::path::Path;

use inwonercloud_schemas::{CertifiedDevice, DocKind, DocumentHeader, LifeDomain, Role, Signed};
use inwonercloud_tests::{another_device, change_on_top, goal_change, pass, vault};
use inwonercloud_vault::replica::MAX_HEADER_VERSION_STEP;
use inwonercloud_vault::{ImportReport, SignedChange, Vault, VaultError, keys};

/// Sanne's laptop (her first device, holding the identity key), phone and
/// tablet, all holding her plan; the phone has written one change to it
/// (number 1), which the laptop holds.
struct Sanne {
    laptop: Vault,
    phone: Vault,
    tablet: Vault,
    plan: String,
}

fn sanne(dir: &Path) -> Sanne {
    let mut laptop = vault(&dir.join("laptop"), "Sanne", Role::Citizen);
    let mut phone = another_device(&mut laptop, &dir.join("phone"), "telefoon");
    let mut tablet = another_device(&mut laptop, &dir.join("tablet"), "tablet");
    let plan = laptop.plan_doc();
    laptop
        .add_goal(&plan, LifeDomain::Wonen, "zelfstandig wonen", None)
        .unwrap();
    hand_over(&laptop, &mut phone, &plan);
    hand_over(&laptop, &mut tablet, &plan);
    let first = phone_writes(&phone, &laptop, &plan, "voor de intrekking");
    let header = phone.signed_header(&plan).unwrap();
    laptop
        .import_changes(&header, &[cert(&phone)], &[first], "telefoon")
        .unwrap();
    assert_eq!(laptop.version_vector(&plan).unwrap()[&phone.device_key().public()], 1);
    Sanne {
        laptop,
        phone,
        tablet,
        plan,
    }
}

/// `to` imports what `from` holds of `doc`.
fn hand_over(from: &Vault, to: &mut Vault, doc: &str) -> ImportReport {
    to.import_bundle(&from.bundle(doc).unwrap(), "peer").unwrap()
}

fn cert(v: &Vault) -> CertifiedDevice {
    v.device_certificate().clone()
}

/// A change by the phone on top of everything `base` holds of `doc`.
fn phone_writes(phone: &Vault, base: &Vault, doc: &str, value: &str) -> SignedChange {
    change_on_top(phone, doc, &base.signed_changes(doc).unwrap(), "note", value, None)
}

/// `header`, changed by `edit` and signed by `by`'s device (what a device
/// holding its own key can always make).
fn signed_by(by: &Vault, header: &DocumentHeader, edit: impl FnOnce(&mut DocumentHeader)) -> Signed<DocumentHeader> {
    let mut h = header.clone();
    edit(&mut h);
    // A device signing a header edit counts it in the header's clock.
    h.clock = h.next_clock(&by.device_key().public());
    keys::sign_record(h, by.device_key(), by.device_certificate(), keys::now())
}

/// The reason of a refusal, or a panic naming what was accepted instead.
fn refusal(r: inwonercloud_vault::Result<ImportReport>) -> String {
    match r {
        Err(VaultError::ChangeRefused { refusal, .. }) => refusal.to_string(),
        Err(e) => panic!("refused with another error: {e}"),
        Ok(r) => panic!("accepted: {r:?}"),
    }
}

fn last_rejection(v: &Vault) -> String {
    v.rejections().unwrap().last().expect("a logged rejection").why.clone()
}

#[test]
fn a_header_signed_by_a_revoked_device_is_refused_and_the_held_header_stays() {
    let tmp = tempfile::tempdir().unwrap();
    let Sanne {
        mut laptop,
        mut phone,
        plan,
        ..
    } = sanne(tmp.path());
    let mallory = vault(&tmp.path().join("mallory"), "Mallory", Role::Counselor);
    assert!(laptop.revoke_device(phone.device_key().public()).unwrap() >= 1);
    let held = laptop.signed_header(&plan).unwrap();
    assert!(held.record.device_revoked(&phone.device_key().public()));
    // The revocation reaches the phone, which is in someone else's hands.
    hand_over(&laptop, &mut phone, &plan);

    // It keeps the revocation (so that nothing else is wrong with it) but
    // lets Mallory write the plan, in a newer version signed by itself.
    let forged = signed_by(&phone, &held.record, |h| {
        h.writers.push(mallory.identity());
        h.version += 1;
    });
    let why = refusal(laptop.import_changes(&forged, &[cert(&phone)], &[], "telefoon"));
    assert!(why.contains("revoked signer"), "{why}");
    assert_eq!(laptop.signed_header(&plan).unwrap(), held, "the held header stays");
    assert!(!laptop.header(&plan).unwrap().may_write(&mallory.identity()));
    assert!(last_rejection(&laptop).contains("revoked signer"));

    // Nor can it undo its own revocation, with a change riding along.
    let undone = signed_by(&phone, &held.record, |h| {
        h.revoked_devices.clear();
        h.version += 1;
    });
    let second = phone_writes(&phone, &laptop, &plan, "na de intrekking");
    let rows = laptop.change_count(&plan).unwrap();
    let why = refusal(laptop.import_changes(&undone, &[cert(&phone)], &[second], "telefoon"));
    assert!(why.contains("revoked signer"), "{why}");
    assert_eq!(laptop.signed_header(&plan).unwrap(), held);
    assert_eq!(laptop.change_count(&plan).unwrap(), rows);

    // Nor start a document of Sanne's that the laptop does not hold yet:
    // the revocation in any of her headers held here is enough.
    let other = format!("{}/agreement/{}", laptop.identity(), mallory.identity());
    let fresh = signed_by(&phone, &held.record, |h| {
        h.id = other.clone();
        h.kind = DocKind::Agreement;
        h.revoked_devices.clear();
        h.writers = vec![mallory.identity()];
        h.version = 1;
    });
    let why = refusal(laptop.import_changes(&fresh, &[cert(&phone)], &[], "telefoon"));
    assert!(why.contains("revoked signer"), "{why}");
    assert!(laptop.header(&other).is_err(), "no such document was created");

    // The refusals survive reopening: the file holds the laptop's header.
    let dir = laptop.dir().to_path_buf();
    drop(laptop);
    let laptop = Vault::open(&dir, &pass()).unwrap();
    assert_eq!(laptop.signed_header(&plan).unwrap(), held);
    assert_eq!(laptop.rejections().unwrap().len(), 3);
}

#[test]
fn a_newer_header_may_not_drop_or_loosen_a_device_revocation() {
    let tmp = tempfile::tempdir().unwrap();
    let Sanne {
        mut laptop,
        phone,
        tablet,
        plan,
    } = sanne(tmp.path());
    let phone_key = phone.device_key().public();
    laptop.revoke_device(phone_key).unwrap();
    let held = laptop.signed_header(&plan).unwrap();
    let cut = held
        .record
        .revoked_devices
        .iter()
        .find(|(d, _)| d == &phone_key)
        .map(|(_, c)| *c)
        .unwrap();
    assert_eq!(cut, 1);

    // The tablet, not revoked and offline, changed the header without ever
    // seeing the revocation: its version is higher, the revocation absent.
    // The two are concurrent; the laptop merges them and the revocation holds.
    let stale = tablet.signed_header(&plan).unwrap().record;
    assert!(stale.revoked_devices.is_empty());
    let concurrent = signed_by(&tablet, &stale, |h| h.version = held.record.version + 1);
    laptop
        .import_changes(&concurrent, &[cert(&tablet)], &[], "tablet")
        .unwrap();
    let merged = laptop.signed_header(&plan).unwrap();
    assert_eq!(
        merged.record.revoked_devices,
        vec![(phone_key, cut)],
        "the revocation holds"
    );
    assert!(inwonercloud_schemas::clock_includes(
        &merged.record.clock,
        &concurrent.record.clock
    ));
    let held = merged;

    // A header that saw the revocation (its clock includes it) and drops it
    // anyway is refused.
    let dropped = signed_by(&tablet, &held.record, |h| {
        h.revoked_devices.clear();
        h.version += 1;
    });
    let why = refusal(laptop.import_changes(&dropped, &[cert(&tablet)], &[], "tablet"));
    assert!(why.contains("revocations are permanent"), "{why}");
    assert!(why.contains(&phone_key.short()), "names the device: {why}");
    assert_eq!(laptop.signed_header(&plan).unwrap(), held);
    assert!(last_rejection(&laptop).contains("revocations are permanent"));

    // The phone's later change stays refused under the header kept.
    let later = phone_writes(&phone, &laptop, &plan, "na de intrekking");
    let why = refusal(laptop.import_changes(&held, &[cert(&phone)], &[later], "telefoon"));
    assert!(
        why.contains("may not write") && why.contains("was revoked after its change 1"),
        "{why}"
    );

    // Keeping the device but raising its cut-off is loosening it: refused.
    let raised = signed_by(&tablet, &held.record, |h| {
        h.revoked_devices = vec![(phone_key, cut + 5)];
        h.version += 1;
    });
    let why = refusal(laptop.import_changes(&raised, &[cert(&tablet)], &[], "tablet"));
    assert!(why.contains("revocations are permanent"), "{why}");
    assert!(why.contains("cut-off"), "{why}");
    assert_eq!(laptop.signed_header(&plan).unwrap(), held);

    // A newer header that keeps the revocation (here with a lower cut-off)
    // is adopted as before: the rule refuses only what undoes a revocation.
    let kept = signed_by(&tablet, &held.record, |h| {
        h.revoked_devices = vec![(phone_key, cut - 1)];
        h.version += 1;
    });
    laptop.import_changes(&kept, &[cert(&tablet)], &[], "tablet").unwrap();
    assert_eq!(laptop.signed_header(&plan).unwrap(), kept);
}

#[test]
fn header_versions_cannot_be_pushed_to_the_end_of_their_range() {
    let tmp = tempfile::tempdir().unwrap();
    let Sanne {
        mut laptop,
        phone,
        tablet,
        plan,
    } = sanne(tmp.path());
    let held = laptop.signed_header(&plan).unwrap();
    let v = held.record.version;

    // A device of the owner (not revoked) signs the highest version there is.
    let pinned = signed_by(&tablet, &held.record, |h| h.version = u64::MAX);
    let why = refusal(laptop.import_changes(&pinned, &[cert(&tablet)], &[], "tablet"));
    assert!(why.contains("version step"), "{why}");
    assert!(
        why.contains(&MAX_HEADER_VERSION_STEP.to_string()),
        "names the bound: {why}"
    );
    assert_eq!(laptop.signed_header(&plan).unwrap(), held);
    assert!(last_rejection(&laptop).contains("version step"));

    // The bound is exact: one more than the step is refused, the step is not.
    assert_eq!(MAX_HEADER_VERSION_STEP, 1_000_000);
    let over = signed_by(&tablet, &held.record, |h| h.version = v + MAX_HEADER_VERSION_STEP + 1);
    let why = refusal(laptop.import_changes(&over, &[cert(&tablet)], &[], "tablet"));
    assert!(why.contains("version step"), "{why}");
    let step = signed_by(&tablet, &held.record, |h| h.version = v + MAX_HEADER_VERSION_STEP);
    laptop.import_changes(&step, &[cert(&tablet)], &[], "tablet").unwrap();
    assert_eq!(laptop.header(&plan).unwrap().version, v + MAX_HEADER_VERSION_STEP);

    // A document not held yet starts from version 0.
    let other = format!("{}/agreement/{}", laptop.identity(), phone.identity());
    let fresh = |version: u64| {
        signed_by(&tablet, &held.record, |h| {
            h.id = other.clone();
            h.kind = DocKind::Agreement;
            h.version = version;
        })
    };
    let why = refusal(laptop.import_changes(&fresh(u64::MAX), &[cert(&tablet)], &[], "tablet"));
    assert!(why.contains("version step"), "{why}");
    assert!(laptop.header(&other).is_err());

    // The laptop still changes its headers: the next version is one more.
    laptop.revoke_device(phone.device_key().public()).unwrap();
    assert_eq!(laptop.header(&plan).unwrap().version, v + MAX_HEADER_VERSION_STEP + 1);
}

#[test]
fn a_revoked_device_that_keeps_writing_adds_nothing_where_its_revocation_arrived() {
    let tmp = tempfile::tempdir().unwrap();
    let Sanne {
        mut laptop,
        mut phone,
        plan,
        ..
    } = sanne(tmp.path());
    let phone_key = phone.device_key().public();
    // Bert, a counselor, holds Sanne's plan too.
    let mut bert = vault(&tmp.path().join("bert"), "Bert", Role::Counselor);
    hand_over(&laptop, &mut bert, &plan);
    let old = laptop.signed_header(&plan).unwrap();

    laptop.revoke_device(phone_key).unwrap();
    let revoking = laptop.signed_header(&plan).unwrap();
    hand_over(&laptop, &mut bert, &plan);
    hand_over(&laptop, &mut phone, &plan);
    assert!(bert.is_device_revoked(&laptop.identity(), &phone_key));
    let goals = laptop.plan(&plan).unwrap().goals.len();

    // The phone writes on: a note and a goal signed by itself (its
    // certificate says "Sanne"), sent under every header it can show.
    let note = phone_writes(&phone, &laptop, &plan, "na de intrekking");
    let goal = goal_change(&phone, &plan, &laptop.signed_changes(&plan).unwrap());
    for v in [&mut laptop, &mut bert] {
        let rows = v.change_count(&plan).unwrap();
        for header in [&revoking, &old] {
            for change in [&note, &goal] {
                let why = refusal(v.import_changes(header, &[cert(&phone)], std::slice::from_ref(change), "telefoon"));
                assert!(
                    why.contains("may not write") && why.contains("was revoked after its change 1"),
                    "{why}"
                );
            }
        }
        assert_eq!(v.change_count(&plan).unwrap(), rows, "nothing stored");
        assert_eq!(
            v.version_vector(&plan).unwrap()[&phone_key],
            1,
            "only its change before the cut-off"
        );
        assert_eq!(v.plan(&plan).unwrap().goals.len(), goals, "its goal does not count");
        assert!(v.signed_header(&plan).unwrap() == revoking);
    }

    // A document Sanne opens after the revocation has no revocation in its
    // header yet; the phone's changes to it count nowhere that holds one of
    // her headers revoking the phone.
    let agreement = laptop.open_agreement_doc(bert.identity()).unwrap();
    assert!(!laptop.header(&agreement).unwrap().device_revoked(&phone_key));
    hand_over(&laptop, &mut phone, &agreement);
    hand_over(&laptop, &mut bert, &agreement);
    let header = laptop.signed_header(&agreement).unwrap();
    let sneaky = change_on_top(&phone, &agreement, &[], "note", "nieuw document", None);
    for v in [&mut laptop, &mut bert] {
        let why = refusal(v.import_changes(&header, &[cert(&phone)], std::slice::from_ref(&sneaky), "telefoon"));
        assert!(why.contains("revoked"), "{why}");
        assert!(!v.version_vector(&agreement).unwrap().contains_key(&phone_key));
    }

    // After reopening, the same holds.
    let dir = bert.dir().to_path_buf();
    drop(bert);
    let bert = Vault::open(&dir, &pass()).unwrap();
    assert_eq!(bert.version_vector(&plan).unwrap()[&phone_key], 1);
    assert_eq!(bert.plan(&plan).unwrap().goals.len(), goals);
}
