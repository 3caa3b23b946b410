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
use crate::keys::SignatureBatch;
use crate::ledger::EntryStatus;
use crate::market::reservation_for;
use crate::receipts::attachment_key;
use crate::vault::{Authored, Unchecked, Vault};

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

/// Verified records of one kind, by document.
type ByDoc<R> = HashMap<String, Vec<Authored<R>>>;

/// Every record gathering reads from the held budgets and agreements,
/// read once and verified together: all documents' records of all these
/// kinds go into one [`SignatureBatch`] (ed25519's batch gain grows with
/// the batch; read per document and kind, batches were 50–100 signatures),
/// and each document's records are then judged by the rule
/// [`Vault::records`] applies ([`Unchecked::judge`]): who placed a record,
/// its signature, its signer's role in the header. A record refused there
/// is left out here as it is by `records`.
#[derive(Default)]
struct Held {
    accounts: ByDoc<Account>,
    entries: ByDoc<LedgerEntry>,
    decisions: ByDoc<Decision>,
    requests: ByDoc<BudgetRequest>,
    receipts: ByDoc<Receipt>,
    agreements: ByDoc<Agreement>,
    countersignatures: ByDoc<AgreementSignature>,
    approvals: ByDoc<Approval>,
    declarations: ByDoc<Declaration>,
}

/// Reads records of one kind from each of `docs`, unchecked.
fn unchecked<'v, R: inwonercloud_schemas::Record>(v: &'v Vault, docs: &[&str]) -> Result<Vec<Unchecked<'v, R>>> {
    docs.iter().map(|d| v.unchecked_records::<R>(d)).collect()
}

/// Adds every record of `read` that needs a check to `batch`.
fn add_all<'a, R: inwonercloud_schemas::Record>(batch: &mut SignatureBatch<'a>, read: &'a [Unchecked<'_, R>]) {
    for u in read {
        for s in u.to_check() {
            batch.add(s);
        }
    }
}

/// Judges each document's records with the next verdicts (as many as it
/// added to the batch, in the same order).
fn judge_all<R: inwonercloud_schemas::Record>(
    docs: &[&str],
    read: Vec<Unchecked<'_, R>>,
    verdicts: &mut impl Iterator<Item = Result<()>>,
) -> ByDoc<R> {
    docs.iter()
        .zip(read)
        .map(|(d, u)| {
            let n = u.to_check().count();
            let (good, _) = u.judge(verdicts.by_ref().take(n));
            (d.to_string(), good)
        })
        .collect()
}

impl Held {
    /// Every budget and agreement document held, read and verified once.
    fn read(v: &Vault) -> Result<Held> {
        let of = |kind: DocKind| -> Vec<&str> {
            v.docs_map()
                .iter()
                .filter(|(_, d)| d.header.record.kind == kind)
                .map(|(id, _)| id.as_str())
                .collect()
        };
        let (budgets, agreements) = (of(DocKind::Budget), of(DocKind::Agreement));
        let accounts = unchecked::<Account>(v, &budgets)?;
        let entries = unchecked::<LedgerEntry>(v, &budgets)?;
        let decisions = unchecked::<Decision>(v, &budgets)?;
        let requests = unchecked::<BudgetRequest>(v, &budgets)?;
        let receipts = unchecked::<Receipt>(v, &budgets)?;
        let ags = unchecked::<Agreement>(v, &agreements)?;
        let sigs = unchecked::<AgreementSignature>(v, &agreements)?;
        let apps = unchecked::<Approval>(v, &agreements)?;
        let decls = unchecked::<Declaration>(v, &agreements)?;
        let verdicts = {
            let mut batch = SignatureBatch::default();
            add_all(&mut batch, &accounts);
            add_all(&mut batch, &entries);
            add_all(&mut batch, &decisions);
            add_all(&mut batch, &requests);
            add_all(&mut batch, &receipts);
            add_all(&mut batch, &ags);
            add_all(&mut batch, &sigs);
            add_all(&mut batch, &apps);
            add_all(&mut batch, &decls);
            batch.check()
        };
        let mut verdicts = verdicts.into_iter();
        let v = &mut verdicts;
        let mut accounts = judge_all(&budgets, accounts, v);
        for a in accounts.values_mut() {
            crate::budget::sort_accounts(a);
        }
        Ok(Held {
            accounts,
            entries: judge_all(&budgets, entries, v),
            decisions: judge_all(&budgets, decisions, v),
            requests: judge_all(&budgets, requests, v),
            receipts: judge_all(&budgets, receipts, v),
            agreements: judge_all(&agreements, ags, v),
            countersignatures: judge_all(&agreements, sigs, v),
            approvals: judge_all(&agreements, apps, v),
            declarations: judge_all(&agreements, decls, v),
        })
    }
}

/// The records of `doc` in `by_doc` (none when it holds none).
fn of<'h, R>(by_doc: &'h ByDoc<R>, doc: &str) -> &'h [Authored<R>] {
    by_doc.get(doc).map_or(&[], Vec::as_slice)
}

impl Vault {
    /// Every approved declaration this vault can see, as a claim bundle, in
    /// a stable order (approval time, then id).
    pub fn claim_bundles(&self) -> Result<Vec<ClaimBundle>> {
        self.bundles(&Held::read(self)?, &mut BTreeMap::new())
    }

    /// [`Vault::claim_bundles`] from the records in `held`, taking each
    /// budget's grant chains from `grants` (and adding the ones it had to
    /// make).
    fn bundles(&self, held: &Held, grants: &mut GrantsByBudget) -> Result<Vec<ClaimBundle>> {
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
            let agreements = of(&held.agreements, doc);
            let sigs = of(&held.countersignatures, doc);
            let apps = of(&held.approvals, doc);
            let decls = of(&held.declarations, doc);
            // The first declaration under each id, as a search from the start finds it.
            let mut by_id: HashMap<&str, &Authored<Declaration>> = HashMap::with_capacity(decls.len());
            for d in decls {
                by_id.entry(d.record.id.as_str()).or_insert(d);
            }
            for a in agreements
                .iter()
                .filter(|a| a.author == owner && a.record.citizen == owner)
            {
                let ag = &a.record;
                let budget = DocKind::Budget.doc_id(&ag.citizen);
                if !grants.contains_key(&budget) {
                    // A budget not held has no records in `held`: no chains.
                    let by_account = grants_by_account(held, &budget, of(&held.entries, &budget));
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
        let held = Held::read(self)?;
        let mut grants = GrantsByBudget::new();
        for (doc, _) in &budgets {
            grants.insert((*doc).clone(), grants_by_account(&held, doc, of(&held.entries, doc)));
        }
        let declarations = self.bundles(&held, &mut grants)?;
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
                &held,
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
    /// what the budget shows as spent. `held` holds the budget's verified
    /// records, `grants` its grant chains per account and `confirmed` the
    /// transfers both parties signed.
    fn budget_claims(
        &self,
        doc: &str,
        owner: &PublicKey,
        mut approved: Approved,
        held: &Held,
        grants: &BTreeMap<String, Vec<GrantChain>>,
        confirmed: &BTreeMap<String, inwonercloud_schemas::Transfer>,
    ) -> Result<BudgetClaims> {
        let entries = of(&held.entries, doc);
        let plain: Vec<Account> = of(&held.accounts, doc).iter().map(|a| a.record.clone()).collect();
        let report = self.ledger_report(doc, &plain, entries, confirmed)?;
        let granted = |account: &str| grants.get(account).filter(|g| !g.is_empty());
        let mut receipts_of: HashMap<&str, Vec<&Authored<Receipt>>> = HashMap::new();
        for r in of(&held.receipts, doc) {
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

    /// The trust roots this vault verifies claims against: the municipality
    /// keys it trusts ([`Vault::trusted_municipalities`]).
    pub fn trust_roots(&self) -> Result<TrustRoots> {
        TrustRoots::new(self.trusted_municipalities()?.into_keys())
    }

    /// Verifies every claim this vault can see against the keys it trusts
    /// (the municipality's job; its own key is trusted here).
    pub fn verify_claims(&self) -> Result<ClaimReport> {
        self.verify_claims_with(super::Proof::Gathered)
    }

    /// [`Vault::verify_claims`], taking the signatures' verdicts from
    /// `proof`: [`super::Proof::Gathered`] (what gathering verified in this
    /// same call) or [`super::Proof::Check`] (each checked again, as a
    /// claims file is).
    pub(super) fn verify_claims_with(&self, proof: super::Proof) -> Result<ClaimReport> {
        let c = self.claims()?;
        let mut r = super::judge(
            &c.declarations,
            &c.spends,
            &c.transfers,
            &self.trust_roots()?,
            |_, _| {},
            proof,
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

/// The grant chains of a budget per account, from its verified `entries`
/// and its decisions and requests in `held`.
fn grants_by_account(
    held: &Held,
    budget: &str,
    entries: &[Authored<LedgerEntry>],
) -> BTreeMap<String, Vec<GrantChain>> {
    let decisions = of(&held.decisions, budget);
    let requests = of(&held.requests, budget);
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
    out
}
