//! Wijkbudget: a pot (one budget account) shared by several providers, each
//! with its own room. The pot holder assigns room per provider and records
//! spends against a room (the spend's `reference` is the room id); the view
//! gives per provider and per month and category what was spent and what is
//! left, and flags a provider that spent beyond its room.

use std::collections::BTreeMap;

use inwonercloud_schemas::{EntryKind, PotRoom, PublicKey, SchemaError};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Result, VaultError};
use crate::ledger::EntryStatus;
use crate::plan::new_id;
use crate::vault::Vault;

/// One provider's part of a pot.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RoomFigures {
    /// Room id.
    pub room: String,
    /// Provider.
    pub provider_name: String,
    /// Room assigned.
    pub room_amount: Decimal,
    /// Spent against the room.
    pub spent: Decimal,
    /// Room left (negative: beyond its room).
    pub left: Decimal,
    /// Spent per month (`YYYY-MM`).
    pub per_month: BTreeMap<String, Decimal>,
    /// Spent per category code.
    pub per_category: BTreeMap<String, Decimal>,
}

/// A pot as its holder and the municipality see it.
#[derive(Clone, Debug, Serialize)]
pub struct PotView {
    /// The account.
    pub account: String,
    /// Money in the pot (granted, topped up, transferred in, less out).
    pub available: Decimal,
    /// Room assigned to providers in all.
    pub assigned: Decimal,
    /// Money not assigned to any provider.
    pub unassigned: Decimal,
    /// Spent in all (rooms and otherwise).
    pub spent: Decimal,
    /// What is left in the pot.
    pub left: Decimal,
    /// Per provider room.
    pub rooms: Vec<RoomFigures>,
    /// Providers that spent beyond their room.
    pub over_room: Vec<String>,
}

impl Vault {
    /// Assigns `amount` euros of pot `account` to `provider` (pot holder only).
    pub fn assign_room(
        &mut self,
        doc: &str,
        account: &str,
        provider: PublicKey,
        amount: Decimal,
        note: &str,
    ) -> Result<PotRoom> {
        self.transact(|v| v.assign_room_in(doc, account, provider, amount, note))
    }

    fn assign_room_in(
        &mut self,
        doc: &str,
        account: &str,
        provider: PublicKey,
        amount: Decimal,
        note: &str,
    ) -> Result<PotRoom> {
        if self.header(doc)?.owner != self.identity() {
            return Err(VaultError::NotAllowed("only the pot holder assigns room".into()));
        }
        let acc = self.find_account(doc, account)?;
        crate::market::require_euros(&acc, "room in a pot")?;
        if amount <= Decimal::ZERO || amount.scale() > 2 {
            return Err(VaultError::Input(SchemaError::Invalid(
                "room is a euro amount above zero".into(),
            )));
        }
        let room = PotRoom {
            id: new_id(),
            account: acc.id,
            provider,
            provider_name: self.display_name(&provider),
            amount,
            note: note.trim().to_string(),
        };
        let id = room.id.clone();
        Ok(self.put_record(doc, &id, room)?.record)
    }

    /// The pot figures of `account` in budget `doc`.
    pub fn pot(&self, doc: &str, account: &str) -> Result<PotView> {
        let owner = self.header(doc)?.owner;
        let acc = self.find_account(doc, account)?;
        let b = self.budget(doc)?;
        let f = b.report.accounts.get(&acc.id).cloned().unwrap_or_default();
        let (rooms, _) = self.records::<PotRoom>(doc)?;
        let mut figures: BTreeMap<String, RoomFigures> = rooms
            .into_iter()
            .filter(|r| r.author == owner && r.record.account == acc.id)
            .map(|r| {
                (
                    r.record.id.clone(),
                    RoomFigures {
                        room: r.record.id.clone(),
                        provider_name: r.record.provider_name.clone(),
                        room_amount: r.record.amount,
                        ..Default::default()
                    },
                )
            })
            .collect();
        for l in &b.report.lines {
            let e = &l.entry;
            if e.account != acc.id || e.kind != EntryKind::Spend {
                continue;
            }
            if matches!(l.status, EntryStatus::Refused { .. } | EntryStatus::Pending { .. }) {
                continue;
            }
            let Some(room) = e.reference.as_ref().and_then(|r| figures.get_mut(r)) else {
                continue;
            };
            room.spent += e.amount;
            *room.per_month.entry(e.date.month_key()).or_default() += e.amount;
            *room
                .per_category
                .entry(e.category.clone().unwrap_or_default())
                .or_default() += e.amount;
        }
        let mut rooms: Vec<RoomFigures> = figures.into_values().collect();
        for r in &mut rooms {
            r.left = r.room_amount - r.spent;
        }
        let assigned = rooms.iter().map(|r| r.room_amount).sum::<Decimal>();
        let over_room = rooms
            .iter()
            .filter(|r| r.left < Decimal::ZERO)
            .map(|r| r.provider_name.clone())
            .collect();
        Ok(PotView {
            account: acc.id,
            available: f.available(),
            assigned,
            unassigned: f.available() - assigned,
            spent: f.spent,
            left: f.available() - f.spent,
            rooms,
            over_room,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CreateOptions;
    use crate::budget::NewEntry;
    use inwonercloud_schemas::{Date, FundingStream, Role, Unit};

    #[test]
    fn pot_figures_per_provider_month_and_category() {
        let tmp = tempfile::tempdir().unwrap();
        let mk = |d: &str, n: &str, r| {
            Vault::create(
                &tmp.path().join(d),
                CreateOptions {
                    name: n.into(),
                    role: r,
                    device_name: "x".into(),
                    passphrase: crate::Passphrase::new("proef-wachtwoord"),
                },
            )
            .unwrap()
        };
        let mut pot = mk("pot", "Wijkbudget Overvecht", Role::Citizen);
        let a = mk("a", "Buurtzorg A", Role::Provider).identity();
        let b = mk("b", "Klussendienst B", Role::Provider).identity();
        for (k, n) in [(a, "Buurtzorg A"), (b, "Klussendienst B")] {
            pot.remember_peer(&crate::PeerInfo {
                identity: k,
                name: n.into(),
                role: Role::Provider,
                devices: vec![],
                addrs: vec![],
                last_seen: 0,
                postbus: None,
            })
            .unwrap();
        }
        let doc = pot.budget_doc();
        let d = |s: &str| s.parse::<Date>().unwrap();
        let acc = pot
            .add_account(
                &doc,
                "Pot 2027",
                FundingStream::Wmo,
                Unit::Euro,
                d("2027-01-01"),
                d("2027-12-31"),
            )
            .unwrap();
        pot.top_up(&doc, &acc.id, Decimal::new(1_000_000, 2), d("2027-01-01"), "inleg")
            .unwrap();
        let ra = pot.assign_room(&doc, &acc.id, a, Decimal::from(6000), "zorg").unwrap();
        let rb = pot
            .assign_room(&doc, &acc.id, b, Decimal::from(1000), "klussen")
            .unwrap();
        let spend = |pot: &mut Vault, room: &str, amount: i64, date: &str, cat: &str| {
            pot.record_entry(
                &doc,
                NewEntry {
                    account: acc.id.clone(),
                    kind: EntryKind::Spend,
                    amount: Decimal::new(amount, 2),
                    category: Some(cat.into()),
                    date: d(date),
                    note: String::new(),
                    reference: Some(room.into()),
                },
            )
            .unwrap();
        };
        spend(&mut pot, &ra.id, 150_000, "2027-01-20", "begeleiding_individueel");
        spend(&mut pot, &ra.id, 75_050, "2027-02-20", "huishoudelijke_hulp");
        spend(&mut pot, &rb.id, 120_000, "2027-02-21", "hulpmiddel");
        let v = pot.pot(&doc, &acc.id).unwrap();
        assert_eq!(v.available, Decimal::from(10000));
        assert_eq!(v.assigned, Decimal::from(7000));
        assert_eq!(v.unassigned, Decimal::from(3000));
        assert_eq!(v.spent, Decimal::new(345_050, 2));
        let a_fig = v.rooms.iter().find(|r| r.provider_name == "Buurtzorg A").unwrap();
        assert_eq!(a_fig.left, Decimal::new(374_950, 2));
        assert_eq!(a_fig.per_month["2027-02"], Decimal::new(75_050, 2));
        assert_eq!(a_fig.per_category["begeleiding_individueel"], Decimal::from(1500));
        assert_eq!(v.over_room, vec!["Klussendienst B".to_string()], "B spent 1200 of 1000");
    }
}
