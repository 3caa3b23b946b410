//! Informal carers (*mantelzorgers*): a family member or a neighbour paid
//! from the budget at an informal tariff, without a provider's catalogue.
//!
//! The budget holder signs an [`Agreement`] marked `informal` with a person
//! she knows (a peer whose certificate names a private person), shares its
//! document with that person alone in the family role, and reserves tariff ×
//! hours like an order does ([`Vault::sign_and_reserve`]). The carer then
//! countersigns and declares hours from their own vault, and the budget
//! holder approves, with the same calls as for a provider
//! ([`Vault::countersign`], [`Vault::declare`], [`Vault::judge_declaration`]).
//!
//! The tariff must be a euro amount per hour within the category's maximum
//! and the policy's informal maximum ([`Policy::informal_max_tariff`]).
//!
//! [`Policy::informal_max_tariff`]: inwonercloud_schemas::Policy::informal_max_tariff

use inwonercloud_schemas::{AgreedService, Agreement, Date, PublicKey, Role, SchemaError, ServiceUnit};
use rust_decimal::Decimal;

use crate::consent::PeerInfo;
use crate::error::{Result, VaultError};
use crate::market::Terms;
use crate::vault::Vault;

/// The offering id an informal agreement's one service carries (there is no
/// catalogue offering behind it).
pub const INFORMAL_OFFERING: &str = "informeel";

/// Whether `peer` can be `me`'s informal carer: someone else, known by a
/// name, whose certificate names a private person (a citizen or family).
pub fn can_be_carer(peer: &PeerInfo, me: &PublicKey) -> bool {
    &peer.identity != me && !peer.name.trim().is_empty() && Role::invitable_as(peer.role, Role::Family)
}

fn invalid(msg: impl Into<String>) -> VaultError {
    VaultError::Input(SchemaError::Invalid(msg.into()))
}

impl Vault {
    /// The budget holder agrees with an informal carer — a known person, not
    /// an organisation — that they help for at most `max_hours` hours at
    /// `tariff` euros an hour in `category`, paid from `account`: signs the
    /// agreement, shares its document with the carer alone and reserves
    /// tariff × hours, in one transaction.
    #[allow(clippy::too_many_arguments)]
    pub fn agree_informal(
        &mut self,
        carer: PublicKey,
        account: &str,
        category: &str,
        tariff: Decimal,
        max_hours: Decimal,
        period_start: Date,
        period_end: Date,
    ) -> Result<Agreement> {
        self.transact(|v| v.agree_informal_in(carer, account, category, tariff, max_hours, period_start, period_end))
    }

    #[allow(clippy::too_many_arguments)]
    fn agree_informal_in(
        &mut self,
        carer: PublicKey,
        account: &str,
        category: &str,
        tariff: Decimal,
        max_hours: Decimal,
        period_start: Date,
        period_end: Date,
    ) -> Result<Agreement> {
        self.check_budget_holder("make an agreement with an informal carer")?;
        if carer == self.identity() {
            return Err(invalid("you cannot be your own informal carer"));
        }
        let peer = self.peer(&carer)?.ok_or_else(|| {
            invalid(format!(
                "{} is not someone you are connected with: invite them first (family / informal carer)",
                carer.short()
            ))
        })?;
        let name = peer.name.trim().to_string();
        if name.is_empty() {
            return Err(invalid(format!(
                "{} has no name yet: connect once so their name is known",
                carer.short()
            )));
        }
        if !Role::invitable_as(peer.role, Role::Family) {
            return Err(VaultError::NotAllowed(format!(
                "{name} is a {}, not a private person: order from their catalogue instead",
                peer.role.label(inwonercloud_schemas::Lang::En)
            )));
        }
        let cat = self.catalogue();
        let c = cat
            .get(category.trim())
            .ok_or_else(|| invalid(format!("unknown category {category}: choose one from the catalogue")))?;
        if c.unit != ServiceUnit::Uur {
            return Err(invalid(format!(
                "an informal carer is paid per hour, and {} is paid per {:?}: choose a category paid per hour",
                c.name_en, c.unit
            )));
        }
        if tariff <= Decimal::ZERO || tariff.normalize().scale() > 2 {
            return Err(invalid("the tariff is a euro amount per hour above zero"));
        }
        if max_hours <= Decimal::ZERO || max_hours.normalize().scale() > 2 {
            return Err(invalid("agree on a number of hours above zero (at most two decimals)"));
        }
        if let Some(max) = c.max_tariff
            && tariff > max
        {
            return Err(VaultError::NotAllowed(format!(
                "the tariff {tariff} is above the maximum {max} an hour for {}",
                c.name_en
            )));
        }
        if let Some(max) = self.informal_max_tariff()
            && tariff > max
        {
            return Err(VaultError::NotAllowed(format!(
                "the tariff {tariff} is above the maximum {max} an hour the municipality's policy allows for an \
                 informal carer"
            )));
        }
        let service = AgreedService {
            offering_id: INFORMAL_OFFERING.to_string(),
            category: c.code.clone(),
            unit: ServiceUnit::Uur,
            tariff,
            tariff_unit: inwonercloud_schemas::Unit::Euro,
            max_units: max_hours,
        };
        self.sign_and_reserve(Terms {
            id: crate::plan::new_id(),
            party: carer,
            party_name: name,
            role: Role::Family,
            account: account.to_string(),
            service,
            period_start,
            period_end,
            informal: true,
            member: None,
        })
    }

    /// The highest hourly tariff the policy in force allows for an informal
    /// carer, if it sets one.
    pub fn informal_max_tariff(&self) -> Option<Decimal> {
        self.policy().and_then(|p| p.record.informal_max_tariff)
    }

    /// The people this vault knows who can be an informal carer: peers whose
    /// certificate names a private person (a citizen or family), by name.
    pub fn possible_carers(&self) -> Result<Vec<PeerInfo>> {
        let me = self.identity();
        let mut out: Vec<PeerInfo> = self.peers()?.into_iter().filter(|p| can_be_carer(p, &me)).collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use inwonercloud_schemas::{FundingStream, Role, Unit, Verdict};
    use rust_decimal::Decimal;

    use crate::testing::vault;
    use crate::{PeerInfo, Vault};

    fn d(s: &str) -> inwonercloud_schemas::Date {
        s.parse().unwrap()
    }

    fn know(v: &mut Vault, other: &Vault) {
        v.remember_peer(&PeerInfo {
            identity: other.identity(),
            name: other.name().to_string(),
            role: other.role(),
            devices: vec![other.device_key().public()],
            addrs: vec![],
            last_seen: 0,
            postbus: None,
        })
        .unwrap();
    }

    /// A citizen with a euro account topped up with € 1.000 and an hours
    /// account (empty: one's own money tops up euros only); returns
    /// (citizen, euro account, hours account).
    fn citizen(dir: &std::path::Path) -> (Vault, String, String) {
        let mut v = vault(&dir.join("c"), "Sanne", Role::Citizen);
        let doc = v.budget_doc();
        let euro = v
            .add_account(
                &doc,
                "Eigen potje",
                FundingStream::EigenBijdrage,
                Unit::Euro,
                d("2026-01-01"),
                d("2026-12-31"),
            )
            .unwrap()
            .id;
        v.top_up(&doc, &euro, Decimal::from(1000), d("2026-01-02"), "eigen geld")
            .unwrap();
        let hours = v
            .add_account(
                &doc,
                "Uren hulp",
                FundingStream::Wmo,
                Unit::Hours,
                d("2026-01-01"),
                d("2026-12-31"),
            )
            .unwrap()
            .id;
        let e = v
            .top_up(&doc, &hours, Decimal::from(100), d("2026-01-02"), "uren")
            .unwrap_err();
        assert!(e.to_string().contains("counts in hours, not euros"), "{e}");
        (v, euro, hours)
    }

    fn hand_over(from: &Vault, to: &mut Vault, doc: &str) {
        to.import_bundle(&from.bundle(doc).unwrap(), "test").unwrap();
    }

    #[test]
    fn an_informal_agreement_is_signed_declared_and_paid() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut sanne, euro, _) = citizen(tmp.path());
        let mut els = vault(&tmp.path().join("e"), "Els", Role::Family);
        know(&mut sanne, &els);
        know(&mut els, &sanne);
        let ag = sanne
            .agree_informal(
                els.identity(),
                &euro,
                "begeleiding_informeel",
                Decimal::new(2250, 2),
                Decimal::from(10),
                d("2026-11-01"),
                d("2026-12-31"),
            )
            .unwrap();
        assert!(ag.informal);
        assert_eq!(ag.services[0].offering_id, super::INFORMAL_OFFERING);
        let doc = sanne.agreement_doc_id(&els.identity());
        assert_eq!(sanne.header(&doc).unwrap().role_of(&els.identity()), Some(Role::Family));
        let budget = sanne.budget_doc();
        let f = &sanne.budget(&budget).unwrap().report.accounts[&euro];
        assert_eq!(f.reserved, Decimal::new(22500, 2), "10 × 22,50 reserved");

        hand_over(&sanne, &mut els, &doc);
        els.countersign(&ag.id).unwrap();
        let decl = els
            .declare(
                &ag.id,
                Decimal::from(8),
                d("2026-11-01"),
                d("2026-11-30"),
                "boodschappen",
            )
            .unwrap();
        let over = els
            .declare(&ag.id, Decimal::from(3), d("2026-12-01"), d("2026-12-31"), "te veel")
            .unwrap_err();
        assert!(over.to_string().contains("10 units were agreed"), "{over}");
        hand_over(&els, &mut sanne, &doc);
        sanne.judge_declaration(&decl.id, Verdict::Goedgekeurd).unwrap();
        let f = &sanne.budget(&budget).unwrap().report.accounts[&euro];
        assert_eq!(f.spent, Decimal::new(18000, 2), "8 × 22,50 spent");
        assert_eq!(f.reserved, Decimal::new(4500, 2), "the rest stays reserved");
    }

    #[test]
    fn strangers_organisations_tariffs_and_units_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut sanne, euro, hours) = citizen(tmp.path());
        let els = vault(&tmp.path().join("e"), "Els", Role::Family);
        let linde = vault(&tmp.path().join("l"), "De Linde", Role::Provider);
        let agree = |v: &mut Vault, who, account: &str, category: &str, tariff: i64| {
            v.agree_informal(
                who,
                account,
                category,
                Decimal::new(tariff, 2),
                Decimal::from(4),
                d("2026-11-01"),
                d("2026-11-30"),
            )
            .unwrap_err()
            .to_string()
        };
        let e = agree(&mut sanne, els.identity(), &euro, "begeleiding_informeel", 2000);
        assert!(e.contains("not someone you are connected with"), "{e}");
        know(&mut sanne, &els);
        know(&mut sanne, &linde);
        let e = agree(&mut sanne, linde.identity(), &euro, "begeleiding_informeel", 2000);
        assert!(e.contains("not a private person"), "{e}");
        let e = agree(&mut sanne, els.identity(), &euro, "ruimtevaart", 2000);
        assert!(e.contains("unknown category"), "{e}");
        let e = agree(&mut sanne, els.identity(), &euro, "dagbesteding", 2000);
        assert!(e.contains("per hour"), "{e}");
        // The shipped catalogue's own maximum for this category is 27,50.
        let e = agree(&mut sanne, els.identity(), &euro, "begeleiding_informeel", 2800);
        assert!(e.contains("above the maximum 27.50"), "{e}");
        let e = agree(&mut sanne, els.identity(), &hours, "begeleiding_informeel", 2000);
        assert!(e.contains("counts in hours, not euros"), "{e}");
        assert!(sanne.agreements().unwrap().is_empty(), "nothing was signed");
        let budget = sanne.budget_doc();
        let f = &sanne.budget(&budget).unwrap().report.accounts[&hours];
        assert_eq!(f.reserved, Decimal::ZERO, "nothing was reserved");
    }

    /// A transfer is in euros: not out of an hours account, nor into one.
    #[test]
    fn a_transfer_from_or_into_an_hours_account_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut sanne, euro, hours) = citizen(tmp.path());
        let moeder = vault(&tmp.path().join("m"), "Moeder", Role::Citizen);
        know(&mut sanne, &moeder);
        let e = sanne
            .offer_transfer(
                moeder.identity(),
                &hours,
                Decimal::from(5),
                "begeleiding_informeel",
                "uren",
            )
            .unwrap_err();
        assert!(e.to_string().contains("counts in hours, not euros"), "{e}");
        assert!(
            sanne.transfers().unwrap().is_empty(),
            "nothing was offered from the hours account"
        );
        // Another holder sends euros: Sanne cannot take them into her hours account.
        let (mut other, other_euro, _) = citizen(&tmp.path().join("o"));
        know(&mut other, &sanne);
        know(&mut sanne, &other);
        let t = other
            .offer_transfer(
                sanne.identity(),
                &other_euro,
                Decimal::from(5),
                "begeleiding_informeel",
                "",
            )
            .unwrap();
        let exchange = other.exchange_doc_id(&sanne.identity());
        hand_over(&other, &mut sanne, &exchange);
        let e = sanne.accept_transfer(&t.id, &hours).unwrap_err();
        assert!(e.to_string().contains("counts in hours, not euros"), "{e}");
        sanne.accept_transfer(&t.id, &euro).unwrap();
    }

    /// An hours account pays only for services sold per hour (1 hour per
    /// hour), and only what it holds; a service sold otherwise is refused.
    #[test]
    fn an_order_from_an_hours_account_is_in_hours_or_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut sanne, euro, hours) = citizen(tmp.path());
        let mut linde = vault(&tmp.path().join("l"), "De Linde", Role::Provider);
        let o = linde
            .publish_offering(inwonercloud_schemas::Offering {
                id: String::new(),
                service: "Huishoudelijke hulp".into(),
                category: "huishoudelijke_hulp".into(),
                unit: inwonercloud_schemas::ServiceUnit::Uur,
                price: Decimal::new(3150, 2),
                region: "Utrecht".into(),
                availability: "wekelijks".into(),
                description: String::new(),
                provider: inwonercloud_schemas::ProviderDetails {
                    name: "De Linde".into(),
                    kvk: None,
                    agb: None,
                },
            })
            .unwrap();
        know(&mut sanne, &linde);
        let catalogue = linde.doc_id(inwonercloud_schemas::DocKind::Catalogue);
        hand_over(&linde, &mut sanne, &catalogue);
        // Sold per hour: 2 hours, but the hours account holds none yet.
        let e = sanne
            .order(&o.id, &hours, Decimal::from(2), d("2026-11-01"), d("2026-11-30"))
            .unwrap_err();
        assert!(
            matches!(e, crate::VaultError::NotEnoughLeft { needed, left, unit: Unit::Hours }
                if needed == Decimal::from(2) && left.is_zero()),
            "{e}"
        );
        assert!(e.to_string().contains("needs 2 h, more than the 0 h left"), "{e}");
        let mut dag = o.clone();
        dag.id = String::new();
        dag.category = "dagbesteding".into();
        dag.unit = inwonercloud_schemas::ServiceUnit::Dagdeel;
        let dag = linde.publish_offering(dag).unwrap();
        hand_over(&linde, &mut sanne, &catalogue);
        let e = sanne
            .order(&dag.id, &hours, Decimal::from(2), d("2026-11-01"), d("2026-11-30"))
            .unwrap_err();
        assert!(e.to_string().contains("only for services sold per hour"), "{e}");
        let budget = sanne.budget_doc();
        let f = &sanne.budget(&budget).unwrap().report.accounts[&hours];
        assert_eq!(f.reserved, Decimal::ZERO);
        // From the euro account it goes through.
        sanne
            .order(&o.id, &euro, Decimal::from(2), d("2026-11-01"), d("2026-11-30"))
            .unwrap();
    }
}
