//! No English vault error reaches the Dutch app (egui_kittest): errors
//! provoked on the Boeken form (an amount with three decimals, an impossible
//! date, an amount of zero), on Apparaten (a key that is no key) and on the
//! welcome screen (a backup restored with the wrong passphrase, a device
//! invite that is no invite) each show a Dutch notice, with none of the
//! words that give away an English text.

use egui::accesskit::Role as A11y;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use inwonercloud_app::gui::App;

use super::ui::{
    app_on, click, click_last, demo_as, go, link_device, notice, restore_backup, settle, type_into, type_secret,
    workspace,
};

/// Words that give away an English text (" is " is a Dutch word too).
const ENGLISH: [&str; 8] = [
    "the ", " not ", "must", "cannot", "too many", " has ", " you", " should ",
];

fn assert_dutch(text: &str, what: &str) {
    assert!(!text.trim().is_empty(), "{what}: an empty notice");
    let lower = text.to_lowercase();
    for word in ENGLISH {
        assert!(!lower.contains(word), "{what}: English '{word}' in: {text}");
    }
}

/// Books on the Budget screen's Boeken form and returns the error notice.
fn book(h: &mut Harness<'static, App>, amount: &str, date: &str) -> String {
    let ws = h.state_mut().workspace.as_mut().unwrap();
    ws.forms.entry_amount.clear();
    ws.forms.entry_date.clear();
    ws.notice = None;
    settle(h);
    type_into(h, "Bedrag (bijv. 66,50)", amount);
    type_into(h, "Datum (leeg = vandaag)", date);
    click_last(h, "Boeken");
    if h.query_by_role_and_label(A11y::Button, "Ja, ondertekenen").is_some() {
        click(h, "Ja, ondertekenen");
    }
    let (error, text) = notice(h);
    assert!(error, "booking {amount} on {date:?} is refused: {text}");
    text
}

#[test]
fn errors_in_the_dutch_app_are_shown_in_dutch() {
    let (tmp, _, mut h) = demo_as("inwoner");
    go(&mut h, "Budget");
    let entries = |h: &Harness<'static, App>| {
        workspace(h)
            .views
            .budget
            .as_ref()
            .unwrap()
            .as_ref()
            .unwrap()
            .report
            .lines
            .len()
    };
    let before = entries(&h);

    let text = book(&mut h, "1,005", "");
    assert_dutch(&text, "three decimals");
    assert!(text.contains("te veel cijfers achter de komma"), "{text}");

    let text = book(&mut h, "12,50", "31-02-2026");
    assert_dutch(&text, "an impossible date");
    assert!(text.contains("lijkt geen datum"), "{text}");

    let text = book(&mut h, "0", "");
    assert_dutch(&text, "an amount of zero");
    assert!(text.contains("boven nul"), "{text}");
    assert_eq!(entries(&h), before, "nothing was booked");

    // A new passphrase with a wrong current one.
    go(&mut h, "Apparaten");
    h.state_mut().workspace.as_mut().unwrap().notice = None;
    type_secret(&mut h, "Huidig wachtwoord (dat u wijzigt)", "niet-het-goede");
    type_secret(&mut h, "Nieuw wachtwoord", "een nieuw wachtwoord");
    type_secret(&mut h, "Herhaal wachtwoord", "een nieuw wachtwoord");
    click(&mut h, "Wachtwoord wijzigen");
    let (error, text) = notice(&h);
    assert!(error, "{text}");
    assert_dutch(&text, "a wrong current passphrase");
    drop(h);

    // The welcome screen: a backup restored with the wrong passphrase.
    let old = tmp.path().join("oude-laptop");
    {
        let v = inwonercloud_tests::vault(&old, "Sanne", inwonercloud_schemas::Role::Citizen);
        v.backup(&tmp.path().join("kopie.bak"), &inwonercloud_tests::pass())
            .unwrap();
    }
    let mut h = app_on(&tmp.path().join("nieuw"), None);
    restore_backup(&mut h, &tmp.path().join("kopie.bak"), "niet het goede wachtwoord");
    assert!(h.state().workspace.is_none(), "nothing opened");
    let text = h.state().welcome.error.clone().expect("the welcome screen says why");
    assert_dutch(&text, "a wrong backup passphrase");
    assert!(text.contains("Verkeerd wachtwoord"), "{text}");

    // A device invite that is no invite.
    type_into(&mut h, "Apparaat-uitnodiging", "zomaar wat tekst");
    link_device(&mut h, "een goed wachtwoord");
    assert!(h.state().workspace.is_none(), "nothing opened");
    let text = h.state().welcome.error.clone().expect("the welcome screen says why");
    assert_dutch(&text, "a ticket that is no ticket");
    assert!(text.contains("uitnodiging"), "{text}");
}
