//! The language catalogue: every text Inwonercloud shows, Dutch and English
//! side by side, for the app, the command line and the error messages.
//!
//! - [`cli`]: the command line's texts, one table grouped per command.
//! - [`error_text`]: one text per vault, schema and ticket error.
//! - [`refusal_text`]: one text per rule a refused change broke.
//! - [`app`]: the desktop app's texts, in blocks per screen or part.
//!
//! Tables are built with [`texts!`]: one list of `key: "Nederlands",
//! "English";` lines gives a `Texts` struct with one field per key and a
//! constant per language, so a text missing in either language does not
//! compile and every lookup is a field access that cannot miss at run time.
//! Texts with values in them are methods on a table's `Texts` that `match`
//! on the language; counts use [`plural`]. The tests below hold every table
//! to the same checks: nothing empty, Dutch differs from English, no English
//! words and no unexplained jargon in Dutch.
//!
//! This replaces Fluent (`.ftl` files looked up by string key at run time)
//! with the same guarantees checked by the compiler, no new dependency and
//! no extra build time.

pub mod app;
pub mod cli;
pub mod error_text;
pub mod refusal_text;

/// Builds one table of texts in the module it is called in: a `Texts`
/// struct with one `&'static str` per key, the constants `NL` and `EN`,
/// `NL_ALL` / `ALL` listing every key (for checks over the whole table), and
/// `texts(lang)` to pick a language. Write `key: "Nederlands", "English";`
/// per text; `//` comments may group them.
macro_rules! texts {
    ($($key:ident: $nl:expr, $en:expr;)*) => {
        /// The texts of one language.
        #[derive(Debug)]
        pub struct Texts {
            /// The language.
            pub lang: ::inwonercloud_schemas::Lang,
            $(#[allow(missing_docs)] pub $key: &'static str,)*
        }
        /// Nederlands.
        pub const NL: Texts = Texts { lang: ::inwonercloud_schemas::Lang::Nl, $($key: $nl,)* };
        /// English.
        pub const EN: Texts = Texts { lang: ::inwonercloud_schemas::Lang::En, $($key: $en,)* };
        /// Every key with its Dutch text, for checks over the whole table.
        pub const NL_ALL: &[(&str, &str)] = &[$((stringify!($key), $nl),)*];
        /// Every key with its Dutch and its English text.
        pub const ALL: &[(&str, &str, &str)] = &[$((stringify!($key), $nl, $en),)*];
        /// The table of `lang`.
        pub fn texts(lang: ::inwonercloud_schemas::Lang) -> &'static Texts {
            match lang {
                ::inwonercloud_schemas::Lang::Nl => &NL,
                ::inwonercloud_schemas::Lang::En => &EN,
            }
        }
    };
}
pub(crate) use texts;

/// `n` followed by `one` when it is 1, else by `many`: "1 wijziging",
/// "3 wijzigingen" (both languages form plurals this way).
pub fn plural<N: Count>(n: N, one: &str, many: &str) -> String {
    if n == N::from(1) {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A number of things: any unsigned integer type.
pub trait Count: std::fmt::Display + PartialEq + From<u8> + Copy {}
impl<N: std::fmt::Display + PartialEq + From<u8> + Copy> Count for N {}

#[cfg(test)]
mod tests {
    use inwonercloud_schemas::Lang;

    use super::*;

    /// Texts that are the same word in Dutch and in English.
    const SAME_IN_BOTH: &[&str] = &[
        "plan", "budget", "in", "postbus", "postbus:", "status", "document", "per", "inbox", "maximum", "code", "demo",
    ];

    /// Where a Dutch error text shows the English detail of the error, marked
    /// as such for the reader; the English checks stop there.
    const ENGLISH_DETAIL: &[&str] = &["(technische toelichting:", "(toelichting in het engels:"];

    /// Words that give an English text away (lower case; spaces matter).
    const ENGLISH: &[&str] = &[
        " the ", " is not ", "failed", "error", "invalid", " you ", " your ", "cannot", " must ", " should ", "please",
        " with ", " has ", "too many",
    ];

    /// Words a B1 reader does not know unless the text explains them.
    const JARGON: &[&str] = &["synchronis", "synchroniseer", "certificaat", "volgnummer", "ipvb"];

    /// Phrases that explain a jargon word where it stands.
    const EXPLAINED: &[&str] = &[];

    /// Every text of every table: (where, Dutch, English).
    fn every_text() -> Vec<(String, String, String)> {
        let mut all = Vec::new();
        for (key, nl, en) in app::ALL {
            all.push((format!("app.{key}"), nl.to_string(), en.to_string()));
        }
        // The app's methods that took over texts the screens wrote inline.
        let app = |t: &app::Texts| {
            [
                t.commission_effect("Sanne"),
                t.fill_in_a_date().to_string(),
                t.mandate_effect("Sanne", "bestellen", "01-01-2026"),
                t.mandate_revoke_effect("Sanne"),
                t.consent_revoke_effect("Sanne"),
                t.pending_declarations(1),
                t.pending_declarations(3),
                t.refused_changes(1),
                t.refused_changes(3),
            ]
        };
        for (i, (nl, en)) in app(&app::NL).into_iter().zip(app(&app::EN)).enumerate() {
            all.push((format!("app method {i}"), nl, en));
        }
        for (key, nl, en) in cli::ALL {
            all.push((format!("cli.{key}"), nl.to_string(), en.to_string()));
        }
        let (nl, en) = (cli::samples(&cli::NL), cli::samples(&cli::EN));
        assert_eq!(nl.len(), en.len());
        for ((key, nl), (_, en)) in nl.into_iter().zip(en) {
            all.push((format!("cli.{key}()"), nl, en));
        }
        for e in error_text::tests::one_of_each_vault_error() {
            let (nl, en) = (
                error_text::error_text(&e, Lang::Nl),
                error_text::error_text(&e, Lang::En),
            );
            all.push((format!("error {e:?}"), nl, en));
        }
        for e in error_text::tests::one_of_each_schema_error() {
            let nl = error_text::schema_error_text(&e, Lang::Nl);
            let en = error_text::schema_error_text(&e, Lang::En);
            all.push((format!("error {e:?}"), nl, en));
        }
        for e in [
            inwonercloud_sync::ticket::TicketError::Prefix,
            inwonercloud_sync::ticket::TicketError::Damaged("x".into()),
        ] {
            let nl = error_text::ticket_error_text(&e, Lang::Nl);
            let en = error_text::ticket_error_text(&e, Lang::En);
            all.push((format!("error {e:?}"), nl, en));
        }
        for r in refusal_text::tests::one_of_each() {
            let nl = refusal_text::refusal_text(&r, Lang::Nl);
            let en = refusal_text::refusal_text(&r, Lang::En);
            all.push((format!("refusal {r:?}"), nl, en));
        }
        all
    }

    /// What is wrong with one text pair, if anything.
    fn problems(what: &str, nl: &str, en: &str) -> Vec<String> {
        let mut bad = Vec::new();
        if nl.trim().is_empty() || en.trim().is_empty() {
            bad.push(format!("{what}: empty"));
        }
        if nl == en && !SAME_IN_BOTH.contains(&nl.trim().to_lowercase().as_str()) {
            bad.push(format!("{what}: Dutch equals English: \"{nl}\""));
        }
        let mut lower = format!(" {} ", nl.to_lowercase());
        if let Some(at) = ENGLISH_DETAIL.iter().filter_map(|m| lower.find(m)).min() {
            lower.truncate(at);
        }
        for w in ENGLISH {
            if lower.contains(w) {
                bad.push(format!("{what}: English '{}' in \"{nl}\"", w.trim()));
            }
        }
        let mut explained = lower.clone();
        for e in EXPLAINED {
            explained = explained.replace(e, "");
        }
        for w in JARGON {
            if explained.contains(w) {
                bad.push(format!("{what}: jargon '{w}' in \"{nl}\""));
            }
        }
        bad
    }

    #[test]
    fn every_text_of_every_table_is_complete_dutch_and_free_of_jargon() {
        let all = every_text();
        // Every table is in: the app's, the command line's (keys and
        // methods), every error and every refusal.
        for prefix in ["app.", "cli.", "error ", "refusal "] {
            assert!(
                all.iter().filter(|(w, _, _)| w.starts_with(prefix)).count() > 10,
                "{prefix}"
            );
        }
        let bad: Vec<String> = all.iter().flat_map(|(w, nl, en)| problems(w, nl, en)).collect();
        assert!(bad.is_empty(), "{} texts to fix:\n{}", bad.len(), bad.join("\n"));
    }

    /// Every method of the command line's table is in `cli::samples`, so
    /// the checks above see its texts too.
    #[test]
    fn every_cli_method_has_a_sample() {
        let src = include_str!("cli.rs");
        let (methods, samples) = src
            .split_once("pub(crate) fn samples")
            .expect("the samples follow the methods");
        let names: Vec<&str> = methods
            .split("    pub fn ")
            .skip(1)
            .filter_map(|rest| rest.split(['(', '<']).next())
            .collect();
        assert!(names.len() > 40, "{names:?}");
        let sampled: std::collections::BTreeSet<&str> = samples
            .split("t.")
            .skip(1)
            .filter_map(|rest| rest.split(['(', ')', ',']).next())
            .collect();
        let missing: Vec<&&str> = names.iter().filter(|n| !sampled.contains(**n)).collect();
        assert!(
            missing.is_empty(),
            "methods without a sample in cli::samples: {missing:?}"
        );
    }

    #[test]
    fn the_checks_catch_a_bad_text() {
        assert!(problems("x", "", "Saved").len() == 1);
        assert!(problems("x", "Saved", "Saved").len() == 1);
        assert!(problems("x", "Plan", "Plan").is_empty());
        assert!(!problems("x", "De synchronisatie is failed", "Sync failed").is_empty());
        assert!(!problems("x", "Open the vault", "Open the vault!").is_empty());
        assert!(problems("x", "Kluis geopend.", "Vault opened.").is_empty());
    }

    #[test]
    fn counts_take_the_singular_for_one_and_the_plural_otherwise() {
        assert_eq!(plural(1_usize, "declaratie", "declaraties"), "1 declaratie");
        assert_eq!(plural(2_u64, "declaratie", "declaraties"), "2 declaraties");
        assert_eq!(plural(0_usize, "declaratie", "declaraties"), "0 declaraties");
        let (nl, en) = (cli::texts(Lang::Nl), cli::texts(Lang::En));
        assert_eq!(nl.changes_count(1_u64), "1 wijziging");
        assert_eq!(en.changes_count(3_usize), "3 changes");
        assert!(
            nl.claims_exported(1, 2, "x")
                .starts_with("1 declaratie en 2 eigen uitgaven")
        );
        assert!(
            en.claims_exported(1, 2, "x")
                .starts_with("1 declaration and 2 own spends")
        );
        assert!(nl.spend_booked("€ 1,00", "01-03-2026", 1, "ab").contains("(1 bon;"));
        assert!(nl.spend_booked("€ 1,00", "01-03-2026", 2, "ab").contains("(2 bonnen;"));
        assert_eq!(en.syncs_failed(1), "1 sync failed");
        for (what, text) in cli::samples(nl).into_iter().chain(cli::samples(en)) {
            assert!(!text.contains("(s)") && !text.contains("(en)"), "{what}: {text}");
        }
    }

    /// The command line's texts come from the catalogue: no source file
    /// outside it hands `out.t` / `out.say` two literals (the two-literal
    /// form is gone from `Out`; this keeps a closure with a literal out too).
    #[test]
    fn no_inline_text_pairs_outside_the_catalogue() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![src];
        let mut bad = Vec::new();
        let mut seen = 0;
        while let Some(p) = files.pop() {
            if p.is_dir() {
                if p.ends_with("i18n") {
                    continue;
                }
                for e in std::fs::read_dir(&p).unwrap() {
                    files.push(e.unwrap().path());
                }
            } else if p.extension().is_some_and(|e| e == "rs") {
                seen += 1;
                let text = std::fs::read_to_string(&p).unwrap();
                bad.extend(inline_pairs(&text).into_iter().map(|c| format!("{}: {c}", p.display())));
            }
        }
        assert!(seen > 20, "walked the sources");
        assert!(bad.is_empty(), "texts to move into the catalogue:\n{}", bad.join("\n"));
        // The check itself bites.
        assert_eq!(inline_pairs(r#"out.say("Opgeslagen", "Saved");"#).len(), 1);
        assert_eq!(inline_pairs("out.t(\n  \"ja\",\n  \"yes\",\n)").len(), 1);
        assert_eq!(inline_pairs(r#"out.t(|_| "ja")"#).len(), 1);
        assert!(inline_pairs("out.say(|t| t.saved)").is_empty());
    }

    /// The calls of `out.t(` / `out.say(` in `text` whose arguments are two
    /// string literals, or a closure that ignores the catalogue.
    fn inline_pairs(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        for start in ["out.t(", "out.say("] {
            for (i, _) in text.match_indices(start) {
                let args: String = text[i + start.len()..].chars().take(400).collect();
                let squeezed: String = args.split_whitespace().collect::<Vec<_>>().join(" ");
                let two_literals = squeezed.starts_with('"') && {
                    // The first literal's end, then a comma and a second literal.
                    let rest = &squeezed[1..];
                    let mut escaped = false;
                    let end = rest.char_indices().find(|&(_, c)| {
                        let done = c == '"' && !escaped;
                        escaped = c == '\\' && !escaped;
                        done
                    });
                    end.is_some_and(|(j, _)| rest[j + 1..].trim_start().starts_with(", \""))
                };
                let ignores = squeezed.starts_with("|_|");
                if two_literals || ignores {
                    found.push(squeezed.chars().take(60).collect());
                }
            }
        }
        found
    }
}
