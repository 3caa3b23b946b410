//! Encrypted backups, the recovery phrase, and restoring on a new machine.
//!
//! A backup file is one consistent copy of every row of the vault (one read
//! transaction), sealed with the vault key. The vault key is stored in the
//! file's clear header twice: wrapped under the passphrase, and — when the
//! vault holds the identity key — wrapped under the recovery phrase. Either
//! one restores the vault; the file alone reveals nothing but its size, the
//! owner's identity key and the date.
//!
//! The recovery phrase is the identity secret as 24 BIP-39 words. It restores
//! a backup when the passphrase is forgotten, or, with no backup at all,
//! brings back the identity on a new device so that peers still recognise
//! the owner ([`Vault::recover`]).
//!
//! Restoring never reuses the old device key, whichever device made the
//! backup: the restored vault always gets a new device key (so a stale backup
//! cannot reuse sequence numbers the old device already used with peers, and
//! a copied backup cannot act as that device), and the old device secret is
//! not written into the restored vault.
//!
//! - **A backup of the first device** (it holds the identity key): the new
//!   device key is certified by the identity during the restore. After the
//!   restored vault has synced with its peers — who may hold what the old
//!   device wrote after the backup — the owner revokes the old device from
//!   the restored vault ([`Vault::revoke_device`]): its later changes are
//!   refused everywhere the new headers reach, and peers refuse its sessions.
//! - **A backup of a second device** (certified by the first; no identity
//!   key): only the identity key can certify a device, so the restored vault
//!   cannot certify its new key itself. It is restored *unlinked*
//!   ([`Vault::is_unlinked`], [`Restored::needs_link`]): every document and
//!   change of the backup is there, under a new device key with a provisional
//!   self-signed certificate, and peers do not take it for the owner until
//!   the first device links it again — a device ticket from the first device
//!   (`inwonercloud invite --device`), used with `inwonercloud join` on the
//!   restored vault, which then adopts the certificate the first device
//!   issues ([`Vault::adopt_certificate`]) and syncs. Only after that sync
//!   (which brings the backup's changes the first device never saw) does the
//!   owner revoke the old device, on the first device: revoking first would
//!   make peers refuse those changes.

use std::path::Path;

use inwonercloud_schemas::{CertifiedDevice, PublicKey, Role};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Result, VaultError};
use crate::keys::{self, SecretKey};
use crate::seal::{KdfParams, KeyWrap, Passphrase};
use crate::store::{Dump, Store};
use crate::vault::{CreateOptions, DB_FILE, Vault};

/// First bytes of a backup file.
pub const MAGIC: &[u8] = b"INWONERCLOUD-BACKUP/1\n";
/// Largest backup header accepted (the header is small JSON).
const MAX_HEADER: usize = 64 * 1024;

/// The clear header of a backup file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BackupHeader {
    /// Unix seconds when made.
    pub created_at: u64,
    /// The owner's identity (public).
    pub identity: PublicKey,
    /// The device the backup was made on.
    pub device: PublicKey,
    /// The vault key under the passphrase.
    pub passphrase_wrap: KeyWrap,
    /// The vault key under the recovery phrase (first device only).
    pub recovery_wrap: Option<KeyWrap>,
    /// The vault format the backup holds ([`SCHEMA_VERSION`](crate::store::SCHEMA_VERSION));
    /// absent (0) in backups of formats before 4.
    #[serde(default)]
    pub format: u32,
}

/// What unlocks a backup.
#[derive(Debug)]
pub enum BackupSecret {
    /// The vault's passphrase at the time of the backup.
    Passphrase(Passphrase),
    /// The recovery phrase (24 words).
    RecoveryPhrase(String),
}

/// What a restore did.
#[derive(Clone, Debug, Serialize)]
pub struct Restored {
    /// Documents restored.
    pub documents: usize,
    /// Signed changes restored.
    pub changes: usize,
    /// The device the backup was made on: revoke it with
    /// [`Vault::revoke_device`] once the restored vault has synced with its
    /// peers (they may hold changes that device made after the backup) —
    /// from the first device when [`Restored::needs_link`].
    pub old_device: PublicKey,
    /// This machine's new device key (never the old one).
    pub device: PublicKey,
    /// The backup was made on a second device: the new key is not certified
    /// yet. Link it from the first device (a device ticket, then `join` on
    /// this vault) before it can sync as the owner.
    pub needs_link: bool,
}

/// The identity secret as 24 words.
fn phrase_of(secret: &SecretKey) -> Result<Zeroizing<String>> {
    let bytes = Zeroizing::new(secret.to_bytes());
    let m = bip39::Mnemonic::from_entropy(bytes.as_slice())
        .map_err(|e| VaultError::Storage(format!("recovery phrase: {e}")))?;
    Ok(Zeroizing::new(m.to_string()))
}

/// The identity secret from 24 words; a typo gives a clear error.
pub fn parse_recovery_phrase(words: &str) -> Result<SecretKey> {
    let normal = words.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let m = bip39::Mnemonic::parse_normalized(&normal).map_err(|e| {
        VaultError::Input(inwonercloud_schemas::SchemaError::Invalid(format!(
            "this is not a valid recovery phrase ({e}): check every word and the order"
        )))
    })?;
    let (bytes, len) = m.to_entropy_array();
    let arr: [u8; 32] = bytes.get(..len).and_then(|b| b.try_into().ok()).ok_or_else(|| {
        VaultError::Input(inwonercloud_schemas::SchemaError::Invalid(
            "a recovery phrase has 24 words".into(),
        ))
    })?;
    let key = SecretKey::from_bytes(&arr);
    keys::checked_key(&key.public())?;
    Ok(key)
}

/// The recovery "passphrase" a wrap uses: the identity secret in hex.
fn recovery_pass(identity: &SecretKey) -> Passphrase {
    Passphrase::new(hex::encode(identity.to_bytes()))
}

impl Vault {
    /// The recovery phrase of this identity (first device only). Whoever
    /// holds it can act as you: show it once, write it on paper.
    pub fn recovery_phrase(&self) -> Result<Zeroizing<String>> {
        let id = self.identity_secret().ok_or_else(|| {
            VaultError::NotAllowed(
                "only the first device, which holds the identity key, has the recovery phrase".into(),
            )
        })?;
        phrase_of(id)
    }

    /// Writes an encrypted backup of the whole vault to `out` (a new file),
    /// unlockable with `passphrase` (which must unlock this vault) or the
    /// recovery phrase. Returns how many bytes were written.
    pub fn backup(&self, out: &Path, passphrase: &Passphrase) -> Result<u64> {
        self.check_passphrase(passphrase)?;
        let key = self.key();
        let header = BackupHeader {
            created_at: keys::now(),
            identity: self.identity(),
            device: self.device_key().public(),
            passphrase_wrap: key.wrap(passphrase, KdfParams::default())?,
            recovery_wrap: self
                .identity_secret()
                .map(|id| key.wrap(&recovery_pass(id), KdfParams::default()))
                .transpose()?,
            format: crate::store::SCHEMA_VERSION,
        };
        let header_json = serde_json::to_vec(&header).map_err(|e| VaultError::Storage(e.to_string()))?;
        let dump = serde_json::to_vec(&self.store().dump()?).map_err(|e| VaultError::Storage(e.to_string()))?;
        let sealed = key.seal(&header_json, &dump)?;
        let mut bytes = Vec::with_capacity(MAGIC.len() + 8 + header_json.len() + sealed.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&(header_json.len() as u32).to_be_bytes());
        bytes.extend_from_slice(&header_json);
        bytes.extend_from_slice(&sealed);
        write_new(out, &bytes)?;
        Ok(bytes.len() as u64)
    }

    /// Restores a backup into `dir` (which must not hold a vault). With the
    /// recovery phrase a `new_passphrase` is required; with the passphrase
    /// the vault keeps it. The restored vault always gets a new device key:
    /// certified by the identity when the backup holds the identity key,
    /// otherwise left unlinked until the first device links it again (see
    /// the module documentation). The backup's device is not revoked here.
    pub fn restore(
        backup: &Path,
        dir: &Path,
        secret: &BackupSecret,
        new_passphrase: Option<&Passphrase>,
        device_name: &str,
    ) -> Result<(Vault, Restored)> {
        let bytes = std::fs::read(backup).map_err(|source| VaultError::Io {
            path: backup.display().to_string(),
            source,
        })?;
        let (header, header_json, sealed) = parse_backup(&bytes)?;
        let (key, passphrase) = match secret {
            BackupSecret::Passphrase(p) => (
                header.passphrase_wrap.unwrap_key(p)?,
                new_passphrase.unwrap_or(p).clone(),
            ),
            BackupSecret::RecoveryPhrase(words) => {
                let id = parse_recovery_phrase(words)?;
                if id.public() != header.identity {
                    return Err(VaultError::WrongPassphrase);
                }
                let wrap = header.recovery_wrap.as_ref().ok_or_else(|| {
                    VaultError::NotAllowed(
                        "this backup was made on a device without the identity key: only its passphrase opens it"
                            .into(),
                    )
                })?;
                let key = wrap.unwrap_key(&recovery_pass(&id))?;
                let p = new_passphrase.ok_or(VaultError::PassphraseNeeded)?.clone();
                (key, p)
            }
        };
        passphrase.check_new()?;
        let plain = key
            .open(header_json, sealed)
            .map_err(|_| VaultError::Corrupt("the backup's contents fail their integrity check".into()))?;
        let mut dump: Dump = serde_json::from_slice(&plain)
            .map_err(|e| VaultError::Corrupt(format!("the backup's contents are unreadable: {e}")))?;
        let old_device = header.device;
        // A new device key, certified by the identity when the backup holds it.
        let identity = dump
            .meta
            .iter()
            .find(|(k, _)| k == "identity_secret")
            .map(|(_, v)| -> Result<SecretKey> {
                let b = hex::decode(v)
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok());
                b.map(|b| SecretKey::from_bytes(&b))
                    .ok_or_else(|| VaultError::Corrupt("the identity key in the backup is malformed".into()))
            })
            .transpose()?;
        // Always a new device key; the old device secret is dropped.
        let new_device = SecretKey::generate()?;
        let old: CertifiedDevice = dump
            .meta
            .iter()
            .find(|(k, _)| k == "device_cert")
            .and_then(|(_, v)| hex::decode(v).ok())
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| VaultError::Corrupt("the device certificate in the backup is unreadable".into()))?;
        let name = if device_name.trim().is_empty() {
            format!("{} (hersteld)", old.certificate.device_name)
        } else {
            device_name.trim().to_string()
        };
        let cert = match &identity {
            Some(id) => keys::certify_device(
                id,
                &old.certificate.identity_name,
                old.certificate.role,
                new_device.public(),
                &name,
                keys::now(),
            ),
            // A second device cannot certify itself: a provisional
            // self-signed certificate, as for a new unlinked device, until
            // the first device issues the real one.
            None => keys::certify_device(&new_device, "", Role::Citizen, new_device.public(), &name, keys::now()),
        };
        let cert_json = serde_json::to_vec(&cert).map_err(|e| VaultError::Storage(e.to_string()))?;
        dump.meta
            .retain(|(k, _)| k != "device_secret" && k != "device_cert" && k != "unlinked");
        dump.meta
            .push(("device_secret".into(), hex::encode(new_device.to_bytes())));
        dump.meta.push(("device_cert".into(), hex::encode(&cert_json)));
        let needs_link = identity.is_none();
        if needs_link {
            dump.meta.push(("unlinked".into(), hex::encode([1u8])));
        } else {
            dump.keyed.push((
                "devices".into(),
                hex::encode(new_device.public().0),
                hex::encode(&cert_json),
            ));
        }
        std::fs::create_dir_all(dir).map_err(|source| VaultError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let wrap = key.wrap(&passphrase, KdfParams::default())?;
        let documents = dump.docs.len();
        let changes = dump.changes.len();
        drop(Store::create_from_dump(&dir.join(DB_FILE), &key, &wrap, &dump)?);
        let vault = Vault::open_with_key(dir, &key)?;
        let device = vault.device_key().public();
        Ok((
            vault,
            Restored {
                documents,
                changes,
                old_device,
                device,
                needs_link,
            },
        ))
    }

    /// Brings an identity back on a new device from its recovery phrase
    /// alone (no backup): a new vault with that identity key and a new
    /// device, so peers who know the identity recognise it again. The
    /// documents themselves come back from a backup or from peers.
    pub fn recover(dir: &Path, words: &str, opts: CreateOptions) -> Result<Vault> {
        let identity = parse_recovery_phrase(words)?;
        Vault::create_with_identity(dir, opts, identity)
    }
}

/// Splits a backup file into its header, the header's bytes and the sealed part.
pub fn parse_backup(bytes: &[u8]) -> Result<(BackupHeader, &[u8], &[u8])> {
    let not_backup = || VaultError::Corrupt("this is not an Inwonercloud backup file (or it is truncated)".into());
    let rest = bytes.strip_prefix(MAGIC).ok_or_else(not_backup)?;
    let (len, rest) = rest.split_first_chunk::<4>().ok_or_else(not_backup)?;
    let len = u32::from_be_bytes(*len) as usize;
    if len > MAX_HEADER || len > rest.len() {
        return Err(not_backup());
    }
    let (header_json, sealed) = rest.split_at(len);
    let header: BackupHeader = serde_json::from_slice(header_json)
        .map_err(|e| VaultError::Corrupt(format!("the backup header is unreadable: {e}")))?;
    if header.format < crate::store::SCHEMA_VERSION {
        // Made by an earlier version: its records' signatures cannot be trusted now.
        return Err(VaultError::OldFormat {
            found: header.format.max(3),
        });
    }
    Ok((header, header_json, sealed))
}

fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let io = |source| VaultError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_phrase_round_trips_and_typos_are_refused() {
        let k = SecretKey::generate().unwrap();
        let words = phrase_of(&k).unwrap();
        assert_eq!(words.split(' ').count(), 24);
        let back = parse_recovery_phrase(&words.to_uppercase()).unwrap();
        assert_eq!(back.public(), k.public());
        let mut w: Vec<&str> = words.split(' ').collect();
        w.swap(0, 1);
        assert!(parse_recovery_phrase(&w.join(" ")).is_err() || w[0] == w[1]);
        assert!(parse_recovery_phrase("appel peer banaan").is_err());
    }

    #[test]
    fn garbage_is_not_a_backup() {
        for bad in [
            &b""[..],
            b"INWONERCLOUD-BACKUP/1\n",
            b"INWONERCLOUD-BACKUP/1\n\xff\xff\xff\xff{}",
        ] {
            assert!(matches!(parse_backup(bad), Err(VaultError::Corrupt(_))));
        }
    }
}
