//! What each function actually calls: every AWS client a function uses gets an interceptor that records
//! the IAM action of each operation it sends, and one story runs through all five functions over one table
//! on the local stand-in (KINDLY_MOTO_URL, started by scripts/test.sh): invoices arrive through the staff
//! API, scan plans twice, staff approve, skip and snooze, a customer opens their page from the link in a
//! draft, Stripe reports a part payment, send sends, SES reports a bounce and a reply it stored to the events
//! function, which reads the reply from the bucket and forwards it (every function reads the link keys as
//! it starts). Each
//! function must have called exactly the actions its crate declares, so the declared lists (and through
//! `template_matches_code.rs`, the policies) are neither short of what a path needs nor wider than it.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_lambda_events::sqs::SqsEvent;
use axum::body::Body;
use chrono::{Duration, Utc};
use kindly_aws::config::{Config, LinkSource};
use kindly_aws::events::{Events, mail_events};
use kindly_aws::lambda::{Base, State, scan, send};
use kindly_aws::stand_in::{sdk_config, unique};
use kindly_aws::{AwsError, DynamoStore};
use kindly_core::Store;
use kindly_core::fixtures::customer;
use kindly_core::{CoreError, Policy};
use kindly_infra::recorder::ActionRecorder;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use tower::ServiceExt;

/// One function's clients, each recording what it is asked to send.
struct Recorded {
    dynamodb: ActionRecorder,
    ses: ActionRecorder,
    secretsmanager: ActionRecorder,
    s3: ActionRecorder,
}

impl Recorded {
    fn new() -> Recorded {
        Recorded {
            dynamodb: ActionRecorder::new("dynamodb"),
            ses: ActionRecorder::new("ses"),
            secretsmanager: ActionRecorder::new("secretsmanager"),
            s3: ActionRecorder::new("s3"),
        }
    }

    fn dynamodb(&self, sdk: &aws_config::SdkConfig) -> aws_sdk_dynamodb::Client {
        let config = aws_sdk_dynamodb::config::Builder::from(sdk)
            .interceptor(self.dynamodb.clone())
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }

    fn store(&self, sdk: &aws_config::SdkConfig, table: &str) -> DynamoStore {
        DynamoStore::new(self.dynamodb(sdk), table, 2)
    }

    /// The SES client as `kindly_aws::ses::client` builds it, plus the recorder.
    fn ses(&self, sdk: &aws_config::SdkConfig) -> aws_sdk_sesv2::Client {
        aws_sdk_sesv2::Client::from_conf(kindly_aws::ses::config(sdk).interceptor(self.ses.clone()).build())
    }

    fn secretsmanager(&self, sdk: &aws_config::SdkConfig) -> aws_sdk_secretsmanager::Client {
        let config = aws_sdk_secretsmanager::config::Builder::from(sdk)
            .interceptor(self.secretsmanager.clone())
            .build();
        aws_sdk_secretsmanager::Client::from_conf(config)
    }

    /// The S3 client as the stand-in wants it (path-style), plus the recorder.
    fn s3(&self, sdk: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .interceptor(self.s3.clone())
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    fn seen(&self) -> BTreeSet<String> {
        let mut seen = self.dynamodb.seen();
        seen.extend(self.ses.seen());
        seen.extend(self.secretsmanager.seen());
        seen.extend(self.s3.seen());
        seen
    }
}

const ANY_HOUR: kindly_core::calendar::BusinessHours = kindly_core::calendar::BusinessHours {
    from_hour: 0,
    to_hour: 24,
};

/// Where the story's link keys are, and where links point.
fn links(secret_id: &str) -> LinkSource {
    LinkSource {
        secret_id: secret_id.to_owned(),
        public_url: "https://pages.kindly.example".to_owned(),
    }
}

/// A function's configuration as its start-up reads it, the link keys through its recorded client.
async fn config(recorded: &Recorded, sdk: &aws_config::SdkConfig, table: &str, links: &LinkSource) -> Config {
    let config = Config {
        table: table.to_owned(),
        shards: 2,
        configuration_set: None,
        max_send_rate: None,
        send_concurrency: None,
        // Any hour: the story runs whenever the tests do (at the weekend, sends wait for Monday: see the send
        // run below)
        policy: Policy {
            sending_hours: Some(ANY_HOUR),
            ..Policy::default_policy()
        },
        links: Some(links.clone()),
        reply_bucket: None,
    };
    kindly_aws::links::with_customer_links(config, &recorded.secretsmanager(sdk))
        .await
        .expect("the link keys read")
}

/// Scan as `Base::from_env` builds it, over recorded clients.
async fn scanner(recorded: &Recorded, sdk: &aws_config::SdkConfig, table: &str, links: &LinkSource) -> Base {
    Base::from_client(config(recorded, sdk, table, links).await, recorded.dynamodb(sdk))
}

/// Send as `State::new` builds it, over recorded clients. Its start-up asks SES for the send rate, which
/// the stand-in does not answer (the call is recorded before it is sent); the state is then built with
/// the rate configured instead.
async fn state(recorded: &Recorded, sdk: &aws_config::SdkConfig, table: &str, links: &LinkSource) -> State {
    let (dynamodb, ses) = (recorded.dynamodb(sdk), recorded.ses(sdk));
    let config = config(recorded, sdk, table, links).await;
    match State::from_clients(config.clone(), dynamodb.clone(), ses.clone()).await {
        Ok(state) => state,
        Err(AwsError::Core(CoreError::MailTemporary(_))) => {
            let configured = Config {
                max_send_rate: Some(50.0),
                ..config
            };
            State::from_clients(configured, dynamodb, ses)
                .await
                .expect("with a configured rate, start-up asks SES nothing")
        }
        Err(other) => panic!("send's start-up: {other}"),
    }
}

fn scheduled_at(time: chrono::DateTime<Utc>) -> LambdaEvent<EventBridgeEvent> {
    let event: EventBridgeEvent = serde_json::from_value(json!({
        "detail-type": "Scheduled Event", "source": "kindly.scheduler", "time": time, "detail": {}
    }))
    .unwrap();
    LambdaEvent::new(event, Context::default())
}

/// Who calls: verified claims as the authorizers hand them on.
enum Caller {
    /// A person's ID token.
    Staff,
    /// The accounting system's client-credentials access token.
    Ingest,
    /// No token (the webhook's route has no authorizer).
    Anyone,
}

/// A request as API Gateway's HTTP API hands it to the function, with the caller's verified claims.
fn http_request(
    method: &str,
    path: &str,
    body: Option<&Value>,
    headers: Value,
    caller: Caller,
) -> axum::http::Request<Body> {
    let mut event = json!({
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
        "headers": {"host": "kindly.example", "content-type": "application/json"},
        "requestContext": {
            "accountId": "123456789012", "apiId": "api", "domainName": "kindly.example", "domainPrefix": "kindly",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "t"},
            "requestId": "id", "routeKey": "$default", "stage": "$default",
            "time": "16/Mar/2026:10:00:00 +0000", "timeEpoch": 1773655200000_i64
        },
        "isBase64Encoded": false
    });
    let claims = match caller {
        Caller::Staff => Some(json!({"email": "alice@northwind.example", "token_use": "id"})),
        Caller::Ingest => Some(json!({"client_id": "ingest", "token_use": "access", "scope": "kindly/ingest"})),
        Caller::Anyone => None,
    };
    if let Some(claims) = claims {
        event["requestContext"]["authorizer"] = json!({"jwt": {"claims": claims, "scopes": []}});
    }
    for (name, value) in headers.as_object().into_iter().flatten() {
        event["headers"][name] = value.clone();
    }
    if let Some(body) = body {
        event["body"] = body.to_string().into();
    }
    let request = lambda_http::request::from_str(&event.to_string()).expect("lambda_http reads the event");
    let (parts, body) = request.into_parts();
    axum::http::Request::from_parts(parts, Body::from(body.to_vec()))
}

async fn call(router: &axum::Router, request: axum::http::Request<Body>) -> (u16, Value) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 22).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}

async fn staff(router: &axum::Router, method: &str, path: &str, body: Option<Value>) -> Value {
    as_caller(router, Caller::Staff, method, path, body).await
}

async fn as_caller(router: &axum::Router, caller: Caller, method: &str, path: &str, body: Option<Value>) -> Value {
    let (status, answer) = call(router, http_request(method, path, body.as_ref(), json!({}), caller)).await;
    assert_eq!(status, 200, "{method} {path}: {answer}");
    answer
}

fn assert_calls(function: &str, recorded: &Recorded, declared: &[&str]) {
    let declared: BTreeSet<String> = declared.iter().map(|a| a.to_string()).collect();
    let seen = recorded.seen();
    let missing: Vec<_> = seen.difference(&declared).collect();
    let unused: Vec<_> = declared.difference(&seen).collect();
    assert!(
        missing.is_empty() && unused.is_empty(),
        "{function} called {seen:?}; declared {declared:?}\n  called but not declared: {missing:?}\n  \
         declared but not called in the story: {unused:?}"
    );
}

#[tokio::test]
async fn each_function_calls_exactly_the_actions_it_declares() {
    let sdk = sdk_config().await;
    // Set-up, not recorded: the table, the sending domain, the signing secret, the link keys
    let history = kindly_aws::stand_in::fresh_store(2).await;
    let table = history.table().to_owned();
    aws_sdk_sesv2::Client::new(&sdk)
        .create_email_identity()
        .email_identity("northwind.example")
        .send()
        .await
        .expect("verify the sending domain");
    let secret_id = unique("kindly-iam-stripe");
    aws_sdk_secretsmanager::Client::new(&sdk)
        .create_secret()
        .name(&secret_id)
        .secret_string("whsec_iam\n")
        .send()
        .await
        .unwrap();
    let link_keys = links(&unique("kindly-iam-links"));
    aws_sdk_secretsmanager::Client::new(&sdk)
        .create_secret()
        .name(&link_keys.secret_id)
        .secret_string("0123456789abcdefABCDEF0123456789abcdefABCDEF0123456789abcdefABCD")
        .send()
        .await
        .unwrap();
    let (scanning, sending, approving, hooking) = (Recorded::new(), Recorded::new(), Recorded::new(), Recorded::new());
    let policy = Policy::default_policy();
    let approving_policy = config(&approving, &sdk, &table, &link_keys).await.policy;
    let approvals = kindly_approvals::router(approving.store(&sdk, &table), approving_policy, None, None);

    // GIVEN customers and invoices from the accounting system, through the staff API: one due in five days
    // (its reminder is approved at once) and one a day overdue (Stripe will pay part of it)
    let run = unique("c");
    let id = |name: &str| format!("{run}-{name}");
    let today = Utc::now().with_timezone(&customer("x").time_zone).date_naive();
    for (name, due_in) in [("A", 5), ("P", -1)] {
        kindly_core::service::ingest_customer(
            &approving.store(&sdk, &table),
            &policy,
            &customer(&id(name)),
            Utc::now(),
        )
        .await
        .unwrap();
        let due = today + Duration::days(due_in);
        let invoice = json!({
            "number": format!("INV-{name}"), "customer_id": id(name), "currency": "USD", "total": "100.00",
            "issue_date": due - Duration::days(30), "due_date": due,
        });
        as_caller(
            &approvals,
            Caller::Ingest,
            "PUT",
            &format!("/api/invoices/{}", id(&format!("I{name}"))),
            Some(invoice),
        )
        .await;
    }
    // AND, from before (set up unrecorded), four customers already reminded once: three now due a step
    // that needs approval, one whose draft for that step has waited two weeks while another invoice came
    // due (today's pass supersedes the waiting draft with one covering both)
    for (name, overdue) in [("B", 12), ("C", 12), ("D", 12), ("E", 25)] {
        kindly_core::service::ingest_customer(&history, &policy, &customer(&id(name)), Utc::now())
            .await
            .unwrap();
        let due = (today - Duration::days(overdue)).to_string();
        let mut invoice = kindly_core::fixtures::invoice(&id(&format!("I{name}")), &id(name), &due, None);
        invoice.dunning.last_stage = Some("crossed_in_mail".into());
        kindly_core::service::ingest_invoice(&history, &policy, &invoice, Utc::now())
            .await
            .unwrap();
    }
    let since = (today - Duration::days(1)).to_string();
    let another = kindly_core::fixtures::invoice(&id("IE2"), &id("E"), &since, None);
    kindly_core::service::ingest_invoice(&history, &policy, &another, Utc::now())
        .await
        .unwrap();

    // WHEN the daily pass ran two weeks ago and runs today
    let scanner = scanner(&scanning, &sdk, &table, &link_keys).await;
    for days_ago in [14, 0] {
        let report = scan(&scanner, scheduled_at(Utc::now() - Duration::days(days_ago)))
            .await
            .unwrap();
        assert!(report.errors.is_empty(), "{report:?}");
    }

    // AND staff look at the drafts, approve one, skip one, snooze one and read a customer's history
    let drafts = staff(&approvals, "GET", "/api/drafts", None).await;
    let ours: Vec<String> = drafts["drafts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["customer"]["id"].as_str().is_some_and(|c| c.starts_with(&run)))
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ours.len() >= 3, "three drafts wait for approval: {drafts}");
    let shown = staff(&approvals, "GET", &format!("/api/drafts/{}", ours[0]), None).await;
    let hash = shown["content_hash"].clone();
    // AND the customer opens their page from the link the draft carries (no token: the link is its guard)
    let link = shown["context"]["customer_page"]
        .as_str()
        .expect("the draft links to the page");
    let page = link
        .strip_prefix("https://pages.kindly.example")
        .expect("under KINDLY_PUBLIC_URL");
    let (status, _) = call(&approvals, http_request("GET", page, None, json!({}), Caller::Anyone)).await;
    assert_eq!(status, 200, "{link}");
    staff(
        &approvals,
        "POST",
        &format!("/api/drafts/{}/approve", ours[0]),
        Some(json!({"content_hash": hash})),
    )
    .await;
    staff(
        &approvals,
        "POST",
        &format!("/api/drafts/{}/skip", ours[1]),
        Some(json!({"reason": "agreed"})),
    )
    .await;
    let until = today + Duration::days(30);
    staff(
        &approvals,
        "POST",
        &format!("/api/drafts/{}/snooze", ours[2]),
        Some(json!({"until": until})),
    )
    .await;
    staff(&approvals, "GET", &format!("/api/customers/{}/history", id("B")), None).await;
    // AND open the tasks inbox, a customer's timeline and the reasons report (all read by key and index)
    staff(&approvals, "GET", "/api/tasks", None).await;
    staff(&approvals, "GET", &format!("/api/customers/{}/timeline", id("B")), None).await;
    staff(&approvals, "GET", "/api/reports/reasons?months=3", None).await;
    // AND the receivables reports (the invoices by a filtered scan)
    staff(&approvals, "GET", "/api/reports/receivables?months=3", None).await;
    staff(&approvals, "GET", "/api/reports/aging", None).await;

    // AND Stripe reports that 40 of P's 100 dollars were paid (the webhook reads its secret at start-up)
    let webhook = kindly_approvals::stripe_webhook(&hooking.secretsmanager(&sdk), &secret_id, 300)
        .await
        .unwrap();
    let hooking_policy = config(&hooking, &sdk, &table, &link_keys).await.policy;
    let stripe = kindly_approvals::router(hooking.store(&sdk, &table), hooking_policy, Some(webhook), None);
    let event = json!({"id": unique("evt"), "type": "payment_intent.succeeded", "created": Utc::now().timestamp(),
        "data": {"object": {
        "id": unique("pi"), "amount_received": 4000, "currency": "usd",
        "metadata": {"kindly_invoice_id": id("IP")}}}});
    let signature = kindly_web::stripe::sign(event.to_string().as_bytes(), "whsec_iam", Utc::now().timestamp());
    let (status, answer) = call(
        &stripe,
        http_request(
            "POST",
            "/webhooks/stripe",
            Some(&event),
            json!({"stripe-signature": signature}),
            Caller::Anyone,
        ),
    )
    .await;
    assert_eq!((status, answer["result"].as_str()), (200, Some("applied")), "{answer}");

    // AND the send run starts (reading the account's send rate) and sends what is approved
    // (on the customers' first sending day from now: today, or their next business day when the story runs
    // at the weekend or on a holiday)
    let mut sender = state(&sending, &sdk, &table, &link_keys).await;
    let zone = customer("x").time_zone;
    let calendar = customer("x").calendar();
    let day = kindly_core::calendar::sending_day(calendar, zone, Utc::now(), Some(ANY_HOUR));
    let at = if day == Utc::now().with_timezone(&zone).date_naive() {
        Utc::now()
    } else {
        day.and_hms_opt(12, 0, 0)
            .unwrap()
            .and_local_timezone(zone)
            .unwrap()
            .with_timezone(&Utc)
    };
    sender.clock = std::sync::Arc::new(move || at);
    let report = send(&sender, scheduled_at(at)).await.unwrap();
    assert!(report.sent >= 2 && report.errors.is_empty(), "{report:?}");

    // AND SES reports that the message to A bounced, through the queue, and that another's reply arrived and
    // lies in the replies bucket (the events function reads the link keys as it starts, reads the reply
    // from the bucket, and forwards it to the billing mailbox)
    let eventing = Recorded::new();
    let bucket = kindly_aws::stand_in::fresh_bucket().await;
    let events = Events::from_clients(
        Config {
            reply_bucket: Some(bucket.clone()),
            ..config(&eventing, &sdk, &table, &link_keys).await
        },
        eventing.dynamodb(&sdk),
        eventing.s3(&sdk),
        eventing.ses(&sdk),
    );
    let sent = history
        .reminders_of_customer(&kindly_core::CustomerId(id("A")))
        .await
        .unwrap()
        .into_iter()
        .find(|reminder| reminder.status == kindly_core::ReminderStatus::Sent)
        .expect("A's message went out");
    let address = &customer(&id("A")).billing_contacts[0].email;
    let bounce = include_str!("../../functions/inbound/tests/fixtures/ses/bounce_permanent.json")
        .replace("accounts@acme.example", address)
        .replace("rem_a98c4ec461528f1359d41b88", &sent.id.0)
        .replace("0102018e1c6f7d10", &unique("fb"));
    let replied_to = history
        .reminders_with_status(kindly_core::ReminderStatus::Sent)
        .await
        .unwrap()
        .into_iter()
        .find(|reminder| reminder.customer_id.0.starts_with(&run) && reminder.customer_id.0 != id("A"))
        .expect("a second message went out");
    let reply = include_str!("../../functions/inbound/tests/fixtures/mail/reply_en.eml")
        .replace("rem_a98c4ec461528f1359d41b88", &replied_to.id.0);
    let (_, received) = kindly_aws::stand_in::store_received(&bucket, &reply).await;
    let batch: SqsEvent = serde_json::from_value(json!({"Records": [
        {"messageId": unique("m"), "body": bounce},
        {"messageId": unique("m"), "body": received},
    ]}))
    .unwrap();
    let answered = mail_events(&events, LambdaEvent::new(batch, Context::default()))
        .await
        .unwrap();
    assert!(answered.batch_item_failures.is_empty(), "{answered:?}");
    assert_eq!(
        history.reminder(&sent.id).await.unwrap().unwrap().status,
        kindly_core::ReminderStatus::Undelivered
    );
    let answers = history.answers_of_customer(&replied_to.customer_id).await.unwrap();
    assert!(
        answers.iter().any(|answer| answer.kind.name() == "reply"),
        "{answers:?}"
    );

    // THEN each function called exactly what it declares
    assert_calls("scan", &scanning, kindly_aws::iam::SCAN);
    assert_calls("events", &eventing, kindly_aws::iam::EVENTS);
    assert_calls("send", &sending, kindly_aws::iam::SEND);
    assert_calls("approvals", &approving, kindly_approvals::iam::APPROVALS);
    assert_calls("webhook", &hooking, kindly_approvals::iam::WEBHOOK);
}
