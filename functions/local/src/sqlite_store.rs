//! The embedded store: one SQLite file. Records are stored as JSON beside the few columns that are
//! queried; a partial index over `next_action_on` plays the part of DynamoDB's sparse index, so the daily
//! pass reads only invoices that need action.

use chrono::NaiveDate;
use kindly_core::answer::{Answer, AnswerId};
use kindly_core::instalments::{PaymentPlan, PlanId};
use kindly_core::invoice::DunningProgress;
use kindly_core::ports::action_index_day;
use kindly_core::{
    CoreError, Customer, CustomerId, Inserted, Invoice, InvoiceId, InvoiceStatus, Reminder, ReminderId, ReminderStatus,
    Store,
};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS customers (id TEXT PRIMARY KEY, record TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS invoices (
        id TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL,
        status TEXT NOT NULL,
        next_action_on TEXT,
        record TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS invoices_by_customer ON invoices (customer_id);
    CREATE INDEX IF NOT EXISTS invoices_by_issue_date ON invoices (json_extract(record, '$.issue_date'));
    CREATE INDEX IF NOT EXISTS invoices_by_next_action ON invoices (next_action_on)
        WHERE next_action_on IS NOT NULL;
    CREATE TABLE IF NOT EXISTS reminders (
        id TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL,
        status TEXT NOT NULL,
        record TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS reminders_by_customer ON reminders (customer_id);
    CREATE INDEX IF NOT EXISTS reminders_by_status ON reminders (status);
    CREATE TABLE IF NOT EXISTS payment_events (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS payment_events_by_expiry ON payment_events (expires_at);
    CREATE TABLE IF NOT EXISTS payment_references (reference TEXT PRIMARY KEY, invoice_id TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS answers (
        id TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL,
        at TEXT NOT NULL,
        needs_staff INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        record TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS answers_by_customer ON answers (customer_id, at);
    CREATE INDEX IF NOT EXISTS answers_needing_staff ON answers (at) WHERE needs_staff = 1;
    CREATE INDEX IF NOT EXISTS answers_by_time ON answers (at);
    CREATE TABLE IF NOT EXISTS plans (
        id TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL,
        made_at TEXT NOT NULL,
        next_check TEXT,
        revision INTEGER NOT NULL,
        record TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS plans_by_customer ON plans (customer_id, made_at);
    CREATE INDEX IF NOT EXISTS plans_by_next_check ON plans (next_check) WHERE next_check IS NOT NULL;
";

#[path = "sqlite_answers.rs"]
mod answers;
#[path = "sqlite_plans.rs"]
mod plans;

/// Point the invoice's payment reference, if it has one, at it.
fn remember_reference(connection: &Connection, invoice: &Invoice) -> Result<(), CoreError> {
    if let Some(reference) = &invoice.payment_reference {
        connection
            .execute(
                "INSERT INTO payment_references (reference, invoice_id) VALUES (?1, ?2)
                 ON CONFLICT (reference) DO UPDATE SET invoice_id = ?2",
                params![reference, invoice.id.0],
            )
            .map_err(backend)?;
    }
    Ok(())
}

/// Replace a reminder while its status is still the one expected and its history is shorter than the new
/// one's: every write extends the history, so a writer holding an older copy — one read before the reminder
/// was voided and planned again, back in the same status — finds its condition false. On a conflict the
/// caller's transaction or savepoint rolls back when dropped: nothing changes.
fn replace_reminder(
    connection: &Connection,
    record: &str,
    reminder: &Reminder,
    expected: ReminderStatus,
) -> Result<(), CoreError> {
    let changed = connection
        .execute(
            "UPDATE reminders SET status = ?1, record = ?2 WHERE id = ?3 AND status = ?4 \
             AND COALESCE(json_array_length(record, '$.history'), 0) < ?5",
            params![
                reminder.status.as_str(),
                record,
                reminder.id.0,
                expected.as_str(),
                reminder.history.len() as i64
            ],
        )
        .map_err(backend)?;
    if changed != 1 {
        return Err(CoreError::Conflict(format!(
            "reminder {} is no longer {expected}",
            reminder.id
        )));
    }
    Ok(())
}

/// The conditional reminder update and the invoices' progress, on a connection inside a transaction or
/// savepoint that the caller commits (an error leaves it to roll back).
fn update_reminder_with_progress(
    connection: &Connection,
    record: &str,
    reminder: &Reminder,
    expected: ReminderStatus,
    progress: &[(InvoiceId, DunningProgress)],
) -> Result<(), CoreError> {
    replace_reminder(connection, record, reminder, expected)?;
    for (invoice_id, dunning) in progress {
        let stored: Option<String> = connection
            .query_row("SELECT record FROM invoices WHERE id = ?1", [&invoice_id.0], |row| {
                row.get(0)
            })
            .optional()
            .map_err(backend)?;
        let Some(stored) = stored else {
            return Err(CoreError::Conflict(format!("invoice {invoice_id} disappeared")));
        };
        let mut invoice: Invoice = decode("invoice", &stored)?;
        invoice.dunning = dunning.clone();
        invoice.bookkeeping.revision += 1;
        connection
            .execute(
                "UPDATE invoices SET next_action_on = ?1, record = ?2 WHERE id = ?3",
                params![
                    index_key(invoice.status, &invoice.dunning),
                    encode(&invoice)?,
                    invoice_id.0
                ],
            )
            .map_err(backend)?;
    }
    Ok(())
}

/// A [`Store`] over one SQLite database file (or memory, for tests).
pub struct SqliteStore {
    connection: Mutex<Connection>,
}

fn backend(error: rusqlite::Error) -> CoreError {
    CoreError::Store(error.to_string())
}

fn encode<T: Serialize>(record: &T) -> Result<String, CoreError> {
    serde_json::to_string(record).map_err(|e| CoreError::Store(format!("cannot encode record: {e}")))
}

fn decode<T: DeserializeOwned>(kind: &str, json: &str) -> Result<T, CoreError> {
    serde_json::from_str(json).map_err(|e| CoreError::Store(format!("corrupt {kind} record: {e}")))
}

/// The action-index column: [`action_index_day`] as text.
fn index_key(status: InvoiceStatus, progress: &DunningProgress) -> Option<String> {
    action_index_day(status, progress).map(|day| day.to_string())
}

impl SqliteStore {
    /// Open (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteStore, CoreError> {
        let connection = Connection::open(path).map_err(backend)?;
        connection.pragma_update(None, "journal_mode", "WAL").map_err(backend)?;
        Self::with_connection(connection)
    }

    /// A private in-memory database.
    pub fn in_memory() -> Result<SqliteStore, CoreError> {
        Self::with_connection(Connection::open_in_memory().map_err(backend)?)
    }

    fn with_connection(connection: Connection) -> Result<SqliteStore, CoreError> {
        connection
            .busy_timeout(std::time::Duration::from_secs(10))
            .map_err(backend)?;
        connection.execute_batch(SCHEMA).map_err(backend)?;
        Ok(SqliteStore {
            connection: Mutex::new(connection),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll back).
        self.connection.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Start a batch: every write until [`SqliteStore::commit_batch`] lands together or, after
    /// [`SqliteStore::rollback_batch`] (or a crash), not at all. Also makes bulk imports fast (one commit).
    /// Conditional reminder updates inside a batch run in a savepoint of it.
    pub fn begin_batch(&self) -> Result<(), CoreError> {
        self.lock().execute_batch("BEGIN IMMEDIATE").map_err(backend)
    }

    pub fn commit_batch(&self) -> Result<(), CoreError> {
        self.lock().execute_batch("COMMIT").map_err(backend)
    }

    pub fn rollback_batch(&self) -> Result<(), CoreError> {
        self.lock().execute_batch("ROLLBACK").map_err(backend)
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>, CoreError> {
        self.lock()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| row.get(0))
            .optional()
            .map_err(backend)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), CoreError> {
        self.lock()
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
                [key, value],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn query<T: DeserializeOwned>(
        &self,
        kind: &str,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<T>, CoreError> {
        let connection = self.lock();
        let mut statement = connection.prepare_cached(sql).map_err(backend)?;
        let rows = statement
            .query_map(args, |row| row.get::<_, String>(0))
            .map_err(backend)?;
        rows.map(|row| decode(kind, &row.map_err(backend)?)).collect()
    }

    fn query_ids<T: DeserializeOwned>(&self, kind: &str, table: &str, ids: &[&str]) -> Result<Vec<T>, CoreError> {
        let json_ids = encode(&ids)?;
        let sql = format!("SELECT record FROM {table} WHERE id IN (SELECT value FROM json_each(?1))");
        self.query(kind, &sql, [json_ids])
    }
}

impl Store for SqliteStore {
    async fn put_customer(&self, customer: &Customer) -> Result<(), CoreError> {
        let record = encode(customer)?;
        self.lock()
            .execute(
                "INSERT INTO customers (id, record) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET record = ?2",
                params![customer.id.0, record],
            )
            .map_err(backend)?;
        Ok(())
    }

    async fn customer(&self, id: &CustomerId) -> Result<Option<Customer>, CoreError> {
        Ok(self
            .query("customer", "SELECT record FROM customers WHERE id = ?1", [&id.0])?
            .pop())
    }

    async fn customers(&self, ids: &[CustomerId]) -> Result<Vec<Customer>, CoreError> {
        let ids: Vec<&str> = ids.iter().map(|id| id.0.as_str()).collect();
        self.query_ids("customer", "customers", &ids)
    }

    async fn put_invoice(&self, invoice: &Invoice) -> Result<(), CoreError> {
        let record = encode(invoice)?;
        let connection = self.lock();
        remember_reference(&connection, invoice)?;
        connection
            .execute(
                "INSERT INTO invoices (id, customer_id, status, next_action_on, record) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET customer_id = ?2, status = ?3, next_action_on = ?4, record = ?5",
                params![
                    invoice.id.0,
                    invoice.customer_id.0,
                    invoice.status.as_str(),
                    index_key(invoice.status, &invoice.dunning),
                    record
                ],
            )
            .map_err(backend)?;
        Ok(())
    }

    async fn replace_invoice(&self, invoice: &Invoice, expected: Option<u64>) -> Result<(), CoreError> {
        let record = encode(invoice)?;
        let values = params![
            invoice.id.0,
            invoice.customer_id.0,
            invoice.status.as_str(),
            index_key(invoice.status, &invoice.dunning),
            record,
            expected.map(|revision| revision as i64),
        ];
        let connection = self.lock();
        let changed = match expected {
            None => connection.execute(
                "INSERT INTO invoices (id, customer_id, status, next_action_on, record) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO NOTHING",
                &values[..5],
            ),
            Some(_) => connection.execute(
                "UPDATE invoices SET customer_id = ?2, status = ?3, next_action_on = ?4, record = ?5
                 WHERE id = ?1 AND COALESCE(json_extract(record, '$.bookkeeping.revision'), 0) = ?6",
                values,
            ),
        }
        .map_err(backend)?;
        if changed != 1 {
            return Err(CoreError::Conflict(format!(
                "invoice {} changed since it was read",
                invoice.id
            )));
        }
        remember_reference(&connection, invoice)
    }

    async fn invoice_id_by_payment_reference(&self, reference: &str) -> Result<Option<InvoiceId>, CoreError> {
        self.lock()
            .query_row(
                "SELECT invoice_id FROM payment_references WHERE reference = ?1",
                [reference],
                |row| row.get(0),
            )
            .optional()
            .map(|id| id.map(InvoiceId))
            .map_err(backend)
    }

    async fn invoice(&self, id: &InvoiceId) -> Result<Option<Invoice>, CoreError> {
        Ok(self
            .query("invoice", "SELECT record FROM invoices WHERE id = ?1", [&id.0])?
            .pop())
    }

    async fn invoices(&self, ids: &[InvoiceId]) -> Result<Vec<Invoice>, CoreError> {
        let ids: Vec<&str> = ids.iter().map(|id| id.0.as_str()).collect();
        self.query_ids("invoice", "invoices", &ids)
    }

    async fn invoices_of_customer(&self, id: &CustomerId) -> Result<Vec<Invoice>, CoreError> {
        self.query("invoice", "SELECT record FROM invoices WHERE customer_id = ?1", [&id.0])
    }

    async fn invoices_needing_action(&self, day: NaiveDate) -> Result<Vec<Invoice>, CoreError> {
        self.query(
            "invoice",
            "SELECT record FROM invoices WHERE next_action_on IS NOT NULL AND next_action_on <= ?1",
            [day.to_string()],
        )
    }

    async fn unsettled_invoices(&self) -> Result<Vec<Invoice>, CoreError> {
        self.query(
            "invoice",
            "SELECT record FROM invoices WHERE status NOT IN ('paid', 'void')",
            [],
        )
    }

    async fn invoices_issued_since(&self, day: NaiveDate) -> Result<Vec<Invoice>, CoreError> {
        self.query(
            "invoice",
            "SELECT record FROM invoices WHERE json_extract(record, '$.issue_date') >= ?1",
            [day.to_string()],
        )
    }

    async fn insert_reminder(&self, reminder: &Reminder) -> Result<Inserted, CoreError> {
        let record = encode(reminder)?;
        let inserted = self
            .lock()
            .execute(
                "INSERT INTO reminders (id, customer_id, status, record) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO NOTHING",
                params![reminder.id.0, reminder.customer_id.0, reminder.status.as_str(), record],
            )
            .map_err(backend)?;
        Ok(if inserted == 1 {
            Inserted::New
        } else {
            Inserted::AlreadyExists
        })
    }

    async fn reminder(&self, id: &ReminderId) -> Result<Option<Reminder>, CoreError> {
        Ok(self
            .query("reminder", "SELECT record FROM reminders WHERE id = ?1", [&id.0])?
            .pop())
    }

    async fn reminders_with_status(&self, status: ReminderStatus) -> Result<Vec<Reminder>, CoreError> {
        self.query(
            "reminder",
            "SELECT record FROM reminders WHERE status = ?1 ORDER BY id",
            [status.as_str()],
        )
    }

    async fn reminders_of_customer(&self, id: &CustomerId) -> Result<Vec<Reminder>, CoreError> {
        self.query(
            "reminder",
            "SELECT record FROM reminders WHERE customer_id = ?1 ORDER BY rowid",
            [&id.0],
        )
    }

    async fn update_reminders(&self, updates: &[(Reminder, ReminderStatus)]) -> Result<(), CoreError> {
        let mut connection = self.lock();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        for (reminder, expected) in updates {
            replace_reminder(&transaction, &encode(reminder)?, reminder, *expected)?;
        }
        transaction.commit().map_err(backend)
    }

    async fn update_reminder(
        &self,
        reminder: &Reminder,
        expected: ReminderStatus,
        progress: &[(InvoiceId, DunningProgress)],
    ) -> Result<(), CoreError> {
        let record = encode(reminder)?;
        let mut connection = self.lock();
        if connection.is_autocommit() {
            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            update_reminder_with_progress(&transaction, &record, reminder, expected, progress)?;
            transaction.commit().map_err(backend)
        } else {
            // Inside a batch (an import voiding the drafts its changes touch): a savepoint, so a failed
            // condition undoes just this update and the batch still lands whole or not at all.
            let savepoint = connection.savepoint().map_err(backend)?;
            update_reminder_with_progress(&savepoint, &record, reminder, expected, progress)?;
            savepoint.commit().map_err(backend)
        }
    }

    async fn insert_answer(&self, answer: &Answer) -> Result<Inserted, CoreError> {
        self.insert_answer_row(answer)
    }

    async fn answer(&self, id: &AnswerId) -> Result<Option<Answer>, CoreError> {
        Ok(self
            .query("answer", "SELECT record FROM answers WHERE id = ?1", [&id.0])?
            .pop())
    }

    async fn replace_answer(&self, answer: &Answer, expected: u64) -> Result<(), CoreError> {
        self.replace_answer_row(answer, expected)
    }

    async fn answers_of_customer(&self, id: &CustomerId) -> Result<Vec<Answer>, CoreError> {
        self.query(
            "answer",
            "SELECT record FROM answers WHERE customer_id = ?1 ORDER BY at, id",
            [&id.0],
        )
    }

    async fn answers_needing_staff(&self) -> Result<Vec<Answer>, CoreError> {
        self.query(
            "answer",
            "SELECT record FROM answers WHERE needs_staff = 1 ORDER BY at, id",
            [],
        )
    }

    async fn insert_plan(&self, plan: &PaymentPlan) -> Result<Inserted, CoreError> {
        self.insert_plan_row(plan)
    }

    async fn plan(&self, id: &PlanId) -> Result<Option<PaymentPlan>, CoreError> {
        Ok(self
            .query("payment plan", "SELECT record FROM plans WHERE id = ?1", [&id.0])?
            .pop())
    }

    async fn replace_plan(&self, plan: &PaymentPlan, expected: u64) -> Result<(), CoreError> {
        self.replace_plan_row(plan, expected)
    }

    async fn plans_of_customer(&self, id: &CustomerId) -> Result<Vec<PaymentPlan>, CoreError> {
        self.query(
            "payment plan",
            "SELECT record FROM plans WHERE customer_id = ?1 ORDER BY made_at, id",
            [&id.0],
        )
    }

    async fn plans_due(&self, day: NaiveDate) -> Result<Vec<PaymentPlan>, CoreError> {
        self.query(
            "payment plan",
            "SELECT record FROM plans WHERE next_check IS NOT NULL AND next_check <= ?1 ORDER BY made_at, id",
            [day.to_string()],
        )
    }

    async fn answers_since(&self, since: chrono::DateTime<chrono::Utc>) -> Result<Vec<Answer>, CoreError> {
        self.query(
            "answer",
            "SELECT record FROM answers WHERE at >= ?1 ORDER BY at, id",
            [answers::time_key(since)],
        )
    }

    async fn event_recorded(&self, id: &str, now: chrono::DateTime<chrono::Utc>) -> Result<bool, CoreError> {
        let now = now.timestamp();
        let found: Option<i64> = self
            .lock()
            .query_row(
                "SELECT expires_at FROM payment_events WHERE id = ?1 AND expires_at > ?2",
                params![id, now],
                |row| row.get(0),
            )
            .optional()
            .map_err(backend)?;
        Ok(found.is_some())
    }

    async fn record_event(
        &self,
        id: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Inserted, CoreError> {
        let connection = self.lock();
        // Expired entries go as new ones come: the ledger stays as small as its time to live.
        connection
            .execute("DELETE FROM payment_events WHERE expires_at <= ?1", [now.timestamp()])
            .map_err(backend)?;
        let inserted = connection
            .execute(
                "INSERT INTO payment_events (id, expires_at) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING",
                params![id, expires_at.timestamp()],
            )
            .map_err(backend)?;
        Ok(if inserted == 1 {
            Inserted::New
        } else {
            Inserted::AlreadyExists
        })
    }
}

#[cfg(test)]
mod conformance {
    use super::SqliteStore;

    kindly_core::store_conformance_tests!(async { SqliteStore::in_memory().expect("in-memory database") });
}

#[cfg(test)]
mod batch {
    use super::SqliteStore;
    use kindly_core::{ReminderStatus, Store, conformance};

    /// An import voids drafts inside its batch: conditional updates behave there as outside it, and the
    /// batch's rollback still takes everything back.
    #[tokio::test]
    async fn conditional_updates_work_inside_a_batch_and_roll_back_with_it() {
        let store = SqliteStore::in_memory().unwrap();
        store.begin_batch().unwrap();
        conformance::update_reminder_is_conditional(&store).await;
        store.rollback_batch().unwrap();
        for status in [ReminderStatus::Approved, ReminderStatus::Sending] {
            assert!(store.reminders_with_status(status).await.unwrap().is_empty());
        }
        assert!(store.unsettled_invoices().await.unwrap().is_empty());
    }
}
