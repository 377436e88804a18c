//! `POST /c/{token}/answer`: one of the page's answer forms. In order: the link must open the page (else
//! the same 404 as the page's, whatever the reason); the browser must say it was sent from the page itself
//! (`Sec-Fetch-Site`, `Origin`: else 403); the body must be a form of at most
//! [`super::MAX_BODY_BYTES`] (else 413, or 400); the form's one-time value must carry the tag that binds
//! it to this link (else 403). Then the core records the answer — once per one-time value, so a double
//! submit records once — and the browser is sent back to the page (303), which confirms it. A field with a
//! problem shows the page again with the form open and the field marked (422, nothing recorded); too many
//! answers in a day is a polite 429. The refusals show only the billing contact. The payment plan form
//! posts here too and becomes a plan ([`plan`]) the same way.

use super::answer_form::{self, AnswerFields, MAX_FORM_CHARS};
use super::answers_view::Failed;
use super::{Opened, Words, closed_page, open_or_refuse, refused, show, unavailable};
use crate::App;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use axum_extra::extract::FormRejection;
use kindly_core::service::{AnswerForm, PlanMaker, make_plan, record_answer};
use kindly_core::{CoreError, Store};
use std::sync::Arc;

pub async fn answer<S: Store + 'static>(
    State(app): State<Arc<App<S>>>,
    token: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Form<AnswerFields>, FormRejection>,
) -> Response {
    let now = (app.clock)();
    let opened = match open_or_refuse(&app, token, now).await {
        Ok(opened) => opened,
        Err(refusal) => return refusal,
    };
    if let Some(why) = crate::access::cross_site(&headers) {
        return refuse(&app, &opened, StatusCode::FORBIDDEN, why);
    }
    let fields = match body {
        Ok(Form(fields)) => fields,
        Err(rejection) => {
            let status = match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::BAD_REQUEST,
            };
            return refuse(&app, &opened, status, &rejection.body_text());
        }
    };
    let keys = app.customer_links.as_ref().expect("open() found the keys");
    let genuine = !fields.form.is_empty()
        && fields.form.len() <= MAX_FORM_CHARS
        && keys.verify_form_tag(&opened.token, &fields.form, &fields.tag);
    if !genuine {
        return refuse(
            &app,
            &opened,
            StatusCode::FORBIDDEN,
            "the form's one-time value is missing or not this page's",
        );
    }
    let fix = |field| {
        let failed = Failed {
            fields: fields.clone(),
            field,
        };
        show(&app, &opened, StatusCode::UNPROCESSABLE_ENTITY, Some(&failed), None)
    };
    if fields.kind == super::plan_form::KIND {
        return plan(&app, &opened, &fields, now).await.unwrap_or_else(fix);
    }
    let (invoices, kind) = match answer_form::read(&fields, opened.language()) {
        Ok(read) => read,
        Err("kind") => return refuse(&app, &opened, StatusCode::BAD_REQUEST, "no such answer"),
        Err(field) => return fix(field),
    };
    let form = AnswerForm {
        invoices,
        form: format!("{}:{}", kind.name(), fields.form),
        kind,
    };
    match record_answer(&app.store, &app.policy, &opened.customer.id, &opened.via, form, now).await {
        Ok(answered) => {
            let answer = answered.answer();
            tracing::info!(answer = %answer.id, customer = %opened.customer.id, kind = answer.kind.name(), "customer answered");
            let back = format!("/c/{}?answered={}", opened.token, answer.id);
            (StatusCode::SEE_OTHER, [(header::LOCATION, back)]).into_response()
        }
        Err(CoreError::InvalidField { field, problem, .. }) => {
            tracing::info!(field, problem = %problem, "customer answer has a problem");
            fix(field)
        }
        Err(CoreError::TooMany(why)) => {
            tracing::warn!(customer = %opened.customer.id, why = %why, "customer answers refused");
            closed_page(&app, StatusCode::TOO_MANY_REQUESTS, opened.words(), |words| {
                (words.answers.too_many_title, words.answers.too_many_body)
            })
        }
        Err(CoreError::NotFound { what, id }) => refused(&app, &super::Closed::UnknownCustomer(format!("{what} {id}"))),
        Err(error) => unavailable(&app, &error.to_string()),
    }
}

/// The payment plan form: agreed at once within the policy's limits, otherwise a task for staff; either
/// way the browser goes back to the page, which says which. A field with a problem is named (`Err`).
async fn plan<S: Store>(
    app: &App<S>,
    opened: &Opened,
    fields: &AnswerFields,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Response, answer_form::Field> {
    let (invoices, terms) = super::plan_form::read(fields)?;
    let customer = &opened.customer.id;
    match make_plan(
        &app.store,
        &app.policy,
        customer,
        &invoices,
        &terms,
        PlanMaker::Customer,
        now,
    )
    .await
    {
        Ok(made) => {
            tracing::info!(plan = %made.plan.id, customer = %customer, state = made.plan.state.as_str(), "customer asked for a payment plan");
            let back = format!("/c/{}?plan={}", opened.token, made.plan.id);
            Ok((StatusCode::SEE_OTHER, [(header::LOCATION, back)]).into_response())
        }
        Err(CoreError::InvalidField { field, problem, .. }) => {
            tracing::info!(field, problem = %problem, "customer plan has a problem");
            Err(match field {
                "first" | "every" | "instalments" => field,
                _ => "invoices",
            })
        }
        Err(CoreError::NotFound { what, id }) => {
            Ok(refused(app, &super::Closed::UnknownCustomer(format!("{what} {id}"))))
        }
        Err(error) => Ok(unavailable(app, &error.to_string())),
    }
}

/// A post refused for `why` (logged): the billing contact, in the customer's language, and nothing else.
fn refuse<S>(app: &App<S>, opened: &Opened, status: StatusCode, why: &str) -> Response {
    tracing::warn!(customer = %opened.customer.id, status = status.as_u16(), why, "customer answer refused");
    closed_page(app, status, opened.words(), |words: &'static Words| {
        (words.answers.refused_title, words.answers.refused_body)
    })
}
