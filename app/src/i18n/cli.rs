//! The command line's texts, Dutch and English, grouped per command. Texts
//! with values in them are methods below. The `--help` texts are English
//! doc comments on the commands (clap), not part of this table.

use inwonercloud_schemas::Lang;

use super::plural;

super::texts! {
    // budget, topup, catalogue (cli/budget.rs)
    no_budget_accounts: "Nog geen budgetrekeningen. Open er een met: inwonercloud budget add-account",
        "No budget accounts yet. Open one with: inwonercloud budget add-account";
    granted: "toegekend", "granted";
    own_money: "eigen geld", "own money";
    transfers_in: "overboekingen in", "transfers in";
    transfers_out: "overboekingen uit", "transfers out";
    reserved: "gereserveerd", "reserved";
    spent: "besteed", "spent";
    remaining: "resterend", "remaining";
    warning_not_covered: "LET OP: niet gedekt door budget:", "WARNING: not covered by budget:";
    expected_left_at_end: "verwacht over aan eind", "expected left at end";
    rate_of_day: "tempo van dag", "rate of day";
    not_covered: "niet gedekt", "not covered";
    refused: "geweigerd", "refused";
    waits_for_receiver_signature: "wacht op de handtekening van de ontvanger", "waits for the receiver's signature";
    account_opened: "Rekening geopend:", "Account opened:";
    own_money_added: "Eigen geld toegevoegd:", "Own money added:";
    // plan (cli/plan.rs)
    title_saved: "Titel opgeslagen.", "Title saved.";
    status_changed: "Status aangepast.", "Status changed.";
    plan_without_title: "Ondersteuningsplan (nog zonder titel)", "Support plan (no title yet)";
    for_word: "voor", "for";
    goal: "doel:", "goal:";
    wish: "wens:", "wish:";
    need: "nodig:", "need:";
    hours_short: "uur", "h";
    per_year: "per jaar", "per year";
    total_per_year: "Totaal per jaar", "Total per year";
    refused_caps: "GEWEIGERD", "REFUSED";
    household: "Gezin:", "Household:";
    director: "regisseur:", "director:";
    no_director_yet: "nog geen regisseur", "no director yet";
    goal_added: "Doel toegevoegd:", "Goal added:";
    // request, requests, answer, review, inbox, assess, policy, transfers (cli/request.rs)
    request_submitted: "Aanvraag ingediend:", "Request submitted:";
    request_goes_when_connected: "Ze gaat naar de gemeente zodra u verbonden bent (inwonercloud serve, of sync).",
        "It goes to the municipality as soon as you are connected (inwonercloud serve, or sync).";
    no_requests: "Geen aanvragen.", "No requests.";
    automated_rule: "automatisch, regel", "automated, rule";
    decision_word: "besluit", "decision";
    answer_sent: "Antwoord verstuurd.", "Answer sent.";
    review_asked: "Herbeoordeling gevraagd: een medewerker van de gemeente kijkt opnieuw.",
        "Review asked: a person at the municipality will look again.";
    taken_into_assessment: "In behandeling genomen.", "Taken into assessment.";
    question_asked: "Vraag gesteld.", "Question asked.";
    decision_title: "Besluit", "Decision";
    to_be_spent_on: "te besteden aan:", "to be spent on:";
    citizen: "De inwoner", "The citizen";
    no_new_requests: "Geen nieuwe aanvragen.", "No new requests.";
    request: "aanvraag", "request";
    granted_automatically_rule: "automatisch toegekend, regel", "granted automatically, rule";
    persons_inbox: "naar de inbox van een medewerker", "to a person's inbox";
    policy_published: "Beleid gepubliceerd: iedereen die met u verbonden is krijgt het zodra u weer met elkaar verbonden bent.",
        "Policy published: everyone connected to you receives it at the next sync.";
    policy: "beleid", "policy";
    rule: "regel", "rule";
    highest_hourly_tariff: "hoogste uurtarief voor een mantelzorger:", "highest hourly tariff for an informal carer:";
    no_municipal_policy: "Geen beleid van een gemeente ontvangen; de voorbeeldcatalogus geldt (inwonercloud catalogue).",
        "No municipal policy received; the example catalogue applies (inwonercloud catalogue).";
    transfer_offered: "Overboeking aangeboden:", "Transfer offered:";
    money_moves_when_receiver_signs: "Het geld gaat pas over als de ontvanger tekent (accept-transfer).",
        "The money moves only once the receiver signs (accept-transfer).";
    transfer_received_signed: "Overboeking ontvangen en ondertekend.", "Transfer received and signed.";
    no_transfers: "Geen overboekingen.", "No transfers.";
    signed_both: "door beiden getekend", "signed by both";
    waits_for_receiver: "wacht op de ontvanger", "waits for the receiver";
    example_policy_written: "Voorbeeldbeleid geschreven:", "Example policy written:";
    // offer, market, order, agreements, declare, claims (cli/market.rs)
    offering_published: "Aanbod gepubliceerd:", "Offering published:";
    no_offerings_found: "Geen aanbod gevonden. Verbind met uw gemeente (of een aanbieder) via diens uitnodiging (join).",
        "No offerings found. Connect to your municipality (or a provider) with their invite (join).";
    no_offering_matches: "Geen aanbod past bij deze filters.", "No offering matches these filters.";
    above_maximum_tariff: "  LET OP: boven het maximumtarief van de gemeente",
        "  NOTE: above the municipality's maximum tariff";
    admitted_by: "toegelaten door", "admitted by";
    example: "voorbeeld", "example";
    is_admitted: "is toegelaten", "is admitted";
    node_passes_catalogue_on: "Uw knooppunt geeft zijn catalogus door aan iedereen die met u verbonden is.",
        "Your node passes its catalogue on to everyone connected to you.";
    no_longer_admitted: "is niet meer toegelaten; zijn catalogus wordt niet meer doorgegeven.",
        "is no longer admitted; its catalogue is no longer passed on.";
    agreement_signed: "Zorgovereenkomst getekend:", "Agreement signed:";
    amount_reserved_provider_signs: "Het bedrag is gereserveerd; de aanbieder tekent zodra u weer met elkaar verbonden bent.",
        "The amount is reserved; the provider signs at the next sync.";
    reserved_colon: "gereserveerd:", "reserved:";
    no_agreements: "Geen zorgovereenkomsten.", "No agreements.";
    informal_care: " (mantelzorg)", " (informal care)";
    waits_for_informal_carer: "wacht op de mantelzorger", "waits for the informal carer";
    waits_for_provider: "wacht op de aanbieder", "waits for the provider";
    awaiting_approval: "wacht op goedkeuring", "awaiting approval";
    approved: "goedgekeurd", "approved";
    disputed: "betwist", "disputed";
    declaration: "declaratie", "declaration";
    agreement_signed_dot: "Zorgovereenkomst getekend.", "Agreement signed.";
    declared: "Gedeclareerd:", "Declared:";
    valid: "geldig", "valid";
    invalid: "ONGELDIG", "INVALID";
    valid_colon: "geldig:", "valid:";
    per_kind: "per soort:", "per kind:";
    per_act_funding: "per wet (financieringsstroom):", "per act (funding stream):";
    per_household_member: "per gezinslid:", "per household member:";
    per_citizen_valid_unverifiable: "per inwoner (geldig / niet te controleren):", "per citizen (valid / not verifiable):";
    in_word: "in", "in";
    counted_apart_from_euros: "apart geteld, nooit bij euro's opgeteld", "counted apart, never added to euros";
    not_verifiable: "niet te controleren", "not verifiable";
    at_points_value: "omgerekend tegen de puntwaarde van het beleid:", "at the policy's points value:";
    per_point: "per punt", "per point";
    trusted_municipality_key: "vertrouwde gemeentesleutel:", "trusted municipality key:";
    released_from_reservation: "Vrijgegeven uit de reservering:", "Released from the reservation:";
    // pot (wijkbudget) (cli/pot.rs)
    room_ninety_percent_used: "Let op: u heeft 90 % of meer van uw ruimte gebruikt.",
        "Note: you have used 90 % or more of your room.";
    subsidy: "subsidie", "subsidy";
    room_assigned: "ruimte verdeeld", "room assigned";
    left_over: "over", "left";
    residents_helped: "inwoners geholpen", "residents helped";
    organisation: "organisatie", "organisation";
    room: "ruimte", "room";
    rebalanced: "herverdeeld", "rebalanced";
    residents: "inwoners", "residents";
    removed_as_partner: "  (verwijderd als partner)", "  (removed as partner)";
    beyond_its_room: "  ! boven de ruimte", "  ! beyond its room";
    ninety_percent_used: "  ! 90 % of meer gebruikt", "  ! 90 % or more used";
    per_month: "Per maand:", "Per month:";
    per_category: "Per categorie:", "Per category:";
    per_kind_support: "Per soort steun:", "Per kind of support:";
    not_covered_room: "niet gedekt door de ruimte", "not covered by the room";
    checked_in_full: "gecontroleerd: overeenkomst, declaratie en goedkeuring",
        "checked: agreement, declaration and approval";
    checked_on_partner_word: "declaratie gecontroleerd; goedkeuring op het woord van de partner (overeenkomst niet hier)",
        "declaration checked; approval on the partner's word (agreement not held here)";
    market: "markt", "market";
    does_not_count: "telt niet", "does not count";
    no_pot_here: "hier is nog geen wijkbudget: maak er een met `inwonercloud pot create`, of vraag de gemeente \
        u als partner toe te voegen en maak daarna verbinding",
        "no neighbourhood pot here yet: create one with `inwonercloud pot create`, or ask the municipality to add you \
        as a partner and sync";
    several_pots: "hier zijn meer wijkbudgetten: noem er een met --pot", "several pots here: name one with --pot";
    pot_spend_needs: "geef --declaration, of --resident, --kind, --category en --amount",
        "give --declaration, or --resident, --kind, --category and --amount";
    // mandate (cli/mandate.rs)
    revoked: "INGETROKKEN", "REVOKED";
    active: "actief", "active";
    expired: "verlopen", "expired";
    to_word: "aan", "to";
    from_word: "van", "from";
    revoked_on: "ingetrokken op", "revoked on";
    stays_valid: "blijft geldig:", "stays valid:";
    no_mandates: "Geen machtigingen.", "No mandates.";
    given_by_you: "Door u gegeven:", "Given by you:";
    you_act_on_behalf_of: "U handelt namens:", "You act on behalf of:";
    // spend, receipt (cli/receipt.rs)
    name_receipt_files: "noem de bestanden van de bon (JPEG, PNG of PDF)",
        "name the receipt's files (JPEG, PNG or PDF)";
    no_receipts_yet: "Nog geen bonnen. Boek een uitgave met: inwonercloud spend --account … --amount … --receipt FOTO.jpg",
        "No receipts yet. Book a spend with: inwonercloud spend --account … --amount … --receipt PHOTO.jpg";
    not_arrived: "nog niet binnen", "not arrived";
    altered: "GEWIJZIGD", "ALTERED";
    // init, whoami, journal, export, passphrase, note, verify, rejections (cli/vault.rs)
    recovery_phrase_prompt: "Herstelzin (24 woorden): ", "Recovery phrase (24 words): ";
    recovery_phrase_keep_safe: "Uw herstelzin. Schrijf hem op papier en bewaar hem veilig: wie hem kent, kan zich als u voordoen.",
        "Your recovery phrase. Write it on paper and keep it safe: whoever knows it can act as you.";
    passphrase_changed: "Wachtwoord gewijzigd. Bewaar het goed: zonder wachtwoord is de kluis niet te openen.",
        "Passphrase changed. Keep it safe: without it the vault cannot be opened.";
    identity: "identiteit", "identity";
    device: "apparaat", "device";
    vault: "kluis", "vault";
    documents: "documenten", "documents";
    note_saved: "Notitie opgeslagen:", "Note saved:";
    valid_signatures: "geldige handtekeningen", "valid signatures";
    no_refused_changes: "Geen geweigerde wijzigingen.", "No refused changes.";
    // asking for the passphrase (cli/passphrase.rs)
    vault_passphrase: "Wachtwoord van de kluis: ", "Vault passphrase: ";
    cannot_read_passphrase_file: "kan het wachtwoordbestand niet lezen:", "cannot read the passphrase file";
    passphrase_file_empty: "het wachtwoordbestand is leeg:", "the passphrase file is empty:";
    new_vault_passphrase: "Nieuw wachtwoord voor de kluis (minstens 8 tekens): ",
        "New vault passphrase (at least 8 characters): ";
    repeat_passphrase: "Herhaal het wachtwoord: ", "Repeat the passphrase: ";
    two_passphrases_differ: "de twee wachtwoorden verschillen; er is niets gewijzigd",
        "the two passphrases differ; nothing was changed";
    no_terminal_for_passphrase: "de kluis is versleuteld en er is geen terminal om het wachtwoord te vragen: zet INWONERCLOUD_PASSPHRASE",
        "the vault is encrypted and there is no terminal to ask for the passphrase: set INWONERCLOUD_PASSPHRASE";
    // postbus, postbus-use, postbus-status (cli/postbus.rs)
    postbus_running: "De postbus draait. Inwoners kiezen hem met:",
        "The postbus is running. Citizens choose it with:";
    postbus_use_and_stop: "inwonercloud postbus-use <adres hierboven>\nStoppen: Ctrl-C (of SIGTERM)",
        "inwonercloud postbus-use <address above>\nStop: Ctrl-C (or SIGTERM)";
    postbus_left: "Geen postbus meer. Wie met u deelt, hoort dat bij de volgende verbinding.",
        "No postbus any more. Those you share with learn it at the next connection.";
    postbus_title: "Postbus:", "Postbus:";
    no_postbus_chosen: "Nog geen postbus gekozen. Kies er een met: inwonercloud postbus-use ADRES",
        "No postbus chosen yet. Choose one with: inwonercloud postbus-use ADDRESS";
    postbus_chosen: "Postbus gekozen. Wie met u deelt, laat daar voortaan wijzigingen achter als u offline bent\n(versleuteld: alleen wie u toestemming gaf kan ze lezen). Uw knooppunt geeft de postbus\nuw lijst van toestemmingen bij de volgende verbinding.",
        "Postbus chosen. Those you share with now leave changes there while you are offline\n(sealed: only those you consented to can read them). Your node gives the postbus\nyour list of consents at its next connection.";
    postbus_colon: "postbus:", "postbus:";
    received: "ontvangen", "received";
    left_at_postbus: "achtergelaten", "left";
    // serve, invite, join, sync, peers, consents, revoke, trust (cli/net.rs)
    to_the_inbox: "naar de inbox", "to the inbox";
    updated_colon: "bijgewerkt:", "updated:";
    connected_to: "verbonden met", "connected to";
    disconnected_from: "verbinding verbroken met", "disconnected from";
    node: "Knooppunt:", "Node:";
    running: "draait", "running";
    process: "proces", "process";
    since: "sinds", "since";
    addresses: "Adressen:", "Addresses:";
    connected: "verbonden", "connected";
    not_connected: "niet verbonden", "not connected";
    node_not_running: "Knooppunt: draait niet (start het met `inwonercloud serve`).",
        "Node: not running (start it with `inwonercloud serve`).";
    nothing_waits: "Er wacht niets op levering.", "Nothing waits to be delivered.";
    your_postbus: "Uw postbus:", "Your postbus:";
    no_postbus_online_together: "Geen postbus gekozen: wijzigingen komen alleen aan als u en de ander tegelijk online zijn (inwonercloud postbus-use ADRES).",
        "No postbus chosen: changes arrive only when you and the other side are online together (inwonercloud postbus-use ADDRESS).";
    last_round: "Laatste ronde", "Last round";
    still_leave_postbus: "Nog naar de postbus", "Still to leave at the postbus";
    waiting_for: "Wacht op levering aan", "Waiting for";
    start_serve_first: "start eerst `inwonercloud serve` in een ander venster: de uitnodiging moet zeggen waar u bereikbaar bent",
        "start `inwonercloud serve` in another terminal first: the invite must say where you can be reached";
    give_invite: "Geef deze uitnodiging aan de ander (eenmalig te gebruiken):",
        "Give this invite to the other person (it works once):";
    they_run: "Die voert uit:", "They run:";
    ticket_word: "uitnodiging", "ticket";
    your_fingerprint_compare: "Uw controlecode (vergelijk die met wat de ander na het verbinden ziet, bijvoorbeeld aan de telefoon):",
        "Your fingerprint (compare it with what the other person sees after joining, for example by phone):";
    create_own_vault_first: "maak eerst uw eigen kluis: inwonercloud init --name \"Uw naam\" --role begeleider",
        "create your own vault first: inwonercloud init --name \"Your name\" --role counselor";
    fingerprint_of: "Controlecode van", "Fingerprint of";
    no_known_peer_named: "geen bekende partij met adres heet", "no known peer with an address matches";
    no_peers_with_address: "Geen partijen met een bekend adres. Gebruik: inwonercloud sync ID@IP:POORT",
        "No peers with a known address. Use: inwonercloud sync ID@IP:PORT";
    live_stop_with_ctrl_c: "Live verbonden; stoppen met Ctrl-C.", "Live; stop with Ctrl-C.";
    sent: "verstuurd", "sent";
    failed_colon: "mislukt:", "failed:";
    no_known_peers: "Nog geen bekende partijen.", "No known peers yet.";
    you_share_nothing: "U deelt nog niets.", "You share nothing yet.";
    write_access: "schrijf", "write";
    read_access: "lees", "read";
    revoking_stops_sharing: "Let op: intrekken stopt het delen vanaf nu; wat al gedeeld is, kan niet worden teruggehaald.",
        "Note: revoking stops sharing from now on; what was shared before cannot be called back.";
    consent_revoked: "Ingetrokken. Vanaf nu wordt niets meer gedeeld en worden nieuwe wijzigingen van deze partij geweigerd. Wat al gedeeld is, kan niet worden teruggehaald.",
        "Revoked. From now on nothing more is shared and new changes from this party are refused. What was shared before cannot be called back.";
    nothing_shared_received: "Nog niets gedeeld of ontvangen.", "Nothing shared or received yet.";
    no_trusted_municipality_key: "U vertrouwt nog geen gemeentesleutel: geef uw gemeente toestemming (invite --role gemeente) of gebruik trust add.",
        "You trust no municipality key yet: give your municipality a consent (invite --role municipality) or use trust add.";
    your_own_key: "uw eigen sleutel", "your own key";
    your_consent: "uw toestemming", "your consent";
    added_by_you: "zelf toegevoegd", "added by you";
    key_was_not_pinned: "die sleutel stond niet in uw lijst (sleutels uit een toestemming verdwijnen door die in te trekken)",
        "that key was not pinned (keys from a consent go when you revoke that consent)";
    no_longer_trusted: "Niet meer vertrouwd.", "No longer trusted.";
    cannot_start_network: "kan het netwerkdeel niet starten", "cannot start the network runtime";
    // ids as typed: the kind of record in "no mandate with id …" (cli/ids.rs)
    id_mandate: "machtiging", "mandate";
    id_ledger_entry: "boeking", "ledger entry";
    id_request: "aanvraag", "request";
    id_agreement: "zorgovereenkomst", "agreement";
    id_declaration: "declaratie", "declaration";
    id_transfer: "overboeking", "transfer";
    id_consent: "toestemming", "consent";
    // opening the vault (cli/mod.rs)
    create_or_choose_vault: "maak een kluis met `inwonercloud init`, of kies de map met --vault",
        "create a vault with `inwonercloud init`, or choose its folder with --vault";
    give_municipality_key: "geef de sleutel van de gemeente: `--trust SLEUTEL`, of `--trust BESTAND` met één sleutel per regel",
        "give the municipality's key: `--trust KEY`, or `--trust FILE` with one key per line";
    demo_citizen: "Inwoner:", "Citizen:";
    demo_counselor: "Begeleider:", "Counselor:";
    demo_provider: "Zorgaanbieder:", "Provider:";
    demo_municipality: "Gemeente:", "Municipality:";
    demo_carer: "Mantelzorger:", "Informal carer:";
    demo_representative: "Vertegenwoordiger:", "Representative:";
    demo_household: "Gezin (integraal pgb):", "Household (integral pgb):";
    // the error line (cli/exit.rs): "fout: …"
    error_prefix: "fout", "error";
}

impl Texts {
    // --- ids as typed (cli/ids.rs) ---

    /// No id typed for a `what` (a word from the table, `id_…`).
    pub fn give_the_id(&self, what: &str) -> String {
        match self.lang {
            Lang::Nl => format!("geef het nummer van de {what} (of het begin ervan)"),
            Lang::En => format!("give the id of the {what} (or its first characters)"),
        }
    }

    /// No `what` has an id starting with `typed`.
    pub fn no_such_id(&self, what: &str, typed: &str) -> String {
        match self.lang {
            Lang::Nl => format!("geen {what} met nummer '{typed}'"),
            Lang::En => format!("no {what} with id '{typed}'"),
        }
    }

    /// More than one `what` has an id starting with `typed`.
    pub fn id_fits_more_than_one(&self, what: &str, typed: &str) -> String {
        match self.lang {
            Lang::Nl => format!("'{typed}' past bij meer dan één {what}; geef meer tekens"),
            Lang::En => format!("'{typed}' fits more than one {what}; give more characters"),
        }
    }

    // --- plan (cli/plan.rs) ---

    /// The situation in a life domain was saved.
    pub fn situation_saved(&self, domain: &str) -> String {
        match self.lang {
            Lang::Nl => format!("Situatie bij {domain} opgeslagen."),
            Lang::En => format!("Situation for {domain} saved."),
        }
    }

    /// A need was added, with what it costs per year.
    pub fn need_added(&self, id: &str, per_year: &str) -> String {
        match self.lang {
            Lang::Nl => format!("Behoefte toegevoegd: {id} ({per_year} per jaar)"),
            Lang::En => format!("Need added: {id} ({per_year} per year)"),
        }
    }

    /// A household member was added.
    pub fn member_added(&self, name: &str, kind: &str, id: &str) -> String {
        match self.lang {
            Lang::Nl => format!("Gezinslid toegevoegd: {name} ({kind}, id {id})"),
            Lang::En => format!("Household member added: {name} ({kind}, id {id})"),
        }
    }

    /// The household's director was set.
    pub fn director_set(&self, name: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Regisseur: {name}. Geef een machtiging (mandate give) voor wat de regisseur voor het gezin mag doen."
            ),
            Lang::En => format!(
                "Director: {name}. Give a mandate (mandate give) for what the director may do for the household."
            ),
        }
    }

    // --- informal-agree (cli/informal.rs) ---

    /// An agreement with an informal carer was signed and its amount reserved.
    pub fn informal_agreement_signed(
        &self,
        carer: &str,
        id: &str,
        hours: rust_decimal::Decimal,
        tariff: &str,
        reserved: &str,
    ) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Afspraak met mantelzorger {carer} getekend: {id}. {hours} uur × {tariff} = {reserved} gereserveerd; \
                 {carer} tekent zodra u weer met elkaar verbonden bent en declareert daarna de gewerkte uren."
            ),
            Lang::En => format!(
                "Agreement with informal carer {carer} signed: {id}. {hours} hours × {tariff} = {reserved} reserved; \
                 {carer} signs at the next sync and then declares the hours worked."
            ),
        }
    }

    // --- mandate (cli/mandate.rs) ---

    /// A commission for the represented person `name` was signed.
    pub fn commission_signed(&self, id: &str, name: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Opdracht {id} namens {name} ondertekend. Haar kluis voert hem uit zodra die hem ontvangt \
                 (zodra u weer met elkaar verbonden bent), en antwoordt met het resultaat."
            ),
            Lang::En => format!(
                "Commission {id} for {name} signed. Her vault carries it out once it receives it (at the next sync) \
                 and answers with the result."
            ),
        }
    }

    /// A mandate was given to a representative.
    pub fn mandate_given(&self, id: &str, representative: &str, capacity: &str, what: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Machtiging {id} gegeven aan {representative} als {capacity}: {what}. {representative} kan nu met \
                 een eigen handtekening namens u handelen en schrijft daarvoor in uw budget en zorgovereenkomsten."
            ),
            Lang::En => format!(
                "Mandate {id} given to {representative} as {capacity}: {what}. {representative} can now act for you \
                 with their own signature, and writes in your budget and agreements for it."
            ),
        }
    }

    /// A mandate was revoked; `kept` records signed before stay valid.
    pub fn mandate_revoked(&self, kept: usize) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Machtiging ingetrokken. {}; wat de vertegenwoordiger hierna ondertekent, telt nergens meer. \
                 Wat al gedeeld is, kan niet worden teruggehaald.",
                plural(
                    kept,
                    "stuk dat eerder is ondertekend, blijft geldig",
                    "stukken die eerder zijn ondertekend, blijven geldig"
                )
            ),
            Lang::En => format!(
                "Mandate revoked. {}; nothing the representative signs from now on counts anywhere. \
                 What was shared before cannot be called back.",
                plural(
                    kept,
                    "record signed before stays valid",
                    "records signed before stay valid"
                )
            ),
        }
    }

    // --- opening the vault, demo (cli/mod.rs) ---

    /// `demo` found a demo where it would build one.
    pub fn demo_exists(&self, base: &str) -> String {
        match self.lang {
            Lang::Nl => format!("er staat al een demo in {base}"),
            Lang::En => format!("a demo already exists in {base}"),
        }
    }

    /// `demo` built its world: where, and the vault of each role.
    pub fn demo_built(&self, base: &str, vaults: &[(&str, String)]) -> String {
        let mut text = match self.lang {
            Lang::Nl => format!("Demo gemaakt in {base}."),
            Lang::En => format!("Demo built in {base}."),
        };
        for (role, dir) in vaults {
            text.push_str(&format!("\n{role:<26} --vault {dir}"));
        }
        text
    }

    // --- offer, market, order, agreements, declare, claims (cli/market.rs) ---

    /// A reservation released an amount.
    pub fn released(&self, amount: &str, reservation: &str) -> String {
        match self.lang {
            Lang::Nl => format!("Vrijgegeven: {amount} uit reservering {reservation}."),
            Lang::En => format!("Released: {amount} from reservation {reservation}."),
        }
    }

    /// An agreement was cancelled as of `last_day`.
    pub fn agreement_cancelled(&self, last_day: &str) -> String {
        match self.lang {
            Lang::Nl => format!("Zorgovereenkomst opgezegd; laatste dag {last_day}."),
            Lang::En => format!("Agreement cancelled; last day {last_day}."),
        }
    }

    /// A declaration was approved (`behalf`: " (… namens …)" or empty).
    pub fn declaration_approved(&self, behalf: &str) -> String {
        match self.lang {
            Lang::Nl => format!("Goedgekeurd{behalf}: het bedrag is als uitgave geboekt."),
            Lang::En => format!("Approved{behalf}: the amount is booked as spent."),
        }
    }

    /// A declaration was disputed (`behalf` as in [`Self::declaration_approved`]).
    pub fn declaration_disputed(&self, behalf: &str) -> String {
        match self.lang {
            Lang::Nl => format!("Betwist{behalf}."),
            Lang::En => format!("Disputed{behalf}."),
        }
    }

    /// The claims export was written.
    pub fn claims_exported(&self, claims: usize, spends: usize, path: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "{} en {} geschreven naar {path}",
                plural(claims, "declaratie", "declaraties"),
                plural(spends, "eigen uitgave", "eigen uitgaven")
            ),
            Lang::En => format!(
                "{} and {} written to {path}",
                plural(claims, "declaration", "declarations"),
                plural(spends, "own spend", "own spends")
            ),
        }
    }

    // --- serve, invite, join, sync, trust (cli/net.rs) ---

    /// `serve` listens: who, the address to connect to, what next.
    pub fn serving(&self, name: &str, connect: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "{name} is bereikbaar.\nAdres: {connect}\nMaak een uitnodiging in een ander venster: \
                 inwonercloud invite --role begeleider --docs plan --write\nStoppen: Ctrl-C"
            ),
            Lang::En => format!(
                "{name} is reachable.\nAddress: {connect}\nMake an invite in another terminal: \
                 inwonercloud invite --role counselor --docs plan --write\nStop: Ctrl-C"
            ),
        }
    }

    /// After joining: compare the code, and trust the inviter if it is the municipality.
    pub fn trust_inviter_hint(&self, inviter: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Vergelijk die met wat de ander ziet. Is de ander uw gemeente? Vertrouw de sleutel dan met: \
                 inwonercloud trust add {inviter}"
            ),
            Lang::En => format!(
                "Compare it with what the other person sees. Is it your municipality? Then trust its key with: \
                 inwonercloud trust add {inviter}"
            ),
        }
    }

    /// One round with a contact: what came in and what went out.
    pub fn synced_with(&self, peer: &str, received: usize, documents: usize, sent: usize) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Verbonden met {peer}. Ontvangen: {} in {}; verstuurd: {}.",
                plural(received, "wijziging", "wijzigingen"),
                plural(documents, "document", "documenten"),
                plural(sent, "wijziging", "wijzigingen")
            ),
            Lang::En => format!(
                "Connected to {peer}. Received {} in {}; sent {}.",
                plural(received, "change", "changes"),
                plural(documents, "document", "documents"),
                plural(sent, "change", "changes")
            ),
        }
    }

    /// A municipality key is trusted now.
    pub fn trusted_key(&self, key: &str, code: &str) -> String {
        match self.lang {
            Lang::Nl => format!("Vertrouwd: {key} (controlecode {code})"),
            Lang::En => format!("Trusted: {key} (fingerprint {code})"),
        }
    }

    // --- spend, receipt (cli/receipt.rs) ---

    /// A spend was booked with `files` receipt files.
    pub fn spend_booked(&self, amount: &str, date: &str, files: usize, id: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Uitgave geboekt: {amount} op {date} ({}; nummer {id})",
                plural(files, "bon", "bonnen")
            ),
            Lang::En => format!(
                "Spend booked: {amount} on {date} ({}; id {id})",
                plural(files, "receipt file", "receipt files")
            ),
        }
    }

    /// A receipt was attached to a ledger entry.
    pub fn receipt_attached(&self, entry: &str) -> String {
        match self.lang {
            Lang::Nl => format!("Bon toegevoegd aan boeking {entry}."),
            Lang::En => format!("Receipt attached to entry {entry}."),
        }
    }

    // --- init, backup, restore, revoke-device, export, schema (cli/vault.rs) ---

    /// A backup was written, and how to restore it.
    pub fn backup_written(&self, file: &str, bytes: u64) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Reservekopie geschreven: {file} ({bytes} bytes), versleuteld. \
                 Terugzetten: inwonercloud --vault NIEUWE_MAP restore {file}"
            ),
            Lang::En => format!(
                "Backup written: {file} ({bytes} bytes), encrypted. Restore: inwonercloud --vault NEW_DIR restore {file}"
            ),
        }
    }

    /// A backup was restored into `dir` with a new device key.
    pub fn restored(&self, dir: &str, documents: usize, changes: usize, device: &str, old: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Teruggezet in {dir}: {}, {}. Dit apparaat heeft een nieuwe sleutel ({device}); \
                 de oude sleutel ({old}) is niet meegekomen.",
                plural(documents, "document", "documenten"),
                plural(changes, "wijziging", "wijzigingen")
            ),
            Lang::En => format!(
                "Restored into {dir}: {}, {}. This device has a new key ({device}); the old key ({old}) was not restored.",
                plural(documents, "document", "documents"),
                plural(changes, "change", "changes")
            ),
        }
    }

    /// A second device's backup was restored: link it again, then revoke the old one.
    pub fn restored_link_again(&self, dir: &str, old: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "De reservekopie komt van een tweede apparaat: alleen uw eerste apparaat kan deze nieuwe sleutel \
                 bevestigen. Tot dan wisselt dit apparaat geen gegevens uit als u.\n\
                 Koppel het opnieuw: op uw eerste apparaat `inwonercloud invite --device`, \
                 hier `inwonercloud --vault {dir} join <uitnodiging>`.\n\
                 Trek daarna, op uw eerste apparaat, het oude apparaat in:\n  inwonercloud revoke-device {old}"
            ),
            Lang::En => format!(
                "The backup comes from a second device: only your first device can certify this new key. \
                 Until then this device does not sync as you.\n\
                 Link it again: on your first device `inwonercloud invite --device`, \
                 here `inwonercloud --vault {dir} join <ticket>`.\n\
                 Then, on your first device, revoke the old device:\n  inwonercloud revoke-device {old}"
            ),
        }
    }

    /// The first device's backup was restored: connect, then revoke the old device.
    pub fn restored_revoke_old(&self, old: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Maak nu verbinding met uw contacten (inwonercloud sync) en trek daarna het oude apparaat in:\n  \
                 inwonercloud revoke-device {old}"
            ),
            Lang::En => format!(
                "Now sync with your contacts (inwonercloud sync), then revoke the old device:\n  \
                 inwonercloud revoke-device {old}"
            ),
        }
    }

    /// A device was revoked in `documents` documents.
    pub fn device_revoked(&self, device: &str, documents: usize) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Apparaat {device} ingetrokken in {}. Uw contacten weigeren het zodra ze weer met u verbonden zijn.",
                plural(documents, "document", "documenten")
            ),
            Lang::En => format!(
                "Device {device} revoked in {}. Your contacts refuse it as soon as they sync with you.",
                plural(documents, "document", "documents")
            ),
        }
    }

    /// `init` made a vault.
    pub fn vault_created(&self, vault: &str, identity: &str, device: &str) -> String {
        match self.lang {
            Lang::Nl => format!("Kluis aangemaakt in {vault}\nIdentiteit: {identity}\nApparaat:   {device}"),
            Lang::En => format!("Vault created in {vault}\nIdentity: {identity}\nDevice:   {device}"),
        }
    }

    /// `export` wrote the documents and their signed records.
    pub fn exported(&self, documents: usize, records: usize, path: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "{} en {} geschreven naar {path}",
                plural(documents, "document", "documenten"),
                plural(records, "ondertekend stuk", "ondertekende stukken")
            ),
            Lang::En => format!(
                "{} and {} written to {path}",
                plural(documents, "document", "documents"),
                plural(records, "signed record", "signed records")
            ),
        }
    }

    /// `schema` wrote the JSON schemas.
    pub fn schemas_written(&self, n: usize, dir: &str) -> String {
        match self.lang {
            Lang::Nl => format!("{} geschreven naar {dir}", plural(n, "schema", "schema's")),
            Lang::En => format!("{} written to {dir}", plural(n, "schema", "schemas")),
        }
    }

    // --- pot (cli/pot.rs) ---

    /// A neighbourhood pot was created.
    pub fn pot_created(&self, name: &str, id: &str) -> String {
        match self.lang {
            Lang::Nl => format!("Wijkbudget {name} aangemaakt ({id}). Voeg partners toe met `pot partner add`."),
            Lang::En => format!("Neighbourhood pot {name} created ({id}). Add partners with `pot partner add`."),
        }
    }

    /// An organisation became a partner of the pot.
    pub fn pot_partner_added(&self, name: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "{name} is partner: de organisatie mag boeken en krijgt het wijkbudget zodra u weer met elkaar \
                 verbonden bent."
            ),
            Lang::En => format!("{name} is a partner: it may book and receives the pot at the next sync."),
        }
    }

    /// An organisation is no longer a partner of the pot.
    pub fn pot_partner_removed(&self, name: &str) -> String {
        match self.lang {
            Lang::Nl => {
                format!("{name} is geen partner meer: de boekingen tot nu toe tellen mee, nieuwe worden geweigerd.")
            }
            Lang::En => format!("{name} is no longer a partner: its spends so far count, new ones are refused."),
        }
    }

    /// Subsidy was put into the pot.
    pub fn pot_funded(&self, amount: &str, id: &str) -> String {
        match self.lang {
            Lang::Nl => format!("{amount} in het wijkbudget gestort (id {id})."),
            Lang::En => format!("{amount} put into the pot (id {id})."),
        }
    }

    /// A partner's room was set.
    pub fn pot_room_set(&self, name: &str, amount: &str) -> String {
        match self.lang {
            Lang::Nl => format!("Ruimte van {name}: {amount}."),
            Lang::En => format!("Room of {name}: {amount}."),
        }
    }

    /// A partner booked support for a resident (`kind` already in this language).
    pub fn pot_spend_booked(&self, amount: &str, resident: &str, kind: &str, category: &str, id: &str) -> String {
        match self.lang {
            Lang::Nl => format!("{amount} geboekt voor {resident} ({kind}, {category}), id {id}."),
            Lang::En => format!("{amount} booked for {resident} ({kind}, {category}), id {id}."),
        }
    }

    /// A marketplace declaration now counts against the partner's room.
    pub fn pot_claim_counts(&self, id: &str) -> String {
        match self.lang {
            Lang::Nl => format!("Marktdeclaratie {id} telt nu mee in uw ruimte."),
            Lang::En => format!("Marketplace declaration {id} now counts against your room."),
        }
    }

    /// What is left of a partner's room.
    pub fn pot_room_left(&self, left: &str, room: &str) -> String {
        match self.lang {
            Lang::Nl => format!("Nog {left} van {room} ruimte over."),
            Lang::En => format!("{left} of {room} room left."),
        }
    }

    /// Room moved from one partner to another.
    pub fn pot_rebalanced(&self, amount: &str, from: &str, to: &str, id: &str) -> String {
        match self.lang {
            Lang::Nl => format!("{amount} ruimte van {from} naar {to} (id {id})."),
            Lang::En => format!("{amount} of room from {from} to {to} (id {id})."),
        }
    }

    // --- counts shared by several commands ---

    /// "1 wijziging", "3 wijzigingen".
    pub fn changes_count(&self, n: impl super::Count) -> String {
        match self.lang {
            Lang::Nl => plural(n, "wijziging", "wijzigingen"),
            Lang::En => plural(n, "change", "changes"),
        }
    }

    /// `sync` with `n` contacts failed.
    pub fn syncs_failed(&self, n: usize) -> String {
        match self.lang {
            Lang::Nl => format!("{n} keer bijwerken mislukt"),
            Lang::En => plural(n, "sync failed", "syncs failed"),
        }
    }

    /// `verify` found `n` records with a bad signature.
    pub fn invalid_signatures(&self, n: usize) -> String {
        match self.lang {
            Lang::Nl => plural(
                n,
                "stuk heeft een ongeldige handtekening",
                "stukken hebben een ongeldige handtekening",
            ),
            Lang::En => plural(
                n,
                "record has an invalid signature",
                "records have an invalid signature",
            ),
        }
    }
    // --- files (several commands) ---

    /// A file could not be read.
    pub fn cannot_read(&self, path: impl AsRef<std::path::Path>) -> String {
        let path = path.as_ref().display();
        match self.lang {
            Lang::Nl => format!("kan {path} niet lezen"),
            Lang::En => format!("cannot read {path}"),
        }
    }

    /// A file could not be written.
    pub fn cannot_write(&self, path: impl AsRef<std::path::Path>) -> String {
        let path = path.as_ref().display();
        match self.lang {
            Lang::Nl => format!("kan {path} niet schrijven"),
            Lang::En => format!("cannot write {path}"),
        }
    }

    /// A folder could not be made.
    pub fn cannot_create(&self, path: impl AsRef<std::path::Path>) -> String {
        let path = path.as_ref().display();
        match self.lang {
            Lang::Nl => format!("kan map {path} niet maken"),
            Lang::En => format!("cannot create {path}"),
        }
    }

    // --- what a command refuses, with what to type instead ---

    /// `typed` (from `--trust` or a file) is not an identity key.
    pub fn not_an_identity_key(&self, from: &str, typed: &str) -> String {
        match self.lang {
            Lang::Nl => format!("{from}: '{typed}' is geen identiteitssleutel (64 tekens, 0-9 en a-f)"),
            Lang::En => format!("{from}: '{typed}' is not an identity key (64 hex characters)"),
        }
    }

    /// `typed` is not a device key.
    pub fn not_a_device_key(&self, typed: &str) -> String {
        match self.lang {
            Lang::Nl => format!("'{typed}' is geen apparaatsleutel"),
            Lang::En => format!("{typed} is not a device key"),
        }
    }

    /// The file is not a claims export.
    pub fn not_a_claims_file(&self, path: impl AsRef<std::path::Path>) -> String {
        let path = path.as_ref().display();
        match self.lang {
            Lang::Nl => format!("{path} is geen bestand met declaraties"),
            Lang::En => format!("{path} is not a claims file"),
        }
    }

    /// The claims file has a format this version does not read.
    pub fn claims_file_format(&self, path: impl AsRef<std::path::Path>, found: &str, expected: &str) -> String {
        let path = path.as_ref().display();
        match self.lang {
            Lang::Nl => format!("{path} heeft formaat '{found}', en niet {expected}"),
            Lang::En => format!("{path} has format '{found}', not {expected}"),
        }
    }

    /// These claims did not check out.
    pub fn invalid_claims(&self, ids: &[&str]) -> String {
        let list = ids.join(", ");
        match (self.lang, ids.len()) {
            (Lang::Nl, 1) => format!("ongeldige declaratie: {list}"),
            (Lang::Nl, _) => format!("ongeldige declaraties: {list}"),
            (Lang::En, 1) => format!("invalid claim: {list}"),
            (Lang::En, _) => format!("invalid claims: {list}"),
        }
    }

    /// The old demo could not be removed.
    pub fn cannot_remove_old_demo(&self, path: impl AsRef<std::path::Path>) -> String {
        let path = path.as_ref().display();
        match self.lang {
            Lang::Nl => format!("kan de oude demo in {path} niet verwijderen"),
            Lang::En => format!("cannot remove the old demo in {path}"),
        }
    }

    /// `app --demo` got a role it does not know.
    pub fn unknown_demo_role(&self, role: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "onbekende demorol '{role}': inwoner, begeleider, zorgaanbieder, gemeente, mantelzorger, \
                 vertegenwoordiger of gezin"
            ),
            Lang::En => format!(
                "unknown demo role '{role}': inwoner, begeleider, zorgaanbieder, gemeente, mantelzorger, \
                 vertegenwoordiger or gezin"
            ),
        }
    }

    /// `app --screen` got a screen it does not know.
    pub fn unknown_screen(&self, screen: &str) -> String {
        match self.lang {
            Lang::Nl => format!("onbekend scherm '{screen}'"),
            Lang::En => format!("unknown screen '{screen}'"),
        }
    }

    /// `--relay` is not a URL.
    pub fn not_a_relay_url(&self, typed: &str) -> String {
        match self.lang {
            Lang::Nl => format!("'{typed}' is geen adres (URL) van een tussenstation"),
            Lang::En => format!("'{typed}' is not a relay URL"),
        }
    }

    /// `serve --role` names another role than the vault's.
    pub fn vault_has_another_role(&self, is: &str, asked: &str) -> String {
        match self.lang {
            Lang::Nl => format!("deze kluis is van een {is}, niet van een {asked}"),
            Lang::En => format!("this vault belongs to a {is}, not a {asked}"),
        }
    }

    /// The file is not a policy.
    pub fn not_a_policy(&self, path: impl AsRef<std::path::Path>) -> String {
        let path = path.as_ref().display();
        match self.lang {
            Lang::Nl => format!("{path} is geen geldig beleid"),
            Lang::En => format!("{path} is not a valid policy"),
        }
    }

    /// The file is not an export of a vault.
    pub fn not_an_export(&self, path: impl AsRef<std::path::Path>) -> String {
        let path = path.as_ref().display();
        match self.lang {
            Lang::Nl => format!("{path} is geen export van Inwonercloud"),
            Lang::En => format!("{path} is not an Inwonercloud export"),
        }
    }

    /// `serve` cannot listen on `bind`.
    pub fn cannot_listen(&self, bind: &str) -> String {
        match self.lang {
            Lang::Nl => format!("kan niet luisteren op {bind} (draait er al een `serve`? kies een ander met --bind)"),
            Lang::En => format!("cannot listen on {bind} (is another `serve` running? use --bind)"),
        }
    }

    /// `postbus` cannot start.
    pub fn cannot_start_postbus(&self, bind: &str, dir: impl AsRef<std::path::Path>) -> String {
        let dir = dir.as_ref().display();
        match self.lang {
            Lang::Nl => format!("kan de postbus niet starten op {bind} in {dir}"),
            Lang::En => format!("cannot start the postbus on {bind} in {dir}"),
        }
    }

    /// No pot matches what was typed.
    pub fn no_pot_matches(&self, typed: &str) -> String {
        match self.lang {
            Lang::Nl => format!("geen wijkbudget past bij '{typed}'"),
            Lang::En => format!("no pot matches '{typed}'"),
        }
    }

    /// More than one pot matches what was typed.
    pub fn pot_matches_several(&self, typed: &str) -> String {
        match self.lang {
            Lang::Nl => format!("'{typed}' past bij meer dan één wijkbudget: gebruik het nummer"),
            Lang::En => format!("'{typed}' matches more than one pot: use its id"),
        }
    }

    /// What was typed is no partner of the pot.
    pub fn no_such_partner(&self, typed: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "'{typed}' is geen partner van dit wijkbudget (de gemeente voegt partners toe met \
                 `inwonercloud pot partner add`)"
            ),
            Lang::En => format!(
                "'{typed}' is no partner of this pot (the municipality adds partners with `inwonercloud pot partner add`)"
            ),
        }
    }

    /// More than one partner matches what was typed.
    pub fn partner_matches_several(&self, typed: &str) -> String {
        match self.lang {
            Lang::Nl => format!("'{typed}' past bij meer dan één partner: typ meer van de naam"),
            Lang::En => format!("'{typed}' matches more than one partner: use more of the name"),
        }
    }
}

/// Every method above with sample values (counts of 1 and of 3), for the
/// catalogue's checks; a new method belongs here too.
#[cfg(test)]
pub(crate) fn samples(t: &Texts) -> Vec<(&'static str, String)> {
    let mut all = vec![
        ("give_the_id", t.give_the_id(t.id_mandate)),
        ("no_such_id", t.no_such_id(t.id_request, "ab12")),
        ("id_fits_more_than_one", t.id_fits_more_than_one(t.id_consent, "ab")),
        ("situation_saved", t.situation_saved("Wonen")),
        ("need_added", t.need_added("ab12", "€ 1.200,00")),
        ("member_added", t.member_added("Sanne", "kind", "ab12")),
        ("director_set", t.director_set("Sanne")),
        (
            "informal_agreement_signed",
            t.informal_agreement_signed("Sanne", "ab12", rust_decimal::Decimal::TEN, "€ 20,00", "€ 200,00"),
        ),
        ("commission_signed", t.commission_signed("ab12", "Sanne")),
        ("mandate_given", t.mandate_given("ab12", "Sanne", "mentor", "budget")),
        ("demo_exists", t.demo_exists("/tmp/demo")),
        (
            "demo_built",
            t.demo_built("/tmp/demo", &[(t.demo_citizen, "/tmp/demo/a".into())]),
        ),
        ("released", t.released("€ 20,00", "ab12")),
        ("agreement_cancelled", t.agreement_cancelled("01-03-2026")),
        ("declaration_approved", t.declaration_approved("")),
        ("declaration_disputed", t.declaration_disputed("")),
        ("serving", t.serving("Sanne", "ab12@127.0.0.1:4000")),
        ("trust_inviter_hint", t.trust_inviter_hint("ab12")),
        ("trusted_key", t.trusted_key("ab12", "1234-5678")),
        ("receipt_attached", t.receipt_attached("ab12")),
        ("backup_written", t.backup_written("/tmp/kopie", 2048)),
        ("restored_link_again", t.restored_link_again("/tmp/kluis", "ab12")),
        ("restored_revoke_old", t.restored_revoke_old("ab12")),
        ("vault_created", t.vault_created("/tmp/kluis", "ab12", "cd34")),
        ("pot_created", t.pot_created("Noord", "ab12")),
        ("pot_partner_added", t.pot_partner_added("Buurthuis")),
        ("pot_partner_removed", t.pot_partner_removed("Buurthuis")),
        ("pot_funded", t.pot_funded("€ 500,00", "ab12")),
        ("pot_room_set", t.pot_room_set("Buurthuis", "€ 500,00")),
        (
            "pot_spend_booked",
            t.pot_spend_booked("€ 20,00", "Sanne", "maaltijd", "eten", "ab12"),
        ),
        ("pot_claim_counts", t.pot_claim_counts("ab12")),
        ("pot_room_left", t.pot_room_left("€ 20,00", "€ 500,00")),
        (
            "pot_rebalanced",
            t.pot_rebalanced("€ 20,00", "Buurthuis", "Kerk", "ab12"),
        ),
        ("cannot_read", t.cannot_read("/tmp/x")),
        ("cannot_write", t.cannot_write("/tmp/x")),
        ("cannot_create", t.cannot_create("/tmp/x")),
        ("not_an_identity_key", t.not_an_identity_key("--trust", "zz")),
        ("not_a_device_key", t.not_a_device_key("zz")),
        ("not_a_claims_file", t.not_a_claims_file("/tmp/x")),
        ("claims_file_format", t.claims_file_format("/tmp/x", "x/0", "x/2")),
        ("invalid_claims", t.invalid_claims(&["ab12"])),
        ("invalid_claims", t.invalid_claims(&["ab12", "cd34"])),
        ("cannot_remove_old_demo", t.cannot_remove_old_demo("/tmp/x")),
        ("unknown_demo_role", t.unknown_demo_role("koning")),
        ("unknown_screen", t.unknown_screen("x")),
        ("not_a_relay_url", t.not_a_relay_url("x")),
        (
            "vault_has_another_role",
            t.vault_has_another_role("inwoner", "gemeente"),
        ),
        ("not_a_policy", t.not_a_policy("/tmp/x")),
        ("not_an_export", t.not_an_export("/tmp/x")),
        ("cannot_listen", t.cannot_listen("0.0.0.0:47470")),
        (
            "cannot_start_postbus",
            t.cannot_start_postbus("0.0.0.0:47470", "/tmp/x"),
        ),
        ("no_pot_matches", t.no_pot_matches("noord")),
        ("pot_matches_several", t.pot_matches_several("noord")),
        ("no_such_partner", t.no_such_partner("kerk")),
        ("partner_matches_several", t.partner_matches_several("kerk")),
    ];
    for n in [1, 3] {
        all.extend([
            ("mandate_revoked", t.mandate_revoked(n)),
            ("claims_exported", t.claims_exported(n, n, "/tmp/x.json")),
            ("synced_with", t.synced_with("Sanne", n, n, n)),
            ("spend_booked", t.spend_booked("€ 20,00", "01-03-2026", n, "ab12")),
            ("restored", t.restored("/tmp/kluis", n, n, "ab12", "cd34")),
            ("device_revoked", t.device_revoked("ab12", n)),
            ("exported", t.exported(n, n, "/tmp/x.json")),
            ("schemas_written", t.schemas_written(n, "/tmp/schemas")),
            ("changes_count", t.changes_count(n)),
            ("syncs_failed", t.syncs_failed(n)),
            ("invalid_signatures", t.invalid_signatures(n)),
        ]);
    }
    all
}
