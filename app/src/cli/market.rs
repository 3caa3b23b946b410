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
        out.say(
            &format!(
                "Vrijgegeven: {} uit reservering {}.",
                format_euros(e.amount, out.lang),
                e.reference.as_deref().unwrap_or("")
            ),
            &format!(
                "Released: {} from reservation {}.",
                format_euros(e.amount, out.lang),
                e.reference.as_deref().unwrap_or("")
            ),
        )
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
        out.say(
            &format!("Zorgovereenkomst opgezegd; laatste dag {}.", out.date(c.last_day)),
            &format!("Agreement cancelled; last day {}.", out.date(c.last_day)),
        );
        for r in &released {
            out.say(
                &format!("Vrijgegeven uit de reservering: {}", format_euros(r.amount, out.lang)),
                &format!("Released from the reservation: {}", format_euros(r.amount, out.lang)),
            );
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
        println!(
            "{} {} ({})",
            out.t("Aanbod gepubliceerd:", "Offering published:"),
            o.id,
            o.service
        )
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
            out.say(
                "Geen aanbod gevonden. Verbind met uw gemeente (of een aanbieder) via diens uitnodiging (join).",
                "No offerings found. Connect to your municipality (or a provider) with their invite (join).",
            );
        } else if list.is_empty() {
            out.say(
                "Geen aanbod past bij deze filters.",
                "No offering matches these filters.",
            );
        }
        for o in &list {
            let r = &o.offering.record;
            let warn = if o.above_max {
                out.t(
                    "  LET OP: boven het maximumtarief van de gemeente",
                    "  NOTE: above the municipality's maximum tariff",
                )
            } else {
                ""
            };
            let admitted = if o.admitted_by.is_empty() {
                String::new()
            } else {
                format!(
                    "  [{} {}]",
                    out.t("toegelaten door", "admitted by"),
                    o.admitted_by.join(", ")
                )
            };
            println!(
                "{}  {:<28} {:<24} {} {}  ({} {}){}{}",
                r.id,
                r.service,
                // The name from the provider's certificate, not what it typed.
                o.offering.author_name,
                format_euros(r.price, out.lang),
                crate::gui::i18n::texts(out.lang).per_unit(r.unit),
                out.t("voorbeeld", "example"),
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
                out.t("is toegelaten", "is admitted"),
                out.t(
                    "Uw node geeft zijn catalogus door aan iedereen die met u verbonden is.",
                    "Your node passes its catalogue on to everyone connected to you."
                )
            );
        } else {
            println!(
                "{} {}",
                a.name,
                out.t(
                    "is niet meer toegelaten; zijn catalogus wordt niet meer doorgegeven.",
                    "is no longer admitted; its catalogue is no longer passed on."
                )
            );
        }
    })
}

pub fn order(out: &Out, v: &mut Vault, a: OrderArgs) -> Result<()> {
    let ag = v.order_for(a.member.as_deref(), &a.offering, &a.account, a.units, a.from, a.until)?;
    out.emit(&ag, || {
        println!(
            "{} {}. {}",
            out.t("Zorgovereenkomst getekend:", "Agreement signed:"),
            ag.id,
            out.t(
                "Het bedrag is gereserveerd; de aanbieder tekent zodra u weer met elkaar verbonden bent.",
                "The amount is reserved; the provider signs at the next sync."
            )
        );
        // In the account's unit: euros, or points or hours at the policy's tariff.
        for x in &ag.services {
            let total = x.tariff.checked_mul(x.max_units).unwrap_or_default();
            println!(
                "  {} {} × {} = {}",
                out.t("gereserveerd:", "reserved:"),
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
            out.say("Geen zorgovereenkomsten.", "No agreements.");
        }
        for a in &list {
            let r = &a.agreement.record;
            println!(
                "{}  {} ↔ {}{}  {} – {}  [{}]",
                r.id,
                v.display_name(&r.citizen),
                v.display_name(&r.provider),
                if r.informal {
                    out.t(" (mantelzorg)", " (informal care)")
                } else {
                    ""
                },
                out.date(r.period_start),
                out.date(r.period_end),
                match (a.countersigned, r.informal) {
                    (true, _) => out.t("door beiden getekend", "signed by both"),
                    (false, true) => out.t("wacht op de mantelzorger", "waits for the informal carer"),
                    (false, false) => out.t("wacht op de aanbieder", "waits for the provider"),
                }
            );
            for d in &a.declarations {
                let x = &d.declaration.record;
                let mut state = match d.approval.as_ref().map(|ap| &ap.record.verdict) {
                    None => out.t("wacht op goedkeuring", "awaiting approval").to_string(),
                    Some(Verdict::Goedgekeurd) => out.t("goedgekeurd", "approved").to_string(),
                    Some(Verdict::Betwist { reason }) => format!("{}: {reason}", out.t("betwist", "disputed")),
                };
                // A verdict a representative signed for the holder says so.
                if let Some(ap) = d.approval.as_ref().filter(|ap| ap.author != r.citizen) {
                    let holder = v.display_name(&r.citizen);
                    state = format!("{state} ({})", on_behalf(out.lang, &holder, &ap.author_name));
                }
                println!(
                    "    {} {}  {} × {} = {}  {} – {}  [{state}]",
                    out.t("declaratie", "declaration"),
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
    out.emit(&s, || out.say("Zorgovereenkomst getekend.", "Agreement signed."))
}

pub fn declare(out: &Out, v: &mut Vault, a: DeclareArgs) -> Result<()> {
    let agreement = super::ids::agreement(out, v, &a.agreement)?;
    let d = v.declare(&agreement, a.units, a.from, a.until, &a.note)?;
    out.emit(&d, || {
        println!(
            "{} {} ({})",
            out.t("Gedeclareerd:", "Declared:"),
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
        Verdict::Goedgekeurd => out.say(
            &format!("Goedgekeurd{behalf}: het bedrag is als uitgave geboekt."),
            &format!("Approved{behalf}: the amount is booked as spent."),
        ),
        Verdict::Betwist { .. } => out.say(&format!("Betwist{behalf}."), &format!("Disputed{behalf}.")),
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
                None => out.t("geldig", "valid").to_string(),
                Some(why) => format!("{}: {why}", out.t("ONGELDIG", "INVALID")),
            }
        );
    }
    println!(
        "{} {} / {}",
        out.t("geldig:", "valid:"),
        r.valid_count(),
        r.claims.len()
    );
    for (p, x) in &r.per_provider {
        println!("  {p:<28} {}", format_euros(*x, out.lang));
    }
    println!("{}", out.t("per soort:", "per kind:"));
    for (k, x) in &r.per_kind {
        println!("  {:<28} {}", k.label(out.lang), format_euros(*x, out.lang));
    }
    println!(
        "{}",
        out.t("per wet (financieringsstroom):", "per act (funding stream):")
    );
    for (s, x) in &r.per_stream {
        println!("  {:<28} {}", s.label(out.lang), format_euros(*x, out.lang));
    }
    if !r.per_member.is_empty() {
        println!("{}", out.t("per gezinslid:", "per household member:"));
        for (m, x) in &r.per_member {
            println!("  {m:<40} {}", format_euros(*x, out.lang));
        }
    }
    // Per citizen: what was verified and what was not add up to what her
    // budget shows as spent on granted accounts.
    println!(
        "{}",
        out.t(
            "per inwoner (geldig / niet te controleren):",
            "per citizen (valid / not verifiable):"
        )
    );
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
            out.t("in", "in"),
            unit.label(out.lang),
            out.t(
                "apart geteld, nooit bij euro's opgeteld",
                "counted apart, never added to euros"
            )
        );
        for (c, x) in &t.per_category {
            println!("  {c:<28} {}", format_amount(*x, *unit, out.lang));
        }
        for (c, x) in &t.not_verified {
            println!(
                "  {c:<28} {} {}",
                format_amount(*x, *unit, out.lang),
                out.t("niet te controleren", "not verifiable")
            );
        }
    }
    for e in policy.map(|p| r.euro_equivalents(p)).unwrap_or_default() {
        println!(
            "  {:<28} {} ≙ {} ({} {} {})",
            e.category,
            format_amount(e.points, inwonercloud_schemas::Unit::Points, out.lang),
            format_euros(e.euros, out.lang),
            out.t(
                "omgerekend tegen de puntwaarde van het beleid:",
                "at the policy's points value:"
            ),
            format_euros(e.euros_per_point, out.lang),
            out.t("per punt", "per point")
        );
    }
}

pub fn verify_claims(out: &Out, v: &Vault, csv: Option<PathBuf>) -> Result<()> {
    let r = v.verify_claims()?;
    if let Some(p) = csv {
        std::fs::write(&p, r.to_csv(out.lang)?).with_context(|| format!("cannot write {}", p.display()))?;
    }
    let policy = v.policy().map(|p| p.record);
    out.emit(&r, || {
        print_report(out, &r);
        print_other_units(out, &r, policy.as_ref());
    })
}

pub fn export_claims(out: &Out, v: &Vault, path: PathBuf) -> Result<()> {
    let f = v.export_claims()?;
    std::fs::write(&path, serde_json::to_string_pretty(&f)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    out.emit(
        &serde_json::json!({"file": path, "claims": f.claims.len(), "spends": f.spends.len(), "transfers": f.transfers.len()}),
        || {
            out.say(
                &format!(
                    "{} en {} geschreven naar {}",
                    crate::gui::i18n::plural(f.claims.len(), "declaratie", "declaraties"),
                    crate::gui::i18n::plural(f.spends.len(), "eigen uitgave", "eigen uitgaven"),
                    path.display()
                ),
                &format!(
                    "{} declarations and {} own spends written to {}",
                    f.claims.len(),
                    f.spends.len(),
                    path.display()
                ),
            )
        },
    )
}

/// The trust roots named on the command line: each a hex identity key, or a
/// file holding one key per line (`#` starts a comment).
fn trust_roots(args: &[String]) -> Result<TrustRoots> {
    let mut keys = Vec::new();
    let parse = |s: &str, from: &str| -> Result<PublicKey> {
        let k: PublicKey = s.parse().map_err(|e| {
            super::exit::fail(
                super::exit::ErrorKind::InvalidInput,
                format!("{from}: '{s}' is not an identity key (64 hex characters): {e}"),
            )
        })?;
        Ok(k)
    };
    for a in args {
        let p = std::path::Path::new(a);
        if p.is_file() {
            let text = std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
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
    let trust = trust_roots(trust)?;
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let f: ClaimsFile =
        serde_json::from_str(&text).with_context(|| format!("{} is not a claims file", path.display()))?;
    if f.format != CLAIMS_FORMAT && f.format != "inwonercloud-claims/1" {
        return Err(super::exit::fail(
            super::exit::ErrorKind::InvalidInput,
            format!("{} has format '{}', not {CLAIMS_FORMAT}", path.display(), f.format),
        ));
    }
    let r = f.verify(&trust);
    out.emit(&r, || {
        for k in trust.keys() {
            println!(
                "{} {} ({})",
                out.t("vertrouwde gemeentesleutel:", "trusted municipality key:"),
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
            format!("invalid claim(s): {}", bad.join(", ")),
        ));
    }
    Ok(())
}
