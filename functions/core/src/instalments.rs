//! Payment plans: the open balance of one or more invoices of a customer, in one currency, split into
//! instalments — even amounts with the remainder on the last, weekly, fortnightly or monthly from a chosen
//! first date. The rules here are pure: the schedule, the policy's limits on what a customer may choose for
//! themselves, and where a plan stands on a day given what its invoices have been paid since it began.
//!
//! A plan keeps no running ledger of its own. It records how much its invoices had been paid when it
//! began; every payment after that (webhook or accounting import alike) counts towards its instalments in
//! order, so a payment heard twice, or heard from both sides, cannot be counted twice here either.

use crate::actor::Actor;
use crate::calendar::Calendar;
use crate::customer::CustomerId;
use crate::error::CoreError;
use crate::invoice::{Invoice, InvoiceId};
use crate::money::Currency;
pub use crate::plan_link::{PlanId, PlanLink, PlanState};
use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How often an instalment falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Weekly,
    Fortnightly,
    Monthly,
}

impl Frequency {
    /// The due date of instalment `index` (0 is the first, on `first`). Monthly ones keep the first's day
    /// of the month, or the month's last day where it has none (31 January, then 28 February, 31 March).
    pub fn nth(self, first: NaiveDate, index: u32) -> Option<NaiveDate> {
        match self {
            Frequency::Weekly => first.checked_add_days(Days::new(7 * u64::from(index))),
            Frequency::Fortnightly => first.checked_add_days(Days::new(14 * u64::from(index))),
            Frequency::Monthly => first.checked_add_months(Months::new(index)),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Weekly => "weekly",
            Frequency::Fortnightly => "fortnightly",
            Frequency::Monthly => "monthly",
        }
    }
}

impl std::str::FromStr for Frequency {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "weekly" => Ok(Frequency::Weekly),
            "fortnightly" => Ok(Frequency::Fortnightly),
            "monthly" => Ok(Frequency::Monthly),
            other => Err(format!("`{other}` is not a frequency (weekly, fortnightly, monthly)")),
        }
    }
}

/// One instalment: due on `due`, `amount` in the plan's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instalment {
    pub due: NaiveDate,
    pub amount: Decimal,
}

/// An agreed (or requested) payment plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentPlan {
    pub id: PlanId,
    pub customer_id: CustomerId,
    pub invoices: Vec<InvoiceId>,
    pub currency: Currency,
    pub frequency: Frequency,
    pub instalments: Vec<Instalment>,
    /// What the invoices had been paid, together, when the plan began; what they are paid beyond it counts
    /// towards the instalments.
    pub paid_before: Decimal,
    pub state: PlanState,
    pub made_by: Actor,
    pub made_at: DateTime<Utc>,
    /// Asked for by the customer on their own page (`made_by` is then kindly, or the person who agreed a
    /// request outside the limits).
    #[serde(default)]
    pub asked_by_customer: bool,
    /// The next day the pass must look at the plan (a note to send, an instalment's day gone by, the day it
    /// breaks); `None` once it runs no more. Stores index running plans by it.
    #[serde(default)]
    pub next_check: Option<NaiveDate>,
    /// Bumped by every write, so a change can be conditional on nothing having changed since it was read.
    #[serde(default)]
    pub revision: u64,
}

/// What the policy allows a customer to choose on their own page (`[payment_plans]`); staff may agree
/// anything. A request outside these becomes a task for staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlanRules {
    /// The most instalments.
    pub max_instalments: u32,
    /// The smallest instalment, in major units of the plan's currency, unless `smallest_instalment_in`
    /// names that currency.
    pub smallest_instalment: Decimal,
    /// The smallest instalment in particular currencies, by ISO code (`JPY = 5000`).
    pub smallest_instalment_in: BTreeMap<String, Decimal>,
    /// The longest a plan may run, in days from the day it is made to its last instalment.
    pub longest_days: u32,
    /// The latest first instalment, in days from the day the plan is made.
    pub first_within_days: u32,
    /// Business days before each instalment that a gentle note goes out.
    pub note_business_days_before: u32,
    /// Days after a missed instalment's date that the plan breaks and the ladder resumes.
    pub break_after_days: u32,
}

impl Default for PlanRules {
    fn default() -> Self {
        PlanRules {
            max_instalments: 6,
            smallest_instalment: Decimal::new(50, 0),
            smallest_instalment_in: BTreeMap::new(),
            longest_days: 180,
            first_within_days: 30,
            note_business_days_before: 2,
            break_after_days: 14,
        }
    }
}

impl PlanRules {
    /// The smallest instalment in `currency`.
    pub fn smallest_in(&self, currency: Currency) -> Decimal {
        self.smallest_instalment_in
            .get(currency.code())
            .copied()
            .unwrap_or(self.smallest_instalment)
    }

    /// What is wrong with the rules themselves, naming the field.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if self.max_instalments < 2 {
            return Some(("max_instalments", "a plan needs at least 2 instalments".into()));
        }
        if self.smallest_instalment < Decimal::ZERO {
            return Some(("smallest_instalment", "must not be negative".into()));
        }
        if let Some(code) = self
            .smallest_instalment_in
            .keys()
            .find(|code| Currency::from_code(code).is_err())
        {
            return Some((
                "smallest_instalment_in",
                format!("`{code}` is not an ISO 4217 currency"),
            ));
        }
        if self.break_after_days == 0 {
            return Some(("break_after_days", "must be at least 1".into()));
        }
        None
    }
}

/// What someone asks for: `count` instalments of the open balance, `frequency`, the first on `first`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanTerms {
    pub count: u32,
    pub frequency: Frequency,
    pub first: NaiveDate,
}

/// `total` in `count` even instalments (rounded down to the currency's minor units), the remainder on the
/// last, due `terms.frequency` from `terms.first`. Refuses fewer than two instalments, more instalments than
/// minor units to share, and a nothing-owed total, naming the field.
pub fn schedule(total: Decimal, currency: Currency, terms: &PlanTerms) -> Result<Vec<Instalment>, CoreError> {
    let invalid = |field: &'static str, problem: String| CoreError::InvalidField {
        record: "payment plan",
        id: String::new(),
        field,
        problem,
    };
    if total <= Decimal::ZERO {
        return Err(invalid("invoices", "nothing is owed on them".into()));
    }
    if !(2..=120).contains(&terms.count) {
        return Err(invalid(
            "instalments",
            format!("{} instalments: between 2 and 120", terms.count),
        ));
    }
    let count = Decimal::from(terms.count);
    let unit = Decimal::new(1, currency.minor_units());
    let even = (total / count / unit).floor() * unit;
    if even <= Decimal::ZERO {
        return Err(invalid(
            "instalments",
            format!("{total} {currency} cannot be shared into {} instalments", terms.count),
        ));
    }
    (0..terms.count)
        .map(|index| {
            let due = terms
                .frequency
                .nth(terms.first, index)
                .ok_or_else(|| invalid("first", "the instalments run past the calendar".into()))?;
            let amount = if index + 1 == terms.count {
                total - even * (count - Decimal::ONE)
            } else {
                even
            };
            Ok(Instalment {
                due,
                amount: currency.round(amount),
            })
        })
        .collect()
}

/// `instalments`, due `frequency`, moved to begin on `earliest` if they began before `today`, keeping
/// their amounts and spacing: a plan agreed after its first instalment's day (a request staff decided
/// late) does not start in arrears. Unchanged otherwise.
pub fn not_in_arrears(
    instalments: &[Instalment],
    frequency: Frequency,
    today: NaiveDate,
    earliest: NaiveDate,
) -> Vec<Instalment> {
    if instalments.first().is_none_or(|first| first.due >= today) {
        return instalments.to_vec();
    }
    (0..)
        .zip(instalments)
        .map(|(index, instalment)| Instalment {
            due: frequency.nth(earliest, index).unwrap_or(instalment.due),
            amount: instalment.amount,
        })
        .collect()
}

/// Why a customer may not choose `instalments` on their own on `today` (a request outside the policy's
/// limits goes to staff instead), naming the field; `None` when they may.
pub fn outside_limits(
    rules: &PlanRules,
    currency: Currency,
    instalments: &[Instalment],
    today: NaiveDate,
) -> Option<(&'static str, String)> {
    let first = instalments.first()?.due;
    let last = instalments.last()?.due;
    if first < today {
        return Some(("first", format!("{first} has passed")));
    }
    if (first - today).num_days() > i64::from(rules.first_within_days) {
        return Some((
            "first",
            format!("the first instalment must fall within {} days", rules.first_within_days),
        ));
    }
    if instalments.len() > rules.max_instalments as usize {
        return Some(("instalments", format!("at most {} instalments", rules.max_instalments)));
    }
    let smallest = rules.smallest_in(currency);
    if instalments.iter().any(|instalment| instalment.amount < smallest) {
        return Some((
            "instalments",
            format!("each instalment must be at least {smallest} {currency}"),
        ));
    }
    if (last - today).num_days() > i64::from(rules.longest_days) {
        return Some((
            "instalments",
            format!("the plan must end within {} days", rules.longest_days),
        ));
    }
    None
}

impl PaymentPlan {
    /// How much of each instalment the plan's `invoices` (any others are ignored) have paid since it began.
    pub fn paid_towards<'a>(&self, invoices: impl IntoIterator<Item = &'a Invoice>) -> Vec<Decimal> {
        let paid_now: Decimal = invoices
            .into_iter()
            .filter(|invoice| self.invoices.contains(&invoice.id))
            .map(|invoice| invoice.paid)
            .sum();
        covered(&self.instalments, paid_now - self.paid_before)
    }
}

/// How much of each instalment `received` (paid on the plan's invoices since it began) covers, in order.
pub fn covered(instalments: &[Instalment], received: Decimal) -> Vec<Decimal> {
    let mut left = received.max(Decimal::ZERO);
    instalments
        .iter()
        .map(|instalment| {
            let part = left.min(instalment.amount);
            left -= part;
            part
        })
        .collect()
}

/// Where a plan stands on a customer-local day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Kept so far; `next` is the first instalment not yet paid in full.
    Current { next: usize },
    /// Instalment `index` is unpaid after its day (the business day it falls on, or the next one).
    Missed { index: usize },
    /// Instalment `index` stayed unpaid `break_after_days` after its day: the ladder resumes.
    Broken { index: usize },
    /// Every instalment paid.
    Completed,
}

/// Where `plan` stands on `today` in the customer's `calendar`, given what its invoices are paid now.
pub fn standing(
    plan: &PaymentPlan,
    invoices: &[Invoice],
    rules: &PlanRules,
    calendar: Calendar,
    today: NaiveDate,
) -> Standing {
    let covered = plan.paid_towards(invoices);
    let Some(next) = plan
        .instalments
        .iter()
        .zip(&covered)
        .position(|(instalment, covered)| covered < &instalment.amount)
    else {
        return Standing::Completed;
    };
    let day = calendar.on_or_after(plan.instalments[next].due);
    if today <= day {
        return Standing::Current { next };
    }
    let breaks = day + Days::new(u64::from(rules.break_after_days));
    if today > breaks {
        Standing::Broken { index: next }
    } else {
        Standing::Missed { index: next }
    }
}

/// The day the gentle note before instalment `index` goes out: the rules' business days before its day.
pub fn note_day(plan: &PaymentPlan, index: usize, rules: &PlanRules, calendar: Calendar) -> Option<NaiveDate> {
    let due = calendar.on_or_after(plan.instalments.get(index)?.due);
    let before = i32::try_from(rules.note_business_days_before).unwrap_or(i32::MAX);
    Some(calendar.add_business_days(due, -before))
}

/// What the daily pass does about a running plan on a customer's business day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanStep {
    /// Nothing today.
    Wait,
    /// The gentle note before instalment `index`.
    NoteBefore { index: usize },
    /// The one courteous reminder that instalment `index` was missed.
    Missed { index: usize },
    /// Instalment `index` stayed unpaid too long: the plan breaks and the ladder resumes.
    Break { index: usize },
    /// Every instalment is paid.
    Complete,
}

/// What to do about `plan` on the customer-local business day `today`, and the next day to look at it
/// again (`None` once it runs no more). `agreed_on`: the customer-local day it was agreed — an instalment
/// whose note day had come by then gets no note (the customer has only just chosen its date).
pub fn review(
    plan: &PaymentPlan,
    invoices: &[Invoice],
    rules: &PlanRules,
    calendar: Calendar,
    agreed_on: NaiveDate,
    today: NaiveDate,
) -> (PlanStep, Option<NaiveDate>) {
    let day_of = |index: usize| calendar.on_or_after(plan.instalments[index].due);
    match standing(plan, invoices, rules, calendar, today) {
        Standing::Completed => (PlanStep::Complete, None),
        Standing::Broken { index } => (PlanStep::Break { index }, None),
        Standing::Missed { index } => {
            let breaks = day_of(index) + Days::new(u64::from(rules.break_after_days) + 1);
            (PlanStep::Missed { index }, Some(breaks))
        }
        Standing::Current { next } => {
            let missed_from = day_of(next) + Days::new(1);
            match note_day(plan, next, rules, calendar) {
                Some(note) if note > today => (PlanStep::Wait, Some(note)),
                Some(note) if note > agreed_on => (PlanStep::NoteBefore { index: next }, Some(missed_from)),
                _ => (PlanStep::Wait, Some(missed_from)),
            }
        }
    }
}

#[cfg(test)]
#[path = "instalments_tests.rs"]
mod tests;
