//! Every record type of Inwonercloud, its canonical bytes and its JSON Schema.
//!
//! This crate has no I/O. It fixes *what* is stored and signed; the vault
//! crate decides *how*.
//!
//! # Records and signing
//!
//! Each record type implements [`Record`], which gives it a stable `KIND`
//! name and a `VERSION`. The bytes a device signs are
//! [`signed::signing_bytes`]: a domain tag, the signing time, and
//! [`canonical_bytes`] — the kind, the version and the record's JSON. The JSON
//! is canonical because every record is a struct (fields in declaration
//! order), collections are `Vec` or `BTreeMap`, and amounts are
//! [`rust_decimal::Decimal`] strings that keep their scale; parsing and
//! re-serializing gives the same bytes. Records reject unknown fields, so a
//! field added by a forger is an error, not silently ignored.
//!
//! # Money
//!
//! Amounts are exact decimals: euros with at most two decimals, hours, or
//! points ([`Unit`]). [`parse_amount`] reads what people type, with the Dutch
//! decimal comma or the point; [`format_euros`] writes `€ 1.234,56`.
//!
//! # Catalogue
//!
//! [`Catalogue::shipped`] is an example list of pgb categories with example
//! tariffs, loaded from `data/pgb-categories.json`; a municipality replaces it.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod budget;
pub mod catalogue;
pub mod consent;
pub mod date;
pub mod directory;
pub mod document;
pub mod keys;
pub mod mandate;
pub mod market;
pub mod money;
pub mod plan;
pub mod policy;
pub mod postbus;
pub mod pot;
pub mod profile;
pub mod receipt;
pub mod request;
pub mod signed;

pub use budget::{Account, EntryKind, FundingStream, LedgerEntry, MAX_ENTRY_AMOUNT, Transfer, TransferAcceptance};
pub use catalogue::{Catalogue, Category};
pub use consent::{Access, Consent, Revocation, Role};
pub use date::Date;
pub use directory::ProviderAdmission;
pub use document::{
    Clock, DocKind, DocumentHeader, RevokedWriter, Succession, WriterGrant, clock_includes, clock_join,
};
pub use keys::{Hash32, PublicKey, SignatureBytes};
pub use mandate::{
    Capacity, Commission, CommissionOutcome, CommissionResult, CommissionTask, Mandate, MandateAction,
    MandateRevocation,
};
pub use market::{
    AgreedService, Agreement, AgreementCancellation, AgreementSignature, Approval, Declaration, Offering,
    ProviderDetails, ServiceUnit, Verdict,
};
pub use money::{Lang, Quantity, Unit, format_amount, format_euros, format_quantity, parse_amount, parse_euros};
pub use plan::{
    Director, DomainSituation, Goal, GoalStatus, HouseholdMember, LifeDomain, MemberKind, MemberRef, Need, Period,
    PlanHeader, TimeCost,
};
pub use policy::{AllocationRule, PointsArrangement, PointsValue, Policy};
pub use postbus::{PostbusRoster, RosterMember};
pub use pot::{DeclarationRef, OrgRoom, PotFunding, PotInfo, PotPartner, PotRebalance, PotSpend, SupportKind};
pub use profile::{JournalNote, Profile};
pub use receipt::{Attachment, Receipt};
pub use request::{AssessmentStep, BudgetRequest, Decision, Outcome, StepKind, StreamShare, split_by_shares};
pub use signed::{CertifiedDevice, DeviceCertificate, Signed};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Errors from parsing and validating records.
///
/// Not `#[non_exhaustive]`: the app renders every variant in Dutch and
/// English (`app/src/i18n/error_text.rs`) with a match that has no `_` arm, so a
/// new variant without a text there does not compile.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum SchemaError {
    /// Not an amount.
    #[error("'{input}' is not an amount: {why} (examples: 12,50 or 12.50)")]
    BadAmount {
        /// What was typed.
        input: String,
        /// Why it was refused.
        why: &'static str,
    },
    /// Too many decimals for the unit.
    #[error("{amount} has too many decimals: at most {max} decimals are allowed")]
    TooManyDecimals {
        /// The amount.
        amount: String,
        /// Allowed decimals.
        max: u32,
    },
    /// Not a date.
    #[error("'{0}' is not a date: write it as 2026-03-31 or 31-3-2026")]
    BadDate(String),
    /// Not hex of the right length.
    #[error("'{got}' is not {what}: expected {expected_len} hex characters")]
    BadHex {
        /// What was expected.
        what: &'static str,
        /// Hex characters expected.
        expected_len: usize,
        /// What was given.
        got: String,
    },
    /// Wrong byte length.
    #[error("{what}: expected {expected} bytes, got {got}")]
    BadLength {
        /// What was expected.
        what: &'static str,
        /// Bytes expected.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
    /// Unknown unit.
    #[error("unknown unit '{0}': use euro, uren or punten")]
    BadUnit(String),
    /// Unknown period.
    #[error("unknown period '{0}': use week, maand or jaar")]
    BadPeriod(String),
    /// Unknown life domain.
    #[error(
        "unknown life domain '{0}': use one of wonen, werk_en_inkomen, financien, gezondheid, zelfzorg, sociaal_netwerk, dagbesteding, opvoeding_jeugd, mobiliteit, veiligheid"
    )]
    UnknownDomain(String),
    /// Unknown funding stream.
    #[error("unknown funding stream '{0}': use wmo, jeugdwet, wlz, zvw, participatiewet or eigen_bijdrage")]
    UnknownStream(String),
    /// Unknown role.
    #[error("unknown role '{0}': use inwoner, begeleider, familie, zorgaanbieder or gemeente")]
    UnknownRole(String),
    /// Malformed JSON.
    #[error("malformed record: {0}")]
    Json(String),
    /// A period ends before it starts.
    #[error("the period ends ({end}) before it starts ({start})")]
    EndsBeforeStart {
        /// First day.
        start: Date,
        /// Last day, before `start`.
        end: Date,
    },
    /// An amount that must be above zero is not.
    #[error("the amount must be above zero, not {0}")]
    NotAboveZero(rust_decimal::Decimal),
    /// A rule of the record is broken.
    #[error("{0}")]
    Invalid(String),
}

/// A record type: a stable kind name and a version that are part of what is signed.
pub trait Record: Serialize + DeserializeOwned + Clone {
    /// Stable name, e.g. `ledger_entry`.
    const KIND: &'static str;
    /// Format version; bumped when the record's fields change.
    const VERSION: u16;
}

/// Canonical bytes of a record: kind, version and canonical JSON.
pub fn canonical_bytes<R: Record>(record: &R) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_canonical(&mut out, record);
    out
}

/// Appends [`canonical_bytes`] to `out` (one buffer, no intermediate copy).
pub fn write_canonical<R: Record>(out: &mut Vec<u8>, record: &R) {
    out.extend_from_slice(R::KIND.as_bytes());
    out.push(0);
    out.extend_from_slice(&R::VERSION.to_be_bytes());
    // Serializing plain structs of strings, decimals and enums cannot fail.
    let _ = serde_json::to_writer(&mut *out, record);
}

/// Parses a record from JSON with a precise error.
pub fn from_json<R: Record>(text: &[u8]) -> Result<R, SchemaError> {
    serde_json::from_slice(text).map_err(|e| SchemaError::Json(format!("{} record: {e}", R::KIND)))
}

/// `(file name, JSON Schema)` for every record type.
pub fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    fn one<T: schemars::JsonSchema>(name: &'static str) -> (&'static str, serde_json::Value) {
        (name, serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default())
    }
    vec![
        one::<Profile>("profile"),
        one::<JournalNote>("journal_note"),
        one::<PlanHeader>("plan_header"),
        one::<DomainSituation>("domain_situation"),
        one::<Goal>("goal"),
        one::<Need>("need"),
        one::<Account>("account"),
        one::<LedgerEntry>("ledger_entry"),
        one::<BudgetRequest>("budget_request"),
        one::<Policy>("policy"),
        one::<Transfer>("transfer"),
        one::<PotInfo>("pot_info"),
        one::<PotPartner>("pot_partner"),
        one::<PotFunding>("pot_funding"),
        one::<OrgRoom>("pot_org_room"),
        one::<PotSpend>("pot_spend"),
        one::<PotRebalance>("pot_rebalance"),
        one::<AgreementSignature>("agreement_signature"),
        one::<AgreementCancellation>("agreement_cancellation"),
        one::<TransferAcceptance>("transfer_acceptance"),
        one::<AssessmentStep>("assessment_step"),
        one::<Decision>("decision"),
        one::<Consent>("consent"),
        one::<Revocation>("revocation"),
        one::<Mandate>("mandate"),
        one::<MandateRevocation>("mandate_revocation"),
        one::<Commission>("commission"),
        one::<CommissionResult>("commission_result"),
        one::<Offering>("offering"),
        one::<ProviderAdmission>("provider_admission"),
        one::<Agreement>("agreement"),
        one::<Declaration>("declaration"),
        one::<Approval>("approval"),
        one::<DeviceCertificate>("device_certificate"),
        one::<CertifiedDevice>("certified_device"),
        one::<Signed<LedgerEntry>>("signed_ledger_entry"),
        one::<DocumentHeader>("document_header"),
        one::<Catalogue>("catalogue"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    #[test]
    fn canonical_bytes_roundtrip_keeps_scale() {
        let e = LedgerEntry {
            id: "e1".into(),
            account: "a".into(),
            kind: EntryKind::TopUp,
            amount: Decimal::from_str("12.50").unwrap(),
            category: None,
            date: "2026-01-05".parse().unwrap(),
            note: "eigen geld".into(),
            reference: None,
        };
        let json = serde_json::to_vec(&e).unwrap();
        let back: LedgerEntry = from_json(&json).unwrap();
        assert_eq!(canonical_bytes(&e), canonical_bytes(&back));
        assert!(String::from_utf8_lossy(&canonical_bytes(&e)).contains("\"12.50\""));
    }

    #[test]
    fn unknown_fields_are_refused() {
        let text = br#"{"name":"A","role":"citizen","municipality":null,"contact":null,"extra":1}"#;
        assert!(from_json::<Profile>(text).is_err());
    }

    #[test]
    fn every_schema_generates() {
        let all = json_schemas();
        assert!(all.len() >= 20);
        for (name, s) in all {
            assert!(s.get("$schema").is_some(), "{name}");
        }
    }
}
