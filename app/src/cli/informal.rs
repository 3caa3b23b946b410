//! Informal carers: `informal-agree` makes an agreement with a family
//! member or a neighbour at an informal hourly tariff. The carer then signs
//! (`countersign`) and declares hours (`declare`) from their own vault, and
//! the budget holder approves (`approve`), as with a provider.

use anyhow::Result;
use clap::Args;
use inwonercloud_schemas::{Date, format_euros};
use inwonercloud_vault::Vault;
use rust_decimal::Decimal;

use super::Out;
use super::parse::{amount, date};

/// Arguments of `informal-agree`.
#[derive(Args, Debug)]
pub struct InformalArgs {
    /// The carer: a person you are connected with (name or identity).
    #[arg(long)]
    pub carer: String,
    /// Account to pay from (id or name; it must count in euros).
    #[arg(long)]
    pub account: String,
    /// pgb category code, e.g. begeleiding_informeel or huishoudelijke_hulp_informeel.
    #[arg(long, default_value = "begeleiding_informeel")]
    pub category: String,
    /// Euros per hour (at most the municipality's informal maximum).
    #[arg(long, value_parser = amount)]
    pub tariff: Decimal,
    /// Most hours over the whole period.
    #[arg(long, value_parser = amount)]
    pub hours: Decimal,
    /// First day.
    #[arg(long, value_parser = date)]
    pub from: Date,
    /// Last day.
    #[arg(long, value_parser = date)]
    pub to: Date,
}

/// Signs an agreement with an informal carer and reserves tariff × hours.
pub fn agree(out: &Out, v: &mut Vault, a: InformalArgs) -> Result<()> {
    let carer = v.find_peer(&a.carer)?;
    let ag = v.agree_informal(carer.identity, &a.account, &a.category, a.tariff, a.hours, a.from, a.to)?;
    let reserved = a.tariff.checked_mul(a.hours).unwrap_or_default().round_dp(2);
    out.emit(&ag, || {
        out.say(|t| {
            t.informal_agreement_signed(
                &carer.name,
                &ag.id,
                a.hours.normalize(),
                &format_euros(a.tariff, out.lang),
                &format_euros(reserved, out.lang),
            )
        })
    })
}
