//! The demo's past, made by kindly itself: the script's happenings go through the real ingest and payment
//! services at their instants, and every day before today runs what a finance team running kindly would —
//! the pass at noon UTC (one calendar day for every demo customer), staff approving every draft waiting at
//! 14:00, and the approved messages going out at 16:00. Every day, like `kindly run` on a daily schedule:
//! the local command keeps no business calendar. The history stops just before today's pass, which the
//! demo runs and prints as `kindly run` would.

use super::{Happening, Script, at, demo_now};
use crate::error::LocalError;
use crate::outbox::OutboxMailer;
use chrono::{DateTime, Days, Utc};
use kindly_core::ports::MAX_BATCH;
use kindly_core::service::{self, PaymentOutcome, SendResult};
use kindly_core::{InvoiceId, Policy, ReminderStatus, Store};
use std::path::Path;

/// Who approves the drafts of past days (recorded in each reminder's history).
pub const APPROVER: &str = "Riley (finance)";

const REVIEW_HOUR: u32 = 14;
const SEND_HOUR: u32 = 16;

/// What the replay did.
#[derive(Debug)]
pub struct Replayed {
    /// Messages that went out before today (thank-yous included), each written to the history outbox.
    pub sent: usize,
    /// This morning's payments and what each did, for today's report.
    pub this_morning: Vec<(InvoiceId, PaymentOutcome)>,
}

enum Step<'a> {
    Happen(&'a Happening),
    Pass,
    Review,
    Send,
}

/// Run kindly over `script` up to today's pass (not included). Past messages are written to
/// `history_outbox`, dated when they went out.
pub async fn replay<S: Store>(
    store: &S,
    policy: &Policy,
    script: &Script,
    history_outbox: &Path,
) -> Result<Replayed, LocalError> {
    let today_pass = demo_now(script.today);
    let mut steps: Vec<(DateTime<Utc>, Step)> = script
        .happenings
        .iter()
        .map(|(when, happening)| (*when, Step::Happen(happening)))
        .collect();
    let mut day = script.start;
    while day < script.today {
        steps.push((demo_now(day), Step::Pass));
        steps.push((at(day, REVIEW_HOUR), Step::Review));
        steps.push((at(day, SEND_HOUR), Step::Send));
        day = day + Days::new(1);
    }
    // Stable: at one instant, what the world did comes before kindly's own step.
    steps.sort_by_key(|(when, _)| *when);
    let mut replayed = Replayed {
        sent: 0,
        this_morning: Vec::new(),
    };
    for (now, step) in steps {
        if now >= today_pass {
            return Err(LocalError::Usage(format!(
                "the demo's script has something happen at {now}, after today's pass"
            )));
        }
        match step {
            Step::Happen(Happening::Customer(customer)) => {
                service::ingest_customer(store, policy, customer, now).await?;
            }
            Step::Happen(Happening::Invoice(invoice)) => {
                service::ingest_invoice(store, policy, invoice, now).await?;
            }
            Step::Happen(Happening::Payment { invoice, event }) => {
                let outcome = service::apply_payment_event(store, policy, invoice, event, now).await?;
                if now.date_naive() == script.today {
                    replayed.this_morning.push((invoice.clone(), outcome));
                }
            }
            Step::Pass => {
                let outcome = service::run_pass(store, policy, now, false).await?;
                if let Some(error) = outcome.errors.first() {
                    return Err(went_wrong(now, error));
                }
            }
            Step::Review => approve_everything_waiting(store, now).await?,
            Step::Send => {
                let mailer = OutboxMailer::dated(history_outbox, now.into());
                for (id, result) in service::send_approved(store, &mailer, policy, now).await? {
                    match result? {
                        SendResult::Sent { .. } => replayed.sent += 1,
                        SendResult::Failed { reason } => return Err(went_wrong(now, &format!("{id}: {reason}"))),
                        _ => {}
                    }
                }
            }
        }
    }
    Ok(replayed)
}

/// Staff approve every draft and task waiting, exactly as each renders.
async fn approve_everything_waiting<S: Store>(store: &S, now: DateTime<Utc>) -> Result<(), LocalError> {
    let waiting: Vec<_> = store
        .reminders_with_status(ReminderStatus::PendingApproval)
        .await?
        .into_iter()
        .map(|reminder| {
            let hash = reminder.draft.map(|draft| draft.content_hash).unwrap_or_default();
            (reminder.id, hash)
        })
        .collect();
    for batch in waiting.chunks(MAX_BATCH) {
        if let Err(refused) = service::approve_all(store, batch, APPROVER, now).await? {
            let (id, error) = &refused[0];
            return Err(went_wrong(now, &format!("approving {id}: {error}")));
        }
    }
    Ok(())
}

fn went_wrong(now: DateTime<Utc>, what: &str) -> LocalError {
    LocalError::Usage(format!("the demo's history went wrong at {now}: {what}"))
}
