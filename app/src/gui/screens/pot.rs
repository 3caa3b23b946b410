//! Wijkbudget: the neighbourhood pot as its partners run it. Everyone sees
//! the same dashboard (per organisation room, spent, left and share used;
//! per month, category and kind of support; residents helped) with an alert
//! for an organisation at 90 % of its room. An organisation books support
//! per (pseudonymous) resident and gives room to another; the municipality
//! creates the pot, adds partners, puts the subsidy in and sets rooms. A
//! partner that is also a marketplace provider counts its approved
//! declarations against its room; the owner removes a partner.

use egui::{RichText, Ui};
use inwonercloud_schemas::{Category, Date, Lang, PublicKey, Role, SupportKind, Unit, Verdict, parse_amount};
use inwonercloud_vault::{DeclarationCheck, NewPotSpend, PotDashboard};

use crate::gui::i18n::Texts;
use crate::gui::widgets::{self, euros};
use crate::gui::workspace::{Confirm, Workspace};

/// What the pot screen's forms hold while typed.
#[derive(Debug)]
pub struct PotForm {
    /// Which pot (index among those held).
    pub pot: usize,
    /// Spend: resident pseudonym.
    pub resident: String,
    /// Spend: kind of support.
    pub kind: SupportKind,
    /// Spend: category code.
    pub category: String,
    /// Spend: euros.
    pub amount: String,
    /// Spend: day (empty: today).
    pub date: String,
    /// Spend: note.
    pub note: String,
    /// Rebalance: giving organisation (index; the owner chooses).
    pub from: usize,
    /// Rebalance: receiving organisation (index).
    pub to: usize,
    /// Rebalance: euros.
    pub move_amount: String,
    /// Rebalance: why.
    pub move_note: String,
    /// Subsidy: euros.
    pub fund_amount: String,
    /// Subsidy: note.
    pub fund_note: String,
    /// Room: organisation (index).
    pub room_org: usize,
    /// Room: euros.
    pub room_amount: String,
    /// New partner: peer (index among providers not yet partners).
    pub partner: usize,
    /// Marketplace: which approved declaration to count (index).
    pub declaration: usize,
    /// Remove a partner: which (index among current partners).
    pub remove_org: usize,
    /// Remove a partner: why.
    pub remove_reason: String,
    /// New pot: name.
    pub new_name: String,
    /// New pot: first day.
    pub new_from: String,
    /// New pot: last day.
    pub new_to: String,
}

impl Default for PotForm {
    fn default() -> Self {
        Self {
            pot: 0,
            resident: String::new(),
            kind: SupportKind::Individual,
            category: String::new(),
            amount: String::new(),
            date: String::new(),
            note: String::new(),
            from: 0,
            to: 0,
            move_amount: String::new(),
            move_note: String::new(),
            fund_amount: String::new(),
            fund_note: String::new(),
            room_org: 0,
            room_amount: String::new(),
            partner: 0,
            declaration: 0,
            remove_org: 0,
            remove_reason: String::new(),
            new_name: String::new(),
            new_from: String::new(),
            new_to: String::new(),
        }
    }
}

/// The Wijkbudget screen.
pub fn show(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    let pots = ws.views.pots.clone();
    let me = ws.who.identity;
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        if pots.is_empty() {
            ui.label(t.pot_none);
        } else {
            if pots.len() > 1 {
                let idx: Vec<usize> = (0..pots.len()).collect();
                widgets::choice(ui, t.pot_choose, &mut ws.forms.pot.pot, &idx, |i| {
                    pots.get(i).map(|p| p.name.clone()).unwrap_or_default()
                });
            }
            let d = &pots[ws.forms.pot.pot.min(pots.len() - 1)];
            dashboard(ui, d, t, lang);
            let partner = d.organisation(&me).is_some_and(|o| !o.removed) && d.owner != me;
            if partner {
                spend_form(ui, ws, d, t, lang);
                market_form(ui, ws, d, t, lang);
            }
            if partner || d.owner == me {
                rebalance_form(ui, ws, d, t, lang);
            }
            if d.owner == me {
                owner_forms(ui, ws, d, t, lang);
            }
        }
        if ws.who.role != Role::Citizen && ws.who.role != Role::Family {
            create_form(ui, ws, t);
        }
    });
}

fn dashboard(ui: &mut Ui, d: &PotDashboard, t: &Texts, lang: Lang) {
    let e = |x| euros(x, lang);
    ui.label(RichText::new(&d.name).strong().size(18.0));
    let period = match (d.period_start, d.period_end) {
        (Some(s), Some(u)) => format!("{} – {}", widgets::date(s, lang), widgets::date(u, lang)),
        _ => String::new(),
    };
    ui.label(format!(
        "{}: {} · {}: {period}",
        t.pot_owner, d.owner_name, t.pot_period
    ));
    for o in &d.organisations {
        if o.removed {
            ui.label(format!("{} {}", o.name, t.pot_removed));
        }
        if o.over {
            widgets::warning(ui, &format!("{} {}", o.name, t.pot_over));
        } else if o.alert {
            widgets::warning(ui, &format!("{} {}", o.name, t.pot_alert));
        }
    }
    ui.horizontal_wrapped(|ui| {
        for (label, value) in [
            (t.pot_funded, e(d.funded)),
            (t.pot_assigned, e(d.assigned)),
            (t.pot_unassigned, e(d.unassigned)),
            (t.pot_spent, e(d.spent)),
            (t.pot_left, e(d.left)),
            (t.pot_residents, d.residents.to_string()),
        ] {
            // One piece that moves to the next line whole: never "€" at the
            // end of a line and the amount on the next (non-breaking spaces).
            let mut pair = egui::text::LayoutJob::default();
            let (style, font, align) = (ui.style(), || egui::FontSelection::Default, egui::Align::Center);
            RichText::new(format!("{label}:\u{a0}").replace(' ', "\u{a0}")).append_to(&mut pair, style, font(), align);
            RichText::new(value.replace(' ', "\u{a0}"))
                .monospace()
                .strong()
                .append_to(&mut pair, style, font(), align);
            ui.label(pair);
            ui.add_space(12.0);
        }
    });
    ui.add_space(6.0);
    // Wide tables scroll sideways inside the window, never past its edge.
    widgets::wide(ui, "pot-orgs", |ui| {
        egui::Grid::new(("pot-orgs", &d.doc)).striped(true).show(ui, |ui| {
            for h in [
                t.pot_org,
                t.pot_room,
                t.pot_rebalanced,
                t.pot_spent,
                t.pot_left,
                t.pot_used,
                t.pot_residents,
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for o in &d.organisations {
                ui.label(&o.name);
                ui.label(e(o.room));
                ui.label(e(o.rebalanced));
                ui.label(e(o.spent));
                if o.over {
                    widgets::warning(ui, &e(o.left));
                } else {
                    ui.label(e(o.left));
                }
                let pct = o.percent.map_or_else(
                    || "–".to_string(),
                    |p| match lang {
                        Lang::Nl => format!("{p} %").replace('.', ","),
                        Lang::En => format!("{p} %"),
                    },
                );
                if o.alert || o.over {
                    widgets::warning(ui, &pct);
                } else {
                    ui.label(pct);
                }
                ui.label(o.residents.to_string());
                ui.end_row();
            }
        });
    });
    ui.add_space(6.0);
    egui::CollapsingHeader::new(t.pot_per_month)
        .id_salt("pot-month")
        .default_open(true)
        .show(ui, |ui| {
            widgets::wide(ui, "pot-month-scroll", |ui| {
                egui::Grid::new(("pot-month", &d.doc)).striped(true).show(ui, |ui| {
                    ui.label(RichText::new(t.pot_month).strong());
                    for o in &d.organisations {
                        ui.label(RichText::new(&o.name).strong());
                    }
                    ui.label(RichText::new(t.pot_total).strong());
                    ui.end_row();
                    for (m, per) in &d.per_month_org {
                        ui.label(t.month_words(m));
                        for o in &d.organisations {
                            ui.label(e(per.get(&o.name).copied().unwrap_or_default()));
                        }
                        ui.label(e(d.per_month.get(m).copied().unwrap_or_default()));
                        ui.end_row();
                    }
                });
            });
        });
    ui.columns(2, |cols| {
        cols[0].label(RichText::new(t.pot_per_category).strong());
        for (c, x) in &d.per_category {
            cols[0].label(format!("{}: {}", widgets::category(c, lang), e(*x)));
        }
        cols[1].label(RichText::new(t.pot_per_kind).strong());
        for (k, x) in &d.per_kind {
            cols[1].label(format!("{}: {}", k.label(lang), e(*x)));
        }
    });
    let market: Vec<_> = d.spends.iter().filter(|s| s.spend.declaration.is_some()).collect();
    if !market.is_empty() {
        egui::CollapsingHeader::new(t.pot_market_title)
            .id_salt("pot-market")
            .show(ui, |ui| {
                for o in d.organisations.iter().filter(|o| !o.marketplace.is_zero()) {
                    ui.label(format!("{}: {} {}", o.name, t.pot_market_share, e(o.marketplace)));
                }
                for s in market {
                    let how = match s.declaration {
                        Some(DeclarationCheck::Verified) => t.pot_market_checked,
                        _ => t.pot_market_trusted,
                    };
                    ui.add(
                        egui::Label::new(format!(
                            "{} · {} · {} · {}: {} — {how}",
                            widgets::date(s.spend.date, lang),
                            s.organisation_name,
                            s.spend.resident,
                            widgets::category(&s.spend.category, lang),
                            e(s.spend.amount)
                        ))
                        .wrap(),
                    );
                }
            });
    }
    for s in d.spends.iter().filter(|s| !s.uncovered.is_zero()) {
        widgets::warning(
            ui,
            &format!(
                "{} · {} · {}: {} {}",
                s.organisation_name,
                widgets::date(s.spend.date, lang),
                s.spend.resident,
                e(s.uncovered),
                t.pot_uncovered
            ),
        );
    }
    if !d.rebalances.is_empty() {
        egui::CollapsingHeader::new(t.pot_rebalances)
            .id_salt("pot-rebalances")
            .show(ui, |ui| {
                for r in &d.rebalances {
                    ui.label(format!(
                        "{} · {} {} {}: {} ({} {}) {}",
                        widgets::date(r.rebalance.date, lang),
                        r.from_name,
                        t.pot_to.to_lowercase(),
                        r.to_name,
                        e(r.rebalance.amount),
                        t.pot_signed_by,
                        r.signed_by,
                        r.rebalance.note
                    ));
                }
            });
    }
    if !d.not_counted.is_empty() {
        egui::CollapsingHeader::new(t.pot_not_counted)
            .id_salt("pot-not-counted")
            .show(ui, |ui| {
                for n in &d.not_counted {
                    ui.add(egui::Label::new(format!("{} {} ({}): {}", n.kind, n.id, n.signer, n.why)).wrap());
                }
            });
    }
    ui.add_space(8.0);
}

/// The categories a spend in pot `d` may take, as (code, name): the pot's
/// own first — the municipality's codes its partners book (e.g.
/// `jongerenwerk`), the same on every partner's screen — then the pgb
/// catalogue's.
fn pot_categories(d: &PotDashboard, catalogue: &[Category], lang: Lang) -> Vec<(String, String)> {
    let name = |code: &str| match catalogue.iter().find(|c| c.code == code) {
        Some(c) => c.name(lang).to_string(),
        None => {
            // A code of the pot's own, in words with a capital: "Schuldhulp preventie".
            let words = widgets::category(code, lang);
            let mut chars = words.chars();
            chars
                .next()
                .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
        }
    };
    let mut out: Vec<(String, String)> = d.per_category.keys().map(|c| (c.clone(), name(c))).collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    for c in catalogue {
        if !out.iter().any(|(code, _)| code == &c.code) {
            out.push((c.code.clone(), c.name(lang).to_string()));
        }
    }
    out
}

fn spend_form(ui: &mut Ui, ws: &mut Workspace, d: &PotDashboard, t: &Texts, lang: Lang) {
    let categories = pot_categories(d, &ws.views.catalogue.categories, lang);
    let f = &mut ws.forms.pot;
    let mut book = false;
    widgets::card(ui, t.pot_spend_title, |ui| {
        widgets::text(ui, t.pot_resident, &mut f.resident);
        widgets::choice(ui, t.pot_kind, &mut f.kind, &SupportKind::ALL, |k| {
            k.label(lang).to_string()
        });
        widgets::named_choice(ui, t.pot_category, &mut f.category, &categories);
        widgets::amount_field(ui, t.pot_amount, &mut f.amount, lang);
        widgets::date_field(ui, t.pot_date, &mut f.date, lang);
        widgets::text(ui, t.pot_note, &mut f.note);
        book = ui.button(t.pot_book).clicked();
    });
    if !book {
        return;
    }
    let (resident, kind, category, amount, date, note) = (
        f.resident.clone(),
        f.kind,
        f.category.clone(),
        f.amount.clone(),
        f.date.clone(),
        f.note.clone(),
    );
    let pot = d.doc.clone();
    // Read before asking: the dialog shows what will be signed.
    let parsed = (|| -> Result<(Date, rust_decimal::Decimal), inwonercloud_vault::VaultError> {
        let date = match date.trim() {
            "" => Date::today(),
            s => s.parse()?,
        };
        Ok((
            date,
            inwonercloud_schemas::Quantity::euro(parse_amount(&amount)?)?.amount,
        ))
    })();
    let (date, amount) = match parsed {
        Ok(p) => p,
        Err(e) => return ws.reject(e),
    };
    let me = ws.who.identity;
    ws.ask_then(
        Confirm {
            what: format!(
                "{} {resident}: {} · {} · {} · {}",
                t.pot_confirm_spend,
                kind.label(lang),
                widgets::category(&category, lang),
                euros(amount, lang),
                widgets::date(date, lang)
            ),
            effect: room_effect(d, me, -amount, t, lang),
            done: t.pot_booked.to_string(),
            step: Box::new(move |v: &mut inwonercloud_vault::Vault| {
                v.pot_spend(
                    &pot,
                    NewPotSpend {
                        resident,
                        kind,
                        category,
                        amount,
                        date,
                        note,
                    },
                )
                .map(drop)
            }),
        },
        |ws| {
            let f = &mut ws.forms.pot;
            f.resident.clear();
            f.amount.clear();
            f.note.clear();
        },
    );
}

/// What a step does to an organisation's room: "Nu over in de ruimte van
/// Buurtteam: € 100,00; daarna: € 75,00."
fn room_effect(d: &PotDashboard, org: PublicKey, change: rust_decimal::Decimal, t: &Texts, lang: Lang) -> String {
    d.organisation(&org).map_or_else(String::new, |o| {
        format!(
            "{} {}: {}; {}: {}.",
            t.pot_room_left_now,
            o.name,
            euros(o.left, lang),
            t.pot_then,
            euros(o.left + change, lang)
        )
    })
}

/// A provider's approved euro declarations not yet counted in this pot,
/// each to be counted against its room with one click.
fn market_form(ui: &mut Ui, ws: &mut Workspace, d: &PotDashboard, t: &Texts, lang: Lang) {
    let me = ws.who.identity;
    let counted: Vec<&str> = d
        .spends
        .iter()
        .filter_map(|s| s.spend.declaration.as_ref().map(|r| r.id.as_str()))
        .collect();
    let mut candidates: Vec<(Date, String, String, rust_decimal::Decimal)> = ws
        .views
        .agreements
        .iter()
        .filter(|a| a.agreement.record.provider == me)
        .flat_map(|a| a.declarations.iter())
        .filter(|x| {
            let r = &x.declaration.record;
            r.tariff_unit == Unit::Euro
                && x.approval
                    .as_ref()
                    .is_some_and(|p| p.record.verdict == Verdict::Goedgekeurd)
                && !counted.contains(&r.id.as_str())
        })
        .map(|x| {
            let r = &x.declaration.record;
            let amount = r.amount().map(|a| euros(a, lang)).unwrap_or_default();
            let label = format!(
                "{} – {} · {} · {amount}",
                widgets::date(r.period_start, lang),
                widgets::date(r.period_end, lang),
                widgets::category(&r.category, lang)
            );
            (r.period_end, r.id.clone(), label, r.amount().unwrap_or_default())
        })
        .collect();
    candidates.sort();
    let f = &mut ws.forms.pot;
    let mut book = false;
    widgets::card(ui, t.pot_market_title, |ui| {
        ui.label(t.pot_market_help);
        if candidates.is_empty() {
            ui.label(t.pot_market_none);
            return;
        }
        let idx: Vec<usize> = (0..candidates.len()).collect();
        widgets::choice(ui, t.pot_market_pick, &mut f.declaration, &idx, |i| {
            candidates.get(i).map(|c| c.2.clone()).unwrap_or_default()
        });
        book = ui.button(t.pot_market_book).clicked();
    });
    let Some((_, id, label, amount)) = candidates.get(ws.forms.pot.declaration).cloned().filter(|_| book) else {
        return;
    };
    let pot = d.doc.clone();
    ws.ask_then(
        Confirm {
            what: format!("{} {label}", t.pot_confirm_market),
            effect: room_effect(d, me, -amount, t, lang),
            done: t.pot_market_booked.to_string(),
            step: Box::new(move |v: &mut inwonercloud_vault::Vault| v.pot_spend_declaration(&pot, &id, "").map(drop)),
        },
        |ws| ws.forms.pot.declaration = 0,
    );
}

fn rebalance_form(ui: &mut Ui, ws: &mut Workspace, d: &PotDashboard, t: &Texts, lang: Lang) {
    let me = ws.who.identity;
    let orgs: Vec<(PublicKey, String)> = d
        .organisations
        .iter()
        .map(|o| (o.organisation, o.name.clone()))
        .collect();
    if orgs.len() < 2 {
        return;
    }
    let owner = d.owner == me;
    let f = &mut ws.forms.pot;
    let mut go = false;
    widgets::card(ui, t.pot_rebalance_title, |ui| {
        let idx: Vec<usize> = (0..orgs.len()).collect();
        if owner {
            widgets::choice(ui, t.pot_from, &mut f.from, &idx, |i| {
                orgs.get(i).map(|o| o.1.clone()).unwrap_or_default()
            });
        }
        widgets::choice(ui, t.pot_to, &mut f.to, &idx, |i| {
            orgs.get(i).map(|o| o.1.clone()).unwrap_or_default()
        });
        widgets::amount_field(ui, t.pot_move_amount, &mut f.move_amount, lang);
        widgets::text(ui, t.pot_move_note, &mut f.move_note);
        go = ui.button(t.pot_rebalance).clicked();
    });
    if !go {
        return;
    }
    let from = if owner { orgs.get(f.from).map(|o| o.0) } else { Some(me) };
    let (Some(from), Some(to)) = (from, orgs.get(f.to).map(|o| o.0)) else {
        return;
    };
    let (note, pot) = (f.move_note.clone(), d.doc.clone());
    let amount = match parse_amount(&f.move_amount) {
        Ok(a) => a,
        Err(e) => return ws.reject(e),
    };
    let name = |k: PublicKey| orgs.iter().find(|o| o.0 == k).map(|o| o.1.clone()).unwrap_or_default();
    ws.ask_then(
        Confirm {
            what: format!(
                "{} {} {} {}: {}",
                t.pot_confirm_rebalance,
                name(from),
                t.pot_to.to_lowercase(),
                name(to),
                euros(amount, lang)
            ),
            effect: format!(
                "{} {}",
                room_effect(d, from, -amount, t, lang),
                room_effect(d, to, amount, t, lang)
            ),
            done: t.pot_rebalanced_ok.to_string(),
            step: Box::new(move |v: &mut inwonercloud_vault::Vault| {
                v.pot_rebalance(&pot, from, to, amount, &note).map(drop)
            }),
        },
        |ws| {
            ws.forms.pot.move_amount.clear();
            ws.forms.pot.move_note.clear();
        },
    );
}

fn owner_forms(ui: &mut Ui, ws: &mut Workspace, d: &PotDashboard, t: &Texts, lang: Lang) {
    let pot = d.doc.clone();
    // Subsidy.
    let f = &mut ws.forms.pot;
    let mut fund = false;
    widgets::card(ui, t.pot_fund_title, |ui| {
        widgets::amount_field(ui, t.pot_fund_amount, &mut f.fund_amount, lang);
        widgets::text(ui, t.pot_fund_note, &mut f.fund_note);
        fund = ui.button(t.pot_fund).clicked();
    });
    if fund {
        let note = f.fund_note.clone();
        match parse_amount(&f.fund_amount) {
            Err(e) => ws.reject(e),
            Ok(amount) => {
                let pot = pot.clone();
                ws.ask_then(
                    Confirm {
                        what: format!("{} {} · {}", t.pot_confirm_fund, euros(amount, lang), d.name),
                        effect: format!(
                            "{}: {}; {}: {}.",
                            t.pot_unassigned,
                            euros(d.unassigned, lang),
                            t.pot_then,
                            euros(d.unassigned + amount, lang)
                        ),
                        done: t.pot_funded_ok.to_string(),
                        step: Box::new(move |v: &mut inwonercloud_vault::Vault| {
                            v.pot_fund(&pot, amount, Date::today(), &note).map(drop)
                        }),
                    },
                    |ws| ws.forms.pot.fund_amount.clear(),
                );
            }
        }
    }
    // Rooms.
    let orgs: Vec<(PublicKey, String)> = d
        .organisations
        .iter()
        .map(|o| (o.organisation, o.name.clone()))
        .collect();
    if !orgs.is_empty() {
        let f = &mut ws.forms.pot;
        let mut set = false;
        widgets::card(ui, t.pot_room_title, |ui| {
            let idx: Vec<usize> = (0..orgs.len()).collect();
            widgets::choice(ui, t.pot_org, &mut f.room_org, &idx, |i| {
                orgs.get(i).map(|o| o.1.clone()).unwrap_or_default()
            });
            widgets::amount_field_in(ui, t.pot_room_amount, &mut f.room_amount, Unit::Euro, false, lang);
            set = ui.button(t.pot_set_room).clicked();
        });
        if let (true, Some((org, name))) = (set, orgs.get(f.room_org).cloned()) {
            match parse_amount(&f.room_amount) {
                Err(e) => ws.reject(e),
                Ok(amount) => {
                    let pot = pot.clone();
                    let now = d
                        .organisation(&org)
                        .map_or(rust_decimal::Decimal::ZERO, |o| o.base_room);
                    ws.ask_then(
                        Confirm {
                            what: format!("{} {name}: {}", t.pot_confirm_room, euros(amount, lang)),
                            effect: format!(
                                "{}: {}; {}: {}. {}",
                                t.pot_room,
                                euros(now, lang),
                                t.pot_then,
                                euros(amount, lang),
                                room_effect(d, org, amount - now, t, lang)
                            ),
                            done: t.pot_room_set.to_string(),
                            step: Box::new(move |v: &mut inwonercloud_vault::Vault| {
                                v.pot_set_room(&pot, org, amount, "").map(drop)
                            }),
                        },
                        |ws| ws.forms.pot.room_amount.clear(),
                    );
                }
            }
        }
    }
    // Partners: providers this vault knows that are not partners yet.
    let candidates: Vec<(PublicKey, String)> = ws
        .views
        .peers
        .iter()
        .filter(|p| p.role == Role::Provider && d.organisation(&p.identity).is_none())
        .map(|p| (p.identity, p.name.clone()))
        .collect();
    let f = &mut ws.forms.pot;
    let mut add = false;
    widgets::card(ui, t.pot_partner_title, |ui| {
        if candidates.is_empty() {
            ui.label(t.pot_partner_none);
            return;
        }
        let idx: Vec<usize> = (0..candidates.len()).collect();
        widgets::choice(ui, t.pot_org, &mut f.partner, &idx, |i| {
            candidates.get(i).map(|c| c.1.clone()).unwrap_or_default()
        });
        add = ui.button(t.pot_add_partner).clicked();
    });
    if let (true, Some((org, name))) = (add, candidates.get(f.partner).cloned()) {
        // A write consent on the pot: the organisation books in it from now on.
        let pot = pot.clone();
        ws.ask_then(
            Confirm {
                what: format!("{} {name}", t.pot_confirm_partner),
                effect: t.pot_partner_effect(&name),
                done: t.pot_partner_added.to_string(),
                step: Box::new(move |v: &mut inwonercloud_vault::Vault| v.pot_add_partner(&pot, org, &name).map(drop)),
            },
            |ws| ws.forms.pot.partner = 0,
        );
    }
    // Remove a partner: its spends so far keep counting.
    let current: Vec<(PublicKey, String)> = d
        .organisations
        .iter()
        .filter(|o| !o.removed)
        .map(|o| (o.organisation, o.name.clone()))
        .collect();
    if current.is_empty() {
        return;
    }
    let f = &mut ws.forms.pot;
    let mut remove = false;
    widgets::card(ui, t.pot_remove_title, |ui| {
        let idx: Vec<usize> = (0..current.len()).collect();
        widgets::choice(ui, t.pot_org, &mut f.remove_org, &idx, |i| {
            current.get(i).map(|c| c.1.clone()).unwrap_or_default()
        });
        widgets::text(ui, t.pot_remove_reason, &mut f.remove_reason);
        remove = ui.button(t.pot_remove).clicked();
    });
    if let (true, Some((org, name))) = (remove, current.get(f.remove_org).cloned()) {
        let reason = f.remove_reason.clone();
        ws.ask_then(
            Confirm {
                what: format!("{} {name} ({reason})", t.pot_confirm_remove),
                effect: t.pot_remove_effect.to_string(),
                done: t.pot_partner_removed.to_string(),
                step: Box::new(move |v: &mut inwonercloud_vault::Vault| {
                    v.pot_remove_partner(&pot, org, &reason).map(drop)
                }),
            },
            |ws| {
                ws.forms.pot.remove_org = 0;
                ws.forms.pot.remove_reason.clear();
            },
        );
    }
}

fn create_form(ui: &mut Ui, ws: &mut Workspace, t: &Texts) {
    let f = &mut ws.forms.pot;
    let mut create = false;
    egui::CollapsingHeader::new(t.pot_create_title)
        .id_salt("pot-create")
        .show(ui, |ui| {
            widgets::text(ui, t.pot_name, &mut f.new_name);
            widgets::date_field(ui, t.pot_start, &mut f.new_from, t.lang);
            widgets::date_field(ui, t.pot_end, &mut f.new_to, t.lang);
            create = ui.button(t.pot_create).clicked();
        });
    if !create {
        return;
    }
    let name = f.new_name.trim().to_string();
    let dates = f
        .new_from
        .trim()
        .parse::<Date>()
        .and_then(|from| Ok((from, f.new_to.trim().parse::<Date>()?)));
    let (from, to) = match dates {
        Ok(d) => d,
        Err(e) => return ws.reject(e),
    };
    ws.ask_then(
        Confirm {
            what: format!(
                "{} {name} ({} – {})",
                t.pot_confirm_create,
                widgets::date(from, t.lang),
                widgets::date(to, t.lang)
            ),
            effect: t.pot_create_effect.to_string(),
            done: t.pot_created.to_string(),
            step: Box::new(move |v: &mut inwonercloud_vault::Vault| v.create_pot(&name, from, to).map(drop)),
        },
        |ws| ws.forms.pot.new_name.clear(),
    );
}
