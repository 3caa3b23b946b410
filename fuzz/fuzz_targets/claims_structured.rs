//! Claims built from a structured spec (an `Arbitrary` value, not bytes):
//! every record is *genuinely signed* with deterministic keys, so the
//! fuzzer gets past the signature checks and exercises the grant, amount,
//! units and de-duplication rules of `check_claims`.
//!
//! The spec picks a few key seeds (a municipality, a fake municipality with
//! the same name and role, two citizens, a provider), some grant chains
//! (amounts huge, zero or negative; wrong signers, references, outcomes;
//! each chain repeated up to four times, cloned or re-signed), agreements
//! and up to eight claims (declaration ids reused, wrong signers, approvals
//! of another version, records changed after signing, a subset of the grant
//! chains per bundle). Only the real municipality is trusted.
//!
//! What must hold (a panic is a finding):
//! 1. `check_claims` never panics.
//! 2. Per (citizen, account), the valid claims add up to no more than the
//!    de-duplicated sum of the trusted grants (each (signer, entry id) once,
//!    its largest amount if there are two versions, none beyond
//!    MAX_ENTRY_AMOUNT) in the whole file: a bundle that leaves out a trusted
//!    downward adjustment another bundle carries gains nothing by it.
//! 3. No claim is valid unless its bundle holds a correctly signed grant
//!    chain of the trusted municipality for its citizen and account: a grant
//!    signed only by the fake municipality funds nothing.
//! 4. A valid claim has units > 0 and tariff > 0, and its amount is
//!    units × tariff rounded to the cent.
//! 5. No declaration (by provider and id) is valid twice.
#![no_main]
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;
use std::sync::LazyLock;

use arbitrary::{Arbitrary, Unstructured};
use inwonercloud_schemas::{
    AgreedService, Agreement, AgreementSignature, Approval, BudgetRequest, CertifiedDevice, Date, Decision,
    Declaration, EntryKind, FundingStream, Hash32, LedgerEntry, Outcome, PublicKey, Quantity, Role, ServiceUnit,
    Signed, Unit, Verdict,
};
use inwonercloud_vault::claims::{ClaimBundle, GrantChain, TrustRoots, check_claims};
use inwonercloud_vault::keys::{SecretKey, certify_device, record_hash, sign_record, verify_record};
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;

const MAX_CLAIMS: usize = 8;
const MAX_GRANT_SPECS: usize = 3;
const MAX_COPIES: u8 = 4;
const MAX_CHAINS: usize = 8;
const MAX_AGREEMENTS: usize = 3;
const MAX_SERVICES: usize = 3;

const CATEGORIES: [&str; 3] = ["begeleiding", "huishoudelijke_hulp", "vervoer"];
const ACCOUNTS: [&str; 2] = ["wmo-2026", "jeugd-2026"];
const OFFERINGS: [&str; 3] = ["o1", "o2", "o3"];
const DATES: [(u16, u8, u8); 8] = [
    (2026, 1, 1),
    (2026, 12, 31),
    (2026, 3, 1),
    (2026, 6, 30),
    (2026, 7, 1),
    (2025, 12, 31),
    (2027, 1, 1),
    (2026, 2, 28),
];
/// 2026-01-01, the base of every signing time.
const T0: u64 = 1_767_225_600;

/// Who signs (or is named in) a record.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Who {
    Municipality,
    Fake,
    CitizenA,
    CitizenB,
    Provider,
}

const ALL: [Who; 5] = [
    Who::Municipality,
    Who::Fake,
    Who::CitizenA,
    Who::CitizenB,
    Who::Provider,
];

impl Who {
    fn tag(self) -> u8 {
        self as u8 + 1
    }
    fn role(self) -> Role {
        match self {
            Who::Municipality | Who::Fake => Role::Municipality,
            Who::CitizenA | Who::CitizenB => Role::Citizen,
            Who::Provider => Role::Provider,
        }
    }
    fn name(self) -> &'static str {
        match self {
            // The fake calls itself exactly what the real one is called.
            Who::Municipality | Who::Fake => "Gemeente Oss",
            Who::CitizenA => "Anna",
            Who::CitizenB => "Bram",
            Who::Provider => "Zorg BV",
        }
    }
    fn citizen(b: bool) -> Who {
        if b { Who::CitizenB } else { Who::CitizenA }
    }
}

#[derive(Arbitrary, Debug)]
struct Seeds {
    municipality: u8,
    fake: u8,
    citizen_a: u8,
    citizen_b: u8,
    provider: u8,
}

impl Seeds {
    fn of(&self, w: Who) -> u8 {
        match w {
            Who::Municipality => self.municipality,
            Who::Fake => self.fake,
            Who::CitizenA => self.citizen_a,
            Who::CitizenB => self.citizen_b,
            Who::Provider => self.provider,
        }
    }
}

/// An identity key, a device key and the identity's certificate for it.
struct Party {
    identity: PublicKey,
    device: SecretKey,
    cert: CertifiedDevice,
}

thread_local! {
    /// Parties by (who, seed): deriving keys and certifying is done once.
    static PARTIES: RefCell<HashMap<(Who, u8), Rc<Party>>> = RefCell::new(HashMap::new());
}

/// Deterministic keys: `[seed; 32]` with the first byte telling the
/// parties apart (so the fake is never the real municipality).
fn party(who: Who, seed: u8) -> Rc<Party> {
    PARTIES.with(|p| {
        p.borrow_mut()
            .entry((who, seed))
            .or_insert_with(|| {
                let mut id = [seed; 32];
                id[0] = who.tag();
                let mut dev = [seed; 32];
                dev[0] = who.tag() | 0x80;
                let identity = SecretKey::from_bytes(&id);
                let device = SecretKey::from_bytes(&dev);
                let cert = certify_device(&identity, who.name(), who.role(), device.public(), "laptop", T0);
                Rc::new(Party {
                    identity: identity.public(),
                    device,
                    cert,
                })
            })
            .clone()
    })
}

/// A deviation from the honest record, present for about one input byte in
/// eight: random and mutated inputs keep most records as they should be,
/// and an all-zero input is entirely honest (and gives a valid claim).
#[derive(Debug, Clone, Copy)]
struct Rare<T>(Option<T>);

impl<'a, T: Arbitrary<'a>> Arbitrary<'a> for Rare<T> {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Rare(if u.arbitrary::<u8>()? >= 224 {
            Some(u.arbitrary()?)
        } else {
            None
        }))
    }
}

impl<T: Copy> Rare<T> {
    fn or(self, honest: T) -> T {
        self.0.unwrap_or(honest)
    }
}

impl Rare<()> {
    fn on(self) -> bool {
        self.0.is_some()
    }
}

/// A decimal from outside: small and plausible, or anything at all.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Dec {
    /// 1 to 256.
    Small(u8),
    Cents(u16),
    /// Any mantissa at any scale.
    Raw(i64, u32),
    Zero,
    Negative(u16),
    Max,
    Min,
    /// 10⁻²⁸.
    Tiny,
}

impl Dec {
    fn value(self) -> Decimal {
        match self {
            Dec::Small(n) => Decimal::from(u16::from(n) + 1),
            Dec::Cents(n) => Decimal::new(i64::from(n), 2),
            Dec::Raw(m, s) => Decimal::new(m, s % 29),
            Dec::Zero => Decimal::ZERO,
            Dec::Negative(n) => -Decimal::new(i64::from(n), 1),
            Dec::Max => Decimal::MAX,
            Dec::Min => Decimal::MIN,
            Dec::Tiny => Decimal::new(1, 28),
        }
    }
}

#[derive(Arbitrary, Debug, Clone, Copy)]
struct Period {
    start: u8,
    end: u8,
}

fn date(i: u8) -> Date {
    let (y, m, d) = DATES[usize::from(i) % DATES.len()];
    Date::new(y, m, d).expect("a real day")
}

/// A period; the honest one is the year 2026.
fn period(p: Rare<Period>) -> (Date, Date) {
    match p.0 {
        Some(p) => (date(p.start), date(p.end)),
        None => (date(0), date(1)),
    }
}

fn pick<'a>(list: &[&'a str], i: u8) -> &'a str {
    list[usize::from(i) % list.len()]
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum GrantKind {
    Adjustment,
    Spend,
    Grant,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum GrantOutcome {
    DeelsToegekend,
    Afgewezen,
    Toegekend,
}

/// One grant chain (entry, decision, request), possibly repeated.
#[derive(Arbitrary, Debug)]
struct GrantSpec {
    /// Entry id `g0`..`g3` (shifted by the spec's index: specs may share one).
    entry_id: u8,
    /// Who signs the entry; honest: the municipality.
    signer: Rare<Who>,
    /// Who signs the decision; honest: the entry's signer.
    decision_signer: Rare<Who>,
    /// Honest: a grant.
    kind: Rare<GrantKind>,
    amount: Dec,
    account: u8,
    /// The request's citizen (A or B).
    citizen_b: bool,
    /// Who signs the request; honest: that citizen.
    request_signer: Rare<Who>,
    category: u8,
    period: Rare<Period>,
    /// Honest: granted.
    outcome: Rare<GrantOutcome>,
    /// The entry refers to another decision.
    wrong_reference: Rare<()>,
    /// The decision answers another request.
    wrong_request: Rare<()>,
    /// Extra copies of the chain (total at most four).
    copies: u8,
    /// Copies are signed again (other time, other signature) instead of cloned.
    resign: bool,
    /// The first copy's entry amount is raised after signing.
    tamper: Rare<()>,
}

#[derive(Arbitrary, Debug)]
struct ServiceSpec {
    offering: u8,
    category: u8,
    tariff: Dec,
    max_units: Dec,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Countersign {
    Missing,
    By(Who),
    /// Over another agreement hash.
    OtherHash,
    /// For another agreement id.
    OtherId,
}

#[derive(Arbitrary, Debug)]
struct AgreementSpec {
    /// `a0`..`a2` (shifted by the spec's index: two may share an id).
    id: u8,
    citizen_b: bool,
    /// Who signs it; honest: its citizen.
    signer: Rare<Who>,
    /// The provider it names; honest: the provider.
    provider: Rare<Who>,
    account: u8,
    services: [ServiceSpec; MAX_SERVICES],
    /// 1 + this % 3 services.
    n_services: u8,
    period: Rare<Period>,
    /// Honest: countersigned by its provider.
    countersign: Rare<Countersign>,
    /// Changed after signing (and after the countersignature).
    tamper: Rare<()>,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum ApprovalKind {
    /// The hash of another version of the declaration (other units).
    OtherVersion,
    /// The right hash, another declaration id.
    OtherId,
    Disputed,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Tamper {
    /// Declaration units raised after signing and approval.
    Declaration,
    /// Approval changed after signing.
    Approval,
    /// Declaration signed by another device key than its certificate's.
    WrongDeviceKey,
}

#[derive(Arbitrary, Debug)]
struct ClaimSpec {
    agreement: u8,
    /// `d0`..`d3` (shifted by the claim's index): ids are reused.
    decl_id: u8,
    offering: u8,
    category: u8,
    units: Dec,
    tariff: Dec,
    period: Rare<Period>,
    /// Who signs the declaration; honest: the agreement's provider.
    signer: Rare<Who>,
    /// The declaration names another agreement.
    wrong_agreement: Rare<()>,
    /// Who approves; honest: the agreement's citizen.
    approver: Rare<Who>,
    /// Honest: approves exactly this declaration.
    approval: Rare<ApprovalKind>,
    tamper: Rare<Tamper>,
    /// Which grant chains the bundle carries (bit j: chain j); honest: all.
    grants: Rare<u8>,
}

#[derive(Debug)]
struct Spec {
    seeds: Seeds,
    grants: Vec<GrantSpec>,
    agreements: Vec<AgreementSpec>,
    claims: Vec<ClaimSpec>,
}

/// Counts first (each at least one), then that many of each part: an empty
/// input is one honest grant, agreement and claim.
impl<'a> Arbitrary<'a> for Spec {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let seeds = u.arbitrary()?;
        let some = |u: &mut Unstructured<'a>, max: usize| -> arbitrary::Result<usize> {
            Ok(1 + usize::from(u.arbitrary::<u8>()?) % max)
        };
        let (g, a, c) = (
            some(u, MAX_GRANT_SPECS)?,
            some(u, MAX_AGREEMENTS)?,
            some(u, MAX_CLAIMS)?,
        );
        Ok(Spec {
            seeds,
            grants: (0..g).map(|_| u.arbitrary()).collect::<arbitrary::Result<_>>()?,
            agreements: (0..a).map(|_| u.arbitrary()).collect::<arbitrary::Result<_>>()?,
            claims: (0..c).map(|_| u.arbitrary()).collect::<arbitrary::Result<_>>()?,
        })
    }
}

/// Signs with a party's certified device, at a fresh time each call.
struct Signer<'a> {
    seeds: &'a Seeds,
    clock: u64,
}

impl Signer<'_> {
    fn party(&self, w: Who) -> Rc<Party> {
        party(w, self.seeds.of(w))
    }
    fn key(&self, w: Who) -> PublicKey {
        self.party(w).identity
    }
    fn who(&self, key: &PublicKey) -> Who {
        ALL.into_iter().find(|w| &self.key(*w) == key).unwrap_or(Who::Provider)
    }
    fn sign<R: inwonercloud_schemas::Record>(&mut self, w: Who, record: R) -> Signed<R> {
        self.clock += 1;
        let p = self.party(w);
        sign_record(record, &p.device, &p.cert, self.clock)
    }
}

fn build_chains(s: &mut Signer, specs: &[GrantSpec]) -> Vec<GrantChain> {
    let mut chains = Vec::new();
    for (i, g) in specs.iter().enumerate() {
        let citizen = Who::citizen(g.citizen_b);
        let (start, end) = period(g.period);
        let amount = g.amount.value();
        let category = pick(&CATEGORIES, g.category).to_string();
        let request = BudgetRequest {
            id: format!("r{i}"),
            stream: FundingStream::Wmo,
            category: category.clone(),
            quantity: Quantity {
                amount,
                unit: Unit::Euro,
            },
            period_start: start,
            period_end: end,
            goal_ids: Vec::new(),
            motivation: String::new(),
            adjusts_account: None,
            categories: Vec::new(),
        };
        let decision = Decision {
            id: format!("b{i}"),
            request_id: if g.wrong_request.on() {
                "r-other".into()
            } else {
                request.id.clone()
            },
            outcome: match g.outcome.or(GrantOutcome::Toegekend) {
                GrantOutcome::Toegekend => Outcome::Toegekend,
                GrantOutcome::DeelsToegekend => Outcome::DeelsToegekend,
                GrantOutcome::Afgewezen => Outcome::Afgewezen,
            },
            granted: Some(request.quantity),
            reasons: String::new(),
            automated_rule: None,
            date: start,
            funding: Vec::new(),
            categories: Vec::new(),
        };
        let entry = LedgerEntry {
            id: format!("g{}", (i + usize::from(g.entry_id)) % 4),
            account: pick(&ACCOUNTS, g.account).to_string(),
            kind: match g.kind.or(GrantKind::Grant) {
                GrantKind::Grant => EntryKind::Grant,
                GrantKind::Adjustment => EntryKind::Adjustment,
                GrantKind::Spend => EntryKind::Spend,
            },
            amount,
            category: Some(category),
            date: start,
            note: String::new(),
            reference: Some(if g.wrong_reference.on() {
                "b-other".into()
            } else {
                decision.id.clone()
            }),
        };
        let entry_signer = g.signer.or(Who::Municipality);
        let decision_signer = g.decision_signer.or(entry_signer);
        let request_signer = g.request_signer.or(citizen);
        let first = GrantChain {
            entry: s.sign(entry_signer, entry.clone()),
            decision: s.sign(decision_signer, decision.clone()),
            request: s.sign(request_signer, request.clone()),
        };
        for k in 0..1 + g.copies % MAX_COPIES {
            if chains.len() == MAX_CHAINS {
                return chains;
            }
            let mut chain = if k > 0 && g.resign {
                GrantChain {
                    entry: s.sign(entry_signer, entry.clone()),
                    decision: s.sign(decision_signer, decision.clone()),
                    request: s.sign(request_signer, request.clone()),
                }
            } else {
                first.clone()
            };
            if k == 0 && g.tamper.on() {
                chain.entry.record.amount = chain
                    .entry
                    .record
                    .amount
                    .checked_add(Decimal::ONE_HUNDRED)
                    .unwrap_or(Decimal::MAX);
            }
            chains.push(chain);
        }
    }
    chains
}

/// An agreement as signed (and countersigned).
struct Built {
    agreement: Signed<Agreement>,
    countersignature: Option<Signed<AgreementSignature>>,
}

fn build_agreement(s: &mut Signer, i: usize, a: &AgreementSpec) -> Built {
    let citizen = Who::citizen(a.citizen_b);
    let provider = a.provider.or(Who::Provider);
    let (start, end) = period(a.period);
    let record = Agreement {
        id: format!("a{}", (i + usize::from(a.id)) % 3),
        citizen: s.key(citizen),
        provider: s.key(provider),
        account: pick(&ACCOUNTS, a.account).to_string(),
        services: a
            .services
            .iter()
            .take(1 + usize::from(a.n_services) % MAX_SERVICES)
            .enumerate()
            .map(|(j, x)| AgreedService {
                offering_id: OFFERINGS[(j + usize::from(x.offering)) % OFFERINGS.len()].to_string(),
                category: pick(&CATEGORIES, x.category).to_string(),
                unit: ServiceUnit::Uur,
                tariff: x.tariff.value(),
                tariff_unit: inwonercloud_schemas::Unit::Euro,
                max_units: x.max_units.value(),
            })
            .collect(),
        period_start: start,
        period_end: end,
        informal: false,
        member: None,
    };
    let mut agreement = s.sign(a.signer.or(citizen), record);
    let cs = |id: String, hash: Hash32| AgreementSignature {
        agreement_id: id,
        agreement_hash: hash,
    };
    let (id, hash) = (agreement.record.id.clone(), record_hash(&agreement));
    let countersignature = match a.countersign.0 {
        None => Some(s.sign(provider, cs(id, hash))),
        Some(Countersign::Missing) => None,
        Some(Countersign::By(w)) => Some(s.sign(w, cs(id, hash))),
        Some(Countersign::OtherHash) => Some(s.sign(provider, cs(id, Hash32([7; 32])))),
        Some(Countersign::OtherId) => Some(s.sign(provider, cs("a-other".into(), hash))),
    };
    if a.tamper.on() {
        agreement.record.account = "tampered".into();
    }
    Built {
        agreement,
        countersignature,
    }
}

/// The claims built from a spec, with what the checks below need.
struct Claims<'a> {
    bundles: Vec<ClaimBundle>,
    /// Per bundle: the indices (into `chains`) of the grant chains it carries.
    used_chains: Vec<Vec<usize>>,
    /// Every grant chain built.
    chains: Vec<GrantChain>,
    trust: TrustRoots,
    signer: Signer<'a>,
}

fn build(spec: &Spec) -> Option<Claims<'_>> {
    let mut s = Signer {
        seeds: &spec.seeds,
        clock: T0,
    };
    let chains = build_chains(&mut s, &spec.grants[..spec.grants.len().min(MAX_GRANT_SPECS)]);
    let agreements: Vec<Built> = spec
        .agreements
        .iter()
        .take(MAX_AGREEMENTS)
        .enumerate()
        .map(|(i, a)| build_agreement(&mut s, i, a))
        .collect();
    if agreements.is_empty() {
        return None;
    }
    let mut bundles = Vec::new();
    let mut used_chains = Vec::new();
    for (i, c) in spec.claims.iter().take(MAX_CLAIMS).enumerate() {
        let ag = &agreements[usize::from(c.agreement) % agreements.len()];
        let a = &ag.agreement.record;
        let (start, end) = period(c.period);
        let record = Declaration {
            id: format!("d{}", (i + usize::from(c.decl_id)) % 4),
            agreement_id: if c.wrong_agreement.on() {
                "a-other".into()
            } else {
                a.id.clone()
            },
            offering_id: pick(&OFFERINGS, c.offering).to_string(),
            category: pick(&CATEGORIES, c.category).to_string(),
            units: c.units.value(),
            tariff: c.tariff.value(),
            tariff_unit: inwonercloud_schemas::Unit::Euro,
            period_start: start,
            period_end: end,
            note: String::new(),
        };
        let decl_signer = c.signer.0.unwrap_or_else(|| s.who(&a.provider));
        let mut declaration = s.sign(decl_signer, record.clone());
        if let Some(Tamper::WrongDeviceKey) = c.tamper.0 {
            let other = s.party(Who::Fake);
            declaration.signature = other.device.sign(b"not the signing bytes of this record");
        }
        let mut hash = record_hash(&declaration);
        let mut declaration_id = record.id.clone();
        match c.approval.0 {
            Some(ApprovalKind::OtherVersion) => {
                let mut other = record.clone();
                other.units = other.units.checked_add(Decimal::ONE).unwrap_or(Decimal::ZERO);
                hash = record_hash(&s.sign(decl_signer, other));
            }
            Some(ApprovalKind::OtherId) => declaration_id = "d-other".into(),
            None | Some(ApprovalKind::Disputed) => {}
        }
        let verdict = match c.approval.0 {
            Some(ApprovalKind::Disputed) => Verdict::Betwist {
                reason: "niet geleverd".into(),
            },
            _ => Verdict::Goedgekeurd,
        };
        let approver = c.approver.0.unwrap_or_else(|| s.who(&a.citizen));
        let mut approval = s.sign(
            approver,
            Approval {
                id: format!("ap{}", bundles.len()),
                declaration_id,
                declaration_hash: hash,
                verdict,
            },
        );
        match c.tamper.0 {
            Some(Tamper::Declaration) => {
                declaration.record.units = declaration
                    .record
                    .units
                    .checked_mul(Decimal::TWO)
                    .unwrap_or(Decimal::MAX)
            }
            Some(Tamper::Approval) => approval.record.id.push('x'),
            None | Some(Tamper::WrongDeviceKey) => {}
        }
        let picked: Vec<usize> = (0..chains.len())
            .filter(|j| c.grants.0.is_none_or(|m| m & (1 << j) != 0))
            .collect();
        bundles.push(ClaimBundle {
            agreement: ag.agreement.clone(),
            countersignature: ag.countersignature.clone(),
            declaration,
            approval,
            grants: picked.iter().map(|&j| chains[j].clone()).collect(),
            cancellation: None,
            mandates: vec![],
            revocations: vec![],
        });
        used_chains.push(picked);
    }
    let trust = TrustRoots::new([s.key(Who::Municipality)]).expect("one key");
    Some(Claims {
        bundles,
        used_chains,
        chains,
        trust,
        signer: s,
    })
}

/// Whether chain `g` (its signatures checked to be `signed`) is a grant of
/// the trusted municipality `muni` to `citizen`'s `account`.
fn trusted_grant(g: &GrantChain, signed: bool, muni: &PublicKey, citizen: &PublicKey, account: &str) -> bool {
    let e = &g.entry.record;
    signed
        && g.entry.author() == muni
        && g.decision.author() == muni
        && matches!(e.kind, EntryKind::Grant | EntryKind::Adjustment)
        && e.account == account
        && e.reference.as_deref() == Some(g.decision.record.id.as_str())
        && g.decision.record.outcome != Outcome::Afgewezen
        && g.decision.record.request_id == g.request.record.id
        && g.request.author() == citizen
}

/// The de-duplicated total of the trusted grants to `citizen`'s `account`
/// among the chains `which`: each (signer, entry id) once, at its largest
/// amount if there are two versions (an upper bound of what `check_claims`
/// counts, which takes the first); `Decimal::MAX` if that overflows.
fn trusted_total(
    which: impl IntoIterator<Item = usize>,
    chains: &[GrantChain],
    signed: &[bool],
    muni: &PublicKey,
    citizen: &PublicKey,
    account: &str,
) -> Decimal {
    let mut per_grant: BTreeMap<(PublicKey, &str), Decimal> = BTreeMap::new();
    for j in which {
        let g = &chains[j];
        // Grants beyond MAX_ENTRY_AMOUNT fund nothing (check_claims leaves them out).
        let bounded = g.entry.record.amount.abs() <= Decimal::from(inwonercloud_schemas::MAX_ENTRY_AMOUNT);
        if bounded && trusted_grant(g, signed[j], muni, citizen, account) {
            let amount = g.entry.record.amount;
            per_grant
                .entry((*g.entry.author(), g.entry.record.id.as_str()))
                .and_modify(|x| *x = (*x).max(amount))
                .or_insert(amount);
        }
    }
    per_grant
        .values()
        .try_fold(Decimal::ZERO, |acc, x| acc.checked_add(*x))
        .unwrap_or(Decimal::MAX)
}

/// Invariant 2 over the grants of the whole file (the default, since
/// check_claims totals grants file-wide); `CLAIMS_STRUCTURED_PER_BUNDLE=1`
/// checks the weaker per-bundle bound instead.
static FILE_WIDE: LazyLock<bool> = LazyLock::new(|| std::env::var_os("CLAIMS_STRUCTURED_PER_BUNDLE").is_none());

fuzz_target!(|spec: Spec| {
    let Some(Claims {
        bundles,
        used_chains,
        chains,
        trust,
        signer: s,
    }) = build(&spec)
    else {
        return;
    };
    // (1) never a panic.
    let report = check_claims(&bundles, &trust);
    assert_eq!(report.claims.len(), bundles.len(), "one verdict per claim");
    if report.valid_count() == 0 {
        return;
    }
    let muni = s.key(Who::Municipality);
    // Each chain's three signatures, checked here independently of check_claims.
    let signed: Vec<bool> = chains
        .iter()
        .map(|g| {
            verify_record(&g.entry).is_ok() && verify_record(&g.decision).is_ok() && verify_record(&g.request).is_ok()
        })
        .collect();

    // Per (citizen, account): the valid claims' sum and the last valid claim.
    let mut claimed: BTreeMap<(PublicKey, String), (Decimal, usize)> = BTreeMap::new();
    let mut counted: BTreeSet<(PublicKey, String)> = BTreeSet::new();
    for (i, (b, r)) in bundles.iter().zip(&report.claims).enumerate() {
        if !r.valid {
            continue;
        }
        let a = &b.agreement.record;
        let d = &b.declaration.record;
        // (4) units and tariff above zero; the amount is their product.
        assert!(
            d.units > Decimal::ZERO && d.tariff > Decimal::ZERO,
            "claim {i} valid with units {} and tariff {}",
            d.units,
            d.tariff
        );
        assert_eq!(
            Some(r.amount),
            d.units.checked_mul(d.tariff).map(|x| x.round_dp(2)),
            "claim {i}: amount"
        );
        // (3) a trusted grant chain in its own bundle.
        assert!(
            used_chains[i]
                .iter()
                .any(|&j| trusted_grant(&chains[j], signed[j], &muni, &a.citizen, &a.account)),
            "claim {i} valid without a grant of the trusted municipality (fake-only or broken chain)"
        );
        // (5) counted once.
        assert!(
            counted.insert((a.provider, d.id.clone())),
            "declaration {} valid twice",
            d.id
        );
        let (sum, last) = claimed.entry((a.citizen, a.account.clone())).or_default();
        *sum = sum
            .checked_add(r.amount)
            .expect("valid claims on one account stay within a checked total");
        *last = i;
    }
    // (2) per (citizen, account): within the de-duplicated trusted grants.
    // Each claim is checked against the total so far and the grants its own
    // bundle carries, so the bound is the grants in the bundle of the last
    // valid claim; file-wide (every bundle's grants together) on request.
    for ((citizen, account), (sum, last)) in claimed {
        let (granted, over) = if *FILE_WIDE {
            let all: BTreeSet<usize> = used_chains.iter().flatten().copied().collect();
            (
                trusted_total(all, &chains, &signed, &muni, &citizen, &account),
                "the whole file",
            )
        } else {
            let own = used_chains[last].iter().copied();
            (
                trusted_total(own, &chains, &signed, &muni, &citizen, &account),
                "its bundle",
            )
        };
        assert!(
            sum <= granted,
            "valid claims of {} on {account} add up to {sum}, above the {granted} granted in {over}",
            citizen.short()
        );
    }
});
