//! The calendar date used everywhere in careplan: in cases, in results and inside rules.
//!
//! Proleptic Gregorian dates from 1900 to 2200, with careplan's own text form
//! (`YYYY-MM-DD`, nothing else) and error messages. The arithmetic is Howard Hinnant's
//! `days_from_civil`/`civil_from_days`; a property test checks it against jiff. (A
//! calendar library would carry time zones and a large error vocabulary into the Wasm
//! component; careplan needs only days.) Every operation is pure: "today" is always a
//! date the caller passes in.

use std::fmt;
use std::str::FromStr;

use crate::calendar::holidays;

/// A calendar date (no time, no time zone), written `YYYY-MM-DD`.
///
/// The fields are in year, month, day order, so the derived ordering is chronological.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i16,
    month: i8,
    day: i8,
}

/// True in a leap year of the Gregorian calendar.
fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// The number of days in `month` (1 to 12) of `year`.
fn days_in_month(year: i32, month: i32) -> i32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a valid civil date.
fn days_from_civil(year: i32, month: i32, day: i32) -> i64 {
    let y = i64::from(if month <= 2 { year - 1 } else { year });
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a count of days since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i32, i32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as i32;
    let month = (if mp < 10 { mp + 3 } else { mp - 9 }) as i32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Why a text could not be read as a date, or a date calculation had no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// The text is not of the form `YYYY-MM-DD`.
    #[error("`{0}` is not a date: expected `YYYY-MM-DD`, for example `2025-03-31`")]
    Format(String),
    /// The text has the right form but names no real day (31 February, month 13).
    #[error("`{0}` is not a real calendar date")]
    NotReal(String),
    /// The result would fall outside the years careplan supports. (The message does not
    /// repeat the date: it may be a date of birth.)
    #[error("date arithmetic goes outside the years 1900 to 2200")]
    OutOfRange(Date),
    /// Working-day arithmetic reached a year with no bank-holiday table.
    #[error(
        "the bank-holiday table runs from {first}-01-01 to {last}-12-31, and this working-day calculation went outside it; a newer careplan has a longer table",
        first = holidays::FIRST_YEAR,
        last = holidays::LAST_YEAR
    )]
    NoHolidayTable(Date),
}

/// The earliest year careplan accepts in a date.
pub const MIN_YEAR: i16 = 1900;
/// The latest year careplan accepts in a date.
pub const MAX_YEAR: i16 = 2200;

impl Date {
    /// Makes a date from year, month and day, or `None` if there is no such day or the
    /// year is outside 1900 to 2200.
    pub fn new(year: i16, month: i8, day: i8) -> Option<Date> {
        let valid = (MIN_YEAR..=MAX_YEAR).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && i32::from(day) <= days_in_month(i32::from(year), i32::from(month));
        valid.then_some(Date { year, month, day })
    }

    /// The year, e.g. `2025`.
    pub fn year(self) -> i16 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> i8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub fn day(self) -> i8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before it).
    fn day_number(self) -> i64 {
        days_from_civil(i32::from(self.year), i32::from(self.month), i32::from(self.day))
    }

    /// The day of the week, 1 for Monday to 7 for Sunday (ISO 8601).
    pub fn weekday(self) -> u8 {
        // 1970-01-01 was a Thursday.
        (self.day_number() + 3).rem_euclid(7) as u8 + 1
    }

    /// The day of the week in English, e.g. `"Monday"`.
    pub fn weekday_name(self) -> &'static str {
        match self.weekday() {
            1 => "Monday",
            2 => "Tuesday",
            3 => "Wednesday",
            4 => "Thursday",
            5 => "Friday",
            6 => "Saturday",
            _ => "Sunday",
        }
    }

    /// The last day of this date's month.
    pub fn last_of_month(self) -> Date {
        let last = days_in_month(i32::from(self.year), i32::from(self.month));
        Date {
            day: last as i8,
            ..self
        }
    }

    /// The date for a year, month and day already known to be real, or `OutOfRange`
    /// (reported against `self`) when the year is outside 1900 to 2200.
    fn in_range(self, year: i64, month: i32, day: i32) -> Result<Date, DateError> {
        i16::try_from(year)
            .ok()
            .and_then(|year| Date::new(year, month as i8, day as i8))
            .ok_or(DateError::OutOfRange(self))
    }

    /// Adds (or, when negative, subtracts) a number of calendar days.
    pub fn add_days(self, days: i64) -> Result<Date, DateError> {
        // Anything beyond this many days leaves 1900 to 2200 whatever the start.
        if days.unsigned_abs() > 200_000 {
            return Err(DateError::OutOfRange(self));
        }
        let (year, month, day) = civil_from_days(self.day_number() + days);
        self.in_range(year, month, day)
    }

    /// Adds whole weeks.
    pub fn add_weeks(self, weeks: i64) -> Result<Date, DateError> {
        self.add_days(weeks.saturating_mul(7))
    }

    /// Adds calendar months. A day that does not exist in the target month is clamped to
    /// that month's last day: 31 January plus one month is 28 (or 29) February.
    pub fn add_months(self, months: i64) -> Result<Date, DateError> {
        if months.unsigned_abs() > 12 * 400 {
            return Err(DateError::OutOfRange(self));
        }
        let index = i64::from(self.year) * 12 + i64::from(self.month) - 1 + months;
        let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as i32 + 1);
        let Ok(year32) = i32::try_from(year) else {
            return Err(DateError::OutOfRange(self));
        };
        let day = i32::from(self.day).min(days_in_month(year32, month));
        self.in_range(year, month, day)
    }

    /// Adds calendar years, clamping 29 February to 28 February in common years.
    pub fn add_years(self, years: i64) -> Result<Date, DateError> {
        self.add_months(years.saturating_mul(12))
    }

    /// The number of days from `self` to `later`: positive when `later` is after `self`.
    pub fn days_until(self, later: Date) -> i64 {
        later.day_number() - self.day_number()
    }

    /// Age in completed years on `on` for someone born on `self`. A person born on
    /// 29 February reaches each new age on 1 March in a common year, as English law
    /// counts it. Negative when `on` is before `self`.
    pub fn age_on(self, on: Date) -> i64 {
        let mut years = i64::from(on.year()) - i64::from(self.year());
        if (on.month(), on.day()) < (self.month(), self.day()) {
            years -= 1;
        }
        years
    }

    /// True on Monday to Friday unless the day is an England and Wales bank holiday.
    pub fn is_working_day(self) -> Result<bool, DateError> {
        if self.weekday() >= 6 {
            return Ok(false);
        }
        match holidays::is_bank_holiday(self) {
            Some(holiday) => Ok(!holiday),
            None => Err(DateError::NoHolidayTable(self)),
        }
    }

    /// Moves `n` working days forward (or backward, when negative), skipping weekends and
    /// England and Wales bank holidays. The start day itself is never counted, so adding
    /// one working day to a Friday gives the next Monday (or Tuesday after a bank-holiday
    /// Monday). Adding zero returns the date unchanged. Computed, not stepped: a count of
    /// weekdays less the holidays between, and a binary search for the day, so any `n`
    /// costs the same. A weekday outside the bank-holiday table that a day-by-day walk
    /// would meet before arriving is the error.
    pub fn add_working_days(self, n: i64) -> Result<Date, DateError> {
        let (lo, hi) = table_span();
        let m = i64::try_from(n.unsigned_abs()).unwrap_or(i64::MAX);
        if n > 0 {
            // Forwards from the day after: the first weekday met decides a date before
            // the table; after that, the days walked are in or past it.
            let first = self.add_days(1)?;
            let met = next_weekday(first)?;
            if met < lo || met > hi {
                return Err(DateError::NoHolidayTable(met));
            }
            let available = working_days_within(first, hi);
            if m > available {
                return Err(DateError::NoHolidayTable(next_weekday(hi.add_days(1)?)?));
            }
            // The smallest day `t` with `m` working days in `first..=t`.
            let (mut low, mut high) = (first.day_number(), hi.day_number());
            while low < high {
                let mid = low + (high - low) / 2;
                if working_days_within(first, self.add_days(mid - self.day_number())?) >= m {
                    high = mid;
                } else {
                    low = mid + 1;
                }
            }
            self.add_days(low - self.day_number())
        } else if n < 0 {
            let last = self.add_days(-1)?;
            let met = previous_weekday(last)?;
            if met < lo || met > hi {
                return Err(DateError::NoHolidayTable(met));
            }
            let available = working_days_within(lo, last);
            if m > available {
                return Err(DateError::NoHolidayTable(previous_weekday(lo.add_days(-1)?)?));
            }
            // The largest day `t` with `m` working days in `t..=last`.
            let (mut low, mut high) = (lo.day_number(), last.day_number());
            while low < high {
                let mid = high - (high - low) / 2;
                if working_days_within(self.add_days(mid - self.day_number())?, last) >= m {
                    low = mid;
                } else {
                    high = mid - 1;
                }
            }
            self.add_days(low - self.day_number())
        } else {
            Ok(self)
        }
    }

    /// The number of working days between `self` and `later`, counted the way
    /// [`Date::add_working_days`] steps: forwards, the working days after `self` up to
    /// and including `later`; backwards, the working days from `later` up to but not
    /// including `self`, as a negative number. So for a working day `later` (or
    /// `later == self`), `self.add_working_days(self.working_days_until(later))` is `later`.
    /// Computed in constant time (two binary searches of the holiday table); a weekday
    /// of the span outside the table is the error, the earliest one.
    pub fn working_days_until(self, later: Date) -> Result<i64, DateError> {
        let (first, last, sign) = if later >= self {
            (self.add_days(1)?, later, 1)
        } else {
            (later, self.add_days(-1)?, -1)
        };
        if first > last {
            return Ok(0);
        }
        let (lo, hi) = table_span();
        let met = next_weekday(first)?;
        if met <= last && (met < lo || met > hi) {
            return Err(DateError::NoHolidayTable(met));
        }
        if last > hi {
            let beyond = next_weekday(hi.add_days(1)?.max(first))?;
            if beyond <= last {
                return Err(DateError::NoHolidayTable(beyond));
            }
        }
        Ok(sign * working_days_within(first, last))
    }
}

/// The first and last days of the bank-holiday table.
fn table_span() -> (Date, Date) {
    (
        Date {
            year: holidays::FIRST_YEAR,
            month: 1,
            day: 1,
        },
        Date {
            year: holidays::LAST_YEAR,
            month: 12,
            day: 31,
        },
    )
}

/// The first weekday on or after `day`.
fn next_weekday(day: Date) -> Result<Date, DateError> {
    match day.weekday() {
        6 => day.add_days(2),
        7 => day.add_days(1),
        _ => Ok(day),
    }
}

/// The last weekday on or before `day`.
fn previous_weekday(day: Date) -> Result<Date, DateError> {
    match day.weekday() {
        6 => day.add_days(-1),
        7 => day.add_days(-2),
        _ => Ok(day),
    }
}

/// Monday to Friday days from `first` to `last`, both included (0 when `last` is before
/// `first`).
fn weekdays_within(first: Date, last: Date) -> i64 {
    let days = last.day_number() - first.day_number() + 1;
    if days <= 0 {
        return 0;
    }
    let start = i64::from(first.weekday()) - 1; // 0 for Monday
    let (weeks, rest) = (days / 7, days % 7);
    let extra = (0..rest).filter(|i| (start + i) % 7 < 5).count() as i64;
    weeks * 5 + extra
}

/// Working days from `first` to `last`, both included, for a span inside the table.
fn working_days_within(first: Date, last: Date) -> i64 {
    if last < first {
        return 0;
    }
    weekdays_within(first, last) - holidays::weekday_holidays_between(first, last)
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(text: &str) -> Result<Date, DateError> {
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes.get(4) == Some(&b'-')
            && bytes.get(7) == Some(&b'-')
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape_ok {
            return Err(DateError::Format(text.to_owned()));
        }
        let number = |range: std::ops::Range<usize>| -> Option<i32> { text.get(range)?.parse().ok() };
        let parts = (number(0..4), number(5..7), number(8..10));
        let (Some(y), Some(m), Some(d)) = parts else {
            return Err(DateError::Format(text.to_owned()));
        };
        let (Ok(y), Ok(m), Ok(d)) = (i16::try_from(y), i8::try_from(m), i8::try_from(d)) else {
            return Err(DateError::NotReal(text.to_owned()));
        };
        Date::new(y, m, d).ok_or_else(|| DateError::NotReal(text.to_owned()))
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

/// The name serde sees for [`Date`] in a serializer that is not human-readable: the
/// record serializer recognises it to turn dates into the rules' date type.
pub(crate) const SERDE_NAME: &str = "careplan::Date";

impl Date {
    /// The date as one number, `YYYYMMDD`, for the record serializer.
    pub(crate) fn packed(self) -> i64 {
        i64::from(self.year) * 10_000 + i64::from(self.month) * 100 + i64::from(self.day)
    }

    /// The date [`Date::packed`] made; `None` for a number it cannot have made.
    pub(crate) fn unpacked(packed: i64) -> Option<Date> {
        let (year, month, day) = (packed / 10_000, packed / 100 % 100, packed % 100);
        Date::new(
            i16::try_from(year).ok()?,
            i8::try_from(month).ok()?,
            i8::try_from(day).ok()?,
        )
    }
}

impl serde::Serialize for Date {
    /// `YYYY-MM-DD` text for JSON and other human-readable formats; for the record
    /// serializer, [`SERDE_NAME`] around the packed number, so a case's dates become
    /// rules' dates without text in between.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_str(&self.to_string())
        } else {
            serializer.serialize_newtype_struct(SERDE_NAME, &self.packed())
        }
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date written `YYYY-MM-DD`")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Date, E> {
                // The value is not repeated: dates in a case are personal data.
                text.parse().map_err(|err| match err {
                    DateError::NotReal(_) => E::custom("not a real calendar date"),
                    _ => E::custom("expected a date written `YYYY-MM-DD`"),
                })
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
impl schemars::JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "description": "A calendar date written YYYY-MM-DD, between 1900 and 2200"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        text.parse().expect("test dates are valid")
    }

    #[test]
    fn parses_and_prints_iso_dates() {
        assert_eq!(d("2025-03-31").to_string(), "2025-03-31");
        assert_eq!(d("2024-02-29").to_string(), "2024-02-29");
    }

    #[test]
    fn rejects_malformed_and_unreal_dates() {
        for (text, message) in [
            (
                "2025-3-31",
                "`2025-3-31` is not a date: expected `YYYY-MM-DD`, for example `2025-03-31`",
            ),
            (
                "31/03/2025",
                "`31/03/2025` is not a date: expected `YYYY-MM-DD`, for example `2025-03-31`",
            ),
            ("2025-02-31", "`2025-02-31` is not a real calendar date"),
            ("2023-02-29", "`2023-02-29` is not a real calendar date"),
            ("2025-13-01", "`2025-13-01` is not a real calendar date"),
            ("0000-01-01", "`0000-01-01` is not a real calendar date"),
            ("9999-12-31", "`9999-12-31` is not a real calendar date"),
            ("", "`` is not a date: expected `YYYY-MM-DD`, for example `2025-03-31`"),
            (
                "２０２５-01-01",
                "`２０２５-01-01` is not a date: expected `YYYY-MM-DD`, for example `2025-03-31`",
            ),
        ] {
            let err = text.parse::<Date>().expect_err(text);
            assert_eq!(err.to_string(), message, "{text}");
        }
    }

    #[test]
    fn month_arithmetic_clamps_to_month_end() {
        assert_eq!(d("2025-01-31").add_months(1), Ok(d("2025-02-28")));
        assert_eq!(d("2024-01-31").add_months(1), Ok(d("2024-02-29")));
        assert_eq!(d("2024-02-29").add_months(12), Ok(d("2025-02-28")));
        assert_eq!(d("2024-02-29").add_years(4), Ok(d("2028-02-29")));
        assert_eq!(d("2025-03-31").add_months(-1), Ok(d("2025-02-28")));
        assert_eq!(d("2025-08-31").add_months(6), Ok(d("2026-02-28")));
    }

    #[test]
    fn day_and_week_arithmetic() {
        assert_eq!(d("2025-12-31").add_days(1), Ok(d("2026-01-01")));
        assert_eq!(d("2025-03-01").add_days(-1), Ok(d("2025-02-28")));
        assert_eq!(d("2025-01-01").add_weeks(6), Ok(d("2025-02-12")));
        assert_eq!(d("2025-01-01").days_until(d("2025-02-12")), 42);
        assert_eq!(d("2025-02-12").days_until(d("2025-01-01")), -42);
        assert_eq!(d("2200-12-31").add_days(1), Err(DateError::OutOfRange(d("2200-12-31"))));
        assert_eq!(
            d("2025-01-01").add_days(i64::MAX),
            Err(DateError::OutOfRange(d("2025-01-01")))
        );
    }

    #[test]
    fn age_counts_completed_years() {
        let dob = d("1950-06-15");
        assert_eq!(dob.age_on(d("2025-06-14")), 74);
        assert_eq!(dob.age_on(d("2025-06-15")), 75);
        assert_eq!(dob.age_on(d("1950-06-15")), 0);
        assert_eq!(dob.age_on(d("1949-06-15")), -1);
        // Born on 29 February: the birthday is 1 March in a common year.
        let leap = d("1948-02-29");
        assert_eq!(leap.age_on(d("2023-02-28")), 74);
        assert_eq!(leap.age_on(d("2023-03-01")), 75);
        assert_eq!(leap.age_on(d("2024-02-29")), 76);
    }

    /// Every day from 1900 to 2200 against jiff: day numbers, weekdays and the
    /// clamped month arithmetic.
    #[test]
    fn agrees_with_jiff_on_every_day() {
        use jiff::ToSpan;
        let mut ours = d("1900-01-01");
        let mut theirs = jiff::civil::date(1900, 1, 1);
        loop {
            assert_eq!(ours.to_string(), theirs.to_string());
            assert_eq!(ours.weekday(), theirs.weekday().to_monday_one_offset() as u8, "{ours}");
            assert_eq!(ours.last_of_month().to_string(), theirs.last_of_month().to_string());
            for months in [-25, -13, -1, 1, 6, 11, 12, 48] {
                let jiff = theirs.checked_add(months.months()).expect("in jiff's range");
                match ours.add_months(months) {
                    Ok(ours) => assert_eq!(ours.to_string(), jiff.to_string(), "{ours} + {months} months"),
                    Err(_) => assert!(!(1900..=2200).contains(&jiff.year()), "{ours} + {months} months"),
                }
            }
            if ours == d("2200-12-31") {
                break;
            }
            let next = ours.add_days(1).expect("before the end");
            assert_eq!(ours.days_until(next), 1);
            ours = next;
            theirs = theirs.tomorrow().expect("in jiff's range");
        }
        assert_eq!(d("1900-01-01").days_until(d("2200-12-31")), 109_937);
    }

    /// The day-by-day walk the computed working-day arithmetic replaces.
    fn walk_add(start: Date, n: i64) -> Result<Date, DateError> {
        let step = if n < 0 { -1 } else { 1 };
        let mut remaining = n.unsigned_abs();
        let mut day = start;
        while remaining > 0 {
            day = day.add_days(step)?;
            if day.is_working_day()? {
                remaining -= 1;
            }
        }
        Ok(day)
    }

    fn walk_until(start: Date, later: Date) -> Result<i64, DateError> {
        let (first, last, sign) = if later >= start {
            (start.add_days(1)?, later, 1)
        } else {
            (later, start.add_days(-1)?, -1)
        };
        let mut count = 0i64;
        let mut day = first;
        while day <= last {
            if day.is_working_day()? {
                count += 1;
            }
            day = day.add_days(1)?;
        }
        Ok(sign * count)
    }

    #[test]
    fn computed_working_days_agree_with_walking_them() {
        let mut start = d("2013-09-02");
        let end = d("2031-04-01");
        let steps = [-7000, -300, -41, -6, -5, -1, 0, 1, 2, 4, 5, 6, 40, 300, 4500, 7000];
        let mut checked = 0;
        while start < end {
            for n in steps {
                assert_eq!(
                    start.add_working_days(n),
                    walk_add(start, n),
                    "{start} + {n} working days"
                );
                let other = start.add_days(n).expect("in range");
                assert_eq!(
                    start.working_days_until(other),
                    walk_until(start, other),
                    "working days from {start} to {other}"
                );
                checked += 1;
            }
            start = start.add_days(17).expect("in range");
        }
        assert!(checked > 5_000);
        // Far beyond the table: the error is immediate, not a long walk.
        assert_eq!(
            d("2025-01-01").add_working_days(i64::MAX),
            Err(DateError::NoHolidayTable(d("2031-01-01")))
        );
        assert_eq!(
            d("2025-01-01").add_working_days(i64::MIN),
            Err(DateError::NoHolidayTable(d("2013-12-31")))
        );
    }

    #[test]
    fn working_days_skip_weekends_and_bank_holidays() {
        // Friday 18 April 2025 is Good Friday, Monday 21 April is Easter Monday.
        assert_eq!(d("2025-04-17").add_working_days(1), Ok(d("2025-04-22")));
        assert_eq!(d("2025-04-17").add_working_days(3), Ok(d("2025-04-24")));
        assert_eq!(d("2025-04-22").add_working_days(-1), Ok(d("2025-04-17")));
        assert_eq!(d("2025-04-17").working_days_until(d("2025-04-22")), Ok(1));
        assert_eq!(d("2025-04-22").working_days_until(d("2025-04-17")), Ok(-1));
        // A Saturday start: the next working day is Monday.
        assert_eq!(d("2025-03-01").add_working_days(1), Ok(d("2025-03-03")));
        assert_eq!(d("2025-03-01").add_working_days(0), Ok(d("2025-03-01")));
        // Christmas 2026 falls on a Friday: Boxing Day is substituted to Monday 28th.
        assert_eq!(d("2026-12-24").add_working_days(1), Ok(d("2026-12-29")));
        assert_eq!(d("2026-12-28").is_working_day(), Ok(false));
        assert_eq!(
            d("2013-12-30").add_working_days(1),
            Err(DateError::NoHolidayTable(d("2013-12-31")))
        );
    }
}
