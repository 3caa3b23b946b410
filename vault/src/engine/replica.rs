//! The narrow interface the sync layer uses: document headers, version
//! vectors, the changes a peer lacks, and importing a peer's changes.
//!
//! Import is the one gate every foreign change passes: signature, actor =
//! signer, certified device, the header's write rule (with revocation
//! cut-offs), and no equivocation. A batch is all or nothing, and refusals are
//! logged with the peer and the reason.

use std::collections::BTreeMap;

use automerge::Change;
use inwonercloud_schemas::{CertifiedDevice, DocumentHeader, PublicKey, RevokedWriter, Role, Signed, Succession};
use serde::Serialize;

use crate::admission::{Moment, admit};
use crate::change::SignedChange;
use crate::error::{Result, VaultError};
use crate::keys;
use crate::store::{self, NewChange};
use crate::vault::{DocumentBundle, ImportReport, SNAPSHOT_EVERY, Vault, catch_up, check_header, json};

/// Per device: how many changes of a document are held, without gaps.
pub type VersionVector = BTreeMap<PublicKey, u64>;

pub use crate::admission::MAX_CLOCK_AHEAD_SECS;

/// A refused change or record, as logged.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Rejection {
    /// Unix seconds.
    pub at: u64,
    /// Document id.
    pub doc: String,
    /// Change hash, or `-`.
    pub change: String,
    /// Who sent it (peer name or key).
    pub from: String,
    /// Why it was refused.
    pub why: String,
    /// For equivocation: the device that sent two different changes as the
    /// same number (possibly a cloned device).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equivocating_device: Option<PublicKey>,
}

/// Most device certificates this vault keeps for one identity: a peer cannot
/// fill the vault with certificates of made-up devices.
pub const MAX_DEVICES_PER_IDENTITY: usize = 64;

/// Most changes of one document that may wait for dependencies that have
/// not arrived (they are held in memory until those come).
pub const MAX_PENDING_CHANGES: usize = 10_000;

pub use crate::limits::{DOCUMENTS_PER_OWNER, Limits, WRITER_BYTES_PER_DOCUMENT};

impl Vault {
    /// The limits on what other identities may store here.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Sets the limits (for this handle; they are not stored).
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Every stored signed change of a document, in log order.
    pub fn signed_changes(&self, doc_id: &str) -> Result<Vec<SignedChange>> {
        self.doc(doc_id)?;
        decode_rows(doc_id, self.store().changes(doc_id)?)
    }

    /// The owner-signed header of a document.
    pub fn signed_header(&self, doc_id: &str) -> Result<Signed<DocumentHeader>> {
        Ok(self.doc(doc_id)?.header.clone())
    }

    /// What this vault holds of a document, per device.
    pub fn version_vector(&self, doc_id: &str) -> Result<VersionVector> {
        Ok(self
            .store()
            .version_vector(doc_id)?
            .into_iter()
            .map(|(k, v)| (PublicKey(k), v))
            .collect())
    }

    /// The signed changes a peer that holds `have` lacks, read from the
    /// change log without touching the in-memory document.
    pub fn changes_missing(&self, doc_id: &str, have: &VersionVector) -> Result<Vec<SignedChange>> {
        self.changes_at(doc_id, &self.missing_rows(doc_id, have)?)
    }

    /// Row numbers (in the change log) of what a peer that holds `have`
    /// lacks, so that a sender can read and send them a page at a time.
    pub fn missing_rows(&self, doc_id: &str, have: &VersionVector) -> Result<Vec<u64>> {
        self.doc(doc_id)?;
        let have: BTreeMap<[u8; 32], u64> = have.iter().map(|(k, v)| (k.0, *v)).collect();
        self.store().missing_rows(doc_id, &have)
    }

    /// The signed changes at the given rows of the change log.
    pub fn changes_at(&self, doc_id: &str, rows: &[u64]) -> Result<Vec<SignedChange>> {
        decode_rows(doc_id, self.store().rows(doc_id, rows)?)
    }

    /// Certificates of the devices that signed `changes` (and the header).
    pub fn certificates_for(&self, doc_id: &str, changes: &[SignedChange]) -> Result<Vec<CertifiedDevice>> {
        let doc = self.doc(doc_id)?;
        let mut out: BTreeMap<PublicKey, CertifiedDevice> = BTreeMap::new();
        out.insert(doc.header.device.certificate.device, doc.header.device.clone());
        for c in changes {
            if let Some(cert) = self.devices_map().get(&c.signer) {
                out.insert(c.signer, cert.clone());
            }
        }
        Ok(out.into_values().collect())
    }

    /// A bundle of one document for another vault.
    pub fn bundle(&self, doc_id: &str) -> Result<DocumentBundle> {
        let changes = self.signed_changes(doc_id)?;
        Ok(DocumentBundle {
            header: self.signed_header(doc_id)?,
            devices: self.certificates_for(doc_id, &changes)?,
            changes: changes.iter().map(|c| hex::encode(c.encode())).collect(),
        })
    }

    /// Imports a bundle (see [`import_changes`](Self::import_changes)).
    pub fn import_bundle(&mut self, bundle: &DocumentBundle, from: &str) -> Result<ImportReport> {
        let doc_id = bundle.header.record.id.clone();
        let mut changes = Vec::with_capacity(bundle.changes.len());
        for (i, h) in bundle.changes.iter().enumerate() {
            let bytes = hex::decode(h).map_err(|_| VaultError::ChangeRefused {
                doc: doc_id.clone(),
                hash: format!("#{i}"),
                why: "not hex".into(),
            })?;
            changes.push(SignedChange::decode(&bytes).map_err(|why| VaultError::ChangeRefused {
                doc: doc_id.clone(),
                hash: format!("#{i}"),
                why,
            })?);
        }
        self.import_changes(&bundle.header, &bundle.devices, &changes, from)
    }

    /// Imports signed changes for a document under `header` (stored when new
    /// or newer). Every change must verify, its actor must be its signer, its
    /// signer must be certified, and the header in force must let that
    /// identity write it; otherwise the whole batch is refused and logged.
    pub fn import_changes(
        &mut self,
        header: &Signed<DocumentHeader>,
        certs: &[CertifiedDevice],
        changes: &[SignedChange],
        from: &str,
    ) -> Result<ImportReport> {
        let _span = tracing::debug_span!("import", doc = %header.record.id, from, changes = changes.len()).entered();
        if let Err(e) = check_header(header) {
            return Err(self.refuse(&header.record.id, "-", &e.to_string(), from));
        }
        let doc_id = header.record.id.clone();
        let current = self.docs_map().get(&doc_id).map(|d| d.header.clone());
        if let Some(cur) = &current
            && cur.record.owner != header.record.owner
        {
            return Err(self.refuse(&doc_id, "-", "a header with another owner was offered", from));
        }
        // A header that would be adopted passes the succession rules; one
        // that would not (older than the held one) changes nothing. A
        // concurrent one (made on another device of the owner) is merged, so
        // it need not repeat what the held one has, but its signer must not
        // be revoked.
        let succession = current.as_ref().map(|c| c.record.succession(&header.record));
        if matches!(succession, None | Some(Succession::Newer | Succession::Concurrent)) {
            let signer_revoked = self.is_device_revoked(&header.record.owner, &header.device.certificate.device);
            let merging = succession == Some(Succession::Concurrent);
            let held = current.as_ref().map(|c| &c.record);
            if let Err(e) = check_header_succession(held, header, signer_revoked, merging) {
                return Err(self.refuse(&doc_id, "-", &e.to_string(), from));
            }
        }
        let owner = header.record.owner;
        if current.is_none() && owner != self.identity() {
            let held = self
                .docs_map()
                .values()
                .filter(|d| d.header.record.owner == owner)
                .count();
            if held >= self.limits.documents_per_owner {
                let why = format!(
                    "this vault already keeps {held} documents of {}; the limit is {}",
                    owner.short(),
                    self.limits.documents_per_owner
                );
                return Err(self.refuse(&doc_id, "-", &why, from));
            }
        }
        let header_in_force = match (&current, succession) {
            (Some(cur), Some(Succession::Older | Succession::Same)) => cur.clone(),
            (Some(cur), Some(Succession::Concurrent)) => self.reconcile_headers(cur, header)?,
            _ => header.clone(),
        };
        let mut new_certs: Vec<CertifiedDevice> = vec![];
        // Only certificates of devices that signed this header or a change of
        // this batch are kept: a frame cannot fill the vault with certificates
        // of strangers, nor certify someone else's device key (a change signed
        // by that key proves its holder sent the certificate along).
        let used = |cert: &CertifiedDevice| {
            cert.certificate.device == header.device.certificate.device
                || changes.iter().any(|c| c.signer == cert.certificate.device)
        };
        for cert in certs.iter().filter(|c| used(c)) {
            if let Err(e) = keys::verify_certificate(cert) {
                return Err(self.refuse(&doc_id, "-", &e.to_string(), from));
            }
            if !self.devices_map().contains_key(&cert.certificate.device)
                && !new_certs
                    .iter()
                    .any(|c| c.certificate.device == cert.certificate.device)
            {
                let in_batch = new_certs
                    .iter()
                    .filter(|c| c.certificate.identity == cert.certificate.identity)
                    .count();
                if let Err(why) = self.device_room(cert, in_batch) {
                    return Err(self.refuse(&doc_id, "-", &why, from));
                }
                new_certs.push(cert.clone());
            }
        }
        let mut parsed: Vec<Change> = Vec::with_capacity(changes.len());
        let mut writers: std::collections::BTreeMap<PublicKey, String> = Default::default();
        // Per signing device revoked only in other headers: the changes of it held here.
        let mut revoked_elsewhere: BTreeMap<PublicKey, Option<u64>> = BTreeMap::new();
        // Signer keys enter through certificates, which refuse weak and
        // small-order keys; a failing batch is re-checked one by one to name
        // the bad change.
        let checked = match crate::change::verify_all(&doc_id, changes) {
            Ok(checked) => checked,
            Err((i, why)) => {
                let hash = changes
                    .get(i)
                    .and_then(|sc| Change::from_bytes(sc.bytes.clone()).ok())
                    .map(|c| c.hash().to_string())
                    .unwrap_or_else(|| "?".into());
                return Err(self.refuse(&doc_id, &hash, &why, from));
            }
        };
        for (sc, change) in changes.iter().zip(checked) {
            let hash = change.hash().to_string();
            let cert = self
                .devices_map()
                .get(&sc.signer)
                .or_else(|| new_certs.iter().find(|c| c.certificate.device == sc.signer));
            // A device its identity revoked in another header held here, but
            // not (yet) in this document's, adds nothing beyond what this
            // vault already holds of it here: revocation is of the device,
            // not of one document (a document opened after the revocation
            // does not name it).
            let mut elsewhere = None;
            if let Some(cert) = cert
                && !header_in_force.record.device_revoked(&sc.signer)
            {
                elsewhere = match revoked_elsewhere.get(&sc.signer) {
                    Some(held) => *held,
                    None => {
                        let held = if self.is_device_revoked(&cert.certificate.identity, &sc.signer) {
                            Some(self.store().max_seq(&doc_id, sc.signer.as_bytes())?)
                        } else {
                            None
                        };
                        revoked_elsewhere.insert(sc.signer, held);
                        held
                    }
                };
            }
            let moment = Moment::Arriving {
                now: keys::now(),
                held_if_revoked_elsewhere: elsewhere,
            };
            if let Err(r) = admit(cert, &sc.signer, &header_in_force.record, &change, moment) {
                return Err(self.refuse(&doc_id, &hash, &r.to_string(), from));
            }
            let Some(cert) = cert else { continue };
            writers.insert(cert.certificate.identity, cert.certificate.identity_name.clone());
            parsed.push(change);
        }
        // Changes whose dependencies are neither held nor in this batch wait
        // in memory; a peer may not park more than MAX_PENDING_CHANGES there.
        let before: std::collections::HashSet<automerge::ChangeHash> = self
            .docs_map()
            .get(&doc_id)
            .map(|d| d.waiting.clone())
            .unwrap_or_default();
        let now_waiting = waiting_in(&parsed, |h| {
            !before.contains(h) && self.store().has_change(&doc_id, &h.0).unwrap_or(false)
        });
        let waiting = before.len() + now_waiting.len();
        if waiting > MAX_PENDING_CHANGES {
            let why = format!(
                "{waiting} changes would wait for earlier changes that never arrived (the limit is {MAX_PENDING_CHANGES})"
            );
            return Err(self.refuse(&doc_id, "-", &why, from));
        }
        // Store certificates, header and changes in one transaction.
        let w = self.store().begin()?;
        for c in &new_certs {
            w.put32(store::DEVICES, c.certificate.device.as_bytes(), json(c)?.as_slice())?;
        }
        if current.as_ref() != Some(&header_in_force) {
            w.put(store::DOCS, doc_id.as_str(), json(&header_in_force)?.as_slice())?;
        }
        let items: Vec<NewChange<'_>> = changes
            .iter()
            .zip(&parsed)
            .map(|(c, p)| NewChange {
                doc: &doc_id,
                change: c,
                hash: p.hash().0,
                seq: p.seq(),
            })
            .collect();
        let added = match w.append_changes(&items) {
            Ok(n) => n,
            Err(e @ VaultError::Equivocation { .. }) => {
                drop(w);
                let device = match &e {
                    VaultError::Equivocation { device, .. } => device.parse().ok(),
                    _ => None,
                };
                self.log_rejection(&doc_id, "-", &e.to_string(), from, device);
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        writers.remove(&self.identity());
        for (identity, name) in writers {
            let mut used = 0;
            for device in self
                .devices_map()
                .values()
                .chain(&new_certs)
                .filter(|c| c.certificate.identity == identity)
            {
                used += w.usage(&doc_id, device.certificate.device.as_bytes())?;
            }
            if used > self.limits.writer_bytes_per_document {
                drop(w);
                let why = format!(
                    "{name} ({}) would hold {used} bytes of changes in this document; the limit per writer is {}",
                    identity.short(),
                    self.limits.writer_bytes_per_document
                );
                return Err(self.refuse(&doc_id, "-", &why, from));
            }
        }
        w.commit()?;
        for c in new_certs {
            self.devices_mut().insert(c.certificate.device, c);
        }
        let report = ImportReport {
            applied: added,
            duplicates: changes.len() - added,
            seqs: changes.iter().zip(&parsed).map(|(c, p)| (c.signer, p.seq())).collect(),
        };
        if current.is_none() {
            let doc = self.load_document_pub(header_in_force)?;
            self.docs_mut().insert(doc_id.clone(), doc);
            self.touch(&doc_id);
            self.snapshot_after_import(&doc_id)?;
            return Ok(report);
        }
        if added > 0 || current.as_ref() != Some(&header_in_force) {
            self.touch(&doc_id);
        }
        // When the rows after what the document holds are exactly this
        // batch's, they were verified above: apply them as parsed, without
        // reading them back. Rows another process appended in between are
        // read and verified as any other stored rows are.
        let held = self.docs_map().get(&doc_id).map(|d| d.rows).unwrap_or(0);
        let next = self.store().next_row(&doc_id)?;
        let others = if next == held + added as u64 {
            None
        } else {
            Some(self.store().changes_from(&doc_id, held)?)
        };
        let (devices, docs) = self.devices_and_docs_mut();
        if let Some(doc) = docs.get_mut(&doc_id) {
            doc.header = header_in_force;
            let applied = match &others {
                None => doc
                    .am
                    .apply_changes(parsed)
                    .map(|()| doc.rows = next)
                    .map_err(VaultError::from),
                Some(rows) => catch_up(devices, doc, rows),
            };
            if let Err(e) = applied {
                self.reload(&doc_id)?;
                return Err(e);
            }
            if doc.am.get_missing_deps(&[]).is_empty() {
                doc.waiting.clear();
            } else {
                doc.waiting.extend(now_waiting);
            }
        }
        self.snapshot_after_import(&doc_id)?;
        Ok(report)
    }

    /// During a long import (an initial sync arrives in frames of a thousand
    /// changes), a snapshot is taken each time the rows since the last one
    /// reach the rows it covers: O(log N) saves, O(N) bytes written in all.
    /// A sync session takes a last one when it ends ([`Vault::compact_due`]).
    fn snapshot_after_import(&mut self, doc_id: &str) -> Result<()> {
        self.snapshot_where(|id, doc| id == doc_id && doc.snapshot_due(SNAPSHOT_EVERY.max(doc.snapshot_rows), 0))
    }

    /// Keeps a refusal in the audit log (best effort: a failing log write
    /// never turns a refusal into an acceptance).
    /// Logs stored rows left out while opening (once per row: a row already
    /// in the log is not logged again on every open).
    pub(crate) fn log_refused_on_open(&self, doc: &str, refused: &[crate::vault::RefusedRow]) {
        let logged = self.rejections().unwrap_or_default();
        for r in refused {
            if !logged.iter().any(|l| l.doc == doc && l.change == r.hash) {
                self.log_rejection(doc, &r.hash, &format!("left out on open: {}", r.why), "-", None);
            }
        }
    }

    fn log_rejection(&self, doc: &str, hash: &str, why: &str, from: &str, equivocating_device: Option<PublicKey>) {
        tracing::warn!(doc, change = hash, from, why, "change refused");
        let entry = Rejection {
            at: keys::now(),
            doc: doc.to_string(),
            change: hash.to_string(),
            from: from.to_string(),
            why: why.to_string(),
            equivocating_device,
        };
        if let (Ok(w), Ok(bytes)) = (self.store().begin(), json(&entry))
            && w.append_line(store::REJECTIONS, &bytes).is_ok()
        {
            let _ = w.commit();
        }
    }

    fn refuse(&self, doc: &str, hash: &str, why: &str, from: &str) -> VaultError {
        self.log_rejection(doc, hash, why, from, None);
        VaultError::ChangeRefused {
            doc: doc.to_string(),
            hash: hash.to_string(),
            why: why.to_string(),
        }
    }

    /// Every refused change, oldest first.
    pub fn rejections(&self) -> Result<Vec<Rejection>> {
        Ok(self
            .store()
            .lines(store::REJECTIONS)?
            .iter()
            .filter_map(|b| serde_json::from_slice(b).ok())
            .collect())
    }

    /// Lets `identity` write one of the owner's documents in `role` (a new
    /// header version, signed by the owner). Consents drive this: the role
    /// recorded is the one the owner granted, which is the only role the
    /// writer's records count in.
    pub fn add_writer(&mut self, doc_id: &str, identity: PublicKey, role: Role) -> Result<()> {
        let mut header = self.owned_header(doc_id)?;
        if header.writers.contains(&identity) && header.role_of(&identity) == Some(role) {
            return Ok(());
        }
        if !header.writers.contains(&identity) {
            header.writers.push(identity);
            header.writers.sort();
        }
        // Stamped with the clock of this edit: the grant has seen every
        // revocation this header holds (see `DocumentHeader::merge`).
        let at = header.next_clock(&self.device_key().public());
        header.grants.retain(|g| g.identity != identity);
        header
            .grants
            .push(inwonercloud_schemas::WriterGrant { identity, role, at });
        header.grants.sort();
        header.revoked.retain(|r| r.identity != identity);
        self.store_header(doc_id, header)
    }

    /// Stops `identity` writing one of the owner's documents. Its changes held
    /// now stay valid (the cut-off per device is recorded in the header);
    /// later ones are refused everywhere the new header reaches.
    pub fn remove_writer(&mut self, doc_id: &str, identity: PublicKey) -> Result<()> {
        let mut header = self.owned_header(doc_id)?;
        if !header.writers.contains(&identity) {
            return Ok(());
        }
        let role = header.role_of(&identity);
        header.writers.retain(|w| w != &identity);
        header.grants.retain(|g| g.identity != identity);
        // The cut-off is the highest change *stored* per device, not the
        // gap-free version vector: a stored change still waiting for an
        // earlier one must stay valid, or the vault would refuse its own rows.
        let mut cutoffs: Vec<(PublicKey, u64)> = vec![];
        for (device, cert) in self.devices_map() {
            if cert.certificate.identity == identity {
                let held = self.store().max_seq(doc_id, device.as_bytes())?;
                if held > 0 {
                    cutoffs.push((*device, held));
                }
            }
        }
        cutoffs.sort();
        let at = header.next_clock(&self.device_key().public());
        header.revoked.push(RevokedWriter {
            identity,
            cutoffs,
            role,
            at,
        });
        self.store_header(doc_id, header)
    }

    /// Revokes a device of this identity (a lost or stolen laptop) in every
    /// document this vault owns: its changes held now stay valid, later ones
    /// are refused wherever the new headers reach, and peers holding them
    /// refuse its sessions. Needs the identity key; a device cannot revoke itself.
    pub fn revoke_device(&mut self, device: PublicKey) -> Result<usize> {
        self.transact(|v| v.revoke_device_in(device))
    }

    fn revoke_device_in(&mut self, device: PublicKey) -> Result<usize> {
        if !self.holds_identity_key() {
            return Err(VaultError::NotAllowed(
                "only the first device, which holds the identity key, can revoke devices".into(),
            ));
        }
        if device == self.device_key().public() {
            return Err(VaultError::NotAllowed("this device cannot revoke itself".into()));
        }
        let me = self.identity();
        if self
            .devices_map()
            .get(&device)
            .is_none_or(|c| c.certificate.identity != me)
        {
            return Err(VaultError::NotAllowed(format!(
                "device {} is not one of your devices",
                device.short()
            )));
        }
        let owned: Vec<String> = self
            .docs_map()
            .iter()
            .filter(|(_, d)| d.header.record.owner == me && !d.header.record.device_revoked(&device))
            .map(|(id, _)| id.clone())
            .collect();
        for doc_id in &owned {
            let mut header = self.owned_header(doc_id)?;
            let cut = self.store().max_seq(doc_id, device.as_bytes())?;
            header.revoked_devices.push((device, cut));
            self.store_header(doc_id, header)?;
        }
        Ok(owned.len())
    }

    /// Whether one more certificate of `cert`'s identity may be kept, with
    /// `also` more of that identity about to be stored; otherwise why not.
    pub(crate) fn device_room(&self, cert: &CertifiedDevice, also: usize) -> std::result::Result<(), String> {
        let identity = cert.certificate.identity;
        let held = self
            .devices_map()
            .values()
            .filter(|c| c.certificate.identity == identity)
            .count()
            + also;
        if held >= MAX_DEVICES_PER_IDENTITY {
            return Err(format!(
                "{} ({}) already has {held} devices here; the limit is {MAX_DEVICES_PER_IDENTITY}: revoke one first",
                cert.certificate.identity_name,
                identity.short()
            ));
        }
        Ok(())
    }

    /// Whether a document header of `identity` held here revokes its `device`.
    pub fn is_device_revoked(&self, identity: &PublicKey, device: &PublicKey) -> bool {
        self.docs_map()
            .values()
            .any(|d| &d.header.record.owner == identity && d.header.record.device_revoked(device))
    }

    fn owned_header(&self, doc_id: &str) -> Result<DocumentHeader> {
        let doc = self.doc(doc_id)?;
        if doc.header.record.owner != self.identity() {
            return Err(VaultError::NotAllowed(format!(
                "only the owner can change who writes {doc_id}"
            )));
        }
        Ok(doc.header.record.clone())
    }

    /// The header in force when `offered` is concurrent with the held `cur`
    /// (two devices of the owner changed it while apart). Every replica ends
    /// with the same one: when both already grant and revoke the same, the
    /// one with the larger hash; otherwise an owner device signs their merge
    /// ([`DocumentHeader::merge`]: a revocation wins over any grant that did
    /// not see it), which includes both and so replaces them everywhere; a
    /// replica of someone else keeps the larger hash until that merge comes.
    fn reconcile_headers(
        &self,
        cur: &Signed<DocumentHeader>,
        offered: &Signed<DocumentHeader>,
    ) -> Result<Signed<DocumentHeader>> {
        let merged = cur.record.merge(&offered.record);
        let larger = || {
            if keys::record_hash(offered) > keys::record_hash(cur) {
                offered.clone()
            } else {
                cur.clone()
            }
        };
        if merged.same_access(&cur.record) && merged.same_access(&offered.record) {
            return Ok(larger());
        }
        if cur.record.owner != self.identity() {
            return Ok(larger());
        }
        self.sign_header_edit(merged)
    }

    /// `header` as one more edit by this device: its clock counted up, its
    /// version one higher (checked), signed.
    fn sign_header_edit(&self, mut header: DocumentHeader) -> Result<Signed<DocumentHeader>> {
        header.clock = header.next_clock(&self.device_key().public());
        header.version = header.version.checked_add(1).ok_or_else(|| {
            VaultError::NotAllowed(format!(
                "the header of {} is at the last version there is ({}); it cannot change again",
                header.id, header.version
            ))
        })?;
        Ok(keys::sign_record(
            header,
            self.device_key(),
            self.device_certificate(),
            keys::now(),
        ))
    }

    fn store_header(&mut self, doc_id: &str, header: DocumentHeader) -> Result<()> {
        let signed = self.sign_header_edit(header)?;
        let w = self.store().begin()?;
        w.put(store::DOCS, doc_id, json(&signed)?.as_slice())?;
        w.commit()?;
        if let Some(d) = self.docs_mut().get_mut(doc_id) {
            d.header = signed;
        }
        self.touch(doc_id);
        Ok(())
    }
}

/// How far one header may raise a document's header version above the
/// version held here (above 0 for a document not held yet). The owner raises
/// it by one for each change of writers or devices, so a million is more than
/// a lifetime of consents; a bigger jump is refused, so that no device can pin
/// a header at `u64::MAX`, after which no newer version could follow (one
/// step at a time, getting there takes some 10^13 accepted headers).
pub const MAX_HEADER_VERSION_STEP: u64 = 1_000_000;

/// Why a header that would replace the one held here (or be the first of its
/// document) is refused; each variant names the rule it breaks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderRefusal {
    /// Rule `revoked signer`: a device revoked in a header of its owner held
    /// here (this document's or any other) signs no headers, so that it
    /// cannot undo its own revocation or grant anything.
    #[error(
        "header rule `revoked signer`: version {version} is signed by device {}, which its owner revoked; a revoked device cannot sign headers, the header held here stays in force",
        .device.short()
    )]
    RevokedSigner {
        /// The offered version.
        version: u64,
        /// The revoked device that signed it.
        device: PublicKey,
    },
    /// Rule `revocations are permanent`: a newer header keeps every device
    /// revocation of the header held here.
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
    /// Rule `revocations are permanent`, loosened instead of dropped: the
    /// cut-off of a revoked device may stay or go down, never up.
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
    /// Rule `version step`: see [`MAX_HEADER_VERSION_STEP`].
    #[error(
        "header rule `version step`: version {version} is more than {MAX_HEADER_VERSION_STEP} above version {held} held here (0: none held); it is refused, so that no header can be pinned at the last version"
    )]
    VersionJump {
        /// The offered version.
        version: u64,
        /// The held version (0 when none is held).
        held: u64,
    },
}

/// Whether `offered` may replace `held`, the header held here for its
/// document (`None`: none held, `offered` would be the first). Called only
/// for a header that would be adopted (none held, or a higher version):
/// a lower or equal version is not taken anyway. `signer_revoked` says
/// whether a header of the owner held here (any document's) revokes the
/// device that signed `offered`. The signature and owner are checked before
/// (`check_header`); this checks the succession, in this order: the rules
/// `revoked signer`, `version step` and `revocations are permanent`. A
/// header concurrent with the held one (`merging`) is merged with it, which
/// keeps every revocation of both, so the last rule does not apply to it.
pub fn check_header_succession(
    held: Option<&DocumentHeader>,
    offered: &Signed<DocumentHeader>,
    signer_revoked: bool,
    merging: bool,
) -> std::result::Result<(), HeaderRefusal> {
    let new = &offered.record;
    let signer = offered.device.certificate.device;
    if signer_revoked || held.is_some_and(|h| h.device_revoked(&signer)) {
        return Err(HeaderRefusal::RevokedSigner {
            version: new.version,
            device: signer,
        });
    }
    let base = held.map_or(0, |h| h.version);
    if new.version > base.saturating_add(MAX_HEADER_VERSION_STEP) {
        return Err(HeaderRefusal::VersionJump {
            version: new.version,
            held: base,
        });
    }
    let Some(held) = held.filter(|_| !merging) else {
        return Ok(());
    };
    for (device, cut_off) in &held.revoked_devices {
        // With a device listed twice, the lowest cut-off is the one in force.
        let offered_cut = new
            .revoked_devices
            .iter()
            .filter(|(d, _)| d == device)
            .map(|(_, c)| *c)
            .min();
        match offered_cut {
            None => {
                return Err(HeaderRefusal::RevocationDropped {
                    version: new.version,
                    held: held.version,
                    device: *device,
                    cut_off: *cut_off,
                });
            }
            Some(offered) if offered > *cut_off => {
                return Err(HeaderRefusal::CutOffRaised {
                    version: new.version,
                    held: held.version,
                    device: *device,
                    cut_off: *cut_off,
                    offered,
                });
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The changes of a batch that would wait: those with a dependency that is
/// neither held (`held`) nor a change of the batch that can itself apply.
fn waiting_in(
    batch: &[Change],
    mut held: impl FnMut(&automerge::ChangeHash) -> bool,
) -> std::collections::HashSet<automerge::ChangeHash> {
    let in_batch: std::collections::HashSet<_> = batch.iter().map(|c| c.hash()).collect();
    let mut waits: std::collections::HashSet<automerge::ChangeHash> = std::collections::HashSet::new();
    loop {
        let before = waits.len();
        for c in batch {
            if !waits.contains(&c.hash())
                && c.deps()
                    .iter()
                    .any(|d| waits.contains(d) || (!in_batch.contains(d) && !held(d)))
            {
                waits.insert(c.hash());
            }
        }
        if waits.len() == before {
            return waits;
        }
    }
}

fn decode_rows(doc_id: &str, rows: Vec<(u64, Vec<u8>)>) -> Result<Vec<SignedChange>> {
    rows.into_iter()
        .map(|(seq, b)| {
            SignedChange::decode(&b).map_err(|why| VaultError::TamperedChange {
                doc: doc_id.to_string(),
                seq,
                hash: "?".into(),
                why,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CreateOptions, Passphrase};
    use inwonercloud_schemas::Role;

    #[test]
    fn a_header_at_the_last_version_cannot_change_again() {
        let tmp = tempfile::tempdir().unwrap();
        let mut v = Vault::create(
            &tmp.path().join("v"),
            CreateOptions {
                name: "Anna".into(),
                role: Role::Citizen,
                device_name: "laptop".into(),
                passphrase: Passphrase::new("proef-wachtwoord"),
            },
        )
        .unwrap();
        let plan = v.plan_doc();
        let held = v.signed_header(&plan).unwrap();
        let mut last = held.record.clone();
        last.version = u64::MAX;
        let err = v.store_header(&plan, last).unwrap_err();
        assert!(
            matches!(&err, VaultError::NotAllowed(why) if why.contains("last version")),
            "{err}"
        );
        assert_eq!(v.signed_header(&plan).unwrap(), held, "nothing was stored");
    }

    #[test]
    fn of_a_device_listed_twice_the_lowest_cut_off_counts() {
        let tmp = tempfile::tempdir().unwrap();
        let v = Vault::create(
            &tmp.path().join("v"),
            CreateOptions {
                name: "Anna".into(),
                role: Role::Citizen,
                device_name: "laptop".into(),
                passphrase: Passphrase::new("proef-wachtwoord"),
            },
        )
        .unwrap();
        let lost = PublicKey([7; 32]);
        let mut held = v.signed_header(&v.plan_doc()).unwrap().record;
        held.revoked_devices = vec![(lost, 4)];
        let offer = |revoked: Vec<(PublicKey, u64)>| {
            let mut h = held.clone();
            h.revoked_devices = revoked;
            h.version += 1;
            keys::sign_record(h, v.device_key(), v.device_certificate(), 1)
        };
        let ok = |r: Vec<(PublicKey, u64)>| check_header_succession(Some(&held), &offer(r), false, false);
        assert_eq!(ok(vec![(lost, 4)]), Ok(()));
        assert_eq!(ok(vec![(lost, 9), (lost, 3)]), Ok(()));
        assert!(matches!(
            ok(vec![(lost, 9), (lost, 5)]),
            Err(HeaderRefusal::CutOffRaised {
                offered: 5,
                cut_off: 4,
                ..
            })
        ));
        assert!(matches!(
            ok(vec![]),
            Err(HeaderRefusal::RevocationDropped { cut_off: 4, .. })
        ));
        // The signer's own revocation, here or elsewhere, comes first.
        assert!(matches!(
            check_header_succession(Some(&held), &offer(vec![]), true, false),
            Err(HeaderRefusal::RevokedSigner { .. })
        ));
        // A concurrent header is merged (which keeps the revocation): not refused.
        assert_eq!(
            check_header_succession(Some(&held), &offer(vec![]), false, true),
            Ok(())
        );
    }
}
