//! Catalogus and Overeenkomsten (provider, and an informal carer): publish
//! offerings; sign agreements citizens made; declare delivered units (an
//! informal carer: hours); see what citizens approved or disputed.

use egui::{RichText, Ui};
use inwonercloud_schemas::{Date, Lang, Offering, ProviderDetails, ServiceUnit, Verdict, parse_amount};
use inwonercloud_vault::VaultError;

use crate::gui::i18n::Texts;
use crate::gui::widgets::{self, euros};
use crate::gui::workspace::Workspace;

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
        let idx: Vec<usize> = (0..cats.len()).collect();
        widgets::choice(ui, t.category, &mut f.offer_category, &idx, |i| {
            cats.get(i).map(|c| c.name(lang).to_string()).unwrap_or_default()
        });
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
        widgets::text(ui, t.price, &mut f.offer_price);
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
                category: cats.get(f.offer_category).map(|c| c.code.clone()).unwrap_or_default(),
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
        if ws.act(t.published, |v| v.publish_offering(made?)).is_some() {
            ws.forms.offer_service.clear();
            ws.forms.offer_price.clear();
        }
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
            widgets::text(ui, t.units, &mut f.amount);
            widgets::text(ui, t.from_date, &mut f.text);
            widgets::text(ui, t.until_date_required, &mut f.reasons);
            if ui.button(t.declare).clicked() {
                declare = Some((r.id.clone(), f.amount.clone(), f.text.clone(), f.reasons.clone()));
            }
        });
    }
    if let Some(id) = sign {
        ws.act(t.signed_ok, |v| v.countersign(&id));
    }
    if let Some((id, units, from, until)) = declare
        && ws
            .act(t.declared_ok, |v| {
                let units = parse_amount(&units)?;
                let from: Date = from.trim().parse()?;
                let until: Date = until.trim().parse()?;
                v.declare(&id, units, from, until, "")
            })
            .is_some()
    {
        ws.forms.cards.remove(&id);
    }
}
