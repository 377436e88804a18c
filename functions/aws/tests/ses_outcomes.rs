//! What the SES mailer makes of each way a SendEmail can fail, against servers on 127.0.0.1 that fail in that
//! way over a real socket: an answer from SES is retried or refused as SES says; a connection dropped after
//! the request left is never sent again (the message may be out) and is an unknown outcome for a person.

use kindly_aws::SesMailer;
use kindly_aws::pacing::Pacer;
use kindly_core::{CoreError, Mailer, OutgoingEmail};
use kindly_render::Mailbox;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn email() -> OutgoingEmail {
    let mailbox = |email: &str| Mailbox {
        name: String::new(),
        email: email.into(),
    };
    OutgoingEmail {
        idempotency_key: "rem_outcomes".into(),
        from: mailbox("billing@northwind.example"),
        reply_to: None,
        to: vec![mailbox("ap@acme.example")],
        cc: vec![],
        subject: "Invoice INV-1".into(),
        text: "Please pay INV-1.\n".into(),
        html: "<p>Please pay INV-1.</p>".into(),
        tags: vec![("reminder".into(), "rem_outcomes".into())],
    }
}

/// What the server does with each request it reads whole.
#[derive(Clone, Copy)]
enum Behaviour {
    /// Close the connection without a word, as a connection lost after the request left.
    HangUp,
    /// Answer 400 Throttling, as SES does when the send rate is exceeded.
    Throttle,
}

/// A server on 127.0.0.1 behaving so; returns its address and the count of requests it read.
async fn server(behaviour: Behaviour) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = requests.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 4096];
                // Read one request: its head, then as much body as Content-Length says.
                loop {
                    let Ok(read) = socket.read(&mut chunk).await else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..read]);
                    let text = String::from_utf8_lossy(&buffer).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|line| {
                                let (name, value) = line.split_once(':')?;
                                name.eq_ignore_ascii_case("content-length")
                                    .then(|| value.trim().parse().ok())?
                            })
                            .unwrap_or(0usize);
                        if buffer.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                seen.fetch_add(1, Ordering::SeqCst);
                match behaviour {
                    Behaviour::HangUp => drop(socket),
                    Behaviour::Throttle => {
                        let body = r#"{"message":"Maximum sending rate exceeded."}"#;
                        let answer = format!(
                            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-amzn-errortype: \
                             TooManyRequestsException\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = socket.write_all(answer.as_bytes()).await;
                    }
                }
            });
        }
    });
    (address, requests)
}

async fn mailer(endpoint: &str) -> SesMailer {
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("eu-west-2"))
        .credentials_provider(aws_sdk_sesv2::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .load()
        .await;
    SesMailer::new(
        kindly_aws::ses::client(&sdk),
        None,
        "northwind.example".into(),
        Pacer::new(0.0),
    )
}

#[tokio::test]
async fn a_connection_lost_after_the_request_left_is_never_sent_again() {
    let (address, requests) = server(Behaviour::HangUp).await;
    let sent = mailer(&address).await.send(&email()).await;
    assert!(matches!(sent, Err(CoreError::MailUnknown(_))), "{sent:?}");
    assert_eq!(requests.load(Ordering::SeqCst), 1, "the SDK sent the message again");
}

#[tokio::test]
async fn throttling_is_retried_and_then_temporary() {
    let (address, requests) = server(Behaviour::Throttle).await;
    let sent = mailer(&address).await.send(&email()).await;
    assert!(matches!(sent, Err(CoreError::MailTemporary(_))), "{sent:?}");
    assert_eq!(requests.load(Ordering::SeqCst), 5, "the SDK's five attempts");
}

#[tokio::test]
async fn a_connection_never_made_sent_nothing_and_is_temporary() {
    // A port nobody listens on: bound, then let go.
    let address = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let sent = mailer(&address).await.send(&email()).await;
    assert!(matches!(sent, Err(CoreError::MailTemporary(_))), "{sent:?}");
}
