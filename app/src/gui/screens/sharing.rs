//! Delen: who sees what (consents, with revoke), invites with QR code and
//! copyable text, joining with someone's ticket, peers, and the access log.

use egui::{RichText, Ui};
use inwonercloud_schemas::{Access, DocKind, Lang, Role};
use inwonercloud_vault::consent::INVITE_TTL;
use inwonercloud_vault::trust::{TrustSource, fingerprint};
use inwonercloud_vault::{Direction, InviteSpec};

use crate::gui::i18n::Texts;
use crate::gui::network::NetCmd;
use crate::gui::widgets;
use crate::gui::workspace::{Confirm, Workspace};

pub fn show(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    consents(ui, ws, t, lang);
    ui.add_space(8.0);
    invite(ui, ws, t, lang);
    ui.add_space(8.0);
    join(ui, ws, t);
    ui.add_space(8.0);
    peers(ui, ws, t, lang);
    ui.add_space(8.0);
    trusted(ui, ws, t);
    ui.add_space(8.0);
    access_log(ui, ws, t, lang);
}

/// The municipality keys trusted here, with pin and unpin.
fn trusted(ui: &mut Ui, ws: &mut Workspace, t: &Texts) {
    let mut pin = None;
    let mut unpin = None;
    widgets::card(ui, t.trusted_title, |ui| {
        ui.label(RichText::new(t.trusted_help).weak());
        if ws.views.trusted.is_empty() {
            ui.label(t.no_trusted);
        }
        egui::Grid::new("trusted").striped(true).num_columns(4).show(ui, |ui| {
            for (k, src) in &ws.views.trusted {
                ui.label(ws.name_of(k));
                ui.label(RichText::new(fingerprint(k)).monospace());
                ui.label(match src {
                    TrustSource::Own => t.trust_own,
                    TrustSource::Consent => t.trust_consent,
                    TrustSource::Pinned => t.trust_pinned,
                });
                if *src == TrustSource::Pinned && ui.button(t.untrust_button).clicked() {
                    unpin = Some(*k);
                }
                ui.end_row();
            }
            for p in ws
                .views
                .peers
                .iter()
                .filter(|p| !ws.views.trusted.contains_key(&p.identity))
            {
                ui.label(&p.name);
                ui.label(RichText::new(fingerprint(&p.identity)).monospace());
                ui.label("");
                if ui
                    .button(t.trust_button)
                    .on_hover_text(format!("{} {}", t.trust_button, p.name))
                    .clicked()
                {
                    pin = Some((p.identity, p.name.clone()));
                }
                ui.end_row();
            }
        });
    });
    if let Some((k, name)) = pin {
        ws.act(&format!("{} {name}", t.trusted_now), |v| v.pin_municipality(k, &name));
    }
    if let Some(k) = unpin {
        let name = ws.name_of(&k);
        ws.act(&format!("{} {name}", t.untrusted_now), |v| {
            v.unpin_municipality(&k).map(|_| ())
        });
    }
}

/// The short name of a document id (`<owner>/plan` → plan).
pub fn doc_name(id: &str, t: &Texts) -> String {
    let kind = id.split('/').nth(1).unwrap_or(id);
    t.doc_kind(kind).to_string()
}

fn consents(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    let mut revoke = None;
    widgets::card(ui, t.who_sees_what, |ui| {
        if ws.views.consents.is_empty() {
            ui.label(t.no_consents);
            return;
        }
        widgets::wide(ui, "consents-scroll", |ui| {
            egui::Grid::new("consents").striped(true).num_columns(7).show(ui, |ui| {
                for h in [t.who, t.role, t.documents, t.access, t.until, t.status, ""] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for c in &ws.views.consents {
                    let r = &c.consent.record;
                    ui.label(&r.grantee_name);
                    ui.label(r.role.label(lang));
                    ui.label(
                        r.documents
                            .iter()
                            .map(|d| doc_name(d, t))
                            .collect::<Vec<_>>()
                            .join(", "),
                    );
                    ui.label(match r.access {
                        Access::Read => t.read,
                        Access::Write => t.write,
                    });
                    ui.label(
                        r.valid_until
                            .map(|d| widgets::date(d, lang))
                            .unwrap_or_else(|| "—".into()),
                    );
                    if c.active {
                        ui.label(t.active);
                        if ui
                            .button(t.revoke)
                            .on_hover_text(format!("{} {}", t.revoke, r.grantee_name))
                            .clicked()
                        {
                            revoke = Some((r.id.clone(), r.grantee_name.clone()));
                        }
                    } else {
                        ui.label(t.revoked);
                        ui.label("");
                    }
                    ui.end_row();
                }
            });
        });
        widgets::text(ui, t.revoke_reason, &mut ws.forms.revoke_reason);
        ui.label(RichText::new(t.revoke_note).weak());
    });
    if let Some((id, name)) = revoke {
        let reason = ws.forms.revoke_reason.clone();
        let effect = t.consent_revoke_effect(&name);
        ws.ask(Confirm {
            what: format!("{} {name}", t.confirm_revoke),
            effect,
            done: format!("{} {name}", t.revoked_for),
            step: Box::new(move |v: &mut inwonercloud_vault::Vault| v.revoke_consent(&id, &reason)),
        });
    }
}

fn invite(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    let mut send = None;
    let provider = ws.who.role == Role::Provider;
    widgets::card(ui, t.invite_title, |ui| {
        let f = &mut ws.forms;
        widgets::text(ui, t.invite_whom, &mut f.invite_name);
        // A provider holds no plan or budget; it invites citizens to its catalogue.
        let roles: &[Role] = if provider {
            &[Role::Citizen, Role::Municipality, Role::Provider, Role::Counselor]
        } else {
            &[Role::Counselor, Role::Family, Role::Provider, Role::Municipality]
        };
        widgets::choice(ui, t.role, &mut f.invite_role, roles, |r| r.label(lang).into());
        ui.horizontal_wrapped(|ui| {
            ui.label(t.documents);
            if provider {
                ui.checkbox(&mut f.invite_catalogue, t.doc_kind("catalogue"));
            } else {
                ui.checkbox(&mut f.invite_plan, t.doc_kind("plan"));
                ui.checkbox(&mut f.invite_budget, t.doc_kind("budget"));
            }
            ui.checkbox(&mut f.invite_profile, t.doc_kind("profile"));
            ui.checkbox(&mut f.invite_journal, t.doc_kind("journal"));
        });
        ui.checkbox(&mut f.invite_write, t.may_write);
        widgets::date_field(ui, t.until_date, &mut f.invite_until, lang);
        widgets::text(ui, t.purpose, &mut f.invite_purpose);
        if ui.button(t.make_invite).clicked() {
            send = Some(());
        }
    });
    if send.is_some() {
        let f = &ws.forms;
        let mut documents = Vec::new();
        for (on, kind) in [
            (f.invite_plan && !provider, DocKind::Plan),
            (f.invite_budget && !provider, DocKind::Budget),
            (f.invite_catalogue && provider, DocKind::Catalogue),
            (f.invite_profile, DocKind::Profile),
            (f.invite_journal, DocKind::Journal),
        ] {
            if on {
                documents.push(ws.vault.lock().doc_id(kind));
            }
        }
        let until = f.invite_until.trim();
        let valid_until = if until.is_empty() {
            None
        } else {
            match until.parse() {
                Ok(d) => Some(d),
                Err(e) => {
                    let e: inwonercloud_schemas::SchemaError = e;
                    ws.fail(crate::error_text::schema_error_text(&e, lang));
                    return;
                }
            }
        };
        if documents.is_empty() {
            ws.fail(t.choose_documents.into());
            return;
        }
        let spec = InviteSpec {
            role: f.invite_role,
            documents,
            access: if f.invite_write { Access::Write } else { Access::Read },
            valid_until,
            purpose: f.invite_purpose.clone(),
            name_hint: f.invite_name.clone(),
            device: false,
        };
        ws.ticket = None;
        ws.net(NetCmd::Invite(spec, INVITE_TTL), t);
    }
    ticket(ui, ws, t);
}

/// Shows the last ticket made: QR code, the text, and a copy button.
pub fn ticket(ui: &mut Ui, ws: &mut Workspace, t: &Texts) {
    let Some(ticket) = ws.ticket.clone() else { return };
    let own = ws.who.identity;
    let mut picture = None;
    widgets::card(ui, t.ticket_title, |ui| {
        ui.label(t.ticket_help);
        ui.label(t.your_fingerprint);
        ui.horizontal(|ui| {
            // Also as a QR code, for the other side to scan and compare.
            widgets::qr(ui, &fingerprint(&own), 2.0);
            ui.label(RichText::new(fingerprint(&own)).monospace().strong());
        });
        ui.horizontal(|ui| {
            widgets::qr(ui, &ticket, 3.0);
            ui.vertical(|ui| {
                let mut shown = ticket.clone();
                let l = ui.label(t.ticket_text);
                ui.add(
                    egui::TextEdit::multiline(&mut shown)
                        .desired_rows(4)
                        .desired_width(420.0)
                        .font(egui::TextStyle::Monospace),
                )
                .labelled_by(l.id);
                if ui.button(t.copy).clicked() {
                    ui.ctx().copy_text(ticket.clone());
                }
                // As a picture, to send to one's other device or print.
                picture = crate::gui::files::pick_button(ui, t, t.qr_save, "ticket-qr-save", || {
                    crate::gui::files::FilePicker::save_as(&["png"], "", t.qr_file_name)
                });
            });
        });
    });
    if let Some(path) = picture {
        match crate::gui::files::save_qr(&ticket, &path) {
            Ok(()) => ws.inform(format!("{} {}", t.qr_saved, path.display())),
            Err(e) => ws.fail(format!("{}: {} ({e})", t.file_not_written, path.display())),
        }
    }
}

fn join(ui: &mut Ui, ws: &mut Workspace, t: &Texts) {
    let mut go = false;
    let mut sync = false;
    let mut picture = None;
    widgets::card(ui, t.join_title, |ui| {
        ui.label(t.join_help);
        widgets::text(ui, t.ticket_text, &mut ws.forms.join_ticket);
        picture = crate::gui::files::pick_button(ui, t, t.qr_pick, "sharing-join-qr", || {
            crate::gui::files::FilePicker::new(crate::gui::files::Kind::open(crate::gui::files::PICTURES), "")
        });
        ui.horizontal(|ui| {
            go = ui.button(t.join_button).clicked();
            sync = ui.button(t.sync_now).clicked();
        });
    });
    // An invite read from a picture of its QR code fills the field.
    if let Some(path) = picture {
        match crate::gui::files::qr_text_from_image(&path) {
            Ok(text) => {
                ws.forms.join_ticket = text;
                ws.inform(t.qr_filled.into());
            }
            Err(e) => ws.fail(e.text(t)),
        }
    }
    if go {
        let text = ws.forms.join_ticket.trim().to_string();
        if text.is_empty() {
            ws.fail(t.paste_ticket.into());
        } else {
            ws.net(NetCmd::Join(text), t);
            ws.forms.join_ticket.clear();
        }
    }
    if sync {
        ws.net(NetCmd::SyncNow, t);
    }
}

fn peers(ui: &mut Ui, ws: &Workspace, t: &Texts, lang: Lang) {
    widgets::card(ui, t.peers_title, |ui| {
        if ws.views.peers.is_empty() {
            ui.label(t.no_peers);
            return;
        }
        let status = ws.net.as_ref().map(|n| &n.peers);
        widgets::wide(ui, "peers-scroll", |ui| {
            egui::Grid::new("peers").striped(true).num_columns(5).show(ui, |ui| {
                for h in [t.who, t.role, t.status, t.last_sync_heading, t.addresses] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for p in &ws.views.peers {
                    let s = status.and_then(|m| m.get(&p.identity));
                    ui.label(&p.name);
                    ui.label(p.role.label(lang));
                    match s {
                        Some(s) if s.online => ui.label(t.online),
                        Some(s) => match &s.last_error {
                            Some(e) => widgets::warning(ui, e),
                            None => ui.label(t.offline),
                        },
                        None => ui.label(t.offline),
                    };
                    let last = s.and_then(|s| s.last_sync).unwrap_or(p.last_seen);
                    ui.label(widgets::moment(last, lang));
                    ui.label(p.addrs.join(", "));
                    ui.end_row();
                }
            });
        });
    });
}

fn access_log(ui: &mut Ui, ws: &Workspace, t: &Texts, lang: Lang) {
    egui::CollapsingHeader::new(format!("{} ({})", t.access_log, ws.views.access.len()))
        .id_salt("access-log")
        .show(ui, |ui| {
            widgets::wide(ui, "access-scroll", |ui| {
                egui::Grid::new("access").striped(true).num_columns(5).show(ui, |ui| {
                    for h in [t.when, t.who, t.document, t.direction, t.changes] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for a in ws.views.access.iter().rev().take(300) {
                        ui.label(widgets::moment(a.at, lang));
                        ui.label(&a.peer_name);
                        ui.label(doc_name(&a.doc, t));
                        ui.label(match a.direction {
                            Direction::Sent => t.sent,
                            Direction::Received => t.received,
                        });
                        ui.label(format!("{} ({} B)", a.changes, a.bytes));
                        ui.end_row();
                    }
                });
            });
        });
}
