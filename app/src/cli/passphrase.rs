//! Asking for the vault passphrase: from `INWONERCLOUD_PASSPHRASE` for
//! scripts, from a file (`--passphrase-file`, or the systemd credential
//! `inwonercloud-passphrase`) for services, otherwise at the terminal
//! without echo.

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
    if let Some(file) = &out.passphrase_file {
        return from_file(out, file);
    }
    // systemd's LoadCredential= puts the file here for the service alone.
    if let Some(dir) = std::env::var_os("CREDENTIALS_DIRECTORY") {
        let file = std::path::Path::new(&dir).join(CREDENTIAL);
        if file.is_file() {
            return from_file(out, &file);
        }
    }
    prompt(out, out.t(|t| t.vault_passphrase))
}

/// The name of the systemd credential holding the passphrase.
pub const CREDENTIAL: &str = "inwonercloud-passphrase";

/// The passphrase on the first line of `file` (a trailing newline is not
/// part of it). A file others may read is used, with a warning.
pub fn from_file(out: &Out, file: &std::path::Path) -> Result<Passphrase> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("{} {}: {e}", out.t(|t| t.cannot_read_passphrase_file), file.display()))?;
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        bail!("{} {}", out.t(|t| t.passphrase_file_empty), file.display());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(file)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                file = %file.display(),
                "the passphrase file may be read by other users: chmod 600 it"
            );
        }
    }
    Ok(Passphrase::new(line))
}

/// A new passphrase: `env` when set, otherwise typed twice at the terminal.
pub fn new(out: &Out, env: &str) -> Result<Passphrase> {
    if let Some(p) = std::env::var(env).ok().filter(|s| !s.is_empty()) {
        let p = Passphrase::new(p);
        p.check_new()?;
        return Ok(p);
    }
    let first = prompt(out, out.t(|t| t.new_vault_passphrase))?;
    first.check_new()?;
    let second = prompt(out, out.t(|t| t.repeat_passphrase))?;
    if !first.matches(&second) {
        bail!("{}", out.t(|t| t.two_passphrases_differ));
    }
    Ok(first)
}

fn prompt(out: &Out, text: &str) -> Result<Passphrase> {
    if !std::io::stdin().is_terminal() {
        bail!("{}", out.t(|t| t.no_terminal_for_passphrase));
    }
    Ok(Passphrase::new(rpassword::prompt_password(text)?))
}
