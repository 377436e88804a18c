//! A reminder's life: planned → pending approval | approved → sending → sent, or skipped, cancelled or
//! failed. Every change goes through [`Reminder::transition`], which refuses illegal moves.

use crate::actor::Actor;
use crate::customer::CustomerId;
use crate::error::CoreError;
use crate::invoice::InvoiceId;
use crate::status::ReminderStatus;
use crate::tone::Tone;
use chrono::{DateTime, NaiveDate, Utc};
use kindly_render::MessageContext;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A reminder's id. It is also its idempotency key: the same customer, stage and invoice set always give
/// the same id, so a retried or overlapping pass cannot create a second reminder for them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReminderId(pub String);

impl std::fmt::Display for ReminderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl ReminderId {
    /// The reminder whose [`Reminder::send_key`] is `key`.
    pub fn of_send_key(key: &str) -> ReminderId {
        match key.rsplit_once(SEND_ROUND) {
            Some((id, round)) if !round.is_empty() && round.bytes().all(|b| b.is_ascii_digit()) => {
                ReminderId(id.to_owned())
            }
            _ => ReminderId(key.to_owned()),
        }
    }

    /// The deterministic key for (customer, stage, invoice set); the order of `invoices` does not matter.
    pub fn for_plan(customer: &CustomerId, stage_id: &str, invoices: &[InvoiceId]) -> ReminderId {
        let mut sorted: Vec<&str> = invoices.iter().map(|id| id.0.as_str()).collect();
        sorted.sort_unstable();
        sorted.dedup();
        let mut hasher = Sha256::new();
        for part in [customer.0.as_str(), stage_id].into_iter().chain(sorted) {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        ReminderId(format!("rem_{}", &hex::encode(hasher.finalize())[..24]))
    }
}

/// One invoice a reminder covers, and the stage it reached for that invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoveredInvoice {
    pub invoice_id: InvoiceId,
    pub stage_id: String,
    pub tone: Tone,
}

/// The message of a reminder: its render input and the hash of what that input renders to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub context: MessageContext,
    pub content_hash: String,
}

/// Who approved which exact content, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRecord {
    pub by: Actor,
    pub at: DateTime<Utc>,
    pub content_hash: String,
}

/// One step in a reminder's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub from: ReminderStatus,
    pub to: ReminderStatus,
    pub at: DateTime<Utc>,
    pub by: Actor,
    #[serde(default)]
    pub note: Option<String>,
}

/// One consolidated reminder to one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    pub id: ReminderId,
    pub customer_id: CustomerId,
    /// The most advanced stage among the covered invoices: it sets the tone.
    pub stage_id: String,
    pub tone: Tone,
    pub covers: Vec<CoveredInvoice>,
    pub status: ReminderStatus,
    /// The customer's local date the reminder was planned for.
    pub planned_for: NaiveDate,
    pub created_at: DateTime<Utc>,
    /// `None` for a stage that is only a task for staff.
    pub draft: Option<Draft>,
    pub task: Option<String>,
    #[serde(default)]
    pub approval: Option<ApprovalRecord>,
    #[serde(default)]
    pub sent_message_id: Option<String>,
    /// The customer's local date the message went out.
    #[serde(default)]
    pub sent_on: Option<NaiveDate>,
    #[serde(default)]
    pub failure: Option<String>,
    #[serde(default)]
    pub history: Vec<Transition>,
}

/// How the sender's reason for stopping a message to an address that bounced or complained ends.
pub const BLOCKED_ADDRESS: &str = "bounced or complained: kindly no longer writes to it";

/// Between a reminder's id and the round of a message sent again after it went undelivered.
const SEND_ROUND: &str = "_r";

impl Reminder {
    /// The key its message is sent under, which the mailer is idempotent on (and which names the outbox
    /// file and the Message-ID): its id — or, for the message planned again after it went undelivered,
    /// its id and that round (`rem_…_r1`), so the new message is not taken for the one that bounced.
    pub fn send_key(&self) -> String {
        let rounds = self
            .history
            .iter()
            .filter(|step| step.to == ReminderStatus::Undelivered)
            .count();
        match rounds {
            0 => self.id.0.clone(),
            round => format!("{}{SEND_ROUND}{round}", self.id.0),
        }
    }

    /// Move to `to`, recording who did it and why; an illegal move changes nothing and is an error.
    pub fn transition(
        &mut self,
        to: ReminderStatus,
        at: DateTime<Utc>,
        by: &Actor,
        note: Option<String>,
    ) -> Result<(), CoreError> {
        if !self.status.can_become(to) {
            return Err(CoreError::IllegalTransition {
                id: self.id.0.clone(),
                from: self.status,
                to,
            });
        }
        self.history.push(Transition {
            from: self.status,
            to,
            at,
            by: by.clone(),
            note,
        });
        self.status = to;
        Ok(())
    }

    /// A thank-you after payment rather than a request for it: it wants its invoices paid, not open, and
    /// moves no invoice along the ladder.
    pub fn is_thank_you(&self) -> bool {
        self.stage_id == crate::policy::THANK_YOU_STAGE
    }

    /// A task asking staff to settle a payment kindly could not apply: it covers a held invoice, moves no
    /// invoice along the ladder, and doing it releases the hold.
    pub fn is_payment_review(&self) -> bool {
        self.stage_id == crate::policy::PAYMENT_REVIEW_STAGE
    }

    /// The acknowledgement of a customer's answer: it goes out whatever its invoices' state (they may be
    /// held, disputed or paid meanwhile), once.
    pub fn is_acknowledgement(&self) -> bool {
        self.stage_id == crate::policy::ACKNOWLEDGEMENT_STAGE
    }

    /// The courteous note the business day before a promised payment.
    pub fn is_promise_eve(&self) -> bool {
        self.stage_id == crate::policy::PROMISE_EVE_STAGE
    }

    /// A payment plan's message: the note before an instalment or the reminder after a missed one.
    pub fn is_plan_note(&self) -> bool {
        matches!(
            self.stage_id.as_str(),
            crate::policy::INSTALMENT_NOTE_STAGE | crate::policy::INSTALMENT_MISSED_STAGE
        )
    }

    /// A task asking staff to decide a payment plan a customer asked for.
    pub fn is_plan_request(&self) -> bool {
        self.stage_id == crate::policy::PLAN_REQUEST_STAGE
    }

    /// The note before an early-payment discount's deadline ([`crate::discount_note`]).
    pub fn is_discount_note(&self) -> bool {
        self.stage_id == crate::policy::DISCOUNT_NOTE_STAGE
    }

    /// A reply to something the customer did (paid, answered) rather than a request: it may go out any
    /// business hour after it is queued, and a pause does not stop it.
    pub fn is_reply(&self) -> bool {
        self.is_thank_you() || self.is_acknowledgement()
    }

    /// Cancelled by the sender at the last look, because an address it went to had bounced or complained
    /// (its reason ends with [`BLOCKED_ADDRESS`]): it never reached the mailer.
    pub fn stopped_at_blocked_address(&self) -> bool {
        self.status == ReminderStatus::Cancelled
            && self.history.last().is_some_and(|step| {
                step.to == ReminderStatus::Cancelled
                    && step.note.as_deref().is_some_and(|note| note.ends_with(BLOCKED_ADDRESS))
            })
    }

    /// Not a rung of the ladder (a thank-you, a payment review, an acknowledgement, a promise's eve, a
    /// payment plan's note or request, a discount note): it neither holds a reminder back nor starts the gap
    /// before one, and moves no invoice along the ladder.
    pub fn is_off_ladder(&self) -> bool {
        self.is_thank_you()
            || self.is_payment_review()
            || self.is_acknowledgement()
            || self.is_promise_eve()
            || self.is_plan_note()
            || self.is_plan_request()
            || self.is_discount_note()
    }

    pub fn invoice_ids(&self) -> Vec<InvoiceId> {
        self.covers.iter().map(|covered| covered.invoice_id.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ids(names: &[&str]) -> Vec<InvoiceId> {
        names.iter().map(|name| InvoiceId(name.to_string())).collect()
    }

    #[test]
    fn key_ignores_invoice_order_but_not_content() {
        let customer = CustomerId("C1".into());
        let key = ReminderId::for_plan(&customer, "due_today", &ids(&["a", "b"]));
        assert_eq!(key, ReminderId::for_plan(&customer, "due_today", &ids(&["b", "a"])));
        assert_ne!(key, ReminderId::for_plan(&customer, "due_today", &ids(&["a"])));
        assert_ne!(
            key,
            ReminderId::for_plan(&customer, "crossed_in_mail", &ids(&["a", "b"]))
        );
        assert_ne!(
            key,
            ReminderId::for_plan(&CustomerId("C2".into()), "due_today", &ids(&["a", "b"]))
        );
        // Length prefixes keep ("ab", "c") apart from ("a", "bc").
        assert_ne!(
            ReminderId::for_plan(&CustomerId("ab".into()), "c", &[]),
            ReminderId::for_plan(&CustomerId("a".into()), "bc", &[])
        );
    }

    #[test]
    fn a_message_sent_again_after_it_went_undelivered_has_a_key_of_its_own() {
        let mut reminder = crate::fixtures::reminder("C1", "due_today", &["I1"], ReminderStatus::Sent);
        assert_eq!(reminder.send_key(), reminder.id.0);
        for round in 1..=2 {
            reminder.history.push(Transition {
                from: ReminderStatus::Sent,
                to: ReminderStatus::Undelivered,
                at: crate::fixtures::instant("2026-03-12"),
                by: crate::actor::Actor::System,
                note: None,
            });
            let key = reminder.send_key();
            assert_eq!(key, format!("{}_r{round}", reminder.id.0));
            assert_eq!(ReminderId::of_send_key(&key), reminder.id);
        }
        for plain in ["rem_0a1b2c", "rem_ack_9f", "rem_x_r", "rem_x_rx1"] {
            assert_eq!(ReminderId::of_send_key(plain).0, plain);
        }
    }

    #[test]
    fn the_lifecycle_allows_only_forward_moves() {
        use ReminderStatus::*;
        assert!(PendingApproval.can_become(Approved));
        assert!(Approved.can_become(Sending));
        assert!(Sending.can_become(Sent));
        for terminal in [Skipped, Cancelled] {
            for to in ReminderStatus::ALL {
                assert!(
                    !terminal.can_become(to),
                    "{terminal} must be final, but may become {to}"
                );
            }
        }
        // A failure waits for a person: it went out after all, or it is planned again.
        let resolved: Vec<_> = ReminderStatus::ALL
            .into_iter()
            .filter(|to| Failed.can_become(*to))
            .collect();
        assert_eq!(resolved, [Sent, Cancelled]);
        // A sent message stays sent, unless the mail system says it never arrived.
        let after_sent: Vec<_> = ReminderStatus::ALL
            .into_iter()
            .filter(|to| Sent.can_become(*to))
            .collect();
        assert_eq!(after_sent, [Undelivered]);
        let after_undelivered: Vec<_> = ReminderStatus::ALL
            .into_iter()
            .filter(|to| Undelivered.can_become(*to))
            .collect();
        assert_eq!(after_undelivered, [Cancelled]);
        assert!(!PendingApproval.can_become(Sending), "sending needs an approval first");
        assert!(!PendingApproval.can_become(Sent));
    }

    proptest! {
        #[test]
        fn key_is_stable_under_permutation(names in proptest::collection::vec("[a-z0-9]{1,6}", 1..8), seed in any::<u64>()) {
            let customer = CustomerId("C".into());
            let mut shuffled = names.clone();
            let len = shuffled.len();
            shuffled.rotate_left((seed as usize) % len);
            shuffled.reverse();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let shuffled: Vec<&str> = shuffled.iter().map(String::as_str).collect();
            prop_assert_eq!(
                ReminderId::for_plan(&customer, "s", &ids(&names)),
                ReminderId::for_plan(&customer, "s", &ids(&shuffled))
            );
        }
    }
}
