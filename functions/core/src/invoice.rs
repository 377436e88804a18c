//! Invoices and how far the reminder ladder has come for each.

use crate::actor::Actor;
use crate::customer::{CustomerId, DiscountTerms};
use crate::error::CoreError;
use crate::interest::{Charge, ContractRemedy};
use crate::limits;
use crate::money::Currency;
use crate::plan_link::PlanLink;
use crate::tone::Tone;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An invoice's id in the accounting system.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InvoiceId(pub String);

impl std::fmt::Display for InvoiceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an invoice stands. Only [`InvoiceStatus::Open`] invoices are ever reminded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Open,
    Paid,
    Void,
    /// Given up on: by the accounting system, or by staff at the ladder's last step
    /// ([`Bookkeeping::outcome`] says who, when and why).
    WrittenOff,
    /// Handed to a collections agency by staff at the ladder's last step: still owed, but no longer kindly's
    /// to chase.
    HandedOver,
    /// The customer disputes it: a person must resolve that first.
    Disputed,
    /// A payment is in flight (e.g. a bank debit clearing).
    PaymentPending,
    /// Covered by an agreed payment plan; instalments are tracked separately.
    OnPaymentPlan,
}

impl InvoiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Open => "open",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Void => "void",
            InvoiceStatus::WrittenOff => "written_off",
            InvoiceStatus::HandedOver => "handed_over",
            InvoiceStatus::Disputed => "disputed",
            InvoiceStatus::PaymentPending => "payment_pending",
            InvoiceStatus::OnPaymentPlan => "on_payment_plan",
        }
    }
}

impl std::str::FromStr for InvoiceStatus {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [
            InvoiceStatus::Open,
            InvoiceStatus::Paid,
            InvoiceStatus::Void,
            InvoiceStatus::WrittenOff,
            InvoiceStatus::HandedOver,
            InvoiceStatus::Disputed,
            InvoiceStatus::PaymentPending,
            InvoiceStatus::OnPaymentPlan,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
        .ok_or_else(|| {
            format!(
                "`{text}` is not a status (open, paid, void, written_off, handed_over, disputed, payment_pending, on_payment_plan)"
            )
        })
    }
}

/// How far the reminder ladder has come for one invoice. Changed only when a reminder is sent or skipped,
/// never when it is merely drafted, so a draft that is superseded or cancelled leaves no trace here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DunningProgress {
    /// The id of the last stage sent (or skipped) for this invoice.
    pub last_stage: Option<String>,
    pub last_tone: Option<Tone>,
    pub last_reminded_on: Option<NaiveDate>,
    /// The earliest day the next stage falls due; `None` when nothing more is to be done. Stores index
    /// open invoices by this date so a pass reads only invoices that need action.
    pub next_action_on: Option<NaiveDate>,
    /// Staff snoozed the reminders for this invoice until this day: no reminder covers it before then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snoozed_until: Option<NaiveDate>,
    /// The customer-local day the early-payment discount note went out ([`crate::discount`]): one per
    /// invoice, and once it is out the action index no longer counts its day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_note_on: Option<NaiveDate>,
}

/// A customer's answer holding an invoice's reminders: kept after it ends (lifted by staff, or its day
/// passed), so the ladder knows to go on from where it was ([`AnswerHold::resumes_gently`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerHold {
    /// The answer's id.
    pub answer: String,
    /// What kind of answer it is (`already_paid`, `dispute`, `promise`…).
    pub kind: String,
    /// The customer-local day of the answer.
    pub since: NaiveDate,
    /// The last held day; `None`: until staff act.
    #[serde(default)]
    pub until: Option<NaiveDate>,
    /// An upheld dispute: held until the accounting system sends the corrected invoice (or a credit).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub until_corrected: bool,
    /// Staff lifted it (a claim or dispute rejected, a payment confirmed).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lifted: bool,
}

impl AnswerHold {
    /// Whether it holds the invoice on the customer-local `day`.
    pub fn holds_on(&self, day: NaiveDate) -> bool {
        !self.lifted && self.until.is_none_or(|until| day <= until)
    }

    /// Whether the ladder, going on after this hold, starts with the stage not yet said rather than the
    /// furthest one reached meanwhile: no message about the invoice has gone out since the answer.
    pub fn resumes_gently(&self, progress: &DunningProgress) -> bool {
        progress.last_reminded_on.is_none_or(|last| last <= self.since)
    }
}

/// An invoice, as kindly needs to know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub id: InvoiceId,
    /// The number printed on the invoice, e.g. `INV-2026-0042`.
    pub number: String,
    pub customer_id: CustomerId,
    pub currency: Currency,
    pub total: Decimal,
    /// Paid so far; the balance is `total - paid`.
    #[serde(default)]
    pub paid: Decimal,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub status: InvoiceStatus,
    #[serde(default)]
    pub payment_link: Option<String>,
    #[serde(default)]
    pub po_number: Option<String>,
    /// This invoice's own remedy for late payment, over the customer's contract terms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_fee: Option<ContractRemedy>,
    /// Early-payment terms (2/10: 2 % off if paid within 10 days of the issue date), over the customer's
    /// contract terms, which an invoice without its own takes when kindly first stores it
    /// ([`crate::discount`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early_payment: Option<DiscountTerms>,
    /// The payment processor's id for this invoice (e.g. Stripe's `in_…`), so that a payment event that does
    /// not name kindly's invoice can still be matched to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_reference: Option<String>,
    /// The payment processor's payments (by its payment id, e.g. Stripe's `pi_…`) that `paid` already
    /// counts, with the amount counted for each (net of the refunds the accounting system knows of). The
    /// processor reports its payments to kindly too; these it must not count a second time. From the
    /// accounting system: an empty map says `paid` counts none of them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub processor_payments: BTreeMap<String, Decimal>,
    #[serde(default)]
    pub dunning: DunningProgress,
    /// Kept by kindly, not by the accounting system: the processor events applied and the revision.
    #[serde(default)]
    pub bookkeeping: Bookkeeping,
}

/// What kindly keeps on an invoice besides the accounting system's facts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bookkeeping {
    /// Bumped by every write, so a read-modify-write can be conditional on nothing having changed.
    #[serde(default)]
    pub revision: u64,
    /// The payment processor's events already applied (their ids), so none is applied twice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payment_events: Vec<String>,
    /// What the payment processor reported received, net of its refunds. The accounting system may learn of
    /// a payment later than kindly does; until it does, its copy of the invoice must not undo this.
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    pub processor_paid: Decimal,
    /// The same, payment by payment (by the processor's payment id): what the processor received on each,
    /// net of its refunds. Matched against the accounting system's [`Invoice::processor_payments`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub receipts: BTreeMap<String, Decimal>,
    /// The accounting system's own `paid`, as it last sent it. `paid` is this, plus what the processor
    /// reported that the accounting system does not count yet ([`crate::payment::paid_in_all`]). Absent on
    /// invoices stored before kindly kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounting_paid: Option<Decimal>,
    /// Payments kindly could not apply by itself (each says why): while any is here the invoice is held for
    /// review and nobody is reminded of it. A staff task names them; doing it clears them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held_for_review: Vec<String>,
    /// The processor's latest word on each payment that went through "pending" or "failed", by payment id
    /// (a payment intent): events arrive out of order, and only a newer one counts.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub payments_in_flight: BTreeMap<String, InFlight>,
    /// The customer's answer that holds (or last held) this invoice's reminders ([`crate::answer`]). Kept
    /// here, not in the ladder progress: a send recording its progress must never write over a hold an
    /// answer placed meanwhile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold: Option<AnswerHold>,
    /// What staff confirmed as received when a customer said they had paid ([`crate::payment::confirm_received`]):
    /// `paid` is never less, so the accounting system's copy cannot reopen it before it records the payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_paid: Option<Decimal>,
    /// Interest and fees staff turned into a fee invoice ([`crate::fee_invoice`]): later messages and fee
    /// invoices charge only what accrued after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interest_invoiced: Option<InterestInvoiced>,
    /// What staff decided at the end of the ladder ([`crate::last_step`]): kindly's decision, which a copy
    /// from the accounting system saying the invoice is open does not undo. Kept after the invoice is paid
    /// or voided, as its history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// The payment plan the invoice is on, or was last on ([`crate::instalments`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanLink>,
    /// `paid` at the end of each (UTC) day it changed, from the first day kindly kept it
    /// ([`crate::paid_history`]): what lets a report say what was owed on a past day.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub paid_history: BTreeMap<NaiveDate, Decimal>,
    /// The early-payment discount the customer took: a payment of the discounted amount by the deadline
    /// settled the invoice ([`crate::discount::settle`]). Dropped again if a refund takes the payment
    /// below the discounted amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_taken: Option<DiscountTaken>,
}

/// An early-payment discount taken: the invoice is settled for its total less `amount`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountTaken {
    /// The discount, in the invoice's currency: the total less the discounted amount.
    pub amount: Decimal,
    /// The customer-local day of the payment that reached the discounted amount (or of the accounting
    /// system's copy that said it was paid so).
    pub on: NaiveDate,
}

/// What staff decided about an invoice at the ladder's last step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// The balance is given up on.
    WrittenOff,
    /// The account went to a collections agency, with a dossier of what was said and paid.
    HandedOver,
    /// A payment plan was agreed. Instalments are not tracked yet: the invoice is off the ladder, held for
    /// staff, with the plan's terms as the note.
    PaymentPlan,
}

impl OutcomeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::WrittenOff => "written_off",
            OutcomeKind::HandedOver => "handed_over",
            OutcomeKind::PaymentPlan => "payment_plan",
        }
    }

    /// The status an invoice with this outcome stands at.
    pub fn status(self) -> InvoiceStatus {
        match self {
            OutcomeKind::WrittenOff => InvoiceStatus::WrittenOff,
            OutcomeKind::HandedOver => InvoiceStatus::HandedOver,
            OutcomeKind::PaymentPlan => InvoiceStatus::OnPaymentPlan,
        }
    }
}

/// Staff's decision at the ladder's last step: what, why, who and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub kind: OutcomeKind,
    /// Why (a write-off), to whom (a hand-over), or the terms agreed (a plan).
    pub reason: String,
    pub by: Actor,
    pub at: DateTime<Utc>,
}

/// What the last fee invoice for an invoice charged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterestInvoiced {
    /// The last day of interest charged.
    pub through: NaiveDate,
    /// Whether a fixed sum (a statute's compensation, a contract's fee) was charged, on this or an
    /// earlier fee invoice.
    pub fee_included: bool,
    /// The fee invoices raised so far, oldest first.
    pub fee_invoices: Vec<InvoiceId>,
}

/// Where one payment stands, as of the processor's time of the event that said so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InFlight {
    /// When the processor created the event (not when it arrived).
    pub at: DateTime<Utc>,
    /// On its way (`true`), or failed (`false`).
    pub pending: bool,
}

impl Invoice {
    /// What is still owed, never below zero (an overpayment is not a debt of ours to dun). A discount
    /// taken is not owed.
    pub fn balance(&self) -> Decimal {
        (self.settles_for() - self.paid).max(Decimal::ZERO)
    }

    /// What was paid beyond what settles it.
    pub fn overpaid(&self) -> Decimal {
        (self.paid - self.settles_for()).max(Decimal::ZERO)
    }

    /// What settles the invoice: its total, less the early-payment discount if one was taken.
    pub fn settles_for(&self) -> Decimal {
        let discount = self.bookkeeping.discount_taken.as_ref().map(|taken| taken.amount);
        self.total - discount.unwrap_or_default()
    }

    /// Whether anyone may be reminded of this invoice at all: open, owed, and not held for review.
    pub fn is_remindable(&self) -> bool {
        self.status == InvoiceStatus::Open && self.balance() > Decimal::ZERO && !self.is_held()
    }

    /// On a payment plan that is still running: off the ladder, owed by instalments.
    pub fn on_running_plan(&self) -> bool {
        self.bookkeeping.plan.as_ref().is_some_and(PlanLink::is_running)
    }

    /// Held for staff to review a payment kindly could not apply ([`Bookkeeping::held_for_review`]).
    pub fn is_held(&self) -> bool {
        !self.bookkeeping.held_for_review.is_empty()
    }

    /// What is wrong with [`Invoice::processor_payments`], if anything: ids present and within
    /// [`limits::ID`], at most [`limits::PROCESSOR_PAYMENTS`] of them, amounts not negative and exact to
    /// the currency, and together no more than `paid` (which counts them).
    fn processor_payments_problem(&self) -> Option<String> {
        let count = self.processor_payments.len();
        if count > limits::PROCESSOR_PAYMENTS {
            return Some(format!(
                "names {count} payments; at most {} are allowed",
                limits::PROCESSOR_PAYMENTS
            ));
        }
        for (payment, amount) in &self.processor_payments {
            if payment.trim().is_empty() {
                return Some("a payment id is empty".into());
            }
            if let Some(problem) = limits::too_long(payment, limits::ID) {
                return Some(format!(
                    "payment id `{}…` {problem}",
                    payment.chars().take(20).collect::<String>()
                ));
            }
            if amount.is_sign_negative() {
                return Some(format!("`{payment}`: {amount} must not be negative"));
            }
            if let Some(problem) = self.currency.amount_problem(*amount) {
                return Some(format!("`{payment}`: {problem}"));
            }
        }
        let counted = self
            .processor_payments
            .values()
            .try_fold(Decimal::ZERO, |sum, amount| sum.checked_add(*amount));
        match counted {
            Some(counted) if counted <= self.paid => None,
            Some(counted) => Some(format!(
                "counts {counted} in all, more than `paid` ({}), which includes them",
                self.paid
            )),
            None => Some("the amounts overflow".into()),
        }
    }

    /// Days past the due date on `local_date`: negative before it.
    pub fn days_overdue(&self, local_date: NaiveDate) -> i64 {
        (local_date - self.due_date).num_days()
    }

    /// Check what the type system cannot: ids and number present, amounts exact to the currency's minor
    /// units and within [`crate::money::MAX_AMOUNT`], dates consistent, texts within [`limits`].
    pub fn validate(&self) -> Result<(), CoreError> {
        let invalid = |field: &'static str, problem: &str| CoreError::InvalidField {
            record: "invoice",
            id: self.id.0.clone(),
            field,
            problem: problem.to_owned(),
        };
        let texts = [
            ("id", Some(self.id.0.as_str()), limits::ID),
            ("number", Some(self.number.as_str()), limits::NUMBER),
            ("customer_id", Some(self.customer_id.0.as_str()), limits::ID),
            ("payment_link", self.payment_link.as_deref(), limits::URL),
            ("po_number", self.po_number.as_deref(), limits::NUMBER),
            ("payment_reference", self.payment_reference.as_deref(), limits::ID),
        ];
        let present = texts
            .into_iter()
            .filter_map(|(field, text, max)| Some((field, text?, max)));
        if let Some((field, problem)) = limits::first_too_long(present) {
            return Err(invalid(field, &problem));
        }
        if self.id.0.trim().is_empty() {
            return Err(invalid("id", "must not be empty"));
        }
        if self.number.trim().is_empty() {
            return Err(invalid("number", "must not be empty"));
        }
        if self.customer_id.0.trim().is_empty() {
            return Err(invalid("customer_id", "must not be empty"));
        }
        if self.total <= Decimal::ZERO {
            return Err(invalid("total", "must be greater than zero"));
        }
        if let Some(problem) = self.currency.amount_problem(self.total) {
            return Err(invalid("total", &problem));
        }
        if self.paid.is_sign_negative() {
            return Err(invalid("paid", "must not be negative"));
        }
        if let Some(problem) = self.currency.amount_problem(self.paid) {
            return Err(invalid("paid", &problem));
        }
        if let Some(problem) = self.processor_payments_problem() {
            return Err(invalid("processor_payments", &problem));
        }
        if self.due_date < self.issue_date {
            return Err(invalid("due_date", "is before the issue date"));
        }
        if let Some(remedy) = &self.late_fee {
            if let Some((field, problem)) = remedy.problem() {
                return Err(invalid("late_fee", &format!("{field}: {problem}")));
            }
            if let Charge::FixedFee { amount } = remedy.charge
                && let Some(problem) = self.currency.amount_problem(amount)
            {
                return Err(invalid("late_fee", &format!("amount: {problem}")));
            }
        }
        if let Some(problem) = self.early_payment.as_ref().and_then(DiscountTerms::problem) {
            return Err(invalid("early_payment", &problem));
        }
        if let Some(link) = &self.payment_link
            && !link.starts_with("https://")
        {
            return Err(invalid("payment_link", "must be an https:// address"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::invoice;

    /// The field `validate` names for `invoice`, if it refuses it.
    fn refused_field(invoice: &Invoice) -> Option<(&'static str, String)> {
        match invoice.validate() {
            Ok(()) => None,
            Err(CoreError::InvalidField { field, problem, .. }) => Some((field, problem)),
            Err(other) => panic!("not a field error: {other}"),
        }
    }

    fn yen(total: &str, paid: &str) -> Invoice {
        Invoice {
            currency: Currency::from_code("JPY").unwrap(),
            total: total.parse().unwrap(),
            paid: paid.parse().unwrap(),
            ..invoice("I1", "A", "2026-03-01", None)
        }
    }

    #[test]
    fn amounts_beyond_the_bound_are_refused_by_field() {
        // The amounts that overflowed a customer's sum in the pass.
        let huge = "50000000000000000000000000000";
        assert_eq!(
            refused_field(&yen(huge, "0")),
            Some(("total", "must be at most 1000000000000000 JPY".into()))
        );
        assert_eq!(
            refused_field(&yen("1000", huge)),
            Some(("paid", "must be at most 1000000000000000 JPY".into()))
        );
        assert_eq!(refused_field(&yen("1000000000000000", "1000000000000000")), None);
    }

    #[test]
    fn text_beyond_its_limit_is_refused_by_field() {
        let long = |max: usize| "x".repeat(max + 1);
        let mut number = invoice("I1", "A", "2026-03-01", None);
        number.number = long(limits::NUMBER);
        assert_eq!(refused_field(&number).map(|(field, _)| field), Some("number"));
        let mut po = invoice("I1", "A", "2026-03-01", None);
        po.po_number = Some(long(limits::NUMBER));
        assert_eq!(refused_field(&po).map(|(field, _)| field), Some("po_number"));
        let mut link = invoice("I1", "A", "2026-03-01", None);
        link.payment_link = Some(format!("https://pay.example/{}", long(limits::URL)));
        assert_eq!(refused_field(&link).map(|(field, _)| field), Some("payment_link"));
        let id = invoice(&long(limits::ID), "A", "2026-03-01", None);
        assert_eq!(
            refused_field(&id),
            Some(("id", "is 129 characters long; at most 128 are allowed".into()))
        );
    }

    #[test]
    fn paid_has_no_more_decimals_than_the_currency() {
        assert_eq!(
            refused_field(&yen("1000", "0.5")),
            Some(("paid", "JPY allows at most 0 decimal places".into()))
        );
        let mut dollars = invoice("I1", "A", "2026-03-01", None);
        dollars.paid = "10.005".parse().unwrap();
        assert_eq!(
            refused_field(&dollars),
            Some(("paid", "USD allows at most 2 decimal places".into()))
        );
        dollars.paid = "10.50".parse().unwrap();
        assert_eq!(refused_field(&dollars), None);
    }

    #[test]
    fn an_invoices_own_late_fee_is_checked_by_field() {
        let mut fee = invoice("I1", "A", "2026-03-01", None);
        fee.late_fee = Some(ContractRemedy {
            charge: Charge::FixedFee {
                amount: "12.345".parse().unwrap(),
            },
            grace_days: 0,
            clause: "a fee".into(),
        });
        assert_eq!(
            refused_field(&fee),
            Some(("late_fee", "amount: USD allows at most 2 decimal places".into()))
        );
        fee.late_fee = Some(ContractRemedy::monthly("12".parse().unwrap(), 0, "x"));
        assert_eq!(
            refused_field(&fee).map(|(field, problem)| (field, problem.starts_with("percent:"))),
            Some(("late_fee", true))
        );
        fee.late_fee = Some(ContractRemedy::monthly("1.5".parse().unwrap(), 0, "x"));
        assert_eq!(refused_field(&fee), None);
    }
}
