//! Reviewing drafts: the list, approval bound to the rendered hash, skip, snooze, approve-all, and bad
//! requests that change nothing.
use super::{client, server};
use kindly_core::{ReminderId, ReminderStatus, Store};
use reqwest::StatusCode;
use serde_json::{Value, json};

kindly_aws::on_both_stores!(
    drafts_are_listed_with_their_facts_and_filtered,
    approval_is_bound_to_the_hash_of_what_was_rendered,
    bad_requests_name_the_field_and_change_nothing,
    skip_snooze_and_the_customers_history,
    approve_all_is_all_or_nothing,
    approve_all_takes_at_most_one_transaction_of_drafts
);

async fn drafts_are_listed_with_their_facts_and_filtered<S: Store + 'static>(store: S) {
    let server = server(store).await;
    let drafts = server.drafts().await;
    assert_eq!(drafts.len(), 3);
    let first = &drafts[0];
    assert_eq!(first["status"], "pending_approval");
    assert_eq!(first["invoices"][0]["days_overdue"], 14);
    assert!(first["subject"].as_str().unwrap().contains("INV-"), "{first}");
    let (_, euros) = server.get("/api/drafts?currency=EUR").await;
    let euros = euros["drafts"].as_array().unwrap();
    assert_eq!(euros.len(), 1);
    assert_eq!(euros[0]["customer"]["id"], "C");
    let (_, only_a) = server.get("/api/drafts?customer=A").await;
    assert_eq!(only_a["drafts"].as_array().unwrap().len(), 1);
    let stage = first["stage_id"].as_str().unwrap();
    let (_, by_stage) = server.get(&format!("/api/drafts?stage={stage}")).await;
    assert_eq!(by_stage["drafts"].as_array().unwrap().len(), 3);
    let (_, none) = server.get("/api/drafts?stage=no_such_stage").await;
    assert!(none["drafts"].as_array().unwrap().is_empty());
}

async fn approval_is_bound_to_the_hash_of_what_was_rendered<S: Store + 'static>(store: S) {
    let server = server(store).await;
    let id = server.drafts().await[0]["id"].as_str().unwrap().to_owned();
    let (status, detail) = server.get(&format!("/api/drafts/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let hash = detail["content_hash"].as_str().unwrap().to_owned();
    // The hash is of exactly the context served (rendered here again, independently of the server)
    let context: kindly_render::MessageContext = serde_json::from_value(detail["context"].clone()).unwrap();
    let rendered = kindly_render::render(&context).unwrap();
    assert_eq!(rendered.content_hash, hash);
    assert_eq!(detail["server_render"]["text"], rendered.text.as_str());
    assert!(detail["context"]["personal_note"].is_null());
    // A note changes the hash; the check endpoint tells the browser the server's hash for it
    let note = "Thanks for the call – <b>we</b> & you";
    let (_, checked) = server
        .post(&format!("/api/drafts/{id}/check"), json!({"personal_note": note}))
        .await;
    let noted_hash = checked["content_hash"].as_str().unwrap().to_owned();
    assert_ne!(noted_hash, hash);
    let (_, blank) = server
        .post(&format!("/api/drafts/{id}/check"), json!({"personal_note": "  \n"}))
        .await;
    assert_eq!(blank["content_hash"], hash.as_str(), "a blank note is no note");
    // Approving with the hash of the note-less render, but sending a note: stale, nothing changes
    let (status, stale) = server
        .post(
            &format!("/api/drafts/{id}/approve"),
            json!({"content_hash": hash, "personal_note": note}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    assert_eq!(stale["current_hash"], noted_hash.as_str());
    assert_eq!(server.status_of(&id).await, ReminderStatus::PendingApproval);
    // The right hash approves, recording who and the note
    let (status, approved) = server
        .post(
            &format!("/api/drafts/{id}/approve"),
            json!({"content_hash": noted_hash, "personal_note": note}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["approved_by"], "alice");
    let stored = server
        .app
        .store
        .reminder(&ReminderId(id.clone()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, ReminderStatus::Approved);
    assert_eq!(stored.approval.unwrap().content_hash, noted_hash);
    assert_eq!(stored.draft.unwrap().context.personal_note.as_deref(), Some(note));
    // Approving again: no longer pending
    let (status, _) = server
        .post(
            &format!("/api/drafts/{id}/approve"),
            json!({"content_hash": noted_hash}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

async fn bad_requests_name_the_field_and_change_nothing<S: Store + 'static>(store: S) {
    let server = server(store).await;
    let id = server.drafts().await[0]["id"].as_str().unwrap().to_owned();
    let cases = [
        (
            "approve",
            json!({"personal_note": "x"}),
            StatusCode::BAD_REQUEST,
            Some("content_hash"),
        ),
        (
            "approve",
            json!({"content_hash": 7}),
            StatusCode::BAD_REQUEST,
            Some("content_hash"),
        ),
        (
            "approve",
            json!({"content_hash": "x", "note": "typo"}),
            StatusCode::BAD_REQUEST,
            None,
        ),
        (
            "snooze",
            json!({"until": "next week"}),
            StatusCode::BAD_REQUEST,
            Some("until"),
        ),
        (
            "snooze",
            json!({"until": "2026-03-15"}),
            StatusCode::BAD_REQUEST,
            Some("until"),
        ),
        (
            "skip",
            json!({"reason": ["a"]}),
            StatusCode::BAD_REQUEST,
            Some("reason"),
        ),
        // Longer than kindly_core::limits allows: refused, not stored
        (
            "skip",
            json!({"reason": "r".repeat(1_001)}),
            StatusCode::BAD_REQUEST,
            Some("reason"),
        ),
        (
            "snooze",
            json!({"until": "2026-03-20", "reason": "r".repeat(1_001)}),
            StatusCode::BAD_REQUEST,
            Some("reason"),
        ),
        (
            "approve",
            json!({"content_hash": "x", "personal_note": "n".repeat(2_001)}),
            StatusCode::BAD_REQUEST,
            Some("personal_note"),
        ),
        (
            "check",
            json!({"personal_note": "n".repeat(2_001)}),
            StatusCode::BAD_REQUEST,
            Some("personal_note"),
        ),
    ];
    for (action, body, expected, field) in cases {
        let (status, answer) = server.post(&format!("/api/drafts/{id}/{action}"), body.clone()).await;
        assert_eq!(status, expected, "{action} {body}: {answer}");
        assert!(answer["error"].as_str().is_some_and(|e| !e.is_empty()), "{answer}");
        if let Some(field) = field {
            assert_eq!(answer["field"], field, "{action} {body}: {answer}");
        }
    }
    let (status, _) = server.get("/api/drafts/rem_nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = server.post("/api/drafts/rem_nope/skip", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = server.get("/api/customers/nobody/history").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Not JSON, or from another site: refused before anything is read
    let plain = client()
        .post(format!("{}/api/drafts/{id}/skip", server.base))
        .header("cookie", &server.cookie)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let cross_site = client()
        .post(format!("{}/api/drafts/{id}/skip", server.base))
        .header("cookie", &server.cookie)
        .header("content-type", "application/json")
        .header("origin", "https://evil.example")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    assert_eq!(server.status_of(&id).await, ReminderStatus::PendingApproval);
    assert_eq!(server.drafts().await.len(), 3);
}

async fn skip_snooze_and_the_customers_history<S: Store + 'static>(store: S) {
    let server = server(store).await;
    let drafts = server.drafts().await;
    let (skipped, snoozed) = (drafts[0]["id"].as_str().unwrap(), drafts[1]["id"].as_str().unwrap());
    let (status, _) = server
        .post(
            &format!("/api/drafts/{skipped}/skip"),
            json!({"reason": "paid by cheque"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(server.status_of(skipped).await, ReminderStatus::Skipped);
    let (status, answer) = server
        .post(&format!("/api/drafts/{snoozed}/snooze"), json!({"until": "2026-03-20"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(server.status_of(snoozed).await, ReminderStatus::Cancelled);
    assert_eq!(server.drafts().await.len(), 1);
    let customer = drafts[0]["customer"]["id"].as_str().unwrap();
    let (status, history) = server.get(&format!("/api/customers/{customer}/history")).await;
    assert_eq!(status, StatusCode::OK);
    let steps = history["reminders"][0]["history"].as_array().unwrap();
    let last = steps.last().unwrap();
    assert_eq!(
        (last["to"].as_str(), last["by"].as_str()),
        (Some("skipped"), Some("alice"))
    );
    assert_eq!(last["note"], "paid by cheque");
    assert_eq!(history["invoices"][0]["status"], "open");
    let snoozed_customer = drafts[1]["customer"]["id"].as_str().unwrap();
    let (_, history) = server.get(&format!("/api/customers/{snoozed_customer}/history")).await;
    assert_eq!(history["invoices"][0]["snoozed_until"], "2026-03-20");
}

async fn approve_all_is_all_or_nothing<S: Store + 'static>(store: S) {
    let server = server(store).await;
    let mut items = Vec::new();
    for draft in server.drafts().await {
        let id = draft["id"].as_str().unwrap().to_owned();
        let (_, detail) = server.get(&format!("/api/drafts/{id}")).await;
        items.push(json!({"id": id, "content_hash": detail["content_hash"]}));
    }
    let mut one_stale = items.clone();
    one_stale[2]["content_hash"] = json!("0".repeat(64));
    let (status, answer) = server
        .post("/api/drafts/approve-all", json!({ "items": one_stale }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["stale"].as_array().unwrap().len(), 1);
    assert_eq!(answer["stale"][0]["id"], items[2]["id"]);
    let reason = answer["stale"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("does not match the current render"), "{reason}");
    assert_eq!(server.drafts().await.len(), 3, "nothing was approved");
    let (status, answer) = server.post("/api/drafts/approve-all", json!({ "items": [] })).await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("items"))
    );
    let (status, answer) = server.post("/api/drafts/approve-all", json!({ "items": items })).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["approved"].as_array().unwrap().len(), 3);
    assert!(server.drafts().await.is_empty());
}

async fn approve_all_takes_at_most_one_transaction_of_drafts<S: Store + 'static>(store: S) {
    let server = server(store).await;
    let items: Vec<Value> = (0..=kindly_core::ports::MAX_BATCH)
        .map(|n| json!({"id": format!("rem_{n}"), "content_hash": "x"}))
        .collect();
    let (status, answer) = server.post("/api/drafts/approve-all", json!({ "items": items })).await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("items")),
        "{answer}"
    );
    assert!(answer["error"].as_str().unwrap().contains("at most 100"), "{answer}");
}
