//! Attacks on the postbus found in review, each kept as a test that the
//! attack now fails (no network: the store and the vault directly).

use inwonercloud_schemas::{LifeDomain, PostbusRoster, PublicKey, Role, RosterMember, Signed};
use inwonercloud_sync::postbus::{Limits, PostbusError, PostbusStore};
use inwonercloud_tests::{another_device, plan_with_writer, vault};
use inwonercloud_vault::Vault;
use inwonercloud_vault::keys::{self, SecretKey};
use inwonercloud_vault::mail::{self, Mail, doc_tag};

fn sign(v: &Vault, r: PostbusRoster) -> Signed<PostbusRoster> {
    keys::sign_record(r, v.device_key(), v.device_certificate(), keys::now())
}

fn store(dir: &std::path::Path, limits: Limits) -> (PostbusStore, PublicKey) {
    let me = SecretKey::generate().unwrap().public();
    (PostbusStore::open(&dir.join("pb.redb"), me, limits).unwrap(), me)
}

/// A stranger who never had any consent registers a roster of his own that
/// names Anna's device and leaves a sealed document there: Anna's vault
/// refuses it as sync would (rule D1), and logs why.
#[test]
fn a_stranger_cannot_plant_a_document_in_a_citizens_vault_through_a_postbus() {
    let tmp = tempfile::tempdir().unwrap();
    let (pb, pb_id) = store(tmp.path(), Limits::default());
    let mut anna = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
    let mut eve = vault(&tmp.path().join("eve"), "Gemeente Utrecht", Role::Citizen);
    let doc = eve.plan_doc();
    eve.add_goal(&doc, LifeDomain::Financien, "Bel 0900-PHISH", None)
        .unwrap();

    let changes = eve.signed_changes(&doc).unwrap();
    let m = Mail {
        header: eve.signed_header(&doc).unwrap(),
        certs: eve.certificates_for(&doc, &changes).unwrap(),
        changes,
    };
    let blob = mail::seal(&m.encode().unwrap(), &[anna.device_key().public()]).unwrap();
    // Eve's own roster (she is its owner) names Anna's device as a member.
    let roster2 = PostbusRoster {
        owner: eve.identity(),
        postbus: pb_id,
        version: 1,
        members: vec![
            RosterMember {
                identity: eve.identity(),
                devices: vec![eve.device_key().public()],
                docs: vec![doc_tag(&eve.identity(), &doc)],
            },
            RosterMember {
                identity: anna.identity(),
                devices: vec![anna.device_key().public()],
                docs: vec![doc_tag(&eve.identity(), &doc)],
            },
        ],
        revoked_devices: vec![],
    };
    pb.register(&sign(&eve, roster2), keys::now()).unwrap();
    pb.deposit(
        &eve.device_key().public(),
        &eve.identity(),
        &[anna.device_key().public()],
        &blob,
        keys::now(),
    )
    .unwrap();

    // Anna's node fetches everything in her device's inbox, whatever the owner.
    let held = pb.fetch(&anna.device_key().public(), keys::now(), 1 << 22).unwrap();
    assert_eq!(held.len(), 1);
    // Sync would not ask for this document, and mail does not take it either.
    assert!(!anna.accepts_document_from(&eve.identity(), &m.header.record));
    let e = anna.receive_mail(&held[0].blob, "postbus").unwrap_err();
    assert!(e.to_string().contains("never admitted"), "{e}");
    assert!(
        !anna.document_ids().contains(&doc),
        "a stranger's document is in Anna's vault"
    );
    assert!(
        anna.rejections().unwrap().iter().any(|r| r.doc == doc),
        "the refusal is logged"
    );
}

/// A postbus (or one restored from a backup) hands a depositor an older,
/// still validly signed roster that names a reader Anna has since removed:
/// the depositor refuses a roster older than one it saw.
#[test]
fn a_replayed_old_roster_cannot_re_add_a_removed_reader() {
    let tmp = tempfile::tempdir().unwrap();
    let pb_id = SecretKey::generate().unwrap().public();
    let (anna, mut bert, plan) = plan_with_writer(tmp.path());
    let fatima = vault(&tmp.path().join("fatima"), "Fatima", Role::Family);
    let tag = doc_tag(&anna.identity(), &plan);
    let member = |v: &Vault| RosterMember {
        identity: v.identity(),
        devices: vec![v.device_key().public()],
        docs: vec![tag.clone()],
    };
    let base = |version, members| PostbusRoster {
        owner: anna.identity(),
        postbus: pb_id,
        version,
        members,
        revoked_devices: vec![],
    };
    let old = sign(&anna, base(1, vec![member(&anna), member(&bert), member(&fatima)]));
    let new = sign(&anna, base(2, vec![member(&anna), member(&bert)]));
    bert.check_roster(&new, &anna.identity(), &pb_id).unwrap();
    // After Fatima was removed, Bert writes; the postbus answers `roster` with the old one.
    bert.add_goal(&plan, LifeDomain::Wonen, "na de intrekking geschreven", None)
        .unwrap();
    let e = bert.check_roster(&old, &anna.identity(), &pb_id).unwrap_err();
    assert!(e.to_string().contains("older"), "{e}");
    // What Bert seals by the roster in force, Fatima cannot open.
    let out = bert.outgoing_mail(&plan, &pb_id, &new.record).unwrap().unwrap();
    assert!(!out.recipients.contains(&fatima.device_key().public()));
    assert!(mail::open(&out.blob, fatima.device_key()).is_err());
}

/// A stolen device (before its revocation reaches the postbus) cannot lock
/// the owner out: a version far ahead of the clock is refused, and a roster
/// that revokes the device which signed the held one replaces it whatever
/// its version.
#[test]
fn a_stolen_device_cannot_lock_the_owner_out_of_her_roster() {
    let tmp = tempfile::tempdir().unwrap();
    let (pb, pb_id) = store(tmp.path(), Limits::default());
    let mut anna = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
    let stolen = another_device(&mut anna, &tmp.path().join("stolen"), "telefoon");
    let thief = vault(&tmp.path().join("thief"), "Dief", Role::Family);
    let members = |extra: Option<&Vault>| {
        let mut m = vec![RosterMember {
            identity: anna.identity(),
            devices: vec![anna.device_key().public(), stolen.device_key().public()],
            docs: vec![doc_tag(&anna.identity(), &anna.plan_doc())],
        }];
        if let Some(v) = extra {
            m.push(RosterMember {
                identity: v.identity(),
                devices: vec![v.device_key().public()],
                docs: vec![doc_tag(&anna.identity(), &anna.plan_doc())],
            });
        }
        m
    };
    let evil = PostbusRoster {
        owner: anna.identity(),
        postbus: pb_id,
        version: u64::MAX,
        members: members(Some(&thief)),
        revoked_devices: vec![],
    };
    let err = pb.register(&sign(&stolen, evil.clone()), keys::now()).unwrap_err();
    assert!(matches!(err, PostbusError::OutOfBounds(_)), "{err}");
    // Just under the ceiling it is taken ...
    let high = PostbusRoster {
        version: (keys::now() + 3600) * 1000,
        ..evil
    };
    pb.register(&sign(&stolen, high), keys::now()).unwrap();
    // ... and Anna's next roster, which revokes that device, still wins.
    let fix = PostbusRoster {
        owner: anna.identity(),
        postbus: pb_id,
        version: anna.postbus_roster(&pb_id).unwrap().record.version,
        members: members(None),
        revoked_devices: vec![stolen.device_key().public()],
    };
    pb.register(&sign(&anna, fix), keys::now()).unwrap();
    let held = pb.roster(&anna.identity()).unwrap().unwrap().record;
    assert!(!held.has_device(&thief.device_key().public()));
    assert!(held.revoked_devices.contains(&stolen.device_key().public()));
}

/// Owner slots are bounded: fresh identities can fill `max_owners` (an
/// operator's allowlist of owners is not there yet; docs/threat-model.md),
/// after which a new owner is refused with a reason, never more storage.
#[test]
fn owners_per_postbus_are_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let (pb, pb_id) = store(
        tmp.path(),
        Limits {
            max_owners: 3,
            ..Limits::default()
        },
    );
    for i in 0..3 {
        let id = SecretKey::generate().unwrap();
        let dev = SecretKey::generate().unwrap();
        let cert = keys::certify_device(&id, &format!("sybil{i}"), Role::Citizen, dev.public(), "x", keys::now());
        let r = PostbusRoster {
            owner: id.public(),
            postbus: pb_id,
            version: 1,
            members: vec![],
            revoked_devices: vec![],
        };
        pb.register(&keys::sign_record(r, &dev, &cert, keys::now()), keys::now())
            .unwrap();
    }
    let anna = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
    let err = pb
        .register(&anna.postbus_roster(&pb_id).unwrap(), keys::now())
        .unwrap_err();
    assert!(matches!(err, PostbusError::TooManyOwners { .. }), "{err}");
}

/// A member may not address mail to itself (which no one else would ever
/// collect, pinning the owner's space); mail it leaves for others counts
/// against the owner's quota until collected or expired.
#[test]
fn a_member_cannot_pin_the_owners_quota_with_mail_to_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let (pb, pb_id) = store(
        tmp.path(),
        Limits {
            quota_bytes: 4096,
            ..Limits::default()
        },
    );
    let (anna, bert, plan) = plan_with_writer(tmp.path());
    let tag = doc_tag(&anna.identity(), &plan);
    let r = PostbusRoster {
        owner: anna.identity(),
        postbus: pb_id,
        version: 1,
        members: vec![
            RosterMember {
                identity: anna.identity(),
                devices: vec![anna.device_key().public()],
                docs: vec![tag.clone()],
            },
            RosterMember {
                identity: bert.identity(),
                devices: vec![bert.device_key().public()],
                docs: vec![tag],
            },
        ],
        revoked_devices: vec![],
    };
    pb.register(&sign(&anna, r), keys::now()).unwrap();
    let me = bert.device_key().public();
    let err = pb
        .deposit(&me, &anna.identity(), &[me], &[0u8; 4096], keys::now())
        .unwrap_err();
    assert!(matches!(err, PostbusError::SelfAddressed { .. }), "{err}");
    assert_eq!(pb.usage(&anna.identity()).unwrap().bytes, 0);
    // Junk for Anna fills the space until she collects it; then it is free.
    let anna_dev = anna.device_key().public();
    pb.deposit(&me, &anna.identity(), &[anna_dev], &[0u8; 4096], keys::now())
        .unwrap();
    let err = pb
        .deposit(&me, &anna.identity(), &[anna_dev], b"x", keys::now())
        .unwrap_err();
    assert!(matches!(err, PostbusError::Full { .. }), "{err}");
    let held = pb.fetch(&anna_dev, keys::now(), 1 << 20).unwrap();
    pb.ack(&anna_dev, &held.iter().map(|h| h.id).collect::<Vec<_>>())
        .unwrap();
    pb.deposit(&me, &anna.identity(), &[anna_dev], b"x", keys::now())
        .unwrap();
}
