//! The screens of an open vault, one module each, plus the menu and the
//! status bar. A screen reads `ws.views` and changes the vault only through
//! [`Workspace::act`] or the network commands.

mod budget;
mod clients;
mod devices;
mod inbox;
mod informal;
mod journal;
mod mandates;
mod market;
mod overview;
mod plan;
pub mod pot;
mod provider;
mod requests;
mod sharing;
mod verification;

use egui::{Color32, RichText, Ui};
use inwonercloud_schemas::Lang;

use super::i18n::Texts;
use super::widgets;
use super::workspace::{Screen, Workspace};

/// The menu on the left.
pub fn nav(ui: &mut Ui, ws: &mut Workspace, t: &Texts) {
    ui.add_space(6.0);
    let mut screens = Screen::for_role(ws.who.role).to_vec();
    // Someone whose certificate says citizen can be another's informal
    // carer too: then she signs and declares on the agreements screen.
    let me = ws.who.identity;
    if !screens.contains(&Screen::Agreements) && ws.views.agreements.iter().any(|a| a.agreement.record.provider == me) {
        screens.push(Screen::Agreements);
    }
    for s in screens {
        let label = s.title(t);
        if ui
            .add_sized([150.0, 28.0], egui::Button::selectable(ws.screen == s, label))
            .clicked()
        {
            ws.screen = s;
            ws.notice = None;
        }
    }
}

/// The bar at the bottom: network and peers.
pub fn status_bar(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    ui.horizontal_wrapped(|ui| {
        match &ws.net {
            None => {
                ui.label(t.net_offline);
            }
            Some(n) => {
                match &n.started {
                    None => ui.label(t.net_starting),
                    // The same 8-character code as "Code van dit apparaat" under Apparaten.
                    Some(Ok((id, _))) => ui.label(format!(
                        "{} · {} {}",
                        t.net_on,
                        t.net_on_device,
                        id.get(..8).unwrap_or(id)
                    )),
                    Some(Err(e)) => widgets::warning(ui, &format!("{}: {e}", t.net_failed)),
                };
                ui.separator();
                ui.label(t.peers_online(n.online(), ws.views.peers.len()));
                for p in n.peers.values() {
                    let (dot, color) = if p.online {
                        ("•", super::theme::ok_color(ui.visuals()))
                    } else {
                        ("•", Color32::GRAY)
                    };
                    ui.label(RichText::new(dot).color(color));
                    let last = p
                        .last_sync
                        .map(|s| widgets::moment(s, lang))
                        .unwrap_or_else(|| "—".into());
                    let mut line = format!("{} ({} {last})", p.name, t.last_sync);
                    if let Some(e) = &p.last_error
                        && !p.online
                    {
                        line.push_str(&format!(" — {e}"));
                    }
                    ui.label(line);
                }
                if n.busy > 0 {
                    ui.spinner();
                    let received: usize = n.peers.values().filter(|p| p.online).map(|p| p.received).sum();
                    if received > 0 {
                        ui.label(t.received_so_far(received));
                    } else {
                        ui.label(t.working);
                    }
                }
            }
        }
        if !ws.views.rejections.is_empty() {
            ui.separator();
            widgets::warning(ui, &t.refused_changes(ws.views.rejections.len()));
        }
        let mut seen = std::collections::BTreeSet::new();
        for r in &ws.views.rejections {
            if let Some(d) = r.equivocating_device
                && seen.insert(d)
            {
                widgets::warning(ui, &t.cloned_device(&d.short(), &r.from));
            }
        }
    });
    if !ws.views.rejections.is_empty() {
        rejections(ui, ws, t, lang);
    }
}

/// The most recent refused changes, newest first, each saying in the
/// reader's language why and what to do.
fn rejections(ui: &mut Ui, ws: &Workspace, t: &Texts, lang: Lang) {
    const SHOWN: usize = 20;
    ui.collapsing(t.rejections_why, |ui| {
        egui::ScrollArea::vertical().max_height(220.0).show(ui, |ui| {
            for r in ws.views.rejections.iter().rev().take(SHOWN) {
                let when = widgets::moment(r.at, lang);
                ui.label(format!(
                    "{when} · {}: {}",
                    r.from,
                    crate::refusal_text::rejection_text(r, lang)
                ));
            }
        });
    });
}

/// The current screen.
pub fn show(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    ui.heading(ws.screen.title(t));
    if let Some(n) = &ws.notice {
        let color = if n.error {
            super::theme::error_color(ui.visuals())
        } else {
            super::theme::ok_color(ui.visuals())
        };
        ui.label(RichText::new(&n.text).color(color));
    }
    ui.add_space(6.0);
    match ws.screen {
        Screen::Clients => clients::show(ui, ws, t, lang),
        Screen::Overview => overview::show(ui, ws, t, lang),
        Screen::Plan => plan::show(ui, ws, t, lang),
        Screen::Budget => budget::show(ui, ws, t, lang),
        Screen::Sharing => sharing::show(ui, ws, t, lang),
        Screen::Devices => devices::show(ui, ws, t, lang),
        Screen::Journal => journal::show(ui, ws, t, lang),
        Screen::Inbox => inbox::show(ui, ws, t, lang),
        Screen::Market => market::show(ui, ws, t, lang),
        Screen::Declarations => market::declarations(ui, ws, t, lang),
        Screen::Catalogue => provider::catalogue(ui, ws, t, lang),
        Screen::Agreements => provider::agreements(ui, ws, t, lang),
        Screen::Verification => verification::show(ui, ws, t, lang),
        Screen::Mandates => mandates::show(ui, ws, t, lang),
        Screen::Pot => pot::show(ui, ws, t, lang),
    }
}

/// For screens about someone else's documents: whose they are.
fn subject_line(ui: &mut Ui, ws: &Workspace, t: &Texts) {
    if ws.subject.is_some() {
        ui.label(RichText::new(format!("{}: {}", t.documents_of, ws.subject_name())).italics());
    }
}
