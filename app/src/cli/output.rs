//! Output: human text in the chosen language, or JSON.

use inwonercloud_schemas::Lang;
use serde::Serialize;

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
    /// Prints human text in the chosen language (nothing in JSON mode).
    pub fn say(&self, nl: &str, en: &str) {
        if !self.json {
            println!("{}", self.t(nl, en));
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

    /// Picks the text of the chosen language.
    pub fn t<'a>(&self, nl: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Nl => nl,
            Lang::En => en,
        }
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
