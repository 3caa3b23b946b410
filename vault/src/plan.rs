//! The support plan through the vault: typed edits and a typed view.

use inwonercloud_schemas::{
    Date, DocKind, DomainSituation, Goal, GoalStatus, LifeDomain, Need, PlanHeader, SchemaError, TimeCost,
};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Result, VaultError};
use crate::vault::{Authored, BadRecord, Vault};

/// The plan as the app shows it.
#[derive(Clone, Debug, Serialize)]
pub struct PlanView {
    /// Document id.
    pub doc: String,
    /// The household's budget holder, who owns the plan.
    pub owner: inwonercloud_schemas::PublicKey,
    /// Title and period.
    pub header: Option<Authored<PlanHeader>>,
    /// Situation per domain.
    pub situations: Vec<Authored<DomainSituation>>,
    /// Goals.
    pub goals: Vec<Authored<Goal>>,
    /// iPVB needs.
    pub needs: Vec<Authored<Need>>,
    /// Records that failed verification (shown, never used).
    pub bad: Vec<BadRecord>,
    /// The household: members and director (i-pgb).
    pub household: crate::household::HouseholdView,
}

impl PlanView {
    /// Total cost per year of every need, exact.
    pub fn cost_per_year(&self) -> Decimal {
        self.needs.iter().map(|n| n.record.time_cost.cost_per_year()).sum()
    }

    /// Total hours per year of every need.
    pub fn hours_per_year(&self) -> Decimal {
        self.needs.iter().map(|n| n.record.time_cost.hours_per_year()).sum()
    }
}

/// What a new need is made of.
#[derive(Clone, Debug)]
pub struct NewNeed {
    /// Domain.
    pub domain: LifeDomain,
    /// Goal served.
    pub goal_id: Option<String>,
    /// What the citizen wishes.
    pub wish: String,
    /// The objective need.
    pub objective_need: String,
    /// Time and cost.
    pub time_cost: TimeCost,
    /// pgb category.
    pub category: Option<String>,
    /// The household member it is for (id or name), if one.
    pub member: Option<String>,
}

/// A fresh random record id (16 hex characters).
pub fn new_id() -> String {
    let mut b = [0u8; 8];
    // Without randomness the clock still gives distinct ids on one device.
    if getrandom::fill(&mut b).is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        b.copy_from_slice(&(t as u64).to_be_bytes());
    }
    hex::encode(b)
}

fn non_empty(what: &str, s: &str) -> Result<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(VaultError::Input(SchemaError::Invalid(format!("{what} is empty"))));
    }
    if t.len() > 20_000 {
        return Err(VaultError::Input(SchemaError::Invalid(format!(
            "{what} is longer than 20,000 characters"
        ))));
    }
    Ok(t.to_string())
}

impl Vault {
    /// The owner's plan document id.
    pub fn plan_doc(&self) -> String {
        self.doc_id(DocKind::Plan)
    }

    /// Sets the plan's title and period.
    pub fn set_plan_header(&mut self, doc: &str, title: &str, from: Option<Date>, until: Option<Date>) -> Result<()> {
        if let (Some(f), Some(u)) = (from, until)
            && u < f
        {
            return Err(VaultError::Input(SchemaError::Invalid(format!(
                "the plan ends ({u}) before it starts ({f})"
            ))));
        }
        let h = PlanHeader {
            title: non_empty("the title", title)?,
            valid_from: from,
            valid_until: until,
        };
        self.put_record(doc, "header", h)?;
        Ok(())
    }

    /// Describes the situation in one life domain (replaces the earlier text;
    /// history keeps it).
    pub fn set_situation(&mut self, doc: &str, domain: LifeDomain, text: &str) -> Result<()> {
        let s = DomainSituation {
            domain,
            situation: non_empty("the situation", text)?,
        };
        self.put_record(doc, domain.code(), s)?;
        Ok(())
    }

    /// Adds a goal.
    pub fn add_goal(&mut self, doc: &str, domain: LifeDomain, text: &str, target: Option<Date>) -> Result<Goal> {
        self.add_goal_for(doc, None, domain, text, target)
    }

    /// Adds a goal for one household member (an id or name of the
    /// household in `doc`), or for the whole household when `member` is none.
    pub fn add_goal_for(
        &mut self,
        doc: &str,
        member: Option<&str>,
        domain: LifeDomain,
        text: &str,
        target: Option<Date>,
    ) -> Result<Goal> {
        let g = Goal {
            id: new_id(),
            domain,
            text: non_empty("the goal", text)?,
            target_date: target,
            status: GoalStatus::Actief,
            member: self.member_in(doc, member)?,
        };
        let id = g.id.clone();
        Ok(self.put_record(doc, &id, g)?.record)
    }

    /// Changes a goal's status.
    pub fn set_goal_status(&mut self, doc: &str, goal_id: &str, status: GoalStatus) -> Result<()> {
        let mut g = self
            .record::<Goal>(doc, goal_id)?
            .ok_or_else(|| VaultError::UnknownRecord {
                what: "goal",
                id: goal_id.to_string(),
            })?
            .record;
        g.status = status;
        self.put_record(doc, goal_id, g)?;
        Ok(())
    }

    /// Adds an iPVB need.
    pub fn add_need(&mut self, doc: &str, n: NewNeed) -> Result<Need> {
        if let Some(g) = &n.goal_id
            && self.record::<Goal>(doc, g)?.is_none()
        {
            return Err(VaultError::UnknownRecord {
                what: "goal",
                id: g.clone(),
            });
        }
        if n.time_cost.hours <= Decimal::ZERO {
            return Err(VaultError::Input(SchemaError::Invalid(
                "hours must be more than zero".into(),
            )));
        }
        inwonercloud_schemas::money::check_scale(n.time_cost.hours, inwonercloud_schemas::Unit::Hours)?;
        if n.time_cost.tariff < Decimal::ZERO {
            return Err(VaultError::Input(SchemaError::Invalid(
                "a tariff cannot be negative".into(),
            )));
        }
        inwonercloud_schemas::money::check_scale(n.time_cost.tariff, inwonercloud_schemas::Unit::Euro)?;
        let need = Need {
            id: new_id(),
            domain: n.domain,
            goal_id: n.goal_id,
            wish: non_empty("the wish", &n.wish)?,
            objective_need: n.objective_need.trim().to_string(),
            time_cost: n.time_cost,
            category: n.category,
            member: self.member_in(doc, n.member.as_deref())?,
        };
        let id = need.id.clone();
        Ok(self.put_record(doc, &id, need)?.record)
    }

    /// The id of household member `member` (id or name) of plan `doc`;
    /// none when `member` is none or empty.
    fn member_in(&self, doc: &str, member: Option<&str>) -> Result<Option<String>> {
        let Some(m) = member.map(str::trim).filter(|m| !m.is_empty()) else {
            return Ok(None);
        };
        let h = self.household(doc)?;
        let found: Vec<_> = h
            .members
            .iter()
            .filter(|x| x.record.id == m || x.record.name.eq_ignore_ascii_case(m))
            .collect();
        match found.as_slice() {
            [one] => Ok(Some(one.record.id.clone())),
            _ => Err(VaultError::UnknownRecord {
                what: "household member",
                id: m.to_string(),
            }),
        }
    }

    /// The plan as it is now.
    pub fn plan(&self, doc: &str) -> Result<PlanView> {
        self.plan_view(doc, None)
    }

    /// The plan as it was at earlier heads (hex change hashes from the history).
    pub fn plan_at(&self, doc: &str, heads: &[String]) -> Result<PlanView> {
        self.plan_view(doc, Some(heads))
    }

    fn plan_view(&self, doc: &str, at: Option<&[String]>) -> Result<PlanView> {
        fn get<R: inwonercloud_schemas::Record>(
            v: &Vault,
            doc: &str,
            at: Option<&[String]>,
        ) -> Result<(Vec<Authored<R>>, Vec<BadRecord>)> {
            match at {
                Some(h) => v.records_at::<R>(doc, h),
                None => v.records::<R>(doc),
            }
        }
        let (headers, mut bad) = get::<PlanHeader>(self, doc, at)?;
        let (situations, b) = get::<DomainSituation>(self, doc, at)?;
        bad.extend(b);
        let (mut goals, b) = get::<Goal>(self, doc, at)?;
        bad.extend(b);
        let (needs, b) = get::<Need>(self, doc, at)?;
        bad.extend(b);
        goals.sort_by_key(|g| (g.record.domain, g.signed_at));
        Ok(PlanView {
            doc: doc.to_string(),
            owner: self.header(doc)?.owner,
            header: headers.into_iter().next(),
            situations,
            goals,
            needs,
            bad,
            household: self.household(doc)?,
        })
    }
}
