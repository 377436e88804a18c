//! Payment plans on every store: inserted once, replaced only at the revision read, listed by customer,
//! and found by their next check only while they run.

use crate::actor::Actor;
use crate::customer::CustomerId;
use crate::error::CoreError;
use crate::fixtures::{day, instant};
use crate::instalments::{Frequency, PaymentPlan, PlanId, PlanState, PlanTerms, schedule};
use crate::invoice::InvoiceId;
use crate::money::Currency;
use crate::ports::{Inserted, Store};

fn plan(id: &str, customer: &str, made: &str, next_check: Option<&str>) -> PaymentPlan {
    let currency = Currency::from_code("EUR").unwrap();
    let terms = PlanTerms {
        count: 3,
        frequency: Frequency::Monthly,
        first: day("2026-04-01"),
    };
    PaymentPlan {
        id: PlanId(id.into()),
        customer_id: CustomerId(customer.into()),
        invoices: vec![InvoiceId(format!("I-{customer}"))],
        currency,
        frequency: terms.frequency,
        instalments: schedule("900".parse().unwrap(), currency, &terms).unwrap(),
        paid_before: "100".parse().unwrap(),
        state: PlanState::Active,
        made_by: Actor::person("sam"),
        made_at: instant(made),
        asked_by_customer: false,
        next_check: next_check.map(day),
        revision: 0,
    }
}

fn ids(plans: &[PaymentPlan]) -> Vec<&str> {
    plans.iter().map(|plan| plan.id.0.as_str()).collect()
}

pub async fn plans_are_kept_listed_and_found_while_they_run<S: Store>(store: &S) {
    let first = plan("plan_a", "PA", "2026-03-02", Some("2026-03-30"));
    assert_eq!(store.insert_plan(&first).await.unwrap(), Inserted::New);
    // A plan made twice (a retried request) is stored once, as first written.
    let mut again = first.clone();
    again.paid_before = "999".parse().unwrap();
    assert_eq!(store.insert_plan(&again).await.unwrap(), Inserted::AlreadyExists);
    assert_eq!(store.plan(&first.id).await.unwrap(), Some(first.clone()));
    assert_eq!(store.plan(&PlanId("plan_none".into())).await.unwrap(), None);
    let later = plan("plan_b", "PA", "2026-03-05", Some("2026-04-20"));
    let other = plan("plan_c", "PB", "2026-03-03", Some("2026-03-10"));
    store.insert_plan(&later).await.unwrap();
    store.insert_plan(&other).await.unwrap();
    // By customer, oldest first; none of another customer's.
    let of_pa = store.plans_of_customer(&CustomerId("PA".into())).await.unwrap();
    assert_eq!(ids(&of_pa), ["plan_a", "plan_b"]);
    // By next check: those due by the day, oldest first.
    assert_eq!(
        ids(&store.plans_due(day("2026-03-30")).await.unwrap()),
        ["plan_a", "plan_c"]
    );
    assert_eq!(
        ids(&store.plans_due(day("2026-03-09")).await.unwrap()),
        Vec::<&str>::new()
    );
    // Replaced at the revision read, and not at a stale one.
    let mut done = first.clone();
    done.state = PlanState::Completed;
    done.next_check = None;
    done.revision = 1;
    store.replace_plan(&done, 0).await.unwrap();
    let mut stale = first.clone();
    stale.revision = 1;
    let refused = store.replace_plan(&stale, 0).await;
    assert!(matches!(refused, Err(CoreError::Conflict(_))), "{refused:?}");
    assert_eq!(store.plan(&first.id).await.unwrap(), Some(done));
    // A plan that runs no more leaves the index.
    assert_eq!(
        ids(&store.plans_due(day("2026-12-31")).await.unwrap()),
        ["plan_c", "plan_b"]
    );
}
