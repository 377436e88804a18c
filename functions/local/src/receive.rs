//! `kindly receive FILE.eml…`: mail handed over as a mail server would — delivery status notifications,
//! complaint reports, replies — read by `kindly-inbound` and acted on by the core
//! ([`service::record_mail_event`]). One line per file says what came of it. A person's reply is then
//! forwarded to the policy's billing mailbox, into the outbox ([`forward_replies`]).

use crate::app::write;
use crate::error::LocalError;
use crate::outbox::OutboxMailer;
use crate::sqlite_store::SqliteStore;
use chrono::{DateTime, Utc};
use kindly_core::Policy;
use kindly_core::compose_forward::forward_key;
use kindly_core::feedback::{MailEvent, MailEventKind};
use kindly_core::link::LinkKeys;
use kindly_core::service::{self, FeedbackOutcome, Forwarded};
use std::io::Write;
use std::path::PathBuf;

/// Take each of `files`; a file that cannot be read or is not such mail is reported and the rest are
/// still taken. An error at the end when any file failed.
pub async fn receive(
    store: &SqliteStore,
    mailer: &OutboxMailer,
    policy: &Policy,
    keys: Option<&LinkKeys>,
    files: &[PathBuf],
    now: DateTime<Utc>,
    out: &mut dyn Write,
) -> Result<(), LocalError> {
    let mut failed = 0;
    for file in files {
        let line = match take(store, policy, keys, file, now).await {
            Ok(said) => said,
            Err(error) => {
                failed += 1;
                format!("not taken: {error}")
            }
        };
        write(out, &format!("{}: {line}\n", file.display()))?;
    }
    forward_replies(store, mailer, policy, now, out).await?;
    match failed {
        0 => Ok(()),
        _ => Err(LocalError::Usage(format!(
            "{failed} of {} file(s) could not be taken; the others were",
            files.len()
        ))),
    }
}

async fn take(
    store: &SqliteStore,
    policy: &Policy,
    keys: Option<&LinkKeys>,
    file: &PathBuf,
    now: DateTime<Utc>,
) -> Result<String, LocalError> {
    let raw = std::fs::read(file).map_err(|e| LocalError::io(file, e))?;
    let event = kindly_inbound::parse_mail(&raw, keys).map_err(|e| LocalError::Usage(e.to_string()))?;
    let outcome = service::record_mail_event(store, policy, &event, now).await?;
    Ok(said(&event, &outcome))
}

/// Forward the replies waiting for staff to the policy's billing mailbox (into the outbox), once each
/// ([`service::forward_replies`]); a line for each.
pub async fn forward_replies(
    store: &SqliteStore,
    mailer: &OutboxMailer,
    policy: &Policy,
    now: DateTime<Utc>,
    out: &mut dyn Write,
) -> Result<(), LocalError> {
    let Some(mailbox) = &policy.mail_feedback.forward_replies_to else {
        return Ok(());
    };
    for forwarded in service::forward_replies(store, mailer, policy, now).await? {
        let line = match forwarded {
            Forwarded::Sent { answer, .. } => format!(
                "reply {answer} forwarded to {mailbox}: {}\n",
                mailer.dir().join(format!("{}.eml", forward_key(&answer))).display()
            ),
            Forwarded::Failed { answer, reason, .. } => format!("reply {answer} not forwarded: {reason}\n"),
            Forwarded::InDoubt { answer } => format!("reply {answer}: its forward stopped mid-way; not sent again\n"),
        };
        write(out, &line)?;
    }
    Ok(())
}

/// What came of `event`, in a line.
fn said(event: &MailEvent, outcome: &FeedbackOutcome) -> String {
    let what = match &event.kind {
        MailEventKind::Delivered { .. } => "delivered",
        MailEventKind::Delayed { .. } => "delayed",
        MailEventKind::Bounced { bounce, .. } if bounce.is_hard() => "bounced",
        MailEventKind::Bounced { .. } => "bounced for now",
        MailEventKind::Complained { .. } => "a complaint",
        MailEventKind::Rejected { .. } => "refused by the mail provider",
        MailEventKind::RenderingFailed { .. } => "not rendered by the mail provider",
        MailEventKind::Replied(reply) if reply.automatic.is_some() => "an automatic reply",
        MailEventKind::Replied(_) => "a reply",
    };
    match outcome {
        FeedbackOutcome::Recorded {
            reminder,
            customer,
            undelivered,
            blocked,
        } => {
            let mut line = format!("{what} about {reminder} to {customer}");
            if !blocked.is_empty() {
                line.push_str(&format!("; no longer written to: {}", blocked.join(", ")));
            }
            if *undelivered {
                line.push_str("; not delivered, so not counted as said (`kindly tasks` asks for a new address)");
            }
            line
        }
        FeedbackOutcome::Replied {
            reminder,
            customer,
            answer,
        } => {
            let held = match (answer.needs_staff(), answer.hold_until) {
                (true, Some(until)) => {
                    format!("; their reminders wait until someone reads it (`kindly tasks`), at most until {until}")
                }
                (false, Some(until)) => format!("; their reminders wait until {until}"),
                _ => String::new(),
            };
            format!("{what} to {reminder} from {customer}, recorded as {}{held}", answer.id)
        }
        FeedbackOutcome::Repeated => format!("{what}, taken before; nothing changed"),
        FeedbackOutcome::Unmatched => format!("{what}, but about no message kindly sent; nothing changed"),
    }
}
