//! A hand-over's dossier on this machine: the customer's records from the SQLite store and each message's
//! bytes from the outbox (`{send key}.eml`, or the demo's `history/`), written as one zip. A message the
//! outbox no longer holds is rendered again from its stored draft ([`kindly_mail::dossier::rendered_again`])
//! and the summary says so.

use crate::error::LocalError;
use crate::outbox::MESSAGE_ID_DOMAIN;
use crate::sqlite_store::SqliteStore;
use chrono::Utc;
use kindly_core::{CoreError, CustomerId, Store};
use kindly_mail::dossier::{Message, Records, Source, dossier_zip, rendered_again, sent_at};
use std::path::Path;

/// Write customer `id`'s dossier to `path`, a new file (one already there is never overwritten). Returns
/// how many messages it holds.
pub async fn write_dossier(
    store: &SqliteStore,
    id: &CustomerId,
    outbox: &Path,
    path: &Path,
) -> Result<usize, LocalError> {
    let customer = store.customer(id).await?.ok_or_else(|| CoreError::NotFound {
        what: "customer",
        id: id.0.clone(),
    })?;
    let invoices = store.invoices_of_customer(id).await?;
    let reminders = store.reminders_of_customer(id).await?;
    let answers = store.answers_of_customer(id).await?;
    let mut messages = Vec::new();
    for reminder in reminders.iter().filter(|reminder| sent_at(reminder).is_some()) {
        let file = format!("{}.eml", reminder.send_key());
        let kept = [outbox.join(&file), outbox.join(crate::app::HISTORY_DIR).join(&file)]
            .into_iter()
            .find_map(|path| std::fs::read(path).ok());
        let (bytes, source) = match kept {
            Some(bytes) => (bytes, Source::AsSent),
            None => match rendered_again(reminder, MESSAGE_ID_DOMAIN)? {
                Some(bytes) => (bytes, Source::RenderedAgain),
                None => continue,
            },
        };
        messages.push(Message {
            reminder,
            bytes,
            source,
        });
    }
    let records = Records {
        customer: &customer,
        invoices: &invoices,
        reminders: &reminders,
        answers: &answers,
        made_at: Utc::now(),
    };
    let zip = dossier_zip(&records, &messages)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| LocalError::io(path, e))?;
    std::io::Write::write_all(&mut file, &zip).map_err(|e| LocalError::io(path, e))?;
    Ok(messages.len())
}
