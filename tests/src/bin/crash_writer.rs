//! A child process for the crash test: writes journal notes to a vault as fast
//! as it can and prints `ok <id>` after each committed write, until killed.

use std::io::Write;
use std::path::PathBuf;

use inwonercloud_schemas::Role;
use inwonercloud_vault::{CreateOptions, Vault};

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "crash-vault".into()));
    let mut v = if dir.join(inwonercloud_vault::DB_FILE).exists() {
        Vault::open(&dir, &inwonercloud_tests::pass()).unwrap_or_else(|e| panic!("open: {e}"))
    } else {
        Vault::create(
            &dir,
            CreateOptions {
                name: "Crash".into(),
                role: Role::Citizen,
                device_name: "test".into(),
                passphrase: inwonercloud_tests::pass(),
            },
        )
        .unwrap_or_else(|e| panic!("create: {e}"))
    };
    let mut out = std::io::stdout().lock();
    for i in 0u64.. {
        let note = v
            .add_note(&format!("note {i} {}", "x".repeat((i % 7) as usize * 40)))
            .unwrap_or_else(|e| panic!("write: {e}"));
        writeln!(out, "ok {}", note.id).ok();
        out.flush().ok();
    }
}
