//! One conversation per customer: while any invoice of a customer is in escalation, the customer, not
//! each invoice, has the conversation, and the tone of the ladder messages they receive never falls back
//! until it ends. Pure: the invoices, the reminders and the day are parameters.
//!
//! The definitions, which the planner keeps and the simulator's `tone-never-falls-back` promise checks:
//! - An invoice is *in escalation* on a day ([`in_escalation`]) when it is owed (open with a balance: not
//!   paid, void, payment-pending, disputed, on a plan, written off or handed over), overdue that day, and
//!   on the ladder: the customer heard a ladder message about it (`DunningProgress::last_tone`) — one
//!   never mentioned is not yet part of any conversation.
//! - A customer's conversation is *live* while at least one of their invoices is in escalation, and ends
//!   when none is: everything overdue is settled, on a plan or disputed. The next one starts from the
//!   beginning of the ladder.
//! - A live conversation's *tone* ([`ConversationFacts::tone_on`]) is the highest of the tone of the last
//!   ladder message the customer received and the last tones of the invoices in escalation.
//! - In a live conversation only an invoice whose stage is at least that tone starts a message
//!   ([`leads`]); one whose stage is gentler (a newly due invoice) *rides along*: it joins the next
//!   message the conversation sends, at its own stage, and starts no courteous ladder of its own. Its own
//!   tone cap is lifted to the conversation's (see `planner::target_stage`), so an invoice left behind when
//!   the one that set the tone is paid climbs to that tone on its own calendar rather than waiting forever.

use crate::invoice::{Invoice, InvoiceStatus};
use crate::reminder::Reminder;
use crate::status::ReminderStatus;
use crate::tone::Tone;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// What the planner needs to know of a customer's conversation, read from all their invoices (not only
/// the ones whose next action is due) and their reminders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversationFacts {
    /// For each owed invoice on the ladder: its due date and the tone last said about it. Whether it is
    /// overdue depends on the day planned for, so the day is applied in [`Self::tone_on`].
    pub escalated: Vec<(NaiveDate, Tone)>,
    /// The tone of the last ladder message the customer received (sent, with a message).
    pub last_message_tone: Option<Tone>,
}

impl ConversationFacts {
    /// Read from every invoice of one customer and their reminders.
    pub fn read(invoices: &[Invoice], reminders: &[Reminder]) -> ConversationFacts {
        let escalated = invoices
            .iter()
            .filter(|invoice| owed(invoice))
            .filter_map(|invoice| Some((invoice.due_date, invoice.dunning.last_tone?)))
            .collect();
        let last_message_tone = reminders
            .iter()
            .filter(|reminder| {
                reminder.status == ReminderStatus::Sent && reminder.draft.is_some() && !reminder.is_off_ladder()
            })
            .max_by_key(|reminder| (reminder.sent_on, reminder.created_at))
            .map(|reminder| reminder.tone);
        ConversationFacts {
            escalated,
            last_message_tone,
        }
    }

    /// The tone of the customer's conversation on `day`, or `None` when none is live.
    pub fn tone_on(&self, day: NaiveDate) -> Option<Tone> {
        let escalated = self
            .escalated
            .iter()
            .filter(|(due_date, _)| *due_date < day)
            .map(|(_, tone)| *tone)
            .max()?;
        Some(self.last_message_tone.map_or(escalated, |last| last.max(escalated)))
    }
}

/// Owed and on the ladder's terms: open with a balance. A hold (a promise, a claimed payment) or a snooze
/// pauses the messages, not the conversation.
fn owed(invoice: &Invoice) -> bool {
    invoice.status == InvoiceStatus::Open && invoice.balance() > Decimal::ZERO
}

/// Whether `invoice` is in escalation on `day`: owed, overdue, and on the ladder.
pub fn in_escalation(invoice: &Invoice, day: NaiveDate) -> bool {
    owed(invoice) && invoice.due_date < day && invoice.dunning.last_tone.is_some()
}

/// Whether an invoice at a stage of `tone` may start a message in a conversation at `conversation`
/// (`None`: no conversation is live, so every invoice may).
pub fn leads(tone: Tone, conversation: Option<Tone>) -> bool {
    conversation.is_none_or(|floor| tone >= floor)
}

#[cfg(test)]
#[path = "conversation_tests.rs"]
mod tests;
