//! A municipality's published policy: its categories with example and
//! maximum tariffs, and the allocation rules its node applies automatically.
//!
//! A policy is public: every peer of the municipality receives it, and a
//! citizen without one uses the shipped example catalogue.

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Catalogue, FundingStream, LifeDomain, Record, SchemaError, ServiceUnit, Unit};

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

/// An arrangement priced in points (seed 003): so many points per service
/// unit of a category, e.g. `dagbesteding` per `dagdeel` = 12 points. An
/// order paid from a points account takes its tariff from here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PointsArrangement {
    /// Category code.
    pub category: String,
    /// The service unit the points are per.
    pub unit: ServiceUnit,
    /// Whole points per service unit.
    pub points: Decimal,
}

/// What one point of a category is worth in euros: the explicit conversion
/// the policy states (used only to show a euro equivalent, never to move
/// points into a euro account).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PointsValue {
    /// Category code.
    pub category: String,
    /// Euros per point.
    pub euros_per_point: Decimal,
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
    /// Arrangements priced in points, per category and service unit. Left
    /// out when empty, so policies signed before points existed keep their bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points_arrangements: Vec<PointsArrangement>,
    /// Euros per point, per category (a stated conversion for reports).
    /// Left out when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points_values: Vec<PointsValue>,
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
        self.validate_points()?;
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
            if r.max_hours_per_week.is_some() && r.unit != Unit::Hours {
                return Err(SchemaError::Invalid(format!(
                    "rule {}: max_hours_per_week is for requests in hours, not {}",
                    r.id,
                    r.unit.label(crate::Lang::En)
                )));
            }
            if let Some(m) = r.max_amount {
                crate::money::check_scale(m, r.unit)?;
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

    /// Checks the points arrangements and values: categories the policy
    /// lists, each (category, unit) and each category's value once, points
    /// whole and above zero, values above zero.
    fn validate_points(&self) -> Result<(), SchemaError> {
        let known = |code: &str, what: &str| {
            if self.catalogue.get(code).is_none() {
                return Err(SchemaError::Invalid(format!(
                    "{what}: category {code} is not in the policy's catalogue"
                )));
            }
            Ok(())
        };
        let mut seen = std::collections::BTreeSet::new();
        for a in &self.points_arrangements {
            let unit = format!("{:?}", a.unit).to_lowercase();
            let what = format!("points arrangement {} per {unit}", a.category);
            known(&a.category, &what)?;
            if !seen.insert((a.category.as_str(), a.unit)) {
                return Err(SchemaError::Invalid(format!("{what} appears twice")));
            }
            if a.points <= Decimal::ZERO || !a.points.fract().is_zero() {
                return Err(SchemaError::Invalid(format!(
                    "{what}: {} points; points are a whole number above zero",
                    a.points
                )));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for v in &self.points_values {
            let what = format!("points value of {}", v.category);
            known(&v.category, &what)?;
            if !seen.insert(v.category.as_str()) {
                return Err(SchemaError::Invalid(format!("{what} appears twice")));
            }
            if v.euros_per_point <= Decimal::ZERO {
                return Err(SchemaError::Invalid(format!(
                    "{what}: {} euros per point must be above zero",
                    v.euros_per_point
                )));
            }
        }
        Ok(())
    }

    /// The points per `unit` of `category`, when the policy prices it in points.
    pub fn points_tariff(&self, category: &str, unit: ServiceUnit) -> Option<Decimal> {
        self.points_arrangements
            .iter()
            .find(|a| a.category == category && a.unit == unit)
            .map(|a| a.points)
    }

    /// Euros per point of `category`, when the policy states a value.
    pub fn euros_per_point(&self, category: &str) -> Option<Decimal> {
        self.points_values
            .iter()
            .find(|v| v.category == category)
            .map(|v| v.euros_per_point)
    }

    /// An example policy: the shipped catalogue, two rules and an informal
    /// carer's hourly tariff of at most € 25.
    pub fn example(municipality: &str) -> Self {
        Policy {
            municipality: municipality.to_string(),
            catalogue: Catalogue::shipped(),
            informal_max_tariff: Some(Decimal::new(2500, 2)),
            points_arrangements: vec![],
            points_values: vec![],
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

    fn with_points() -> Policy {
        let mut p = Policy::example("Gemeente Test");
        p.points_arrangements = vec![PointsArrangement {
            category: "dagbesteding".into(),
            unit: ServiceUnit::Dagdeel,
            points: Decimal::from(12),
        }];
        p.points_values = vec![PointsValue {
            category: "dagbesteding".into(),
            euros_per_point: Decimal::new(450, 2),
        }];
        p
    }

    /// Points arrangements and values round-trip and answer look-ups; a
    /// policy without them keeps its bytes (checked above) and says so.
    #[test]
    fn points_arrangements_round_trip_and_are_looked_up() {
        let p = with_points();
        let text = serde_json::to_string(&p).unwrap();
        assert!(
            text.contains(r#""points_arrangements":[{"category":"dagbesteding","unit":"dagdeel","points":"12"}]"#),
            "{text}"
        );
        assert_eq!(Policy::from_json(&text).unwrap(), p);
        assert_eq!(
            p.points_tariff("dagbesteding", ServiceUnit::Dagdeel),
            Some(Decimal::from(12))
        );
        assert_eq!(p.points_tariff("dagbesteding", ServiceUnit::Uur), None);
        assert_eq!(p.points_tariff("begeleiding_individueel", ServiceUnit::Uur), None);
        assert_eq!(p.euros_per_point("dagbesteding"), Some(Decimal::new(450, 2)));
        assert_eq!(p.euros_per_point("begeleiding_groep"), None);
        let plain = Policy::example("Gemeente Test");
        assert_eq!(plain.points_tariff("dagbesteding", ServiceUnit::Dagdeel), None);
        assert!(!serde_json::to_string(&plain).unwrap().contains("points"));
    }

    /// Each broken points rule is refused with a message naming it.
    #[test]
    fn bad_points_are_refused() {
        let refuse = |p: Policy, needle: &str| {
            let e = p.validate().unwrap_err().to_string();
            assert!(e.contains(needle), "{needle}: {e}");
        };
        let mut p = with_points();
        p.points_arrangements[0].category = "ruimtevaart".into();
        refuse(p, "category ruimtevaart is not in the policy's catalogue");
        let mut p = with_points();
        p.points_arrangements[0].points = Decimal::new(125, 1);
        refuse(p, "whole number");
        let mut p = with_points();
        p.points_arrangements[0].points = Decimal::ZERO;
        refuse(p, "whole number above zero");
        let mut p = with_points();
        p.points_arrangements.push(p.points_arrangements[0].clone());
        refuse(p, "appears twice");
        let mut p = with_points();
        p.points_values[0].euros_per_point = Decimal::new(-1, 0);
        refuse(p, "must be above zero");
        let mut p = with_points();
        p.points_values[0].category = "maanreis".into();
        refuse(p, "maanreis");
        let mut p = with_points();
        p.points_values.push(p.points_values[0].clone());
        refuse(p, "points value of dagbesteding appears twice");
        // A policy file with a points arrangement parses and validates.
        let text = serde_json::to_string_pretty(&with_points()).unwrap();
        assert!(Policy::from_json(&text).is_ok());
    }
}
