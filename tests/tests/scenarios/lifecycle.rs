//! The budget lifecycle over real iroh connections on 127.0.0.1: request,
//! question and answer, partial grant, adjustment, top-up; automated
//! allocation with a policy; forged decisions; offline overspending.

use inwonercloud_schemas::{
    Access, DocKind, EntryKind, FundingStream, LifeDomain, Outcome, Policy, Quantity, Role, Unit,
};
use inwonercloud_sync::Node;
use inwonercloud_tests::{day, eur, invite, node, sync};
use inwonercloud_vault::{DecisionInput, NewEntry, NewRequest, RequestState};
use rust_decimal::Decimal;

/// A citizen shares budget (write) and plan (read) with the municipality.
async fn connect(citizen: &Node, municipality: &Node) {
    let t = invite(
        citizen,
        Role::Municipality,
        &[DocKind::Budget, DocKind::Plan],
        Access::Write,
    );
    municipality.join(&t.to_string().parse().unwrap()).await.unwrap();
}

fn request(category: &str, amount: Decimal, unit: Unit, goals: Vec<String>, adjusts: Option<String>) -> NewRequest {
    NewRequest {
        stream: FundingStream::Wmo,
        category: category.into(),
        quantity: Quantity::new(amount, unit).unwrap(),
        period_start: day("2027-01-01"),
        period_end: day("2027-12-31"),
        goal_ids: goals,
        motivation: "Ik heb hulp nodig bij mijn administratie".into(),
        adjusts_account: adjusts,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_lifecycle_agrees_to_the_cent_on_both_sides() {
    let tmp = tempfile::tempdir().unwrap();
    let citizen = node(&tmp.path().join("c"), "Sanne", Role::Citizen).await;
    let gemeente = node(&tmp.path().join("g"), "Gemeente Utrecht", Role::Municipality).await;
    connect(&citizen, &gemeente).await;
    let budget = citizen.with_vault(|v| v.budget_doc());

    // Phase 1: request.
    let req = citizen.with_vault(|v| {
        v.request_budget(request(
            "begeleiding_individueel",
            eur(800000),
            Unit::Euro,
            vec![],
            None,
        ))
        .unwrap()
    });
    sync(&citizen, &gemeente).await;
    let inbox = gemeente.with_vault(|v| v.inbox().unwrap());
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].state, RequestState::Ingediend);

    // Phase 2: assessment with a question and an answer.
    gemeente.with_vault(|v| {
        v.start_assessment(&req.id).unwrap();
        v.ask_information(&req.id, "Hoeveel uur per week heeft u hulp nodig?")
            .unwrap();
    });
    sync(&gemeente, &citizen).await;
    let mine = citizen.with_vault(|v| v.requests(&budget).unwrap());
    assert_eq!(mine[0].state, RequestState::InformatieGevraagd);
    // The citizen cannot decide, and cannot answer for someone else's request.
    let e = citizen
        .with_vault(|v| {
            v.decide(
                &req.id,
                DecisionInput {
                    outcome: Outcome::Toegekend,
                    granted: None,
                    reasons: "zelf besloten".into(),
                    automated_rule: None,
                },
            )
        })
        .unwrap_err();
    assert!(e.to_string().contains("only the municipality"), "{e}");
    citizen.with_vault(|v| v.answer_question(&req.id, "Twee uur per week").unwrap());
    sync(&citizen, &gemeente).await;
    assert_eq!(
        gemeente.with_vault(|v| v.find_request(&req.id).unwrap().state),
        RequestState::InBehandeling
    );

    // Partial grant: 6.000 of 8.000.
    gemeente.with_vault(|v| {
        v.decide(
            &req.id,
            DecisionInput {
                outcome: Outcome::DeelsToegekend,
                granted: Some(eur(600000)),
                reasons: "Twee uur per week past bij het plan; de rest niet onderbouwd".into(),
                automated_rule: None,
            },
        )
        .unwrap()
    });
    // Never twice.
    let twice = gemeente
        .with_vault(|v| {
            v.decide(
                &req.id,
                DecisionInput {
                    outcome: Outcome::Toegekend,
                    granted: None,
                    reasons: "nog eens".into(),
                    automated_rule: None,
                },
            )
        })
        .unwrap_err();
    assert!(twice.to_string().contains("never decided twice"), "{twice}");
    sync(&gemeente, &citizen).await;
    let view = citizen.with_vault(|v| v.requests(&budget).unwrap().remove(0));
    assert_eq!(view.state, RequestState::Besloten);
    let decision = view.decision.clone().unwrap();
    assert_eq!(decision.record.outcome, Outcome::DeelsToegekend);
    assert_eq!(decision.author_name, "Gemeente Utrecht");
    let kinds: Vec<String> = view.steps.iter().map(|s| format!("{:?}", s.record.step)).collect();
    assert_eq!(
        kinds.len(),
        5,
        "ingediend, in behandeling, vraag, antwoord, besluit: {kinds:?}"
    );
    let account = inwonercloud_vault::assessment::account_for(&req.id);

    // Adjustment upward, asked by the citizen, granted by the municipality.
    let adj = citizen.with_vault(|v| {
        v.request_budget(request(
            "begeleiding_individueel",
            eur(50000),
            Unit::Euro,
            vec![],
            Some(account.clone()),
        ))
        .unwrap()
    });
    sync(&citizen, &gemeente).await;
    gemeente.with_vault(|v| {
        v.decide(
            &adj.id,
            DecisionInput {
                outcome: Outcome::Toegekend,
                granted: None,
                reasons: "Extra uren in de zomer".into(),
                automated_rule: None,
            },
        )
        .unwrap()
    });
    sync(&gemeente, &citizen).await;

    // Top-up with own money, and a spend.
    citizen.with_vault(|v| {
        v.top_up(&budget, &account, eur(12345), day("2027-02-01"), "eigen geld")
            .unwrap();
        v.record_entry(
            &budget,
            NewEntry {
                account: account.clone(),
                kind: EntryKind::Spend,
                amount: eur(133001),
                category: Some("begeleiding_individueel".into()),
                date: day("2027-02-28"),
                note: "februari".into(),
                reference: None,
            },
        )
        .unwrap();
    });
    sync(&citizen, &gemeente).await;

    let mine = citizen.with_vault(|v| v.budget(&budget).unwrap());
    let theirs = gemeente.with_vault(|v| v.budget(&budget).unwrap());
    let a = &mine.report.accounts[&account];
    assert_eq!(a, &theirs.report.accounts[&account], "both sides agree to the cent");
    assert_eq!(a.granted, eur(650000));
    assert_eq!(a.topped_up, eur(12345));
    assert_eq!(a.spent, eur(133001));
    assert_eq!(a.remaining, eur(650000) + eur(12345) - eur(133001));
    let (own, municipal) = mine.own_and_municipal();
    assert_eq!((own, municipal), (eur(12345), eur(650000)), "own money kept apart");
    // Every version kept: grant and adjustment are separate signed entries.
    let mut grants: Vec<_> = mine
        .report
        .lines
        .iter()
        .filter(|l| matches!(l.entry.kind, EntryKind::Grant | EntryKind::Adjustment))
        .map(|l| (format!("{:?}", l.entry.kind), l.entry.amount))
        .collect();
    grants.sort();
    assert_eq!(
        grants,
        vec![("Adjustment".into(), eur(50000)), ("Grant".into(), eur(600000))]
    );

    // Exchange: Sanne moves 250,50 to her mother's budget for informal support.
    let mother = node(&tmp.path().join("m"), "Moeder van Sanne", Role::Citizen).await;
    let mb = mother.with_vault(|v| v.budget_doc());
    let mother_acc = mother.with_vault(|v| {
        v.add_account(
            &mb,
            "Mantelzorg",
            FundingStream::Wmo,
            Unit::Euro,
            day("2027-01-01"),
            day("2027-12-31"),
        )
        .unwrap()
        .id
    });
    let t = invite(&citizen, Role::Family, &[DocKind::Plan], Access::Read);
    mother.join(&t.to_string().parse().unwrap()).await.unwrap();
    let mother_id = mother.with_vault(|v| v.identity());
    // A category the policy does not allow to exchange is refused.
    let e = citizen
        .with_vault(|v| v.offer_transfer(mother_id, &account, eur(1000), "verpleging", "x"))
        .unwrap_err();
    assert!(e.to_string().contains("may not be exchanged"), "{e}");
    let tr = citizen.with_vault(|v| {
        v.offer_transfer(
            mother_id,
            &account,
            eur(25050),
            "begeleiding_informeel",
            "mantelzorg in maart",
        )
        .unwrap()
    });
    // One signature only: nothing moves yet.
    let before = citizen.with_vault(|v| v.budget(&budget).unwrap().report.accounts[&account].clone());
    assert_eq!(before.transferred_out, Decimal::ZERO);
    assert_eq!(before.remaining, a.remaining);
    sync(&citizen, &mother).await;
    mother.with_vault(|v| v.accept_transfer(&tr.id, "Mantelzorg").unwrap());
    sync(&mother, &citizen).await;
    sync(&citizen, &gemeente).await;
    let mine = citizen.with_vault(|v| v.budget(&budget).unwrap().report.accounts[&account].clone());
    let theirs = gemeente.with_vault(|v| v.budget(&budget).unwrap().report.accounts[&account].clone());
    let hers = mother.with_vault(|v| v.budget(&mb).unwrap().report.accounts[&mother_acc].clone());
    assert_eq!(mine.transferred_out, eur(25050));
    assert_eq!(hers.transferred_in, eur(25050));
    assert_eq!(mine.remaining, a.remaining - eur(25050));
    assert_eq!(hers.remaining, eur(25050));
    assert_eq!(
        mine, theirs,
        "the municipality's view agrees to the cent, transfer included"
    );
    // A transfer-in nobody sent (one signature, hers) moves no money.
    mother.with_vault(|v| {
        v.record_entry(
            &mb,
            NewEntry {
                account: mother_acc.clone(),
                kind: EntryKind::TransferIn,
                amount: eur(99900),
                category: None,
                date: day("2027-03-01"),
                note: "zomaar".into(),
                reference: Some("bestaat-niet".into()),
            },
        )
        .unwrap()
    });
    let hers = mother.with_vault(|v| v.budget(&mb).unwrap());
    assert_eq!(hers.report.accounts[&mother_acc].transferred_in, eur(25050));
    assert!(matches!(
        hers.report
            .lines
            .iter()
            .find(|l| l.entry.note == "zomaar")
            .unwrap()
            .status,
        inwonercloud_vault::EntryStatus::Pending { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn automated_allocation_grants_by_rule_and_routes_the_rest_and_allows_review() {
    let tmp = tempfile::tempdir().unwrap();
    let citizen = node(&tmp.path().join("c"), "Sanne", Role::Citizen).await;
    let gemeente = node(&tmp.path().join("g"), "Gemeente Utrecht", Role::Municipality).await;
    gemeente.with_vault(|v| v.publish_policy(Policy::example("Gemeente Utrecht")).unwrap());
    connect(&citizen, &gemeente).await;
    // The citizen now holds the municipality's policy (public to peers).
    sync(&gemeente, &citizen).await;
    let p = citizen.with_vault(|v| v.policy()).expect("policy received");
    assert_eq!(p.record.municipality, "Gemeente Utrecht");

    let plan = citizen.with_vault(|v| v.plan_doc());
    let goal = citizen.with_vault(|v| {
        v.add_goal(&plan, LifeDomain::Zelfzorg, "Mijn huis schoonhouden", None)
            .unwrap()
    });
    // 104 hours over a year is 2 hours a week: rule R1 (max 3, zelfzorg goal).
    let fits = citizen.with_vault(|v| {
        v.request_budget(request(
            "huishoudelijke_hulp",
            Decimal::from(104),
            Unit::Hours,
            vec![goal.id.clone()],
            None,
        ))
        .unwrap()
    });
    // 260 hours is 5 a week: no rule covers it.
    let too_much = citizen.with_vault(|v| {
        v.request_budget(request(
            "huishoudelijke_hulp",
            Decimal::from(260),
            Unit::Hours,
            vec![goal.id.clone()],
            None,
        ))
        .unwrap()
    });
    sync(&citizen, &gemeente).await;
    let done = gemeente.with_vault(|v| v.allocate().unwrap());
    assert_eq!(done.len(), 2);
    let auto = done.iter().find(|a| a.request == fits.id).unwrap();
    assert_eq!(auto.rule.as_deref(), Some("R1-huishoudelijke-hulp"));
    let routed = done.iter().find(|a| a.request == too_much.id).unwrap();
    assert_eq!(routed.rule, None);
    // Running again decides nothing twice.
    assert!(gemeente.with_vault(|v| v.allocate().unwrap()).is_empty());
    let inbox = gemeente.with_vault(|v| v.inbox().unwrap());
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].request.record.id, too_much.id);
    assert_eq!(inbox[0].state, RequestState::InBehandeling);

    sync(&gemeente, &citizen).await;
    let budget = citizen.with_vault(|v| v.budget_doc());
    let v = citizen.with_vault(|v| v.find_request(&fits.id).unwrap());
    let d = v.decision.unwrap();
    assert_eq!(d.record.automated_rule.as_deref(), Some("R1-huishoudelijke-hulp"));
    let acc = inwonercloud_vault::assessment::account_for(&fits.id);
    let figures = citizen.with_vault(|v| v.budget(&budget).unwrap().report.accounts[&acc].clone());
    assert_eq!(figures.granted, Decimal::from(104));
    assert_eq!(figures.unit, Some(Unit::Hours));

    // The citizen asks for human review; automation may not decide it again,
    // a person may, and the new decision replaces the automated one.
    citizen.with_vault(|v| v.ask_review(&fits.id, "Ik heb meer uren nodig").unwrap());
    sync(&citizen, &gemeente).await;
    assert!(gemeente.with_vault(|v| v.allocate().unwrap()).is_empty());
    let e = gemeente
        .with_vault(|v| {
            v.decide(
                &fits.id,
                DecisionInput {
                    outcome: Outcome::Toegekend,
                    granted: None,
                    reasons: "regel".into(),
                    automated_rule: Some("R1-huishoudelijke-hulp".into()),
                },
            )
        })
        .unwrap_err();
    assert!(e.to_string().contains("a person must decide"), "{e}");
    gemeente.with_vault(|v| {
        v.decide(
            &fits.id,
            DecisionInput {
                outcome: Outcome::DeelsToegekend,
                granted: Some(Decimal::from(52)),
                reasons: "Na herbeoordeling: één uur per week".into(),
                automated_rule: None,
            },
        )
        .unwrap()
    });
    sync(&gemeente, &citizen).await;
    let v = citizen.with_vault(|v| v.find_request(&fits.id).unwrap());
    assert_eq!(v.superseded.len(), 1);
    assert_eq!(v.decision.unwrap().record.outcome, Outcome::DeelsToegekend);
    let figures = citizen.with_vault(|v| v.budget(&budget).unwrap().report.accounts[&acc].clone());
    assert_eq!(figures.granted, Decimal::from(52), "104 granted, then adjusted by -52");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_or_grant_by_anyone_but_the_municipality_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let citizen = node(&tmp.path().join("c"), "Sanne", Role::Citizen).await;
    let counselor = node(&tmp.path().join("b"), "Bert", Role::Counselor).await;
    let gemeente = node(&tmp.path().join("g"), "Gemeente", Role::Municipality).await;
    connect(&citizen, &gemeente).await;
    // The counselor may write the budget too (helping with requests).
    let t = invite(&citizen, Role::Counselor, &[DocKind::Budget], Access::Write);
    counselor.join(&t.to_string().parse().unwrap()).await.unwrap();
    let budget = citizen.with_vault(|v| v.budget_doc());
    let req = citizen.with_vault(|v| {
        v.request_budget(request("dagbesteding", eur(300000), Unit::Euro, vec![], None))
            .unwrap()
    });
    sync(&citizen, &counselor).await;
    // The counselor's vault refuses to decide...
    let e = counselor
        .with_vault(|v| {
            v.decide(
                &req.id,
                DecisionInput {
                    outcome: Outcome::Toegekend,
                    granted: None,
                    reasons: "akkoord".into(),
                    automated_rule: None,
                },
            )
        })
        .unwrap_err();
    assert!(e.to_string().contains("only the municipality"), "{e}");
    // ...and a decision and grant written around the API are refused on read.
    counselor.with_vault(|v| {
        let d = inwonercloud_schemas::Decision {
            id: "vals".into(),
            request_id: req.id.clone(),
            outcome: Outcome::Toegekend,
            granted: Some(Quantity::euro(eur(300000)).unwrap()),
            reasons: "vals besluit".into(),
            automated_rule: None,
            date: day("2027-01-01"),
            funding: Vec::new(),
            categories: Vec::new(),
        };
        v.put_record(&budget, "vals", d).unwrap();
        let acc = inwonercloud_schemas::Account {
            id: "nep".into(),
            name: "nep".into(),
            stream: FundingStream::Wmo,
            unit: Unit::Euro,
            period_start: day("2027-01-01"),
            period_end: day("2027-12-31"),
        };
        v.put_record(&budget, "nep", acc).unwrap();
        let g = inwonercloud_schemas::LedgerEntry {
            id: "nepgrant".into(),
            account: "nep".into(),
            kind: EntryKind::Grant,
            amount: eur(300000),
            category: None,
            date: day("2027-01-01"),
            note: "vals".into(),
            reference: Some("vals".into()),
        };
        v.put_record(&budget, "nepgrant", g).unwrap();
    });
    sync(&counselor, &citizen).await;
    let view = citizen.with_vault(|v| v.find_request(&req.id).unwrap());
    assert!(view.decision.is_none(), "the counselor's decision does not count");
    assert_eq!(view.state, RequestState::Ingediend);
    assert!(
        view.refused.iter().any(|r| r.contains("only the municipality decides")),
        "{:?}",
        view.refused
    );
    let b = citizen.with_vault(|v| v.budget(&budget).unwrap());
    assert_eq!(
        b.report.accounts["nep"].granted,
        Decimal::ZERO,
        "a grant by a counselor moves no money"
    );
    assert!(matches!(
        b.report.lines.iter().find(|l| l.entry.id == "nepgrant").unwrap().status,
        inwonercloud_vault::EntryStatus::Refused { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_overspending_offline_see_the_same_over_budget_entries() {
    let tmp = tempfile::tempdir().unwrap();
    let laptop = node(&tmp.path().join("laptop"), "Sanne", Role::Citizen).await;
    let gemeente = node(&tmp.path().join("g"), "Gemeente", Role::Municipality).await;
    connect(&laptop, &gemeente).await;
    // The phone joins as a second device of the same citizen.
    let phone_dir = tmp.path().join("phone");
    let spec = inwonercloud_vault::InviteSpec {
        role: Role::Citizen,
        documents: vec![],
        access: Access::Write,
        valid_until: None,
        purpose: String::new(),
        name_hint: String::new(),
        device: true,
    };
    let ticket = laptop.invite(spec, 3600).unwrap();
    let phone_vault =
        inwonercloud_vault::Vault::create_unlinked(&phone_dir, "telefoon", &inwonercloud_tests::pass()).unwrap();
    let phone = Node::spawn(phone_vault, inwonercloud_sync::NodeConfig::loopback())
        .await
        .unwrap();
    phone.join(&ticket).await.unwrap();

    let req = laptop.with_vault(|v| {
        v.request_budget(request("dagbesteding", eur(100000), Unit::Euro, vec![], None))
            .unwrap()
    });
    sync(&laptop, &gemeente).await;
    gemeente.with_vault(|v| {
        v.decide(
            &req.id,
            DecisionInput {
                outcome: Outcome::Toegekend,
                granted: None,
                reasons: "ok".into(),
                automated_rule: None,
            },
        )
        .unwrap()
    });
    sync(&gemeente, &laptop).await;
    sync(&laptop, &phone).await;
    let budget = laptop.with_vault(|v| v.budget_doc());
    let acc = inwonercloud_vault::assessment::account_for(&req.id);
    // Offline, each device approves 700 of the 1.000.
    for (n, d) in [(&laptop, "2027-03-01"), (&phone, "2027-03-02")] {
        n.with_vault(|v| {
            v.record_entry(
                &budget,
                NewEntry {
                    account: acc.clone(),
                    kind: EntryKind::Spend,
                    amount: eur(70000),
                    category: Some("dagbesteding".into()),
                    date: day(d),
                    note: format!("goedgekeurd op {d}"),
                    reference: None,
                },
            )
            .unwrap()
        });
    }
    sync(&phone, &laptop).await;
    let over = |n: &Node| {
        n.with_vault(|v| {
            let b = v.budget(&budget).unwrap();
            let lines: Vec<(String, String)> = b
                .report
                .over_budget_lines()
                .map(|l| (l.entry.note.clone(), format!("{:?}", l.status)))
                .collect();
            (lines, b.report.accounts[&acc].not_covered)
        })
    };
    let (a, b) = (over(&laptop), over(&phone));
    assert_eq!(a, b, "both devices show the same over-budget entries");
    assert_eq!(a.1, eur(40000));
    assert_eq!(a.0.len(), 1);
    assert_eq!(
        a.0[0].0, "goedgekeurd op 2027-03-02",
        "the later one in ledger order is the uncovered one"
    );
}
