//! The roster a citizen gives her postbus: who may leave and collect mail
//! for her documents there.
//!
//! A postbus is an always-on node that holds sealed changes for peers who
//! are offline. It never reads them; it only needs to know which devices may
//! deposit and collect for an owner, and the depositors need to know which
//! devices may read which document. The owner signs that list as a
//! [`PostbusRoster`] (a [`Record`], signed like any other). Document ids are
//! not named in it, only tags (a hash of owner and id, made by the vault), so the postbus learns how many
//! documents are shared with whom, not what they are.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{PublicKey, Record};

/// Most members one roster may name.
pub const MAX_ROSTER_MEMBERS: usize = 256;
/// Most devices per member.
pub const MAX_MEMBER_DEVICES: usize = 64;
/// Most document tags per member.
pub const MAX_MEMBER_DOCS: usize = 1024;

/// An owner's signed statement of who may use a postbus for her documents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostbusRoster {
    /// The citizen (identity) whose documents this roster covers.
    pub owner: PublicKey,
    /// The postbus (endpoint id) this roster is for; another postbus refuses it.
    pub postbus: PublicKey,
    /// Grows with every roster the owner signs (milliseconds since 1970);
    /// a postbus keeps only the highest.
    pub version: u64,
    /// Who may read what: the owner's own devices and each consented peer.
    pub members: Vec<RosterMember>,
    /// Devices of the owner she revoked: they may not sign a roster.
    pub revoked_devices: Vec<PublicKey>,
}

impl Record for PostbusRoster {
    const KIND: &'static str = "postbus_roster";
    const VERSION: u16 = 1;
}

/// One identity on a roster, with its devices and the documents it may read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RosterMember {
    /// The member's identity.
    pub identity: PublicKey,
    /// Its devices (endpoint ids) the owner knows.
    pub devices: Vec<PublicKey>,
    /// Tags of the documents this member may read (32 hex digits each).
    pub docs: Vec<String>,
}

impl PostbusRoster {
    /// Every device on the roster.
    pub fn devices(&self) -> impl Iterator<Item = &PublicKey> {
        self.members.iter().flat_map(|m| m.devices.iter())
    }

    /// Whether `device` is on the roster.
    pub fn has_device(&self, device: &PublicKey) -> bool {
        self.devices().any(|d| d == device)
    }

    /// The devices that may read the document tagged `tag`.
    pub fn readers(&self, tag: &str) -> Vec<PublicKey> {
        let mut out: Vec<PublicKey> = self
            .members
            .iter()
            .filter(|m| m.docs.iter().any(|d| d == tag))
            .flat_map(|m| m.devices.iter().copied())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Whether the roster stays within its bounds.
    pub fn within_bounds(&self) -> Result<(), String> {
        if self.members.len() > MAX_ROSTER_MEMBERS {
            return Err(format!("more than {MAX_ROSTER_MEMBERS} members"));
        }
        if self.revoked_devices.len() > MAX_ROSTER_MEMBERS * MAX_MEMBER_DEVICES {
            return Err("too many revoked devices".into());
        }
        for m in &self.members {
            if m.devices.len() > MAX_MEMBER_DEVICES {
                return Err(format!("a member with more than {MAX_MEMBER_DEVICES} devices"));
            }
            if m.docs.len() > MAX_MEMBER_DOCS {
                return Err(format!("a member with more than {MAX_MEMBER_DOCS} documents"));
            }
            if m.docs
                .iter()
                .any(|d| d.len() != 32 || !d.bytes().all(|b| b.is_ascii_hexdigit()))
            {
                return Err("a document tag that is not 32 hex digits".into());
            }
        }
        Ok(())
    }
}
