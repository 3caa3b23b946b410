//! Catalogus and Overeenkomsten (provider, and an informal carer): publish
//! offerings; sign agreements citizens made; declare delivered units (an
//! informal carer: hours); see what citizens approved or disputed.

use egui::{RichText, Ui};
use inwonercloud_schemas::{Date, Lang, Offering, ProviderDetails, ServiceUnit, Verdict, parse_amount};
use inwonercloud_vault::VaultError;

use crate::gui::i18n::Texts;
use crate::gui::widgets::{self, euros};
use crate::gui::workspace::{Confirm, Workspace};

pub fn catalogue(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    let me = ws.who.identity;
    let mine: Vec<_> = ws
        .views
        .offerings
        .iter()
        .filter(|o| o.provider == me)
        .cloned()
        .collect();
    if mine.is_empty() {
        ui.label(t.no_offerings_own);
    }
    for o in &mine {
        let r = &o.offering.record;
        ui.label(format!(
            "{} · {} · {} {} · {}",
            r.service,
            widgets::category(&r.category, lang),
            euros(r.price, lang),
            t.per_unit(r.unit),
            r.region
        ));
        if o.above_max {
            widgets::warning(ui, t.above_max);
        }
    }
    ui.add_space(8.0);
    let cats = ws.views.catalogue.categories.clone();
    let f = &mut ws.forms;
    let mut publish = false;
    widgets::card(ui, t.new_offering, |ui| {
        widgets::text(ui, t.service, &mut f.offer_service);
        widgets::category_choice(ui, t.category, &mut f.offer_category, &cats, lang);
        widgets::choice(
            ui,
            t.unit,
            &mut f.offer_unit,
            &[
                ServiceUnit::Uur,
                ServiceUnit::Dagdeel,
                ServiceUnit::Etmaal,
                ServiceUnit::Product,
            ],
            |u| t.per_unit(u).trim_start_matches("per ").to_string(),
        );
        widgets::amount_field(ui, t.price, &mut f.offer_price, lang);
        widgets::text(ui, t.region, &mut f.offer_region);
        widgets::text(ui, t.availability, &mut f.offer_availability);
        widgets::text(ui, t.description, &mut f.offer_description);
        widgets::text(ui, "KvK", &mut f.offer_kvk);
        widgets::text(ui, "AGB", &mut f.offer_agb);
        publish = ui.button(t.publish).clicked();
    });
    if publish {
        let f = &ws.forms;
        let name = ws.who.name.clone();
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let made = (|| -> Result<Offering, VaultError> {
            Ok(Offering {
                id: String::new(),
                service: f.offer_service.clone(),
                category: f.offer_category.clone(),
                unit: f.offer_unit,
                price: parse_amount(&f.offer_price)?,
                region: f.offer_region.clone(),
                availability: f.offer_availability.clone(),
                description: f.offer_description.clone(),
                provider: ProviderDetails {
                    name,
                    kvk: opt(&f.offer_kvk),
                    agb: opt(&f.offer_agb),
                },
            })
        })();
        let made = match made {
            Ok(o) => o,
            Err(e) => return ws.reject(e),
        };
        let what = format!(
            "{} {} · {} · {} {}",
            t.confirm_offering,
            made.service,
            widgets::category(&made.category, lang),
            euros(made.price, lang),
            t.per_unit(made.unit)
        );
        ws.ask_then(
            Confirm {
                what,
                effect: t.offering_effect.to_string(),
                done: t.published.to_string(),
                step: Box::new(move |v: &mut inwonercloud_vault::Vault| v.publish_offering(made).map(drop)),
            },
            |ws| {
                ws.forms.offer_service.clear();
                ws.forms.offer_price.clear();
            },
        );
    }
}

pub fn agreements(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    // The agreements this vault is the other party of (a provider's, or an
    // informal carer's); one's own as budget holder are under Declaraties.
    let me = ws.who.identity;
    let list: Vec<_> = ws
        .views
        .agreements
        .iter()
        .filter(|a| a.agreement.record.provider == me)
        .cloned()
        .collect();
    if list.is_empty() {
        ui.label(t.no_agreements);
    }
    let mut sign = None;
    let mut declare = None;
    for a in list.iter() {
        let r = &a.agreement.record;
        let title = super::market::agreement_title(ws, r, &r.citizen, t, lang);
        widgets::card(ui, &title, |ui| {
            for s in &r.services {
                let used: rust_decimal::Decimal = a.declarations.iter().map(|d| d.declaration.record.units).sum();
                ui.label(format!(
                    "{} · {} {} {} × {} {}",
                    widgets::category(&s.category, lang),
                    used.normalize(),
                    t.of,
                    s.max_units.normalize(),
                    euros(s.tariff, lang),
                    t.per_unit(s.unit)
                ));
            }
            if !a.countersigned {
                if ui.button(t.sign_agreement).clicked() {
                    sign = Some(r.id.clone());
                }
                return;
            }
            for d in &a.declarations {
                let x = &d.declaration.record;
                let state = match d.approval.as_ref().map(|ap| &ap.record.verdict) {
                    None => t.awaiting_approval.to_string(),
                    Some(Verdict::Goedgekeurd) => t.approved.to_string(),
                    Some(Verdict::Betwist { reason }) => format!("{}: {reason}", t.disputed),
                };
                ui.label(format!(
                    "{} – {}: {} × {} = {} [{state}]",
                    widgets::date(x.period_start, lang),
                    widgets::date(x.period_end, lang),
                    x.units.normalize(),
                    euros(x.tariff, lang),
                    x.amount().map_or_else(|_| "?".to_string(), |a| euros(a, lang))
                ));
            }
            let f = ws.forms.cards.entry(r.id.clone()).or_default();
            ui.label(RichText::new(t.declare_title).strong());
            widgets::amount_field_in(
                ui,
                t.units,
                &mut f.amount,
                inwonercloud_schemas::Unit::Hours,
                true,
                lang,
            );
            widgets::date_field(ui, t.from_date, &mut f.text, lang);
            widgets::date_field(ui, t.until_date_required, &mut f.reasons, lang);
            if ui.button(t.declare).clicked() {
                declare = Some((r.id.clone(), f.amount.clone(), f.text.clone(), f.reasons.clone()));
            }
        });
    }
    if let Some(id) = sign
        && let Some(a) = list.iter().find(|a| a.agreement.record.id == id)
    {
        let r = &a.agreement.record;
        let services: Vec<String> = r
            .services
            .iter()
            .map(|s| {
                format!(
                    "{} · {} × {} {}",
                    widgets::category(&s.category, lang),
                    s.max_units.normalize(),
                    widgets::amount(s.tariff, s.tariff_unit, lang),
                    t.per_unit(s.unit)
                )
            })
            .collect();
        // What the budget holder set aside: every service's units × tariff, per unit of payment.
        let reserved: Vec<String> = r
            .services
            .iter()
            .map(|s| widgets::amount(s.max_units * s.tariff, s.tariff_unit, lang))
            .collect();
        ws.ask(Confirm {
            what: format!(
                "{} {}: {} · {} – {}",
                t.confirm_countersign,
                ws.name_of(&r.citizen),
                services.join("; "),
                widgets::date(r.period_start, lang),
                widgets::date(r.period_end, lang)
            ),
            effect: format!("{} {}.", t.countersign_effect, reserved.join(" + ")),
            done: t.signed_ok.to_string(),
            step: Box::new(move |v: &mut inwonercloud_vault::Vault| v.countersign(&id).map(drop)),
        });
    }
    if let Some((id, units, from, until)) = declare
        && let Some(a) = list.iter().find(|a| a.agreement.record.id == id)
    {
        // Read before asking: the dialog shows what will be signed.
        let parsed = (|| -> Result<(rust_decimal::Decimal, Date, Date), VaultError> {
            Ok((parse_amount(&units)?, from.trim().parse()?, until.trim().parse()?))
        })();
        let (units, from, until) = match parsed {
            Ok(p) => p,
            Err(e) => return ws.reject(e),
        };
        let r = &a.agreement.record;
        let price = r.services.first().map_or_else(
            || "?".to_string(),
            |s| {
                format!(
                    "{} × {} = {}",
                    units.normalize(),
                    widgets::amount(s.tariff, s.tariff_unit, lang),
                    widgets::amount(units * s.tariff, s.tariff_unit, lang)
                )
            },
        );
        let r_id = id.clone();
        ws.ask_then(
            Confirm {
                what: format!(
                    "{} {}: {price} · {} – {}",
                    t.confirm_declare,
                    ws.name_of(&r.citizen),
                    widgets::date(from, lang),
                    widgets::date(until, lang)
                ),
                effect: t.declare_effect.to_string(),
                done: t.declared_ok.to_string(),
                step: Box::new(move |v: &mut inwonercloud_vault::Vault| {
                    v.declare(&id, units, from, until, "").map(drop)
                }),
            },
            move |ws| {
                ws.forms.cards.remove(&r_id);
            },
        );
    }
}
