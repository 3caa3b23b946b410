//! Shared pieces of the benchmarks: the bench vaults and the realistic
//! budget document every figure is measured on (the bench binary and the
//! criterion benches use the same data).

use std::path::Path;

use inwonercloud_schemas::{Date, EntryKind, FundingStream, LedgerEntry, Role, Unit};
use inwonercloud_vault::{CreateOptions, Passphrase, Vault};
use rust_decimal::Decimal;

/// The bench vaults' passphrase.
pub fn pass() -> Passphrase {
    Passphrase::new("bench-wachtwoord")
}

/// Creates a bench vault.
pub fn create(dir: &Path, name: &str, role: Role) -> Vault {
    Vault::create(
        dir,
        CreateOptions {
            name: name.into(),
            role,
            device_name: "bench".into(),
            passphrase: pass(),
        },
    )
    .unwrap_or_else(|e| panic!("create {name}: {e}"))
}

/// N realistic ledger entries: declarations with decimal amounts and notes.
pub fn entries(n: usize, account: &str) -> Vec<(String, LedgerEntry)> {
    (0..n)
        .map(|i| {
            let id = format!("e{i:08}");
            let cents = 1_000 + (i as i64 * 7_919) % 250_000;
            let e = LedgerEntry {
                id: id.clone(),
                account: account.to_string(),
                kind: EntryKind::Spend,
                amount: Decimal::new(cents, 2),
                category: Some(["begeleiding_individueel", "dagbesteding", "huishoudelijke_hulp"][i % 3].into()),
                date: Date::from_unix(1_798_761_600 + (i as u64 % 365) * 86_400),
                note: format!("declaratie {i}: {} uur begeleiding, week {}", 1 + i % 9, 1 + i % 52),
                reference: None,
            };
            (id, e)
        })
        .collect()
}

/// A citizen's vault at `dir` with a budget of `n` signed entries, one
/// change each. Returns the vault, the budget's document id and the account.
pub fn citizen_budget(dir: &Path, n: usize) -> (Vault, String, String) {
    let mut v = create(dir, "Sanne", Role::Citizen);
    let budget = v.budget_doc();
    let d = |s: &str| s.parse::<Date>().expect("date");
    let account = v
        .add_account(
            &budget,
            "pgb",
            FundingStream::Wmo,
            Unit::Euro,
            d("2027-01-01"),
            d("2027-12-31"),
        )
        .expect("account")
        .id;
    for chunk in entries(n, &account).chunks(1_000) {
        v.put_records(&budget, chunk.to_vec()).expect("entries");
    }
    (v, budget, account)
}
