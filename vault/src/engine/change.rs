//! Signed automerge changes: the unit that is stored, sent and verified.
//!
//! A change's automerge actor id is the 32-byte device public key of its
//! author. The device signs `tag || document id || change hash`; because the
//! change hash covers the change's content and dependencies, the signature
//! covers everything the change does and where it sits in history.

use std::collections::HashMap;

use automerge::Change;
use ed25519_dalek::VerifyingKey;
use inwonercloud_schemas::{PublicKey, SignatureBytes};

use crate::keys::SecretKey;

const ENCODING_V1: u8 = 1;
const HEADER_LEN: usize = 1 + 32 + 64;
/// What a change's signature is called in errors, alone and batched.
const WHAT: &str = "change";

/// A change with its author's device signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedChange {
    /// Device key of the author; must equal the change's actor id.
    pub signer: PublicKey,
    /// Signature over [`message`].
    pub signature: SignatureBytes,
    /// The automerge change, as `Change::bytes()` gives it.
    pub bytes: Vec<u8>,
}

/// The bytes a device signs for a change.
pub fn message(doc_id: &str, hash: &[u8; 32]) -> Vec<u8> {
    let mut m = Vec::with_capacity(24 + doc_id.len() + 33);
    m.extend_from_slice(b"inwonercloud/change/v1\0");
    m.extend_from_slice(doc_id.as_bytes());
    m.push(0);
    m.extend_from_slice(hash);
    m
}

impl SignedChange {
    /// Signs a change made by this device. The change is kept in its raw
    /// (uncompressed) encoding: it parses without inflating, and a sync frame
    /// of many changes compresses as a whole far better than changes that
    /// were each compressed alone (their records repeat the same
    /// certificates). The hash, and so the signature, is the same in both
    /// encodings.
    pub fn sign(doc_id: &str, change: &Change, device: &SecretKey) -> Self {
        let hash = change.hash();
        let signature = device.sign(&message(doc_id, &hash.0));
        Self {
            signer: device.public(),
            signature,
            bytes: change.raw_bytes().to_vec(),
        }
    }

    /// Wire and storage encoding: version byte, signer, signature, change bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.bytes.len());
        out.push(ENCODING_V1);
        out.extend_from_slice(self.signer.as_bytes());
        out.extend_from_slice(&self.signature.0);
        out.extend_from_slice(&self.bytes);
        out
    }

    /// Decodes [`encode`](Self::encode)'s output.
    pub fn decode(data: &[u8]) -> Result<Self, String> {
        if data.len() <= HEADER_LEN {
            return Err(format!("{} bytes is too short for a signed change", data.len()));
        }
        if data[0] != ENCODING_V1 {
            return Err(format!("unknown signed-change encoding {}", data[0]));
        }
        let signer = PublicKey::try_from(&data[1..33]).map_err(|e| e.to_string())?;
        let signature = SignatureBytes::try_from(&data[33..HEADER_LEN]).map_err(|e| e.to_string())?;
        Ok(Self {
            signer,
            signature,
            bytes: data[HEADER_LEN..].to_vec(),
        })
    }

    /// Parses the change and checks that its actor is the signer. Does not
    /// check the signature (see [`verify`](Self::verify) and batch checks).
    pub fn parse(&self) -> Result<Change, String> {
        let change = Change::from_bytes(self.bytes.clone()).map_err(|e| format!("not an automerge change: {e}"))?;
        if change.actor_id().to_bytes() != self.signer.as_bytes() {
            return Err(format!(
                "actor {} is not the signing device {}",
                hex::encode(change.actor_id().to_bytes()),
                self.signer
            ));
        }
        Ok(change)
    }

    /// Parses the change and checks its signature strictly.
    pub fn verify(&self, doc_id: &str) -> Result<Change, String> {
        let change = self.parse()?;
        crate::keys::verify(
            &self.signer,
            &message(doc_id, &change.hash().0),
            &self.signature,
            || WHAT.into(),
        )
        .map_err(|e| e.to_string())?;
        Ok(change)
    }
}

/// Verifies many changes of one document at once (signatures batched by
/// [`crate::keys::check_signatures`], which gives each the verdict it gets
/// alone). On failure, returns the index of the first change whose
/// [`SignedChange::verify`] fails, and that error.
pub fn verify_all(doc_id: &str, changes: &[SignedChange]) -> Result<Vec<Change>, (usize, String)> {
    let mut parsed = Vec::with_capacity(changes.len());
    let mut msgs = Vec::with_capacity(changes.len());
    let mut keys = Vec::with_capacity(changes.len());
    let mut known: HashMap<PublicKey, VerifyingKey> = HashMap::new();
    // The first change that does not parse or has an unusable key; only
    // the signatures before it can still come first.
    let mut unusable = None;
    for (i, c) in changes.iter().enumerate() {
        let change = match c.parse() {
            Ok(change) => change,
            Err(e) => {
                unusable = Some((i, e));
                break;
            }
        };
        let key = match known.get(&c.signer) {
            Some(key) => *key,
            None => match crate::keys::checked_key(&c.signer) {
                Ok(key) => *known.entry(c.signer).or_insert(key),
                Err(e) => {
                    unusable = Some((i, e.to_string()));
                    break;
                }
            },
        };
        msgs.push(message(doc_id, &change.hash().0));
        keys.push(key);
        parsed.push(change);
    }
    let items: Vec<(&VerifyingKey, &[u8], &SignatureBytes)> = (0..parsed.len())
        .map(|i| (&keys[i], msgs[i].as_slice(), &changes[i].signature))
        .collect();
    for (i, verdict) in crate::keys::check_signatures(&items).into_iter().enumerate() {
        if let Err(why) = verdict {
            return Err((i, crate::keys::refused(WHAT.into(), why).to_string()));
        }
    }
    match unusable {
        Some(bad) => Err(bad),
        None => Ok(parsed),
    }
}
