//! What a postbus holds, in one redb file: the signed rosters its owners
//! gave it, and the sealed envelopes waiting for the devices those rosters
//! name.
//!
//! An envelope is opaque bytes to the store: it never sees a document, a
//! header or a change — only who left it, for whose documents, for which
//! devices, its size and when it expires. Every operation that changes
//! something is one durable redb write transaction, so a crash leaves all of
//! it or none of it; the per-owner space accounting changes in that same
//! transaction.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use inwonercloud_schemas::{PostbusRoster, PublicKey, Signed};
use inwonercloud_vault::keys;
use redb::{
    Database, Durability, ReadableDatabase, ReadableTable, ReadableTableMetadata, Table, TableDefinition,
    WriteTransaction,
};
use serde::{Deserialize, Serialize};

use super::wire::Code;

/// Most recipients one envelope may name.
pub const MAX_RECIPIENTS: usize = 256;
/// Most envelopes one [`PostbusStore::fetch`] hands out, whatever their size
/// (keeps an answer's item list small).
pub const MAX_FETCH_ENVELOPES: usize = 1000;

/// The layout of the file; a file with another version is refused.
const SCHEMA_VERSION: u64 = 1;
/// redb's page cache for the store.
const CACHE_BYTES: usize = 32 * 1024 * 1024;

/// `"postbus"` → the endpoint id the file belongs to; `"schema"` → u64 BE;
/// `"next_envelope"` → u64 BE, the next envelope id.
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Owner → JSON of her `Signed<PostbusRoster>`.
const ROSTERS: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("rosters");
/// (device, owner) for every device an owner's roster admits.
const LISTED: TableDefinition<(&[u8; 32], &[u8; 32]), ()> = TableDefinition::new("listed");
/// Envelope id → JSON of its [`Envelope`].
const ENVELOPES: TableDefinition<u64, &[u8]> = TableDefinition::new("envelopes");
/// Envelope id → the sealed bytes.
const BLOBS: TableDefinition<u64, &[u8]> = TableDefinition::new("blobs");
/// (owner, envelope id) for every envelope held.
const BY_OWNER: TableDefinition<(&[u8; 32], u64), ()> = TableDefinition::new("by_owner");
/// (device, envelope id) for every delivery still to make.
const INBOX: TableDefinition<(&[u8; 32], u64), ()> = TableDefinition::new("inbox");
/// (expires_at, envelope id) for every envelope held.
const EXPIRY: TableDefinition<(u64, u64), ()> = TableDefinition::new("expiry");
/// Owner → (envelopes, bytes) held for her.
const USAGE: TableDefinition<&[u8; 32], (u64, u64)> = TableDefinition::new("usage");

/// How far ahead of the postbus's clock a roster's version (milliseconds)
/// may lie, in seconds.
pub const MAX_VERSION_AHEAD_SECS: u64 = 24 * 3600;

/// Space and time bounds of a postbus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of envelopes held per owner at most (default 64 MiB).
    pub quota_bytes: u64,
    /// Largest envelope taken, in bytes (default 4 MiB).
    pub max_envelope: usize,
    /// Seconds an envelope is held before it expires (default 30 days).
    pub ttl_secs: u64,
    /// Most owners whose rosters are held (default 10 000).
    pub max_owners: usize,
    /// Most envelopes held per owner (default 10 000).
    pub max_envelopes_per_owner: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            quota_bytes: 64 * 1024 * 1024,
            max_envelope: 4 * 1024 * 1024,
            ttl_secs: 30 * 24 * 3600,
            max_owners: 10_000,
            max_envelopes_per_owner: 10_000,
        }
    }
}

/// Why the store refused or failed an operation.
#[derive(Debug, thiserror::Error)]
pub enum PostbusError {
    /// The file could not be opened or created.
    #[error("cannot open the postbus store {path}: {why}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        why: String,
    },
    /// The file belongs to a postbus with another key.
    #[error(
        "the postbus store {path} belongs to postbus {held}, not to this postbus ({me}); use that postbus's key file or another directory"
    )]
    OtherPostbus {
        /// The file.
        path: PathBuf,
        /// The endpoint id the file was made for.
        held: PublicKey,
        /// This postbus's endpoint id.
        me: PublicKey,
    },
    /// The file was written by another version of the store.
    #[error("the postbus store {path} has layout version {found}; this program reads version {SCHEMA_VERSION}")]
    Schema {
        /// The file.
        path: PathBuf,
        /// The version found.
        found: u64,
    },
    /// redb failed; nothing of the operation was kept.
    #[error("the postbus store failed ({0}); nothing of this request was kept")]
    Database(String),
    /// A stored entry does not decode.
    #[error("the postbus store holds a damaged entry ({0})")]
    Corrupt(String),
    /// The roster's device certificate or signature does not check.
    #[error("the roster's signature or device certificate does not check: {0}")]
    BadSignature(String),
    /// The roster was signed by a device of someone other than its owner.
    #[error(
        "the roster names {owner} as its owner but was signed by identity {signer}; only the owner's own devices may give her roster"
    )]
    ForgedOwner {
        /// The owner the roster names.
        owner: PublicKey,
        /// The identity that signed it.
        signer: PublicKey,
    },
    /// The roster was made for another postbus.
    #[error("the roster was made for postbus {meant}, not for this one ({me}); sign a roster for this postbus")]
    WrongPostbus {
        /// The postbus it names.
        meant: PublicKey,
        /// This postbus.
        me: PublicKey,
    },
    /// The roster or its certificate exceeds a bound.
    #[error("the roster is out of bounds: {0}")]
    OutOfBounds(String),
    /// The roster is not newer than the one held (old or replayed).
    #[error(
        "roster version {offered} for {owner} is not newer than version {held} already held (an old or replayed roster); sign a new one"
    )]
    Stale {
        /// Whose roster.
        owner: PublicKey,
        /// The version offered.
        offered: u64,
        /// The version held.
        held: u64,
    },
    /// The roster was signed by a device its owner revoked.
    #[error(
        "the roster was signed by device {device}, which its owner revoked; sign it on a device that is not revoked"
    )]
    RevokedSigner {
        /// The signing device.
        device: PublicKey,
    },
    /// The postbus holds rosters for as many owners as it may.
    #[error(
        "this postbus already holds rosters for {max} owners, its limit; choose another postbus or ask its operator for more room"
    )]
    TooManyOwners {
        /// The limit.
        max: usize,
    },
    /// The owner has given this postbus no roster.
    #[error("{owner} has given this postbus no roster; she must give one before mail is left or collected for her")]
    NotRegistered {
        /// The owner.
        owner: PublicKey,
    },
    /// The asking device is not on the owner's roster.
    #[error("device {device} is not on the roster of {owner}, so it may not leave mail for her documents")]
    NotMember {
        /// The device.
        device: PublicKey,
        /// The owner.
        owner: PublicKey,
    },
    /// A deposit named no recipient.
    #[error("the envelope names no recipient; name the devices that may collect it")]
    NoRecipients,
    /// A deposit named too many recipients.
    #[error("the envelope names {count} recipients; at most {MAX_RECIPIENTS} are taken")]
    TooManyRecipients {
        /// How many it named.
        count: usize,
    },
    /// A deposit named a recipient twice.
    #[error("the envelope names recipient {device} twice")]
    DuplicateRecipient {
        /// The device named twice.
        device: PublicKey,
    },
    /// A deposit named its own sender as a recipient.
    #[error("device {device} addressed mail to itself; leave mail only for others")]
    SelfAddressed {
        /// The sending device.
        device: PublicKey,
    },
    /// A recipient is not on the owner's roster.
    #[error(
        "recipient {device} is not on the roster of {owner} held here; fetch her current roster and seal to the devices it names"
    )]
    RecipientNotOnRoster {
        /// The recipient.
        device: PublicKey,
        /// The owner.
        owner: PublicKey,
    },
    /// A deposit carried no bytes.
    #[error("the envelope is empty")]
    EmptyEnvelope,
    /// A deposit is larger than an envelope may be.
    #[error(
        "the envelope is {size} bytes, over this postbus's limit of {max}; the mail stays with the sender and is delivered directly later"
    )]
    EnvelopeTooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The owner's space is used up.
    #[error(
        "postbus full for this owner: {held} of {quota} bytes held (this envelope is {size} bytes); the mail stays with the sender and is delivered directly later"
    )]
    Full {
        /// Bytes held for the owner.
        held: u64,
        /// Her quota.
        quota: u64,
        /// The envelope's size.
        size: usize,
    },
    /// The owner has as many envelopes held as she may.
    #[error(
        "postbus full for this owner: {count} envelopes held, the most it keeps; the mail stays with the sender and is delivered directly later"
    )]
    TooManyEnvelopes {
        /// Envelopes held for the owner.
        count: u64,
    },
}

impl PostbusError {
    /// The wire [`Code`] a refusal is answered with.
    pub fn code(&self) -> Code {
        use PostbusError::*;
        match self {
            Open { .. } | OtherPostbus { .. } | Schema { .. } | Database(_) | Corrupt(_) => Code::Internal,
            BadSignature(_)
            | ForgedOwner { .. }
            | WrongPostbus { .. }
            | Stale { .. }
            | RevokedSigner { .. }
            | NotRegistered { .. }
            | NotMember { .. }
            | RecipientNotOnRoster { .. } => Code::Unauthorized,
            OutOfBounds(_)
            | NoRecipients
            | TooManyRecipients { .. }
            | DuplicateRecipient { .. }
            | SelfAddressed { .. }
            | EmptyEnvelope => Code::Protocol,
            TooManyOwners { .. } | EnvelopeTooLarge { .. } | Full { .. } | TooManyEnvelopes { .. } => Code::Full,
        }
    }
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for PostbusError {
            fn from(e: $t) -> Self {
                PostbusError::Database(e.to_string())
            }
        }
    )*};
}
from_redb!(
    redb::Error,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    redb::SetDurabilityError
);

type Result<T, E = PostbusError> = std::result::Result<T, E>;

/// What [`PostbusStore::register`] did besides keeping the roster.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegisterReport {
    /// Envelopes deleted because no recipient of theirs is on the new roster.
    pub dropped_envelopes: usize,
    /// Deliveries cancelled because their recipient left the roster.
    pub dropped_deliveries: usize,
}

/// An envelope handed to a recipient by [`PostbusStore::fetch`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    /// Its id, to acknowledge with [`PostbusStore::ack`].
    pub id: u64,
    /// Whose documents it belongs to.
    pub owner: PublicKey,
    /// The device that left it.
    pub from: PublicKey,
    /// The sealed bytes.
    pub blob: Vec<u8>,
}

/// What a postbus holds for one owner.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Envelopes held.
    pub envelopes: usize,
    /// Their bytes.
    pub bytes: u64,
}

/// What the store knows of an envelope besides its bytes.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    owner: PublicKey,
    from: PublicKey,
    /// The devices that have not collected it yet.
    recipients: Vec<PublicKey>,
    deposited_at: u64,
    expires_at: u64,
    size: u64,
}

/// The rosters and sealed envelopes of a postbus, in a redb file.
pub struct PostbusStore {
    db: Database,
    me: PublicKey,
    limits: Limits,
    path: PathBuf,
}

impl std::fmt::Debug for PostbusStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostbusStore")
            .field("path", &self.path)
            .field("me", &self.me)
            .field("limits", &self.limits)
            .finish()
    }
}

/// The devices `roster` lets deposit and collect: those listed for a member
/// and not among the owner's revoked devices.
fn admitted(roster: &PostbusRoster) -> HashSet<PublicKey> {
    roster
        .devices()
        .filter(|d| !roster.revoked_devices.contains(d))
        .copied()
        .collect()
}

fn get_roster(
    t: &impl ReadableTable<&'static [u8; 32], &'static [u8]>,
    owner: &PublicKey,
) -> Result<Option<Signed<PostbusRoster>>> {
    match t.get(owner.as_bytes())? {
        None => Ok(None),
        Some(g) => serde_json::from_slice(g.value())
            .map(Some)
            .map_err(|e| PostbusError::Corrupt(format!("the roster of {owner}: {e}"))),
    }
}

fn get_envelope(t: &impl ReadableTable<u64, &'static [u8]>, id: u64) -> Result<Envelope> {
    let g = t
        .get(id)?
        .ok_or_else(|| PostbusError::Corrupt(format!("envelope {id} is indexed but missing")))?;
    serde_json::from_slice(g.value()).map_err(|e| PostbusError::Corrupt(format!("envelope {id}: {e}")))
}

fn get_usage(t: &impl ReadableTable<&'static [u8; 32], (u64, u64)>, owner: &PublicKey) -> Result<(u64, u64)> {
    Ok(t.get(owner.as_bytes())?.map(|g| g.value()).unwrap_or((0, 0)))
}

fn meta_u64(t: &impl ReadableTable<&'static str, &'static [u8]>, key: &str) -> Result<Option<u64>> {
    match t.get(key)? {
        None => Ok(None),
        Some(g) => {
            let bytes: [u8; 8] = g
                .value()
                .try_into()
                .map_err(|_| PostbusError::Corrupt(format!("meta entry {key} is not 8 bytes")))?;
            Ok(Some(u64::from_be_bytes(bytes)))
        }
    }
}

/// The store's tables, open in one write transaction.
struct W<'t> {
    meta: Table<'t, &'static str, &'static [u8]>,
    rosters: Table<'t, &'static [u8; 32], &'static [u8]>,
    listed: Table<'t, (&'static [u8; 32], &'static [u8; 32]), ()>,
    envelopes: Table<'t, u64, &'static [u8]>,
    blobs: Table<'t, u64, &'static [u8]>,
    by_owner: Table<'t, (&'static [u8; 32], u64), ()>,
    inbox: Table<'t, (&'static [u8; 32], u64), ()>,
    expiry: Table<'t, (u64, u64), ()>,
    usage: Table<'t, &'static [u8; 32], (u64, u64)>,
}

impl<'t> W<'t> {
    fn open(w: &'t WriteTransaction) -> Result<Self> {
        Ok(Self {
            meta: w.open_table(META)?,
            rosters: w.open_table(ROSTERS)?,
            listed: w.open_table(LISTED)?,
            envelopes: w.open_table(ENVELOPES)?,
            blobs: w.open_table(BLOBS)?,
            by_owner: w.open_table(BY_OWNER)?,
            inbox: w.open_table(INBOX)?,
            expiry: w.open_table(EXPIRY)?,
            usage: w.open_table(USAGE)?,
        })
    }

    fn next_id(&mut self) -> Result<u64> {
        let id = meta_u64(&self.meta, "next_envelope")?.unwrap_or(1);
        let next = id
            .checked_add(1)
            .ok_or_else(|| PostbusError::Corrupt("the envelope counter is exhausted".into()))?;
        self.meta.insert("next_envelope", next.to_be_bytes().as_slice())?;
        Ok(id)
    }

    fn put_envelope(&mut self, id: u64, env: &Envelope) -> Result<()> {
        let json =
            serde_json::to_vec(env).map_err(|e| PostbusError::Database(format!("encoding envelope {id}: {e}")))?;
        self.envelopes.insert(id, json.as_slice())?;
        Ok(())
    }

    fn add_usage(&mut self, owner: &PublicKey, envelopes: u64, bytes: u64) -> Result<()> {
        let (n, b) = get_usage(&self.usage, owner)?;
        self.usage
            .insert(owner.as_bytes(), (n.saturating_add(envelopes), b.saturating_add(bytes)))?;
        Ok(())
    }

    fn sub_usage(&mut self, owner: &PublicKey, envelopes: u64, bytes: u64) -> Result<()> {
        let (n, b) = get_usage(&self.usage, owner)?;
        let (n, b) = (n.saturating_sub(envelopes), b.saturating_sub(bytes));
        if n == 0 {
            self.usage.remove(owner.as_bytes())?;
        } else {
            self.usage.insert(owner.as_bytes(), (n, b))?;
        }
        Ok(())
    }

    /// Deletes an envelope, its bytes, its index rows and the deliveries
    /// still open, and gives its space back to its owner.
    fn delete_envelope(&mut self, id: u64, env: &Envelope) -> Result<()> {
        self.envelopes.remove(id)?;
        self.blobs.remove(id)?;
        self.by_owner.remove((env.owner.as_bytes(), id))?;
        self.expiry.remove((env.expires_at, id))?;
        for d in &env.recipients {
            self.inbox.remove((d.as_bytes(), id))?;
        }
        self.sub_usage(&env.owner, 1, env.size)
    }

    fn ids_of_owner(&self, owner: &PublicKey) -> Result<Vec<u64>> {
        let o = owner.as_bytes();
        let mut ids = vec![];
        for row in self.by_owner.range((o, 0u64)..=(o, u64::MAX))? {
            ids.push(row?.0.value().1);
        }
        Ok(ids)
    }
}

impl PostbusStore {
    /// Opens the store at `path` (made if missing) for the postbus whose
    /// endpoint id is `me`; a file made for another postbus is refused.
    pub fn open(path: &Path, me: PublicKey, limits: Limits) -> Result<Self> {
        let open_err = |why: String| PostbusError::Open {
            path: path.to_path_buf(),
            why,
        };
        let db = redb::Builder::new()
            .set_cache_size(CACHE_BYTES)
            .create(path)
            .map_err(|e| match e {
                redb::DatabaseError::DatabaseAlreadyOpen => {
                    open_err("it is already open (is another postbus running on this directory?)".into())
                }
                e => open_err(e.to_string()),
            })?;
        let store = Self {
            db,
            me,
            limits,
            path: path.to_path_buf(),
        };
        store.write(|w| {
            let held = w.meta.get("postbus")?.map(|g| g.value().to_vec());
            match held {
                None => {
                    w.meta.insert("postbus", me.as_bytes().as_slice())?;
                }
                Some(held) if held.as_slice() == me.as_bytes() => {}
                Some(held) => {
                    let held = PublicKey::try_from(held.as_slice())
                        .map_err(|e| PostbusError::Corrupt(format!("the postbus id in the file: {e}")))?;
                    return Err(PostbusError::OtherPostbus {
                        path: path.to_path_buf(),
                        held,
                        me,
                    });
                }
            }
            match meta_u64(&w.meta, "schema")? {
                None => {
                    w.meta.insert("schema", SCHEMA_VERSION.to_be_bytes().as_slice())?;
                }
                Some(SCHEMA_VERSION) => {}
                Some(found) => {
                    return Err(PostbusError::Schema {
                        path: path.to_path_buf(),
                        found,
                    });
                }
            }
            Ok(())
        })?;
        Ok(store)
    }

    /// This postbus's endpoint id.
    pub fn me(&self) -> PublicKey {
        self.me
    }

    /// The bounds this store keeps.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Runs `f` in one durable write transaction; an error leaves the file
    /// as it was.
    fn write<T>(&self, f: impl FnOnce(&mut W<'_>) -> Result<T>) -> Result<T> {
        let mut txn = self.db.begin_write()?;
        txn.set_durability(Durability::Immediate)?;
        let out = {
            let mut w = W::open(&txn)?;
            f(&mut w)?
        };
        txn.commit()?;
        Ok(out)
    }

    /// Keeps an owner's signed roster after checking it (signature, signed
    /// by the owner on a device she did not revoke, made for this postbus,
    /// within bounds, newer than the one held, room for a new owner), and in
    /// the same transaction cancels deliveries to devices it no longer
    /// admits; envelopes left without recipients are deleted. `now` also
    /// lets the pass drop this owner's expired envelopes.
    pub fn register(&self, roster: &Signed<PostbusRoster>, now: u64) -> Result<RegisterReport> {
        keys::verify_record(roster).map_err(|e| PostbusError::BadSignature(e.to_string()))?;
        let r = &roster.record;
        let owner = r.owner;
        let signer = *roster.author();
        if signer != owner {
            return Err(PostbusError::ForgedOwner { owner, signer });
        }
        if r.postbus != self.me {
            return Err(PostbusError::WrongPostbus {
                meant: r.postbus,
                me: self.me,
            });
        }
        r.within_bounds().map_err(PostbusError::OutOfBounds)?;
        keys::certificate_bounds(&roster.device).map_err(PostbusError::OutOfBounds)?;
        let device = roster.device.certificate.device;
        if r.revoked_devices.contains(&device) {
            return Err(PostbusError::RevokedSigner { device });
        }
        // A version far in the future would lock the owner out of ever
        // renewing her roster (a stolen device, a clock years ahead).
        let ceiling = now.saturating_add(MAX_VERSION_AHEAD_SECS).saturating_mul(1000);
        if r.version > ceiling {
            return Err(PostbusError::OutOfBounds(format!(
                "the roster's version {} lies more than a day ahead of this postbus's clock",
                r.version
            )));
        }
        let json =
            serde_json::to_vec(roster).map_err(|e| PostbusError::Database(format!("encoding the roster: {e}")))?;
        let keep = admitted(r);

        self.write(|w| {
            let held = get_roster(&w.rosters, &owner)?;
            match &held {
                Some(h) => {
                    // A roster that revokes the device which signed the held
                    // one replaces it whatever its version: the owner's
                    // answer to a stolen device that pushed its own.
                    let revokes_held = r.revoked_devices.contains(&h.device.certificate.device);
                    if r.version <= h.record.version && !revokes_held {
                        return Err(PostbusError::Stale {
                            owner,
                            offered: r.version,
                            held: h.record.version,
                        });
                    }
                    if h.record.revoked_devices.contains(&device) {
                        return Err(PostbusError::RevokedSigner { device });
                    }
                }
                None => {
                    let max = self.limits.max_owners;
                    if w.rosters.len()? >= max as u64 {
                        return Err(PostbusError::TooManyOwners { max });
                    }
                }
            }
            let o = owner.as_bytes();
            if let Some(h) = &held {
                for d in admitted(&h.record) {
                    w.listed.remove((d.as_bytes(), o))?;
                }
            }
            for d in &keep {
                w.listed.insert((d.as_bytes(), o), ())?;
            }
            w.rosters.insert(o, json.as_slice())?;

            let mut report = RegisterReport::default();
            for id in w.ids_of_owner(&owner)? {
                let mut env = get_envelope(&w.envelopes, id)?;
                if env.expires_at <= now {
                    w.delete_envelope(id, &env)?;
                    continue;
                }
                let (stay, leave): (Vec<PublicKey>, Vec<PublicKey>) =
                    env.recipients.iter().copied().partition(|d| keep.contains(d));
                if leave.is_empty() {
                    continue;
                }
                report.dropped_deliveries += leave.len();
                if stay.is_empty() {
                    w.delete_envelope(id, &env)?;
                    report.dropped_envelopes += 1;
                } else {
                    for d in &leave {
                        w.inbox.remove((d.as_bytes(), id))?;
                    }
                    env.recipients = stay;
                    w.put_envelope(id, &env)?;
                }
            }
            Ok(report)
        })
    }

    /// The roster held for `owner`, if she gave one.
    pub fn roster(&self, owner: &PublicKey) -> Result<Option<Signed<PostbusRoster>>> {
        let r = self.db.begin_read()?;
        get_roster(&r.open_table(ROSTERS)?, owner)
    }

    /// The rosters held that admit `device`, so a depositor or recipient
    /// can learn them.
    pub fn rosters_listing(&self, device: &PublicKey) -> Result<Vec<Signed<PostbusRoster>>> {
        let r = self.db.begin_read()?;
        let listed = r.open_table(LISTED)?;
        let rosters = r.open_table(ROSTERS)?;
        let d = device.as_bytes();
        let mut out = vec![];
        for row in listed.range((d, &[0u8; 32])..=(d, &[0xffu8; 32]))? {
            let owner = PublicKey(*row?.0.value().1);
            let roster = get_roster(&rosters, &owner)?
                .ok_or_else(|| PostbusError::Corrupt(format!("{device} is listed on a missing roster of {owner}")))?;
            out.push(roster);
        }
        Ok(out)
    }

    /// Holds `blob` for `recipients`, left by device `from` for `owner`'s
    /// documents, until `now` + the time to live; returns its id. Refused
    /// unless the owner's roster admits `from` and every recipient, and the
    /// envelope fits her space.
    pub fn deposit(
        &self,
        from: &PublicKey,
        owner: &PublicKey,
        recipients: &[PublicKey],
        blob: &[u8],
        now: u64,
    ) -> Result<u64> {
        self.write(|w| {
            let roster = get_roster(&w.rosters, owner)?.ok_or(PostbusError::NotRegistered { owner: *owner })?;
            let admitted = admitted(&roster.record);
            if !admitted.contains(from) {
                return Err(PostbusError::NotMember {
                    device: *from,
                    owner: *owner,
                });
            }
            if recipients.is_empty() {
                return Err(PostbusError::NoRecipients);
            }
            if recipients.len() > MAX_RECIPIENTS {
                return Err(PostbusError::TooManyRecipients {
                    count: recipients.len(),
                });
            }
            let mut seen = HashSet::with_capacity(recipients.len());
            for d in recipients {
                if !seen.insert(d) {
                    return Err(PostbusError::DuplicateRecipient { device: *d });
                }
                // Mail to oneself is never collected by anyone else: it
                // would only pin the owner's space.
                if d == from {
                    return Err(PostbusError::SelfAddressed { device: *d });
                }
                if !admitted.contains(d) {
                    return Err(PostbusError::RecipientNotOnRoster {
                        device: *d,
                        owner: *owner,
                    });
                }
            }
            if blob.is_empty() {
                return Err(PostbusError::EmptyEnvelope);
            }
            let max = self.limits.max_envelope;
            if blob.len() > max {
                return Err(PostbusError::EnvelopeTooLarge { size: blob.len(), max });
            }
            let (count, held) = get_usage(&w.usage, owner)?;
            if count >= self.limits.max_envelopes_per_owner as u64 {
                return Err(PostbusError::TooManyEnvelopes { count });
            }
            let size = blob.len() as u64;
            let quota = self.limits.quota_bytes;
            if held.saturating_add(size) > quota {
                return Err(PostbusError::Full {
                    held,
                    quota,
                    size: blob.len(),
                });
            }

            let id = w.next_id()?;
            let env = Envelope {
                owner: *owner,
                from: *from,
                recipients: recipients.to_vec(),
                deposited_at: now,
                expires_at: now.saturating_add(self.limits.ttl_secs),
                size,
            };
            w.put_envelope(id, &env)?;
            w.blobs.insert(id, blob)?;
            w.by_owner.insert((owner.as_bytes(), id), ())?;
            w.expiry.insert((env.expires_at, id), ())?;
            for d in recipients {
                w.inbox.insert((d.as_bytes(), id), ())?;
            }
            w.add_usage(owner, 1, size)?;
            Ok(id)
        })
    }

    /// The unexpired envelopes waiting for `device`, oldest first, stopping
    /// before their bytes would exceed `max_bytes` (but at least one if any
    /// waits) or at [`MAX_FETCH_ENVELOPES`]. They stay held until acknowledged.
    pub fn fetch(&self, device: &PublicKey, now: u64, max_bytes: usize) -> Result<Vec<Held>> {
        let r = self.db.begin_read()?;
        let inbox = r.open_table(INBOX)?;
        let envelopes = r.open_table(ENVELOPES)?;
        let blobs = r.open_table(BLOBS)?;
        let d = device.as_bytes();
        let mut out = vec![];
        let mut total: u64 = 0;
        for row in inbox.range((d, 0u64)..=(d, u64::MAX))? {
            let id = row?.0.value().1;
            let env = get_envelope(&envelopes, id)?;
            if env.expires_at <= now {
                continue;
            }
            if out.len() >= MAX_FETCH_ENVELOPES
                || (!out.is_empty() && total.saturating_add(env.size) > max_bytes as u64)
            {
                break;
            }
            let blob = blobs
                .get(id)?
                .ok_or_else(|| PostbusError::Corrupt(format!("the bytes of envelope {id} are missing")))?
                .value()
                .to_vec();
            total = total.saturating_add(env.size);
            out.push(Held {
                id,
                owner: env.owner,
                from: env.from,
                blob,
            });
        }
        Ok(out)
    }

    /// Records that `device` took in the envelopes `ids` (ids not addressed
    /// to it are ignored): it is no longer a recipient, and an envelope left
    /// without recipients is deleted. Returns how many were acknowledged.
    pub fn ack(&self, device: &PublicKey, ids: &[u64]) -> Result<usize> {
        let ids: BTreeSet<u64> = ids.iter().copied().collect();
        let d = device.as_bytes();
        self.write(|w| {
            let mut count = 0;
            for id in ids {
                if w.inbox.remove((d, id))?.is_none() {
                    continue;
                }
                count += 1;
                let mut env = get_envelope(&w.envelopes, id)?;
                env.recipients.retain(|r| r != device);
                if env.recipients.is_empty() {
                    w.delete_envelope(id, &env)?;
                } else {
                    w.put_envelope(id, &env)?;
                }
            }
            Ok(count)
        })
    }

    /// Deletes every envelope expired at `now`; returns how many.
    pub fn sweep(&self, now: u64) -> Result<usize> {
        self.write(|w| {
            let mut due = vec![];
            for row in w.expiry.range((0u64, 0u64)..=(now, u64::MAX))? {
                due.push(row?.0.value().1);
            }
            for &id in &due {
                let env = get_envelope(&w.envelopes, id)?;
                w.delete_envelope(id, &env)?;
            }
            Ok(due.len())
        })
    }

    /// The envelopes and bytes held for `owner`.
    pub fn usage(&self, owner: &PublicKey) -> Result<Usage> {
        let r = self.db.begin_read()?;
        let (envelopes, bytes) = get_usage(&r.open_table(USAGE)?, owner)?;
        Ok(Usage {
            envelopes: usize::try_from(envelopes).unwrap_or(usize::MAX),
            bytes,
        })
    }

    /// How many envelopes wait for `device`, counting expired ones not yet
    /// swept.
    pub fn waiting_for(&self, device: &PublicKey) -> Result<usize> {
        let r = self.db.begin_read()?;
        let inbox = r.open_table(INBOX)?;
        let d = device.as_bytes();
        let mut n = 0;
        for row in inbox.range((d, 0u64)..=(d, u64::MAX))? {
            row?;
            n += 1;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use inwonercloud_schemas::{CertifiedDevice, Role, RosterMember};
    use inwonercloud_vault::keys::{SecretKey, certify_device, sign_record};

    use super::*;

    const T0: u64 = 1_800_000_000;

    /// A person with one certified device.
    struct Person {
        identity: SecretKey,
        device: SecretKey,
        cert: CertifiedDevice,
    }

    impl Person {
        fn new(name: &str) -> Self {
            let identity = SecretKey::generate().unwrap();
            let device = SecretKey::generate().unwrap();
            let cert = certify_device(&identity, name, Role::Citizen, device.public(), "laptop", T0);
            Self { identity, device, cert }
        }

        fn id(&self) -> PublicKey {
            self.identity.public()
        }

        fn dev(&self) -> PublicKey {
            self.device.public()
        }

        fn member(&self) -> RosterMember {
            RosterMember {
                identity: self.id(),
                devices: vec![self.dev()],
                docs: vec!["0123456789abcdef0123456789abcdef".into()],
            }
        }

        /// A roster for `postbus` owned by `owner`, signed by this person's device.
        fn sign(&self, roster: PostbusRoster) -> Signed<PostbusRoster> {
            sign_record(roster, &self.device, &self.cert, T0)
        }
    }

    fn roster(owner: &Person, postbus: PublicKey, version: u64, members: &[&Person]) -> PostbusRoster {
        PostbusRoster {
            owner: owner.id(),
            postbus,
            version,
            members: members.iter().map(|p| p.member()).collect(),
            revoked_devices: vec![],
        }
    }

    struct Fixture {
        _dir: tempfile::TempDir,
        path: PathBuf,
        me: PublicKey,
        store: PostbusStore,
        anna: Person,
        bert: Person,
        fatima: Person,
    }

    fn fixture(limits: Limits) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("postbus.redb");
        let me = SecretKey::generate().unwrap().public();
        let store = PostbusStore::open(&path, me, limits).unwrap();
        let (anna, bert, fatima) = (Person::new("Anna"), Person::new("Bert"), Person::new("Fatima"));
        store
            .register(&anna.sign(roster(&anna, me, 1, &[&anna, &bert, &fatima])), T0)
            .unwrap();
        Fixture {
            _dir: dir,
            path,
            me,
            store,
            anna,
            bert,
            fatima,
        }
    }

    #[test]
    fn deposit_fetch_ack_and_gone() {
        let f = fixture(Limits::default());
        let (a, b, fa) = (f.anna.dev(), f.bert.dev(), f.fatima.dev());
        let id = f.store.deposit(&b, &f.anna.id(), &[a, fa], b"sealed", T0).unwrap();
        assert_eq!(f.store.usage(&f.anna.id()).unwrap(), Usage { envelopes: 1, bytes: 6 });
        assert_eq!(f.store.waiting_for(&a).unwrap(), 1);
        assert_eq!(f.store.waiting_for(&b).unwrap(), 0, "the depositor is not a recipient");

        let held = f.store.fetch(&a, T0 + 1, 1 << 20).unwrap();
        assert_eq!(
            held,
            vec![Held {
                id,
                owner: f.anna.id(),
                from: b,
                blob: b"sealed".to_vec()
            }]
        );
        // Fetching does not remove; acknowledging does, per device.
        assert_eq!(f.store.fetch(&a, T0 + 1, 1 << 20).unwrap().len(), 1);
        assert_eq!(f.store.ack(&a, &[id, id]).unwrap(), 1);
        assert!(f.store.fetch(&a, T0 + 1, 1 << 20).unwrap().is_empty());
        assert_eq!(f.store.ack(&a, &[id]).unwrap(), 0, "a second ack counts nothing");
        assert_eq!(
            f.store.usage(&f.anna.id()).unwrap().envelopes,
            1,
            "Fatima has not collected it"
        );

        assert_eq!(f.store.fetch(&fa, T0 + 1, 1 << 20).unwrap().len(), 1);
        assert_eq!(f.store.ack(&fa, &[id]).unwrap(), 1);
        assert_eq!(f.store.usage(&f.anna.id()).unwrap(), Usage::default());
        assert_eq!(f.store.waiting_for(&fa).unwrap(), 0);
        assert!(f.store.fetch(&fa, T0 + 1, 1 << 20).unwrap().is_empty());
    }

    #[test]
    fn ack_ignores_envelopes_not_addressed_to_the_device() {
        let f = fixture(Limits::default());
        let (a, b, fa) = (f.anna.dev(), f.bert.dev(), f.fatima.dev());
        let id = f.store.deposit(&b, &f.anna.id(), &[a], b"for anna", T0).unwrap();
        assert_eq!(f.store.ack(&fa, &[id, 999]).unwrap(), 0);
        assert_eq!(f.store.waiting_for(&a).unwrap(), 1);
        assert_eq!(f.store.usage(&f.anna.id()).unwrap().envelopes, 1);
    }

    #[test]
    fn deposits_from_a_non_member_or_for_an_unregistered_owner_are_refused() {
        let f = fixture(Limits::default());
        let mallory = Person::new("Mallory");
        let err = f
            .store
            .deposit(&mallory.dev(), &f.anna.id(), &[f.anna.dev()], b"x", T0)
            .unwrap_err();
        assert!(
            matches!(err, PostbusError::NotMember { device, .. } if device == mallory.dev()),
            "{err}"
        );
        assert_eq!(err.code(), Code::Unauthorized);

        let err = f
            .store
            .deposit(&f.bert.dev(), &mallory.id(), &[f.anna.dev()], b"x", T0)
            .unwrap_err();
        assert!(
            matches!(err, PostbusError::NotRegistered { owner } if owner == mallory.id()),
            "{err}"
        );
        assert_eq!(f.store.usage(&f.anna.id()).unwrap(), Usage::default());
    }

    #[test]
    fn deposits_to_recipients_off_the_roster_or_malformed_lists_are_refused() {
        let f = fixture(Limits::default());
        let mallory = Person::new("Mallory");
        let (owner, b) = (f.anna.id(), f.bert.dev());
        let err = f
            .store
            .deposit(&b, &owner, &[f.anna.dev(), mallory.dev()], b"x", T0)
            .unwrap_err();
        assert!(
            matches!(err, PostbusError::RecipientNotOnRoster { device, .. } if device == mallory.dev()),
            "{err}"
        );
        assert!(
            err.to_string().contains(&mallory.dev().to_string()),
            "names which: {err}"
        );

        let err = f.store.deposit(&b, &owner, &[], b"x", T0).unwrap_err();
        assert!(matches!(err, PostbusError::NoRecipients), "{err}");
        let err = f
            .store
            .deposit(&b, &owner, &[f.anna.dev(), f.anna.dev()], b"x", T0)
            .unwrap_err();
        assert!(matches!(err, PostbusError::DuplicateRecipient { .. }), "{err}");
        let many = vec![f.anna.dev(); MAX_RECIPIENTS + 1];
        let err = f.store.deposit(&b, &owner, &many, b"x", T0).unwrap_err();
        assert!(matches!(err, PostbusError::TooManyRecipients { count: 257 }), "{err}");
        assert_eq!(f.store.usage(&owner).unwrap(), Usage::default());
        assert_eq!(f.store.waiting_for(&f.anna.dev()).unwrap(), 0);
    }

    #[test]
    fn deposits_over_quota_oversize_empty_or_past_the_count_are_refused() {
        let limits = Limits {
            quota_bytes: 100,
            max_envelope: 60,
            max_envelopes_per_owner: 3,
            ..Limits::default()
        };
        let f = fixture(limits);
        let (owner, b, to) = (f.anna.id(), f.bert.dev(), [f.anna.dev()]);
        let err = f.store.deposit(&b, &owner, &to, &[7; 61], T0).unwrap_err();
        assert!(
            matches!(err, PostbusError::EnvelopeTooLarge { size: 61, max: 60 }),
            "{err}"
        );
        assert_eq!(err.code(), Code::Full);
        let err = f.store.deposit(&b, &owner, &to, &[], T0).unwrap_err();
        assert!(matches!(err, PostbusError::EmptyEnvelope), "{err}");

        f.store.deposit(&b, &owner, &to, &[7; 60], T0).unwrap();
        let err = f.store.deposit(&b, &owner, &to, &[7; 41], T0).unwrap_err();
        assert!(
            matches!(
                err,
                PostbusError::Full {
                    held: 60,
                    quota: 100,
                    size: 41
                }
            ),
            "{err}"
        );
        assert!(
            err.to_string()
                .starts_with("postbus full for this owner: 60 of 100 bytes held"),
            "{err}"
        );
        f.store.deposit(&b, &owner, &to, &[7; 40], T0).unwrap();
        assert_eq!(f.store.usage(&owner).unwrap().bytes, 100);

        // Acknowledging gives space back; then the count limit bites.
        let ids: Vec<u64> = f
            .store
            .fetch(&to[0], T0, 1 << 20)
            .unwrap()
            .iter()
            .map(|h| h.id)
            .collect();
        f.store.ack(&to[0], &ids).unwrap();
        for _ in 0..3 {
            f.store.deposit(&b, &owner, &to, &[1], T0).unwrap();
        }
        let err = f.store.deposit(&b, &owner, &to, &[1], T0).unwrap_err();
        assert!(matches!(err, PostbusError::TooManyEnvelopes { count: 3 }), "{err}");
    }

    #[test]
    fn a_stale_or_replayed_roster_is_refused() {
        let f = fixture(Limits::default());
        let replay = f.anna.sign(roster(&f.anna, f.me, 1, &[&f.anna, &f.bert, &f.fatima]));
        let err = f.store.register(&replay, T0).unwrap_err();
        assert!(
            matches!(
                err,
                PostbusError::Stale {
                    offered: 1,
                    held: 1,
                    ..
                }
            ),
            "{err}"
        );
        let newer = f.anna.sign(roster(&f.anna, f.me, 5, &[&f.anna]));
        f.store.register(&newer, T0).unwrap();
        let older = f.anna.sign(roster(&f.anna, f.me, 4, &[&f.anna, &f.bert]));
        let err = f.store.register(&older, T0).unwrap_err();
        assert!(
            matches!(
                err,
                PostbusError::Stale {
                    offered: 4,
                    held: 5,
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(f.store.roster(&f.anna.id()).unwrap().unwrap().record.version, 5);
    }

    #[test]
    fn a_roster_for_another_postbus_is_refused() {
        let f = fixture(Limits::default());
        let elsewhere = SecretKey::generate().unwrap().public();
        let r = f.bert.sign(roster(&f.bert, elsewhere, 1, &[&f.bert]));
        let err = f.store.register(&r, T0).unwrap_err();
        assert!(
            matches!(err, PostbusError::WrongPostbus { meant, .. } if meant == elsewhere),
            "{err}"
        );
        assert!(f.store.roster(&f.bert.id()).unwrap().is_none());
    }

    #[test]
    fn a_roster_signed_by_another_identity_is_refused() {
        let f = fixture(Limits::default());
        let mallory = Person::new("Mallory");
        // Mallory signs a roster in Anna's name that names her own device.
        let forged = mallory.sign(roster(&f.anna, f.me, 99, &[&f.anna, &mallory]));
        let err = f.store.register(&forged, T0).unwrap_err();
        assert!(
            matches!(err, PostbusError::ForgedOwner { owner, signer } if owner == f.anna.id() && signer == mallory.id()),
            "{err}"
        );
        assert_eq!(f.store.roster(&f.anna.id()).unwrap().unwrap().record.version, 1);
        assert!(f.store.rosters_listing(&mallory.dev()).unwrap().is_empty());
    }

    #[test]
    fn a_tampered_roster_is_refused() {
        let f = fixture(Limits::default());
        let mallory = Person::new("Mallory");
        let mut r = f.anna.sign(roster(&f.anna, f.me, 2, &[&f.anna]));
        r.record.members.push(mallory.member());
        let err = f.store.register(&r, T0).unwrap_err();
        assert!(matches!(err, PostbusError::BadSignature(_)), "{err}");
        assert_eq!(err.code(), Code::Unauthorized);
    }

    #[test]
    fn a_roster_signed_by_a_revoked_device_is_refused() {
        let f = fixture(Limits::default());
        let anna = &f.anna;
        // A second device of Anna's, which she revokes.
        let phone = SecretKey::generate().unwrap();
        let phone_cert = certify_device(&anna.identity, "Anna", Role::Citizen, phone.public(), "phone", T0);

        // Revoked in the roster it signs itself.
        let mut r = roster(anna, f.me, 2, &[anna]);
        r.revoked_devices = vec![phone.public()];
        let err = f
            .store
            .register(&sign_record(r, &phone, &phone_cert, T0), T0)
            .unwrap_err();
        assert!(
            matches!(err, PostbusError::RevokedSigner { device } if device == phone.public()),
            "{err}"
        );

        // Revoked in the roster held: it cannot sign its way back.
        let mut r = roster(anna, f.me, 3, &[anna]);
        r.revoked_devices = vec![phone.public()];
        f.store.register(&anna.sign(r), T0).unwrap();
        let r = roster(anna, f.me, 4, &[anna, &f.bert]);
        let err = f
            .store
            .register(&sign_record(r, &phone, &phone_cert, T0), T0)
            .unwrap_err();
        assert!(matches!(err, PostbusError::RevokedSigner { .. }), "{err}");
        assert_eq!(f.store.roster(&anna.id()).unwrap().unwrap().record.version, 3);
    }

    #[test]
    fn a_new_roster_cancels_deliveries_to_dropped_members() {
        let f = fixture(Limits::default());
        let (owner, a, b, fa) = (f.anna.id(), f.anna.dev(), f.bert.dev(), f.fatima.dev());
        let both = f.store.deposit(&b, &owner, &[a, fa], b"both", T0).unwrap();
        let only_fatima = f.store.deposit(&b, &owner, &[fa], b"fatima only", T0).unwrap();
        assert_eq!(f.store.waiting_for(&fa).unwrap(), 2);

        let report = f
            .store
            .register(&f.anna.sign(roster(&f.anna, f.me, 2, &[&f.anna, &f.bert])), T0)
            .unwrap();
        assert_eq!(
            report,
            RegisterReport {
                dropped_envelopes: 1,
                dropped_deliveries: 2
            }
        );
        assert!(f.store.fetch(&fa, T0, 1 << 20).unwrap().is_empty());
        assert_eq!(f.store.waiting_for(&fa).unwrap(), 0);
        assert_eq!(f.store.ack(&fa, &[both, only_fatima]).unwrap(), 0);
        let held = f.store.fetch(&a, T0, 1 << 20).unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].id, both);
        assert_eq!(f.store.usage(&owner).unwrap(), Usage { envelopes: 1, bytes: 4 });
        assert!(f.store.rosters_listing(&fa).unwrap().is_empty());
        let err = f.store.deposit(&fa, &owner, &[a], b"x", T0).unwrap_err();
        assert!(matches!(err, PostbusError::NotMember { .. }), "{err}");
        let err = f.store.deposit(&b, &owner, &[fa], b"x", T0).unwrap_err();
        assert!(matches!(err, PostbusError::RecipientNotOnRoster { .. }), "{err}");
    }

    #[test]
    fn rosters_listing_names_the_rosters_a_device_is_on() {
        let f = fixture(Limits::default());
        f.store
            .register(&f.bert.sign(roster(&f.bert, f.me, 1, &[&f.bert, &f.fatima])), T0)
            .unwrap();
        let owners = |d: &PublicKey| -> BTreeSet<PublicKey> {
            f.store
                .rosters_listing(d)
                .unwrap()
                .iter()
                .map(|r| r.record.owner)
                .collect()
        };
        assert_eq!(owners(&f.fatima.dev()), BTreeSet::from([f.anna.id(), f.bert.id()]));
        assert_eq!(owners(&f.anna.dev()), BTreeSet::from([f.anna.id()]));
        assert!(owners(&SecretKey::generate().unwrap().public()).is_empty());
    }

    #[test]
    fn the_owner_limit_holds_but_renewals_pass() {
        let f = fixture(Limits {
            max_owners: 1,
            ..Limits::default()
        });
        let err = f
            .store
            .register(&f.bert.sign(roster(&f.bert, f.me, 1, &[&f.bert])), T0)
            .unwrap_err();
        assert!(matches!(err, PostbusError::TooManyOwners { max: 1 }), "{err}");
        f.store
            .register(&f.anna.sign(roster(&f.anna, f.me, 2, &[&f.anna])), T0)
            .unwrap();
    }

    #[test]
    fn sweep_drops_expired_mail() {
        let f = fixture(Limits {
            ttl_secs: 100,
            ..Limits::default()
        });
        let (owner, a, b) = (f.anna.id(), f.anna.dev(), f.bert.dev());
        f.store.deposit(&b, &owner, &[a], b"early", T0).unwrap();
        let late = f.store.deposit(&b, &owner, &[a], b"late", T0 + 50).unwrap();
        assert_eq!(f.store.sweep(T0 + 99).unwrap(), 0);
        // Expired mail is not handed out even before it is swept.
        let held = f.store.fetch(&a, T0 + 100, 1 << 20).unwrap();
        assert_eq!(held.iter().map(|h| h.id).collect::<Vec<_>>(), vec![late]);
        assert_eq!(f.store.sweep(T0 + 100).unwrap(), 1);
        assert_eq!(f.store.usage(&owner).unwrap(), Usage { envelopes: 1, bytes: 4 });
        assert_eq!(f.store.waiting_for(&a).unwrap(), 1);
        assert_eq!(f.store.sweep(T0 + 150).unwrap(), 1);
        assert_eq!(f.store.usage(&owner).unwrap(), Usage::default());
        assert_eq!(f.store.waiting_for(&a).unwrap(), 0);
    }

    #[test]
    fn fetch_respects_max_bytes_oldest_first() {
        let f = fixture(Limits::default());
        let (owner, a, b) = (f.anna.id(), f.anna.dev(), f.bert.dev());
        let ids: Vec<u64> = [30usize, 30, 30, 100]
            .iter()
            .map(|&n| f.store.deposit(&b, &owner, &[a], &vec![1; n], T0).unwrap())
            .collect();
        let got = |max| -> Vec<u64> { f.store.fetch(&a, T0, max).unwrap().iter().map(|h| h.id).collect() };
        assert_eq!(got(65), ids[..2]);
        assert_eq!(got(90), ids[..3]);
        assert_eq!(got(1 << 20), ids);
        // Always at least one, even when it alone is larger.
        assert_eq!(got(1), ids[..1]);
        f.store.ack(&a, &ids[..3]).unwrap();
        assert_eq!(got(10), ids[3..]);
    }

    #[test]
    fn everything_survives_reopening() {
        let f = fixture(Limits::default());
        let (owner, a, b, fa) = (f.anna.id(), f.anna.dev(), f.bert.dev(), f.fatima.dev());
        let first = f.store.deposit(&b, &owner, &[a, fa], b"one", T0).unwrap();
        f.store.ack(&a, &[first]).unwrap();
        let Fixture {
            _dir, path, me, store, ..
        } = f;
        drop(store);

        let err = PostbusStore::open(&path, SecretKey::generate().unwrap().public(), Limits::default()).unwrap_err();
        assert!(
            matches!(err, PostbusError::OtherPostbus { held, .. } if held == me),
            "{err}"
        );

        let store = PostbusStore::open(&path, me, Limits::default()).unwrap();
        assert_eq!(store.roster(&owner).unwrap().unwrap().record.version, 1);
        assert_eq!(store.rosters_listing(&fa).unwrap().len(), 1);
        assert_eq!(store.usage(&owner).unwrap(), Usage { envelopes: 1, bytes: 3 });
        assert_eq!(store.waiting_for(&a).unwrap(), 0);
        let held = store.fetch(&fa, T0, 1 << 20).unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].blob, b"one");
        // Ids keep growing across reopening.
        let second = store.deposit(&b, &owner, &[a], b"two", T0).unwrap();
        assert!(second > first);
    }
}
