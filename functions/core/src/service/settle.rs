//! Settling customers' answers: staff decide the tasks answers open (a claimed payment, a dispute, a new
//! contact), and kindly settles promises by itself — kept when the money arrives in time, broken when the
//! day passes. The effects come first and the answer's new state last, so a crash in between leaves the
//! task open for the same decision again, which repeats safely.

use super::invoices::{Rewrite, ingest_customer, rewrite_invoice};
use super::plans::replan_customer;
use crate::actor::Actor;
use crate::answer::{Answer, AnswerId, AnswerKind, AnswerState};
use crate::customer::{Contact, CustomerId};
use crate::error::CoreError;
use crate::invoice::{AnswerHold, Invoice, InvoiceId, InvoiceStatus};
use crate::limits;
use crate::policy::Policy;
use crate::ports::Store;
use chrono::{DateTime, NaiveDate, Utc};

/// What staff decide about an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The claimed payment arrived: its invoices are paid (and thanked).
    ConfirmPayment,
    /// It did not arrive: the ladder resumes where it was, saying so.
    RejectPayment { reason: String },
    /// The customer is right: the invoices stay out of the ladder until the corrected invoice or credit
    /// arrives from the accounting system.
    UpholdDispute { note: Option<String> },
    /// The invoice stands: the ladder resumes gently, with the reason.
    RejectDispute { reason: String },
    /// Write to the contact they named from now on.
    ConfirmContact,
    /// Keep writing to the contacts we have.
    RejectContact { reason: String },
    /// A person read the customer's reply (and answered it from their mail client, or phoned): kindly may
    /// write again.
    Done,
}

impl Decision {
    /// The decision's name on the wire and in the CLI.
    pub fn name(&self) -> &'static str {
        match self {
            Decision::ConfirmPayment => "confirm_payment",
            Decision::RejectPayment { .. } => "reject_payment",
            Decision::UpholdDispute { .. } => "uphold_dispute",
            Decision::RejectDispute { .. } => "reject_dispute",
            Decision::ConfirmContact => "confirm_contact",
            Decision::RejectContact { .. } => "reject_contact",
            Decision::Done => "done",
        }
    }

    /// Whether it is one of the actions the tasks inbox offers for an answer of `kind`.
    fn fits(&self, kind: &AnswerKind) -> bool {
        crate::tasks::TaskAction::for_answer(kind)
            .iter()
            .any(|action| action.as_str() == self.name())
    }
}

/// Apply staff's `decision` to answer `id`, recorded under `by`. A decision that does not fit the answer,
/// a reason missing where one is needed, or an answer already settled changes nothing and says why.
pub async fn settle_answer<S: Store>(
    store: &S,
    policy: &Policy,
    id: &AnswerId,
    decision: Decision,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Answer, CoreError> {
    let answer = store.answer(id).await?.ok_or_else(|| CoreError::NotFound {
        what: "answer",
        id: id.0.clone(),
    })?;
    let invalid = |field: &'static str, problem: String| CoreError::InvalidField {
        record: "answer",
        id: id.0.clone(),
        field,
        problem,
    };
    if !decision.fits(&answer.kind) {
        return Err(invalid(
            "decision",
            format!(
                "`{}` does not fit an answer of kind {}",
                decision.name(),
                answer.kind.name()
            ),
        ));
    }
    let reason = match &decision {
        Decision::RejectPayment { reason }
        | Decision::RejectDispute { reason }
        | Decision::RejectContact { reason } => {
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(invalid("reason", "is empty; say why, the customer will read it".into()));
            }
            limits::check_reason(&id.0, Some(reason))?;
            Some(reason.to_owned())
        }
        Decision::UpholdDispute { note } => {
            limits::check_reason(&id.0, note.as_deref())?;
            note.clone()
        }
        Decision::ConfirmPayment | Decision::ConfirmContact | Decision::Done => None,
    };
    let state = match decision {
        Decision::RejectPayment { .. } | Decision::RejectDispute { .. } | Decision::RejectContact { .. } => {
            AnswerState::Rejected
        }
        _ => AnswerState::Confirmed,
    };
    // Checked before any effect: an answer already settled changes nothing.
    answer.clone().settle(state, Actor::person(by), now, reason.clone())?;
    match &decision {
        Decision::ConfirmPayment => {
            for invoice in &answer.invoices {
                confirm_paid(store, policy, &answer, invoice, now).await?;
            }
        }
        Decision::UpholdDispute { .. } => {
            for invoice in &answer.invoices {
                change_invoice(store, policy, &answer, invoice, now, |_, hold| {
                    hold.until_corrected = true;
                })
                .await?;
            }
        }
        Decision::RejectPayment { .. } | Decision::RejectDispute { .. } => {
            // Another answer still holding an invoice (a promise in its days) stands once this one's lifts.
            let others = store.answers_of_customer(&answer.customer_id).await?;
            let today = match store.customer(&answer.customer_id).await? {
                Some(customer) => now.with_timezone(&customer.time_zone).date_naive(),
                None => now.date_naive(),
            };
            for invoice in &answer.invoices {
                let remaining = remaining_hold(&others, &answer.id, invoice, today);
                change_invoice(store, policy, &answer, invoice, now, |_, hold| match &remaining {
                    Some(other) => *hold = other.clone(),
                    None => hold.lifted = true,
                })
                .await?;
            }
        }
        Decision::ConfirmContact => use_named_contact(store, policy, &answer, now).await?,
        Decision::RejectContact { .. } | Decision::Done => {}
    }
    // The effects may have settled it by the facts meanwhile (a payment confirms a claim): the person's
    // decision is recorded over kindly's own.
    let mut fresh = store.answer(id).await?.unwrap_or(answer);
    let expected = fresh.revision;
    let by_system = fresh.settled.as_ref().is_some_and(|settled| settled.by.is_system());
    if by_system {
        fresh.state = AnswerState::Open;
    }
    fresh.settle(state, Actor::person(by), now, reason)?;
    store.replace_answer(&fresh, expected).await?;
    replan_customer(store, policy, &fresh.customer_id, now).await?;
    Ok(fresh)
}

/// The hold the customer's other answers (`others`, `lifted` aside) still put on `invoice` on the
/// customer-local `today`: the longest, one waiting for staff over any with a last day.
fn remaining_hold(others: &[Answer], lifted: &AnswerId, invoice: &InvoiceId, today: NaiveDate) -> Option<AnswerHold> {
    others
        .iter()
        .filter(|other| other.id != *lifted && other.invoices.contains(invoice) && other.holds_on(today))
        .max_by_key(|other| (other.hold_until.is_none(), other.hold_until))
        .map(|other| AnswerHold {
            answer: other.id.0.clone(),
            kind: other.kind.name().to_owned(),
            since: other.local_date,
            until: other.hold_until,
            until_corrected: other.state == AnswerState::Confirmed,
            lifted: false,
        })
}

/// Change `id` and `answer`'s hold on it with `change`, while it is `answer`'s (a hold another answer put
/// there since is left alone).
async fn change_invoice<S: Store>(
    store: &S,
    policy: &Policy,
    answer: &Answer,
    id: &InvoiceId,
    now: DateTime<Utc>,
    change: impl Fn(&mut Invoice, &mut AnswerHold),
) -> Result<(), CoreError> {
    rewrite_invoice(store, policy, id, now, |stored| {
        let Some(stored) = stored else {
            return Ok(Rewrite::Keep("the invoice is gone".into()));
        };
        if stored
            .bookkeeping
            .hold
            .as_ref()
            .is_none_or(|hold| hold.answer != answer.id.0)
        {
            return Ok(Rewrite::Keep("another answer holds it now".into()));
        }
        let mut updated = stored.clone();
        let mut hold = updated.bookkeeping.hold.take().expect("checked above");
        change(&mut updated, &mut hold);
        updated.bookkeeping.hold = Some(hold);
        Ok(Rewrite::Write(updated))
    })
    .await?;
    Ok(())
}

/// Count `id` paid, as staff confirmed `answer`'s claim, and lift the answer's hold on it. A hold another
/// answer put there since (a promise) stays: the facts keep that promise on the next pass.
async fn confirm_paid<S: Store>(
    store: &S,
    policy: &Policy,
    answer: &Answer,
    id: &InvoiceId,
    now: DateTime<Utc>,
) -> Result<(), CoreError> {
    rewrite_invoice(store, policy, id, now, |stored| {
        let Some(stored) = stored else {
            return Ok(Rewrite::Keep("the invoice is gone".into()));
        };
        let mut updated = stored.clone();
        crate::payment::confirm_received(&mut updated);
        if let Some(hold) = updated
            .bookkeeping
            .hold
            .as_mut()
            .filter(|hold| hold.answer == answer.id.0)
        {
            hold.lifted = true;
        }
        Ok(Rewrite::Write(updated))
    })
    .await?;
    Ok(())
}

/// Write to the contact a "wrong person" answer named, instead of the billing contacts kindly had.
async fn use_named_contact<S: Store>(
    store: &S,
    policy: &Policy,
    answer: &Answer,
    now: DateTime<Utc>,
) -> Result<(), CoreError> {
    let AnswerKind::WrongPerson { name, email } = &answer.kind else {
        return Ok(());
    };
    let mut customer = store
        .customer(&answer.customer_id)
        .await?
        .ok_or_else(|| CoreError::NotFound {
            what: "customer",
            id: answer.customer_id.0.clone(),
        })?;
    if customer
        .billing_contacts
        .iter()
        .any(|contact| contact.email == *email && !contact.bounced)
    {
        return Ok(());
    }
    customer.billing_contacts = vec![Contact {
        salutation: None,
        surname: None,
        name: name.clone(),
        email: email.clone(),
        phone: None,
        bounced: false,
        standing: Default::default(),
    }];
    ingest_customer(store, policy, &customer, now).await?;
    Ok(())
}

/// Settle the customer's open promises and payment claims that `invoices` (freshly read) decide: a
/// promise is kept once none of its invoices is owed by its day, broken once the day has passed with money
/// owed; a claimed payment that arrived confirms the claim. Returns all the customer's answers, as they
/// stand afterwards.
pub async fn settle_by_facts<S: Store>(
    store: &S,
    customer_id: &CustomerId,
    today: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<Answer>, CoreError> {
    let mut answers = store.answers_of_customer(customer_id).await?;
    for answer in &mut answers {
        if answer.state != AnswerState::Open || answer.invoices.is_empty() {
            continue;
        }
        let promised = answer.kind.promised_day().is_some();
        let claimed = matches!(answer.kind, AnswerKind::AlreadyPaid { .. });
        if !promised && !claimed {
            continue;
        }
        let invoices = store.invoices(&answer.invoices).await?;
        let owed = invoices.iter().any(|invoice| {
            invoice.balance() > rust_decimal::Decimal::ZERO
                && matches!(invoice.status, InvoiceStatus::Open | InvoiceStatus::PaymentPending)
        });
        let state = if promised {
            crate::answer::promise_outcome(answer, owed, today)
        } else {
            (!owed).then_some(AnswerState::Confirmed)
        };
        let Some(state) = state else { continue };
        let mut changed = answer.clone();
        let note = match state {
            AnswerState::Kept => "paid as promised",
            AnswerState::Broken => "the promised day passed with money still owed",
            _ => "the payment arrived",
        };
        changed.settle(state, Actor::System, now, Some(note.into()))?;
        match store.replace_answer(&changed, answer.revision).await {
            Ok(()) => *answer = changed,
            Err(CoreError::Conflict(_)) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(answers)
}
