//! The promises, each a named, pure check over what the world saw (the inbox is the ground truth of what
//! customers received) and what kindly stored. The simulation calls them after every step; the tests
//! below feed each one a deliberately broken history and expect it to be caught by name.

use crate::calendar::Workdays;
use crate::faults::Delivery;
use chrono::{Days, NaiveDate, Timelike};
use chrono_tz::Tz;
use kindly_core::policy::{
    ACKNOWLEDGEMENT_STAGE, INSTALMENT_MISSED_STAGE, INSTALMENT_NOTE_STAGE, PROMISE_EVE_STAGE, THANK_YOU_STAGE,
};
use kindly_core::{Invoice, InvoiceStatus, Policy, Reminder, ReminderStatus};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// The promises, by name: the six of issue 11, the five about customers' answers
/// ([`crate::answer_invariants`]), the four about the mail system's feedback ([`crate::mail_invariants`]),
/// the three about customers' replies by email ([`crate::reply_invariants`]), then the ones about
/// early-payment discounts ([`crate::discount_invariants`]), interest ([`crate::interest_invariants`]) and
/// one conversation per customer ([`crate::conversation_invariants`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Invariant {
    NoMessageTwice,
    NothingAfterSettling,
    NobodyForgotten,
    MoneyExact,
    NoSilentLoss,
    LegalHistory,
    /// No ladder message about an invoice a promise, a claimed payment or a dispute holds.
    AnswerHolds,
    /// Nothing to an address a customer named before staff confirmed it.
    ContactConfirmed,
    /// Every recorded answer acknowledged exactly once, within days.
    AcknowledgedOnce,
    /// A promise kept only if paid by its day, broken only once its day is over.
    PromiseByFacts,
    /// One answer per form value.
    AnswerOnce,
    /// Nothing handed to the mailer for an address kindly had blocked; no block lost without a fix.
    NothingToBlocked,
    /// No later stage of an invoice before the stage that did not arrive is said again.
    UndeliveredNotSaid,
    /// A notification heard twice changes nothing the second time.
    FeedbackOnce,
    /// After a contact is fixed, the undelivered stage goes to the new address at most once.
    FixedOnce,
    /// No ladder message while a person's reply waits to be read (or its pause runs), nor before the
    /// first business day after the day an out-of-office note names.
    ReplyHolds,
    /// One answer per reply, however often it is delivered, recorded as what it is.
    ReplyOnce,
    /// An automatic reply is never a task for staff.
    AutoReplyNoTask,
    /// A discounted payment inside the window leaves nothing chased, one after it leaves the rest chased,
    /// and a discount note goes out at most once per invoice, never after the deadline
    /// ([`crate::discount_invariants`]).
    DiscountKept,
    /// A message stating interest under the customer's contract states exactly what has accrued by its
    /// day, and none before the first day charged ([`crate::interest_invariants`]).
    InterestExact,
    /// Within a customer's conversation no ladder message is gentler than the one before; a new one starts
    /// only once nothing of theirs is in escalation ([`crate::conversation_invariants`]).
    ToneNeverFallsBack,
}

impl Invariant {
    pub const ALL: [Invariant; 21] = [
        Invariant::NoMessageTwice,
        Invariant::NothingAfterSettling,
        Invariant::NobodyForgotten,
        Invariant::MoneyExact,
        Invariant::NoSilentLoss,
        Invariant::LegalHistory,
        Invariant::AnswerHolds,
        Invariant::ContactConfirmed,
        Invariant::AcknowledgedOnce,
        Invariant::PromiseByFacts,
        Invariant::AnswerOnce,
        Invariant::NothingToBlocked,
        Invariant::UndeliveredNotSaid,
        Invariant::FeedbackOnce,
        Invariant::FixedOnce,
        Invariant::ReplyHolds,
        Invariant::ReplyOnce,
        Invariant::AutoReplyNoTask,
        Invariant::DiscountKept,
        Invariant::InterestExact,
        Invariant::ToneNeverFallsBack,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Invariant::NoMessageTwice => "no-message-twice",
            Invariant::NothingAfterSettling => "nothing-after-settling",
            Invariant::NobodyForgotten => "nobody-forgotten",
            Invariant::MoneyExact => "money-exact",
            Invariant::NoSilentLoss => "no-silent-loss",
            Invariant::LegalHistory => "legal-history",
            Invariant::AnswerHolds => "answer-holds",
            Invariant::ContactConfirmed => "contact-confirmed",
            Invariant::AcknowledgedOnce => "acknowledged-once",
            Invariant::PromiseByFacts => "promise-by-facts",
            Invariant::AnswerOnce => "answer-once",
            Invariant::NothingToBlocked => "nothing-to-blocked",
            Invariant::UndeliveredNotSaid => "undelivered-not-said",
            Invariant::FeedbackOnce => "feedback-once",
            Invariant::FixedOnce => "fixed-once",
            Invariant::ReplyHolds => "reply-holds",
            Invariant::ReplyOnce => "reply-once",
            Invariant::AutoReplyNoTask => "auto-reply-no-task",
            Invariant::DiscountKept => "discount-kept",
            Invariant::InterestExact => "interest-exact",
            Invariant::ToneNeverFallsBack => "tone-never-falls-back",
        }
    }
}

/// The customer-local hours messages may go out in (the deployed default, 9-17, Monday to Friday).
pub const BUSINESS_HOURS: (u32, u32) = (9, 17);

/// Invariant 1, over the inbox: no (customer, stage, invoice set) delivered twice, and no invoice in two
/// messages at one stage. A consolidated message carries each invoice at its own stage (`covered`: invoice
/// number and stage, from the reminder's record); the message's tag names only the most advanced one. A
/// thank-you may thank an invoice again once a refund reopened it. An acknowledgement or an eve note is
/// one per answer, so each is its own message whatever invoices it shows. A message kindly learned did not
/// arrive (undelivered) may go out once more.
#[derive(Default)]
pub struct Deliveries {
    messages: BTreeMap<(String, String, Vec<String>), u64>,
    by_stage: BTreeMap<(String, String), String>,
    /// Each reminder's latest message key.
    by_reminder: BTreeMap<String, (String, String, Vec<String>)>,
}

impl Deliveries {
    pub fn check(
        &mut self,
        delivery: &Delivery,
        covered: &[(String, String)],
        reopened: impl Fn(&str) -> bool,
    ) -> Vec<String> {
        let mut problems = Vec::new();
        let per_answer = [
            ACKNOWLEDGEMENT_STAGE,
            PROMISE_EVE_STAGE,
            INSTALMENT_NOTE_STAGE,
            INSTALMENT_MISSED_STAGE,
        ]
        .contains(&delivery.stage.as_str());
        let stage = if per_answer {
            format!("{} {}", delivery.stage, delivery.reminder)
        } else {
            delivery.stage.clone()
        };
        let key = (delivery.customer.clone(), stage, delivery.numbers.clone());
        self.by_reminder.insert(delivery.reminder.clone(), key.clone());
        if let Some(step) = self.messages.insert(key, delivery.step) {
            problems.push(format!(
                "{} got stage `{}` for {:?} again (first at step {step}; reminder {})",
                delivery.customer, delivery.stage, delivery.numbers, delivery.reminder
            ));
        }
        for (number, stage) in covered.iter().filter(|_| !per_answer) {
            let thanked_again = stage == THANK_YOU_STAGE && reopened(number);
            if let Some(earlier) = self
                .by_stage
                .insert((stage.clone(), number.clone()), delivery.reminder.clone())
                && earlier != delivery.reminder
                && !thanked_again
            {
                problems.push(format!(
                    "invoice {number} is in two messages at stage `{stage}` ({earlier} and {})",
                    delivery.reminder
                ));
            }
        }
        problems
    }

    /// kindly recorded `reminder`'s message undelivered: its stage may go out again, once.
    pub fn forget(&mut self, reminder: &str) {
        if let Some(key) = self.by_reminder.remove(reminder) {
            self.messages.remove(&key);
        }
        self.by_stage.retain(|_, sent| sent != reminder);
    }
}

/// What kindly had been told before a send step began: each invoice's status, and who was paused.
#[derive(Default, Clone)]
pub struct Known {
    pub status: BTreeMap<String, InvoiceStatus>,
    pub paused: BTreeSet<String>,
}

/// Invariant 2: a reminder covers no invoice kindly knew was paid, void, disputed, payment-pending, written
/// off, handed over or on a plan (a plan's note covers only invoices on one), and
/// goes to nobody kindly knew was paused; a thank-you thanks only invoices still paid. An
/// acknowledgement answers the customer whatever came of the invoices since, paused or not.
pub fn nothing_after_settling(delivery: &Delivery, known: &Known) -> Vec<String> {
    let mut problems = Vec::new();
    if delivery.stage == ACKNOWLEDGEMENT_STAGE {
        return problems;
    }
    let thank_you = delivery.stage == THANK_YOU_STAGE;
    // A plan's note is about invoices on a running plan, and only those.
    let plan_note = [INSTALMENT_NOTE_STAGE, INSTALMENT_MISSED_STAGE].contains(&delivery.stage.as_str());
    if !thank_you && known.paused.contains(&delivery.customer) {
        problems.push(format!(
            "{} was paused, yet got stage `{}` ({})",
            delivery.customer, delivery.stage, delivery.reminder
        ));
    }
    for number in &delivery.numbers {
        let Some(status) = known.status.get(number) else {
            continue;
        };
        let settled = matches!(
            status,
            InvoiceStatus::Paid
                | InvoiceStatus::Void
                | InvoiceStatus::Disputed
                | InvoiceStatus::PaymentPending
                | InvoiceStatus::WrittenOff
                | InvoiceStatus::HandedOver
                | InvoiceStatus::OnPaymentPlan
        );
        if plan_note {
            if *status != InvoiceStatus::OnPaymentPlan {
                problems.push(format!(
                    "a payment plan's note ({}) about {number}, which kindly knew was {}",
                    delivery.reminder,
                    status.as_str()
                ));
            }
        } else if thank_you && *status != InvoiceStatus::Paid {
            problems.push(format!(
                "a thank-you ({}) for {number}, which is {}",
                delivery.reminder,
                status.as_str()
            ));
        } else if !thank_you && settled {
            problems.push(format!(
                "stage `{}` ({}) asks about {number}, which kindly knew was {}",
                delivery.stage,
                delivery.reminder,
                status.as_str()
            ));
        }
    }
    problems
}

/// Invariant 3, at the moment of delivery: on one of the customer's local business days, inside their
/// business hours (`from`..`to`).
pub fn delivered_in_hours(delivery: &Delivery, zone: Tz, workdays: Workdays, (from, to): (u32, u32)) -> Option<String> {
    let local = delivery.at.with_timezone(&zone);
    let in_hours = workdays.is_business_day(local.date_naive()) && (from..to).contains(&local.hour());
    (!in_hours).then(|| {
        format!(
            "{} got stage `{}` at {} local ({}), outside business hours",
            delivery.customer,
            delivery.stage,
            local.format("%a %Y-%m-%d %H:%M"),
            zone
        )
    })
}

/// What invariant 3 needs to judge one open invoice at the end of a customer's local business day.
pub struct Ladder<'a> {
    pub policy: &'a Policy,
    /// The invoice as kindly stores it (its ladder progress and snooze).
    pub stored: &'a Invoice,
    /// The customer's local date whose business hours just ended.
    pub today: NaiveDate,
    /// The local date since which kindly has known the invoice open: its arrival, or the day a failed or
    /// refunded payment reopened it.
    pub open_since: NaiveDate,
    /// The local date of the customer's latest reminder in the inbox (thank-yous aside).
    pub last_message_on: Option<NaiveDate>,
    /// The customer's business days.
    pub workdays: Workdays,
    /// The tone of the customer's live conversation ([`kindly_core::conversation`]), if one is.
    pub conversation: Option<kindly_core::tone::Tone>,
}

/// Invariant 3: the next stage of an open invoice's ladder went out (or was decided) at most one business
/// day after the first business day the policy plans it: its stage date, not before kindly knew the invoice open,
/// nor within the policy's gap after the last message, nor before a snooze or an answer's hold ends (one
/// waiting for staff owes nothing yet). In a live conversation the stages gentler than its tone are owed
/// only as part of the conversation's next message: on its own an invoice owes the first stage at least
/// that tone. `Some((stage, deadline))` when it is late.
pub fn overdue_stage(ladder: &Ladder) -> Option<(String, NaiveDate)> {
    let Ladder {
        policy,
        stored,
        today,
        open_since,
        last_message_on,
        workdays,
        conversation,
    } = ladder;
    let next = policy.stages_after(stored.dunning.last_stage.as_deref());
    let stage = policy.stages[next.min(policy.stages.len())..]
        .iter()
        .find(|stage| kindly_core::conversation::leads(stage.tone, *conversation))?;
    // Its calendar day, moved off a day off: forward, or back for a note before the due date.
    let offset = Days::new(stage.offset_days.unsigned_abs());
    let stage_day = if stage.offset_days < 0 {
        workdays.on_or_before(stored.due_date - offset)
    } else {
        workdays.on_or_after(stored.due_date + offset)
    };
    let mut planned = stage_day.max(*open_since);
    if let Some(until) = stored.dunning.snoozed_until {
        planned = planned.max(until);
    }
    if let Some(hold) = stored.bookkeeping.hold.as_ref().filter(|hold| !hold.lifted) {
        planned = planned.max(hold.until? + Days::new(1));
    }
    if let Some(last) = last_message_on {
        planned = planned.max(*last + Days::new(u64::from(policy.min_gap_days)));
    }
    let deadline = workdays.next(workdays.on_or_after(planned));
    (*today >= deadline && workdays.is_business_day(*today)).then(|| (stage.id.clone(), deadline))
}

/// Invariant 4: what kindly holds as received from the processor equals the events it acknowledged, net
/// of refunds, read in the processor's own minor units; no more is paid than really arrived; and the dated
/// payments the reports read ([`kindly_core::paid_history`]) end at what is paid now.
pub fn money_exact(stored: &Invoice, acknowledged_net: Decimal, really_received: Decimal) -> Option<String> {
    if let Some((day, dated)) = stored.bookkeeping.paid_history.last_key_value()
        && *dated != stored.paid
    {
        return Some(format!(
            "invoice {} is {} {} paid, but its dated payments end at {dated} on {day}",
            stored.number, stored.paid, stored.currency
        ));
    }
    if stored.bookkeeping.processor_paid != acknowledged_net {
        return Some(format!(
            "invoice {} holds {} {} received from the processor, but the acknowledged events net {}",
            stored.number, stored.bookkeeping.processor_paid, stored.currency, acknowledged_net
        ));
    }
    (stored.paid > really_received).then(|| {
        format!(
            "invoice {} is {} {} paid, but only {} arrived",
            stored.number, stored.paid, stored.currency, really_received
        )
    })
}

/// Invariant 5, after a send whose outcome the sender could not know (the provider accepted, the sender
/// saw an error): the reminder must end failed for a person (or be recorded sent), never be queued again.
pub fn unknown_outcome_settled(reminder: &Reminder) -> Option<String> {
    matches!(
        reminder.status,
        ReminderStatus::Approved | ReminderStatus::PendingApproval | ReminderStatus::Cancelled
    )
    .then(|| {
        format!(
            "reminder {} was delivered but its sender saw an error, and it is {} again: it can go out twice",
            reminder.id, reminder.status
        )
    })
}

/// Invariant 6: the history is a chain of allowed moves from `planned` that ends in the current status. A
/// cancelled reminder planned again with current facts (`cancelled → planned`) is one move outside
/// `can_become`, by design; a line that leaves the status as it is (what the mail system said about a
/// sent message) is the other.
pub fn legal_history(reminder: &Reminder) -> Option<String> {
    let mut at = ReminderStatus::Planned;
    for (index, step) in reminder.history.iter().enumerate() {
        let revived = step.from == ReminderStatus::Cancelled && step.to == ReminderStatus::Planned;
        let noted = step.from == step.to;
        if step.from != at || !(step.from.can_become(step.to) || revived || noted) {
            return Some(format!(
                "reminder {}: step {index} goes {} → {} after {at}",
                reminder.id, step.from, step.to
            ));
        }
        at = step.to;
    }
    (at != reminder.status).then(|| {
        format!(
            "reminder {}: history ends at {at}, status is {}",
            reminder.id, reminder.status
        )
    })
}

#[cfg(test)]
#[path = "invariants_tests.rs"]
pub(crate) mod tests;
