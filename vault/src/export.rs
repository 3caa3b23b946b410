//! Open-format export: every record with its signature, readable without
//! this program, and checkable with [`verify_export`].

use inwonercloud_schemas::{
    Account, Agreement, Approval, AssessmentStep, BudgetRequest, CertifiedDevice, Consent, Decision, Declaration,
    DocumentHeader, DomainSituation, Goal, JournalNote, LedgerEntry, Need, Offering, PlanHeader, Profile, Record,
    Revocation, Signed,
};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::keys;
use crate::vault::{Vault, WhoAmI};

/// Format tag of an export file.
pub const EXPORT_FORMAT: &str = "inwonercloud-export/1";

/// A whole-vault export.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Export {
    /// [`EXPORT_FORMAT`].
    pub format: String,
    /// Unix seconds.
    pub exported_at: u64,
    /// Whose vault.
    pub owner: WhoAmI,
    /// Documents with their records.
    pub documents: Vec<ExportedDocument>,
}

/// One document in an export.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExportedDocument {
    /// Owner-signed header.
    pub header: Signed<DocumentHeader>,
    /// Signed changes in the log.
    pub change_count: u64,
    /// Every record, signed.
    pub records: Vec<ExportedRecord>,
}

/// One record in an export.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExportedRecord {
    /// Key in the document (`kind/id`).
    pub key: String,
    /// Record kind.
    pub kind: String,
    /// The signed record (`record`, `device`, `signed_at`, `signature`).
    pub signed: serde_json::Value,
}

/// Outcome of checking an export.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExportCheck {
    /// Records whose signature verified.
    pub valid: usize,
    /// Records that failed, with the reason.
    pub invalid: Vec<(String, String)>,
}

macro_rules! kinds {
    ($m:ident) => {
        $m!(
            Profile,
            JournalNote,
            PlanHeader,
            DomainSituation,
            Goal,
            Need,
            Account,
            LedgerEntry,
            BudgetRequest,
            AssessmentStep,
            Decision,
            Consent,
            Revocation,
            Offering,
            Agreement,
            Declaration,
            Approval
        )
    };
}

/// Verifies a signed record given as JSON, dispatching on its kind.
pub fn verify_json(kind: &str, value: &serde_json::Value) -> std::result::Result<(), String> {
    fn one<R: Record>(v: &serde_json::Value) -> std::result::Result<(), String> {
        let s: Signed<R> = serde_json::from_value(v.clone()).map_err(|e| format!("malformed {}: {e}", R::KIND))?;
        keys::verify_record(&s).map_err(|e| e.to_string())
    }
    macro_rules! dispatch {
        ($($t:ty),*) => {
            $(if kind == <$t as Record>::KIND { return one::<$t>(value); })*
        };
    }
    kinds!(dispatch);
    Err(format!("unknown record kind {kind}"))
}

/// Checks every record and header signature in an export.
pub fn verify_export(e: &Export) -> ExportCheck {
    let mut check = ExportCheck::default();
    for d in &e.documents {
        match keys::verify_record(&d.header) {
            Ok(()) => check.valid += 1,
            Err(err) => check
                .invalid
                .push((format!("header of {}", d.header.record.id), err.to_string())),
        }
        for r in &d.records {
            match verify_json(&r.kind, &r.signed) {
                Ok(()) => check.valid += 1,
                Err(err) => check
                    .invalid
                    .push((format!("{} in {}", r.key, d.header.record.id), err)),
            }
        }
    }
    check
}

impl Vault {
    /// Exports every document with its signed records.
    pub fn export(&self) -> Result<Export> {
        let mut documents = vec![];
        for id in self.document_ids() {
            let doc = self.doc(&id)?;
            let mut records = vec![];
            macro_rules! collect {
                ($($t:ty),*) => {
                    $(for r in doc.raw_records::<$t>() {
                        let signed = serde_json::from_str(&r.json).unwrap_or(serde_json::Value::String(r.json.clone()));
                        records.push(ExportedRecord { key: r.key, kind: <$t as Record>::KIND.to_string(), signed });
                    })*
                };
            }
            kinds!(collect);
            documents.push(ExportedDocument {
                header: doc.header.clone(),
                change_count: doc.rows,
                records,
            });
        }
        Ok(Export {
            format: EXPORT_FORMAT.to_string(),
            exported_at: keys::now(),
            owner: self.whoami(),
            documents,
        })
    }

    /// Certificates of every device this vault knows.
    pub fn known_devices(&self) -> Vec<CertifiedDevice> {
        let mut v: Vec<CertifiedDevice> = self.devices_map().values().cloned().collect();
        v.sort_by_key(|c| c.certificate.device);
        v
    }
}
