//! Informal carers over real iroh connections on 127.0.0.1: the citizen
//! agrees with her neighbour (family role) at an informal tariff, the
//! neighbour signs and declares hours from her own vault, the citizen
//! approves and the budget pays exactly hours × tariff; more hours than
//! agreed, a stranger's declaration and a tariff above the policy's informal
//! maximum are refused. And the same steps on the command line.

use std::path::Path;

use inwonercloud_schemas::{Access, Declaration, DocKind, Policy, Role, Verdict};
use inwonercloud_sync::Node;
use inwonercloud_tests::{day, eur, hand_over, invite, node, remember, sync, vault};
use inwonercloud_vault::{Vault, VaultError};
use rust_decimal::Decimal;

use super::market::granted_citizen;

/// `who` joins `citizen` with an invite for the family role (reading the plan).
async fn join_as_family(citizen: &Node, who: &Node) {
    let t = invite(citizen, Role::Family, &[DocKind::Plan], Access::Read);
    who.join(&t.to_string().parse().unwrap()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_neighbour_declares_hours_from_her_own_vault_and_is_paid_after_approval() {
    let tmp = tempfile::tempdir().unwrap();
    let citizen = node(&tmp.path().join("c"), "Sanne", Role::Citizen).await;
    let els = node(&tmp.path().join("e"), "Els", Role::Family).await;
    let mallory = node(&tmp.path().join("m"), "Mallory", Role::Family).await;
    let gemeente = node(&tmp.path().join("g"), "Gemeente", Role::Municipality).await;
    // The municipality's policy allows an informal carer at most € 25 an hour.
    gemeente.with_vault(|v| v.publish_policy(Policy::example("Gemeente")).unwrap());
    let account = granted_citizen(&citizen, &gemeente, 500_000).await;
    assert_eq!(
        citizen.with_vault(|v| v.informal_max_tariff()),
        Some(eur(2500)),
        "the citizen holds the policy"
    );
    join_as_family(&citizen, &els).await;
    join_as_family(&citizen, &mallory).await;
    let els_id = els.with_vault(|v| v.identity());
    let budget = citizen.with_vault(|v| v.budget_doc());
    let figures = |n: &Node| n.with_vault(|v| v.budget(&budget).unwrap().report.accounts[&account].clone());
    let before = figures(&citizen);
    let agree = |tariff: Decimal| {
        citizen.with_vault(|v| {
            v.agree_informal(
                els_id,
                &account,
                "begeleiding_individueel",
                tariff,
                Decimal::from(10),
                day("2027-01-01"),
                day("2027-06-30"),
            )
        })
    };

    // Above the policy's informal maximum: refused, nothing signed or reserved.
    let e = agree(eur(2600)).unwrap_err();
    assert!(matches!(e, VaultError::NotAllowed(_)), "{e}");
    assert!(
        e.to_string().contains("25.00") && e.to_string().contains("informal carer"),
        "{e}"
    );
    assert!(citizen.with_vault(|v| v.agreements().unwrap()).is_empty());
    assert_eq!(figures(&citizen), before, "nothing was reserved");

    let ag = agree(eur(2250)).unwrap();
    assert!(ag.informal);
    assert_eq!(
        figures(&citizen).reserved - before.reserved,
        eur(22500),
        "10 hours × 22,50"
    );
    sync(&citizen, &els).await;
    sync(&citizen, &mallory).await;
    let doc = citizen.with_vault(|v| v.agreement_doc_id(&els_id));
    assert!(
        !mallory.with_vault(|v| v.document_ids()).contains(&doc),
        "the agreement is shared with the carer alone"
    );

    // Els signs and declares eight hours from her own vault; more hours than
    // agreed are refused.
    els.with_vault(|v| v.countersign(&ag.id).unwrap());
    let decl = els.with_vault(|v| {
        v.declare(
            &ag.id,
            Decimal::from(8),
            day("2027-01-01"),
            day("2027-01-31"),
            "boodschappen",
        )
        .unwrap()
    });
    let over = els.with_vault(|v| {
        v.declare(
            &ag.id,
            Decimal::from(3),
            day("2027-02-01"),
            day("2027-02-28"),
            "te veel",
        )
        .unwrap_err()
    });
    assert!(
        over.to_string()
            .contains("10 units were agreed; 8 are declared already"),
        "{over}"
    );

    // A stranger cannot declare: without the document there is nothing to
    // declare under, and holding a relayed copy she is neither its party
    // nor one of its writers.
    assert!(
        mallory
            .with_vault(|v| v.declare(&ag.id, Decimal::from(1), day("2027-01-01"), day("2027-01-31"), ""))
            .is_err()
    );
    let copy = els.with_vault(|v| v.bundle(&doc).unwrap());
    mallory.with_vault(|v| v.import_bundle(&copy, "relay").unwrap());
    let e = mallory.with_vault(|v| {
        v.declare(&ag.id, Decimal::from(1), day("2027-01-01"), day("2027-01-31"), "")
            .unwrap_err()
    });
    assert!(matches!(e, VaultError::NotAllowed(_)), "{e}");
    let forged = Declaration {
        id: "vals".into(),
        ..decl.clone()
    };
    assert!(
        mallory.with_vault(|v| v.put_record(&doc, "vals", forged)).is_err(),
        "a stranger cannot write the agreement document"
    );

    sync(&els, &citizen).await;
    let seen = citizen.with_vault(|v| v.agreement(&ag.id).unwrap());
    assert!(seen.countersigned && seen.agreement.record.informal);
    let ids: Vec<_> = seen
        .declarations
        .iter()
        .map(|d| d.declaration.record.id.clone())
        .collect();
    assert_eq!(ids, vec![decl.id.clone()], "only Els's declaration");
    citizen.with_vault(|v| v.judge_declaration(&decl.id, Verdict::Goedgekeurd).unwrap());
    let after = figures(&citizen);
    assert_eq!(after.spent - before.spent, eur(18000), "8 hours × 22,50, to the cent");
    assert_eq!(after.reserved - before.reserved, eur(4500), "two hours stay reserved");

    // Els sees the approval; the municipality verifies the claim.
    sync(&citizen, &els).await;
    let hers = els.with_vault(|v| v.agreement(&ag.id).unwrap());
    assert!(hers.declarations[0].approval.is_some());
    sync(&citizen, &gemeente).await;
    let report = gemeente.with_vault(|v| v.verify_claims().unwrap());
    let claim = report
        .claims
        .iter()
        .find(|c| c.claim == decl.id)
        .unwrap_or_else(|| panic!("the informal claim in {report:?}"));
    assert!(claim.valid, "{:?}", claim.reason);
    assert_eq!(claim.amount, eur(18000));
}

/// Runs the command line as a person would type it, on `vault`.
fn cli(vault: &Path, pass: &Path, args: &[&str]) -> anyhow::Result<std::process::ExitCode> {
    use clap::Parser;
    let mut all = vec!["inwonercloud", "--lang", "en", "--vault"];
    all.push(vault.to_str().unwrap());
    all.extend(["--passphrase-file", pass.to_str().unwrap()]);
    all.extend(args);
    inwonercloud_app::cli::run(inwonercloud_app::cli::Args::try_parse_from(all)?)
}

/// The whole round on the command line: `informal-agree` by the citizen,
/// `countersign` and `declare` by the carer (no provider role needed),
/// `approve` by the citizen.
#[test]
fn the_command_line_serves_an_informal_carer() {
    let tmp = tempfile::tempdir().unwrap();
    let pass = tmp.path().join("wachtwoord");
    std::fs::write(&pass, inwonercloud_tests::PASSPHRASE).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pass, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let (cdir, edir) = (tmp.path().join("c"), tmp.path().join("e"));
    let account = {
        let mut sanne = vault(&cdir, "Sanne", Role::Citizen);
        let els = vault(&edir, "Els Visser", Role::Family);
        remember(&mut sanne, &els);
        let account = inwonercloud_tests::euro_account(
            &mut sanne,
            "Eigen geld",
            inwonercloud_schemas::FundingStream::EigenBijdrage,
        );
        let budget = sanne.budget_doc();
        sanne
            .top_up(&budget, &account, eur(50_000), day("2026-01-02"), "spaargeld")
            .unwrap();
        account
    };
    // Above the category's maximum (27,50 for informal support): refused.
    let e = cli(
        &cdir,
        &pass,
        &[
            "informal-agree",
            "--carer",
            "els",
            "--account",
            &account,
            "--tariff",
            "30",
            "--hours",
            "6",
            "--from",
            "01-11-2026",
            "--to",
            "31-12-2026",
        ],
    )
    .unwrap_err();
    assert!(e.to_string().contains("above the maximum"), "{e}");
    cli(
        &cdir,
        &pass,
        &[
            "informal-agree",
            "--carer",
            "els",
            "--account",
            &account,
            "--tariff",
            "22,50",
            "--hours",
            "6",
            "--from",
            "01-11-2026",
            "--to",
            "31-12-2026",
        ],
    )
    .unwrap();
    let (id, doc) = {
        let sanne = Vault::open(&cdir, &inwonercloud_tests::pass()).unwrap();
        let mut els = Vault::open(&edir, &inwonercloud_tests::pass()).unwrap();
        let a = sanne.agreements().unwrap().remove(0);
        assert!(a.agreement.record.informal);
        remember(&mut els, &sanne);
        hand_over(&sanne, &mut els, &a.doc);
        (a.agreement.record.id, a.doc)
    };
    cli(&edir, &pass, &["countersign", &id[..6]]).unwrap();
    cli(
        &edir,
        &pass,
        &[
            "declare",
            &id[..6],
            "--units",
            "4",
            "--from",
            "01-11-2026",
            "--until",
            "30-11-2026",
        ],
    )
    .unwrap();
    let decl = {
        let els = Vault::open(&edir, &inwonercloud_tests::pass()).unwrap();
        let mut sanne = Vault::open(&cdir, &inwonercloud_tests::pass()).unwrap();
        hand_over(&els, &mut sanne, &doc);
        let a = sanne.agreement(&id).unwrap();
        assert!(a.countersigned);
        a.declarations[0].declaration.record.id.clone()
    };
    cli(&cdir, &pass, &["approve", &decl]).unwrap();
    let sanne = Vault::open(&cdir, &inwonercloud_tests::pass()).unwrap();
    let budget = sanne.budget_doc();
    let f = &sanne.budget(&budget).unwrap().report.accounts[&account];
    assert_eq!(f.spent, eur(9000), "4 hours × 22,50");
    assert_eq!(f.reserved, eur(4500), "the two hours left stay reserved");
}
