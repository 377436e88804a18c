//! Reminders the mail provider refused: listed for staff, and resolved once either way.
use super::{client, common, server};
use kindly_core::{ReminderStatus, Store};
use reqwest::StatusCode;
use serde_json::json;

kindly_aws::on_both_stores!(failed_reminders_are_listed_and_resolved_once_either_way);

async fn failed_reminders_are_listed_and_resolved_once_either_way<S: Store + 'static>(store: S) {
    let server = server(store).await;
    // GIVEN two customers' reminders the mail provider refused
    let a = common::fail_the_draft(&server.app.store, "A", "mailbox unavailable at a.example").await;
    let b = common::fail_the_draft(&server.app.store, "B", "address rejected at b.example").await;
    // WHEN staff list the failures THEN each names its customer, invoices and reason, in the typed shape
    let (status, listed) = server.get("/api/failed").await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let typed: kindly_web::failed::FailedList = serde_json::from_value(listed.clone()).unwrap();
    let a_entry = typed.failed.iter().find(|f| f.id == a).expect("A's failure is listed");
    assert_eq!(
        (a_entry.customer.id.as_str(), a_entry.customer.name.as_str()),
        ("A", "Customer A")
    );
    assert_eq!(a_entry.invoices, ["INV-I-A"]);
    assert_eq!(a_entry.reason.as_deref(), Some("mailbox unavailable at a.example"));
    assert!(a_entry.failed_at.is_some(), "{listed}");
    assert_eq!(typed.failed.len(), 2, "{listed}");

    // WHEN the body is wrong, the id unknown, or the request not the page's own THEN nothing changes
    let resolve = |id: &str| format!("/api/reminders/{id}/resolve");
    for (body, field) in [
        (json!({}), "went_out"),
        (json!({"went_out": "yes"}), "went_out"),
        (json!({"went_out": true, "sent": true}), "sent"),
        (json!({"went_out": true, "note": "n".repeat(1_001)}), "note"),
    ] {
        let (status, answer) = server.post(&resolve(&a), body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert!(
            answer["field"].as_str().is_some_and(|f| f.contains(field)),
            "{body}: {answer}"
        );
    }
    let (status, _) = server.post(&resolve("rem_nope"), json!({"went_out": true})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let cross_site = client()
        .post(format!("{}{}", server.base, resolve(&a)))
        .header("cookie", &server.cookie)
        .header("content-type", "application/json")
        .header("origin", "https://evil.example")
        .body(json!({"went_out": true}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    let anonymous = client()
        .post(format!("{}{}", server.base, resolve(&a)))
        .header("content-type", "application/json")
        .body(json!({"went_out": true}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(server.get("/api/failed").await.1, listed);

    // WHEN A's message is in the provider's log and B's is not
    let (status, answer) = server
        .post(&resolve(&a), json!({"went_out": true, "note": "in the log"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let typed: kindly_web::failed::Resolved = serde_json::from_value(answer).unwrap();
    assert_eq!((typed.id.as_str(), typed.status), (a.as_str(), ReminderStatus::Sent));
    let (status, answer) = server
        .post(&resolve(&b), json!({"went_out": false, "note": null}))
        .await;
    assert_eq!(
        (status, &answer["status"]),
        (StatusCode::OK, &json!("cancelled")),
        "{answer}"
    );
    // THEN neither is listed any more, and the history says who resolved A and why
    assert_eq!(server.get("/api/failed").await.1, json!({"failed": []}));
    let (_, history) = server.get("/api/customers/A/history").await;
    let last = history["reminders"][0]["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (&last["from"], &last["to"], &last["by"], &last["note"]),
        (&json!("failed"), &json!("sent"), &json!("alice"), &json!("in the log"))
    );
    // and resolving again is refused as a conflict, changing nothing
    let (status, answer) = server.post(&resolve(&a), json!({"went_out": false})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(
        answer["error"].as_str().is_some_and(|e| e.contains("is sent")),
        "{answer}"
    );
    assert_eq!(server.status_of(&a).await, ReminderStatus::Sent);
}
