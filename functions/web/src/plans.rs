//! Payment plans on the staff API: `POST /api/customers/{id}/plans` agrees one (also as the ladder's last
//! step, naming its decision task), `GET /api/customers/{id}/plans` lists a customer's plans with what is
//! paid of each instalment. Thin: `kindly_core::service` makes and keeps plans; this maps the wire shapes.

use crate::AppState;
use crate::access::Approver;
use crate::api::body;
use crate::error::WebError;
use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use kindly_core::instalments::{Frequency, PaymentPlan, PlanTerms};
use kindly_core::service::{self, PlanMaker};
use kindly_core::{CustomerId, InvoiceId, ReminderId, Store};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What staff agree: the invoices (none with a `task`: its invoices still owed), how many instalments,
/// how often (`weekly`, `fortnightly`, `monthly`) and the first date.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    #[serde(default)]
    pub invoices: Vec<String>,
    pub instalments: u32,
    pub every: Frequency,
    pub first: NaiveDate,
    /// The ladder's last-step decision task this plan decides.
    #[serde(default)]
    pub task: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct PlanView {
    pub id: String,
    /// `requested`, `active`, `completed`, `broken` or `cancelled`.
    pub state: String,
    pub summary: String,
    pub invoices: Vec<String>,
    pub currency: String,
    pub made_by: String,
    pub made_at: DateTime<Utc>,
    pub asked_by_customer: bool,
    pub instalments: Vec<InstalmentView>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct InstalmentView {
    pub due: NaiveDate,
    pub amount: Decimal,
    /// What the invoices' payments since the plan began cover of it.
    pub paid: Decimal,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct PlanList {
    pub plans: Vec<PlanView>,
}

fn plan_view(plan: &PaymentPlan, invoices: &[kindly_core::Invoice]) -> PlanView {
    let paid = plan.paid_towards(invoices);
    PlanView {
        id: plan.id.0.clone(),
        state: plan.state.as_str().to_owned(),
        summary: service::describe_plan(plan),
        invoices: invoices.iter().map(|invoice| invoice.number.clone()).collect(),
        currency: plan.currency.code().to_owned(),
        made_by: plan.made_by.to_string(),
        made_at: plan.made_at,
        asked_by_customer: plan.asked_by_customer,
        instalments: plan
            .instalments
            .iter()
            .zip(paid)
            .map(|(instalment, paid)| InstalmentView {
                due: instalment.due,
                amount: instalment.amount,
                paid,
            })
            .collect(),
    }
}

/// `POST /api/customers/{id}/plans`: agree a plan under the signed-in person.
pub async fn create<S: Store>(
    State(app): AppState<S>,
    Extension(approver): Extension<Approver>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<PlanView>), WebError> {
    let request: PlanBody = body(&bytes)?;
    let terms = PlanTerms {
        count: request.instalments,
        frequency: request.every,
        first: request.first,
    };
    let invoices: Vec<InvoiceId> = request.invoices.into_iter().map(InvoiceId).collect();
    let maker = PlanMaker::Staff {
        name: approver.0.clone(),
        task: request.task.map(ReminderId),
    };
    let customer = CustomerId(id);
    let made = service::make_plan(
        &app.store,
        &app.policy,
        &customer,
        &invoices,
        &terms,
        maker,
        (app.clock)(),
    )
    .await?;
    let invoices = app.store.invoices(&made.plan.invoices).await?;
    tracing::info!(plan = %made.plan.id, customer = %customer, approver = %approver.0, "payment plan agreed");
    Ok((StatusCode::CREATED, Json(plan_view(&made.plan, &invoices))))
}

/// `GET /api/customers/{id}/plans`: newest first.
pub async fn list<S: Store>(State(app): AppState<S>, Path(id): Path<String>) -> Result<Json<PlanList>, WebError> {
    let customer = CustomerId(id);
    let mut plans = Vec::new();
    for plan in app.store.plans_of_customer(&customer).await?.iter().rev() {
        let invoices = app.store.invoices(&plan.invoices).await?;
        plans.push(plan_view(plan, &invoices));
    }
    Ok(Json(PlanList { plans }))
}
