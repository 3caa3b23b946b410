//! Three hosts in network namespaces (`ip netns`, veth pairs on a bridge):
//! a citizen, her counselor and the municipality each run `inwonercloud
//! serve` in their own namespace. The citizen's link is cut, both sides
//! edit, the link heals, and every replica converges with equal balances.
//!
//! Needs root (to create namespaces) and the `inwonercloud` binary built
//! next to this test (`cargo test --workspace` builds it); otherwise the
//! test says it is skipped and passes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use inwonercloud_schemas::{EntryKind, LifeDomain, Role};
use inwonercloud_tests::processes::{Proc, bin, cli_in, ip, wait};
use inwonercloud_tests::{PASSPHRASE, day, eur, pass, vault};
use inwonercloud_vault::{NewEntry, Vault};

const NS: [&str; 3] = ["icp-anna", "icp-bert", "icp-oss"];
const BRIDGE: &str = "icp-br0";

fn host_link(i: usize) -> String {
    format!("icp-h{i}")
}

fn addr(i: usize) -> String {
    format!("10.77.0.{}", i + 1)
}

/// The namespaces and the bridge, removed again on drop.
struct Net;

impl Net {
    fn up() -> Option<Net> {
        Net::cleanup();
        if !ip(&["link", "add", BRIDGE, "type", "bridge"]) {
            return None;
        }
        let net = Net;
        ip(&["link", "set", BRIDGE, "up"]);
        for (i, ns) in NS.iter().enumerate() {
            let (h, g) = (host_link(i), format!("icp-g{i}"));
            let ok = ip(&["netns", "add", ns])
                && ip(&["link", "add", &h, "type", "veth", "peer", "name", &g])
                && ip(&["link", "set", &g, "netns", ns])
                && ip(&["link", "set", &h, "master", BRIDGE])
                && ip(&["link", "set", &h, "up"])
                && ip(&["-n", ns, "addr", "add", &format!("{}/24", addr(i)), "dev", &g])
                && ip(&["-n", ns, "link", "set", &g, "up"])
                && ip(&["-n", ns, "link", "set", "lo", "up"]);
            if !ok {
                return None;
            }
        }
        Some(net)
    }

    fn cut(&self, i: usize) {
        assert!(ip(&["link", "set", &host_link(i), "down"]));
    }

    fn heal(&self, i: usize) {
        assert!(ip(&["link", "set", &host_link(i), "up"]));
    }

    fn cleanup() {
        for ns in NS {
            ip(&["netns", "del", ns]);
        }
        for i in 0..NS.len() {
            ip(&["link", "del", &host_link(i)]);
        }
        ip(&["link", "del", BRIDGE]);
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        Net::cleanup();
    }
}

fn cli(bin: &Path, ns: &str, vault: &Path, args: &[&str]) -> String {
    cli_in(bin, ns, vault, args).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn serve(bin: &Path, ns: &str, vault: &Path, i: usize) -> Proc {
    let child = Command::new("ip")
        .args(["netns", "exec", ns])
        .arg(bin)
        .arg("--vault")
        .arg(vault)
        .args(["serve", "--bind", &format!("{}:7400", addr(i))])
        .env("INWONERCLOUD_PASSPHRASE", PASSPHRASE)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start serve");
    std::thread::sleep(Duration::from_millis(1500));
    Proc(child)
}

fn ticket(text: &str) -> String {
    text.split_whitespace()
        .find(|w| w.starts_with("inwonercloud1"))
        .expect("a ticket in the output")
        .to_string()
}

fn state(dir: &Path, plan: &str, budget: &str) -> (Vec<String>, Vec<String>) {
    let v = Vault::open(dir, &pass()).expect("open");
    let mut goals: Vec<String> = v
        .plan(plan)
        .map(|p| p.goals.into_iter().map(|g| g.record.text).collect())
        .unwrap_or_default();
    goals.sort();
    let figures = v
        .budget(budget)
        .map(|b| {
            b.report
                .accounts
                .values()
                .map(|f| format!("{} {} {}", f.topped_up, f.spent, f.remaining))
                .collect()
        })
        .unwrap_or_default();
    (goals, figures)
}

#[test]
fn three_hosts_converge_after_a_partition_heals() {
    let Some(bin) = bin() else {
        eprintln!("skipped: the inwonercloud binary is not built next to this test");
        return;
    };
    let Some(net) = Net::up() else {
        eprintln!("skipped: no rights to create network namespaces here");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dirs: Vec<PathBuf> = ["anna", "bert", "oss"].iter().map(|d| tmp.path().join(d)).collect();
    let (plan, budget, account) = {
        let mut anna = vault(&dirs[0], "Anna", Role::Citizen);
        vault(&dirs[1], "Bert", Role::Counselor);
        vault(&dirs[2], "Gemeente Oss", Role::Municipality);
        let budget = anna.budget_doc();
        let account =
            inwonercloud_tests::euro_account(&mut anna, "Eigen geld", inwonercloud_schemas::FundingStream::Wmo);
        anna.top_up(&budget, &account, eur(100_000), day("2026-01-05"), "")
            .unwrap();
        (anna.plan_doc(), budget, account)
    };

    let _a = serve(&bin, NS[0], &dirs[0], 0);
    let t = cli(
        &bin,
        NS[0],
        &dirs[0],
        &["invite", "--role", "begeleider", "--docs", "plan,budget", "--write"],
    );
    cli(&bin, NS[1], &dirs[1], &["join", &ticket(&t)]);
    let t = cli(
        &bin,
        NS[0],
        &dirs[0],
        &["invite", "--role", "gemeente", "--docs", "budget"],
    );
    cli(&bin, NS[2], &dirs[2], &["join", &ticket(&t)]);
    let _b = serve(&bin, NS[1], &dirs[1], 1);
    let _c = serve(&bin, NS[2], &dirs[2], 2);
    let anna_state = state(&dirs[0], &plan, &budget);
    wait(30, "everyone holds the budget", || {
        state(&dirs[1], &plan, &budget).1 == anna_state.1 && state(&dirs[2], &plan, &budget).1 == anna_state.1
    });

    // Cut Anna off. Both sides edit.
    net.cut(0);
    {
        let mut anna = Vault::open(&dirs[0], &pass()).unwrap();
        anna.add_goal(&plan, LifeDomain::Wonen, "offline bij Anna", None)
            .unwrap();
        anna.record_entry(
            &budget,
            NewEntry {
                account: account.clone(),
                kind: EntryKind::Spend,
                amount: eur(12_345),
                category: None,
                date: day("2026-02-01"),
                note: "boodschappenhulp".into(),
                reference: None,
            },
        )
        .unwrap();
    }
    {
        let mut bert = Vault::open(&dirs[1], &pass()).unwrap();
        bert.add_goal(&plan, LifeDomain::Gezondheid, "offline bij Bert", None)
            .unwrap();
    }
    std::thread::sleep(Duration::from_secs(3));
    let (g, _) = state(&dirs[1], &plan, &budget);
    assert!(
        !g.iter().any(|x| x == "offline bij Anna"),
        "the cut link carried nothing"
    );

    // Heal: the serve nodes reconnect on their own and converge.
    net.heal(0);
    let expected_goals = vec!["offline bij Anna".to_string(), "offline bij Bert".to_string()];
    wait(90, "all replicas converge", || {
        let a = state(&dirs[0], &plan, &budget);
        let b = state(&dirs[1], &plan, &budget);
        let c = state(&dirs[2], &plan, &budget);
        a.0 == expected_goals && b.0 == expected_goals && a.1 == b.1 && b.1 == c.1
    });
    let (_, figures) = state(&dirs[2], &plan, &budget);
    assert_eq!(
        figures,
        vec![format!("{} {} {}", eur(100_000), eur(12_345), eur(87_655))]
    );
}
