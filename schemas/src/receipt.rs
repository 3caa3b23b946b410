//! Receipts: files (a photo or a PDF of a receipt or invoice) that back a
//! ledger entry.
//!
//! A [`Receipt`] is a signed record beside the entry it backs. It names the
//! entry by id and by the hash of the entry's signed record, and each file
//! by the SHA-256 of its bytes; the bytes live in the same document, under
//! `attachment/<hash>`, so they travel with it and only under its consent.
//! Signing the receipt signs both hashes: a file cannot be swapped, and a
//! receipt cannot be moved to another entry.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Hash32, Record, SchemaError};

/// Largest file a receipt may carry: 4 MiB (a phone photo or a scanned invoice).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// Most files one receipt may carry.
pub const MAX_FILES: usize = 8;

/// Files that back one ledger entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// Stable id, unique within the document.
    pub id: String,
    /// The ledger entry it backs.
    pub entry: String,
    /// The hash of that entry's signed record (see the vault's `record_hash`).
    pub entry_hash: Hash32,
    /// The files.
    pub files: Vec<Attachment>,
}

impl Record for Receipt {
    const KIND: &'static str = "receipt";
    const VERSION: u16 = 1;
}

/// One file, named by the hash of its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// SHA-256 of the file's bytes.
    pub hash: Hash32,
    /// The file name as given (for showing and saving; no path).
    pub name: String,
    /// `image/jpeg`, `image/png` or `application/pdf`.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
}

/// The file kinds a receipt may hold, as recognised from their first bytes.
pub const MEDIA_TYPES: [&str; 3] = ["image/jpeg", "image/png", "application/pdf"];

/// The media type of a file from its first bytes, if it is one a receipt may hold.
pub fn media_type_of(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

impl Receipt {
    /// Checks bounds: one to [`MAX_FILES`] files, each a known kind within
    /// [`MAX_FILE_BYTES`], with a plain name.
    pub fn validate(&self) -> Result<(), SchemaError> {
        if self.files.is_empty() || self.files.len() > MAX_FILES {
            return Err(SchemaError::Invalid(format!(
                "a receipt holds 1 to {MAX_FILES} files, not {}",
                self.files.len()
            )));
        }
        for f in &self.files {
            if f.size == 0 || f.size > MAX_FILE_BYTES {
                return Err(SchemaError::Invalid(format!(
                    "{} is {} bytes; a receipt file is at most {} MiB",
                    f.name,
                    f.size,
                    MAX_FILE_BYTES / (1024 * 1024)
                )));
            }
            if !MEDIA_TYPES.contains(&f.media_type.as_str()) {
                return Err(SchemaError::Invalid(format!(
                    "{} is {}; a receipt is a photo (JPEG, PNG) or a PDF",
                    f.name, f.media_type
                )));
            }
            if f.name.is_empty() || f.name.len() > 200 || f.name.contains(['/', '\\', '\0']) {
                return Err(SchemaError::Invalid(format!("'{}' is not a plain file name", f.name)));
            }
        }
        Ok(())
    }
}
