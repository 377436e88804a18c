//! `kindly report aging|dso|cei|receipts|outcomes`: the core reads and shapes ([`kindly_core::reports`]),
//! this prints. Amounts are shown in each currency's own format, never summed across currencies.

use crate::app::write;
use crate::cli::Report;
use crate::error::LocalError;
use crate::sqlite_store::SqliteStore;
use crate::tables::table;
use chrono::NaiveDate;
use kindly_core::aging::{BUCKETS, aging_report};
use kindly_core::money::format_money;
use kindly_core::reports::customers::{CurrencyOutcomes, CustomerAging, GivenUp, aging_by_customer, outcomes};
use kindly_core::reports::receipts::{HORIZON_DAYS, Receipts, Source};
use kindly_core::reports::{CurrencyCei, CurrencyDso, cei, dso};
use kindly_core::{Currency, Customer, CustomerId, Policy, Store, service};
use rust_decimal::Decimal;
use std::io::Write;

/// What `kindly report` was asked.
pub struct Asked {
    pub report: Report,
    pub today: NaiveDate,
    pub months: Option<u32>,
    pub by_customer: bool,
}

/// Run one report (not `reasons`, which [`crate::staff`] prints).
pub async fn run(store: &SqliteStore, policy: &Policy, asked: Asked, out: &mut dyn Write) -> Result<(), LocalError> {
    let takes_months = matches!(asked.report, Report::Dso | Report::Cei | Report::Reasons);
    if asked.months.is_some() && !takes_months {
        return Err(LocalError::Usage(
            "--months: only `kindly report dso`, `cei` and `reasons` take it".into(),
        ));
    }
    if asked.by_customer && asked.report != Report::Aging {
        return Err(LocalError::Usage(
            "--by-customer: only `kindly report aging` takes it".into(),
        ));
    }
    let today = asked.today;
    let text = match asked.report {
        Report::Aging if asked.by_customer => {
            let invoices = store.unsettled_invoices().await?;
            let rows = aging_by_customer(&invoices, today);
            let customers = service::customers_of(store, rows.iter().map(|row| &row.customer_id)).await?;
            customer_aging(&rows, &customers, today)
        }
        Report::Aging => crate::tables::aging(&aging_report(&store.unsettled_invoices().await?, today), today),
        Report::Dso | Report::Cei => {
            let months = crate::staff::months(asked.months)?;
            let ledger = service::ledger(store, today, months).await?;
            match asked.report {
                Report::Dso => dso_text(&dso(&ledger.invoices, &ledger.months, ledger.data_from), today),
                _ => cei_text(&cei(&ledger.invoices, &ledger.months), today),
            }
        }
        Report::Receipts => {
            let (receipts, customers) = service::receipts(store, policy, today, HORIZON_DAYS).await?;
            receipts_text(&receipts, &customers, today)
        }
        Report::Outcomes => {
            let rows = outcomes(&store.unsettled_invoices().await?);
            let ids = rows
                .iter()
                .flat_map(|row| row.written_off_invoices.iter().chain(&row.handed_over_invoices))
                .map(|given| &given.customer_id);
            let customers = service::customers_of(store, ids).await?;
            outcomes_text(&rows, &customers)
        }
        Report::Reasons => unreachable!("`kindly report reasons` is the staff module's"),
    };
    write(out, &text)
}

fn money(amount: Decimal, currency: Currency) -> String {
    format_money(amount, currency, "en-US")
}

fn name_of(customers: &[Customer], id: &CustomerId) -> String {
    customers
        .iter()
        .find(|customer| customer.id == *id)
        .map_or_else(|| id.0.clone(), |customer| customer.display_name.clone())
}

/// The note under DSO and CEI when some payments cannot be dated.
fn undated_note(undated: usize) -> String {
    match undated {
        0 => String::new(),
        1 => "\n1 invoice was paid before kindly dated payments: its payments count as made all along.\n".into(),
        n => {
            format!("\n{n} invoices were paid before kindly dated payments: their payments count as made all along.\n")
        }
    }
}

fn dso_text(report: &[CurrencyDso], today: NaiveDate) -> String {
    if report.is_empty() {
        return format!("No invoices to measure as of {today}.\n");
    }
    let mut rows = table(&["Currency", "Month", "Measured on", "Owed", "Sales", "DSO (days)"]);
    for currency in report {
        for month in &currency.months {
            let days = match month.at_least {
                true => format!("≥ {}", month.days),
                false => month.days.to_string(),
            };
            rows.add_row(vec![
                currency.currency.code().to_owned(),
                month.month.clone(),
                month.end.to_string(),
                money(month.receivable, currency.currency),
                money(month.sales, currency.currency),
                days,
            ]);
        }
    }
    let undated = report.iter().map(|currency| currency.undated).sum();
    format!(
        "Days sales outstanding (countback), to {today}:\n{rows}\n{}",
        undated_note(undated)
    )
}

fn cei_text(report: &[CurrencyCei], today: NaiveDate) -> String {
    if report.is_empty() {
        return format!("No invoices to measure as of {today}.\n");
    }
    let mut rows = table(&[
        "Currency",
        "Month",
        "Owed at start",
        "Sales",
        "Owed at end",
        "Not yet due",
        "CEI",
    ]);
    for currency in report {
        let code = currency.currency;
        for month in &currency.months {
            rows.add_row(vec![
                code.code().to_owned(),
                month.month.clone(),
                money(month.begin, code),
                money(month.sales, code),
                money(month.end, code),
                money(month.end_current, code),
                month
                    .percent
                    .map_or_else(|| "—".to_owned(), |percent| format!("{percent}%")),
            ]);
        }
    }
    let undated = report.iter().map(|currency| currency.undated).sum();
    format!(
        "Collection effectiveness index, to {today}:\n{rows}\n{}",
        undated_note(undated)
    )
}

fn customer_aging(rows: &[CustomerAging], customers: &[Customer], today: NaiveDate) -> String {
    if rows.is_empty() {
        return format!("Nothing is owed as of {today}.\n");
    }
    let mut header = vec!["Customer / invoice", "Currency"];
    header.extend(BUCKETS);
    header.push("Total");
    let mut table = table(&header);
    for row in rows {
        let mut cells = vec![name_of(customers, &row.customer_id), row.currency.code().to_owned()];
        cells.extend(row.buckets.iter().map(|amount| money(*amount, row.currency)));
        cells.push(money(row.total, row.currency));
        table.add_row(cells);
        for invoice in &row.invoices {
            let when = match invoice.days_overdue {
                days if days > 0 => format!("{days} days overdue"),
                _ => format!("due {}", invoice.due_date),
            };
            let mut cells = vec![format!("  {} ({when})", invoice.number), String::new()];
            cells.extend((0..BUCKETS.len()).map(|bucket| match bucket == invoice.bucket {
                true => money(invoice.balance, row.currency),
                false => String::new(),
            }));
            cells.push(String::new());
            table.add_row(cells);
        }
    }
    format!("Aging by customer as of {today} (days past due), each customer's invoices below them:\n{table}\n")
}

fn receipts_text(receipts: &Receipts, customers: &[Customer], today: NaiveDate) -> String {
    let last = today + chrono::Days::new(u64::from(HORIZON_DAYS));
    if receipts.expected.is_empty() {
        return format!("Nothing is expected from {today} to {last}: no open promise or instalment falls due.\n");
    }
    let mut rows = table(&["Day", "Customer", "Amount", "From", "Invoices"]);
    for item in &receipts.expected {
        let from = match &item.source {
            Source::Promise { answer } => format!("promise {answer}"),
            Source::Instalment { plan, number } => format!("instalment {number} of {plan}"),
        };
        let invoices: Vec<&str> = item.invoices.iter().map(|id| id.0.as_str()).collect();
        rows.add_row(vec![
            item.day.to_string(),
            name_of(customers, &item.customer_id),
            money(item.amount, item.currency),
            from,
            invoices.join(", "),
        ]);
    }
    let totals: Vec<String> = receipts
        .totals
        .iter()
        .map(|(currency, total)| money(*total, *currency))
        .collect();
    format!(
        "Expected from {today} to {last}:\n{rows}\nIn all: {}\n",
        totals.join(", ")
    )
}

fn outcomes_text(rows: &[CurrencyOutcomes], customers: &[Customer]) -> String {
    if rows.is_empty() {
        return "Nothing was written off or handed over.\n".into();
    }
    let mut summary = table(&["Currency", "Written off", "Handed over"]);
    let mut list = table(&["Invoice", "Customer", "Outcome", "Balance", "By", "On", "Why / to whom"]);
    for row in rows {
        let counted = |amount: Decimal, count: usize| format!("{} ({count})", money(amount, row.currency));
        summary.add_row(vec![
            row.currency.code().to_owned(),
            counted(row.written_off, row.written_off_invoices.len()),
            counted(row.handed_over, row.handed_over_invoices.len()),
        ]);
        let given_up = [
            ("written off", &row.written_off_invoices),
            ("handed over", &row.handed_over_invoices),
        ];
        for (outcome, invoices) in given_up {
            for given in invoices {
                list.add_row(given_up_row(given, outcome, row.currency, customers));
            }
        }
    }
    format!("Written off and handed over:\n{summary}\n\n{list}\n")
}

fn given_up_row(given: &GivenUp, outcome: &str, currency: Currency, customers: &[Customer]) -> Vec<String> {
    let (by, on, why) = match &given.outcome {
        Some(decision) => (
            decision.by.to_string(),
            decision.at.date_naive().to_string(),
            decision.reason.clone(),
        ),
        None => ("accounting system".into(), "—".into(), "—".into()),
    };
    vec![
        given.number.clone(),
        name_of(customers, &given.customer_id),
        outcome.to_owned(),
        money(given.balance, currency),
        by,
        on,
        why,
    ]
}
