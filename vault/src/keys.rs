//! Keys, device certificates and record signatures.
//!
//! An identity key stands for a person or organisation and certifies device
//! keys; a device key signs changes and records (signing is ed25519-dalek's).
//!
//! **One signature rule, alone and batched** ([`check_signatures`]): a pre-check refuses S ≥ ℓ, a non-canonical
//! encoding of R or of the key, and an R or key of small order; then RFC 8032's cofactored equation
//! 8·(S·B − k·A − R) = 0 decides. `ed25519_dalek::verify_batch` is only a fast path: what it accepts meets
//! that equation (but for a chance near 2⁻¹²⁸); when it fails, its halves are tried again and in the end each
//! signature of a failing part is checked alone and that verdict stands, so no verdict depends on the batch.
//! Not `verify_strict` (cofactorless): it refuses an R with a small-order component that `verify_batch`
//! accepts in some batches and not in others.
//!
//! Records of many kinds and documents are checked together by [`SignatureBatch`] (each distinct device
//! certificate once, then every record in one batch), so a reader of many documents gets one large batch
//! rather than one small one per document and kind.

use std::sync::LazyLock;

use curve25519_dalek::{
    constants::EIGHT_TORSION,
    edwards::{CompressedEdwardsY, EdwardsPoint},
    scalar::Scalar,
    traits::IsIdentity,
};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use inwonercloud_schemas::{
    CertifiedDevice, DeviceCertificate, PublicKey, Record, Role, SignatureBytes, Signed, canonical_bytes,
    signed::signing_bytes,
};
use sha2::{Digest, Sha512};

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

    /// X25519 with this key's scalar (the ed25519 key read as its
    /// Montgomery twin): the recipient half of sealing mail to a device key.
    pub(crate) fn x25519(&self, point: &curve25519_dalek::montgomery::MontgomeryPoint) -> [u8; 32] {
        point.mul_clamped(self.0.to_scalar_bytes()).to_bytes()
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey(public {})", self.public().short())
    }
}

/// Parses a public key and refuses weak (small-order) keys and
/// non-canonical encodings: the key half of the signature pre-check
/// ([`check_signatures`]), applied where a key enters the vault.
pub fn checked_key(key: &PublicKey) -> Result<VerifyingKey> {
    let bad = |why: &str| VaultError::BadKey {
        key: key.to_string(),
        why: why.into(),
    };
    let vk = VerifyingKey::from_bytes(key.as_bytes()).map_err(|_| bad("not a point on the curve"))?;
    if !canonical_y(key.as_bytes()) {
        return Err(bad("not canonically encoded"));
    }
    if vk.is_weak() {
        return Err(bad("weak (small-order) key"));
    }
    Ok(vk)
}

/// Why a signature is refused (the words end up in the error).
pub(crate) type Refusal = &'static str;

/// The error for a refused signature on `what`: the same words whichever
/// path (alone or batched) refused it.
pub(crate) fn refused(what: String, why: Refusal) -> VaultError {
    VaultError::BadSignature {
        what: format!("{what}: {why}"),
    }
}

/// The y-coordinates (sign bit cleared) of the eight points of small order.
static SMALL_ORDER_Y: LazyLock<[[u8; 32]; 8]> = LazyLock::new(|| {
    EIGHT_TORSION.map(|t| {
        let mut y = t.compress().to_bytes();
        y[31] &= 0x7f;
        y
    })
});

/// Whether an encoded point's y-coordinate is below p = 2²⁵⁵ − 19, so that
/// no y + p alias of it is accepted.
fn canonical_y(bytes: &[u8; 32]) -> bool {
    let top = bytes[31] & 0x7f;
    !(top == 0x7f && bytes[1..31].iter().all(|&b| b == 0xff) && bytes[0] >= 0xed)
}

/// Whether an encoded point is one of the eight points of small order,
/// with either sign bit (so also the "negative zero" encodings of the two
/// with x = 0). Decides without decompressing; meant for encodings that
/// passed [`canonical_y`] (y + p aliases of small-order points are refused
/// there).
fn small_order(bytes: &[u8; 32]) -> bool {
    let mut y = *bytes;
    y[31] &= 0x7f;
    SMALL_ORDER_Y.contains(&y)
}

/// The pre-check every signature passes, alone or before a batch: the key
/// and R canonically encoded and not of small order, S below ℓ. Together
/// with decompression (done by both equations) this means R decompresses
/// and re-compresses to the same bytes. Returns S.
fn precheck(key: &VerifyingKey, sig: &SignatureBytes) -> std::result::Result<Scalar, Refusal> {
    if !canonical_y(key.as_bytes()) {
        return Err("key not canonically encoded");
    }
    if small_order(key.as_bytes()) {
        return Err("weak (small-order) key");
    }
    let (r, s) = split(sig);
    if !canonical_y(&r) {
        return Err("R not canonically encoded");
    }
    if small_order(&r) {
        return Err("R of small order");
    }
    Option::from(Scalar::from_canonical_bytes(s)).ok_or("S not below the group order")
}

fn split(sig: &SignatureBytes) -> ([u8; 32], [u8; 32]) {
    let mut r = [0u8; 32];
    let mut s = [0u8; 32];
    r.copy_from_slice(&sig.0[..32]);
    s.copy_from_slice(&sig.0[32..]);
    (r, s)
}

/// One signature alone: the pre-check, then RFC 8032's cofactored equation
/// 8·(S·B − k·A − R) = 0 with k = SHA-512(R ‖ A ‖ M) mod ℓ.
/// This is the verdict; [`check_signatures`] only gets to it faster.
fn check_one(key: &VerifyingKey, msg: &[u8], sig: &SignatureBytes) -> std::result::Result<(), Refusal> {
    let s = precheck(key, sig)?;
    let (r_bytes, _) = split(sig);
    let r = CompressedEdwardsY(r_bytes)
        .decompress()
        .ok_or("R not a point on the curve")?;
    let mut h = Sha512::new();
    h.update(r_bytes);
    h.update(key.as_bytes());
    h.update(msg);
    let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
    let sb_minus_ka = EdwardsPoint::vartime_double_scalar_mul_basepoint(&-k, &key.to_edwards(), &s);
    if (sb_minus_ka - r).mul_by_cofactor().is_identity() {
        Ok(())
    } else {
        Err("does not verify")
    }
}

/// Checks many signatures (key, message, signature); one verdict each, the
/// one [`check_one`] gives that signature alone.
///
/// Each signature passes the pre-check first; those that fail it are
/// refused with its words. The rest go to `ed25519_dalek::verify_batch`,
/// which checks Σ zᵢ(Rᵢ + kᵢAᵢ − SᵢB) = 0 (no cofactor) with 128-bit weights
/// zᵢ that ed25519-dalek 3 derives from a transcript of all its inputs
/// (it takes no RNG): the same batch always gets the same answer, and
/// changing the answer means changing the inputs. If it accepts, every
/// signature in it meets the cofactored equation, except with probability
/// about 2⁻¹²⁸ per batch tried (the prime-order parts of the defects would
/// have to cancel under weights nobody chooses; small-order parts are what
/// the cofactor removes). If it fails, its halves are tried again as
/// batches of their own ([`check_batch`]) and each signature of a small
/// failing part is checked alone, and that verdict stands: a signature
/// made (by the key's holder) with a small-order component in R or in the
/// key meets the cofactored equation
/// but fails `verify_batch` in some batches, which costs time, never a
/// verdict.
///
/// A signature that passed once in this process is not checked again
/// ([`verified`]): a record read, synced and reported is verified once.
pub(crate) fn check_signatures(
    items: &[(&VerifyingKey, &[u8], &SignatureBytes)],
) -> Vec<std::result::Result<(), Refusal>> {
    let mut out = Vec::with_capacity(items.len());
    let mut batch = Vec::with_capacity(items.len());
    let entries = verified::entries(items);
    let seen = verified::known(&entries);
    for (i, (key, _, sig)) in items.iter().enumerate() {
        if seen.get(i).copied().unwrap_or(false) {
            out.push(Ok(()));
            continue;
        }
        match precheck(key, sig) {
            Ok(_) => {
                batch.push(i);
                out.push(Ok(()));
            }
            Err(why) => out.push(Err(why)),
        }
    }
    check_batch(items, &batch, &mut out);
    verified::remember(&entries, &batch, &out);
    out
}

/// Below this many signatures a failed batch is not split again: each is
/// checked alone.
const SPLIT_BELOW: usize = 64;

/// Checks `items[i]` for every `i` in `batch` (each passed the pre-check),
/// setting `out[i]` to a refusal where one fails. One `verify_batch` over
/// all of them; when that fails, each half is tried again as a batch of
/// its own, down to [`SPLIT_BELOW`], where each is checked alone
/// ([`check_one`]): a forged signature in a large batch costs a few
/// batches, and its verdict is still the one it gets alone. A sub-batch
/// that passes is accepted on the same ground as a whole one.
fn check_batch(
    items: &[(&VerifyingKey, &[u8], &SignatureBytes)],
    batch: &[usize],
    out: &mut [std::result::Result<(), Refusal>],
) {
    if batch.is_empty() {
        return;
    }
    if let [i] = batch {
        let (key, msg, sig) = items[*i];
        out[*i] = check_one(key, msg, sig);
        return;
    }
    let msgs: Vec<&[u8]> = batch.iter().map(|&i| items[i].1).collect();
    let sigs: Vec<Signature> = batch.iter().map(|&i| Signature::from_bytes(&items[i].2.0)).collect();
    let keys: Vec<VerifyingKey> = batch.iter().map(|&i| *items[i].0).collect();
    if ed25519_dalek::verify_batch(&msgs, &sigs, &keys).is_ok() {
        return;
    }
    if batch.len() < SPLIT_BELOW {
        for &i in batch {
            let (key, msg, sig) = items[i];
            out[i] = check_one(key, msg, sig);
        }
        return;
    }
    let (left, right) = batch.split_at(batch.len() / 2);
    check_batch(items, left, out);
    check_batch(items, right, out);
}

/// The signatures this process has verified, so that each is checked once
/// however often its record is read, synced or reported.
///
/// An entry is SHA-256 over the key, the signature and the message: the
/// same three inputs get the same verdict by the same rule every time, so a
/// remembered "valid" can stand for a new check. Failures are not
/// remembered (they are rare and must keep saying why). The set is bounded;
/// when full it starts again.
pub mod verified {
    use std::cell::Cell;
    use std::collections::HashSet;
    use std::sync::{LazyLock, Mutex};

    use ed25519_dalek::VerifyingKey;
    use inwonercloud_schemas::SignatureBytes;
    use sha2::Digest;

    use super::Refusal;

    /// Most signatures remembered (32 bytes each).
    pub const CAPACITY: usize = 1 << 20;

    static SET: LazyLock<Mutex<HashSet<[u8; 32]>>> = LazyLock::new(|| Mutex::new(HashSet::new()));

    thread_local! {
        static CHECKED: Cell<u64> = const { Cell::new(0) };
    }

    fn entry(key: &VerifyingKey, msg: &[u8], sig: &SignatureBytes) -> [u8; 32] {
        let mut h = sha2::Sha256::new();
        h.update(b"inwonercloud verified signature v1");
        h.update(key.as_bytes());
        h.update(sig.0);
        h.update(msg);
        h.finalize().into()
    }

    /// Per item, whether it was verified before in this process.
    /// What is remembered of each item: one hash over key, signature and message.
    pub(super) fn entries(items: &[(&VerifyingKey, &[u8], &SignatureBytes)]) -> Vec<[u8; 32]> {
        items.iter().map(|(k, m, s)| entry(k, m, s)).collect()
    }

    /// Per entry, whether it was verified before in this process.
    pub(super) fn known(entries: &[[u8; 32]]) -> Vec<bool> {
        let set = SET.lock().unwrap_or_else(|p| p.into_inner());
        entries.iter().map(|e| set.contains(e)).collect()
    }

    /// Remembers the entries of `checked` that passed.
    pub(super) fn remember(entries: &[[u8; 32]], checked: &[usize], verdicts: &[std::result::Result<(), Refusal>]) {
        CHECKED.with(|c| c.set(c.get() + checked.len() as u64));
        let passed: Vec<[u8; 32]> = checked
            .iter()
            .filter(|&&i| verdicts.get(i).is_some_and(|v| v.is_ok()))
            .filter_map(|&i| entries.get(i).copied())
            .collect();
        if passed.is_empty() {
            return;
        }
        let mut set = SET.lock().unwrap_or_else(|p| p.into_inner());
        if set.len() + passed.len() > CAPACITY {
            set.clear();
        }
        set.extend(passed);
    }

    /// How many signatures this thread has checked with ed25519 (not
    /// answered from memory) — for tests that count checks.
    pub fn checked_by_this_thread() -> u64 {
        CHECKED.with(Cell::get)
    }

    /// Forgets every verified signature, so that a benchmark measures the
    /// check itself rather than the memory of it.
    pub fn forget() {
        SET.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// Checks one signature: the key ([`checked_key`]), then the same rule as
/// every batch ([`check_signatures`]).
pub fn verify(key: &PublicKey, msg: &[u8], sig: &SignatureBytes, what: impl FnOnce() -> String) -> Result<()> {
    let vk = checked_key(key)?;
    check_one(&vk, msg, sig).map_err(|why| refused(what(), why))
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
    certified_key(c).map(|_| ())
}

/// [`verify_certificate`], giving the device key it certifies. The
/// identity's signature goes through [`check_signatures`], so a certificate
/// that passed once in this process is not checked again (every batch of
/// records one device signed names its certificate).
fn certified_key(c: &CertifiedDevice) -> Result<VerifyingKey> {
    let device = checked_key(&c.certificate.device)?;
    let identity = checked_key(&c.certificate.identity)?;
    let msg = cert_bytes(&c.certificate);
    check_signatures(&[(&identity, msg.as_slice(), &c.signature)])
        .pop()
        .unwrap_or(Err("not checked"))
        .map_err(|why| {
            refused(
                format!(
                    "device certificate of {} for {}",
                    c.certificate.device.short(),
                    c.certificate.identity_name
                ),
                why,
            )
        })?;
    Ok(device)
}

/// Signs a record with a certified device key.
pub fn sign_record<R: Record>(record: R, device_key: &SecretKey, device: &CertifiedDevice, now: u64) -> Signed<R> {
    let signature = device_key.sign(&signing_bytes(&record, now, &device.certificate.identity));
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
        &signing_bytes(&s.record, s.signed_at, &s.device.certificate.identity),
        &s.signature,
        || record_what(s),
    )
}

fn record_what<R: Record>(s: &Signed<R>) -> String {
    record_words(R::KIND, &s.device.certificate.identity_name)
}

/// How a refused record is named: its kind and its signer's name.
fn record_words(kind: &str, signer: &str) -> String {
    format!("{kind} record signed by {signer}")
}

/// Checks many signed records at once: each distinct device certificate
/// once, then every record signature by [`check_signatures`] (batched, with
/// the same verdicts as one by one). Returns one result per record, in
/// order, each the one [`verify_record`] gives.
pub fn verify_records<R: Record>(records: &[&Signed<R>]) -> Vec<Result<()>> {
    let mut batch = SignatureBatch::default();
    for s in records {
        batch.add(s);
    }
    batch.check()
}

/// Signed records of any kinds, from any documents, checked together: each
/// distinct device certificate once (in one batch of their own), then the
/// signature of every record whose certificate holds in one call of
/// [`check_signatures`]. Each verdict is the one [`verify_record`] gives
/// that record alone (certificate errors included).
#[derive(Default)]
pub(crate) struct SignatureBatch<'a> {
    /// Distinct certificates, found by their signature and then compared
    /// whole: a valid signature pasted onto another certificate must not
    /// ride on another's verdict.
    certs: Vec<&'a CertifiedDevice>,
    by_signature: std::collections::HashMap<&'a [u8; 64], Vec<usize>>,
    records: Vec<Pending<'a>>,
}

/// What [`check_signatures`] takes of one signature: key, message, signature.
type Item<'a> = (&'a VerifyingKey, &'a [u8], &'a SignatureBytes);

/// One record waiting for its check.
struct Pending<'a> {
    /// Index into [`SignatureBatch::certs`].
    cert: usize,
    msg: Vec<u8>,
    signature: &'a SignatureBytes,
    kind: &'static str,
}

impl<'a> SignatureBatch<'a> {
    /// Adds a record; its verdict is at this position (counting from 0 in
    /// the order added) of what [`SignatureBatch::check`] returns.
    pub(crate) fn add<R: Record>(&mut self, s: &'a Signed<R>) {
        let same = self.by_signature.entry(&s.device.signature.0).or_default();
        let cert = match same.iter().copied().find(|&j| self.certs[j] == &s.device) {
            Some(j) => j,
            None => {
                self.certs.push(&s.device);
                same.push(self.certs.len() - 1);
                self.certs.len() - 1
            }
        };
        self.records.push(Pending {
            cert,
            msg: signing_bytes(&s.record, s.signed_at, &s.device.certificate.identity),
            signature: &s.signature,
            kind: R::KIND,
        });
    }

    /// One verdict per record added, in order.
    pub(crate) fn check(self) -> Vec<Result<()>> {
        // The certificates: both keys usable, then the identity's signatures in one batch.
        let parsed: Vec<Option<(VerifyingKey, VerifyingKey, Vec<u8>)>> = self
            .certs
            .iter()
            .map(|c| {
                let device = checked_key(&c.certificate.device).ok()?;
                let identity = checked_key(&c.certificate.identity).ok()?;
                Some((device, identity, cert_bytes(&c.certificate)))
            })
            .collect();
        let items: Vec<(&VerifyingKey, &[u8], &SignatureBytes)> = parsed
            .iter()
            .zip(&self.certs)
            .filter_map(|(p, c)| {
                p.as_ref()
                    .map(|(_, identity, msg)| (identity, msg.as_slice(), &c.signature))
            })
            .collect();
        let mut cert_verdicts = check_signatures(&items).into_iter();
        let keys: Vec<Option<VerifyingKey>> = parsed
            .iter()
            .map(|p| {
                let (device, ..) = p.as_ref()?;
                cert_verdicts.next().and_then(|v| v.ok()).map(|_| *device)
            })
            .collect();
        // The records whose certificate holds, in one batch.
        let mut out: Vec<Result<()>> = Vec::with_capacity(self.records.len());
        let mut todo: Vec<(usize, Item<'_>)> = Vec::new();
        for (i, p) in self.records.iter().enumerate() {
            match keys.get(p.cert).and_then(Option::as_ref) {
                Some(vk) => {
                    todo.push((i, (vk, p.msg.as_slice(), p.signature)));
                    out.push(Ok(()));
                }
                // Its own words, as the certificate check alone gives them.
                None => out.push(certified_key(self.certs[p.cert]).map(|_| ())),
            }
        }
        let items: Vec<(&VerifyingKey, &[u8], &SignatureBytes)> = todo.iter().map(|(_, item)| *item).collect();
        for ((i, _), verdict) in todo.iter().zip(check_signatures(&items)) {
            if let Err(why) = verdict {
                let p = &self.records[*i];
                let name = &self.certs[p.cert].certificate.identity_name;
                out[*i] = Err(refused(record_words(p.kind, name), why));
            }
        }
        out
    }
}

/// Longest name (of an identity or a device) a certificate may carry, in bytes.
pub const MAX_NAME_BYTES: usize = 200;

/// Whether a certificate's strings are within bounds; otherwise why not.
pub fn certificate_bounds(cert: &CertifiedDevice) -> std::result::Result<(), String> {
    let c = &cert.certificate;
    if c.identity_name.len() > MAX_NAME_BYTES || c.device_name.len() > MAX_NAME_BYTES {
        return Err(format!(
            "a certificate of {} carries a name longer than {MAX_NAME_BYTES} bytes",
            c.identity.short()
        ));
    }
    Ok(())
}

/// SHA-256 of a signed record's signing bytes; binds approvals to content.
pub fn record_hash<R: Record>(s: &Signed<R>) -> inwonercloud_schemas::Hash32 {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(signing_bytes(&s.record, s.signed_at, &s.device.certificate.identity));
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

    /// A remembered "valid" stands only for the very same key, message and
    /// signature; a failure is never remembered; and a record whose
    /// signature was remembered still fails with a forged certificate.
    #[test]
    fn the_signature_memory_is_not_fooled() {
        let a = SecretKey::generate().unwrap();
        let b = SecretKey::generate().unwrap();
        let (ka, kb) = (checked_key(&a.public()).unwrap(), checked_key(&b.public()).unwrap());
        let msg = a.public().to_string().into_bytes();
        let other = b.public().to_string().into_bytes();
        let sig = a.sign(&msg);
        let check = |items: &[(&VerifyingKey, &[u8], &SignatureBytes)]| -> Vec<bool> {
            check_signatures(items).iter().map(|r| r.is_ok()).collect()
        };
        assert_eq!(check(&[(&ka, &msg, &sig)]), [true]);
        let n = verified::checked_by_this_thread();
        assert_eq!(check(&[(&ka, &msg, &sig)]), [true]);
        assert_eq!(verified::checked_by_this_thread(), n, "answered from memory");
        // Same message and signature, another key; same key and signature, another message.
        assert_eq!(check(&[(&kb, &msg, &sig)]), [false]);
        assert_eq!(check(&[(&ka, &other, &sig)]), [false]);
        // Mixed with the remembered one in a batch.
        assert_eq!(
            check(&[(&ka, &msg, &sig), (&kb, &msg, &sig), (&ka, &other, &sig)]),
            [true, false, false]
        );
        // A failing signature fails again, and is checked again each time.
        let mut bad = sig;
        bad.0[40] ^= 1;
        for _ in 0..2 {
            let n = verified::checked_by_this_thread();
            assert_eq!(check(&[(&ka, &msg, &bad)]), [false]);
            assert_eq!(verified::checked_by_this_thread(), n + 1);
        }
        // A record checked once; then the same record and signature under a
        // certificate whose signature is forged.
        let id = SecretKey::generate().unwrap();
        let cert = certify_device(&id, "Anna", Role::Citizen, a.public(), "laptop", 1);
        let rec = Profile {
            name: "Anna".into(),
            role: Role::Citizen,
            municipality: None,
            contact: None,
        };
        let good = sign_record(rec, &a, &cert, 7);
        assert!(verify_records(&[&good])[0].is_ok());
        let mut forged = good.clone();
        forged.device.certificate.identity_name = "Mallory".into();
        assert!(verify_records(&[&forged])[0].is_err());
        assert!(verify_records(&[&good, &forged])[1].is_err());
        assert!(verify_record(&forged).is_err());
    }

    /// One batch of many records of two kinds from several devices, with
    /// forgeries spread through it (a changed record, a valid signature
    /// pasted onto another record, a certificate whose signature is forged,
    /// S not below the group order): exactly the forged ones are refused,
    /// each with the words it gets alone; the good ones next to them pass.
    #[test]
    fn a_large_batch_pins_each_forgery_to_its_record() {
        use inwonercloud_schemas::{Goal, GoalStatus, LifeDomain};
        verified::forget();
        let id = SecretKey::generate().unwrap();
        let devices: Vec<(SecretKey, CertifiedDevice)> = (0..3)
            .map(|i| {
                let dev = SecretKey::generate().unwrap();
                let cert = certify_device(&id, "Anna", Role::Citizen, dev.public(), &format!("d{i}"), 1);
                (dev, cert)
            })
            .collect();
        let profile = |i: u64| Profile {
            name: format!("p{i}"),
            role: Role::Citizen,
            municipality: None,
            contact: None,
        };
        let goal = |i: u64| Goal {
            id: format!("g{i}"),
            domain: LifeDomain::Wonen,
            text: format!("doel {i}"),
            target_date: None,
            status: GoalStatus::Actief,
            member: None,
        };
        let mut profiles: Vec<Signed<Profile>> = (0..400)
            .map(|i| {
                let (dev, cert) = &devices[i as usize % 3];
                sign_record(profile(i), dev, cert, i)
            })
            .collect();
        let mut goals: Vec<Signed<Goal>> = (0..400)
            .map(|i| {
                let (dev, cert) = &devices[i as usize % 3];
                sign_record(goal(i), dev, cert, i)
            })
            .collect();
        profiles[17].record.name = "vervalst".into();
        profiles[301].signature = profiles[300].signature;
        goals[5].device.signature.0[3] ^= 1;
        goals[399].signature.0[63] |= 0xf0;
        let mut batch = SignatureBatch::default();
        profiles.iter().for_each(|s| batch.add(s));
        goals.iter().for_each(|s| batch.add(s));
        let verdicts = batch.check();
        let alone = profiles
            .iter()
            .map(verify_record)
            .chain(goals.iter().map(verify_record));
        let mut refused = vec![];
        for (i, (got, want)) in verdicts.iter().zip(alone).enumerate() {
            assert_eq!(
                got.as_ref().map_err(ToString::to_string),
                want.as_ref().map_err(ToString::to_string),
                "record {i}"
            );
            if got.is_err() {
                refused.push(i);
            }
        }
        assert_eq!(refused, vec![17, 301, 405, 799]);
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

    /// The byte-level pre-check of a point encoding decides as
    /// decompressing would: among encodings that decompress, it passes
    /// exactly those that re-compress to the same bytes and are not of
    /// small order; and the key check at entry agrees with it.
    #[test]
    fn encoding_precheck_matches_decompression() {
        let mut encodings: Vec<[u8; 32]> = Vec::new();
        for t in EIGHT_TORSION {
            encodings.push(t.compress().to_bytes());
        }
        for y in 0u8..19 {
            let mut b = [0xffu8; 32];
            b[0] = 0xed + y;
            b[31] = 0x7f;
            encodings.push(b);
        }
        for i in 1u64..40 {
            let p = EdwardsPoint::mul_base(&Scalar::from(i * 7919));
            encodings.push(p.compress().to_bytes());
            encodings.push((p + EIGHT_TORSION[(i % 8) as usize]).compress().to_bytes());
            let mut noise = [0u8; 32];
            noise[..8].copy_from_slice(&i.wrapping_mul(0x9e37_79b9_7f4a_7c15).to_le_bytes());
            noise[31] = i as u8;
            encodings.push(noise);
        }
        let with_signs: Vec<[u8; 32]> = encodings
            .iter()
            .flat_map(|b| {
                let mut flipped = *b;
                flipped[31] ^= 0x80;
                [*b, flipped]
            })
            .collect();
        let mut decompressed = 0;
        for b in with_signs {
            let ours = canonical_y(&b) && !small_order(&b);
            let Some(p) = CompressedEdwardsY(b).decompress() else {
                assert!(checked_key(&PublicKey(b)).is_err());
                continue;
            };
            decompressed += 1;
            if canonical_y(&b) {
                assert_eq!(small_order(&b), p.is_small_order(), "{}", hex::encode(b));
            }
            assert_eq!(
                ours,
                p.compress().to_bytes() == b && !p.is_small_order(),
                "{}",
                hex::encode(b)
            );
            assert_eq!(checked_key(&PublicKey(b)).is_ok(), ours, "{}", hex::encode(b));
        }
        assert!(decompressed > 100, "{decompressed}");
    }

    proptest::proptest! {
        /// On what an honest signer makes, and on any one bit flipped in
        /// it, the cofactored check agrees with `verify_strict` (they can
        /// differ only where R or the key has a small-order component).
        #[test]
        fn single_check_agrees_with_verify_strict_on_honest_signatures(
            seed in proptest::prelude::any::<[u8; 32]>(),
            msg in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            flip in proptest::option::of(0usize..(64 + 64) * 8),
        ) {
            let key = SecretKey::from_bytes(&seed);
            let vk = checked_key(&key.public()).unwrap();
            let mut msg = msg;
            let mut sig = key.sign(&msg);
            match flip {
                Some(bit) if bit < 512 => sig.0[bit / 8] ^= 1 << (bit % 8),
                Some(bit) => {
                    let bit = bit - 512;
                    if msg.len() > bit / 8 {
                        msg[bit / 8] ^= 1 << (bit % 8);
                    } else {
                        msg.push(1);
                    }
                }
                None => {}
            }
            let strict = vk.verify_strict(&msg, &Signature::from_bytes(&sig.0)).is_ok();
            proptest::prop_assert_eq!(check_one(&vk, &msg, &sig).is_ok(), strict);
            proptest::prop_assert_eq!(strict, flip.is_none());
            proptest::prop_assert_eq!(check_signatures(&[(&vk, &msg, &sig)])[0].is_ok(), strict);
        }
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
