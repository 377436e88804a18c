//! The answers part of the customer page, as plain data for the template: the five forms (each with its
//! one-time value and the tag binding it to the link), what happens next after an answer, and the
//! customer's earlier answers with where each stands. Pure: the page's handlers gather the inputs.

use super::answer_form::{AnswerFields, Field, KINDS};
use super::answer_words::{AnswerWords, fill};
use chrono::{Days, NaiveDate};
use kindly_core::answer::{Answer, AnswerKind, AnswerState, DisputeCategory};
use kindly_core::link::LinkKeys;
use kindly_core::money::format_date;
use kindly_core::{Invoice, InvoiceId, Policy, limits};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One answer form.
#[derive(Debug, Serialize)]
pub struct FormView {
    pub kind: &'static str,
    pub title: &'static str,
    /// Shown open: the form the customer sent with a problem.
    pub open: bool,
    pub form: String,
    pub tag: String,
    pub fields: Vec<FieldView>,
}

/// One field: an `<input>` of `input` type, a `textarea`, a `select`, or the `invoices` checkboxes.
#[derive(Debug, Serialize)]
pub struct FieldView {
    /// The element's id, unique on the page.
    pub id: String,
    pub name: &'static str,
    pub label: String,
    pub input: &'static str,
    pub value: String,
    pub min: Option<String>,
    pub max: Option<String>,
    pub maxlength: Option<usize>,
    pub required: bool,
    pub inputmode: Option<&'static str>,
    pub autocomplete: Option<&'static str>,
    pub options: Vec<Choice>,
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// A form the customer sent that has a problem: what they typed, and the field to blame.
#[derive(Debug, Clone)]
pub struct Failed {
    pub fields: AnswerFields,
    pub field: Field,
}

/// What the forms are made from.
pub struct FormsInput<'a> {
    pub policy: &'a Policy,
    pub words: &'static AnswerWords,
    pub locale: &'a str,
    /// The invoices still owed, in the statement's order.
    pub owed: &'a [&'a Invoice],
    /// The invoices ticked to start with: those of the message the link came in.
    pub ticked: &'a BTreeSet<InvoiceId>,
    pub today: NaiveDate,
    pub token: &'a str,
    pub keys: &'a LinkKeys,
    pub failed: Option<&'a Failed>,
}

/// The five forms, or only "wrong person" when nothing is owed. Each gets a fresh one-time value.
pub fn forms(input: &FormsInput) -> Vec<FormView> {
    let words = input.words;
    let titles = [
        words.paid_title,
        words.dispute_title,
        words.promise_title,
        words.wrong_person_title,
        words.receipt_title,
    ];
    KINDS
        .iter()
        .zip(titles)
        .filter(|(kind, _)| !input.owed.is_empty() || **kind == "wrong_person")
        .map(|(&kind, title)| {
            let failed = input.failed.filter(|failed| failed.fields.kind == kind);
            let form = crate::access::random_token();
            FormView {
                kind,
                title,
                open: failed.is_some(),
                tag: input.keys.form_tag(input.token, &form),
                form,
                fields: fields_of(input, kind, failed),
            }
        })
        .collect()
}

fn fields_of(input: &FormsInput, kind: &'static str, failed: Option<&Failed>) -> Vec<FieldView> {
    let words = input.words;
    let (today, locale) = (input.today, input.locale);
    let iso = |day: NaiveDate| day.format("%Y-%m-%d").to_string();
    let latest = today + Days::new(u64::from(input.policy.answers.promise_limit_days));
    let field = |name: &'static str, label: &'static str, html: &'static str| {
        let typed = failed.map(|failed| typed(&failed.fields, name).to_owned());
        FieldView {
            id: format!("{kind}-{name}"),
            name,
            label: label.to_owned(),
            input: html,
            value: typed.unwrap_or_default(),
            min: None,
            max: None,
            maxlength: None,
            required: true,
            inputmode: None,
            autocomplete: None,
            options: Vec::new(),
            error: failed
                .filter(|failed| failed.field == name)
                .map(|_| problem(input, name)),
        }
    };
    let ahead = |name, label, required| FieldView {
        min: Some(iso(today)),
        max: Some(iso(latest)),
        required,
        ..field(name, label, "date")
    };
    let optional = |name, label, html| FieldView {
        required: false,
        ..field(name, label, html)
    };
    let invoices = || {
        let ticked: Vec<&str> = match failed {
            Some(failed) => failed.fields.invoice.iter().map(|id| id.trim()).collect(),
            None => input.ticked.iter().map(|id| id.0.as_str()).collect(),
        };
        FieldView {
            options: input
                .owed
                .iter()
                .map(|invoice| Choice {
                    value: invoice.id.0.clone(),
                    label: format!(
                        "{} · {}",
                        invoice.number,
                        kindly_core::money::format_money(invoice.balance(), invoice.currency, locale)
                    ),
                    checked: ticked.contains(&invoice.id.0.as_str()),
                })
                .collect(),
            ..field("invoices", words.which_invoices, "invoices")
        }
    };
    match kind {
        "already_paid" => {
            let mut paid_on = FieldView {
                min: Some(iso(today - Days::new(366))),
                max: Some(iso(today)),
                ..field("paid_on", words.paid_on, "date")
            };
            if failed.is_none() {
                paid_on.value = iso(today);
            }
            vec![
                invoices(),
                paid_on,
                FieldView {
                    inputmode: Some("decimal"),
                    maxlength: Some(limits::NUMBER),
                    ..optional("amount", words.amount, "text")
                },
                FieldView {
                    maxlength: Some(limits::NUMBER),
                    ..optional("reference", words.reference, "text")
                },
            ]
        }
        "dispute" => vec![
            invoices(),
            FieldView {
                options: DisputeCategory::ALL
                    .iter()
                    .zip(words.categories)
                    .map(|(category, label)| Choice {
                        value: category.as_str().to_owned(),
                        label: label.to_owned(),
                        checked: failed.is_some_and(|failed| failed.fields.category == category.as_str()),
                    })
                    .collect(),
                ..field("category", words.category, "select")
            },
            FieldView {
                maxlength: Some(limits::ANSWER_TEXT),
                ..field("text", words.text, "textarea")
            },
        ],
        "promise" => vec![invoices(), ahead("pay_by", words.pay_by, true)],
        "wrong_person" => vec![
            FieldView {
                maxlength: Some(limits::NAME),
                autocomplete: Some("off"),
                ..optional("name", words.name, "text")
            },
            FieldView {
                autocomplete: Some("off"),
                ..field("email", words.email, "email")
            },
        ],
        _ => vec![invoices(), ahead("scheduled_for", words.scheduled_for, false)],
    }
}

/// What the customer typed into field `name`.
fn typed<'a>(fields: &'a AnswerFields, name: &str) -> &'a str {
    match name {
        "paid_on" => &fields.paid_on,
        "amount" => &fields.amount,
        "reference" => &fields.reference,
        "category" => &fields.category,
        "text" => &fields.text,
        "pay_by" => &fields.pay_by,
        "name" => &fields.name,
        "email" => &fields.email,
        "scheduled_for" => &fields.scheduled_for,
        _ => "",
    }
}

/// What to tell the customer about field `name`, in their language.
fn problem(input: &FormsInput, name: &str) -> String {
    let problems = &input.words.problems;
    let most = |text: &str, n: usize| fill(text, &[("n", &n.to_string())]);
    match name {
        "invoices" => problems.invoices.to_owned(),
        "paid_on" => problems.paid_on.to_owned(),
        "amount" => problems.amount.to_owned(),
        "reference" => most(problems.reference, limits::NUMBER),
        "category" => problems.category.to_owned(),
        "text" => most(problems.text, limits::ANSWER_TEXT),
        "name" => most(problems.name, limits::NAME),
        "email" => problems.email.to_owned(),
        _ => {
            let latest = input.today + Days::new(u64::from(input.policy.answers.promise_limit_days));
            fill(
                problems.day,
                &[
                    ("from", &format_date(input.today, input.locale)),
                    ("to", &format_date(latest, input.locale)),
                ],
            )
        }
    }
}

/// The banner after an answer: thanks, and what happens next.
#[derive(Debug, Serialize)]
pub struct Confirmation {
    pub title: &'static str,
    pub next: String,
    pub note: &'static str,
}

/// The numbers of `ids`, by `numbers` (an id without a number is left out).
fn numbers_of(ids: &[InvoiceId], numbers: &BTreeMap<&InvoiceId, &str>) -> Vec<String> {
    ids.iter()
        .filter_map(|id| numbers.get(id).map(|number| (*number).to_owned()))
        .collect()
}

fn number_map(invoices: &[Invoice]) -> BTreeMap<&InvoiceId, &str> {
    invoices
        .iter()
        .map(|invoice| (&invoice.id, invoice.number.as_str()))
        .collect()
}

pub fn confirmation(words: &'static AnswerWords, answer: &Answer, invoices: &[Invoice], locale: &str) -> Confirmation {
    let about = words.invoices(&numbers_of(&answer.invoices, &number_map(invoices)));
    let until = answer
        .hold_until
        .map(|day| format_date(day, locale))
        .unwrap_or_default();
    let next = &words.next;
    let text = match &answer.kind {
        AnswerKind::AlreadyPaid { .. } => next.paid,
        AnswerKind::Dispute { .. } => next.dispute,
        AnswerKind::Promise { .. } => next.promise,
        AnswerKind::WrongPerson { .. } => next.wrong_person,
        AnswerKind::ConfirmReceipt { scheduled_for: Some(_) } => next.receipt_scheduled,
        AnswerKind::ConfirmReceipt { scheduled_for: None } => next.receipt,
        // Not given on the page; a person reads a reply as they read a question.
        AnswerKind::Reply { .. } => next.dispute,
        AnswerKind::AutoReply { .. } | AnswerKind::Complaint { .. } => "",
    };
    let email = match &answer.kind {
        AnswerKind::WrongPerson { email, .. } => email.as_str(),
        _ => "",
    };
    Confirmation {
        title: words.thanks,
        next: fill(text, &[("invoices", &about), ("until", &until), ("email", email)]),
        note: words.confirmation_sent,
    }
}

/// One earlier answer: when, what, about which invoices, the details given, and where it stands.
#[derive(Debug, Serialize)]
pub struct EarlierRow {
    pub date: String,
    pub what: &'static str,
    pub about: String,
    /// Words of ours around what the customer gave (a date, a category).
    pub detail: String,
    /// What the customer typed, shown as they typed it (escaped by the template).
    pub said: String,
    pub stands: String,
}

/// The customer's answers, newest first.
pub fn earlier(words: &'static AnswerWords, answers: &[Answer], invoices: &[Invoice], locale: &str) -> Vec<EarlierRow> {
    let numbers = number_map(invoices);
    // What they wrote by email is in their mailbox already; the page lists what they answered here.
    let mut answers: Vec<&Answer> = answers.iter().filter(|answer| !answer.kind.is_email()).collect();
    answers.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    let said = &words.said;
    let on = |text: &str, day: NaiveDate| fill(text, &[("day", &format_date(day, locale))]);
    answers
        .into_iter()
        .map(|answer| {
            let index = KINDS.iter().position(|kind| *kind == answer.kind.name()).unwrap_or(0);
            let (detail, typed) = match &answer.kind {
                AnswerKind::AlreadyPaid { paid_on, reference, .. } => {
                    (on(said.paid_on, *paid_on), reference.clone().unwrap_or_default())
                }
                AnswerKind::Dispute { category, text } => {
                    let index = DisputeCategory::ALL.iter().position(|c| c == category).unwrap_or(4);
                    (words.categories[index].to_owned(), text.clone())
                }
                AnswerKind::Promise { pay_by } => (on(said.pay_by, *pay_by), String::new()),
                AnswerKind::WrongPerson { name, email } => (
                    String::new(),
                    match name {
                        Some(name) => format!("{name} <{email}>"),
                        None => email.clone(),
                    },
                ),
                AnswerKind::ConfirmReceipt { scheduled_for } => (
                    scheduled_for.map(|day| on(said.scheduled_for, day)).unwrap_or_default(),
                    String::new(),
                ),
                // Left out above.
                AnswerKind::Reply { .. } | AnswerKind::AutoReply { .. } | AnswerKind::Complaint { .. } => {
                    (String::new(), String::new())
                }
            };
            let stands = match (answer.state, answer.hold_until) {
                (AnswerState::Open, Some(until)) => on(said.open_until, until),
                (AnswerState::Open, None) => said.open_with_staff.to_owned(),
                (AnswerState::Kept, _) => said.kept.to_owned(),
                (AnswerState::Broken, _) => said.broken.to_owned(),
                (AnswerState::Confirmed, _) => said.confirmed.to_owned(),
                (AnswerState::Rejected, _) => match answer.settled.as_ref().and_then(|s| s.note.as_deref()) {
                    Some(reason) => format!("{}: {reason}", said.rejected),
                    None => said.rejected.to_owned(),
                },
            };
            let about = numbers_of(&answer.invoices, &numbers);
            EarlierRow {
                date: format_date(answer.local_date, locale),
                what: words.kinds[index],
                about: if about.is_empty() {
                    String::new()
                } else {
                    words.invoices(&about)
                },
                detail,
                said: typed,
                stands,
            }
        })
        .collect()
}

#[cfg(test)]
#[path = "answers_view_tests.rs"]
mod tests;
