//! A claims file handed to `inwonercloud verify`: parsing and verifying
//! never panic, whatever the file holds.
#![no_main]
use inwonercloud_vault::{ClaimsFile, TrustRoots};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(f) = serde_json::from_slice::<ClaimsFile>(data) {
        // Trust the first grant's signer, so the grant and amount rules are
        // reached too; a file without one is checked against a fixed key.
        let first = f.claims.iter().flat_map(|b| b.grants.iter()).next();
        let key = first
            .map(|g| *g.entry.author())
            .unwrap_or(inwonercloud_schemas::PublicKey([9; 32]));
        if let Ok(trust) = TrustRoots::new([key]) {
            let _ = f.verify(&trust);
        }
    }
});
