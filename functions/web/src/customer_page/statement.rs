//! What the customer page shows, as plain formatted strings: a pure function of the policy, the customer,
//! their invoices and reminders, and the customer's day. The template only lays it out.

use super::words::Words;
use chrono::NaiveDate;
use kindly_core::compose::message_language;
use kindly_core::money::{format_date, format_money};
use kindly_core::policy::SenderIdentity;
use kindly_core::{Currency, Customer, Invoice, InvoiceStatus, Policy, Reminder, ReminderStatus};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// Whom the customer may ask: the company, and the sender of the ladder's first message (the billing
/// team in the shipped policy), whose replies go where that message's replies go.
#[derive(Debug, Serialize)]
pub struct ContactView {
    pub company: String,
    pub name: String,
    pub title: String,
    pub email: String,
    pub phone: Option<String>,
    /// `tel:` and the phone's digits and `+` only.
    pub phone_href: Option<String>,
}

impl ContactView {
    pub fn of(policy: &Policy) -> ContactView {
        let sender: &SenderIdentity = policy.sender(&policy.stages[0]);
        ContactView {
            company: policy.company.name.clone(),
            name: sender.name.clone(),
            title: sender.title.clone(),
            email: sender.reply_to.clone().unwrap_or_else(|| sender.email.clone()),
            phone: sender.phone.clone(),
            phone_href: sender.phone.as_ref().map(|phone| {
                let dialled: String = phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
                format!("tel:{dialled}")
            }),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct InvoiceRow {
    pub number: String,
    pub issue_date: String,
    pub due_date: String,
    pub due_status: String,
    pub overdue: bool,
    pub total: String,
    pub balance: String,
    /// Only a web address (`https://`, `http://`): anything else is not offered as a link.
    pub payment_link: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct MessageRow {
    pub date: String,
    pub subject: String,
}

/// The whole page for one customer.
#[derive(Debug, Serialize)]
pub struct Statement {
    pub words: &'static Words,
    pub contact: ContactView,
    pub customer: String,
    pub as_of: String,
    pub invoices: Vec<InvoiceRow>,
    pub has_invoices: bool,
    /// Balance due per currency, e.g. `["$1,234.56", "980,00 €"]`.
    pub totals: Vec<String>,
    pub payment_method: String,
    pub payment_lines: Vec<String>,
    /// Newest first.
    pub messages: Vec<MessageRow>,
    pub has_messages: bool,
}

/// Whether the customer still owes something on `invoice`: open, disputed, paid by a payment still
/// clearing or on a plan, with a balance left. Paid, void and written-off invoices are no longer theirs
/// to settle.
fn is_owed(invoice: &Invoice) -> bool {
    !matches!(
        invoice.status,
        InvoiceStatus::Paid | InvoiceStatus::Void | InvoiceStatus::WrittenOff
    ) && invoice.balance() > Decimal::ZERO
}

/// The statement of `customer` on their local day `today`. `invoices` and `reminders` are the customer's
/// own (any order); what is not theirs to see (settled invoices, drafts, tasks) is left out here.
pub fn statement(
    policy: &Policy,
    customer: &Customer,
    invoices: &[Invoice],
    reminders: &[Reminder],
    today: NaiveDate,
) -> Statement {
    let locale = customer.locale.as_str();
    let language = message_language(locale);
    let words = Words::of(language);
    let mut owed: Vec<&Invoice> = invoices.iter().filter(|invoice| is_owed(invoice)).collect();
    owed.sort_by(|a, b| a.due_date.cmp(&b.due_date).then_with(|| a.number.cmp(&b.number)));
    let mut balances: BTreeMap<Currency, Decimal> = BTreeMap::new();
    for invoice in &owed {
        *balances.entry(invoice.currency).or_default() += invoice.balance();
    }
    let rows: Vec<InvoiceRow> = owed
        .iter()
        .map(|invoice| InvoiceRow {
            number: invoice.number.clone(),
            issue_date: format_date(invoice.issue_date, locale),
            due_date: format_date(invoice.due_date, locale),
            due_status: words.due_status(invoice.days_overdue(today)),
            overdue: invoice.days_overdue(today) > 0,
            total: format_money(invoice.total, invoice.currency, locale),
            balance: format_money(invoice.balance(), invoice.currency, locale),
            payment_link: invoice
                .payment_link
                .clone()
                .filter(|link| link.starts_with("https://") || link.starts_with("http://")),
        })
        .collect();
    let mut sent: Vec<(NaiveDate, &Reminder)> = reminders
        .iter()
        .filter(|reminder| reminder.status == ReminderStatus::Sent)
        .filter_map(|reminder| Some((reminder.sent_on?, reminder)))
        .collect();
    sent.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    let messages: Vec<MessageRow> = sent
        .into_iter()
        .filter_map(|(date, reminder)| {
            // What the customer read in their inbox: the subject the message was sent with.
            let subject = kindly_render::render_parts(&reminder.draft.as_ref()?.context)
                .ok()?
                .subject;
            Some(MessageRow {
                date: format_date(date, locale),
                subject,
            })
        })
        .collect();
    let (method, lines) = policy.payment.in_language(language);
    Statement {
        words,
        contact: ContactView::of(policy),
        customer: customer.display_name.clone(),
        as_of: format_date(today, locale),
        has_invoices: !rows.is_empty(),
        invoices: rows,
        totals: balances
            .iter()
            .map(|(currency, amount)| format_money(*amount, *currency, locale))
            .collect(),
        payment_method: method.to_owned(),
        payment_lines: lines.to_vec(),
        has_messages: !messages.is_empty(),
        messages,
    }
}
