//! The planner: a pure function of (now, policy, customers, invoices, history) → who gets which reminder.
//!
//! Rules it keeps (each is a property test below):
//! - one consolidated reminder per customer per pass, covering every invoice that reached a new stage;
//!   the most advanced stage sets the tone;
//! - after missed runs, one reminder at the most advanced stage reached whose tone is at most one step
//!   above what the invoice last got — never a burst, never a jump from sweet to stern;
//! - a stage the mail system said did not arrive is said again before any later one;
//! - at least `min_gap_days` between two messages to one customer;
//! - nothing for paused customers or for invoices that are not open with a balance;
//! - one conversation per customer ([`crate::conversation`]): while it is live, no message is gentler than
//!   its tone; an invoice whose stage is gentler rides along in the next message and starts none.

use crate::answer::{Answer, AnswerId};
use crate::calendar::{Calendar, sending_day};
use crate::conversation::{ConversationFacts, leads};
use crate::customer::{Customer, CustomerId};
use crate::invoice::{DunningProgress, Invoice, InvoiceId};
use crate::policy::Policy;
use crate::reminder::{CoveredInvoice, Reminder, ReminderId};
use crate::status::ReminderStatus;
use crate::tone::Tone;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What the planner needs to know of a customer's earlier reminders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerHistory {
    /// The customer's local date of the latest message that went out.
    pub last_sent_on: Option<NaiveDate>,
    /// A reminder still on its way, if any.
    pub open: Option<(ReminderId, ReminderStatus)>,
    /// A reminder that failed and waits for a person to say whether it went out.
    pub unresolved_failure: Option<ReminderId>,
    /// The customer's answers ([`crate::answer`]): one naming another contact holds every message until
    /// staff decide, and later messages refer to the rest.
    pub answers: Vec<Answer>,
    /// Per invoice, the ladder stage of a message the mail system said did not arrive (undelivered, let go
    /// once staff fixed the contact, or planned again) that no sent message has said since.
    pub unsaid: BTreeMap<InvoiceId, String>,
    /// The customer's conversation, read from all their invoices (the pass reads them for the customers it
    /// plans); the default is none live.
    pub conversation: ConversationFacts,
}

impl CustomerHistory {
    pub fn from_reminders<'a>(reminders: impl IntoIterator<Item = &'a Reminder>) -> CustomerHistory {
        let mut history = CustomerHistory::default();
        // A thank-you or a payment review asks the customer for nothing: it neither holds a reminder back
        // (nor is superseded by one) nor starts the gap before one.
        let reminders: Vec<&Reminder> = reminders
            .into_iter()
            .filter(|reminder| !reminder.is_off_ladder())
            .collect();
        let said: BTreeSet<(&InvoiceId, &str)> = reminders
            .iter()
            .filter(|reminder| reminder.status == ReminderStatus::Sent)
            .flat_map(|reminder| reminder.covers.iter())
            .map(|covered| (&covered.invoice_id, covered.stage_id.as_str()))
            .collect();
        for reminder in &reminders {
            // Undelivered, let go once the contact was fixed, or planned again and not sent yet (a later
            // stage must not supersede it); a stage staff skipped is decided.
            let did_not_arrive = !matches!(reminder.status, ReminderStatus::Sent | ReminderStatus::Skipped)
                && reminder
                    .history
                    .iter()
                    .any(|step| step.to == ReminderStatus::Undelivered);
            for covered in reminder.covers.iter().filter(|_| did_not_arrive) {
                if !said.contains(&(&covered.invoice_id, covered.stage_id.as_str())) {
                    history
                        .unsaid
                        .insert(covered.invoice_id.clone(), covered.stage_id.clone());
                }
            }
        }
        for reminder in reminders {
            // A message that never arrived (undelivered, then let go) starts no gap either.
            let arrived = !matches!(reminder.status, ReminderStatus::Undelivered | ReminderStatus::Cancelled);
            if reminder.draft.is_some() && arrived {
                history.last_sent_on = history.last_sent_on.max(reminder.sent_on);
            }
            if reminder.status == ReminderStatus::Failed {
                history.unresolved_failure = Some(reminder.id.clone());
            }
            if reminder.status.is_open() {
                history.open = Some((reminder.id.clone(), reminder.status));
            }
        }
        history
    }
}

/// A reminder the pass should draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedReminder {
    pub id: ReminderId,
    pub customer_id: CustomerId,
    /// The customer's local date.
    pub local_date: NaiveDate,
    /// Index into [`Policy::stages`] of the most advanced stage covered.
    pub stage_index: usize,
    /// Sorted by invoice id.
    pub covers: Vec<CoveredInvoice>,
    /// A pending draft this one replaces (the situation changed since it was drafted).
    pub supersedes: Option<ReminderId>,
}

/// Why a customer with invoices that need action gets nothing this pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldReason {
    Paused,
    /// The last message went out too recently.
    WithinGap {
        last_sent_on: NaiveDate,
    },
    /// An approved reminder is waiting to be sent (or being sent).
    AwaitingSend(ReminderId),
    /// The same reminder is already drafted and waiting for approval.
    AlreadyDrafted(ReminderId),
    /// Invoices name a customer the store does not have.
    UnknownCustomer,
    /// A reminder failed and waits for a person to resolve it (did it go out?): planning again before that
    /// could tell the customer the same thing twice.
    AwaitingResolution(ReminderId),
    /// The customer told us to write to someone else (staff have not yet confirmed or rejected it), wrote
    /// back by email (nobody has read it yet), or is away (an out-of-office note).
    AwaitingContact(AnswerId),
    /// Every billing address bounced (or complained): a person must fix the contact first.
    NoReachableContact,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub reminders: Vec<PlannedReminder>,
    pub held: Vec<(CustomerId, HoldReason)>,
}

/// The stage an invoice should get a reminder for on `local_date`, if any. `unsaid`: a stage of it that
/// did not arrive and has not been said since.
/// Stage days follow the customer's `calendar`. In a live conversation at `conversation`'s tone the
/// invoice may climb to that tone at once: the customer hears it already.
pub fn target_stage(
    policy: &Policy,
    invoice: &Invoice,
    local_date: NaiveDate,
    unsaid: Option<&str>,
    calendar: Calendar,
    conversation: Option<Tone>,
) -> Option<usize> {
    let snoozed = invoice.dunning.snoozed_until.is_some_and(|until| until > local_date);
    let held = invoice
        .bookkeeping
        .hold
        .as_ref()
        .is_some_and(|hold| hold.holds_on(local_date));
    if !invoice.is_remindable() || snoozed || held {
        return None;
    }
    let first_open = policy.stages_after(invoice.dunning.last_stage.as_deref());
    let reached_end = first_open
        + policy.stages[first_open..]
            .iter()
            .take_while(|stage| Policy::stage_date(stage, invoice.due_date, calendar) <= local_date)
            .count();
    if reached_end == first_open {
        return None;
    }
    // First contact may be at most friendly; after that, one tone step at a time.
    let tone_cap = invoice
        .dunning
        .last_tone
        .map_or(Tone::Friendly.level(), |tone| tone.level() + 1)
        .max(conversation.map_or(0, Tone::level));
    // After an answer held it (its hold over, or lifted by staff), the ladder goes on from where it was:
    // what was not yet said is said first, however far the calendar moved meanwhile — unless the
    // customer's conversation is past that tone already: then it climbs with the conversation, or it would
    // ride along for ever.
    if crate::conversation::leads(policy.stages[first_open].tone, conversation)
        && invoice
            .bookkeeping
            .hold
            .as_ref()
            .is_some_and(|hold| hold.resumes_gently(&invoice.dunning))
    {
        return Some(first_open);
    }
    // So is a stage that did not arrive: the customer never heard it, and the ladder rolled back to before it.
    if let Some(index) = unsaid
        .and_then(|stage| policy.stage_index(stage))
        .filter(|index| (first_open..reached_end).contains(index))
    {
        return Some(index);
    }
    let best = (first_open..reached_end)
        .rev()
        .find(|&index| policy.stages[index].tone.level() <= tone_cap)
        .unwrap_or(first_open);
    Some(best)
}

/// Decide this pass's reminders.
pub fn plan(
    now: DateTime<Utc>,
    policy: &Policy,
    customers: &HashMap<CustomerId, Customer>,
    invoices: &[Invoice],
    history: &HashMap<CustomerId, CustomerHistory>,
) -> Plan {
    let mut by_customer: BTreeMap<&CustomerId, Vec<&Invoice>> = BTreeMap::new();
    for invoice in invoices {
        by_customer.entry(&invoice.customer_id).or_default().push(invoice);
    }
    let no_history = CustomerHistory::default();
    let mut plan = Plan::default();
    for (customer_id, invoices) in by_customer {
        let Some(customer) = customers.get(customer_id) else {
            plan.held.push((customer_id.clone(), HoldReason::UnknownCustomer));
            continue;
        };
        // The day the message goes out on in the customer's zone: what it says must be true then.
        let calendar = customer.calendar();
        let hours = customer.sending_hours(policy.sending_hours);
        let local_date = sending_day(calendar, customer.time_zone, now, hours);
        let history = history.get(customer_id).unwrap_or(&no_history);
        let conversation = history.conversation.tone_on(local_date);
        let mut covers: Vec<(usize, CoveredInvoice)> = invoices
            .iter()
            .filter_map(|invoice| {
                let unsaid = history.unsaid.get(&invoice.id).map(String::as_str);
                let index = target_stage(policy, invoice, local_date, unsaid, calendar, conversation)?;
                let stage = &policy.stages[index];
                Some((
                    index,
                    CoveredInvoice {
                        invoice_id: invoice.id.clone(),
                        stage_id: stage.id.clone(),
                        tone: stage.tone,
                    },
                ))
            })
            .collect();
        // In a live conversation an invoice whose stage is gentler than its tone starts nothing: it rides
        // along in the next message, and only in a message (a task tells the customer nothing).
        let Some(stage_index) = covers
            .iter()
            .map(|(index, _)| *index)
            .filter(|index| leads(policy.stages[*index].tone, conversation))
            .max()
        else {
            continue;
        };
        if conversation.is_some() && policy.stages[stage_index].template.is_none() {
            covers.retain(|(index, _)| leads(policy.stages[*index].tone, conversation));
        }
        if customer.is_paused_on(local_date) {
            plan.held.push((customer_id.clone(), HoldReason::Paused));
            continue;
        }
        if let Some(answer) = history
            .answers
            .iter()
            .find(|answer| answer.holds_customer_on(local_date))
        {
            plan.held
                .push((customer_id.clone(), HoldReason::AwaitingContact(answer.id.clone())));
            continue;
        }
        if policy.stages[stage_index].template.is_some() && customer.reachable_contacts().next().is_none() {
            plan.held.push((customer_id.clone(), HoldReason::NoReachableContact));
            continue;
        }
        if let Some(last_sent_on) = history.last_sent_on
            && (local_date - last_sent_on).num_days() < i64::from(policy.min_gap_days)
        {
            plan.held
                .push((customer_id.clone(), HoldReason::WithinGap { last_sent_on }));
            continue;
        }
        covers.sort_by(|a, b| a.1.invoice_id.cmp(&b.1.invoice_id));
        let covers: Vec<CoveredInvoice> = covers.into_iter().map(|(_, covered)| covered).collect();
        let invoice_ids: Vec<_> = covers.iter().map(|covered| covered.invoice_id.clone()).collect();
        let id = ReminderId::for_plan(customer_id, &policy.stages[stage_index].id, &invoice_ids);
        if let Some(failed) = &history.unresolved_failure {
            plan.held
                .push((customer_id.clone(), HoldReason::AwaitingResolution(failed.clone())));
            continue;
        }
        let supersedes = match &history.open {
            Some((open_id, ReminderStatus::Approved | ReminderStatus::Sending)) => {
                plan.held
                    .push((customer_id.clone(), HoldReason::AwaitingSend(open_id.clone())));
                continue;
            }
            Some((open_id, _)) if *open_id == id => {
                plan.held
                    .push((customer_id.clone(), HoldReason::AlreadyDrafted(open_id.clone())));
                continue;
            }
            Some((open_id, _)) => Some(open_id.clone()),
            None => None,
        };
        plan.reminders.push(PlannedReminder {
            id,
            customer_id: customer_id.clone(),
            local_date,
            stage_index,
            covers,
            supersedes,
        });
    }
    plan
}

/// An invoice's progress once a reminder covering it at `covered.stage_id` was sent (or skipped) on
/// `local_date`: the ladder moves on and the next action date follows from the policy.
pub fn progress_after(policy: &Policy, invoice: &Invoice, covered: &CoveredInvoice, local_date: NaiveDate) -> Invoice {
    let mut updated = invoice.clone();
    updated.dunning.last_stage = Some(covered.stage_id.clone());
    updated.dunning.last_tone = Some(covered.tone);
    updated.dunning.last_reminded_on = Some(local_date);
    updated.dunning.next_action_on = policy.next_action_on(&updated);
    updated
}

/// The covered invoices' ladder progress once this reminder went out (`heard`) or was skipped: moved past
/// its stages. A skip moves the ladder but keeps the last tone the customer actually heard.
pub fn advance(
    policy: &Policy,
    reminder: &Reminder,
    invoices: &[Invoice],
    local_date: NaiveDate,
    heard: bool,
) -> Vec<(InvoiceId, DunningProgress)> {
    // A discount note sent (or skipped) is recorded, so that it is not planned again.
    if reminder.is_discount_note() {
        return invoices
            .iter()
            .filter(|invoice| reminder.covers.iter().any(|c| c.invoice_id == invoice.id))
            .map(|invoice| {
                let mut noted = invoice.clone();
                noted.dunning.discount_note_on = Some(local_date);
                noted.dunning.next_action_on = policy.next_action_on(&noted);
                (invoice.id.clone(), noted.dunning)
            })
            .collect();
    }
    if reminder.is_off_ladder() {
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
