//! Application services: the daily pass, sending approved reminders, approving and skipping. Generic over
//! the ports, so the Lambdas (DynamoDB + SES) and the `kindly` command (SQLite + outbox) share them.
//! One bad customer or reminder never stops a pass: its error is reported and the pass goes on.

use crate::compose::{SYSTEM_ACTOR, draft_reminder};
use crate::customer::{Customer, CustomerId};
use crate::error::CoreError;
use crate::invoice::{DunningProgress, Invoice, InvoiceId, InvoiceStatus};
use crate::money::format_money;
use crate::planner::{CustomerHistory, HoldReason, plan, progress_after};
use crate::policy::{Policy, Tone};
use crate::ports::{Inserted, Mailer, OutgoingEmail, Store};
use crate::reminder::{Reminder, ReminderId, ReminderStatus};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use futures::StreamExt;
use std::collections::{BTreeSet, HashMap};

/// The latest calendar date anywhere on Earth at `now` (UTC+14): the pass reads every invoice that may
/// need action in some customer's time zone, and the planner then applies each customer's own date.
pub fn latest_local_date(now: DateTime<Utc>) -> NaiveDate {
    (now + Duration::hours(14)).date_naive()
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
}

/// Plan today's reminders and store them as drafts (approved at once where the stage allows).
/// With `dry_run`, nothing is written.
pub async fn run_pass<S: Store>(
    store: &S,
    policy: &Policy,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<PassOutcome, CoreError> {
    let invoices = store.invoices_needing_action(latest_local_date(now)).await?;
    plan_and_store(store, policy, invoices, now, dry_run).await
}

/// Plan one customer now, as a pass would: after their invoices changed, so that a voided draft comes back
/// with the new figures at once rather than on the next scheduled pass.
pub async fn replan_customer<S: Store>(
    store: &S,
    policy: &Policy,
    customer_id: &CustomerId,
    now: DateTime<Utc>,
) -> Result<PassOutcome, CoreError> {
    let day = latest_local_date(now);
    let mut invoices = store.invoices_of_customer(customer_id).await?;
    invoices.retain(|invoice| invoice.dunning.next_action_on.is_some_and(|next| next <= day));
    plan_and_store(store, policy, invoices, now, false).await
}

/// Plan reminders for `invoices` (the ones needing action) and store them; see [`run_pass`].
async fn plan_and_store<S: Store>(
    store: &S,
    policy: &Policy,
    invoices: Vec<Invoice>,
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
        history.insert(id.clone(), CustomerHistory::from_reminders(&reminders));
    }
    let plan = plan(now, policy, &customers, &invoices, &history);
    let invoices_by_id: HashMap<_, _> = invoices.iter().map(|invoice| (&invoice.id, invoice)).collect();
    let mut outcome = PassOutcome {
        held: plan.held,
        ..PassOutcome::default()
    };
    for planned in &plan.reminders {
        let customer = &customers[&planned.customer_id];
        let covered: Vec<&Invoice> = planned.covers.iter().map(|c| invoices_by_id[&c.invoice_id]).collect();
        let result = async {
            let reminder = draft_reminder(policy, planned, customer, &covered, now)?;
            if dry_run {
                return Ok((reminder, true));
            }
            let created = match store.insert_reminder(&reminder).await? {
                Inserted::New => true,
                Inserted::AlreadyExists => revive_cancelled(store, &reminder, now).await?,
            };
            if let Some(old) = &planned.supersedes
                && created
            {
                supersede(store, old, &reminder.id, now).await?;
            }
            let current = if created {
                reminder
            } else {
                store.reminder(&reminder.id).await?.unwrap_or(reminder)
            };
            Ok::<_, CoreError>((current, created))
        }
        .await;
        match result {
            Ok((reminder, created)) => {
                if created && let Some(old) = &planned.supersedes {
                    outcome.superseded.push(old.clone());
                }
                outcome.entries.push(entry(&reminder, customer, &covered, created));
            }
            Err(error) => outcome
                .errors
                .push(format!("customer {}: {error}", planned.customer_id)),
        }
    }
    Ok(outcome)
}

/// A reminder with this id was cancelled earlier (superseded, or an invoice changed before sending) and the
/// same plan is due again: replace the cancelled record with the new draft, keeping its history. Sent,
/// skipped and failed reminders are never replaced — those decisions stand.
async fn revive_cancelled<S: Store>(store: &S, reminder: &Reminder, now: DateTime<Utc>) -> Result<bool, CoreError> {
    let Some(existing) = store.reminder(&reminder.id).await? else {
        return Ok(false);
    };
    if existing.status != ReminderStatus::Cancelled {
        return Ok(false);
    }
    let mut revived = reminder.clone();
    let mut history = existing.history;
    history.push(crate::reminder::Transition {
        from: ReminderStatus::Cancelled,
        to: ReminderStatus::Planned,
        at: now,
        by: SYSTEM_ACTOR.to_owned(),
        note: Some("planned again with current facts".into()),
    });
    history.append(&mut revived.history);
    revived.history = history;
    match store.update_reminder(&revived, ReminderStatus::Cancelled, &[]).await {
        Ok(()) => Ok(true),
        Err(CoreError::Conflict(_)) => Ok(false),
        Err(other) => Err(other),
    }
}

/// Cancel `old` in favour of `new`, only while `old` still waits for approval or a sender: once a sender has
/// claimed it, it may be on its way, and cancelling it then would let `new` say the same thing again. A
/// claimed one answers [`CoreError::Conflict`].
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
    if !expected.is_waiting() {
        return Err(CoreError::Conflict(format!(
            "{old} is {expected}; only a waiting reminder can be superseded"
        )));
    }
    reminder.transition(
        ReminderStatus::Cancelled,
        now,
        SYSTEM_ACTOR,
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
    /// The provider refused it for good.
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

/// How long a claim may sit in `sending` before a later run assumes the sender died. It is retried only
/// where the mailer says retries are safe (the outbox); with a provider that could have delivered already
/// (SES), the reminder is marked failed for a person to check, so nobody is ever reminded twice.
pub const STALE_CLAIM: Duration = Duration::minutes(15);

/// The customer-local hours in which messages may go out (`from` inclusive, `to` exclusive), Monday to
/// Friday. A reminder outside them waits, approved, for a later run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusinessHours {
    pub from_hour: u32,
    pub to_hour: u32,
}

impl BusinessHours {
    pub fn contains(&self, customer: &Customer, now: DateTime<Utc>) -> bool {
        use chrono::{Datelike, Timelike, Weekday};
        let local = now.with_timezone(&customer.time_zone);
        !matches!(local.weekday(), Weekday::Sat | Weekday::Sun)
            && (self.from_hour..self.to_hour).contains(&local.hour())
    }
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
    let mut queue = store.reminders_with_status(ReminderStatus::Approved).await?;
    let stale: Vec<Reminder> = store
        .reminders_with_status(ReminderStatus::Sending)
        .await?
        .into_iter()
        .filter(|reminder| reminder.history.last().is_none_or(|step| now - step.at > STALE_CLAIM))
        .collect();
    let mut results = Vec::with_capacity(queue.len() + stale.len());
    if mailer.retries_are_safe() {
        queue.extend(stale);
    } else {
        for reminder in stale {
            results.push((reminder.id.clone(), give_up_interrupted(store, reminder, now).await));
        }
    }
    // In order, up to the mailer's concurrency at a time; each reminder's claim keeps them apart.
    let sends = futures::stream::iter(queue)
        .map(|reminder| async move {
            let id = reminder.id.clone();
            (id, send_one(store, mailer, policy, reminder, now, window).await)
        })
        .buffered(mailer.concurrent_sends().max(1));
    results.extend(sends.collect::<Vec<_>>().await);
    Ok(results)
}

/// A send interrupted between claim and record, with a mailer that could have delivered already: mark it
/// failed, naming what to check, rather than risk a second message.
async fn give_up_interrupted<S: Store>(
    store: &S,
    mut reminder: Reminder,
    now: DateTime<Utc>,
) -> Result<SendResult, CoreError> {
    let reason = format!(
        "sending was interrupted and the outcome is unknown; check the mail provider's log for messages tagged \
         reminder={} before sending it again",
        reminder.id
    );
    reminder.failure = Some(reason.clone());
    reminder.transition(ReminderStatus::Failed, now, SYSTEM_ACTOR, Some(reason.clone()))?;
    match store.update_reminder(&reminder, ReminderStatus::Sending, &[]).await {
        Err(CoreError::Conflict(_)) => Ok(SendResult::ClaimedElsewhere),
        other => other.map(|()| SendResult::Failed { reason }),
    }
}

/// Check the window, claim, re-check, send, record. Each state change is a conditional write on the
/// reminder's status. The customer is read once, before the claim; the invoices after it, as late as possible.
pub async fn send_one<S: Store, M: Mailer>(
    store: &S,
    mailer: &M,
    policy: &Policy,
    mut reminder: Reminder,
    now: DateTime<Utc>,
    window: Option<BusinessHours>,
) -> Result<SendResult, CoreError> {
    let customer = customer_of(store, &reminder).await?;
    if window.is_some_and(|window| !window.contains(&customer, now)) {
        return Ok(SendResult::OutsideBusinessHours);
    }
    if reminder.status == ReminderStatus::Approved {
        reminder.transition(ReminderStatus::Sending, now, SYSTEM_ACTOR, None)?;
        match store.update_reminder(&reminder, ReminderStatus::Approved, &[]).await {
            Err(CoreError::Conflict(_)) => return Ok(SendResult::ClaimedElsewhere),
            other => other?,
        }
    }
    let invoices = store.invoices(&reminder.invoice_ids()).await?;
    if let Some(reason) = why_not_send(&reminder, &invoices, &customer) {
        reminder.transition(ReminderStatus::Cancelled, now, SYSTEM_ACTOR, Some(reason.clone()))?;
        store.update_reminder(&reminder, ReminderStatus::Sending, &[]).await?;
        return Ok(SendResult::Cancelled { reason });
    }
    let local_date = now.with_timezone(&customer.time_zone).date_naive();
    let auto_approved = reminder
        .approval
        .as_ref()
        .is_some_and(|a| a.by.starts_with(SYSTEM_ACTOR));
    if auto_approved && local_date != reminder.planned_for && !reminder.is_thank_you() {
        // Its figures ("due today", "3 days overdue") were true on the day it was planned; the next pass
        // plans it again with today's.
        let reason = format!("planned for {}, not sent that day", reminder.planned_for);
        reminder.transition(ReminderStatus::Cancelled, now, SYSTEM_ACTOR, Some(reason.clone()))?;
        store.update_reminder(&reminder, ReminderStatus::Sending, &[]).await?;
        return Ok(SendResult::Cancelled { reason });
    }
    let Some(draft) = reminder.draft.clone() else {
        reminder.sent_on = Some(local_date);
        reminder.transition(ReminderStatus::Sent, now, SYSTEM_ACTOR, Some("task done".into()))?;
        let progressed = advance(policy, &reminder, &invoices, local_date, true);
        store
            .update_reminder(&reminder, ReminderStatus::Sending, &progressed)
            .await?;
        return Ok(SendResult::TaskDone);
    };
    let rendered = kindly_render::render(&draft.context)?;
    let approved_hash = reminder
        .approval
        .as_ref()
        .map(|a| a.content_hash.as_str())
        .unwrap_or_default();
    if rendered.content_hash != approved_hash {
        let reason = "the message no longer renders to the approved content".to_owned();
        reminder.transition(ReminderStatus::Cancelled, now, SYSTEM_ACTOR, Some(reason.clone()))?;
        store.update_reminder(&reminder, ReminderStatus::Sending, &[]).await?;
        return Ok(SendResult::Cancelled { reason });
    }
    let email = OutgoingEmail {
        idempotency_key: reminder.id.0.clone(),
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
    };
    // The last look before the message leaves: a payment that landed since the invoices were read (its
    // write moved their revision on) cancels the send; the next pass plans again with the new facts.
    let revisions = |invoices: &[Invoice]| -> Vec<(InvoiceId, u64)> {
        let mut revisions: Vec<_> = invoices
            .iter()
            .map(|invoice| (invoice.id.clone(), invoice.bookkeeping.revision))
            .collect();
        revisions.sort();
        revisions
    };
    if revisions(&store.invoices(&reminder.invoice_ids()).await?) != revisions(&invoices) {
        let reason = "an invoice changed while the message was being sent".to_owned();
        reminder.transition(ReminderStatus::Cancelled, now, SYSTEM_ACTOR, Some(reason.clone()))?;
        store.update_reminder(&reminder, ReminderStatus::Sending, &[]).await?;
        return Ok(SendResult::Cancelled { reason });
    }
    match mailer.send(&email).await {
        Ok(message_id) => {
            reminder.sent_message_id = Some(message_id.clone());
            reminder.sent_on = Some(local_date);
            reminder.transition(ReminderStatus::Sent, now, SYSTEM_ACTOR, None)?;
            let progressed = advance(policy, &reminder, &invoices, local_date, true);
            store
                .update_reminder(&reminder, ReminderStatus::Sending, &progressed)
                .await?;
            Ok(SendResult::Sent { message_id })
        }
        Err(CoreError::MailRejected(reason)) => {
            reminder.failure = Some(reason.clone());
            reminder.transition(ReminderStatus::Failed, now, SYSTEM_ACTOR, Some(reason.clone()))?;
            store.update_reminder(&reminder, ReminderStatus::Sending, &[]).await?;
            Ok(SendResult::Failed { reason })
        }
        Err(CoreError::MailTemporary(reason)) => {
            reminder.transition(ReminderStatus::Approved, now, SYSTEM_ACTOR, Some(reason.clone()))?;
            store.update_reminder(&reminder, ReminderStatus::Sending, &[]).await?;
            Ok(SendResult::Retry { reason })
        }
        Err(other) => Err(other),
    }
}

/// Why an approved reminder must not go out now, judged on freshly read invoices.
fn why_not_send(reminder: &Reminder, invoices: &[Invoice], customer: &Customer) -> Option<String> {
    let by_id: HashMap<_, _> = invoices.iter().map(|invoice| (&invoice.id, invoice)).collect();
    for covered in &reminder.covers {
        let Some(invoice) = by_id.get(&covered.invoice_id) else {
            return Some(format!("invoice {} no longer exists", covered.invoice_id));
        };
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
        if !invoice.is_remindable() {
            return Some(format!("invoice {} is now {}", invoice.number, invoice.status.as_str()));
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

/// The covered invoices with their ladder moved past this reminder's stages. A skip moves the ladder
/// but keeps the last tone the customer actually heard.
fn advance(
    policy: &Policy,
    reminder: &Reminder,
    invoices: &[Invoice],
    local_date: NaiveDate,
    heard: bool,
) -> Vec<(InvoiceId, DunningProgress)> {
    if reminder.is_thank_you() {
        return Vec::new();
    }
    invoices
        .iter()
        .filter_map(|invoice| {
            let covered = reminder.covers.iter().find(|c| c.invoice_id == invoice.id)?;
            let mut updated = progress_after(policy, invoice, covered, local_date).dunning;
            if !heard {
                updated.last_tone = invoice.dunning.last_tone;
                updated.last_reminded_on = invoice.dunning.last_reminded_on;
            }
            Some((invoice.id.clone(), updated))
        })
        .collect()
}

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
    let reminder = approved(load(store, id).await?, by, content_hash, personal_note, now)?;
    store
        .update_reminder(&reminder, ReminderStatus::PendingApproval, &[])
        .await?;
    Ok(reminder)
}

/// Approve a set of drafts (no notes) all or nothing: each is read once and checked against its hash, and
/// only if every one passes are they approved. `Ok(Err(refusals))` names each draft that did not pass and
/// why; nothing was written then.
pub async fn approve_all<S: Store>(
    store: &S,
    items: &[(ReminderId, String)],
    by: &str,
    now: DateTime<Utc>,
) -> Result<Result<Vec<ReminderId>, Vec<(ReminderId, CoreError)>>, CoreError> {
    let mut ready = Vec::with_capacity(items.len());
    let mut refused = Vec::new();
    for (id, content_hash) in items {
        match approved(load(store, id).await?, by, content_hash, None, now) {
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
    let mut done = Vec::with_capacity(ready.len());
    for reminder in ready {
        store
            .update_reminder(&reminder, ReminderStatus::PendingApproval, &[])
            .await?;
        done.push(reminder.id);
    }
    Ok(Ok(done))
}

/// `reminder` approved by `by` for exactly `content_hash` (with `personal_note` set first, so the hash
/// covers it), or why not: it is not pending approval, or it no longer renders to that hash. Pure.
fn approved(
    mut reminder: Reminder,
    by: &str,
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
            by: by.to_owned(),
            at: now,
            content_hash: current,
        });
    }
    reminder.transition(ReminderStatus::Approved, now, by, None)?;
    Ok(reminder)
}

/// Decide not to send a reminder. The ladder moves past its stage for the covered invoices, so the
/// customer is not asked again at the same stage.
pub async fn skip<S: Store>(
    store: &S,
    policy: &Policy,
    id: &ReminderId,
    by: &str,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<Reminder, CoreError> {
    let mut reminder = load_waiting(store, id, "skipping").await?;
    let expected = reminder.status;
    let customer = customer_of(store, &reminder).await?;
    let invoices = store.invoices(&reminder.invoice_ids()).await?;
    let reason = reason
        .map(|reason| reason.trim().to_owned())
        .filter(|reason| !reason.is_empty());
    reminder.transition(ReminderStatus::Skipped, now, by, reason)?;
    let local_date = now.with_timezone(&customer.time_zone).date_naive();
    let progressed = advance(policy, &reminder, &invoices, local_date, false);
    store.update_reminder(&reminder, expected, &progressed).await?;
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
    reminder.transition(ReminderStatus::Cancelled, now, by, Some(note))?;
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

/// A reminder's customer, read fresh from the store.
async fn customer_of<S: Store>(store: &S, reminder: &Reminder) -> Result<Customer, CoreError> {
    store
        .customer(&reminder.customer_id)
        .await?
        .ok_or_else(|| CoreError::NotFound {
            what: "customer",
            id: reminder.customer_id.0.clone(),
        })
}

/// A reminder still waiting to go out (pending approval or approved), for `action` on it.
async fn load_waiting<S: Store>(store: &S, id: &ReminderId, action: &'static str) -> Result<Reminder, CoreError> {
    let reminder = load(store, id).await?;
    if !reminder.status.is_waiting() {
        return Err(CoreError::WrongStatus {
            id: id.0.clone(),
            status: reminder.status,
            action,
            needed: "pending_approval or approved",
        });
    }
    Ok(reminder)
}

async fn load<S: Store>(store: &S, id: &ReminderId) -> Result<Reminder, CoreError> {
    store.reminder(id).await?.ok_or_else(|| CoreError::NotFound {
        what: "reminder",
        id: id.0.clone(),
    })
}

/// Validate and store a customer.
pub async fn ingest_customer<S: Store>(store: &S, customer: &Customer) -> Result<(), CoreError> {
    customer.validate()?;
    store.put_customer(customer).await
}

/// Validate and store an invoice from the accounting system. Its ladder progress and bookkeeping are kept
/// from the stored copy (the accounting system knows neither), its revision moves on, and its next action
/// date is recomputed. A payment the processor reported and the accounting system has not seen yet is kept
/// ([`crate::payment::keep_processor_payments`]). The write is conditional on the revision read, and retried
/// on a conflict.
///
/// If anything a message shows about it changed (status, amounts, dates, number...), every draft or
/// approval still waiting to go out that covers it is void: it is cancelled with the reason, and the
/// customer is planned again at once, so the draft comes back with the new figures (pending approval
/// again where the stage needs it) — or not at all, once nothing is owed. Returns the voided reminders.
pub async fn ingest_invoice<S: Store>(
    store: &S,
    policy: &Policy,
    invoice: &Invoice,
    now: DateTime<Utc>,
) -> Result<Vec<ReminderId>, CoreError> {
    invoice.validate()?;
    let written = rewrite_invoice(store, policy, &invoice.id, now, |stored| {
        let mut incoming = invoice.clone();
        if let Some(stored) = stored {
            incoming.dunning = stored.dunning.clone();
            incoming.bookkeeping = stored.bookkeeping.clone();
            crate::payment::keep_processor_payments(&mut incoming, stored);
        }
        Ok(Rewrite::Write(incoming))
    })
    .await?;
    Ok(match written {
        Rewrite::Write((_, after)) => after.voided,
        Rewrite::Keep(_) => Vec::new(),
    })
}

/// What a change to one invoice decided: write this, or keep the stored one (and why).
enum Rewrite<T> {
    Write(T),
    Keep(String),
}

/// Read invoice `id`, let `change` decide its new state from the stored one (`None`: not stored yet), and
/// write that conditional on the revision read, moving the revision on and recomputing the next action date;
/// on a conflict, read and decide again. Then void, replan and thank as the change requires.
async fn rewrite_invoice<S: Store>(
    store: &S,
    policy: &Policy,
    id: &InvoiceId,
    now: DateTime<Utc>,
    change: impl Fn(Option<&Invoice>) -> Result<Rewrite<Invoice>, CoreError>,
) -> Result<Rewrite<(Invoice, AfterChange)>, CoreError> {
    for _ in 0..WRITE_ATTEMPTS {
        let stored = store.invoice(id).await?;
        let mut updated = match change(stored.as_ref())? {
            Rewrite::Write(updated) => updated,
            Rewrite::Keep(why) => return Ok(Rewrite::Keep(why)),
        };
        if let Some(stored) = &stored {
            updated.bookkeeping.revision = stored.bookkeeping.revision + 1;
        }
        updated.dunning.next_action_on = policy.next_action_on(&updated);
        let expected = stored.as_ref().map(|stored| stored.bookkeeping.revision);
        match store.replace_invoice(&updated, expected).await {
            Err(CoreError::Conflict(_)) => continue,
            other => other?,
        }
        let after = match &stored {
            Some(stored) => after_invoice_change(store, policy, stored, &updated, now).await?,
            None => AfterChange::default(),
        };
        return Ok(Rewrite::Write((updated, after)));
    }
    Err(CoreError::Conflict(format!(
        "invoice {id} kept changing while it was written; try again (a payment processor retries by itself)"
    )))
}

/// How often a read-modify-write of one invoice is tried before giving up on a busy record.
const WRITE_ATTEMPTS: usize = 5;

/// What applying a payment processor's event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// The invoice changed; these waiting reminders were voided (and the customer planned again), and a
    /// thank-you was queued if the invoice is now paid and the policy asks for one.
    Applied {
        invoice: Box<Invoice>,
        voided: Vec<ReminderId>,
        thank_you: Option<ReminderId>,
    },
    /// Nothing changed, and why (already applied, not applicable in the invoice's state...).
    Unchanged(String),
}

/// Apply a payment processor's event to an invoice: conditional on the revision read (retried on a
/// conflict), once per event id (kept on the invoice), and voiding every waiting reminder the change
/// makes wrong — a consolidated draft is planned again without a paid invoice.
pub async fn apply_payment_event<S: Store>(
    store: &S,
    policy: &Policy,
    invoice_id: &InvoiceId,
    event: &crate::payment::PaymentEvent,
    now: DateTime<Utc>,
) -> Result<PaymentOutcome, CoreError> {
    use crate::payment::{Applied, apply_payment};
    let written = rewrite_invoice(store, policy, invoice_id, now, |stored| {
        let stored = stored.ok_or_else(|| CoreError::NotFound {
            what: "invoice",
            id: invoice_id.0.clone(),
        })?;
        Ok(match apply_payment(stored, event)? {
            Applied::Changed(updated) => Rewrite::Write(*updated),
            Applied::Unchanged(why) => Rewrite::Keep(why),
        })
    })
    .await?;
    Ok(match written {
        Rewrite::Write((invoice, AfterChange { voided, thank_you })) => PaymentOutcome::Applied {
            invoice: Box::new(invoice),
            voided,
            thank_you,
        },
        Rewrite::Keep(why) => PaymentOutcome::Unchanged(why),
    })
}

/// What [`after_invoice_change`] did.
#[derive(Default)]
struct AfterChange {
    voided: Vec<ReminderId>,
    thank_you: Option<ReminderId>,
}

/// After an invoice changed from `before` to `after`: void the waiting messages the change makes wrong,
/// plan the customer again, and thank them if it is now paid (a voided thank-you is queued again with
/// what is still paid).
async fn after_invoice_change<S: Store>(
    store: &S,
    policy: &Policy,
    before: &Invoice,
    after: &Invoice,
    now: DateTime<Utc>,
) -> Result<AfterChange, CoreError> {
    let voided = void_waiting_reminders(store, policy, before, after, now).await?;
    let mut to_thank: Vec<InvoiceId> = voided
        .iter()
        .filter(|reminder| reminder.is_thank_you())
        .flat_map(Reminder::invoice_ids)
        .collect();
    if after.status == InvoiceStatus::Paid && before.status != InvoiceStatus::Paid {
        to_thank.push(after.id.clone());
    }
    let thank_you = queue_thank_you(store, policy, &after.customer_id, to_thank, now).await?;
    Ok(AfterChange {
        voided: voided.into_iter().map(|reminder| reminder.id).collect(),
        thank_you,
    })
}

/// Queue one thank-you for `paid` together with any thank-you still waiting for the customer, so several
/// payments before it goes out make one message. Only invoices paid now, and (if the policy says so) ones
/// the customer was reminded about, are thanked; an invoice already thanked in a message sent is not
/// thanked again by the same message. Returns the queued thank-you, if one was needed.
async fn queue_thank_you<S: Store>(
    store: &S,
    policy: &Policy,
    customer_id: &CustomerId,
    paid: Vec<InvoiceId>,
    now: DateTime<Utc>,
) -> Result<Option<ReminderId>, CoreError> {
    let Some(thank_you) = &policy.thank_you else {
        return Ok(None);
    };
    if paid.is_empty() {
        return Ok(None);
    }
    let Some(customer) = store.customer(customer_id).await? else {
        return Ok(None);
    };
    for _ in 0..WRITE_ATTEMPTS {
        let waiting: Vec<Reminder> = store
            .reminders_of_customer(customer_id)
            .await?
            .into_iter()
            .filter(|reminder| reminder.is_thank_you() && reminder.status.is_waiting())
            .collect();
        let mut ids: BTreeSet<InvoiceId> = paid.iter().cloned().collect();
        ids.extend(waiting.iter().flat_map(Reminder::invoice_ids));
        let invoices: Vec<Invoice> = store
            .invoices(&ids.into_iter().collect::<Vec<_>>())
            .await?
            .into_iter()
            .filter(|invoice| invoice.status == InvoiceStatus::Paid)
            .filter(|invoice| !thank_you.only_after_reminders || invoice.dunning.last_reminded_on.is_some())
            .collect();
        if invoices.is_empty() {
            return Ok(None);
        }
        let refs: Vec<&Invoice> = invoices.iter().collect();
        let reminder = crate::compose::thank_you_reminder(policy, thank_you, &customer, &refs, now)?;
        if waiting.iter().any(|old| old.id == reminder.id) {
            return Ok(None);
        }
        let created = match store.insert_reminder(&reminder).await? {
            Inserted::New => true,
            Inserted::AlreadyExists => revive_cancelled(store, &reminder, now).await?,
        };
        if !created {
            return Ok(None);
        }
        let mut superseded_all = true;
        for old in &waiting {
            match supersede(store, &old.id, &reminder.id, now).await {
                Err(CoreError::Conflict(_)) => superseded_all = false,
                other => other?,
            }
        }
        if superseded_all {
            return Ok(Some(reminder.id));
        }
        // A sender claimed one of them, or another payment joined them first: withdraw ours and look again,
        // so no invoice is thanked twice.
        let mut withdrawn = store.reminder(&reminder.id).await?.unwrap_or(reminder);
        let expected = withdrawn.status;
        if expected.is_waiting() {
            withdrawn.transition(
                ReminderStatus::Cancelled,
                now,
                SYSTEM_ACTOR,
                Some("another thank-you changed meanwhile; queued again".into()),
            )?;
            match store.update_reminder(&withdrawn, expected, &[]).await {
                Err(CoreError::Conflict(_)) => {}
                other => other?,
            }
        }
    }
    Err(CoreError::Conflict(format!(
        "the thank-you for customer {customer_id} kept changing while it was queued"
    )))
}

/// After an invoice changed from `before` to `after`: if anything a message shows about it changed, cancel
/// every waiting draft or approval that covers it and plan the customer again. Returns the voided ones.
async fn void_waiting_reminders<S: Store>(
    store: &S,
    policy: &Policy,
    before: &Invoice,
    after: &Invoice,
    now: DateTime<Utc>,
) -> Result<Vec<Reminder>, CoreError> {
    let shown_alike = Invoice {
        dunning: after.dunning.clone(),
        bookkeeping: after.bookkeeping.clone(),
        ..before.clone()
    } == *after;
    if shown_alike {
        return Ok(Vec::new());
    }
    let mut voided = Vec::new();
    for mut reminder in store.reminders_of_customer(&after.customer_id).await? {
        let expected = reminder.status;
        if !expected.is_waiting() || !reminder.covers.iter().any(|covered| covered.invoice_id == after.id) {
            continue;
        }
        let reason = format!("invoice {} changed: the draft is void and planned again", after.number);
        reminder.transition(ReminderStatus::Cancelled, now, SYSTEM_ACTOR, Some(reason))?;
        match store.update_reminder(&reminder, expected, &[]).await {
            // A sender claimed it meanwhile; its own re-check sees the change.
            Err(CoreError::Conflict(_)) => continue,
            other => other?,
        }
        voided.push(reminder);
    }
    if !voided.is_empty() {
        replan_customer(store, policy, &after.customer_id, now).await?;
    }
    Ok(voided)
}

#[cfg(test)]
mod tests {
    use super::BusinessHours;
    use chrono::{TimeZone, Utc};

    #[test]
    fn business_hours_are_the_customers_own() {
        let customer = crate::Customer {
            id: crate::CustomerId("C1".into()),
            display_name: "Kaito".into(),
            legal_name: "Kaito KK".into(),
            locale: "en-US".into(),
            time_zone: chrono_tz::Asia::Tokyo,
            billing_contacts: vec![],
            escalation_contact: None,
            pause: None,
            terms: Default::default(),
        };
        let hours = BusinessHours {
            from_hour: 9,
            to_hour: 17,
        };
        // Monday 2026-03-16 01:00 UTC is 10:00 in Tokyo; 09:00 UTC is 18:00 there.
        assert!(hours.contains(&customer, Utc.with_ymd_and_hms(2026, 3, 16, 1, 0, 0).unwrap()));
        assert!(!hours.contains(&customer, Utc.with_ymd_and_hms(2026, 3, 16, 9, 0, 0).unwrap()));
        // Saturday 2026-03-21, 10:00 in Tokyo.
        assert!(!hours.contains(&customer, Utc.with_ymd_and_hms(2026, 3, 21, 1, 0, 0).unwrap()));
    }
}
