//! The approval page's API over a real socket, against each real store — the embedded SQLite store and the
//! DynamoDB store on the local stand-in (KINDLY_MOTO_URL, started by scripts/test.sh): sign-in, drafts,
//! approval bound to the rendered hash, skip, snooze, approve-all, history, what the accounting system puts,
//! failed reminders, and every error leaving the store unchanged.

mod answers;
mod customer_page;
mod discount_page;
mod drafts;
mod failed;
mod ingest;
mod last_step;
mod plans;
mod session;
mod tasks;

use chrono::{TimeZone, Utc};
use kindly_core::fixtures::{after_friendly_stages, customer, invoice};
use kindly_core::service;
use kindly_core::{Policy, ReminderId, ReminderStatus, Store};
use kindly_web::{Access, App, LocalLogin};
use reqwest::StatusCode;
use serde_json::Value;
use std::sync::Arc;

#[allow(dead_code)] // this target serves the router in process, not through the binary
#[path = "../common/mod.rs"]
mod common;

/// A server on 127.0.0.1 over a store with three customers' drafts (one in EUR), signed in as alice.
struct Server<S> {
    base: String,
    cookie: String,
    app: Arc<App<S>>,
    login: String,
}

fn march(day: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0).unwrap()
}

async fn server<S: Store + 'static>(store: S) -> Server<S> {
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

impl<S: Store + 'static> Server<S> {
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
