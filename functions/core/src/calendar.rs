//! The customers' calendar as kindly keeps it: each customer's business days (their country's weekend and
//! public holidays, [`crate::holidays`]; Saturday and Sunday without a country), business hours in their
//! own time zone, and the day a message planned now goes out on. Imports nothing of the domain but the
//! holiday data.

use crate::holidays::{self, Country};
use chrono::{DateTime, Datelike, Days, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The customer-local hours in which messages may go out (`from` inclusive, `to` exclusive), on the
/// customer's business days. A reminder outside them waits, approved, for a later run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessHours {
    pub from_hour: u32,
    pub to_hour: u32,
}

impl BusinessHours {
    /// Whether `now` falls inside these hours on a business day of `calendar` in `zone`.
    pub fn contains(&self, calendar: Calendar, zone: Tz, now: DateTime<Utc>) -> bool {
        let local = now.with_timezone(&zone);
        calendar.is_business_day(local.date_naive()) && (self.from_hour..self.to_hour).contains(&local.hour())
    }

    /// What is wrong with these hours, if anything: a day of hours, `from` before `to`.
    pub fn problem(&self) -> Option<String> {
        (self.from_hour >= self.to_hour || self.to_hour > 24).then(|| {
            format!(
                "from_hour {} must come before to_hour {}, within 0-24",
                self.from_hour, self.to_hour
            )
        })
    }
}

/// Whose business days: a country's (its weekend and public holidays), or, without one, Monday to Friday.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Calendar(Option<Country>);

impl Calendar {
    /// Monday to Friday, no holidays: for a customer whose country kindly does not know.
    pub const WEEKDAYS: Calendar = Calendar(None);

    pub fn of(country: Option<Country>) -> Calendar {
        Calendar(country)
    }

    pub fn country(self) -> Option<Country> {
        self.0
    }

    pub fn is_business_day(self, date: NaiveDate) -> bool {
        match self.0 {
            Some(country) => holidays::is_business_day(country, date),
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The public holiday on `date`, by name, if any.
    pub fn holiday(self, date: NaiveDate) -> Option<&'static str> {
        self.0.and_then(|country| holidays::holiday(country, date))
    }

    /// `date` if it is a business day, else the first business day after it.
    pub fn on_or_after(self, date: NaiveDate) -> NaiveDate {
        if self.is_business_day(date) {
            date
        } else {
            self.after(date)
        }
    }

    /// `date` if it is a business day, else the last business day before it.
    pub fn on_or_before(self, date: NaiveDate) -> NaiveDate {
        if self.is_business_day(date) {
            date
        } else {
            self.before(date)
        }
    }

    /// The first business day after `date`.
    pub fn after(self, date: NaiveDate) -> NaiveDate {
        self.add_business_days(date, 1)
    }

    /// The last business day before `date`.
    pub fn before(self, date: NaiveDate) -> NaiveDate {
        self.add_business_days(date, -1)
    }

    /// The date `n` business days after `date` (before it when `n` is negative); `date` itself for 0.
    pub fn add_business_days(self, date: NaiveDate, n: i32) -> NaiveDate {
        if let Some(country) = self.0 {
            return holidays::add_business_days(country, date, n);
        }
        let mut day = date;
        for _ in 0..n.unsigned_abs() {
            day = if n < 0 { day - Days::new(1) } else { day + Days::new(1) };
            while !self.is_business_day(day) {
                day = if n < 0 { day - Days::new(1) } else { day + Days::new(1) };
            }
        }
        day
    }
}

/// How often the send runs, as deployed (the `SendSchedule` of the SAM template, at whatever minute of
/// the hour): a message planned now can go out no later than one such interval from now.
pub const SEND_RUNS_EVERY: chrono::Duration = chrono::Duration::hours(1);

/// The local day in `zone` on which a message planned at `now` goes out: today, if a send run still falls
/// inside today's business hours (one comes within [`SEND_RUNS_EVERY`] of `now`, and that is before the
/// hours end) and today is a business day in `calendar`; otherwise the next business day. Without hours
/// (messages go out at any hour, with the pass), today. A message is planned for the day it is sent on,
/// so the figures it states ("due today", "3 days overdue") are true when it arrives, wherever on Earth
/// the customer is, and a day planned is a day a send run can keep: a pass minutes before a customer's
/// hours end plans them for their next business day, not for a day no run reaches.
pub fn sending_day(calendar: Calendar, zone: Tz, now: DateTime<Utc>, hours: Option<BusinessHours>) -> NaiveDate {
    let local = now.with_timezone(&zone);
    let today = local.date_naive();
    let Some(hours) = hours else {
        return today;
    };
    let next_run_at_latest = (now + SEND_RUNS_EVERY).with_timezone(&zone);
    let a_run_left_today = next_run_at_latest.date_naive() == today && next_run_at_latest.hour() < hours.to_hour;
    if a_run_left_today {
        calendar.on_or_after(today)
    } else {
        calendar.after(today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const NINE_TO_FIVE: Option<BusinessHours> = Some(BusinessHours {
        from_hour: 9,
        to_hour: 17,
    });

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn business_hours_are_the_customers_own() {
        let hours = NINE_TO_FIVE.unwrap();
        let tokyo = chrono_tz::Asia::Tokyo;
        // Monday 2026-03-16 01:00 UTC is 10:00 in Tokyo; 09:00 UTC is 18:00 there.
        assert!(hours.contains(
            Calendar::WEEKDAYS,
            tokyo,
            Utc.with_ymd_and_hms(2026, 3, 16, 1, 0, 0).unwrap()
        ));
        assert!(!hours.contains(
            Calendar::WEEKDAYS,
            tokyo,
            Utc.with_ymd_and_hms(2026, 3, 16, 9, 0, 0).unwrap()
        ));
        // Saturday 2026-03-21, 10:00 in Tokyo.
        assert!(!hours.contains(
            Calendar::WEEKDAYS,
            tokyo,
            Utc.with_ymd_and_hms(2026, 3, 21, 1, 0, 0).unwrap()
        ));
    }

    #[test]
    fn a_pass_early_in_europe_plans_the_far_west_for_its_coming_day() {
        // Monday 2026-03-16 06:00 UTC: 06:00 in London, still Sunday 20:00 in Honolulu, 19:00 on Monday in
        // Kiritimati (UTC+14) and 19:00 in Auckland.
        let pass = Utc.with_ymd_and_hms(2026, 3, 16, 6, 0, 0).unwrap();
        assert_eq!(
            sending_day(Calendar::WEEKDAYS, chrono_tz::Europe::London, pass, NINE_TO_FIVE),
            day("2026-03-16")
        );
        assert_eq!(
            sending_day(Calendar::WEEKDAYS, chrono_tz::Pacific::Honolulu, pass, NINE_TO_FIVE),
            day("2026-03-16")
        );
        assert_eq!(
            sending_day(Calendar::WEEKDAYS, chrono_tz::Pacific::Kiritimati, pass, NINE_TO_FIVE),
            day("2026-03-17")
        );
        assert_eq!(
            sending_day(Calendar::WEEKDAYS, chrono_tz::Pacific::Auckland, pass, NINE_TO_FIVE),
            day("2026-03-17")
        );
        // Without business hours it is everyone's own today.
        assert_eq!(
            sending_day(Calendar::WEEKDAYS, chrono_tz::Pacific::Honolulu, pass, None),
            day("2026-03-15")
        );
    }

    #[test]
    fn after_hours_on_friday_the_next_sending_day_is_monday() {
        // Friday 2026-03-20 18:00 in New York (22:00 UTC); Saturday morning.
        let friday_evening = Utc.with_ymd_and_hms(2026, 3, 20, 22, 0, 0).unwrap();
        assert_eq!(
            sending_day(
                Calendar::WEEKDAYS,
                chrono_tz::America::New_York,
                friday_evening,
                NINE_TO_FIVE
            ),
            day("2026-03-23")
        );
        let saturday = Utc.with_ymd_and_hms(2026, 3, 21, 14, 0, 0).unwrap();
        assert_eq!(
            sending_day(Calendar::WEEKDAYS, chrono_tz::America::New_York, saturday, NINE_TO_FIVE),
            day("2026-03-23")
        );
        // Before the hours begin, it is today.
        let early = Utc.with_ymd_and_hms(2026, 3, 20, 10, 0, 0).unwrap();
        assert_eq!(
            sending_day(Calendar::WEEKDAYS, chrono_tz::America::New_York, early, NINE_TO_FIVE),
            day("2026-03-20")
        );
    }

    #[test]
    fn holidays_and_a_clock_change_move_the_sending_day() {
        let germany = Calendar::of(Some(crate::holidays::Country::from_code("DE").unwrap()));
        let berlin = chrono_tz::Europe::Berlin;
        // Maundy Thursday 2026-04-02 at 17:30 in Berlin: Good Friday and Easter Monday are holidays.
        let thursday_evening = Utc.with_ymd_and_hms(2026, 4, 2, 15, 30, 0).unwrap();
        assert_eq!(
            sending_day(germany, berlin, thursday_evening, NINE_TO_FIVE),
            day("2026-04-07")
        );
        assert_eq!(
            sending_day(Calendar::WEEKDAYS, berlin, thursday_evening, NINE_TO_FIVE),
            day("2026-04-03")
        );
        // Friday 2026-03-27 at 17:30 (CET, 16:30 UTC); the clocks go forward that Sunday.
        let friday_evening = Utc.with_ymd_and_hms(2026, 3, 27, 16, 30, 0).unwrap();
        assert_eq!(
            sending_day(germany, berlin, friday_evening, NINE_TO_FIVE),
            day("2026-03-30")
        );
        // Monday at 08:30 UTC is 10:30 CEST: inside the hours, on a business day.
        let monday = Utc.with_ymd_and_hms(2026, 3, 30, 8, 30, 0).unwrap();
        assert!(NINE_TO_FIVE.unwrap().contains(germany, berlin, monday));
        let good_friday = Utc.with_ymd_and_hms(2026, 4, 3, 8, 30, 0).unwrap();
        assert!(!NINE_TO_FIVE.unwrap().contains(germany, berlin, good_friday));
    }

    #[test]
    fn a_pass_minutes_before_the_hours_end_plans_the_next_business_day() {
        // Monday 2026-06-15 05:00 UTC is 17:45 on the Chatham Islands (UTC+12:45), whose customer keeps
        // 9-18: the next send run (at latest 06:00 UTC, 18:45 there) falls after their day is over.
        let chatham = chrono_tz::Pacific::Chatham;
        let nine_to_six = Some(BusinessHours {
            from_hour: 9,
            to_hour: 18,
        });
        let pass = Utc.with_ymd_and_hms(2026, 6, 15, 5, 0, 0).unwrap();
        assert_eq!(
            sending_day(Calendar::WEEKDAYS, chatham, pass, nine_to_six),
            day("2026-06-16")
        );
        // An hour earlier (16:45 there) a run still falls inside the hours.
        let earlier = pass - chrono::Duration::hours(1);
        assert_eq!(
            sending_day(Calendar::WEEKDAYS, chatham, earlier, nine_to_six),
            day("2026-06-15")
        );
        // Hours to midnight: a pass at 23:10 plans the next day, whose first run is after midnight.
        let london = chrono_tz::Europe::London;
        let late = Utc.with_ymd_and_hms(2026, 1, 14, 23, 10, 0).unwrap();
        let all_day = Some(BusinessHours {
            from_hour: 0,
            to_hour: 24,
        });
        assert_eq!(
            sending_day(Calendar::WEEKDAYS, london, late, all_day),
            day("2026-01-15")
        );
    }

    /// Whatever the zone, the hours, the minute the send runs at and the hour of the pass, an hourly send
    /// run falls inside the customer's hours on the day a message is planned for.
    #[test]
    fn every_planned_day_is_a_day_a_send_run_reaches() {
        let germany = Calendar::of(Some(crate::holidays::Country::from_code("DE").unwrap()));
        let hours = [(9, 17), (9, 18), (8, 10), (0, 24), (22, 24)];
        // Around the spring clock change in Europe and the autumn one south of the equator.
        let starts = [
            Utc.with_ymd_and_hms(2026, 3, 27, 0, 50, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 4, 2, 0, 5, 0).unwrap(),
        ];
        for zone in chrono_tz::TZ_VARIANTS.iter().step_by(7) {
            for (index, (from_hour, to_hour)) in hours.into_iter().enumerate() {
                let hours = BusinessHours { from_hour, to_hour };
                let calendar = if index % 2 == 0 { Calendar::WEEKDAYS } else { germany };
                for start in starts {
                    for hour in 0..24 {
                        let pass = start + chrono::Duration::hours(hour);
                        let planned = sending_day(calendar, *zone, pass, Some(hours));
                        // The send runs every hour at the pass's minute plus a quarter.
                        let mut run = pass + chrono::Duration::minutes(15);
                        let reached = loop {
                            let local = run.with_timezone(zone).date_naive();
                            if local > planned {
                                break false;
                            }
                            if local == planned && hours.contains(calendar, *zone, run) {
                                break true;
                            }
                            run += SEND_RUNS_EVERY;
                        };
                        assert!(
                            reached,
                            "{zone}, {from_hour}-{to_hour}, pass at {pass}: planned {planned}"
                        );
                    }
                }
            }
        }
    }
}
