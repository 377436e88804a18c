//! The promise of one conversation per customer (`tone-never-falls-back`), as a pure record of what the
//! customers' inboxes show: within a customer's conversation no ladder message is gentler than the one
//! before it, and a new conversation (which may start gently again) begins only once the customer owes
//! nothing in escalation — everything overdue settled, on a plan or disputed
//! ([`kindly_core::conversation`] defines it).

use kindly_core::tone::Tone;

/// Per customer, the tone of the last ladder message of their conversation; `None` once it ended.
#[derive(Debug, Default)]
pub struct Conversations {
    tone: Vec<Option<Tone>>,
    /// Per customer, the tone kindly's stored records give their conversation (what the planner applies).
    planned_at: Vec<Option<Tone>>,
}

impl Conversations {
    pub fn new(customers: usize) -> Conversations {
        Conversations {
            tone: vec![None; customers],
            planned_at: vec![None; customers],
        }
    }

    /// A ladder message at `tone` reached `customer`: a problem when it is gentler than the last one of
    /// the conversation.
    pub fn delivered(&mut self, customer: usize, stage: &str, tone: Tone) -> Option<String> {
        let last = self.tone[customer].replace(tone)?;
        (tone < last).then(|| {
            format!(
                "C{customer:04} got `{stage}` ({tone}) though their conversation had reached {last} and \
                 had not ended"
            )
        })
    }

    /// What kindly stores of `customer`'s invoices now: with none in escalation, the conversation ended.
    pub fn observed(&mut self, customer: usize, live: bool) {
        if !live {
            self.tone[customer] = None;
        }
    }

    /// The tone kindly's records now give `customer`'s conversation (`None`: none live). True when it fell
    /// or ended: an invoice that rode along below it is owed its own stages from now on.
    pub fn planned(&mut self, customer: usize, tone: Option<Tone>) -> bool {
        let before = std::mem::replace(&mut self.planned_at[customer], tone);
        before.is_some_and(|before| tone.is_none_or(|now| now < before))
    }

    /// The tone of `customer`'s conversation, while one is live.
    pub fn tone(&self, customer: usize) -> Option<Tone> {
        self.tone[customer]
    }
}

#[cfg(test)]
#[path = "conversation_invariants_tests.rs"]
mod tests;
