//! One user action is one transaction: every multi-record action (order,
//! approve, dispute, decide, transfer, accept) commits all its records or
//! none, whether the write fails at any of its steps (an injected error) or
//! the process is killed there (SIGKILL). After reopening, the ledger's
//! figures are either exactly those before the action or exactly those after.

use std::path::{Path, PathBuf};
use std::process::Command;

use inwonercloud_schemas::{DocKind, EntryKind, FundingStream, Role, Verdict};
use inwonercloud_tests::{day, euro_account, hand_over, offering, pass, remember, vault};
use inwonercloud_vault::store::Fault;
use inwonercloud_vault::{DecisionInput, NewRequest, Vault};
use rust_decimal::Decimal;

/// What an action must leave all or nothing of: every record key of every
/// document, and the budget figures the citizen sees.
#[derive(Debug, PartialEq)]
struct Footprint {
    records: Vec<(String, usize)>,
    figures: String,
}

fn footprint(v: &mut Vault) -> Footprint {
    let mut records = vec![];
    for doc in v.document_ids() {
        let save = v.save_document(&doc).unwrap();
        let am = automerge::AutoCommit::load(&save).unwrap();
        records.push((doc, automerge::ReadDoc::keys(&am, automerge::ROOT).count()));
    }
    let budget = v.budget_doc();
    let figures = match v.budget(&budget) {
        Ok(b) => format!("{:?}", b.report.accounts),
        Err(_) => String::new(),
    };
    Footprint { records, figures }
}

/// The actions under test, each starting from a prepared vault copy.
#[derive(Clone, Copy, Debug)]
enum Action {
    Order,
    Approve,
    Dispute,
    Decide,
    Transfer,
    Accept,
}

const ACTIONS: [Action; 6] = [
    Action::Order,
    Action::Approve,
    Action::Dispute,
    Action::Decide,
    Action::Transfer,
    Action::Accept,
];

impl Action {
    fn name(self) -> &'static str {
        match self {
            Action::Order => "order",
            Action::Approve => "approve",
            Action::Dispute => "dispute",
            Action::Decide => "decide",
            Action::Transfer => "transfer",
            Action::Accept => "accept",
        }
    }

    fn from_name(s: &str) -> Action {
        ACTIONS.into_iter().find(|a| a.name() == s).unwrap()
    }

    /// Which prepared vault the action runs in.
    fn actor(self) -> &'static str {
        match self {
            Action::Decide => "gemeente",
            Action::Accept => "moeder",
            _ => "burger",
        }
    }

    /// Runs the action once in `v` (ids come from `ids`).
    fn run(self, v: &mut Vault, ids: &Ids) -> inwonercloud_vault::Result<()> {
        match self {
            Action::Order => v
                .order(
                    &ids.offering,
                    &ids.account,
                    Decimal::from(4),
                    day("2026-03-01"),
                    day("2026-06-30"),
                )
                .map(drop),
            Action::Approve => v.judge_declaration(&ids.declaration, Verdict::Goedgekeurd).map(drop),
            Action::Dispute => v
                .judge_declaration(
                    &ids.declaration,
                    Verdict::Betwist {
                        reason: "niet geleverd".into(),
                    },
                )
                .map(drop),
            Action::Decide => v
                .decide(
                    &ids.request,
                    DecisionInput {
                        outcome: inwonercloud_schemas::Outcome::Toegekend,
                        granted: None,
                        reasons: "past in het beleid".into(),
                        automated_rule: None,
                    },
                )
                .map(drop),
            Action::Transfer => {
                let mother = v.find_peer("Moeder")?.identity;
                v.offer_transfer(
                    mother,
                    &ids.account,
                    Decimal::from(25),
                    "begeleiding_informeel",
                    "boodschappen",
                )
                .map(drop)
            }
            Action::Accept => v.accept_transfer(&ids.transfer, &ids.mother_account).map(drop),
        }
    }
}

/// Ids of what the prepared vaults hold.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Ids {
    offering: String,
    account: String,
    declaration: String,
    request: String,
    transfer: String,
    mother_account: String,
}

/// Builds the vaults every action starts from, without a network: bundles
/// carry documents between them as sync sessions would.
fn prepare(root: &Path) -> Ids {
    let mut burger = vault(&root.join("burger"), "Sanne", Role::Citizen);
    let mut zorg = vault(&root.join("zorg"), "Thuiszorg Noord", Role::Provider);
    let mut gemeente = vault(&root.join("gemeente"), "Gemeente Oss", Role::Municipality);
    let mut moeder = vault(&root.join("moeder"), "Moeder", Role::Citizen);

    let account = euro_account(&mut burger, "Eigen geld", FundingStream::EigenBijdrage);
    let budget = burger.budget_doc();
    burger
        .top_up(&budget, &account, Decimal::from(1000), day("2026-02-01"), "")
        .unwrap();
    let mother_account = euro_account(&mut moeder, "Mantelzorg", FundingStream::EigenBijdrage);

    // A provider's offering, ordered, countersigned and declared.
    let o = zorg
        .publish_offering(offering("Thuiszorg Noord", Decimal::from(60)))
        .unwrap();
    hand_over(&zorg, &mut burger, &zorg.doc_id(DocKind::Catalogue));
    let ag = burger
        .order(&o.id, &account, Decimal::from(8), day("2026-03-01"), day("2026-06-30"))
        .unwrap();
    let ag_doc = burger.agreement_doc_id(&zorg.identity());
    hand_over(&burger, &mut zorg, &ag_doc);
    zorg.countersign(&ag.id).unwrap();
    let d = zorg
        .declare(&ag.id, Decimal::from(3), day("2026-03-01"), day("2026-03-31"), "maart")
        .unwrap();
    hand_over(&zorg, &mut burger, &ag_doc);

    // A second provider nobody ordered from yet: the order under test
    // creates the agreement document, the consent and the header edit too.
    let mut zorg2 = vault(&root.join("zorg2"), "Buurtzorg Zuid", Role::Provider);
    let mut second = o.clone();
    second.id = String::new();
    second.provider.name = "Buurtzorg Zuid".into();
    let o2 = zorg2.publish_offering(second).unwrap();
    hand_over(&zorg2, &mut burger, &zorg2.doc_id(DocKind::Catalogue));

    // A budget request the municipality may decide.
    let req = burger
        .request_budget(NewRequest {
            stream: FundingStream::Wmo,
            category: "begeleiding_individueel".into(),
            quantity: inwonercloud_schemas::Quantity::new(Decimal::from(2400), inwonercloud_schemas::Unit::Euro)
                .unwrap(),
            period_start: day("2026-04-01"),
            period_end: day("2026-12-31"),
            goal_ids: vec![],
            motivation: "begeleiding bij wonen".into(),
            adjusts_account: None,
        })
        .unwrap();
    burger
        .grant_consent(
            gemeente.identity(),
            "Gemeente Oss",
            Role::Municipality,
            vec![budget.clone()],
            inwonercloud_schemas::Access::Write,
            None,
            "beoordeling",
        )
        .unwrap();
    hand_over(&burger, &mut gemeente, &budget);

    // A transfer the mother can accept.
    remember(&mut burger, &moeder);
    let tr = burger
        .offer_transfer(
            moeder.identity(),
            &account,
            Decimal::from(40),
            "begeleiding_informeel",
            "huur",
        )
        .unwrap();
    let ex = burger.exchange_doc_id(&moeder.identity());
    hand_over(&burger, &mut moeder, &ex);

    Ids {
        offering: o2.id,
        account,
        declaration: d.id,
        request: req.id,
        transfer: tr.id,
        mother_account,
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// A fresh copy of the vault an action runs in.
fn fresh(root: &Path, action: Action, tag: &str) -> PathBuf {
    let dir = root.join(format!("run-{}-{tag}", action.name()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root.join(action.actor()), &dir);
    dir
}

/// Before and after of one clean run.
fn before_and_after(root: &Path, ids: &Ids, action: Action) -> (Footprint, Footprint) {
    let dir = fresh(root, action, "clean");
    let mut v = Vault::open(&dir, &pass()).unwrap();
    let before = footprint(&mut v);
    action.run(&mut v, ids).unwrap();
    let after = footprint(&mut v);
    assert_ne!(before, after, "{action:?} changes something");
    drop(v);
    let mut v = Vault::open(&dir, &pass()).unwrap();
    assert_eq!(footprint(&mut v), after, "{action:?}: a clean run survives reopening");
    (before, after)
}

#[test]
fn a_failed_write_at_any_step_leaves_all_or_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let ids = prepare(root);
    for action in ACTIONS {
        let (before, after) = before_and_after(root, &ids, action);
        let mut step = 1;
        loop {
            let dir = fresh(root, action, "error");
            let mut v = Vault::open(&dir, &pass()).unwrap();
            v.inject_fault(Some(Fault::ErrorAt(step)));
            let result = action.run(&mut v, &ids);
            v.inject_fault(None);
            if result.is_ok() {
                // The action took fewer writes than `step`: every step was tried.
                assert!(step > 1, "{action:?} writes at least once");
                eprintln!("{action:?}: failed at each of its {} writes", step - 1);
                assert_eq!(footprint(&mut v), after);
                break;
            }
            // In memory: nothing of it, and trying again works at once.
            assert_eq!(footprint(&mut v), before, "{action:?} failing at write {step}: memory");
            drop(v);
            let mut v = Vault::open(&dir, &pass()).unwrap();
            assert_eq!(footprint(&mut v), before, "{action:?} failing at write {step}: file");
            action
                .run(&mut v, &ids)
                .unwrap_or_else(|e| panic!("{action:?} again after write {step} failed: {e}"));
            assert_eq!(footprint(&mut v), after, "{action:?} retried after write {step} failed");
            step += 1;
            assert!(step < 64, "{action:?} never finished");
        }
    }
}

#[test]
fn a_kill_at_any_step_leaves_all_or_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let ids = prepare(root);
    let ids_file = root.join("ids.json");
    std::fs::write(&ids_file, serde_json::to_vec(&ids).unwrap()).unwrap();
    for action in [Action::Order, Action::Approve, Action::Decide, Action::Accept] {
        let (before, after) = before_and_after(root, &ids, action);
        let mut step = 1;
        loop {
            let dir = fresh(root, action, "kill");
            let status = Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    &test_name("child_runs_one_action"),
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(
                    "ATOMIC_CHILD",
                    format!("{}|{}|{}|{}", dir.display(), ids_file.display(), action.name(), step),
                )
                .stdout(std::process::Stdio::null())
                .status()
                .unwrap();
            let mut v = Vault::open(&dir, &pass()).unwrap();
            let now = footprint(&mut v);
            if status.success() {
                assert!(step > 2, "{action:?} was killed at least at its first two writes");
                assert_eq!(now, after, "{action:?} ran to the end");
                eprintln!("{action:?}: killed at each of its {} writes", step - 1);
                break;
            }
            assert_eq!(
                std::os::unix::process::ExitStatusExt::signal(&status),
                Some(9),
                "{action:?} at write {step}: the child died of SIGKILL"
            );
            assert!(
                now == before || now == after,
                "{action:?} killed at write {step}: the vault holds part of the action\nbefore: {before:?}\nnow: {now:?}\nafter: {after:?}"
            );
            if now == before {
                action.run(&mut v, &ids).unwrap();
                assert_eq!(footprint(&mut v), after);
            }
            step += 1;
            assert!(step < 64, "{action:?} never finished");
        }
    }
}

/// The child process of the kill test: runs one action with a SIGKILL
/// planted at one write. Does nothing when run as a normal test.
#[test]
fn child_runs_one_action() {
    let Ok(spec) = std::env::var("ATOMIC_CHILD") else {
        return;
    };
    let parts: Vec<&str> = spec.split('|').collect();
    let [dir, ids, action, step] = parts.as_slice() else {
        panic!("bad ATOMIC_CHILD {spec}")
    };
    let ids: Ids = serde_json::from_slice(&std::fs::read(ids).unwrap()).unwrap();
    let mut v = Vault::open(Path::new(dir), &pass()).unwrap();
    v.inject_fault(Some(Fault::KillAt(step.parse().unwrap())));
    Action::from_name(action).run(&mut v, &ids).unwrap();
}

#[test]
fn an_approval_and_its_spend_are_one_write() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let ids = prepare(root);
    let dir = fresh(root, Action::Approve, "one");
    let mut v = Vault::open(&dir, &pass()).unwrap();
    // The first write fails: neither the approval nor the spend is there,
    // and the retry is not refused as "judged already".
    v.inject_fault(Some(Fault::ErrorAt(1)));
    assert!(Action::Approve.run(&mut v, &ids).is_err());
    let budget = v.budget_doc();
    let spends = |v: &Vault| {
        v.budget(&budget)
            .unwrap()
            .report
            .lines
            .iter()
            .filter(|l| l.entry.kind == EntryKind::Spend)
            .count()
    };
    assert_eq!(spends(&v), 0);
    Action::Approve.run(&mut v, &ids).unwrap();
    assert_eq!(spends(&v), 1);
    assert_eq!(
        v.take_changed().len(),
        2,
        "the approval's and the spend's documents changed"
    );
}

#[test]
fn a_record_signature_is_checked_once_per_process() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    prepare(root);
    let v = Vault::open(&root.join("burger"), &pass()).unwrap();
    let first = inwonercloud_vault::keys::verified::checked_by_this_thread();
    let a = v.agreements().unwrap();
    assert_eq!(a[0].declarations.len(), 1);
    let after_first = inwonercloud_vault::keys::verified::checked_by_this_thread();
    assert!(
        after_first > first,
        "the provider's records are checked when first read"
    );
    for _ in 0..3 {
        assert_eq!(v.agreements().unwrap().len(), a.len());
    }
    assert_eq!(
        inwonercloud_vault::keys::verified::checked_by_this_thread(),
        after_first,
        "reading them again checks nothing again"
    );
}

/// Runs the command line as a person would type it.
fn cli(args: &[&str]) -> anyhow::Result<std::process::ExitCode> {
    use clap::Parser;
    inwonercloud_app::cli::run(inwonercloud_app::cli::Args::try_parse_from(args)?)
}

#[test]
fn the_command_line_refuses_an_empty_or_ambiguous_id_and_says_what_to_type() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let ids = prepare(root);
    // The command line reads the passphrase from the environment: it runs in
    // a child process that has it.
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", &test_name("cli_child"), "--nocapture", "--test-threads=1"])
        .env("ATOMIC_CLI_CHILD", format!("{}|{}", root.display(), ids.declaration))
        .env(inwonercloud_vault::seal::PASSPHRASE_ENV, inwonercloud_tests::PASSPHRASE)
        .status()
        .unwrap();
    assert!(
        status.success(),
        "the command-line checks hold (see the child's output)"
    );
    let v = Vault::open(&root.join("burger"), &pass()).unwrap();
    let d = &v.agreements().unwrap()[0].declarations[0];
    assert_eq!(d.declaration.record.id, ids.declaration);
    assert!(d.approval.is_some(), "the unique prefix approved it, once");
}

/// The command-line part of the test above. Does nothing as a normal test.
#[test]
fn cli_child() {
    let Ok(spec) = std::env::var("ATOMIC_CLI_CHILD") else {
        return;
    };
    let (root, declaration) = spec.split_once('|').unwrap();
    let dir = Path::new(root).join("burger");
    let d = dir.to_str().unwrap();
    // An empty id fits every id: it must not sign an approval.
    let e = cli(&["inwonercloud", "--vault", d, "--lang", "en", "approve", ""]).unwrap_err();
    assert!(e.to_string().contains("give the id"), "{e}");
    let e = cli(&["inwonercloud", "--vault", d, "--lang", "en", "approve", "zz-not-an-id"]).unwrap_err();
    assert!(e.to_string().contains("no declaration"), "{e}");
    let v = Vault::open(&dir, &pass()).unwrap();
    assert!(
        v.agreements().unwrap()[0].declarations[0].approval.is_none(),
        "nothing was approved"
    );
    drop(v);
    // A unique prefix still works.
    cli(&["inwonercloud", "--vault", d, "approve", &declaration[..8]]).unwrap();
    // A missing vault: the library says what is wrong, the command line what to type.
    let nowhere = Path::new(root).join("nowhere");
    let e = cli(&[
        "inwonercloud",
        "--vault",
        nowhere.to_str().unwrap(),
        "--lang",
        "en",
        "whoami",
    ])
    .unwrap_err();
    assert!(e.to_string().contains("inwonercloud init"), "{e}");
}

/// The full name the test harness knows test `f` of this module by (the
/// module path without the crate's name), for running it as a child.
fn test_name(f: &str) -> String {
    match module_path!().split_once("::") {
        Some((_, module)) => format!("{module}::{f}"),
        None => f.to_string(),
    }
}
