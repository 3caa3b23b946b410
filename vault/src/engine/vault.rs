//! The [`Vault`]: one party's store, opened from a directory.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use automerge::{ActorId, AutoCommit, Change, ChangeHash};
use inwonercloud_schemas::{CertifiedDevice, DocKind, DocumentHeader, PublicKey, Record, Role, Signed};
use serde::{Deserialize, Serialize};

use crate::admission::Moment;
use crate::change::{self, SignedChange};
use crate::document::Doc;
use crate::error::{Result, VaultError};
use crate::keys::{self, SecretKey};
use crate::record_cache::Found;
use crate::seal::{KdfParams, Passphrase, VaultKey};
use crate::store::{self, NewChange, Store, Unlock};

/// File name of the redb database inside a vault directory.
pub const DB_FILE: &str = "vault.redb";

/// Take a compacted snapshot after this many new rows.
pub(crate) const SNAPSHOT_EVERY: u64 = 256;

/// From this many rows under a snapshot on, their seals are checked on a
/// second thread while the snapshot loads.
const PARALLEL_SEAL_CHECK: u64 = 1024;

/// Opening loads documents on at most this many threads (one per core).
const MAX_OPEN_THREADS: usize = 8;

/// What a new vault is created with.
#[derive(Clone, Debug)]
pub struct CreateOptions {
    /// The owner's display name.
    pub name: String,
    /// The owner's role.
    pub role: Role,
    /// This device's name.
    pub device_name: String,
    /// The passphrase that will unlock the vault (at least 8 characters).
    pub passphrase: Passphrase,
}

/// Who this vault belongs to.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct WhoAmI {
    /// Owner's display name.
    pub name: String,
    /// Owner's role.
    pub role: Role,
    /// Identity public key.
    pub identity: PublicKey,
    /// This device's public key (its iroh endpoint id).
    pub device: PublicKey,
    /// This device's name.
    pub device_name: String,
    /// The vault directory.
    pub vault: String,
    /// Documents held.
    pub documents: Vec<String>,
}

/// A verified record with who signed it and who placed it in the document.
#[derive(Clone, Debug, Serialize)]
pub struct Authored<R> {
    /// The record.
    pub record: R,
    /// Identity that signed it.
    pub author: PublicKey,
    /// That identity's name as its certificate states it.
    pub author_name: String,
    /// The role the document's owner granted that identity here (from the
    /// owner-signed header, never from the author's own certificate); `None`
    /// for the owner and for anyone the owner never let write.
    pub author_role: Option<Role>,
    /// Unix seconds when signed, by the signer's clock.
    pub signed_at: u64,
    /// Device whose change put it in the document.
    pub placed_by: Option<PublicKey>,
    /// The full signed envelope, for export and verification elsewhere.
    #[serde(skip)]
    pub signed: Signed<R>,
}

/// A record that failed verification when read.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BadRecord {
    /// Document id.
    pub doc: String,
    /// Record key.
    pub key: String,
    /// Why it was not accepted.
    pub why: String,
}

/// Everything needed to hand a document to another vault: header, the
/// certificates of its writers' devices, and its signed changes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DocumentBundle {
    /// Owner-signed header.
    pub header: Signed<DocumentHeader>,
    /// Certificates of every device that signed a change.
    pub devices: Vec<CertifiedDevice>,
    /// Signed changes, hex-encoded [`SignedChange::encode`] output.
    pub changes: Vec<String>,
}

/// Result of importing changes.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct ImportReport {
    /// Changes stored and applied.
    pub applied: usize,
    /// Changes already present.
    pub duplicates: usize,
    /// (signing device, sequence number) of every change in the batch.
    pub seqs: Vec<(PublicKey, u64)>,
}

/// One party's vault: keys, documents, change log.
pub struct Vault {
    dir: PathBuf,
    store: Store,
    identity: Option<SecretKey>,
    device: SecretKey,
    cert: CertifiedDevice,
    devices: HashMap<PublicKey, CertifiedDevice>,
    docs: BTreeMap<String, Doc>,
    pub(crate) limits: crate::limits::Limits,
    /// Documents the running action wrote (rolled back if it fails).
    touched: BTreeSet<String>,
    /// Documents changed since the last [`Vault::take_changed`].
    changed: BTreeSet<String>,
    /// The parsed list of identities admitted by joining their invite
    /// (`crate::trust`), dropped on every setting write, at the end of every
    /// action and whenever [`Vault::refresh`] reads the file again.
    pub(crate) admitted: std::sync::Mutex<Option<std::sync::Arc<crate::trust::Admitted>>>,
    /// Held documents by owner and by what they are shared as
    /// (`crate::consent::PeerIndex`): every [`Vault::touch`] marks one
    /// document to be filed again, a refresh that reads the file and a
    /// rolled-back action drop it whole.
    pub(crate) peer_index: std::sync::Mutex<crate::consent::PeerIndex>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("dir", &self.dir)
            .field("identity", &self.cert.certificate.identity.short())
            .field("device", &self.cert.certificate.device.short())
            .finish()
    }
}

impl Vault {
    /// Creates a new vault in `dir` (created if missing) with fresh keys and
    /// the owner's documents.
    pub fn create(dir: &Path, opts: CreateOptions) -> Result<Self> {
        Self::create_with_identity(dir, opts, SecretKey::generate()?)
    }

    /// Creates a vault for an existing identity key (recovery).
    pub(crate) fn create_with_identity(dir: &Path, opts: CreateOptions, identity: SecretKey) -> Result<Self> {
        let name = opts.name.trim();
        if name.is_empty() {
            return Err(VaultError::Input(inwonercloud_schemas::SchemaError::Invalid(
                "a vault needs the owner's name".into(),
            )));
        }
        opts.passphrase.check_new()?;
        std::fs::create_dir_all(dir).map_err(|source| VaultError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        Self::remove_unfinished(dir)?;
        let store = Store::create(&dir.join(DB_FILE), &opts.passphrase, KdfParams::default())?;
        let device = SecretKey::generate()?;
        let device_name = if opts.device_name.trim().is_empty() {
            "apparaat".to_string()
        } else {
            opts.device_name.trim().to_string()
        };
        let cert = keys::certify_device(&identity, name, opts.role, device.public(), &device_name, keys::now());
        let cert_json = json(&cert)?;
        // The keys, the documents and the profile are one write: a vault is
        // in the file whole or not at all (an unfinished file holds no key
        // and is made anew by the next `create`).
        let identity_bytes = identity.to_bytes();
        let device_bytes = device.to_bytes();
        let mut devices = HashMap::new();
        devices.insert(device.public(), cert.clone());
        let mut vault = Self {
            dir: dir.to_path_buf(),
            store,
            identity: Some(identity),
            device,
            cert,
            devices,
            docs: BTreeMap::new(),
            limits: Default::default(),
            touched: BTreeSet::new(),
            changed: BTreeSet::new(),
            admitted: Default::default(),
            peer_index: Default::default(),
        };
        let kinds: &[DocKind] = match opts.role {
            Role::Citizen => &[
                DocKind::Profile,
                DocKind::Plan,
                DocKind::Budget,
                DocKind::Journal,
                DocKind::Consents,
            ],
            Role::Provider => &[DocKind::Profile, DocKind::Catalogue, DocKind::Journal],
            Role::Municipality => &[DocKind::Profile, DocKind::Policy, DocKind::Journal],
            Role::Counselor | Role::Family => &[DocKind::Profile, DocKind::Journal],
        };
        let profile = inwonercloud_schemas::Profile {
            name: name.to_string(),
            role: opts.role,
            municipality: None,
            contact: None,
        };
        vault.transact(|v| {
            let w = v.store.begin()?;
            w.put(store::META, "identity_secret", identity_bytes.as_slice())?;
            w.put(store::META, "device_secret", device_bytes.as_slice())?;
            w.put(store::META, "device_cert", cert_json.as_slice())?;
            w.put32(store::DEVICES, v.device.public().as_bytes(), cert_json.as_slice())?;
            w.commit()?;
            for kind in kinds {
                v.create_document(*kind)?;
            }
            let doc_id = v.doc_id(DocKind::Profile);
            v.put_record(&doc_id, "profile", profile)?;
            Ok(())
        })?;
        Ok(vault)
    }

    /// Whether `dir` holds a vault file.
    pub fn exists(dir: &Path) -> bool {
        dir.join(DB_FILE).is_file() && !Store::is_unfinished(&dir.join(DB_FILE))
    }

    /// Removes the file of a vault whose creation was interrupted (it holds
    /// no keys and no data), so that it can be created again.
    fn remove_unfinished(dir: &Path) -> Result<()> {
        let path = dir.join(DB_FILE);
        if Store::is_unfinished(&path) {
            std::fs::remove_file(&path).map_err(|source| VaultError::Io {
                path: path.display().to_string(),
                source,
            })?;
        }
        Ok(())
    }

    /// Opens an existing vault with its passphrase, verifying every stored
    /// change. A wrong passphrase gives [`VaultError::WrongPassphrase`]; a
    /// change that fails its check makes opening fail with an error naming it.
    pub fn open(dir: &Path, passphrase: &Passphrase) -> Result<Self> {
        Self::open_unlocked(dir, Unlock::Passphrase(passphrase))
    }

    /// Opens another handle on a vault this process already unlocked (the
    /// app's network thread, a background verification), without deriving
    /// the key again.
    pub fn open_with_key(dir: &Path, key: &VaultKey) -> Result<Self> {
        Self::open_unlocked(dir, Unlock::Key(key))
    }

    /// The unlocked vault key, for [`Vault::open_with_key`].
    pub fn key(&self) -> VaultKey {
        self.store.key().clone()
    }

    /// Changes the passphrase: the current one must unlock the vault; the
    /// vault key is wrapped again under the new one. No document, change or
    /// signature is rewritten.
    pub fn change_passphrase(&self, current: &Passphrase, new: &Passphrase) -> Result<()> {
        new.check_new()?;
        self.check_passphrase(current)?;
        self.store.set_passphrase(new, KdfParams::default())
    }

    /// Whether `passphrase` unlocks this vault now ([`VaultError::WrongPassphrase`] if not).
    pub fn check_passphrase(&self, passphrase: &Passphrase) -> Result<()> {
        self.store.key_wrap()?.unwrap_key(passphrase).map(drop)
    }

    /// Opens and verifies. redb answers some damaged pages with a panic
    /// rather than an error (found by the `vault_file` fuzz target); opening
    /// reads every table, so a damaged file is reported here, as corrupt,
    /// instead of taking the program down.
    fn open_unlocked(dir: &Path, unlock: Unlock<'_>) -> Result<Self> {
        let run = std::panic::AssertUnwindSafe(|| {
            let mut v = Self::open_checked(dir, unlock)?;
            // Write consents past their last day end here. A failure must not
            // keep the vault closed: the next open tries again.
            let _ = v.expire_consents();
            // Documents stored without a snapshot they are due (a vault from
            // before small documents were snapshotted) get one now, from the
            // state just verified, so the next open need not verify their
            // rows again. The same: a failure keeps nothing from opening.
            let _ = v.compact_due();
            Ok(v)
        });
        std::panic::catch_unwind(run).unwrap_or_else(|panic| {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unreadable page".into());
            Err(VaultError::Corrupt(format!(
                "the vault file {} is damaged ({why})",
                dir.join(DB_FILE).display()
            )))
        })
    }

    fn open_checked(dir: &Path, unlock: Unlock<'_>) -> Result<Self> {
        let path = dir.join(DB_FILE);
        let store = Store::open(&path, unlock)?;
        // Read before anything else: a write racing the open only makes the
        // first refresh read the file again.
        let generation = store.generation()?;
        let secret = |key: &str| -> Result<SecretKey> {
            let bytes = store
                .meta(key)?
                .ok_or_else(|| VaultError::Corrupt(format!("{key} is missing")))?;
            let arr: [u8; 32] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| VaultError::Corrupt(format!("{key} has the wrong length")))?;
            Ok(SecretKey::from_bytes(&arr))
        };
        let device = secret("device_secret")?;
        let identity = store
            .meta("identity_secret")?
            .map(|_| secret("identity_secret"))
            .transpose()?;
        let cert: CertifiedDevice = parse_stored(
            &store
                .meta("device_cert")?
                .ok_or_else(|| VaultError::Corrupt("device certificate is missing".into()))?,
            "this device's certificate",
        )?;
        keys::verify_certificate(&cert).map_err(|e| VaultError::Corrupt(format!("this device's certificate: {e}")))?;
        if cert.certificate.device != device.public() {
            return Err(VaultError::Corrupt("the device certificate is for another key".into()));
        }
        let mut devices = HashMap::new();
        for raw in store.devices()? {
            let c: CertifiedDevice = parse_stored(&raw, "a device certificate")?;
            keys::verify_certificate(&c).map_err(|e| VaultError::Corrupt(format!("device certificate: {e}")))?;
            devices.insert(c.certificate.device, c);
        }
        let mut vault = Self {
            dir: dir.to_path_buf(),
            store,
            identity,
            device,
            cert,
            devices,
            docs: BTreeMap::new(),
            limits: Default::default(),
            touched: BTreeSet::new(),
            changed: BTreeSet::new(),
            admitted: Default::default(),
            peer_index: Default::default(),
        };
        let stored = vault.store.documents()?;
        let loaded = vault.load_stored_documents(stored)?;
        vault.docs.extend(loaded);
        vault.store.mark_seen(generation);
        Ok(vault)
    }

    /// Checks each stored header (owner-signed, stored under its own id)
    /// and loads its document ([`Vault::load_document`]), on every core:
    /// documents load independently of each other, so the checks are the
    /// same as one after another. The first failure in document order is
    /// the error; a panic (a damaged page) is passed on to the caller.
    fn load_stored_documents(&self, stored: Vec<(String, Vec<u8>)>) -> Result<Vec<(String, Doc)>> {
        let one = |(id, raw): (String, Vec<u8>)| -> Result<(String, Doc)> {
            let header: Signed<DocumentHeader> = parse_stored(&raw, &format!("header of {id}"))?;
            check_header(&header).map_err(|e| VaultError::Corrupt(format!("header of {id}: {e}")))?;
            if header.record.id != id {
                return Err(VaultError::Corrupt(format!(
                    "header stored under {id} names {}",
                    header.record.id
                )));
            }
            let doc = self.load_document(header)?;
            Ok((id, doc))
        };
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_OPEN_THREADS)
            .min(stored.len());
        if workers <= 1 {
            return stored.into_iter().map(one).collect();
        }
        // Worker w takes documents w, w + workers, …: sizes mix evenly.
        let mut shares: Vec<Vec<_>> = (0..workers).map(|_| vec![]).collect();
        for (i, item) in stored.into_iter().enumerate() {
            shares[i % workers].push((i, item));
        }
        let mut done: Vec<(usize, Result<(String, Doc)>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = shares
                .into_iter()
                .map(|share| scope.spawn(move || share.into_iter().map(|(i, item)| (i, one(item))).collect::<Vec<_>>()))
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        });
        done.sort_by_key(|(i, _)| *i);
        done.into_iter().map(|(_, r)| r).collect()
    }

    /// Reads a document from the store, in one read transaction. The seal
    /// of every change row is checked (it shows the row was not altered or
    /// moved); the compacted snapshot
    /// stands for the rows it covers, and only the rows after it are parsed,
    /// verified again and applied. Signatures were checked when each change
    /// came in, so opening costs O(rows after the snapshot) in signature
    /// checks, at most [`SNAPSHOT_EVERY`] in steady use.
    fn load_document(&self, header: Signed<DocumentHeader>) -> Result<Doc> {
        let id = header.record.id.clone();
        let read = self.store.read_document(&id)?;
        let snapshot = read.snapshot()?;
        let below = snapshot.as_ref().map(|(n, _)| *n).unwrap_or(0);
        std::thread::scope(|scope| {
            // The seals of the rows the snapshot stands for are checked on a
            // second thread while automerge loads the snapshot (neither needs
            // the other).
            let store = &self.store;
            let doc_id = id.as_str();
            let check = (below >= PARALLEL_SEAL_CHECK).then(|| scope.spawn(move || store.check_changes(doc_id, below)));
            self.load_document_from(header, &read, snapshot, check)
        })
    }

    /// [`Vault::load_document`] once the snapshot is read: `check` is the
    /// seal check of the rows below the snapshot running beside it, if any.
    fn load_document_from(
        &self,
        header: Signed<DocumentHeader>,
        read: &crate::store::DocRead<'_>,
        snapshot: Option<(u64, Vec<u8>)>,
        check: Option<std::thread::ScopedJoinHandle<'_, Result<u64>>>,
    ) -> Result<Doc> {
        let id = header.record.id.clone();
        let actor = ActorId::from(self.device.public().0);
        let below = snapshot.as_ref().map(|(n, _)| *n).unwrap_or(0);
        let mut snapshot_rows = 0;
        let mut snapshot_heads: Option<Vec<ChangeHash>> = None;
        let mut am = match snapshot {
            Some((n, bytes)) => match AutoCommit::load(&bytes) {
                Ok(mut am) => {
                    // Every head of the snapshot must be a logged change; otherwise
                    // the snapshot holds something the log cannot vouch for.
                    let heads = am.get_heads();
                    let mut ok = true;
                    for h in &heads {
                        if !read.has_change(&h.0)? {
                            ok = false;
                        }
                    }
                    if ok {
                        snapshot_rows = n;
                        snapshot_heads = Some(heads);
                        am
                    } else {
                        AutoCommit::new()
                    }
                }
                Err(_) => AutoCommit::new(),
            },
            None => AutoCommit::new(),
        };
        // The record cache stands for the snapshot just loaded, or for nothing.
        let cache = match &snapshot_heads {
            Some(heads) => read.record_cache()?.and_then(|plain| {
                let cache = crate::record_cache::RecordCache::decode(&plain)?;
                let want = crate::record_cache::Binding {
                    doc: id.clone(),
                    rows: snapshot_rows,
                    heads: heads.iter().map(|h| h.0).collect(),
                };
                (cache.binding() == &want).then_some(cache)
            }),
            None => None,
        };
        // Every row below the snapshot's is checked, even when the snapshot
        // was refused (its rows are then read from the log below as well).
        let covered = match check {
            Some(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?,
            None => read.check_changes(below)?,
        };
        let covered = if snapshot_rows == 0 { 0 } else { covered };
        let rows = read.changes_from(snapshot_rows)?;
        let (parsed, refused) = verify_rows(&self.devices, &header.record, &rows)?;
        if !refused.is_empty() {
            self.log_refused_on_open(&id, &refused);
        }
        // Changes whose dependencies have not arrived yet wait in automerge's
        // queue; they are applied when the missing ones come (see `missing_changes`).
        am.apply_changes(parsed)?;
        for h in am.get_heads() {
            if !read.has_change(&h.0)? {
                return Err(VaultError::Corrupt(format!(
                    "document {id} holds change {h} that is not in the log"
                )));
            }
        }
        let am = am.with_actor(actor);
        Ok(Doc {
            header,
            am,
            rows: rows.last().map(|r| r.0 + 1).unwrap_or(covered),
            snapshot_rows,
            waiting: Default::default(),
            cache,
        })
    }

    /// Catches up with changes other processes committed to the file (the
    /// `serve` node, a command in another terminal): new devices, new or
    /// newer document headers, new change rows. Returns the ids of documents
    /// that changed.
    ///
    /// Inside an action it finds nothing: the action holds the file's write
    /// lock, so no one else has written since it began, and the file does
    /// not hold the action's own writes yet (reading it then would take an
    /// older header for a newer one). The first refresh after it catches up.
    pub fn refresh(&mut self) -> Result<Vec<String>> {
        if self.store.in_batch() {
            return Ok(vec![]);
        }
        self.catch_up_with_file()
    }

    /// [`Vault::refresh`] without its guard: also right at the start of an
    /// action, before it wrote anything (the file then holds all there is).
    fn catch_up_with_file(&mut self) -> Result<Vec<String>> {
        let mut all: Vec<String> = vec![];
        for _ in 0..CATCH_UP_ATTEMPTS {
            let (changed, racing) = self.catch_up_once()?;
            for id in changed {
                if !all.contains(&id) {
                    all.push(id);
                }
            }
            if racing.is_empty() {
                break;
            }
            // A commit landed while this pass read, in separate read
            // transactions: rows it refused or documents it loaded may have
            // been judged against devices or a header older than the rows.
            // Those documents are loaded again, whole, from the file.
            for id in racing {
                self.docs.remove(&id);
            }
            self.store.forget_seen();
        }
        Ok(all)
    }

    /// One pass of [`Vault::catch_up_with_file`]: the documents that
    /// changed, and those to read again because a commit raced this pass.
    fn catch_up_once(&mut self) -> Result<(Vec<String>, Vec<String>)> {
        // Nothing committed since memory last caught up (every write
        // transaction bumps the generation, by whichever process): nothing
        // to read. Read before the rows, so a write racing this refresh
        // only makes the next one read again.
        let generation = self.store.generation()?;
        if self.store.seen() == Some(generation) {
            return Ok((vec![], vec![]));
        }
        // Documents judged in this pass whose verdicts a racing commit could change.
        let mut judged: Vec<String> = vec![];
        self.forget_admitted();
        self.forget_peer_index();
        for raw in self.store.devices()? {
            let c: CertifiedDevice = parse_stored(&raw, "a device certificate")?;
            if let std::collections::hash_map::Entry::Vacant(e) = self.devices.entry(c.certificate.device) {
                keys::verify_certificate(&c)?;
                e.insert(c);
            }
        }
        let mut changed = vec![];
        for (id, raw) in self.store.documents()? {
            let header: Signed<DocumentHeader> = parse_stored(&raw, &format!("header of {id}"))?;
            match self.docs.get_mut(&id) {
                None => {
                    check_header(&header)?;
                    let doc = self.load_document(header)?;
                    self.docs.insert(id.clone(), doc);
                    judged.push(id.clone());
                    changed.push(id);
                    continue;
                }
                // The file is the truth: another process of this vault put
                // this header there (a newer one, or a merge's pick). One
                // that revokes differently judges every row again, from the
                // file (its writer dropped the snapshot): memory may hold
                // rows it applied under the old header.
                Some(doc) if header != doc.header => {
                    check_header(&header)?;
                    if crate::replica::revokes_differently(&doc.header.record, &header.record) {
                        // Memory keeps the old header and rows until the
                        // document judged again under the new one is in hand.
                        let fresh = self.load_document(header)?;
                        self.docs.insert(id.clone(), fresh);
                        judged.push(id.clone());
                        changed.push(id);
                        continue;
                    }
                    doc.header = header;
                    changed.push(id.clone());
                }
                Some(_) => {}
            }
            let Some(doc) = self.docs.get_mut(&id) else { continue };
            let rows = self.store.changes_from(&id, doc.rows)?;
            if !rows.is_empty() {
                if catch_up(&self.devices, doc, &rows)? > 0 {
                    judged.push(id.clone());
                }
                if !changed.contains(&id) {
                    changed.push(id);
                }
            }
        }
        self.changed.extend(changed.iter().cloned());
        // Marked caught up only when no commit landed during the pass;
        // otherwise the next pass (or refresh) reads again.
        if self.store.generation()? != generation {
            return Ok((changed, judged));
        }
        self.store.mark_seen(generation);
        Ok((changed, vec![]))
    }

    /// Drops the parsed admitted list (see `crate::trust`).
    pub(crate) fn forget_admitted(&self) {
        *self.admitted.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn create_document(&mut self, kind: DocKind) -> Result<String> {
        let id = kind.doc_id(&self.identity());
        self.create_document_with(kind, id, vec![])
    }

    fn create_document_with(&mut self, kind: DocKind, id: String, writers: Vec<(PublicKey, Role)>) -> Result<String> {
        if !self.store.in_batch() {
            return self.transact(move |v| v.create_document_with(kind, id, writers));
        }
        if self.docs.contains_key(&id) {
            return Ok(id);
        }
        let header = DocumentHeader {
            id: id.clone(),
            kind,
            owner: self.identity(),
            writers: writers.iter().map(|(k, _)| *k).collect(),
            revoked: vec![],
            revoked_devices: vec![],
            grants: writers
                .into_iter()
                .map(|(identity, role)| inwonercloud_schemas::WriterGrant {
                    identity,
                    role,
                    at: vec![],
                })
                .collect(),
            clock: vec![],
            version: 1,
        };
        let signed = keys::sign_record(header, &self.device, &self.cert, keys::now());
        let w = self.store.begin()?;
        w.put(store::DOCS, id.as_str(), json(&signed)?.as_slice())?;
        w.commit()?;
        let am = AutoCommit::new().with_actor(ActorId::from(self.device.public().0));
        self.docs.insert(
            id.clone(),
            Doc {
                header: signed,
                am,
                rows: 0,
                snapshot_rows: 0,
                waiting: Default::default(),
                cache: None,
            },
        );
        self.touch(&id);
        Ok(id)
    }

    /// The id of the agreement document between this citizen and a provider.
    pub fn agreement_doc_id(&self, provider: &PublicKey) -> String {
        format!("{}/agreement/{provider}", self.identity())
    }

    /// Opens (or returns) the agreement document shared by this citizen and
    /// one provider; the provider may write to it, no other provider sees it.
    pub fn open_agreement_doc(&mut self, provider: PublicKey) -> Result<String> {
        self.open_agreement_doc_as(provider, Role::Provider)
    }

    /// Opens (or returns) the agreement document shared by this citizen and
    /// one party writing it in `role`: a provider, or an informal carer
    /// ([`Role::Family`]).
    pub fn open_agreement_doc_as(&mut self, party: PublicKey, role: Role) -> Result<String> {
        keys::checked_key(&party)?;
        let id = self.agreement_doc_id(&party);
        self.create_document_with(DocKind::Agreement, id, vec![(party, role)])
    }

    /// The owner's document of `kind`, created (empty) when missing.
    pub(crate) fn ensure_own_document(&mut self, kind: DocKind) -> Result<String> {
        let id = self.doc_id(kind);
        self.create_document_with(kind, id, vec![])
    }

    /// Creates (or returns) an exchange document owned by this holder with
    /// `receiver` as its other writer.
    pub(crate) fn create_exchange_document(&mut self, id: String, receiver: PublicKey) -> Result<String> {
        self.create_document_with(DocKind::Exchange, id, vec![(receiver, Role::Citizen)])
    }

    /// Creates (or returns) a wijkbudget document owned by this vault; its
    /// partners become writers through write consents.
    pub(crate) fn create_pot_document(&mut self, id: String) -> Result<String> {
        self.create_document_with(DocKind::Pot, id, vec![])
    }

    /// Creates a vault for a second device of an existing identity. It holds
    /// a fresh device key and a provisional self-signed certificate until it
    /// joins with a device ticket from the identity's first device.
    pub fn create_unlinked(dir: &Path, device_name: &str, passphrase: &Passphrase) -> Result<Self> {
        passphrase.check_new()?;
        std::fs::create_dir_all(dir).map_err(|source| VaultError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        Self::remove_unfinished(dir)?;
        let store = Store::create(&dir.join(DB_FILE), passphrase, KdfParams::default())?;
        let device = SecretKey::generate()?;
        let cert = keys::certify_device(
            &device,
            "",
            Role::Citizen,
            device.public(),
            device_name.trim(),
            keys::now(),
        );
        let cert_json = json(&cert)?;
        let w = store.begin()?;
        w.put(store::META, "device_secret", device.to_bytes().as_slice())?;
        w.put(store::META, "device_cert", cert_json.as_slice())?;
        w.put(store::META, "unlinked", [1u8].as_slice())?;
        w.commit()?;
        Ok(Self {
            dir: dir.to_path_buf(),
            store,
            identity: None,
            devices: HashMap::from([(device.public(), cert.clone())]),
            device,
            cert,
            docs: BTreeMap::new(),
            limits: Default::default(),
            touched: BTreeSet::new(),
            changed: BTreeSet::new(),
            admitted: Default::default(),
            peer_index: Default::default(),
        })
    }

    /// Whether this device still waits for a certificate from its identity.
    pub fn is_unlinked(&self) -> bool {
        self.cert.certificate.identity == self.cert.certificate.device && self.identity.is_none()
    }

    /// Issues a certificate for another device of this identity (needs the identity key).
    pub fn certify_new_device(&mut self, device: PublicKey, device_name: &str) -> Result<CertifiedDevice> {
        keys::checked_key(&device)?;
        let identity = self.identity.as_ref().ok_or_else(|| {
            VaultError::NotAllowed("only the first device, which holds the identity key, can add devices".into())
        })?;
        let cert = keys::certify_device(identity, self.name(), self.role(), device, device_name, keys::now());
        self.add_device_certificate(&cert)?;
        Ok(cert)
    }

    /// Takes the certificate the identity issued for this device.
    pub fn adopt_certificate(&mut self, cert: CertifiedDevice) -> Result<()> {
        keys::verify_certificate(&cert)?;
        if cert.certificate.device != self.device.public() {
            return Err(VaultError::NotAllowed("that certificate is for another device".into()));
        }
        if !self.is_unlinked() {
            return Err(VaultError::NotAllowed(
                "this device already belongs to an identity".into(),
            ));
        }
        let cert_json = json(&cert)?;
        let w = self.store.begin()?;
        w.put(store::META, "device_cert", cert_json.as_slice())?;
        w.remove(store::META, "unlinked")?;
        w.put32(store::DEVICES, cert.certificate.device.as_bytes(), cert_json.as_slice())?;
        w.commit()?;
        self.devices.insert(cert.certificate.device, cert.clone());
        self.cert = cert;
        // Who this vault is changed: what it shares with whom is read anew.
        self.forget_peer_index();
        Ok(())
    }

    /// The identity secret, on the first device.
    pub(crate) fn identity_secret(&self) -> Option<&SecretKey> {
        self.identity.as_ref()
    }

    /// The owner's identity key.
    pub fn identity(&self) -> PublicKey {
        self.cert.certificate.identity
    }

    /// This device's key (also its iroh endpoint secret in the sync crate).
    pub fn device_key(&self) -> &SecretKey {
        &self.device
    }

    /// The device keys this vault holds a certificate for under `identity`
    /// (this identity's own devices, or a peer's).
    pub fn devices_of(&self, identity: &PublicKey) -> Vec<PublicKey> {
        let mut out: Vec<PublicKey> = self
            .devices
            .values()
            .filter(|c| &c.certificate.identity == identity)
            .map(|c| c.certificate.device)
            .collect();
        out.sort();
        out
    }

    /// The certificate this vault holds for `device`, if any.
    pub fn certificate_of(&self, device: &PublicKey) -> Option<&CertifiedDevice> {
        self.devices.get(device)
    }

    /// This device's certificate.
    pub fn device_certificate(&self) -> &CertifiedDevice {
        &self.cert
    }

    /// The owner's role.
    pub fn role(&self) -> Role {
        self.cert.certificate.role
    }

    /// The owner's name.
    pub fn name(&self) -> &str {
        &self.cert.certificate.identity_name
    }

    /// The vault directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The id of the owner's document of a kind.
    pub fn doc_id(&self, kind: DocKind) -> String {
        kind.doc_id(&self.identity())
    }

    /// Who this vault belongs to.
    pub fn whoami(&self) -> WhoAmI {
        WhoAmI {
            name: self.name().to_string(),
            role: self.role(),
            identity: self.identity(),
            device: self.device.public(),
            device_name: self.cert.certificate.device_name.clone(),
            vault: self.dir.display().to_string(),
            documents: self.docs.keys().cloned().collect(),
        }
    }

    /// Ids of every document held.
    pub fn document_ids(&self) -> Vec<String> {
        self.docs.keys().cloned().collect()
    }

    /// A document's header.
    pub fn header(&self, doc: &str) -> Result<&DocumentHeader> {
        Ok(&self.doc(doc)?.header.record)
    }

    /// A user setting (for example the addresses `serve` listens on).
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .store
            .meta(&format!("setting:{key}"))?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    /// Stores a user setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let w = self.store.begin()?;
        w.put(store::META, format!("setting:{key}").as_str(), value.as_bytes())?;
        let committed = w.commit();
        self.forget_admitted();
        committed
    }

    /// Per document: change rows held and header version; comparing two of
    /// these tells which documents changed in between.
    pub fn doc_states(&self) -> BTreeMap<String, (u64, u64)> {
        self.docs
            .iter()
            .map(|(id, d)| (id.clone(), (d.rows, d.header.record.version)))
            .collect()
    }

    /// Number of changes stored for a document.
    pub fn change_count(&self, doc: &str) -> Result<u64> {
        Ok(self.doc(doc)?.rows)
    }

    pub(crate) fn devices_map(&self) -> &HashMap<PublicKey, CertifiedDevice> {
        &self.devices
    }

    pub(crate) fn devices_mut(&mut self) -> &mut HashMap<PublicKey, CertifiedDevice> {
        &mut self.devices
    }

    pub(crate) fn docs_map(&self) -> &BTreeMap<String, Doc> {
        &self.docs
    }

    /// The one record with exactly this id among the documents of `kind`
    /// holding a record of kind `R` under it. A key proves nothing (any
    /// writer of a document may put anything under any key), so every such
    /// document is read with `pick`, which gives the verified record (or
    /// `None`); a broken value in one document hides nothing in another,
    /// and two valid records with one id are refused, never one picked.
    pub(crate) fn exact_record<R: Record, T>(
        &self,
        what: &'static str,
        kind: DocKind,
        id: &str,
        pick: impl Fn(&Self, &str) -> Result<Option<T>>,
    ) -> Result<T> {
        let id = id.trim();
        let unknown = || VaultError::UnknownRecord {
            what,
            id: id.to_string(),
        };
        if id.is_empty() {
            return Err(unknown());
        }
        let holders: Vec<String> = self
            .docs
            .iter()
            .filter(|(_, d)| d.header.record.kind == kind && d.raw_record::<R>(id).is_some())
            .map(|(doc, _)| doc.clone())
            .collect();
        let mut found = vec![];
        for doc in holders {
            if let Some(t) = pick(self, &doc)? {
                found.push((doc, t));
            }
        }
        if found.len() > 1 {
            return Err(VaultError::AmbiguousRecord {
                what,
                id: id.to_string(),
                docs: found.into_iter().map(|(doc, _)| doc).collect(),
            });
        }
        found.pop().map(|(_, t)| t).ok_or_else(unknown)
    }

    pub(crate) fn docs_mut(&mut self) -> &mut BTreeMap<String, Doc> {
        &mut self.docs
    }

    pub(crate) fn devices_and_docs_mut(
        &mut self,
    ) -> (&HashMap<PublicKey, CertifiedDevice>, &mut BTreeMap<String, Doc>) {
        (&self.devices, &mut self.docs)
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn load_document_pub(&self, header: Signed<DocumentHeader>) -> Result<Doc> {
        self.load_document(header)
    }

    pub(crate) fn doc(&self, id: &str) -> Result<&Doc> {
        self.docs
            .get(id)
            .ok_or_else(|| VaultError::UnknownDocument(id.to_string()))
    }

    /// Signs `record`, writes it into `doc` as one signed change, persists it.
    pub fn put_record<R: Record>(&mut self, doc_id: &str, id: &str, record: R) -> Result<Signed<R>> {
        let signed = keys::sign_record(record, &self.device, &self.cert, keys::now());
        let s = signed.clone();
        self.commit_local(doc_id, R::KIND, move |doc| doc.put(id, &s))?;
        Ok(signed)
    }

    /// Signs and writes a record together with files' bytes (key, bytes),
    /// in one change: the record and what it names arrive together.
    pub(crate) fn put_record_with_bytes<R: Record>(
        &mut self,
        doc_id: &str,
        id: &str,
        record: R,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<Signed<R>> {
        let signed = keys::sign_record(record, &self.device, &self.cert, keys::now());
        let s = signed.clone();
        self.commit_local(doc_id, R::KIND, move |doc| {
            for (key, bytes) in files {
                doc.put_bytes(&key, bytes)?;
            }
            doc.put(id, &s)
        })?;
        Ok(signed)
    }

    /// The bytes stored under `key` in a document.
    pub(crate) fn doc_bytes(&self, doc_id: &str, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.doc(doc_id)?.bytes(key))
    }

    /// Signs and writes many records, one change each, in one transaction
    /// (imports, demo data, benchmarks).
    pub fn put_records<R: Record>(&mut self, doc_id: &str, records: Vec<(String, R)>) -> Result<usize> {
        let n = records.len();
        let signed: Vec<(String, Signed<R>)> = records
            .into_iter()
            .map(|(id, r)| (id, keys::sign_record(r, &self.device, &self.cert, keys::now())))
            .collect();
        self.commit_local(doc_id, R::KIND, move |doc| {
            for (id, s) in &signed {
                doc.put(id, s)?;
                doc.am.commit_with(
                    automerge::transaction::CommitOptions::default()
                        .with_message(R::KIND.to_string())
                        .with_time(keys::now() as i64),
                );
            }
            Ok(())
        })?;
        Ok(n)
    }

    /// Runs `edit` on a document, commits, signs and persists the change in
    /// one transaction. On failure the in-memory document is reloaded from the
    /// store, so memory never holds what the file does not.
    fn commit_local(&mut self, doc_id: &str, message: &str, edit: impl FnOnce(&mut Doc) -> Result<()>) -> Result<()> {
        if !self.store.in_batch() {
            return self.transact(move |v| v.commit_local(doc_id, message, edit));
        }
        let me = self.identity();
        let doc = self
            .docs
            .get_mut(doc_id)
            .ok_or_else(|| VaultError::UnknownDocument(doc_id.to_string()))?;
        if !doc.header.record.may_write(&me) {
            return Err(VaultError::NotAWriter {
                who: me.short(),
                doc: doc_id.to_string(),
            });
        }
        if self.store.in_batch() {
            self.touched.insert(doc_id.to_string());
        }
        let result = (|| {
            // The write transaction serialises writers across processes; inside
            // it, first take in what others committed, so this device never
            // reuses a sequence number.
            let w = self.store.begin()?;
            let pending = w.changes_from(doc_id, doc.rows)?;
            if !pending.is_empty() {
                catch_up(&self.devices, doc, &pending)?;
            }
            let before = doc.am.get_heads();
            edit(doc)?;
            doc.am.commit_with(
                automerge::transaction::CommitOptions::default()
                    .with_message(message.to_string())
                    .with_time(keys::now() as i64),
            );
            let new = doc.am.get_changes(&before);
            let signed: Vec<(SignedChange, [u8; 32], u64)> = new
                .iter()
                .map(|c| (SignedChange::sign(doc_id, c, &self.device), c.hash().0, c.seq()))
                .collect();
            let snapshot = doc
                .snapshot_due(SNAPSHOT_EVERY, signed.len() as u64)
                .then(|| doc.am.save());
            let items: Vec<NewChange<'_>> = signed
                .iter()
                .map(|(c, h, seq)| NewChange {
                    doc: doc_id,
                    change: c,
                    hash: *h,
                    seq: *seq,
                })
                .collect();
            let added = w.append_changes(&items)?;
            let rows = doc.rows + added as u64;
            let mut cache = None;
            if let Some(bytes) = &snapshot {
                let mut v = rows.to_be_bytes().to_vec();
                v.extend_from_slice(bytes);
                w.put(store::SNAPSHOTS, doc_id, v.as_slice())?;
                // The record cache goes with its snapshot, in the same transaction.
                let c = doc.build_cache(doc_id, rows);
                w.put(store::RECORD_CACHE, doc_id, &c.encode())?;
                cache = Some(c);
            }
            w.commit()?;
            doc.rows = rows;
            if snapshot.is_some() {
                doc.snapshot_rows = rows;
                doc.cache = cache;
            }
            Ok(())
        })();
        match result {
            Ok(()) => self.touch(doc_id),
            Err(_) => self.reload(doc_id)?,
        }
        result
    }

    /// Runs one user action: every write inside `f` (records in several
    /// documents, headers, certificates) lands in one durable transaction,
    /// so after a crash or an error either all of them are in the file or
    /// none is. On error the documents the action touched are read back from
    /// the file, so memory never holds what the file does not. An action
    /// inside an action is part of the outer one.
    pub fn transact<R>(&mut self, f: impl FnOnce(&mut Self) -> Result<R>) -> Result<R> {
        if !self.store.begin_batch()? {
            // Part of the running action. If it fails after writing, the
            // outer action fails too, even if it goes on: its writes so far
            // would otherwise commit with the outer ones.
            let before = self.store.batch_writes();
            let result = f(self);
            if result.is_err() {
                self.store.fail_batch_if_written(before);
            }
            return result;
        }
        let span = tracing::debug_span!("action", vault = %self.identity().short());
        let _entered = span.enter();
        // The action holds the file's write lock from here on: memory first
        // catches up with what other handles committed before it, so the
        // action judges by the headers and rows the file holds.
        if let Err(e) = self.catch_up_with_file() {
            self.store.abort_batch();
            return Err(e);
        }
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self)));
        // What the action wrote is committed or dropped now; a list read
        // during it may be neither.
        self.forget_admitted();
        let result = match run {
            Ok(Ok(v)) => self.store.commit_batch().map(|()| v),
            Ok(Err(e)) => Err(e),
            Err(panic) => {
                self.store.abort_batch();
                self.roll_back();
                std::panic::resume_unwind(panic);
            }
        };
        match result {
            Ok(v) => {
                let touched = std::mem::take(&mut self.touched);
                self.changed.extend(touched);
                Ok(v)
            }
            Err(e) => {
                self.store.abort_batch();
                self.roll_back();
                tracing::debug!(error = %e, "action failed: nothing of it was saved");
                Err(e)
            }
        }
    }

    /// Reads back from the file what a failed action touched: the device
    /// certificates and every document it wrote (a document it created is
    /// forgotten again).
    fn roll_back(&mut self) {
        let touched = std::mem::take(&mut self.touched);
        self.forget_peer_index();
        if let Ok(raws) = self.store.devices() {
            let mut devices = HashMap::from([(self.cert.certificate.device, self.cert.clone())]);
            for raw in raws {
                if let Ok(c) = parse_stored::<CertifiedDevice>(&raw, "a device certificate") {
                    devices.insert(c.certificate.device, c);
                }
            }
            self.devices = devices;
        }
        let stored: BTreeMap<String, Vec<u8>> = self.store.documents().unwrap_or_default().into_iter().collect();
        for id in touched {
            let fresh = stored
                .get(&id)
                .and_then(|raw| parse_stored::<Signed<DocumentHeader>>(raw, "a header").ok())
                .and_then(|h| self.load_document(h).ok());
            match fresh {
                Some(doc) => {
                    self.docs.insert(id, doc);
                }
                None => {
                    self.docs.remove(&id);
                }
            }
        }
    }

    /// Notes that a document changed: at once, or when the running action commits.
    pub(crate) fn touch(&mut self, doc_id: &str) {
        self.refile(doc_id);
        if self.store.in_batch() {
            self.touched.insert(doc_id.to_string());
        } else {
            self.changed.insert(doc_id.to_string());
        }
    }

    /// The documents that changed since the last call (local writes,
    /// imports, header edits, and what [`Vault::refresh`] found another
    /// process wrote): what a sync node pushes and a window redraws.
    pub fn take_changed(&mut self) -> Vec<String> {
        std::mem::take(&mut self.changed).into_iter().collect()
    }

    /// Injects a fault into this vault's next writes (crash tests): the
    /// `n`-th write fails or kills the process. Not for production use.
    #[doc(hidden)]
    pub fn inject_fault(&self, fault: Option<crate::store::Fault>) {
        self.store.inject_fault(fault);
    }

    /// Rebuilds a held document from `rows` (every row it has, read by the
    /// caller) judged under the header it holds in memory, as opening it
    /// without a snapshot does, and logs what is left out as an open would.
    /// After a header that revokes: what memory applied under the old header
    /// is not kept, so no snapshot taken from memory later stands for it.
    pub(crate) fn rejudge_rows(&mut self, doc_id: &str, rows: &[(u64, Vec<u8>)]) -> Result<()> {
        let (parsed, refused) = verify_rows(&self.devices, &self.doc(doc_id)?.header.record, rows)?;
        if !refused.is_empty() {
            self.log_refused_on_open(doc_id, &refused);
        }
        let mut am = AutoCommit::new();
        am.apply_changes(parsed)?;
        let am = am.with_actor(ActorId::from(self.device.public().0));
        let Some(doc) = self.docs.get_mut(doc_id) else {
            return Err(VaultError::UnknownDocument(doc_id.to_string()));
        };
        doc.am = am;
        doc.rows = rows.last().map_or(0, |r| r.0 + 1);
        doc.snapshot_rows = 0;
        doc.cache = None;
        if doc.am.get_missing_deps(&[]).is_empty() {
            doc.waiting.clear();
        }
        Ok(())
    }

    /// [`Vault::reload`]; when that fails too, the document leaves memory
    /// and this handle counts as not caught up, so the next refresh loads it
    /// from the file: memory never keeps a header over rows it did not
    /// judge by it.
    pub(crate) fn reload_or_forget(&mut self, doc_id: &str) -> Result<()> {
        let reloaded = self.reload(doc_id);
        if reloaded.is_err() {
            self.docs.remove(doc_id);
            self.store.forget_seen();
        }
        reloaded
    }

    pub(crate) fn reload(&mut self, doc_id: &str) -> Result<()> {
        let header = self.doc(doc_id)?.header.clone();
        let fresh = self.load_document(header)?;
        self.docs.insert(doc_id.to_string(), fresh);
        Ok(())
    }

    /// Verified records of a kind in a document. Records whose signature
    /// fails are returned separately, never mixed in.
    pub fn records<R: Record>(&self, doc_id: &str) -> Result<(Vec<Authored<R>>, Vec<BadRecord>)> {
        let doc = self.doc(doc_id)?;
        Ok(verify_raw(
            &doc.header.record,
            doc.found_records::<R>(),
            &self.cert,
            &self.devices,
        ))
    }

    /// [`Vault::records`] without the signature checks yet: for a reader of
    /// many documents that checks all their signatures in one batch
    /// ([`keys::SignatureBatch`]) and then judges each with
    /// [`Unchecked::judge`], as `records` does.
    pub(crate) fn unchecked_records<R: Record>(&self, doc_id: &str) -> Result<Unchecked<'_, R>> {
        let doc = self.doc(doc_id)?;
        Ok(place_raw(
            &doc.header.record,
            doc.found_records::<R>(),
            &self.cert,
            &self.devices,
        ))
    }

    /// The same as of an earlier version (heads as hex change hashes).
    pub fn records_at<R: Record>(&self, doc_id: &str, heads: &[String]) -> Result<(Vec<Authored<R>>, Vec<BadRecord>)> {
        let doc = self.doc(doc_id)?;
        let heads: Vec<ChangeHash> = heads
            .iter()
            .map(|h| {
                h.parse()
                    .map_err(|_| VaultError::Document(format!("{h} is not a change hash")))
            })
            .collect::<Result<_>>()?;
        Ok(verify_raw(
            &doc.header.record,
            doc.raw_records_at::<R>(&heads).into_iter().map(Found::Raw).collect(),
            &self.cert,
            &self.devices,
        ))
    }

    /// One verified record by id (`None` when absent or failing verification).
    pub fn record<R: Record>(&self, doc_id: &str, id: &str) -> Result<Option<Authored<R>>> {
        let doc = self.doc(doc_id)?;
        let raw: Vec<Found<R>> = doc.raw_record::<R>(id).into_iter().map(Found::Raw).collect();
        Ok(verify_raw(&doc.header.record, raw, &self.cert, &self.devices)
            .0
            .into_iter()
            .next())
    }

    /// The history of a document: per change, its hash, author device, time and message.
    pub fn history(&mut self, doc_id: &str) -> Result<Vec<HistoryEntry>> {
        let devices = self.devices.clone();
        let doc = self
            .docs
            .get_mut(doc_id)
            .ok_or_else(|| VaultError::UnknownDocument(doc_id.to_string()))?;
        let changes = doc.am.get_changes(&[]);
        Ok(changes
            .iter()
            .map(|c| {
                let device = PublicKey::try_from(c.actor_id().to_bytes()).ok();
                let cert = device.and_then(|d| devices.get(&d));
                HistoryEntry {
                    hash: c.hash().to_string(),
                    device,
                    author_name: cert.map(|c| c.certificate.identity_name.clone()),
                    time: c.timestamp(),
                    message: c.message().map(str::to_string).unwrap_or_default(),
                    seq: c.seq(),
                }
            })
            .collect())
    }

    /// Stores a verified device certificate of another party.
    pub fn add_device_certificate(&mut self, cert: &CertifiedDevice) -> Result<()> {
        keys::verify_certificate(cert)?;
        keys::certificate_bounds(cert).map_err(VaultError::NotAllowed)?;
        match self.devices.get(&cert.certificate.device) {
            // A device key belongs to one identity for good: a second
            // certificate naming another identity would re-attribute (or, on
            // the next open, orphan) everything the device signed.
            Some(held) if held.certificate.identity != cert.certificate.identity => {
                return Err(VaultError::NotAllowed(format!(
                    "device {} is already certified by {} ({}); a certificate from {} ({}) for the same key is refused",
                    cert.certificate.device.short(),
                    held.certificate.identity_name,
                    held.certificate.identity.short(),
                    cert.certificate.identity_name,
                    cert.certificate.identity.short()
                )));
            }
            Some(_) => {}
            None => self.device_room(cert, 0).map_err(VaultError::NotAllowed)?,
        }
        let w = self.store.begin()?;
        w.put32(
            store::DEVICES,
            cert.certificate.device.as_bytes(),
            json(cert)?.as_slice(),
        )?;
        w.commit()?;
        self.devices.insert(cert.certificate.device, cert.clone());
        Ok(())
    }

    /// Whether this vault holds the identity's secret (the primary device).
    pub fn holds_identity_key(&self) -> bool {
        self.identity.is_some()
    }

    /// The heads of a document (hex), to view it later as of now.
    pub fn heads(&mut self, doc_id: &str) -> Result<Vec<String>> {
        let doc = self
            .docs
            .get_mut(doc_id)
            .ok_or_else(|| VaultError::UnknownDocument(doc_id.to_string()))?;
        Ok(doc.am.get_heads().iter().map(|h| h.to_string()).collect())
    }

    /// Hashes of changes this document's stored changes depend on but that
    /// have not arrived yet (non-empty while a sync is incomplete).
    pub fn missing_changes(&mut self, doc_id: &str) -> Result<Vec<String>> {
        let doc = self
            .docs
            .get_mut(doc_id)
            .ok_or_else(|| VaultError::UnknownDocument(doc_id.to_string()))?;
        Ok(doc.am.get_missing_deps(&[]).iter().map(|h| h.to_string()).collect())
    }

    /// Saves a compacted snapshot of every document with new rows (fast next open).
    pub fn compact(&mut self) -> Result<()> {
        self.snapshot_where(|_, doc| doc.snapshot_due(1, 0))
    }

    /// Saves snapshots of the documents that have rows but no snapshot, of
    /// small ones that gained `SNAPSHOT_SMALL_EVERY` rows and of the others
    /// that gained `SNAPSHOT_EVERY` since their last one (after a sync
    /// session, and on open for documents stored before small documents
    /// were snapshotted: opening then re-checks at most that many changes
    /// per document).
    pub fn compact_due(&mut self) -> Result<()> {
        self.snapshot_where(|_, doc| doc.snapshot_due(doc.import_snapshot_step(SNAPSHOT_EVERY), 0))
    }

    pub(crate) fn snapshot_where(&mut self, mut due: impl FnMut(&str, &mut Doc) -> bool) -> Result<()> {
        let ids: Vec<String> = self
            .docs
            .iter_mut()
            .filter_map(|(id, doc)| due(id, doc).then(|| id.clone()))
            .collect();
        // No write begun when none is due: inside an action, a write dropped
        // without committing fails the whole action (an import inside an
        // action always failed here).
        if ids.is_empty() {
            return Ok(());
        }
        let w = self.store.begin()?;
        // Memory may hold rows judged under a header another handle has
        // since replaced (a revocation): a snapshot stands for its rows on
        // open, so none is taken until this handle has caught up.
        if !w.in_action() && w.behind()? {
            return Ok(());
        }
        let mut taken = vec![];
        for id in ids {
            let Some(doc) = self.docs.get_mut(&id) else { continue };
            let mut v = doc.rows.to_be_bytes().to_vec();
            v.extend_from_slice(&doc.am.save());
            w.put(store::SNAPSHOTS, id.as_str(), v.as_slice())?;
            // The record cache goes with its snapshot, in the same transaction.
            let cache = doc.build_cache(&id, doc.rows);
            w.put(store::RECORD_CACHE, id.as_str(), &cache.encode())?;
            taken.push((id, doc.rows, cache));
        }
        w.commit()?;
        for (id, rows, cache) in taken {
            if let Some(doc) = self.docs.get_mut(&id) {
                doc.snapshot_rows = rows;
                doc.cache = Some(cache);
            }
        }
        Ok(())
    }

    /// How many records the record cache in use for a document holds
    /// (`None`: no cache is in use, every record is parsed on read). For tests.
    #[doc(hidden)]
    pub fn record_cache_len(&self, doc_id: &str) -> Option<usize> {
        self.docs.get(doc_id)?.cache.as_ref().map(|c| c.len())
    }

    /// Stops using every record cache in memory: the next reads parse every
    /// record from the documents, as a vault without a cache does. For
    /// tests that compare the two.
    #[doc(hidden)]
    pub fn forget_record_caches(&mut self) {
        for doc in self.docs.values_mut() {
            doc.cache = None;
        }
    }

    /// A document's automerge save, for comparisons between replicas.
    pub fn save_document(&mut self, doc_id: &str) -> Result<Vec<u8>> {
        let doc = self
            .docs
            .get_mut(doc_id)
            .ok_or_else(|| VaultError::UnknownDocument(doc_id.to_string()))?;
        Ok(doc.am.save())
    }
}

/// One change in a document's history.
#[derive(Clone, Debug, Serialize)]
pub struct HistoryEntry {
    /// Change hash.
    pub hash: String,
    /// Device that made it.
    pub device: Option<PublicKey>,
    /// Its identity's name, when known.
    pub author_name: Option<String>,
    /// Unix seconds by the writer's clock.
    pub time: i64,
    /// What it did (the record kind).
    pub message: String,
    /// The device's sequence number.
    pub seq: u64,
}

/// The identity whose device placed a record, when known.
fn placer_identity(
    placed_by: Option<&PublicKey>,
    own: &CertifiedDevice,
    devices: &HashMap<PublicKey, CertifiedDevice>,
) -> Option<PublicKey> {
    let device = placed_by?;
    if device == &own.certificate.device {
        return Some(own.certificate.identity);
    }
    devices.get(device).map(|c| c.certificate.identity)
}

/// Parses raw records and checks their signatures (batched). A record this
/// device signed and placed itself, under its own current certificate, is
/// not checked again: this device made that signature, the change that
/// carries it is this device's, and the file's seals show neither was
/// altered. Every other record is verified on every read. Records the
/// record cache parsed ([`Found::Parsed`]) skip only the parse: the placer,
/// the signature and the signer's role are checked as for any other.
fn verify_raw<R: Record>(
    header: &DocumentHeader,
    found: Vec<Found<R>>,
    own: &CertifiedDevice,
    devices: &HashMap<PublicKey, CertifiedDevice>,
) -> (Vec<Authored<R>>, Vec<BadRecord>) {
    let placed = place_raw(header, found, own, devices);
    let verdicts = keys::verify_records(&placed.to_check().collect::<Vec<_>>());
    placed.judge(verdicts)
}

/// Records of one kind in one document, parsed and placed but their
/// signatures not yet checked: the first half of [`verify_raw`], so that a
/// reader of many documents ([`Vault::unchecked_records`]) can check the
/// signatures of all of them in one batch and then [`Unchecked::judge`]
/// each with the same rule.
pub(crate) struct Unchecked<'v, R> {
    header: &'v DocumentHeader,
    own: &'v CertifiedDevice,
    parsed: Vec<(Placed, Signed<R>)>,
    bad: Vec<BadRecord>,
}

impl<R: Record> Unchecked<'_, R> {
    /// Whether a record is one this device signed and placed itself under
    /// its current certificate (not checked, see [`verify_raw`]).
    fn is_own(&self, (r, s): &(Placed, Signed<R>)) -> bool {
        r.placed_by == Some(self.own.certificate.device) && &s.device == self.own
    }

    /// The records whose signatures must be checked, in order.
    pub(crate) fn to_check(&self) -> impl Iterator<Item = &Signed<R>> {
        self.parsed.iter().filter(|p| !self.is_own(p)).map(|(_, s)| s)
    }

    /// The verified records and the refused ones, given one verdict per
    /// record of [`Unchecked::to_check`], in its order (a missing verdict
    /// refuses its record).
    pub(crate) fn judge(self, verdicts: impl IntoIterator<Item = Result<()>>) -> (Vec<Authored<R>>, Vec<BadRecord>) {
        let mut verdicts = verdicts.into_iter();
        let own: Vec<bool> = self.parsed.iter().map(|p| self.is_own(p)).collect();
        let (header, mut bad) = (self.header, self.bad);
        let doc_id = header.id.as_str();
        let mut good = Vec::with_capacity(self.parsed.len());
        for (p, own) in self.parsed.into_iter().zip(own) {
            let verdict = if own {
                Ok(())
            } else {
                // One verdict per record checked; fail closed if that ever breaks.
                verdicts.next().unwrap_or_else(|| {
                    Err(VaultError::BadSignature {
                        what: "a record that was not checked".into(),
                    })
                })
            };
            let (r, s) = p;
            match verdict {
                Ok(()) => good.push(Authored {
                    record: s.record.clone(),
                    author: s.device.certificate.identity,
                    author_name: s.device.certificate.identity_name.clone(),
                    author_role: header.role_of(&s.device.certificate.identity),
                    signed_at: s.signed_at,
                    placed_by: r.placed_by,
                    signed: s,
                }),
                Err(e) => bad.push(BadRecord {
                    doc: doc_id.to_string(),
                    key: r.key,
                    why: e.to_string(),
                }),
            }
        }
        (good, bad)
    }
}

/// Parses raw records and keeps those a device of their own signer placed
/// (the first half of [`verify_raw`]); the others are refused here.
fn place_raw<'v, R: Record>(
    header: &'v DocumentHeader,
    found: Vec<Found<R>>,
    own: &'v CertifiedDevice,
    devices: &HashMap<PublicKey, CertifiedDevice>,
) -> Unchecked<'v, R> {
    let doc_id = header.id.as_str();
    let mut bad = vec![];
    let mut parsed: Vec<(Placed, Signed<R>)> = Vec::with_capacity(found.len());
    for f in found {
        let (r, s) = match f {
            Found::Raw(r) => match serde_json::from_str::<Signed<R>>(&r.json) {
                Ok(s) => (
                    Placed {
                        key: r.key,
                        placed_by: r.placed_by,
                    },
                    s,
                ),
                Err(e) => {
                    bad.push(BadRecord {
                        doc: doc_id.to_string(),
                        key: r.key,
                        why: format!("malformed: {e}"),
                    });
                    continue;
                }
            },
            // Parsed from the same JSON (the op that set it is the cached
            // one); everything below is checked as for a record parsed now.
            Found::Parsed { key, placed_by, signed } => (
                Placed {
                    key,
                    placed_by: Some(placed_by),
                },
                *signed,
            ),
        };
        // A record counts only where a device of its own signer placed
        // it: another writer cannot copy someone's signed record into
        // this document, nor put back an older version of it.
        if placer_identity(r.placed_by.as_ref(), own, devices) != Some(s.device.certificate.identity) {
            bad.push(BadRecord {
                doc: doc_id.to_string(),
                key: r.key,
                why: format!(
                    "signed by {} but placed here by someone else: a copy of another's record does not count",
                    s.device.certificate.identity_name
                ),
            });
            continue;
        }
        parsed.push((r, s));
    }
    Unchecked {
        header,
        own,
        parsed,
        bad,
    }
}

/// Where a record sits: its key and the device whose change set it.
struct Placed {
    key: String,
    placed_by: Option<PublicKey>,
}

/// A stored change row that is not applied: its writer may not (or no
/// longer) have written it under the header held now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RefusedRow {
    /// The change's hash.
    pub hash: String,
    /// Why, naming the writer.
    pub why: crate::refusal::Refusal,
}

/// Decodes and verifies change rows: signatures (batched), actor = signer,
/// signer certified, and the header lets its identity write that change.
///
/// A damaged row (it does not decode, or its signature fails) is an error:
/// the file was altered. A row whose *writer* is not allowed under the header
/// held now (a certificate that no longer matches, a cut-off below it) is
/// returned as refused and left out, never an error: nothing a peer sent may
/// keep the vault from opening.
pub(crate) fn verify_rows(
    devices: &HashMap<PublicKey, CertifiedDevice>,
    header: &DocumentHeader,
    rows: &[(u64, Vec<u8>)],
) -> Result<(Vec<Change>, Vec<RefusedRow>)> {
    let id = &header.id;
    let mut signed = Vec::with_capacity(rows.len());
    for (seq, bytes) in rows {
        let sc = SignedChange::decode(bytes).map_err(|why| VaultError::TamperedChange {
            doc: id.clone(),
            seq: *seq,
            hash: "?".into(),
            why,
        })?;
        signed.push(sc);
    }
    let parsed = change::verify_all(id, &signed).map_err(|(i, why)| VaultError::TamperedChange {
        doc: id.clone(),
        seq: rows.get(i).map(|r| r.0).unwrap_or(0),
        hash: signed
            .get(i)
            .and_then(|s| Change::from_bytes(s.bytes.clone()).ok())
            .map(|c| c.hash().to_string())
            .unwrap_or_else(|| "?".into()),
        why,
    })?;
    let mut good = Vec::with_capacity(parsed.len());
    let mut refused = vec![];
    for (sc, c) in signed.iter().zip(parsed) {
        let why = crate::admission::admit(devices.get(&sc.signer), &sc.signer, header, &c, Moment::Held).err();
        match why {
            Some(why) => refused.push(RefusedRow {
                hash: c.hash().to_string(),
                why,
            }),
            None => good.push(c),
        }
    }
    Ok((good, refused))
}

/// Applies rows that follow what `doc` holds; returns how many it refused.
pub(crate) fn catch_up(
    devices: &HashMap<PublicKey, CertifiedDevice>,
    doc: &mut Doc,
    rows: &[(u64, Vec<u8>)],
) -> Result<usize> {
    // Rows refused here were logged by the process that stored them, or are
    // logged when this vault next opens.
    let (parsed, refused) = verify_rows(devices, &doc.header.record, rows)?;
    doc.am.apply_changes(parsed)?;
    if let Some(last) = rows.last() {
        doc.rows = last.0 + 1;
    }
    Ok(refused.len())
}

/// How often a catch-up reads again when commits keep landing while it reads.
const CATCH_UP_ATTEMPTS: usize = 3;

/// The header rules of [`refusal::check_header`](crate::engine::refusal::check_header)
/// (owner-signed, the id names the owner), as a vault error for open and catch-up.
pub(crate) fn check_header(h: &Signed<DocumentHeader>) -> Result<()> {
    crate::engine::refusal::check_header(h).map_err(|r| VaultError::BadSignature {
        what: format!("header of {}: {r}", h.record.id),
    })
}

pub(crate) fn json<T: Serialize>(v: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(v).map_err(|e| VaultError::Storage(e.to_string()))
}

pub(crate) fn parse_stored<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| VaultError::Corrupt(format!("{what} is unreadable: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use inwonercloud_schemas::{FundingStream, LifeDomain, Unit};
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn citizen(dir: &Path) -> Vault {
        crate::testing::vault(dir, "Anna de Vries", Role::Citizen)
    }

    #[test]
    fn create_write_reopen() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("v");
        let mut v = citizen(&dir);
        let plan = v.plan_doc();
        let g = v.add_goal(&plan, LifeDomain::Wonen, "Zelfstandig wonen", None).unwrap();
        let budget = v.budget_doc();
        let a = v
            .add_account(
                &budget,
                "Eigen geld",
                FundingStream::EigenBijdrage,
                Unit::Euro,
                "2026-01-01".parse().unwrap(),
                "2026-12-31".parse().unwrap(),
            )
            .unwrap();
        v.top_up(
            &budget,
            &a.id,
            Decimal::from_str("12.50").unwrap(),
            "2026-02-01".parse().unwrap(),
            "",
        )
        .unwrap();
        drop(v);
        let v = Vault::open(&dir, &crate::Passphrase::new("proef-wachtwoord")).unwrap();
        let p = v.plan(&plan).unwrap();
        assert_eq!(p.goals.len(), 1);
        assert_eq!(p.goals[0].record.id, g.id);
        assert_eq!(p.goals[0].author_name, "Anna de Vries");
        let b = v.budget(&budget).unwrap();
        assert_eq!(b.report.accounts[&a.id].topped_up, Decimal::from_str("12.50").unwrap());
        assert!(matches!(
            Vault::create(
                &dir,
                CreateOptions {
                    name: "x".into(),
                    role: Role::Citizen,
                    device_name: String::new(),
                    passphrase: crate::Passphrase::new("proef-wachtwoord"),
                }
            ),
            Err(VaultError::AlreadyExists(_))
        ));
    }

    /// A panic inside a write of an action (a bug in a domain edit) must
    /// not leave the store's batch lock poisoned: every later action still
    /// keeps all of its writes or none.
    #[test]
    fn a_panic_inside_an_action_leaves_later_actions_atomic() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("v");
        let mut v = citizen(&dir);
        let plan = v.plan_doc();
        v.add_goal(&plan, LifeDomain::Wonen, "Zelfstandig wonen", None).unwrap();
        let before = v.change_count(&plan).unwrap();

        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            v.transact(|v| v.commit_local(&plan, "boom", |_| panic!("a bug inside an edit")))
        }));
        assert!(panicked.is_err());
        assert_eq!(v.change_count(&plan).unwrap(), before);

        // An action that writes and then fails keeps nothing, in memory or in the file.
        let failed: Result<()> = v.transact(|v| {
            v.add_goal(&plan, LifeDomain::Wonen, "Een eigen huis", None)?;
            Err(VaultError::NotAllowed("the action changes its mind".into()))
        });
        assert!(failed.is_err());
        assert_eq!(v.change_count(&plan).unwrap(), before, "memory");
        drop(v);
        let v = Vault::open(&dir, &crate::Passphrase::new("proef-wachtwoord")).unwrap();
        assert_eq!(v.change_count(&plan).unwrap(), before, "file");
        assert_eq!(v.plan(&plan).unwrap().goals.len(), 1);

        // An action that catches a panic of one of its writes and goes on
        // fails as a whole: what it writes after the panic is not saved.
        let mut v = v;
        let went_on: Result<()> = v.transact(|v| {
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let _ = v.commit_local(&plan, "boom", |_| panic!("a bug inside an edit"));
            }));
            assert!(caught.is_err());
            v.add_goal(&plan, LifeDomain::Wonen, "na de paniek", None)?;
            Ok(())
        });
        assert!(went_on.is_err());
        drop(v);
        let v = Vault::open(&dir, &crate::Passphrase::new("proef-wachtwoord")).unwrap();
        assert_eq!(v.change_count(&plan).unwrap(), before, "file, after a caught panic");
    }

    /// An action inside an action that fails after some of its writes must
    /// not leave those writes to the outer action, even when the outer one
    /// goes on (it ignores the error): the inner one is all or nothing too.
    #[test]
    fn a_failed_inner_action_leaves_nothing_to_the_outer_one() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("v");
        let mut v = citizen(&dir);
        let plan = v.plan_doc();
        v.add_goal(&plan, LifeDomain::Wonen, "Zelfstandig wonen", None).unwrap();
        let before = v.change_count(&plan).unwrap();
        let outer: Result<()> = v.transact(|v| {
            v.add_goal(&plan, LifeDomain::Wonen, "van de buitenste", None)?;
            let inner: Result<()> = v.transact(|v| {
                v.add_goal(&plan, LifeDomain::Wonen, "half van de binnenste", None)?;
                Err(VaultError::NotAllowed("the inner action fails after a write".into()))
            });
            assert!(inner.is_err());
            Ok(())
        });
        let goals = |v: &Vault| -> Vec<String> {
            v.plan(&plan)
                .unwrap()
                .goals
                .into_iter()
                .map(|g| g.record.text)
                .collect()
        };
        assert!(
            !goals(&v).contains(&"half van de binnenste".to_string()),
            "memory holds half an inner action (outer: {outer:?})"
        );
        drop(v);
        let v = Vault::open(&dir, &crate::Passphrase::new("proef-wachtwoord")).unwrap();
        assert!(
            !goals(&v).contains(&"half van de binnenste".to_string()),
            "the file holds half an inner action"
        );
        if outer.is_err() {
            assert_eq!(v.change_count(&plan).unwrap(), before);
        }
    }

    /// `refresh` inside an action reads the file, which does not hold the
    /// action's writes yet: it must not take the file's older header for
    /// newer than the one the action just wrote.
    #[test]
    fn refresh_inside_an_action_keeps_what_the_action_wrote() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("v");
        let mut v = citizen(&dir);
        let other = citizen(&tmp.path().join("w")).identity();
        let plan = v.plan_doc();
        v.add_goal(&plan, LifeDomain::Wonen, "Zelfstandig wonen", None).unwrap();
        let found = v
            .transact(|v| {
                v.add_writer(&plan, other, Role::Counselor)?;
                v.add_goal(&plan, LifeDomain::Wonen, "Een eigen huis", None)?;
                v.refresh()
            })
            .unwrap();
        assert!(found.is_empty(), "nobody else wrote: {found:?}");
        assert!(v.header(&plan).unwrap().writers.contains(&other), "memory");
        assert_eq!(v.plan(&plan).unwrap().goals.len(), 2);
        // And the next write goes on from there.
        v.add_goal(&plan, LifeDomain::Wonen, "Buren leren kennen", None)
            .unwrap();
        drop(v);
        let v = Vault::open(&dir, &crate::Passphrase::new("proef-wachtwoord")).unwrap();
        assert!(v.header(&plan).unwrap().writers.contains(&other), "file");
        assert_eq!(v.plan(&plan).unwrap().goals.len(), 3);
    }

    /// `refresh` skips reading the file when no write was committed since it
    /// last caught up; a write by another handle (as by another process)
    /// must still be seen, also after this handle's own writes, and so must
    /// an admission another handle recorded.
    #[test]
    fn refresh_sees_other_handles_writes_and_admissions() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("v");
        let mut one = citizen(&dir);
        let stranger = citizen(&tmp.path().join("s")).identity();
        let plan = one.plan_doc();
        one.add_goal(&plan, LifeDomain::Wonen, "eerste", None).unwrap();
        let mut two = Vault::open(&dir, &crate::Passphrase::new("proef-wachtwoord")).unwrap();
        one.refresh().unwrap();
        assert!(one.refresh().unwrap().is_empty(), "nobody wrote");
        assert!(!one.is_admitted(&stranger));
        // Own writes after a refresh: the next refresh has nothing to read.
        one.add_goal(&plan, LifeDomain::Wonen, "tweede", None).unwrap();
        assert!(one.refresh().unwrap().is_empty());
        // Another handle writes a record and admits the stranger.
        two.refresh().unwrap();
        two.add_goal(&plan, LifeDomain::Wonen, "van twee", None).unwrap();
        two.admit(stranger).unwrap();
        assert!(two.is_admitted(&stranger), "seen at once by the writer");
        // (Not asserted: `one` has not read it yet. Its own edits are
        // actions, which drop the parsed list, so it may read the file.)
        assert_eq!(one.refresh().unwrap(), vec![plan.clone()]);
        assert_eq!(one.plan(&plan).unwrap().goals.len(), 3);
        assert!(
            one.is_admitted(&stranger),
            "admission by another handle seen after refresh"
        );
        assert!(one.refresh().unwrap().is_empty());
        // A header change by the other handle is seen too, even when one
        // writes before it refreshes: its own commit must not hide what two
        // wrote before it.
        two.refresh().unwrap();
        two.add_writer(&plan, stranger, Role::Counselor).unwrap();
        one.set_setting("iets", "anders").unwrap();
        assert_eq!(one.refresh().unwrap(), vec![plan.clone()]);
        assert!(one.header(&plan).unwrap().writers.contains(&stranger));
    }

    /// A handle that another handle wrote behind takes no snapshot from its
    /// memory (it may hold rows judged under a header since replaced) until
    /// it caught up; a write transaction tells it is behind.
    #[test]
    fn a_handle_behind_the_file_takes_no_snapshot_until_it_caught_up() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("v");
        let mut one = citizen(&dir);
        let plan = one.plan_doc();
        one.add_goal(&plan, LifeDomain::Wonen, "eerste", None).unwrap();
        let mut two = Vault::open(&dir, &crate::Passphrase::new("proef-wachtwoord")).unwrap();
        let behind = |v: &Vault| v.store.begin().unwrap().behind().unwrap();
        assert!(!behind(&two), "just opened");
        one.refresh().unwrap();
        one.add_goal(&plan, LifeDomain::Wonen, "tweede", None).unwrap();
        assert!(!behind(&one), "its own commit keeps it caught up");
        assert!(behind(&two));
        let covered = |v: &Vault| v.store.snapshot(&plan).unwrap().map(|s| s.0);
        let before = covered(&two);
        two.snapshot_where(|_, _| true).unwrap();
        assert_eq!(covered(&two), before, "no snapshot from a handle behind the file");
        two.refresh().unwrap();
        assert!(!behind(&two));
        two.snapshot_where(|_, _| true).unwrap();
        assert_eq!(covered(&two), Some(two.docs[&plan].rows), "caught up: snapshotted");
        // An action catches up when it begins: it judges by what the file holds.
        one.add_goal(&plan, LifeDomain::Wonen, "derde", None).unwrap();
        two.transact(|_| Ok(())).unwrap();
        assert!(!behind(&two), "caught up by the action");
        assert_eq!(two.plan(&plan).unwrap().goals.len(), 3);
    }

    /// The admitted list is kept parsed; an admission is seen at once, and
    /// one made by a failed action is not.
    #[test]
    fn admission_cache_follows_writes() {
        let tmp = tempfile::tempdir().unwrap();
        let mut v = citizen(&tmp.path().join("v"));
        let a = citizen(&tmp.path().join("a")).identity();
        let b = citizen(&tmp.path().join("b")).identity();
        assert!(!v.is_admitted(&a) && !v.is_admitted(&b));
        v.admit(a).unwrap();
        assert!(v.is_admitted(&a), "admitted at once");
        let failed: Result<()> = v.transact(|v| {
            v.admit(b)?;
            let _ = v.is_admitted(&b);
            Err(VaultError::Storage("afgebroken".into()))
        });
        assert!(failed.is_err());
        assert!(!v.is_admitted(&b), "a failed action admits no one");
        v.transact(|v| v.admit(b)).unwrap();
        assert!(v.is_admitted(&b), "an action's admission is seen once it commits");
        assert!(v.is_admitted(&a));
    }

    #[test]
    fn citizen_cannot_grant() {
        let tmp = tempfile::tempdir().unwrap();
        let mut v = citizen(tmp.path());
        let budget = v.budget_doc();
        let a = v
            .add_account(
                &budget,
                "Wmo",
                FundingStream::Wmo,
                Unit::Euro,
                "2026-01-01".parse().unwrap(),
                "2026-12-31".parse().unwrap(),
            )
            .unwrap();
        let err = v
            .record_entry(
                &budget,
                crate::budget::NewEntry {
                    account: a.id,
                    kind: inwonercloud_schemas::EntryKind::Grant,
                    amount: Decimal::from(100),
                    category: None,
                    date: "2026-01-01".parse().unwrap(),
                    note: String::new(),
                    reference: None,
                },
            )
            .unwrap_err();
        assert!(matches!(err, VaultError::NotAllowed(_)), "{err}");
        assert_eq!(v.change_count(&budget).unwrap(), 1);
    }
}
