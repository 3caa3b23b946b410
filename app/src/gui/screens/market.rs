//! Marktplaats (citizen): offerings of every provider known, filtered by
//! category, price and what fits the remaining budget, compared with the
//! municipality's tariffs; ordering makes a signed agreement and a
//! reservation. Declaraties (citizen): approve or dispute what providers
//! declared.

use egui::{RichText, Ui};
use inwonercloud_schemas::{Date, Lang, Verdict, parse_amount};
use inwonercloud_vault::VaultError;

use crate::gui::i18n::Texts;
use crate::gui::widgets::{self, euros};
use crate::gui::workspace::{Confirm, Workspace};

pub fn show(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    let accounts: Vec<(String, String, rust_decimal::Decimal)> = match &ws.views.budget {
        Some(Ok(b)) => b
            .accounts
            .iter()
            .filter(|a| a.record.unit == inwonercloud_schemas::Unit::Euro)
            .map(|a| {
                let left = b
                    .report
                    .accounts
                    .get(&a.record.id)
                    .map(|f| f.remaining)
                    .unwrap_or_default();
                (a.record.id.clone(), a.record.name.clone(), left)
            })
            .collect(),
        _ => Vec::new(),
    };
    let offerings = ws.views.offerings.clone();
    let mut categories: Vec<String> = offerings.iter().map(|o| o.offering.record.category.clone()).collect();
    categories.sort();
    categories.dedup();
    let f = &mut ws.forms;
    widgets::card(ui, t.filter, |ui| {
        let idx: Vec<usize> = (0..=categories.len()).collect();
        widgets::choice(ui, t.category, &mut f.market_category, &idx, |i| match i {
            0 => t.all.to_string(),
            n => categories
                .get(n - 1)
                .map(|c| widgets::category(c, lang))
                .unwrap_or_default(),
        });
        widgets::text(ui, t.max_price, &mut f.market_max_price);
        let aidx: Vec<usize> = (0..accounts.len()).collect();
        if !accounts.is_empty() {
            widgets::choice(ui, t.account, &mut f.order_account, &aidx, |i| {
                accounts
                    .get(i)
                    .map(|a| format!("{} ({} {})", a.1, euros(a.2, lang), t.left))
                    .unwrap_or_default()
            });
        }
        ui.checkbox(&mut f.market_fits, t.fits_budget);
    });
    let max_price = parse_amount(&f.market_max_price).ok();
    let left = accounts.get(f.order_account).map(|a| a.2);
    let shown: Vec<_> = offerings
        .iter()
        .filter(|o| {
            f.market_category == 0 || categories.get(f.market_category - 1) == Some(&o.offering.record.category)
        })
        .filter(|o| max_price.is_none_or(|m| o.offering.record.price <= m))
        .filter(|o| !f.market_fits || left.is_some_and(|l| o.offering.record.price <= l))
        .collect();
    if offerings.is_empty() {
        ui.label(t.no_offerings);
    }
    let mut order = None;
    for o in shown {
        let r = &o.offering.record;
        widgets::card(ui, &format!("{} — {}", r.service, r.provider.name), |ui| {
            ui.label(format!(
                "{} · {} {} · {} · {}",
                widgets::category(&r.category, lang),
                euros(r.price, lang),
                t.per_unit(r.unit),
                r.region,
                r.availability
            ));
            ui.label(&r.description);
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
            if let Some(kvk) = &r.provider.kvk {
                ui.label(RichText::new(format!("KvK {kvk}")).weak().small());
            }
            if ui.button(t.order).on_hover_text(&r.service).clicked() {
                order = Some(r.id.clone());
            }
        });
    }
    widgets::card(ui, t.order_terms, |ui| {
        widgets::text(ui, t.units, &mut ws.forms.order_units);
        widgets::text(ui, t.from_date, &mut ws.forms.order_from);
        widgets::text(ui, t.until_date_required, &mut ws.forms.order_until);
    });
    if let Some(id) = order {
        let Some(account) = accounts.get(ws.forms.order_account).map(|a| a.0.clone()) else {
            ws.fail(t.no_accounts.into());
            return;
        };
        let (units, from, until) = (
            ws.forms.order_units.clone(),
            ws.forms.order_from.clone(),
            ws.forms.order_until.clone(),
        );
        ws.act(t.ordered, |v| {
            let units = parse_amount(&units)?;
            let from: Date = from.trim().parse()?;
            let until: Date = until.trim().parse()?;
            v.order(&id, &account, units, from, until)
        });
    }
}

pub fn declarations(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    let agreements = ws.views.agreements.clone();
    if agreements.is_empty() {
        ui.label(t.no_agreements);
    }
    let mut judge: Option<(String, Verdict)> = None;
    for a in agreements.iter() {
        let r = &a.agreement.record;
        let title = agreement_title(ws, r, &r.provider, t, lang);
        widgets::card(ui, &title, |ui| {
            for s in &r.services {
                ui.label(format!(
                    "{} · {} × {} {}",
                    widgets::category(&s.category, lang),
                    s.max_units.normalize(),
                    euros(s.tariff, lang),
                    t.per_unit(s.unit)
                ));
            }
            ui.label(if a.countersigned {
                t.signed_both
            } else {
                t.waits_provider
            });
            for d in &a.declarations {
                let x = &d.declaration.record;
                ui.separator();
                ui.label(format!(
                    "{} {} – {}: {} × {} = {} ({})",
                    t.declaration,
                    widgets::date(x.period_start, lang),
                    widgets::date(x.period_end, lang),
                    x.units.normalize(),
                    euros(x.tariff, lang),
                    x.amount().map_or_else(|_| "?".to_string(), |a| euros(a, lang)),
                    x.note
                ));
                match d.approval.as_ref().map(|ap| &ap.record.verdict) {
                    Some(Verdict::Goedgekeurd) => {
                        ui.label(RichText::new(t.approved).strong());
                    }
                    Some(Verdict::Betwist { reason }) => {
                        widgets::warning(ui, &format!("{}: {reason}", t.disputed));
                    }
                    None if r.citizen == ws.who.identity => {
                        let f = ws.forms.cards.entry(x.id.clone()).or_default();
                        ui.horizontal(|ui| {
                            if ui.button(t.approve).clicked() {
                                judge = Some((x.id.clone(), Verdict::Goedgekeurd));
                            }
                        });
                        widgets::text(ui, t.dispute_reason, &mut f.text);
                        if ui.button(t.dispute).clicked() {
                            judge = Some((x.id.clone(), Verdict::Betwist { reason: f.text.clone() }));
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
}

/// Shows what approving (or disputing) signs and what it does to the budget,
/// and signs only after the person says yes.
fn ask_judgement(ws: &mut Workspace, t: &Texts, lang: Lang, id: String, verdict: Verdict) {
    let found = ws.views.agreements.iter().find_map(|a| {
        let d = a.declarations.iter().find(|d| d.declaration.record.id == id)?;
        Some((a.agreement.record.clone(), d.declaration.record.clone()))
    });
    let Some((agreement, decl)) = found else { return };
    let provider = ws.name_of(&agreement.provider);
    let amount = decl.amount().map_or_else(|_| "?".to_string(), |a| euros(a, lang));
    let left = ws
        .views
        .budget
        .as_ref()
        .and_then(|b| b.as_ref().ok())
        .and_then(|b| b.report.accounts.get(&agreement.account).map(|f| f.remaining));
    let (what, effect, done) = match &verdict {
        Verdict::Goedgekeurd => (
            format!(
                "{} {provider}: {} × {} = {amount}",
                t.confirm_approve,
                decl.units.normalize(),
                euros(decl.tariff, lang)
            ),
            match (lang, left) {
                (Lang::Nl, Some(l)) => format!(
                    "{amount} wordt als uitgave geboekt tegen de reservering van deze zorgovereenkomst. Nu resterend op de rekening: {}.",
                    euros(l, lang)
                ),
                (Lang::En, Some(l)) => format!(
                    "{amount} is booked as spent against this agreement's reservation. Left in the account now: {}.",
                    euros(l, lang)
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
    ws.ask(Confirm {
        what,
        effect,
        done: done.to_string(),
        step: Box::new(move |v: &mut inwonercloud_vault::Vault| -> Result<(), VaultError> {
            v.judge_declaration(&id, verdict).map(drop)
        }),
    });
}

/// "Zorgovereenkomst met X · from – until", X being the other party.
pub fn agreement_title(
    ws: &Workspace,
    r: &inwonercloud_schemas::Agreement,
    other: &inwonercloud_schemas::PublicKey,
    t: &Texts,
    lang: Lang,
) -> String {
    format!(
        "{} {} · {} – {}",
        t.agreement_with,
        ws.name_of(other),
        widgets::date(r.period_start, lang),
        widgets::date(r.period_end, lang)
    )
}
