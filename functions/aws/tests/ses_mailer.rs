//! The SES v2 mailer against the local stand-in: a verified sender's raw message is accepted and can be
//! read back; an unverified sender is a permanent rejection.

mod common;

use kindly_aws::SesMailer;
use kindly_aws::pacing::Pacer;
use kindly_core::{CoreError, Mailer, OutgoingEmail};
use kindly_render::Mailbox;

fn email(from: &str, key: &str) -> OutgoingEmail {
    let mailbox = |name: &str, email: &str| Mailbox {
        name: name.into(),
        email: email.into(),
    };
    OutgoingEmail {
        idempotency_key: key.into(),
        from: mailbox("Northwind Billing", from),
        reply_to: Some(mailbox("", "ar@northwind.example")),
        to: vec![mailbox("Jamie Lee", "ap@acme.example")],
        cc: vec![mailbox("Fran Boss", "cfo@acme.example")],
        subject: format!("Invoice INV-1 – {key}"),
        text: "Please pay INV-1.\n".into(),
        html: "<p>Please pay INV-1.</p>".into(),
        tags: vec![("reminder".into(), key.into()), ("customer".into(), "C 1/ü".into())],
    }
}

async fn ses_client() -> aws_sdk_sesv2::Client {
    aws_sdk_sesv2::Client::new(&common::sdk_config().await)
}

/// The raw messages the stand-in has accepted, as its state dump shows them.
async fn sent_raw_messages() -> Vec<String> {
    let body = http_get(&format!("{}/moto-api/data.json", common::moto_url())).await;
    let data: serde_json::Value = serde_json::from_str(&body).unwrap();
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

/// A plain HTTP GET over a TCP socket (the stand-in speaks HTTP/1.1 on 127.0.0.1).
async fn http_get(url: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    stream
        .write_all(format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_verified_sender_sends_a_raw_message() {
    let client = ses_client().await;
    let sender = format!("{}@northwind.example", common::unique("billing"));
    client
        .create_email_identity()
        .email_identity(&sender)
        .send()
        .await
        .unwrap();
    let mailer = SesMailer::new(client, None, "northwind.example".into(), Pacer::new(0.0));
    let key = common::unique("rem");
    let message_id = mailer.send(&email(&sender, &key)).await.unwrap();
    assert!(!message_id.is_empty());
    let sent = sent_raw_messages().await;
    let ours = sent
        .iter()
        .find(|raw| raw.contains(&key))
        .expect("the stand-in recorded the message");
    assert!(ours.contains("Cc: \"Fran Boss\" <cfo@acme.example>"), "{ours}");
    assert!(ours.contains("multipart/alternative"), "{ours}");
}

#[tokio::test]
async fn an_unverified_sender_is_rejected_for_good() {
    let mailer = SesMailer::new(ses_client().await, None, "northwind.example".into(), Pacer::new(0.0));
    let result = mailer
        .send(&email("nobody@unverified.example", &common::unique("rem")))
        .await;
    assert!(matches!(result, Err(CoreError::MailRejected(_))), "{result:?}");
}
