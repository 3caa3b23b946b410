//! The household of an integral plan (i-pgb) over real iroh connections on
//! 127.0.0.1: one household of three, one plan, one director, and one
//! integral budget that two funding streams feed. The director orders for a
//! child within her mandate, the parent approves, and the municipality's
//! report shows the spend per stream and per member; whoever the mandate
//! does not reach is refused.

use inwonercloud_schemas::{
    Access, Capacity, CommissionOutcome, CommissionTask, DocKind, FundingStream, MandateAction, MemberKind, Outcome,
    Quantity, Role, StreamShare, Unit, Verdict,
};
use inwonercloud_sync::Node;
use inwonercloud_tests::{day, eur, invite, node, offering, sync};
use inwonercloud_vault::{DecisionInput, NewRequest};
use rust_decimal::Decimal;

use super::market::trusting;

/// The household joins the municipality and asks for one integral budget
/// of € 10.000 for begeleiding (the parent) and jeugdbegeleiding (the child);
/// the municipality holds the request. Returns it.
pub(crate) async fn integral_request(anna: &Node, gemeente: &Node) -> inwonercloud_schemas::BudgetRequest {
    let t = invite(
        anna,
        Role::Municipality,
        &[DocKind::Budget, DocKind::Plan],
        Access::Write,
    );
    gemeente.join(&t.to_string().parse().unwrap()).await.unwrap();
    let req = anna.with_vault(|v| {
        v.request_integral_budget(
            NewRequest {
                stream: FundingStream::Wmo,
                category: "begeleiding_individueel".into(),
                quantity: Quantity::new(eur(1_000_000), Unit::Euro).unwrap(),
                period_start: day("2027-01-01"),
                period_end: day("2027-12-31"),
                goal_ids: vec![],
                motivation: "één plan voor ons gezin".into(),
                adjusts_account: None,
            },
            vec!["jeugd_begeleiding".into()],
        )
        .unwrap()
    });
    assert_eq!(req.categories, vec!["begeleiding_individueel", "jeugd_begeleiding"]);
    sync(anna, gemeente).await;
    req
}

/// [`integral_request`], granted by the municipality from Wmo (€ 6.000) and
/// Jeugdwet (€ 4.000). Returns the account.
pub(crate) async fn integral_grant(anna: &Node, gemeente: &Node) -> String {
    let req = integral_request(anna, gemeente).await;
    let decide = |funding: Vec<StreamShare>| {
        gemeente.with_vault(|v| {
            v.decide_integral(
                &req.id,
                DecisionInput {
                    outcome: Outcome::Toegekend,
                    granted: None,
                    reasons: "integraal pgb voor het gezin".into(),
                    automated_rule: None,
                },
                funding,
                Vec::new(),
            )
        })
    };
    let share = |stream, cents| StreamShare {
        stream,
        amount: eur(cents),
    };
    // Shares that do not add up to the grant are refused, and nothing is decided.
    let wrong = decide(vec![
        share(FundingStream::Wmo, 600_000),
        share(FundingStream::Jeugdwet, 300_000),
    ]);
    assert!(
        wrong.as_ref().is_err_and(|e| e.to_string().contains("add up to 9000")),
        "{wrong:?}"
    );
    let twice = decide(vec![
        share(FundingStream::Wmo, 500_000),
        share(FundingStream::Wmo, 500_000),
    ]);
    assert!(twice.is_err(), "one stream named twice is refused");
    let d = decide(vec![
        share(FundingStream::Wmo, 600_000),
        share(FundingStream::Jeugdwet, 400_000),
    ])
    .unwrap();
    assert_eq!(
        d.categories, req.categories,
        "the grant covers what the household asked"
    );
    sync(gemeente, anna).await;
    inwonercloud_vault::assessment::account_for(&req.id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_director_orders_for_a_child_the_parent_approves_and_the_report_splits_per_stream_and_member() {
    let tmp = tempfile::tempdir().unwrap();
    let anna = node(&tmp.path().join("anna"), "Anna de Vries", Role::Citizen).await;
    let mark = node(&tmp.path().join("mark"), "Mark de Vries", Role::Family).await;
    let oma = node(&tmp.path().join("oma"), "Oma Riet", Role::Family).await;
    let jeugd = node(&tmp.path().join("j"), "Jeugdzorg Het Anker", Role::Provider).await;
    let hulp = node(&tmp.path().join("h"), "Thuishulp Snel", Role::Provider).await;
    let gemeente = node(&tmp.path().join("g"), "Gemeente Woerden", Role::Municipality).await;
    let account = integral_grant(&anna, &gemeente).await;
    let (anna_id, mark_id) = (anna.with_vault(|v| v.identity()), mark.with_vault(|v| v.identity()));

    // One household, one plan: three members, goals per member, Mark the director.
    let lotte = anna.with_vault(|v| {
        v.add_member("Anna", MemberKind::Volwassene, None).unwrap();
        v.add_member("Mark", MemberKind::Volwassene, None).unwrap();
        let lotte = v
            .add_member("Lotte", MemberKind::Kind, Some(day("2015-04-02")))
            .unwrap();
        assert!(v.add_member("lotte", MemberKind::Kind, None).is_err(), "one name once");
        let plan = v.plan_doc();
        let g = v
            .add_goal_for(
                &plan,
                Some("Lotte"),
                inwonercloud_schemas::LifeDomain::OpvoedingJeugd,
                "Lotte gaat weer graag naar school",
                None,
            )
            .unwrap();
        assert_eq!(g.member.as_deref(), Some(lotte.id.as_str()));
        assert!(
            v.add_goal_for(
                &plan,
                Some("Pieter"),
                inwonercloud_schemas::LifeDomain::Wonen,
                "x",
                None
            )
            .is_err(),
            "a goal for someone outside the household is refused"
        );
        lotte
    });
    for n in [&mark, &oma] {
        let t = invite(&anna, Role::Family, &[DocKind::Profile, DocKind::Plan], Access::Read);
        n.join(&t.to_string().parse().unwrap()).await.unwrap();
    }
    anna.with_vault(|v| {
        let mark_member = v.household_member("Mark").unwrap();
        let d = v.set_director(mark_id, Some(&mark_member.id)).unwrap();
        assert_eq!(d.name, "Mark de Vries");
        v.give_mandate(
            mark_id,
            Capacity::Familie,
            vec![MandateAction::Order, MandateAction::Request],
            day("2026-01-01"),
            None,
        )
        .unwrap();
    });
    sync(&anna, &mark).await;
    // Mark reads the household in Anna's plan, as she signed it.
    let seen = mark.with_vault(|v| v.plan(&anna.with_vault(|a| a.plan_doc())).unwrap().household);
    assert_eq!(seen.members.len(), 3);
    assert_eq!(seen.director.as_ref().map(|d| d.record.identity), Some(mark_id));

    // Both providers publish; Anna knows their catalogues.
    let anker = jeugd.with_vault(|v| {
        let mut o = offering("Jeugdzorg Het Anker", eur(5500));
        o.service = "Jeugdbegeleiding".into();
        o.category = "jeugd_begeleiding".into();
        v.publish_offering(o).unwrap()
    });
    let snel = hulp.with_vault(|v| {
        let mut o = offering("Thuishulp Snel", eur(3000));
        o.category = "huishoudelijke_hulp".into();
        v.publish_offering(o).unwrap()
    });
    for p in [&jeugd, &hulp] {
        let t = invite(p, Role::Citizen, &[DocKind::Catalogue], Access::Read);
        anna.join(&t.to_string().parse().unwrap()).await.unwrap();
        let t = invite(p, Role::Family, &[DocKind::Catalogue], Access::Read);
        mark.join(&t.to_string().parse().unwrap()).await.unwrap();
    }

    // The director orders for Lotte, within his mandate.
    let order = CommissionTask::Order {
        offering_id: anker.id.clone(),
        account: account.clone(),
        max_units: Decimal::from(40),
        period_start: day("2027-02-01"),
        period_end: day("2027-06-30"),
        member: Some("Lotte".into()),
    };
    let c = mark.with_vault(|v| v.commission(anna_id, order.clone()).unwrap());
    // Where the mandate does not reach, the director is refused: a transfer.
    let transfer = CommissionTask::Transfer {
        to: mark_id,
        from_account: account.clone(),
        amount: eur(10_000),
        category: "begeleiding_individueel".into(),
        note: "zakgeld".into(),
    };
    let refused = mark.with_vault(|v| v.commission(anna_id, transfer));
    assert!(
        refused.as_ref().is_err_and(|e| e.to_string().contains("transfer")),
        "{refused:?}"
    );
    // A household member who is not the director has no mandate at all.
    let oma_order = oma.with_vault(|v| v.commission(anna_id, order.clone()));
    assert!(oma_order.is_err(), "{oma_order:?}");
    sync(&mark, &anna).await;
    let answers = anna.with_vault(|v| v.carry_out_commissions(inwonercloud_schemas::Date::today()).unwrap());
    let made = match &answers.iter().find(|a| a.commission_id == c.id).unwrap().outcome {
        CommissionOutcome::Done { record } => record.clone(),
        CommissionOutcome::Refused { reason } => panic!("refused: {reason}"),
    };
    let agreement = anna.with_vault(|v| v.agreement(&made).unwrap());
    assert_eq!(agreement.agreement.author, anna_id, "the holder's vault signs");
    assert_eq!(
        agreement
            .agreement
            .record
            .member
            .as_ref()
            .map(|m| (m.id.as_str(), m.name.as_str())),
        Some((lotte.id.as_str(), "Lotte")),
        "the agreement names the child"
    );

    // Het Anker countersigns and declares; the parent approves.
    sync(&anna, &jeugd).await;
    let decl = jeugd.with_vault(|v| {
        v.countersign(&made).unwrap();
        v.declare(
            &made,
            Decimal::from(10),
            day("2027-02-01"),
            day("2027-02-28"),
            "februari",
        )
        .unwrap()
    });
    sync(&jeugd, &anna).await;
    // The director may not approve: his mandate does not reach it.
    sync(&anna, &mark).await;
    assert!(
        mark.with_vault(|v| v.judge_declaration(&decl.id, Verdict::Goedgekeurd))
            .is_err()
    );
    anna.with_vault(|v| v.judge_declaration(&decl.id, Verdict::Goedgekeurd).unwrap());

    // Anna also orders household help: outside the categories of the grant.
    let outside = anna.with_vault(|v| {
        v.order(
            &snel.id,
            &account,
            Decimal::from(10),
            day("2027-02-01"),
            day("2027-06-30"),
        )
        .unwrap()
    });
    sync(&anna, &hulp).await;
    let d2 = hulp.with_vault(|v| {
        v.countersign(&outside.id).unwrap();
        v.declare(
            &outside.id,
            Decimal::from(4),
            day("2027-02-01"),
            day("2027-02-28"),
            "feb",
        )
        .unwrap()
    });
    sync(&hulp, &anna).await;
    anna.with_vault(|v| v.judge_declaration(&d2.id, Verdict::Goedgekeurd).unwrap());
    sync(&anna, &gemeente).await;

    let r = gemeente.with_vault(|v| v.verify_claims().unwrap());
    let claim = r.claims.iter().find(|c| c.claim == decl.id).unwrap();
    assert!(claim.valid, "{:?}", claim.reason);
    assert_eq!(claim.amount, eur(55_000), "10 hours × 55,00");
    assert_eq!(claim.member.as_deref(), Some("Lotte"));
    assert_eq!(r.per_stream[&FundingStream::Wmo], eur(33_000), "60 % from Wmo");
    assert_eq!(
        r.per_stream[&FundingStream::Jeugdwet],
        eur(22_000),
        "40 % from Jeugdwet"
    );
    let per_member: Vec<_> = r.per_member.iter().collect();
    assert_eq!(per_member.len(), 1, "{per_member:?}");
    assert!(per_member[0].0.starts_with("Anna de Vries (") && per_member[0].0.ends_with(" · Lotte"));
    assert_eq!(*per_member[0].1, eur(55_000));
    let help = r.claims.iter().find(|c| c.claim == d2.id).unwrap();
    assert!(!help.valid);
    assert_eq!(
        help.reason.as_deref(),
        Some("category huishoudelijke_hulp lies outside the grant")
    );
    // The same check offline, from the exported file, against the municipality's key.
    let file = anna.with_vault(|v| v.export_claims().unwrap());
    let offline = file.verify(&trusting(&gemeente));
    assert_eq!(offline.per_stream, r.per_stream);
    assert_eq!(offline.per_member, r.per_member);
}

/// A forged integral decision (signed by the household itself) funds
/// nothing, and an integral decision's categories are the municipality's
/// word: a citizen cannot widen them by editing her request afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_municipalitys_integral_decision_widens_the_categories() {
    let tmp = tempfile::tempdir().unwrap();
    let anna = node(&tmp.path().join("anna"), "Anna de Vries", Role::Citizen).await;
    let gemeente = node(&tmp.path().join("g"), "Gemeente Woerden", Role::Municipality).await;
    let account = integral_grant(&anna, &gemeente).await;
    // The decision in force names exactly the two categories.
    let budget = anna.with_vault(|v| v.budget_doc());
    let reqs = anna.with_vault(|v| v.requests(&budget).unwrap());
    let d = reqs
        .iter()
        .find(|r| inwonercloud_vault::assessment::account_for(&r.request.record.id) == account)
        .and_then(|r| r.decision.clone())
        .unwrap();
    assert!(d.record.covers(&reqs[0].request.record, "jeugd_begeleiding"));
    assert!(!d.record.covers(&reqs[0].request.record, "huishoudelijke_hulp"));
    assert_eq!(d.author, gemeente.with_vault(|v| v.identity()));
    // The citizen cannot decide, integral or not.
    let own = anna.with_vault(|v| {
        v.decide_integral(
            &reqs[0].request.record.id,
            DecisionInput {
                outcome: Outcome::Toegekend,
                granted: None,
                reasons: "zelf".into(),
                automated_rule: None,
            },
            vec![StreamShare {
                stream: FundingStream::Wmo,
                amount: eur(1_000_000),
            }],
            vec!["huishoudelijke_hulp".into()],
        )
    });
    assert!(own.is_err(), "{own:?}");
}
