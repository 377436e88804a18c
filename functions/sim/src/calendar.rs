//! The virtual clock and the business calendar. The web router reads the time through a plain function
//! (`App::clock`), so the simulated instant lives in a thread-local: every simulation runs on one thread.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};
use kindly_core::Customer;
use kindly_core::holidays::{self, Country};
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

/// Whose business days a date is judged by: a customer's country (its weekend and public holidays, from
/// the data kindly ships, itself held to its source by the test command), or Monday to Friday. The
/// simulator's own arithmetic over that data, so the rules it checks (a stage on a day off moves to the
/// next business day, a courtesy note before the due date to the previous one) are not kindly's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Workdays(pub Option<Country>);

impl Workdays {
    /// Monday to Friday, no holidays: the staff's week, and a customer whose country kindly cannot tell.
    pub const PLAIN: Workdays = Workdays(None);

    /// A customer's: their country, or else their locale's region (`en-GB` → GB).
    pub fn of(customer: &Customer) -> Workdays {
        let region = customer
            .locale
            .split('-')
            .nth(1)
            .and_then(|code| Country::from_code(code).ok());
        Workdays(customer.country.or(region))
    }

    pub fn is_business_day(self, day: NaiveDate) -> bool {
        match self.0 {
            Some(country) => holidays::is_business_day(country, day),
            None => !matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The first business day on or after `day`.
    pub fn on_or_after(self, mut day: NaiveDate) -> NaiveDate {
        while !self.is_business_day(day) {
            day = day + Days::new(1);
        }
        day
    }

    /// The last business day on or before `day`.
    pub fn on_or_before(self, mut day: NaiveDate) -> NaiveDate {
        while !self.is_business_day(day) {
            day = day - Days::new(1);
        }
        day
    }

    /// The business day after `day` (which need not be one).
    pub fn next(self, day: NaiveDate) -> NaiveDate {
        self.on_or_after(day + Days::new(1))
    }

    /// The `n`-th business day after `day`.
    pub fn after(self, mut day: NaiveDate, n: u32) -> NaiveDate {
        for _ in 0..n {
            day = self.next(day);
        }
        day
    }

    /// The business day before `day`.
    pub fn previous(self, day: NaiveDate) -> NaiveDate {
        self.on_or_before(day - Days::new(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn weekends_move_to_monday() {
        let plain = Workdays::PLAIN;
        assert_eq!(plain.on_or_after(day("2026-03-07")), day("2026-03-09"));
        assert_eq!(plain.on_or_after(day("2026-03-06")), day("2026-03-06"));
        assert_eq!(plain.next(day("2026-03-06")), day("2026-03-09"));
        assert_eq!(plain.next(day("2026-03-08")), day("2026-03-09"));
        assert_eq!(plain.previous(day("2026-03-09")), day("2026-03-06"));
        assert_eq!(plain.after(day("2026-03-05"), 3), day("2026-03-10"));
    }

    #[test]
    fn holidays_and_other_weekends_are_days_off() {
        let country = |code| Workdays(Some(Country::from_code(code).unwrap()));
        // Christmas 2026 is a Friday; England keeps Boxing Day on Monday the 28th.
        assert_eq!(country("GB").next(day("2026-12-24")), day("2026-12-29"));
        assert_eq!(country("GB").on_or_before(day("2026-12-28")), day("2026-12-24"));
        // Kuwait's weekend is Friday and Saturday: Sunday 2026-03-08 is a working day there.
        assert!(country("KW").is_business_day(day("2026-03-08")));
        assert!(!country("KW").is_business_day(day("2026-03-06")));
    }
}
