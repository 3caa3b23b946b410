//! A backup file: the header parser never panics on any bytes.
#![no_main]
use inwonercloud_vault::backup::parse_backup;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_backup(data);
});
