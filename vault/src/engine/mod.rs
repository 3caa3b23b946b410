//! The engine: what every document has in common, whatever it holds.
//!
//! - [`vault`]: the [`Vault`](vault::Vault) handle — open and verify, commit a
//!   signed change, run one user action as one transaction
//!   ([`Vault::transact`](vault::Vault::transact)), read verified records.
//! - [`replica`]: what the sync crate uses — version vectors, missing
//!   changes, bundles, and importing signed changes from a peer.
//! - [`admission`]: the one rule deciding whether a signed change may enter a
//!   document, on every path it enters by.
//! - [`refusal`]: why a change, header or bundle is refused, one typed
//!   variant per rule, shared by the rejections log, the error and the app.
//! - [`change`]: a signed change and its verification.
//! - [`document`]: one automerge document and its flat map of signed records.
//! - [`store`]: the redb file, its tables, sealing and transactions.
//! - [`record_cache`]: a document's parsed records kept beside its snapshot.
//! - [`seal`]: encryption at rest and the passphrase-wrapped vault key.
//! - [`limits`]: how much other identities may store here.
//! - [`shared`]: one engine per process, with change events for the window
//!   and the sync node.
//!
//! The domain modules beside this one (plan, budget, market, assessment,
//! pot, exchange, consent, trust, claims) hold the rules of the records;
//! they reach the file only through [`Vault::put_record`](vault::Vault::put_record),
//! [`Vault::records`](vault::Vault::records) and the header edits here.

pub mod admission;
pub mod change;
pub(crate) mod document;
pub mod limits;
pub mod record_cache;
pub mod refusal;
pub mod replica;
pub mod seal;
pub mod shared;
pub mod store;
pub mod vault;
