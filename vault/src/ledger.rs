//! Deterministic ledger arithmetic.
//!
//! Balances are computed from signed entries, never stored. Entries are put
//! in a total order that depends only on their content — `(date, id)` — so
//! every device that holds the same entries computes the same figures, in
//! whatever order the entries arrived.
//!
//! Funding (grants, adjustments, top-ups, transfers) counts for the whole
//! account period, whatever its date. Spends are then taken in ledger order;
//! the ones that push the total spent beyond the funding are marked *not
//! covered* (with the uncovered part), never dropped: that is how two devices
//! that approved offline and together overspent see it. A later grant covers
//! them again.

use std::collections::{BTreeMap, BTreeSet};

use inwonercloud_schemas::{Account, Date, EntryKind, LedgerEntry, PublicKey, Unit};
use rust_decimal::Decimal;
use serde::Serialize;

/// An entry as the ledger sees it: the record and who signed it.
#[derive(Clone, Debug)]
pub struct LedgerInput {
    /// The entry.
    pub entry: LedgerEntry,
    /// Identity that signed it.
    pub author: PublicKey,
    /// Whether that identity is a recognised municipality.
    pub author_is_municipality: bool,
    /// For transfers: both parties signed the transfer it refers to.
    pub transfer_confirmed: bool,
}

/// What happened to one entry in the computation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum EntryStatus {
    /// Counted in full.
    Counted,
    /// A spend beyond what the account held: counted as spent, but `uncovered` of it has no budget.
    NotCovered {
        /// The part without budget.
        uncovered: Decimal,
    },
    /// Not counted yet: waits for something (a transfer's second signature).
    Pending {
        /// What it waits for.
        reason: String,
    },
    /// Not counted, with the rule it broke.
    Refused {
        /// Why.
        reason: String,
    },
}

/// One entry with its status.
#[derive(Clone, Debug, Serialize)]
pub struct EntryLine {
    /// The entry.
    pub entry: LedgerEntry,
    /// Author identity.
    pub author: PublicKey,
    /// Status.
    #[serde(flatten)]
    pub status: EntryStatus,
}

/// Figures of one account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AccountFigures {
    /// Account id.
    pub account: String,
    /// Unit.
    pub unit: Option<Unit>,
    /// Granted by the municipality, after adjustments.
    pub granted: Decimal,
    /// Own money added.
    pub topped_up: Decimal,
    /// Received from other budget holders.
    pub transferred_in: Decimal,
    /// Sent to other budget holders.
    pub transferred_out: Decimal,
    /// Set aside for agreements and not yet spent or released.
    pub reserved: Decimal,
    /// Spent.
    pub spent: Decimal,
    /// Spent without budget behind it.
    pub not_covered: Decimal,
    /// What is left to commit: available − spent − reserved (may be negative).
    pub remaining: Decimal,
    /// Spent per category code (`""` for none).
    pub spent_per_category: BTreeMap<String, Decimal>,
    /// Spent per month (`YYYY-MM`).
    pub spent_per_month: BTreeMap<String, Decimal>,
}

impl AccountFigures {
    /// Everything that funds the account.
    pub fn available(&self) -> Decimal {
        self.granted + self.topped_up + self.transferred_in - self.transferred_out
    }

    /// Whether spending exceeds funding.
    pub fn over_budget(&self) -> bool {
        self.not_covered > Decimal::ZERO
    }
}

/// A year-end (period-end) forecast from the spending rate so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Forecast {
    /// Spent by the end of the period if spending goes on at the rate so far.
    pub projected_spent: Decimal,
    /// What would then be left (negative: short).
    pub projected_remaining: Decimal,
    /// Days of the period passed, and in total.
    pub days: (i64, i64),
}

/// Projects `figures` of `account` to the end of its period, as seen on `today`:
/// spending so far per elapsed day, times the days of the whole period.
/// Before the period starts nothing is projected; after it ends the actual
/// figures stand.
pub fn forecast(account: &Account, figures: &AccountFigures, today: Date) -> Forecast {
    let start = account.period_start.days_since_epoch();
    let end = account.period_end.days_since_epoch();
    let total = (end - start + 1).max(1);
    let elapsed = (today.days_since_epoch() - start + 1).clamp(0, total);
    let projected_spent = if elapsed == 0 {
        figures.spent
    } else {
        // In the account's unit: whole points, cents, hundredths of an hour.
        (figures.spent * Decimal::from(total) / Decimal::from(elapsed)).round_dp(account.unit.max_scale())
    };
    Forecast {
        projected_remaining: figures.available() - projected_spent,
        projected_spent,
        days: (elapsed, total),
    }
}

/// The whole computation.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LedgerReport {
    /// Per account, by id.
    pub accounts: BTreeMap<String, AccountFigures>,
    /// Every entry in ledger order with its status.
    pub lines: Vec<EntryLine>,
}

impl LedgerReport {
    /// Entries that are not covered by budget.
    pub fn over_budget_lines(&self) -> impl Iterator<Item = &EntryLine> {
        self.lines
            .iter()
            .filter(|l| matches!(l.status, EntryStatus::NotCovered { .. }))
    }
}

/// Computes the figures of `accounts` from `entries`. `owner` is the budget
/// holder: the only one who may top up, reserve, release, spend or transfer.
pub fn compute(accounts: &[Account], entries: &[LedgerInput], owner: &PublicKey) -> LedgerReport {
    compute_with(accounts, entries, owner, &BTreeSet::new())
}

/// [`compute`], where the entries named in `mandated` — (author, entry id)
/// pairs that a mandate of the holder allows (see
/// [`crate::mandate::mandated_entries`]) — count as the holder's own.
pub fn compute_with(
    accounts: &[Account],
    entries: &[LedgerInput],
    owner: &PublicKey,
    mandated: &BTreeSet<(PublicKey, String)>,
) -> LedgerReport {
    let mut report = LedgerReport::default();
    let units: BTreeMap<&str, Unit> = accounts.iter().map(|a| (a.id.as_str(), a.unit)).collect();
    for a in accounts {
        report.accounts.insert(
            a.id.clone(),
            AccountFigures {
                account: a.id.clone(),
                unit: Some(a.unit),
                ..Default::default()
            },
        );
    }
    let mut ordered: Vec<&LedgerInput> = entries.iter().collect();
    ordered.sort_by(|a, b| (a.entry.date, &a.entry.id, &a.author).cmp(&(b.entry.date, &b.entry.id, &b.author)));
    // Outstanding amount per reservation id.
    let mut reservations: BTreeMap<(String, String), Decimal> = BTreeMap::new();
    // Ids are unique per author: one writer cannot pre-empt another's entry.
    let mut seen_ids: BTreeSet<(PublicKey, String)> = BTreeSet::new();
    let mut statuses: Vec<Option<EntryStatus>> = Vec::with_capacity(ordered.len());
    // Pass 1: check every entry and add up the funding of each account.
    for input in &ordered {
        let e = &input.entry;
        let transfer = matches!(e.kind, EntryKind::TransferIn | EntryKind::TransferOut);
        match check(input, &units, owner, mandated, &mut seen_ids) {
            Err(reason) => statuses.push(Some(EntryStatus::Refused { reason })),
            Ok(()) if transfer && !input.transfer_confirmed => statuses.push(Some(EntryStatus::Pending {
                reason: "waits for both parties' signatures on the transfer".into(),
            })),
            Ok(()) => {
                if let Some(f) = report.accounts.get_mut(&e.account) {
                    fund(f, e);
                }
                statuses.push(None);
            }
        }
    }
    // Pass 2: reservations and spends in ledger order, against that funding.
    for (input, status) in ordered.iter().zip(statuses) {
        let e = &input.entry;
        let status = match status {
            Some(s) => s,
            None => match report.accounts.get_mut(&e.account) {
                Some(f) => spend(f, e, &mut reservations),
                None => EntryStatus::Refused {
                    reason: format!("unknown account {}", e.account),
                },
            },
        };
        report.lines.push(EntryLine {
            entry: e.clone(),
            author: input.author,
            status,
        });
    }
    for f in report.accounts.values_mut() {
        f.remaining = f.available() - f.spent - f.reserved;
    }
    report
}

fn check(
    input: &LedgerInput,
    units: &BTreeMap<&str, Unit>,
    owner: &PublicKey,
    mandated: &BTreeSet<(PublicKey, String)>,
    seen: &mut BTreeSet<(PublicKey, String)>,
) -> Result<(), String> {
    let e = &input.entry;
    let unit = units
        .get(e.account.as_str())
        .ok_or_else(|| format!("unknown account {}", e.account))?;
    e.validate(*unit).map_err(|err| err.to_string())?;
    match e.kind {
        EntryKind::Grant | EntryKind::Adjustment => {
            if !input.author_is_municipality {
                return Err("only the municipality may grant or adjust a budget".into());
            }
        }
        _ => {
            if &input.author != owner && !mandated.contains(&(input.author, e.id.clone())) {
                return Err("only the budget holder (or a representative she mandated for it) may record this".into());
            }
        }
    }
    if !seen.insert((input.author, e.id.clone())) {
        return Err(format!("entry id {} is counted already", e.id));
    }
    Ok(())
}

fn fund(f: &mut AccountFigures, e: &LedgerEntry) {
    match e.kind {
        EntryKind::Grant | EntryKind::Adjustment => f.granted += e.amount,
        EntryKind::TopUp => f.topped_up += e.amount,
        EntryKind::TransferIn => f.transferred_in += e.amount,
        EntryKind::TransferOut => f.transferred_out += e.amount,
        EntryKind::Reservation | EntryKind::Release | EntryKind::Spend => {}
    }
}

fn spend(
    f: &mut AccountFigures,
    e: &LedgerEntry,
    reservations: &mut BTreeMap<(String, String), Decimal>,
) -> EntryStatus {
    match e.kind {
        EntryKind::Reservation => {
            f.reserved += e.amount;
            reservations.insert((e.account.clone(), e.id.clone()), e.amount);
        }
        EntryKind::Release => {
            let freed = release(reservations, e, e.amount);
            f.reserved -= freed;
        }
        EntryKind::Spend => {
            let freed = release(reservations, e, e.amount);
            f.reserved -= freed;
            let funded = f.available() - f.spent;
            f.spent += e.amount;
            *f.spent_per_category
                .entry(e.category.clone().unwrap_or_default())
                .or_default() += e.amount;
            *f.spent_per_month.entry(e.date.month_key()).or_default() += e.amount;
            let uncovered = if funded >= e.amount {
                Decimal::ZERO
            } else if funded <= Decimal::ZERO {
                e.amount
            } else {
                e.amount - funded
            };
            if uncovered > Decimal::ZERO {
                f.not_covered += uncovered;
                return EntryStatus::NotCovered { uncovered };
            }
        }
        _ => {}
    }
    EntryStatus::Counted
}

fn release(reservations: &mut BTreeMap<(String, String), Decimal>, e: &LedgerEntry, amount: Decimal) -> Decimal {
    let Some(r) = e.reference.as_ref() else {
        return Decimal::ZERO;
    };
    let Some(open) = reservations.get_mut(&(e.account.clone(), r.clone())) else {
        return Decimal::ZERO;
    };
    let freed = amount.min(*open);
    *open -= freed;
    freed
}

#[cfg(test)]
mod tests {
    use super::forecast as project;

    #[test]
    fn forecast_projects_the_rate_to_the_period_end() {
        let acc = Account {
            id: "a".into(),
            name: "pgb".into(),
            stream: inwonercloud_schemas::FundingStream::Wmo,
            unit: Unit::Euro,
            period_start: Date::new(2026, 1, 1).unwrap(),
            period_end: Date::new(2026, 12, 31).unwrap(),
        };
        let f = AccountFigures {
            granted: Decimal::new(1000000, 2),
            spent: Decimal::new(500000, 2),
            ..Default::default()
        };
        // 1 July is day 182 of 365: 5000 / 182 * 365 = 10027.47.
        let p = project(&acc, &f, Date::new(2026, 7, 1).unwrap());
        assert_eq!(p.days, (182, 365));
        assert_eq!(p.projected_spent, Decimal::new(1002747, 2));
        assert_eq!(p.projected_remaining, Decimal::new(-2747, 2));
        let after = project(&acc, &f, Date::new(2027, 3, 1).unwrap());
        assert_eq!(after.projected_spent, f.spent);
        let before = project(&acc, &f, Date::new(2025, 3, 1).unwrap());
        assert_eq!(before.days.0, 0);
    }

    use super::*;
    use inwonercloud_schemas::FundingStream;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn entry(id: &str, kind: EntryKind, amount: &str, date: &str, reference: Option<&str>) -> LedgerEntry {
        LedgerEntry {
            id: id.into(),
            account: "wmo".into(),
            kind,
            amount: d(amount),
            category: Some("huishoudelijke_hulp".into()),
            date: date.parse().unwrap(),
            note: String::new(),
            reference: reference.map(Into::into),
        }
    }

    fn account() -> Account {
        Account {
            id: "wmo".into(),
            name: "Wmo".into(),
            stream: FundingStream::Wmo,
            unit: Unit::Euro,
            period_start: "2026-01-01".parse().unwrap(),
            period_end: "2026-12-31".parse().unwrap(),
        }
    }

    #[test]
    fn figures_and_over_budget() {
        let owner = PublicKey([1; 32]);
        let gemeente = PublicKey([2; 32]);
        let inputs = vec![
            LedgerInput {
                entry: entry("g", EntryKind::Grant, "1000.00", "2026-01-01", None),
                author: gemeente,
                author_is_municipality: true,
                transfer_confirmed: false,
            },
            LedgerInput {
                entry: entry("t", EntryKind::TopUp, "50.25", "2026-01-02", None),
                author: owner,
                author_is_municipality: false,
                transfer_confirmed: false,
            },
            LedgerInput {
                entry: entry("r", EntryKind::Reservation, "300", "2026-01-03", None),
                author: owner,
                author_is_municipality: false,
                transfer_confirmed: false,
            },
            LedgerInput {
                entry: entry("s1", EntryKind::Spend, "200.10", "2026-02-01", Some("r")),
                author: owner,
                author_is_municipality: false,
                transfer_confirmed: false,
            },
            LedgerInput {
                entry: entry("s2", EntryKind::Spend, "900", "2026-03-01", None),
                author: owner,
                author_is_municipality: false,
                transfer_confirmed: false,
            },
            LedgerInput {
                entry: entry("fake", EntryKind::Grant, "5000", "2026-01-01", None),
                author: owner,
                author_is_municipality: false,
                transfer_confirmed: false,
            },
        ];
        let r = compute(&[account()], &inputs, &owner);
        let f = &r.accounts["wmo"];
        assert_eq!(f.granted, d("1000.00"));
        assert_eq!(f.topped_up, d("50.25"));
        assert_eq!(f.spent, d("1100.10"));
        assert_eq!(f.reserved, d("99.90"));
        assert_eq!(f.not_covered, d("49.85"));
        assert_eq!(f.remaining, d("-149.75"));
        assert_eq!(f.spent_per_month["2026-03"], d("900"));
        assert_eq!(r.over_budget_lines().count(), 1);
        assert!(
            r.lines
                .iter()
                .any(|l| matches!(&l.status, EntryStatus::Refused { reason } if reason.contains("municipality")))
        );
        // Same figures whatever the input order.
        let mut rev = inputs.clone();
        rev.reverse();
        assert_eq!(compute(&[account()], &rev, &owner).accounts, r.accounts);
    }

    #[test]
    fn a_spend_by_someone_else_counts_only_when_a_mandate_allows_it() {
        let owner = PublicKey([1; 32]);
        let gemeente = PublicKey([2; 32]);
        let eva = PublicKey([3; 32]);
        let input = |id: &str, kind, amount: &str, author| LedgerInput {
            entry: entry(id, kind, amount, "2026-02-01", None),
            author,
            author_is_municipality: author == gemeente,
            transfer_confirmed: false,
        };
        let inputs = vec![
            input("g", EntryKind::Grant, "1000", gemeente),
            input("s-eva", EntryKind::Spend, "100", eva),
            input("s-eva-2", EntryKind::Spend, "50", eva),
        ];
        let plain = compute(&[account()], &inputs, &owner);
        assert_eq!(plain.accounts["wmo"].spent, Decimal::ZERO);
        let allowed = BTreeSet::from([(eva, "s-eva".to_string())]);
        let r = compute_with(&[account()], &inputs, &owner, &allowed);
        assert_eq!(r.accounts["wmo"].spent, d("100"));
        let refused = r.lines.iter().find(|l| l.entry.id == "s-eva-2").unwrap();
        assert!(matches!(&refused.status, EntryStatus::Refused { reason } if reason.contains("mandated")));
    }
}
