//! Delivery while the other side is offline: a real postbus and real nodes
//! on 127.0.0.1, never online at the same time.

use std::net::SocketAddr;
use std::path::Path;

use inwonercloud_schemas::{Access, DocKind, LifeDomain, PostbusRoster, Role};
use inwonercloud_sync::postbus::{Postbus, PostbusConfig};
use inwonercloud_sync::{Node, NodeConfig};
use inwonercloud_tests::{invite, node, pass};
use inwonercloud_vault::Vault;

async fn postbus(dir: &Path) -> Postbus {
    Postbus::spawn(
        dir,
        PostbusConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..PostbusConfig::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("postbus: {e}"))
}

async fn reopen(dir: &Path) -> Node {
    Node::spawn(Vault::open(dir, &pass()).unwrap(), NodeConfig::loopback())
        .await
        .unwrap()
}

fn goals(n: &Node, plan: &str) -> Vec<(String, String)> {
    n.with_vault(|v| {
        v.plan(plan)
            .unwrap()
            .goals
            .into_iter()
            .map(|g| (g.record.text, g.author_name))
            .collect()
    })
}

/// Every file under `dir`, read whole.
fn files_contain(dir: &Path, needle: &[u8]) -> bool {
    std::fs::read_dir(dir).unwrap().any(|e| {
        let p = e.unwrap().path();
        let bytes = std::fs::read(&p).unwrap_or_default();
        bytes.windows(needle.len()).any(|w| w == needle)
    })
}

const SECRET: &str = "Samen de post van de schuldhulp openen (zin 7731)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_reaches_the_citizen_though_she_and_her_counselor_are_never_online_together() {
    let tmp = tempfile::tempdir().unwrap();
    let pb_dir = tmp.path().join("postbus");
    let pb = postbus(&pb_dir).await;
    let anna_dir = tmp.path().join("anna");
    let anna = node(&anna_dir, "Anna", Role::Citizen).await;
    anna.with_vault(|v| v.set_postbus(Some(&pb.addr()))).unwrap();
    let bert = node(&tmp.path().join("bert"), "Bert", Role::Counselor).await;
    bert.join(&invite(&anna, Role::Counselor, &[DocKind::Plan], Access::Write))
        .await
        .unwrap();
    let anna_id = anna.with_vault(|v| v.identity());
    let plan = anna.with_vault(|v| v.plan_doc());
    assert_eq!(
        bert.with_vault(|v| v.postbus_of(&anna_id)),
        Some(pb.addr()),
        "Bert learned Anna's postbus when he joined"
    );
    // Anna's node gives the postbus her roster, then she goes offline.
    let r = anna.postbus_round().await;
    assert_eq!((r.reached, r.problems.len()), (1, 0), "{r:?}");
    anna.shutdown().await;
    drop(anna);

    // Bert edits while she is away, leaves it at the postbus, goes offline.
    bert.with_vault(|v| v.add_goal(&plan, LifeDomain::Financien, SECRET, None).unwrap());
    let r = bert.postbus_round().await;
    assert_eq!(r.deposited, 1, "{r:?}");
    assert!(r.changes_deposited >= 1);
    // A second round has nothing new to leave.
    assert_eq!(bert.postbus_round().await.deposited, 0);
    bert.shutdown().await;
    drop(bert);
    assert!(
        pb.store().usage(&anna_id).unwrap().bytes > 0,
        "the postbus holds the mail"
    );
    assert!(
        !files_contain(&pb_dir, SECRET.as_bytes()) && !files_contain(&pb_dir, b"zin 7731"),
        "the postbus's files hold plan text"
    );

    // Anna comes back later: her node collects the edit, signed by Bert.
    let anna = reopen(&anna_dir).await;
    let r = anna.postbus_round().await;
    assert_eq!(r.received, 1, "{r:?}");
    assert!(goals(&anna, &plan).contains(&(SECRET.to_string(), "Bert".to_string())));
    // Delivered to everyone it was for: the postbus drops it.
    assert_eq!(pb.store().usage(&anna_id).unwrap().envelopes, 0);
    // And it is not taken in twice.
    assert_eq!(anna.postbus_round().await.received, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_family_member_collects_nothing_written_after_the_revocation() {
    let tmp = tempfile::tempdir().unwrap();
    let pb = postbus(&tmp.path().join("postbus")).await;
    let anna = node(&tmp.path().join("anna"), "Anna", Role::Citizen).await;
    anna.with_vault(|v| v.set_postbus(Some(&pb.addr()))).unwrap();
    let bert = node(&tmp.path().join("bert"), "Bert", Role::Counselor).await;
    let fam = node(&tmp.path().join("fam"), "Fatima", Role::Family).await;
    bert.join(&invite(&anna, Role::Counselor, &[DocKind::Plan], Access::Write))
        .await
        .unwrap();
    fam.join(&invite(&anna, Role::Family, &[DocKind::Plan], Access::Read))
        .await
        .unwrap();
    let plan = anna.with_vault(|v| v.plan_doc());
    let (anna_id, fam_id) = (anna.with_vault(|v| v.identity()), fam.with_vault(|v| v.identity()));

    // Before: Anna writes, Fatima collects it from the postbus.
    anna.with_vault(|v| {
        v.add_goal(&plan, LifeDomain::Wonen, "vóór het intrekken", None)
            .unwrap()
    });
    let r = anna.postbus_round().await;
    assert_eq!(r.deposited, 1, "{r:?}");
    assert_eq!(fam.postbus_round().await.received, 1);
    assert!(goals(&fam, &plan).iter().any(|(t, _)| t == "vóór het intrekken"));

    // Anna revokes Fatima's consent; her next round renews the roster.
    let fam_consent = anna.with_vault(|v| {
        v.consents()
            .unwrap()
            .into_iter()
            .find(|c| c.consent.record.grantee == fam_id)
            .unwrap()
            .consent
            .record
            .id
    });
    anna.with_vault(|v| v.revoke_consent(&fam_consent, "niet meer nodig").unwrap());
    anna.with_vault(|v| v.add_goal(&plan, LifeDomain::Wonen, "na het intrekken", None).unwrap());
    let r = anna.postbus_round().await;
    assert_eq!(r.deposited, 1, "{r:?}");
    let roster = pb.store().roster(&anna_id).unwrap().unwrap();
    assert!(
        !roster.record.has_device(&fam.id()),
        "the renewed roster no longer names Fatima's device"
    );
    // Bert writes too; the roster he gets from the postbus leaves her out.
    bert.with_vault(|v| v.add_goal(&plan, LifeDomain::Wonen, "van Bert, erna", None).unwrap());
    assert_eq!(bert.postbus_round().await.deposited, 1);

    let r = fam.postbus_round().await;
    assert_eq!(r.received, 0, "{r:?}");
    let texts: Vec<String> = goals(&fam, &plan).into_iter().map(|(t, _)| t).collect();
    assert!(
        !texts.iter().any(|t| t == "na het intrekken" || t == "van Bert, erna"),
        "{texts:?}"
    );

    // A depositor holding the old roster cannot address her either: the
    // postbus refuses a recipient who is not on the roster in force.
    let blob = inwonercloud_vault::mail::seal(b"oud rooster", &[fam.id()]).unwrap();
    let refused = pb.store().deposit(
        &bert.id(),
        &anna_id,
        &[fam.id()],
        &blob,
        inwonercloud_vault::keys::now(),
    );
    assert!(refused.is_err(), "a deposit for a revoked reader was taken");

    // Bert got what Anna wrote after the revocation (his earlier round
    // collected it before leaving his own).
    bert.postbus_round().await;
    assert!(goals(&bert, &plan).iter().any(|(t, _)| t == "na het intrekken"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postbus_cannot_add_a_reader_to_a_citizens_roster() {
    let tmp = tempfile::tempdir().unwrap();
    let anna = node(&tmp.path().join("anna"), "Anna", Role::Citizen).await;
    let bert = node(&tmp.path().join("bert"), "Bert", Role::Counselor).await;
    let mallory = node(&tmp.path().join("m"), "Mallory", Role::Counselor).await;
    bert.join(&invite(&anna, Role::Counselor, &[DocKind::Plan], Access::Write))
        .await
        .unwrap();
    let anna_id = anna.with_vault(|v| v.identity());
    let pb_key = mallory.id();
    let genuine = anna.with_vault(|v| v.postbus_roster(&pb_key)).unwrap();
    bert.with_vault(|v| v.check_roster(&genuine, &anna_id, &pb_key))
        .expect("Anna's own roster passes");

    // The postbus (Mallory) signs a roster in Anna's name naming itself.
    let forged_record = PostbusRoster {
        members: vec![inwonercloud_schemas::RosterMember {
            identity: mallory.with_vault(|v| v.identity()),
            devices: vec![mallory.id()],
            docs: genuine.record.members[0].docs.clone(),
        }],
        ..genuine.record.clone()
    };
    let forged = mallory.with_vault(|v| {
        inwonercloud_vault::keys::sign_record(
            forged_record.clone(),
            v.device_key(),
            v.device_certificate(),
            inwonercloud_vault::keys::now(),
        )
    });
    let e = bert
        .with_vault(|v| v.check_roster(&forged, &anna_id, &pb_key))
        .unwrap_err();
    assert!(e.to_string().contains("not signed by its owner"), "{e}");
    // Anna's signature over an altered member list does not verify.
    let mut altered = genuine.clone();
    altered.record = forged_record;
    assert!(
        bert.with_vault(|v| v.check_roster(&altered, &anna_id, &pb_key))
            .is_err()
    );
    // A genuine roster made for another postbus is refused too.
    assert!(
        bert.with_vault(|v| v.check_roster(&genuine, &anna_id, &bert.id()))
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_for_the_owners_other_device_waits_across_a_postbus_restart() {
    let tmp = tempfile::tempdir().unwrap();
    // A fixed port, as a real postbus has: citizens stored its address.
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = PostbusConfig {
        bind: SocketAddr::from(([127, 0, 0, 1], port)),
        ..PostbusConfig::default()
    };
    let dir = tmp.path().join("postbus");
    let pb = Postbus::spawn(&dir, cfg.clone()).await.unwrap();
    let addr = pb.addr();
    let laptop_dir = tmp.path().join("laptop");
    let phone_dir = tmp.path().join("phone");
    let mut laptop_vault = inwonercloud_tests::vault(&laptop_dir, "Anna", Role::Citizen);
    let phone_vault = inwonercloud_tests::another_device(&mut laptop_vault, &phone_dir, "telefoon");
    laptop_vault.set_postbus(Some(&addr)).unwrap();
    phone_vault.set_postbus(Some(&addr)).unwrap();
    drop(phone_vault);
    let laptop = Node::spawn(laptop_vault, NodeConfig::loopback()).await.unwrap();
    let plan = laptop.with_vault(|v| v.plan_doc());
    laptop.with_vault(|v| {
        v.add_goal(&plan, LifeDomain::Wonen, "op de laptop geschreven", None)
            .unwrap()
    });
    // The first round leaves every document's changes of this device not
    // left there before (the plan among them).
    let r = laptop.postbus_round().await;
    assert!(r.deposited >= 1, "{r:?}");
    assert!(laptop.with_vault(|v| v.mail_waiting()).is_empty());

    pb.shutdown().await;
    drop(pb);
    let pb = Postbus::spawn(&dir, cfg).await.unwrap();
    assert_eq!(pb.addr().endpoint, addr.endpoint, "the postbus keeps its key");

    let phone = reopen(&phone_dir).await;
    let r = phone.postbus_round().await;
    assert!(r.received >= 1 && r.problems.is_empty(), "{r:?}");
    assert!(goals(&phone, &plan).iter().any(|(t, _)| t == "op de laptop geschreven"));
}
