//! Budget requests, their visible assessment, decisions and automated
//! allocation (EigenBudget phases 1–3).
//!
//! Everything lives in the citizen's budget document, so the citizen sees
//! the whole timeline and the municipality needs write access to it (given
//! by a consent). Who may write what is checked when records are *read*,
//! from their signatures: a request only by the budget holder; "in
//! behandeling", questions and decisions only by an identity whose
//! certificate says municipality and that the holder admitted as a writer;
//! answers and review requests only by the holder. A record that breaks the
//! rule is shown as refused, never used.
//!
//! A request is decided once. A second decision counts only when the first
//! was automated and the holder asked for human review after it; any other
//! second decision is refused, and the municipality's node checks this
//! before it signs.

use inwonercloud_schemas::{
    Account, AllocationRule, AssessmentStep, BudgetRequest, Date, Decision, DocKind, EntryKind, FundingStream,
    LedgerEntry, Outcome, Policy, PublicKey, Quantity, Role, SchemaError, StepKind, StreamShare,
};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Result, VaultError};
use crate::keys;
use crate::plan::new_id;
use crate::vault::{Authored, Vault};

/// What a citizen asks.
#[derive(Clone, Debug)]
pub struct NewRequest {
    /// Funding stream.
    pub stream: FundingStream,
    /// pgb category code.
    pub category: String,
    /// Euros, hours or points; negative only to lower an existing account.
    pub quantity: Quantity,
    /// First day.
    pub period_start: Date,
    /// Last day.
    pub period_end: Date,
    /// Goals in the plan this serves.
    pub goal_ids: Vec<String>,
    /// Why, in the citizen's words.
    pub motivation: String,
    /// For an adjustment: the account to change.
    pub adjusts_account: Option<String>,
}

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// Submitted, nobody looked yet.
    Ingediend,
    /// Being assessed by a person (or routed to one).
    InBehandeling,
    /// The municipality asked a question that is not answered yet.
    InformatieGevraagd,
    /// Decided.
    Besloten,
    /// Decided automatically, and the holder asked a person to look again.
    HerbeoordelingGevraagd,
}

/// A request with its timeline, as everyone who holds the budget sees it.
#[derive(Clone, Debug, Serialize)]
pub struct RequestView {
    /// Budget document.
    pub doc: String,
    /// The budget holder.
    pub owner: PublicKey,
    /// The request.
    pub request: Authored<BudgetRequest>,
    /// Accepted steps in time order.
    pub steps: Vec<Authored<AssessmentStep>>,
    /// The decision in force.
    pub decision: Option<Authored<Decision>>,
    /// Earlier decisions replaced after a human review.
    pub superseded: Vec<Authored<Decision>>,
    /// Records about this request that were not accepted, with why.
    pub refused: Vec<String>,
    /// Where it stands.
    pub state: RequestState,
}

/// What a decision says.
#[derive(Clone, Debug)]
pub struct DecisionInput {
    /// Outcome.
    pub outcome: Outcome,
    /// For a partial grant: how much (in the request's unit). A full grant
    /// takes the requested amount; a refusal grants nothing.
    pub granted: Option<Decimal>,
    /// Reasons, in words.
    pub reasons: String,
    /// The rule, when decided automatically.
    pub automated_rule: Option<String>,
}

/// What automated allocation did with one request.
#[derive(Clone, Debug, Serialize)]
pub struct Allocation {
    /// Request id.
    pub request: String,
    /// Whose budget.
    pub holder: String,
    /// The rule that decided it, or none when routed to a person.
    pub rule: Option<String>,
}

fn invalid(msg: impl Into<String>) -> VaultError {
    VaultError::Input(SchemaError::Invalid(msg.into()))
}

fn step_rank(s: &StepKind) -> u8 {
    match s {
        StepKind::Ingediend => 0,
        StepKind::InBehandeling => 1,
        StepKind::InformatieGevraagd { .. } => 2,
        StepKind::InformatieGegeven { .. } => 3,
        StepKind::Besluit { .. } => 4,
        StepKind::HerbeoordelingGevraagd { .. } => 5,
    }
}

/// The account a granted request funds (one per request, stable).
pub fn account_for(request_id: &str) -> String {
    format!("req-{request_id}")
}

impl Vault {
    /// Submits a budget request in the owner's budget document.
    pub fn request_budget(&mut self, r: NewRequest) -> Result<BudgetRequest> {
        self.transact(|v| v.request_budget_in(r))
    }

    pub(crate) fn request_budget_in(&mut self, r: NewRequest) -> Result<BudgetRequest> {
        self.request_budget_as(new_id(), r)
    }

    /// Asks for an integral budget (i-pgb): one account for the household,
    /// to be spent on any of `categories` (the request's own category is
    /// added when missing). The municipality's decision says which funding
    /// streams pay how much and which categories it allows.
    pub fn request_integral_budget(&mut self, r: NewRequest, categories: Vec<String>) -> Result<BudgetRequest> {
        self.transact(|v| v.request_with(new_id(), r, categories))
    }

    /// [`Vault::request_budget`] inside the caller's transaction, under the given id.
    pub(crate) fn request_budget_as(&mut self, id: String, r: NewRequest) -> Result<BudgetRequest> {
        self.request_with(id, r, Vec::new())
    }

    fn request_with(&mut self, id: String, r: NewRequest, categories: Vec<String>) -> Result<BudgetRequest> {
        let doc = self.budget_doc();
        if self.header(&doc)?.owner != self.identity() {
            return Err(VaultError::NotAllowed("only a budget holder can request budget".into()));
        }
        if r.period_end < r.period_start {
            return Err(VaultError::Input(SchemaError::EndsBeforeStart {
                start: r.period_start,
                end: r.period_end,
            }));
        }
        if r.motivation.trim().is_empty() {
            return Err(invalid("say in a few words why you need this (motivation)"));
        }
        if r.quantity.amount.is_zero() || (r.quantity.amount.is_sign_negative() && r.adjusts_account.is_none()) {
            return Err(invalid(
                "ask for an amount above zero (lowering is only for an existing account)",
            ));
        }
        if let Some(acc) = &r.adjusts_account {
            let a = self.find_account(&doc, acc)?;
            if a.unit != r.quantity.unit {
                return Err(invalid("the adjustment must be in the account's unit"));
            }
        }
        let plan = self.plan_doc();
        if !r.goal_ids.is_empty() {
            let goals = self.plan(&plan)?.goals;
            for g in &r.goal_ids {
                if !goals.iter().any(|x| &x.record.id == g) {
                    return Err(VaultError::UnknownRecord {
                        what: "goal",
                        id: g.clone(),
                    });
                }
            }
        }
        let req = BudgetRequest {
            id,
            stream: r.stream,
            category: r.category.trim().to_string(),
            quantity: r.quantity,
            period_start: r.period_start,
            period_end: r.period_end,
            goal_ids: r.goal_ids,
            motivation: r.motivation.trim().to_string(),
            adjusts_account: r.adjusts_account,
            categories: self.integral_categories(&r.category, categories)?,
        };
        let id = req.id.clone();
        let req = self.put_record(&doc, &id, req)?.record;
        self.put_step(&doc, &id, StepKind::Ingediend)?;
        Ok(req)
    }

    fn put_step(&mut self, doc: &str, request_id: &str, step: StepKind) -> Result<AssessmentStep> {
        let s = AssessmentStep {
            id: new_id(),
            request_id: request_id.to_string(),
            step,
            at: keys::now(),
        };
        let id = s.id.clone();
        Ok(self.put_record(doc, &id, s)?.record)
    }

    fn step_checked(&mut self, request: &str, step: StepKind) -> Result<AssessmentStep> {
        let v = self.find_request(request)?;
        let me = self.identity();
        let by_holder = matches!(
            step,
            StepKind::InformatieGegeven { .. } | StepKind::HerbeoordelingGevraagd { .. }
        );
        if by_holder && v.owner != me {
            return Err(VaultError::NotAllowed("only the budget holder can do this".into()));
        }
        if !by_holder && !self.acts_as(&v.doc, Role::Municipality)? {
            return Err(VaultError::NotAllowed(
                "only the municipality can do this: the budget holder has not given you the municipality's role".into(),
            ));
        }
        match (&step, v.state) {
            (StepKind::InformatieGegeven { .. }, RequestState::InformatieGevraagd) => {}
            (StepKind::InformatieGegeven { .. }, _) => return Err(invalid("no question is waiting for an answer")),
            (StepKind::HerbeoordelingGevraagd { .. }, RequestState::Besloten)
                if v.decision.as_ref().is_some_and(|d| d.record.automated_rule.is_some()) => {}
            (StepKind::HerbeoordelingGevraagd { .. }, _) => {
                return Err(invalid("human review can be asked only of an automated decision"));
            }
            (_, RequestState::Besloten) => return Err(invalid("this request is decided already")),
            _ => {}
        }
        self.put_step(&v.doc, &v.request.record.id, step)
    }

    /// The holder answers the municipality's question.
    pub fn answer_question(&mut self, request: &str, answer: &str) -> Result<AssessmentStep> {
        self.transact(|v| v.answer_question_in(request, answer))
    }

    fn answer_question_in(&mut self, request: &str, answer: &str) -> Result<AssessmentStep> {
        if answer.trim().is_empty() {
            return Err(invalid("the answer is empty"));
        }
        self.step_checked(
            request,
            StepKind::InformatieGegeven {
                answer: answer.trim().into(),
            },
        )
    }

    /// The holder asks a person to look again at an automated decision.
    pub fn ask_review(&mut self, request: &str, reason: &str) -> Result<AssessmentStep> {
        self.transact(|v| v.ask_review_in(request, reason))
    }

    fn ask_review_in(&mut self, request: &str, reason: &str) -> Result<AssessmentStep> {
        self.step_checked(
            request,
            StepKind::HerbeoordelingGevraagd {
                reason: reason.trim().into(),
            },
        )
    }

    /// The municipality takes a request into assessment.
    pub fn start_assessment(&mut self, request: &str) -> Result<AssessmentStep> {
        self.transact(|v| v.start_assessment_in(request))
    }

    fn start_assessment_in(&mut self, request: &str) -> Result<AssessmentStep> {
        self.step_checked(request, StepKind::InBehandeling)
    }

    /// The municipality asks the holder for more information.
    pub fn ask_information(&mut self, request: &str, question: &str) -> Result<AssessmentStep> {
        self.transact(|v| v.ask_information_in(request, question))
    }

    fn ask_information_in(&mut self, request: &str, question: &str) -> Result<AssessmentStep> {
        if question.trim().is_empty() {
            return Err(invalid("the question is empty"));
        }
        self.step_checked(
            request,
            StepKind::InformatieGevraagd {
                question: question.trim().into(),
            },
        )
    }

    /// The municipality decides; a grant also writes the account (when new)
    /// and the grant or adjustment entry, referring to the decision.
    pub fn decide(&mut self, request: &str, d: DecisionInput) -> Result<Decision> {
        self.transact(|v| v.decide_in(request, d, Vec::new(), Vec::new()))
    }

    /// Decides an integral grant (i-pgb): `funding` says which stream pays
    /// how much (the shares add up to what is granted) and `categories`
    /// which categories the grant may be spent on (empty: those the
    /// household asked for). One account, fed by every stream.
    pub fn decide_integral(
        &mut self,
        request: &str,
        d: DecisionInput,
        funding: Vec<StreamShare>,
        categories: Vec<String>,
    ) -> Result<Decision> {
        if funding.is_empty() {
            return Err(invalid(
                "an integral grant names at least one funding stream and its share",
            ));
        }
        self.transact(|v| v.decide_in(request, d, funding, categories))
    }

    /// The categories of an integral request or grant: `primary` first,
    /// each once, each known to the catalogue in force.
    fn integral_categories(&self, primary: &str, categories: Vec<String>) -> Result<Vec<String>> {
        if categories.is_empty() {
            return Ok(Vec::new());
        }
        let catalogue = self.catalogue();
        let mut out = vec![primary.trim().to_string()];
        for c in categories {
            let c = c.trim().to_string();
            if catalogue.get(&c).is_none() {
                return Err(invalid(format!("category {c} is not in the catalogue in force")));
            }
            if !out.contains(&c) {
                out.push(c);
            }
        }
        Ok(out)
    }

    fn decide_in(
        &mut self,
        request: &str,
        d: DecisionInput,
        funding: Vec<StreamShare>,
        categories: Vec<String>,
    ) -> Result<Decision> {
        let v = self.find_request(request)?;
        if !self.acts_as(&v.doc, Role::Municipality)? {
            return Err(VaultError::NotAllowed(
                "only the municipality can decide: the budget holder has not given you the municipality's role".into(),
            ));
        }
        let review = v.state == RequestState::HerbeoordelingGevraagd;
        if v.state == RequestState::Besloten {
            return Err(invalid(format!(
                "request {} is decided already: a request is never decided twice",
                v.request.record.id
            )));
        }
        if review && d.automated_rule.is_some() {
            return Err(invalid("human review was asked: a person must decide"));
        }
        if d.reasons.trim().is_empty() {
            return Err(invalid("give the reasons for the decision"));
        }
        let req = &v.request.record;
        let granted = match d.outcome {
            Outcome::Toegekend => Some(d.granted.unwrap_or(req.quantity.amount)),
            Outcome::DeelsToegekend => {
                let g = d
                    .granted
                    .ok_or_else(|| invalid("a partial grant needs the granted amount"))?;
                if g.is_sign_negative() || g.is_zero() || g.abs() >= req.quantity.amount.abs() {
                    return Err(invalid("a partial grant is above zero and below what was asked"));
                }
                Some(g)
            }
            Outcome::Afgewezen => None,
        };
        let granted = granted.map(|g| Quantity::new(g, req.quantity.unit)).transpose()?;
        let (funding, categories) = if funding.is_empty() {
            (funding, Vec::new())
        } else {
            let Some(g) = granted else {
                return Err(invalid("a refusal grants nothing: it has no funding streams"));
            };
            let mut seen = std::collections::BTreeSet::new();
            for f in &funding {
                if f.amount <= Decimal::ZERO || !seen.insert(f.stream) {
                    return Err(invalid(format!(
                        "each funding stream pays an amount above zero, and is named once ({})",
                        f.stream.label(inwonercloud_schemas::Lang::En)
                    )));
                }
                inwonercloud_schemas::money::check_scale(f.amount, g.unit)?;
            }
            let sum: Decimal = funding.iter().map(|f| f.amount).sum();
            if sum != g.amount {
                return Err(invalid(format!(
                    "the funding streams add up to {sum}, not to the {} granted",
                    g.amount
                )));
            }
            let asked = if categories.is_empty() {
                req.categories.clone()
            } else {
                categories
            };
            (funding, self.integral_categories(&req.category, asked)?)
        };
        let decision = Decision {
            id: new_id(),
            request_id: req.id.clone(),
            outcome: d.outcome,
            granted,
            reasons: d.reasons.trim().to_string(),
            automated_rule: d.automated_rule,
            date: Date::today(),
            funding,
            categories,
        };
        let doc = v.doc.clone();
        let id = decision.id.clone();
        let decision = self.put_record(&doc, &id, decision)?.record;
        self.put_step(
            &doc,
            &req.id,
            StepKind::Besluit {
                decision_id: id.clone(),
            },
        )?;
        let before = v
            .decision
            .as_ref()
            .and_then(|p| p.record.granted)
            .map(|q| q.amount)
            .unwrap_or_default();
        let now = decision.granted.map(|q| q.amount).unwrap_or_default();
        let (account, kind, amount) = match &req.adjusts_account {
            Some(acc) => (acc.clone(), EntryKind::Adjustment, now - before),
            None => {
                let acc = account_for(&req.id);
                if self.record::<Account>(&doc, &acc)?.is_none() && !now.is_zero() {
                    let a = Account {
                        id: acc.clone(),
                        name: if req.categories.is_empty() {
                            format!("{} {}", self.category_name(&req.category), req.period_start.year())
                        } else {
                            format!("Integraal budget {}", req.period_start.year())
                        },
                        stream: req.stream,
                        unit: req.quantity.unit,
                        period_start: req.period_start,
                        period_end: req.period_end,
                    };
                    a.validate()?;
                    self.put_record(&doc, &acc, a)?;
                }
                let kind = if before.is_zero() {
                    EntryKind::Grant
                } else {
                    EntryKind::Adjustment
                };
                (acc, kind, now - before)
            }
        };
        if !amount.is_zero() {
            let entry = LedgerEntry {
                id: new_id(),
                account,
                kind,
                amount,
                category: Some(req.category.clone()),
                date: decision.date,
                note: format!("besluit op aanvraag {}", req.id),
                reference: Some(id),
            };
            let eid = entry.id.clone();
            self.put_record(&doc, &eid, entry)?;
        }
        Ok(decision)
    }

    fn category_name(&self, code: &str) -> String {
        self.catalogue()
            .get(code)
            .map(|c| c.name_nl.clone())
            .unwrap_or_else(|| code.to_string())
    }

    /// Every request in a budget document with its timeline.
    pub fn requests(&self, doc: &str) -> Result<Vec<RequestView>> {
        let header = self.header(doc)?.clone();
        let owner = header.owner;
        let (reqs, _) = self.records::<BudgetRequest>(doc)?;
        let (mut steps, _) = self.records::<AssessmentStep>(doc)?;
        let (mut decisions, _) = self.records::<Decision>(doc)?;
        // Clocks tick in seconds: within one second the lifecycle's own order decides.
        steps.sort_by(|a, b| {
            (a.record.at, step_rank(&a.record.step), &a.record.id).cmp(&(
                b.record.at,
                step_rank(&b.record.step),
                &b.record.id,
            ))
        });
        decisions.sort_by(|a, b| {
            let key = |d: &Authored<Decision>| (d.signed_at, d.record.automated_rule.is_none(), d.record.id.clone());
            key(a).cmp(&key(b))
        });
        // The role the holder granted in the header, never the author's own word.
        let municipal = |a: &PublicKey, role: Option<Role>| role == Some(Role::Municipality) && a != &owner;
        let mut out = Vec::new();
        for r in reqs {
            let mut refused = Vec::new();
            if r.author != owner {
                refused.push(format!("request {} was not signed by the budget holder", r.record.id));
                continue;
            }
            let id = &r.record.id;
            let mut accepted = Vec::new();
            for s in steps.iter().filter(|s| &s.record.request_id == id) {
                let by_holder = matches!(
                    s.record.step,
                    StepKind::Ingediend | StepKind::InformatieGegeven { .. } | StepKind::HerbeoordelingGevraagd { .. }
                );
                let ok = if by_holder {
                    s.author == owner
                } else {
                    municipal(&s.author, s.author_role)
                };
                if ok {
                    accepted.push(s.clone());
                } else {
                    refused.push(format!(
                        "step by {} refused: not allowed to write this step",
                        s.author_name
                    ));
                }
            }
            let mut decision: Option<Authored<Decision>> = None;
            let mut superseded = Vec::new();
            for d in decisions.iter().filter(|d| &d.record.request_id == id) {
                if !municipal(&d.author, d.author_role) {
                    refused.push(format!(
                        "decision {} by {} refused: only the municipality decides",
                        d.record.id, d.author_name
                    ));
                    continue;
                }
                match &decision {
                    None => decision = Some(d.clone()),
                    Some(prev) => {
                        let reviewed = prev.record.automated_rule.is_some()
                            && d.record.automated_rule.is_none()
                            && accepted.iter().any(|s| {
                                matches!(s.record.step, StepKind::HerbeoordelingGevraagd { .. })
                                    && s.signed_at >= prev.signed_at
                            });
                        if reviewed {
                            superseded.push(prev.clone());
                            decision = Some(d.clone());
                        } else {
                            refused.push(format!(
                                "decision {} refused: request {id} was decided already",
                                d.record.id
                            ));
                        }
                    }
                }
            }
            let state = match &decision {
                Some(d) => {
                    let review = d.record.automated_rule.is_some()
                        && accepted.iter().any(|s| {
                            matches!(s.record.step, StepKind::HerbeoordelingGevraagd { .. })
                                && s.signed_at >= d.signed_at
                        });
                    if review {
                        RequestState::HerbeoordelingGevraagd
                    } else {
                        RequestState::Besloten
                    }
                }
                None => match accepted
                    .iter()
                    .rev()
                    .find(|s| !matches!(s.record.step, StepKind::Besluit { .. }))
                {
                    Some(s) => match s.record.step {
                        StepKind::InformatieGevraagd { .. } => RequestState::InformatieGevraagd,
                        StepKind::InBehandeling | StepKind::InformatieGegeven { .. } => RequestState::InBehandeling,
                        _ => RequestState::Ingediend,
                    },
                    None => RequestState::Ingediend,
                },
            };
            out.push(RequestView {
                doc: doc.to_string(),
                owner,
                request: r,
                steps: accepted,
                decision,
                superseded,
                refused,
                state,
            });
        }
        out.sort_by_key(|v| std::cmp::Reverse(v.request.signed_at));
        Ok(out)
    }

    /// Requests across every budget this vault holds.
    pub fn all_requests(&self) -> Result<Vec<RequestView>> {
        let mut out = Vec::new();
        for id in self.document_ids() {
            if self.header(&id)?.kind == DocKind::Budget {
                out.extend(self.requests(&id)?);
            }
        }
        Ok(out)
    }

    /// The municipality's inbox: requests that wait for a decision.
    pub fn inbox(&self) -> Result<Vec<RequestView>> {
        Ok(self
            .all_requests()?
            .into_iter()
            .filter(|v| v.state != RequestState::Besloten)
            .collect())
    }

    /// The request with exactly this id in any budget held, found through
    /// the documents' key maps (only budgets holding that key are read; two
    /// valid requests with one id are refused).
    pub fn find_request(&self, id: &str) -> Result<RequestView> {
        let id = id.trim();
        self.exact_record::<BudgetRequest, _>("request", DocKind::Budget, id, |v, doc| {
            Ok(v.requests(doc)?.into_iter().find(|r| r.request.record.id == id))
        })
    }

    /// Publishes the municipality's policy (public to every peer).
    pub fn publish_policy(&mut self, p: Policy) -> Result<()> {
        self.transact(|v| v.publish_policy_in(p))
    }

    fn publish_policy_in(&mut self, p: Policy) -> Result<()> {
        if self.role() != Role::Municipality {
            return Err(VaultError::NotAllowed("only a municipality publishes a policy".into()));
        }
        p.validate()?;
        let doc = self.doc_id(DocKind::Policy);
        self.put_record(&doc, "policy", p)?;
        Ok(())
    }

    /// The policy in force here: one's own, else that of a municipality this
    /// vault trusts ([`Vault::trusted_municipalities`]); a policy published
    /// by anyone else is held but never used.
    pub fn policy(&self) -> Option<Authored<Policy>> {
        let own = self.doc_id(DocKind::Policy);
        let trusted = self.trusted_municipalities().unwrap_or_default();
        let mut ids = vec![own.clone()];
        ids.extend(self.document_ids().into_iter().filter(|d| d != &own));
        for id in ids {
            let Ok(h) = self.header(&id) else { continue };
            if h.kind != DocKind::Policy || (id != own && !trusted.contains_key(&h.owner)) {
                continue;
            }
            if let Ok(Some(p)) = self.record::<Policy>(&id, "policy")
                && p.author == h.owner
            {
                return Some(p);
            }
        }
        None
    }

    /// The categories in force: the policy's, or the shipped examples.
    pub fn catalogue(&self) -> inwonercloud_schemas::Catalogue {
        self.policy()
            .map(|p| p.record.catalogue)
            .unwrap_or_else(inwonercloud_schemas::Catalogue::shipped)
    }

    /// The rule of `policy` that decides `v`, if any.
    pub fn matching_rule<'p>(&self, policy: &'p Policy, v: &RequestView) -> Option<&'p AllocationRule> {
        let r = &v.request.record;
        // Adjustments and integral requests (which need funding shares) go to a person.
        if r.adjusts_account.is_some() || !r.categories.is_empty() {
            return None;
        }
        let days = Decimal::from(r.period_end.days_since_epoch() - r.period_start.days_since_epoch() + 1);
        let weeks = days / Decimal::from(7);
        // Life domains of the goals the request links, from the holder's plan
        // (when held): read once, and only if a rule asks for a domain.
        let linked = std::cell::OnceCell::new();
        let linked_domains = || -> &Vec<inwonercloud_schemas::LifeDomain> {
            linked.get_or_init(|| {
                self.plan(&DocKind::Plan.doc_id(&v.owner))
                    .map(|p| {
                        p.goals
                            .iter()
                            .filter(|g| r.goal_ids.contains(&g.record.id))
                            .map(|g| g.record.domain)
                            .collect()
                    })
                    .unwrap_or_default()
            })
        };
        policy.rules.iter().find(|rule| {
            rule.category == r.category
                && rule.unit == r.quantity.unit
                && rule.stream == r.stream
                && rule.max_amount.is_none_or(|m| r.quantity.amount <= m)
                && rule
                    .max_hours_per_week
                    .is_none_or(|m| !weeks.is_zero() && r.quantity.amount / weeks <= m)
                && rule
                    .required_domain
                    .is_none_or(|domain| linked_domains().contains(&domain))
        })
    }

    /// Automated allocation: decides every newly submitted request that a
    /// rule of the own policy covers, and routes the others to a person
    /// ("in behandeling"). Requests already routed or decided are left alone.
    pub fn allocate(&mut self) -> Result<Vec<Allocation>> {
        self.transact(|v| v.allocate_in())
    }

    fn allocate_in(&mut self) -> Result<Vec<Allocation>> {
        let policy = self
            .policy()
            .filter(|p| p.author == self.identity())
            .ok_or_else(|| invalid("publish a policy first: without one no request can be decided automatically"))?
            .record;
        let mut out = Vec::new();
        for v in self.inbox()? {
            if v.state != RequestState::Ingediend {
                continue;
            }
            let holder = self.display_name(&v.owner);
            let id = v.request.record.id.clone();
            match self.matching_rule(&policy, &v).cloned() {
                Some(rule) => {
                    self.decide(
                        &id,
                        DecisionInput {
                            outcome: Outcome::Toegekend,
                            granted: None,
                            reasons: format!("Automatisch besluit volgens regel {}: {}", rule.id, rule.description),
                            automated_rule: Some(rule.id.clone()),
                        },
                    )?;
                    out.push(Allocation {
                        request: id,
                        holder,
                        rule: Some(rule.id),
                    });
                }
                None => {
                    self.start_assessment(&id)?;
                    out.push(Allocation {
                        request: id,
                        holder,
                        rule: None,
                    });
                }
            }
        }
        Ok(out)
    }
}
