//! Gathering claims from the documents a vault holds: every approved
//! declaration, and every other spend on a granted account.

use std::collections::{BTreeMap, HashMap};

use inwonercloud_schemas::{
    Account, Agreement, AgreementSignature, Approval, BudgetRequest, Decision, Declaration, DocKind, EntryKind,
    LedgerEntry, PublicKey, Receipt, Verdict,
};
use rust_decimal::Decimal;

use super::{CLAIMS_FORMAT, ClaimBundle, ClaimReport, ClaimsFile, FileBytes, GrantChain, SpendBundle, TrustRoots};
use crate::error::Result;
use crate::ledger::EntryStatus;
use crate::market::reservation_for;
use crate::receipts::attachment_key;
use crate::vault::{Authored, Vault};

/// What a vault can claim: declarations and the other spends.
#[derive(Clone, Debug, Default)]
pub struct Claims {
    /// Approved declarations.
    pub declarations: Vec<ClaimBundle>,
    /// Spends not accounted for by a declaration held here.
    pub spends: Vec<SpendBundle>,
    /// The holders' transfers out of granted accounts.
    pub transfers: Vec<inwonercloud_schemas::Signed<LedgerEntry>>,
    /// Per held budget: its holder, and what she spent on accounts the
    /// municipality granted (what valid and not-verified claims add up to).
    pub spent: Vec<(PublicKey, Decimal)>,
}

impl Claims {
    /// How many claims there are.
    pub fn len(&self) -> usize {
        self.declarations.len() + self.spends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where these claims come with a citizen's budget, what could not be
    /// verified is her spending on granted accounts less her valid claims:
    /// spent euros, never claims nobody spent (an approval signed by someone
    /// who may not approve books nothing, and is listed, not counted).
    pub fn reconcile(&self, r: &mut ClaimReport) {
        for (owner, spent) in &self.spent {
            let tail = format!("({})", owner.short());
            let label = r
                .per_citizen
                .keys()
                .chain(r.not_verified.keys())
                .chain(r.claims.iter().map(|c| &c.citizen))
                .find(|k| k.ends_with(&tail))
                .cloned();
            let Some(label) = label else { continue };
            let valid = r.per_citizen.get(&label).copied().unwrap_or_default();
            let left = *spent - valid;
            if left > Decimal::ZERO {
                r.not_verified.insert(label, left);
            } else {
                r.not_verified.remove(&label);
            }
        }
    }
}

/// What one held budget adds to the claims.
struct BudgetClaims {
    spends: Vec<SpendBundle>,
    transfers: Vec<inwonercloud_schemas::Signed<LedgerEntry>>,
    spent: Decimal,
}

/// The grant chains of each held budget per account, by budget document
/// (filled as they are first needed, each budget's records read once).
type GrantsByBudget = BTreeMap<String, BTreeMap<String, Vec<GrantChain>>>;

/// What the approvals held here account for, per citizen: (reservation,
/// amount, date) → how many.
type Approved = BTreeMap<(String, Decimal, inwonercloud_schemas::Date), usize>;

impl Vault {
    /// Every approved declaration this vault can see, as a claim bundle, in
    /// a stable order (approval time, then id).
    pub fn claim_bundles(&self) -> Result<Vec<ClaimBundle>> {
        self.bundles(&mut BTreeMap::new())
    }

    /// [`Vault::claim_bundles`], taking each budget's grant chains from
    /// `grants` (and adding the ones it had to read).
    fn bundles(&self, grants: &mut GrantsByBudget) -> Result<Vec<ClaimBundle>> {
        let mut out = Vec::new();
        // Mandates per (budget, agreement document): several agreements share them.
        let mut mandates: BTreeMap<(String, String), super::declaration::Mandates> = BTreeMap::new();
        for (doc, h) in self.docs_map() {
            let h = &h.header.record;
            if h.kind != DocKind::Agreement {
                continue;
            }
            let owner = h.owner;
            // Every record once per document. Approvals and declarations are
            // taken whoever signed them: judging that is `check_all`'s job.
            let (agreements, _) = self.records::<Agreement>(doc)?;
            let (sigs, _) = self.records::<AgreementSignature>(doc)?;
            let (apps, _) = self.records::<Approval>(doc)?;
            let (decls, _) = self.records::<Declaration>(doc)?;
            // The first declaration under each id, as a search from the start finds it.
            let mut by_id: HashMap<&str, &Authored<Declaration>> = HashMap::with_capacity(decls.len());
            for d in &decls {
                by_id.entry(d.record.id.as_str()).or_insert(d);
            }
            for a in agreements
                .iter()
                .filter(|a| a.author == owner && a.record.citizen == owner)
            {
                let ag = &a.record;
                let budget = DocKind::Budget.doc_id(&ag.citizen);
                if !grants.contains_key(&budget) {
                    let by_account = if self.header(&budget).is_ok() {
                        let (entries, _) = self.records::<LedgerEntry>(&budget)?;
                        self.grants_by_account(&budget, &entries)?
                    } else {
                        BTreeMap::new()
                    };
                    grants.insert(budget.clone(), by_account);
                }
                let chains: &[GrantChain] = grants
                    .get(&budget)
                    .and_then(|g| g.get(&ag.account))
                    .map_or(&[], Vec::as_slice);
                // The holder's mandates as held here: in her budget, or copied into this agreement.
                let mkey = (budget.clone(), doc.clone());
                if !mandates.contains_key(&mkey) {
                    mandates.insert(mkey.clone(), self.mandates_of(&ag.citizen, Some(doc))?);
                }
                let (given, revoked) = mandates.get(&mkey).cloned().unwrap_or_default();
                let cancellation = self.cancellation_of(doc, a)?.map(|c| c.signed);
                let countersignature = sigs
                    .iter()
                    .find(|s| s.record.agreement_id == ag.id && s.author == ag.provider)
                    .map(|s| s.signed.clone());
                for ap in apps.iter().filter(|x| x.record.verdict == Verdict::Goedgekeurd) {
                    let Some(d) = by_id.get(ap.record.declaration_id.as_str()) else {
                        continue;
                    };
                    if d.record.agreement_id != ag.id {
                        continue;
                    }
                    // Only the mandates the check needs travel with a claim.
                    let by_other = ap.author != ag.citizen;
                    out.push((
                        (ap.signed_at, ap.record.id.clone()),
                        ClaimBundle {
                            agreement: a.signed.clone(),
                            countersignature: countersignature.clone(),
                            declaration: d.signed.clone(),
                            approval: ap.signed.clone(),
                            grants: chains.to_vec(),
                            cancellation: cancellation.clone(),
                            mandates: if by_other { given.clone() } else { vec![] },
                            revocations: if by_other { revoked.clone() } else { vec![] },
                        },
                    ));
                }
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out.into_iter().map(|(_, b)| b).collect())
    }

    /// Every claim this vault can see: approved declarations, and per held
    /// budget the other spends on granted accounts, the transfers out of
    /// them and what was spent there.
    ///
    /// One pass over what is held, whatever the number of budgets: each
    /// budget's records are read once (its grant chains serve both its
    /// declarations and its spends), the approvals are indexed by citizen
    /// once, and the transfers both parties signed are read once for all
    /// ledgers (rather than a walk of every document per budget).
    pub fn claims(&self) -> Result<Claims> {
        let budgets: Vec<(&String, PublicKey)> = self
            .docs_map()
            .iter()
            .filter(|(_, d)| d.header.record.kind == DocKind::Budget)
            .map(|(id, d)| (id, d.header.record.owner))
            .collect();
        let mut entries: BTreeMap<&str, Vec<Authored<LedgerEntry>>> = BTreeMap::new();
        let mut grants = GrantsByBudget::new();
        for (doc, _) in &budgets {
            let (e, _) = self.records::<LedgerEntry>(doc)?;
            grants.insert((*doc).clone(), self.grants_by_account(doc, &e)?);
            entries.insert(doc.as_str(), e);
        }
        let declarations = self.bundles(&mut grants)?;
        let mut approved: BTreeMap<PublicKey, Approved> = BTreeMap::new();
        for b in &declarations {
            if let Ok(amount) = b.declaration.record.amount() {
                let key = (
                    reservation_for(&b.agreement.record.id),
                    amount,
                    b.declaration.record.period_end,
                );
                *approved
                    .entry(b.agreement.record.citizen)
                    .or_default()
                    .entry(key)
                    .or_default() += 1;
            }
        }
        let confirmed = self.confirmed_transfers();
        let none = BTreeMap::new();
        let mut c = Claims::default();
        for (doc, owner) in budgets {
            let b = self.budget_claims(
                doc,
                &owner,
                approved.get(&owner).cloned().unwrap_or_default(),
                entries.get(doc.as_str()).map_or(&[], Vec::as_slice),
                grants.get(doc.as_str()).unwrap_or(&none),
                &confirmed,
            )?;
            c.spends.extend(b.spends);
            c.transfers.extend(b.transfers);
            c.spent.push((owner, b.spent));
        }
        c.declarations = declarations;
        Ok(c)
    }

    /// One held budget, read once: every spend on a granted account that no
    /// approved declaration (`approved`, the holder's) accounts for (matched
    /// one to one by reservation, amount and date), with its receipts and
    /// their files, in ledger order; the holder's transfers out of granted
    /// accounts (pending ones too: the money may leave); and what was spent
    /// on granted accounts. A spend the budget itself refuses is not spent
    /// and is left out; every other one is here, so the claims add up to
    /// what the budget shows as spent. `entries` are the budget's verified
    /// entries, `grants` its grant chains per account and `confirmed` the
    /// transfers both parties signed.
    fn budget_claims(
        &self,
        doc: &str,
        owner: &PublicKey,
        mut approved: Approved,
        entries: &[Authored<LedgerEntry>],
        grants: &BTreeMap<String, Vec<GrantChain>>,
        confirmed: &BTreeMap<String, inwonercloud_schemas::Transfer>,
    ) -> Result<BudgetClaims> {
        let (accounts, _) = self.sorted_accounts(doc)?;
        let plain: Vec<Account> = accounts.into_iter().map(|a| a.record).collect();
        let report = self.ledger_report(doc, &plain, entries, confirmed)?;
        let granted = |account: &str| grants.get(account).filter(|g| !g.is_empty());
        let (receipts, _) = self.records::<Receipt>(doc)?;
        let mut receipts_of: HashMap<&str, Vec<&Authored<Receipt>>> = HashMap::new();
        for r in &receipts {
            receipts_of.entry(r.record.entry.as_str()).or_default().push(r);
        }
        // The exact record the ledger counted (one signer may sign two
        // entries under one id; the other is not this entry): the first
        // of that signer, id and content, as a search from the start finds it.
        let mut by_id: HashMap<(&PublicKey, &str), Vec<&Authored<LedgerEntry>>> = HashMap::new();
        for x in entries {
            by_id.entry((&x.author, x.record.id.as_str())).or_default().push(x);
        }
        let signed = |line: &crate::ledger::EntryLine| -> Option<&Authored<LedgerEntry>> {
            by_id
                .get(&(&line.author, line.entry.id.as_str()))
                .and_then(|xs| xs.iter().find(|x| x.record == line.entry))
                .copied()
        };
        let mut out = BudgetClaims {
            spends: vec![],
            transfers: vec![],
            spent: Decimal::ZERO,
        };
        for line in report
            .lines
            .iter()
            .filter(|l| !matches!(l.status, EntryStatus::Refused { .. }))
        {
            let e = &line.entry;
            // Own money on an account the municipality never funded is not claimed.
            let Some(chains) = granted(&e.account) else {
                continue;
            };
            if e.kind == EntryKind::TransferOut && &line.author == owner {
                if let Some(t) = signed(line) {
                    out.transfers.push(t.signed.clone());
                }
                continue;
            }
            if e.kind != EntryKind::Spend {
                continue;
            }
            // Reconciled against the euro totals: points and hours are not euros.
            if report.accounts.get(&e.account).and_then(|f| f.unit) == Some(inwonercloud_schemas::Unit::Euro) {
                out.spent += e.amount;
            }
            if let Some(r) = &e.reference {
                let key = (r.clone(), e.amount, e.date);
                if let Some(n) = approved.get_mut(&key).filter(|n| **n > 0) {
                    *n -= 1;
                    continue;
                }
            }
            let Some(entry) = signed(line) else {
                continue;
            };
            let mine = receipts_of.get(e.id.as_str()).map_or(&[][..], Vec::as_slice);
            let mut files: Vec<FileBytes> = Vec::new();
            for f in mine.iter().flat_map(|r| r.record.files.iter()) {
                if files.iter().any(|x| x.hash == f.hash) {
                    continue;
                }
                if let Some(bytes) = self.doc_bytes(doc, &attachment_key(&f.hash))? {
                    files.push(FileBytes { hash: f.hash, bytes });
                }
            }
            out.spends.push(SpendBundle {
                entry: entry.signed.clone(),
                receipts: mine.iter().map(|r| r.signed.clone()).collect(),
                files,
                grants: chains.clone(),
            });
        }
        Ok(out)
    }

    /// The grant chains of a budget per account, from its verified
    /// `entries` (its decisions and requests read here, once).
    fn grants_by_account(
        &self,
        budget: &str,
        entries: &[Authored<LedgerEntry>],
    ) -> Result<BTreeMap<String, Vec<GrantChain>>> {
        let (decisions, _) = self.records::<Decision>(budget)?;
        let (requests, _) = self.records::<BudgetRequest>(budget)?;
        let mut out: BTreeMap<String, Vec<GrantChain>> = BTreeMap::new();
        for e in entries
            .iter()
            .filter(|e| matches!(e.record.kind, EntryKind::Grant | EntryKind::Adjustment))
        {
            let Some(d) = e
                .record
                .reference
                .as_ref()
                .and_then(|r| decisions.iter().find(|d| &d.record.id == r))
            else {
                continue;
            };
            let Some(r) = requests.iter().find(|r| r.record.id == d.record.request_id) else {
                continue;
            };
            out.entry(e.record.account.clone()).or_default().push(GrantChain {
                entry: e.signed.clone(),
                decision: d.signed.clone(),
                request: r.signed.clone(),
            });
        }
        Ok(out)
    }

    /// The trust roots this vault verifies claims against: the municipality
    /// keys it trusts ([`Vault::trusted_municipalities`]).
    pub fn trust_roots(&self) -> Result<TrustRoots> {
        TrustRoots::new(self.trusted_municipalities()?.into_keys())
    }

    /// Verifies every claim this vault can see against the keys it trusts
    /// (the municipality's job; its own key is trusted here).
    pub fn verify_claims(&self) -> Result<ClaimReport> {
        let c = self.claims()?;
        let mut r = super::check_all(
            &c.declarations,
            &c.spends,
            &c.transfers,
            &self.trust_roots()?,
            |_, _| {},
        );
        c.reconcile(&mut r);
        Ok(r)
    }

    /// A self-contained claims file of every claim this vault can see.
    pub fn export_claims(&self) -> Result<ClaimsFile> {
        let c = self.claims()?;
        Ok(ClaimsFile {
            format: CLAIMS_FORMAT.into(),
            claims: c.declarations,
            spends: c.spends,
            transfers: c.transfers,
        })
    }
}
