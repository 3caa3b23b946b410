//! The redb file: tables, their encodings, and the transactions that touch them.
//!
//! Every write is one redb transaction with `Durability::Immediate`; a crash
//! loses nothing that was committed. The change log has one row per signed
//! change, keyed by `(document id, row number)`, and an index by change hash.
//! Snapshots are compacted `save()`s that speed up opening; the log stays the
//! source of truth.
//!
//! Every value is sealed ([`crate::seal`]) with the table and row key as
//! associated data; only the schema version and the wrapped vault key are
//! stored in the clear. Keys (document ids, hashes, row numbers) are not
//! secret and stay readable so that redb can order them.

use std::path::Path;
use std::sync::Mutex;

use redb::{Database, Durability, ReadableDatabase, ReadableTable, TableDefinition, TableHandle};

use crate::change::SignedChange;
use crate::error::{Result, VaultError};
use crate::seal::{KdfParams, KeyWrap, Passphrase, VaultKey};

/// Bumped on any incompatible change of the tables below.
pub const SCHEMA_VERSION: u32 = 4;

/// Small values: schema version, keys, this device's certificate.
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Document id → JSON of the owner-signed `DocumentHeader`.
pub const DOCS: TableDefinition<&str, &[u8]> = TableDefinition::new("docs");
/// (Document id, row) → encoded [`SignedChange`].
pub const CHANGES: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("changes");
/// (Document id, change hash) → row.
pub const CHANGE_INDEX: TableDefinition<(&str, &[u8; 32]), u64> = TableDefinition::new("change_index");
/// Document id → rows covered (8 bytes, big-endian) followed by an automerge save.
pub const SNAPSHOTS: TableDefinition<&str, &[u8]> = TableDefinition::new("snapshots");
/// Document id → the record cache of its snapshot ([`crate::record_cache`]):
/// written in the same transaction as the snapshot, ignored unless it opens
/// and names exactly that snapshot. Not in backups (rebuilt like snapshots).
pub const RECORD_CACHE: TableDefinition<&str, &[u8]> = TableDefinition::new("record_cache");
/// Device key → JSON of its `CertifiedDevice`.
pub const DEVICES: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("devices");
/// Running number → JSON of a refused change or record (the audit of what was rejected).
pub const REJECTIONS: TableDefinition<u64, &[u8]> = TableDefinition::new("rejections");
/// (Document id, device, automerge seq) → change hash: version vectors and equivocation checks.
pub const SEQS: TableDefinition<(&str, &[u8; 32], u64), &[u8; 32]> = TableDefinition::new("seqs");
/// SHA-256 of an invite secret → JSON of the invite.
pub const INVITES: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("invites");
/// (Document id, device) → bytes of that device's stored changes (u64,
/// big-endian): what bounds how much history one writer can add.
pub const USAGE: TableDefinition<(&str, &[u8; 32]), &[u8]> = TableDefinition::new("usage");
/// Peer identity → JSON of what is known about the peer.
pub const PEERS: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("peers");
/// Running number → JSON of one access-log line (who got or gave what, when).
pub const ACCESS_LOG: TableDefinition<u64, &[u8]> = TableDefinition::new("access_log");
/// The file's write generation: one number (not secret, so not sealed)
/// bumped by every committed write transaction, by any process, so a handle
/// can tell cheaply whether anyone wrote since it last read the file
/// ([`Store::generation`]).
pub const GENERATION: TableDefinition<&str, u64> = TableDefinition::new("generation");
const GENERATION_KEY: &str = "g";

/// Tables keyed by text.
pub type StrTable = TableDefinition<'static, &'static str, &'static [u8]>;
/// Tables keyed by 32 bytes.
pub type KeyTable = TableDefinition<'static, &'static [u8; 32], &'static [u8]>;
/// Tables keyed by a running number.
pub type LineTable = TableDefinition<'static, u64, &'static [u8]>;

/// META keys stored in the clear: needed before the vault is unlocked.
const CLEAR_META: [&str; 2] = ["schema_version", "key_wrap"];

/// How to unlock a vault file.
#[derive(Clone, Copy, Debug)]
pub enum Unlock<'a> {
    /// Derive the key from the passphrase (argon2id).
    Passphrase(&'a Passphrase),
    /// A key already unlocked by another handle of the same vault.
    Key(&'a VaultKey),
}

/// The opened, unlocked redb database.
pub struct Store {
    /// Always `Some` until dropped (see `Drop`).
    db: Option<Database>,
    key: VaultKey,
    /// The open action, when one is running ([`Store::begin_batch`]).
    batch: Mutex<Option<Batch>>,
    /// A fault to inject, for crash tests ([`Store::inject_fault`]).
    fault: Mutex<Option<Fault>>,
    /// The generation this handle's owner has caught up with
    /// ([`Store::mark_seen`]); `None` until it first did.
    seen: Mutex<Option<u64>>,
}

/// One write transaction shared by every write of an action.
struct Batch {
    w: redb::WriteTransaction,
    /// A write inside the action was dropped without committing: the action
    /// failed part-way, so the batch may not commit.
    poisoned: bool,
    /// Writes of the action done so far (an inner action that fails after
    /// one of them fails the outer one too: [`Store::fail_batch_if_written`]).
    writes: u64,
}

/// A fault injected into the next writes, to test that an action commits
/// all its records or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The `n`-th write from now (1-based) fails with an error.
    ErrorAt(u64),
    /// The process is killed with SIGKILL at the `n`-th write from now.
    KillAt(u64),
}

thread_local! {
    /// A fault for the next file [`Store::create`] makes on this thread
    /// (crash tests of creating a vault).
    static CREATE_FAULT: std::cell::Cell<Option<Fault>> = const { std::cell::Cell::new(None) };
}

/// Injects a fault into the writes of the next vault file this thread
/// creates, or clears it (crash tests). Not for production use.
#[doc(hidden)]
pub fn inject_fault_on_create(fault: Option<Fault>) {
    CREATE_FAULT.with(|f| f.set(fault));
}

/// redb may panic on a damaged page, also when the database is closed (it
/// writes its allocator state then). Found by the fuzz target `vault_file`:
/// a panic while closing is caught here so that closing a damaged vault
/// never takes the program down, and while another panic unwinds the
/// database is leaked instead of closed (a second panic would abort).
impl Drop for Store {
    fn drop(&mut self) {
        let Some(db) = self.db.take() else { return };
        if std::thread::panicking() {
            std::mem::forget(db);
        } else {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(db)));
        }
    }
}

/// A change to append: document, signed change, its hash and sequence number.
pub struct NewChange<'a> {
    /// Document id.
    pub doc: &'a str,
    /// The change.
    pub change: &'a SignedChange,
    /// Its automerge hash.
    pub hash: [u8; 32],
    /// Its automerge sequence number (per device, per document).
    pub seq: u64,
}

/// Several processes may open one vault (the app, a `serve` node and a
/// command in another terminal): redb serialises their write transactions,
/// and each write first catches up with what the others committed.
///
/// redb's page cache defaults to 1 GiB; a vault is read mostly in order (the
/// change log at open and when syncing), so a small cache costs little speed
/// and keeps a large vault's memory bounded.
fn builder() -> redb::Builder {
    let mut b = redb::Builder::new();
    b.set_concurrency_mode(redb::ConcurrencyMode::MultiWriter);
    b.set_cache_size(CACHE_BYTES);
    b
}

/// redb's page cache per open vault.
pub const CACHE_BYTES: usize = 16 * 1024 * 1024;

/// Associated data of a sealed value: the table and the row it belongs to.
fn aad(table: &str, key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(table.len() + 1 + key.len());
    out.extend_from_slice(table.as_bytes());
    out.push(0);
    out.extend_from_slice(key);
    out
}

/// Opens a sealed value of `table` under row key `key`; a value that does not
/// open was altered on disk (or moved from another row).
fn unseal(vault_key: &VaultKey, table: &str, key: &[u8], sealed: &[u8]) -> Result<Vec<u8>> {
    vault_key.open(&aad(table, key), sealed).map_err(|_| {
        VaultError::Corrupt(format!(
            "a value in table {table} fails its integrity check (altered on disk)"
        ))
    })
}

/// The bytes a usage counter's row key stands for, for its associated data.
fn usage_key(doc: &str, device: &[u8; 32]) -> Vec<u8> {
    let mut key = doc.as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(device);
    key
}

fn usage_aad(doc: &str, device: &[u8; 32]) -> Vec<u8> {
    aad(USAGE.name(), &usage_key(doc, device))
}

fn change_aad(doc: &str, row: u64) -> Vec<u8> {
    let mut aad = ChangeAad::new(doc);
    aad.row(row);
    aad.buf
}

/// The associated data of one document's change rows, built once and
/// reused for each row (only the row number at its end differs): what
/// [`change_aad`] gives, without an allocation per row.
struct ChangeAad {
    buf: Vec<u8>,
    row_at: usize,
}

impl ChangeAad {
    fn new(doc: &str) -> Self {
        let mut key = Vec::with_capacity(doc.len() + 9);
        key.extend_from_slice(doc.as_bytes());
        key.push(0);
        let mut buf = aad(CHANGES.name(), &key);
        let row_at = buf.len();
        buf.extend_from_slice(&[0; 8]);
        Self { buf, row_at }
    }

    /// The associated data of row `row`.
    fn row(&mut self, row: u64) -> &[u8] {
        self.buf[self.row_at..].copy_from_slice(&row.to_be_bytes());
        &self.buf
    }
}

impl Store {
    /// Creates a new file (fails if it exists), sealed under a fresh vault
    /// key that the passphrase wraps.
    pub fn create(path: &Path, passphrase: &Passphrase, kdf: KdfParams) -> Result<Self> {
        passphrase.check_new()?;
        if path.exists() {
            return Err(VaultError::AlreadyExists(path.display().to_string()));
        }
        let key = VaultKey::generate()?;
        let wrap = serde_json::to_vec(&key.wrap(passphrase, kdf)?).map_err(|e| VaultError::Storage(e.to_string()))?;
        let db = builder().create(path).map_err(|e| map_db_error(e, path))?;
        let store = Self::with(db, key);
        store.inject_fault(CREATE_FAULT.with(|f| f.take()));
        let w = store.begin()?;
        {
            let mut meta = w.w()?.open_table(META)?;
            meta.insert("schema_version", SCHEMA_VERSION.to_be_bytes().as_slice())?;
            meta.insert("key_wrap", wrap.as_slice())?;
        }
        w.open_all_tables()?;
        w.commit()?;
        Ok(store)
    }

    /// Whether `path` is a vault file whose creation never finished: it
    /// holds no key of a device or an identity and no document (every
    /// finished vault holds a device key), and no one is writing it now.
    /// Such a file holds nothing of anyone's and may be made anew. A file
    /// that cannot be read says `false`.
    pub fn is_unfinished(path: &Path) -> bool {
        use redb::ReadableTableMetadata;
        if !path.is_file() {
            return false;
        }
        // Made, then the process died before redb wrote its header.
        if path.metadata().is_ok_and(|m| m.len() == 0) {
            return true;
        }
        let Ok(db) = builder().open(path) else { return false };
        if db.try_begin_write().is_err() {
            return false;
        }
        let Ok(r) = db.begin_read() else { return false };
        let no_keys = match r.open_table(META) {
            Ok(t) => matches!((t.get("device_secret"), t.get("identity_secret")), (Ok(None), Ok(None))),
            Err(redb::TableError::TableDoesNotExist(_)) => true,
            Err(_) => false,
        };
        let no_documents = match r.open_table(DOCS) {
            Ok(t) => matches!(t.is_empty(), Ok(true)),
            Err(redb::TableError::TableDoesNotExist(_)) => true,
            Err(_) => false,
        };
        no_keys && no_documents
    }

    /// Opens an existing file, checks its schema version and unlocks it.
    /// A wrong passphrase gives [`VaultError::WrongPassphrase`] and changes nothing.
    pub fn open(path: &Path, unlock: Unlock<'_>) -> Result<Self> {
        if !path.exists() {
            return Err(VaultError::NotFound(path.display().to_string()));
        }
        let db = builder().open(path).map_err(|e| map_db_error(e, path))?;
        let clear = |k: &str| -> Result<Option<Vec<u8>>> {
            let r = db.begin_read()?;
            let t = r.open_table(META)?;
            Ok(t.get(k)?.map(|g| g.value().to_vec()))
        };
        let version = clear("schema_version")?
            .and_then(|v| <[u8; 4]>::try_from(v.as_slice()).ok())
            .map(u32::from_be_bytes)
            .ok_or_else(|| VaultError::Corrupt("the schema version is missing".into()))?;
        if version > SCHEMA_VERSION {
            return Err(VaultError::UnsupportedVersion {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        if version < 2 {
            return Err(VaultError::Corrupt(format!(
                "this vault has format version {version}, written before vaults were encrypted; \
                 export what you need with that version and create a new vault"
            )));
        }
        if version < 4 {
            // Format 4: record signatures cover the signer's identity
            // (`signing_bytes` v2). Older records cannot be trusted that way,
            // and no one but their signers could sign them again.
            return Err(VaultError::OldFormat { found: version });
        }
        let wrap = parse_key_wrap(clear("key_wrap")?)?;
        let key = match unlock {
            Unlock::Passphrase(p) => wrap.unwrap_key(p)?,
            Unlock::Key(k) => k.clone(),
        };
        // A key from another handle must be this vault's: its certificate opens.
        if let Unlock::Key(_) = unlock
            && let Some(raw) = clear("device_cert")?
            && key.open(&aad(META.name(), b"device_cert"), &raw).is_err()
        {
            return Err(VaultError::WrongPassphrase);
        }
        let store = Self::with(db, key);
        Ok(store)
    }

    /// How many bytes of changes `device` has stored in the document.
    pub fn usage(&self, doc: &str, device: &[u8; 32]) -> Result<u64> {
        let r = self.read()?;
        read_usage(&r.open_table(USAGE)?, &self.key, doc, device)
    }

    fn db(&self) -> Result<&Database> {
        self.db
            .as_ref()
            .ok_or_else(|| VaultError::Storage("the database is closed".into()))
    }

    /// The unlocked vault key, for other handles of the same vault.
    pub fn key(&self) -> &VaultKey {
        &self.key
    }

    /// Wraps the vault key under a new passphrase. No other value changes.
    pub fn set_passphrase(&self, new: &Passphrase, kdf: KdfParams) -> Result<()> {
        new.check_new()?;
        let wrap = serde_json::to_vec(&self.key.wrap(new, kdf)?).map_err(|e| VaultError::Storage(e.to_string()))?;
        let w = self.begin()?;
        w.w()?.open_table(META)?.insert("key_wrap", wrap.as_slice())?;
        w.commit()
    }

    fn with(db: Database, key: VaultKey) -> Self {
        Self {
            db: Some(db),
            key,
            batch: Mutex::new(None),
            fault: Mutex::new(None),
            seen: Mutex::new(None),
        }
    }

    /// Starts a durable write transaction. While an action runs
    /// ([`Store::begin_batch`]) this joins the action's transaction instead:
    /// its `commit` then only marks the write done, and the action commits
    /// everything at once.
    pub fn begin(&self) -> Result<Txn<'_>> {
        let guard = match self.batch.try_lock() {
            Ok(guard) => guard,
            // A write of an action panicked: its `Txn` marked the batch
            // failed as it unwound (so it never commits) and `transact`
            // drops it. The lock stays usable: throwing away the batch of
            // whatever action runs now would let its writes commit one by one.
            Err(std::sync::TryLockError::Poisoned(p)) => {
                self.batch.clear_poison();
                p.into_inner()
            }
            Err(std::sync::TryLockError::WouldBlock) => {
                return Err(VaultError::Storage(
                    "a write started while another write of the same action was still open".into(),
                ));
            }
        };
        let hold = if guard.is_some() {
            Hold::Batch(guard)
        } else {
            drop(guard);
            Hold::Own(Some(Box::new(self.begin_durable()?)))
        };
        Ok(Txn {
            hold,
            key: &self.key,
            store: self,
            done: false,
        })
    }

    fn begin_durable(&self) -> Result<redb::WriteTransaction> {
        let mut w = self.db()?.begin_write()?;
        w.set_durability(Durability::Immediate)?;
        Ok(w)
    }

    /// Opens one write transaction that every write joins until
    /// [`Store::commit_batch`] or [`Store::abort_batch`]. Returns `false`
    /// (and opens nothing) when an action is already running: the inner
    /// action is part of the outer one.
    pub fn begin_batch(&self) -> Result<bool> {
        let mut guard = self.batch.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_some() {
            return Ok(false);
        }
        *guard = Some(Batch {
            w: self.begin_durable()?,
            poisoned: false,
            writes: 0,
        });
        Ok(true)
    }

    /// Commits the running action durably: all its writes or, on error, none.
    pub fn commit_batch(&self) -> Result<()> {
        let batch = self.batch.lock().unwrap_or_else(|p| p.into_inner()).take();
        let Some(batch) = batch else {
            return Err(VaultError::Storage("no action to commit".into()));
        };
        if batch.poisoned {
            return Err(VaultError::Storage(
                "a write inside this action failed; nothing of it was saved".into(),
            ));
        }
        // An action that wrote nothing has nothing to make durable: no
        // commit, so no sync to disk (opening a vault runs one).
        if batch.writes == 0 {
            drop(batch.w);
            return Ok(());
        }
        self.step()?;
        let before = bump_generation(&batch.w)?;
        batch.w.commit()?;
        self.committed_own(before);
        Ok(())
    }

    /// The file's write generation: bumped by every committed write, by any
    /// process (0 for a file no write of this version committed to yet).
    pub fn generation(&self) -> Result<u64> {
        let r = self.read()?;
        let t = match r.open_table(GENERATION) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(0),
            Err(e) => return Err(e.into()),
        };
        Ok(t.get(GENERATION_KEY)?.map(|g| g.value()).unwrap_or(0))
    }

    /// The generation the owner of this handle has caught up with, if any.
    pub fn seen(&self) -> Option<u64> {
        *self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records that memory may lack what the file holds: the next refresh
    /// reads everything again.
    pub fn forget_seen(&self) {
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Records that everything the file held at `generation` is in memory.
    pub fn mark_seen(&self, generation: u64) {
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(generation);
    }

    /// This handle committed a write that found the file at `before`: if
    /// that was the generation it had caught up with, no other process
    /// wrote in between (every commit bumps it, and commits are serial), so
    /// memory, which holds its own writes, is caught up with the new one.
    fn committed_own(&self, before: u64) {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if *seen == Some(before) {
            *seen = Some(before + 1);
        }
    }

    /// Drops the running action's writes.
    pub fn abort_batch(&self) {
        let batch = self.batch.lock().unwrap_or_else(|p| p.into_inner()).take();
        self.batch.clear_poison();
        drop(batch);
    }

    /// How many writes the running action has done (`None` when none runs).
    pub fn batch_writes(&self) -> Option<u64> {
        self.batch
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|b| b.writes)
    }

    /// An inner action failed: if it wrote anything since the running
    /// action had done `before` writes, the running action may not commit
    /// (half of the inner one would go with it).
    pub fn fail_batch_if_written(&self, before: Option<u64>) {
        let mut guard = self.batch.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = guard.as_mut()
            && Some(b.writes) != before
        {
            b.poisoned = true;
        }
    }

    /// Whether an action is running.
    pub fn in_batch(&self) -> bool {
        match self.batch.try_lock() {
            Ok(g) => g.is_some(),
            // A write of the action holds it right now.
            Err(std::sync::TryLockError::WouldBlock) => true,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner().is_some(),
        }
    }

    /// Injects a fault into the writes from now on (crash tests), or clears it.
    pub fn inject_fault(&self, fault: Option<Fault>) {
        *self.fault.lock().unwrap_or_else(|p| p.into_inner()) = fault;
    }

    /// Counts one write step towards an injected fault.
    fn step(&self) -> Result<()> {
        let mut guard = self.fault.lock().unwrap_or_else(|p| p.into_inner());
        let Some(fault) = guard.as_mut() else { return Ok(()) };
        let (n, kill) = match fault {
            Fault::ErrorAt(n) => (n, false),
            Fault::KillAt(n) => (n, true),
        };
        *n = n.saturating_sub(1);
        if *n > 0 {
            return Ok(());
        }
        *guard = None;
        if kill {
            // SIGKILL, as a power cut or the OOM killer would: no destructor runs.
            let killed = std::process::Command::new("kill")
                .args(["-KILL", &std::process::id().to_string()])
                .status();
            if !killed.is_ok_and(|s| s.success()) {
                // No `kill` program (procps is missing on minimal systems):
                // abort, which runs no destructor either, rather than hang.
                std::process::abort();
            }
            loop {
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
        }
        Err(VaultError::Storage("injected fault".into()))
    }

    fn read(&self) -> Result<redb::ReadTransaction> {
        Ok(self.db()?.begin_read()?)
    }

    fn unseal(&self, table: &str, key: &[u8], sealed: &[u8]) -> Result<Vec<u8>> {
        unseal(&self.key, table, key, sealed)
    }

    /// A meta value (sealed ones are opened).
    pub fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let r = self.read()?;
        let t = r.open_table(META)?;
        let Some(v) = t.get(key)? else { return Ok(None) };
        if CLEAR_META.contains(&key) {
            return Ok(Some(v.value().to_vec()));
        }
        self.unseal(META.name(), key.as_bytes(), v.value()).map(Some)
    }

    /// Every document id with its stored header JSON.
    pub fn documents(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let r = self.read()?;
        let t = r.open_table(DOCS)?;
        let mut out = vec![];
        for row in t.iter()? {
            let (k, v) = row?;
            let id = k.value().to_string();
            let plain = self.unseal(DOCS.name(), id.as_bytes(), v.value())?;
            out.push((id, plain));
        }
        Ok(out)
    }

    /// All change rows of a document, in row order.
    pub fn changes(&self, doc: &str) -> Result<Vec<(u64, Vec<u8>)>> {
        self.changes_from(doc, 0)
    }

    /// Change rows of a document from row `from` on.
    pub fn changes_from(&self, doc: &str, from: u64) -> Result<Vec<(u64, Vec<u8>)>> {
        self.read_document(doc)?.changes_from(from)
    }

    /// One past the last change row of a document (0 if it has none).
    pub fn next_row(&self, doc: &str) -> Result<u64> {
        let r = self.read()?;
        let t = r.open_table(CHANGES)?;
        let last = t.range((doc, 0)..=(doc, u64::MAX))?.next_back().transpose()?;
        Ok(last.map(|(k, _)| k.value().1 + 1).unwrap_or(0))
    }

    /// Checks the seal of every change row of a document below row `below`
    /// ([`DocRead::check_changes`]). Returns one past the last row seen.
    pub fn check_changes(&self, doc: &str, below: u64) -> Result<u64> {
        self.read_document(doc)?.check_changes(below)
    }

    /// The snapshot of a document ([`DocRead::snapshot`]).
    pub fn snapshot(&self, doc: &str) -> Result<Option<(u64, Vec<u8>)>> {
        self.read_document(doc)?.snapshot()
    }

    /// The record cache beside a document's snapshot ([`DocRead::record_cache`]).
    pub fn record_cache(&self, doc: &str) -> Result<Option<Vec<u8>>> {
        self.read_document(doc)?.record_cache()
    }

    /// Whether a change with this hash is stored for the document.
    pub fn has_change(&self, doc: &str, hash: &[u8; 32]) -> Result<bool> {
        self.read_document(doc)?.has_change(hash)
    }

    /// One document's rows read in one read transaction ([`DocRead`]).
    pub fn read_document<'a>(&'a self, doc: &'a str) -> Result<DocRead<'a>> {
        Ok(DocRead {
            r: self.read()?,
            key: &self.key,
            doc,
        })
    }

    /// Every stored device certificate (JSON).
    pub fn devices(&self) -> Result<Vec<Vec<u8>>> {
        self.all32(DEVICES)
    }

    /// Every line of a running-number table (JSON), oldest first.
    pub fn lines(&self, table: LineTable) -> Result<Vec<Vec<u8>>> {
        let r = self.read()?;
        let t = r.open_table(table)?;
        let mut out = vec![];
        for row in t.iter()? {
            let (k, v) = row?;
            out.push(self.unseal(table.name(), &k.value().to_be_bytes(), v.value())?);
        }
        Ok(out)
    }

    /// Per device, how many changes of the document are held without a gap
    /// from seq 1 (the version vector a peer sends).
    pub fn version_vector(&self, doc: &str) -> Result<std::collections::BTreeMap<[u8; 32], u64>> {
        let r = self.read()?;
        let t = r.open_table(SEQS)?;
        let mut out = std::collections::BTreeMap::new();
        let lo: (&str, &[u8; 32], u64) = (doc, &[0u8; 32], 0);
        let hi: (&str, &[u8; 32], u64) = (doc, &[0xffu8; 32], u64::MAX);
        for row in t.range(lo..=hi)? {
            let (k, _) = row?;
            let (_, device, seq) = k.value();
            let have = out.entry(*device).or_insert(0u64);
            if seq == *have + 1 {
                *have = seq;
            }
        }
        out.retain(|_, v| *v > 0);
        Ok(out)
    }

    /// The highest sequence number of `device`'s changes held for the document (0 if none).
    pub fn max_seq(&self, doc: &str, device: &[u8; 32]) -> Result<u64> {
        let r = self.read()?;
        let t = r.open_table(SEQS)?;
        let last = t
            .range((doc, device, 0)..=(doc, device, u64::MAX))?
            .next_back()
            .transpose()?;
        Ok(last.map(|(k, _)| k.value().2).unwrap_or(0))
    }

    /// Row numbers of the changes a peer with `have` lacks, in row order.
    pub fn missing_rows(&self, doc: &str, have: &std::collections::BTreeMap<[u8; 32], u64>) -> Result<Vec<u64>> {
        let r = self.read()?;
        let seqs = r.open_table(SEQS)?;
        let index = r.open_table(CHANGE_INDEX)?;
        let mut rows = vec![];
        let lo: (&str, &[u8; 32], u64) = (doc, &[0u8; 32], 0);
        let hi: (&str, &[u8; 32], u64) = (doc, &[0xffu8; 32], u64::MAX);
        for row in seqs.range(lo..=hi)? {
            let (k, hash) = row?;
            let (_, device, seq) = k.value();
            if seq > have.get(device).copied().unwrap_or(0)
                && let Some(n) = index.get((doc, hash.value()))?
            {
                rows.push(n.value());
            }
        }
        rows.sort_unstable();
        Ok(rows)
    }

    /// The given change rows of a document, opened (rows that do not exist are skipped).
    pub fn rows(&self, doc: &str, rows: &[u64]) -> Result<Vec<(u64, Vec<u8>)>> {
        let r = self.read()?;
        let log = r.open_table(CHANGES)?;
        let mut out = Vec::with_capacity(rows.len());
        for &n in rows {
            if let Some(v) = log.get((doc, n))? {
                out.push((n, open_change(&r, &self.key, doc, n, v.value())?));
            }
        }
        Ok(out)
    }

    /// A value from a table keyed by 32 bytes.
    pub fn get32(&self, table: KeyTable, key: &[u8; 32]) -> Result<Option<Vec<u8>>> {
        let r = self.read()?;
        let t = r.open_table(table)?;
        let Some(v) = t.get(key)? else { return Ok(None) };
        self.unseal(table.name(), key, v.value()).map(Some)
    }

    /// Every value of a table keyed by 32 bytes.
    pub fn all32(&self, table: KeyTable) -> Result<Vec<Vec<u8>>> {
        let r = self.read()?;
        let t = r.open_table(table)?;
        let mut out = vec![];
        for row in t.iter()? {
            let (k, v) = row?;
            out.push(self.unseal(table.name(), k.value(), v.value())?);
        }
        Ok(out)
    }
}

/// One document's rows read in one read transaction: what opening a
/// document reads (its snapshot, its record cache, the seals of the rows
/// the snapshot stands for, the rows after it, whether a head is logged),
/// all as of one commit, with one file lock and one transaction instead of
/// one per read.
pub struct DocRead<'a> {
    r: redb::ReadTransaction,
    key: &'a VaultKey,
    doc: &'a str,
}

impl DocRead<'_> {
    /// Change rows from row `from` on, opened.
    pub fn changes_from(&self, from: u64) -> Result<Vec<(u64, Vec<u8>)>> {
        self.r.changes_from(self.key, self.doc, from)
    }

    /// Checks the seal of every change row below row `below` without
    /// keeping them (opening a document whose snapshot stands for those
    /// rows). Returns one past the last row seen (0 if none).
    ///
    /// Only each row's tag is checked ([`VaultKey::verify`]): the same
    /// verdict as opening it (an altered row, one moved from another row or
    /// sealed under another key fails, named as [`open_change`] names it),
    /// without decrypting a body nobody reads and without an allocation per
    /// row. One range scan reads the rows in key order.
    pub fn check_changes(&self, below: u64) -> Result<u64> {
        let t = self.r.open_table(CHANGES)?;
        let mut aad = ChangeAad::new(self.doc);
        let mut next = 0;
        for row in t.range((self.doc, 0)..(self.doc, below))? {
            let (k, v) = row?;
            let n = k.value().1;
            self.key
                .verify(aad.row(n), v.value())
                .map_err(|_| tampered_change(&self.r, self.doc, n))?;
            next = n + 1;
        }
        Ok(next)
    }

    /// The snapshot: rows it covers and the saved bytes. A snapshot that
    /// does not open is ignored (the log is the truth).
    pub fn snapshot(&self) -> Result<Option<(u64, Vec<u8>)>> {
        let t = self.r.open_table(SNAPSHOTS)?;
        let Some(v) = t.get(self.doc)? else {
            return Ok(None);
        };
        let Ok(mut v) = self.key.open(&aad(SNAPSHOTS.name(), self.doc.as_bytes()), v.value()) else {
            return Ok(None);
        };
        if v.len() < 8 {
            return Ok(None);
        }
        let mut n = [0u8; 8];
        n.copy_from_slice(&v[..8]);
        // The save follows the row count: moved down in place, not copied.
        v.drain(..8);
        Ok(Some((u64::from_be_bytes(n), v)))
    }

    /// The record cache stored beside the snapshot, opened; `None` when
    /// there is none (a vault from before the cache, or none written yet)
    /// or when it does not open (altered, moved from another document, or
    /// sealed by another vault): the cache is then simply not used.
    pub fn record_cache(&self) -> Result<Option<Vec<u8>>> {
        let t = match self.r.open_table(RECORD_CACHE) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let Some(v) = t.get(self.doc)? else {
            return Ok(None);
        };
        Ok(self
            .key
            .open(&aad(RECORD_CACHE.name(), self.doc.as_bytes()), v.value())
            .ok())
    }

    /// Whether a change with this hash is logged for the document.
    pub fn has_change(&self, hash: &[u8; 32]) -> Result<bool> {
        let t = self.r.open_table(CHANGE_INDEX)?;
        Ok(t.get((self.doc, hash))?.is_some())
    }
}

/// Raw access to stored (sealed) values, for tests that alter the file.
#[cfg(test)]
impl Store {
    /// The stored bytes under a text key, as they are on disk (sealed).
    pub(crate) fn raw_get(&self, table: StrTable, key: &str) -> Option<Vec<u8>> {
        let r = self.read().ok()?;
        let t = r.open_table(table).ok()?;
        t.get(key).ok()?.map(|g| g.value().to_vec())
    }

    /// Writes bytes under a text key as they are (no sealing), or removes the row.
    pub(crate) fn raw_put(&self, table: StrTable, key: &str, raw: Option<&[u8]>) {
        let w = self.begin_durable().unwrap();
        // A write from outside: the next refresh must read the file again.
        bump_generation(&w).unwrap();
        {
            let mut t = w.open_table(table).unwrap();
            match raw {
                Some(raw) => {
                    t.insert(key, raw).unwrap();
                }
                None => {
                    t.remove(key).unwrap();
                }
            }
        }
        w.commit().unwrap();
    }

    /// Seals `plain` as a value of `table` under `key` would be.
    pub(crate) fn seal_for(&self, table: StrTable, key: &str, plain: &[u8]) -> Vec<u8> {
        self.key.seal(&aad(table.name(), key.as_bytes()), plain).unwrap()
    }
}

/// Reads one usage counter (0 when the device has written nothing there).
fn read_usage(
    t: &impl ReadableTable<(&'static str, &'static [u8; 32]), &'static [u8]>,
    key: &VaultKey,
    doc: &str,
    device: &[u8; 32],
) -> Result<u64> {
    let Some(v) = t.get((doc, device))? else { return Ok(0) };
    let plain = unseal(key, USAGE.name(), &usage_key(doc, device), v.value())?;
    let bytes: [u8; 8] = plain
        .as_slice()
        .try_into()
        .map_err(|_| VaultError::Corrupt("a usage counter has the wrong length".into()))?;
    Ok(u64::from_be_bytes(bytes))
}

/// Opens a sealed change row; a row that does not open is reported as a
/// tampered change, named by the hash the index holds for that row.
fn open_change(r: &impl ChangeIndexReader, key: &VaultKey, doc: &str, row: u64, sealed: &[u8]) -> Result<Vec<u8>> {
    key.open(&change_aad(doc, row), sealed)
        .map_err(|_| tampered_change(r, doc, row))
}

/// The error for a change row whose seal fails.
fn tampered_change(r: &impl ChangeIndexReader, doc: &str, row: u64) -> VaultError {
    VaultError::TamperedChange {
        doc: doc.to_string(),
        seq: row,
        hash: r.hash_of_row(doc, row).unwrap_or_else(|| "?".into()),
        why: "its stored bytes fail the integrity check (altered on disk)".into(),
    }
}

/// Reading change rows, in a read or a write transaction.
trait ChangeIndexReader {
    /// The hash of a change row, for naming it in an error.
    fn hash_of_row(&self, doc: &str, row: u64) -> Option<String>;
    /// A document's change rows from row `from` on, opened (a row whose
    /// seal fails is an error naming it).
    fn changes_from(&self, key: &VaultKey, doc: &str, from: u64) -> Result<Vec<(u64, Vec<u8>)>>;
}

macro_rules! hash_of_row {
    ($t:ty) => {
        impl ChangeIndexReader for $t {
            fn hash_of_row(&self, doc: &str, row: u64) -> Option<String> {
                let t = self.open_table(CHANGE_INDEX).ok()?;
                let lo: (&str, &[u8; 32]) = (doc, &[0u8; 32]);
                let hi: (&str, &[u8; 32]) = (doc, &[0xffu8; 32]);
                for entry in t.range(lo..=hi).ok()? {
                    let (k, v) = entry.ok()?;
                    if v.value() == row {
                        return Some(hex::encode(k.value().1));
                    }
                }
                None
            }

            fn changes_from(&self, key: &VaultKey, doc: &str, from: u64) -> Result<Vec<(u64, Vec<u8>)>> {
                let t = self.open_table(CHANGES)?;
                let mut aad = ChangeAad::new(doc);
                let mut out = vec![];
                for row in t.range((doc, from)..=(doc, u64::MAX))? {
                    let (k, v) = row?;
                    let n = k.value().1;
                    let plain = key
                        .open(aad.row(n), v.value())
                        .map_err(|_| tampered_change(self, doc, n))?;
                    out.push((n, plain));
                }
                Ok(out)
            }
        }
    };
}
hash_of_row!(redb::ReadTransaction);
hash_of_row!(redb::WriteTransaction);

/// Bumps the file's write generation inside `w`; returns the one before.
fn bump_generation(w: &redb::WriteTransaction) -> Result<u64> {
    let mut t = w.open_table(GENERATION)?;
    let before = t.get(GENERATION_KEY)?.map(|g| g.value()).unwrap_or(0);
    t.insert(GENERATION_KEY, before.wrapping_add(1))?;
    Ok(before)
}

/// A durable write transaction that seals every value it writes: its own,
/// or the running action's ([`Store::begin_batch`]).
pub struct Txn<'s> {
    hold: Hold<'s>,
    key: &'s VaultKey,
    store: &'s Store,
    done: bool,
}

enum Hold<'s> {
    Own(Option<Box<redb::WriteTransaction>>),
    Batch(std::sync::MutexGuard<'s, Option<Batch>>),
}

/// A write of an action dropped without `commit` failed part-way: the
/// action must not commit what it did write.
impl Drop for Txn<'_> {
    fn drop(&mut self) {
        if let (false, Hold::Batch(guard)) = (self.done, &mut self.hold)
            && let Some(b) = guard.as_mut()
        {
            b.poisoned = true;
        }
    }
}

impl Txn<'_> {
    fn w(&self) -> Result<&redb::WriteTransaction> {
        match &self.hold {
            Hold::Own(Some(w)) => Ok(w),
            Hold::Own(None) => Err(VaultError::Storage("the transaction was committed already".into())),
            Hold::Batch(guard) => guard
                .as_ref()
                .map(|b| &b.w)
                .ok_or_else(|| VaultError::Storage("the action's transaction is gone".into())),
        }
    }

    /// Creates every table (a new file has them all, even when empty).
    fn open_all_tables(&self) -> Result<()> {
        self.w()?.open_table(DOCS)?;
        self.w()?.open_table(CHANGES)?;
        self.w()?.open_table(CHANGE_INDEX)?;
        self.w()?.open_table(SNAPSHOTS)?;
        self.w()?.open_table(RECORD_CACHE)?;
        self.w()?.open_table(DEVICES)?;
        self.w()?.open_table(REJECTIONS)?;
        self.w()?.open_table(SEQS)?;
        self.w()?.open_table(INVITES)?;
        self.w()?.open_table(PEERS)?;
        self.w()?.open_table(ACCESS_LOG)?;
        self.w()?.open_table(USAGE)?;
        Ok(())
    }

    /// How many bytes of changes `device` has stored in the document,
    /// including what this transaction appended.
    pub fn usage(&self, doc: &str, device: &[u8; 32]) -> Result<u64> {
        read_usage(&self.w()?.open_table(USAGE)?, self.key, doc, device)
    }

    /// Rebuilds the usage table from the change log (after a restore, or
    /// when a vault from before the table existed is opened).
    fn recount_usage(&self) -> Result<()> {
        let mut totals: std::collections::BTreeMap<(String, [u8; 32]), u64> = Default::default();
        for row in self.w()?.open_table(CHANGES)?.iter()? {
            let (k, v) = row?;
            let (doc, n) = k.value();
            let plain = open_change(self.w()?, self.key, doc, n, v.value())?;
            let sc = SignedChange::decode(&plain).map_err(|why| VaultError::TamperedChange {
                doc: doc.to_string(),
                seq: n,
                hash: "?".into(),
                why,
            })?;
            *totals.entry((doc.to_string(), sc.signer.0)).or_default() += plain.len() as u64;
        }
        let mut usage = self.w()?.open_table(USAGE)?;
        for ((doc, device), bytes) in totals {
            let sealed = self.key.seal(&usage_aad(&doc, &device), &bytes.to_be_bytes())?;
            usage.insert((doc.as_str(), &device), sealed.as_slice())?;
        }
        Ok(())
    }

    /// Writes a sealed value under a text key.
    pub fn put(&self, table: StrTable, key: &str, value: &[u8]) -> Result<()> {
        self.store.step()?;
        let sealed = self.key.seal(&aad(table.name(), key.as_bytes()), value)?;
        self.w()?.open_table(table)?.insert(key, sealed.as_slice())?;
        Ok(())
    }

    /// Removes a value under a text key.
    pub fn remove(&self, table: StrTable, key: &str) -> Result<()> {
        self.store.step()?;
        self.w()?.open_table(table)?.remove(key)?;
        Ok(())
    }

    /// Writes a sealed value under a 32-byte key.
    pub fn put32(&self, table: KeyTable, key: &[u8; 32], value: &[u8]) -> Result<()> {
        self.store.step()?;
        let sealed = self.key.seal(&aad(table.name(), key), value)?;
        self.w()?.open_table(table)?.insert(key, sealed.as_slice())?;
        Ok(())
    }

    /// Reads a value under a 32-byte key inside this transaction.
    pub fn get32(&self, table: KeyTable, key: &[u8; 32]) -> Result<Option<Vec<u8>>> {
        let t = self.w()?.open_table(table)?;
        let Some(v) = t.get(key)? else { return Ok(None) };
        unseal(self.key, table.name(), key, v.value()).map(Some)
    }

    /// Appends a line to a running-number table (rejections, access log).
    pub fn append_line(&self, table: LineTable, json: &[u8]) -> Result<()> {
        self.store.step()?;
        let mut t = self.w()?.open_table(table)?;
        let next = t.last()?.map(|(k, _)| k.value() + 1).unwrap_or(0);
        let sealed = self.key.seal(&aad(table.name(), &next.to_be_bytes()), json)?;
        t.insert(next, sealed.as_slice())?;
        Ok(())
    }

    /// Appends changes, skipping ones already stored. A different change with
    /// the same (device, seq) as a stored one is equivocation: nothing is
    /// appended and the error names both hashes. Returns how many were new.
    pub fn append_changes(&self, changes: &[NewChange<'_>]) -> Result<usize> {
        self.store.step()?;
        let mut log = self.w()?.open_table(CHANGES)?;
        let mut index = self.w()?.open_table(CHANGE_INDEX)?;
        let mut seqs = self.w()?.open_table(SEQS)?;
        let mut usage = self.w()?.open_table(USAGE)?;
        let mut grown: std::collections::BTreeMap<(&str, &[u8; 32]), u64> = Default::default();
        let mut added = 0;
        for c in changes {
            if index.get((c.doc, &c.hash))?.is_some() {
                continue;
            }
            if let Some(other) = seqs.get((c.doc, c.change.signer.as_bytes(), c.seq))? {
                let other = other.value();
                if other != &c.hash {
                    return Err(VaultError::Equivocation {
                        doc: c.doc.to_string(),
                        device: c.change.signer.to_string(),
                        seq: c.seq,
                        first: hex::encode(other),
                        second: hex::encode(c.hash),
                    });
                }
            }
            let next = log
                .range((c.doc, 0)..=(c.doc, u64::MAX))?
                .next_back()
                .transpose()?
                .map(|(k, _)| k.value().1 + 1)
                .unwrap_or(0);
            let encoded = c.change.encode();
            let sealed = self.key.seal(&change_aad(c.doc, next), &encoded)?;
            log.insert((c.doc, next), sealed.as_slice())?;
            *grown.entry((c.doc, c.change.signer.as_bytes())).or_default() += encoded.len() as u64;
            index.insert((c.doc, &c.hash), next)?;
            seqs.insert((c.doc, c.change.signer.as_bytes(), c.seq), &c.hash)?;
            added += 1;
        }
        for ((doc, device), bytes) in grown {
            let used = read_usage(&usage, self.key, doc, device)? + bytes;
            let sealed = self.key.seal(&usage_aad(doc, device), &used.to_be_bytes())?;
            usage.insert((doc, device), sealed.as_slice())?;
        }
        Ok(added)
    }

    /// One past the last change row of a document (0 if it has none), inside this transaction.
    pub fn next_row(&self, doc: &str) -> Result<u64> {
        let t = self.w()?.open_table(CHANGES)?;
        let last = t.range((doc, 0)..=(doc, u64::MAX))?.next_back().transpose()?;
        Ok(last.map(|(k, _)| k.value().1 + 1).unwrap_or(0))
    }

    /// Whether another handle of this vault (another process, or a second
    /// handle in this one) committed since this handle's memory last caught
    /// up with the file: what memory judged by may then be older than what
    /// the file holds. Read inside this transaction, which holds the file's
    /// write lock, so no commit can slip in after the answer.
    pub fn behind(&self) -> Result<bool> {
        let t = self.w()?.open_table(GENERATION)?;
        let generation = t.get(GENERATION_KEY)?.map(|g| g.value()).unwrap_or(0);
        Ok(self.store.seen() != Some(generation))
    }

    /// Whether this write is part of a running action (it commits with the action).
    pub fn in_action(&self) -> bool {
        matches!(self.hold, Hold::Batch(_))
    }

    /// Change rows of a document from row `from` on, read inside this transaction.
    pub fn changes_from(&self, doc: &str, from: u64) -> Result<Vec<(u64, Vec<u8>)>> {
        self.w()?.changes_from(self.key, doc, from)
    }

    /// Commits durably; inside an action, only marks this write done (the
    /// action commits everything at once).
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        match &mut self.hold {
            Hold::Own(w) => {
                if let Some(w) = w.take() {
                    self.store.step()?;
                    let before = bump_generation(&w)?;
                    w.commit()?;
                    self.store.committed_own(before);
                }
            }
            Hold::Batch(guard) => {
                if let Some(b) = guard.as_mut() {
                    b.writes += 1;
                }
            }
        }
        Ok(())
    }
}

/// Every row of a vault in the clear (for an encrypted backup): values are
/// opened, keys kept; snapshots are left out (they are rebuilt).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Dump {
    /// META rows except the clear ones: key, hex value.
    pub meta: Vec<(String, String)>,
    /// DOCS rows: document id, header JSON (hex).
    pub docs: Vec<(String, String)>,
    /// DEVICES, INVITES and PEERS rows: table, hex key, hex value.
    pub keyed: Vec<(String, String, String)>,
    /// REJECTIONS and ACCESS_LOG rows: table, number, hex value.
    pub lines: Vec<(String, u64, String)>,
    /// CHANGES rows: document, row, hex of the encoded signed change.
    pub changes: Vec<(String, u64, String)>,
    /// CHANGE_INDEX rows: document, hex hash, row.
    pub index: Vec<(String, String, u64)>,
    /// SEQS rows: document, hex device, seq, hex hash.
    pub seqs: Vec<(String, String, u64, String)>,
}

const KEYED: [KeyTable; 3] = [DEVICES, INVITES, PEERS];
const LINES: [LineTable; 2] = [REJECTIONS, ACCESS_LOG];

fn unhex<const N: usize>(s: &str, what: &str) -> Result<[u8; N]> {
    hex::decode(s)
        .ok()
        .and_then(|v| <[u8; N]>::try_from(v.as_slice()).ok())
        .ok_or_else(|| VaultError::Corrupt(format!("{what} in the backup is not {N} bytes of hex")))
}

fn unhex_vec(s: &str, what: &str) -> Result<Vec<u8>> {
    hex::decode(s).map_err(|_| VaultError::Corrupt(format!("{what} in the backup is not hex")))
}

impl Store {
    /// Reads every row, opened, in one read transaction (a consistent copy
    /// even while other processes write).
    pub fn dump(&self) -> Result<Dump> {
        let r = self.read()?;
        let mut d = Dump::default();
        for row in r.open_table(META)?.iter()? {
            let (k, v) = row?;
            let k = k.value();
            if CLEAR_META.contains(&k) {
                continue;
            }
            d.meta.push((
                k.to_string(),
                hex::encode(self.unseal(META.name(), k.as_bytes(), v.value())?),
            ));
        }
        for row in r.open_table(DOCS)?.iter()? {
            let (k, v) = row?;
            let k = k.value();
            d.docs.push((
                k.to_string(),
                hex::encode(self.unseal(DOCS.name(), k.as_bytes(), v.value())?),
            ));
        }
        for table in KEYED {
            for row in r.open_table(table)?.iter()? {
                let (k, v) = row?;
                let plain = self.unseal(table.name(), k.value(), v.value())?;
                d.keyed
                    .push((table.name().to_string(), hex::encode(k.value()), hex::encode(plain)));
            }
        }
        for table in LINES {
            for row in r.open_table(table)?.iter()? {
                let (k, v) = row?;
                let n = k.value();
                let plain = self.unseal(table.name(), &n.to_be_bytes(), v.value())?;
                d.lines.push((table.name().to_string(), n, hex::encode(plain)));
            }
        }
        for row in r.open_table(CHANGES)?.iter()? {
            let (k, v) = row?;
            let (doc, n) = k.value();
            d.changes.push((
                doc.to_string(),
                n,
                hex::encode(open_change(&r, &self.key, doc, n, v.value())?),
            ));
        }
        for row in r.open_table(CHANGE_INDEX)?.iter()? {
            let (k, v) = row?;
            let (doc, hash) = k.value();
            d.index.push((doc.to_string(), hex::encode(hash), v.value()));
        }
        for row in r.open_table(SEQS)?.iter()? {
            let (k, v) = row?;
            let (doc, device, seq) = k.value();
            d.seqs
                .push((doc.to_string(), hex::encode(device), seq, hex::encode(v.value())));
        }
        Ok(d)
    }

    /// Creates a new file from a dump, sealed under `key` with `wrap` stored
    /// beside it. Fails if the file exists; a dump with a malformed row
    /// creates nothing usable and says which row.
    pub fn create_from_dump(path: &Path, key: &VaultKey, wrap: &KeyWrap, dump: &Dump) -> Result<Self> {
        if path.exists() {
            return Err(VaultError::AlreadyExists(path.display().to_string()));
        }
        let wrap = serde_json::to_vec(wrap).map_err(|e| VaultError::Storage(e.to_string()))?;
        let db = builder().create(path).map_err(|e| map_db_error(e, path))?;
        let store = Self::with(db, key.clone());
        let w = store.begin()?;
        {
            let mut meta = w.w()?.open_table(META)?;
            meta.insert("schema_version", SCHEMA_VERSION.to_be_bytes().as_slice())?;
            meta.insert("key_wrap", wrap.as_slice())?;
        }
        w.open_all_tables()?;
        for (k, v) in &dump.meta {
            w.put(META, k, &unhex_vec(v, "a setting")?)?;
        }
        for (k, v) in &dump.docs {
            w.put(DOCS, k, &unhex_vec(v, "a document header")?)?;
        }
        for (table, k, v) in &dump.keyed {
            let t = KEYED
                .into_iter()
                .find(|t| t.name() == table)
                .ok_or_else(|| VaultError::Corrupt(format!("unknown table {table} in the backup")))?;
            w.put32(t, &unhex::<32>(k, "a key")?, &unhex_vec(v, "a value")?)?;
        }
        for (table, n, v) in &dump.lines {
            let t = LINES
                .into_iter()
                .find(|t| t.name() == table)
                .ok_or_else(|| VaultError::Corrupt(format!("unknown table {table} in the backup")))?;
            let sealed = key.seal(&aad(t.name(), &n.to_be_bytes()), &unhex_vec(v, "a log line")?)?;
            w.w()?.open_table(t)?.insert(*n, sealed.as_slice())?;
        }
        {
            let mut log = w.w()?.open_table(CHANGES)?;
            for (doc, n, v) in &dump.changes {
                let sealed = key.seal(&change_aad(doc, *n), &unhex_vec(v, "a change")?)?;
                log.insert((doc.as_str(), *n), sealed.as_slice())?;
            }
            let mut index = w.w()?.open_table(CHANGE_INDEX)?;
            for (doc, hash, n) in &dump.index {
                index.insert((doc.as_str(), &unhex::<32>(hash, "a change hash")?), *n)?;
            }
            let mut seqs = w.w()?.open_table(SEQS)?;
            for (doc, device, seq, hash) in &dump.seqs {
                let device = unhex::<32>(device, "a device key")?;
                seqs.insert((doc.as_str(), &device, *seq), &unhex::<32>(hash, "a change hash")?)?;
            }
        }
        w.recount_usage()?;
        w.commit()?;
        Ok(store)
    }

    /// The wrapped vault key as stored.
    pub fn key_wrap(&self) -> Result<KeyWrap> {
        parse_key_wrap(self.meta("key_wrap")?)
    }
}

/// The stored key wrap, or why it cannot be read.
fn parse_key_wrap(raw: Option<Vec<u8>>) -> Result<KeyWrap> {
    let raw = raw.ok_or_else(|| VaultError::Corrupt("the wrapped vault key is missing".into()))?;
    serde_json::from_slice(&raw).map_err(|e| VaultError::Corrupt(format!("the wrapped vault key is unreadable: {e}")))
}

fn map_db_error(e: redb::DatabaseError, path: &Path) -> VaultError {
    match e {
        redb::DatabaseError::DatabaseAlreadyOpen => VaultError::InUse(path.display().to_string()),
        other => VaultError::Corrupt(format!("cannot open {}: {other}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DB_FILE, Vault};
    use inwonercloud_schemas::{LifeDomain, Role};

    /// The sealed bytes of a change row, as they are in the file.
    fn raw_row(file: &Path, doc: &str, row: u64) -> Vec<u8> {
        let db = Database::open(file).unwrap();
        let r = db.begin_read().unwrap();
        let t = r.open_table(CHANGES).unwrap();
        t.get((doc, row)).unwrap().unwrap().value().to_vec()
    }

    /// Writes bytes into a change row as they are (what an attacker with the file can do).
    fn put_row(file: &Path, doc: &str, row: u64, bytes: &[u8]) {
        let db = Database::open(file).unwrap();
        let w = db.begin_write().unwrap();
        w.open_table(CHANGES).unwrap().insert((doc, row), bytes).unwrap();
        w.commit().unwrap();
    }

    /// Rows a snapshot stands for are checked by their tag alone on open
    /// ([`Store::check_changes`]); every way of altering one still refuses
    /// the open and names the row: one bit flipped in the format byte, the
    /// nonce, the ciphertext or the tag, the row cut short, another row's
    /// bytes moved into it, and its own change sealed under another key.
    #[test]
    fn every_altered_row_under_a_snapshot_refuses_the_open() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("v");
        let mut v = crate::testing::vault(&dir, "Anna", Role::Citizen);
        let plan = v.plan_doc();
        for i in 0..6 {
            v.add_goal(&plan, LifeDomain::Wonen, &format!("doel {i}"), None)
                .unwrap();
        }
        v.compact().unwrap();
        let rows = v.change_count(&plan).unwrap();
        assert_eq!(v.store().snapshot(&plan).unwrap().map(|s| s.0), Some(rows));
        let key = v.key();
        drop(v);
        let file = dir.join(DB_FILE);
        let row = 3;
        let sealed = raw_row(&file, &plan, row);
        let plain = key.open(&change_aad(&plan, row), &sealed).unwrap();
        let n = sealed.len();
        let mut altered = vec![];
        for (what, at) in [("format byte", 0), ("nonce", 5), ("ciphertext", n / 2), ("tag", n - 1)] {
            let mut bad = sealed.clone();
            bad[at] ^= 1;
            altered.push((what, bad));
        }
        altered.push(("cut short", sealed[..n - 1].to_vec()));
        altered.push(("moved from another row", raw_row(&file, &plan, row - 1)));
        let foreign = VaultKey::generate().unwrap();
        altered.push((
            "sealed under another key",
            foreign.seal(&change_aad(&plan, row), &plain).unwrap(),
        ));
        for (what, bad) in altered {
            put_row(&file, &plan, row, &bad);
            let err = Vault::open_with_key(&dir, &key).map(drop).unwrap_err();
            assert!(
                matches!(&err, VaultError::TamperedChange { doc, seq, .. } if *doc == plan && *seq == row),
                "{what}: {err}"
            );
            put_row(&file, &plan, row, &sealed);
            let v = Vault::open_with_key(&dir, &key).unwrap();
            assert_eq!(
                v.plan(&plan).unwrap().goals.len(),
                6,
                "{what}: restored, it opens whole"
            );
        }
    }
}
