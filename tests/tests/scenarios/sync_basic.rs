//! Two real nodes on 127.0.0.1: join with a ticket, co-edit the plan, live push.

use inwonercloud_schemas::{Access, DocKind, LifeDomain, Role};
use inwonercloud_tests::{eventually, invite, node};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counselor_joins_coedits_and_sees_live_edits() {
    let tmp = tempfile::tempdir().unwrap();
    let anna = node(&tmp.path().join("anna"), "Anna", Role::Citizen).await;
    let bert = node(&tmp.path().join("bert"), "Bert (begeleider)", Role::Counselor).await;
    let plan = anna.with_vault(|v| v.plan_doc());
    anna.with_vault(|v| v.add_goal(&plan, LifeDomain::Wonen, "Zelfstandig wonen", None).unwrap());

    let ticket = invite(&anna, Role::Counselor, &[DocKind::Plan], Access::Write);
    let parsed: inwonercloud_sync::Ticket = ticket.to_string().parse().unwrap();
    let report = bert.join(&parsed).await.unwrap();
    assert_eq!(report.received_changes, 1, "{report:?}");
    // The status the app shows as progress counts what arrived in the session.
    assert!(
        bert.peer_status().values().any(|p| p.received == 1),
        "{:?}",
        bert.peer_status()
    );
    assert_eq!(bert.with_vault(|v| v.plan(&plan).unwrap().goals.len()), 1);
    // Bert holds only the plan: not the budget, journal or consents.
    let held = bert.with_vault(|v| v.document_ids());
    assert!(held.contains(&plan));
    assert!(
        !held
            .iter()
            .any(|d| d.ends_with("/journal") && d.starts_with(&plan[..64]))
    );
    assert!(!held.iter().any(|d| d.ends_with("/budget")));

    // The ticket works once.
    let again = bert.join(&parsed).await.unwrap_err().to_string();
    assert!(again.contains("already used"), "{again}");

    // Bert writes; a one-shot sync brings it to Anna with Bert as author.
    bert.with_vault(|v| {
        v.add_goal(&plan, LifeDomain::WerkEnInkomen, "Vrijwilligerswerk", None)
            .unwrap()
    });
    let report = bert.sync_once(anna.endpoint_addr()).await.unwrap();
    assert_eq!(report.sent_changes, 1, "{report:?}");
    let goals = anna.with_vault(|v| v.plan(&plan).unwrap().goals);
    assert_eq!(goals.len(), 2);
    assert!(goals.iter().any(|g| g.author_name == "Bert (begeleider)"));

    // Live: Bert stays connected; Anna's next edit reaches him without a new
    // sync (the latency itself is measured in the benchmarks, not here).
    let _live = bert.keep_connected(anna.endpoint_addr());
    assert!(eventually(5, || anna.peer_status().values().any(|s| s.online)).await);
    anna.with_vault(|v| {
        v.add_goal(&plan, LifeDomain::Gezondheid, "Elke dag wandelen", None)
            .unwrap()
    });
    assert!(eventually(10, || bert.with_vault(|v| v.plan(&plan).unwrap().goals.len()) == 3).await);
    // And the access log says who got what.
    let log = anna.with_vault(|v| v.access_log().unwrap());
    assert!(log.iter().any(|l| l.doc == plan && l.peer_name.starts_with("Bert")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_tickets_and_expired_consents_give_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let anna = node(&tmp.path().join("anna"), "Anna", Role::Citizen).await;
    let bert = node(&tmp.path().join("bert"), "Bert", Role::Counselor).await;
    let plan = anna.with_vault(|v| v.plan_doc());
    anna.with_vault(|v| v.add_goal(&plan, LifeDomain::Wonen, "Zelfstandig wonen", None).unwrap());

    // A ticket valid for 0 seconds is expired a second later.
    let spec = inwonercloud_vault::consent::InviteSpec {
        role: Role::Counselor,
        documents: vec![plan.clone()],
        access: Access::Read,
        valid_until: None,
        purpose: "test".into(),
        name_hint: String::new(),
        device: false,
    };
    let ticket = anna.invite(spec, 0).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let err = bert.join(&ticket).await.unwrap_err().to_string();
    assert!(err.contains("expired"), "{err}");
    assert!(bert.with_vault(|v| v.header(&plan).is_err()), "nothing shared");

    // A consent whose last day has passed shares nothing.
    let bert_id = bert.with_vault(|v| v.identity());
    let yesterday = inwonercloud_schemas::Date::from_unix(inwonercloud_vault::keys::now() - 86_400);
    anna.with_vault(|v| {
        v.grant_consent(
            bert_id,
            "Bert",
            Role::Counselor,
            vec![plan.clone()],
            Access::Read,
            Some(yesterday),
            "x",
        )
        .unwrap()
    });
    assert!(
        !anna
            .with_vault(|v| v.documents_for_peer(&bert_id).unwrap())
            .contains(&plan)
    );
    let _ = bert.sync_once(anna.endpoint_addr()).await;
    assert!(
        bert.with_vault(|v| v.header(&plan).is_err()),
        "an expired consent shares nothing"
    );
}

/// The app's window and its node share one vault engine: a write through the
/// window's handle reaches a live peer through the engine's change event, and
/// what the node imports reaches the window the same way. The node's look at
/// the file (for *other* processes) is set to an hour here, so only the event
/// can carry either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_write_reaches_a_live_peer_through_the_change_event() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let tmp = tempfile::tempdir().unwrap();
    let no_poll = inwonercloud_sync::NodeConfig {
        poll: std::time::Duration::from_secs(3600),
        ..inwonercloud_sync::NodeConfig::loopback()
    };
    let window = inwonercloud_vault::Shared::new(inwonercloud_tests::vault(
        &tmp.path().join("anna"),
        "Anna",
        Role::Citizen,
    ));
    let anna = inwonercloud_sync::Node::spawn_shared(window.clone(), no_poll.clone())
        .await
        .unwrap();
    let bert = inwonercloud_sync::Node::spawn(
        inwonercloud_tests::vault(&tmp.path().join("bert"), "Bert", Role::Counselor),
        no_poll,
    )
    .await
    .unwrap();
    let plan = window.with(|v| v.plan_doc());
    let ticket = invite(&anna, Role::Counselor, &[DocKind::Plan], Access::Write);
    bert.join(&ticket).await.unwrap();
    let _live = bert.keep_connected(anna.endpoint_addr());
    assert!(eventually(5, || anna.peer_status().values().any(|s| s.online)).await);

    let heard = Arc::new(AtomicUsize::new(0));
    let h = heard.clone();
    window.subscribe(move |docs| {
        h.fetch_add(docs.len(), Ordering::SeqCst);
    });
    window.with(|v| v.add_goal(&plan, LifeDomain::Wonen, "Zelfstandig wonen", None).unwrap());
    assert!(
        eventually(10, || bert
            .with_vault(|v| v.plan(&plan).map(|p| p.goals.len()).unwrap_or(0))
            == 1)
        .await
    );

    let before = heard.load(Ordering::SeqCst);
    bert.with_vault(|v| v.add_goal(&plan, LifeDomain::Gezondheid, "Wandelen", None).unwrap());
    assert!(eventually(10, || window.with(|v| v.plan(&plan).unwrap().goals.len()) == 2).await);
    assert!(heard.load(Ordering::SeqCst) > before, "the window heard of the import");
}
