//! Review by staff: approve a draft exactly as it renders, approve a set all or nothing, skip, snooze.
//! Every step is recorded under the person who took it.

use super::reads::{customer_of, load, load_waiting};
use crate::actor::Actor;
use crate::error::CoreError;
use crate::invoice::{DunningProgress, InvoiceId};
use crate::limits;
use crate::planner::advance;
use crate::policy::Policy;
use crate::ports::{MAX_BATCH, Store};
use crate::reminder::{Reminder, ReminderId};
use crate::status::ReminderStatus;
use chrono::{DateTime, NaiveDate, Utc};

/// Approve a draft exactly as it renders now. `content_hash` is what the approver saw; if the server's
/// render differs, nothing changes and [`CoreError::StaleApproval`] says why. A `personal_note` is set
/// on the draft first, so the hash covers it.
pub async fn approve<S: Store>(
    store: &S,
    id: &ReminderId,
    by: &str,
    content_hash: &str,
    personal_note: Option<String>,
    now: DateTime<Utc>,
) -> Result<Reminder, CoreError> {
    limits::check_personal_note(&id.0, personal_note.as_deref())?;
    let reminder = approved(
        load(store, id).await?,
        &Actor::person(by),
        content_hash,
        personal_note,
        now,
    )?;
    store
        .update_reminder(&reminder, ReminderStatus::PendingApproval, &[])
        .await?;
    Ok(reminder)
}

/// Approve a set of drafts (no notes) all or nothing: each is read once and checked against its hash, and
/// only if every one passes are they approved, in one atomic write ([`Store::update_reminders`]; a draft
/// that changed after it was read fails the set). At most [`MAX_BATCH`] at once. `Ok(Err(refusals))` names each draft that did not pass and
/// why; nothing was written then.
pub async fn approve_all<S: Store>(
    store: &S,
    items: &[(ReminderId, String)],
    by: &str,
    now: DateTime<Utc>,
) -> Result<Result<Vec<ReminderId>, Vec<(ReminderId, CoreError)>>, CoreError> {
    if items.len() > MAX_BATCH {
        return Err(CoreError::InvalidField {
            record: "approval",
            id: format!("{} drafts", items.len()),
            field: "items",
            problem: format!("approve at most {MAX_BATCH} drafts at once (narrow the list first)"),
        });
    }
    let by = Actor::person(by);
    let mut ready = Vec::with_capacity(items.len());
    let mut refused = Vec::new();
    for (id, content_hash) in items {
        match approved(load(store, id).await?, &by, content_hash, None, now) {
            Ok(reminder) => ready.push(reminder),
            Err(error @ (CoreError::WrongStatus { .. } | CoreError::StaleApproval { .. })) => {
                refused.push((id.clone(), error));
            }
            Err(other) => return Err(other),
        }
    }
    if !refused.is_empty() {
        return Ok(Err(refused));
    }
    // All or nothing: a draft that changed since it was read fails the whole set, and nothing is approved.
    let updates: Vec<(Reminder, ReminderStatus)> = ready
        .into_iter()
        .map(|reminder| (reminder, ReminderStatus::PendingApproval))
        .collect();
    store.update_reminders(&updates).await?;
    Ok(Ok(updates.into_iter().map(|(reminder, _)| reminder.id).collect()))
}

/// `reminder` approved by `by` for exactly `content_hash` (with `personal_note` set first, so the hash
/// covers it), or why not: it is not pending approval, or it no longer renders to that hash. Pure.
fn approved(
    mut reminder: Reminder,
    by: &Actor,
    content_hash: &str,
    personal_note: Option<String>,
    now: DateTime<Utc>,
) -> Result<Reminder, CoreError> {
    let id = reminder.id.clone();
    if reminder.status != ReminderStatus::PendingApproval {
        return Err(CoreError::WrongStatus {
            id: id.0,
            status: reminder.status,
            action: "approving",
            needed: "pending_approval",
        });
    }
    if let Some(draft) = &mut reminder.draft {
        if personal_note.is_some() {
            draft.context.personal_note = kindly_render::personal_note(personal_note);
        }
        let current = kindly_render::render(&draft.context)?.content_hash;
        if current != content_hash {
            return Err(CoreError::StaleApproval {
                id: id.0.clone(),
                approved: content_hash.to_owned(),
                current,
            });
        }
        draft.content_hash = current.clone();
        reminder.approval = Some(crate::reminder::ApprovalRecord {
            by: by.clone(),
            at: now,
            content_hash: current,
        });
    }
    reminder.transition(ReminderStatus::Approved, now, by, None)?;
    Ok(reminder)
}

/// Decide not to send a reminder. The ladder moves past its stage for the covered invoices, so the
/// customer is not asked again at the same stage. Skipping a payment review releases its hold.
pub async fn skip<S: Store>(
    store: &S,
    policy: &Policy,
    id: &ReminderId,
    by: &str,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<Reminder, CoreError> {
    limits::check_reason(&id.0, reason.as_deref())?;
    let mut reminder = load_waiting(store, id, "skipping").await?;
    let expected = reminder.status;
    let customer = customer_of(store, &reminder).await?;
    let invoices = store.invoices(&reminder.invoice_ids()).await?;
    let reason = reason
        .map(|reason| reason.trim().to_owned())
        .filter(|reason| !reason.is_empty());
    reminder.transition(ReminderStatus::Skipped, now, &Actor::person(by), reason)?;
    let local_date = now.with_timezone(&customer.time_zone).date_naive();
    let progressed = advance(policy, &reminder, &invoices, local_date, false);
    store.update_reminder(&reminder, expected, &progressed).await?;
    // Dismissing a payment review ends it as doing it would: a hold nobody can lift any more would keep
    // the invoice from its reminders for good.
    if reminder.is_payment_review() {
        super::payments::release_holds(store, policy, &reminder, now).await?;
    }
    Ok(reminder)
}

/// Hold a draft until `until`, a later day in the customer's calendar. The draft is cancelled and its
/// invoices are not reminded before that day; then the pass drafts them again with that day's facts (the
/// same plan revives the same reminder). The ladder does not move.
pub async fn snooze<S: Store>(
    store: &S,
    policy: &Policy,
    id: &ReminderId,
    by: &str,
    until: NaiveDate,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<Reminder, CoreError> {
    limits::check_reason(&id.0, reason.as_deref())?;
    let mut reminder = load_waiting(store, id, "snoozing").await?;
    if reminder.is_thank_you() {
        return Err(CoreError::InvalidField {
            record: "snooze",
            id: id.0.clone(),
            field: "reminder",
            problem: "is a thank-you; snoozing holds back reminders of unpaid invoices (skip it instead)".into(),
        });
    }
    let expected = reminder.status;
    let customer = customer_of(store, &reminder).await?;
    let today = now.with_timezone(&customer.time_zone).date_naive();
    if until <= today {
        return Err(CoreError::InvalidField {
            record: "snooze",
            id: id.0.clone(),
            field: "until",
            problem: format!("must be after the customer's today ({today})"),
        });
    }
    let invoices = store.invoices(&reminder.invoice_ids()).await?;
    let note = match reason {
        Some(reason) if !reason.trim().is_empty() => format!("snoozed until {until}: {}", reason.trim()),
        _ => format!("snoozed until {until}"),
    };
    reminder.transition(ReminderStatus::Cancelled, now, &Actor::person(by), Some(note))?;
    let snoozed: Vec<(InvoiceId, DunningProgress)> = invoices
        .iter()
        .map(|invoice| {
            let mut held = invoice.clone();
            held.dunning.snoozed_until = Some(until);
            held.dunning.next_action_on = policy.next_action_on(&held);
            (held.id, held.dunning)
        })
        .collect();
    store.update_reminder(&reminder, expected, &snoozed).await?;
    Ok(reminder)
}

/// How a person resolved a failed reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// It went out after all (the mail provider's log shows it): recorded as sent, the ladder moves on.
    WentOut,
    /// It did not go out: cancelled, so the next pass plans it again with that day's facts.
    NotSent,
}

/// Resolve a failed reminder, which holds its customer's ladder until a person says whether it went out.
pub async fn resolve<S: Store>(
    store: &S,
    policy: &Policy,
    id: &ReminderId,
    by: &str,
    resolution: Resolution,
    note: Option<String>,
    now: DateTime<Utc>,
) -> Result<Reminder, CoreError> {
    limits::check_reason(&id.0, note.as_deref())?;
    let mut reminder = load(store, id).await?;
    if reminder.status != ReminderStatus::Failed {
        return Err(CoreError::WrongStatus {
            id: id.0.clone(),
            status: reminder.status,
            action: "resolving",
            needed: "failed",
        });
    }
    let note = note.map(|note| note.trim().to_owned()).filter(|note| !note.is_empty());
    let by = Actor::person(by);
    let progress = match resolution {
        Resolution::WentOut => {
            let customer = customer_of(store, &reminder).await?;
            let invoices = store.invoices(&reminder.invoice_ids()).await?;
            // The day it failed is the day it went out, as far as anyone can tell.
            let failed_at = reminder.history.last().map_or(now, |step| step.at);
            let local_date = failed_at.with_timezone(&customer.time_zone).date_naive();
            reminder.sent_on = Some(local_date);
            let note = note.unwrap_or_else(|| "resolved: it went out".into());
            reminder.transition(ReminderStatus::Sent, now, &by, Some(note))?;
            advance(policy, &reminder, &invoices, local_date, true)
        }
        Resolution::NotSent => {
            let note = note.unwrap_or_else(|| "resolved: it did not go out; planned again".into());
            reminder.transition(ReminderStatus::Cancelled, now, &by, Some(note))?;
            if reminder.is_reply() {
                queue_again(&mut reminder, now)?;
            }
            Vec::new()
        }
    };
    store
        .update_reminder(&reminder, ReminderStatus::Failed, &progress)
        .await?;
    Ok(reminder)
}

/// A thank-you or an acknowledgement that did not go out is queued again as it was: no pass plans one (it
/// is queued when the payment or the answer arrives), so a cancelled one would never be said. Its content
/// is the one approved, so it goes out approved (or waits for approval, if it never had one).
fn queue_again(reminder: &mut Reminder, now: DateTime<Utc>) -> Result<(), CoreError> {
    reminder.history.push(crate::reminder::Transition {
        from: ReminderStatus::Cancelled,
        to: ReminderStatus::Planned,
        at: now,
        by: Actor::System,
        note: Some("queued again: no pass plans a reply to the customer".into()),
    });
    reminder.status = ReminderStatus::Planned;
    reminder.failure = None;
    let to = match reminder.approval {
        Some(_) => ReminderStatus::Approved,
        None => ReminderStatus::PendingApproval,
    };
    reminder.transition(to, now, &Actor::System, None)
}
