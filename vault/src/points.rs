//! Points and hours (seed 003): accounts that count in points or hours are
//! granted, reserved, spent and verified like euro accounts, and units are
//! never mixed without an explicit conversion the policy states.
//!
//! - **Ordering.** An order paid from a points account takes its tariff in
//!   points from the policy's arrangement for the offering's category and
//!   service unit ([`Policy::points_tariff`]); one from an hours account is
//!   possible only for a service sold per hour, at 1 hour per hour. The
//!   agreed service records the unit its tariff counts in
//!   ([`AgreedService::tariff_unit`](inwonercloud_schemas::AgreedService)),
//!   the provider's declaration repeats it, and the approval books units ×
//!   tariff in that unit (whole points only).
//! - **Euro-only.** Transfers, top-ups and pot rooms are euro amounts and
//!   stay on euro accounts ([`crate::market::require_euros`]).
//! - **Reports.** Claims carry their unit; totals are kept per unit, and a
//!   points total is shown in euros only as an equivalent at the value the
//!   policy states ([`Policy::euros_per_point`]).

use inwonercloud_schemas::{Account, Offering, Policy, SchemaError, ServiceUnit, Unit};
use rust_decimal::Decimal;

use crate::error::{Result, VaultError};
use crate::vault::Vault;

fn invalid(msg: impl Into<String>) -> VaultError {
    VaultError::Input(SchemaError::Invalid(msg.into()))
}

/// How a service unit reads in a message.
fn per(unit: ServiceUnit) -> &'static str {
    match unit {
        ServiceUnit::Uur => "uur (hour)",
        ServiceUnit::Dagdeel => "dagdeel (half day)",
        ServiceUnit::Etmaal => "etmaal (24 hours)",
        ServiceUnit::Product => "product",
    }
}

/// The tariff of `offering` when paid from an account counting in `unit`:
/// the offering's euro price, the policy's points per service unit, or one
/// hour per hour; a refusal naming what is missing otherwise.
pub fn tariff_in(policy: Option<&Policy>, offering: &Offering, unit: Unit) -> Result<Decimal> {
    match unit {
        Unit::Euro => Ok(offering.price),
        Unit::Points => {
            let Some(p) = policy else {
                return Err(invalid(format!(
                    "a points account pays at the municipality's points tariff, and no municipality's policy is \
                     held here: {} per {} has no price in points",
                    offering.category,
                    per(offering.unit)
                )));
            };
            p.points_tariff(&offering.category, offering.unit).ok_or_else(|| {
                invalid(format!(
                    "the policy of {} prices no arrangement for category {} per {} in points: choose an \
                     offering the policy prices in points, or a euro account",
                    p.municipality,
                    offering.category,
                    per(offering.unit)
                ))
            })
        }
        Unit::Hours if offering.unit == ServiceUnit::Uur => Ok(Decimal::ONE),
        Unit::Hours => Err(invalid(format!(
            "an hours account pays only for services sold per hour, and this one is sold per {}: choose a \
             euro or points account",
            per(offering.unit)
        ))),
    }
}

impl Vault {
    /// What `offering` costs per unit from `account` (id or name of an
    /// account in this vault's budget), in the account's unit (see
    /// [`tariff_in`]): what the order form shows and the order reserves.
    pub fn price_from(&self, account: &str, offering: &Offering) -> Result<(Decimal, Unit)> {
        let acc: Account = self.find_account(&self.budget_doc(), account)?;
        let policy = self.policy().map(|p| p.record);
        Ok((tariff_in(policy.as_ref(), offering, acc.unit)?, acc.unit))
    }

    /// Euros per point of `category` as the policy in force states them, if it does.
    pub fn euros_per_point(&self, category: &str) -> Option<Decimal> {
        self.policy().and_then(|p| p.record.euros_per_point(category))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inwonercloud_schemas::{PointsArrangement, ProviderDetails};

    fn offering(category: &str, unit: ServiceUnit) -> Offering {
        Offering {
            id: "o".into(),
            service: "dienst".into(),
            category: category.into(),
            unit,
            price: Decimal::new(5500, 2),
            region: "Oss".into(),
            availability: String::new(),
            description: String::new(),
            provider: ProviderDetails {
                name: "De Linde".into(),
                kvk: None,
                agb: None,
            },
        }
    }

    #[test]
    fn the_tariff_follows_the_account_unit_and_the_policy() {
        let mut p = Policy::example("Gemeente Oss");
        p.points_arrangements = vec![PointsArrangement {
            category: "dagbesteding".into(),
            unit: ServiceUnit::Dagdeel,
            points: Decimal::from(12),
        }];
        let dag = offering("dagbesteding", ServiceUnit::Dagdeel);
        let uur = offering("begeleiding_individueel", ServiceUnit::Uur);
        assert_eq!(tariff_in(Some(&p), &dag, Unit::Euro).unwrap(), Decimal::new(5500, 2));
        assert_eq!(tariff_in(Some(&p), &dag, Unit::Points).unwrap(), Decimal::from(12));
        assert_eq!(tariff_in(None, &uur, Unit::Hours).unwrap(), Decimal::ONE);
        let e = tariff_in(Some(&p), &uur, Unit::Points).unwrap_err().to_string();
        assert!(
            e.contains("Gemeente Oss") && e.contains("begeleiding_individueel") && e.contains("in points"),
            "{e}"
        );
        let e = tariff_in(None, &dag, Unit::Points).unwrap_err().to_string();
        assert!(e.contains("no municipality's policy"), "{e}");
        let e = tariff_in(Some(&p), &dag, Unit::Hours).unwrap_err().to_string();
        assert!(
            e.contains("only for services sold per hour") && e.contains("dagdeel"),
            "{e}"
        );
    }
}
