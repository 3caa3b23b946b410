//! What the protocol core needs of a vault: a narrow, synchronous interface.
//!
//! [`Session`](crate::protocol::Session) calls these while it handles one
//! input; the driver decides how the vault is reached (the node locks its
//! shared vault once per input). [`Vault`] implements it directly, so the
//! core's tests and the simulated network run on real vaults.

use std::collections::BTreeMap;

use inwonercloud_schemas::{CertifiedDevice, DocumentHeader, PublicKey, Signed};
use inwonercloud_vault::replica::VersionVector;
use inwonercloud_vault::{Direction, ImportReport, PeerInfo, Redeemed, SignedChange, Vault, VaultError};
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
    /// Stores [`Replica::peer_knowledge`] (a failure costs only bytes next time).
    fn note_peer_knowledge(&mut self, device: &PublicKey, knowledge: &PeerKnowledge) {
        let _ = (device, knowledge);
    }
    /// Remembers an admitted peer: its device, the addresses and the postbus
    /// it announced (`None`: it has none, or stopped using one).
    fn remember_peer(&mut self, peer: &CertifiedDevice, listen: &[String], postbus: Option<&str>);
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
    /// Imports a batch through the vault's one gate, all or nothing.
    fn import_changes(
        &mut self,
        header: &Signed<DocumentHeader>,
        certs: &[CertifiedDevice],
        changes: &[SignedChange],
        from: &str,
    ) -> Result<ImportReport, VaultError>;
    /// Notes in the access log what was sent or received (the vault dates it).
    fn log_access(
        &mut self,
        peer: &PublicKey,
        peer_name: &str,
        doc: &str,
        direction: Direction,
        changes: usize,
        bytes: usize,
    );
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

    fn note_peer_knowledge(&mut self, device: &PublicKey, knowledge: &PeerKnowledge) {
        if let Ok(b) = serde_json::to_vec(knowledge) {
            let _ = self.set_sync_note(device, &b);
        }
    }

    fn remember_peer(&mut self, peer: &CertifiedDevice, listen: &[String], postbus: Option<&str>) {
        let c = &peer.certificate;
        let mut info = self.peer(&c.identity).ok().flatten().unwrap_or(PeerInfo {
            identity: c.identity,
            name: c.identity_name.clone(),
            role: c.role,
            devices: vec![],
            addrs: vec![],
            last_seen: 0,
            postbus: None,
        });
        if !info.devices.contains(&c.device) {
            info.devices.push(c.device);
        }
        // What the peer announces now replaces what it announced before: a
        // node that moved (a new port, a new network) is dialed where it is,
        // and stale addresses do not pile up. Bounded, whatever a peer sends.
        if !listen.is_empty() {
            info.addrs = listen.iter().take(MAX_ANNOUNCED_ADDRS).cloned().collect();
        }
        info.last_seen = inwonercloud_vault::keys::now();
        if info.postbus.as_deref() != postbus
            && let Some(addr) = postbus.and_then(|p| p.parse::<inwonercloud_vault::mail::PostbusAddr>().ok())
        {
            // Newly learned: what this device wrote in the peer's documents
            // so far goes by this session; mail starts from here.
            let _ = self.begin_mail(&addr.endpoint, &c.identity);
        }
        info.postbus = postbus.map(str::to_string);
        // Remembering is a convenience for dialing back later; a failure
        // costs nothing of the session.
        let _ = Vault::remember_peer(self, &info);
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
    ) -> Result<ImportReport, VaultError> {
        Vault::import_changes(self, header, certs, changes, from)
    }

    fn log_access(
        &mut self,
        peer: &PublicKey,
        peer_name: &str,
        doc: &str,
        direction: Direction,
        changes: usize,
        bytes: usize,
    ) {
        self.note_exchange(peer, peer_name, doc, direction, changes, bytes);
    }

    fn synced(&mut self) {
        // A failed snapshot costs only speed: the change log is complete.
        let _ = self.compact_due();
    }
}
