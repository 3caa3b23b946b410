//! Budget accounts and ledger entries through the vault.

use std::collections::BTreeMap;

use inwonercloud_schemas::{
    Account, Date, DocKind, EntryKind, FundingStream, LedgerEntry, Role, SchemaError, Transfer, Unit,
};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Result, VaultError};
use crate::ledger::{self, LedgerInput, LedgerReport};
use crate::plan::new_id;
use crate::vault::{Authored, BadRecord, Vault};

/// What a new ledger entry is made of.
#[derive(Clone, Debug)]
pub struct NewEntry {
    /// Account id.
    pub account: String,
    /// Kind.
    pub kind: EntryKind,
    /// Amount.
    pub amount: Decimal,
    /// pgb category.
    pub category: Option<String>,
    /// Day it applies to.
    pub date: Date,
    /// Free text.
    pub note: String,
    /// Reference.
    pub reference: Option<String>,
}

/// The budget as the app shows it.
#[derive(Clone, Debug, Serialize)]
pub struct BudgetView {
    /// Document id.
    pub doc: String,
    /// Accounts, by period start, name and id (content only, so every
    /// replica and every screen lists them, and picks the first, alike).
    pub accounts: Vec<Authored<Account>>,
    /// The computed figures and every entry with its status.
    pub report: LedgerReport,
    /// Records that failed verification.
    pub bad: Vec<BadRecord>,
    /// Per ledger entry id, the files of its valid receipts (see
    /// [`Vault::receipts`] for all, with why one does not count).
    pub receipts: std::collections::BTreeMap<String, Vec<inwonercloud_schemas::Attachment>>,
    /// The budget holder (the document's owner): a counted line by someone
    /// else was signed for her by a representative she mandated.
    pub owner: inwonercloud_schemas::PublicKey,
}

impl BudgetView {
    /// Own money (top-ups) and municipal money (grants) across all euro
    /// accounts (hours and points are not money).
    pub fn own_and_municipal(&self) -> (Decimal, Decimal) {
        self.report
            .accounts
            .values()
            .filter(|f| f.unit == Some(Unit::Euro))
            .fold((Decimal::ZERO, Decimal::ZERO), |(o, m), f| {
                (o + f.topped_up, m + f.granted)
            })
    }
}

impl Vault {
    /// The owner's budget document id.
    pub fn budget_doc(&self) -> String {
        self.doc_id(DocKind::Budget)
    }

    /// Opens a budget account.
    pub fn add_account(
        &mut self,
        doc: &str,
        name: &str,
        stream: FundingStream,
        unit: Unit,
        period_start: Date,
        period_end: Date,
    ) -> Result<Account> {
        let a = Account {
            id: new_id(),
            name: name.trim().to_string(),
            stream,
            unit,
            period_start,
            period_end,
        };
        a.validate()?;
        let id = a.id.clone();
        Ok(self.put_record(doc, &id, a)?.record)
    }

    /// Finds an account by id or (unique, case-insensitive) name.
    pub fn find_account(&self, doc: &str, key: &str) -> Result<Account> {
        let (accounts, _) = self.records::<Account>(doc)?;
        if let Some(a) = accounts.iter().find(|a| a.record.id == key) {
            return Ok(a.record.clone());
        }
        let matches: Vec<_> = accounts
            .iter()
            .filter(|a| a.record.name.eq_ignore_ascii_case(key.trim()))
            .collect();
        match matches.as_slice() {
            [one] => Ok(one.record.clone()),
            [] => Err(VaultError::UnknownRecord {
                what: "account",
                id: key.to_string(),
            }),
            _ => Err(VaultError::Input(SchemaError::Invalid(format!(
                "more than one account is called '{key}': use its id"
            )))),
        }
    }

    /// Records a ledger entry after checking it against the account and the
    /// rule of who may record what.
    pub fn record_entry(&mut self, doc: &str, e: NewEntry) -> Result<LedgerEntry> {
        self.write_entry(doc, e, false)
    }

    /// [`Vault::record_entry`]; with `for_holder`, by a representative whose
    /// mandate the caller checked (a spend for an approved declaration).
    pub(crate) fn write_entry(&mut self, doc: &str, e: NewEntry, for_holder: bool) -> Result<LedgerEntry> {
        let account = self.find_account(doc, &e.account)?;
        if e.kind == EntryKind::TopUp {
            // One's own money is euros; hours or points cannot be added from it.
            crate::market::require_euros(&account, "a top-up (your own money)")?;
        }
        match e.kind {
            EntryKind::Grant | EntryKind::Adjustment if !self.acts_as(doc, Role::Municipality)? => {
                return Err(VaultError::NotAllowed(
                    "only the municipality can grant or adjust a budget: the budget holder has not given you \
                     the municipality's role in this budget"
                        .into(),
                ));
            }
            EntryKind::Grant | EntryKind::Adjustment => {}
            _ if !for_holder && self.header(doc)?.owner != self.identity() => {
                return Err(VaultError::NotAllowed("only the budget holder can record this".into()));
            }
            _ => {}
        }
        let entry = LedgerEntry {
            id: new_id(),
            account: account.id.clone(),
            kind: e.kind,
            amount: e.amount,
            category: e.category,
            date: e.date,
            note: e.note.trim().to_string(),
            reference: e.reference,
        };
        entry.validate(account.unit)?;
        let id = entry.id.clone();
        Ok(self.put_record(doc, &id, entry)?.record)
    }

    /// Adds the citizen's own money to an account.
    pub fn top_up(&mut self, doc: &str, account: &str, amount: Decimal, date: Date, note: &str) -> Result<LedgerEntry> {
        self.record_entry(
            doc,
            NewEntry {
                account: account.to_string(),
                kind: EntryKind::TopUp,
                amount,
                category: None,
                date,
                note: note.to_string(),
                reference: None,
            },
        )
    }

    /// Accounts, figures and entries of a budget document.
    pub fn budget(&self, doc: &str) -> Result<BudgetView> {
        let (accounts, mut bad) = self.sorted_accounts(doc)?;
        let (entries, b) = self.records::<LedgerEntry>(doc)?;
        bad.extend(b);
        let owner = self.header(doc)?.owner;
        let plain: Vec<Account> = accounts.iter().map(|a| a.record.clone()).collect();
        let report = self.ledger_report(doc, &plain, &entries, &self.confirmed_transfers())?;
        let mut receipts: std::collections::BTreeMap<String, Vec<inwonercloud_schemas::Attachment>> =
            std::collections::BTreeMap::new();
        for r in self.receipts(doc)?.into_iter().filter(|r| r.valid) {
            receipts
                .entry(r.receipt.record.entry.clone())
                .or_default()
                .extend(r.receipt.record.files);
        }
        Ok(BudgetView {
            doc: doc.to_string(),
            accounts,
            report,
            bad,
            receipts,
            owner,
        })
    }

    /// The accounts of budget `doc`, by period start, name and id (and
    /// the ones that failed verification).
    pub(crate) fn sorted_accounts(&self, doc: &str) -> Result<(Vec<Authored<Account>>, Vec<BadRecord>)> {
        let (mut accounts, bad) = self.records::<Account>(doc)?;
        sort_accounts(&mut accounts);
        Ok((accounts, bad))
    }

    /// The ledger's figures of budget `doc` from its verified `accounts` and
    /// `entries`, given the transfers both parties signed
    /// ([`Vault::confirmed_transfers`], read once by a caller that computes
    /// many budgets rather than once per budget).
    pub(crate) fn ledger_report(
        &self,
        doc: &str,
        accounts: &[Account],
        entries: &[Authored<LedgerEntry>],
        confirmed: &BTreeMap<String, Transfer>,
    ) -> Result<LedgerReport> {
        let owner = self.header(doc)?.owner;
        let inputs: Vec<LedgerInput> = entries
            .iter()
            .map(|a| LedgerInput {
                transfer_confirmed: a
                    .record
                    .reference
                    .as_ref()
                    .and_then(|r| confirmed.get(r))
                    .is_some_and(|t| {
                        t.amount == a.record.amount
                            && match a.record.kind {
                                EntryKind::TransferOut => t.from == owner && t.from_account == a.record.account,
                                EntryKind::TransferIn => t.to == owner,
                                _ => false,
                            }
                    }),
                author_is_municipality: a.author_role == Some(Role::Municipality),
                author: a.author,
                entry: a.record.clone(),
            })
            .collect();
        let (mandates, revocations) = self.mandate_records(doc)?;
        let signed: Vec<(inwonercloud_schemas::PublicKey, &LedgerEntry)> =
            inputs.iter().map(|i| (i.author, &i.entry)).collect();
        let mandated = crate::mandate::mandated_entries(&mandates, &revocations, &owner, &signed);
        Ok(ledger::compute_with(accounts, &inputs, &owner, &mandated))
    }
}

/// Puts accounts in the order every screen and replica shows them: by
/// period start, name and id (content only).
pub(crate) fn sort_accounts(accounts: &mut [Authored<Account>]) {
    accounts.sort_by(|a, b| {
        let (a, b) = (&a.record, &b.record);
        (a.period_start, &a.name, &a.id).cmp(&(b.period_start, &b.name, &b.id))
    });
}
