//! The staff side on the command line: `kindly tasks`, `kindly task ID DECISION`, `kindly timeline
//! CUSTOMER` and `kindly report reasons`. Glue only: the core reads, acts and shapes; this prints.

use crate::app::write;
use crate::cli::Command;
use crate::error::LocalError;
use crate::sqlite_store::SqliteStore;
use crate::tables::table;
use chrono::{DateTime, NaiveDate, Utc};
use kindly_core::reasons::ReasonsReport;
use kindly_core::tasks::{Task, TaskAction};
use kindly_core::{Customer, CustomerId, Policy, service};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Run one of the staff's commands.
pub async fn run(
    command: Command,
    store: &SqliteStore,
    policy: &Policy,
    outbox: &Path,
    out: &mut dyn Write,
) -> Result<(), LocalError> {
    match command {
        Command::Tasks => tasks(store, policy, Utc::now(), out).await,
        Command::Task {
            id,
            decision,
            reason,
            email,
            until,
            dossier,
            by,
        } => {
            let input = TaskInput {
                reason,
                email,
                until,
                dossier,
            };
            do_task(store, policy, &id, &decision, input, &by, outbox, out).await
        }
        Command::Timeline { customer } => timeline(store, &customer, out).await,
        Command::Report {
            today, months: asked, ..
        } => {
            let today = today.unwrap_or_else(|| Utc::now().date_naive());
            reasons(store, today, months(asked)?, out).await
        }
        other => Err(LocalError::Usage(format!("not a staff command: {other:?}"))),
    }
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn done_words(task: &Task) -> String {
    task.done.as_ref().map_or_else(String::new, |done| {
        let note = done.note.as_ref().map_or_else(String::new, |note| format!(": {note}"));
        format!("{} by {}, {}{note}", done.outcome, done.by, when(done.at))
    })
}

/// `kindly tasks`: what waits for a person, and the answers people settled lately.
pub async fn tasks(
    store: &SqliteStore,
    policy: &Policy,
    now: DateTime<Utc>,
    out: &mut dyn Write,
) -> Result<(), LocalError> {
    let inbox = service::open_tasks(store, policy, now).await?;
    let mut text = String::new();
    if inbox.open.is_empty() {
        text.push_str("No task waits.\n");
    } else {
        let mut open = table(&["Task", "Kind", "Customer", "Invoices", "What", "Since", "Decisions"]);
        for task in &inbox.open {
            let decisions: Vec<&str> = task.actions.iter().map(|action| action.as_str()).collect();
            open.add_row(vec![
                task.id.clone(),
                format!("{} {}", task.kind.as_str(), task.topic),
                task.customer_name.clone(),
                task.invoices.join(", "),
                task.text.clone(),
                when(task.since),
                decisions.join(", "),
            ]);
        }
        text.push_str(&format!(
            "{open}\nDo one with `kindly task ID DECISION` (add --reason \"…\" to reject; the customer reads it).\n"
        ));
    }
    if !inbox.done.is_empty() {
        let mut done = table(&["Task", "Customer", "What", "Done"]);
        for task in &inbox.done {
            done.add_row(vec![
                task.id.clone(),
                task.customer_name.clone(),
                format!("{}: {}", task.topic, task.text),
                done_words(task),
            ]);
        }
        text.push_str(&format!(
            "\nDone in the last {} days:\n{done}\n",
            service::RECENTLY_DONE_DAYS
        ));
    }
    write(out, &text)
}

/// What `kindly task` was given besides the task and the decision.
pub struct TaskInput {
    pub reason: Option<String>,
    pub email: Option<String>,
    pub until: Option<NaiveDate>,
    /// Where a hand-over's dossier is written.
    pub dossier: Option<PathBuf>,
}

/// `kindly task ID DECISION [--reason TEXT] [--email NEW] [--until DAY] [--dossier PATH]`. A hand-over
/// writes the customer's dossier to PATH after the invoices are handed over (checked first: a new file in a
/// folder that exists).
#[allow(clippy::too_many_arguments)]
pub async fn do_task(
    store: &SqliteStore,
    policy: &Policy,
    id: &str,
    decision: &str,
    input: TaskInput,
    by: &str,
    outbox: &Path,
    out: &mut dyn Write,
) -> Result<(), LocalError> {
    let decision: TaskAction = decision
        .parse()
        .map_err(|problem| LocalError::Usage(format!("DECISION: {problem}")))?;
    kindly_core::limits::check_reason(id, input.reason.as_deref())?;
    let dossier = match (decision, input.dossier) {
        (TaskAction::HandOver, Some(path)) => {
            let folder = path.parent().filter(|folder| !folder.as_os_str().is_empty());
            if path.exists() || folder.is_some_and(|folder| !folder.is_dir()) {
                return Err(LocalError::Usage(format!(
                    "--dossier {}: must be a new file in a folder that exists",
                    path.display()
                )));
            }
            Some(path)
        }
        (TaskAction::HandOver, None) => {
            return Err(LocalError::Usage(
                "--dossier PATH is needed to hand over: the zip file the agency gets".into(),
            ));
        }
        (_, Some(_)) => {
            return Err(LocalError::Usage(format!(
                "--dossier is only for hand_over, not {decision}"
            )));
        }
        (_, None) => None,
    };
    let task = service::do_task(
        store,
        policy,
        id,
        decision,
        input.reason,
        input.email,
        input.until,
        by,
        Utc::now(),
    )
    .await?;
    let mut next = match decision {
        TaskAction::Done => " It is recorded done on the next `kindly run`.".to_owned(),
        TaskAction::NotSent => " The next `kindly run` plans it again.".to_owned(),
        TaskAction::FixContact => " The next `kindly run` plans the message again, to the new address.".to_owned(),
        TaskAction::KeepChasing => " The decision comes back on that day.".to_owned(),
        _ => String::new(),
    };
    if let Some(path) = dossier {
        let messages = crate::dossier::write_dossier(store, &task.customer_id, outbox, &path).await?;
        next.push_str(&format!(" The dossier ({messages} messages) is in {}.", path.display()));
    }
    write(
        out,
        &format!(
            "{} ({}, {}): {}.{next}\n",
            task.id,
            task.customer_name,
            task.topic,
            done_words(&task)
        ),
    )
}

/// `kindly timeline CUSTOMER`.
pub async fn timeline(store: &SqliteStore, customer: &str, out: &mut dyn Write) -> Result<(), LocalError> {
    let (customer, entries) = service::customer_timeline(store, &CustomerId(customer.to_owned())).await?;
    if entries.is_empty() {
        return write(
            out,
            &format!("Nothing has happened with {} yet.\n", customer.display_name),
        );
    }
    let mut rows = table(&["When", "What", "", "Invoices", "State", "By"]);
    for entry in &entries {
        rows.add_row(vec![
            when(entry.at),
            format!("{} {}", entry.kind.as_str(), entry.title),
            entry.text.clone(),
            entry.invoices.join(", "),
            entry.state.clone().unwrap_or_default(),
            entry.by.as_ref().map_or_else(String::new, ToString::to_string),
        ]);
    }
    write(
        out,
        &format!("{} ({}), newest first:\n{rows}\n", customer.display_name, customer.id),
    )
}

/// The months asked for, or why not (naming the option).
pub fn months(asked: Option<u32>) -> Result<u32, LocalError> {
    kindly_core::reasons::months(asked).map_err(|problem| LocalError::Usage(format!("--months: {problem}")))
}

/// `kindly report reasons [--months N]`.
pub async fn reasons(
    store: &SqliteStore,
    today: NaiveDate,
    months: u32,
    out: &mut dyn Write,
) -> Result<(), LocalError> {
    let (report, customers) = service::reasons(store, today, months).await?;
    write(out, &reasons_text(&report, &customers))
}

fn reasons_text(report: &ReasonsReport, customers: &[Customer]) -> String {
    let mut rows = table(&[
        "Month",
        "Already paid",
        "Disputes",
        "Promises",
        "Kept",
        "Broken",
        "Wrong person",
        "Confirmed receipt",
        "Median days to first answer",
    ]);
    for month in &report.months {
        let categories: Vec<String> = month
            .disputes
            .iter()
            .filter(|(_, count)| **count > 0)
            .map(|(category, count)| format!("{} {count}", category.as_str()))
            .collect();
        let disputes: u32 = month.disputes.values().sum();
        rows.add_row(vec![
            month.month.clone(),
            month.already_paid.to_string(),
            match categories.is_empty() {
                true => disputes.to_string(),
                false => format!("{disputes} ({})", categories.join(", ")),
            },
            month.promise.to_string(),
            month.promises_kept.to_string(),
            month.promises_broken.to_string(),
            month.wrong_person.to_string(),
            month.confirm_receipt.to_string(),
            month
                .median_days_to_first_answer
                .map_or_else(|| "—".to_owned(), |days| format!("{days:.1}")),
        ]);
    }
    let mut text = format!("Why customers pay late, from what they told us:\n{rows}\n");
    if !report.customers.is_empty() {
        let mut promises = table(&["Customer", "Kept", "Broken", "Open"]);
        for customer in &report.customers {
            let name = customers
                .iter()
                .find(|c| c.id == customer.customer_id)
                .map_or(customer.customer_id.0.as_str(), |c| c.display_name.as_str());
            promises.add_row(vec![
                name.to_owned(),
                customer.kept.to_string(),
                customer.broken.to_string(),
                customer.open.to_string(),
            ]);
        }
        text.push_str(&format!("\nPromises per customer:\n{promises}\n"));
    }
    text
}
