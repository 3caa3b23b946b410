//! Marktplaats (citizen): offerings of every provider known (also those a
//! municipality admitted and passes on), filtered by category, price,
//! region, availability, admission and what fits the remaining budget
//! (the filter of `Vault::find_offerings`), compared with the
//! municipality's tariffs; ordering makes a signed agreement and a
//! reservation. Declaraties (citizen): approve or dispute what providers
//! declared.

use egui::{RichText, Ui};
use inwonercloud_schemas::{Date, Lang, MandateAction, Unit, Verdict, parse_amount};
use inwonercloud_vault::VaultError;
use inwonercloud_vault::discovery::OfferingFilter;
use inwonercloud_vault::mandate::on_behalf;

use crate::gui::i18n::Texts;
use crate::gui::widgets::{self, euros};
use crate::gui::workspace::{Confirm, Workspace};

pub fn show(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    // Every account pays an order in its own unit (points and hours at the
    // policy's tariff, see `inwonercloud_vault::points`); an informal carer
    // is paid in euros only.
    let order_accounts: Vec<(String, String, rust_decimal::Decimal, Unit)> = match &ws.views.budget {
        Some(Ok(b)) => b
            .accounts
            .iter()
            .map(|a| {
                let left = b
                    .report
                    .accounts
                    .get(&a.record.id)
                    .map(|f| f.remaining)
                    .unwrap_or_default();
                (a.record.id.clone(), a.record.name.clone(), left, a.record.unit)
            })
            .collect(),
        _ => Vec::new(),
    };
    let accounts: Vec<(String, String, rust_decimal::Decimal)> = order_accounts
        .iter()
        .filter(|a| a.3 == Unit::Euro)
        .map(|a| (a.0.clone(), a.1.clone(), a.2))
        .collect();
    let policy = ws.views.policy.as_ref().map(|p| p.record.clone());
    let offerings = ws.views.offerings.clone();
    // The categories on offer, as the vault's catalogue names them.
    let categories: Vec<inwonercloud_schemas::Category> = ws
        .views
        .catalogue
        .categories
        .iter()
        .filter(|c| offerings.iter().any(|o| o.offering.record.category == c.code))
        .cloned()
        .collect();
    let f = &mut ws.forms;
    widgets::card(ui, t.filter, |ui| {
        widgets::category_choice_or(ui, t.category, &mut f.market_category, &categories, t.all, lang);
        widgets::amount_field(ui, t.max_price, &mut f.market_max_price, lang);
        widgets::text(ui, t.market_region, &mut f.market_region);
        widgets::text(ui, t.market_availability, &mut f.market_availability);
        ui.checkbox(&mut f.market_admitted, t.market_admitted_only);
        let aidx: Vec<usize> = (0..order_accounts.len()).collect();
        if !order_accounts.is_empty() {
            widgets::choice(ui, t.account, &mut f.order_account, &aidx, |i| {
                order_accounts
                    .get(i)
                    .map(|a| format!("{} ({} {})", a.1, widgets::amount(a.2, a.3, lang), t.left))
                    .unwrap_or_default()
            });
        }
        ui.checkbox(&mut f.market_fits, t.fits_budget);
    });
    // The same filter as `inwonercloud market` (`Vault::find_offerings`),
    // over the offerings already read.
    let filter = OfferingFilter {
        category: Some(f.market_category.clone()).filter(|c| !c.is_empty()),
        region: Some(f.market_region.clone()),
        max_price: parse_amount(&f.market_max_price).ok(),
        availability: Some(f.market_availability.clone()),
        admitted_only: f.market_admitted,
    };
    let paying = order_accounts.get(f.order_account).map(|a| (a.2, a.3));
    // The price per unit from the chosen account, in its unit; none when
    // the account's unit has no price for the offering.
    let price_from = |o: &inwonercloud_vault::OfferingView| {
        paying.and_then(|(_, unit)| {
            inwonercloud_vault::points::tariff_in(policy.as_ref(), &o.offering.record, unit)
                .ok()
                .map(|p| (p, unit))
        })
    };
    let shown: Vec<_> = offerings
        .iter()
        .filter(|o| filter.matches(o, &[]))
        .filter(|o| !f.market_fits || paying.zip(price_from(o)).is_some_and(|((l, _), (p, _))| p <= l))
        .collect();
    if offerings.is_empty() {
        ui.label(t.no_offerings);
    } else if shown.is_empty() {
        ui.label(t.no_match);
    }
    let mut order = None;
    for o in shown {
        let r = &o.offering.record;
        // The provider's name from its certificate, not what it typed.
        widgets::card(ui, &format!("{} — {}", r.service, o.offering.author_name), |ui| {
            ui.label(format!(
                "{} · {} {} · {} · {}",
                widgets::category(&r.category, lang),
                euros(r.price, lang),
                t.per_unit(r.unit),
                r.region,
                r.availability
            ));
            ui.label(&r.description);
            // Paid from a points or hours account: the price in that unit, or why there is none.
            if let Some((_, unit)) = paying.filter(|(_, u)| *u != Unit::Euro) {
                match price_from(o) {
                    Some((p, _)) => {
                        ui.label(
                            RichText::new(format!(
                                "{} {} {}",
                                t.price_from_account,
                                widgets::amount(p, unit, lang),
                                t.per_unit(r.unit)
                            ))
                            .strong(),
                        );
                    }
                    None => {
                        widgets::warning(ui, t.no_price_in_unit(unit));
                    }
                }
            }
            let tariffs = format!(
                "{} {} · {} {}",
                t.example,
                o.example_tariff.map(|x| euros(x, lang)).unwrap_or_else(|| "—".into()),
                t.maximum,
                o.max_tariff.map(|x| euros(x, lang)).unwrap_or_else(|| "—".into())
            );
            ui.label(RichText::new(tariffs).weak());
            if o.above_max {
                widgets::warning(ui, t.above_max);
            }
            if o.admitted_by.is_empty() {
                ui.label(RichText::new(t.not_admitted).weak().small());
            } else {
                ui.label(RichText::new(format!("{} {}", t.admitted_by, o.admitted_by.join(", "))).small());
            }
            if let Some(kvk) = &r.provider.kvk {
                ui.label(RichText::new(format!("KvK {kvk}")).weak().small());
            }
            if ui.button(t.order).on_hover_text(&r.service).clicked() {
                // Whether the chosen account has a price for it (see above).
                let what = format!("{} — {}", r.service, o.offering.author_name);
                order = Some((r.id.clone(), price_from(o).map(|(p, _)| p), what));
            }
        });
    }
    widgets::card(ui, t.order_terms, |ui| {
        widgets::amount_field_in(ui, t.units, &mut ws.forms.order_units, Unit::Hours, true, lang);
        widgets::date_field(ui, t.from_date, &mut ws.forms.order_from, lang);
        widgets::date_field(ui, t.until_date_required, &mut ws.forms.order_until, lang);
        if let Some(Ok(plan)) = &ws.views.plan
            && !plan.household.members.is_empty()
        {
            let names: Vec<(Option<String>, String)> = std::iter::once((None, t.whole_household.to_string()))
                .chain(
                    plan.household
                        .members
                        .iter()
                        .map(|m| (Some(m.record.id.clone()), m.record.name.clone())),
                )
                .collect();
            let mut idx = names
                .iter()
                .position(|(id, _)| *id == ws.forms.order_member)
                .unwrap_or(0);
            let all: Vec<usize> = (0..names.len()).collect();
            widgets::choice(ui, t.for_member, &mut idx, &all, |i| {
                names.get(i).map(|n| n.1.clone()).unwrap_or_default()
            });
            ws.forms.order_member = names.get(idx).and_then(|n| n.0.clone());
        }
    });
    super::informal::agree_form(ui, ws, t, lang, &accounts);
    if let Some((id, price, what)) = order {
        let Some((account, unit, name, left)) = order_accounts
            .get(ws.forms.order_account)
            .map(|a| (a.0.clone(), a.3, a.1.clone(), a.2))
        else {
            ws.fail(t.no_accounts.into());
            return;
        };
        // A points or hours account without a price for this offering:
        // refused here in the person's language (the vault refuses too).
        if price.is_none() && unit != Unit::Euro {
            ws.fail(t.no_price_in_unit(unit).into());
            return;
        }
        let member = ws.forms.order_member.clone();
        // Read before asking: the dialog shows what will be signed.
        let parsed = (|| -> Result<(rust_decimal::Decimal, Date, Date), VaultError> {
            let units = parse_amount(&ws.forms.order_units)?;
            let from: Date = ws.forms.order_from.trim().parse()?;
            let until: Date = ws.forms.order_until.trim().parse()?;
            Ok((units, from, until))
        })();
        let (units, from, until) = match parsed {
            Ok(p) => p,
            Err(e) => return ws.reject(e),
        };
        let reserved = price.map(|p| p * units);
        let effect = match reserved {
            Some(r) => budget_effect(t, lang, t.budget_reserved, -r, Some(left), unit),
            None => String::new(),
        };
        ws.ask(Confirm {
            what: format!(
                "{} {what}: {} × {} · {} – {} · {} {name}",
                t.confirm_order,
                units.normalize(),
                price.map_or_else(|| "?".to_string(), |p| widgets::amount(p, unit, lang)),
                widgets::date(from, lang),
                widgets::date(until, lang),
                t.account
            ),
            effect,
            done: t.ordered.to_string(),
            step: Box::new(move |v: &mut inwonercloud_vault::Vault| -> Result<(), VaultError> {
                v.order_for(member.as_deref(), &id, &account, units, from, until)
                    .map(drop)
            }),
        });
    }
}

/// What a signed step does to an account, for the confirmation:
/// "Wordt gereserveerd: € 300,00. Nu resterend op de rekening: € 1.000,00.
/// Daarna resterend: € 700,00." `change` is negative when money leaves or
/// is set aside; `label` names it.
pub fn budget_effect(
    t: &Texts,
    lang: Lang,
    label: &str,
    change: rust_decimal::Decimal,
    left: Option<rust_decimal::Decimal>,
    unit: Unit,
) -> String {
    let mut s = format!("{label}: {}.", widgets::amount(change.abs(), unit, lang));
    if let Some(l) = left {
        s.push_str(&format!(
            " {}: {}. {}: {}.",
            t.budget_left_now,
            widgets::amount(l, unit, lang),
            t.budget_left_after,
            widgets::amount(l + change, unit, lang)
        ));
    }
    s
}

/// What is left in an account of the budget shown, and its unit.
pub fn left_in(ws: &Workspace, account: &str) -> Option<(rust_decimal::Decimal, Unit)> {
    let b = ws.views.budget.as_ref()?.as_ref().ok()?;
    let unit = b.accounts.iter().find(|a| a.record.id == account)?.record.unit;
    Some((b.report.accounts.get(account)?.remaining, unit))
}

pub fn declarations(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    let agreements = ws.views.agreements.clone();
    if agreements.is_empty() {
        ui.label(t.no_agreements);
    }
    let mut judge: Option<(String, Verdict)> = None;
    let mut cancel: Option<(String, String)> = None;
    for a in agreements.iter() {
        let r = &a.agreement.record;
        let title = agreement_title(ws, r, &r.provider, t, lang);
        // What is left in the paying account, shown beside every declaration still to judge.
        let left = left_in(ws, &r.account)
            .map(|(l, unit)| format!("{}: {}", t.budget_left_now, widgets::amount(l, unit, lang)));
        widgets::card(ui, &title, |ui| {
            if let Some(m) = &r.member {
                ui.label(RichText::new(format!("{}: {}", t.for_member, m.name)).italics());
            }
            for s in &r.services {
                ui.label(format!(
                    "{} · {} × {} {}",
                    widgets::category(&s.category, lang),
                    s.max_units.normalize(),
                    widgets::amount(s.tariff, s.tariff_unit, lang),
                    t.per_unit(s.unit)
                ));
            }
            ui.label(match (a.countersigned, r.informal) {
                (true, _) => t.signed_both,
                (false, true) => t.waits_carer,
                (false, false) => t.waits_provider,
            });
            if let Some(c) = cancellation(ui, ws, t, lang, a) {
                cancel = Some(c);
            }
            for d in &a.declarations {
                let x = &d.declaration.record;
                ui.separator();
                // The provider's note in brackets, when it wrote one (the app's declare form has none).
                let note = if x.note.trim().is_empty() {
                    String::new()
                } else {
                    format!(" ({})", x.note)
                };
                ui.label(format!(
                    "{} {} – {}: {} × {} = {}{note}",
                    t.declaration,
                    widgets::date(x.period_start, lang),
                    widgets::date(x.period_end, lang),
                    x.units.normalize(),
                    widgets::amount(x.tariff, x.tariff_unit, lang),
                    x.amount()
                        .map_or_else(|_| "?".to_string(), |a| widgets::amount(a, x.tariff_unit, lang)),
                ));
                // A verdict a representative signed for the holder names both.
                let behalf = d
                    .approval
                    .as_ref()
                    .filter(|ap| ap.author != r.citizen)
                    .map(|ap| format!(" ({})", on_behalf(lang, &ws.name_of(&r.citizen), &ap.author_name)))
                    .unwrap_or_default();
                let may = |action| r.citizen == ws.who.identity || acts_for(ws, &r.citizen, action);
                let (may_approve, may_dispute) = (may(MandateAction::Approve), may(MandateAction::Dispute));
                if let (None, Some(l)) = (&d.approval, &left) {
                    ui.label(RichText::new(l).strong());
                }
                match d.approval.as_ref().map(|ap| &ap.record.verdict) {
                    Some(Verdict::Goedgekeurd) => {
                        ui.label(RichText::new(format!("{}{behalf}", t.approved)).strong());
                    }
                    Some(Verdict::Betwist { reason }) => {
                        widgets::warning(ui, &format!("{}{behalf}: {reason}", t.disputed));
                    }
                    None if may_approve || may_dispute => {
                        let f = ws.forms.cards.entry(x.id.clone()).or_default();
                        if may_approve {
                            ui.horizontal(|ui| {
                                if ui.button(t.approve).clicked() {
                                    judge = Some((x.id.clone(), Verdict::Goedgekeurd));
                                }
                            });
                        }
                        if may_dispute {
                            widgets::text(ui, t.dispute_reason, &mut f.text);
                            if ui.button(t.dispute).clicked() {
                                judge = Some((x.id.clone(), Verdict::Betwist { reason: f.text.clone() }));
                            }
                        }
                    }
                    None => {
                        ui.label(t.awaiting_approval);
                    }
                }
            }
        });
    }
    if let Some((id, verdict)) = judge {
        ask_judgement(ws, t, lang, id, verdict);
    }
    if let Some((id, reason)) = cancel {
        ask_cancel(ws, t, lang, id, reason);
    }
}

/// An agreement's cancellation, or (for its two parties, while it runs) a
/// reason field and the button to end it: returns the agreement id and the
/// reason when pressed. Shared by the citizen's and the provider's screens.
pub fn cancellation(
    ui: &mut Ui,
    ws: &mut Workspace,
    t: &Texts,
    lang: Lang,
    a: &inwonercloud_vault::market::AgreementView,
) -> Option<(String, String)> {
    let r = &a.agreement.record;
    if let Some(c) = &a.cancellation {
        widgets::warning(
            ui,
            &format!(
                "{} {} ({}): {}",
                t.cancelled_per,
                widgets::date(c.record.last_day, lang),
                ws.name_of(&c.author),
                c.record.reason
            ),
        );
        return None;
    }
    let me = ws.who.identity;
    if me != r.citizen && me != r.provider {
        return None;
    }
    let f = ws.forms.cards.entry(format!("cancel-{}", r.id)).or_default();
    let mut pressed = None;
    ui.horizontal(|ui| {
        widgets::text(ui, t.cancel_reason, &mut f.text);
        if ui.button(t.cancel_agreement).clicked() {
            pressed = Some((r.id.clone(), f.text.clone()));
        }
    });
    pressed
}

/// Shows what cancelling signs and frees, and signs only after the person says yes.
fn ask_cancel(ws: &mut Workspace, t: &Texts, lang: Lang, id: String, reason: String) {
    let Some(a) = ws.views.agreements.iter().find(|a| a.agreement.record.id == id) else {
        return;
    };
    // The last day is today, but never before care already declared nor
    // after the agreement's own end.
    let today = inwonercloud_schemas::Date::today();
    let declared = a.declarations.iter().map(|d| d.declaration.record.period_end).max();
    let last = declared
        .map_or(today, |d| d.max(today))
        .min(a.agreement.record.period_end);
    let other = if a.agreement.record.citizen == ws.who.identity {
        a.agreement.record.provider
    } else {
        a.agreement.record.citizen
    };
    ws.ask(Confirm {
        what: format!(
            "{} {} · {} {}",
            t.confirm_cancel,
            ws.name_of(&other),
            t.last_day,
            widgets::date(last, lang)
        ),
        effect: t.cancel_effect.to_string(),
        done: t.cancelled_ok.to_string(),
        step: Box::new(move |v: &mut inwonercloud_vault::Vault| -> Result<(), VaultError> {
            v.cancel_agreement(&id, last, &reason)?;
            v.release_ended_reservations(today).map(drop)
        }),
    });
}

/// Whether this vault's owner holds a mandate in force from `citizen` for
/// `action` (she then approves or disputes for her, with her own signature).
pub fn acts_for(ws: &Workspace, citizen: &inwonercloud_schemas::PublicKey, action: MandateAction) -> bool {
    ws.views
        .mandates_for_me
        .iter()
        .any(|m| &m.mandate.record.citizen == citizen && m.allows(action))
}

/// Shows what approving (or disputing) signs and what it does to the budget,
/// and signs only after the person says yes.
fn ask_judgement(ws: &mut Workspace, t: &Texts, lang: Lang, id: String, verdict: Verdict) {
    let found = ws.views.agreements.iter().find_map(|a| {
        let d = a.declarations.iter().find(|d| d.declaration.record.id == id)?;
        Some((a.agreement.record.clone(), d.declaration.record.clone()))
    });
    let Some((agreement, decl)) = found else { return };
    // A representative signs for the holder: the dialog says for whom.
    let provider = if agreement.citizen == ws.who.identity {
        ws.name_of(&agreement.provider)
    } else {
        format!(
            "{} ({})",
            ws.name_of(&agreement.provider),
            on_behalf(lang, &ws.name_of(&agreement.citizen), &ws.who.name)
        )
    };
    let unit = decl.tariff_unit;
    let amount = decl
        .amount()
        .map_or_else(|_| "?".to_string(), |a| widgets::amount(a, unit, lang));
    let left = ws
        .views
        .budget
        .as_ref()
        .and_then(|b| b.as_ref().ok())
        .and_then(|b| b.report.accounts.get(&agreement.account).map(|f| f.remaining));
    // After approving: the part of the amount the agreement's reservation does not cover comes off what is left.
    let after = left.zip(decl.amount().ok()).map(|(l, a)| {
        let open = open_reservation(ws, &agreement);
        l - (a - open.min(a))
    });
    let (what, mut effect, done) = match &verdict {
        Verdict::Goedgekeurd => (
            format!(
                "{} {provider}: {} × {} = {amount}",
                t.confirm_approve,
                decl.units.normalize(),
                widgets::amount(decl.tariff, unit, lang)
            ),
            match (lang, left) {
                (Lang::Nl, Some(l)) => format!(
                    "{amount} wordt als uitgave geboekt tegen de reservering van deze zorgovereenkomst. Nu resterend op de rekening: {}.",
                    widgets::amount(l, unit, lang)
                ),
                (Lang::En, Some(l)) => format!(
                    "{amount} is booked as spent against this agreement's reservation. Left in the account now: {}.",
                    widgets::amount(l, unit, lang)
                ),
                (Lang::Nl, None) => format!("{amount} wordt als uitgave geboekt."),
                (Lang::En, None) => format!("{amount} is booked as spent."),
            },
            t.approved_ok,
        ),
        Verdict::Betwist { reason } => (
            format!("{} {provider}: {amount}", t.confirm_dispute),
            format!("{}: {reason}", t.dispute_reason),
            t.disputed_ok,
        ),
    };
    if let (Verdict::Goedgekeurd, Some(a)) = (&verdict, after) {
        effect.push_str(&format!(
            " {}: {}.",
            t.budget_left_after,
            widgets::amount(a, unit, lang)
        ));
    }
    ws.ask(Confirm {
        what,
        effect,
        done: done.to_string(),
        step: Box::new(move |v: &mut inwonercloud_vault::Vault| -> Result<(), VaultError> {
            v.judge_declaration(&id, verdict).map(drop)
        }),
    });
}

/// What is still reserved for an agreement (never below zero), as the vault counts it.
fn open_reservation(ws: &Workspace, agreement: &inwonercloud_schemas::Agreement) -> rust_decimal::Decimal {
    let Some(Ok(b)) = &ws.views.budget else {
        return rust_decimal::Decimal::ZERO;
    };
    let id = inwonercloud_vault::market::reservation_for(&agreement.id);
    inwonercloud_vault::market::reservation_left(&b.report.lines, &agreement.citizen, &id)
        .max(rust_decimal::Decimal::ZERO)
}

/// "Zorgovereenkomst met X · from – until", X being the other party, and
/// "· mantelzorg" when X is an informal carer.
pub fn agreement_title(
    ws: &Workspace,
    r: &inwonercloud_schemas::Agreement,
    other: &inwonercloud_schemas::PublicKey,
    t: &Texts,
    lang: Lang,
) -> String {
    let informal = if r.informal {
        format!(" · {}", t.informal_tag)
    } else {
        String::new()
    };
    format!(
        "{} {} · {} – {}{informal}",
        t.agreement_with,
        ws.name_of(other),
        widgets::date(r.period_start, lang),
        widgets::date(r.period_end, lang)
    )
}
