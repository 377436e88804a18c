//! The policy's `[interest]` section: which statute applies when a contract names no remedy, the
//! reference-rate tables the statutes read (each value with the day it took effect), from which stage
//! messages state interest, and the offer to waive it if paid by a date.

use crate::interest::{Statute, rate_needed_for};
use crate::rates::RateTable;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How kindly speaks of interest and fees ([`crate::interest`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterestRules {
    /// The statute for business debts whose contract names no remedy; `None`: no statutory interest.
    /// A customer's terms may name another, or none.
    #[serde(default)]
    pub statute: Option<Statute>,
    /// Points over the reference rate where a country's law adds more than the statute's minimum (the EU
    /// directive's "at least 8"); `None`: the statute's own.
    #[serde(default)]
    pub margin_points: Option<Decimal>,
    /// The first ladder stage whose messages state what has accrued; later stages do too. `None`: the first
    /// stage marked `mention_late_fees` (the older way to say it), else no stage.
    #[serde(default)]
    pub from_stage: Option<String>,
    /// Messages before the due date may remind the customer of the contract's terms, neutrally: what
    /// would be charged and from when, never an amount or a threat.
    #[serde(default)]
    pub terms_before_due: bool,
    /// Offer to waive the interest and fees stated if everything is paid within this many days of the
    /// message; `None`: no offer.
    #[serde(default)]
    pub waive_if_paid_within_days: Option<u32>,
    #[serde(default)]
    pub rates: ReferenceRates,
}

/// The reference-rate tables, one per statute that reads one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceRates {
    /// Bank Rate, for the UK Act.
    #[serde(default)]
    pub bank_of_england: Option<RateTable>,
    /// The main refinancing operations rate, for the EU directive's pattern.
    #[serde(default)]
    pub ecb_main_refinancing: Option<RateTable>,
    /// The Basiszinssatz (§ 247 BGB), for § 288 BGB.
    #[serde(default)]
    pub bundesbank_basiszinssatz: Option<RateTable>,
}

impl ReferenceRates {
    /// The table `statute` reads, with its field name.
    pub fn for_statute(&self, statute: Statute) -> (&'static str, Option<&RateTable>) {
        match statute {
            Statute::UkLatePaymentAct1998 => ("bank_of_england", self.bank_of_england.as_ref()),
            Statute::EuLatePaymentDirective => ("ecb_main_refinancing", self.ecb_main_refinancing.as_ref()),
            Statute::DeBgb288 => ("bundesbank_basiszinssatz", self.bundesbank_basiszinssatz.as_ref()),
        }
    }
}

impl InterestRules {
    /// The margin over the reference rate for `statute`.
    pub fn margin_for(&self, statute: Statute) -> Decimal {
        match self.margin_points {
            Some(points) if statute == Statute::EuLatePaymentDirective => points,
            _ => statute.margin_points(),
        }
    }

    /// What is wrong with the section, named by its field (`interest.…`). `stage_offset` gives a stage's
    /// offset from the due date by id.
    pub fn problem(&self, stage_offset: impl Fn(&str) -> Option<i64>) -> Option<String> {
        if let Some(stage) = &self.from_stage {
            match stage_offset(stage) {
                None => return Some(format!("interest.from_stage: `{stage}` is not a stage of the ladder")),
                Some(offset) if offset <= 0 => {
                    return Some(format!(
                        "interest.from_stage: `{stage}` is not after the due date; interest may be stated \
                         only once a payment is late (before it, set terms_before_due for a neutral note)"
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some(points) = self.margin_points {
            let minimum = Statute::EuLatePaymentDirective.margin_points();
            if points < minimum || points > Decimal::from(20) {
                return Some(format!(
                    "interest.margin_points: {points} is outside {minimum}..=20 (the directive's minimum is 8)"
                ));
            }
        }
        if self
            .waive_if_paid_within_days
            .is_some_and(|days| days == 0 || days > 90)
        {
            return Some("interest.waive_if_paid_within_days: must be between 1 and 90".into());
        }
        for statute in Statute::ALL {
            let (field, table) = self.rates.for_statute(statute);
            if let Some(problem) = table.and_then(RateTable::problem) {
                return Some(format!("interest.rates.{field}: {problem}"));
            }
        }
        if let Some(statute) = self.statute
            && self.rates.for_statute(statute).1.is_none()
        {
            let (field, _) = self.rates.for_statute(statute);
            return Some(format!(
                "interest.statute: `{}` needs the table interest.rates.{field}",
                statute.key()
            ));
        }
        None
    }

    /// A warning per table whose values may be out of date on `today`: the rate for debts that become late
    /// today is on a day after the table was last checked. Until it is updated, no message states
    /// statutory figures that rest on it.
    pub fn stale_rates(&self, today: NaiveDate) -> Vec<String> {
        Statute::ALL
            .into_iter()
            .filter_map(|statute| {
                let (field, table) = self.rates.for_statute(statute);
                let table = table?;
                let needed = rate_needed_for(statute, today);
                let known = table.known_through();
                (known.is_none_or(|known| known < needed)).then(|| {
                    format!(
                        "interest.rates.{field}: {} is confirmed only through {}; debts late from {today} \
                         need the rate on {needed}. Add the new rate (or set confirmed_on once checked); until \
                         then messages state no {} figures that rest on it.",
                        table.source,
                        known.map_or_else(|| "no day".to_owned(), |day| day.to_string()),
                        statute.key()
                    )
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::day;
    use crate::rates::RateChange;

    fn table(confirmed_on: &str) -> RateTable {
        RateTable {
            source: "Bank of England Bank Rate".into(),
            confirmed_on: Some(day(confirmed_on)),
            changes: vec![RateChange {
                from: day("2025-12-18"),
                percent: "3.75".parse().unwrap(),
            }],
        }
    }

    fn rules() -> InterestRules {
        InterestRules {
            statute: Some(Statute::UkLatePaymentAct1998),
            from_stage: Some("late".into()),
            rates: ReferenceRates {
                bank_of_england: Some(table("2026-02-05")),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn offsets(stage: &str) -> Option<i64> {
        match stage {
            "early" => Some(-3),
            "late" => Some(10),
            _ => None,
        }
    }

    #[test]
    fn problems_name_the_field() {
        assert_eq!(rules().problem(offsets), None);
        type Break = fn(&mut InterestRules);
        let cases: [(Break, &str); 6] = [
            (
                |r| r.from_stage = Some("nope".into()),
                "interest.from_stage: `nope` is not a stage",
            ),
            (
                |r| r.from_stage = Some("early".into()),
                "interest.from_stage: `early` is not after",
            ),
            (|r| r.margin_points = Some(7.into()), "interest.margin_points: 7"),
            (
                |r| r.waive_if_paid_within_days = Some(0),
                "interest.waive_if_paid_within_days",
            ),
            (
                |r| r.rates.bank_of_england = None,
                "interest.statute: `uk_late_payment_act_1998` needs",
            ),
            (
                |r| r.rates.bank_of_england.as_mut().unwrap().changes.clear(),
                "interest.rates.bank_of_england: needs at least one rate",
            ),
        ];
        for (break_it, expected) in cases {
            let mut broken = rules();
            break_it(&mut broken);
            let problem = broken.problem(offsets).expect(expected);
            assert!(problem.starts_with(expected), "{problem}");
        }
    }

    #[test]
    fn a_table_is_stale_once_a_half_year_needs_a_rate_after_its_last_check() {
        let rules = rules();
        // The UK reference date for debts late in the first half of 2026 is 31 December 2025: known.
        assert!(rules.stale_rates(day("2026-06-30")).is_empty());
        // From 1 July 2026 debts need the rate on 30 June 2026, after the check on 5 February.
        let warnings = rules.stale_rates(day("2026-07-01"));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with(
                "interest.rates.bank_of_england: Bank of England Bank Rate is confirmed only through 2026-02-05"
            ) && warnings[0].contains("need the rate on 2026-06-30"),
            "{}",
            warnings[0]
        );
        // Positive control: checked again on 30 June, the table is current for the half-year.
        let mut checked = rules.clone();
        checked.rates.bank_of_england = Some(table("2026-06-30"));
        assert!(checked.stale_rates(day("2026-12-31")).is_empty());
        assert_eq!(checked.stale_rates(day("2027-01-01")).len(), 1);
    }

    #[test]
    fn the_directive_margin_may_be_raised_but_the_others_are_fixed() {
        let rules = InterestRules {
            margin_points: Some(9.into()),
            ..Default::default()
        };
        assert_eq!(rules.margin_for(Statute::EuLatePaymentDirective), Decimal::from(9));
        assert_eq!(rules.margin_for(Statute::UkLatePaymentAct1998), Decimal::from(8));
        assert_eq!(rules.margin_for(Statute::DeBgb288), Decimal::from(9));
        assert_eq!(
            InterestRules::default().margin_for(Statute::EuLatePaymentDirective),
            Decimal::from(8)
        );
    }
}
