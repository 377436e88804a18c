//! Shared by the tests that talk to the local AWS stand-in (moto's server on 127.0.0.1), which
//! `scripts/test.sh` installs and starts, exporting its address as `KINDLY_MOTO_URL`. The clients and names
//! come from `kindly_aws::stand_in`; what only this crate's tests read of the stand-in is here.

// Each test and bench uses its own part of this module.
#![allow(dead_code, unused_imports)]

pub mod runtime_api;

pub use kindly_aws::stand_in::{fresh_store, moto_url, sdk_config, unique};

/// The raw messages the SES stand-in has accepted, from its state dump.
pub async fn sent_raw_messages() -> Vec<String> {
    let body = http_get(&format!("{}/moto-api/data.json", moto_url())).await;
    let data: serde_json::Value = serde_json::from_str(&body).expect("the stand-in's state is JSON");
    data["ses"]["RawMessage"]
        .as_array()
        .map(|messages| {
            messages
                .iter()
                .map(|m| m["raw_data"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// One SendEmail call as the stand-in saw it: when (Unix seconds) and whether it was accepted.
#[derive(Debug, serde::Deserialize)]
pub struct SendCall {
    pub at: f64,
    pub accepted: bool,
}

/// The SendEmail calls made with configuration set `name`, in order. A set named `throttle-every-N-...`
/// has every Nth call throttled by the stand-in (see tests/moto_serial.py).
pub async fn send_log(name: &str) -> Vec<SendCall> {
    let body = http_get(&format!(
        "{}/kindly-stand-in/send-log?configuration-set={name}",
        moto_url()
    ))
    .await;
    serde_json::from_str(&body).expect("the stand-in's send log is JSON")
}

/// A plain HTTP GET over a TCP socket (the stand-in speaks HTTP on 127.0.0.1).
async fn http_get(url: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").expect("an http:// address");
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut stream = tokio::net::TcpStream::connect(host)
        .await
        .expect("the stand-in is listening");
    let request = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default()
}

/// A fresh table with `customers` customers (New York, ids unique to this call, so reminder ids and the
/// stand-in's sent mail are too), each with one open invoice due on 2026-03-16; and the policy's sending
/// domain verified in the SES stand-in.
pub async fn seeded_store(customers: usize) -> kindly_aws::DynamoStore {
    use kindly_core::fixtures::{customer, invoice};
    use kindly_core::{Policy, service};
    let ses = aws_sdk_sesv2::Client::new(&sdk_config().await);
    ses.create_email_identity()
        .email_identity("northwind.example")
        .send()
        .await
        .expect("verify the domain");
    let store = fresh_store(4).await;
    let policy = Policy::default_policy();
    let run = unique("run");
    for index in 0..customers {
        let id = format!("{run}-C{index}");
        service::ingest_customer(&store, &Policy::default_policy(), &customer(&id), chrono::Utc::now())
            .await
            .expect("ingest a customer");
        let due = invoice(&format!("I{index}"), &id, "2026-03-16", None);
        service::ingest_invoice(&store, &policy, &due, chrono::Utc::now())
            .await
            .expect("ingest an invoice");
    }
    store
}
