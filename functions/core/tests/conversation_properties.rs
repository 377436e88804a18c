//! Property tests of one conversation per customer, over random invoices of one customer falling due and
//! being paid across half a year, with the shipped default policy. A small simulation sends every planned
//! reminder the day it is planned and checks what the customer receives.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use kindly_core::conversation::{ConversationFacts, in_escalation};
use kindly_core::planner::{CustomerHistory, plan, progress_after};
use kindly_core::{
    Contact, ContractTerms, Currency, Customer, CustomerId, DunningProgress, Invoice, InvoiceId, InvoiceStatus, Policy,
    Tone,
};
use proptest::prelude::*;
use std::collections::HashMap;

const DAYS: i64 = 180;

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

fn customer() -> Customer {
    Customer {
        id: CustomerId("C0".into()),
        display_name: "Customer".into(),
        legal_name: "Customer Ltd".into(),
        locale: "en-GB".into(),
        time_zone: chrono_tz::UTC,
        billing_contacts: vec![Contact {
            name: None,
            email: "ap@example.com".into(),
            phone: None,
            bounced: false,
            standing: Default::default(),
            salutation: None,
            surname: None,
        }],
        escalation_contact: None,
        pause: None,
        terms: ContractTerms::default(),
        country: None,
        business_hours: None,
    }
}

/// Invoices due between 20 days before the start and 100 days after it, each paid on some day or never.
fn invoices() -> impl Strategy<Value = Vec<(Invoice, Option<i64>)>> {
    let invoice = (-20i64..100, proptest::option::weighted(0.6, 0i64..DAYS));
    proptest::collection::vec(invoice, 1..8).prop_map(|specs| {
        specs
            .into_iter()
            .enumerate()
            .map(|(i, (due_in, paid_on))| (open_invoice(due_in, &format!("I{i}")), paid_on))
            .collect()
    })
}

/// One message the customer received: its tone, and whether the conversation had ended (nothing
/// in escalation on some day) since the message before it.
#[derive(Debug)]
struct Received {
    tone: Tone,
    after_an_end: bool,
}

/// Daily passes over `DAYS` days; payments land in the morning; every planned reminder goes out at once.
fn simulate(specs: &[(Invoice, Option<i64>)]) -> (Vec<Received>, Vec<Invoice>, Vec<InvoiceId>) {
    let policy = Policy::default_policy();
    let customer = customer();
    let customers: HashMap<CustomerId, Customer> = [(customer.id.clone(), customer)].into();
    let mut invoices: Vec<Invoice> = specs.iter().map(|(invoice, _)| invoice.clone()).collect();
    let mut history = CustomerHistory::default();
    let mut received = Vec::new();
    let mut mentioned = Vec::new();
    let mut ended = true;
    for offset in 0..DAYS {
        let day = start() + Duration::days(offset);
        for (invoice, (_, paid_on)) in invoices.iter_mut().zip(specs) {
            if *paid_on == Some(offset) {
                invoice.paid = invoice.total;
                invoice.status = InvoiceStatus::Paid;
            }
        }
        ended |= !invoices.iter().any(|invoice| in_escalation(invoice, day));
        let last_message_tone = history.conversation.last_message_tone;
        history.conversation = ConversationFacts::read(&invoices, &[]);
        history.conversation.last_message_tone = last_message_tone;
        let now = Utc.from_utc_datetime(&day.and_hms_opt(10, 0, 0).unwrap());
        let planned = plan(
            now,
            &policy,
            &customers,
            &invoices,
            &HashMap::from([(CustomerId("C0".into()), history.clone())]),
        );
        for reminder in planned.reminders {
            let stage = &policy.stages[reminder.stage_index];
            for covered in &reminder.covers {
                let invoice = invoices.iter_mut().find(|i| i.id == covered.invoice_id).unwrap();
                *invoice = progress_after(&policy, invoice, covered, reminder.local_date);
                mentioned.push(invoice.id.clone());
            }
            // A task tells the customer nothing.
            if stage.template.is_some() {
                history.last_sent_on = Some(reminder.local_date);
                history.conversation.last_message_tone = Some(stage.tone);
                received.push(Received {
                    tone: stage.tone,
                    after_an_end: ended,
                });
                ended = false;
            }
        }
    }
    (received, invoices, mentioned)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn the_tone_never_falls_back_until_the_conversation_ends(specs in invoices()) {
        let (received, _, _) = simulate(&specs);
        for pair in received.windows(2) {
            prop_assert!(
                pair[1].tone >= pair[0].tone || pair[1].after_an_end,
                "{:?} after {:?} with the conversation still live", pair[1], pair[0]
            );
        }
    }

    #[test]
    fn no_owed_invoice_waits_forever(specs in invoices()) {
        // Whatever the conversation, an invoice owed 60 days past its due date has been in a message or a
        // task by then: riding waits for the conversation, never for ever.
        let (_, invoices, mentioned) = simulate(&specs);
        let end = start() + Duration::days(DAYS);
        for invoice in invoices.iter().filter(|i| i.status == InvoiceStatus::Open && i.due_date + Duration::days(60) <= end) {
            prop_assert!(mentioned.contains(&invoice.id), "{} (due {}) never mentioned", invoice.id, invoice.due_date);
        }
    }
}

#[test]
fn an_invoice_due_after_the_heads_note_rides_and_the_ladder_still_reaches_its_end() {
    // Positive control of the simulation: one invoice, never paid, climbs the whole ladder; then a second,
    // due after the first reached the head's note, rides and never starts at "due today".
    let specs = [(open_invoice(0, "I0"), None), (open_invoice(40, "I1"), None)];
    let (received, _, _) = simulate(&specs);
    let tones: Vec<Tone> = received.iter().map(|r| r.tone).collect();
    assert!(tones.windows(2).all(|pair| pair[1] >= pair[0]), "{received:?}");
    assert!(tones.contains(&Tone::Final), "{received:?}");
}

/// An open invoice of 100.00 due `due_in` days after the start, not yet on the ladder.
fn open_invoice(due_in: i64, id: &str) -> Invoice {
    let due_date = start() + Duration::days(due_in);
    let mut invoice = Invoice {
        id: InvoiceId(id.into()),
        number: format!("INV-{id}"),
        customer_id: CustomerId("C0".into()),
        currency: Currency::from_code("GBP").unwrap(),
        total: rust_decimal::Decimal::new(10_000, 2),
        paid: Default::default(),
        issue_date: due_date - Duration::days(30),
        due_date,
        status: InvoiceStatus::Open,
        payment_link: None,
        po_number: None,
        late_fee: None,
        dunning: DunningProgress::default(),
        early_payment: None,
        payment_reference: None,
        processor_payments: Default::default(),
        bookkeeping: Default::default(),
    };
    invoice.dunning.next_action_on = Policy::default_policy().next_action_on(&invoice);
    invoice
}
