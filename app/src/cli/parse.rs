//! Argument parsers shared by the commands: dates, amounts, streams, units, roles.

use inwonercloud_schemas::{Date, FundingStream, Role, SchemaError, Unit, parse_amount};
use rust_decimal::Decimal;

/// A date: `23-11-2026` or `2026-11-23`.
pub fn date(s: &str) -> Result<Date, String> {
    s.parse().map_err(|e: SchemaError| e.to_string())
}

/// An amount: `12,50` or `12.50`.
pub fn amount(s: &str) -> Result<Decimal, String> {
    parse_amount(s).map_err(|e| e.to_string())
}

/// A funding stream: wmo, jeugdwet, wlz, zvw, participatiewet, eigen_bijdrage.
pub fn stream(s: &str) -> Result<FundingStream, String> {
    FundingStream::parse(s).map_err(|e| e.to_string())
}

/// A unit: euro, uren, punten.
pub fn unit(s: &str) -> Result<Unit, String> {
    Unit::parse(s).map_err(|e| e.to_string())
}

/// A role: inwoner, begeleider, familie, zorgaanbieder, gemeente.
pub fn role(s: &str) -> Result<Role, String> {
    Role::parse(s).map_err(|e| e.to_string())
}
