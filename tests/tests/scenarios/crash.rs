//! A writer process killed with SIGKILL mid-stream loses nothing it reported
//! as committed, and the vault opens with every signature valid.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use inwonercloud_vault::Vault;

/// Kill rounds (at least 50 by default; `CRASH_ROUNDS` sets another number).
fn rounds() -> usize {
    std::env::var("CRASH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50)
}

#[test]
fn sigkill_mid_write_loses_no_acknowledged_write() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("crash");
    let mut acknowledged: Vec<String> = vec![];
    let mut seed = 0x9e37_79b9_u64;
    for round in 0..rounds() {
        // A pseudo-random number of acknowledged writes before the kill.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let wait_for = 1 + (seed % 40) as usize;
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash_writer"))
            .arg(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut seen = 0;
        while seen < wait_for {
            match lines.next() {
                Some(Ok(line)) => {
                    acknowledged.push(line.trim_start_matches("ok ").to_string());
                    seen += 1;
                }
                _ => {
                    let out = child.wait_with_output().unwrap();
                    panic!(
                        "writer stopped early in round {round}: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            }
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        // Lines already written before the kill were acknowledged too.
        for line in lines.map_while(Result::ok) {
            acknowledged.push(line.trim_start_matches("ok ").to_string());
        }

        let v = Vault::open(&dir, &inwonercloud_tests::pass())
            .unwrap_or_else(|e| panic!("round {round}: vault does not open: {e}"));
        let notes: std::collections::HashSet<String> = v.notes().unwrap().into_iter().map(|n| n.record.id).collect();
        for id in &acknowledged {
            assert!(notes.contains(id), "round {round}: acknowledged note {id} is lost");
        }
        let export = v.export().unwrap();
        let check = inwonercloud_vault::export::verify_export(&export);
        assert!(check.invalid.is_empty(), "round {round}: {:?}", check.invalid);
    }
    assert!(acknowledged.len() >= rounds());
}
