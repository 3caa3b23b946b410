//! Several real nodes on 127.0.0.1: selective sharing, own devices,
//! concurrent edits, revocation, and the cost of an incremental sync.

use std::collections::BTreeSet;
use std::str::FromStr;

use inwonercloud_schemas::{
    Access, AgreedService, Agreement, DocKind, FundingStream, Goal, GoalStatus, LifeDomain, Role, ServiceUnit,
};
use inwonercloud_sync::{Node, NodeConfig};
use inwonercloud_tests::{day, euro_account, eventually, invite, node};
use inwonercloud_vault::Vault;
use inwonercloud_vault::consent::InviteSpec;
use rust_decimal::Decimal;

fn owned_by(n: &Node, owner: &str) -> BTreeSet<String> {
    n.with_vault(|v| v.document_ids().into_iter().filter(|d| d.starts_with(owner)).collect())
}

fn agreement(id: &str, citizen: &Node, provider: &Node, tariff: &str) -> Agreement {
    Agreement {
        id: id.into(),
        citizen: citizen.with_vault(|v| v.identity()),
        provider: provider.with_vault(|v| v.identity()),
        account: "wmo".into(),
        services: vec![AgreedService {
            offering_id: "o1".into(),
            category: "huishoudelijke_hulp".into(),
            unit: ServiceUnit::Uur,
            tariff: Decimal::from_str(tariff).unwrap(),
            tariff_unit: inwonercloud_schemas::Unit::Euro,
            max_units: Decimal::from(100),
        }],
        period_start: day("2026-01-01"),
        period_end: day("2026-12-31"),
        informal: false,
        member: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seven_parties_each_hold_exactly_what_their_consents_cover() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |n: &str| tmp.path().join(n);
    let anna = node(&p("anna"), "Anna", Role::Citizen).await;
    let bert = node(&p("bert"), "Bert", Role::Counselor).await;
    let fam = node(&p("fam"), "Fatima (zus)", Role::Family).await;
    let prov_a = node(&p("a"), "Thuiszorg A", Role::Provider).await;
    let prov_b = node(&p("b"), "Zorg B", Role::Provider).await;
    let gemeente = node(&p("oss"), "Gemeente Oss", Role::Municipality).await;
    let phone = Node::spawn(
        Vault::create_unlinked(&p("phone"), "telefoon", &inwonercloud_tests::pass()).unwrap(),
        NodeConfig::loopback(),
    )
    .await
    .unwrap();

    let me = anna.with_vault(|v| v.identity().to_string());
    let (plan, budget, journal, consents, profile) = anna.with_vault(|v| {
        (
            v.plan_doc(),
            v.budget_doc(),
            v.doc_id(DocKind::Journal),
            v.consents_doc(),
            v.doc_id(DocKind::Profile),
        )
    });
    anna.with_vault(|v| {
        v.add_goal(&plan, LifeDomain::Wonen, "Zelfstandig wonen", None).unwrap();
        let acct = euro_account(v, "Wmo 2026", FundingStream::Wmo);
        v.top_up(&budget, &acct, Decimal::new(1250, 2), day("2026-02-01"), "")
            .unwrap();
        v.add_note("GEHEIM-dagboek: alleen voor mij").unwrap();
    });
    let (pa, pb) = (prov_a.with_vault(|v| v.identity()), prov_b.with_vault(|v| v.identity()));
    let ag_a = anna.with_vault(|v| v.open_agreement_doc(pa).unwrap());
    let ag_b = anna.with_vault(|v| v.open_agreement_doc(pb).unwrap());
    let rec_a = agreement("ovk-a", &anna, &prov_a, "34.20");
    let rec_b = agreement("ovk-b", &anna, &prov_b, "41.99");
    anna.with_vault(|v| {
        v.put_record(&ag_a, "ovk-a", rec_a).unwrap();
        v.put_record(&ag_b, "ovk-b", rec_b).unwrap();
    });

    // Own phone: a device ticket; it then holds everything, both ways.
    let device_ticket = anna
        .invite(
            InviteSpec {
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
        .unwrap();
    phone.join(&device_ticket).await.unwrap();
    assert_eq!(phone.with_vault(|v| v.identity().to_string()), me);

    bert.join(&invite(&anna, Role::Counselor, &[DocKind::Plan], Access::Write))
        .await
        .unwrap();
    fam.join(&invite(&anna, Role::Family, &[DocKind::Plan], Access::Read))
        .await
        .unwrap();
    gemeente
        .join(&invite(&anna, Role::Municipality, &[DocKind::Budget], Access::Write))
        .await
        .unwrap();
    // Providers are invited to their own agreement only.
    for (prov, doc) in [(&prov_a, &ag_a), (&prov_b, &ag_b)] {
        let ticket = anna
            .invite(
                InviteSpec {
                    role: Role::Provider,
                    documents: vec![doc.clone()],
                    access: Access::Write,
                    valid_until: None,
                    purpose: "zorgovereenkomst".into(),
                    name_hint: String::new(),
                    device: false,
                },
                600,
            )
            .unwrap();
        prov.join(&ticket).await.unwrap();
    }
    // A second consent for a known peer: Bert may read the budget too.
    let bert_id = bert.with_vault(|v| v.identity());
    anna.with_vault(|v| {
        v.grant_consent(
            bert_id,
            "Bert",
            Role::Counselor,
            vec![budget.clone()],
            Access::Read,
            None,
            "hulp bij aanvragen",
        )
        .unwrap()
    });
    bert.sync_once(anna.endpoint_addr()).await.unwrap();

    let all: BTreeSet<String> = [&profile, &plan, &budget, &journal, &consents, &ag_a, &ag_b]
        .into_iter()
        .cloned()
        .collect();
    assert_eq!(owned_by(&phone, &me), all, "phone");
    assert_eq!(
        owned_by(&bert, &me),
        BTreeSet::from([plan.clone(), budget.clone()]),
        "counselor"
    );
    assert_eq!(owned_by(&fam, &me), BTreeSet::from([plan.clone()]), "family");
    // The municipality's budget consent also covers the agreements that
    // budget pays for (it verifies the claims made under them).
    assert_eq!(
        owned_by(&gemeente, &me),
        BTreeSet::from([budget.clone(), ag_a.clone(), ag_b.clone()]),
        "municipality"
    );
    assert_eq!(owned_by(&prov_a, &me), BTreeSet::from([ag_a.clone()]), "provider A");
    assert_eq!(owned_by(&prov_b, &me), BTreeSet::from([ag_b.clone()]), "provider B");
    assert_eq!(phone.with_vault(|v| v.notes().unwrap().len()), 1);

    // Provider A holds no change of provider B's agreement (its vault API),
    // and its file does not even name that document (ids are the one thing
    // stored in the clear; values are sealed, see integrity.rs).
    let b_change = anna.with_vault(|v| v.signed_changes(&ag_b).unwrap()[0].clone());
    let held = |node: &inwonercloud_sync::Node| -> Vec<Vec<u8>> {
        node.with_vault(|v| {
            v.document_ids()
                .iter()
                .flat_map(|d| v.signed_changes(d).unwrap())
                .map(|c| c.signature.0.to_vec())
                .collect()
        })
    };
    assert!(!held(&prov_a).contains(&b_change.signature.0.to_vec()));
    assert!(
        held(&prov_b).contains(&b_change.signature.0.to_vec()),
        "the check above could not fail"
    );
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    let a_file = std::fs::read(p("a").join("vault.redb")).unwrap();
    assert!(!contains(&a_file, ag_b.as_bytes()));
    assert!(contains(&a_file, ag_a.as_bytes()), "the check above could not fail");
    // Nobody but the phone got the journal.
    let j_change = anna.with_vault(|v| v.signed_changes(&journal).unwrap()[0].clone());
    for (dir, node) in [
        ("bert", &bert),
        ("fam", &fam),
        ("a", &prov_a),
        ("b", &prov_b),
        ("oss", &gemeente),
    ] {
        assert!(
            !held(node).contains(&j_change.signature.0.to_vec()),
            "{dir} holds the journal"
        );
        let f = std::fs::read(p(dir).join("vault.redb")).unwrap();
        assert!(!contains(&f, journal.as_bytes()), "{dir} knows the journal");
    }
    assert!(
        held(&phone).contains(&j_change.signature.0.to_vec()),
        "the phone should hold the journal"
    );

    // The phone writes; the laptop takes it as the owner's own change.
    phone.with_vault(|v| {
        v.add_goal(&plan, LifeDomain::Dagbesteding, "Van de telefoon", None)
            .unwrap()
    });
    phone.sync_once(anna.endpoint_addr()).await.unwrap();
    assert_eq!(anna.with_vault(|v| v.plan(&plan).unwrap().goals.len()), 2);

    // The access log shows who got what.
    let log = anna.with_vault(|v| v.access_log().unwrap());
    assert!(log.iter().any(|l| l.doc == ag_a && l.peer_name == "Thuiszorg A"));
    assert!(!log.iter().any(|l| l.doc == ag_b && l.peer_name == "Thuiszorg A"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_offline_edits_converge_with_known_authors() {
    let tmp = tempfile::tempdir().unwrap();
    let anna = node(&tmp.path().join("anna"), "Anna", Role::Citizen).await;
    let bert = node(&tmp.path().join("bert"), "Bert", Role::Counselor).await;
    let plan = anna.with_vault(|v| v.plan_doc());
    bert.join(&invite(&anna, Role::Counselor, &[DocKind::Plan], Access::Write))
        .await
        .unwrap();
    // Both edit while not connected: different goals, and the same situation.
    anna.with_vault(|v| {
        v.add_goal(&plan, LifeDomain::Wonen, "Anna's doel", None).unwrap();
        v.set_situation(&plan, LifeDomain::Wonen, "Anna: ik woon alleen")
            .unwrap();
    });
    bert.with_vault(|v| {
        v.add_goal(&plan, LifeDomain::Wonen, "Bert's doel", None).unwrap();
        v.set_situation(&plan, LifeDomain::Wonen, "Bert: woont zelfstandig met hulp")
            .unwrap();
    });
    bert.sync_once(anna.endpoint_addr()).await.unwrap();
    let a = anna.with_vault(|v| serde_json::to_value(v.plan(&plan).unwrap()).unwrap());
    let b = bert.with_vault(|v| serde_json::to_value(v.plan(&plan).unwrap()).unwrap());
    assert_eq!(a, b, "replicas differ");
    let mut ha = anna.with_vault(|v| v.heads(&plan).unwrap());
    let mut hb = bert.with_vault(|v| v.heads(&plan).unwrap());
    ha.sort();
    hb.sort();
    assert_eq!(ha, hb);
    let goals = anna.with_vault(|v| v.plan(&plan).unwrap().goals);
    let authors: BTreeSet<(String, String)> = goals
        .iter()
        .map(|g| (g.record.text.clone(), g.author_name.clone()))
        .collect();
    assert!(authors.contains(&("Anna's doel".into(), "Anna".into())));
    assert!(authors.contains(&("Bert's doel".into(), "Bert".into())));
    // The situation kept one value (the same on both), and its author is known.
    let sit = anna.with_vault(|v| v.plan(&plan).unwrap().situations);
    assert_eq!(sit.len(), 1);
    let expected = if sit[0].record.situation.starts_with("Anna") {
        "Anna"
    } else {
        "Bert"
    };
    assert_eq!(sit[0].author_name, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_family_gets_nothing_new_and_revoked_counselor_cannot_write() {
    let tmp = tempfile::tempdir().unwrap();
    let anna = node(&tmp.path().join("anna"), "Anna", Role::Citizen).await;
    let bert = node(&tmp.path().join("bert"), "Bert", Role::Counselor).await;
    let fam = node(&tmp.path().join("fam"), "Fatima", Role::Family).await;
    let plan = anna.with_vault(|v| v.plan_doc());
    anna.with_vault(|v| v.add_goal(&plan, LifeDomain::Wonen, "eerste", None).unwrap());
    bert.join(&invite(&anna, Role::Counselor, &[DocKind::Plan], Access::Write))
        .await
        .unwrap();
    fam.join(&invite(&anna, Role::Family, &[DocKind::Plan], Access::Read))
        .await
        .unwrap();
    bert.with_vault(|v| {
        v.add_goal(&plan, LifeDomain::Wonen, "van Bert, vóór intrekken", None)
            .unwrap()
    });
    bert.sync_once(anna.endpoint_addr()).await.unwrap();
    assert_eq!(fam.with_vault(|v| v.plan(&plan).unwrap().goals.len()), 1);

    // Fatima stays connected live; revocation drops the plan from her session.
    let _live = fam.keep_connected(anna.endpoint_addr());
    assert!(eventually(10, || fam.with_vault(|v| v.plan(&plan).unwrap().goals.len()) == 2).await);
    let ids = anna.with_vault(|v| v.consents().unwrap());
    let fam_id = fam.with_vault(|v| v.identity());
    let bert_id = bert.with_vault(|v| v.identity());
    for c in &ids {
        if c.consent.record.grantee == fam_id || c.consent.record.grantee == bert_id {
            anna.with_vault(|v| v.revoke_consent(&c.consent.record.id, "niet meer nodig").unwrap());
        }
    }
    anna.with_vault(|v| v.add_goal(&plan, LifeDomain::Wonen, "na intrekken", None).unwrap());
    // Give the live session time to (wrongly) deliver, then also try a fresh sync.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let _ = fam.sync_once(anna.endpoint_addr()).await;
    let fam_goals = fam.with_vault(|v| v.plan(&plan).unwrap().goals);
    assert_eq!(fam_goals.len(), 2, "family received a change made after revocation");
    assert!(!fam_goals.iter().any(|g| g.record.text == "na intrekken"));

    // Bert, who had not heard of it, writes after revocation: Anna asks
    // nothing of him and sends him the header that revokes him, so his
    // session ends normally, he learns he no longer writes, and nothing of
    // his late change is applied.
    bert.with_vault(|v| {
        v.add_goal(&plan, LifeDomain::Wonen, "na intrekken, van Bert", None)
            .unwrap()
    });
    bert.sync_once(anna.endpoint_addr()).await.unwrap();
    assert!(
        !bert.with_vault(|v| v.header(&plan).unwrap().may_write(&bert_id)),
        "Bert learned that he no longer writes"
    );
    let late = bert.with_vault(|v| v.add_goal(&plan, LifeDomain::Wonen, "nog later", None));
    assert!(late.is_err(), "and his vault no longer lets him write");
    let goals: Vec<Goal> = anna.with_vault(|v| v.plan(&plan).unwrap().goals.into_iter().map(|g| g.record).collect());
    assert_eq!(goals.len(), 3);
    assert!(
        goals
            .iter()
            .any(|g| g.text == "van Bert, vóór intrekken" && g.status == GoalStatus::Actief)
    );
    assert!(!goals.iter().any(|g| g.text == "na intrekken, van Bert"));
    // A change that does reach her anyway (a copy handed over by hand) is refused and logged.
    let late = bert.with_vault(|v| v.bundle(&plan).unwrap());
    let refused = anna.with_vault(|v| v.import_bundle(&late, "Bert"));
    assert!(refused.unwrap_err().to_string().contains("may not write"));
    assert!(
        anna.with_vault(|v| v.rejections().unwrap())
            .iter()
            .any(|r| r.from == "Bert")
    );
    // Earlier history stays valid: the vault reopens with Bert's old change.
    let dir = tmp.path().join("anna");
    anna.shutdown().await;
    drop(anna);
    let v = Vault::open(&dir, &inwonercloud_tests::pass()).unwrap();
    assert_eq!(v.plan(&plan).unwrap().goals.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_changes_sync_and_one_more_costs_about_one_change() {
    let tmp = tempfile::tempdir().unwrap();
    let anna = node(&tmp.path().join("anna"), "Anna", Role::Citizen).await;
    let fam = node(&tmp.path().join("fam"), "Fatima", Role::Family).await;
    let journal = anna.with_vault(|v| v.doc_id(DocKind::Journal));
    let notes: Vec<(String, inwonercloud_schemas::JournalNote)> = (0..10_000)
        .map(|i| {
            let id = format!("n{i:05}");
            let note = inwonercloud_schemas::JournalNote {
                id: id.clone(),
                text: format!("bon {i}: huishoudelijke hulp € {},{:02}", 30 + i % 17, i % 100),
                at: 1_780_000_000 + i,
            };
            (id, note)
        })
        .collect();
    anna.with_vault(|v| v.put_records(&journal, notes).unwrap());
    assert_eq!(anna.with_vault(|v| v.change_count(&journal).unwrap()), 10_000);
    fam.join(&invite(&anna, Role::Family, &[DocKind::Journal], Access::Read))
        .await
        .unwrap();
    assert_eq!(fam.with_vault(|v| v.change_count(&journal).unwrap()), 10_000);
    assert_eq!(
        fam.with_vault(|v| v.notes().unwrap().len()),
        0,
        "notes() reads the own journal"
    );
    let first = fam.with_vault(|v| {
        v.records::<inwonercloud_schemas::JournalNote>(&journal)
            .unwrap()
            .0
            .len()
    });
    assert_eq!(first, 10_000);

    // One more change, then a fresh one-shot sync: count every byte.
    anna.with_vault(|v| v.add_note("nog één bon").unwrap());
    let one = anna.with_vault(|v| v.signed_changes(&journal).unwrap().last().unwrap().encode().len());
    let report = fam.sync_once(anna.endpoint_addr()).await.unwrap();
    assert_eq!(report.received_changes, 1);
    let wire = report.bytes_sent + report.bytes_received;
    let doc_bytes = anna.with_vault(|v| v.save_document(&journal).unwrap().len());
    println!(
        "incremental one-shot sync: {wire} bytes on the wire for one change of {one} bytes (document save: {doc_bytes} bytes)"
    );
    // Handshake (two certificates) and one header offer dominate; the document does not.
    assert!(wire < one + 6 * 1024, "{wire} bytes for one change of {one}");
    assert!(wire * 20 < doc_bytes, "{wire} vs document {doc_bytes}");
}

/// A node that comes back on another port tells the peers it knows: they
/// dial it where it is now, and its old address is forgotten.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_moved_tells_its_peers_where_it_is_now() {
    let tmp = tempfile::tempdir().unwrap();
    let anna_dir = tmp.path().join("anna");
    let anna = node(&anna_dir, "Anna", Role::Citizen).await;
    let bert = node(&tmp.path().join("bert"), "Bert", Role::Counselor).await;
    let set_addrs = |n: &inwonercloud_sync::Node| {
        let addrs: Vec<String> = n.addrs().iter().map(|a| a.to_string()).collect();
        n.with_vault(|v| v.set_setting("serve_addrs", &addrs.join(",")))
            .unwrap();
        addrs
    };
    let first = set_addrs(&anna);
    set_addrs(&bert);
    let anna_id = anna.with_vault(|v| v.identity());
    bert.join(&invite(&anna, Role::Counselor, &[DocKind::Plan], Access::Read))
        .await
        .unwrap();
    let known = bert.with_vault(|v| v.peer(&anna_id).unwrap().unwrap().addrs);
    assert_eq!(known, first);

    // Anna stops and starts again on another port.
    anna.shutdown().await;
    drop(anna);
    let v = inwonercloud_vault::Vault::open(&anna_dir, &inwonercloud_tests::pass()).unwrap();
    let anna = inwonercloud_sync::Node::spawn(v, inwonercloud_sync::NodeConfig::loopback())
        .await
        .unwrap();
    let now = set_addrs(&anna);
    assert_ne!(now, first, "a fresh port");
    // She dials the peers she knows; her hello says where she is now.
    let _keep = anna.keep_known_peers_connected();
    assert!(
        eventually(15, || bert.with_vault(|v| v.peer(&anna_id).unwrap().unwrap().addrs)
            == now)
        .await,
        "Bert learned Anna's new address"
    );
    // And Bert reaches her there.
    let addr = bert.peer_addr(&anna_id).unwrap();
    bert.sync_once(addr).await.unwrap();
}
