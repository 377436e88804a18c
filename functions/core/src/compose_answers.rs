//! Composing what kindly says about a customer's answers: the acknowledgement of each answer, the courteous
//! note the business day before a promised payment, and the references later messages make to answers
//! ("On 3 March you told us you had paid…"). Pure, like [`crate::compose`].

use crate::answer::{Answer, AnswerKind, AnswerState};
use crate::compose::{Said, compose_reminder, covered_at};
use crate::customer::Customer;
use crate::error::CoreError;
use crate::invoice::Invoice;
use crate::money::format_date;
use crate::policy::{ACKNOWLEDGEMENT_STAGE, PROMISE_EVE_STAGE, Policy, Stage};
use crate::reminder::{Reminder, ReminderId};
use crate::tone::{Approval, Tone};
use chrono::{DateTime, NaiveDate, Utc};
use kindly_render::{ACKNOWLEDGEMENT_TEMPLATE, AnswerView, PROMISE_EVE_TEMPLATE};

/// `answer` as a message shows it, in the customer's `locale`; `numbers` names its invoices.
pub fn answer_view(answer: &Answer, numbers: Vec<String>, locale: &str) -> AnswerView {
    let date = |day: NaiveDate| format_date(day, locale);
    let (day, category, contact) = match &answer.kind {
        AnswerKind::AlreadyPaid { paid_on, .. } => (Some(date(*paid_on)), None, None),
        AnswerKind::Dispute { category, .. } => (None, Some(category.as_str().to_owned()), None),
        AnswerKind::Promise { pay_by } => (Some(date(*pay_by)), None, None),
        AnswerKind::WrongPerson { email, .. } => (None, None, Some(email.clone())),
        AnswerKind::ConfirmReceipt { scheduled_for } => (scheduled_for.map(date), None, None),
        AnswerKind::AutoReply { returns_on, .. } => (returns_on.map(date), None, None),
        AnswerKind::Reply { .. } => (None, None, None),
        AnswerKind::Complaint { email, .. } => (None, None, Some(email.clone())),
    };
    let rejected = answer.state == AnswerState::Rejected;
    AnswerView {
        kind: answer.kind.name().to_owned(),
        said_on: date(answer.local_date),
        day,
        until: answer.hold_until.map(date),
        invoices: numbers,
        category,
        state: answer.state.as_str().to_owned(),
        reason: answer
            .settled
            .as_ref()
            .filter(|_| rejected)
            .and_then(|settled| settled.note.clone()),
        contact,
        amount: None,
        instalment: None,
        instalments: None,
    }
}

/// The answers a ladder message about `invoices` refers to: each about one of them and given or settled
/// since the last message about it (a claimed payment not received, a promise not kept, a dispute
/// answered), and every receipt confirmation about them, oldest first; then the payment plans of theirs
/// that broke since.
pub fn earlier_answers(answers: &[Answer], invoices: &[&Invoice], locale: &str) -> Vec<AnswerView> {
    answers
        .iter()
        .filter_map(|answer| {
            let about: Vec<&&Invoice> = invoices
                .iter()
                .filter(|invoice| answer.invoices.contains(&invoice.id))
                .collect();
            // A promise broken or a dispute rejected is news even when the answer itself is older than
            // the last message (a message planned on a day the customer's clock had not reached yet).
            let news_on = answer.settled.as_ref().map_or(answer.local_date, |settled| {
                answer.local_date.max(settled.at.date_naive())
            });
            let since_last = about
                .iter()
                .any(|invoice| invoice.dunning.last_reminded_on.is_none_or(|last| news_on >= last));
            let receipt = matches!(answer.kind, AnswerKind::ConfirmReceipt { .. });
            let relevant = match answer.kind {
                AnswerKind::AlreadyPaid { .. } | AnswerKind::Promise { .. } | AnswerKind::Dispute { .. } => {
                    since_last && answer.state != AnswerState::Kept
                }
                AnswerKind::ConfirmReceipt { .. } => true,
                AnswerKind::WrongPerson { .. }
                | AnswerKind::Reply { .. }
                | AnswerKind::AutoReply { .. }
                | AnswerKind::Complaint { .. } => false,
            };
            (!about.is_empty() && (relevant || receipt)).then(|| {
                let numbers = about.iter().map(|invoice| invoice.number.clone()).collect();
                answer_view(answer, numbers, locale)
            })
        })
        .chain(broken_plans(invoices, locale))
        .collect()
}

/// What a ladder message about `invoices` says of a plan that broke since the last message about them:
/// when it was agreed and the instalment that was missed.
pub fn broken_plans(invoices: &[&Invoice], locale: &str) -> Vec<AnswerView> {
    let mut views: Vec<AnswerView> = Vec::new();
    for invoice in invoices {
        let Some(link) = invoice.bookkeeping.plan.as_ref() else {
            continue;
        };
        let Some(missed) = link.missed else {
            continue;
        };
        // Said once: in the first message after the break.
        if invoice.dunning.last_reminded_on.is_some_and(|last| last > missed) {
            continue;
        }
        let said_on = format_date(link.agreed_on, locale);
        if let Some(view) = views.iter_mut().find(|view| view.said_on == said_on) {
            view.invoices.push(invoice.number.clone());
            continue;
        }
        views.push(AnswerView {
            kind: "plan".to_owned(),
            said_on,
            day: Some(format_date(missed, locale)),
            until: None,
            invoices: vec![invoice.number.clone()],
            category: None,
            state: "broken".to_owned(),
            reason: None,
            contact: None,
            amount: None,
            instalment: None,
            instalments: None,
        });
    }
    views
}

const ACK_PREFIX: &str = "rem_ack_";
const ANSWER_PREFIX: &str = "ans_";

/// The answer an acknowledgement's id acknowledges (the inverse of the id [`acknowledgement`] gives).
pub fn acknowledged_answer(acknowledgement: &ReminderId) -> Option<crate::answer::AnswerId> {
    let rest = acknowledgement.0.strip_prefix(ACK_PREFIX)?;
    Some(crate::answer::AnswerId(format!("{ANSWER_PREFIX}{rest}")))
}

/// The acknowledgement of `answer`, about `invoices`: sent once (its id comes from the answer's), by the
/// billing team, without waiting for approval.
pub fn acknowledgement(
    policy: &Policy,
    customer: &Customer,
    answer: &Answer,
    invoices: &[&Invoice],
    now: DateTime<Utc>,
) -> Result<Reminder, CoreError> {
    let stage = own_stage(policy, ACKNOWLEDGEMENT_STAGE, ACKNOWLEDGEMENT_TEMPLATE);
    let id = ReminderId(format!("{ACK_PREFIX}{}", answer.id.0.trim_start_matches(ANSWER_PREFIX)));
    let local_date = now.with_timezone(&customer.time_zone).date_naive();
    about_answer(policy, &stage, customer, answer, invoices, local_date, now, id)
}

/// The courteous note the business day before the day `answer` promised, if that day is still ahead of
/// the customer-local `today`: planned for that day and sent only on it.
pub fn promise_eve(
    policy: &Policy,
    customer: &Customer,
    answer: &Answer,
    invoices: &[&Invoice],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Option<Reminder>, CoreError> {
    let Some(day) = answer.kind.promised_day() else {
        return Ok(None);
    };
    let eve = customer.calendar().before(day);
    if !policy.answers.promise_eve_note || eve <= today || invoices.is_empty() {
        return Ok(None);
    }
    let stage = own_stage(policy, PROMISE_EVE_STAGE, PROMISE_EVE_TEMPLATE);
    let id = ReminderId(format!("rem_eve_{}", answer.id.0.trim_start_matches("ans_")));
    about_answer(policy, &stage, customer, answer, invoices, eve, now, id).map(Some)
}

/// kindly's own courteous, automatic stage for messages about answers, signed by the ladder's first sender.
pub(crate) fn own_stage(policy: &Policy, id: &str, template: &str) -> Stage {
    Stage {
        id: id.to_owned(),
        offset_days: 0,
        tone: Tone::Courteous,
        template: Some(template.to_owned()),
        sender: policy
            .stages
            .first()
            .map(|stage| stage.sender.clone())
            .unwrap_or_default(),
        cc_escalation: false,
        approval: Approval::Auto,
        mention_late_fees: false,
        task: None,
    }
}

#[allow(clippy::too_many_arguments)]
fn about_answer(
    policy: &Policy,
    stage: &Stage,
    customer: &Customer,
    answer: &Answer,
    invoices: &[&Invoice],
    local_date: NaiveDate,
    now: DateTime<Utc>,
    id: ReminderId,
) -> Result<Reminder, CoreError> {
    let covers = covered_at(stage, invoices);
    let numbers = invoices.iter().map(|invoice| invoice.number.clone()).collect();
    let said = Said {
        answer: Some(answer_view(answer, numbers, &customer.locale)),
        earlier: Vec::new(),
        id: Some(id),
    };
    compose_reminder(policy, stage, customer, invoices, covers, local_date, now, said)
}

#[cfg(test)]
#[path = "compose_answers_tests.rs"]
mod tests;
