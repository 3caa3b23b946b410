//! One automerge document and the records it holds.
//!
//! Records live flat in the root map under `"<kind>/<id>"`, each value the
//! JSON of a [`Signed`] record. Flat keys avoid the classic automerge trap of
//! two devices creating the same nested map concurrently (one would hide the
//! other). The op that last set a key carries its actor, which is the device
//! that wrote it — a verified fact, because every change is signed by its actor.

use automerge::{AutoCommit, ChangeHash, ObjId, ReadDoc, ScalarValueRef, ValueRef, transaction::Transactable};
use inwonercloud_schemas::{DocumentHeader, PublicKey, Record, Signed};

use crate::error::Result;

/// A document in memory.
pub struct Doc {
    /// The owner-signed header.
    pub header: Signed<DocumentHeader>,
    /// The automerge document.
    pub am: AutoCommit,
    /// Rows in the change log.
    pub rows: u64,
    /// Rows covered by the stored snapshot.
    pub snapshot_rows: u64,
    /// Changes received that wait for dependencies that have not arrived
    /// (an upper bound; emptied whenever nothing is missing). See
    /// [`crate::replica::MAX_PENDING_CHANGES`].
    pub waiting: std::collections::HashSet<automerge::ChangeHash>,
    /// The parsed records as of the snapshot, when its cache was loaded or
    /// written with it ([`crate::record_cache`]); records set since are
    /// parsed on read.
    pub cache: Option<crate::record_cache::RecordCache>,
}

/// A document whose snapshot covers fewer rows than this is *small*: it is
/// snapshotted again after [`SNAPSHOT_SMALL_EVERY`] new rows instead of
/// waiting for the steady interval (equal to the vault's `SNAPSHOT_EVERY`).
pub const SMALL_DOCUMENT_ROWS: u64 = 256;

/// New rows after which a small document that gained rows by import (or in
/// a sync session) is snapshotted again. A municipality holds thousands of
/// documents of about a hundred rows; without a snapshot each of their rows
/// is verified and applied again on every open. Saving a small document is
/// cheap, and at most `SMALL_DOCUMENT_ROWS / SNAPSHOT_SMALL_EVERY` (16)
/// saves are taken while it is small.
pub const SNAPSHOT_SMALL_EVERY: u64 = 16;

impl Doc {
    /// New rows since the last snapshot after which the next one is due when
    /// rows come in by import or sync: any rows at all when the document has
    /// no snapshot yet (a document that arrived by import opens from a
    /// snapshot), [`SNAPSHOT_SMALL_EVERY`] while it is small, and otherwise
    /// `large` (the steady interval, or the rows already covered during a
    /// long import: O(log N) saves, O(N) bytes written in all).
    pub fn import_snapshot_step(&self, large: u64) -> u64 {
        match self.snapshot_rows {
            0 => 1,
            n if n < SMALL_DOCUMENT_ROWS => SNAPSHOT_SMALL_EVERY,
            _ => large,
        }
    }

    /// Whether a new snapshot is due: at least `min_new` rows came since the
    /// last one (counting `unlogged` applied changes about to be appended),
    /// and no change waits for a missing dependency (a snapshot stands for
    /// every row it covers, so it may not leave one out).
    pub fn snapshot_due(&mut self, min_new: u64, unlogged: u64) -> bool {
        (self.rows + unlogged).saturating_sub(self.snapshot_rows) >= min_new.max(1)
            && self.am.get_missing_deps(&[]).is_empty()
    }
}

/// A record as stored: its key, its JSON, and the device that put it there.
pub struct RawRecord {
    /// `"<kind>/<id>"`.
    pub key: String,
    /// JSON of the signed record.
    pub json: String,
    /// Device whose change set the value.
    pub placed_by: Option<PublicKey>,
}

/// The key of a record.
pub fn record_key<R: Record>(id: &str) -> String {
    format!("{}/{}", R::KIND, id)
}

impl Doc {
    /// Writes a signed record's JSON under its key (uncommitted).
    pub fn put<R: Record>(&mut self, id: &str, signed: &Signed<R>) -> Result<()> {
        let json = serde_json::to_string(signed).map_err(|e| crate::VaultError::Document(e.to_string()))?;
        self.am.put(automerge::ROOT, record_key::<R>(id), json)?;
        Ok(())
    }

    /// Writes a file's bytes under `key` (uncommitted): receipts' files,
    /// named `attachment/<hash>`.
    pub fn put_bytes(&mut self, key: &str, bytes: Vec<u8>) -> Result<()> {
        self.am
            .put(automerge::ROOT, key, automerge::ScalarValue::Bytes(bytes))?;
        Ok(())
    }

    /// The bytes stored under `key`, if it holds bytes.
    pub fn bytes(&self, key: &str) -> Option<Vec<u8>> {
        match self.am.get(automerge::ROOT, key).ok()??.0 {
            automerge::Value::Scalar(s) => match s.as_ref() {
                automerge::ScalarValue::Bytes(b) => Some(b.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    /// The key range holding every record of kind `R` (`kind/…`).
    fn kind_range<R: Record>() -> std::ops::Range<String> {
        format!("{}/", R::KIND)..format!("{}0", R::KIND)
    }

    /// Every record of a kind, in key order.
    pub fn raw_records<R: Record>(&self) -> Vec<RawRecord> {
        self.am
            .map_range(automerge::ROOT, Self::kind_range::<R>())
            .filter_map(raw_record)
            .collect()
    }

    /// One record by id, read straight from the document's key map (no scan).
    pub fn raw_record<R: Record>(&self, id: &str) -> Option<RawRecord> {
        let key = record_key::<R>(id);
        let (value, obj) = self.am.get(automerge::ROOT, key.as_str()).ok()??;
        let json = value.as_str()?.to_string();
        Some(RawRecord {
            key,
            json,
            placed_by: actor_of(&obj),
        })
    }

    /// The same at an earlier point in history.
    pub fn raw_records_at<R: Record>(&self, heads: &[ChangeHash]) -> Vec<RawRecord> {
        self.am
            .map_range_at(automerge::ROOT, Self::kind_range::<R>(), heads)
            .filter_map(raw_record)
            .collect()
    }
}

/// The device key of the actor that created an op.
pub fn actor_of(id: &ObjId) -> Option<PublicKey> {
    match id {
        ObjId::Id(_, actor, _) => PublicKey::try_from(actor.to_bytes()).ok(),
        ObjId::Root => None,
    }
}

/// A stored record (a string value) as read from the document; other values are not records.
fn raw_record(item: automerge::iter::MapRangeItem<'_>) -> Option<RawRecord> {
    let json = match &item.value {
        ValueRef::Scalar(ScalarValueRef::Str(s)) => s.to_string(),
        _ => return None,
    };
    Some(RawRecord {
        key: item.key.to_string(),
        json,
        placed_by: actor_of(&item.id()),
    })
}
