//! A small example world, fully signed: a citizen (Sanne), her counselor, a
//! care provider, the municipality and her neighbour, an informal carer,
//! each with their own vault.
//!
//! Documents travel between the vaults as signed bundles, exactly the bytes a
//! sync session would carry, so every record in the demo passes the same
//! checks as real data. Used by the app's "load demo" button, by
//! `inwonercloud demo`, by the screenshots and by the GUI tests.

use std::path::{Path, PathBuf};

use inwonercloud_schemas::{
    Access, Capacity, CommissionOutcome, CommissionTask, Date, DocKind, EntryKind, FundingStream, GoalStatus,
    LifeDomain, MandateAction, MemberKind, Offering, Outcome, Period, Policy, ProviderDetails, Quantity, Role,
    SchemaError, ServiceUnit, StreamShare, TimeCost, Unit, Verdict,
};
use inwonercloud_vault::receipts::NewFile;
use inwonercloud_vault::{
    CreateOptions, DecisionInput, NewEntry, NewNeed, NewRequest, Passphrase, PeerInfo, Vault, VaultError,
};
use rust_decimal::Decimal;

/// The demo vaults, by directory.
#[derive(Clone, Debug)]
pub struct DemoWorld {
    /// Sanne de Vries, the citizen.
    pub citizen: PathBuf,
    /// Ahmed Bakker, her counselor.
    pub counselor: PathBuf,
    /// Zorgcoöperatie De Linde, a care provider.
    pub provider: PathBuf,
    /// Gemeente Utrecht.
    pub municipality: PathBuf,
    /// Els Visser, Sanne's neighbour and informal carer (mantelzorger).
    pub carer: PathBuf,
    /// Eva de Vries, Sanne's daughter and legal representative, with a mandate to approve.
    pub representative: PathBuf,
    /// Fatima El Amrani's household (integral pgb): one plan, one integral
    /// budget from Wmo and Jeugdwet, the counselor as director.
    pub household: PathBuf,
    /// Buurtteam Overvecht, a partner in the wijkbudget (with De Linde and Welzijn).
    pub neighbourhood_team: PathBuf,
    /// Welzijn Overvecht, a partner in the wijkbudget, near its room.
    pub welfare: PathBuf,
}

impl DemoWorld {
    /// The directories under `base`.
    pub fn at(base: &Path) -> Self {
        DemoWorld {
            citizen: base.join("inwoner"),
            counselor: base.join("begeleider"),
            provider: base.join("zorgaanbieder"),
            municipality: base.join("gemeente"),
            carer: base.join("mantelzorger"),
            representative: base.join("vertegenwoordiger"),
            household: base.join("gezin"),
            neighbourhood_team: base.join("buurtteam"),
            welfare: base.join("welzijn"),
        }
    }

    /// Whether the demo was built here before.
    pub fn exists(&self) -> bool {
        Vault::exists(&self.citizen)
    }

    /// Whether the demo here was built by an earlier version in a format
    /// this one no longer opens (it is demo data: it can be built again).
    pub fn outdated(&self) -> bool {
        let citizen = Vault::open(&self.citizen, &passphrase());
        // Built before points (seed 003): the policy Sanne holds prices nothing in points.
        let no_points = citizen
            .as_ref()
            .is_ok_and(|v| v.policy().is_some_and(|p| p.record.points_arrangements.is_empty()));
        matches!(citizen, Err(VaultError::OldFormat { .. }))
            || no_points
            || (self.exists() && !Vault::exists(&self.carer))
            || (self.exists() && !Vault::exists(&self.representative))
            || (self.exists() && !Vault::exists(&self.welfare))
    }
}

fn d(y: u16, m: u8, day: u8) -> Result<Date, VaultError> {
    Ok(Date::new(y, m, day)?)
}

fn dec(s: &str) -> Result<Decimal, VaultError> {
    s.parse::<Decimal>()
        .map_err(|e| VaultError::Input(SchemaError::Invalid(format!("{s}: {e}"))))
}

/// Copies one document's signed changes from `from` into `to`, as a sync
/// would (the bench builds its worlds the same way).
pub fn hand_over(from: &Vault, to: &mut Vault, doc: &str) -> Result<(), VaultError> {
    let bundle = from.bundle(doc)?;
    to.import_bundle(&bundle, "demo")?;
    Ok(())
}

/// Hands `to` every document `from` would send it when they sync
/// ([`Vault::documents_for_peer`]), as a sync between them would.
fn catch_up(from: &Vault, to: &mut Vault) -> Result<(), VaultError> {
    for doc in from.documents_for_peer(&to.identity())? {
        hand_over(from, to, &doc)?;
    }
    Ok(())
}

/// Lets `a` and `b` know each other (name, role, device), as a session would.
pub fn meet(a: &mut Vault, b: &mut Vault) -> Result<(), VaultError> {
    let (wa, wb) = (a.whoami(), b.whoami());
    for (x, y) in [(&mut *a, wb), (&mut *b, wa)] {
        x.remember_peer(&PeerInfo {
            identity: y.identity,
            name: y.name,
            role: y.role,
            devices: vec![y.device],
            addrs: Vec::new(),
            last_seen: 0,
            postbus: None,
        })?;
    }
    Ok(())
}

/// The passphrase of every demo vault (the demo holds no real data).
pub const PASSPHRASE: &str = "demo-wachtwoord";

/// [`PASSPHRASE`] as a [`Passphrase`].
pub fn passphrase() -> Passphrase {
    Passphrase::new(PASSPHRASE)
}

fn create(dir: &Path, name: &str, role: Role) -> Result<Vault, VaultError> {
    Vault::create(
        dir,
        CreateOptions {
            name: name.into(),
            role,
            device_name: "demo-laptop".into(),
            passphrase: passphrase(),
        },
    )
}

/// Builds the demo world under `base` (which must not hold one yet).
pub fn build(base: &Path) -> Result<DemoWorld, VaultError> {
    let w = DemoWorld::at(base);
    let mut citizen = create(&w.citizen, "Sanne de Vries", Role::Citizen)?;
    let mut counselor = create(&w.counselor, "Ahmed Bakker", Role::Counselor)?;
    let mut provider = create(&w.provider, "Zorgcoöperatie De Linde", Role::Provider)?;
    let mut municipality = create(&w.municipality, "Gemeente Utrecht", Role::Municipality)?;

    // The citizen's plan, in her own words.
    let plan = citizen.plan_doc();
    citizen.set_plan_header(&plan, "Mijn plan 2026", Some(d(2026, 1, 1)?), Some(d(2026, 12, 31)?))?;
    citizen.set_situation(
        &plan,
        LifeDomain::Zelfzorg,
        "Ik woon zelfstandig, maar plannen en post bijhouden lukt niet goed sinds mijn hersenletsel.",
    )?;
    citizen.set_situation(
        &plan,
        LifeDomain::Dagbesteding,
        "Ik wil graag weer iets doen overdag, het liefst met dieren of in een tuin.",
    )?;
    let g1 = citizen.add_goal(
        &plan,
        LifeDomain::Zelfzorg,
        "Zelf mijn weekplanning en post bijhouden",
        Some(d(2026, 12, 31)?),
    )?;
    let g2 = citizen.add_goal(
        &plan,
        LifeDomain::Dagbesteding,
        "Twee dagdelen per week meedoen bij de zorgboerderij",
        Some(d(2026, 9, 1)?),
    )?;
    citizen.add_need(
        &plan,
        NewNeed {
            domain: LifeDomain::Zelfzorg,
            goal_id: Some(g1.id.clone()),
            wish: "Iemand die één keer per week met mij de post en planning doorneemt.".into(),
            objective_need: "Individuele begeleiding, 3 uur per week.".into(),
            time_cost: TimeCost {
                hours: dec("3")?,
                period: Period::Week,
                tariff: dec("66.50")?,
            },
            category: Some("begeleiding_individueel".into()),
            member: None,
        },
    )?;
    citizen.add_need(
        &plan,
        NewNeed {
            domain: LifeDomain::Dagbesteding,
            goal_id: Some(g2.id.clone()),
            wish: "Meewerken op de zorgboerderij, met begeleiding.".into(),
            objective_need: "Dagbesteding, 2 dagdelen per week.".into(),
            time_cost: TimeCost {
                hours: dec("8")?,
                period: Period::Week,
                tariff: dec("14.50")?,
            },
            category: Some("dagbesteding".into()),
            member: None,
        },
    )?;
    citizen.add_note("Gesprek met Ahmed ging goed. Volgende keer de brief van de belasting meenemen.")?;

    // The budget: Sanne asks for her pgb (phase 1); the municipality decides below.
    let budget = citizen.budget_doc();
    let pgb_request = citizen.request_budget(NewRequest {
        stream: FundingStream::Wmo,
        category: "begeleiding_individueel".into(),
        quantity: Quantity::new(dec("14000.00")?, Unit::Euro)?,
        period_start: d(2026, 1, 1)?,
        period_end: d(2026, 12, 31)?,
        goal_ids: vec![g1.id.clone(), g2.id.clone()],
        motivation: "Begeleiding bij planning en post, en dagbesteding op de zorgboerderij.".into(),
        adjusts_account: None,
    })?;
    let pgb = inwonercloud_vault::assessment::account_for(&pgb_request.id);

    // Consents: the counselor writes in the plan and reads the budget; the
    // municipality writes grants into the budget and reads the plan.
    let c_who = counselor.whoami();
    let m_who = municipality.whoami();
    citizen.grant_consent(
        c_who.identity,
        &c_who.name,
        Role::Counselor,
        vec![plan.clone()],
        Access::Write,
        None,
        "begeleiding bij mijn plan",
    )?;
    citizen.grant_consent(
        c_who.identity,
        &c_who.name,
        Role::Counselor,
        vec![budget.clone()],
        Access::Read,
        None,
        "meekijken met mijn budget",
    )?;
    citizen.grant_consent(
        m_who.identity,
        &m_who.name,
        Role::Municipality,
        vec![budget.clone()],
        Access::Write,
        Some(d(2027, 12, 31)?),
        "toekenning en verantwoording pgb",
    )?;
    citizen.grant_consent(
        m_who.identity,
        &m_who.name,
        Role::Municipality,
        vec![plan.clone()],
        Access::Read,
        Some(d(2027, 12, 31)?),
        "beoordeling van mijn aanvraag",
    )?;
    meet(&mut citizen, &mut counselor)?;
    meet(&mut citizen, &mut municipality)?;
    meet(&mut citizen, &mut provider)?;
    for doc in [&plan, &budget] {
        hand_over(&citizen, &mut counselor, doc)?;
        hand_over(&citizen, &mut municipality, doc)?;
    }

    // The counselor adds a goal to Sanne's plan.
    counselor.add_goal(
        &plan,
        LifeDomain::Financien,
        "Overzicht van vaste lasten en een betaalregeling voor de achterstand",
        Some(d(2026, 6, 30)?),
    )?;

    // The municipality grants the pgb, and later raises it on request.
    let decide = |m: &mut Vault, id: &str, reasons: &str| -> Result<(), VaultError> {
        m.decide(
            id,
            DecisionInput {
                outcome: Outcome::Toegekend,
                granted: None,
                reasons: reasons.into(),
                automated_rule: None,
            },
        )?;
        Ok(())
    };
    decide(
        &mut municipality,
        &pgb_request.id,
        "Besluit Wmo-pgb 2026: begeleiding en dagbesteding passen bij het plan",
    )?;
    hand_over(&municipality, &mut citizen, &budget)?;
    let raise = citizen.request_budget(NewRequest {
        stream: FundingStream::Wmo,
        category: "dagbesteding".into(),
        quantity: Quantity::new(dec("1250.00")?, Unit::Euro)?,
        period_start: d(2026, 6, 1)?,
        period_end: d(2026, 12, 31)?,
        goal_ids: vec![g2.id.clone()],
        motivation: "Een extra dagdeel in de zomer.".into(),
        adjusts_account: Some(pgb.clone()),
    })?;
    hand_over(&citizen, &mut municipality, &budget)?;
    decide(
        &mut municipality,
        &raise.id,
        "Bijstelling na heronderzoek: extra dagdeel in de zomer",
    )?;
    hand_over(&counselor, &mut citizen, &plan)?;
    hand_over(&municipality, &mut citizen, &budget)?;

    // Sanne tops up and pays her care, month by month.
    citizen.top_up(
        &budget,
        &pgb,
        dec("150.00")?,
        d(2026, 3, 1)?,
        "eigen geld voor een extra uitje",
    )?;
    let monthly = [
        ("begeleiding_individueel", "864.50", "De Linde — begeleiding"),
        ("dagbesteding", "464.00", "Zorgboerderij Het Eiland"),
    ];
    for month in 1..=10u8 {
        for (i, (cat, amount, note)) in monthly.iter().enumerate() {
            let extra = if month == 7 && i == 1 { "116.00" } else { "0" };
            // Each month's invoice is kept with its spend, except one Sanne lost.
            let invoice = (month, i) != (4, 1);
            citizen.record_spend(
                &budget,
                NewEntry {
                    account: pgb.clone(),
                    kind: EntryKind::Spend,
                    amount: dec(amount)? + dec(extra)?,
                    category: Some((*cat).into()),
                    date: d(2026, month, 28)?,
                    note: format!("{note}, {}", month_name(month)),
                    reference: None,
                },
                if invoice {
                    vec![NewFile {
                        name: format!("factuur-2026-{month:02}-{}.pdf", i + 1),
                        bytes: invoice_pdf(note, month, amount),
                    }]
                } else {
                    vec![]
                },
            )?;
        }
    }
    // The marketplace: De Linde publishes; Sanne orders for November and
    // December; De Linde signs and declares; Sanne approves November's
    // first half, the second half waits for her.
    let offer = |service: &str, category: &str, price: &str, description: &str| {
        linde_offering(
            service,
            category,
            ServiceUnit::Uur,
            price,
            "ma–vr, 9–17 uur",
            description,
        )
    };
    let begeleiding = provider.publish_offering(offer(
        "Begeleiding thuis",
        "begeleiding_individueel",
        "64.00",
        "Samen plannen, post en geldzaken; vaste begeleider.",
    )?)?;
    provider.publish_offering(offer(
        "Huishoudelijke hulp",
        "huishoudelijke_hulp",
        "31.50",
        "Schoonmaken en de was, wekelijks.",
    )?)?;
    provider.publish_offering(offer(
        "Begeleiding met spoed",
        "begeleiding_individueel",
        "84.00",
        "Binnen 24 uur iemand aan huis.",
    )?)?;
    let catalogue = provider.doc_id(DocKind::Catalogue);
    hand_over(&provider, &mut citizen, &catalogue)?;
    let ag = citizen.order(&begeleiding.id, &pgb, dec("16")?, d(2026, 11, 1)?, d(2026, 12, 31)?)?;
    let linde = provider.whoami().identity;
    let agreement_doc = citizen.agreement_doc_id(&linde);
    hand_over(&citizen, &mut provider, &agreement_doc)?;
    provider.countersign(&ag.id)?;
    let first = provider.declare(
        &ag.id,
        dec("6")?,
        d(2026, 11, 1)?,
        d(2026, 11, 15)?,
        "eerste helft november",
    )?;
    provider.declare(
        &ag.id,
        dec("5")?,
        d(2026, 11, 16)?,
        d(2026, 11, 30)?,
        "tweede helft november",
    )?;
    hand_over(&provider, &mut citizen, &agreement_doc)?;
    citizen.judge_declaration(&first.id, Verdict::Goedgekeurd)?;
    hand_over(&citizen, &mut provider, &agreement_doc)?;
    hand_over(&citizen, &mut municipality, &agreement_doc)?;
    citizen.set_goal_status(&plan, &g2.id, GoalStatus::Bereikt)?;

    // A representative: Sanne's daughter Eva is her legal representative,
    // with Sanne's signed mandate to approve declarations. De Linde declares
    // the first half of December; Eva approves it with her own key ("namens
    // Sanne, door Eva"). The second half of November still waits.
    let mut daughter = create(&w.representative, "Eva de Vries", Role::Family)?;
    meet(&mut citizen, &mut daughter)?;
    meet(&mut daughter, &mut provider)?;
    citizen.give_mandate(
        daughter.whoami().identity,
        Capacity::WettelijkVertegenwoordiger,
        vec![MandateAction::Approve],
        d(2026, 1, 1)?,
        None,
    )?;
    let december = provider.declare(
        &ag.id,
        dec("4")?,
        d(2026, 12, 1)?,
        d(2026, 12, 15)?,
        "eerste helft december",
    )?;
    hand_over(&provider, &mut citizen, &agreement_doc)?;
    for doc in [&budget, &agreement_doc] {
        hand_over(&citizen, &mut daughter, doc)?;
    }
    daughter.judge_declaration(&december.id, Verdict::Goedgekeurd)?;
    for doc in [&budget, &agreement_doc] {
        hand_over(&daughter, &mut citizen, doc)?;
    }
    hand_over(&citizen, &mut provider, &agreement_doc)?;
    hand_over(&citizen, &mut municipality, &agreement_doc)?;

    // Phase 1–3: the municipality publishes its policy; Sanne asks for
    // household help (decided automatically by rule R1) and for job coaching
    // (a question, her answer, waiting in the assessor's inbox).
    municipality.publish_policy(demo_policy("Gemeente Utrecht")?)?;
    // De Linde joined the municipality, which admitted it to its market
    // (its catalogue is then passed on to everyone who joined the municipality).
    meet(&mut municipality, &mut provider)?;
    municipality.admit(linde)?;
    hand_over(&provider, &mut municipality, &catalogue)?;
    municipality.admit_provider(&linde)?;
    let policy = municipality.doc_id(DocKind::Policy);
    for v in [&mut citizen, &mut counselor] {
        hand_over(&municipality, v, &policy)?;
    }
    points(&mut citizen, &mut provider, &mut municipality, &g2.id)?;

    // An informal carer: Sanne's neighbour Els helps with the post and the
    // weekly planning at an informal tariff (within the policy's maximum),
    // paid from the pgb. Els signs and declares eight hours from her own
    // vault; Sanne approves.
    let mut carer = create(&w.carer, "Els Visser", Role::Family)?;
    meet(&mut citizen, &mut carer)?;
    let els = carer.whoami().identity;
    let informal = citizen.agree_informal(
        els,
        &pgb,
        "begeleiding_individueel",
        dec("22.50")?,
        dec("12")?,
        d(2026, 11, 1)?,
        d(2026, 12, 31)?,
    )?;
    let informal_doc = citizen.agreement_doc_id(&els);
    hand_over(&citizen, &mut carer, &informal_doc)?;
    carer.countersign(&informal.id)?;
    let hours = carer.declare(
        &informal.id,
        dec("8")?,
        d(2026, 11, 1)?,
        d(2026, 11, 30)?,
        "post en weekplanning, november",
    )?;
    hand_over(&carer, &mut citizen, &informal_doc)?;
    citizen.judge_declaration(&hours.id, Verdict::Goedgekeurd)?;
    hand_over(&citizen, &mut carer, &informal_doc)?;
    hand_over(&citizen, &mut municipality, &informal_doc)?;
    citizen.request_budget(NewRequest {
        stream: FundingStream::Wmo,
        category: "huishoudelijke_hulp".into(),
        quantity: Quantity::new(dec("104")?, Unit::Hours)?,
        period_start: d(2027, 1, 1)?,
        period_end: d(2027, 12, 31)?,
        goal_ids: vec![g1.id.clone()],
        motivation: "Schoonmaken lukt niet meer sinds mijn hersenletsel; twee uur per week.".into(),
        adjusts_account: None,
    })?;
    let coach = citizen.request_budget(NewRequest {
        stream: FundingStream::Participatiewet,
        category: "jobcoaching".into(),
        quantity: Quantity::new(dec("2400.00")?, Unit::Euro)?,
        period_start: d(2027, 1, 1)?,
        period_end: d(2027, 6, 30)?,
        goal_ids: vec![],
        motivation: "Ik wil weer aan het werk, eerst 8 uur per week met een jobcoach.".into(),
        adjusts_account: None,
    })?;
    for doc in [&plan, &budget] {
        hand_over(&citizen, &mut counselor, doc)?;
        hand_over(&citizen, &mut municipality, doc)?;
    }
    municipality.allocate()?;
    municipality.ask_information(&coach.id, "Bij welke werkgever wilt u beginnen, en is er al contact?")?;
    hand_over(&municipality, &mut citizen, &budget)?;
    citizen.answer_question(&coach.id, "Bij Kringloop Utrecht, ik heb een gesprek gehad.")?;
    for doc in [&plan, &budget] {
        hand_over(&citizen, &mut counselor, doc)?;
        hand_over(&citizen, &mut municipality, doc)?;
    }
    // Everyone Sanne deals with syncs once more: each holds what syncing
    // with her gives them (Eva, for one, the neighbour's agreement too, so
    // her Machtigingen screen counts its reservation like Sanne's budget).
    for peer in [
        &mut daughter,
        &mut counselor,
        &mut municipality,
        &mut provider,
        &mut carer,
    ] {
        catch_up(&citizen, peer)?;
    }
    household(&w, &mut counselor, &mut provider, &mut municipality)?;
    wijkbudget(&w, &mut provider, &mut municipality)?;
    Ok(w)
}

/// The municipality's policy: the example, with *dagbesteding* per dagdeel
/// priced at 12 points and a point of dagbesteding worth € 4,50 (seed 003).
fn demo_policy(municipality: &str) -> Result<Policy, VaultError> {
    let mut p = Policy::example(municipality);
    p.points_arrangements = vec![inwonercloud_schemas::PointsArrangement {
        category: "dagbesteding".into(),
        unit: ServiceUnit::Dagdeel,
        points: Decimal::from(12),
    }];
    p.points_values = vec![inwonercloud_schemas::PointsValue {
        category: "dagbesteding".into(),
        euros_per_point: dec("4.50")?,
    }];
    Ok(p)
}

/// Points (seed 003): from November the municipality grants Sanne's
/// dagbesteding in points (480 points, two dagdelen a week until April);
/// De Linde offers dagbesteding on the care farm per dagdeel; Sanne orders
/// 16 dagdelen for November and December from her points account (192
/// points reserved at the policy's 12 a dagdeel, not De Linde's € 55), De
/// Linde signs and declares November's 8 dagdelen, and Sanne approves 96
/// points: a points claim the municipality verifies, worth € 432,00 at the
/// policy's value. The order starts on Monday 2 November, after the
/// euro reservations of 1 November.
fn points(citizen: &mut Vault, provider: &mut Vault, municipality: &mut Vault, goal: &str) -> Result<(), VaultError> {
    let budget = citizen.budget_doc();
    let request = citizen.request_budget(NewRequest {
        stream: FundingStream::Wmo,
        category: "dagbesteding".into(),
        quantity: Quantity::new(dec("480")?, Unit::Points)?,
        period_start: d(2026, 11, 1)?,
        period_end: d(2027, 4, 30)?,
        goal_ids: vec![goal.to_string()],
        motivation: "De gemeente rekent dagbesteding vanaf november in punten: twee dagdelen per week op de \
                     zorgboerderij."
            .into(),
        adjusts_account: None,
    })?;
    hand_over(citizen, municipality, &budget)?;
    municipality.decide(
        &request.id,
        DecisionInput {
            outcome: Outcome::Toegekend,
            granted: None,
            reasons: "Dagbesteding in punten: 2 dagdelen per week à 12 punten, november 2026 tot en met april 2027"
                .into(),
            automated_rule: None,
        },
    )?;
    hand_over(municipality, citizen, &budget)?;
    let account = inwonercloud_vault::assessment::account_for(&request.id);
    let farm = provider.publish_offering(linde_offering(
        "Dagbesteding op de zorgboerderij",
        "dagbesteding",
        ServiceUnit::Dagdeel,
        "55.00",
        "ma–vr, ochtend of middag",
        "Meewerken met de dieren en in de moestuin, met vaste begeleiding.",
    )?)?;
    let catalogue = provider.doc_id(DocKind::Catalogue);
    hand_over(provider, citizen, &catalogue)?;
    hand_over(provider, municipality, &catalogue)?;
    let ag = citizen.order(&farm.id, &account, dec("16")?, d(2026, 11, 2)?, d(2026, 12, 31)?)?;
    let agreement_doc = citizen.agreement_doc_id(&provider.identity());
    hand_over(citizen, provider, &agreement_doc)?;
    provider.countersign(&ag.id)?;
    let november = provider.declare(
        &ag.id,
        dec("8")?,
        d(2026, 11, 2)?,
        d(2026, 11, 30)?,
        "dagbesteding november, 8 dagdelen",
    )?;
    hand_over(provider, citizen, &agreement_doc)?;
    citizen.judge_declaration(&november.id, Verdict::Goedgekeurd)?;
    hand_over(citizen, provider, &agreement_doc)?;
    for doc in [&budget, &agreement_doc] {
        hand_over(citizen, municipality, doc)?;
    }
    Ok(())
}

/// The integral pgb (i-pgb): Fatima El Amrani's household of three asks for
/// one budget for her own begeleiding and her son Noor's youth support; the
/// municipality grants it from Wmo and Jeugdwet; Ahmed, their counselor, is
/// the household's director with a mandate to order and request; he orders
/// youth support for Noor, which Fatima's vault signs; De Linde declares
/// and Fatima approves.
fn household(
    w: &DemoWorld,
    counselor: &mut Vault,
    provider: &mut Vault,
    municipality: &mut Vault,
) -> Result<(), VaultError> {
    let mut fatima = create(&w.household, "Fatima El Amrani", Role::Citizen)?;
    meet(&mut fatima, counselor)?;
    meet(&mut fatima, municipality)?;
    meet(&mut fatima, provider)?;
    meet(counselor, provider)?;
    let plan = fatima.plan_doc();
    let budget = fatima.budget_doc();
    fatima.set_plan_header(
        &plan,
        "Gezinsplan El Amrani",
        Some(d(2026, 9, 1)?),
        Some(d(2027, 8, 31)?),
    )?;
    fatima.add_member("Fatima", MemberKind::Volwassene, None)?;
    fatima.add_member("Youssef", MemberKind::Volwassene, None)?;
    let noor = fatima.add_member("Noor", MemberKind::Kind, Some(d(2017, 3, 14)?))?;
    fatima.set_situation(
        &plan,
        LifeDomain::OpvoedingJeugd,
        "Noor (9) heeft ADHD; thuis en op school loopt het vaak vast. Youssef werkt in ploegen.",
    )?;
    fatima.add_goal_for(
        &plan,
        Some(&noor.id),
        LifeDomain::OpvoedingJeugd,
        "Noor gaat met plezier naar school en heeft een vaste middagroutine",
        Some(d(2027, 7, 1)?),
    )?;
    fatima.add_need(
        &plan,
        NewNeed {
            domain: LifeDomain::OpvoedingJeugd,
            goal_id: None,
            wish: "Iemand die Noor na school opvangt en helpt met een vaste routine.".into(),
            objective_need: "Jeugdbegeleiding, 3 uur per week.".into(),
            time_cost: TimeCost {
                hours: dec("3")?,
                period: Period::Week,
                tariff: dec("58.00")?,
            },
            category: Some("jeugd_begeleiding".into()),
            member: Some(noor.id.clone()),
        },
    )?;
    fatima.add_goal_for(
        &plan,
        Some("Fatima"),
        LifeDomain::WerkEnInkomen,
        "Fatima houdt haar baan van 24 uur per week vol",
        None,
    )?;
    let a = counselor.whoami();
    let m = municipality.whoami();
    fatima.grant_consent(
        a.identity,
        &a.name,
        Role::Counselor,
        vec![plan.clone()],
        Access::Write,
        None,
        "regie over ons gezinsplan",
    )?;
    fatima.grant_consent(
        a.identity,
        &a.name,
        Role::Counselor,
        vec![budget.clone()],
        Access::Read,
        None,
        "meekijken met ons budget",
    )?;
    fatima.grant_consent(
        m.identity,
        &m.name,
        Role::Municipality,
        vec![budget.clone()],
        Access::Write,
        Some(d(2027, 12, 31)?),
        "toekenning en verantwoording i-pgb",
    )?;
    fatima.grant_consent(
        m.identity,
        &m.name,
        Role::Municipality,
        vec![plan.clone()],
        Access::Read,
        Some(d(2027, 12, 31)?),
        "beoordeling van ons gezinsplan",
    )?;
    fatima.set_director(a.identity, None)?;
    let request = fatima.request_integral_budget(
        NewRequest {
            stream: FundingStream::Wmo,
            category: "begeleiding_individueel".into(),
            quantity: Quantity::new(dec("9000.00")?, Unit::Euro)?,
            period_start: d(2026, 9, 1)?,
            period_end: d(2027, 8, 31)?,
            goal_ids: vec![],
            motivation: "Eén plan en één budget voor ons gezin: begeleiding voor mij en voor Noor.".into(),
            adjusts_account: None,
        },
        vec!["jeugd_begeleiding".into(), "jeugd_logeeropvang".into()],
    )?;
    for doc in [&plan, &budget] {
        hand_over(&fatima, counselor, doc)?;
        hand_over(&fatima, municipality, doc)?;
    }
    municipality.decide_integral(
        &request.id,
        DecisionInput {
            outcome: Outcome::Toegekend,
            granted: None,
            reasons: "Integraal pgb 2026–2027 voor het gezin: Wmo voor Fatima, Jeugdwet voor Noor".into(),
            automated_rule: None,
        },
        vec![
            StreamShare {
                stream: FundingStream::Wmo,
                amount: dec("5000.00")?,
            },
            StreamShare {
                stream: FundingStream::Jeugdwet,
                amount: dec("4000.00")?,
            },
        ],
        Vec::new(),
    )?;
    hand_over(municipality, &mut fatima, &budget)?;
    let account = inwonercloud_vault::assessment::account_for(&request.id);
    // Ahmed, the director, may order and ask for budget for the household.
    fatima.give_mandate(
        a.identity,
        Capacity::Familie,
        vec![MandateAction::Order, MandateAction::Request],
        d(2026, 9, 1)?,
        None,
    )?;
    let youth = provider.publish_offering(linde_offering(
        "Jeugdbegeleiding na school",
        "jeugd_begeleiding",
        ServiceUnit::Uur,
        "58.00",
        "ma–vr, 14–18 uur",
        "Vaste begeleider, middagroutine en huiswerk.",
    )?)?;
    let catalogue = provider.doc_id(DocKind::Catalogue);
    hand_over(provider, &mut fatima, &catalogue)?;
    hand_over(provider, counselor, &catalogue)?;
    hand_over(&fatima, counselor, &budget)?;
    counselor.commission(
        fatima.identity(),
        CommissionTask::Order {
            offering_id: youth.id.clone(),
            account: account.clone(),
            max_units: dec("60")?,
            period_start: d(2026, 10, 1)?,
            period_end: d(2027, 6, 30)?,
            member: Some(noor.id.clone()),
        },
    )?;
    hand_over(counselor, &mut fatima, &budget)?;
    let done = fatima.carry_out_commissions(d(2026, 10, 1)?)?;
    let Some(CommissionOutcome::Done { record: agreement }) = done.into_iter().map(|r| r.outcome).next() else {
        return Err(VaultError::Input(SchemaError::Invalid(
            "the director's order was not carried out".into(),
        )));
    };
    let linde = provider.whoami().identity;
    let agreement_doc = fatima.agreement_doc_id(&linde);
    hand_over(&fatima, provider, &agreement_doc)?;
    provider.countersign(&agreement)?;
    let mut declared = Vec::new();
    for (month, hours) in [(10u8, "12"), (11, "14")] {
        let last = if month == 10 { 31 } else { 30 };
        declared.push(provider.declare(
            &agreement,
            dec(hours)?,
            d(2026, month, 1)?,
            d(2026, month, last)?,
            &format!("jeugdbegeleiding Noor, {}", month_name(month)),
        )?);
    }
    hand_over(provider, &mut fatima, &agreement_doc)?;
    fatima.judge_declaration(&declared[0].id, Verdict::Goedgekeurd)?;
    for doc in [&budget, &agreement_doc] {
        hand_over(&fatima, municipality, doc)?;
        hand_over(&fatima, counselor, doc)?;
    }
    hand_over(&fatima, counselor, &plan)?;
    hand_over(&fatima, provider, &agreement_doc)?;
    Ok(())
}

/// A small PDF invoice (enough for a viewer to open and for its hash to name it).
/// The wijkbudget: the municipality's pot for Overvecht in the last quarter
/// of 2026, run by De Linde, Buurtteam Overvecht and Welzijn Overvecht.
/// Each books support per pseudonymous resident from its own vault; the
/// Buurtteam gives room to De Linde; Welzijn is near its room (an alert).
/// The pot travels as the same signed bundle a sync would carry, so every
/// partner holds the same records and sees the same dashboard.
fn wijkbudget(w: &DemoWorld, provider: &mut Vault, municipality: &mut Vault) -> Result<(), VaultError> {
    use inwonercloud_schemas::SupportKind::{Collective, Individual, Prevention};
    let mut team = create(&w.neighbourhood_team, "Buurtteam Overvecht", Role::Provider)?;
    let mut welfare = create(&w.welfare, "Welzijn Overvecht", Role::Provider)?;
    let pot = municipality.create_pot("Wijkbudget Overvecht", d(2026, 10, 1)?, d(2026, 12, 31)?)?;
    municipality.pot_fund(
        &pot,
        dec("45000.00")?,
        d(2026, 10, 1)?,
        "subsidiebesluit wijkbudget Overvecht",
    )?;
    for (org, room) in [
        (&mut *provider, "15000.00"),
        (&mut team, "20000.00"),
        (&mut welfare, "8000.00"),
    ] {
        meet(municipality, org)?;
        let (id, name) = (org.identity(), org.name().to_string());
        municipality.pot_add_partner(&pot, id, &name)?;
        municipality.pot_set_room(&pot, id, dec(room)?, "")?;
    }
    // (organisation, resident, kind, category, euros, (month, day))
    type Booking<'a> = (
        &'a str,
        &'a str,
        inwonercloud_schemas::SupportKind,
        &'a str,
        &'a str,
        (u8, u8),
    );
    let spends: [Booking; 15] = [
        (
            "linde",
            "OV-0101",
            Individual,
            "begeleiding_individueel",
            "1280.00",
            (10, 6),
        ),
        (
            "linde",
            "OV-0102",
            Individual,
            "begeleiding_individueel",
            "960.50",
            (10, 20),
        ),
        ("team", "OV-0201", Collective, "buurtactiviteit", "2400.00", (10, 9)),
        (
            "team",
            "OV-0202",
            Individual,
            "begeleiding_individueel",
            "1750.00",
            (10, 23),
        ),
        ("welzijn", "OV-0301", Prevention, "jongerenwerk", "2100.00", (10, 14)),
        (
            "linde",
            "OV-0101",
            Individual,
            "begeleiding_individueel",
            "1280.00",
            (11, 3),
        ),
        (
            "linde",
            "OV-0103",
            Individual,
            "huishoudelijke_hulp",
            "640.25",
            (11, 17),
        ),
        ("team", "OV-0201", Collective, "buurtactiviteit", "2400.00", (11, 13)),
        (
            "team",
            "OV-0203",
            Prevention,
            "schuldhulp_preventie",
            "890.40",
            (11, 26),
        ),
        ("welzijn", "OV-0302", Collective, "jongerenwerk", "2650.00", (11, 18)),
        (
            "linde",
            "OV-0101",
            Individual,
            "begeleiding_individueel",
            "1280.00",
            (12, 1),
        ),
        (
            "linde",
            "OV-0104",
            Prevention,
            "schuldhulp_preventie",
            "420.00",
            (12, 8),
        ),
        (
            "team",
            "OV-0204",
            Individual,
            "begeleiding_individueel",
            "1120.00",
            (12, 4),
        ),
        (
            "welzijn",
            "OV-0303",
            Individual,
            "schuldhulp_preventie",
            "1540.00",
            (12, 2),
        ),
        ("welzijn", "OV-0301", Prevention, "jongerenwerk", "1160.00", (12, 9)),
    ];
    for org in [&mut *provider, &mut team, &mut welfare] {
        hand_over(municipality, org, &pot)?;
    }
    for (who, resident, kind, category, amount, (m, day)) in spends {
        let org = match who {
            "linde" => &mut *provider,
            "team" => &mut team,
            _ => &mut welfare,
        };
        hand_over(municipality, org, &pot)?;
        org.pot_spend(
            &pot,
            inwonercloud_vault::NewPotSpend {
                resident: resident.into(),
                kind,
                category: category.into(),
                amount: dec(amount)?,
                date: d(2026, m, day)?,
                note: String::new(),
            },
        )?;
        hand_over(org, municipality, &pot)?;
    }
    // The partners agree in December: the Buurtteam gives De Linde room.
    hand_over(municipality, &mut team, &pot)?;
    let linde = provider.identity();
    team.pot_rebalance(
        &pot,
        team.identity(),
        linde,
        dec("1500.00")?,
        "overleg partners december",
    )?;
    hand_over(&team, municipality, &pot)?;
    for org in [&mut *provider, &mut team, &mut welfare] {
        hand_over(municipality, org, &pot)?;
    }
    Ok(())
}

fn invoice_pdf(from: &str, month: u8, amount: &str) -> Vec<u8> {
    let text = format!("Factuur {from}, {} 2026: EUR {amount}", month_name(month));
    let stream = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = vec![];
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// One of Zorgcoöperatie De Linde's offerings in Utrecht.
fn linde_offering(
    service: &str,
    category: &str,
    unit: ServiceUnit,
    price: &str,
    availability: &str,
    description: &str,
) -> Result<Offering, VaultError> {
    Ok(Offering {
        id: String::new(),
        service: service.into(),
        category: category.into(),
        unit,
        price: dec(price)?,
        region: "Utrecht".into(),
        availability: availability.into(),
        description: description.into(),
        provider: ProviderDetails {
            name: "Zorgcoöperatie De Linde".into(),
            kvk: Some("30212345".into()),
            agb: Some("98001234".into()),
        },
    })
}

fn month_name(m: u8) -> &'static str {
    inwonercloud_schemas::date::month_name(m, inwonercloud_schemas::Lang::Nl).unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_pot_shows_every_partner_the_same_dashboard() {
        let tmp = tempfile::tempdir().unwrap();
        let w = build(tmp.path()).unwrap();
        let boards: Vec<_> = [&w.municipality, &w.provider, &w.neighbourhood_team, &w.welfare]
            .iter()
            .map(|dir| {
                let v = Vault::open(dir, &passphrase()).unwrap();
                let pots = v.pots();
                assert_eq!(pots.len(), 1, "{}", dir.display());
                v.pot_dashboard(&pots[0]).unwrap()
            })
            .collect();
        assert!(
            boards.iter().all(|b| b == &boards[0]),
            "the same figures on every partner"
        );
        let d = &boards[0];
        assert_eq!(d.organisations.len(), 3);
        assert_eq!(d.funded, dec("45000.00").unwrap());
        assert_eq!(d.spent, dec("21871.15").unwrap());
        assert_eq!(d.alerts(), vec!["Welzijn Overvecht".to_string()], "93,1 % of its room");
        assert_eq!(d.rebalances.len(), 1);
        assert_eq!(d.residents, 11);
        assert!(d.not_counted.is_empty(), "{:?}", d.not_counted);
    }

    #[test]
    fn demo_world_is_consistent_across_vaults() {
        let tmp = tempfile::tempdir().unwrap();
        let w = build(tmp.path()).unwrap();
        assert!(!w.outdated(), "a demo built now, with points, is not rebuilt");
        let citizen = Vault::open(&w.citizen, &passphrase()).unwrap();
        let municipality = Vault::open(&w.municipality, &passphrase()).unwrap();
        let doc = citizen.budget_doc();
        let a = citizen.budget(&doc).unwrap();
        let b = municipality.budget(&doc).unwrap();
        let pgb = &a
            .accounts
            .iter()
            .find(|x| x.record.name.starts_with("Individuele begeleiding"))
            .unwrap()
            .record
            .id;
        let fa = &a.report.accounts[pgb];
        let fb = &b.report.accounts[pgb];
        assert_eq!(fa, fb);
        assert_eq!(fa.granted, dec("15250.00").unwrap());
        assert_eq!(fa.topped_up, dec("150.00").unwrap());
        assert_eq!(
            fa.spent,
            dec("14221.00").unwrap(),
            "13.401 paid plus 6 hours × 64 declared, 8 hours × 22,50 by the neighbour and 4 hours × 64 \
             approved by the daughter"
        );
        // The daughter approved December for Sanne, with her own key: it counts.
        let daughter = Vault::open(&w.representative, &passphrase()).unwrap();
        let held = daughter.mandates_for_me().unwrap();
        assert!(held.len() == 1 && held[0].active, "Eva acts for Sanne");
        // Eva holds what syncing with Sanne gives her (the budget and every
        // agreement, the neighbour's too): her Machtigingen screen shows the
        // same amount left as Sanne's budget screen, reservations included.
        let seen_by_eva = daughter.budget(&doc).unwrap();
        assert_eq!(fa.remaining, dec("705.00").unwrap(), "{fa:?}");
        assert_eq!(seen_by_eva.report.accounts[pgb].remaining, fa.remaining);
        assert_eq!(seen_by_eva.report.accounts, a.report.accounts);
        let by_eva: Vec<_> = a
            .report
            .lines
            .iter()
            .filter(|l| l.author == daughter.identity())
            .collect();
        assert_eq!(by_eva.len(), 1);
        assert_eq!(by_eva[0].status, inwonercloud_vault::ledger::EntryStatus::Counted);
        assert_eq!(by_eva[0].entry.amount, dec("256.00").unwrap());
        // Every euro spent is a claim: the three declarations (De Linde's
        // two, one approved by the daughter, and the neighbour's) and 19
        // invoices check; the spend whose invoice was lost is listed, not dropped.
        // Fatima's household adds one: October's youth support for Noor;
        // Sanne's dagbesteding in points another: November's 8 dagdelen.
        let report = municipality.verify_claims().unwrap();
        assert_eq!(report.valid_count(), 24, "{report:#?}");
        let unverified: Decimal = report.not_verified.values().sum();
        assert_eq!(unverified, dec("464.00").unwrap());
        let of = |name: &str| -> Decimal {
            report
                .per_citizen
                .iter()
                .filter(|(k, _)| k.starts_with(name))
                .map(|(_, v)| *v)
                .sum()
        };
        let verified = of("Sanne de Vries");
        assert_eq!(verified + unverified, fa.spent, "the report reconciles with the budget");
        // The household: 12 hours × 58,00 for Noor, paid 5 : 4 from Wmo and Jeugdwet.
        assert_eq!(of("Fatima El Amrani"), dec("696.00").unwrap());
        let noor: Vec<_> = report
            .per_member
            .iter()
            .filter(|(k, _)| k.ends_with(" · Noor"))
            .collect();
        assert_eq!(noor.len(), 1);
        assert_eq!(*noor[0].1, dec("696.00").unwrap());
        assert_eq!(
            report.per_stream[&FundingStream::Jeugdwet],
            dec("309.33").unwrap(),
            "4/9 of 696,00, to the cent"
        );
        // Points: granted, reserved and spent in points, the same on both
        // sides; the claim is verified in points, never added to a euro
        // total, and shown in euros only at the policy's stated value.
        let points = a
            .accounts
            .iter()
            .find(|x| x.record.unit == Unit::Points)
            .expect("Sanne's points account");
        assert_eq!(points.record.name, "Dagbesteding 2026");
        let (pa, pb) = (
            &a.report.accounts[&points.record.id],
            &b.report.accounts[&points.record.id],
        );
        assert_eq!(pa, pb);
        assert_eq!(
            (pa.granted, pa.reserved, pa.spent, pa.remaining),
            (
                dec("480").unwrap(),
                dec("96").unwrap(),
                dec("96").unwrap(),
                dec("288").unwrap()
            ),
            "16 dagdelen × 12 points reserved, 8 of them spent"
        );
        let claim = report
            .claims
            .iter()
            .find(|c| c.unit == Unit::Points)
            .expect("the points claim");
        assert!(claim.valid, "{:?}", claim.reason);
        assert_eq!(
            (claim.amount, claim.category.as_str()),
            (dec("96").unwrap(), "dagbesteding")
        );
        assert!(
            claim.provider.starts_with("Zorgcoöperatie De Linde"),
            "{}",
            claim.provider
        );
        let in_points = &report.other_units[&Unit::Points];
        assert_eq!(in_points.total(), dec("96").unwrap());
        assert!(in_points.not_verified.is_empty());
        assert_eq!(
            report.per_category["dagbesteding"],
            dec("4292.00").unwrap(),
            "euros only: nine invoiced months of € 464 and July's € 116 extra (April's invoice is lost), no points"
        );
        let policy = municipality.policy().expect("the published policy").record;
        assert_eq!(
            policy.points_tariff("dagbesteding", ServiceUnit::Dagdeel),
            Some(dec("12").unwrap())
        );
        let eq = report.euro_equivalents(&policy);
        assert_eq!(eq.len(), 1);
        assert_eq!(
            (eq[0].points, eq[0].euros_per_point, eq[0].euros),
            (dec("96").unwrap(), dec("4.50").unwrap(), dec("432.00").unwrap()),
            "96 points × € 4,50"
        );
        assert!(
            report
                .to_csv(inwonercloud_schemas::Lang::En)
                .unwrap()
                .lines()
                .any(|l| l.contains(";96;points;true;"))
        );
        let household = Vault::open(&w.household, &passphrase()).unwrap();
        let h = household.household(&household.plan_doc()).unwrap();
        assert_eq!(h.members.len(), 3);
        assert_eq!(h.director.map(|d| d.record.name), Some("Ahmed Bakker".to_string()));
        let pending: usize = citizen
            .agreements()
            .unwrap()
            .iter()
            .map(|a| a.declarations.iter().filter(|d| d.pending()).count())
            .sum();
        assert_eq!(pending, 1);
        let carer = Vault::open(&w.carer, &passphrase()).unwrap();
        let informal = carer.agreements().unwrap();
        assert_eq!(informal.len(), 1, "the neighbour holds her own agreement only");
        assert!(informal[0].agreement.record.informal && informal[0].countersigned);
        assert!(
            informal[0].declarations[0].approval.is_some(),
            "the neighbour sees Sanne's approval"
        );
        let plan = citizen.plan(&citizen.plan_doc()).unwrap();
        assert_eq!(plan.goals.len(), 3);
        assert!(plan.goals.iter().any(|g| g.author_name == "Ahmed Bakker"));
        // One request decided by rule, one waiting in the inbox after a question and answer.
        let inbox = municipality.inbox().unwrap();
        assert_eq!(inbox.len(), 1);
        assert_eq!(inbox[0].state, inwonercloud_vault::RequestState::InBehandeling);
        let all = citizen.requests(&doc).unwrap();
        assert_eq!(
            all.len(),
            5,
            "pgb, its raise, dagbesteding in points, household help, job coaching"
        );
        assert!(
            all.iter()
                .any(|r| r.decision.as_ref().is_some_and(|d| d.record.automated_rule.is_some()))
        );
    }
}
