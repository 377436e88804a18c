//! The approval page's API over a real socket, against the embedded store: sign-in, drafts, approval bound
//! to the rendered hash, skip, snooze, approve-all, history, and every error leaving the store unchanged.

use chrono::{TimeZone, Utc};
use kindly_core::fixtures::{after_friendly_stages, customer, invoice};
use kindly_core::service;
use kindly_core::{Policy, ReminderId, ReminderStatus, Store};
use kindly_local::sqlite_store::SqliteStore;
use kindly_web::{Access, App, LocalLogin};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

#[allow(dead_code)] // this file serves the router in process, not through the binary
mod common;

/// A server on 127.0.0.1 over a store with three customers' drafts (one in EUR), signed in as alice.
struct Server {
    base: String,
    cookie: String,
    app: Arc<App<SqliteStore>>,
    login: String,
}

fn march(day: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0).unwrap()
}

async fn server() -> Server {
    let store = SqliteStore::in_memory().unwrap();
    let policy = Policy::default_policy();
    for (id, currency) in [("A", "USD"), ("B", "USD"), ("C", "EUR")] {
        service::ingest_customer(&store, &policy, &customer(id), Utc::now())
            .await
            .unwrap();
        // The friendly stages went out already; the next one waits for approval
        let mut open = after_friendly_stages(invoice(&format!("I-{id}"), id, "2026-03-01", None));
        open.currency = kindly_core::Currency::from_code(currency).unwrap();
        service::ingest_invoice(&store, &policy, &open, march(1)).await.unwrap();
    }
    service::run_pass(&store, &policy, march(15), false).await.unwrap();
    let (login, token) = LocalLogin::new("alice");
    let mut app = App::new(store, policy, Access::Local(login));
    app.clock = || Utc.with_ymd_and_hms(2026, 3, 15, 13, 0, 0).unwrap();
    let app = Arc::new(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, kindly_web::router(app.clone())).into_future());
    let login = format!("{base}/login?token={token}");
    let response = client().get(&login).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let set_cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    Server {
        base,
        cookie,
        app,
        login,
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl Server {
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = client()
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.write(reqwest::Method::POST, path, body).await
    }

    async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.write(reqwest::Method::PUT, path, body).await
    }

    /// A JSON write from the page's own origin, signed in.
    async fn write(&self, method: reqwest::Method, path: &str, body: Value) -> (StatusCode, Value) {
        let response = client()
            .request(method, format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("content-type", "application/json")
            .header("origin", &self.base)
            .header("sec-fetch-site", "same-origin")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap_or(Value::Null))
    }

    async fn drafts(&self) -> Vec<Value> {
        let (status, body) = self.get("/api/drafts").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["drafts"].as_array().unwrap().clone()
    }

    async fn status_of(&self, id: &str) -> ReminderStatus {
        let reminder = self.app.store.reminder(&ReminderId(id.into())).await.unwrap().unwrap();
        reminder.status
    }
}

#[tokio::test]
async fn nothing_without_signing_in_and_the_link_works_once() {
    let server = server().await;
    let anonymous = client();
    for path in ["/", "/api/session", "/api/drafts", "/api/customers/A/history"] {
        let response = anonymous.get(format!("{}{path}", server.base)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        // The page says how to sign in; the API answers in JSON like every other API error, never cached
        let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
        if path == "/" {
            assert!(content_type.starts_with("text/html"), "{path}: {content_type}");
        } else {
            assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
            assert_eq!(content_type, "application/json", "{path}");
            let body: Value = response.json().await.unwrap();
            assert!(
                body["error"].as_str().is_some_and(|error| error.contains("sign in")),
                "{path}: {body}"
            );
        }
    }
    let id = server.drafts().await[0]["id"].as_str().unwrap().to_owned();
    let response = anonymous
        .post(format!("{}/api/drafts/{id}/approve", server.base))
        .header("content-type", "application/json")
        .body(json!({"content_hash": "x"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // The login link was spent by the first sign-in, and a made-up cookie is nobody
    let again = anonymous.get(&server.login).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    let forged = anonymous
        .get(format!("{}/api/session", server.base))
        .header("cookie", format!("kindly_session={}", "0".repeat(64)))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let (status, session) = server.get("/api/session").await;
    assert_eq!((status, session["approver"].as_str()), (StatusCode::OK, Some("alice")));
}

#[tokio::test]
async fn the_page_and_api_carry_a_strict_policy() {
    let server = server().await;
    let page = client()
        .get(format!("{}/", server.base))
        .header("cookie", &server.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval';"), "{csp}");
    assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
    assert!(page.text().await.unwrap().contains("/assets/app.js"));
    let wasm = client()
        .get(format!("{}/assets/kindly_render_bg.wasm", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(&wasm.bytes().await.unwrap()[..4], b"\0asm");
    let api = client()
        .get(format!("{}/api/drafts", server.base))
        .header("cookie", &server.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(api.headers()["cache-control"], "no-store");
    assert!(api.headers().contains_key("content-security-policy"));
    assert!(
        csp.contains("connect-src 'self';"),
        "locally the page talks to nobody else: {csp}"
    );
    // Locally the page signs in with the cookie: no hosted sign-in is offered, even to a stranger
    let config = client()
        .get(format!("{}/auth/config", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(config.status(), StatusCode::OK);
    assert_eq!(config.json::<Value>().await.unwrap(), json!({"mode": "local"}));
}

#[tokio::test]
async fn drafts_are_listed_with_their_facts_and_filtered() {
    let server = server().await;
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

#[tokio::test]
async fn approval_is_bound_to_the_hash_of_what_was_rendered() {
    let server = server().await;
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

#[tokio::test]
async fn bad_requests_name_the_field_and_change_nothing() {
    let server = server().await;
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

#[tokio::test]
async fn skip_snooze_and_the_customers_history() {
    let server = server().await;
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

#[tokio::test]
async fn approve_all_is_all_or_nothing() {
    let server = server().await;
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

fn invoice_body(customer: &str, paid: &str) -> Value {
    json!({"number": "INV-9", "customer_id": customer, "currency": "USD", "total": "250.00", "paid": paid,
           "issue_date": "2026-02-01", "due_date": "2026-03-01"})
}

#[tokio::test]
async fn accounting_systems_put_customers_and_invoices_with_errors_by_field() {
    let server = server().await;
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

#[tokio::test]
async fn a_payment_put_by_the_accounting_system_voids_the_waiting_draft() {
    let server = server().await;
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

#[tokio::test]
async fn pausing_a_customer_through_the_api_voids_their_waiting_draft() {
    let server = server().await;
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

#[tokio::test]
async fn approve_all_takes_at_most_one_transaction_of_drafts() {
    let server = server().await;
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

#[tokio::test]
async fn failed_reminders_are_listed_and_resolved_once_either_way() {
    let server = server().await;
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
