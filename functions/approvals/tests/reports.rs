//! The receivables reports served by the approvals Lambda's router, from a DynamoDB table on the local
//! stand-in (KINDLY_MOTO_URL, started by scripts/test.sh): the README's worked example, read by the
//! reports' filtered scans.

mod common;
use common::call;

use kindly_core::Policy;
use kindly_core::conformance::seed_worked_example;
use serde_json::Value;

/// `GET path?query` as a signed-in person's token reaches the function.
fn get(path: &str, query: &str) -> lambda_http::Request {
    let mut event: Value = serde_json::from_str(include_str!("fixtures/http-api-request.json")).expect("a valid event");
    event["rawPath"] = path.into();
    event["requestContext"]["http"]["path"] = path.into();
    event["rawQueryString"] = query.into();
    let parameters: serde_json::Map<String, Value> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (name.to_owned(), value.into()))
        .collect();
    event["queryStringParameters"] = parameters.into();
    lambda_http::request::from_str(&event.to_string()).expect("lambda_http reads the event")
}

#[tokio::test]
async fn the_reports_read_the_worked_example_from_the_table() {
    // GIVEN the worked example in a fresh table
    let store = common::fresh_store().await;
    seed_worked_example(&store).await;
    let router = kindly_approvals::router(store, Policy::default_policy(), None, None);

    // WHEN staff ask for DSO and CEI over 24 months (January and February 2026 read the same from any
    // today up to 2028)
    let (status, receivables) = call(&router, get("/api/reports/receivables", "months=24")).await;
    assert_eq!(status, 200, "{receivables}");
    let month = |currency: &str, month: &str| -> Value {
        let currencies = receivables["currencies"].as_array().unwrap();
        let of = currencies.iter().find(|c| c["currency"] == currency).unwrap();
        let months = of["months"].as_array().unwrap();
        months.iter().find(|m| m["month"] == month).unwrap().clone()
    };
    // THEN February in USD: 500.00 owed, DSO 28 + 31 × 300/400 = 51.3 days, CEI 100 / 400 = 25%
    let february = month("USD", "2026-02");
    assert_eq!(
        (&february["receivable"], &february["dso"], &february["cei"]),
        (&Value::from("500.00"), &Value::from("51.3"), &Value::from("25.0"))
    );
    assert_eq!(month("USD", "2026-01")["dso"], "31.0");
    assert_eq!(month("EUR", "2026-02")["cei"], Value::Null, "nothing collectible yet");
    assert_eq!(receivables["undated"], 0);

    // AND aging by customer holds customer A's invoices behind their row, and the write-off apart
    let (status, aging) = call(&router, get("/api/reports/aging", "")).await;
    assert_eq!(status, 200, "{aging}");
    let customers = aging["customers"].as_array().unwrap();
    let a = customers.iter().find(|row| row["customer"]["id"] == "A").unwrap();
    assert_eq!(a["total"], "500.00");
    let invoices: Vec<(&str, &str)> = a["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|invoice| (invoice["id"].as_str().unwrap(), invoice["balance"].as_str().unwrap()))
        .collect();
    assert_eq!(invoices, [("B", "300.00"), ("C", "200.00")]);
    let written_off = &aging["given_up_invoices"][0];
    assert_eq!(
        (&written_off["id"], &written_off["by"], &written_off["reason"]),
        (
            &Value::from("W"),
            &Value::from("Riley"),
            &Value::from("customer insolvent")
        )
    );

    // AND the receipts answer (the example's promise and instalments lie in the past by now)
    let (status, receipts) = call(&router, get("/api/reports/receipts", "")).await;
    assert_eq!(status, 200, "{receipts}");
    assert!(
        receipts["expected"].is_array() && receipts["from"].is_string(),
        "{receipts}"
    );
    // Positive control: a bad period is refused, naming the parameter
    let (status, refused) = call(&router, get("/api/reports/receivables", "months=0")).await;
    assert_eq!((status, &refused["field"]), (400, &Value::from("months")));
}
