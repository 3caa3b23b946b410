//! Output: human text in the chosen language, or JSON.

use inwonercloud_schemas::Lang;
use serde::Serialize;

use crate::i18n::cli::{Texts, texts};

/// How to print.
#[derive(Clone, Debug)]
pub struct Out {
    /// JSON on stdout.
    pub json: bool,
    /// Language of human text.
    pub lang: Lang,
    /// Whose plan or budget to work on (`--of`).
    pub of: Option<String>,
    /// Where to read the passphrase (`--passphrase-file`).
    pub passphrase_file: Option<std::path::PathBuf>,
}

impl Out {
    /// Prints a text of the catalogue in the chosen language (nothing in
    /// JSON mode): `out.say(|t| t.no_requests)`, `out.say(|t| t.spend_booked(..))`.
    pub fn say<D: std::fmt::Display>(&self, text: impl FnOnce(&'static Texts) -> D) {
        if !self.json {
            println!("{}", text(texts(self.lang)));
        }
    }

    /// A date in the chosen language's way (dd-mm-jjjj in Dutch).
    pub fn date(&self, d: inwonercloud_schemas::Date) -> String {
        d.show(self.lang)
    }

    /// The date in the Netherlands at a Unix timestamp, written that way.
    pub fn day(&self, secs: u64) -> String {
        self.date(inwonercloud_schemas::Date::dutch(secs))
    }

    /// A text of the catalogue in the chosen language: `out.t(|t| t.granted)`.
    pub fn t<R>(&self, text: impl FnOnce(&'static Texts) -> R) -> R {
        text(texts(self.lang))
    }

    /// Prints a value as JSON (in JSON mode) or runs `human`.
    pub fn emit<T: Serialize>(&self, value: &T, human: impl FnOnce()) -> anyhow::Result<()> {
        if self.json {
            println!("{}", serde_json::to_string_pretty(value)?);
        } else {
            human();
        }
        Ok(())
    }
}
