//! The app's own node (`gui::network`) across a restart: it comes back on
//! the port it had, so a peer that stored its address reconnects without a
//! new invite.

use std::time::{Duration, Instant};

use inwonercloud_app::gui::network::{NetCmd, NetEvent, Network};
use inwonercloud_schemas::{Access, LifeDomain, Role};
use inwonercloud_sync::NodeConfig;
use inwonercloud_tests::{node, vault};
use inwonercloud_vault::Shared;
use inwonercloud_vault::consent::InviteSpec;

/// Polls the network until `f` picks an event, for up to 20 s.
fn wait_for<T>(net: &mut Network, mut f: impl FnMut(&NetEvent) -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        for e in net.poll() {
            if let Some(t) = f(&e) {
                return t;
            }
        }
        assert!(Instant::now() < deadline, "no such network event within 20 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn port_of(addrs: &[String]) -> u16 {
    addrs
        .iter()
        .find_map(|a| a.parse::<std::net::SocketAddr>().ok())
        .map(|a| a.port())
        .expect("an address")
}

#[test]
fn the_apps_node_keeps_its_port_across_a_restart_and_a_peer_reconnects_without_a_new_invite() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let engine = Shared::new(vault(&tmp.path().join("anna"), "Anna", Role::Citizen));
    let (anna_id, plan) = engine.with(|v| (v.identity(), v.plan_doc()));
    let bert = rt.block_on(node(&tmp.path().join("bert"), "Bert", Role::Counselor));

    let mut net = Network::start(engine.clone(), NodeConfig::loopback(), egui::Context::default());
    let first = wait_for(&mut net, |e| match e {
        NetEvent::Started(_, addrs) => Some(port_of(addrs)),
        NetEvent::Failed(why) => panic!("the app's node did not start: {why}"),
        _ => None,
    });
    let spec = InviteSpec {
        role: Role::Counselor,
        documents: vec![plan.clone()],
        access: Access::Write,
        valid_until: None,
        purpose: "begeleiding".into(),
        name_hint: String::new(),
        device: false,
    };
    assert!(net.send(NetCmd::Invite(spec, 3600)));
    let ticket = wait_for(&mut net, |e| match e {
        NetEvent::Ticket(t) => Some(t.clone()),
        _ => None,
    });
    let ticket: inwonercloud_sync::Ticket = ticket.parse().unwrap();
    rt.block_on(bert.join(&ticket)).unwrap();

    // The app closes and opens again on the same vault.
    drop(net);
    let mut net = Network::start(engine.clone(), NodeConfig::loopback(), egui::Context::default());
    let second = wait_for(&mut net, |e| match e {
        NetEvent::Started(_, addrs) => Some(port_of(addrs)),
        _ => None,
    });
    assert_eq!(first, second, "the app's node came back on another port");

    // Anna writes; Bert reaches her at the address he stored when he
    // joined — no new invite.
    engine
        .with(|v| v.add_goal(&plan, LifeDomain::Wonen, "na de herstart", None))
        .unwrap();
    let addr = bert.peer_addr(&anna_id).expect("Bert stored Anna's address");
    let report = rt.block_on(bert.sync_once(addr)).unwrap();
    assert!(report.received_changes >= 1, "{report:?}");
    assert!(bert.with_vault(|v| {
        v.plan(&plan)
            .unwrap()
            .goals
            .iter()
            .any(|g| g.record.text == "na de herstart")
    }));
    drop(net);
    rt.block_on(bert.shutdown());
}
