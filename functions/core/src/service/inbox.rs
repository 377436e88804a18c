//! The staff side of listening: the tasks inbox, doing a task, a customer's timeline and the reasons
//! report. Every read is by key or index (answers needing staff, reminders by status, a customer's
//! records, answers by time); the shaping is pure ([`crate::tasks`], [`crate::timeline`],
//! [`crate::reasons`]); doing a task is the service that fits it (settle, approve, resolve, fix a contact).

use super::feedback::fix_contact;
use super::last_step::decide_task;
use super::payment_plans::decide_plan_request;
use super::reads::load;
use super::review::{Resolution, approve, resolve};
use super::settle::{Decision, settle_answer};
use crate::answer::{Answer, AnswerId};
use crate::customer::{Customer, CustomerId};
use crate::error::CoreError;
use crate::invoice::InvoiceId;
use crate::last_step::decision_stage;
use crate::policy::Policy;
use crate::ports::Store;
use crate::reasons::{ReasonsReport, reasons_report, start_of_period};
use crate::reminder::{Reminder, ReminderId};
use crate::status::ReminderStatus;
use crate::tasks::{Names, Task, TaskAction, TaskKind, answer_task, inbox, reminder_task};
use crate::timeline::{Entry, timeline};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::BTreeSet;

/// How far back the inbox shows answers people settled.
pub const RECENTLY_DONE_DAYS: i64 = 14;

/// The inbox: what waits, oldest first, and the answers people settled lately, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbox {
    pub open: Vec<Task>,
    pub done: Vec<Task>,
}

/// Read the tasks inbox as of `now`; `policy` says which manual task is the ladder's last step.
pub async fn open_tasks<S: Store>(store: &S, policy: &Policy, now: DateTime<Utc>) -> Result<Inbox, CoreError> {
    let answers = store.answers_needing_staff().await?;
    let pending = store.reminders_with_status(ReminderStatus::PendingApproval).await?;
    let pending: Vec<Reminder> = pending.into_iter().filter(|r| r.draft.is_none()).collect();
    let mut failed = store.reminders_with_status(ReminderStatus::Failed).await?;
    failed.extend(store.reminders_with_status(ReminderStatus::Undelivered).await?);
    let mut settled = store.answers_since(now - Duration::days(RECENTLY_DONE_DAYS)).await?;
    settled.retain(|answer| {
        answer
            .settled
            .as_ref()
            .is_some_and(|settled| !settled.by.is_system() && settled.at >= now - Duration::days(RECENTLY_DONE_DAYS))
    });
    let reminders = pending.iter().chain(&failed);
    let (customers, invoices) = names_for(store, answers.iter().chain(&settled), reminders).await?;
    let names = Names::new(&customers, &invoices).deciding_at(decision_stage(policy));
    let mut done: Vec<Task> = settled.iter().map(|answer| answer_task(answer, &names)).collect();
    done.sort_by(|a, b| {
        let at = |task: &Task| task.done.as_ref().map(|done| done.at);
        at(b).cmp(&at(a))
    });
    Ok(Inbox {
        open: inbox(&answers, &pending, &failed, &names),
        done,
    })
}

/// The customers and invoices a set of answers and reminders name (for their names and numbers).
async fn names_for<'a, S: Store>(
    store: &S,
    answers: impl Iterator<Item = &'a Answer>,
    reminders: impl Iterator<Item = &'a Reminder>,
) -> Result<(Vec<Customer>, Vec<crate::invoice::Invoice>), CoreError> {
    let mut customer_ids = BTreeSet::new();
    let mut invoice_ids = BTreeSet::new();
    for answer in answers {
        customer_ids.insert(answer.customer_id.clone());
        invoice_ids.extend(answer.invoices.iter().cloned());
    }
    for reminder in reminders {
        customer_ids.insert(reminder.customer_id.clone());
        invoice_ids.extend(reminder.invoice_ids());
    }
    let customer_ids: Vec<CustomerId> = customer_ids.into_iter().collect();
    let invoice_ids: Vec<InvoiceId> = invoice_ids.into_iter().collect();
    Ok((
        store.customers(&customer_ids).await?,
        store.invoices(&invoice_ids).await?,
    ))
}

/// Do task `id` (an answer's or a reminder's id): `decision` must be one the task offers, with a `reason`
/// where it needs one and the new address (`email`) to fix a contact. Settles an answer
/// ([`settle_answer`]), marks a manual task done (approving it: the next send run records it done),
/// resolves a failed send ([`resolve`]) or fixes the contact an undelivered message went to
/// ([`fix_contact`]), or carries out the ladder's last step ([`decide_task`]: `until` is the day to keep
/// chasing from; the same write-off, hand-over or plan again carries it out again, safely). Returns the task as it stands after, with who did what when. A decision that does
/// not fit, or a reason, address or day where none is taken, changes nothing and names the field.
#[allow(clippy::too_many_arguments)]
pub async fn do_task<S: Store>(
    store: &S,
    policy: &Policy,
    id: &str,
    decision: TaskAction,
    reason: Option<String>,
    email: Option<String>,
    until: Option<NaiveDate>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Task, CoreError> {
    let reason = reason
        .map(|reason| reason.trim().to_owned())
        .filter(|reason| !reason.is_empty());
    let invalid = |field: &'static str, problem: String| CoreError::InvalidField {
        record: "task",
        id: id.to_owned(),
        field,
        problem,
    };
    let takes_reason = decision.needs_reason()
        || matches!(
            decision,
            TaskAction::UpholdDispute
                | TaskAction::WentOut
                | TaskAction::NotSent
                | TaskAction::WriteOff
                | TaskAction::HandOver
                | TaskAction::AgreePlan
                | TaskAction::DeclinePlan
                | TaskAction::KeepChasing
        );
    if reason.is_some() && !takes_reason {
        return Err(invalid("reason", format!("`{decision}` takes no reason; leave it out")));
    }
    let email = email
        .map(|email| email.trim().to_owned())
        .filter(|email| !email.is_empty());
    match (decision, &email) {
        (TaskAction::FixContact, None) => {
            return Err(invalid("email", "is missing: the address to write to instead".into()));
        }
        (TaskAction::FixContact, Some(_)) | (_, None) => {}
        (other, Some(_)) => return Err(invalid("email", format!("`{other}` takes no address; leave it out"))),
    }
    if until.is_some() && decision != TaskAction::KeepChasing {
        return Err(invalid("until", format!("`{decision}` takes no day; leave it out")));
    }
    if let Some(answer) = store.answer(&AnswerId(id.to_owned())).await? {
        let decision = match decision {
            TaskAction::ConfirmPayment => Decision::ConfirmPayment,
            TaskAction::RejectPayment => Decision::RejectPayment {
                reason: reason.unwrap_or_default(),
            },
            TaskAction::UpholdDispute => Decision::UpholdDispute { note: reason },
            TaskAction::RejectDispute => Decision::RejectDispute {
                reason: reason.unwrap_or_default(),
            },
            TaskAction::ConfirmContact => Decision::ConfirmContact,
            TaskAction::RejectContact => Decision::RejectContact {
                reason: reason.unwrap_or_default(),
            },
            TaskAction::Done => Decision::Done,
            other => {
                return Err(invalid(
                    "decision",
                    not_offered(other, &TaskAction::for_answer(&answer.kind)),
                ));
            }
        };
        let settled = settle_answer(store, policy, &answer.id, decision, by, now).await?;
        let (customers, invoices) = names_for(store, std::iter::once(&settled), std::iter::empty()).await?;
        return Ok(answer_task(&settled, &Names::new(&customers, &invoices)));
    }
    let reminder_id = ReminderId(id.to_owned());
    let reminder = load(store, &reminder_id).await.map_err(|_| CoreError::NotFound {
        what: "task",
        id: id.to_owned(),
    })?;
    let (customers, invoices) = names_for(store, std::iter::empty(), std::iter::once(&reminder)).await?;
    let names = Names::new(&customers, &invoices).deciding_at(decision_stage(policy));
    let Some(task) = reminder_task(&reminder, &names) else {
        return Err(CoreError::Conflict(format!(
            "reminder {id} is a message, not a task: approve, skip or snooze it"
        )));
    };
    if task.kind == TaskKind::Decision && TaskKind::Decision.offers(decision) {
        let open = !task.actions.is_empty();
        let done = decide_task(store, policy, &reminder, open, decision, reason, until, by, now).await?;
        return Ok(reminder_task(&done, &names).expect("a task stays a task"));
    }
    if task.kind == TaskKind::PlanRequest && TaskKind::PlanRequest.offers(decision) {
        let agree = decision == TaskAction::AgreePlan;
        let done = decide_plan_request(store, policy, &reminder_id, agree, reason.as_deref(), by, now).await?;
        return Ok(reminder_task(&done, &names).expect("a task stays a task"));
    }
    if task.actions.is_empty() {
        return Err(CoreError::Conflict(format!(
            "task {id} is no longer open (the reminder is {})",
            reminder.status
        )));
    }
    if !task.actions.contains(&decision) {
        return Err(invalid("decision", not_offered(decision, &task.actions)));
    }
    let done = match decision {
        TaskAction::FixContact => {
            let old = blocked_recipient(store, &reminder).await?.ok_or_else(|| {
                invalid(
                    "email",
                    "the message's addresses are no longer blocked; nothing to fix".into(),
                )
            })?;
            let new = email.unwrap_or_default();
            fix_contact(store, policy, &reminder.customer_id, &old, &new, by, now).await?;
            load(store, &reminder_id).await?
        }
        TaskAction::Done => approve(store, &reminder_id, by, "", None, now).await?,
        TaskAction::WentOut => resolve(store, policy, &reminder_id, by, Resolution::WentOut, reason, now).await?,
        _ => resolve(store, policy, &reminder_id, by, Resolution::NotSent, reason, now).await?,
    };
    Ok(reminder_task(&done, &names).expect("a task stays a task"))
}

/// The first address `reminder` went to that the customer's contacts now block.
async fn blocked_recipient<S: Store>(store: &S, reminder: &Reminder) -> Result<Option<String>, CoreError> {
    let Some(customer) = store.customer(&reminder.customer_id).await? else {
        return Ok(None);
    };
    Ok(reminder
        .draft
        .iter()
        .flat_map(|draft| draft.context.to.iter())
        .map(|to| to.email.clone())
        .find(|email| customer.blocks(email)))
}

fn not_offered(decision: TaskAction, offered: &[TaskAction]) -> String {
    let names: Vec<&str> = offered.iter().map(|action| action.as_str()).collect();
    format!("`{decision}` does not fit this task; it takes {}", names.join(" or "))
}

/// A customer and their timeline, newest first.
pub async fn customer_timeline<S: Store>(store: &S, id: &CustomerId) -> Result<(Customer, Vec<Entry>), CoreError> {
    let customer = store.customer(id).await?.ok_or_else(|| CoreError::NotFound {
        what: "customer",
        id: id.0.clone(),
    })?;
    let reminders = store.reminders_of_customer(id).await?;
    let answers = store.answers_of_customer(id).await?;
    let invoices = store.invoices_of_customer(id).await?;
    Ok((customer, timeline(&reminders, &answers, &invoices)))
}

/// The reasons report of the `months` months up to `today`'s, and the customers it names.
pub async fn reasons<S: Store>(
    store: &S,
    today: NaiveDate,
    months: u32,
) -> Result<(ReasonsReport, Vec<Customer>), CoreError> {
    let from = start_of_period(today, months);
    // A day early: an answer's local date may be a day behind UTC's.
    let since = (from - Duration::days(1)).and_time(chrono::NaiveTime::MIN).and_utc();
    let recent = store.answers_since(since).await?;
    let customer_ids: Vec<CustomerId> = recent
        .iter()
        .map(|answer| answer.customer_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut answers = Vec::new();
    let mut reminders = Vec::new();
    for id in &customer_ids {
        answers.extend(store.answers_of_customer(id).await?);
        reminders.extend(store.reminders_of_customer(id).await?);
    }
    let report = reasons_report(&answers, &reminders, from, today);
    Ok((report, store.customers(&customer_ids).await?))
}
