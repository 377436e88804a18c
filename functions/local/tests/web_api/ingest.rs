//! What the accounting system puts: customers and invoices, with errors by field, and the drafts a payment
//! or a pause voids.
use super::{client, server};
use kindly_core::fixtures::customer;
use kindly_core::{ReminderStatus, Store};
use reqwest::StatusCode;
use serde_json::{Value, json};

kindly_aws::on_both_stores!(
    accounting_systems_put_customers_and_invoices_with_errors_by_field,
    a_payment_put_by_the_accounting_system_voids_the_waiting_draft,
    pausing_a_customer_through_the_api_voids_their_waiting_draft
);

fn invoice_body(customer: &str, paid: &str) -> Value {
    json!({"number": "INV-9", "customer_id": customer, "currency": "USD", "total": "250.00", "paid": paid,
           "issue_date": "2026-02-01", "due_date": "2026-03-01"})
}

async fn accounting_systems_put_customers_and_invoices_with_errors_by_field<S: Store + 'static>(store: S) {
    let server = server(store).await;
    // A new customer, then an invoice for them
    let mut new_customer = serde_json::to_value(customer("Z")).unwrap();
    new_customer.as_object_mut().unwrap().remove("id");
    let (status, answer) = server.put("/api/customers/Z", new_customer.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = server.put("/api/invoices/I-Z", invoice_body("Z", "0")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let stored = server
        .app
        .store
        .invoice(&kindly_core::InvoiceId("I-Z".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.total, "250.00".parse().unwrap());
    // Bad input names the field and changes nothing
    let mut bad_email = new_customer.clone();
    bad_email["billing_contacts"][0]["email"] = json!("not an address");
    let mut wrong_id = new_customer.clone();
    wrong_id["id"] = json!("Y");
    let mut no_due_date = invoice_body("Z", "0");
    no_due_date.as_object_mut().unwrap().remove("due_date");
    let mut euro_cents = invoice_body("Z", "0");
    euro_cents["total"] = json!("250.001");
    let cases = [
        ("/api/customers/Z", bad_email, "billing_contacts"),
        ("/api/customers/Z", wrong_id, "id"),
        ("/api/invoices/I-Z", no_due_date, "due_date"),
        ("/api/invoices/I-Z", json!({"number": 7}), "number"),
        ("/api/invoices/I-Z", invoice_body("NOBODY", "0"), "customer_id"),
        ("/api/invoices/I-Z", euro_cents, "total"),
        (
            "/api/invoices/I-Z",
            {
                let mut body = invoice_body("Z", "0");
                body["currency"] = json!("XYZ");
                body
            },
            "currency",
        ),
    ];
    for (path, body, field) in cases {
        let (status, answer) = server.put(path, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {body}: {answer}");
        assert!(
            answer["field"].as_str().is_some_and(|f| f.starts_with(field)),
            "{path} {body}: {answer}"
        );
    }
    let unchanged = server
        .app
        .store
        .invoice(&kindly_core::InvoiceId("I-Z".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged, stored);
    // A body that is not an object at all is refused, not a crash
    for body in [json!([]), json!("Z"), json!(null)] {
        let (status, answer) = server.put("/api/customers/Z", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert!(
            answer["error"].as_str().is_some_and(|e| e.contains("JSON object")),
            "{body}: {answer}"
        );
    }
    // Without signing in, nothing
    let anonymous = client()
        .put(format!("{}/api/invoices/I-Z", server.base))
        .header("content-type", "application/json")
        .body(invoice_body("Z", "250.00").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

async fn a_payment_put_by_the_accounting_system_voids_the_waiting_draft<S: Store + 'static>(store: S) {
    let server = server(store).await;
    let draft = server
        .drafts()
        .await
        .into_iter()
        .find(|d| d["customer"]["id"] == "A")
        .unwrap();
    let mut paid = serde_json::to_value(
        server
            .app
            .store
            .invoice(&kindly_core::InvoiceId("I-A".into()))
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    let paid = json!({"number": paid["number"].take(), "customer_id": "A", "currency": "USD", "total": "100.00",
        "paid": "100.00", "status": "paid", "issue_date": paid["issue_date"].take(), "due_date": "2026-03-01"});
    let (status, answer) = server.put("/api/invoices/I-A", paid).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["voided"], json!([draft["id"]]));
    assert!(server.drafts().await.iter().all(|d| d["customer"]["id"] != "A"));
}

async fn pausing_a_customer_through_the_api_voids_their_waiting_draft<S: Store + 'static>(store: S) {
    let server = server(store).await;
    let draft_of_a = server
        .drafts()
        .await
        .into_iter()
        .find(|draft| draft["customer"]["id"] == "A")
        .unwrap();
    // WHEN the accounting system pauses A
    let mut paused = serde_json::to_value(customer("A")).unwrap();
    paused["pause"] = json!({"until": null, "reason": "in talks"});
    let (status, answer) = server.put("/api/customers/A", paused).await;
    // THEN the answer names the voided draft, and it no longer waits for approval
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["voided"], json!([draft_of_a["id"]]));
    assert_eq!(
        server.status_of(draft_of_a["id"].as_str().unwrap()).await,
        ReminderStatus::Cancelled
    );
    assert!(server.drafts().await.iter().all(|draft| draft["customer"]["id"] != "A"));
}
