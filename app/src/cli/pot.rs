//! `pot`: wijkbudget — room per provider in a shared pot, and its figures.

use anyhow::Result;
use clap::Subcommand;
use inwonercloud_schemas::{DocKind, format_euros};
use inwonercloud_vault::Vault;
use rust_decimal::Decimal;

use super::Out;
use super::parse::amount;

/// `pot` subcommands.
#[derive(Subcommand, Debug)]
pub enum PotCmd {
    /// Give a provider room in a pot account.
    Room {
        /// The pot account (id or name).
        #[arg(long)]
        account: String,
        /// The provider (a known peer: name or identity).
        #[arg(long)]
        provider: String,
        /// Euros.
        #[arg(long, value_parser = amount)]
        amount: Decimal,
        /// Note.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Per provider: room, spent, left, per month and category.
    Show {
        /// The pot account (id or name).
        #[arg(long)]
        account: String,
    },
}

pub fn run(out: &Out, v: &mut Vault, c: PotCmd) -> Result<()> {
    let doc = v.pick_doc(DocKind::Budget, out.of.as_deref())?;
    match c {
        PotCmd::Room {
            account,
            provider,
            amount,
            note,
        } => {
            let p = v.find_peer(&provider)?;
            let r = v.assign_room(&doc, &account, p.identity, amount, &note)?;
            out.emit(&r, || {
                println!(
                    "{} {}: {} (id {})",
                    out.t("Ruimte voor", "Room for"),
                    r.provider_name,
                    format_euros(r.amount, out.lang),
                    r.id
                )
            })
        }
        PotCmd::Show { account } => {
            let p = v.pot(&doc, &account)?;
            let e = |d: Decimal| format_euros(d, out.lang);
            out.emit(&p, || {
                println!(
                    "{} {} · {} {} · {} {} · {} {}",
                    out.t("in de pot", "in the pot"),
                    e(p.available),
                    out.t("toegewezen", "assigned"),
                    e(p.assigned),
                    out.t("besteed", "spent"),
                    e(p.spent),
                    out.t("over", "left"),
                    e(p.left)
                );
                for r in &p.rooms {
                    println!(
                        "  {:<28} {} {}  {} {}  {} {}",
                        r.provider_name,
                        out.t("ruimte", "room"),
                        e(r.room_amount),
                        out.t("besteed", "spent"),
                        e(r.spent),
                        out.t("over", "left"),
                        e(r.left)
                    );
                    for (m, x) in &r.per_month {
                        println!("      {m}  {}", e(*x));
                    }
                    for (c, x) in &r.per_category {
                        println!("      {c:<26} {}", e(*x));
                    }
                }
                for name in &p.over_room {
                    println!(
                        "  ! {name}: {}",
                        out.t("meer besteed dan de ruimte", "spent beyond its room")
                    );
                }
            })
        }
    }
}
