//! The ladder's last step, done: write an invoice off, hand it over to a collections agency, agree a
//! payment plan, or keep chasing from a later day. Each reads, decides by the pure rules of
//! [`crate::last_step`], and writes conditional on what it read; taking the same decision again changes
//! nothing. Bad input (an empty reason, a day not after today) changes nothing and names the field.

use super::invoices::{Rewrite, rewrite_invoice};
use super::reads::load;
use super::review::snooze;
use crate::actor::Actor;
use crate::error::CoreError;
use crate::invoice::{Invoice, InvoiceId, InvoiceStatus, OutcomeKind};
use crate::last_step::{Decided, decide, reason_for, reason_in_note, task_note};
use crate::policy::Policy;
use crate::ports::Store;
use crate::reminder::{Reminder, ReminderId};
use crate::status::ReminderStatus;
use crate::tasks::TaskAction;
use chrono::{DateTime, NaiveDate, Utc};

/// Write invoice `id` off, for `reason` (needed), as `by`: out of the ladder and the open balances, kept
/// in the reports as written off.
pub async fn write_off<S: Store>(
    store: &S,
    policy: &Policy,
    id: &InvoiceId,
    reason: Option<&str>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Invoice, CoreError> {
    decide_invoice(store, policy, id, OutcomeKind::WrittenOff, reason, by, now).await
}

/// Hand invoice `id` over for collection, as `by` (`reason`: to whom, optional): out of the ladder and the
/// open balances, counted apart in the reports. The dossier that goes with it is the adapters' to write.
pub async fn hand_over<S: Store>(
    store: &S,
    policy: &Policy,
    id: &InvoiceId,
    reason: Option<&str>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Invoice, CoreError> {
    decide_invoice(store, policy, id, OutcomeKind::HandedOver, reason, by, now).await
}

/// Decide `kind` on invoice `id`: one write conditional on the revision read (read and decided again on a
/// conflict), then what any invoice change sets going (waiting drafts about it voided). The same decision
/// again returns the invoice as it stands.
async fn decide_invoice<S: Store>(
    store: &S,
    policy: &Policy,
    id: &InvoiceId,
    kind: OutcomeKind,
    reason: Option<&str>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Invoice, CoreError> {
    let reason = reason_for(kind, &id.0, reason)?;
    let by = Actor::person(by);
    let written = rewrite_invoice(store, policy, id, now, |stored| {
        let stored = stored.ok_or_else(|| CoreError::NotFound {
            what: "invoice",
            id: id.0.clone(),
        })?;
        Ok(match decide(stored, kind, &reason, &by, now)? {
            Decided::Changed(decided) => Rewrite::Write(*decided),
            Decided::AlreadyDone => Rewrite::Keep(format!("already {}", kind.as_str())),
        })
    })
    .await?;
    match written {
        Rewrite::Write((invoice, _)) => Ok(invoice),
        Rewrite::Keep(_) => store.invoice(id).await?.ok_or_else(|| CoreError::NotFound {
            what: "invoice",
            id: id.0.clone(),
        }),
    }
}

/// Keep chasing: the decision task `task` waits until `until`, a later day in the customer's calendar, and
/// its invoices are reminded of nothing before then ([`snooze`]: the task is cancelled, and on that day
/// the same plan brings it back). `until` not after the customer's today is refused, naming `until`.
pub async fn keep_chasing<S: Store>(
    store: &S,
    policy: &Policy,
    task: &ReminderId,
    until: Option<NaiveDate>,
    reason: Option<String>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Reminder, CoreError> {
    let until = until.ok_or_else(|| CoreError::InvalidField {
        record: "task",
        id: task.0.clone(),
        field: "until",
        problem: "is missing: the day to chase again from".into(),
    })?;
    snooze(store, policy, task, by, until, reason, now).await
}

/// Carry out the ladder's last step on the decision task `task`: keep chasing from `until`
/// ([`keep_chasing`]), or mark the task done with what was decided and then write off, hand over or put on
/// a plan each invoice it covers that is still owed. Reasons and refusals (a payment on its way) are
/// checked for every invoice first, so bad input changes nothing. Once the task is done (`open` false),
/// the same decision again carries it out again with the reason recorded on the task — each invoice's
/// decision is safe to repeat — so a crash between marking the task and deciding its invoices loses
/// nothing; any other decision is refused.
#[allow(clippy::too_many_arguments)]
pub(super) async fn decide_task<S: Store>(
    store: &S,
    policy: &Policy,
    task: &Reminder,
    open: bool,
    decision: TaskAction,
    reason: Option<String>,
    until: Option<NaiveDate>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Reminder, CoreError> {
    let no_longer_open = || {
        CoreError::Conflict(format!(
            "task {} is no longer open (the reminder is {})",
            task.id, task.status
        ))
    };
    let kind = match decision {
        TaskAction::WriteOff => OutcomeKind::WrittenOff,
        TaskAction::HandOver => OutcomeKind::HandedOver,
        // A plan needs its terms, which a task's decision does not carry: it is made with them
        // ([`super::make_plan`] naming this task), and that marks the task decided.
        TaskAction::AgreePlan => {
            return Err(CoreError::InvalidField {
                record: "task",
                id: task.id.0.clone(),
                field: "decision",
                problem: "a plan is agreed with its terms: make it naming this task (`kindly plan create … --task`, or the plan form)".into(),
            });
        }
        _ if open => return keep_chasing(store, policy, &task.id, until, reason, by, now).await,
        _ => return Err(no_longer_open()),
    };
    let owed: Vec<Invoice> = store
        .invoices(&task.invoice_ids())
        .await?
        .into_iter()
        .filter(|invoice| !matches!(invoice.status, InvoiceStatus::Paid | InvoiceStatus::Void))
        .collect();
    let (reason, decider, done) = if open {
        let reason = reason_for(kind, &task.id.0, reason.as_deref())?;
        for invoice in &owed {
            decide(invoice, kind, &reason, &Actor::person(by), now)?;
        }
        let done = mark_decided(store, &task.id, task_note(kind, &reason), by, now).await?;
        (reason, by.to_owned(), done)
    } else {
        // Decided before: by whom and why, as the task recorded it.
        let (reason, decider) = task
            .history
            .iter()
            .filter(|step| step.from == ReminderStatus::PendingApproval && !step.by.is_system())
            .find_map(|step| Some((reason_in_note(kind, step.note.as_deref()?)?, step.by.to_string())))
            .ok_or_else(no_longer_open)?;
        (reason.to_owned(), decider, task.clone())
    };
    for invoice in &owed {
        decide_invoice(store, policy, &invoice.id, kind, Some(&reason), &decider, now).await?;
    }
    Ok(done)
}

/// Mark the decision task `id` done by `by`, noting what was decided, before the decision is carried out
/// on its invoices: carrying it out voids what waits about them, the task included. Conditional on the
/// task still waiting for a person.
pub(super) async fn mark_decided<S: Store>(
    store: &S,
    id: &ReminderId,
    note: String,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Reminder, CoreError> {
    let mut task = load(store, id).await?;
    task.transition(ReminderStatus::Approved, now, &Actor::person(by), Some(note))?;
    store
        .update_reminder(&task, ReminderStatus::PendingApproval, &[])
        .await?;
    Ok(task)
}
