//! Receipts: photos and PDFs that back a spend, stored in the budget
//! document itself.
//!
//! A [`Receipt`] record names a ledger entry (by id and by the hash of its
//! signed record) and each file by the SHA-256 of its bytes. The bytes sit
//! in the same document under `attachment/<hash>`, written in the same
//! change as the record: they are sealed at rest like every stored value,
//! synced with the document and only under its consent, and part of its
//! history (the retention archive). A receipt counts only when its signer
//! is the entry's signer and every file's bytes match their hash
//! ([`FileState`]).

use inwonercloud_schemas::receipt::{MAX_FILE_BYTES, MAX_FILES, media_type_of};
use inwonercloud_schemas::{Attachment, EntryKind, Hash32, LedgerEntry, Receipt, SchemaError};
use sha2::{Digest, Sha256};

use crate::budget::NewEntry;
use crate::error::{Result, VaultError};
use crate::keys;
use crate::plan::new_id;
use crate::vault::{Authored, Vault};

/// A file to attach: its name and bytes.
#[derive(Clone, Debug)]
pub struct NewFile {
    /// The file name (no path).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Whether a receipt's file is there and is what the receipt names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileState {
    /// The bytes are held and match the hash.
    Present,
    /// The bytes have not arrived (or were never written).
    Missing,
    /// Bytes are held under the name but do not match the hash.
    Altered,
}

/// A receipt as read: the record, whether it counts, and each file's state.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ReceiptView {
    /// The signed receipt.
    pub receipt: Authored<Receipt>,
    /// Whether it backs its entry: signed by the entry's signer, over that
    /// entry's exact record, with every file present and intact.
    pub valid: bool,
    /// Why not, when it does not.
    pub problem: Option<String>,
    /// Per file, in order.
    pub files: Vec<FileState>,
}

/// The document key a file's bytes are stored under.
pub fn attachment_key(hash: &Hash32) -> String {
    format!("attachment/{hash}")
}

/// The SHA-256 a receipt names a file by.
pub fn sha256(bytes: &[u8]) -> Hash32 {
    Hash32(Sha256::digest(bytes).into())
}

/// Checks files a person picked and describes them: size, kind, name.
fn describe(files: &[NewFile]) -> Result<Vec<Attachment>> {
    if files.is_empty() || files.len() > MAX_FILES {
        return Err(VaultError::Input(SchemaError::Invalid(format!(
            "attach 1 to {MAX_FILES} files to a receipt, not {}",
            files.len()
        ))));
    }
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let name = std::path::Path::new(&f.name)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("bon")
            .to_string();
        if f.bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(VaultError::Input(SchemaError::Invalid(format!(
                "{name} is {:.1} MiB; a receipt file may be at most {} MiB (take the photo at a lower resolution)",
                f.bytes.len() as f64 / (1024.0 * 1024.0),
                MAX_FILE_BYTES / (1024 * 1024)
            ))));
        }
        let media_type = media_type_of(&f.bytes).ok_or_else(|| {
            VaultError::Input(SchemaError::Invalid(format!(
                "{name} is not a photo (JPEG, PNG) or a PDF; save the receipt as one of those"
            )))
        })?;
        out.push(Attachment {
            hash: sha256(&f.bytes),
            name,
            media_type: media_type.to_string(),
            size: f.bytes.len() as u64,
        });
    }
    Ok(out)
}

impl Vault {
    /// Attaches files to a ledger entry this vault's identity signed (a
    /// spend, a top-up): one receipt record and the files' bytes, in one
    /// change.
    pub fn attach_receipt(&mut self, doc: &str, entry: &str, files: Vec<NewFile>) -> Result<Receipt> {
        let found = self
            .record::<LedgerEntry>(doc, entry)?
            .ok_or_else(|| VaultError::UnknownRecord {
                what: "ledger entry",
                id: entry.to_string(),
            })?;
        if found.author != self.identity() {
            return Err(VaultError::NotAllowed(format!(
                "entry {entry} was signed by {}; only its signer can attach a receipt to it",
                found.author_name
            )));
        }
        let described = describe(&files)?;
        let receipt = Receipt {
            id: new_id(),
            entry: entry.to_string(),
            entry_hash: keys::record_hash(&found.signed),
            files: described,
        };
        receipt.validate()?;
        let bytes = receipt
            .files
            .iter()
            .zip(files)
            .map(|(a, f)| (attachment_key(&a.hash), f.bytes))
            .collect();
        let id = receipt.id.clone();
        Ok(self.put_record_with_bytes(doc, &id, receipt, bytes)?.record)
    }

    /// Books a spend with its receipt files, all in one transaction.
    pub fn record_spend(
        &mut self,
        doc: &str,
        spend: NewEntry,
        files: Vec<NewFile>,
    ) -> Result<(LedgerEntry, Option<Receipt>)> {
        if spend.kind != EntryKind::Spend {
            return Err(VaultError::Input(SchemaError::Invalid(
                "record_spend books spends only".into(),
            )));
        }
        self.transact(|v| {
            let entry = v.record_entry(doc, spend)?;
            let receipt = if files.is_empty() {
                None
            } else {
                Some(v.attach_receipt(doc, &entry.id, files)?)
            };
            Ok((entry, receipt))
        })
    }

    /// Every receipt in a budget document, each checked against its entry
    /// and its files.
    pub fn receipts(&self, doc: &str) -> Result<Vec<ReceiptView>> {
        let (receipts, _) = self.records::<Receipt>(doc)?;
        let mut out = Vec::with_capacity(receipts.len());
        for r in receipts {
            let files: Vec<FileState> = r
                .record
                .files
                .iter()
                .map(|f| match self.doc_bytes(doc, &attachment_key(&f.hash)) {
                    Ok(Some(b)) if sha256(&b) == f.hash => FileState::Present,
                    Ok(Some(_)) => FileState::Altered,
                    _ => FileState::Missing,
                })
                .collect();
            let entry = self.record::<LedgerEntry>(doc, &r.record.entry)?;
            let problem = match &entry {
                None => Some(format!("ledger entry {} is not here", r.record.entry)),
                Some(e) if e.author != r.author => Some(format!(
                    "signed by {}, but the entry by {}",
                    r.author_name, e.author_name
                )),
                Some(e) if keys::record_hash(&e.signed) != r.record.entry_hash => {
                    Some("the entry was changed after the receipt was attached".into())
                }
                _ if r.record.validate().is_err() => Some("the receipt is out of bounds".into()),
                _ if files.contains(&FileState::Altered) => Some("a file does not match its hash".into()),
                _ if files.contains(&FileState::Missing) => Some("a file has not arrived".into()),
                _ => None,
            };
            out.push(ReceiptView {
                valid: problem.is_none(),
                problem,
                files,
                receipt: r,
            });
        }
        Ok(out)
    }

    /// The valid receipts of one entry.
    pub fn receipts_of(&self, doc: &str, entry: &str) -> Result<Vec<ReceiptView>> {
        Ok(self
            .receipts(doc)?
            .into_iter()
            .filter(|r| r.receipt.record.entry == entry && r.valid)
            .collect())
    }

    /// A file's bytes, checked against the hash that names it (`None` when
    /// it is not here or does not match).
    pub fn attachment(&self, doc: &str, hash: &Hash32) -> Result<Option<Vec<u8>>> {
        Ok(self
            .doc_bytes(doc, &attachment_key(hash))?
            .filter(|b| &sha256(b) == hash))
    }
}
