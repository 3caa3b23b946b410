//! Verifiable spending claims: one claim is an approved declaration with
//! every signed record that justifies it, checked the same way inside a
//! vault and offline from an exported file.
//!
//! A claim is valid when, in this order: every signature verifies; the
//! agreement is signed by the citizen and countersigned by the provider; the
//! declaration is signed by the agreement's provider; the approval is signed
//! by the budget holder and covers exactly this declaration; a grant signed
//! by the municipality funds the agreement's account, tied by the
//! municipality's decision to a request the same citizen signed; the
//! declaration's category and period fall within that grant; its tariff is
//! not above the agreed tariff; the declaration is not counted before; and
//! the claims on an account stay within what was granted to it. The first
//! rule a claim breaks is its reason.
//!
//! **Whose grant counts is the verifier's decision, never the file's.** A
//! grant chain counts only when its grant and decision are signed by a key in
//! the verifier's [`TrustRoots`] (the municipality's own node trusts itself;
//! an offline check names the keys it trusts). A role in a certificate is a
//! claim, not a credential: a self-made "Gemeente" key signs nothing valid.
//!
//! Numbers from outside are checked: units and tariffs must be above zero,
//! every product and sum is checked arithmetic (an overflow is a reason, not
//! a panic), the same grant repeated in a file counts once, and the units
//! declared on one agreed service stay within its `max_units`.

use std::collections::{BTreeMap, BTreeSet};

use inwonercloud_schemas::{
    Agreement, AgreementSignature, Approval, BudgetRequest, Decision, Declaration, EntryKind, LedgerEntry,
    MAX_ENTRY_AMOUNT, Outcome, PublicKey, Record, Signed, Verdict,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Result, VaultError};
use crate::keys;
use crate::vault::Vault;

/// The municipality keys a verifier trusts. A grant chain that does not end
/// in one of them funds nothing. There is no empty set of trust roots: a
/// verifier that trusts no one can call nothing valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustRoots(BTreeSet<PublicKey>);

impl TrustRoots {
    /// Trust these keys; fails with [`VaultError::NoTrustRoot`] when there are none.
    pub fn new(keys: impl IntoIterator<Item = PublicKey>) -> Result<Self> {
        let set: BTreeSet<PublicKey> = keys.into_iter().collect();
        if set.is_empty() {
            return Err(VaultError::NoTrustRoot);
        }
        Ok(TrustRoots(set))
    }

    /// Whether `key` is trusted.
    pub fn contains(&self, key: &PublicKey) -> bool {
        self.0.contains(key)
    }

    /// The trusted keys.
    pub fn keys(&self) -> impl Iterator<Item = &PublicKey> {
        self.0.iter()
    }
}

/// The municipality's grant behind a claim: the entry, the decision it
/// carries out, and the request that decision answered.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GrantChain {
    /// The grant or adjustment entry, signed by the municipality.
    pub entry: Signed<LedgerEntry>,
    /// The decision, signed by the municipality.
    pub decision: Signed<Decision>,
    /// The citizen's request.
    pub request: Signed<BudgetRequest>,
}

/// Everything one claim needs, each piece signed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ClaimBundle {
    /// The citizen's agreement.
    pub agreement: Signed<Agreement>,
    /// The provider's countersignature.
    pub countersignature: Option<Signed<AgreementSignature>>,
    /// The provider's declaration.
    pub declaration: Signed<Declaration>,
    /// The budget holder's approval.
    pub approval: Signed<Approval>,
    /// The grants on the agreement's account.
    pub grants: Vec<GrantChain>,
}

/// The verdict on one claim.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ClaimResult {
    /// The declaration id (the claim's name).
    pub claim: String,
    /// Citizen (budget holder).
    pub citizen: String,
    /// Provider.
    pub provider: String,
    /// pgb category.
    pub category: String,
    /// Month of the period's end (`YYYY-MM`).
    pub month: String,
    /// Amount claimed.
    pub amount: Decimal,
    /// Valid or not.
    pub valid: bool,
    /// Why not, in words.
    pub reason: Option<String>,
}

/// A whole verification: every claim, and totals of the valid ones.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ClaimReport {
    /// Per claim.
    pub claims: Vec<ClaimResult>,
    /// Valid spending per provider.
    pub per_provider: BTreeMap<String, Decimal>,
    /// Valid spending per category.
    pub per_category: BTreeMap<String, Decimal>,
    /// Valid spending per month.
    pub per_month: BTreeMap<String, Decimal>,
}

impl ClaimReport {
    /// The report as CSV (one line per claim).
    pub fn to_csv(&self) -> String {
        let mut out = String::from("claim,citizen,provider,category,month,amount,valid,reason\n");
        let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        for c in &self.claims {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                q(&c.claim),
                q(&c.citizen),
                q(&c.provider),
                q(&c.category),
                c.month,
                c.amount,
                c.valid,
                q(c.reason.as_deref().unwrap_or(""))
            ));
        }
        out
    }

    /// How many claims are valid.
    pub fn valid_count(&self) -> usize {
        self.claims.iter().filter(|c| c.valid).count()
    }
}

fn sig(verdict: &crate::Result<()>, what: &str) -> std::result::Result<(), String> {
    verdict
        .as_ref()
        .map(|_| ())
        .map_err(|e| format!("the {what}'s signature does not verify (changed after signing?): {e}"))
}

/// Every signature of every bundle, checked in batches per record type
/// (see [`keys::verify_records`]).
struct Signatures {
    agreement: Vec<crate::Result<()>>,
    declaration: Vec<crate::Result<()>>,
    approval: Vec<crate::Result<()>>,
    countersignature: Vec<Option<crate::Result<()>>>,
    /// Per bundle, per grant chain: all three pieces verify.
    grants: Vec<Vec<bool>>,
}

impl Signatures {
    fn check(bundles: &[ClaimBundle]) -> Self {
        fn batch<'a, R: Record + 'a>(items: impl Iterator<Item = &'a Signed<R>>) -> Vec<crate::Result<()>> {
            keys::verify_records(&items.collect::<Vec<_>>())
        }
        let mut present = batch(bundles.iter().filter_map(|b| b.countersignature.as_ref())).into_iter();
        let countersignature = bundles
            .iter()
            .map(|b| b.countersignature.as_ref().and_then(|_| present.next()))
            .collect();
        let chains = || bundles.iter().flat_map(|b| b.grants.iter());
        let entries = batch(chains().map(|g| &g.entry));
        let decisions = batch(chains().map(|g| &g.decision));
        let requests = batch(chains().map(|g| &g.request));
        let mut flat = entries
            .iter()
            .zip(&decisions)
            .zip(&requests)
            .map(|((e, d), r)| e.is_ok() && d.is_ok() && r.is_ok());
        let grants = bundles
            .iter()
            .map(|b| b.grants.iter().map(|_| flat.next().unwrap_or(false)).collect())
            .collect();
        Signatures {
            agreement: batch(bundles.iter().map(|b| &b.agreement)),
            declaration: batch(bundles.iter().map(|b| &b.declaration)),
            approval: batch(bundles.iter().map(|b| &b.approval)),
            countersignature,
            grants,
        }
    }
}

/// What one claim contributes once it passes [`check_one`].
struct Checked {
    /// Units × tariff, rounded to the cent.
    amount: Decimal,
    /// The most units of this service over the agreement's period.
    max_units: Decimal,
}

/// A bundle's trusted grant chains, and whether one was left out only for
/// an untrusted signer.
type Chains<'b> = (Vec<&'b GrantChain>, bool);

/// The grant chains of bundle `i` that fund its agreement's account: whole
/// (every signature verifies), tied together (grant → decision → the
/// citizen's request, not refused), signed by a trusted key, with an amount
/// within [`MAX_ENTRY_AMOUNT`]; and whether a chain was left out only for an
/// untrusted signer. Computed once per bundle per check.
fn trusted_chains<'b>(b: &'b ClaimBundle, i: usize, sigs: &Signatures, trust: &TrustRoots) -> Chains<'b> {
    let a = &b.agreement.record;
    let mut matching = Vec::new();
    let mut untrusted = false;
    for (j, g) in b.grants.iter().enumerate() {
        if !sigs.grants.get(i).and_then(|v| v.get(j)).copied().unwrap_or(false) {
            continue;
        }
        let e = &g.entry.record;
        let chained = matches!(e.kind, EntryKind::Grant | EntryKind::Adjustment)
            && e.account == a.account
            && e.amount.abs() <= Decimal::from(MAX_ENTRY_AMOUNT)
            && e.reference.as_deref() == Some(g.decision.record.id.as_str())
            && g.decision.author() == g.entry.author()
            && g.decision.record.outcome != Outcome::Afgewezen
            && g.decision.record.request_id == g.request.record.id
            && g.request.author() == &a.citizen;
        if !chained {
            continue;
        }
        if !trust.contains(g.entry.author()) {
            untrusted = true;
            continue;
        }
        matching.push(g);
    }
    (matching, untrusted)
}

/// The granted total per (citizen, account) over the whole file: every
/// trusted grant once (by signer and id), whichever bundles carry it, so a
/// bundle that leaves out an adjustment another bundle holds does not raise
/// what was granted. `chains` holds [`trusted_chains`] of each bundle.
fn granted_totals(bundles: &[ClaimBundle], chains: &[Chains<'_>]) -> BTreeMap<(PublicKey, String), Decimal> {
    let mut seen: BTreeSet<(PublicKey, String)> = BTreeSet::new();
    let mut totals: BTreeMap<(PublicKey, String), Decimal> = BTreeMap::new();
    for (b, (matching, _)) in bundles.iter().zip(chains) {
        let a = &b.agreement.record;
        for g in matching {
            if seen.insert((*g.entry.author(), g.entry.record.id.clone())) {
                let t = totals.entry((a.citizen, a.account.clone())).or_default();
                // Each amount is within MAX_ENTRY_AMOUNT, so no file of any
                // realistic size reaches Decimal's range; saturate regardless.
                *t = t.checked_add(g.entry.record.amount).unwrap_or(Decimal::MAX);
            }
        }
    }
    totals
}

/// Checks claim `i` against every rule but those that need the others
/// (counted twice, within the total, within the agreed units).
fn check_one(
    b: &ClaimBundle,
    i: usize,
    sigs: &Signatures,
    chains: &Chains<'_>,
) -> std::result::Result<Checked, String> {
    let missing: crate::Result<()> = Err(crate::VaultError::Corrupt("signature not checked".into()));
    sig(sigs.agreement.get(i).unwrap_or(&missing), "agreement")?;
    sig(sigs.declaration.get(i).unwrap_or(&missing), "declaration")?;
    sig(sigs.approval.get(i).unwrap_or(&missing), "approval")?;
    let a = &b.agreement.record;
    let d = &b.declaration.record;
    if b.agreement.author() != &a.citizen {
        return Err("the agreement is not signed by its citizen".into());
    }
    let Some(cs) = &b.countersignature else {
        return Err("the provider did not countersign the agreement".into());
    };
    sig(
        sigs.countersignature
            .get(i)
            .and_then(Option::as_ref)
            .unwrap_or(&missing),
        "countersignature",
    )?;
    if cs.author() != &a.provider
        || cs.record.agreement_id != a.id
        || cs.record.agreement_hash != keys::record_hash(&b.agreement)
    {
        return Err("the agreement is not countersigned by its provider as it stands".into());
    }
    if b.declaration.author() != &a.provider || d.agreement_id != a.id {
        return Err("the declaration is not signed by the agreement's provider".into());
    }
    if b.approval.author() != &a.citizen {
        return Err("approved by someone other than the budget holder".into());
    }
    if b.approval.record.declaration_id != d.id
        || b.approval.record.declaration_hash != keys::record_hash(&b.declaration)
    {
        return Err("the approval is for another version of the declaration (changed after approval)".into());
    }
    if b.approval.record.verdict != Verdict::Goedgekeurd {
        return Err("the budget holder disputed the declaration".into());
    }
    let amount = d
        .amount()
        .map_err(|e| format!("the declared amount cannot be used: {e}"))?;
    let (matching, untrusted) = chains;
    if matching.is_empty() {
        return Err(if *untrusted {
            "the grant is not signed by a municipality this verifier trusts (compare the municipality's key \
             and pass it with --trust)"
                .into()
        } else {
            "no grant of the municipality to this citizen funds the agreement's account".into()
        });
    }
    if !matching.iter().any(|g| g.request.record.category == d.category) {
        return Err(format!("category {} lies outside the grant", d.category));
    }
    let within = matching
        .iter()
        .any(|g| d.period_start >= g.request.record.period_start && d.period_end <= g.request.record.period_end);
    if !within || d.period_start < a.period_start || d.period_end > a.period_end || d.period_start > d.period_end {
        return Err("the declared period lies outside the grant or the agreement".into());
    }
    let agreed = a
        .services
        .iter()
        .find(|s| s.offering_id == d.offering_id)
        .ok_or_else(|| "the declared service is not in the agreement".to_string())?;
    if d.tariff > agreed.tariff {
        return Err(format!(
            "tariff {} is above the agreed tariff {}",
            d.tariff, agreed.tariff
        ));
    }
    Ok(Checked {
        amount,
        max_units: agreed.max_units,
    })
}

/// Checks claims against the municipality keys in `trust` (in the given
/// order, which decides which of two duplicates or which claim beyond the
/// budget is refused). Names in the report are the ones the signers' own
/// certificates state.
pub fn check_claims(bundles: &[ClaimBundle], trust: &TrustRoots) -> ClaimReport {
    check_claims_with_progress(bundles, trust, |_, _| {})
}

/// [`check_claims`], calling `progress(done, total)` after each claim (for a
/// progress bar over many claims).
pub fn check_claims_with_progress(
    bundles: &[ClaimBundle],
    trust: &TrustRoots,
    mut progress: impl FnMut(usize, usize),
) -> ClaimReport {
    let mut report = ClaimReport::default();
    let mut seen: BTreeSet<(PublicKey, String)> = BTreeSet::new();
    let mut used: BTreeMap<(PublicKey, String), Decimal> = BTreeMap::new();
    let mut units: BTreeMap<(PublicKey, String, String), Decimal> = BTreeMap::new();
    let sigs = Signatures::check(bundles);
    let chains: Vec<Chains<'_>> = bundles
        .iter()
        .enumerate()
        .map(|(i, b)| trusted_chains(b, i, &sigs, trust))
        .collect();
    let granted = granted_totals(bundles, &chains);
    for (i, b) in bundles.iter().enumerate() {
        let a = &b.agreement.record;
        let d = &b.declaration.record;
        let verdict = check_one(b, i, &sigs, &chains[i]).and_then(|c| {
            // The same declaration (by id or by content) counts once.
            let content = format!(
                "{}|{}|{}|{}|{}",
                d.agreement_id, d.offering_id, d.period_start, d.period_end, d.units
            );
            if !seen.insert((a.provider, format!("id:{}", d.id))) || !seen.insert((a.citizen, content)) {
                return Err("this declaration is counted already".into());
            }
            let total = used.get(&(a.citizen, a.account.clone())).copied().unwrap_or_default();
            let after = total
                .checked_add(c.amount)
                .ok_or_else(|| "the claimed amounts overflow when added up".to_string())?;
            let granted = granted
                .get(&(a.citizen, a.account.clone()))
                .copied()
                .unwrap_or_default();
            if after > granted {
                return Err(format!(
                    "claims on this account would reach {after} of {granted} granted"
                ));
            }
            let service = (a.citizen, a.id.clone(), d.offering_id.clone());
            let so_far = units.get(&service).copied().unwrap_or_default();
            let units_after = so_far
                .checked_add(d.units)
                .ok_or_else(|| "the declared units overflow when added up".to_string())?;
            if units_after > c.max_units {
                return Err(format!(
                    "the units declared on this service would reach {units_after}, above the {} agreed",
                    c.max_units
                ));
            }
            units.insert(service, units_after);
            used.insert((a.citizen, a.account.clone()), after);
            Ok(c.amount)
        });
        let (valid, amount, reason) = match verdict {
            Ok(amount) => (true, amount, None),
            Err(r) => (false, d.amount().unwrap_or_default(), Some(r)),
        };
        let provider = b.declaration.device.certificate.identity_name.clone();
        if valid {
            // Valid amounts are bounded per account by grants within
            // MAX_ENTRY_AMOUNT; the totals across accounts saturate regardless.
            for (map, key) in [
                (&mut report.per_provider, provider.clone()),
                (&mut report.per_category, d.category.clone()),
                (&mut report.per_month, d.period_end.month_key()),
            ] {
                let t = map.entry(key).or_default();
                *t = t.checked_add(amount).unwrap_or(Decimal::MAX);
            }
        }
        progress(report.claims.len() + 1, bundles.len());
        report.claims.push(ClaimResult {
            claim: d.id.clone(),
            citizen: b.agreement.device.certificate.identity_name.clone(),
            provider,
            category: d.category.clone(),
            month: d.period_end.month_key(),
            amount,
            valid,
            reason,
        });
    }
    report
}

/// A portable claims file: the bundles, readable and checkable without a vault.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ClaimsFile {
    /// Format name and version.
    pub format: String,
    /// The claims.
    pub claims: Vec<ClaimBundle>,
}

/// The format tag of a claims file.
pub const CLAIMS_FORMAT: &str = "inwonercloud-claims/1";

impl ClaimsFile {
    /// Checks every claim in the file against the trusted keys (see [`check_claims`]).
    pub fn verify(&self, trust: &TrustRoots) -> ClaimReport {
        check_claims(&self.claims, trust)
    }
}

impl Vault {
    /// Every approved declaration this vault can see, as a claim bundle, in
    /// a stable order (approval time, then id).
    pub fn claim_bundles(&self) -> Result<Vec<ClaimBundle>> {
        let mut out = Vec::new();
        // Grant chains per (budget, account): several agreements share them.
        let mut grants: BTreeMap<(String, String), Vec<GrantChain>> = BTreeMap::new();
        for doc in self.document_ids() {
            let h = self.header(&doc)?;
            if h.kind != inwonercloud_schemas::DocKind::Agreement {
                continue;
            }
            let owner = h.owner;
            // Every record once per document. Approvals and declarations are
            // taken whoever signed them: judging that is `check_claims`' job.
            let (agreements, _) = self.records::<Agreement>(&doc)?;
            let (sigs, _) = self.records::<AgreementSignature>(&doc)?;
            let (apps, _) = self.records::<Approval>(&doc)?;
            let (decls, _) = self.records::<Declaration>(&doc)?;
            for a in agreements
                .iter()
                .filter(|a| a.author == owner && a.record.citizen == owner)
            {
                let ag = &a.record;
                let budget = inwonercloud_schemas::DocKind::Budget.doc_id(&ag.citizen);
                let key = (budget, ag.account.clone());
                if !grants.contains_key(&key) {
                    let chains = if self.header(&key.0).is_ok() {
                        self.grant_chains(&key.0, &key.1)?
                    } else {
                        Vec::new()
                    };
                    grants.insert(key.clone(), chains);
                }
                let chains = grants.get(&key).cloned().unwrap_or_default();
                let countersignature = sigs
                    .iter()
                    .find(|s| s.record.agreement_id == ag.id && s.author == ag.provider)
                    .map(|s| s.signed.clone());
                for ap in apps.iter().filter(|x| x.record.verdict == Verdict::Goedgekeurd) {
                    let Some(d) = decls.iter().find(|d| d.record.id == ap.record.declaration_id) else {
                        continue;
                    };
                    if d.record.agreement_id != ag.id {
                        continue;
                    }
                    out.push((
                        (ap.signed_at, ap.record.id.clone()),
                        ClaimBundle {
                            agreement: a.signed.clone(),
                            countersignature: countersignature.clone(),
                            declaration: d.signed.clone(),
                            approval: ap.signed.clone(),
                            grants: chains.clone(),
                        },
                    ));
                }
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out.into_iter().map(|(_, b)| b).collect())
    }

    fn grant_chains(&self, budget: &str, account: &str) -> Result<Vec<GrantChain>> {
        let (entries, _) = self.records::<LedgerEntry>(budget)?;
        let (decisions, _) = self.records::<Decision>(budget)?;
        let (requests, _) = self.records::<BudgetRequest>(budget)?;
        let mut out = Vec::new();
        for e in entries.iter().filter(|e| {
            e.record.account == account && matches!(e.record.kind, EntryKind::Grant | EntryKind::Adjustment)
        }) {
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
            out.push(GrantChain {
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
        let bundles = self.claim_bundles()?;
        Ok(check_claims(&bundles, &self.trust_roots()?))
    }

    /// A self-contained claims file of every claim this vault can see.
    pub fn export_claims(&self) -> Result<ClaimsFile> {
        Ok(ClaimsFile {
            format: CLAIMS_FORMAT.into(),
            claims: self.claim_bundles()?,
        })
    }
}
