//! Composing a reminder: from a planned reminder and the facts it covers to a render context, a rendered
//! draft and a [`Reminder`] record. Pure: the date, the customer and the invoices are all passed in.

use crate::actor::Actor;
use crate::answer::Answer;
use crate::customer::{Customer, CustomerId};
use crate::error::CoreError;
use crate::invoice::Invoice;
use crate::money::{Currency, format_date, format_money, format_percent, language_of};
use crate::planner::PlannedReminder;
use crate::policy::{Policy, Stage, ThankYou};
use crate::reminder::{CoveredInvoice, Draft, Reminder, ReminderId};
use crate::status::ReminderStatus;
use crate::tone::{Approval, Tone};
use chrono::{DateTime, NaiveDate, Utc};
use kindly_render::{
    AnswerView, CompanyView, CustomerView, EarlyDiscountView, InvoiceLineView, Mailbox, MessageContext,
    PaymentInstructionsView, SignatureView,
};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The message language for a customer: their locale's language if templates exist in it, else English.
pub fn message_language(locale: &str) -> &'static str {
    let language = language_of(locale);
    kindly_render::LANGUAGES
        .iter()
        .copied()
        .find(|known| *known == language)
        .unwrap_or("en")
}

/// Build the render context of one message. `invoices` are the covered invoices, in any order.
pub fn message_context(
    policy: &Policy,
    stage: &Stage,
    customer: &Customer,
    invoices: &[&Invoice],
    local_date: NaiveDate,
) -> MessageContext {
    let locale = customer.locale.as_str();
    let language = message_language(locale);
    let sender = policy.sender(stage);
    let (sender_name, sender_title) = sender.in_language(language);
    let mut invoices: Vec<&Invoice> = invoices.to_vec();
    invoices.sort_by(|a, b| a.due_date.cmp(&b.due_date).then_with(|| a.number.cmp(&b.number)));
    let lines = invoices
        .iter()
        .map(|invoice| InvoiceLineView {
            number: invoice.number.clone(),
            po_number: invoice.po_number.clone(),
            issue_date: format_date(invoice.issue_date, locale),
            due_date: format_date(invoice.due_date, locale),
            days_overdue: invoice.days_overdue(local_date),
            total: format_money(invoice.total, invoice.currency, locale),
            balance: format_money(invoice.balance(), invoice.currency, locale),
            payment_link: invoice.payment_link.clone(),
            credit: (invoice.overpaid() > Decimal::ZERO)
                .then(|| format_money(invoice.overpaid(), invoice.currency, locale)),
        })
        .collect();
    let balances = sum_by_currency(invoices.iter().map(|invoice| (invoice.currency, invoice.balance())));
    let Deadline { pay_by, next_step_on } = deadline(policy, stage, customer, &invoices, local_date);
    let overdue_totals = overdue_part(&invoices, local_date)
        .iter()
        .map(|(currency, amount)| format_money(*amount, *currency, locale))
        .collect();
    MessageContext {
        template: stage.template.clone().unwrap_or_default(),
        language: language.to_owned(),
        from: Mailbox {
            name: sender_name.to_owned(),
            email: sender.email.clone(),
        },
        reply_to: sender.reply_to.as_ref().map(|email| Mailbox {
            name: sender_name.to_owned(),
            email: email.clone(),
        }),
        to: customer.reachable_contacts().map(mailbox).collect(),
        cc: customer
            .escalation_contact
            .iter()
            .filter(|contact| stage.cc_escalation && !contact.bounced)
            .map(mailbox)
            .collect(),
        company: CompanyView {
            name: policy.company.name.clone(),
            address_lines: policy.company.address_lines.clone(),
            website: policy.company.website.clone(),
        },
        signature: SignatureView {
            name: sender_name.to_owned(),
            title: sender_title.to_owned(),
            email: sender.email.clone(),
            phone: sender.phone.clone(),
        },
        customer: customer_view(stage, customer),
        invoices: lines,
        totals: balances
            .iter()
            .map(|(currency, amount)| format_money(*amount, *currency, locale))
            .collect(),
        overdue_totals,
        max_days_overdue: invoices
            .iter()
            .map(|invoice| invoice.days_overdue(local_date))
            .max()
            .unwrap_or(0),
        payment: {
            let (method, lines) = policy.payment.in_language(language);
            PaymentInstructionsView {
                method: method.to_owned(),
                lines: lines.to_vec(),
            }
        },
        interest: crate::compose_interest::interest_view(policy, stage, customer, &invoices, local_date, pay_by)
            .or_else(|| crate::compose_interest::terms_note(policy, stage, customer, &invoices)),
        early_discount: early_discount(stage, customer, &invoices, local_date),
        personal_note: None,
        date: format_date(local_date, locale),
        answer: None,
        earlier_answers: Vec::new(),
        // Needs the reminder's id: set by `compose_reminder` (see `customer_page`).
        customer_page: None,
        deadline: pay_by.map(|day| format_date(day, locale)),
        next_step_on: next_step_on.map(|day| format_date(day, locale)),
    }
}

/// The customer as the message greets them: the first reachable billing contact, and the escalation
/// contact when the stage copies them, each with the salutation and surname a formal greeting needs.
fn customer_view(stage: &Stage, customer: &Customer) -> CustomerView {
    let contact = customer.reachable_contacts().next();
    let formal = contact.and_then(|contact| contact.formal_name());
    let copied = customer
        .escalation_contact
        .as_ref()
        .filter(|contact| stage.cc_escalation && !contact.bounced)
        .and_then(|contact| contact.formal_name());
    CustomerView {
        display_name: customer.display_name.clone(),
        contact_name: contact.and_then(|contact| contact.name.clone()),
        salutation: formal.map(|(salutation, _)| salutation.key().to_owned()),
        surname: formal.map(|(_, surname)| surname.trim().to_owned()),
        cc_salutation: copied.map(|(salutation, _)| salutation.key().to_owned()),
        cc_surname: copied.map(|(_, surname)| surname.trim().to_owned()),
    }
}

/// A final-tone message's deadline: [`Policy::final_notice_days`] business days in the customer's calendar
/// from the day of the message; and the day of the ladder's next step (its last stage, when that comes
/// later), for the oldest covered invoice, never before the deadline has passed.
fn deadline(
    policy: &Policy,
    stage: &Stage,
    customer: &Customer,
    invoices: &[&Invoice],
    local_date: NaiveDate,
) -> Deadline {
    if stage.tone != Tone::Final || stage.template.is_none() {
        return Deadline::default();
    }
    let calendar = customer.calendar();
    let days = i32::try_from(policy.final_notice_days).unwrap_or(i32::MAX);
    let pay_by = calendar.add_business_days(local_date, days);
    let next_step = policy
        .stages
        .last()
        .filter(|last| last.offset_days > stage.offset_days)
        .zip(invoices.iter().map(|invoice| invoice.due_date).min())
        .map(|(last, oldest_due)| Policy::stage_date(last, oldest_due, calendar).max(calendar.after(pay_by)));
    Deadline {
        pay_by: Some(pay_by),
        next_step_on: next_step,
    }
}

/// A final-tone message's dates ([`MessageContext::deadline`], [`MessageContext::next_step_on`]).
#[derive(Default)]
struct Deadline {
    pay_by: Option<NaiveDate>,
    next_step_on: Option<NaiveDate>,
}

/// The link to `customer`'s own page written into message `reminder` composed at `now`, valid for the
/// policy's `customer_link_days`; none when the deployment gave no [`Policy::customer_links`]. Part of the
/// draft's context, so the approval page shows it and the approved hash covers it.
pub fn customer_page(
    policy: &Policy,
    customer: &CustomerId,
    reminder: &ReminderId,
    now: DateTime<Utc>,
) -> Option<String> {
    let links = policy.customer_links.as_ref()?;
    Some(links.url(customer, reminder, crate::link::expiry(now, policy.customer_link_days)))
}

fn mailbox(contact: &crate::customer::Contact) -> Mailbox {
    Mailbox {
        name: contact.name.clone().unwrap_or_default(),
        email: contact.email.clone(),
    }
}

/// Every sum a message states (balances, fees, discounts: each at most the invoices' totals or payments)
/// must be countable; invoices whose amounts add up past what a decimal holds are this customer's error,
/// never a panic that stops everyone's pass.
fn check_countable(customer: &Customer, invoices: &[&Invoice]) -> Result<(), CoreError> {
    let mut sums: BTreeMap<Currency, (Decimal, Decimal)> = BTreeMap::new();
    for invoice in invoices {
        let (total, paid) = sums.entry(invoice.currency).or_default();
        let counted = total
            .checked_add(invoice.total)
            .zip(paid.checked_add(invoice.paid))
            .ok_or_else(|| CoreError::InvalidField {
                record: "customer",
                id: customer.id.0.clone(),
                field: "invoices",
                problem: format!(
                    "their {} amounts add up to more than can be counted (invoice {} and the ones before it)",
                    invoice.currency, invoice.number
                ),
            })?;
        (*total, *paid) = counted;
    }
    Ok(())
}

/// The overdue part of what `invoices` owe on `local_date`, per currency — only when they also owe something
/// not yet due (a conversation's message with an "also due" part); empty when all are of one kind.
fn overdue_part(invoices: &[&Invoice], local_date: NaiveDate) -> BTreeMap<Currency, Decimal> {
    let owing = || invoices.iter().filter(|invoice| invoice.balance() > Decimal::ZERO);
    if !owing().any(|invoice| invoice.days_overdue(local_date) <= 0) {
        return BTreeMap::new();
    }
    sum_by_currency(
        owing()
            .filter(|invoice| invoice.days_overdue(local_date) > 0)
            .map(|invoice| (invoice.currency, invoice.balance())),
    )
}

fn sum_by_currency(amounts: impl Iterator<Item = (Currency, Decimal)>) -> BTreeMap<Currency, Decimal> {
    let mut sums = BTreeMap::new();
    for (currency, amount) in amounts {
        *sums.entry(currency).or_insert(Decimal::ZERO) += amount;
    }
    sums
}

/// Amounts in several currencies, joined as the message's totals are ("$10.00 and €5.00").
fn join_amounts(sums: &BTreeMap<Currency, Decimal>, locale: &str) -> String {
    let amounts: Vec<String> = sums
        .iter()
        .map(|(currency, amount)| format_money(*amount, *currency, locale))
        .collect();
    let texts: Vec<&str> = amounts.iter().map(String::as_str).collect();
    kindly_render::and_list(message_language(locale), &texts)
}

/// The early-payment discount ([`crate::discount`]), offered only in courteous messages and only while it
/// is open on every covered invoice at one percentage, so the amount it names is exactly what settles them
/// by the earliest deadline; after it, the full balance.
fn early_discount(
    stage: &Stage,
    customer: &Customer,
    invoices: &[&Invoice],
    local_date: NaiveDate,
) -> Option<EarlyDiscountView> {
    if stage.tone != Tone::Courteous || invoices.is_empty() {
        return None;
    }
    let calendar = customer.calendar();
    let offers = invoices
        .iter()
        .map(|invoice| Some((*invoice, crate::discount::open_offer(invoice, calendar, local_date)?)))
        .collect::<Option<Vec<_>>>()?;
    let percent = offers.first()?.1.percent;
    if offers.iter().any(|(_, offer)| offer.percent != percent) {
        return None;
    }
    let pay_by = offers.iter().map(|(_, offer)| offer.deadline).min()?;
    let discounted = sum_by_currency(
        offers
            .iter()
            .map(|(invoice, offer)| (invoice.currency, offer.discounted - invoice.paid)),
    );
    let full = sum_by_currency(invoices.iter().map(|invoice| (invoice.currency, invoice.balance())));
    Some(EarlyDiscountView {
        percent: format_percent(percent, &customer.locale),
        pay_by: format_date(pay_by, &customer.locale),
        discounted_amount: join_amounts(&discounted, &customer.locale),
        full_amount: Some(join_amounts(&full, &customer.locale)),
    })
}

/// Turn a planned reminder into a reminder record: render its message (if the stage has one) and set
/// its first status from the stage's approval rule.
/// The customer's `answers` since the last message about the invoices are referred to.
pub fn draft_reminder(
    policy: &Policy,
    planned: &PlannedReminder,
    customer: &Customer,
    invoices: &[&Invoice],
    answers: &[Answer],
    now: DateTime<Utc>,
) -> Result<Reminder, CoreError> {
    let said = Said {
        earlier: crate::compose_answers::earlier_answers(answers, invoices, &customer.locale),
        ..Said::default()
    };
    let reminder = compose_reminder(
        policy,
        &policy.stages[planned.stage_index],
        customer,
        invoices,
        planned.covers.clone(),
        planned.local_date,
        now,
        said,
    )?;
    debug_assert_eq!(
        reminder.id, planned.id,
        "the planner keys a plan as compose_reminder does"
    );
    Ok(reminder)
}

/// The thank-you for `invoices`, all paid in full: one message, keyed by customer and invoice set like a
/// planned reminder, so the same thanks is queued once however often it is asked for.
pub fn thank_you_reminder(
    policy: &Policy,
    thank_you: &ThankYou,
    customer: &Customer,
    invoices: &[&Invoice],
    now: DateTime<Utc>,
) -> Result<Reminder, CoreError> {
    let stage = thank_you.as_stage();
    let covers = covered_at(&stage, invoices);
    let local_date = now.with_timezone(&customer.time_zone).date_naive();
    compose_reminder(
        policy,
        &stage,
        customer,
        invoices,
        covers,
        local_date,
        now,
        Said::default(),
    )
}

/// `invoices`, each covered at `stage` (a message off the ladder: a thank-you, an acknowledgement).
pub(crate) fn covered_at(stage: &Stage, invoices: &[&Invoice]) -> Vec<CoveredInvoice> {
    invoices
        .iter()
        .map(|invoice| CoveredInvoice {
            invoice_id: invoice.id.clone(),
            stage_id: stage.id.clone(),
            tone: stage.tone,
        })
        .collect()
}

/// The signed address replies to message `reminder` go to, when the deployment receives replies
/// ([`Policy::reply_domain`]) and signs links.
pub fn reply_address(policy: &Policy, reminder: &ReminderId) -> Option<String> {
    let domain = policy.reply_domain.as_deref()?;
    let keys = policy.customer_links.as_ref()?.keys();
    Some(format!(
        "{}@{domain}",
        crate::feedback::reply_local_part(keys, reminder)
    ))
}

/// What a message says about the customer's answers, and the id it takes when it answers one.
#[derive(Debug, Default)]
pub(crate) struct Said {
    /// The answer an acknowledgement or a promise's eve note is about.
    pub(crate) answer: Option<AnswerView>,
    /// Answers a ladder message refers to.
    pub(crate) earlier: Vec<AnswerView>,
    /// The reminder's id, when it is keyed by an answer rather than by its stage and invoices.
    pub(crate) id: Option<ReminderId>,
}

/// A reminder at `stage` covering `covers` (sorted here), keyed by customer, stage and invoice set (or as
/// `said` names it), with its draft rendered, and approved at once where the stage allows.
#[allow(clippy::too_many_arguments)]
pub(crate) fn compose_reminder(
    policy: &Policy,
    stage: &Stage,
    customer: &Customer,
    invoices: &[&Invoice],
    mut covers: Vec<CoveredInvoice>,
    local_date: NaiveDate,
    now: DateTime<Utc>,
    said: Said,
) -> Result<Reminder, CoreError> {
    covers.sort_by(|a, b| a.invoice_id.cmp(&b.invoice_id));
    let ids: Vec<_> = covers.iter().map(|covered| covered.invoice_id.clone()).collect();
    let id = said
        .id
        .unwrap_or_else(|| ReminderId::for_plan(&customer.id, &stage.id, &ids));
    check_countable(customer, invoices)?;
    let draft = match &stage.template {
        Some(_) => {
            let mut context = MessageContext {
                customer_page: customer_page(policy, &customer.id, &id, now),
                answer: said.answer,
                earlier_answers: said.earlier,
                ..message_context(policy, stage, customer, invoices, local_date)
            };
            if let Some(address) = reply_address(policy, &id) {
                context.reply_to = Some(Mailbox {
                    name: context.from.name.clone(),
                    email: address,
                });
            }
            let rendered = kindly_render::render(&context)?;
            Some(Draft {
                context,
                content_hash: rendered.content_hash,
            })
        }
        None => None,
    };
    let mut reminder = Reminder {
        id,
        customer_id: customer.id.clone(),
        stage_id: stage.id.clone(),
        tone: stage.tone,
        covers,
        status: ReminderStatus::Planned,
        planned_for: local_date,
        created_at: now,
        draft,
        task: stage.task.clone(),
        approval: None,
        sent_message_id: None,
        sent_on: None,
        failure: None,
        history: Vec::new(),
    };
    // A task always waits for a person; a message waits when the stage says so.
    let first = if stage.approval == Approval::Auto && reminder.draft.is_some() && stage.task.is_none() {
        ReminderStatus::Approved
    } else {
        ReminderStatus::PendingApproval
    };
    reminder.transition(first, now, &Actor::System, None)?;
    if first == ReminderStatus::Approved
        && let Some(draft) = &reminder.draft
    {
        reminder.approval = Some(crate::reminder::ApprovalRecord {
            by: Actor::System,
            at: now,
            content_hash: draft.content_hash.clone(),
        });
    }
    Ok(reminder)
}

#[cfg(test)]
#[path = "compose_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "compose_letters_tests.rs"]
mod letters_tests;
