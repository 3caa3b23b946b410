//! Confirmations for the signed steps that used to sign with one click
//! (egui_kittest, issue 19, CONFIRM2): the municipality taking a request
//! up, asking a question, admitting and withdrawing a provider, adding a
//! wijkbudget partner, making a new wijkbudget and publishing a policy; the citizen submitting a
//! request, opening an account, answering a question and asking for
//! review; the household adding a member and choosing its director; the
//! provider publishing an offering. Each opens a dialog that says what
//! will be signed and what it does; "Annuleren", Esc and Enter sign
//! nothing (every document of the vault is unchanged), "Ja, ondertekenen"
//! signs.

use egui::accesskit::Role as A11y;
use egui_kittest::Harness;
use inwonercloud_app::gui::App;
use inwonercloud_schemas::{Role, StepKind};
use inwonercloud_vault::{PeerInfo, RequestState};

use super::ui::{
    Cards, asks_first, built_demo, cancel_then_sign, card_of, carry_budget, click, click_label, click_nth, demo_app_as,
    demo_as, go, open_demo, request, sanne_asks, settle, states, type_into, type_into_nth, unlocked, vault, workspace,
};

#[test]
fn the_municipalitys_request_steps_admissions_and_a_new_partner_ask_first() {
    let (tmp, demo_dir) = built_demo();
    let id = sanne_asks(&demo_dir, "dagbesteding", 2400, "Twee dagdelen per week");
    // A provider the municipality knows that is no partner of the pot yet.
    let oost = inwonercloud_tests::vault(&tmp.path().join("oost"), "Buurtteam Oost", Role::Provider);
    let w = oost.whoami();
    let mut gemeente = open_demo(&demo_dir.join("gemeente"));
    // As when it joined the municipality with an invite.
    gemeente.admit(w.identity).unwrap();
    gemeente
        .remember_peer(&PeerInfo {
            identity: w.identity,
            name: w.name,
            role: Role::Provider,
            devices: vec![w.device],
            addrs: Vec::new(),
            last_seen: 0,
            postbus: None,
        })
        .unwrap();
    drop(gemeente);

    let mut h = demo_app_as(&demo_dir, "gemeente");

    // Taking the request up.
    let n = card_of(&h, Cards::Inbox, &id, |r| r.state == RequestState::Ingediend);
    cancel_then_sign(
        &mut h,
        |h| click_nth(h, "In behandeling nemen", n),
        states,
        &["In behandeling nemen: de aanvraag van", "Er wordt nog niets besloten"],
    );
    assert_eq!(request(&h, &id).state, RequestState::InBehandeling);

    // A question to the citizen.
    let question = "Welke zorgboerderij?";
    let n = card_of(&h, Cards::Inbox, &id, |r| r.state != RequestState::Besloten);
    type_into_nth(&mut h, A11y::TextInput, "Vraag aan de inwoner", n, question);
    cancel_then_sign(
        &mut h,
        |h| click_nth(h, "Vraag stellen", n),
        states,
        &[
            &format!("\"{question}\""),
            "ziet uw vraag bij de aanvraag en kan antwoorden",
        ],
    );
    let asked = request(&h, &id);
    assert_eq!(asked.state, RequestState::InformatieGevraagd);
    assert!(
        asked
            .steps
            .iter()
            .any(|s| matches!(&s.record.step, StepKind::InformatieGevraagd { question: q } if q == question))
    );

    // Admitting a provider to the market, and withdrawing it.
    go(&mut h, "Cliënten");
    let admitted = |h: &Harness<'static, App>| {
        workspace(h)
            .views
            .admissions
            .iter()
            .filter(|a| a.withdrawn_on.is_none())
            .count()
    };
    // The buttons follow the providers known here; Buurtteam Oost's is the
    // n-th of those not admitted (then of those admitted).
    let oost_id = oost.identity();
    let nth_oost = |h: &Harness<'static, App>, is_admitted: bool| {
        let ws = workspace(h);
        ws.views
            .peers
            .iter()
            .filter(|p| p.role == Role::Provider)
            .filter(|p| {
                is_admitted
                    == ws
                        .views
                        .admissions
                        .iter()
                        .any(|a| a.provider == p.identity && a.withdrawn_on.is_none())
            })
            .position(|p| p.identity == oost_id)
            .expect("Buurtteam Oost is listed")
    };
    let before = admitted(&h);
    let n = nth_oost(&h, false);
    cancel_then_sign(
        &mut h,
        |h| click_nth(h, "Toelaten tot de markt", n),
        states,
        &["Toelaten tot de markt:", "met de melding dat de gemeente"],
    );
    assert_eq!(admitted(&h), before + 1, "one more provider admitted");
    let n = nth_oost(&h, true);
    cancel_then_sign(
        &mut h,
        |h| click_nth(h, "Toelating intrekken", n),
        states,
        &["Toelating intrekken:", "blijven gelden"],
    );
    assert_eq!(admitted(&h), before, "one admission withdrawn");

    // Adding Buurtteam Oost as a partner of the wijkbudget: a write consent.
    go(&mut h, "Wijkbudget");
    asks_first(
        &mut h,
        "Als partner toevoegen",
        &[
            "Partner toevoegen aan het wijkbudget: Buurtteam Oost",
            "Buurtteam Oost mag daarna uitgaven boeken in dit wijkbudget",
        ],
    );
    assert!(
        vault(&h, |v| v.consents().unwrap().iter().any(|c| c.active
            && c.consent.record.grantee == oost_id
            && c.consent.record.access == inwonercloud_schemas::Access::Write)),
        "Buurtteam Oost may write in the pot"
    );

    // A new wijkbudget.
    click_label(&mut h, "Nieuw wijkbudget");
    {
        let f = &mut h.state_mut().workspace.as_mut().unwrap().forms.pot;
        f.new_name = "Wijkbudget Oost".into();
        f.new_from = "01-01-2027".into();
        f.new_to = "31-12-2027".into();
    }
    settle(&mut h);
    let pots = |h: &Harness<'static, App>| {
        let ws = workspace(h);
        ws.views.pots.iter().map(|p| p.name.clone()).collect::<Vec<_>>()
    };
    let after = cancel_then_sign(
        &mut h,
        |h| click(h, "Wijkbudget aanmaken"),
        pots,
        &[
            "Wijkbudget aanmaken: Wijkbudget Oost (01-01-2027 – 31-12-2027)",
            "Een wijkbudget kunt u niet meer verwijderen",
        ],
    );
    assert!(after.iter().any(|n| n == "Wijkbudget Oost"), "{after:?}");
}

#[test]
fn the_citizens_request_account_answer_and_review_ask_first() {
    let (_tmp, demo_dir) = built_demo();
    let questioned = sanne_asks(&demo_dir, "dagbesteding", 2400, "Twee dagdelen per week");
    // Rule R2 grants transport to day care up to € 1.500.
    let ruled = sanne_asks(&demo_dir, "vervoer_dagbesteding", 1200, "Taxi naar de dagbesteding");
    {
        let mut g = open_demo(&demo_dir.join("gemeente"));
        g.ask_information(&questioned, "Welke zorgboerderij?").unwrap();
        g.allocate().unwrap();
    }
    carry_budget(&demo_dir, "gemeente", "inwoner");

    let mut h = demo_app_as(&demo_dir, "inwoner");
    go(&mut h, "Budget");

    // Answering the municipality's question.
    let n = card_of(&h, Cards::Own, &questioned, |r| {
        r.state == RequestState::InformatieGevraagd
    });
    type_into_nth(&mut h, A11y::TextInput, "Uw antwoord", n, "De Hoge Born");
    cancel_then_sign(
        &mut h,
        |h| click_nth(h, "Antwoord versturen", n),
        states,
        &[
            "Uw antwoord aan de gemeente: \"De Hoge Born\"",
            "De gemeente ziet uw antwoord en neemt het mee in het besluit",
        ],
    );
    assert_eq!(request(&h, &questioned).state, RequestState::InBehandeling);

    // Asking a person to look again at the rules' decision.
    let automated = |r: &inwonercloud_vault::RequestView| {
        r.state == RequestState::Besloten && r.decision.as_ref().is_some_and(|d| d.record.automated_rule.is_some())
    };
    let n = card_of(&h, Cards::Own, &ruled, automated);
    type_into_nth(
        &mut h,
        A11y::TextInput,
        "Waarom een medewerker opnieuw moet kijken",
        n,
        "De taxi is duurder geworden",
    );
    cancel_then_sign(
        &mut h,
        |h| click_nth(h, "Herbeoordeling vragen", n),
        states,
        &[
            "Een medewerker vragen opnieuw te kijken",
            "Tot dan blijft het besluit van nu gelden",
        ],
    );
    assert_eq!(request(&h, &ruled).state, RequestState::HerbeoordelingGevraagd);

    // A new request.
    click_label(&mut h, "Budget aanvragen");
    let motivation = "Begeleiding bij de verhuizing";
    {
        let f = &mut h.state_mut().workspace.as_mut().unwrap().forms;
        f.req_category = "dagbesteding".into();
        f.req_amount = "800".into();
        f.req_from = "01-02-2027".into();
        f.req_until = "31-12-2027".into();
        f.req_motivation = motivation.into();
    }
    settle(&mut h);
    asks_first(
        &mut h,
        "Aanvraag indienen",
        &[
            "Aanvraag indienen: € 800,00",
            "Er komt pas geld in uw budget als de gemeente iets toekent",
        ],
    );
    assert!(
        vault(&h, |v| v.requests(&v.budget_doc()).unwrap().iter().any(|r| r
            .request
            .record
            .motivation
            == motivation)),
        "the request is signed"
    );

    // A new account.
    click_label(&mut h, "Nieuwe budgetrekening");
    {
        let f = &mut h.state_mut().workspace.as_mut().unwrap().forms;
        f.account_name = "Vervoer 2027".into();
        f.account_from = "01-01-2027".into();
        f.account_until = "31-12-2027".into();
    }
    settle(&mut h);
    asks_first(
        &mut h,
        "Rekening openen",
        &["Rekening openen in het budget van", "Vervoer 2027", "nog zonder geld"],
    );
    assert!(vault(&h, |v| v
        .budget(&v.budget_doc())
        .unwrap()
        .accounts
        .iter()
        .any(|a| a.record.name == "Vervoer 2027")));
}

#[test]
fn the_household_member_and_director_ask_first() {
    let (_tmp, _, mut h) = demo_as("gezin (integraal pgb)");
    go(&mut h, "Plan");
    type_into(&mut h, "Voornaam", "Amira");
    asks_first(
        &mut h,
        "Gezinslid toevoegen",
        &[
            "Gezinslid toevoegen aan uw plan: Amira (volwassene)",
            "Een gezinslid kunt u niet meer uit het plan halen",
        ],
    );
    let director = |h: &Harness<'static, App>| {
        vault(h, |v| {
            v.household(&v.plan_doc()).unwrap().director.map(|d| d.record.name)
        })
    };
    let amira = "Amira (ikzelf)";
    let after = cancel_then_sign(
        &mut h,
        |h| click(h, amira),
        director,
        &[
            &format!("Regisseur van het gezin: {amira}"),
            "Dit geeft Amira (ikzelf) nog geen rechten",
        ],
    );
    assert_eq!(after.as_deref(), Some("Amira"));
}

#[test]
fn the_providers_offering_asks_first() {
    let (_tmp, _, mut h) = demo_as("zorgaanbieder");
    go(&mut h, "Catalogus");
    type_into(&mut h, "Dienst", "Tuinonderhoud met begeleiding");
    type_into(&mut h, "Prijs per eenheid (€)", "31,50");
    h.state_mut().workspace.as_mut().unwrap().forms.offer_category = "dagbesteding".into();
    settle(&mut h);
    asks_first(
        &mut h,
        "Publiceren",
        &[
            "Aanbod publiceren: Tuinonderhoud met begeleiding",
            "Dagbesteding · € 31,50",
            "kunnen het voor deze prijs bij u bestellen",
        ],
    );
    let me = workspace(&h).who.identity;
    assert!(vault(&h, |v| v.offerings().unwrap().iter().any(
        |o| o.provider == me && o.offering.record.service == "Tuinonderhoud met begeleiding"
    )));
}

#[test]
fn publishing_a_policy_asks_first() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("gemeente");
    inwonercloud_tests::vault(&dir, "Gemeente Oss", Role::Municipality);
    let mut h = unlocked(&dir, None);
    cancel_then_sign(
        &mut h,
        |h| click(h, "Voorbeeldbeleid publiceren"),
        |h| vault(h, |v| v.policy().map(|p| p.record.rules.len())),
        &["Beleid publiceren: 2 regels", "Een later beleid vervangt dit beleid"],
    );
}
