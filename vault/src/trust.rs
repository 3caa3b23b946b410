//! Whom this vault trusts, and in which role.
//!
//! A certificate says who a key *claims* to be; it grants nothing. Two
//! things do:
//!
//! - **Roles in a document** come from its owner: a write consent puts the
//!   grantee in the document's owner-signed header together with the role
//!   the owner granted ([`DocumentHeader::role_of`]). Records count in that
//!   role only, on every vault that holds the document.
//! - **Trusted municipalities** (trust roots for claims and policies) are
//!   this vault's own identity when it is a municipality, every identity the
//!   owner gave a municipality consent that is not revoked, and every key
//!   pinned by hand after comparing its [`fingerprint`] out of band.
//!
//! [`DocumentHeader::role_of`]: inwonercloud_schemas::DocumentHeader::role_of

use std::collections::BTreeMap;

use inwonercloud_schemas::{PublicKey, Role};
use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::error::{Result, VaultError};
use crate::keys;
use crate::vault::Vault;

/// The setting under which pinned municipality keys are kept.
const PINNED: &str = "trusted_municipalities";

/// A short fingerprint of an identity key to compare out of band (read
/// aloud, or side by side on two screens): 20 hex digits of its SHA-256 in
/// five groups, for example `3F2A-91C0-77DE-0B14-A5E9`.
pub fn fingerprint(key: &PublicKey) -> String {
    let digest = sha2::Sha256::digest(key.as_bytes());
    let hex = hex::encode_upper(&digest[..10]);
    hex.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A municipality key pinned by hand.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PinnedKey {
    /// The identity key.
    pub key: PublicKey,
    /// The name the person gave it when pinning.
    pub name: String,
}

/// Where trust in a municipality key comes from.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum TrustSource {
    /// This vault is the municipality.
    Own,
    /// The owner gave it a municipality consent.
    Consent,
    /// Pinned by hand.
    Pinned,
}

pub use crate::keys::MAX_NAME_BYTES;
/// Longest document id a peer may offer, in bytes (an owner key, a kind and a
/// second key fit in well under this).
pub const MAX_DOC_ID_BYTES: usize = 256;

pub use crate::keys::certificate_bounds;

/// The setting under which identities admitted by joining their invite are kept.
const ADMITTED: &str = "admitted_identities";

/// The identities admitted by joining their invite, parsed.
#[derive(Debug, Default)]
pub(crate) struct Admitted {
    list: Vec<PublicKey>,
    set: std::collections::HashSet<PublicKey>,
}

impl Vault {
    /// Whether `identity` may place documents in this vault: this vault's own
    /// identity, anyone the owner gave a consent that is not revoked (whom
    /// the owner invited), and anyone whose invite this vault joined.
    /// Strangers — any fresh key with a self-made certificate — are not.
    pub fn is_admitted(&self, identity: &PublicKey) -> bool {
        if identity == &self.identity() {
            return true;
        }
        if self.admitted_list().set.contains(identity) {
            return true;
        }
        self.docs_map().contains_key(&self.consents_doc())
            && self.consents().is_ok_and(|cs| {
                cs.iter()
                    .any(|c| c.revocation.is_none() && &c.consent.record.grantee == identity)
            })
    }

    pub(crate) fn admitted_by_join(&self) -> Vec<PublicKey> {
        self.admitted_list().list.clone()
    }

    /// The admitted list, parsed once and kept until a setting is written,
    /// an action ends or a refresh reads the file again (each drops it).
    /// Inside an action it is read but not kept: the file does not hold the
    /// action's writes yet.
    fn admitted_list(&self) -> std::sync::Arc<Admitted> {
        if let Some(a) = self.admitted.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            return a.clone();
        }
        let list: Vec<PublicKey> = self
            .setting(ADMITTED)
            .ok()
            .flatten()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        let a = std::sync::Arc::new(Admitted {
            set: list.iter().copied().collect(),
            list,
        });
        if !self.store().in_batch() {
            *self.admitted.lock().unwrap_or_else(|p| p.into_inner()) = Some(a.clone());
        }
        a
    }

    fn set_json_setting<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        let text = serde_json::to_string(value).map_err(|e| VaultError::Storage(e.to_string()))?;
        self.set_setting(key, &text)
    }

    /// Admits the identity whose invite this vault joined (see [`Vault::is_admitted`]).
    pub fn admit(&mut self, identity: PublicKey) -> Result<()> {
        let mut list = self.admitted_by_join();
        if list.contains(&identity) {
            return Ok(());
        }
        list.push(identity);
        self.set_json_setting(ADMITTED, &list)
    }

    /// Whether this vault's identity holds `role` in `doc`, as the document's
    /// owner granted it (never what this vault's certificate says).
    pub fn acts_as(&self, doc: &str, role: Role) -> Result<bool> {
        Ok(self.header(doc)?.role_of(&self.identity()) == Some(role))
    }

    /// The municipality keys this vault trusts, with why.
    pub fn trusted_municipalities(&self) -> Result<BTreeMap<PublicKey, TrustSource>> {
        let mut out = BTreeMap::new();
        for p in self.pinned_municipalities()? {
            out.insert(p.key, TrustSource::Pinned);
        }
        if self.docs_map().contains_key(&self.consents_doc()) {
            for c in self.consents()? {
                if c.revocation.is_none() && c.consent.record.role == Role::Municipality {
                    out.insert(c.consent.record.grantee, TrustSource::Consent);
                }
            }
        }
        if self.role() == Role::Municipality {
            out.insert(self.identity(), TrustSource::Own);
        }
        Ok(out)
    }

    /// Keys pinned by hand.
    pub fn pinned_municipalities(&self) -> Result<Vec<PinnedKey>> {
        match self.setting(PINNED)? {
            None => Ok(vec![]),
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| VaultError::Corrupt(format!("the list of trusted municipality keys is unreadable: {e}"))),
        }
    }

    /// Pins a municipality key (after its fingerprint was compared out of
    /// band): claims and policies it signed count here from now on.
    pub fn pin_municipality(&mut self, key: PublicKey, name: &str) -> Result<()> {
        keys::checked_key(&key)?;
        let mut list = self.pinned_municipalities()?;
        list.retain(|p| p.key != key);
        list.push(PinnedKey {
            key,
            name: name.trim().to_string(),
        });
        self.set_json_setting(PINNED, &list)
    }

    /// Removes a pinned key; returns whether it was pinned.
    pub fn unpin_municipality(&mut self, key: &PublicKey) -> Result<bool> {
        let mut list = self.pinned_municipalities()?;
        let before = list.len();
        list.retain(|p| &p.key != key);
        self.set_json_setting(PINNED, &list)?;
        Ok(list.len() != before)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_short_grouped_and_differ() {
        let a = fingerprint(&PublicKey([1; 32]));
        let b = fingerprint(&PublicKey([2; 32]));
        assert_eq!(a.len(), 24);
        assert_eq!(a.split('-').count(), 5);
        assert_ne!(a, b);
        assert_eq!(a, fingerprint(&PublicKey([1; 32])));
    }
}
