//! Claims made of a spend the budget holder booked herself: the signed
//! ledger entry, the signed receipt that names it, and the receipt's files.
//!
//! A spend claim is valid when the entry is a spend signed by the citizen
//! whose request the grant answered; a receipt signed by the same citizen
//! names exactly this entry (id and hash); every file the receipt names is
//! in the bundle and hashes to what the receipt says; and the entry's
//! category and date fall within the grant. A spend without a receipt is
//! listed as a claim that cannot be verified, never left out.

use inwonercloud_schemas::{EntryKind, Hash32, LedgerEntry, Receipt, Signed};
use serde::{Deserialize, Serialize};

use super::{Chains, GrantChain, Proof, batch, sig, trusted_chains};
use crate::receipts::sha256;
use crate::{TrustRoots, keys};

/// One receipt file carried in a claims file: its hash and its bytes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileBytes {
    /// The SHA-256 the receipt names it by.
    pub hash: Hash32,
    /// The bytes, in base64 in the file.
    #[serde(with = "base64_bytes")]
    pub bytes: Vec<u8>,
}

/// Everything one spend claim needs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SpendBundle {
    /// The spend, signed by the budget holder.
    pub entry: Signed<LedgerEntry>,
    /// The receipts that name it (the first valid one counts).
    pub receipts: Vec<Signed<Receipt>>,
    /// The files those receipts name.
    pub files: Vec<FileBytes>,
    /// The grants on the entry's account.
    pub grants: Vec<GrantChain>,
}

/// Every signature of every spend bundle, checked in batches.
pub(super) struct Signatures {
    entry: Vec<crate::Result<()>>,
    /// Per bundle, per receipt.
    receipts: Vec<Vec<bool>>,
    /// Per bundle, per grant chain.
    pub(super) grants: Vec<Vec<bool>>,
}

impl Signatures {
    pub(super) fn check(bundles: &[SpendBundle], proof: Proof) -> Self {
        let mut flat = batch(bundles.iter().flat_map(|b| b.receipts.iter()), proof).into_iter();
        let receipts = bundles
            .iter()
            .map(|b| {
                b.receipts
                    .iter()
                    .map(|_| flat.next().is_some_and(|r| r.is_ok()))
                    .collect()
            })
            .collect();
        Signatures {
            entry: batch(bundles.iter().map(|b| &b.entry), proof),
            receipts,
            grants: super::chain_signatures(bundles.iter().map(|b| b.grants.as_slice()), proof),
        }
    }
}

/// The trusted chains of spend bundle `i`: the entry's signer is the
/// citizen whose request each grant answered.
pub(super) fn chains_of<'b>(b: &'b SpendBundle, i: usize, sigs: &Signatures, trust: &TrustRoots) -> Chains<'b> {
    trusted_chains(
        &b.grants,
        sigs.grants.get(i),
        b.entry.author(),
        &b.entry.record.account,
        trust,
    )
}

/// Why receipt `r` does not back `b`'s entry, or `None` when it does.
fn receipt_problem(b: &SpendBundle, r: &Signed<Receipt>, signed: bool) -> Option<String> {
    let id = &r.record.id;
    if !signed {
        return Some(format!(
            "receipt {id}: its signature does not verify (changed after signing?)"
        ));
    }
    if r.author() != b.entry.author() {
        return Some(format!("receipt {id} is signed by someone other than the spend"));
    }
    if r.record.entry != b.entry.record.id || r.record.entry_hash != keys::record_hash(&b.entry) {
        return Some(format!(
            "receipt {id} is for another version of the spend (changed after the receipt was attached)"
        ));
    }
    if let Err(e) = r.record.validate() {
        return Some(format!("receipt {id}: {e}"));
    }
    for f in &r.record.files {
        let held = b.files.iter().filter(|x| x.hash == f.hash).collect::<Vec<_>>();
        if held.is_empty() {
            return Some(format!("receipt {id}: file {} is not included", f.name));
        }
        if !held
            .iter()
            .any(|x| sha256(&x.bytes) == f.hash && x.bytes.len() as u64 == f.size)
        {
            return Some(format!(
                "receipt {id}: file {} does not match its hash (changed after signing?)",
                f.name
            ));
        }
    }
    None
}

/// Checks spend claim `i` against every rule but those that need the
/// others (counted twice, within the total). Returns the amount.
pub(super) fn check_one(
    b: &SpendBundle,
    i: usize,
    sigs: &Signatures,
    chains: &Chains<'_>,
) -> std::result::Result<rust_decimal::Decimal, String> {
    let missing: crate::Result<()> = Err(crate::VaultError::Corrupt("signature not checked".into()));
    sig(sigs.entry.get(i).unwrap_or(&missing), "spend")?;
    let e = &b.entry.record;
    if e.kind != EntryKind::Spend {
        return Err("the entry is not a spend".into());
    }
    if e.amount <= rust_decimal::Decimal::ZERO || e.amount.scale() > 2 {
        return Err(format!("{} is not an amount above zero in cents", e.amount));
    }
    // Every file the bundle carries is what its hash says, within the limit.
    if let Some(f) = b
        .files
        .iter()
        .find(|f| f.bytes.len() as u64 > inwonercloud_schemas::receipt::MAX_FILE_BYTES || sha256(&f.bytes) != f.hash)
    {
        let name = b
            .receipts
            .iter()
            .flat_map(|r| r.record.files.iter())
            .find(|a| a.hash == f.hash)
            .map_or_else(|| f.hash.to_string(), |a| a.name.clone());
        return Err(format!(
            "receipt file {name} does not match its hash in the claims file (changed after signing, or too large)"
        ));
    }
    if b.receipts.is_empty() {
        return Err("no receipt is attached to this spend".into());
    }
    let flags = sigs.receipts.get(i);
    let problems: Vec<String> = b
        .receipts
        .iter()
        .enumerate()
        .filter_map(|(j, r)| {
            let signed = flags.and_then(|f| f.get(j)).copied().unwrap_or(false);
            receipt_problem(b, r, signed)
        })
        .collect();
    if problems.len() == b.receipts.len() {
        return Err(problems.join("; "));
    }
    let matching = super::funded(chains)?;
    let Some(category) = &e.category else {
        return Err("the spend names no category".into());
    };
    if !super::covered(matching, category) {
        return Err(format!("category {category} lies outside the grant"));
    }
    if !matching
        .iter()
        .any(|g| e.date >= g.request.record.period_start && e.date <= g.request.record.period_end)
    {
        return Err("the spend's date lies outside the grant's period".into());
    }
    Ok(e.amount)
}

/// Bytes as base64 text in JSON.
mod base64_bytes {
    use data_encoding::BASE64;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&BASE64.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        BASE64
            .decode(text.as_bytes())
            .map_err(|e| serde::de::Error::custom(format!("a receipt file is not base64: {e}")))
    }
}
