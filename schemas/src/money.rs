//! Exact amounts: euros with at most two decimals, hours, or points (iPVB).
//!
//! Every amount is a [`Decimal`]; floats never hold money. Parsing accepts
//! both the Dutch decimal comma (`12,50`, `1.234,56`) and the point (`12.50`).

use std::fmt;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::SchemaError;

/// What a budget or amount is counted in (euros unless a record says otherwise).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Euros, at most two decimals.
    #[default]
    Euro,
    /// Person-bound hours of care.
    Hours,
    /// Points in a points-based budget.
    Points,
}

impl Unit {
    /// Whether this is euros (records leave the default unit out, so
    /// records signed before units existed keep their bytes).
    pub fn is_euro(&self) -> bool {
        *self == Unit::Euro
    }

    /// Its name in `lang`: euro/euros, uren/hours, punten/points.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Unit::Euro, Lang::Nl) => "euro",
            (Unit::Euro, Lang::En) => "euros",
            (Unit::Hours, Lang::Nl) => "uren",
            (Unit::Hours, Lang::En) => "hours",
            (Unit::Points, Lang::Nl) => "punten",
            (Unit::Points, Lang::En) => "points",
        }
    }

    /// Decimals allowed in this unit.
    pub fn max_scale(self) -> u32 {
        match self {
            Unit::Euro => 2,
            Unit::Hours => 2,
            Unit::Points => 0,
        }
    }

    /// Parses `euro`/`eur`/`€`, `uren`/`hours`, `punten`/`points`.
    pub fn parse(s: &str) -> Result<Self, SchemaError> {
        match s.trim().to_lowercase().as_str() {
            "euro" | "eur" | "€" | "euros" => Ok(Unit::Euro),
            "uur" | "uren" | "hours" | "hour" | "h" => Ok(Unit::Hours),
            "punt" | "punten" | "points" | "point" => Ok(Unit::Points),
            _ => Err(SchemaError::BadUnit(s.to_string())),
        }
    }
}

/// An exact, non-negative-or-signed amount in one unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Quantity {
    /// The amount; its scale never exceeds the unit's.
    pub amount: Decimal,
    /// The unit.
    pub unit: Unit,
}

impl Quantity {
    /// A quantity, rejecting more decimals than the unit allows.
    pub fn new(amount: Decimal, unit: Unit) -> Result<Self, SchemaError> {
        check_scale(amount, unit)?;
        Ok(Self { amount, unit })
    }

    /// Euros.
    pub fn euro(amount: Decimal) -> Result<Self, SchemaError> {
        Self::new(amount, Unit::Euro)
    }
}

/// Checks that `amount` has no more decimals than `unit` allows.
pub fn check_scale(amount: Decimal, unit: Unit) -> Result<(), SchemaError> {
    if amount.normalize().scale() > unit.max_scale() {
        return Err(SchemaError::TooManyDecimals {
            amount: amount.to_string(),
            max: unit.max_scale(),
        });
    }
    Ok(())
}

/// Parses a user-typed amount exactly.
///
/// Accepts `12,50`, `12.50`, `€ 1.234,56`, `1,234.56`, `-5`. A lone separator
/// followed by exactly three digits (`1.234`) is read as a thousands separator
/// only when a Dutch comma also appears; otherwise it is a decimal point.
pub fn parse_amount(input: &str) -> Result<Decimal, SchemaError> {
    let bad = |why: &'static str| SchemaError::BadAmount {
        input: input.chars().take(40).collect(),
        why,
    };
    let s: String = input
        .trim()
        .trim_start_matches('€')
        .trim_start_matches("EUR")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    if s.is_empty() {
        return Err(bad("it is empty"));
    }
    if s.chars()
        .any(|c| !(c.is_ascii_digit() || matches!(c, ',' | '.' | '-' | '+')))
    {
        return Err(bad("only digits, one decimal separator and a sign are allowed"));
    }
    let (sign, body) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", s.strip_prefix('+').unwrap_or(&s)),
    };
    if body.contains(['-', '+']) {
        return Err(bad("the sign must come first"));
    }
    let commas = body.matches(',').count();
    let points = body.matches('.').count();
    let normalized = match (commas, points) {
        (0, 0) => body.to_string(),
        (1, 0) => body.replace(',', "."),
        (0, 1) => body.to_string(),
        (1, _) if body.rfind(',') > body.rfind('.') => {
            // Dutch: 1.234,56
            check_groups(body.split(',').next().unwrap_or(""), '.')
                .map_err(|_| bad("misplaced thousands separator"))?;
            body.replace('.', "").replace(',', ".")
        }
        (_, 1) if body.rfind('.') > body.rfind(',') => {
            // English: 1,234.56
            check_groups(body.split('.').next().unwrap_or(""), ',')
                .map_err(|_| bad("misplaced thousands separator"))?;
            body.replace(',', "")
        }
        (0, _) => {
            check_groups(body, '.').map_err(|_| bad("use one decimal separator"))?;
            body.replace('.', "")
        }
        (_, 0) => {
            check_groups(body, ',').map_err(|_| bad("use one decimal separator"))?;
            body.replace(',', "")
        }
        _ => return Err(bad("use one decimal separator")),
    };
    if normalized.starts_with('.') || normalized.ends_with('.') {
        return Err(bad("a digit must stand on both sides of the decimal separator"));
    }
    let text = format!("{sign}{normalized}");
    Decimal::from_str_exact(&text).map_err(|_| bad("the number is too large or malformed"))
}

fn check_groups(int_part: &str, sep: char) -> Result<(), ()> {
    let groups: Vec<&str> = int_part.split(sep).collect();
    if groups.len() < 2 {
        return Ok(());
    }
    if groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3) {
        return Err(());
    }
    Ok(())
}

/// Parses a user-typed euro amount: exact, at most two decimals.
pub fn parse_euros(input: &str) -> Result<Decimal, SchemaError> {
    let d = parse_amount(input)?;
    check_scale(d, Unit::Euro)?;
    Ok(d)
}

/// Display language for amounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    /// Dutch (default): `€ 1.234,56`.
    #[default]
    Nl,
    /// English: `€1,234.56`.
    En,
}

/// Formats euros: Dutch `€ 1.234,56`, English `€1,234.56`.
pub fn format_euros(amount: Decimal, lang: Lang) -> String {
    let neg = amount.is_sign_negative() && !amount.is_zero();
    let rounded = amount.abs().round_dp(2);
    let text = format!("{rounded:.2}");
    let (int, frac) = text.split_once('.').unwrap_or((&text, "00"));
    let (group, dec) = match lang {
        Lang::Nl => ('.', ','),
        Lang::En => (',', '.'),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    let sign = if neg { "-" } else { "" };
    match lang {
        Lang::Nl => format!("{sign}€ {grouped}{dec}{frac}"),
        Lang::En => format!("{sign}€{grouped}{dec}{frac}"),
    }
}

/// Formats a quantity in its unit.
pub fn format_quantity(q: Quantity, lang: Lang) -> String {
    match q.unit {
        Unit::Euro => format_euros(q.amount, lang),
        Unit::Hours => {
            let n = q.amount.normalize().to_string();
            match lang {
                Lang::Nl => format!("{} uur", n.replace('.', ",")),
                Lang::En => format!("{n} h"),
            }
        }
        Unit::Points => match lang {
            Lang::Nl => format!("{} punten", q.amount.normalize()),
            Lang::En => format!("{} points", q.amount.normalize()),
        },
    }
}

/// Formats `amount` in `unit` (see [`format_quantity`]).
pub fn format_amount(amount: Decimal, unit: Unit, lang: Lang) -> String {
    format_quantity(Quantity { amount, unit }, lang)
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unit::Euro => "euro",
            Unit::Hours => "uren",
            Unit::Points => "punten",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn parses_dutch_and_english() {
        assert_eq!(parse_amount("12,50").unwrap(), d("12.50"));
        assert_eq!(parse_amount("12.50").unwrap(), d("12.50"));
        assert_eq!(parse_amount("€ 1.234,56").unwrap(), d("1234.56"));
        assert_eq!(parse_amount("1,234.56").unwrap(), d("1234.56"));
        assert_eq!(parse_amount("-5").unwrap(), d("-5"));
        assert_eq!(parse_amount("1.234.567").unwrap(), d("1234567"));
        assert_eq!(parse_amount("0,1").unwrap(), d("0.1"));
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "", "abc", "12,5,0", "1.2.3", "12,", ",5", "5-", "1e5", "12 50x", "1.23,4.5",
        ] {
            assert!(parse_amount(bad).is_err(), "{bad} should fail");
        }
        assert!(parse_euros("12,505").is_err());
        let msg = parse_euros("12,505").unwrap_err().to_string();
        assert!(msg.contains("2 decimals"), "{msg}");
    }

    #[test]
    fn formats() {
        assert_eq!(format_euros(d("1234.5"), Lang::Nl), "€ 1.234,50");
        assert_eq!(format_euros(d("1234.5"), Lang::En), "€1,234.50");
        assert_eq!(format_euros(d("-0.05"), Lang::Nl), "-€ 0,05");
        assert_eq!(format_euros(d("1000000"), Lang::Nl), "€ 1.000.000,00");
        assert_eq!(format_euros(d("999"), Lang::Nl), "€ 999,00");
    }
}
