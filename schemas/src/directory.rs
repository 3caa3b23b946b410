//! The market directory: a municipality's signed statement that it admitted
//! a provider, kept in the municipality's public policy document.
//!
//! A citizen's market marks a provider as *admitted* only on such a record,
//! signed by a municipality the citizen trusts; the offerings themselves
//! stay signed by the provider and are checked against its key.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Date, PublicKey, Record};

/// A municipality admitted a provider to its market (*toelating*): its
/// node republishes the provider's catalogue to everyone who joined it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderAdmission {
    /// The provider's identity key.
    pub provider: PublicKey,
    /// The provider's name, as its certificate states it.
    pub name: String,
    /// The provider's devices (endpoint ids) as the municipality knew them,
    /// so that a citizen who orders can reach the provider.
    pub devices: Vec<PublicKey>,
    /// Addresses (`ip:port`) the provider announced to the municipality.
    pub addrs: Vec<String>,
    /// Day of admission.
    pub admitted_on: Date,
    /// Day the admission was withdrawn, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn_on: Option<Date>,
}

impl Record for ProviderAdmission {
    const KIND: &'static str = "provider_admission";
    const VERSION: u16 = 1;
}
