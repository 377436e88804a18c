//! `GET /api/customers/{id}/dossier`: a hand-over's dossier for the agency, as a zip download. Thin: the
//! records are read by the customer's key and [`kindly_mail::dossier`] makes the zip. The page and the
//! `approvals` Lambda keep no copy of what was sent (SES keeps none either), so each message sent is
//! rendered again from its stored draft ([`kindly_mail::dossier::rendered_again`]): the bytes the sender
//! made but for the Date header, which is when the send was recorded; the summary says so.

use crate::AppState;
use crate::error::WebError;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kindly_core::{CoreError, CustomerId, Store};
use kindly_mail::dossier::{Message, Records, Source, dossier_zip, rendered_again};

/// `GET /api/customers/{id}/dossier`.
pub async fn dossier<S: Store>(State(app): AppState<S>, Path(id): Path<String>) -> Result<Response, WebError> {
    let id = CustomerId(id);
    let customer = app.store.customer(&id).await?.ok_or_else(|| CoreError::NotFound {
        what: "customer",
        id: id.0.clone(),
    })?;
    let invoices = app.store.invoices_of_customer(&id).await?;
    let reminders = app.store.reminders_of_customer(&id).await?;
    let answers = app.store.answers_of_customer(&id).await?;
    let mut messages = Vec::new();
    for reminder in &reminders {
        if let Some(bytes) = rendered_again(reminder, &app.message_id_domain)? {
            messages.push(Message {
                reminder,
                bytes,
                source: Source::RenderedAgain,
            });
        }
    }
    let records = Records {
        customer: &customer,
        invoices: &invoices,
        reminders: &reminders,
        answers: &answers,
        made_at: (app.clock)(),
    };
    let zip = dossier_zip(&records, &messages)?;
    // Only letters, digits, `-` and `_` of the id reach the header.
    let name: String =
        id.0.chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            .collect();
    let disposition = format!("attachment; filename=\"dossier-{name}.zip\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        zip,
    )
        .into_response())
}
