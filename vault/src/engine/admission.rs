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

/// Why a change may not enter a document: the admission rules are its
/// variants A1–A4 (`UnknownDevice`, `NotAWriter`, `DeviceRevoked`,
/// `RevokedElsewhere`, `FromTheFuture`); the others name the rest of what
/// import refuses.
pub use super::refusal::Refusal;

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
        return Err(Refusal::UnknownDevice { device: *signer });
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
                identity: *identity,
                device: *signer,
                cutoff: *cutoff,
                seq,
            });
        }
        if let Some(held) = held_if_revoked_elsewhere
            && seq > held
        {
            return Err(Refusal::RevokedElsewhere {
                device: *signer,
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
            identity: *identity,
        });
    }
    Ok(())
}
