//! Machtigingen: the budget holder gives a representative (a legal
//! representative, a bewindvoerder, family) a signed mandate to approve or
//! dispute for her, and revokes it; a representative sees for whom she acts
//! and approves their pending declarations with her own signature (the
//! declarations screen's own cards, see [`super::market::declarations`]).

use egui::{RichText, Ui};
use inwonercloud_schemas::{
    Capacity, CommissionOutcome, CommissionTask, Date, Lang, MandateAction, PublicKey, SchemaError,
};
use inwonercloud_vault::{MandateView, VaultError};

use crate::error_text::schema_error_text;
use crate::gui::i18n::Texts;
use crate::gui::widgets::{self, euros};
use crate::gui::workspace::{Confirm, Workspace};

pub fn show(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    if ws.is_citizen() {
        give(ui, ws, t, lang);
        ui.add_space(8.0);
        given(ui, ws, t, lang);
        ui.add_space(8.0);
    }
    acting_for(ui, ws, t, lang);
    commissions(ui, ws, t, lang);
}

/// Every commission this vault sees (given to it, or given by its owner),
/// with what became of it.
fn commissions(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    if ws.views.commissions.is_empty() {
        return;
    }
    let list = ws.views.commissions.clone();
    ui.add_space(8.0);
    widgets::card(ui, t.commissions_title, |ui| {
        for c in &list {
            let r = &c.commission.record;
            let what = match &r.task {
                CommissionTask::Order {
                    offering_id, max_units, ..
                } => format!("{} {offering_id} × {}", t.commission_order, max_units.normalize()),
                CommissionTask::Request { category, quantity, .. } => format!(
                    "{} {} {}",
                    t.commission_request,
                    widgets::category(category, lang),
                    euros(quantity.amount, lang)
                ),
                CommissionTask::Transfer { to, amount, .. } => {
                    format!(
                        "{} {} → {}",
                        t.commission_transfer,
                        euros(*amount, lang),
                        ws.name_of(to)
                    )
                }
            };
            let state = match c.result.as_ref().map(|x| &x.record.outcome) {
                None => t.commission_waiting.to_string(),
                Some(CommissionOutcome::Done { .. }) => t.commission_done.to_string(),
                Some(CommissionOutcome::Refused { reason }) => format!("{}: {reason}", t.commission_refused),
            };
            ui.label(format!(
                "{} · {what} · {state}",
                inwonercloud_vault::mandate::on_behalf(lang, &ws.name_of(&r.citizen), &c.commission.author_name)
            ));
        }
    });
}

/// A representative's forms to order or request for `citizen`, as far as
/// the mandate reaches; signs after a yes.
fn commission_forms(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang, citizen: PublicKey, held: &[MandateView]) {
    let may = |a: MandateAction| {
        held.iter()
            .any(|m| m.active && m.mandate.record.citizen == citizen && m.allows(a))
    };
    let name = ws.name_of(&citizen);
    let offerings = ws.views.offerings.clone();
    let key = citizen.to_string();
    let mut task: Option<Result<CommissionTask, String>> = None;
    if may(MandateAction::Order) {
        widgets::card(ui, &format!("{} {name}", t.commission_order_title), |ui| {
            let f = ws.forms.commissions.entry(key.clone()).or_default();
            if offerings.is_empty() {
                ui.label(t.commission_no_offerings);
                return;
            }
            let idx: Vec<usize> = (0..offerings.len()).collect();
            widgets::choice(ui, t.commission_offering, &mut f.offering, &idx, |i| {
                offerings
                    .get(i)
                    .map(|o| {
                        format!(
                            "{} — {} — {}",
                            o.offering.record.service,
                            o.offering.record.provider.name,
                            euros(o.offering.record.price, lang)
                        )
                    })
                    .unwrap_or_default()
            });
            widgets::text(ui, t.commission_account, &mut f.account);
            widgets::amount_field_in(
                ui,
                t.commission_units,
                &mut f.units,
                inwonercloud_schemas::Unit::Hours,
                true,
                lang,
            );
            widgets::date_field(ui, t.commission_care_from, &mut f.order_from, lang);
            widgets::date_field(ui, t.commission_care_until, &mut f.order_until, lang);
            widgets::text(ui, t.commission_member, &mut f.member);
            if ui.button(t.commission_sign_order).clicked() {
                task = Some((|| {
                    let o = offerings.get(f.offering).ok_or(t.commission_no_offerings)?;
                    Ok(CommissionTask::Order {
                        offering_id: o.offering.record.id.clone(),
                        account: f.account.trim().to_string(),
                        max_units: inwonercloud_schemas::parse_amount(&f.units)
                            .map_err(|e| schema_error_text(&e, lang))?,
                        period_start: day(&f.order_from, lang)?,
                        period_end: day(&f.order_until, lang)?,
                        member: Some(f.member.trim().to_string()).filter(|m| !m.is_empty()),
                    })
                })());
            }
        });
    }
    if may(MandateAction::Request) {
        let categories = ws.views.catalogue.categories.clone();
        widgets::card(ui, &format!("{} {name}", t.commission_request_title), |ui| {
            let f = ws.forms.commissions.entry(key.clone()).or_default();
            widgets::category_choice(ui, t.commission_category, &mut f.category, &categories, lang);
            widgets::amount_field(ui, t.commission_amount, &mut f.amount, lang);
            widgets::date_field(ui, t.commission_budget_from, &mut f.from, lang);
            widgets::date_field(ui, t.commission_budget_until, &mut f.until, lang);
            widgets::text(ui, t.commission_motivation, &mut f.motivation);
            if ui.button(t.commission_sign_request).clicked() {
                task = Some((|| {
                    Ok(CommissionTask::Request {
                        stream: inwonercloud_schemas::FundingStream::Wmo,
                        category: f.category.trim().to_string(),
                        quantity: inwonercloud_schemas::Quantity::new(
                            inwonercloud_schemas::parse_euros(&f.amount).map_err(|e| schema_error_text(&e, lang))?,
                            inwonercloud_schemas::Unit::Euro,
                        )
                        .map_err(|e| schema_error_text(&e, lang))?,
                        period_start: day(&f.from, lang)?,
                        period_end: day(&f.until, lang)?,
                        motivation: f.motivation.trim().to_string(),
                    })
                })());
            }
        });
    }
    match task {
        None => {}
        Some(Err(e)) => ws.fail(e),
        Some(Ok(task)) => ws.ask(Confirm {
            what: format!("{} {name}", t.commission_confirm),
            effect: t.commission_effect(&name),
            done: t.commission_signed_ok.to_string(),
            step: Box::new(move |v: &mut inwonercloud_vault::Vault| -> Result<(), VaultError> {
                v.commission(citizen, task).map(drop)
            }),
        }),
    }
}

/// A required date typed as dd-mm-jjjj or jjjj-mm-dd.
fn day(text: &str, lang: Lang) -> Result<Date, String> {
    match parse_day(text) {
        Ok(Some(d)) => Ok(d),
        Ok(None) => Err(crate::gui::i18n::texts(lang).fill_in_a_date().into()),
        Err(e) => Err(schema_error_text(&e, lang)),
    }
}

/// The actions a mandate names, in words.
fn actions(m: &MandateView, lang: Lang) -> String {
    m.mandate
        .record
        .actions
        .iter()
        .map(|a| a.label(lang))
        .collect::<Vec<_>>()
        .join(", ")
}

/// From – until, or "from …" when open-ended.
fn period(m: &MandateView, lang: Lang) -> String {
    let r = &m.mandate.record;
    format!(
        "{} – {}",
        widgets::date(r.valid_from, lang),
        r.valid_until
            .map(|d| widgets::date(d, lang))
            .unwrap_or_else(|| "…".into())
    )
}

fn state(m: &MandateView, t: &Texts) -> &'static str {
    if m.revocation.is_some() {
        t.revoked
    } else if m.active {
        t.active
    } else {
        t.mandate_expired
    }
}

fn parse_day(text: &str) -> Result<Option<Date>, SchemaError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some)
}

/// The form to give a mandate; signs only after a yes.
fn give(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    let peers: Vec<(PublicKey, String)> = ws.views.peers.iter().map(|p| (p.identity, p.name.clone())).collect();
    let mut pressed = false;
    widgets::card(ui, t.mandate_give_title, |ui| {
        ui.label(RichText::new(t.mandate_help).weak());
        if peers.is_empty() {
            ui.label(t.mandate_no_peers);
            return;
        }
        let f = &mut ws.forms.mandate;
        let idx: Vec<usize> = (0..peers.len()).collect();
        widgets::choice(ui, t.mandate_to, &mut f.to, &idx, |i| {
            peers.get(i).map(|p| p.1.clone()).unwrap_or_default()
        });
        widgets::choice(ui, t.mandate_capacity, &mut f.capacity, &Capacity::ALL, |c| {
            c.label(lang).to_string()
        });
        ui.horizontal_wrapped(|ui| {
            ui.label(t.mandate_actions);
            ui.checkbox(&mut f.approve, MandateAction::Approve.label(lang));
            ui.checkbox(&mut f.dispute, MandateAction::Dispute.label(lang));
            ui.checkbox(&mut f.order, MandateAction::Order.label(lang));
            ui.checkbox(&mut f.request, MandateAction::Request.label(lang));
            ui.checkbox(&mut f.transfer, MandateAction::Transfer.label(lang));
        });
        widgets::date_field(ui, t.mandate_from, &mut f.from, lang);
        widgets::date_field(ui, t.mandate_until, &mut f.until, lang);
        pressed = ui.button(t.mandate_give).clicked();
    });
    if !pressed {
        return;
    }
    let f = &ws.forms.mandate;
    let Some((to, name)) = peers.get(f.to).cloned() else {
        ws.fail(t.mandate_no_peers.into());
        return;
    };
    let mut chosen = vec![];
    if f.approve {
        chosen.push(MandateAction::Approve);
    }
    if f.dispute {
        chosen.push(MandateAction::Dispute);
    }
    if f.order {
        chosen.push(MandateAction::Order);
    }
    if f.request {
        chosen.push(MandateAction::Request);
    }
    if f.transfer {
        chosen.push(MandateAction::Transfer);
    }
    if chosen.is_empty() {
        ws.fail(t.mandate_choose_action.into());
        return;
    }
    let from = match parse_day(&f.from) {
        Ok(Some(d)) => d,
        Ok(None) => match Date::new(Date::today().year(), 1, 1) {
            Ok(d) => d,
            Err(e) => return ws.fail(schema_error_text(&e, lang)),
        },
        Err(e) => return ws.fail(schema_error_text(&e, lang)),
    };
    let until = match parse_day(&f.until) {
        Ok(d) => d,
        Err(e) => return ws.fail(schema_error_text(&e, lang)),
    };
    let capacity = f.capacity;
    let what_words = chosen.iter().map(|a| a.label(lang)).collect::<Vec<_>>().join(", ");
    let effect = t.mandate_effect(&name, &what_words, &widgets::date(from, lang));
    ws.ask(Confirm {
        what: format!("{} {name} ({}): {what_words}", t.confirm_mandate, capacity.label(lang)),
        effect,
        done: format!("{} {name}", t.mandate_given_ok),
        step: Box::new(move |v: &mut inwonercloud_vault::Vault| -> Result<(), VaultError> {
            v.give_mandate(to, capacity, chosen, from, until).map(drop)
        }),
    });
}

/// The mandates the holder gave, with revoke.
fn given(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    let mut revoke = None;
    widgets::card(ui, t.mandates_given, |ui| {
        if ws.views.mandates.is_empty() {
            ui.label(t.no_mandates);
            return;
        }
        widgets::wide(ui, "mandates-scroll", |ui| {
            egui::Grid::new("mandates").striped(true).num_columns(6).show(ui, |ui| {
                for h in [t.who, t.mandate_capacity, t.mandate_actions, t.until, t.status, ""] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for m in &ws.views.mandates {
                    let r = &m.mandate.record;
                    ui.label(&r.representative_name);
                    ui.label(r.capacity.label(lang));
                    ui.label(actions(m, lang));
                    ui.label(period(m, lang));
                    ui.label(state(m, t));
                    if m.revocation.is_none()
                        && ui
                            .button(t.mandate_revoke)
                            .on_hover_text(format!("{} {}", t.mandate_revoke, r.representative_name))
                            .clicked()
                    {
                        revoke = Some((r.id.clone(), r.representative_name.clone()));
                    } else if m.revocation.is_some() {
                        ui.label("");
                    }
                    ui.end_row();
                }
            });
        });
    });
    if let Some((id, name)) = revoke {
        let effect = t.mandate_revoke_effect(&name);
        ws.ask(Confirm {
            what: format!("{} {name}", t.confirm_mandate_revoke),
            effect,
            done: format!("{} {name}", t.mandate_revoked_ok),
            step: Box::new(move |v: &mut inwonercloud_vault::Vault| v.revoke_mandate(&id).map(drop)),
        });
    }
}

/// For whom this vault's owner acts, and their declarations to judge.
fn acting_for(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    let held = ws.views.mandates_for_me.clone();
    if held.is_empty() && ws.is_citizen() {
        return;
    }
    widgets::card(ui, t.acting_for_title, |ui| {
        if held.is_empty() {
            ui.label(t.acting_for_none);
            return;
        }
        for m in &held {
            let r = &m.mandate.record;
            ui.label(format!(
                "{} · {} · {} · {} · {}",
                ws.name_of(&r.citizen),
                r.capacity.label(lang),
                actions(m, lang),
                period(m, lang),
                state(m, t)
            ));
        }
    });
    let holders: std::collections::BTreeSet<PublicKey> = held
        .iter()
        .filter(|m| m.active)
        .map(|m| m.mandate.record.citizen)
        .collect();
    for citizen in holders {
        ui.add_space(8.0);
        commission_forms(ui, ws, t, lang, citizen, &held);
    }
    if held.iter().any(|m| m.active) {
        ui.add_space(8.0);
        ui.label(RichText::new(t.acting_for_declarations).strong());
        super::market::declarations(ui, ws, t, lang);
    }
}
