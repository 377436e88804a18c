//! The email that forwards a customer's reply to the billing mailbox the policy names
//! ([`crate::policy::MailFeedbackRules::forward_replies_to`]): pure, rendered by `kindly_render`.

use crate::answer::{Answer, AnswerId, AnswerKind};
use crate::customer::Customer;
use crate::error::CoreError;
use crate::policy::Policy;
use crate::ports::OutgoingEmail;
use crate::reminder::Reminder;
use kindly_render::{ForwardContext, Mailbox};

/// The key a forward is sent under (and its outbox file and Message-ID are named by): one per reply.
pub fn forward_key(answer: &AnswerId) -> String {
    format!("fwd_{answer}")
}

/// The email forwarding `answer`, a person's reply to `reminder` (covering invoices `numbers`), to
/// `mailbox`: from the address the reminder was sent from, Reply-To the customer, so that answering it
/// from a mail client writes to them. `None` for any other kind of answer.
pub fn forward_of_reply(
    policy: &Policy,
    mailbox: &str,
    customer: &Customer,
    reminder: &Reminder,
    answer: &Answer,
    numbers: Vec<String>,
) -> Result<Option<OutgoingEmail>, CoreError> {
    let AnswerKind::Reply { from, subject, text } = &answer.kind else {
        return Ok(None);
    };
    let sender = match &reminder.draft {
        Some(draft) => draft.context.from.email.clone(),
        None => policy
            .senders
            .values()
            .next()
            .map(|sender| sender.email.clone())
            .ok_or_else(|| CoreError::Policy("no sender to forward replies from".into()))?,
    };
    let context = ForwardContext {
        customer: customer.display_name.clone(),
        customer_id: customer.id.0.clone(),
        from: from.clone(),
        subject: subject.clone(),
        received: answer.at.format("%Y-%m-%d %H:%M UTC").to_string(),
        invoices: numbers,
        held_until: answer.hold_until.map(|day| day.format("%Y-%m-%d").to_string()),
        text: text.clone(),
    };
    let parts = kindly_render::render_forward(&context)?;
    Ok(Some(OutgoingEmail {
        idempotency_key: forward_key(&answer.id),
        from: Mailbox {
            name: format!("{} via kindly", customer.display_name),
            email: sender,
        },
        reply_to: Some(Mailbox {
            name: String::new(),
            email: from.clone(),
        }),
        to: vec![Mailbox {
            name: String::new(),
            email: mailbox.to_owned(),
        }],
        cc: Vec::new(),
        subject: parts.subject,
        text: parts.text,
        html: parts.html,
        tags: vec![
            ("forward".into(), answer.id.0.clone()),
            ("customer".into(), customer.id.0.clone()),
        ],
    }))
}
