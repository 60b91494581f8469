//! FHIR `date` and `dateTime` values read as careplan dates: calendar days in England.
//!
//! A case holds days, not instants. A FHIR `date` must be a full `YYYY-MM-DD` (a year
//! or a month alone is refused, not widened to a day). A `dateTime` with a time is an
//! instant with an offset; its day is the day in England at that instant: UTC plus one
//! hour from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
//! October, the rule since 1996 (the Summer Time Order 2002 kept it). An instant before
//! 1996 keeps the day it is written with, since the earlier rules differed year by year.

use careplan_core::Date;

/// Why a FHIR date could not be read as a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeError {
    /// A year (`2019`) or year and month (`2019-12`): careplan needs the day.
    Partial,
    /// Not a FHIR date or dateTime.
    Malformed,
}

impl TimeError {
    /// What is wrong, for a problem's message.
    pub fn message(self) -> &'static str {
        match self {
            TimeError::Partial => {
                "the date gives only a year or a month; careplan needs the day, and does not guess it"
            }
            TimeError::Malformed => {
                "this is not a FHIR date or dateTime (`YYYY-MM-DD`, or `YYYY-MM-DDThh:mm:ss` with `Z` or an offset)"
            }
        }
    }
}

const MINUTES_PER_DAY: i64 = 24 * 60;

/// The day of a FHIR `date` or `dateTime`.
pub(crate) fn day_of(text: &str) -> Result<Date, TimeError> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes.get(range).is_some_and(|b| b.iter().all(u8::is_ascii_digit));
    match bytes.len() {
        4 if digits(0..4) => return Err(TimeError::Partial),
        7 if digits(0..4) && bytes.get(4) == Some(&b'-') && digits(5..7) => return Err(TimeError::Partial),
        _ => {}
    }
    let written: Date = text
        .get(..10)
        .ok_or(TimeError::Malformed)?
        .parse()
        .map_err(|_| TimeError::Malformed)?;
    let rest = text.get(10..).ok_or(TimeError::Malformed)?;
    if rest.is_empty() {
        return Ok(written);
    }
    let rest = rest.strip_prefix('T').ok_or(TimeError::Malformed)?;
    let local_minute = clock(rest)?;
    let offset = offset_minutes(rest)?;
    in_england(written, local_minute - offset)
}

/// Two ASCII digits at `at`.
fn two_digits(text: &str, at: usize) -> Result<i64, TimeError> {
    let digits = text.get(at..at + 2).ok_or(TimeError::Malformed)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TimeError::Malformed);
    }
    digits.parse().map_err(|_| TimeError::Malformed)
}

/// The minute of the day of `hh:mm:ss[.fff]…`.
fn clock(rest: &str) -> Result<i64, TimeError> {
    let bytes = rest.as_bytes();
    if bytes.get(2) != Some(&b':') || bytes.get(5) != Some(&b':') {
        return Err(TimeError::Malformed);
    }
    let (hour, minute, second) = (two_digits(rest, 0)?, two_digits(rest, 3)?, two_digits(rest, 6)?);
    if hour > 23 || minute > 59 || second > 60 {
        return Err(TimeError::Malformed);
    }
    Ok(hour * 60 + minute)
}

/// The offset after the seconds (and any fraction): `Z` is 0, `+01:00` is 60. FHIR
/// requires an offset whenever a time is given.
fn offset_minutes(rest: &str) -> Result<i64, TimeError> {
    let mut tail = rest.get(8..).ok_or(TimeError::Malformed)?;
    if let Some(fraction) = tail.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(TimeError::Malformed);
        }
        tail = fraction.get(digits..).ok_or(TimeError::Malformed)?;
    }
    if tail == "Z" {
        return Ok(0);
    }
    let sign = match tail.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Err(TimeError::Malformed),
    };
    if tail.len() != 6 || tail.as_bytes().get(3) != Some(&b':') {
        return Err(TimeError::Malformed);
    }
    let (hours, minutes) = (two_digits(tail, 1)?, two_digits(tail, 4)?);
    if hours > 14 || minutes > 59 {
        return Err(TimeError::Malformed);
    }
    Ok(sign * (hours * 60 + minutes))
}

/// The day in England of the instant `utc_minute` minutes after midnight UTC at the
/// start of `day` (which may be negative or past the day's end).
fn in_england(day: Date, utc_minute: i64) -> Result<Date, TimeError> {
    let utc_day = day
        .add_days(utc_minute.div_euclid(MINUTES_PER_DAY))
        .map_err(|_| TimeError::Malformed)?;
    let minute = utc_minute.rem_euclid(MINUTES_PER_DAY);
    if utc_day.year() < 1996 {
        // Before 1996 the day as written, offset and all (see the module's comment).
        return Ok(day);
    }
    let summer = summer_time(utc_day, minute)?;
    let local = minute + if summer { 60 } else { 0 };
    utc_day
        .add_days(local.div_euclid(MINUTES_PER_DAY))
        .map_err(|_| TimeError::Malformed)
}

/// Whether UK summer time is in force at `minute` past midnight UTC on `utc_day`.
fn summer_time(utc_day: Date, minute: i64) -> Result<bool, TimeError> {
    let year = utc_day.year();
    let starts = last_sunday(year, 3)?;
    let ends = last_sunday(year, 10)?;
    let after_start = utc_day > starts || (utc_day == starts && minute >= 60);
    let before_end = utc_day < ends || (utc_day == ends && minute < 60);
    Ok(after_start && before_end)
}

/// The last Sunday of `month` in `year`.
fn last_sunday(year: i16, month: i8) -> Result<Date, TimeError> {
    let last = Date::new(year, month, 1).ok_or(TimeError::Malformed)?.last_of_month();
    // `weekday` is 1 for Monday to 7 for Sunday.
    last.add_days(-i64::from(last.weekday() % 7))
        .map_err(|_| TimeError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> String {
        match day_of(text) {
            Ok(d) => d.to_string(),
            Err(e) => format!("{e:?}"),
        }
    }

    #[test]
    fn dates_are_read_as_written() {
        assert_eq!(day("1970-09-11"), "1970-09-11");
        assert_eq!(day("2024-02-29"), "2024-02-29");
    }

    #[test]
    fn partial_dates_are_refused() {
        assert_eq!(day("1970"), "Partial");
        assert_eq!(day("1970-09"), "Partial");
    }

    #[test]
    fn malformed_values_are_refused() {
        for text in [
            "",
            "11/09/1970",
            "2023-02-29",
            "2024-01-01T",
            "2024-01-01T10:00:00",
            "2024-01-01T10:00Z",
            "2024-01-01T25:00:00Z",
            "2024-01-01T10:00:00+1:00",
            "2024-01-01T10:00:00.Z",
            "2024-01-01 10:00:00Z",
        ] {
            assert_eq!(day(text), "Malformed", "{text:?}");
        }
    }

    #[test]
    fn instants_are_days_in_england() {
        // Winter: England is on UTC.
        assert_eq!(day("2024-01-15T23:30:00Z"), "2024-01-15");
        assert_eq!(day("2024-01-16T00:30:00+01:00"), "2024-01-15");
        assert_eq!(day("2024-01-15T19:30:00-05:00"), "2024-01-16");
        // Summer: 23:30 UTC is half past midnight the next day.
        assert_eq!(day("2024-07-15T23:30:00Z"), "2024-07-16");
        assert_eq!(day("2024-07-15T23:30:00.123Z"), "2024-07-16");
        assert_eq!(day("2024-07-16T00:30:00+01:00"), "2024-07-16");
        // The changes in 2024: 31 March and 27 October, at 01:00 UTC.
        assert_eq!(day("2024-03-31T00:59:00Z"), "2024-03-31");
        assert_eq!(day("2024-03-30T23:30:00Z"), "2024-03-30");
        assert_eq!(day("2024-10-26T23:30:00Z"), "2024-10-27");
        assert_eq!(day("2024-10-27T23:30:00Z"), "2024-10-27");
        // Before 1996 the day is kept as written.
        assert_eq!(day("1990-07-15T23:30:00Z"), "1990-07-15");
    }

    #[test]
    fn the_last_sundays_are_right() {
        assert_eq!(last_sunday(2024, 3).map(|d| d.to_string()), Ok("2024-03-31".to_owned()));
        assert_eq!(
            last_sunday(2024, 10).map(|d| d.to_string()),
            Ok("2024-10-27".to_owned())
        );
        assert_eq!(last_sunday(2025, 3).map(|d| d.to_string()), Ok("2025-03-30".to_owned()));
        assert_eq!(
            last_sunday(2025, 10).map(|d| d.to_string()),
            Ok("2025-10-26".to_owned())
        );
    }
}
