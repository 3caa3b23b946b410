//! Marketplace and claims: `offer`, `market`, `order`, `agreements`,
//! `countersign`, `declare`, `approve`, `dispute`, `verify-claims`,
//! `export-claims`, `verify`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use inwonercloud_schemas::{
    Date, Offering, ProviderDetails, PublicKey, ServiceUnit, Verdict, format_amount, format_euros,
};
use inwonercloud_vault::claims::CLAIMS_FORMAT;
use inwonercloud_vault::discovery::OfferingFilter;
use inwonercloud_vault::mandate::on_behalf;
use inwonercloud_vault::{ClaimReport, ClaimsFile, TrustRoots, Vault};
use rust_decimal::Decimal;

use super::Out;
use super::parse::{amount, date};

fn unit(s: &str) -> Result<ServiceUnit, String> {
    match s.to_lowercase().as_str() {
        "uur" | "hour" => Ok(ServiceUnit::Uur),
        "dagdeel" | "half-day" => Ok(ServiceUnit::Dagdeel),
        "etmaal" | "day" => Ok(ServiceUnit::Etmaal),
        "product" => Ok(ServiceUnit::Product),
        _ => Err(format!("unknown unit '{s}': uur, dagdeel, etmaal or product")),
    }
}

/// Arguments of `offer`.
#[derive(Args, Debug)]
pub struct OfferArgs {
    /// The service, e.g. "Individuele begeleiding thuis".
    #[arg(long)]
    pub service: String,
    /// pgb category code.
    #[arg(long)]
    pub category: String,
    /// uur, dagdeel, etmaal or product.
    #[arg(long, value_parser = unit, default_value = "uur")]
    pub unit: ServiceUnit,
    /// Price per unit in euros.
    #[arg(long, value_parser = amount)]
    pub price: Decimal,
    /// Region.
    #[arg(long, default_value = "")]
    pub region: String,
    /// Availability, in words.
    #[arg(long, default_value = "")]
    pub availability: String,
    /// A short description.
    #[arg(long, default_value = "")]
    pub description: String,
    /// KvK number.
    #[arg(long)]
    pub kvk: Option<String>,
    /// AGB code.
    #[arg(long)]
    pub agb: Option<String>,
}

/// Arguments of `market`.
#[derive(Args, Debug)]
pub struct MarketArgs {
    /// Only categories whose code or name holds these words.
    #[arg(long)]
    pub category: Option<String>,
    /// Only up to this price per unit.
    #[arg(long, value_parser = amount)]
    pub max_price: Option<Decimal>,
    /// Only providers serving a region that holds these words.
    #[arg(long)]
    pub region: Option<String>,
    /// Only offerings whose availability holds these words (e.g. weekend).
    #[arg(long)]
    pub availability: Option<String>,
    /// Only providers a municipality you joined or trust admitted.
    #[arg(long)]
    pub admitted: bool,
    /// Only what fits in the remaining budget of this account (one unit at least).
    #[arg(long)]
    pub fits: Option<String>,
}

/// Arguments of `order`.
#[derive(Args, Debug)]
pub struct OrderArgs {
    /// Offering id.
    pub offering: String,
    /// Account to pay from (id or name).
    #[arg(long)]
    pub account: String,
    /// Most units.
    #[arg(long, value_parser = amount)]
    pub units: Decimal,
    /// First day.
    #[arg(long, value_parser = date)]
    pub from: Date,
    /// Last day.
    #[arg(long, value_parser = date)]
    pub until: Date,
    /// The household member the care is for (name or id; see `plan member list`).
    #[arg(long = "for")]
    pub member: Option<String>,
}

/// Arguments of `declare`.
#[derive(Args, Debug)]
pub struct DeclareArgs {
    /// Agreement id.
    pub agreement: String,
    /// Units delivered.
    #[arg(long, value_parser = amount)]
    pub units: Decimal,
    /// First day of the period.
    #[arg(long, value_parser = date)]
    pub from: Date,
    /// Last day of the period.
    #[arg(long, value_parser = date)]
    pub until: Date,
    /// Note.
    #[arg(long, default_value = "")]
    pub note: String,
}

/// Arguments of `release`.
#[derive(Args, Debug)]
pub struct ReleaseArgs {
    /// The reservation: its entry id, or the id of the agreement it was made for.
    pub reservation: String,
    /// How much to free (default: all that is left of it).
    #[arg(long, value_parser = amount)]
    pub amount: Option<Decimal>,
    /// Note.
    #[arg(long, default_value = "")]
    pub note: String,
}

/// Frees (part of) a reservation with a signed release that names it.
pub fn release(out: &Out, v: &mut Vault, a: ReleaseArgs) -> Result<()> {
    let e = v.release_reservation(&a.reservation, a.amount, Date::today(), &a.note)?;
    out.emit(&e, || {
        out.say(|t| t.released(&format_euros(e.amount, out.lang), e.reference.as_deref().unwrap_or("")))
    })
}

/// Arguments of `cancel-agreement`.
#[derive(Args, Debug)]
pub struct CancelArgs {
    /// Agreement id.
    pub agreement: String,
    /// The last day of care (default: today).
    #[arg(long, value_parser = date)]
    pub last_day: Option<Date>,
    /// Why the agreement ends.
    #[arg(long)]
    pub reason: String,
}

/// Either party ends an agreement early; the budget holder's vault frees
/// what is still reserved once the last day has passed.
pub fn cancel(out: &Out, v: &mut Vault, a: CancelArgs) -> Result<()> {
    let id = super::ids::agreement(out, v, &a.agreement)?;
    let today = Date::today();
    let c = v.cancel_agreement(&id, a.last_day.unwrap_or(today), &a.reason)?;
    let released = v.release_ended_reservations(today)?;
    out.emit(&c, || {
        out.say(|t| t.agreement_cancelled(&out.date(c.last_day)));
        for r in &released {
            out.say(|t| format!("{} {}", t.released_from_reservation, format_euros(r.amount, out.lang)));
        }
    })
}

pub fn offer(out: &Out, v: &mut Vault, a: OfferArgs) -> Result<()> {
    let o = v.publish_offering(Offering {
        id: String::new(),
        service: a.service,
        category: a.category,
        unit: a.unit,
        price: a.price,
        region: a.region,
        availability: a.availability,
        description: a.description,
        provider: ProviderDetails {
            name: v.name().to_string(),
            kvk: a.kvk,
            agb: a.agb,
        },
    })?;
    out.emit(&o, || {
        println!("{} {} ({})", out.t(|t| t.offering_published), o.id, o.service)
    })
}

pub fn market(out: &Out, v: &Vault, a: MarketArgs) -> Result<()> {
    let remaining = match &a.fits {
        Some(acc) => {
            let doc = v.budget_doc();
            let acc = v.find_account(&doc, acc)?;
            Some(
                v.budget(&doc)?
                    .report
                    .accounts
                    .get(&acc.id)
                    .map(|f| f.remaining)
                    .unwrap_or_default(),
            )
        }
        None => None,
    };
    let filter = OfferingFilter {
        category: a.category,
        region: a.region,
        max_price: a.max_price,
        availability: a.availability,
        admitted_only: a.admitted,
    };
    let list: Vec<_> = v
        .find_offerings(&filter)?
        .into_iter()
        // The price from that account, in its unit (points or hours at the policy's tariff).
        .filter(|o| {
            remaining.is_none_or(|r| {
                a.fits
                    .as_deref()
                    .and_then(|acc| v.price_from(acc, &o.offering.record).ok())
                    .is_some_and(|(price, _)| price <= r)
            })
        })
        .collect();
    out.emit(&list, || {
        if list.is_empty() && filter.is_empty() && remaining.is_none() {
            out.say(|t| t.no_offerings_found);
        } else if list.is_empty() {
            out.say(|t| t.no_offering_matches);
        }
        for o in &list {
            let r = &o.offering.record;
            let warn = if o.above_max {
                out.t(|t| t.above_maximum_tariff)
            } else {
                ""
            };
            let admitted = if o.admitted_by.is_empty() {
                String::new()
            } else {
                format!("  [{} {}]", out.t(|t| t.admitted_by), o.admitted_by.join(", "))
            };
            println!(
                "{}  {:<28} {:<24} {} {}  ({} {}){}{}",
                r.id,
                r.service,
                // The name from the provider's certificate, not what it typed.
                o.offering.author_name,
                format_euros(r.price, out.lang),
                crate::i18n::app::texts(out.lang).per_unit(r.unit),
                out.t(|t| t.example),
                o.example_tariff
                    .map(|t| format_euros(t, out.lang))
                    .unwrap_or_else(|| "—".into()),
                warn,
                admitted
            );
            if !r.region.is_empty() || !r.availability.is_empty() {
                println!("      {}  ·  {}", r.region, r.availability);
            }
        }
    })
}

/// `admit-provider` / `withdraw-provider`: a municipality admits a provider
/// that joined it to its market, or withdraws that.
pub fn admission(out: &Out, v: &mut Vault, provider: &str, admit: bool) -> Result<()> {
    let peer = v.find_peer(provider)?;
    let a = if admit {
        v.admit_provider(&peer.identity)?
    } else {
        v.withdraw_provider(&peer.identity)?
    };
    out.emit(&a, || {
        if admit {
            println!(
                "{} {}. {}",
                a.name,
                out.t(|t| t.is_admitted),
                out.t(|t| t.node_passes_catalogue_on)
            );
        } else {
            println!("{} {}", a.name, out.t(|t| t.no_longer_admitted));
        }
    })
}

pub fn order(out: &Out, v: &mut Vault, a: OrderArgs) -> Result<()> {
    let ag = v.order_for(a.member.as_deref(), &a.offering, &a.account, a.units, a.from, a.until)?;
    out.emit(&ag, || {
        println!(
            "{} {}. {}",
            out.t(|t| t.agreement_signed),
            ag.id,
            out.t(|t| t.amount_reserved_provider_signs)
        );
        // In the account's unit: euros, or points or hours at the policy's tariff.
        for x in &ag.services {
            let total = x.tariff.checked_mul(x.max_units).unwrap_or_default();
            println!(
                "  {} {} × {} = {}",
                out.t(|t| t.reserved_colon),
                x.max_units.normalize(),
                format_amount(x.tariff, x.tariff_unit, out.lang),
                format_amount(total, x.tariff_unit, out.lang)
            );
        }
    })
}

pub fn agreements(out: &Out, v: &Vault) -> Result<()> {
    let list = v.agreements()?;
    out.emit(&list, || {
        if list.is_empty() {
            out.say(|t| t.no_agreements);
        }
        for a in &list {
            let r = &a.agreement.record;
            println!(
                "{}  {} ↔ {}{}  {} – {}  [{}]",
                r.id,
                v.display_name(&r.citizen),
                v.display_name(&r.provider),
                if r.informal { out.t(|t| t.informal_care) } else { "" },
                out.date(r.period_start),
                out.date(r.period_end),
                match (a.countersigned, r.informal) {
                    (true, _) => out.t(|t| t.signed_both),
                    (false, true) => out.t(|t| t.waits_for_informal_carer),
                    (false, false) => out.t(|t| t.waits_for_provider),
                }
            );
            for d in &a.declarations {
                let x = &d.declaration.record;
                let mut state = match d.approval.as_ref().map(|ap| &ap.record.verdict) {
                    None => out.t(|t| t.awaiting_approval).to_string(),
                    Some(Verdict::Goedgekeurd) => out.t(|t| t.approved).to_string(),
                    Some(Verdict::Betwist { reason }) => format!("{}: {reason}", out.t(|t| t.disputed)),
                };
                // A verdict a representative signed for the holder says so.
                if let Some(ap) = d.approval.as_ref().filter(|ap| ap.author != r.citizen) {
                    let holder = v.display_name(&r.citizen);
                    state = format!("{state} ({})", on_behalf(out.lang, &holder, &ap.author_name));
                }
                println!(
                    "    {} {}  {} × {} = {}  {} – {}  [{state}]",
                    out.t(|t| t.declaration),
                    x.id,
                    x.units.normalize(),
                    format_amount(x.tariff, x.tariff_unit, out.lang),
                    x.amount()
                        .map_or_else(|_| "?".to_string(), |a| format_amount(a, x.tariff_unit, out.lang)),
                    out.date(x.period_start),
                    out.date(x.period_end)
                );
            }
        }
    })
}

pub fn countersign(out: &Out, v: &mut Vault, id: &str) -> Result<()> {
    let id = super::ids::agreement(out, v, id)?;
    let s = v.countersign(&id)?;
    out.emit(&s, || out.say(|t| t.agreement_signed_dot))
}

pub fn declare(out: &Out, v: &mut Vault, a: DeclareArgs) -> Result<()> {
    let agreement = super::ids::agreement(out, v, &a.agreement)?;
    let d = v.declare(&agreement, a.units, a.from, a.until, &a.note)?;
    out.emit(&d, || {
        println!(
            "{} {} ({})",
            out.t(|t| t.declared),
            d.id,
            d.amount()
                .map_or_else(|_| "?".to_string(), |a| format_amount(a, d.tariff_unit, out.lang))
        )
    })
}

pub fn judge(out: &Out, v: &mut Vault, id: &str, dispute: Option<String>) -> Result<()> {
    let verdict = match dispute {
        Some(reason) => Verdict::Betwist { reason },
        None => Verdict::Goedgekeurd,
    };
    let id = super::ids::declaration(out, v, id)?;
    let a = v.judge_declaration(&id, verdict)?;
    // Signed for someone else under her mandate: say for whom.
    let citizen = v.declaration(&id)?.0.agreement.record.citizen;
    let behalf = if citizen == v.identity() {
        String::new()
    } else {
        format!(" ({})", on_behalf(out.lang, &v.display_name(&citizen), v.name()))
    };
    out.emit(&a, || match a.verdict {
        Verdict::Goedgekeurd => out.say(|t| t.declaration_approved(&behalf)),
        Verdict::Betwist { .. } => out.say(|t| t.declaration_disputed(&behalf)),
    })
}

fn print_report(out: &Out, r: &ClaimReport) {
    for c in &r.claims {
        println!(
            "{}  {:<22} {:<20} {:<24} {:<24} {}  {:>12}  {}",
            c.claim,
            c.kind.label(out.lang),
            c.citizen,
            c.provider,
            c.category,
            c.month,
            format_amount(c.amount, c.unit, out.lang),
            match &c.reason {
                None => out.t(|t| t.valid).to_string(),
                Some(why) => format!("{}: {why}", out.t(|t| t.invalid)),
            }
        );
    }
    println!("{} {} / {}", out.t(|t| t.valid_colon), r.valid_count(), r.claims.len());
    for (p, x) in &r.per_provider {
        println!("  {p:<28} {}", format_euros(*x, out.lang));
    }
    println!("{}", out.t(|t| t.per_kind));
    for (k, x) in &r.per_kind {
        println!("  {:<28} {}", k.label(out.lang), format_euros(*x, out.lang));
    }
    println!("{}", out.t(|t| t.per_act_funding));
    for (s, x) in &r.per_stream {
        println!("  {:<28} {}", s.label(out.lang), format_euros(*x, out.lang));
    }
    if !r.per_member.is_empty() {
        println!("{}", out.t(|t| t.per_household_member));
        for (m, x) in &r.per_member {
            println!("  {m:<40} {}", format_euros(*x, out.lang));
        }
    }
    // Per citizen: what was verified and what was not add up to what her
    // budget shows as spent on granted accounts.
    println!("{}", out.t(|t| t.per_citizen_valid_unverifiable));
    let citizens: std::collections::BTreeSet<&String> = r.per_citizen.keys().chain(r.not_verified.keys()).collect();
    for c in citizens {
        println!(
            "  {c:<28} {:>12} / {:>12}",
            format_euros(r.per_citizen.get(c).copied().unwrap_or_default(), out.lang),
            format_euros(r.not_verified.get(c).copied().unwrap_or_default(), out.lang)
        );
    }
}

/// Claims in points or hours: per unit, never added to the euro totals;
/// a points total's euro equivalent only where `policy` states a value.
fn print_other_units(out: &Out, r: &ClaimReport, policy: Option<&inwonercloud_schemas::Policy>) {
    for (unit, t) in &r.other_units {
        println!(
            "{} {} ({}):",
            out.t(|t| t.in_word),
            unit.label(out.lang),
            out.t(|t| t.counted_apart_from_euros)
        );
        for (c, x) in &t.per_category {
            println!("  {c:<28} {}", format_amount(*x, *unit, out.lang));
        }
        for (c, x) in &t.not_verified {
            println!(
                "  {c:<28} {} {}",
                format_amount(*x, *unit, out.lang),
                out.t(|t| t.not_verifiable)
            );
        }
    }
    for e in policy.map(|p| r.euro_equivalents(p)).unwrap_or_default() {
        println!(
            "  {:<28} {} ≙ {} ({} {} {})",
            e.category,
            format_amount(e.points, inwonercloud_schemas::Unit::Points, out.lang),
            format_euros(e.euros, out.lang),
            out.t(|t| t.at_points_value),
            format_euros(e.euros_per_point, out.lang),
            out.t(|t| t.per_point)
        );
    }
}

pub fn verify_claims(out: &Out, v: &Vault, csv: Option<PathBuf>) -> Result<()> {
    let r = v.verify_claims()?;
    if let Some(p) = csv {
        std::fs::write(&p, r.to_csv(out.lang)?).with_context(|| out.t(|t| t.cannot_write(&p)))?;
    }
    let policy = v.policy().map(|p| p.record);
    out.emit(&r, || {
        print_report(out, &r);
        print_other_units(out, &r, policy.as_ref());
    })
}

pub fn export_claims(out: &Out, v: &Vault, path: PathBuf) -> Result<()> {
    let f = v.export_claims()?;
    std::fs::write(&path, serde_json::to_string_pretty(&f)?).with_context(|| out.t(|t| t.cannot_write(&path)))?;
    out.emit(
        &serde_json::json!({"file": path, "claims": f.claims.len(), "spends": f.spends.len(), "transfers": f.transfers.len()}),
        || {
            out.say(|t| t.claims_exported(f.claims.len(), f.spends.len(), &path.display().to_string()))
        },
    )
}

/// The trust roots named on the command line: each a hex identity key, or a
/// file holding one key per line (`#` starts a comment).
fn trust_roots(out: &Out, args: &[String]) -> Result<TrustRoots> {
    let mut keys = Vec::new();
    let parse = |s: &str, from: &str| -> Result<PublicKey> {
        let k: PublicKey = s.parse().map_err(|e| {
            super::exit::fail(
                super::exit::ErrorKind::InvalidInput,
                format!(
                    "{}: {}",
                    out.t(|t| t.not_an_identity_key(from, s)),
                    crate::error_text::schema_error_text(&e, out.lang)
                ),
            )
        })?;
        Ok(k)
    };
    for a in args {
        let p = std::path::Path::new(a);
        if p.is_file() {
            let text = std::fs::read_to_string(p).with_context(|| out.t(|t| t.cannot_read(p)))?;
            for line in text.lines() {
                let line = line.split('#').next().unwrap_or("").trim();
                if !line.is_empty() {
                    keys.push(parse(line, &p.display().to_string())?);
                }
            }
        } else {
            keys.push(parse(a.trim(), "--trust")?);
        }
    }
    Ok(TrustRoots::new(keys)?)
}

/// Checks a claims file offline against the municipality keys in `trust`;
/// fails without a trust root (exit 3) or when any claim is invalid (exit 4,
/// "refused").
pub fn verify_file(out: &Out, path: PathBuf, trust: &[String]) -> Result<()> {
    let trust = trust_roots(out, trust)?;
    let text = std::fs::read_to_string(&path).with_context(|| out.t(|t| t.cannot_read(&path)))?;
    let f: ClaimsFile = serde_json::from_str(&text).with_context(|| out.t(|t| t.not_a_claims_file(&path)))?;
    if f.format != CLAIMS_FORMAT && f.format != "inwonercloud-claims/1" {
        return Err(super::exit::fail(
            super::exit::ErrorKind::InvalidInput,
            out.t(|t| t.claims_file_format(&path, &f.format, CLAIMS_FORMAT)),
        ));
    }
    let r = f.verify(&trust);
    out.emit(&r, || {
        for k in trust.keys() {
            println!(
                "{} {} ({})",
                out.t(|t| t.trusted_municipality_key),
                k.short(),
                inwonercloud_vault::trust::fingerprint(k)
            );
        }
        print_report(out, &r);
        print_other_units(out, &r, None);
    })?;
    let bad: Vec<&str> = r.claims.iter().filter(|c| !c.valid).map(|c| c.claim.as_str()).collect();
    if !bad.is_empty() {
        return Err(super::exit::fail(
            super::exit::ErrorKind::Refused,
            out.t(|t| t.invalid_claims(&bad)),
        ));
    }
    Ok(())
}
