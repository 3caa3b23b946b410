//! Ids as a person types them: the whole id or its first characters.
//!
//! The vault looks records up by their exact id; matching a prefix is a
//! convenience of the command line and lives here. An empty prefix, or one
//! that fits more than one record, is refused: it must never pick a record
//! the person did not mean (an empty id fits every id).

use anyhow::Result;
use inwonercloud_vault::Vault;

use super::exit::{ErrorKind, fail};
use super::output::Out;
use crate::i18n::cli::Texts;

/// The word for a kind of record, from the catalogue (`|t| t.id_request`).
pub type What = fn(&Texts) -> &'static str;

/// The one id among `ids` that starts with `typed` (or equals it); when
/// more than one does, none is picked, even one equal to `typed`.
pub fn resolve(out: &Out, what: What, typed: &str, ids: impl IntoIterator<Item = String>) -> Result<String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(fail(ErrorKind::InvalidInput, out.t(|t| t.give_the_id(what(t)))));
    }
    let mut found: Vec<String> = ids.into_iter().filter(|id| id.starts_with(typed)).collect();
    found.sort();
    found.dedup();
    // An id equal to what was typed does not win over longer ids that start
    // with it: another writer can name a record anything, also exactly the
    // first characters of a genuine id.
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(fail(ErrorKind::NotFound, out.t(|t| t.no_such_id(what(t), typed)))),
        many => Err(fail(
            ErrorKind::InvalidInput,
            format!(
                "{}: {}",
                out.t(|t| t.id_fits_more_than_one(what(t), typed)),
                many.join(", ")
            ),
        )),
    }
}

/// A budget request's id.
pub fn request(out: &Out, v: &Vault, typed: &str) -> Result<String> {
    let ids = v.all_requests()?.into_iter().map(|r| r.request.record.id);
    resolve(out, |t| t.id_request, typed, ids)
}

/// An agreement's id.
pub fn agreement(out: &Out, v: &Vault, typed: &str) -> Result<String> {
    let ids = v.agreements()?.into_iter().map(|a| a.agreement.record.id);
    resolve(out, |t| t.id_agreement, typed, ids)
}

/// A declaration's id.
pub fn declaration(out: &Out, v: &Vault, typed: &str) -> Result<String> {
    let ids = v
        .agreements()?
        .into_iter()
        .flat_map(|a| a.declarations.into_iter().map(|d| d.declaration.record.id));
    resolve(out, |t| t.id_declaration, typed, ids)
}

/// A transfer's id.
pub fn transfer(out: &Out, v: &Vault, typed: &str) -> Result<String> {
    let ids = v.transfers()?.into_iter().map(|t| t.transfer.record.id);
    resolve(out, |t| t.id_transfer, typed, ids)
}

/// A consent's id.
pub fn consent(out: &Out, v: &Vault, typed: &str) -> Result<String> {
    let ids = v.consents()?.into_iter().map(|c| c.consent.record.id);
    resolve(out, |t| t.id_consent, typed, ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out() -> Out {
        Out {
            json: false,
            lang: inwonercloud_schemas::Lang::En,
            of: None,
            passphrase_file: None,
        }
    }

    #[test]
    fn empty_and_ambiguous_prefixes_are_refused() {
        let ids = || vec!["abc1".to_string(), "abc2".to_string(), "xyz".to_string()];
        assert!(resolve(&out(), |t| t.id_request, "", ids()).is_err());
        assert!(resolve(&out(), |t| t.id_request, "   ", ids()).is_err());
        let e = resolve(&out(), |t| t.id_request, "abc", ids()).unwrap_err().to_string();
        assert!(e.contains("abc1") && e.contains("abc2"), "{e}");
        assert_eq!(resolve(&out(), |t| t.id_request, "x", ids()).unwrap(), "xyz");
        assert_eq!(resolve(&out(), |t| t.id_request, "abc2", ids()).unwrap(), "abc2");
        assert!(resolve(&out(), |t| t.id_request, "q", ids()).is_err());
    }

    /// Another writer can put a record under any id: one named exactly
    /// what a person types as the start of a genuine id must not win over
    /// it (with the ids "5", "59", "596", … a peer would catch every prefix).
    #[test]
    fn a_planted_id_equal_to_a_typed_prefix_is_not_picked() {
        let ids = || vec!["5962e92eef7f9151".to_string(), "5962".to_string()];
        let e = resolve(&out(), |t| t.id_request, "5962", ids())
            .unwrap_err()
            .to_string();
        assert!(e.contains("5962e92eef7f9151"), "{e}");
        assert_eq!(
            resolve(&out(), |t| t.id_request, "5962e92eef7f9151", ids()).unwrap(),
            "5962e92eef7f9151"
        );
    }
}
