//! Early-payment discounts ("2/10 net 30": 2 % off if paid within 10 days, else the full total in 30).
//!
//! Rules, each tested below:
//! - the deadline is the window's last day (`within_days` after the issue date), moved to the next business
//!   day in the customer's calendar;
//! - the discounted amount is the total less the percentage, rounded to the currency's minor units;
//! - money reaching the discounted amount on a customer-local day by the deadline settles the invoice and
//!   records the discount taken; the same money after the deadline is a part payment;
//! - a refund that takes the money below the discounted amount drops the discount again;
//! - the discount note goes out `N` business days before the deadline, once per invoice, never after the
//!   deadline, and only while the invoice is open and owed.

use crate::calendar::Calendar;
use crate::customer::{Customer, DiscountTerms};
use crate::invoice::{DiscountTaken, Invoice, InvoiceStatus};
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The policy's `[discounts]` table: when the note before a discount's deadline goes out, and as what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscountNotes {
    /// How many business days (the customer's) before the deadline the note goes out.
    pub note_business_days_before: u32,
    /// The template; the courtesy note before the due date, which states the discount while it is open.
    #[serde(default = "default_note_template")]
    pub template: String,
    /// Who signs it, by its key under `[senders]`; the ladder's first stage's sender when absent.
    #[serde(default)]
    pub sender: Option<String>,
}

/// The most business days before the deadline a note may go out: a discount window is short.
pub const MAX_NOTE_DAYS_BEFORE: u32 = 20;

fn default_note_template() -> String {
    "upcoming_due".to_owned()
}

impl DiscountNotes {
    /// What is wrong with the table, if anything, with the field named.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        (self.note_business_days_before > MAX_NOTE_DAYS_BEFORE).then(|| {
            (
                "note_business_days_before",
                format!(
                    "must be at most {MAX_NOTE_DAYS_BEFORE}, not {}",
                    self.note_business_days_before
                ),
            )
        })
    }
}

/// An invoice's early-payment offer, as its customer's calendar makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub percent: Decimal,
    /// The last day on which paying `discounted` settles the invoice.
    pub deadline: NaiveDate,
    /// What settles the invoice by the deadline, in the currency's minor units.
    pub discounted: Decimal,
    /// The discount itself: the total less `discounted`.
    pub discount: Decimal,
}

/// The last day of the window, `within_days` after `issue_date`, moved to the next business day.
pub fn deadline(issue_date: NaiveDate, terms: &DiscountTerms, calendar: Calendar) -> NaiveDate {
    let last = issue_date
        .checked_add_days(Days::new(terms.within_days.into()))
        .unwrap_or(NaiveDate::MAX);
    calendar.on_or_after(last)
}

/// The invoice's offer, if it has early-payment terms.
pub fn offer(invoice: &Invoice, calendar: Calendar) -> Option<Offer> {
    let terms = invoice.early_payment.as_ref()?;
    let keep = Decimal::ONE - terms.percent / Decimal::ONE_HUNDRED;
    let discounted = invoice.currency.round(invoice.total * keep);
    Some(Offer {
        percent: terms.percent,
        deadline: deadline(invoice.issue_date, terms, calendar),
        discounted,
        discount: invoice.total - discounted,
    })
}

/// The offer still open on the customer-local `day`: the invoice is open and not yet settled, and `day` is
/// by the deadline. What a message or the customer's page states as the amount to pay now.
pub fn open_offer(invoice: &Invoice, calendar: Calendar, day: NaiveDate) -> Option<Offer> {
    let offer = offer(invoice, calendar)?;
    let open = invoice.status == InvoiceStatus::Open && invoice.bookkeeping.discount_taken.is_none();
    (open && day <= offer.deadline && invoice.paid < offer.discounted).then_some(offer)
}

/// An invoice without its own terms takes the customer's contract terms, as they stand when kindly first
/// stores it (an invoice's terms are those it was issued on); a copy that names none keeps the stored ones.
pub fn take_terms(incoming: &mut Invoice, stored: Option<&Invoice>, customer: Option<&Customer>) {
    if incoming.early_payment.is_some() {
        return;
    }
    incoming.early_payment = match stored {
        Some(stored) => stored.early_payment.clone(),
        None => customer.and_then(|customer| customer.terms.early_payment_discount.clone()),
    };
}

/// Settle `invoice` with its discount, or stop doing so, after its money changed on the customer-local `day`
/// (a payment's day, a refund's, or the day the accounting system's copy arrived):
/// - money reaching the discounted amount (and short of the total) by the deadline settles it: paid, with
///   the discount taken recorded. An accounting system's copy that says paid with that money settles it
///   too, on any day: the accounting system decided;
/// - once taken, the discount stands while the money still reaches the discounted amount (a copy saying
///   open does not reopen it); a refund below it drops the discount, and an invoice paid only by it
///   reopens.
///
/// Changes nothing for an invoice without terms, or whose money reaches the discounted amount after the
/// deadline: that is a part payment.
pub fn settle(invoice: &mut Invoice, calendar: Calendar, day: NaiveDate) {
    let offer = offer(invoice, calendar);
    let reaches = offer
        .as_ref()
        .is_some_and(|offer| invoice.paid >= offer.discounted && invoice.paid < invoice.total);
    let settles = matches!(
        invoice.status,
        InvoiceStatus::Open | InvoiceStatus::PaymentPending | InvoiceStatus::Disputed
    );
    match (&invoice.bookkeeping.discount_taken, offer) {
        (Some(_), _) if reaches => {
            if matches!(invoice.status, InvoiceStatus::Open | InvoiceStatus::PaymentPending) {
                invoice.status = InvoiceStatus::Paid;
            }
        }
        (Some(_), _) => {
            invoice.bookkeeping.discount_taken = None;
            if invoice.status == InvoiceStatus::Paid && invoice.paid < invoice.total {
                invoice.status = InvoiceStatus::Open;
            }
        }
        (None, Some(offer)) if reaches => {
            let in_time = day <= offer.deadline && settles;
            if in_time || invoice.status == InvoiceStatus::Paid {
                invoice.status = InvoiceStatus::Paid;
                invoice.bookkeeping.discount_taken = Some(DiscountTaken {
                    amount: offer.discount,
                    on: day,
                });
            }
        }
        (None, _) => {}
    }
}

/// The day the discount note falls due: `before` business days before the deadline.
pub fn note_day(offer: &Offer, before: u32, calendar: Calendar) -> NaiveDate {
    calendar.add_business_days(offer.deadline, -i32::try_from(before).unwrap_or(i32::MAX))
}

/// The earliest day the discount note can fall due in any calendar kindly knows, if the invoice still
/// awaits one: the stores index invoices by it, not knowing the customer's calendar. Counting back
/// `before` business days may cross the longest run of days off once per day counted.
pub fn earliest_note_day(invoice: &Invoice, before: u32) -> Option<NaiveDate> {
    if invoice.dunning.discount_note_on.is_some() {
        return None;
    }
    let terms = invoice.early_payment.as_ref()?;
    let last = invoice
        .issue_date
        .checked_add_days(Days::new(terms.within_days.into()))?;
    let days_off = u64::from(crate::holidays::longest_days_off());
    let back = u64::from(before) * (days_off + 1);
    Some(last.checked_sub_days(Days::new(back)).unwrap_or(NaiveDate::MIN))
}

/// The offer a discount note should state on the customer-local `day`, if one is due: the invoice awaits
/// its note, may be reminded of, and `day` falls from the note's day through the deadline.
pub fn note_due(invoice: &Invoice, before: u32, calendar: Calendar, day: NaiveDate) -> Option<Offer> {
    if invoice.dunning.discount_note_on.is_some() || !invoice.is_remindable() {
        return None;
    }
    let snoozed = invoice.dunning.snoozed_until.is_some_and(|until| until > day);
    let held = invoice.bookkeeping.hold.as_ref().is_some_and(|hold| hold.holds_on(day));
    let offer = open_offer(invoice, calendar, day)?;
    (!snoozed && !held && note_day(&offer, before, calendar) <= day).then_some(offer)
}

#[cfg(test)]
#[path = "discount_tests.rs"]
mod tests;
