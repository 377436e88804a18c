//! `kindly plan create|list`: staff agree a payment plan on the command line, and see a customer's plans.
//! Glue only: the core makes and keeps plans; this parses and prints.

use crate::app::write;
use crate::cli::PlanAction;
use crate::error::LocalError;
use crate::sqlite_store::SqliteStore;
use crate::tables::table;
use chrono::{DateTime, Utc};
use kindly_core::instalments::{Frequency, PaymentPlan, PlanTerms};
use kindly_core::money::format_money;
use kindly_core::service::{self, PlanMaker};
use kindly_core::{CoreError, CustomerId, InvoiceId, Policy, ReminderId, Store};
use std::io::Write;

/// Run `kindly plan ACTION`; `now_for` turns `--today` into the moment to act at.
pub async fn run(
    action: PlanAction,
    store: &SqliteStore,
    policy: &Policy,
    now_for: impl Fn(Option<chrono::NaiveDate>) -> DateTime<Utc>,
    out: &mut dyn Write,
) -> Result<(), LocalError> {
    match action {
        PlanAction::Create {
            customer,
            invoices,
            instalments,
            every,
            first,
            task,
            today,
            by,
        } => {
            let frequency: Frequency = every.parse().map_err(|problem: String| CoreError::InvalidField {
                record: "payment plan",
                id: customer.clone(),
                field: "every",
                problem,
            })?;
            let terms = PlanTerms {
                count: instalments,
                frequency,
                first,
            };
            let ids: Vec<InvoiceId> = invoices.into_iter().map(InvoiceId).collect();
            let maker = PlanMaker::Staff {
                name: by,
                task: task.map(ReminderId),
            };
            let customer = CustomerId(customer);
            let made = service::make_plan(store, policy, &customer, &ids, &terms, maker, now_for(today)).await?;
            let invoices = store.invoices(&made.plan.invoices).await?;
            let locale = store.customer(&customer).await?.map(|c| c.locale).unwrap_or_default();
            write(
                out,
                &format!(
                    "Plan {} agreed: {}.\n{}\n",
                    made.plan.id,
                    service::describe_plan(&made.plan),
                    schedule_table(&made.plan, &invoices, &locale)
                ),
            )
        }
        PlanAction::List { customer } => {
            let id = CustomerId(customer);
            let customer = store.customer(&id).await?.ok_or_else(|| CoreError::NotFound {
                what: "customer",
                id: id.0.clone(),
            })?;
            let mut plans = store.plans_of_customer(&id).await?;
            plans.reverse();
            if plans.is_empty() {
                return write(out, &format!("{} has no payment plans.\n", customer.display_name));
            }
            let mut text = String::new();
            for plan in &plans {
                let invoices = store.invoices(&plan.invoices).await?;
                let numbers: Vec<&str> = invoices.iter().map(|invoice| invoice.number.as_str()).collect();
                text.push_str(&format!(
                    "Plan {} ({}), made {} by {}: {}; invoices {}\n{}\n",
                    plan.id,
                    plan.state.as_str(),
                    plan.made_at.format("%Y-%m-%d"),
                    if plan.asked_by_customer {
                        "the customer".to_owned()
                    } else {
                        plan.made_by.to_string()
                    },
                    service::describe_plan(plan),
                    numbers.join(", "),
                    schedule_table(plan, &invoices, &customer.locale)
                ));
            }
            write(out, &text)
        }
    }
}

/// The instalments with what the invoices' payments since the plan began cover of each.
fn schedule_table(plan: &PaymentPlan, invoices: &[kindly_core::Invoice], locale: &str) -> String {
    let covered = plan.paid_towards(invoices);
    let mut rows = table(&["#", "Due", "Amount", "Paid"]);
    for (index, (instalment, paid)) in plan.instalments.iter().zip(covered).enumerate() {
        rows.add_row(vec![
            (index + 1).to_string(),
            instalment.due.to_string(),
            format_money(instalment.amount, plan.currency, locale),
            format_money(paid, plan.currency, locale),
        ]);
    }
    rows.to_string()
}
