//! Why something a contact sent was refused, in plain Dutch or English, with
//! what the person can do about it. One text per
//! [`Refusal`](inwonercloud_vault::refusal::Refusal) rule, shared by the
//! window's list of refused changes and `inwonercloud rejections`.
//!
//! The `match`es below name every variant and have no `_` arm: a new rule in
//! the vault without a text here does not compile.

use inwonercloud_schemas::{Date, Lang, PublicKey};
use inwonercloud_vault::refusal::{Limit, Refusal, SignatureOn};
use inwonercloud_vault::replica::Rejection;

/// The text of one logged rejection: its typed refusal in `lang`, or, for an
/// entry logged before refusals were typed, the English `why` it holds.
pub fn rejection_text(r: &Rejection, lang: Lang) -> String {
    match &r.refusal {
        Some(refusal) => refusal_text(refusal, lang),
        None => r.why.clone(),
    }
}

/// What was refused and why, in `lang`, ending with what the person can do.
pub fn refusal_text(r: &Refusal, lang: Lang) -> String {
    let nl = lang == Lang::Nl;
    let pick = |n: String, e: String| if nl { n } else { e };
    let key = PublicKey::short;
    match r {
        Refusal::UnknownDevice { device } => pick(
            format!(
                "Er kwam een wijziging van apparaat {}, maar we weten niet van wie dat apparaat is. De wijziging is niet bewaard. \
                 Kent u het apparaat? Vraag de eigenaar dan om opnieuw verbinding met u te maken. Kent u het niet? Dan hoeft u niets te doen.",
                key(device)
            ),
            format!(
                "A change came from device {}, but it is not known whose device that is. The change was not saved. \
                 Do you know the device? Then ask its owner to sync with you again. If not, there is nothing you need to do.",
                key(device)
            ),
        ),
        Refusal::NotAWriter { name, .. } => pick(
            format!(
                "{name} mag dit document niet aanpassen. De wijziging is niet bewaard. \
                 Wilt u dat {name} dit wel mag? Geef dan toestemming onder Delen."
            ),
            format!(
                "{name} may not change this document. The change was not saved. \
                 Do you want {name} to be able to? Then give permission under Sharing."
            ),
        ),
        Refusal::DeviceRevoked { name, device, .. } => pick(
            format!(
                "Apparaat {} van {name} is ingetrokken: het mag niets meer veranderen. De wijziging is niet bewaard. \
                 U hoeft niets te doen. Hoort het apparaat bij u? Gebruik dan een ander apparaat.",
                key(device)
            ),
            format!(
                "Device {} of {name} was revoked: it may not change anything any more. The change was not saved. \
                 There is nothing you need to do. Is the device yours? Then use another device.",
                key(device)
            ),
        ),
        Refusal::RevokedElsewhere { device, .. } => pick(
            format!(
                "Apparaat {} is door de eigenaar ingetrokken: het mag niets meer veranderen. De wijziging is niet bewaard. \
                 U hoeft niets te doen.",
                key(device)
            ),
            format!(
                "Device {} was revoked by its owner: it may not change anything any more. The change was not saved. \
                 There is nothing you need to do.",
                key(device)
            ),
        ),
        Refusal::FromTheFuture { timestamp } => {
            let date = Date::dutch(u64::try_from(*timestamp).unwrap_or(0));
            pick(
                format!(
                    "Een wijziging heeft een datum die meer dan een dag in de toekomst ligt ({date}). Meestal staat de klok \
                     van het andere apparaat verkeerd. De wijziging is niet bewaard. Vraag de afzender om de datum en tijd \
                     van het apparaat goed te zetten en daarna opnieuw verbinding met u te maken."
                ),
                format!(
                    "A change is dated more than a day in the future ({date}). Usually the other device's clock is wrong. \
                     The change was not saved. Ask the sender to set the date and time of the device right and then sync again."
                ),
            )
        }
        Refusal::Undecodable { .. } => pick(
            "Er kwam iets binnen dat geen leesbare wijziging is. Het is niet bewaard. Dit is vaak een fout in het programma \
             van de afzender. Vraag de afzender om een nieuwere versie van Inwonercloud te installeren en opnieuw verbinding met u te maken."
                .into(),
            "Something arrived that is not a readable change. It was not saved. This is often a fault in the sender's program. \
             Ask the sender to update Inwonercloud and sync again."
                .into(),
        ),
        Refusal::ActorNotSigner { .. } => pick(
            "Een wijziging zegt van het ene apparaat te komen, maar een ander apparaat heeft haar ondertekend. Dit kan \
             vervalsing zijn. De wijziging is niet bewaard. U hoeft niets te doen. Gebeurt het vaker bij dezelfde persoon? \
             Stop dan met delen met die persoon."
                .into(),
            "A change says it comes from one device, but another device signed it. This may be forgery. The change was not \
             saved. There is nothing you need to do. Does it keep happening with the same person? Then stop sharing with them."
                .into(),
        ),
        Refusal::BadSignature { on, .. } => {
            let (what_nl, what_en) = match on {
                SignatureOn::Change => ("een wijziging", "a change"),
                SignatureOn::Header => (
                    "de afspraken over wie dit document mag aanpassen",
                    "the rules on who may change this document",
                ),
                SignatureOn::Certificate => (
                    "het bewijs dat een apparaat bij iemand hoort",
                    "the proof that a device belongs to someone",
                ),
            };
            pick(
                format!(
                    "De digitale handtekening op {what_nl} klopt niet: het is onderweg veranderd of nagemaakt. \
                     Het is niet bewaard. U hoeft niets te doen. Gebeurt het vaker? Deel dan alleen met mensen \
                     die u kent, en meld het bij uw contactpersoon."
                ),
                format!(
                    "The digital signature on {what_en} is not right: it was changed on the way or forged. \
                     It was not saved. There is nothing you need to do. Does it keep happening? Then only sync with people \
                     you know, and tell your contact person."
                ),
            )
        }
        Refusal::HeaderNotByOwner { .. } => pick(
            "Iemand die niet de eigenaar is, probeerde te veranderen wie dit document mag aanpassen. Dat mag alleen de \
             eigenaar. Het is niet bewaard. U hoeft niets te doen."
                .into(),
            "Someone who is not the owner tried to change who may change this document. Only the owner may do that. \
             It was not saved. There is nothing you need to do."
                .into(),
        ),
        Refusal::HeaderIdNotOwners { .. } => pick(
            "Er kwam een document binnen waarvan de naam niet bij de eigenaar past. Het is niet bewaard. \
             U hoeft niets te doen."
                .into(),
            "A document arrived whose name does not match its owner. It was not saved. There is nothing you need to do."
                .into(),
        ),
        Refusal::NotAdmitted { .. } => pick(
            "Via een postbus kwam een document van iemand met wie u niets deelt. Het is niet bewaard. U hoeft niets te \
             doen."
                .into(),
            "A document arrived through a postbus from someone you share nothing with. It was not saved. There is \
             nothing you need to do."
                .into(),
        ),
        Refusal::AnotherOwner { .. } => pick(
            "Iemand bood een document aan dat u al heeft, maar met een andere eigenaar. Een document houdt altijd dezelfde \
             eigenaar. Het is niet bewaard. U hoeft niets te doen."
                .into(),
            "Someone offered a document you already have, but with another owner. A document always keeps its owner. \
             It was not saved. There is nothing you need to do."
                .into(),
        ),
        Refusal::HeaderByRevokedDevice { device, .. } => pick(
            format!(
                "Apparaat {} is ingetrokken, maar probeerde nog te veranderen wie dit document mag aanpassen. \
                 Dat is niet bewaard: de afspraken die u al had, blijven gelden. U hoeft niets te doen.",
                key(device)
            ),
            format!(
                "Device {} was revoked, but still tried to change who may change this document. \
                 That was not saved: the rules you already had stay in force. There is nothing you need to do.",
                key(device)
            ),
        ),
        Refusal::RevocationDropped { device, .. } => pick(
            format!(
                "Een nieuwe versie van de afspraken over dit document zou apparaat {} weer toelaten, maar dat apparaat is \
                 ingetrokken. Intrekken is voor altijd, dus deze versie is niet bewaard. U hoeft niets te doen. \
                 Wilt u het apparaat weer gebruiken? Voeg het dan opnieuw toe als nieuw apparaat.",
                key(device)
            ),
            format!(
                "A new version of the rules for this document would let device {} back in, but that device was revoked. \
                 Revoking is for good, so this version was not saved. There is nothing you need to do. \
                 Do you want to use the device again? Then add it again as a new device.",
                key(device)
            ),
        ),
        Refusal::CutOffRaised { device, .. } => pick(
            format!(
                "Een nieuwe versie van de afspraken over dit document zou het ingetrokken apparaat {} meer wijzigingen \
                 laten doen dan eerder was vastgelegd. Dat mag niet, dus deze versie is niet bewaard. U hoeft niets te doen.",
                key(device)
            ),
            format!(
                "A new version of the rules for this document would let the revoked device {} make more changes than \
                 was recorded before. That is not allowed, so this version was not saved. There is nothing you need to do.",
                key(device)
            ),
        ),
        Refusal::OverLimit { limit, value, max } => limit_text(limit, *value, *max, nl),
        Refusal::Equivocation { device, seq, .. } => pick(
            format!(
                "Apparaat {} stuurde twee verschillende wijzigingen met hetzelfde nummer ({seq}). Dat gebeurt als \
                 iemand het apparaat heeft gekopieerd, of als er iets mis is met het apparaat. De tweede wijziging is niet \
                 bewaard. Is het uw apparaat? Trek het dan in onder Apparaten. Is het van iemand anders? Laat het die \
                 persoon weten.",
                key(device)
            ),
            format!(
                "Device {} sent two different changes with the same number ({seq}). That happens when someone copied the \
                 device, or when something is wrong with it. The second change was not saved. Is it your device? Then \
                 revoke it under Devices. Is it someone else's? Then let them know.",
                key(device)
            ),
        ),
        Refusal::LeftOutOnOpen { reason } => {
            let inner = refusal_text(reason, lang);
            pick(
                format!(
                    "Bij het openen van de kluis is een eerder bewaarde wijziging overgeslagen, omdat die volgens de \
                     afspraken van nu niet meer mag. Waarom: {inner}"
                ),
                format!(
                    "When the vault was opened, a change saved earlier was skipped, because the current rules no longer \
                     allow it. Why: {inner}"
                ),
            )
        }
    }
}

/// A limit's text: what went over, by how much, and what to do.
fn limit_text(limit: &Limit, value: u64, max: u64, nl: bool) -> String {
    let pick = |n: String, e: String| if nl { n } else { e };
    match limit {
        Limit::WriterBytesPerDocument { name, .. } => {
            let (value, max) = (size(value), size(max));
            pick(
                format!(
                    "{name} zou {value} in dit document bewaren; per persoon mag dat hoogstens {max} zijn. \
                     De nieuwe wijzigingen van {name} zijn daarom niet bewaard. Wat u al had, blijft staan. \
                     Neem contact op met {name}: misschien gaat er bij hen iets mis."
                ),
                format!(
                    "{name} would keep {value} in this document; per person at most {max} is allowed. \
                     So the new changes of {name} were not saved. What you already had stays. \
                     Contact {name}: something may be going wrong on their side."
                ),
            )
        }
        Limit::DocumentsPerOwner { owner } => pick(
            format!(
                "U bewaart al {value} documenten van dezelfde persoon ({}); meer dan {max} kan niet. \
                 Het nieuwe document is niet bewaard. Denkt u dat dit niet klopt? Neem dan contact op met die persoon.",
                owner.short()
            ),
            format!(
                "You already keep {value} documents of the same person ({}); more than {max} is not possible. \
                 The new document was not saved. Do you think this is wrong? Then contact that person.",
                owner.short()
            ),
        ),
        Limit::DevicesPerIdentity { name, .. } => pick(
            format!(
                "{name} heeft al {value} apparaten bij u; meer dan {max} kan niet. Het nieuwe apparaat is niet toegevoegd. \
                 Vraag {name} om eerst een oud apparaat in te trekken."
            ),
            format!(
                "{name} already has {value} devices with you; more than {max} is not possible. The new device was not added. \
                 Ask {name} to revoke an old device first."
            ),
        ),
        Limit::PendingChanges => pick(
            format!(
                "Er zouden {value} wijzigingen wachten op eerdere wijzigingen die nog niet zijn aangekomen; \
                 meer dan {max} kan niet. De nieuwe zijn niet bewaard. Klik bij Delen op \"Nu bijwerken\": \
                 meestal komen de ontbrekende wijzigingen dan alsnog mee."
            ),
            format!(
                "{value} changes would wait for earlier changes that have not arrived; more than {max} is not possible. \
                 The new ones were not saved. Sync again: the missing changes usually come along then."
            ),
        ),
        Limit::HeaderVersionStep { version, held } => pick(
            format!(
                "Een nieuwe versie van de afspraken over wie dit document mag aanpassen, sprong te ver vooruit \
                 (van versie {held} naar {version}). Dat mag niet, dus deze versie is niet bewaard. U hoeft niets te doen."
            ),
            format!(
                "A new version of the rules on who may change this document jumped too far ahead \
                 (from version {held} to {version}). That is not allowed, so this version was not saved. \
                 There is nothing you need to do."
            ),
        ),
    }
}

/// A number of bytes as a person reads it.
fn size(bytes: u64) -> String {
    const KB: u64 = 1000;
    const MB: u64 = 1000 * KB;
    if bytes >= MB {
        format!("{} MB", bytes / MB)
    } else if bytes >= KB {
        format!("{} kB", bytes / KB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// One refusal of every rule (and every limit, every signed item). A
    /// rule without a text does not compile in `refusal_text`; this list is
    /// for the checks on the texts themselves.
    pub(crate) fn one_of_each() -> Vec<Refusal> {
        let k = PublicKey([9; 32]);
        let limits = [
            Limit::WriterBytesPerDocument {
                name: "Mallory".into(),
                identity: k,
            },
            Limit::DocumentsPerOwner { owner: k },
            Limit::DevicesPerIdentity {
                name: "Mallory".into(),
                identity: k,
            },
            Limit::PendingChanges,
            Limit::HeaderVersionStep { version: 9, held: 1 },
        ];
        let mut all = vec![
            Refusal::UnknownDevice { device: k },
            Refusal::NotAWriter {
                name: "Mallory".into(),
                identity: k,
            },
            Refusal::DeviceRevoked {
                name: "Mallory".into(),
                identity: k,
                device: k,
                cutoff: 1,
                seq: 2,
            },
            Refusal::RevokedElsewhere {
                device: k,
                held: 1,
                seq: 2,
            },
            Refusal::FromTheFuture {
                timestamp: 4_000_000_000,
            },
            Refusal::Undecodable {
                detail: "not hex".into(),
            },
            Refusal::ActorNotSigner {
                actor: "00".into(),
                signer: k,
            },
            Refusal::HeaderNotByOwner { signer: k, owner: k },
            Refusal::HeaderIdNotOwners { id: "x/plan".into() },
            Refusal::AnotherOwner { held: k, offered: k },
            Refusal::NotAdmitted { owner: k },
            Refusal::HeaderByRevokedDevice { version: 2, device: k },
            Refusal::RevocationDropped {
                version: 2,
                held: 1,
                device: k,
                cut_off: 3,
            },
            Refusal::CutOffRaised {
                version: 2,
                held: 1,
                device: k,
                cut_off: 3,
                offered: 4,
            },
            Refusal::Equivocation {
                device: k,
                seq: 5,
                first: "aa".into(),
                second: "bb".into(),
            },
            Refusal::LeftOutOnOpen {
                reason: Box::new(Refusal::UnknownDevice { device: k }),
            },
        ];
        for on in [SignatureOn::Change, SignatureOn::Header, SignatureOn::Certificate] {
            all.push(Refusal::BadSignature {
                on,
                detail: "bad signature on change".into(),
            });
        }
        for limit in limits {
            all.push(Refusal::OverLimit {
                limit,
                value: 30_000,
                max: 20_000,
            });
        }
        all
    }

    /// Which rule a refusal is, by an exhaustive match: a new variant must
    /// be added here to compile, and then to `one_of_each` and the count
    /// below for the test to pass.
    fn rule(r: &Refusal) -> &'static str {
        match r {
            Refusal::UnknownDevice { .. } => "unknown_device",
            Refusal::NotAWriter { .. } => "not_a_writer",
            Refusal::DeviceRevoked { .. } => "device_revoked",
            Refusal::RevokedElsewhere { .. } => "revoked_elsewhere",
            Refusal::FromTheFuture { .. } => "from_the_future",
            Refusal::Undecodable { .. } => "undecodable",
            Refusal::ActorNotSigner { .. } => "actor_not_signer",
            Refusal::BadSignature { .. } => "bad_signature",
            Refusal::HeaderNotByOwner { .. } => "header_not_by_owner",
            Refusal::HeaderIdNotOwners { .. } => "header_id_not_owners",
            Refusal::AnotherOwner { .. } => "another_owner",
            Refusal::NotAdmitted { .. } => "not_admitted",
            Refusal::HeaderByRevokedDevice { .. } => "header_by_revoked_device",
            Refusal::RevocationDropped { .. } => "revocation_dropped",
            Refusal::CutOffRaised { .. } => "cut_off_raised",
            Refusal::OverLimit { .. } => "over_limit",
            Refusal::Equivocation { .. } => "equivocation",
            Refusal::LeftOutOnOpen { .. } => "left_out_on_open",
        }
    }

    #[test]
    fn every_refusal_has_a_dutch_and_an_english_text_that_differ_from_the_log() {
        let all = one_of_each();
        let rules: std::collections::BTreeSet<_> = all.iter().map(rule).collect();
        assert_eq!(rules.len(), 18, "one of each rule: {rules:?}");
        for r in &all {
            let json = serde_json::to_value(r).unwrap();
            assert_eq!(json["rule"], rule(r), "the tag in the log is the rule's name");
            let nl = refusal_text(r, Lang::Nl);
            let en = refusal_text(r, Lang::En);
            assert!(!nl.is_empty() && !en.is_empty());
            assert_ne!(nl, en, "{r:?}");
            assert_ne!(nl, r.to_string(), "the Dutch text is not the log's English: {r:?}");
            // Jargon stays out of the Dutch text.
            for word in ["equivoc", "header", "certifica", "actor", "seq", "hash"] {
                assert!(!nl.to_lowercase().contains(word), "{word} in {nl}");
            }
        }
        let cloned = refusal_text(&all[14], Lang::Nl);
        assert!(
            cloned.contains("gekopieerd") && cloned.contains("Trek het dan in"),
            "{cloned}"
        );
    }

    #[test]
    fn an_entry_without_a_typed_refusal_shows_its_english_why() {
        let mut r = Rejection {
            at: 1,
            doc: "d".into(),
            change: "-".into(),
            from: "p".into(),
            why: "not hex".into(),
            refusal: None,
            equivocating_device: None,
        };
        assert_eq!(rejection_text(&r, Lang::Nl), "not hex");
        r.refusal = Some(Refusal::Undecodable {
            detail: "not hex".into(),
        });
        assert!(rejection_text(&r, Lang::Nl).starts_with("Er kwam iets binnen"));
    }
}
