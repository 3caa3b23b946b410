//! Consents, invites, peers and the access log.
//!
//! A consent is a record signed by the citizen in their `consents` document:
//! grantee, role, documents, read or write, validity, purpose. Write consents
//! also add the grantee to the documents' headers; revocation removes them
//! with a cut-off, so what they wrote before stays valid and nothing later is
//! accepted. Revocation stops future sharing; it cannot recall what was
//! already shared.

use inwonercloud_schemas::{
    Access, CertifiedDevice, Consent, Date, DocKind, DocumentHeader, PublicKey, Revocation, Role, SchemaError,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::error::{Result, VaultError};
use crate::keys;
use crate::plan::new_id;
use crate::store;
use crate::vault::{Authored, Vault, json, parse_stored};

/// A consent with its revocation, if any.
#[derive(Clone, Debug, Serialize)]
pub struct ConsentView {
    /// The signed consent.
    pub consent: Authored<Consent>,
    /// The revocation, when revoked.
    pub revocation: Option<Authored<Revocation>>,
    /// In force today and not revoked.
    pub active: bool,
}

/// What `peer`'s active consents give it (see [`Vault::documents_for_peer`]).
#[derive(Debug, Default)]
struct Grants {
    /// Documents named in its active consents.
    consented: Vec<String>,
    /// It reads this owner's budget.
    sees_budget: bool,
    /// It reads the budget as a municipality.
    municipal: bool,
}

/// What a held document may be shared as, beside going back to its owner:
/// the classes [`Vault::documents_for_peer`] adds whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum SharedAs {
    /// A catalogue or policy of this owner: to anyone.
    Public,
    /// An exchange document this owner owns or writes: to whoever reads the budget.
    Exchange,
    /// An agreement of this owner: to the municipality reading the budget.
    Agreement,
    /// A wijkbudget this owner writes: to every other writer.
    Pot,
}

impl SharedAs {
    fn of(h: &DocumentHeader, me: &PublicKey) -> Option<SharedAs> {
        match h.kind {
            DocKind::Catalogue | DocKind::Policy if &h.owner == me => Some(SharedAs::Public),
            DocKind::Exchange if &h.owner == me || h.writers.contains(me) => Some(SharedAs::Exchange),
            DocKind::Agreement if &h.owner == me => Some(SharedAs::Agreement),
            DocKind::Pot if h.may_write(me) => Some(SharedAs::Pot),
            _ => None,
        }
    }
}

/// Held documents filed by owner and by [`SharedAs`] class, so that
/// [`Vault::documents_for_peer`] reads what is shared with one peer instead
/// of every header. Derived from the headers in memory only, never stored:
/// every header change passes [`Vault::touch`], which marks the document to
/// be filed again before the next answer ([`Vault::refile`]); a refresh that
/// reads the file and a rolled-back action drop the whole index. Debug
/// builds check every answer against a scan of every header.
#[derive(Debug, Default)]
pub(crate) struct PeerIndex {
    filed: Option<Filed>,
    /// Documents to file again before the next answer.
    dirty: BTreeSet<String>,
}

/// The index proper.
#[derive(Debug, Default)]
struct Filed {
    /// (owner, class) each document was filed under.
    of_doc: HashMap<String, (PublicKey, Option<SharedAs>)>,
    by_owner: HashMap<PublicKey, BTreeSet<String>>,
    by_class: HashMap<SharedAs, BTreeSet<String>>,
}

impl Filed {
    fn of(&self, class: SharedAs) -> &BTreeSet<String> {
        static EMPTY: BTreeSet<String> = BTreeSet::new();
        self.by_class.get(&class).unwrap_or(&EMPTY)
    }

    fn file(&mut self, id: &str, h: &DocumentHeader, me: &PublicKey) {
        let class = SharedAs::of(h, me);
        self.by_owner.entry(h.owner).or_default().insert(id.to_string());
        if let Some(c) = class {
            self.by_class.entry(c).or_default().insert(id.to_string());
        }
        self.of_doc.insert(id.to_string(), (h.owner, class));
    }

    fn unfile(&mut self, id: &str) {
        let Some((owner, class)) = self.of_doc.remove(id) else {
            return;
        };
        if let Some(set) = self.by_owner.get_mut(&owner) {
            set.remove(id);
        }
        if let Some(set) = class.and_then(|c| self.by_class.get_mut(&c)) {
            set.remove(id);
        }
    }
}

impl PeerIndex {
    /// The index as of the headers `vault` holds now: built on first use,
    /// with the documents marked since filed again.
    fn current(&mut self, vault: &Vault) -> &Filed {
        let me = vault.identity();
        let docs = vault.docs_map();
        let dirty = std::mem::take(&mut self.dirty);
        let filed = self.filed.get_or_insert_with(|| {
            let mut f = Filed::default();
            for (id, d) in docs {
                f.file(id, &d.header.record, &me);
            }
            f
        });
        for id in dirty {
            filed.unfile(&id);
            if let Some(d) = docs.get(&id) {
                filed.file(&id, &d.header.record, &me);
            }
        }
        filed
    }
}

/// What an invite offers.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct InviteSpec {
    /// Role offered to whoever joins.
    pub role: Role,
    /// Document ids offered.
    pub documents: Vec<String>,
    /// Read or write.
    pub access: Access,
    /// Last day the resulting consent is valid.
    pub valid_until: Option<Date>,
    /// Why.
    pub purpose: String,
    /// Whom the citizen means to invite (shown in the consent until the peer names itself).
    pub name_hint: String,
    /// An invite for another device of the owner (it then sees everything).
    #[serde(default)]
    pub device: bool,
}

/// What redeeming an invite produced.
#[derive(Clone, Debug)]
pub enum Redeemed {
    /// A consent for another party.
    Consent(Consent),
    /// A certificate for another device of the owner.
    Device(CertifiedDevice),
}

/// A stored invite.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Invite {
    /// Stable id.
    pub id: String,
    /// What it offers.
    pub spec: InviteSpec,
    /// Unix seconds when made.
    pub created_at: u64,
    /// Unix seconds after which the ticket may no longer be used.
    pub expires_at: u64,
    /// Who used it, once used.
    pub used_by: Option<PublicKey>,
}

/// What this vault knows of a peer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PeerInfo {
    /// Identity key.
    pub identity: PublicKey,
    /// Name as its certificate states it.
    pub name: String,
    /// Role as its certificate states it.
    pub role: Role,
    /// Its devices (endpoint ids).
    pub devices: Vec<PublicKey>,
    /// Addresses it was reached at or announced (`ip:port`).
    pub addrs: Vec<String>,
    /// Unix seconds of the last successful session.
    pub last_seen: u64,
    /// The postbus it announced (where to leave mail for it), as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postbus: Option<String>,
}

/// Someone whose documents this vault holds.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Holder {
    /// Their identity.
    pub identity: PublicKey,
    /// Their name, as far as known.
    pub name: String,
    /// Their role, when known.
    pub role: Option<Role>,
    /// The documents held, by kind.
    pub documents: Vec<(DocKind, String)>,
}

impl Holder {
    /// The held document of `kind`, if any.
    pub fn doc(&self, kind: DocKind) -> Option<&str> {
        self.documents
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, id)| id.as_str())
    }
}

/// Direction of an access-log line.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// We sent.
    Sent,
    /// We received.
    Received,
}

/// One line of the access log: who got or gave what, when.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct AccessLine {
    /// Unix seconds.
    pub at: u64,
    /// The peer's identity.
    pub peer: PublicKey,
    /// The peer's name.
    pub peer_name: String,
    /// Document id.
    pub doc: String,
    /// Sent or received.
    pub direction: Direction,
    /// Number of changes.
    pub changes: usize,
    /// Bytes of those changes.
    pub bytes: usize,
}

impl AccessLine {
    /// A line dated now: what was sent to or received from `peer`.
    pub fn now(
        peer: &PublicKey,
        peer_name: &str,
        doc: &str,
        direction: Direction,
        changes: usize,
        bytes: usize,
    ) -> Self {
        AccessLine {
            at: keys::now(),
            peer: *peer,
            peer_name: peer_name.to_string(),
            doc: doc.to_string(),
            direction,
            changes,
            bytes,
        }
    }
}

/// A peer met in a sync session, as it is to be remembered
/// ([`PeerVisit::merged`] into what is stored of it when written).
#[derive(Clone, Debug, PartialEq)]
pub struct PeerVisit {
    /// The peer device's certificate: identity, name, role, device.
    pub device: CertifiedDevice,
    /// Addresses it announced now: they replace those announced before
    /// (bounded by whoever makes the visit); none leaves them as they are.
    pub announced: Vec<String>,
    /// Addresses this device reached it at: added to those kept.
    pub dialed: Vec<String>,
    /// The postbus it announced (`None`: it has none, or stopped using one).
    pub postbus: Option<String>,
    /// Unix seconds of the meeting.
    pub at: u64,
}

impl PeerVisit {
    /// The peer whose device certificate is `device`, met now.
    pub fn new(device: &CertifiedDevice, announced: &[String], dialed: &[String], postbus: Option<&str>) -> Self {
        PeerVisit {
            device: device.clone(),
            announced: announced.to_vec(),
            dialed: dialed.to_vec(),
            postbus: postbus.map(str::to_string),
            at: keys::now(),
        }
    }

    /// Whether this visit changes nothing of what is stored but when the
    /// peer was last seen and where it is reached: such a visit may wait for
    /// the session's next commit. Any other (a peer not yet known, a new
    /// device, another postbus) is what roles, the market and mail read,
    /// and is written at once.
    pub fn is_routine(&self, stored: Option<&PeerInfo>) -> bool {
        stored.is_some_and(|s| s.devices.contains(&self.device.certificate.device) && s.postbus == self.postbus)
    }

    /// What is stored of the peer after this visit, given what was stored before.
    pub fn merged(&self, stored: Option<PeerInfo>) -> PeerInfo {
        let c = &self.device.certificate;
        let mut info = stored.unwrap_or(PeerInfo {
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
        // and stale addresses do not pile up.
        if !self.announced.is_empty() {
            info.addrs = self.announced.clone();
        }
        for a in &self.dialed {
            if !info.addrs.contains(a) {
                info.addrs.push(a.clone());
            }
        }
        info.last_seen = info.last_seen.max(self.at);
        info.postbus = self.postbus.clone();
        info
    }
}

/// The bookkeeping of one sync session (access-log lines, the peer's visit,
/// the note of what the peer device holds), kept in memory by the session
/// and written with its next durable commit: in the transaction of the
/// import it accompanies ([`Vault::import_changes_noting`]), or in one commit
/// of its own ([`Vault::write_notes`]). Only the import is a promise; folding
/// the rest into it saves a disk flush per line (issue 20).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionNotes {
    /// Access-log lines, oldest first.
    pub lines: Vec<AccessLine>,
    /// The peer met, when it is to be remembered.
    pub visit: Option<PeerVisit>,
    /// The sync note of a peer device ([`Vault::sync_note`]).
    pub sync_note: Option<(PublicKey, Vec<u8>)>,
}

impl SessionNotes {
    /// Nothing to write.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.visit.is_none() && self.sync_note.is_none()
    }

    /// Adds an access-log line dated now: what was sent to or received from `peer`.
    pub fn exchange(
        &mut self,
        peer: &PublicKey,
        peer_name: &str,
        doc: &str,
        direction: Direction,
        changes: usize,
        bytes: usize,
    ) {
        self.lines
            .push(AccessLine::now(peer, peer_name, doc, direction, changes, bytes));
    }

    /// Whether a line says something was sent (such a line is written
    /// before the changes it counts leave: see the sync session).
    pub fn has_sent(&self) -> bool {
        self.lines.iter().any(|l| l.direction == Direction::Sent)
    }
}

/// What waits to be delivered to one peer ([`Vault::backlog`]).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Backlog {
    /// The peer's identity.
    pub peer: PublicKey,
    /// Its name.
    pub name: String,
    /// Unix seconds of the last successful session (0: never).
    pub last_seen: u64,
    /// Documents shared with it and how many changes each gained since its
    /// last exchange with this vault.
    pub docs: Vec<(String, usize)>,
}

/// Seconds an invite ticket stays usable unless told otherwise (7 days).
pub const INVITE_TTL: u64 = 7 * 24 * 3600;

fn secret_key(secret: &[u8]) -> [u8; 32] {
    sha2::Sha256::digest(secret).into()
}

fn put_peer(w: &store::Txn<'_>, peer: &PeerInfo) -> Result<()> {
    w.put32(store::PEERS, peer.identity.as_bytes(), json(peer)?.as_slice())
}

fn put_sync_note(w: &store::Txn<'_>, device: &PublicKey, note: &[u8]) -> Result<()> {
    w.put(
        store::META,
        format!("sync_note:{}", hex::encode(device.as_bytes())).as_str(),
        note,
    )
}

/// Writes a session's notes inside `w`: the visit is merged with the peer
/// as stored in that same transaction (so two sessions of one peer keep
/// both devices, and an action's own writes count).
pub(crate) fn put_notes(w: &store::Txn<'_>, notes: &SessionNotes) -> Result<()> {
    for line in &notes.lines {
        w.append_line(store::ACCESS_LOG, &json(line)?)?;
    }
    if let Some(visit) = &notes.visit {
        let stored = w
            .get32(store::PEERS, visit.device.certificate.identity.as_bytes())?
            .and_then(|b| serde_json::from_slice::<PeerInfo>(&b).ok());
        put_peer(w, &visit.merged(stored))?;
    }
    if let Some((device, note)) = &notes.sync_note {
        put_sync_note(w, device, note)?;
    }
    Ok(())
}

impl Vault {
    /// The owner's consents document id.
    pub fn consents_doc(&self) -> String {
        self.doc_id(DocKind::Consents)
    }

    /// Grants a consent (signed by the owner) and, for write access, adds the
    /// grantee as a writer of each document.
    #[allow(clippy::too_many_arguments)]
    pub fn grant_consent(
        &mut self,
        grantee: PublicKey,
        grantee_name: &str,
        role: Role,
        documents: Vec<String>,
        access: Access,
        valid_until: Option<Date>,
        purpose: &str,
    ) -> Result<Consent> {
        self.transact(|v| v.grant_consent_in(grantee, grantee_name, role, documents, access, valid_until, purpose))
    }

    #[allow(clippy::too_many_arguments)]
    fn grant_consent_in(
        &mut self,
        grantee: PublicKey,
        grantee_name: &str,
        role: Role,
        documents: Vec<String>,
        access: Access,
        valid_until: Option<Date>,
        purpose: &str,
    ) -> Result<Consent> {
        keys::checked_key(&grantee)?;
        if grantee == self.identity() {
            return Err(VaultError::Input(SchemaError::Invalid(
                "a consent for yourself is not needed: your own devices see everything".into(),
            )));
        }
        if documents.is_empty() {
            return Err(VaultError::Input(SchemaError::Invalid(
                "a consent needs at least one document".into(),
            )));
        }
        for d in &documents {
            let h = self.header(d)?;
            if h.owner != self.identity() {
                return Err(VaultError::NotAllowed(format!("{d} is not yours to share")));
            }
        }
        let consent = Consent {
            id: new_id(),
            grantee,
            grantee_name: grantee_name.trim().to_string(),
            role,
            documents: documents.clone(),
            access,
            valid_from: Date::today(),
            valid_until,
            purpose: purpose.trim().to_string(),
        };
        // Providers, counselors and municipalities start without one.
        let doc = self.ensure_own_document(DocKind::Consents)?;
        let id = consent.id.clone();
        let signed = self.put_record(&doc, &id, consent)?;
        if access == Access::Write {
            for d in &documents {
                self.add_writer(d, grantee, role)?;
            }
        }
        Ok(signed.record)
    }

    /// Revokes a consent: stops sharing those documents with the grantee and,
    /// for write consents, refuses the grantee's later changes.
    pub fn revoke_consent(&mut self, consent_id: &str, reason: &str) -> Result<()> {
        self.transact(|v| v.revoke_consent_in(consent_id, reason))
    }

    fn revoke_consent_in(&mut self, consent_id: &str, reason: &str) -> Result<()> {
        let doc = self.consents_doc();
        let c = self
            .record::<Consent>(&doc, consent_id)?
            .ok_or_else(|| VaultError::UnknownRecord {
                what: "consent",
                id: consent_id.to_string(),
            })?
            .record;
        let r = Revocation {
            consent_id: consent_id.to_string(),
            reason: reason.trim().to_string(),
            at: keys::now(),
        };
        self.put_record(&doc, consent_id, r)?;
        if c.access == Access::Write {
            self.expire_consents()?;
        }
        Ok(())
    }

    /// Makes every owned document's writers follow the write consents, so
    /// that the consents document — which every device of the owner merges
    /// the same way — decides who writes: a grantee whose write consents on
    /// a document have all ended (revoked, or past their last day) is removed
    /// with a cut-off, as a revocation does (what it wrote before stays
    /// valid); a grantee with a write consent in force is a writer in the
    /// role of its newest such consent. It repairs a revocation whose header
    /// edit a crash cut off, a role left behind by a revoked consent, and a
    /// grant that met a revocation made on another device of the owner.
    /// Runs after every revocation, when the owner's vault opens and once a
    /// minute in a running node; returns how many header edits it made.
    pub fn expire_consents(&mut self) -> Result<usize> {
        self.transact(|v| v.expire_consents_in())
    }

    fn expire_consents_in(&mut self) -> Result<usize> {
        if !self.docs_map().contains_key(&self.consents_doc()) {
            return Ok(0);
        }
        // Per (document, grantee) named by a write consent: the newest
        // consent in force (signed at, id, role), if any.
        type Newest = Option<(u64, String, Role)>;
        let mut wanted: BTreeMap<(String, PublicKey), Newest> = BTreeMap::new();
        for v in self.consents()? {
            let c = &v.consent.record;
            if c.access != Access::Write {
                continue;
            }
            for d in &c.documents {
                let slot = wanted.entry((d.clone(), c.grantee)).or_insert(None);
                let candidate = (v.consent.signed_at, c.id.clone(), c.role);
                if v.active && slot.as_ref().is_none_or(|n| &candidate > n) {
                    *slot = Some(candidate);
                }
            }
        }
        let me = self.identity();
        let mut edits = 0;
        for ((d, grantee), newest) in wanted {
            let Ok(h) = self.header(&d) else { continue };
            if h.owner != me {
                continue;
            }
            match newest {
                // Also a writer from before roles were recorded (a vault made
                // by an earlier version): its role comes from its consent.
                Some((_, _, role)) if !h.may_write(&grantee) || h.role_of(&grantee) != Some(role) => {
                    self.add_writer(&d, grantee, role)?;
                    edits += 1;
                }
                None if h.writers.contains(&grantee) => {
                    self.remove_writer(&d, grantee)?;
                    edits += 1;
                }
                _ => {}
            }
        }
        Ok(edits)
    }

    /// Every consent with its state, newest first.
    pub fn consents(&self) -> Result<Vec<ConsentView>> {
        let doc = self.consents_doc();
        let (consents, _) = self.records::<Consent>(&doc)?;
        let (revocations, _) = self.records::<Revocation>(&doc)?;
        let me = self.identity();
        let today = Date::today();
        let mut out: Vec<ConsentView> = consents
            .into_iter()
            .filter(|c| c.author == me)
            .map(|c| {
                let revocation = revocations
                    .iter()
                    .find(|r| r.record.consent_id == c.record.id && r.author == me)
                    .cloned();
                let active = revocation.is_none() && c.record.valid_on(today);
                ConsentView {
                    consent: c,
                    revocation,
                    active,
                }
            })
            .collect();
        out.sort_by_key(|v| std::cmp::Reverse(v.consent.signed_at));
        Ok(out)
    }

    /// The documents this vault may send to `peer`: everything to the owner's
    /// own devices; a document back to its owner; public catalogues and
    /// policies to anyone; the owner's documents under an active consent.
    ///
    /// Read from the [`PeerIndex`] (documents by owner and by what they are
    /// shared as), so an offer costs what is shared with `peer`, not every
    /// document held; the consents are read each time (they expire by date).
    pub fn documents_for_peer(&self, peer: &PublicKey) -> Result<Vec<String>> {
        let me = self.identity();
        if peer == &me {
            return Ok(self.document_ids());
        }
        let grants = self.sharing_grants(peer)?;
        let mut out = {
            let mut index = self.peer_index.lock().unwrap_or_else(|p| p.into_inner());
            let filed = index.current(self);
            let mut out: BTreeSet<String> = filed.by_owner.get(peer).cloned().unwrap_or_default();
            out.extend(filed.of(SharedAs::Public).iter().cloned());
            if grants.sees_budget {
                out.extend(filed.of(SharedAs::Exchange).iter().cloned());
            }
            if grants.municipal {
                out.extend(filed.of(SharedAs::Agreement).iter().cloned());
            }
            out.extend(
                filed
                    .of(SharedAs::Pot)
                    .iter()
                    .filter(|id| self.header(id).is_ok_and(|h| h.may_write(peer)))
                    .cloned(),
            );
            out
        };
        out.extend(
            grants
                .consented
                .into_iter()
                .filter(|id| self.header(id).is_ok_and(|h| h.owner == me)),
        );
        let mut out: Vec<String> = out.into_iter().collect();
        // A municipality republishes the catalogues of the providers it
        // admitted to everyone it admitted (see `crate::discovery`).
        for c in self.republished_catalogues_for(peer)? {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        debug_assert_eq!(
            Some(&out),
            self.documents_for_peer_by_scan(peer).ok().as_ref(),
            "the peer index answers as a scan of every header"
        );
        Ok(out)
    }

    /// What `peer`'s active consents give it: the documents named, whether
    /// it reads this owner's budget (and so the transfers behind it), and
    /// whether it does so as a municipality (and so sees the agreements it
    /// pays for).
    fn sharing_grants(&self, peer: &PublicKey) -> Result<Grants> {
        if !self.docs_map().contains_key(&self.consents_doc()) {
            return Ok(Grants::default());
        }
        let active: Vec<ConsentView> = self
            .consents()?
            .into_iter()
            .filter(|c| c.active && &c.consent.record.grantee == peer)
            .collect();
        let budget = self.doc_id(DocKind::Budget);
        let municipal = active
            .iter()
            .any(|c| c.consent.record.role == Role::Municipality && c.consent.record.documents.contains(&budget));
        let consented: Vec<String> = active.into_iter().flat_map(|c| c.consent.record.documents).collect();
        Ok(Grants {
            sees_budget: consented.contains(&budget),
            municipal,
            consented,
        })
    }

    /// [`Self::documents_for_peer`] by reading every held header: what the
    /// index must answer (checked against it in debug builds).
    fn documents_for_peer_by_scan(&self, peer: &PublicKey) -> Result<Vec<String>> {
        let me = self.identity();
        let Grants {
            consented,
            sees_budget,
            municipal,
        } = self.sharing_grants(peer)?;
        let mut out = vec![];
        for id in self.document_ids() {
            let h = self.header(&id)?;
            let public = matches!(h.kind, DocKind::Catalogue | DocKind::Policy) && h.owner == me;
            let exchange = h.kind == DocKind::Exchange && sees_budget && (h.owner == me || h.writers.contains(&me));
            let agreement = h.kind == DocKind::Agreement && municipal && h.owner == me;
            // A wijkbudget goes to its owner and every partner (writers):
            // each partner holds the same signed records.
            let pot = h.kind == DocKind::Pot && h.may_write(&me) && h.may_write(peer);
            if &h.owner == peer || public || exchange || agreement || pot || (h.owner == me && consented.contains(&id))
            {
                out.push(id);
            }
        }
        for c in self.republished_catalogues_for(peer)? {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Marks `doc` to be filed again in the [`PeerIndex`] on its next use
    /// (its header may have changed, or it is new or gone).
    pub(crate) fn refile(&self, doc: &str) {
        let mut index = self.peer_index.lock().unwrap_or_else(|p| p.into_inner());
        if index.filed.is_some() {
            index.dirty.insert(doc.to_string());
        }
    }

    /// Drops the [`PeerIndex`]: the next offer files every document again.
    pub(crate) fn forget_peer_index(&self) {
        *self.peer_index.lock().unwrap_or_else(|p| p.into_inner()) = PeerIndex::default();
    }

    /// Whether to take a document offered by `peer`: one already held (its
    /// changes are still checked one by one), this owner's, or — from an
    /// admitted identity only ([`Vault::is_admitted`]) — the peer's own or an
    /// exchange document whose owner is admitted and the peer a party to (its
    /// transfers back a budget the peer shares); a catalogue a market
    /// authority relays ([`Vault::takes_catalogues_from`]); an agreement a
    /// citizen made with this provider ([`Vault::takes_order_from`]). Ids
    /// longer than [`MAX_DOC_ID_BYTES`](crate::trust::MAX_DOC_ID_BYTES) are
    /// never taken.
    pub fn accepts_document_from(&self, peer: &PublicKey, header: &DocumentHeader) -> bool {
        if header.id.len() > crate::trust::MAX_DOC_ID_BYTES {
            return false;
        }
        if self.revoked_writer_of(peer, &header.id) {
            // A writer this owner revoked: nothing it holds beyond its
            // cut-off could enter, so nothing is asked of it.
            return false;
        }
        self.docs_map().contains_key(&header.id)
            || header.owner == self.identity()
            || (&header.owner == peer && self.is_admitted(peer))
            || (header.kind == DocKind::Exchange && header.writers.contains(peer) && self.is_admitted(&header.owner))
            || (header.kind == DocKind::Pot
                && header.writers.contains(peer)
                && header.writers.contains(&self.identity())
                && self.is_admitted(&header.owner))
            || (header.kind == DocKind::Catalogue && self.takes_catalogues_from(peer))
            || self.takes_order_from(peer, header)
    }

    /// When `peer` offers one of this owner's documents under an older
    /// header that still lets it write, while the header held here revokes
    /// it: the header held here, to send back so that the peer learns it no
    /// longer writes (and stops offering what it wrote too late). Nothing
    /// else of the document goes with it.
    pub fn revocation_notice(
        &self,
        peer: &PublicKey,
        offered: &DocumentHeader,
    ) -> Option<inwonercloud_schemas::Signed<DocumentHeader>> {
        if offered.owner != self.identity() || !self.revoked_writer_of(peer, &offered.id) {
            return None;
        }
        let held = &self.docs_map().get(&offered.id)?.header;
        (held.record.version > offered.version).then(|| held.clone())
    }

    /// Whether `peer` wrote this owner's document `doc` once and the header
    /// held here revokes it.
    fn revoked_writer_of(&self, peer: &PublicKey, doc: &str) -> bool {
        let Some(held) = self.docs_map().get(doc).map(|d| &d.header.record) else {
            return false;
        };
        held.owner == self.identity()
            && peer != &self.identity()
            && held.revoked.iter().any(|r| &r.identity == peer)
            && !held.may_write(peer)
    }

    /// Makes an invite; returns the one-time secret (shown once, in the ticket).
    pub fn create_invite(&mut self, spec: InviteSpec, ttl_secs: u64) -> Result<(Vec<u8>, Invite)> {
        if spec.device && !self.holds_identity_key() {
            return Err(VaultError::NotAllowed(
                "add devices from your first device: only it holds your identity key".into(),
            ));
        }
        for d in &spec.documents {
            if self.header(d)?.owner != self.identity() {
                return Err(VaultError::NotAllowed(format!("{d} is not yours to share")));
            }
        }
        let mut secret = vec![0u8; 16];
        getrandom::fill(&mut secret).map_err(|e| VaultError::Storage(format!("no randomness available: {e}")))?;
        let now = keys::now();
        let invite = Invite {
            id: new_id(),
            spec,
            created_at: now,
            expires_at: now + ttl_secs,
            used_by: None,
        };
        let w = self.store().begin()?;
        w.put32(store::INVITES, &secret_key(&secret), json(&invite)?.as_slice())?;
        w.commit()?;
        Ok((secret, invite))
    }

    /// Uses an invite for the peer whose certificate is given: single use,
    /// not after it expires. Grants the consent it offers and remembers the
    /// peer. One action: if any of it fails, the ticket is not used up.
    pub fn redeem_invite(&mut self, secret: &[u8], peer: &CertifiedDevice) -> Result<Redeemed> {
        self.transact(|v| v.redeem_invite_in(secret, peer))
    }

    fn redeem_invite_in(&mut self, secret: &[u8], peer: &CertifiedDevice) -> Result<Redeemed> {
        keys::verify_certificate(peer)?;
        let key = secret_key(secret);
        let w = self.store().begin()?;
        let mut invite: Invite = {
            match w.get32(store::INVITES, &key)? {
                Some(raw) => parse_stored(&raw, "an invite")?,
                None => {
                    return Err(VaultError::Invite(
                        "this invite ticket is unknown here: ask for a new one".into(),
                    ));
                }
            }
        };
        if let Some(by) = invite.used_by {
            return Err(VaultError::Invite(format!(
                "this invite ticket was already used (by {}): a ticket works once; ask for a new one",
                by.short()
            )));
        }
        if keys::now() > invite.expires_at {
            return Err(VaultError::Invite(format!(
                "this invite ticket expired on {}: ask for a new one",
                Date::dutch(invite.expires_at)
            )));
        }
        if !invite.spec.device && !Role::invitable_as(peer.certificate.role, invite.spec.role) {
            // Refused before the ticket is used up: the right vault may still join with it.
            return Err(VaultError::Invite(format!(
                "this invite is for a {}, but {} joined as a {}: the roles must agree; nothing was granted",
                invite.spec.role.label(inwonercloud_schemas::Lang::En),
                peer.certificate.identity_name,
                peer.certificate.role.label(inwonercloud_schemas::Lang::En)
            )));
        }
        invite.used_by = Some(peer.certificate.identity);
        w.put32(store::INVITES, &key, json(&invite)?.as_slice())?;
        w.commit()?;
        if invite.spec.device {
            let cert = self.certify_new_device(peer.certificate.device, &peer.certificate.device_name)?;
            return Ok(Redeemed::Device(cert));
        }
        self.add_device_certificate(peer)?;
        let name = if peer.certificate.identity_name.trim().is_empty() {
            invite.spec.name_hint.clone()
        } else {
            peer.certificate.identity_name.clone()
        };
        self.grant_consent(
            peer.certificate.identity,
            &name,
            invite.spec.role,
            invite.spec.documents.clone(),
            invite.spec.access,
            invite.spec.valid_until,
            &invite.spec.purpose,
        )
        .map(Redeemed::Consent)
    }

    /// Every invite made, newest first.
    pub fn invites(&self) -> Result<Vec<Invite>> {
        let mut v: Vec<Invite> = self
            .store()
            .all32(store::INVITES)?
            .iter()
            .filter_map(|b| serde_json::from_slice(b).ok())
            .collect();
        v.sort_by_key(|i| std::cmp::Reverse(i.created_at));
        Ok(v)
    }

    /// Remembers (or updates) a peer.
    pub fn remember_peer(&mut self, peer: &PeerInfo) -> Result<()> {
        let w = self.store().begin()?;
        put_peer(&w, peer)?;
        w.commit()
    }

    /// What the sync protocol noted that a peer device holds of this vault
    /// (opaque to the vault; see the sync crate's `PeerKnowledge`).
    pub fn sync_note(&self, device: &PublicKey) -> Result<Option<Vec<u8>>> {
        self.store()
            .meta(&format!("sync_note:{}", hex::encode(device.as_bytes())))
    }

    /// Stores [`Self::sync_note`] for a peer device.
    pub fn set_sync_note(&self, device: &PublicKey, note: &[u8]) -> Result<()> {
        let w = self.store().begin()?;
        put_sync_note(&w, device, note)?;
        w.commit()
    }

    /// Writes a sync session's bookkeeping in one durable commit (or as
    /// part of the running action).
    pub fn write_notes(&self, notes: &SessionNotes) -> Result<()> {
        if notes.is_empty() {
            return Ok(());
        }
        let w = self.store().begin()?;
        put_notes(&w, notes)?;
        w.commit()
    }

    /// The file's write generation: how many commits it has seen, by any
    /// handle (what the sync tests count flushes by).
    pub fn write_generation(&self) -> Result<u64> {
        self.store().generation()
    }

    /// Every known peer.
    pub fn peers(&self) -> Result<Vec<PeerInfo>> {
        Ok(self
            .store()
            .all32(store::PEERS)?
            .iter()
            .filter_map(|b| serde_json::from_slice(b).ok())
            .collect())
    }

    /// One known peer.
    pub fn peer(&self, identity: &PublicKey) -> Result<Option<PeerInfo>> {
        Ok(self
            .store()
            .get32(store::PEERS, identity.as_bytes())?
            .and_then(|b| serde_json::from_slice(&b).ok()))
    }

    /// Writes a line to the access log.
    pub fn log_access(&self, line: &AccessLine) -> Result<()> {
        let w = self.store().begin()?;
        w.append_line(store::ACCESS_LOG, &json(line)?)?;
        w.commit()
    }

    /// Writes a line to the access log, dated now: what was sent to or
    /// received from `peer` (by sync or by postbus). A failure is ignored:
    /// the log is a record for the citizen, the changes themselves are stored.
    pub fn note_exchange(
        &self,
        peer: &PublicKey,
        peer_name: &str,
        doc: &str,
        direction: Direction,
        changes: usize,
        bytes: usize,
    ) {
        let _ = self.log_access(&AccessLine::now(peer, peer_name, doc, direction, changes, bytes));
    }

    /// The access log, oldest first.
    pub fn access_log(&self) -> Result<Vec<AccessLine>> {
        Ok(self
            .store()
            .lines(store::ACCESS_LOG)?
            .iter()
            .filter_map(|b| serde_json::from_slice(b).ok())
            .collect())
    }

    /// Per known peer, the documents shared with it that gained changes
    /// since its last exchange with this vault (the access log's last line
    /// for that peer and document): what waits to be delivered when the
    /// peer is next reached. Change times are their writers' clocks, so this
    /// is a close estimate, not a promise.
    pub fn backlog(&mut self) -> Result<Vec<Backlog>> {
        let log = self.access_log()?;
        // Each shared document's history is read once, however many peers share it.
        let mut histories: BTreeMap<String, Vec<crate::HistoryEntry>> = BTreeMap::new();
        let mut out = vec![];
        for peer in self.peers()? {
            let devices: Vec<PublicKey> = peer.devices.clone();
            let mut docs = vec![];
            for doc in self.documents_for_peer(&peer.identity)? {
                let last = log
                    .iter()
                    .filter(|l| l.peer == peer.identity && l.doc == doc)
                    .map(|l| l.at)
                    .max();
                if !histories.contains_key(&doc) {
                    let h = self.history(&doc)?;
                    histories.insert(doc.clone(), h);
                }
                let waiting = histories
                    .get(&doc)
                    .map(|h| h.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .filter(|h| h.device.is_none_or(|d| !devices.contains(&d)))
                    .filter(|h| last.is_none_or(|at| h.time > at as i64))
                    .count();
                if waiting > 0 {
                    docs.push((doc, waiting));
                }
            }
            out.push(Backlog {
                peer: peer.identity,
                name: peer.name.clone(),
                last_seen: peer.last_seen,
                docs,
            });
        }
        Ok(out)
    }

    /// The one known peer whose name contains `query` (any case) or whose
    /// identity starts with it.
    pub fn find_peer(&self, query: &str) -> Result<PeerInfo> {
        let low = query.trim().to_lowercase();
        let mut found: Vec<PeerInfo> = self
            .peers()?
            .into_iter()
            .filter(|p| p.identity.to_string().starts_with(&low) || p.name.to_lowercase().contains(&low))
            .collect();
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => Err(VaultError::Input(SchemaError::Invalid(format!(
                "no known peer matches '{query}': connect first (invite / join)"
            )))),
            _ => Err(VaultError::Input(SchemaError::Invalid(format!(
                "'{query}' matches more than one peer: use more of the name or the identity"
            )))),
        }
    }

    /// The name of an identity: ours, a known peer's, or a short key.
    pub fn display_name(&self, identity: &PublicKey) -> String {
        let peers = self.peers().unwrap_or_default();
        self.name_among(&peers, identity)
    }

    fn name_among(&self, peers: &[PeerInfo], k: &PublicKey) -> String {
        if k == &self.identity() {
            self.name().to_string()
        } else {
            peers
                .iter()
                .find(|p| &p.identity == k)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| k.short())
        }
    }

    /// The people whose documents this vault holds (for a counselor: the
    /// citizens who share with them), with those documents by kind; public
    /// catalogues and policies do not count. Sorted by name.
    pub fn holders(&self) -> Result<Vec<Holder>> {
        let peers = self.peers()?;
        let mut by_owner: BTreeMap<PublicKey, Vec<(DocKind, String)>> = BTreeMap::new();
        for id in self.document_ids() {
            // Public catalogues and policies are not "shared with me".
            if let Ok(h) = self.header(&id)
                && h.owner != self.identity()
                && !matches!(h.kind, DocKind::Catalogue | DocKind::Policy)
            {
                by_owner.entry(h.owner).or_default().push((h.kind, id));
            }
        }
        let mut holders: Vec<Holder> = by_owner
            .into_iter()
            .map(|(identity, documents)| Holder {
                name: self.name_among(&peers, &identity),
                role: peers.iter().find(|p| p.identity == identity).map(|p| p.role),
                identity,
                documents,
            })
            .collect();
        // By name, as people look for them (the key only breaks ties).
        holders.sort_by_key(|h| (h.name.to_lowercase(), h.identity));
        Ok(holders)
    }

    /// The document of `kind` to work on: the owner's own; or, for someone
    /// who works on other people's documents (a counselor), the one whose
    /// owner matches `of` (a name or identity prefix), or the only one held.
    pub fn pick_doc(&self, kind: DocKind, of: Option<&str>) -> Result<String> {
        let held: Vec<(String, PublicKey)> = self
            .document_ids()
            .into_iter()
            .filter_map(|id| self.header(&id).ok().filter(|h| h.kind == kind).map(|h| (id, h.owner)))
            .collect();
        let peers = self.peers()?;
        let name_of = |k: &PublicKey| self.name_among(&peers, k);
        if let Some(of) = of {
            let low = of.to_lowercase();
            let found: Vec<&(String, PublicKey)> = held
                .iter()
                .filter(|(_, o)| o.to_string().starts_with(&low) || name_of(o).to_lowercase().contains(&low))
                .collect();
            return match found.as_slice() {
                [one] => Ok(one.0.clone()),
                [] => Err(VaultError::UnknownDocument(format!("{} of '{of}'", kind.code()))),
                _ => Err(VaultError::Input(SchemaError::Invalid(format!(
                    "'{of}' matches more than one {}: use the identity",
                    kind.code()
                )))),
            };
        }
        let own = self.doc_id(kind);
        if self.docs_map().contains_key(&own) {
            return Ok(own);
        }
        match held.as_slice() {
            [one] => Ok(one.0.clone()),
            [] => Err(VaultError::UnknownDocument(format!(
                "no {} here yet: join with an invite from its owner",
                kind.code()
            ))),
            many => Err(VaultError::Input(SchemaError::Invalid(format!(
                "you hold the {} of {}: choose one with --of NAME",
                kind.code(),
                many.iter().map(|(_, o)| name_of(o)).collect::<Vec<_>>().join(", ")
            )))),
        }
    }

    /// A document id by kind name for this owner (`plan`, `budget`, …) or as given.
    pub fn resolve_doc(&self, name: &str) -> Result<String> {
        if self.docs_map().contains_key(name) {
            return Ok(name.to_string());
        }
        let kind = match name.trim().to_lowercase().as_str() {
            "profile" | "profiel" => DocKind::Profile,
            "plan" => DocKind::Plan,
            "budget" => DocKind::Budget,
            "journal" | "dagboek" => DocKind::Journal,
            "consents" | "toestemmingen" => DocKind::Consents,
            "catalogue" | "catalogus" => DocKind::Catalogue,
            "policy" | "beleid" => DocKind::Policy,
            _ => return Err(VaultError::UnknownDocument(name.to_string())),
        };
        let id = self.doc_id(kind);
        self.doc(&id)?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::vault;

    /// What the [`PeerIndex`] answers must be what a scan of every header
    /// answers, after each change that moves a document in or out: a
    /// consent given, revoked or past its last day, a new document, a
    /// failed action's document, and writes by a second handle on the same
    /// file (as by another process) seen through `refresh`.
    #[test]
    fn documents_for_peer_follow_consents_documents_and_other_handles() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("v");
        let mut one = vault(&dir, "Anna de Vries", Role::Citizen);
        let muni = vault(&tmp.path().join("m"), "Gemeente", Role::Municipality).identity();
        let other = vault(&tmp.path().join("o"), "Ben", Role::Counselor).identity();
        let provider = vault(&tmp.path().join("p"), "Zorg BV", Role::Provider).identity();
        let same = |v: &Vault, peer: &PublicKey| {
            let got = v.documents_for_peer(peer).unwrap();
            assert_eq!(
                got,
                v.documents_for_peer_by_scan(peer).unwrap(),
                "index and scan differ"
            );
            got
        };
        let budget = one.budget_doc();
        assert!(same(&one, &muni).is_empty(), "nothing shared yet (index built now)");
        // A consent given: the budget, and as municipality the agreements.
        let c = one
            .grant_consent(
                muni,
                "Gemeente",
                Role::Municipality,
                vec![budget.clone()],
                Access::Read,
                None,
                "pgb",
            )
            .unwrap();
        assert_eq!(same(&one, &muni), vec![budget.clone()]);
        // A new document after the index was built.
        let agreement = one.open_agreement_doc(provider).unwrap();
        let mut both = vec![budget.clone(), agreement.clone()];
        both.sort();
        assert_eq!(same(&one, &muni), both);
        assert!(
            same(&one, &provider).is_empty(),
            "a writer is sent it under a consent only"
        );
        // A failed action's new document is not offered after the roll-back.
        let stranger = vault(&tmp.path().join("s"), "Zorg 2", Role::Provider).identity();
        let failed: Result<()> = one.transact(|v| {
            let d = v.open_agreement_doc(stranger)?;
            assert!(v.documents_for_peer(&muni)?.contains(&d), "seen inside the action");
            Err(VaultError::Storage("afgebroken".into()))
        });
        assert!(failed.is_err());
        assert_eq!(same(&one, &muni), both, "the rolled-back document is gone");
        // A consent already past its last day shares nothing.
        let yesterday = Date::today().plus_days(-1);
        one.grant_consent(
            other,
            "Ben",
            Role::Counselor,
            vec![budget.clone()],
            Access::Read,
            Some(yesterday),
            "oud",
        )
        .unwrap();
        assert!(same(&one, &other).is_empty(), "expired");
        // Revoked.
        one.revoke_consent(&c.id, "klaar").unwrap();
        assert!(same(&one, &muni).is_empty(), "revoked");
        // A second handle on the same file gives a consent and makes a
        // document; the first sees both after refresh.
        let mut two = Vault::open(&dir, &crate::Passphrase::new("proef-wachtwoord")).unwrap();
        let later = two.open_agreement_doc(stranger).unwrap();
        two.grant_consent(
            other,
            "Ben",
            Role::Counselor,
            vec![budget.clone(), later.clone()],
            Access::Write,
            None,
            "nu",
        )
        .unwrap();
        assert!(same(&one, &other).is_empty(), "not read yet");
        one.refresh().unwrap();
        let mut now = vec![budget.clone(), later];
        now.sort();
        assert_eq!(same(&one, &other), now);
        assert_eq!(same(&two, &other), now);
    }
}
