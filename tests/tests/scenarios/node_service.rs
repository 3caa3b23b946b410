//! `serve` run as a service would run it: the passphrase from a file (no
//! environment variable, no terminal), logs with timestamps, `status` from
//! another process, and a clean stop on SIGTERM.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use inwonercloud_schemas::{Access, LifeDomain, Role};
use inwonercloud_tests::processes::bin;
use inwonercloud_tests::{PASSPHRASE, vault};
use inwonercloud_vault::PeerInfo;

fn cli(bin: &Path, vault: &Path, secret: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(bin)
        .arg("--vault")
        .arg(vault)
        .arg("--passphrase-file")
        .arg(secret)
        .args(["--json", "--lang", "en"])
        .args(args)
        .env_remove("INWONERCLOUD_PASSPHRASE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn serve_reads_its_passphrase_from_a_file_reports_status_and_stops_cleanly_on_sigterm() {
    let Some(bin) = bin() else {
        eprintln!("skipped: build the binary first (cargo build -p inwonercloud)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("anna");
    {
        let mut anna = vault(&dir, "Anna", Role::Citizen);
        let bert = vault(&tmp.path().join("bert"), "Bert", Role::Counselor);
        let plan = anna.plan_doc();
        anna.grant_consent(
            bert.identity(),
            "Bert",
            Role::Counselor,
            vec![plan.clone()],
            Access::Read,
            None,
            "begeleiding",
        )
        .unwrap();
        anna.remember_peer(&PeerInfo {
            identity: bert.identity(),
            name: "Bert".into(),
            role: Role::Counselor,
            devices: vec![bert.device_key().public()],
            addrs: vec![],
            last_seen: 0,
            postbus: None,
        })
        .unwrap();
        anna.add_goal(&plan, LifeDomain::Wonen, "Zelfstandig wonen", None)
            .unwrap();
    }
    let secret = tmp.path().join("passphrase");
    std::fs::write(&secret, format!("{PASSPHRASE}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    // A relay for the devices this vault knows: Anna's and Bert's.
    let relay = cli(&bin, &dir, &secret, &["relay-config", "--bind", "10.0.0.1:3340"]);
    assert_eq!(relay["devices"], 2, "{relay}");
    let toml = relay["config"].as_str().unwrap();
    assert!(
        toml.contains("access.allowlist") && toml.contains("10.0.0.1:3340"),
        "{toml}"
    );

    // Not running yet: status says so, and what waits for Bert.
    let s = cli(&bin, &dir, &secret, &["status"]);
    assert_eq!(s["running"], false, "{s}");
    let waiting = &s["backlog"][0];
    assert_eq!(waiting["name"], "Bert", "{s}");
    assert!(
        waiting["docs"][0][1].as_u64().unwrap() >= 1,
        "the new goal waits for Bert: {s}"
    );

    let mut serve = Command::new(&bin)
        .arg("--vault")
        .arg(&dir)
        .arg("--passphrase-file")
        .arg(&secret)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env_remove("INWONERCLOUD_PASSPHRASE")
        .env("RUST_LOG", "inwonercloud=info,warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let running = loop {
        let s = cli(&bin, &dir, &secret, &["status"]);
        if s["running"] == true {
            break s;
        }
        assert!(Instant::now() < deadline, "serve did not come up: {s}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(running["node"]["pid"], serve.id(), "{running}");
    assert!(!running["node"]["addrs"].as_array().unwrap().is_empty());

    // systemctl stop sends SIGTERM: the node closes its sessions and exits 0.
    let killed = Command::new("kill")
        .args(["-TERM", &serve.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(st) = serve.try_wait().unwrap() {
            break st;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut log = String::new();
    serve.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    assert!(status.success(), "a clean stop exits 0: {status:?}\n{log}");
    // Log lines carry a UTC timestamp (2026-12-02T09:15:06.753369Z) and say why it stopped.
    let stop = log
        .lines()
        .find(|l| l.contains("SIGTERM"))
        .unwrap_or_else(|| panic!("{log}"));
    assert!(
        stop.split_whitespace()
            .next()
            .is_some_and(|t| t.contains('T') && t.ends_with('Z')),
        "{stop}"
    );
    let after = cli(&bin, &dir, &secret, &["status"]);
    assert_eq!(after["running"], false, "{after}");
    assert_eq!(after["node"]["running"], false, "the stop was recorded: {after}");

    // A missing or empty passphrase file is named in the error.
    let out = Command::new(&bin)
        .arg("--vault")
        .arg(&dir)
        .args(["--lang", "en", "--passphrase-file"])
        .arg(tmp.path().join("nothing"))
        .arg("whoami")
        .env_remove("INWONERCLOUD_PASSPHRASE")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("passphrase file") && err.contains("nothing"), "{err}");
}

#[test]
fn a_postbus_writes_its_address_logs_and_stops_cleanly_on_sigterm_keeping_its_key() {
    let Some(bin) = bin() else {
        eprintln!("skipped: the inwonercloud binary is not built next to this test");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("postbus");
    let start = |dir: &Path| {
        Command::new(&bin)
            .args(["postbus", "--bind", "127.0.0.1:0", "--dir"])
            .arg(dir)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let addr_file = dir.join("postbus-address.txt");
    let mut pb = start(&dir);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !addr_file.is_file() {
        assert!(Instant::now() < deadline, "the postbus did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let first: inwonercloud_vault::mail::PostbusAddr =
        std::fs::read_to_string(&addr_file).unwrap().trim().parse().unwrap();
    assert!(!first.addrs.is_empty());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("postbus.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the postbus key is readable by others: {mode:o}");
    }
    assert!(
        Command::new("kill")
            .args(["-TERM", &pb.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let sent = Instant::now();
    let status = loop {
        if let Some(st) = pb.try_wait().unwrap() {
            break st;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(5),
            "the postbus did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut log = String::new();
    pb.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    assert!(status.success(), "a clean stop exits 0: {status:?}\n{log}");
    assert!(log.lines().any(|l| l.contains("SIGTERM")), "{log}");

    // Started again on the same directory it is the same postbus.
    std::fs::remove_file(&addr_file).unwrap();
    let mut again = start(&dir);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !addr_file.is_file() {
        assert!(Instant::now() < deadline, "the postbus did not start again");
        std::thread::sleep(Duration::from_millis(100));
    }
    let second: inwonercloud_vault::mail::PostbusAddr =
        std::fs::read_to_string(&addr_file).unwrap().trim().parse().unwrap();
    assert_eq!(first.endpoint, second.endpoint);
    let _ = again.kill();
    let _ = again.wait();
}
