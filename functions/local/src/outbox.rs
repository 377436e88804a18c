//! The file outbox: a [`Mailer`] that writes each message as an RFC 5322 `.eml` file (multipart/alternative,
//! text and HTML) instead of sending it. Open the files in any mail client to see what customers would get.

use kindly_core::{CoreError, Mailer, OutgoingEmail};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `<outbox>/<idempotency key>.eml`; a key already written is not written again.
pub struct OutboxMailer {
    dir: PathBuf,
}

impl OutboxMailer {
    pub fn new(dir: impl Into<PathBuf>) -> OutboxMailer {
        OutboxMailer { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_for(&self, key: &str) -> Result<PathBuf, CoreError> {
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(CoreError::MailRejected(format!(
                "idempotency key `{key}` is not a safe file name"
            )));
        }
        Ok(self.dir.join(format!("{key}.eml")))
    }
}

/// The Message-ID is derived from the idempotency key, so a retried send yields the same id.
fn message_id(key: &str) -> String {
    format!("<{key}@kindly.outbox>")
}

fn mailbox(mailbox: &kindly_render::Mailbox) -> Result<Mailbox, CoreError> {
    let address = mailbox
        .email
        .parse()
        .map_err(|e| CoreError::MailRejected(format!("`{}` is not a valid address: {e}", mailbox.email)))?;
    let name = Some(mailbox.name.clone()).filter(|name| !name.trim().is_empty());
    Ok(Mailbox::new(name, address))
}

/// Build the RFC 5322 bytes of `email`.
pub fn to_rfc5322(email: &OutgoingEmail) -> Result<Vec<u8>, CoreError> {
    let mut builder = lettre::Message::builder()
        .from(mailbox(&email.from)?)
        .subject(email.subject.clone())
        .message_id(Some(message_id(&email.idempotency_key)));
    if let Some(reply_to) = &email.reply_to {
        builder = builder.reply_to(mailbox(reply_to)?);
    }
    for to in &email.to {
        builder = builder.to(mailbox(to)?);
    }
    for cc in &email.cc {
        builder = builder.cc(mailbox(cc)?);
    }
    for (name, value) in &email.tags {
        let header = format!("X-Kindly-{}", capitalize(name));
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii(header).map_err(|e| CoreError::MailRejected(format!("tag `{name}`: {e}")))?,
            value.clone(),
        ));
    }
    let body = MultiPart::alternative()
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

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

impl Mailer for OutboxMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, CoreError> {
        let path = self.path_for(&email.idempotency_key)?;
        if path.exists() {
            return Ok(message_id(&email.idempotency_key));
        }
        let bytes = to_rfc5322(email)?;
        let temporary = |e: std::io::Error| CoreError::MailTemporary(format!("outbox {}: {e}", self.dir.display()));
        std::fs::create_dir_all(&self.dir).map_err(temporary)?;
        // Write aside, then link into place: a crash leaves no half-written message, and two senders
        // racing on one key cannot both deliver (the second link fails and is treated as already sent).
        let mut scratch = tempfile::NamedTempFile::new_in(&self.dir).map_err(temporary)?;
        scratch.write_all(&bytes).map_err(temporary)?;
        scratch.as_file().sync_all().map_err(temporary)?;
        match std::fs::hard_link(scratch.path(), &path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(temporary(e)),
        }
        Ok(message_id(&email.idempotency_key))
    }
}
