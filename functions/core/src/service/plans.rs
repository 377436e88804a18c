//! Planning and storing drafts, shared by the pass and by every change that plans a customer again: what
//! the planner decides becomes stored reminders (approved at once where the stage allows), a cancelled one
//! revived, a superseded one cancelled. Each customer's failure is that customer's error; the rest go on.

use crate::actor::Actor;
use crate::calendar::{Calendar, sending_day};
use crate::compose::draft_reminder;
use crate::conversation::ConversationFacts;
use crate::customer::{Customer, CustomerId};
use crate::discount_note::{note, plan_notes};
use crate::error::CoreError;
use crate::invoice::{Invoice, InvoiceId};
use crate::money::format_money;
use crate::planner::{CustomerHistory, HoldReason, plan};
use crate::policy::Policy;
use crate::ports::{Inserted, Store};
use crate::reminder::{Reminder, ReminderId};
use crate::status::ReminderStatus;
use crate::tone::Tone;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeSet, HashMap};

/// The latest day any customer's message planned at `now` goes out on: the sending day at UTC+14, the
/// furthest east, where it comes first (see [`crate::calendar::sending_day`]). The pass reads every invoice
/// whose next action falls by then, and the planner then applies each customer's own day.
pub fn latest_sending_day(policy: &Policy, now: DateTime<Utc>) -> NaiveDate {
    sending_day(
        Calendar::WEEKDAYS,
        chrono_tz::Etc::GMTMinus14,
        now,
        policy.sending_hours,
    )
}

/// One reminder the pass produced or found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassEntry {
    pub reminder_id: ReminderId,
    pub customer_id: CustomerId,
    pub customer_name: String,
    pub stage_id: String,
    pub tone: Tone,
    pub invoice_numbers: Vec<String>,
    /// Balance due per currency, formatted for the customer.
    pub amount: String,
    pub status: ReminderStatus,
    /// Whether this pass created it (false: an overlapping pass already had).
    pub created: bool,
    pub is_task: bool,
}

/// What a pass did.
#[derive(Debug, Default)]
pub struct PassOutcome {
    pub entries: Vec<PassEntry>,
    pub held: Vec<(CustomerId, HoldReason)>,
    /// Reminders this pass superseded (cancelled) because the situation changed.
    pub superseded: Vec<ReminderId>,
    /// Per-customer failures; the rest of the pass went on.
    pub errors: Vec<String>,
    /// Tasks this pass opened for payments pending longer than the policy waits
    /// (`pending_payment_days`): their invoices are held for staff to check.
    pub payment_reviews: Vec<ReminderId>,
    /// What the pass did about running payment plans: notes, broken and completed plans.
    pub plans: super::payment_plans::KeptPlans,
}

/// Plan one customer now, as a pass would: after their invoices changed, so that a voided draft comes back
/// with the new figures at once rather than on the next scheduled pass.
pub async fn replan_customer<S: Store>(
    store: &S,
    policy: &Policy,
    customer_id: &CustomerId,
    now: DateTime<Utc>,
) -> Result<PassOutcome, CoreError> {
    let day = latest_sending_day(policy, now);
    let every = store.invoices_of_customer(customer_id).await?;
    let mut invoices = every.clone();
    invoices.retain(|invoice| invoice.dunning.next_action_on.is_some_and(|next| next <= day));
    plan_and_store(store, policy, invoices, Some(&every), now, false).await
}

/// Plan reminders for `invoices` (the ones needing action) and store them; see [`super::run_pass`].
/// `every`: all the invoices of the one customer `invoices` belong to, when the caller has read them
/// already (each customer's conversation needs them; otherwise they are read here).
pub(super) async fn plan_and_store<S: Store>(
    store: &S,
    policy: &Policy,
    invoices: Vec<Invoice>,
    every: Option<&[Invoice]>,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<PassOutcome, CoreError> {
    let customer_ids: Vec<CustomerId> = invoices
        .iter()
        .map(|invoice| invoice.customer_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let customers: HashMap<CustomerId, Customer> = store
        .customers(&customer_ids)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let mut history = HashMap::new();
    for id in &customer_ids {
        let reminders = store.reminders_of_customer(id).await?;
        let mut known = CustomerHistory::from_reminders(&reminders);
        // The conversation is the customer's: their other open invoices count, not only the due ones.
        known.conversation = match every {
            Some(every) => ConversationFacts::read(every, &reminders),
            None => ConversationFacts::read(&store.invoices_of_customer(id).await?, &reminders),
        };
        if let Some(customer) = customers.get(id) {
            // Promises whose day passed are settled first, so the message can say so. A promise holds
            // through the customer's own day, not the day the next message could go out on (after their
            // business hours on a Friday, that is Monday): judged on the local date now.
            let today = now.with_timezone(&customer.time_zone).date_naive();
            known.answers = if dry_run {
                store.answers_of_customer(id).await?
            } else {
                super::settle::settle_by_facts(store, id, today, now).await?
            };
        }
        history.insert(id.clone(), known);
    }
    let plan = plan(now, policy, &customers, &invoices, &history);
    let invoices_by_id: HashMap<_, _> = invoices.iter().map(|invoice| (&invoice.id, invoice)).collect();
    let mut outcome = PassOutcome {
        held: plan.held,
        ..PassOutcome::default()
    };
    let laddered: BTreeSet<&InvoiceId> = plan
        .reminders
        .iter()
        .flat_map(|planned| planned.covers.iter().map(|covered| &covered.invoice_id))
        .collect();
    for planned in plan_notes(policy, &customers, &invoices, &history, &laddered, now) {
        let customer = &customers[&planned.customer_id];
        let invoice = invoices_by_id[&planned.invoice_id];
        let result = async {
            let Some(note) = note(policy, customer, invoice, planned.local_date, now)? else {
                return Ok(None);
            };
            if dry_run {
                return Ok(Some((note, true)));
            }
            Box::pin(store_new(store, note, now)).await.map(Some)
        }
        .await;
        match result {
            Ok(Some((note, created))) => outcome.entries.push(entry(&note, customer, &[invoice], created)),
            Ok(None) => {}
            Err(error) => outcome
                .errors
                .push(format!("customer {}: {error}", planned.customer_id)),
        }
    }
    for planned in &plan.reminders {
        let customer = &customers[&planned.customer_id];
        let covered: Vec<&Invoice> = planned.covers.iter().map(|c| invoices_by_id[&c.invoice_id]).collect();
        let result = async {
            let answers = &history[&planned.customer_id].answers;
            let reminder = draft_reminder(policy, planned, customer, &covered, answers, now)?;
            if dry_run {
                return Ok(Some((reminder, true)));
            }
            // The one it replaces is cancelled first: if a sender claimed it meanwhile it is going out as it
            // is, and the new one must not say the same again (the next pass plans what it leaves owed).
            if let Some(old) = &planned.supersedes {
                match supersede(store, old, &reminder.id, now).await {
                    Err(CoreError::Conflict(_)) => return Ok(None),
                    other => other?,
                }
                outcome.superseded.push(old.clone());
            }
            // Boxed: the pass's future stays small enough for a test thread's stack.
            Ok::<_, CoreError>(Some(Box::pin(store_new(store, reminder, now)).await?))
        }
        .await;
        match result {
            Ok(Some((reminder, created))) => {
                outcome.entries.push(entry(&reminder, customer, &covered, created));
            }
            Ok(None) => {}
            Err(error) => outcome
                .errors
                .push(format!("customer {}: {error}", planned.customer_id)),
        }
    }
    Ok(outcome)
}

/// Store a reminder just drafted: new, or revived where one with its id was cancelled (see
/// [`revive_cancelled`]). Returns the reminder as stored now, and whether this call created it.
async fn store_new<S: Store>(store: &S, reminder: Reminder, now: DateTime<Utc>) -> Result<(Reminder, bool), CoreError> {
    let created = match store.insert_reminder(&reminder).await? {
        Inserted::New => true,
        Inserted::AlreadyExists => revive_cancelled(store, &reminder, now).await?,
    };
    let current = if created {
        reminder
    } else {
        store.reminder(&reminder.id).await?.unwrap_or(reminder)
    };
    Ok((current, created))
}

/// A reminder with this id was cancelled earlier (superseded, or an invoice changed before sending), or
/// went undelivered and the customer can be reached again, and the same plan is due again: replace the
/// record with the new draft, keeping its history. Sent, skipped and failed reminders are never replaced —
/// those decisions stand. A write that finds the record changed reads it again: revived by another writer,
/// it is theirs (`false`); still cancelled, this one tries again — a few times, then the conflict is the
/// caller's error, never a silently dropped message.
pub(super) async fn revive_cancelled<S: Store>(
    store: &S,
    reminder: &Reminder,
    now: DateTime<Utc>,
) -> Result<bool, CoreError> {
    const ATTEMPTS: usize = 3;
    let mut last_conflict = None;
    for _ in 0..ATTEMPTS {
        let Some(existing) = store.reminder(&reminder.id).await? else {
            return Ok(false);
        };
        let expected = existing.status;
        if !matches!(expected, ReminderStatus::Cancelled | ReminderStatus::Undelivered) {
            return Ok(false);
        }
        let revived = revived(reminder, existing, now);
        match store.update_reminder(&revived, expected, &[]).await {
            Ok(()) => return Ok(true),
            Err(CoreError::Conflict(conflict)) => last_conflict = Some(conflict),
            Err(other) => return Err(other),
        }
    }
    Err(CoreError::Conflict(last_conflict.unwrap_or_default()))
}

/// `reminder`, the new draft, in place of `existing` (cancelled or undelivered), with its history.
fn revived(reminder: &Reminder, existing: Reminder, now: DateTime<Utc>) -> Reminder {
    let mut revived = reminder.clone();
    let mut history = existing.history;
    if existing.status == ReminderStatus::Undelivered {
        history.push(crate::reminder::Transition {
            from: ReminderStatus::Undelivered,
            to: ReminderStatus::Cancelled,
            at: now,
            by: Actor::System,
            note: Some("the customer's addresses changed".into()),
        });
    }
    history.push(crate::reminder::Transition {
        from: ReminderStatus::Cancelled,
        to: ReminderStatus::Planned,
        at: now,
        by: Actor::System,
        note: Some("planned again with current facts".into()),
    });
    history.append(&mut revived.history);
    revived.history = history;
    revived
}

/// Cancel `old` in favour of `new`, only while `old` still waits for approval or a sender: once a sender has
/// claimed it, it may be on its way, and cancelling it then would let `new` say the same thing again. A
/// claimed (or sent, skipped, failed) one answers [`CoreError::Conflict`]; one cancelled already is left so.
pub(crate) async fn supersede<S: Store>(
    store: &S,
    old: &ReminderId,
    new: &ReminderId,
    now: DateTime<Utc>,
) -> Result<(), CoreError> {
    let Some(mut reminder) = store.reminder(old).await? else {
        return Ok(());
    };
    let expected = reminder.status;
    if expected == ReminderStatus::Cancelled {
        return Ok(());
    }
    if !expected.is_waiting() {
        return Err(CoreError::Conflict(format!(
            "{old} is {expected}; only a waiting reminder can be superseded"
        )));
    }
    reminder.transition(
        ReminderStatus::Cancelled,
        now,
        &Actor::System,
        Some(format!("superseded by {new}")),
    )?;
    store.update_reminder(&reminder, expected, &[]).await
}

fn entry(reminder: &Reminder, customer: &Customer, invoices: &[&Invoice], created: bool) -> PassEntry {
    let mut totals: std::collections::BTreeMap<_, rust_decimal::Decimal> = Default::default();
    for invoice in invoices {
        *totals.entry(invoice.currency).or_default() += invoice.balance();
    }
    PassEntry {
        reminder_id: reminder.id.clone(),
        customer_id: customer.id.clone(),
        customer_name: customer.display_name.clone(),
        stage_id: reminder.stage_id.clone(),
        tone: reminder.tone,
        invoice_numbers: invoices.iter().map(|invoice| invoice.number.clone()).collect(),
        amount: totals
            .iter()
            .map(|(currency, amount)| format_money(*amount, *currency, &customer.locale))
            .collect::<Vec<_>>()
            .join(" + "),
        status: reminder.status,
        created,
        is_task: reminder.draft.is_none(),
    }
}
