//! A market a citizen can find: municipalities admit providers and
//! republish their catalogues; citizens filter what they see.
//!
//! **Admission.** A provider joins the municipality (it redeems the
//! municipality's invite in the provider role, so the municipality admits
//! it, [`Vault::is_admitted`]) and its node hands the municipality its public
//! catalogue. The municipality then admits it to its market
//! ([`Vault::admit_provider`]): a [`ProviderAdmission`] record, signed by the
//! municipality in its own public policy document, naming the provider, its
//! devices and its addresses. Withdrawing writes the same record with the
//! day it ended.
//!
//! **Republishing.** The municipality's node offers the catalogues of the
//! providers it admitted (and has not withdrawn) to every peer it admitted
//! ([`Vault::republished_catalogues_for`], used by
//! [`Vault::documents_for_peer`]). It relays the provider's own signed
//! changes with the provider's header and device certificates: it cannot
//! alter an offering, only withhold changes.
//!
//! **What a citizen accepts.** A catalogue whose owner is not the peer that
//! offers it is taken only from a *market authority*
//! ([`Vault::market_authorities`]): a municipality this vault trusts
//! ([`Vault::trusted_municipalities`]: a consent, a pinned key, or its own)
//! or one whose invite it joined. Every change is still checked by the one
//! admission rule (the provider's header and certificates), and every
//! offering on read against the provider's key. An offering counts as
//! *admitted* only when a market authority's own signed admission names its
//! provider — never because of the path the catalogue came by: a catalogue
//! held from elsewhere (joined directly, or an older relay) is shown without
//! that mark.

use std::collections::BTreeMap;

use inwonercloud_schemas::{Date, DocKind, DocumentHeader, Lang, ProviderAdmission, PublicKey, Role};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Result, VaultError};
use crate::market::OfferingView;
use crate::vault::{Authored, Vault};

/// Which offerings to show; every field that is set must match.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct OfferingFilter {
    /// Words in the category's code or name (any case).
    pub category: Option<String>,
    /// Words in the region served (any case).
    pub region: Option<String>,
    /// Highest price per unit, in euros.
    pub max_price: Option<Decimal>,
    /// Words in the availability (any case), e.g. `weekend`.
    pub availability: Option<String>,
    /// Only providers a market authority admitted.
    pub admitted_only: bool,
}

/// Whether `hay` contains the (trimmed, case-insensitive) `needle`; an
/// unset or empty needle matches anything.
fn contains(hay: &[&str], needle: &Option<String>) -> bool {
    match needle.as_deref().map(str::trim) {
        None | Some("") => true,
        Some(n) => {
            let n = n.to_lowercase();
            hay.iter().any(|h| h.to_lowercase().contains(&n))
        }
    }
}

impl OfferingFilter {
    /// Whether the filter sets nothing.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// Whether `o` passes, its category's names being `category_names`.
    pub fn matches(&self, o: &OfferingView, category_names: &[&str]) -> bool {
        let r = &o.offering.record;
        let mut cat: Vec<&str> = vec![&r.category];
        cat.extend_from_slice(category_names);
        contains(&cat, &self.category)
            && contains(&[&r.region], &self.region)
            && contains(&[&r.availability], &self.availability)
            && self.max_price.is_none_or(|m| r.price <= m)
            && (!self.admitted_only || !o.admitted_by.is_empty())
    }
}

/// A provider a market authority admitted, as this vault sees it.
#[derive(Clone, Debug, Serialize)]
pub struct AdmittedProvider {
    /// The municipality's signed admission.
    pub admission: Authored<ProviderAdmission>,
    /// The municipality that signed it.
    pub by: PublicKey,
    /// Its name, as its certificate states it.
    pub by_name: String,
}

impl Vault {
    /// The municipality admits a provider that joined it to its market: its
    /// node republishes the provider's catalogue to everyone it admitted.
    /// Signs a [`ProviderAdmission`] in its public policy document, with the
    /// provider's name, devices and addresses as known here.
    pub fn admit_provider(&mut self, provider: &PublicKey) -> Result<ProviderAdmission> {
        self.transact(|v| v.set_admission(provider, None))
    }

    /// The municipality withdraws a provider's admission: its catalogue is
    /// no longer republished, and citizens' markets stop marking it admitted.
    pub fn withdraw_provider(&mut self, provider: &PublicKey) -> Result<ProviderAdmission> {
        self.transact(|v| v.set_admission(provider, Some(Date::today())))
    }

    fn set_admission(&mut self, provider: &PublicKey, withdrawn_on: Option<Date>) -> Result<ProviderAdmission> {
        if self.role() != Role::Municipality {
            return Err(VaultError::NotAllowed(
                "only a municipality admits providers to its market".into(),
            ));
        }
        let doc = self.ensure_own_document(DocKind::Policy)?;
        let key = provider.to_string();
        let a = if withdrawn_on.is_some() {
            let old = self
                .record::<ProviderAdmission>(&doc, &key)?
                .filter(|a| a.author == self.identity())
                .ok_or_else(|| VaultError::UnknownRecord {
                    what: "admission",
                    id: key.clone(),
                })?;
            ProviderAdmission {
                withdrawn_on,
                ..old.record
            }
        } else {
            let peer = self.peer(provider)?.filter(|p| p.role == Role::Provider);
            let Some(peer) = peer.filter(|_| self.is_admitted(provider)) else {
                return Err(VaultError::NotAllowed(format!(
                    "{} has not joined you as a care provider: invite it in the provider role first",
                    provider.short()
                )));
            };
            ProviderAdmission {
                provider: *provider,
                name: peer.name,
                devices: peer.devices,
                addrs: peer.addrs,
                admitted_on: Date::today(),
                withdrawn_on: None,
            }
        };
        Ok(self.put_record(&doc, &key, a)?.record)
    }

    /// The identities whose admissions count in this vault's market: the
    /// municipalities it trusts ([`Vault::trusted_municipalities`]) and those
    /// whose invite it joined (a municipality's ticket, taken deliberately),
    /// with their names.
    pub fn market_authorities(&self) -> BTreeMap<PublicKey, String> {
        let mut out: BTreeMap<PublicKey, String> = BTreeMap::new();
        let pinned = self.pinned_municipalities().unwrap_or_default();
        for k in self.trusted_municipalities().unwrap_or_default().into_keys() {
            // A known peer's certificate name, else the name given when pinning.
            let name = match (self.peer(&k), pinned.iter().find(|p| p.key == k)) {
                (Ok(Some(p)), _) => p.name,
                (_, Some(p)) => p.name.clone(),
                _ => self.display_name(&k),
            };
            out.insert(k, name);
        }
        for k in self.admitted_by_join() {
            if let Ok(Some(p)) = self.peer(&k)
                && p.role == Role::Municipality
            {
                out.insert(k, p.name);
            }
        }
        out
    }

    /// Every admission in force that a market authority signed, in its own
    /// policy document (withdrawn ones left out).
    pub fn admitted_providers(&self) -> Result<Vec<AdmittedProvider>> {
        let authorities = self.market_authorities();
        let mut out = vec![];
        for (by, by_name) in authorities {
            let doc = DocKind::Policy.doc_id(&by);
            if !self.docs_map().contains_key(&doc) {
                continue;
            }
            let (records, _) = self.records::<ProviderAdmission>(&doc)?;
            for a in records {
                if a.author == by && a.record.withdrawn_on.is_none() {
                    out.push(AdmittedProvider {
                        admission: a,
                        by,
                        by_name: by_name.clone(),
                    });
                }
            }
        }
        Ok(out)
    }

    /// This municipality's own admissions, withdrawn ones too.
    pub fn provider_admissions(&self) -> Result<Vec<ProviderAdmission>> {
        let doc = self.doc_id(DocKind::Policy);
        if !self.docs_map().contains_key(&doc) {
            return Ok(vec![]);
        }
        let me = self.identity();
        let (records, _) = self.records::<ProviderAdmission>(&doc)?;
        Ok(records
            .into_iter()
            .filter(|a| a.author == me)
            .map(|a| a.record)
            .collect())
    }

    /// The catalogues this municipality republishes to `peer`: when `peer`
    /// is admitted here ([`Vault::is_admitted`]: it joined the municipality,
    /// or the municipality joined it), those it holds of the providers it
    /// admitted and did not withdraw, while they are still admitted here.
    /// Empty for anyone else, and on a vault that is not a municipality.
    pub fn republished_catalogues_for(&self, peer: &PublicKey) -> Result<Vec<String>> {
        if self.role() != Role::Municipality || !self.is_admitted(peer) {
            return Ok(vec![]);
        }
        Ok(self
            .provider_admissions()?
            .into_iter()
            .filter(|a| a.withdrawn_on.is_none() && self.is_admitted(&a.provider))
            .map(|a| DocKind::Catalogue.doc_id(&a.provider))
            .filter(|c| self.docs_map().contains_key(c))
            .collect())
    }

    /// Whether to take a catalogue `peer` relays (one it does not own): only
    /// from a market authority ([`Vault::market_authorities`]).
    pub fn takes_catalogues_from(&self, peer: &PublicKey) -> bool {
        self.market_authorities().contains_key(peer)
    }

    /// Whether a provider takes an agreement document `peer` offers without
    /// having met it: the peer owns it and its owner-signed header lets this
    /// provider write it as the provider — an order from a citizen who found
    /// the provider through a municipality. Its changes still pass the
    /// admission rule, and the limits per owner bound what a stranger can
    /// make it store.
    pub fn takes_order_from(&self, peer: &PublicKey, header: &DocumentHeader) -> bool {
        header.kind == DocKind::Agreement
            && &header.owner == peer
            && self.role() == Role::Provider
            && header.role_of(&self.identity()) == Some(Role::Provider)
    }

    /// The offerings that pass `filter` (see [`Vault::offerings`]); what the
    /// command line and the window both show.
    pub fn find_offerings(&self, filter: &OfferingFilter) -> Result<Vec<OfferingView>> {
        let cat = self.catalogue();
        Ok(self
            .offerings()?
            .into_iter()
            .filter(|o| {
                let names: Vec<&str> = cat
                    .get(&o.offering.record.category)
                    .map(|c| vec![c.name(Lang::Nl), c.name(Lang::En)])
                    .unwrap_or_default();
                filter.matches(o, &names)
            })
            .collect())
    }

    /// Before ordering from a provider this vault has never met: remembers
    /// its devices and addresses from a market authority's admission, so the
    /// node can reach it with the agreement. Does nothing for a known peer.
    pub(crate) fn learn_provider_route(&mut self, provider: &PublicKey) -> Result<()> {
        if self.peer(provider)?.is_some() {
            return Ok(());
        }
        let Some(a) = self
            .admitted_providers()?
            .into_iter()
            .map(|a| a.admission.record)
            .find(|a| &a.provider == provider && !a.devices.is_empty())
        else {
            return Ok(());
        };
        self.remember_peer(&crate::PeerInfo {
            identity: a.provider,
            name: a.name,
            role: Role::Provider,
            devices: a.devices,
            addrs: a.addrs.into_iter().take(8).collect(),
            last_seen: 0,
            postbus: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_needle_matches_and_a_needle_matches_any_case() {
        assert!(contains(&["Utrecht"], &None));
        assert!(contains(&["Utrecht"], &Some("  ".into())));
        assert!(contains(&["Utrecht", "Woerden"], &Some("woerd".into())));
        assert!(!contains(&["Utrecht"], &Some("Delft".into())));
    }
}
