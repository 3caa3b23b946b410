//! Plan: situation per life domain, goals, iPVB needs (wish, need, time and
//! cost) with who wrote what and when; earlier versions; forms to co-edit.

use egui::{RichText, Ui};
use inwonercloud_schemas::{
    Date, GoalStatus, Lang, LifeDomain, MemberKind, Period, PublicKey, SchemaError, TimeCost, Unit, parse_amount,
};
use inwonercloud_vault::{Authored, NewNeed, PlanView, VaultError};

use super::subject_line;
use crate::gui::i18n::Texts;
use crate::gui::widgets::{self, euros};
use crate::gui::workspace::{Confirm, Workspace};

pub fn show(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    subject_line(ui, ws, t);
    let Some(plan) = ws.views.plan.clone() else {
        ui.label(t.no_plan);
        return;
    };
    let plan = match plan {
        Ok(p) => p,
        Err(e) => {
            widgets::warning(ui, &e);
            return;
        }
    };
    let writable = ws.views.plan_writable;
    if !writable {
        ui.label(RichText::new(t.read_only).italics());
    }
    let mut set_status = None;
    plan_body(ui, &plan, t, lang, writable.then_some(&mut set_status));
    if let Some((goal, status)) = set_status {
        let doc = plan.doc.clone();
        ws.act(t.saved, |v| v.set_goal_status(&doc, &goal, status));
    }
    if writable {
        ui.add_space(8.0);
        forms(ui, ws, &plan, t, lang);
        if ws.who.identity == plan.owner {
            household_forms(ui, ws, &plan, t, lang);
        }
    }
    ui.add_space(8.0);
    history(ui, ws, t, lang);
}

type StatusChange<'a> = Option<&'a mut Option<(String, GoalStatus)>>;

fn plan_body(ui: &mut Ui, plan: &PlanView, t: &Texts, lang: Lang, mut set_status: StatusChange) {
    if let Some(h) = &plan.header {
        ui.label(RichText::new(&h.record.title).size(18.0).strong());
        let from = h.record.valid_from.map(|d| widgets::date(d, lang)).unwrap_or_default();
        let until = h.record.valid_until.map(|d| widgets::date(d, lang)).unwrap_or_default();
        ui.label(format!("{from} – {until}  ·  {}", by(h, t, lang)));
    }
    household(ui, plan, t, lang);
    let member = |m: &Option<String>| {
        m.as_ref()
            .map(|m| format!("{}: {}", t.for_member, plan.household.name_of(m)))
    };
    for domain in LifeDomain::ALL {
        let situation = plan.situations.iter().find(|s| s.record.domain == domain);
        let goals: Vec<_> = plan.goals.iter().filter(|g| g.record.domain == domain).collect();
        let needs: Vec<_> = plan.needs.iter().filter(|n| n.record.domain == domain).collect();
        if situation.is_none() && goals.is_empty() && needs.is_empty() {
            continue;
        }
        widgets::card(ui, domain.label(lang), |ui| {
            if let Some(s) = situation {
                ui.label(&s.record.situation);
                ui.label(RichText::new(by(s, t, lang)).weak().small());
            }
            for g in goals {
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(format!("• {}", g.record.text)).strong());
                    ui.label(format!("[{}]", t.goal_status(g.record.status)));
                    if let Some(m) = member(&g.record.member) {
                        ui.label(RichText::new(m).italics());
                    }
                    if let Some(d) = g.record.target_date {
                        ui.label(format!("{} {}", t.target, widgets::date(d, lang)));
                    }
                    if let Some(out) = set_status.as_deref_mut() {
                        for s in [GoalStatus::Actief, GoalStatus::Bereikt, GoalStatus::Gestopt] {
                            if s != g.record.status
                                && ui.small_button(t.mark_as(s)).on_hover_text(&g.record.text).clicked()
                            {
                                *out = Some((g.record.id.clone(), s));
                            }
                        }
                    }
                });
                ui.label(RichText::new(by(g, t, lang)).weak().small());
            }
            for n in needs {
                let tc = &n.record.time_cost;
                ui.label(format!("{}: {}", t.wish, n.record.wish));
                if let Some(m) = member(&n.record.member) {
                    ui.label(RichText::new(m).italics());
                }
                ui.label(format!("{}: {}", t.need, n.record.objective_need));
                ui.label(format!(
                    "{} {} × {} = {} {}",
                    tc.hours.normalize(),
                    t.hours_per(tc.period),
                    euros(tc.tariff, lang),
                    euros(tc.cost_per_year(), lang),
                    t.per_year
                ));
                if let Some(c) = &n.record.category {
                    ui.label(format!("{}: {}", t.category, widgets::category(c, lang)));
                }
                ui.label(RichText::new(by(n, t, lang)).weak().small());
            }
        });
    }
    ui.label(RichText::new(format!("{}: {}", t.plan_cost, euros(plan.cost_per_year(), lang))).strong());
    for b in &plan.bad {
        widgets::warning(ui, &format!("{}: {} ({})", t.alert_bad_record, b.key, b.why));
    }
}

/// The household's members and director, when the plan has a household.
fn household(ui: &mut Ui, plan: &PlanView, t: &Texts, lang: Lang) {
    let h = &plan.household;
    if h.members.is_empty() && h.director.is_none() {
        return;
    }
    widgets::card(ui, t.household, |ui| {
        for m in &h.members {
            let born = m
                .record
                .born
                .map(|d| format!(", {}", widgets::date(d, lang)))
                .unwrap_or_default();
            ui.label(format!("• {} ({}{born})", m.record.name, m.record.kind.label(lang)));
        }
        match &h.director {
            Some(d) => ui.label(RichText::new(format!("{}: {}", t.director, d.record.name)).strong()),
            None => ui.label(t.no_director),
        };
    });
}

/// A picker of "the whole household" or one member; `value` holds the member id.
fn member_choice(ui: &mut Ui, label: &str, value: &mut Option<String>, plan: &PlanView, t: &Texts) {
    let h = &plan.household;
    if h.members.is_empty() {
        return;
    }
    let names: Vec<(Option<String>, String)> = std::iter::once((None, t.whole_household.to_string()))
        .chain(
            h.members
                .iter()
                .map(|m| (Some(m.record.id.clone()), m.record.name.clone())),
        )
        .collect();
    let mut idx = names.iter().position(|(id, _)| id == value).unwrap_or(0);
    let all: Vec<usize> = (0..names.len()).collect();
    widgets::choice(ui, label, &mut idx, &all, |i| {
        names.get(i).map(|n| n.1.clone()).unwrap_or_default()
    });
    *value = names.get(idx).and_then(|n| n.0.clone());
}

fn by<R>(a: &Authored<R>, t: &Texts, lang: Lang) -> String {
    format!(
        "{} {} · {}",
        t.written_by,
        a.author_name,
        widgets::moment(a.signed_at, lang)
    )
}

fn opt_date(s: &str) -> Result<Option<Date>, SchemaError> {
    let s = s.trim();
    if s.is_empty() { Ok(None) } else { s.parse().map(Some) }
}

fn forms(ui: &mut Ui, ws: &mut Workspace, plan: &PlanView, t: &Texts, lang: Lang) {
    let doc = plan.doc.clone();
    widgets::card(ui, t.add_goal, |ui| {
        let f = &mut ws.forms;
        widgets::choice(ui, t.domain, &mut f.goal_domain, &LifeDomain::ALL, |d| {
            d.label(lang).into()
        });
        widgets::text(ui, t.goal_text, &mut f.goal_text);
        widgets::date_field(ui, t.target_date, &mut f.goal_target, lang);
        member_choice(ui, t.for_member, &mut f.goal_member, plan, t);
        if ui.button(t.add_goal).clicked() {
            let (domain, text, target) = (f.goal_domain, f.goal_text.clone(), f.goal_target.clone());
            let member = f.goal_member.clone();
            if ws
                .act(t.saved, |v| {
                    let target = opt_date(&target)?;
                    v.add_goal_for(&doc, member.as_deref(), domain, &text, target)
                })
                .is_some()
            {
                ws.forms.goal_text.clear();
                ws.forms.goal_target.clear();
            }
        }
    });
    widgets::card(ui, t.write_situation, |ui| {
        let f = &mut ws.forms;
        widgets::choice(ui, t.domain, &mut f.situation_domain, &LifeDomain::ALL, |d| {
            d.label(lang).into()
        });
        widgets::multiline(ui, t.situation, &mut f.situation_text);
        if ui.button(t.save).clicked() {
            let (domain, text) = (f.situation_domain, f.situation_text.clone());
            if ws.act(t.saved, |v| v.set_situation(&doc, domain, &text)).is_some() {
                ws.forms.situation_text.clear();
            }
        }
    });
    let categories = ws.views.catalogue.categories.clone();
    widgets::card(ui, t.add_need, |ui| {
        let f = &mut ws.forms;
        widgets::choice(ui, t.domain, &mut f.need_domain, &LifeDomain::ALL, |d| {
            d.label(lang).into()
        });
        let goals: Vec<(usize, String)> = std::iter::once((0, "—".to_string()))
            .chain(
                plan.goals
                    .iter()
                    .enumerate()
                    .map(|(i, g)| (i + 1, g.record.text.clone())),
            )
            .collect();
        let idx: Vec<usize> = goals.iter().map(|(i, _)| *i).collect();
        widgets::choice(ui, t.goal, &mut f.need_goal, &idx, |i| {
            goals.get(i).map(|g| g.1.clone()).unwrap_or_default()
        });
        widgets::text(ui, t.wish, &mut f.need_wish);
        widgets::text(ui, t.need, &mut f.need_objective);
        widgets::amount_field_in(ui, t.hours, &mut f.need_hours, Unit::Hours, true, lang);
        widgets::choice(
            ui,
            t.period,
            &mut f.need_period,
            &[Period::Week, Period::Month, Period::Year],
            |p| t.hours_per(p).into(),
        );
        widgets::amount_field(ui, t.tariff, &mut f.need_tariff, lang);
        widgets::category_choice_or(
            ui,
            t.category_code,
            &mut f.need_category,
            &categories,
            t.no_category,
            lang,
        );
        member_choice(ui, t.for_member, &mut f.need_member, plan, t);
        if ui.button(t.add_need).clicked() {
            let f = &ws.forms;
            let goal_id = f
                .need_goal
                .checked_sub(1)
                .and_then(|i| plan.goals.get(i))
                .map(|g| g.record.id.clone());
            let made = (|| -> Result<NewNeed, VaultError> {
                Ok(NewNeed {
                    domain: f.need_domain,
                    goal_id,
                    wish: f.need_wish.clone(),
                    objective_need: f.need_objective.clone(),
                    time_cost: TimeCost {
                        hours: parse_amount(&f.need_hours)?,
                        period: f.need_period,
                        tariff: parse_amount(&f.need_tariff)?,
                    },
                    category: Some(f.need_category.trim().to_string()).filter(|c| !c.is_empty()),
                    member: f.need_member.clone(),
                })
            })();
            if ws.act(t.saved, |v| v.add_need(&doc, made?)).is_some() {
                ws.forms.need_wish.clear();
                ws.forms.need_objective.clear();
                ws.forms.need_hours.clear();
                ws.forms.need_tariff.clear();
            }
        }
    });
}

/// The household forms, for the plan's owner: add a member, choose the director.
fn household_forms(ui: &mut Ui, ws: &mut Workspace, plan: &PlanView, t: &Texts, lang: Lang) {
    widgets::card(ui, t.household, |ui| {
        ui.label(t.household_intro);
        let f = &mut ws.forms;
        widgets::text(ui, t.member_name, &mut f.member_name);
        widgets::choice(
            ui,
            t.member_kind,
            &mut f.member_kind,
            &[MemberKind::Volwassene, MemberKind::Kind],
            |k| k.label(lang).into(),
        );
        widgets::date_field(ui, t.member_born, &mut f.member_born, lang);
        if ui.button(t.add_member).clicked() {
            let (name, kind) = (f.member_name.trim().to_string(), f.member_kind);
            match opt_date(&f.member_born) {
                Err(e) => ws.reject(e),
                Ok(born) => {
                    let mut what = format!("{} {name} ({}", t.confirm_member, kind.label(lang));
                    if let Some(b) = born {
                        what.push_str(&format!(", {}", widgets::date(b, lang)));
                    }
                    what.push(')');
                    ws.ask_then(
                        Confirm {
                            what,
                            effect: t.member_effect(&name),
                            done: t.member_added.to_string(),
                            step: Box::new(move |v: &mut inwonercloud_vault::Vault| {
                                v.add_member(&name, kind, born).map(drop)
                            }),
                        },
                        |ws| {
                            ws.forms.member_name.clear();
                            ws.forms.member_born.clear();
                        },
                    );
                }
            }
        }
        ui.separator();
        ui.label(t.director_explain);
        let me = ws.who.identity;
        let mut who: Vec<(PublicKey, Option<String>, String)> = plan
            .household
            .members
            .iter()
            .filter(|m| m.record.kind == MemberKind::Volwassene)
            .map(|m| {
                (
                    me,
                    Some(m.record.id.clone()),
                    format!("{} ({})", m.record.name, t.director_me),
                )
            })
            .collect();
        if who.is_empty() {
            who.push((me, None, t.director_me.to_string()));
        }
        who.extend(ws.views.peers.iter().map(|p| (p.identity, None, p.name.clone())));
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("{}:", t.set_director));
            let mut pick = None;
            for (i, (_, _, name)) in who.iter().enumerate() {
                if ui.small_button(name).clicked() {
                    pick = Some(i);
                }
            }
            if let Some((key, member, name)) = pick.and_then(|i| who.get(i)).cloned() {
                ws.ask(Confirm {
                    what: format!("{} {name}", t.confirm_director),
                    effect: t.director_effect(&name),
                    done: t.director_set.to_string(),
                    step: Box::new(move |v: &mut inwonercloud_vault::Vault| {
                        v.set_director(key, member.as_deref()).map(drop)
                    }),
                });
            }
        });
    });
}

fn history(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    let mut pick = None;
    egui::CollapsingHeader::new(t.earlier_versions)
        .id_salt("history")
        .show(ui, |ui| {
            egui::Grid::new("history-grid")
                .striped(true)
                .num_columns(4)
                .show(ui, |ui| {
                    for h in ws.views.plan_history.iter().rev().take(200) {
                        ui.label(widgets::moment(u64::try_from(h.time).unwrap_or(0), lang));
                        ui.label(h.author_name.clone().unwrap_or_else(|| "?".into()));
                        ui.label(&h.message);
                        if ui.small_button(t.show_version).on_hover_text(&h.hash).clicked() {
                            pick = Some(h.clone());
                        }
                        ui.end_row();
                    }
                });
        });
    if let Some(h) = pick {
        ws.show_plan_at(&h);
    }
    let mut close = false;
    if let Some((entry, then)) = &ws.views.plan_then {
        widgets::card(ui, &t.version_of(u64::try_from(entry.time).unwrap_or(0)), |ui| {
            if ui.button(t.close).clicked() {
                close = true;
            }
            plan_body(ui, then, t, lang, None);
        });
    }
    if close {
        ws.views.plan_then = None;
    }
}
