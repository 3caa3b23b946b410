//! Budget requests in the app: the citizen's request form, and a card per
//! request with its assessment timeline and the actions the viewer may take
//! (answer or ask review as holder; take up, ask, decide as municipality).
//! The same card serves the citizen's Budget screen and the municipality's
//! Inbox.

use egui::{RichText, Ui};
use inwonercloud_schemas::{
    Date, FundingStream, Lang, Outcome, Quantity, Role, SchemaError, StreamShare, Unit, format_quantity, parse_amount,
};
use inwonercloud_vault::{DecisionInput, NewRequest, RequestState, RequestView, Vault, VaultError};

use crate::gui::i18n::Texts;
use crate::gui::widgets;
use crate::gui::workspace::{Confirm, Workspace};

/// What a card's buttons asked for.
enum CardAction {
    Answer(String),
    Review(String),
    TakeUp,
    Ask(String),
    Decide(DecisionInput, Vec<StreamShare>),
    Invalid(String),
}

/// Every request card of `views`.
pub fn cards(ui: &mut Ui, ws: &mut Workspace, views: &[RequestView], t: &Texts, lang: Lang) {
    for v in views {
        card(ui, ws, v, t, lang);
        ui.add_space(4.0);
    }
}

fn card(ui: &mut Ui, ws: &mut Workspace, v: &RequestView, t: &Texts, lang: Lang) {
    let r = &v.request.record;
    let holder = v.owner == ws.who.identity;
    let municipality = ws.who.role == Role::Municipality && !holder;
    let title = format!(
        "{} — {} ({})",
        widgets::category(&r.category, lang),
        format_quantity(r.quantity, lang),
        t.request_state(v.state)
    );
    let mut action = None;
    widgets::card(ui, &title, |ui| {
        ui.label(format!(
            "{} · {} – {} · {} {}",
            ws.name_of(&v.owner),
            widgets::date(r.period_start, lang),
            widgets::date(r.period_end, lang),
            t.request_id,
            // The first characters: enough to find it (also on the command line), not a raw key.
            r.id.get(..8).unwrap_or(&r.id)
        ));
        ui.label(RichText::new(&r.motivation).italics());
        if !r.categories.is_empty() {
            let names: Vec<String> = r.categories.iter().map(|c| widgets::category(c, lang)).collect();
            ui.label(format!(
                "{} — {}: {}",
                t.integral_budget,
                t.integral_categories,
                names.join(", ")
            ));
        }
        egui::Grid::new(("timeline", &r.id))
            .striped(true)
            .num_columns(3)
            .show(ui, |ui| {
                for s in &v.steps {
                    ui.label(widgets::moment(s.record.at, lang));
                    ui.label(&s.author_name);
                    // A question or answer can be long: it wraps at the window's edge.
                    ui.add(egui::Label::new(t.step(&s.record.step)).wrap());
                    ui.end_row();
                }
            });
        for d in v.superseded.iter().chain(v.decision.iter()) {
            let replaced = v.superseded.iter().any(|x| x.record.id == d.record.id);
            let mut line = format!(
                "{}: {}{} — {}",
                t.decision,
                t.outcome(d.record.outcome),
                d.record
                    .granted
                    .map(|g| format!(" {}", format_quantity(g, lang)))
                    .unwrap_or_default(),
                d.record.reasons
            );
            if !d.record.funding.is_empty() {
                let unit = d
                    .record
                    .granted
                    .map(|g| g.unit)
                    .unwrap_or(inwonercloud_schemas::Unit::Euro);
                let parts: Vec<String> = d
                    .record
                    .funding
                    .iter()
                    .map(|f| format!("{} {}", f.stream.label(lang), widgets::amount(f.amount, unit, lang)))
                    .collect();
                line.push_str(&format!(" · {}: {}", t.funded_by, parts.join(" + ")));
            }
            if let Some(rule) = &d.record.automated_rule {
                line.push_str(&format!(" [{} {rule}]", t.automated_rule));
            }
            line.push_str(&format!(" · {} {}", t.signed_by, d.author_name));
            if replaced {
                line = format!("{} {line}", t.replaced);
                ui.label(RichText::new(line).weak());
            } else {
                ui.label(RichText::new(line).strong());
                if holder {
                    ui.label(t.objection(d.record.date, &d.author_name, None));
                }
            }
        }
        for x in &v.refused {
            widgets::warning(ui, x);
        }
        let f = ws.forms.cards.entry(r.id.clone()).or_default();
        if holder && v.state == RequestState::InformatieGevraagd {
            widgets::text(ui, t.your_answer, &mut f.text);
            if ui.button(t.send_answer).clicked() {
                action = Some(CardAction::Answer(f.text.clone()));
            }
        }
        let automated = v.decision.as_ref().is_some_and(|d| d.record.automated_rule.is_some());
        if holder && v.state == RequestState::Besloten && automated {
            widgets::text(ui, t.review_reason, &mut f.text);
            if ui.button(t.ask_review).clicked() {
                action = Some(CardAction::Review(f.text.clone()));
            }
        }
        if municipality && v.state != RequestState::Besloten {
            ui.separator();
            ui.horizontal(|ui| {
                if v.state == RequestState::Ingediend && ui.button(t.take_up).clicked() {
                    action = Some(CardAction::TakeUp);
                }
            });
            widgets::text(ui, t.question, &mut f.text);
            if ui.button(t.ask_question).clicked() {
                action = Some(CardAction::Ask(f.text.clone()));
            }
            widgets::choice(
                ui,
                t.outcome_label,
                &mut f.outcome,
                &[Outcome::Toegekend, Outcome::DeelsToegekend, Outcome::Afgewezen],
                |o| t.outcome(o).into(),
            );
            if f.outcome == Outcome::DeelsToegekend {
                widgets::amount_field_in(ui, t.granted_amount, &mut f.amount, r.quantity.unit, true, lang);
            }
            if !r.categories.is_empty() && f.outcome != Outcome::Afgewezen {
                ui.label(t.funding_split);
                for s in FundingStream::ALL {
                    let typed = f.funding.entry(s).or_default();
                    widgets::amount_field_in(ui, s.label(lang), typed, r.quantity.unit, true, lang);
                }
            }
            widgets::text(ui, t.reasons, &mut f.reasons);
            if ui.button(t.decide).clicked() {
                match parse_partial(f).and_then(|g| Ok((g, parse_funding(&f.funding)?))) {
                    Ok((granted, funding)) => {
                        action = Some(CardAction::Decide(
                            DecisionInput {
                                outcome: f.outcome,
                                granted,
                                reasons: f.reasons.clone(),
                                automated_rule: None,
                            },
                            funding,
                        ))
                    }
                    Err(e) => action = Some(CardAction::Invalid(crate::error_text::schema_error_text(&e, lang))),
                }
            }
        }
    });
    let id = r.id.clone();
    let Some(a) = action else { return };
    let owner = ws.name_of(&v.owner);
    let asked = format!(
        "{} {}",
        format_quantity(r.quantity, lang),
        widgets::category(&r.category, lang)
    );
    let done = match a {
        // An empty answer or question is refused at once: nothing to confirm.
        CardAction::Answer(s) if s.trim().is_empty() => {
            ws.act(t.sent_ok, |vault| vault.answer_question(&id, &s)).is_some()
        }
        CardAction::Ask(s) if s.trim().is_empty() => {
            ws.act(t.sent_ok, |vault| vault.ask_information(&id, &s)).is_some()
        }
        CardAction::Answer(s) => {
            let what = format!("{} \"{}\"", t.confirm_answer, s.trim());
            ask_step(ws, &id, what, t.answer_effect.into(), t.sent_ok, move |vault, id| {
                vault.answer_question(id, &s).map(drop)
            })
        }
        CardAction::Review(s) => {
            let what = format!("{} {asked}", t.confirm_review);
            ask_step(ws, &id, what, t.review_effect.into(), t.sent_ok, move |vault, id| {
                vault.ask_review(id, &s).map(drop)
            })
        }
        CardAction::TakeUp => {
            let what = format!("{} {owner}: {asked}", t.confirm_take_up);
            ask_step(ws, &id, what, t.take_up_effect(&owner), t.saved, |vault, id| {
                vault.start_assessment(id).map(drop)
            })
        }
        CardAction::Invalid(e) => {
            ws.fail(e);
            false
        }
        CardAction::Ask(s) => {
            let what = format!("{} {owner} ({asked}): \"{}\"", t.confirm_ask, s.trim());
            ask_step(ws, &id, what, t.ask_effect(&owner), t.sent_ok, move |vault, id| {
                vault.ask_information(id, &s).map(drop)
            })
        }
        CardAction::Decide(d, funding) => {
            let holder = owner;
            let granted = d
                .granted
                .map(|g| widgets::amount(g, r.quantity.unit, lang))
                .unwrap_or_else(|| asked.clone());
            let what = format!("{} {holder}: {}", t.confirm_decide, t.outcome(d.outcome));
            let effect = match (d.outcome, lang) {
                (Outcome::Afgewezen, Lang::Nl) => {
                    format!("Aangevraagd: {asked}. Er wordt niets toegekend. Reden: {}", d.reasons)
                }
                (Outcome::Afgewezen, Lang::En) => format!("Asked: {asked}. Nothing is granted. Reasons: {}", d.reasons),
                (_, Lang::Nl) => format!(
                    "Aangevraagd: {asked}. Toegekend en in het budget van {holder} gezet: {granted}. Reden: {}",
                    d.reasons
                ),
                (_, Lang::En) => format!(
                    "Asked: {asked}. Granted and put in {holder}'s budget: {granted}. Reasons: {}",
                    d.reasons
                ),
            };
            let effect = format!("{effect} {}", t.objection(Date::today(), &ws.who.name, Some(&holder)));
            let request = id.clone();
            ws.ask(Confirm {
                what,
                effect,
                done: t.decided.to_string(),
                step: Box::new(move |vault: &mut inwonercloud_vault::Vault| {
                    if funding.is_empty() {
                        vault.decide(&request, d).map(drop)
                    } else {
                        vault.decide_integral(&request, d, funding, Vec::new()).map(drop)
                    }
                }),
            });
            false
        }
    };
    if done {
        ws.forms.cards.remove(&id);
    }
}

/// Asks before a signed step on request `id` (see [`Workspace::ask_then`]);
/// the card's form is cleared once it is signed. Nothing is done yet, so
/// the caller's "done" is false.
fn ask_step(
    ws: &mut Workspace,
    id: &str,
    what: String,
    effect: String,
    done: &str,
    step: impl FnOnce(&mut Vault, &str) -> Result<(), VaultError> + 'static,
) -> bool {
    let request = id.to_string();
    let form = request.clone();
    ws.ask_then(
        Confirm {
            what,
            effect,
            done: done.to_string(),
            step: Box::new(move |vault: &mut Vault| step(vault, &request)),
        },
        move |ws| {
            ws.forms.cards.remove(&form);
        },
    );
    false
}

/// An integral grant's funding as typed, one amount per funding stream
/// (streams left empty pay nothing); empty for a one-stream grant.
fn parse_funding(typed: &std::collections::BTreeMap<FundingStream, String>) -> Result<Vec<StreamShare>, SchemaError> {
    typed
        .iter()
        .filter(|(_, amount)| !amount.trim().is_empty())
        .map(|(stream, amount)| {
            Ok(StreamShare {
                stream: *stream,
                amount: parse_amount(amount)?,
            })
        })
        .collect()
}

fn parse_partial(f: &crate::gui::forms::CardForm) -> Result<Option<rust_decimal::Decimal>, SchemaError> {
    if f.outcome == Outcome::DeelsToegekend {
        parse_amount(&f.amount).map(Some)
    } else {
        Ok(None)
    }
}

/// The citizen's form to ask for budget (or to change an account).
pub fn form(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    let mut submit = false;
    egui::CollapsingHeader::new(t.new_request)
        .id_salt("new-request")
        .show(ui, |ui| {
            let cats = ws.views.catalogue.categories.clone();
            let goals: Vec<(String, String)> = match &ws.views.plan {
                Some(Ok(p)) => p
                    .goals
                    .iter()
                    .map(|g| (g.record.id.clone(), g.record.text.clone()))
                    .collect(),
                _ => Vec::new(),
            };
            let accounts: Vec<String> = match &ws.views.budget {
                Some(Ok(b)) => b.accounts.iter().map(|a| a.record.name.clone()).collect(),
                _ => Vec::new(),
            };
            let f = &mut ws.forms;
            widgets::category_choice(ui, t.category, &mut f.req_category, &cats, lang);
            if let Some(c) = cats.iter().find(|c| c.code == f.req_category) {
                ui.label(RichText::new(t.example_tariff(c.example_tariff, c.max_tariff, &c.note)).weak());
            }
            widgets::amount_field_in(ui, t.amount, &mut f.req_amount, f.req_unit, true, lang);
            widgets::choice(
                ui,
                t.unit,
                &mut f.req_unit,
                &[Unit::Euro, Unit::Hours, Unit::Points],
                |u| t.unit_name(u).into(),
            );
            widgets::choice(ui, t.stream, &mut f.req_stream, &FundingStream::ALL, |s| {
                s.label(lang).into()
            });
            if let Some(x) = f.req_stream.explain(lang) {
                ui.label(RichText::new(x).small());
            }
            widgets::date_field(ui, t.from_date, &mut f.req_from, lang);
            widgets::date_field(ui, t.until_date_required, &mut f.req_until, lang);
            widgets::multiline(ui, t.motivation, &mut f.req_motivation);
            egui::CollapsingHeader::new(t.integral_budget)
                .id_salt("integral")
                .show(ui, |ui| {
                    ui.label(t.integral_explain);
                    for c in &cats {
                        let mut on = f.req_integral.contains(&c.code);
                        if ui.checkbox(&mut on, c.name(lang)).changed() {
                            if on {
                                f.req_integral.push(c.code.clone());
                            } else {
                                f.req_integral.retain(|x| x != &c.code);
                            }
                        }
                    }
                });
            if !goals.is_empty() {
                ui.label(t.for_goals);
                for (id, text) in &goals {
                    let mut on = f.req_goals.contains(id);
                    if ui.checkbox(&mut on, text).changed() {
                        if on {
                            f.req_goals.push(id.clone());
                        } else {
                            f.req_goals.retain(|g| g != id);
                        }
                    }
                }
            }
            let opts: Vec<usize> = (0..=accounts.len()).collect();
            widgets::choice(ui, t.adjusts, &mut f.req_adjusts, &opts, |i| match i {
                0 => t.new_account_option.to_string(),
                n => accounts.get(n - 1).cloned().unwrap_or_default(),
            });
            submit = ui.button(t.submit_request).clicked();
        });
    if !submit {
        return;
    }
    let f = &ws.forms;
    let cat = Some(f.req_category.clone()).filter(|c| !c.is_empty());
    let adjusts = match (&ws.views.budget, f.req_adjusts) {
        (Some(Ok(b)), n) if n > 0 => b.accounts.get(n - 1).map(|a| a.record.id.clone()),
        _ => None,
    };
    let made = (|| -> Result<NewRequest, VaultError> {
        let from: Date = f.req_from.trim().parse()?;
        let until: Date = f.req_until.trim().parse()?;
        Ok(NewRequest {
            stream: f.req_stream,
            category: cat.ok_or_else(|| SchemaError::Invalid("choose a category".into()))?,
            quantity: Quantity::new(parse_amount(&f.req_amount)?, f.req_unit)?,
            period_start: from,
            period_end: until,
            goal_ids: f.req_goals.clone(),
            motivation: f.req_motivation.clone(),
            adjusts_account: adjusts,
        })
    })();
    let integral = f.req_integral.clone();
    let made = match made {
        Ok(m) => m,
        Err(e) => return ws.reject(e),
    };
    let mut what = format!(
        "{} {} {}, {} – {}",
        t.confirm_request,
        format_quantity(made.quantity, lang),
        widgets::category(&made.category, lang),
        widgets::date(made.period_start, lang),
        widgets::date(made.period_end, lang),
    );
    if !integral.is_empty() {
        let names: Vec<String> = integral.iter().map(|c| widgets::category(c, lang)).collect();
        what.push_str(&format!(" ({}: {})", t.integral_budget, names.join(", ")));
    }
    ws.ask_then(
        Confirm {
            what,
            effect: t.request_effect.to_string(),
            done: t.request_sent.to_string(),
            step: Box::new(move |v: &mut Vault| {
                if integral.is_empty() {
                    v.request_budget(made).map(drop)
                } else {
                    v.request_integral_budget(made, integral).map(drop)
                }
            }),
        },
        |ws| {
            ws.forms.req_integral.clear();
            ws.forms.req_amount.clear();
            ws.forms.req_motivation.clear();
            ws.forms.req_goals.clear();
        },
    );
}
