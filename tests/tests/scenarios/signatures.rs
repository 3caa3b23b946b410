//! Batch and single signature checks give the same verdict (issue 14, defect 8).
//!
//! Signatures are crafted with the device's secret scalar in hand, so that
//! they carry what an honest signer never makes: an `R` of small order, an
//! `R` with a small-order (torsion) component, a non-canonical `S`, a
//! non-canonical encoding of `R`, a key with a torsion component. Each is
//! checked alone (`keys::verify`, `keys::verify_record`,
//! `SignedChange::verify`) and mixed into a batch of good ones
//! (`keys::verify_records`, `change::verify_all`): the verdicts, and the
//! errors, must be the same, and must not depend on the batch.
//!
//! The raw library calls disagree on some of these signatures
//! (`raw_verify_batch_accepts_what_verify_strict_refuses`): that is the
//! defect the vault's checks must not inherit.

use automerge::{ActorId, AutoCommit, ROOT, transaction::Transactable};
use curve25519_dalek::{
    constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION},
    edwards::{CompressedEdwardsY, EdwardsPoint},
    scalar::Scalar,
    traits::IsIdentity,
};
use inwonercloud_schemas::{Profile, PublicKey, Role, SignatureBytes, Signed, signed::signing_bytes};
use inwonercloud_vault::{
    change::{self, SignedChange},
    keys::{self, SecretKey},
};
use proptest::prelude::*;
use sha2::{Digest, Sha512};

/// The group order ℓ, little-endian.
const ELL: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

const DOC: &str = "0123456789abcdef/plan/signatures";

/// A device key whose secret scalar is known, and the key it publishes
/// (for a torsioned key: `a·B + T`, which no honest signer has).
struct Device {
    a: Scalar,
    public: PublicKey,
}

fn device(seed: [u8; 32], torsion: usize) -> Device {
    let secret = SecretKey::from_bytes(&seed);
    let h: [u8; 64] = Sha512::digest(seed).into();
    let mut clamped = [0u8; 32];
    clamped.copy_from_slice(&h[..32]);
    clamped[0] &= 248;
    clamped[31] &= 127;
    clamped[31] |= 64;
    let a = Scalar::from_bytes_mod_order(clamped);
    let point = EdwardsPoint::mul_base(&a);
    assert_eq!(
        point.compress().to_bytes(),
        secret.public().0,
        "secret scalar derived as the library does"
    );
    let public = PublicKey((point + EIGHT_TORSION[torsion]).compress().to_bytes());
    Device { a, public }
}

/// How a signature is made.
#[derive(Clone, Copy, Debug)]
enum Craft {
    /// As the library signs.
    Honest,
    /// Honest, but over another message.
    OtherMessage,
    /// R = T for the i-th point of small order (sign bit flipped when
    /// asked: for the two points with x = 0 that is a non-canonical
    /// "negative zero" encoding), S = k·a: the cofactored equation holds.
    SmallOrderR(usize, bool),
    /// R = r·B + T (T of small order, not the identity), S = r + k·a.
    TorsionR(usize),
    /// An honest signature with S + ℓ in place of S.
    NonCanonicalS,
    /// R encoded as p + y (y < 19, where such encodings exist), sign bit as
    /// asked, S = k·a: y = 0 and y = 1 are points of small order, so the
    /// cofactored equation holds for them.
    NonCanonicalR(u8, bool),
    /// The key is a·B + T (T of small order, not the identity); the
    /// signature is made honestly with a.
    TorsionKey(usize),
}

impl Craft {
    /// The vault's verdict (RFC 8032's cofactored equation after a
    /// pre-check of the encodings and of small order).
    fn accepted(self) -> bool {
        matches!(self, Craft::Honest | Craft::TorsionR(_) | Craft::TorsionKey(_))
    }

    fn key_torsion(self) -> usize {
        match self {
            Craft::TorsionKey(i) => i,
            _ => 0,
        }
    }
}

fn challenge(r: &[u8; 32], key: &PublicKey, msg: &[u8]) -> Scalar {
    let mut h = Sha512::new();
    h.update(r);
    h.update(key.0);
    h.update(msg);
    Scalar::from_bytes_mod_order_wide(&h.finalize().into())
}

fn add_ell(s: [u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let v = s[i] as u16 + ELL[i] as u16 + carry;
        out[i] = v as u8;
        carry = v >> 8;
    }
    assert_eq!(carry, 0);
    out
}

/// p + y, little-endian, with the sign bit as asked.
fn non_canonical_y(y: u8, sign: bool) -> [u8; 32] {
    let mut b = [0xffu8; 32];
    b[0] = 0xed + y;
    b[31] = 0x7f | if sign { 0x80 } else { 0 };
    b
}

fn sig(r: [u8; 32], s: [u8; 32]) -> SignatureBytes {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&r);
    out[32..].copy_from_slice(&s);
    SignatureBytes(out)
}

/// A signature by `dev` on `msg`, made as `craft` says, with nonce from `nonce`.
fn craft_signature(dev: &Device, msg: &[u8], craft: Craft, nonce: [u8; 32]) -> SignatureBytes {
    let r = Scalar::from_bytes_mod_order(nonce);
    let honest = |msg: &[u8], torsion: EdwardsPoint| {
        let big_r = (EdwardsPoint::mul_base(&r) + torsion).compress().to_bytes();
        let s = r + challenge(&big_r, &dev.public, msg) * dev.a;
        (big_r, s.to_bytes())
    };
    let k_times_a = |big_r: [u8; 32]| (challenge(&big_r, &dev.public, msg) * dev.a).to_bytes();
    match craft {
        Craft::Honest | Craft::TorsionKey(_) => {
            let (r, s) = honest(msg, EIGHT_TORSION[0]);
            sig(r, s)
        }
        Craft::OtherMessage => {
            let (r, s) = honest(b"something else", EIGHT_TORSION[0]);
            sig(r, s)
        }
        Craft::TorsionR(i) => {
            let (r, s) = honest(msg, EIGHT_TORSION[i]);
            sig(r, s)
        }
        Craft::NonCanonicalS => {
            let (r, s) = honest(msg, EIGHT_TORSION[0]);
            sig(r, add_ell(s))
        }
        Craft::SmallOrderR(i, flip) => {
            let mut big_r = EIGHT_TORSION[i].compress().to_bytes();
            if flip {
                big_r[31] ^= 0x80;
            }
            sig(big_r, k_times_a(big_r))
        }
        Craft::NonCanonicalR(y, sign) => {
            let big_r = non_canonical_y(y, sign);
            sig(big_r, k_times_a(big_r))
        }
    }
}

fn profile(name: String) -> Profile {
    Profile {
        name,
        role: Role::Citizen,
        municipality: None,
        contact: None,
    }
}

fn craft_strategy() -> impl Strategy<Value = Craft> {
    prop_oneof![
        Just(Craft::Honest),
        Just(Craft::OtherMessage),
        (0usize..8, any::<bool>()).prop_map(|(i, f)| Craft::SmallOrderR(i, f)),
        (1usize..8).prop_map(Craft::TorsionR),
        Just(Craft::NonCanonicalS),
        (0u8..19, any::<bool>()).prop_map(|(y, s)| Craft::NonCanonicalR(y, s)),
        (1usize..8).prop_map(Craft::TorsionKey),
    ]
}

/// A check's verdict, with its error's words.
type Verdict = Result<(), String>;

/// Good records by an honest device, and one crafted record at `pos`;
/// returns every verdict of the batch and the crafted record's single one.
fn record_verdicts(
    craft: Craft,
    seed: [u8; 32],
    nonce: [u8; 32],
    name: String,
    goods: usize,
    pos: usize,
    salt: u64,
) -> (Vec<Verdict>, Verdict, Verdict) {
    let id = SecretKey::from_bytes(&[9u8; 32]);
    let honest = SecretKey::from_bytes(&[7u8; 32]);
    let honest_cert = keys::certify_device(&id, "Anna", Role::Citizen, honest.public(), "laptop", 1);
    let dev = device(seed, craft.key_torsion());
    let cert = keys::certify_device(&id, "Anna", Role::Citizen, dev.public, "phone", 1);
    let record = profile(name);
    let msg = signing_bytes(&record, 5, &id.public());
    let crafted = Signed {
        record,
        device: cert,
        signed_at: 5,
        signature: craft_signature(&dev, &msg, craft, nonce),
    };
    let mut all: Vec<Signed<Profile>> = (0..goods)
        .map(|i| keys::sign_record(profile(format!("p{i}")), &honest, &honest_cert, salt + i as u64))
        .collect();
    all.insert(pos, crafted.clone());
    let batch = keys::verify_records(&all.iter().collect::<Vec<_>>())
        .into_iter()
        .map(|r| r.map_err(|e| e.to_string()))
        .collect();
    let single = keys::verify_record(&crafted).map_err(|e| e.to_string());
    let bare = keys::verify(&dev.public, &msg, &crafted.signature, || "it".into()).map_err(|e| e.to_string());
    (batch, single, bare)
}

/// Good changes by an honest device, and one crafted change at `pos`:
/// `verify_all`'s result and the crafted change's single verdict.
fn change_verdicts(
    craft: Craft,
    seed: [u8; 32],
    nonce: [u8; 32],
    value: i64,
    goods: usize,
    pos: usize,
) -> (Result<usize, (usize, String)>, Verdict) {
    let honest = SecretKey::from_bytes(&[7u8; 32]);
    let mut am = AutoCommit::new().with_actor(ActorId::from(honest.public().0));
    for i in 0..goods {
        am.put(ROOT, "n", i as i64).unwrap();
        am.commit();
    }
    let mut all: Vec<SignedChange> = am
        .get_changes(&[])
        .iter()
        .map(|c| SignedChange::sign(DOC, c, &honest))
        .collect();
    let dev = device(seed, craft.key_torsion());
    let mut theirs = AutoCommit::new().with_actor(ActorId::from(dev.public.0));
    theirs.put(ROOT, "v", value).unwrap();
    theirs.commit();
    let c = theirs.get_changes(&[]).pop().unwrap();
    let crafted = SignedChange {
        signer: dev.public,
        signature: craft_signature(&dev, &change::message(DOC, &c.hash().0), craft, nonce),
        bytes: c.raw_bytes().to_vec(),
    };
    all.insert(pos, crafted.clone());
    let batch = change::verify_all(DOC, &all).map(|parsed| parsed.len());
    let single = crafted.verify(DOC).map(|_| ());
    (batch, single)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    /// Records: the crafted signature gets the same verdict and error alone
    /// and in a batch of good ones, and the good ones stay good.
    #[test]
    fn record_batch_and_single_agree(
        craft in craft_strategy(),
        seed in any::<[u8; 32]>(),
        nonce in any::<[u8; 32]>(),
        name in "[a-z]{0,12}",
        goods in 1usize..8,
        pos_seed in any::<usize>(),
        salt in any::<u32>(),
    ) {
        let pos = pos_seed % (goods + 1);
        let (batch, single, bare) = record_verdicts(craft, seed, nonce, name, goods, pos, salt.into());
        prop_assert_eq!(&batch[pos], &single, "{:?}", craft);
        prop_assert_eq!(single.is_ok(), craft.accepted(), "{:?}: {:?}", craft, single);
        prop_assert_eq!(bare.is_ok(), single.is_ok(), "{:?}: {:?}", craft, bare);
        for (i, v) in batch.iter().enumerate() {
            if i != pos {
                prop_assert!(v.is_ok(), "good record {} refused next to {:?}: {:?}", i, craft, v);
            }
        }
    }

    /// Changes: `verify_all` accepts the batch exactly when the crafted
    /// change verifies alone, and otherwise names it with the same error.
    #[test]
    fn change_batch_and_single_agree(
        craft in craft_strategy(),
        seed in any::<[u8; 32]>(),
        nonce in any::<[u8; 32]>(),
        value in any::<i64>(),
        goods in 1usize..6,
        pos_seed in any::<usize>(),
    ) {
        let pos = pos_seed % (goods + 1);
        let (batch, single) = change_verdicts(craft, seed, nonce, value, goods, pos);
        prop_assert_eq!(single.is_ok(), craft.accepted(), "{:?}: {:?}", craft, single);
        match single {
            Ok(()) => prop_assert_eq!(batch, Ok(goods + 1)),
            Err(e) => prop_assert_eq!(batch, Err((pos, e))),
        }
    }
}

/// The same torsioned signature, in many different batches, always gets
/// the verdict it gets alone (with the old batch-first check it passed in
/// about half of them: `verify_batch` weighs it by an even or odd number).
#[test]
fn verdict_does_not_depend_on_the_batch() {
    for craft in [
        Craft::TorsionR(4),
        Craft::TorsionR(2),
        Craft::TorsionR(1),
        Craft::TorsionKey(4),
    ] {
        for round in 0..24usize {
            let (batch, single, _) = record_verdicts(
                craft,
                [3u8; 32],
                [5u8; 32],
                "Anna".into(),
                2 + round % 5,
                round % 3,
                100 * round as u64,
            );
            assert_eq!(batch[round % 3], single, "{craft:?} round {round}");
            assert!(single.is_ok(), "{craft:?}: {single:?}");
        }
    }
    for craft in [
        Craft::SmallOrderR(0, false),
        Craft::SmallOrderR(4, false),
        Craft::NonCanonicalR(1, false),
    ] {
        for round in 0..8usize {
            let (batch, single, _) =
                record_verdicts(craft, [3u8; 32], [5u8; 32], "Anna".into(), 1 + round, 0, round as u64);
            assert_eq!(batch[0], single, "{craft:?} round {round}");
            assert!(single.is_err(), "{craft:?}");
        }
    }
}

/// Every way to get past the pre-check is refused with the same words in
/// both paths, and the words say what was wrong.
#[test]
fn refusals_name_the_reason() {
    let cases = [
        (Craft::SmallOrderR(0, false), "small order"),
        (Craft::SmallOrderR(0, true), "small order"),
        (Craft::NonCanonicalS, "S"),
        (Craft::NonCanonicalR(1, false), "canonical"),
        (Craft::OtherMessage, "does not verify"),
    ];
    for (craft, words) in cases {
        let (batch, single, _) = record_verdicts(craft, [3u8; 32], [5u8; 32], "Anna".into(), 3, 1, 0);
        let err = single.unwrap_err();
        assert!(err.contains(words), "{craft:?}: {err}");
        assert_eq!(batch[1], Err(err));
    }
}

/// What the raw library calls do with the same signatures: `verify_batch`
/// accepts an identity `R` always and a torsioned `R` in some batches, both
/// of which `verify_strict` refuses. The vault's checks must not (and, by
/// the tests above, do not) inherit this disagreement.
#[test]
fn raw_verify_batch_accepts_what_verify_strict_refuses() {
    use ed25519_dalek::{Signature, VerifyingKey};
    let dev = device([3u8; 32], 0);
    let vk = VerifyingKey::from_bytes(&dev.public.0).unwrap();
    let honest = SecretKey::from_bytes(&[7u8; 32]);
    let honest_vk = VerifyingKey::from_bytes(&honest.public().0).unwrap();
    let msg = b"message".as_slice();

    let identity_r = craft_signature(&dev, msg, Craft::SmallOrderR(0, false), [5u8; 32]);
    let identity_r = Signature::from_bytes(&identity_r.0);
    assert!(vk.verify_strict(msg, &identity_r).is_err());
    assert!(ed25519_dalek::verify_batch(&[msg], &[identity_r], &[vk]).is_ok());
    assert!(keys::verify(&dev.public, msg, &SignatureBytes(identity_r.to_bytes()), || "it".into()).is_err());

    let torsioned = Signature::from_bytes(&craft_signature(&dev, msg, Craft::TorsionR(4), [5u8; 32]).0);
    assert!(vk.verify_strict(msg, &torsioned).is_err());
    let (mut passed, mut failed) = (0, 0);
    for i in 0..64u32 {
        let other = i.to_le_bytes();
        let good = Signature::from_bytes(&honest.sign(&other).0);
        match ed25519_dalek::verify_batch(&[msg, &other], &[torsioned, good], &[vk, honest_vk]) {
            Ok(()) => passed += 1,
            Err(_) => failed += 1,
        }
    }
    assert!(passed > 0 && failed > 0, "passed {passed}, failed {failed}");
    // The vault accepts it, alone, as RFC 8032's cofactored equation does.
    assert!(keys::verify(&dev.public, msg, &SignatureBytes(torsioned.to_bytes()), || "it".into()).is_ok());
}

/// The encodings the crafted cases rely on are what they claim to be.
#[test]
fn crafted_encodings_are_what_they_say() {
    for (i, t) in EIGHT_TORSION.iter().enumerate() {
        assert!(t.is_small_order(), "{i}");
        assert_eq!(t.is_identity(), i == 0);
    }
    let y0 = CompressedEdwardsY(non_canonical_y(0, false)).decompress().unwrap();
    let y1 = CompressedEdwardsY(non_canonical_y(1, false)).decompress().unwrap();
    assert!(y0.is_small_order() && y1.is_small_order());
    assert_ne!(y1.compress().to_bytes(), non_canonical_y(1, false));
    assert_eq!(add_ell([0u8; 32]), ELL);
    assert_eq!(EdwardsPoint::mul_base(&Scalar::ONE), ED25519_BASEPOINT_POINT);
}
