//! The staff side of customers' answers: the tasks inbox and doing a task, a customer's timeline, and the
//! reasons report (JSON and its chart). Thin: `kindly_core::service` reads and acts, the pure read models
//! shape, this module maps them to the wire shapes in [`crate::wire`].

use crate::AppState;
use crate::access::Approver;
use crate::api::body;
use crate::error::WebError;
use crate::wire::{
    CustomerRef, MonthView, PromisesView, ReasonsView, TaskBody, TaskDoneView, TaskList, TaskView, Timeline,
    TimelineEntry,
};
use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kindly_core::reasons::ReasonsReport;
use kindly_core::tasks::{Task, TaskAction};
use kindly_core::timeline::Entry;
use kindly_core::{Customer, CustomerId, Store, limits, service};
use serde::Deserialize;

pub fn task_view(task: Task) -> TaskView {
    TaskView {
        id: task.id,
        kind: task.kind.as_str().to_owned(),
        topic: task.topic,
        customer: CustomerRef {
            id: task.customer_id.0,
            name: task.customer_name,
        },
        invoices: task.invoices,
        text: task.text,
        since: task.since,
        actions: task.actions.iter().map(|action| action.as_str().to_owned()).collect(),
        done: task.done.map(|done| TaskDoneView {
            by: done.by.to_string(),
            at: done.at,
            outcome: done.outcome,
            note: done.note,
        }),
    }
}

/// `GET /api/tasks`.
pub async fn tasks<S: Store>(State(app): AppState<S>) -> Result<Json<TaskList>, WebError> {
    let inbox = service::open_tasks(&app.store, &app.policy, (app.clock)()).await?;
    Ok(Json(TaskList {
        open: inbox.open.into_iter().map(task_view).collect(),
        done: inbox.done.into_iter().map(task_view).collect(),
    }))
}

/// `POST /api/tasks/{id}`: do a task under the signed-in person.
pub async fn do_task<S: Store>(
    State(app): AppState<S>,
    Extension(approver): Extension<Approver>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<TaskView>, WebError> {
    let request: TaskBody = body(&bytes)?;
    let decision: TaskAction = request.decision.parse().map_err(|problem| WebError::BadRequest {
        field: Some("decision".into()),
        message: format!("field `decision`: {problem}"),
    })?;
    limits::check_reason(&id, request.reason.as_deref())?;
    let task = service::do_task(
        &app.store,
        &app.policy,
        &id,
        decision,
        request.reason,
        request.email,
        request.until,
        &approver.0,
        (app.clock)(),
    )
    .await?;
    tracing::info!(task = %id, %decision, approver = %approver.0, "task done");
    Ok(Json(task_view(task)))
}

fn entry_view(entry: Entry) -> TimelineEntry {
    TimelineEntry {
        at: entry.at,
        kind: entry.kind.as_str().to_owned(),
        title: entry.title,
        text: entry.text,
        state: entry.state,
        by: entry.by.map(|by| by.to_string()),
        invoices: entry.invoices,
        id: entry.id,
    }
}

/// `GET /api/customers/{id}/timeline`.
pub async fn timeline<S: Store>(State(app): AppState<S>, Path(id): Path<String>) -> Result<Json<Timeline>, WebError> {
    let (customer, entries) = service::customer_timeline(&app.store, &CustomerId(id)).await?;
    Ok(Json(Timeline {
        customer: CustomerRef {
            id: customer.id.0,
            name: customer.display_name,
        },
        entries: entries.into_iter().map(entry_view).collect(),
    }))
}

#[derive(Deserialize)]
pub struct Period {
    pub(crate) months: Option<String>,
}

/// The months asked for, or why not (naming the parameter).
pub fn months(asked: Option<&str>) -> Result<u32, WebError> {
    let problem = |problem: String| WebError::BadRequest {
        field: Some("months".into()),
        message: format!("field `months`: {problem}"),
    };
    let asked = match asked {
        None => None,
        Some(text) => Some(
            text.trim()
                .parse::<u32>()
                .map_err(|_| problem(format!("`{text}` is not a number of months")))?,
        ),
    };
    kindly_core::reasons::months(asked).map_err(problem)
}

pub fn reasons_view(report: ReasonsReport, customers: &[Customer]) -> ReasonsView {
    let name = |id: &CustomerId| {
        customers
            .iter()
            .find(|customer| customer.id == *id)
            .map_or(id.0.clone(), |customer| customer.display_name.clone())
    };
    ReasonsView {
        months: report
            .months
            .into_iter()
            .map(|month| MonthView {
                month: month.month,
                already_paid: month.already_paid,
                disputes: month
                    .disputes
                    .into_iter()
                    .map(|(category, count)| (category.as_str().to_owned(), count))
                    .collect(),
                promise: month.promise,
                wrong_person: month.wrong_person,
                confirm_receipt: month.confirm_receipt,
                promises_kept: month.promises_kept,
                promises_broken: month.promises_broken,
                first_answers: month.first_answers,
                median_days_to_first_answer: month.median_days_to_first_answer,
            })
            .collect(),
        customers: report
            .customers
            .into_iter()
            .map(|promises| PromisesView {
                customer: CustomerRef {
                    name: name(&promises.customer_id),
                    id: promises.customer_id.0,
                },
                kept: promises.kept,
                broken: promises.broken,
                open: promises.open,
            })
            .collect(),
    }
}

async fn report<S: Store>(app: &crate::App<S>, period: &Period) -> Result<ReasonsView, WebError> {
    let months = months(period.months.as_deref())?;
    let today = (app.clock)().date_naive();
    let (report, customers) = service::reasons(&app.store, today, months).await?;
    Ok(reasons_view(report, &customers))
}

/// `GET /api/reports/reasons?months=N`.
pub async fn reasons<S: Store>(
    State(app): AppState<S>,
    Query(period): Query<Period>,
) -> Result<Json<ReasonsView>, WebError> {
    Ok(Json(report(&app, &period).await?))
}

/// `GET /api/reports/reasons.svg?months=N`: the same report as a chart.
pub async fn reasons_chart<S: Store>(
    State(app): AppState<S>,
    Query(period): Query<Period>,
) -> Result<Response, WebError> {
    let view = report(&app, &period).await?;
    let svg = crate::reasons_chart::svg(&view).map_err(WebError::Internal)?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")], svg).into_response())
}
