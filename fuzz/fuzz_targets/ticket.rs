//! An invite ticket typed or scanned by a person: parsing never panics.
#![no_main]
use inwonercloud_sync::Ticket;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(t) = text.parse::<Ticket>()
    {
        let again: Ticket = t.to_string().parse().expect("a parsed ticket prints as a valid ticket");
        assert_eq!(again.to_string(), t.to_string());
    }
});
