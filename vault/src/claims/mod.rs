//! Verifiable spending claims: every euro spent from a budget the
//! municipality granted is a claim with every signed record that justifies
//! it, checked the same way inside a vault and offline from an exported file.
//!
//! A claim is one of three kinds ([`ClaimKind`]): a marketplace declaration
//! (co-signed by provider and citizen), an informal carer's declaration
//! (the same records, on an agreement marked informal), or a spend the
//! citizen booked herself with a receipt ([`spend`]). Every spend on a
//! granted account becomes one claim: the ones that cannot be verified (no
//! receipt, a declaration the verifier does not hold) are listed with their
//! reason, never left out, so the valid and the unverified amounts per
//! citizen add up to what her budget shows as spent.
//!
//! A declaration claim is valid when, in this order: every signature
//! verifies; the agreement is signed by the citizen and countersigned by the
//! provider; the declaration is signed by the agreement's provider; the
//! approval is signed by the budget holder (or by a representative under a
//! mandate she signed and did not revoke, see [`crate::mandate`]) and covers
//! exactly this declaration; a grant signed by the municipality funds the
//! agreement's account, tied by the municipality's decision to a request the
//! same citizen signed; the declaration's category and period fall within
//! that grant (for an integral grant, any category its decision names, never
//! the request's word alone; per request, the newest decision counts); its
//! tariff counts in the agreed service's unit, funded by a grant in that
//! unit (see [`units`]), and is not above the agreed tariff; the declaration is not counted
//! before; and the claims on an account stay within what was granted to it.
//! The first rule a claim breaks is its reason. Spend claims follow the same
//! grant, period, de-duplication and total rules.
//!
//! Each valid claim is attributed to the funding streams that paid it: the
//! account is one pot its trusted grants and adjustments feed (each
//! request's newest decision says its streams: an integral grant's shares,
//! else the request's one stream), split pro rata to the cent with the
//! parts adding up to the claim and none negative; and to the household
//! member its agreement names, so the report gives per stream and per
//! member. A decision whose shares do not add up to what it granted funds
//! nothing.
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

use std::collections::{BTreeMap, BTreeSet, HashMap};

use inwonercloud_schemas::{
    BudgetRequest, Decision, EntryKind, FundingStream, LedgerEntry, MAX_ENTRY_AMOUNT, Outcome, PublicKey, Record,
    Signed, StreamShare,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Result, VaultError};
use crate::keys;

mod collect;
mod declaration;
pub mod spend;
pub mod units;

pub use collect::Claims;
pub use declaration::ClaimBundle;
pub use spend::{FileBytes, SpendBundle};
pub use units::{EuroEquivalent, UnitTotals};

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

/// What a claim is made of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    /// A provider's declaration under a marketplace agreement.
    #[default]
    Marketplace,
    /// An informal carer's declaration.
    InformalCarer,
    /// A spend the citizen booked herself, backed by a receipt.
    Receipt,
}

impl ClaimKind {
    /// Dutch or English name.
    pub fn label(self, lang: inwonercloud_schemas::Lang) -> &'static str {
        use inwonercloud_schemas::Lang;
        match (self, lang) {
            (ClaimKind::Marketplace, Lang::Nl) => "zorgaanbieder",
            (ClaimKind::Marketplace, Lang::En) => "care provider",
            (ClaimKind::InformalCarer, Lang::Nl) => "mantelzorger",
            (ClaimKind::InformalCarer, Lang::En) => "informal carer",
            (ClaimKind::Receipt, Lang::Nl) => "eigen aankoop met bon",
            (ClaimKind::Receipt, Lang::En) => "own purchase with receipt",
        }
    }
}

/// The verdict on one claim.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ClaimResult {
    /// The declaration id, or the spend's entry id (the claim's name).
    pub claim: String,
    /// What the claim is made of.
    #[serde(default)]
    pub kind: ClaimKind,
    /// Citizen (budget holder).
    pub citizen: String,
    /// Who was paid: the provider or carer, or the spend's note.
    pub provider: String,
    /// pgb category.
    pub category: String,
    /// Month of the period's end or of the spend (`YYYY-MM`).
    pub month: String,
    /// Amount claimed.
    pub amount: Decimal,
    /// Valid or not.
    pub valid: bool,
    /// Why not, in words.
    pub reason: Option<String>,
    /// Which funding stream paid how much of a valid claim: the whole
    /// amount for a one-stream grant, pro rata over an integral grant's
    /// shares (to the cent, the parts adding up to the amount).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub streams: BTreeMap<FundingStream, Decimal>,
    /// The household member the care was for, when the agreement names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// What `amount` counts in: euros, or points or hours (kept apart in
    /// the report's totals). Left out when euros.
    #[serde(default, skip_serializing_if = "inwonercloud_schemas::Unit::is_euro")]
    pub unit: inwonercloud_schemas::Unit,
}

/// A whole verification: every claim, and totals of the valid ones.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ClaimReport {
    /// Per claim.
    pub claims: Vec<ClaimResult>,
    /// Valid spending per provider or informal carer (own purchases are in `per_kind`).
    pub per_provider: BTreeMap<String, Decimal>,
    /// Valid spending per category.
    pub per_category: BTreeMap<String, Decimal>,
    /// Valid spending per month.
    pub per_month: BTreeMap<String, Decimal>,
    /// Valid spending per kind of claim.
    #[serde(default)]
    pub per_kind: BTreeMap<ClaimKind, Decimal>,
    /// Valid spending per citizen.
    #[serde(default)]
    pub per_citizen: BTreeMap<String, Decimal>,
    /// Spending per citizen that could not be verified (the invalid claims).
    #[serde(default)]
    pub not_verified: BTreeMap<String, Decimal>,
    /// Valid spending per funding stream (integral grants split pro rata).
    #[serde(default)]
    pub per_stream: BTreeMap<FundingStream, Decimal>,
    /// Valid spending per household member (`citizen · member`), for the
    /// claims whose agreement names a member.
    #[serde(default)]
    pub per_member: BTreeMap<String, Decimal>,
    /// Claims in points or hours, per unit: kept apart from every euro
    /// total above (see [`units`]). Left out when there are none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub other_units: BTreeMap<inwonercloud_schemas::Unit, UnitTotals>,
}

impl ClaimReport {
    /// The report as CSV (one line per claim) that Dutch Excel opens as a
    /// table: a UTF-8 byte order mark first (or Excel reads the text as
    /// Windows-1252), `;` between fields (Excel's list separator in a Dutch
    /// locale, where `,` is the decimal comma), and quotes where a field
    /// holds `;`, `"` or a line break. In Dutch the headers, kinds, units
    /// and yes/no are Dutch and amounts have a decimal comma (`96,00`), so
    /// Dutch Excel reads them as numbers; in English they have a point.
    /// `amount` counts in the line's `unit` (parsed back by
    /// [`Unit::parse`](inwonercloud_schemas::Unit::parse) in either
    /// language): a points claim is never a bare number a reader could take
    /// for euros.
    pub fn to_csv(&self, lang: inwonercloud_schemas::Lang) -> Result<String> {
        use inwonercloud_schemas::Lang;
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer("\u{FEFF}".as_bytes().to_vec());
        let header: [&str; 10] = match lang {
            Lang::Nl => [
                "declaratie",
                "soort",
                "inwoner",
                "aanbieder",
                "categorie",
                "maand",
                "bedrag",
                "eenheid",
                "geldig",
                "reden",
            ],
            Lang::En => [
                "claim", "kind", "citizen", "provider", "category", "month", "amount", "unit", "valid", "reason",
            ],
        };
        w.write_record(header).map_err(csv_error)?;
        for c in &self.claims {
            let amount = match lang {
                Lang::Nl => c.amount.to_string().replace('.', ","),
                Lang::En => c.amount.to_string(),
            };
            let valid = match (lang, c.valid) {
                (Lang::Nl, true) => "ja",
                (Lang::Nl, false) => "nee",
                (Lang::En, true) => "true",
                (Lang::En, false) => "false",
            };
            w.write_record([
                c.claim.as_str(),
                c.kind.label(lang),
                &c.citizen,
                &c.provider,
                &c.category,
                &c.month,
                &amount,
                c.unit.label(lang),
                valid,
                c.reason.as_deref().unwrap_or(""),
            ])
            .map_err(csv_error)?;
        }
        let bytes = w.into_inner().map_err(|e| csv_error(e.into_error().into()))?;
        String::from_utf8(bytes).map_err(|e| VaultError::Document(format!("claims CSV: {e}")))
    }

    /// How many claims are valid.
    pub fn valid_count(&self) -> usize {
        self.claims.iter().filter(|c| c.valid).count()
    }

    /// Adds one verdict to the claims and the totals.
    fn push(&mut self, c: ClaimResult) {
        if !c.unit.is_euro() {
            // Points and hours are never added to euros.
            units::push_other(self, &c);
            self.claims.push(c);
            return;
        }
        let add = |map: &mut BTreeMap<String, Decimal>, key: &str, amount: Decimal| {
            let t = map.entry(key.to_string()).or_default();
            // Valid amounts are bounded per account by grants within
            // MAX_ENTRY_AMOUNT; the totals across accounts saturate regardless.
            *t = t.checked_add(amount).unwrap_or(Decimal::MAX);
        };
        if c.valid {
            // Own purchases have no provider (their `provider` is the note): per kind covers them.
            if c.kind != ClaimKind::Receipt {
                add(&mut self.per_provider, &c.provider, c.amount);
            }
            add(&mut self.per_category, &c.category, c.amount);
            add(&mut self.per_month, &c.month, c.amount);
            add(&mut self.per_citizen, &c.citizen, c.amount);
            let t = self.per_kind.entry(c.kind).or_default();
            *t = t.checked_add(c.amount).unwrap_or(Decimal::MAX);
            for (stream, part) in &c.streams {
                let t = self.per_stream.entry(*stream).or_default();
                *t = t.checked_add(*part).unwrap_or(Decimal::MAX);
            }
            if let Some(m) = &c.member {
                add(&mut self.per_member, &format!("{} · {m}", c.citizen), c.amount);
            }
        } else {
            add(&mut self.not_verified, &c.citizen, c.amount);
        }
        self.claims.push(c);
    }
}

/// How a citizen is named in a report: her certificate's name and the
/// start of her identity key, so two people of one name are two rows.
pub fn citizen_label(name: &str, key: &PublicKey) -> String {
    format!("{name} ({})", key.short())
}

fn sig(verdict: &crate::Result<()>, what: &str) -> std::result::Result<(), String> {
    verdict
        .as_ref()
        .map(|_| ())
        .map_err(|e| format!("the {what}'s signature does not verify (changed after signing?): {e}"))
}

/// Where a check takes the verdicts on the records' signatures from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Proof {
    /// Each signature is checked here: a claims file, and every caller of
    /// [`check_all`].
    Check,
    /// Every record of every bundle was read by this vault's gathering in
    /// this same report ([`Vault::verify_claims`]) and judged there by the
    /// rule every read applies: its signature verified (all of the report's
    /// records in one batch), or it is a record this device signed and
    /// placed itself. The bundles hold copies of exactly those records, so
    /// checking them again would give the same verdicts (tested against
    /// [`Proof::Check`] on the same bundles).
    Gathered,
}

/// Verifies a batch of records of one type (see [`keys::verify_records`]),
/// each distinct record once: the copies of one record that many claims
/// carry (the agreement, its countersignature, the grant chain) share the
/// verdict of its one check. Copies are found by their signature and then
/// compared whole and by their signed bytes, so a copy that differs in
/// anything (a changed record, a pasted signature, an amount written
/// otherwise: `1.0` equals `1.00` as a number but is signed as other bytes)
/// is checked on its own; a copy of a record that fails
/// is checked again alone, so its error is the one it gets by itself.
/// Under [`Proof::Gathered`] every record is taken as verified.
fn batch<'a, R: Record + 'a>(items: impl Iterator<Item = &'a Signed<R>>, proof: Proof) -> Vec<crate::Result<()>>
where
    Signed<R>: PartialEq,
{
    if proof == Proof::Gathered {
        return items.map(|_| Ok(())).collect();
    }
    let items: Vec<&Signed<R>> = items.collect();
    let mut distinct: Vec<&Signed<R>> = Vec::new();
    let mut by_signature: HashMap<&[u8; 64], Vec<usize>> = HashMap::new();
    let slots: Vec<usize> = items
        .iter()
        .map(|s| {
            let same = by_signature.entry(&s.signature.0).or_default();
            match same.iter().copied().find(|&j| same_signed(distinct[j], s)) {
                Some(j) => j,
                None => {
                    distinct.push(s);
                    same.push(distinct.len() - 1);
                    distinct.len() - 1
                }
            }
        })
        .collect();
    let verdicts = keys::verify_records(&distinct);
    let mut out: Vec<crate::Result<()>> = Vec::with_capacity(items.len());
    for (s, j) in items.iter().zip(slots) {
        out.push(match verdicts.get(j) {
            Some(Ok(())) => Ok(()),
            // Refused (or, never, not checked): this copy gets its own check.
            _ => keys::verify_records(&[*s]).pop().unwrap_or_else(|| {
                Err(VaultError::BadSignature {
                    what: "a record that was not checked".into(),
                })
            }),
        });
    }
    out
}

/// Per bundle, per grant chain: whether all three signatures verify,
/// checked in one batch per record type over every bundle.
fn chain_signatures<'b>(grants: impl Iterator<Item = &'b [GrantChain]> + Clone, proof: Proof) -> Vec<Vec<bool>> {
    let chains = || grants.clone().flat_map(|g| g.iter());
    let entries = batch(chains().map(|g| &g.entry), proof);
    let decisions = batch(chains().map(|g| &g.decision), proof);
    let requests = batch(chains().map(|g| &g.request), proof);
    let mut flat = entries
        .iter()
        .zip(&decisions)
        .zip(&requests)
        .map(|((e, d), r)| e.is_ok() && d.is_ok() && r.is_ok());
    grants
        .map(|g| g.iter().map(|_| flat.next().unwrap_or(false)).collect())
        .collect()
}

/// A bundle's trusted grant chains, and whether one was left out only for
/// an untrusted signer.
type Chains<'b> = (Vec<&'b GrantChain>, bool);

/// The grant chains that fund `citizen`'s `account`: whole (every signature
/// verifies, per `signed`), tied together (grant → decision → the citizen's
/// request, not refused), signed by a trusted key, with an amount within
/// [`MAX_ENTRY_AMOUNT`]; and whether a chain was left out only for an
/// untrusted signer. Computed once per bundle per check.
fn trusted_chains<'b>(
    grants: &'b [GrantChain],
    signed: Option<&Vec<bool>>,
    citizen: &PublicKey,
    account: &str,
    trust: &TrustRoots,
) -> Chains<'b> {
    let mut matching = Vec::new();
    let mut untrusted = false;
    for (j, g) in grants.iter().enumerate() {
        if !signed.and_then(|v| v.get(j)).copied().unwrap_or(false) {
            continue;
        }
        let e = &g.entry.record;
        let chained = matches!(e.kind, EntryKind::Grant | EntryKind::Adjustment)
            && e.account == account
            && e.amount.abs() <= Decimal::from(MAX_ENTRY_AMOUNT)
            && e.reference.as_deref() == Some(g.decision.record.id.as_str())
            && g.decision.author() == g.entry.author()
            && g.decision.record.outcome != Outcome::Afgewezen
            && g.decision.record.funding_adds_up()
            && g.decision.record.request_id == g.request.record.id
            && g.request.author() == citizen;
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

/// When a chain's decision was made: signed, dated, and an adjustment
/// after the grant it adjusts.
fn decided(c: &GrantChain) -> (u64, inwonercloud_schemas::Date, bool) {
    (
        c.decision.signed_at,
        c.decision.record.date,
        c.entry.record.kind == EntryKind::Adjustment,
    )
}

/// The chains whose decision is in force: per request, the newest decision
/// only (a review replaces what the decision before it covered).
fn in_force<'c, 'b>(chains: &'c [&'b GrantChain]) -> impl Iterator<Item = &'b GrantChain> + 'c {
    chains.iter().copied().filter(move |g| {
        !chains
            .iter()
            .any(|o| o.request.record.id == g.request.record.id && decided(o) > decided(g))
    })
}

/// Whether a decision in force lets the grant be spent on `category`.
fn covered(matching: &[&GrantChain], category: &str) -> bool {
    in_force(matching).any(|g| g.decision.record.covers(&g.request.record, category))
}

/// Which stream paid how much of `amount`: the account is one pot its
/// trusted grants feed, so the claim is split pro rata over every stream
/// that fed it. Per request, what its grant and adjustment entries put in,
/// divided as its newest decision's shares say (an integral grant's
/// funding, else the request's one stream); split in the grant's unit.
fn paid_by(chains: &Chains<'_>, amount: Decimal) -> BTreeMap<FundingStream, Decimal> {
    let mut per_request: BTreeMap<&str, (Decimal, &GrantChain)> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    // Each entry once, however often a file repeats it.
    for g in chains
        .0
        .iter()
        .filter(|g| seen.insert((*g.entry.author(), &g.entry.record.id)))
    {
        let (put_in, newest) = per_request
            .entry(g.request.record.id.as_str())
            .or_insert((Decimal::ZERO, g));
        *put_in = put_in.saturating_add(g.entry.record.amount);
        if decided(g) > decided(newest) {
            *newest = g;
        }
    }
    let scale = chains
        .0
        .first()
        .and_then(|g| g.decision.record.granted)
        .map(|q| q.unit.max_scale())
        .unwrap_or(2);
    let mut feeds: BTreeMap<FundingStream, Decimal> = BTreeMap::new();
    for (put_in, g) in per_request.into_values() {
        let d = &g.decision.record;
        let parts = if d.funding.is_empty() {
            vec![(g.request.record.stream, put_in)]
        } else {
            inwonercloud_schemas::split_by_shares(put_in, &d.funding, scale)
        };
        for (stream, part) in parts {
            let t = feeds.entry(stream).or_default();
            *t = t.saturating_add(part);
        }
    }
    let feeds: Vec<StreamShare> = feeds
        .into_iter()
        .map(|(stream, amount)| StreamShare { stream, amount })
        .collect();
    let mut out = BTreeMap::new();
    for (stream, part) in inwonercloud_schemas::split_by_shares(amount, &feeds, scale) {
        let t: &mut Decimal = out.entry(stream).or_default();
        *t = t.saturating_add(part);
    }
    out
}

/// The trusted chains, or why the claim has none.
fn funded<'c, 'b>(chains: &'c Chains<'b>) -> std::result::Result<&'c [&'b GrantChain], String> {
    let (matching, untrusted) = chains;
    if matching.is_empty() {
        return Err(if *untrusted {
            "the grant is not signed by a municipality this verifier trusts (compare the municipality's key \
             and pass it with --trust)"
                .into()
        } else {
            "no grant of the municipality to this citizen funds this account".into()
        });
    }
    Ok(matching)
}

/// What every claim of a check shares: grants per account (each trusted
/// grant once, by signer and id, whichever bundles carry it, so a bundle
/// that leaves out an adjustment another bundle holds does not raise what
/// was granted), what was claimed so far per account, and what was seen.
#[derive(Default)]
struct Accounts {
    granted: BTreeMap<(PublicKey, String), Decimal>,
    grants_seen: BTreeSet<(PublicKey, String)>,
    used: BTreeMap<(PublicKey, String), Decimal>,
    seen: BTreeSet<(PublicKey, String)>,
}

impl Accounts {
    fn grant(&mut self, citizen: &PublicKey, account: &str, chains: &Chains<'_>) {
        for g in &chains.0 {
            if self.grants_seen.insert((*g.entry.author(), g.entry.record.id.clone())) {
                let t = self.granted.entry((*citizen, account.to_string())).or_default();
                // Each amount is within MAX_ENTRY_AMOUNT, so no file of any
                // realistic size reaches Decimal's range; saturate regardless.
                *t = t.checked_add(g.entry.record.amount).unwrap_or(Decimal::MAX);
            }
        }
    }

    /// Counts `keys` as seen; an error when one was counted before.
    fn once(&mut self, keys: Vec<(PublicKey, String)>) -> std::result::Result<(), String> {
        let fresh = keys.into_iter().map(|k| self.seen.insert(k)).fold(true, |a, b| a & b);
        if fresh {
            Ok(())
        } else {
            Err("this claim is counted already".into())
        }
    }

    /// What the account would reach with `amount`, or why it may not.
    fn within(&self, citizen: &PublicKey, account: &str, amount: Decimal) -> std::result::Result<Decimal, String> {
        let key = (*citizen, account.to_string());
        let total = self.used.get(&key).copied().unwrap_or_default();
        let after = total
            .checked_add(amount)
            .ok_or_else(|| "the claimed amounts overflow when added up".to_string())?;
        let granted = self.granted.get(&key).copied().unwrap_or_default();
        if after > granted {
            return Err(format!(
                "claims on this account would reach {after} of {granted} granted"
            ));
        }
        Ok(after)
    }

    fn spend(&mut self, citizen: &PublicKey, account: &str, after: Decimal) {
        self.used.insert((*citizen, account.to_string()), after);
    }

    /// Budget the citizen moved out of a granted account cannot be claimed
    /// from it again: each transfer she signed (once, by id) lowers what
    /// the account was granted.
    fn transfers_out(&mut self, transfers: &[Signed<LedgerEntry>], proof: Proof) {
        let checked = batch(transfers.iter(), proof);
        let mut seen = BTreeSet::new();
        for (t, ok) in transfers.iter().zip(checked) {
            let e = &t.record;
            if ok.is_err() || e.kind != EntryKind::TransferOut || e.amount <= Decimal::ZERO {
                continue;
            }
            let key = (*t.author(), e.account.clone());
            if !seen.insert((key.clone(), e.id.clone())) {
                continue;
            }
            if let Some(g) = self.granted.get_mut(&key) {
                *g = g.checked_sub(e.amount).unwrap_or(Decimal::MIN).max(Decimal::ZERO);
            }
        }
    }
}

/// Checks declaration claims against the municipality keys in `trust` (in
/// the given order, which decides which of two duplicates or which claim
/// beyond the budget is refused). Names in the report are the ones the
/// signers' own certificates state.
pub fn check_claims(bundles: &[ClaimBundle], trust: &TrustRoots) -> ClaimReport {
    check_all(bundles, &[], &[], trust, |_, _| {})
}

/// [`check_claims`], calling `progress(done, total)` after each claim (for a
/// progress bar over many claims).
pub fn check_claims_with_progress(
    bundles: &[ClaimBundle],
    trust: &TrustRoots,
    progress: impl FnMut(usize, usize),
) -> ClaimReport {
    check_all(bundles, &[], &[], trust, progress)
}

/// Checks declaration claims, then spend claims, against the keys in
/// `trust`; both count against the same grants, less what each citizen
/// transferred out of a granted account (`transfers`, her signed transfer
/// entries). Calls `progress(done, total)` after each claim.
pub fn check_all(
    bundles: &[ClaimBundle],
    spends: &[SpendBundle],
    transfers: &[Signed<LedgerEntry>],
    trust: &TrustRoots,
    progress: impl FnMut(usize, usize),
) -> ClaimReport {
    judge(bundles, spends, transfers, trust, progress, Proof::Check)
}

/// [`check_all`], taking the signatures' verdicts from `proof`.
pub(super) fn judge(
    bundles: &[ClaimBundle],
    spends: &[SpendBundle],
    transfers: &[Signed<LedgerEntry>],
    trust: &TrustRoots,
    mut progress: impl FnMut(usize, usize),
    proof: Proof,
) -> ClaimReport {
    let total = bundles.len() + spends.len();
    let mut report = ClaimReport::default();
    let mut acc = Accounts::default();
    let mut units: BTreeMap<(PublicKey, String, String), Decimal> = BTreeMap::new();
    let dsigs = declaration::Signatures::check(bundles, proof);
    let ssigs = spend::Signatures::check(spends, proof);
    let dchains: Vec<Chains<'_>> = bundles
        .iter()
        .enumerate()
        .map(|(i, b)| declaration::chains_of(b, i, &dsigs, trust))
        .collect();
    let schains: Vec<Chains<'_>> = spends
        .iter()
        .enumerate()
        .map(|(i, b)| spend::chains_of(b, i, &ssigs, trust))
        .collect();
    for (b, c) in bundles.iter().zip(&dchains) {
        acc.grant(&b.agreement.record.citizen, &b.agreement.record.account, c);
    }
    for (b, c) in spends.iter().zip(&schains) {
        acc.grant(b.entry.author(), &b.entry.record.account, c);
    }
    acc.transfers_out(transfers, proof);
    // Each receipt file backs one spend of a citizen.
    let mut files_used: BTreeMap<(PublicKey, inwonercloud_schemas::Hash32), String> = BTreeMap::new();
    for (i, b) in bundles.iter().enumerate() {
        let a = &b.agreement.record;
        let d = &b.declaration.record;
        let verdict = declaration::check_one(b, i, &dsigs, &dchains[i]).and_then(|c| {
            // The same declaration (by id or by content) counts once.
            let content = format!(
                "{}|{}|{}|{}|{}",
                d.agreement_id, d.offering_id, d.period_start, d.period_end, d.units
            );
            acc.once(vec![(a.provider, format!("id:{}", d.id)), (a.citizen, content)])?;
            let after = acc.within(&a.citizen, &a.account, c.amount)?;
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
            acc.spend(&a.citizen, &a.account, after);
            Ok(c.amount)
        });
        let (valid, amount, reason) = match verdict {
            Ok(amount) => (true, amount, None),
            Err(r) => (false, d.amount().unwrap_or_default(), Some(r)),
        };
        let streams = if valid {
            paid_by(&dchains[i], amount)
        } else {
            BTreeMap::new()
        };
        report.push(ClaimResult {
            claim: d.id.clone(),
            kind: if b.informal() {
                ClaimKind::InformalCarer
            } else {
                ClaimKind::Marketplace
            },
            citizen: citizen_label(&b.agreement.device.certificate.identity_name, &a.citizen),
            provider: b.declaration.device.certificate.identity_name.clone(),
            category: d.category.clone(),
            month: d.period_end.month_key(),
            amount,
            valid,
            reason,
            streams,
            member: a.member.as_ref().map(|m| m.name.clone()),
            unit: d.tariff_unit,
        });
        progress(report.claims.len(), total);
    }
    for (i, b) in spends.iter().enumerate() {
        let e = &b.entry.record;
        let citizen = b.entry.author();
        let verdict = spend::check_one(b, i, &ssigs, &schains[i]).and_then(|amount| {
            acc.once(vec![(*citizen, format!("spend:{}", e.id))])?;
            let files: Vec<_> = b
                .receipts
                .iter()
                .filter(|r| r.author() == citizen && r.record.entry == e.id)
                .flat_map(|r| r.record.files.iter())
                .collect();
            if let Some((f, other)) = files.iter().find_map(|f| {
                files_used
                    .get(&(*citizen, f.hash))
                    .filter(|o| **o != e.id)
                    .map(|o| (f, o))
            }) {
                return Err(format!("receipt file {} already backs spend {other}", f.name));
            }
            let after = acc.within(citizen, &e.account, amount)?;
            acc.spend(citizen, &e.account, after);
            for f in files {
                files_used.insert((*citizen, f.hash), e.id.clone());
            }
            Ok(amount)
        });
        // Listed under the budget holder whose grant the account carries
        // (a representative's spend is hers), else under its signer.
        let holder = b
            .grants
            .first()
            .map(|g| citizen_label(&g.request.device.certificate.identity_name, g.request.author()))
            .unwrap_or_else(|| citizen_label(&b.entry.device.certificate.identity_name, citizen));
        let (valid, reason) = match verdict {
            Ok(_) => (true, None),
            Err(r) => (false, Some(r)),
        };
        let category = e.category.clone().unwrap_or_default();
        let streams = if valid {
            paid_by(&schains[i], e.amount)
        } else {
            BTreeMap::new()
        };
        report.push(ClaimResult {
            claim: e.id.clone(),
            kind: ClaimKind::Receipt,
            citizen: holder,
            provider: e.note.clone(),
            category,
            month: e.date.month_key(),
            amount: e.amount,
            valid,
            reason,
            streams,
            member: None,
            unit: units::unit_of(&b.grants),
        });
        progress(report.claims.len(), total);
    }
    report
}

/// A portable claims file: the bundles, readable and checkable without a vault.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ClaimsFile {
    /// Format name and version.
    pub format: String,
    /// The declaration claims.
    pub claims: Vec<ClaimBundle>,
    /// The spend claims, with their receipts' files.
    #[serde(default)]
    pub spends: Vec<SpendBundle>,
    /// The citizens' signed transfers out of granted accounts (budget moved
    /// elsewhere cannot be claimed again).
    #[serde(default)]
    pub transfers: Vec<Signed<LedgerEntry>>,
}

/// The format tag of a claims file.
pub const CLAIMS_FORMAT: &str = "inwonercloud-claims/2";

impl ClaimsFile {
    /// Checks every claim in the file against the trusted keys (see [`check_all`]).
    pub fn verify(&self, trust: &TrustRoots) -> ClaimReport {
        check_all(&self.claims, &self.spends, &self.transfers, trust, |_, _| {})
    }
}

/// Whether two copies of a signed record are the same copy: equal, and
/// signed over the same bytes (a `Decimal` compares by value, so a copy
/// with `1.0` for `1.00` is equal but not what was signed).
fn same_signed<R: Record>(a: &Signed<R>, b: &Signed<R>) -> bool
where
    Signed<R>: PartialEq,
{
    a == b
        && inwonercloud_schemas::signed::signing_bytes(&a.record, a.signed_at, &a.device.certificate.identity)
            == inwonercloud_schemas::signed::signing_bytes(&b.record, b.signed_at, &b.device.certificate.identity)
}

/// A CSV writer's failure (it writes to memory, so only a bug gets here).
fn csv_error(e: csv::Error) -> VaultError {
    VaultError::Document(format!("claims CSV: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use inwonercloud_schemas::{EntryKind, LedgerEntry, Role};

    /// A copy that differs from a checked one only in how a number is
    /// written (equal as a `Decimal`, other signed bytes) gets its own
    /// check, and is refused, instead of sharing the first copy's verdict.
    #[test]
    fn a_copy_with_a_number_written_otherwise_is_checked_on_its_own() {
        let identity = keys::SecretKey::generate().unwrap();
        let device = keys::SecretKey::generate().unwrap();
        let cert = keys::certify_device(&identity, "Gemeente", Role::Municipality, device.public(), "x", 1);
        let entry = LedgerEntry {
            id: "e1".into(),
            account: "wmo".into(),
            kind: EntryKind::Spend,
            amount: "12.50".parse().unwrap(),
            category: None,
            date: "2027-01-15".parse().unwrap(),
            note: String::new(),
            reference: None,
        };
        let honest = keys::sign_record(entry, &device, &cert, 1_700_000_000);
        let mut rescaled = honest.clone();
        rescaled.record.amount = "12.5".parse().unwrap();
        assert_eq!(honest, rescaled, "equal as values");
        let verdicts = batch([&honest, &rescaled, &honest].into_iter(), Proof::Check);
        assert!(verdicts[0].is_ok() && verdicts[2].is_ok(), "{verdicts:?}");
        assert!(verdicts[1].is_err(), "not the bytes that were signed: {verdicts:?}");
    }
}
