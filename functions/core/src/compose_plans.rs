//! Composing what kindly says about payment plans: the gentle note before an instalment, the one courteous
//! reminder after a missed one, the task asking staff to decide a plan a customer asked for, and the words
//! a ladder message uses for a plan that broke. Pure, like [`crate::compose`].

use crate::compose::{Said, compose_reminder, covered_at};
use crate::compose_answers::own_stage;
use crate::customer::Customer;
use crate::error::CoreError;
use crate::instalments::PaymentPlan;
use crate::invoice::Invoice;
use crate::money::{format_date, format_money};
use crate::policy::{INSTALMENT_MISSED_STAGE, INSTALMENT_NOTE_STAGE, PLAN_REQUEST_STAGE, Policy, Stage};
use crate::reminder::{Reminder, ReminderId};
use crate::tone::Approval;
use chrono::{DateTime, NaiveDate, Utc};
use kindly_render::{AnswerView, INSTALMENT_TEMPLATE};

/// Which of a plan's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanNote {
    /// Before instalment `index`'s day.
    Before { index: usize },
    /// After instalment `index` was missed; the plan breaks after `breaks_on` unless it is paid.
    Missed { index: usize, breaks_on: NaiveDate },
}

impl PlanNote {
    fn index(self) -> usize {
        match self {
            PlanNote::Before { index } | PlanNote::Missed { index, .. } => index,
        }
    }
}

/// The id a plan's note takes: one per plan, instalment and kind, so it is said once.
pub fn plan_note_id(plan: &PaymentPlan, note: PlanNote) -> ReminderId {
    let suffix = plan.id.0.trim_start_matches("plan_");
    match note {
        PlanNote::Before { index } => ReminderId(format!("rem_inst_{suffix}_{}", index + 1)),
        PlanNote::Missed { index, .. } => ReminderId(format!("rem_miss_{suffix}_{}", index + 1)),
    }
}

/// `note` about `plan` (agreed on the customer-local `agreed_on`), to go out on `local_date`, covering those
/// of its `invoices` still owed; approved at once, from the ladder's first sender. `None` when nothing of
/// them is owed or the instalment does not exist.
#[allow(clippy::too_many_arguments)]
pub fn plan_note(
    policy: &Policy,
    customer: &Customer,
    plan: &PaymentPlan,
    invoices: &[Invoice],
    note: PlanNote,
    agreed_on: NaiveDate,
    local_date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Option<Reminder>, CoreError> {
    let index = note.index();
    let Some(instalment) = plan.instalments.get(index) else {
        return Ok(None);
    };
    let owed: Vec<&Invoice> = invoices
        .iter()
        .filter(|invoice| plan.invoices.contains(&invoice.id) && !invoice.balance().is_zero())
        .collect();
    if owed.is_empty() {
        return Ok(None);
    }
    let left = instalment.amount - plan.paid_towards(invoices)[index];
    let (stage_id, kind, until) = match note {
        PlanNote::Before { .. } => (INSTALMENT_NOTE_STAGE, "instalment", None),
        PlanNote::Missed { breaks_on, .. } => (INSTALMENT_MISSED_STAGE, "instalment_missed", Some(breaks_on)),
    };
    let stage = own_stage(policy, stage_id, INSTALMENT_TEMPLATE);
    let locale = &customer.locale;
    let view = AnswerView {
        kind: kind.to_owned(),
        said_on: format_date(agreed_on, locale),
        day: Some(format_date(customer.calendar().on_or_after(instalment.due), locale)),
        until: until.map(|day| format_date(day, locale)),
        invoices: owed.iter().map(|invoice| invoice.number.clone()).collect(),
        category: None,
        state: "open".to_owned(),
        reason: None,
        contact: None,
        amount: Some(format_money(left, plan.currency, locale)),
        instalment: Some(u32::try_from(index + 1).unwrap_or(u32::MAX)),
        instalments: Some(u32::try_from(plan.instalments.len()).unwrap_or(u32::MAX)),
    };
    let said = Said {
        answer: Some(view),
        earlier: Vec::new(),
        id: Some(plan_note_id(plan, note)),
    };
    let covers = covered_at(&stage, &owed);
    compose_reminder(policy, &stage, customer, &owed, covers, local_date, now, said).map(Some)
}

/// The task asking staff to decide `plan`, which the customer asked for outside the policy's limits
/// (`why`, naming what): one per plan, waiting for a person.
pub fn plan_request_task(
    policy: &Policy,
    customer: &Customer,
    plan: &PaymentPlan,
    invoices: &[&Invoice],
    why: &str,
    local_date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Reminder, CoreError> {
    let first = plan.instalments.first().map(|instalment| instalment.due);
    let task = format!(
        "{} asked for a payment plan outside the policy's limits ({why}): {} {} instalments from {}, {} in all. Agree it, or decline it.",
        customer.display_name,
        plan.instalments.len(),
        plan.frequency.as_str(),
        first.map_or_else(String::new, |day| day.to_string()),
        format_money(
            plan.instalments.iter().map(|instalment| instalment.amount).sum(),
            plan.currency,
            &customer.locale
        ),
    );
    // kindly's own stage, but a task for a person: no message, and it waits for them.
    let stage = Stage {
        template: None,
        approval: Approval::Required,
        task: Some(task),
        ..own_stage(policy, PLAN_REQUEST_STAGE, "")
    };
    let said = Said {
        id: Some(plan_request_id(plan)),
        ..Said::default()
    };
    let covers = covered_at(&stage, invoices);
    compose_reminder(policy, &stage, customer, invoices, covers, local_date, now, said)
}

/// The id of the task deciding `plan`.
pub fn plan_request_id(plan: &PaymentPlan) -> ReminderId {
    ReminderId(format!("rem_planreq_{}", plan.id.0.trim_start_matches("plan_")))
}

#[cfg(test)]
#[path = "compose_plans_tests.rs"]
mod tests;
