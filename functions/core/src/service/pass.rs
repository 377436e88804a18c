//! The pass: plan who gets which stage on their sending day, and store the drafts; payments pending longer
//! than the policy waits are handed to staff first, and running payment plans are kept before either.

use super::payment_plans::{KeptPlans, keep_plans};
use super::payments::expire_pending_payments;
use super::plans::{PassOutcome, latest_sending_day, plan_and_store};
use crate::error::CoreError;
use crate::invoice::{Invoice, InvoiceId, InvoiceStatus};
use crate::policy::Policy;
use crate::ports::Store;
use chrono::{DateTime, Utc};

/// Plan today's reminders and store them as drafts (approved at once where the stage allows).
/// With `dry_run`, nothing is written.
pub async fn run_pass<S: Store>(
    store: &S,
    policy: &Policy,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<PassOutcome, CoreError> {
    // Payment plans first: the invoices of a plan that breaks today are back on the ladder for this pass.
    let plans = if dry_run {
        KeptPlans::default()
    } else {
        keep_plans(store, policy, now).await?
    };
    let (pending, invoices): (Vec<Invoice>, Vec<Invoice>) = store
        .invoices_needing_action(latest_sending_day(policy, now))
        .await?
        .into_iter()
        .partition(|invoice| invoice.status == InvoiceStatus::PaymentPending);
    // Payments pending too long: the invoice is held and staff are asked to check (nobody is reminded).
    let mut payment_reviews = Vec::new();
    if !dry_run && !pending.is_empty() {
        let ids: Vec<InvoiceId> = pending.into_iter().map(|invoice| invoice.id).collect();
        payment_reviews = expire_pending_payments(store, policy, &ids, now).await?;
    }
    let mut outcome = plan_and_store(store, policy, invoices, None, now, dry_run).await?;
    outcome.payment_reviews = payment_reviews;
    outcome.plans = plans;
    Ok(outcome)
}
