//! Sharing through NAT with a relay the municipality hosts: a citizen and
//! her counselor each sit in a private network behind its own router (a
//! network namespace doing masquerade, as a home router or an office
//! firewall does); neither can reach the other's address. A relay (iroh's
//! own `iroh-relay`, with an allowlist of the two devices) runs on the
//! "public" network. The counselor joins with the citizen's ticket, which
//! names her relays (the first of them down, so the second serves), and the
//! two co-edit the plan. A device not on the allowlist gets no relaying.
//!
//! Needs root (namespaces, nftables), the `nft` tool, the `iroh-relay`
//! binary (`IROH_RELAY` or on the PATH; `.ci/run` installs it) and the
//! `inwonercloud` binary built next to this test; otherwise it says what is
//! missing and passes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use inwonercloud_schemas::Role;
use inwonercloud_tests::processes::{Proc, bin, cli_in as cli, ip, run, wait};
use inwonercloud_tests::{PASSPHRASE, pass, vault};
use inwonercloud_vault::Vault;

/// Namespaces: the relay, two routers, the citizen, the counselor, a stranger.
const RELAY: &str = "icn-relay";
const ROUTER: [&str; 2] = ["icn-rt-home", "icn-rt-work"];
const HOST: [&str; 2] = ["icn-anna", "icn-bert"];
const BRIDGE: &str = "icn-pub";
const RELAY_IP: &str = "10.88.0.1";

fn in_ns(ns: &str, cmd: &[&str]) -> bool {
    let mut args = vec!["netns", "exec", ns];
    args.extend_from_slice(cmd);
    run("ip", &args)
}

/// The public bridge, the relay, two NAT routers and a host behind each.
struct Net;

impl Net {
    fn up() -> Option<Net> {
        Net::cleanup();
        if !ip(&["link", "add", BRIDGE, "type", "bridge"]) {
            return None;
        }
        let net = Net;
        ip(&["link", "set", BRIDGE, "up"]);
        // The relay on the public network.
        let ok = ip(&["netns", "add", RELAY])
            && ip(&[
                "link",
                "add",
                "icn-h-relay",
                "type",
                "veth",
                "peer",
                "name",
                "icn-g-relay",
            ])
            && ip(&["link", "set", "icn-g-relay", "netns", RELAY])
            && ip(&["link", "set", "icn-h-relay", "master", BRIDGE])
            && ip(&["link", "set", "icn-h-relay", "up"])
            && ip(&[
                "-n",
                RELAY,
                "addr",
                "add",
                &format!("{RELAY_IP}/24"),
                "dev",
                "icn-g-relay",
            ])
            && ip(&["-n", RELAY, "link", "set", "icn-g-relay", "up"])
            && ip(&["-n", RELAY, "link", "set", "lo", "up"]);
        if !ok {
            return None;
        }
        for i in 0..2 {
            let (rt, host) = (ROUTER[i], HOST[i]);
            let (wan_h, wan_g) = (format!("icn-hw{i}"), format!("icn-wan{i}"));
            let (lan_r, lan_h) = (format!("icn-lan{i}"), format!("icn-eth{i}"));
            let lan = format!("192.168.{}", 10 + i * 10);
            let ok = ip(&["netns", "add", rt])
                && ip(&["netns", "add", host])
                // WAN: the router on the public bridge.
                && ip(&["link", "add", &wan_h, "type", "veth", "peer", "name", &wan_g])
                && ip(&["link", "set", &wan_g, "netns", rt])
                && ip(&["link", "set", &wan_h, "master", BRIDGE])
                && ip(&["link", "set", &wan_h, "up"])
                && ip(&["-n", rt, "addr", "add", &format!("10.88.0.{}/24", i + 2), "dev", &wan_g])
                && ip(&["-n", rt, "link", "set", &wan_g, "up"])
                // LAN: the host behind the router.
                && ip(&["link", "add", &lan_r, "type", "veth", "peer", "name", &lan_h])
                && ip(&["link", "set", &lan_r, "netns", rt])
                && ip(&["link", "set", &lan_h, "netns", host])
                && ip(&["-n", rt, "addr", "add", &format!("{lan}.1/24"), "dev", &lan_r])
                && ip(&["-n", rt, "link", "set", &lan_r, "up"])
                && ip(&["-n", host, "addr", "add", &format!("{lan}.2/24"), "dev", &lan_h])
                && ip(&["-n", host, "link", "set", &lan_h, "up"])
                && ip(&["-n", host, "link", "set", "lo", "up"])
                && ip(&["-n", rt, "link", "set", "lo", "up"])
                && ip(&["-n", host, "route", "add", "default", "via", &format!("{lan}.1")])
                // The router forwards and masquerades, as a home router does.
                && in_ns(rt, &["sysctl", "-qw", "net.ipv4.ip_forward=1"])
                && in_ns(rt, &["nft", "add", "table", "ip", "nat"])
                && in_ns(
                    rt,
                    &["nft", "add", "chain", "ip", "nat", "post", "{ type nat hook postrouting priority 100 ; }"],
                )
                && in_ns(rt, &["nft", "add", "rule", "ip", "nat", "post", "oifname", &wan_g, "masquerade"]);
            if !ok {
                return None;
            }
        }
        Some(net)
    }

    fn cleanup() {
        for ns in [RELAY, ROUTER[0], ROUTER[1], HOST[0], HOST[1]] {
            ip(&["netns", "del", ns]);
        }
        for l in ["icn-h-relay", "icn-hw0", "icn-hw1"] {
            ip(&["link", "del", l]);
        }
        ip(&["link", "del", BRIDGE]);
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        Net::cleanup();
    }
}

fn relay_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("IROH_RELAY").map(PathBuf::from) {
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("iroh-relay"))
        .find(|p| p.is_file())
}

fn goals(dir: &Path, plan: &str) -> Vec<String> {
    let v = Vault::open(dir, &pass()).expect("open");
    let mut g: Vec<String> = v
        .plan(plan)
        .map(|p| p.goals.into_iter().map(|g| g.record.text).collect())
        .unwrap_or_default();
    g.sort();
    g
}

#[test]
fn a_citizen_and_a_counselor_behind_different_nats_share_through_the_municipalitys_relay() {
    let Some(bin) = bin() else {
        eprintln!("skipped: the inwonercloud binary is not built next to this test");
        return;
    };
    let Some(relay) = relay_bin() else {
        eprintln!("skipped: no iroh-relay binary (set IROH_RELAY, or cargo install iroh-relay --features server)");
        return;
    };
    if !run("nft", &["--version"]) {
        eprintln!("skipped: no nft (nftables) to build the NAT routers");
        return;
    }
    let Some(_net) = Net::up() else {
        eprintln!("skipped: no rights to create network namespaces and NAT here");
        return;
    };

    let tmp = tempfile::tempdir().unwrap();
    let (anna_dir, bert_dir, eve_dir) = (tmp.path().join("anna"), tmp.path().join("bert"), tmp.path().join("eve"));
    let relay_url = format!("http://{RELAY_IP}:3340");
    // The first relay named is down (nothing listens there): the second serves.
    let relays = format!("http://{RELAY_IP}:3399,{relay_url}");
    let (plan, anna_dev, bert_dev) = {
        let anna = vault(&anna_dir, "Anna", Role::Citizen);
        let bert = vault(&bert_dir, "Bert", Role::Counselor);
        // Eve was told the relay's address, but the relay does not serve her.
        vault(&eve_dir, "Eve", Role::Counselor)
            .set_setting("relay", &relay_url)
            .unwrap();
        (anna.plan_doc(), anna.device_key().public(), bert.device_key().public())
    };

    // The municipality's relay serves the devices it knows: Anna's and Bert's.
    let config = tmp.path().join("relay.toml");
    std::fs::write(
        &config,
        format!(
            "enable_relay = true\nhttp_bind_addr = \"{RELAY_IP}:3340\"\nenable_quic_addr_discovery = false\n\
             access.allowlist = [\"{anna_dev}\", \"{bert_dev}\"]\n"
        ),
    )
    .unwrap();
    let _relay = Proc(
        Command::new("ip")
            .args(["netns", "exec", RELAY])
            .arg(&relay)
            .args(["--dev", "--config-path"])
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the relay"),
    );
    std::thread::sleep(Duration::from_millis(1500));

    // Anna serves at home, through the relay; her invite names it.
    let mut anna_serve = Proc(
        Command::new("ip")
            .args(["netns", "exec", HOST[0]])
            .arg(&bin)
            .arg("--vault")
            .arg(&anna_dir)
            .args(["serve", "--bind", "0.0.0.0:47470", "--relay", &relays])
            .env("INWONERCLOUD_PASSPHRASE", PASSPHRASE)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start serve"),
    );
    std::thread::sleep(Duration::from_millis(2000));
    cli(
        &bin,
        HOST[0],
        &anna_dir,
        &["plan", "goal", "wonen", "Zelfstandig wonen"],
    )
    .unwrap();
    let out = cli(
        &bin,
        HOST[0],
        &anna_dir,
        &["--json", "invite", "--role", "begeleider", "--docs", "plan", "--write"],
    )
    .unwrap();
    let ticket = serde_json::from_str::<serde_json::Value>(&out).unwrap()["ticket"]
        .as_str()
        .unwrap()
        .to_string();

    // Bert, at the office, joins with the ticket alone: it names the relay.
    let mut last = String::new();
    let start = Instant::now();
    while let Err(e) = cli(&bin, HOST[1], &bert_dir, &["join", &ticket]) {
        last = e;
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "Bert could not join through the relay: {last}\nticket: {ticket}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let _ = last;
    assert_eq!(goals(&bert_dir, &plan), vec!["Zelfstandig wonen".to_string()]);

    // The relay configuration Anna's vault would give now names both devices.
    let made = cli(&bin, HOST[0], &anna_dir, &["relay-config"]).unwrap();
    assert!(
        made.contains(&anna_dev.to_string()) && made.contains(&bert_dev.to_string()),
        "{made}"
    );

    // They co-edit: Bert writes and syncs, Anna has it.
    cli(
        &bin,
        HOST[1],
        &bert_dir,
        &["--of", "Anna", "plan", "goal", "wonen", "Vrijwilligerswerk"],
    )
    .unwrap();
    wait(60, "Bert's goal reaches Anna", || {
        let _ = cli(&bin, HOST[1], &bert_dir, &["sync"]);
        goals(&anna_dir, &plan).len() == 2
    });

    // Eve, in the same office and using the same relay but not on its
    // allowlist, cannot reach Anna at all: no direct path through the NATs,
    // and no relaying for her.
    let eve = cli(
        &bin,
        HOST[1],
        &eve_dir,
        &["--json", "sync", &format!("{anna_dev}@192.168.10.2:47470")],
    );
    assert!(
        eve.is_err(),
        "a device the relay does not serve reaches no one behind a NAT: {eve:?}"
    );

    // --- Never online together: the municipality's postbus. ---
    let pb_dir = tmp.path().join("postbus");
    let _postbus = Proc(
        Command::new("ip")
            .args(["netns", "exec", RELAY])
            .arg(&bin)
            .args(["postbus", "--dir"])
            .arg(&pb_dir)
            .args(["--bind", &format!("{RELAY_IP}:47471"), "--relay", &relay_url])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the postbus"),
    );
    let addr_file = pb_dir.join("postbus-address.txt");
    wait(20, "the postbus starts", || addr_file.is_file());
    let pb_addr = std::fs::read_to_string(&addr_file).unwrap().trim().to_string();
    // The postbus listens on every address of its namespace; the public one
    // is what the others can reach.
    let pb_addr = format!(
        "{}@{RELAY_IP}:47471;relay={relay_url}",
        pb_addr.split('@').next().unwrap()
    );
    cli(&bin, HOST[0], &anna_dir, &["postbus-use", &pb_addr]).unwrap();
    // Bert learns it at his next session with Anna.
    let anna_id = Vault::open(&anna_dir, &pass()).unwrap().identity();
    wait(60, "Bert learns Anna's postbus", || {
        let _ = cli(&bin, HOST[1], &bert_dir, &["sync"]);
        Vault::open(&bert_dir, &pass()).unwrap().postbus_of(&anna_id).is_some()
    });

    // Anna stops her node (SIGTERM: it exits 0 at once) and gives the
    // postbus her roster from a one-shot sync; then she is offline.
    let pid = anna_serve.0.id().to_string();
    assert!(run("kill", &["-TERM", &pid]));
    let stopped = Instant::now();
    let status = loop {
        if let Some(s) = anna_serve.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(5),
            "serve did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "serve exits 0 on SIGTERM: {status:?}");
    wait(60, "Anna's roster reaches the postbus", || {
        cli(&bin, HOST[0], &anna_dir, &["sync"]).is_ok_and(|o| o.contains("postbus"))
    });

    // Bert edits while she is away and leaves it at the postbus (his sync
    // cannot reach Anna, so it fails as a whole, but the mail is left).
    const SECRET: &str = "Samen naar de schuldhulp (zin 4417)";
    cli(
        &bin,
        HOST[1],
        &bert_dir,
        &["--of", "Anna", "plan", "goal", "financien", SECRET],
    )
    .unwrap();
    let _ = cli(&bin, HOST[1], &bert_dir, &["sync"]);
    let waiting = Vault::open(&bert_dir, &pass()).unwrap().mail_waiting();
    assert!(waiting.is_empty(), "Bert's edit was left at the postbus: {waiting:?}");
    // The postbus holds it sealed: no plan text in its files.
    for e in std::fs::read_dir(&pb_dir).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(9).any(|w| w == b"zin 4417)"),
            "the postbus's files hold plan text"
        );
    }

    // Anna comes back while Bert is offline: her sync collects the edit,
    // signed by Bert.
    wait(60, "Bert's edit reaches Anna through the postbus", || {
        let _ = cli(&bin, HOST[0], &anna_dir, &["sync"]);
        goals(&anna_dir, &plan).contains(&SECRET.to_string())
    });
    let v = Vault::open(&anna_dir, &pass()).unwrap();
    let g = v
        .plan(&plan)
        .unwrap()
        .goals
        .into_iter()
        .find(|g| g.record.text == SECRET)
        .unwrap();
    assert_eq!(g.author_name, "Bert", "the edit arrives signed by Bert");
}
