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
use crate::refusal::{Limit, Refusal, SignatureOn, check_header};
use crate::store::{self, NewChange};
use crate::vault::{DocumentBundle, ImportReport, SNAPSHOT_EVERY, Vault, catch_up, json};

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
    /// Why it was refused, in English (the only reason entries logged
    /// before [`refusal`](Self::refusal) existed have).
    pub why: String,
    /// Why it was refused, as the rule it breaks (`None` in entries logged
    /// by older versions, or naming a rule this version does not know).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::refusal::lenient"
    )]
    pub refusal: Option<Refusal>,
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

    /// The signed changes at the given rows of the change log that the
    /// header in force still lets a peer take (see [`Self::still_admitted`]).
    pub fn changes_at(&self, doc_id: &str, rows: &[u64]) -> Result<Vec<SignedChange>> {
        let changes = decode_rows(doc_id, self.store().rows(doc_id, rows)?)?;
        self.still_admitted(doc_id, changes)
    }

    /// Leaves out the changes the header in force would refuse as new: a
    /// revoked writer's or device's change beyond its cut-off that this vault
    /// took before the revocation reached it. Sending one on would only make
    /// every peer that knows the revocation refuse the whole batch, session
    /// after session; this vault keeps it (what arrived cannot be recalled),
    /// but relays it no further.
    fn still_admitted(&self, doc_id: &str, changes: Vec<SignedChange>) -> Result<Vec<SignedChange>> {
        let header = &self.doc(doc_id)?.header.record;
        if header.revoked.is_empty() && header.revoked_devices.is_empty() {
            return Ok(changes);
        }
        Ok(changes
            .into_iter()
            .filter(|sc| {
                let Some(cert) = self.devices_map().get(&sc.signer) else {
                    // Not certified here: the receiver judges it.
                    return true;
                };
                match automerge::Change::from_bytes(sc.bytes.clone()) {
                    Ok(c) => header.may_write_change(&cert.certificate.identity, &sc.signer, c.seq()),
                    Err(_) => true,
                }
            })
            .collect())
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
            let decoded = hex::decode(h)
                .map_err(|_| "not hex".to_string())
                .and_then(|bytes| SignedChange::decode(&bytes));
            match decoded {
                Ok(change) => changes.push(change),
                Err(detail) => {
                    return Err(self.refuse(&doc_id, &format!("#{i}"), Refusal::Undecodable { detail }, from));
                }
            }
        }
        self.import_changes(&bundle.header, &bundle.devices, &changes, from)
    }

    /// Imports signed changes for a document under `header` (stored when new
    /// or newer). Every change must verify, its actor must be its signer, its
    /// signer must be certified, and the header in force must let that
    /// identity write it; otherwise the whole batch is refused and logged.
    ///
    /// The batch is judged under the header the file holds: when another
    /// handle of this vault (the app beside the `serve` node) committed since
    /// this one caught up, it catches up and judges the batch again.
    pub fn import_changes(
        &mut self,
        header: &Signed<DocumentHeader>,
        certs: &[CertifiedDevice],
        changes: &[SignedChange],
        from: &str,
    ) -> Result<ImportReport> {
        self.import_changes_noting(header, certs, changes, from, &crate::SessionNotes::default())
    }

    /// [`Vault::import_changes`] that writes a sync session's `notes` (its
    /// access-log lines, the peer's visit, its sync note) in the import's own
    /// transaction: they are stored when the batch is, and not at all when
    /// it is refused. A batch that would store nothing (no changes, no new
    /// certificate, the header held) with no notes commits nothing.
    pub fn import_changes_noting(
        &mut self,
        header: &Signed<DocumentHeader>,
        certs: &[CertifiedDevice],
        changes: &[SignedChange],
        from: &str,
        notes: &crate::SessionNotes,
    ) -> Result<ImportReport> {
        for _ in 0..IMPORT_ATTEMPTS {
            self.refresh()?;
            if let Some(report) = self.import_judged(header, certs, changes, from, notes)? {
                return Ok(report);
            }
        }
        Err(VaultError::Storage(format!(
            "another program kept writing to this vault while the changes from {from} were checked; \
             nothing of them was stored, the next sync brings them again"
        )))
    }

    /// One attempt of [`Vault::import_changes`]: `None` when another handle
    /// committed between the judging and this import's write (nothing stored).
    fn import_judged(
        &mut self,
        header: &Signed<DocumentHeader>,
        certs: &[CertifiedDevice],
        changes: &[SignedChange],
        from: &str,
        notes: &crate::SessionNotes,
    ) -> Result<Option<ImportReport>> {
        let _span = tracing::debug_span!("import", doc = %header.record.id, from, changes = changes.len()).entered();
        if let Err(r) = check_header(header) {
            return Err(self.refuse(&header.record.id, "-", r, from));
        }
        let doc_id = header.record.id.clone();
        let current = self.docs_map().get(&doc_id).map(|d| d.header.clone());
        if let Some(cur) = &current
            && cur.record.owner != header.record.owner
        {
            let r = Refusal::AnotherOwner {
                held: cur.record.owner,
                offered: header.record.owner,
            };
            return Err(self.refuse(&doc_id, "-", r, from));
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
            if let Err(r) = check_header_succession(held, header, signer_revoked, merging) {
                return Err(self.refuse(&doc_id, "-", r, from));
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
                let r = Refusal::OverLimit {
                    limit: Limit::DocumentsPerOwner { owner },
                    value: held as u64,
                    max: self.limits.documents_per_owner as u64,
                };
                return Err(self.refuse(&doc_id, "-", r, from));
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
                let r = Refusal::BadSignature {
                    on: SignatureOn::Certificate,
                    detail: e.to_string(),
                };
                return Err(self.refuse(&doc_id, "-", r, from));
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
                if let Err(r) = self.device_limit(cert, in_batch) {
                    return Err(self.refuse(&doc_id, "-", r, from));
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
                let (hash, r) = unverified(changes.get(i), why);
                return Err(self.refuse(&doc_id, &hash, r, from));
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
                return Err(self.refuse(&doc_id, &hash, r, from));
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
            let r = Refusal::OverLimit {
                limit: Limit::PendingChanges,
                value: waiting as u64,
                max: MAX_PENDING_CHANGES as u64,
            };
            return Err(self.refuse(&doc_id, "-", r, from));
        }
        if changes.is_empty() && new_certs.is_empty() && notes.is_empty() && current.as_ref() == Some(&header_in_force)
        {
            // Nothing to store (an empty answer under the header held): no disk flush.
            return Ok(Some(ImportReport::default()));
        }
        // Store certificates, header and changes in one transaction.
        let w = self.store().begin()?;
        // Judged above under what memory holds; the write lock is held from
        // here, so if no other handle committed since memory caught up, that
        // is what the file holds. (An action caught up when it began.)
        if !w.in_action() && w.behind()? {
            return Ok(None);
        }
        for c in &new_certs {
            w.put32(store::DEVICES, c.certificate.device.as_bytes(), json(c)?.as_slice())?;
        }
        // A held document whose header in force now revokes differently.
        let revokes = current
            .as_ref()
            .is_some_and(|c| revokes_differently(&c.record, &header_in_force.record));
        if current.as_ref() != Some(&header_in_force) {
            w.put(store::DOCS, doc_id.as_str(), json(&header_in_force)?.as_slice())?;
            if current.is_none() || revokes {
                drop_snapshot(&w, &doc_id)?;
            }
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
                if let Some(r) = e.refusal() {
                    self.log_rejection(&doc_id, "-", r, from);
                }
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
                let r = Refusal::OverLimit {
                    limit: Limit::WriterBytesPerDocument { name, identity },
                    value: used,
                    max: self.limits.writer_bytes_per_document,
                };
                return Err(self.refuse(&doc_id, "-", r, from));
            }
        }
        // What memory must apply, read inside the transaction: inside an
        // action the file holds neither the action's rows nor these until
        // the action commits.
        let held = self.docs_map().get(&doc_id).map(|d| d.rows);
        let next = w.next_row(&doc_id)?;
        let others = match held {
            Some(held) if next != held + added as u64 => Some(w.changes_from(&doc_id, held)?),
            None if w.in_action() => Some(w.changes_from(&doc_id, 0)?),
            _ => None,
        };
        // Memory already holds rows judged under the old header; the next
        // snapshot is taken from memory and would stand for them again. So
        // a revoking header has every row judged again now, as an open would
        // (read inside the transaction: an action's rows are not in the file yet).
        let rejudge = match held {
            Some(_) if revokes => Some(w.changes_from(&doc_id, 0)?),
            _ => None,
        };
        crate::consent::put_notes(&w, notes)?;
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
            let mut doc = self.load_document_pub(header_in_force)?;
            if let Some(rows) = &others {
                let from = doc.rows;
                let rows: Vec<_> = rows.iter().filter(|(n, _)| *n >= from).cloned().collect();
                catch_up(self.devices_map(), &mut doc, &rows)?;
            }
            self.docs_mut().insert(doc_id.clone(), doc);
            self.touch(&doc_id);
            self.snapshot_after_import(&doc_id)?;
            return Ok(Some(report));
        }
        if added > 0 || current.as_ref() != Some(&header_in_force) {
            self.touch(&doc_id);
        }
        // When the rows after what the document holds are exactly this
        // batch's, they were verified above: apply them as parsed, without
        // reading them back. Rows another process appended in between are
        // read (above) and verified as any other stored rows are.
        if let Some(rows) = rejudge {
            if let Some(doc) = self.docs_mut().get_mut(&doc_id) {
                doc.header = header_in_force;
            }
            if let Err(e) = self.rejudge_rows(&doc_id, &rows) {
                self.reload_or_forget(&doc_id)?;
                return Err(e);
            }
            self.snapshot_after_import(&doc_id)?;
            return Ok(Some(report));
        }
        let (devices, docs) = self.devices_and_docs_mut();
        if let Some(doc) = docs.get_mut(&doc_id) {
            doc.header = header_in_force;
            let applied = match &others {
                None => doc
                    .am
                    .apply_changes(parsed)
                    .map(|()| doc.rows = next)
                    .map_err(VaultError::from),
                Some(rows) => catch_up(devices, doc, rows).map(|_| ()),
            };
            if let Err(e) = applied {
                self.reload_or_forget(&doc_id)?;
                return Err(e);
            }
            if doc.am.get_missing_deps(&[]).is_empty() {
                doc.waiting.clear();
            } else {
                doc.waiting.extend(now_waiting);
            }
        }
        self.snapshot_after_import(&doc_id)?;
        Ok(Some(report))
    }

    /// A document that came in by import is snapshotted at the end of that
    /// import (so it opens from a snapshot, however small), a small one
    /// again every [`SNAPSHOT_SMALL_EVERY`](crate::document::SNAPSHOT_SMALL_EVERY)
    /// rows; during a long import (an initial sync arrives in frames of a
    /// thousand changes), a snapshot is taken each time the rows since the
    /// last one reach the rows it covers: O(log N) saves, O(N) bytes written
    /// in all. A sync session takes a last one when it ends
    /// ([`Vault::compact_due`]). The snapshot is its own transaction after
    /// the import's: a crash in between leaves the import stored and the
    /// document opened from its verified rows, as before the snapshot.
    fn snapshot_after_import(&mut self, doc_id: &str) -> Result<()> {
        let due = |doc: &mut crate::document::Doc| {
            doc.snapshot_due(doc.import_snapshot_step(SNAPSHOT_EVERY.max(doc.snapshot_rows)), 0)
        };
        // Only this document can be due: looked up, not found by testing
        // every held one (3,003 at a municipality, on every import).
        if !self.docs_mut().get_mut(doc_id).is_some_and(due) {
            return Ok(());
        }
        self.snapshot_where(|id, doc| id == doc_id && due(doc))
    }

    /// Logs stored rows left out while opening (once per row: a row already
    /// in the log is not logged again on every open).
    pub(crate) fn log_refused_on_open(&self, doc: &str, refused: &[crate::vault::RefusedRow]) {
        let logged = self.rejections().unwrap_or_default();
        for r in refused {
            if !logged.iter().any(|l| l.doc == doc && l.change == r.hash) {
                let refusal = Refusal::LeftOutOnOpen {
                    reason: Box::new(r.why.clone()),
                };
                self.log_rejection(doc, &r.hash, refusal, "-");
            }
        }
    }

    /// Keeps a refusal in the audit log, in English (`why`) and typed (best
    /// effort: a failing log write never turns a refusal into an acceptance).
    fn log_rejection(&self, doc: &str, hash: &str, refusal: Refusal, from: &str) {
        let why = refusal.to_string();
        tracing::warn!(doc, change = hash, from, why, "change refused");
        let entry = Rejection {
            at: keys::now(),
            doc: doc.to_string(),
            change: hash.to_string(),
            from: from.to_string(),
            why,
            equivocating_device: refusal.equivocating_device(),
            refusal: Some(refusal),
        };
        if let (Ok(w), Ok(bytes)) = (self.store().begin(), json(&entry))
            && w.append_line(store::REJECTIONS, &bytes).is_ok()
        {
            let _ = w.commit();
        }
    }

    /// Logs `refusal` and gives the error that refuses the batch.
    pub(crate) fn refuse(&self, doc: &str, hash: &str, refusal: Refusal, from: &str) -> VaultError {
        self.log_rejection(doc, hash, refusal.clone(), from);
        VaultError::ChangeRefused {
            doc: doc.to_string(),
            hash: hash.to_string(),
            refusal: Box::new(refusal),
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
        self.transact(|v| v.add_writer_in(doc_id, identity, role))
    }

    fn add_writer_in(&mut self, doc_id: &str, identity: PublicKey, role: Role) -> Result<()> {
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
        // One action: the cut-off counts what the file holds when the header
        // is written (no other handle can store a row in between).
        self.transact(|v| v.remove_writer_in(doc_id, identity))
    }

    fn remove_writer_in(&mut self, doc_id: &str, identity: PublicKey) -> Result<()> {
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
        self.device_limit(cert, also).map_err(|r| r.to_string())
    }

    /// [`device_room`](Self::device_room), typed.
    fn device_limit(&self, cert: &CertifiedDevice, also: usize) -> std::result::Result<(), Refusal> {
        let identity = cert.certificate.identity;
        let held = self
            .devices_map()
            .values()
            .filter(|c| c.certificate.identity == identity)
            .count()
            + also;
        if held >= MAX_DEVICES_PER_IDENTITY {
            return Err(Refusal::OverLimit {
                limit: Limit::DevicesPerIdentity {
                    name: cert.certificate.identity_name.clone(),
                    identity,
                },
                value: held as u64,
                max: MAX_DEVICES_PER_IDENTITY as u64,
            });
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
        let revokes = self
            .docs_map()
            .get(doc_id)
            .is_some_and(|d| revokes_differently(&d.header.record, &signed.record));
        let w = self.store().begin()?;
        w.put(store::DOCS, doc_id, json(&signed)?.as_slice())?;
        if revokes {
            drop_snapshot(&w, doc_id)?;
        }
        w.commit()?;
        if let Some(d) = self.docs_mut().get_mut(doc_id) {
            d.header = signed;
        }
        self.touch(doc_id);
        Ok(())
    }
}

/// How often [`Vault::import_changes`] judges a batch again when another
/// handle keeps committing between its judging and its write.
const IMPORT_ATTEMPTS: usize = 3;

/// Whether `new` revokes other writers or devices (or other cut-offs) than `old`.
/// A writer dropped without a revocation counts too: none of its rows pass
/// an open then.
pub(crate) fn revokes_differently(old: &DocumentHeader, new: &DocumentHeader) -> bool {
    old.revoked != new.revoked
        || old.revoked_devices != new.revoked_devices
        || old.writers.iter().any(|w| !new.writers.contains(w))
}

/// Drops a document's snapshot and record cache, in the transaction that
/// stores a header revoking differently. A snapshot stands for its rows
/// without judging them again, and another handle may have snapshotted a
/// revoked device's later rows: without it, the next open judges every row
/// under the new cut-offs and snapshots again what passes.
fn drop_snapshot(w: &store::Txn<'_>, doc_id: &str) -> Result<()> {
    w.remove(store::SNAPSHOTS, doc_id)?;
    w.remove(store::RECORD_CACHE, doc_id)
}

/// How far one header may raise a document's header version above the
/// version held here (above 0 for a document not held yet). The owner raises
/// it by one for each change of writers or devices, so a million is more than
/// a lifetime of consents; a bigger jump is refused, so that no device can pin
/// a header at `u64::MAX`, after which no newer version could follow (one
/// step at a time, getting there takes some 10^13 accepted headers).
pub const MAX_HEADER_VERSION_STEP: u64 = 1_000_000;

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
) -> std::result::Result<(), Refusal> {
    let new = &offered.record;
    let signer = offered.device.certificate.device;
    if signer_revoked || held.is_some_and(|h| h.device_revoked(&signer)) {
        return Err(Refusal::HeaderByRevokedDevice {
            version: new.version,
            device: signer,
        });
    }
    let base = held.map_or(0, |h| h.version);
    if new.version > base.saturating_add(MAX_HEADER_VERSION_STEP) {
        return Err(Refusal::OverLimit {
            limit: Limit::HeaderVersionStep {
                version: new.version,
                held: base,
            },
            value: new.version - base,
            max: MAX_HEADER_VERSION_STEP,
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
                return Err(Refusal::RevocationDropped {
                    version: new.version,
                    held: held.version,
                    device: *device,
                    cut_off: *cut_off,
                });
            }
            Some(offered) if offered > *cut_off => {
                return Err(Refusal::CutOffRaised {
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

/// The hash of the change `verify_all` refused (`?` when it does not parse)
/// and the rule it breaks: not a change, an actor that is not its signer, or
/// a signature (or signing key) that does not verify.
fn unverified(sc: Option<&SignedChange>, why: String) -> (String, Refusal) {
    let Some(sc) = sc else {
        return ("?".into(), Refusal::Undecodable { detail: why });
    };
    match Change::from_bytes(sc.bytes.clone()) {
        Err(e) => (
            "?".into(),
            Refusal::Undecodable {
                detail: format!("not an automerge change: {e}"),
            },
        ),
        Ok(c) if c.actor_id().to_bytes() != sc.signer.as_bytes() => (
            c.hash().to_string(),
            Refusal::ActorNotSigner {
                actor: hex::encode(c.actor_id().to_bytes()),
                signer: sc.signer,
            },
        ),
        Ok(c) => (
            c.hash().to_string(),
            Refusal::BadSignature {
                on: SignatureOn::Change,
                detail: why,
            },
        ),
    }
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
    use crate::Passphrase;
    use crate::keys::SecretKey;
    use inwonercloud_schemas::{LifeDomain, Role};

    use crate::testing::vault as create;

    /// A change by `device` on top of `base`, dated `time` when given.
    fn change_by(device: &SecretKey, doc: &str, base: &[SignedChange], value: &str, time: Option<i64>) -> SignedChange {
        use automerge::transaction::{CommitOptions, Transactable};
        let mut am = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(device.public().0));
        am.apply_changes(base.iter().map(|c| c.parse().unwrap())).unwrap();
        let before = am.get_heads();
        am.put(automerge::ROOT, "x", value).unwrap();
        match time {
            Some(t) => am.commit_with(CommitOptions::default().with_time(t)),
            None => am.commit(),
        };
        SignedChange::sign(doc, &am.get_changes(&before)[0], device)
    }

    /// The refusal `v` logged last, checked to be the one the error carries.
    fn logged(v: &Vault, err: VaultError) -> Refusal {
        let last = v.rejections().unwrap().pop().expect("the refusal was logged");
        let refusal = last.refusal.clone().expect("the refusal was logged typed");
        assert_eq!(err.refusal().as_ref(), Some(&refusal), "{err}");
        assert_eq!(last.why, refusal.to_string(), "why is the refusal's English text");
        refusal
    }

    /// An entry logged before refusals were typed, or by a newer version
    /// with a rule this one does not know, still reads (with its `why`).
    #[test]
    fn old_and_newer_log_entries_still_read() {
        let old = r#"{"at":1,"doc":"d","change":"-","from":"p","why":"not hex"}"#;
        let r: Rejection = serde_json::from_str(old).unwrap();
        assert_eq!((r.why.as_str(), r.refusal), ("not hex", None));
        let newer = r#"{"at":1,"doc":"d","change":"-","from":"p","why":"w","refusal":{"rule":"moon_phase"}}"#;
        let r: Rejection = serde_json::from_str(newer).unwrap();
        assert_eq!((r.why.as_str(), r.refusal), ("w", None));
        let typed = Rejection {
            refusal: Some(Refusal::OverLimit {
                limit: Limit::PendingChanges,
                value: 3,
                max: 2,
            }),
            ..r
        };
        let back: Rejection = serde_json::from_slice(&json(&typed).unwrap()).unwrap();
        assert_eq!(back, typed);
    }

    /// Each way an import is refused logs its rule as a typed [`Refusal`],
    /// the same one the error carries.
    #[test]
    fn every_import_refusal_is_logged_as_its_rule() {
        let tmp = tempfile::tempdir().unwrap();
        let mut anna = create(&tmp.path().join("anna"), "Anna", Role::Citizen);
        let mut mallory = create(&tmp.path().join("mallory"), "Mallory", Role::Counselor);
        let plan = anna.plan_doc();
        anna.add_goal(&plan, LifeDomain::Wonen, "doel", None).unwrap();
        let bundle = anna.bundle(&plan).unwrap();
        mallory.import_bundle(&bundle, "anna").unwrap();
        let header = bundle.header.clone();
        let base = anna.signed_changes(&plan).unwrap();
        let m_key = mallory.device_key().public();
        let m_cert = vec![mallory.device_certificate().clone()];
        let by_mallory = change_by(mallory.device_key(), &plan, &base, "Mallory", None);
        let import = |v: &mut Vault, h: &Signed<DocumentHeader>, certs: &[CertifiedDevice], c: &[SignedChange]| {
            let err = v.import_changes(h, certs, c, "peer").unwrap_err();
            logged(v, err)
        };

        // A1: no certificate for the signing device.
        let r = import(&mut anna, &header, &[], std::slice::from_ref(&by_mallory));
        assert_eq!(r, Refusal::UnknownDevice { device: m_key });
        // A2: a stranger's change.
        let r = import(&mut anna, &header, &m_cert, std::slice::from_ref(&by_mallory));
        assert_eq!(
            r,
            Refusal::NotAWriter {
                name: "Mallory".into(),
                identity: mallory.identity()
            }
        );
        // S2: an actor that is not the signer.
        let mut spoof = by_mallory.clone();
        spoof.signer = anna.device_key().public();
        let r = import(&mut anna, &header, &m_cert, &[spoof]);
        assert!(matches!(r, Refusal::ActorNotSigner { signer, .. } if signer == anna.device_key().public()));
        // S1: a signature that does not verify, on a change and on a certificate.
        let mut forged = by_mallory.clone();
        forged.signature.0[5] ^= 0x40;
        let r = import(&mut anna, &header, &m_cert, &[forged]);
        assert!(
            matches!(
                r,
                Refusal::BadSignature {
                    on: SignatureOn::Change,
                    ..
                }
            ),
            "{r:?}"
        );
        let mut bad_cert = m_cert.clone();
        bad_cert[0].signature.0[5] ^= 0x40;
        let r = import(&mut anna, &header, &bad_cert, std::slice::from_ref(&by_mallory));
        assert!(
            matches!(
                r,
                Refusal::BadSignature {
                    on: SignatureOn::Certificate,
                    ..
                }
            ),
            "{r:?}"
        );
        // Bytes that are no signed change, in a bundle.
        let mut garbage = anna.bundle(&plan).unwrap();
        garbage.changes.push("zz".into());
        let err = mallory.import_bundle(&garbage, "anna").unwrap_err();
        assert!(matches!(logged(&mallory, err), Refusal::Undecodable { .. }));

        // Headers: not signed by the owner, an id not naming the signer, altered after signing.
        let now = keys::now();
        let by_stranger = keys::sign_record(
            header.record.clone(),
            mallory.device_key(),
            mallory.device_certificate(),
            now,
        );
        let r = import(&mut anna, &by_stranger, &[], &[]);
        assert_eq!(
            r,
            Refusal::HeaderNotByOwner {
                signer: mallory.identity(),
                owner: anna.identity()
            }
        );
        let mut hijack = header.record.clone();
        hijack.owner = mallory.identity();
        let hijack = keys::sign_record(hijack, mallory.device_key(), mallory.device_certificate(), now);
        let r = import(&mut anna, &hijack, &[], &[]);
        assert_eq!(r, Refusal::HeaderIdNotOwners { id: plan.clone() });
        let mut altered = header.clone();
        altered.record.version += 1;
        let r = import(&mut mallory, &altered, &[], &[]);
        assert!(
            matches!(
                r,
                Refusal::BadSignature {
                    on: SignatureOn::Header,
                    ..
                }
            ),
            "{r:?}"
        );
        // Header rule `version step`.
        let mut jump = header.record.clone();
        jump.version += MAX_HEADER_VERSION_STEP + 1;
        let jump = keys::sign_record(jump, anna.device_key(), anna.device_certificate(), now);
        let r = import(&mut mallory, &jump, &[], &[]);
        assert_eq!(
            r,
            Refusal::OverLimit {
                limit: Limit::HeaderVersionStep {
                    version: header.record.version + MAX_HEADER_VERSION_STEP + 1,
                    held: header.record.version
                },
                value: MAX_HEADER_VERSION_STEP + 1,
                max: MAX_HEADER_VERSION_STEP
            }
        );
        // A4: dated ten days ahead.
        let future = now as i64 + 10 * 86_400;
        let late = change_by(anna.device_key(), &plan, &base, "later", Some(future));
        let r = import(&mut mallory, &header, &[], &[late]);
        assert_eq!(r, Refusal::FromTheFuture { timestamp: future });

        // Documents per owner.
        let mut bert = create(&tmp.path().join("bert"), "Bert", Role::Counselor);
        bert.set_limits(Limits {
            documents_per_owner: 0,
            ..Limits::default()
        });
        let err = bert.import_bundle(&bundle, "anna").unwrap_err();
        assert_eq!(
            logged(&bert, err),
            Refusal::OverLimit {
                limit: Limit::DocumentsPerOwner { owner: anna.identity() },
                value: 0,
                max: 0
            }
        );

        // Mallory may write from here on.
        anna.add_writer(&plan, mallory.identity(), Role::Counselor).unwrap();
        let header = anna.signed_header(&plan).unwrap();
        // Writer bytes per document.
        anna.set_limits(Limits {
            writer_bytes_per_document: 10,
            ..Limits::default()
        });
        let r = import(&mut anna, &header, &m_cert, std::slice::from_ref(&by_mallory));
        assert!(
            matches!(&r, Refusal::OverLimit { limit: Limit::WriterBytesPerDocument { identity, .. }, value, max: 10 }
                if *identity == mallory.identity() && *value > 10),
            "{r:?}"
        );
        anna.set_limits(Limits::default());
        // Equivocation: another change as the same number.
        anna.import_changes(&header, &m_cert, std::slice::from_ref(&by_mallory), "peer")
            .unwrap();
        let twin = change_by(mallory.device_key(), &plan, &base, "Mallory again", None);
        let r = import(&mut anna, &header, &m_cert, &[twin]);
        assert!(
            matches!(&r, Refusal::Equivocation { device, seq: 1, .. } if *device == m_key),
            "{r:?}"
        );
        assert_eq!(
            anna.rejections().unwrap().pop().unwrap().equivocating_device,
            Some(m_key)
        );

        // A3: a revoked device's later change.
        let mut tablet = Vault::create_unlinked(
            &tmp.path().join("tablet"),
            "tablet",
            &Passphrase::new("proef-wachtwoord"),
        )
        .unwrap();
        let t_key = tablet.device_key().public();
        let cert = anna.certify_new_device(t_key, "tablet").unwrap();
        tablet.adopt_certificate(cert.clone()).unwrap();
        let budget = anna.bundle(&anna.budget_doc()).unwrap();
        mallory.import_bundle(&budget, "anna").unwrap();
        anna.revoke_device(t_key).unwrap();
        let header = anna.signed_header(&plan).unwrap();
        let base = anna.signed_changes(&plan).unwrap();
        let stolen = change_by(tablet.device_key(), &plan, &base, "tablet", None);
        let r = import(&mut anna, &header, std::slice::from_ref(&cert), &[stolen]);
        assert!(
            matches!(&r, Refusal::DeviceRevoked { device, cutoff: 0, seq: 1, .. } if *device == t_key),
            "{r:?}"
        );
        // A3b: Mallory hears of the revocation through the plan's header
        // only; the tablet's change to the budget, under the budget header
        // that does not name it yet, is refused all the same.
        mallory.import_changes(&header, &[], &[], "anna").unwrap();
        let budget_base: Vec<SignedChange> = budget
            .changes
            .iter()
            .map(|h| SignedChange::decode(&hex::decode(h).unwrap()).unwrap())
            .collect();
        let elsewhere = change_by(
            tablet.device_key(),
            &budget.header.record.id,
            &budget_base,
            "tablet",
            None,
        );
        let r = import(&mut mallory, &budget.header, &[cert], &[elsewhere]);
        assert_eq!(
            r,
            Refusal::RevokedElsewhere {
                device: t_key,
                held: 0,
                seq: 1
            }
        );

        // Devices per identity.
        let crowd = SecretKey::generate().unwrap();
        let certify = |i: usize, device: PublicKey| {
            keys::certify_device(&crowd, "Veel", Role::Counselor, device, &format!("d{i}"), 1)
        };
        for i in 0..MAX_DEVICES_PER_IDENTITY {
            anna.add_device_certificate(&certify(i, SecretKey::generate().unwrap().public()))
                .unwrap();
        }
        let one_more = SecretKey::generate().unwrap();
        let change = change_by(&one_more, &plan, &base, "one more", None);
        let r = import(&mut anna, &header, &[certify(99, one_more.public())], &[change]);
        assert!(
            matches!(&r, Refusal::OverLimit { limit: Limit::DevicesPerIdentity { identity, .. }, value, max }
                if *identity == crowd.public() && *value == MAX_DEVICES_PER_IDENTITY as u64 && *max == *value),
            "{r:?}"
        );
    }

    #[test]
    fn a_header_at_the_last_version_cannot_change_again() {
        let tmp = tempfile::tempdir().unwrap();
        let mut v = create(&tmp.path().join("v"), "Anna", Role::Citizen);
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
        let v = create(&tmp.path().join("v"), "Anna", Role::Citizen);
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
            Err(Refusal::CutOffRaised {
                offered: 5,
                cut_off: 4,
                ..
            })
        ));
        assert!(matches!(ok(vec![]), Err(Refusal::RevocationDropped { cut_off: 4, .. })));
        // The signer's own revocation, here or elsewhere, comes first.
        assert!(matches!(
            check_header_succession(Some(&held), &offer(vec![]), true, false),
            Err(Refusal::HeaderByRevokedDevice { .. })
        ));
        // A concurrent header is merged (which keeps the revocation): not refused.
        assert_eq!(
            check_header_succession(Some(&held), &offer(vec![]), false, true),
            Ok(())
        );
    }
}

/// Snapshots of documents that came in by import: taken at the end of the
/// import and every few rows while the document is small, and never trusted
/// beyond what the change log and the seals vouch for.
#[cfg(test)]
mod imported_snapshots {
    use inwonercloud_schemas::{FundingStream, LifeDomain, Role, Unit};
    use redb::ReadableDatabase;

    use crate::store::{self, CHANGES, Fault};
    use crate::testing::vault as create;
    use crate::{DB_FILE, Passphrase, Vault, VaultError};

    fn reopen(dir: &std::path::Path) -> Vault {
        Vault::open(dir, &Passphrase::new("proef-wachtwoord")).unwrap()
    }

    fn add_goals(v: &mut Vault, plan: &str, from: usize, n: usize) {
        for i in from..from + n {
            v.add_goal(plan, LifeDomain::Wonen, &format!("doel {i}"), None).unwrap();
        }
    }

    fn goals(v: &Vault, plan: &str) -> Vec<String> {
        let mut g: Vec<String> = v
            .plan(plan)
            .unwrap()
            .goals
            .iter()
            .map(|g| g.record.text.clone())
            .collect();
        g.sort();
        g
    }

    /// Rows the stored snapshot of `doc` covers, if one opens.
    fn snapshot_rows(v: &Vault, doc: &str) -> Option<u64> {
        v.store().snapshot(doc).unwrap().map(|(n, _)| n)
    }

    /// Anna with a plan of `n` goals, and Bob holding none of it yet.
    fn anna_and_bob(root: &std::path::Path, n: usize) -> (Vault, Vault, String) {
        let mut anna = create(&root.join("anna"), "Anna", Role::Citizen);
        let bob = create(&root.join("bob"), "Bob", Role::Counselor);
        let plan = anna.plan_doc();
        add_goals(&mut anna, &plan, 0, n);
        (anna, bob, plan)
    }

    #[test]
    fn an_imported_document_is_snapshotted_and_opens_from_it_alike() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut anna, mut bob, plan) = anna_and_bob(tmp.path(), 5);
        bob.import_bundle(&anna.bundle(&plan).unwrap(), "anna").unwrap();
        let rows = bob.change_count(&plan).unwrap();
        assert_eq!(
            snapshot_rows(&bob, &plan),
            Some(rows),
            "snapshotted at the end of its import"
        );
        // A few rows more: not yet a new snapshot; sixteen more: one.
        add_goals(&mut anna, &plan, 5, 3);
        bob.import_bundle(&anna.bundle(&plan).unwrap(), "anna").unwrap();
        assert_eq!(snapshot_rows(&bob, &plan), Some(rows));
        add_goals(&mut anna, &plan, 8, 16);
        bob.import_bundle(&anna.bundle(&plan).unwrap(), "anna").unwrap();
        let rows = bob.change_count(&plan).unwrap();
        assert_eq!(snapshot_rows(&bob, &plan), Some(rows));
        let dir = bob.dir().to_path_buf();
        drop(bob);
        let bob = reopen(&dir);
        let doc = bob.doc(&plan).unwrap();
        assert_eq!((doc.snapshot_rows, doc.rows), (rows, rows), "opened from the snapshot");
        assert_eq!(goals(&bob, &plan), goals(&anna, &plan));
    }

    /// A snapshot altered on disk, one of another document, one sealed by
    /// another vault and an older one of the same document: the first three
    /// do not open and are ignored (the document is rebuilt from its
    /// verified rows), the older one stands only for the rows it covers.
    /// Each time the document reads exactly as Anna's, and the open leaves
    /// a snapshot that covers every row.
    #[test]
    fn a_tampered_foreign_or_older_snapshot_changes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut anna, mut bob, plan) = anna_and_bob(tmp.path(), 3);
        let budget = anna.budget_doc();
        let day = |s: &str| s.parse().unwrap();
        anna.add_account(
            &budget,
            "pgb",
            FundingStream::Wmo,
            Unit::Euro,
            day("2026-01-01"),
            day("2026-12-31"),
        )
        .unwrap();
        bob.import_bundle(&anna.bundle(&budget).unwrap(), "anna").unwrap();
        bob.import_bundle(&anna.bundle(&plan).unwrap(), "anna").unwrap();
        let older = bob.store().raw_get(store::SNAPSHOTS, &plan).unwrap();
        add_goals(&mut anna, &plan, 3, 20);
        bob.import_bundle(&anna.bundle(&plan).unwrap(), "anna").unwrap();
        let current = bob.store().raw_get(store::SNAPSHOTS, &plan).unwrap();
        assert_ne!(older, current);
        let of_budget = bob.store().raw_get(store::SNAPSHOTS, &budget).unwrap();
        anna.compact().unwrap();
        let annas = anna.store().raw_get(store::SNAPSHOTS, &plan).unwrap();
        let mut flipped = current.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 1;
        let rows = bob.change_count(&plan).unwrap();
        let dir = bob.dir().to_path_buf();
        for (what, bad) in [
            ("altered", flipped),
            ("another document's", of_budget),
            ("another vault's", annas),
            ("older", older),
        ] {
            bob.store().raw_put(store::SNAPSHOTS, &plan, Some(&bad));
            drop(bob);
            bob = reopen(&dir);
            assert_eq!(goals(&bob, &plan), goals(&anna, &plan), "{what} snapshot");
            assert_eq!(bob.doc(&plan).unwrap().rows, rows, "{what} snapshot");
            assert_eq!(
                snapshot_rows(&bob, &plan),
                Some(rows),
                "{what}: the open snapshots anew"
            );
        }
    }

    /// Opening from a snapshot still checks the seal of every row under it.
    #[test]
    fn a_tampered_row_under_an_imported_snapshot_refuses_the_open() {
        let tmp = tempfile::tempdir().unwrap();
        let (_anna, mut bob, plan) = anna_and_bob(tmp.path(), 4);
        bob.import_bundle(&_anna.bundle(&plan).unwrap(), "anna").unwrap();
        assert!(snapshot_rows(&bob, &plan).is_some());
        let dir = bob.dir().to_path_buf();
        drop(bob);
        {
            let db = redb::Database::open(dir.join(DB_FILE)).unwrap();
            let mut row = {
                let r = db.begin_read().unwrap();
                let t = r.open_table(CHANGES).unwrap();
                t.get((plan.as_str(), 1u64)).unwrap().unwrap().value().to_vec()
            };
            let mid = row.len() / 2;
            row[mid] ^= 1;
            let w = db.begin_write().unwrap();
            w.open_table(CHANGES)
                .unwrap()
                .insert((plan.as_str(), 1u64), row.as_slice())
                .unwrap();
            w.commit().unwrap();
        }
        let err = Vault::open(&dir, &Passphrase::new("proef-wachtwoord")).unwrap_err();
        assert!(matches!(err, VaultError::TamperedChange { seq: 1, .. }), "{err}");
    }

    /// The snapshot is written after the import commits: an import whose
    /// snapshot fails (as a crash between the two would leave it) is whole
    /// and verified after reopening, which takes the missing snapshot.
    #[test]
    fn a_failure_between_import_and_snapshot_leaves_the_import_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let (anna, _, plan) = anna_and_bob(tmp.path(), 6);
        let bundle = anna.bundle(&plan).unwrap();
        let mut between = 0;
        for n in 1..=8u64 {
            let dir = tmp.path().join(format!("bob{n}"));
            let mut bob = create(&dir, "Bob", Role::Counselor);
            bob.inject_fault(Some(Fault::ErrorAt(n)));
            let result = bob.import_bundle(&bundle, "anna");
            bob.inject_fault(None);
            let stored = bob.store().next_row(&plan).unwrap();
            if result.is_err() && stored > 0 {
                assert_eq!(snapshot_rows(&bob, &plan), None, "fault {n}");
                between += 1;
            }
            drop(bob);
            let bob = reopen(&dir);
            if stored == 0 {
                assert!(result.is_err() && !bob.document_ids().contains(&plan), "fault {n}");
                continue;
            }
            assert_eq!(goals(&bob, &plan), goals(&anna, &plan), "fault {n}");
            assert_eq!(snapshot_rows(&bob, &plan), Some(stored), "fault {n}: taken on open");
        }
        assert!(between > 0, "some fault fell between the import and its snapshot");
    }
}
