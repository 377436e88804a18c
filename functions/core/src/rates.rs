//! Dated reference-rate tables (a central bank's rate, each value with the day it took effect) and the
//! half-year periods statutory late-payment interest is fixed for. A leaf: it knows no invoice or policy.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A reference rate from the day it took effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateChange {
    /// The first day the rate is in force.
    pub from: NaiveDate,
    /// Percent a year, e.g. `3.75`.
    pub percent: Decimal,
}

/// A reference rate's history. A rate is known for a day only up to [`RateTable::known_through`]: a bank
/// that has not changed its rate publishes nothing, so the table also records the last day someone
/// checked it, and kindly states no figure that rests on a later day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateTable {
    /// Where the values come from, e.g. "Bank of England Bank Rate".
    pub source: String,
    /// The last day the table was checked against its source; by default the newest change's day.
    #[serde(default)]
    pub confirmed_on: Option<NaiveDate>,
    /// Oldest first.
    pub changes: Vec<RateChange>,
}

impl RateTable {
    /// The last day whose rate the table knows.
    pub fn known_through(&self) -> Option<NaiveDate> {
        let newest = self.changes.iter().map(|change| change.from).max();
        match (self.confirmed_on, newest) {
            (Some(confirmed), Some(newest)) => Some(confirmed.max(newest)),
            (None, newest) => newest,
            (Some(_), None) => None,
        }
    }

    /// The rate in force on `day`, if the table knows it: the newest change on or before it.
    pub fn rate_on(&self, day: NaiveDate) -> Option<Decimal> {
        if self.known_through().is_none_or(|known| day > known) {
            return None;
        }
        self.changes
            .iter()
            .filter(|change| change.from <= day)
            .max_by_key(|change| change.from)
            .map(|change| change.percent)
    }

    /// What is wrong with the table, if anything: empty, out of order, a negative-looking typo (below
    /// −5 % or above 50 %), or checked before its own newest change.
    pub fn problem(&self) -> Option<String> {
        if self.changes.is_empty() {
            return Some("needs at least one rate".into());
        }
        if let Some(pair) = self.changes.windows(2).find(|pair| pair[0].from >= pair[1].from) {
            return Some(format!(
                "changes must be oldest first, each on a later day ({} comes after {})",
                pair[1].from, pair[0].from
            ));
        }
        if let Some(change) = self
            .changes
            .iter()
            .find(|change| change.percent < Decimal::from(-5) || change.percent > Decimal::from(50))
        {
            return Some(format!(
                "the rate from {} is {}%; expected a percentage between -5 and 50",
                change.from, change.percent
            ));
        }
        None
    }
}

/// The first day of the half-year `day` falls in (1 January or 1 July).
pub fn half_year_start(day: NaiveDate) -> NaiveDate {
    let month = if day.month() < 7 { 1 } else { 7 };
    NaiveDate::from_ymd_opt(day.year(), month, 1).expect("1 January and 1 July exist")
}

/// The last day before the half-year `day` falls in (31 December or 30 June): the UK Act's reference date
/// for a debt that becomes overdue on `day`.
pub fn reference_date_before(day: NaiveDate) -> NaiveDate {
    half_year_start(day)
        .pred_opt()
        .expect("a half-year has a day before it")
}
