//! England and Wales bank holidays, 2014 to 2030.
//!
//! The table is data, copied from the dates the UK government publishes
//! (<https://www.gov.uk/bank-holidays>, division `england-and-wales`) for the years it
//! has published, and for later years worked out by the standing rules (Banking and
//! Financial Dealings Act 1971, Sch. 1, and the royal proclamations that move the
//! Christmas and New Year substitutes). The tests below recompute every year from those
//! rules plus the one-off proclamations and check that the table agrees, so a typing
//! mistake in the table cannot go unnoticed.
//!
//! Outside the table's years working-day arithmetic fails with a clear error rather
//! than guess: a future one-off holiday cannot be computed.

use crate::Date;

/// The first year the table covers.
pub const FIRST_YEAR: i16 = 2014;
/// The last year the table covers.
pub const LAST_YEAR: i16 = 2030;

/// Every England and Wales bank holiday from 2014 to 2030, in date order, as
/// `(year, month, day, name)`.
pub const BANK_HOLIDAYS: &[(i16, i8, i8, &str)] = &[
    (2014, 1, 1, "New Year's Day"),
    (2014, 4, 18, "Good Friday"),
    (2014, 4, 21, "Easter Monday"),
    (2014, 5, 5, "Early May bank holiday"),
    (2014, 5, 26, "Spring bank holiday"),
    (2014, 8, 25, "Summer bank holiday"),
    (2014, 12, 25, "Christmas Day"),
    (2014, 12, 26, "Boxing Day"),
    (2015, 1, 1, "New Year's Day"),
    (2015, 4, 3, "Good Friday"),
    (2015, 4, 6, "Easter Monday"),
    (2015, 5, 4, "Early May bank holiday"),
    (2015, 5, 25, "Spring bank holiday"),
    (2015, 8, 31, "Summer bank holiday"),
    (2015, 12, 25, "Christmas Day"),
    (2015, 12, 28, "Boxing Day (substitute day)"),
    (2016, 1, 1, "New Year's Day"),
    (2016, 3, 25, "Good Friday"),
    (2016, 3, 28, "Easter Monday"),
    (2016, 5, 2, "Early May bank holiday"),
    (2016, 5, 30, "Spring bank holiday"),
    (2016, 8, 29, "Summer bank holiday"),
    (2016, 12, 26, "Boxing Day"),
    (2016, 12, 27, "Christmas Day (substitute day)"),
    (2017, 1, 2, "New Year's Day (substitute day)"),
    (2017, 4, 14, "Good Friday"),
    (2017, 4, 17, "Easter Monday"),
    (2017, 5, 1, "Early May bank holiday"),
    (2017, 5, 29, "Spring bank holiday"),
    (2017, 8, 28, "Summer bank holiday"),
    (2017, 12, 25, "Christmas Day"),
    (2017, 12, 26, "Boxing Day"),
    (2018, 1, 1, "New Year's Day"),
    (2018, 3, 30, "Good Friday"),
    (2018, 4, 2, "Easter Monday"),
    (2018, 5, 7, "Early May bank holiday"),
    (2018, 5, 28, "Spring bank holiday"),
    (2018, 8, 27, "Summer bank holiday"),
    (2018, 12, 25, "Christmas Day"),
    (2018, 12, 26, "Boxing Day"),
    (2019, 1, 1, "New Year's Day"),
    (2019, 4, 19, "Good Friday"),
    (2019, 4, 22, "Easter Monday"),
    (2019, 5, 6, "Early May bank holiday"),
    (2019, 5, 27, "Spring bank holiday"),
    (2019, 8, 26, "Summer bank holiday"),
    (2019, 12, 25, "Christmas Day"),
    (2019, 12, 26, "Boxing Day"),
    (2020, 1, 1, "New Year's Day"),
    (2020, 4, 10, "Good Friday"),
    (2020, 4, 13, "Easter Monday"),
    (2020, 5, 8, "Early May bank holiday (VE day)"),
    (2020, 5, 25, "Spring bank holiday"),
    (2020, 8, 31, "Summer bank holiday"),
    (2020, 12, 25, "Christmas Day"),
    (2020, 12, 28, "Boxing Day (substitute day)"),
    (2021, 1, 1, "New Year's Day"),
    (2021, 4, 2, "Good Friday"),
    (2021, 4, 5, "Easter Monday"),
    (2021, 5, 3, "Early May bank holiday"),
    (2021, 5, 31, "Spring bank holiday"),
    (2021, 8, 30, "Summer bank holiday"),
    (2021, 12, 27, "Christmas Day (substitute day)"),
    (2021, 12, 28, "Boxing Day (substitute day)"),
    (2022, 1, 3, "New Year's Day (substitute day)"),
    (2022, 4, 15, "Good Friday"),
    (2022, 4, 18, "Easter Monday"),
    (2022, 5, 2, "Early May bank holiday"),
    (2022, 6, 2, "Spring bank holiday"),
    (2022, 6, 3, "Platinum Jubilee bank holiday"),
    (2022, 8, 29, "Summer bank holiday"),
    (2022, 9, 19, "Bank Holiday for the State Funeral of Queen Elizabeth II"),
    (2022, 12, 26, "Boxing Day"),
    (2022, 12, 27, "Christmas Day (substitute day)"),
    (2023, 1, 2, "New Year's Day (substitute day)"),
    (2023, 4, 7, "Good Friday"),
    (2023, 4, 10, "Easter Monday"),
    (2023, 5, 1, "Early May bank holiday"),
    (2023, 5, 8, "Bank holiday for the coronation of King Charles III"),
    (2023, 5, 29, "Spring bank holiday"),
    (2023, 8, 28, "Summer bank holiday"),
    (2023, 12, 25, "Christmas Day"),
    (2023, 12, 26, "Boxing Day"),
    (2024, 1, 1, "New Year's Day"),
    (2024, 3, 29, "Good Friday"),
    (2024, 4, 1, "Easter Monday"),
    (2024, 5, 6, "Early May bank holiday"),
    (2024, 5, 27, "Spring bank holiday"),
    (2024, 8, 26, "Summer bank holiday"),
    (2024, 12, 25, "Christmas Day"),
    (2024, 12, 26, "Boxing Day"),
    (2025, 1, 1, "New Year's Day"),
    (2025, 4, 18, "Good Friday"),
    (2025, 4, 21, "Easter Monday"),
    (2025, 5, 5, "Early May bank holiday"),
    (2025, 5, 26, "Spring bank holiday"),
    (2025, 8, 25, "Summer bank holiday"),
    (2025, 12, 25, "Christmas Day"),
    (2025, 12, 26, "Boxing Day"),
    (2026, 1, 1, "New Year's Day"),
    (2026, 4, 3, "Good Friday"),
    (2026, 4, 6, "Easter Monday"),
    (2026, 5, 4, "Early May bank holiday"),
    (2026, 5, 25, "Spring bank holiday"),
    (2026, 8, 31, "Summer bank holiday"),
    (2026, 12, 25, "Christmas Day"),
    (2026, 12, 28, "Boxing Day (substitute day)"),
    (2027, 1, 1, "New Year's Day"),
    (2027, 3, 26, "Good Friday"),
    (2027, 3, 29, "Easter Monday"),
    (2027, 5, 3, "Early May bank holiday"),
    (2027, 5, 31, "Spring bank holiday"),
    (2027, 8, 30, "Summer bank holiday"),
    (2027, 12, 27, "Christmas Day (substitute day)"),
    (2027, 12, 28, "Boxing Day (substitute day)"),
    (2028, 1, 3, "New Year's Day (substitute day)"),
    (2028, 4, 14, "Good Friday"),
    (2028, 4, 17, "Easter Monday"),
    (2028, 5, 1, "Early May bank holiday"),
    (2028, 5, 29, "Spring bank holiday"),
    (2028, 8, 28, "Summer bank holiday"),
    (2028, 12, 25, "Christmas Day"),
    (2028, 12, 26, "Boxing Day"),
    (2029, 1, 1, "New Year's Day"),
    (2029, 3, 30, "Good Friday"),
    (2029, 4, 2, "Easter Monday"),
    (2029, 5, 7, "Early May bank holiday"),
    (2029, 5, 28, "Spring bank holiday"),
    (2029, 8, 27, "Summer bank holiday"),
    (2029, 12, 25, "Christmas Day"),
    (2029, 12, 26, "Boxing Day"),
    (2030, 1, 1, "New Year's Day"),
    (2030, 4, 19, "Good Friday"),
    (2030, 4, 22, "Easter Monday"),
    (2030, 5, 6, "Early May bank holiday"),
    (2030, 5, 27, "Spring bank holiday"),
    (2030, 8, 26, "Summer bank holiday"),
    (2030, 12, 25, "Christmas Day"),
    (2030, 12, 26, "Boxing Day"),
];

/// The bank holiday on `date`, if any: `Some(Some(name))` for a holiday, `Some(None)`
/// for an ordinary day, `None` when the year is outside the table.
pub fn bank_holiday_name(date: Date) -> Option<Option<&'static str>> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        return None;
    }
    let key = (date.year(), date.month(), date.day());
    Some(
        BANK_HOLIDAYS
            .binary_search_by(|&(y, m, d, _)| (y, m, d).cmp(&key))
            .ok()
            .and_then(|i| BANK_HOLIDAYS.get(i))
            .map(|&(.., name)| name),
    )
}

/// The number of bank holidays from `first` to `last`, both included, that fall on a
/// weekday (substitute days are weekdays by definition): two binary searches.
pub fn weekday_holidays_between(first: Date, last: Date) -> i64 {
    let before = |key: (i16, i8, i8)| BANK_HOLIDAYS.partition_point(|&(y, m, d, _)| (y, m, d) < key);
    let (a, b) = (
        before((first.year(), first.month(), first.day())),
        before((last.year(), last.month(), last.day())),
    );
    let on_last = usize::from(is_bank_holiday(last) == Some(true));
    let holidays = BANK_HOLIDAYS.get(a..b + on_last).unwrap_or_default();
    holidays
        .iter()
        .filter(|&&(y, m, d, _)| Date::new(y, m, d).is_some_and(|day| day.weekday() < 6))
        .count() as i64
}

/// Whether `date` is a bank holiday, or `None` when its year is outside the table.
pub fn is_bank_holiday(date: Date) -> Option<bool> {
    bank_holiday_name(date).map(|name| name.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn date(y: i16, m: i8, d: i8) -> Date {
        Date::new(y, m, d).expect("valid test date")
    }

    /// Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    fn easter(year: i16) -> Date {
        let y = i32::from(year);
        let a = y % 19;
        let b = y / 100;
        let c = y % 100;
        let d = b / 4;
        let e = b % 4;
        let f = (b + 8) / 25;
        let g = (b - f + 1) / 3;
        let h = (19 * a + b - d - g + 15) % 30;
        let i = c / 4;
        let k = c % 4;
        let l = (32 + 2 * e + 2 * i - h - k) % 7;
        let m = (a + 11 * h + 22 * l) / 451;
        let month = (h + l - 7 * m + 114) / 31;
        let day = (h + l - 7 * m + 114) % 31 + 1;
        date(year, month as i8, day as i8)
    }

    fn weekday(d: Date) -> u8 {
        // 1 = Monday .. 7 = Sunday
        d.weekday()
    }

    fn first_monday(year: i16, month: i8) -> Date {
        let mut d = date(year, month, 1);
        while weekday(d) != 1 {
            d = d.add_days(1).expect("in range");
        }
        d
    }

    fn last_monday(year: i16, month: i8) -> Date {
        let mut d = date(year, month, 1).last_of_month();
        while d.weekday() != 1 {
            d = d.add_days(-1).expect("in range");
        }
        d
    }

    /// The standing rules: fixed days with substitutes on the next free weekday.
    fn standing_rules(year: i16) -> BTreeSet<Date> {
        let mut days = BTreeSet::new();
        let new_year = date(year, 1, 1);
        days.insert(match weekday(new_year) {
            6 => date(year, 1, 3),
            7 => date(year, 1, 2),
            _ => new_year,
        });
        let easter = easter(year);
        days.insert(easter.add_days(-2).expect("in range"));
        days.insert(easter.add_days(1).expect("in range"));
        days.insert(first_monday(year, 5));
        days.insert(last_monday(year, 5));
        days.insert(last_monday(year, 8));
        let (christmas, boxing) = match weekday(date(year, 12, 25)) {
            5 => (date(year, 12, 25), date(year, 12, 28)),
            6 => (date(year, 12, 27), date(year, 12, 28)),
            7 => (date(year, 12, 27), date(year, 12, 26)),
            _ => (date(year, 12, 25), date(year, 12, 26)),
        };
        days.insert(christmas);
        days.insert(boxing);
        days
    }

    #[test]
    fn table_is_sorted_and_unique() {
        let keys: Vec<_> = BANK_HOLIDAYS.iter().map(|&(y, m, d, _)| (y, m, d)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(keys, sorted);
    }

    #[test]
    fn table_matches_standing_rules_and_proclamations() {
        for year in FIRST_YEAR..=LAST_YEAR {
            let mut expected = standing_rules(year);
            // One-off proclamations.
            match year {
                2020 => {
                    // Early May bank holiday moved from Monday 4 May to Friday 8 May (VE day 75).
                    assert!(expected.remove(&date(2020, 5, 4)));
                    expected.insert(date(2020, 5, 8));
                }
                2022 => {
                    // Spring bank holiday moved to Thursday 2 June, plus the Platinum
                    // Jubilee on 3 June and the State Funeral on 19 September.
                    assert!(expected.remove(&date(2022, 5, 30)));
                    expected.insert(date(2022, 6, 2));
                    expected.insert(date(2022, 6, 3));
                    expected.insert(date(2022, 9, 19));
                }
                2023 => {
                    expected.insert(date(2023, 5, 8));
                }
                _ => {}
            }
            let table: BTreeSet<Date> = BANK_HOLIDAYS
                .iter()
                .filter(|&&(y, ..)| y == year)
                .map(|&(y, m, d, _)| date(y, m, d))
                .collect();
            assert_eq!(table, expected, "bank holidays for {year}");
        }
    }

    #[test]
    fn spot_checks_against_published_dates() {
        // A sample of gov.uk's published England and Wales dates.
        for (y, m, d, name) in [
            (2014, 8, 25, "Summer bank holiday"),
            (2016, 12, 27, "Christmas Day (substitute day)"),
            (2020, 5, 8, "Early May bank holiday (VE day)"),
            (2022, 9, 19, "Bank Holiday for the State Funeral of Queen Elizabeth II"),
            (2023, 5, 8, "Bank holiday for the coronation of King Charles III"),
            (2025, 4, 18, "Good Friday"),
            (2026, 12, 28, "Boxing Day (substitute day)"),
            (2027, 3, 26, "Good Friday"),
        ] {
            assert_eq!(bank_holiday_name(date(y, m, d)), Some(Some(name)));
        }
        assert_eq!(bank_holiday_name(date(2025, 4, 17)), Some(None));
        assert_eq!(bank_holiday_name(date(2013, 12, 25)), None);
        assert_eq!(bank_holiday_name(date(2031, 1, 1)), None);
        // Eight a year, plus the 2022 Jubilee and State Funeral and the 2023 coronation.
        assert_eq!(BANK_HOLIDAYS.len(), 8 * 17 + 3);
    }
}
