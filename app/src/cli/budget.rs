//! `budget`, `topup`, `catalogue`: accounts, figures, the ledger.

use anyhow::Result;
use clap::{Args, Subcommand};
use inwonercloud_schemas::{Catalogue, Date, EntryKind, FundingStream, Quantity, Unit, format_quantity};
use inwonercloud_vault::Vault;
use inwonercloud_vault::ledger::EntryStatus;
use inwonercloud_vault::mandate::on_behalf;
use rust_decimal::Decimal;

use super::Out;
use super::parse::{amount, date, stream, unit};

/// Budget commands.
#[derive(Subcommand, Debug)]
pub enum BudgetCmd {
    /// Per account: granted, own money, reserved, spent, remaining.
    Show,
    /// Every ledger entry with its status and signer.
    Ledger,
    /// Open a budget account.
    AddAccount {
        /// Name, e.g. "Wmo begeleiding 2026".
        #[arg(long)]
        name: String,
        /// wmo, jeugdwet, wlz, zvw, participatiewet or eigen_bijdrage.
        #[arg(long, value_parser = stream)]
        stream: FundingStream,
        /// euro, uren or punten.
        #[arg(long, default_value = "euro", value_parser = unit)]
        unit: Unit,
        /// First day.
        #[arg(long, value_parser = date)]
        from: Date,
        /// Last day.
        #[arg(long, value_parser = date)]
        until: Date,
    },
}

/// Arguments of `topup`.
#[derive(Args, Debug)]
pub struct TopupArgs {
    /// Account id or name.
    pub account: String,
    /// Amount: 12,50 or 12.50.
    #[arg(value_parser = amount)]
    pub amount: Decimal,
    /// Day (default today).
    #[arg(long, value_parser = date)]
    pub date: Option<Date>,
    /// Note.
    #[arg(long, default_value = "")]
    pub note: String,
}

pub fn run(out: &Out, v: &mut Vault, c: BudgetCmd) -> Result<()> {
    let doc = v.pick_doc(inwonercloud_schemas::DocKind::Budget, out.of.as_deref())?;
    match c {
        BudgetCmd::Show => {
            let b = v.budget(&doc)?;
            out.emit(&b.report.accounts, || {
                if b.accounts.is_empty() {
                    out.say(|t| t.no_budget_accounts);
                }
                for a in &b.accounts {
                    let Some(f) = b.report.accounts.get(&a.record.id) else {
                        continue;
                    };
                    let q = |d: Decimal| {
                        format_quantity(
                            Quantity {
                                amount: d,
                                unit: a.record.unit,
                            },
                            out.lang,
                        )
                    };
                    println!(
                        "{} [{}] {} – {}  (id {})",
                        a.record.name,
                        a.record.stream.label(out.lang),
                        out.date(a.record.period_start),
                        out.date(a.record.period_end),
                        a.record.id
                    );
                    println!("  {:<22} {}", out.t(|t| t.granted), q(f.granted));
                    println!("  {:<22} {}", out.t(|t| t.own_money), q(f.topped_up));
                    if !f.transferred_in.is_zero() || !f.transferred_out.is_zero() {
                        println!("  {:<22} {}", out.t(|t| t.transfers_in), q(f.transferred_in));
                        println!("  {:<22} {}", out.t(|t| t.transfers_out), q(f.transferred_out));
                    }
                    println!("  {:<22} {}", out.t(|t| t.reserved), q(f.reserved));
                    println!("  {:<22} {}", out.t(|t| t.spent), q(f.spent));
                    println!("  {:<22} {}", out.t(|t| t.remaining), q(f.remaining));
                    if f.over_budget() {
                        println!("  {} {}", out.t(|t| t.warning_not_covered), q(f.not_covered));
                    }
                    let fc = inwonercloud_vault::ledger::forecast(&a.record, f, Date::today());
                    println!(
                        "  {:<22} {} ({} {}/{})",
                        out.t(|t| t.expected_left_at_end),
                        q(fc.projected_remaining),
                        out.t(|t| t.rate_of_day),
                        fc.days.0,
                        fc.days.1
                    );
                    for (m, v) in &f.spent_per_month {
                        println!("    {m}  {}", q(*v));
                    }
                    for (c, v) in &f.spent_per_category {
                        println!("    {:<28} {}", if c.is_empty() { "—" } else { c }, q(*v));
                    }
                }
            })
        }
        BudgetCmd::Ledger => {
            let b = v.budget(&doc)?;
            let holder = v.display_name(&b.owner);
            out.emit(&b.report.lines, || {
                for l in &b.report.lines {
                    // Signed for the holder by a representative: both names.
                    let by = if l.author != b.owner
                        && !matches!(l.status, EntryStatus::Refused { .. })
                        && !matches!(l.entry.kind, EntryKind::Grant | EntryKind::Adjustment)
                    {
                        on_behalf(out.lang, &holder, &v.display_name(&l.author))
                    } else {
                        l.author.short()
                    };
                    let status = match &l.status {
                        EntryStatus::Counted => String::new(),
                        EntryStatus::NotCovered { uncovered } => {
                            format!("  [{} {uncovered}]", out.t(|t| t.not_covered))
                        }
                        EntryStatus::Refused { reason } => {
                            format!("  [{}: {reason}]", out.t(|t| t.refused))
                        }
                        EntryStatus::Pending { .. } => format!("  [{}]", out.t(|t| t.waits_for_receiver_signature)),
                    };
                    println!(
                        "{}  {:<16} {:>12}  {}  {}{}",
                        out.date(l.entry.date),
                        l.entry.kind.label(out.lang),
                        l.entry.amount,
                        l.entry.note,
                        by,
                        status
                    );
                }
            })
        }
        BudgetCmd::AddAccount {
            name,
            stream,
            unit,
            from,
            until,
        } => {
            let a = v.add_account(&doc, &name, stream, unit, from, until)?;
            out.emit(&a, || out.say(|t| format!("{} {}", t.account_opened, a.id)))
        }
    }
}

pub fn topup(out: &Out, v: &mut Vault, a: TopupArgs) -> Result<()> {
    let doc = v.pick_doc(inwonercloud_schemas::DocKind::Budget, out.of.as_deref())?;
    let e = v.top_up(&doc, &a.account, a.amount, a.date.unwrap_or_else(Date::today), &a.note)?;
    out.emit(&e, || {
        out.say(|t| {
            format!(
                "{} {}",
                t.own_money_added,
                inwonercloud_schemas::format_euros(e.amount, out.lang)
            )
        })
    })
}

pub fn catalogue(out: &Out) -> Result<()> {
    let c = Catalogue::shipped();
    out.emit(&c, || {
        println!("{}\n", c.source);
        for cat in &c.categories {
            println!(
                "{:<32} {:>12} {:<13} {}",
                cat.code,
                inwonercloud_schemas::format_euros(cat.example_tariff, out.lang),
                crate::i18n::app::texts(out.lang).per_unit(cat.unit),
                cat.name(out.lang)
            );
        }
    })
}
