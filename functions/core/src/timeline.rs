//! A customer's timeline: the messages sent, their answers and how each was settled, the tasks staff had
//! about them, the payments kindly saw, and the notes people left (why a reminder was skipped or snoozed) —
//! one list, newest first, so whoever phones the customer knows where things stand. Pure: it reads the
//! customer's reminders, answers and invoices (all by the customer's key) and renders no message.

use crate::actor::Actor;
use crate::answer::Answer;
use crate::invoice::{Invoice, InvoiceId};
use crate::reminder::Reminder;
use crate::status::ReminderStatus;
use crate::tasks::{Names, reminder_task, said};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// What a timeline entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntryKind {
    Message,
    Answer,
    Task,
    Payment,
    Note,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Message => "message",
            EntryKind::Answer => "answer",
            EntryKind::Task => "task",
            EntryKind::Payment => "payment",
            EntryKind::Note => "note",
        }
    }
}

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub at: DateTime<Utc>,
    pub kind: EntryKind,
    /// The stage, the answer's kind, or what happened in a word or two.
    pub title: String,
    /// What was said or done, in a line.
    pub text: String,
    /// Where it stands now (an answer's state, a task's status), if it has a state.
    pub state: Option<String>,
    /// Who did it, when a person or kindly did (not the customer).
    pub by: Option<Actor>,
    /// The invoices' numbers.
    pub invoices: Vec<String>,
    /// The answer's or reminder's id.
    pub id: String,
}

/// The timeline of one customer from their records, newest first.
pub fn timeline(reminders: &[Reminder], answers: &[Answer], invoices: &[Invoice]) -> Vec<Entry> {
    let customers = [];
    let names = Names::new(&customers, invoices);
    let numbers: HashMap<&InvoiceId, &str> = invoices.iter().map(|i| (&i.id, i.number.as_str())).collect();
    let numbers_of = |ids: &[InvoiceId]| -> Vec<String> {
        ids.iter()
            .map(|id| numbers.get(id).copied().unwrap_or(&id.0).to_owned())
            .collect()
    };
    let mut entries = Vec::new();
    for reminder in reminders {
        entries.extend(reminder_entries(reminder, &names, &numbers_of(&reminder.invoice_ids())));
    }
    for answer in answers {
        let invoices = numbers_of(&answer.invoices);
        entries.push(Entry {
            at: answer.at,
            kind: EntryKind::Answer,
            title: answer.kind.name().to_owned(),
            text: said(&answer.kind),
            state: Some(answer.state.as_str().to_owned()),
            by: None,
            invoices: invoices.clone(),
            id: answer.id.0.clone(),
        });
        if let Some(settled) = &answer.settled {
            let text = match &settled.note {
                Some(note) => format!("{} {}: {note}", answer.kind.name(), answer.state.as_str()),
                None => format!("{} {}", answer.kind.name(), answer.state.as_str()),
            };
            entries.push(Entry {
                at: settled.at,
                kind: EntryKind::Answer,
                title: "settled".to_owned(),
                text,
                state: Some(answer.state.as_str().to_owned()),
                by: Some(settled.by.clone()),
                invoices,
                id: answer.id.0.clone(),
            });
        }
    }
    for invoice in invoices {
        for (payment, flight) in &invoice.bookkeeping.payments_in_flight {
            entries.push(Entry {
                at: flight.at,
                kind: EntryKind::Payment,
                title: if flight.pending {
                    "payment pending"
                } else {
                    "payment failed"
                }
                .to_owned(),
                text: format!("{payment} for {}", invoice.number),
                state: None,
                by: None,
                invoices: vec![invoice.number.clone()],
                id: invoice.id.0.clone(),
            });
        }
    }
    entries.sort_by(|a, b| {
        b.at.cmp(&a.at)
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.id.cmp(&b.id))
    });
    entries
}

/// What one reminder adds: its message once sent, a task it was, the payment a thank-you answers, and the
/// notes people gave with its steps.
fn reminder_entries(reminder: &Reminder, names: &Names, invoices: &[String]) -> Vec<Entry> {
    let mut entries = Vec::new();
    let entry = |at, kind, title: String, text: String, state: Option<String>, by: Option<Actor>| Entry {
        at,
        kind,
        title,
        text,
        state,
        by,
        invoices: invoices.to_vec(),
        id: reminder.id.0.clone(),
    };
    if reminder.is_thank_you() {
        entries.push(entry(
            reminder.created_at,
            EntryKind::Payment,
            "paid".to_owned(),
            format!("paid in full: {}", invoices.join(", ")),
            None,
            None,
        ));
    }
    if let Some(task) = reminder_task(reminder, names) {
        let by = task.done.as_ref().map(|done| done.by.clone());
        let state = match &task.done {
            Some(done) => done.outcome.clone(),
            None => reminder.status.as_str().to_owned(),
        };
        entries.push(entry(
            task.since,
            EntryKind::Task,
            task.topic,
            task.text,
            Some(state),
            by,
        ));
    }
    if let (Some(draft), Some(sent)) = (
        &reminder.draft,
        reminder.history.iter().rfind(|step| step.to == ReminderStatus::Sent),
    ) {
        let to: Vec<&str> = draft.context.to.iter().map(|mailbox| mailbox.email.as_str()).collect();
        entries.push(entry(
            sent.at,
            EntryKind::Message,
            reminder.stage_id.clone(),
            format!("sent to {}", to.join(", ")),
            None,
            reminder.approval.as_ref().map(|approval| approval.by.clone()),
        ));
    }
    for step in &reminder.history {
        if let (Some(note), Actor::Person { .. }) = (&step.note, &step.by) {
            entries.push(entry(
                step.at,
                EntryKind::Note,
                format!("{} {}", reminder.stage_id, step.to),
                note.clone(),
                None,
                Some(step.by.clone()),
            ));
        }
    }
    entries
}

#[cfg(test)]
#[path = "timeline_tests.rs"]
mod tests;
