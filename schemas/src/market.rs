//! The marketplace: providers' offerings, agreements (*zorgovereenkomst*),
//! declarations of delivered care and the citizen's approvals.

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Date, Hash32, PublicKey, Record, SchemaError};

/// The unit a service is sold in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServiceUnit {
    /// Per hour.
    Uur,
    /// Per half day (dagdeel).
    Dagdeel,
    /// Per 24 hours (etmaal).
    Etmaal,
    /// Per product or item.
    Product,
}

/// Details of a provider as registered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderDetails {
    /// Trade name.
    pub name: String,
    /// Chamber of Commerce number, when known.
    pub kvk: Option<String>,
    /// AGB code, when known.
    pub agb: Option<String>,
}

/// One service a provider offers, with its price.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Offering {
    /// Stable id.
    pub id: String,
    /// The service, in words.
    pub service: String,
    /// pgb category code.
    pub category: String,
    /// Unit sold.
    pub unit: ServiceUnit,
    /// Euros per unit.
    pub price: Decimal,
    /// Region served.
    pub region: String,
    /// Availability, in words.
    pub availability: String,
    /// Short description.
    pub description: String,
    /// Who offers it.
    pub provider: ProviderDetails,
}

impl Record for Offering {
    const KIND: &'static str = "offering";
    const VERSION: u16 = 1;
}

/// One agreed service line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreedService {
    /// The offering it came from.
    pub offering_id: String,
    /// pgb category code.
    pub category: String,
    /// Unit.
    pub unit: ServiceUnit,
    /// Euros per unit.
    pub tariff: Decimal,
    /// Most units over the whole period.
    pub max_units: Decimal,
}

/// A care agreement between one citizen and one provider; signed by both.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    /// Stable id.
    pub id: String,
    /// The citizen's identity.
    pub citizen: PublicKey,
    /// The provider's identity.
    pub provider: PublicKey,
    /// The budget account it is paid from.
    pub account: String,
    /// The services.
    pub services: Vec<AgreedService>,
    /// First day.
    pub period_start: Date,
    /// Last day.
    pub period_end: Date,
}

impl Record for Agreement {
    const KIND: &'static str = "agreement";
    const VERSION: u16 = 1;
}

/// Delivered care declared by the provider (signed by the provider).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    /// Stable id.
    pub id: String,
    /// The agreement.
    pub agreement_id: String,
    /// The offering delivered.
    pub offering_id: String,
    /// pgb category code.
    pub category: String,
    /// Units delivered.
    pub units: Decimal,
    /// Euros per unit.
    pub tariff: Decimal,
    /// First day of delivery.
    pub period_start: Date,
    /// Last day of delivery.
    pub period_end: Date,
    /// Free text.
    pub note: String,
}

impl Record for Declaration {
    const KIND: &'static str = "declaration";
    const VERSION: u16 = 1;
}

impl Declaration {
    /// Units × tariff, rounded to the cent; an error (never a panic) when
    /// units or tariff are not above zero or the product overflows.
    pub fn amount(&self) -> Result<Decimal, SchemaError> {
        if self.units <= Decimal::ZERO {
            return Err(SchemaError::Invalid(format!(
                "declaration {}: {} units; units must be above zero",
                self.id, self.units
            )));
        }
        if self.tariff <= Decimal::ZERO {
            return Err(SchemaError::Invalid(format!(
                "declaration {}: tariff {}; a tariff must be above zero",
                self.id, self.tariff
            )));
        }
        self.units
            .checked_mul(self.tariff)
            .map(|a| a.round_dp(2))
            .ok_or_else(|| {
                SchemaError::Invalid(format!(
                    "declaration {}: {} units × {} is too large to be an amount",
                    self.id, self.units, self.tariff
                ))
            })
    }
}

/// The citizen's verdict on a declaration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum Verdict {
    /// Approved: it may be paid.
    Goedgekeurd,
    /// Disputed, with a reason.
    Betwist {
        /// Why.
        reason: String,
    },
}

/// The citizen's signed approval or dispute of one declaration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// Stable id.
    pub id: String,
    /// The declaration.
    pub declaration_id: String,
    /// SHA-256 of the signed declaration's canonical bytes: binds the approval to exactly that content.
    pub declaration_hash: Hash32,
    /// The verdict.
    pub verdict: Verdict,
}

impl Record for Approval {
    const KIND: &'static str = "approval";
    const VERSION: u16 = 1;
}

/// The provider's signature on an agreement the citizen signed: together
/// they make the *zorgovereenkomst* binding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementSignature {
    /// The agreement.
    pub agreement_id: String,
    /// Hash of the citizen's signed agreement, so a changed agreement is not covered.
    pub agreement_hash: Hash32,
}

impl Record for AgreementSignature {
    const KIND: &'static str = "agreement_signature";
    const VERSION: u16 = 1;
}
