//! Flows of the app that no other GUI test clicks through (egui_kittest,
//! issue 19): restoring a backup with its passphrase on the welcome screen;
//! a device invite made under Apparaten and pasted on a second app's welcome
//! screen, over real iroh endpoints on 127.0.0.1; the municipality's question
//! and the citizen's answer; a review asked of a rules decision, and the
//! person's decision that replaces it; and "Annuleren", Esc and Enter in
//! every confirmation dialog gui.rs and gui_confirm.rs do not cancel, which
//! leave every document of the vault as it was (only "Ja, ondertekenen"
//! signs).

use std::collections::BTreeSet;

use egui::accesskit::Role as A11y;
use egui_kittest::{Harness, kittest::Queryable};
use inwonercloud_app::gui::App;
use inwonercloud_schemas::StepKind;
use inwonercloud_sync::NodeConfig;
use inwonercloud_vault::{RequestState, Vault};

use super::ui::{
    Cards, app_on, asks_first, built_demo, cancel_then_sign, card_of, carry_budget, click, click_first, click_last,
    click_nth, demo_app_as, demo_as, go, inbox_card, link_device, make_device_invite, no_error, notice, open_as,
    open_demo, replace_secret, replace_text, request, restore_backup, sanne_asks, sanne_with_a_goal, settle, sign,
    states, type_into, type_into_nth, unlocked, vault, wait_both, wait_for_network, workspace,
};

/// The goal texts the app shows in its plan view.
fn goals(a: &App) -> BTreeSet<String> {
    a.workspace
        .as_ref()
        .and_then(|w| w.views.plan.as_ref())
        .and_then(|p| p.as_ref().ok())
        .map(|p| p.goals.iter().map(|g| g.record.text.clone()).collect())
        .unwrap_or_default()
}

/// A backup restored on a new computer with the passphrase it was made
/// with (no recovery words): a wrong passphrase is refused in Dutch and
/// leaves no vault behind, so the next try with the right one opens the
/// same person's vault with her plan.
#[test]
fn a_backup_is_restored_on_the_welcome_screen_with_its_passphrase() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("kopie.bak");
    let identity = {
        let v = sanne_with_a_goal(&tmp.path().join("oude-laptop"));
        v.backup(&file, &inwonercloud_tests::pass()).unwrap();
        v.identity()
    };
    // An empty folder, as a folder picker makes it.
    let new_dir = tmp.path().join("nieuwe-laptop");
    std::fs::create_dir(&new_dir).unwrap();
    let mut h = app_on(&new_dir, None);
    restore_backup(&mut h, &file, "niet het goede wachtwoord");
    assert!(h.state().workspace.is_none(), "a wrong passphrase opens nothing");
    let error = h.state().welcome.error.clone().expect("the refusal is shown");
    assert!(error.starts_with("Verkeerd wachtwoord"), "in Dutch: {error}");
    assert!(h.query_by_label_contains("Verkeerd wachtwoord").is_some());
    assert!(!Vault::exists(&new_dir), "no half vault is left behind");
    assert_eq!(
        std::fs::read_dir(&new_dir).unwrap().count(),
        0,
        "the folder is as empty as before"
    );

    replace_secret(
        &mut h,
        "Wachtwoord of 24 herstelwoorden",
        inwonercloud_tests::PASSPHRASE,
    );
    assert_eq!(h.state().welcome.backup_secret, inwonercloud_tests::PASSPHRASE);
    click(&mut h, "Terugzetten en openen");
    let ws = h.state().workspace.as_ref().expect("the restored vault is open");
    assert_eq!(ws.who.identity, identity, "the same person");
    assert_ne!(
        ws.who.device,
        Vault::open(&tmp.path().join("oude-laptop"), &inwonercloud_tests::pass())
            .unwrap()
            .device_key()
            .public(),
        "with a device key of its own"
    );
    go(&mut h, "Plan");
    assert!(
        h.query_by_label_contains("Zelfstandig wonen").is_some(),
        "her plan shows"
    );
    drop(h);
    // The restored vault keeps the backup's passphrase.
    let v = Vault::open(&new_dir, &inwonercloud_tests::pass()).unwrap();
    assert_eq!(v.identity(), identity);
    assert_eq!(v.plan(&v.plan_doc()).unwrap().goals.len(), 1);
}

/// Adding a device without a terminal: the laptop's app makes the device
/// invite under Apparaten, the phone's app pastes it on its welcome screen;
/// both show the same plan, and a goal added on the phone reaches the
/// laptop.
#[test]
fn a_device_invite_made_in_the_app_links_a_second_app() {
    let tmp = tempfile::tempdir().unwrap();
    let laptop = tmp.path().join("laptop");
    let identity = sanne_with_a_goal(&laptop).identity();
    let mut first = unlocked(&laptop, Some(NodeConfig::loopback()));
    wait_for_network(&mut first);
    let ticket = make_device_invite(&mut first);
    let parsed: inwonercloud_sync::Ticket = ticket.parse().unwrap();
    assert!(parsed.device, "a device invite, not an ordinary one");

    let phone = tmp.path().join("telefoon");
    let mut second = app_on(&phone, Some(NodeConfig::loopback()));
    type_into(&mut second, "Apparaat-uitnodiging", &ticket);
    link_device(&mut second, "telefoon-wachtwoord");
    wait_both(
        &mut first,
        &mut second,
        30,
        "the phone to be linked with the plan",
        |_, b| b.workspace.as_ref().is_some_and(|w| w.who.identity == identity) && goals(b).len() == 1,
    );
    assert_eq!(goals(first.state()), goals(second.state()), "the same plan");
    assert_ne!(
        workspace(&second).who.device,
        workspace(&first).who.device,
        "the phone signs with a key of its own"
    );

    // A goal added on the phone shows on the laptop.
    go(&mut second, "Plan");
    type_into(
        &mut second,
        "Het doel in eigen woorden",
        "Elke dag een half uur wandelen",
    );
    click(&mut second, "Doel toevoegen");
    no_error(&second);
    wait_both(&mut first, &mut second, 30, "the goal to reach the laptop", |a, _| {
        goals(a).len() == 2
    });
    assert_eq!(goals(first.state()), goals(second.state()), "still the same plan");
    drop(second);
    drop(first);
    let v = Vault::open(&laptop, &inwonercloud_tests::pass()).unwrap();
    let plan = v.plan(&v.plan_doc()).unwrap();
    let walk = plan
        .goals
        .iter()
        .find(|g| g.record.text == "Elke dag een half uur wandelen")
        .expect("stored on the laptop");
    assert_eq!(walk.author, identity, "written by Sanne, from her phone");
}

/// The municipality asks a question on a request in its Inbox; the citizen
/// sees it on her Budget screen and answers; the answer is signed by her
/// and the municipality reads it on the same card.
#[test]
fn the_municipality_asks_and_the_citizen_answers_in_the_app() {
    let (_tmp, demo_dir) = built_demo();
    let id = sanne_asks(
        &demo_dir,
        "dagbesteding",
        2400,
        "Twee dagdelen per week naar de zorgboerderij",
    );
    let question = "Welke zorgboerderij, en vanaf wanneer?";
    let answer = "De Hoge Born, vanaf februari.";

    let mut h = demo_app_as(&demo_dir, "gemeente");
    let n = inbox_card(&h, &id);
    type_into_nth(&mut h, A11y::TextInput, "Vraag aan de inwoner", n, question);
    click_nth(&mut h, "Vraag stellen", n);
    sign(&mut h);
    let asked = request(&h, &id);
    assert_eq!(asked.state, RequestState::InformatieGevraagd);
    let gemeente = workspace(&h).who.identity;
    assert!(asked.steps.iter().any(|s| s.author == gemeente
        && matches!(&s.record.step, StepKind::InformatieGevraagd { question: q } if q == question)));
    click(&mut h, "Kluis sluiten");
    carry_budget(&demo_dir, "gemeente", "inwoner");

    open_as(&mut h, "inwoner");
    go(&mut h, "Budget");
    assert!(
        h.query_by_label_contains(&format!("aanvullende informatie gevraagd: {question}"))
            .is_some(),
        "she reads the question on her request"
    );
    // Her answer field is the n-th among the requests with a question waiting.
    let n = card_of(&h, Cards::Own, &id, |r| r.state == RequestState::InformatieGevraagd);
    let send = |h: &mut Harness<'static, App>| click_nth(h, "Antwoord versturen", n);
    // An empty answer is refused, in Dutch, and signs nothing.
    let before = states(&h);
    send(&mut h);
    let (error, text) = notice(&h);
    assert!(error, "an empty answer is refused");
    assert!(
        text.contains("antwoord") && !text.contains("Engels"),
        "in Dutch only: {text}"
    );
    assert_eq!(states(&h), before);
    type_into_nth(&mut h, A11y::TextInput, "Uw antwoord", n, answer);
    send(&mut h);
    sign(&mut h);
    let sanne = workspace(&h).who.identity;
    let answered = request(&h, &id);
    assert_eq!(answered.state, RequestState::InBehandeling);
    assert!(answered.steps.iter().any(
        |s| s.author == sanne && matches!(&s.record.step, StepKind::InformatieGegeven { answer: a } if a == answer)
    ));
    click(&mut h, "Kluis sluiten");
    carry_budget(&demo_dir, "inwoner", "gemeente");

    // The municipality reads the answer, signed by the budget holder.
    open_as(&mut h, "gemeente");
    assert!(h.query_by_label_contains(&format!("antwoord: {answer}")).is_some());
    let seen = request(&h, &id);
    assert_eq!(seen.state, RequestState::InBehandeling);
    assert!(seen.steps.iter().any(
        |s| s.author == sanne && matches!(&s.record.step, StepKind::InformatieGegeven { answer: a } if a == answer)
    ));
}

/// The rules decide a request; the citizen asks a person to look again
/// ("Herbeoordeling vragen"); the request is back in the municipality's
/// Inbox, and the assessor's decision (after a cancelled first try)
/// replaces the rule's.
#[test]
fn a_citizen_asks_review_of_a_rules_decision_and_a_person_decides_again() {
    let (_tmp, demo_dir) = built_demo();
    // Rule R2 grants transport to day care up to € 1.500.
    let id = sanne_asks(
        &demo_dir,
        "vervoer_dagbesteding",
        1200,
        "Taxi naar de dagbesteding, twee keer per week",
    );
    let mut h = demo_app_as(&demo_dir, "gemeente");
    click(&mut h, "Regels nu toepassen");
    sign(&mut h);
    let decided = request(&h, &id);
    assert_eq!(decided.state, RequestState::Besloten);
    let rule = decided.decision.as_ref().unwrap().record.automated_rule.clone();
    assert_eq!(rule.as_deref(), Some("R2-vervoer"));
    click(&mut h, "Kluis sluiten");
    carry_budget(&demo_dir, "gemeente", "inwoner");

    open_as(&mut h, "inwoner");
    go(&mut h, "Budget");
    // The review field is the n-th among her requests decided by a rule.
    let n = card_of(&h, Cards::Own, &id, |r| {
        r.state == RequestState::Besloten && r.decision.as_ref().is_some_and(|d| d.record.automated_rule.is_some())
    });
    let reason = "De taxi is duurder geworden; ik heb meer nodig.";
    type_into_nth(
        &mut h,
        A11y::TextInput,
        "Waarom een medewerker opnieuw moet kijken",
        n,
        reason,
    );
    click_nth(&mut h, "Herbeoordeling vragen", n);
    sign(&mut h);
    let sanne = workspace(&h).who.identity;
    let asked = request(&h, &id);
    assert_eq!(asked.state, RequestState::HerbeoordelingGevraagd);
    assert!(asked.steps.iter().any(|s| s.author == sanne
        && matches!(&s.record.step, StepKind::HerbeoordelingGevraagd { reason: r } if r == reason)));
    assert!(
        h.query_by_label_contains(&format!("herbeoordeling gevraagd: {reason}"))
            .is_some()
    );
    click(&mut h, "Kluis sluiten");
    carry_budget(&demo_dir, "inwoner", "gemeente");

    // Back in the Inbox; an assessor decides, after a cancelled first try.
    open_as(&mut h, "gemeente");
    let n = inbox_card(&h, &id);
    assert_eq!(workspace(&h).views.inbox[n].state, RequestState::HerbeoordelingGevraagd);
    type_into_nth(
        &mut h,
        A11y::TextInput,
        "Motivering van het besluit",
        n,
        "Opnieuw bekeken door een medewerker",
    );
    cancel_then_sign(
        &mut h,
        |h| click_nth(h, "Besluit nemen", n),
        states,
        &["Besluit op de aanvraag Sanne de Vries", "Toegekend en in het budget"],
    );
    let reviewed = request(&h, &id);
    assert_eq!(reviewed.state, RequestState::Besloten);
    let d = reviewed.decision.expect("the person's decision");
    assert_eq!(d.record.automated_rule, None, "decided by a person");
    assert_eq!(d.record.reasons, "Opnieuw bekeken door een medewerker");
    assert_eq!(
        reviewed.superseded.len(),
        1,
        "the rule's decision is replaced, not lost"
    );
    assert_eq!(reviewed.superseded[0].record.automated_rule, rule);
}

/// The citizen's dialogs: booking, disputing a declaration, revoking a
/// consent, revoking and giving a mandate. "Annuleren" (and Esc, Enter)
/// leave every document as it was; "Ja, ondertekenen" signs.
#[test]
fn cancelling_the_citizens_dialogs_signs_nothing() {
    let (_tmp, _, mut h) = demo_as("inwoner");

    go(&mut h, "Budget");
    replace_text(&mut h, "Bedrag (bijv. 66,50)", "12,50");
    replace_text(&mut h, "Omschrijving", "Boodschappenbus");
    cancel_then_sign(
        &mut h,
        |h| click_last(h, "Boeken"),
        states,
        &["Boeken op", "Boodschappenbus"],
    );
    assert!(vault(&h, |v| {
        v.budget(&v.budget_doc())
            .unwrap()
            .report
            .lines
            .iter()
            .filter(|l| l.entry.note == "Boodschappenbus")
            .count()
            == 1
    }));

    go(&mut h, "Declaraties");
    type_into_nth(
        &mut h,
        A11y::TextInput,
        "Reden van betwisten",
        0,
        "Die dag was ik niet thuis",
    );
    cancel_then_sign(
        &mut h,
        |h| click_first(h, "Betwisten"),
        states,
        &["Betwisten: declaratie van", "Die dag was ik niet thuis"],
    );

    go(&mut h, "Delen");
    type_into(&mut h, "Reden van intrekken", "niet meer nodig");
    let active = |h: &Harness<'static, App>| vault(h, |v| v.consents().unwrap().iter().filter(|c| c.active).count());
    let consents = active(&h);
    cancel_then_sign(
        &mut h,
        |h| click_first(h, "Intrekken"),
        states,
        &["Toestemming intrekken voor", "Vanaf nu deelt u niets meer met"],
    );
    assert_eq!(active(&h), consents - 1, "one consent revoked");

    go(&mut h, "Machtigingen");
    let mandates = |h: &Harness<'static, App>| {
        vault(h, |v| {
            v.mandates()
                .unwrap()
                .iter()
                .map(|m| (m.mandate.record.id.clone(), m.revocation.is_some()))
                .collect::<Vec<_>>()
        })
    };
    cancel_then_sign(
        &mut h,
        |h| click_first(h, "Intrekken"),
        states,
        &["Machtiging intrekken van", "blijft geldig"],
    );
    assert!(mandates(&h).iter().any(|(_, revoked)| *revoked));
    let given = mandates(&h).len();
    // Approving and disputing are ticked already; ordering is added.
    h.get_by_role_and_label(A11y::CheckBox, "bestellen").click();
    settle(&mut h);
    asks_first(
        &mut h,
        "Machtiging geven",
        &[
            "Machtiging ondertekenen voor",
            "mag dan namens u goedkeuren, betwisten, bestellen",
        ],
    );
    assert_eq!(mandates(&h).len(), given + 1, "one mandate given");
    assert!(
        vault(&h, |v| v.mandates().unwrap().iter().any(|m| m.active
            && m.mandate
                .record
                .actions
                .contains(&inwonercloud_schemas::MandateAction::Order))),
        "with ordering, as ticked"
    );
}

/// The representative's commission: cancelling signs nothing.
#[test]
fn cancelling_a_commission_signs_nothing() {
    let (_tmp, demo_dir) = built_demo();
    // Sanne widens Eva's mandate to requests; Eva receives her budget.
    {
        let mut sanne = open_demo(&demo_dir.join("inwoner"));
        let mut eva = open_demo(&demo_dir.join("vertegenwoordiger"));
        sanne
            .give_mandate(
                eva.identity(),
                inwonercloud_schemas::Capacity::WettelijkVertegenwoordiger,
                vec![inwonercloud_schemas::MandateAction::Request],
                inwonercloud_tests::day("2026-01-01"),
                None,
            )
            .unwrap();
        eva.import_bundle(&sanne.bundle(&sanne.budget_doc()).unwrap(), "sanne")
            .unwrap();
    }
    let mut h = demo_app_as(&demo_dir, "vertegenwoordiger");
    go(&mut h, "Machtigingen");
    // The category picker starts at the catalogue's first category.
    type_into(&mut h, "Bedrag", "2400");
    type_into(&mut h, "Budget vanaf (dd-mm-jjjj)", "01-01-2027");
    type_into(&mut h, "Budget tot en met (dd-mm-jjjj)", "31-12-2027");
    type_into(&mut h, "Waarom", "twee dagdelen per week");
    let commissions = |h: &Harness<'static, App>| workspace(h).views.commissions.len();
    let before = commissions(&h);
    asks_first(
        &mut h,
        "Aanvraagopdracht ondertekenen",
        &["Opdracht ondertekenen namens Sanne de Vries"],
    );
    assert_eq!(commissions(&h), before + 1, "one commission signed");
}

/// The municipality's dialogs: a grant on a citizen's budget, and on the
/// wijkbudget a subsidy, a room, a rebalance and removing a partner.
#[test]
fn cancelling_the_municipalitys_dialogs_signs_nothing() {
    let (_tmp, _, mut h) = demo_as("gemeente");

    go(&mut h, "Budget");
    replace_text(&mut h, "Bedrag (bijv. 66,50)", "250,00");
    replace_text(&mut h, "Omschrijving", "Extra toekenning voorjaar");
    cancel_then_sign(
        &mut h,
        |h| click_last(h, "Toekennen of bijstellen"),
        states,
        &["Extra toekenning voorjaar"],
    );

    go(&mut h, "Wijkbudget");
    replace_text(&mut h, "Subsidie (€)", "5000");
    asks_first(&mut h, "Storten", &["Subsidie in het wijkbudget storten:"]);
    replace_text(&mut h, "Ruimte (€)", "21000");
    asks_first(&mut h, "Ruimte vastleggen", &["Ruimte vaststellen voor"]);
    // From the first partner by name to the second.
    h.state_mut().workspace.as_mut().unwrap().forms.pot.to = 1;
    replace_text(&mut h, "Over te dragen ruimte (€)", "100");
    replace_text(&mut h, "Reden (overleg partners)", "overleg december");
    asks_first(&mut h, "Ruimte overdragen", &["Ruimte geven:"]);
    replace_text(&mut h, "Reden", "samenwerking beëindigd");
    asks_first(
        &mut h,
        "Partner verwijderen",
        &["Partner verwijderen:", "kan daarna niets meer boeken"],
    );
}

/// A partner's dialogs on the wijkbudget: booking support, counting a
/// marketplace declaration, giving room to another partner.
#[test]
fn cancelling_a_partners_wijkbudget_dialogs_signs_nothing() {
    let (_tmp, _, mut h) = demo_as("zorgaanbieder");
    go(&mut h, "Wijkbudget");
    replace_text(&mut h, "Inwoner (pseudoniem, geen naam of BSN)", "OV-0107");
    replace_text(&mut h, "Bedrag (€)", "75,00");
    asks_first(&mut h, "Boeken", &["Steun boeken in het wijkbudget voor OV-0107"]);
    asks_first(
        &mut h,
        "Meetellen in het wijkbudget",
        &["Declaratie meetellen in het wijkbudget:"],
    );
    // To the first partner that is not De Linde itself.
    let to = vault(&h, |v| {
        let d = v.pot_dashboard(&v.pots().pop().unwrap()).unwrap();
        d.organisations
            .iter()
            .position(|o| o.organisation != v.identity())
            .unwrap()
    });
    h.state_mut().workspace.as_mut().unwrap().forms.pot.to = to;
    replace_text(&mut h, "Over te dragen ruimte (€)", "50");
    asks_first(&mut h, "Ruimte overdragen", &["Ruimte geven:"]);
}
