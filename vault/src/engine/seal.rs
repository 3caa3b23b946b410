//! Encryption at rest: the passphrase, the vault key it unlocks, and the
//! sealing of every stored value.
//!
//! A vault has one random 32-byte *vault key*. Every value the store writes
//! (secret keys, certificates, document headers, changes, snapshots, peers,
//! invites, logs) is sealed with XChaCha20-Poly1305 under that key, with a
//! fresh random 24-byte nonce and the table name and row key as associated
//! data, so a value cannot be moved to another row unnoticed. The vault key
//! itself is stored only *wrapped*: sealed under a key derived from the
//! passphrase with argon2id (parameters and salt beside it). Changing the
//! passphrase re-wraps the vault key; no stored value is rewritten.
//!
//! A value whose contents are not needed (a change row a snapshot stands
//! for, on open) is checked by its Poly1305 tag alone ([`VaultKey::verify`]):
//! the same verdict as decrypting it, without the keystream for its body.
//!
//! What stays in the clear is structure: table names, document ids (they hold
//! public keys and a kind, never a name or an amount), change hashes, row
//! numbers and sizes. See `docs/threat-model.md`.

use std::sync::Arc;

use chacha20::XChaCha20;
use chacha20::cipher::{KeyIvInit, StreamCipher};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use poly1305::Poly1305;
use poly1305::universal_hash::UniversalHash;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Result, VaultError};

/// Format byte in front of every sealed value.
const SEALED_V1: u8 = 1;
/// Nonce length of XChaCha20-Poly1305.
const NONCE_LEN: usize = 24;
/// Poly1305 tag length.
const TAG_LEN: usize = 16;
/// Shortest passphrase accepted for a new vault or a new passphrase.
pub const MIN_PASSPHRASE_CHARS: usize = 8;
/// Environment variable scripts and tests may use instead of a prompt.
pub const PASSPHRASE_ENV: &str = "INWONERCLOUD_PASSPHRASE";

/// A passphrase, wiped from memory when dropped.
#[derive(Clone)]
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// Wraps a passphrase as typed.
    pub fn new(text: impl Into<String>) -> Self {
        Self(Zeroizing::new(text.into()))
    }

    /// The passphrase from `INWONERCLOUD_PASSPHRASE`, when set and not empty.
    pub fn from_env() -> Option<Self> {
        std::env::var(PASSPHRASE_ENV)
            .ok()
            .filter(|s| !s.is_empty())
            .map(Self::new)
    }

    /// Refuses passphrases too short to protect a vault.
    pub fn check_new(&self) -> Result<()> {
        if self.0.chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(VaultError::WeakPassphrase(MIN_PASSPHRASE_CHARS));
        }
        Ok(())
    }

    /// Whether two typed passphrases are the same (for "type it twice").
    pub fn matches(&self, other: &Passphrase) -> bool {
        *self.0 == *other.0
    }

    fn bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(…)")
    }
}

/// Cost of the argon2id key derivation, stored beside the wrapped key so
/// that a later build with other defaults still opens older vaults.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl Default for KdfParams {
    /// 19 MiB, 2 passes, 1 lane: the OWASP recommendation for argon2id
    /// (about 50 ms on a laptop) that also fits the memory budget of #7.
    fn default() -> Self {
        Self {
            m_kib: 19 * 1024,
            t: 2,
            p: 1,
        }
    }
}

impl KdfParams {
    /// Parameters below these are refused when read from a file, so a
    /// tampered file cannot make guessing the passphrase cheap unnoticed.
    fn check(&self) -> Result<()> {
        if self.m_kib < 8 * 1024
            || self.t < 1
            || self.p < 1
            || self.m_kib > 4 * 1024 * 1024
            || self.t > 64
            || self.p > 16
        {
            return Err(VaultError::Corrupt(format!(
                "the key derivation parameters ({} KiB, {} passes, {} lanes) are outside what this program accepts",
                self.m_kib, self.t, self.p
            )));
        }
        Ok(())
    }
}

/// The vault key wrapped under a passphrase: what the file stores in the clear.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct KeyWrap {
    /// Always `argon2id+xchacha20poly1305`.
    pub scheme: String,
    /// Key derivation cost.
    pub kdf: KdfParams,
    /// Random salt (hex, 16 bytes).
    pub salt: String,
    /// The sealed vault key (hex: nonce, ciphertext, tag).
    pub wrapped: String,
}

const SCHEME: &str = "argon2id+xchacha20poly1305";

impl KeyWrap {
    /// Unwraps the vault key. A wrong passphrase fails the AEAD check and
    /// gives [`VaultError::WrongPassphrase`]; nothing is changed.
    pub fn unwrap_key(&self, passphrase: &Passphrase) -> Result<VaultKey> {
        if self.scheme != SCHEME {
            return Err(VaultError::Corrupt(format!("unknown key scheme {:?}", self.scheme)));
        }
        self.kdf.check()?;
        let salt = hex::decode(&self.salt).map_err(|_| VaultError::Corrupt("the key salt is not hex".into()))?;
        let wrapped =
            hex::decode(&self.wrapped).map_err(|_| VaultError::Corrupt("the wrapped key is not hex".into()))?;
        let kek = derive(passphrase, &salt, self.kdf)?;
        let plain = kek
            .open(b"vault-key", &wrapped)
            .map_err(|_| VaultError::WrongPassphrase)?;
        let bytes: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| VaultError::Corrupt("the wrapped key has the wrong length".into()))?;
        Ok(VaultKey::from_bytes(bytes))
    }
}

/// The key every stored value is sealed with. Cheap to clone (shared).
#[derive(Clone)]
pub struct VaultKey(Arc<KeyInner>);

struct KeyInner {
    bytes: Zeroizing<[u8; 32]>,
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VaultKey(…)")
    }
}

impl VaultKey {
    /// A fresh random key.
    pub fn generate() -> Result<Self> {
        let mut bytes = [0u8; 32];
        random(&mut bytes)?;
        let key = Self::from_bytes(bytes);
        bytes.zeroize();
        Ok(key)
    }

    fn from_bytes(bytes: [u8; 32]) -> Self {
        let cipher = XChaCha20Poly1305::new(&bytes.into());
        Self(Arc::new(KeyInner {
            bytes: Zeroizing::new(bytes),
            cipher,
        }))
    }

    /// Wraps this key under a passphrase with fresh salt.
    pub fn wrap(&self, passphrase: &Passphrase, kdf: KdfParams) -> Result<KeyWrap> {
        let mut salt = [0u8; 16];
        random(&mut salt)?;
        let kek = derive(passphrase, &salt, kdf)?;
        let wrapped = kek.seal(b"vault-key", self.0.bytes.as_slice())?;
        Ok(KeyWrap {
            scheme: SCHEME.into(),
            kdf,
            salt: hex::encode(salt),
            wrapped: hex::encode(wrapped),
        })
    }

    /// Seals `plain` with `aad` bound to it: format byte, nonce, ciphertext, tag.
    pub fn seal(&self, aad: &[u8], plain: &[u8]) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        random(&mut nonce)?;
        let ct = self
            .0
            .cipher
            .encrypt(&XNonce::from(nonce), Payload { msg: plain, aad })
            .map_err(|_| VaultError::Storage("encryption failed".into()))?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
        out.push(SEALED_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Opens a sealed value; fails when it was altered, moved to another row,
    /// or sealed under another key.
    pub fn open(&self, aad: &[u8], sealed: &[u8]) -> std::result::Result<Vec<u8>, SealError> {
        if sealed.len() < 1 + NONCE_LEN + TAG_LEN || sealed[0] != SEALED_V1 {
            return Err(SealError);
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&sealed[1..1 + NONCE_LEN]);
        self.0
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &sealed[1 + NONCE_LEN..],
                    aad,
                },
            )
            .map_err(|_| SealError)
    }

    /// Checks a sealed value's tag without decrypting it: the same verdict
    /// as [`VaultKey::open`] (altered, moved to another row, or sealed under
    /// another key fails), for a value whose contents are not needed (a
    /// change row a snapshot stands for, checked on open).
    ///
    /// XChaCha20-Poly1305 as in draft-irtf-cfrg-xchacha-03 §2: the subkey
    /// is HChaCha20(key, nonce[0..16]) and the rest is the ChaCha20-Poly1305
    /// AEAD of RFC 8439 §2.8 with nonce 0⁴ ‖ nonce[16..24] (both done by
    /// `chacha20::XChaCha20`). Its tag is Poly1305 (§2.5) under the one-time
    /// key, the first 32 bytes of ChaCha20 block 0 (§2.6), over
    /// AAD ‖ pad16 ‖ ciphertext ‖ pad16 ‖ le64(|AAD|) ‖ le64(|ciphertext|);
    /// the ciphertext's keystream (blocks 1…) is not needed to check it.
    /// The tag is compared in constant time. Tested against
    /// `chacha20poly1305`'s own decryption below.
    pub fn verify(&self, aad: &[u8], sealed: &[u8]) -> std::result::Result<(), SealError> {
        if sealed.len() < 1 + NONCE_LEN + TAG_LEN || sealed[0] != SEALED_V1 {
            return Err(SealError);
        }
        let (nonce, rest) = sealed[1..].split_at(NONCE_LEN);
        let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);
        // chacha20poly1305 refuses a message of 2^32 blocks or more (its
        // block counter would wrap); so does this.
        if ciphertext.len() / 64 >= u32::MAX as usize {
            return Err(SealError);
        }
        let nonce: &[u8; NONCE_LEN] = nonce.try_into().map_err(|_| SealError)?;
        let mut chacha = XChaCha20::new(&(*self.0.bytes).into(), &(*nonce).into());
        let mut one_time = Zeroizing::new([0u8; 32]);
        chacha.apply_keystream(one_time.as_mut_slice());
        let mut mac = Poly1305::new(&(*one_time).into());
        mac.update_padded(aad);
        mac.update_padded(ciphertext);
        let mut lengths = [0u8; 16];
        lengths[..8].copy_from_slice(&(aad.len() as u64).to_le_bytes());
        lengths[8..].copy_from_slice(&(ciphertext.len() as u64).to_le_bytes());
        mac.update(&[lengths.into()]);
        if bool::from(mac.finalize().as_slice().ct_eq(tag)) {
            Ok(())
        } else {
            Err(SealError)
        }
    }
}

/// A sealed value did not open: wrong key, or altered bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealError;

fn derive(passphrase: &Passphrase, salt: &[u8], kdf: KdfParams) -> Result<VaultKey> {
    let params = argon2::Params::new(kdf.m_kib, kdf.t, kdf.p, Some(32))
        .map_err(|e| VaultError::Corrupt(format!("key derivation parameters: {e}")))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = [0u8; 32];
    argon
        .hash_password_into(passphrase.bytes(), salt, &mut out)
        .map_err(|e| VaultError::Storage(format!("key derivation failed: {e}")))?;
    let key = VaultKey::from_bytes(out);
    out.zeroize();
    Ok(key)
}

fn random(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|e| VaultError::Storage(format!("no randomness available: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_passphrase_is_refused_and_right_one_unwraps_the_same_key() {
        let key = VaultKey::generate().unwrap();
        let wrap = key
            .wrap(&Passphrase::new("correct horse"), KdfParams::default())
            .unwrap();
        let again = wrap.unwrap_key(&Passphrase::new("correct horse")).unwrap();
        let sealed = key.seal(b"t", b"geheim").unwrap();
        assert_eq!(again.open(b"t", &sealed).unwrap(), b"geheim");
        assert!(matches!(
            wrap.unwrap_key(&Passphrase::new("wrong horse")),
            Err(VaultError::WrongPassphrase)
        ));
    }

    #[test]
    fn sealed_values_bind_their_row_and_detect_flips() {
        let key = VaultKey::generate().unwrap();
        let sealed = key.seal(b"changes/doc/1", b"amount 12.50").unwrap();
        assert!(!sealed.windows(5).any(|w| w == b"12.50"));
        assert_eq!(key.open(b"changes/doc/2", &sealed), Err(SealError));
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 1;
            assert_eq!(key.open(b"changes/doc/1", &bad), Err(SealError), "flip at {i}");
        }
        assert_eq!(key.open(b"x", &[]), Err(SealError));
    }

    /// The verdicts of the tag check and of decryption for the same bytes.
    fn verdicts(key: &VaultKey, aad: &[u8], sealed: &[u8]) -> (bool, bool) {
        (key.verify(aad, sealed).is_ok(), key.open(aad, sealed).is_ok())
    }

    /// `verify` accepts exactly what `chacha20poly1305`'s decryption
    /// accepts: sealed values of lengths around the Poly1305 block (16) and
    /// the ChaCha20 block (64), with one bit flipped anywhere (format byte,
    /// nonce, ciphertext, tag), cut short or lengthened, under other
    /// associated data (a row key one bit, one byte off) or another key.
    #[test]
    fn the_tag_check_accepts_exactly_what_decryption_accepts() {
        const REFUSED: (bool, bool) = (false, false);
        let key = VaultKey::generate().unwrap();
        let other = VaultKey::generate().unwrap();
        let row = aad_of_row(b"doc", 1);
        let aads: [&[u8]; 5] = [b"", b"c", &row, &[0x5a; 16], &[0xa5; 17]];
        for len in [0usize, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 1000, 4099] {
            let plain: Vec<u8> = (0..len).map(|i| (i * 7 + len) as u8).collect();
            for aad in aads {
                let sealed = key.seal(aad, &plain).unwrap();
                assert_eq!(verdicts(&key, aad, &sealed), (true, true), "len {len}");
                for i in 0..sealed.len() {
                    let mut bad = sealed.clone();
                    bad[i] ^= 1 << (i % 8);
                    assert_eq!(verdicts(&key, aad, &bad), REFUSED, "len {len}, bit flipped at {i}");
                }
                let n = sealed.len();
                for cut in [0, 1, 25, 40, 41, n / 2, n - 16, n - 1].into_iter().filter(|&c| c < n) {
                    assert_eq!(verdicts(&key, aad, &sealed[..cut]), REFUSED, "len {len}, cut to {cut}");
                }
                let mut longer = sealed.clone();
                longer.push(0);
                assert_eq!(verdicts(&key, aad, &longer), REFUSED, "len {len}, a byte appended");
                assert_eq!(verdicts(&other, aad, &sealed), REFUSED, "len {len}, another key");
                let mut more = aad.to_vec();
                more.push(0);
                assert_eq!(verdicts(&key, &more, &sealed), REFUSED, "len {len}, longer aad");
                if let Some((last, shorter)) = aad.split_last() {
                    assert_eq!(verdicts(&key, shorter, &sealed), REFUSED, "len {len}, shorter aad");
                    let mut flipped = shorter.to_vec();
                    flipped.push(last ^ 0x80);
                    assert_eq!(verdicts(&key, &flipped, &sealed), REFUSED, "len {len}, aad bit");
                }
            }
        }
        assert_eq!(verdicts(&key, b"", &[]), REFUSED);
    }

    /// A row key as the store binds it (table, document, row number).
    fn aad_of_row(doc: &[u8], row: u64) -> Vec<u8> {
        let mut aad = b"changes\0".to_vec();
        aad.extend_from_slice(doc);
        aad.push(0);
        aad.extend_from_slice(&row.to_be_bytes());
        aad
    }

    proptest::proptest! {
        /// Random values and random damage (a byte changed, the value cut
        /// or the row key changed): the tag check and decryption agree.
        #[test]
        fn the_tag_check_and_decryption_agree(
            plain in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..700),
            row in 0u64..4,
            at in proptest::prelude::any::<usize>(),
            xor in 0u8..=255,
            cut in proptest::prelude::any::<bool>(),
            moved in 0u64..4,
        ) {
            let key = VaultKey::generate().unwrap();
            let sealed = key.seal(&aad_of_row(b"doc", row), &plain).unwrap();
            let mut bad = sealed.clone();
            let at = at % bad.len();
            bad[at] ^= xor;
            if cut {
                bad.truncate(at);
            }
            let aad = aad_of_row(b"doc", moved);
            let (tag, open) = verdicts(&key, &aad, &bad);
            proptest::prop_assert_eq!(tag, open);
            proptest::prop_assert_eq!(tag, bad == sealed && moved == row);
        }
    }

    #[test]
    fn weak_parameters_in_a_file_are_refused() {
        let key = VaultKey::generate().unwrap();
        let mut wrap = key
            .wrap(&Passphrase::new("correct horse"), KdfParams::default())
            .unwrap();
        wrap.kdf.m_kib = 8;
        assert!(matches!(
            wrap.unwrap_key(&Passphrase::new("correct horse")),
            Err(VaultError::Corrupt(_))
        ));
        assert!(Passphrase::new("kort").check_new().is_err());
    }
}
