//! One party's Inwonercloud store: identity and device keys, signed automerge
//! documents in a redb file, and the ledger arithmetic the app shows.
//!
//! # Design
//!
//! A [`Vault`] is a directory holding one redb file. It holds the owner's
//! identity key (a person or organisation) and this device's key, certified
//! by the identity. Each document (profile, plan, budget, journal, consents,
//! agreements, catalogue, policy) is an automerge document whose actor id is
//! the device public key, with an owner-signed header naming who may write.
//!
//! **Every change is signed.** When this device commits a change it signs
//! `tag || document id || change hash` and stores the change as its own row
//! in the change log, in the same transaction as the edit. A change that
//! arrives from elsewhere is applied only if its signature verifies, its
//! automerge actor is the signing device, and that device is certified by an
//! identity the header lets write ([`Vault::import_changes`]); otherwise the
//! whole batch is refused and the refusal logged. On open, every stored row
//! is checked again (batch verification), so a flipped byte makes opening
//! fail with an error naming the change.
//!
//! **Records are signed too.** Inside a document every value is a
//! [`Signed`](inwonercloud_schemas::Signed) record, so a grant, a declaration
//! or an approval can be exported and checked on its own, offline.
//!
//! **Balances are computed, not stored** ([`ledger`]): the same entries give
//! the same figures on every device, and overspending is flagged, not hidden.
//!
//! # Layout
//!
//! `engine/` holds what every document shares (the file, signed changes,
//! admission, transactions, import and export for sync); the modules beside
//! it hold the domain, one per kind of record: `plan`, `budget` and
//! `ledger`, `market` and `claims`, `assessment`, `pot`, `exchange`,
//! `consent` and `trust`. See `docs/architecture.md`.
//!
//! This crate does no networking and has no UI; the sync crate talks to it
//! through [`Vault::import_changes`], [`Vault::signed_changes`] and
//! [`Vault::bundle`].

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod engine;

pub mod assessment;
pub mod backup;
pub mod budget;
pub mod cancellation;
pub mod claims;
pub mod commission;
pub mod consent;
pub mod discovery;
pub mod error;
pub mod exchange;
pub mod export;
pub mod household;
pub mod informal;
pub mod journal;
pub mod keys;
pub mod ledger;
pub mod mail;
pub mod mandate;
pub mod market;
pub mod plan;
pub mod points;
pub mod pot;
pub mod receipts;
pub mod trust;

pub use engine::{admission, change, limits, record_cache, refusal, replica, seal, shared, store};
pub(crate) use engine::{document, vault};

pub use assessment::{Allocation, DecisionInput, NewRequest, RequestState, RequestView};
pub use budget::{BudgetView, NewEntry};
pub use change::SignedChange;
pub use claims::{ClaimBundle, ClaimKind, ClaimReport, ClaimResult, ClaimsFile, SpendBundle, TrustRoots};
pub use consent::{
    AccessLine, ConsentView, Direction, Holder, Invite, InviteSpec, PeerInfo, PeerVisit, Redeemed, SessionNotes,
};
pub use error::{Result, VaultError};
pub use exchange::TransferView;
pub use household::HouseholdView;
pub use ledger::{AccountFigures, EntryLine, EntryStatus, LedgerReport};
pub use mandate::MandateView;
pub use market::{AgreementView, DeclarationView, OfferingView};
pub use plan::{NewNeed, PlanView};
pub use pot::{
    DeclarationCheck, NewPotSpend, NotCounted, OrgFigures, PotDashboard, PotSpendLine, RebalanceLine,
    resident_pseudonym,
};
pub use seal::{KdfParams, Passphrase, VaultKey};
pub use shared::Shared;
pub use vault::{
    Authored, BadRecord, CreateOptions, DB_FILE, DocumentBundle, HistoryEntry, ImportReport, Vault, WhoAmI,
};

/// What the unit tests of this crate share.
#[cfg(test)]
pub(crate) mod testing {
    use inwonercloud_schemas::Role;

    use crate::{CreateOptions, Passphrase, Vault};

    /// A fresh vault for `name` in `role` in `dir`, with the test passphrase.
    pub(crate) fn vault(dir: &std::path::Path, name: &str, role: Role) -> Vault {
        Vault::create(
            dir,
            CreateOptions {
                name: name.into(),
                role,
                device_name: "laptop".into(),
                passphrase: Passphrase::new("proef-wachtwoord"),
            },
        )
        .unwrap()
    }
}
