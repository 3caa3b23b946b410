//! Mandates: the budget holder's signed statement that a representative (a
//! legal representative, a *bewindvoerder* or a family member) may act for
//! her — request, order, approve, dispute or transfer — with the
//! representative's own signature; and the revocation of a mandate.
//!
//! A revocation lists the records the representative signed under the
//! mandate that stay valid (`keep`). Everything else the representative
//! signs under it no longer counts, so "after the revocation" is decided
//! by that list and not by anyone's clock.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Date, Hash32, Lang, PublicKey, Record, SchemaError};

/// In which capacity the representative acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Capacity {
    /// Wettelijk vertegenwoordiger (a legal representative: curator, mentor, parent).
    WettelijkVertegenwoordiger,
    /// Bewindvoerder (a court-appointed administrator of someone's money).
    Bewindvoerder,
    /// A family member the holder chose.
    Familie,
}

impl Capacity {
    /// Every capacity.
    pub const ALL: [Capacity; 3] = [
        Capacity::WettelijkVertegenwoordiger,
        Capacity::Bewindvoerder,
        Capacity::Familie,
    ];

    /// Dutch or English name.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Capacity::WettelijkVertegenwoordiger, Lang::Nl) => "wettelijk vertegenwoordiger",
            (Capacity::WettelijkVertegenwoordiger, Lang::En) => "legal representative",
            (Capacity::Bewindvoerder, Lang::Nl) => "bewindvoerder",
            (Capacity::Bewindvoerder, Lang::En) => "financial administrator (bewindvoerder)",
            (Capacity::Familie, Lang::Nl) => "familie",
            (Capacity::Familie, Lang::En) => "family member",
        }
    }

    /// Parses Dutch or English names (`wettelijk-vertegenwoordiger`, `bewindvoerder`, `familie`, …).
    pub fn parse(s: &str) -> Result<Self, SchemaError> {
        match s.trim().to_lowercase().replace([' ', '_'], "-").as_str() {
            "wettelijk-vertegenwoordiger" | "vertegenwoordiger" | "legal-representative" | "representative" => {
                Ok(Capacity::WettelijkVertegenwoordiger)
            }
            "bewindvoerder" | "administrator" | "financial-administrator" => Ok(Capacity::Bewindvoerder),
            "familie" | "family" | "family-member" => Ok(Capacity::Familie),
            _ => Err(SchemaError::Invalid(format!(
                "unknown capacity '{s}': use wettelijk-vertegenwoordiger, bewindvoerder or familie"
            ))),
        }
    }
}

/// What a mandate lets the representative do for the holder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MandateAction {
    /// Ask the municipality for budget.
    Request,
    /// Order care from the marketplace.
    Order,
    /// Approve a declaration (it becomes a spend).
    Approve,
    /// Dispute a declaration.
    Dispute,
    /// Transfer budget to another holder.
    Transfer,
}

impl MandateAction {
    /// Every action.
    pub const ALL: [MandateAction; 5] = [
        MandateAction::Request,
        MandateAction::Order,
        MandateAction::Approve,
        MandateAction::Dispute,
        MandateAction::Transfer,
    ];

    /// Dutch or English name.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (MandateAction::Request, Lang::Nl) => "aanvragen",
            (MandateAction::Request, Lang::En) => "request",
            (MandateAction::Order, Lang::Nl) => "bestellen",
            (MandateAction::Order, Lang::En) => "order",
            (MandateAction::Approve, Lang::Nl) => "goedkeuren",
            (MandateAction::Approve, Lang::En) => "approve",
            (MandateAction::Dispute, Lang::Nl) => "betwisten",
            (MandateAction::Dispute, Lang::En) => "dispute",
            (MandateAction::Transfer, Lang::Nl) => "overboeken",
            (MandateAction::Transfer, Lang::En) => "transfer",
        }
    }

    /// Parses Dutch or English names.
    pub fn parse(s: &str) -> Result<Self, SchemaError> {
        match s.trim().to_lowercase().as_str() {
            "request" | "aanvragen" | "aanvraag" => Ok(MandateAction::Request),
            "order" | "bestellen" | "bestel" => Ok(MandateAction::Order),
            "approve" | "goedkeuren" | "goedkeur" => Ok(MandateAction::Approve),
            "dispute" | "betwisten" | "betwist" => Ok(MandateAction::Dispute),
            "transfer" | "overboeken" | "overboeking" => Ok(MandateAction::Transfer),
            _ => Err(SchemaError::Invalid(format!(
                "unknown action '{s}': use request, order, approve, dispute or transfer"
            ))),
        }
    }

    /// Parses a comma-separated list (`approve,dispute`), without repeats.
    pub fn parse_list(s: &str) -> Result<Vec<Self>, SchemaError> {
        let mut out: Vec<Self> = vec![];
        for part in s.split(',').filter(|p| !p.trim().is_empty()) {
            let a = Self::parse(part)?;
            if !out.contains(&a) {
                out.push(a);
            }
        }
        if out.is_empty() {
            return Err(SchemaError::Invalid(
                "name at least one action: request, order, approve, dispute or transfer".into(),
            ));
        }
        out.sort();
        Ok(out)
    }
}

/// A mandate, signed by the budget holder and kept in her budget document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mandate {
    /// Stable id.
    pub id: String,
    /// The budget holder who gives the mandate (must be its signer).
    pub citizen: PublicKey,
    /// Who may act for her (an identity key).
    pub representative: PublicKey,
    /// The representative's name as the holder knows it.
    pub representative_name: String,
    /// In which capacity.
    pub capacity: Capacity,
    /// What the representative may do.
    pub actions: Vec<MandateAction>,
    /// The first day of the holder's affairs it covers (a declaration's
    /// period end, a ledger entry's date).
    pub valid_from: Date,
    /// The last such day, if limited.
    pub valid_until: Option<Date>,
}

impl Record for Mandate {
    const KIND: &'static str = "mandate";
    const VERSION: u16 = 1;
}

impl Mandate {
    /// Whether `day` lies within the mandate's period.
    pub fn covers(&self, day: Date) -> bool {
        day >= self.valid_from && self.valid_until.is_none_or(|u| day <= u)
    }

    /// Checks that it names an action and a period that does not end before it starts.
    pub fn validate(&self) -> Result<(), SchemaError> {
        if self.actions.is_empty() {
            return Err(SchemaError::Invalid(format!(
                "mandate {}: name at least one action",
                self.id
            )));
        }
        if self.valid_until.is_some_and(|u| u < self.valid_from) {
            return Err(SchemaError::Invalid(format!(
                "mandate {}: it ends before it starts",
                self.id
            )));
        }
        if self.representative == self.citizen {
            return Err(SchemaError::Invalid("a mandate for yourself is not needed".into()));
        }
        Ok(())
    }
}

/// The holder's revocation of a mandate, signed by her, in the same budget
/// document. What the representative signed under the mandate counts only
/// when its id is in `keep`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MandateRevocation {
    /// The mandate revoked.
    pub mandate_id: String,
    /// The record hash of the signed mandate revoked.
    pub mandate_hash: Hash32,
    /// The day of the revocation (for people to read; validity follows `keep`).
    pub date: Date,
    /// Ids of the records the representative signed under the mandate that stay valid.
    pub keep: Vec<String>,
}

impl Record for MandateRevocation {
    const KIND: &'static str = "mandate_revocation";
    const VERSION: u16 = 1;
}

/// What a representative asks the budget holder's vault to do for her.
/// An agreement and a budget request are records only the holder's own
/// vault can make (she owns their documents); her vault carries the task out
/// when the representative's mandate allows it and answers with a
/// [`CommissionResult`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "task")]
pub enum CommissionTask {
    /// Order an offering (mandate action *order*).
    Order {
        /// The offering.
        offering_id: String,
        /// The account paid from (id or name).
        account: String,
        /// Most units over the period.
        max_units: rust_decimal::Decimal,
        /// First day.
        period_start: Date,
        /// Last day.
        period_end: Date,
        /// The household member the care is for (a member id of the
        /// holder's household plan); left out when none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        member: Option<String>,
    },
    /// Ask the municipality for a budget (mandate action *request*).
    Request {
        /// Funding stream.
        stream: crate::FundingStream,
        /// pgb category code.
        category: String,
        /// Euros, hours or points asked for.
        quantity: crate::Quantity,
        /// First day.
        period_start: Date,
        /// Last day.
        period_end: Date,
        /// Why, in the representative's words.
        motivation: String,
    },
    /// Transfer budget to another budget holder (mandate action *transfer*).
    Transfer {
        /// The receiver.
        to: PublicKey,
        /// The holder's account it leaves (id or name).
        from_account: String,
        /// Euros.
        amount: rust_decimal::Decimal,
        /// pgb category the money is for (must be exchangeable).
        category: String,
        /// Why.
        note: String,
    },
}

impl CommissionTask {
    /// The mandate action this task needs.
    pub fn action(&self) -> MandateAction {
        match self {
            CommissionTask::Order { .. } => MandateAction::Order,
            CommissionTask::Request { .. } => MandateAction::Request,
            CommissionTask::Transfer { .. } => MandateAction::Transfer,
        }
    }
}

/// A representative's signed task for the budget holder's vault, kept in her
/// budget document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Commission {
    /// Stable id.
    pub id: String,
    /// The budget holder it is for.
    pub citizen: PublicKey,
    /// What to do.
    pub task: CommissionTask,
}

impl Record for Commission {
    const KIND: &'static str = "commission";
    const VERSION: u16 = 1;
}

/// How the holder's vault answered a commission.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum CommissionOutcome {
    /// Carried out: the record it made (an agreement, request or transfer id).
    Done {
        /// The id of the agreement, request or transfer made.
        record: String,
    },
    /// Not carried out, and why.
    Refused {
        /// Why, in words.
        reason: String,
    },
}

/// The holder's vault's signed answer to a commission.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommissionResult {
    /// The commission.
    pub commission_id: String,
    /// Hash of the representative's signed commission.
    pub commission_hash: Hash32,
    /// What happened.
    pub outcome: CommissionOutcome,
}

impl Record for CommissionResult {
    const KIND: &'static str = "commission_result";
    const VERSION: u16 = 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_in_both_languages() {
        assert_eq!(
            Capacity::parse("wettelijk-vertegenwoordiger").unwrap(),
            Capacity::WettelijkVertegenwoordiger
        );
        assert_eq!(Capacity::parse("Bewindvoerder").unwrap(), Capacity::Bewindvoerder);
        assert!(Capacity::parse("buurman").is_err());
        assert_eq!(
            MandateAction::parse_list("dispute, goedkeuren,approve").unwrap(),
            vec![MandateAction::Approve, MandateAction::Dispute]
        );
        assert!(MandateAction::parse_list(" , ").is_err());
        for a in MandateAction::ALL {
            assert_eq!(MandateAction::parse(a.label(Lang::En)).unwrap(), a);
            assert_eq!(MandateAction::parse(a.label(Lang::Nl)).unwrap(), a);
        }
    }

    #[test]
    fn a_mandate_covers_its_period_only() {
        let m = Mandate {
            id: "m".into(),
            citizen: PublicKey([1; 32]),
            representative: PublicKey([2; 32]),
            representative_name: "Eva".into(),
            capacity: Capacity::Familie,
            actions: vec![MandateAction::Approve],
            valid_from: Date::new(2026, 1, 1).unwrap(),
            valid_until: Some(Date::new(2026, 12, 31).unwrap()),
        };
        assert!(m.validate().is_ok());
        assert!(m.covers(Date::new(2026, 6, 1).unwrap()));
        assert!(!m.covers(Date::new(2027, 1, 1).unwrap()));
        assert!(!m.covers(Date::new(2025, 12, 31).unwrap()));
        let mut bad = m.clone();
        bad.actions.clear();
        assert!(bad.validate().is_err());
    }
}
