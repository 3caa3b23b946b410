//! Budget exchange between two budget holders (EigenBudget phase 3): for
//! example into a family member's account or into a shared pot.
//!
//! The sender owns an exchange document per receiver (`<sender>/exchange/
//! <receiver>`, the receiver its only other writer, shared with the receiver
//! by a write consent). A transfer is a [`Transfer`] record signed by the
//! sender there plus a `TransferOut` entry in the sender's budget; the
//! receiver answers with a [`TransferAcceptance`] there plus a `TransferIn`
//! entry in their own budget. Either ledger counts its entry only when both
//! signatures are present and agree on the amount; until then the entry is
//! shown as pending and moves no money. So both ledgers stay consistent: the
//! money leaves one exactly when it arrives in the other.

use std::collections::BTreeMap;

use inwonercloud_schemas::{
    Access, Date, DocKind, EntryKind, LedgerEntry, PublicKey, Role, SchemaError, Transfer, TransferAcceptance,
};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Result, VaultError};
use crate::keys;
use crate::plan::new_id;
use crate::vault::{Authored, Vault};

/// A transfer as this vault sees it.
#[derive(Clone, Debug, Serialize)]
pub struct TransferView {
    /// Exchange document.
    pub doc: String,
    /// The sender's signed transfer.
    pub transfer: Authored<Transfer>,
    /// The receiver's signed acceptance, once given.
    pub acceptance: Option<Authored<TransferAcceptance>>,
}

impl TransferView {
    /// Both signatures present and in agreement.
    pub fn confirmed(&self) -> bool {
        self.acceptance
            .as_ref()
            .is_some_and(|a| a.author == self.transfer.record.to && a.record.amount == self.transfer.record.amount)
    }
}

fn invalid(msg: impl Into<String>) -> VaultError {
    VaultError::Input(SchemaError::Invalid(msg.into()))
}

impl Vault {
    /// The exchange document from this holder to `receiver`.
    pub fn exchange_doc_id(&self, receiver: &PublicKey) -> String {
        format!("{}/exchange/{receiver}", self.identity())
    }

    /// Offers a transfer of `amount` euros from `from_account` to
    /// `receiver` (a known peer), for `category`. The category must be
    /// exchangeable under the policy in force; the account must hold enough.
    pub fn offer_transfer(
        &mut self,
        receiver: PublicKey,
        from_account: &str,
        amount: Decimal,
        category: &str,
        note: &str,
    ) -> Result<Transfer> {
        self.transact(|v| v.offer_transfer_in(receiver, from_account, amount, category, note))
    }

    fn offer_transfer_in(
        &mut self,
        receiver: PublicKey,
        from_account: &str,
        amount: Decimal,
        category: &str,
        note: &str,
    ) -> Result<Transfer> {
        self.offer_transfer_as(new_id(), receiver, from_account, amount, category, note)
    }

    /// [`Vault::offer_transfer`] inside the caller's transaction, under the given id.
    pub(crate) fn offer_transfer_as(
        &mut self,
        id: String,
        receiver: PublicKey,
        from_account: &str,
        amount: Decimal,
        category: &str,
        note: &str,
    ) -> Result<Transfer> {
        keys::checked_key(&receiver)?;
        if receiver == self.identity() {
            return Err(invalid("a transfer to yourself changes nothing: use another account"));
        }
        let budget = self.budget_doc();
        if self.header(&budget)?.owner != self.identity() {
            return Err(VaultError::NotAllowed(
                "only a budget holder can transfer budget".into(),
            ));
        }
        let account = self.find_account(&budget, from_account)?;
        crate::market::require_euros(&account, "a transfer")?;
        let cat = self.catalogue();
        let c = cat
            .get(category)
            .ok_or_else(|| invalid(format!("unknown category {category}: choose one from the catalogue")))?;
        if !c.exchangeable {
            return Err(VaultError::NotAllowed(format!(
                "budget for {} may not be exchanged under the policy",
                c.name_nl
            )));
        }
        if amount <= Decimal::ZERO || amount.scale() > 2 {
            return Err(invalid("a transfer is a euro amount above zero"));
        }
        let left = self
            .budget(&budget)?
            .report
            .accounts
            .get(&account.id)
            .map(|f| f.remaining)
            .unwrap_or_default();
        if amount > left {
            return Err(VaultError::NotEnoughLeft {
                needed: amount,
                left,
                unit: account.unit,
            });
        }
        let doc = self.open_exchange(receiver)?;
        let t = Transfer {
            id,
            from: self.identity(),
            from_account: account.id.clone(),
            to: receiver,
            amount,
            category: category.to_string(),
            date: Date::today(),
            note: note.trim().to_string(),
        };
        let id = t.id.clone();
        let t = self.put_record(&doc, &id, t)?.record;
        let out = LedgerEntry {
            id: new_id(),
            account: account.id,
            kind: EntryKind::TransferOut,
            amount,
            category: Some(category.to_string()),
            date: t.date,
            note: format!("overboeking {id}: {}", t.note),
            reference: Some(id),
        };
        let eid = out.id.clone();
        self.put_record(&budget, &eid, out)?;
        Ok(t)
    }

    fn open_exchange(&mut self, receiver: PublicKey) -> Result<String> {
        let id = self.exchange_doc_id(&receiver);
        let id = self.create_exchange_document(id, receiver)?;
        let shared = self
            .consents()?
            .iter()
            .any(|c| c.active && c.consent.record.grantee == receiver && c.consent.record.documents.contains(&id));
        if !shared {
            let name = self.display_name(&receiver);
            // A fixed role: the receiver's certificate names itself, and a
            // transfer makes no one the citizen's municipality.
            self.grant_consent(
                receiver,
                &name,
                Role::Citizen,
                vec![id.clone()],
                Access::Write,
                None,
                "overboeking van budget",
            )?;
        }
        Ok(id)
    }

    /// The receiver accepts a transfer into `to_account` of their own budget.
    pub fn accept_transfer(&mut self, transfer: &str, to_account: &str) -> Result<TransferAcceptance> {
        self.transact(|v| v.accept_transfer_in(transfer, to_account))
    }

    fn accept_transfer_in(&mut self, transfer: &str, to_account: &str) -> Result<TransferAcceptance> {
        let id = transfer.trim();
        let v = self.exact_record::<Transfer, _>("transfer", DocKind::Exchange, id, |v, doc| {
            Ok(v.transfers_in(doc)?.into_iter().find(|t| t.transfer.record.id == id))
        })?;
        let t = &v.transfer.record;
        if t.to != self.identity() {
            return Err(VaultError::NotAllowed("this transfer is not addressed to you".into()));
        }
        if v.acceptance.is_some() {
            return Err(invalid("this transfer is accepted already"));
        }
        let exchangeable = self.catalogue().get(&t.category).is_some_and(|c| c.exchangeable);
        if !exchangeable {
            return Err(VaultError::NotAllowed(format!(
                "budget for {} may not be exchanged under the policy",
                t.category
            )));
        }
        let budget = self.budget_doc();
        let account = self.find_account(&budget, to_account)?;
        crate::market::require_euros(&account, "a transfer")?;
        let a = TransferAcceptance {
            transfer_id: t.id.clone(),
            to_account: account.id.clone(),
            amount: t.amount,
        };
        let key = format!("accept-{}", t.id);
        let a = self.put_record(&v.doc, &key, a)?.record;
        let entry = LedgerEntry {
            id: new_id(),
            account: account.id,
            kind: EntryKind::TransferIn,
            amount: t.amount,
            category: Some(t.category.clone()),
            date: t.date,
            note: format!("overboeking {} van {}", t.id, self.display_name(&t.from)),
            reference: Some(t.id.clone()),
        };
        let eid = entry.id.clone();
        self.put_record(&budget, &eid, entry)?;
        Ok(a)
    }

    /// Every transfer in the exchange documents held here. A transfer counts
    /// only when signed by its sender, who owns the document; an acceptance
    /// only when signed by the transfer's receiver.
    pub fn transfers(&self) -> Result<Vec<TransferView>> {
        let mut out = Vec::new();
        for doc in self.document_ids() {
            out.extend(self.transfers_in(&doc)?);
        }
        Ok(out)
    }

    /// The transfers of one exchange document (none for other kinds).
    fn transfers_in(&self, doc: &str) -> Result<Vec<TransferView>> {
        let mut out = Vec::new();
        let h = self.header(doc)?;
        if h.kind != DocKind::Exchange {
            return Ok(out);
        }
        let owner = h.owner;
        let (ts, _) = self.records::<Transfer>(doc)?;
        let (accs, _) = self.records::<TransferAcceptance>(doc)?;
        for t in ts.into_iter().filter(|t| t.author == owner && t.record.from == owner) {
            let acceptance = accs
                .iter()
                .find(|a| a.record.transfer_id == t.record.id && a.author == t.record.to)
                .cloned();
            out.push(TransferView {
                doc: doc.to_string(),
                transfer: t,
                acceptance,
            });
        }
        Ok(out)
    }

    /// Transfer ids signed by both parties, with their amounts and parties.
    pub(crate) fn confirmed_transfers(&self) -> BTreeMap<String, Transfer> {
        self.transfers()
            .unwrap_or_default()
            .into_iter()
            .filter(TransferView::confirmed)
            .map(|v| (v.transfer.record.id.clone(), v.transfer.record))
            .collect()
    }
}
