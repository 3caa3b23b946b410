//! Mantelzorg: the budget holder's form for an agreement with an informal
//! carer (a family member or a neighbour, on the Marktplaats screen). The
//! carer signs and declares hours on the Overeenkomsten screen, the one
//! providers use; the budget holder approves under Declaraties.

use egui::{RichText, Ui};
use inwonercloud_schemas::{Date, Lang, PublicKey, ServiceUnit, parse_amount};
use rust_decimal::Decimal;

use crate::gui::i18n::Texts;
use crate::gui::widgets::{self, euros};
use crate::gui::workspace::{Confirm, Workspace};

/// The "Afspraak met mantelzorger" card: carer, account (one of
/// `accounts`: id, name and what is left, euro accounts only), kind of
/// help, hourly tariff against the municipality's informal maximum, hours
/// and period; signing reserves tariff × hours.
pub fn agree_form(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang, accounts: &[(String, String, Decimal)]) {
    let me = ws.who.identity;
    let carers: Vec<(PublicKey, String)> = ws
        .views
        .peers
        .iter()
        .filter(|p| inwonercloud_vault::informal::can_be_carer(p, &me))
        .map(|p| (p.identity, p.name.clone()))
        .collect();
    let categories: Vec<inwonercloud_schemas::Category> = ws
        .views
        .catalogue
        .categories
        .iter()
        .filter(|c| c.unit == ServiceUnit::Uur)
        .cloned()
        .collect();
    let max = ws.views.policy.as_ref().and_then(|p| p.record.informal_max_tariff);
    let f = &mut ws.forms.informal;
    let mut sign = false;
    widgets::card(ui, t.informal_title, |ui| {
        ui.label(RichText::new(t.informal_intro).weak());
        if carers.is_empty() {
            ui.label(t.informal_no_carers);
            return;
        }
        if accounts.is_empty() {
            ui.label(t.no_accounts);
            return;
        }
        let idx: Vec<usize> = (0..carers.len()).collect();
        widgets::choice(ui, t.informal_carer, &mut f.carer, &idx, |i| {
            carers.get(i).map(|c| c.1.clone()).unwrap_or_default()
        });
        let idx: Vec<usize> = (0..accounts.len()).collect();
        widgets::choice(ui, t.informal_account, &mut f.account, &idx, |i| {
            accounts
                .get(i)
                .map(|a| format!("{} ({} {})", a.1, euros(a.2, lang), t.left))
                .unwrap_or_default()
        });
        widgets::category_choice(ui, t.informal_category, &mut f.category, &categories, lang);
        widgets::amount_field(ui, t.informal_tariff, &mut f.tariff, lang);
        if let Some(m) = max {
            ui.label(
                RichText::new(format!(
                    "{} {} {}",
                    t.informal_max,
                    euros(m, lang),
                    t.per_unit(ServiceUnit::Uur)
                ))
                .weak(),
            );
            if parse_amount(&f.tariff).is_ok_and(|x| x > m) {
                widgets::warning(ui, t.informal_above_max);
            }
        }
        widgets::amount_field_in(
            ui,
            t.informal_hours,
            &mut f.hours,
            inwonercloud_schemas::Unit::Hours,
            true,
            lang,
        );
        widgets::date_field(ui, t.informal_from, &mut f.from, lang);
        widgets::date_field(ui, t.informal_until, &mut f.until, lang);
        sign = ui.button(t.informal_sign).clicked();
    });
    if !sign {
        return;
    }
    let f = &ws.forms.informal;
    let (Some((carer, carer_name)), Some((account, name, left))) =
        (carers.get(f.carer).cloned(), accounts.get(f.account).cloned())
    else {
        return;
    };
    let category = f.category.clone();
    // Read before asking: the dialog shows what will be signed.
    let parsed = (|| -> Result<(Decimal, Decimal, Date, Date), inwonercloud_vault::VaultError> {
        Ok((
            inwonercloud_schemas::Quantity::euro(parse_amount(&f.tariff)?)?.amount,
            parse_amount(&f.hours)?,
            f.from.trim().parse()?,
            f.until.trim().parse()?,
        ))
    })();
    let (tariff, hours, from, until) = match parsed {
        Ok(p) => p,
        Err(e) => return ws.reject(e),
    };
    ws.ask_then(
        Confirm {
            what: format!(
                "{} {carer_name}: {} · {} × {} {} · {} – {} · {} {name}",
                t.confirm_informal,
                widgets::category(&category, lang),
                hours.normalize(),
                euros(tariff, lang),
                t.per_unit(ServiceUnit::Uur),
                widgets::date(from, lang),
                widgets::date(until, lang),
                t.account
            ),
            effect: super::market::budget_effect(
                t,
                lang,
                t.budget_reserved,
                -(tariff * hours),
                Some(left),
                inwonercloud_schemas::Unit::Euro,
            ),
            done: t.informal_signed.to_string(),
            step: Box::new(move |v: &mut inwonercloud_vault::Vault| {
                v.agree_informal(carer, &account, &category, tariff, hours, from, until)
                    .map(drop)
            }),
        },
        |ws| {
            let f = &mut ws.forms.informal;
            f.tariff.clear();
            f.hours.clear();
        },
    );
}
