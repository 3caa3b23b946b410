//! Calendar dates (`YYYY-MM-DD`) without a time zone, as written on plans,
//! decisions and receipts.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::SchemaError;

/// A proleptic Gregorian calendar date. Ordering is chronological.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// A date, checked for a real day of a real month.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, SchemaError> {
        if !(1900..=2999).contains(&year) || !(1..=12).contains(&month) {
            return Err(SchemaError::BadDate(format!("{year:04}-{month:02}-{day:02}")));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(SchemaError::BadDate(format!("{year:04}-{month:02}-{day:02}")));
        }
        Ok(Self { year, month, day })
    }

    /// The year.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month.
    pub fn day(&self) -> u8 {
        self.day
    }

    /// `YYYY-MM`, the key used for monthly figures.
    pub fn month_key(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(&self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The day `days` days later (earlier when negative), e.g. the last
    /// day to object to a decision: its date plus 42 days (six weeks).
    /// Saturates at 1970-01-01.
    pub fn plus_days(self, days: i64) -> Self {
        let day = self.days_since_epoch().saturating_add(days).max(0);
        Self::from_unix((day as u64).saturating_mul(86_400))
    }

    /// The date of a Unix timestamp (UTC).
    pub fn from_unix(secs: u64) -> Self {
        let z = (secs / 86_400) as i64 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let y = (yoe + era * 400 + i64::from(m <= 2)) as u16;
        Self {
            year: y,
            month: m,
            day: d,
        }
    }

    /// The date as people write it: dd-mm-jjjj in Dutch, ISO (yyyy-mm-dd)
    /// in English. Stored and signed dates stay ISO.
    pub fn show(self, lang: crate::Lang) -> String {
        match lang {
            crate::Lang::Nl => format!("{:02}-{:02}-{:04}", self.day, self.month, self.year),
            crate::Lang::En => self.to_string(),
        }
    }

    /// The date in the Netherlands (Europe/Amsterdam) at a Unix timestamp:
    /// what a Dutch citizen, counselor or municipality calls that day.
    pub fn dutch(secs: u64) -> Self {
        Self::from_unix(secs.saturating_add(dutch_offset(secs)))
    }

    /// Today's date in the Netherlands according to this machine's clock
    /// (a spend booked at 00:30 on 1 January is booked in the new year).
    pub fn today() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Self::dutch(secs)
    }

    /// Unix seconds at 00:00 UTC of the last Sunday of `month` in `year`.
    fn last_sunday(year: u16, month: u8) -> i64 {
        let last = Date {
            year,
            month,
            day: days_in_month(year, month),
        }
        .days_since_epoch();
        // 1970-01-01 was a Thursday: (days + 4) mod 7 is 0 on Sundays.
        let weekday = (last + 4).rem_euclid(7);
        (last - weekday) * 86_400
    }
}

/// The name of month `month` (1–12) in `lang` ("maart", "March"); none
/// outside 1–12.
pub fn month_name(month: u8, lang: crate::Lang) -> Option<&'static str> {
    const NL: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let names = match lang {
        crate::Lang::Nl => &NL,
        crate::Lang::En => &EN,
    };
    names.get(usize::from(month).checked_sub(1)?).copied()
}

/// Seconds Dutch time is ahead of UTC at `secs`: one hour (CET), or two in
/// summer time (CEST), which runs from 01:00 UTC on the last Sunday of March
/// to 01:00 UTC on the last Sunday of October — the EU rule, in force since
/// 1996 (the Netherlands has no other).
pub fn dutch_offset(secs: u64) -> u64 {
    let year = Date::from_unix(secs).year;
    let t = secs as i64;
    let start = Date::last_sunday(year, 3) + 3600;
    let end = Date::last_sunday(year, 10) + 3600;
    if (start..end).contains(&t) { 7200 } else { 3600 }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
            if leap { 29 } else { 28 }
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Date {
    type Err = SchemaError;
    /// Accepts `2026-03-01` and the Dutch `1-3-2026` / `01-03-2026`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || SchemaError::BadDate(s.chars().take(40).collect());
        let parts: Vec<&str> = s.trim().split('-').collect();
        if parts.len() != 3 {
            return Err(bad());
        }
        let nums: Vec<u32> = parts
            .iter()
            .map(|p| p.parse::<u32>().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        let (y, m, d) = if parts[0].len() == 4 {
            (nums[0], nums[1], nums[2])
        } else if parts[2].len() == 4 {
            (nums[2], nums[1], nums[0])
        } else {
            return Err(bad());
        };
        let (y, m, d) = (
            u16::try_from(y).map_err(|_| bad())?,
            u8::try_from(m).map_err(|_| bad())?,
            u8::try_from(d).map_err(|_| bad())?,
        );
        Date::new(y, m, d)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_iso_and_dutch() {
        let a: Date = "2026-02-28".parse().unwrap();
        let b: Date = "28-2-2026".parse().unwrap();
        assert_eq!(a, b);
        assert!("2026-02-29".parse::<Date>().is_err());
        assert!("2028-02-29".parse::<Date>().is_ok());
        assert!("gisteren".parse::<Date>().is_err());
    }

    #[test]
    fn dutch_days_start_at_dutch_midnight_in_winter_and_summer() {
        // 2026-12-31 23:30 UTC is already 1 January 2027 in the Netherlands (CET).
        assert_eq!(Date::dutch(1_798_759_800).to_string(), "2027-01-01");
        assert_eq!(Date::from_unix(1_798_759_800).to_string(), "2026-12-31");
        // 2026-07-01 22:30 UTC is 2 July 00:30 (CEST).
        assert_eq!(Date::dutch(1_782_945_000).to_string(), "2026-07-02");
        // 2026-07-01 21:30 UTC is still 1 July 23:30.
        assert_eq!(Date::dutch(1_782_941_400).to_string(), "2026-07-01");
        // Summer time in 2026: from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(dutch_offset(1_774_745_999), 3600);
        assert_eq!(dutch_offset(1_774_746_000), 7200);
        assert_eq!(dutch_offset(1_792_890_000 - 1), 7200);
        assert_eq!(dutch_offset(1_792_890_000), 3600);
    }

    #[test]
    fn six_weeks_after_a_date_crosses_months_years_and_leap_days() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(d("2026-11-20").plus_days(42), d("2027-01-01"));
        assert_eq!(d("2028-02-01").plus_days(28), d("2028-02-29"));
        assert_eq!(d("2027-02-01").plus_days(28), d("2027-03-01"));
        assert_eq!(d("2026-03-31").plus_days(0), d("2026-03-31"));
        assert_eq!(d("2026-03-01").plus_days(-1), d("2026-02-28"));
    }

    #[test]
    fn epoch_roundtrip() {
        for secs in [0u64, 951_782_400, 1_790_000_000, 4_102_444_800] {
            let d = Date::from_unix(secs);
            assert_eq!(d.days_since_epoch() as u64, secs / 86_400, "{d}");
        }
    }
}
