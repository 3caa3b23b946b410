//! Issue 19's "done when", as one journey through the app (egui_kittest),
//! in Dutch, with only clicks and typing and no command: Sanne creates a
//! vault on the welcome screen, adds a goal and makes a backup under
//! Apparaten; a second computer restores it with the recovery words shown;
//! a counselor (a new vault of her own) joins with the invite Sanne made
//! under Delen and reads her plan; a municipality (its own app) is invited,
//! receives her budget request in its Inbox and grants it; a provider (its
//! own app) publishes an offering and invites her to its catalogue under
//! Delen (a provider's invite offers its catalogue, not a plan or budget it
//! does not hold); Sanne orders it on
//! Marktplaats, the provider signs and declares, and Sanne approves the
//! declaration. Every app runs on real iroh endpoints on 127.0.0.1; the
//! vault API is only read, to check. After every step all text Sanne's app
//! shows is checked for English and for pointers to a terminal.

use std::path::Path;
use std::time::{Duration, Instant};

use egui::accesskit::Role as A11y;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT, Queryable};
use inwonercloud_app::gui::App;
use inwonercloud_sync::NodeConfig;
use inwonercloud_vault::RequestState;

use super::ui::{app_on, asking, click, decide, go, no_error, pick, settle, sign, type_into, type_secret, workspace};

/// Sanne's passphrase on her first computer.
const SANNE_PASS: &str = "zonnebloem in de tuin";
/// The passphrase she chooses on her second computer.
const NEW_PASS: &str = "regen op het dak";

/// Words that would mean English shows, or an error in English.
const ENGLISH: &[&str] = &[
    " the ",
    " and ",
    "failed",
    "error",
    "invalid",
    "not found",
    "settings",
    "passphrase",
    "vault ",
    " cannot",
    "please",
    "unknown",
];
/// What would point a person to a terminal.
const TERMINAL: &[&str] = &["inwonercloud ", "cargo ", "--", "terminal", "command"];

/// Every text the app shows: labels and values of every node in its
/// accessibility tree, except what is typed into fields.
fn visible_text(h: &Harness<'static, App>) -> Vec<String> {
    let mut out = Vec::new();
    for n in h.query_all(By::new().include_labels()) {
        let a = n.accesskit_node();
        let typed = matches!(
            a.role(),
            A11y::TextInput | A11y::MultilineTextInput | A11y::PasswordInput | A11y::SearchInput
        );
        if let Some(l) = a.label() {
            out.push(l.to_string());
        }
        if !typed && let Some(v) = a.value() {
            out.push(v.to_string());
        }
    }
    out
}

/// Asserts nothing Sanne's app shows is English or names a command.
fn all_dutch(h: &Harness<'static, App>, step: &str) {
    let texts = visible_text(h);
    assert!(texts.len() > 5, "{step}: the app shows text");
    // The recovery words are the standard (English) word list, and an
    // invite is letters at random: neither is a sentence to check.
    let not_words = h
        .state()
        .workspace
        .as_ref()
        .map(|w| {
            let words = w.forms.recovery_words.clone().unwrap_or_default();
            (words, w.ticket.clone().unwrap_or_default())
        })
        .unwrap_or_default();
    for text in texts {
        let trimmed = text.trim();
        if !trimmed.is_empty() && (not_words.0.contains(trimmed) || not_words.1.contains(trimmed)) {
            continue;
        }
        assert!(!text.contains("()"), "{step}: empty brackets in {text:?}");
        let lower = text.to_lowercase();
        // Padded, so that " the " also finds a text's first word.
        let padded = format!(" {lower} ");
        for word in ENGLISH {
            assert!(!padded.contains(word), "{step}: English ({word:?}) in {text:?}");
        }
        // A command is typed in lower case; the product's name is not one.
        for word in TERMINAL {
            assert!(
                !text.contains(word),
                "{step}: a terminal pointer ({word:?}) in {text:?}"
            );
        }
    }
}

/// Steps every app until `done` holds for the one at `watch`, or panics
/// after `secs` seconds (all apps step: each serves its peers).
fn wait_all(apps: &mut [&mut Harness<'static, App>], watch: usize, secs: u64, what: &str, done: impl Fn(&App) -> bool) {
    let start = Instant::now();
    while !done(apps[watch].state()) {
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
        for h in apps.iter_mut() {
            h.step();
        }
    }
    for h in apps.iter_mut() {
        settle(h);
    }
}

/// Answers the confirmation with "Ja, ondertekenen" when one is open, and
/// asserts the app reports no error.
fn sign_if_asked(h: &mut Harness<'static, App>) {
    if asking(h) {
        sign(h);
    } else {
        no_error(h);
    }
}

/// On the welcome screen of a fresh app: makes a vault for `name` in
/// `role` (its Dutch label) with `pass`.
fn create_vault(h: &mut Harness<'static, App>, name: &str, role: &str, pass: &str) {
    type_into(h, "Uw naam", name);
    if role != "inwoner" {
        pick(h, "Uw rol", role);
    }
    type_secret(h, "Wachtwoord", pass);
    type_secret(h, "Herhaal wachtwoord", pass);
    click(h, "Kluis maken");
    assert!(
        h.state().workspace.is_some(),
        "the new vault opens: {:?}",
        h.state().welcome.error
    );
}

/// A fresh app at `dir` (no vault yet) on 127.0.0.1.
fn networked(dir: &Path) -> Harness<'static, App> {
    app_on(dir, Some(NodeConfig::loopback()))
}

/// Whether the app's network has started.
fn network_up(a: &App) -> bool {
    a.workspace
        .as_ref()
        .and_then(|w| w.net.as_ref())
        .is_some_and(|n| n.started.is_some())
}

/// Under Delen of the first app (the others step meanwhile): an invite for
/// `whom` in `role` (the role picker's Dutch label) to the documents whose
/// check boxes `toggle` switches (a citizen's plan is ticked already),
/// writing when `write`; returns its text.
fn invite(apps: &mut [&mut Harness<'static, App>], whom: &str, role: &str, toggle: &[&str], write: bool) -> String {
    let h = &mut *apps[0];
    go(h, "Delen");
    super::ui::replace_text(h, "Naam van wie u uitnodigt", whom);
    pick(h, "Rol", role);
    for doc in toggle {
        h.get_by_role_and_label(A11y::CheckBox, doc).click();
        settle(h);
    }
    if write != workspace(h).forms.invite_write {
        h.get_by_role_and_label(A11y::CheckBox, "Mag ook schrijven (samen bewerken)")
            .click();
        settle(h);
    }
    click(h, "Uitnodiging maken");
    wait_all(apps, 0, 30, "the invite", |a| {
        a.workspace.as_ref().is_some_and(|w| w.ticket.is_some())
    });
    all_dutch(apps[0], &format!("the invite for {whom} is shown"));
    workspace(apps[0]).ticket.clone().unwrap()
}

/// Under Delen of another app: pastes the invite and connects.
fn join(h: &mut Harness<'static, App>, ticket: &str) {
    go(h, "Delen");
    type_into(h, "Uitnodigingstekst", ticket);
    click(h, "Verbinden");
}

#[test]
fn a_person_without_a_terminal_goes_from_a_new_vault_to_an_approved_declaration_in_dutch() {
    let tmp = tempfile::tempdir().unwrap();

    // 1. Sanne's first computer: a new vault, a goal, a backup.
    let mut first = app_on(&tmp.path().join("laptop"), None);
    all_dutch(&first, "welcome screen");
    create_vault(&mut first, "Sanne de Vries", "inwoner", SANNE_PASS);
    all_dutch(&first, "vault created");
    go(&mut first, "Plan");
    type_into(&mut first, "Het doel in eigen woorden", "Zelfstandig wonen");
    click(&mut first, "Doel toevoegen");
    no_error(&first);
    all_dutch(&first, "goal added");
    go(&mut first, "Apparaten");
    let file = tmp.path().join("usb-stick").join("sanne.bak");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    // The field suggests a file in her home folder; she types another.
    super::ui::replace_text(&mut first, "Bestand", file.to_str().unwrap());
    type_secret(
        &mut first,
        "Wachtwoord van de kluis (de reservekopie krijgt hetzelfde wachtwoord)",
        SANNE_PASS,
    );
    click(&mut first, "Reservekopie maken");
    no_error(&first);
    assert!(file.is_file(), "the backup is written");
    click(&mut first, "Herstelzin tonen");
    let words = workspace(&first)
        .forms
        .recovery_words
        .clone()
        .expect("the recovery words are shown");
    assert_eq!(words.split_whitespace().count(), 24);
    assert!(first.query_by_label(&words).is_some(), "on the screen");
    all_dutch(&first, "backup made");
    let identity = workspace(&first).who.identity;
    drop(first);

    // 2. Her second computer: restored with the words, her goal is there.
    let second = tmp.path().join("nieuwe-laptop");
    std::fs::create_dir(&second).unwrap();
    let mut sanne = networked(&second);
    type_into(&mut sanne, "Reservekopie (bestand)", file.to_str().unwrap());
    type_secret(&mut sanne, "Wachtwoord of 24 herstelwoorden", &words);
    type_secret(&mut sanne, "Nieuw wachtwoord (alleen bij herstelwoorden)", NEW_PASS);
    click(&mut sanne, "Terugzetten en openen");
    assert_eq!(
        workspace(&sanne).who.identity,
        identity,
        "the same person: {:?}",
        sanne.state().welcome.error
    );
    go(&mut sanne, "Plan");
    assert!(sanne.query_by_label_contains("Zelfstandig wonen").is_some(), "her goal");
    all_dutch(&sanne, "restored");

    // 3. A counselor in her own new vault joins with Sanne's invite.
    let mut karin = networked(&tmp.path().join("begeleider"));
    create_vault(&mut karin, "Karin Jansen", "begeleider", "koffie met melk");
    wait_all(&mut [&mut sanne, &mut karin], 0, 30, "Sanne's network", network_up);
    wait_all(&mut [&mut sanne, &mut karin], 1, 30, "Karin's network", network_up);
    let ticket = invite(&mut [&mut sanne, &mut karin], "Karin Jansen", "begeleider", &[], false);
    join(&mut karin, &ticket);
    wait_all(
        &mut [&mut karin, &mut sanne],
        0,
        60,
        "Sanne to be Karin's client",
        |a| {
            a.workspace
                .as_ref()
                .is_some_and(|w| w.views.holders.iter().any(|c| c.identity == identity))
        },
    );
    go(&mut karin, "Cliënten");
    click(&mut karin, "Bekijken");
    go(&mut karin, "Plan");
    wait_all(&mut [&mut karin, &mut sanne], 0, 60, "Sanne's plan at Karin's", |a| {
        a.workspace.as_ref().is_some_and(|w| {
            w.views
                .plan
                .as_ref()
                .and_then(|p| p.as_ref().ok())
                .is_some_and(|p| p.goals.iter().any(|g| g.record.text == "Zelfstandig wonen"))
        })
    });
    assert!(
        karin.query_by_label_contains("Zelfstandig wonen").is_some(),
        "Karin reads the plan"
    );
    all_dutch(&karin, "the counselor reads the plan");
    settle(&mut sanne);
    all_dutch(&sanne, "counselor joined");

    // 4a. The municipality (its own app) is invited to her budget; she asks
    // for a budget, and the municipality grants it in its Inbox.
    let mut gemeente = networked(&tmp.path().join("gemeente"));
    create_vault(&mut gemeente, "Gemeente Utrecht", "gemeente", "stadhuis aan de gracht");
    wait_all(
        &mut [&mut gemeente, &mut sanne],
        0,
        30,
        "the municipality's network",
        network_up,
    );
    let ticket = invite(
        &mut [&mut sanne, &mut gemeente],
        "Gemeente Utrecht",
        "gemeente",
        &["budget"],
        true,
    );
    join(&mut gemeente, &ticket);
    wait_all(
        &mut [&mut gemeente, &mut sanne],
        0,
        60,
        "the municipality to join",
        |a| {
            a.workspace
                .as_ref()
                .is_some_and(|w| w.views.holders.iter().any(|c| c.identity == identity))
        },
    );
    go(&mut sanne, "Budget");
    super::ui::click_label(&mut sanne, "Budget aanvragen");
    all_dutch(&sanne, "budget request form");
    type_into(&mut sanne, "Bedrag", "5000");
    type_into(&mut sanne, "Van (datum)", "01-01-2027");
    type_into(&mut sanne, "Tot en met (datum)", "31-12-2027");
    type_in_multiline(&mut sanne, "Waarom heeft u dit nodig?", "Hulp bij zelfstandig wonen");
    click(&mut sanne, "Aanvraag indienen");
    sign_if_asked(&mut sanne);
    all_dutch(&sanne, "budget requested");
    wait_all(
        &mut [&mut gemeente, &mut sanne],
        0,
        60,
        "the request in the Inbox",
        |a| a.workspace.as_ref().is_some_and(|w| !w.views.inbox.is_empty()),
    );
    go(&mut gemeente, "Inbox");
    all_dutch(&gemeente, "the municipality's Inbox");
    decide(&mut gemeente, 0, "Past bij het plan");
    sign(&mut gemeente);
    all_dutch(&gemeente, "the municipality decided");
    wait_all(&mut [&mut sanne, &mut gemeente], 0, 60, "the grant at Sanne's", |a| {
        a.workspace.as_ref().is_some_and(|w| {
            w.views.requests.iter().any(|r| r.state == RequestState::Besloten)
                && matches!(&w.views.budget, Some(Ok(b)) if !b.accounts.is_empty())
        })
    });
    go(&mut sanne, "Budget");
    all_dutch(&sanne, "budget granted");

    // 4b. A provider (its own app) publishes an offering and invites her.
    let mut zorg = networked(&tmp.path().join("zorg"));
    create_vault(&mut zorg, "Zorg De Linde", "zorgaanbieder", "linde in de wind");
    go(&mut zorg, "Catalogus");
    type_into(&mut zorg, "Dienst", "Begeleiding thuis");
    type_into(&mut zorg, "Prijs per eenheid (€)", "62,50");
    type_into(&mut zorg, "Regio", "Utrecht");
    type_into(&mut zorg, "Beschikbaarheid", "doordeweeks");
    type_into(&mut zorg, "Korte omschrijving", "Hulp bij het huishouden en de post");
    click(&mut zorg, "Publiceren");
    sign_if_asked(&mut zorg);
    wait_all(
        &mut [&mut zorg, &mut sanne],
        0,
        30,
        "the provider's network",
        network_up,
    );
    // The provider invites her to its catalogue; she pastes it under Delen.
    let ticket = invite(
        &mut [&mut zorg, &mut sanne],
        "Sanne de Vries",
        "inwoner",
        &["catalogus"],
        false,
    );
    assert!(ticket.parse::<inwonercloud_sync::Ticket>().is_ok(), "an invite text");
    for none in ["plan", "budget"] {
        assert!(
            zorg.query_by_role_and_label(A11y::CheckBox, none).is_none(),
            "a provider holds no {none} to share"
        );
    }
    join(&mut sanne, &ticket);
    wait_all(
        &mut [&mut sanne, &mut zorg],
        0,
        60,
        "the offering on Sanne's Marktplaats",
        |a| a.workspace.as_ref().is_some_and(|w| !w.views.offerings.is_empty()),
    );

    // 4c. Sanne orders; the provider signs and declares; Sanne approves.
    go(&mut sanne, "Marktplaats");
    assert!(sanne.query_by_label_contains("Begeleiding thuis").is_some());
    all_dutch(&sanne, "marketplace");
    all_dutch(&zorg, "the provider's catalogue");
    type_into(&mut sanne, "Van (datum)", "01-01-2027");
    type_into(&mut sanne, "Tot en met (datum)", "30-06-2027");
    click(&mut sanne, "Bestellen");
    assert!(asking(&sanne), "ordering asks first");
    assert!(
        sanne.query_all_by_label_contains("Nu resterend").count() > 0,
        "the confirmation shows what is left"
    );
    all_dutch(&sanne, "order confirmation");
    sign(&mut sanne);
    all_dutch(&sanne, "ordered");
    wait_all(&mut [&mut zorg, &mut sanne], 0, 60, "the order at the provider", |a| {
        a.workspace.as_ref().is_some_and(|w| !w.views.agreements.is_empty())
    });
    go(&mut zorg, "Overeenkomsten");
    click(&mut zorg, "Overeenkomst tekenen");
    sign(&mut zorg);
    wait_all(&mut [&mut zorg, &mut sanne], 0, 60, "the provider's signature", |a| {
        a.workspace
            .as_ref()
            .is_some_and(|w| w.views.agreements.iter().any(|ag| ag.countersigned))
    });
    type_into(&mut zorg, "Aantal eenheden", "4");
    type_into(&mut zorg, "Van (datum)", "01-01-2027");
    type_into(&mut zorg, "Tot en met (datum)", "31-01-2027");
    click(&mut zorg, "Declareren");
    sign(&mut zorg);
    all_dutch(&zorg, "the provider declared");
    wait_all(&mut [&mut sanne, &mut zorg], 0, 60, "the declaration at Sanne's", |a| {
        a.workspace.as_ref().is_some_and(|w| {
            w.views
                .agreements
                .iter()
                .any(|ag| ag.countersigned && ag.declarations.iter().any(|d| d.pending()))
        })
    });
    go(&mut sanne, "Declaraties");
    all_dutch(&sanne, "declarations");
    click(&mut sanne, "Goedkeuren");
    assert!(asking(&sanne), "approving asks first");
    assert!(
        sanne.query_all_by_label_contains("resterend").count() > 0,
        "the confirmation shows the remaining budget"
    );
    all_dutch(&sanne, "approval confirmation");
    sign(&mut sanne);
    all_dutch(&sanne, "approved");

    // Read back: approved, by Sanne, and € 250 spent of her budget.
    let approved = super::ui::vault(&sanne, |v| {
        v.agreements()
            .unwrap()
            .iter()
            .flat_map(|a| a.declarations.clone())
            .filter(|d| d.approval.as_ref().is_some_and(|ap| ap.author == identity))
            .count()
    });
    assert_eq!(approved, 1, "one declaration approved by Sanne");
    let spent = super::ui::vault(&sanne, |v| {
        let b = v.budget(&v.budget_doc()).unwrap();
        b.report
            .accounts
            .values()
            .map(|f| f.spent)
            .sum::<rust_decimal::Decimal>()
    });
    assert_eq!(spent, rust_decimal::Decimal::new(25000, 2), "4 × € 62,50 spent");
}

/// Types into the one multi-line field with this label.
fn type_in_multiline(h: &mut Harness<'static, App>, label: &str, text: &str) {
    super::ui::type_in(h, A11y::MultilineTextInput, label, text);
}
