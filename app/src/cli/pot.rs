//! `pot`: the wijkbudget as its partners run it. The municipality (or the
//! partnership) creates a pot, adds partner organisations, puts the subsidy
//! in and sets each organisation's room; an organisation books spends per
//! (pseudonymous) resident against its own room and gives room to another;
//! everyone sees the same dashboard (`pot show`).

use anyhow::{Result, anyhow};
use clap::{Args, Subcommand};
use inwonercloud_schemas::{Date, Lang, PublicKey, SupportKind, format_euros};
use inwonercloud_vault::{NewPotSpend, PotDashboard, Vault};
use rust_decimal::Decimal;

use super::Out;
use super::exit::{ErrorKind, fail};
use super::parse::{amount, date};

/// `pot` and which pot it works on.
#[derive(Args, Debug)]
pub struct PotArgs {
    /// Which pot (id, or part of its id or name) when this vault holds several.
    #[arg(long, global = true)]
    pub pot: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub cmd: PotCmd,
}

/// `pot` subcommands.
#[derive(Subcommand, Debug)]
pub enum PotCmd {
    /// Municipality: create a pot for a period.
    Create {
        /// Name, e.g. "Wijkbudget Ruwaard 2027".
        #[arg(long)]
        name: String,
        /// First day.
        #[arg(long, value_parser = date)]
        from: Date,
        /// Last day.
        #[arg(long, value_parser = date)]
        to: Date,
    },
    /// Municipality: partner organisations.
    #[command(subcommand)]
    Partner(PartnerCmd),
    /// Municipality: put the subsidy (euros) into the pot.
    Fund {
        /// Euros.
        #[arg(long, value_parser = amount)]
        amount: Decimal,
        /// Day it applies to (default today).
        #[arg(long, value_parser = date)]
        date: Option<Date>,
        /// Note (the subsidy decision).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Municipality: set a partner's room (euros).
    Room {
        /// The organisation (partner name or identity).
        #[arg(long)]
        org: String,
        /// Euros.
        #[arg(long, value_parser = amount)]
        amount: Decimal,
        /// Note.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Organisation: book support for a resident against your own room, or
    /// (`--declaration`) a marketplace declaration of yours the budget holder
    /// approved: its amount and category, the resident's pseudonym derived
    /// from the citizen's key.
    Spend {
        /// Your approved marketplace declaration (id or its first characters);
        /// then leave out resident, kind, category, amount and date.
        #[arg(long, conflicts_with_all = ["resident", "kind", "category", "amount", "date"])]
        declaration: Option<String>,
        /// The resident's pseudonym (never a name or BSN), e.g. R-0417.
        #[arg(long, required_unless_present = "declaration")]
        resident: Option<String>,
        /// individual, collective or prevention (individueel, collectief, preventie).
        #[arg(long, value_parser = kind, required_unless_present = "declaration")]
        kind: Option<SupportKind>,
        /// Category code, e.g. begeleiding_individueel.
        #[arg(long, required_unless_present = "declaration")]
        category: Option<String>,
        /// Euros.
        #[arg(long, value_parser = amount, required_unless_present = "declaration")]
        amount: Option<Decimal>,
        /// Day of the support (default today).
        #[arg(long, value_parser = date)]
        date: Option<Date>,
        /// Note (no names).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Organisation (or municipality): move room to another partner.
    Rebalance {
        /// The giving organisation (default: you).
        #[arg(long)]
        from: Option<String>,
        /// The receiving organisation.
        #[arg(long)]
        to: String,
        /// Euros.
        #[arg(long, value_parser = amount)]
        amount: Decimal,
        /// Why (the partners' meeting).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Everyone: the dashboard — per organisation room, spent, left and
    /// share used; per month, category and kind; residents helped.
    Show,
}

/// `pot partner` subcommands.
#[derive(Subcommand, Debug)]
pub enum PartnerCmd {
    /// Add an organisation you are connected with as a partner (it may then write the pot).
    Add {
        /// The organisation (a known peer: name or identity).
        #[arg(long)]
        org: String,
        /// Its name in the pot (default: the name it goes by).
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Remove a partner: its write consent on the pot is revoked. Its spends
    /// so far keep counting; it can book nothing more.
    Remove {
        /// The partner (part of its name, or its identity).
        #[arg(long)]
        org: String,
        /// Why (kept with the revocation).
        #[arg(long, default_value = "")]
        reason: String,
    },
}

fn kind(s: &str) -> Result<SupportKind, String> {
    SupportKind::parse(s).ok_or_else(|| format!("{s}: choose individual, collective or prevention"))
}

/// The pot this command works on.
fn pick(out: &Out, v: &Vault, query: Option<&str>) -> Result<String> {
    let pots = v.pots();
    let Some(q) = query.map(|q| q.trim().to_lowercase()) else {
        return match pots.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(fail(ErrorKind::NotFound, out.t(|t| t.no_pot_here))),
            _ => Err(fail(ErrorKind::InvalidInput, out.t(|t| t.several_pots))),
        };
    };
    let found: Vec<&String> = pots
        .iter()
        .filter(|p| {
            p.to_lowercase().contains(&q) || v.pot_dashboard(p).is_ok_and(|d| d.name.to_lowercase().contains(&q))
        })
        .collect();
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(fail(ErrorKind::NotFound, out.t(|t| t.no_pot_matches(&q)))),
        _ => Err(fail(ErrorKind::InvalidInput, out.t(|t| t.pot_matches_several(&q)))),
    }
}

/// A partner of the pot named by `query` (part of its name, or its identity).
fn partner(out: &Out, d: &PotDashboard, query: &str) -> Result<PublicKey> {
    let q = query.trim().to_lowercase();
    let found: Vec<PublicKey> = d
        .organisations
        .iter()
        .filter(|o| o.organisation.to_string().starts_with(&q) || o.name.to_lowercase().contains(&q))
        .map(|o| o.organisation)
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(fail(ErrorKind::NotFound, out.t(|t| t.no_such_partner(query)))),
        _ => Err(fail(
            ErrorKind::InvalidInput,
            out.t(|t| t.partner_matches_several(query)),
        )),
    }
}

/// Runs one `pot` command.
pub fn run(out: &Out, v: &mut Vault, a: PotArgs) -> Result<()> {
    let e = |d: Decimal| format_euros(d, out.lang);
    if let PotCmd::Create { name, from, to } = &a.cmd {
        let id = v.create_pot(name, *from, *to)?;
        return out.emit(&serde_json::json!({ "pot": id }), || {
            out.say(|t| t.pot_created(name, &id))
        });
    }
    let pot = pick(out, v, a.pot.as_deref())?;
    match a.cmd {
        PotCmd::Create { .. } => Ok(()),
        PotCmd::Partner(PartnerCmd::Add { org, name }) => {
            let peer = v.find_peer(&org)?;
            let p = v.pot_add_partner(&pot, peer.identity, &name)?;
            out.emit(&p, || out.say(|t| t.pot_partner_added(&p.name)))
        }
        PotCmd::Partner(PartnerCmd::Remove { org, reason }) => {
            let d = v.pot_dashboard(&pot)?;
            let k = partner(out, &d, &org)?;
            v.pot_remove_partner(&pot, k, &reason)?;
            let name = d.organisation(&k).map(|o| o.name.clone()).unwrap_or_default();
            out.emit(&serde_json::json!({ "removed": k }), || {
                out.say(|t| t.pot_partner_removed(&name))
            })
        }
        PotCmd::Fund { amount, date, note } => {
            let f = v.pot_fund(&pot, amount, date.unwrap_or_else(Date::today), &note)?;
            out.emit(&f, || out.say(|t| t.pot_funded(&e(f.amount), &f.id)))
        }
        PotCmd::Room { org, amount, note } => {
            let d = v.pot_dashboard(&pot)?;
            let k = partner(out, &d, &org)?;
            let r = v.pot_set_room(&pot, k, amount, &note)?;
            let name = d.organisation(&k).map(|o| o.name.clone()).unwrap_or_default();
            out.emit(&r, || out.say(|t| t.pot_room_set(&name, &e(r.amount))))
        }
        PotCmd::Spend {
            declaration,
            resident,
            kind,
            category,
            amount,
            date,
            note,
        } => {
            let s = match (declaration, resident, kind, category, amount) {
                (Some(q), ..) => {
                    let id = super::ids::declaration(out, v, &q)?;
                    v.pot_spend_declaration(&pot, &id, &note)?
                }
                (None, Some(resident), Some(kind), Some(category), Some(amount)) => v.pot_spend(
                    &pot,
                    NewPotSpend {
                        resident,
                        kind,
                        category,
                        amount,
                        date: date.unwrap_or_else(Date::today),
                        note,
                    },
                )?,
                _ => {
                    return Err(anyhow!(out.t(|t| t.pot_spend_needs)));
                }
            };
            let d = v.pot_dashboard(&pot)?;
            let me = v.identity();
            let o = d.organisation(&me).cloned();
            out.emit(&s, || {
                out.say(|t| t.pot_spend_booked(&e(s.amount), &s.resident, s.kind.label(t.lang), &s.category, &s.id));
                if let Some(r) = &s.declaration {
                    out.say(|t| t.pot_claim_counts(&r.id));
                }
                if let Some(o) = o {
                    out.say(|t| t.pot_room_left(&e(o.left), &e(o.room)));
                    if o.alert {
                        out.say(|t| t.room_ninety_percent_used);
                    }
                }
            })
        }
        PotCmd::Rebalance { from, to, amount, note } => {
            let d = v.pot_dashboard(&pot)?;
            let from = match from {
                Some(f) => partner(out, &d, &f)?,
                None => v.identity(),
            };
            let to = partner(out, &d, &to)?;
            let r = v.pot_rebalance(&pot, from, to, amount, &note)?;
            let name = |k: &PublicKey| d.organisation(k).map(|o| o.name.clone()).unwrap_or_default();
            out.emit(&r, || {
                out.say(|t| t.pot_rebalanced(&e(r.amount), &name(&r.from), &name(&r.to), &r.id))
            })
        }
        PotCmd::Show => {
            let d = v.pot_dashboard(&pot)?;
            out.emit(&d, || show(out, &d))
        }
    }
}

fn show(out: &Out, d: &PotDashboard) {
    let e = |x: Decimal| format_euros(x, out.lang);
    let period = match (d.period_start, d.period_end) {
        (Some(s), Some(t)) => format!("{} – {}", out.date(s), out.date(t)),
        _ => String::new(),
    };
    println!("{} ({}) · {period}", d.name, d.owner_name);
    println!(
        "{} {} · {} {} · {} {} · {} {} · {} {}",
        out.t(|t| t.subsidy),
        e(d.funded),
        out.t(|t| t.room_assigned),
        e(d.assigned),
        out.t(|t| t.spent),
        e(d.spent),
        out.t(|t| t.left_over),
        e(d.left),
        out.t(|t| t.residents_helped),
        d.residents
    );
    println!(
        "  {:<26} {:>13} {:>13} {:>13} {:>13} {:>7} {:>9}",
        out.t(|t| t.organisation),
        out.t(|t| t.room),
        out.t(|t| t.rebalanced),
        out.t(|t| t.spent),
        out.t(|t| t.left_over),
        "%",
        out.t(|t| t.residents),
    );
    for o in &d.organisations {
        let pct = o.percent.map_or_else(
            || "–".to_string(),
            |p| match out.lang {
                Lang::Nl => p.to_string().replace('.', ","),
                Lang::En => p.to_string(),
            },
        );
        let flag = if o.removed {
            out.t(|t| t.removed_as_partner)
        } else if o.over {
            out.t(|t| t.beyond_its_room)
        } else if o.alert {
            out.t(|t| t.ninety_percent_used)
        } else {
            ""
        };
        println!(
            "  {:<26} {:>13} {:>13} {:>13} {:>13} {:>7} {:>9}{flag}",
            o.name,
            e(o.room),
            e(o.rebalanced),
            e(o.spent),
            e(o.left),
            pct,
            o.residents
        );
    }
    println!("{}", out.t(|t| t.per_month));
    for (m, per) in &d.per_month_org {
        let parts: Vec<String> = per.iter().map(|(n, x)| format!("{n} {}", e(*x))).collect();
        println!(
            "  {m}  {}  ({})",
            e(d.per_month.get(m).copied().unwrap_or_default()),
            parts.join(" · ")
        );
    }
    println!("{}", out.t(|t| t.per_category));
    for (c, x) in &d.per_category {
        println!("  {c:<30} {}", e(*x));
    }
    println!("{}", out.t(|t| t.per_kind_support));
    for (k, x) in &d.per_kind {
        println!("  {:<30} {}", k.label(out.lang), e(*x));
    }
    for s in d.spends.iter().filter(|s| !s.uncovered.is_zero()) {
        println!(
            "  ! {} {} {}: {} {}",
            s.organisation_name,
            out.date(s.spend.date),
            s.spend.resident,
            e(s.uncovered),
            out.t(|t| t.not_covered_room)
        );
    }
    for s in &d.spends {
        if let Some(c) = &s.spend.declaration {
            let how = match &s.declaration {
                Some(inwonercloud_vault::DeclarationCheck::Verified) => out.t(|t| t.checked_in_full),
                _ => out.t(|t| t.checked_on_partner_word),
            };
            println!(
                "  {} {} {} {}: {} — {how}",
                out.t(|t| t.market),
                s.organisation_name,
                c.id,
                s.spend.resident,
                e(s.spend.amount)
            );
        }
    }
    for n in &d.not_counted {
        println!(
            "  × {} {} ({}): {} — {}",
            n.kind,
            n.id,
            n.signer,
            out.t(|t| t.does_not_count),
            n.why
        );
    }
}
