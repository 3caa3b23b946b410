//! Representatives: a budget holder's signed, scoped, revocable mandate that
//! lets someone else — a legal representative, a *bewindvoerder*, a family
//! member — act for her with their own signature.
//!
//! A [`Mandate`] and its [`MandateRevocation`] are signed by the holder and
//! kept in her budget document, so whoever reads the budget (the
//! municipality) holds them and can check, offline, every record the
//! representative signed: [`mandate_allows`] is the one rule, used by the
//! vault before it signs, by the ledger (through [`mandated_entries`]) and
//! by the claims verifier. A copy of each also goes into the agreement
//! documents the mandate reaches, so a provider sees why an approval by the
//! representative counts.
//!
//! Giving a mandate also grants the representative a write consent on the
//! budget document and the holder's agreement documents (the representative
//! must be able to write the approval and the spend there); revoking it
//! revokes that consent in the same transaction. The revocation lists the
//! records the representative signed under the mandate that the holder
//! keeps; anything else signed under it — later, or not yet received when
//! she revoked — no longer counts, wherever the revocation arrives.

use std::collections::BTreeSet;

use inwonercloud_schemas::{
    Access, Approval, Capacity, Date, Declaration, DocKind, EntryKind, Lang, LedgerEntry, Mandate, MandateAction,
    MandateRevocation, PublicKey, Role, SchemaError, Signed, Verdict,
};
use serde::Serialize;

use crate::error::{Result, VaultError};
use crate::keys;
use crate::plan::new_id;
use crate::vault::{Authored, Vault};

/// Whether `actor` may do `action` for the budget holder `citizen` in the
/// record `record_id` about day `date` (a declaration's period end, a
/// ledger entry's date), given the holder's mandates and revocations as
/// found in her budget document. The holder herself always may. Anyone
/// else needs a mandate signed by the holder (its signature verifies and
/// its signer is the holder named in it) that names `actor` and `action`
/// and covers `date`, and that is not revoked — or is revoked by a
/// revocation (every revocation of it, if there are several) that keeps
/// `record_id`. Otherwise the reason, in words.
pub fn mandate_allows(
    mandates: &[Signed<Mandate>],
    revocations: &[Signed<MandateRevocation>],
    citizen: &PublicKey,
    actor: &PublicKey,
    action: MandateAction,
    record_id: &str,
    date: Date,
) -> std::result::Result<(), String> {
    if actor == citizen {
        return Ok(());
    }
    let named: Vec<&Signed<Mandate>> = mandates.iter().filter(|m| &m.record.representative == actor).collect();
    if named.is_empty() {
        return Err(format!("{} holds no mandate from the budget holder", actor.short()));
    }
    let genuine: Vec<&Signed<Mandate>> = named
        .iter()
        .zip(keys::verify_records(&named))
        .filter(|(m, ok)| ok.is_ok() && m.author() == citizen && &m.record.citizen == citizen)
        .map(|(m, _)| *m)
        .collect();
    if genuine.is_empty() {
        return Err(format!(
            "the mandate naming {} is not signed by the budget holder",
            actor.short()
        ));
    }
    let for_action: Vec<&Signed<Mandate>> = genuine
        .into_iter()
        .filter(|m| m.record.actions.contains(&action))
        .collect();
    if for_action.is_empty() {
        return Err(format!(
            "the mandate of {} does not allow to {}",
            actor.short(),
            action.label(Lang::En)
        ));
    }
    let in_period: Vec<&Signed<Mandate>> = for_action.into_iter().filter(|m| m.record.covers(date)).collect();
    if in_period.is_empty() {
        return Err(format!("the mandate of {} does not cover {date}", actor.short()));
    }
    let by_holder: Vec<&Signed<MandateRevocation>> = revocations.iter().filter(|r| r.author() == citizen).collect();
    let revoking: Vec<&MandateRevocation> = by_holder
        .iter()
        .zip(keys::verify_records(&by_holder))
        .filter(|(_, ok)| ok.is_ok())
        .map(|(r, _)| &r.record)
        .collect();
    for m in in_period {
        let hash = keys::record_hash(m);
        // A revocation naming the mandate by id or by hash revokes it: the
        // holder's revocation wins over any doubt about which copy it meant.
        let kept = revoking
            .iter()
            .filter(|r| r.mandate_id == m.record.id || r.mandate_hash == hash)
            .all(|r| r.keep.iter().any(|k| k == record_id));
        if kept {
            return Ok(());
        }
    }
    Err(format!(
        "the mandate of {} was revoked, and record {record_id} is not among the records the revocation keeps",
        actor.short()
    ))
}

/// The mandate action a ledger entry of `kind` by a representative stands
/// for: a spend is what approving a declaration books. A representative
/// records no other kind for the holder.
pub fn action_for_entry(kind: EntryKind) -> Option<MandateAction> {
    match kind {
        EntryKind::Spend => Some(MandateAction::Approve),
        _ => None,
    }
}

/// The mandate action a verdict on a declaration stands for.
pub fn action_for_verdict(verdict: &Verdict) -> MandateAction {
    match verdict {
        Verdict::Goedgekeurd => MandateAction::Approve,
        Verdict::Betwist { .. } => MandateAction::Dispute,
    }
}

/// The (author, entry id) pairs among `entries` that are not the holder's
/// own but that her mandates allow ([`mandate_allows`], with the entry's id
/// and date): what [`crate::ledger::compute_with`] counts as hers.
pub fn mandated_entries(
    mandates: &[Signed<Mandate>],
    revocations: &[Signed<MandateRevocation>],
    citizen: &PublicKey,
    entries: &[(PublicKey, &LedgerEntry)],
) -> BTreeSet<(PublicKey, String)> {
    if mandates.is_empty() {
        return BTreeSet::new();
    }
    entries
        .iter()
        .filter(|(author, _)| author != citizen)
        .filter_map(|(author, e)| {
            let action = action_for_entry(e.kind)?;
            mandate_allows(mandates, revocations, citizen, author, action, &e.id, e.date)
                .ok()
                .map(|()| (*author, e.id.clone()))
        })
        .collect()
}

/// How a record someone signed for the budget holder is shown, in CLI and
/// app alike: "namens Sanne, door Eva" (English: "on behalf of Sanne, by Eva").
pub fn on_behalf(lang: Lang, holder: &str, actor: &str) -> String {
    match lang {
        Lang::Nl => format!("namens {holder}, door {actor}"),
        Lang::En => format!("on behalf of {holder}, by {actor}"),
    }
}

/// A budget holder's signed mandates and signed revocations of them, as
/// [`mandate_allows`] takes them.
pub type MandateRecords = (Vec<Signed<Mandate>>, Vec<Signed<MandateRevocation>>);

/// A mandate with its revocation, as the holder or the representative sees it.
#[derive(Clone, Debug, Serialize)]
pub struct MandateView {
    /// The budget document it is kept in.
    pub doc: String,
    /// The holder's signed mandate.
    pub mandate: Authored<Mandate>,
    /// The holder's revocation, once revoked.
    pub revocation: Option<Authored<MandateRevocation>>,
    /// Not revoked and not past its last day.
    pub active: bool,
}

impl MandateView {
    /// Whether the mandate is in force and names `action`.
    pub fn allows(&self, action: MandateAction) -> bool {
        self.active && self.mandate.record.actions.contains(&action)
    }
}

/// The purpose written in the consent that goes with a mandate.
fn consent_purpose(mandate_id: &str) -> String {
    format!("mandaat {mandate_id}")
}

fn invalid(msg: impl Into<String>) -> VaultError {
    VaultError::Input(SchemaError::Invalid(msg.into()))
}

impl Vault {
    /// The budget holder gives `representative` a mandate for `actions`,
    /// covering her affairs from `valid_from` to `valid_until`: signs it into
    /// her budget document (and a copy into each of her agreement
    /// documents), and grants the representative a write consent on those
    /// documents, all in one transaction.
    pub fn give_mandate(
        &mut self,
        representative: PublicKey,
        capacity: Capacity,
        actions: Vec<MandateAction>,
        valid_from: Date,
        valid_until: Option<Date>,
    ) -> Result<Mandate> {
        self.transact(|v| v.give_mandate_in(representative, capacity, actions, valid_from, valid_until))
    }

    fn give_mandate_in(
        &mut self,
        representative: PublicKey,
        capacity: Capacity,
        mut actions: Vec<MandateAction>,
        valid_from: Date,
        valid_until: Option<Date>,
    ) -> Result<Mandate> {
        let me = self.identity();
        let budget = self.budget_doc();
        if self.header(&budget).map(|h| h.owner).ok() != Some(me) {
            return Err(VaultError::NotAllowed("only a budget holder gives mandates".into()));
        }
        keys::checked_key(&representative)?;
        actions.sort();
        actions.dedup();
        let m = Mandate {
            id: new_id(),
            citizen: me,
            representative,
            representative_name: self.display_name(&representative),
            capacity,
            actions,
            valid_from,
            valid_until,
        };
        m.validate()?;
        let agreements = self.own_agreement_docs();
        let mut documents = vec![budget.clone()];
        documents.extend(agreements.iter().cloned());
        let role = self.representative_role(&representative)?;
        let name = m.representative_name.clone();
        self.grant_consent(
            representative,
            &name,
            role,
            documents,
            Access::Write,
            valid_until,
            &consent_purpose(&m.id),
        )?;
        let id = m.id.clone();
        self.put_record(&budget, &id, m.clone())?;
        for doc in agreements {
            self.put_record(&doc, &id, m.clone())?;
        }
        Ok(m)
    }

    /// The holder revokes mandate `id`: signs a revocation that keeps what
    /// the representative signed under it so far (as held here), copies it
    /// where the mandate was copied, and revokes the representative's write
    /// consent that came with it — one transaction.
    pub fn revoke_mandate(&mut self, id: &str) -> Result<MandateRevocation> {
        self.transact(|v| v.revoke_mandate_in(id))
    }

    fn revoke_mandate_in(&mut self, id: &str) -> Result<MandateRevocation> {
        let me = self.identity();
        let budget = self.budget_doc();
        let view = self
            .mandates()?
            .into_iter()
            .find(|v| v.mandate.record.id == id.trim())
            .ok_or_else(|| VaultError::UnknownRecord {
                what: "mandate",
                id: id.to_string(),
            })?;
        if view.revocation.is_some() {
            return Err(invalid("this mandate was revoked already"));
        }
        let m = view.mandate;
        let rep = m.record.representative;
        let only = [m.signed.clone()];
        let allowed = |action: MandateAction, record: &str, date: Date| {
            mandate_allows(&only, &[], &me, &rep, action, record, date).is_ok()
        };
        let mut keep: Vec<String> = vec![];
        let (entries, _) = self.records::<LedgerEntry>(&budget)?;
        for e in entries.iter().filter(|e| e.author == rep) {
            if action_for_entry(e.record.kind).is_some_and(|a| allowed(a, &e.record.id, e.record.date)) {
                keep.push(e.record.id.clone());
            }
        }
        let agreement_docs = self.own_agreement_docs();
        for doc in &agreement_docs {
            let (approvals, _) = self.records::<Approval>(doc)?;
            let (declarations, _) = self.records::<Declaration>(doc)?;
            for ap in approvals.iter().filter(|a| a.author == rep) {
                let day = declarations
                    .iter()
                    .find(|d| d.record.id == ap.record.declaration_id)
                    .map(|d| d.record.period_end);
                if day.is_some_and(|day| allowed(action_for_verdict(&ap.record.verdict), &ap.record.id, day)) {
                    keep.push(ap.record.id.clone());
                }
            }
        }
        keep.sort();
        keep.dedup();
        let r = MandateRevocation {
            mandate_id: m.record.id.clone(),
            mandate_hash: keys::record_hash(&m.signed),
            date: Date::today(),
            keep,
        };
        // Under a fresh key: no writer can have put anything there before.
        let key = new_id();
        self.put_record(&budget, &key, r.clone())?;
        for doc in agreement_docs {
            if self.record::<Mandate>(&doc, &m.record.id)?.is_some() {
                self.put_record(&doc, &key, r.clone())?;
            }
        }
        let purpose = consent_purpose(&m.record.id);
        let consents: Vec<String> = self
            .consents()?
            .into_iter()
            .filter(|c| {
                c.revocation.is_none() && c.consent.record.grantee == rep && c.consent.record.purpose == purpose
            })
            .map(|c| c.consent.record.id)
            .collect();
        for c in consents {
            self.revoke_consent(&c, "mandaat ingetrokken")?;
        }
        Ok(r)
    }

    /// The holder's own mandates, newest first, each with its revocation.
    pub fn mandates(&self) -> Result<Vec<MandateView>> {
        let budget = self.budget_doc();
        if !self.docs_map().contains_key(&budget) {
            return Ok(vec![]);
        }
        self.mandate_views(&budget)
    }

    /// The mandates others gave this vault's owner, found in the budget
    /// documents received from them: for whom she acts, and what she may do.
    pub fn mandates_for_me(&self) -> Result<Vec<MandateView>> {
        let me = self.identity();
        let mut out = vec![];
        for doc in self.document_ids() {
            let h = self.header(&doc)?;
            if h.kind == DocKind::Budget && h.owner != me {
                out.extend(
                    self.mandate_views(&doc)?
                        .into_iter()
                        .filter(|v| v.mandate.record.representative == me),
                );
            }
        }
        Ok(out)
    }

    /// The mandates and revocations in a budget document, signed by its
    /// owner: what [`mandate_allows`] needs to judge a representative's
    /// records on that budget (and what a claim carries for it).
    pub fn mandate_records(&self, citizen_budget_doc: &str) -> Result<MandateRecords> {
        let owner = self.header(citizen_budget_doc)?.owner;
        let (ms, _) = self.records::<Mandate>(citizen_budget_doc)?;
        let (rs, _) = self.records::<MandateRevocation>(citizen_budget_doc)?;
        Ok((
            ms.into_iter().filter(|m| m.author == owner).map(|m| m.signed).collect(),
            rs.into_iter().filter(|r| r.author == owner).map(|r| r.signed).collect(),
        ))
    }

    /// The mandates and revocations of `citizen` held here: from her budget
    /// document when held, and from `also` (an agreement document holding
    /// copies), each signed by her.
    pub(crate) fn mandates_of(&self, citizen: &PublicKey, also: Option<&str>) -> Result<MandateRecords> {
        let mut ms = vec![];
        let mut rs = vec![];
        let budget = DocKind::Budget.doc_id(citizen);
        for doc in std::iter::once(budget.as_str()).chain(also) {
            if self.docs_map().contains_key(doc) && &self.header(doc)?.owner == citizen {
                let (m, r) = self.mandate_records(doc)?;
                ms.extend(m);
                rs.extend(r);
            }
        }
        Ok((ms, rs))
    }

    fn mandate_views(&self, doc: &str) -> Result<Vec<MandateView>> {
        let owner = self.header(doc)?.owner;
        let (ms, _) = self.records::<Mandate>(doc)?;
        let (rs, _) = self.records::<MandateRevocation>(doc)?;
        let today = Date::today();
        let mut out: Vec<MandateView> = ms
            .into_iter()
            .filter(|m| m.author == owner && m.record.citizen == owner)
            .map(|m| {
                let hash = keys::record_hash(&m.signed);
                let revocation = rs
                    .iter()
                    .find(|r| {
                        r.author == owner && (r.record.mandate_id == m.record.id || r.record.mandate_hash == hash)
                    })
                    .cloned();
                let active = revocation.is_none() && m.record.valid_until.is_none_or(|u| today <= u);
                MandateView {
                    doc: doc.to_string(),
                    mandate: m,
                    revocation,
                    active,
                }
            })
            .collect();
        out.sort_by_key(|v| std::cmp::Reverse(v.mandate.signed_at));
        Ok(out)
    }

    /// The role a representative writes in: a professional (a
    /// bewindvoerder's office) as a counselor, a private person as family —
    /// the role the holder grants, not one the representative claims.
    fn representative_role(&self, representative: &PublicKey) -> Result<Role> {
        Ok(match self.peer(representative)?.map(|p| p.role) {
            Some(Role::Counselor) => Role::Counselor,
            _ => Role::Family,
        })
    }

    /// Lets the representatives of the holder's mandates in force that
    /// approve or dispute write in agreement document `doc` too (a new
    /// agreement, made after the mandate): a write consent for it and a
    /// copy of the mandate in it. Part of the running action.
    pub(crate) fn extend_mandates_to(&mut self, doc: &str) -> Result<()> {
        for v in self.mandates()? {
            let m = v.mandate.record;
            let acts = m.actions.contains(&MandateAction::Approve) || m.actions.contains(&MandateAction::Dispute);
            if !v.active || !acts || self.header(doc)?.may_write(&m.representative) {
                continue;
            }
            let role = self.representative_role(&m.representative)?;
            self.grant_consent(
                m.representative,
                &m.representative_name,
                role,
                vec![doc.to_string()],
                Access::Write,
                m.valid_until,
                &consent_purpose(&m.id),
            )?;
            let id = m.id.clone();
            self.put_record(doc, &id, m)?;
        }
        Ok(())
    }

    /// The agreement documents this vault's owner owns.
    fn own_agreement_docs(&self) -> Vec<String> {
        let me = self.identity();
        self.document_ids()
            .into_iter()
            .filter(|d| {
                self.header(d)
                    .is_ok_and(|h| h.kind == DocKind::Agreement && h.owner == me)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use inwonercloud_schemas::{Capacity, Hash32};

    use super::*;
    use crate::testing::vault;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn mandate(citizen: PublicKey, rep: PublicKey, actions: Vec<MandateAction>) -> Mandate {
        Mandate {
            id: "m1".into(),
            citizen,
            representative: rep,
            representative_name: "Eva".into(),
            capacity: Capacity::WettelijkVertegenwoordiger,
            actions,
            valid_from: day("2026-01-01"),
            valid_until: Some(day("2026-12-31")),
        }
    }

    fn sign<R: inwonercloud_schemas::Record>(v: &Vault, r: R) -> Signed<R> {
        keys::sign_record(r, v.device_key(), v.device_certificate(), 1_700_000_000)
    }

    #[test]
    fn the_rule_of_a_mandate() {
        let tmp = tempfile::tempdir().unwrap();
        let sanne = vault(&tmp.path().join("s"), "Sanne", Role::Citizen);
        let eva = vault(&tmp.path().join("e"), "Eva", Role::Family);
        let (s, e) = (sanne.identity(), eva.identity());
        let when = day("2026-11-30");
        let good = sign(&sanne, mandate(s, e, vec![MandateAction::Approve]));
        let allows = |ms: &[Signed<Mandate>], rs: &[Signed<MandateRevocation>], action| {
            mandate_allows(ms, rs, &s, &e, action, "ap-1", when)
        };

        // The holder herself needs no mandate.
        assert!(mandate_allows(&[], &[], &s, &s, MandateAction::Transfer, "x", when).is_ok());
        // No mandate at all.
        let why = allows(&[], &[], MandateAction::Approve).unwrap_err();
        assert!(why.contains("no mandate"), "{why}");
        // A genuine mandate for approving.
        assert!(allows(std::slice::from_ref(&good), &[], MandateAction::Approve).is_ok());
        // Not for another action.
        let why = allows(std::slice::from_ref(&good), &[], MandateAction::Dispute).unwrap_err();
        assert!(why.contains("does not allow to dispute"), "{why}");
        // Not outside its period.
        let why = mandate_allows(
            std::slice::from_ref(&good),
            &[],
            &s,
            &e,
            MandateAction::Approve,
            "ap-1",
            day("2027-01-02"),
        )
        .unwrap_err();
        assert!(why.contains("does not cover"), "{why}");
        // Forged: signed by the representative herself, naming the holder.
        let forged = sign(&eva, mandate(s, e, vec![MandateAction::Approve]));
        let why = allows(&[forged], &[], MandateAction::Approve).unwrap_err();
        assert!(why.contains("not signed by the budget holder"), "{why}");
        // Tampered: the holder's mandate with an action added after signing.
        let mut tampered = good.clone();
        tampered.record.actions.push(MandateAction::Transfer);
        let why = mandate_allows(&[tampered], &[], &s, &e, MandateAction::Transfer, "t", when).unwrap_err();
        assert!(why.contains("not signed by the budget holder"), "{why}");

        // Revoked, keeping one approval: that one still counts, nothing else does.
        let revocation = |keep: Vec<String>| MandateRevocation {
            mandate_id: "m1".into(),
            mandate_hash: keys::record_hash(&good),
            date: day("2026-12-01"),
            keep,
        };
        let revoked = sign(&sanne, revocation(vec!["ap-1".into()]));
        assert!(
            allows(
                std::slice::from_ref(&good),
                std::slice::from_ref(&revoked),
                MandateAction::Approve
            )
            .is_ok()
        );
        let why = mandate_allows(
            std::slice::from_ref(&good),
            std::slice::from_ref(&revoked),
            &s,
            &e,
            MandateAction::Approve,
            "ap-2",
            when,
        )
        .unwrap_err();
        assert!(why.contains("revoked"), "{why}");
        // Two revocations (two devices of the holder): kept only if both keep it.
        let second = sign(&sanne, revocation(vec![]));
        assert!(
            allows(
                std::slice::from_ref(&good),
                &[revoked.clone(), second],
                MandateAction::Approve
            )
            .is_err()
        );
        // A "revocation" signed by the representative revokes nothing: she
        // cannot revoke, nor keep, on the holder's behalf.
        let by_eva = sign(&eva, revocation(vec![]));
        assert!(allows(std::slice::from_ref(&good), &[by_eva], MandateAction::Approve).is_ok());
        // A revocation naming the mandate only by its hash still revokes it.
        let mut by_hash = revocation(vec![]);
        by_hash.mandate_id = "other".into();
        let by_hash = sign(&sanne, by_hash);
        assert!(allows(std::slice::from_ref(&good), &[by_hash], MandateAction::Approve).is_err());
        // One that names neither revokes nothing.
        let unrelated = MandateRevocation {
            mandate_id: "other".into(),
            mandate_hash: Hash32([0; 32]),
            date: day("2026-12-01"),
            keep: vec![],
        };
        assert!(
            allows(
                std::slice::from_ref(&good),
                &[sign(&sanne, unrelated)],
                MandateAction::Approve
            )
            .is_ok()
        );
    }

    #[test]
    fn mandated_entries_are_the_representatives_allowed_spends() {
        let tmp = tempfile::tempdir().unwrap();
        let sanne = vault(&tmp.path().join("s"), "Sanne", Role::Citizen);
        let eva = vault(&tmp.path().join("e"), "Eva", Role::Family);
        let (s, e) = (sanne.identity(), eva.identity());
        let good = sign(&sanne, mandate(s, e, vec![MandateAction::Approve]));
        let entry = |id: &str, kind| LedgerEntry {
            id: id.into(),
            account: "a".into(),
            kind,
            amount: rust_decimal::Decimal::from(10),
            category: None,
            date: day("2026-05-01"),
            note: String::new(),
            reference: None,
        };
        let spend = entry("s1", EntryKind::Spend);
        let topup = entry("t1", EntryKind::TopUp);
        let own = entry("s2", EntryKind::Spend);
        let set = mandated_entries(&[good], &[], &s, &[(e, &spend), (e, &topup), (s, &own)]);
        assert_eq!(set, BTreeSet::from([(e, "s1".to_string())]));
        assert_eq!(on_behalf(Lang::Nl, "Sanne", "Eva"), "namens Sanne, door Eva");
        assert_eq!(on_behalf(Lang::En, "Sanne", "Eva"), "on behalf of Sanne, by Eva");
    }
}
