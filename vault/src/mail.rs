//! Mail for a postbus: changes sealed so that only the devices a consent
//! names can read them, left at an always-on node while the reader is away.
//!
//! # What a postbus holds
//!
//! A citizen chooses a postbus (her municipality's, a wijkteam's, a box at
//! home) and signs a [`PostbusRoster`] for it: per identity she shares with,
//! its devices and *tags* of the documents it may read ([`doc_tag`]: a hash
//! of owner and id). The roster follows her consents: it is rebuilt from them
//! ([`Vault::postbus_roster`]), so a revoked consent drops the peer from it.
//!
//! Whoever writes to one of her documents (she, her counselor, her other
//! devices) seals the changes it made for the devices the roster names as
//! readers of that document, and deposits them there. The mail is what a
//! sync session's `Changes` frame carries — the owner-signed header, the
//! certificates and the signed changes — so the reader imports it through the
//! same gate as anything that arrives by sync ([`Vault::receive_mail`]):
//! nothing a postbus (or a forged roster) hands over can place a change its
//! author may not write.
//!
//! # Sealing
//!
//! A device key is ed25519; its X25519 twin (`VerifyingKey::to_montgomery`,
//! the same conversion as libsodium's) is the key mail is sealed to. Per
//! envelope: a random content key encrypts the mail with XChaCha20-Poly1305;
//! an ephemeral X25519 key agrees a secret with each recipient, from which
//! SHA-256 derives a key that wraps the content key. The recipient list is
//! bound into the ciphertext as associated data. The postbus learns the
//! owner, the depositing and receiving devices, sizes and times; never the
//! document, the header or a change.

use std::collections::BTreeMap;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use curve25519_dalek::montgomery::MontgomeryPoint;
use inwonercloud_schemas::{CertifiedDevice, DocumentHeader, PostbusRoster, PublicKey, RosterMember, Signed};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::change::SignedChange;
use crate::error::{Result, VaultError};
use crate::keys::{self, SecretKey};
use crate::vault::{ImportReport, Vault};

/// Format byte of a sealed envelope.
const ENVELOPE_V1: u8 = 1;
/// Most recipients one envelope may name.
pub const MAX_RECIPIENTS: usize = 256;
/// Largest plaintext one envelope may carry (the postbus takes 4 MiB).
pub const MAX_MAIL: usize = 3 * 1024 * 1024;
/// Most changes one envelope carries (as in one sync frame).
pub const MAX_CHANGES: usize = 1000;
const WRAPPED_LEN: usize = 32 + 16;
const NONCE_LEN: usize = 24;

/// Where a postbus is reached: its endpoint id, direct addresses and relays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostbusAddr {
    /// The postbus's endpoint id.
    pub endpoint: PublicKey,
    /// Direct addresses (`ip:port`).
    pub addrs: Vec<String>,
    /// Relay URLs it keeps a home on.
    pub relays: Vec<String>,
}

impl std::fmt::Display for PostbusAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.endpoint, self.addrs.join(","))?;
        if !self.relays.is_empty() {
            write!(f, ";relay={}", self.relays.join(","))?;
        }
        Ok(())
    }
}

impl std::str::FromStr for PostbusAddr {
    type Err = VaultError;

    fn from_str(s: &str) -> Result<Self> {
        let bad = |why: &str| VaultError::BadPostbusAddr {
            given: s.chars().take(200).collect(),
            why: why.into(),
        };
        let s = s.trim();
        let (main, relays) = match s.split_once(";relay=") {
            Some((m, r)) => (m, r),
            None => (s, ""),
        };
        let (id, addrs) = main
            .split_once('@')
            .ok_or_else(|| bad("the '@' after the endpoint id is missing"))?;
        let endpoint: PublicKey = id
            .trim()
            .parse()
            .map_err(|_| bad("the endpoint id is not 64 hex digits"))?;
        keys::checked_key(&endpoint).map_err(|_| bad("the endpoint id is not a usable key"))?;
        let addrs: Vec<String> = addrs
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect();
        if let Some(a) = addrs.iter().find(|a| a.parse::<std::net::SocketAddr>().is_err()) {
            return Err(bad(&format!("'{a}' is not an address like 192.0.2.1:4433")));
        }
        let relays: Vec<String> = relays
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect();
        if let Some(r) = relays
            .iter()
            .find(|r| !(r.starts_with("http://") || r.starts_with("https://")))
        {
            return Err(bad(&format!("'{r}' is not a relay URL (http:// or https://)")));
        }
        if addrs.is_empty() && relays.is_empty() {
            return Err(bad("it names neither an address nor a relay"));
        }
        if addrs.len() > 8 || relays.len() > 8 {
            return Err(bad("more than 8 addresses or relays"));
        }
        Ok(Self {
            endpoint,
            addrs,
            relays,
        })
    }
}

/// The tag a roster names a document by: the first 16 bytes of
/// SHA-256(`"inwonercloud/postbus-doc\0"` ‖ owner ‖ document id), in hex.
pub fn doc_tag(owner: &PublicKey, doc: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"inwonercloud/postbus-doc\0");
    h.update(owner.as_bytes());
    h.update(doc.as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// What one envelope carries: the same as a sync `Changes` frame, with the
/// header that lets the reader check it.
#[derive(Clone, Debug)]
pub struct Mail {
    /// The document's owner-signed header, as the depositor held it.
    pub header: Signed<DocumentHeader>,
    /// Certificates of the devices that signed the changes.
    pub certs: Vec<CertifiedDevice>,
    /// The signed changes.
    pub changes: Vec<SignedChange>,
}

#[derive(Serialize, Deserialize)]
struct MailHead {
    header: Signed<DocumentHeader>,
    certs: Vec<CertifiedDevice>,
}

impl Mail {
    /// `u32 head length | JSON {header, certs} | u32 count | count × (u32 length | signed change)`.
    pub fn encode(&self) -> Result<Vec<u8>> {
        let head = serde_json::to_vec(&MailHead {
            header: self.header.clone(),
            certs: self.certs.clone(),
        })
        .map_err(|e| VaultError::Mail(format!("cannot encode: {e}")))?;
        let mut out =
            Vec::with_capacity(head.len() + 8 + self.changes.iter().map(|c| c.bytes.len() + 104).sum::<usize>());
        out.extend_from_slice(&len32(head.len())?.to_be_bytes());
        out.extend_from_slice(&head);
        out.extend_from_slice(&len32(self.changes.len())?.to_be_bytes());
        for c in &self.changes {
            let b = c.encode();
            out.extend_from_slice(&len32(b.len())?.to_be_bytes());
            out.extend_from_slice(&b);
        }
        Ok(out)
    }

    /// Reads [`encode`](Self::encode)'s output; refuses anything malformed.
    pub fn decode(mut data: &[u8]) -> Result<Self> {
        let head_len = take_u32(&mut data)? as usize;
        let head = take(&mut data, head_len)?;
        let head: MailHead = serde_json::from_slice(head)
            .map_err(|e| VaultError::Mail(format!("the mail's header is unreadable: {e}")))?;
        let count = take_u32(&mut data)? as usize;
        if count > MAX_CHANGES {
            return Err(VaultError::Mail(format!("{count} changes in one envelope is too many")));
        }
        let mut changes = Vec::with_capacity(count);
        for _ in 0..count {
            let n = take_u32(&mut data)? as usize;
            let c = SignedChange::decode(take(&mut data, n)?).map_err(VaultError::Mail)?;
            changes.push(c);
        }
        if !data.is_empty() {
            return Err(VaultError::Mail(format!("{} bytes after the last change", data.len())));
        }
        Ok(Self {
            header: head.header,
            certs: head.certs,
            changes,
        })
    }
}

fn len32(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| VaultError::Mail("too large".into()))
}

fn take<'a>(data: &mut &'a [u8], n: usize) -> Result<&'a [u8]> {
    if data.len() < n {
        return Err(VaultError::Mail("the envelope ends early".into()));
    }
    let (a, b) = data.split_at(n);
    *data = b;
    Ok(a)
}

fn take_u32(data: &mut &[u8]) -> Result<u32> {
    let b = take(data, 4)?;
    Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| VaultError::Storage(format!("no randomness available: {e}")))?;
    Ok(b)
}

fn kek(shared: &[u8; 32], ephemeral: &[u8; 32], recipient: &PublicKey) -> Zeroizing<[u8; 32]> {
    let mut h = Sha256::new();
    h.update(b"inwonercloud/postbus/kek\0");
    h.update(shared);
    h.update(ephemeral);
    h.update(recipient.as_bytes());
    Zeroizing::new(h.finalize().into())
}

/// Seals `plain` so that only `recipients` (device keys) can open it.
///
/// Layout: `0x01 | ephemeral X25519 key (32) | u16 count | count × (device
/// (32) | wrapped content key (48)) | nonce (24) | ciphertext`; everything
/// before the nonce is associated data of the ciphertext.
pub fn seal(plain: &[u8], recipients: &[PublicKey]) -> Result<Vec<u8>> {
    if recipients.is_empty() || recipients.len() > MAX_RECIPIENTS {
        return Err(VaultError::Mail(format!(
            "an envelope needs 1 to {MAX_RECIPIENTS} recipients, not {}",
            recipients.len()
        )));
    }
    let content = Zeroizing::new(random::<32>()?);
    let eph = Zeroizing::new(random::<32>()?);
    let eph_pub = MontgomeryPoint::mul_base_clamped(*eph).to_bytes();
    let mut out = Vec::with_capacity(plain.len() + 64 + recipients.len() * 80);
    out.push(ENVELOPE_V1);
    out.extend_from_slice(&eph_pub);
    out.extend_from_slice(&(recipients.len() as u16).to_be_bytes());
    for r in recipients {
        let point = keys::checked_key(r)?.to_montgomery();
        let shared = Zeroizing::new(point.mul_clamped(*eph).to_bytes());
        if shared.iter().all(|b| *b == 0) {
            return Err(VaultError::Mail(format!(
                "device key {} cannot receive mail",
                r.short()
            )));
        }
        let wrap = XChaCha20Poly1305::new(&(*kek(&shared, &eph_pub, r)).into());
        // The wrapping key is used once (a fresh ephemeral key per envelope):
        // a zero nonce is safe.
        let wrapped = wrap
            .encrypt(&XNonce::default(), content.as_slice())
            .map_err(|_| VaultError::Mail("sealing failed".into()))?;
        out.extend_from_slice(r.as_bytes());
        out.extend_from_slice(&wrapped);
    }
    let nonce = random::<NONCE_LEN>()?;
    let aad = out.clone();
    out.extend_from_slice(&nonce);
    let body = XChaCha20Poly1305::new(&(*content).into())
        .encrypt(&XNonce::from(nonce), Payload { msg: plain, aad: &aad })
        .map_err(|_| VaultError::Mail("sealing failed".into()))?;
    out.extend_from_slice(&body);
    Ok(out)
}

/// The recipients an envelope names (readable by anyone, the postbus too).
pub fn recipients(blob: &[u8]) -> Result<Vec<PublicKey>> {
    Ok(parse_envelope(blob)?.1.into_iter().map(|(k, _)| k).collect())
}

type Parsed<'a> = ([u8; 32], Vec<(PublicKey, &'a [u8])>, usize);

fn parse_envelope(blob: &[u8]) -> Result<Parsed<'_>> {
    let short = || VaultError::Mail("the envelope is cut short".into());
    if blob.first() != Some(&ENVELOPE_V1) {
        return Err(VaultError::Mail("not a postbus envelope (unknown format)".into()));
    }
    let eph: [u8; 32] = blob.get(1..33).ok_or_else(short)?.try_into().map_err(|_| short())?;
    let count = u16::from_be_bytes(blob.get(33..35).ok_or_else(short)?.try_into().map_err(|_| short())?) as usize;
    if count == 0 || count > MAX_RECIPIENTS {
        return Err(VaultError::Mail(format!("an envelope with {count} recipients")));
    }
    let mut at = 35;
    let mut list = Vec::with_capacity(count);
    for _ in 0..count {
        let key = PublicKey::try_from(blob.get(at..at + 32).ok_or_else(short)?).map_err(|_| short())?;
        let wrapped = blob.get(at + 32..at + 32 + WRAPPED_LEN).ok_or_else(short)?;
        list.push((key, wrapped));
        at += 32 + WRAPPED_LEN;
    }
    if blob.len() < at + NONCE_LEN + 16 {
        return Err(short());
    }
    Ok((eph, list, at))
}

/// Opens an envelope sealed to `device`'s key.
pub fn open(blob: &[u8], device: &SecretKey) -> Result<Vec<u8>> {
    let (eph, list, at) = parse_envelope(blob)?;
    let me = device.public();
    let wrapped = list
        .iter()
        .find(|(k, _)| *k == me)
        .map(|(_, w)| *w)
        .ok_or_else(|| VaultError::Mail("this envelope is not addressed to this device".into()))?;
    let shared = Zeroizing::new(device.x25519(&MontgomeryPoint(eph)));
    let wrap = XChaCha20Poly1305::new(&(*kek(&shared, &eph, &me)).into());
    let content = Zeroizing::new(wrap.decrypt(&XNonce::default(), wrapped).map_err(|_| {
        VaultError::Mail("the envelope's key does not open (damaged, or not sealed for this device)".into())
    })?);
    let key: Zeroizing<[u8; 32]> = Zeroizing::new(
        content
            .as_slice()
            .try_into()
            .map_err(|_| VaultError::Mail("the envelope's key has the wrong length".into()))?,
    );
    let nonce: [u8; NONCE_LEN] = blob[at..at + NONCE_LEN]
        .try_into()
        .map_err(|_| VaultError::Mail("the envelope is cut short".into()))?;
    XChaCha20Poly1305::new(&(*key).into())
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: &blob[at + NONCE_LEN..],
                aad: &blob[..at],
            },
        )
        .map_err(|_| VaultError::Mail("the envelope was altered on the way (its seal does not verify)".into()))
}

/// Mail ready to deposit: the sealed envelope and what it covers.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// The document.
    pub doc: String,
    /// Who can open it.
    pub recipients: Vec<PublicKey>,
    /// The sealed envelope.
    pub blob: Vec<u8>,
    /// This device's change count in the document once it is delivered.
    pub upto: u64,
    /// How many changes it carries.
    pub changes: usize,
}

const SETTING_POSTBUS: &str = "postbus";
fn sent_key(postbus: &PublicKey) -> String {
    format!("postbus_sent:{postbus}")
}
fn roster_key(postbus: &PublicKey) -> String {
    format!("postbus_roster:{postbus}")
}

impl Vault {
    /// The postbus this vault's owner chose, if any.
    pub fn postbus(&self) -> Result<Option<PostbusAddr>> {
        self.setting(SETTING_POSTBUS)?
            .filter(|s| !s.is_empty())
            .map(|s| s.parse())
            .transpose()
    }

    /// Chooses (or with `None` stops using) a postbus. Peers learn it at the
    /// next session. What this device wrote before goes by sync, as it did
    /// ([`Vault::begin_mail`]).
    pub fn set_postbus(&self, addr: Option<&PostbusAddr>) -> Result<()> {
        if let Some(a) = addr {
            self.begin_mail(&a.endpoint, &self.identity())?;
        }
        self.set_setting(SETTING_POSTBUS, &addr.map(|a| a.to_string()).unwrap_or_default())
    }

    /// Starts mail for `owner`'s documents at `postbus` from now: what this
    /// device wrote in them so far counts as delivered there (it went, or
    /// goes, by sync — a postbus is learned in a session, which exchanged
    /// it), so choosing a postbus does not re-send a whole history. A
    /// document already counted there keeps its count.
    pub fn begin_mail(&self, postbus: &PublicKey, owner: &PublicKey) -> Result<()> {
        let me = self.device_key().public();
        let mut sent = self.mail_sent(postbus)?;
        let mut changed = false;
        for id in self.document_ids() {
            if self.header(&id).map(|h| &h.owner != owner).unwrap_or(true) || sent.contains_key(&id) {
                continue;
            }
            let mine = self.version_vector(&id)?.get(&me).copied().unwrap_or(0);
            sent.insert(id, mine);
            changed = true;
        }
        if !changed {
            return Ok(());
        }
        let text = serde_json::to_string(&sent).map_err(|e| VaultError::Mail(e.to_string()))?;
        self.set_setting(&sent_key(postbus), &text)
    }

    /// The postbus of `identity`: this vault's own, or the one a peer announced.
    pub fn postbus_of(&self, identity: &PublicKey) -> Option<PostbusAddr> {
        if identity == &self.identity()
            && let Some(own) = self.postbus().ok().flatten()
        {
            return Some(own);
        }
        // A peer's announcement — or, for this identity, what another of
        // its devices announced.
        self.peer(identity).ok().flatten()?.postbus?.parse().ok()
    }

    /// The owners of held documents that have a postbus, with its address
    /// (this vault's own identity first when it has one).
    pub fn mail_owners(&self) -> Vec<(PublicKey, PostbusAddr)> {
        let me = self.identity();
        let mut owners: Vec<PublicKey> = vec![me];
        for id in self.document_ids() {
            if let Ok(h) = self.header(&id)
                && !owners.contains(&h.owner)
            {
                owners.push(h.owner);
            }
        }
        owners
            .into_iter()
            .filter_map(|o| self.postbus_of(&o).map(|p| (o, p)))
            .collect()
    }

    /// The roster this owner gives `postbus`, rebuilt from her consents:
    /// her own devices read everything she owns; each peer reads what
    /// [`Vault::documents_for_peer`] would send it of her documents.
    pub fn postbus_roster(&self, postbus: &PublicKey) -> Result<Signed<PostbusRoster>> {
        let me = self.identity();
        let own_docs: Vec<String> = self
            .document_ids()
            .into_iter()
            .filter(|d| self.header(d).map(|h| h.owner == me).unwrap_or(false))
            .collect();
        let (live, revoked): (Vec<PublicKey>, Vec<PublicKey>) = self
            .devices_of(&me)
            .into_iter()
            .partition(|d| !self.is_device_revoked(&me, d));
        let mut members = vec![RosterMember {
            identity: me,
            devices: live,
            docs: own_docs.iter().map(|d| doc_tag(&me, d)).collect(),
        }];
        for peer in self.peers()? {
            if peer.identity == me {
                continue;
            }
            let docs: Vec<String> = self
                .documents_for_peer(&peer.identity)?
                .into_iter()
                .filter(|d| own_docs.contains(d))
                .map(|d| doc_tag(&me, &d))
                .collect();
            let devices: Vec<PublicKey> = peer
                .devices
                .iter()
                .copied()
                .filter(|d| !self.is_device_revoked(&peer.identity, d))
                .take(inwonercloud_schemas::postbus::MAX_MEMBER_DEVICES)
                .collect();
            if docs.is_empty() || devices.is_empty() {
                continue;
            }
            members.push(RosterMember {
                identity: peer.identity,
                devices,
                docs,
            });
        }
        members.truncate(inwonercloud_schemas::postbus::MAX_ROSTER_MEMBERS);
        // Above every roster given before, even when the clock went back.
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        let version = now_ms.max(self.roster_version_given(postbus).saturating_add(1));
        let roster = PostbusRoster {
            owner: me,
            postbus: *postbus,
            version,
            members,
            revoked_devices: revoked,
        };
        Ok(keys::sign_record(
            roster,
            self.device_key(),
            self.device_certificate(),
            keys::now(),
        ))
    }

    /// Whether `roster` must be given to `postbus` again: its members differ
    /// from the last one given there (see [`Vault::roster_given`]).
    pub fn roster_changed(&self, postbus: &PublicKey, roster: &PostbusRoster) -> bool {
        let given = self.setting(&roster_key(postbus)).ok().flatten().unwrap_or_default();
        given.split_once(':').map(|(f, _)| f) != Some(roster_fingerprint(roster).as_str())
    }

    /// Notes that `postbus` holds `roster`.
    pub fn roster_given(&self, postbus: &PublicKey, roster: &PostbusRoster) -> Result<()> {
        self.set_setting(
            &roster_key(postbus),
            &format!("{}:{}", roster_fingerprint(roster), roster.version),
        )
    }

    /// Forgets that `postbus` holds a roster (it said it has none): the next
    /// round gives it again. The version given stays, so the next is higher.
    pub fn roster_lost(&self, postbus: &PublicKey) -> Result<()> {
        let version = self.roster_version_given(postbus);
        self.set_setting(&roster_key(postbus), &format!("-:{version}"))
    }

    fn roster_version_given(&self, postbus: &PublicKey) -> u64 {
        self.setting(&roster_key(postbus))
            .ok()
            .flatten()
            .and_then(|s| s.split_once(':').and_then(|(_, v)| v.parse().ok()))
            .unwrap_or(0)
    }

    /// Checks a roster a postbus handed over for `owner`: signed by a
    /// device of `owner` that this vault does not know as revoked, made for
    /// this postbus, and not older than one this vault saw there before. A
    /// postbus cannot add readers to someone's roster, nor bring back one
    /// the owner has since removed.
    pub fn check_roster(&self, r: &Signed<PostbusRoster>, owner: &PublicKey, postbus: &PublicKey) -> Result<()> {
        keys::verify_record(r)?;
        let bad = |why: String| VaultError::Mail(format!("the postbus handed over a roster that {why}"));
        if r.author() != owner || &r.record.owner != owner {
            return Err(bad(format!("is not signed by its owner {}", owner.short())));
        }
        if &r.record.postbus != postbus {
            return Err(bad("was made for another postbus".into()));
        }
        if self.is_device_revoked(owner, &r.device.certificate.device)
            || r.record.revoked_devices.contains(&r.device.certificate.device)
        {
            return Err(bad("was signed by a revoked device".into()));
        }
        r.record
            .within_bounds()
            .map_err(|e| bad(format!("is out of bounds: {e}")))?;
        // Never an older roster than one seen before: a postbus that hands
        // back a roster from before a revocation does not get the revoked
        // reader sealed to again.
        let key = format!("postbus_seen:{postbus}:{owner}");
        let seen: u64 = self.setting(&key)?.and_then(|s| s.parse().ok()).unwrap_or(0);
        if r.record.version < seen {
            return Err(bad(format!(
                "is older ({}) than one seen before ({seen}): it may name readers the owner has since removed",
                r.record.version
            )));
        }
        if r.record.version > seen {
            self.set_setting(&key, &r.record.version.to_string())?;
        }
        Ok(())
    }

    /// The changes this device made to `doc` that it has not yet left at
    /// `postbus`, sealed for the readers `roster` names (this device
    /// excluded). `None` when there is nothing new or no one else to read it.
    pub fn outgoing_mail(&self, doc: &str, postbus: &PublicKey, roster: &PostbusRoster) -> Result<Option<Outgoing>> {
        let me = self.device_key().public();
        let mut have = self.version_vector(doc)?;
        let mine = have.get(&me).copied().unwrap_or(0);
        let sent = self.mail_sent(postbus)?.get(doc).copied().unwrap_or(0);
        if mine <= sent {
            return Ok(None);
        }
        let recipients: Vec<PublicKey> = roster
            .readers(&doc_tag(&roster.owner, doc))
            .into_iter()
            .filter(|d| d != &me)
            .take(MAX_RECIPIENTS)
            .collect();
        if recipients.is_empty() {
            return Ok(None);
        }
        // Everyone else's changes count as had: only this device's go.
        for v in have.values_mut() {
            *v = u64::MAX;
        }
        have.insert(me, sent);
        let rows = self.missing_rows(doc, &have)?;
        let mut changes = self.changes_at(doc, &rows)?;
        changes.retain(|c| c.signer == me);
        // Stay within one envelope; the rest goes in the next round.
        let mut size = 0usize;
        let mut keep = 0usize;
        for c in &changes {
            size += c.bytes.len() + 104;
            if keep > 0 && (size > MAX_MAIL || keep >= MAX_CHANGES) {
                break;
            }
            keep += 1;
        }
        changes.truncate(keep);
        if changes.is_empty() {
            return Ok(None);
        }
        // The highest sequence number sent, taken from the changes themselves.
        let upto = changes
            .iter()
            .filter_map(|c| c.parse().ok().map(|ch| ch.seq()))
            .max()
            .unwrap_or(sent + changes.len() as u64);
        let mail = Mail {
            header: self.signed_header(doc)?,
            certs: self.certificates_for(doc, &changes)?,
            changes,
        };
        let blob = seal(&mail.encode()?, &recipients)?;
        Ok(Some(Outgoing {
            doc: doc.to_string(),
            recipients,
            blob,
            upto,
            changes: mail.changes.len(),
        }))
    }

    /// Per document, how many of this device's changes were left at `postbus`.
    pub fn mail_sent(&self, postbus: &PublicKey) -> Result<BTreeMap<String, u64>> {
        Ok(self
            .setting(&sent_key(postbus))?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }

    /// Notes that `postbus` took this device's changes to `doc` up to `upto`.
    pub fn note_mail_sent(&self, postbus: &PublicKey, doc: &str, upto: u64) -> Result<()> {
        let mut sent = self.mail_sent(postbus)?;
        let n = sent.entry(doc.to_string()).or_default();
        *n = (*n).max(upto);
        let text = serde_json::to_string(&sent).map_err(|e| VaultError::Mail(e.to_string()))?;
        self.set_setting(&sent_key(postbus), &text)
    }

    /// How many changes of this device wait to be left at a postbus, per document.
    pub fn mail_waiting(&self) -> Vec<(String, u64)> {
        let me = self.device_key().public();
        let mut out = vec![];
        for (owner, pb) in self.mail_owners() {
            let sent = self.mail_sent(&pb.endpoint).unwrap_or_default();
            for id in self.document_ids() {
                if self.header(&id).map(|h| h.owner != owner).unwrap_or(true) {
                    continue;
                }
                let mine = self
                    .version_vector(&id)
                    .ok()
                    .and_then(|v| v.get(&me).copied())
                    .unwrap_or(0);
                let done = sent.get(&id).copied().unwrap_or(0);
                if mine > done {
                    out.push((id, mine - done));
                }
            }
        }
        out
    }

    /// Opens an envelope addressed to this device and imports what it
    /// holds through the same gate as a sync session (signatures, actor =
    /// signer, certified device, the header's write rule), all or nothing.
    ///
    /// Mail is taken only for a document this vault would take from its
    /// owner in a session (rule D1: one it holds, its own, or one of an
    /// identity it admitted): a stranger who registers a roster naming this
    /// device, or a postbus, cannot plant documents here.
    pub fn receive_mail(&mut self, blob: &[u8], from: &str) -> Result<ImportReport> {
        let plain = open(blob, self.device_key())?;
        let mail = Mail::decode(&plain)?;
        let h = &mail.header.record;
        if !self.accepts_document_from(&h.owner, h) {
            let r = crate::refusal::Refusal::NotAdmitted { owner: h.owner };
            return Err(self.refuse(&h.id, "-", r, from));
        }
        let report = self.import_changes(&mail.header, &mail.certs, &mail.changes, from)?;
        self.note_exchange(
            &h.owner,
            from,
            &h.id,
            crate::Direction::Received,
            report.applied,
            blob.len(),
        );
        Ok(report)
    }
}

fn roster_fingerprint(r: &PostbusRoster) -> String {
    let mut h = Sha256::new();
    h.update(inwonercloud_schemas::canonical_bytes(&PostbusRoster {
        version: 0,
        ..r.clone()
    }));
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretKey {
        SecretKey::generate().unwrap()
    }

    #[test]
    fn only_a_named_device_opens_an_envelope() {
        let (a, b, c) = (key(), key(), key());
        let blob = seal(b"het plan van Sanne", &[a.public(), b.public()]).unwrap();
        assert_eq!(open(&blob, &a).unwrap(), b"het plan van Sanne");
        assert_eq!(open(&blob, &b).unwrap(), b"het plan van Sanne");
        assert!(open(&blob, &c).is_err());
        assert!(!blob.windows(5).any(|w| w == b"plan "));
        assert_eq!(recipients(&blob).unwrap(), vec![a.public(), b.public()]);
    }

    #[test]
    fn an_altered_envelope_does_not_open() {
        let a = key();
        let blob = seal(b"geheim", &[a.public()]).unwrap();
        for i in [0, 5, 40, blob.len() - 1] {
            let mut bad = blob.clone();
            bad[i] ^= 1;
            assert!(open(&bad, &a).is_err(), "flipping byte {i} went unnoticed");
        }
        assert!(open(&blob[..blob.len() - 3], &a).is_err());
        assert!(open(&[], &a).is_err());
        // Swapping the recipient list (the postbus could try) breaks the seal.
        let b = key();
        let mut swapped = blob.clone();
        swapped[35..67].copy_from_slice(b.public().as_bytes());
        assert!(open(&swapped, &b).is_err());
    }

    #[test]
    fn no_recipients_or_a_weak_key_is_refused() {
        assert!(seal(b"x", &[]).is_err());
        assert!(seal(b"x", &[PublicKey([0; 32])]).is_err());
    }

    #[test]
    fn postbus_addresses_round_trip_and_bad_ones_say_why() {
        let k = key().public();
        let text = format!("{k}@127.0.0.1:4433,[::1]:4433;relay=https://relay.example.nl");
        let a: PostbusAddr = text.parse().unwrap();
        assert_eq!(a.addrs.len(), 2);
        assert_eq!(a.to_string(), text);
        for bad in [
            "",
            "abc@1.2.3.4:1",
            &format!("{k}@nowhere"),
            &format!("{k}@"),
            &format!("{k}@1.2.3.4:5;relay=ftp://x"),
        ] {
            let e = bad.parse::<PostbusAddr>().unwrap_err().to_string();
            assert!(e.contains("postbus address"), "{bad}: {e}");
        }
    }

    #[test]
    fn mail_decoding_refuses_garbage() {
        assert!(Mail::decode(&[]).is_err());
        assert!(Mail::decode(&[0, 0, 0, 2, b'{', b'}']).is_err());
        assert!(Mail::decode(&[0xff, 0xff, 0xff, 0xff]).is_err());
    }
}
