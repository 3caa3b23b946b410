//! Every text of the app, Dutch and English side by side: one table per
//! language ([`NL`], [`EN`]), built from one list by [`crate::i18n::texts!`]
//! so a missing translation does not compile. Texts with numbers in them are
//! methods below. Part of the one catalogue in [`crate::i18n`].

use std::path::Path;

use inwonercloud_schemas::{Date, GoalStatus, Lang, Period, Unit};
use rust_decimal::Decimal;

use crate::gui::widgets;

// The table is built by the catalogue's `texts!` (see `crate::i18n`).
crate::i18n::texts! {
    // Frame
    language: "Taal", "Language";
    text_size: "Tekstgrootte", "Text size";
    close_vault: "Kluis sluiten", "Close vault";
    window_failed: "Het venster kon niet openen. Ontbreken er systeembibliotheken? Op Debian of Ubuntu: apt-get install libxkbcommon-x11-0 libxcursor1 libxi6 libgl1 libegl1 libegl-mesa0 libgl1-mesa-dri (zie README). Zonder venster werkt de opdrachtregel: inwonercloud --help",
        "The window could not open. Are system libraries missing? On Debian or Ubuntu: apt-get install libxkbcommon-x11-0 libxcursor1 libxi6 libgl1 libegl1 libegl-mesa0 libgl1-mesa-dri (see README). Without a window, the command line works: inwonercloud --help";
    open_failed: "Kluis openen mislukt", "Could not open the vault";
    // Navigation
    nav_clients: "Cliënten", "Clients";
    nav_overview: "Overzicht", "Overview";
    nav_plan: "Plan", "Plan";
    nav_budget: "Budget", "Budget";
    nav_sharing: "Delen", "Sharing";
    nav_devices: "Apparaten", "Devices";
    nav_journal: "Dagboek", "Journal";
    // Welcome
    welcome_title: "Welkom bij Inwonercloud", "Welcome to Inwonercloud";
    welcome_intro: "Uw ondersteuningsplan, uw budget en uw bonnetjes, in uw eigen kluis op dit apparaat. U bepaalt wie wat mag zien.",
        "Your support plan, your budget and your receipts, in your own vault on this device. You decide who sees what.";
    create_title: "Nieuwe kluis maken", "Create a new vault";
    your_name: "Uw naam", "Your name";
    your_role: "Uw rol", "Your role";
    device_name: "Naam van dit apparaat", "Name of this device";
    vault_folder: "Map van de kluis", "Vault folder";
    passphrase: "Wachtwoord", "Passphrase";
    passphrase_repeat: "Herhaal wachtwoord", "Repeat passphrase";
    passphrase_hint: "De kluis wordt versleuteld met dit wachtwoord (minstens 8 tekens, bijvoorbeeld vier losse woorden). Zonder wachtwoord kan niemand, ook u niet, de kluis openen: schrijf het op een veilige plek op.",
        "The vault is encrypted with this passphrase (at least 8 characters, for example four unrelated words). Without it no one, you included, can open the vault: write it down somewhere safe.";
    passphrases_differ: "De twee wachtwoorden verschillen.", "The two passphrases differ.";
    passphrase_too_short: "Het wachtwoord is te kort: gebruik minstens 8 tekens.", "The passphrase is too short: use at least 8 characters.";
    wrong_passphrase: "Dit wachtwoord opent de kluis niet. Er is niets gewijzigd; probeer het opnieuw.",
        "This passphrase does not open the vault. Nothing was changed; try again.";
    unlock_title: "Kluis ontgrendelen", "Unlock the vault";
    unlock_intro: "Deze kluis is versleuteld. Vul het wachtwoord in om hem te openen.", "This vault is encrypted. Enter its passphrase to open it.";
    unlock_button: "Ontgrendelen", "Unlock";
    back: "Terug", "Back";
    change_passphrase_title: "Wachtwoord wijzigen", "Change passphrase";
    current_passphrase: "Huidig wachtwoord (dat u wijzigt)", "Current passphrase (the one you change)";
    new_passphrase: "Nieuw wachtwoord", "New passphrase";
    change_passphrase_button: "Wachtwoord wijzigen", "Change passphrase";
    backup_title: "Reservekopie en herstel", "Backup and recovery";
    backup_help: "Een reservekopie is één versleuteld bestand met alles uit uw kluis. Zet hem op een USB-stick of een andere schijf. Terugzetten doet u op het beginscherm van het programma (Reservekopie terugzetten).",
        "A backup is one encrypted file with everything in your vault. Put it on a USB stick or another disk. Restore it on the program's first screen (Restore a backup).";
    backup_file: "Bestand", "File";
    confirm_title: "Bevestigen en ondertekenen", "Confirm and sign";
    confirm_yes: "Ja, ondertekenen", "Yes, sign";
    confirm_no: "Annuleren", "Cancel";
    confirm_irreversible: "U ondertekent dit met uw sleutel. Dit kan niet ongedaan worden gemaakt; wel kunt u later iets nieuws ondertekenen.", "You sign this with your key. It cannot be undone; you can sign something new later.";
    confirm_approve: "Goedkeuren: declaratie van", "Approve: declaration of";
    confirm_dispute: "Betwisten: declaratie van", "Dispute: declaration of";
    confirm_decide: "Besluit op de aanvraag", "Decision on the request";
    confirm_revoke: "Toestemming intrekken voor", "Revoke the consent of";
    restore_title: "Reservekopie terugzetten", "Restore a backup";
    restore_help: "Nieuwe computer of kwijtgeraakte laptop? Zet uw reservekopie terug. Met het wachtwoord van toen, of met uw 24 herstelwoorden (kies dan een nieuw wachtwoord). Dit apparaat krijgt een eigen nieuwe sleutel; trek daarna het oude apparaat in (Apparaten).", "New computer or a lost laptop? Restore your backup, with the passphrase it had, or with your 24 recovery words (then choose a new passphrase). This device gets a new key of its own; then revoke the old device (Devices).";
    restore_file: "Reservekopie (bestand)", "Backup file";
    restore_secret: "Wachtwoord of 24 herstelwoorden", "Passphrase or 24 recovery words";
    restore_new_pass: "Nieuw wachtwoord (alleen bij herstelwoorden)", "New passphrase (recovery words only)";
    restore_button: "Terugzetten en openen", "Restore and open";
    join_device_title: "Dit is een extra apparaat van mij", "This is another device of mine";
    join_device_help: "Heeft u al een kluis op een ander apparaat? Maak daar onder Apparaten een apparaat-uitnodiging en plak die hier. Dit apparaat krijgt dan alles te zien en kan alles bewerken, met een eigen sleutel.", "Do you have a vault on another device already? Make a device invite there under Devices and paste it here. This device then sees and edits everything, with a key of its own.";
    join_device_ticket: "Apparaat-uitnodiging", "Device invite";
    join_device_pass: "Wachtwoord voor de kluis op dit apparaat", "Passphrase for the vault on this device";
    join_device_pass2: "Herhaal dat wachtwoord", "Repeat that passphrase";
    join_device_button: "Koppelen en openen", "Link and open";
    not_a_device_ticket: "Dit is een uitnodiging voor iemand anders, niet voor een eigen apparaat. Maak op uw eerste apparaat een apparaat-uitnodiging (Apparaten).", "This invite is for someone else, not for a device of your own. Make a device invite on your first device (Devices).";
    relay_title: "Tussenstation: verbinden als het rechtstreeks niet lukt", "Relay: reachable through a go-between";
    relay_help: "Zit u of de ander achter een thuisrouter of een bedrijfsfirewall, dan verbindt het programma via een tussenstation (in het Engels: relay) dat bijvoorbeeld uw gemeente beheert. Het tussenstation ziet alleen versleutelde gegevens, nooit de inhoud. Meer dan één? Scheid de adressen met komma's; het volgende wordt gebruikt als het eerste niet werkt. Laat leeg om alleen rechtstreeks te verbinden. Een wijziging werkt na het opnieuw openen van de kluis.", "If you or the other person sit behind a home router or an office firewall, the program connects through a relay, for example one your municipality runs. The relay only sees encrypted data, never the content. More than one? Separate them with commas; the next is used when the first does not work. Leave empty to connect directly only. A change takes effect when the vault is opened again.";
    relay_url: "Adres van het tussenstation", "Relay address";
    relay_saved: "Tussenstation bewaard; het wordt gebruikt zodra u de kluis opnieuw opent.", "Relay saved; it is used once you open the vault again.";
    relay_cleared: "Geen tussenstation meer: alleen rechtstreeks verbinden.", "No relay: direct connections only.";
    relay_bad: "Dit is geen geldig adres van een tussenstation (het begint met https://).", "This is not a valid relay address (it starts with https://).";
    postbus_title: "Postbus: wijzigingen als u offline bent", "Postbus: changes while you are offline";
    postbus_help: "Bent u en de ander zelden tegelijk online? Kies dan een postbus, bijvoorbeeld van uw gemeente of wijkteam. Wie met u deelt, laat wijzigingen daar achter; u haalt ze op zodra u online komt, en andersom. De postbus bewaart ze versleuteld: alleen wie u toestemming gaf kan ze lezen, de postbus zelf niet. Trekt u een toestemming in, dan krijgt die persoon daar ook niets nieuws meer. Het adres krijgt u van wie de postbus draait.", "Are you and the other person rarely online at the same time? Then choose a postbus, for example your municipality's or your neighbourhood team's. Those who share with you leave changes there; you collect them as soon as you come online, and the other way round. The postbus keeps them encrypted: only those you gave consent can read them, not the postbus itself. If you withdraw a consent, that person gets nothing new there either. You get the address from whoever runs the postbus.";
    postbus_addr: "Adres van de postbus", "Postbus address";
    postbus_waiting: "Wijzigingen die nog naar de postbus gaan", "Changes still to go to the postbus";
    postbus_saved: "Postbus bewaard; wie met u deelt hoort het bij de volgende verbinding.", "Postbus saved; those who share with you learn it at the next connection.";
    postbus_cleared: "Geen postbus meer: wijzigingen komen alleen aan als u en de ander tegelijk online zijn.", "No postbus: changes arrive only when you and the other person are online together.";
    postbus_bad: "Dit is geen postbusadres. Plak het precies zoals de postbus het toonde (een lange code met een @ erin).", "This is not a postbus address. Paste it exactly as the postbus showed it (ID@address:port).";
    backup_button: "Reservekopie maken", "Make backup";
    backup_done: "Reservekopie geschreven", "Backup written";
    show_recovery: "Herstelzin tonen", "Show recovery phrase";
    recovery_help: "Schrijf deze 24 woorden op papier en bewaar ze veilig. Ermee zet u een reservekopie terug als u het wachtwoord kwijt bent, of haalt u uw identiteit terug op een nieuw apparaat. Wie ze kent, kan zich als u voordoen.",
        "Write these 24 words on paper and keep them safe. With them you restore a backup when the passphrase is lost, or bring your identity back on a new device. Whoever knows them can act as you.";
    device_revoked: "Apparaat ingetrokken: uw contacten weigeren het zodra ze weer met u verbonden zijn.", "Device revoked: your contacts refuse it as soon as they sync with you.";
    passphrase_changed: "Wachtwoord gewijzigd. Het oude wachtwoord werkt niet meer.", "Passphrase changed. The old one no longer works.";
    create_button: "Kluis maken", "Create vault";
    name_needed: "Vul uw naam in.", "Fill in your name.";
    vault_exists: "Daar staat al een kluis; open die hieronder", "A vault already exists there; open it below";
    open_title: "Bestaande kluis openen", "Open an existing vault";
    open_button: "Openen", "Open";
    no_vault_there: "Daar staat geen kluis", "There is no vault there";
    demo_title: "Demo", "Demo";
    demo_intro: "Probeer Inwonercloud met voorbeeldgegevens: Sanne (inwoner), haar begeleider Ahmed, zorgaanbieder De Linde en de gemeente. Elk heeft een eigen kluis; alles is echt ondertekend.",
        "Try Inwonercloud with example data: Sanne (citizen), her counselor Ahmed, provider De Linde and the municipality. Each has their own vault; everything is really signed.";
    demo_as_citizen: "Demo openen als inwoner", "Open demo as citizen";
    demo_as_counselor: "… als begeleider", "… as counselor";
    demo_as_provider: "… als zorgaanbieder", "… as provider";
    demo_as_municipality: "… als gemeente", "… as municipality";
    demo_as_carer: "… als mantelzorger", "… as informal carer";
    demo_failed: "Demo maken mislukt", "Could not build the demo";
    demo_folder: "Demomap", "Demo folder";
    demo_passphrase: "Wachtwoord van de demokluizen", "Passphrase of the demo vaults";
    // Common
    saved: "Opgeslagen en ondertekend.", "Saved and signed.";
    save: "Opslaan", "Save";
    close: "Sluiten", "Close";
    read_only: "U mag dit lezen, niet wijzigen.", "You may read this, not change it.";
    documents_of: "Documenten van", "Documents of";
    written_by: "geschreven door", "written by";
    who: "Wie", "Who";
    role: "Rol", "Role";
    documents: "Documenten", "Documents";
    document: "Document", "Document";
    access: "Toegang", "Access";
    until: "Tot", "Until";
    status: "Status", "Status";
    when: "Wanneer", "When";
    date: "Datum", "Date";
    note: "Omschrijving", "Description";
    alert_bad_record: "Niet geaccepteerd gegeven", "Record not accepted";
    // Overview
    alerts: "Let op", "Attention";
    no_budget: "Er is (nog) geen budget om te tonen.", "There is no budget to show (yet).";
    no_accounts: "Nog geen budgetrekening. Open er een onder Budget.", "No budget account yet. Open one under Budget.";
    granted: "Toegekend", "Granted";
    topped_up: "Eigen geld", "Own money";
    transferred: "Overgeboekt (saldo)", "Transferred (net)";
    reserved: "Gereserveerd", "Reserved";
    spent: "Uitgegeven", "Spent";
    remaining: "Nog te besteden", "Remaining";
    forecast_spent: "Verwacht uitgegeven aan het eind", "Expected spent at the end";
    forecast_left: "Verwacht over aan het eind", "Expected left at the end";
    per_month: "Uitgaven per maand", "Spending per month";
    per_category: "Uitgaven per categorie", "Spending per category";
    provider: "Aanbieder", "Provider";
    // Plan
    no_plan: "Er is (nog) geen plan om te tonen.", "There is no plan to show (yet).";
    target: "streefdatum", "target";
    wish: "Wens", "Wish";
    need: "Nodig", "Need";
    per_year: "per jaar", "per year";
    category: "Categorie", "Category";
    plan_cost: "Kosten van het plan per jaar", "Cost of the plan per year";
    add_goal: "Doel toevoegen", "Add goal";
    domain: "Leefgebied", "Life domain";
    goal_text: "Het doel in eigen woorden", "The goal in your own words";
    target_date: "Streefdatum (dd-mm-jjjj, mag leeg)", "Target date (yyyy-mm-dd, may be empty)";
    write_situation: "Situatie beschrijven", "Describe the situation";
    situation: "Situatie", "Situation";
    add_need: "Behoefte toevoegen (wat u nodig heeft)", "Add need (iPVB)";
    goal: "Bij doel", "For goal";
    hours: "Uren", "Hours";
    period: "Per", "Per";
    tariff: "Tarief per uur (€)", "Tariff per hour (€)";
    category_code: "Categorie", "Category";
    receipt_file: "Bon of factuur (foto of pdf, mag leeg)", "Receipt or invoice (photo or pdf, may be empty)";
    receipt_word: "Bon:", "Receipt:";
    receipt_preview: "Foto van de bon", "Photo of the receipt";
    no_preview: "geen voorbeeld: de foto is niet te lezen", "no preview: the photo cannot be read";
    release_of: "Vrijgeven van reservering", "Release of reservation";
    receipt_unreadable: "Het bestand van de bon kan niet worden gelezen", "The receipt's file cannot be read";
    receipt_open: "Bon openen in het programma voor foto's of pdf's", "Open the receipt in the program for photos or pdfs";
    receipt_opened: "De bon is geopend in het programma voor foto's of pdf's.", "The receipt opened in the program for photos or pdfs.";
    receipt_saved_at: "Bon bewaard in", "Receipt saved in";
    earlier_versions: "Eerdere versies", "Earlier versions";
    show_version: "Bekijk", "View";
    // Budget
    account: "Rekening", "Account";
    stream: "Financiering", "Funding";
    ledger: "Alle boekingen", "All entries";
    kind: "Soort", "Kind";
    amount: "Bedrag", "Amount";
    amount_eur: "Bedrag (bijv. 66,50)", "Amount (e.g. 66.50)";
    date_hint: "Datum (leeg = vandaag)", "Date (empty = today)";
    signed_by: "Ondertekend door", "Signed by";
    not_covered: "niet gedekt:", "not covered:";
    refused: "geweigerd", "refused";
    counted: "geteld", "counted";
    pending_transfer: "wacht op tweede handtekening", "waits for the second signature";
    book_title: "Boeken", "Book";
    grant_title: "Toekennen of bijstellen", "Grant or adjust";
    new_account: "Nieuwe budgetrekening", "New budget account";
    account_name: "Naam van de rekening", "Account name";
    unit: "Eenheid", "Unit";
    from_date: "Van (datum)", "From (date)";
    until_date: "Tot en met (datum, mag leeg)", "Until (date, may be empty)";
    open_account: "Rekening openen", "Open account";
    // Sharing
    who_sees_what: "Wie ziet wat", "Who sees what";
    no_consents: "U deelt nog niets.", "You share nothing yet.";
    read: "lezen", "read";
    write: "lezen en schrijven", "read and write";
    active: "actief", "active";
    revoked: "ingetrokken", "revoked";
    revoke: "Intrekken", "Revoke";
    revoke_reason: "Reden van intrekken", "Reason for revoking";
    revoke_note: "Intrekken stopt het delen direct. Wat al gedeeld is, kan niet worden teruggehaald.",
        "Revoking stops sharing at once. What was already shared cannot be called back.";
    revoked_for: "Toestemming ingetrokken voor", "Consent revoked for";
    invite_title: "Iemand uitnodigen", "Invite someone";
    invite_whom: "Naam van wie u uitnodigt", "Name of whom you invite";
    may_write: "Mag ook schrijven (samen bewerken)", "May also write (co-edit)";
    purpose: "Waarvoor", "Purpose";
    make_invite: "Uitnodiging maken", "Make invite";
    choose_documents: "Kies minstens één document om te delen.", "Choose at least one document to share.";
    ticket_title: "Uitnodiging", "Invite";
    ticket_help: "Laat de ander deze QR-code scannen of stuur de tekst. De uitnodiging werkt één keer en verloopt na 7 dagen.",
        "Let the other scan this QR code or send the text. The invite works once and expires after 7 days.";
    ticket_text: "Uitnodigingstekst", "Invite text";
    copy: "Kopiëren", "Copy";
    join_title: "Uitnodiging gebruiken", "Use an invite";
    join_help: "Plak hier de uitnodiging die u kreeg, of kies een foto of schermafdruk van de QR-code.", "Paste the invite you received here, or choose a photo or screenshot of its QR code.";
    join_button: "Verbinden", "Connect";
    sync_now: "Nu bijwerken", "Sync now";
    paste_ticket: "Plak eerst een uitnodiging.", "Paste an invite first.";
    peers_title: "Verbindingen", "Connections";
    fingerprint: "Controlecode", "Fingerprint";
    your_fingerprint: "Uw controlecode: vergelijk die met de code die de ander bij u ziet (aan de telefoon of naast elkaar), zeker bij de gemeente. Zijn ze gelijk, dan weet u zeker dat u met de juiste persoon verbonden bent.",
        "Your fingerprint: compare it with what the other person sees (by phone or side by side), especially with the municipality.";
    trusted_title: "Vertrouwde gemeenten", "Trusted municipalities";
    trusted_help: "Alleen toekenningen, besluiten en beleid van deze gemeentesleutels tellen mee. Vertrouw een sleutel pas nadat u de controlecode met de gemeente hebt vergeleken.",
        "Only grants, decisions and policies signed by these municipality keys count. Trust a key only after comparing its fingerprint with the municipality.";
    no_trusted: "U vertrouwt nog geen gemeentesleutel.", "You trust no municipality key yet.";
    trust_button: "Vertrouw als gemeente", "Trust as municipality";
    untrust_button: "Niet meer vertrouwen", "Stop trusting";
    trust_own: "uw eigen sleutel", "your own key";
    trust_consent: "door uw toestemming", "through your consent";
    trust_pinned: "door u toegevoegd", "added by you";
    trusted_now: "Vertrouwd als gemeente:", "Trusted as municipality:";
    untrusted_now: "Niet meer vertrouwd:", "No longer trusted:";
    no_peers: "Nog geen verbindingen.", "No connections yet.";
    online: "verbonden", "connected";
    offline: "niet verbonden", "not connected";
    last_sync: "laatst bijgewerkt", "last synced";
    addresses: "Adressen", "Addresses";
    access_log: "Toegangslogboek: wie kreeg wat", "Access log: who got what";
    direction: "Richting", "Direction";
    changes: "Wijzigingen", "Changes";
    sent: "verstuurd", "sent";
    received: "ontvangen", "received";
    // Network
    net_off: "Het netwerk staat uit. Klik bovenaan op \"Kluis sluiten\" en open uw kluis opnieuw; dan start het netwerk weer.",
        "The network is off. Click \"Close vault\" at the top and open your vault again; the network then starts again.";
    net_offline: "Offline (netwerk uit)", "Offline (network off)";
    net_starting: "Netwerk start…", "Network starting…";
    net_on: "Netwerk aan", "Network on";
    net_failed: "Netwerk niet gestart", "Network not started";
    working: "bezig…", "working…";
    // Requests
    nav_inbox: "Inbox", "Inbox";
    requests_title: "Aanvragen", "Requests";
    no_requests: "Nog geen aanvragen.", "No requests yet.";
    request_id: "kenmerk", "reference";
    decision: "Besluit", "Decision";
    automated_rule: "automatisch, regel", "automated, rule";
    replaced: "(vervangen na herbeoordeling)", "(replaced after review)";
    your_answer: "Uw antwoord", "Your answer";
    send_answer: "Antwoord versturen", "Send answer";
    review_reason: "Waarom een medewerker opnieuw moet kijken", "Why a person should look again";
    ask_review: "Herbeoordeling vragen", "Ask for review";
    take_up: "In behandeling nemen", "Take into assessment";
    question: "Vraag aan de inwoner", "Question to the citizen";
    ask_question: "Vraag stellen", "Ask";
    outcome_label: "Besluit", "Outcome";
    granted_amount: "Toegekend bedrag of aantal", "Amount granted";
    reasons: "Motivering van het besluit", "Reasons for the decision";
    decide: "Besluit nemen", "Decide";
    decided: "Besluit genomen en ondertekend.", "Decision made and signed.";
    sent_ok: "Verstuurd (zodra u weer verbonden bent).", "Sent (at the next sync).";
    new_request: "Budget aanvragen", "Request budget";
    until_date_required: "Tot en met (datum)", "Until (date)";
    motivation: "Waarom heeft u dit nodig?", "Why do you need this?";
    for_goals: "Voor welke doelen in uw plan:", "For which goals in your plan:";
    adjusts: "Rekening", "Account";
    new_account_option: "nieuwe rekening", "new account";
    submit_request: "Aanvraag indienen", "Submit request";
    request_sent: "Aanvraag ingediend en ondertekend; de gemeente ziet haar zodra u weer met elkaar verbonden bent.",
        "Request submitted and signed; the municipality sees it at the next sync.";
    rules_title: "Regels voor automatisch toekennen", "Rules for automatic allocation";
    no_policy: "Nog geen beleid gepubliceerd. Kies hieronder het bestand met uw beleid en klik op \"Beleid publiceren\", of begin met \"Voorbeeldbeleid publiceren\".",
        "No policy published yet. Choose the file with your policy below and click \"Publish policy\", or start with \"Publish the example policy\".";
    apply_rules: "Regels nu toepassen", "Apply rules now";
    policy_file: "Bestand met het beleid", "Policy file (JSON)";
    publish_policy: "Beleid publiceren", "Publish policy";
    publish_example_policy: "Voorbeeldbeleid publiceren", "Publish the example policy";
    policy_published: "Beleid gepubliceerd: iedereen die met u verbonden is, krijgt het.",
        "Policy published: everyone connected to you receives it.";
    rules_applied: "Regels toegepast.", "Rules applied.";
    inbox_empty: "Geen aanvragen die wachten.", "No requests waiting.";
    // Marketplace
    nav_market: "Marktplaats", "Marketplace";
    nav_declarations: "Declaraties", "Declarations";
    nav_catalogue: "Catalogus", "Catalogue";
    nav_agreements: "Overeenkomsten", "Agreements";
    nav_verification: "Verificatie", "Verification";
    filter: "Zoeken", "Search";
    all: "alle", "all";
    max_price: "Hoogstens per eenheid (€)", "At most per unit (€)";
    left: "over", "left";
    fits_budget: "Past in mijn resterende budget", "Fits my remaining budget";
    no_offerings: "Nog geen aanbod. Verbind met uw gemeente of een zorgaanbieder via diens uitnodiging (Delen).",
        "No offerings yet. Connect to your municipality or a provider with their invite (Sharing).";
    example: "voorbeeldtarief", "example tariff";
    maximum: "maximum", "maximum";
    above_max: "Boven het maximumtarief van de gemeente", "Above the municipality's maximum tariff";
    order: "Bestellen", "Order";
    order_terms: "Bestelling: aantal en periode", "Order: units and period";
    units: "Aantal eenheden", "Units";
    ordered: "Zorgovereenkomst getekend en bedrag gereserveerd; de aanbieder tekent zodra u weer met elkaar verbonden bent.",
        "Agreement signed and amount reserved; the provider signs at the next sync.";
    no_agreements: "Nog geen zorgovereenkomsten.", "No agreements yet.";
    agreement_with: "Zorgovereenkomst met", "Agreement with";
    signed_both: "Door beiden getekend.", "Signed by both.";
    waits_provider: "Wacht op de handtekening van de aanbieder.", "Waits for the provider's signature.";
    approved: "goedgekeurd", "approved";
    disputed: "betwist", "disputed";
    approve: "Goedkeuren", "Approve";
    dispute_reason: "Reden van betwisten", "Reason to dispute";
    dispute: "Betwisten", "Dispute";
    awaiting_approval: "wacht op goedkeuring", "awaiting approval";
    approved_ok: "Goedgekeurd en als uitgave geboekt.", "Approved and booked as spent.";
    disputed_ok: "Betwist; de aanbieder ziet uw reden.", "Disputed; the provider sees your reason.";
    no_offerings_own: "U heeft nog geen aanbod gepubliceerd.", "You have not published an offering yet.";
    new_offering: "Nieuw aanbod", "New offering";
    service: "Dienst", "Service";
    price: "Prijs per eenheid (€)", "Price per unit (€)";
    region: "Regio", "Region";
    availability: "Beschikbaarheid", "Availability";
    description: "Korte omschrijving", "Short description";
    publish: "Publiceren", "Publish";
    published: "Gepubliceerd in uw catalogus.", "Published in your catalogue.";
    of: "van", "of";
    sign_agreement: "Overeenkomst tekenen", "Sign agreement";
    declare_title: "Geleverde zorg declareren", "Declare delivered care";
    declare: "Declareren", "Declare";
    signed_ok: "Overeenkomst getekend.", "Agreement signed.";
    declared_ok: "Gedeclareerd en ondertekend.", "Declared and signed.";
    // Informal carers (mantelzorg)
    informal_title: "Afspraak met mantelzorger", "Agreement with an informal carer";
    informal_intro: "Een familielid, vriend of buur helpt u tegen een informeel uurtarief, betaald uit uw budget. Hij of zij tekent de afspraak en declareert de gewerkte uren in de eigen kluis; u keurt ze goed.",
        "A family member, friend or neighbour helps you at an informal hourly tariff, paid from your budget. They sign the agreement and declare the hours worked in their own vault; you approve them.";
    informal_no_carers: "Nodig eerst uw mantelzorger uit bij Delen (rol: familie / mantelzorger) en wacht tot u één keer met elkaar verbonden bent geweest.",
        "First invite your carer under Sharing (role: family / informal carer) and sync once.";
    informal_carer: "Mantelzorger", "Informal carer";
    informal_account: "Betalen van rekening", "Pay from account";
    informal_category: "Soort hulp", "Kind of help";
    informal_tariff: "Uurtarief in euro (bijv. 22,50)", "Hourly tariff in euros (e.g. 22.50)";
    informal_max: "Hoogste uurtarief voor mantelzorg bij de gemeente:", "The municipality's highest hourly tariff for informal care:";
    informal_above_max: "Dit tarief ligt boven het maximum voor mantelzorg; de afspraak wordt geweigerd.",
        "This tariff is above the maximum for informal care; the agreement will be refused.";
    informal_hours: "Hoogstens aantal uren", "Most hours";
    informal_from: "Eerste dag van de afspraak", "First day of the agreement";
    informal_until: "Laatste dag van de afspraak", "Last day of the agreement";
    informal_sign: "Afspraak tekenen", "Sign the agreement";
    informal_signed: "Afspraak getekend en het bedrag gereserveerd. Uw mantelzorger tekent zodra u weer met elkaar verbonden bent.",
        "Agreement signed and the amount reserved. Your carer signs at the next sync.";
    informal_tag: "mantelzorg", "informal care";
    waits_carer: "Wacht op de handtekening van de mantelzorger.", "Waits for the informal carer's signature.";
    verify_now: "Alle declaraties controleren", "Verify all claims";
    export_claims: "Exporteren (bestanden voor de computer en voor Excel)", "Export (JSON and CSV)";
    written_to: "Geschreven naar", "Written to";
    press_verify: "Kies 'Alle declaraties controleren'.", "Choose 'Verify all claims'.";
    month: "Maand", "Month";
    declaration: "Declaratie", "Declaration";
    valid: "geldig", "valid";
    per_provider: "Per aanbieder", "Per provider";
    claim_kind: "Soort", "Kind";
    claim_item: "Post", "Item";
    commissions_title: "Opdrachten namens een budgethouder", "Commissions on behalf of a budget holder";
    commission_order: "bestellen:", "order:";
    commission_request: "budget aanvragen:", "request budget:";
    commission_transfer: "overboeken:", "transfer:";
    commission_waiting: "wacht op de kluis van de budgethouder", "waits for the budget holder's vault";
    commission_done: "uitgevoerd", "carried out";
    commission_refused: "geweigerd", "refused";
    commission_order_title: "Bestellen namens", "Order on behalf of";
    commission_request_title: "Budget aanvragen namens", "Request a budget on behalf of";
    commission_no_offerings: "U ziet nog geen aanbod: verbind met een zorgaanbieder (zijn uitnodiging).", "You see no offerings yet: connect with a care provider (their invite).";
    commission_offering: "Aanbod", "Offering";
    commission_care_from: "Zorg vanaf (dd-mm-jjjj)", "Care from (dd-mm-yyyy)";
    commission_care_until: "Zorg tot en met (dd-mm-jjjj)", "Care until (dd-mm-yyyy)";
    commission_budget_from: "Budget vanaf (dd-mm-jjjj)", "Budget from (dd-mm-yyyy)";
    commission_budget_until: "Budget tot en met (dd-mm-jjjj)", "Budget until (dd-mm-yyyy)";
    commission_account: "Haar rekening (naam)", "Her account (name)";
    commission_units: "Aantal eenheden", "Number of units";
    commission_sign_order: "Bestelopdracht ondertekenen", "Sign the order commission";
    commission_category: "Categorie", "Category";
    commission_amount: "Bedrag", "Amount";
    commission_motivation: "Waarom", "Why";
    commission_sign_request: "Aanvraagopdracht ondertekenen", "Sign the request commission";
    commission_confirm: "Opdracht ondertekenen namens", "Sign a commission on behalf of";
    commission_signed_ok: "Opdracht ondertekend; de kluis van de budgethouder voert hem uit.", "Commission signed; the budget holder's vault carries it out.";
    cancelled_per: "Opgezegd; laatste dag", "Cancelled; last day";
    cancel_reason: "Reden van opzeggen", "Reason for cancelling";
    cancel_agreement: "Opzeggen", "Cancel agreement";
    confirm_cancel: "Zorgovereenkomst opzeggen met", "Cancel the agreement with";
    last_day: "laatste dag", "last day";
    cancel_effect: "Na de laatste dag kan geen zorg meer worden gedeclareerd. Wat nog gereserveerd is, komt vrij op de rekening zodra die dag voorbij is.",
        "No care can be declared after the last day. What is still reserved returns to the account once that day has passed.";
    cancelled_ok: "Zorgovereenkomst opgezegd.", "Agreement cancelled.";
    per_citizen_check: "Per inwoner: gecontroleerd / niet te controleren", "Per citizen: verified / not verifiable";
    transfers_title: "Overboeken naar een ander budget", "Transfer to another budget";
    accept_transfer: "Accepteren op deze rekening", "Accept into this account";
    transfer_needs: "Overboeken kan naar iemand met wie u verbonden bent, vanaf een rekening in euro.",
        "You can transfer to someone you are connected with, from a euro account.";
    transfer_to: "Naar", "To";
    offer_transfer: "Overboeking aanbieden", "Offer transfer";
    transfer_offered: "Overboeking aangeboden; het geld gaat over als de ontvanger ook tekent.",
        "Transfer offered; the money moves once the receiver signs too.";
    // Devices
    this_device: "Dit apparaat", "This device";
    device_key: "Code van dit apparaat", "Device key";
    identity: "Uw persoonlijke code (dezelfde op al uw apparaten)", "Identity";
    add_device: "Apparaat toevoegen", "Add a device";
    add_device_help: "Maak hier een apparaat-uitnodiging. Open Inwonercloud op uw andere apparaat, kies op het welkomstscherm \"Dit is een extra apparaat van mij\" en plak de uitnodiging daar. Dat apparaat krijgt van u een ondertekende verklaring dat het bij u hoort, en ziet al uw documenten.",
        "Make a device invite here. Open Inwonercloud on your other device, choose \"This is another device of mine\" on the welcome screen and paste the invite there. That device gets a signed statement from you that it is yours, and sees all your documents.";
    make_device_ticket: "Apparaat-uitnodiging maken", "Make device invite";
    not_identity_device: "Apparaten toevoegen kan alleen op het eerste apparaat: het apparaat waarop u de kluis hebt gemaakt.",
        "Only the first device, the one on which you made the vault, can add devices.";
    // --- DEVICES+LOOK (issue 19): own devices, theme, text size ---
    own_devices_title: "Uw apparaten", "Your devices";
    own_devices_help: "Op deze apparaten staat uw kluis. Elk apparaat heeft een korte code van 8 tekens, zodat u twee apparaten met dezelfde naam uit elkaar houdt. Is een apparaat kwijt of gestolen? Trek het dan hier in. Daarna kan het niets meer ondertekenen in uw kluis.",
        "Your vault is on these devices. Each device has a short code of 8 characters, so you can tell two devices with the same name apart. Is a device lost or stolen? Revoke it here. It can then no longer sign anything in your vault.";
    device_col_name: "Naam", "Name";
    device_col_code: "Korte code", "Short code";
    device_col_added: "Toegevoegd op", "Added on";
    device_col_status: "Stand", "Status";
    device_is_this: "dit apparaat", "this device";
    device_in_use: "in gebruik", "in use";
    device_is_revoked: "ingetrokken", "revoked";
    device_revoke: "Intrekken", "Revoke";
    device_code_word: "code", "code";
    revoke_on_first_device: "Intrekken kan alleen op het eerste apparaat: het apparaat waarop u de kluis hebt gemaakt.",
        "Only the first device, the one on which you made the vault, can revoke devices.";
    theme: "Kleuren", "Colours";
    theme_system: "Systeem", "System";
    theme_light: "Licht", "Light";
    theme_dark: "Donker", "Dark";
    theme_high_contrast: "Hoog contrast (licht)", "High contrast (light)";
    // Journal
    journal_private: "Uw dagboek is privé: het wordt met niemand gedeeld, tenzij u dat zelf kiest onder Delen.",
        "Your journal is private: it is shared with no one unless you choose so under Sharing.";
    new_note: "Nieuwe notitie", "New note";
    save_note: "Notitie opslaan", "Save note";
    // Clients
    no_clients: "Nog niemand deelt iets met u. Vraag uw cliënt om een uitnodiging en gebruik die onder Delen.",
        "No one shares anything with you yet. Ask your client for an invite and use it under Sharing.";
    clients_help: "Kies iemand; Overzicht, Plan en Budget tonen dan diens documenten.",
        "Choose someone; Overview, Plan and Budget then show their documents.";
    open_client: "Bekijken", "Open";
    // Refused changes (the texts per reason are in `crate::refusal_text`)
    rejections_why: "Waarom geweigerd?", "Why refused?";
    // Mandates (representatives)
    nav_mandates: "Machtigingen", "Mandates";
    demo_as_representative: "… als vertegenwoordiger", "… as representative";
    demo_as_household: "… als gezin (integraal pgb)", "… as household (integral pgb)";
    mandate_give_title: "Iemand machtigen", "Give someone a mandate";
    mandate_help: "Een vertegenwoordiger (wettelijk vertegenwoordiger, bewindvoerder of familie) handelt dan namens u, met een eigen handtekening. Elke handeling toont \"namens u, door …\". U kunt de machtiging altijd intrekken.",
        "A representative (legal representative, bewindvoerder or family) then acts on your behalf, with their own signature. Every act shows \"on behalf of you, by …\". You can revoke the mandate at any time.";
    mandate_no_peers: "Verbind eerst met uw vertegenwoordiger: maak onder Delen een uitnodiging.",
        "Connect with your representative first: make an invite under Sharing.";
    mandate_to: "Vertegenwoordiger", "Representative";
    mandate_capacity: "Hoedanigheid", "Capacity";
    mandate_actions: "Mag namens u", "May on your behalf";
    mandate_from: "Voor zaken vanaf (dd-mm-jjjj, leeg = 1 januari)", "For affairs from (dd-mm-yyyy, empty = 1 January)";
    mandate_until: "Tot en met (mag leeg)", "Until (may be empty)";
    mandate_give: "Machtiging geven", "Give mandate";
    mandate_choose_action: "Kies wat de vertegenwoordiger namens u mag doen.", "Choose what the representative may do on your behalf.";
    mandates_given: "Uw machtigingen", "Your mandates";
    no_mandates: "U heeft niemand gemachtigd.", "You gave no one a mandate.";
    mandate_revoke: "Intrekken", "Revoke";
    mandate_expired: "verlopen", "expired";
    confirm_mandate: "Machtiging ondertekenen voor", "Sign a mandate for";
    confirm_mandate_revoke: "Machtiging intrekken van", "Revoke the mandate of";
    mandate_given_ok: "Machtiging gegeven aan", "Mandate given to";
    mandate_revoked_ok: "Machtiging ingetrokken van", "Mandate revoked for";
    acting_for_title: "U handelt namens", "You act on behalf of";
    acting_for_none: "Niemand heeft u gemachtigd.", "No one gave you a mandate.";
    acting_for_declarations: "Declaraties van wie u vertegenwoordigt", "Declarations of those you represent";
    // Wijkbudget (neighbourhood pot run by partner organisations, issue 18)
    nav_pot: "Wijkbudget", "Neighbourhood pot";
    pot_none: "Hier is nog geen wijkbudget. De gemeente maakt er een en voegt uw organisatie toe als partner; zodra u met de gemeente verbonden bent geweest, staat het hier.",
        "There is no neighbourhood pot here yet. The municipality creates one and adds your organisation as a partner; after a sync it shows here.";
    pot_choose: "Wijkbudget", "Pot";
    pot_owner: "Eigenaar", "Owner";
    pot_period: "Periode", "Period";
    pot_funded: "Subsidie in de pot", "Subsidy in the pot";
    pot_assigned: "Ruimte verdeeld", "Room assigned";
    pot_unassigned: "Niet verdeeld", "Not assigned";
    pot_spent: "Besteed", "Spent";
    pot_left: "Over", "Left";
    pot_residents: "Inwoners geholpen", "Residents helped";
    pot_org: "Organisatie", "Organisation";
    pot_room: "Ruimte", "Room";
    pot_rebalanced: "Herverdeeld", "Rebalanced";
    pot_used: "Gebruikt", "Used";
    pot_alert: "heeft 90 % of meer van de ruimte gebruikt", "has used 90 % or more of its room";
    pot_over: "heeft meer besteed dan de ruimte", "has spent beyond its room";
    pot_per_month: "Per maand", "Per month";
    pot_month: "Maand", "Month";
    pot_total: "Totaal", "Total";
    pot_per_category: "Per categorie", "Per category";
    pot_per_kind: "Per soort steun", "Per kind of support";
    pot_uncovered: "niet gedekt door de ruimte", "not covered by the room";
    pot_rebalances: "Herverdelingen", "Rebalances";
    pot_signed_by: "getekend door", "signed by";
    pot_not_counted: "Telt niet mee", "Does not count";
    pot_spend_title: "Steun boeken", "Book support";
    pot_resident: "Inwoner (pseudoniem, geen naam of BSN)", "Resident (pseudonym, no name or BSN)";
    pot_kind: "Soort steun", "Kind of support";
    pot_category: "Categorie", "Category";
    pot_amount: "Bedrag (€)", "Amount (€)";
    pot_date: "Datum (dd-mm-jjjj, leeg: vandaag)", "Date (yyyy-mm-dd, empty: today)";
    pot_note: "Toelichting (geen namen)", "Note (no names)";
    pot_book: "Boeken", "Book";
    pot_booked: "Geboekt in het wijkbudget", "Booked in the pot";
    pot_rebalance_title: "Ruimte herverdelen", "Rebalance room";
    pot_from: "Van", "From";
    pot_to: "Naar", "To";
    pot_rebalance: "Ruimte overdragen", "Move room";
    pot_move_amount: "Over te dragen ruimte (€)", "Room to move (€)";
    pot_move_note: "Reden (overleg partners)", "Why (partners' meeting)";
    pot_fund_note: "Besluit of toelichting", "Decision or note";
    pot_rebalanced_ok: "Ruimte overgedragen", "Room moved";
    pot_fund_title: "Subsidie storten", "Put in subsidy";
    pot_fund_amount: "Subsidie (€)", "Subsidy (€)";
    pot_fund: "Storten", "Put in";
    pot_funded_ok: "Subsidie gestort", "Subsidy put in";
    pot_room_title: "Ruimte per organisatie", "Room per organisation";
    pot_room_amount: "Ruimte (€)", "Room (€)";
    pot_set_room: "Ruimte vastleggen", "Set room";
    pot_room_set: "Ruimte vastgelegd", "Room set";
    pot_partner_title: "Partner toevoegen", "Add a partner";
    pot_partner_none: "Geen aanbieders om toe te voegen: verbind eerst met de organisatie (Delen).",
        "No providers to add: connect with the organisation first (Sharing).";
    pot_add_partner: "Als partner toevoegen", "Add as partner";
    pot_partner_added: "Partner toegevoegd; de organisatie krijgt het wijkbudget zodra u weer met elkaar verbonden bent",
        "Partner added; the organisation receives the pot at the next sync";
    pot_create_title: "Nieuw wijkbudget", "New neighbourhood pot";
    pot_name: "Naam van het wijkbudget", "Name of the pot";
    pot_start: "Eerste dag (dd-mm-jjjj)", "First day (yyyy-mm-dd)";
    pot_end: "Laatste dag (dd-mm-jjjj)", "Last day (yyyy-mm-dd)";
    pot_create: "Wijkbudget aanmaken", "Create the pot";
    pot_created: "Wijkbudget aangemaakt", "Pot created";
    // Wijkbudget: marketplace declarations in the pot, removing a partner (issue 18)
    pot_market_title: "Marktdeclaraties in het wijkbudget", "Marketplace declarations in the pot";
    pot_market_help: "Goedgekeurde declaraties van uw organisatie tellen mee in uw ruimte; de inwoner staat er onder een pseudoniem, nooit met naam.",
        "Approved declarations of your organisation count against your room; the resident appears under a pseudonym, never by name.";
    pot_market_none: "Geen goedgekeurde declaraties die nog niet meetellen.", "No approved declarations that do not count yet.";
    pot_market_pick: "Declaratie", "Declaration";
    pot_market_book: "Meetellen in het wijkbudget", "Count in the pot";
    pot_market_booked: "Declaratie telt mee in het wijkbudget", "Declaration counts in the pot";
    pot_market_share: "waarvan via de markt", "of which through the market";
    pot_market_checked: "gecontroleerd: overeenkomst, declaratie en goedkeuring", "checked: agreement, declaration and approval";
    pot_market_trusted: "declaratie gecontroleerd; goedkeuring op het woord van de partner", "declaration checked; approval on the partner's word";
    pot_removed: "is geen partner meer (boekingen tot de verwijdering tellen mee)", "is no partner any more (spends up to the removal count)";
    pot_remove_title: "Partner verwijderen", "Remove a partner";
    pot_remove_reason: "Reden", "Reason";
    pot_remove: "Partner verwijderen", "Remove partner";
    pot_partner_removed: "Partner verwijderd: eerdere boekingen tellen mee, nieuwe worden geweigerd", "Partner removed: earlier spends count, new ones are refused";
    // Market discovery (a marketplace you can find, issue 18)
    market_region: "Regio", "Region";
    market_availability: "Beschikbaar (bv. weekend)", "Available (e.g. weekend)";
    market_admitted_only: "Alleen door de gemeente toegelaten aanbieders", "Only providers the municipality admitted";
    admitted_by: "Toegelaten door", "Admitted by";
    not_admitted: "Niet door een gemeente toegelaten: u kent deze aanbieder zelf", "Not admitted by a municipality: you know this provider yourself";
    no_match: "Geen aanbod past bij deze filters.", "No offering matches these filters.";
    admit_provider: "Toelaten tot de markt", "Admit to the market";
    withdraw_provider: "Toelating intrekken", "Withdraw admission";
    provider_admitted: "Aanbieder toegelaten; zijn catalogus wordt doorgegeven", "Provider admitted; its catalogue is passed on";
    provider_withdrawn: "Toelating ingetrokken", "Admission withdrawn";
    market_providers: "Zorgaanbieders op uw markt", "Care providers in your market";
    is_admitted: "toegelaten", "admitted";
    // Household (integraal pgb)
    household: "Gezin", "Household";
    household_intro: "Eén gezin, één plan, één regisseur. Doelen en behoeften kunnen bij één gezinslid horen.",
        "One household, one plan, one director. Goals and needs can belong to one household member.";
    add_member: "Gezinslid toevoegen", "Add a household member";
    member_name: "Voornaam", "First name";
    member_kind: "Volwassene of kind", "Adult or child";
    member_born: "Geboortedatum (dd-mm-jjjj, mag leeg)", "Date of birth (dd-mm-yyyy, may be empty)";
    member_added: "Gezinslid toegevoegd", "Household member added";
    for_member: "Voor", "For";
    whole_household: "het hele gezin", "the whole household";
    director: "Regisseur", "Director";
    no_director: "Nog geen regisseur gekozen.", "No director chosen yet.";
    director_explain: "De regisseur houdt het overzicht over het plan. Wat de regisseur namens het gezin mag doen, staat in de machtiging die u geeft (scherm Machtigingen).",
        "The director keeps the overview of the plan. What the director may do for the household is set by the mandate you give (Mandates screen).";
    set_director: "Regisseur kiezen", "Choose the director";
    director_set: "Regisseur gekozen", "Director chosen";
    director_me: "ikzelf", "myself";
    funded_by: "Betaald uit", "Paid from";
    commission_member: "Voor gezinslid (voornaam, mag leeg)", "For household member (first name, may be empty)";
    integral_categories: "Te besteden aan", "To be spent on";
    integral_budget: "Integraal budget voor het gezin", "Integral budget for the household";
    per_stream: "Per wet (financieringsstroom)", "Per act (funding stream)";
    per_member: "Per gezinslid", "Per household member";
    integral_explain: "Eén budget voor het hele gezin, te besteden aan alle categorieën die u hier aanvinkt. De gemeente zegt in het besluit uit welke wetten het betaald wordt.",
        "One budget for the whole household, to be spent on every category you tick here. The municipality's decision says which acts pay for it.";
    funding_split: "Betaald uit: het bedrag per wet (laat leeg wat niet meebetaalt)", "Paid from: the amount per act (leave empty what does not pay)";
    // Points and hours (issue 18)
    price_from_account: "Prijs van deze rekening:", "Price from this account:";
    points_apart: "Punten en uren (apart geteld, nooit bij euro's opgeteld)", "Points and hours (counted apart, never added to euros)";
    euro_equivalent: "euro-equivalent", "euro equivalent";
    // Points on the Verificatie screen (issue 18, points: demo and GUI)
    points_value: "puntwaarde volgens het beleid:", "points value in the policy:";
    per_point: "per punt", "per point";
    points_not_verified: "Niet gecontroleerd", "Not verified";
    // Confirmations before every signed step, and the budget while approving (issue 19)
    confirm_order: "Bestellen bij", "Order from";
    confirm_informal: "Afspraak ondertekenen met mantelzorger", "Sign an agreement with the informal carer";
    confirm_revoke_device: "Apparaat intrekken:", "Revoke device:";
    revoke_device_effect: "Dit apparaat kan daarna niets meer ondertekenen in uw kluis. Wat het eerder ondertekende, blijft staan.",
        "This device can no longer sign anything in your vault. What it signed before stays.";
    confirm_offer_transfer: "Overboeking aanbieden aan", "Offer a transfer to";
    confirm_accept_transfer: "Overboeking accepteren van", "Accept the transfer from";
    confirm_entry: "Boeken op", "Book on";
    confirm_apply_rules: "Regels toepassen op de aanvragen die wachten", "Apply the rules to the waiting requests";
    apply_rules_effect: "Voor elke aanvraag die bij een regel past, ondertekent u een besluit. Bij een toekenning krijgt de inwoner het budget op een rekening. Aanvragen zonder passende regel blijven wachten op een medewerker. Aanvragen die wachten:",
        "For every request a rule fits, you sign a decision. A grant puts the budget in the citizen's account. Requests no rule fits keep waiting for a staff member. Requests waiting:";
    confirm_countersign: "Zorgovereenkomst ondertekenen met", "Sign the care agreement with";
    countersign_effect: "U spreekt af deze zorg te leveren. De budgethouder heeft hiervoor gereserveerd:",
        "You agree to deliver this care. The budget holder reserved for it:";
    confirm_declare: "Declareren bij", "Declare to";
    declare_effect: "De budgethouder keurt de declaratie goed of betwist haar. Pas na goedkeuring gaat het bedrag van de reservering af.",
        "The budget holder approves or disputes the declaration. Only after approval is the amount taken from the reservation.";
    budget_reserved: "Wordt gereserveerd", "Will be reserved";
    budget_out: "Gaat van de rekening af", "Leaves the account";
    budget_out_accepted: "Gaat van de rekening af zodra de ontvanger accepteert", "Leaves the account once the receiver accepts";
    budget_in: "Komt op de rekening bij", "Is added to the account";
    budget_left_now: "Nu resterend op de rekening", "Left in the account now";
    budget_left_after: "Daarna resterend", "Left afterwards";
    pot_confirm_spend: "Steun boeken in het wijkbudget voor", "Book support in the neighbourhood budget for";
    pot_confirm_market: "Declaratie meetellen in het wijkbudget:", "Count a declaration in the neighbourhood budget:";
    pot_confirm_rebalance: "Ruimte geven:", "Give room:";
    pot_confirm_fund: "Subsidie in het wijkbudget storten:", "Put subsidy in the neighbourhood budget:";
    pot_confirm_room: "Ruimte vaststellen voor", "Set the room of";
    pot_confirm_remove: "Partner verwijderen:", "Remove partner:";
    pot_remove_effect: "De organisatie kan daarna niets meer boeken. Wat zij al boekte, blijft meetellen.",
        "The organisation can book nothing more. What it booked so far keeps counting.";
    pot_room_left_now: "Nu over in de ruimte van", "Left in the room of";
    pot_then: "daarna", "afterwards";
    // --- CONFIRM2 (issue 19): confirmations for the steps that still signed at once ---
    confirm_answer: "Uw antwoord aan de gemeente:", "Your answer to the municipality:";
    answer_effect: "De gemeente ziet uw antwoord en neemt het mee in het besluit over uw aanvraag.",
        "The municipality sees your answer and takes it into account in the decision on your request.";
    confirm_review: "Een medewerker vragen opnieuw te kijken naar uw aanvraag:", "Ask a staff member to look again at your request:";
    review_effect: "Dit besluit is gemaakt met de regels van de gemeente, zonder dat een medewerker ernaar keek. Nu kijkt een medewerker van de gemeente zelf en neemt een nieuw besluit. Tot dan blijft het besluit van nu gelden.",
        "This decision was made by the municipality's rules, without a staff member looking at it. Now a staff member looks at it and makes a new decision. Until then the current decision stays.";
    confirm_take_up: "In behandeling nemen: de aanvraag van", "Take into assessment: the request of";
    confirm_ask: "Vraag aan", "Question to";
    confirm_request: "Aanvraag indienen:", "Submit a request:";
    request_effect: "De gemeente ziet uw aanvraag en uw uitleg, en besluit erover. Er komt pas geld in uw budget als de gemeente iets toekent. Een ingediende aanvraag kunt u niet meer veranderen; wel kunt u een nieuwe indienen.",
        "The municipality sees your request and your explanation, and decides on it. Money is only put in your budget when the municipality grants something. You cannot change a submitted request; you can submit a new one.";
    pot_confirm_partner: "Partner toevoegen aan het wijkbudget:", "Add a partner to the neighbourhood budget:";
    confirm_policy: "Beleid publiceren:", "Publish the policy:";
    policy_effect: "Inwoners en aanbieders die met de gemeente verbonden zijn, krijgen dit beleid. Klikt u daarna op 'Regels nu toepassen', dan besluiten deze regels over de aanvragen die wachten. Een later beleid vervangt dit beleid; besluiten die al genomen zijn, blijven gelden.",
        "Citizens and providers connected to the municipality receive this policy. When you then click 'Apply rules now', these rules decide on the waiting requests. A later policy replaces this one; decisions already made stay.";
    confirm_offering: "Aanbod publiceren:", "Publish the offering:";
    offering_effect: "Inwoners zien dit aanbod op de markt en kunnen het voor deze prijs bij u bestellen.",
        "Citizens see this offering on the market and can order it from you at this price.";
    confirm_admit: "Toelaten tot de markt:", "Admit to the market:";
    confirm_withdraw_admission: "Toelating intrekken:", "Withdraw the admission:";
    confirm_account: "Rekening openen in het budget van", "Open an account in the budget of";
    account_effect: "Er komt een nieuwe rekening bij, nog zonder geld. Er komt pas geld op door een toekenning of een boeking. De rekening blijft daarna in het budget staan.",
        "A new account is added, with no money yet. Money only comes in through a grant or a booking. The account then stays in the budget.";
    confirm_director: "Regisseur van het gezin:", "Director of the household:";
    confirm_member: "Gezinslid toevoegen aan uw plan:", "Add a household member to your plan:";
    pot_confirm_create: "Wijkbudget aanmaken:", "Create the neighbourhood budget:";
    pot_create_effect: "Er komt een nieuw wijkbudget, nog zonder geld en zonder partners. Daarna stort u er subsidie in en voegt u partners toe. Een wijkbudget kunt u niet meer verwijderen.",
        "A new neighbourhood budget is made, with no money and no partners yet. Then you put subsidy in it and add partners. A neighbourhood budget cannot be deleted.";
    // FORMS (issue 19): category pickers, calendars, amounts checked as you type
    no_category: "geen categorie", "no category";
    calendar: "Kalender", "Calendar";
    calendar_for: "Kalender voor", "Calendar for";
    previous_month: "Vorige maand", "Previous month";
    next_month: "Volgende maand", "Next month";
    date_fix: "Dit is geen datum. Schrijf de datum als 31-12-2026 (dag-maand-jaar).",
        "This is not a date. Write the date as 2026-12-31 (year-month-day).";
    amount_fix: "Dit is geen getal. Schrijf het bijvoorbeeld als 12,50.",
        "This is not a number. Write it like 12.50.";
    amount_fix_decimals: "Te veel cijfers achter de komma: hoogstens 2, bijvoorbeeld 12,50.",
        "Too many decimals: at most 2, e.g. 12.50.";
    amount_fix_whole: "Hier kunnen alleen hele getallen, zoals 12.", "Only whole numbers here, such as 12.";
    amount_fix_positive: "Vul een getal groter dan 0 in.", "Enter a number greater than 0.";
    // --- FILES (issue 19): the file picker, exports, an invite from a QR picture ---
    pick: "Kiezen…", "Choose…";
    pick_for: "Kiezen voor", "Choose for";
    picker_folder_title: "Een map kiezen", "Choose a folder";
    picker_open_title: "Een bestand kiezen", "Choose a file";
    picker_save_title: "Opslaan als", "Save as";
    picker_path: "Map of bestand", "Folder or file";
    picker_go: "Ga naar", "Go";
    picker_up: "Omhoog", "Up";
    picker_home: "Thuismap", "Home folder";
    picker_looking_in: "U kijkt nu in", "You are looking in";
    picker_folder_word: "map", "folder";
    picker_file_word: "bestand", "file";
    picker_empty: "Hier staat niets.", "Nothing here.";
    picker_only: "Alleen bestanden van het soort", "Only files of the type";
    picker_all_files: "Alle bestanden tonen", "Show all files";
    picker_hidden: "Verborgen bestanden tonen", "Show hidden files";
    picker_new_folder: "Naam van een nieuwe map", "Name of a new folder";
    picker_make_folder: "Map maken", "Make folder";
    picker_file_name: "Bestandsnaam", "File name";
    picker_chosen: "Gekozen", "Chosen";
    picker_overwrite: "Dit bestand bestaat al. Het wordt overschreven.", "This file exists already. It will be overwritten.";
    picker_choose_folder: "Deze map kiezen", "Choose this folder";
    picker_choose_file: "Dit bestand kiezen", "Choose this file";
    picker_save: "Hier opslaan", "Save here";
    picker_cancel: "Annuleren", "Cancel";
    picker_no_folder: "Deze map bestaat niet of kan niet gelezen worden", "This folder does not exist or cannot be read";
    picker_no_file: "Kies eerst een bestand in de lijst.", "Choose a file in the list first.";
    picker_name_needed: "Vul eerst een naam in.", "Enter a name first.";
    picker_cannot_make: "De map kon niet gemaakt worden", "The folder could not be made";
    qr_pick: "Afbeelding met QR-code kiezen", "Choose a picture with a QR code";
    qr_none: "In deze afbeelding staat geen QR-code die te lezen is. Kies een scherpere foto, of een schermafdruk waarop de hele code staat.",
        "This picture holds no QR code that can be read. Choose a sharper photo, or a screenshot that shows the whole code.";
    qr_unreadable: "Deze afbeelding kan niet geopend worden. Kies een foto of schermafdruk (PNG of JPEG)",
        "This picture cannot be opened. Choose a photo or screenshot (PNG or JPEG)";
    qr_save: "QR-code opslaan als afbeelding…", "Save the QR code as a picture…";
    qr_file_name: "uitnodiging.png", "invite.png";
    qr_saved: "De QR-code is opgeslagen in", "The QR code is saved in";
    qr_filled: "De uitnodiging uit de QR-code staat in het veld. Klik op Verbinden.", "The invite from the QR code is in the field. Click Connect.";
    claims_written: "Opgeslagen in de map", "Saved in the folder";
    claims_written_json: "alle declaraties, voor een ander programma", "every claim, for another program";
    claims_written_csv: "de tabel, voor Excel", "the table, for Excel";
    archive_title: "Gegevens exporteren", "Export your data";
    archive_help: "Zet al uw gegevens in één bestand dat u zelf bewaart. Het bestand is ook zonder dit programma te lezen, en bij elk gegeven staat wie het ondertekende. Let op: het bestand is niet versleuteld. Bewaar het op een veilige plek.",
        "Put all your data in one file that you keep yourself. The file can be read without this program too, and each item says who signed it. Note: the file is not encrypted. Keep it somewhere safe.";
    archive_button: "Exporteren naar een bestand…", "Export to a file…";
    archive_done: "Geëxporteerd naar", "Exported to";
    archive_documents: "document", "document";
    archive_documents_many: "documenten", "documents";
    archive_records: "gegeven", "item";
    archive_records_many: "gegevens", "items";
    archive_checked: "Gecontroleerd: alle ondertekeningen kloppen.", "Checked: every signature is valid.";
    archive_check_failed: "Het bestand is geschreven, maar niet alle ondertekeningen kloppen. Aantal fouten", "The file is written, but not every signature is valid. Number of errors";
    archive_unreadable: "Het exportbestand kon niet teruggelezen worden", "The export file could not be read back";
    file_not_written: "Het bestand kon niet geschreven worden", "The file could not be written";
    // --- SCREENS (issue 19): what the retaken screenshots showed ---
    last_sync_heading: "Laatst bijgewerkt", "Last synced";
    net_on_device: "apparaat", "device";
    // --- SCREEN REVIEW (issue 19): the backup card's passphrase field (the other is current_passphrase) ---
    backup_passphrase: "Wachtwoord van de kluis (de reservekopie krijgt hetzelfde wachtwoord)",
        "Vault passphrase (the backup gets the same passphrase)";
}

pub use crate::i18n::plural;

impl Texts {
    /// Where a request stands.
    pub fn request_state(&self, s: inwonercloud_vault::RequestState) -> &'static str {
        use inwonercloud_vault::RequestState as S;
        match (s, self.lang) {
            (S::Ingediend, Lang::Nl) => "ingediend",
            (S::Ingediend, Lang::En) => "submitted",
            (S::InBehandeling, Lang::Nl) => "in behandeling",
            (S::InBehandeling, Lang::En) => "being assessed",
            (S::InformatieGevraagd, Lang::Nl) => "aanvullende informatie gevraagd",
            (S::InformatieGevraagd, Lang::En) => "more information asked",
            (S::Besloten, Lang::Nl) => "besloten",
            (S::Besloten, Lang::En) => "decided",
            (S::HerbeoordelingGevraagd, Lang::Nl) => "herbeoordeling gevraagd",
            (S::HerbeoordelingGevraagd, Lang::En) => "review asked",
        }
    }

    /// One step of the timeline.
    pub fn step(&self, s: &inwonercloud_schemas::StepKind) -> String {
        use inwonercloud_schemas::StepKind as K;
        match (s, self.lang) {
            (K::Ingediend, Lang::Nl) => "ingediend".into(),
            (K::Ingediend, Lang::En) => "submitted".into(),
            (K::InBehandeling, Lang::Nl) => "in behandeling".into(),
            (K::InBehandeling, Lang::En) => "being assessed".into(),
            (K::InformatieGevraagd { question }, Lang::Nl) => format!("aanvullende informatie gevraagd: {question}"),
            (K::InformatieGevraagd { question }, Lang::En) => format!("more information asked: {question}"),
            (K::InformatieGegeven { answer }, Lang::Nl) => format!("antwoord: {answer}"),
            (K::InformatieGegeven { answer }, Lang::En) => format!("answer: {answer}"),
            (K::HerbeoordelingGevraagd { reason }, Lang::Nl) => format!("herbeoordeling gevraagd: {reason}"),
            (K::HerbeoordelingGevraagd { reason }, Lang::En) => format!("review asked: {reason}"),
            (K::Besluit { .. }, Lang::Nl) => "besluit".into(),
            (K::Besluit { .. }, Lang::En) => "decision".into(),
        }
    }

    /// A decision's outcome.
    pub fn outcome(&self, o: inwonercloud_schemas::Outcome) -> &'static str {
        use inwonercloud_schemas::Outcome as O;
        match (o, self.lang) {
            (O::Toegekend, Lang::Nl) => "toegekend",
            (O::Toegekend, Lang::En) => "granted",
            (O::DeelsToegekend, Lang::Nl) => "deels toegekend",
            (O::DeelsToegekend, Lang::En) => "partly granted",
            (O::Afgewezen, Lang::Nl) => "afgewezen",
            (O::Afgewezen, Lang::En) => "refused",
        }
    }

    // --- B1 Dutch, plurals and objection period (issue 19) ---

    /// `n` with the singular or the plural word: "1 aanvraag", "2 aanvragen".
    pub fn count(&self, n: usize, one: &str, many: &str) -> String {
        plural(n, one, many)
    }

    /// Alert: declarations that wait for the citizen's approval.
    pub fn pending_declarations(&self, n: usize) -> String {
        match (self.lang, n) {
            (Lang::Nl, 1) => "1 declaratie wacht op uw goedkeuring (Declaraties)".into(),
            (Lang::Nl, _) => format!("{n} declaraties wachten op uw goedkeuring (Declaraties)"),
            (Lang::En, 1) => "1 declaration waits for your approval (Declarations)".into(),
            (Lang::En, _) => format!("{n} declarations wait for your approval (Declarations)"),
        }
    }

    /// A month key (`2026-03`) as words: "maart 2026", "March 2026"; an
    /// unreadable key is shown as it is.
    pub fn month_words(&self, key: &str) -> String {
        let parsed = key.split_once('-').and_then(|(y, m)| {
            let year = y.parse::<u16>().ok()?;
            inwonercloud_schemas::date::month_name(m.parse().ok()?, self.lang).map(|name| (year, name))
        });
        match parsed {
            Some((y, name)) => format!("{name} {y}"),
            None => key.to_string(),
        }
    }

    /// Under a decision dated `decided`: until when, and with whom, one can
    /// object (six weeks). `holder` names the person when the reader is
    /// not the one who may object (the municipality deciding).
    pub fn objection(&self, decided: Date, municipality: &str, holder: Option<&str>) -> String {
        let last = decided.plus_days(inwonercloud_schemas::Decision::OBJECTION_DAYS);
        let d = widgets::date(last, self.lang);
        match (self.lang, holder) {
            (Lang::Nl, None) => format!("U kunt tot en met {d} bezwaar maken bij {municipality}."),
            (Lang::Nl, Some(h)) => format!("{h} kan tot en met {d} bezwaar maken bij {municipality}."),
            (Lang::En, None) => format!("You can object to {municipality} up to and including {d}."),
            (Lang::En, Some(h)) => format!("{h} can object to {municipality} up to and including {d}."),
        }
    }

    /// The example and maximum tariff of a category.
    pub fn example_tariff(&self, example: Decimal, max: Option<Decimal>, note: &str) -> String {
        let max = max.map(|m| self.eur(m)).unwrap_or_else(|| "—".into());
        match self.lang {
            Lang::Nl => format!("Voorbeeldtarief {} · maximum {max} · {note}", self.eur(example)),
            Lang::En => format!("Example tariff {} · maximum {max} · {note}", self.eur(example)),
        }
    }

    /// After applying the rules.
    pub fn allocation_result(&self, decided: usize, routed: usize) -> String {
        match self.lang {
            Lang::Nl => format!(
                "{} automatisch toegekend, {routed} naar de inbox.",
                plural(decided, "aanvraag", "aanvragen")
            ),
            Lang::En => format!(
                "{} granted automatically, {routed} to the inbox.",
                plural(decided, "request", "requests")
            ),
        }
    }

    /// A document kind's name (`plan`, `budget`, …).
    pub fn doc_kind(&self, code: &str) -> &'static str {
        match (code, self.lang) {
            ("plan", Lang::Nl) => "plan",
            ("plan", Lang::En) => "plan",
            ("budget", _) => "budget",
            ("profile", Lang::Nl) => "profiel",
            ("profile", Lang::En) => "profile",
            ("journal", Lang::Nl) => "dagboek",
            ("journal", Lang::En) => "journal",
            ("consents", Lang::Nl) => "toestemmingen",
            ("consents", Lang::En) => "consents",
            ("agreement", Lang::Nl) => "zorgovereenkomst",
            ("agreement", Lang::En) => "agreement",
            ("catalogue", Lang::Nl) => "catalogus",
            ("catalogue", Lang::En) => "catalogue",
            ("policy", Lang::Nl) => "beleid",
            ("policy", Lang::En) => "policy",
            (_, Lang::Nl) => "document",
            (_, Lang::En) => "document",
        }
    }

    /// A goal status.
    pub fn goal_status(&self, s: GoalStatus) -> &'static str {
        s.label(self.lang)
    }

    /// The button that sets a goal status.
    pub fn mark_as(&self, s: GoalStatus) -> &'static str {
        match (s, self.lang) {
            (GoalStatus::Actief, Lang::Nl) => "Weer actief",
            (GoalStatus::Actief, Lang::En) => "Active again",
            (GoalStatus::Bereikt, Lang::Nl) => "Bereikt",
            (GoalStatus::Bereikt, Lang::En) => "Reached",
            (GoalStatus::Gestopt, Lang::Nl) => "Gestopt",
            (GoalStatus::Gestopt, Lang::En) => "Stopped",
        }
    }

    /// "hours per week" and the like.
    pub fn hours_per(&self, p: Period) -> &'static str {
        match (p, self.lang) {
            (Period::Week, Lang::Nl) => "uur per week",
            (Period::Week, Lang::En) => "hours per week",
            (Period::Month, Lang::Nl) => "uur per maand",
            (Period::Month, Lang::En) => "hours per month",
            (Period::Year, Lang::Nl) => "uur per jaar",
            (Period::Year, Lang::En) => "hours per year",
        }
    }

    /// "per hour" and the like.
    pub fn per_unit(&self, u: inwonercloud_schemas::ServiceUnit) -> &'static str {
        use inwonercloud_schemas::ServiceUnit as S;
        match (u, self.lang) {
            (S::Uur, Lang::Nl) => "per uur",
            (S::Uur, Lang::En) => "per hour",
            (S::Dagdeel, Lang::Nl) => "per dagdeel",
            (S::Dagdeel, Lang::En) => "per half day",
            (S::Etmaal, Lang::Nl) => "per etmaal",
            (S::Etmaal, Lang::En) => "per day",
            (S::Product, Lang::Nl) => "per product",
            (S::Product, Lang::En) => "per product",
        }
    }

    /// Why an offering has no price from a points or hours account.
    pub fn no_price_in_unit(&self, unit: Unit) -> &'static str {
        match (unit, self.lang) {
            (Unit::Points, Lang::Nl) => {
                "Het beleid van de gemeente geeft dit aanbod geen prijs in punten: kies ander aanbod of een eurorekening."
            }
            (Unit::Points, Lang::En) => {
                "The municipality's policy gives this offering no price in points: choose another offering or a euro account."
            }
            (_, Lang::Nl) => "Een urenrekening betaalt alleen zorg die per uur verkocht wordt.",
            (_, Lang::En) => "An hours account pays only for care sold per hour.",
        }
    }

    /// Progress of a verification.
    pub fn verifying(&self, done: usize, total: usize) -> String {
        match self.lang {
            Lang::Nl => format!("Declaraties controleren: {done} van {total}"),
            Lang::En => format!("Verifying claims: {done} of {total}"),
        }
    }

    /// "3 of 4 valid".
    pub fn valid_of(&self, valid: usize, all: usize) -> String {
        match self.lang {
            Lang::Nl => format!(
                "{valid} van {} gecontroleerd en geldig",
                plural(all, "uitgave", "uitgaven")
            ),
            Lang::En => format!("{valid} of {all} spends verified and valid"),
        }
    }

    /// A unit's name.
    pub fn unit_name(&self, u: Unit) -> &'static str {
        match (u, self.lang) {
            (Unit::Euro, _) => "euro",
            (Unit::Hours, Lang::Nl) => "uren",
            (Unit::Hours, Lang::En) => "hours",
            (Unit::Points, Lang::Nl) => "punten",
            (Unit::Points, Lang::En) => "points",
        }
    }

    fn eur(&self, d: Decimal) -> String {
        widgets::euros(d, self.lang)
    }

    /// Alert: a spend without budget behind it.
    pub fn alert_not_covered(&self, note: &str, amount: Decimal, date: Date) -> String {
        let (a, d) = (self.eur(amount), widgets::date(date, self.lang));
        match self.lang {
            Lang::Nl => format!("Niet gedekt door budget: {a} op {d} ({note}). Neem contact op met uw gemeente."),
            Lang::En => format!("Not covered by budget: {a} on {d} ({note}). Contact your municipality."),
        }
    }

    /// Alert: how many more spends are not covered, and their total.
    pub fn alert_more_not_covered(&self, n: usize, total: Decimal) -> String {
        let s = self.eur(total);
        match self.lang {
            Lang::Nl => format!(
                "… en nog {} niet gedekt, samen {s} (zie Budget).",
                plural(n, "uitgave", "uitgaven")
            ),
            Lang::En => format!(
                "… and {} more not covered, together {s} (see Budget).",
                plural(n, "spend", "spends")
            ),
        }
    }

    /// Alert: spending at this rate will not fit.
    pub fn alert_forecast_short(&self, account: &str, short: Decimal, unit: Unit) -> String {
        let s = inwonercloud_schemas::format_amount(short, unit, self.lang);
        match self.lang {
            Lang::Nl => format!("{account}: bij dit uitgavetempo komt u aan het eind {s} tekort."),
            Lang::En => format!("{account}: at this spending rate you will be {s} short at the end."),
        }
    }

    /// Alert: money reserved and waiting for a declaration.
    pub fn alert_reserved(&self, account: &str, amount: Decimal, unit: Unit) -> String {
        let s = inwonercloud_schemas::format_amount(amount, unit, self.lang);
        match self.lang {
            Lang::Nl => format!("{account}: {s} gereserveerd, wacht op een declaratie."),
            Lang::En => format!("{account}: {s} reserved, waiting for a declaration."),
        }
    }

    /// Own money against municipal money.
    pub fn own_vs_municipal(&self, own: Decimal, municipal: Decimal) -> String {
        let (o, m) = (self.eur(own), self.eur(municipal));
        match self.lang {
            Lang::Nl => format!("Eigen geld {o} · geld van de gemeente {m}"),
            Lang::En => format!("Own money {o} · municipal money {m}"),
        }
    }

    /// The progress bar's text.
    pub fn used_share(&self, share: f32) -> String {
        match self.lang {
            Lang::Nl => format!("{:.0} % besteed of gereserveerd", share * 100.0),
            Lang::En => format!("{:.0} % spent or reserved", share * 100.0),
        }
    }

    /// How the forecast is made.
    pub fn forecast_note(&self, elapsed: i64, total: i64) -> String {
        match self.lang {
            Lang::Nl => format!("Verwachting: uitgaventempo van {elapsed} van de {total} dagen doorgetrokken."),
            Lang::En => format!("Forecast: spending rate of {elapsed} of {total} days carried on."),
        }
    }

    /// "2 of 3 connected".
    pub fn peers_online(&self, online: usize, total: usize) -> String {
        match self.lang {
            Lang::Nl => format!("{online} van {total} verbonden"),
            Lang::En => format!("{online} of {total} connected"),
        }
    }

    /// Progress of a sync: changes received so far.
    pub fn received_so_far(&self, n: usize) -> String {
        match self.lang {
            Lang::Nl => format!("bezig… {} ontvangen", plural(n, "wijziging", "wijzigingen")),
            Lang::En => format!("working… {} received", plural(n, "change", "changes")),
        }
    }

    /// Changes refused.
    pub fn refused_changes(&self, n: usize) -> String {
        match self.lang {
            Lang::Nl => format!(
                "{} geweigerd. Klik op \"Waarom geweigerd?\" hieronder om te zien waarom en wat u kunt doen.",
                plural(n, "wijziging", "wijzigingen")
            ),
            Lang::En => format!(
                "{} refused. Click \"Why refused?\" below to see why and what you can do.",
                plural(n, "change", "changes")
            ),
        }
    }

    /// Two different changes with one number from one device.
    pub fn cloned_device(&self, device: &str, from: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Apparaat {device} stuurde (via {from}) twee verschillende wijzigingen met hetzelfde nummer: het apparaat is mogelijk gekopieerd. De tweede is geweigerd. Is het uw apparaat? Trek het in onder Apparaten."
            ),
            Lang::En => format!(
                "Device {device} sent (via {from}) two different changes with the same number: it may be cloned. The second was refused. Is it yours? Revoke it under Devices."
            ),
        }
    }

    /// After a sync.
    pub fn synced(&self, peer: &str, received: usize, sent: usize) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Bijgewerkt met {peer}: {} ontvangen, {} verstuurd.",
                plural(received, "wijziging", "wijzigingen"),
                plural(sent, "wijziging", "wijzigingen")
            ),
            Lang::En => format!(
                "Brought up to date with {peer}: {} received, {} sent.",
                plural(received, "change", "changes"),
                plural(sent, "change", "changes")
            ),
        }
    }

    /// Title of an earlier version.
    pub fn version_of(&self, secs: u64) -> String {
        let m = widgets::moment(secs, self.lang);
        match self.lang {
            Lang::Nl => format!("Het plan zoals het was op {m}"),
            Lang::En => format!("The plan as it was at {m}"),
        }
    }

    /// Without a display.
    pub fn no_display(&self, vault: &Path) -> String {
        let v = vault.display();
        match self.lang {
            Lang::Nl => format!(
                "Geen beeldscherm gevonden (DISPLAY en WAYLAND_DISPLAY zijn leeg), dus het venster kan niet openen.\n\
                 Gebruik de opdrachtregel, bijvoorbeeld:\n  inwonercloud init --name \"Uw naam\" --role inwoner\n  \
                 inwonercloud plan show\n  inwonercloud budget show\nAlle opdrachten: inwonercloud --help\nKluis: {v}"
            ),
            Lang::En => format!(
                "No display found (DISPLAY and WAYLAND_DISPLAY are empty), so the window cannot open.\n\
                 Use the command line, for example:\n  inwonercloud init --name \"Your name\" --role citizen\n  \
                 inwonercloud plan show\n  inwonercloud budget show\nAll commands: inwonercloud --help\nVault: {v}"
            ),
        }
    }
}

// --- CATALOGUE (issue 19): texts the screens wrote inline ---
impl Texts {
    /// Confirmation: what signing a commission for `name` does.
    pub fn commission_effect(&self, name: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "U ondertekent deze opdracht met uw eigen handtekening. De kluis van {name} voert hem uit zodra die hem \
                 ontvangt, als uw machtiging dat toelaat, en ondertekent de bestelling of aanvraag zelf; u ziet \
                 hieronder wat ervan werd."
            ),
            Lang::En => format!(
                "You sign this commission with your own signature. {name}'s vault carries it out once it receives it, \
                 if your mandate allows, and signs the order or request itself; you see below what became of it."
            ),
        }
    }

    /// A required date was left empty.
    pub fn fill_in_a_date(&self) -> &'static str {
        match self.lang {
            Lang::Nl => "Vul een datum in (dd-mm-jjjj).",
            Lang::En => "Fill in a date (dd-mm-yyyy).",
        }
    }

    /// Confirmation: what giving `name` a mandate for `what` from `from` does.
    pub fn mandate_effect(&self, name: &str, what: &str, from: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "{name} mag dan namens u {what}, met een eigen handtekening, voor zaken vanaf {from}. Daarvoor mag \
                 {name} schrijven in uw budget en zorgovereenkomsten. Elke handeling toont \"namens u, door {name}\". \
                 U kunt de machtiging altijd intrekken; wat al gedaan is, blijft dan geldig."
            ),
            Lang::En => format!(
                "{name} may then {what} on your behalf, with their own signature, for affairs from {from}. For that, \
                 {name} may write in your budget and agreements. Every act shows \"on behalf of you, by {name}\". \
                 You can revoke the mandate at any time; what was done before then stays valid."
            ),
        }
    }

    /// Confirmation: what revoking `name`'s mandate does.
    pub fn mandate_revoke_effect(&self, name: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Wat {name} tot nu toe namens u ondertekende (en u al ontving), blijft geldig. Wat {name} hierna namens \
                 u ondertekent, telt nergens meer, en {name} mag niet meer in uw budget en zorgovereenkomsten \
                 schrijven. Wat al gedeeld is, kan niet worden teruggehaald."
            ),
            Lang::En => format!(
                "What {name} signed on your behalf so far (and you received) stays valid. Nothing {name} signs on your \
                 behalf from now on counts anywhere, and {name} may no longer write in your budget and agreements. \
                 What was shared before cannot be called back."
            ),
        }
    }

    /// Confirmation: what revoking the consent of `name` does.
    pub fn consent_revoke_effect(&self, name: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Vanaf nu deelt u niets meer met {name} en worden nieuwe wijzigingen van {name} geweigerd. Wat al \
                 gedeeld is, kan niet worden teruggehaald."
            ),
            Lang::En => format!(
                "From now on nothing more is shared with {name}, and new changes from {name} are refused. What was \
                 shared before cannot be called back."
            ),
        }
    }
}

// --- CONFIRM2 (issue 19): what the newer confirmations say, with names ---
impl Texts {
    /// Confirmation: what taking `name`'s request into assessment does.
    pub fn take_up_effect(&self, name: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "{name} ziet dat de gemeente de aanvraag nu beoordeelt. Er wordt nog niets besloten of toegekend."
            ),
            Lang::En => format!(
                "{name} sees that the municipality now assesses the request. Nothing is decided or granted yet."
            ),
        }
    }

    /// Confirmation: what asking `name` a question on a request does.
    pub fn ask_effect(&self, name: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "{name} ziet uw vraag bij de aanvraag en kan antwoorden. De aanvraag wacht tot het antwoord er is."
            ),
            Lang::En => {
                format!("{name} sees your question on the request and can answer. The request waits for the answer.")
            }
        }
    }

    /// Confirmation: what adding `name` as a partner of a wijkbudget does.
    pub fn pot_partner_effect(&self, name: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "{name} mag daarna uitgaven boeken in dit wijkbudget, en ziet wat erin staat. U kunt {name} later \
                 weer verwijderen; wat {name} dan al boekte, blijft meetellen."
            ),
            Lang::En => format!(
                "{name} may then book spends in this neighbourhood budget, and sees what is in it. You can remove \
                 {name} later; what {name} booked until then keeps counting."
            ),
        }
    }

    /// Confirmation: the policy to publish, with its number of rules.
    pub fn confirm_policy_what(&self, rules: usize) -> String {
        match self.lang {
            Lang::Nl => format!("{} {}", self.confirm_policy, plural(rules, "regel", "regels")),
            Lang::En => format!("{} {}", self.confirm_policy, plural(rules, "rule", "rules")),
        }
    }

    /// Confirmation: what admitting provider `name` to the market does.
    pub fn admit_effect(&self, name: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Inwoners die met de gemeente verbonden zijn, zien het aanbod van {name} dan op hun markt, met de \
                 melding dat de gemeente {name} heeft toegelaten. U kunt de toelating later intrekken."
            ),
            Lang::En => format!(
                "Citizens connected to the municipality then see {name}'s offerings on their market, marked as \
                 admitted by the municipality. You can withdraw the admission later."
            ),
        }
    }

    /// Confirmation: what withdrawing provider `name`'s admission does.
    pub fn withdraw_admission_effect(&self, name: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Het aanbod van {name} wordt niet meer aan inwoners doorgegeven, en op hun markt staat {name} niet \
                 meer als toegelaten. Afspraken die inwoners al met {name} maakten, blijven gelden."
            ),
            Lang::En => format!(
                "{name}'s offerings are no longer passed on to citizens, and their market no longer marks {name} as \
                 admitted. Agreements citizens already made with {name} stay valid."
            ),
        }
    }

    /// Confirmation: what naming `name` the household's director does.
    pub fn director_effect(&self, name: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "{name} staat dan in uw plan als regisseur: de persoon die de zorg voor het gezin regelt. Dit geeft \
                 {name} nog geen rechten; daarvoor geeft u een machtiging (scherm Machtigingen). U kunt later \
                 iemand anders kiezen."
            ),
            Lang::En => format!(
                "{name} is then named in your plan as director: the person who arranges the household's care. This \
                 gives {name} no rights yet; for that you give a mandate (Mandates screen). You can choose someone \
                 else later."
            ),
        }
    }

    /// Confirmation: what adding household member `name` does.
    pub fn member_effect(&self, name: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "{name} staat daarna in uw plan. U kunt dan doelen en zorg voor {name} vastleggen, en wie uw plan \
                 mag zien, ziet {name} ook. Een gezinslid kunt u niet meer uit het plan halen."
            ),
            Lang::En => format!(
                "{name} is then in your plan. You can then record goals and care for {name}, and whoever may see \
                 your plan sees {name} too. A household member cannot be taken out of the plan again."
            ),
        }
    }
}

// --- B1 Dutch (issue 19): checks over the Dutch texts ---
#[cfg(test)]
mod b1_tests {
    use super::*;

    /// Words a B1 reader does not know, unless the text explains them.
    const JARGON: &[&str] = &[
        "ipvb",
        "certificaat",
        "synchronis",
        "synchroniseer",
        "volgnummer",
        "relay",
        "vingerafdruk",
        "apparaatsleutel",
        "json",
    ];

    /// Phrases in which a jargon word is explained where it stands.
    const EXPLAINED: &[&str] = &["tussenstation (in het engels: relay)"];

    #[test]
    fn no_dutch_text_has_unexplained_jargon_or_a_terminal_pointer() {
        let mut bad = Vec::new();
        for (key, nl) in NL_ALL {
            let mut text = nl.to_lowercase();
            for e in EXPLAINED {
                text = text.replace(e, "");
            }
            for w in JARGON {
                if text.contains(w) {
                    bad.push(format!("{key}: '{w}' in \"{nl}\""));
                }
            }
            // Only the text shown when no window can open may send people
            // to the command line.
            if *key != "window_failed" && (nl.contains('`') || nl.contains("inwonercloud ")) {
                bad.push(format!("{key}: points to the terminal: \"{nl}\""));
            }
            if nl.contains("(s)") || nl.contains("(en)") {
                bad.push(format!("{key}: a plural in brackets: \"{nl}\""));
            }
        }
        assert!(bad.is_empty(), "Dutch texts to rewrite:\n{}", bad.join("\n"));
        // The check itself bites.
        assert!(
            NL_ALL.iter().any(|(k, _)| *k == "relay_help"),
            "the table lists every key"
        );
    }

    #[test]
    fn counts_take_the_singular_for_one_and_the_plural_otherwise() {
        assert_eq!(plural(1, "aanvraag", "aanvragen"), "1 aanvraag");
        assert_eq!(plural(0, "aanvraag", "aanvragen"), "0 aanvragen");
        assert_eq!(plural(2, "aanvraag", "aanvragen"), "2 aanvragen");
        let t = texts(Lang::Nl);
        assert!(
            t.refused_changes(1).starts_with("1 wijziging geweigerd"),
            "{}",
            t.refused_changes(1)
        );
        assert!(t.refused_changes(3).starts_with("3 wijzigingen geweigerd"));
        assert!(t.allocation_result(1, 2).starts_with("1 aanvraag automatisch"));
        assert_eq!(
            t.pending_declarations(1),
            "1 declaratie wacht op uw goedkeuring (Declaraties)"
        );
        assert!(t.pending_declarations(2).starts_with("2 declaraties wachten"));
        assert!(
            t.synced("Ahmed", 1, 0)
                .contains("1 wijziging ontvangen, 0 wijzigingen verstuurd")
        );
        assert!(texts(Lang::En).received_so_far(1).contains("1 change received"));
        for s in [
            t.refused_changes(2),
            t.allocation_result(2, 1),
            t.received_so_far(2),
            t.alert_more_not_covered(2, Decimal::ONE),
            t.synced("Ahmed", 2, 2),
        ] {
            assert!(!s.contains("(s)") && !s.contains("(en)") && !s.contains('`'), "{s}");
            assert!(!s.to_lowercase().contains("synchronis"), "{s}");
        }
    }

    #[test]
    fn the_objection_text_names_the_last_day_six_weeks_after_the_decision() {
        let d: Date = "2026-11-20".parse().unwrap();
        assert_eq!(
            texts(Lang::Nl).objection(d, "Gemeente Utrecht", None),
            "U kunt tot en met 01-01-2027 bezwaar maken bij Gemeente Utrecht."
        );
        assert_eq!(
            texts(Lang::Nl).objection(d, "Gemeente Utrecht", Some("Sanne")),
            "Sanne kan tot en met 01-01-2027 bezwaar maken bij Gemeente Utrecht."
        );
        assert!(
            texts(Lang::En)
                .objection(d, "Gemeente Utrecht", None)
                .contains("2027-01-01")
        );
    }

    #[test]
    fn own_money_has_one_name_and_the_eigen_bijdrage_is_explained() {
        use inwonercloud_schemas::{EntryKind, FundingStream};
        let own = NL.topped_up.to_lowercase();
        assert_eq!(own, "eigen geld");
        assert_eq!(EntryKind::TopUp.label(Lang::Nl), own, "the ledger says it the same way");
        assert!(
            NL.own_vs_municipal(Decimal::ONE, Decimal::ONE)
                .starts_with("Eigen geld")
        );
        for (key, nl) in NL_ALL {
            assert!(
                !nl.to_lowercase().contains("eigen aanvulling"),
                "{key}: say \"eigen geld\""
            );
        }
        let why = FundingStream::EigenBijdrage.explain(Lang::Nl).unwrap_or_default();
        assert!(why.contains("CAK") && why.contains("eigen geld"), "{why}");
        assert_eq!(
            FundingStream::ALL
                .iter()
                .filter(|s| s.explain(Lang::Nl).is_some())
                .count(),
            1
        );
    }

    #[test]
    fn month_keys_are_written_as_words() {
        assert_eq!(texts(Lang::Nl).month_words("2026-03"), "maart 2026");
        assert_eq!(texts(Lang::En).month_words("2026-12"), "December 2026");
        assert_eq!(texts(Lang::Nl).month_words("2026-13"), "2026-13");
    }
}
