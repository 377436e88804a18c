//! Payment plans, made and kept. Staff make one (agreed at once, also as the ladder's last step); a
//! customer asks for one on their own page (agreed at once within the policy's limits, otherwise a task
//! for staff, who agree or decline it). While a plan runs its invoices are off the ladder; the daily pass
//! ([`keep_plans`]) sends the note before each instalment and one reminder after a missed one, and breaks
//! the plan — its invoices back on the ladder where they stood — once an instalment stays unpaid the
//! policy's days. Payments count towards instalments through the invoices they pay, however they arrive.
//!
//! Every write is safe to repeat: plans and notes have ids from what they are made of, and a crash between
//! storing a plan and moving its invoices is mended by the next pass, which puts them on it.

use super::invoices::{Rewrite, rewrite_invoice};
use super::last_step::mark_decided;
use super::plans::latest_sending_day;
use super::reads::load;
use crate::actor::Actor;
use crate::calendar::{Calendar, sending_day};
use crate::compose_plans::{PlanNote, plan_note, plan_request_task};
use crate::customer::{Customer, CustomerId};
use crate::error::CoreError;
use crate::instalments::{
    PaymentPlan, PlanId, PlanLink, PlanState, PlanStep, PlanTerms, not_in_arrears, outside_limits, review, schedule,
};
use crate::invoice::{Invoice, InvoiceId, InvoiceStatus};
use crate::policy::Policy;
use crate::ports::{Inserted, Store};
use crate::reminder::{Reminder, ReminderId};
use crate::status::ReminderStatus;
use chrono::{DateTime, Days, NaiveDate, Utc};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// Who asks for a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanMaker {
    /// A person on the staff, by name: agreed as asked. With `task`, the ladder's last-step decision it
    /// carries out.
    Staff { name: String, task: Option<ReminderId> },
    /// The customer, on their own page: agreed within the policy's limits, otherwise a task for staff.
    Customer,
}

/// A plan as made: agreed (`Active`) or waiting for staff (`Requested`, with the task asking them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MadePlan {
    pub plan: PaymentPlan,
    /// Why a customer's request went to staff.
    pub outside_limits: Option<String>,
    pub task: Option<ReminderId>,
}

/// Make a plan for `customer_id` over `invoices` (their open balances, in one currency) on `terms`. Staff
/// may name none: then the invoices still owed of the last-step task they decide, or else all the
/// customer owes (in one currency; several are refused, naming `invoices`).
/// Refused, naming the field and changing nothing: an unknown customer or invoice, one of another
/// customer, not owed, in another currency, waiting for a payment, held for review or already on a plan
/// (or asked for in one); a first date that has passed; a schedule that cannot be made. The same request
/// again on the same customer-local day returns the plan it made.
pub async fn make_plan<S: Store>(
    store: &S,
    policy: &Policy,
    customer_id: &CustomerId,
    invoices: &[InvoiceId],
    terms: &PlanTerms,
    maker: PlanMaker,
    now: DateTime<Utc>,
) -> Result<MadePlan, CoreError> {
    let customer = store.customer(customer_id).await?.ok_or_else(|| CoreError::NotFound {
        what: "customer",
        id: customer_id.0.clone(),
    })?;
    let today = now.with_timezone(&customer.time_zone).date_naive();
    let invoices = match (&maker, invoices) {
        (PlanMaker::Staff { task: Some(task), .. }, []) => still_owed(store, task).await?,
        (PlanMaker::Staff { task: None, .. }, []) => all_owed(store, customer_id).await?,
        _ => invoices.to_vec(),
    };
    let invoices = invoices.as_slice();
    let id = plan_id(customer_id, invoices, terms, today);
    if let Some(made) = store.plan(&id).await? {
        if made.state == PlanState::Active {
            put_on_plan(store, policy, &made, today, now).await?;
        }
        return Ok(MadePlan {
            task: (made.state == PlanState::Requested).then(|| crate::compose_plans::plan_request_id(&made)),
            plan: made,
            outside_limits: None,
        });
    }
    let owed = plannable(store, &customer, invoices, &id).await?;
    let invalid = |field: &'static str, problem: String| CoreError::InvalidField {
        record: "payment plan",
        id: id.0.clone(),
        field,
        problem,
    };
    if terms.first < today {
        return Err(invalid("first", format!("{} has passed", terms.first)));
    }
    let currency = owed[0].currency;
    let total: Decimal = owed.iter().map(|invoice| invoice.balance()).sum();
    let instalments = schedule(total, currency, terms).map_err(|error| match error {
        CoreError::InvalidField { field, problem, .. } => invalid(field, problem),
        other => other,
    })?;
    let outside = match maker {
        PlanMaker::Customer => outside_limits(&policy.payment_plans, currency, &instalments, today)
            .map(|(field, problem)| format!("{field}: {problem}")),
        PlanMaker::Staff { .. } => None,
    };
    let (made_by, task_to_decide) = match &maker {
        PlanMaker::Staff { name, task } => (Actor::person(name), task.clone()),
        PlanMaker::Customer => (Actor::System, None),
    };
    let plan = PaymentPlan {
        id: id.clone(),
        customer_id: customer_id.clone(),
        invoices: owed.iter().map(|invoice| invoice.id.clone()).collect(),
        currency,
        frequency: terms.frequency,
        instalments,
        paid_before: owed.iter().map(|invoice| invoice.paid).sum(),
        state: if outside.is_some() {
            PlanState::Requested
        } else {
            PlanState::Active
        },
        made_by,
        made_at: now,
        asked_by_customer: maker == PlanMaker::Customer,
        next_check: outside.is_none().then_some(today),
        revision: 0,
    };
    if let Some(task) = &task_to_decide {
        check_decision_task(store, policy, task, &plan).await?;
    }
    let refs: Vec<&Invoice> = owed.iter().collect();
    let request = match &outside {
        Some(why) => Some(plan_request_task(policy, &customer, &plan, &refs, why, today, now)?),
        None => None,
    };
    // The task first: a plan asked for is never stored without the task that asks staff about it.
    if let Some(task) = &request {
        store.insert_reminder(task).await?;
    }
    if store.insert_plan(&plan).await? == Inserted::AlreadyExists {
        let stored = store.plan(&id).await?.unwrap_or(plan);
        return Ok(MadePlan {
            task: request.map(|task| task.id),
            plan: stored,
            outside_limits: outside,
        });
    }
    if let (Some(task), PlanMaker::Staff { name, .. }) = (&task_to_decide, &maker) {
        let note = format!("payment plan {}: {}", plan.id, describe(&plan));
        mark_decided(store, task, note, name, now).await?;
    }
    if plan.state == PlanState::Active {
        put_on_plan(store, policy, &plan, today, now).await?;
    }
    Ok(MadePlan {
        plan,
        outside_limits: outside,
        task: request.map(|task| task.id),
    })
}

/// The plan's terms in a few words: `3 monthly instalments from 2027-01-05`.
pub fn describe(plan: &PaymentPlan) -> String {
    format!(
        "{} {} instalments from {}",
        plan.instalments.len(),
        plan.frequency.as_str(),
        plan.instalments
            .first()
            .map_or_else(String::new, |first| first.due.to_string())
    )
}

/// Staff decide a plan the customer asked for outside the limits (its task `task`): agree it as asked, or
/// decline it (`reason`, kept on the task). The same decision again changes nothing.
pub async fn decide_plan_request<S: Store>(
    store: &S,
    policy: &Policy,
    task: &ReminderId,
    agree: bool,
    reason: Option<&str>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Reminder, CoreError> {
    let reminder = load(store, task).await?;
    let id = PlanId(format!(
        "plan_{}",
        task.0.strip_prefix("rem_planreq_").ok_or_else(|| CoreError::NotFound {
            what: "plan request",
            id: task.0.clone(),
        })?
    ));
    let mut plan = store.plan(&id).await?.ok_or_else(|| CoreError::NotFound {
        what: "payment plan",
        id: id.0.clone(),
    })?;
    let customer = store.customer(&plan.customer_id).await?;
    let today = customer
        .as_ref()
        .map_or(now.date_naive(), |c| now.with_timezone(&c.time_zone).date_naive());
    if plan.state == PlanState::Requested {
        let expected = plan.revision;
        plan.state = if agree { PlanState::Active } else { PlanState::Cancelled };
        plan.made_by = Actor::person(by);
        plan.revision += 1;
        if agree {
            plan.next_check = Some(today);
            // Decided after the first instalment's day: the plan starts once the customer has had its note.
            let calendar = customer.as_ref().map_or(Calendar::WEEKDAYS, Customer::calendar);
            let lead = i32::try_from(policy.payment_plans.note_business_days_before).unwrap_or(i32::MAX - 1);
            let earliest = calendar.add_business_days(today, lead.saturating_add(1));
            plan.instalments = not_in_arrears(&plan.instalments, plan.frequency, today, earliest);
        }
        store.replace_plan(&plan, expected).await?;
    }
    if plan.state == PlanState::Active {
        put_on_plan(store, policy, &plan, today, now).await?;
    }
    if reminder.status != ReminderStatus::PendingApproval {
        return Ok(reminder);
    }
    let note = match (agree, reason) {
        (true, _) => format!("plan agreed: {}", describe(&plan)),
        (false, Some(reason)) => format!("plan declined: {reason}"),
        (false, None) => "plan declined".to_owned(),
    };
    mark_decided(store, task, note, by, now).await
}

/// The invoices of the task `task` still owed: those a plan deciding it takes when none are named.
async fn still_owed<S: Store>(store: &S, task: &ReminderId) -> Result<Vec<InvoiceId>, CoreError> {
    let task = load(store, task).await?;
    Ok(store
        .invoices(&task.invoice_ids())
        .await?
        .into_iter()
        .filter(owed_off_plan)
        .map(|invoice| invoice.id)
        .collect())
}

/// Owed, and on no plan: what a plan may take when staff name no invoice.
fn owed_off_plan(invoice: &Invoice) -> bool {
    matches!(invoice.status, InvoiceStatus::Open | InvoiceStatus::Disputed) && !invoice.balance().is_zero()
}

/// Everything `customer` owes that no plan holds: what staff agree a plan over when they name no invoice.
async fn all_owed<S: Store>(store: &S, customer: &CustomerId) -> Result<Vec<InvoiceId>, CoreError> {
    Ok(store
        .invoices_of_customer(customer)
        .await?
        .into_iter()
        .filter(owed_off_plan)
        .map(|invoice| invoice.id)
        .collect())
}

/// The open invoices of `invoices`, checked to be plannable for `customer` (see [`make_plan`]).
async fn plannable<S: Store>(
    store: &S,
    customer: &Customer,
    invoices: &[InvoiceId],
    id: &PlanId,
) -> Result<Vec<Invoice>, CoreError> {
    let invalid = |problem: String| CoreError::InvalidField {
        record: "payment plan",
        id: id.0.clone(),
        field: "invoices",
        problem,
    };
    let wanted: BTreeSet<&InvoiceId> = invoices.iter().collect();
    if wanted.is_empty() {
        return Err(invalid("name at least one invoice".into()));
    }
    if wanted.len() > super::MAX_INVOICES {
        return Err(invalid(format!("at most {} invoices", super::MAX_INVOICES)));
    }
    let ids: Vec<InvoiceId> = wanted.iter().map(|id| (*id).clone()).collect();
    let found = store.invoices(&ids).await?;
    let asked: Vec<PlanId> = store
        .plans_of_customer(&customer.id)
        .await?
        .into_iter()
        .filter(|plan| matches!(plan.state, PlanState::Requested | PlanState::Active))
        .flat_map(|plan| plan.invoices.into_iter().map(move |invoice| (plan.id.clone(), invoice)))
        .filter(|(_, invoice)| wanted.contains(invoice))
        .map(|(plan, _)| plan)
        .collect();
    if let Some(other) = asked.first() {
        return Err(invalid(format!("an invoice named is already in plan {other}")));
    }
    for wanted in &ids {
        let Some(invoice) = found.iter().find(|invoice| invoice.id == *wanted) else {
            return Err(invalid(format!("no invoice {wanted}")));
        };
        let number = &invoice.number;
        if invoice.customer_id != customer.id {
            return Err(invalid(format!("invoice {number} is not {}'s", customer.display_name)));
        }
        if !owed_for_a_plan(invoice) || invoice.on_running_plan() {
            return Err(invalid(format!("invoice {number} is {}", invoice.status.as_str())));
        }
        if invoice.is_held() {
            return Err(invalid(format!("invoice {number} is held for a payment review")));
        }
        if invoice.currency != found[0].currency {
            return Err(invalid(format!(
                "invoice {number} is in {}, not {}: one plan per currency",
                invoice.currency, found[0].currency
            )));
        }
    }
    Ok(found)
}

/// The decision task `task` must be the customer's, still open, and cover the plan's invoices.
async fn check_decision_task<S: Store>(
    store: &S,
    policy: &Policy,
    task: &ReminderId,
    plan: &PaymentPlan,
) -> Result<(), CoreError> {
    let reminder = load(store, task).await?;
    let invalid = |problem: String| CoreError::InvalidField {
        record: "payment plan",
        id: plan.id.0.clone(),
        field: "task",
        problem,
    };
    let deciding = crate::last_step::decision_stage(policy) == Some(reminder.stage_id.as_str());
    if !deciding || reminder.customer_id != plan.customer_id {
        return Err(invalid(format!(
            "{task} is not a last-step decision about this customer"
        )));
    }
    if reminder.status != ReminderStatus::PendingApproval {
        return Err(invalid(format!("{task} is no longer open (it is {})", reminder.status)));
    }
    Ok(())
}

/// `plan_` and a digest of the customer, the invoices, the terms and the customer-local day.
fn plan_id(customer: &CustomerId, invoices: &[InvoiceId], terms: &PlanTerms, today: NaiveDate) -> PlanId {
    let mut sorted: Vec<&str> = invoices.iter().map(|id| id.0.as_str()).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let count = terms.count.to_string();
    let first = terms.first.to_string();
    let day = today.to_string();
    let mut hasher = Sha256::new();
    let fixed = [customer.0.as_str(), &count, terms.frequency.as_str(), &first, &day];
    for part in fixed.into_iter().chain(sorted) {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    PlanId(format!("plan_{}", &hex::encode(hasher.finalize())[..20]))
}

/// Put `plan`'s invoices on it (agreed on `agreed_on`): off the ladder, their waiting messages voided.
/// An invoice paid, decided or on another plan meanwhile is left as it is.
async fn put_on_plan<S: Store>(
    store: &S,
    policy: &Policy,
    plan: &PaymentPlan,
    agreed_on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), CoreError> {
    rewrite_each(store, policy, plan, now, |stored| {
        let on_this = stored.bookkeeping.plan.as_ref().is_some_and(|link| link.id == plan.id);
        if on_this || !owed_for_a_plan(stored) || stored.on_running_plan() {
            return Ok(Rewrite::Keep("not to be put on the plan".into()));
        }
        let mut updated = stored.clone();
        updated.status = InvoiceStatus::OnPaymentPlan;
        updated.bookkeeping.plan = Some(PlanLink {
            id: plan.id.clone(),
            state: PlanState::Active,
            agreed_on,
            missed: None,
        });
        Ok(Rewrite::Write(updated))
    })
    .await
}

/// Rewrite each of `plan`'s invoices still stored as `change` decides ([`rewrite_invoice`]).
async fn rewrite_each<S: Store>(
    store: &S,
    policy: &Policy,
    plan: &PaymentPlan,
    now: DateTime<Utc>,
    change: impl Fn(&Invoice) -> Result<Rewrite<Invoice>, CoreError>,
) -> Result<(), CoreError> {
    for id in &plan.invoices {
        rewrite_invoice(store, policy, id, now, |stored| match stored {
            Some(stored) => change(stored),
            None => Ok(Rewrite::Keep("gone".into())),
        })
        .await?;
    }
    Ok(())
}

/// Owed in a state a plan may take it: open, disputed, or on a plan (one the accounting system set).
fn owed_for_a_plan(invoice: &Invoice) -> bool {
    matches!(
        invoice.status,
        InvoiceStatus::Open | InvoiceStatus::Disputed | InvoiceStatus::OnPaymentPlan
    ) && !invoice.balance().is_zero()
}

/// What the pass did about payment plans.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeptPlans {
    /// Notes before instalments and reminders after missed ones, planned to go out.
    pub notes: Vec<ReminderId>,
    /// Plans that broke: their invoices are back on the ladder.
    pub broken: Vec<PlanId>,
    pub completed: Vec<PlanId>,
    /// Per-plan failures; the rest went on.
    pub errors: Vec<String>,
}

/// The pass's look at every running plan whose day to look has come in its customer's calendar.
pub async fn keep_plans<S: Store>(store: &S, policy: &Policy, now: DateTime<Utc>) -> Result<KeptPlans, CoreError> {
    let mut kept = KeptPlans::default();
    for plan in store.plans_due(latest_sending_day(policy, now)).await? {
        if let Err(error) = keep_plan(store, policy, plan.clone(), now, &mut kept).await {
            kept.errors.push(format!("plan {}: {error}", plan.id));
        }
    }
    Ok(kept)
}

async fn keep_plan<S: Store>(
    store: &S,
    policy: &Policy,
    mut plan: PaymentPlan,
    now: DateTime<Utc>,
    kept: &mut KeptPlans,
) -> Result<(), CoreError> {
    if plan.state != PlanState::Active {
        return Ok(());
    }
    let customer = store
        .customer(&plan.customer_id)
        .await?
        .ok_or_else(|| CoreError::NotFound {
            what: "customer",
            id: plan.customer_id.0.clone(),
        })?;
    let calendar = customer.calendar();
    let today = sending_day(
        calendar,
        customer.time_zone,
        now,
        customer.sending_hours(policy.sending_hours),
    );
    if plan.next_check.is_some_and(|day| day > today) {
        return Ok(());
    }
    let agreed_on = plan.made_at.with_timezone(&customer.time_zone).date_naive();
    // Mends a crash between storing the plan and moving its invoices.
    put_on_plan(store, policy, &plan, agreed_on, now).await?;
    let invoices = store.invoices(&plan.invoices).await?;
    let rules = &policy.payment_plans;
    let (step, next_check) = review(&plan, &invoices, rules, calendar, agreed_on, today);
    let note = match step {
        PlanStep::NoteBefore { index } => Some(PlanNote::Before { index }),
        PlanStep::Missed { index } => next_check.map(|breaks| PlanNote::Missed {
            index,
            breaks_on: breaks - Days::new(1),
        }),
        _ => None,
    };
    if let Some(note) = note
        && let Some(reminder) = plan_note(policy, &customer, &plan, &invoices, note, agreed_on, today, now)?
        && store.insert_reminder(&reminder).await? == Inserted::New
    {
        kept.notes.push(reminder.id);
    }
    let ended = match step {
        PlanStep::Break { index } => {
            let missed = calendar.on_or_after(plan.instalments[index].due);
            end_plan(store, policy, &plan, PlanState::Broken, Some(missed), now).await?;
            kept.broken.push(plan.id.clone());
            Some(PlanState::Broken)
        }
        PlanStep::Complete => {
            end_plan(store, policy, &plan, PlanState::Completed, None, now).await?;
            kept.completed.push(plan.id.clone());
            Some(PlanState::Completed)
        }
        _ => None,
    };
    let expected = plan.revision;
    plan.state = ended.unwrap_or(plan.state);
    plan.next_check = next_check;
    plan.revision += 1;
    store.replace_plan(&plan, expected).await
}

/// End `plan` as `state` on its invoices: a broken plan puts those still on it back on the ladder where
/// they stood (open; `missed` names the instalment), a completed one leaves them as their payments made them.
async fn end_plan<S: Store>(
    store: &S,
    policy: &Policy,
    plan: &PaymentPlan,
    state: PlanState,
    missed: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<(), CoreError> {
    rewrite_each(store, policy, plan, now, |stored| {
        let Some(link) = stored.bookkeeping.plan.as_ref().filter(|link| link.id == plan.id) else {
            return Ok(Rewrite::Keep("on no such plan".into()));
        };
        if link.state == state {
            return Ok(Rewrite::Keep(format!("already {}", state.as_str())));
        }
        let mut updated = stored.clone();
        if updated.status == InvoiceStatus::OnPaymentPlan {
            updated.status = if updated.balance().is_zero() {
                InvoiceStatus::Paid
            } else {
                InvoiceStatus::Open
            };
        }
        updated.bookkeeping.plan = Some(PlanLink {
            state,
            missed,
            ..link.clone()
        });
        Ok(Rewrite::Write(updated))
    })
    .await
}
