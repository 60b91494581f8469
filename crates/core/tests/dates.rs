//! Property tests for the rules' date type: working days, month arithmetic and age.

use careplan_core::{bank_holiday_name, Date};
use proptest::prelude::*;

/// Any date in the years the bank-holiday table covers, leaving a year's margin at each end
/// for forward arithmetic.
fn covered_date() -> impl Strategy<Value = Date> {
    (2015i16..=2029, 1i8..=12, 1i8..=31).prop_filter_map("a real date", |(y, m, d)| Date::new(y, m, d))
}

fn any_date() -> impl Strategy<Value = Date> {
    (1900i16..=2199, 1i8..=12, 1i8..=31).prop_filter_map("a real date", |(y, m, d)| Date::new(y, m, d))
}

proptest! {
    #[test]
    fn working_days_round_trip(start in covered_date(), n in -200i64..=200) {
        let end = start.add_working_days(n).expect("inside the table");
        prop_assert!(n == 0 || end.is_working_day().expect("inside the table"));
        prop_assert_eq!(start.working_days_until(end).expect("inside the table"), n);
    }

    #[test]
    fn adding_working_days_never_lands_on_a_weekend_or_holiday(start in covered_date(), n in 1i64..=60) {
        let end = start.add_working_days(n).expect("inside the table");
        prop_assert!(!matches!(end.weekday_name(), "Saturday" | "Sunday"));
        prop_assert_eq!(bank_holiday_name(end), Some(None));
        // n working days never take fewer than n calendar days, nor more than n plus
        // the weekends and holidays in between (at most 4 non-working days a week
        // around Christmas).
        let days = start.days_until(end);
        prop_assert!(days >= n && days <= n * 2 + 6, "{} working days took {} days", n, days);
    }

    #[test]
    fn adding_months_clamps_to_the_month_end(start in any_date(), n in -600i64..=600) {
        if let Ok(end) = start.add_months(n) {
            let months = i64::from(end.year()) * 12 + i64::from(end.month())
                - (i64::from(start.year()) * 12 + i64::from(start.month()));
            prop_assert_eq!(months, n);
            // The day is kept unless the target month is shorter.
            prop_assert!(end.day() == start.day() || (end.day() < start.day() && end.add_days(1).expect("in range").day() == 1));
        }
    }

    #[test]
    fn days_until_is_antisymmetric_and_adds_up(a in any_date(), b in any_date()) {
        prop_assert_eq!(a.days_until(b), -b.days_until(a));
        prop_assert_eq!(a.add_days(a.days_until(b)), Ok(b));
    }

    #[test]
    fn age_goes_up_by_one_on_each_birthday(born in any_date(), years in 0i64..=100) {
        if let Ok(birthday) = born.add_years(years) {
            // A 29 February birthday is reached on 1 March in a common year.
            let birthday = if born.month() == 2 && born.day() == 29 && birthday.day() == 28 {
                birthday.add_days(1).expect("in range")
            } else {
                birthday
            };
            prop_assert_eq!(born.age_on(birthday), years);
            if years > 0 {
                prop_assert_eq!(born.age_on(birthday.add_days(-1).expect("in range")), years - 1);
            }
        }
    }

    #[test]
    fn dates_print_and_parse_back(date in any_date()) {
        prop_assert_eq!(date.to_string().parse::<Date>(), Ok(date));
    }
}

#[test]
fn working_days_across_the_easter_bank_holiday_weekend() {
    let d = |t: &str| t.parse::<Date>().expect("valid");
    // Maundy Thursday 2024-03-28; Good Friday 29th and Easter Monday 1 April are holidays.
    assert_eq!(d("2024-03-28").add_working_days(1), Ok(d("2024-04-02")));
    assert_eq!(d("2024-03-28").add_working_days(3), Ok(d("2024-04-04")));
    assert_eq!(d("2024-03-28").working_days_until(d("2024-04-04")), Ok(3));
}
