//! Plan and render at scale: 100,000 invoices over 20,000 customers with the default policy.
//! Targets (issue 2): plan ≥ 200k invoices/s on one core; render ≤ 15 µs per message.
//! Run: `cargo bench -p kindly-core --bench plan_and_render`.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use kindly_core::compose::{draft_reminder, message_context};
use kindly_core::planner::{CustomerHistory, plan};
use kindly_core::{
    Contact, ContractTerms, Currency, Customer, CustomerId, DunningProgress, Invoice, InvoiceId, InvoiceStatus, Policy,
};
use std::collections::HashMap;
use std::hint::black_box;

const INVOICES: usize = 100_000;
const PER_CUSTOMER: usize = 5;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 16).unwrap()
}

fn world(policy: &Policy) -> (HashMap<CustomerId, Customer>, Vec<Invoice>) {
    let zones = [
        chrono_tz::America::New_York,
        chrono_tz::Europe::Berlin,
        chrono_tz::Asia::Tokyo,
        chrono_tz::UTC,
    ];
    let locales = ["en-US", "de-DE", "en-GB", "de-AT"];
    let currencies = ["USD", "EUR", "GBP", "JPY"];
    let customers: HashMap<CustomerId, Customer> = (0..INVOICES / PER_CUSTOMER)
        .map(|index| {
            let id = CustomerId(format!("C{index:06}"));
            let customer = Customer {
                id: id.clone(),
                display_name: format!("Customer {index}"),
                legal_name: format!("Customer {index} Ltd"),
                locale: locales[index % 4].into(),
                time_zone: zones[index % 4],
                billing_contacts: vec![Contact {
                    salutation: None,
                    surname: None,
                    name: Some(format!("Contact {index}")),
                    email: format!("ap{index}@example.com"),
                    phone: None,
                    bounced: false,
                    standing: Default::default(),
                }],
                escalation_contact: None,
                pause: None,
                terms: ContractTerms::default(),
                country: None,
                business_hours: None,
            };
            (id, customer)
        })
        .collect();
    let invoices = (0..INVOICES)
        .map(|index| {
            let due_date = today() + Duration::days(10 - (index % 90) as i64);
            let currency = Currency::from_code(currencies[(index / PER_CUSTOMER) % 4]).unwrap();
            let mut invoice = Invoice {
                id: InvoiceId(format!("I{index:07}")),
                number: format!("INV-{index:07}"),
                customer_id: CustomerId(format!("C{:06}", index / PER_CUSTOMER)),
                currency,
                total: currency.round(rust_decimal::Decimal::new((index as i64 % 100_000) * 7 + 1000, 2)),
                paid: Default::default(),
                issue_date: due_date - Duration::days(30),
                due_date,
                status: if index % 10 == 0 {
                    InvoiceStatus::Paid
                } else {
                    InvoiceStatus::Open
                },
                payment_link: Some(format!("https://pay.example.com/{index}")),
                po_number: None,
                late_fee: None,
                dunning: DunningProgress::default(),
                early_payment: None,
                payment_reference: None,
                processor_payments: Default::default(),
                bookkeeping: Default::default(),
            };
            invoice.dunning.next_action_on = policy.next_action_on(&invoice);
            invoice
        })
        .collect();
    (customers, invoices)
}

fn benches(c: &mut Criterion) {
    let policy = Policy::default_policy();
    let (customers, invoices) = world(&policy);
    let history: HashMap<CustomerId, CustomerHistory> = HashMap::new();
    let now = Utc.from_utc_datetime(&today().and_hms_opt(12, 0, 0).unwrap());

    let mut group = c.benchmark_group("plan");
    group.throughput(Throughput::Elements(INVOICES as u64));
    group.sample_size(20);
    group.bench_function("100k_invoices", |b| {
        b.iter(|| black_box(plan(now, &policy, &customers, black_box(&invoices), &history)))
    });
    group.finish();

    let planned = plan(now, &policy, &customers, &invoices, &history);
    let by_id: HashMap<&InvoiceId, &Invoice> = invoices.iter().map(|i| (&i.id, i)).collect();
    let messages: Vec<_> = planned
        .reminders
        .iter()
        .filter(|r| policy.stages[r.stage_index].template.is_some())
        .take(1000)
        .map(|r| {
            let covered: Vec<&Invoice> = r.covers.iter().map(|c| by_id[&c.invoice_id]).collect();
            message_context(
                &policy,
                &policy.stages[r.stage_index],
                &customers[&r.customer_id],
                &covered,
                r.local_date,
            )
        })
        .collect();
    println!("planned {} reminders from {INVOICES} invoices", planned.reminders.len());

    let mut group = c.benchmark_group("render");
    group.throughput(Throughput::Elements(1));
    let mut next = 0;
    group.bench_function("one_message", |b| {
        b.iter_batched(
            || {
                next = (next + 1) % messages.len();
                &messages[next]
            },
            |context| black_box(kindly_render::render(context).unwrap()),
            BatchSize::SmallInput,
        )
    });
    group.finish();

    let mut group = c.benchmark_group("plan_and_render");
    group.throughput(Throughput::Elements(INVOICES as u64));
    group.sample_size(10);
    group.bench_function("100k_invoices", |b| {
        b.iter(|| {
            let planned = plan(now, &policy, &customers, &invoices, &history);
            for reminder in &planned.reminders {
                let covered: Vec<&Invoice> = reminder.covers.iter().map(|c| by_id[&c.invoice_id]).collect();
                black_box(
                    draft_reminder(&policy, reminder, &customers[&reminder.customer_id], &covered, &[], now).unwrap(),
                );
            }
        })
    });
    group.finish();
}

criterion_group!(plan_and_render, benches);
criterion_main!(plan_and_render);
