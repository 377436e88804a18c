//! Interest and fees for late payment: what a contract or a statute allows, and what has accrued on a
//! given day — from when, at what rate, under which clause or statute, and the fixed sum on top. Pure:
//! the debt, its payments, the rate tables and the day are parameters.
//!
//! Conventions, the same for every remedy:
//! - A debt is late from the day after its due date; a day counts when the debt is unpaid at its start,
//!   so the day a payment arrives is still charged on the balance before it (the UK government's guidance:
//!   interest runs "until the day you are actually paid").
//! - Interest is simple, per day, over a 365-day year (leap years too), as the UK guidance and German
//!   practice under § 288 BGB count it. A monthly contract rate is twelve times that a year.
//! - Each span of equal balance and rate is computed exactly; only the total is rounded, once, to the
//!   currency's minor units (half away from zero, [`Currency::round`]).

use crate::money::Currency;
use crate::rates::{RateTable, half_year_start, reference_date_before};
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The period a contract's interest rate is quoted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    Month,
    Year,
}

/// What a contract charges once a payment is late.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Charge {
    /// Simple interest on the balance, accruing daily.
    Interest { percent: Decimal, per: Per },
    /// A one-time percentage of the balance on the first day it applies.
    OneTimePercent { percent: Decimal },
    /// A fixed fee in the invoice's currency.
    FixedFee { amount: Decimal },
}

/// A contract's remedy for late payment, with the clause it is written in (quoted in messages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RemedyWire")]
pub struct ContractRemedy {
    pub charge: Charge,
    /// Days after the due date that are not charged; interest runs from the day after them.
    pub grace_days: u32,
    /// The contract's own wording, e.g. "1.5% per month (section 7 of our agreement)".
    pub clause: String,
}

/// A remedy as stored: today's shape (`charge`), or the older one (`monthly_rate_percent`), which reads as
/// interest per month, so records written before charges had kinds still load.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RemedyWire {
    #[serde(default)]
    charge: Option<Charge>,
    #[serde(default)]
    monthly_rate_percent: Option<Decimal>,
    #[serde(default)]
    grace_days: u32,
    clause: String,
}

impl TryFrom<RemedyWire> for ContractRemedy {
    type Error = String;
    fn try_from(wire: RemedyWire) -> Result<Self, String> {
        let charge = match (wire.charge, wire.monthly_rate_percent) {
            (Some(charge), None) => charge,
            (None, Some(percent)) => Charge::Interest {
                percent,
                per: Per::Month,
            },
            (Some(_), Some(_)) => return Err("give either `charge` or `monthly_rate_percent`, not both".into()),
            (None, None) => return Err("missing field `charge`".into()),
        };
        Ok(ContractRemedy {
            charge,
            grace_days: wire.grace_days,
            clause: wire.clause,
        })
    }
}

impl ContractRemedy {
    /// Simple interest of `percent` per month after `grace_days`.
    pub fn monthly(percent: Decimal, grace_days: u32, clause: impl Into<String>) -> Self {
        ContractRemedy {
            charge: Charge::Interest {
                percent,
                per: Per::Month,
            },
            grace_days,
            clause: clause.into(),
        }
    }

    /// What is wrong with the figures, if anything (named by their field under `terms.late_fee`).
    pub fn problem(&self) -> Option<(&'static str, String)> {
        let between = |value: Decimal, max: i64| value.is_sign_negative() || value > Decimal::from(max);
        match &self.charge {
            Charge::Interest {
                percent,
                per: Per::Month,
            } if between(*percent, 10) => Some(("percent", "a monthly rate must be between 0 and 10 percent".into())),
            Charge::Interest {
                percent,
                per: Per::Year,
            } if between(*percent, 120) => Some(("percent", "a yearly rate must be between 0 and 120 percent".into())),
            Charge::OneTimePercent { percent } if between(*percent, 100) => {
                Some(("percent", "a one-time percentage must be between 0 and 100".into()))
            }
            Charge::FixedFee { amount } if amount.is_sign_negative() || amount.abs() > crate::money::MAX_AMOUNT => {
                Some((
                    "amount",
                    "a fixed fee must be between 0 and the largest amount an invoice may carry".into(),
                ))
            }
            _ if self.grace_days > 366 => Some(("grace_days", "must be at most 366".into())),
            _ if self.clause.trim().is_empty() => Some(("clause", "must quote the contract's clause".into())),
            _ => crate::limits::too_long(&self.clause, crate::limits::CLAUSE).map(|problem| ("clause", problem)),
        }
    }
}

/// A statute on late payment between businesses. Its rate is a reference rate (from a dated table) plus a
/// margin; each also gives a fixed sum for the cost of recovering the debt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Statute {
    /// Late Payment of Commercial Debts (Interest) Act 1998 (UK), with the Late Payment of Commercial Debts
    /// (Rate of Interest) (No. 3) Order 2002: 8 % over the Bank of England's rate in force on the reference
    /// date (31 December or 30 June) before the debt became late, fixed for the life of the debt; and the
    /// fixed sums of section 5A.
    #[serde(rename = "uk_late_payment_act_1998")]
    UkLatePaymentAct1998,
    /// Directive 2011/7/EU, the pattern for member states' laws: the reference rate (the ECB's main
    /// refinancing rate for the euro) in force on the first day of each half-year, plus at least 8 points,
    /// for that half-year; €40 compensation (Article 6).
    EuLatePaymentDirective,
    /// Germany, § 288 BGB between businesses: the Basiszinssatz (§ 247 BGB, set each 1 January and 1 July)
    /// plus 9 points (§ 288 (2)); a €40 flat fee (§ 288 (5)).
    #[serde(rename = "de_bgb_288")]
    DeBgb288,
}

impl Statute {
    pub const ALL: [Statute; 3] = [
        Statute::UkLatePaymentAct1998,
        Statute::EuLatePaymentDirective,
        Statute::DeBgb288,
    ];

    /// The key it has in a policy file and in messages' words.
    pub fn key(self) -> &'static str {
        match self {
            Statute::UkLatePaymentAct1998 => "uk_late_payment_act_1998",
            Statute::EuLatePaymentDirective => "eu_late_payment_directive",
            Statute::DeBgb288 => "de_bgb_288",
        }
    }

    /// The statute with [`Statute::key`] `key`.
    pub fn from_key(key: &str) -> Option<Statute> {
        Statute::ALL.into_iter().find(|statute| statute.key() == key)
    }

    /// The currency its fixed sums are in; kindly applies it to debts in that currency only (a debt in
    /// another one would need an exchange rate, which kindly does not keep).
    pub fn currency(self) -> &'static str {
        match self {
            Statute::UkLatePaymentAct1998 => "GBP",
            Statute::EuLatePaymentDirective | Statute::DeBgb288 => "EUR",
        }
    }

    /// The points over the reference rate the statute sets (the directive's "at least").
    pub fn margin_points(self) -> Decimal {
        match self {
            Statute::UkLatePaymentAct1998 | Statute::EuLatePaymentDirective => Decimal::from(8),
            Statute::DeBgb288 => Decimal::from(9),
        }
    }

    /// The day whose reference rate applies to `day` of a debt late since `late_from`: the UK fixes it once,
    /// on the reference date before the debt became late; the others take each half-year's first day.
    pub fn rate_day(self, late_from: NaiveDate, day: NaiveDate) -> NaiveDate {
        match self {
            Statute::UkLatePaymentAct1998 => reference_date_before(late_from),
            Statute::EuLatePaymentDirective | Statute::DeBgb288 => half_year_start(day),
        }
    }

    /// The fixed sum for recovering a debt of `principal` (in [`Statute::currency`]).
    pub fn compensation(self, principal: Decimal) -> Decimal {
        match self {
            // Section 5A: less than £1,000: £40; less than £10,000: £70; £10,000 or more: £100.
            Statute::UkLatePaymentAct1998 if principal < Decimal::from(1_000) => Decimal::from(40),
            Statute::UkLatePaymentAct1998 if principal < Decimal::from(10_000) => Decimal::from(70),
            Statute::UkLatePaymentAct1998 => Decimal::from(100),
            Statute::EuLatePaymentDirective | Statute::DeBgb288 => Decimal::from(40),
        }
    }
}

/// A customer's own word on statutory interest, over the policy's [`crate::interest_policy::InterestRules::statute`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatuteChoice {
    /// No statutory interest: a consumer, or a contract that rules it out.
    None,
    #[serde(untagged)]
    Statute(Statute),
}

/// A statute with the reference-rate table it reads and the margin applied.
#[derive(Debug, Clone, Copy)]
pub struct StatutoryRule<'a> {
    pub statute: Statute,
    pub table: &'a RateTable,
    /// Points over the reference rate; at least [`Statute::margin_points`].
    pub margin_points: Decimal,
}

/// The remedy that applies to a debt.
#[derive(Debug, Clone, Copy)]
pub enum Remedy<'a> {
    Contract(&'a ContractRemedy),
    Statutory(StatutoryRule<'a>),
}

/// A payment received on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payment {
    pub on: NaiveDate,
    pub amount: Decimal,
}

/// One late debt: what was owed on its due date and what was paid after it. An invoice that does not
/// record when its payments arrived is passed with its current balance as `principal` and no payments:
/// interest on the balance still owed, which never exceeds what the dated payments would give.
#[derive(Debug, Clone, Copy)]
pub struct Debt<'a> {
    pub currency: Currency,
    pub due_date: NaiveDate,
    pub principal: Decimal,
    pub payments: &'a [Payment],
    /// The last day already charged on a fee invoice: accrual goes on from the day after.
    pub charged_through: Option<NaiveDate>,
    /// The fixed sum (a statute's compensation, a contract's one-time or fixed fee) is on a fee invoice
    /// already, and is not charged again.
    pub fee_charged: bool,
}

/// A span of days charged on one balance at one rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub from: NaiveDate,
    pub through: NaiveDate,
    pub balance: Decimal,
    pub annual_percent: Decimal,
}

impl Run {
    pub fn days(&self) -> i64 {
        (self.through - self.from).num_days() + 1
    }

    /// The span's interest, exact (not rounded).
    pub fn interest(&self) -> Decimal {
        self.balance * self.annual_percent * Decimal::from(self.days()) / Decimal::from(36_500)
    }
}

/// What has accrued on a debt by a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accrual {
    /// The first day charged.
    pub from: NaiveDate,
    /// The last day counted (the day asked about).
    pub through: NaiveDate,
    /// Oldest first; empty for a fee.
    pub runs: Vec<Run>,
    /// The interest, rounded to the currency's minor units.
    pub interest: Decimal,
    /// The statute's fixed compensation, or the contract's one-time or fixed fee, rounded likewise.
    pub fee: Decimal,
    /// The yearly rate on the last day (a monthly contract rate times twelve); `None` for a fee.
    pub annual_percent: Option<Decimal>,
    /// The interest the last day added, rounded ("23p a day").
    pub per_day: Decimal,
}

/// Why nothing can be stated about a debt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InterestError {
    /// The table does not know the reference rate on a day the accrual needs.
    #[error("{source_name} is not known for {day} (confirmed through {known_through:?})")]
    UnknownRate {
        source_name: String,
        day: NaiveDate,
        known_through: Option<NaiveDate>,
    },
    /// The statute's sums are in another currency than the debt.
    #[error("{statute:?} applies to debts in {expected}, not {found}")]
    OtherCurrency {
        statute: Statute,
        expected: &'static str,
        found: Currency,
    },
}

impl Remedy<'_> {
    fn grace_days(&self) -> u32 {
        match self {
            Remedy::Contract(remedy) => remedy.grace_days,
            Remedy::Statutory(_) => 0,
        }
    }
}

/// What has accrued on `debt` by `through` (inclusive) under `remedy`; `None` before anything is charged
/// (not yet late, within the grace days, or charged through that day already). Nothing owed accrues zero.
pub fn accrue(remedy: &Remedy, debt: &Debt, through: NaiveDate) -> Result<Option<Accrual>, InterestError> {
    let Some(late_from) = debt.due_date.succ_opt() else {
        return Ok(None);
    };
    let Some(after_grace) = late_from.checked_add_days(Days::new(remedy.grace_days().into())) else {
        return Ok(None);
    };
    let from = match debt.charged_through.and_then(|day| day.succ_opt()) {
        Some(next) => after_grace.max(next),
        None => after_grace,
    };
    if through < from {
        return Ok(None);
    }
    let balance_on = |day: NaiveDate| {
        let paid: Decimal = debt
            .payments
            .iter()
            .filter(|payment| payment.on < day)
            .map(|payment| payment.amount)
            .sum();
        (debt.principal - paid).max(Decimal::ZERO)
    };
    let currency = debt.currency;
    let unless_charged = |fee: Decimal| if debt.fee_charged { Decimal::ZERO } else { fee };
    let fee_only = |fee: Decimal| {
        let fee = unless_charged(fee);
        Ok(Some(Accrual {
            from,
            through,
            runs: Vec::new(),
            interest: currency.round(Decimal::ZERO),
            fee: currency.round(fee),
            annual_percent: None,
            per_day: currency.round(Decimal::ZERO),
        }))
    };
    let (fee, fixed_annual) = match remedy {
        Remedy::Contract(contract) => match contract.charge {
            Charge::FixedFee { amount } => return fee_only(amount),
            Charge::OneTimePercent { percent } => {
                return fee_only(balance_on(after_grace) * percent / Decimal::ONE_HUNDRED);
            }
            Charge::Interest { percent, per } => {
                let months = if per == Per::Month { 12 } else { 1 };
                (Decimal::ZERO, Some(percent * Decimal::from(months)))
            }
        },
        Remedy::Statutory(rule) => {
            if currency.code() != rule.statute.currency() {
                return Err(InterestError::OtherCurrency {
                    statute: rule.statute,
                    expected: rule.statute.currency(),
                    found: currency,
                });
            }
            (unless_charged(rule.statute.compensation(balance_on(late_from))), None)
        }
    };
    let annual_on = |day: NaiveDate| match (fixed_annual, remedy) {
        (Some(annual), _) => Ok(annual),
        (None, Remedy::Statutory(rule)) => {
            let rate_day = rule.statute.rate_day(late_from, day);
            let reference = rule.table.rate_on(rate_day).ok_or_else(|| InterestError::UnknownRate {
                source_name: rule.table.source.clone(),
                day: rate_day,
                known_through: rule.table.known_through(),
            })?;
            Ok(reference + rule.margin_points)
        }
        (None, Remedy::Contract(_)) => unreachable!("a contract's interest has a fixed rate"),
    };
    let mut runs: Vec<Run> = Vec::new();
    for day in from.iter_days().take_while(|day| *day <= through) {
        let balance = balance_on(day);
        if balance.is_zero() {
            continue;
        }
        let annual_percent = annual_on(day)?;
        match runs.last_mut() {
            Some(run)
                if run.balance == balance
                    && run.annual_percent == annual_percent
                    && run.through.succ_opt() == Some(day) =>
            {
                run.through = day;
            }
            _ => runs.push(Run {
                from: day,
                through: day,
                balance,
                annual_percent,
            }),
        }
    }
    let interest: Decimal = runs.iter().map(Run::interest).sum();
    let last_day = runs.last().map(|run| Run {
        from: run.through,
        ..run.clone()
    });
    Ok(Some(Accrual {
        from,
        through,
        interest: currency.round(interest),
        fee: currency.round(fee),
        annual_percent: runs.last().map(|run| run.annual_percent).or(fixed_annual),
        per_day: currency.round(last_day.as_ref().map_or(Decimal::ZERO, Run::interest)),
        runs,
    }))
}

/// The day whose reference rate a debt that becomes late on `day` needs first under `statute`: what
/// [`RateTable::known_through`] must reach for kindly to state figures for debts late from then on.
pub fn rate_needed_for(statute: Statute, day: NaiveDate) -> NaiveDate {
    statute.rate_day(day, day)
}

#[cfg(test)]
#[path = "interest_tests.rs"]
mod tests;
