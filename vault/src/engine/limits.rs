//! How much other identities may store in a vault.

/// How much other identities may store in this vault, so that no peer can
/// make it use unbounded disk. Changes by this vault's own identity are not
/// counted: the citizen's own history is theirs to grow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of signed changes one other identity (all its devices together)
    /// may have stored in one document.
    pub writer_bytes_per_document: u64,
    /// Documents owned by one other identity that this vault keeps.
    pub documents_per_owner: usize,
}

/// Default of [`Limits::writer_bytes_per_document`]: 128 MiB, about 160,000
/// receipts or notes of a provider in one document.
pub const WRITER_BYTES_PER_DOCUMENT: u64 = 128 * 1024 * 1024;
/// Default of [`Limits::documents_per_owner`].
pub const DOCUMENTS_PER_OWNER: usize = 256;

impl Default for Limits {
    fn default() -> Self {
        Self {
            writer_bytes_per_document: WRITER_BYTES_PER_DOCUMENT,
            documents_per_owner: DOCUMENTS_PER_OWNER,
        }
    }
}
