//! The market in the app (egui_kittest) after a citizen joined only her
//! municipality: both providers the municipality admitted show, named from
//! their certificates and marked as admitted; the region filter narrows the
//! list to one, and a filter nothing matches says so.

use egui::accesskit::Role as A11y;
use egui_kittest::kittest::Queryable;
use inwonercloud_app::gui::Screen;
use inwonercloud_schemas::{Access, DocKind, Role};
use inwonercloud_tests::{invite, node};

use super::ui::{click, replace_text, unlocked, workspace};

/// Cards in the market: the offerings' titles shown.
fn shown(h: &egui_kittest::Harness<'static, inwonercloud_app::gui::App>, provider: &str) -> bool {
    h.query_by_label_contains(&format!("Begeleiding thuis — {provider}"))
        .is_some()
}

#[test]
fn the_market_after_joining_the_municipality_shows_admitted_providers_and_filters() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let m = super::discovery::market(tmp.path()).await;
        let citizen = node(&dir, "Sanne", Role::Citizen).await;
        let t = invite(&m.gemeente, Role::Citizen, &[DocKind::Policy], Access::Read);
        citizen.join(&t.to_string().parse().unwrap()).await.unwrap();
        for n in [&citizen, &m.gemeente, &m.linde, &m.anker, &m.outsider] {
            n.shutdown().await;
        }
    });
    drop(rt);

    let mut h = unlocked(&dir, None);
    click(&mut h, "Marktplaats");
    assert_eq!(workspace(&h).screen, Screen::Market);
    assert!(shown(&h, "Zorg De Linde"), "the first admitted provider shows");
    assert!(shown(&h, "Het Anker"), "the second admitted provider shows");
    assert!(!shown(&h, "Niet Gecontracteerd"), "a provider not admitted does not");
    assert_eq!(
        h.query_all_by_label_contains("Toegelaten door Gemeente Woerden")
            .count(),
        2,
        "each is marked as admitted by the municipality"
    );

    replace_text(&mut h, "Regio", "Delft");
    assert!(shown(&h, "Het Anker"), "Het Anker serves Delft");
    assert!(!shown(&h, "Zorg De Linde"), "De Linde does not");

    replace_text(&mut h, "Regio", "");
    replace_text(&mut h, "Beschikbaar (bv. weekend)", "weekend");
    assert!(shown(&h, "Het Anker") && !shown(&h, "Zorg De Linde"));

    replace_text(&mut h, "Beschikbaar (bv. weekend)", "");
    replace_text(&mut h, "Hoogstens per eenheid (€)", "10");
    assert!(!shown(&h, "Het Anker") && !shown(&h, "Zorg De Linde"));
    assert!(
        h.query_by_label_contains("Geen aanbod past bij deze filters").is_some(),
        "an empty result says so"
    );
    replace_text(&mut h, "Hoogstens per eenheid (€)", "60");
    assert!(
        shown(&h, "Het Anker") && !shown(&h, "Zorg De Linde"),
        "58,00 fits, 62,50 not"
    );
    assert!(
        h.query_by_role_and_label(A11y::CheckBox, "Alleen door de gemeente toegelaten aanbieders")
            .is_some()
    );
}
