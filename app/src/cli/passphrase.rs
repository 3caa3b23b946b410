//! Asking for the vault passphrase: from `INWONERCLOUD_PASSPHRASE` for
//! scripts, otherwise at the terminal without echo.

use std::io::IsTerminal;

use anyhow::{Result, bail};
use inwonercloud_vault::Passphrase;

use super::Out;

/// Environment variable with the new passphrase for `passphrase` in scripts.
pub const NEW_PASSPHRASE_ENV: &str = "INWONERCLOUD_NEW_PASSPHRASE";

/// The passphrase of an existing vault.
pub fn current(out: &Out) -> Result<Passphrase> {
    if let Some(p) = Passphrase::from_env() {
        return Ok(p);
    }
    prompt(out, out.t("Wachtwoord van de kluis: ", "Vault passphrase: "))
}

/// A new passphrase: `env` when set, otherwise typed twice at the terminal.
pub fn new(out: &Out, env: &str) -> Result<Passphrase> {
    if let Some(p) = std::env::var(env).ok().filter(|s| !s.is_empty()) {
        let p = Passphrase::new(p);
        p.check_new()?;
        return Ok(p);
    }
    let first = prompt(
        out,
        out.t(
            "Nieuw wachtwoord voor de kluis (minstens 8 tekens): ",
            "New vault passphrase (at least 8 characters): ",
        ),
    )?;
    first.check_new()?;
    let second = prompt(out, out.t("Herhaal het wachtwoord: ", "Repeat the passphrase: "))?;
    if !first.matches(&second) {
        bail!(
            "{}",
            out.t(
                "de twee wachtwoorden verschillen; er is niets gewijzigd",
                "the two passphrases differ; nothing was changed"
            )
        );
    }
    Ok(first)
}

fn prompt(out: &Out, text: &str) -> Result<Passphrase> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "{}",
            out.t(
                "de kluis is versleuteld en er is geen terminal om het wachtwoord te vragen: zet INWONERCLOUD_PASSPHRASE",
                "the vault is encrypted and there is no terminal to ask for the passphrase: set INWONERCLOUD_PASSPHRASE"
            )
        );
    }
    Ok(Passphrase::new(rpassword::prompt_password(text)?))
}
