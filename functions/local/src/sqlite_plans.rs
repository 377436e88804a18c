//! Payment plans in the embedded store: a row per plan, with its customer, the moment it was made and
//! its next check (NULL once it runs no more: a partial index keeps only running plans) beside the JSON
//! record.

use super::answers::time_key;
use super::{SqliteStore, backend, encode};
use kindly_core::instalments::PaymentPlan;
use kindly_core::{CoreError, Inserted};
use rusqlite::params;

impl SqliteStore {
    pub(super) fn insert_plan_row(&self, plan: &PaymentPlan) -> Result<Inserted, CoreError> {
        let inserted = self
            .lock()
            .execute(
                "INSERT INTO plans (id, customer_id, made_at, next_check, revision, record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING",
                params![
                    plan.id.0,
                    plan.customer_id.0,
                    time_key(plan.made_at),
                    plan.next_check.map(|day| day.to_string()),
                    plan.revision as i64,
                    encode(plan)?
                ],
            )
            .map_err(backend)?;
        Ok(if inserted == 1 {
            Inserted::New
        } else {
            Inserted::AlreadyExists
        })
    }

    pub(super) fn replace_plan_row(&self, plan: &PaymentPlan, expected: u64) -> Result<(), CoreError> {
        let changed = self
            .lock()
            .execute(
                "UPDATE plans SET next_check = ?3, revision = ?4, record = ?5 WHERE id = ?1 AND revision = ?2",
                params![
                    plan.id.0,
                    expected as i64,
                    plan.next_check.map(|day| day.to_string()),
                    plan.revision as i64,
                    encode(plan)?
                ],
            )
            .map_err(backend)?;
        if changed == 1 {
            Ok(())
        } else {
            Err(CoreError::Conflict(format!(
                "payment plan {} is no longer at revision {expected}",
                plan.id
            )))
        }
    }
}
