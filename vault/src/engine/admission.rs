//! One admission rule for every change, on every path it enters by.
//!
//! A change enters a document on import (from a peer or a bundle), on open
//! (the rows after the snapshot), on catch-up (rows another process stored)
//! and on restore (a backup is opened like any vault). Each path first checks
//! the signature and that the automerge actor is the signing device
//! ([`change::verify_all`](crate::change::verify_all), the same single
//! signature rule whether batched or not), then asks [`admit`] whether the
//! signer may have written it. `admit` is a pure function of the change, the
//! signer's certificate, the header held and the moment; each refusal is a
//! [`Refusal`] variant naming the rule it breaks.
//!
//! The two moments differ in one way only: a change arriving *now* must be
//! within a revoked device's cut-off and not dated far ahead, while a change
//! already *held* stays valid up to the cut-offs the header recorded
//! (revocation cannot recall what was accepted before it).

use automerge::Change;
use inwonercloud_schemas::{CertifiedDevice, DocumentHeader, PublicKey};

/// How far ahead of this machine's clock a new change's timestamp may be.
pub const MAX_CLOCK_AHEAD_SECS: u64 = 24 * 3600;

/// When the change is being admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moment {
    /// It arrives now (import).
    Arriving {
        /// Unix seconds of this machine's clock.
        now: u64,
        /// When the signing device is revoked in another header of its
        /// identity held here (not yet in this one): how many of its changes
        /// to this document are held. Revocation is of the device, not of
        /// one document.
        held_if_revoked_elsewhere: Option<u64>,
    },
    /// It is already stored here (open, catch-up, restore).
    Held,
}

/// Why a change may not enter a document. Each variant is one rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// Rule A1: the signing device must be certified by a known identity.
    #[error("device {device} has no known certificate")]
    UnknownDevice {
        /// Short device key.
        device: String,
    },
    /// Rule A2: the signer's identity must be the owner, a writer the owner
    /// admitted, or a former writer within its cut-off.
    #[error("{name} ({identity}) may not write this document")]
    NotAWriter {
        /// The identity's name as its certificate states it.
        name: String,
        /// Short identity key.
        identity: String,
    },
    /// Rule A3: a revoked device's changes beyond its cut-off do not enter.
    #[error(
        "{name} ({identity}) may not write this document: its device {device} was revoked after its change {cutoff}, and this is its change {seq}"
    )]
    DeviceRevoked {
        /// The identity's name as its certificate states it.
        name: String,
        /// Short identity key.
        identity: String,
        /// Short device key.
        device: String,
        /// The last change that stays valid.
        cutoff: u64,
        /// This change's sequence number.
        seq: u64,
    },
    /// Rule A3b: a device revoked in another header of its identity held
    /// here adds nothing beyond what this vault holds of it in this document.
    #[error(
        "device {device} was revoked in another of its identity's headers held here: it may add nothing beyond its {held} changes held of this document, and this is its change {seq}"
    )]
    RevokedElsewhere {
        /// Short device key.
        device: String,
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
}

/// Whether `change`, signed by `signer` (whose certificate is `cert`, if
/// known) and already checked for signature and actor, may enter the
/// document with header `header` at `moment`.
pub fn admit(
    cert: Option<&CertifiedDevice>,
    signer: &PublicKey,
    header: &DocumentHeader,
    change: &Change,
    moment: Moment,
) -> Result<(), Refusal> {
    let Some(cert) = cert.filter(|c| &c.certificate.device == signer) else {
        return Err(Refusal::UnknownDevice { device: signer.short() });
    };
    let identity = &cert.certificate.identity;
    let seq = change.seq();
    if let Moment::Arriving {
        now,
        held_if_revoked_elsewhere,
    } = moment
    {
        if let Some((_, cutoff)) = header.revoked_devices.iter().find(|(d, cut)| d == signer && seq > *cut) {
            return Err(Refusal::DeviceRevoked {
                name: cert.certificate.identity_name.clone(),
                identity: identity.short(),
                device: signer.short(),
                cutoff: *cutoff,
                seq,
            });
        }
        if let Some(held) = held_if_revoked_elsewhere
            && seq > held
        {
            return Err(Refusal::RevokedElsewhere {
                device: signer.short(),
                held,
                seq,
            });
        }
        let limit = now.saturating_add(MAX_CLOCK_AHEAD_SECS).min(i64::MAX as u64) as i64;
        if change.timestamp() > limit {
            return Err(Refusal::FromTheFuture {
                timestamp: change.timestamp(),
            });
        }
    }
    if !header.may_have_written(identity, signer, seq) {
        return Err(Refusal::NotAWriter {
            name: cert.certificate.identity_name.clone(),
            identity: identity.short(),
        });
    }
    Ok(())
}
