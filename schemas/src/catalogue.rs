//! The catalogue of pgb categories with example amounts.
//!
//! The shipped list (`data/pgb-categories.json`) holds **examples**, not
//! binding tariffs: a municipality replaces it with its own policy.

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{FundingStream, Lang, SchemaError, ServiceUnit};

/// One pgb category with an example tariff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Stable code, e.g. `begeleiding_individueel`.
    pub code: String,
    /// Dutch name.
    pub name_nl: String,
    /// English name.
    pub name_en: String,
    /// Unit the tariff is per.
    pub unit: ServiceUnit,
    /// Example tariff in euros per unit.
    pub example_tariff: Decimal,
    /// Highest tariff the policy allows, if any.
    pub max_tariff: Option<Decimal>,
    /// Usual funding stream.
    pub stream: FundingStream,
    /// Whether budget in this category may be exchanged.
    pub exchangeable: bool,
    /// Explanation.
    pub note: String,
}

impl Category {
    /// Name in the language.
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Nl => &self.name_nl,
            Lang::En => &self.name_en,
        }
    }
}

/// A catalogue: a list of categories and where it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// Who publishes it, and that its amounts are examples.
    pub source: String,
    /// Whether the amounts are examples rather than binding tariffs.
    pub examples_only: bool,
    /// The categories.
    pub categories: Vec<Category>,
}

const SHIPPED: &str = include_str!("../data/pgb-categories.json");

impl Default for Catalogue {
    /// The shipped example catalogue.
    fn default() -> Self {
        Self::shipped()
    }
}

impl Catalogue {
    /// The shipped example catalogue.
    pub fn shipped() -> Self {
        // The shipped file is checked by a unit test; fall back to empty rather than panic.
        Self::from_json(SHIPPED).unwrap_or(Catalogue {
            source: "leeg".into(),
            examples_only: true,
            categories: vec![],
        })
    }

    /// Parses a catalogue file (a municipality's replacement).
    pub fn from_json(text: &str) -> Result<Self, SchemaError> {
        let c: Catalogue = serde_json::from_str(text).map_err(|e| SchemaError::Json(e.to_string()))?;
        let mut seen = std::collections::BTreeSet::new();
        for cat in &c.categories {
            if !seen.insert(cat.code.as_str()) {
                return Err(SchemaError::Invalid(format!(
                    "category code {} appears twice",
                    cat.code
                )));
            }
            if cat.example_tariff < Decimal::ZERO || cat.example_tariff.scale() > 2 {
                return Err(SchemaError::Invalid(format!(
                    "category {}: example tariff {} must be a non-negative euro amount",
                    cat.code, cat.example_tariff
                )));
            }
        }
        Ok(c)
    }

    /// The category with this code.
    pub fn get(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_catalogue_parses() {
        let c = Catalogue::from_json(SHIPPED).unwrap();
        assert!(c.examples_only);
        assert!(c.categories.len() >= 15, "{}", c.categories.len());
        assert!(c.get("huishoudelijke_hulp").is_some());
    }

    #[test]
    fn duplicate_codes_rejected() {
        let mut c = Catalogue::shipped();
        c.categories.push(c.categories[0].clone());
        let text = serde_json::to_string(&c).unwrap();
        assert!(Catalogue::from_json(&text).unwrap_err().to_string().contains("twice"));
    }
}
