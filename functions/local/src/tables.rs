//! Human-readable output: tables and message views.

use chrono::NaiveDate;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use kindly_core::Statute;
use kindly_core::aging::{AgingRow, BUCKETS};
use kindly_core::interest_policy::InterestRules;
use kindly_core::money::format_money;
use kindly_core::planner::HoldReason;
use kindly_core::service::{PassOutcome, SendResult};
use kindly_core::{CoreError, Customer, CustomerId, Invoice, InvoiceId, Policy, Reminder, ReminderId, ReminderStatus};
use std::collections::HashMap;
use std::path::Path;

pub(crate) fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    table.set_header(header.to_vec());
    table
}

fn names(customers: &[Customer]) -> HashMap<&CustomerId, &str> {
    customers.iter().map(|c| (&c.id, c.display_name.as_str())).collect()
}

/// A customer's name, or their id when the record is missing.
fn name_of(names: &HashMap<&CustomerId, &str>, id: &CustomerId) -> String {
    names.get(id).copied().unwrap_or(&id.0).to_owned()
}

/// What a pass planned and what became of it.
pub fn pass(
    outcome: &PassOutcome,
    sent: &[(ReminderId, Result<SendResult, CoreError>)],
    held_customers: &[Customer],
    outbox: &Path,
    dry_run: bool,
) -> String {
    let results: HashMap<&ReminderId, &Result<SendResult, CoreError>> = sent.iter().map(|(id, r)| (id, r)).collect();
    let mut table = table(&["Customer", "Stage", "Tone", "Invoices", "Amount", "Result", "Reminder"]);
    for entry in &outcome.entries {
        let result = match results.get(&entry.reminder_id) {
            _ if dry_run => "would be drafted".to_owned(),
            Some(Ok(SendResult::Sent { .. })) => {
                format!("sent → {}", outbox.join(format!("{}.eml", entry.reminder_id)).display())
            }
            Some(Ok(SendResult::TaskDone)) => "task done".to_owned(),
            Some(Ok(SendResult::Cancelled { reason })) => format!("cancelled: {reason}"),
            Some(Ok(SendResult::Failed { reason })) => format!("FAILED: {reason}"),
            Some(Ok(SendResult::Retry { reason })) => format!("will retry: {reason}"),
            Some(Ok(SendResult::ClaimedElsewhere)) => "sent by another run".to_owned(),
            Some(Ok(SendResult::OutsideBusinessHours)) => "approved; waits for business hours".to_owned(),
            Some(Err(error)) => format!("ERROR: {error}"),
            None if entry.is_task => "task for staff (kindly show)".to_owned(),
            None if entry.status == ReminderStatus::PendingApproval => "waiting for approval".to_owned(),
            None if !entry.created => format!("already {}", entry.status),
            None => entry.status.to_string(),
        };
        table.add_row(vec![
            entry.customer_name.clone(),
            entry.stage_id.clone(),
            entry.tone.to_string(),
            entry.invoice_numbers.join(", "),
            entry.amount.clone(),
            result,
            entry.reminder_id.to_string(),
        ]);
    }
    // Reminders approved earlier (by staff) that this run sent.
    let planned: std::collections::HashSet<&ReminderId> = outcome.entries.iter().map(|e| &e.reminder_id).collect();
    let earlier: Vec<String> = sent
        .iter()
        .filter(|(id, _)| !planned.contains(id))
        .map(|(id, result)| match result {
            Ok(SendResult::Sent { .. }) => format!("  {id}: sent → {}", outbox.join(format!("{id}.eml")).display()),
            Ok(other) => format!("  {id}: {other:?}"),
            Err(error) => format!("  {id}: ERROR: {error}"),
        })
        .collect();
    let mut text = if outcome.entries.is_empty() {
        "No reminders are due in this pass.\n".to_owned()
    } else {
        format!("{table}\n")
    };
    if !earlier.is_empty() {
        text.push_str(&format!("Approved earlier and sent now:\n{}\n", earlier.join("\n")));
    }
    let names = names(held_customers);
    let held: Vec<String> = outcome
        .held
        .iter()
        .map(|(id, reason)| {
            let name = names.get(id).copied().unwrap_or(id.0.as_str());
            let why = match reason {
                HoldReason::Paused => "paused".to_owned(),
                HoldReason::WithinGap { last_sent_on } => {
                    format!("last message went out on {last_sent_on}; waiting for the minimum gap")
                }
                HoldReason::AwaitingSend(id) => format!("{id} is approved and waiting to be sent"),
                HoldReason::AlreadyDrafted(id) => format!("{id} is already waiting for approval"),
                HoldReason::UnknownCustomer => "customer record missing".to_owned(),
                HoldReason::AwaitingContact(id) => format!("answer {id} names another contact; staff decide first"),
                HoldReason::NoReachableContact => {
                    "every address bounced; fix the contact first (`kindly tasks`)".to_owned()
                }
                HoldReason::AwaitingResolution(id) => {
                    format!("{id} failed; say whether it went out first (`kindly failed`)")
                }
            };
            format!("  {name}: {why}")
        })
        .collect();
    if !held.is_empty() {
        text.push_str(&format!("Held back:\n{}\n", held.join("\n")));
    }
    for reminder in &outcome.superseded {
        text.push_str(&format!("Superseded (cancelled) the older draft {reminder}.\n"));
    }
    for task in &outcome.payment_reviews {
        text.push_str(&format!(
            "A payment has been pending longer than the policy waits: its invoice is held, see task {task} (kindly show).\n"
        ));
    }
    for error in &outcome.errors {
        text.push_str(&format!("ERROR: {error}\n"));
    }
    let sent_count = sent
        .iter()
        .filter(|(_, r)| matches!(r, Ok(SendResult::Sent { .. })))
        .count();
    // Drafts this pass made or found, and those that held their customer back: all wait for a person.
    let waiting = outcome
        .entries
        .iter()
        .filter(|e| e.status == ReminderStatus::PendingApproval)
        .count()
        + outcome
            .held
            .iter()
            .filter(|(_, reason)| matches!(reason, HoldReason::AlreadyDrafted(_)))
            .count();
    if !dry_run {
        text.push_str(&format!(
            "{sent_count} sent to the outbox, {waiting} waiting for approval.\n"
        ));
    }
    text
}

pub fn drafts(drafts: &[Reminder], customers: &[Customer]) -> String {
    if drafts.is_empty() {
        return "Nothing is waiting for approval.\n".to_owned();
    }
    let names = names(customers);
    let mut table = table(&["Reminder", "Customer", "Stage", "Tone", "Invoices", "Subject / task"]);
    for draft in drafts {
        let subject = match &draft.draft {
            Some(d) => kindly_render::render(&d.context)
                .map(|r| r.subject)
                .unwrap_or_else(|e| format!("(cannot render: {e})")),
            None => format!("TASK: {}", draft.task.clone().unwrap_or_default()),
        };
        table.add_row(vec![
            draft.id.to_string(),
            name_of(&names, &draft.customer_id),
            draft.stage_id.clone(),
            draft.tone.to_string(),
            draft
                .covers
                .iter()
                .map(|c| c.invoice_id.0.clone())
                .collect::<Vec<_>>()
                .join(", "),
            subject,
        ]);
    }
    format!("{table}\n")
}

/// The reminders whose sending failed, each with why; they wait for `kindly resolve`.
pub fn failed(failed: &[Reminder], customers: &[Customer], invoices: &[Invoice]) -> String {
    if failed.is_empty() {
        return "No reminder has failed.\n".to_owned();
    }
    let names = names(customers);
    let numbers: HashMap<&InvoiceId, &str> = invoices.iter().map(|i| (&i.id, i.number.as_str())).collect();
    let mut table = table(&["Reminder", "Customer", "Stage", "Invoices", "Failed at", "Reason"]);
    for reminder in failed {
        let failed_at = reminder
            .history
            .iter()
            .rfind(|step| step.to == ReminderStatus::Failed)
            .map_or_else(String::new, |step| step.at.format("%Y-%m-%d %H:%M UTC").to_string());
        table.add_row(vec![
            reminder.id.to_string(),
            name_of(&names, &reminder.customer_id),
            reminder.stage_id.clone(),
            reminder
                .covers
                .iter()
                .map(|c| numbers.get(&c.invoice_id).copied().unwrap_or(&c.invoice_id.0))
                .collect::<Vec<_>>()
                .join(", "),
            failed_at,
            reminder.failure.clone().unwrap_or_default(),
        ]);
    }
    format!(
        "{table}\nEach holds its customer's reminders. Look in the mail provider's log, then \
         `kindly resolve ID --went-out` or `kindly resolve ID --not-sent`.\n"
    )
}

pub fn show(reminder: &Reminder) -> Result<String, CoreError> {
    let mut text = format!(
        "Reminder {}\nCustomer:  {}\nStage:     {} ({})\nStatus:    {}\n",
        reminder.id, reminder.customer_id, reminder.stage_id, reminder.tone, reminder.status
    );
    if let Some(task) = &reminder.task {
        text.push_str(&format!("Task:      {task}\n"));
    }
    if let Some(draft) = &reminder.draft {
        let rendered = kindly_render::render(&draft.context)?;
        let mailboxes = |list: &[kindly_render::Mailbox]| {
            list.iter()
                .map(|m| format!("{} <{}>", m.name, m.email))
                .collect::<Vec<_>>()
                .join(", ")
        };
        text.push_str(&format!(
            "Hash:      {}\n\nFrom:    {} <{}>\nTo:      {}\n",
            rendered.content_hash,
            draft.context.from.name,
            draft.context.from.email,
            mailboxes(&draft.context.to)
        ));
        if !draft.context.cc.is_empty() {
            text.push_str(&format!("Cc:      {}\n", mailboxes(&draft.context.cc)));
        }
        text.push_str(&format!("Subject: {}\n\n{}\n", rendered.subject, rendered.text));
    }
    text.push_str("History:\n");
    for step in &reminder.history {
        text.push_str(&format!(
            "  {}  {} → {}  by {}{}\n",
            step.at.format("%Y-%m-%d %H:%M UTC"),
            step.from,
            step.to,
            step.by,
            step.note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()
        ));
    }
    Ok(text)
}

pub fn aging(rows: &[AgingRow], today: chrono::NaiveDate) -> String {
    if rows.is_empty() {
        return format!("Nothing is owed as of {today}.\n");
    }
    let mut header = vec!["Currency", "Invoices"];
    header.extend(BUCKETS);
    header.extend(["Total", "Written off", "Handed over"]);
    let mut table = table(&header);
    for row in rows {
        let money = |amount| format_money(amount, row.currency, "en-US");
        let apart = |(amount, count): (rust_decimal::Decimal, usize)| match count {
            0 => "-".to_owned(),
            count => format!("{} ({count})", money(amount)),
        };
        let mut cells = vec![row.currency.code().to_owned(), row.invoices.to_string()];
        cells.extend(row.buckets.iter().map(|amount| money(*amount)));
        cells.push(money(row.total));
        cells.push(apart(row.written_off));
        cells.push(apart(row.handed_over));
        table.add_row(cells);
    }
    format!("Aging as of {today} (days past due):\n{table}\n")
}

/// The ladder, the interest rules with each reference-rate table's newest value, and a warning per table
/// whose values may be out of date on `today`.
pub fn policy(policy: &Policy, today: NaiveDate) -> String {
    let mut table = table(&[
        "#", "Stage", "Day", "Tone", "Template", "From", "Cc boss", "Approval", "Interest", "Task",
    ]);
    for (index, stage) in policy.stages.iter().enumerate() {
        let day = match stage.offset_days {
            0 => "due date".to_owned(),
            d if d < 0 => format!("{} before", -d),
            d => format!("{d} after"),
        };
        table.add_row(vec![
            (index + 1).to_string(),
            stage.id.clone(),
            day,
            stage.tone.to_string(),
            stage.template.clone().unwrap_or_else(|| "-".into()),
            stage.sender.clone(),
            if stage.cc_escalation { "yes" } else { "" }.into(),
            format!("{:?}", stage.approval).to_lowercase(),
            if policy.states_interest(stage) { "stated" } else { "" }.into(),
            stage.task.clone().unwrap_or_default(),
        ]);
    }
    let mut text = format!(
        "The policy is valid. At least {} days between messages to one customer.\n{table}\n",
        policy.min_gap_days
    );
    text.push_str(&interest_rules(&policy.interest));
    for warning in policy.interest.stale_rates(today) {
        text.push_str(&format!("warning: {warning}\n"));
    }
    text
}

/// The statute, and each reference-rate table's newest value with its day and the day it was checked.
fn interest_rules(rules: &InterestRules) -> String {
    let statute = rules.statute.map_or("none", |statute| statute.key());
    let mut text = format!("Statutory interest where a contract names no remedy: {statute}.\n");
    for statute in Statute::ALL {
        let (field, Some(rates)) = rules.rates.for_statute(statute) else {
            continue;
        };
        let newest = rates.changes.last().map_or_else(
            || "no rate".to_owned(),
            |change| format!("{}% from {}", change.percent, change.from),
        );
        let checked = rates
            .known_through()
            .map_or_else(|| "never".to_owned(), |day| day.to_string());
        text.push_str(&format!("  {field} ({}): {newest}, checked {checked}\n", rates.source));
    }
    text
}

/// A fee invoice just raised, and where it was written.
pub fn fee_invoice(fee: &kindly_core::fee_invoice::FeeInvoice, csv: &Path) -> String {
    let money = |amount| format_money(amount, fee.currency, "en-US");
    let rate = fee
        .annual_percent
        .map(|rate| format!(" at {}% a year", rate.normalize()))
        .unwrap_or_default();
    format!(
        "Fee invoice {} for invoice {}: interest {}{rate} from {} through {}, fees {}, total {} ({}), due {}.\n\
         Appended to {} for the accounting system; the invoice records it, so it is not charged again.\n",
        fee.number,
        fee.for_number,
        money(fee.interest),
        fee.from,
        fee.through,
        money(fee.fee),
        money(fee.total),
        fee.basis,
        fee.due_date,
        csv.display()
    )
}
