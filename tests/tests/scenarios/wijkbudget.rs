//! The wijkbudget as its partners run it (Oss, Proeftuin Ruwaard), over real
//! iroh connections on 127.0.0.1: a municipality and three organisations,
//! each a real vault, run a pot for a quarter — subsidy, rooms, spends per
//! pseudonymous resident and kind of support, one organisation reaching its
//! room (alert, then refusal), a signed rebalance — and every partner's
//! dashboard shows the same figures to the cent. Attacks: an organisation
//! booking against another's room, a non-partner's spend, a rebalance signed
//! by the receiving organisation: each refused or not counted. A provider's
//! approved marketplace declaration booked against its room, once; two
//! partners syncing the pot directly; the owner removing a partner.

use inwonercloud_schemas::{Access, DeclarationRef, PotRebalance, PotSpend, Role, SupportKind, Verdict};
use inwonercloud_sync::Node;
use inwonercloud_tests::{change_on_top, day, eur, node, sync};
use inwonercloud_vault::consent::InviteSpec;
use inwonercloud_vault::{DeclarationCheck, NewPotSpend, PotDashboard, VaultError, resident_pseudonym};

use super::market::{granted_citizen, order};
use rust_decimal::Decimal;

/// The municipality invites `org` to write `pot` as a provider; the
/// organisation joins, and the municipality names it a partner.
async fn join_pot(gemeente: &Node, org: &Node, pot: &str, name: &str) {
    let t = gemeente
        .invite(
            InviteSpec {
                role: Role::Provider,
                documents: vec![pot.to_string()],
                access: Access::Write,
                valid_until: None,
                purpose: "wijkbudget".into(),
                name_hint: name.into(),
                device: false,
            },
            3600,
        )
        .unwrap();
    org.join(&t.to_string().parse().unwrap()).await.unwrap();
    let k = org.with_vault(|v| v.identity());
    gemeente.with_vault(|v| v.pot_add_partner(pot, k, name).unwrap());
    sync(gemeente, org).await;
}

fn spend(resident: &str, kind: SupportKind, category: &str, cents: i64, date: &str) -> NewPotSpend {
    NewPotSpend {
        resident: resident.into(),
        kind,
        category: category.into(),
        amount: eur(cents),
        date: day(date),
        note: String::new(),
    }
}

/// Every organisation syncs with the municipality, twice round, so each
/// holds what every other wrote.
async fn everyone_syncs(gemeente: &Node, orgs: &[&Node]) {
    for _ in 0..2 {
        for o in orgs {
            sync(o, gemeente).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_organisations_run_a_pot_for_a_quarter_and_agree_to_the_cent() {
    let tmp = tempfile::tempdir().unwrap();
    let gemeente = node(&tmp.path().join("g"), "Gemeente Oss", Role::Municipality).await;
    let a = node(&tmp.path().join("a"), "Buurtteam Ruwaard", Role::Provider).await;
    let b = node(&tmp.path().join("b"), "Welzijn Oss", Role::Provider).await;
    let c = node(&tmp.path().join("c"), "Jeugdhulp De Brug", Role::Provider).await;
    let stranger = node(&tmp.path().join("x"), "Zorg Elders", Role::Provider).await;
    let pot = gemeente.with_vault(|v| {
        v.create_pot("Wijkbudget Ruwaard Q1 2027", day("2027-01-01"), day("2027-03-31"))
            .unwrap()
    });
    assert!(pot.contains("/pot/wijkbudget-ruwaard-q1-2027"), "{pot}");
    for (org, name) in [
        (&a, "Buurtteam Ruwaard"),
        (&b, "Welzijn Oss"),
        (&c, "Jeugdhulp De Brug"),
    ] {
        join_pot(&gemeente, org, &pot, name).await;
    }
    let [ka, kb, kc] = [&a, &b, &c].map(|n| n.with_vault(|v| v.identity()));

    // The subsidy in and the rooms, signed by the municipality.
    gemeente.with_vault(|v| {
        v.pot_fund(&pot, eur(6_000_000), day("2027-01-01"), "subsidiebesluit 2027-014")
            .unwrap();
        v.pot_set_room(&pot, ka, eur(2_500_000), "").unwrap();
        v.pot_set_room(&pot, kb, eur(2_000_000), "").unwrap();
        let err = v.pot_set_room(&pot, kc, eur(2_000_000), "").unwrap_err();
        assert!(err.to_string().contains("more than"), "rooms beyond the subsidy: {err}");
        v.pot_set_room(&pot, kc, eur(1_000_000), "").unwrap();
        assert!(
            v.pot_spend(
                &pot,
                spend("R-0001", SupportKind::Individual, "begeleiding", 100, "2027-01-05")
            )
            .is_err(),
            "the owner books no spends"
        );
    });
    everyone_syncs(&gemeente, &[&a, &b, &c]).await;
    assert!(
        a.with_vault(|v| v.pots()) == vec![pot.clone()],
        "the partner holds the pot"
    );

    // A quarter of spends per resident and kind.
    a.with_vault(|v| {
        for (i, month) in ["01", "02", "03"].iter().enumerate() {
            v.pot_spend(
                &pot,
                spend(
                    &format!("R-{:04}", i + 1),
                    SupportKind::Individual,
                    "begeleiding_individueel",
                    312_050,
                    &format!("2027-{month}-10"),
                ),
            )
            .unwrap();
            v.pot_spend(
                &pot,
                spend(
                    "R-0001",
                    SupportKind::Collective,
                    "buurtactiviteit",
                    45_033,
                    &format!("2027-{month}-20"),
                ),
            )
            .unwrap();
        }
    });
    b.with_vault(|v| {
        v.pot_spend(
            &pot,
            spend(
                "R-0002",
                SupportKind::Prevention,
                "schuldpreventie",
                180_099,
                "2027-01-15",
            ),
        )
        .unwrap();
        v.pot_spend(
            &pot,
            spend(
                "R-0100",
                SupportKind::Individual,
                "huishoudelijke_hulp",
                99_901,
                "2027-02-03",
            ),
        )
        .unwrap();
        let err = v
            .pot_spend(
                &pot,
                spend(
                    "Jan de Vries",
                    SupportKind::Individual,
                    "begeleiding",
                    100,
                    "2027-02-03",
                ),
            )
            .unwrap_err();
        assert!(err.to_string().contains("pseudonym"), "a name is no pseudonym: {err}");
        let err = v
            .pot_spend(
                &pot,
                spend("123456782", SupportKind::Individual, "begeleiding", 100, "2027-02-03"),
            )
            .unwrap_err();
        assert!(err.to_string().contains("BSN"), "a BSN is no pseudonym: {err}");
    });
    // Jeugdhulp reaches 90 % of its room: an alert, not over.
    c.with_vault(|v| {
        v.pot_spend(
            &pot,
            spend("J-0001", SupportKind::Individual, "jeugdhulp", 600_000, "2027-01-12"),
        )
        .unwrap();
        v.pot_spend(
            &pot,
            spend("J-0002", SupportKind::Prevention, "jeugdhulp", 300_000, "2027-02-12"),
        )
        .unwrap();
        let d = v.pot_dashboard(&pot).unwrap();
        let mine = d.organisation(&kc).unwrap();
        assert_eq!(mine.percent, Some(Decimal::new(900, 1)));
        assert!(mine.alert && !mine.over, "{mine:?}");
        assert_eq!(d.alerts(), vec!["Jeugdhulp De Brug".to_string()]);
        // Then a spend beyond the room is refused, with what is left.
        let err = v
            .pot_spend(
                &pot,
                spend("J-0003", SupportKind::Individual, "jeugdhulp", 150_000, "2027-03-02"),
            )
            .unwrap_err();
        assert!(matches!(err, VaultError::NotAllowed(_)), "{err}");
        assert!(err.to_string().contains("exceed your room"), "{err}");
        assert!(err.to_string().contains("1,000.00"), "names what is left: {err}");
        // Jeugdhulp cannot take room from another organisation.
        let err = v.pot_rebalance(&pot, ka, kc, eur(200_000), "").unwrap_err();
        assert!(matches!(err, VaultError::NotAllowed(_)), "{err}");
    });
    everyone_syncs(&gemeente, &[&a, &b, &c]).await;

    // The partners agree: Buurtteam gives € 2.000 of room to Jeugdhulp.
    a.with_vault(|v| {
        v.pot_rebalance(&pot, ka, kc, eur(200_000), "overleg partners 1 maart")
            .unwrap()
    });
    sync(&a, &gemeente).await;
    sync(&c, &gemeente).await;
    c.with_vault(|v| {
        let o = v.pot_dashboard(&pot).unwrap().organisation(&kc).unwrap().clone();
        assert_eq!(o.room, eur(1_200_000));
        assert!(!o.alert, "75 % after the rebalance");
        v.pot_spend(
            &pot,
            spend("J-0003", SupportKind::Individual, "jeugdhulp", 150_000, "2027-03-02"),
        )
        .unwrap();
    });

    // Attacks, each signed with the attacker's own keys around the API.
    // 1. Welzijn books against Buurtteam's room.
    b.with_vault(|v| {
        let forged = PotSpend {
            id: "evil-1".into(),
            organisation: ka,
            resident: "R-0666".into(),
            kind: SupportKind::Individual,
            category: "begeleiding".into(),
            amount: eur(500_000),
            date: day("2027-03-05"),
            note: String::new(),
            declaration: None,
        };
        v.put_record(&pot, "evil-1", forged).unwrap();
    });
    // 2. Jeugdhulp signs a rebalance that gives itself Welzijn's room.
    c.with_vault(|v| {
        let r = PotRebalance {
            id: "evil-2".into(),
            from: kb,
            to: kc,
            amount: eur(500_000),
            date: day("2027-03-05"),
            note: "zelf genomen".into(),
        };
        v.put_record(&pot, "evil-2", r).unwrap();
    });
    // 3. The municipality's own vault signs a spend around the API: the
    //    owner is no partner.
    gemeente.with_vault(|v| {
        let s = PotSpend {
            id: "evil-3".into(),
            organisation: v.identity(),
            resident: "R-0777".into(),
            kind: SupportKind::Collective,
            category: "buurtactiviteit".into(),
            amount: eur(100_000),
            date: day("2027-03-05"),
            note: String::new(),
            declaration: None,
        };
        v.put_record(&pot, "evil-3", s).unwrap();
    });
    // 4. A provider that is no partner: it is offered nothing, and its
    //    hand-made spend is refused at the gate.
    sync(&stranger, &gemeente).await;
    assert!(
        stranger.with_vault(|v| v.pots()).is_empty(),
        "a non-partner receives no pot"
    );
    let refused = gemeente.with_vault(|g| {
        let bundle = g.bundle(&pot).unwrap();
        let base = g.signed_changes(&pot).unwrap();
        stranger.with_vault(|x| {
            let s = PotSpend {
                id: "evil-4".into(),
                organisation: x.identity(),
                resident: "R-0888".into(),
                kind: SupportKind::Individual,
                category: "begeleiding".into(),
                amount: eur(100_000),
                date: day("2027-03-05"),
                note: String::new(),
                declaration: None,
            };
            let signed = inwonercloud_vault::keys::sign_record(s, x.device_key(), x.device_certificate(), 1);
            let json = serde_json::to_string(&signed).unwrap();
            let change = change_on_top(x, &pot, &base, "pot_spend/evil-4", &json, None);
            let certs = vec![x.device_certificate().clone()];
            g.import_changes(&bundle.header, &certs, &[change], "stranger")
        })
    });
    let err = refused.unwrap_err();
    assert!(err.to_string().contains("may not write"), "{err}");

    everyone_syncs(&gemeente, &[&a, &b, &c]).await;
    let boards: Vec<PotDashboard> = [&gemeente, &a, &b, &c]
        .iter()
        .map(|n| n.with_vault(|v| v.pot_dashboard(&pot).unwrap()))
        .collect();
    for (i, d) in boards.iter().enumerate().skip(1) {
        assert_eq!(
            d, &boards[0],
            "partner {i} shows the municipality's figures to the cent"
        );
    }
    let d = &boards[0];
    // Buurtteam: 3 × 3.120,50 + 3 × 450,33 = 10.712,49 of 25.000 − 2.000.
    let o = d.organisation(&ka).unwrap();
    assert_eq!(o.spent, eur(1_071_249));
    assert_eq!(o.room, eur(2_300_000));
    assert_eq!(o.rebalanced, eur(-200_000));
    assert_eq!(o.left, eur(1_228_751));
    assert_eq!(o.residents, 3);
    assert_eq!(o.per_kind[&SupportKind::Collective], eur(135_099));
    let o = d.organisation(&kb).unwrap();
    assert_eq!(o.spent, eur(280_000), "Welzijn: 1.800,99 + 999,01");
    assert_eq!(o.room, eur(2_000_000), "the rebalance Jeugdhulp signed moves nothing");
    let o = d.organisation(&kc).unwrap();
    assert_eq!(
        (o.room, o.spent, o.left),
        (eur(1_200_000), eur(1_050_000), eur(150_000))
    );
    assert_eq!(o.percent, Some(Decimal::new(875, 1)));
    assert!(d.alerts().is_empty() && d.over().is_empty());
    assert_eq!(d.funded, eur(6_000_000));
    assert_eq!(d.assigned, eur(5_500_000));
    assert_eq!(d.spent, eur(1_071_249 + 280_000 + 1_050_000));
    assert_eq!(d.left, d.funded - d.spent);
    assert_eq!(d.residents, 7, "R-0001..3, R-0100, J-0001..3");
    assert_eq!(d.per_month["2027-01"], eur(312_050 + 45_033 + 180_099 + 600_000));
    assert_eq!(d.per_month_org["2027-03"]["Jeugdhulp De Brug"], eur(150_000));
    assert_eq!(d.per_category["jeugdhulp"], eur(1_050_000));
    assert_eq!(
        d.per_kind.values().copied().sum::<Decimal>(),
        d.spent,
        "kinds add up to the spending"
    );
    assert_eq!(d.rebalances.len(), 1);
    assert_eq!(d.rebalances[0].signed_by, "Buurtteam Ruwaard");
    let why = |id: &str| {
        d.not_counted
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.why.clone())
            .unwrap_or_else(|| panic!("{id} not listed as not counting: {:?}", d.not_counted))
    };
    assert!(why("evil-1").contains("whose room"), "{}", why("evil-1"));
    assert!(why("evil-2").contains("gives room"), "{}", why("evil-2"));
    assert!(why("evil-3").contains("no partner"), "{}", why("evil-3"));
    assert!(d.not_counted.iter().all(|n| n.id != "evil-4"), "never entered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spends_booked_offline_beyond_a_lowered_room_are_flagged_never_dropped() {
    let tmp = tempfile::tempdir().unwrap();
    let gemeente = node(&tmp.path().join("g"), "Gemeente Oss", Role::Municipality).await;
    let a = node(&tmp.path().join("a"), "Buurtteam Ruwaard", Role::Provider).await;
    let pot = gemeente.with_vault(|v| v.create_pot("Ruwaard", day("2027-01-01"), day("2027-03-31")).unwrap());
    join_pot(&gemeente, &a, &pot, "Buurtteam Ruwaard").await;
    let ka = a.with_vault(|v| v.identity());
    gemeente.with_vault(|v| {
        v.pot_fund(&pot, eur(1_000_000), day("2027-01-01"), "").unwrap();
        v.pot_set_room(&pot, ka, eur(1_000_000), "").unwrap();
    });
    sync(&a, &gemeente).await;
    // Apart: the municipality lowers the room to 5.000 while the
    // organisation books 4.000 and then 3.000 against the 10.000 it sees.
    gemeente.with_vault(|v| v.pot_set_room(&pot, ka, eur(500_000), "bijgesteld").unwrap());
    a.with_vault(|v| {
        v.pot_spend(
            &pot,
            spend("R-0001", SupportKind::Individual, "begeleiding", 400_000, "2027-01-10"),
        )
        .unwrap();
        v.pot_spend(
            &pot,
            spend("R-0002", SupportKind::Individual, "begeleiding", 300_000, "2027-01-11"),
        )
        .unwrap();
    });
    sync(&a, &gemeente).await;
    sync(&a, &gemeente).await;
    let (dg, da) = (
        gemeente.with_vault(|v| v.pot_dashboard(&pot).unwrap()),
        a.with_vault(|v| v.pot_dashboard(&pot).unwrap()),
    );
    assert_eq!(dg, da);
    let o = dg.organisation(&ka).unwrap();
    assert_eq!((o.room, o.spent, o.left), (eur(500_000), eur(700_000), eur(-200_000)));
    assert!(o.over && !o.alert);
    assert_eq!(dg.over(), vec!["Buurtteam Ruwaard".to_string()]);
    let uncovered: Vec<Decimal> = dg.spends.iter().map(|s| s.uncovered).collect();
    assert_eq!(
        uncovered,
        vec![Decimal::ZERO, eur(200_000)],
        "the later spend, in content order"
    );
    // And nothing more can be booked.
    let err = a
        .with_vault(|v| {
            v.pot_spend(
                &pot,
                spend("R-0003", SupportKind::Prevention, "begeleiding", 1, "2027-01-12"),
            )
        })
        .unwrap_err();
    assert!(err.to_string().contains("exceed your room"), "{err}");
}

/// Asserts that two dashboards show the same figures to the cent (what each
/// vault could check of a declaration aside: see `DeclarationCheck`).
fn same_figures(a: &PotDashboard, b: &PotDashboard) {
    assert_eq!(a.organisations, b.organisations);
    assert_eq!(
        (a.funded, a.assigned, a.spent, a.left, a.residents),
        (b.funded, b.assigned, b.spent, b.left, b.residents)
    );
    assert_eq!(
        (&a.per_month, &a.per_category, &a.per_kind, &a.per_month_org),
        (&b.per_month, &b.per_category, &b.per_kind, &b.per_month_org)
    );
    let ids = |d: &PotDashboard| d.spends.iter().map(|s| s.spend.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(a), ids(b));
    assert_eq!(a.not_counted, b.not_counted);
}

/// Why record `id` does not count on this dashboard.
fn why(d: &PotDashboard, id: &str) -> String {
    d.not_counted
        .iter()
        .find(|n| n.id == id)
        .map(|n| n.why.clone())
        .unwrap_or_else(|| panic!("{id} not listed as not counting: {:?}", d.not_counted))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_providers_approved_marketplace_declaration_counts_once_against_its_room() {
    let tmp = tempfile::tempdir().unwrap();
    let gemeente = node(&tmp.path().join("g"), "Gemeente Oss", Role::Municipality).await;
    let linde = node(&tmp.path().join("p"), "Zorg De Linde", Role::Provider).await;
    let welzijn = node(&tmp.path().join("w"), "Welzijn Oss", Role::Provider).await;
    let sanne = node(&tmp.path().join("c"), "Sanne", Role::Citizen).await;
    // Sanne has a grant, orders 20 hours at 62,50 from De Linde, which
    // declares three times; she approves two.
    let account = granted_citizen(&sanne, &gemeente, 500_000).await;
    let (_, ag) = order(&sanne, &linde, &account, eur(6250), 20).await;
    let (jan, feb, mar) = linde.with_vault(|v| {
        let mut d =
            |units: i64, from: &str, to: &str| v.declare(&ag, Decimal::from(units), day(from), day(to), "").unwrap();
        (
            d(8, "2027-01-01", "2027-01-31"),
            d(2, "2027-02-01", "2027-02-28"),
            d(10, "2027-03-01", "2027-03-31"),
        )
    });
    sync(&linde, &sanne).await;
    sanne.with_vault(|v| {
        v.judge_declaration(&jan.id, Verdict::Goedgekeurd).unwrap();
        v.judge_declaration(&mar.id, Verdict::Goedgekeurd).unwrap();
    });
    sync(&sanne, &linde).await;
    // The municipality reads Sanne's budget, so it holds the agreement too.
    sync(&sanne, &gemeente).await;
    let ks = sanne.with_vault(|v| v.identity());

    let pot = gemeente.with_vault(|v| {
        v.create_pot("Ruwaard Q1", day("2027-01-01"), day("2027-03-31"))
            .unwrap()
    });
    join_pot(&gemeente, &linde, &pot, "Zorg De Linde").await;
    join_pot(&gemeente, &welzijn, &pot, "Welzijn Oss").await;
    let kl = linde.with_vault(|v| v.identity());
    let kw = welzijn.with_vault(|v| v.identity());
    gemeente.with_vault(|v| {
        v.pot_fund(&pot, eur(1_000_000), day("2027-01-01"), "").unwrap();
        v.pot_set_room(&pot, kl, eur(100_000), "").unwrap();
        v.pot_set_room(&pot, kw, eur(200_000), "").unwrap();
    });
    everyone_syncs(&gemeente, &[&linde, &welzijn]).await;

    // De Linde books January's approved declaration: 8 × 62,50.
    let booked = linde.with_vault(|v| v.pot_spend_declaration(&pot, &jan.id, "via de markt").unwrap());
    assert_eq!(booked.amount, eur(50_000));
    assert_eq!(booked.category, "begeleiding_individueel");
    assert_eq!(booked.kind, SupportKind::Individual);
    assert_eq!(booked.date, day("2027-01-31"));
    assert_eq!(
        booked.resident,
        resident_pseudonym(&pot, &ks),
        "derived from Sanne's key"
    );
    assert!(booked.resident.starts_with("M-") && !booked.resident.contains("Sanne"));
    assert_eq!(booked.declaration.as_ref().unwrap().id, jan.id);
    linde.with_vault(|v| {
        // Twice: refused.
        let err = v.pot_spend_declaration(&pot, &jan.id, "").unwrap_err();
        assert!(err.to_string().contains("already counted"), "{err}");
        // Not approved: refused.
        let err = v.pot_spend_declaration(&pot, &feb.id, "").unwrap_err();
        assert!(err.to_string().contains("not approved"), "{err}");
        // Approved, but 10 × 62,50 is beyond the 500,00 of room left: refused.
        let err = v.pot_spend_declaration(&pot, &mar.id, "").unwrap_err();
        assert!(err.to_string().contains("exceed your room"), "{err}");
    });
    // Welzijn holds no agreement with Sanne: it cannot book De Linde's declaration.
    let err = welzijn
        .with_vault(|v| v.pot_spend_declaration(&pot, &jan.id, ""))
        .unwrap_err();
    assert!(matches!(err, VaultError::UnknownRecord { .. }), "{err}");

    // Around the API, with De Linde's own keys: the same declaration again
    // with the amount raised, and again unchanged.
    linde.with_vault(|v| {
        let held = booked.clone();
        let altered = PotSpend {
            id: "zz-altered".into(),
            amount: eur(60_000),
            ..held.clone()
        };
        v.put_record(&pot, "zz-altered", altered).unwrap();
        let twice = PotSpend {
            id: "zz-twice".into(),
            ..held
        };
        v.put_record(&pot, "zz-twice", twice).unwrap();
    });
    everyone_syncs(&gemeente, &[&linde, &welzijn]).await;
    let boards: Vec<PotDashboard> = [&gemeente, &linde, &welzijn]
        .iter()
        .map(|n| n.with_vault(|v| v.pot_dashboard(&pot).unwrap()))
        .collect();
    for d in &boards[1..] {
        same_figures(d, &boards[0]);
    }
    let d = &boards[0];
    let o = d.organisation(&kl).unwrap();
    assert_eq!(
        (o.spent, o.marketplace, o.left),
        (eur(50_000), eur(50_000), eur(50_000))
    );
    assert_eq!(d.spends.len(), 1, "the declaration counts once");
    assert!(
        why(d, "zz-altered").contains("amount differs"),
        "{}",
        why(d, "zz-altered")
    );
    assert!(why(d, "zz-twice").contains("already counted"), "{}", why(d, "zz-twice"));
    // Who could check what: the provider and the municipality hold the
    // signed agreement, declaration and approval; Welzijn does not.
    let check = |d: &PotDashboard| d.spends[0].declaration.clone();
    assert_eq!(check(&boards[0]), Some(DeclarationCheck::Verified), "the municipality");
    assert_eq!(check(&boards[1]), Some(DeclarationCheck::Verified), "De Linde");
    assert_eq!(check(&boards[2]), Some(DeclarationCheck::NotHeld), "Welzijn");

    // Around the API: February's declaration, never approved. Welzijn,
    // which cannot see the approval, trusts De Linde's signature; the
    // vaults that hold the agreement do not count it.
    linde.with_vault(|v| {
        let (_, d) = v.declaration(&feb.id).unwrap();
        let s = PotSpend {
            id: "zz-unapproved".into(),
            amount: eur(12_500),
            date: day("2027-02-28"),
            declaration: Some(DeclarationRef {
                id: feb.id.clone(),
                hash: inwonercloud_vault::keys::record_hash(&d.declaration.signed),
                signed: Box::new(d.declaration.signed.clone()),
            }),
            ..booked.clone()
        };
        v.put_record(&pot, "zz-unapproved", s).unwrap();
    });
    everyone_syncs(&gemeente, &[&linde, &welzijn]).await;
    for n in [&gemeente, &linde] {
        let d = n.with_vault(|v| v.pot_dashboard(&pot).unwrap());
        assert!(
            why(&d, "zz-unapproved").contains("not approved"),
            "{}",
            why(&d, "zz-unapproved")
        );
        assert_eq!(d.organisation(&kl).unwrap().spent, eur(50_000));
    }
    let d = welzijn.with_vault(|v| v.pot_dashboard(&pot).unwrap());
    let line = d.spends.iter().find(|s| s.spend.id == "zz-unapproved").unwrap();
    assert_eq!(
        line.declaration,
        Some(DeclarationCheck::NotHeld),
        "trusted, and shown as such"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_partners_sync_the_pot_directly_and_agree_to_the_cent() {
    let tmp = tempfile::tempdir().unwrap();
    let gemeente = node(&tmp.path().join("g"), "Gemeente Oss", Role::Municipality).await;
    let a = node(&tmp.path().join("a"), "Buurtteam Ruwaard", Role::Provider).await;
    let b = node(&tmp.path().join("b"), "Welzijn Oss", Role::Provider).await;
    let pot = gemeente.with_vault(|v| v.create_pot("Ruwaard", day("2027-01-01"), day("2027-03-31")).unwrap());
    join_pot(&gemeente, &a, &pot, "Buurtteam Ruwaard").await;
    join_pot(&gemeente, &b, &pot, "Welzijn Oss").await;
    let [ka, kb] = [&a, &b].map(|n| n.with_vault(|v| v.identity()));
    gemeente.with_vault(|v| {
        v.pot_fund(&pot, eur(1_000_000), day("2027-01-01"), "").unwrap();
        v.pot_set_room(&pot, ka, eur(400_000), "").unwrap();
        v.pot_set_room(&pot, kb, eur(300_000), "").unwrap();
    });
    // Only the Buurtteam meets the municipality; Welzijn hears of its room
    // from the Buurtteam.
    sync(&a, &gemeente).await;
    a.with_vault(|v| {
        v.pot_spend(
            &pot,
            spend("R-0001", SupportKind::Individual, "begeleiding", 123_456, "2027-01-10"),
        )
        .unwrap();
    });
    assert!(
        b.with_vault(|v| v.pot_spend(&pot, spend("R-0002", SupportKind::Collective, "buurt", 1, "2027-01-11")))
            .is_err(),
        "no room yet"
    );
    sync(&b, &a).await;
    b.with_vault(|v| {
        assert_eq!(
            v.pot_dashboard(&pot).unwrap().organisation(&kb).unwrap().room,
            eur(300_000)
        );
        v.pot_spend(
            &pot,
            spend(
                "R-0002",
                SupportKind::Collective,
                "buurtactiviteit",
                65_433,
                "2027-02-11",
            ),
        )
        .unwrap();
        v.pot_rebalance(&pot, kb, ka, eur(50_001), "overleg").unwrap();
    });
    sync(&a, &b).await;
    let (da, db) = (
        a.with_vault(|v| v.pot_dashboard(&pot).unwrap()),
        b.with_vault(|v| v.pot_dashboard(&pot).unwrap()),
    );
    assert_eq!(da, db, "the two partners agree to the cent");
    assert_eq!(da.spent, eur(123_456 + 65_433));
    assert_eq!(da.organisation(&ka).unwrap().room, eur(450_001));
    assert_eq!(da.organisation(&kb).unwrap().left, eur(300_000 - 50_001 - 65_433));
    // The municipality saw none of these records: they went partner to partner.
    let dg = gemeente.with_vault(|v| v.pot_dashboard(&pot).unwrap());
    assert!(dg.spent.is_zero() && dg.rebalances.is_empty());
    sync(&gemeente, &a).await;
    assert_eq!(gemeente.with_vault(|v| v.pot_dashboard(&pot).unwrap()), da);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_removes_a_partner_whose_earlier_spends_stay_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let gemeente = node(&tmp.path().join("g"), "Gemeente Oss", Role::Municipality).await;
    let a = node(&tmp.path().join("a"), "Buurtteam Ruwaard", Role::Provider).await;
    let b = node(&tmp.path().join("b"), "Welzijn Oss", Role::Provider).await;
    let pot = gemeente.with_vault(|v| v.create_pot("Ruwaard", day("2027-01-01"), day("2027-03-31")).unwrap());
    join_pot(&gemeente, &a, &pot, "Buurtteam Ruwaard").await;
    join_pot(&gemeente, &b, &pot, "Welzijn Oss").await;
    let [ka, kb] = [&a, &b].map(|n| n.with_vault(|v| v.identity()));
    gemeente.with_vault(|v| {
        v.pot_fund(&pot, eur(1_000_000), day("2027-01-01"), "").unwrap();
        v.pot_set_room(&pot, ka, eur(400_000), "").unwrap();
        v.pot_set_room(&pot, kb, eur(300_000), "").unwrap();
    });
    everyone_syncs(&gemeente, &[&a, &b]).await;
    a.with_vault(|v| {
        v.pot_spend(
            &pot,
            spend("R-0001", SupportKind::Individual, "begeleiding", 30_000, "2027-01-10"),
        )
        .unwrap()
    });
    sync(&a, &gemeente).await;
    // Booked, but not yet at the municipality when it removes the Buurtteam.
    a.with_vault(|v| {
        v.pot_spend(
            &pot,
            spend("R-0002", SupportKind::Individual, "begeleiding", 20_000, "2027-01-20"),
        )
        .unwrap()
    });
    let err = b
        .with_vault(|v| v.pot_remove_partner(&pot, ka, "niet aan mij"))
        .unwrap_err();
    assert!(
        matches!(err, VaultError::NotAllowed(_)),
        "only the owner removes: {err}"
    );
    gemeente.with_vault(|v| v.pot_remove_partner(&pot, ka, "samenwerking beëindigd").unwrap());
    let h = gemeente.with_vault(|v| v.header(&pot).unwrap().clone());
    assert!(!h.may_write(&ka) && h.revoked.iter().any(|r| r.identity == ka));
    assert_eq!(
        h.role_of(&ka),
        Some(Role::Provider),
        "its earlier records keep their role"
    );
    let err = gemeente.with_vault(|v| v.pot_remove_partner(&pot, ka, "")).unwrap_err();
    assert!(err.to_string().contains("no partner"), "{err}");

    // The Buurtteam offers its late spend: refused, and it learns it was removed.
    sync(&a, &gemeente).await;
    sync(&b, &gemeente).await;
    sync(&a, &b).await;
    let err = a
        .with_vault(|v| {
            v.pot_spend(
                &pot,
                spend("R-0003", SupportKind::Individual, "begeleiding", 100, "2027-01-21"),
            )
        })
        .unwrap_err();
    assert!(err.to_string().contains("removed"), "{err}");
    for n in [&gemeente, &b] {
        let d = n.with_vault(|v| v.pot_dashboard(&pot).unwrap());
        let o = d.organisation(&ka).unwrap();
        assert!(o.removed, "shown as removed");
        assert_eq!(
            o.spent,
            eur(30_000),
            "the spend held before the removal counts, the later one not"
        );
        assert!(d.spends.iter().all(|s| s.spend.resident != "R-0002"));
        assert_eq!(n.with_vault(|v| v.pots()), vec![pot.clone()]);
    }
    assert_eq!(
        gemeente.with_vault(|v| v.pot_dashboard(&pot).unwrap()),
        b.with_vault(|v| v.pot_dashboard(&pot).unwrap())
    );
    // Welzijn books on as before.
    b.with_vault(|v| {
        v.pot_spend(
            &pot,
            spend(
                "R-0100",
                SupportKind::Prevention,
                "schuldpreventie",
                5_000,
                "2027-01-22",
            ),
        )
        .unwrap()
    });
}
