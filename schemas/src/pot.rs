//! Wijkbudget (neighbourhood pot): records of a pot document owned by a
//! municipality (or a partnership) and written by the participating
//! organisations. Which signer makes a record count is decided by the
//! vault (`vault/src/pot.rs`); this module fixes only what is signed.

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Date, Declaration, Hash32, Lang, PublicKey, Record, Signed};

/// What kind of support a spend paid for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupportKind {
    /// Support for one resident.
    Individual,
    /// A group or neighbourhood activity.
    Collective,
    /// Prevention.
    Prevention,
}

impl SupportKind {
    /// Every kind.
    pub const ALL: [SupportKind; 3] = [
        SupportKind::Individual,
        SupportKind::Collective,
        SupportKind::Prevention,
    ];

    /// Stable code (as typed on the command line).
    pub fn code(self) -> &'static str {
        match self {
            SupportKind::Individual => "individual",
            SupportKind::Collective => "collective",
            SupportKind::Prevention => "prevention",
        }
    }

    /// Dutch or English name.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (SupportKind::Individual, Lang::Nl) => "individueel",
            (SupportKind::Individual, Lang::En) => "individual",
            (SupportKind::Collective, Lang::Nl) => "collectief",
            (SupportKind::Collective, Lang::En) => "collective",
            (SupportKind::Prevention, Lang::Nl) => "preventie",
            (SupportKind::Prevention, Lang::En) => "prevention",
        }
    }

    /// Reads a code or a Dutch or English name.
    pub fn parse(text: &str) -> Option<SupportKind> {
        let t = text.trim().to_lowercase();
        SupportKind::ALL
            .into_iter()
            .find(|k| t == k.code() || t == k.label(Lang::Nl) || t == k.label(Lang::En))
    }
}

/// The pot itself: its name and period (key `info`, signed by the owner).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PotInfo {
    /// Name, e.g. "Wijkbudget Ruwaard 2027".
    pub name: String,
    /// First day spends may fall on.
    pub period_start: Date,
    /// Last day spends may fall on.
    pub period_end: Date,
}

impl Record for PotInfo {
    const KIND: &'static str = "pot_info";
    const VERSION: u16 = 1;
}

/// A participating organisation, named by the owner (key: its identity).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PotPartner {
    /// The organisation's identity.
    pub organisation: PublicKey,
    /// Its name as the owner records it (the same on every partner's screen).
    pub name: String,
}

impl Record for PotPartner {
    const KIND: &'static str = "pot_partner";
    const VERSION: u16 = 1;
}

/// Money put into the pot: the municipality's subsidy (counts only when
/// signed by the pot's owner).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PotFunding {
    /// Stable id.
    pub id: String,
    /// Euros, two decimals at most.
    pub amount: Decimal,
    /// Day it applies to.
    pub date: Date,
    /// Free text (the subsidy decision, say).
    pub note: String,
}

impl Record for PotFunding {
    const KIND: &'static str = "pot_funding";
    const VERSION: u16 = 1;
}

/// One organisation's room in the pot, set by the owner (key: the
/// organisation's identity; a new value replaces the old one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgRoom {
    /// The organisation.
    pub organisation: PublicKey,
    /// Euros it may spend from the pot, before rebalancing.
    pub amount: Decimal,
    /// Free text.
    pub note: String,
}

impl Record for OrgRoom {
    const KIND: &'static str = "pot_org_room";
    const VERSION: u16 = 1;
}

/// Support an organisation paid from its room for one resident (named by a
/// pseudonym only, never a name or BSN).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PotSpend {
    /// Stable id.
    pub id: String,
    /// The organisation whose room pays (counts only when it signed).
    pub organisation: PublicKey,
    /// The resident's pseudonym within the pot.
    pub resident: String,
    /// Individual, collective or prevention.
    pub kind: SupportKind,
    /// Category code.
    pub category: String,
    /// Euros, two decimals at most.
    pub amount: Decimal,
    /// Day of the support.
    pub date: Date,
    /// Free text (no names).
    pub note: String,
    /// The marketplace declaration this spend books, when it is one (left
    /// out otherwise, so spends signed before the field existed keep their
    /// bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declaration: Option<DeclarationRef>,
}

/// A marketplace declaration a pot spend books: the provider's declaration
/// under an agreement with a citizen, approved by the budget holder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclarationRef {
    /// The declaration's id.
    pub id: String,
    /// The record hash of the provider's signed declaration (binds the
    /// spend to exactly that content).
    pub hash: Hash32,
    /// The provider's signed declaration itself, so that every partner can
    /// check its signature, hash, amount and category. It names no citizen
    /// (the agreement, which does, stays with its two parties).
    pub signed: Box<Signed<Declaration>>,
}

// Equality of decimals, dates and strings is total.
impl Eq for DeclarationRef {}

impl Record for PotSpend {
    const KIND: &'static str = "pot_spend";
    const VERSION: u16 = 1;
}

/// Room moved from one organisation to another (counts only when signed by
/// the giving organisation or by the pot's owner).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PotRebalance {
    /// Stable id.
    pub id: String,
    /// The organisation that gives room.
    pub from: PublicKey,
    /// The organisation that receives it.
    pub to: PublicKey,
    /// Euros moved, above zero.
    pub amount: Decimal,
    /// Day agreed.
    pub date: Date,
    /// Why (the partners' meeting, say).
    pub note: String,
}

impl Record for PotRebalance {
    const KIND: &'static str = "pot_rebalance";
    const VERSION: u16 = 1;
}
