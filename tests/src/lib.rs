//! Helpers shared by the scenario tests: real vaults in temporary directories.

#![allow(missing_docs)]

use std::path::Path;

use inwonercloud_schemas::{Date, FundingStream, Role, Unit};
use inwonercloud_vault::{CreateOptions, Vault};

/// Creates a vault for `name` with `role` in `dir`.
pub fn vault(dir: &Path, name: &str, role: Role) -> Vault {
    Vault::create(
        dir,
        CreateOptions {
            name: name.into(),
            role,
            device_name: "test".into(),
        },
    )
    .unwrap_or_else(|e| panic!("creating {name}'s vault: {e}"))
}

/// A date literal.
pub fn day(s: &str) -> Date {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Opens a euro account for 2026 in the vault's own budget.
pub fn euro_account(v: &mut Vault, name: &str, stream: FundingStream) -> String {
    let doc = v.budget_doc();
    v.add_account(&doc, name, stream, Unit::Euro, day("2026-01-01"), day("2026-12-31"))
        .unwrap_or_else(|e| panic!("account {name}: {e}"))
        .id
}

/// Replaces every occurrence of `needle` in `file` after flipping one bit of
/// the byte at `offset` within it. Returns how many occurrences were changed.
pub fn flip_in_file(file: &Path, needle: &[u8], offset: usize) -> usize {
    let mut bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut count = 0;
    let mut i = 0;
    while i + needle.len() <= bytes.len() {
        if &bytes[i..i + needle.len()] == needle {
            bytes[i + offset] ^= 0x01;
            count += 1;
            i += needle.len();
        } else {
            i += 1;
        }
    }
    std::fs::write(file, bytes).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    count
}
