//! Document headers: which automerge document this is, who owns it and which
//! identities may write to it. The header is signed by the owner.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{PublicKey, Record, Role};

/// What a document holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// Name, role, contact.
    Profile,
    /// The support plan.
    Plan,
    /// Budget accounts and the ledger.
    Budget,
    /// Private notes.
    Journal,
    /// Consents and revocations.
    Consents,
    /// One citizen–provider agreement.
    Agreement,
    /// A provider's public catalogue.
    Catalogue,
    /// A municipality's public policy.
    Policy,
    /// Budget transfers from its owner to one other budget holder.
    Exchange,
}

impl DocKind {
    /// Stable name used in document ids.
    pub fn code(self) -> &'static str {
        match self {
            DocKind::Profile => "profile",
            DocKind::Plan => "plan",
            DocKind::Budget => "budget",
            DocKind::Journal => "journal",
            DocKind::Consents => "consents",
            DocKind::Agreement => "agreement",
            DocKind::Catalogue => "catalogue",
            DocKind::Policy => "policy",
            DocKind::Exchange => "exchange",
        }
    }

    /// The document id of the owner's document of this kind (`<owner hex>/<kind>`).
    pub fn doc_id(self, owner: &PublicKey) -> String {
        format!("{owner}/{}", self.code())
    }
}

/// The signed header of a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentHeader {
    /// Document id: `<owner hex>/<kind>` or `<owner hex>/agreement/<provider hex>`.
    pub id: String,
    /// What it holds.
    pub kind: DocKind,
    /// The owner's identity; always a writer.
    pub owner: PublicKey,
    /// Other identities allowed to write. Only ever grows within a version:
    /// revocation is a new header version plus a revocation record.
    pub writers: Vec<PublicKey>,
    /// Former writers: their changes up to a cut-off stay valid, later ones are refused.
    pub revoked: Vec<RevokedWriter>,
    /// Revoked devices of any identity (a lost laptop): per device, the
    /// highest sequence number that stays valid; later changes are refused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revoked_devices: Vec<(PublicKey, u64)>,
    /// The role the owner granted each writer (from the owner's signed
    /// consent): a writer acts in this document only in this role, whatever
    /// its own certificate says about itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<(PublicKey, Role)>,
    /// Header version; a higher version from the owner replaces a lower one.
    pub version: u64,
}

/// A writer whose right to write was revoked, with the last change of each of
/// its devices that stays valid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokedWriter {
    /// The identity.
    pub identity: PublicKey,
    /// Per device: the highest automerge sequence number accepted before revocation.
    pub cutoffs: Vec<(PublicKey, u64)>,
    /// The role it wrote in while it could (its records up to the cut-offs keep it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
}

impl Record for DocumentHeader {
    const KIND: &'static str = "document_header";
    const VERSION: u16 = 1;
}

impl DocumentHeader {
    /// Whether `device` was revoked in this header.
    pub fn device_revoked(&self, device: &PublicKey) -> bool {
        self.revoked_devices.iter().any(|(d, _)| d == device)
    }

    /// The role the owner granted `identity` in this document: the consented
    /// role of a writer or former writer, and `None` for anyone else (the
    /// owner included: the owner acts as holder, checked by identity).
    pub fn role_of(&self, identity: &PublicKey) -> Option<Role> {
        self.roles
            .iter()
            .find(|(k, _)| k == identity)
            .map(|(_, r)| *r)
            .or_else(|| {
                self.revoked
                    .iter()
                    .find(|r| &r.identity == identity)
                    .and_then(|r| r.role)
            })
    }

    /// Whether `identity` may write new changes to this document.
    pub fn may_write(&self, identity: &PublicKey) -> bool {
        &self.owner == identity || self.writers.contains(identity)
    }

    /// Whether a *new* change number `seq` of `device`, certified by
    /// `identity`, may be accepted: a current writer's, a former writer's up
    /// to its cut-off, and never beyond a revoked device's cut-off.
    pub fn may_write_change(&self, identity: &PublicKey, device: &PublicKey, seq: u64) -> bool {
        if self.revoked_devices.iter().any(|(d, cut)| d == device && seq > *cut) {
            return false;
        }
        self.may_have_written(identity, device, seq)
    }

    /// Whether a change already held stays valid: device revocation does not
    /// apply to what a vault accepted before the revocation reached it (what
    /// was shared cannot be recalled; it stays attributed to that device).
    pub fn may_have_written(&self, identity: &PublicKey, device: &PublicKey, seq: u64) -> bool {
        if self.may_write(identity) {
            return true;
        }
        self.revoked
            .iter()
            .any(|r| &r.identity == identity && r.cutoffs.iter().any(|(d, cut)| d == device && seq <= *cut))
    }
}
