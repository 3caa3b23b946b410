//! Inbox (municipality): requests waiting for a decision across every
//! citizen who shares their budget, the allocation rules of the published
//! policy, and a button to apply them now.

use egui::{RichText, Ui};
use inwonercloud_schemas::Lang;

use super::requests;
use crate::gui::i18n::Texts;
use crate::gui::widgets;
use crate::gui::workspace::{Confirm, Workspace};

pub fn show(ui: &mut Ui, ws: &mut Workspace, t: &Texts, lang: Lang) {
    let me = ws.who.identity;
    let own_policy = ws.views.policy.clone().filter(|p| p.author == me);
    let mut publish: Option<Result<inwonercloud_schemas::Policy, String>> = None;
    widgets::card(ui, t.rules_title, |ui| {
        match &own_policy {
            None => {
                ui.label(t.no_policy);
            }
            Some(p) => {
                for r in &p.record.rules {
                    ui.label(format!("{} — {}", r.id, r.description));
                }
                if let Some(m) = p.record.informal_max_tariff {
                    ui.label(format!("{} {}", t.informal_max, widgets::euros(m, lang)));
                }
            }
        }
        crate::gui::files::path_field(
            ui,
            t,
            t.policy_file,
            &mut ws.forms.policy_file,
            crate::gui::files::Kind::open(&["json"]),
        );
        ui.horizontal(|ui| {
            if ui.button(t.publish_policy).clicked() {
                let path = ws.forms.policy_file.trim().to_string();
                publish = Some(
                    std::fs::read_to_string(&path)
                        .map_err(|e| format!("{path}: {e}"))
                        .and_then(|text| {
                            inwonercloud_schemas::Policy::from_json(&text)
                                .map_err(|e| crate::error_text::schema_error_text(&e, t.lang))
                        }),
                );
            }
            if own_policy.is_none() && ui.button(t.publish_example_policy).clicked() {
                publish = Some(Ok(inwonercloud_schemas::Policy::example(&ws.who.name)));
            }
        });
    });
    match publish {
        Some(Ok(p)) => ws.ask(Confirm {
            what: t.confirm_policy_what(p.rules.len()),
            effect: t.policy_effect.to_string(),
            done: t.policy_published.to_string(),
            step: Box::new(move |v: &mut inwonercloud_vault::Vault| v.publish_policy(p)),
        }),
        Some(Err(e)) => ws.fail(e),
        None => {}
    }
    if own_policy.is_some() && ui.button(t.apply_rules).clicked() {
        // How many the rules decided, carried from the step to the message.
        let counted = std::rc::Rc::new(std::cell::Cell::new((0, 0)));
        let out = counted.clone();
        let waiting = ws
            .views
            .inbox
            .iter()
            .filter(|v| v.state == inwonercloud_vault::RequestState::Ingediend)
            .count();
        ws.ask_then(
            Confirm {
                what: t.confirm_apply_rules.to_string(),
                effect: format!("{} {waiting}", t.apply_rules_effect),
                done: t.rules_applied.to_string(),
                step: Box::new(move |v: &mut inwonercloud_vault::Vault| {
                    let done = v.allocate()?;
                    let n = done.iter().filter(|a| a.rule.is_some()).count();
                    out.set((n, done.len() - n));
                    Ok(())
                }),
            },
            move |ws| {
                let (n, rest) = counted.get();
                let text = crate::gui::i18n::texts(lang).allocation_result(n, rest);
                if let Some(notice) = &mut ws.notice {
                    notice.text = text;
                }
            },
        );
    }
    ui.add_space(6.0);
    let inbox = ws.views.inbox.clone();
    if inbox.is_empty() {
        ui.label(RichText::new(t.inbox_empty).italics());
    }
    requests::cards(ui, ws, &inbox, t, lang);
}
