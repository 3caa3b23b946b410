//! The marketplace: providers' offerings, agreements (*zorgovereenkomst*),
//! declarations of delivered care and the citizen's approvals.

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Date, Hash32, PublicKey, Record, SchemaError, Unit};

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
    /// Tariff per unit, counted in `tariff_unit`.
    pub tariff: Decimal,
    /// What the tariff counts in: the paying account's unit (euros, or
    /// points or hours at the policy's tariff). Left out of the record when
    /// euros, so agreements signed before units existed keep their bytes.
    #[serde(default, skip_serializing_if = "Unit::is_euro")]
    pub tariff_unit: Unit,
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
    /// Agreed with an informal carer (family, a neighbour) at an informal
    /// tariff, not from a provider's catalogue. Left out of the record when
    /// false, so agreements signed before the field existed keep their bytes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub informal: bool,
    /// The household member the care is for (an integral, household
    /// budget); left out when none, so older agreements keep their bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<crate::MemberRef>,
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
    /// Tariff per unit, counted in `tariff_unit`.
    pub tariff: Decimal,
    /// What the tariff counts in; must be the agreed service's. Left out of
    /// the record when euros, so declarations signed before units existed
    /// keep their bytes.
    #[serde(default, skip_serializing_if = "Unit::is_euro")]
    pub tariff_unit: Unit,
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
    /// Units × tariff in the tariff's unit, rounded to the cent (euros,
    /// hours); an error (never a panic) when units or tariff are not above
    /// zero, the product overflows, or points do not come out whole.
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
        let amount = self.units.checked_mul(self.tariff).ok_or_else(|| {
            SchemaError::Invalid(format!(
                "declaration {}: {} units × {} is too large to be an amount",
                self.id, self.units, self.tariff
            ))
        })?;
        units_times_tariff(amount, self.tariff_unit).map_err(|e| {
            SchemaError::Invalid(format!(
                "declaration {}: {} units × {}: {e}",
                self.id, self.units, self.tariff
            ))
        })
    }
}

/// A product of units and tariff as an amount in `unit`: euros and hours
/// rounded to two decimals (as every euro amount always was); points must
/// come out whole, since a points account holds whole points only.
pub fn units_times_tariff(product: Decimal, unit: Unit) -> Result<Decimal, SchemaError> {
    match unit {
        Unit::Points if !product.fract().is_zero() => Err(SchemaError::Invalid(format!(
            "{} points is not a whole number of points",
            product.normalize()
        ))),
        Unit::Points => Ok(product.trunc()),
        Unit::Euro | Unit::Hours => Ok(product.round_dp(2)),
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

/// One party's signed notice that ends an agreement early (*opzegging*):
/// the citizen or the provider may sign it. Care up to and including
/// `last_day` may still be declared; the reservation's unused part is freed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementCancellation {
    /// The agreement.
    pub agreement_id: String,
    /// Hash of the citizen's signed agreement, so the notice names exactly that agreement.
    pub agreement_hash: Hash32,
    /// The last day care is given under the agreement.
    pub last_day: Date,
    /// Why, in words.
    pub reason: String,
}

impl Record for AgreementCancellation {
    const KIND: &'static str = "agreement_cancellation";
    const VERSION: u16 = 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agreement(informal: bool) -> Agreement {
        Agreement {
            id: "a1".into(),
            citizen: PublicKey([1; 32]),
            provider: PublicKey([2; 32]),
            account: "acc".into(),
            services: vec![AgreedService {
                offering_id: "o1".into(),
                category: "begeleiding_individueel".into(),
                unit: ServiceUnit::Uur,
                tariff: Decimal::new(6400, 2),
                tariff_unit: Unit::Euro,
                max_units: Decimal::from(16),
            }],
            period_start: Date::new(2026, 11, 1).unwrap(),
            period_end: Date::new(2026, 12, 31).unwrap(),
            informal,
            member: None,
        }
    }

    /// The canonical JSON of an agreement as signed before `informal`
    /// existed: a professional agreement must still give exactly these
    /// bytes, or every old signature on one would stop verifying.
    const BEFORE: &str = concat!(
        r#"{"id":"a1","citizen":"0101010101010101010101010101010101010101010101010101010101010101","#,
        r#""provider":"0202020202020202020202020202020202020202020202020202020202020202","account":"acc","#,
        r#""services":[{"offering_id":"o1","category":"begeleiding_individueel","unit":"uur","#,
        r#""tariff":"64.00","max_units":"16"}],"period_start":"2026-11-01","period_end":"2026-12-31"}"#
    );

    #[test]
    fn a_professional_agreement_keeps_the_bytes_it_was_signed_with() {
        let mut expected = b"agreement\0".to_vec();
        expected.extend_from_slice(&1u16.to_be_bytes());
        expected.extend_from_slice(BEFORE.as_bytes());
        assert_eq!(crate::canonical_bytes(&agreement(false)), expected);
        // An old record (no field) reads as a professional agreement.
        let old: Agreement = serde_json::from_str(BEFORE).unwrap();
        assert_eq!(old, agreement(false));
        // An informal one says so, and reads back the same.
        let text = serde_json::to_string(&agreement(true)).unwrap();
        assert!(text.ends_with(r#","informal":true}"#), "{text}");
        assert_eq!(serde_json::from_str::<Agreement>(&text).unwrap(), agreement(true));
    }

    /// A tariff in points says so in the record (and reads back); a euro
    /// tariff leaves the field out (the bytes above). A declaration in
    /// points books whole points only.
    #[test]
    fn a_tariff_in_points_is_recorded_and_books_whole_points() {
        let mut a = agreement(false);
        a.services[0].tariff = Decimal::from(12);
        a.services[0].tariff_unit = Unit::Points;
        let text = serde_json::to_string(&a).unwrap();
        assert!(text.contains(r#""tariff":"12","tariff_unit":"points","#), "{text}");
        assert_eq!(serde_json::from_str::<Agreement>(&text).unwrap(), a);
        let mut d = Declaration {
            id: "d1".into(),
            agreement_id: "a1".into(),
            offering_id: "o1".into(),
            category: "dagbesteding".into(),
            units: Decimal::from(4),
            tariff: Decimal::from(12),
            tariff_unit: Unit::Points,
            period_start: Date::new(2026, 11, 1).unwrap(),
            period_end: Date::new(2026, 11, 30).unwrap(),
            note: String::new(),
        };
        assert_eq!(d.amount().unwrap(), Decimal::from(48));
        d.units = Decimal::new(15, 1);
        assert_eq!(d.amount().unwrap(), Decimal::from(18), "1,5 × 12 is whole");
        d.tariff = Decimal::from(5);
        let e = d.amount().unwrap_err().to_string();
        assert!(e.contains("7.5 points is not a whole number of points"), "{e}");
        // The same in euros rounds to the cent, as always.
        d.tariff_unit = Unit::Euro;
        assert_eq!(d.amount().unwrap(), Decimal::new(750, 2));
        assert!(!serde_json::to_string(&d).unwrap().contains("tariff_unit"));
    }
}
