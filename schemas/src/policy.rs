//! A municipality's published policy: its categories with example and
//! maximum tariffs, and the allocation rules its node applies automatically.
//!
//! A policy is public: every peer of the municipality receives it, and a
//! citizen without one uses the shipped example catalogue.

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Catalogue, FundingStream, LifeDomain, Record, SchemaError, Unit};

/// One automatic allocation rule (EigenBudget phase 3). A request matches
/// when every condition that is set holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationRule {
    /// Stable id, quoted in every decision the rule makes.
    pub id: String,
    /// Category code the rule is for.
    pub category: String,
    /// Unit of the request.
    pub unit: Unit,
    /// Funding stream of the request.
    pub stream: FundingStream,
    /// Largest amount one request may ask (in its unit).
    #[serde(default)]
    pub max_amount: Option<Decimal>,
    /// For hours: largest number of hours per week over the request's period.
    #[serde(default)]
    pub max_hours_per_week: Option<Decimal>,
    /// A goal in this life domain must be linked to the request.
    #[serde(default)]
    pub required_domain: Option<LifeDomain>,
    /// What the rule is for, in words (quoted in the decision).
    pub description: String,
}

/// A municipality's policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The municipality's name.
    pub municipality: String,
    /// Categories and tariffs.
    pub catalogue: Catalogue,
    /// Automatic allocation rules, tried in order.
    #[serde(default)]
    pub rules: Vec<AllocationRule>,
    /// Highest hourly tariff an informal carer (family, a neighbour) may be
    /// paid, in euros, whatever the category; none when the policy sets no
    /// such limit. Left out of the record when unset, so policies signed
    /// before the field existed keep their bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informal_max_tariff: Option<Decimal>,
}

impl Record for Policy {
    const KIND: &'static str = "policy";
    const VERSION: u16 = 1;
}

impl Policy {
    /// Parses and checks a policy file: unique rule ids, rules only for
    /// categories the policy lists, positive limits.
    pub fn from_json(text: &str) -> Result<Self, SchemaError> {
        let p: Policy = serde_json::from_str(text).map_err(|e| SchemaError::Json(e.to_string()))?;
        p.validate()?;
        Ok(p)
    }

    /// Checks the policy (see [`from_json`](Self::from_json)).
    pub fn validate(&self) -> Result<(), SchemaError> {
        // Re-run the catalogue's own checks.
        let text = serde_json::to_string(&self.catalogue).map_err(|e| SchemaError::Json(e.to_string()))?;
        Catalogue::from_json(&text)?;
        if let Some(max) = self.informal_max_tariff
            && (max <= Decimal::ZERO || max.scale() > 2)
        {
            return Err(SchemaError::Invalid(format!(
                "informal_max_tariff {max} must be a euro amount above zero"
            )));
        }
        let mut seen = std::collections::BTreeSet::new();
        for r in &self.rules {
            if r.id.trim().is_empty() || !seen.insert(r.id.as_str()) {
                return Err(SchemaError::Invalid(format!(
                    "rule id '{}' is empty or appears twice",
                    r.id
                )));
            }
            if self.catalogue.get(&r.category).is_none() {
                return Err(SchemaError::Invalid(format!(
                    "rule {}: category {} is not in the policy's catalogue",
                    r.id, r.category
                )));
            }
            for (what, v) in [
                ("max_amount", r.max_amount),
                ("max_hours_per_week", r.max_hours_per_week),
            ] {
                if v.is_some_and(|v| v <= Decimal::ZERO) {
                    return Err(SchemaError::Invalid(format!(
                        "rule {}: {what} must be above zero",
                        r.id
                    )));
                }
            }
        }
        Ok(())
    }

    /// An example policy: the shipped catalogue, two rules and an informal
    /// carer's hourly tariff of at most € 25.
    pub fn example(municipality: &str) -> Self {
        Policy {
            municipality: municipality.to_string(),
            catalogue: Catalogue::shipped(),
            informal_max_tariff: Some(Decimal::new(2500, 2)),
            rules: vec![
                AllocationRule {
                    id: "R1-huishoudelijke-hulp".into(),
                    category: "huishoudelijke_hulp".into(),
                    unit: Unit::Hours,
                    stream: FundingStream::Wmo,
                    max_amount: None,
                    max_hours_per_week: Some(Decimal::from(3)),
                    required_domain: Some(LifeDomain::Zelfzorg),
                    description: "Huishoudelijke hulp tot 3 uur per week bij een doel in zelfzorg".into(),
                },
                AllocationRule {
                    id: "R2-vervoer".into(),
                    category: "vervoer_dagbesteding".into(),
                    unit: Unit::Euro,
                    stream: FundingStream::Wmo,
                    max_amount: Some(Decimal::from(1500)),
                    max_hours_per_week: None,
                    required_domain: None,
                    description: "Vervoer naar dagbesteding tot € 1.500 per aanvraag".into(),
                },
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_policy_round_trips_and_bad_rules_are_refused() {
        let p = Policy::example("Gemeente Test");
        let text = serde_json::to_string_pretty(&p).unwrap();
        assert_eq!(Policy::from_json(&text).unwrap(), p);
        let mut bad = p.clone();
        bad.rules[1].id = bad.rules[0].id.clone();
        assert!(bad.validate().unwrap_err().to_string().contains("twice"));
        let mut bad = p.clone();
        bad.rules[0].category = "ruimtevaart".into();
        assert!(bad.validate().unwrap_err().to_string().contains("ruimtevaart"));
        let mut bad = p;
        bad.informal_max_tariff = Some(Decimal::ZERO);
        assert!(bad.validate().unwrap_err().to_string().contains("informal_max_tariff"));
    }

    /// A policy without an informal maximum serialises as before the field
    /// existed (its signature still holds), and an old file still parses.
    #[test]
    fn a_policy_without_an_informal_maximum_keeps_its_bytes() {
        let mut p = Policy::example("Gemeente Test");
        p.informal_max_tariff = None;
        let text = serde_json::to_string(&p).unwrap();
        assert!(!text.contains("informal_max_tariff"), "{text}");
        assert_eq!(Policy::from_json(&text).unwrap(), p);
        let with = serde_json::to_string(&Policy::example("Gemeente Test")).unwrap();
        assert!(with.ends_with(r#","informal_max_tariff":"25.00"}"#), "{with}");
    }
}
