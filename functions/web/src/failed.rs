//! Failed reminders and their resolution: each holds its customer's reminders until staff say whether it
//! went out after all. The shapes are documented in this crate's README.

use crate::AppState;
use crate::access::Approver;
use crate::api::body;
use crate::error::WebError;
use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use kindly_core::service::{self, Resolution};
use kindly_core::{CoreError, Reminder, ReminderId, ReminderStatus, Store, limits};
use std::collections::HashMap;

pub use crate::wire::{CustomerRef, FailedList, FailedReminder, ResolveBody};

/// The answer to a resolution: the reminder's new status.
pub type Resolved = crate::wire::StatusChange;

/// Check the note staff give when resolving reminder `id`: held to a reason's limit, named as the note it is
/// (the command line uses it too).
pub fn check_note(id: &str, note: Option<&str>) -> Result<(), CoreError> {
    limits::check_reason(id, note).map_err(|error| match error {
        CoreError::InvalidField {
            record, id, problem, ..
        } => CoreError::InvalidField {
            record,
            id,
            field: "note",
            problem,
        },
        other => other,
    })
}

/// The reminders whose sending failed, oldest failure first.
pub async fn failed<S: Store>(State(app): AppState<S>) -> Result<Json<FailedList>, WebError> {
    let reminders = app.store.reminders_with_status(ReminderStatus::Failed).await?;
    let customer_ids: Vec<_> = reminders.iter().map(|r| r.customer_id.clone()).collect();
    let customers = app.store.customers(&customer_ids).await?;
    let names: HashMap<_, _> = customers.iter().map(|c| (&c.id, c.display_name.as_str())).collect();
    let invoice_ids: Vec<_> = reminders.iter().flat_map(Reminder::invoice_ids).collect();
    let invoices = app.store.invoices(&invoice_ids).await?;
    let numbers: HashMap<_, _> = invoices.iter().map(|i| (&i.id, i.number.as_str())).collect();
    let mut failed: Vec<FailedReminder> = reminders
        .iter()
        .map(|reminder| FailedReminder {
            id: reminder.id.0.clone(),
            customer: CustomerRef {
                id: reminder.customer_id.0.clone(),
                name: names
                    .get(&reminder.customer_id)
                    .copied()
                    .unwrap_or(&reminder.customer_id.0)
                    .to_owned(),
            },
            stage_id: reminder.stage_id.clone(),
            invoices: reminder
                .covers
                .iter()
                .map(|c| {
                    numbers
                        .get(&c.invoice_id)
                        .copied()
                        .unwrap_or(&c.invoice_id.0)
                        .to_owned()
                })
                .collect(),
            failed_at: reminder
                .history
                .iter()
                .rfind(|step| step.to == ReminderStatus::Failed)
                .map(|step| step.at),
            reason: reminder.failure.clone(),
        })
        .collect();
    failed.sort_by(|a, b| a.failed_at.cmp(&b.failed_at).then_with(|| a.id.cmp(&b.id)));
    Ok(Json(FailedList { failed }))
}

/// Record whether a failed reminder went out, under the signed-in approver.
pub async fn resolve<S: Store>(
    State(app): AppState<S>,
    Extension(approver): Extension<Approver>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Resolved>, WebError> {
    let request: ResolveBody = body(&bytes)?;
    check_note(&id, request.note.as_deref())?;
    let resolution = match request.went_out {
        true => Resolution::WentOut,
        false => Resolution::NotSent,
    };
    let resolved = service::resolve(
        &app.store,
        &app.policy,
        &ReminderId(id),
        &approver.0,
        resolution,
        request.note,
        (app.clock)(),
    )
    .await?;
    tracing::info!(reminder_id = %resolved.id, approver = %approver.0, ?resolution, "resolved a failure");
    Ok(Json(Resolved {
        id: resolved.id.0,
        status: resolved.status,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON block that follows `heading` in this crate's README.
    fn documented(heading: &str) -> &'static str {
        let readme = include_str!("../README.md");
        let after = &readme[readme.find(heading).expect("the README documents the shape")..];
        let start = after.find("```json\n").expect("a JSON block") + "```json\n".len();
        &after[start..start + after[start..].find("```").expect("the block ends")]
    }

    #[test]
    fn the_documented_shapes_are_the_served_ones() {
        let list: FailedList = serde_json::from_str(documented("`GET /api/failed` →")).unwrap();
        assert_eq!(list.failed[0].invoices, ["INV-1"]);
        let body: ResolveBody = serde_json::from_str(r#"{"went_out": false, "note": null}"#).unwrap();
        assert!(!body.went_out);
        let unknown = serde_json::from_str::<ResolveBody>(r#"{"went_out": true, "sent": true}"#);
        assert!(unknown.is_err(), "an unknown field is refused");
    }
}
