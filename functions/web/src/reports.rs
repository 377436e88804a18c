//! The receivables reports on the staff page: DSO and CEI (JSON and a chart), aging by customer with the
//! invoices behind each row and what was given up on, and the receipts expected. Thin: the core's services
//! read ([`service::ledger`], [`service::receipts`]), its pure reports shape, this maps to [`crate::wire`].

use crate::AppState;
use crate::error::WebError;
use crate::staff::{Period, months};
use crate::wire::{
    AgedInvoiceView, AgingView, CurrencyAmount, CurrencyReceivables, CustomerAgingView, CustomerRef, ExpectedView,
    GivenUpTotals, GivenUpView, ReceiptsView, ReceivablesMonth, ReceivablesView,
};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kindly_core::aging::BUCKETS;
use kindly_core::reports::customers::{GivenUp, aging_by_customer, outcomes};
use kindly_core::reports::receipts::{HORIZON_DAYS, Source};
use kindly_core::reports::{cei, dso};
use kindly_core::{Currency, Customer, CustomerId, Store, service};
use rust_decimal::Decimal;

/// `amount` shown with its currency's minor units (a sum of nothing is `0.00`, not `0`).
fn exact(amount: Decimal, currency: Currency) -> Decimal {
    let mut shown = amount;
    shown.rescale(currency.minor_units());
    shown
}

fn customer_ref(customers: &[Customer], id: &CustomerId) -> CustomerRef {
    CustomerRef {
        id: id.0.clone(),
        name: customers
            .iter()
            .find(|customer| customer.id == *id)
            .map_or_else(|| id.0.clone(), |customer| customer.display_name.clone()),
    }
}

async fn receivables_view<S: Store>(app: &crate::App<S>, period: &Period) -> Result<ReceivablesView, WebError> {
    let months = months(period.months.as_deref())?;
    let today = (app.clock)().date_naive();
    let ledger = service::ledger(&app.store, today, months).await?;
    let dso = dso(&ledger.invoices, &ledger.months, ledger.data_from);
    let cei = cei(&ledger.invoices, &ledger.months);
    let undated = dso.iter().map(|currency| currency.undated).sum();
    // Both reports list the same currencies and months, in the same order.
    let currencies = dso
        .into_iter()
        .zip(cei)
        .map(|(dso, cei)| CurrencyReceivables {
            currency: dso.currency,
            months: dso
                .months
                .into_iter()
                .zip(cei.months)
                .map(|(month, cei_month)| ReceivablesMonth {
                    month: month.month,
                    end: month.end,
                    begin: exact(cei_month.begin, dso.currency),
                    sales: exact(month.sales, dso.currency),
                    receivable: exact(month.receivable, dso.currency),
                    not_yet_due: exact(cei_month.end_current, dso.currency),
                    dso: month.days,
                    dso_at_least: month.at_least,
                    cei: cei_month.percent,
                })
                .collect(),
        })
        .collect();
    Ok(ReceivablesView {
        today,
        currencies,
        undated,
    })
}

/// `GET /api/reports/receivables?months=N`.
pub async fn receivables<S: Store>(
    State(app): AppState<S>,
    Query(period): Query<Period>,
) -> Result<Json<ReceivablesView>, WebError> {
    Ok(Json(receivables_view(&app, &period).await?))
}

/// `GET /api/reports/receivables.svg?months=N`: DSO and CEI per currency, as a chart.
pub async fn receivables_chart<S: Store>(
    State(app): AppState<S>,
    Query(period): Query<Period>,
) -> Result<Response, WebError> {
    let view = receivables_view(&app, &period).await?;
    let svg = crate::reports_chart::svg(&view).map_err(WebError::Internal)?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")], svg).into_response())
}

fn given_up_view(given: GivenUp, outcome: &str, currency: Currency, customers: &[Customer]) -> GivenUpView {
    let decision = given.outcome;
    GivenUpView {
        id: given.invoice_id.0,
        number: given.number,
        customer: customer_ref(customers, &given.customer_id),
        currency,
        outcome: outcome.to_owned(),
        balance: given.balance,
        by: decision.as_ref().map(|decision| decision.by.to_string()),
        at: decision.as_ref().map(|decision| decision.at),
        reason: decision.map(|decision| decision.reason),
    }
}

/// `GET /api/reports/aging`.
pub async fn aging<S: Store>(State(app): AppState<S>) -> Result<Json<AgingView>, WebError> {
    let today = (app.clock)().date_naive();
    let invoices = app.store.unsettled_invoices().await?;
    let rows = aging_by_customer(&invoices, today);
    let given_up = outcomes(&invoices);
    let mut named: Vec<CustomerId> = rows.iter().map(|row| row.customer_id.clone()).collect();
    for row in &given_up {
        let given = row.written_off_invoices.iter().chain(&row.handed_over_invoices);
        named.extend(given.map(|given| given.customer_id.clone()));
    }
    let customers = service::customers_of(&app.store, &named).await?;
    let mut given_up_invoices = Vec::new();
    let mut totals = Vec::new();
    for row in given_up {
        totals.push(GivenUpTotals {
            currency: row.currency,
            written_off: exact(row.written_off, row.currency),
            written_off_count: row.written_off_invoices.len(),
            handed_over: exact(row.handed_over, row.currency),
            handed_over_count: row.handed_over_invoices.len(),
        });
        for (outcome, list) in [
            ("written_off", row.written_off_invoices),
            ("handed_over", row.handed_over_invoices),
        ] {
            given_up_invoices.extend(
                list.into_iter()
                    .map(|given| given_up_view(given, outcome, row.currency, &customers)),
            );
        }
    }
    given_up_invoices.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    Ok(Json(AgingView {
        today,
        buckets: BUCKETS.iter().map(|bucket| (*bucket).to_owned()).collect(),
        customers: rows
            .into_iter()
            .map(|row| CustomerAgingView {
                customer: customer_ref(&customers, &row.customer_id),
                currency: row.currency,
                buckets: row.buckets.iter().map(|amount| exact(*amount, row.currency)).collect(),
                total: exact(row.total, row.currency),
                invoices: row
                    .invoices
                    .into_iter()
                    .map(|invoice| AgedInvoiceView {
                        id: invoice.id.0,
                        number: invoice.number,
                        status: invoice.status,
                        issue_date: invoice.issue_date,
                        due_date: invoice.due_date,
                        days_overdue: invoice.days_overdue,
                        bucket: invoice.bucket,
                        balance: invoice.balance,
                    })
                    .collect(),
            })
            .collect(),
        given_up: totals,
        given_up_invoices,
    }))
}

/// `GET /api/reports/receipts`.
pub async fn receipts<S: Store>(State(app): AppState<S>) -> Result<Json<ReceiptsView>, WebError> {
    let today = (app.clock)().date_naive();
    let (receipts, customers) = service::receipts(&app.store, &app.policy, today, HORIZON_DAYS).await?;
    Ok(Json(ReceiptsView {
        from: today,
        to: today + chrono::Days::new(u64::from(HORIZON_DAYS)),
        expected: receipts
            .expected
            .into_iter()
            .map(|item| {
                let (source, source_id, instalment) = match item.source {
                    Source::Promise { answer } => ("promise", answer.0, None),
                    Source::Instalment { plan, number } => ("instalment", plan.0, Some(number)),
                };
                ExpectedView {
                    day: item.day,
                    customer: customer_ref(&customers, &item.customer_id),
                    currency: item.currency,
                    amount: item.amount,
                    source: source.to_owned(),
                    source_id,
                    instalment,
                    invoices: item.invoices.into_iter().map(|id| id.0).collect(),
                }
            })
            .collect(),
        totals: receipts
            .totals
            .into_iter()
            .map(|(currency, amount)| CurrencyAmount { currency, amount })
            .collect(),
    }))
}
