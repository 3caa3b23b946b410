//! Points and hours over real iroh connections on 127.0.0.1 (issue 18,
//! seed 003): the municipality's policy prices *dagbesteding* per dagdeel at
//! 12 points and states a point's worth in euros; a citizen granted points
//! orders (a reservation in points), the provider countersigns and declares,
//! the citizen approves (a spend in points) and the municipality's claims
//! check verifies it in points, apart from every euro total. A declaration
//! in euros on a points agreement, an order the policy prices in no points,
//! and transfers and top-ups from a points account are refused, each with a
//! message naming what is missing. An hours account pays per hour, 1 hour
//! per hour.

use inwonercloud_schemas::{
    Access, Approval, Declaration, DocKind, PointsArrangement, PointsValue, Policy, Quantity, Role, ServiceUnit, Unit,
    Verdict,
};
use inwonercloud_sync::Node;
use inwonercloud_tests::{day, eur, invite, node, offering, sync};
use rust_decimal::Decimal;

use super::market::{grant_quantity, order_offering, trusting};

/// The example policy with *dagbesteding* per dagdeel at 12 points and a
/// point worth € 4,50.
fn points_policy(municipality: &str) -> Policy {
    let mut p = Policy::example(municipality);
    p.points_arrangements = vec![PointsArrangement {
        category: "dagbesteding".into(),
        unit: ServiceUnit::Dagdeel,
        points: Decimal::from(12),
    }];
    p.points_values = vec![PointsValue {
        category: "dagbesteding".into(),
        euros_per_point: eur(450),
    }];
    p
}

/// An offering of `provider` in `category` per `unit` at `price` euros.
fn offered(provider: &str, category: &str, unit: ServiceUnit, price: Decimal) -> inwonercloud_schemas::Offering {
    let mut o = offering(provider, price);
    o.service = format!("{category} per {unit:?}");
    o.category = category.into();
    o.unit = unit;
    o
}

/// The citizen admits the municipality (writing her budget and plan).
async fn admit_municipality(citizen: &Node, gemeente: &Node) {
    let t = invite(
        citizen,
        Role::Municipality,
        &[DocKind::Budget, DocKind::Plan],
        Access::Write,
    );
    gemeente.join(&t.to_string().parse().unwrap()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn points_are_granted_reserved_spent_and_verified_in_points() {
    let tmp = tempfile::tempdir().unwrap();
    let citizen = node(&tmp.path().join("c"), "Sanne", Role::Citizen).await;
    let provider = node(&tmp.path().join("p"), "Dagcentrum De Boei", Role::Provider).await;
    let gemeente = node(&tmp.path().join("g"), "Gemeente Oss", Role::Municipality).await;
    gemeente.with_vault(|v| v.publish_policy(points_policy("Gemeente Oss")).unwrap());
    admit_municipality(&citizen, &gemeente).await;

    // Granted: 240 points for dagbesteding, through request and decision.
    let points = Quantity::new(Decimal::from(240), Unit::Points).unwrap();
    let account = grant_quantity(&citizen, &gemeente, "dagbesteding", points).await;
    let policy = citizen
        .with_vault(|v| v.policy())
        .expect("the citizen holds the policy");
    assert_eq!(
        policy.record.points_tariff("dagbesteding", ServiceUnit::Dagdeel),
        Some(Decimal::from(12))
    );
    let budget = citizen.with_vault(|v| v.budget_doc());
    let figures = |n: &Node| n.with_vault(|v| v.budget(&budget).unwrap().report.accounts[&account].clone());
    let f = figures(&citizen);
    assert_eq!(
        (f.unit, f.granted, f.remaining),
        (Some(Unit::Points), Decimal::from(240), Decimal::from(240))
    );

    // Reserved: 10 dagdelen at the policy's 12 points, not the offering's € 55.
    let dag = offered("Dagcentrum De Boei", "dagbesteding", ServiceUnit::Dagdeel, eur(5500));
    let (offering_id, ag) = order_offering(&citizen, &provider, &account, dag, 10).await;
    let agreement = citizen.with_vault(|v| v.agreement(&ag).unwrap());
    let service = &agreement.agreement.record.services[0];
    assert_eq!((service.tariff, service.tariff_unit), (Decimal::from(12), Unit::Points));
    assert_eq!(
        figures(&citizen).reserved,
        Decimal::from(120),
        "10 dagdelen × 12 points"
    );

    // Spent: the provider declares 4 dagdelen, the citizen approves 48 points.
    let decl = provider.with_vault(|v| {
        v.declare(&ag, Decimal::from(4), day("2027-01-01"), day("2027-01-31"), "januari")
            .unwrap()
    });
    assert_eq!((decl.tariff, decl.tariff_unit), (Decimal::from(12), Unit::Points));
    sync(&provider, &citizen).await;
    citizen.with_vault(|v| v.judge_declaration(&decl.id, Verdict::Goedgekeurd).unwrap());
    let after = figures(&citizen);
    assert_eq!(after.spent, Decimal::from(48), "4 dagdelen × 12 points");
    assert_eq!(after.reserved, Decimal::from(72));
    assert_eq!(
        after.remaining,
        Decimal::from(240 - 120),
        "the reservation holds the rest"
    );

    // Attack: a declaration in euros on the points agreement, written around
    // the API by the provider. The citizen cannot approve it...
    let agreement_doc = citizen.with_vault(|v| v.agreement_doc_id(&provider.with_vault(|p| p.identity())));
    let in_euros = Declaration {
        id: "in-euros".into(),
        agreement_id: ag.clone(),
        offering_id: offering_id.clone(),
        category: "dagbesteding".into(),
        units: Decimal::from(2),
        tariff: eur(1200),
        tariff_unit: Unit::Euro,
        period_start: day("2027-02-01"),
        period_end: day("2027-02-28"),
        note: "februari".into(),
    };
    let signed = provider.with_vault(|v| v.put_record(&agreement_doc, "in-euros", in_euros).unwrap());
    sync(&provider, &citizen).await;
    let e = citizen
        .with_vault(|v| v.judge_declaration("in-euros", Verdict::Goedgekeurd))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("tariff in euros, but the agreed service counts in points"),
        "{e}"
    );
    assert_eq!(figures(&citizen), after, "nothing was booked");
    // ...and when her own approval is forged around the API, the claims check refuses it.
    citizen.with_vault(|v| {
        let ap = Approval {
            id: "goed-in-euros".into(),
            declaration_id: "in-euros".into(),
            declaration_hash: inwonercloud_vault::keys::record_hash(&signed),
            verdict: Verdict::Goedgekeurd,
        };
        v.put_record(&agreement_doc, "goed-in-euros", ap).unwrap()
    });

    // Verified: the municipality checks the claim in points.
    sync(&citizen, &gemeente).await;
    assert_eq!(
        figures(&gemeente),
        figures(&citizen),
        "the municipality sees the same points"
    );
    let report = gemeente.with_vault(|v| v.verify_claims().unwrap());
    let good = report.claims.iter().find(|c| c.claim == decl.id).expect("the claim");
    assert!(good.valid, "{:?}", good.reason);
    assert_eq!((good.amount, good.unit), (Decimal::from(48), Unit::Points));
    let bad = report
        .claims
        .iter()
        .find(|c| c.claim == "in-euros")
        .expect("the forged claim");
    assert!(!bad.valid);
    assert_eq!(
        bad.reason.as_deref(),
        Some("the declaration's tariff counts in euros, but the agreed service's tariff counts in points")
    );
    // Points are never added to euros: per unit, with the policy's euro equivalent shown as such.
    assert!(
        report.per_provider.is_empty() && report.per_category.is_empty(),
        "{report:?}"
    );
    assert!(
        report.per_citizen.is_empty() && report.not_verified.is_empty(),
        "{report:?}"
    );
    let in_points = &report.other_units[&Unit::Points];
    assert_eq!(in_points.per_category["dagbesteding"], Decimal::from(48));
    assert_eq!(in_points.per_provider["Dagcentrum De Boei"], Decimal::from(48));
    // The forged claim is listed in the unit it claims; it booked nothing, so nothing is missing.
    assert_eq!(bad.unit, Unit::Euro);
    assert!(in_points.not_verified.is_empty(), "{in_points:?}");
    let eq = report.euro_equivalents(&policy.record);
    assert_eq!(eq.len(), 1);
    assert_eq!(
        (eq[0].points, eq[0].euros),
        (Decimal::from(48), eur(21600)),
        "48 × € 4,50"
    );
    // The claims CSV names the unit: 48 points, not a bare 48.
    let csv = report.to_csv(inwonercloud_schemas::Lang::En).unwrap();
    let row = csv
        .lines()
        .find(|l| l.starts_with(&format!("{};", decl.id)))
        .expect("the claim's row");
    assert!(row.contains(";48;points;true;"), "{row}");
    // The same check offline, from the exported claims file, trusting the municipality's key.
    let file = gemeente.with_vault(|v| v.export_claims().unwrap());
    let offline = file.verify(&trusting(&gemeente));
    let c = offline.claims.iter().find(|c| c.claim == decl.id).unwrap();
    assert!(c.valid && c.unit == Unit::Points && c.amount == Decimal::from(48));

    // Attack: a category the policy prices in no points cannot be ordered from points.
    let uur = provider.with_vault(|v| {
        v.publish_offering(offered(
            "Dagcentrum De Boei",
            "begeleiding_individueel",
            ServiceUnit::Uur,
            eur(6250),
        ))
        .unwrap()
    });
    sync(&provider, &citizen).await;
    let before = figures(&citizen);
    let e = citizen
        .with_vault(|v| {
            v.order(
                &uur.id,
                &account,
                Decimal::from(2),
                day("2027-03-01"),
                day("2027-03-31"),
            )
        })
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("the policy of Gemeente Oss prices no arrangement for category begeleiding_individueel")
            && e.contains("in points"),
        "{e}"
    );
    assert_eq!(figures(&citizen), before, "nothing was reserved");

    // Attack: transfers and top-ups are euros; a points account does neither.
    let to = gemeente.with_vault(|v| v.identity());
    let e = citizen
        .with_vault(|v| v.offer_transfer(to, &account, Decimal::from(10), "dagbesteding", "punten weg"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("counts in points, not euros") && e.contains("a transfer"),
        "{e}"
    );
    let e = citizen
        .with_vault(|v| v.top_up(&budget, &account, Decimal::from(10), day("2027-03-01"), "eigen"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("counts in points, not euros") && e.contains("top-up"), "{e}");
    assert_eq!(figures(&citizen), before, "the points account is unchanged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_hours_account_pays_services_sold_per_hour_at_one_hour_an_hour() {
    let tmp = tempfile::tempdir().unwrap();
    let citizen = node(&tmp.path().join("c"), "Sanne", Role::Citizen).await;
    let provider = node(&tmp.path().join("p"), "Thuiszorg Oost", Role::Provider).await;
    let gemeente = node(&tmp.path().join("g"), "Gemeente Oss", Role::Municipality).await;
    admit_municipality(&citizen, &gemeente).await;
    let hours = Quantity::new(Decimal::from(40), Unit::Hours).unwrap();
    let account = grant_quantity(&citizen, &gemeente, "huishoudelijke_hulp", hours).await;
    let budget = citizen.with_vault(|v| v.budget_doc());
    let figures = |n: &Node| n.with_vault(|v| v.budget(&budget).unwrap().report.accounts[&account].clone());

    let hulp = offered("Thuiszorg Oost", "huishoudelijke_hulp", ServiceUnit::Uur, eur(3420));
    let (_, ag) = order_offering(&citizen, &provider, &account, hulp, 30).await;
    assert_eq!(
        figures(&citizen).reserved,
        Decimal::from(30),
        "30 hours reserved, not € 1.026"
    );
    let decl = provider.with_vault(|v| {
        v.declare(
            &ag,
            Decimal::new(75, 1),
            day("2027-01-01"),
            day("2027-01-31"),
            "januari",
        )
        .unwrap()
    });
    sync(&provider, &citizen).await;
    citizen.with_vault(|v| v.judge_declaration(&decl.id, Verdict::Goedgekeurd).unwrap());
    assert_eq!(figures(&citizen).spent, Decimal::new(75, 1), "7,5 hours spent");
    sync(&citizen, &gemeente).await;
    let report = gemeente.with_vault(|v| v.verify_claims().unwrap());
    assert_eq!(report.claims.len(), 1);
    assert!(report.claims[0].valid, "{:?}", report.claims[0].reason);
    assert_eq!(report.claims[0].unit, Unit::Hours);
    assert_eq!(report.other_units[&Unit::Hours].total(), Decimal::new(75, 1));
    assert!(report.per_category.is_empty(), "hours are not euros");

    // A service sold per dagdeel has no price in hours.
    let dag = provider.with_vault(|v| {
        v.publish_offering(offered(
            "Thuiszorg Oost",
            "dagbesteding",
            ServiceUnit::Dagdeel,
            eur(5500),
        ))
        .unwrap()
    });
    sync(&provider, &citizen).await;
    let e = citizen
        .with_vault(|v| {
            v.order(
                &dag.id,
                &account,
                Decimal::from(2),
                day("2027-03-01"),
                day("2027-03-31"),
            )
        })
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("an hours account pays only for services sold per hour") && e.contains("dagdeel"),
        "{e}"
    );
}
