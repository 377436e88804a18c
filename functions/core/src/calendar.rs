//! The customers' calendar as kindly keeps it: business hours, Monday to Friday, in each customer's own time
//! zone, and the day a message planned now goes out on. A leaf: it imports nothing of the domain.

use chrono::{DateTime, Datelike, Days, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Tz;

/// The customer-local hours in which messages may go out (`from` inclusive, `to` exclusive), Monday to
/// Friday. A reminder outside them waits, approved, for a later run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusinessHours {
    pub from_hour: u32,
    pub to_hour: u32,
}

impl BusinessHours {
    /// Whether `now` falls inside these hours on a business day in `zone`.
    pub fn contains(&self, zone: Tz, now: DateTime<Utc>) -> bool {
        let local = now.with_timezone(&zone);
        is_business_day(local.date_naive()) && (self.from_hour..self.to_hour).contains(&local.hour())
    }
}

/// Monday to Friday.
pub fn is_business_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The local day in `zone` on which a message planned at `now` goes out: today, unless today's business
/// hours are over or today is no business day — then the next business day. Without hours (messages go out
/// at any hour), today. A message is planned for the day it is sent on, so the figures it states ("due
/// today", "3 days overdue") are true when it arrives, wherever on Earth the customer is.
pub fn sending_day(zone: Tz, now: DateTime<Utc>, hours: Option<BusinessHours>) -> NaiveDate {
    let local = now.with_timezone(&zone);
    let today = local.date_naive();
    let Some(hours) = hours else {
        return today;
    };
    let mut day = if local.hour() < hours.to_hour {
        today
    } else {
        today + Days::new(1)
    };
    while !is_business_day(day) {
        day = day + Days::new(1);
    }
    day
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
        assert!(hours.contains(tokyo, Utc.with_ymd_and_hms(2026, 3, 16, 1, 0, 0).unwrap()));
        assert!(!hours.contains(tokyo, Utc.with_ymd_and_hms(2026, 3, 16, 9, 0, 0).unwrap()));
        // Saturday 2026-03-21, 10:00 in Tokyo.
        assert!(!hours.contains(tokyo, Utc.with_ymd_and_hms(2026, 3, 21, 1, 0, 0).unwrap()));
    }

    #[test]
    fn a_pass_early_in_europe_plans_the_far_west_for_its_coming_day() {
        // Monday 2026-03-16 06:00 UTC: 06:00 in London, still Sunday 20:00 in Honolulu, 19:00 on Monday in
        // Kiritimati (UTC+14) and 19:00 in Auckland.
        let pass = Utc.with_ymd_and_hms(2026, 3, 16, 6, 0, 0).unwrap();
        assert_eq!(
            sending_day(chrono_tz::Europe::London, pass, NINE_TO_FIVE),
            day("2026-03-16")
        );
        assert_eq!(
            sending_day(chrono_tz::Pacific::Honolulu, pass, NINE_TO_FIVE),
            day("2026-03-16")
        );
        assert_eq!(
            sending_day(chrono_tz::Pacific::Kiritimati, pass, NINE_TO_FIVE),
            day("2026-03-17")
        );
        assert_eq!(
            sending_day(chrono_tz::Pacific::Auckland, pass, NINE_TO_FIVE),
            day("2026-03-17")
        );
        // Without business hours it is everyone's own today.
        assert_eq!(sending_day(chrono_tz::Pacific::Honolulu, pass, None), day("2026-03-15"));
    }

    #[test]
    fn after_hours_on_friday_the_next_sending_day_is_monday() {
        // Friday 2026-03-20 18:00 in New York (22:00 UTC); Saturday morning.
        let friday_evening = Utc.with_ymd_and_hms(2026, 3, 20, 22, 0, 0).unwrap();
        assert_eq!(
            sending_day(chrono_tz::America::New_York, friday_evening, NINE_TO_FIVE),
            day("2026-03-23")
        );
        let saturday = Utc.with_ymd_and_hms(2026, 3, 21, 14, 0, 0).unwrap();
        assert_eq!(
            sending_day(chrono_tz::America::New_York, saturday, NINE_TO_FIVE),
            day("2026-03-23")
        );
        // Before the hours begin, it is today.
        let early = Utc.with_ymd_and_hms(2026, 3, 20, 10, 0, 0).unwrap();
        assert_eq!(
            sending_day(chrono_tz::America::New_York, early, NINE_TO_FIVE),
            day("2026-03-20")
        );
    }
}
