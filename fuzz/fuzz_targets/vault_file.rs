//! A corrupted vault file: the input is a list of (offset, xor) edits applied
//! to a real vault file with signed changes in it. Opening must give a
//! vault or an error, never a panic.
#![no_main]
use std::sync::OnceLock;

use inwonercloud_schemas::{LifeDomain, Role};
use inwonercloud_vault::DB_FILE;
use inwonercloud_vault::{CreateOptions, Passphrase, Vault, VaultKey};
use libfuzzer_sys::fuzz_target;

struct Base {
    _tmp: tempfile::TempDir,
    bytes: Vec<u8>,
    key: VaultKey,
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        // libfuzzer-sys aborts in its panic hook, before `Vault::open` can
        // catch redb's panic on a damaged page and turn it into an error.
        // Back to the default hook: a panic that escapes `open` still fails
        // the run (libfuzzer-sys catches it at the target's edge and aborts).
        drop(std::panic::take_hook());
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("v");
        let mut v = Vault::create(
            &dir,
            CreateOptions {
                name: "Fuzz".into(),
                role: Role::Citizen,
                device_name: "fuzz".into(),
                passphrase: Passphrase::new("fuzz-wachtwoord"),
            },
        )
        .expect("create");
        let plan = v.plan_doc();
        for i in 0..5 {
            v.add_goal(&plan, LifeDomain::Wonen, &format!("doel {i}"), None)
                .expect("goal");
        }
        v.add_note("notitie").expect("note");
        let key = v.key();
        drop(v);
        let bytes = std::fs::read(dir.join(DB_FILE)).expect("read");
        Base { _tmp: tmp, bytes, key }
    })
}

fuzz_target!(|edits: &[u8]| {
    let b = base();
    let mut bytes = b.bytes.clone();
    for e in edits.chunks_exact(5) {
        let offset = u32::from_le_bytes([e[0], e[1], e[2], e[3]]) as usize % bytes.len();
        bytes[offset] ^= e[4].max(1);
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join(DB_FILE), &bytes).expect("write");
    let _ = Vault::open_with_key(tmp.path(), &b.key);
});
