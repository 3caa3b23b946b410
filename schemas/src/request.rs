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
    /// For an integral budget (i-pgb): every category the household asks to
    /// spend it on, `category` among them. Left out when empty, so requests
    /// signed before integral budgets existed keep their bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
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
    /// For an integral grant: which funding stream pays how much of
    /// `granted` (the shares add up to it). Left out when empty: the
    /// request's one stream pays all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub funding: Vec<StreamShare>,
    /// For an integral grant: every category the grant may be spent on.
    /// Left out when empty: only the request's category.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
}

/// One funding stream's part of an integral grant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamShare {
    /// The stream.
    pub stream: FundingStream,
    /// How much of the grant it pays, in the grant's unit.
    pub amount: rust_decimal::Decimal,
}

impl Decision {
    /// Days a person has to object to a decision (bezwaartermijn, Awb 6:7):
    /// six weeks.
    pub const OBJECTION_DAYS: i64 = 42;

    /// Whether the decision lets its grant be spent on `category`: one the
    /// integral grant names (the request's own among them), else the
    /// request's own category. An integral grant never takes the request's
    /// word: the citizen alone signs it, and could sign it again.
    pub fn covers(&self, request: &BudgetRequest, category: &str) -> bool {
        if self.categories.is_empty() {
            request.category == category
        } else {
            self.categories.iter().any(|c| c == category)
        }
    }

    /// Whether the funding shares are as `decide_integral` signs them: none,
    /// or each above zero, each stream once, adding up to what is granted.
    pub fn funding_adds_up(&self) -> bool {
        use rust_decimal::Decimal;
        if self.funding.is_empty() {
            return true;
        }
        let Some(granted) = self.granted else {
            return false;
        };
        let mut seen = std::collections::BTreeSet::new();
        let sum = self.funding.iter().try_fold(Decimal::ZERO, |t, f| {
            (f.amount > Decimal::ZERO && seen.insert(f.stream))
                .then(|| t.checked_add(f.amount))
                .flatten()
        });
        sum == Some(granted.amount)
    }

    /// Which stream pays how much of the grant: the integral shares, or the
    /// request's stream for all of `granted`.
    pub fn shares(&self, request: &BudgetRequest) -> Vec<StreamShare> {
        if self.funding.is_empty() {
            vec![StreamShare {
                stream: request.stream,
                amount: self.granted.map(|q| q.amount).unwrap_or_default(),
            }]
        } else {
            self.funding.clone()
        }
    }
}

/// Splits `amount` over `shares` in proportion, to the cent (or whole
/// unit, by `scale`): each part rounded toward zero, then the cents left
/// over one each to the parts that lost most by rounding (on a tie, the
/// later share), so the parts add up exactly to `amount`, each is within a
/// cent of its exact share, and none has the opposite sign. Shares that are
/// zero or negative get nothing; shares too large to add up are weighed
/// without overflowing.
pub fn split_by_shares(
    amount: rust_decimal::Decimal,
    shares: &[StreamShare],
    scale: u32,
) -> Vec<(FundingStream, rust_decimal::Decimal)> {
    use rust_decimal::{Decimal, RoundingStrategy};
    let positive: Vec<&StreamShare> = shares.iter().filter(|s| s.amount > Decimal::ZERO).collect();
    if positive.is_empty() {
        return Vec::new();
    }
    let exact_total = positive.iter().try_fold(Decimal::ZERO, |t, s| t.checked_add(s.amount));
    // When the shares' sum overflows, each is weighed as share / n (n shares).
    let n = Decimal::from(positive.len());
    let scaled_total = positive
        .iter()
        .fold(Decimal::ZERO, |t, s| t.saturating_add(s.amount / n));
    let weigh = |s: &StreamShare| -> Option<Decimal> {
        match exact_total {
            Some(t) => amount
                .checked_mul(s.amount)
                .and_then(|x| x.checked_div(t))
                .or_else(|| amount.checked_mul(s.amount.checked_div(t)?)),
            None => amount.checked_mul((s.amount / n).checked_div(scaled_total)?),
        }
    };
    let exact: Vec<Decimal> = positive.iter().map(|s| weigh(s).unwrap_or_default()).collect();
    let mut parts = Vec::with_capacity(positive.len());
    let mut left = amount;
    for x in &exact {
        let part = x.round_dp_with_strategy(scale, RoundingStrategy::ToZero);
        // Never past what is left, never of the other sign.
        let part = if amount.is_sign_negative() {
            part.max(left).min(Decimal::ZERO)
        } else {
            part.min(left).max(Decimal::ZERO)
        };
        left = left.saturating_sub(part);
        parts.push(part);
    }
    let cent = Decimal::new(1, scale.min(28))
        * if amount.is_sign_negative() {
            -Decimal::ONE
        } else {
            Decimal::ONE
        };
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| {
        let lost = |i: usize| (exact[i] - parts[i]).abs();
        lost(b).cmp(&lost(a)).then(b.cmp(&a))
    });
    for i in order {
        if left.abs() < cent.abs() {
            break;
        }
        parts[i] += cent;
        left -= cent;
    }
    // What no weight accounts for (a share that could not be weighed): the last share.
    if let Some(last) = parts.last_mut() {
        *last = last.saturating_add(left);
    }
    positive.iter().map(|s| s.stream).zip(parts).collect()
}

impl Record for Decision {
    const KIND: &'static str = "decision";
    const VERSION: u16 = 1;
}
