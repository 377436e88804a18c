//! The mail system's feedback about sent messages ([`crate::feedback`]): record it against its reminder and
//! act on it by the rules of [`crate::deliverability`] — an address that bounced or complained is no longer
//! written to, a message that reached nobody is undelivered and no longer counts as said, and staff fix
//! the contact so the stage goes out again, to the new address, once. A reply becomes the customer's
//! answer: a person's holds their reminders until someone has read it, an out-of-office note until its
//! person is back. A complaint is one too, holding the customer until a person has looked.
//!
//! Every effect repeats safely, and the notification is entered in the event ledger only after them: one
//! delivered twice, or again after a crash, changes nothing twice.

use super::invoices::{void_waiting, write_customer};
use crate::actor::Actor;
use crate::answer::{Answer, AnswerKind, new_answer};
use crate::customer::{Contact, Customer, CustomerId};
use crate::deliverability::{effect_of, progress_without};
use crate::error::CoreError;
use crate::feedback::{MailEvent, MailEventKind, Reply};
use crate::policy::Policy;
use crate::ports::Store;
use crate::reminder::{Reminder, ReminderId, Transition};
use crate::status::ReminderStatus;
use chrono::{DateTime, Duration, Utc};

/// How long a notification's id is remembered: far longer than any mail system redelivers one.
const REMEMBERED_DAYS: i64 = 90;

/// What came of one piece of feedback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedbackOutcome {
    /// Recorded against the reminder; `undelivered` when the message reached nobody.
    Recorded {
        reminder: ReminderId,
        customer: CustomerId,
        undelivered: bool,
        /// Addresses no longer written to since this notification.
        blocked: Vec<String>,
    },
    /// A reply to the reminder, recorded as the customer's answer (a person reads it; an out-of-office
    /// note holds the customer until its person is back).
    Replied {
        reminder: ReminderId,
        customer: CustomerId,
        answer: Box<Answer>,
    },
    /// Heard before: nothing changed.
    Repeated,
    /// It names no reminder kindly knows; nothing changed.
    Unmatched,
}

/// Record `event` and act on it.
pub async fn record_mail_event<S: Store>(
    store: &S,
    policy: &Policy,
    event: &MailEvent,
    now: DateTime<Utc>,
) -> Result<FeedbackOutcome, CoreError> {
    let ledger = format!("mail:{}", event.event_id);
    if store.event_recorded(&ledger, now).await? {
        return Ok(FeedbackOutcome::Repeated);
    }
    let Some(key) = &event.reminder else {
        return Ok(FeedbackOutcome::Unmatched);
    };
    // A Message-ID names the message's send key: a message sent again carries its round.
    let id = ReminderId::of_send_key(&key.0);
    let Some(mut reminder) = store.reminder(&id).await? else {
        return Ok(FeedbackOutcome::Unmatched);
    };
    let Some(customer) = store.customer(&reminder.customer_id).await? else {
        return Ok(FeedbackOutcome::Unmatched);
    };
    if let MailEventKind::Replied(reply) = &event.kind {
        let answer = record_reply(store, policy, event, &reminder, &customer, reply, now).await?;
        store
            .record_event(&ledger, now + Duration::days(REMEMBERED_DAYS), now)
            .await?;
        return Ok(FeedbackOutcome::Replied {
            reminder: reminder.id,
            customer: customer.id,
            answer: Box::new(answer),
        });
    }
    let effect = effect_of(policy, event, &reminder, &customer);
    let undelivered = effect.undelivered.is_some() && reminder.status == ReminderStatus::Sent;
    if let Some(note) = effect.undelivered.filter(|_| undelivered) {
        reminder.transition(ReminderStatus::Undelivered, now, &Actor::System, Some(note))?;
        let invoices = store.invoices(&reminder.invoice_ids()).await?;
        let others = store.reminders_of_customer(&reminder.customer_id).await?;
        let progress = progress_without(policy, &reminder, &invoices, &others);
        store
            .update_reminder(&reminder, ReminderStatus::Sent, &progress)
            .await?;
    } else if let Some(note) = effect.note.filter(|note| !already_noted(&reminder, note)) {
        let expected = reminder.status;
        reminder.history.push(Transition {
            from: expected,
            to: expected,
            at: now,
            by: Actor::System,
            note: Some(note),
        });
        store.update_reminder(&reminder, expected, &[]).await?;
    }
    // A complaint is also a task: a person looks at the customer before kindly writes to them again.
    if let MailEventKind::Complained {
        recipients,
        feedback_type,
    } = &event.kind
    {
        let kind = AnswerKind::Complaint {
            email: recipients.join(", "),
            feedback_type: feedback_type.clone(),
        };
        record_from_mail(store, policy, event, &reminder, &customer, kind, now).await?;
    }
    let blocked = match &effect.customer {
        Some(changed) => {
            let newly_blocked = changed
                .billing_contacts
                .iter()
                .chain(changed.escalation_contact.iter())
                .filter(|contact| contact.bounced)
                .filter(|contact| !was_blocked(&customer, contact))
                .map(|contact| contact.email.clone())
                .collect();
            // Drafts waiting to go to a blocked address are void and planned again without it.
            write_customer(store, policy, changed, now).await?;
            newly_blocked
        }
        None => Vec::new(),
    };
    store
        .record_event(&ledger, now + Duration::days(REMEMBERED_DAYS), now)
        .await?;
    Ok(FeedbackOutcome::Recorded {
        reminder: reminder.id,
        customer: customer.id,
        undelivered,
        blocked,
    })
}

/// Record `reply` to `reminder` as `customer`'s answer ([`record_from_mail`]).
async fn record_reply<S: Store>(
    store: &S,
    policy: &Policy,
    event: &MailEvent,
    reminder: &Reminder,
    customer: &Customer,
    reply: &Reply,
    now: DateTime<Utc>,
) -> Result<Answer, CoreError> {
    let written_on = event.at.with_timezone(&customer.time_zone).date_naive();
    let kind = match &reply.automatic {
        None => AnswerKind::Reply {
            from: reply.from.clone(),
            subject: reply.subject.clone(),
            text: reply.text.clone(),
        },
        Some(auto) => AnswerKind::AutoReply {
            from: reply.from.clone(),
            subject: reply.subject.clone(),
            returns_on: auto.returns_on.filter(|day| auto.out_of_office && *day >= written_on),
        },
    };
    record_from_mail(store, policy, event, reminder, customer, kind, now).await
}

/// Record what came by mail about `reminder` as `customer`'s answer of `kind`, once (its id comes from the
/// notification's), and while it holds the customer, void the ladder drafts waiting for them.
async fn record_from_mail<S: Store>(
    store: &S,
    policy: &Policy,
    event: &MailEvent,
    reminder: &Reminder,
    customer: &Customer,
    kind: AnswerKind,
    now: DateTime<Utc>,
) -> Result<Answer, CoreError> {
    let written_on = event.at.with_timezone(&customer.time_zone).date_naive();
    let answer = new_answer(
        policy,
        &customer.id,
        &reminder.id,
        &event.event_id,
        Vec::new(),
        kind,
        event.at,
        written_on,
        customer.calendar(),
    )?;
    store.insert_answer(&answer).await?;
    let stored = store.answer(&answer.id).await?.unwrap_or(answer);
    let today = now.with_timezone(&customer.time_zone).date_naive();
    if stored.holds_customer_on(today) {
        let reason = format!("the customer wrote back ({}); the draft waits", stored.kind.name());
        void_waiting(store, &customer.id, now, &reason, |waiting| !waiting.is_off_ladder()).await?;
    }
    Ok(stored)
}

/// Whether the history has the line already: the same notification heard again after an invocation that
/// wrote it crashed before the ledger entry.
fn already_noted(reminder: &Reminder, note: &str) -> bool {
    reminder.history.iter().any(|step| step.note.as_deref() == Some(note))
}

fn was_blocked(customer: &Customer, contact: &Contact) -> bool {
    customer
        .billing_contacts
        .iter()
        .chain(customer.escalation_contact.iter())
        .any(|old| old.email.eq_ignore_ascii_case(&contact.email) && old.bounced)
}

/// Staff replace the address `old` of customer `customer` (a billing or escalation contact) with `new`,
/// recorded under `by`: the new address starts with a clean standing (the old billing address stays on
/// the customer, blocked), and every undelivered message to
/// the customer is let go (cancelled, with who and why), so the next pass plans its stage again — to the
/// new address, once. Refuses an address that is not an email, and an `old` the customer does not have.
pub async fn fix_contact<S: Store>(
    store: &S,
    policy: &Policy,
    customer: &CustomerId,
    old: &str,
    new: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Vec<ReminderId>, CoreError> {
    let mut stored = store.customer(customer).await?.ok_or_else(|| CoreError::NotFound {
        what: "customer",
        id: customer.0.clone(),
    })?;
    let new = new.trim();
    if let Some(problem) = crate::customer::email_problem(new) {
        return Err(CoreError::InvalidField {
            record: "contact",
            id: customer.0.clone(),
            field: "email",
            problem: problem.to_owned(),
        });
    }
    let same = |contact: &Contact| contact.email.eq_ignore_ascii_case(old);
    let fresh = |contact: &Contact| Contact {
        email: new.to_owned(),
        bounced: false,
        standing: Default::default(),
        ..contact.clone()
    };
    // A billing contact's new address joins the list and the blocked one stays there, blocked: its
    // standing is remembered, so an accounting copy still naming it cannot unblock it.
    let billing: Vec<Contact> = stored.billing_contacts.iter().filter(|c| same(c)).map(fresh).collect();
    let mut found = !billing.is_empty();
    for contact in billing {
        match stored
            .billing_contacts
            .iter_mut()
            .find(|c| c.email.eq_ignore_ascii_case(new))
        {
            Some(existing) => *existing = contact,
            None => stored.billing_contacts.push(contact),
        }
    }
    if let Some(escalation) = stored.escalation_contact.as_mut().filter(|c| same(c)) {
        *escalation = fresh(escalation);
        found = true;
    }
    if !found {
        return Err(CoreError::InvalidField {
            record: "contact",
            id: customer.0.clone(),
            field: "old",
            problem: format!("{customer} has no contact {old}"),
        });
    }
    let let_go = let_go_undelivered(
        store,
        customer,
        &format!("contact fixed by {by}: {old} → {new}"),
        by,
        now,
    )
    .await?;
    write_customer(store, policy, &stored, now).await?;
    super::plans::replan_customer(store, policy, customer, now).await?;
    Ok(let_go)
}

/// Cancel every undelivered message to `customer` with `note`: its stage is planned again by the next pass.
pub async fn let_go_undelivered<S: Store>(
    store: &S,
    customer: &CustomerId,
    note: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Vec<ReminderId>, CoreError> {
    let mut let_go = Vec::new();
    for mut reminder in store.reminders_of_customer(customer).await? {
        if reminder.status != ReminderStatus::Undelivered {
            continue;
        }
        reminder.transition(
            ReminderStatus::Cancelled,
            now,
            &Actor::person(by),
            Some(note.to_owned()),
        )?;
        match store.update_reminder(&reminder, ReminderStatus::Undelivered, &[]).await {
            Ok(()) => let_go.push(reminder.id),
            Err(CoreError::Conflict(_)) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(let_go)
}
