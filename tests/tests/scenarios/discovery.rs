//! A market a citizen can find, over real iroh connections on 127.0.0.1:
//! providers join a municipality, which admits two of them and republishes
//! their catalogues; a citizen who joined only the municipality sees both,
//! each offering verifying against its provider's key, and can order; an
//! offering altered by a relayer is refused; a provider the municipality
//! did not admit is not republished.

use inwonercloud_schemas::{Access, DocKind, Offering, PublicKey, Role, Signed};
use inwonercloud_sync::Node;
use inwonercloud_tests::{change_on_top, day, eur, invite, node, offering, sync};
use inwonercloud_vault::discovery::OfferingFilter;
use inwonercloud_vault::{VaultError, keys};
use rust_decimal::Decimal;

/// The world of these tests: a municipality, two providers it admitted and
/// one that joined it but was not admitted.
pub(crate) struct Market {
    pub gemeente: Node,
    pub linde: Node,
    pub anker: Node,
    pub outsider: Node,
}

/// A provider that publishes one offering in `region` at `cents` and joins
/// the municipality in the provider role (announcing where it serves).
async fn provider_joins(gemeente: &Node, p: &Node, region: &str, cents: i64, availability: &str) {
    let addrs: Vec<String> = p.addrs().iter().map(|a| a.to_string()).collect();
    p.with_vault(|v| {
        v.set_setting("serve_addrs", &addrs.join(",")).unwrap();
        let name = v.name().to_string();
        let mut o = offering(&name, eur(cents));
        o.region = region.into();
        o.availability = availability.into();
        v.publish_offering(o).unwrap();
    });
    let t = invite(gemeente, Role::Provider, &[DocKind::Policy], Access::Read);
    p.join(&t.to_string().parse().unwrap()).await.unwrap();
}

/// Builds the world: the municipality holds all three catalogues and
/// admitted De Linde and Het Anker.
pub(crate) async fn market(dir: &std::path::Path) -> Market {
    let gemeente = node(&dir.join("g"), "Gemeente Woerden", Role::Municipality).await;
    let linde = node(&dir.join("p1"), "Zorg De Linde", Role::Provider).await;
    let anker = node(&dir.join("p2"), "Het Anker", Role::Provider).await;
    let outsider = node(&dir.join("p3"), "Niet Gecontracteerd", Role::Provider).await;
    provider_joins(&gemeente, &linde, "Woerden", 6250, "werkdagen").await;
    provider_joins(&gemeente, &anker, "Woerden en Delft", 5800, "ook in het weekend").await;
    provider_joins(&gemeente, &outsider, "Woerden", 4000, "werkdagen").await;
    for p in [&linde, &anker, &outsider] {
        let cat = p.with_vault(|v| v.doc_id(DocKind::Catalogue));
        assert!(
            gemeente.with_vault(|v| v.document_ids().contains(&cat)),
            "the municipality received the catalogue of a provider that joined it"
        );
    }
    for p in [&linde, &anker] {
        let id = identity(p);
        gemeente.with_vault(|v| v.admit_provider(&id).unwrap());
    }
    Market {
        gemeente,
        linde,
        anker,
        outsider,
    }
}

fn identity(n: &Node) -> PublicKey {
    n.with_vault(|v| v.identity())
}

/// A citizen who joins the municipality's invite and nothing else.
async fn joined_citizen(dir: &std::path::Path, gemeente: &Node) -> Node {
    let citizen = node(dir, "Sanne", Role::Citizen).await;
    let t = invite(gemeente, Role::Citizen, &[DocKind::Policy], Access::Read);
    citizen.join(&t.to_string().parse().unwrap()).await.unwrap();
    citizen
}

/// Whether `s` verifies and was signed by a device of `provider`.
fn signed_by(s: &Signed<Offering>, provider: &PublicKey) -> bool {
    keys::verify_certificate(&s.device).is_ok()
        && keys::verify_record(s).is_ok()
        && &s.device.certificate.identity == provider
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_who_joined_only_the_municipality_sees_every_admitted_provider() {
    let tmp = tempfile::tempdir().unwrap();
    let m = market(tmp.path()).await;
    let citizen = joined_citizen(&tmp.path().join("c"), &m.gemeente).await;

    let market = citizen.with_vault(|v| v.offerings().unwrap());
    assert_eq!(market.len(), 2, "both admitted providers, nothing else: {market:?}");
    for p in [&m.linde, &m.anker] {
        let (id, name) = p.with_vault(|v| (v.identity(), v.name().to_string()));
        let o = market
            .iter()
            .find(|o| o.provider == id)
            .unwrap_or_else(|| panic!("{name} is in the market"));
        assert_eq!(o.offering.author, id, "signed by the provider itself");
        assert_eq!(o.offering.author_name, name, "named from its certificate");
        assert!(signed_by(&o.offering.signed, &id), "verifies against {name}'s key");
        assert!(!signed_by(&o.offering.signed, &identity(&m.gemeente)));
        assert_eq!(o.admitted_by, vec!["Gemeente Woerden".to_string()]);
    }
    let outsider_cat = m.outsider.with_vault(|v| v.doc_id(DocKind::Catalogue));
    assert!(
        !citizen.with_vault(|v| v.document_ids().contains(&outsider_cat)),
        "a provider the municipality did not admit is not republished"
    );
    assert!(
        !m.gemeente
            .with_vault(|v| v.documents_for_peer(&identity(&citizen)).unwrap())
            .contains(&outsider_cat)
    );

    // One query for the command line and the window: each filter narrows.
    let find = |f: OfferingFilter| -> Vec<String> {
        citizen
            .with_vault(|v| v.find_offerings(&f).unwrap())
            .into_iter()
            .map(|o| o.offering.author_name)
            .collect()
    };
    let region = OfferingFilter {
        region: Some("delft".into()),
        ..Default::default()
    };
    assert_eq!(find(region), vec!["Het Anker"]);
    let price = OfferingFilter {
        max_price: Some(eur(6000)),
        ..Default::default()
    };
    assert_eq!(find(price), vec!["Het Anker"]);
    let when = OfferingFilter {
        availability: Some("Weekend".into()),
        ..Default::default()
    };
    assert_eq!(find(when), vec!["Het Anker"]);
    let category = OfferingFilter {
        category: Some("begeleiding".into()),
        admitted_only: true,
        ..Default::default()
    };
    assert_eq!(find(category).len(), 2);
    let nothing = OfferingFilter {
        category: Some("vervoer".into()),
        ..Default::default()
    };
    assert!(find(nothing).is_empty());

    // Withdrawn: no longer republished, no longer marked admitted.
    let anker = identity(&m.anker);
    m.gemeente.with_vault(|v| v.withdraw_provider(&anker).unwrap());
    let anker_cat = DocKind::Catalogue.doc_id(&anker);
    assert!(
        !m.gemeente
            .with_vault(|v| v.documents_for_peer(&identity(&citizen)).unwrap())
            .contains(&anker_cat)
    );
    sync(&citizen, &m.gemeente).await;
    let market = citizen.with_vault(|v| v.offerings().unwrap());
    let o = market.iter().find(|o| o.provider == anker).unwrap();
    assert!(o.admitted_by.is_empty(), "the withdrawal reached the citizen");
    let only_admitted = OfferingFilter {
        admitted_only: true,
        ..Default::default()
    };
    assert_eq!(
        citizen.with_vault(|v| v.find_offerings(&only_admitted).unwrap()).len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offering_altered_in_transit_is_refused_and_shows_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let m = market(tmp.path()).await;
    let citizen = node(&tmp.path().join("c"), "Sanne", Role::Citizen).await;
    let t = invite(&m.gemeente, Role::Citizen, &[DocKind::Policy], Access::Read);
    // The citizen joins, but takes the catalogue in by hand below.
    m.gemeente
        .with_vault(|v| v.withdraw_provider(&identity(&m.anker)).unwrap());
    m.gemeente
        .with_vault(|v| v.withdraw_provider(&identity(&m.linde)).unwrap());
    citizen.join(&t.to_string().parse().unwrap()).await.unwrap();
    assert!(citizen.with_vault(|v| v.offerings().unwrap()).is_empty());

    // What the municipality relays: the provider's header, certificates and changes.
    let cat = m.linde.with_vault(|v| v.doc_id(DocKind::Catalogue));
    let (header, changes, certs) = m.gemeente.with_vault(|v| {
        let changes = v.signed_changes(&cat).unwrap();
        let certs = v.certificates_for(&cat, &changes).unwrap();
        (v.signed_header(&cat).unwrap(), changes, certs)
    });
    let gemeente_id = identity(&m.gemeente);
    let stranger = identity(&m.outsider);
    citizen.with_vault(|v| {
        assert!(
            v.accepts_document_from(&gemeente_id, &header.record),
            "relayed by the municipality it joined"
        );
        assert!(
            !v.accepts_document_from(&stranger, &header.record),
            "a relay by a peer that is not a municipality it joined is not taken"
        );
    });

    // 1. The change bytes altered: the price 62.50 becomes 12.50 where it
    //    stands in plain bytes, else one byte in the middle of the change.
    let mut altered = changes.clone();
    let needle = b"62.50";
    let last = altered.last_mut().expect("the catalogue has changes");
    match last.bytes.windows(needle.len()).position(|w| w == needle) {
        Some(i) => last.bytes[i] = b'1',
        None => {
            let i = last.bytes.len() / 2;
            last.bytes[i] ^= 0x01;
        }
    }
    let r = citizen.with_vault(|v| v.import_changes(&header, &certs, &altered, "Gemeente Woerden"));
    assert!(r.is_err(), "altered bytes are refused: {r:?}");

    // 2. The record altered by the relayer in a change of its own, keeping
    //    the provider's signature.
    let o = m.linde.with_vault(|v| v.offerings().unwrap().remove(0));
    let mut forged = o.offering.signed.clone();
    forged.record.price = eur(1250);
    let key = format!("offering/{}", o.offering.record.id);
    let json = serde_json::to_string(&forged).unwrap();
    let relay_change = m
        .gemeente
        .with_vault(|v| change_on_top(v, &cat, &changes, &key, &json, None));
    let mut with_forgery = changes.clone();
    with_forgery.push(relay_change);
    let gemeente_cert = m.gemeente.with_vault(|v| v.device_certificate().clone());
    let mut certs_too = certs.clone();
    certs_too.push(gemeente_cert);
    let r = citizen.with_vault(|v| v.import_changes(&header, &certs_too, &with_forgery, "Gemeente Woerden"));
    assert!(matches!(r, Err(VaultError::ChangeRefused { .. })), "{r:?}");

    assert!(
        citizen.with_vault(|v| v.offerings().unwrap()).is_empty(),
        "nothing of a refused relay is shown"
    );
    assert!(!citizen.with_vault(|v| v.document_ids().contains(&cat)));
    let refused = citizen.with_vault(|v| v.rejections().unwrap());
    assert!(
        refused.len() >= 2,
        "both refusals are in the rejections log: {refused:?}"
    );

    // 3. A forged record that did enter (the provider's signature over other
    //    bytes) would never count: the same relay untouched is accepted and
    //    verifies, the forged envelope does not.
    citizen.with_vault(|v| v.import_changes(&header, &certs, &changes, "Gemeente Woerden").unwrap());
    let seen = citizen.with_vault(|v| v.offerings().unwrap());
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].offering.record.price, eur(6250));
    assert!(keys::verify_record(&forged).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_orders_from_a_provider_it_never_joined() {
    let tmp = tempfile::tempdir().unwrap();
    let m = market(tmp.path()).await;
    let citizen = node(&tmp.path().join("c"), "Sanne", Role::Citizen).await;
    // The citizen shares her budget with the municipality (which makes it a
    // municipality she trusts) and is granted a budget.
    let account = crate::market::granted_citizen(&citizen, &m.gemeente, 500_000).await;
    sync(&citizen, &m.gemeente).await;
    let linde = identity(&m.linde);
    let o = citizen
        .with_vault(|v| v.offerings().unwrap())
        .into_iter()
        .find(|o| o.provider == linde)
        .expect("De Linde is in the market");
    assert!(citizen.with_vault(|v| v.peer(&linde).unwrap()).is_none(), "never met");

    let ag = citizen.with_vault(|v| {
        v.order(
            &o.offering.record.id,
            &account,
            Decimal::from(10),
            day("2027-01-01"),
            day("2027-03-31"),
        )
        .unwrap()
    });
    // The provider's address came with the municipality's admission.
    let addr = citizen
        .peer_addr(&linde)
        .expect("the citizen learned where De Linde serves");
    citizen.sync_once(addr.clone()).await.unwrap();
    m.linde.with_vault(|v| v.countersign(&ag.id).unwrap());
    citizen.sync_once(addr).await.unwrap();
    let view = citizen.with_vault(|v| v.agreement(&ag.id).unwrap());
    assert!(view.countersigned, "the countersignature came back");
    assert_eq!(view.agreement.record.provider, linde);
}

#[test]
fn only_a_municipality_admits_and_only_a_trusted_ones_admission_counts() {
    use inwonercloud_tests::{hand_over, remember, vault};
    let tmp = tempfile::tempdir().unwrap();
    let mut gemeente = vault(&tmp.path().join("g"), "Gemeente Woerden", Role::Municipality);
    let mut fake = vault(&tmp.path().join("f"), "Gemeente Nep", Role::Municipality);
    let mut linde = vault(&tmp.path().join("p"), "Zorg De Linde", Role::Provider);
    let mut citizen = vault(&tmp.path().join("c"), "Sanne", Role::Citizen);
    linde.publish_offering(offering("Zorg De Linde", eur(6250))).unwrap();
    let p = linde.identity();

    // Not a provider that joined: refused, nothing signed.
    let r = gemeente.admit_provider(&p);
    assert!(matches!(r, Err(VaultError::NotAllowed(_))), "{r:?}");
    assert!(gemeente.provider_admissions().unwrap().is_empty());
    // Not a municipality: refused.
    citizen.admit(p).unwrap();
    remember(&mut citizen, &linde);
    assert!(matches!(citizen.admit_provider(&p), Err(VaultError::NotAllowed(_))));
    citizen.withdraw_provider(&p).unwrap_err();

    for g in [&mut gemeente, &mut fake] {
        g.admit(p).unwrap();
        remember(g, &linde);
        let a = g.admit_provider(&p).unwrap();
        assert_eq!(a.name, "Zorg De Linde");
        assert_eq!(a.devices, vec![linde.device_key().public()]);
    }

    // The citizen trusts only Woerden (pinned after comparing its
    // fingerprint): only Woerden may relay a catalogue to her.
    let mut citizen = vault(&tmp.path().join("c2"), "Sanne", Role::Citizen);
    citizen
        .pin_municipality(gemeente.identity(), "Gemeente Woerden")
        .unwrap();
    let header = linde.signed_header(&linde.doc_id(DocKind::Catalogue)).unwrap().record;
    assert!(citizen.accepts_document_from(&gemeente.identity(), &header));
    assert!(
        !citizen.accepts_document_from(&fake.identity(), &header),
        "a municipality the citizen neither trusts nor joined relays nothing to her"
    );
    // She holds the catalogue and both admissions; only Woerden's counts.
    hand_over(&linde, &mut citizen, &linde.doc_id(DocKind::Catalogue));
    hand_over(&gemeente, &mut citizen, &gemeente.doc_id(DocKind::Policy));
    hand_over(&fake, &mut citizen, &fake.doc_id(DocKind::Policy));
    let seen = citizen.offerings().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].admitted_by, vec!["Gemeente Woerden".to_string()]);
    citizen.unpin_municipality(&gemeente.identity()).unwrap();
    let seen = citizen.offerings().unwrap();
    assert!(seen[0].admitted_by.is_empty(), "no admission counts without trust");
    assert!(
        seen[0].offering.author == p,
        "the offering itself still shows, as the provider signed it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relayer_that_alters_an_offering_on_the_wire_is_refused() {
    use crate::sync_hostile::{connect, error_code, read_frame};
    use inwonercloud_sync::wire::{ChangesHead, Code, Frame, Offer};
    use inwonercloud_tests::vault;

    let tmp = tempfile::tempdir().unwrap();
    let citizen = node(&tmp.path().join("c"), "Sanne", Role::Citizen).await;
    let mut linde = vault(&tmp.path().join("p"), "Zorg De Linde", Role::Provider);
    linde.publish_offering(offering("Zorg De Linde", eur(6250))).unwrap();
    // A municipality the citizen trusts (pinned), relaying by hand: it may
    // pass a catalogue on, so the citizen asks for it.
    let relay = vault(&tmp.path().join("g"), "Gemeente Woerden", Role::Municipality);
    citizen.with_vault(|v| v.pin_municipality(relay.identity(), "Gemeente Woerden").unwrap());

    let cat = linde.doc_id(DocKind::Catalogue);
    let header = linde.signed_header(&cat).unwrap();
    let changes = linde.signed_changes(&cat).unwrap();
    let certs = linde.certificates_for(&cat, &changes).unwrap();

    // 1. The provider's change with one byte flipped; 2. a change of the
    //    relayer's own putting a cheaper copy of the offering in.
    let o = linde.offerings().unwrap().remove(0);
    let mut forged = o.offering.signed.clone();
    forged.record.price = eur(1250);
    let forged = serde_json::to_string(&forged).unwrap();
    let key = format!("offering/{}", o.offering.record.id);
    for attempt in 0..2 {
        let (sent, sent_certs) = if attempt == 0 {
            let mut c = changes.clone();
            let last = c.last_mut().unwrap();
            let i = last.bytes.len() / 2;
            last.bytes[i] ^= 0x01;
            (c, certs.clone())
        } else {
            let mut c = changes.clone();
            c.push(change_on_top(&relay, &cat, &changes, &key, &forged, None));
            let mut k = certs.clone();
            k.push(relay.device_certificate().clone());
            (c, k)
        };
        let mut raw = connect(&citizen, &relay).await;
        let offer = Frame::Offer(Offer {
            docs: vec![header.clone()],
            known: vec![],
            withdrawn: vec![],
        });
        raw.send.write_all(&offer.encode()).await.unwrap();
        loop {
            match read_frame(&mut raw.recv).await {
                Some(Frame::Want(w)) if w.doc == cat => break,
                Some(_) => continue,
                None => panic!("the citizen did not ask for the relayed catalogue"),
            }
        }
        let head = ChangesHead {
            doc: cat.clone(),
            certs: sent_certs,
            last: true,
        };
        raw.send.write_all(&Frame::Changes(head, sent).encode()).await.unwrap();
        assert_eq!(
            error_code(&mut raw).await,
            Some(Code::RefusedChange),
            "attempt {attempt}"
        );
    }
    assert!(
        citizen.with_vault(|v| v.offerings().unwrap()).is_empty(),
        "nothing of an altered relay shows"
    );
    assert!(!citizen.with_vault(|v| v.document_ids().contains(&cat)));
    let refused = citizen.with_vault(|v| v.rejections().unwrap());
    assert!(
        refused.iter().filter(|r| r.from == "Gemeente Woerden").count() >= 2,
        "{refused:?}"
    );
}
