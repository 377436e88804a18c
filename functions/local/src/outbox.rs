//! The file outbox: a [`Mailer`] that writes each message as an RFC 5322 `.eml` file (multipart/alternative,
//! text and HTML) instead of sending it. Open the files in any mail client to see what customers would get.

use kindly_core::{CoreError, Mailer, OutgoingEmail};
use kindly_mail::{message_id, to_rfc5322};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The domain the outbox's Message-IDs name.
pub(crate) const MESSAGE_ID_DOMAIN: &str = "kindly.outbox";

/// Writes `<outbox>/<idempotency key>.eml`; a key already written is not written again.
pub struct OutboxMailer {
    dir: PathBuf,
    /// The Date of every message; the moment it is written when `None`.
    date: Option<std::time::SystemTime>,
}

impl OutboxMailer {
    pub fn new(dir: impl Into<PathBuf>) -> OutboxMailer {
        OutboxMailer {
            dir: dir.into(),
            date: None,
        }
    }

    /// Messages dated `date` rather than when they are written: the demo's history, as it went out.
    pub fn dated(dir: impl Into<PathBuf>, date: std::time::SystemTime) -> OutboxMailer {
        OutboxMailer {
            dir: dir.into(),
            date: Some(date),
        }
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

impl Mailer for OutboxMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, CoreError> {
        let path = self.path_for(&email.idempotency_key)?;
        if path.exists() {
            return Ok(message_id(&email.idempotency_key, MESSAGE_ID_DOMAIN));
        }
        let bytes = to_rfc5322(
            email,
            self.date.unwrap_or_else(std::time::SystemTime::now),
            MESSAGE_ID_DOMAIN,
        )?;
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
        Ok(message_id(&email.idempotency_key, MESSAGE_ID_DOMAIN))
    }

    /// One file per key, linked into place: a second send of a key never writes a second message.
    fn retries_are_safe(&self) -> bool {
        true
    }
}
