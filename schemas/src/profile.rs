//! The citizen's profile and private journal.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Record, Role};

/// Who the vault belongs to, as shown to people they share with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Municipality the citizen lives in, or the organisation's place.
    pub municipality: Option<String>,
    /// Contact details the owner chooses to show.
    pub contact: Option<String>,
}

impl Record for Profile {
    const KIND: &'static str = "profile";
    const VERSION: u16 = 1;
}

/// A private journal note; never shared unless the citizen shares the journal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JournalNote {
    /// Stable id.
    pub id: String,
    /// The note.
    pub text: String,
    /// Unix seconds.
    pub at: u64,
}

impl Record for JournalNote {
    const KIND: &'static str = "journal_note";
    const VERSION: u16 = 1;
}
