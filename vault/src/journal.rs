//! The private journal: notes that are never shared unless the citizen shares
//! the journal document explicitly.

use inwonercloud_schemas::{DocKind, JournalNote, SchemaError};

use crate::error::{Result, VaultError};
use crate::vault::{Authored, Vault};

impl Vault {
    /// Adds a note to the owner's journal.
    pub fn add_note(&mut self, text: &str) -> Result<JournalNote> {
        let text = text.trim();
        if text.is_empty() {
            return Err(VaultError::Input(SchemaError::Invalid("the note is empty".into())));
        }
        let note = JournalNote {
            id: crate::plan::new_id(),
            text: text.to_string(),
            at: crate::keys::now(),
        };
        let doc = self.doc_id(DocKind::Journal);
        let id = note.id.clone();
        Ok(self.put_record(&doc, &id, note)?.record)
    }

    /// The owner's journal notes, oldest first.
    pub fn notes(&self) -> Result<Vec<Authored<JournalNote>>> {
        let (mut notes, _) = self.records::<JournalNote>(&self.doc_id(DocKind::Journal))?;
        notes.sort_by_key(|n| n.record.at);
        Ok(notes)
    }
}
