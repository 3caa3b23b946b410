//! `spend` and `receipt`: booking a spend with its receipt, attaching a
//! receipt later, listing and saving receipts.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use inwonercloud_schemas::{Date, DocKind, EntryKind, format_euros};
use inwonercloud_vault::Vault;
use inwonercloud_vault::budget::NewEntry;
use inwonercloud_vault::receipts::{FileState, NewFile};
use rust_decimal::Decimal;

use super::Out;
use super::ids::resolve;
use super::parse::{amount, date};

/// Arguments of `spend`.
#[derive(Args, Debug)]
pub struct SpendArgs {
    /// Account id or name.
    #[arg(long)]
    pub account: String,
    /// Amount: 12,50 or 12.50.
    #[arg(long, value_parser = amount)]
    pub amount: Decimal,
    /// pgb category code (see `inwonercloud catalogue`).
    #[arg(long)]
    pub category: Option<String>,
    /// Day (default today, Dutch time).
    #[arg(long, value_parser = date)]
    pub date: Option<Date>,
    /// What it was for.
    #[arg(long, default_value = "")]
    pub note: String,
    /// A photo (JPEG, PNG) or PDF of the receipt or invoice; may be repeated.
    #[arg(long)]
    pub receipt: Vec<PathBuf>,
}

fn read_files(out: &Out, paths: &[PathBuf]) -> Result<Vec<NewFile>> {
    paths
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).with_context(|| out.t(|t| t.cannot_read(p)))?;
            Ok(NewFile {
                name: p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "bon".into()),
                bytes,
            })
        })
        .collect()
}

/// `spend`: books a spend, with its receipt files, in one transaction.
pub fn spend(out: &Out, v: &mut Vault, a: SpendArgs) -> Result<()> {
    let doc = v.pick_doc(DocKind::Budget, out.of.as_deref())?;
    let files = read_files(out, &a.receipt)?;
    let (entry, receipt) = v.record_spend(
        &doc,
        NewEntry {
            account: a.account,
            kind: EntryKind::Spend,
            amount: a.amount,
            category: a.category,
            date: a.date.unwrap_or_else(Date::today),
            note: a.note,
            reference: None,
        },
        files,
    )?;
    let json = serde_json::json!({"entry": entry, "receipt": receipt});
    out.emit(&json, || {
        let n = receipt.as_ref().map(|r| r.files.len()).unwrap_or(0);
        out.say(|t| {
            t.spend_booked(
                &format_euros(entry.amount, out.lang),
                &out.date(entry.date),
                n,
                &entry.id,
            )
        });
    })
}

/// Arguments of `receipt`.
#[derive(Args, Debug)]
pub struct ReceiptArgs {
    /// Attach to this ledger entry (its id or first characters); without
    /// it, list the receipts.
    pub entry: Option<String>,
    /// Files to attach (JPEG, PNG or PDF).
    pub files: Vec<PathBuf>,
    /// Save every receipt file into this folder.
    #[arg(long)]
    pub save: Option<PathBuf>,
}

/// `receipt`: attach files to an entry, or list (and save) receipts.
pub fn receipt(out: &Out, v: &mut Vault, a: ReceiptArgs) -> Result<()> {
    let doc = v.pick_doc(DocKind::Budget, out.of.as_deref())?;
    if let Some(typed) = &a.entry {
        let ids = v.budget(&doc)?.report.lines.into_iter().map(|l| l.entry.id);
        let entry = resolve(out, |t| t.id_ledger_entry, typed, ids)?;
        if a.files.is_empty() {
            anyhow::bail!("{}", out.t(|t| t.name_receipt_files));
        }
        let r = v.attach_receipt(&doc, &entry, read_files(out, &a.files)?)?;
        return out.emit(&r, || out.say(|t| t.receipt_attached(&entry)));
    }
    let receipts = v.receipts(&doc)?;
    if let Some(dir) = &a.save {
        std::fs::create_dir_all(dir).with_context(|| out.t(|t| t.cannot_create(dir)))?;
        for r in &receipts {
            for (f, state) in r.receipt.record.files.iter().zip(&r.files) {
                if *state != FileState::Present {
                    continue;
                }
                if let Some(bytes) = v.attachment(&doc, &f.hash)? {
                    // Named by entry and hash, so two "bon.jpg" never collide.
                    let name = format!("{}-{}-{}", r.receipt.record.entry, f.hash.short(), f.name);
                    let path = dir.join(name);
                    std::fs::write(&path, bytes).with_context(|| out.t(|t| t.cannot_write(&path)))?;
                }
            }
        }
    }
    out.emit(&receipts, || {
        if receipts.is_empty() {
            out.say(|t| t.no_receipts_yet);
        }
        for r in &receipts {
            let names: Vec<String> = r
                .receipt
                .record
                .files
                .iter()
                .zip(&r.files)
                .map(|(f, s)| match s {
                    FileState::Present => f.name.clone(),
                    FileState::Missing => format!("{} ({})", f.name, out.t(|t| t.not_arrived)),
                    FileState::Altered => format!("{} ({})", f.name, out.t(|t| t.altered)),
                })
                .collect();
            println!(
                "{}  {}  {}{}",
                r.receipt.record.entry,
                r.receipt.author_name,
                names.join(", "),
                r.problem
                    .as_ref()
                    .map(|p| format!("  [{}: {p}]", out.t(|t| t.does_not_count)))
                    .unwrap_or_default()
            );
        }
    })
}
