//! The marketplace (EigenBudget phase 2): providers publish offerings in
//! their public catalogue; a citizen orders, which makes a *zorgovereenkomst*
//! in the agreement document shared by that citizen and that provider only;
//! the provider countersigns and declares delivered units; the citizen
//! approves (a spend against the reservation) or disputes.
//!
//! The agreement document belongs to the citizen, the provider is its only
//! other writer, and a write consent shares it with that provider alone. An
//! informal carer (family, a neighbour) is party to an agreement the same
//! way, in the family role and without a catalogue (see [`crate::informal`]). A
//! municipality that may read the citizen's budget also receives the
//! agreements, to verify the claims (see [`crate::claims`]).

use inwonercloud_schemas::{
    Access, Account, AgreedService, Agreement, AgreementCancellation, AgreementSignature, Approval, Date, Declaration,
    DocKind, EntryKind, LedgerEntry, Offering, PublicKey, Role, SchemaError, Unit, Verdict,
};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::budget::NewEntry;
use crate::error::{Result, VaultError};
use crate::keys;
use crate::plan::new_id;
use crate::vault::{Authored, Vault};

/// An offering with who offers it and how it compares with the policy.
#[derive(Clone, Debug, Serialize)]
pub struct OfferingView {
    /// The signed offering.
    pub offering: Authored<Offering>,
    /// The provider's identity.
    pub provider: PublicKey,
    /// The policy's example tariff for its category.
    pub example_tariff: Option<Decimal>,
    /// The policy's maximum tariff for its category.
    pub max_tariff: Option<Decimal>,
    /// The price is above the policy's maximum.
    pub above_max: bool,
    /// Names of the market authorities that admitted its provider (see
    /// [`crate::discovery`]); empty when none did.
    pub admitted_by: Vec<String>,
}

/// An agreement with its signatures, declarations and approvals.
#[derive(Clone, Debug, Serialize)]
pub struct AgreementView {
    /// The agreement document.
    pub doc: String,
    /// The citizen's signed agreement.
    pub agreement: Authored<Agreement>,
    /// The provider's countersignature, once given.
    pub countersigned: bool,
    /// Declarations with the citizen's verdict, if any.
    pub declarations: Vec<DeclarationView>,
    /// A party's notice ending it early, if given (see [`crate::cancellation`]).
    pub cancellation: Option<Authored<AgreementCancellation>>,
}

/// A declaration and what the citizen said of it.
#[derive(Clone, Debug, Serialize)]
pub struct DeclarationView {
    /// The provider's signed declaration.
    pub declaration: Authored<Declaration>,
    /// The budget holder's approval or dispute, if given.
    pub approval: Option<Authored<Approval>>,
}

impl DeclarationView {
    /// Waiting for the citizen.
    pub fn pending(&self) -> bool {
        self.approval.is_none()
    }
}

fn invalid(msg: impl Into<String>) -> VaultError {
    VaultError::Input(SchemaError::Invalid(msg.into()))
}

/// The terms of an agreement before it is signed (see
/// [`Vault::sign_and_reserve`]).
pub(crate) struct Terms {
    /// The agreement's id (fresh, or derived from a representative's commission).
    pub id: String,
    /// The other party: a provider or an informal carer.
    pub party: PublicKey,
    /// The party's name, for the consent and the reservation's note.
    pub party_name: String,
    /// The role the party writes the agreement document in.
    pub role: Role,
    /// The account paid from (id or name).
    pub account: String,
    /// The one service agreed.
    pub service: AgreedService,
    /// First day.
    pub period_start: Date,
    /// Last day.
    pub period_end: Date,
    /// With an informal carer at an informal tariff.
    pub informal: bool,
    /// The household member the care is for, if one.
    pub member: Option<inwonercloud_schemas::MemberRef>,
}

/// Refuses an account that does not count in euros: `what` (an agreement,
/// a transfer) is paid in euros, and an amount in euros booked on an hours
/// or points account would mix units in its ledger.
pub(crate) fn require_euros(account: &Account, what: &str) -> Result<()> {
    let unit = match account.unit {
        Unit::Euro => return Ok(()),
        Unit::Hours => "hours",
        Unit::Points => "points",
    };
    Err(invalid(format!(
        "account '{}' counts in {unit}, not euros, and {what} is paid in euros: choose a euro account",
        account.name
    )))
}

/// The reservation entry id of an agreement.
pub fn reservation_for(agreement_id: &str) -> String {
    format!("res-{agreement_id}")
}

impl Vault {
    /// A provider publishes (or replaces) an offering in its public catalogue.
    pub fn publish_offering(&mut self, o: Offering) -> Result<Offering> {
        self.transact(|v| v.publish_offering_in(o))
    }

    fn publish_offering_in(&mut self, mut o: Offering) -> Result<Offering> {
        if self.role() != Role::Provider {
            return Err(VaultError::NotAllowed(
                "only a care provider publishes offerings".into(),
            ));
        }
        if o.price <= Decimal::ZERO || o.price.scale() > 2 {
            return Err(invalid("the price is a euro amount above zero"));
        }
        if o.service.trim().is_empty() || o.category.trim().is_empty() {
            return Err(invalid("an offering needs a service and a category"));
        }
        if o.id.trim().is_empty() {
            o.id = new_id();
        }
        let doc = self.doc_id(DocKind::Catalogue);
        let id = o.id.clone();
        Ok(self.put_record(&doc, &id, o)?.record)
    }

    /// Every offering of every provider whose catalogue is held, with the
    /// policy's tariffs for comparison.
    pub fn offerings(&self) -> Result<Vec<OfferingView>> {
        let cat = self.catalogue();
        let admitted = self.admitted_providers()?;
        let mut out = Vec::new();
        for doc in self.document_ids() {
            let h = self.header(&doc)?;
            if h.kind != DocKind::Catalogue {
                continue;
            }
            let owner = h.owner;
            let (os, _) = self.records::<Offering>(&doc)?;
            for o in os.into_iter().filter(|o| o.author == owner) {
                let c = cat.get(&o.record.category);
                let max_tariff = c.and_then(|c| c.max_tariff);
                out.push(OfferingView {
                    above_max: max_tariff.is_some_and(|m| o.record.price > m),
                    example_tariff: c.map(|c| c.example_tariff),
                    max_tariff,
                    provider: owner,
                    offering: o,
                    admitted_by: admitted
                        .iter()
                        .filter(|a| a.admission.record.provider == owner)
                        .map(|a| a.by_name.clone())
                        .collect(),
                });
            }
        }
        out.sort_by(|a, b| {
            (&a.offering.record.category, a.offering.record.price)
                .cmp(&(&b.offering.record.category, b.offering.record.price))
        });
        Ok(out)
    }

    /// The citizen orders `max_units` of an offering, paid from `account`:
    /// signs the agreement, shares its document with the provider (and only
    /// that provider), and reserves tariff × units in the budget.
    pub fn order(
        &mut self,
        offering_id: &str,
        account: &str,
        max_units: Decimal,
        period_start: Date,
        period_end: Date,
    ) -> Result<Agreement> {
        self.order_for(None, offering_id, account, max_units, period_start, period_end)
    }

    /// [`Vault::order`] for one member of the household (a member id of the
    /// household plan): the agreement names the member, so the
    /// municipality's report shows the spend per member.
    pub fn order_for(
        &mut self,
        member: Option<&str>,
        offering_id: &str,
        account: &str,
        max_units: Decimal,
        period_start: Date,
        period_end: Date,
    ) -> Result<Agreement> {
        self.transact(|v| {
            v.order_as(
                new_id(),
                member,
                offering_id,
                account,
                max_units,
                period_start,
                period_end,
            )
        })
    }

    /// [`Vault::order`] inside the caller's transaction, making the
    /// agreement under the given id.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn order_as(
        &mut self,
        id: String,
        member: Option<&str>,
        offering_id: &str,
        account: &str,
        max_units: Decimal,
        period_start: Date,
        period_end: Date,
    ) -> Result<Agreement> {
        self.check_budget_holder("order")?;
        let member = member.map(|m| self.household_member(m)).transpose()?;
        let o = self
            .offerings()?
            .into_iter()
            .find(|o| o.offering.record.id == offering_id)
            .ok_or_else(|| VaultError::UnknownRecord {
                what: "offering",
                id: offering_id.to_string(),
            })?;
        // A provider found through a municipality: its address comes from the admission.
        self.learn_provider_route(&o.provider)?;
        // The tariff counts in the paying account's unit (see `crate::points`).
        let (tariff, tariff_unit) = self.price_from(account, &o.offering.record)?;
        let r = o.offering.record;
        self.sign_and_reserve(Terms {
            id,
            party: o.provider,
            party_name: r.provider.name.clone(),
            role: Role::Provider,
            account: account.to_string(),
            service: AgreedService {
                offering_id: r.id,
                category: r.category,
                unit: r.unit,
                tariff,
                tariff_unit,
                max_units,
            },
            period_start,
            period_end,
            informal: false,
            member,
        })
    }

    /// Refuses unless this vault holds its own budget (one who orders or
    /// agrees pays from it); `doing` names the action in the message.
    pub(crate) fn check_budget_holder(&self, doing: &str) -> Result<()> {
        let budget = self.budget_doc();
        if self.header(&budget)?.owner != self.identity() {
            return Err(VaultError::NotAllowed(format!("only a budget holder can {doing}")));
        }
        Ok(())
    }

    /// Signs an agreement on `t`, shares its document with the other party
    /// alone (a write consent in the party's role) and reserves tariff ×
    /// units in the budget: what an order and an informal agreement share.
    /// The account must count in euros and hold enough; runs inside the
    /// caller's transaction.
    pub(crate) fn sign_and_reserve(&mut self, t: Terms) -> Result<Agreement> {
        let budget = self.budget_doc();
        if t.period_end < t.period_start {
            return Err(VaultError::Input(SchemaError::EndsBeforeStart {
                start: t.period_start,
                end: t.period_end,
            }));
        }
        let units = t.service.max_units;
        if units <= Decimal::ZERO {
            return Err(invalid("order at least some units"));
        }
        let acc = self.find_account(&budget, &t.account)?;
        if acc.unit != t.service.tariff_unit {
            // A euro tariff (an informal carer's) on an hours or points account, or the reverse.
            require_euros(&acc, "an agreement at a euro tariff")?;
            return Err(invalid(format!(
                "account '{}' counts in euros, and this tariff counts in {}",
                acc.name,
                t.service.tariff_unit.label(inwonercloud_schemas::Lang::En)
            )));
        }
        let amount = t
            .service
            .tariff
            .checked_mul(units)
            .ok_or_else(|| invalid(format!("{units} × {} is too large to be an amount", t.service.tariff)))
            .and_then(|a| Ok(inwonercloud_schemas::market::units_times_tariff(a, acc.unit)?))?;
        let left = self
            .budget(&budget)?
            .report
            .accounts
            .get(&acc.id)
            .map(|f| f.remaining)
            .unwrap_or_default();
        if amount > left {
            return Err(VaultError::NotEnoughLeft {
                needed: amount,
                left,
                unit: acc.unit,
            });
        }
        let doc = self.open_agreement_doc_as(t.party, t.role)?;
        // Representatives who approve for the holder reach the new agreement too.
        self.extend_mandates_to(&doc)?;
        let shared = self
            .consents()?
            .iter()
            .any(|c| c.active && c.consent.record.grantee == t.party && c.consent.record.documents.contains(&doc));
        if !shared {
            let purpose = if t.informal {
                "zorgovereenkomst mantelzorg"
            } else {
                "zorgovereenkomst"
            };
            self.grant_consent(
                t.party,
                &t.party_name,
                t.role,
                vec![doc.clone()],
                Access::Write,
                None,
                purpose,
            )?;
        }
        let category = t.service.category.clone();
        let a = Agreement {
            id: t.id,
            citizen: self.identity(),
            provider: t.party,
            account: acc.id.clone(),
            services: vec![t.service],
            period_start: t.period_start,
            period_end: t.period_end,
            informal: t.informal,
            member: t.member,
        };
        let id = a.id.clone();
        let a = self.put_record(&doc, &id, a)?.record;
        let what = if t.informal {
            "zorgovereenkomst (mantelzorg)"
        } else {
            "zorgovereenkomst"
        };
        let res = LedgerEntry {
            id: reservation_for(&id),
            account: acc.id,
            kind: EntryKind::Reservation,
            amount,
            category: Some(category),
            date: t.period_start,
            note: format!("{what} {id} met {}", t.party_name),
            reference: Some(id.clone()),
        };
        self.put_record(&budget, &res.id.clone(), res)?;
        Ok(a)
    }

    /// Every agreement held, with its declarations and approvals.
    pub fn agreements(&self) -> Result<Vec<AgreementView>> {
        let mut out = Vec::new();
        for doc in self.document_ids() {
            out.extend(self.agreements_in(&doc)?);
        }
        Ok(out)
    }

    /// The agreements of one agreement document (none for other kinds).
    fn agreements_in(&self, doc: &str) -> Result<Vec<AgreementView>> {
        let mut out = Vec::new();
        let h = self.header(doc)?;
        if h.kind == DocKind::Agreement {
            let owner = h.owner;
            let (ags, _) = self.records::<Agreement>(doc)?;
            let (sigs, _) = self.records::<AgreementSignature>(doc)?;
            let (decls, _) = self.records::<Declaration>(doc)?;
            let (apps, _) = self.records::<Approval>(doc)?;
            // The holder's own verdict, or one a representative gave under
            // her mandate — never one by the party that declared.
            let (mandates, revocations) = self.mandates_of(&owner, Some(doc))?;
            let judged_for_holder = |x: &Authored<Approval>, d: &Authored<Declaration>| {
                x.author == owner
                    || (x.author != d.author
                        && crate::mandate::mandate_allows(
                            &mandates,
                            &revocations,
                            &owner,
                            &x.author,
                            crate::mandate::action_for_verdict(&x.record.verdict),
                            &x.record.id,
                            d.record.period_end,
                        )
                        .is_ok())
            };
            for a in ags
                .into_iter()
                .filter(|a| a.author == owner && a.record.citizen == owner)
            {
                let hash = keys::record_hash(&a.signed);
                let countersigned = sigs.iter().any(|s| {
                    s.author == a.record.provider
                        && s.record.agreement_id == a.record.id
                        && s.record.agreement_hash == hash
                });
                let declarations = decls
                    .iter()
                    .filter(|d| d.record.agreement_id == a.record.id && d.author == a.record.provider)
                    .map(|d| DeclarationView {
                        approval: apps
                            .iter()
                            .find(|x| x.record.declaration_id == d.record.id && judged_for_holder(x, d))
                            .cloned(),
                        declaration: d.clone(),
                    })
                    .collect();
                let cancellation = self.cancellation_of(doc, &a)?;
                out.push(AgreementView {
                    doc: doc.to_string(),
                    agreement: a,
                    countersigned,
                    declarations,
                    cancellation,
                });
            }
        }
        Ok(out)
    }

    /// The agreement with exactly this id, found through the documents' key
    /// maps (only documents holding that key are read and verified; two
    /// valid agreements with one id are refused).
    pub fn agreement(&self, id: &str) -> Result<AgreementView> {
        let id = id.trim();
        self.exact_record::<Agreement, _>("agreement", DocKind::Agreement, id, |v, doc| {
            Ok(v.agreements_in(doc)?.into_iter().find(|a| a.agreement.record.id == id))
        })
    }

    /// The declaration with exactly this id and its agreement.
    pub fn declaration(&self, id: &str) -> Result<(AgreementView, DeclarationView)> {
        let id = id.trim();
        self.exact_record::<Declaration, _>("declaration", DocKind::Agreement, id, |v, doc| {
            Ok(v.agreements_in(doc)?.into_iter().find_map(|a| {
                let d = a.declarations.iter().find(|d| d.declaration.record.id == id).cloned()?;
                Some((a, d))
            }))
        })
    }

    /// The provider (or informal carer) signs an agreement the citizen made.
    pub fn countersign(&mut self, agreement_id: &str) -> Result<AgreementSignature> {
        self.transact(|v| v.countersign_in(agreement_id))
    }

    fn countersign_in(&mut self, agreement_id: &str) -> Result<AgreementSignature> {
        let a = self.agreement(agreement_id)?;
        if a.agreement.record.provider != self.identity() {
            return Err(VaultError::NotAllowed("this agreement is not with you".into()));
        }
        let s = AgreementSignature {
            agreement_id: a.agreement.record.id.clone(),
            agreement_hash: keys::record_hash(&a.agreement.signed),
        };
        let key = format!("sig-{}", s.agreement_id);
        Ok(self.put_record(&a.doc, &key, s)?.record)
    }

    /// The provider (or informal carer) declares delivered units under a
    /// signed agreement.
    pub fn declare(
        &mut self,
        agreement_id: &str,
        units: Decimal,
        period_start: Date,
        period_end: Date,
        note: &str,
    ) -> Result<Declaration> {
        self.transact(|v| v.declare_in(agreement_id, units, period_start, period_end, note))
    }

    fn declare_in(
        &mut self,
        agreement_id: &str,
        units: Decimal,
        period_start: Date,
        period_end: Date,
        note: &str,
    ) -> Result<Declaration> {
        let a = self.agreement(agreement_id)?;
        let ag = &a.agreement.record;
        if ag.provider != self.identity() {
            return Err(VaultError::NotAllowed(
                "only the agreement's provider or informal carer declares".into(),
            ));
        }
        if !a.countersigned {
            return Err(invalid("sign the agreement first"));
        }
        let service = ag
            .services
            .first()
            .ok_or_else(|| invalid("the agreement has no service"))?;
        if units <= Decimal::ZERO {
            return Err(invalid("declare at least some units"));
        }
        let used = a
            .declarations
            .iter()
            .try_fold(Decimal::ZERO, |sum, d| sum.checked_add(d.declaration.record.units))
            .ok_or_else(|| invalid("the units declared so far are too large to add up"))?;
        if used.checked_add(units).is_none_or(|total| total > service.max_units) {
            return Err(invalid(format!(
                "{} units were agreed; {used} are declared already",
                service.max_units
            )));
        }
        if period_end > a.last_day() && a.cancellation.is_some() {
            return Err(invalid(format!(
                "the agreement was cancelled: its last day is {}",
                a.last_day()
            )));
        }
        if period_start < ag.period_start || period_end > ag.period_end || period_end < period_start {
            return Err(invalid("the period lies outside the agreement"));
        }
        let d = Declaration {
            id: new_id(),
            agreement_id: ag.id.clone(),
            offering_id: service.offering_id.clone(),
            category: service.category.clone(),
            units,
            tariff: service.tariff,
            tariff_unit: service.tariff_unit,
            period_start,
            period_end,
            note: note.trim().to_string(),
        };
        // Refused before anything is signed when units × tariff is unusable (points come out whole).
        d.amount()?;
        let id = d.id.clone();
        Ok(self.put_record(&a.doc, &id, d)?.record)
    }

    /// The budget holder approves a declaration (a spend against the
    /// agreement's reservation) or disputes it with a reason.
    pub fn judge_declaration(&mut self, declaration_id: &str, verdict: Verdict) -> Result<Approval> {
        self.transact(|v| v.judge_declaration_in(declaration_id, verdict))
    }

    fn judge_declaration_in(&mut self, declaration_id: &str, verdict: Verdict) -> Result<Approval> {
        let (a, d) = self.declaration(declaration_id)?;
        let citizen = a.agreement.record.citizen;
        let approval_id = new_id();
        // A representative acts for the holder with her own signature, under
        // a mandate the holder signed for this action (see `crate::mandate`).
        let for_holder = citizen != self.identity();
        if for_holder && a.agreement.record.provider == self.identity() {
            return Err(VaultError::NotAllowed(
                "you declared this yourself: the budget holder (or another representative) approves or disputes it"
                    .into(),
            ));
        }
        if for_holder {
            let (mandates, revocations) = self.mandates_of(&citizen, Some(&a.doc))?;
            crate::mandate::mandate_allows(
                &mandates,
                &revocations,
                &citizen,
                &self.identity(),
                crate::mandate::action_for_verdict(&verdict),
                &approval_id,
                d.declaration.record.period_end,
            )
            .map_err(|why| {
                VaultError::NotAllowed(format!(
                    "only the budget holder, or a representative with her mandate for it, approves or disputes \
                     declarations: {why}"
                ))
            })?;
        }
        if d.approval.is_some() {
            return Err(invalid("this declaration was judged already"));
        }
        if let Verdict::Betwist { reason } = &verdict
            && reason.trim().is_empty()
        {
            return Err(invalid("say why you dispute the declaration"));
        }
        let decl = &d.declaration.record;
        if verdict == Verdict::Goedgekeurd
            && !a
                .agreement
                .record
                .services
                .iter()
                .any(|s| s.offering_id == decl.offering_id && s.category == decl.category)
        {
            return Err(invalid(format!(
                "this declares {} under a service agreed as another category: dispute it",
                decl.category
            )));
        }
        if verdict == Verdict::Goedgekeurd
            && let Some(s) = a
                .agreement
                .record
                .services
                .iter()
                .find(|s| s.offering_id == decl.offering_id)
            && s.tariff_unit != decl.tariff_unit
        {
            return Err(invalid(format!(
                "this declares a tariff in {}, but the agreed service counts in {}: dispute it",
                decl.tariff_unit.label(inwonercloud_schemas::Lang::En),
                s.tariff_unit.label(inwonercloud_schemas::Lang::En)
            )));
        }
        if verdict == Verdict::Goedgekeurd && a.cancellation.is_some() && decl.period_end > a.last_day() {
            return Err(invalid(format!(
                "this declares care after {}, the agreement's last day once it was cancelled: dispute it",
                a.last_day()
            )));
        }
        // An approval is refused before anything is signed when the amount is unusable.
        let amount = match &verdict {
            Verdict::Goedgekeurd => decl.amount()?,
            _ => Decimal::ZERO,
        };
        let approval = Approval {
            id: approval_id,
            declaration_id: decl.id.clone(),
            declaration_hash: keys::record_hash(&d.declaration.signed),
            verdict: verdict.clone(),
        };
        let key = approval.id.clone();
        let approval = self.put_record(&a.doc, &key, approval)?.record;
        if verdict == Verdict::Goedgekeurd {
            // The holder's budget, whoever approves.
            let budget = DocKind::Budget.doc_id(&citizen);
            self.write_entry(
                &budget,
                NewEntry {
                    account: a.agreement.record.account.clone(),
                    kind: EntryKind::Spend,
                    amount,
                    category: Some(decl.category.clone()),
                    date: decl.period_end,
                    note: format!(
                        "declaratie {} van {} ({} × {}{})",
                        decl.id,
                        self.display_name(&a.agreement.record.provider),
                        // Written the Dutch way, as the rest of the note: "12 × 58,00".
                        decl.units.normalize().to_string().replace('.', ","),
                        decl.tariff.to_string().replace('.', ","),
                        // "(8 × 12 punten)": a tariff in points or hours names its unit.
                        if decl.tariff_unit.is_euro() {
                            String::new()
                        } else {
                            format!(" {}", decl.tariff_unit)
                        }
                    ),
                    reference: Some(reservation_for(&a.agreement.record.id)),
                },
                for_holder,
            )?;
        }
        Ok(approval)
    }

    /// Frees what is still reserved for agreements whose period ended
    /// before `today`: one signed release per agreement, referring to its
    /// reservation, all in one transaction. Returns the releases written
    /// (none when nothing is left reserved, so calling it again does
    /// nothing). Only the budget holder's vault writes them.
    pub fn release_ended_reservations(&mut self, today: Date) -> Result<Vec<LedgerEntry>> {
        let me = self.identity();
        let budget = self.budget_doc();
        if !self.docs_map().contains_key(&budget) {
            return Ok(vec![]);
        }
        let ended: Vec<(Agreement, Date)> = self
            .agreements()?
            .into_iter()
            .filter(|a| a.agreement.record.citizen == me && a.last_day() < today)
            .map(|a| {
                let last = a.last_day();
                (a.agreement.record, last)
            })
            .collect();
        if ended.is_empty() {
            return Ok(vec![]);
        }
        let lines = self.budget(&budget)?.report.lines;
        let mut todo: Vec<(Agreement, Date, Decimal)> = vec![];
        for (a, last) in ended {
            let left = reservation_left(&lines, &me, &reservation_for(&a.id));
            if left > Decimal::ZERO {
                todo.push((a, last, left));
            }
        }
        if todo.is_empty() {
            return Ok(vec![]);
        }
        self.transact(|v| {
            let mut out = vec![];
            for (a, last, left) in todo {
                out.push(v.record_entry(
                    &budget,
                    NewEntry {
                        account: a.account.clone(),
                        kind: EntryKind::Release,
                        amount: left,
                        category: a.services.first().map(|s| s.category.clone()),
                        date: today,
                        note: format!(
                            "einde zorgovereenkomst {} ({}): niet gebruikte reservering vrijgegeven",
                            a.id,
                            last.show(inwonercloud_schemas::Lang::Nl)
                        ),
                        reference: Some(reservation_for(&a.id)),
                    },
                )?);
            }
            Ok(out)
        })
    }

    /// Frees `amount` (all that is left when `None`) of reservation
    /// `reservation` (its entry id, or the id of the agreement it was made
    /// for) with a signed release naming it. Refused beyond what is left.
    pub fn release_reservation(
        &mut self,
        reservation: &str,
        amount: Option<Decimal>,
        today: Date,
        note: &str,
    ) -> Result<LedgerEntry> {
        let me = self.identity();
        let budget = self.budget_doc();
        self.check_budget_holder("release a reservation")?;
        let lines = self.budget(&budget)?.report.lines;
        let reservation = reservation.trim();
        let found = lines
            .iter()
            .filter(|l| l.author == me && l.entry.kind == EntryKind::Reservation)
            .find(|l| l.entry.id == reservation || l.entry.id == reservation_for(reservation))
            .map(|l| l.entry.clone())
            .ok_or_else(|| VaultError::UnknownRecord {
                what: "reservation",
                id: reservation.to_string(),
            })?;
        let left = reservation_left(&lines, &me, &found.id);
        let amount = amount.unwrap_or(left);
        if amount <= Decimal::ZERO || amount > left {
            return Err(invalid(format!(
                "{left} is left of this reservation: release more than nothing and not more than that"
            )));
        }
        self.transact(|v| {
            v.record_entry(
                &budget,
                NewEntry {
                    account: found.account.clone(),
                    kind: EntryKind::Release,
                    amount,
                    category: found.category.clone(),
                    date: today,
                    note: if note.trim().is_empty() {
                        format!("vrijgegeven uit reservering {}", found.id)
                    } else {
                        note.trim().to_string()
                    },
                    reference: Some(found.id.clone()),
                },
            )
        })
    }
}

/// What is still reserved under reservation `rid`: its amount less the
/// spends and releases that name it, counting the holder's entries and the
/// spends a representative booked for her (the ledger refuses those no
/// mandate allows).
pub fn reservation_left(lines: &[crate::ledger::EntryLine], me: &PublicKey, rid: &str) -> Decimal {
    let counted = |l: &&crate::ledger::EntryLine| {
        (&l.author == me || l.entry.kind == EntryKind::Spend)
            && !matches!(l.status, crate::ledger::EntryStatus::Refused { .. })
    };
    let reserved: Decimal = lines
        .iter()
        .filter(counted)
        .filter(|l| l.entry.kind == EntryKind::Reservation && l.entry.id == rid)
        .map(|l| l.entry.amount)
        .sum();
    let used: Decimal = lines
        .iter()
        .filter(counted)
        .filter(|l| {
            matches!(l.entry.kind, EntryKind::Release | EntryKind::Spend) && l.entry.reference.as_deref() == Some(rid)
        })
        .map(|l| l.entry.amount)
        .sum();
    reserved - used
}
