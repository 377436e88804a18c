//! The ladder's last step on the staff page: the decision task offers its outcomes, bad input is refused
//! naming the field, and writing off takes the invoice off the ladder — over a real socket on each store.
use super::{march, server};
use kindly_core::fixtures::{customer, invoice};
use kindly_core::service;
use kindly_core::{InvoiceId, InvoiceStatus, Store, Tone};
use kindly_web::wire::{TaskList, TaskView};
use reqwest::StatusCode;
use serde_json::json;

kindly_aws::on_both_stores!(the_decision_task_offers_its_outcomes_and_writes_off,);

async fn the_decision_task_offers_its_outcomes_and_writes_off<S: Store + 'static>(store: S) {
    let server = server(store).await;
    let store = &server.app.store;
    let policy = &server.app.policy;
    // GIVEN customer D, whose invoice's final notice went out a month ago
    service::ingest_customer(store, policy, &customer("D"), march(1))
        .await
        .unwrap();
    let mut late = invoice("I-D", "D", "2026-01-01", None);
    late.dunning.last_stage = Some("final_notice".into());
    late.dunning.last_tone = Some(Tone::Final);
    late.dunning.last_reminded_on = Some(late.due_date + chrono::Days::new(50));
    service::ingest_invoice(store, policy, &late, march(1)).await.unwrap();
    service::run_pass(store, policy, march(15), false).await.unwrap();
    // WHEN staff open the inbox THEN the decision is there with its outcomes
    let (status, body) = server.get("/api/tasks").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let inbox: TaskList = serde_json::from_value(body).unwrap();
    let task = inbox
        .open
        .iter()
        .find(|task| task.customer.id == "D")
        .expect("the decision is a task");
    assert_eq!(
        (task.kind.as_str(), task.topic.as_str()),
        ("decision", "write_off_or_hand_over")
    );
    assert_eq!(task.actions, ["write_off", "hand_over", "agree_plan", "keep_chasing"]);
    let path = format!("/api/tasks/{}", task.id);
    // Bad input is refused naming the field, and changes nothing
    for (body, field) in [
        (json!({"decision": "write_off", "reason": " "}), "reason"),
        (json!({"decision": "keep_chasing"}), "until"),
        (json!({"decision": "keep_chasing", "until": "2026-03-01"}), "until"),
        (json!({"decision": "done"}), "decision"),
    ] {
        let (status, answer) = server.post(&path, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert!(answer.to_string().contains(field), "{body}: {answer}");
    }
    let id = InvoiceId("I-D".into());
    assert_eq!(store.invoice(&id).await.unwrap().unwrap().status, InvoiceStatus::Open);
    // WHEN alice writes it off THEN the task is done by her and the invoice is written off
    let (status, body) = server
        .post(&path, json!({"decision": "write_off", "reason": "Company dissolved"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let done: TaskView = serde_json::from_value(body).unwrap();
    let by = done.done.expect("done");
    assert_eq!(by.by, "alice");
    assert_eq!(by.note.as_deref(), Some("written off: Company dissolved"));
    let off = store.invoice(&id).await.unwrap().unwrap();
    assert_eq!(off.status, InvoiceStatus::WrittenOff);
    assert_eq!(off.bookkeeping.outcome.as_ref().unwrap().reason, "Company dissolved");
    // The same decision again changes nothing; another one is a conflict: the task is no longer open
    let (status, body) = server
        .post(&path, json!({"decision": "write_off", "reason": "again"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        store.invoice(&id).await.unwrap().unwrap().bookkeeping.revision,
        off.bookkeeping.revision
    );
    let (status, body) = server
        .post(&path, json!({"decision": "hand_over", "reason": "Acme"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}
