//! Document headers: which automerge document this is, who owns it and which
//! identities may write to it. The header is signed by the owner.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{PublicKey, Record, Role};

/// What a document holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// Name, role, contact.
    Profile,
    /// The support plan.
    Plan,
    /// Budget accounts and the ledger.
    Budget,
    /// Private notes.
    Journal,
    /// Consents and revocations.
    Consents,
    /// One citizen–provider agreement.
    Agreement,
    /// A provider's public catalogue.
    Catalogue,
    /// A municipality's public policy.
    Policy,
    /// Budget transfers from its owner to one other budget holder.
    Exchange,
    /// A wijkbudget (neighbourhood pot) run by participating organisations.
    Pot,
}

impl DocKind {
    /// Stable name used in document ids.
    pub fn code(self) -> &'static str {
        match self {
            DocKind::Profile => "profile",
            DocKind::Plan => "plan",
            DocKind::Budget => "budget",
            DocKind::Journal => "journal",
            DocKind::Consents => "consents",
            DocKind::Agreement => "agreement",
            DocKind::Catalogue => "catalogue",
            DocKind::Policy => "policy",
            DocKind::Exchange => "exchange",
            DocKind::Pot => "pot",
        }
    }

    /// The document id of the owner's document of this kind (`<owner hex>/<kind>`).
    pub fn doc_id(self, owner: &PublicKey) -> String {
        format!("{owner}/{}", self.code())
    }
}

/// The signed header of a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentHeader {
    /// Document id: `<owner hex>/<kind>` or `<owner hex>/agreement/<provider hex>`.
    pub id: String,
    /// What it holds.
    pub kind: DocKind,
    /// The owner's identity; always a writer.
    pub owner: PublicKey,
    /// Other identities allowed to write. Only ever grows within a version:
    /// revocation is a new header version plus a revocation record.
    pub writers: Vec<PublicKey>,
    /// Former writers: their changes up to a cut-off stay valid, later ones are refused.
    pub revoked: Vec<RevokedWriter>,
    /// Revoked devices of any identity (a lost laptop): per device, the
    /// highest sequence number that stays valid; later changes are refused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revoked_devices: Vec<(PublicKey, u64)>,
    /// The role the owner granted each writer (from the owner's signed
    /// consent), and when: a writer acts in this document only in this role,
    /// whatever its own certificate says about itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<WriterGrant>,
    /// How many header edits each of the owner's devices made that this
    /// header includes (a version vector): it tells a newer header from a
    /// concurrent one, made on another device of the owner while offline.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clock: Clock,
    /// Header version; a higher version from the owner replaces a lower one.
    pub version: u64,
}

/// A version vector over the owner's devices: per device, how many header
/// edits it made. Sorted by device, no zero entries.
pub type Clock = Vec<(PublicKey, u64)>;

/// Whether clock `a` includes every edit `b` does.
pub fn clock_includes(a: &Clock, b: &Clock) -> bool {
    b.iter()
        .all(|(d, n)| a.iter().find(|(e, _)| e == d).is_some_and(|(_, m)| m >= n))
}

/// The pointwise maximum of two clocks.
pub fn clock_join(a: &Clock, b: &Clock) -> Clock {
    let mut out: std::collections::BTreeMap<PublicKey, u64> = a.iter().copied().collect();
    for (d, n) in b {
        let e = out.entry(*d).or_insert(0);
        *e = (*e).max(*n);
    }
    out.into_iter().filter(|(_, n)| *n > 0).collect()
}

/// A writer the owner admitted, in which role, and at which header clock.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WriterGrant {
    /// The identity.
    pub identity: PublicKey,
    /// The role the owner granted.
    pub role: Role,
    /// The header clock of the edit that granted it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at: Clock,
}

/// How an offered header relates to the one held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Succession {
    /// It includes everything the held one does, and more.
    Newer,
    /// The held one includes everything it does.
    Older,
    /// The same edits.
    Same,
    /// Made on another device of the owner, unaware of some edits the held
    /// one has and vice versa: the two are merged.
    Concurrent,
}

/// A writer whose right to write was revoked, with the last change of each of
/// its devices that stays valid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokedWriter {
    /// The identity.
    pub identity: PublicKey,
    /// Per device: the highest automerge sequence number accepted before revocation.
    pub cutoffs: Vec<(PublicKey, u64)>,
    /// The role it wrote in while it could (its records up to the cut-offs keep it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// The header clock of the edit that revoked it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at: Clock,
}

impl Record for DocumentHeader {
    const KIND: &'static str = "document_header";
    const VERSION: u16 = 1;
}

impl DocumentHeader {
    /// Whether `device` was revoked in this header.
    pub fn device_revoked(&self, device: &PublicKey) -> bool {
        self.revoked_devices.iter().any(|(d, _)| d == device)
    }

    /// The role the owner granted `identity` in this document: the consented
    /// role of a writer or former writer, and `None` for anyone else (the
    /// owner included: the owner acts as holder, checked by identity).
    pub fn role_of(&self, identity: &PublicKey) -> Option<Role> {
        self.grants
            .iter()
            .find(|g| &g.identity == identity && self.writers.contains(identity))
            .map(|g| g.role)
            .or_else(|| {
                self.revoked
                    .iter()
                    .find(|r| &r.identity == identity)
                    .and_then(|r| r.role)
            })
    }

    /// How `offered` relates to this header: by their clocks, or by version
    /// for headers written before clocks existed.
    pub fn succession(&self, offered: &DocumentHeader) -> Succession {
        if self.clock.is_empty() && offered.clock.is_empty() {
            return match offered.version.cmp(&self.version) {
                std::cmp::Ordering::Greater => Succession::Newer,
                std::cmp::Ordering::Less => Succession::Older,
                std::cmp::Ordering::Equal if offered == self => Succession::Same,
                std::cmp::Ordering::Equal => Succession::Concurrent,
            };
        }
        match (
            clock_includes(&offered.clock, &self.clock),
            clock_includes(&self.clock, &offered.clock),
        ) {
            // The same clock with other content: the owner signed two
            // different headers as one edit; merged like concurrent ones.
            (true, true) if offered != self => Succession::Concurrent,
            (true, true) => Succession::Same,
            (true, false) => Succession::Newer,
            (false, true) => Succession::Older,
            (false, false) => Succession::Concurrent,
        }
    }

    /// The clock after one more edit by `device`.
    pub fn next_clock(&self, device: &PublicKey) -> Clock {
        let mine = self.clock.iter().find(|(d, _)| d == device).map_or(0, |(_, n)| *n);
        clock_join(&self.clock, &vec![(*device, mine.saturating_add(1))])
    }

    /// Whether two headers grant and revoke the same (clock and version aside).
    pub fn same_access(&self, other: &DocumentHeader) -> bool {
        let strip = |h: &DocumentHeader| {
            let mut h = h.clone();
            h.clock.clear();
            h.version = 0;
            h
        };
        strip(self) == strip(other)
    }

    /// Two concurrent headers of one document merged, the same whichever
    /// order they come in. A writer stays a writer only through a grant made
    /// after (that saw) every revocation of it in either header: a
    /// revocation always wins over a grant it did not see. Device
    /// revocations are united, the lowest cut-off in force; the clock is the
    /// pointwise maximum.
    pub fn merge(&self, other: &DocumentHeader) -> DocumentHeader {
        // Per header: the writer's grant clock, and its grant if stamped (a
        // writer from before grants were stamped saw nothing).
        let grants_of = |h: &DocumentHeader, id: &PublicKey| -> Vec<(Clock, Option<WriterGrant>)> {
            if !h.writers.contains(id) {
                return vec![];
            }
            let g = h.grants.iter().find(|g| &g.identity == id).cloned();
            vec![(g.as_ref().map(|g| g.at.clone()).unwrap_or_default(), g)]
        };
        let mut ids: Vec<PublicKey> = self
            .writers
            .iter()
            .chain(&other.writers)
            .chain(self.revoked.iter().map(|r| &r.identity))
            .chain(other.revoked.iter().map(|r| &r.identity))
            .copied()
            .collect();
        ids.sort();
        ids.dedup();
        let mut out = DocumentHeader {
            id: self.id.clone(),
            kind: self.kind,
            owner: self.owner,
            writers: vec![],
            revoked: vec![],
            revoked_devices: vec![],
            grants: vec![],
            clock: clock_join(&self.clock, &other.clock),
            version: self.version.max(other.version),
        };
        for id in ids {
            let revs: Vec<&RevokedWriter> = self
                .revoked
                .iter()
                .chain(&other.revoked)
                .filter(|r| r.identity == id)
                .collect();
            let alive: Vec<(Clock, Option<WriterGrant>)> = grants_of(self, &id)
                .into_iter()
                .chain(grants_of(other, &id))
                .filter(|(at, _)| revs.iter().all(|r| clock_includes(at, &r.at)))
                .collect();
            // The grant that saw the others, or (grants made apart) the
            // lowest one, so that the choice does not depend on the order.
            let pick = alive
                .iter()
                .find(|(at, _)| alive.iter().all(|(other, _)| clock_includes(at, other)))
                .or_else(|| alive.iter().min_by(|x, y| (&x.1, &x.0).cmp(&(&y.1, &y.0))))
                .cloned();
            if let Some((_, g)) = pick {
                out.writers.push(id);
                out.grants.extend(g);
            } else if !revs.is_empty() {
                let mut cutoffs: std::collections::BTreeMap<PublicKey, u64> = Default::default();
                for r in &revs {
                    for (d, c) in &r.cutoffs {
                        let e = cutoffs.entry(*d).or_insert(*c);
                        *e = (*e).min(*c);
                    }
                }
                out.revoked.push(RevokedWriter {
                    identity: id,
                    cutoffs: cutoffs.into_iter().collect(),
                    role: revs.iter().filter_map(|r| r.role).min(),
                    at: revs.iter().fold(vec![], |acc, r| clock_join(&acc, &r.at)),
                });
            }
        }
        let mut devices: std::collections::BTreeMap<PublicKey, u64> = Default::default();
        for (d, c) in self.revoked_devices.iter().chain(&other.revoked_devices) {
            let e = devices.entry(*d).or_insert(*c);
            *e = (*e).min(*c);
        }
        out.revoked_devices = devices.into_iter().collect();
        out
    }

    /// Whether `identity` may write new changes to this document.
    pub fn may_write(&self, identity: &PublicKey) -> bool {
        &self.owner == identity || self.writers.contains(identity)
    }

    /// Whether a *new* change number `seq` of `device`, certified by
    /// `identity`, may be accepted: a current writer's, a former writer's up
    /// to its cut-off, and never beyond a revoked device's cut-off.
    pub fn may_write_change(&self, identity: &PublicKey, device: &PublicKey, seq: u64) -> bool {
        if self.revoked_devices.iter().any(|(d, cut)| d == device && seq > *cut) {
            return false;
        }
        self.may_have_written(identity, device, seq)
    }

    /// Whether a change already held stays valid: device revocation does not
    /// apply to what a vault accepted before the revocation reached it (what
    /// was shared cannot be recalled; it stays attributed to that device).
    pub fn may_have_written(&self, identity: &PublicKey, device: &PublicKey, seq: u64) -> bool {
        if self.may_write(identity) {
            return true;
        }
        self.revoked
            .iter()
            .any(|r| &r.identity == identity && r.cutoffs.iter().any(|(d, cut)| d == device && seq <= *cut))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWNER: PublicKey = PublicKey([1; 32]);
    const L: PublicKey = PublicKey([2; 32]);
    const P: PublicKey = PublicKey([3; 32]);
    const T: PublicKey = PublicKey([4; 32]);
    const X: PublicKey = PublicKey([8; 32]);
    const Y: PublicKey = PublicKey([9; 32]);

    fn base() -> DocumentHeader {
        DocumentHeader {
            id: format!("{OWNER}/plan"),
            kind: DocKind::Plan,
            owner: OWNER,
            writers: vec![X],
            revoked: vec![],
            revoked_devices: vec![],
            grants: vec![WriterGrant {
                identity: X,
                role: Role::Counselor,
                at: vec![(L, 1)],
            }],
            clock: vec![(L, 1)],
            version: 2,
        }
    }

    /// What one device does on top of `h`: grant or revoke `who`.
    fn edit(h: &DocumentHeader, device: PublicKey, who: PublicKey, grant: Option<Role>) -> DocumentHeader {
        let mut h = h.clone();
        let at = h.next_clock(&device);
        h.writers.retain(|w| w != &who);
        h.grants.retain(|g| g.identity != who);
        match grant {
            Some(role) => {
                h.writers.push(who);
                h.writers.sort();
                h.grants.push(WriterGrant {
                    identity: who,
                    role,
                    at: at.clone(),
                });
                h.revoked.retain(|r| r.identity != who);
            }
            None => h.revoked.push(RevokedWriter {
                identity: who,
                cutoffs: vec![(who, 3)],
                role: Some(Role::Counselor),
                at: at.clone(),
            }),
        }
        h.clock = at;
        h.version += 1;
        h
    }

    #[test]
    fn merging_is_the_same_in_any_order_and_a_revocation_wins_over_an_unseen_grant() {
        let b = base();
        let on_laptop = edit(&b, L, Y, Some(Role::Family));
        let on_phone = edit(&b, P, X, None);
        let on_tablet = edit(&b, T, X, Some(Role::Provider));
        let hs = [on_laptop, on_phone, on_tablet];
        assert_eq!(hs[0].succession(&hs[1]), Succession::Concurrent);
        let ab = hs[0].merge(&hs[1]);
        assert_eq!(ab, hs[1].merge(&hs[0]), "commutative");
        assert_eq!(ab.merge(&ab), ab, "idempotent");
        assert!(
            !ab.may_write(&X),
            "the phone's revocation wins over the laptop's older grant"
        );
        assert!(ab.may_write(&Y), "the laptop's grant of Y holds");
        for (a, b, c) in [(0, 1, 2), (1, 2, 0), (2, 0, 1), (0, 2, 1)] {
            let left = hs[a].merge(&hs[b]).merge(&hs[c]);
            let right = hs[a].merge(&hs[b].merge(&hs[c]));
            assert!(left.same_access(&right), "associative: {a}{b}{c}");
            assert!(
                left.same_access(&hs[0].merge(&hs[1]).merge(&hs[2])),
                "any order: {a}{b}{c}"
            );
        }
        // The tablet's new grant of X did not see the phone's revocation: revoked.
        let all = hs[0].merge(&hs[1]).merge(&hs[2]);
        assert!(!all.may_write(&X));
        // A grant made after seeing the revocation wins over it.
        let regrant = edit(&all, L, X, Some(Role::Counselor));
        assert_eq!(all.succession(&regrant), Succession::Newer);
        assert!(regrant.merge(&hs[1]).may_write(&X));
        assert_eq!(regrant.merge(&hs[1]).role_of(&X), Some(Role::Counselor));
    }
}
