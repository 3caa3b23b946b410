//! The support plan (*ondersteuningsplan*): one plan per household, across
//! life domains, with goals and per need the iPVB triple — what the citizen
//! wishes, what they objectively need, and what that costs in time and money.

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Date, Lang, Record, SchemaError};

/// A life domain of the integral plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LifeDomain {
    /// Wonen — housing.
    Wonen,
    /// Werk en inkomen — work and income.
    WerkEnInkomen,
    /// Financiën — finances and debts.
    Financien,
    /// Gezondheid — physical and mental health.
    Gezondheid,
    /// Zelfzorg — self-care, daily living.
    Zelfzorg,
    /// Sociaal netwerk — social network.
    SociaalNetwerk,
    /// Dagbesteding — daytime activities.
    Dagbesteding,
    /// Opvoeding en jeugd — parenting and youth.
    OpvoedingJeugd,
    /// Mobiliteit — getting around.
    Mobiliteit,
    /// Veiligheid — safety.
    Veiligheid,
}

impl LifeDomain {
    /// Every domain, in display order.
    pub const ALL: [LifeDomain; 10] = [
        LifeDomain::Wonen,
        LifeDomain::WerkEnInkomen,
        LifeDomain::Financien,
        LifeDomain::Gezondheid,
        LifeDomain::Zelfzorg,
        LifeDomain::SociaalNetwerk,
        LifeDomain::Dagbesteding,
        LifeDomain::OpvoedingJeugd,
        LifeDomain::Mobiliteit,
        LifeDomain::Veiligheid,
    ];

    /// The stable machine name (`werk_en_inkomen`).
    pub fn code(self) -> &'static str {
        match self {
            LifeDomain::Wonen => "wonen",
            LifeDomain::WerkEnInkomen => "werk_en_inkomen",
            LifeDomain::Financien => "financien",
            LifeDomain::Gezondheid => "gezondheid",
            LifeDomain::Zelfzorg => "zelfzorg",
            LifeDomain::SociaalNetwerk => "sociaal_netwerk",
            LifeDomain::Dagbesteding => "dagbesteding",
            LifeDomain::OpvoedingJeugd => "opvoeding_jeugd",
            LifeDomain::Mobiliteit => "mobiliteit",
            LifeDomain::Veiligheid => "veiligheid",
        }
    }

    /// The name people read.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (LifeDomain::Wonen, Lang::Nl) => "Wonen",
            (LifeDomain::Wonen, Lang::En) => "Housing",
            (LifeDomain::WerkEnInkomen, Lang::Nl) => "Werk en inkomen",
            (LifeDomain::WerkEnInkomen, Lang::En) => "Work and income",
            (LifeDomain::Financien, Lang::Nl) => "Financiën",
            (LifeDomain::Financien, Lang::En) => "Finances",
            (LifeDomain::Gezondheid, Lang::Nl) => "Gezondheid",
            (LifeDomain::Gezondheid, Lang::En) => "Health",
            (LifeDomain::Zelfzorg, Lang::Nl) => "Zelfzorg",
            (LifeDomain::Zelfzorg, Lang::En) => "Self-care",
            (LifeDomain::SociaalNetwerk, Lang::Nl) => "Sociaal netwerk",
            (LifeDomain::SociaalNetwerk, Lang::En) => "Social network",
            (LifeDomain::Dagbesteding, Lang::Nl) => "Dagbesteding",
            (LifeDomain::Dagbesteding, Lang::En) => "Daytime activities",
            (LifeDomain::OpvoedingJeugd, Lang::Nl) => "Opvoeding en jeugd",
            (LifeDomain::OpvoedingJeugd, Lang::En) => "Parenting and youth",
            (LifeDomain::Mobiliteit, Lang::Nl) => "Mobiliteit",
            (LifeDomain::Mobiliteit, Lang::En) => "Mobility",
            (LifeDomain::Veiligheid, Lang::Nl) => "Veiligheid",
            (LifeDomain::Veiligheid, Lang::En) => "Safety",
        }
    }

    /// Parses a code or a Dutch/English label, case-insensitively.
    pub fn parse(s: &str) -> Result<Self, SchemaError> {
        let t = s.trim().to_lowercase().replace([' ', '-'], "_");
        LifeDomain::ALL
            .into_iter()
            .find(|d| {
                d.code() == t
                    || d.label(Lang::Nl).to_lowercase().replace(' ', "_") == t
                    || d.label(Lang::En).to_lowercase().replace(' ', "_") == t
                    || (t == "financien" && *d == LifeDomain::Financien)
            })
            .ok_or_else(|| SchemaError::UnknownDomain(s.to_string()))
    }
}

/// The plan's header: title and validity period (an i-pgb plan runs long).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanHeader {
    /// Title, e.g. "Ondersteuningsplan familie De Vries".
    pub title: String,
    /// First day the plan applies.
    pub valid_from: Option<Date>,
    /// Last day the plan applies.
    pub valid_until: Option<Date>,
}

impl Record for PlanHeader {
    const KIND: &'static str = "plan_header";
    const VERSION: u16 = 1;
}

/// The citizen's description of one life domain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainSituation {
    /// The domain.
    pub domain: LifeDomain,
    /// The situation in the citizen's own words.
    pub situation: String,
}

impl Record for DomainSituation {
    const KIND: &'static str = "domain_situation";
    const VERSION: u16 = 1;
}

/// Where a goal stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    /// Being worked on.
    Actief,
    /// Reached.
    Bereikt,
    /// Stopped.
    Gestopt,
}

impl GoalStatus {
    /// The status in words, lower case, for the app and the command line.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (GoalStatus::Actief, Lang::Nl) => "actief",
            (GoalStatus::Actief, Lang::En) => "active",
            (GoalStatus::Bereikt, Lang::Nl) => "bereikt",
            (GoalStatus::Bereikt, Lang::En) => "reached",
            (GoalStatus::Gestopt, Lang::Nl) => "gestopt",
            (GoalStatus::Gestopt, Lang::En) => "stopped",
        }
    }
}

/// A goal in one life domain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// Stable id.
    pub id: String,
    /// The domain.
    pub domain: LifeDomain,
    /// The goal in the citizen's words.
    pub text: String,
    /// When the citizen hopes to reach it.
    pub target_date: Option<Date>,
    /// Where it stands.
    pub status: GoalStatus,
    /// The household member it is for (a [`HouseholdMember`] id); none for
    /// the household as a whole. Left out when none, so goals signed before
    /// households existed keep their bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
}

impl Record for Goal {
    const KIND: &'static str = "goal";
    const VERSION: u16 = 1;
}

/// The period a number of hours is counted over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Per week.
    Week,
    /// Per month.
    Month,
    /// Per year.
    Year,
}

impl Period {
    /// How many of this period make a year (52 weeks, 12 months).
    pub fn per_year(self) -> Decimal {
        match self {
            Period::Week => Decimal::from(52),
            Period::Month => Decimal::from(12),
            Period::Year => Decimal::ONE,
        }
    }

    /// Parses `week`/`maand`/`month`/`jaar`/`year`.
    pub fn parse(s: &str) -> Result<Self, SchemaError> {
        match s.trim().to_lowercase().as_str() {
            "week" | "w" | "per_week" => Ok(Period::Week),
            "maand" | "month" | "m" => Ok(Period::Month),
            "jaar" | "year" | "j" | "y" => Ok(Period::Year),
            _ => Err(SchemaError::BadPeriod(s.to_string())),
        }
    }
}

/// Time and cost price of a need: hours per period × tariff per hour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeCost {
    /// Hours of support per period.
    pub hours: Decimal,
    /// The period the hours are counted over.
    pub period: Period,
    /// Tariff in euros per hour.
    pub tariff: Decimal,
}

impl TimeCost {
    /// Cost per period, exact.
    pub fn cost_per_period(&self) -> Decimal {
        self.hours * self.tariff
    }

    /// Cost per year, exact, rounded to the cent.
    pub fn cost_per_year(&self) -> Decimal {
        (self.cost_per_period() * self.period.per_year()).round_dp(2)
    }

    /// Hours per year.
    pub fn hours_per_year(&self) -> Decimal {
        self.hours * self.period.per_year()
    }
}

/// One need in iPVB terms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Need {
    /// Stable id.
    pub id: String,
    /// The domain.
    pub domain: LifeDomain,
    /// The goal this need serves, if any.
    pub goal_id: Option<String>,
    /// What the citizen wishes.
    pub wish: String,
    /// What they objectively need (as assessed).
    pub objective_need: String,
    /// Time and cost price.
    pub time_cost: TimeCost,
    /// The pgb category this need would be paid from (catalogue code).
    pub category: Option<String>,
    /// The household member it is for (a [`HouseholdMember`] id); left out
    /// when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
}

impl Record for Need {
    const KIND: &'static str = "need";
    const VERSION: u16 = 1;
}

/// Adult or child: what a household member is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberKind {
    /// Volwassene — an adult.
    Volwassene,
    /// Kind — a child (under 18).
    Kind,
}

impl MemberKind {
    /// Dutch or English name.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (MemberKind::Volwassene, Lang::Nl) => "volwassene",
            (MemberKind::Volwassene, Lang::En) => "adult",
            (MemberKind::Kind, Lang::Nl) => "kind",
            (MemberKind::Kind, Lang::En) => "child",
        }
    }

    /// Parses `volwassene`/`adult`, `kind`/`child`.
    pub fn parse(s: &str) -> Result<Self, SchemaError> {
        match s.trim().to_lowercase().as_str() {
            "volwassene" | "adult" | "ouder" | "parent" => Ok(MemberKind::Volwassene),
            "kind" | "child" => Ok(MemberKind::Kind),
            _ => Err(SchemaError::Invalid(format!(
                "unknown kind of household member '{s}': use volwassene or kind"
            ))),
        }
    }
}

/// One member of the household an integral plan (i-pgb) is for; signed by
/// the household's budget holder in the plan document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseholdMember {
    /// Stable id (goals, needs and agreements name it).
    pub id: String,
    /// First name, as the household uses it.
    pub name: String,
    /// Adult or child.
    pub kind: MemberKind,
    /// Date of birth, when given.
    pub born: Option<Date>,
}

impl Record for HouseholdMember {
    const KIND: &'static str = "household_member";
    const VERSION: u16 = 1;
}

/// The household's director (*regisseur*): the member or counselor the
/// household names to steer the plan. The director acts for the household
/// only within the mandate the budget holder gives (see [`crate::Mandate`]);
/// this record names who, the mandate says what. Signed by the budget holder;
/// the newest one counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Director {
    /// The director's identity.
    pub identity: crate::PublicKey,
    /// The director's name.
    pub name: String,
    /// The household member the director is, if one (else a counselor).
    pub member: Option<String>,
}

impl Record for Director {
    const KIND: &'static str = "household_director";
    const VERSION: u16 = 1;
}

/// A reference to a household member in a record someone else reads (an
/// agreement, a claim): the id and the name at signing time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberRef {
    /// The member's id in the household plan.
    pub id: String,
    /// The member's name.
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn domain_parse() {
        assert_eq!(LifeDomain::parse("Werk en inkomen").unwrap(), LifeDomain::WerkEnInkomen);
        assert_eq!(LifeDomain::parse("financiën").unwrap(), LifeDomain::Financien);
        assert_eq!(LifeDomain::parse("housing").unwrap(), LifeDomain::Wonen);
        assert!(LifeDomain::parse("ruimtevaart").is_err());
    }

    #[test]
    fn time_cost_is_exact() {
        let tc = TimeCost {
            hours: Decimal::from_str("3.5").unwrap(),
            period: Period::Week,
            tariff: Decimal::from_str("52.13").unwrap(),
        };
        assert_eq!(tc.cost_per_period(), Decimal::from_str("182.455").unwrap());
        assert_eq!(tc.cost_per_year(), Decimal::from_str("9487.66").unwrap());
    }
}
