//! Units in claims (see [`crate::points`]): a declaration's tariff counts in
//! the unit its agreed service records, which is the unit the grant funding
//! the account was made in; a report keeps each unit's totals apart and
//! never adds points or hours to euros.

use std::collections::BTreeMap;

use inwonercloud_schemas::{AgreedService, Declaration, Policy, Unit};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{ClaimReport, ClaimResult, GrantChain};

/// The unit a grant chain counts in: what the decision granted, else what
/// was asked.
pub(super) fn grant_unit(g: &GrantChain) -> Unit {
    g.decision
        .record
        .granted
        .map(|q| q.unit)
        .unwrap_or(g.request.record.quantity.unit)
}

/// The unit of claims on an account funded by `grants` (euros when none).
pub(super) fn unit_of(grants: &[GrantChain]) -> Unit {
    grants.first().map(grant_unit).unwrap_or_default()
}

/// The rule: the declaration's tariff counts in the agreed service's unit,
/// and a grant in that unit funds it.
pub(super) fn check_declaration(
    d: &Declaration,
    agreed: &AgreedService,
    grants: &[&GrantChain],
) -> std::result::Result<(), String> {
    let en = |u: Unit| u.label(inwonercloud_schemas::Lang::En);
    if d.tariff_unit != agreed.tariff_unit {
        return Err(format!(
            "the declaration's tariff counts in {}, but the agreed service's tariff counts in {}",
            en(d.tariff_unit),
            en(agreed.tariff_unit)
        ));
    }
    if let Some(g) = grants.iter().find(|g| grant_unit(g) != agreed.tariff_unit) {
        return Err(format!(
            "the agreed tariff counts in {}, but the grant funding the account is in {}",
            en(agreed.tariff_unit),
            en(grant_unit(g))
        ));
    }
    Ok(())
}

/// Totals of claims in one unit other than euros: kept apart, never added
/// to the euro totals.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitTotals {
    /// Valid amounts per category.
    pub per_category: BTreeMap<String, Decimal>,
    /// Valid amounts per provider or informal carer.
    pub per_provider: BTreeMap<String, Decimal>,
    /// Valid amounts per citizen.
    pub per_citizen: BTreeMap<String, Decimal>,
    /// Amounts per citizen that could not be verified.
    pub not_verified: BTreeMap<String, Decimal>,
}

impl UnitTotals {
    /// All valid claims in this unit.
    pub fn total(&self) -> Decimal {
        self.per_category
            .values()
            .fold(Decimal::ZERO, |t, a| t.checked_add(*a).unwrap_or(Decimal::MAX))
    }
}

/// Adds a claim in points or hours to its unit's totals.
pub(super) fn push_other(report: &mut ClaimReport, c: &ClaimResult) {
    let add = |map: &mut BTreeMap<String, Decimal>, key: &str| {
        let t = map.entry(key.to_string()).or_default();
        *t = t.checked_add(c.amount).unwrap_or(Decimal::MAX);
    };
    let totals = report.other_units.entry(c.unit).or_default();
    if c.valid {
        add(&mut totals.per_category, &c.category);
        add(&mut totals.per_provider, &c.provider);
        add(&mut totals.per_citizen, &c.citizen);
    } else {
        add(&mut totals.not_verified, &c.citizen);
    }
}

/// A points total's worth in euros at the policy's value for its category:
/// an equivalent to show as such, never an amount that moves.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EuroEquivalent {
    /// The category.
    pub category: String,
    /// The valid points claimed in it.
    pub points: Decimal,
    /// Euros per point, as the policy states.
    pub euros_per_point: Decimal,
    /// Points × value, rounded to the cent.
    pub euros: Decimal,
}

impl ClaimReport {
    /// Per category of valid points claims that `policy` gives a points
    /// value: the euro equivalent. Categories without a stated value have
    /// none (no conversion is made up).
    pub fn euro_equivalents(&self, policy: &Policy) -> Vec<EuroEquivalent> {
        let Some(points) = self.other_units.get(&Unit::Points) else {
            return vec![];
        };
        points
            .per_category
            .iter()
            .filter_map(|(category, n)| {
                let value = policy.euros_per_point(category)?;
                Some(EuroEquivalent {
                    category: category.clone(),
                    points: *n,
                    euros_per_point: value,
                    euros: n.checked_mul(value)?.round_dp(2),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::ClaimKind;
    use super::*;
    use inwonercloud_schemas::Lang;

    fn claim(id: &str, amount: Decimal, unit: Unit) -> ClaimResult {
        ClaimResult {
            claim: id.into(),
            kind: ClaimKind::Marketplace,
            citizen: "Sanne".into(),
            provider: "De Linde".into(),
            category: "dagbesteding".into(),
            month: "2026-11".into(),
            amount,
            valid: true,
            reason: None,
            streams: BTreeMap::new(),
            member: None,
            unit,
        }
    }

    /// The claims CSV read the way a spreadsheet reads it: the byte order
    /// mark stripped, fields split at `;`, quotes honoured.
    fn rows(csv: &str) -> Vec<Vec<String>> {
        let body = csv
            .strip_prefix('\u{FEFF}')
            .expect("the CSV starts with a UTF-8 byte order mark");
        csv::ReaderBuilder::new()
            .delimiter(b';')
            .has_headers(false)
            .from_reader(body.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    /// The CSV names each claim's unit: 96 points is never read as € 96.
    #[test]
    fn the_csv_names_the_unit_of_every_claim() {
        let mut r = ClaimReport::default();
        r.push(claim("in-euros", Decimal::new(9600, 2), Unit::Euro));
        r.push(claim("in-points", Decimal::from(96), Unit::Points));
        r.push(claim("in-hours", Decimal::new(75, 1), Unit::Hours));
        let csv = r.to_csv(Lang::En).unwrap();
        let lines: Vec<&str> = csv.trim_start_matches('\u{FEFF}').lines().collect();
        assert_eq!(
            lines[0],
            "claim;kind;citizen;provider;category;month;amount;unit;valid;reason"
        );
        let columns = lines[0].split(';').count();
        assert!(lines.iter().all(|l| l.split(';').count() == columns), "{csv}");
        assert!(lines[1].contains(";96.00;euros;true;"), "{}", lines[1]);
        assert!(lines[2].contains(";96;points;true;"), "{}", lines[2]);
        assert!(lines[3].contains(";7.5;hours;true;"), "{}", lines[3]);
        // The unit column reads back as the unit, in both languages.
        for lang in [Lang::En, Lang::Nl] {
            let units: Vec<Unit> = rows(&r.to_csv(lang).unwrap())[1..]
                .iter()
                .map(|row| Unit::parse(&row[7]).unwrap())
                .collect();
            assert_eq!(units, vec![Unit::Euro, Unit::Points, Unit::Hours], "{lang:?}");
        }
    }

    /// Dutch Excel: a byte order mark, `;` between fields, a decimal comma,
    /// Dutch headers; a field holding `;`, `"` and a line break stays one
    /// field.
    #[test]
    fn the_dutch_csv_has_a_bom_semicolons_a_decimal_comma_and_quotes_awkward_fields() {
        let mut r = ClaimReport::default();
        let mut odd = claim("in-euros", Decimal::new(123456, 2), Unit::Euro);
        odd.provider = "Zorg \"De Linde\"; Utrecht\nafdeling 2".into();
        odd.valid = false;
        odd.reason = Some("geen bon; \"later\"".into());
        r.push(odd);
        let csv = r.to_csv(Lang::Nl).unwrap();
        assert!(csv.starts_with("\u{FEFF}declaratie;soort;"), "{csv}");
        let rows = rows(&csv);
        assert_eq!(rows.len(), 2, "the line break inside a field starts no new row: {csv}");
        assert_eq!(rows[0].len(), 10);
        assert_eq!(rows[1].len(), 10, "{:?}", rows[1]);
        assert_eq!(rows[1][3], "Zorg \"De Linde\"; Utrecht\nafdeling 2");
        assert_eq!(rows[1][6], "1234,56", "a decimal comma, no thousands separator");
        assert_eq!((rows[1][7].as_str(), rows[1][8].as_str()), ("euro", "nee"));
        assert_eq!(rows[1][9], "geen bon; \"later\"");
        assert_eq!(rows[0][6], "bedrag");
    }
}
