//! Receipts: a spend booked with a photo of its receipt, kept in the budget
//! document, synced only under the budget's consent, checked on every side.

use inwonercloud_schemas::{Access, DocKind, EntryKind, FundingStream, Role};
use inwonercloud_tests::processes::bin;
use inwonercloud_tests::{PASSPHRASE, day, eur, euro_account, invite, node, vault};
use inwonercloud_vault::VaultError;
use inwonercloud_vault::budget::NewEntry;
use inwonercloud_vault::receipts::{FileState, NewFile};

/// A tiny PNG-shaped file with a marker that must never show in clear
/// (the receipt photo every receipt scenario uses).
pub(crate) fn photo(marker: &str) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend_from_slice(marker.as_bytes());
    b.extend(std::iter::repeat_n(7u8, 2000));
    b
}

fn spend(account: &str, cents: i64) -> NewEntry {
    NewEntry {
        account: account.into(),
        kind: EntryKind::Spend,
        amount: eur(cents),
        category: Some("hulpmiddelen".into()),
        date: day("2026-03-14"),
        note: "douchestoel".into(),
        reference: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spend_with_its_receipt_travels_with_the_budget_and_is_checked_there() {
    let tmp = tempfile::tempdir().unwrap();
    let anna = node(&tmp.path().join("anna"), "Anna", Role::Citizen).await;
    let doc = anna.with_vault(|v| v.budget_doc());
    let acc = anna.with_vault(|v| euro_account(v, "Wmo 2026", FundingStream::Wmo));
    let bytes = photo("BON-DOUCHESTOEL-4821");
    let (entry, receipt) = anna
        .with_vault(|v| {
            v.record_spend(
                &doc,
                spend(&acc, 8950),
                vec![NewFile {
                    name: "/home/anna/Afbeeldingen/bon.png".into(),
                    bytes: bytes.clone(),
                }],
            )
        })
        .unwrap();
    let receipt = receipt.expect("a receipt");
    assert_eq!(receipt.files[0].name, "bon.png", "no path is kept");
    assert_eq!(receipt.files[0].media_type, "image/png");
    let views = anna.with_vault(|v| v.receipts(&doc)).unwrap();
    assert_eq!(views.len(), 1);
    assert!(views[0].valid, "{:?}", views[0].problem);
    assert_eq!(views[0].files, vec![FileState::Present]);
    assert_eq!(
        anna.with_vault(|v| v.attachment(&doc, &receipt.files[0].hash)).unwrap(),
        Some(bytes.clone())
    );

    // The municipality, with a consent for the budget, receives the spend
    // with its receipt and checks it itself.
    let gemeente = node(&tmp.path().join("oss"), "Gemeente Oss", Role::Municipality).await;
    gemeente
        .join(&invite(&anna, Role::Municipality, &[DocKind::Budget], Access::Read))
        .await
        .unwrap();
    let there = gemeente.with_vault(|v| v.receipts_of(&doc, &entry.id)).unwrap();
    assert_eq!(there.len(), 1, "the receipt arrived with the budget");
    assert_eq!(
        gemeente
            .with_vault(|v| v.attachment(&doc, &receipt.files[0].hash))
            .unwrap(),
        Some(bytes)
    );
    // A counselor with a consent for the plan only gets no receipt.
    let bert = node(&tmp.path().join("bert"), "Bert", Role::Counselor).await;
    bert.join(&invite(&anna, Role::Counselor, &[DocKind::Plan], Access::Read))
        .await
        .unwrap();
    assert!(
        bert.with_vault(|v| v.receipts(&doc)).is_err(),
        "the budget is not Bert's to hold"
    );
    // Nowhere in the files in clear.
    anna.shutdown().await;
    gemeente.shutdown().await;
    for who in ["anna", "oss"] {
        let f = tmp.path().join(who).join(inwonercloud_vault::DB_FILE);
        let all = std::fs::read(&f).unwrap();
        assert!(
            !all.windows(20).any(|w| w == b"BON-DOUCHESTOEL-4821"),
            "{who}'s vault file holds the receipt in clear"
        );
    }
}

#[test]
fn what_is_not_a_receipt_is_refused_with_a_reason_and_nothing_is_booked() {
    let tmp = tempfile::tempdir().unwrap();
    let mut anna = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
    let doc = anna.budget_doc();
    let acc = euro_account(&mut anna, "Wmo 2026", FundingStream::Wmo);
    let before = anna.budget(&doc).unwrap().report.lines.len();
    let text = NewFile {
        name: "bon.txt".into(),
        bytes: b"kassabon: 89,50".to_vec(),
    };
    let e = anna.record_spend(&doc, spend(&acc, 8950), vec![text]).unwrap_err();
    assert!(e.to_string().contains("not a photo"), "{e}");
    let mut big = photo("x");
    big.resize(5 * 1024 * 1024, 0);
    let e = anna
        .record_spend(
            &doc,
            spend(&acc, 8950),
            vec![NewFile {
                name: "groot.png".into(),
                bytes: big,
            }],
        )
        .unwrap_err();
    assert!(e.to_string().contains("at most 4 MiB"), "{e}");
    assert_eq!(
        anna.budget(&doc).unwrap().report.lines.len(),
        before,
        "a refused receipt books no spend either (one action, one transaction)"
    );
    // A receipt can be added later, but only by the entry's signer.
    let (entry, none) = anna.record_spend(&doc, spend(&acc, 1200), vec![]).unwrap();
    assert!(none.is_none());
    anna.attach_receipt(
        &doc,
        &entry.id,
        vec![NewFile {
            name: "later.pdf".into(),
            bytes: b"%PDF-1.7 factuur".to_vec(),
        }],
    )
    .unwrap();
    assert!(anna.receipts_of(&doc, &entry.id).unwrap().len() == 1);
    let e = anna
        .attach_receipt(
            &doc,
            "bestaat-niet",
            vec![NewFile {
                name: "x.pdf".into(),
                bytes: b"%PDF-1.7".to_vec(),
            }],
        )
        .unwrap_err();
    assert!(matches!(e, VaultError::UnknownRecord { .. }), "{e}");
}

#[test]
fn the_command_line_books_a_spend_with_its_receipt_and_saves_it_again() {
    let Some(bin) = bin() else {
        eprintln!("skipped: the inwonercloud binary is not built next to this test");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("anna");
    let acc = {
        let mut v = vault(&dir, "Anna", Role::Citizen);
        euro_account(&mut v, "Wmo 2026", FundingStream::Wmo)
    };
    let file = tmp.path().join("bon.png");
    std::fs::write(&file, photo("CLI-BON")).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(&bin)
            .arg("--vault")
            .arg(&dir)
            .args(["--lang", "en"])
            .args(args)
            .env("INWONERCLOUD_PASSPHRASE", PASSPHRASE)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, text) = run(&[
        "spend",
        "--account",
        &acc,
        "--amount",
        "89,50",
        "--category",
        "hulpmiddelen",
        "--receipt",
        file.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    assert!(text.contains("1 receipt file"), "{text}");
    let saved = tmp.path().join("bonnen");
    let (ok, text) = run(&["receipt", "--save", saved.to_str().unwrap()]);
    assert!(ok && text.contains("bon.png"), "{text}");
    let kept: Vec<_> = std::fs::read_dir(&saved).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(std::fs::read(&kept[0]).unwrap(), photo("CLI-BON"));
    // A file that is not a receipt: a clear error, nothing booked.
    let bad = tmp.path().join("bon.txt");
    std::fs::write(&bad, "89,50").unwrap();
    let (ok, text) = run(&[
        "spend",
        "--account",
        &acc,
        "--amount",
        "1",
        "--receipt",
        bad.to_str().unwrap(),
    ]);
    assert!(!ok && text.contains("not a photo"), "{text}");
}
