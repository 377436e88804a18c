//! The customer's own page (`GET /c/{token}`) over a real socket: a genuine link shows that customer's
//! statement and nothing of anyone else's, escaped; a thousand forged, truncated, expired, tampered or
//! other-customer links all get the same polite page without data and change nothing; then the genuine
//! link still works.
use super::client;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, TimeZone, Utc};
use kindly_core::fixtures::{customer, invoice};
use kindly_core::link::{LinkKey, LinkKeys};
use kindly_core::service;
use kindly_core::{Currency, CustomerId, Policy, ReminderId, ReminderStatus, Store};
use kindly_local::outbox::OutboxMailer;
use kindly_web::{Access, App, LocalLogin};
use reqwest::StatusCode;
use std::sync::Arc;

kindly_aws::on_both_stores!(
    a_genuine_link_shows_the_statement_and_nothing_of_another_customer,
    forged_links_open_nothing_and_change_nothing
);

/// A's name carries markup, which must reach the browser as text.
const HOSTILE_NAME: &str = "Acme <script>alert(1)</script>";

pub(super) fn keys() -> LinkKeys {
    LinkKeys::new(vec![LinkKey::new([7; 32])]).unwrap()
}

/// The page's "now": 15 March 2026, afternoon UTC.
pub(super) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 15, 13, 0, 0).unwrap()
}

pub(super) struct Page<S> {
    pub(super) base: String,
    pub(super) app: Arc<App<S>>,
    /// A's message that went out on 24 February, the one its link is written into.
    pub(super) sent: ReminderId,
    pub(super) outbox: tempfile::TempDir,
}

/// A server over customers A (two open invoices in two currencies, one paid) and B (German, one open
/// invoice), each sent the courtesy note before the due date.
async fn page<S: Store + 'static>(store: S) -> Page<S> {
    page_with(store, Policy::default_policy()).await
}

/// [`page`] under `policy`.
pub(super) async fn page_with<S: Store + 'static>(store: S, policy: Policy) -> Page<S> {
    let mut acme = customer("A");
    acme.display_name = HOSTILE_NAME.into();
    // B reads German
    let mut kunde = customer("B");
    kunde.locale = "de-DE".into();
    for customer in [acme, kunde] {
        service::ingest_customer(&store, &policy, &customer, Utc::now())
            .await
            .unwrap();
    }
    let mut euros = invoice("A2", "A", "2026-03-01", None);
    euros.currency = Currency::from_code("EUR").unwrap();
    euros.total = "250.00".parse().unwrap();
    let mut paid = invoice("A3", "A", "2026-03-01", None);
    paid.paid = paid.total;
    paid.status = kindly_core::InvoiceStatus::Paid;
    for open in [
        invoice("A1", "A", "2026-03-01", None),
        euros,
        paid,
        invoice("B1", "B", "2026-03-01", None),
    ] {
        service::ingest_invoice(
            &store,
            &policy,
            &open,
            Utc.with_ymd_and_hms(2026, 2, 1, 12, 0, 0).unwrap(),
        )
        .await
        .unwrap();
    }
    let outbox = tempfile::tempdir().unwrap();
    let courtesy = Utc.with_ymd_and_hms(2026, 2, 24, 17, 0, 0).unwrap();
    service::run_pass(&store, &policy, courtesy, false).await.unwrap();
    service::send_approved(&store, &OutboxMailer::new(outbox.path()), &policy, courtesy)
        .await
        .unwrap();
    let sent = store.reminders_of_customer(&CustomerId("A".into())).await.unwrap();
    let sent = sent
        .into_iter()
        .find(|reminder| reminder.status == ReminderStatus::Sent)
        .expect("A's courtesy note went out")
        .id;
    let (login, _) = LocalLogin::new("alice");
    let mut app = App::new(store, policy, Access::Local(login));
    app.clock = now;
    app.customer_links = Some(keys());
    let app = Arc::new(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, kindly_web::router(app.clone())).into_future());
    Page {
        base,
        app,
        sent,
        outbox,
    }
}

impl<S: Store + 'static> Page<S> {
    pub(super) fn token(&self, customer: &str, expires_at: DateTime<Utc>) -> String {
        keys().sign(&CustomerId(customer.into()), &self.sent, expires_at)
    }

    /// `GET {path}`: the status, the headers that matter here, and the body.
    pub(super) async fn open(&self, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let response = client().get(format!("{}{path}", self.base)).send().await.unwrap();
        (
            response.status(),
            response.headers().clone(),
            response.text().await.unwrap(),
        )
    }

    /// Everything the page could change, for before-and-after comparisons.
    pub(super) async fn snapshot(&self) -> String {
        let store = &self.app.store;
        let mut all = String::new();
        for id in ["A", "B"] {
            let id = CustomerId(id.into());
            all += &format!(
                "{:?}\n{:?}\n{:?}\n{:?}\n",
                store.customer(&id).await.unwrap(),
                store.invoices_of_customer(&id).await.unwrap(),
                store.reminders_of_customer(&id).await.unwrap(),
                store.answers_of_customer(&id).await.unwrap()
            );
        }
        all
    }
}

async fn a_genuine_link_shows_the_statement_and_nothing_of_another_customer<S: Store + 'static>(store: S) {
    let page = page(store).await;
    let (status, headers, body) = page
        .open(&format!("/c/{}", page.token("A", now() + Duration::days(90))))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(
        policy.starts_with("default-src 'none'; style-src 'sha256-") && !policy.contains("script"),
        "{policy}"
    );
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(
        headers["referrer-policy"], "same-origin",
        "the token never goes to another site"
    );
    // A's open invoices, with dates, days overdue, totals per currency and pay links; not the paid one
    for shown in [
        "INV-A1",
        "INV-A2",
        "January 30, 2026",
        "March 1, 2026",
        "14 days overdue",
        "$100.00",
        "€250.00",
        "href=\"https://pay.example/A1\"",
        "How to pay",
        "IBAN: GB33 BUKB 2020 1555 5555 55",
        "Northwind Studio",
        "billing@northwind.example",
        "Messages we sent you",
        "February 24, 2026",
    ] {
        assert!(body.contains(shown), "{shown} missing:\n{body}");
    }
    assert!(!body.contains("INV-A3"), "a paid invoice is not owed");
    assert!(
        !body.contains("We have not written to you"),
        "the courtesy note is listed"
    );
    // The name is text, not markup; no script anywhere
    assert!(body.contains("Acme &lt;script&gt;alert(1)&lt;/script&gt;"), "{body}");
    assert!(!body.contains("<script"), "{body}");
    // Nothing of B's
    for hidden in ["INV-B1", "Customer B", "b.example", "pay.example/B1"] {
        assert!(!body.contains(hidden), "{hidden} shown on A's page");
    }
    // B's own link shows B's invoice and not A's
    let (status, _, theirs) = page
        .open(&format!("/c/{}", page.token("B", now() + Duration::days(1))))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(theirs.contains("INV-B1") && !theirs.contains("INV-A1") && !theirs.contains("Acme"));
}

/// One link that must open nothing: random text, a genuine token cut short, with a byte changed, edited to
/// name B, expired, signed with another key, naming a customer the store does not know, far too long, or
/// raw bytes (percent-encoded) that are not even text.
pub(super) fn forged_paths(
    genuine: String,
    expired: String,
    unknown: String,
) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let bytes = URL_SAFE_NO_PAD.decode(&genuine).unwrap();
    let len = genuine.len();
    let at = move |token: String| format!("/c/{token}");
    let changed = bytes.clone();
    // The version, the expiry's eight bytes, the id's two-byte length, then the id: "A" becomes "B".
    let mut for_b = bytes;
    assert_eq!(for_b[11], b'A');
    for_b[11] = b'B';
    prop_oneof![
        "[A-Za-z0-9_-]{1,300}".prop_map(at),
        (1..len).prop_map({
            let genuine = genuine.clone();
            move |cut| at(genuine[..cut].to_owned())
        }),
        (0..changed.len(), 1..=255u8).prop_map(move |(index, flip)| {
            let mut edited = changed.clone();
            edited[index] ^= flip;
            at(URL_SAFE_NO_PAD.encode(edited))
        }),
        Just(at(URL_SAFE_NO_PAD.encode(&for_b))),
        Just(expired).prop_map(at),
        any::<[u8; 32]>().prop_map(move |key| {
            let other = LinkKeys::new(vec![LinkKey::new(key)]).unwrap();
            at(other.sign(
                &CustomerId("A".into()),
                &ReminderId("rem_x".into()),
                now() + Duration::days(1),
            ))
        }),
        Just(unknown).prop_map(at),
        (kindly_core::link::MAX_TOKEN_CHARS..3_000)
            .prop_map(move |extra| at(format!("{genuine}{}", "A".repeat(extra)))),
        proptest::collection::vec(any::<u8>(), 1..60)
            .prop_map(|raw| format!("/c/{}", raw.iter().map(|b| format!("%{b:02X}")).collect::<String>())),
    ]
}

async fn forged_links_open_nothing_and_change_nothing<S: Store + 'static>(store: S) {
    use proptest::strategy::{Strategy, ValueTree};
    let page = page(store).await;
    let genuine = page.token("A", now() + Duration::days(90));
    let before = page.snapshot().await;
    // The polite page: the billing contact and nothing of any customer
    let (status, _, polite) = page.open(&format!("/c/{}", &genuine[..20])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(polite.contains("billing@northwind.example") && polite.contains("This link does not open an account"));
    assert!(
        !polite.contains("INV-") && !polite.contains("Acme") && !polite.contains("Customer B"),
        "{polite}"
    );

    let strategy = forged_paths(
        genuine.clone(),
        page.token("A", now()),
        keys().sign(&CustomerId("Z".into()), &page.sent, now() + Duration::days(1)),
    );
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for case in 0..1_000 {
        let path = strategy.new_tree(&mut runner).unwrap().current();
        let (status, headers, body) = page.open(&path).await;
        // Same status, same page, whatever the reason
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::NOT_FOUND, polite.as_str()),
            "case {case}: {path}"
        );
        assert_eq!(headers["cache-control"], "no-store", "case {case}");
    }
    assert_eq!(page.snapshot().await, before, "nothing changed");
    // The same server opens the genuine link, so the refusals above were for the links themselves
    let (status, _, body) = page.open(&format!("/c/{genuine}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("INV-A1"));
}
