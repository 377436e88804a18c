//! Property tests of the planner's promises, over random customers, invoices and missed runs, with the
//! shipped default policy. A small simulation sends every planned reminder the day it is planned.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use kindly_core::planner::{CustomerHistory, plan, progress_after};
use kindly_core::{
    Contact, ContractTerms, Currency, Customer, CustomerId, DunningProgress, Invoice, InvoiceId, InvoiceStatus, Pause,
    Policy,
};
use proptest::prelude::*;
use std::collections::HashMap;

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
}

fn customer(index: usize, paused: bool, zone: chrono_tz::Tz) -> Customer {
    Customer {
        id: CustomerId(format!("C{index}")),
        display_name: format!("Customer {index}"),
        legal_name: format!("Customer {index} Ltd"),
        locale: "en-US".into(),
        time_zone: zone,
        billing_contacts: vec![Contact {
            salutation: None,
            surname: None,
            name: None,
            email: format!("ap{index}@example.com"),
            phone: None,
            bounced: false,
            standing: Default::default(),
        }],
        escalation_contact: None,
        pause: paused.then_some(Pause {
            until: None,
            reason: None,
        }),
        terms: ContractTerms::default(),
        country: None,
        business_hours: None,
    }
}

fn status_strategy() -> impl Strategy<Value = InvoiceStatus> {
    prop_oneof![
        6 => Just(InvoiceStatus::Open),
        1 => Just(InvoiceStatus::Paid),
        1 => Just(InvoiceStatus::Void),
        1 => Just(InvoiceStatus::WrittenOff),
        1 => Just(InvoiceStatus::Disputed),
        1 => Just(InvoiceStatus::PaymentPending),
        1 => Just(InvoiceStatus::OnPaymentPlan),
    ]
}

/// (customers, invoices): up to 5 customers (some paused, various zones) and up to 14 invoices due
/// between 80 days before and 20 days after the start.
fn world() -> impl Strategy<Value = (Vec<Customer>, Vec<Invoice>)> {
    let zones = prop_oneof![
        Just(chrono_tz::UTC),
        Just(chrono_tz::America::Los_Angeles),
        Just(chrono_tz::Europe::Berlin),
        Just(chrono_tz::Pacific::Kiritimati),
    ];
    let customers = proptest::collection::vec((proptest::bool::weighted(0.2), zones), 1..5);
    customers
        .prop_flat_map(|specs| {
            let count = specs.len();
            let customers: Vec<Customer> = specs
                .into_iter()
                .enumerate()
                .map(|(i, (paused, zone))| customer(i, paused, zone))
                .collect();
            let invoice = (0..count, -80i64..20, status_strategy(), 1u32..100_000);
            (Just(customers), proptest::collection::vec(invoice, 1..14))
        })
        .prop_map(|(customers, specs)| {
            let invoices = specs
                .into_iter()
                .enumerate()
                .map(|(i, (customer, due_in, status, cents))| {
                    let due_date = start() + Duration::days(due_in);
                    let mut invoice = Invoice {
                        id: InvoiceId(format!("I{i:02}")),
                        number: format!("INV-{i:02}"),
                        customer_id: CustomerId(format!("C{customer}")),
                        currency: Currency::from_code("USD").unwrap(),
                        total: rust_decimal::Decimal::new(cents.into(), 2),
                        paid: Default::default(),
                        issue_date: due_date - Duration::days(30),
                        due_date,
                        status,
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
                })
                .collect();
            (customers, invoices)
        })
}

/// One simulated message: who, on which local day, which invoices at which stage index.
#[derive(Debug, Clone)]
struct Sent {
    customer: CustomerId,
    day: NaiveDate,
    stages: Vec<(InvoiceId, usize)>,
}

/// Run daily passes for `days` days, skipping the days in `missed`; every planned reminder is sent at once.
fn simulate(customers: &[Customer], invoices: &[Invoice], days: i64, missed: &[bool]) -> Vec<Sent> {
    let policy = Policy::default_policy();
    let customers_by_id: HashMap<CustomerId, Customer> = customers.iter().map(|c| (c.id.clone(), c.clone())).collect();
    let mut invoices: Vec<Invoice> = invoices.to_vec();
    let mut history: HashMap<CustomerId, CustomerHistory> = HashMap::new();
    let mut sent = Vec::new();
    for offset in 0..days {
        if missed.get(offset as usize).copied().unwrap_or(false) {
            continue;
        }
        let now = Utc.from_utc_datetime(&(start() + Duration::days(offset)).and_hms_opt(10, 0, 0).unwrap());
        let planned = plan(now, &policy, &customers_by_id, &invoices, &history);
        for reminder in planned.reminders {
            let mut stages = Vec::new();
            for covered in &reminder.covers {
                let invoice = invoices.iter_mut().find(|i| i.id == covered.invoice_id).unwrap();
                stages.push((invoice.id.clone(), policy.stage_index(&covered.stage_id).unwrap()));
                *invoice = progress_after(&policy, invoice, covered, reminder.local_date);
            }
            history.entry(reminder.customer_id.clone()).or_default().last_sent_on = Some(reminder.local_date);
            sent.push(Sent {
                customer: reminder.customer_id,
                day: reminder.local_date,
                stages,
            });
        }
    }
    sent
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn nothing_for_settled_disputed_or_paused((customers, invoices) in world()) {
        let sent = simulate(&customers, &invoices, 100, &[]);
        for message in &sent {
            let customer = customers.iter().find(|c| c.id == message.customer).unwrap();
            prop_assert!(customer.pause.is_none(), "paused customer {} was reminded", customer.id);
            for (invoice_id, _) in &message.stages {
                let invoice = invoices.iter().find(|i| &i.id == invoice_id).unwrap();
                prop_assert_eq!(invoice.status, InvoiceStatus::Open, "{} was reminded", invoice_id);
            }
        }
    }

    #[test]
    fn never_two_messages_within_the_gap(
        (customers, invoices) in world(),
        missed in proptest::collection::vec(proptest::bool::weighted(0.3), 100),
    ) {
        let gap = i64::from(Policy::default_policy().min_gap_days);
        let sent = simulate(&customers, &invoices, 100, &missed);
        for customer in &customers {
            let days: Vec<NaiveDate> = sent.iter().filter(|m| m.customer == customer.id).map(|m| m.day).collect();
            for pair in days.windows(2) {
                prop_assert!((pair[1] - pair[0]).num_days() >= gap, "{}: messages on {} and {}", customer.id, pair[0], pair[1]);
            }
        }
    }

    #[test]
    fn stages_only_move_forward_and_tone_climbs_one_step_at_a_time(
        (customers, invoices) in world(),
        missed in proptest::collection::vec(proptest::bool::weighted(0.3), 100),
    ) {
        let policy = Policy::default_policy();
        let sent = simulate(&customers, &invoices, 100, &missed);
        for invoice in &invoices {
            let stages: Vec<usize> = sent
                .iter()
                .flat_map(|m| m.stages.iter())
                .filter(|(id, _)| *id == invoice.id)
                .map(|(_, stage)| *stage)
                .collect();
            for pair in stages.windows(2) {
                prop_assert!(pair[1] > pair[0], "{}: stage {} after {}", invoice.id, pair[1], pair[0]);
                let (before, after) = (policy.stages[pair[0]].tone, policy.stages[pair[1]].tone);
                prop_assert!(after.level() <= before.level() + 1, "{}: tone {} after {}", invoice.id, after, before);
            }
            if let Some(first) = stages.first() {
                prop_assert!(policy.stages[*first].tone <= kindly_core::Tone::Friendly, "first contact at {}", policy.stages[*first].tone);
            }
        }
    }

    #[test]
    fn one_message_per_customer_per_pass((customers, invoices) in world(), day in 0i64..100) {
        let policy = Policy::default_policy();
        let customers_by_id: HashMap<_, _> = customers.iter().map(|c| (c.id.clone(), c.clone())).collect();
        let now = Utc.from_utc_datetime(&(start() + Duration::days(day)).and_hms_opt(10, 0, 0).unwrap());
        let planned = plan(now, &policy, &customers_by_id, &invoices, &HashMap::new());
        let mut seen = std::collections::HashSet::new();
        for reminder in &planned.reminders {
            prop_assert!(seen.insert(reminder.customer_id.clone()), "two reminders for {}", reminder.customer_id);
        }
        // The plan is a pure function: the same inputs give the same reminders and keys.
        let again = plan(now, &policy, &customers_by_id, &invoices, &HashMap::new());
        prop_assert_eq!(planned, again);
    }

    #[test]
    fn a_missed_week_yields_one_message(due_in in -80i64..-12, stage in 0usize..4, missed_days in 7i64..14) {
        // GIVEN an invoice that got stage `stage` and then no pass ran for a week or more
        let policy = Policy::default_policy();
        let mut invoice = Invoice {
            id: InvoiceId("I1".into()),
            number: "INV-1".into(),
            customer_id: CustomerId("C0".into()),
            currency: Currency::from_code("EUR").unwrap(),
            total: rust_decimal::Decimal::new(12345, 2),
            paid: Default::default(),
            issue_date: start() + Duration::days(due_in - 30),
            due_date: start() + Duration::days(due_in),
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
        let customers = vec![customer(0, false, chrono_tz::UTC)];
        let calendar = customers[0].calendar();
        let next_stage_due = Policy::stage_date(&policy.stages[stage + 1], invoice.due_date, calendar);
        prop_assume!(next_stage_due <= start() - Duration::days(missed_days));
        let last_sent = start() - Duration::days(missed_days);
        let covered = kindly_core::reminder::CoveredInvoice {
            invoice_id: invoice.id.clone(),
            stage_id: policy.stages[stage].id.clone(),
            tone: policy.stages[stage].tone,
        };
        invoice = progress_after(&policy, &invoice, &covered, last_sent);
        // WHEN passes resume daily
        let sent = simulate(&customers, &[invoice], 3, &[]);
        // THEN the first pass sends exactly one message, one stage on, and the next two days stay quiet
        prop_assert_eq!(sent.len(), 1, "{:?}", sent);
        prop_assert_eq!(sent[0].day, start());
        prop_assert!(sent[0].stages[0].1 > stage);
        let tone = policy.stages[sent[0].stages[0].1].tone;
        prop_assert!(tone.level() <= policy.stages[stage].tone.level() + 1);
    }
}
