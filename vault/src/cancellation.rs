//! Ending an agreement early (*opzeggen*): either party signs a notice
//! naming the agreement and the last day of care. Care up to that day may
//! still be declared and approved; nothing after it, in the vault or in a
//! claim. Once the last day has passed, the budget holder's vault frees what
//! is still reserved for the agreement, like for an agreement whose period
//! ended ([`Vault::release_ended_reservations`]).

use inwonercloud_schemas::{AgreementCancellation, Date, PublicKey, SchemaError, Signed};

use crate::error::{Result, VaultError};
use crate::keys;
use crate::market::AgreementView;
use crate::vault::{Authored, Vault};

/// The record key of one party's cancellation of an agreement: one per
/// party, so notices both parties give at once are both kept (the earliest
/// last day counts).
fn key(agreement_id: &str, party: &PublicKey) -> String {
    format!("cancel-{agreement_id}-{party}")
}

/// Whether `c` validly ends the agreement `a` as signed: signed by one of
/// its two parties, over exactly that agreement.
pub fn cancels(a: &Signed<inwonercloud_schemas::Agreement>, c: &Signed<AgreementCancellation>) -> bool {
    let ag = &a.record;
    (c.author() == &ag.citizen || c.author() == &ag.provider)
        && c.record.agreement_id == ag.id
        && c.record.agreement_hash == keys::record_hash(a)
}

impl AgreementView {
    /// The last day care may be given: the period's end, or the
    /// cancellation's last day when that comes first.
    pub fn last_day(&self) -> Date {
        let end = self.agreement.record.period_end;
        match &self.cancellation {
            Some(c) if c.record.last_day < end => c.record.last_day,
            _ => end,
        }
    }
}

impl Vault {
    /// One party ends agreement `agreement_id` after `last_day`, giving a
    /// reason. The last day may not lie before care already declared nor
    /// after the agreement's end; an agreement is cancelled once.
    pub fn cancel_agreement(
        &mut self,
        agreement_id: &str,
        last_day: Date,
        reason: &str,
    ) -> Result<AgreementCancellation> {
        self.transact(|v| v.cancel_agreement_in(agreement_id, last_day, reason))
    }

    fn cancel_agreement_in(
        &mut self,
        agreement_id: &str,
        last_day: Date,
        reason: &str,
    ) -> Result<AgreementCancellation> {
        let invalid = |m: String| VaultError::Input(SchemaError::Invalid(m));
        let a = self.agreement(agreement_id)?;
        let ag = &a.agreement.record;
        let me = self.identity();
        if me != ag.citizen && me != ag.provider {
            return Err(VaultError::NotAllowed(
                "only the budget holder or the provider of an agreement can cancel it".into(),
            ));
        }
        let (notices, _) = self.records::<AgreementCancellation>(&a.doc)?;
        if notices
            .iter()
            .any(|c| c.author == me && cancels(&a.agreement.signed, &c.signed))
        {
            return Err(invalid(format!("you cancelled agreement {} already", ag.id)));
        }
        if reason.trim().is_empty() {
            return Err(invalid("say why the agreement ends".into()));
        }
        if last_day > ag.period_end {
            return Err(invalid(format!(
                "the agreement ends on {} already; a cancellation ends it earlier",
                ag.period_end
            )));
        }
        if let Some(declared) = a.declarations.iter().map(|d| d.declaration.record.period_end).max()
            && last_day < declared
        {
            return Err(invalid(format!(
                "care is declared up to {declared}; the last day cannot lie before it"
            )));
        }
        let c = AgreementCancellation {
            agreement_id: ag.id.clone(),
            agreement_hash: keys::record_hash(&a.agreement.signed),
            last_day,
            reason: reason.trim().to_string(),
        };
        Ok(self.put_record(&a.doc, &key(&ag.id, &me), c)?.record)
    }

    /// The valid cancellation of agreement `a` in document `doc`, if any
    /// (the earliest last day when both parties gave notice).
    pub(crate) fn cancellation_of(
        &self,
        doc: &str,
        a: &Authored<inwonercloud_schemas::Agreement>,
    ) -> Result<Option<Authored<AgreementCancellation>>> {
        let (all, _) = self.records::<AgreementCancellation>(doc)?;
        Ok(all
            .into_iter()
            .filter(|c| cancels(&a.signed, &c.signed))
            .min_by_key(|c| c.record.last_day))
    }
}
