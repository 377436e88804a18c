//! Customers' answers in the embedded store: a row per answer, with the columns its three reads need (by
//! customer, those needing staff, by time) beside the JSON record.

use super::{SqliteStore, backend, encode};
use kindly_core::answer::Answer;
use kindly_core::{CoreError, Inserted};
use rusqlite::params;

/// An instant as a column that sorts in time order: RFC 3339 in UTC with a fixed number of digits.
pub(super) fn time_key(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

impl SqliteStore {
    pub(super) fn insert_answer_row(&self, answer: &Answer) -> Result<Inserted, CoreError> {
        let inserted = self
            .lock()
            .execute(
                "INSERT INTO answers (id, customer_id, at, needs_staff, revision, record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING",
                params![
                    answer.id.0,
                    answer.customer_id.0,
                    time_key(answer.at),
                    answer.needs_staff(),
                    answer.revision as i64,
                    encode(answer)?
                ],
            )
            .map_err(backend)?;
        Ok(if inserted == 1 {
            Inserted::New
        } else {
            Inserted::AlreadyExists
        })
    }

    pub(super) fn replace_answer_row(&self, answer: &Answer, expected: u64) -> Result<(), CoreError> {
        let changed = self
            .lock()
            .execute(
                "UPDATE answers SET needs_staff = ?3, revision = ?4, record = ?5 WHERE id = ?1 AND revision = ?2",
                params![
                    answer.id.0,
                    expected as i64,
                    answer.needs_staff(),
                    answer.revision as i64,
                    encode(answer)?
                ],
            )
            .map_err(backend)?;
        if changed == 1 {
            Ok(())
        } else {
            Err(CoreError::Conflict(format!(
                "answer {} is no longer at revision {expected}",
                answer.id
            )))
        }
    }
}
