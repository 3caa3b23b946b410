//! Random interleavings of grant, revoke, expiry and writes by several
//! identities and two devices of the citizen (a laptop and a phone, each
//! granting and revoking while apart) over four replicas: after everyone
//! has synced, every
//! replica that holds a document agrees on who may write it and on its
//! content, the balances agree to the cent, and every vault opens.
//!
//! Sync here is what a session does, without the network: each side sends
//! the documents `documents_for_peer` allows, the other takes those
//! `accepts_document_from` allows, and a refused batch is refused whole.

use inwonercloud_schemas::{Access, Date, EntryKind, FundingStream, LifeDomain, Role, Unit};
use inwonercloud_tests::{day, eur, goal_texts, pass, vault};
use inwonercloud_vault::budget::NewEntry;
use inwonercloud_vault::{Vault, keys};
use proptest::prelude::*;

/// One step of the story.
#[derive(Clone, Debug)]
enum Op {
    /// Anna, on her laptop or phone, gives Ben write access to her plan (open-ended).
    GrantBen(usize),
    /// Anna gives Ben write access that ended yesterday, and that device ends it.
    GrantBenExpired(usize),
    /// Anna revokes, on one device, every consent she gave Ben that it knows.
    RevokeBen(usize),
    /// Ben adds a goal to the plan he holds (if he holds it).
    BenWrites(u8),
    /// Anna adds a goal, on her laptop or phone.
    AnnaWrites(usize, u8),
    /// The municipality grants on Anna's account.
    GemeenteGrants(u8),
    /// Anna spends from her account.
    AnnaSpends(u8),
    /// One replica syncs with another (both directions).
    Sync(usize, usize),
    /// A replica is closed and opened again.
    Reopen(usize),
}

/// One of Anna's devices.
fn device() -> impl Strategy<Value = usize> {
    prop_oneof![Just(ANNA), Just(PHONE)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => device().prop_map(Op::GrantBen),
        1 => device().prop_map(Op::GrantBenExpired),
        2 => device().prop_map(Op::RevokeBen),
        3 => any::<u8>().prop_map(Op::BenWrites),
        2 => (device(), any::<u8>()).prop_map(|(d, n)| Op::AnnaWrites(d, n)),
        2 => any::<u8>().prop_map(Op::GemeenteGrants),
        2 => any::<u8>().prop_map(Op::AnnaSpends),
        6 => (0usize..4, 0usize..4).prop_map(|(a, b)| Op::Sync(a, b)),
        1 => (0usize..4).prop_map(Op::Reopen),
    ]
}

impl World {
    fn at(&mut self, i: usize) -> &mut Vault {
        self.v[i].as_mut().expect("a replica is open")
    }
}

struct World {
    _tmp: tempfile::TempDir,
    dirs: Vec<std::path::PathBuf>,
    /// Anna (citizen), Ben (counselor), the municipality; `None` only while reopening.
    v: Vec<Option<Vault>>,
    plan: String,
    budget: String,
    account: String,
}

const ANNA: usize = 0;
const BEN: usize = 1;
const GEMEENTE: usize = 2;
const PHONE: usize = 3;

fn world() -> World {
    let tmp = tempfile::tempdir().unwrap();
    let dirs: Vec<_> = ["anna", "ben", "gemeente", "phone"]
        .iter()
        .map(|n| tmp.path().join(n))
        .collect();
    let mut anna = vault(&dirs[0], "Anna", Role::Citizen);
    let mut ben = vault(&dirs[1], "Ben", Role::Counselor);
    let mut gemeente = vault(&dirs[2], "Gemeente", Role::Municipality);
    let plan = anna.plan_doc();
    let budget = anna.budget_doc();
    let account = anna
        .add_account(
            &budget,
            "Wmo 2026",
            FundingStream::Wmo,
            Unit::Euro,
            day("2026-01-01"),
            day("2026-12-31"),
        )
        .unwrap()
        .id;
    anna.grant_consent(
        gemeente.identity(),
        "Gemeente",
        Role::Municipality,
        vec![budget.clone()],
        Access::Write,
        None,
        "toekennen",
    )
    .unwrap();
    // Both joined Anna's invites: Anna's documents are welcome with them.
    ben.admit(anna.identity()).unwrap();
    gemeente.admit(anna.identity()).unwrap();
    // Ben is known to Anna from the start (a read consent on her profile).
    anna.grant_consent(
        ben.identity(),
        "Ben",
        Role::Counselor,
        vec![anna.doc_id(inwonercloud_schemas::DocKind::Profile)],
        Access::Read,
        None,
        "kennismaken",
    )
    .unwrap();
    let mut phone = inwonercloud_tests::another_device(&mut anna, &dirs[3], "telefoon");
    for other in [&mut ben, &mut gemeente, &mut phone] {
        other.add_device_certificate(anna.device_certificate()).unwrap();
        anna.add_device_certificate(other.device_certificate()).unwrap();
    }
    for other in [&mut ben, &mut gemeente] {
        other.add_device_certificate(phone.device_certificate()).unwrap();
        phone.add_device_certificate(other.device_certificate()).unwrap();
    }
    let mut w = World {
        _tmp: tmp,
        dirs,
        v: vec![Some(anna), Some(ben), Some(gemeente), Some(phone)],
        plan,
        budget,
        account,
    };
    send(&mut w, ANNA, PHONE);
    w
}

/// Everything `from` may send `to`, taken where `to` accepts it.
fn send(w: &mut World, from: usize, to: usize) {
    if from == to {
        return;
    }
    let to_id = w.at(to).identity();
    let from_id = w.at(from).identity();
    let docs = w.at(from).documents_for_peer(&to_id).unwrap();
    let bundles: Vec<_> = docs.iter().map(|d| w.at(from).bundle(d).unwrap()).collect();
    for bundle in bundles {
        if w.at(to).accepts_document_from(&from_id, &bundle.header.record) {
            // A batch with a change the receiver may not take is refused
            // whole, as in a session; that is part of what is tested.
            let _ = w.at(to).import_bundle(&bundle, "peer");
        }
    }
}

fn entry(w: &World, kind: EntryKind, cents: i64) -> NewEntry {
    NewEntry {
        account: w.account.clone(),
        kind,
        amount: eur(cents),
        category: Some("begeleiding_individueel".into()),
        date: day("2026-03-01"),
        note: String::new(),
        reference: None,
    }
}

fn apply(w: &mut World, op: &Op) {
    let ben_id = w.at(BEN).identity();
    let plan = w.plan.clone();
    match op {
        Op::GrantBen(d) | Op::GrantBenExpired(d) => {
            let until = matches!(op, Op::GrantBenExpired(_)).then(|| Date::from_unix(keys::now() - 86_400));
            w.at(*d)
                .grant_consent(ben_id, "Ben", Role::Counselor, vec![plan], Access::Write, until, "plan")
                .unwrap();
            w.at(*d).expire_consents().unwrap();
        }
        Op::RevokeBen(d) => {
            let d = *d;
            let ids: Vec<String> = w
                .at(d)
                .consents()
                .unwrap()
                .into_iter()
                .filter(|c| c.revocation.is_none() && c.consent.record.grantee == ben_id)
                .map(|c| c.consent.record.id)
                .collect();
            for id in ids {
                w.at(d).revoke_consent(&id, "klaar").unwrap();
            }
        }
        Op::BenWrites(n) => {
            // Ben holds what Anna still shares with him; once his consent ends
            // nothing more is sent (his later writing is refused, not recalled).
            let ben_id = w.at(BEN).identity();
            let shared = w.at(ANNA).documents_for_peer(&ben_id).unwrap().contains(&plan);
            if shared && w.at(BEN).header(&plan).is_ok() {
                // Refused locally when Ben knows he may no longer write; what he
                // writes on a stale header is refused by the others.
                let _ = w.at(BEN).add_goal(&plan, LifeDomain::Wonen, &format!("ben {n}"), None);
            }
        }
        Op::AnnaWrites(d, n) => {
            w.at(*d)
                .add_goal(&plan, LifeDomain::Wonen, &format!("anna {n}"), None)
                .unwrap();
        }
        Op::GemeenteGrants(n) => {
            let budget = w.budget.clone();
            if w.at(GEMEENTE).header(&budget).is_ok() {
                let e = entry(w, EntryKind::Grant, 10_000 + i64::from(*n));
                w.at(GEMEENTE).record_entry(&budget, e).unwrap();
            }
        }
        Op::AnnaSpends(n) => {
            let budget = w.budget.clone();
            let e = entry(w, EntryKind::Spend, 1_000 + i64::from(*n));
            w.at(ANNA).record_entry(&budget, e).unwrap();
        }
        Op::Sync(a, b) => {
            send(w, *a, *b);
            send(w, *b, *a);
        }
        Op::Reopen(i) => reopen(w, *i),
    }
}

fn reopen(w: &mut World, i: usize) {
    let dir = w.dirs[i].clone();
    // Close first: redb allows one handle per file.
    drop(w.v[i].take());
    let opened = Vault::open(&dir, &pass()).unwrap_or_else(|e| panic!("replica {i} failed to open: {e}"));
    w.v[i] = Some(opened);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge_on_writers_content_and_balances(ops in proptest::collection::vec(op(), 1..24)) {
        let mut w = world();
        for op in &ops {
            apply(&mut w, op);
        }
        // Everyone syncs with everyone; Anna's devices then bring their
        // headers in line with the merged consents (what a node does once a
        // minute), and everyone syncs again.
        let everyone = |w: &mut World| {
            for _ in 0..3 {
                for (a, b) in [(0, 3), (0, 1), (0, 2), (3, 1), (3, 2), (1, 2)] {
                    apply(w, &Op::Sync(a, b));
                }
            }
        };
        everyone(&mut w);
        for d in [ANNA, PHONE] {
            w.at(d).expire_consents().unwrap();
        }
        everyone(&mut w);
        // Every replica opens, and what each holds is what the citizen holds.
        for i in 0..4 {
            reopen(&mut w, i);
        }
        let plan = w.plan.clone();
        let phone_header = w.at(PHONE).header(&plan).unwrap().clone();
        let budget = w.budget.clone();
        let anna_plan = goal_texts(w.at(ANNA), &plan);
        let anna_header = w.at(ANNA).header(&plan).unwrap().clone();
        prop_assert_eq!(&phone_header, &anna_header, "the phone's plan header");
        prop_assert_eq!(goal_texts(w.at(PHONE), &plan), anna_plan.clone(), "the phone's plan");
        // Ben holds what Anna still shares with him; once his consent ends
        // nothing more is sent (his later writing is refused, not recalled).
        let ben_id = w.at(BEN).identity();
        let shared = w.at(ANNA).documents_for_peer(&ben_id).unwrap().contains(&plan);
        if shared && w.at(BEN).header(&plan).is_ok() {
            prop_assert_eq!(w.at(BEN).header(&plan).unwrap(), &anna_header, "Ben's plan header");
            prop_assert_eq!(goal_texts(w.at(BEN), &plan), anna_plan.clone(), "Ben's plan");
        }
        let anna_budget = w.at(ANNA).budget(&budget).unwrap().report.accounts;
        let theirs = w.at(GEMEENTE).budget(&budget).unwrap().report.accounts;
        prop_assert_eq!(&theirs, &anna_budget, "the municipality's figures");
        let on_phone = w.at(PHONE).budget(&budget).unwrap().report.accounts;
        prop_assert_eq!(&on_phone, &anna_budget, "the phone's figures");
        let gemeente_header = w.at(GEMEENTE).header(&budget).unwrap().clone();
        prop_assert_eq!(&gemeente_header, w.at(ANNA).header(&budget).unwrap(), "budget header");
        // Whether Ben may write is what Anna's consents say.
        let active = w.at(ANNA).consents().unwrap().iter().any(|c| {
            c.active && c.consent.record.grantee == ben_id && c.consent.record.access == Access::Write
        });
        prop_assert_eq!(anna_header.may_write(&ben_id), active);
    }
}
