//! The desktop app driven through its accessibility tree with egui_kittest:
//! real App, real vault files, and for sharing a real iroh node on
//! 127.0.0.1. Each test asserts what the vault holds afterwards, read through
//! a second, independent vault handle.

use std::path::Path;

use egui::accesskit::Role as A11y;
use egui_kittest::{Harness, kittest::Queryable};
use inwonercloud_app::gui::{App, Options, Screen};
use inwonercloud_schemas::{DocKind, EntryKind, Lang, LifeDomain};
use inwonercloud_sync::{Node, NodeConfig, Ticket};
use inwonercloud_vault::Vault;
use rust_decimal::Decimal;

use super::ui::{
    Cards, app, app_on, asked_with, card, click, click_first, click_label, click_last, click_nth, decide, demo_app_as,
    demo_as, go, link_device, no_error, open_as, open_demo, options, pick, remembering, replace_text,
    request_asked_with, sanne_with_a_goal, settle, sign, type_into, type_into_nth, type_secret, unlock, unlocked,
    wait_for, wait_for_network, wait_for_verification, workspace,
};

#[test]
fn first_run_creates_a_vault_and_a_goal_lands_in_the_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kluis");
    let mut h = app_on(&dir, None);
    assert!(
        h.state().workspace.is_none(),
        "without a vault the welcome screen shows"
    );

    type_into(&mut h, "Uw naam", "Fatima El Amrani");
    // A short passphrase, then two different ones, are refused; nothing is created.
    type_secret(&mut h, "Wachtwoord", "kort");
    type_secret(&mut h, "Herhaal wachtwoord", "kort");
    click(&mut h, "Kluis maken");
    assert!(h.state().workspace.is_none() && !Vault::exists(&dir));
    assert!(h.query_by_label_contains("te kort").is_some());
    type_secret(&mut h, "Wachtwoord", "-en-nog-wat");
    click(&mut h, "Kluis maken");
    assert!(h.query_by_label_contains("verschillen").is_some());
    assert!(!Vault::exists(&dir));
    type_secret(&mut h, "Herhaal wachtwoord", "-en-nog-wat");
    click(&mut h, "Kluis maken");
    let ws = h.state().workspace.as_ref().expect("the new vault is open");
    assert_eq!(ws.who.name, "Fatima El Amrani");
    assert_eq!(ws.screen, Screen::Overview);

    go(&mut h, "Plan");
    type_into(&mut h, "Het doel in eigen woorden", "Elke week zelf boodschappen doen");
    type_into(&mut h, "Streefdatum (dd-mm-jjjj, mag leeg)", "01-06-2027");
    click(&mut h, "Doel toevoegen");
    assert!(
        h.query_by_label_contains("Elke week zelf boodschappen doen").is_some(),
        "the goal is shown"
    );

    // A bad date is refused with a message and nothing is written.
    type_into(&mut h, "Het doel in eigen woorden", "Tweede doel");
    type_into(&mut h, "Streefdatum (dd-mm-jjjj, mag leeg)", "31-02-2027");
    click(&mut h, "Doel toevoegen");
    let notice = workspace(&h).notice.clone().unwrap();
    assert!(notice.error, "an impossible date is an error: {}", notice.text);
    drop(h);

    // Starting again asks for the passphrase: a wrong one is refused, the right one opens.
    let mut h = app_on(&dir, None);
    assert!(h.state().workspace.is_none() && h.state().locked.is_some());
    type_secret(&mut h, "Wachtwoord", "kort-en-nog-iets");
    click(&mut h, "Ontgrendelen");
    assert!(h.state().workspace.is_none());
    assert!(h.query_by_label_contains("opent de kluis niet").is_some());
    type_secret(&mut h, "Wachtwoord", "kort-en-nog-wat");
    click(&mut h, "Ontgrendelen");
    assert!(h.state().workspace.is_some(), "the right passphrase opens the vault");
    drop(h);

    let v = Vault::open(&dir, &inwonercloud_vault::Passphrase::new("kort-en-nog-wat")).unwrap();
    let plan = v.plan(&v.plan_doc()).unwrap();
    assert_eq!(plan.goals.len(), 1, "only the valid goal was written");
    let g = &plan.goals[0];
    assert_eq!(g.record.text, "Elke week zelf boodschappen doen");
    assert_eq!(g.record.domain, LifeDomain::Zelfzorg);
    assert_eq!(g.record.target_date.unwrap().to_string(), "2027-06-01");
    assert_eq!(g.author_name, "Fatima El Amrani");
}

#[test]
fn demo_citizen_books_a_spend_and_the_municipality_grants() {
    let (_tmp, demo_dir, mut h) = demo_as("inwoner");
    assert_eq!(workspace(&h).who.name, "Sanne de Vries");

    go(&mut h, "Budget");
    type_into(&mut h, "Bedrag (bijv. 66,50)", "125,40");
    type_into(&mut h, "Datum (leeg = vandaag)", "15-11-2026");
    pick(&mut h, "Categorie", "Begeleiding door informele hulp");
    type_into(&mut h, "Omschrijving", "Buurvrouw Els, 5 uur");
    click_last(&mut h, "Boeken");
    click(&mut h, "Ja, ondertekenen");
    assert!(h.query_by_label_contains("Buurvrouw Els, 5 uur").is_some());

    // An amount with three decimals is refused, in Dutch; the ledger is unchanged.
    type_into(&mut h, "Bedrag (bijv. 66,50)", "1,005");
    click_last(&mut h, "Boeken");
    let notice = workspace(&h).notice.clone().unwrap();
    assert!(notice.error);
    assert_eq!(
        notice.text, "1.005 heeft te veel cijfers achter de komma: hier kunnen er hoogstens 2.",
        "the Dutch text, not the vault's English"
    );

    // The municipality opens the same demo and grants more.
    click(&mut h, "Kluis sluiten");
    let granted_before: std::collections::BTreeMap<String, Decimal> = {
        let m = open_demo(&demo_dir.join("gemeente"));
        let b = m.budget(m.holders().unwrap()[0].doc(DocKind::Budget).unwrap()).unwrap();
        b.report.accounts.iter().map(|(k, f)| (k.clone(), f.granted)).collect()
    };
    open_as(&mut h, "gemeente");
    go(&mut h, "Budget");
    type_into(&mut h, "Bedrag (bijv. 66,50)", "500,00");
    type_into(&mut h, "Omschrijving", "Extra toekenning winter");
    click_last(&mut h, "Toekennen of bijstellen");
    click(&mut h, "Ja, ondertekenen");
    drop(h);

    let citizen = open_demo(&demo_dir.join("inwoner"));
    let doc = citizen.budget_doc();
    let b = citizen.budget(&doc).unwrap();
    let spend = b
        .report
        .lines
        .iter()
        .find(|l| l.entry.note == "Buurvrouw Els, 5 uur")
        .expect("the spend is in the citizen's ledger");
    assert_eq!(spend.entry.amount, Decimal::new(12540, 2));
    assert_eq!(spend.entry.kind, EntryKind::Spend);
    assert_eq!(spend.entry.category.as_deref(), Some("begeleiding_informeel"));
    assert!(!b.report.lines.iter().any(|l| l.entry.amount == Decimal::new(1005, 3)));

    // The grant went to the budget the municipality's Budget screen opens
    // with: the first budget holder it serves.
    let municipality = open_demo(&demo_dir.join("gemeente"));
    let first = municipality.holders().unwrap()[0]
        .doc(DocKind::Budget)
        .unwrap()
        .to_string();
    let m = municipality.budget(&first).unwrap();
    let grant = m
        .report
        .lines
        .iter()
        .find(|l| l.entry.note == "Extra toekenning winter")
        .expect("the grant is in the municipality's copy of the budget");
    assert_eq!(grant.entry.kind, EntryKind::Grant);
    assert_eq!(grant.author, municipality.identity());
    let f = &m.report.accounts[&grant.entry.account];
    assert_eq!(f.granted, granted_before[&grant.entry.account] + Decimal::from(500));
}

#[test]
fn consent_is_granted_through_an_invite_and_revoked_in_the_app() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("inwoner");
    inwonercloud_tests::vault(&dir, "Sanne", inwonercloud_schemas::Role::Citizen);
    let mut h = unlocked(&dir, Some(NodeConfig::loopback()));
    wait_for_network(&mut h);
    go(&mut h, "Delen");
    type_into(&mut h, "Naam van wie u uitnodigt", "Ahmed");
    click_label(&mut h, "Mag ook schrijven (samen bewerken)");
    click(&mut h, "Uitnodiging maken");
    wait_for(&mut h, 20, "a ticket", |a| {
        a.workspace.as_ref().is_some_and(|w| w.ticket.is_some())
    });
    let ticket: Ticket = workspace(&h).ticket.clone().unwrap().parse().unwrap();

    // The counselor joins from their own vault and node.
    let cdir = tmp.path().join("begeleider");
    let counselor = inwonercloud_tests::vault(&cdir, "Ahmed Bakker", inwonercloud_schemas::Role::Counselor);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let node = rt.block_on(Node::spawn(counselor, NodeConfig::loopback())).unwrap();
    rt.block_on(node.join(&ticket)).unwrap();
    let plan_doc = Vault::open(&dir, &inwonercloud_tests::pass())
        .unwrap()
        .doc_id(DocKind::Plan);
    assert!(
        node.with_vault(|v| v.header(&plan_doc).is_ok()),
        "the counselor received the plan"
    );

    wait_for(&mut h, 10, "the consent to show", |a| {
        a.workspace
            .as_ref()
            .is_some_and(|w| w.views.consents.iter().any(|c| c.active))
    });
    assert!(
        h.query_all_by_label("Ahmed Bakker").next().is_some(),
        "the consent names the counselor"
    );
    type_into(&mut h, "Reden van intrekken", "begeleiding afgerond");
    click(&mut h, "Intrekken");
    // Nothing is signed before the person says yes, and she is told what it does.
    assert!(h.query_by_label_contains("Vanaf nu deelt u niets meer met").is_some());
    assert!(workspace(&h).views.consents.iter().any(|c| c.active));
    click(&mut h, "Ja, ondertekenen");
    settle(&mut h);
    rt.block_on(node.shutdown());
    drop(h);

    let v = Vault::open(&dir, &inwonercloud_tests::pass()).unwrap();
    let consents = v.consents().unwrap();
    assert_eq!(consents.len(), 1);
    let c = &consents[0];
    assert_eq!(c.consent.record.grantee_name, "Ahmed Bakker");
    assert!(!c.active, "revoked in the app");
    assert_eq!(c.revocation.as_ref().unwrap().record.reason, "begeleiding afgerond");
    assert!(
        !v.documents_for_peer(&c.consent.record.grantee)
            .unwrap()
            .contains(&plan_doc),
        "the plan is no longer offered to the counselor"
    );
}

#[test]
fn counselor_sees_clients_and_english_switch_changes_texts() {
    let (_tmp, _, mut h) = demo_as("begeleider");
    let ws = workspace(&h);
    assert_eq!(ws.screen, Screen::Clients);
    assert!(h.query_by_label_contains("Sanne de Vries").is_some());
    // Clients are listed by name: Fatima El Amrani's household, then Sanne.
    click_nth(&mut h, "Bekijken", 1);
    go(&mut h, "Plan");
    // The counselor may write in the plan: the form is there.
    assert!(h.query_by_role_and_label(A11y::Button, "Doel toevoegen").is_some());
    assert!(h.query_by_label_contains("geschreven door Ahmed Bakker").is_some());
    go(&mut h, "Budget");
    // Read-only budget: no booking form.
    assert!(h.query_by_role_and_label(A11y::Button, "Boeken").is_none());
    h.state_mut().lang = Lang::En;
    settle(&mut h);
    assert!(h.query_by_role_and_label(A11y::Button, "Overview").is_some());
    assert!(
        h.query_by_label_contains("€15,250.00").is_some(),
        "amounts in English notation"
    );
}

#[test]
fn citizen_requests_budget_and_the_municipality_decides_in_its_inbox() {
    let (_tmp, demo_dir, mut h) = demo_as("inwoner");
    go(&mut h, "Budget");
    click_label(&mut h, "Budget aanvragen");
    type_into(&mut h, "Bedrag", "1200");
    type_into(&mut h, "Van (datum)", "01-01-2027");
    type_into(&mut h, "Tot en met (datum)", "31-12-2027");
    type_into_nth(
        &mut h,
        A11y::MultilineTextInput,
        "Waarom heeft u dit nodig?",
        0,
        "Begeleiding bij de verhuizing",
    );
    click(&mut h, "Aanvraag indienen");
    sign(&mut h);
    assert!(h.query_by_label_contains("Begeleiding bij de verhuizing").is_some());
    click(&mut h, "Kluis sluiten");

    // What sync would carry: the budget's signed changes reach the municipality.
    let citizen = open_demo(&demo_dir.join("inwoner"));
    let doc = citizen.budget_doc();
    let mut m = open_demo(&demo_dir.join("gemeente"));
    m.import_bundle(&citizen.bundle(&doc).unwrap(), "test").unwrap();
    drop(m);

    open_as(&mut h, "gemeente");
    assert_eq!(workspace(&h).screen, Screen::Inbox);
    assert!(h.query_by_label_contains("Begeleiding bij de verhuizing").is_some());
    // One card per waiting request, in inbox order.
    let n = card(&h, Cards::Inbox, |_| true, asked_with("Begeleiding bij de verhuizing"));
    decide(&mut h, n, "Past bij doel zelfzorg");
    assert!(
        h.query_by_label_contains("Toegekend en in het budget").is_some(),
        "the decision is shown first"
    );
    sign(&mut h);
    drop(h);

    let m = open_demo(&demo_dir.join("gemeente"));
    let req = request_asked_with(&m, "Begeleiding bij de verhuizing");
    assert_eq!(req.request.record.category, "begeleiding_individueel");
    assert_eq!(req.request.record.quantity.amount, Decimal::from(1200));
    let d = req.decision.expect("decided in the app");
    assert_eq!(d.record.outcome, inwonercloud_schemas::Outcome::Toegekend);
    assert_eq!(d.author, m.identity());
    let acc = inwonercloud_vault::assessment::account_for(&req.request.record.id);
    let b = m.budget(&doc).unwrap();
    assert_eq!(b.report.accounts[&acc].granted, Decimal::from(1200));
}

#[test]
fn citizen_approves_a_declaration_and_the_municipality_verifies_it() {
    let (_tmp, demo_dir, mut h) = demo_as("inwoner");
    assert!(
        h.query_by_label_contains("op uw goedkeuring").is_some(),
        "the overview says a declaration waits"
    );
    go(&mut h, "Declaraties");
    // Cancelling signs nothing.
    click(&mut h, "Goedkeuren");
    assert!(
        h.query_by_label_contains("reservering van deze zorgovereenkomst. Nu resterend op de rekening")
            .is_some(),
        "what approving does to the budget is shown before anything is signed"
    );
    click(&mut h, "Annuleren");
    let pending = |h: &Harness<'static, App>| {
        workspace(h)
            .views
            .agreements
            .iter()
            .flat_map(|a| &a.declarations)
            .filter(|d| d.pending())
            .count()
    };
    let before = pending(&h);
    assert!(before > 0);
    click(&mut h, "Goedkeuren");
    assert_eq!(pending(&h), before, "not before the yes");
    sign(&mut h);
    click(&mut h, "Kluis sluiten");

    let citizen = open_demo(&demo_dir.join("inwoner"));
    let ag = citizen
        .agreements()
        .unwrap()
        .into_iter()
        .find(|a| !a.agreement.record.informal)
        .expect("the agreement with De Linde");
    assert!(ag.declarations.iter().all(|d| !d.pending()), "both declarations judged");
    let b = citizen.budget(&citizen.budget_doc()).unwrap();
    let spend = b
        .report
        .lines
        .iter()
        .find(|l| l.entry.note.contains("declaratie") && l.entry.amount == Decimal::from(320))
        .expect("5 hours × 64 booked as spent");
    assert_eq!(spend.entry.kind, EntryKind::Spend);

    // The municipality receives the agreement (what sync carries) and verifies.
    let mut m = open_demo(&demo_dir.join("gemeente"));
    m.import_bundle(&citizen.bundle(&ag.doc).unwrap(), "test").unwrap();
    m.import_bundle(&citizen.bundle(&citizen.budget_doc()).unwrap(), "test")
        .unwrap();
    drop(m);
    open_as(&mut h, "gemeente");
    go(&mut h, "Verificatie");
    // Verification runs in the background and shows progress; wait for it.
    wait_for_verification(&mut h);
    let report = workspace(&h).views.claims.clone().unwrap();
    // Both approved declarations check; every other spend of the year is
    // listed beside them (the demo's invoices), each with its kind.
    let market: Vec<_> = report
        .claims
        .iter()
        .filter(|c| c.kind == inwonercloud_vault::ClaimKind::Marketplace)
        .collect();
    assert!(market.len() >= 2, "the demo's and this one: {report:#?}");
    assert!(market.iter().all(|c| c.valid), "{report:#?}");
    assert!(
        report
            .claims
            .iter()
            .any(|c| c.kind == inwonercloud_vault::ClaimKind::Receipt && c.valid)
    );
    let shown = format!(
        "{} van {} uitgaven gecontroleerd en geldig",
        report.valid_count(),
        report.claims.len()
    );
    assert!(h.query_by_label_contains(&shown).is_some(), "{shown}");
    assert!(h.query_all_by_label_contains("eigen aankoop met bon").count() > 1);
}

#[test]
fn a_municipality_publishes_its_policy_from_the_app() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("gemeente");
    inwonercloud_tests::vault(&dir, "Gemeente Oss", inwonercloud_schemas::Role::Municipality);
    let mut h = unlocked(&dir, None);
    assert_eq!(workspace(&h).screen, Screen::Inbox);
    // A file that is not a policy is refused with a message.
    let bad = tmp.path().join("beleid.json");
    std::fs::write(&bad, "{\"municipality\": 1}").unwrap();
    type_into(&mut h, "Bestand met het beleid", bad.to_str().unwrap());
    click(&mut h, "Beleid publiceren");
    assert!(workspace(&h).notice.as_ref().unwrap().error);
    click(&mut h, "Voorbeeldbeleid publiceren");
    assert!(h.query_by_label_contains("Beleid publiceren: 2 regels").is_some());
    click(&mut h, "Ja, ondertekenen");
    assert!(h.query_by_label_contains("R1-huishoudelijke-hulp").is_some());
    drop(h);
    let v = Vault::open(&dir, &inwonercloud_tests::pass()).unwrap();
    let p = v.policy().expect("published");
    assert_eq!(p.record.municipality, "Gemeente Oss");
    assert_eq!(p.author, v.identity());
    assert_eq!(p.record.rules.len(), 2);
}

#[test]
fn a_citizen_makes_a_backup_and_sees_the_recovery_phrase_in_the_app() {
    let (tmp, _, mut h) = demo_as("inwoner");
    go(&mut h, "Apparaten");
    let file = tmp.path().join("sanne.bak");
    replace_text(&mut h, "Bestand", file.to_str().unwrap());
    // The backup card's passphrase field has its own label.
    let current = "Wachtwoord van de kluis (de reservekopie krijgt hetzelfde wachtwoord)";
    type_secret(&mut h, current, "geen-goed-wachtwoord");
    click(&mut h, "Reservekopie maken");
    assert!(!file.exists(), "a wrong passphrase writes no backup");
    type_secret(&mut h, current, inwonercloud_app::demo::PASSPHRASE);
    click(&mut h, "Reservekopie maken");
    assert!(file.exists(), "{:?}", workspace(&h).notice);
    click(&mut h, "Herstelzin tonen");
    let words = workspace(&h).forms.recovery_words.clone().unwrap();
    assert_eq!(words.split(' ').count(), 24);
    drop(h);
    // The backup restores with the recovery phrase shown in the app.
    let (v, _) = Vault::restore(
        &file,
        &tmp.path().join("hersteld"),
        &inwonercloud_vault::backup::BackupSecret::RecoveryPhrase(words),
        Some(&inwonercloud_vault::Passphrase::new("nieuw wachtwoord")),
        "",
    )
    .unwrap();
    assert_eq!(v.name(), "Sanne de Vries");
}

#[test]
fn equivocation_is_refused_recorded_and_shown_as_a_possibly_cloned_device() {
    use inwonercloud_tests::{change_on_top, plan_with_writer};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("anna");
    let (mut anna, mallory, plan) = plan_with_writer(tmp.path());
    // Two different changes as the same (device, seq): one for each peer.
    let base = anna.signed_changes(&plan).unwrap();
    let one = change_on_top(&mallory, &plan, &base, "x", "voor Anna", None);
    let two = change_on_top(&mallory, &plan, &base, "x", "voor Bert", None);
    assert_ne!(one.bytes, two.bytes);
    let header = anna.bundle(&plan).unwrap().header;
    let certs = vec![mallory.device_certificate().clone()];
    anna.import_changes(&header, &certs, &[one], "Mallory").unwrap();
    let before = anna.change_count(&plan).unwrap();
    let err = anna.import_changes(&header, &certs, &[two], "Bert").unwrap_err();
    assert!(
        matches!(err, inwonercloud_vault::VaultError::Equivocation { .. }),
        "{err}"
    );
    assert_eq!(anna.change_count(&plan).unwrap(), before, "nothing applied");
    let log = anna.rejections().unwrap();
    assert_eq!(
        log.last().unwrap().equivocating_device,
        Some(mallory.device_key().public())
    );
    drop(anna);

    let mut h = unlocked(&dir, None);
    assert!(
        h.query_by_label_contains("mogelijk gekopieerd").is_some(),
        "the citizen is told a device may be cloned"
    );
    // Why, in plain Dutch with what to do, from the typed refusal in the log.
    click_label(&mut h, "Waarom geweigerd?");
    assert!(
        h.query_by_label_contains("met hetzelfde nummer (1). Dat gebeurt als iemand het apparaat heeft gekopieerd")
            .is_some(),
        "the refusal is explained in Dutch"
    );
}

#[test]
fn a_citizen_trusts_a_municipality_key_after_comparing_its_fingerprint() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("inwoner");
    let gemeente = tmp.path().join("gemeente");
    let g = inwonercloud_tests::vault(&gemeente, "Gemeente Woerden", inwonercloud_schemas::Role::Municipality);
    let key = g.identity();
    drop(g);
    {
        let mut v = inwonercloud_tests::vault(&dir, "Sanne", inwonercloud_schemas::Role::Citizen);
        // Sanne joined the municipality's invite earlier: it is a known peer.
        v.remember_peer(&inwonercloud_vault::PeerInfo {
            identity: key,
            name: "Gemeente Woerden".into(),
            role: inwonercloud_schemas::Role::Municipality,
            devices: vec![],
            addrs: vec![],
            last_seen: 0,
            postbus: None,
        })
        .unwrap();
    }
    let mut h = unlocked(&dir, None);
    go(&mut h, "Delen");
    assert!(h.query_by_label("Vertrouwde gemeenten").is_some(), "the card shows");
    let fp = inwonercloud_vault::trust::fingerprint(&key);
    assert!(h.query_by_label(&fp).is_some(), "with the key's fingerprint {fp}");
    click(&mut h, "Vertrouw als gemeente");
    drop(h);
    let v = Vault::open(&dir, &inwonercloud_tests::pass()).unwrap();
    assert_eq!(
        v.trusted_municipalities().unwrap().get(&key),
        Some(&inwonercloud_vault::trust::TrustSource::Pinned),
        "the key is pinned in the vault"
    );
    drop(v);
    let mut h = unlocked(&dir, None);
    go(&mut h, "Delen");
    click(&mut h, "Niet meer vertrouwen");
    drop(h);
    let v = Vault::open(&dir, &inwonercloud_tests::pass()).unwrap();
    assert!(v.trusted_municipalities().unwrap().is_empty());
}

/// Peers store the address they reached the app at: after a restart the app
/// listens on the same port again, so those addresses stay good.
#[test]
fn the_app_listens_on_the_same_port_after_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("inwoner");
    inwonercloud_tests::vault(&dir, "Sanne", inwonercloud_schemas::Role::Citizen);
    let port = |tmp: &Path| {
        let mut h = app(options(&dir, &tmp.join("demo"), Some(NodeConfig::loopback())));
        settle(&mut h);
        unlock(&mut h);
        wait_for_network(&mut h);
        let started = workspace(&h).net.as_ref().unwrap().started.clone();
        let (_, addrs) = started.unwrap().unwrap();
        addrs[0].parse::<std::net::SocketAddr>().unwrap().port()
        // Dropping the harness stops the network thread and frees the port.
    };
    let first = port(tmp.path());
    let second = port(tmp.path());
    assert_ne!(first, 0);
    assert_eq!(first, second, "the same port after a restart");
}

/// The language and text size chosen in the window are there again at the
/// next start, and a language asked for on the command line wins.
#[test]
fn language_and_text_size_are_remembered_between_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("config").join("app.json");
    let with = |lang: Lang| Options {
        lang,
        ..remembering(tmp.path(), &file)
    };
    let mut h = app(with(Lang::Nl));
    settle(&mut h);
    assert_eq!(h.state().lang, Lang::Nl);
    h.state_mut().lang = Lang::En;
    h.state().remember();
    drop(h);
    let saved = inwonercloud_app::gui::Remembered::load(&file);
    assert_eq!(saved.lang, Some(Lang::En));
    let h = app(with(Lang::Nl));
    assert_eq!(h.state().lang, Lang::En, "remembered");
    assert_eq!(h.state().zoom(), 1.0);
    drop(h);
    // An unreadable file is ignored, not fatal.
    std::fs::write(&file, b"{not json").unwrap();
    let h = app(with(Lang::Nl));
    assert_eq!(h.state().lang, Lang::Nl);
}

/// A new computer: the backup is restored on the welcome screen with the 24
/// recovery words and a new passphrase, without a terminal, and the vault
/// opens with everything in it.
#[test]
fn a_backup_is_restored_on_the_welcome_screen_with_the_recovery_words() {
    let tmp = tempfile::tempdir().unwrap();
    let old = tmp.path().join("oude-laptop");
    let (identity, goal, words) = {
        let v = sanne_with_a_goal(&old);
        let plan = v.plan_doc();
        v.backup(&tmp.path().join("kopie.bak"), &inwonercloud_tests::pass())
            .unwrap();
        (v.identity(), plan, v.recovery_phrase().unwrap().to_string())
    };
    let new_dir = tmp.path().join("nieuwe-laptop");
    let mut h = app_on(&new_dir, None);
    type_into(
        &mut h,
        "Reservekopie (bestand)",
        tmp.path().join("kopie.bak").to_str().unwrap(),
    );
    type_secret(&mut h, "Wachtwoord of 24 herstelwoorden", &words);
    type_secret(
        &mut h,
        "Nieuw wachtwoord (alleen bij herstelwoorden)",
        "een nieuw wachtwoord",
    );
    click(&mut h, "Terugzetten en openen");
    let ws = h.state().workspace.as_ref().expect("the restored vault is open");
    assert_eq!(ws.who.identity, identity, "the same person");
    drop(h);
    let v = Vault::open(&new_dir, &inwonercloud_vault::Passphrase::new("een nieuw wachtwoord")).unwrap();
    assert_eq!(v.plan(&goal).unwrap().goals.len(), 1, "with her plan");
}

/// A second device, from the welcome screen: paste the device invite made on
/// the first device, choose a passphrase, and the new vault joins and shows
/// the same person's plan.
#[test]
fn a_second_device_joins_from_the_welcome_screen_with_a_device_invite() {
    let tmp = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let first = sanne_with_a_goal(&tmp.path().join("laptop"));
    let identity = first.identity();
    let node = rt.block_on(Node::spawn(first, NodeConfig::loopback())).unwrap();
    let addrs: Vec<String> = node.addrs().iter().map(|a| a.to_string()).collect();
    node.with_vault(|v| v.set_setting("serve_addrs", &addrs.join(",")))
        .unwrap();
    let ticket = node
        .invite(
            inwonercloud_vault::InviteSpec {
                role: inwonercloud_schemas::Role::Citizen,
                documents: vec![],
                access: inwonercloud_schemas::Access::Write,
                valid_until: None,
                purpose: String::new(),
                name_hint: String::new(),
                device: true,
            },
            600,
        )
        .unwrap()
        .to_string();

    let phone = tmp.path().join("telefoon");
    let mut h = app_on(&phone, Some(NodeConfig::loopback()));
    type_into(&mut h, "Apparaat-uitnodiging", &ticket);
    link_device(&mut h, "telefoon-wachtwoord");
    wait_for(&mut h, 20, "the new device to be linked", |a| {
        a.workspace.as_ref().is_some_and(|w| w.who.identity == identity)
    });
    wait_for(&mut h, 20, "the plan to arrive", |a| {
        a.workspace
            .as_ref()
            .and_then(|w| w.views.plan.as_ref())
            .is_some_and(|p| p.as_ref().is_ok_and(|p| p.goals.len() == 1))
    });
    drop(h);
    rt.block_on(node.shutdown());
}

#[test]
fn a_citizen_books_a_spend_with_a_photo_of_the_receipt_and_opens_it() {
    let tmp = tempfile::tempdir().unwrap();
    let demo_dir = tmp.path().join("demo");
    let photo = tmp.path().join("douchestoel-bon.png");
    // A real photo: 40 × 30 pixels, red on white.
    let img = image::RgbaImage::from_fn(40, 30, |x, _| {
        if x < 20 {
            image::Rgba([255, 0, 0, 255])
        } else {
            image::Rgba([255, 255, 255, 255])
        }
    });
    img.save(&photo).unwrap();
    let bytes = std::fs::read(&photo).unwrap();
    let mut h = demo_app_as(&demo_dir, "inwoner");
    go(&mut h, "Budget");
    type_into(&mut h, "Bedrag (bijv. 66,50)", "89,50");
    pick(&mut h, "Categorie", "Hulpmiddel of woningaanpassing");
    type_into(&mut h, "Omschrijving", "Douchestoel");
    type_into(
        &mut h,
        "Bon of factuur (foto of pdf, mag leeg)",
        photo.to_str().unwrap(),
    );
    click_last(&mut h, "Boeken");
    click(&mut h, "Ja, ondertekenen");
    click_label(&mut h, "Bon: douchestoel-bon.png");
    let text = no_error(&h);
    let shown = text.split_once("Bon bewaard in ").map(|(_, p)| p.to_string()).unwrap();
    assert_eq!(
        std::fs::read(shown.trim()).unwrap(),
        bytes,
        "the file opened is the receipt"
    );
    // The photo is shown in the app itself, decoded from the vault's copy.
    let (_, preview) = workspace(&h).forms.receipt_image.clone().unwrap();
    assert_eq!(preview.size, [40, 30]);
    assert_eq!(preview.pixels[0], egui::Color32::RED);
    assert!(
        h.query_by_label("Foto van de bon").is_some(),
        "the preview has its text alternative"
    );
    drop(h);

    let citizen = open_demo(&demo_dir.join("inwoner"));
    let doc = citizen.budget_doc();
    let b = citizen.budget(&doc).unwrap();
    let spend = b.report.lines.iter().find(|l| l.entry.note == "Douchestoel").unwrap();
    assert_eq!(b.receipts[&spend.entry.id][0].name, "douchestoel-bon.png");

    // A path that cannot be read books nothing and says so.
    let mut h = demo_app_as(&demo_dir, "inwoner");
    go(&mut h, "Budget");
    type_into(&mut h, "Bedrag (bijv. 66,50)", "10,00");
    type_into(&mut h, "Omschrijving", "Zonder bestand");
    type_into(&mut h, "Bon of factuur (foto of pdf, mag leeg)", "/bestaat/niet.png");
    click_last(&mut h, "Boeken");
    assert!(workspace(&h).notice.as_ref().unwrap().error);
    drop(h);
    let citizen = open_demo(&demo_dir.join("inwoner"));
    assert!(
        !citizen
            .budget(&doc)
            .unwrap()
            .report
            .lines
            .iter()
            .any(|l| l.entry.note == "Zonder bestand")
    );
}

#[test]
fn a_release_in_the_app_names_the_reservation_it_frees() {
    let (_tmp, demo_dir, mut h) = demo_as("inwoner");
    go(&mut h, "Budget");
    let (doc, reservation) = {
        let ws = workspace(&h);
        let b = ws.views.budget.clone().unwrap().unwrap();
        let r = b
            .report
            .lines
            .iter()
            .find(|l| l.entry.kind == EntryKind::Reservation)
            .expect("the demo holds a reservation")
            .entry
            .clone();
        (b.doc.clone(), r)
    };
    h.get_all_by_role_and_label(A11y::ComboBox, "Soort")
        .next()
        .expect("the booking form's kind")
        .click();
    settle(&mut h);
    click_label(&mut h, "vrijgave");
    assert!(h.query_by_label("Vrijgeven van reservering").is_some());
    type_into(&mut h, "Bedrag (bijv. 66,50)", "1,00");
    type_into(&mut h, "Omschrijving", "Minder uren nodig");
    click_last(&mut h, "Boeken");
    click(&mut h, "Ja, ondertekenen");
    drop(h);
    let citizen = open_demo(&demo_dir.join("inwoner"));
    let b = citizen.budget(&doc).unwrap();
    let release = b
        .report
        .lines
        .iter()
        .find(|l| l.entry.note == "Minder uren nodig")
        .expect("the release is booked");
    assert_eq!(release.entry.kind, EntryKind::Release);
    assert_eq!(release.entry.reference.as_deref(), Some(reservation.id.as_str()));
}

#[test]
fn a_citizen_cancels_an_agreement_after_a_confirmation() {
    let (_tmp, demo_dir, mut h) = demo_as("inwoner");
    go(&mut h, "Declaraties");
    let cancelled = |h: &Harness<'static, App>| {
        workspace(h)
            .views
            .agreements
            .iter()
            .filter_map(|a| {
                a.cancellation
                    .as_ref()
                    .map(|c| (a.agreement.record.id.clone(), c.record.clone()))
            })
            .collect::<Vec<_>>()
    };
    assert!(cancelled(&h).is_empty());
    type_into_nth(
        &mut h,
        A11y::TextInput,
        "Reden van opzeggen",
        0,
        "verhuisd naar Utrecht",
    );
    let press = |h: &mut Harness<'static, App>| click_first(h, "Opzeggen");
    // The dialog says what cancelling does; cancelling the dialog signs nothing.
    press(&mut h);
    assert!(h.query_by_label_contains("Zorgovereenkomst opzeggen met").is_some());
    assert!(h.query_by_label_contains("Na de laatste dag").is_some());
    click(&mut h, "Annuleren");
    assert!(cancelled(&h).is_empty(), "not before the yes");
    press(&mut h);
    sign(&mut h);
    let after = cancelled(&h);
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].1.reason, "verhuisd naar Utrecht");
    assert!(h.query_by_label_contains("Opgezegd; laatste dag").is_some());
    drop(h);

    // The vault holds the signed notice, and the card's button is gone.
    let citizen = open_demo(&demo_dir.join("inwoner"));
    let a = citizen.agreement(&after[0].0).unwrap();
    let c = a.cancellation.expect("signed notice");
    assert_eq!(c.author, citizen.identity());
    assert!(c.record.last_day <= a.agreement.record.period_end);
}
