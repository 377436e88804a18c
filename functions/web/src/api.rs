//! The JSON API's handlers: thin adapters from HTTP to the core's services. The shapes are documented in
//! this crate's README.

use crate::access::Approver;
use crate::error::WebError;
use crate::{App, AppState};
use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use kindly_core::{CustomerId, Invoice, Reminder, ReminderId, ReminderStatus, Store};
use kindly_core::{limits, service};

use crate::wire::{
    ApprovalView, ApproveAllBody, ApproveBody, Approved, ApprovedSet, CheckBody, Checked, CustomerDetail,
    CustomerHistory, CustomerRef, DraftDetail, DraftList, DraftSummary, Ingested, InvoiceBody, InvoiceLine,
    InvoiceRecord, ReminderBrief, ReminderRecord, ServerRender, Session, SkipBody, SnoozeBody, Snoozed, StaleDraft,
    StatusChange, Step,
};
use kindly_render::MessageContext;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};

type Answer<T> = Result<Json<T>, WebError>;

/// Parse a JSON body, naming the field at fault: `{"error": "...", "field": "until"}`.
pub(crate) fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, WebError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(field_error)
}

/// A body that does not fit its shape, as a 400 naming the field at fault.
fn field_error(error: serde_path_to_error::Error<serde_json::Error>) -> WebError {
    let path = error.path().to_string();
    let message = error.inner().to_string();
    let field = if path != "." {
        Some(path)
    } else {
        // "missing field `content_hash` at line 1 column 2" names the field only in its text.
        message
            .split('`')
            .nth(1)
            .filter(|_| message.starts_with("missing field"))
            .map(str::to_owned)
    };
    WebError::BadRequest {
        message: match &field {
            Some(field) => format!("field `{field}`: {message}"),
            None => format!("the body is not valid JSON for this request: {message}"),
        },
        field,
    }
}

fn reminder_id(id: String) -> ReminderId {
    ReminderId(id)
}

async fn load<S: Store>(app: &App<S>, id: &ReminderId) -> Result<Reminder, WebError> {
    app.store.reminder(id).await?.ok_or_else(|| WebError::NotFound {
        what: "reminder",
        id: id.0.clone(),
    })
}

fn context_of(reminder: &Reminder) -> Result<&MessageContext, WebError> {
    reminder
        .draft
        .as_ref()
        .map(|draft| &draft.context)
        .ok_or_else(|| WebError::Conflict(format!("reminder {} is a task for staff, not a message", reminder.id)))
}

/// The currencies of a reminder's invoices.
fn currencies(reminder: &Reminder, invoices: &HashMap<&kindly_core::InvoiceId, &Invoice>) -> BTreeSet<String> {
    reminder
        .covers
        .iter()
        .filter_map(|covered| invoices.get(&covered.invoice_id))
        .map(|invoice| invoice.currency.code().to_owned())
        .collect()
}

/// The subject line a draft renders to.
fn subject_of(context: &MessageContext) -> Result<String, WebError> {
    Ok(kindly_render::render_parts(context)
        .map_err(kindly_core::CoreError::from)?
        .subject)
}

/// One draft as the list shows it, with the subject it renders to.
fn summary(
    reminder: &Reminder,
    subject: &str,
    invoices: &HashMap<&kindly_core::InvoiceId, &Invoice>,
) -> Result<DraftSummary, WebError> {
    let context = context_of(reminder)?;
    let lines = context
        .invoices
        .iter()
        .map(|line| InvoiceLine {
            number: line.number.clone(),
            total: line.total.clone(),
            balance: line.balance.clone(),
            due_date: line.due_date.clone(),
            days_overdue: line.days_overdue,
        })
        .collect();
    Ok(DraftSummary {
        id: reminder.id.0.clone(),
        status: reminder.status,
        stage_id: reminder.stage_id.clone(),
        tone: reminder.tone,
        planned_for: reminder.planned_for,
        created_at: reminder.created_at,
        customer: CustomerRef {
            id: reminder.customer_id.0.clone(),
            name: context.customer.display_name.clone(),
        },
        subject: subject.to_owned(),
        content_hash: reminder.draft.as_ref().map(|draft| draft.content_hash.clone()),
        to: context.to.clone(),
        cc: context.cc.clone(),
        totals: context.totals.clone(),
        currencies: currencies(reminder, invoices),
        max_days_overdue: context.max_days_overdue,
        invoices: lines,
    })
}

pub async fn session(Extension(approver): Extension<Approver>) -> Json<Session> {
    Json(Session { approver: approver.0 })
}

#[derive(Deserialize)]
pub struct DraftFilter {
    stage: Option<String>,
    customer: Option<String>,
    currency: Option<String>,
}

/// Drafts waiting for approval, filtered; plus the values the filters can take.
pub async fn drafts<S: Store>(State(app): AppState<S>, Query(filter): Query<DraftFilter>) -> Answer<DraftList> {
    let pending: Vec<Reminder> = app
        .store
        .reminders_with_status(ReminderStatus::PendingApproval)
        .await?
        .into_iter()
        .filter(|reminder| reminder.draft.is_some())
        .collect();
    let ids: Vec<_> = pending.iter().flat_map(Reminder::invoice_ids).collect();
    let invoices = app.store.invoices(&ids).await?;
    let by_id: HashMap<_, _> = invoices.iter().map(|invoice| (&invoice.id, invoice)).collect();
    // What the filters can take, from every pending draft; then only the drafts shown are rendered.
    let mut stages = BTreeSet::new();
    let mut all_currencies = BTreeSet::new();
    let mut names = BTreeMap::new();
    for reminder in &pending {
        stages.insert(reminder.stage_id.clone());
        all_currencies.extend(currencies(reminder, &by_id));
        let name = &context_of(reminder)?.customer.display_name;
        names.insert(reminder.customer_id.0.clone(), name.clone());
    }
    let mut customers: Vec<(String, String)> = names.into_iter().collect();
    customers.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let customers = customers
        .into_iter()
        .map(|(id, name)| CustomerRef { id, name })
        .collect();
    let mut shown = Vec::new();
    for reminder in &pending {
        let wanted = filter.stage.as_ref().is_none_or(|stage| reminder.stage_id == *stage)
            && filter.customer.as_ref().is_none_or(|id| reminder.customer_id.0 == *id)
            && filter
                .currency
                .as_ref()
                .is_none_or(|code| currencies(reminder, &by_id).contains(code));
        if wanted {
            let subject = subject_of(context_of(reminder)?)?;
            shown.push(summary(reminder, &subject, &by_id)?);
        }
    }
    Ok(Json(DraftList {
        drafts: shown,
        stages,
        currencies: all_currencies,
        customers,
    }))
}

/// One reminder: the list entry, its render context, the server's own render and hash, and history.
pub async fn draft<S: Store>(State(app): AppState<S>, Path(id): Path<String>) -> Answer<DraftDetail> {
    let reminder = load(&app, &reminder_id(id)).await?;
    let context = context_of(&reminder)?;
    let rendered = kindly_render::render(context).map_err(kindly_core::CoreError::from)?;
    let invoices = app.store.invoices(&reminder.invoice_ids()).await?;
    let by_id: HashMap<_, _> = invoices.iter().map(|invoice| (&invoice.id, invoice)).collect();
    let mut earlier = app.store.reminders_of_customer(&reminder.customer_id).await?;
    earlier.retain(|other| other.id != reminder.id);
    earlier.sort_by(|a, b| b.planned_for.cmp(&a.planned_for).then(b.created_at.cmp(&a.created_at)));
    Ok(Json(DraftDetail {
        draft: summary(&reminder, &rendered.subject, &by_id)?,
        context: context.clone(),
        content_hash: rendered.content_hash,
        server_render: ServerRender {
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
        },
        earlier: earlier.iter().map(brief).collect(),
        history: steps(&reminder),
    }))
}

/// An earlier reminder in one line: stage, outcome, when, and the last reason recorded.
fn brief(reminder: &Reminder) -> ReminderBrief {
    ReminderBrief {
        id: reminder.id.0.clone(),
        stage_id: reminder.stage_id.clone(),
        status: reminder.status,
        planned_for: reminder.planned_for,
        sent_on: reminder.sent_on,
        note: reminder
            .history
            .iter()
            .rev()
            .find_map(|step| step.note.clone())
            .or(reminder.failure.clone()),
    }
}

fn steps(reminder: &Reminder) -> Vec<Step> {
    reminder
        .history
        .iter()
        .map(|step| Step {
            reminder_id: reminder.id.0.clone(),
            at: step.at,
            by: step.by.to_string(),
            from: step.from,
            to: step.to,
            note: step.note.clone(),
        })
        .collect()
}

/// The server's native render hash of a draft with a typed note. Changes nothing.
pub async fn check<S: Store>(State(app): AppState<S>, Path(id): Path<String>, bytes: Bytes) -> Answer<Checked> {
    let request: CheckBody = body(&bytes)?;
    limits::check_personal_note(&id, request.personal_note.as_deref())?;
    let reminder = load(&app, &reminder_id(id)).await?;
    let mut context = context_of(&reminder)?.clone();
    context.personal_note = kindly_render::personal_note(request.personal_note);
    let rendered = kindly_render::render(&context).map_err(kindly_core::CoreError::from)?;
    Ok(Json(Checked {
        content_hash: rendered.content_hash,
    }))
}

/// Approve exactly what the browser rendered: the server re-renders and accepts only an equal hash.
pub async fn approve<S: Store>(
    State(app): AppState<S>,
    Extension(approver): Extension<Approver>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Answer<Approved> {
    let request: ApproveBody = body(&bytes)?;
    limits::check_personal_note(&id, request.personal_note.as_deref())?;
    let id = reminder_id(id);
    // Whatever the browser sent for the note, the server stores it the way it renders it.
    let typed = Some(request.personal_note.unwrap_or_default());
    let approved = service::approve(
        &app.store,
        &id,
        &approver.0,
        &request.content_hash,
        typed,
        (app.clock)(),
    )
    .await?;
    tracing::info!(reminder_id = %id, approver = %approver.0, "approved");
    Ok(Json(Approved {
        id: approved.id.0,
        status: approved.status,
        approved_by: approver.0,
        content_hash: approved.approval.map(|a| a.content_hash),
    }))
}

pub async fn skip<S: Store>(
    State(app): AppState<S>,
    Extension(approver): Extension<Approver>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Answer<StatusChange> {
    let request: SkipBody = body(&bytes)?;
    limits::check_reason(&id, request.reason.as_deref())?;
    let skipped = service::skip(
        &app.store,
        &app.policy,
        &reminder_id(id),
        &approver.0,
        request.reason,
        (app.clock)(),
    )
    .await?;
    Ok(Json(StatusChange {
        id: skipped.id.0,
        status: skipped.status,
    }))
}

pub async fn snooze<S: Store>(
    State(app): AppState<S>,
    Extension(approver): Extension<Approver>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Answer<Snoozed> {
    let request: SnoozeBody = body(&bytes)?;
    limits::check_reason(&id, request.reason.as_deref())?;
    let snoozed = service::snooze(
        &app.store,
        &app.policy,
        &reminder_id(id),
        &approver.0,
        request.until,
        request.reason,
        (app.clock)(),
    )
    .await?;
    Ok(Json(Snoozed {
        id: snoozed.id.0,
        status: snoozed.status,
        until: request.until,
    }))
}

/// Approve a set of drafts, each bound to the hash the browser rendered. Every hash is checked first;
/// if any is stale, nothing is approved.
pub async fn approve_all<S: Store>(
    State(app): AppState<S>,
    Extension(approver): Extension<Approver>,
    bytes: Bytes,
) -> Answer<ApprovedSet> {
    let request: ApproveAllBody = body(&bytes)?;
    if request.items.is_empty() {
        return Err(WebError::BadRequest {
            field: Some("items".into()),
            message: "field `items`: name at least one draft".into(),
        });
    }
    let items: Vec<(ReminderId, String)> = request
        .items
        .into_iter()
        .map(|item| (reminder_id(item.id), item.content_hash))
        .collect();
    let approved = match service::approve_all(&app.store, &items, &approver.0, (app.clock)()).await? {
        Ok(approved) => approved,
        Err(refused) => {
            let stale = refused
                .iter()
                .map(|(id, why)| {
                    json!(StaleDraft {
                        id: id.0.clone(),
                        reason: why.to_string(),
                    })
                })
                .collect();
            return Err(WebError::StaleSet(stale));
        }
    };
    tracing::info!(count = approved.len(), approver = %approver.0, "approved a set");
    Ok(Json(ApprovedSet {
        approved: approved.into_iter().map(|id| id.0).collect(),
    }))
}

/// A customer's audit trail: the customer, their invoices, and every reminder with its history.
pub async fn customer_history<S: Store>(State(app): AppState<S>, Path(id): Path<String>) -> Answer<CustomerHistory> {
    let id = CustomerId(id);
    let customer = app.store.customer(&id).await?.ok_or_else(|| WebError::NotFound {
        what: "customer",
        id: id.0.clone(),
    })?;
    let invoices = app.store.invoices_of_customer(&id).await?;
    let mut reminders = app.store.reminders_of_customer(&id).await?;
    reminders.sort_by_key(|reminder| reminder.created_at);
    let reminders = reminders
        .iter()
        .map(|reminder| ReminderRecord {
            brief: brief(reminder),
            approval: reminder.approval.as_ref().map(|approval| ApprovalView {
                by: approval.by.to_string(),
                at: approval.at,
                content_hash: approval.content_hash.clone(),
            }),
            history: steps(reminder),
        })
        .collect();
    let invoices = invoices
        .iter()
        .map(|invoice| InvoiceRecord {
            id: invoice.id.0.clone(),
            number: invoice.number.clone(),
            currency: invoice.currency.code().to_owned(),
            total: invoice.total,
            paid: invoice.paid,
            balance: invoice.balance(),
            due_date: invoice.due_date,
            status: invoice.status,
            last_stage: invoice.dunning.last_stage.clone(),
            snoozed_until: invoice.dunning.snoozed_until,
        })
        .collect();
    Ok(Json(CustomerHistory {
        customer: CustomerDetail {
            id: customer.id.0,
            name: customer.display_name,
            locale: customer.locale,
            time_zone: customer.time_zone.name().to_owned(),
        },
        invoices,
        reminders,
    }))
}

/// `PUT /api/invoices/{id}`: create or update an invoice from the accounting system. A change to what a
/// waiting reminder shows voids it (see `service::ingest_invoice`).
pub async fn put_invoice<S: Store>(State(app): AppState<S>, Path(id): Path<String>, bytes: Bytes) -> Answer<Ingested> {
    let request: InvoiceBody = body(&bytes)?;
    let invoice = Invoice {
        id: kindly_core::InvoiceId(id),
        number: request.number,
        customer_id: CustomerId(request.customer_id),
        currency: request.currency,
        total: request.total,
        paid: request.paid,
        issue_date: request.issue_date,
        due_date: request.due_date,
        status: request.status,
        payment_link: request.payment_link,
        po_number: request.po_number,
        late_fee: request.late_fee,
        early_payment: request.early_payment,
        dunning: Default::default(),
        payment_reference: request.payment_reference,
        processor_payments: request.processor_payments,
        bookkeeping: Default::default(),
    };
    if app.store.customer(&invoice.customer_id).await?.is_none() {
        return Err(WebError::BadRequest {
            field: Some("customer_id".into()),
            message: format!(
                "field `customer_id`: no customer `{}`; PUT the customer first",
                invoice.customer_id
            ),
        });
    }
    let voided = service::ingest_invoice(&app.store, &app.policy, &invoice, (app.clock)()).await?;
    Ok(ingested(invoice.id.0, voided))
}

/// `PUT /api/customers/{id}`: create or update a customer (the body is a customer as kindly stores it; its
/// id, if given, must be the path's).
pub async fn put_customer<S: Store>(State(app): AppState<S>, Path(id): Path<String>, bytes: Bytes) -> Answer<Ingested> {
    let Value::Object(mut raw) = body(&bytes)? else {
        return Err(WebError::BadRequest {
            field: None,
            message: "the body must be a JSON object (a customer)".into(),
        });
    };
    match raw.get("id") {
        None => {
            raw.insert("id".into(), json!(id));
        }
        Some(given) if given == &json!(id) => {}
        Some(_) => {
            return Err(WebError::BadRequest {
                field: Some("id".into()),
                message: format!("field `id`: must be `{id}`, the id in the address, or left out"),
            });
        }
    }
    let customer: kindly_core::Customer = serde_path_to_error::deserialize(Value::Object(raw)).map_err(field_error)?;
    let voided = service::ingest_customer(&app.store, &app.policy, &customer, (app.clock)()).await?;
    Ok(ingested(customer.id.0, voided))
}

/// The answer to a `PUT`: the record's id and the reminders the change voided.
fn ingested(id: String, voided: Vec<ReminderId>) -> Json<Ingested> {
    Json(Ingested {
        id,
        voided: voided.into_iter().map(|id| id.0).collect(),
    })
}
