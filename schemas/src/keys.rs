//! Public keys and signatures as they appear in records: fixed-size byte
//! arrays that serialize as lowercase hex.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::SchemaError;

macro_rules! hex_bytes {
    ($(#[$doc:meta])* $name:ident, $len:expr, $what:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub [u8; $len]);

        impl $name {
            /// The raw bytes.
            pub fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }

            /// The first eight hex characters, for display to people.
            pub fn short(&self) -> String {
                hex::encode(&self.0[..4])
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&hex::encode(self.0))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.short())
            }
        }

        impl FromStr for $name {
            type Err = SchemaError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let mut out = [0u8; $len];
                hex::decode_to_slice(s.trim(), &mut out).map_err(|_| SchemaError::BadHex {
                    what: $what,
                    expected_len: $len * 2,
                    got: s.chars().take(80).collect(),
                })?;
                Ok(Self(out))
            }
        }

        impl TryFrom<&[u8]> for $name {
            type Error = SchemaError;
            fn try_from(b: &[u8]) -> Result<Self, Self::Error> {
                let arr: [u8; $len] = b.try_into().map_err(|_| SchemaError::BadLength {
                    what: $what,
                    expected: $len,
                    got: b.len(),
                })?;
                Ok(Self(arr))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&hex::encode(self.0))
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "description": $what,
                    "pattern": format!("^[0-9a-f]{{{}}}$", $len * 2),
                })
            }
        }
    };
}

hex_bytes!(
    /// An ed25519 public key: an identity (person or organisation) or a device.
    PublicKey,
    32,
    "an ed25519 public key (64 hex characters)"
);
hex_bytes!(
    /// An ed25519 signature.
    SignatureBytes,
    64,
    "an ed25519 signature (128 hex characters)"
);
hex_bytes!(
    /// A SHA-256 or automerge change hash.
    Hash32,
    32,
    "a 32-byte hash (64 hex characters)"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_roundtrip_and_errors() {
        let k = PublicKey([7u8; 32]);
        let s = serde_json::to_string(&k).unwrap();
        let back: PublicKey = serde_json::from_str(&s).unwrap();
        assert_eq!(k, back);
        let err = "abc".parse::<PublicKey>().unwrap_err().to_string();
        assert!(err.contains("64 hex"), "{err}");
    }
}
