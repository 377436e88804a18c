//! The payment plan on the customer page, as plain data for the template: the form asking for one (which
//! invoices, how many instalments, how often, the first date), the banner after it, and the customer's
//! plans with their instalments. Pure: the page's handlers gather the inputs and the core decides.

use super::answer_form::{AnswerFields, Field};
use super::answer_words::fill;
use super::answers_view::{Choice, Confirmation, FieldView, FormView, FormsInput};
use super::plan_words::PlanWords;
use chrono::{Days, NaiveDate};
use kindly_core::instalments::{Frequency, PaymentPlan, PlanState, PlanTerms};
use kindly_core::money::{format_date, format_money};
use kindly_core::{Invoice, InvoiceId};
use serde::Serialize;

/// The form's kind, posted with the answers' forms.
pub const KIND: &str = "payment_plan";

/// The most instalments the form offers: beyond the policy's own limit, so a customer may still ask.
const MOST_OFFERED: u32 = 24;

const FREQUENCIES: [Frequency; 3] = [Frequency::Weekly, Frequency::Fortnightly, Frequency::Monthly];

/// The form asking for a plan over the owed invoices not already on one; `None` when there are none.
pub fn form(input: &FormsInput, words: &'static PlanWords) -> Option<FormView> {
    let open: Vec<&&Invoice> = input.owed.iter().filter(|invoice| !invoice.on_running_plan()).collect();
    if open.is_empty() {
        return None;
    }
    let failed = input.failed.filter(|failed| failed.fields.kind == KIND);
    let typed = |name: &str| failed.map_or_else(String::new, |failed| typed(&failed.fields, name).to_owned());
    let rules = &input.policy.payment_plans;
    let iso = |day: NaiveDate| day.format("%Y-%m-%d").to_string();
    let latest = input.today + Days::new(u64::from(rules.first_within_days));
    let problems = &words.problems;
    let field = |name: &'static str, label: &str, html: &'static str, problem: String| FieldView {
        id: format!("{KIND}-{name}"),
        name,
        label: label.to_owned(),
        input: html,
        value: typed(name),
        min: None,
        max: None,
        maxlength: None,
        required: true,
        inputmode: None,
        autocomplete: None,
        options: Vec::new(),
        error: failed.filter(|failed| failed.field == name).map(|_| problem),
    };
    let ticked: Vec<String> = match failed {
        Some(failed) => failed.fields.invoice.iter().map(|id| id.trim().to_owned()).collect(),
        None => input.ticked.iter().map(|id| id.0.clone()).collect(),
    };
    let invoices = FieldView {
        options: open
            .iter()
            .map(|invoice| Choice {
                value: invoice.id.0.clone(),
                label: format!(
                    "{} · {}",
                    invoice.number,
                    format_money(invoice.balance(), invoice.currency, input.locale)
                ),
                checked: ticked.contains(&invoice.id.0),
            })
            .collect(),
        ..field(
            "invoices",
            input.words.which_invoices,
            "invoices",
            problems.invoices.to_owned(),
        )
    };
    let chosen = typed("instalments");
    let instalments = FieldView {
        options: (2..=MOST_OFFERED.max(rules.max_instalments))
            .map(|count| Choice {
                value: count.to_string(),
                label: count.to_string(),
                checked: chosen == count.to_string(),
            })
            .collect(),
        label: fill(words.instalments, &[("n", &rules.max_instalments.to_string())]),
        ..field("instalments", "", "select", problems.instalments.to_owned())
    };
    let every_typed = typed("every");
    let every = FieldView {
        options: FREQUENCIES
            .iter()
            .zip(words.frequencies)
            .map(|(frequency, label)| Choice {
                value: frequency.as_str().to_owned(),
                label: label.to_owned(),
                checked: every_typed == frequency.as_str(),
            })
            .collect(),
        ..field("every", words.every, "select", problems.every.to_owned())
    };
    let mut first = FieldView {
        min: Some(iso(input.today)),
        max: Some(iso(latest)),
        ..field(
            "first",
            words.first,
            "date",
            fill(
                problems.first,
                &[
                    ("from", &format_date(input.today, input.locale)),
                    ("to", &format_date(latest, input.locale)),
                ],
            ),
        )
    };
    if failed.is_none() {
        first.value = String::new();
    }
    let form = crate::access::random_token();
    Some(FormView {
        kind: KIND,
        title: words.title,
        open: failed.is_some(),
        tag: input.keys.form_tag(input.token, &form),
        form,
        fields: vec![invoices, instalments, every, first],
    })
}

/// What the customer typed into the plan's field `name`.
fn typed<'a>(fields: &'a AnswerFields, name: &str) -> &'a str {
    match name {
        "instalments" => &fields.instalments,
        "every" => &fields.every,
        "first" => &fields.first,
        _ => "",
    }
}

/// The invoices and terms the form says, or the field that does not read.
pub fn read(fields: &AnswerFields) -> Result<(Vec<InvoiceId>, PlanTerms), Field> {
    let invoices: Vec<InvoiceId> = fields
        .invoice
        .iter()
        .map(|id| InvoiceId(id.trim().to_owned()))
        .collect();
    if invoices.is_empty() {
        return Err("invoices");
    }
    let count = fields.instalments.trim().parse::<u32>().map_err(|_| "instalments")?;
    let frequency = fields.every.trim().parse::<Frequency>().map_err(|_| "every")?;
    let first = NaiveDate::parse_from_str(fields.first.trim(), "%Y-%m-%d").map_err(|_| "first")?;
    Ok((
        invoices,
        PlanTerms {
            count,
            frequency,
            first,
        },
    ))
}

/// One of the customer's plans, for the page.
#[derive(Debug, Serialize)]
pub struct PlanView {
    pub state: &'static str,
    pub invoices: Vec<String>,
    pub rows: Vec<InstalmentRow>,
}

#[derive(Debug, Serialize)]
pub struct InstalmentRow {
    pub number: usize,
    pub due: String,
    pub amount: String,
    pub paid: String,
}

/// The customer's plans that run or wait for staff, and those that ended in the last 90 days, newest first.
pub fn plans(
    plans: &[PaymentPlan],
    invoices: &[Invoice],
    words: &'static PlanWords,
    locale: &str,
    today: NaiveDate,
) -> Vec<PlanView> {
    let mut shown: Vec<PlanView> = plans
        .iter()
        .filter(|plan| {
            let recent = plan.made_at.date_naive() + Days::new(90) >= today;
            matches!(plan.state, PlanState::Active | PlanState::Requested) || recent
        })
        .map(|plan| {
            let of_plan: Vec<&Invoice> = invoices
                .iter()
                .filter(|invoice| plan.invoices.contains(&invoice.id))
                .collect();
            let paid = plan.paid_towards(of_plan.iter().copied());
            let states = &words.states;
            PlanView {
                state: match plan.state {
                    PlanState::Requested => states.requested,
                    PlanState::Active => states.active,
                    PlanState::Completed => states.completed,
                    PlanState::Broken => states.broken,
                    PlanState::Cancelled => states.cancelled,
                },
                invoices: of_plan.iter().map(|invoice| invoice.number.clone()).collect(),
                rows: plan
                    .instalments
                    .iter()
                    .zip(paid)
                    .enumerate()
                    .map(|(index, (instalment, paid))| InstalmentRow {
                        number: index + 1,
                        due: format_date(instalment.due, locale),
                        amount: format_money(instalment.amount, plan.currency, locale),
                        paid: format_money(paid, plan.currency, locale),
                    })
                    .collect(),
            }
        })
        .collect();
    shown.reverse();
    shown
}

/// The banner after the customer asked for `plan`: agreed, or with staff.
pub fn confirmation(plan: &PaymentPlan, words: &'static PlanWords, locale: &str) -> Confirmation {
    let first = plan.instalments.first();
    let values = [
        ("count", plan.instalments.len().to_string()),
        (
            "amount",
            first.map_or_else(String::new, |first| format_money(first.amount, plan.currency, locale)),
        ),
        (
            "day",
            first.map_or_else(String::new, |first| format_date(first.due, locale)),
        ),
    ];
    let values: Vec<(&str, &str)> = values.iter().map(|(name, value)| (*name, value.as_str())).collect();
    let (title, next) = if plan.state == PlanState::Requested {
        (words.requested_title, words.requested_next)
    } else {
        (words.agreed_title, words.agreed_next)
    };
    Confirmation {
        title,
        next: fill(next, &values),
        note: "",
    }
}
