//! What went wrong, in plain Dutch or English: one text per
//! [`VaultError`] and [`SchemaError`] variant, for the app's notices, the
//! welcome screen and the command line's error line.
//!
//! The `match`es below name every variant and have no `_` arm (the two
//! enums are not `#[non_exhaustive]` for this reason): a new error in the
//! vault or the schemas without a text here does not compile. Refused
//! changes are rendered by [`super::refusal_text`].
//!
//! Some variants carry a free-text English message (`NotAllowed`,
//! `SchemaError::Invalid`, `Invite`, …). The most frequent of those have a
//! Dutch text in [`KNOWN`]; any other is shown in Dutch as a lead sentence
//! that says what kind of problem it is, followed by the English detail.

use inwonercloud_schemas::{Lang, SchemaError, format_amount};
use inwonercloud_sync::ticket::TicketError;
use inwonercloud_sync::{NodeError, SyncError};
use inwonercloud_vault::VaultError;

use super::refusal_text::refusal_text;

/// What went wrong in a vault operation, in `lang`.
pub fn error_text(e: &VaultError, lang: Lang) -> String {
    let nl = lang == Lang::Nl;
    let pick = |n: String, e: String| if nl { n } else { e };
    match e {
        VaultError::NotFound(dir) => pick(
            format!("In map {dir} staat geen kluis. Maak er eerst een, of kies de map waar uw kluis staat."),
            e.to_string(),
        ),
        VaultError::AlreadyExists(dir) => pick(
            format!("In map {dir} staat al een kluis. Open die, of kies een andere map."),
            e.to_string(),
        ),
        VaultError::InUse(dir) => pick(
            format!("Een ander programma heeft de kluis in map {dir} open. Sluit dat eerst."),
            e.to_string(),
        ),
        VaultError::UnsupportedVersion { found, supported } => pick(
            format!(
                "Deze kluis heeft formaatversie {found}; dit programma leest tot en met versie {supported}. \
                 Werk Inwonercloud bij."
            ),
            e.to_string(),
        ),
        VaultError::OldFormat { found } => pick(
            format!(
                "Deze kluis komt van een oudere versie van Inwonercloud (formaat {found}). Deze versie kan \
                 de handtekeningen daarin niet vertrouwen. Begin een nieuwe kluis; de oudere versie opent \
                 deze kluis nog, om op te zoeken wat u nodig hebt."
            ),
            e.to_string(),
        ),
        VaultError::WrongPassphrase => pick(
            "Verkeerd wachtwoord: met dit wachtwoord gaat de kluis niet open. Er veranderde niets. Probeer het opnieuw."
                .into(),
            e.to_string(),
        ),
        VaultError::WeakPassphrase(min) => pick(
            format!(
                "Het wachtwoord heeft te weinig tekens: gebruik er minstens {min}, bijvoorbeeld vier losse woorden."
            ),
            e.to_string(),
        ),
        VaultError::PassphraseNeeded => pick(
            "Deze kluis zit op slot: geef het wachtwoord (de app vraagt erom; scripts zetten INWONERCLOUD_PASSPHRASE)."
                .into(),
            e.to_string(),
        ),
        VaultError::TamperedChange { doc, seq, .. } => pick(
            format!(
                "Wijziging {seq} in document {doc} werd beschadigd of aangepast. De kluis werd daarom niet geopend. \
                 Zet de kluis terug vanaf een back-up."
            ),
            e.to_string(),
        ),
        VaultError::Corrupt(detail) => pick(
            format!(
                "De kluis werd beschadigd en daarom niet geopend. Zet de kluis terug vanaf een back-up. \
                 (Technische toelichting: {detail})"
            ),
            e.to_string(),
        ),
        VaultError::BadSignature { what } => pick(
            format!("Een handtekening klopt niet, op: {what}. Er werd niets bewaard."),
            e.to_string(),
        ),
        VaultError::NotAWriter { who, doc } => pick(
            format!("{who} mag document {doc} niet aanpassen."),
            e.to_string(),
        ),
        VaultError::ChangeRefused { refusal, .. } => pick(
            format!("{} Van deze zending werd niets bewaard.", refusal_text(refusal, lang)),
            format!("{} Nothing of this batch was saved.", refusal_text(refusal, lang)),
        ),
        VaultError::Equivocation { .. } => match e.refusal() {
            Some(r) => refusal_text(&r, lang),
            None => pick(
                "Een apparaat stuurde twee verschillende wijzigingen met hetzelfde nummer: misschien werd het \
                 gekopieerd. De tweede werd geweigerd."
                    .into(),
                e.to_string(),
            ),
        },
        VaultError::Invite(detail) => pick(
            known(detail).unwrap_or_else(|| {
                format!("Deze uitnodiging kan niet worden gebruikt. (Toelichting in het Engels: {detail})")
            }),
            e.to_string(),
        ),
        VaultError::BadKey { key, .. } => pick(
            format!("Sleutel {key} kan niet worden gebruikt: kopieer hem opnieuw, in zijn geheel."),
            e.to_string(),
        ),
        VaultError::UnknownDocument(doc) => pick(format!("Document {doc} bestaat hier niet."), e.to_string()),
        VaultError::UnknownRecord { what, id } => pick(
            format!("Er bestaat geen {} met nummer {id}. Controleer het nummer.", record_nl(what)),
            e.to_string(),
        ),
        VaultError::AmbiguousRecord { what, id, docs } => pick(
            format!(
                "Meer dan één {} heeft nummer {id} (in {} documenten); er werd niets gekozen.",
                record_nl(what),
                docs.len()
            ),
            e.to_string(),
        ),
        VaultError::NotAllowed(detail) => pick(
            known(detail)
                .unwrap_or_else(|| format!("Dit mag niet. (Toelichting in het Engels: {detail})")),
            detail_en(detail),
        ),
        VaultError::NotEnoughLeft { needed, left, unit } => pick(
            format!(
                "Hiervoor hebt u {} nodig, maar er staat nog maar {} op de rekening.",
                format_amount(*needed, *unit, Lang::Nl),
                format_amount(*left, *unit, Lang::Nl)
            ),
            format!(
                "This needs {}, more than the {} left in the account.",
                format_amount(*needed, *unit, Lang::En),
                format_amount(*left, *unit, Lang::En)
            ),
        ),
        VaultError::NoTrustRoot => pick(
            "Er werd geen vertrouwde sleutel van de gemeente opgegeven, dus geen enkele declaratie kan als geldig \
             gelden. Geef de identiteitssleutel van de gemeente op, vergeleken met de vingerafdruk die de \
             gemeente toont."
                .into(),
            e.to_string(),
        ),
        VaultError::Input(s) => schema_error_text(s, lang),
        VaultError::Storage(detail) | VaultError::Document(detail) => pick(
            format!(
                "Opslaan of lezen van de kluis lukte niet. Er veranderde niets. (Technische toelichting: {detail})"
            ),
            e.to_string(),
        ),
        VaultError::Database(source) => pick(
            format!(
                "Opslaan of lezen van de kluis lukte niet. Er veranderde niets. (Technische toelichting: {source})"
            ),
            e.to_string(),
        ),
        VaultError::Automerge(source) => pick(
            format!(
                "Een document in de kluis kon niet worden gelezen of bijgewerkt. (Technische toelichting: {source})"
            ),
            e.to_string(),
        ),
        VaultError::Mail(detail) => pick(
            format!("Post voor de postbus kon niet worden verzegeld of gelezen. (Technische toelichting: {detail})"),
            e.to_string(),
        ),
        VaultError::BadPostbusAddr { given, .. } => pick(
            format!(
                "'{given}' lijkt geen postbusadres. Schrijf het als ENDPOINT_ID@IP:POORT, zoals de postbus het \
                 toonde."
            ),
            e.to_string(),
        ),
        VaultError::Io { path, source } => pick(
            format!("Bestand {path} kon niet worden gelezen of geschreven ({}).", io_nl(source)),
            e.to_string(),
        ),
    }
}

/// What is wrong with typed input or a record, in `lang`.
pub fn schema_error_text(e: &SchemaError, lang: Lang) -> String {
    let nl = lang == Lang::Nl;
    let pick = |n: String, e: String| if nl { n } else { e };
    match e {
        SchemaError::BadAmount { input, why } => pick(
            format!(
                "'{input}' lijkt geen bedrag: {}. Schrijf het bijvoorbeeld als 12,50.",
                amount_why_nl(why)
            ),
            e.to_string(),
        ),
        SchemaError::TooManyDecimals { amount, max } => pick(
            match max {
                0 => format!("{amount} heeft decimalen, maar hier kunnen alleen hele getallen."),
                1 => format!("{amount} heeft te veel cijfers achter de komma: hier kan er hoogstens 1."),
                _ => format!("{amount} heeft te veel cijfers achter de komma: hier kunnen er hoogstens {max}."),
            },
            e.to_string(),
        ),
        SchemaError::BadDate(input) => pick(
            format!("'{input}' lijkt geen datum: schrijf hem als 31-3-2026 (dag-maand-jaar)."),
            e.to_string(),
        ),
        SchemaError::BadHex { got, expected_len, .. } => pick(
            format!(
                "'{got}' lijkt geen sleutel of nummer van de goede vorm: verwacht werden {expected_len} tekens \
                 0-9 en a-f. Kopieer het opnieuw, in zijn geheel."
            ),
            e.to_string(),
        ),
        SchemaError::BadLength { expected, got, .. } => pick(
            format!("Verwacht werden {expected} bytes, maar het waren er {got}."),
            e.to_string(),
        ),
        SchemaError::BadUnit(u) => pick(
            format!("Onbekende eenheid '{u}': kies euro, uren of punten."),
            e.to_string(),
        ),
        SchemaError::BadPeriod(p) => pick(
            format!("Onbekende periode '{p}': kies week, maand of jaar."),
            e.to_string(),
        ),
        SchemaError::UnknownDomain(d) => pick(
            format!(
                "Onbekend levensdomein '{d}': kies wonen, werk_en_inkomen, financien, gezondheid, zelfzorg, \
                 sociaal_netwerk, dagbesteding, opvoeding_jeugd, mobiliteit of veiligheid."
            ),
            e.to_string(),
        ),
        SchemaError::UnknownStream(s) => pick(
            format!("Onbekende geldstroom '{s}': kies wmo, jeugdwet, wlz, zvw, participatiewet of eigen_bijdrage."),
            e.to_string(),
        ),
        SchemaError::UnknownRole(r) => pick(
            format!("Onbekende rol '{r}': kies inwoner, begeleider, familie, zorgaanbieder of gemeente."),
            e.to_string(),
        ),
        SchemaError::Json(detail) => pick(
            format!("Dit gegeven kon niet worden gelezen. (Technische toelichting: {detail})"),
            e.to_string(),
        ),
        SchemaError::EndsBeforeStart { start, end } => pick(
            format!(
                "De periode eindigt ({}) voordat hij begint ({}). Kies een einddatum op of na de begindatum.",
                end.show(Lang::Nl),
                start.show(Lang::Nl)
            ),
            format!(
                "The period ends ({}) before it starts ({}). Choose an end date on or after the start date.",
                end.show(Lang::En),
                start.show(Lang::En)
            ),
        ),
        SchemaError::NotAboveZero(amount) => pick(
            format!("Vul een bedrag boven nul in (u vulde {amount} in)."),
            e.to_string(),
        ),
        SchemaError::Invalid(detail) => pick(
            known(detail).unwrap_or_else(|| format!("Deze invoer klopt niet. (Toelichting in het Engels: {detail})")),
            detail_en(detail),
        ),
    }
}

/// Why a pasted invite ticket cannot be read, in `lang`.
pub fn ticket_error_text(e: &TicketError, lang: Lang) -> String {
    match (e, lang) {
        (TicketError::Prefix, Lang::Nl) => {
            "Dit lijkt geen uitnodiging van Inwonercloud: een uitnodiging begint met 'inwonercloud'. \
             Kopieer de hele tekst opnieuw."
                .into()
        }
        (TicketError::Damaged(_), Lang::Nl) => {
            "Deze uitnodiging werd beschadigd of maar half gekopieerd. Kopieer de hele tekst opnieuw.".into()
        }
        (_, Lang::En) => e.to_string(),
    }
}

/// An error of the command line (or of the app's background work) in
/// `lang`: the first [`VaultError`], [`SchemaError`] or [`TicketError`] in
/// its chain rendered by the functions above, else its own text.
pub fn anyhow_text(e: &anyhow::Error, lang: Lang) -> String {
    for cause in e.chain() {
        if let Some(v) = cause.downcast_ref::<VaultError>() {
            return error_text(v, lang);
        }
        if let Some(s) = cause.downcast_ref::<SchemaError>() {
            return schema_error_text(s, lang);
        }
        if let Some(t) = cause.downcast_ref::<TicketError>() {
            return ticket_error_text(t, lang);
        }
        let wrapped = match cause.downcast_ref::<NodeError>() {
            Some(NodeError::Vault(v) | NodeError::Sync(SyncError::Vault(v))) => Some(v),
            _ => match cause.downcast_ref::<SyncError>() {
                Some(SyncError::Vault(v)) => Some(v),
                _ => None,
            },
        };
        if let Some(v) = wrapped {
            return error_text(v, lang);
        }
        if lang == Lang::Nl && (cause.is::<NodeError>() || cause.is::<SyncError>()) {
            return format!("Verbinden of bijwerken lukte niet. (Technische toelichting: {e:#})");
        }
    }
    format!("{e:#}")
}

/// A free-text English message as an English sentence (capital, full stop).
fn detail_en(detail: &str) -> String {
    let mut c = detail.chars();
    let mut s: String = match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    };
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}

/// The Dutch name of a record kind named in [`VaultError::UnknownRecord`].
fn record_nl(what: &str) -> &str {
    match what {
        "account" => "rekening",
        "admission" => "toelating",
        "agreement" => "afspraak",
        "consent" => "toestemming",
        "declaration" => "declaratie",
        "goal" => "doel",
        "household member" => "gezinslid",
        "ledger entry" => "boeking",
        "mandate" => "machtiging",
        "offering" => "aanbod",
        "request" => "aanvraag",
        "reservation" => "reservering",
        "transfer" => "overboeking",
        _ => "gegeven",
    }
}

/// The Dutch reason a typed amount was refused (see `parse_amount`).
fn amount_why_nl(why: &str) -> &'static str {
    match why {
        "it is empty" => "er staat niets",
        "only digits, one decimal separator and a sign are allowed" => {
            "gebruik alleen cijfers, één komma en eventueel een min-teken"
        }
        "the sign must come first" => "het min-teken hoort vooraan",
        "misplaced thousands separator" => "de punt voor duizendtallen staat op een verkeerde plek",
        _ => "dit kan niet als bedrag worden gelezen",
    }
}

/// A plain Dutch cause of a file error.
fn io_nl(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "het bestand of de map bestaat niet",
        ErrorKind::PermissionDenied => "u hebt er geen toegang toe",
        ErrorKind::AlreadyExists => "er staat al iets met die naam",
        _ => "de computer gaf een fout",
    }
}

/// The most frequent free-text messages of the vault and the schemas, with
/// their Dutch text. A `{}` in the English pattern matches any text; the
/// Dutch text puts the matched parts where it says `{0}`, `{1}`, ….
pub const KNOWN: &[(&str, &str)] = &[
    // Who may do what.
    (
        "only a budget holder can request budget",
        "Alleen een budgethouder kan budget aanvragen.",
    ),
    (
        "only a budget holder can transfer budget",
        "Alleen een budgethouder kan budget overboeken.",
    ),
    (
        "only a budget holder gives mandates",
        "Alleen een budgethouder geeft machtigingen.",
    ),
    (
        "only the budget holder can do this",
        "Alleen de budgethouder mag dit doen.",
    ),
    (
        "only the budget holder can record this",
        "Alleen de budgethouder mag dit vastleggen.",
    ),
    (
        "only a care provider publishes offerings",
        "Alleen een zorgaanbieder kan aanbod publiceren.",
    ),
    (
        "only a municipality publishes a policy",
        "Alleen een gemeente kan beleid publiceren.",
    ),
    (
        "only a municipality admits providers to its market",
        "Alleen een gemeente laat zorgaanbieders toe tot haar markt.",
    ),
    (
        "only the municipality can do this: the budget holder has not given you the municipality's role",
        "Alleen de gemeente mag dit doen: de budgethouder gaf u de rol van gemeente niet.",
    ),
    (
        "only the municipality can decide: the budget holder has not given you the municipality's role",
        "Alleen de gemeente mag besluiten: de budgethouder gaf u de rol van gemeente niet.",
    ),
    (
        "only the first device, which holds the identity key, can add devices",
        "Alleen het eerste apparaat (met de identiteitssleutel) kan apparaten toevoegen.",
    ),
    (
        "only the first device, which holds the identity key, can revoke devices",
        "Alleen het eerste apparaat (met de identiteitssleutel) kan apparaten intrekken.",
    ),
    (
        "only the first device, which holds the identity key, has the recovery phrase",
        "Alleen het eerste apparaat (met de identiteitssleutel) heeft de herstelzin.",
    ),
    (
        "this device cannot revoke itself",
        "Dit apparaat kan zichzelf niet intrekken.",
    ),
    (
        "this device already belongs to an identity",
        "Dit apparaat hoort al bij iemand.",
    ),
    (
        "device {} is not one of your devices",
        "Apparaat {0} hoort niet bij uw apparaten.",
    ),
    (
        "only the agreement's provider or informal carer declares",
        "Alleen de zorgaanbieder of mantelzorger van de afspraak kan declareren.",
    ),
    (
        "only the budget holder or the provider of an agreement can cancel it",
        "Alleen de budgethouder of de zorgaanbieder van een afspraak kan die opzeggen.",
    ),
    (
        "you declared this yourself: the budget holder (or another representative) approves or disputes it",
        "U declareerde dit zelf: de budgethouder (of een andere vertegenwoordiger) keurt het goed of af.",
    ),
    (
        "this is your own budget: order or request it yourself",
        "Dit gaat over uw eigen budget: bestel of vraag het zelf aan.",
    ),
    (
        "you cannot be your own informal carer",
        "U kunt niet uw eigen mantelzorger zijn.",
    ),
    (
        "{} is not someone you are connected with: invite them first (family / informal carer)",
        "U hebt nog geen verbinding met {0}: nodig die persoon eerst uit (familie / mantelzorger).",
    ),
    (
        "{} has not joined you as a care provider: invite it in the provider role first",
        "{0} sloot zich nog niet als zorgaanbieder bij u aan: nodig die eerst uit als zorgaanbieder.",
    ),
    (
        "no known peer matches '{}': connect first (invite / join)",
        "Geen bekende contactpersoon past bij '{0}': maak eerst verbinding (uitnodigen / verbinden).",
    ),
    (
        "budget for {} may not be exchanged under the policy",
        "Budget voor {0} mag volgens het beleid niet worden overgedragen.",
    ),
    // Steps that happened already, or in the wrong order.
    (
        "this request is decided already",
        "Over deze aanvraag werd al besloten.",
    ),
    (
        "request {} is decided already: a request is never decided twice",
        "Over aanvraag {0} werd al besloten: een aanvraag krijgt maar één besluit.",
    ),
    (
        "this declaration was judged already",
        "Over deze declaratie werd al geoordeeld.",
    ),
    (
        "this transfer is not addressed to you",
        "Deze overboeking staat niet op uw naam.",
    ),
    (
        "this transfer is accepted already",
        "Deze overboeking werd al geaccepteerd.",
    ),
    (
        "this mandate was revoked already",
        "Deze machtiging werd al ingetrokken.",
    ),
    ("this agreement is not with you", "U hoort niet bij deze afspraak."),
    ("sign the agreement first", "Onderteken eerst de afspraak."),
    (
        "publish a policy first: without one no request can be decided automatically",
        "Publiceer eerst beleid: zonder beleid kan geen aanvraag vanzelf worden beslist.",
    ),
    (
        "human review was asked: a person must decide",
        "Er werd om herbeoordeling gevraagd: een mens beslist.",
    ),
    (
        "human review can be asked only of an automated decision",
        "Herbeoordeling kan alleen bij een automatisch besluit.",
    ),
    (
        "no question is waiting for an answer",
        "Er wacht geen vraag op antwoord.",
    ),
    // Missing or wrong input.
    (
        "say why you dispute the declaration",
        "Schrijf op waarom u de declaratie afwijst.",
    ),
    ("say why the agreement ends", "Schrijf op waarom de afspraak stopt."),
    (
        "say in a few words why you need this (motivation)",
        "Schrijf in een paar woorden waarom u dit nodig hebt.",
    ),
    (
        "give the reasons for the decision",
        "Schrijf de redenen voor het besluit op.",
    ),
    ("the question is empty", "Schrijf eerst een vraag."),
    ("the answer is empty", "Schrijf eerst een antwoord."),
    ("the note is empty", "Schrijf eerst een notitie."),
    ("a pot needs a name", "Geef het wijkbudget een naam."),
    ("choose a category", "Kies een categorie."),
    ("order at least some units", "Bestel minstens één eenheid."),
    ("declare at least some units", "Declareer minstens één eenheid."),
    (
        "the price is a euro amount above zero",
        "De prijs hoort een bedrag in euro boven nul te zijn.",
    ),
    (
        "the tariff is a euro amount per hour above zero",
        "Het tarief hoort een bedrag in euro per uur boven nul te zijn.",
    ),
    (
        "a transfer is a euro amount above zero",
        "Een overboeking hoort een bedrag in euro boven nul te zijn.",
    ),
    (
        "ask for an amount above zero (lowering is only for an existing account)",
        "Vraag een bedrag boven nul aan (verlagen kan alleen bij een bestaande rekening).",
    ),
    ("hours must be more than zero", "Vul een aantal uren boven nul in."),
    (
        "an adjustment of zero changes nothing",
        "Een correctie van nul verandert niets.",
    ),
    (
        "the adjustment must be in the account's unit",
        "Geef de correctie in de eenheid van de rekening.",
    ),
    (
        "the period lies outside the agreement",
        "De periode valt buiten de afspraak.",
    ),
    ("the agreement has no service", "Er staat geen dienst in de afspraak."),
    (
        "an offering needs a service and a category",
        "Een aanbod heeft een dienst en een categorie nodig.",
    ),
    (
        "unknown category {}: choose one from the catalogue",
        "Onbekende categorie {0}: kies er een uit de catalogus.",
    ),
    (
        "category {} is not in the catalogue in force",
        "Categorie {0} staat niet in de geldende catalogus.",
    ),
    (
        "the household has a member called {} already",
        "Het gezin heeft al een lid met de naam {0}.",
    ),
    (
        "this spend of {} would exceed your room: {} left of {}",
        "Deze uitgave van {0} past niet in uw ruimte: nog {1} over van {2}.",
    ),
    (
        "{} has {} of room left, less than {}",
        "{0} heeft nog {1} ruimte over, minder dan {2}.",
    ),
    (
        "mandate {}: it ends before it starts",
        "Machtiging {0} eindigt voordat hij begint.",
    ),
    (
        "the plan ends ({}) before it starts ({})",
        "Het plan eindigt ({0}) voordat het begint ({1}).",
    ),
    // Backups, recovery and invites.
    (
        "this is not a valid recovery phrase ({}): check every word and the order",
        "Deze herstelzin klopt niet: controleer elk woord en de volgorde.",
    ),
    (
        "this backup was made on a device without the identity key: only its passphrase opens it",
        "Deze back-up komt van een apparaat zonder identiteitssleutel: alleen het wachtwoord van de back-up \
         opent hem.",
    ),
    (
        "this is not an Inwonercloud backup file (or it is truncated)",
        "Dit lijkt geen back-up van Inwonercloud (of het bestand werd maar half opgeslagen).",
    ),
    (
        "this invite ticket is unknown here: ask for a new one",
        "Deze uitnodiging kent dit apparaat niet: vraag om een nieuwe.",
    ),
    (
        "this invite ticket expired on {}: ask for a new one",
        "Deze uitnodiging verliep op {0}: vraag om een nieuwe.",
    ),
    (
        "this invite ticket was already used (by {}): a ticket works once; ask for a new one",
        "Deze uitnodiging werd al gebruikt (door {0}): een uitnodiging werkt één keer; vraag om een nieuwe.",
    ),
];

/// The Dutch text of a known free-text message, if it is in [`KNOWN`].
fn known(detail: &str) -> Option<String> {
    KNOWN.iter().find_map(|(pattern, nl)| {
        let parts = captures(pattern, detail)?;
        let mut out = (*nl).to_string();
        for (i, part) in parts.iter().enumerate() {
            out = out.replace(&format!("{{{i}}}"), part);
        }
        Some(out)
    })
}

/// The texts that fill the `{}` holes of `pattern` to make `text`, or
/// `None` when `text` does not have the pattern's shape.
fn captures<'t>(pattern: &str, text: &'t str) -> Option<Vec<&'t str>> {
    let pieces: Vec<&str> = pattern.split("{}").collect();
    let (first, rest) = pieces.split_first()?;
    let mut at = text.strip_prefix(first)?;
    let mut caught = Vec::new();
    for (i, piece) in rest.iter().enumerate() {
        let last = i + 1 == rest.len();
        let end = if last {
            if !at.ends_with(piece) {
                return None;
            }
            at.len() - piece.len()
        } else if piece.is_empty() {
            return None;
        } else {
            at.find(piece)?
        };
        caught.push(&at[..end]);
        at = &at[end + piece.len()..];
    }
    // With no holes the text must be the pattern itself.
    (!rest.is_empty() || at.is_empty()).then_some(caught)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use inwonercloud_schemas::{Date, Unit};
    use inwonercloud_vault::refusal::Refusal;
    use rust_decimal::Decimal;

    /// Words that give away an English text. " is " is a Dutch word too
    /// ("het is niet bewaard", in the refusal texts): only the texts of this
    /// file are held to avoiding it (see [`assert_dutch`]).
    const ENGLISH: [&str; 8] = [
        "the ", " not ", "must", "cannot", "too many", " has ", " you", " should ",
    ];

    fn assert_dutch(nl: &str, en: &str, what: &str) {
        assert!(!nl.trim().is_empty(), "{what}: empty");
        assert_ne!(nl, en, "{what}: the Dutch text equals the English one");
        let lower = nl.to_lowercase();
        for word in ENGLISH {
            assert!(!lower.contains(word), "{what}: English '{word}' in {nl}");
        }
        // The texts written here avoid " is " as well (the refusal texts,
        // shared with `refusal_text`, use the Dutch word).
        if !what.starts_with("ChangeRefused") && !what.starts_with("Equivocation") {
            assert!(!lower.contains(" is "), "{what}: ' is ' in {nl}");
        }
    }

    pub(crate) fn one_of_each_schema_error() -> Vec<SchemaError> {
        let all = vec![
            SchemaError::BadAmount {
                input: "12x".into(),
                why: "only digits, one decimal separator and a sign are allowed",
            },
            SchemaError::TooManyDecimals {
                amount: "1.005".into(),
                max: 2,
            },
            SchemaError::BadDate("31-31-2026".into()),
            SchemaError::BadHex {
                what: "a public key",
                expected_len: 64,
                got: "abc".into(),
            },
            SchemaError::BadLength {
                what: "a signature",
                expected: 64,
                got: 3,
            },
            SchemaError::BadUnit("liter".into()),
            SchemaError::BadPeriod("eeuw".into()),
            SchemaError::UnknownDomain("sport".into()),
            SchemaError::UnknownStream("loterij".into()),
            SchemaError::UnknownRole("koning".into()),
            SchemaError::Json("EOF while parsing".into()),
            SchemaError::EndsBeforeStart {
                start: Date::new(2026, 3, 1).unwrap(),
                end: Date::new(2026, 2, 1).unwrap(),
            },
            SchemaError::NotAboveZero(Decimal::ZERO),
            SchemaError::Invalid("the period lies outside the agreement".into()),
        ];
        // An exhaustive match: a new variant fails to compile here, and then
        // belongs in the list above.
        for e in &all {
            match e {
                SchemaError::BadAmount { .. }
                | SchemaError::TooManyDecimals { .. }
                | SchemaError::BadDate(_)
                | SchemaError::BadHex { .. }
                | SchemaError::BadLength { .. }
                | SchemaError::BadUnit(_)
                | SchemaError::BadPeriod(_)
                | SchemaError::UnknownDomain(_)
                | SchemaError::UnknownStream(_)
                | SchemaError::UnknownRole(_)
                | SchemaError::Json(_)
                | SchemaError::EndsBeforeStart { .. }
                | SchemaError::NotAboveZero(_)
                | SchemaError::Invalid(_) => {}
            }
        }
        all
    }

    pub(crate) fn one_of_each_vault_error() -> Vec<VaultError> {
        let all = vec![
            VaultError::NotFound("/tmp/kluis".into()),
            VaultError::AlreadyExists("/tmp/kluis".into()),
            VaultError::InUse("/tmp/kluis".into()),
            VaultError::UnsupportedVersion { found: 9, supported: 8 },
            VaultError::OldFormat { found: 1 },
            VaultError::WrongPassphrase,
            VaultError::WeakPassphrase(12),
            VaultError::PassphraseNeeded,
            VaultError::TamperedChange {
                doc: "budget".into(),
                seq: 3,
                hash: "ab12".into(),
                why: "hash mismatch".into(),
            },
            VaultError::Corrupt("bad key".into()),
            VaultError::BadSignature { what: "ab12".into() },
            VaultError::NotAWriter {
                who: "Sanne".into(),
                doc: "budget".into(),
            },
            VaultError::ChangeRefused {
                doc: "budget".into(),
                hash: "-".into(),
                refusal: Box::new(Refusal::Undecodable { detail: "x".into() }),
            },
            VaultError::Equivocation {
                doc: "budget".into(),
                device: "zz".into(),
                seq: 4,
                first: "a".into(),
                second: "b".into(),
            },
            VaultError::Invite("this invite ticket is unknown here: ask for a new one".into()),
            VaultError::BadKey {
                key: "ab12".into(),
                why: "weak".into(),
            },
            VaultError::UnknownDocument("budget".into()),
            VaultError::UnknownRecord {
                what: "agreement",
                id: "ab12".into(),
            },
            VaultError::AmbiguousRecord {
                what: "agreement",
                id: "ab12".into(),
                docs: vec!["a".into(), "b".into()],
            },
            VaultError::NotAllowed("only a budget holder can request budget".into()),
            VaultError::NotEnoughLeft {
                needed: Decimal::new(1000, 2),
                left: Decimal::new(500, 2),
                unit: Unit::Euro,
            },
            VaultError::NoTrustRoot,
            VaultError::Input(SchemaError::BadDate("morgen".into())),
            VaultError::Storage("disk full".into()),
            VaultError::Mail("sealing failed".into()),
            VaultError::BadPostbusAddr {
                given: "xyz".into(),
                why: "no @".into(),
            },
            VaultError::Database(redb::Error::Corrupted("x".into())),
            VaultError::Document("x".into()),
            VaultError::Automerge(automerge::AutomergeError::Fail),
            VaultError::Io {
                path: "/tmp/x".into(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            },
        ];
        for e in &all {
            match e {
                VaultError::NotFound(_)
                | VaultError::AlreadyExists(_)
                | VaultError::InUse(_)
                | VaultError::UnsupportedVersion { .. }
                | VaultError::OldFormat { .. }
                | VaultError::WrongPassphrase
                | VaultError::WeakPassphrase(_)
                | VaultError::PassphraseNeeded
                | VaultError::TamperedChange { .. }
                | VaultError::Corrupt(_)
                | VaultError::BadSignature { .. }
                | VaultError::NotAWriter { .. }
                | VaultError::ChangeRefused { .. }
                | VaultError::Equivocation { .. }
                | VaultError::Invite(_)
                | VaultError::BadKey { .. }
                | VaultError::UnknownDocument(_)
                | VaultError::UnknownRecord { .. }
                | VaultError::AmbiguousRecord { .. }
                | VaultError::NotAllowed(_)
                | VaultError::NotEnoughLeft { .. }
                | VaultError::NoTrustRoot
                | VaultError::Input(_)
                | VaultError::Storage(_)
                | VaultError::Mail(_)
                | VaultError::BadPostbusAddr { .. }
                | VaultError::Database(_)
                | VaultError::Document(_)
                | VaultError::Automerge(_)
                | VaultError::Io { .. } => {}
            }
        }
        all
    }

    #[test]
    fn every_vault_and_schema_error_has_a_dutch_text_without_english_words() {
        let schema = one_of_each_schema_error();
        assert_eq!(schema.len(), 14);
        for e in &schema {
            let en = schema_error_text(e, Lang::En);
            assert!(!en.is_empty());
            assert_dutch(&schema_error_text(e, Lang::Nl), &en, &format!("{e:?}"));
        }
        let vault = one_of_each_vault_error();
        assert_eq!(vault.len(), 30);
        for e in &vault {
            let en = error_text(e, Lang::En);
            assert!(!en.is_empty());
            assert_dutch(&error_text(e, Lang::Nl), &en, &format!("{e:?}"));
        }
    }

    #[test]
    fn every_known_message_has_a_dutch_text_without_english_words() {
        for (pattern, nl) in KNOWN {
            let filled = pattern.replace("{}", "Sanne");
            let e = VaultError::NotAllowed(filled.clone());
            let text = error_text(&e, Lang::Nl);
            let expected = (0..3).fold(nl.to_string(), |t, i| t.replace(&format!("{{{i}}}"), "Sanne"));
            assert_eq!(text, expected, "{pattern}");
            assert_dutch(&text, &error_text(&e, Lang::En), pattern);
        }
    }

    #[test]
    fn a_typed_amount_error_reads_as_dutch() {
        let e = inwonercloud_schemas::parse_amount("1,005")
            .and_then(|a| inwonercloud_schemas::money::check_scale(a, Unit::Euro).map(|_| a))
            .expect_err("three decimals");
        let nl = schema_error_text(&e, Lang::Nl);
        assert!(nl.contains("te veel cijfers achter de komma"), "{nl}");
    }

    #[test]
    fn an_unknown_message_gets_a_dutch_lead_and_keeps_its_detail() {
        let e = VaultError::NotAllowed("frobnicating is off".into());
        assert_eq!(
            error_text(&e, Lang::Nl),
            "Dit mag niet. (Toelichting in het Engels: frobnicating is off)"
        );
        assert_eq!(error_text(&e, Lang::En), "Frobnicating is off.");
        let e = SchemaError::Invalid("frobnicating is off".into());
        assert!(schema_error_text(&e, Lang::Nl).starts_with("Deze invoer klopt niet."));
    }

    #[test]
    fn the_command_line_finds_the_typed_error_in_the_chain() {
        use anyhow::Context;
        let e = Err::<(), _>(VaultError::WrongPassphrase)
            .context("opening the vault")
            .unwrap_err();
        assert!(anyhow_text(&e, Lang::Nl).starts_with("Verkeerd wachtwoord"));
        let hinted = crate::cli::exit::message(&e, Lang::Nl);
        assert!(hinted.starts_with("Verkeerd wachtwoord"), "{hinted}");
        assert!(crate::cli::exit::message(&e, Lang::En).starts_with("opening the vault: wrong passphrase"));
        let t = anyhow::Error::new("zomaar".parse::<inwonercloud_sync::Ticket>().unwrap_err());
        assert!(anyhow_text(&t, Lang::Nl).contains("uitnodiging"));
    }

    #[test]
    fn captures_fill_the_holes_in_order() {
        assert_eq!(
            captures(
                "{} has {} of room left, less than {}",
                "Buurthuis has € 5 of room left, less than € 9"
            ),
            Some(vec!["Buurthuis", "€ 5", "€ 9"])
        );
        assert_eq!(captures("a {} b", "a x c"), None);
        assert_eq!(captures("exact", "exact"), Some(vec![]));
        assert_eq!(captures("exact", "exactly"), None);
    }
}
