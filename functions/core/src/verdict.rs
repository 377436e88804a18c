//! The send-time rules in one pure function: whether an approved reminder may go out now, judged on the
//! customer and the invoices as read just before sending. The sender only reads, asks [`verdict`], and acts
//! on the answer; every rule is here and tested without a store or a mailbox.

pub use crate::calendar::BusinessHours;
use crate::customer::Customer;
use crate::error::CoreError;
use crate::invoice::{Invoice, InvoiceId, InvoiceStatus};
use crate::money::format_money;
use crate::ports::OutgoingEmail;
use crate::reminder::{Draft, Reminder};
use crate::status::ReminderStatus;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::HashMap;

/// How long a claim may sit in `sending` before a later run assumes the sender died. It is retried only
/// where the mailer says retries are safe (the outbox); with a provider that could have delivered already
/// (SES), the reminder is marked failed for a person to check, so nobody is ever reminded twice.
pub const STALE_CLAIM: Duration = Duration::minutes(15);

/// Whether a reminder claimed by a sender (`sending`) has been left there longer than [`STALE_CLAIM`].
pub fn is_stale_claim(reminder: &Reminder, now: DateTime<Utc>) -> bool {
    reminder.status == ReminderStatus::Sending && reminder.history.last().is_none_or(|step| now - step.at > STALE_CLAIM)
}

/// What to do with a reminder a sender holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Not now: outside the customer's business hours. It stays approved.
    Wait,
    /// It must not go out; the reason goes into its history. The next pass plans afresh.
    Cancel(String),
    /// A task for staff, not a message: approving it meant staff did it. `local_date` is the customer's.
    TaskDone { local_date: NaiveDate },
    /// Send exactly this; `local_date` is the customer's, recorded as the day it went out.
    Send {
        email: Box<OutgoingEmail>,
        local_date: NaiveDate,
    },
}

/// Judge `reminder` for `customer` at `now`, on `invoices` (the covered ones, freshly read; any order),
/// within `hours` (any hour when `None`). The rules, in order:
/// - before the customer-local day it was planned for, or outside the customer's business hours, it waits;
/// - an address it goes to (to or cc) that bounced or complained since it was drafted cancels it, whatever
///   it is (an acknowledgement too): kindly does not write there again;
/// - a paused customer, an invoice gone, moved to another customer, settled, disputed or payment-pending,
///   held by a customer's answer, or a balance other than the draft shows, cancels it (a thank-you wants its
///   invoices paid instead);
/// - an auto-approved reminder not sent on the customer-local day it was planned for is cancelled: its
///   figures ("due today", "3 days overdue") were true that day, and the next pass plans again;
/// - a task is done by its approval;
/// - a message that no longer renders to the approved content hash is cancelled;
/// - otherwise it is sent.
pub fn verdict(
    reminder: &Reminder,
    customer: &Customer,
    invoices: &[Invoice],
    now: DateTime<Utc>,
    hours: Option<BusinessHours>,
) -> Result<Verdict, CoreError> {
    let local_date = now.with_timezone(&customer.time_zone).date_naive();
    let before_its_day = local_date < reminder.planned_for && !reminder.is_reply();
    let hours = customer.sending_hours(hours);
    let outside_hours = hours.is_some_and(|hours| !hours.contains(customer.calendar(), customer.time_zone, now));
    if before_its_day || outside_hours {
        return Ok(Verdict::Wait);
    }
    if let Some(reason) = why_not_send(reminder, invoices, customer, local_date) {
        return Ok(Verdict::Cancel(reason));
    }
    let auto_approved = reminder.approval.as_ref().is_some_and(|a| a.by.is_system());
    if auto_approved && local_date != reminder.planned_for && !reminder.is_reply() {
        return Ok(Verdict::Cancel(format!(
            "planned for {}, not sent that day",
            reminder.planned_for
        )));
    }
    let Some(draft) = &reminder.draft else {
        return Ok(Verdict::TaskDone { local_date });
    };
    let rendered = kindly_render::render(&draft.context)?;
    let approved_hash = reminder.approval.as_ref().map(|a| a.content_hash.as_str());
    if approved_hash != Some(rendered.content_hash.as_str()) {
        return Ok(Verdict::Cancel(
            "the message no longer renders to the approved content".into(),
        ));
    }
    Ok(Verdict::Send {
        email: Box::new(outgoing(reminder, draft, rendered)),
        local_date,
    })
}

/// The email of `reminder`, whose `draft` rendered to `rendered`: what the mailer is handed. The same
/// function serves a message rendered again from its stored draft (a hand-over's dossier), so the two
/// cannot drift apart.
pub fn outgoing(reminder: &Reminder, draft: &Draft, rendered: kindly_render::RenderedMessage) -> OutgoingEmail {
    OutgoingEmail {
        idempotency_key: reminder.send_key(),
        from: draft.context.from.clone(),
        reply_to: draft.context.reply_to.clone(),
        to: draft.context.to.clone(),
        cc: draft.context.cc.clone(),
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        tags: vec![
            ("reminder".into(), reminder.id.0.clone()),
            ("stage".into(), reminder.stage_id.clone()),
            ("customer".into(), reminder.customer_id.0.clone()),
        ],
    }
}

/// The last look before a message leaves: `Some(reason)` when any covered invoice was written since
/// `read` (every write moves an invoice's revision on), so a payment that landed meanwhile cancels the send.
pub fn changed_since(read: &[Invoice], now: &[Invoice]) -> Option<String> {
    let revisions = |invoices: &[Invoice]| -> Vec<(InvoiceId, u64)> {
        let mut revisions: Vec<_> = invoices
            .iter()
            .map(|invoice| (invoice.id.clone(), invoice.bookkeeping.revision))
            .collect();
        revisions.sort();
        revisions
    };
    (revisions(read) != revisions(now)).then(|| "an invoice changed while the message was being sent".to_owned())
}

/// Why the reminder must not go out, judged on freshly read facts.
/// An address the draft goes to (to or cc) that the customer's contacts now block. A draft waiting when the
/// address was blocked is voided then; this is the last look, for one whose void lost a race or that stays
/// through a customer's change (an acknowledgement).
pub(crate) fn blocked_address<'a>(reminder: &'a Reminder, customer: &Customer) -> Option<&'a str> {
    let draft = reminder.draft.as_ref()?;
    draft
        .context
        .to
        .iter()
        .chain(&draft.context.cc)
        .map(|mailbox| mailbox.email.as_str())
        .find(|email| customer.blocks(email))
}

fn why_not_send(
    reminder: &Reminder,
    invoices: &[Invoice],
    customer: &Customer,
    local_date: NaiveDate,
) -> Option<String> {
    if !reminder.is_reply() && customer.is_paused_on(local_date) {
        return Some("the customer is paused".into());
    }
    if let Some(address) = blocked_address(reminder, customer) {
        return Some(format!("{address} {}", crate::reminder::BLOCKED_ADDRESS));
    }
    // An acknowledgement answers the customer: it goes out whatever its invoices came to meanwhile.
    if reminder.is_acknowledgement() {
        return None;
    }
    let by_id: HashMap<_, _> = invoices.iter().map(|invoice| (&invoice.id, invoice)).collect();
    for covered in &reminder.covers {
        let Some(invoice) = by_id.get(&covered.invoice_id) else {
            return Some(format!("invoice {} no longer exists", covered.invoice_id));
        };
        if invoice.customer_id != reminder.customer_id {
            return Some(format!(
                "invoice {} now belongs to customer {}",
                invoice.number, invoice.customer_id
            ));
        }
        if reminder.is_thank_you() {
            if invoice.status != InvoiceStatus::Paid {
                return Some(format!(
                    "invoice {} is now {}, no longer paid",
                    invoice.number,
                    invoice.status.as_str()
                ));
            }
            continue;
        }
        // A payment review is about the held invoice: it is done whatever the invoice's state.
        if reminder.is_payment_review() {
            continue;
        }
        if invoice.is_held() {
            return Some(format!("invoice {} is held for a payment review", invoice.number));
        }
        // The customer answered (a promise, a dispute, a claimed payment) after this was drafted.
        let answered = invoice
            .bookkeeping
            .hold
            .as_ref()
            .filter(|hold| hold.holds_on(local_date));
        // A discount note asks for payment too: it waits like a ladder message.
        if let Some(hold) = answered
            && (!reminder.is_off_ladder() || reminder.is_discount_note())
        {
            return Some(format!(
                "invoice {} waits on the customer's answer ({})",
                invoice.number, hold.kind
            ));
        }
        // A plan's note is about invoices off the ladder on a running plan, and only while they are.
        let due = if reminder.is_plan_note() {
            invoice.status == InvoiceStatus::OnPaymentPlan && invoice.on_running_plan() && !invoice.balance().is_zero()
        } else {
            invoice.is_remindable()
        };
        if !due {
            return Some(format!("invoice {} is now {}", invoice.number, invoice.status.as_str()));
        }
        if reminder.is_discount_note()
            && crate::discount::open_offer(invoice, customer.calendar(), local_date).is_none()
        {
            return Some(format!(
                "the early-payment discount on invoice {} is no longer open",
                invoice.number
            ));
        }
        let shown = reminder
            .draft
            .as_ref()
            .and_then(|draft| draft.context.invoices.iter().find(|line| line.number == invoice.number));
        if let Some(line) = shown
            && line.balance != format_money(invoice.balance(), invoice.currency, &customer.locale)
        {
            return Some(format!(
                "the balance of invoice {} changed since the draft",
                invoice.number
            ));
        }
    }
    None
}

#[cfg(test)]
#[path = "verdict_tests.rs"]
mod tests;
