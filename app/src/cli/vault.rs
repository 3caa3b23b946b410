//! Vault-wide commands: init, whoami, journal, export, schema, rejections.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use inwonercloud_schemas::Role;
use inwonercloud_vault::export::{Export, verify_export as check_export};
use inwonercloud_vault::{CreateOptions, Vault};

use super::Out;

/// Arguments of `init`.
#[derive(Args, Debug)]
pub struct InitArgs {
    /// Your name, or your organisation's.
    #[arg(long)]
    pub name: String,
    /// inwoner, begeleider, familie, zorgaanbieder or gemeente (English names work too).
    #[arg(long, default_value = "inwoner", value_parser = |s: &str| Role::parse(s).map_err(|e| e.to_string()))]
    pub role: Role,
    /// This device's name.
    #[arg(long, default_value = "laptop")]
    pub device_name: String,
}

/// Arguments of `restore`.
#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The backup file.
    pub file: std::path::PathBuf,
    /// Unlock it with the recovery phrase instead of the passphrase (asks for
    /// the phrase, or reads INWONERCLOUD_RECOVERY_PHRASE, and a new passphrase).
    #[arg(long)]
    pub recovery_phrase: bool,
    /// This machine's device name.
    #[arg(long, default_value = "")]
    pub device_name: String,
}

/// `backup`: an encrypted copy of everything, in one new file.
pub fn backup(out: &Out, v: &Vault, file: &Path) -> Result<()> {
    let pass = super::passphrase::current(out)?;
    let size = v.backup(file, &pass)?;
    out.emit(&serde_json::json!({"file": file, "bytes": size}), || {
        println!("{}", out.t(|t| t.backup_written(&file.display().to_string(), size)))
    })
}

/// `restore`: a backup into a new vault directory.
pub fn restore(out: &Out, dir: &Path, a: RestoreArgs) -> Result<()> {
    use inwonercloud_vault::backup::BackupSecret;
    let (secret, new) = if a.recovery_phrase {
        let words = match std::env::var("INWONERCLOUD_RECOVERY_PHRASE") {
            Ok(w) if !w.trim().is_empty() => w,
            _ => {
                eprint!("{}", out.t(|t| t.recovery_phrase_prompt));
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                line
            }
        };
        let new = super::passphrase::new(out, super::passphrase::NEW_PASSPHRASE_ENV)?;
        (BackupSecret::RecoveryPhrase(words), Some(new))
    } else {
        (BackupSecret::Passphrase(super::passphrase::current(out)?), None)
    };
    let (_, r) = Vault::restore(&a.file, dir, &secret, new.as_ref(), &a.device_name)?;
    out.emit(&r, || {
        println!(
            "{}",
            out.t(|t| {
                t.restored(
                    &dir.display().to_string(),
                    r.documents,
                    r.changes,
                    &r.device.short(),
                    &r.old_device.short(),
                )
            })
        );
        if r.needs_link {
            println!(
                "{}",
                out.t(|t| t.restored_link_again(&dir.display().to_string(), &r.old_device.to_string()))
            );
        } else {
            println!("{}", out.t(|t| t.restored_revoke_old(&r.old_device.to_string())));
        }
    })
}

/// `recovery-phrase`: the identity secret as 24 words.
pub fn recovery_phrase(out: &Out, v: &Vault) -> Result<()> {
    let words = v.recovery_phrase()?;
    out.emit(&serde_json::json!({"recovery_phrase": words.as_str()}), || {
        println!(
            "{}

  {}
",
            out.t(|t| t.recovery_phrase_keep_safe),
            words.as_str()
        )
    })
}

/// `revoke-device`: a lost or replaced device of this identity.
pub fn revoke_device(out: &Out, v: &mut Vault, device: &str) -> Result<()> {
    let key: inwonercloud_schemas::PublicKey = device.trim().parse().map_err(|e| {
        super::exit::fail(
            super::exit::ErrorKind::InvalidInput,
            format!(
                "{}: {}",
                out.t(|t| t.not_a_device_key(device)),
                crate::error_text::schema_error_text(&e, out.lang)
            ),
        )
    })?;
    let n = v.revoke_device(key)?;
    out.emit(&serde_json::json!({"revoked": key, "documents": n}), || {
        out.say(|t| t.device_revoked(&key.short(), n))
    })
}

/// `passphrase`: wraps the vault key under a new passphrase.
pub fn change_passphrase(out: &Out, v: &Vault) -> Result<()> {
    let current = super::passphrase::current(out)?;
    let new = super::passphrase::new(out, super::passphrase::NEW_PASSPHRASE_ENV)?;
    v.change_passphrase(&current, &new)?;
    out.emit(&serde_json::json!({"passphrase_changed": true}), || {
        out.say(|t| t.passphrase_changed)
    })
}

pub fn init(out: &Out, dir: &Path, a: InitArgs) -> Result<()> {
    let v = Vault::create(
        dir,
        CreateOptions {
            name: a.name,
            role: a.role,
            device_name: a.device_name,
            passphrase: super::passphrase::new(out, inwonercloud_vault::seal::PASSPHRASE_ENV)?,
        },
    )?;
    let who = v.whoami();
    out.emit(&who, || {
        println!(
            "{}",
            out.t(|t| t.vault_created(
                &who.vault.to_string(),
                &who.identity.to_string(),
                &who.device.to_string()
            ))
        )
    })
}

pub fn whoami(out: &Out, v: &Vault) -> Result<()> {
    let who = v.whoami();
    out.emit(&who, || {
        println!("{} ({})", who.name, who.role.label(out.lang));
        println!("{}: {}", out.t(|t| t.identity), who.identity);
        println!("{}: {} ({})", out.t(|t| t.device), who.device, who.device_name);
        println!("{}: {}", out.t(|t| t.vault), who.vault);
        println!("{}:", out.t(|t| t.documents));
        for d in &who.documents {
            println!("  {d}");
        }
    })
}

/// Journal commands.
#[derive(Subcommand, Debug)]
pub enum JournalCmd {
    /// Add a private note.
    Add {
        /// The note.
        text: String,
    },
    /// List notes.
    List,
}

pub fn journal(out: &Out, v: &mut Vault, c: JournalCmd) -> Result<()> {
    match c {
        JournalCmd::Add { text } => {
            let n = v.add_note(&text)?;
            out.emit(&n, || println!("{} {}", out.t(|t| t.note_saved), n.id))
        }
        JournalCmd::List => {
            let notes = v.notes()?;
            out.emit(&notes, || {
                for n in &notes {
                    println!("{}  {}", out.day(n.record.at), n.record.text);
                }
            })
        }
    }
}

/// Arguments of `export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Write to this file instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn export(out: &Out, v: &Vault, a: ExportArgs) -> Result<()> {
    let e = v.export()?;
    let text = serde_json::to_string_pretty(&e)?;
    match a.out {
        Some(path) => {
            std::fs::write(&path, text).with_context(|| out.t(|t| t.cannot_write(&path)))?;
            let n: usize = e.documents.iter().map(|d| d.records.len()).sum();
            out.emit(
                &serde_json::json!({"file": path, "documents": e.documents.len(), "records": n}),
                || {
                    println!(
                        "{}",
                        out.t(|t| t.exported(e.documents.len(), n, &path.display().to_string()))
                    )
                },
            )
        }
        None => {
            println!("{text}");
            Ok(())
        }
    }
}

/// Arguments of `verify-export`.
#[derive(Args, Debug)]
pub struct VerifyExportArgs {
    /// The export file.
    pub file: PathBuf,
}

pub fn verify_export(out: &Out, a: VerifyExportArgs) -> Result<()> {
    let text = std::fs::read_to_string(&a.file).with_context(|| out.t(|t| t.cannot_read(&a.file)))?;
    let e: Export = serde_json::from_str(&text).with_context(|| out.t(|t| t.not_an_export(&a.file)))?;
    let check = check_export(&e);
    out.emit(&check, || {
        println!("{}: {}", out.t(|t| t.valid_signatures), check.valid);
        for (what, why) in &check.invalid {
            println!("{}: {what}: {why}", out.t(|t| t.invalid));
        }
    })?;
    if !check.invalid.is_empty() {
        bail!(out.t(|t| t.invalid_signatures(check.invalid.len())));
    }
    Ok(())
}

/// Arguments of `schema`.
#[derive(Args, Debug)]
pub struct SchemaArgs {
    /// Directory to write `<record>.schema.json` files to.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn schema(out: &Out, a: SchemaArgs) -> Result<()> {
    std::fs::create_dir_all(&a.out).with_context(|| out.t(|t| t.cannot_create(&a.out)))?;
    let mut written = vec![];
    for (name, schema) in inwonercloud_schemas::json_schemas() {
        let path = a.out.join(format!("{name}.schema.json"));
        std::fs::write(&path, serde_json::to_string_pretty(&schema)?)
            .with_context(|| out.t(|t| t.cannot_write(&path)))?;
        written.push(path);
    }
    out.emit(&written, || {
        println!(
            "{}",
            out.t(|t| t.schemas_written(written.len(), &a.out.display().to_string()))
        )
    })
}

pub fn rejections(out: &Out, v: &Vault) -> Result<()> {
    let r = v.rejections()?;
    out.emit(&r, || {
        if r.is_empty() {
            println!("{}", out.t(|t| t.no_refused_changes));
        }
        for x in &r {
            println!(
                "{}  {}  {}  {}: {}",
                out.day(x.at),
                x.from,
                x.doc,
                x.change,
                crate::refusal_text::rejection_text(x, out.lang)
            );
        }
    })
}
