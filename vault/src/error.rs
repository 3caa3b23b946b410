//! The vault's error type: each variant says what went wrong and, where a
//! person can act, what to do.

use inwonercloud_schemas::SchemaError;

use crate::refusal::Refusal;

/// Everything that can go wrong in a vault.
///
/// Not `#[non_exhaustive]`: the app renders every variant in Dutch and
/// English (`app/src/i18n/error_text.rs`) with a match that has no `_` arm, so a
/// new variant without a text there does not compile.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// No vault at the path.
    #[error("no vault at {0}: create one first, or choose the directory that holds it")]
    NotFound(String),
    /// A vault already exists.
    #[error("a vault already exists at {0}: open it, or choose another directory")]
    AlreadyExists(String),
    /// Another process has the vault open.
    #[error("the vault at {0} is open in another program: close that first")]
    InUse(String),
    /// The file was written by a newer program.
    #[error("the vault has format version {found}; this program reads up to {supported}: update Inwonercloud")]
    UnsupportedVersion {
        /// Version in the file.
        found: u32,
        /// Highest version this build reads.
        supported: u32,
    },
    /// The file was written by an earlier version whose signatures this
    /// version cannot trust.
    #[error(
        "this vault was made with an earlier version of Inwonercloud (format {found}), whose record signatures \
         do not name their signer; this version cannot trust them. Start a new vault (the earlier version \
         still opens this one, to look up what you need)"
    )]
    OldFormat {
        /// Version in the file.
        found: u32,
    },
    /// The passphrase does not unlock this vault.
    #[error("wrong passphrase: this passphrase does not unlock the vault (nothing was changed); try again")]
    WrongPassphrase,
    /// A new passphrase is too short.
    #[error("the passphrase is too short: use at least {0} characters, for example four unrelated words")]
    WeakPassphrase(usize),
    /// The vault needs a passphrase and none was given.
    #[error("this vault is encrypted: give its passphrase (the app asks for it; scripts set INWONERCLOUD_PASSPHRASE)")]
    PassphraseNeeded,
    /// A stored change failed its integrity check.
    #[error(
        "tampered or corrupt change {seq} ({hash}) in document {doc}: {why}. The vault was not opened; restore it from a backup"
    )]
    TamperedChange {
        /// Document id.
        doc: String,
        /// Row number in the change log.
        seq: u64,
        /// Change hash as stored (or `?` when unreadable).
        hash: String,
        /// Which rule failed.
        why: String,
    },
    /// Some other stored value failed its integrity check.
    #[error("corrupt vault: {0}. The vault was not opened; restore it from a backup")]
    Corrupt(String),
    /// A signature did not verify.
    #[error("bad signature on {what}")]
    BadSignature {
        /// What was signed.
        what: String,
    },
    /// A change's author may not write the document.
    #[error("{who} may not write document {doc}")]
    NotAWriter {
        /// The author.
        who: String,
        /// The document.
        doc: String,
    },
    /// A change, header or bundle was refused on import; nothing of the
    /// batch was applied. The refusal is the error's content, so its words
    /// are in this message (it is not also a `source`, which would print
    /// them twice in a cause chain).
    #[error("change {hash} for {doc} refused: {refusal}; nothing of this batch was applied")]
    ChangeRefused {
        /// Document id.
        doc: String,
        /// Change hash (`-` for the header or the batch as a whole, `#i`
        /// for the i-th item of a bundle that does not decode).
        hash: String,
        /// Which rule it breaks (boxed: it is large, and rare).
        refusal: Box<Refusal>,
    },
    /// Two different changes claim the same place in one device's history.
    #[error(
        "device {device} sent two different changes as number {seq} of {doc} ({first} and {second}): the device may be cloned or misbehaving; the second was refused"
    )]
    Equivocation {
        /// Document id.
        doc: String,
        /// Device key.
        device: String,
        /// Sequence number.
        seq: u64,
        /// Hash of the change stored first.
        first: String,
        /// Hash of the change refused.
        second: String,
    },
    /// An invite could not be used.
    #[error("{0}")]
    Invite(String),
    /// A key is weak or malformed.
    #[error("unusable public key {key}: {why}")]
    BadKey {
        /// The key (hex).
        key: String,
        /// Why.
        why: String,
    },
    /// Unknown document.
    #[error("unknown document {0}")]
    UnknownDocument(String),
    /// Unknown record.
    #[error("no {what} with id {id}")]
    UnknownRecord {
        /// Record kind.
        what: &'static str,
        /// Id.
        id: String,
    },
    /// More than one valid record has this id (in different documents):
    /// naming it cannot say which one is meant.
    #[error("more than one {what} has id {id} (in {docs:?}); none was picked")]
    AmbiguousRecord {
        /// Record kind.
        what: &'static str,
        /// Id.
        id: String,
        /// The documents holding one each.
        docs: Vec<String>,
    },
    /// This vault's owner may not do this.
    #[error("not allowed: {0}")]
    NotAllowed(String),
    /// An account has less left than a step needs.
    #[error(
        "this needs {}, more than the {} left in the account",
        inwonercloud_schemas::format_amount(*.needed, *.unit, inwonercloud_schemas::Lang::En),
        inwonercloud_schemas::format_amount(*.left, *.unit, inwonercloud_schemas::Lang::En)
    )]
    NotEnoughLeft {
        /// What the step needs.
        needed: rust_decimal::Decimal,
        /// What is left.
        left: rust_decimal::Decimal,
        /// The account's unit.
        unit: inwonercloud_schemas::Unit,
    },

    /// Claims were to be checked without a trusted municipality key.
    #[error(
        "no trusted municipality key was given, so no claim can be called valid: name the municipality's \
         identity key, compared with the fingerprint the municipality shows"
    )]
    NoTrustRoot,
    /// Bad input from a person.
    #[error(transparent)]
    Input(#[from] SchemaError),
    /// Storage failed (a rule of this crate about the file).
    #[error("storage error: {0}")]
    Storage(String),
    /// Postbus mail could not be sealed, opened or read.
    #[error("postbus mail: {0}")]
    Mail(String),
    /// A postbus address was typed or stored wrongly.
    #[error(
        "'{given}' is not a postbus address: {why}. Write it as ENDPOINT_ID@IP:PORT[,IP:PORT…][;relay=URL[,URL…]], as the postbus printed it"
    )]
    BadPostbusAddr {
        /// What was given.
        given: String,
        /// Why it is unusable.
        why: String,
    },
    /// The database failed; the cause is kept as the source.
    #[error("storage error: {0}")]
    Database(#[source] redb::Error),
    /// A document could not be read or written.
    #[error("document error: {0}")]
    Document(String),
    /// Automerge failed; the cause is kept as the source.
    #[error("document error: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    /// File system failed.
    #[error("file error at {path}: {source}")]
    Io {
        /// Path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
}

impl VaultError {
    /// Why an import was refused, when it was (a refused change, header or
    /// bundle, or two changes with one number from one device).
    pub fn refusal(&self) -> Option<Refusal> {
        match self {
            VaultError::ChangeRefused { refusal, .. } => Some(Refusal::clone(refusal)),
            VaultError::Equivocation {
                device,
                seq,
                first,
                second,
                ..
            } => Some(Refusal::Equivocation {
                device: device.parse().ok()?,
                seq: *seq,
                first: first.clone(),
                second: second.clone(),
            }),
            _ => None,
        }
    }
}

macro_rules! storage_from {
    ($($t:ty),*) => {$(
        impl From<$t> for VaultError {
            fn from(e: $t) -> Self {
                VaultError::Database(redb::Error::from(e))
            }
        }
    )*};
}
impl From<redb::Error> for VaultError {
    fn from(e: redb::Error) -> Self {
        VaultError::Database(e)
    }
}

storage_from!(
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    redb::DatabaseError,
    redb::SetDurabilityError
);

/// Result with [`VaultError`].
pub type Result<T, E = VaultError> = std::result::Result<T, E>;
