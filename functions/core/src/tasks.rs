//! The staff's tasks inbox: one list of what a person must do — customers' answers waiting for a decision,
//! the policy's manual tasks and payment reviews waiting to be done, failed sends waiting to be resolved,
//! and undelivered messages whose contact needs fixing — each with the actions that fit it and, once done, who did what when. Pure: the service reads
//! the records by key and index ([`crate::service::open_tasks`]) and this module shapes them.

use crate::actor::Actor;
use crate::answer::{Answer, AnswerKind, AnswerState};
use crate::customer::{Customer, CustomerId};
use crate::invoice::{Invoice, InvoiceId};
use crate::reminder::Reminder;
use crate::status::ReminderStatus;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// What a task is about, which decides the actions that fit it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    /// A customer's answer (a claimed payment, a dispute, a new contact).
    Answer,
    /// A reminder that is only a task for staff: the policy's manual stages, payment reviews.
    Manual,
    /// A reminder whose sending failed.
    Failed,
    /// A message the mail system says did not arrive: the contact needs fixing.
    Undelivered,
    /// The ladder's last step ([`crate::last_step::decision_stage`]): write off, hand over, agree a plan or
    /// keep chasing.
    Decision,
    /// A payment plan a customer asked for outside the policy's limits: agree it or decline it.
    PlanRequest,
}

impl TaskKind {
    /// Whether `action` is one a task of this kind offers while open.
    pub fn offers(self, action: TaskAction) -> bool {
        TaskAction::for_reminder(self).contains(&action)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::Answer => "answer",
            TaskKind::Manual => "manual",
            TaskKind::Failed => "failed",
            TaskKind::Undelivered => "undelivered",
            TaskKind::Decision => "decision",
            TaskKind::PlanRequest => "plan_request",
        }
    }
}

/// What a person may do with a task. For answers, the staff decisions of
/// [`crate::service::Decision`]; for manual tasks, done; for failures, whether it went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaskAction {
    ConfirmPayment,
    RejectPayment,
    UpholdDispute,
    RejectDispute,
    ConfirmContact,
    RejectContact,
    Done,
    WentOut,
    NotSent,
    /// Write to a new address instead of the one that bounced (the new address comes with it).
    FixContact,
    /// Write the balance off (with why).
    WriteOff,
    /// Hand the account to a collections agency (a dossier goes with it).
    HandOver,
    /// Agree a payment plan: for the last step, one made with its terms; for a customer's request, as asked.
    AgreePlan,
    /// Decline the payment plan a customer asked for (why, optionally): the ladder goes on.
    DeclinePlan,
    /// Chase again from a later day (the day comes with it): the decision waits until then.
    KeepChasing,
}

impl TaskAction {
    pub const ALL: [TaskAction; 15] = [
        TaskAction::ConfirmPayment,
        TaskAction::RejectPayment,
        TaskAction::UpholdDispute,
        TaskAction::RejectDispute,
        TaskAction::ConfirmContact,
        TaskAction::RejectContact,
        TaskAction::Done,
        TaskAction::WentOut,
        TaskAction::NotSent,
        TaskAction::FixContact,
        TaskAction::WriteOff,
        TaskAction::HandOver,
        TaskAction::AgreePlan,
        TaskAction::DeclinePlan,
        TaskAction::KeepChasing,
    ];

    /// The action's name on the wire and in the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskAction::ConfirmPayment => "confirm_payment",
            TaskAction::RejectPayment => "reject_payment",
            TaskAction::UpholdDispute => "uphold_dispute",
            TaskAction::RejectDispute => "reject_dispute",
            TaskAction::ConfirmContact => "confirm_contact",
            TaskAction::RejectContact => "reject_contact",
            TaskAction::Done => "done",
            TaskAction::WentOut => "went_out",
            TaskAction::NotSent => "not_sent",
            TaskAction::FixContact => "fix_contact",
            TaskAction::WriteOff => "write_off",
            TaskAction::HandOver => "hand_over",
            TaskAction::AgreePlan => "agree_plan",
            TaskAction::DeclinePlan => "decline_plan",
            TaskAction::KeepChasing => "keep_chasing",
        }
    }

    /// Whether the action needs a reason (the customer reads it, or the history keeps it).
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            TaskAction::RejectPayment | TaskAction::RejectDispute | TaskAction::RejectContact
        )
    }

    /// The actions that fit an answer of `kind`.
    pub fn for_answer(kind: &AnswerKind) -> Vec<TaskAction> {
        match kind {
            AnswerKind::AlreadyPaid { .. } => vec![TaskAction::ConfirmPayment, TaskAction::RejectPayment],
            AnswerKind::Dispute { .. } => vec![TaskAction::UpholdDispute, TaskAction::RejectDispute],
            AnswerKind::WrongPerson { .. } => vec![TaskAction::ConfirmContact, TaskAction::RejectContact],
            // A reply is read, and then done: kindly writes again from the next pass.
            AnswerKind::Reply { .. } | AnswerKind::Complaint { .. } => vec![TaskAction::Done],
            AnswerKind::Promise { .. } | AnswerKind::ConfirmReceipt { .. } | AnswerKind::AutoReply { .. } => Vec::new(),
        }
    }

    /// The actions that fit a task of `kind` that is not an answer.
    pub fn for_reminder(kind: TaskKind) -> Vec<TaskAction> {
        match kind {
            TaskKind::Manual => vec![TaskAction::Done],
            TaskKind::Failed => vec![TaskAction::WentOut, TaskAction::NotSent],
            TaskKind::Undelivered => vec![TaskAction::FixContact],
            TaskKind::Decision => vec![
                TaskAction::WriteOff,
                TaskAction::HandOver,
                TaskAction::AgreePlan,
                TaskAction::KeepChasing,
            ],
            TaskKind::PlanRequest => vec![TaskAction::AgreePlan, TaskAction::DeclinePlan],
            TaskKind::Answer => Vec::new(),
        }
    }
}

impl std::fmt::Display for TaskAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for TaskAction {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim().replace('-', "_");
        TaskAction::ALL
            .into_iter()
            .find(|action| action.as_str() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = TaskAction::ALL.iter().map(|action| action.as_str()).collect();
                format!("`{text}` is not an action ({})", names.join(", "))
            })
    }
}

/// Who did what to a task, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDone {
    pub by: Actor,
    pub at: DateTime<Utc>,
    /// What was done: the answer's new state, or the reminder's new status.
    pub outcome: String,
    pub note: Option<String>,
}

/// One thing a person must do (or did).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// The answer's or the reminder's id.
    pub id: String,
    pub kind: TaskKind,
    /// The answer's kind (`already_paid`, `dispute`, …) or the reminder's stage.
    pub topic: String,
    pub customer_id: CustomerId,
    pub customer_name: String,
    /// The numbers of the invoices it is about.
    pub invoices: Vec<String>,
    /// What the customer said, the task's text, or why sending failed.
    pub text: String,
    /// Since when it waits.
    pub since: DateTime<Utc>,
    /// What a person may do now (none once done).
    pub actions: Vec<TaskAction>,
    pub done: Option<TaskDone>,
}

/// What the customer said, in one line for staff.
pub fn said(kind: &AnswerKind) -> String {
    match kind {
        AnswerKind::AlreadyPaid {
            paid_on,
            amount,
            reference,
        } => {
            let mut text = format!("paid on {paid_on}");
            if let Some(amount) = amount {
                text.push_str(&format!(", {amount}"));
            }
            if let Some(reference) = reference {
                text.push_str(&format!(", reference {reference}"));
            }
            text
        }
        AnswerKind::Dispute { category, text } => format!("{}: {text}", category.as_str()),
        AnswerKind::Promise { pay_by } => format!("will pay by {pay_by}"),
        AnswerKind::WrongPerson { name, email } => match name {
            Some(name) => format!("write to {name} <{email}>"),
            None => format!("write to {email}"),
        },
        AnswerKind::ConfirmReceipt { scheduled_for } => match scheduled_for {
            Some(day) => format!("received; scheduled for payment on {day}"),
            None => "received".to_owned(),
        },
        AnswerKind::Reply { from, subject, text } => format!("{from} wrote \"{subject}\":\n{text}"),
        AnswerKind::Complaint { email, feedback_type } => format!(
            "{email} marked our message as spam{}; we no longer write to that address",
            feedback_type
                .as_deref()
                .map(|kind| format!(" ({kind})"))
                .unwrap_or_default()
        ),
        AnswerKind::AutoReply { from, returns_on, .. } => match returns_on {
            Some(day) => format!("{from} is away until {day} (an automatic reply)"),
            None => format!("{from}: an automatic reply"),
        },
    }
}

/// The names and numbers a task list shows, read once for all its records.
pub struct Names<'a> {
    customers: HashMap<&'a CustomerId, &'a str>,
    invoices: HashMap<&'a InvoiceId, &'a str>,
    /// The stage whose task is the ladder's last step, if the policy has one.
    decision_stage: Option<&'a str>,
}

impl<'a> Names<'a> {
    pub fn new(customers: &'a [Customer], invoices: &'a [Invoice]) -> Names<'a> {
        Names {
            customers: customers.iter().map(|c| (&c.id, c.display_name.as_str())).collect(),
            invoices: invoices.iter().map(|i| (&i.id, i.number.as_str())).collect(),
            decision_stage: None,
        }
    }

    /// The same, knowing that a manual task of `stage` is the ladder's last step (a [`TaskKind::Decision`]).
    pub fn deciding_at(self, stage: Option<&'a str>) -> Names<'a> {
        Names {
            decision_stage: stage,
            ..self
        }
    }

    fn customer(&self, id: &CustomerId) -> String {
        self.customers.get(id).copied().unwrap_or(&id.0).to_owned()
    }

    fn numbers(&self, ids: &[InvoiceId]) -> Vec<String> {
        ids.iter()
            .map(|id| self.invoices.get(id).copied().unwrap_or(&id.0).to_owned())
            .collect()
    }
}

/// An answer as a task: open with its decisions while it needs staff, done with who settled it after.
pub fn answer_task(answer: &Answer, names: &Names) -> Task {
    let done = answer.settled.as_ref().map(|settled| TaskDone {
        by: settled.by.clone(),
        at: settled.at,
        outcome: answer.state.as_str().to_owned(),
        note: settled.note.clone(),
    });
    Task {
        id: answer.id.0.clone(),
        kind: TaskKind::Answer,
        topic: answer.kind.name().to_owned(),
        customer_id: answer.customer_id.clone(),
        customer_name: names.customer(&answer.customer_id),
        invoices: names.numbers(&answer.invoices),
        text: said(&answer.kind),
        since: answer.at,
        actions: match answer.needs_staff() {
            true => TaskAction::for_answer(&answer.kind),
            false => Vec::new(),
        },
        done: done.filter(|_| answer.state != AnswerState::Open),
    }
}

/// A reminder as a task, if it is one: a manual task (no message) or a failed send. Open while it waits
/// (pending approval, failed); done with the person's step after.
pub fn reminder_task(reminder: &Reminder, names: &Names) -> Option<Task> {
    let failed_once = reminder.history.iter().any(|step| step.to == ReminderStatus::Failed);
    let undelivered_once = reminder
        .history
        .iter()
        .any(|step| step.to == ReminderStatus::Undelivered);
    let kind = if reminder.is_plan_request() {
        TaskKind::PlanRequest
    } else if reminder.draft.is_none() {
        match names.decision_stage {
            Some(stage) if stage == reminder.stage_id && !reminder.is_payment_review() => TaskKind::Decision,
            _ => TaskKind::Manual,
        }
    } else if undelivered_once {
        TaskKind::Undelivered
    } else if failed_once {
        TaskKind::Failed
    } else {
        return None;
    };
    let open = reminder.status == waiting_status(kind);
    let since = match kind {
        TaskKind::Failed | TaskKind::Undelivered => reminder
            .history
            .iter()
            .rfind(|step| step.to == waiting_status(kind))
            .map_or(reminder.created_at, |step| step.at),
        _ => reminder.created_at,
    };
    // Done: the first step a person (or kindly, for a task no longer needed) took after it waited.
    let done = (!open)
        .then(|| {
            reminder
                .history
                .iter()
                .find(|step| step.at >= since && step.from == waiting_status(kind))
                .map(|step| TaskDone {
                    by: step.by.clone(),
                    at: step.at,
                    outcome: match (kind, step.to) {
                        (TaskKind::Manual | TaskKind::Decision | TaskKind::PlanRequest, ReminderStatus::Approved) => {
                            "done".to_owned()
                        }
                        (_, to) => to.as_str().to_owned(),
                    },
                    note: step.note.clone(),
                })
        })
        .flatten();
    let text = match kind {
        TaskKind::Manual | TaskKind::Decision | TaskKind::PlanRequest => reminder.task.clone().unwrap_or_default(),
        TaskKind::Undelivered => reminder
            .history
            .iter()
            .rfind(|step| step.to == ReminderStatus::Undelivered)
            .and_then(|step| step.note.clone())
            .unwrap_or_else(|| "not delivered".to_owned()),
        _ => reminder.failure.clone().unwrap_or_else(|| "sending failed".to_owned()),
    };
    Some(Task {
        id: reminder.id.0.clone(),
        kind,
        topic: reminder.stage_id.clone(),
        customer_id: reminder.customer_id.clone(),
        customer_name: names.customer(&reminder.customer_id),
        invoices: names.numbers(&reminder.invoice_ids()),
        text,
        since,
        actions: match open {
            true => TaskAction::for_reminder(kind),
            false => Vec::new(),
        },
        done,
    })
}

fn waiting_status(kind: TaskKind) -> ReminderStatus {
    match kind {
        TaskKind::Failed => ReminderStatus::Failed,
        TaskKind::Undelivered => ReminderStatus::Undelivered,
        _ => ReminderStatus::PendingApproval,
    }
}

/// The open tasks from what the store's indexes give: answers needing staff, reminders pending approval
/// (only those without a message are tasks), failed and undelivered reminders (in `failed`). Oldest first,
/// so nothing waits longest unseen.
pub fn inbox(answers: &[Answer], pending: &[Reminder], failed: &[Reminder], names: &Names) -> Vec<Task> {
    let mut tasks: Vec<Task> =
        answers
            .iter()
            .filter(|answer| answer.needs_staff())
            .map(|answer| answer_task(answer, names))
            .chain(
                pending
                    .iter()
                    .filter(|reminder| reminder.draft.is_none() && reminder.status == ReminderStatus::PendingApproval)
                    .chain(failed.iter().filter(|reminder| {
                        matches!(reminder.status, ReminderStatus::Failed | ReminderStatus::Undelivered)
                    }))
                    .filter_map(|reminder| reminder_task(reminder, names)),
            )
            .collect();
    tasks.sort_by(|a, b| a.since.cmp(&b.since).then_with(|| a.id.cmp(&b.id)));
    tasks
}

#[cfg(test)]
#[path = "tasks_tests.rs"]
mod tests;
