//! The DynamoDB store: one table, three global secondary indexes, every state change conditional.
//!
//! | item     | pk          | sk         | also                                                        |
//! |----------|-------------|------------|-------------------------------------------------------------|
//! | customer | `C#{id}`    | `CUSTOMER` | the customer's fields                                       |
//! | invoice  | `I#{id}`    | `INVOICE`  | `customer_key`, `customer_sort`; `due_shard` + `due_on` only while open with a next action |
//! | reminder | `R#{id}`    | `REMINDER` | `customer_key`, `customer_sort`, `status_key`, `status_sort` |
//! | answer   | `A#{id}`    | `ANSWER`   | `customer_key`, `customer_sort`, `status_key`, `status_sort` (see `dynamo_answers.rs`) |
//! | plan     | `PL#{id}`   | `PLAN`     | `customer_key`, `customer_sort`; `status_key` + `status_sort` only while it runs (see `dynamo_plans.rs`) |
//!
//! Indexes: `due` (`due_shard`, `due_on`) is sparse — it holds only open invoices that have a next action,
//! spread over `shards` partitions so no partition is hot; the pass queries `due_on <= day` on each shard
//! and reads only invoices that need action. `customer` (`customer_key`, `customer_sort`) lists a
//! customer's invoices and reminders. `status` (`status_key`, `status_sort`) lists reminders by status.

use crate::stats::ReadStats;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, Put, TransactWriteItem, Update};
use chrono::NaiveDate;
use kindly_core::answer::{Answer, AnswerId};
use kindly_core::instalments::{PaymentPlan, PlanId};
use kindly_core::invoice::DunningProgress;
use kindly_core::ports::action_index_day;
use kindly_core::{
    CoreError, Customer, CustomerId, Inserted, Invoice, InvoiceId, InvoiceStatus, Reminder, ReminderId, ReminderStatus,
    Store,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

#[path = "dynamo_answers.rs"]
mod answers;
#[path = "dynamo_plans.rs"]
mod plans;

pub const DUE_INDEX: &str = "due";
pub const CUSTOMER_INDEX: &str = "customer";
pub const STATUS_INDEX: &str = "status";

/// The table's key attributes: partition key, sort key.
pub const TABLE_KEY: (&str, &str) = ("pk", "sk");

/// Each global secondary index: name, partition key, sort key (every key a string; every index projects
/// all attributes). [`create_table`] builds these, and the SAM template must declare the same.
pub const INDEXES: [(&str, &str, &str); 3] = [
    (DUE_INDEX, "due_shard", "due_on"),
    (CUSTOMER_INDEX, "customer_key", "customer_sort"),
    (STATUS_INDEX, "status_key", "status_sort"),
];

/// A [`Store`] over one DynamoDB table.
#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    shards: u32,
    stats: ReadStats,
}

/// A reminder is replaced only while its status is still the one expected and its history is shorter than
/// the new one's: every write extends the history, so a writer holding an older copy — read before the
/// reminder was voided and planned again, back in the same status — finds the condition false.
const REMINDER_UNCHANGED: &str = "#status = :expected AND (attribute_not_exists(history) OR size(history) < :steps)";

/// The length of `reminder`'s history, as a condition's value.
fn steps(reminder: &Reminder) -> AttributeValue {
    AttributeValue::N(reminder.history.len().to_string())
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn backend<E: std::error::Error + 'static>(operation: &str, error: E) -> CoreError {
    CoreError::Store(format!("DynamoDB {operation}: {}", DisplayErrorContext(&error)))
}

fn encode<T: Serialize>(record: &T) -> Result<Item, CoreError> {
    serde_dynamo::to_item(record).map_err(|e| CoreError::Store(format!("cannot encode record: {e}")))
}

fn decode<T: DeserializeOwned>(kind: &str, item: Item) -> Result<T, CoreError> {
    let key = item.get("pk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
    serde_dynamo::from_item(item).map_err(|e| CoreError::Store(format!("corrupt {kind} item `{key}`: {e}")))
}

/// A stable shard for `id`: FNV-1a, so every process agrees without coordination.
fn shard_of(id: &str, shards: u32) -> u32 {
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3)
    });
    (hash % u64::from(shards.max(1))) as u32
}

fn customer_pk(id: &CustomerId) -> String {
    format!("C#{id}")
}
fn invoice_pk(id: &InvoiceId) -> String {
    format!("I#{id}")
}
fn reminder_pk(id: &ReminderId) -> String {
    format!("R#{id}")
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>, shards: u32) -> DynamoStore {
        DynamoStore {
            client,
            table: table.into(),
            shards: shards.max(1),
            stats: ReadStats::default(),
        }
    }

    /// A transaction's put of `reminder`, conditional on its stored status still being `expected`.
    fn reminder_put_if(&self, reminder: &Reminder, expected: ReminderStatus) -> Result<Put, CoreError> {
        Put::builder()
            .table_name(&self.table)
            .set_item(Some(self.reminder_item(reminder)?))
            .condition_expression(REMINDER_UNCHANGED)
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":expected", s(expected.as_str()))
            .expression_attribute_values(":steps", steps(reminder))
            .build()
            .map_err(|e| backend("TransactWriteItems", e))
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Items and bytes read so far (for the cost-of-a-pass benchmark).
    pub fn stats(&self) -> &ReadStats {
        &self.stats
    }

    fn key(pk: String, sk: &str) -> Item {
        let (partition, sort) = TABLE_KEY;
        HashMap::from([(partition.to_owned(), s(pk)), (sort.to_owned(), s(sk))])
    }

    /// The ledger item of a processor event.
    fn event_key(id: &str) -> Item {
        Self::key(format!("E#{id}"), "EVENT")
    }

    /// The item pointing a payment reference at its invoice.
    fn reference_key(reference: &str) -> Item {
        Self::key(format!("P#{reference}"), "REFERENCE")
    }

    fn customer_item(&self, customer: &Customer) -> Result<Item, CoreError> {
        let mut item = encode(customer)?;
        item.extend(Self::key(customer_pk(&customer.id), "CUSTOMER"));
        Ok(item)
    }

    fn invoice_item(&self, invoice: &Invoice) -> Result<Item, CoreError> {
        let mut item = encode(invoice)?;
        item.extend(Self::key(invoice_pk(&invoice.id), "INVOICE"));
        item.insert("customer_key".into(), s(customer_pk(&invoice.customer_id)));
        item.insert("customer_sort".into(), s(invoice_pk(&invoice.id)));
        if let Some(day) = action_index_day(invoice.status, &invoice.dunning) {
            item.insert("due_shard".into(), s(shard_of(&invoice.id.0, self.shards).to_string()));
            item.insert("due_on".into(), s(day.to_string()));
        }
        Ok(item)
    }

    fn reminder_item(&self, reminder: &Reminder) -> Result<Item, CoreError> {
        let mut item = encode(reminder)?;
        item.extend(Self::key(reminder_pk(&reminder.id), "REMINDER"));
        item.insert("customer_key".into(), s(customer_pk(&reminder.customer_id)));
        item.insert(
            "customer_sort".into(),
            s(format!("R#{}#{}", reminder.created_at.to_rfc3339(), reminder.id)),
        );
        let shard = shard_of(&reminder.id.0, self.shards);
        item.insert("status_key".into(), s(format!("{}#{shard}", reminder.status)));
        item.insert(
            "status_sort".into(),
            s(format!("{}#{}", reminder.created_at.to_rfc3339(), reminder.id)),
        );
        Ok(item)
    }

    async fn get<T: DeserializeOwned>(&self, kind: &str, key: Item) -> Result<Option<T>, CoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| backend("GetItem", e))?;
        match output.item {
            Some(item) => {
                self.stats.record(&item);
                Ok(Some(decode(kind, item)?))
            }
            None => Ok(None),
        }
    }

    /// BatchGetItem in chunks of 100 keys, following up unprocessed keys.
    async fn get_many<T: DeserializeOwned>(&self, kind: &str, keys: Vec<Item>) -> Result<Vec<T>, CoreError> {
        let mut found = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            let mut pending = Some(
                KeysAndAttributes::builder()
                    .set_keys(Some(chunk.to_vec()))
                    .consistent_read(true)
                    .build()
                    .map_err(|e| backend("BatchGetItem", e))?,
            );
            let mut attempt = 0u32;
            while let Some(request) = pending.take() {
                let output = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(|e| backend("BatchGetItem", e))?;
                for item in output
                    .responses
                    .unwrap_or_default()
                    .remove(&self.table)
                    .unwrap_or_default()
                {
                    self.stats.record(&item);
                    found.push(decode(kind, item)?);
                }
                pending = output
                    .unprocessed_keys
                    .and_then(|mut unprocessed| unprocessed.remove(&self.table))
                    .filter(|rest| !rest.keys().is_empty());
                if pending.is_some() {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(20 * u64::from(attempt.min(10)))).await;
                }
            }
        }
        Ok(found)
    }

    /// Write many invoices with BatchWriteItem (25 per request, unprocessed items retried): bulk loads.
    pub async fn put_invoices(&self, invoices: &[Invoice]) -> Result<(), CoreError> {
        use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
        for chunk in invoices.chunks(25) {
            let mut requests = Vec::with_capacity(chunk.len());
            for invoice in chunk {
                let put = PutRequest::builder()
                    .set_item(Some(self.invoice_item(invoice)?))
                    .build();
                requests.push(
                    WriteRequest::builder()
                        .put_request(put.map_err(|e| backend("BatchWriteItem", e))?)
                        .build(),
                );
            }
            let mut attempt = 0u32;
            while !requests.is_empty() {
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .map_err(|e| backend("BatchWriteItem", e))?;
                requests = output
                    .unprocessed_items
                    .and_then(|mut rest| rest.remove(&self.table))
                    .unwrap_or_default();
                if !requests.is_empty() {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(20 * u64::from(attempt.min(10)))).await;
                }
            }
        }
        Ok(())
    }

    /// Read every item of the table (what a pass without the sparse index would have to do); returns how
    /// many items the scan read. For the cost benchmark's baseline.
    pub async fn scan_everything(&self) -> Result<u64, CoreError> {
        let mut pages = self.client.scan().table_name(&self.table).into_paginator().send();
        let mut read = 0;
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| backend("Scan", e))?;
            for item in page.items.unwrap_or_default() {
                self.stats.record(&item);
            }
            read += page.scanned_count as u64;
        }
        Ok(read)
    }

    /// The invoices a report asks for: a filtered scan of invoice items (`:invoice` is bound here). A
    /// report is occasional, and reads the whole table; the daily pass never does.
    async fn scan_invoices(
        &self,
        filter: &str,
        names: &[(&str, &str)],
        values: Vec<(&str, AttributeValue)>,
    ) -> Result<Vec<Invoice>, CoreError> {
        let mut request = self
            .client
            .scan()
            .table_name(&self.table)
            .filter_expression(filter)
            .expression_attribute_values(":invoice", s("INVOICE"));
        for (name, attribute) in names {
            request = request.expression_attribute_names(*name, *attribute);
        }
        for (name, value) in values {
            request = request.expression_attribute_values(name, value);
        }
        let mut pages = request.into_paginator().send();
        let mut found = Vec::new();
        while let Some(page) = pages.next().await {
            for item in page.map_err(|e| backend("Scan", e))?.items.unwrap_or_default() {
                self.stats.record(&item);
                found.push(decode("invoice", item)?);
            }
        }
        Ok(found)
    }

    /// Replace an item unconditionally (customers and invoices come whole from the accounting system).
    async fn put(&self, item: Item) -> Result<(), CoreError> {
        self.put_request(item).send().await.map_err(|e| backend("PutItem", e))?;
        Ok(())
    }

    /// A PutItem of `item` into the table, for a condition to be added.
    fn put_request(&self, item: Item) -> aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder {
        self.client.put_item().table_name(&self.table).set_item(Some(item))
    }

    /// Point the invoice's payment reference, if it has one, at it: an item `P#{reference}`. Written after
    /// the invoice, so a reference never names an invoice that is not there; re-ingesting repairs one lost
    /// to a crash in between.
    async fn remember_reference(&self, invoice: &Invoice) -> Result<(), CoreError> {
        let Some(reference) = &invoice.payment_reference else {
            return Ok(());
        };
        let mut item = Self::reference_key(reference);
        item.insert("invoice_id".into(), s(invoice.id.0.clone()));
        self.put(item).await
    }

    /// Query an index to the end, decoding every item.
    async fn query<T: DeserializeOwned>(
        &self,
        kind: &str,
        index: &str,
        condition: &str,
        values: Vec<(&str, AttributeValue)>,
    ) -> Result<Vec<T>, CoreError> {
        let mut request = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index)
            .key_condition_expression(condition);
        for (name, value) in values {
            request = request.expression_attribute_values(name, value);
        }
        let mut pages = request.into_paginator().send();
        let mut found = Vec::new();
        while let Some(page) = pages.next().await {
            for item in page.map_err(|e| backend("Query", e))?.items.unwrap_or_default() {
                self.stats.record(&item);
                found.push(decode(kind, item)?);
            }
        }
        Ok(found)
    }

    /// Query every shard of a sharded index at once and gather the results.
    async fn query_shards<T: DeserializeOwned>(
        &self,
        kind: &str,
        index: &str,
        condition: &str,
        key_for_shard: impl Fn(u32) -> AttributeValue,
        extra: Vec<(&str, AttributeValue)>,
    ) -> Result<Vec<T>, CoreError> {
        let queries = (0..self.shards).map(|shard| {
            let mut values = vec![(":shard", key_for_shard(shard))];
            values.extend(extra.iter().cloned());
            self.query(kind, index, condition, values)
        });
        let mut found = Vec::new();
        for result in futures::future::join_all(queries).await {
            found.extend(result?);
        }
        Ok(found)
    }

    /// The progress write for one invoice inside the reminder transaction. While the invoice is open
    /// it also (re)places the invoice in the due index; `still_open = false` only writes the progress
    /// and keeps the invoice out of the index (it was paid or closed meanwhile).
    fn progress_update(
        &self,
        id: &InvoiceId,
        progress: &DunningProgress,
        still_open: bool,
    ) -> Result<Update, CoreError> {
        let dunning = serde_dynamo::to_attribute_value(progress).map_err(|e| CoreError::Store(e.to_string()))?;
        // The revision moves on, so a payment applied from an earlier read fails its condition and re-reads.
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(Self::key(invoice_pk(id), "INVOICE")))
            .expression_attribute_names("#bk", "bookkeeping")
            .expression_attribute_names("#rev", "revision")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":dunning", dunning);
        update = match progress.next_action_on.filter(|_| still_open) {
            Some(day) => update
                .update_expression(
                    "SET dunning = :dunning, due_shard = :shard, due_on = :day, #bk.#rev = #bk.#rev + :one",
                )
                // Still indexed (open or payment-pending, as action_index_day says); otherwise this write
                // fails and is retried without the index.
                .condition_expression("#status IN (:open, :pending)")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":open", s(InvoiceStatus::Open.as_str()))
                .expression_attribute_values(":pending", s(InvoiceStatus::PaymentPending.as_str()))
                .expression_attribute_values(":shard", s(shard_of(&id.0, self.shards).to_string()))
                .expression_attribute_values(":day", s(day.to_string())),
            None => update
                .update_expression("SET dunning = :dunning, #bk.#rev = #bk.#rev + :one REMOVE due_shard, due_on")
                .condition_expression("attribute_exists(pk)"),
        };
        update.build().map_err(|e| backend("TransactWriteItems", e))
    }
}

/// Create the table and its indexes as the SAM template defines them (tests and local runs; on AWS the
/// template owns the table). Waits until the table is active.
pub async fn create_table(client: &Client, table: &str) -> Result<(), CoreError> {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
        ScalarAttributeType,
    };
    let build = |e: aws_sdk_dynamodb::error::BuildError| backend("CreateTable", e);
    let key = |name: &str, kind: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .map_err(build)
    };
    let index = |name: &str, hash: &str, range: &str| -> Result<GlobalSecondaryIndex, CoreError> {
        GlobalSecondaryIndex::builder()
            .index_name(name)
            .key_schema(key(hash, KeyType::Hash)?)
            .key_schema(key(range, KeyType::Range)?)
            .projection(Projection::builder().projection_type(ProjectionType::All).build())
            .build()
            .map_err(build)
    };
    let (partition, sort) = TABLE_KEY;
    let mut request = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key(partition, KeyType::Hash)?)
        .key_schema(key(sort, KeyType::Range)?);
    for (name, hash, range) in INDEXES {
        request = request.global_secondary_indexes(index(name, hash, range)?);
    }
    let index_keys = INDEXES.iter().flat_map(|&(_, hash, range)| [hash, range]);
    for name in [partition, sort].into_iter().chain(index_keys) {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(build)?,
        );
    }
    request.send().await.map_err(|e| backend("CreateTable", e))?;
    client
        .wait_until_table_exists()
        .table_name(table)
        .wait(std::time::Duration::from_secs(60))
        .await
        .map_err(|e| backend("DescribeTable", e))?;
    // The payment-event ledger's entries expire on their own.
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(
            aws_sdk_dynamodb::types::TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(EXPIRES_AT)
                .build()
                .map_err(|e| backend("UpdateTimeToLive", e))?,
        )
        .send()
        .await
        .map_err(|e| backend("UpdateTimeToLive", e))?;
    Ok(())
}

/// Send a conditional PutItem: `true` if written, `false` if its condition did not hold.
async fn put_if(
    request: aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder,
) -> Result<bool, CoreError> {
    match request.send().await.map_err(|error| error.into_service_error()) {
        Ok(_) => Ok(true),
        Err(e) if e.is_conditional_check_failed_exception() => Ok(false),
        Err(e) => Err(backend("PutItem", e)),
    }
}

/// Send a conditional PutItem that creates an item: whether it was new or there already.
async fn inserted(
    request: aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder,
) -> Result<Inserted, CoreError> {
    Ok(match put_if(request).await? {
        true => Inserted::New,
        false => Inserted::AlreadyExists,
    })
}

impl DynamoStore {
    /// Put `item` unless an item with its key exists.
    async fn put_new(&self, item: Item) -> Result<Inserted, CoreError> {
        inserted(self.put_request(item).condition_expression("attribute_not_exists(pk)")).await
    }

    /// Put `item` if the stored one is still at revision `expected`; else a conflict naming `what`.
    async fn put_at_revision(&self, item: Item, expected: u64, what: &str) -> Result<(), CoreError> {
        let request = self
            .put_request(item)
            .condition_expression("#rev = :rev")
            .expression_attribute_names("#rev", "revision")
            .expression_attribute_values(":rev", AttributeValue::N(expected.to_string()));
        if put_if(request).await? {
            Ok(())
        } else {
            Err(CoreError::Conflict(format!(
                "{what} is no longer at revision {expected}"
            )))
        }
    }
}

/// The ledger items' time-to-live attribute (Unix seconds): the table's TTL attribute.
pub const EXPIRES_AT: &str = "expires_at";

impl Store for DynamoStore {
    async fn insert_answer(&self, answer: &Answer) -> Result<Inserted, CoreError> {
        self.put_new_answer(answer).await
    }

    async fn answer(&self, id: &AnswerId) -> Result<Option<Answer>, CoreError> {
        self.get_answer(id).await
    }

    async fn replace_answer(&self, answer: &Answer, expected: u64) -> Result<(), CoreError> {
        self.put_answer_if(answer, expected).await
    }

    async fn answers_of_customer(&self, id: &CustomerId) -> Result<Vec<Answer>, CoreError> {
        self.customer_answers(id).await
    }

    async fn answers_needing_staff(&self) -> Result<Vec<Answer>, CoreError> {
        self.staff_answers().await
    }

    async fn answers_since(&self, since: chrono::DateTime<chrono::Utc>) -> Result<Vec<Answer>, CoreError> {
        self.recent_answers(since).await
    }

    async fn insert_plan(&self, plan: &PaymentPlan) -> Result<Inserted, CoreError> {
        self.put_new_plan(plan).await
    }

    async fn plan(&self, id: &PlanId) -> Result<Option<PaymentPlan>, CoreError> {
        self.get_plan(id).await
    }

    async fn replace_plan(&self, plan: &PaymentPlan, expected: u64) -> Result<(), CoreError> {
        self.put_plan_if(plan, expected).await
    }

    async fn plans_of_customer(&self, id: &CustomerId) -> Result<Vec<PaymentPlan>, CoreError> {
        self.customer_plans(id).await
    }

    async fn plans_due(&self, day: NaiveDate) -> Result<Vec<PaymentPlan>, CoreError> {
        self.due_plans(day).await
    }

    async fn event_recorded(&self, id: &str, now: chrono::DateTime<chrono::Utc>) -> Result<bool, CoreError> {
        #[derive(serde::Deserialize)]
        struct Ledger {
            expires_at: i64,
        }
        let found: Option<Ledger> = self.get("event", Self::event_key(id)).await?;
        // TTL deletion lags expiry by up to days: an expired entry counts as gone.
        Ok(found.is_some_and(|entry| entry.expires_at > now.timestamp()))
    }

    async fn record_event(
        &self,
        id: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Inserted, CoreError> {
        let mut item = Self::event_key(id);
        item.insert(EXPIRES_AT.into(), AttributeValue::N(expires_at.timestamp().to_string()));
        let request = self
            .put_request(item)
            .condition_expression("attribute_not_exists(pk) OR #expires <= :now")
            .expression_attribute_names("#expires", EXPIRES_AT)
            .expression_attribute_values(":now", AttributeValue::N(now.timestamp().to_string()));
        inserted(request).await
    }

    async fn put_customer(&self, customer: &Customer) -> Result<(), CoreError> {
        self.put(self.customer_item(customer)?).await
    }

    async fn customer(&self, id: &CustomerId) -> Result<Option<Customer>, CoreError> {
        self.get("customer", Self::key(customer_pk(id), "CUSTOMER")).await
    }

    async fn customers(&self, ids: &[CustomerId]) -> Result<Vec<Customer>, CoreError> {
        self.get_many(
            "customer",
            ids.iter().map(|id| Self::key(customer_pk(id), "CUSTOMER")).collect(),
        )
        .await
    }

    async fn put_invoice(&self, invoice: &Invoice) -> Result<(), CoreError> {
        self.put(self.invoice_item(invoice)?).await?;
        self.remember_reference(invoice).await
    }

    async fn invoice_id_by_payment_reference(&self, reference: &str) -> Result<Option<InvoiceId>, CoreError> {
        #[derive(serde::Deserialize)]
        struct Reference {
            invoice_id: String,
        }
        let found: Option<Reference> = self.get("payment reference", Self::reference_key(reference)).await?;
        Ok(found.map(|reference| InvoiceId(reference.invoice_id)))
    }

    async fn replace_invoice(&self, invoice: &Invoice, expected: Option<u64>) -> Result<(), CoreError> {
        let request = self.put_request(self.invoice_item(invoice)?);
        let request = match expected {
            None => request.condition_expression("attribute_not_exists(pk)"),
            Some(revision) => request
                .condition_expression("#bk.#rev = :rev")
                .expression_attribute_names("#bk", "bookkeeping")
                .expression_attribute_names("#rev", "revision")
                .expression_attribute_values(":rev", AttributeValue::N(revision.to_string())),
        };
        if !put_if(request).await? {
            return Err(CoreError::Conflict(format!(
                "invoice {} changed since it was read",
                invoice.id
            )));
        }
        self.remember_reference(invoice).await
    }

    async fn invoice(&self, id: &InvoiceId) -> Result<Option<Invoice>, CoreError> {
        self.get("invoice", Self::key(invoice_pk(id), "INVOICE")).await
    }

    async fn invoices(&self, ids: &[InvoiceId]) -> Result<Vec<Invoice>, CoreError> {
        self.get_many(
            "invoice",
            ids.iter().map(|id| Self::key(invoice_pk(id), "INVOICE")).collect(),
        )
        .await
    }

    async fn invoices_of_customer(&self, id: &CustomerId) -> Result<Vec<Invoice>, CoreError> {
        let condition = "customer_key = :customer AND begins_with(customer_sort, :kind)";
        self.query(
            "invoice",
            CUSTOMER_INDEX,
            condition,
            vec![(":customer", s(customer_pk(id))), (":kind", s("I#"))],
        )
        .await
    }

    async fn invoices_needing_action(&self, day: NaiveDate) -> Result<Vec<Invoice>, CoreError> {
        let condition = "due_shard = :shard AND due_on <= :day";
        self.query_shards(
            "invoice",
            DUE_INDEX,
            condition,
            |shard| s(shard.to_string()),
            vec![(":day", s(day.to_string()))],
        )
        .await
    }

    async fn unsettled_invoices(&self) -> Result<Vec<Invoice>, CoreError> {
        self.scan_invoices(
            "sk = :invoice AND NOT (#status IN (:paid, :void))",
            &[("#status", "status")],
            vec![
                (":paid", s(InvoiceStatus::Paid.as_str())),
                (":void", s(InvoiceStatus::Void.as_str())),
            ],
        )
        .await
    }

    async fn invoices_issued_since(&self, day: NaiveDate) -> Result<Vec<Invoice>, CoreError> {
        // ISO dates compare as strings.
        self.scan_invoices(
            "sk = :invoice AND issue_date >= :day",
            &[],
            vec![(":day", s(day.to_string()))],
        )
        .await
    }

    async fn insert_reminder(&self, reminder: &Reminder) -> Result<Inserted, CoreError> {
        let request = self
            .put_request(self.reminder_item(reminder)?)
            .condition_expression("attribute_not_exists(pk)");
        inserted(request).await
    }

    async fn reminder(&self, id: &ReminderId) -> Result<Option<Reminder>, CoreError> {
        self.get("reminder", Self::key(reminder_pk(id), "REMINDER")).await
    }

    async fn reminders_with_status(&self, status: ReminderStatus) -> Result<Vec<Reminder>, CoreError> {
        let condition = "status_key = :shard";
        let mut found: Vec<Reminder> = self
            .query_shards(
                "reminder",
                STATUS_INDEX,
                condition,
                |shard| s(format!("{status}#{shard}")),
                vec![],
            )
            .await?;
        found.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(found)
    }

    async fn reminders_of_customer(&self, id: &CustomerId) -> Result<Vec<Reminder>, CoreError> {
        let condition = "customer_key = :customer AND begins_with(customer_sort, :kind)";
        self.query(
            "reminder",
            CUSTOMER_INDEX,
            condition,
            vec![(":customer", s(customer_pk(id))), (":kind", s("R#"))],
        )
        .await
    }

    async fn update_reminders(&self, updates: &[(Reminder, ReminderStatus)]) -> Result<(), CoreError> {
        if updates.len() > kindly_core::ports::MAX_BATCH {
            return Err(CoreError::Store(format!(
                "{} reminders in one transaction; at most {}",
                updates.len(),
                kindly_core::ports::MAX_BATCH
            )));
        }
        let mut items = Vec::with_capacity(updates.len());
        for (reminder, expected) in updates {
            let put = self.reminder_put_if(reminder, *expected)?;
            items.push(TransactWriteItem::builder().put(put).build());
        }
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(service))
                if matches!(service.err(), TransactWriteItemsError::TransactionCanceledException(_)) =>
            {
                Err(CoreError::Conflict(
                    "a reminder changed meanwhile; nothing was written".into(),
                ))
            }
            Err(error) => Err(backend("TransactWriteItems", error)),
        }
    }

    async fn update_reminder(
        &self,
        reminder: &Reminder,
        expected: ReminderStatus,
        progress: &[(InvoiceId, DunningProgress)],
    ) -> Result<(), CoreError> {
        if progress.is_empty() {
            // A claim or an outcome alone: one conditional put, half the cost of a transaction.
            let request = self
                .put_request(self.reminder_item(reminder)?)
                .condition_expression(REMINDER_UNCHANGED)
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":expected", s(expected.as_str()))
                .expression_attribute_values(":steps", steps(reminder));
            if !put_if(request).await? {
                return Err(CoreError::Conflict(format!(
                    "reminder {} is no longer {expected}",
                    reminder.id
                )));
            }
            return Ok(());
        }
        let put = self.reminder_put_if(reminder, expected)?;
        // First try: every invoice still open goes back into the due index. Invoices that turn out to be
        // closed (a payment landed meanwhile) are retried with the progress alone.
        let mut closed: Vec<bool> = vec![false; progress.len()];
        for _ in 0..2 {
            let mut items = vec![TransactWriteItem::builder().put(put.clone()).build()];
            for ((id, dunning), closed) in progress.iter().zip(&closed) {
                items.push(
                    TransactWriteItem::builder()
                        .update(self.progress_update(id, dunning, !closed)?)
                        .build(),
                );
            }
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items))
                .send()
                .await;
            let Err(error) = result else {
                return Ok(());
            };
            let reasons: Vec<String> = match &error {
                SdkError::ServiceError(service) => match service.err() {
                    TransactWriteItemsError::TransactionCanceledException(cancelled) => cancelled
                        .cancellation_reasons()
                        .iter()
                        .map(|r| r.code().unwrap_or("None").to_owned())
                        .collect(),
                    _ => return Err(backend("TransactWriteItems", error)),
                },
                _ => return Err(backend("TransactWriteItems", error)),
            };
            let failed = |index: usize| {
                reasons
                    .get(index)
                    .is_some_and(|code: &String| code == "ConditionalCheckFailed")
            };
            if failed(0) {
                return Err(CoreError::Conflict(format!(
                    "reminder {} is no longer {expected}",
                    reminder.id
                )));
            }
            let newly_closed: Vec<usize> = (0..progress.len()).filter(|&i| failed(i + 1) && !closed[i]).collect();
            if newly_closed.is_empty() {
                return Err(CoreError::Conflict(format!(
                    "reminder {}: an invoice changed or disappeared ({reasons:?})",
                    reminder.id
                )));
            }
            for index in newly_closed {
                closed[index] = true;
            }
        }
        Err(CoreError::Conflict(format!(
            "reminder {}: invoices kept changing during the update",
            reminder.id
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::shard_of;

    #[test]
    fn shards_are_stable_and_spread() {
        assert_eq!(shard_of("INV-1", 8), shard_of("INV-1", 8));
        let mut counts = [0u32; 8];
        for index in 0..8000 {
            counts[shard_of(&format!("INV-{index}"), 8) as usize] += 1;
        }
        assert!(counts.iter().all(|&count| (800..1200).contains(&count)), "{counts:?}");
    }
}
