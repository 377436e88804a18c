//! The pass: one customer's failure is that customer's error only.

use crate::fixtures::{customer, instant, invoice};
use crate::ports::Store;

pub async fn one_customers_impossible_sums_stop_only_that_customer<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    for id in ["A", "B"] {
        store.put_customer(&customer(id)).await.unwrap();
    }
    // A's two yen invoices add up past what a decimal holds (as records written before amounts were
    // bounded at ingest could); B owes an ordinary invoice due the same day
    for number in ["1", "2"] {
        let mut huge = invoice(&format!("A{number}"), "A", "2026-03-01", Some("2026-03-01"));
        huge.currency = crate::money::Currency::from_code("JPY").unwrap();
        huge.total = "50000000000000000000000000000".parse().unwrap();
        store.put_invoice(&huge).await.unwrap();
    }
    store
        .put_invoice(&invoice("B1", "B", "2026-03-01", Some("2026-03-01")))
        .await
        .unwrap();
    // WHEN the pass runs
    let outcome = crate::service::run_pass(store, &policy, instant("2026-03-01"), false)
        .await
        .unwrap();
    // THEN B is reminded, and A's problem is reported as A's
    let reminded: Vec<&str> = outcome
        .entries
        .iter()
        .map(|entry| entry.customer_id.0.as_str())
        .collect();
    assert_eq!(reminded, ["B"], "{outcome:?}");
    assert_eq!(outcome.errors.len(), 1, "{outcome:?}");
    assert!(outcome.errors[0].starts_with("customer A: "), "{outcome:?}");
    assert!(outcome.errors[0].contains("more than can be counted"), "{outcome:?}");
}
