//! The signed envelope every record travels in, and device certificates.
//!
//! A record is signed by a *device* key; the device is certified by an
//! *identity* key (a person or organisation). The author of a record is the
//! certificate's identity. Signing and checking happen in the vault crate;
//! this module only fixes the shapes and the bytes that are signed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{PublicKey, Record, Role, SignatureBytes};

/// An identity's statement that a device key speaks for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceCertificate {
    /// The identity (person or organisation).
    pub identity: PublicKey,
    /// The identity's display name.
    pub identity_name: String,
    /// The identity's role.
    pub role: Role,
    /// The device key (also its iroh endpoint id).
    pub device: PublicKey,
    /// Device name, e.g. "laptop".
    pub device_name: String,
    /// Unix seconds when issued.
    pub issued_at: u64,
}

impl Record for DeviceCertificate {
    const KIND: &'static str = "device_certificate";
    const VERSION: u16 = 1;
}

/// A device certificate with the identity's signature over it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CertifiedDevice {
    /// The certificate.
    pub certificate: DeviceCertificate,
    /// The identity key's signature over the certificate's canonical bytes.
    pub signature: SignatureBytes,
}

/// A record signed by a certified device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Signed<R> {
    /// The record.
    pub record: R,
    /// The device that signed, with its certificate.
    pub device: CertifiedDevice,
    /// Unix seconds when signed (by the signer's clock).
    pub signed_at: u64,
    /// The device key's signature over [`signing_bytes`].
    pub signature: SignatureBytes,
}

impl<R: Record> Signed<R> {
    /// The author: the identity the signing device belongs to.
    pub fn author(&self) -> &PublicKey {
        &self.device.certificate.identity
    }
}

/// The bytes a device signs for a record: a domain tag, the identity the
/// device speaks for, the signing time and the record's canonical bytes
/// (kind, version, content).
///
/// The identity is signed too: a certificate is the identity's word that a
/// device key is its own, and anyone can issue one for any device key. Were
/// the identity left out, someone could certify another person's device key
/// under an identity of their own and present that person's signed records
/// (a budget request, say) as theirs; with it, the device's signature holds
/// only under the identity it was made for.
pub fn signing_bytes<R: Record>(record: &R, signed_at: u64, identity: &PublicKey) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(b"inwonercloud/signed-record/v2\0");
    out.extend_from_slice(identity.as_bytes());
    out.extend_from_slice(&signed_at.to_be_bytes());
    crate::write_canonical(&mut out, record);
    out
}
