//! Payments reported by the processor: applied once per event, conditional on the invoice's revision.

use super::invoices::{AfterChange, Rewrite, rewrite_invoice};
use crate::error::CoreError;
use crate::invoice::{Invoice, InvoiceId};
use crate::policy::Policy;
use crate::ports::Store;
use crate::reminder::ReminderId;
use chrono::{DateTime, Utc};

/// What applying a payment processor's event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// The invoice changed; these waiting reminders were voided (and the customer planned again), and a
    /// thank-you was queued if the invoice is now paid and the policy asks for one.
    Applied {
        invoice: Box<Invoice>,
        voided: Vec<ReminderId>,
        thank_you: Option<ReminderId>,
    },
    /// Nothing changed, and why (already applied, not applicable in the invoice's state...).
    Unchanged(String),
}

/// Apply a payment processor's event to an invoice: conditional on the revision read (retried on a
/// conflict), once per event id (kept on the invoice), and voiding every waiting reminder the change
/// makes wrong — a consolidated draft is planned again without a paid invoice.
pub async fn apply_payment_event<S: Store>(
    store: &S,
    policy: &Policy,
    invoice_id: &InvoiceId,
    event: &crate::payment::PaymentEvent,
    now: DateTime<Utc>,
) -> Result<PaymentOutcome, CoreError> {
    use crate::payment::{Applied, apply_payment};
    let written = rewrite_invoice(store, policy, invoice_id, now, |stored| {
        let stored = stored.ok_or_else(|| CoreError::NotFound {
            what: "invoice",
            id: invoice_id.0.clone(),
        })?;
        Ok(match apply_payment(stored, event)? {
            Applied::Changed(updated) => Rewrite::Write(*updated),
            Applied::Unchanged(why) => Rewrite::Keep(why),
        })
    })
    .await?;
    Ok(match written {
        Rewrite::Write((invoice, AfterChange { voided, thank_you })) => PaymentOutcome::Applied {
            invoice: Box::new(invoice),
            voided,
            thank_you,
        },
        Rewrite::Keep(why) => PaymentOutcome::Unchanged(why),
    })
}
