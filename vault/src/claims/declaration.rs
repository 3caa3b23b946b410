//! Claims made of a declaration: a provider's or an informal carer's
//! declaration under a countersigned agreement, approved by the budget
//! holder (or by a representative she gave a mandate).

use inwonercloud_schemas::{
    Agreement, AgreementCancellation, AgreementSignature, Approval, Declaration, Mandate, MandateAction,
    MandateRevocation, Signed, Verdict,
};
use serde::{Deserialize, Serialize};

use super::{Chains, GrantChain, Proof, batch, sig, trusted_chains};
use crate::{TrustRoots, keys, mandate};

/// A budget holder's mandates and her revocations of them.
pub(super) type Mandates = (Vec<Signed<Mandate>>, Vec<Signed<MandateRevocation>>);

/// Everything one declaration claim needs, each piece signed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ClaimBundle {
    /// The citizen's agreement.
    pub agreement: Signed<Agreement>,
    /// The provider's (or carer's) countersignature.
    pub countersignature: Option<Signed<AgreementSignature>>,
    /// The provider's (or carer's) declaration.
    pub declaration: Signed<Declaration>,
    /// The approval, by the budget holder or a representative she mandated.
    pub approval: Signed<Approval>,
    /// The grants on the agreement's account.
    pub grants: Vec<GrantChain>,
    /// A party's notice ending the agreement early, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation: Option<Signed<AgreementCancellation>>,
    /// The budget holder's mandates, when a representative approved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mandates: Vec<Signed<Mandate>>,
    /// Her revocations of those mandates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revocations: Vec<Signed<MandateRevocation>>,
}

impl ClaimBundle {
    /// Whether the agreement is with an informal carer.
    pub fn informal(&self) -> bool {
        self.agreement.record.informal
    }
}

/// Every signature of every bundle, checked in batches per record type
/// (see [`keys::verify_records`]).
pub(super) struct Signatures {
    agreement: Vec<crate::Result<()>>,
    declaration: Vec<crate::Result<()>>,
    approval: Vec<crate::Result<()>>,
    countersignature: Vec<Option<crate::Result<()>>>,
    /// Per bundle, per grant chain: all three pieces verify.
    pub(super) grants: Vec<Vec<bool>>,
}

impl Signatures {
    pub(super) fn check(bundles: &[ClaimBundle], proof: Proof) -> Self {
        let mut present = batch(bundles.iter().filter_map(|b| b.countersignature.as_ref()), proof).into_iter();
        let countersignature = bundles
            .iter()
            .map(|b| b.countersignature.as_ref().and_then(|_| present.next()))
            .collect();
        Signatures {
            agreement: batch(bundles.iter().map(|b| &b.agreement), proof),
            declaration: batch(bundles.iter().map(|b| &b.declaration), proof),
            approval: batch(bundles.iter().map(|b| &b.approval), proof),
            countersignature,
            grants: super::chain_signatures(bundles.iter().map(|b| b.grants.as_slice()), proof),
        }
    }
}

/// The trusted chains of bundle `i` (see [`trusted_chains`]).
pub(super) fn chains_of<'b>(b: &'b ClaimBundle, i: usize, sigs: &Signatures, trust: &TrustRoots) -> Chains<'b> {
    let a = &b.agreement.record;
    trusted_chains(&b.grants, sigs.grants.get(i), &a.citizen, &a.account, trust)
}

/// What one declaration claim contributes once it passes [`check_one`].
pub(super) struct Checked {
    /// Units × tariff, rounded to the cent.
    pub(super) amount: rust_decimal::Decimal,
    /// The most units of this service over the agreement's period.
    pub(super) max_units: rust_decimal::Decimal,
}

/// Checks claim `i` against every rule but those that need the others
/// (counted twice, within the total, within the agreed units).
pub(super) fn check_one(
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
    if b.approval.author() == &a.provider && a.provider != a.citizen {
        return Err("approved by someone other than the budget holder: by the one who declared it".into());
    }
    if b.approval.author() != &a.citizen {
        mandate::mandate_allows(
            &b.mandates,
            &b.revocations,
            &a.citizen,
            b.approval.author(),
            MandateAction::Approve,
            &b.approval.record.id,
            d.period_end,
        )
        .map_err(|why| format!("approved by someone other than the budget holder: {why}"))?;
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
    let matching = super::funded(chains)?;
    if !super::covered(matching, &d.category) {
        return Err(format!("category {} lies outside the grant", d.category));
    }
    let within = matching
        .iter()
        .any(|g| d.period_start >= g.request.record.period_start && d.period_end <= g.request.record.period_end);
    if !within || d.period_start < a.period_start || d.period_end > a.period_end || d.period_start > d.period_end {
        return Err("the declared period lies outside the grant or the agreement".into());
    }
    if let Some(c) = &b.cancellation
        && d.period_end > c.record.last_day
        && crate::cancellation::cancels(&b.agreement, c)
        && keys::verify_records(&[c]).iter().all(|r| r.is_ok())
    {
        return Err(format!(
            "care is declared after {}, the last day of the agreement once it was cancelled",
            c.record.last_day
        ));
    }
    let agreed = a
        .services
        .iter()
        .find(|s| s.offering_id == d.offering_id)
        .ok_or_else(|| "the declared service is not in the agreement".to_string())?;
    super::units::check_declaration(d, agreed, matching)?;
    if d.category != agreed.category {
        return Err(format!(
            "the declaration names category {}, but the agreed service is {}",
            d.category, agreed.category
        ));
    }
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
