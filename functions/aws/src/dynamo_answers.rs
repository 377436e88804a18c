//! Customers' answers in the DynamoDB table: an item per answer, listed by the `customer` index under the
//! customer's key, and by the `status` index under `answer_staff#{shard}` while a person must act on it
//! (else `answer#{shard}`), sorted by time — so the tasks inbox and the reasons report query, never scan.

use super::{CUSTOMER_INDEX, DynamoStore, Item, STATUS_INDEX, customer_pk, encode, s, shard_of};
use chrono::{DateTime, SecondsFormat, Utc};
use kindly_core::answer::{Answer, AnswerId};
use kindly_core::{CoreError, CustomerId, Inserted};

const SORT_KEY: &str = "ANSWER";

/// The status-index key prefixes: answers needing a person, and the rest.
const NEEDS_STAFF: &str = "answer_staff";
const SETTLED: &str = "answer";

fn answer_pk(id: &AnswerId) -> String {
    format!("A#{id}")
}

/// An instant that sorts as text in time order.
fn time_key(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl DynamoStore {
    fn answer_item(&self, answer: &Answer) -> Result<Item, CoreError> {
        let mut item = encode(answer)?;
        item.extend(Self::key(answer_pk(&answer.id), SORT_KEY));
        let sort = format!("{}#{}", time_key(answer.at), answer.id);
        item.insert("customer_key".into(), s(customer_pk(&answer.customer_id)));
        item.insert("customer_sort".into(), s(format!("A#{sort}")));
        let prefix = if answer.needs_staff() { NEEDS_STAFF } else { SETTLED };
        let shard = shard_of(&answer.id.0, self.shards);
        item.insert("status_key".into(), s(format!("{prefix}#{shard}")));
        item.insert("status_sort".into(), s(sort));
        Ok(item)
    }

    pub(super) async fn put_new_answer(&self, answer: &Answer) -> Result<Inserted, CoreError> {
        self.put_new(self.answer_item(answer)?).await
    }

    pub(super) async fn get_answer(&self, id: &AnswerId) -> Result<Option<Answer>, CoreError> {
        self.get("answer", Self::key(answer_pk(id), SORT_KEY)).await
    }

    pub(super) async fn put_answer_if(&self, answer: &Answer, expected: u64) -> Result<(), CoreError> {
        let item = self.answer_item(answer)?;
        self.put_at_revision(item, expected, &format!("answer {}", answer.id))
            .await
    }

    pub(super) async fn customer_answers(&self, id: &CustomerId) -> Result<Vec<Answer>, CoreError> {
        let condition = "customer_key = :customer AND begins_with(customer_sort, :kind)";
        self.query(
            "answer",
            CUSTOMER_INDEX,
            condition,
            vec![(":customer", s(customer_pk(id))), (":kind", s("A#"))],
        )
        .await
    }

    /// The answers under one status-index prefix given at or after `since` (all of them: `None`), oldest first.
    async fn answers_under(&self, prefix: &str, since: Option<DateTime<Utc>>) -> Result<Vec<Answer>, CoreError> {
        let (condition, extra) = match since {
            Some(since) => (
                "status_key = :shard AND status_sort >= :since",
                vec![(":since", s(time_key(since)))],
            ),
            None => ("status_key = :shard", vec![]),
        };
        let mut found: Vec<Answer> = self
            .query_shards(
                "answer",
                STATUS_INDEX,
                condition,
                |shard| s(format!("{prefix}#{shard}")),
                extra,
            )
            .await?;
        found.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        Ok(found)
    }

    pub(super) async fn staff_answers(&self) -> Result<Vec<Answer>, CoreError> {
        self.answers_under(NEEDS_STAFF, None).await
    }

    pub(super) async fn recent_answers(&self, since: DateTime<Utc>) -> Result<Vec<Answer>, CoreError> {
        let mut found = self.answers_under(NEEDS_STAFF, Some(since)).await?;
        found.extend(self.answers_under(SETTLED, Some(since)).await?);
        found.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        Ok(found)
    }
}
