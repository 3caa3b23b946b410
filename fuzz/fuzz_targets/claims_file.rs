//! A claims file handed to `inwonercloud verify`: parsing and verifying
//! never panic, whatever the file holds.
#![no_main]
use inwonercloud_vault::ClaimsFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(f) = serde_json::from_slice::<ClaimsFile>(data) {
        let _ = f.verify();
    }
});
