//! The ladder's last step: staff decide what becomes of invoices nobody paid after the final notice —
//! write the balance off, hand the account to a collections agency, agree a payment plan, or keep chasing
//! from a later day. Pure rules: which stage asks for the decision, what each outcome does to an invoice
//! and when it is refused, and how a later copy from the accounting system meets kindly's decision.

use crate::actor::Actor;
use crate::error::CoreError;
use crate::invoice::{Invoice, InvoiceStatus, Outcome, OutcomeKind};
use crate::limits;
use crate::policy::Policy;
use chrono::{DateTime, Utc};

/// The stage whose task is the decision: the ladder's last stage, when it is a task without a message
/// (the shipped policy's `write_off_or_hand_over`). A policy ending with a message has none.
pub fn decision_stage(policy: &Policy) -> Option<&str> {
    policy
        .stages
        .last()
        .filter(|stage| stage.template.is_none() && stage.task.is_some())
        .map(|stage| stage.id.as_str())
}

/// What deciding did to one invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decided {
    /// The invoice as it stands after the decision, to be written.
    Changed(Box<Invoice>),
    /// It already stands so (the same decision taken before): nothing to write.
    AlreadyDone,
}

/// The reason given for `kind` on invoice `id`, trimmed: a write-off and a plan need one (why; the terms),
/// a hand-over may name the agency and otherwise says so. Too long or missing is refused, naming `reason`.
pub fn reason_for(kind: OutcomeKind, id: &str, reason: Option<&str>) -> Result<String, CoreError> {
    let invalid = |problem: String| CoreError::InvalidField {
        record: "invoice",
        id: id.to_owned(),
        field: "reason",
        problem,
    };
    let reason = reason.map(str::trim).filter(|reason| !reason.is_empty());
    if let Some(problem) = reason.and_then(|reason| limits::too_long(reason, limits::REASON)) {
        return Err(invalid(problem));
    }
    match (kind, reason) {
        (_, Some(reason)) => Ok(reason.to_owned()),
        (OutcomeKind::HandedOver, None) => Ok("handed over for collection".to_owned()),
        (OutcomeKind::WrittenOff, None) => Err(invalid("must not be empty: say why it is written off".into())),
        (OutcomeKind::PaymentPlan, None) => Err(invalid("must not be empty: note the plan's terms".into())),
    }
}

/// Decide `kind` on `invoice` for `reason` (checked by [`reason_for`]): the invoice leaves the ladder at the
/// outcome's status with the record of who decided what, when. Taking the same decision again changes
/// nothing; an invoice that is paid, void, written off or handed over, or whose payment is on its way, is
/// refused with why. A plan may still end in a write-off or a hand-over.
pub fn decide(
    invoice: &Invoice,
    kind: OutcomeKind,
    reason: &str,
    by: &Actor,
    at: DateTime<Utc>,
) -> Result<Decided, CoreError> {
    if invoice.status == kind.status() && invoice.bookkeeping.outcome.as_ref().is_some_and(|o| o.kind == kind) {
        return Ok(Decided::AlreadyDone);
    }
    let refused = |why: &str| {
        Err(CoreError::Conflict(format!(
            "invoice {} is {}: {why}",
            invoice.number,
            invoice.status.as_str()
        )))
    };
    match invoice.status {
        InvoiceStatus::Open | InvoiceStatus::Disputed | InvoiceStatus::OnPaymentPlan => {}
        InvoiceStatus::PaymentPending => return refused("a payment is on its way; decide once it arrived or failed"),
        InvoiceStatus::Paid | InvoiceStatus::Void => return refused("nothing is owed to decide about"),
        InvoiceStatus::WrittenOff | InvoiceStatus::HandedOver => return refused("it was decided already"),
    }
    let mut decided = invoice.clone();
    decided.status = kind.status();
    decided.bookkeeping.outcome = Some(Outcome {
        kind,
        reason: reason.to_owned(),
        by: by.clone(),
        at,
    });
    Ok(Decided::Changed(Box::new(decided)))
}

/// The accounting system's copy `incoming` of an invoice staff decided about (`stored`): a copy saying it
/// is still open (or disputed, pending, on a plan) keeps kindly's decision — the accounting system rarely
/// learns of a write-off or a hand-over at once, and an unchanged copy must not put the invoice back on the
/// ladder. A copy saying paid or void, or written off by the accounting system itself, is the accounting
/// system's word and wins: money that arrives later is recorded, and a paid invoice is thanked as any.
pub fn keep_decision(incoming: &mut Invoice, stored: &Invoice) {
    let decided = stored
        .bookkeeping
        .outcome
        .as_ref()
        .is_some_and(|outcome| outcome.kind.status() == stored.status);
    let still_owed = matches!(
        incoming.status,
        InvoiceStatus::Open | InvoiceStatus::Disputed | InvoiceStatus::PaymentPending | InvoiceStatus::OnPaymentPlan
    );
    if decided && still_owed {
        incoming.status = stored.status;
    }
}

/// The note the decision task keeps of what was decided: `written off: REASON` and the like.
pub fn task_note(kind: OutcomeKind, reason: &str) -> String {
    format!("{}: {reason}", kind.as_str().replace('_', " "))
}

/// The reason in a [`task_note`] of `kind`, if `note` is one.
pub fn reason_in_note(kind: OutcomeKind, note: &str) -> Option<&str> {
    note.strip_prefix(&task_note(kind, ""))
}

#[cfg(test)]
#[path = "last_step_tests.rs"]
mod tests;
