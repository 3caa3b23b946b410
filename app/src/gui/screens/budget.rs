//! Budget: accounts with their figures, every ledger entry with who signed it
//! and whether it counted, and the forms to book (own budget) or to grant
//! (the municipality on a citizen's budget).

use egui::{RichText, Ui};
use inwonercloud_schemas::Attachment;
use inwonercloud_schemas::{Date, Decision, EntryKind, FundingStream, Lang, Role, Unit, parse_amount};
use inwonercloud_vault::mandate::on_behalf;
use inwonercloud_vault::receipts::NewFile;
use inwonercloud_vault::{BudgetView, EntryStatus, NewEntry, VaultError};

use super::{requests, subject_line};
use crate::gui::i18n::Texts;
use crate::gui::widgets::{self, euros};
use crate::gui::workspace::{Confirm, Workspace};

pub fn show(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    subject_line(ui, ws, t);
    let view = match ws.views.budget.clone() {
        None => {
            ui.label(t.no_budget);
            return;
        }
        Some(Err(e)) => {
            widgets::warning(ui, &e);
            return;
        }
        Some(Ok(v)) => v,
    };
    let reqs = ws.views.requests.clone();
    accounts(ui, &view, &reqs, t, lang);
    ui.add_space(8.0);
    let own = ws.views.budget_is_own;
    let municipality = ws.who.role == Role::Municipality && !own;
    if (own || municipality) && !view.accounts.is_empty() {
        entry_form(ui, ws, &view, municipality, t, lang);
    }
    if own {
        account_form(ui, ws, &view, t, lang);
    }
    ui.add_space(8.0);
    ui.label(RichText::new(t.requests_title).strong().size(16.0));
    let reqs = ws.views.requests.clone();
    if reqs.is_empty() {
        ui.label(t.no_requests);
    }
    requests::cards(ui, ws, &reqs, t, lang);
    if own {
        requests::form(ui, ws, t, lang);
        transfers(ui, ws, &view, t, lang);
    }
    ui.add_space(8.0);
    shown_receipt(ui, ws, t);
    ledger(ui, ws, &view, t, lang);
}

/// What `account` counts in (euros when the view does not hold it).
fn unit_of(view: &BudgetView, account: &str) -> Unit {
    view.accounts
        .iter()
        .find(|a| a.record.id == account)
        .map_or(Unit::Euro, |a| a.record.unit)
}

/// The integral grant (i-pgb) behind `account`, if one: its decision.
fn integral_grant<'r>(requests: &'r [inwonercloud_vault::RequestView], account: &str) -> Option<&'r Decision> {
    requests
        .iter()
        .filter(|r| inwonercloud_vault::assessment::account_for(&r.request.record.id) == account)
        .filter_map(|r| r.decision.as_ref())
        .map(|d| &d.record)
        .find(|d| !d.funding.is_empty())
}

fn accounts(ui: &mut Ui, view: &BudgetView, requests: &[inwonercloud_vault::RequestView], t: &Texts, lang: Lang) {
    widgets::wide(ui, "accounts-scroll", |ui| {
        egui::Grid::new("accounts").striped(true).num_columns(7).show(ui, |ui| {
            for h in [
                t.account,
                t.stream,
                t.granted,
                t.topped_up,
                t.reserved,
                t.spent,
                t.remaining,
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for a in &view.accounts {
                let f = view.report.accounts.get(&a.record.id).cloned().unwrap_or_default();
                ui.label(&a.record.name);
                match integral_grant(requests, &a.record.id) {
                    Some(d) => ui.label(
                        d.funding
                            .iter()
                            .map(|f| {
                                format!(
                                    "{} {}",
                                    f.stream.label(lang),
                                    widgets::amount(f.amount, a.record.unit, lang)
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(" + "),
                    ),
                    None => ui.label(a.record.stream.label(lang)),
                };
                for (i, v) in [f.granted, f.topped_up, f.reserved, f.spent, f.remaining]
                    .into_iter()
                    .enumerate()
                {
                    // Own money is euros: a points or hours account has none ("—", not "0 punten").
                    if i == 1 && a.record.unit != Unit::Euro {
                        ui.label("—");
                        continue;
                    }
                    ui.label(RichText::new(widgets::amount(v, a.record.unit, lang)).monospace());
                }
                ui.end_row();
            }
        });
    });
    // A stream whose name does not explain itself (the eigen bijdrage), once.
    let streams: Vec<_> = view.accounts.iter().map(|a| a.record.stream).collect();
    for x in inwonercloud_schemas::FundingStream::ALL
        .iter()
        .filter(|s| streams.contains(s))
        .filter_map(|s| s.explain(lang))
    {
        ui.label(RichText::new(x).small());
    }
    for a in &view.accounts {
        if let Some(d) = integral_grant(requests, &a.record.id) {
            let names: Vec<String> = d.categories.iter().map(|c| widgets::category(c, lang)).collect();
            ui.label(format!(
                "{} — {}: {}",
                a.record.name,
                t.integral_categories,
                names.join(", ")
            ));
        }
    }
}

/// A booking's note with its long keys cut to the short kenmerk (as on a
/// request's card); the whole note on hover.
fn note(ui: &mut Ui, text: &str) {
    let short = widgets::short_keys(text);
    if short == text {
        ui.label(text);
    } else {
        ui.label(short).on_hover_text(text);
    }
}

fn ledger(ui: &mut Ui, ws: &mut Workspace, view: &BudgetView, t: &Texts, lang: Lang) {
    let mut opened: Option<Attachment> = None;
    let open = &mut opened;
    egui::CollapsingHeader::new(format!("{} ({})", t.ledger, view.report.lines.len()))
        .id_salt("ledger")
        .default_open(true)
        .show(ui, |ui| {
            // Wide: notes and signers are long; it scrolls sideways in a narrow window.
            widgets::wide(ui, "ledger-scroll", |ui| {
                egui::Grid::new("ledger-grid")
                    .striped(true)
                    .num_columns(7)
                    .show(ui, |ui| {
                        for h in [t.date, t.kind, t.amount, t.category, t.note, t.signed_by, t.status] {
                            ui.label(RichText::new(h).strong());
                        }
                        ui.end_row();
                        for l in view.report.lines.iter().rev().take(500) {
                            // Each line in its account's unit: 96 points never reads as € 96,00.
                            let unit = unit_of(view, &l.entry.account);
                            ui.label(widgets::date(l.entry.date, lang));
                            ui.label(l.entry.kind.label(lang));
                            ui.label(RichText::new(widgets::amount(l.entry.amount, unit, lang)).monospace());
                            ui.label(widgets::category(l.entry.category.as_deref().unwrap_or(""), lang));
                            match view.receipts.get(&l.entry.id) {
                                Some(files) => {
                                    ui.horizontal(|ui| {
                                        note(ui, &l.entry.note);
                                        for f in files {
                                            if ui.button(format!("{} {}", t.receipt_word, f.name)).clicked() {
                                                *open = Some(f.clone());
                                            }
                                        }
                                    });
                                }
                                None => {
                                    note(ui, &l.entry.note);
                                }
                            }
                            // Signed for the holder by a representative: both names.
                            if l.author != view.owner
                                && !matches!(l.status, EntryStatus::Refused { .. })
                                && !matches!(l.entry.kind, EntryKind::Grant | EntryKind::Adjustment)
                            {
                                ui.label(on_behalf(lang, &ws.name_of(&view.owner), &ws.name_of(&l.author)));
                            } else {
                                ui.label(ws.name_of(&l.author));
                            }
                            match &l.status {
                                EntryStatus::Counted => {
                                    ui.label(t.counted);
                                }
                                EntryStatus::NotCovered { uncovered } => {
                                    widgets::warning(
                                        ui,
                                        &format!("{} {}", t.not_covered, widgets::amount(*uncovered, unit, lang)),
                                    );
                                }
                                EntryStatus::Refused { reason } => {
                                    widgets::warning(ui, &format!("{}: {reason}", t.refused));
                                }
                                EntryStatus::Pending { .. } => {
                                    ui.label(t.pending_transfer);
                                }
                            }
                            ui.end_row();
                        }
                    });
            });
        });
    if let Some(file) = opened {
        open_receipt(ws, &view.doc, &file, t);
    }
}

fn entry_form(ui: &mut Ui, ws: &mut Workspace, view: &BudgetView, municipality: bool, t: &Texts, lang: Lang) {
    let kinds: &[EntryKind] = if municipality {
        &[EntryKind::Grant, EntryKind::Adjustment]
    } else {
        &[
            EntryKind::Spend,
            EntryKind::Reservation,
            EntryKind::Release,
            EntryKind::TopUp,
        ]
    };
    let title = if municipality { t.grant_title } else { t.book_title };
    let categories = ws.views.catalogue.categories.clone();
    widgets::card(ui, title, |ui| {
        let f = &mut ws.forms;
        if !kinds.contains(&f.entry_kind) {
            f.entry_kind = kinds[0];
        }
        let idx: Vec<usize> = (0..view.accounts.len()).collect();
        widgets::choice(ui, t.account, &mut f.entry_account, &idx, |i| {
            view.accounts.get(i).map(|a| a.record.name.clone()).unwrap_or_default()
        });
        widgets::choice(ui, t.kind, &mut f.entry_kind, kinds, |k| k.label(lang).into());
        let unit = view.accounts.get(f.entry_account).map_or(Unit::Euro, |a| a.record.unit);
        // An adjustment may take money off (a negative amount).
        let positive = f.entry_kind != EntryKind::Adjustment;
        widgets::amount_field_in(ui, t.amount_eur, &mut f.entry_amount, unit, positive, lang);
        widgets::date_field(ui, t.date_hint, &mut f.entry_date, lang);
        widgets::category_choice_or(
            ui,
            t.category_code,
            &mut f.entry_category,
            &categories,
            t.no_category,
            lang,
        );
        widgets::text(ui, t.note, &mut f.entry_note);
        if f.entry_kind == EntryKind::Spend {
            crate::gui::files::path_field(
                ui,
                t,
                t.receipt_file,
                &mut f.entry_receipt,
                crate::gui::files::Kind::open(&["png", "jpg", "jpeg", "pdf"]),
            );
        }
        // A release frees money of one reservation: pick which.
        let reservations: Vec<(String, String)> = view
            .report
            .lines
            .iter()
            .filter(|l| l.entry.kind == EntryKind::Reservation)
            .map(|l| {
                (
                    l.entry.id.clone(),
                    format!(
                        "{} — {}",
                        widgets::amount(l.entry.amount, unit_of(view, &l.entry.account), lang),
                        l.entry.note
                    ),
                )
            })
            .collect();
        if f.entry_kind == EntryKind::Release && !reservations.is_empty() {
            let idx: Vec<usize> = (0..reservations.len()).collect();
            widgets::choice(ui, t.release_of, &mut f.entry_reservation, &idx, |i| {
                reservations.get(i).map(|r| r.1.clone()).unwrap_or_default()
            });
        }
        let reference = (f.entry_kind == EntryKind::Release)
            .then(|| reservations.get(f.entry_reservation).map(|r| r.0.clone()))
            .flatten();
        if ui.button(title).clicked() {
            let Some(account) = view.accounts.get(f.entry_account).map(|a| a.record.id.clone()) else {
                return;
            };
            let doc = view.doc.clone();
            let unit = unit_of(view, &account);
            let made = (|| -> Result<NewEntry, VaultError> {
                let date = f.entry_date.trim();
                Ok(NewEntry {
                    account,
                    kind: f.entry_kind,
                    // Too many decimals is said before the dialog, not after the yes.
                    amount: inwonercloud_schemas::Quantity::new(parse_amount(&f.entry_amount)?, unit)?.amount,
                    category: Some(f.entry_category.trim().to_string()).filter(|c| !c.is_empty()),
                    date: if date.is_empty() { Date::today() } else { date.parse()? },
                    note: f.entry_note.clone(),
                    reference,
                })
            })();
            // A spend carries its receipt, booked in the same transaction.
            let path = f.entry_receipt.trim().to_string();
            let files = if path.is_empty() || f.entry_kind != EntryKind::Spend {
                Ok(vec![])
            } else {
                std::fs::read(&path).map(|bytes| {
                    vec![NewFile {
                        name: path.clone(),
                        bytes,
                    }]
                })
            };
            let files = match files {
                Ok(f) => f,
                Err(e) => {
                    ws.fail(format!("{} ({path}): {e}", t.receipt_unreadable));
                    return;
                }
            };
            let e = match made {
                Ok(e) => e,
                Err(e) => return ws.reject(e),
            };
            ws.ask_then(
                Confirm {
                    what: entry_line(view, &e, t, lang),
                    effect: entry_effect(view, &e, t, lang),
                    done: t.saved.to_string(),
                    step: Box::new(move |v: &mut inwonercloud_vault::Vault| {
                        if e.kind == EntryKind::Spend {
                            v.record_spend(&doc, e, files).map(drop)
                        } else {
                            v.record_entry(&doc, e).map(drop)
                        }
                    }),
                },
                |ws| {
                    ws.forms.entry_amount.clear();
                    ws.forms.entry_note.clear();
                    ws.forms.entry_receipt.clear();
                },
            );
        }
    });
}

/// "Boeken op Wmo 2026: uitgave € 25,00 · 01-03-2026 · …" for the confirmation.
fn entry_line(view: &BudgetView, e: &NewEntry, t: &Texts, lang: Lang) -> String {
    let name = view
        .accounts
        .iter()
        .find(|a| a.record.id == e.account)
        .map_or(e.account.as_str(), |a| a.record.name.as_str());
    let mut line = format!(
        "{} {name}: {} {} · {}",
        t.confirm_entry,
        e.kind.label(lang),
        widgets::amount(e.amount, unit_of(view, &e.account), lang),
        widgets::date(e.date, lang)
    );
    if let Some(c) = &e.category {
        line.push_str(&format!(" · {}", widgets::category(c, lang)));
    }
    if !e.note.trim().is_empty() {
        line.push_str(&format!(" · {}", e.note.trim()));
    }
    line
}

/// What an entry does to what is left in its account.
fn entry_effect(view: &BudgetView, e: &NewEntry, t: &Texts, lang: Lang) -> String {
    let (label, change) = match e.kind {
        EntryKind::Spend | EntryKind::TransferOut => (t.budget_out, -e.amount),
        EntryKind::Reservation => (t.budget_reserved, -e.amount),
        EntryKind::Adjustment if e.amount.is_sign_negative() => (t.budget_out, e.amount),
        _ => (t.budget_in, e.amount),
    };
    let left = view.report.accounts.get(&e.account).map(|f| f.remaining);
    super::market::budget_effect(t, lang, label, change, left, unit_of(view, &e.account))
}

fn account_form(ui: &mut Ui, ws: &mut Workspace, view: &BudgetView, t: &Texts, lang: Lang) {
    egui::CollapsingHeader::new(t.new_account)
        .id_salt("new-account")
        .show(ui, |ui| {
            let f = &mut ws.forms;
            widgets::text(ui, t.account_name, &mut f.account_name);
            widgets::choice(ui, t.stream, &mut f.account_stream, &FundingStream::ALL, |s| {
                s.label(lang).into()
            });
            if let Some(x) = f.account_stream.explain(lang) {
                ui.label(RichText::new(x).small());
            }
            widgets::choice(
                ui,
                t.unit,
                &mut f.account_unit,
                &[Unit::Euro, Unit::Hours, Unit::Points],
                |u| t.unit_name(u).into(),
            );
            widgets::date_field(ui, t.from_date, &mut f.account_from, lang);
            widgets::date_field(ui, t.until_date, &mut f.account_until, lang);
            if ui.button(t.open_account).clicked() {
                let doc = view.doc.clone();
                let (name, stream, unit) = (f.account_name.trim().to_string(), f.account_stream, f.account_unit);
                let dates = (f.account_from.trim().parse::<Date>())
                    .and_then(|from| Ok((from, f.account_until.trim().parse::<Date>()?)));
                match dates {
                    Err(e) => ws.reject(e),
                    Ok((from, until)) => {
                        let what = format!(
                            "{} {}: {name} ({}, {}, {} – {})",
                            t.confirm_account,
                            ws.subject_name(),
                            stream.label(lang),
                            t.unit_name(unit),
                            widgets::date(from, lang),
                            widgets::date(until, lang)
                        );
                        ws.ask_then(
                            Confirm {
                                what,
                                effect: t.account_effect.to_string(),
                                done: t.saved.to_string(),
                                step: Box::new(move |v: &mut inwonercloud_vault::Vault| {
                                    v.add_account(&doc, &name, stream, unit, from, until).map(drop)
                                }),
                            },
                            |ws| ws.forms.account_name.clear(),
                        );
                    }
                }
            }
        });
}

fn transfers(ui: &mut Ui, ws: &mut Workspace, view: &BudgetView, t: &Texts, lang: Lang) {
    let me = ws.who.identity;
    let euro_accounts: Vec<(String, String)> = view
        .accounts
        .iter()
        .filter(|a| a.record.unit == Unit::Euro)
        .map(|a| (a.record.id.clone(), a.record.name.clone()))
        .collect();
    let peers: Vec<(inwonercloud_schemas::PublicKey, String)> =
        ws.views.peers.iter().map(|p| (p.identity, p.name.clone())).collect();
    let transfers = ws.views.transfers.clone();
    let exchangeable: Vec<inwonercloud_schemas::Category> = ws
        .views
        .catalogue
        .categories
        .iter()
        .filter(|c| c.exchangeable)
        .cloned()
        .collect();
    let mut offer = false;
    let mut accept = None;
    egui::CollapsingHeader::new(t.transfers_title)
        .id_salt("transfers")
        .show(ui, |ui| {
            for x in transfers.iter() {
                let tr = &x.transfer.record;
                let line = format!(
                    // No arrow: the default fonts have no glyph for it.
                    "{} {} {}: {} ({}) — {}",
                    ws.name_of(&tr.from),
                    t.transfer_to.to_lowercase(),
                    ws.name_of(&tr.to),
                    euros(tr.amount, lang),
                    widgets::category(&tr.category, lang),
                    if x.confirmed() {
                        t.signed_both
                    } else {
                        t.pending_transfer
                    }
                );
                ui.label(line);
                if tr.to == me && x.acceptance.is_none() && ui.button(t.accept_transfer).clicked() {
                    accept = Some(tr.id.clone());
                }
            }
            let f = &mut ws.forms;
            if peers.is_empty() || euro_accounts.is_empty() {
                ui.label(t.transfer_needs);
                return;
            }
            let pidx: Vec<usize> = (0..peers.len()).collect();
            widgets::choice(ui, t.transfer_to, &mut f.transfer_to, &pidx, |i| {
                peers.get(i).map(|p| p.1.clone()).unwrap_or_default()
            });
            let aidx: Vec<usize> = (0..euro_accounts.len()).collect();
            widgets::choice(ui, t.account, &mut f.entry_account, &aidx, |i| {
                euro_accounts.get(i).map(|a| a.1.clone()).unwrap_or_default()
            });
            widgets::amount_field(ui, t.amount_eur, &mut f.transfer_amount, lang);
            // Only exchangeable categories can be transferred (the vault refuses the others).
            widgets::category_choice(ui, t.category_code, &mut f.transfer_category, &exchangeable, lang);
            offer = ui.button(t.offer_transfer).clicked();
        });
    let left = |account: &str| view.report.accounts.get(account).map(|f| f.remaining);
    if let Some(id) = accept {
        let Some((account, name)) = euro_accounts.get(ws.forms.entry_account).cloned() else {
            return;
        };
        let Some(tr) = transfers.iter().find(|x| x.transfer.record.id == id) else {
            return;
        };
        let tr = &tr.transfer.record;
        ws.ask(Confirm {
            what: format!(
                "{} {}: {} ({}) · {} {name}",
                t.confirm_accept_transfer,
                ws.name_of(&tr.from),
                euros(tr.amount, lang),
                widgets::category(&tr.category, lang),
                t.account
            ),
            effect: super::market::budget_effect(t, lang, t.budget_in, tr.amount, left(&account), Unit::Euro),
            done: t.saved.to_string(),
            step: Box::new(move |v: &mut inwonercloud_vault::Vault| v.accept_transfer(&id, &account).map(drop)),
        });
    }
    if offer {
        let f = &ws.forms;
        let (Some((to, to_name)), Some((account, name))) = (
            peers.get(f.transfer_to).cloned(),
            euro_accounts.get(f.entry_account).cloned(),
        ) else {
            return;
        };
        let category = f.transfer_category.trim().to_string();
        let amount = match parse_amount(&f.transfer_amount).and_then(inwonercloud_schemas::Quantity::euro) {
            Ok(a) => a.amount,
            Err(e) => return ws.reject(e),
        };
        ws.ask_then(
            Confirm {
                what: format!(
                    "{} {to_name}: {} ({}) · {} {name}",
                    t.confirm_offer_transfer,
                    euros(amount, lang),
                    widgets::category(&category, lang),
                    t.account
                ),
                effect: super::market::budget_effect(
                    t,
                    lang,
                    t.budget_out_accepted,
                    -amount,
                    left(&account),
                    Unit::Euro,
                ),
                done: t.transfer_offered.to_string(),
                step: Box::new(move |v: &mut inwonercloud_vault::Vault| {
                    v.offer_transfer(to, &account, amount, &category, "").map(drop)
                }),
            },
            |ws| ws.forms.transfer_amount.clear(),
        );
    }
}

/// Writes a receipt's file to the temporary folder, says where, and offers
/// to open it in the system's viewer for photos or PDFs.
fn open_receipt(ws: &mut Workspace, doc: &str, file: &Attachment, t: &Texts) {
    let found = ws.vault.lock().attachment(doc, &file.hash);
    let Ok(Some(bytes)) = found else {
        return ws.fail(t.receipt_unreadable.to_string());
    };
    let dir = std::env::temp_dir().join("inwonercloud-bonnen");
    let path = dir.join(format!("{}-{}", file.hash.short(), file.name));
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, &bytes)) {
        return ws.fail(format!("{}: {e}", t.receipt_unreadable));
    }
    ws.forms.receipt_image = None;
    if file.media_type.starts_with("image/") {
        match preview(&bytes) {
            Ok(img) => ws.forms.receipt_image = Some((file.hash.to_string(), std::sync::Arc::new(img))),
            Err(e) => {
                ws.inform(format!(
                    "{} {} ({}: {e})",
                    t.receipt_saved_at,
                    path.display(),
                    t.no_preview
                ));
                ws.forms.receipt_shown = Some(path);
                return;
            }
        }
    }
    ws.inform(format!("{} {}", t.receipt_saved_at, path.display()));
    ws.forms.receipt_shown = Some(path);
}

/// The largest side of a receipt preview, in pixels.
const PREVIEW_SIDE: u32 = 1200;

/// Decodes a photo receipt (PNG or JPEG) into a preview at most
/// [`PREVIEW_SIDE`] pixels wide and high; a picture larger than 12,000 ×
/// 12,000 or one that needs more than 256 MiB to decode is refused, so a
/// crafted file cannot exhaust memory.
fn preview(bytes: &[u8]) -> Result<egui::ColorImage, String> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| e.to_string())?.to_rgba8();
    let (w, h) = img.dimensions();
    let img = if w.max(h) > PREVIEW_SIDE {
        let scale = f64::from(PREVIEW_SIDE) / f64::from(w.max(h));
        let side = |x: u32| ((f64::from(x) * scale).round() as u32).max(1);
        image::imageops::thumbnail(&img, side(w), side(h))
    } else {
        img
    };
    let size = [img.width() as usize, img.height() as usize];
    Ok(egui::ColorImage::from_rgba_unmultiplied(size, img.as_raw()))
}

/// The receipt file last written out, with a button that opens it in the
/// system's viewer.
fn shown_receipt(ui: &mut Ui, ws: &mut Workspace, t: &Texts) {
    let Some(path) = ws.forms.receipt_shown.clone() else {
        return;
    };
    if let Some((name, img)) = ws.forms.receipt_image.clone() {
        // The texture lives in egui's memory under the file's hash, made once.
        let id = egui::Id::unique(("receipt-preview", &name));
        let texture = ui
            .ctx()
            .data_mut(|d| d.get_temp::<egui::TextureHandle>(id))
            .unwrap_or_else(|| {
                let tex =
                    ui.ctx()
                        .load_texture(format!("receipt-{name}"), (*img).clone(), egui::TextureOptions::LINEAR);
                ui.ctx().data_mut(|d| d.insert_temp(id, tex.clone()));
                tex
            });
        ui.add(
            egui::Image::new(egui::load::SizedTexture::from_handle(&texture))
                .max_width(420.0)
                .max_height(420.0)
                .alt_text(t.receipt_preview),
        );
    }
    if ui.button(t.receipt_open).clicked() {
        let viewer = if cfg!(target_os = "macos") {
            "open"
        } else if cfg!(windows) {
            "explorer"
        } else {
            "xdg-open"
        };
        match std::process::Command::new(viewer).arg(&path).spawn() {
            Ok(_) => ws.inform(t.receipt_opened.to_string()),
            Err(e) => ws.fail(format!("{viewer}: {e} ({})", path.display())),
        }
    }
}
