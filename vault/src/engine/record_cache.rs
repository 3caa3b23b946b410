//! The record cache: a document's parsed records, kept beside its snapshot.
//!
//! Opening a vault loads each document from its snapshot; reading the
//! ledger then parsed every entry's JSON again (the certificate, the
//! signature and the record: most of the work of "open → ledger ready").
//! The cache keeps what that parse gives, so only records set after the
//! snapshot are parsed when read.
//!
//! What it holds, per cached record: the record's key, the automerge op
//! that set the value (its counter and actor), the record itself (its JSON,
//! re-parsed on read as the record type asks), the signing device's
//! certificate (stored once per certificate), the time and the signature.
//! It holds **no verdict and no rule decision**: every signature is
//! checked on read exactly as without the cache (a record this device
//! signed and placed itself under its current certificate is not, as
//! before), and who placed the record, the signer's role in the header,
//! consents, revocations, mandates, transfers and trust roots are all
//! judged on every read. A record that did not parse is not cached.
//!
//! Why a cached record may stand for the stored one: an op id (counter,
//! actor) names one op of one document, and an op's value never changes, so
//! a key whose value is still set by the cached op holds exactly the JSON
//! the cache was made from. Any other key (new, or set again after the
//! snapshot) is parsed and checked as before.
//!
//! Trust in the cache itself: it is sealed with the vault key under its
//! table and document id like every other row (a row altered, moved to
//! another document or copied from another vault does not open), names the
//! document and the snapshot it was made with (rows covered and heads), and
//! is written in the same transaction as that snapshot. It is used only
//! when it opens, its format version is this one, and it names exactly the
//! snapshot just loaded; otherwise it is ignored and every record is parsed
//! from the document as before. It is never the truth: the change log is.

use std::collections::HashMap;

use automerge::{ObjId, ReadDoc, ScalarValueRef, ValueRef};
use inwonercloud_schemas::{CertifiedDevice, LedgerEntry, PublicKey, Record, SignatureBytes, Signed};

use crate::document::{Doc, RawRecord};

/// Bumped whenever the layout below changes: a cache of another version is ignored.
pub const FORMAT_VERSION: u16 = 1;

const MAGIC: &[u8] = b"inwonercloud/record-cache\0";

/// Record kinds the cache holds: the ledger's entries (the only kind a
/// document holds by the thousand).
const CACHED_KINDS: [&str; 1] = [LedgerEntry::KIND];

/// What a cache is bound to: the document and the snapshot it was made with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// Document id.
    pub doc: String,
    /// Rows the snapshot covers.
    pub rows: u64,
    /// The snapshot's heads, as automerge lists them (sorted).
    pub heads: Vec<[u8; 32]>,
}

/// One cached record.
#[derive(Clone, Debug)]
struct Entry {
    key: String,
    counter: u64,
    actor: [u8; 32],
    cert: u32,
    signed_at: u64,
    signature: [u8; 64],
    /// The record's JSON.
    record: Box<[u8]>,
}

/// Every cached record of one kind, sorted by key.
#[derive(Clone, Debug, Default)]
struct Section {
    kind: String,
    entries: Vec<Entry>,
}

/// A document's parsed records as of a snapshot.
#[derive(Clone, Debug)]
pub struct RecordCache {
    binding: Binding,
    certs: Vec<CertifiedDevice>,
    sections: Vec<Section>,
}

/// A record as found in the document: parsed by the cache, or to be parsed.
pub(crate) enum Found<R> {
    /// Not in the cache (or the cache is not in use): its JSON.
    Raw(RawRecord),
    /// From the cache: the op that set it is the one the cache was made from.
    Parsed {
        /// `"<kind>/<id>"`.
        key: String,
        /// The device whose change set the value.
        placed_by: PublicKey,
        /// The record as parsed (its signature not yet checked).
        signed: Box<Signed<R>>,
    },
}

impl RecordCache {
    /// What the cache is bound to.
    pub fn binding(&self) -> &Binding {
        &self.binding
    }

    /// How many records it holds.
    pub fn len(&self) -> usize {
        self.sections.iter().map(|s| s.entries.len()).sum()
    }

    /// Whether it holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn section(&self, kind: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.kind == kind)
    }

    /// The cached record of `kind` under `key` if the op that set it now is
    /// the one the cache was made from, parsed as `R`.
    fn lookup<R: Record>(&self, section: &Section, key: &str, counter: u64, actor: &[u8]) -> Option<Signed<R>> {
        let i = section.entries.binary_search_by(|e| e.key.as_str().cmp(key)).ok()?;
        let e = &section.entries[i];
        if e.counter != counter || e.actor.as_slice() != actor {
            return None;
        }
        let record: R = serde_json::from_slice(&e.record).ok()?;
        let device = self.certs.get(e.cert as usize)?.clone();
        Some(Signed {
            record,
            device,
            signed_at: e.signed_at,
            signature: SignatureBytes(e.signature),
        })
    }

    /// Encodes the cache (the plaintext that is sealed).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.len() * 256);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_be_bytes());
        put_bytes(&mut out, self.binding.doc.as_bytes());
        out.extend_from_slice(&self.binding.rows.to_be_bytes());
        out.extend_from_slice(&(self.binding.heads.len() as u32).to_be_bytes());
        for h in &self.binding.heads {
            out.extend_from_slice(h);
        }
        out.extend_from_slice(&(self.certs.len() as u32).to_be_bytes());
        for c in &self.certs {
            put_bytes(&mut out, &serde_json::to_vec(c).unwrap_or_default());
        }
        out.extend_from_slice(&(self.sections.len() as u32).to_be_bytes());
        for s in &self.sections {
            put_bytes(&mut out, s.kind.as_bytes());
            out.extend_from_slice(&(s.entries.len() as u32).to_be_bytes());
            for e in &s.entries {
                put_bytes(&mut out, e.key.as_bytes());
                out.extend_from_slice(&e.counter.to_be_bytes());
                out.extend_from_slice(&e.actor);
                out.extend_from_slice(&e.cert.to_be_bytes());
                out.extend_from_slice(&e.signed_at.to_be_bytes());
                out.extend_from_slice(&e.signature);
                put_bytes(&mut out, &e.record);
            }
        }
        out
    }

    /// Decodes a cache; `None` when it is not one of this format (another
    /// version, or bytes that do not parse).
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let mut r = Reader(bytes);
        if r.take(MAGIC.len())? != MAGIC || r.u16()? != FORMAT_VERSION {
            return None;
        }
        let doc = String::from_utf8(r.bytes()?.to_vec()).ok()?;
        let rows = r.u64()?;
        let n = r.u32()? as usize;
        let mut heads = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            heads.push(r.array::<32>()?);
        }
        let n = r.u32()? as usize;
        let mut certs = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            certs.push(serde_json::from_slice::<CertifiedDevice>(r.bytes()?).ok()?);
        }
        let n = r.u32()? as usize;
        let mut sections = Vec::with_capacity(n.min(16));
        for _ in 0..n {
            let kind = String::from_utf8(r.bytes()?.to_vec()).ok()?;
            let count = r.u32()? as usize;
            let mut entries: Vec<Entry> = Vec::with_capacity(count.min(1 << 20));
            for _ in 0..count {
                let e = Entry {
                    key: String::from_utf8(r.bytes()?.to_vec()).ok()?,
                    counter: r.u64()?,
                    actor: r.array::<32>()?,
                    cert: r.u32()?,
                    signed_at: r.u64()?,
                    signature: r.array::<64>()?,
                    record: r.bytes()?.into(),
                };
                if e.cert as usize >= certs.len() {
                    return None;
                }
                // Sorted by key, each key once: what `lookup` relies on.
                if entries.last().is_some_and(|last| last.key >= e.key) {
                    return None;
                }
                entries.push(e);
            }
            sections.push(Section { kind, entries });
        }
        if !r.0.is_empty() {
            return None;
        }
        Some(Self {
            binding: Binding { doc, rows, heads },
            certs,
            sections,
        })
    }
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u32).to_be_bytes());
    out.extend_from_slice(b);
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
    fn u16(&mut self) -> Option<u16> {
        self.array::<2>().map(u16::from_be_bytes)
    }
    fn u32(&mut self) -> Option<u32> {
        self.array::<4>().map(u32::from_be_bytes)
    }
    fn u64(&mut self) -> Option<u64> {
        self.array::<8>().map(u64::from_be_bytes)
    }
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
}

/// The key range holding every record of kind `R` (`kind/…`).
fn kind_range(kind: &str) -> std::ops::Range<String> {
    format!("{kind}/")..format!("{kind}0")
}

impl Doc {
    /// Every record of kind `R`, in key order: from the cache where the op
    /// that set it is the cached one, otherwise its JSON to be parsed.
    pub(crate) fn found_records<R: Record>(&self) -> Vec<Found<R>> {
        let cache = self.cache.as_ref();
        let section = cache.and_then(|c| c.section(R::KIND));
        self.am
            .map_range(automerge::ROOT, kind_range(R::KIND))
            .filter_map(|item| {
                let ValueRef::Scalar(ScalarValueRef::Str(s)) = &item.value else {
                    return None;
                };
                let id = item.id();
                if let (Some(cache), Some(section), ObjId::Id(counter, actor, _)) = (cache, section, &id)
                    && let Some(signed) = cache.lookup::<R>(section, &item.key, *counter, actor.to_bytes())
                    && let Some(placed_by) = crate::document::actor_of(&id)
                {
                    return Some(Found::Parsed {
                        key: item.key.to_string(),
                        placed_by,
                        signed: Box::new(signed),
                    });
                }
                Some(Found::Raw(RawRecord {
                    key: item.key.to_string(),
                    json: s.to_string(),
                    placed_by: crate::document::actor_of(&id),
                }))
            })
            .collect()
    }

    /// Builds the cache for the document as it is now, bound to a snapshot
    /// of it covering `rows` rows. Records the current cache holds for the
    /// same op are taken from it; the others are parsed (a record that does
    /// not parse is left out, and refused on read as before).
    pub(crate) fn build_cache(&mut self, doc_id: &str, rows: u64) -> RecordCache {
        let heads: Vec<[u8; 32]> = self.am.get_heads().iter().map(|h| h.0).collect();
        let mut certs: Vec<CertifiedDevice> = vec![];
        let mut cert_index: HashMap<[u8; 64], Vec<u32>> = HashMap::new();
        let mut sections = vec![];
        for kind in CACHED_KINDS {
            debug_assert_eq!(kind, LedgerEntry::KIND);
            let mut entries = vec![];
            let old = self.cache.as_ref().and_then(|c| c.section(kind));
            for item in self.am.map_range(automerge::ROOT, kind_range(kind)) {
                let ValueRef::Scalar(ScalarValueRef::Str(s)) = &item.value else {
                    continue;
                };
                let ObjId::Id(counter, actor, _) = item.id() else {
                    continue;
                };
                let Ok(actor) = <[u8; 32]>::try_from(actor.to_bytes()) else {
                    continue;
                };
                let key = item.key.to_string();
                // The same op as cached: take it over as it is.
                if let Some(e) = old.and_then(|sec| {
                    sec.entries
                        .binary_search_by(|e| e.key.as_str().cmp(&key))
                        .ok()
                        .map(|i| &sec.entries[i])
                        .filter(|e| e.counter == counter && e.actor == actor)
                }) && let Some(c) = self.cache.as_ref().and_then(|c| c.certs.get(e.cert as usize))
                {
                    let cert = intern(&mut certs, &mut cert_index, c);
                    entries.push(Entry { cert, ..e.clone() });
                    continue;
                }
                let Ok(signed) = serde_json::from_str::<Signed<LedgerEntry>>(s) else {
                    continue;
                };
                let Ok(record) = serde_json::to_vec(&signed.record) else {
                    continue;
                };
                let cert = intern(&mut certs, &mut cert_index, &signed.device);
                entries.push(Entry {
                    key,
                    counter,
                    actor,
                    cert,
                    signed_at: signed.signed_at,
                    signature: signed.signature.0,
                    record: record.into(),
                });
            }
            entries.sort_by(|a, b| a.key.cmp(&b.key));
            entries.dedup_by(|a, b| a.key == b.key);
            sections.push(Section {
                kind: kind.to_string(),
                entries,
            });
        }
        RecordCache {
            binding: Binding {
                doc: doc_id.to_string(),
                rows,
                heads,
            },
            certs,
            sections,
        }
    }
}

/// The index of `c` in `certs`, adding it when new.
fn intern(certs: &mut Vec<CertifiedDevice>, index: &mut HashMap<[u8; 64], Vec<u32>>, c: &CertifiedDevice) -> u32 {
    let slot = index.entry(c.signature.0).or_default();
    if let Some(&i) = slot.iter().find(|&&i| &certs[i as usize] == c) {
        return i;
    }
    let i = certs.len() as u32;
    certs.push(c.clone());
    slot.push(i);
    i
}

#[cfg(test)]
mod tests {
    use inwonercloud_schemas::{Access, Date, EntryKind, FundingStream, LedgerEntry, Role, Unit};
    use rust_decimal::Decimal;

    use super::*;
    use crate::budget::NewEntry;
    use crate::store::{self, Fault};
    use crate::testing::vault;
    use crate::{Passphrase, Vault};

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn reopen(dir: &std::path::Path) -> Vault {
        Vault::open(dir, &Passphrase::new("proef-wachtwoord")).unwrap()
    }

    /// A citizen with an account and `n` spends (one change each, in one
    /// transaction: more than enough rows for a snapshot and its cache).
    fn citizen_with_spends(dir: &std::path::Path, n: usize) -> (Vault, String, String) {
        let mut v = vault(dir, "Anna de Vries", Role::Citizen);
        let budget = v.budget_doc();
        let account = v
            .add_account(
                &budget,
                "pgb",
                FundingStream::Wmo,
                Unit::Euro,
                day("2026-01-01"),
                day("2026-12-31"),
            )
            .unwrap()
            .id;
        spend(&mut v, &budget, &account, 0, n);
        (v, budget, account)
    }

    fn spend(v: &mut Vault, budget: &str, account: &str, from: usize, n: usize) {
        v.put_records(budget, spends(account, from, n)).unwrap();
    }

    fn spends(account: &str, from: usize, n: usize) -> Vec<(String, LedgerEntry)> {
        (from..from + n)
            .map(|i| {
                let id = format!("e{i:05}");
                let e = LedgerEntry {
                    id: id.clone(),
                    account: account.to_string(),
                    kind: EntryKind::Spend,
                    amount: Decimal::new(1_000 + i as i64, 2),
                    category: Some("dagbesteding".into()),
                    date: day("2026-03-01"),
                    note: format!("declaratie {i}"),
                    reference: None,
                };
                (id, e)
            })
            .collect()
    }

    /// The ledger as read now, and as read with no cache at all (every
    /// record parsed from the document): the two must be the same, always.
    fn with_and_without(v: &mut Vault, budget: &str) -> (String, String) {
        let with = serde_json::to_string(&v.budget(budget).unwrap()).unwrap();
        v.forget_record_caches();
        let without = serde_json::to_string(&v.budget(budget).unwrap()).unwrap();
        (with, without)
    }

    /// The stored snapshot's rows and the binding of the stored cache (opened).
    fn stored(v: &Vault, doc: &str) -> (Option<u64>, Option<Binding>) {
        let snap = v.store().snapshot(doc).unwrap().map(|(n, _)| n);
        let cache = v
            .store()
            .record_cache(doc)
            .unwrap()
            .and_then(|plain| RecordCache::decode(&plain))
            .map(|c| c.binding().clone());
        (snap, cache)
    }

    #[test]
    fn the_cache_is_written_with_its_snapshot_and_read_on_open() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a");
        let (mut v, budget, account) = citizen_with_spends(&dir, 300);
        let (rows, binding) = stored(&v, &budget);
        let binding = binding.expect("a cache beside the snapshot");
        assert_eq!(Some(binding.rows), rows, "bound to the snapshot it was written with");
        assert_eq!(binding.doc, budget);
        assert_eq!(binding.heads.len(), 1);
        // Entries after the snapshot are parsed on read, on top of the cache.
        spend(&mut v, &budget, &account, 300, 3);
        drop(v);
        let mut v = reopen(&dir);
        assert_eq!(v.record_cache_len(&budget), Some(300), "the cache is in use");
        let view = v.budget(&budget).unwrap();
        assert_eq!(view.report.lines.len(), 303);
        let (with, without) = with_and_without(&mut v, &budget);
        assert_eq!(with, without);
    }

    #[test]
    fn a_tampered_cache_row_is_ignored() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a");
        let (v, budget, _) = citizen_with_spends(&dir, 300);
        let good = v.store().raw_get(store::RECORD_CACHE, &budget).expect("stored");
        drop(v);
        for at in [1, 30, good.len() / 2, good.len() - 1] {
            let v = reopen(&dir);
            let mut bad = good.clone();
            bad[at] ^= 0x01;
            v.store().raw_put(store::RECORD_CACHE, &budget, Some(&bad));
            drop(v);
            let mut v = reopen(&dir);
            assert_eq!(v.record_cache_len(&budget), None, "flip at {at}: not used");
            let (with, without) = with_and_without(&mut v, &budget);
            assert_eq!(with, without);
            assert_eq!(v.budget(&budget).unwrap().report.lines.len(), 300);
        }
        // Not even a cache at all: opens, every record parsed.
        let v = reopen(&dir);
        v.store().raw_put(store::RECORD_CACHE, &budget, Some(b"garbage"));
        drop(v);
        let v = reopen(&dir);
        assert_eq!(v.record_cache_len(&budget), None);
        assert_eq!(v.budget(&budget).unwrap().report.lines.len(), 300);
    }

    #[test]
    fn a_cache_of_an_older_snapshot_is_ignored() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a");
        let (mut v, budget, account) = citizen_with_spends(&dir, 300);
        let old = v.store().raw_get(store::RECORD_CACHE, &budget).unwrap();
        spend(&mut v, &budget, &account, 300, 300);
        assert_ne!(v.store().raw_get(store::RECORD_CACHE, &budget).unwrap(), old);
        // The older cache put back (a rollback of that one row): it opens
        // (same vault, same row) but names an older snapshot.
        v.store().raw_put(store::RECORD_CACHE, &budget, Some(&old));
        drop(v);
        let mut v = reopen(&dir);
        assert_eq!(v.record_cache_len(&budget), None);
        assert_eq!(v.budget(&budget).unwrap().report.lines.len(), 600);
        let (with, without) = with_and_without(&mut v, &budget);
        assert_eq!(with, without);
    }

    /// A cache sealed under this vault's key and this document, but naming
    /// another snapshot (rows or heads), is ignored even when its records
    /// say something else than the document does; the same cache naming the
    /// right snapshot would be read (which shows the binding is what refuses it).
    #[test]
    fn only_the_snapshot_a_cache_names_lets_it_be_used() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a");
        let (mut v, budget, _) = citizen_with_spends(&dir, 300);
        let doc = v.docs_mut().get_mut(&budget).unwrap();
        let rows = doc.snapshot_rows;
        let mut forged = doc.build_cache(&budget, rows);
        // Every cached amount says 1,000,000.
        for e in &mut forged.sections[0].entries {
            let mut r: LedgerEntry = serde_json::from_slice(&e.record).unwrap();
            r.amount = Decimal::from(1_000_000);
            e.record = serde_json::to_vec(&r).unwrap().into();
        }
        let put = |v: &Vault, c: &RecordCache| {
            let sealed = v.store().seal_for(store::RECORD_CACHE, &budget, &c.encode());
            v.store().raw_put(store::RECORD_CACHE, &budget, Some(&sealed));
        };
        let mut wrong_rows = forged.clone();
        wrong_rows.binding.rows += 1;
        let mut wrong_heads = forged.clone();
        wrong_heads.binding.heads[0][0] ^= 1;
        let mut wrong_doc = forged.clone();
        wrong_doc.binding.doc = v.plan_doc();
        for (what, c) in [("rows", wrong_rows), ("heads", wrong_heads), ("document", wrong_doc)] {
            put(&v, &c);
            drop(v);
            v = reopen(&dir);
            assert_eq!(v.record_cache_len(&budget), None, "wrong {what}: not used");
            let spent = v
                .budget(&budget)
                .unwrap()
                .report
                .accounts
                .values()
                .next()
                .unwrap()
                .spent;
            assert!(spent < Decimal::from(1_000_000), "wrong {what}");
        }
        // Sensitivity: with the right binding the (forged, but sealed by the
        // key holder) cache is what is read.
        put(&v, &forged);
        drop(v);
        let v = reopen(&dir);
        assert_eq!(v.record_cache_len(&budget), Some(300));
        // A cache of another format version is ignored.
        let mut other = forged.encode();
        other[MAGIC.len() + 1] ^= 0x02;
        let sealed = v.store().seal_for(store::RECORD_CACHE, &budget, &other);
        v.store().raw_put(store::RECORD_CACHE, &budget, Some(&sealed));
        drop(v);
        let v = reopen(&dir);
        assert_eq!(v.record_cache_len(&budget), None, "another format version");
    }

    #[test]
    fn a_cache_copied_from_another_document_or_vault_is_ignored() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut a, a_budget, _) = citizen_with_spends(&tmp.path().join("a"), 300);
        let (b, b_budget, _) = citizen_with_spends(&tmp.path().join("b"), 280);
        // The profile gets a snapshot (and a cache, empty: no ledger there).
        a.compact().unwrap();
        let a_profile = a.doc_id(inwonercloud_schemas::DocKind::Profile);
        assert_eq!(a.record_cache_len(&a_profile), Some(0));
        let from_b = b.store().raw_get(store::RECORD_CACHE, &b_budget).unwrap();
        let a_cache = a.store().raw_get(store::RECORD_CACHE, &a_budget).unwrap();
        // Another vault's cache under this vault's budget; this budget's
        // cache under this vault's profile.
        a.store().raw_put(store::RECORD_CACHE, &a_budget, Some(&from_b));
        a.store().raw_put(store::RECORD_CACHE, &a_profile, Some(&a_cache));
        drop(a);
        let mut a = reopen(&tmp.path().join("a"));
        assert_eq!(a.record_cache_len(&a_budget), None, "from another vault");
        assert_eq!(a.record_cache_len(&a_profile), None, "from another document");
        assert_eq!(a.budget(&a_budget).unwrap().report.lines.len(), 300);
        let (with, without) = with_and_without(&mut a, &a_budget);
        assert_eq!(with, without);
    }

    /// The cache holds parsed records, never whether they count: a write
    /// consent revoked after the cache was written is judged on read, with
    /// the cache exactly as without it.
    #[test]
    fn a_revocation_after_the_cache_is_judged_as_without_it() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a");
        let (mut anna, budget, account) = citizen_with_spends(&dir, 260);
        let mut gem = vault(&tmp.path().join("g"), "Gemeente", Role::Municipality);
        let consent = anna
            .grant_consent(
                gem.identity(),
                "Gemeente",
                Role::Municipality,
                vec![budget.clone()],
                Access::Write,
                None,
                "toekenning",
            )
            .unwrap();
        gem.import_bundle(&anna.bundle(&budget).unwrap(), "anna").unwrap();
        gem.record_entry(
            &budget,
            NewEntry {
                account: account.clone(),
                kind: EntryKind::Grant,
                amount: Decimal::from(5_000),
                category: None,
                date: day("2026-01-01"),
                note: "toekenning".into(),
                reference: None,
            },
        )
        .unwrap();
        anna.import_bundle(&gem.bundle(&budget).unwrap(), "gemeente").unwrap();
        anna.compact().unwrap();
        let granted = |v: &Vault| v.budget(&budget).unwrap().report.accounts[&account].granted;
        assert_eq!(granted(&anna), Decimal::from(5_000));
        drop(anna);
        let mut anna = reopen(&dir);
        assert_eq!(anna.record_cache_len(&budget), Some(261), "the grant is in the cache");
        let (with, without) = with_and_without(&mut anna, &budget);
        assert_eq!(with, without);
        // Revoked after the cache was written.
        anna.revoke_consent(&consent.id, "einde").unwrap();
        let after = serde_json::to_string(&anna.budget(&budget).unwrap()).unwrap();
        drop(anna);
        let mut anna = reopen(&dir);
        assert!(anna.record_cache_len(&budget).is_some());
        let (with, without) = with_and_without(&mut anna, &budget);
        assert_eq!(with, without, "with the cache as without it");
        assert_eq!(with, after, "as before closing");
    }

    /// The snapshot and its cache are one write: a failure between the two
    /// (the cache's write fails) keeps neither, and the file keeps the
    /// previous snapshot with the cache that names it.
    #[test]
    fn a_failure_between_snapshot_and_cache_keeps_neither() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a");
        let (mut v, budget, account) = citizen_with_spends(&dir, 300);
        let before = stored(&v, &budget);
        spend(&mut v, &budget, &account, 300, 10);
        // compact: the snapshot is write 1, its cache write 2.
        v.inject_fault(Some(Fault::ErrorAt(2)));
        assert!(v.compact().is_err());
        v.inject_fault(None);
        assert_eq!(stored(&v, &budget), before, "neither the snapshot nor the cache");
        // And a local edit that takes a snapshot: its change, the snapshot
        // and the cache are writes 1, 2 and 3.
        v.inject_fault(Some(Fault::ErrorAt(3)));
        assert!(v.put_records(&budget, spends(&account, 310, 300)).is_err());
        v.inject_fault(None);
        assert_eq!(stored(&v, &budget), before, "nothing of the failed write");
        drop(v);
        let mut v = reopen(&dir);
        let (snap, cache) = stored(&v, &budget);
        assert_eq!(Some(cache.unwrap().rows), snap);
        assert_eq!(v.budget(&budget).unwrap().report.lines.len(), 310);
        let (with, without) = with_and_without(&mut v, &budget);
        assert_eq!(with, without);
        // Every snapshot written since came with the cache that names it.
        spend(&mut v, &budget, &account, 310, 300);
        let (snap, cache) = stored(&v, &budget);
        assert_eq!(Some(cache.unwrap().rows), snap);
    }

    #[test]
    fn encoding_round_trips_and_rejects_trailing_or_unsorted_bytes() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut v, budget, _) = citizen_with_spends(&tmp.path().join("a"), 5);
        let doc = v.docs_mut().get_mut(&budget).unwrap();
        let c = doc.build_cache(&budget, 7);
        assert_eq!(c.len(), 5);
        let bytes = c.encode();
        let back = RecordCache::decode(&bytes).unwrap();
        assert_eq!(back.encode(), bytes);
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(RecordCache::decode(&longer).is_none());
        assert!(RecordCache::decode(&bytes[..bytes.len() - 1]).is_none());
        let mut unsorted = c.clone();
        unsorted.sections[0].entries.swap(0, 1);
        assert!(RecordCache::decode(&unsorted.encode()).is_none());
    }
}
