//! Representatives: `mandate give`, `mandate list`, `mandate revoke`. A
//! representative approves or disputes with the ordinary `approve` and
//! `dispute` commands, and asks the holder's vault to order or to request a
//! budget with `mandate order` and `mandate request` (see
//! `inwonercloud_vault::commission`).

use anyhow::Result;
use clap::{Args, Subcommand};
use inwonercloud_schemas::{Capacity, CommissionTask, Date, MandateAction, PublicKey};
use inwonercloud_vault::{MandateView, Vault};

use super::Out;
use super::parse::date;

/// The `mandate` subcommands.
#[derive(Subcommand, Debug)]
pub enum MandateCmd {
    /// Give someone a signed mandate to act for you (they may then write in
    /// your budget and agreements, with their own signature).
    Give(GiveArgs),
    /// The mandates you gave, and those others gave you.
    List,
    /// Revoke a mandate: what the representative signed so far stays valid,
    /// nothing they sign under it later counts.
    Revoke {
        /// Mandate id (or its first characters).
        id: String,
    },
    /// As a representative: ask the holder's vault to order an offering for
    /// her (carried out when her vault next sees it, if your mandate allows).
    Order(OrderForArgs),
    /// As a representative: ask the holder's vault to request a budget for her.
    Request(RequestForArgs),
    /// As a representative: ask the holder's vault to transfer budget for her.
    Transfer(TransferForArgs),
}

/// Arguments of `mandate transfer`.
#[derive(Args, Debug)]
pub struct TransferForArgs {
    /// The budget holder you act for (name or identity).
    #[arg(long = "for")]
    pub citizen: String,
    /// The receiver (name or identity).
    #[arg(long)]
    pub to: String,
    /// Her account it leaves (id or name).
    #[arg(long)]
    pub from_account: String,
    /// Amount in euros.
    #[arg(long, value_parser = super::parse::amount)]
    pub amount: rust_decimal::Decimal,
    /// pgb category the money is for (must be exchangeable).
    #[arg(long)]
    pub category: String,
    /// Why.
    #[arg(long, default_value = "")]
    pub note: String,
}

/// Arguments of `mandate order`.
#[derive(Args, Debug)]
pub struct OrderForArgs {
    /// The budget holder you act for (name or identity).
    #[arg(long = "for")]
    pub citizen: String,
    /// Offering id.
    #[arg(long)]
    pub offering: String,
    /// Her account to pay from (id or name).
    #[arg(long)]
    pub account: String,
    /// Most units over the period.
    #[arg(long, value_parser = super::parse::amount)]
    pub units: rust_decimal::Decimal,
    /// First day.
    #[arg(long, value_parser = date)]
    pub from: Date,
    /// Last day.
    #[arg(long, value_parser = date)]
    pub until: Date,
    /// The member of her household the care is for (its id in her plan).
    #[arg(long)]
    pub member: Option<String>,
}

/// Arguments of `mandate request`.
#[derive(Args, Debug)]
pub struct RequestForArgs {
    /// The budget holder you act for (name or identity).
    #[arg(long = "for")]
    pub citizen: String,
    /// pgb category code.
    #[arg(long)]
    pub category: String,
    /// Amount in euros.
    #[arg(long, value_parser = super::parse::amount)]
    pub amount: rust_decimal::Decimal,
    /// Funding stream.
    #[arg(long, default_value = "wmo", value_parser = super::parse::stream)]
    pub stream: inwonercloud_schemas::FundingStream,
    /// First day.
    #[arg(long, value_parser = date)]
    pub from: Date,
    /// Last day.
    #[arg(long, value_parser = date)]
    pub until: Date,
    /// Why she needs it.
    #[arg(long)]
    pub motivation: String,
}

/// Arguments of `mandate give`.
#[derive(Args, Debug)]
pub struct GiveArgs {
    /// The representative: a known peer's name or identity (connect first with invite / join).
    #[arg(long)]
    pub to: String,
    /// In which capacity: wettelijk-vertegenwoordiger, bewindvoerder or familie.
    #[arg(long = "as", value_parser = capacity)]
    pub capacity: Capacity,
    /// What they may do, comma-separated: approve, dispute, order, request, transfer.
    #[arg(long, value_parser = actions)]
    pub actions: Actions,
    /// The first day of your affairs it covers (default: 1 January of this year).
    #[arg(long, value_parser = date)]
    pub from: Option<Date>,
    /// The last such day (default: until revoked).
    #[arg(long, value_parser = date)]
    pub until: Option<Date>,
}

/// A list of mandate actions as typed (`approve,dispute`).
#[derive(Clone, Debug)]
pub struct Actions(pub Vec<MandateAction>);

fn capacity(s: &str) -> Result<Capacity, String> {
    Capacity::parse(s).map_err(|e| e.to_string())
}

fn actions(s: &str) -> Result<Actions, String> {
    MandateAction::parse_list(s).map(Actions).map_err(|e| e.to_string())
}

/// Runs a `mandate` subcommand.
pub fn run(out: &Out, v: &mut Vault, c: MandateCmd) -> Result<()> {
    match c {
        MandateCmd::Give(a) => give(out, v, a),
        MandateCmd::List => list(out, v),
        MandateCmd::Revoke { id } => revoke(out, v, &id),
        MandateCmd::Order(a) => {
            let citizen = representative(v, &a.citizen)?;
            let task = CommissionTask::Order {
                offering_id: a.offering,
                account: a.account,
                max_units: a.units,
                period_start: a.from,
                period_end: a.until,
                member: a.member,
            };
            commission(out, v, citizen, task)
        }
        MandateCmd::Request(a) => {
            let citizen = representative(v, &a.citizen)?;
            let task = CommissionTask::Request {
                stream: a.stream,
                category: a.category,
                quantity: inwonercloud_schemas::Quantity::new(a.amount, inwonercloud_schemas::Unit::Euro)?,
                period_start: a.from,
                period_end: a.until,
                motivation: a.motivation,
            };
            commission(out, v, citizen, task)
        }
        MandateCmd::Transfer(a) => {
            let citizen = representative(v, &a.citizen)?;
            let task = CommissionTask::Transfer {
                to: representative(v, &a.to)?,
                from_account: a.from_account,
                amount: a.amount,
                category: a.category,
                note: a.note,
            };
            commission(out, v, citizen, task)
        }
    }
}

/// Signs a commission into the holder's budget; her vault carries it out.
fn commission(out: &Out, v: &mut Vault, citizen: PublicKey, task: CommissionTask) -> Result<()> {
    let c = v.commission(citizen, task)?;
    let name = v.display_name(&citizen);
    out.emit(&c, || out.say(|t| t.commission_signed(&c.id, &name)))
}

fn representative(v: &Vault, to: &str) -> Result<PublicKey> {
    if let Ok(k) = to.trim().parse::<PublicKey>() {
        return Ok(k);
    }
    Ok(v.find_peer(to)?.identity)
}

/// 1 January of the current year.
fn start_of_year() -> Result<Date> {
    Ok(Date::new(Date::today().year(), 1, 1)?)
}

fn give(out: &Out, v: &mut Vault, a: GiveArgs) -> Result<()> {
    let to = representative(v, &a.to)?;
    let from = match a.from {
        Some(d) => d,
        None => start_of_year()?,
    };
    let m = v.give_mandate(to, a.capacity, a.actions.0, from, a.until)?;
    out.emit(&m, || {
        let what: Vec<&str> = m.actions.iter().map(|x| x.label(out.lang)).collect();
        out.say(|t| {
            t.mandate_given(
                &m.id,
                &m.representative_name,
                m.capacity.label(out.lang),
                &what.join(", "),
            )
        })
    })
}

fn line(out: &Out, v: &Vault, m: &MandateView, mine: bool) {
    let r = &m.mandate.record;
    let state = if m.revocation.is_some() {
        out.t(|t| t.revoked)
    } else if m.active {
        out.t(|t| t.active)
    } else {
        out.t(|t| t.expired)
    };
    let who = if mine {
        format!("{} {}", out.t(|t| t.to_word), r.representative_name)
    } else {
        format!("{} {}", out.t(|t| t.from_word), v.display_name(&r.citizen))
    };
    let what: Vec<&str> = r.actions.iter().map(|x| x.label(out.lang)).collect();
    println!(
        "{}  {:<24} {:<28} {:<26} {} – {}  [{state}]",
        r.id,
        who,
        r.capacity.label(out.lang),
        what.join(", "),
        out.date(r.valid_from),
        r.valid_until.map(|d| out.date(d)).unwrap_or_else(|| "…".into()),
    );
    if let Some(rev) = &m.revocation {
        println!(
            "    {} {}; {} {}",
            out.t(|t| t.revoked_on),
            out.date(rev.record.date),
            out.t(|t| t.stays_valid),
            if rev.record.keep.is_empty() {
                "—".to_string()
            } else {
                rev.record.keep.join(", ")
            }
        );
    }
}

fn list(out: &Out, v: &Vault) -> Result<()> {
    let given = v.mandates()?;
    let held = v.mandates_for_me()?;
    out.emit(&serde_json::json!({"given": given, "held": held}), || {
        if given.is_empty() && held.is_empty() {
            out.say(|t| t.no_mandates);
        }
        if !given.is_empty() {
            out.say(|t| t.given_by_you);
            for m in &given {
                line(out, v, m, true);
            }
        }
        if !held.is_empty() {
            out.say(|t| t.you_act_on_behalf_of);
            for m in &held {
                line(out, v, m, false);
            }
        }
    })
}

fn revoke(out: &Out, v: &mut Vault, typed: &str) -> Result<()> {
    let ids = v.mandates()?.into_iter().map(|m| m.mandate.record.id);
    let id = super::ids::resolve(out, |t| t.id_mandate, typed, ids)?;
    let r = v.revoke_mandate(&id)?;
    out.emit(&r, || out.say(|t| t.mandate_revoked(r.keep.len())))
}
