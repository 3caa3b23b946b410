//! `plan`: read and edit the support plan.

use anyhow::Result;
use clap::Subcommand;
use inwonercloud_schemas::{Date, GoalStatus, LifeDomain, MemberKind, Period, TimeCost, format_euros};
use inwonercloud_vault::Vault;
use inwonercloud_vault::plan::NewNeed;
use rust_decimal::Decimal;

use super::Out;
use super::parse::{amount, date};

fn domain(s: &str) -> Result<LifeDomain, String> {
    LifeDomain::parse(s).map_err(|e| e.to_string())
}
fn period(s: &str) -> Result<Period, String> {
    Period::parse(s).map_err(|e| e.to_string())
}
fn status(s: &str) -> Result<GoalStatus, String> {
    match s.to_lowercase().as_str() {
        "actief" | "active" => Ok(GoalStatus::Actief),
        "bereikt" | "reached" => Ok(GoalStatus::Bereikt),
        "gestopt" | "stopped" => Ok(GoalStatus::Gestopt),
        _ => Err(format!("unknown status '{s}': use actief, bereikt or gestopt")),
    }
}

/// Plan commands.
#[derive(Subcommand, Debug)]
pub enum PlanCmd {
    /// Show the plan (optionally as of earlier heads from `plan history`).
    Show {
        /// Change hashes (comma-separated) to view the plan as it was then.
        #[arg(long, value_delimiter = ',')]
        at: Vec<String>,
    },
    /// Set the plan's title and period.
    Title {
        /// Title.
        title: String,
        /// First day (2026-01-01 or 1-1-2026).
        #[arg(long, value_parser = date)]
        from: Option<Date>,
        /// Last day.
        #[arg(long, value_parser = date)]
        until: Option<Date>,
    },
    /// Describe the situation in a life domain.
    Situation {
        /// wonen, werk_en_inkomen, financien, gezondheid, zelfzorg, sociaal_netwerk, dagbesteding, opvoeding_jeugd, mobiliteit, veiligheid.
        #[arg(value_parser = domain)]
        domain: LifeDomain,
        /// The situation in your words.
        text: String,
    },
    /// Add a goal.
    Goal {
        /// Life domain.
        #[arg(value_parser = domain)]
        domain: LifeDomain,
        /// The goal.
        text: String,
        /// When you hope to reach it.
        #[arg(long, value_parser = date)]
        target: Option<Date>,
        /// The household member it is for (name or id; see `plan member list`).
        #[arg(long = "for")]
        member: Option<String>,
    },
    /// Change a goal's status (actief, bereikt, gestopt).
    GoalStatus {
        /// Goal id.
        id: String,
        /// New status.
        #[arg(value_parser = status)]
        status: GoalStatus,
    },
    /// Add a need: wish, objective need, and time and cost (iPVB).
    Need {
        /// Life domain.
        #[arg(long, value_parser = domain)]
        domain: LifeDomain,
        /// What you wish.
        #[arg(long)]
        wish: String,
        /// What you objectively need.
        #[arg(long, default_value = "")]
        need: String,
        /// Hours per period (3,5 or 3.5).
        #[arg(long, value_parser = amount)]
        hours: Decimal,
        /// week, maand or jaar.
        #[arg(long, default_value = "week", value_parser = period)]
        per: Period,
        /// Tariff in euros per hour (52,13 or 52.13).
        #[arg(long, value_parser = amount)]
        tariff: Decimal,
        /// The goal it serves.
        #[arg(long)]
        goal: Option<String>,
        /// pgb category code (see `inwonercloud catalogue`).
        #[arg(long)]
        category: Option<String>,
        /// The household member it is for (name or id).
        #[arg(long = "for")]
        member: Option<String>,
    },
    /// The household of an integral plan (i-pgb): its members.
    #[command(subcommand)]
    Member(MemberCmd),
    /// Name the household's director (regisseur): a member or the counselor.
    /// The director acts only within the mandate you give (`mandate give`).
    Director {
        /// The director: a known peer (name or identity), or `ik`/`me`.
        who: String,
        /// The household member the director is, if one.
        #[arg(long)]
        member: Option<String>,
    },
    /// The plan's change history: who changed what, when.
    History,
}

/// `plan member` subcommands.
#[derive(Subcommand, Debug)]
pub enum MemberCmd {
    /// Add a member to the household.
    Add {
        /// First name.
        name: String,
        /// volwassene (adult) or kind (child).
        #[arg(long, default_value = "volwassene", value_parser = member_kind)]
        kind: MemberKind,
        /// Date of birth.
        #[arg(long, value_parser = date)]
        born: Option<Date>,
    },
    /// The household's members and director.
    List,
}

fn member_kind(s: &str) -> Result<MemberKind, String> {
    MemberKind::parse(s).map_err(|e| e.to_string())
}

pub fn run(out: &Out, v: &mut Vault, c: PlanCmd) -> Result<()> {
    let doc = v.pick_doc(inwonercloud_schemas::DocKind::Plan, out.of.as_deref())?;
    match c {
        PlanCmd::Show { at } => {
            let view = if at.is_empty() {
                v.plan(&doc)?
            } else {
                v.plan_at(&doc, &at)?
            };
            out.emit(&view, || print_plan(out, &view))
        }
        PlanCmd::Title { title, from, until } => {
            v.set_plan_header(&doc, &title, from, until)?;
            out.emit(&serde_json::json!({"ok": true}), || out.say(|t| t.title_saved))
        }
        PlanCmd::Situation { domain, text } => {
            v.set_situation(&doc, domain, &text)?;
            out.emit(&serde_json::json!({"ok": true, "domain": domain}), || {
                out.say(|t| t.situation_saved(domain.label(out.lang)))
            })
        }
        PlanCmd::Goal {
            domain,
            text,
            target,
            member,
        } => {
            let g = v.add_goal_for(&doc, member.as_deref(), domain, &text, target)?;
            out.emit(&g, || out.say(|t| format!("{} {}", t.goal_added, g.id)))
        }
        PlanCmd::GoalStatus { id, status } => {
            v.set_goal_status(&doc, &id, status)?;
            out.emit(&serde_json::json!({"ok": true}), || out.say(|t| t.status_changed))
        }
        PlanCmd::Need {
            domain,
            wish,
            need,
            hours,
            per,
            tariff,
            goal,
            category,
            member,
        } => {
            let n = v.add_need(
                &doc,
                NewNeed {
                    domain,
                    goal_id: goal,
                    wish,
                    objective_need: need,
                    time_cost: TimeCost {
                        hours,
                        period: per,
                        tariff,
                    },
                    category,
                    member,
                },
            )?;
            let year = n.time_cost.cost_per_year();
            out.emit(&n, || out.say(|t| t.need_added(&n.id, &format_euros(year, out.lang))))
        }
        PlanCmd::Member(MemberCmd::Add { name, kind, born }) => {
            let m = v.add_member(&name, kind, born)?;
            out.emit(&m, || {
                out.say(|t| t.member_added(&m.name, m.kind.label(out.lang), &m.id))
            })
        }
        PlanCmd::Member(MemberCmd::List) => {
            let h = v.household(&doc)?;
            out.emit(&h, || print_household(out, &h))
        }
        PlanCmd::Director { who, member } => {
            let identity = match who.trim().to_lowercase().as_str() {
                "ik" | "me" | "mij" => v.identity(),
                _ => v.find_peer(&who)?.identity,
            };
            let d = v.set_director(identity, member.as_deref())?;
            out.emit(&d, || out.say(|t| t.director_set(&d.name)))
        }
        PlanCmd::History => {
            let h = v.history(&doc)?;
            out.emit(&h, || {
                for e in &h {
                    println!(
                        "{}  {:<18} {:<16} {}",
                        out.day(e.time.max(0) as u64),
                        e.author_name.clone().unwrap_or_else(|| "?".into()),
                        e.message,
                        e.hash
                    );
                }
            })
        }
    }
}

fn print_plan(out: &Out, p: &inwonercloud_vault::plan::PlanView) {
    let lang = out.lang;
    match &p.header {
        Some(h) => println!(
            "{}  ({} – {})",
            h.record.title,
            h.record.valid_from.map(|d| out.date(d)).unwrap_or_default(),
            h.record.valid_until.map(|d| out.date(d)).unwrap_or_default()
        ),
        None => println!("{}", out.t(|t| t.plan_without_title)),
    }
    if !p.household.members.is_empty() || p.household.director.is_some() {
        print_household(out, &p.household);
    }
    let member = |m: &Option<String>| {
        m.as_ref()
            .map(|m| format!(" ({} {})", out.t(|t| t.for_word), p.household.name_of(m)))
            .unwrap_or_default()
    };
    for d in LifeDomain::ALL {
        let sit = p.situations.iter().find(|s| s.record.domain == d);
        let goals: Vec<_> = p.goals.iter().filter(|g| g.record.domain == d).collect();
        let needs: Vec<_> = p.needs.iter().filter(|n| n.record.domain == d).collect();
        if sit.is_none() && goals.is_empty() && needs.is_empty() {
            continue;
        }
        println!("\n## {}", d.label(lang));
        if let Some(s) = sit {
            println!("  {}  [{}]", s.record.situation, s.author_name);
        }
        for g in goals {
            println!(
                "  {} {}{} ({}) [{}] id={}",
                out.t(|t| t.goal),
                g.record.text,
                member(&g.record.member),
                g.record.status.label(lang),
                g.author_name,
                g.record.id
            );
        }
        for n in needs {
            let tc = &n.record.time_cost;
            println!(
                "  {} {}{} | {} {} | {} {} × {} = {} {}",
                out.t(|t| t.wish),
                n.record.wish,
                member(&n.record.member),
                out.t(|t| t.need),
                n.record.objective_need,
                tc.hours,
                out.t(|t| t.hours_short),
                format_euros(tc.tariff, lang),
                format_euros(tc.cost_per_year(), lang),
                out.t(|t| t.per_year),
            );
        }
    }
    if !p.needs.is_empty() {
        println!(
            "\n{}: {}",
            out.t(|t| t.total_per_year),
            format_euros(p.cost_per_year(), lang)
        );
    }
    for b in &p.bad {
        println!("{} {}: {}", out.t(|t| t.refused_caps), b.key, b.why);
    }
}

fn print_household(out: &Out, h: &inwonercloud_vault::HouseholdView) {
    println!("{}", out.t(|t| t.household));
    for m in &h.members {
        let born = m.record.born.map(|d| format!(", {}", out.date(d))).unwrap_or_default();
        println!(
            "  {} ({}{born}) id={}",
            m.record.name,
            m.record.kind.label(out.lang),
            m.record.id
        );
    }
    match &h.director {
        Some(d) => println!("  {} {}", out.t(|t| t.director), d.record.name),
        None => println!("  {}", out.t(|t| t.no_director_yet)),
    }
}
