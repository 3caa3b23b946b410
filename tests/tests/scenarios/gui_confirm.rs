//! A confirmation before every signed step in the app (egui_kittest, issue
//! 19): ordering from the market, an agreement with an informal carer,
//! offering and accepting a transfer, revoking a device, a provider's countersignature and
//! declaration, and the municipality applying its rules each open a dialog
//! that says what will be signed and what it does to the budget.
//! "Annuleren", Esc and Enter each close it and sign nothing (checked in
//! the vault); only "Ja, ondertekenen" signs. The Declaraties screen shows
//! what is left in the account beside every declaration still to judge.

use egui::accesskit::Role as A11y;
use egui_kittest::{Harness, kittest::Queryable};
use inwonercloud_app::gui::App;
use inwonercloud_schemas::{EntryKind, FundingStream, Lang, Unit};
use inwonercloud_vault::{EntryStatus, RequestState, Vault};
use rust_decimal::Decimal;

use super::ui::{
    built_demo, cancel_then_sign, click, click_first, click_label, click_nth, demo_app_as, demo_as, go, open_demo,
    pick, replace_text, sanne_asks, sanne_has_a_phone, sign, type_into_nth, vault, workspace,
};

/// What is left in one account of the open vault's own budget.
fn left(v: &Vault, account: &str) -> Decimal {
    v.budget(&v.budget_doc()).unwrap().report.accounts[account].remaining
}

#[test]
fn ordering_from_the_market_asks_first_and_shows_what_is_reserved() {
    let (_tmp, _, mut h) = demo_as("inwoner");
    go(&mut h, "Marktplaats");
    replace_text(&mut h, "Aantal eenheden", "2");
    replace_text(&mut h, "Van (datum)", "01-12-2026");
    replace_text(&mut h, "Tot en met (datum)", "31-12-2026");
    let ids = |h: &Harness<'static, App>| {
        vault(h, |v| {
            v.agreements()
                .unwrap()
                .into_iter()
                .map(|a| a.agreement.record.id)
                .collect::<std::collections::BTreeSet<_>>()
        })
    };
    let before = ids(&h);
    let lefts = |h: &Harness<'static, App>| {
        vault(h, |v| {
            let b = v.budget(&v.budget_doc()).unwrap();
            b.report
                .accounts
                .iter()
                .map(|(k, f)| (k.clone(), f.remaining))
                .collect::<std::collections::BTreeMap<_, _>>()
        })
    };
    let left_before = lefts(&h);
    let after = cancel_then_sign(
        &mut h,
        |h| click_first(h, "Bestellen"),
        ids,
        &["Bestellen bij", "Wordt gereserveerd", "Daarna resterend"],
    );
    // One new agreement, and its 2 units × tariff set aside in its account.
    let new: Vec<_> = after.difference(&before).cloned().collect();
    assert_eq!(new.len(), 1, "one order signed");
    let a = vault(&h, |v| {
        v.agreements()
            .unwrap()
            .into_iter()
            .find(|a| a.agreement.record.id == new[0])
            .unwrap()
    });
    let r = &a.agreement.record;
    assert_eq!(
        lefts(&h)[&r.account],
        left_before[&r.account] - r.services[0].tariff * Decimal::from(2),
        "2 × the tariff is reserved, once"
    );
}

#[test]
fn the_informal_carer_agreement_asks_first() {
    let (_tmp, _, mut h) = demo_as("inwoner");
    go(&mut h, "Marktplaats");
    pick(&mut h, "Mantelzorger", "Els Visser");
    replace_text(&mut h, "Uurtarief in euro (bijv. 22,50)", "20,00");
    replace_text(&mut h, "Hoogstens aantal uren", "6");
    replace_text(&mut h, "Eerste dag van de afspraak", "01-12-2026");
    replace_text(&mut h, "Laatste dag van de afspraak", "31-12-2026");
    let informal = |h: &Harness<'static, App>| {
        vault(h, |v| {
            v.agreements()
                .unwrap()
                .iter()
                .filter(|a| a.agreement.record.informal)
                .count()
        })
    };
    cancel_then_sign(
        &mut h,
        |h| click(h, "Afspraak tekenen"),
        informal,
        &[
            "Afspraak ondertekenen met mantelzorger Els Visser",
            "Wordt gereserveerd: € 120,00",
            "Daarna resterend",
        ],
    );
}

#[test]
fn offering_a_transfer_asks_first_and_shows_what_leaves_the_account() {
    let (_tmp, _, mut h) = demo_as("inwoner");
    go(&mut h, "Budget");
    click_label(&mut h, "Overboeken naar een ander budget");
    type_into_nth(&mut h, A11y::TextInput, "Bedrag (bijv. 66,50)", 1, "10,00");
    // The category picker starts at begeleiding_informeel, which may be exchanged.
    assert_eq!(
        h.get_all_by_role_and_label(A11y::ComboBox, "Categorie")
            .nth(1)
            .unwrap()
            .value()
            .as_deref(),
        Some("Begeleiding door informele hulp")
    );
    let account = workspace(&h).views.budget.clone().unwrap().unwrap();
    let euro: Vec<String> = account
        .accounts
        .iter()
        .filter(|a| a.record.unit == Unit::Euro)
        .map(|a| a.record.id.clone())
        .collect();
    let first = euro[0].clone();
    let before = vault(&h, |v| left(v, &first));
    let transfers = |h: &Harness<'static, App>| vault(h, |v| v.transfers().unwrap().len());
    cancel_then_sign(
        &mut h,
        |h| click(h, "Overboeking aanbieden"),
        transfers,
        &[
            "Overboeking aanbieden aan",
            "Gaat van de rekening af zodra de ontvanger accepteert: € 10,00",
            "Daarna resterend",
        ],
    );
    // One offer of ten euros, waiting for the receiver; the account counts it once she accepts.
    let out: Vec<_> = vault(&h, |v| {
        let b = v.budget(&v.budget_doc()).unwrap();
        b.report
            .lines
            .iter()
            .filter(|l| l.entry.kind == EntryKind::TransferOut && l.entry.account == first)
            .map(|l| (l.entry.amount, matches!(l.status, EntryStatus::Pending { .. })))
            .collect()
    });
    assert_eq!(out, vec![(Decimal::from(10), true)]);
    assert_eq!(vault(&h, |v| left(v, &first)), before);
}

#[test]
fn accepting_a_transfer_asks_first_and_shows_what_comes_in() {
    let (tmp, demo_dir) = built_demo();
    // Another budget holder offers Sanne 40 euros; the offer reaches her vault.
    {
        let mut sanne = open_demo(&demo_dir.join("inwoner"));
        let mut oma = inwonercloud_tests::vault(&tmp.path().join("oma"), "Oma", inwonercloud_schemas::Role::Citizen);
        let account = inwonercloud_tests::euro_account(&mut oma, "Eigen geld", FundingStream::EigenBijdrage);
        let budget = oma.budget_doc();
        oma.top_up(
            &budget,
            &account,
            Decimal::from(100),
            inwonercloud_tests::day("2026-02-01"),
            "",
        )
        .unwrap();
        inwonercloud_tests::remember(&mut oma, &sanne);
        inwonercloud_tests::remember(&mut sanne, &oma);
        oma.offer_transfer(
            sanne.identity(),
            &account,
            Decimal::from(40),
            "begeleiding_informeel",
            "",
        )
        .unwrap();
        let doc = oma.exchange_doc_id(&sanne.identity());
        inwonercloud_tests::hand_over(&oma, &mut sanne, &doc);
    }
    let mut h = demo_app_as(&demo_dir, "inwoner");
    go(&mut h, "Budget");
    click_label(&mut h, "Overboeken naar een ander budget");
    let b = workspace(&h).views.budget.clone().unwrap().unwrap();
    let first = b
        .accounts
        .iter()
        .find(|a| a.record.unit == Unit::Euro)
        .map(|a| a.record.id.clone())
        .unwrap();
    let before = vault(&h, |v| left(v, &first));
    let accepted = |h: &Harness<'static, App>| {
        vault(h, |v| {
            v.transfers().unwrap().iter().filter(|t| t.acceptance.is_some()).count()
        })
    };
    cancel_then_sign(
        &mut h,
        |h| click(h, "Accepteren op deze rekening"),
        accepted,
        &[
            "Overboeking accepteren van Oma",
            "Komt op de rekening bij: € 40,00",
            "Daarna resterend",
        ],
    );
    assert_eq!(
        vault(&h, |v| left(v, &first)),
        before + Decimal::from(40),
        "the forty euros came in once"
    );
}

#[test]
fn revoking_a_device_asks_first() {
    let (tmp, demo_dir) = built_demo();
    let phone = sanne_has_a_phone(&demo_dir, &tmp.path().join("telefoon"));
    let mut h = demo_app_as(&demo_dir, "inwoner");
    go(&mut h, "Apparaten");
    let me = workspace(&h).who.identity;
    // The phone is the one other device in the list of her devices.
    cancel_then_sign(
        &mut h,
        |h| click(h, "Intrekken"),
        |h| vault(h, |v| v.is_device_revoked(&me, &phone)),
        &["Apparaat intrekken: telefoon", "kan daarna niets meer ondertekenen"],
    );
}

#[test]
fn the_provider_countersigns_and_declares_after_a_confirmation() {
    let (_tmp, demo_dir) = built_demo();
    // Sanne orders from De Linde; the agreement reaches De Linde's vault.
    let id = {
        let mut sanne = open_demo(&demo_dir.join("inwoner"));
        let mut linde = open_demo(&demo_dir.join("zorgaanbieder"));
        let b = sanne.budget(&sanne.budget_doc()).unwrap();
        let accounts: Vec<String> = b
            .accounts
            .iter()
            .filter(|a| a.record.unit == Unit::Euro)
            .map(|a| a.record.id.clone())
            .collect();
        let offerings: Vec<String> = sanne
            .offerings()
            .unwrap()
            .into_iter()
            .filter(|o| o.provider == linde.identity())
            .map(|o| o.offering.record.id)
            .collect();
        let (from, until) = ("2026-12-01".parse().unwrap(), "2026-12-31".parse().unwrap());
        let a = accounts
            .iter()
            .flat_map(|acc| offerings.iter().map(move |o| (acc, o)))
            .find_map(|(acc, o)| sanne.order_for(None, o, acc, Decimal::from(4), from, until).ok())
            .expect("an order De Linde can take");
        for doc in sanne.document_ids() {
            if doc.contains("/agreement/") {
                linde.import_bundle(&sanne.bundle(&doc).unwrap(), "sanne").unwrap();
            }
        }
        a.id
    };
    let mut h = demo_app_as(&demo_dir, "zorgaanbieder");
    go(&mut h, "Overeenkomsten");
    let signed = |h: &Harness<'static, App>| {
        vault(h, |v| {
            v.agreements()
                .unwrap()
                .into_iter()
                .find(|a| a.agreement.record.id == id)
                .expect("the agreement")
                .countersigned
        })
    };
    assert_eq!(
        h.query_all_by_role_and_label(A11y::Button, "Overeenkomst tekenen")
            .count(),
        1
    );
    cancel_then_sign(
        &mut h,
        |h| click(h, "Overeenkomst tekenen"),
        signed,
        &["Zorgovereenkomst ondertekenen met Sanne de Vries", "gereserveerd"],
    );

    // Its declaration form is the n-th among the countersigned agreements.
    let me = workspace(&h).who.identity;
    let n = workspace(&h)
        .views
        .agreements
        .iter()
        .filter(|a| a.agreement.record.provider == me && a.countersigned)
        .position(|a| a.agreement.record.id == id)
        .unwrap();
    type_into_nth(&mut h, A11y::TextInput, "Aantal eenheden", n, "2");
    type_into_nth(&mut h, A11y::TextInput, "Van (datum)", n, "01-12-2026");
    type_into_nth(&mut h, A11y::TextInput, "Tot en met (datum)", n, "15-12-2026");
    let declared = |h: &Harness<'static, App>| {
        vault(h, |v| {
            v.agreements()
                .unwrap()
                .into_iter()
                .find(|a| a.agreement.record.id == id)
                .map(|a| a.declarations.len())
        })
    };
    let after = cancel_then_sign(
        &mut h,
        |h| click_nth(h, "Declareren", n),
        declared,
        &["Declareren bij Sanne de Vries", "Pas na goedkeuring"],
    );
    assert_eq!(after, Some(1), "one declaration");
}

#[test]
fn applying_the_rules_asks_first() {
    let (_tmp, demo_dir) = built_demo();
    // Sanne asks for a budget; her budget document reaches the municipality.
    sanne_asks(&demo_dir, "begeleiding_individueel", 1200, "Hulp bij de administratie");
    let mut h = demo_app_as(&demo_dir, "gemeente");
    go(&mut h, "Inbox");
    let waiting = |h: &Harness<'static, App>| {
        vault(h, |v| {
            v.inbox()
                .unwrap()
                .iter()
                .filter(|r| r.state == RequestState::Ingediend)
                .count()
        })
    };
    assert!(waiting(&h) > 0, "the demo has requests waiting");
    let after = cancel_then_sign(
        &mut h,
        |h| click(h, "Regels nu toepassen"),
        waiting,
        &["Regels toepassen op de aanvragen die wachten", "Aanvragen die wachten:"],
    );
    assert_eq!(after, 0, "every waiting request was decided or taken up");
}

#[test]
fn the_remaining_budget_shows_beside_a_pending_declaration() {
    let (_tmp, _, mut h) = demo_as("inwoner");
    go(&mut h, "Declaraties");
    // Every declaration still to judge, with what is left in its account.
    let pending: Vec<String> = vault(&h, |v| {
        v.agreements()
            .unwrap()
            .iter()
            .flat_map(|a| {
                a.declarations
                    .iter()
                    .filter(|d| d.approval.is_none())
                    .map(|_| left(v, &a.agreement.record.account))
            })
            .map(|l| {
                format!(
                    "Nu resterend op de rekening: {}",
                    inwonercloud_app::gui::widgets::euros(l, Lang::Nl)
                )
            })
            .collect()
    });
    assert!(!pending.is_empty(), "the demo has a declaration to judge");
    for line in &pending {
        assert!(h.query_all_by_label(line).count() >= 1, "{line} shows");
    }
    let shown = |h: &Harness<'static, App>| h.query_all_by_label_contains("Nu resterend op de rekening:").count();
    assert_eq!(shown(&h), pending.len(), "one line per pending declaration");
    // The approval dialog says what is left afterwards; once judged, the line goes.
    let waiting = |h: &Harness<'static, App>| {
        vault(h, |v| {
            v.agreements()
                .unwrap()
                .iter()
                .flat_map(|a| {
                    a.declarations
                        .iter()
                        .filter(|d| d.approval.is_none())
                        .map(|d| (d.declaration.record.id.clone(), a.agreement.record.account.clone()))
                })
                .collect::<Vec<_>>()
        })
    };
    let before = waiting(&h);
    click_first(&mut h, "Goedkeuren");
    let effect = h.get_by_label_contains("Daarna resterend:").value().unwrap_or_default();
    sign(&mut h);
    assert_eq!(shown(&h), pending.len() - 1);
    let after = waiting(&h);
    let (_, account) = before.iter().find(|d| !after.contains(d)).expect("one approved");
    let now = inwonercloud_app::gui::widgets::euros(vault(&h, |v| left(v, account)), Lang::Nl);
    assert!(
        effect.ends_with(&format!("Daarna resterend: {now}.")),
        "the dialog foretold what is left: {effect} (now {now})"
    );
}
