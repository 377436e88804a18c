//! A customer answers from their own page: the answer is recorded once, holds the invoices it names (or the
//! customer, for a contact in question), voids the drafts it makes wrong, is acknowledged once, and a
//! promise gets its courteous note the business day before. Every step can be repeated: a form submitted
//! again, or a retry after a crash, finds what was done and finishes the rest.

use super::invoices::{Rewrite, rewrite_invoice, void_waiting};
use super::plans::{replan_customer, revive_cancelled};
use crate::answer::{Answer, AnswerId, AnswerKind, AnswerState, new_answer};
use crate::compose_answers::{acknowledgement, promise_eve};
use crate::customer::{Customer, CustomerId};
use crate::error::CoreError;
use crate::invoice::{AnswerHold, Invoice, InvoiceId, InvoiceStatus};
use crate::policy::Policy;
use crate::ports::{Inserted, Store};
use crate::reminder::ReminderId;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeSet;

/// What a customer sent from their page: which invoices, what they said, and the form's one-time value
/// (the same value twice is the same answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerForm {
    pub invoices: Vec<InvoiceId>,
    pub kind: AnswerKind,
    pub form: String,
}

/// How a customer's answer was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    /// Recorded now.
    New(Answer),
    /// The same form was sent before; nothing new was recorded.
    Again(Answer),
}

impl Answered {
    pub fn answer(&self) -> &Answer {
        match self {
            Answered::New(answer) | Answered::Again(answer) => answer,
        }
    }
}

/// The most invoices one answer may name.
pub const MAX_INVOICES: usize = 100;

/// Record `form` from `customer_id`'s page, reached through the link in message `via`, and act on it.
/// A bad form is an error naming the field, and changes nothing. More than the policy's answers in a day
/// from one customer are refused ([`CoreError::TooMany`]).
pub async fn record_answer<S: Store>(
    store: &S,
    policy: &Policy,
    customer_id: &CustomerId,
    via: &ReminderId,
    form: AnswerForm,
    now: DateTime<Utc>,
) -> Result<Answered, CoreError> {
    let customer = store.customer(customer_id).await?.ok_or_else(|| CoreError::NotFound {
        what: "customer",
        id: customer_id.0.clone(),
    })?;
    // A form recorded before is answered as it was, whatever changed since (its invoices paid, its day
    // gone by): it may be the retry of a call that stored it and failed before acknowledging it.
    if let Some(stored) = store.answer(&AnswerId::for_form(customer_id, via, &form.form)).await? {
        follow_up(store, policy, &customer, stored.clone(), now).await?;
        return Ok(Answered::Again(stored));
    }
    let today = now.with_timezone(&customer.time_zone).date_naive();
    let invoices = named_invoices(store, &customer, &form).await?;
    let ids = invoices.iter().map(|invoice| invoice.id.clone()).collect();
    let answer = new_answer(
        policy,
        customer_id,
        via,
        &form.form,
        ids,
        form.kind,
        now,
        today,
        customer.calendar(),
    )?;
    let earlier = store.answers_of_customer(customer_id).await?;
    let today_count = earlier
        .iter()
        .filter(|earlier| now - earlier.at < Duration::days(1))
        .count();
    if today_count >= policy.answers.per_customer_per_day as usize {
        return Err(CoreError::TooMany(format!(
            "customer {customer_id} sent {today_count} answers within a day; more wait until tomorrow"
        )));
    }
    let answer = match store.insert_answer(&answer).await? {
        Inserted::New => answer,
        Inserted::AlreadyExists => {
            let stored = store.answer(&answer.id).await?.unwrap_or(answer);
            follow_up(store, policy, &customer, stored.clone(), now).await?;
            return Ok(Answered::Again(stored));
        }
    };
    let answer = follow_up(store, policy, &customer, answer, now).await?;
    Ok(Answered::New(answer))
}

/// The invoices the form names: each the customer's own and not settled, at most [`MAX_INVOICES`], at
/// least one unless the answer is about the customer (a contact in question).
async fn named_invoices<S: Store>(
    store: &S,
    customer: &Customer,
    form: &AnswerForm,
) -> Result<Vec<Invoice>, CoreError> {
    let invalid = |problem: String| CoreError::InvalidField {
        record: "answer",
        id: form.kind.name().to_owned(),
        field: "invoices",
        problem,
    };
    let ids: BTreeSet<InvoiceId> = form.invoices.iter().cloned().collect();
    if ids.len() > MAX_INVOICES {
        return Err(invalid(format!("names {} invoices; at most {MAX_INVOICES}", ids.len())));
    }
    let about_customer = matches!(form.kind, AnswerKind::WrongPerson { .. });
    if ids.is_empty() && !about_customer {
        return Err(invalid("names no invoice; choose at least one".into()));
    }
    let ids: Vec<InvoiceId> = ids.into_iter().collect();
    let found = store.invoices(&ids).await?;
    for id in &ids {
        let invoice = found.iter().find(|invoice| invoice.id == *id);
        let open = invoice.is_some_and(|invoice| {
            invoice.customer_id == customer.id
                && !matches!(
                    invoice.status,
                    InvoiceStatus::Paid | InvoiceStatus::Void | InvoiceStatus::WrittenOff | InvoiceStatus::HandedOver
                )
        });
        if !open {
            return Err(invalid(format!("`{id}` is not an open invoice of yours")));
        }
    }
    Ok(found)
}

/// Everything an answer sets going, each step safe to repeat: hold its invoices, void the drafts it makes
/// wrong and plan the customer again, queue the acknowledgement and the promise's eve note, and note the
/// acknowledgement on the answer. Returns the answer as stored at the end.
async fn follow_up<S: Store>(
    store: &S,
    policy: &Policy,
    customer: &Customer,
    answer: Answer,
    now: DateTime<Utc>,
) -> Result<Answer, CoreError> {
    if answer.holds_on(answer.local_date) && answer.state == AnswerState::Open {
        hold_invoices(store, policy, &answer, now).await?;
        let held: BTreeSet<&InvoiceId> = answer.invoices.iter().collect();
        let whole_customer = answer.holds_customer_on(answer.local_date);
        let reason = format!("the customer answered ({}); the draft waits", answer.kind.name());
        void_waiting(store, &customer.id, now, &reason, |reminder| {
            !reminder.is_off_ladder()
                && (whole_customer || reminder.covers.iter().any(|c| held.contains(&c.invoice_id)))
        })
        .await?;
    }
    let invoices = store.invoices(&answer.invoices).await?;
    let refs: Vec<&Invoice> = invoices.iter().collect();
    let ack = acknowledgement(policy, customer, &answer, &refs, now)?;
    if store.insert_reminder(&ack).await? == Inserted::AlreadyExists {
        revive_cancelled(store, &ack, now).await?;
    }
    let today = now.with_timezone(&customer.time_zone).date_naive();
    if answer.state == AnswerState::Open
        && let Some(eve) = promise_eve(policy, customer, &answer, &refs, today, now)?
    {
        store.insert_reminder(&eve).await?;
    }
    replan_customer(store, policy, &customer.id, now).await?;
    if answer.acknowledgement.as_ref() == Some(&ack.id) {
        return Ok(answer);
    }
    let mut noted = answer.clone();
    noted.acknowledgement = Some(ack.id);
    noted.revision += 1;
    match store.replace_answer(&noted, answer.revision).await {
        Ok(()) => Ok(noted),
        // Staff settled it meanwhile: theirs stands; the acknowledgement is queued all the same.
        Err(CoreError::Conflict(_)) => Ok(store.answer(&answer.id).await?.unwrap_or(answer)),
        Err(other) => Err(other),
    }
}

/// Put `answer`'s hold on each of its invoices (unless another answer's hold already covers it longer).
async fn hold_invoices<S: Store>(
    store: &S,
    policy: &Policy,
    answer: &Answer,
    now: DateTime<Utc>,
) -> Result<(), CoreError> {
    let hold = AnswerHold {
        answer: answer.id.0.clone(),
        kind: answer.kind.name().to_owned(),
        since: answer.local_date,
        until: answer.hold_until,
        until_corrected: false,
        lifted: false,
    };
    for id in &answer.invoices {
        rewrite_invoice(store, policy, id, now, |stored| {
            let Some(stored) = stored else {
                return Ok(Rewrite::Keep("the invoice is gone".into()));
            };
            // A hold lifted or run out holds nothing, whatever its last day said.
            let current = stored
                .bookkeeping
                .hold
                .as_ref()
                .filter(|current| current.holds_on(answer.local_date));
            let longer_already = current.is_some_and(|current| {
                current.answer == hold.answer
                    || current.until.is_none()
                    || hold
                        .until
                        .is_some_and(|until| current.until.is_some_and(|held| held >= until))
            });
            if longer_already {
                return Ok(Rewrite::Keep("held already".into()));
            }
            let mut updated = stored.clone();
            updated.bookkeeping.hold = Some(hold.clone());
            Ok(Rewrite::Write(updated))
        })
        .await?;
    }
    Ok(())
}
