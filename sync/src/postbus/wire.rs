//! The postbus's messages: one request and one answer per QUIC stream.
//!
//! A message is `u32 JSON length | JSON | u32 blob count | count × (u32
//! length | bytes)` (big-endian); blobs are sealed envelopes. A stream holds
//! at most [`MAX_MESSAGE`] bytes.

use inwonercloud_schemas::{PostbusRoster, PublicKey, Signed};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// ALPN of the postbus protocol.
pub const ALPN: &[u8] = b"inwonercloud/postbus/1";
/// Largest message either side reads.
pub const MAX_MESSAGE: usize = 8 * 1024 * 1024;

/// What a device asks of a postbus.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    /// An owner gives (or renews) her roster.
    Register {
        /// The owner-signed roster.
        roster: Box<Signed<PostbusRoster>>,
    },
    /// The roster an owner gave, for a depositor to seal by.
    Roster {
        /// Whose.
        owner: PublicKey,
    },
    /// Leave one sealed envelope (the message's one blob) for `recipients`.
    Deposit {
        /// Whose documents it belongs to.
        owner: PublicKey,
        /// The devices that may collect it.
        recipients: Vec<PublicKey>,
    },
    /// Collect what waits for the asking device, up to about `max_bytes`.
    Fetch {
        /// How many bytes of envelopes at most (at least one is always sent).
        max_bytes: u64,
    },
    /// Confirm envelopes were taken in: the postbus stops holding them for this device.
    Ack {
        /// Envelope ids from a `Mail` answer.
        ids: Vec<u64>,
    },
}

/// A postbus's answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Response {
    /// The roster is in force; deliveries to dropped members were cancelled.
    Registered {
        /// Deliveries cancelled because their recipient left the roster.
        dropped_deliveries: usize,
    },
    /// The roster held for the owner asked about, if any.
    Roster {
        /// The owner-signed roster.
        roster: Option<Box<Signed<PostbusRoster>>>,
    },
    /// The envelope is held under this id.
    Deposited {
        /// Its id.
        id: u64,
    },
    /// Envelopes for the asking device, one blob each, in this order.
    Mail {
        /// What each blob is.
        items: Vec<MailItem>,
        /// How many more wait after these.
        more: bool,
    },
    /// How many envelopes were acknowledged.
    Acked {
        /// Count.
        count: usize,
    },
    /// The request was refused or failed.
    Error {
        /// A [`Code`].
        code: u32,
        /// What went wrong, for a person.
        message: String,
    },
}

/// One envelope handed out.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailItem {
    /// Its id, to acknowledge.
    pub id: u64,
    /// Whose documents it belongs to.
    pub owner: PublicKey,
    /// The device that left it.
    pub from: PublicKey,
}

/// Why a postbus refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Code {
    /// The message was malformed.
    Protocol = 1,
    /// Too large, or the owner's space is used up.
    Full = 2,
    /// The asking device is not on the roster, or the roster is not valid.
    Unauthorized = 3,
    /// A local failure at the postbus.
    Internal = 9,
}

/// Errors reading or writing a message.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// The bytes are not a message.
    #[error("malformed postbus message: {0}")]
    Malformed(String),
}

/// Encodes a message.
pub fn encode<T: Serialize>(msg: &T, blobs: &[&[u8]]) -> Result<Vec<u8>, WireError> {
    let json = serde_json::to_vec(msg).map_err(|e| WireError::Malformed(e.to_string()))?;
    let total = 8 + json.len() + blobs.iter().map(|b| 4 + b.len()).sum::<usize>();
    if total > MAX_MESSAGE {
        return Err(WireError::Malformed(format!(
            "{total} bytes is over the {MAX_MESSAGE}-byte limit"
        )));
    }
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&(json.len() as u32).to_be_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(&(blobs.len() as u32).to_be_bytes());
    for b in blobs {
        out.extend_from_slice(&(b.len() as u32).to_be_bytes());
        out.extend_from_slice(b);
    }
    Ok(out)
}

/// Decodes a message; refuses anything malformed or trailing.
pub fn decode<T: DeserializeOwned>(mut data: &[u8]) -> Result<(T, Vec<Vec<u8>>), WireError> {
    fn take<'a>(d: &mut &'a [u8], n: usize) -> Result<&'a [u8], WireError> {
        if d.len() < n {
            return Err(WireError::Malformed("the message ends early".into()));
        }
        let (a, b) = d.split_at(n);
        *d = b;
        Ok(a)
    }
    fn u32_of(d: &mut &[u8]) -> Result<usize, WireError> {
        let b = take(d, 4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }
    let n = u32_of(&mut data)?;
    let msg = serde_json::from_slice(take(&mut data, n)?).map_err(|e| WireError::Malformed(e.to_string()))?;
    let count = u32_of(&mut data)?;
    if count > 10_000 {
        return Err(WireError::Malformed(format!("{count} blobs")));
    }
    let mut blobs = Vec::with_capacity(count.min(64));
    for _ in 0..count {
        let n = u32_of(&mut data)?;
        blobs.push(take(&mut data, n)?.to_vec());
    }
    if !data.is_empty() {
        return Err(WireError::Malformed(format!("{} bytes after the message", data.len())));
    }
    Ok((msg, blobs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_garbage_is_refused() {
        let m = Request::Ack { ids: vec![1, 2] };
        let bytes = encode(&m, &[b"abc", b""]).unwrap();
        let (back, blobs): (Request, _) = decode(&bytes).unwrap();
        assert!(matches!(back, Request::Ack { ids } if ids == vec![1, 2]));
        assert_eq!(blobs, vec![b"abc".to_vec(), vec![]]);
        assert!(decode::<Request>(&bytes[..bytes.len() - 1]).is_err());
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(decode::<Request>(&extra).is_err());
        assert!(decode::<Request>(&[0, 0, 0, 2, b'{', b'}', 0, 0, 0, 0]).is_err());
        assert!(decode::<Request>(&[]).is_err());
    }
}
