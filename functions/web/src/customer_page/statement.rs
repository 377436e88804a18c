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
    /// While an early-payment discount is open on the customer's day: what settles the invoice until its
    /// deadline, e.g. `$980.00`, and the label naming the deadline. After it, only the balance.
    pub discounted: Option<String>,
    pub discounted_label: Option<String>,
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
/// to settle, and a handed-over one is settled with the collections agency, not here.
fn is_owed(invoice: &Invoice) -> bool {
    !matches!(
        invoice.status,
        InvoiceStatus::Paid | InvoiceStatus::Void | InvoiceStatus::WrittenOff | InvoiceStatus::HandedOver
    ) && invoice.balance() > Decimal::ZERO
}

/// The invoices still owed, oldest due first.
pub fn owed(invoices: &[Invoice]) -> Vec<&Invoice> {
    let mut owed: Vec<&Invoice> = invoices.iter().filter(|invoice| is_owed(invoice)).collect();
    owed.sort_by(|a, b| a.due_date.cmp(&b.due_date).then_with(|| a.number.cmp(&b.number)));
    owed
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
    let owed = owed(invoices);
    let mut balances: BTreeMap<Currency, Decimal> = BTreeMap::new();
    for invoice in &owed {
        *balances.entry(invoice.currency).or_default() += invoice.balance();
    }
    let calendar = customer.calendar();
    let rows: Vec<InvoiceRow> = owed
        .iter()
        .map(|invoice| (invoice, kindly_core::discount::open_offer(invoice, calendar, today)))
        .map(|(invoice, offer)| InvoiceRow {
            number: invoice.number.clone(),
            issue_date: format_date(invoice.issue_date, locale),
            due_date: format_date(invoice.due_date, locale),
            due_status: words.due_status(invoice.days_overdue(today)),
            overdue: invoice.days_overdue(today) > 0,
            total: format_money(invoice.total, invoice.currency, locale),
            balance: format_money(invoice.balance(), invoice.currency, locale),
            discounted: offer
                .as_ref()
                .map(|offer| format_money(offer.discounted - invoice.paid, invoice.currency, locale)),
            discounted_label: offer
                .as_ref()
                .map(|offer| words.discounted.replace("{date}", &format_date(offer.deadline, locale))),
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

#[cfg(test)]
mod tests {
    use super::*;
    use kindly_core::fixtures::{customer, day, invoice, reminder};

    #[test]
    fn a_german_customer_reads_their_owed_invoices_in_german_oldest_due_first() {
        let policy = Policy::default_policy();
        let mut kunde = customer("K");
        kunde.locale = "de-DE".into();
        let mut later = invoice("K2", "K", "2026-03-10", None);
        later.currency = Currency::from_code("EUR").unwrap();
        later.total = "1234.56".parse().unwrap();
        later.payment_link = Some("javascript:alert(1)".into());
        let mut paid = invoice("K3", "K", "2026-02-01", None);
        paid.paid = paid.total;
        paid.status = InvoiceStatus::Paid;
        let mut disputed = invoice("K4", "K", "2026-03-20", None);
        disputed.status = InvoiceStatus::Disputed;
        let invoices = [later, paid, invoice("K1", "K", "2026-03-01", None), disputed];
        let page = statement(&policy, &kunde, &invoices, &[], day("2026-03-15"));

        assert_eq!(page.words.lang, "de");
        let numbers: Vec<&str> = page.invoices.iter().map(|row| row.number.as_str()).collect();
        assert_eq!(
            numbers,
            ["INV-K1", "INV-K2", "INV-K4"],
            "settled left out; still owed while disputed"
        );
        assert_eq!(page.invoices[0].due_status, "seit 14 Tagen überfällig");
        assert!(page.invoices[0].overdue && !page.invoices[2].overdue);
        assert_eq!(page.invoices[2].due_status, "in 5 Tagen fällig");
        assert_eq!(page.invoices[1].due_date, "10. März 2026");
        assert_eq!(page.invoices[1].balance, "1.234,56\u{a0}€");
        assert_eq!(page.invoices[0].payment_link.as_deref(), Some("https://pay.example/K1"));
        assert_eq!(page.invoices[1].payment_link, None, "only web addresses become links");
        assert_eq!(page.totals.len(), 2, "one total per currency: {:?}", page.totals);
        assert_eq!(page.payment_method, "Banküberweisung");
        assert!(!page.has_messages && page.has_invoices);
        assert_eq!(page.contact.email, "billing@northwind.example");
        assert_eq!(page.contact.phone_href.as_deref(), Some("tel:+441174960000"));
    }

    #[test]
    fn only_messages_the_customer_received_are_listed() {
        let policy = Policy::default_policy();
        let kunde = customer("K");
        let mut drafted = reminder("K", "due_today", &["K1"], ReminderStatus::PendingApproval);
        drafted.sent_on = None;
        let mut task = reminder("K", "personal_note_from_head", &["K1"], ReminderStatus::Sent);
        task.sent_on = Some(day("2026-03-12"));
        let page = statement(&policy, &kunde, &[], &[drafted, task], day("2026-03-15"));
        // A task has no message, a draft has not gone out: nothing the customer received
        assert!(!page.has_messages && page.messages.is_empty());
        assert!(!page.has_invoices && page.totals.is_empty());
    }
}
