//! `request`, `requests`, `answer`, `review` (citizen) and `inbox`, `assess`,
//! `ask`, `decide`, `allocate`, `policy` (municipality): the budget lifecycle.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use inwonercloud_schemas::{Date, FundingStream, Outcome, Policy, Quantity, StreamShare, Unit, format_quantity};
use inwonercloud_vault::{DecisionInput, NewRequest, RequestView, Vault};
use rust_decimal::Decimal;

use super::Out;
use super::parse::{amount, date, stream, unit};

fn outcome(s: &str) -> Result<Outcome, String> {
    match s.to_lowercase().as_str() {
        "toegekend" | "granted" => Ok(Outcome::Toegekend),
        "deels" | "deels_toegekend" | "partial" => Ok(Outcome::DeelsToegekend),
        "afgewezen" | "refused" => Ok(Outcome::Afgewezen),
        _ => Err(format!("unknown outcome '{s}': toegekend, deels or afgewezen")),
    }
}

/// Arguments of `request`.
#[derive(Args, Debug)]
pub struct RequestArgs {
    /// pgb category code (see `inwonercloud catalogue`).
    #[arg(long)]
    pub category: String,
    /// Amount asked: 1200 or 12,5 (hours) — negative only with --adjusts.
    #[arg(long, value_parser = amount, allow_hyphen_values = true)]
    pub amount: Decimal,
    /// euro, uren or punten.
    #[arg(long, default_value = "euro", value_parser = unit)]
    pub unit: Unit,
    /// Funding stream.
    #[arg(long, default_value = "wmo", value_parser = stream)]
    pub stream: FundingStream,
    /// First day.
    #[arg(long, value_parser = date)]
    pub from: Date,
    /// Last day.
    #[arg(long, value_parser = date)]
    pub until: Date,
    /// Goal ids in your plan this serves (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub goals: Vec<String>,
    /// Why you need it.
    #[arg(long)]
    pub motivation: String,
    /// Ask to change this existing account (id or name) instead of opening one.
    #[arg(long)]
    pub adjusts: Option<String>,
    /// An integral budget (i-pgb) for the household: every other category
    /// it may be spent on (comma-separated codes, besides --category).
    #[arg(long, value_delimiter = ',')]
    pub integral: Vec<String>,
}

/// Arguments of `decide`.
#[derive(Args, Debug)]
pub struct DecideArgs {
    /// Request id (or the start of it).
    pub request: String,
    /// toegekend, deels or afgewezen.
    #[arg(long, value_parser = outcome)]
    pub outcome: Outcome,
    /// For deels: the amount granted.
    #[arg(long, value_parser = amount)]
    pub amount: Option<Decimal>,
    /// The reasons.
    #[arg(long)]
    pub reasons: String,
    /// An integral grant: which funding stream pays how much, as
    /// `stream=amount` (repeat: --fund wmo=6000 --fund jeugdwet=4000); the
    /// shares add up to what is granted.
    #[arg(long, value_parser = share)]
    pub fund: Vec<StreamShare>,
    /// An integral grant: the categories it may be spent on
    /// (comma-separated; default: those the household asked for).
    #[arg(long, value_delimiter = ',')]
    pub categories: Vec<String>,
}

fn share(s: &str) -> Result<StreamShare, String> {
    let (stream, amount) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}': write a share as stream=amount, e.g. wmo=6000"))?;
    Ok(StreamShare {
        stream: super::parse::stream(stream)?,
        amount: super::parse::amount(amount)?,
    })
}

/// `policy` subcommands.
#[derive(Subcommand, Debug)]
pub enum PolicyCmd {
    /// Publish a policy file (JSON): categories, tariffs, allocation rules.
    Publish {
        /// The file.
        file: PathBuf,
    },
    /// Show the policy in force (your municipality's, or the example catalogue).
    Show,
    /// Write an example policy file to start from.
    Example {
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn request(out: &Out, v: &mut Vault, a: RequestArgs) -> Result<()> {
    let adjusts = match &a.adjusts {
        Some(acc) => Some(v.find_account(&v.budget_doc(), acc)?.id),
        None => None,
    };
    let new = NewRequest {
        stream: a.stream,
        category: a.category,
        quantity: Quantity::new(a.amount, a.unit)?,
        period_start: a.from,
        period_end: a.until,
        goal_ids: a.goals,
        motivation: a.motivation,
        adjusts_account: adjusts,
    };
    let r = if a.integral.is_empty() {
        v.request_budget(new)?
    } else {
        v.request_integral_budget(new, a.integral)?
    };
    out.emit(&r, || {
        println!(
            "{} {} ({})",
            out.t(|t| t.request_submitted),
            r.id,
            format_quantity(r.quantity, out.lang)
        );
        out.say(|t| t.request_goes_when_connected);
    })
}

fn texts(out: &Out) -> &'static crate::gui::Texts {
    crate::i18n::app::texts(out.lang)
}

fn print_views(out: &Out, v: &Vault, views: &[RequestView]) {
    if views.is_empty() {
        out.say(|t| t.no_requests);
    }
    for r in views {
        let q = &r.request.record;
        println!(
            "{}  {}  {}  {}  [{}]",
            q.id,
            v.display_name(&r.owner),
            q.category,
            format_quantity(q.quantity, out.lang),
            texts(out).request_state(r.state)
        );
        println!("    {}", q.motivation);
        for s in &r.steps {
            println!(
                "    {}  {:<28} {}",
                out.day(s.record.at),
                s.author_name,
                texts(out).step(&s.record.step)
            );
        }
        if let Some(d) = &r.decision {
            let auto = d
                .record
                .automated_rule
                .as_ref()
                .map(|r| format!(" ({} {r})", out.t(|t| t.automated_rule)))
                .unwrap_or_default();
            println!(
                "    {}: {}{}{} — {}",
                out.t(|t| t.decision_word),
                texts(out).outcome(d.record.outcome),
                d.record
                    .granted
                    .map(|g| format!(" {}", format_quantity(g, out.lang)))
                    .unwrap_or_default(),
                auto,
                d.record.reasons
            );
            let holder = (r.owner != v.identity()).then(|| v.display_name(&r.owner));
            println!(
                "    {}",
                texts(out).objection(d.record.date, &d.author_name, holder.as_deref())
            );
        }
        for x in &r.refused {
            println!("    ! {x}");
        }
    }
}

pub fn requests(out: &Out, v: &Vault) -> Result<()> {
    let doc = v.pick_doc(inwonercloud_schemas::DocKind::Budget, out.of.as_deref())?;
    let views = v.requests(&doc)?;
    out.emit(&views, || print_views(out, v, &views))
}

pub fn inbox(out: &Out, v: &Vault) -> Result<()> {
    let views = v.inbox()?;
    out.emit(&views, || print_views(out, v, &views))
}

pub fn answer(out: &Out, v: &mut Vault, request: &str, text: &str) -> Result<()> {
    let request = &super::ids::request(out, v, request)?;
    let s = v.answer_question(request, text)?;
    out.emit(&s, || out.say(|t| t.answer_sent))
}

pub fn review(out: &Out, v: &mut Vault, request: &str, reason: &str) -> Result<()> {
    let request = &super::ids::request(out, v, request)?;
    let s = v.ask_review(request, reason)?;
    out.emit(&s, || out.say(|t| t.review_asked))
}

pub fn assess(out: &Out, v: &mut Vault, request: &str) -> Result<()> {
    let request = &super::ids::request(out, v, request)?;
    let s = v.start_assessment(request)?;
    out.emit(&s, || out.say(|t| t.taken_into_assessment))
}

pub fn ask(out: &Out, v: &mut Vault, request: &str, question: &str) -> Result<()> {
    let request = &super::ids::request(out, v, request)?;
    let s = v.ask_information(request, question)?;
    out.emit(&s, || out.say(|t| t.question_asked))
}

pub fn decide(out: &Out, v: &mut Vault, a: DecideArgs) -> Result<()> {
    let request = super::ids::request(out, v, &a.request)?;
    let input = DecisionInput {
        outcome: a.outcome,
        granted: a.amount,
        reasons: a.reasons,
        automated_rule: None,
    };
    let d = if a.fund.is_empty() {
        v.decide(&request, input)?
    } else {
        v.decide_integral(&request, input, a.fund, a.categories)?
    };
    out.emit(&d, || {
        println!(
            "{}: {}{}",
            out.t(|t| t.decision_title),
            texts(out).outcome(d.outcome),
            d.granted
                .map(|g| format!(" {}", format_quantity(g, out.lang)))
                .unwrap_or_default()
        );
        for f in &d.funding {
            let unit = d.granted.map(|g| g.unit).unwrap_or(Unit::Euro);
            println!(
                "  {} {}",
                f.stream.label(out.lang),
                format_quantity(Quantity { amount: f.amount, unit }, out.lang)
            );
        }
        if !d.categories.is_empty() {
            println!("  {} {}", out.t(|t| t.to_be_spent_on), d.categories.join(", "));
        }
        let municipality = v.display_name(&v.identity());
        let holder = out.t(|t| t.citizen);
        println!("{}", texts(out).objection(d.date, &municipality, Some(holder)));
    })
}

pub fn allocate(out: &Out, v: &mut Vault) -> Result<()> {
    let done = v.allocate()?;
    out.emit(&done, || {
        if done.is_empty() {
            out.say(|t| t.no_new_requests);
        }
        for a in &done {
            match &a.rule {
                Some(r) => println!(
                    "{} {} ({}): {} {r}",
                    out.t(|t| t.request),
                    a.request,
                    a.holder,
                    out.t(|t| t.granted_automatically_rule)
                ),
                None => println!(
                    "{} {} ({}): {}",
                    out.t(|t| t.request),
                    a.request,
                    a.holder,
                    out.t(|t| t.persons_inbox)
                ),
            }
        }
    })
}

pub fn policy(out: &Out, dir: &std::path::Path, c: PolicyCmd) -> Result<()> {
    match c {
        PolicyCmd::Publish { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| out.t(|t| t.cannot_read(&file)))?;
            let p = Policy::from_json(&text).with_context(|| out.t(|t| t.not_a_policy(&file)))?;
            let mut v = super::open_vault(out, dir)?;
            v.publish_policy(p)?;
            out.say(|t| t.policy_published);
            Ok(())
        }
        PolicyCmd::Show => {
            let v = super::open_vault(out, dir)?;
            match v.policy() {
                Some(p) => out.emit(&p.record, || {
                    println!("{} — {}", p.record.municipality, out.t(|t| t.policy));
                    for c in &p.record.catalogue.categories {
                        println!("  {:<28} {}", c.code, c.name(out.lang));
                    }
                    for r in &p.record.rules {
                        println!("  {} {}: {}", out.t(|t| t.rule), r.id, r.description);
                    }
                    if let Some(m) = p.record.informal_max_tariff {
                        println!(
                            "  {} {}",
                            out.t(|t| t.highest_hourly_tariff),
                            inwonercloud_schemas::format_euros(m, out.lang)
                        );
                    }
                }),
                None => {
                    out.say(|t| t.no_municipal_policy);
                    Ok(())
                }
            }
        }
        PolicyCmd::Example { out: path } => {
            let p = Policy::example("Gemeente Voorbeeld");
            std::fs::write(&path, serde_json::to_string_pretty(&p)?)
                .with_context(|| out.t(|t| t.cannot_write(&path)))?;
            out.say(|t| format!("{} {}", t.example_policy_written, path.display()));
            Ok(())
        }
    }
}

/// Arguments of `transfer`.
#[derive(Args, Debug)]
pub struct TransferArgs {
    /// Whom to (a known peer: name or identity).
    #[arg(long)]
    pub to: String,
    /// Your account to transfer from (id or name).
    #[arg(long)]
    pub from_account: String,
    /// Amount in euros.
    #[arg(long, value_parser = amount)]
    pub amount: Decimal,
    /// pgb category the money is for (must be exchangeable).
    #[arg(long)]
    pub category: String,
    /// Why.
    #[arg(long, default_value = "")]
    pub note: String,
}

pub fn transfer(out: &Out, v: &mut Vault, a: TransferArgs) -> Result<()> {
    let to = v.find_peer(&a.to)?.identity;
    let t = v.offer_transfer(to, &a.from_account, a.amount, &a.category, &a.note)?;
    out.emit(&t, || {
        println!(
            "{} {} ({}). {}",
            out.t(|t| t.transfer_offered),
            t.id,
            inwonercloud_schemas::format_euros(t.amount, out.lang),
            out.t(|t| t.money_moves_when_receiver_signs)
        )
    })
}

pub fn accept_transfer(out: &Out, v: &mut Vault, id: &str, account: &str) -> Result<()> {
    let id = super::ids::transfer(out, v, id)?;
    let a = v.accept_transfer(&id, account)?;
    out.emit(&a, || out.say(|t| t.transfer_received_signed))
}

pub fn transfers(out: &Out, v: &Vault) -> Result<()> {
    let ts = v.transfers()?;
    out.emit(&ts, || {
        if ts.is_empty() {
            out.say(|t| t.no_transfers);
        }
        for x in &ts {
            let t = &x.transfer.record;
            println!(
                "{}  {} → {}  {}  {}  [{}]",
                t.id,
                v.display_name(&t.from),
                v.display_name(&t.to),
                inwonercloud_schemas::format_euros(t.amount, out.lang),
                t.category,
                if x.confirmed() {
                    out.t(|t| t.signed_both)
                } else {
                    out.t(|t| t.waits_for_receiver)
                }
            );
        }
    })
}
