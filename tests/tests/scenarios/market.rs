//! The marketplace and claims over real iroh connections on 127.0.0.1: a
//! provider publishes, a citizen orders, both sign, the provider declares,
//! the citizen approves and the municipality verifies; invalid claims each
//! with their own reason; provider isolation; the portable claims file.

use inwonercloud_schemas::{
    Access, Approval, Declaration, DocKind, FundingStream, Outcome, Quantity, Role, Unit, Verdict,
};
use inwonercloud_sync::Node;
use inwonercloud_tests::{day, eur, invite, node, offering, sync};
use inwonercloud_vault::claims::check_claims;
use inwonercloud_vault::{ClaimsFile, DecisionInput, NewRequest, TrustRoots, VaultError};
use rust_decimal::Decimal;

/// A citizen with a municipal grant of `cents` for begeleiding in 2027; returns the account id.
pub(crate) async fn granted_citizen(citizen: &Node, gemeente: &Node, cents: i64) -> String {
    let t = invite(
        citizen,
        Role::Municipality,
        &[DocKind::Budget, DocKind::Plan],
        Access::Write,
    );
    gemeente.join(&t.to_string().parse().unwrap()).await.unwrap();
    grant(citizen, gemeente, "begeleiding_individueel", cents).await
}

/// The citizen asks for `cents` in `category` for 2027 and the municipality
/// (already connected) grants it; returns the new account's id.
pub(crate) async fn grant(citizen: &Node, gemeente: &Node, category: &str, cents: i64) -> String {
    grant_quantity(
        citizen,
        gemeente,
        category,
        Quantity::new(eur(cents), Unit::Euro).unwrap(),
    )
    .await
}

/// [`grant`] of a quantity in any unit (euros, hours, points).
pub(crate) async fn grant_quantity(citizen: &Node, gemeente: &Node, category: &str, quantity: Quantity) -> String {
    let req = citizen.with_vault(|v| {
        v.request_budget(NewRequest {
            stream: FundingStream::Wmo,
            category: category.into(),
            quantity,
            period_start: day("2027-01-01"),
            period_end: day("2027-12-31"),
            goal_ids: vec![],
            motivation: category.into(),
            adjusts_account: None,
        })
        .unwrap()
    });
    sync(citizen, gemeente).await;
    gemeente.with_vault(|v| {
        v.decide(
            &req.id,
            DecisionInput {
                outcome: Outcome::Toegekend,
                granted: None,
                reasons: "past in het plan".into(),
                automated_rule: None,
            },
        )
        .unwrap()
    });
    sync(gemeente, citizen).await;
    inwonercloud_vault::assessment::account_for(&req.id)
}

/// Trust roots holding only this node's identity.
pub(crate) fn trusting(n: &Node) -> TrustRoots {
    TrustRoots::new([n.with_vault(|v| v.identity())]).unwrap()
}

/// Provider publishes; citizen connects with the provider's ticket and orders.
pub(crate) async fn order(
    citizen: &Node,
    provider: &Node,
    account: &str,
    price: Decimal,
    units: i64,
) -> (String, String) {
    let name = provider.with_vault(|v| v.name().to_string());
    order_offering(citizen, provider, account, offering(&name, price), units).await
}

/// [`order`] of a given offering (any category and service unit).
pub(crate) async fn order_offering(
    citizen: &Node,
    provider: &Node,
    account: &str,
    o: inwonercloud_schemas::Offering,
    units: i64,
) -> (String, String) {
    let o = provider.with_vault(|v| v.publish_offering(o).unwrap());
    let t = invite(provider, Role::Citizen, &[DocKind::Catalogue], Access::Read);
    citizen.join(&t.to_string().parse().unwrap()).await.unwrap();
    let market = citizen.with_vault(|v| v.offerings().unwrap());
    assert!(
        market.iter().any(|x| x.offering.record.id == o.id),
        "the citizen sees the offering"
    );
    let ag = citizen.with_vault(|v| {
        v.order(
            &o.id,
            account,
            Decimal::from(units),
            day("2027-01-01"),
            day("2027-06-30"),
        )
        .unwrap()
    });
    sync(citizen, provider).await;
    provider.with_vault(|v| v.countersign(&ag.id).unwrap());
    (o.id, ag.id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purchase_from_offering_to_verified_claim() {
    let tmp = tempfile::tempdir().unwrap();
    let citizen = node(&tmp.path().join("c"), "Sanne", Role::Citizen).await;
    let provider = node(&tmp.path().join("p"), "Zorg De Linde", Role::Provider).await;
    let gemeente = node(&tmp.path().join("g"), "Gemeente", Role::Municipality).await;
    let account = granted_citizen(&citizen, &gemeente, 500_000).await;
    let budget = citizen.with_vault(|v| v.budget_doc());
    let figures = |n: &Node| n.with_vault(|v| v.budget(&budget).unwrap().report.accounts[&account].clone());
    let before = figures(&citizen);

    let (_, ag) = order(&citizen, &provider, &account, eur(6250), 20).await;
    assert_eq!(figures(&citizen).reserved, eur(125_000), "20 hours × 62,50 reserved");
    let decl = provider.with_vault(|v| {
        v.declare(&ag, Decimal::from(8), day("2027-01-01"), day("2027-01-31"), "januari")
            .unwrap()
    });
    sync(&provider, &citizen).await;
    let pending: Vec<_> = citizen.with_vault(|v| v.agreements().unwrap())[0]
        .declarations
        .iter()
        .filter(|d| d.pending())
        .map(|d| d.declaration.record.id.clone())
        .collect();
    assert_eq!(pending, vec![decl.id.clone()]);
    citizen.with_vault(|v| v.judge_declaration(&decl.id, Verdict::Goedgekeurd).unwrap());
    sync(&citizen, &gemeente).await;

    let after = figures(&citizen);
    assert_eq!(
        after.spent - before.spent,
        eur(50_000),
        "spent grows by exactly 8 × 62,50"
    );
    assert_eq!(
        (after.available() - after.spent) - (before.available() - before.spent),
        -eur(50_000),
        "the money left drops by exactly the declared amount"
    );
    assert_eq!(after.reserved, eur(75_000), "the reservation shrinks by the same");
    assert_eq!(after, figures(&gemeente), "the municipality sees the same figures");

    let report = gemeente.with_vault(|v| v.verify_claims().unwrap());
    assert_eq!(report.claims.len(), 1, "{report:?}");
    assert!(report.claims[0].valid, "{:?}", report.claims[0].reason);
    assert_eq!(report.claims[0].amount, eur(50_000));
    assert_eq!(report.per_provider["Zorg De Linde"], eur(50_000));
    assert_eq!(report.per_month["2027-01"], eur(50_000));
    assert!(
        report
            .to_csv(inwonercloud_schemas::Lang::En)
            .unwrap()
            .contains(";500.00;euros;true;"),
        "the CSV names the unit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_claims_each_get_their_own_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let citizen = node(&tmp.path().join("c"), "Sanne", Role::Citizen).await;
    let other = node(&tmp.path().join("o"), "Piet", Role::Citizen).await;
    let provider = node(&tmp.path().join("p"), "Zorg De Linde", Role::Provider).await;
    let gemeente = node(&tmp.path().join("g"), "Gemeente", Role::Municipality).await;
    let account = granted_citizen(&citizen, &gemeente, 500_000).await;
    let _piet_account = granted_citizen(&other, &gemeente, 900_000).await;
    let (offering_id, ag) = order(&citizen, &provider, &account, eur(6250), 40).await;
    let agreement_doc = citizen.with_vault(|v| v.agreement_doc_id(&provider.with_vault(|p| p.identity())));

    // 1: a good declaration, approved.
    let good = provider.with_vault(|v| {
        v.declare(&ag, Decimal::from(4), day("2027-01-01"), day("2027-01-31"), "jan")
            .unwrap()
    });
    // 2: a declaration with a tariff above the agreed one, written around the API.
    let dear = Declaration {
        id: "te-duur".into(),
        agreement_id: ag.clone(),
        offering_id: offering_id.clone(),
        category: "begeleiding_individueel".into(),
        units: Decimal::from(2),
        tariff: eur(7000),
        tariff_unit: Unit::Euro,
        period_start: day("2027-02-01"),
        period_end: day("2027-02-28"),
        note: "feb".into(),
    };
    provider.with_vault(|v| v.put_record(&agreement_doc, "te-duur", dear).unwrap());
    // 3: a declaration the provider "approves" itself.
    let selfish = provider.with_vault(|v| {
        v.declare(&ag, Decimal::from(3), day("2027-03-01"), day("2027-03-31"), "mrt")
            .unwrap()
    });
    let signed_selfish = provider.with_vault(|v| {
        v.record::<Declaration>(&agreement_doc, &selfish.id)
            .unwrap()
            .unwrap()
            .signed
    });
    provider.with_vault(|v| {
        let ap = Approval {
            id: "zelf".into(),
            declaration_id: selfish.id.clone(),
            declaration_hash: inwonercloud_vault::keys::record_hash(&signed_selfish),
            verdict: Verdict::Goedgekeurd,
        };
        v.put_record(&agreement_doc, "zelf", ap).unwrap()
    });
    sync(&provider, &citizen).await;
    citizen.with_vault(|v| {
        v.judge_declaration(&good.id, Verdict::Goedgekeurd).unwrap();
        v.judge_declaration("te-duur", Verdict::Goedgekeurd).unwrap();
    });
    sync(&citizen, &gemeente).await;
    sync(&other, &gemeente).await;

    let bundles = gemeente.with_vault(|v| v.claim_bundles().unwrap());
    let trust = trusting(&gemeente);
    let report = check_claims(&bundles, &trust);
    let reason = |claim: &str| {
        report
            .claims
            .iter()
            .find(|c| c.claim == claim)
            .unwrap_or_else(|| panic!("claim {claim} in {report:?}"))
            .reason
            .clone()
    };
    assert_eq!(reason(&good.id), None, "the good claim is valid");
    assert!(reason("te-duur").unwrap().contains("above the agreed tariff"));
    assert!(
        reason(&selfish.id)
            .unwrap()
            .contains("someone other than the budget holder")
    );

    // Duplicated: the same good claim twice.
    let good_bundle = bundles
        .iter()
        .find(|b| b.declaration.record.id == good.id)
        .unwrap()
        .clone();
    let twice = check_claims(&[good_bundle.clone(), good_bundle.clone()], &trust);
    assert!(twice.claims[0].valid);
    assert!(twice.claims[1].reason.as_ref().unwrap().contains("counted already"));

    // Amount edited after signing.
    let mut edited = good_bundle.clone();
    edited.declaration.record.units = Decimal::from(40);
    let r = check_claims(&[edited], &trust);
    assert!(
        r.claims[0]
            .reason
            .as_ref()
            .unwrap()
            .contains("signature does not verify"),
        "{r:?}"
    );

    // Against another citizen's grant: Piet's grant put behind Sanne's claim.
    let piet_budget = other.with_vault(|v| v.budget_doc());
    let mut foreign = good_bundle.clone();
    foreign.grants = gemeente.with_vault(|v| {
        let reqs = v.requests(&piet_budget).unwrap();
        let req = &reqs[0];
        let d = req.decision.clone().unwrap();
        let entry = v
            .budget(&piet_budget)
            .unwrap()
            .report
            .lines
            .iter()
            .find(|l| l.entry.reference.as_deref() == Some(d.record.id.as_str()))
            .unwrap()
            .entry
            .id
            .clone();
        let e = v
            .record::<inwonercloud_schemas::LedgerEntry>(&piet_budget, &entry)
            .unwrap()
            .unwrap()
            .signed;
        vec![inwonercloud_vault::claims::GrantChain {
            entry: e,
            decision: d.signed,
            request: req.request.signed.clone(),
        }]
    });
    let r = check_claims(&[foreign], &trust);
    assert!(
        r.claims[0]
            .reason
            .as_ref()
            .unwrap()
            .contains("no grant of the municipality to this citizen"),
        "{r:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_a_never_sees_provider_b() {
    let tmp = tempfile::tempdir().unwrap();
    let citizen = node(&tmp.path().join("c"), "Sanne", Role::Citizen).await;
    let a = node(&tmp.path().join("a"), "Aanbieder A", Role::Provider).await;
    let b = node(&tmp.path().join("b"), "Aanbieder B", Role::Provider).await;
    let gemeente = node(&tmp.path().join("g"), "Gemeente", Role::Municipality).await;
    let account = granted_citizen(&citizen, &gemeente, 800_000).await;
    let (_, ag_a) = order(&citizen, &a, &account, eur(6000), 10).await;
    let (_, ag_b) = order(&citizen, &b, &account, eur(5500), 10).await;
    let db = b.with_vault(|v| {
        v.declare(
            &ag_b,
            Decimal::from(2),
            day("2027-01-01"),
            day("2027-01-31"),
            "B-geheim",
        )
        .unwrap()
    });
    sync(&b, &citizen).await;
    citizen.with_vault(|v| v.judge_declaration(&db.id, Verdict::Goedgekeurd).unwrap());
    // Citizen syncs with A after everything with B happened.
    sync(&citizen, &a).await;
    sync(&a, &citizen).await;
    let held = a.with_vault(|v| v.document_ids());
    let b_doc = citizen.with_vault(|v| v.agreement_doc_id(&b.with_vault(|x| x.identity())));
    assert!(!held.contains(&b_doc), "A holds no document of B's agreement");
    assert!(
        a.with_vault(|v| v.agreements().unwrap())
            .iter()
            .all(|x| x.agreement.record.id == ag_a)
    );
    drop(a);
    // And no byte of B's agreement or declaration is in A's file.
    let file = std::fs::read(tmp.path().join("a").join(inwonercloud_vault::DB_FILE)).unwrap();
    for needle in [ag_b.as_bytes(), db.id.as_bytes(), b"B-geheim"] {
        assert!(!file.windows(needle.len()).any(|w| w == needle));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exported_claims_verify_offline_and_a_tampered_file_names_the_claim() {
    let tmp = tempfile::tempdir().unwrap();
    let citizen = node(&tmp.path().join("c"), "Sanne", Role::Citizen).await;
    let provider = node(&tmp.path().join("p"), "Zorg De Linde", Role::Provider).await;
    let gemeente = node(&tmp.path().join("g"), "Gemeente", Role::Municipality).await;
    let account = granted_citizen(&citizen, &gemeente, 500_000).await;
    let (_, ag) = order(&citizen, &provider, &account, eur(6250), 20).await;
    let d = provider.with_vault(|v| {
        v.declare(&ag, Decimal::from(5), day("2027-01-01"), day("2027-01-31"), "jan")
            .unwrap()
    });
    sync(&provider, &citizen).await;
    citizen.with_vault(|v| v.judge_declaration(&d.id, Verdict::Goedgekeurd).unwrap());
    sync(&citizen, &gemeente).await;
    let file = gemeente.with_vault(|v| v.export_claims().unwrap());
    let path = tmp.path().join("claims.json");
    std::fs::write(&path, serde_json::to_string_pretty(&file).unwrap()).unwrap();

    // Offline: read the file back with no vault at all.
    let read: ClaimsFile = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let r = read.verify(&trusting(&gemeente));
    assert_eq!(r.valid_count(), 1, "{r:?}");

    // Tamper: 5 units become 6 in the text.
    let text = std::fs::read_to_string(&path).unwrap();
    let tampered = text.replacen("\"units\": \"5\"", "\"units\": \"6\"", 1);
    assert_ne!(text, tampered, "the file holds the units as text");
    let bad: ClaimsFile = serde_json::from_str(&tampered).unwrap();
    let r = bad.verify(&trusting(&gemeente));
    assert_eq!(r.claims[0].claim, d.id, "the report names the claim");
    assert!(!r.claims[0].valid);
    assert!(r.claims[0].reason.as_ref().unwrap().contains("signature"));
}

/// A grant of 1.000,00 and an agreement of 16 hours at 62,50, with the world behind it.
struct World {
    _tmp: tempfile::TempDir,
    citizen: Node,
    provider: Node,
    gemeente: Node,
    agreement: String,
    offering: String,
    agreement_doc: String,
}

async fn world() -> World {
    let tmp = tempfile::tempdir().unwrap();
    let citizen = node(&tmp.path().join("c"), "Sanne", Role::Citizen).await;
    let provider = node(&tmp.path().join("p"), "Zorg De Linde", Role::Provider).await;
    let gemeente = node(&tmp.path().join("g"), "Gemeente", Role::Municipality).await;
    let account = granted_citizen(&citizen, &gemeente, 100_000).await;
    let (offering, agreement) = order(&citizen, &provider, &account, eur(6250), 16).await;
    let agreement_doc = citizen.with_vault(|v| v.agreement_doc_id(&provider.with_vault(|p| p.identity())));
    World {
        _tmp: tmp,
        citizen,
        provider,
        gemeente,
        agreement,
        offering,
        agreement_doc,
    }
}

impl World {
    /// The provider signs `units` (written around the API's checks), the
    /// citizen signs an approval of exactly that record (also around the
    /// API), and the municipality receives both.
    async fn approved(&self, id: &str, units: Decimal, tariff: Decimal, month: &str) -> String {
        let d = Declaration {
            id: id.into(),
            agreement_id: self.agreement.clone(),
            offering_id: self.offering.clone(),
            category: "begeleiding_individueel".into(),
            units,
            tariff,
            tariff_unit: Unit::Euro,
            period_start: day(&format!("2027-{month}-01")),
            period_end: day(&format!("2027-{month}-28")),
            note: String::new(),
        };
        let signed = self
            .provider
            .with_vault(|v| v.put_record(&self.agreement_doc, id, d).unwrap());
        sync(&self.provider, &self.citizen).await;
        self.citizen.with_vault(|v| {
            let ap = Approval {
                id: format!("ok-{id}"),
                declaration_id: id.into(),
                declaration_hash: inwonercloud_vault::keys::record_hash(&signed),
                verdict: Verdict::Goedgekeurd,
            };
            v.put_record(&self.agreement_doc, &format!("ok-{id}"), ap).unwrap()
        });
        sync(&self.citizen, &self.gemeente).await;
        id.to_string()
    }

    fn report(&self) -> inwonercloud_vault::ClaimReport {
        let bundles = self.gemeente.with_vault(|v| v.claim_bundles().unwrap());
        check_claims(&bundles, &trusting(&self.gemeente))
    }
}

fn reason_of(r: &inwonercloud_vault::ClaimReport, claim: &str) -> Option<String> {
    r.claims
        .iter()
        .find(|c| c.claim == claim)
        .unwrap_or_else(|| panic!("claim {claim} in {r:?}"))
        .reason
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_counts_only_against_a_trusted_municipality_key() {
    let w = world().await;
    let id = w.approved("jan", Decimal::from(2), eur(6250), "01").await;
    let bundles = w.gemeente.with_vault(|v| v.claim_bundles().unwrap());
    // No trust root: nothing can be called valid, and the error says what to do.
    let none = TrustRoots::new(Vec::new());
    assert!(matches!(none, Err(VaultError::NoTrustRoot)));
    assert!(none.unwrap_err().to_string().contains("fingerprint"));
    // Trusting only someone else (a self-made "Gemeente" key): the genuine grant funds nothing.
    let stranger = tempfile::tempdir().unwrap();
    let fake = inwonercloud_tests::vault(stranger.path(), "Gemeente Woerden", Role::Municipality);
    let r = check_claims(&bundles, &TrustRoots::new([fake.identity()]).unwrap());
    assert!(
        reason_of(&r, &id)
            .unwrap()
            .contains("not signed by a municipality this verifier trusts"),
        "{r:?}"
    );
    assert_eq!(r.valid_count(), 0);
    // The municipality's own node trusts itself.
    assert_eq!(w.gemeente.with_vault(|v| v.verify_claims().unwrap()).valid_count(), 1);
    // The citizen trusts the municipality she gave a municipality consent.
    assert!(
        w.citizen
            .with_vault(|v| v.trusted_municipalities().unwrap())
            .contains_key(&w.gemeente.with_vault(|v| v.identity()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_grant_counts_once() {
    let w = world().await;
    // 12 × 62,50 = 750,00 of 1.000,00 granted; 5 more hours would reach 1.062,50.
    let a = w.approved("jan", Decimal::from(6), eur(6250), "01").await;
    let b = w.approved("feb", Decimal::from(6), eur(6250), "02").await;
    let c = w.approved("mrt", Decimal::from(5), eur(6250), "03").await;
    let mut bundles = w.gemeente.with_vault(|v| v.claim_bundles().unwrap());
    for bundle in &mut bundles {
        let copy = bundle.grants.clone();
        bundle.grants.extend(copy.clone());
        bundle.grants.extend(copy);
    }
    let r = check_claims(&bundles, &trusting(&w.gemeente));
    assert_eq!(reason_of(&r, &a), None);
    assert_eq!(reason_of(&r, &b), None);
    // Were the copies summed, 3.000,00 would be granted and the money check would pass.
    assert!(
        reason_of(&r, &c)
            .unwrap()
            .contains("would reach 1062.50 of 1000.00 granted"),
        "{r:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crafted_units_are_refused_with_a_reason_never_a_panic() {
    let w = world().await;
    let huge = w.approved("groot", Decimal::MAX, eur(6250), "01").await;
    let negative = w.approved("negatief", Decimal::from(-3), eur(6250), "02").await;
    let zero = w.approved("nul", Decimal::ZERO, eur(6250), "03").await;
    let within = w.approved("apr", Decimal::from(3), eur(6250), "04").await;
    // 14 more hours at 1,00 stay within the money but reach 17 of 16 agreed hours.
    let beyond = w.approved("mei", Decimal::from(14), eur(100), "05").await;
    let r = w.report();
    assert!(reason_of(&r, &huge).unwrap().contains("too large"), "{r:?}");
    assert!(reason_of(&r, &negative).unwrap().contains("above zero"), "{r:?}");
    assert!(reason_of(&r, &zero).unwrap().contains("above zero"), "{r:?}");
    assert_eq!(reason_of(&r, &within), None, "{r:?}");
    assert!(
        reason_of(&r, &beyond)
            .unwrap()
            .contains("would reach 17, above the 16 agreed"),
        "{r:?}"
    );
    // A negative claim never lowers the running total: only the valid one counts.
    assert_eq!(r.per_provider.values().copied().sum::<Decimal>(), eur(18_750));
    // The exported file verifies the same way offline, without a panic.
    let file = w.gemeente.with_vault(|v| v.export_claims().unwrap());
    let again = file.verify(&trusting(&w.gemeente));
    assert_eq!(again.valid_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn money_still_reserved_when_an_agreement_ends_goes_back_to_the_budget() {
    let tmp = tempfile::tempdir().unwrap();
    let anna = node(&tmp.path().join("anna"), "Anna", Role::Citizen).await;
    let gemeente = node(&tmp.path().join("oss"), "Gemeente Oss", Role::Municipality).await;
    let zorg = node(&tmp.path().join("zorg"), "Zorg Oost", Role::Provider).await;
    let acc = granted_citizen(&anna, &gemeente, 500_000).await;
    // 10 hours at € 50 reserved for January to June 2027.
    let (_, ag) = order(&anna, &zorg, &acc, eur(5000), 10).await;
    let doc = anna.with_vault(|v| v.budget_doc());
    let figures = |n: &Node| n.with_vault(|v| v.budget(&doc).unwrap().report.accounts[&acc].clone());
    assert_eq!(figures(&anna).reserved, eur(50_000));
    // While the agreement runs, nothing is freed.
    assert!(
        anna.with_vault(|v| v.release_ended_reservations(day("2027-06-30")).unwrap())
            .is_empty()
    );
    // The day after it ends, the whole unused reservation is released, signed by Anna.
    let released = anna.with_vault(|v| v.release_ended_reservations(day("2027-07-01")).unwrap());
    assert_eq!(released.len(), 1);
    assert_eq!(released[0].amount, eur(50_000));
    assert_eq!(
        released[0].reference.as_deref(),
        Some(inwonercloud_vault::market::reservation_for(&ag).as_str())
    );
    let f = figures(&anna);
    assert_eq!(f.reserved, Decimal::ZERO);
    assert_eq!(f.remaining, f.available() - f.spent);
    // Again: nothing more to free, nothing written.
    assert!(
        anna.with_vault(|v| v.release_ended_reservations(day("2027-08-01")).unwrap())
            .is_empty()
    );
    // The municipality sees the same figures.
    sync(&anna, &gemeente).await;
    assert_eq!(figures(&gemeente).reserved, Decimal::ZERO);
}
