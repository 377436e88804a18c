//! Cost of a pass: seed the DynamoDB stand-in with many invoices of which few are due, run the pass, and
//! count the items and bytes it reads — beside a full-table Scan, the baseline a pass without the sparse
//! index would pay.
//!
//!   KINDLY_MOTO_URL=http://127.0.0.1:5055 cargo bench -p kindly-aws --bench pass_cost
//!   (KINDLY_BENCH_INVOICES=200000 and KINDLY_BENCH_DUE=2000 by default; scripts/bench.sh starts the stand-in)

#[path = "../tests/common/mod.rs"]
mod common;

use chrono::{Duration, TimeZone, Utc};
use kindly_core::fixtures::{customer, invoice};
use kindly_core::{InvoiceStatus, Policy, Store, service};
use std::time::Instant;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let total = setting("KINDLY_BENCH_INVOICES", 200_000);
    let due = setting("KINDLY_BENCH_DUE", 2_000);
    let customers = due.max(total / 20);
    let store = common::fresh_store(8).await;
    let policy = Policy::default_policy();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 16).unwrap();

    let started = Instant::now();
    for index in 0..customers {
        store.put_customer(&customer(&format!("C{index}"))).await.unwrap();
    }
    let mut batch = Vec::with_capacity(1000);
    for index in 0..total {
        // The first `due` invoices fall due today, one per customer; the rest are due later, or paid.
        let (due_in, customer_index) = if index < due {
            (0, index)
        } else {
            (10 + (index % 60) as i64, index % customers)
        };
        let day = (today + Duration::days(due_in)).to_string();
        let mut record = invoice(&format!("I{index}"), &format!("C{customer_index}"), &day, None);
        if index >= due && index % 3 == 0 {
            record.status = InvoiceStatus::Paid;
        }
        record.dunning.next_action_on = policy.next_action_on(&record);
        batch.push(record);
        if batch.len() == 1000 || index + 1 == total {
            store.put_invoices(&batch).await.unwrap();
            batch.clear();
        }
    }
    println!(
        "seeded {total} invoices ({due} due) and {customers} customers in {:.1?}",
        started.elapsed()
    );

    let now = Utc.from_utc_datetime(&today.and_hms_opt(12, 0, 0).unwrap());
    store.stats().reset();
    let started = Instant::now();
    let due_invoices = store
        .invoices_needing_action(service::latest_sending_day(&policy, now))
        .await
        .unwrap();
    let (index_items, index_bytes) = store.stats().read();
    println!(
        "due-index query: {} invoices, {index_items} items read ({:.3} × due), {index_bytes} bytes, {:.1?}",
        due_invoices.len(),
        index_items as f64 / due as f64,
        started.elapsed()
    );
    // The whole pass also reads each due customer and its reminder history: one BatchGetItem per 100
    // customers and one Query per customer. moto answers an index Query by walking the whole table, so on
    // the stand-in this part is slow at 200k items; set KINDLY_BENCH_WHOLE_PASS=1 to include it.
    if std::env::var("KINDLY_BENCH_WHOLE_PASS").is_ok_and(|v| v == "1") {
        store.stats().reset();
        let started = Instant::now();
        let outcome = service::run_pass(&store, &policy, now, true).await.unwrap();
        let (pass_items, pass_bytes) = store.stats().read();
        println!(
            "whole pass (dry run: due invoices + their customers + reminder history): {pass_items} items read \
             ({:.3} × due), {pass_bytes} bytes, {} reminders planned, {:.1?}",
            pass_items as f64 / due as f64,
            outcome.entries.len(),
            started.elapsed()
        );
    }

    store.stats().reset();
    let started = Instant::now();
    let scanned = store.scan_everything().await.unwrap();
    let (_, scan_bytes) = store.stats().read();
    println!(
        "baseline full Scan: {scanned} items read ({:.1} × due), {scan_bytes} bytes, {:.1?}",
        scanned as f64 / due as f64,
        started.elapsed()
    );
}
