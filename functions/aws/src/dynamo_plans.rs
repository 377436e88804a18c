//! Payment plans in the DynamoDB table: an item per plan, listed by the `customer` index under the
//! customer's key, and by the `status` index under `plan#{shard}`, sorted by its next check, only while it
//! runs (a plan that runs no more leaves that index) — so the pass queries the plans that need a look.

use super::{CUSTOMER_INDEX, DynamoStore, Item, STATUS_INDEX, customer_pk, encode, s, shard_of};
use chrono::{NaiveDate, SecondsFormat};
use kindly_core::instalments::{PaymentPlan, PlanId};
use kindly_core::{CoreError, CustomerId, Inserted};

const SORT_KEY: &str = "PLAN";

/// The status-index key prefix of running plans.
const RUNNING: &str = "plan";

fn plan_pk(id: &PlanId) -> String {
    format!("PL#{id}")
}

impl DynamoStore {
    fn plan_item(&self, plan: &PaymentPlan) -> Result<Item, CoreError> {
        let mut item = encode(plan)?;
        item.extend(Self::key(plan_pk(&plan.id), SORT_KEY));
        let made = plan.made_at.to_rfc3339_opts(SecondsFormat::Micros, true);
        item.insert("customer_key".into(), s(customer_pk(&plan.customer_id)));
        item.insert("customer_sort".into(), s(format!("P#{made}#{}", plan.id)));
        if let Some(day) = plan.next_check {
            let shard = shard_of(&plan.id.0, self.shards);
            item.insert("status_key".into(), s(format!("{RUNNING}#{shard}")));
            item.insert("status_sort".into(), s(format!("{day}#{}", plan.id)));
        }
        Ok(item)
    }

    pub(super) async fn put_new_plan(&self, plan: &PaymentPlan) -> Result<Inserted, CoreError> {
        self.put_new(self.plan_item(plan)?).await
    }

    pub(super) async fn get_plan(&self, id: &PlanId) -> Result<Option<PaymentPlan>, CoreError> {
        self.get("payment plan", Self::key(plan_pk(id), SORT_KEY)).await
    }

    pub(super) async fn put_plan_if(&self, plan: &PaymentPlan, expected: u64) -> Result<(), CoreError> {
        let item = self.plan_item(plan)?;
        self.put_at_revision(item, expected, &format!("payment plan {}", plan.id))
            .await
    }

    pub(super) async fn customer_plans(&self, id: &CustomerId) -> Result<Vec<PaymentPlan>, CoreError> {
        let condition = "customer_key = :customer AND begins_with(customer_sort, :kind)";
        self.query(
            "payment plan",
            CUSTOMER_INDEX,
            condition,
            vec![(":customer", s(customer_pk(id))), (":kind", s("P#"))],
        )
        .await
    }

    pub(super) async fn due_plans(&self, day: NaiveDate) -> Result<Vec<PaymentPlan>, CoreError> {
        // `~` sorts after every character of an id, so the bound takes every plan checked on `day`.
        let mut found: Vec<PaymentPlan> = self
            .query_shards(
                "payment plan",
                STATUS_INDEX,
                "status_key = :shard AND status_sort <= :upto",
                |shard| s(format!("{RUNNING}#{shard}")),
                vec![(":upto", s(format!("{day}#~")))],
            )
            .await?;
        found.sort_by(|a, b| (a.made_at, &a.id).cmp(&(b.made_at, &b.id)));
        Ok(found)
    }
}
