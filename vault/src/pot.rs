//! Wijkbudget (neighbourhood pot) as its partners run it (Oss, Proeftuin
//! Ruwaard): the municipality (or a partnership) owns a pot document
//! (`<owner>/pot/<slug>`, [`DocKind::Pot`]); the participating organisations
//! are its writers, each added by a write consent of the owner in the
//! provider role, so sync gives every partner the same signed records.
//!
//! Who makes a record count is decided here, on read, from the signatures
//! and the owner-signed header — never from arrival order:
//!
//! 1. [`PotInfo`], [`PotPartner`], [`PotFunding`] (the subsidy in) and
//!    [`OrgRoom`] (each organisation's room) count only when signed by the
//!    pot's owner.
//! 2. A [`PotSpend`] counts only when signed by the organisation whose room
//!    it books against, which must be a partner the owner named and a writer
//!    in the provider role; the resident is a pseudonym, never a name or BSN.
//! 3. A [`PotRebalance`] moving room from A to B counts only when signed by
//!    A (the giver) or by the owner — never by the receiver alone.
//! 4. A spend that books a marketplace declaration ([`DeclarationRef`]: its
//!    id, record hash and the provider's signed declaration, which names no
//!    citizen) counts once per declaration in a pot, as individual support.
//!    Every partner checks from the pot alone that the declaration's
//!    signature holds, that the booking organisation signed it with exactly
//!    that hash, and that the spend's amount and category are its own.
//!    Where the agreement document is held — the booking provider itself,
//!    and a municipality the citizen shares her budget with — the rest is
//!    checked too ([`DeclarationCheck`]): the citizen's signed agreement, the
//!    provider's countersignature, the budget holder's signed approval of
//!    that hash, and the resident being the pseudonym [`resident_pseudonym`]
//!    derives from the citizen's key; otherwise the spend does not count. A
//!    partner that does not hold the agreement (it is shared with the
//!    provider alone) trusts the booking organisation's signature for the
//!    approval and the pseudonym, as it does for a plain spend; the dashboard
//!    says which.
//! 5. A partner the owner removed ([`Vault::pot_remove_partner`]: its write
//!    consent revoked) keeps the spends the owner held when it was removed
//!    (the header's cut-off); later changes of it are refused at the gate.
//!
//! The [`PotDashboard`] is a pure function of those records in content order
//! (date, id, signer), so every partner computes the same figures to the
//! cent. Booking refuses a spend beyond the organisation's room; spends
//! booked offline at the same time can still go beyond it: they are flagged
//! with the part not covered, never dropped. An organisation that used 90 %
//! or more of its room gets an alert before it goes over.

use std::collections::{BTreeMap, BTreeSet};

use inwonercloud_schemas::{
    Access, Date, DeclarationRef, DocKind, Lang, MAX_ENTRY_AMOUNT, OrgRoom, PotFunding, PotInfo, PotPartner,
    PotRebalance, PotSpend, PublicKey, Role, SchemaError, SupportKind, Unit, Verdict, format_euros,
};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Result, VaultError};
use crate::keys;
use crate::plan::new_id;
use crate::vault::{Authored, Vault};

/// The share of its room at which an organisation gets an alert (90 %).
pub const ALERT_PERCENT: i64 = 90;

/// The record key of a pot's [`PotInfo`].
const INFO_KEY: &str = "info";

/// What an organisation types to book one spend ([`Vault::pot_spend`]).
#[derive(Clone, Debug)]
pub struct NewPotSpend {
    /// The resident's pseudonym (letters, digits, `-` or `_`; not a BSN).
    pub resident: String,
    /// Individual, collective or prevention.
    pub kind: SupportKind,
    /// Category code.
    pub category: String,
    /// Euros, two decimals at most.
    pub amount: Decimal,
    /// Day of the support.
    pub date: Date,
    /// Free text (no names).
    pub note: String,
}

/// One organisation's figures in a pot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OrgFigures {
    /// The organisation.
    pub organisation: PublicKey,
    /// Its name as the owner recorded it.
    pub name: String,
    /// Room the owner set.
    pub base_room: Decimal,
    /// Room received (+) or given (−) by counted rebalances.
    pub rebalanced: Decimal,
    /// Room after rebalancing.
    pub room: Decimal,
    /// Spent against the room.
    pub spent: Decimal,
    /// Room left (negative: beyond its room).
    pub left: Decimal,
    /// Spent as a percentage of the room, one decimal (`None` without room).
    pub percent: Option<Decimal>,
    /// Used 90 % or more of its room, not beyond it yet.
    pub alert: bool,
    /// Spent beyond its room.
    pub over: bool,
    /// Distinct residents helped.
    pub residents: usize,
    /// Spent per month (`YYYY-MM`).
    pub per_month: BTreeMap<String, Decimal>,
    /// Spent per category code.
    pub per_category: BTreeMap<String, Decimal>,
    /// Spent per kind of support.
    pub per_kind: BTreeMap<SupportKind, Decimal>,
    /// Of the spending, what booked marketplace declarations.
    pub marketplace: Decimal,
    /// The owner removed it as a partner: its earlier spends still count,
    /// it books nothing more.
    pub removed: bool,
}

/// What this vault could check of a marketplace declaration a spend books.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum DeclarationCheck {
    /// This vault holds the agreement and checked every signature and rule.
    Verified,
    /// This vault does not hold the agreement (shared with the provider
    /// alone): counted on the booking organisation's signature.
    NotHeld,
    /// Held here, and a rule fails (why): the spend does not count.
    Broken(String),
}

/// A counted spend with the organisation's name and the part its room did
/// not cover (zero when covered).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PotSpendLine {
    /// The signed spend.
    pub spend: PotSpend,
    /// The organisation's name.
    pub organisation_name: String,
    /// Euros beyond the room, in content order (flagged, still counted).
    pub uncovered: Decimal,
    /// For a spend booking a marketplace declaration: what this vault
    /// could check of it (`None` for other spends).
    pub declaration: Option<DeclarationCheck>,
}

/// A counted rebalance, with both names and who signed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RebalanceLine {
    /// The signed rebalance.
    pub rebalance: PotRebalance,
    /// The giving organisation's name.
    pub from_name: String,
    /// The receiving organisation's name.
    pub to_name: String,
    /// The signer's name (the giver or the owner).
    pub signed_by: String,
}

/// A record in the pot that does not count, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotCounted {
    /// Which record kind (`pot_spend`, `pot_rebalance`, …).
    pub kind: &'static str,
    /// Its id.
    pub id: String,
    /// Who signed it (its certificate's name).
    pub signer: String,
    /// Why it does not count.
    pub why: String,
}

/// The pseudonym a resident has in one pot, derived from the citizen's key:
/// `M-` and 12 hex digits of SHA-256 over a domain tag, the pot's id and the
/// key. The same citizen has the same pseudonym in a pot whoever books for
/// her, another one in every other pot, and never her name.
pub fn resident_pseudonym(pot: &str, citizen: &PublicKey) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(b"inwonercloud/pot-resident/v1\0");
    h.update(pot.as_bytes());
    h.update([0u8]);
    h.update(citizen.as_bytes());
    let digest = h.finalize();
    format!("M-{}", hex::encode(&digest[..6]))
}

/// The figures every partner of a pot sees, the same to the cent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PotDashboard {
    /// The pot document.
    pub doc: String,
    /// The pot's name.
    pub name: String,
    /// The owner (municipality or partnership).
    pub owner: PublicKey,
    /// The owner's name (its certificate's).
    pub owner_name: String,
    /// First day of the pot's period.
    pub period_start: Option<Date>,
    /// Last day of the pot's period.
    pub period_end: Option<Date>,
    /// Subsidy put in.
    pub funded: Decimal,
    /// Room set for organisations in all.
    pub assigned: Decimal,
    /// Subsidy not in any organisation's room.
    pub unassigned: Decimal,
    /// Spent in all.
    pub spent: Decimal,
    /// Subsidy left.
    pub left: Decimal,
    /// Per organisation, by name.
    pub organisations: Vec<OrgFigures>,
    /// Spent per month (`YYYY-MM`).
    pub per_month: BTreeMap<String, Decimal>,
    /// Spent per category code.
    pub per_category: BTreeMap<String, Decimal>,
    /// Spent per kind of support.
    pub per_kind: BTreeMap<SupportKind, Decimal>,
    /// Spent per month and organisation name.
    pub per_month_org: BTreeMap<String, BTreeMap<String, Decimal>>,
    /// Distinct residents helped.
    pub residents: usize,
    /// Counted funding, in content order.
    pub fundings: Vec<PotFunding>,
    /// Counted spends, in content order.
    pub spends: Vec<PotSpendLine>,
    /// Counted rebalances, in content order.
    pub rebalances: Vec<RebalanceLine>,
    /// Records that do not count, with the reason.
    pub not_counted: Vec<NotCounted>,
}

impl PotDashboard {
    /// One organisation's figures.
    pub fn organisation(&self, org: &PublicKey) -> Option<&OrgFigures> {
        self.organisations.iter().find(|o| &o.organisation == org)
    }

    /// Names of organisations with an alert (90 % or more used).
    pub fn alerts(&self) -> Vec<String> {
        self.organisations
            .iter()
            .filter(|o| o.alert)
            .map(|o| o.name.clone())
            .collect()
    }

    /// Names of organisations beyond their room.
    pub fn over(&self) -> Vec<String> {
        self.organisations
            .iter()
            .filter(|o| o.over)
            .map(|o| o.name.clone())
            .collect()
    }
}

fn invalid(msg: impl Into<String>) -> VaultError {
    VaultError::Input(SchemaError::Invalid(msg.into()))
}

fn euros_ok(amount: Decimal) -> bool {
    amount > Decimal::ZERO && amount.scale() <= 2 && amount <= Decimal::from(MAX_ENTRY_AMOUNT)
}

/// Why `text` is not a resident pseudonym (3–40 letters, digits, `-` or `_`,
/// with at least one letter, so never a BSN or a name with spaces), if not.
pub fn pseudonym_problem(text: &str) -> Option<&'static str> {
    let n = text.chars().count();
    if !(3..=40).contains(&n) {
        return Some("a resident pseudonym is 3 to 40 characters");
    }
    if !text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Some("a resident pseudonym holds only letters, digits, - and _ (no names, no spaces)");
    }
    if !text.chars().any(|c| c.is_ascii_alphabetic()) {
        return Some("a resident pseudonym needs a letter: a number alone could be a BSN");
    }
    None
}

fn category_ok(code: &str) -> bool {
    (1..=60).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A document-id-safe slug of a pot name.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Why the declaration a spend carries does not back it, checked from the
/// pot alone so every partner finds the same: the reference names the
/// declaration carried, its hash is that declaration's, the booking
/// organisation signed it (and the signature holds), and the spend's amount
/// and category are the declaration's, in euros.
fn declaration_problem(sp: &PotSpend, r: &DeclarationRef) -> Option<&'static str> {
    let decl = &r.signed.record;
    if decl.id != r.id {
        Some("the spend names another declaration than the one it carries")
    } else if keys::record_hash(&r.signed) != r.hash {
        Some("the declaration's hash does not match the signed declaration: it was altered")
    } else if r.signed.author() != &sp.organisation {
        Some("the declaration was not made by the organisation whose room it books against")
    } else if keys::verify_record(&r.signed).is_err() {
        Some("the declaration's signature does not verify")
    } else if decl.tariff_unit != Unit::Euro || decl.amount().ok() != Some(sp.amount) {
        Some("the amount differs from the declaration's")
    } else if decl.category != sp.category {
        Some("the category differs from the declaration's")
    } else {
        None
    }
}

/// Content order of a signed record: date, id, signer.
fn order_key(date: Date, id: &str, author: &PublicKey) -> (Date, String, PublicKey) {
    (date, id.to_string(), *author)
}

/// The dashboard of one pot from its verified records: a pure function of
/// what was signed, so every replica computes the same figures.
fn compute(
    doc: &str,
    owner: PublicKey,
    records: PotRecords,
    removed: &BTreeSet<PublicKey>,
    check: &dyn Fn(&PotSpend, &DeclarationRef) -> DeclarationCheck,
) -> PotDashboard {
    let PotRecords {
        infos,
        partners,
        fundings,
        rooms,
        spends,
        rebalances,
    } = records;
    let mut not_counted = vec![];
    let mut refuse = |kind: &'static str, id: &str, signer: &str, why: &str| {
        not_counted.push(NotCounted {
            kind,
            id: id.to_string(),
            signer: signer.to_string(),
            why: why.to_string(),
        })
    };
    // 1. The owner's records.
    let info = infos.iter().find(|i| i.author == owner);
    let owner_name = info.map(|i| i.author_name.clone()).unwrap_or_default();
    let mut names: BTreeMap<PublicKey, String> = BTreeMap::new();
    for p in &partners {
        if p.author != owner {
            refuse(
                "pot_partner",
                &p.record.name,
                &p.author_name,
                "only the pot's owner names partners",
            );
        } else {
            names.insert(p.record.organisation, p.record.name.clone());
        }
    }
    let is_partner = |k: &PublicKey, role: Option<Role>| names.contains_key(k) && role == Some(Role::Provider);
    let mut funds: Vec<&Authored<PotFunding>> = vec![];
    let mut seen = BTreeSet::new();
    let mut sorted_fundings: Vec<&Authored<PotFunding>> = fundings.iter().collect();
    sorted_fundings.sort_by_key(|f| order_key(f.record.date, &f.record.id, &f.author));
    for f in sorted_fundings {
        if f.author != owner {
            refuse(
                "pot_funding",
                &f.record.id,
                &f.author_name,
                "only the pot's owner puts money in",
            );
        } else if !euros_ok(f.record.amount) {
            refuse(
                "pot_funding",
                &f.record.id,
                &f.author_name,
                "not a euro amount above zero",
            );
        } else if seen.insert(f.record.id.clone()) {
            funds.push(f);
        }
    }
    let mut base: BTreeMap<PublicKey, (u64, Decimal)> = BTreeMap::new();
    for r in &rooms {
        let org = r.record.organisation;
        if r.author != owner {
            refuse(
                "pot_org_room",
                &org.short(),
                &r.author_name,
                "only the pot's owner sets room",
            );
        } else if !names.contains_key(&org) {
            refuse(
                "pot_org_room",
                &org.short(),
                &r.author_name,
                "room for an organisation that is no partner",
            );
        } else if r.record.amount < Decimal::ZERO || r.record.amount.scale() > 2 {
            refuse(
                "pot_org_room",
                &org.short(),
                &r.author_name,
                "room is a euro amount of zero or more",
            );
        } else {
            let slot = base.entry(org).or_insert((0, Decimal::ZERO));
            if (r.signed_at, r.record.amount) >= *slot {
                *slot = (r.signed_at, r.record.amount);
            }
        }
    }
    let period = info.map(|i| (i.record.period_start, i.record.period_end));
    let in_period = |d: Date| period.is_none_or(|(s, e)| s <= d && d <= e);
    // 3. Rebalances: by the giver or the owner.
    let mut moved: BTreeMap<PublicKey, Decimal> = BTreeMap::new();
    let mut rebalance_lines = vec![];
    let mut sorted_reb: Vec<&Authored<PotRebalance>> = rebalances.iter().collect();
    sorted_reb.sort_by_key(|r| order_key(r.record.date, &r.record.id, &r.author));
    let mut seen = BTreeSet::new();
    for r in sorted_reb {
        let b = &r.record;
        let by_giver = r.author == b.from && is_partner(&r.author, r.author_role);
        let why = if !(by_giver || r.author == owner) {
            Some("a rebalance counts only when signed by the organisation that gives room, or by the pot's owner")
        } else if b.from == b.to {
            Some("room moved to the same organisation")
        } else if !names.contains_key(&b.from) || !names.contains_key(&b.to) {
            Some("both organisations must be partners")
        } else if !euros_ok(b.amount) {
            Some("not a euro amount above zero")
        } else if !seen.insert(b.id.clone()) {
            Some("the same rebalance id twice")
        } else {
            None
        };
        if let Some(why) = why {
            refuse("pot_rebalance", &b.id, &r.author_name, why);
            continue;
        }
        *moved.entry(b.from).or_default() -= b.amount;
        *moved.entry(b.to).or_default() += b.amount;
        rebalance_lines.push(RebalanceLine {
            rebalance: b.clone(),
            from_name: names.get(&b.from).cloned().unwrap_or_default(),
            to_name: names.get(&b.to).cloned().unwrap_or_default(),
            signed_by: r.author_name.clone(),
        });
    }
    // 2. Spends: by the organisation whose room pays.
    let mut figures: BTreeMap<PublicKey, OrgFigures> = names
        .iter()
        .map(|(k, n)| {
            let base_room = base.get(k).map(|b| b.1).unwrap_or_default();
            let rebalanced = moved.get(k).copied().unwrap_or_default();
            (
                *k,
                OrgFigures {
                    organisation: *k,
                    name: n.clone(),
                    base_room,
                    rebalanced,
                    room: base_room + rebalanced,
                    spent: Decimal::ZERO,
                    left: Decimal::ZERO,
                    percent: None,
                    alert: false,
                    over: false,
                    residents: 0,
                    per_month: BTreeMap::new(),
                    per_category: BTreeMap::new(),
                    per_kind: BTreeMap::new(),
                    marketplace: Decimal::ZERO,
                    removed: removed.contains(k),
                },
            )
        })
        .collect();
    let mut sorted_spends: Vec<&Authored<PotSpend>> = spends.iter().collect();
    sorted_spends.sort_by_key(|s| order_key(s.record.date, &s.record.id, &s.author));
    let mut seen = BTreeSet::new();
    let mut declarations_seen = BTreeSet::new();
    let mut lines = vec![];
    let mut residents: BTreeSet<&str> = BTreeSet::new();
    let mut org_residents: BTreeMap<PublicKey, BTreeSet<&str>> = BTreeMap::new();
    let mut per_month = BTreeMap::new();
    let mut per_category = BTreeMap::new();
    let mut per_kind = BTreeMap::new();
    let mut per_month_org: BTreeMap<String, BTreeMap<String, Decimal>> = BTreeMap::new();
    for s in sorted_spends {
        let sp = &s.record;
        let why = if s.author != sp.organisation {
            Some("a spend counts only when signed by the organisation whose room it books against")
        } else if !is_partner(&s.author, s.author_role) {
            Some("signed by an organisation that is no partner of this pot")
        } else if !euros_ok(sp.amount) {
            Some("not a euro amount above zero")
        } else if let Some(p) = pseudonym_problem(&sp.resident) {
            Some(p)
        } else if !category_ok(&sp.category) {
            Some("not a category code")
        } else if !in_period(sp.date) {
            Some("outside the pot's period")
        } else if seen.contains(&sp.id) {
            Some("the same spend id twice")
        } else {
            None
        };
        if let Some(why) = why {
            refuse("pot_spend", &sp.id, &s.author_name, why);
            continue;
        }
        // 4. A marketplace declaration: individual support, checked where
        //    held, once per pot (a broken booking takes no declaration's place).
        let declaration = match &sp.declaration {
            None => None,
            Some(r) => {
                let verdict = check(sp, r);
                let why = if sp.kind != SupportKind::Individual {
                    Some("a marketplace declaration is individual support".to_string())
                } else if let Some(why) = declaration_problem(sp, r) {
                    Some(why.to_string())
                } else if let DeclarationCheck::Broken(why) = &verdict {
                    Some(why.clone())
                } else if declarations_seen.contains(&r.id) || declarations_seen.contains(&r.hash.to_string()) {
                    Some("this declaration is already counted in this pot".to_string())
                } else {
                    None
                };
                if let Some(why) = why {
                    refuse("pot_spend", &sp.id, &s.author_name, &why);
                    continue;
                }
                declarations_seen.insert(r.id.clone());
                declarations_seen.insert(r.hash.to_string());
                Some(verdict)
            }
        };
        seen.insert(sp.id.clone());
        let Some(f) = figures.get_mut(&sp.organisation) else {
            continue;
        };
        let before = f.spent;
        f.spent += sp.amount;
        if declaration.is_some() {
            f.marketplace += sp.amount;
        }
        let uncovered = (f.spent - f.room.max(before)).max(Decimal::ZERO).min(sp.amount);
        *f.per_month.entry(sp.date.month_key()).or_default() += sp.amount;
        *f.per_category.entry(sp.category.clone()).or_default() += sp.amount;
        *f.per_kind.entry(sp.kind).or_default() += sp.amount;
        *per_month.entry(sp.date.month_key()).or_default() += sp.amount;
        *per_category.entry(sp.category.clone()).or_default() += sp.amount;
        *per_kind.entry(sp.kind).or_default() += sp.amount;
        *per_month_org
            .entry(sp.date.month_key())
            .or_default()
            .entry(f.name.clone())
            .or_default() += sp.amount;
        residents.insert(sp.resident.as_str());
        org_residents
            .entry(sp.organisation)
            .or_default()
            .insert(sp.resident.as_str());
        lines.push(PotSpendLine {
            spend: sp.clone(),
            organisation_name: f.name.clone(),
            uncovered,
            declaration,
        });
    }
    let hundred = Decimal::from(100);
    let mut organisations: Vec<OrgFigures> = figures
        .into_values()
        .map(|mut f| {
            f.left = f.room - f.spent;
            f.residents = org_residents.get(&f.organisation).map_or(0, |r| r.len());
            f.percent = (f.room > Decimal::ZERO).then(|| (f.spent * hundred / f.room).round_dp(1));
            f.over = f.spent > f.room;
            f.alert = !f.over && f.room > Decimal::ZERO && f.spent * hundred >= f.room * Decimal::from(ALERT_PERCENT);
            f
        })
        .collect();
    organisations.sort_by(|a, b| a.name.cmp(&b.name).then(a.organisation.cmp(&b.organisation)));
    let funded: Decimal = funds.iter().map(|f| f.record.amount).sum();
    let assigned: Decimal = organisations.iter().map(|o| o.base_room).sum();
    let spent: Decimal = organisations.iter().map(|o| o.spent).sum();
    PotDashboard {
        doc: doc.to_string(),
        name: info.map(|i| i.record.name.clone()).unwrap_or_default(),
        owner,
        owner_name,
        period_start: period.map(|p| p.0),
        period_end: period.map(|p| p.1),
        funded,
        assigned,
        unassigned: funded - assigned,
        spent,
        left: funded - spent,
        organisations,
        per_month,
        per_category,
        per_kind,
        per_month_org,
        residents: residents.len(),
        fundings: funds.into_iter().map(|f| f.record.clone()).collect(),
        spends: lines,
        rebalances: rebalance_lines,
        not_counted,
    }
}

/// Every verified record of a pot document, by kind.
struct PotRecords {
    infos: Vec<Authored<PotInfo>>,
    partners: Vec<Authored<PotPartner>>,
    fundings: Vec<Authored<PotFunding>>,
    rooms: Vec<Authored<OrgRoom>>,
    spends: Vec<Authored<PotSpend>>,
    rebalances: Vec<Authored<PotRebalance>>,
}

impl Vault {
    /// The pot documents held here (owned or shared as a partner), by id.
    pub fn pots(&self) -> Vec<String> {
        self.document_ids()
            .into_iter()
            .filter(|d| self.header(d).is_ok_and(|h| h.kind == DocKind::Pot))
            .collect()
    }

    /// Creates a pot owned by this vault (a municipality or a partnership's
    /// organisation) with its name and period; returns the document id
    /// `<owner>/pot/<slug of the name>`.
    pub fn create_pot(&mut self, name: &str, period_start: Date, period_end: Date) -> Result<String> {
        self.transact(|v| v.create_pot_in(name, period_start, period_end))
    }

    fn create_pot_in(&mut self, name: &str, period_start: Date, period_end: Date) -> Result<String> {
        if matches!(self.role(), Role::Citizen | Role::Family) {
            return Err(VaultError::NotAllowed(
                "a wijkbudget is held by a municipality or the partnership's organisation, not by a person".into(),
            ));
        }
        let name = name.trim();
        if name.is_empty() {
            return Err(invalid("a pot needs a name"));
        }
        if period_end < period_start {
            return Err(VaultError::Input(SchemaError::EndsBeforeStart {
                start: period_start,
                end: period_end,
            }));
        }
        let s = slug(name);
        let s = if s.is_empty() { new_id() } else { s };
        let id = format!("{}/{}/{s}", self.identity(), DocKind::Pot.code());
        if self.docs_map().contains_key(&id) {
            return Err(VaultError::AlreadyExists(format!("a pot named {name}")));
        }
        let id = self.create_pot_document(id)?;
        let info = PotInfo {
            name: name.to_string(),
            period_start,
            period_end,
        };
        self.put_record(&id, INFO_KEY, info)?;
        Ok(id)
    }

    fn require_pot(&self, pot: &str) -> Result<PublicKey> {
        let h = self.header(pot)?;
        if h.kind != DocKind::Pot {
            return Err(invalid(format!("{pot} is not a wijkbudget")));
        }
        Ok(h.owner)
    }

    fn require_pot_owner(&self, pot: &str, what: &str) -> Result<()> {
        if self.require_pot(pot)? != self.identity() {
            return Err(VaultError::NotAllowed(format!("only the pot's owner {what}")));
        }
        Ok(())
    }

    /// Adds an organisation (a known peer) as a partner: a write consent in
    /// the provider role on the pot document (so it may write and receives
    /// the pot) and its name as a signed partner record. Owner only.
    pub fn pot_add_partner(&mut self, pot: &str, organisation: PublicKey, name: &str) -> Result<PotPartner> {
        self.transact(|v| v.pot_add_partner_in(pot, organisation, name))
    }

    fn pot_add_partner_in(&mut self, pot: &str, organisation: PublicKey, name: &str) -> Result<PotPartner> {
        self.require_pot_owner(pot, "adds partners")?;
        keys::checked_key(&organisation)?;
        if organisation == self.identity() {
            return Err(invalid("the owner is not a partner of its own pot"));
        }
        let name = match name.trim() {
            "" => self.display_name(&organisation),
            n => n.to_string(),
        };
        let has_consents = self.docs_map().contains_key(&self.consents_doc());
        let shared = has_consents
            && self.consents()?.iter().any(|c| {
                c.active
                    && c.consent.record.grantee == organisation
                    && c.consent.record.access == Access::Write
                    && c.consent.record.role == Role::Provider
                    && c.consent.record.documents.iter().any(|d| d == pot)
            });
        if !shared {
            self.grant_consent(
                organisation,
                &name,
                Role::Provider,
                vec![pot.to_string()],
                Access::Write,
                None,
                "partner in het wijkbudget",
            )?;
        }
        let p = PotPartner { organisation, name };
        Ok(self.put_record(pot, &organisation.to_string(), p)?.record)
    }

    /// Puts the municipality's subsidy of `amount` euros into the pot. Owner only.
    pub fn pot_fund(&mut self, pot: &str, amount: Decimal, date: Date, note: &str) -> Result<PotFunding> {
        self.transact(|v| {
            v.require_pot_owner(pot, "puts money in")?;
            if !euros_ok(amount) {
                return Err(invalid("a subsidy is a euro amount above zero, two decimals at most"));
            }
            let f = PotFunding {
                id: new_id(),
                amount,
                date,
                note: note.trim().to_string(),
            };
            let id = f.id.clone();
            Ok(v.put_record(pot, &id, f)?.record)
        })
    }

    /// Sets a partner's room to `amount` euros (replacing its earlier room).
    /// Owner only; the rooms together may not exceed the subsidy in the pot.
    pub fn pot_set_room(&mut self, pot: &str, organisation: PublicKey, amount: Decimal, note: &str) -> Result<OrgRoom> {
        self.transact(|v| {
            v.require_pot_owner(pot, "sets room")?;
            if amount < Decimal::ZERO || amount.scale() > 2 || amount > Decimal::from(MAX_ENTRY_AMOUNT) {
                return Err(invalid("room is a euro amount of zero or more, two decimals at most"));
            }
            let d = v.pot_dashboard(pot)?;
            let Some(o) = d.organisation(&organisation) else {
                return Err(VaultError::NotAllowed(
                    "that organisation is no partner of this pot: add it first".into(),
                ));
            };
            let total = d.assigned - o.base_room + amount;
            if total > d.funded {
                return Err(VaultError::NotAllowed(format!(
                    "the rooms would total {}, more than the {} in the pot",
                    format_euros(total, Lang::En),
                    format_euros(d.funded, Lang::En)
                )));
            }
            let r = OrgRoom {
                organisation,
                amount,
                note: note.trim().to_string(),
            };
            Ok(v.put_record(pot, &organisation.to_string(), r)?.record)
        })
    }

    /// Books a spend against this organisation's own room. Refused when it
    /// would take the organisation beyond its room (as this vault sees it).
    pub fn pot_spend(&mut self, pot: &str, spend: NewPotSpend) -> Result<PotSpend> {
        self.transact(|v| v.pot_spend_in(pot, spend))
    }

    fn pot_spend_in(&mut self, pot: &str, s: NewPotSpend) -> Result<PotSpend> {
        self.book_spend(pot, s, None)
    }

    /// Books a marketplace declaration this organisation made (under an
    /// agreement with a citizen, approved by the budget holder) against its
    /// own room: a spend naming the declaration by id and record hash, for
    /// the resident's pseudonym in this pot ([`resident_pseudonym`]), the
    /// declaration's category and amount, dated its last day of care.
    /// Refused unless this vault holds the signed agreement, countersignature,
    /// declaration and approval, when the declaration is already booked in
    /// this pot, or beyond the room.
    pub fn pot_spend_declaration(&mut self, pot: &str, declaration_id: &str, note: &str) -> Result<PotSpend> {
        self.transact(|v| v.pot_spend_declaration_in(pot, declaration_id, note))
    }

    fn pot_spend_declaration_in(&mut self, pot: &str, declaration_id: &str, note: &str) -> Result<PotSpend> {
        self.require_pot(pot)?;
        let (a, d) = self.declaration(declaration_id)?;
        let decl = &d.declaration.record;
        if a.agreement.record.provider != self.identity() {
            return Err(VaultError::NotAllowed(
                "this declaration is not yours: only the provider that declared it books it".into(),
            ));
        }
        if decl.tariff_unit != Unit::Euro {
            return Err(invalid(format!(
                "this declaration counts in {}; a wijkbudget counts euros",
                decl.tariff_unit.label(Lang::En)
            )));
        }
        let r = DeclarationRef {
            id: decl.id.clone(),
            hash: keys::record_hash(&d.declaration.signed),
            signed: Box::new(d.declaration.signed.clone()),
        };
        let booked = self.pot_dashboard(pot)?;
        if booked.spends.iter().any(|l| {
            l.spend
                .declaration
                .as_ref()
                .is_some_and(|x| x.id == r.id || x.hash == r.hash)
        }) {
            return Err(VaultError::NotAllowed(format!(
                "declaration {} is already counted in this pot: a declaration counts once",
                r.id
            )));
        }
        let spend = NewPotSpend {
            resident: resident_pseudonym(pot, &a.agreement.record.citizen),
            kind: SupportKind::Individual,
            category: decl.category.clone(),
            amount: decl.amount()?,
            date: decl.period_end,
            note: note.to_string(),
        };
        self.book_spend(pot, spend, Some(r))
    }

    /// Checks and signs one spend against this organisation's own room.
    fn book_spend(&mut self, pot: &str, s: NewPotSpend, declaration: Option<DeclarationRef>) -> Result<PotSpend> {
        self.require_pot(pot)?;
        let me = self.identity();
        let d = self.pot_dashboard(pot)?;
        let header = self.header(pot)?;
        if d.organisation(&me).is_some_and(|o| o.removed) || (d.owner != me && !header.may_write(&me)) {
            return Err(VaultError::NotAllowed(
                "the pot's owner removed you as a partner: earlier spends still count, new ones cannot be booked"
                    .into(),
            ));
        }
        let role = header.role_of(&me);
        let Some(o) = d.organisation(&me).filter(|_| role == Some(Role::Provider)) else {
            return Err(VaultError::NotAllowed(
                "only a partner organisation books spends in this pot, against its own room".into(),
            ));
        };
        let resident = s.resident.trim().to_string();
        if let Some(p) = pseudonym_problem(&resident) {
            return Err(invalid(p));
        }
        let category = s.category.trim().to_string();
        if !category_ok(&category) {
            return Err(invalid(format!(
                "{category:?} is not a category code (lower-case letters, digits and _)"
            )));
        }
        if !euros_ok(s.amount) {
            return Err(invalid("a spend is a euro amount above zero, two decimals at most"));
        }
        if let (Some(start), Some(end)) = (d.period_start, d.period_end)
            && !(start <= s.date && s.date <= end)
        {
            return Err(invalid(format!("the pot runs from {start} to {end}")));
        }
        if o.spent + s.amount > o.room {
            return Err(VaultError::NotAllowed(format!(
                "this spend of {} would exceed your room: {} left of {}",
                format_euros(s.amount, Lang::En),
                format_euros(o.left.max(Decimal::ZERO), Lang::En),
                format_euros(o.room, Lang::En)
            )));
        }
        let sp = PotSpend {
            id: new_id(),
            organisation: me,
            resident,
            kind: s.kind,
            category,
            amount: s.amount,
            date: s.date,
            note: s.note.trim().to_string(),
            declaration,
        };
        if let Some(r) = &sp.declaration {
            if let Some(why) = declaration_problem(&sp, r) {
                return Err(VaultError::NotAllowed(why.into()));
            }
            if let DeclarationCheck::Broken(why) = self.declaration_check(pot, &sp, r) {
                return Err(VaultError::NotAllowed(why));
            }
        }
        let id = sp.id.clone();
        Ok(self.put_record(pot, &id, sp)?.record)
    }

    /// What this vault can check of the declaration `r` that `sp` books:
    /// [`DeclarationCheck::NotHeld`] without the agreement document, else
    /// every signature (verified when read) and rule, the first that fails
    /// named.
    pub fn declaration_check(&self, pot: &str, sp: &PotSpend, r: &DeclarationRef) -> DeclarationCheck {
        let broken = |why: &str| DeclarationCheck::Broken(why.to_string());
        let (a, d) = match self.declaration(&r.id) {
            Ok(found) => found,
            Err(VaultError::UnknownRecord { .. }) => return DeclarationCheck::NotHeld,
            Err(e) => return DeclarationCheck::Broken(format!("the declaration cannot be read here: {e}")),
        };
        let ag = &a.agreement.record;
        let decl = &d.declaration.record;
        if ag.provider != sp.organisation || d.declaration.author != sp.organisation {
            return broken("the declaration was not made by the organisation whose room it books against");
        }
        if !a.countersigned {
            return broken("the declaration's agreement was not signed by both parties");
        }
        if keys::record_hash(&d.declaration.signed) != r.hash {
            return broken("the declaration's hash does not match the signed declaration: it was altered");
        }
        let approved = d
            .approval
            .as_ref()
            .is_some_and(|x| x.record.verdict == Verdict::Goedgekeurd && x.record.declaration_hash == r.hash);
        if !approved {
            return broken("the budget holder has not approved this declaration");
        }
        if decl.tariff_unit != Unit::Euro || decl.amount().ok() != Some(sp.amount) {
            return broken("the amount differs from the approved declaration's");
        }
        if decl.category != sp.category {
            return broken("the category differs from the declaration's");
        }
        if sp.resident != resident_pseudonym(pot, &ag.citizen) {
            return broken("the resident is not the pseudonym of the declaration's citizen");
        }
        DeclarationCheck::Verified
    }

    /// Removes a partner: revokes the owner's write consent on the pot (a
    /// new header with the partner among the revoked writers, its cut-off
    /// what this vault holds of it now). Its spends held here keep counting;
    /// its later changes are refused wherever the new header reaches, and
    /// the pot is no longer shared with it. A consent that also covered
    /// other documents is granted again for those. Owner only.
    pub fn pot_remove_partner(&mut self, pot: &str, organisation: PublicKey, reason: &str) -> Result<()> {
        self.transact(|v| {
            v.require_pot_owner(pot, "removes partners")?;
            if !v.header(pot)?.writers.contains(&organisation) {
                return Err(VaultError::NotAllowed(
                    "that organisation is no partner of this pot (any more)".into(),
                ));
            }
            let consents: Vec<_> = v
                .consents()?
                .into_iter()
                .filter(|c| {
                    c.active
                        && c.consent.record.grantee == organisation
                        && c.consent.record.access == Access::Write
                        && c.consent.record.documents.iter().any(|d| d == pot)
                })
                .map(|c| c.consent.record)
                .collect();
            for c in &consents {
                let others: Vec<String> = c.documents.iter().filter(|d| *d != pot).cloned().collect();
                if !others.is_empty() {
                    v.grant_consent(
                        c.grantee,
                        &c.grantee_name,
                        c.role,
                        others,
                        c.access,
                        c.valid_until,
                        &c.purpose,
                    )?;
                }
                v.revoke_consent(&c.id, reason)?;
            }
            // A writer with no consent behind it (an older vault): the same edit.
            if v.header(pot)?.writers.contains(&organisation) {
                v.remove_writer(pot, organisation)?;
            }
            Ok(())
        })
    }

    /// Moves `amount` euros of room from `from` to `to`. Signed by the
    /// giving organisation (its own room) or by the owner; never more than
    /// the giver has left.
    pub fn pot_rebalance(
        &mut self,
        pot: &str,
        from: PublicKey,
        to: PublicKey,
        amount: Decimal,
        note: &str,
    ) -> Result<PotRebalance> {
        self.transact(|v| {
            let owner = v.require_pot(pot)?;
            let me = v.identity();
            if me != from && me != owner {
                return Err(VaultError::NotAllowed(
                    "room is given by the organisation that has it, or by the pot's owner".into(),
                ));
            }
            if me != owner && !v.header(pot)?.may_write(&me) {
                return Err(VaultError::NotAllowed(
                    "the pot's owner removed you as a partner: you can no longer give room".into(),
                ));
            }
            if from == to {
                return Err(invalid("choose another organisation to give room to"));
            }
            if !euros_ok(amount) {
                return Err(invalid("a rebalance is a euro amount above zero, two decimals at most"));
            }
            let d = v.pot_dashboard(pot)?;
            let (Some(giver), Some(_)) = (d.organisation(&from), d.organisation(&to)) else {
                return Err(VaultError::NotAllowed(
                    "both organisations must be partners of this pot".into(),
                ));
            };
            if amount > giver.left {
                return Err(VaultError::NotAllowed(format!(
                    "{} has {} of room left, less than {}",
                    giver.name,
                    format_euros(giver.left.max(Decimal::ZERO), Lang::En),
                    format_euros(amount, Lang::En)
                )));
            }
            let r = PotRebalance {
                id: new_id(),
                from,
                to,
                amount,
                date: Date::today(),
                note: note.trim().to_string(),
            };
            let id = r.id.clone();
            Ok(v.put_record(pot, &id, r)?.record)
        })
    }

    /// The dashboard of a pot, computed from its signed records alone.
    pub fn pot_dashboard(&self, pot: &str) -> Result<PotDashboard> {
        let owner = self.require_pot(pot)?;
        let records = PotRecords {
            infos: self.records::<PotInfo>(pot)?.0,
            partners: self.records::<PotPartner>(pot)?.0,
            fundings: self.records::<PotFunding>(pot)?.0,
            rooms: self.records::<OrgRoom>(pot)?.0,
            spends: self.records::<PotSpend>(pot)?.0,
            rebalances: self.records::<PotRebalance>(pot)?.0,
        };
        let h = self.header(pot)?;
        let removed: BTreeSet<PublicKey> = h
            .revoked
            .iter()
            .map(|r| r.identity)
            .filter(|k| !h.writers.contains(k))
            .collect();
        Ok(compute(pot, owner, records, &removed, &|sp, r| {
            self.declaration_check(pot, sp, r)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_not_names_or_numbers() {
        assert!(pseudonym_problem("R-0417").is_none());
        assert!(pseudonym_problem("123456782").is_some(), "a BSN");
        assert!(pseudonym_problem("Jan de Vries").is_some(), "a name with spaces");
        assert!(pseudonym_problem("ab").is_some());
    }

    #[test]
    fn resident_pseudonyms_are_per_pot_and_pass_the_pseudonym_rule() {
        let (a, b) = (PublicKey([1; 32]), PublicKey([2; 32]));
        let p = resident_pseudonym("g/pot/ruwaard", &a);
        assert!(pseudonym_problem(&p).is_none(), "{p}");
        assert_eq!(p, resident_pseudonym("g/pot/ruwaard", &a), "the same in one pot");
        assert_ne!(p, resident_pseudonym("g/pot/ruwaard", &b));
        assert_ne!(p, resident_pseudonym("g/pot/overvecht", &a), "another in another pot");
    }

    #[test]
    fn slugs_are_safe_for_document_ids() {
        assert_eq!(slug("Wijkbudget Ruwaard 2027!"), "wijkbudget-ruwaard-2027");
        assert_eq!(slug("  ---  "), "");
    }

    #[test]
    fn a_pot_book_spends_and_refuses_beyond_the_room() {
        let tmp = tempfile::tempdir().unwrap();
        let mut g = crate::testing::vault(&tmp.path().join("g"), "Gemeente Oss", Role::Municipality);
        let a = crate::testing::vault(&tmp.path().join("a"), "Buurtteam A", Role::Provider);
        let d = |s: &str| s.parse::<Date>().unwrap();
        let pot = g.create_pot("Ruwaard", d("2027-01-01"), d("2027-03-31")).unwrap();
        assert!(pot.ends_with("/pot/ruwaard"));
        g.pot_add_partner(&pot, a.identity(), "Buurtteam A").unwrap();
        assert!(g.header(&pot).unwrap().may_write(&a.identity()));
        g.pot_fund(&pot, Decimal::from(1000), d("2027-01-01"), "subsidie")
            .unwrap();
        let err = g.pot_set_room(&pot, a.identity(), Decimal::from(1001), "").unwrap_err();
        assert!(err.to_string().contains("more than"), "{err}");
        g.pot_set_room(&pot, a.identity(), Decimal::from(800), "").unwrap();
        let v = g.pot_dashboard(&pot).unwrap();
        assert_eq!(v.funded, Decimal::from(1000));
        assert_eq!(v.unassigned, Decimal::from(200));
        assert_eq!(v.organisations[0].room, Decimal::from(800));
        assert!(
            g.pot_spend(&pot, spend("R-1", 10)).is_err(),
            "the owner books no spends"
        );
    }

    fn spend(resident: &str, euros: i64) -> NewPotSpend {
        NewPotSpend {
            resident: resident.into(),
            kind: SupportKind::Individual,
            category: "begeleiding".into(),
            amount: Decimal::from(euros),
            date: "2027-01-10".parse().unwrap(),
            note: String::new(),
        }
    }
}
