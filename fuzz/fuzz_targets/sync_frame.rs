//! A sync frame body from a peer: decoding refuses or accepts, never panics,
//! and what it accepts encodes back to a frame that decodes the same way.
#![no_main]
use inwonercloud_sync::wire::Frame;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(frame) = Frame::decode(body) {
        let enc = frame.encode();
        assert!(
            Frame::decode(&enc[4..]).is_ok(),
            "a decoded frame re-encodes to a valid frame"
        );
    }
});
