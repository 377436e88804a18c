//! The promises about the mail system's feedback, each a pure check over what the world saw (the inbox,
//! the notifications it sent, the contacts staff fixed) and what kindly stored: nothing to an address
//! kindly blocked, a stage that did not arrive is said again before the next one, a notification heard
//! twice changes nothing the second time, and a fixed contact gets the stage once.

use crate::faults::Delivery;
use chrono::{DateTime, Duration, Utc};
use kindly_core::answer::Answer;
use kindly_core::standing::SoftBounce;
use kindly_core::{Customer, Invoice, Reminder};
use std::collections::{BTreeMap, BTreeSet};

/// `nothing-to-blocked`, at the mailer: the message's addresses (To and Cc) that kindly had blocked when
/// the send began. `blocked` is every address kindly's store showed blocked after any earlier step, less
/// those staff replaced since — so an address the store forgot it blocked (a re-import) still counts.
pub fn to_blocked(delivery: &Delivery, blocked: &BTreeSet<String>) -> Vec<String> {
    delivery
        .to
        .iter()
        .filter(|address| blocked.contains(&address.to_ascii_lowercase()))
        .map(|address| {
            format!(
                "stage `{}` ({}) was handed to the mailer for {address}, which kindly had blocked",
                delivery.stage, delivery.reminder
            )
        })
        .collect()
}

/// `nothing-to-blocked`, in the store: a contact of `customer` at an address kindly blocked (and staff did
/// not replace) that is no longer blocked.
pub fn unblocked(customer: &Customer, blocked: &BTreeSet<String>) -> Vec<String> {
    customer
        .billing_contacts
        .iter()
        .chain(customer.escalation_contact.iter())
        .filter(|contact| blocked.contains(&contact.email.to_ascii_lowercase()) && !contact.bounced)
        .map(|contact| {
            format!(
                "{}: {} was blocked and is writable again, though nobody fixed it",
                customer.id, contact.email
            )
        })
        .collect()
}

/// `undelivered-not-said`, per invoice (by number) and ladder stage (by index in the policy): once kindly
/// records a message undelivered, its stage for each invoice it covered is "unsaid" — unless a later stage
/// of that invoice had already gone out by then (kindly leaves that ladder as it is). Until a message at
/// that stage goes out again (or staff skip it or do it in a task), no message may carry the invoice at a later stage.
#[derive(Default)]
pub struct Unsaid {
    /// The stage index of each invoice's latest ladder message handed to the mailer.
    latest: BTreeMap<String, usize>,
    /// Each invoice's lowest unsaid stage, and the message that did not arrive.
    unsaid: BTreeMap<String, (usize, String)>,
}

impl Unsaid {
    /// A ladder message (`reminder`) went out carrying each invoice at its stage index.
    pub fn sent(&mut self, reminder: &str, covered: &[(String, usize)]) -> Vec<String> {
        let mut problems = Vec::new();
        for (number, stage) in covered {
            match self.unsaid.get(number) {
                Some((unsaid, undelivered)) if stage > unsaid => problems.push(format!(
                    "{reminder} carries {number} at stage #{stage}, but stage #{unsaid} did not arrive \
                     ({undelivered}) and was not said again"
                )),
                Some((unsaid, _)) if stage == unsaid => {
                    self.unsaid.remove(number);
                }
                _ => {}
            }
            self.latest.insert(number.clone(), *stage);
        }
        problems
    }

    /// Staff skipped a message carrying each invoice at its stage index, or did it as a task (a manual top
    /// stage consolidates the others): that stage is decided.
    pub fn decided(&mut self, covered: &[(String, usize)]) {
        for (number, stage) in covered {
            if self.unsaid.get(number).is_some_and(|(unsaid, _)| unsaid == stage) {
                self.unsaid.remove(number);
            }
        }
    }

    /// kindly recorded `reminder`, which carried each invoice at its stage index, as undelivered.
    pub fn undelivered(&mut self, reminder: &str, covered: &[(String, usize)]) {
        for (number, stage) in covered {
            if self.latest.get(number).is_some_and(|latest| latest > stage) {
                continue;
            }
            let lower = self.unsaid.get(number).is_none_or(|(unsaid, _)| stage < unsaid);
            if lower {
                self.unsaid.insert(number.clone(), (*stage, reminder.to_owned()));
            }
        }
    }
}

/// What a notification could change: the reminder it names, its customer, their invoices and answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub reminder: Option<Reminder>,
    pub customer: Option<Customer>,
    pub invoices: Vec<Invoice>,
    pub answers: Vec<Answer>,
}

/// `feedback-once`: a notification kindly had already taken, delivered again, changed nothing.
pub fn repeated_changed(event_id: &str, before: &Snapshot, after: &Snapshot) -> Option<String> {
    let what = if before.reminder != after.reminder {
        "its reminder"
    } else if before.customer != after.customer {
        "its customer's contacts"
    } else if before.invoices != after.invoices {
        "its invoices"
    } else if before.answers != after.answers {
        "its customer's answers"
    } else {
        return None;
    };
    Some(format!("notification {event_id}, heard again, changed {what}"))
}

/// `feedback-once`: no line the mail system's feedback writes (a note that leaves the status as it is)
/// appears twice in a reminder's history.
pub fn duplicated_line(reminder: &Reminder) -> Option<String> {
    let mut seen = BTreeSet::new();
    reminder
        .history
        .iter()
        .filter(|step| step.from == step.to)
        .filter_map(|step| step.note.as_deref())
        .find(|note| !seen.insert(*note))
        .map(|note| format!("reminder {} has the line `{note}` twice", reminder.id))
}

/// `feedback-once`, for one address: its stored soft bounces are distinct transient notifications about
/// it (`sent`, by id), and include every one kindly took (`taken`) within the window before the latest.
/// (One kindly failed on may be counted already: its effects come before its ledger entry.)
pub fn soft_bounces_exact(
    address: &str,
    stored: &[SoftBounce],
    taken: &[(String, DateTime<Utc>)],
    sent: &BTreeSet<String>,
    window: Duration,
) -> Option<String> {
    let ids: BTreeSet<&str> = stored.iter().map(|soft| soft.event_id.as_str()).collect();
    if ids.len() != stored.len() {
        return Some(format!(
            "{address} counts a transient bounce twice: {} soft bounces of {} notifications",
            stored.len(),
            ids.len()
        ));
    }
    if let Some(stranger) = ids.iter().find(|id| !sent.contains(**id)) {
        return Some(format!("{address} counts {stranger}, no transient bounce of it"));
    }
    let latest = stored
        .iter()
        .map(|soft| soft.at)
        .chain(taken.iter().map(|(_, at)| *at))
        .max()?;
    let missing = taken
        .iter()
        .find(|(id, at)| latest - *at < window && !ids.contains(id.as_str()))?;
    Some(format!(
        "{address} does not count {} though kindly took it ({} soft bounces stored)",
        missing.0,
        stored.len()
    ))
}

/// The (invoice, stage) pairs `covered` as `fixed-once` counts them: a message off the ladder (an
/// acknowledgement, an eve note, a payment plan's note) is its own, so its stage is keyed with its id.
pub fn per_message(covered: &[(String, String)], stage: &str, reminder: &str) -> Vec<(String, String)> {
    if crate::answer_invariants::on_ladder(stage) {
        return covered.to_vec();
    }
    covered
        .iter()
        .map(|(number, stage)| (number.clone(), format!("{stage} {reminder}")))
        .collect()
}

/// `fixed-once`: after staff fix a contact, each (invoice, stage) of the undelivered message goes to the
/// new address at most once.
#[derive(Default)]
pub struct Fixes {
    /// (invoice number, stage) → (new address, when it was fixed, messages to it since).
    fixed: BTreeMap<(String, String), (String, DateTime<Utc>, u32)>,
}

impl Fixes {
    pub fn fixed(&mut self, covered: &[(String, String)], address: &str, at: DateTime<Utc>) {
        for key in covered {
            self.fixed.insert(key.clone(), (address.to_ascii_lowercase(), at, 0));
        }
    }

    /// A message went out carrying each invoice at its stage (`covered`).
    pub fn sent(&mut self, delivery: &Delivery, covered: &[(String, String)]) -> Vec<String> {
        let mut problems = Vec::new();
        for key in covered {
            let Some((address, at, count)) = self.fixed.get_mut(key) else {
                continue;
            };
            let to_it = delivery.to.iter().any(|to| to.eq_ignore_ascii_case(address));
            if delivery.at < *at || !to_it {
                continue;
            }
            *count += 1;
            if *count > 1 {
                problems.push(format!(
                    "{} at stage `{}` went to the fixed address {address} {count} times ({})",
                    key.0, key.1, delivery.reminder
                ));
            }
        }
        problems
    }
}

#[cfg(test)]
#[path = "mail_invariants_tests.rs"]
mod tests;
