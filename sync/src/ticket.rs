//! Invite tickets: one copy-pasteable string with everything a peer needs to
//! dial the inviter and redeem the invite once.

use std::fmt;
use std::str::FromStr;

use inwonercloud_schemas::{Access, Date, PublicKey, Role};
use serde::{Deserialize, Serialize};

/// Prefix of every ticket string.
pub const PREFIX: &str = "inwonercloud1";

/// What a ticket carries.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Ticket {
    /// The inviter's endpoint id (its device key).
    pub endpoint: PublicKey,
    /// Direct addresses to dial (`ip:port`).
    pub addrs: Vec<String>,
    /// The inviter's relay URL, or several comma-separated, when it uses any.
    pub relay: Option<String>,
    /// The inviter's identity.
    pub inviter: PublicKey,
    /// The inviter's name.
    pub inviter_name: String,
    /// Role offered.
    pub role: Role,
    /// Documents offered (ids).
    pub documents: Vec<String>,
    /// Read or write.
    pub access: Access,
    /// Last day of the consent offered.
    pub valid_until: Option<Date>,
    /// Unix seconds after which the ticket is refused.
    pub expires_at: u64,
    /// The one-time secret (hex).
    pub secret: String,
    /// A ticket for another device of the inviter (not for another person).
    #[serde(default)]
    pub device: bool,
}

/// Why a ticket string could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TicketError {
    /// Wrong prefix.
    #[error("this is not an Inwonercloud ticket (it should start with '{PREFIX}')")]
    Prefix,
    /// Not base32, or not the expected content.
    #[error("the ticket is damaged ({0}); copy it again in full")]
    Damaged(String),
}

impl Ticket {
    /// The ticket for a freshly made invite: where to reach the inviting
    /// device (`endpoint`, `addrs`, `relay`), who invites, what is offered,
    /// and the one-time secret.
    pub fn for_invite(
        endpoint: PublicKey,
        addrs: Vec<String>,
        relay: Option<String>,
        who: &inwonercloud_vault::WhoAmI,
        invite: inwonercloud_vault::Invite,
        secret: &[u8],
    ) -> Self {
        Ticket {
            endpoint,
            addrs,
            relay,
            inviter: who.identity,
            inviter_name: who.name.clone(),
            role: invite.spec.role,
            documents: invite.spec.documents,
            access: invite.spec.access,
            valid_until: invite.spec.valid_until,
            expires_at: invite.expires_at,
            secret: hex::encode(secret),
            device: invite.spec.device,
        }
    }
}

impl fmt::Display for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let json = serde_json::to_vec(self).map_err(|_| fmt::Error)?;
        write!(
            f,
            "{PREFIX}{}",
            data_encoding::BASE32_NOPAD.encode(&json).to_lowercase()
        )
    }
}

impl FromStr for Ticket {
    type Err = TicketError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let body = s.strip_prefix(PREFIX).ok_or(TicketError::Prefix)?;
        if body.len() > 16 * 1024 {
            return Err(TicketError::Damaged("far too long".into()));
        }
        let bytes = data_encoding::BASE32_NOPAD
            .decode(body.to_uppercase().as_bytes())
            .map_err(|e| TicketError::Damaged(e.to_string()))?;
        let t: Ticket = serde_json::from_slice(&bytes).map_err(|e| TicketError::Damaged(e.to_string()))?;
        if hex::decode(&t.secret).map(|s| s.len()) != Ok(16) {
            return Err(TicketError::Damaged("the secret has the wrong length".into()));
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_damage() {
        let t = Ticket {
            endpoint: PublicKey([1; 32]),
            addrs: vec!["127.0.0.1:4433".into()],
            relay: None,
            inviter: PublicKey([2; 32]),
            inviter_name: "Anna".into(),
            role: Role::Counselor,
            documents: vec!["x/plan".into()],
            access: Access::Write,
            valid_until: None,
            expires_at: 10,
            secret: "00112233445566778899aabbccddeeff".into(),
            device: false,
        };
        let s = t.to_string();
        assert!(s.starts_with(PREFIX));
        assert_eq!(s.parse::<Ticket>().unwrap(), t);
        assert_eq!("hello".parse::<Ticket>(), Err(TicketError::Prefix));
        let mut damaged = s.clone();
        damaged.truncate(s.len() - 7);
        assert!(matches!(damaged.parse::<Ticket>(), Err(TicketError::Damaged(_))));
    }
}
