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

/// `passphrase`: wraps the vault key under a new passphrase.
pub fn change_passphrase(out: &Out, v: &Vault) -> Result<()> {
    let current = super::passphrase::current(out)?;
    let new = super::passphrase::new(out, super::passphrase::NEW_PASSPHRASE_ENV)?;
    v.change_passphrase(&current, &new)?;
    out.say(
        "Wachtwoord gewijzigd. Bewaar het goed: zonder wachtwoord is de kluis niet te openen.",
        "Passphrase changed. Keep it safe: without it the vault cannot be opened.",
    );
    Ok(())
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
            out.t(
                &format!(
                    "Kluis aangemaakt in {}\nIdentiteit: {}\nApparaat:   {}",
                    who.vault, who.identity, who.device
                ),
                &format!(
                    "Vault created in {}\nIdentity: {}\nDevice:   {}",
                    who.vault, who.identity, who.device
                ),
            )
        )
    })
}

pub fn whoami(out: &Out, v: &Vault) -> Result<()> {
    let who = v.whoami();
    out.emit(&who, || {
        println!("{} ({})", who.name, who.role.label(out.lang));
        println!("{}: {}", out.t("identiteit", "identity"), who.identity);
        println!("{}: {} ({})", out.t("apparaat", "device"), who.device, who.device_name);
        println!("{}: {}", out.t("kluis", "vault"), who.vault);
        println!("{}:", out.t("documenten", "documents"));
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
            out.emit(&n, || {
                println!("{} {}", out.t("Notitie opgeslagen:", "Note saved:"), n.id)
            })
        }
        JournalCmd::List => {
            let notes = v.notes()?;
            out.emit(&notes, || {
                for n in &notes {
                    println!(
                        "{}  {}",
                        inwonercloud_schemas::Date::from_unix(n.record.at),
                        n.record.text
                    );
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
            std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
            let n: usize = e.documents.iter().map(|d| d.records.len()).sum();
            out.emit(
                &serde_json::json!({"file": path, "documents": e.documents.len(), "records": n}),
                || {
                    println!(
                        "{}",
                        out.t(
                            &format!(
                                "{} documenten en {n} ondertekende records geschreven naar {}",
                                e.documents.len(),
                                path.display()
                            ),
                            &format!(
                                "{} documents and {n} signed records written to {}",
                                e.documents.len(),
                                path.display()
                            ),
                        )
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
    let text = std::fs::read_to_string(&a.file).with_context(|| format!("cannot read {}", a.file.display()))?;
    let e: Export =
        serde_json::from_str(&text).with_context(|| format!("{} is not an Inwonercloud export", a.file.display()))?;
    let check = check_export(&e);
    out.emit(&check, || {
        println!(
            "{}: {}",
            out.t("geldige handtekeningen", "valid signatures"),
            check.valid
        );
        for (what, why) in &check.invalid {
            println!("{}: {what}: {why}", out.t("ONGELDIG", "INVALID"));
        }
    })?;
    if !check.invalid.is_empty() {
        bail!(
            "{} {}",
            check.invalid.len(),
            out.t(
                "records hebben een ongeldige handtekening",
                "records have an invalid signature"
            )
        );
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
    std::fs::create_dir_all(&a.out).with_context(|| format!("cannot create {}", a.out.display()))?;
    let mut written = vec![];
    for (name, schema) in inwonercloud_schemas::json_schemas() {
        let path = a.out.join(format!("{name}.schema.json"));
        std::fs::write(&path, serde_json::to_string_pretty(&schema)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    out.emit(&written, || {
        println!(
            "{}",
            out.t(
                &format!("{} schema's geschreven naar {}", written.len(), a.out.display()),
                &format!("{} schemas written to {}", written.len(), a.out.display()),
            )
        )
    })
}

pub fn rejections(out: &Out, v: &Vault) -> Result<()> {
    let r = v.rejections()?;
    out.emit(&r, || {
        if r.is_empty() {
            println!("{}", out.t("Geen geweigerde wijzigingen.", "No refused changes."));
        }
        for x in &r {
            println!(
                "{}  {}  {}  {}: {}",
                inwonercloud_schemas::Date::from_unix(x.at),
                x.from,
                x.doc,
                x.change,
                x.why
            );
        }
    })
}
