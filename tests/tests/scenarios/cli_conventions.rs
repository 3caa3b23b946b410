//! Command-line conventions (issue 19): a failed command with `--json`
//! prints one JSON error object on stderr and ends with the documented exit
//! code of its kind; `completions` and `man` are made from the argument
//! definitions; the claims CSV opens in Dutch Excel (a UTF-8 byte order
//! mark, `;` between fields, a decimal comma).
//!
//! The commands run through the command line's library entry point on real
//! vaults in temp dirs, with the error written the way the binary writes
//! it; a last test runs the built binary itself when it is there.

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use inwonercloud_app::cli::exit::{self, ErrorKind};
use inwonercloud_app::cli::{self, Args};
use inwonercloud_schemas::{FundingStream, Lang, Role};
use inwonercloud_tests::vault;

/// Runs a command line as the binary does; on failure, what it writes on
/// stderr and its exit code.
fn run(args: &[&str]) -> Result<(), (String, ExitCode)> {
    let parsed = Args::try_parse_from(args).map_err(|e| {
        let kind = exit::clap_kind(&e);
        let mut stderr = Vec::new();
        let code = exit::report_as(true, Lang::Nl, kind, &e.to_string(), &mut stderr);
        (String::from_utf8(stderr).unwrap(), code)
    })?;
    let (json, lang) = (parsed.json, parsed.lang);
    match cli::run(parsed) {
        Ok(_) => Ok(()),
        Err(e) => {
            let mut stderr = Vec::new();
            let code = exit::report(json, lang, &e, &mut stderr);
            Err((String::from_utf8(stderr).unwrap(), code))
        }
    }
}

/// The one JSON error object on `stderr`: (kind, message, exit code).
fn error_object(stderr: &str) -> (String, String, u64) {
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    let v: serde_json::Value = serde_json::from_str(stderr).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    let obj = v["error"]
        .as_object()
        .unwrap_or_else(|| panic!("an error object: {stderr}"));
    assert_eq!(obj.len(), 3, "kind, message, exit_code: {stderr}");
    (
        obj["kind"].as_str().unwrap().to_string(),
        obj["message"].as_str().unwrap().to_string(),
        obj["exit_code"].as_u64().unwrap(),
    )
}

/// A passphrase file for the test vaults.
fn pass_file(dir: &Path, pass: &str) -> String {
    let p = dir.join(format!("pass-{}", pass.len()));
    std::fs::write(&p, pass).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn a_missing_vault_is_not_found_with_json_on_stderr_and_exit_code_5() {
    let tmp = tempfile::tempdir().unwrap();
    let nope = tmp.path().join("no-vault-here");
    let (stderr, code) = run(&["inwonercloud", "--json", "--vault", nope.to_str().unwrap(), "whoami"]).unwrap_err();
    let (kind, message, exit_code) = error_object(&stderr);
    assert_eq!((kind.as_str(), exit_code), ("not_found", 5), "{stderr}");
    assert_eq!(code, ExitCode::from(5));
    assert!(message.contains("no-vault-here"), "names the folder: {message}");
    assert!(
        message.contains("inwonercloud init"),
        "the hint stays in the message: {message}"
    );
    // Without --json: one line of text, the same exit code.
    let (text, code) = run(&["inwonercloud", "--vault", nope.to_str().unwrap(), "whoami"]).unwrap_err();
    assert!(text.starts_with("fout: ") && text.contains("no-vault-here"), "{text}");
    assert_eq!(code, ExitCode::from(5));
    let (text, _) = run(&[
        "inwonercloud",
        "--lang",
        "en",
        "--vault",
        nope.to_str().unwrap(),
        "whoami",
    ])
    .unwrap_err();
    assert!(text.starts_with("error: "), "{text}");
}

#[test]
fn invalid_input_refusal_and_unknown_ids_each_have_their_exit_code() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("anna");
    {
        let mut v = vault(&dir, "Anna", Role::Citizen);
        inwonercloud_tests::euro_account(&mut v, "Wmo 2026", FundingStream::Wmo);
    }
    let d = dir.to_str().unwrap();
    let good = pass_file(tmp.path(), inwonercloud_tests::PASSPHRASE);
    let base = [
        "inwonercloud",
        "--json",
        "--lang",
        "en",
        "--vault",
        d,
        "--passphrase-file",
        &good,
    ];

    // A device key that is no key: invalid input, 3.
    let (stderr, code) = run(&[&base[..], &["revoke-device", "zz"]].concat()).unwrap_err();
    let (kind, message, exit_code) = error_object(&stderr);
    assert_eq!((kind.as_str(), exit_code), ("invalid_input", 3), "{stderr}");
    assert_eq!(code, ExitCode::from(3));
    assert!(message.contains("zz"), "{message}");

    // An amount with too many decimals (refused by the vault's money rules): 3.
    let (stderr, code) = run(&[&base[..], &["topup", "Wmo 2026", "12,505"]].concat()).unwrap_err();
    let (kind, _, exit_code) = error_object(&stderr);
    assert_eq!((kind.as_str(), exit_code), ("invalid_input", 3), "{stderr}");
    assert_eq!(code, ExitCode::from(3));

    // A date that is none (refused by the argument parser): 3 as well.
    let (stderr, code) = run(&[
        &base[..],
        &[
            "budget",
            "add-account",
            "--name",
            "X",
            "--stream",
            "wmo",
            "--from",
            "32-13-2026",
            "--until",
            "31-12-2026",
        ],
    ]
    .concat())
    .unwrap_err();
    let (kind, message, exit_code) = error_object(&stderr);
    assert_eq!((kind.as_str(), exit_code), ("invalid_input", 3), "{stderr}");
    assert_eq!(code, ExitCode::from(3));
    assert!(message.contains("32-13-2026"), "{message}");

    // An unknown option: usage, 2.
    let (stderr, code) = run(&[&base[..], &["whoami", "--frobnicate"]].concat()).unwrap_err();
    assert_eq!(error_object(&stderr).2, 2, "{stderr}");
    assert_eq!(code, ExitCode::from(2));

    // An id that fits no record: not found, 5.
    let (stderr, code) = run(&[&base[..], &["approve", "decl-nothing"]].concat()).unwrap_err();
    let (kind, _, exit_code) = error_object(&stderr);
    assert_eq!((kind.as_str(), exit_code), ("not_found", 5), "{stderr}");
    assert_eq!(code, ExitCode::from(5));

    // Revoking a device that is not one of hers: refused, 4.
    let stranger = inwonercloud_tests::vault(&tmp.path().join("bob"), "Bob", Role::Citizen);
    let key = stranger.device_key().public().to_string();
    let (stderr, code) = run(&[&base[..], &["revoke-device", &key]].concat()).unwrap_err();
    let (kind, message, exit_code) = error_object(&stderr);
    assert_eq!((kind.as_str(), exit_code), ("refused", 4), "{stderr}");
    assert_eq!(code, ExitCode::from(4));
    assert!(message.contains("not one of your devices"), "{message}");

    // The wrong passphrase: refused, 4; nothing was opened.
    let wrong = pass_file(tmp.path(), "dit-is-niet-het-wachtwoord");
    let (stderr, code) = run(&[
        "inwonercloud",
        "--json",
        "--vault",
        d,
        "--passphrase-file",
        &wrong,
        "whoami",
    ])
    .unwrap_err();
    let (kind, _, exit_code) = error_object(&stderr);
    assert_eq!((kind.as_str(), exit_code), ("refused", 4), "{stderr}");
    assert_eq!(code, ExitCode::from(4));

    // Commands that used to print nothing with --json succeed (their JSON
    // is checked through the binary below).
    let claims = tmp.path().join("claims.json");
    run(&[&base[..], &["export-claims", "--out", claims.to_str().unwrap()]].concat()).unwrap();
    assert!(claims.is_file());
}

#[test]
fn every_error_kind_has_its_own_documented_exit_code() {
    let codes: Vec<u8> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
    assert_eq!(codes, vec![1, 2, 3, 4, 5, 6]);
    for k in ErrorKind::ALL {
        let line = format!("  {}  ", k.code());
        assert!(exit::EXIT_CODES_HELP.contains(&line), "{k:?} is in the --help text");
    }
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).unwrap();
    for k in ErrorKind::ALL {
        assert!(
            readme.contains(&format!("| {} | `{}`", k.code(), k.name())),
            "the README documents exit code {} ({})",
            k.code(),
            k.name()
        );
    }
    // The help text itself carries the table.
    let help = Args::try_parse_from(["inwonercloud", "--help"])
        .unwrap_err()
        .to_string();
    assert!(help.contains("Exit codes:") && help.contains("6  network"), "{help}");
}

#[test]
fn completions_and_the_man_page_are_made_from_the_commands() {
    for shell in [
        cli::CompletionShell::Bash,
        cli::CompletionShell::Zsh,
        cli::CompletionShell::Fish,
    ] {
        let mut text = Vec::new();
        cli::completions(shell, &mut text);
        let text = String::from_utf8(text).unwrap();
        assert!(
            text.contains("verify-claims") && text.contains("revoke-device"),
            "{shell:?} completes the commands"
        );
    }
    let mut bash = Vec::new();
    cli::completions(cli::CompletionShell::Bash, &mut bash);
    assert!(String::from_utf8(bash).unwrap().contains("complete -F _inwonercloud"));
    let mut page = Vec::new();
    cli::man(&mut page).unwrap();
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains(".TH inwonercloud 1"), "{}", &page[..200.min(page.len())]);
    assert!(page.contains("Exit codes"), "the man page carries the exit codes");
    // Both are commands too (parsed as such, not as the app).
    assert!(Args::try_parse_from(["inwonercloud", "completions", "bash"]).is_ok());
    assert!(Args::try_parse_from(["inwonercloud", "completions", "powershell"]).is_err());
    assert!(Args::try_parse_from(["inwonercloud", "man"]).is_ok());
}

#[test]
fn the_verification_csv_opens_in_dutch_excel() {
    let tmp = tempfile::tempdir().unwrap();
    let w = inwonercloud_app::demo::build(&tmp.path().join("demo")).unwrap();
    let pass = pass_file(tmp.path(), inwonercloud_app::demo::PASSPHRASE);
    let csv_path = tmp.path().join("verificatie.csv");
    let m = w.municipality.to_str().unwrap().to_string();
    run(&[
        "inwonercloud",
        "--vault",
        &m,
        "--passphrase-file",
        &pass,
        "verify-claims",
        "--csv",
        csv_path.to_str().unwrap(),
    ])
    .unwrap();
    let bytes = std::fs::read(&csv_path).unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "a UTF-8 byte order mark first");
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{FEFF}').lines().collect();
    assert_eq!(
        lines[0],
        "declaratie;soort;inwoner;aanbieder;categorie;maand;bedrag;eenheid;geldig;reden"
    );
    assert!(lines.len() > 1, "the demo municipality sees claims: {text}");
    // Amounts in euros have a decimal comma; no line splits on a comma.
    let euro_line = lines[1..]
        .iter()
        .find(|l| l.contains(";euro;"))
        .unwrap_or_else(|| panic!("a euro claim: {text}"));
    let amount = euro_line.split(';').nth(6).unwrap();
    assert!(
        amount.contains(',') && !amount.contains('.'),
        "a decimal comma: {amount}"
    );
    // In English: the same rows, a decimal point.
    run(&[
        "inwonercloud",
        "--lang",
        "en",
        "--vault",
        &m,
        "--passphrase-file",
        &pass,
        "verify-claims",
        "--csv",
        csv_path.to_str().unwrap(),
    ])
    .unwrap();
    let en = std::fs::read_to_string(&csv_path).unwrap();
    assert!(en.starts_with("\u{FEFF}claim;kind;"), "{en}");
    assert_eq!(en.lines().count(), text.lines().count());
    assert!(en.lines().skip(1).any(|l| l.contains(";euros;")));
}

/// The built binary itself: the JSON error on its stderr, its exit codes,
/// `completions` and `man` on its stdout, and the JSON that `revoke-device`,
/// `passphrase` and `export-claims` print now.
#[test]
fn the_binary_reports_errors_as_json_and_prints_completions_and_a_man_page() {
    use std::process::Command;
    let Some(bin) = inwonercloud_tests::processes::bin() else {
        eprintln!("skipped: the inwonercloud binary is not built next to this test");
        return;
    };
    let knows = Command::new(&bin).args(["man"]).output().unwrap();
    if !knows.status.success() {
        eprintln!(
            "skipped: the inwonercloud binary next to this test is older than `man` (cargo build -p inwonercloud)"
        );
        return;
    }
    assert!(String::from_utf8_lossy(&knows.stdout).contains(".TH inwonercloud"));
    let bash = Command::new(&bin).args(["completions", "bash"]).output().unwrap();
    assert!(bash.status.success());
    assert!(String::from_utf8_lossy(&bash.stdout).contains("_inwonercloud"));

    let tmp = tempfile::tempdir().unwrap();
    let nope = tmp.path().join("nope");
    let o = Command::new(&bin)
        .args(["--json", "--vault", nope.to_str().unwrap(), "whoami"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5));
    assert!(o.stdout.is_empty(), "nothing on stdout");
    let (kind, _, code) = error_object(&String::from_utf8_lossy(&o.stderr));
    assert_eq!((kind.as_str(), code), ("not_found", 5));

    let o = Command::new(&bin).args(["--json", "frobnicate"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let (kind, message, code) = error_object(&String::from_utf8_lossy(&o.stderr));
    assert_eq!((kind.as_str(), code), ("usage", 2));
    assert!(message.contains("frobnicate"), "{message}");
    let o = Command::new(&bin).args(["frobnicate"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "clap's own usage code");
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error:"));

    // Commands that printed nothing with --json now print a JSON result.
    let dir = tmp.path().join("anna");
    drop(vault(&dir, "Anna", Role::Citizen));
    let json = |args: &[&str], env: &[(&str, &str)]| -> serde_json::Value {
        let o = Command::new(&bin)
            .args(["--json", "--vault", dir.to_str().unwrap()])
            .args(args)
            .env("INWONERCLOUD_PASSPHRASE", inwonercloud_tests::PASSPHRASE)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{args:?} prints JSON: {e}"))
    };
    let claims = tmp.path().join("claims.json");
    let v = json(&["export-claims", "--out", claims.to_str().unwrap()], &[]);
    assert_eq!(v["claims"], 0);
    let laptop = {
        let mut first = inwonercloud_vault::Vault::open(&dir, &inwonercloud_tests::pass()).unwrap();
        let second = inwonercloud_tests::another_device(&mut first, &tmp.path().join("laptop"), "laptop");
        second.device_key().public().to_string()
    };
    let v = json(&["revoke-device", &laptop], &[]);
    assert_eq!(v["revoked"], laptop);
    assert!(v["documents"].as_u64().is_some(), "{v}");
    let v = json(
        &["passphrase"],
        &[("INWONERCLOUD_NEW_PASSPHRASE", "een heel ander lang wachtwoord")],
    );
    assert_eq!(v["passphrase_changed"], true);
}
