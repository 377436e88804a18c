//! The virtual clock and the business calendar. The web router reads the time through a plain function
//! (`App::clock`), so the simulated instant lives in a thread-local: every simulation runs on one thread.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};
use std::cell::Cell;

thread_local! {
    static NOW: Cell<DateTime<Utc>> = const { Cell::new(DateTime::<Utc>::UNIX_EPOCH) };
}

/// The simulated now, for the web router's `clock`.
pub fn now() -> DateTime<Utc> {
    NOW.with(Cell::get)
}

/// Move the simulated clock (the simulation only ever moves it forward).
pub fn set(instant: DateTime<Utc>) {
    NOW.with(|now| now.set(instant));
}

/// Monday to Friday. Holidays are not modelled yet; kindly's own business hours know none either.
pub fn is_business_day(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The first business day on or after `day`.
pub fn business_day_on_or_after(mut day: NaiveDate) -> NaiveDate {
    while !is_business_day(day) {
        day = day + Days::new(1);
    }
    day
}

/// The business day after `day` (which need not be one).
pub fn next_business_day(day: NaiveDate) -> NaiveDate {
    business_day_on_or_after(day + Days::new(1))
}

/// The `n`-th business day after `day`.
pub fn business_days_after(mut day: NaiveDate, n: u32) -> NaiveDate {
    for _ in 0..n {
        day = next_business_day(day);
    }
    day
}

/// The business day before `day`.
pub fn previous_business_day(mut day: NaiveDate) -> NaiveDate {
    day = day - Days::new(1);
    while !is_business_day(day) {
        day = day - Days::new(1);
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn weekends_move_to_monday() {
        assert_eq!(business_day_on_or_after(day("2026-03-07")), day("2026-03-09"));
        assert_eq!(business_day_on_or_after(day("2026-03-06")), day("2026-03-06"));
        assert_eq!(next_business_day(day("2026-03-06")), day("2026-03-09"));
        assert_eq!(next_business_day(day("2026-03-08")), day("2026-03-09"));
        assert_eq!(previous_business_day(day("2026-03-09")), day("2026-03-06"));
        assert_eq!(business_days_after(day("2026-03-05"), 3), day("2026-03-10"));
    }
}
