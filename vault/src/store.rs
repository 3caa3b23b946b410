//! The redb file: tables, their encodings, and the transactions that touch them.
//!
//! Every write is one redb transaction with `Durability::Immediate`; a crash
//! loses nothing that was committed. The change log has one row per signed
//! change, keyed by `(document id, row number)`, and an index by change hash.
//! Snapshots are compacted `save()`s that speed up opening; the log stays the
//! source of truth.

use std::path::Path;

use redb::{Database, Durability, ReadableDatabase, ReadableTable, TableDefinition};

use crate::change::SignedChange;
use crate::error::{Result, VaultError};

/// Bumped on any incompatible change of the tables below.
pub const SCHEMA_VERSION: u32 = 1;

/// Small values: schema version, keys, this device's certificate.
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Document id → JSON of the owner-signed `DocumentHeader`.
pub const DOCS: TableDefinition<&str, &[u8]> = TableDefinition::new("docs");
/// (Document id, row) → encoded [`SignedChange`].
pub const CHANGES: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("changes");
/// (Document id, change hash) → row.
pub const CHANGE_INDEX: TableDefinition<(&str, &[u8; 32]), u64> =
    TableDefinition::new("change_index");
/// Document id → rows covered (8 bytes, big-endian) followed by an automerge save.
pub const SNAPSHOTS: TableDefinition<&str, &[u8]> = TableDefinition::new("snapshots");
/// Device key → JSON of its `CertifiedDevice`.
pub const DEVICES: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("devices");
/// Running number → JSON of a refused change or record (the audit of what was rejected).
pub const REJECTIONS: TableDefinition<u64, &[u8]> = TableDefinition::new("rejections");

/// The opened redb database.
pub struct Store {
    db: Database,
}

/// A change to append: document, signed change, its hash.
pub struct NewChange<'a> {
    /// Document id.
    pub doc: &'a str,
    /// The change.
    pub change: &'a SignedChange,
    /// Its automerge hash.
    pub hash: [u8; 32],
}

impl Store {
    /// Creates a new file (fails if it exists).
    pub fn create(path: &Path) -> Result<Self> {
        if path.exists() {
            return Err(VaultError::AlreadyExists(path.display().to_string()));
        }
        let db = Database::create(path).map_err(|e| map_db_error(e, path))?;
        let store = Self { db };
        let w = store.begin()?;
        {
            let mut meta = w.open_table(META)?;
            meta.insert("schema_version", SCHEMA_VERSION.to_be_bytes().as_slice())?;
            w.open_table(DOCS)?;
            w.open_table(CHANGES)?;
            w.open_table(CHANGE_INDEX)?;
            w.open_table(SNAPSHOTS)?;
            w.open_table(DEVICES)?;
            w.open_table(REJECTIONS)?;
        }
        w.commit()?;
        Ok(store)
    }

    /// Opens an existing file and checks its schema version.
    pub fn open(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Err(VaultError::NotFound(path.display().to_string()));
        }
        let db = Database::open(path).map_err(|e| map_db_error(e, path))?;
        let store = Self { db };
        let version = store
            .meta("schema_version")?
            .and_then(|v| <[u8; 4]>::try_from(v.as_slice()).ok())
            .map(u32::from_be_bytes)
            .ok_or_else(|| VaultError::Corrupt("the schema version is missing".into()))?;
        if version > SCHEMA_VERSION {
            return Err(VaultError::UnsupportedVersion {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        Ok(store)
    }

    /// Starts a durable write transaction.
    pub fn begin(&self) -> Result<redb::WriteTransaction> {
        let mut w = self.db.begin_write()?;
        w.set_durability(Durability::Immediate)?;
        Ok(w)
    }

    /// Starts a read transaction.
    pub fn read(&self) -> Result<redb::ReadTransaction> {
        Ok(self.db.begin_read()?)
    }

    /// A meta value.
    pub fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let r = self.read()?;
        let t = r.open_table(META)?;
        Ok(t.get(key)?.map(|g| g.value().to_vec()))
    }

    /// Every document id with its stored header JSON.
    pub fn documents(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let r = self.read()?;
        let t = r.open_table(DOCS)?;
        let mut out = vec![];
        for row in t.iter()? {
            let (k, v) = row?;
            out.push((k.value().to_string(), v.value().to_vec()));
        }
        Ok(out)
    }

    /// All change rows of a document, in row order.
    pub fn changes(&self, doc: &str) -> Result<Vec<(u64, Vec<u8>)>> {
        let r = self.read()?;
        let t = r.open_table(CHANGES)?;
        let mut out = vec![];
        for row in t.range((doc, 0)..=(doc, u64::MAX))? {
            let (k, v) = row?;
            out.push((k.value().1, v.value().to_vec()));
        }
        Ok(out)
    }

    /// The snapshot of a document: rows it covers and the saved bytes.
    pub fn snapshot(&self, doc: &str) -> Result<Option<(u64, Vec<u8>)>> {
        let r = self.read()?;
        let t = r.open_table(SNAPSHOTS)?;
        let Some(v) = t.get(doc)? else {
            return Ok(None);
        };
        let v = v.value();
        if v.len() < 8 {
            return Ok(None);
        }
        let mut n = [0u8; 8];
        n.copy_from_slice(&v[..8]);
        Ok(Some((u64::from_be_bytes(n), v[8..].to_vec())))
    }

    /// Whether a change with this hash is stored for the document.
    pub fn has_change(&self, doc: &str, hash: &[u8; 32]) -> Result<bool> {
        let r = self.read()?;
        let t = r.open_table(CHANGE_INDEX)?;
        Ok(t.get((doc, hash))?.is_some())
    }

    /// Every stored device certificate (JSON).
    pub fn devices(&self) -> Result<Vec<Vec<u8>>> {
        let r = self.read()?;
        let t = r.open_table(DEVICES)?;
        let mut out = vec![];
        for row in t.iter()? {
            out.push(row?.1.value().to_vec());
        }
        Ok(out)
    }

    /// Every rejection record (JSON), oldest first.
    pub fn rejections(&self) -> Result<Vec<Vec<u8>>> {
        let r = self.read()?;
        let t = r.open_table(REJECTIONS)?;
        let mut out = vec![];
        for row in t.iter()? {
            out.push(row?.1.value().to_vec());
        }
        Ok(out)
    }
}

/// Appends changes inside an open write transaction, skipping ones already stored.
/// Returns how many were new.
pub fn append_changes(w: &redb::WriteTransaction, changes: &[NewChange<'_>]) -> Result<usize> {
    let mut log = w.open_table(CHANGES)?;
    let mut index = w.open_table(CHANGE_INDEX)?;
    let mut added = 0;
    for c in changes {
        if index.get((c.doc, &c.hash))?.is_some() {
            continue;
        }
        let next = log
            .range((c.doc, 0)..=(c.doc, u64::MAX))?
            .next_back()
            .transpose()?
            .map(|(k, _)| k.value().1 + 1)
            .unwrap_or(0);
        log.insert((c.doc, next), c.change.encode().as_slice())?;
        index.insert((c.doc, &c.hash), next)?;
        added += 1;
    }
    Ok(added)
}

/// Appends a rejection record inside an open write transaction.
pub fn append_rejection(w: &redb::WriteTransaction, json: &[u8]) -> Result<()> {
    let mut t = w.open_table(REJECTIONS)?;
    let next = t.last()?.map(|(k, _)| k.value() + 1).unwrap_or(0);
    t.insert(next, json)?;
    Ok(())
}

fn map_db_error(e: redb::DatabaseError, path: &Path) -> VaultError {
    match e {
        redb::DatabaseError::DatabaseAlreadyOpen => VaultError::InUse(path.display().to_string()),
        other => VaultError::Corrupt(format!("cannot open {}: {other}", path.display())),
    }
}
