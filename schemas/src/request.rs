//! Budget requests and their visible assessment: every step is a signed,
//! timestamped record the citizen sees as a timeline.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Date, FundingStream, Quantity, Record};

/// A citizen's request for budget (EigenBudget phase 1), or for an adjustment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetRequest {
    /// Stable id.
    pub id: String,
    /// Funding stream asked from.
    pub stream: FundingStream,
    /// pgb category code.
    pub category: String,
    /// What is asked: euros, hours or points.
    pub quantity: Quantity,
    /// First day.
    pub period_start: Date,
    /// Last day.
    pub period_end: Date,
    /// Goals in the plan this serves.
    pub goal_ids: Vec<String>,
    /// Why, in the citizen's words.
    pub motivation: String,
    /// When this asks to change an existing account rather than open one.
    pub adjusts_account: Option<String>,
}

impl Record for BudgetRequest {
    const KIND: &'static str = "budget_request";
    const VERSION: u16 = 1;
}

/// One step of the assessment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "step")]
pub enum StepKind {
    /// Ingediend — submitted.
    Ingediend,
    /// In behandeling — being assessed.
    InBehandeling,
    /// Aanvullende informatie gevraagd — a question to the citizen.
    InformatieGevraagd {
        /// The question.
        question: String,
    },
    /// The citizen's answer.
    InformatieGegeven {
        /// The answer.
        answer: String,
    },
    /// Human review of an automated decision asked.
    HerbeoordelingGevraagd {
        /// Why.
        reason: String,
    },
    /// Besluit — decided; the decision record carries the details.
    Besluit {
        /// The decision's id.
        decision_id: String,
    },
}

/// A timestamped assessment step on a request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentStep {
    /// Stable id.
    pub id: String,
    /// The request.
    pub request_id: String,
    /// What happened.
    pub step: StepKind,
    /// Unix seconds, by the writer's clock (shown, never used for ordering of money).
    pub at: u64,
}

impl Record for AssessmentStep {
    const KIND: &'static str = "assessment_step";
    const VERSION: u16 = 1;
}

/// The outcome of an assessment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Granted in full.
    Toegekend,
    /// Granted in part.
    DeelsToegekend,
    /// Refused.
    Afgewezen,
}

/// The municipality's decision on a request; only the municipality may sign it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Stable id.
    pub id: String,
    /// The request decided.
    pub request_id: String,
    /// The outcome.
    pub outcome: Outcome,
    /// What is granted (none when refused).
    pub granted: Option<Quantity>,
    /// The reasons, in words.
    pub reasons: String,
    /// Set when a rule decided automatically: the rule's id.
    pub automated_rule: Option<String>,
    /// The day the decision takes effect.
    pub date: Date,
}

impl Record for Decision {
    const KIND: &'static str = "decision";
    const VERSION: u16 = 1;
}
