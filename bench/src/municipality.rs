//! The municipality figure (issue 20): one municipality's node holding the
//! budgets and claims of C citizens with K claims each.
//!
//! ```sh
//! cargo run --release -p inwonercloud-bench -- --municipality --citizens 1000 --claims-per 100
//! ```
//!
//! **The world** is built with the vault's own API, every record signed by
//! the party whose act it is, and documents moved between vaults as the
//! signed bundles a sync session carries (`bundle` / `import_bundle`, as the
//! demo world does): P providers (default `max(2, C / 50)`) each publish an
//! hourly offering; each citizen asks for a pgb, gives the municipality a
//! consent on her budget, the municipality decides (a signed grant), she
//! orders from `ceil(K / 50)` providers (one agreement each, countersigned)
//! and each provider declares a week at a time (at most 50 weeks of 2027
//! per agreement, 1–3 hours a week) and she approves every declaration,
//! which books the spend in her budget. The municipality ends up holding
//! every citizen's budget and agreement documents, admits every citizen (as
//! joining her invite does) and knows her as a peer. Nothing is copied
//! between citizens: every citizen, key and signature is her own. To save
//! disk commits (not signatures or changes), a provider's declarations for
//! one agreement and a citizen's approvals are each one vault action
//! (`Vault::transact`): one durable transaction, one signed change per
//! record as always.
//!
//! **The figures**, each beside a baseline measured in the same run:
//!
//! - M1 `verify-claims` (`Vault::verify_claims`, what the CLI's
//!   `verify-claims` calls) on the municipality's vault, against raw
//!   `verify_batch` over every distinct signature those claims rest on
//!   (records and device certificates);
//! - M2 opening the municipality's vault (`Vault::open`, argon2id included;
//!   and with the key given) against `AutoCommit::load` of every document it
//!   holds (their `save()`s, one after another);
//! - M3 one new claim from each citizen (the provider declares, the
//!   declaration reaches her as a bundle, she approves) synced to the
//!   municipality over real iroh on 127.0.0.1: each citizen's own node dials
//!   the municipality's node, which runs **in its own process**; sessions
//!   one at a time and in batches of concurrent citizens, against raw iroh
//!   delivering the same new signed changes (connect, one stream, one byte
//!   back);
//! - M4 peak resident memory (VmHWM) of the municipality's process (open,
//!   serve every session, verify the claims again), against a process that
//!   only loads the same documents with automerge.
//!
//! `--world DIR` keeps the generated world in DIR and reuses it on the next
//! run (generation dominates at C = 1,000); `--skip-sessions` measures M1
//! and M2 only; `--step NAME` repeats one step or experiment (see
//! [`Options::step`]). The results and the measured causes of each miss are
//! in `docs/performance.md`, "Municipality: citizens × claims".

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use inwonercloud_bench::{create, pass};
use inwonercloud_schemas::{
    Access, Date, DocKind, FundingStream, Offering, Outcome, ProviderDetails, Quantity, Record, Role, ServiceUnit,
    Signed, Unit, Verdict,
};
use inwonercloud_sync::{Node, NodeConfig};
use inwonercloud_vault::{DecisionInput, NewRequest, Vault};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::delivery::Raw;
use crate::party::peak_rss;
use crate::{Row, cpu_row, median, row};

/// Declarations per agreement at most (weeks of 2027).
const WEEKS: usize = 50;
/// 2027-01-04, a Monday: the first declared week.
const FIRST_MONDAY: u64 = 1_798_761_600 + 3 * 86_400;
/// Timed runs of open and verification (medians).
const REPS: usize = 3;

/// What to build and measure.
#[derive(Clone, Debug)]
pub struct Options {
    /// Citizens (C).
    pub citizens: usize,
    /// Claims per citizen (K).
    pub claims: usize,
    /// Providers.
    pub providers: usize,
    /// Citizens that sync one new claim each (at most C).
    pub sessions: usize,
    /// Concurrent sessions in the batched pass.
    pub batch: usize,
    /// Where to keep the world (reused when it holds one of the same C and K).
    pub world: Option<PathBuf>,
    /// `--step open|claims|verify|verify-twice|verify-primed|session-scans|open-compacted|compact`:
    /// repeat only that step on the world, 5 times, printing its times to
    /// stderr (to run under a profiler, or one experiment); no table.
    /// `--step m2`: only the M2 rows (open against load), as a table.
    /// `--step sessions`: only the M3 rows (sessions), as a table.
    pub step: Option<String>,
    /// `--skip-sessions`: only M1 and M2.
    pub skip_sessions: bool,
}

/// One citizen of the world.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Citizen {
    dir: PathBuf,
    /// (provider index, agreement id, agreement document).
    agreements: Vec<(usize, String, String)>,
}

/// The generated world, kept as `world.json` beside the vaults.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct World {
    citizens: usize,
    claims: usize,
    municipality: PathBuf,
    /// (vault, offering id) per provider.
    providers: Vec<(PathBuf, String)>,
    people: Vec<Citizen>,
    /// Seconds the generation took.
    generated_secs: f64,
    /// Passes of new claims since generation (one new claim per citizen
    /// that synced, on day `rounds` after the generated weeks).
    #[serde(default)]
    rounds: usize,
    /// New claims added by sessions since generation.
    #[serde(default)]
    added: usize,
}

fn day(offset_days: u64) -> Date {
    Date::from_unix(FIRST_MONDAY + offset_days * 86_400)
}

fn date(s: &str) -> Date {
    s.parse().expect("a date")
}

/// Lets `a` and `b` know each other, as the demo world does.
fn meet(a: &mut Vault, b: &mut Vault) {
    inwonercloud_app::demo::meet(a, b).expect("remember peer");
}

/// Copies one document's signed changes from `from` into `to`, as a sync would.
fn hand_over(from: &Vault, to: &mut Vault, doc: &str) {
    inwonercloud_app::demo::hand_over(from, to, doc).unwrap_or_else(|e| panic!("hand over {doc}: {e}"));
}

/// Provider `i`'s hourly offering.
fn offering(i: usize) -> Offering {
    // One category, the one the citizens' grants fund (a grant funds its
    // category only); the services differ.
    let (service, category) = [
        ("Begeleiding thuis", "begeleiding_individueel"),
        ("Begeleiding bij geldzaken", "begeleiding_individueel"),
        ("Begeleiding naar werk", "begeleiding_individueel"),
    ][i % 3];
    Offering {
        id: String::new(),
        service: service.into(),
        category: category.into(),
        unit: ServiceUnit::Uur,
        price: Decimal::new(5_500 + (i as i64 * 350) % 2_000, 2),
        region: "Utrecht".into(),
        availability: "werkdagen".into(),
        description: format!("{service}, vaste begeleider"),
        provider: ProviderDetails {
            name: format!("Zorgaanbieder {i:03}"),
            kvk: Some(format!("{:08}", 30_000_000 + i)),
            agb: None,
        },
    }
}

/// Hours declared in week `w` of agreement `a` of citizen `c`.
fn hours(c: usize, a: usize, w: usize) -> Decimal {
    Decimal::from(1 + (c + a + w) % 3)
}

/// Builds the world under `dir`.
fn generate(dir: &Path, o: &Options) -> World {
    let start = Instant::now();
    std::fs::create_dir_all(dir).expect("world dir");
    let m_dir = dir.join("municipality");
    let mut m = create(&m_dir, "Gemeente Utrecht", Role::Municipality);
    let mut providers: Vec<(Vault, String, Offering)> = (0..o.providers)
        .map(|i| {
            let mut p = create(
                &dir.join(format!("provider-{i:03}")),
                &format!("Zorgaanbieder {i:03}"),
                Role::Provider,
            );
            let off = p.publish_offering(offering(i)).expect("offering");
            let catalogue = p.doc_id(DocKind::Catalogue);
            meet(&mut m, &mut p);
            (p, catalogue, off)
        })
        .collect();
    let per_agreement = |k: usize, n_agreements: usize, a: usize| k / n_agreements + usize::from(a < k % n_agreements);
    let n_agreements = o.claims.div_ceil(WEEKS).max(1);
    let mut people = Vec::with_capacity(o.citizens);
    for c in 0..o.citizens {
        let c_dir = dir.join(format!("citizen-{c:05}"));
        let mut v = create(&c_dir, &format!("Inwoner {c:05}"), Role::Citizen);
        meet(&mut v, &mut m);
        // The providers she will order from, and what that reserves.
        let chosen: Vec<usize> = (0..n_agreements).map(|a| (c + a * 7) % o.providers).collect();
        let max_units: Vec<Decimal> = (0..n_agreements)
            .map(|a| Decimal::from(3 * per_agreement(o.claims, n_agreements, a) + 10))
            .collect();
        let reserved: Decimal = chosen
            .iter()
            .zip(&max_units)
            .map(|(p, u)| providers[*p].2.price * *u)
            .sum();
        let amount = (reserved + Decimal::from(1_000 + (c * 137) % 2_000)).round_dp(0);
        let req = v
            .request_budget(NewRequest {
                stream: FundingStream::Wmo,
                category: "begeleiding_individueel".into(),
                quantity: Quantity::new(amount, Unit::Euro).expect("quantity"),
                period_start: date("2027-01-01"),
                period_end: date("2027-12-31"),
                goal_ids: vec![],
                motivation: "Begeleiding, dagbesteding en hulp in huis volgens mijn plan.".into(),
                adjusts_account: None,
            })
            .expect("request");
        let account = inwonercloud_vault::assessment::account_for(&req.id);
        let budget = v.budget_doc();
        let mw = m.whoami();
        v.grant_consent(
            mw.identity,
            &mw.name,
            Role::Municipality,
            vec![budget.clone()],
            Access::Write,
            Some(date("2027-12-31")),
            "toekenning en verantwoording pgb",
        )
        .expect("consent");
        hand_over(&v, &mut m, &budget);
        m.admit(v.identity()).expect("admit");
        m.decide(
            &req.id,
            DecisionInput {
                outcome: Outcome::Toegekend,
                granted: None,
                reasons: "Besluit Wmo-pgb 2027: past bij het plan".into(),
                automated_rule: None,
            },
        )
        .expect("decide");
        hand_over(&m, &mut v, &budget);
        let mut agreements = vec![];
        for (a, &p) in chosen.iter().enumerate() {
            let (pv, catalogue, off) = &mut providers[p];
            meet(&mut v, pv);
            hand_over(pv, &mut v, catalogue);
            let ag = v
                .order(&off.id, &account, max_units[a], date("2027-01-01"), date("2027-12-31"))
                .expect("order");
            let doc = v.agreement_doc_id(&pv.identity());
            hand_over(&v, pv, &doc);
            pv.countersign(&ag.id).expect("countersign");
            let n = per_agreement(o.claims, n_agreements, a);
            let ids: Vec<String> = pv
                .transact(|pv| {
                    (0..n)
                        .map(|w| {
                            let from = day(7 * w as u64);
                            pv.declare(
                                &ag.id,
                                hours(c, a, w),
                                from,
                                day(7 * w as u64 + 6),
                                &format!("week {}", w + 1),
                            )
                            .map(|d| d.id)
                        })
                        .collect()
                })
                .expect("declarations");
            hand_over(pv, &mut v, &doc);
            v.transact(|v| {
                for id in &ids {
                    v.judge_declaration(id, Verdict::Goedgekeurd)?;
                }
                Ok(())
            })
            .expect("approvals");
            hand_over(&v, &mut m, &doc);
            agreements.push((p, ag.id, doc));
        }
        hand_over(&v, &mut m, &budget);
        people.push(Citizen { dir: c_dir, agreements });
        if (c + 1) % 50 == 0 || c + 1 == o.citizens {
            eprintln!(
                "  generated {}/{} citizens in {:.0} s",
                c + 1,
                o.citizens,
                start.elapsed().as_secs_f64()
            );
        }
    }
    World {
        citizens: o.citizens,
        claims: o.claims,
        municipality: m_dir,
        providers: providers
            .into_iter()
            .map(|(p, _, off)| (p.dir().to_path_buf(), off.id))
            .collect(),
        people,
        generated_secs: start.elapsed().as_secs_f64(),
        added: 0,
        rounds: 0,
    }
}

/// The world at `dir`: reused when it was built for the same C and K.
fn world(dir: &Path, o: &Options) -> World {
    let manifest = dir.join("world.json");
    if let Some(w) = std::fs::read(&manifest)
        .ok()
        .and_then(|b| serde_json::from_slice::<World>(&b).ok())
        .filter(|w| w.citizens == o.citizens && w.claims == o.claims && w.providers.len() == o.providers)
    {
        eprintln!(
            "reusing the world in {} (built in {:.0} s)",
            dir.display(),
            w.generated_secs
        );
        return w;
    }
    let w = generate(dir, o);
    save_world(dir, &w);
    w
}

fn save_world(dir: &Path, w: &World) {
    std::fs::write(dir.join("world.json"), serde_json::to_vec_pretty(w).unwrap_or_default()).expect("manifest");
}

/// Every distinct signature a set of claims rests on, as `verify_batch` takes them.
#[derive(Default)]
struct Signatures {
    seen: HashSet<[u8; 64]>,
    msgs: Vec<Vec<u8>>,
    sigs: Vec<ed25519_dalek::Signature>,
    keys: Vec<ed25519_dalek::VerifyingKey>,
}

impl Signatures {
    fn add_one(&mut self, msg: Vec<u8>, sig: [u8; 64], key: &[u8; 32]) {
        if !self.seen.insert(sig) {
            return;
        }
        let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(key) else {
            return;
        };
        self.msgs.push(msg);
        self.sigs.push(ed25519_dalek::Signature::from_bytes(&sig));
        self.keys.push(key);
    }

    /// A record's signature and its device certificate's.
    fn add<R: Record>(&mut self, s: &Signed<R>) {
        let cert = &s.device.certificate;
        let mut msg = b"inwonercloud/device-certificate/v1\0".to_vec();
        msg.extend_from_slice(&inwonercloud_schemas::canonical_bytes(cert));
        self.add_one(msg, s.device.signature.0, &cert.identity.0);
        let msg = inwonercloud_schemas::signed::signing_bytes(&s.record, s.signed_at, &cert.identity);
        self.add_one(msg, s.signature.0, &cert.device.0);
    }

    fn of(claims: &inwonercloud_vault::claims::Claims) -> Signatures {
        let mut out = Signatures::default();
        for b in &claims.declarations {
            out.add(&b.agreement);
            if let Some(s) = &b.countersignature {
                out.add(s);
            }
            out.add(&b.declaration);
            out.add(&b.approval);
            for g in &b.grants {
                out.add(&g.entry);
                out.add(&g.decision);
                out.add(&g.request);
            }
            if let Some(s) = &b.cancellation {
                out.add(s);
            }
            b.mandates.iter().for_each(|s| out.add(s));
            b.revocations.iter().for_each(|s| out.add(s));
        }
        for s in &claims.spends {
            out.add(&s.entry);
            s.receipts.iter().for_each(|r| out.add(r));
            for g in &s.grants {
                out.add(&g.entry);
                out.add(&g.decision);
                out.add(&g.request);
            }
        }
        claims.transfers.iter().for_each(|t| out.add(t));
        out
    }

    fn verify_batch_secs(&self) -> f64 {
        let refs: Vec<&[u8]> = self.msgs.iter().map(|m| m.as_slice()).collect();
        let start = Instant::now();
        let ok = ed25519_dalek::verify_batch(&refs, &self.sigs, &self.keys).is_ok();
        let secs = start.elapsed().as_secs_f64();
        assert!(ok, "every signature verifies");
        secs
    }
}

/// The municipality in its own process: `--party municipality DIR`. Opens
/// the vault, serves a node and prints its address (JSON), then answers
/// `verify` lines with `verified <secs> <claims> <valid>`; when its input
/// closes it prints its peak memory.
pub async fn run_party_if_asked() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let Some(i) = args.iter().position(|a| a == "--party") else {
        return false;
    };
    match (args.get(i + 1).map(String::as_str), args.get(i + 2)) {
        (Some("municipality"), Some(dir)) => serve_municipality(Path::new(dir)).await,
        (Some("load-all"), Some(dir)) => load_all(Path::new(dir)),
        _ => return false,
    }
    true
}

async fn serve_municipality(dir: &Path) {
    let start = Instant::now();
    let vault = Vault::open(dir, &pass()).expect("open the municipality");
    let opened = start.elapsed().as_secs_f64();
    let node = Node::spawn(vault, NodeConfig::loopback()).await.expect("node");
    println!("{}", serde_json::to_string(&node.endpoint_addr()).expect("address"));
    println!("opened in {opened:.2} s, peak RSS so far {} MB", peak_rss() / 1_000_000);
    std::io::stdout().flush().ok();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    while let Some(line) = rx.recv().await {
        if line.trim() == "verify" {
            // The peak before the report: open and the sessions.
            eprintln!(
                "  municipality process: peak RSS before verify-claims {} MB",
                peak_rss() / 1_000_000
            );
            let start = Instant::now();
            let report = node.with_vault(|v| v.verify_claims()).expect("verify claims");
            let secs = start.elapsed().as_secs_f64();
            let valid = report.claims.iter().filter(|c| c.valid).count();
            if let Some(c) = report.claims.iter().find(|c| !c.valid) {
                eprintln!("  an invalid claim: {:?}", c.reason);
            }
            println!("verified {secs} {} {valid}", report.claims.len());
            std::io::stdout().flush().ok();
        }
    }
    node.shutdown().await;
    println!("{}", peak_rss());
}

/// The memory baseline: loads every `*.automerge` file in `dir` and keeps
/// them all, as a process holding the same documents must.
fn load_all(dir: &Path) {
    let mut docs = vec![];
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("saves")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    for f in files {
        let bytes = std::fs::read(&f).expect("save");
        docs.push(automerge::AutoCommit::load(&bytes).expect("load"));
    }
    assert!(!docs.is_empty(), "documents were loaded");
    println!("{}", docs.len());
    println!("{}", peak_rss());
}

/// The municipality's child process and its output.
struct Municipality {
    child: std::process::Child,
    out: BufReader<std::process::ChildStdout>,
    addr: iroh::EndpointAddr,
}

impl Municipality {
    fn start(dir: &Path) -> Municipality {
        let mut child = Command::new(std::env::current_exe().expect("own path"))
            .args(["--party", "municipality"])
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("municipality process");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        out.read_line(&mut line).expect("address");
        let addr = serde_json::from_str(line.trim()).expect("an endpoint address");
        line.clear();
        out.read_line(&mut line).ok();
        eprintln!("  municipality process: {}", line.trim());
        Municipality { child, out, addr }
    }

    /// (seconds, claims, valid) of `verify_claims` in the municipality's process.
    fn verify(&mut self) -> (f64, usize, usize) {
        let stdin = self.child.stdin.as_mut().expect("stdin");
        writeln!(stdin, "verify").expect("ask");
        stdin.flush().ok();
        let mut line = String::new();
        self.out.read_line(&mut line).expect("answer");
        let f: Vec<&str> = line.split_whitespace().collect();
        let num = |i: usize| f.get(i).and_then(|s| s.parse::<f64>().ok()).unwrap_or(f64::NAN);
        (num(1), num(2) as usize, num(3) as usize)
    }

    /// Ends the process; its peak memory in bytes.
    fn finish(mut self) -> u64 {
        drop(self.child.stdin.take());
        let mut last = 0;
        let mut line = String::new();
        while self.out.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
            if let Ok(v) = line.trim().parse() {
                last = v;
            }
            line.clear();
        }
        self.child.wait().ok();
        last
    }
}

/// A citizen ready to sync her new claim: her node, and the new signed
/// changes (the raw baseline's payload).
struct Ready {
    node: Node,
    payload: Vec<u8>,
}

/// Citizen `c`'s next claim: her first agreement's provider declares one
/// more hour on a day after the generated weeks (day `round`, so no two
/// claims declare the same period: the same content counts once), the
/// declaration reaches her as a bundle, she approves; then her node starts.
async fn new_claim(w: &World, c: usize, providers: &mut [Vault], round: usize) -> Ready {
    let person = &w.people[c];
    let (p, ag, doc) = person.agreements.first().cloned().expect("an agreement");
    let pv = &mut providers[p];
    // The days after the generated weeks run out after 12 rounds: later
    // rounds declare those days again (the note keeps each claim distinct).
    let on = day(7 * WEEKS as u64 + (round % 12) as u64);
    let d = pv
        .declare(&ag, Decimal::ONE, on, on, &format!("extra uur {round}"))
        .expect("declare");
    let mut v = Vault::open(&person.dir, &pass()).expect("open citizen");
    hand_over(pv, &mut v, &doc);
    v.judge_declaration(&d.id, Verdict::Goedgekeurd).expect("approve");
    // The new signed changes: the declaration and the approval in the
    // agreement, the spend in her budget.
    let budget = v.budget_doc();
    let mut payload = vec![];
    for (d, n) in [(&doc, 2), (&budget, 1)] {
        let all = v.signed_changes(d).expect("changes");
        for ch in all.iter().rev().take(n) {
            payload.extend_from_slice(&ch.encode());
        }
    }
    let node = Node::spawn(v, NodeConfig::loopback()).await.expect("citizen node");
    Ready { node, payload }
}

/// The municipality figure's rows.
pub async fn rows(work: &Path, o: &Options) -> Vec<Row> {
    let dir = o.world.clone().unwrap_or_else(|| work.join("world"));
    let mut w = world(&dir, o);
    if o.step.as_deref() == Some("sessions") {
        let mut rows = vec![];
        sessions(&dir, &mut w, o, &mut rows).await.finish();
        return rows;
    }
    if let Some(step) = o.step.as_ref().filter(|s| *s != "m2") {
        profile_step(&w, step);
        return vec![];
    }
    let mut rows = vec![];
    let ck = format!("C = {}, K = {}", w.citizens, w.claims);
    eprintln!(
        "world: {ck}, {} providers, generated in {:.0} s",
        w.providers.len(),
        w.generated_secs
    );

    // M2. Open: the municipality's vault vs AutoCommit::load of every
    // document it holds.
    let key = {
        let v = Vault::open(&w.municipality, &pass()).expect("open");
        let k = v.key();
        drop(v);
        k
    };
    let saves_dir = work.join("saves");
    std::fs::create_dir_all(&saves_dir).expect("saves dir");
    let saves: Vec<Vec<u8>> = {
        let mut v = Vault::open_with_key(&w.municipality, &key).expect("open");
        let ids = v.document_ids();
        ids.iter()
            .enumerate()
            .map(|(i, d)| {
                let s = v.save_document(d).expect("save");
                std::fs::write(saves_dir.join(format!("{i:06}.automerge")), &s).expect("write save");
                s
            })
            .collect()
    };
    let save_bytes: usize = saves.iter().map(Vec::len).sum();
    let (mut opens, mut keyed, mut loads) = (vec![], vec![], vec![]);
    let (mut keyed_cpu, mut loads_cpu) = (vec![], vec![]);
    for _ in 0..REPS {
        let start = Instant::now();
        let v = Vault::open(&w.municipality, &pass()).expect("open");
        opens.push(start.elapsed().as_secs_f64());
        let docs = v.document_ids().len();
        drop(v);
        let (start, cpu0) = (Instant::now(), cpu());
        let v = Vault::open_with_key(&w.municipality, &key).expect("open with key");
        keyed.push(start.elapsed().as_secs_f64());
        keyed_cpu.push(cpu() - cpu0);
        drop(v);
        let (start, cpu0) = (Instant::now(), cpu());
        let loaded: Vec<_> = saves
            .iter()
            .map(|s| automerge::AutoCommit::load(s).expect("load"))
            .collect();
        loads.push(start.elapsed().as_secs_f64());
        loads_cpu.push(cpu() - cpu0);
        assert_eq!(loaded.len(), docs, "the baseline loads every document the vault holds");
    }
    let (open, keyed, load) = (median(opens), median(keyed), median(loads));
    eprintln!(
        "  the municipality holds {} documents, {:.1} MB of automerge saves",
        saves.len(),
        save_bytes as f64 / 1e6
    );
    rows.push(row(
        &format!("M2 open municipality ({ck})"),
        open,
        load,
        "s",
        "≤ 1.5× AutoCommit::load",
        Some(open <= 1.5 * load),
    ));
    rows.push(row(
        &format!("M2b the same, key given ({ck})"),
        keyed,
        load,
        "s",
        "≤ 1.5× AutoCommit::load",
        Some(keyed <= 1.5 * load),
    ));
    // The same in CPU time of this process (steadier than wall time on a
    // shared machine; 10 ms resolution).
    let (keyed_cpu, load_cpu) = (median(keyed_cpu), median(loads_cpu));
    rows.push(cpu_row(
        &format!("M2b the same, CPU time ({ck})"),
        keyed_cpu,
        load_cpu,
        "≤ 1.5× AutoCommit::load",
        1.5,
    ));
    drop(saves);
    if o.step.as_deref() == Some("m2") {
        return rows;
    }

    // M1. verify-claims vs verify_batch over the same signatures.
    let v = Vault::open_with_key(&w.municipality, &key).expect("open");
    let claims = v.claims().expect("claims");
    let sigs = Signatures::of(&claims);
    let n_claims = claims.len();
    drop(claims);
    let (mut ours, mut raws) = (vec![], vec![]);
    let mut valid = 0;
    let mut total = 0;
    let mut invalid = None;
    let (mut ours_cpu, mut raws_cpu, mut warm_cpu) = (vec![], vec![], vec![]);
    for _ in 0..REPS {
        inwonercloud_vault::keys::verified::forget();
        let (start, cpu0) = (Instant::now(), cpu());
        let report = v.verify_claims().expect("verify claims");
        ours.push(start.elapsed().as_secs_f64());
        ours_cpu.push(cpu() - cpu0);
        // Again, every signature now remembered by this process: what is
        // left is the work beside the signature checks.
        let cpu0 = cpu();
        drop(v.verify_claims().expect("verify claims"));
        warm_cpu.push(cpu() - cpu0);
        total = report.claims.len();
        valid = report.claims.iter().filter(|c| c.valid).count();
        invalid = report.claims.iter().find(|c| !c.valid).map(|c| c.reason.clone());
        let cpu0 = cpu();
        raws.push(sigs.verify_batch_secs());
        raws_cpu.push(cpu() - cpu0);
    }
    drop(v);
    let expected = w.citizens * w.claims + w.added;
    assert_eq!(total, n_claims, "the report lists every claim");
    assert_eq!(
        valid, expected,
        "every generated claim is valid; one is not: {invalid:?}"
    );
    let (ours, batch) = (median(ours), median(raws));
    let (ours_cpu, batch_cpu, warm_cpu) = (median(ours_cpu), median(raws_cpu), median(warm_cpu));
    eprintln!(
        "  verify-claims: {total} claims ({valid} valid) resting on {} distinct signatures; {:.0} claims/s",
        sigs.sigs.len(),
        total as f64 / ours
    );
    rows.push(row(
        &format!("M1 verify-claims ({ck})"),
        ours,
        batch,
        "s",
        "≤ 1.5× verify_batch",
        Some(ours <= 1.5 * batch),
    ));
    rows.push(cpu_row(
        &format!("M1 verify-claims, CPU time ({ck})"),
        ours_cpu,
        batch_cpu,
        "≤ 1.5× verify_batch",
        1.5,
    ));
    let mut primed = cpu_row(
        &format!("M1c the same, signatures remembered, CPU ({ck})"),
        warm_cpu,
        batch_cpu,
        "(work beside signatures)",
        f64::INFINITY,
    );
    primed.meets = None;
    rows.push(primed);
    drop(sigs);
    if o.skip_sessions {
        return rows;
    }

    let mut muni = sessions(&dir, &mut w, o, &mut rows).await;

    // The municipality's report after the sessions, in its own (warm) process.
    let (secs, total, valid) = muni.verify();
    eprintln!(
        "  verify-claims in the municipality's process after the sessions: {secs:.2} s, {total} claims, {valid} valid"
    );
    assert_eq!(
        valid,
        w.citizens * w.claims + w.added,
        "every claim, new ones too, is valid"
    );
    rows.push(row(
        &format!("M1b verify-claims, its process after the sessions ({ck})"),
        secs,
        batch,
        "s",
        "—",
        None,
    ));

    // M4. Peak memory of the municipality's process vs a process that only
    // loads the same documents.
    let peak = muni.finish();
    let load_peak = load_all_peak(&saves_dir);
    rows.push(row(
        &format!("M4 peak RSS, municipality ({ck})"),
        peak as f64,
        load_peak as f64,
        "B",
        "report",
        None,
    ));
    rows
}

/// M3 and M3b: the municipality in its own process, the sessions one at a
/// time and then in batches; returns the municipality's process.
async fn sessions(dir: &Path, w: &mut World, o: &Options, rows: &mut Vec<Row>) -> Municipality {
    // M3. Sessions: the municipality in its own process; each citizen's node
    // dials it with one new claim. First one at a time, then in batches.
    let n = o.sessions.min(w.citizens);
    let mut providers: Vec<Vault> = w
        .providers
        .iter()
        .map(|(d, _)| Vault::open(d, &pass()).expect("open provider"))
        .collect();
    let muni = Municipality::start(&w.municipality);
    let raw = Raw::new(None).await;
    let (mut ours, mut raw_secs) = (0.0, 0.0);
    let mut bytes = 0usize;
    let mut prep = 0.0;
    for c in 0..n {
        let t = Instant::now();
        let r = new_claim(w, c, &mut providers, w.rounds).await;
        prep += t.elapsed().as_secs_f64();
        let start = Instant::now();
        let report = r.node.sync_once(muni.addr.clone()).await.expect("sync");
        ours += start.elapsed().as_secs_f64();
        bytes += report.bytes_sent + report.bytes_received;
        assert!(
            report.sent_changes >= 3,
            "the new claim's changes were sent: {report:?}"
        );
        r.node.shutdown().await;
        raw_secs += raw.deliver_secs(&r.payload).await;
    }
    w.added += n;
    w.rounds += 1;
    save_world(dir, w);
    eprintln!(
        "  {n} sessions one at a time: {:.1} ms each ({:.0} B on the stream), raw iroh {:.1} ms; preparing each citizen (open her vault, declare, approve, start her node) took {:.0} ms",
        ours * 1000.0 / n as f64,
        bytes as f64 / n as f64,
        raw_secs * 1000.0 / n as f64,
        prep * 1000.0 / n as f64
    );
    let (rate, raw_rate) = (n as f64 / ours, n as f64 / raw_secs);
    rows.push(row(
        &format!("M3 sessions/s, one at a time ({n} citizens)"),
        rate,
        raw_rate,
        "1/s",
        "≥ 50/s",
        Some(rate >= 50.0),
    ));
    // Batches of concurrent citizens, each with another new claim.
    let b = o.batch.max(1);
    let mut wall = 0.0;
    let mut c = 0;
    while c < n {
        let mut ready = vec![];
        for i in c..(c + b).min(n) {
            ready.push(new_claim(w, i, &mut providers, w.rounds).await);
        }
        let start = Instant::now();
        let mut set = tokio::task::JoinSet::new();
        for r in &ready {
            let (node, addr) = (r.node.clone(), muni.addr.clone());
            set.spawn(async move { node.sync_once(addr).await });
        }
        while let Some(done) = set.join_next().await {
            let report = done.expect("task").expect("sync");
            assert!(report.sent_changes >= 3, "the new claim's changes were sent");
        }
        wall += start.elapsed().as_secs_f64();
        for r in ready {
            r.node.shutdown().await;
        }
        c += b;
    }
    w.added += n;
    w.rounds += 1;
    save_world(dir, w);
    let batched = n as f64 / wall;
    rows.push(row(
        &format!("M3b sessions/s, {b} at once ({n} citizens)"),
        batched,
        raw_rate,
        "1/s",
        "≥ 50/s",
        Some(batched >= 50.0),
    ));
    raw.close().await;
    drop(providers);
    muni
}

/// Copies a directory tree.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("copy dir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy file");
        }
    }
}

/// CPU seconds this process has used, on every thread (user + system, from
/// `/proc/self/stat`, in clock ticks of 10 ms). Process-wide, because the
/// open checks and loads documents on every core: the measuring thread's
/// own time would leave out the work of the others.
fn cpu() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // The fields after the command name, which is in parentheses.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
            Some(ticks as f64 / 100.0)
        })
        .unwrap_or(f64::NAN)
}

/// Repeats one step on the world (for `perf record`).
fn profile_step(w: &World, step: &str) {
    let key = Vault::open(&w.municipality, &pass()).expect("open").key();
    for _ in 0..5 {
        inwonercloud_vault::keys::verified::forget();
        let start = Instant::now();
        match step {
            "open" => drop(Vault::open_with_key(&w.municipality, &key).expect("open")),
            // Snapshots every document of the kept world in place (changes
            // the world: use it on a copy).
            "compact" => {
                let mut v = Vault::open_with_key(&w.municipality, &key).expect("open");
                v.compact().expect("compact");
                return;
            }
            "open-compacted" => {
                // The experiment behind M2's cause: open a copy of the
                // vault before and after `compact` (a snapshot of every
                // document), in CPU time.
                let copy = std::env::temp_dir().join(format!("municipality-copy-{}", std::process::id()));
                copy_dir(&w.municipality, &copy);
                let opens = |label: &str| {
                    let mut cpus = vec![];
                    for _ in 0..3 {
                        let c0 = cpu();
                        drop(Vault::open_with_key(&copy, &key).expect("open copy"));
                        cpus.push(cpu() - c0);
                    }
                    eprintln!("  open {label}: {cpus:?} s CPU");
                };
                opens("as generated");
                let mut v = Vault::open_with_key(&copy, &key).expect("open copy");
                v.compact().expect("compact");
                drop(v);
                opens("after compact");
                std::fs::remove_dir_all(&copy).ok();
                return;
            }
            "verify-primed" => {
                // The experiment behind M1's cause: the grant chains' records
                // the municipality signed itself are not checked when read
                // (its own signatures), so `check_all` checks them once per
                // claim. Checking each distinct one first (and so
                // remembering it) shows what those repeats cost.
                let v = Vault::open_with_key(&w.municipality, &key).expect("open");
                let c0 = cpu();
                drop(v.verify_claims().expect("verify"));
                let cold = cpu() - c0;
                inwonercloud_vault::keys::verified::forget();
                let claims = v.claims().expect("claims");
                let mut entries = std::collections::BTreeMap::new();
                let mut decisions = std::collections::BTreeMap::new();
                for g in claims.declarations.iter().flat_map(|b| b.grants.iter()) {
                    entries.insert(g.entry.signature.0, g.entry.clone());
                    decisions.insert(g.decision.signature.0, g.decision.clone());
                }
                inwonercloud_vault::keys::verified::forget();
                let c0 = cpu();
                let e: Vec<_> = entries.values().collect();
                let d: Vec<_> = decisions.values().collect();
                let ok = inwonercloud_vault::keys::verify_records(&e)
                    .iter()
                    .chain(inwonercloud_vault::keys::verify_records(&d).iter())
                    .all(|r| r.is_ok());
                let primed = cpu() - c0;
                let c0 = cpu();
                drop(v.verify_claims().expect("verify"));
                let after = cpu() - c0;
                eprintln!(
                    "  verify_claims cold {cold:.2} s CPU; priming {} grant entries + {} decisions ({ok}) {primed:.2} s, then verify_claims {after:.2} s CPU",
                    e.len(),
                    d.len()
                );
            }
            "session-scans" => {
                // The per-session and per-poll work that grows with C: the
                // node's poll for other processes' writes (`refresh`), the
                // documents one citizen may be sent, and her admission.
                let mut v = Vault::open_with_key(&w.municipality, &key).expect("open");
                let citizen = Vault::open(&w.people[0].dir, &pass()).expect("open citizen").identity();
                let t = Instant::now();
                let found = v.refresh().expect("refresh").len();
                let refresh = t.elapsed().as_secs_f64();
                let t = Instant::now();
                let docs = v.documents_for_peer(&citizen).expect("documents for peer").len();
                let scan = t.elapsed().as_secs_f64();
                let t = Instant::now();
                let admitted = v.is_admitted(&citizen);
                let admit = t.elapsed().as_secs_f64();
                // The steady state of the node's poll and of a session's
                // checks: the same calls again, nothing written in between.
                let t = Instant::now();
                let again = v.refresh().expect("refresh").len();
                let refresh_again = t.elapsed().as_secs_f64();
                let t = Instant::now();
                let _ = v.is_admitted(&citizen);
                let admit_again = t.elapsed().as_secs_f64();
                eprintln!(
                    "  refresh {:.1} ms ({found} changed), documents_for_peer {:.1} ms ({docs} docs), is_admitted {:.2} ms ({admitted}), over {} documents",
                    refresh * 1e3,
                    scan * 1e3,
                    admit * 1e3,
                    v.document_ids().len()
                );
                eprintln!(
                    "  again: refresh {:.3} ms ({again} changed), is_admitted {:.4} ms",
                    refresh_again * 1e3,
                    admit_again * 1e3
                );
            }
            "verify-twice" => {
                // The second run finds every signature remembered: what is
                // left is the work beside the signature checks.
                let v = Vault::open_with_key(&w.municipality, &key).expect("open");
                inwonercloud_vault::keys::verified::forget();
                for run in ["cold", "warm"] {
                    let start = Instant::now();
                    let r = v.verify_claims().expect("verify");
                    let secs = start.elapsed().as_secs_f64();
                    eprintln!("  verify_claims() {run}: {} in {secs:.3} s", r.claims.len());
                }
            }
            "claims" => {
                let v = Vault::open_with_key(&w.municipality, &key).expect("open");
                let start = Instant::now();
                let c = v.claims().expect("claims");
                eprintln!("  claims(): {} in {:.3} s", c.len(), start.elapsed().as_secs_f64());
            }
            _ => {
                let v = Vault::open_with_key(&w.municipality, &key).expect("open");
                let start = Instant::now();
                let r = v.verify_claims().expect("verify");
                eprintln!(
                    "  verify_claims(): {} in {:.3} s",
                    r.claims.len(),
                    start.elapsed().as_secs_f64()
                );
            }
        }
        eprintln!("  {step}: {:.3} s", start.elapsed().as_secs_f64());
    }
}

/// Peak memory of a process that only loads every save in `dir`.
fn load_all_peak(dir: &Path) -> u64 {
    let out = Command::new(std::env::current_exe().expect("own path"))
        .args(["--party", "load-all"])
        .arg(dir)
        .output()
        .expect("load-all");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .next_back()
        .unwrap_or(0)
}

/// `--municipality` options from the command line.
pub fn options(arg: impl Fn(&str) -> Option<String>) -> Options {
    let num = |name: &str, default: usize| arg(name).and_then(|s| s.parse().ok()).unwrap_or(default);
    let citizens = num("--citizens", 1_000);
    Options {
        citizens,
        claims: num("--claims-per", 100),
        providers: num("--providers", (citizens / 50).max(2)),
        sessions: num("--sessions", citizens),
        batch: num("--batch", 8),
        world: arg("--world").map(PathBuf::from),
        step: arg("--step"),
        skip_sessions: std::env::args().any(|a| a == "--skip-sessions"),
    }
}
