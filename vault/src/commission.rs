//! Commissions: what a representative asks the budget holder's vault to do
//! for her under a mandate — order an offering, or ask the municipality for
//! a budget.
//!
//! An agreement and a budget request live in documents only the holder's
//! own vault can create or write them into, so a representative cannot make
//! them with her own key. Instead she signs a [`Commission`] into the
//! holder's budget document (which her mandate lets her write). The holder's
//! vault, when it next sees it, checks the mandate again (signed by the
//! holder, naming this representative and this action, covering today, not
//! revoked) and either carries the task out — signing the agreement or the
//! request itself — or refuses, and answers with a signed
//! [`CommissionResult`] either way. The record made stays attributable:
//! [`Vault::commissioned_by`] names the representative behind it.

use inwonercloud_schemas::{
    Commission, CommissionOutcome, CommissionResult, CommissionTask, Date, DocKind, PublicKey, SchemaError,
};

use crate::assessment::NewRequest;
use crate::error::{Result, VaultError};
use crate::keys;
use crate::mandate::mandate_allows;
use crate::plan::new_id;
use crate::vault::{Authored, Vault};

/// A commission with its answer, if any.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CommissionView {
    /// The representative's signed commission.
    pub commission: Authored<Commission>,
    /// The holder's vault's answer, once given.
    pub result: Option<Authored<CommissionResult>>,
}

/// The id of the agreement or request a commission makes.
fn made_id(commission: &str) -> String {
    format!("opdracht-{commission}")
}

impl Vault {
    /// Whether this holder already made an agreement, request or transfer with this id.
    fn made_already(&self, id: &str) -> Result<bool> {
        if self.agreement(id).is_ok() {
            return Ok(true);
        }
        let me = self.identity();
        if self
            .transfers()?
            .iter()
            .any(|t| t.transfer.record.id == id && t.transfer.record.from == me)
        {
            return Ok(true);
        }
        let (requests, _) = self.records::<inwonercloud_schemas::BudgetRequest>(&self.budget_doc())?;
        Ok(requests.iter().any(|r| r.record.id == id && r.author == me))
    }

    /// Makes what `task` asks under the id `made`, inside the caller's
    /// transaction; the id of the record made.
    fn carry_out_in(&mut self, made: String, task: CommissionTask) -> Result<String> {
        Ok(match task {
            CommissionTask::Order {
                offering_id,
                account,
                max_units,
                period_start,
                period_end,
                member,
            } => {
                self.order_as(
                    made,
                    member.as_deref(),
                    &offering_id,
                    &account,
                    max_units,
                    period_start,
                    period_end,
                )?
                .id
            }
            CommissionTask::Request {
                stream,
                category,
                quantity,
                period_start,
                period_end,
                motivation,
            } => {
                self.request_budget_as(
                    made,
                    NewRequest {
                        stream,
                        category,
                        quantity,
                        period_start,
                        period_end,
                        goal_ids: vec![],
                        motivation,
                        adjusts_account: None,
                    },
                )?
                .id
            }
            CommissionTask::Transfer {
                to,
                from_account,
                amount,
                category,
                note,
            } => {
                self.offer_transfer_as(made, to, &from_account, amount, &category, &note)?
                    .id
            }
        })
    }

    /// A representative asks `citizen`'s vault to carry out `task`. Refused
    /// here already when her mandate does not allow it today or her budget
    /// is not shared with this vault.
    pub fn commission(&mut self, citizen: PublicKey, task: CommissionTask) -> Result<Commission> {
        self.transact(|v| v.commission_in(citizen, task))
    }

    fn commission_in(&mut self, citizen: PublicKey, task: CommissionTask) -> Result<Commission> {
        let me = self.identity();
        if citizen == me {
            return Err(VaultError::Input(SchemaError::Invalid(
                "this is your own budget: order or request it yourself".into(),
            )));
        }
        let budget = DocKind::Budget.doc_id(&citizen);
        if !self.docs_map().contains_key(&budget) {
            return Err(VaultError::NotAllowed(format!(
                "{} has not shared her budget with you: a mandate comes with it",
                self.display_name(&citizen)
            )));
        }
        let id = new_id();
        let (mandates, revocations) = self.mandate_records(&budget)?;
        mandate_allows(
            &mandates,
            &revocations,
            &citizen,
            &me,
            task.action(),
            &id,
            Date::today(),
        )
        .map_err(VaultError::NotAllowed)?;
        let c = Commission { id, citizen, task };
        let key = format!("commission-{}", c.id);
        Ok(self.put_record(&budget, &key, c)?.record)
    }

    /// Every commission in `citizen`'s budget document held here, with its answer.
    pub fn commissions(&self, citizen: &PublicKey) -> Result<Vec<CommissionView>> {
        let budget = DocKind::Budget.doc_id(citizen);
        if !self.docs_map().contains_key(&budget) {
            return Ok(vec![]);
        }
        let (cs, _) = self.records::<Commission>(&budget)?;
        let (rs, _) = self.records::<CommissionResult>(&budget)?;
        Ok(cs
            .into_iter()
            .filter(|c| &c.record.citizen == citizen && &c.author != citizen)
            .map(|c| {
                let hash = keys::record_hash(&c.signed);
                let result = rs
                    .iter()
                    .find(|r| {
                        &r.author == citizen
                            && r.record.commission_id == c.record.id
                            && r.record.commission_hash == hash
                    })
                    .cloned();
                CommissionView { commission: c, result }
            })
            .collect())
    }

    /// The representative whose commission made record `record_id` (an
    /// agreement or a request) in this holder's name, if one did.
    pub fn commissioned_by(&self, citizen: &PublicKey, record_id: &str) -> Result<Option<PublicKey>> {
        Ok(self.commissions(citizen)?.into_iter().find_map(|c| match c.result {
            Some(r) if matches!(&r.record.outcome, CommissionOutcome::Done { record } if record == record_id) => {
                Some(c.commission.author)
            }
            _ => None,
        }))
    }

    /// The holder's vault answers every open commission in her budget: it
    /// carries out what a mandate allows today (one transaction per
    /// commission: the agreement or request and the answer) and refuses the
    /// rest with the reason. Returns the answers written; calling it again
    /// answers nothing twice.
    pub fn carry_out_commissions(&mut self, today: Date) -> Result<Vec<CommissionResult>> {
        let me = self.identity();
        let budget = self.budget_doc();
        if !self.docs_map().contains_key(&budget) || self.header(&budget)?.owner != me {
            return Ok(vec![]);
        }
        let open: Vec<Authored<Commission>> = self
            .commissions(&me)?
            .into_iter()
            .filter(|c| c.result.is_none())
            .map(|c| c.commission)
            .collect();
        if open.is_empty() {
            return Ok(vec![]);
        }
        let (mandates, revocations) = self.mandate_records(&budget)?;
        let mut out = vec![];
        for c in open {
            let hash = keys::record_hash(&c.signed);
            let allowed = mandate_allows(
                &mandates,
                &revocations,
                &me,
                &c.author,
                c.record.task.action(),
                &c.record.id,
                today,
            );
            let task = c.record.task.clone();
            let id = c.record.id.clone();
            let key = format!("commission-result-{id}");
            let answer = |outcome| CommissionResult {
                commission_id: id.clone(),
                commission_hash: hash,
                outcome,
            };
            // What it makes carries an id derived from the commission: if the
            // answer was lost (or a writer deleted it), the record already
            // made is found and answered again, never made twice.
            let made = made_id(&id);
            // Carried out and answered together, or not at all; a refusal
            // (or the answer to what was made before) is written on its own.
            let carried = if self.made_already(&made)? {
                Ok(None)
            } else {
                allowed.and_then(|()| {
                    self.transact(|v| {
                        let r = answer(CommissionOutcome::Done {
                            record: v.carry_out_in(made.clone(), task)?,
                        });
                        v.put_record(&budget, &key, r.clone())?;
                        Ok(Some(r))
                    })
                    .map_err(|e| e.to_string())
                })
            };
            let (r, written) = match carried {
                Ok(Some(r)) => (r, true),
                Ok(None) => (answer(CommissionOutcome::Done { record: made }), false),
                Err(reason) => (answer(CommissionOutcome::Refused { reason }), false),
            };
            if !written {
                self.transact(|v| v.put_record(&budget, &key, r.clone()))?;
            }
            out.push(r);
        }
        Ok(out)
    }
}
