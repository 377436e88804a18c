//! kindly-mail: turns an [`OutgoingEmail`] into RFC 5322 bytes (multipart/alternative: text, then HTML), and
//! puts a customer's messages and records into a hand-over's [`dossier`].
//!
//! Architecture invariant: deterministic. The date is a parameter and the MIME boundary and Message-ID
//! derive from the idempotency key, so the same email at the same time always gives the same bytes — a
//! retried send writes or sends exactly what the first attempt would have.

pub mod dossier;

use kindly_core::customer::{email_problem, not_an_email};
use kindly_core::{CoreError, OutgoingEmail};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use sha2::{Digest, Sha256};
use std::time::SystemTime;

/// The Message-ID for an idempotency key: a retried send carries the same id.
pub fn message_id(key: &str, domain: &str) -> String {
    format!("<{key}@{domain}>")
}

/// The domain of the Message-IDs a deployment's messages carry: the policy's first sender's. Read from the
/// policy, so whoever renders a message again (a hand-over's dossier) names it as its sender did.
pub fn message_id_domain(policy: &kindly_core::Policy) -> String {
    policy
        .senders
        .values()
        .next()
        .and_then(|s| s.email.split_once('@'))
        .map_or("kindly.invalid", |(_, domain)| domain)
        .to_owned()
}

/// An address as the message carries it. Ingest checked it with the same rule
/// ([`kindly_core::customer::email_problem`]); checking it again here keeps what is sent to the addresses
/// ingest accepts, whatever else the MIME library would take.
fn mailbox(mailbox: &kindly_render::Mailbox) -> Result<Mailbox, CoreError> {
    let rejected = |problem: &str| CoreError::MailRejected(not_an_email(&mailbox.email, problem));
    if let Some(problem) = email_problem(&mailbox.email) {
        return Err(rejected(problem));
    }
    let address = mailbox
        .email
        .parse::<lettre::Address>()
        .map_err(|e| rejected(&e.to_string()))?;
    let name = Some(mailbox.name.clone()).filter(|name| !name.trim().is_empty());
    Ok(Mailbox::new(name, address))
}

/// Build the message. `message_id_domain` names the sender's domain in the Message-ID. The email's tags
/// are not written into it: they hold internal ids (the customer's, the stage's) that the customer must
/// not see; SES carries them as message tags, and the Message-ID already names the reminder.
pub fn to_rfc5322(email: &OutgoingEmail, date: SystemTime, message_id_domain: &str) -> Result<Vec<u8>, CoreError> {
    let mut builder = lettre::Message::builder()
        .from(mailbox(&email.from)?)
        .subject(email.subject.clone())
        .date(date)
        .message_id(Some(message_id(&email.idempotency_key, message_id_domain)));
    if let Some(reply_to) = &email.reply_to {
        builder = builder.reply_to(mailbox(reply_to)?);
    }
    for to in &email.to {
        builder = builder.to(mailbox(to)?);
    }
    for cc in &email.cc {
        builder = builder.cc(mailbox(cc)?);
    }
    let boundary = format!(
        "kindly-{}",
        &hex::encode(Sha256::digest(email.idempotency_key.as_bytes()))[..32]
    );
    let body = MultiPart::alternative()
        .boundary(boundary)
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(email.text.clone()),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(email.html.clone()),
        );
    let message = builder
        .multipart(body)
        .map_err(|e| CoreError::MailRejected(e.to_string()))?;
    Ok(message.formatted())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindly_render::Mailbox as Address;

    fn email() -> OutgoingEmail {
        let address = |name: &str, email: &str| Address {
            name: name.into(),
            email: email.into(),
        };
        OutgoingEmail {
            idempotency_key: "rem_0123".into(),
            from: address("Zoë from Billing", "billing@example.com"),
            reply_to: Some(address("", "ar@example.com")),
            to: vec![
                address("Jamie Lee", "ap@customer.example"),
                address("", "ap2@customer.example"),
            ],
            cc: vec![address("Fran Boss", "cfo@customer.example")],
            subject: "Rechnung INV-1 – Erinnerung".into(),
            text: "Guten Tag,\nbitte zahlen Sie 1.234,56 €.\n".into(),
            html: "<p>Guten Tag, bitte zahlen Sie <b>1.234,56 €</b>.</p>".into(),
            tags: vec![
                ("reminder".into(), "rem_0123".into()),
                ("stage".into(), "due_today".into()),
            ],
        }
    }

    #[test]
    fn builds_a_parseable_multipart_alternative() {
        let bytes = to_rfc5322(&email(), SystemTime::UNIX_EPOCH, "kindly.test").unwrap();
        let parsed = mail_parser::MessageParser::default().parse(&bytes).unwrap();
        assert_eq!(parsed.subject(), Some("Rechnung INV-1 – Erinnerung"));
        assert_eq!(parsed.from().unwrap().first().unwrap().name(), Some("Zoë from Billing"));
        assert_eq!(parsed.to().unwrap().iter().count(), 2);
        assert_eq!(
            parsed.cc().unwrap().first().unwrap().address(),
            Some("cfo@customer.example")
        );
        assert_eq!(
            parsed.reply_to().unwrap().first().unwrap().address(),
            Some("ar@example.com")
        );
        assert_eq!(parsed.message_id(), Some("rem_0123@kindly.test"));
        // Text travels in canonical form (CRLF line ends, RFC 2046); the words are unchanged.
        assert_eq!(
            parsed.body_text(0).unwrap().replace("\r\n", "\n"),
            "Guten Tag,\nbitte zahlen Sie 1.234,56 €.\n"
        );
        assert!(parsed.body_html(0).unwrap().contains("<b>1.234,56 €</b>"));
    }

    #[test]
    fn tags_stay_out_of_the_message() {
        let mut tagged = email();
        tagged.tags.push(("customer".into(), "C-INTERNAL-42".into()));
        let bytes = to_rfc5322(&tagged, SystemTime::UNIX_EPOCH, "kindly.test").unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for hidden in ["X-Kindly", "C-INTERNAL-42", "due_today"] {
            assert!(!text.contains(hidden), "the message shows {hidden}:\n{text}");
        }
        // The reminder stays findable by its Message-ID.
        assert!(text.contains("Message-ID: <rem_0123@kindly.test>"), "{text}");
    }

    #[test]
    fn the_same_email_gives_the_same_bytes() {
        let first = to_rfc5322(&email(), SystemTime::UNIX_EPOCH, "kindly.test").unwrap();
        let second = to_rfc5322(&email(), SystemTime::UNIX_EPOCH, "kindly.test").unwrap();
        assert_eq!(first, second);
    }

    #[test]
    fn a_bad_address_is_a_permanent_rejection() {
        for address in ["not an address", "AP <ap@customer.example>", "ap@[192.0.2.1]", "ap@x"] {
            let mut bad = email();
            bad.to[0].email = address.into();
            assert!(
                matches!(
                    to_rfc5322(&bad, SystemTime::UNIX_EPOCH, "kindly.test"),
                    Err(CoreError::MailRejected(_))
                ),
                "{address}"
            );
        }
    }

    /// Ingest and the mailer agree: every address the shared rule accepts, the MIME library takes and
    /// writes unchanged.
    #[test]
    fn every_address_ingest_accepts_is_sent_as_is() {
        for address in [
            "ap@customer.example",
            "Accounts.Payable+kindly@mail.customer.co.uk",
            "o'brien@customer.example",
            "x!#$%&'*+-/=?^_`{|}~@customer.example",
            "1@xn--mller-kva.example",
            "ap@a-b.c-d.example",
        ] {
            assert_eq!(email_problem(address), None, "{address}");
            let mut good = email();
            good.to[0].email = address.into();
            let bytes =
                to_rfc5322(&good, SystemTime::UNIX_EPOCH, "kindly.test").unwrap_or_else(|e| panic!("{address}: {e}"));
            let parsed = mail_parser::MessageParser::default().parse(&bytes).unwrap();
            assert_eq!(
                parsed.to().unwrap().first().unwrap().address(),
                Some(address),
                "{address}"
            );
        }
    }
}
