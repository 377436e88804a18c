//! Staff turn what has accrued on an invoice into a fee invoice ([`crate::fee_invoice`]).

use super::invoices::{Rewrite, rewrite_invoice};
use crate::error::CoreError;
use crate::fee_invoice::{FeeInvoice, draft_fee_invoice, mark_invoiced};
use crate::invoice::InvoiceId;
use crate::policy::Policy;
use crate::ports::Store;
use chrono::{DateTime, Utc};
use std::sync::Mutex;

/// Raise a fee invoice for the interest and fees accrued on invoice `id` by the customer's day at `now`,
/// payable within `payment_days`, and record on the invoice what it charged (conditional on the revision
/// read), so no later message or fee invoice charges it again. Drafts that state the old figures are void
/// and planned again. [`CoreError::NotFound`] when there is no such invoice or nothing to invoice.
pub async fn raise_fee_invoice<S: Store>(
    store: &S,
    policy: &Policy,
    id: &InvoiceId,
    payment_days: u32,
    now: DateTime<Utc>,
) -> Result<FeeInvoice, CoreError> {
    let not_found = |what: &'static str, id: String| CoreError::NotFound { what, id };
    let invoice = store
        .invoice(id)
        .await?
        .ok_or_else(|| not_found("invoice", id.0.clone()))?;
    let customer = store
        .customer(&invoice.customer_id)
        .await?
        .ok_or_else(|| not_found("customer", invoice.customer_id.0.clone()))?;
    let day = now.with_timezone(&customer.time_zone).date_naive();
    let raised = Mutex::new(None);
    rewrite_invoice(store, policy, id, now, |stored| {
        let stored = stored.ok_or_else(|| not_found("invoice", id.0.clone()))?;
        let fee = draft_fee_invoice(&policy.interest, &customer, stored, day, payment_days)?;
        let mut updated = stored.clone();
        mark_invoiced(&mut updated, &fee);
        *raised.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(fee);
        Ok(Rewrite::Write(updated))
    })
    .await?;
    raised
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .ok_or_else(|| CoreError::Conflict(format!("invoice {id} was not written")))
}
