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
    let sent = common::sent_raw_messages().await;
    let ours = sent
        .iter()
        .find(|raw| raw.contains(&key))
        .expect("the stand-in recorded the message");
    assert!(ours.contains("Cc: \"Fran Boss\" <cfo@acme.example>"), "{ours}");
    assert!(ours.contains("multipart/alternative"), "{ours}");
    // The customer's id and the stage go to SES as message tags, never into what the customer reads.
    assert!(!ours.contains("X-Kindly") && !ours.contains("C 1"), "{ours}");
}

#[tokio::test]
async fn an_unverified_sender_is_rejected_for_good() {
    let mailer = SesMailer::new(ses_client().await, None, "northwind.example".into(), Pacer::new(0.0));
    let result = mailer
        .send(&email("nobody@unverified.example", &common::unique("rem")))
        .await;
    assert!(matches!(result, Err(CoreError::MailRejected(_))), "{result:?}");
}
