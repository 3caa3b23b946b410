//! Joining with a pasted ticket in the app (egui_kittest), no terminal: a
//! provider on 127.0.0.1 makes an invite for its catalogue; the citizen
//! pastes the invite text under Delen and clicks Verbinden; the provider
//! becomes a peer and its offering appears on her Marktplaats, signed by it.
//! An invite text that is not one is refused in Dutch and joins nothing.

use egui_kittest::kittest::Queryable;
use inwonercloud_schemas::{Access, DocKind, Role};
use inwonercloud_sync::{Node, NodeConfig};

use super::ui::{app, click, go, notice, options, settle, type_into, unlock, wait_for};

#[test]
fn a_citizen_joins_a_provider_by_pasting_its_invite_under_delen() {
    let tmp = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut zorg = inwonercloud_tests::vault(&tmp.path().join("zorg"), "Zorg De Linde", Role::Provider);
    let offering = zorg
        .publish_offering(inwonercloud_tests::offering(
            "Zorg De Linde",
            rust_decimal::Decimal::new(6250, 2),
        ))
        .unwrap();
    let provider = zorg.identity();
    let node = rt.block_on(Node::spawn(zorg, NodeConfig::loopback())).unwrap();
    let ticket = inwonercloud_tests::invite(&node, Role::Citizen, &[DocKind::Catalogue], Access::Read).to_string();

    let citizen = tmp.path().join("sanne");
    drop(inwonercloud_tests::vault(&citizen, "Sanne", Role::Citizen));
    let mut h = app(options(
        &citizen,
        &tmp.path().join("demo"),
        Some(NodeConfig::loopback()),
    ));
    settle(&mut h);
    unlock(&mut h);
    go(&mut h, "Delen");

    // Something that is not an invite: a Dutch refusal, and no peer.
    type_into(&mut h, "Uitnodigingstekst", "dit is geen uitnodiging");
    click(&mut h, "Verbinden");
    wait_for(&mut h, 10, "the refusal", |a| {
        a.workspace
            .as_ref()
            .is_some_and(|w| w.notice.as_ref().is_some_and(|n| n.error))
    });
    let (_, text) = notice(&h);
    for english in ["the ", " not ", "invalid", "cannot"] {
        assert!(!text.contains(english), "Dutch refusal, not English: {text}");
    }
    assert!(h.state().workspace.as_ref().unwrap().views.peers.is_empty());

    type_into(&mut h, "Uitnodigingstekst", &ticket);
    click(&mut h, "Verbinden");
    wait_for(&mut h, 30, "the provider's offering to arrive", |a| {
        a.workspace
            .as_ref()
            .is_some_and(|w| w.views.offerings.iter().any(|o| o.offering.record.id == offering.id))
    });
    let ws = h.state().workspace.as_ref().unwrap();
    assert!(
        ws.views.peers.iter().any(|p| p.identity == provider),
        "the provider is a peer"
    );
    let o = ws
        .views
        .offerings
        .iter()
        .find(|o| o.offering.record.id == offering.id)
        .unwrap();
    assert_eq!(o.offering.author, provider, "signed by the provider itself");
    go(&mut h, "Marktplaats");
    assert!(h.query_by_label_contains("Begeleiding thuis").is_some());
    drop(h);
    rt.block_on(node.shutdown());
}
