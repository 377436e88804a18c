//! The ladder's last step on the staff page: the decision task offers its outcomes, bad input is refused
//! naming the field, and writing off takes the invoice off the ladder — over a real socket on each store.
use super::{client, march, server};
use kindly_core::fixtures::{customer, invoice};
use kindly_core::service;
use kindly_core::{InvoiceId, InvoiceStatus, Store, Tone};
use kindly_web::wire::{TaskList, TaskView};
use reqwest::StatusCode;
use serde_json::json;
use std::io::Read;

kindly_aws::on_both_stores!(
    the_decision_task_offers_its_outcomes_and_writes_off,
    the_dossier_holds_each_message_sent_rendered_again,
);

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

/// The lines of an RFC 5322 message but its Date and Message-ID (which a message rendered again may differ in).
fn without_date_and_id(message: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(message)
        .lines()
        .filter(|line| !line.starts_with("Date: ") && !line.starts_with("Message-ID: "))
        .map(str::to_owned)
        .collect()
}

async fn the_dossier_holds_each_message_sent_rendered_again<S: Store + 'static>(store: S) {
    let server = server(store).await;
    let store = &server.app.store;
    let policy = &server.app.policy;
    // GIVEN customer A's waiting draft approved and sent into an outbox
    let draft = store
        .reminders_of_customer(&kindly_core::CustomerId("A".into()))
        .await
        .unwrap()[0]
        .clone();
    let hash = draft.draft.as_ref().unwrap().content_hash.clone();
    service::approve(store, &draft.id, "alice", &hash, None, march(15))
        .await
        .unwrap();
    let outbox = tempfile::tempdir().unwrap();
    let mailer = kindly_local::outbox::OutboxMailer::new(outbox.path());
    service::send_approved(store, &mailer, policy, march(16)).await.unwrap();
    let sent = std::fs::read(outbox.path().join(format!("{}.eml", draft.send_key()))).expect("sent");
    // WHEN staff download A's dossier
    let response = client()
        .get(format!("{}/api/customers/A/dossier", server.base))
        .header("cookie", &server.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("dossier-A.zip")
    );
    let bytes = response.bytes().await.unwrap();
    // THEN it holds the message, rendered again from its draft: the bytes sent but for Date and Message-ID
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names: Vec<String> = archive.file_names().map(|n| n.unwrap().into_owned()).collect();
    let emls: Vec<&String> = names.iter().filter(|name| name.ends_with(".eml")).collect();
    assert_eq!(emls.len(), 1, "{names:?}");
    let mut again = Vec::new();
    archive.by_name(emls[0]).unwrap().read_to_end(&mut again).unwrap();
    assert_eq!(without_date_and_id(&again), without_date_and_id(&sent));
    let id_line = format!("Message-ID: <{}@northwind.example>", draft.send_key());
    assert!(
        String::from_utf8_lossy(&again).contains(&id_line),
        "named as the SES mailer names it"
    );
    let mut summary = String::new();
    archive
        .by_name("summary.html")
        .unwrap()
        .read_to_string(&mut summary)
        .unwrap();
    assert!(summary.contains("rendered again from the stored draft"), "{summary}");
    // Without signing in there is nothing; an unknown customer is 404
    let response = client()
        .get(format!("{}/api/customers/A/dossier", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = server.get("/api/customers/NOBODY/dossier").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
