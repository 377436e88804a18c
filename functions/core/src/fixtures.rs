//! Records and instants for tests: a valid customer, an open invoice, a reminder in a given status, and the
//! days and times they are set on. Shared by the conformance suite, the stores' tests, the simulator and the
//! benches (behind the `conformance` feature).

use crate::customer::{Contact, ContractTerms, Customer, CustomerId};
use crate::invoice::{DunningProgress, Invoice, InvoiceId, InvoiceStatus};
use crate::money::Currency;
use crate::reminder::{CoveredInvoice, Reminder, ReminderId};
use crate::status::ReminderStatus;
use crate::tone::Tone;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// A `YYYY-MM-DD` date.
pub fn day(text: &str) -> NaiveDate {
    text.parse().expect("a YYYY-MM-DD date")
}

/// 09:00 UTC on a `YYYY-MM-DD` date.
pub fn instant(text: &str) -> DateTime<Utc> {
    let date = day(text);
    Utc.from_utc_datetime(&date.and_hms_opt(9, 0, 0).expect("valid time"))
}

/// A valid customer with one billing contact.
pub fn customer(id: &str) -> Customer {
    Customer {
        id: CustomerId(id.into()),
        display_name: format!("Customer {id}"),
        legal_name: format!("Customer {id} Ltd"),
        locale: "en-US".into(),
        time_zone: chrono_tz::America::New_York,
        billing_contacts: vec![Contact {
            salutation: None,
            surname: None,
            name: Some("Pat Payable".into()),
            email: format!("ap@{}.example", id.to_lowercase()),
            phone: None,
            bounced: false,
            standing: Default::default(),
        }],
        escalation_contact: None,
        pause: None,
        terms: ContractTerms::default(),
        country: None,
        business_hours: None,
    }
}

/// A valid open USD invoice of 100.00 for `customer`, due on `due`, with its next action on `next`.
pub fn invoice(id: &str, customer: &str, due: &str, next: Option<&str>) -> Invoice {
    Invoice {
        id: InvoiceId(id.into()),
        number: format!("INV-{id}"),
        customer_id: CustomerId(customer.into()),
        currency: Currency::from_code("USD").expect("USD"),
        total: "100.00".parse().expect("decimal"),
        paid: Default::default(),
        issue_date: day(due) - chrono::Duration::days(30),
        due_date: day(due),
        status: InvoiceStatus::Open,
        payment_link: Some(format!("https://pay.example/{id}")),
        po_number: None,
        late_fee: None,
        dunning: DunningProgress {
            next_action_on: next.map(day),
            ..Default::default()
        },
        early_payment: None,
        payment_reference: None,
        processor_payments: Default::default(),
        bookkeeping: Default::default(),
    }
}

/// `invoice` after the shipped policy's friendly stages went out (the last, `crossed_in_mail`, three days
/// after the due date): its next stage waits for approval.
pub fn after_friendly_stages(mut invoice: Invoice) -> Invoice {
    invoice.dunning.last_stage = Some("crossed_in_mail".into());
    invoice.dunning.last_tone = Some(Tone::Friendly);
    invoice.dunning.last_reminded_on = Some(invoice.due_date + chrono::Days::new(3));
    invoice
}

/// A reminder in `status` covering `invoices` of `customer`, with no message (task-like).
pub fn reminder(customer: &str, stage: &str, invoices: &[&str], status: ReminderStatus) -> Reminder {
    let ids: Vec<InvoiceId> = invoices.iter().map(|id| InvoiceId(id.to_string())).collect();
    Reminder {
        id: ReminderId::for_plan(&CustomerId(customer.into()), stage, &ids),
        customer_id: CustomerId(customer.into()),
        stage_id: stage.into(),
        tone: Tone::Friendly,
        covers: ids
            .iter()
            .map(|id| CoveredInvoice {
                invoice_id: id.clone(),
                stage_id: stage.into(),
                tone: Tone::Friendly,
            })
            .collect(),
        status,
        planned_for: day("2026-03-10"),
        created_at: instant("2026-03-10"),
        draft: None,
        task: Some("Call them".into()),
        approval: None,
        sent_message_id: None,
        sent_on: None,
        failure: None,
        history: Vec::new(),
    }
}

/// A customer's answer given at 09:00 UTC on `on`, as first stored (through [`crate::answer::new_answer`]
/// with the default policy), about `invoices`.
pub fn answer(
    customer: &str,
    form: &str,
    invoices: &[&str],
    kind: crate::answer::AnswerKind,
    on: &str,
) -> crate::answer::Answer {
    crate::answer::new_answer(
        &crate::policy::Policy::default_policy(),
        &CustomerId(customer.into()),
        &ReminderId("rem_link".into()),
        form,
        invoices.iter().map(|id| InvoiceId(id.to_string())).collect(),
        kind,
        instant(on),
        day(on),
        crate::calendar::Calendar::WEEKDAYS,
    )
    .expect("a valid answer")
}
