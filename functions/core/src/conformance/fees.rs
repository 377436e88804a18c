//! A fee invoice for accrued interest, raised by staff, and what it does to the waiting drafts.

use crate::error::CoreError;
use crate::fixtures::{customer, instant, invoice};
use crate::interest::ContractRemedy;
use crate::invoice::InvoiceId;
use crate::ports::Store;
use crate::status::ReminderStatus;

pub async fn a_fee_invoice_takes_its_interest_out_of_the_waiting_drafts<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    let now = instant("2026-03-12");
    // GIVEN a customer whose contract charges 1.5 % a month, and a draft of the direct stage 11 days late
    let mut contract = customer("A");
    contract.terms.late_fee = Some(ContractRemedy::monthly("1.5".parse().unwrap(), 0, "1.5% per month"));
    crate::service::ingest_customer(store, &policy, &contract, now)
        .await
        .unwrap();
    let owed = crate::fixtures::after_friendly_stages(invoice("I-A", "A", "2026-03-01", None));
    crate::service::ingest_invoice(store, &policy, &owed, now)
        .await
        .unwrap();
    let pass = crate::service::run_pass(store, &policy, now, false).await.unwrap();
    let draft_id = pass.entries[0].reminder_id.clone();
    let draft = store.reminder(&draft_id).await.unwrap().unwrap();
    let stated = draft
        .draft
        .as_ref()
        .unwrap()
        .context
        .interest
        .as_ref()
        .expect("interest stated");
    // $100 × 18 % × 11 / 365 = $0.5425…
    assert_eq!(stated.lines[0].interest.as_deref(), Some("$0.54"));
    // WHEN staff raise a fee invoice for it
    let id = InvoiceId("I-A".into());
    let fee = crate::service::raise_fee_invoice(store, &policy, &id, 14, now)
        .await
        .unwrap();
    // THEN it charges exactly that, the invoice records it, and the draft is stated again without it
    assert_eq!(
        (fee.interest, fee.total),
        ("0.54".parse().unwrap(), "0.54".parse().unwrap())
    );
    let stored = store.invoice(&id).await.unwrap().unwrap();
    let invoiced = stored.bookkeeping.interest_invoiced.expect("recorded");
    assert_eq!(
        (invoiced.through, invoiced.fee_invoices),
        (fee.through, vec![fee.id.clone()])
    );
    let again = store.reminder(&draft_id).await.unwrap().unwrap();
    assert_eq!(again.status, ReminderStatus::PendingApproval);
    assert_eq!(
        again.draft.unwrap().context.interest,
        None,
        "nothing accrued since the fee invoice"
    );
    // Raising another the same day finds nothing to invoice, and changes nothing.
    assert!(matches!(
        crate::service::raise_fee_invoice(store, &policy, &id, 14, now).await,
        Err(CoreError::NotFound { .. })
    ));
    assert_eq!(
        store.invoice(&id).await.unwrap().unwrap().bookkeeping.revision,
        stored.bookkeeping.revision
    );
}
