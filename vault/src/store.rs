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
pub const CHANGE_INDEX: TableDefinition<(&str, &[u8; 32]), u64> = TableDefinition::new("change_index");
/// Document id → rows covered (8 bytes, big-endian) followed by an automerge save.
pub const SNAPSHOTS: TableDefinition<&str, &[u8]> = TableDefinition::new("snapshots");
/// Device key → JSON of its `CertifiedDevice`.
pub const DEVICES: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("devices");
/// Running number → JSON of a refused change or record (the audit of what was rejected).
pub const REJECTIONS: TableDefinition<u64, &[u8]> = TableDefinition::new("rejections");
/// (Document id, device, automerge seq) → change hash: version vectors and equivocation checks.
pub const SEQS: TableDefinition<(&str, &[u8; 32], u64), &[u8; 32]> = TableDefinition::new("seqs");
/// SHA-256 of an invite secret → JSON of the invite.
pub const INVITES: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("invites");
/// Peer identity → JSON of what is known about the peer.
pub const PEERS: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("peers");
/// Running number → JSON of one access-log line (who got or gave what, when).
pub const ACCESS_LOG: TableDefinition<u64, &[u8]> = TableDefinition::new("access_log");

/// The opened redb database.
pub struct Store {
    db: Database,
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
fn builder() -> redb::Builder {
    let mut b = redb::Builder::new();
    b.set_concurrency_mode(redb::ConcurrencyMode::MultiWriter);
    b
}

impl Store {
    /// Creates a new file (fails if it exists).
    pub fn create(path: &Path) -> Result<Self> {
        if path.exists() {
            return Err(VaultError::AlreadyExists(path.display().to_string()));
        }
        let db = builder().create(path).map_err(|e| map_db_error(e, path))?;
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
            w.open_table(SEQS)?;
            w.open_table(INVITES)?;
            w.open_table(PEERS)?;
            w.open_table(ACCESS_LOG)?;
        }
        w.commit()?;
        Ok(store)
    }

    /// Opens an existing file and checks its schema version.
    pub fn open(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Err(VaultError::NotFound(path.display().to_string()));
        }
        let db = builder().open(path).map_err(|e| map_db_error(e, path))?;
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
        self.changes_from(doc, 0)
    }

    /// Change rows of a document from row `from` on.
    pub fn changes_from(&self, doc: &str, from: u64) -> Result<Vec<(u64, Vec<u8>)>> {
        let r = self.read()?;
        let t = r.open_table(CHANGES)?;
        let mut out = vec![];
        for row in t.range((doc, from)..=(doc, u64::MAX))? {
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

    /// Every line of a running-number table (JSON), oldest first.
    pub fn lines(&self, table: TableDefinition<u64, &[u8]>) -> Result<Vec<Vec<u8>>> {
        let r = self.read()?;
        let t = r.open_table(table)?;
        let mut out = vec![];
        for row in t.iter()? {
            out.push(row?.1.value().to_vec());
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

    /// Rows of the changes a peer with `have` lacks, in row order.
    pub fn missing_for(
        &self,
        doc: &str,
        have: &std::collections::BTreeMap<[u8; 32], u64>,
    ) -> Result<Vec<(u64, Vec<u8>)>> {
        let r = self.read()?;
        let seqs = r.open_table(SEQS)?;
        let index = r.open_table(CHANGE_INDEX)?;
        let log = r.open_table(CHANGES)?;
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
        let mut out = Vec::with_capacity(rows.len());
        for n in rows {
            if let Some(v) = log.get((doc, n))? {
                out.push((n, v.value().to_vec()));
            }
        }
        Ok(out)
    }

    /// A value from a table keyed by 32 bytes.
    pub fn get32(&self, table: TableDefinition<&[u8; 32], &[u8]>, key: &[u8; 32]) -> Result<Option<Vec<u8>>> {
        let r = self.read()?;
        let t = r.open_table(table)?;
        Ok(t.get(key)?.map(|g| g.value().to_vec()))
    }

    /// Every value of a table keyed by 32 bytes.
    pub fn all32(&self, table: TableDefinition<&[u8; 32], &[u8]>) -> Result<Vec<Vec<u8>>> {
        let r = self.read()?;
        let t = r.open_table(table)?;
        let mut out = vec![];
        for row in t.iter()? {
            out.push(row?.1.value().to_vec());
        }
        Ok(out)
    }
}

/// Appends changes inside an open write transaction, skipping ones already
/// stored. A different change with the same (device, seq) as a stored one is
/// equivocation: nothing is appended and the error names both hashes.
/// Returns how many were new.
pub fn append_changes(w: &redb::WriteTransaction, changes: &[NewChange<'_>]) -> Result<usize> {
    let mut log = w.open_table(CHANGES)?;
    let mut index = w.open_table(CHANGE_INDEX)?;
    let mut seqs = w.open_table(SEQS)?;
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
        log.insert((c.doc, next), c.change.encode().as_slice())?;
        index.insert((c.doc, &c.hash), next)?;
        seqs.insert((c.doc, c.change.signer.as_bytes(), c.seq), &c.hash)?;
        added += 1;
    }
    Ok(added)
}

/// Change rows of a document from row `from` on, read inside a write transaction.
pub fn changes_from_txn(w: &redb::WriteTransaction, doc: &str, from: u64) -> Result<Vec<(u64, Vec<u8>)>> {
    let t = w.open_table(CHANGES)?;
    let mut out = vec![];
    for row in t.range((doc, from)..=(doc, u64::MAX))? {
        let (k, v) = row?;
        out.push((k.value().1, v.value().to_vec()));
    }
    Ok(out)
}

/// Appends a line to a running-number table (rejections, access log).
pub fn append_line(w: &redb::WriteTransaction, table: TableDefinition<u64, &[u8]>, json: &[u8]) -> Result<()> {
    let mut t = w.open_table(table)?;
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
