//! Why a change, header or bundle is refused on import: one [`Refusal`]
//! variant per rule, with typed fields.
//!
//! The same value is logged in the rejections log
//! ([`Rejection::refusal`](crate::replica::Rejection::refusal)) and carried by
//! [`VaultError::ChangeRefused`](crate::VaultError::ChangeRefused), so that
//! the app and the command line can say in the reader's language what was
//! refused and what to do about it. `Display` is the English text the log's
//! `why` holds.
//!
//! The enums here are deliberately not `#[non_exhaustive]`: a front end
//! renders them with an exhaustive `match`, so a new rule without a text does
//! not compile.

use inwonercloud_schemas::{DocumentHeader, PublicKey, Signed};
use serde::{Deserialize, Serialize};

use crate::keys;

/// Why something may not enter this vault. Each variant is one rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Refusal {
    /// Rule A1: the signing device must be certified by a known identity.
    #[error("device {} has no known certificate", .device.short())]
    UnknownDevice {
        /// The signing device.
        device: PublicKey,
    },
    /// Rule A2: the signer's identity must be the owner, a writer the owner
    /// admitted, or a former writer within its cut-off.
    #[error("{name} ({}) may not write this document", .identity.short())]
    NotAWriter {
        /// The identity's name as its certificate states it.
        name: String,
        /// The signer's identity.
        identity: PublicKey,
    },
    /// Rule A3: a revoked device's changes beyond its cut-off do not enter.
    #[error(
        "{name} ({}) may not write this document: its device {} was revoked after its change {cutoff}, and this is its change {seq}",
        .identity.short(),
        .device.short()
    )]
    DeviceRevoked {
        /// The identity's name as its certificate states it.
        name: String,
        /// The signer's identity.
        identity: PublicKey,
        /// The revoked device.
        device: PublicKey,
        /// The last change that stays valid.
        cutoff: u64,
        /// This change's sequence number.
        seq: u64,
    },
    /// Rule A3b: a device revoked in another header of its identity held
    /// here adds nothing beyond what this vault holds of it in this document.
    #[error(
        "device {} was revoked in another of its identity's headers held here: it may add nothing beyond its {held} changes held of this document, and this is its change {seq}",
        .device.short()
    )]
    RevokedElsewhere {
        /// The revoked device.
        device: PublicKey,
        /// Its changes held of this document.
        held: u64,
        /// This change's sequence number.
        seq: u64,
    },
    /// Rule A4: a new change may not be dated more than a day ahead.
    #[error(
        "its timestamp {timestamp} lies more than a day in the future (the sender's clock is wrong, or the change is forged)"
    )]
    FromTheFuture {
        /// The change's timestamp (unix seconds).
        timestamp: i64,
    },
    /// The bytes are not a signed change (not hex in a bundle, too short, an
    /// unknown encoding, not an automerge change).
    #[error("not a signed change: {detail}")]
    Undecodable {
        /// What is wrong with the bytes (English).
        detail: String,
    },
    /// Rule S2: a change's automerge actor is the device that signed it.
    #[error("actor {actor} is not the signing device {signer}")]
    ActorNotSigner {
        /// The actor id in the change (hex).
        actor: String,
        /// The device that signed it.
        signer: PublicKey,
    },
    /// Rule S1: the signature (or the key it is checked with) does not
    /// verify: the item was altered on the way, or forged.
    #[error("{detail}")]
    BadSignature {
        /// What was signed.
        on: SignatureOn,
        /// The verifier's words (English), naming the item.
        detail: String,
    },
    /// A document header is signed by a device of its owner.
    #[error(
        "bad signature on a header: signed by identity {}, not by its owner {}",
        .signer.short(),
        .owner.short()
    )]
    HeaderNotByOwner {
        /// The identity whose device signed it.
        signer: PublicKey,
        /// The owner the header names.
        owner: PublicKey,
    },
    /// A document's id starts with its owner's key.
    #[error("bad signature on header of {id}: the id does not name its owner")]
    HeaderIdNotOwners {
        /// The document id offered.
        id: String,
    },
    /// A document keeps its owner: a header naming another owner is refused.
    /// (Checked after [`HeaderIdNotOwners`](Self::HeaderIdNotOwners), which
    /// already implies it while ids start with the owner's key; kept as its
    /// own rule so that it holds should ids ever change.)
    #[error(
        "a header with another owner was offered (owner held here {}, offered {})",
        .held.short(),
        .offered.short()
    )]
    AnotherOwner {
        /// The owner of the header held here.
        held: PublicKey,
        /// The owner the offered header names.
        offered: PublicKey,
    },
    /// Rule D1 for mail: a document arrives only from its owner's side when
    /// this vault holds it, owns it, or admitted its owner.
    #[error("mail for a document of {}, whom this vault never admitted, was not taken", .owner.short())]
    NotAdmitted {
        /// The document's owner.
        owner: PublicKey,
    },
    /// Header rule `revoked signer`: a device revoked in a header of its
    /// owner held here (this document's or any other) signs no headers, so
    /// that it cannot undo its own revocation or grant anything.
    #[error(
        "header rule `revoked signer`: version {version} is signed by device {}, which its owner revoked; a revoked device cannot sign headers, the header held here stays in force",
        .device.short()
    )]
    HeaderByRevokedDevice {
        /// The offered version.
        version: u64,
        /// The revoked device that signed it.
        device: PublicKey,
    },
    /// Header rule `revocations are permanent`: a newer header keeps every
    /// device revocation of the header held here.
    #[error(
        "header rule `revocations are permanent`: version {version} drops the revocation of device {} that version {held} held here has (cut-off {cut_off}); it is refused",
        .device.short()
    )]
    RevocationDropped {
        /// The offered version.
        version: u64,
        /// The held version.
        held: u64,
        /// The device whose revocation it drops.
        device: PublicKey,
        /// That device's cut-off in the held header.
        cut_off: u64,
    },
    /// Header rule `revocations are permanent`, loosened instead of dropped:
    /// the cut-off of a revoked device may stay or go down, never up.
    #[error(
        "header rule `revocations are permanent`: version {version} raises the cut-off of revoked device {} from {cut_off} (version {held} held here) to {offered}; it is refused",
        .device.short()
    )]
    CutOffRaised {
        /// The offered version.
        version: u64,
        /// The held version.
        held: u64,
        /// The revoked device.
        device: PublicKey,
        /// Its cut-off in the held header.
        cut_off: u64,
        /// Its cut-off in the offered header.
        offered: u64,
    },
    /// One of the named limits on what others may store here.
    #[error("{}", limit_text(.limit, *.value, *.max))]
    OverLimit {
        /// Which limit, and whose.
        limit: Limit,
        /// What it would be with this accepted.
        value: u64,
        /// The most it may be.
        max: u64,
    },
    /// No equivocation: one device sent two different changes as the same
    /// number of one document.
    #[error(
        "device {} sent two different changes as number {seq} ({first} and {second}): the device may be cloned or misbehaving; the second was refused",
        .device.short()
    )]
    Equivocation {
        /// The device (possibly cloned).
        device: PublicKey,
        /// The sequence number both claim.
        seq: u64,
        /// Hash of the change stored first.
        first: String,
        /// Hash of the change refused.
        second: String,
    },
    /// A stored row left out on open (or restore): under the header held now,
    /// its writer may not have written it.
    #[error("left out on open: {reason}")]
    LeftOutOnOpen {
        /// The admission rule it breaks now.
        reason: Box<Refusal>,
    },
}

/// What a refused signature was on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureOn {
    /// A change.
    Change,
    /// A document header (who may write the document).
    Header,
    /// A device certificate (that a device belongs to an identity).
    Certificate,
}

/// A named limit on what other identities may store in this vault, with
/// whom it concerns. The value and maximum are in [`Refusal::OverLimit`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Limit {
    /// Bytes of signed changes one other identity may have stored in one
    /// document ([`Limits::writer_bytes_per_document`](crate::limits::Limits::writer_bytes_per_document)).
    WriterBytesPerDocument {
        /// The writer's name as its certificate states it.
        name: String,
        /// The writer's identity.
        identity: PublicKey,
    },
    /// Documents of one other owner kept here
    /// ([`Limits::documents_per_owner`](crate::limits::Limits::documents_per_owner)).
    DocumentsPerOwner {
        /// The owner.
        owner: PublicKey,
    },
    /// Device certificates kept per identity
    /// ([`MAX_DEVICES_PER_IDENTITY`](crate::replica::MAX_DEVICES_PER_IDENTITY)).
    DevicesPerIdentity {
        /// The identity's name as its certificate states it.
        name: String,
        /// The identity.
        identity: PublicKey,
    },
    /// Changes of one document waiting for earlier changes that have not
    /// arrived ([`MAX_PENDING_CHANGES`](crate::replica::MAX_PENDING_CHANGES)).
    PendingChanges,
    /// How far one header may raise a document's header version
    /// ([`MAX_HEADER_VERSION_STEP`](crate::replica::MAX_HEADER_VERSION_STEP));
    /// the value is the step, `version` minus `held`.
    HeaderVersionStep {
        /// The offered version.
        version: u64,
        /// The version held here (0 when none is held).
        held: u64,
    },
}

fn limit_text(limit: &Limit, value: u64, max: u64) -> String {
    match limit {
        Limit::WriterBytesPerDocument { name, identity } => format!(
            "{name} ({}) would hold {value} bytes of changes in this document; the limit per writer is {max}",
            identity.short()
        ),
        Limit::DocumentsPerOwner { owner } => format!(
            "this vault already keeps {value} documents of {}; the limit is {max}",
            owner.short()
        ),
        Limit::DevicesPerIdentity { name, identity } => format!(
            "{name} ({}) already has {value} devices here; the limit is {max}: revoke one first",
            identity.short()
        ),
        Limit::PendingChanges => {
            format!("{value} changes would wait for earlier changes that never arrived (the limit is {max})")
        }
        Limit::HeaderVersionStep { version, held } => format!(
            "header rule `version step`: version {version} is more than {max} above version {held} held here (0: none held); it is refused, so that no header can be pinned at the last version"
        ),
    }
}

impl Refusal {
    /// The device to revoke or ask about, when the refusal names one that
    /// misbehaves (equivocation).
    pub fn equivocating_device(&self) -> Option<PublicKey> {
        match self {
            Refusal::Equivocation { device, .. } => Some(*device),
            _ => None,
        }
    }
}

/// The header's own checks, before any succession rule: its signature and
/// certificate, that a device of its owner signed it, and that its id names
/// that owner.
pub fn check_header(h: &Signed<DocumentHeader>) -> Result<(), Refusal> {
    if let Err(e) = keys::verify_record(h) {
        return Err(Refusal::BadSignature {
            on: SignatureOn::Header,
            detail: e.to_string(),
        });
    }
    if h.device.certificate.identity != h.record.owner {
        return Err(Refusal::HeaderNotByOwner {
            signer: h.device.certificate.identity,
            owner: h.record.owner,
        });
    }
    if !h.record.id.starts_with(&format!("{}/", h.record.owner)) {
        return Err(Refusal::HeaderIdNotOwners {
            id: h.record.id.clone(),
        });
    }
    Ok(())
}

/// Reads a logged refusal; one this program does not know (written by a
/// newer version) reads as none, so that the entry, with its `why`, stays.
pub(crate) fn lenient<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Refusal>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_round_trips_through_json_with_its_rule_named() {
        let r = Refusal::OverLimit {
            limit: Limit::WriterBytesPerDocument {
                name: "Mallory".into(),
                identity: PublicKey([3; 32]),
            },
            value: 30_000,
            max: 20_000,
        };
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["rule"], "over_limit");
        assert_eq!(json["limit"]["kind"], "writer_bytes_per_document");
        assert_eq!(serde_json::from_value::<Refusal>(json).unwrap(), r);
        assert!(r.to_string().contains("the limit per writer is 20000"), "{r}");
        let nested = Refusal::LeftOutOnOpen {
            reason: Box::new(Refusal::UnknownDevice {
                device: PublicKey([4; 32]),
            }),
        };
        let back: Refusal = serde_json::from_str(&serde_json::to_string(&nested).unwrap()).unwrap();
        assert_eq!(back, nested);
        assert!(nested.to_string().starts_with("left out on open: device 04040404"));
    }
}
