//! Representatives over real iroh connections on 127.0.0.1: Sanne gives her
//! daughter Eva a mandate to approve; Eva approves a declaration with her
//! own key and the spend counts in Sanne's budget, on every vault; without a
//! mandate, beyond its actions and after its revocation Eva's approvals are
//! refused and count nowhere.

use inwonercloud_schemas::{
    Access, Approval, Capacity, DocKind, EntryKind, FundingStream, Lang, LedgerEntry, MandateAction, Role, Verdict,
};
use inwonercloud_sync::Node;
use inwonercloud_tests::{day, eur, euro_account, hand_over, invite, node, remember, sync, vault};
use inwonercloud_vault::ledger::EntryStatus;
use inwonercloud_vault::mandate::on_behalf;
use inwonercloud_vault::{NewEntry, VaultError};
use rust_decimal::Decimal;

use super::market::{granted_citizen, order};

/// The provider declares `units` hours in `month` of 2027 and the citizen
/// receives it; returns the declaration id.
async fn declare(provider: &Node, citizen: &Node, agreement: &str, units: i64, month: u8) -> String {
    let from = day(&format!("2027-{month:02}-01"));
    let until = day(&format!("2027-{month:02}-28"));
    let d = provider.with_vault(|v| {
        v.declare(agreement, Decimal::from(units), from, until, "begeleiding")
            .unwrap()
    });
    sync(provider, citizen).await;
    d.id
}

/// Whether `who` sees declaration `id` as still waiting for a verdict.
fn pending(who: &Node, id: &str) -> bool {
    who.with_vault(|v| v.declaration(id).unwrap().1.pending())
}

/// The spend lines of the citizen's budget as `who` computes them.
fn spends(who: &Node, budget: &str) -> Vec<inwonercloud_vault::EntryLine> {
    who.with_vault(|v| {
        v.budget(budget)
            .unwrap()
            .report
            .lines
            .into_iter()
            .filter(|l| l.entry.kind == EntryKind::Spend)
            .collect()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_representative_approves_for_the_holder_until_the_mandate_is_revoked() {
    let tmp = tempfile::tempdir().unwrap();
    let sanne = node(&tmp.path().join("s"), "Sanne", Role::Citizen).await;
    let eva = node(&tmp.path().join("e"), "Eva", Role::Family).await;
    let provider = node(&tmp.path().join("p"), "Zorg De Linde", Role::Provider).await;
    let gemeente = node(&tmp.path().join("g"), "Gemeente", Role::Municipality).await;
    let account = granted_citizen(&sanne, &gemeente, 500_000).await;
    let agreement = order(&sanne, &provider, &account, eur(6250), 40).await.1;
    let budget = sanne.with_vault(|v| v.budget_doc());
    let eva_id = eva.with_vault(|v| v.identity());
    let figures = |n: &Node| n.with_vault(|v| v.budget(&budget).unwrap().report.accounts[&account].clone());

    // Eva knows Sanne through Sanne's invite, as her family; no mandate yet.
    let t = invite(&sanne, Role::Family, &[DocKind::Profile], Access::Read);
    eva.join(&t.to_string().parse().unwrap()).await.unwrap();
    let jan = declare(&provider, &sanne, &agreement, 8, 1).await;

    // Sanne gives Eva a mandate to approve, as her legal representative.
    let m = sanne.with_vault(|v| {
        v.give_mandate(
            eva_id,
            Capacity::WettelijkVertegenwoordiger,
            vec![MandateAction::Approve],
            day("2027-01-01"),
            None,
        )
        .unwrap()
    });
    assert_eq!(m.representative_name, "Eva");
    sync(&sanne, &eva).await;
    let held = eva.with_vault(|v| v.mandates_for_me().unwrap());
    assert_eq!(held.len(), 1, "Eva sees for whom she acts");
    assert!(held[0].active && held[0].allows(MandateAction::Approve));
    assert!(!held[0].allows(MandateAction::Dispute));
    assert!(pending(&eva, &jan), "Eva received the agreement and its declaration");

    // Beyond the actions named: Eva may not dispute.
    let e = eva
        .with_vault(|v| {
            v.judge_declaration(
                &jan,
                Verdict::Betwist {
                    reason: "te veel uren".into(),
                },
            )
        })
        .unwrap_err();
    assert!(
        matches!(&e, VaultError::NotAllowed(why) if why.contains("does not allow to dispute")),
        "{e}"
    );

    // Eva approves January with her own key; the spend is booked in Sanne's budget.
    let before = figures(&sanne);
    let approval = eva.with_vault(|v| v.judge_declaration(&jan, Verdict::Goedgekeurd).unwrap());
    sync(&eva, &sanne).await;
    let after = figures(&sanne);
    assert_eq!(after.spent - before.spent, eur(50_000), "8 × 62,50 counts as spent");
    assert_eq!(before.reserved - after.reserved, eur(50_000), "against the reservation");
    let line = spends(&sanne, &budget)
        .into_iter()
        .find(|l| l.author == eva_id)
        .expect("the spend signed by Eva");
    assert_eq!(line.status, EntryStatus::Counted);
    let (ag, d) = sanne.with_vault(|v| v.declaration(&jan).unwrap());
    let ap = d.approval.expect("Sanne sees Eva's approval as the verdict");
    assert_eq!(ap.record.id, approval.id);
    assert_eq!(ap.author, eva_id, "signed with Eva's own key");
    assert_eq!(
        on_behalf(Lang::Nl, &ag.agreement.author_name, &ap.author_name),
        "namens Sanne, door Eva"
    );
    // The municipality receives the budget (with the mandate) and counts the same.
    sync(&sanne, &gemeente).await;
    assert_eq!(figures(&gemeente), after, "the municipality counts Eva's spend too");
    let (mandates, _) = gemeente.with_vault(|v| v.mandate_records(&budget).unwrap());
    assert_eq!(mandates.len(), 1, "the municipality holds the mandate to check claims");
    // The provider sees its declaration judged.
    sync(&sanne, &provider).await;
    assert!(!pending(&provider, &jan), "the provider sees Eva's approval count");

    // Two more months declared; Eva has them, then Sanne revokes while Eva is offline.
    let feb = declare(&provider, &sanne, &agreement, 4, 2).await;
    let mar = declare(&provider, &sanne, &agreement, 2, 3).await;
    sync(&sanne, &eva).await;
    let revocation = sanne.with_vault(|v| v.revoke_mandate(&m.id).unwrap());
    assert!(revocation.keep.contains(&approval.id), "January's approval stays valid");
    assert!(revocation.keep.contains(&line.entry.id), "and so does its spend");
    assert!(sanne.with_vault(|v| v.mandates().unwrap())[0].revocation.is_some());
    let spent = figures(&sanne).spent;

    // Eva, not yet knowing, approves February: her vault still lets her.
    eva.with_vault(|v| v.judge_declaration(&feb, Verdict::Goedgekeurd).unwrap());
    // A municipality that receives Eva's copy before Sanne's revocation…
    let late = eva.with_vault(|v| v.bundle(&budget).unwrap());
    gemeente.with_vault(|v| v.import_bundle(&late, "eva").unwrap());
    assert_eq!(
        figures(&gemeente).spent,
        spent + eur(25_000),
        "before the revocation reaches it, the municipality counts February"
    );
    // …and Sanne herself refuse to count it once the revocation is there:
    // Sanne's vault takes none of Eva's late changes (Eva's node learns from
    // Sanne's header that she no longer writes, or the session refuses them).
    let eva_dev = eva.with_vault(|v| v.device_key().public());
    let evas_changes = |n: &Node| {
        n.with_vault(|v| {
            v.agreements()
                .unwrap()
                .iter()
                .map(|a| v.version_vector(&a.doc).unwrap().get(&eva_dev).copied().unwrap_or(0))
                .sum::<u64>()
                + v.version_vector(&budget).unwrap().get(&eva_dev).copied().unwrap_or(0)
        })
    };
    let before_late = evas_changes(&sanne);
    if let Err(e) = eva.sync_once(sanne.endpoint_addr()).await {
        assert!(e.to_string().contains("may not write"), "{e}");
    }
    assert_eq!(evas_changes(&sanne), before_late, "none of Eva's late changes entered");
    assert_eq!(figures(&sanne).spent, spent, "Sanne's ledger does not count February");
    assert!(pending(&sanne, &feb), "for Sanne, February still waits");
    // The first session may still end in a refusal: the municipality, not
    // yet knowing the revocation, offers Eva's late change to Sanne, who
    // refuses it. Sanne's header and the revocation reach the municipality
    // all the same.
    let _ = sanne.sync_once(gemeente.endpoint_addr()).await;
    let (_, revocations) = gemeente.with_vault(|v| v.mandate_records(&budget).unwrap());
    assert_eq!(revocations.len(), 1, "the municipality holds the revocation");
    // Knowing it, the municipality keeps Eva's late change but relays it no
    // further: every later session between them succeeds, both ways.
    sync(&sanne, &gemeente).await;
    sync(&gemeente, &sanne).await;
    sync(&sanne, &gemeente).await;
    assert_eq!(
        figures(&gemeente).spent,
        spent,
        "nor does the municipality's, whatever it received first"
    );
    assert!(
        spends(&gemeente, &budget)
            .iter()
            .filter(|l| l.author == eva_id)
            .all(|l| l.entry.id == line.entry.id || matches!(l.status, EntryStatus::Refused { .. })),
        "only the kept spend of Eva counts"
    );

    // Sanne no longer shares her budget with Eva; once a copy holding the
    // revocation reaches Eva anyway (any peer may relay a document), her
    // vault refuses a new approval by the mandate rule, and her own copy of
    // the ledger does not count February either.
    let relayed = sanne.with_vault(|v| v.bundle(&budget).unwrap());
    eva.with_vault(|v| v.import_bundle(&relayed, "relay").unwrap());
    let e = eva
        .with_vault(|v| v.judge_declaration(&mar, Verdict::Goedgekeurd))
        .unwrap_err();
    assert!(
        matches!(&e, VaultError::NotAllowed(why) if why.contains("revoked")),
        "{e}"
    );
    assert_eq!(figures(&eva).spent, spent, "Eva's copy agrees");
    assert!(!eva.with_vault(|v| v.mandates_for_me().unwrap())[0].active);
    // Sanne still approves March herself.
    sanne.with_vault(|v| v.judge_declaration(&mar, Verdict::Goedgekeurd).unwrap());
    assert_eq!(figures(&sanne).spent, spent + eur(12_500));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_mandate_a_writer_cannot_approve_for_the_holder() {
    let tmp = tempfile::tempdir().unwrap();
    let sanne = node(&tmp.path().join("s"), "Sanne", Role::Citizen).await;
    let eva = node(&tmp.path().join("e"), "Eva", Role::Family).await;
    let provider = node(&tmp.path().join("p"), "Zorg De Linde", Role::Provider).await;
    let gemeente = node(&tmp.path().join("g"), "Gemeente", Role::Municipality).await;
    let account = granted_citizen(&sanne, &gemeente, 500_000).await;
    let agreement = order(&sanne, &provider, &account, eur(6250), 20).await.1;
    let budget = sanne.with_vault(|v| v.budget_doc());
    let agreement_doc = sanne.with_vault(|v| v.agreement_doc_id(&provider.with_vault(|p| p.identity())));
    // Eva may write in Sanne's budget and agreement (a plain write consent),
    // but holds no mandate.
    let t = invite(&sanne, Role::Family, &[DocKind::Budget], Access::Write);
    eva.join(&t.to_string().parse().unwrap()).await.unwrap();
    let eva_id = eva.with_vault(|v| v.identity());
    sanne.with_vault(|v| {
        v.grant_consent(
            eva_id,
            "Eva",
            Role::Family,
            vec![agreement_doc.clone()],
            Access::Write,
            None,
            "meekijken",
        )
        .unwrap()
    });
    let jan = declare(&provider, &sanne, &agreement, 8, 1).await;
    sync(&sanne, &eva).await;
    assert!(pending(&eva, &jan));

    // The vault refuses to sign an approval for her.
    let e = eva
        .with_vault(|v| v.judge_declaration(&jan, Verdict::Goedgekeurd))
        .unwrap_err();
    assert!(
        matches!(&e, VaultError::NotAllowed(why) if why.contains("no mandate")),
        "{e}"
    );

    // Written around the API, an approval and a spend count nowhere.
    let spent = sanne.with_vault(|v| v.budget(&budget).unwrap().report.accounts[&account].spent);
    eva.with_vault(|v| {
        let signed = v
            .record::<inwonercloud_schemas::Declaration>(&agreement_doc, &jan)
            .unwrap()
            .unwrap()
            .signed;
        let ap = Approval {
            id: "eigenhandig".into(),
            declaration_id: jan.clone(),
            declaration_hash: inwonercloud_vault::keys::record_hash(&signed),
            verdict: Verdict::Goedgekeurd,
        };
        v.put_record(&agreement_doc, "eigenhandig", ap).unwrap();
        let e = v
            .record_entry(
                &budget,
                NewEntry {
                    account: account.clone(),
                    kind: EntryKind::Spend,
                    amount: eur(50_000),
                    category: Some("begeleiding_individueel".into()),
                    date: day("2027-01-28"),
                    note: "zelf geboekt".into(),
                    reference: None,
                },
            )
            .unwrap_err();
        assert!(matches!(e, VaultError::NotAllowed(_)), "{e}");
        let raw = LedgerEntry {
            id: "eigenhandig".into(),
            account: account.clone(),
            kind: EntryKind::Spend,
            amount: eur(50_000),
            category: Some("begeleiding_individueel".into()),
            date: day("2027-01-28"),
            note: "zelf geboekt".into(),
            reference: None,
        };
        v.put_record(&budget, "eigenhandig", raw).unwrap();
    });
    sync(&eva, &sanne).await;
    assert!(pending(&sanne, &jan), "Eva's approval is no verdict for Sanne");
    let b = sanne.with_vault(|v| v.budget(&budget).unwrap());
    assert_eq!(b.report.accounts[&account].spent, spent, "her spend is not counted");
    let refused = b
        .report
        .lines
        .iter()
        .find(|l| l.entry.id == "eigenhandig")
        .expect("the spend is shown");
    assert!(matches!(&refused.status, EntryStatus::Refused { .. }));
    // A mandate for ordering only does not make her approvals count either.
    sanne.with_vault(|v| {
        v.give_mandate(
            eva_id,
            Capacity::Familie,
            vec![MandateAction::Order],
            day("2027-01-01"),
            None,
        )
        .unwrap()
    });
    assert!(pending(&sanne, &jan));
    sync(&sanne, &eva).await;
    let e = eva
        .with_vault(|v| v.judge_declaration(&jan, Verdict::Goedgekeurd))
        .unwrap_err();
    assert!(
        matches!(&e, VaultError::NotAllowed(why) if why.contains("does not allow to approve")),
        "{e}"
    );
}

#[test]
fn a_carer_with_a_mandate_cannot_approve_her_own_hours() {
    let tmp = tempfile::tempdir().unwrap();
    let mut sanne = vault(&tmp.path().join("s"), "Sanne", Role::Citizen);
    let mut els = vault(&tmp.path().join("e"), "Els", Role::Family);
    remember(&mut sanne, &els);
    remember(&mut els, &sanne);
    let account = euro_account(&mut sanne, "pgb", FundingStream::Wmo);
    let budget = sanne.budget_doc();
    sanne
        .top_up(&budget, &account, eur(100_000), day("2026-01-02"), "eigen geld")
        .unwrap();
    let ag = sanne
        .agree_informal(
            els.identity(),
            &account,
            "begeleiding_individueel",
            eur(2000),
            Decimal::from(10),
            day("2026-03-01"),
            day("2026-03-31"),
        )
        .unwrap();
    // Els, the neighbour who declares hours, is also given a mandate.
    sanne
        .give_mandate(
            els.identity(),
            Capacity::Familie,
            vec![MandateAction::Approve, MandateAction::Dispute],
            day("2026-01-01"),
            None,
        )
        .unwrap();
    let doc = sanne.agreement_doc_id(&els.identity());
    hand_over(&sanne, &mut els, &doc);
    hand_over(&sanne, &mut els, &budget);
    els.countersign(&ag.id).unwrap();
    let d = els
        .declare(&ag.id, Decimal::from(8), day("2026-03-01"), day("2026-03-31"), "uren")
        .unwrap();
    let e = els.judge_declaration(&d.id, Verdict::Goedgekeurd).unwrap_err();
    assert!(
        matches!(&e, VaultError::NotAllowed(why) if why.contains("declared this yourself")),
        "{e}"
    );
    // Written around the API, her approval of her own hours is no verdict.
    let signed = els
        .record::<inwonercloud_schemas::Declaration>(&doc, &d.id)
        .unwrap()
        .unwrap()
        .signed;
    let ap = Approval {
        id: "zelf".into(),
        declaration_id: d.id.clone(),
        declaration_hash: inwonercloud_vault::keys::record_hash(&signed),
        verdict: Verdict::Goedgekeurd,
    };
    els.put_record(&doc, "zelf", ap).unwrap();
    hand_over(&els, &mut sanne, &doc);
    assert!(sanne.declaration(&d.id).unwrap().1.pending(), "Sanne still decides");
    sanne.judge_declaration(&d.id, Verdict::Goedgekeurd).unwrap();
    let spent = sanne.budget(&budget).unwrap().report.accounts[&account].spent;
    assert_eq!(spent, eur(16_000), "8 hours × 20,00, approved by Sanne");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_representative_orders_and_requests_through_the_holders_vault() {
    use inwonercloud_schemas::{CommissionOutcome, CommissionTask, FundingStream, Quantity, Unit};
    let tmp = tempfile::tempdir().unwrap();
    let sanne = node(&tmp.path().join("s"), "Sanne", Role::Citizen).await;
    let eva = node(&tmp.path().join("e"), "Eva", Role::Family).await;
    let provider = node(&tmp.path().join("p"), "Zorg De Linde", Role::Provider).await;
    let gemeente = node(&tmp.path().join("g"), "Gemeente", Role::Municipality).await;
    let account = granted_citizen(&sanne, &gemeente, 500_000).await;
    let budget = sanne.with_vault(|v| v.budget_doc());
    let sanne_id = sanne.with_vault(|v| v.identity());
    let eva_id = eva.with_vault(|v| v.identity());
    // Sanne knows De Linde's catalogue; Eva is her family.
    let name = provider.with_vault(|v| v.name().to_string());
    let o = provider.with_vault(|v| {
        v.publish_offering(inwonercloud_tests::offering(&name, eur(6250)))
            .unwrap()
    });
    let t = invite(&provider, Role::Citizen, &[DocKind::Catalogue], Access::Read);
    sanne.join(&t.to_string().parse().unwrap()).await.unwrap();
    let t = invite(&sanne, Role::Family, &[DocKind::Profile], Access::Read);
    eva.join(&t.to_string().parse().unwrap()).await.unwrap();
    let order = CommissionTask::Order {
        offering_id: o.id.clone(),
        account: account.clone(),
        max_units: Decimal::from(10),
        period_start: day("2027-02-01"),
        period_end: day("2027-03-31"),
        member: None,
    };
    let request = CommissionTask::Request {
        stream: FundingStream::Wmo,
        category: "dagbesteding".into(),
        quantity: Quantity::new(eur(120_000), Unit::Euro).unwrap(),
        period_start: day("2027-01-01"),
        period_end: day("2027-12-31"),
        motivation: "twee dagdelen per week".into(),
    };

    // Without a mandate, Eva's vault refuses (she holds no budget of Sanne's).
    assert!(eva.with_vault(|v| v.commission(sanne_id, order.clone())).is_err());
    sanne.with_vault(|v| {
        v.give_mandate(
            eva_id,
            Capacity::WettelijkVertegenwoordiger,
            vec![
                MandateAction::Approve,
                MandateAction::Order,
                MandateAction::Request,
                MandateAction::Transfer,
            ],
            day("2026-01-01"),
            None,
        )
        .unwrap()
    });
    sync(&sanne, &eva).await;
    let c = eva.with_vault(|v| v.commission(sanne_id, order.clone()).unwrap());
    let r = eva.with_vault(|v| v.commission(sanne_id, request.clone()).unwrap());
    let moeder = inwonercloud_tests::vault(&tmp.path().join("m"), "Moeder", Role::Citizen).identity();
    let tr = eva.with_vault(|v| {
        v.commission(
            sanne_id,
            CommissionTask::Transfer {
                to: moeder,
                from_account: account.clone(),
                amount: eur(30_000),
                category: "begeleiding_informeel".into(),
                note: "voor moeders hulp".into(),
            },
        )
        .unwrap()
    });
    sync(&eva, &sanne).await;

    // Sanne's vault carries both out, signing the agreement and the request itself.
    let today = inwonercloud_schemas::Date::today();
    let answers = sanne.with_vault(|v| v.carry_out_commissions(today).unwrap());
    assert_eq!(answers.len(), 3, "{answers:?}");
    let made = |id: &str| {
        answers
            .iter()
            .find(|a| a.commission_id == id)
            .map(|a| match &a.outcome {
                CommissionOutcome::Done { record } => record.clone(),
                CommissionOutcome::Refused { reason } => panic!("refused: {reason}"),
            })
            .unwrap()
    };
    let agreement = sanne.with_vault(|v| v.agreement(&made(&c.id)).unwrap());
    assert_eq!(
        agreement.agreement.author, sanne_id,
        "the holder's vault signs the agreement"
    );
    assert_eq!(
        sanne.with_vault(|v| v.budget(&budget).unwrap().report.accounts[&account].reserved),
        eur(62_500),
        "10 × 62,50 reserved"
    );
    assert_eq!(
        sanne.with_vault(|v| v.commissioned_by(&sanne_id, &agreement.agreement.record.id).unwrap()),
        Some(eva_id),
        "the agreement stays attributable to the representative who asked"
    );
    let transfers = sanne.with_vault(|v| v.transfers().unwrap());
    let t = transfers.iter().find(|x| x.transfer.record.id == made(&tr.id)).unwrap();
    assert_eq!(
        (t.transfer.author, t.transfer.record.to, t.transfer.record.amount),
        (sanne_id, moeder, eur(30_000))
    );
    let requests = sanne.with_vault(|v| v.requests(&budget).unwrap());
    let req = requests.iter().find(|x| x.request.record.id == made(&r.id)).unwrap();
    assert_eq!(req.request.author, sanne_id);
    // Answered once: running again does nothing, and the municipality receives the request.
    assert!(sanne.with_vault(|v| v.carry_out_commissions(today).unwrap()).is_empty());
    sync(&sanne, &gemeente).await;
    assert!(
        gemeente
            .with_vault(|v| v.inbox().unwrap())
            .iter()
            .any(|x| x.request.record.id == req.request.record.id)
    );
    // Eva sees the answers.
    sync(&sanne, &eva).await;
    let seen = eva.with_vault(|v| v.commissions(&sanne_id).unwrap());
    assert!(seen.iter().all(|x| x.result.is_some()), "{seen:?}");

    // After revocation, a commission Eva signs anyway (her vault not yet
    // knowing) does not enter Sanne's budget, and nothing is ordered.
    let m = sanne.with_vault(|v| v.mandates().unwrap())[0].mandate.record.id.clone();
    sanne.with_vault(|v| v.revoke_mandate(&m).unwrap());
    let late = eva.with_vault(|v| v.commission(sanne_id, order.clone()).unwrap());
    let bundle = eva.with_vault(|v| v.bundle(&budget).unwrap());
    assert!(
        sanne.with_vault(|v| v.import_bundle(&bundle, "relay")).is_err(),
        "a revoked writer's change is refused"
    );
    assert!(sanne.with_vault(|v| v.carry_out_commissions(today).unwrap()).is_empty());
    assert!(
        sanne
            .with_vault(|v| v.commissions(&sanne_id).unwrap())
            .iter()
            .all(|x| x.commission.record.id != late.id)
    );
    assert_eq!(
        sanne.with_vault(|v| v.agreements().unwrap()).len(),
        1,
        "the late commission ordered nothing"
    );
}
