//! The household of an integral plan (i-pgb): one household, one plan, one
//! director. Members (adults and children) and the director are records the
//! budget holder signs in her plan document; goals, needs and agreements
//! name a member by id, so the plan and the municipality's report can be read
//! per member.
//!
//! The director (*regisseur*) is a household member or the counselor the
//! household names. Naming a director gives no power by itself: the director
//! acts for the household only within a mandate the holder signs
//! ([`crate::mandate`]), and every record the director makes for her is
//! checked against that mandate, by her vault and by the municipality.
//! Records here count only when the plan's owner signed them, so a co-writer
//! of the plan (a counselor) cannot add members or make herself director.

use inwonercloud_schemas::{Date, Director, HouseholdMember, MemberKind, MemberRef, PublicKey, SchemaError};

use crate::error::{Result, VaultError};
use crate::plan::new_id;
use crate::vault::{Authored, Vault};

/// The household as its plan states it.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct HouseholdView {
    /// The members, adults first, then by name.
    pub members: Vec<Authored<HouseholdMember>>,
    /// The director, when named.
    pub director: Option<Authored<Director>>,
}

impl HouseholdView {
    /// The member with this id.
    pub fn member(&self, id: &str) -> Option<&HouseholdMember> {
        self.members.iter().map(|m| &m.record).find(|m| m.id == id)
    }

    /// The member's name, or the id when the member is unknown here.
    pub fn name_of(&self, id: &str) -> String {
        self.member(id)
            .map(|m| m.name.clone())
            .unwrap_or_else(|| id.to_string())
    }
}

fn invalid(msg: impl Into<String>) -> VaultError {
    VaultError::Input(SchemaError::Invalid(msg.into()))
}

impl Vault {
    /// Adds a member to the household of this vault's plan (the budget holder only).
    pub fn add_member(&mut self, name: &str, kind: MemberKind, born: Option<Date>) -> Result<HouseholdMember> {
        self.transact(|v| {
            let doc = v.plan_doc();
            v.require_plan_owner(&doc, "add a household member")?;
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 200 {
                return Err(invalid("a household member needs a name (at most 200 characters)"));
            }
            if v.household(&doc)?
                .members
                .iter()
                .any(|m| m.record.name.eq_ignore_ascii_case(name))
            {
                return Err(invalid(format!("the household has a member called {name} already")));
            }
            let m = HouseholdMember {
                id: new_id(),
                name: name.to_string(),
                kind,
                born,
            };
            let id = m.id.clone();
            Ok(v.put_record(&doc, &id, m)?.record)
        })
    }

    /// Names the household's director: `identity` (a member's own vault or
    /// the counselor), optionally as household member `member`. The
    /// director acts only within the mandate the holder gives.
    pub fn set_director(&mut self, identity: PublicKey, member: Option<&str>) -> Result<Director> {
        self.transact(|v| {
            let doc = v.plan_doc();
            v.require_plan_owner(&doc, "name the household's director")?;
            let member = member.map(|m| v.household_member(m)).transpose()?;
            let name = match &member {
                Some(m) if identity == v.identity() => m.name.clone(),
                _ => v.display_name(&identity),
            };
            let d = Director {
                identity,
                name,
                member: member.map(|m| m.id),
            };
            Ok(v.put_record(&doc, "director", d)?.record)
        })
    }

    /// The household of plan document `doc`: members and director signed by
    /// the plan's owner (others' records are ignored).
    pub fn household(&self, doc: &str) -> Result<HouseholdView> {
        let owner = self.header(doc)?.owner;
        let (mut members, _) = self.records::<HouseholdMember>(doc)?;
        members.retain(|m| m.author == owner);
        members.sort_by(|a, b| (a.record.kind, &a.record.name).cmp(&(b.record.kind, &b.record.name)));
        let (directors, _) = self.records::<Director>(doc)?;
        let director = directors
            .into_iter()
            .filter(|d| d.author == owner)
            .max_by_key(|d| d.signed_at);
        Ok(HouseholdView { members, director })
    }

    /// The member of this vault's household with id (or name) `m`, as a
    /// reference for records others read.
    pub fn household_member(&self, m: &str) -> Result<MemberRef> {
        let h = self.household(&self.plan_doc())?;
        let m = m.trim();
        h.members
            .iter()
            .map(|x| &x.record)
            .find(|x| x.id == m)
            .or_else(|| {
                let by_name: Vec<_> = h
                    .members
                    .iter()
                    .map(|x| &x.record)
                    .filter(|x| x.name.eq_ignore_ascii_case(m))
                    .collect();
                (by_name.len() == 1).then(|| by_name[0])
            })
            .map(|x| MemberRef {
                id: x.id.clone(),
                name: x.name.clone(),
            })
            .ok_or_else(|| VaultError::UnknownRecord {
                what: "household member",
                id: m.to_string(),
            })
    }

    fn require_plan_owner(&self, doc: &str, doing: &str) -> Result<()> {
        if self.header(doc)?.owner != self.identity() {
            return Err(VaultError::NotAllowed(format!(
                "only the household's budget holder can {doing}"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CreateOptions;
    use inwonercloud_schemas::{Access, LifeDomain, Role};

    fn vault(dir: &std::path::Path, name: &str, role: Role) -> Vault {
        Vault::create(
            dir,
            CreateOptions {
                name: name.into(),
                role,
                device_name: "x".into(),
                passphrase: crate::Passphrase::new("proef-wachtwoord"),
            },
        )
        .unwrap()
    }

    /// A counselor who may write the plan can sign records of the household
    /// kinds into it, but they never count: only the holder's do.
    #[test]
    fn only_the_holders_members_and_director_count() {
        let tmp = tempfile::tempdir().unwrap();
        let mut anna = vault(&tmp.path().join("a"), "Anna", Role::Citizen);
        let mut bert = vault(&tmp.path().join("b"), "Bert", Role::Counselor);
        let plan = anna.plan_doc();
        let lotte = anna.add_member("Lotte", MemberKind::Kind, None).unwrap();
        anna.grant_consent(
            bert.identity(),
            "Bert",
            Role::Counselor,
            vec![plan.clone()],
            Access::Write,
            None,
            "plan",
        )
        .unwrap();
        bert.import_bundle(&anna.bundle(&plan).unwrap(), "anna").unwrap();
        // Bert writes goals for Lotte (allowed: he co-writes the plan)...
        let g = bert
            .add_goal_for(&plan, Some("Lotte"), LifeDomain::OpvoedingJeugd, "naar school", None)
            .unwrap();
        assert_eq!(g.member.as_deref(), Some(lotte.id.as_str()));
        // ...and tries to add a member and make himself director.
        let fake = HouseholdMember {
            id: "nep".into(),
            name: "Indringer".into(),
            kind: MemberKind::Volwassene,
            born: None,
        };
        bert.put_record(&plan, "nep", fake).unwrap();
        let me = Director {
            identity: bert.identity(),
            name: "Bert".into(),
            member: None,
        };
        bert.put_record(&plan, "director", me).unwrap();
        anna.import_bundle(&bert.bundle(&plan).unwrap(), "bert").unwrap();
        let h = anna.household(&plan).unwrap();
        assert_eq!(h.members.len(), 1, "{:?}", h.members);
        assert!(h.director.is_none());
        assert_eq!(anna.plan(&plan).unwrap().goals.len(), 1, "his goal counts");
        // Unknown members are refused by name and by id; a name that is not
        // unique is not guessed.
        assert!(anna.household_member("Pieter").is_err());
        assert_eq!(anna.household_member(&lotte.id).unwrap().name, "Lotte");
        assert!(anna.add_member("  ", MemberKind::Kind, None).is_err());
    }
}
