//! Sending approved reminders: read, ask [`verdict`], act. Each state change is a conditional write on the
//! reminder's status, so two senders never both send one reminder.

use super::WRITE_ATTEMPTS;
use super::reads::customer_of;
use crate::actor::Actor;
use crate::customer::CustomerId;
use crate::error::CoreError;
use crate::invoice::{DunningProgress, InvoiceId};
use crate::planner::advance;
use crate::policy::Policy;
use crate::ports::{Mailer, Store};
use crate::reminder::{Reminder, ReminderId};
use crate::status::ReminderStatus;
use crate::verdict::{BusinessHours, Verdict, changed_since, is_stale_claim, verdict};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use std::collections::{BTreeSet, HashMap};

/// What happened to one approved reminder in [`send_approved`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendResult {
    Sent {
        message_id: String,
    },
    /// A task-only reminder: approving it meant staff did it.
    TaskDone,
    /// Not sent: an invoice was settled or changed since approval; the next pass plans afresh.
    Cancelled {
        reason: String,
    },
    /// The provider refused it for good, or may have taken it without saying so: a person checks.
    Failed {
        reason: String,
    },
    /// A temporary failure: it stays approved and is retried next time.
    Retry {
        reason: String,
    },
    /// Another sender claimed it first.
    ClaimedElsewhere,
    /// Not sent yet: outside the customer's business hours; it stays approved.
    OutsideBusinessHours,
}

/// Send every approved reminder (and retry stale claims), at any hour. Returns each reminder's result.
pub async fn send_approved<S: Store, M: Mailer>(
    store: &S,
    mailer: &M,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<Vec<(ReminderId, Result<SendResult, CoreError>)>, CoreError> {
    send_approved_within(store, mailer, policy, now, None).await
}

/// Send every approved reminder whose customer is inside `window` now (all of them when `None`).
pub async fn send_approved_within<S: Store, M: Mailer>(
    store: &S,
    mailer: &M,
    policy: &Policy,
    now: DateTime<Utc>,
    window: Option<BusinessHours>,
) -> Result<Vec<(ReminderId, Result<SendResult, CoreError>)>, CoreError> {
    send_approved_until(store, mailer, policy, &|| now, window, None).await
}

/// A send run as deployed: each reminder is judged, claimed and recorded at the time `clock` tells when
/// the run gets to it (a paced run lasts minutes, and a claim stamped earlier than it was made looks stale
/// to the next run too soon), and none is started once `clock` reaches `deadline` (the invocation's end,
/// less a margin): those stay approved for the next run and are left out of the results.
pub async fn send_approved_until<S: Store, M: Mailer>(
    store: &S,
    mailer: &M,
    policy: &Policy,
    clock: &(dyn Fn() -> DateTime<Utc> + Sync),
    window: Option<BusinessHours>,
    deadline: Option<DateTime<Utc>>,
) -> Result<Vec<(ReminderId, Result<SendResult, CoreError>)>, CoreError> {
    let now = clock();
    let mut queue = store.reminders_with_status(ReminderStatus::Approved).await?;
    let stale: Vec<Reminder> = store
        .reminders_with_status(ReminderStatus::Sending)
        .await?
        .into_iter()
        .filter(|reminder| is_stale_claim(reminder, now))
        .collect();
    let mut results = Vec::with_capacity(queue.len() + stale.len());
    if mailer.retries_are_safe() {
        queue.extend(stale);
    } else {
        for reminder in stale {
            let reason = format!(
                "sending was interrupted and the outcome is unknown; check the mail provider's log for messages \
                 tagged reminder={} before sending it again",
                reminder.id
            );
            results.push((reminder.id.clone(), fail(store, reminder, now, reason).await));
        }
    }
    let customers: HashMap<ReminderId, CustomerId> = queue
        .iter()
        .map(|reminder| (reminder.id.clone(), reminder.customer_id.clone()))
        .collect();
    let run = Run {
        store,
        mailer,
        policy,
        clock,
        window,
        deadline,
    };
    let first = run.send_all(queue).await;
    // A reminder cancelled here (its day gone by, its figures changed) had its customer planned again at
    // once: what that left approved for today goes out in this run, not in one after their hours.
    let replanned: BTreeSet<&CustomerId> = first
        .iter()
        .filter(|(_, result)| matches!(result, Ok(SendResult::Cancelled { .. })))
        .filter_map(|(id, _)| customers.get(id))
        .collect();
    let done: BTreeSet<&ReminderId> = first
        .iter()
        .filter(|(_, result)| !matches!(result, Ok(SendResult::Cancelled { .. })))
        .map(|(id, _)| id)
        .collect();
    let mut again = Vec::new();
    for customer in replanned {
        again.extend(
            store
                .reminders_of_customer(customer)
                .await?
                .into_iter()
                .filter(|reminder| reminder.status == ReminderStatus::Approved && !done.contains(&reminder.id)),
        );
    }
    let second = run.send_all(again).await;
    results.extend(first);
    results.extend(second);
    Ok(results)
}

/// One send run: what it sends with and through, its clock, window and deadline.
struct Run<'a, S, M> {
    store: &'a S,
    mailer: &'a M,
    policy: &'a Policy,
    clock: &'a (dyn Fn() -> DateTime<Utc> + Sync),
    window: Option<BusinessHours>,
    deadline: Option<DateTime<Utc>>,
}

impl<S: Store, M: Mailer> Run<'_, S, M> {
    /// Send `queue` in order, up to the mailer's concurrency at a time; each reminder's claim keeps them
    /// apart. None is started once the clock reaches the deadline.
    async fn send_all(&self, queue: Vec<Reminder>) -> Vec<(ReminderId, Result<SendResult, CoreError>)> {
        let sends = futures::stream::iter(queue)
            .map(|reminder| async move {
                let now = (self.clock)();
                if self.deadline.is_some_and(|deadline| now >= deadline) {
                    return None;
                }
                let id = reminder.id.clone();
                let result = send_one(self.store, self.mailer, self.policy, reminder, now, self.window).await;
                Some((id, result))
            })
            .buffered(self.mailer.concurrent_sends().max(1));
        sends.filter_map(|sent| async move { sent }).collect::<Vec<_>>().await
    }
}

/// Read, judge, act. `listed` is the reminder as the run listed it; it is read again first, since a paced run
/// may reach it minutes later, after it was voided and planned again with other content.
pub async fn send_one<S: Store, M: Mailer>(
    store: &S,
    mailer: &M,
    policy: &Policy,
    listed: Reminder,
    now: DateTime<Utc>,
    window: Option<BusinessHours>,
) -> Result<SendResult, CoreError> {
    let Some(mut reminder) = store.reminder(&listed.id).await? else {
        return Ok(SendResult::ClaimedElsewhere);
    };
    if reminder.status != listed.status {
        return Ok(SendResult::ClaimedElsewhere);
    }
    let customer = customer_of(store, &reminder).await?;
    let invoices = store.invoices(&reminder.invoice_ids()).await?;
    let (email, local_date) = match verdict(&reminder, &customer, &invoices, now, window)? {
        Verdict::Wait => return Ok(SendResult::OutsideBusinessHours),
        Verdict::Cancel(reason) => return cancel(store, policy, reminder, now, reason).await,
        Verdict::TaskDone { local_date } => {
            // Claimed like a message (approved → sending → sent), so two runs cannot both finish it.
            if let Some(taken) = claim(store, &mut reminder, now).await? {
                return Ok(taken);
            }
            reminder.sent_on = Some(local_date);
            let progress = advance(policy, &reminder, &invoices, local_date, true);
            let review = reminder.is_payment_review().then(|| reminder.clone());
            let done = finish(
                store,
                reminder,
                ReminderStatus::Sent,
                now,
                Some("task done".into()),
                &progress,
            )
            .await?;
            if let (None, Some(review)) = (&done, review) {
                super::payments::release_holds(store, policy, &review, now).await?;
            }
            return Ok(done.unwrap_or(SendResult::TaskDone));
        }
        Verdict::Send { email, local_date } => (email, local_date),
    };
    if let Some(taken) = claim(store, &mut reminder, now).await? {
        return Ok(taken);
    }
    if let Some(reason) = changed_since(&invoices, &store.invoices(&reminder.invoice_ids()).await?) {
        return cancel(store, policy, reminder, now, reason).await;
    }
    match mailer.send(&email).await {
        Ok(message_id) => {
            reminder.sent_message_id = Some(message_id.clone());
            reminder.sent_on = Some(local_date);
            record_sent(store, policy, reminder, now).await?;
            Ok(SendResult::Sent { message_id })
        }
        Err(CoreError::MailRejected(reason)) => fail(store, reminder, now, reason).await,
        Err(CoreError::MailUnknown(reason)) => {
            let reason = format!(
                "the mail provider may have accepted the message ({reason}); check its log for messages tagged \
                 reminder={} before sending it again",
                reminder.id
            );
            fail(store, reminder, now, reason).await
        }
        Err(CoreError::MailTemporary(reason)) => finish(
            store,
            reminder,
            ReminderStatus::Approved,
            now,
            Some(reason.clone()),
            &[],
        )
        .await
        .map(|done| done.unwrap_or(SendResult::Retry { reason })),
        Err(other) => Err(other),
    }
}

/// Claim an approved reminder for this run (approved → sending, conditional on approved); a stale claim
/// being retried is claimed already. `Some(result)` when another run or a payment took it meanwhile.
async fn claim<S: Store>(
    store: &S,
    reminder: &mut Reminder,
    now: DateTime<Utc>,
) -> Result<Option<SendResult>, CoreError> {
    if reminder.status != ReminderStatus::Approved {
        return Ok(None);
    }
    reminder.transition(ReminderStatus::Sending, now, &Actor::System, None)?;
    match store.update_reminder(reminder, ReminderStatus::Approved, &[]).await {
        Err(CoreError::Conflict(_)) => taken_meanwhile(store, &reminder.id).await.map(Some),
        other => other.map(|()| None),
    }
}

/// What became of a reminder whose claim failed: voided meanwhile (a payment, an invoice change), or
/// claimed by another sender.
async fn taken_meanwhile<S: Store>(store: &S, id: &ReminderId) -> Result<SendResult, CoreError> {
    let Some(reminder) = store.reminder(id).await? else {
        return Ok(SendResult::ClaimedElsewhere);
    };
    Ok(match reminder.status {
        ReminderStatus::Cancelled => SendResult::Cancelled {
            reason: reminder
                .history
                .last()
                .and_then(|step| step.note.clone())
                .unwrap_or_default(),
        },
        _ => SendResult::ClaimedElsewhere,
    })
}

/// Record a message that left: `sending → sent` with the ladder moved on for its invoices. The message is
/// out, so a conflict (a payment writing an invoice in the same instant) is not the end: read the
/// invoices again and retry while the reminder is still this sender's claim.
async fn record_sent<S: Store>(
    store: &S,
    policy: &Policy,
    mut reminder: Reminder,
    now: DateTime<Utc>,
) -> Result<(), CoreError> {
    let local_date = reminder.sent_on.unwrap_or(reminder.planned_for);
    reminder.transition(ReminderStatus::Sent, now, &Actor::System, None)?;
    for _ in 0..WRITE_ATTEMPTS {
        let invoices = store.invoices(&reminder.invoice_ids()).await?;
        let progress = advance(policy, &reminder, &invoices, local_date, true);
        match store
            .update_reminder(&reminder, ReminderStatus::Sending, &progress)
            .await
        {
            Err(CoreError::Conflict(_)) => {}
            other => return other,
        }
        let current = store.reminder(&reminder.id).await?.map(|stored| stored.status);
        if current != Some(ReminderStatus::Sending) {
            break;
        }
    }
    Err(CoreError::Conflict(format!(
        "reminder {} went out (message {}) but could not be recorded as sent; it stays claimed, and a later run \
         marks it for a person to check",
        reminder.id,
        reminder.sent_message_id.as_deref().unwrap_or("unknown")
    )))
}

/// Stop a reminder the sender holds: it must not go out. What was wrong with it (a day gone by, a changed
/// or partly paid invoice, a pause...) may still leave something owed today, so its customer is planned
/// again at once rather than at the next pass, which may come after their business hours.
async fn cancel<S: Store>(
    store: &S,
    policy: &Policy,
    reminder: Reminder,
    now: DateTime<Utc>,
    reason: String,
) -> Result<SendResult, CoreError> {
    let customer_id = reminder.customer_id.clone();
    let note = Some(reason.clone());
    if let Some(taken) = finish(store, reminder, ReminderStatus::Cancelled, now, note, &[]).await? {
        return Ok(taken);
    }
    super::plans::replan_customer(store, policy, &customer_id, now).await?;
    Ok(SendResult::Cancelled { reason })
}

/// Mark a reminder failed for a person to check, with the reason.
async fn fail<S: Store>(
    store: &S,
    mut reminder: Reminder,
    now: DateTime<Utc>,
    reason: String,
) -> Result<SendResult, CoreError> {
    reminder.failure = Some(reason.clone());
    finish(store, reminder, ReminderStatus::Failed, now, Some(reason.clone()), &[])
        .await
        .map(|done| done.unwrap_or(SendResult::Failed { reason }))
}

/// Move the reminder from the status it has to `to`, with the covered invoices' `progress`, conditional on
/// that status. `Some(ClaimedElsewhere)` when another sender changed it first; `None` when written.
async fn finish<S: Store>(
    store: &S,
    mut reminder: Reminder,
    to: ReminderStatus,
    now: DateTime<Utc>,
    note: Option<String>,
    progress: &[(InvoiceId, DunningProgress)],
) -> Result<Option<SendResult>, CoreError> {
    let expected = reminder.status;
    reminder.transition(to, now, &Actor::System, note)?;
    match store.update_reminder(&reminder, expected, progress).await {
        Err(CoreError::Conflict(_)) => Ok(Some(SendResult::ClaimedElsewhere)),
        other => other.map(|()| None),
    }
}
