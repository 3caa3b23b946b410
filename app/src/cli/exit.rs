//! Exit codes and how a failed command reports itself: one line of text on
//! stderr, or with `--json` one JSON object
//! `{"error": {"kind": …, "message": …, "exit_code": …}}`.
//!
//! The code comes from the error's type (a [`VaultError`] variant, a
//! [`SchemaError`], a network error), found anywhere in the anyhow chain, so
//! a script can tell "you typed it wrong" from "you may not" from "it is not
//! there" from "the network failed" without reading the message.

use std::io::Write;
use std::process::ExitCode;

use inwonercloud_schemas::{Lang, SchemaError};
use inwonercloud_sync::{NodeError, SyncError, TicketError};
use inwonercloud_vault::VaultError;
use serde::Serialize;

/// What kind of failure a command ended with; each has its own exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The command line itself is wrong (clap's own code, 2).
    Usage,
    /// The command was understood but a value in it is not (an amount, a
    /// date, a key, a ticket, a name that fits more than one thing).
    InvalidInput,
    /// The vault refuses: not allowed, a bad signature, a refused change,
    /// a wrong passphrase, not enough left in the account.
    Refused,
    /// No such vault, document or record.
    NotFound,
    /// A peer, relay or postbus could not be reached or ended the session.
    Network,
    /// Anything else: storage, files, a corrupt vault.
    Other,
}

impl ErrorKind {
    /// Every kind, in the order of its exit code (for the help text and tests).
    pub const ALL: [ErrorKind; 6] = [
        ErrorKind::Other,
        ErrorKind::Usage,
        ErrorKind::InvalidInput,
        ErrorKind::Refused,
        ErrorKind::NotFound,
        ErrorKind::Network,
    ];

    /// The process exit code (0 is success).
    pub fn code(self) -> u8 {
        match self {
            ErrorKind::Other => 1,
            ErrorKind::Usage => 2,
            ErrorKind::InvalidInput => 3,
            ErrorKind::Refused => 4,
            ErrorKind::NotFound => 5,
            ErrorKind::Network => 6,
        }
    }

    /// The name in the JSON error object.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Usage => "usage",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Refused => "refused",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Network => "network",
            ErrorKind::Other => "other",
        }
    }

    /// The kind of a failed command: the first typed error in its chain.
    pub fn of(e: &anyhow::Error) -> ErrorKind {
        for cause in e.chain() {
            if let Some(v) = cause.downcast_ref::<VaultError>() {
                return of_vault(v);
            }
            if let Some(c) = cause.downcast_ref::<CliError>() {
                return c.kind;
            }
            if let Some(h) = cause.downcast_ref::<Hinted>() {
                return ErrorKind::of(&h.error);
            }
            if cause.is::<SchemaError>() || cause.is::<TicketError>() {
                return ErrorKind::InvalidInput;
            }
            if let Some(s) = cause.downcast_ref::<SyncError>() {
                return match s {
                    SyncError::Vault(v) => of_vault(v),
                    _ => ErrorKind::Network,
                };
            }
            if let Some(n) = cause.downcast_ref::<NodeError>() {
                return match n {
                    NodeError::Vault(v) => of_vault(v),
                    NodeError::Sync(SyncError::Vault(v)) => of_vault(v),
                    NodeError::Address(_) | NodeError::RoleMismatch { .. } => ErrorKind::InvalidInput,
                    NodeError::Bind(_) | NodeError::Sync(_) => ErrorKind::Network,
                };
            }
            if cause.is::<inwonercloud_sync::postbus::PostbusClientError>() {
                return ErrorKind::Network;
            }
            if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                return match io.kind() {
                    std::io::ErrorKind::NotFound => ErrorKind::NotFound,
                    _ => ErrorKind::Other,
                };
            }
            if cause.is::<rust_decimal::Error>()
                || cause.is::<std::num::ParseIntError>()
                || cause.is::<serde_json::Error>()
            {
                return ErrorKind::InvalidInput;
            }
        }
        ErrorKind::Other
    }
}

/// A failure the command line finds itself (an id that fits nothing, a
/// key that does not parse), with its kind.
#[derive(Debug)]
pub struct CliError {
    /// Which exit code it ends with.
    pub kind: ErrorKind,
    /// What a person reads.
    pub message: String,
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// A failure of `kind` with `message`.
pub fn fail(kind: ErrorKind, message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(CliError {
        kind,
        message: message.into(),
    })
}

/// A library error with what to type next: it keeps the error (and so its
/// kind) and adds the hint after its text.
#[derive(Debug)]
pub struct Hinted {
    /// The error as the library gave it.
    pub error: anyhow::Error,
    /// What to type next.
    pub hint: String,
}

impl std::fmt::Display for Hinted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}. {}", self.error, self.hint)
    }
}

impl std::error::Error for Hinted {}

/// The kind of a vault error. Every variant is named, so a new one must be
/// given a kind here before the app compiles.
fn of_vault(e: &VaultError) -> ErrorKind {
    match e {
        VaultError::NotFound(_) | VaultError::UnknownDocument(_) | VaultError::UnknownRecord { .. } => {
            ErrorKind::NotFound
        }
        VaultError::NotAllowed(_)
        | VaultError::NotEnoughLeft { .. }
        | VaultError::BadSignature { .. }
        | VaultError::NotAWriter { .. }
        | VaultError::ChangeRefused { .. }
        | VaultError::Equivocation { .. }
        | VaultError::WrongPassphrase => ErrorKind::Refused,
        VaultError::Input(_)
        | VaultError::AlreadyExists(_)
        | VaultError::AmbiguousRecord { .. }
        | VaultError::WeakPassphrase(_)
        | VaultError::PassphraseNeeded
        | VaultError::NoTrustRoot
        | VaultError::Invite(_)
        | VaultError::BadKey { .. }
        | VaultError::BadPostbusAddr { .. } => ErrorKind::InvalidInput,
        VaultError::Mail(_) => ErrorKind::Network,
        VaultError::InUse(_)
        | VaultError::UnsupportedVersion { .. }
        | VaultError::OldFormat { .. }
        | VaultError::TamperedChange { .. }
        | VaultError::Corrupt(_)
        | VaultError::Storage(_)
        | VaultError::Database(_)
        | VaultError::Document(_)
        | VaultError::Automerge(_)
        | VaultError::Io { .. } => ErrorKind::Other,
    }
}

/// The kind of a command line clap could not parse: a value it checked
/// and refused (an amount with too many decimals, a date that is none) is
/// invalid input (3); anything else (an unknown command or option, a
/// missing argument) is a usage error (2).
pub fn clap_kind(e: &clap::Error) -> ErrorKind {
    use clap::error::ErrorKind as K;
    match e.kind() {
        K::InvalidValue | K::ValueValidation | K::InvalidUtf8 => ErrorKind::InvalidInput,
        _ => ErrorKind::Usage,
    }
}

/// The JSON error object a failed command prints on stderr with `--json`.
#[derive(Debug, Serialize)]
pub struct ErrorReport {
    /// What went wrong.
    pub error: ErrorBody,
}

/// The content of [`ErrorReport`].
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    /// One of `usage`, `invalid_input`, `refused`, `not_found`, `network`, `other`.
    pub kind: ErrorKind,
    /// The message a person reads (in `--lang`).
    pub message: String,
    /// The process's exit code.
    pub exit_code: u8,
}

/// Writes a failed command's error to `w` (stderr in the binary): the JSON
/// object with `json`, else one line starting with "fout:" / "error:";
/// returns the exit code to end with.
pub fn report(json: bool, lang: Lang, e: &anyhow::Error, w: &mut dyn Write) -> ExitCode {
    report_as(json, lang, ErrorKind::of(e), &message(e, lang), w)
}

/// The text of a failed command for a person, the same in the text line
/// and the JSON "message". In Dutch a typed vault, schema or ticket error in
/// the chain is rendered by [`crate::error_text`] (its English causes and
/// contexts are left out); in English the error with its causes.
pub fn message(e: &anyhow::Error, lang: Lang) -> String {
    if let Some(h) = e.downcast_ref::<Hinted>() {
        return format!("{}. {}", message(&h.error, lang).trim_end_matches('.'), h.hint);
    }
    match lang {
        Lang::Nl => crate::error_text::anyhow_text(e, lang),
        Lang::En => format!("{e:#}"),
    }
}

/// Like [`report`], for a message whose kind is already known (clap's usage errors).
pub fn report_as(json: bool, lang: Lang, kind: ErrorKind, message: &str, w: &mut dyn Write) -> ExitCode {
    let message = message.trim_end().to_string();
    // A closed stderr leaves nothing to tell: the exit code still says it.
    let _ = if json {
        let body = ErrorReport {
            error: ErrorBody {
                kind,
                message,
                exit_code: kind.code(),
            },
        };
        serde_json::to_string(&body)
            .map_err(std::io::Error::other)
            .and_then(|s| writeln!(w, "{s}"))
    } else {
        writeln!(w, "{}: {message}", crate::i18n::cli::texts(lang).error_prefix)
    };
    ExitCode::from(kind.code())
}

/// The exit-code table shown under `inwonercloud --help` (clap's help is English).
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  other failure (storage, files, a corrupt vault)
  2  usage: the command line itself is wrong (unknown command or option, missing argument;
     also: no command and no display to open the app on)
  3  invalid input: a value is wrong (amount, date, key, ticket, ambiguous name)
  4  refused: not allowed, bad signature, refused change, wrong passphrase, not enough left
  5  not found: no such vault, document or record
  6  network: a peer, relay or postbus could not be reached
With --json a failure prints {\"error\": {\"kind\", \"message\", \"exit_code\"}} on stderr.

Shell completions: inwonercloud completions bash|zsh|fish; manual page: inwonercloud man";

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    fn kind(e: impl Into<anyhow::Error>) -> ErrorKind {
        ErrorKind::of(&e.into())
    }

    /// The kind is found wherever the typed error sits in the chain: under
    /// context, inside a hint, inside a sync or node error.
    #[test]
    fn the_kind_follows_the_typed_error_anywhere_in_the_chain() {
        let not_found = || VaultError::NotFound("/tmp/x".into());
        assert_eq!(kind(not_found()), ErrorKind::NotFound);
        let wrapped = Err::<(), _>(not_found()).context("opening the vault").unwrap_err();
        assert_eq!(ErrorKind::of(&wrapped), ErrorKind::NotFound);
        let hinted = anyhow::Error::new(Hinted {
            error: not_found().into(),
            hint: "create one".into(),
        });
        assert_eq!(ErrorKind::of(&hinted), ErrorKind::NotFound);
        assert!(hinted.to_string().ends_with(". create one"), "{hinted}");
        assert_eq!(kind(VaultError::NotAllowed("no".into())), ErrorKind::Refused);
        assert_eq!(kind(VaultError::WrongPassphrase), ErrorKind::Refused);
        assert_eq!(
            kind(VaultError::Input(SchemaError::BadDate("32-13".into()))),
            ErrorKind::InvalidInput
        );
        assert_eq!(kind(VaultError::NoTrustRoot), ErrorKind::InvalidInput);
        assert_eq!(kind(VaultError::Corrupt("x".into())), ErrorKind::Other);
        assert_eq!(kind(SyncError::Connect("timed out".into())), ErrorKind::Network);
        assert_eq!(
            kind(NodeError::Sync(SyncError::Vault(VaultError::NotAllowed("no".into())))),
            ErrorKind::Refused,
            "a refusal carried by a session is still a refusal"
        );
        assert_eq!(kind(NodeError::Bind("in use".into())), ErrorKind::Network);
        assert_eq!(kind(fail(ErrorKind::NotFound, "no such id")), ErrorKind::NotFound);
        let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        assert_eq!(
            ErrorKind::of(&Err::<(), _>(missing).context("cannot read x").unwrap_err()),
            ErrorKind::NotFound
        );
        assert_eq!(kind(anyhow::anyhow!("something untyped")), ErrorKind::Other);
    }

    #[test]
    fn a_json_error_is_one_object_on_one_line_and_text_has_the_language_prefix() {
        let e: anyhow::Error = VaultError::NotFound("/tmp/x".into()).into();
        let mut w = Vec::new();
        let code = report(true, Lang::En, &e, &mut w);
        assert_eq!(code, ExitCode::from(5));
        let text = String::from_utf8(w).unwrap();
        assert_eq!(text.lines().count(), 1);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["error"]["kind"], "not_found");
        assert_eq!(v["error"]["exit_code"], 5);
        assert!(v["error"]["message"].as_str().unwrap().contains("/tmp/x"));
        for (lang, prefix) in [(Lang::Nl, "fout: "), (Lang::En, "error: ")] {
            let mut w = Vec::new();
            report(false, lang, &e, &mut w);
            assert!(String::from_utf8(w).unwrap().starts_with(prefix));
        }
    }
}
