//! The staff side of customers' answers: the tasks inbox, settling an answer, a manual task done, the
//! customer's timeline and the reasons report, over a real socket on each store.
use super::{march, server};
use chrono::{Duration, NaiveDate};
use kindly_core::answer::AnswerKind;
use kindly_core::service::{self, AnswerForm};
use kindly_core::{CustomerId, InvoiceId, InvoiceStatus, ReminderStatus, Store};
use kindly_web::wire::{ReasonsView, TaskList, TaskView, Timeline};
use reqwest::StatusCode;
use serde_json::json;

kindly_aws::on_both_stores!(
    an_answer_is_a_task_settled_through_the_api_and_on_the_timeline,
    a_manual_task_is_listed_and_done_once,
);

async fn an_answer_is_a_task_settled_through_the_api_and_on_the_timeline<S: Store + 'static>(store: S) {
    let server = server(store).await;
    let store = &server.app.store;
    let policy = &server.app.policy;
    // GIVEN customer A, who followed the link in their draft's message and said they had paid
    let via = store.reminders_of_customer(&CustomerId("A".into())).await.unwrap()[0]
        .id
        .clone();
    let answered = service::record_answer(
        store,
        policy,
        &CustomerId("A".into()),
        &via,
        AnswerForm {
            invoices: vec![InvoiceId("I-A".into())],
            kind: AnswerKind::AlreadyPaid {
                paid_on: NaiveDate::from_ymd_opt(2026, 3, 14).unwrap(),
                amount: None,
                reference: Some("TX-77".into()),
            },
            form: "form-1".into(),
        },
        march(15),
    )
    .await
    .unwrap();
    let id = answered.answer().id.0.clone();
    // WHEN staff open the inbox THEN the answer is a task with its decisions
    let (status, body) = server.get("/api/tasks").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let inbox: TaskList = serde_json::from_value(body.clone()).unwrap();
    let task = inbox
        .open
        .iter()
        .find(|task| task.id == id)
        .expect("the answer is a task");
    assert_eq!((task.kind.as_str(), task.topic.as_str()), ("answer", "already_paid"));
    assert_eq!(
        (task.customer.id.as_str(), task.customer.name.as_str()),
        ("A", "Customer A")
    );
    assert_eq!(task.invoices, ["INV-I-A"]);
    assert!(task.text.contains("TX-77"), "{}", task.text);
    assert_eq!(task.actions, ["confirm_payment", "reject_payment"]);

    // WHEN the decision does not fit, is unknown, lacks its reason or the body is wrong THEN 400 naming the
    // field, and nothing changes
    let path = format!("/api/tasks/{id}");
    for (body, field) in [
        (json!({"decision": "uphold_dispute"}), "decision"),
        (json!({"decision": "done"}), "decision"),
        (json!({"decision": "approve"}), "decision"),
        (json!({"decision": "reject_payment"}), "reason"),
        (json!({"decision": "reject_payment", "reason": "   "}), "reason"),
        (json!({"decision": "confirm_payment", "reason": "why not"}), "reason"),
        (json!({"decision": "confirm_payment", "by": "mallory"}), "by"),
        (json!({}), "decision"),
    ] {
        let (status, answer) = server.post(&path, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["field"], json!(field), "{body}: {answer}");
    }
    let (status, _) = server.post("/api/tasks/ans_nope", json!({"decision": "done"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(server.get("/api/tasks").await.1, body);

    // WHEN alice confirms the payment
    let (status, answer) = server.post(&path, json!({"decision": "confirm_payment"})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let done: TaskView = serde_json::from_value(answer).unwrap();
    // THEN the task says who did what, the invoice is paid, a thank-you is queued, and the task is gone
    let by = done.done.expect("done");
    assert_eq!((by.by.as_str(), by.outcome.as_str()), ("alice", "confirmed"));
    assert!(done.actions.is_empty());
    let invoice = store.invoice(&InvoiceId("I-A".into())).await.unwrap().unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Paid);
    let reminders = store.reminders_of_customer(&CustomerId("A".into())).await.unwrap();
    assert!(reminders.iter().any(|reminder| reminder.is_thank_you()), "thanked");
    let (_, body) = server.get("/api/tasks").await;
    let inbox: TaskList = serde_json::from_value(body).unwrap();
    assert!(inbox.open.iter().all(|task| task.id != id));
    assert!(inbox.done.iter().any(|task| task.id == id), "listed as done lately");
    // Doing it again is a conflict, and changes nothing
    let (status, _) = server.post(&path, json!({"decision": "confirm_payment"})).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // WHEN staff open A's timeline THEN the answer, its settlement and the payment are there, newest first
    let (status, body) = server.get("/api/customers/A/timeline").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let timeline: Timeline = serde_json::from_value(body.clone()).unwrap();
    let seen: Vec<(&str, &str)> = timeline
        .entries
        .iter()
        .map(|entry| (entry.kind.as_str(), entry.title.as_str()))
        .collect();
    for wanted in [("answer", "already_paid"), ("answer", "settled"), ("payment", "paid")] {
        assert!(seen.contains(&wanted), "{wanted:?} in {seen:?}");
    }
    let settled = timeline.entries.iter().find(|entry| entry.title == "settled").unwrap();
    assert_eq!(settled.by.as_deref(), Some("alice"));
    assert!(
        timeline.entries.windows(2).all(|pair| pair[0].at >= pair[1].at),
        "newest first"
    );
    let (status, _) = server.get("/api/customers/nobody/timeline").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // AND the reasons report counts it in March
    let (status, body) = server.get("/api/reports/reasons?months=2").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report: ReasonsView = serde_json::from_value(body).unwrap();
    let months: Vec<(&str, u32)> = report
        .months
        .iter()
        .map(|m| (m.month.as_str(), m.already_paid))
        .collect();
    assert_eq!(months, [("2026-02", 0), ("2026-03", 1)]);
    for bad in ["0", "37", "x"] {
        let (status, answer) = server.get(&format!("/api/reports/reasons?months={bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(answer["field"], json!("months"));
    }
    let chart = super::client()
        .get(format!("{}/api/reports/reasons.svg", server.base))
        .header("cookie", &server.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(chart.status(), StatusCode::OK);
    assert_eq!(chart.headers()["content-type"], "image/svg+xml; charset=utf-8");
    assert!(chart.text().await.unwrap().contains("2026-03"));
    let anonymous = super::client()
        .get(format!("{}/api/tasks", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

async fn a_manual_task_is_listed_and_done_once<S: Store + 'static>(store: S) {
    let server = server(store).await;
    let store = &server.app.store;
    // GIVEN a task for staff waiting (a stage with no message)
    let mut task = kindly_core::fixtures::reminder("B", "call_accounts_payable", &["I-B"], ReminderStatus::Planned);
    task.created_at = march(15) - Duration::hours(1);
    task.transition(
        ReminderStatus::PendingApproval,
        task.created_at,
        &kindly_core::actor::Actor::System,
        None,
    )
    .unwrap();
    store.insert_reminder(&task).await.unwrap();
    let (_, body) = server.get("/api/tasks").await;
    let inbox: TaskList = serde_json::from_value(body).unwrap();
    let listed = inbox.open.iter().find(|t| t.id == task.id.0).expect("listed");
    assert_eq!(
        (listed.kind.as_str(), listed.actions.as_slice()),
        ("manual", &["done".to_owned()][..])
    );
    assert_eq!(listed.text, "Call them");
    // A decision for answers does not fit it
    let path = format!("/api/tasks/{}", task.id);
    let (status, answer) = server.post(&path, json!({"decision": "confirm_payment"})).await;
    assert_eq!(
        (status, &answer["field"]),
        (StatusCode::BAD_REQUEST, &json!("decision")),
        "{answer}"
    );
    // WHEN it is done THEN it is approved under alice, and no longer open
    let (status, answer) = server.post(&path, json!({"decision": "done"})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["done"]["by"], json!("alice"));
    assert_eq!(answer["done"]["outcome"], json!("done"));
    assert_eq!(server.status_of(&task.id.0).await, ReminderStatus::Approved);
    let (status, _) = server.post(&path, json!({"decision": "done"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // And a draft that is a message is not a task
    let draft = server.drafts().await[0]["id"].as_str().unwrap().to_owned();
    let (status, _) = server
        .post(&format!("/api/tasks/{draft}"), json!({"decision": "done"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}
