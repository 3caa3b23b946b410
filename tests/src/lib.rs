//! Helpers shared by the scenario tests: real vaults in temporary directories.

#![allow(missing_docs)]

use std::path::Path;

use inwonercloud_schemas::{Date, FundingStream, Role, Unit};
use inwonercloud_vault::{CreateOptions, Passphrase, Vault};

/// Euros from cents, exact.
pub fn eur(cents: i64) -> rust_decimal::Decimal {
    rust_decimal::Decimal::new(cents, 2)
}

/// The passphrase every test vault is created with.
pub const PASSPHRASE: &str = "proef-wachtwoord";

/// [`PASSPHRASE`] as a [`Passphrase`].
pub fn pass() -> Passphrase {
    Passphrase::new(PASSPHRASE)
}

/// Creates a vault for `name` with `role` in `dir`.
pub fn vault(dir: &Path, name: &str, role: Role) -> Vault {
    Vault::create(
        dir,
        CreateOptions {
            name: name.into(),
            role,
            device_name: "test".into(),
            passphrase: pass(),
        },
    )
    .unwrap_or_else(|e| panic!("creating {name}'s vault: {e}"))
}

/// A header revoking Mallory from `plan` with a cut-off of `cutoff` changes
/// of her device, signed by Anna's device (as one of Anna's other devices
/// that saw fewer of Mallory's changes would make it).
pub fn revoking_header(
    anna: &Vault,
    plan: &str,
    mallory: &Vault,
    cutoff: u64,
) -> inwonercloud_schemas::Signed<inwonercloud_schemas::DocumentHeader> {
    let mut h = anna.header(plan).unwrap().clone();
    h.writers.retain(|w| w != &mallory.identity());
    h.grants.retain(|g| g.identity != mallory.identity());
    h.revoked.push(inwonercloud_schemas::RevokedWriter {
        identity: mallory.identity(),
        cutoffs: vec![(mallory.device_key().public(), cutoff)],
        role: Some(inwonercloud_schemas::Role::Counselor),
        at: vec![],
    });
    h.version += 1;
    h.clock = h.next_clock(&anna.device_key().public());
    inwonercloud_vault::keys::sign_record(
        h,
        anna.device_key(),
        anna.device_certificate(),
        inwonercloud_vault::keys::now(),
    )
}

/// Anna (a citizen, one goal in her plan) in `dir/anna`, and Mallory (a
/// counselor) in `dir/mallory` whom Anna lets write the plan and who holds it.
/// Returns Anna, Mallory and the plan's id.
pub fn plan_with_writer(dir: &Path) -> (Vault, Vault, String) {
    let mut anna = vault(&dir.join("anna"), "Anna", Role::Citizen);
    let mut mallory = vault(&dir.join("mallory"), "Mallory", Role::Counselor);
    let plan = anna.plan_doc();
    anna.add_goal(&plan, inwonercloud_schemas::LifeDomain::Wonen, "doel", None)
        .unwrap_or_else(|e| panic!("goal: {e}"));
    anna.add_writer(&plan, mallory.identity(), Role::Counselor)
        .unwrap_or_else(|e| panic!("writer: {e}"));
    let bundle = anna.bundle(&plan).unwrap_or_else(|e| panic!("bundle: {e}"));
    mallory
        .import_bundle(&bundle, "anna")
        .unwrap_or_else(|e| panic!("import: {e}"));
    (anna, mallory, plan)
}

/// A second device of `first`'s identity, in `dir`, certified by `first`
/// (what a device ticket does, without the network).
pub fn another_device(first: &mut Vault, dir: &Path, name: &str) -> Vault {
    let mut v = Vault::create_unlinked(dir, name, &pass()).unwrap_or_else(|e| panic!("creating device {name}: {e}"));
    let cert = first
        .certify_new_device(v.device_key().public(), name)
        .unwrap_or_else(|e| panic!("certifying {name}: {e}"));
    v.adopt_certificate(cert)
        .unwrap_or_else(|e| panic!("adopting {name}'s certificate: {e}"));
    v
}

/// The texts of the goals in `plan` as `v` reads it, sorted.
pub fn goal_texts(v: &Vault, plan: &str) -> Vec<String> {
    let mut g: Vec<String> = v
        .plan(plan)
        .unwrap_or_else(|e| panic!("plan {plan}: {e}"))
        .goals
        .into_iter()
        .map(|g| g.record.text)
        .collect();
    g.sort();
    g
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

/// Starts a node on 127.0.0.1 for a fresh vault.
pub async fn node(dir: &Path, name: &str, role: Role) -> inwonercloud_sync::Node {
    let v = vault(dir, name, role);
    inwonercloud_sync::Node::spawn(v, inwonercloud_sync::NodeConfig::loopback())
        .await
        .unwrap_or_else(|e| panic!("node for {name}: {e}"))
}

/// An invite for `role` on the citizen's documents of these kinds.
pub fn invite(
    citizen: &inwonercloud_sync::Node,
    role: Role,
    kinds: &[inwonercloud_schemas::DocKind],
    access: inwonercloud_schemas::Access,
) -> inwonercloud_sync::Ticket {
    let documents = citizen.with_vault(|v| kinds.iter().map(|k| v.doc_id(*k)).collect());
    citizen
        .invite(
            inwonercloud_vault::consent::InviteSpec {
                role,
                documents,
                access,
                valid_until: None,
                purpose: "test".into(),
                name_hint: String::new(),
                device: false,
            },
            3600,
        )
        .unwrap_or_else(|e| panic!("invite: {e}"))
}

/// Polls `f` every 20 ms for up to `secs` seconds.
pub async fn eventually(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if f() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    f()
}

/// One sync session from `a` to `b` (both directions of the documents each may send).
pub async fn sync(a: &inwonercloud_sync::Node, b: &inwonercloud_sync::Node) {
    a.sync_once(b.endpoint_addr())
        .await
        .unwrap_or_else(|e| panic!("sync: {e}"));
}

/// A change to `doc` on top of its history `base`, made and signed by the
/// device of `by`: it puts `value` under `key`, dated `time` (unix seconds;
/// automerge's default when none). For tests that hand-craft what a peer sends.
pub fn change_on_top(
    by: &Vault,
    doc: &str,
    base: &[inwonercloud_vault::SignedChange],
    key: &str,
    value: &str,
    time: Option<i64>,
) -> inwonercloud_vault::SignedChange {
    use automerge::transaction::{CommitOptions, Transactable};
    let mut am = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(by.device_key().public().0));
    am.apply_changes(
        base.iter()
            .map(|c| automerge::Change::from_bytes(c.bytes.clone()).expect("a stored change decodes")),
    )
    .expect("the history applies");
    let before = am.get_heads();
    am.put(automerge::ROOT, key, value).expect("put");
    match time {
        Some(t) => am.commit_with(CommitOptions::default().with_time(t)),
        None => am.commit(),
    };
    let change = am.get_changes(&before).pop().expect("one new change");
    inwonercloud_vault::SignedChange::sign(doc, &change, by.device_key())
}

/// A goal record signed by `by`, put into the plan `doc` as a change on top of `base`.
pub fn goal_change(
    by: &Vault,
    doc: &str,
    base: &[inwonercloud_vault::SignedChange],
) -> inwonercloud_vault::SignedChange {
    let goal = inwonercloud_schemas::Goal {
        id: "evil".into(),
        domain: inwonercloud_schemas::LifeDomain::Wonen,
        text: "opname in een instelling".into(),
        target_date: None,
        status: inwonercloud_schemas::GoalStatus::Actief,
        member: None,
    };
    let signed = inwonercloud_vault::keys::sign_record(goal, by.device_key(), by.device_certificate(), 1);
    let json = serde_json::to_string(&signed).expect("a record serializes");
    change_on_top(by, doc, base, "goal/evil", &json, None)
}

/// Copies `doc` from one vault to another, as a sync session would.
pub fn hand_over(from: &Vault, to: &mut Vault, doc: &str) {
    let b = from.bundle(doc).unwrap_or_else(|e| panic!("bundle of {doc}: {e}"));
    to.import_bundle(&b, "test")
        .unwrap_or_else(|e| panic!("import of {doc}: {e}"));
}

/// Lets `v` know `peer` (name, role, device), as a session would.
pub fn remember(v: &mut Vault, peer: &Vault) {
    v.remember_peer(&inwonercloud_vault::PeerInfo {
        identity: peer.identity(),
        name: peer.name().to_string(),
        role: peer.role(),
        devices: vec![peer.device_key().public()],
        addrs: vec![],
        last_seen: 0,
        postbus: None,
    })
    .unwrap_or_else(|e| panic!("remembering {}: {e}", peer.name()));
}

/// An hourly home-support offering of provider `name` at `price`.
pub fn offering(name: &str, price: rust_decimal::Decimal) -> inwonercloud_schemas::Offering {
    inwonercloud_schemas::Offering {
        id: String::new(),
        service: "Begeleiding thuis".into(),
        category: "begeleiding_individueel".into(),
        unit: inwonercloud_schemas::ServiceUnit::Uur,
        price,
        region: "Utrecht".into(),
        availability: "werkdagen".into(),
        description: "Hulp bij planning en post".into(),
        provider: inwonercloud_schemas::ProviderDetails {
            name: name.into(),
            kvk: Some("12345678".into()),
            agb: None,
        },
    }
}

/// Real processes in network namespaces: what the partition, NAT and service
/// tests share.
pub mod processes {
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    /// The `inwonercloud` binary built next to the running test, if it is there.
    pub fn bin() -> Option<PathBuf> {
        let exe = std::env::current_exe().ok()?;
        let p = exe.parent()?.parent()?.join("inwonercloud");
        p.is_file().then_some(p)
    }

    /// Runs `cmd` quietly; whether it succeeded.
    pub fn run(cmd: &str, args: &[&str]) -> bool {
        Command::new(cmd)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// `ip ARGS`, quietly; whether it succeeded.
    pub fn ip(args: &[&str]) -> bool {
        run("ip", args)
    }

    /// A child process, killed when dropped.
    pub struct Proc(pub Child);

    impl Drop for Proc {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    /// The command line in namespace `ns` on `vault` (passphrase from the
    /// environment): its output, or its error output.
    pub fn cli_in(bin: &Path, ns: &str, vault: &Path, args: &[&str]) -> Result<String, String> {
        let out = Command::new("ip")
            .args(["netns", "exec", ns])
            .arg(bin)
            .arg("--vault")
            .arg(vault)
            .args(args)
            .env("INWONERCLOUD_PASSPHRASE", crate::PASSPHRASE)
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// Waits up to `secs` seconds for `f`, panicking with `what` after that.
    pub fn wait(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
        let start = Instant::now();
        while !f() {
            assert!(start.elapsed() < Duration::from_secs(secs), "timed out: {what}");
            std::thread::sleep(Duration::from_millis(300));
        }
    }
}
