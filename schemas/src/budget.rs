//! Budget accounts per funding stream and the ledger entries that move them.
//!
//! Balances are never stored: they are computed from signed entries, so the
//! same entries give the same balance on every device (see the vault's ledger).

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Date, Lang, Record, SchemaError, Unit, money::check_scale};

/// The law or source a budget is paid from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FundingStream {
    /// Wet maatschappelijke ondersteuning.
    Wmo,
    /// Jeugdwet.
    Jeugdwet,
    /// Wet langdurige zorg.
    Wlz,
    /// Zorgverzekeringswet.
    Zvw,
    /// Participatiewet.
    Participatiewet,
    /// The citizen's own money (eigen bijdrage / top-ups).
    EigenBijdrage,
}

impl FundingStream {
    /// Every stream.
    pub const ALL: [FundingStream; 6] = [
        FundingStream::Wmo,
        FundingStream::Jeugdwet,
        FundingStream::Wlz,
        FundingStream::Zvw,
        FundingStream::Participatiewet,
        FundingStream::EigenBijdrage,
    ];

    /// The name people read.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (FundingStream::Wmo, _) => "Wmo",
            (FundingStream::Jeugdwet, Lang::Nl) => "Jeugdwet",
            (FundingStream::Jeugdwet, Lang::En) => "Youth Act",
            (FundingStream::Wlz, _) => "Wlz",
            (FundingStream::Zvw, _) => "Zvw",
            (FundingStream::Participatiewet, Lang::Nl) => "Participatiewet",
            (FundingStream::Participatiewet, Lang::En) => "Participation Act",
            (FundingStream::EigenBijdrage, Lang::Nl) => "Eigen bijdrage",
            (FundingStream::EigenBijdrage, Lang::En) => "Own contribution",
        }
    }

    /// A plain explanation for a stream whose name alone does not say what
    /// it is (the eigen bijdrage), to show next to its name.
    pub fn explain(self, lang: Lang) -> Option<&'static str> {
        match (self, lang) {
            (FundingStream::EigenBijdrage, Lang::Nl) => Some(
                "Eigen bijdrage: het deel van de kosten van uw zorg dat u zelf betaalt. Het CAK (Centraal \
                 Administratie Kantoor) rekent het uit en stuurt u de rekening. Dit is iets anders dan eigen geld \
                 dat u zelf aan uw budget toevoegt.",
            ),
            (FundingStream::EigenBijdrage, Lang::En) => Some(
                "Own contribution: the part of the cost of your care that you pay yourself. The CAK (the central \
                 administration office) works it out and sends you the bill. This is not the same as own money you \
                 add to your budget yourself.",
            ),
            _ => None,
        }
    }

    /// Parses `wmo`, `jeugdwet`, `wlz`, `zvw`, `participatiewet`, `eigen_bijdrage`/`eigen`.
    pub fn parse(s: &str) -> Result<Self, SchemaError> {
        match s.trim().to_lowercase().replace([' ', '-'], "_").as_str() {
            "wmo" => Ok(FundingStream::Wmo),
            "jeugdwet" | "jeugd" | "youth" => Ok(FundingStream::Jeugdwet),
            "wlz" => Ok(FundingStream::Wlz),
            "zvw" => Ok(FundingStream::Zvw),
            "participatiewet" | "pw" => Ok(FundingStream::Participatiewet),
            "eigen_bijdrage" | "eigen" | "own" => Ok(FundingStream::EigenBijdrage),
            _ => Err(SchemaError::UnknownStream(s.to_string())),
        }
    }
}

/// A budget account: one funding stream, one period, one unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// Stable id.
    pub id: String,
    /// Name people read, e.g. "Wmo begeleiding 2026".
    pub name: String,
    /// Funding stream.
    pub stream: FundingStream,
    /// What the account counts in.
    pub unit: Unit,
    /// First day of the budget period.
    pub period_start: Date,
    /// Last day of the budget period.
    pub period_end: Date,
}

impl Record for Account {
    const KIND: &'static str = "account";
    const VERSION: u16 = 1;
}

impl Account {
    /// Checks the period.
    pub fn validate(&self) -> Result<(), SchemaError> {
        if self.period_end < self.period_start {
            return Err(SchemaError::Invalid(format!(
                "account {}: period ends ({}) before it starts ({})",
                self.id, self.period_end, self.period_start
            )));
        }
        if self.name.trim().is_empty() {
            return Err(SchemaError::Invalid("an account needs a name".into()));
        }
        Ok(())
    }
}

/// What a ledger entry does to its account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Budget granted by the municipality (signed by it).
    Grant,
    /// A correction of the grant, up (positive) or down (negative).
    Adjustment,
    /// The citizen's own money added.
    TopUp,
    /// Money moved out to another budget holder.
    TransferOut,
    /// Money received from another budget holder.
    TransferIn,
    /// Money set aside for an agreement.
    Reservation,
    /// A reservation (or part of it) given back.
    Release,
    /// Money spent (an approved declaration).
    Spend,
}

impl EntryKind {
    /// Every kind.
    pub const ALL: [EntryKind; 8] = [
        EntryKind::Grant,
        EntryKind::Adjustment,
        EntryKind::TopUp,
        EntryKind::TransferOut,
        EntryKind::TransferIn,
        EntryKind::Reservation,
        EntryKind::Release,
        EntryKind::Spend,
    ];

    /// Dutch or English name.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (EntryKind::Grant, Lang::Nl) => "toekenning",
            (EntryKind::Grant, Lang::En) => "grant",
            (EntryKind::Adjustment, Lang::Nl) => "bijstelling",
            (EntryKind::Adjustment, Lang::En) => "adjustment",
            (EntryKind::TopUp, Lang::Nl) => "eigen geld",
            (EntryKind::TopUp, Lang::En) => "top-up",
            (EntryKind::TransferOut, Lang::Nl) => "overboeking uit",
            (EntryKind::TransferOut, Lang::En) => "transfer out",
            (EntryKind::TransferIn, Lang::Nl) => "overboeking in",
            (EntryKind::TransferIn, Lang::En) => "transfer in",
            (EntryKind::Reservation, Lang::Nl) => "reservering",
            (EntryKind::Reservation, Lang::En) => "reservation",
            (EntryKind::Release, Lang::Nl) => "vrijgave",
            (EntryKind::Release, Lang::En) => "release",
            (EntryKind::Spend, Lang::Nl) => "besteding",
            (EntryKind::Spend, Lang::En) => "spend",
        }
    }
}

/// One signed movement on a budget account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LedgerEntry {
    /// Stable id, unique within the budget document.
    pub id: String,
    /// The account it moves.
    pub account: String,
    /// What it does.
    pub kind: EntryKind,
    /// Positive, except adjustments, which may be negative.
    pub amount: Decimal,
    /// pgb category code, if any.
    pub category: Option<String>,
    /// The day it applies to.
    pub date: Date,
    /// Free text.
    pub note: String,
    /// What it refers to: a decision, reservation, transfer or declaration id.
    pub reference: Option<String>,
}

impl Record for LedgerEntry {
    const KIND: &'static str = "ledger_entry";
    const VERSION: u16 = 1;
}

/// The largest amount (in its unit) one ledger entry may hold: a trillion.
pub const MAX_ENTRY_AMOUNT: i64 = 1_000_000_000_000;

impl LedgerEntry {
    /// Checks sign and decimals against the account's unit.
    pub fn validate(&self, unit: Unit) -> Result<(), SchemaError> {
        check_scale(self.amount, unit)?;
        // Bounded, so that sums over any number of entries stay exact and never overflow.
        if self.amount.abs() > Decimal::from(MAX_ENTRY_AMOUNT) {
            return Err(SchemaError::Invalid(format!(
                "{} is more than the largest amount one entry may hold ({MAX_ENTRY_AMOUNT})",
                self.amount
            )));
        }
        match self.kind {
            EntryKind::Adjustment if self.amount.is_zero() => {
                Err(SchemaError::Invalid("an adjustment of zero changes nothing".into()))
            }
            EntryKind::Adjustment => Ok(()),
            _ if self.amount <= Decimal::ZERO => Err(SchemaError::NotAboveZero(self.amount)),
            _ => Ok(()),
        }
    }
}

/// A transfer of budget from one holder to another (EigenBudget phase 3):
/// signed by the sender in the exchange document the two share. Money moves
/// only once the receiver has signed a [`TransferAcceptance`] too.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// Stable id; both ledger entries refer to it.
    pub id: String,
    /// Sending budget holder.
    pub from: crate::PublicKey,
    /// Sending account.
    pub from_account: String,
    /// Receiving budget holder.
    pub to: crate::PublicKey,
    /// Amount in euros.
    pub amount: Decimal,
    /// pgb category the money is for (must be exchangeable under the policy).
    pub category: String,
    /// Day it applies to.
    pub date: Date,
    /// Why, in words.
    pub note: String,
}

impl Record for Transfer {
    const KIND: &'static str = "transfer";
    const VERSION: u16 = 1;
}

/// The receiver's signature on a transfer: which account takes it in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferAcceptance {
    /// The transfer accepted.
    pub transfer_id: String,
    /// Receiving account.
    pub to_account: String,
    /// The amount accepted (must equal the transfer's).
    pub amount: Decimal,
}

impl Record for TransferAcceptance {
    const KIND: &'static str = "transfer_acceptance";
    const VERSION: u16 = 1;
}
