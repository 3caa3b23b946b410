//! The wijkbudget as its partners run it (Oss, Proeftuin Ruwaard), over real
//! iroh connections on 127.0.0.1: a municipality and three organisations,
//! each a real vault, run a pot for a quarter — subsidy, rooms, spends per
//! pseudonymous resident and kind of support, one organisation reaching its
//! room (alert, then refusal), a signed rebalance — and every partner's
//! dashboard shows the same figures to the cent. Attacks: an organisation
//! booking against another's room, a non-partner's spend, a rebalance signed
//! by the receiving organisation: each refused or not counted.

use inwonercloud_schemas::{Access, PotRebalance, PotSpend, Role, SupportKind};
use inwonercloud_sync::Node;
use inwonercloud_tests::{change_on_top, day, eur, node, sync};
use inwonercloud_vault::consent::InviteSpec;
use inwonercloud_vault::{NewPotSpend, PotDashboard, VaultError};
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
