//! A hand-over's dossier: one zip (deflate) with everything a collections agency needs about a customer —
//! `summary.html` (self-contained, every value escaped, no script), one `.eml` per message sent with its
//! bytes, and the records as kindly stores them (`records/*.json`: the invoices with their payments, the
//! customer's answers, the reminders with their notes and history). Deterministic: the entries carry
//! no clock time, so the same records and messages give the same bytes.

use chrono::{DateTime, Utc};
use kindly_core::answer::Answer;
use kindly_core::money::format_money;
use kindly_core::status::ReminderStatus;
use kindly_core::{CoreError, Customer, Invoice, Reminder};
use std::io::Write;
use zip::write::SimpleFileOptions;

/// What a dossier is made of: one customer's records, read by the customer's key.
pub struct Records<'a> {
    pub customer: &'a Customer,
    pub invoices: &'a [Invoice],
    pub reminders: &'a [Reminder],
    pub answers: &'a [Answer],
    /// When it was made (named in the summary).
    pub made_at: DateTime<Utc>,
}

/// Where a message's bytes come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The bytes that went out, as the outbox kept them.
    AsSent,
    /// Rendered again from the stored draft ([`rendered_again`]): the same bytes but for the Date header,
    /// which is the time the send was recorded.
    RenderedAgain,
}

/// One message sent, with its bytes.
pub struct Message<'a> {
    pub reminder: &'a Reminder,
    pub bytes: Vec<u8>,
    pub source: Source,
}

/// When `reminder` was recorded sent, if it went out (a message nobody received later included).
pub fn sent_at(reminder: &Reminder) -> Option<DateTime<Utc>> {
    reminder.draft.as_ref()?;
    reminder
        .history
        .iter()
        .rfind(|step| step.to == ReminderStatus::Sent)
        .map(|step| step.at)
}

/// The message `reminder` sent, rendered again from its stored draft through the same steps as a send
/// ([`kindly_core::verdict::outgoing`], [`crate::to_rfc5322`]), dated when the send was recorded. `None`
/// for one that did not go out.
pub fn rendered_again(reminder: &Reminder, message_id_domain: &str) -> Result<Option<Vec<u8>>, CoreError> {
    let (Some(draft), Some(at)) = (&reminder.draft, sent_at(reminder)) else {
        return Ok(None);
    };
    let rendered = kindly_render::render(&draft.context)?;
    let email = kindly_core::verdict::outgoing(reminder, draft, rendered);
    crate::to_rfc5322(&email, at.into(), message_id_domain).map(Some)
}

/// The file name of `reminder`'s message in the dossier: the day it went out, then its send key.
pub fn message_file(reminder: &Reminder) -> String {
    let day = sent_at(reminder).map_or_else(|| "unsent".to_owned(), |at| at.format("%Y-%m-%d").to_string());
    format!("messages/{day}_{}.eml", reminder.send_key())
}

/// The dossier's zip bytes.
pub fn dossier_zip(records: &Records, messages: &[Message]) -> Result<Vec<u8>, CoreError> {
    let failed = |e: &dyn std::fmt::Display| CoreError::Store(format!("writing the dossier: {e}"));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut entries: Vec<(String, Vec<u8>)> = vec![
        ("summary.html".into(), summary(records, messages).into_bytes()),
        ("records/customer.json".into(), pretty(records.customer)?),
        ("records/invoices.json".into(), pretty(records.invoices)?),
        ("records/answers.json".into(), pretty(records.answers)?),
        ("records/reminders.json".into(), pretty(records.reminders)?),
    ];
    for message in messages {
        entries.push((message_file(message.reminder), message.bytes.clone()));
    }
    for (name, bytes) in entries {
        zip.start_file(name, options).map_err(|e| failed(&e))?;
        zip.write_all(&bytes).map_err(|e| failed(&e))?;
    }
    Ok(zip.finish().map_err(|e| failed(&e))?.into_inner())
}

/// A record as stored (the same JSON), indented for people to read.
fn pretty<T: serde::Serialize + ?Sized>(record: &T) -> Result<Vec<u8>, CoreError> {
    serde_json::to_vec_pretty(record).map_err(|e| CoreError::Store(format!("writing the dossier: {e}")))
}

/// Text escaped for HTML, quotes included.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// A table of escaped cells under `header`.
fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    if rows.is_empty() {
        return "<p>None.</p>\n".to_owned();
    }
    let cells = |cells: Vec<String>, tag: &str| {
        cells
            .iter()
            .map(|cell| format!("<{tag}>{}</{tag}>", escape(cell)))
            .collect::<String>()
    };
    let header = cells(header.iter().map(|h| (*h).to_owned()).collect(), "th");
    let body: String = rows
        .into_iter()
        .map(|row| format!("<tr>{}</tr>\n", cells(row, "td")))
        .collect();
    format!("<table>\n<thead><tr>{header}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n")
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `summary.html`: who, what is owed and what was decided, the messages sent (and where their bytes came
/// from), the customer's answers, the payments and the notes people left. One style sheet inline; no
/// script, no external resource.
fn summary(records: &Records, messages: &[Message]) -> String {
    let customer = records.customer;
    let money = |invoice: &Invoice, amount| format_money(amount, invoice.currency, "en-US");
    let contacts: Vec<String> = customer
        .billing_contacts
        .iter()
        .chain(customer.escalation_contact.iter())
        .map(|contact| match &contact.name {
            Some(name) => format!("{name} <{}>", contact.email),
            None => contact.email.clone(),
        })
        .collect();
    let invoices = table(
        &[
            "Invoice", "Issued", "Due", "Total", "Paid", "Balance", "Status", "Decided",
        ],
        records
            .invoices
            .iter()
            .map(|invoice| {
                let decided = invoice.bookkeeping.outcome.as_ref().map_or_else(String::new, |o| {
                    format!("{} by {}, {}: {}", o.kind.as_str(), o.by, when(o.at), o.reason)
                });
                vec![
                    invoice.number.clone(),
                    invoice.issue_date.to_string(),
                    invoice.due_date.to_string(),
                    money(invoice, invoice.total),
                    money(invoice, invoice.paid),
                    money(invoice, invoice.balance()),
                    invoice.status.as_str().to_owned(),
                    decided,
                ]
            })
            .collect(),
    );
    let sent = table(
        &["Sent", "Stage", "Subject", "To", "File", "Bytes"],
        messages
            .iter()
            .map(|message| {
                let reminder = message.reminder;
                let context = reminder.draft.as_ref().map(|draft| &draft.context);
                let to: Vec<&str> = context
                    .iter()
                    .flat_map(|context| context.to.iter().chain(&context.cc))
                    .map(|to| to.email.as_str())
                    .collect();
                let subject = reminder
                    .draft
                    .as_ref()
                    .and_then(|draft| kindly_render::render(&draft.context).ok())
                    .map(|rendered| rendered.subject)
                    .unwrap_or_default();
                vec![
                    sent_at(reminder).map(when).unwrap_or_default(),
                    reminder.stage_id.clone(),
                    subject,
                    to.join(", "),
                    message_file(reminder),
                    match message.source {
                        Source::AsSent => "as sent".to_owned(),
                        Source::RenderedAgain => "rendered again from the stored draft".to_owned(),
                    },
                ]
            })
            .collect(),
    );
    let answers = table(
        &["When", "Answer", "What they said", "Settled"],
        records
            .answers
            .iter()
            .map(|answer| {
                let settled = answer.settled.as_ref().map_or_else(String::new, |settled| {
                    let note = settled.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
                    format!(
                        "{} by {}, {}{note}",
                        answer.state.as_str(),
                        settled.by,
                        when(settled.at)
                    )
                });
                vec![
                    when(answer.at),
                    answer.kind.name().to_owned(),
                    kindly_core::tasks::said(&answer.kind),
                    settled,
                ]
            })
            .collect(),
    );
    let payments = table(
        &["Invoice", "Payment", "Amount"],
        records
            .invoices
            .iter()
            .flat_map(|invoice| {
                let accounting = invoice.bookkeeping.accounting_paid.map(|paid| {
                    vec![
                        invoice.number.clone(),
                        "recorded by the accounting system".into(),
                        money(invoice, paid),
                    ]
                });
                let receipts = invoice.bookkeeping.receipts.iter().map(move |(payment, amount)| {
                    vec![
                        invoice.number.clone(),
                        format!("processor payment {payment}"),
                        money(invoice, *amount),
                    ]
                });
                accounting.into_iter().chain(receipts)
            })
            .collect(),
    );
    let notes = table(
        &["When", "Who", "Stage", "Step", "Note"],
        records
            .reminders
            .iter()
            .flat_map(|reminder| {
                reminder.history.iter().filter_map(move |step| {
                    let note = step.note.clone()?;
                    Some(vec![
                        when(step.at),
                        step.by.to_string(),
                        reminder.stage_id.clone(),
                        format!("{} → {}", step.from.as_str(), step.to.as_str()),
                        note,
                    ])
                })
            })
            .collect(),
    );
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Dossier: {name}</title>\n\
         <style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin-bottom:1.5em}}\
         td,th{{border:1px solid #999;padding:.3em .5em;text-align:left;vertical-align:top}}</style>\n</head>\n<body>\n\
         <h1>Dossier: {name}</h1>\n<p>{legal} (customer {id}), made {made}. Contacts: {contacts}.</p>\n\
         <h2>Invoices</h2>\n{invoices}<h2>Messages sent</h2>\n<p>Each message is in <code>messages/</code> as an \
         .eml file.</p>\n{sent}<h2>The customer's answers</h2>\n{answers}<h2>Payments</h2>\n{payments}\
         <h2>Notes</h2>\n{notes}<p>The records as kindly keeps them are in <code>records/</code>.</p>\n</body>\n</html>\n",
        name = escape(&customer.display_name),
        legal = escape(&customer.legal_name),
        id = escape(&customer.id.0),
        made = escape(&when(records.made_at)),
        contacts = escape(&contacts.join(", ")),
    )
}

#[cfg(test)]
#[path = "dossier_tests.rs"]
mod tests;
