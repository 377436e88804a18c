//! What each `kindly` command does: thin glue between the command line, the core services, the SQLite
//! store and the outbox. Output goes to the writer it is given, so tests can read it.

use crate::cli::{Cli, Command, Report};
use crate::customer_links;
use crate::error::LocalError;
use crate::import::{self, Record, RowError};
use crate::outbox::OutboxMailer;
use crate::serve::{read_secrets, serve};
use crate::sqlite_store::SqliteStore;
use crate::tables;
use chrono::{DateTime, NaiveDate, Utc};
use kindly_core::service::{self, PassOutcome, Resolution, SendResult};
use kindly_core::{CoreError, Policy, ReminderId, ReminderStatus, Store};
use std::io::Write;
use std::path::Path;

/// Marks a database the demo created, so the demo may replace it and never replaces anything else.
const DEMO_MARK: &str = "created_by_demo";
/// Where, inside the outbox, the demo writes the messages of its history (the outbox itself shows today's).
pub(crate) const HISTORY_DIR: &str = "history";

pub async fn run(cli: Cli, out: &mut dyn Write) -> Result<(), LocalError> {
    let policy = load_policy(cli.policy.as_deref())?;
    // What composes messages (planning, or planning again after a change) gives each a link to its
    // customer's page, signed with the key file beside the database.
    let public_url = cli.public_url.as_deref();
    let linked = || customer_links::with_links(&policy, &cli.db, public_url);
    match cli.command {
        Command::Demo { today } => demo(&cli.db, &cli.outbox, &linked()?, today, out).await,
        Command::Import { file, skip_invalid } => {
            import_file(&open_store(&cli.db)?, &linked()?, &file, skip_invalid, out).await
        }
        Command::Run { today, dry_run } => {
            let store = open_store(&cli.db)?;
            let mailer = OutboxMailer::new(&cli.outbox);
            pass_and_send(&store, &mailer, &linked()?, now_for(today), dry_run, out).await
        }
        Command::Drafts => {
            let store = open_store(&cli.db)?;
            let drafts = store.reminders_with_status(ReminderStatus::PendingApproval).await?;
            let customers = store
                .customers(&drafts.iter().map(|d| d.customer_id.clone()).collect::<Vec<_>>())
                .await?;
            write(out, &tables::drafts(&drafts, &customers))
        }
        Command::Show { id } => {
            let store = open_store(&cli.db)?;
            let reminder = store.reminder(&ReminderId(id.clone())).await?;
            let reminder = reminder.ok_or(CoreError::NotFound { what: "reminder", id })?;
            write(out, &tables::show(&reminder)?)
        }
        Command::Approve { id, by, hash } => {
            let store = open_store(&cli.db)?;
            let id = ReminderId(id);
            let stored = store.reminder(&id).await?.ok_or(CoreError::NotFound {
                what: "reminder",
                id: id.0.clone(),
            })?;
            let hash = hash
                .or_else(|| stored.draft.as_ref().map(|d| d.content_hash.clone()))
                .unwrap_or_default();
            let approved = service::approve(&store, &id, &by, &hash, None, Utc::now()).await?;
            let next = match approved.draft {
                Some(_) => "It goes out on the next `kindly run`",
                None => "The task is recorded as done on the next `kindly run`",
            };
            write(
                out,
                &format!("Approved {} ({}) as {by}. {next}.\n", approved.id, approved.stage_id),
            )
        }
        Command::Skip { id, reason, by } => {
            let store = open_store(&cli.db)?;
            kindly_core::limits::check_reason(&id, reason.as_deref())?;
            let skipped = service::skip(&store, &linked()?, &ReminderId(id), &by, reason, Utc::now()).await?;
            write(
                out,
                &format!(
                    "Skipped {} ({}). The customer will not be asked again at that stage.\n",
                    skipped.id, skipped.stage_id
                ),
            )
        }
        Command::Failed => {
            let store = open_store(&cli.db)?;
            let failed = store.reminders_with_status(ReminderStatus::Failed).await?;
            let customers = store
                .customers(&failed.iter().map(|f| f.customer_id.clone()).collect::<Vec<_>>())
                .await?;
            let invoices = store
                .invoices(&failed.iter().flat_map(|f| f.invoice_ids()).collect::<Vec<_>>())
                .await?;
            write(out, &tables::failed(&failed, &customers, &invoices))
        }
        Command::Resolve {
            id,
            went_out,
            not_sent: _,
            note,
            by,
        } => {
            let store = open_store(&cli.db)?;
            kindly_web::failed::check_note(&id, note.as_deref())?;
            let (resolution, next) = match went_out {
                true => (
                    Resolution::WentOut,
                    "it went out; recorded as sent, and the customer's reminders move on",
                ),
                false => (
                    Resolution::NotSent,
                    "it did not go out; cancelled, and the next `kindly run` plans it again",
                ),
            };
            let id = ReminderId(id);
            let resolved = service::resolve(&store, &linked()?, &id, &by, resolution, note, Utc::now()).await?;
            write(
                out,
                &format!("Resolved {} ({}) as {by}: {next}.\n", resolved.id, resolved.stage_id),
            )
        }
        Command::Serve {
            port,
            approver,
            stripe_secrets_file,
            stripe_tolerance_secs,
        } => {
            let webhook = match stripe_secrets_file {
                Some(path) => Some(read_secrets(&path, stripe_tolerance_secs)?),
                None => None,
            };
            let links = customer_links::load_or_create(&cli.db)?;
            let store = open_store(&cli.db)?;
            let public_url = public_url.map(str::to_owned);
            serve(store, policy, port, &approver, webhook, (links, public_url), out).await
        }
        Command::Receive { files } => {
            let store = open_store(&cli.db)?;
            // One read of the key file: the links of messages planned again, and the reply addresses.
            let policy = linked()?;
            let keys = policy.customer_links.as_ref().map(|links| links.keys().clone());
            let mailer = OutboxMailer::new(&cli.outbox);
            crate::receive::receive(&store, &mailer, &policy, keys.as_ref(), &files, Utc::now(), out).await
        }
        Command::Link { customer } => {
            let store = open_store(&cli.db)?;
            let links = customer_links::for_messages(&cli.db, public_url)?;
            let customer = kindly_core::CustomerId(customer);
            let (link, reminder) = customer_links::link_for(&store, &policy, &links, &customer, Utc::now()).await?;
            write(
                out,
                &format!(
                    "{link}\nIt opens {customer}'s page (from reminder {}) for {} days; `kindly serve` serves it.\n",
                    reminder.id, policy.customer_link_days
                ),
            )
        }
        command @ (Command::Tasks
        | Command::Task { .. }
        | Command::Timeline { .. }
        | Command::Report {
            report: Report::Reasons,
            by_customer: false,
            ..
        }) => crate::staff::run(command, &open_store(&cli.db)?, &policy, &cli.outbox, out).await,
        Command::Report {
            report,
            today,
            months,
            by_customer,
        } => {
            let asked = crate::reports::Asked {
                report,
                today: today.unwrap_or_else(|| Utc::now().date_naive()),
                months,
                by_customer,
            };
            crate::reports::run(&open_store(&cli.db)?, &policy, asked, out).await
        }
        Command::Plan { action } => crate::plan_cmd::run(action, &open_store(&cli.db)?, &linked()?, now_for, out).await,
        Command::FeeInvoice {
            invoice,
            payment_days,
            today,
            csv,
        } => {
            let store = open_store(&cli.db)?;
            let id = kindly_core::InvoiceId(invoice);
            let fee = service::raise_fee_invoice(&store, &linked()?, &id, payment_days, now_for(today)).await?;
            crate::fee_export::append(&csv, &fee)?;
            write(out, &tables::fee_invoice(&fee, &csv))
        }
        Command::Policy {
            file,
            print_default,
            today,
        } => {
            if print_default {
                return write(out, kindly_core::policy::DEFAULT_POLICY_TOML);
            }
            let policy = match file {
                Some(path) => load_policy(Some(&path))?,
                None => policy,
            };
            let today = today.unwrap_or_else(|| Utc::now().date_naive());
            write(out, &tables::policy(&policy, today))
        }
    }
}

pub(crate) fn write(out: &mut dyn Write, text: &str) -> Result<(), LocalError> {
    out.write_all(text.as_bytes())
        .map_err(|e| LocalError::io(Path::new("<stdout>"), e))
}

fn load_policy(path: Option<&Path>) -> Result<Policy, LocalError> {
    match path {
        None => Ok(Policy::default_policy()),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| LocalError::io(path, e))?;
            Policy::from_toml(&text).map_err(|e| LocalError::Usage(format!("{}: {e}", path.display())))
        }
    }
}

fn open_store(path: &Path) -> Result<SqliteStore, LocalError> {
    Ok(SqliteStore::open(path)?)
}

/// `--today D` plans at noon UTC on D (the same date for every customer); otherwise now.
fn now_for(today: Option<NaiveDate>) -> DateTime<Utc> {
    today.map(crate::demo::demo_now).unwrap_or_else(Utc::now)
}

async fn demo(
    db: &Path,
    outbox: &Path,
    policy: &Policy,
    today: Option<NaiveDate>,
    out: &mut dyn Write,
) -> Result<(), LocalError> {
    if db.exists() {
        let existing = SqliteStore::open(db)?;
        if existing.meta(DEMO_MARK)?.is_none() {
            return Err(LocalError::Usage(format!(
                "{} holds data the demo did not create; give the demo another file with --db",
                db.display()
            )));
        }
        drop(existing);
        for suffix in ["", "-wal", "-shm"] {
            let file = format!("{}{suffix}", db.display());
            match std::fs::remove_file(&file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(LocalError::io(Path::new(&file), e)),
                _ => {}
            }
        }
    }
    let history_outbox = outbox.join(HISTORY_DIR);
    clear_outbox(outbox)?;
    clear_outbox(&history_outbox)?;
    let store = SqliteStore::open(db)?;
    store.set_meta(DEMO_MARK, "true")?;
    let asked = today.unwrap_or_else(|| Utc::now().date_naive());
    // Stages fall on business days: on a weekend the demo shows the Monday after.
    let today = kindly_core::calendar::Calendar::WEEKDAYS.on_or_after(asked);
    if today != asked {
        write(
            out,
            &format!(
                "{asked} is a {}: kindly writes on business days, so the demo shows {} {today}.\n\n",
                asked.format("%A"),
                today.format("%A"),
            ),
        )?;
    }
    let script = crate::demo::script(today);
    let replayed = crate::demo::replay(&store, policy, &script, &history_outbox).await?;
    let invoices = store.invoices(&script.invoice_ids()).await?;
    let customers = store.customers(&script.customer_ids()).await?;
    let name_of = |id: &kindly_core::CustomerId| {
        customers
            .iter()
            .find(|c| c.id == *id)
            .map_or(id.0.clone(), |c| c.display_name.clone())
    };
    write(
        out,
        &format!(
            "Demo database {} with {} customers and {} invoices.\n\
             Their history is kindly's own: it ran every day from {} to {} as the invoices arrived — the \
             pass at\nnoon UTC, {} approving every draft, the messages going out in the afternoon — and \
             sent {} messages,\nwhich are in {}.\n\nToday's pass, as of {today}:\n\n",
            db.display(),
            customers.len(),
            invoices.len(),
            script.start,
            today.pred_opt().unwrap_or(today),
            crate::demo::APPROVER,
            replayed.sent,
            history_outbox.display(),
        ),
    )?;
    for (_, outcome) in &replayed.this_morning {
        if let service::PaymentOutcome::Applied { invoice, thank_you, .. } = outcome {
            let thanks = thank_you
                .as_ref()
                .map_or(String::new(), |id| format!("; a thank-you is queued ({id})"));
            write(
                out,
                &format!(
                    "Paid by card this morning: {}, {}{thanks}.\n\n",
                    name_of(&invoice.customer_id),
                    invoice.number
                ),
            )?;
        }
    }
    let mailer = OutboxMailer::new(outbox);
    let now = crate::demo::demo_now(today);
    pass_and_send(&store, &mailer, policy, now, false, out).await?;
    if let Some(links) = &policy.customer_links
        && let Some((customer, link)) =
            customer_links::first_link(&store, policy, links, &script.customer_ids(), now).await?
    {
        write(out, &format!("Customer page for {customer}: {link}\n\n"))?;
    }
    // Nothing was ever sent about these: settled or in dispute before their first reminder was due.
    let left_alone: Vec<String> = invoices
        .iter()
        .filter(|invoice| !invoice.is_remindable() && invoice.dunning.last_reminded_on.is_none())
        .map(|invoice| {
            format!(
                "  {}: {} is {}",
                name_of(&invoice.customer_id),
                invoice.number,
                invoice.status.as_str().replace('_', " ")
            )
        })
        .collect();
    write(out, &format!("Never reminded:\n{}\n", left_alone.join("\n")))?;
    write(
        out,
        "\nNext: `kindly drafts` lists what waits for approval, `kindly show ID` shows a message, \
         `kindly approve ID` approves it and `kindly run` sends it.\n",
    )
}

/// Remove the .eml files an earlier demo left, so the outbox shows this run only.
fn clear_outbox(outbox: &Path) -> Result<(), LocalError> {
    let Ok(entries) = std::fs::read_dir(outbox) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "eml") {
            std::fs::remove_file(&path).map_err(|e| LocalError::io(&path, e))?;
        }
    }
    Ok(())
}

async fn pass_and_send(
    store: &SqliteStore,
    mailer: &OutboxMailer,
    policy: &Policy,
    now: DateTime<Utc>,
    dry_run: bool,
    out: &mut dyn Write,
) -> Result<(), LocalError> {
    let outcome: PassOutcome = service::run_pass(store, policy, now, dry_run).await?;
    let sent = if dry_run {
        Vec::new()
    } else {
        service::send_approved(store, mailer, policy, now).await?
    };
    let customers = store
        .customers(&outcome.held.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>())
        .await?;
    write(out, &tables::pass(&outcome, &sent, &customers, mailer.dir(), dry_run))?;
    if !dry_run {
        // A reply whose forward failed when it was received goes out now.
        crate::receive::forward_replies(store, mailer, policy, now, out).await?;
    }
    let failures: Vec<String> = sent
        .iter()
        .filter_map(|(id, result)| match result {
            Err(error) => Some(format!("{id}: {error}")),
            Ok(SendResult::Failed { reason }) => Some(format!("{id}: {reason}")),
            _ => None,
        })
        .chain(outcome.errors.iter().cloned())
        .collect();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(LocalError::Usage(format!(
            "some reminders failed:\n  {}",
            failures.join("\n  ")
        )))
    }
}

/// What an import wrote: counts, and each reminder it voided with the row that changed its figures.
struct Ingested {
    customers: usize,
    invoices: usize,
    voided: Vec<String>,
}

async fn ingest_all(
    store: &SqliteStore,
    policy: &Policy,
    records: &[(String, Record)],
    progress: &indicatif::ProgressBar,
) -> Result<Ingested, LocalError> {
    let mut ingested = Ingested {
        customers: 0,
        invoices: 0,
        voided: Vec::new(),
    };
    for (at, record) in records {
        let stored = match record {
            Record::Customer(customer) => {
                service::ingest_customer(store, policy, customer, Utc::now())
                    .await
                    .map(|voided| {
                        ingested.customers += 1;
                        let row = |id: &ReminderId| format!("{id} (customer {}, {at})", customer.id);
                        ingested.voided.extend(voided.iter().map(row));
                    })
            }
            Record::Invoice(invoice) => {
                service::ingest_invoice(store, policy, invoice, Utc::now())
                    .await
                    .map(|voided| {
                        ingested.invoices += 1;
                        ingested
                            .voided
                            .extend(voided.iter().map(|id| format!("{id} (invoice {}, {at})", invoice.id)));
                    })
            }
        };
        stored.map_err(|error| LocalError::Usage(format!("{at}: {error}; nothing was imported")))?;
        progress.inc(1);
    }
    Ok(ingested)
}

async fn import_file(
    store: &SqliteStore,
    policy: &Policy,
    file: &Path,
    skip_invalid: bool,
    out: &mut dyn Write,
) -> Result<(), LocalError> {
    let text = std::fs::read_to_string(file).map_err(|e| LocalError::io(file, e))?;
    let is_json = file.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
    let raw = if is_json {
        import::read_json(&text)
    } else {
        import::read_csv(&text)
    };
    let raw = raw.map_err(|problem| LocalError::Usage(format!("{}: {problem}", file.display())))?;

    let progress = indicatif::ProgressBar::new(raw.rows.len() as u64 * 2);
    progress.set_style(
        indicatif::ProgressStyle::with_template("{msg:>9} [{bar:40}] {pos}/{len} rows")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    progress.set_message("checking");
    let mut records = Vec::new();
    let mut errors: Vec<RowError> = Vec::new();
    for (at, kind, row) in &raw.rows {
        match import::parse_row(at, *kind, row) {
            Ok(record) => records.push((at.clone(), record)),
            Err(problems) => errors.extend(problems),
        }
        progress.inc(1);
    }
    // Invoices must name a customer that exists or comes in the same file.
    let mut known_customers: std::collections::HashSet<String> = records
        .iter()
        .filter_map(|(_, record)| match record {
            Record::Customer(customer) => Some(customer.id.0.clone()),
            Record::Invoice(_) => None,
        })
        .collect();
    let mut unknown = Vec::new();
    for (index, (at, record)) in records.iter().enumerate() {
        if let Record::Invoice(invoice) = record
            && !known_customers.contains(&invoice.customer_id.0)
        {
            if store.customer(&invoice.customer_id).await?.is_some() {
                known_customers.insert(invoice.customer_id.0.clone());
            } else {
                errors.push(RowError {
                    at: at.clone(),
                    field: "customer_id".into(),
                    problem: format!("no customer `{}` in the store or in this file", invoice.customer_id),
                });
                unknown.push(index);
            }
        }
    }
    for index in unknown.into_iter().rev() {
        records.remove(index);
    }
    if !errors.is_empty() && !skip_invalid {
        progress.finish_and_clear();
        return Err(LocalError::InvalidRows(errors));
    }
    progress.set_message("importing");
    // One transaction: the import lands whole or not at all, and commits once however many rows.
    store.begin_batch()?;
    let written = ingest_all(store, policy, &records, &progress).await;
    match written {
        Ok(_) => store.commit_batch()?,
        Err(_) => store.rollback_batch()?,
    }
    let Ingested {
        customers,
        invoices,
        voided,
    } = written?;
    progress.finish_and_clear();
    let mut report = format!(
        "Imported {customers} customer(s) and {invoices} invoice(s) from {}.\n",
        file.display()
    );
    if !voided.is_empty() {
        report.push_str(&format!(
            "Voided {} draft(s) or approval(s) showing figures that changed; each customer was planned again \
             (see `kindly drafts`):\n",
            voided.len()
        ));
        for reminder in &voided {
            report.push_str(&format!("  {reminder}\n"));
        }
    }
    if !errors.is_empty() {
        report.push_str(&format!("Skipped {} invalid row(s):\n", errors.len()));
        for error in &errors {
            report.push_str(&format!("  {error}\n"));
        }
    }
    write(out, &report)
}
