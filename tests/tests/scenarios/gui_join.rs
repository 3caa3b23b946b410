//! Joining with a pasted ticket in the app (egui_kittest), no terminal: a
//! provider on 127.0.0.1 makes an invite for its catalogue; the citizen
//! pastes the invite text under Delen and clicks Verbinden; the provider
//! becomes a peer and its offering appears on her Marktplaats, signed by it.
//! An invite text that is not one is refused in Dutch and joins nothing.

use egui_kittest::kittest::Queryable;
use inwonercloud_schemas::Role;
use inwonercloud_sync::NodeConfig;

use super::ui::{click, go, notice, provider_inviting, type_into, unlocked, wait_for, wait_for_offering, workspace};

#[test]
fn a_citizen_joins_a_provider_by_pasting_its_invite_under_delen() {
    let tmp = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let zorg = provider_inviting(&rt, &tmp.path().join("zorg"));

    let citizen = tmp.path().join("sanne");
    drop(inwonercloud_tests::vault(&citizen, "Sanne", Role::Citizen));
    let mut h = unlocked(&citizen, Some(NodeConfig::loopback()));
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
    assert!(workspace(&h).views.peers.is_empty());

    type_into(&mut h, "Uitnodigingstekst", &zorg.invite);
    click(&mut h, "Verbinden");
    wait_for_offering(&mut h, &zorg);
    let ws = workspace(&h);
    assert!(
        ws.views.peers.iter().any(|p| p.identity == zorg.identity),
        "the provider is a peer"
    );
    let o = ws
        .views
        .offerings
        .iter()
        .find(|o| o.offering.record.id == zorg.offering)
        .unwrap();
    assert_eq!(o.offering.author, zorg.identity, "signed by the provider itself");
    go(&mut h, "Marktplaats");
    assert!(h.query_by_label_contains("Begeleiding thuis").is_some());
    drop(h);
    rt.block_on(zorg.node.shutdown());
}
