//! Consents: the citizen's signed statement that a grantee may read or write
//! some documents, for a purpose and a period; and their revocation.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Date, Lang, PublicKey, Record, SchemaError};

/// The role a party plays for the citizen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The citizen (inwoner), owner of the vault.
    Citizen,
    /// Begeleider or regisseur.
    Counselor,
    /// Family member or informal carer (mantelzorger).
    Family,
    /// Care provider (zorgaanbieder).
    Provider,
    /// Municipality (gemeente).
    Municipality,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::Citizen,
        Role::Counselor,
        Role::Family,
        Role::Provider,
        Role::Municipality,
    ];

    /// Dutch or English name.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Role::Citizen, Lang::Nl) => "inwoner",
            (Role::Citizen, Lang::En) => "citizen",
            (Role::Counselor, Lang::Nl) => "begeleider",
            (Role::Counselor, Lang::En) => "counselor",
            (Role::Family, Lang::Nl) => "familie / mantelzorger",
            (Role::Family, Lang::En) => "family / informal carer",
            (Role::Provider, Lang::Nl) => "zorgaanbieder",
            (Role::Provider, Lang::En) => "care provider",
            (Role::Municipality, Lang::Nl) => "gemeente",
            (Role::Municipality, Lang::En) => "municipality",
        }
    }

    /// Whether a party whose own certificate says `certified` may be invited
    /// in this role. Organisations and professionals only in their own role
    /// (a vault made as "gemeente" cannot join as a counselor, nor a
    /// counselor's as the municipality); a private person — a citizen or a
    /// family member — in either of those two, because one person is a
    /// budget holder in her own vault and family in her mother's.
    pub fn invitable_as(certified: Role, invited: Role) -> bool {
        let person = |r: Role| matches!(r, Role::Citizen | Role::Family);
        certified == invited || (person(certified) && person(invited))
    }

    /// Parses Dutch or English role names.
    pub fn parse(s: &str) -> Result<Self, SchemaError> {
        match s.trim().to_lowercase().as_str() {
            "citizen" | "inwoner" => Ok(Role::Citizen),
            "counselor" | "counsellor" | "begeleider" | "regisseur" => Ok(Role::Counselor),
            "family" | "familie" | "mantelzorger" => Ok(Role::Family),
            "provider" | "zorgaanbieder" | "aanbieder" => Ok(Role::Provider),
            "municipality" | "gemeente" => Ok(Role::Municipality),
            _ => Err(SchemaError::UnknownRole(s.to_string())),
        }
    }
}

/// Read or write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// May receive the document.
    Read,
    /// May receive it and write signed changes to it.
    Write,
}

/// A consent signed by the citizen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// Stable id.
    pub id: String,
    /// Who receives access (an identity key).
    pub grantee: PublicKey,
    /// The grantee's name as the citizen knows it.
    pub grantee_name: String,
    /// The grantee's role.
    pub role: Role,
    /// Document ids covered.
    pub documents: Vec<String>,
    /// Read or write.
    pub access: Access,
    /// First day valid.
    pub valid_from: Date,
    /// Last day valid, if limited.
    pub valid_until: Option<Date>,
    /// Why, in words.
    pub purpose: String,
}

impl Record for Consent {
    const KIND: &'static str = "consent";
    const VERSION: u16 = 1;
}

impl Consent {
    /// Whether the consent is in force on `day` (revocations are checked separately).
    pub fn valid_on(&self, day: Date) -> bool {
        day >= self.valid_from && self.valid_until.is_none_or(|u| day <= u)
    }
}

/// Revocation of a consent, signed by the citizen. It stops future sharing and
/// writes; it cannot recall what was already shared.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    /// The consent revoked.
    pub consent_id: String,
    /// Why.
    pub reason: String,
    /// Unix seconds.
    pub at: u64,
}

impl Record for Revocation {
    const KIND: &'static str = "revocation";
    const VERSION: u16 = 1;
}
