//! What the protocol core needs of a vault: a narrow, synchronous interface.
//!
//! [`Session`](crate::protocol::Session) calls these while it handles one
//! input; the driver decides how the vault is reached (the node locks its
//! shared vault once per input). [`Vault`] implements it directly, so the
//! core's tests and the simulated network run on real vaults.
//!
//! Bookkeeping goes through two calls only: an import carries the
//! session's notes into its own transaction, and `write_notes` writes them
//! in one commit of their own, so a session flushes the disk once per
//! imported document and not once per log line.

use std::collections::BTreeMap;

use inwonercloud_schemas::{CertifiedDevice, DocumentHeader, PublicKey, Signed};
use inwonercloud_vault::replica::VersionVector;
use inwonercloud_vault::{ImportReport, PeerVisit, Redeemed, SessionNotes, SignedChange, Vault, VaultError};
use serde::{Deserialize, Serialize};

/// The vault as the sync protocol sees it. Authorization lives behind it
/// ([`Replica::documents_for_peer`], [`Replica::accepts_document_from`],
/// [`Replica::import_changes`]); the core only follows the protocol.
pub trait Replica {
    /// This device's certificate, sent in `Hello` or `Welcome`.
    fn device_certificate(&self) -> CertifiedDevice;
    /// Where this vault serves sessions (`ip:port`, as configured), announced in `Hello`.
    fn listen_addrs(&self) -> Vec<String>;
    /// Whether a header of `identity`'s held here revokes `device`.
    fn is_device_revoked(&self, identity: &PublicKey, device: &PublicKey) -> bool;
    /// Whether `identity` may place documents here (strangers may not).
    fn is_admitted(&self, identity: &PublicKey) -> bool;
    /// Stores a peer's device certificate.
    fn add_device_certificate(&mut self, cert: &CertifiedDevice) -> Result<(), VaultError>;
    /// Adopts the certificate an identity issued for this device (a device invite).
    fn adopt_certificate(&mut self, issued: CertifiedDevice) -> Result<(), VaultError>;
    /// Redeems an invite secret for the dialing device.
    fn redeem_invite(&mut self, secret: &[u8], peer: &CertifiedDevice) -> Result<Redeemed, VaultError>;
    /// The postbus this vault's owner takes mail at, announced in `Hello` and `Welcome`.
    fn postbus(&self) -> Option<String> {
        None
    }
    /// The certificate this vault holds for `device`, if any (verified when stored).
    fn certificate_of(&self, device: &PublicKey) -> Option<CertifiedDevice> {
        let _ = device;
        None
    }
    /// What this vault noted that the peer device holds of it (empty for a
    /// peer never met): a note, not a proof, used only to leave out what
    /// the peer has; every check runs on the receiver's own copies.
    fn peer_knowledge(&self, device: &PublicKey) -> PeerKnowledge {
        let _ = device;
        PeerKnowledge::default()
    }
    /// An admitted peer was met. A visit that changes more than when it was
    /// seen and where it is reached ([`PeerVisit::is_routine`]) is written
    /// now, and a postbus newly learned starts mail there; returns whether
    /// the visit is written (if not, it goes with the session's notes).
    fn peer_met(&mut self, visit: &PeerVisit) -> bool;
    /// Every document held.
    fn document_ids(&self) -> Vec<String>;
    /// The documents this vault may send to `peer` (the consent rule).
    fn documents_for_peer(&self, peer: &PublicKey) -> Result<Vec<String>, VaultError>;
    /// A document's owner-signed header.
    fn signed_header(&self, doc: &str) -> Result<Signed<DocumentHeader>, VaultError>;
    /// Whether to take a document `peer` offers.
    fn accepts_document_from(&self, peer: &PublicKey, header: &DocumentHeader) -> bool;
    /// The newer header to send back when `peer` offers one of this owner's
    /// documents it may no longer write (see [`Vault::revocation_notice`]).
    fn revocation_notice(&self, peer: &PublicKey, offered: &DocumentHeader) -> Option<Signed<DocumentHeader>> {
        let _ = (peer, offered);
        None
    }
    /// What this vault holds of a document, per device.
    fn version_vector(&self, doc: &str) -> Result<VersionVector, VaultError>;
    /// Change-log rows a peer holding `have` lacks.
    fn missing_rows(&self, doc: &str, have: &VersionVector) -> Result<Vec<u64>, VaultError>;
    /// The signed changes at these rows.
    fn changes_at(&self, doc: &str, rows: &[u64]) -> Result<Vec<SignedChange>, VaultError>;
    /// Certificates of the header's signer and of the signers of `changes`.
    fn certificates_for(&self, doc: &str, changes: &[SignedChange]) -> Result<Vec<CertifiedDevice>, VaultError>;
    /// Imports a batch through the vault's one gate, all or nothing, and
    /// writes the session's `notes` in the same transaction: stored with the
    /// batch, or not at all when it is refused.
    fn import_changes(
        &mut self,
        header: &Signed<DocumentHeader>,
        certs: &[CertifiedDevice],
        changes: &[SignedChange],
        from: &str,
        notes: &SessionNotes,
    ) -> Result<ImportReport, VaultError>;
    /// Writes the session's bookkeeping in one durable commit.
    fn write_notes(&mut self, notes: &SessionNotes) -> Result<(), VaultError>;
    /// Both sides are in sync: a good moment for housekeeping (a snapshot).
    fn synced(&mut self);
}

/// What a peer device was seen to hold of this vault, kept per peer device
/// so that a session with a known peer leaves out what it has: this
/// device's certificate and documents' owner-signed headers, each named by
/// its [`digest`](crate::wire::digest).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerKnowledge {
    /// The digest of this device's certificate the peer said it keeps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert: Option<String>,
    /// Per document, the digest of the header the peer took last.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

/// Most addresses kept for one peer from its announcements.
pub const MAX_ANNOUNCED_ADDRS: usize = 8;

impl Replica for Vault {
    fn device_certificate(&self) -> CertifiedDevice {
        Vault::device_certificate(self).clone()
    }

    fn listen_addrs(&self) -> Vec<String> {
        self.setting("serve_addrs")
            .ok()
            .flatten()
            .unwrap_or_default()
            .split(',')
            .filter(|a| a.parse::<std::net::SocketAddr>().is_ok())
            .take(crate::wire::MAX_LISTEN_ADDRS)
            .map(str::to_string)
            .collect()
    }

    fn is_device_revoked(&self, identity: &PublicKey, device: &PublicKey) -> bool {
        Vault::is_device_revoked(self, identity, device)
    }

    fn is_admitted(&self, identity: &PublicKey) -> bool {
        Vault::is_admitted(self, identity)
    }

    fn add_device_certificate(&mut self, cert: &CertifiedDevice) -> Result<(), VaultError> {
        Vault::add_device_certificate(self, cert)
    }

    fn adopt_certificate(&mut self, issued: CertifiedDevice) -> Result<(), VaultError> {
        Vault::adopt_certificate(self, issued)
    }

    fn redeem_invite(&mut self, secret: &[u8], peer: &CertifiedDevice) -> Result<Redeemed, VaultError> {
        Vault::redeem_invite(self, secret, peer)
    }

    fn postbus(&self) -> Option<String> {
        // Every device of the owner announces the same postbus (one that has
        // no setting of its own passes on what another of hers announced).
        self.postbus_of(&self.identity()).map(|p| p.to_string())
    }

    fn certificate_of(&self, device: &PublicKey) -> Option<CertifiedDevice> {
        Vault::certificate_of(self, device).cloned()
    }

    fn peer_knowledge(&self, device: &PublicKey) -> PeerKnowledge {
        self.sync_note(device)
            .ok()
            .flatten()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn peer_met(&mut self, visit: &PeerVisit) -> bool {
        let identity = visit.device.certificate.identity;
        let stored = self.peer(&identity).ok().flatten();
        if visit.is_routine(stored.as_ref()) {
            return false;
        }
        if stored.and_then(|p| p.postbus) != visit.postbus
            && let Some(addr) = visit
                .postbus
                .as_deref()
                .and_then(|p| p.parse::<inwonercloud_vault::mail::PostbusAddr>().ok())
        {
            // Newly learned: what this device wrote in the peer's documents
            // so far goes by this session; mail starts from here.
            let _ = self.begin_mail(&addr.endpoint, &identity);
        }
        // Remembering is a convenience for dialing back later; one that
        // fails is tried again with the session's notes.
        let notes = SessionNotes {
            visit: Some(visit.clone()),
            ..SessionNotes::default()
        };
        Vault::write_notes(self, &notes).is_ok()
    }

    fn document_ids(&self) -> Vec<String> {
        Vault::document_ids(self)
    }

    fn documents_for_peer(&self, peer: &PublicKey) -> Result<Vec<String>, VaultError> {
        Vault::documents_for_peer(self, peer)
    }

    fn signed_header(&self, doc: &str) -> Result<Signed<DocumentHeader>, VaultError> {
        Vault::signed_header(self, doc)
    }

    fn accepts_document_from(&self, peer: &PublicKey, header: &DocumentHeader) -> bool {
        Vault::accepts_document_from(self, peer, header)
    }

    fn revocation_notice(&self, peer: &PublicKey, offered: &DocumentHeader) -> Option<Signed<DocumentHeader>> {
        Vault::revocation_notice(self, peer, offered)
    }

    fn version_vector(&self, doc: &str) -> Result<VersionVector, VaultError> {
        Vault::version_vector(self, doc)
    }

    fn missing_rows(&self, doc: &str, have: &VersionVector) -> Result<Vec<u64>, VaultError> {
        Vault::missing_rows(self, doc, have)
    }

    fn changes_at(&self, doc: &str, rows: &[u64]) -> Result<Vec<SignedChange>, VaultError> {
        Vault::changes_at(self, doc, rows)
    }

    fn certificates_for(&self, doc: &str, changes: &[SignedChange]) -> Result<Vec<CertifiedDevice>, VaultError> {
        Vault::certificates_for(self, doc, changes)
    }

    fn import_changes(
        &mut self,
        header: &Signed<DocumentHeader>,
        certs: &[CertifiedDevice],
        changes: &[SignedChange],
        from: &str,
        notes: &SessionNotes,
    ) -> Result<ImportReport, VaultError> {
        Vault::import_changes_noting(self, header, certs, changes, from, notes)
    }

    fn write_notes(&mut self, notes: &SessionNotes) -> Result<(), VaultError> {
        Vault::write_notes(self, notes)
    }

    fn synced(&mut self) {
        // A failed snapshot costs only speed: the change log is complete.
        let _ = self.compact_due();
    }
}
