//! Keys, device certificates and record signatures.
//!
//! An identity key stands for a person or organisation and certifies device
//! keys; a device key signs changes and records. Single signatures are
//! checked with `verify_strict`; keys are checked for weakness where they
//! enter the vault, so batch verification cannot be fooled by small-order keys.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use inwonercloud_schemas::{
    CertifiedDevice, DeviceCertificate, PublicKey, Record, Role, SignatureBytes, Signed, canonical_bytes,
    signed::signing_bytes,
};

use crate::error::{Result, VaultError};

/// A secret key held by this vault (identity or device).
pub struct SecretKey(SigningKey);

impl SecretKey {
    /// A fresh random key from the operating system's generator.
    pub fn generate() -> Result<Self> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| VaultError::Storage(format!("no randomness available: {e}")))?;
        Ok(Self(SigningKey::from_bytes(&seed)))
    }

    /// From stored bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        Self(SigningKey::from_bytes(bytes))
    }

    /// The secret bytes (for storage).
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key().to_bytes())
    }

    /// Signs bytes.
    pub fn sign(&self, msg: &[u8]) -> SignatureBytes {
        SignatureBytes(self.0.sign(msg).to_bytes())
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey(public {})", self.public().short())
    }
}

/// Parses a public key and refuses weak (small-order) keys.
pub fn checked_key(key: &PublicKey) -> Result<VerifyingKey> {
    let vk = VerifyingKey::from_bytes(key.as_bytes()).map_err(|_| VaultError::BadKey {
        key: key.to_string(),
        why: "not a point on the curve".into(),
    })?;
    if vk.is_weak() {
        return Err(VaultError::BadKey {
            key: key.to_string(),
            why: "weak (small-order) key".into(),
        });
    }
    Ok(vk)
}

/// Checks one signature strictly.
pub fn verify(key: &PublicKey, msg: &[u8], sig: &SignatureBytes, what: impl FnOnce() -> String) -> Result<()> {
    let vk = checked_key(key)?;
    vk.verify_strict(msg, &Signature::from_bytes(&sig.0))
        .map_err(|_| VaultError::BadSignature { what: what() })
}

/// Issues a device certificate signed by the identity.
pub fn certify_device(
    identity: &SecretKey,
    identity_name: &str,
    role: Role,
    device: PublicKey,
    device_name: &str,
    now: u64,
) -> CertifiedDevice {
    let certificate = DeviceCertificate {
        identity: identity.public(),
        identity_name: identity_name.to_string(),
        role,
        device,
        device_name: device_name.to_string(),
        issued_at: now,
    };
    let signature = identity.sign(&cert_bytes(&certificate));
    CertifiedDevice { certificate, signature }
}

fn cert_bytes(c: &DeviceCertificate) -> Vec<u8> {
    let mut out = b"inwonercloud/device-certificate/v1\0".to_vec();
    out.extend_from_slice(&canonical_bytes(c));
    out
}

/// Checks a device certificate: both keys usable, identity's signature valid.
pub fn verify_certificate(c: &CertifiedDevice) -> Result<()> {
    checked_key(&c.certificate.device)?;
    verify(
        &c.certificate.identity,
        &cert_bytes(&c.certificate),
        &c.signature,
        || {
            format!(
                "device certificate of {} for {}",
                c.certificate.device.short(),
                c.certificate.identity_name
            )
        },
    )
}

/// Signs a record with a certified device key.
pub fn sign_record<R: Record>(record: R, device_key: &SecretKey, device: &CertifiedDevice, now: u64) -> Signed<R> {
    let signature = device_key.sign(&signing_bytes(&record, now));
    Signed {
        record,
        device: device.clone(),
        signed_at: now,
        signature,
    }
}

/// Checks a signed record: the certificate chain and the device's signature.
pub fn verify_record<R: Record>(s: &Signed<R>) -> Result<()> {
    verify_certificate(&s.device)?;
    verify(
        &s.device.certificate.device,
        &signing_bytes(&s.record, s.signed_at),
        &s.signature,
        || format!("{} record signed by {}", R::KIND, s.device.certificate.identity_name),
    )
}

/// Checks many signed records at once: each distinct device certificate
/// once, then every record signature in one `verify_batch`. When the batch
/// fails, each record is checked alone so the result names the bad ones.
/// Returns one result per record, in order.
///
/// Device keys were checked for weak and small-order keys when their
/// certificate was verified, so the batch cannot be fooled by such keys.
pub fn verify_records<R: Record>(records: &[&Signed<R>]) -> Vec<Result<()>> {
    use std::collections::HashMap;
    // Looked up by the certificate's signature and then compared whole: a
    // valid signature pasted onto another certificate must not ride on a
    // cached "valid" (it gets its own check).
    let mut certs: HashMap<[u8; 64], Vec<(&CertifiedDevice, bool)>> = HashMap::new();
    let mut out: Vec<Result<()>> = Vec::with_capacity(records.len());
    let mut batch: Vec<(usize, Vec<u8>, Signature, ed25519_dalek::VerifyingKey)> = Vec::new();
    for (i, s) in records.iter().enumerate() {
        let seen = certs.entry(s.device.signature.0).or_default();
        let cert_ok = match seen.iter().find(|(c, _)| *c == &s.device) {
            Some((_, ok)) => *ok,
            None => {
                let ok = verify_certificate(&s.device).is_ok();
                seen.push((&s.device, ok));
                ok
            }
        };
        if !cert_ok {
            out.push(verify_certificate(&s.device));
            continue;
        }
        match checked_key(&s.device.certificate.device) {
            Ok(vk) => {
                batch.push((
                    i,
                    signing_bytes(&s.record, s.signed_at),
                    Signature::from_bytes(&s.signature.0),
                    vk,
                ));
                out.push(Ok(()));
            }
            Err(e) => out.push(Err(e)),
        }
    }
    if batch.is_empty() {
        return out;
    }
    let msgs: Vec<&[u8]> = batch.iter().map(|b| b.1.as_slice()).collect();
    let sigs: Vec<Signature> = batch.iter().map(|b| b.2).collect();
    let keys: Vec<ed25519_dalek::VerifyingKey> = batch.iter().map(|b| b.3).collect();
    if ed25519_dalek::verify_batch(&msgs, &sigs, &keys).is_err() {
        for (i, ..) in &batch {
            out[*i] = verify_record(records[*i]);
        }
    }
    out
}

/// SHA-256 of a signed record's signing bytes; binds approvals to content.
pub fn record_hash<R: Record>(s: &Signed<R>) -> inwonercloud_schemas::Hash32 {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(signing_bytes(&s.record, s.signed_at));
    h.update(s.device.certificate.device.as_bytes());
    inwonercloud_schemas::Hash32(h.finalize().into())
}

/// Unix seconds now.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use inwonercloud_schemas::Profile;

    #[test]
    fn certificate_and_record_roundtrip() {
        let id = SecretKey::generate().unwrap();
        let dev = SecretKey::generate().unwrap();
        let cert = certify_device(&id, "Anna", Role::Citizen, dev.public(), "laptop", 1);
        verify_certificate(&cert).unwrap();
        let rec = Profile {
            name: "Anna".into(),
            role: Role::Citizen,
            municipality: Some("Oss".into()),
            contact: None,
        };
        let mut s = sign_record(rec, &dev, &cert, 5);
        verify_record(&s).unwrap();
        s.record.name = "Bob".into();
        assert!(matches!(verify_record(&s), Err(VaultError::BadSignature { .. })));
    }

    #[test]
    fn batch_names_the_bad_records_and_pasted_certificates() {
        let id = SecretKey::generate().unwrap();
        let dev = SecretKey::generate().unwrap();
        let cert = certify_device(&id, "Anna", Role::Citizen, dev.public(), "laptop", 1);
        let rec = |n: &str| Profile {
            name: n.into(),
            role: Role::Citizen,
            municipality: None,
            contact: None,
        };
        let mut all: Vec<Signed<Profile>> = (0..20)
            .map(|i| sign_record(rec(&format!("p{i}")), &dev, &cert, i))
            .collect();
        assert!(
            verify_records(&all.iter().collect::<Vec<_>>())
                .iter()
                .all(|r| r.is_ok())
        );
        all[7].record.name = "vervalst".into();
        // A valid certificate signature pasted onto a certificate for another device.
        let mallory = SecretKey::generate().unwrap();
        let mut pasted = cert.clone();
        pasted.certificate.device = mallory.public();
        all[12] = sign_record(rec("mallory"), &mallory, &pasted, 3);
        let verdicts = verify_records(&all.iter().collect::<Vec<_>>());
        let bad: Vec<usize> = verdicts
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_err())
            .map(|(i, _)| i)
            .collect();
        assert_eq!(bad, vec![7, 12]);
    }

    #[test]
    fn forged_certificate_fails() {
        let id = SecretKey::generate().unwrap();
        let other = SecretKey::generate().unwrap();
        let dev = SecretKey::generate().unwrap();
        let mut cert = certify_device(&other, "Mallory", Role::Municipality, dev.public(), "x", 1);
        cert.certificate.identity = id.public();
        assert!(verify_certificate(&cert).is_err());
    }

    #[test]
    fn weak_key_refused() {
        // The identity point (small order) encoded as a public key.
        let mut weak = [0u8; 32];
        weak[0] = 1;
        let err = checked_key(&PublicKey(weak)).unwrap_err().to_string();
        assert!(err.contains("weak"), "{err}");
    }
}
