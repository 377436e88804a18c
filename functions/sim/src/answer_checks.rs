//! The glue between a step and the answers' invariants ([`crate::answer_invariants`]): each message
//! against the holds, the named contacts and the acknowledgements; each answer kindly wrote against its
//! form and, once settled, a promise against the facts; each customer's evening against the
//! acknowledgements owed.

use crate::answer_invariants::{self, on_ladder};
use crate::faults::Delivery;
use crate::invariants::Invariant;
use crate::sim::Sim;
use chrono::NaiveDate;
use kindly_core::answer::{AnswerId, AnswerState};
use kindly_core::{InvoiceStatus, Store};
use rust_decimal::Decimal;

impl Sim {
    /// A message against what customers' answers promised: no ladder message about what an answer holds,
    /// nothing to a contact not confirmed, each acknowledgement once and of a recorded answer.
    pub(crate) async fn check_answered(&mut self, delivery: &Delivery, customer: usize, ids: &[String]) {
        let key = |what: &str| format!("{}:{what}", delivery.reminder);
        let zone = self.world.customers[customer].time_zone;
        if on_ladder(&delivery.stage) {
            for problem in answer_invariants::held_message(delivery, zone, &self.answering.holds) {
                // The message's own story: how it came to go out.
                let id = kindly_core::ReminderId(delivery.reminder.clone());
                let story = match self.store.real().reminder(&id).await {
                    Ok(Some(reminder)) => reminder
                        .history
                        .iter()
                        .map(|step| {
                            format!(
                                "{} {}→{} ({})",
                                step.at.format("%m-%d %H:%M"),
                                step.from,
                                step.to,
                                step.by
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                    _ => String::new(),
                };
                let what = format!("{problem}; its history: {story}");
                self.violate(Invariant::AnswerHolds, key(&problem), ids, what);
            }
        }
        for problem in answer_invariants::unconfirmed_contact(delivery, &self.answering.named) {
            self.violate(Invariant::ContactConfirmed, key(&problem), ids, problem);
        }
        if let Some(problem) = self.answering.acknowledgements.delivered(delivery) {
            self.violate(Invariant::AcknowledgedOnce, key("ack"), ids, problem);
        }
    }

    /// An answer kindly wrote: now recorded (its acknowledgement is owed), one per form, and a promise
    /// settled by the facts.
    pub(crate) async fn check_answer(&mut self, id: &AnswerId) {
        let Ok(Some(answer)) = self.store.real().answer(id).await else {
            return;
        };
        // What came by mail (a complaint, a reply) is acknowledged by nobody and was no form.
        if answer.kind.is_email() {
            self.check_email_answer(&answer).await;
            return;
        }
        let customer = answer.customer_id.0.clone();
        let ids = [customer.clone(), id.0.clone()];
        self.answering
            .acknowledgements
            .recorded(&id.0, &customer, answer.local_date);
        if let Ok(stored) = self.store.real().answers_of_customer(&answer.customer_id).await {
            // What came by mail (a complaint, a reply) is no form the customer sent on their page.
            let stored: Vec<String> = stored
                .into_iter()
                .filter(|answer| !answer.kind.is_email())
                .map(|answer| answer.id.0)
                .collect();
            for problem in self.answering.forms.stored(&customer, &stored) {
                self.violate(Invariant::AnswerOnce, problem.clone(), &ids, problem);
            }
        }
        let settled = matches!(answer.state, AnswerState::Kept | AnswerState::Broken);
        if !settled || !self.answering.judged.insert(id.clone()) {
            return;
        }
        let Some(index) = crate::checks::customer_index(&customer) else {
            return;
        };
        let zone = self.world.customers[index].time_zone;
        let settled_local = answer.settled.as_ref().map_or(answer.local_date, |settled| {
            settled.at.with_timezone(&zone).date_naive()
        });
        let owed = match self.store.real().invoices(&answer.invoices).await {
            Ok(invoices) => invoices.iter().any(|invoice| {
                invoice.balance() > Decimal::ZERO
                    && matches!(invoice.status, InvoiceStatus::Open | InvoiceStatus::PaymentPending)
            }),
            Err(_) => return,
        };
        if let Some(problem) = answer_invariants::promise_settled_by_facts(&answer, settled_local, owed) {
            self.violate(Invariant::PromiseByFacts, id.0.clone(), &ids, problem);
        }
    }

    /// At the end of the customer's business day: every answer of theirs recorded days ago has been
    /// acknowledged (unless the provider rejected the acknowledgement's address, or kindly blocked every
    /// address of theirs: it writes to none).
    pub(crate) fn check_acknowledged(&mut self, customer: usize, today: NaiveDate) {
        let id = self.world.customers[customer].id.0.clone();
        let blocked = self.feedback.blocked.get(&customer);
        let unreachable = self.world.customers[customer]
            .billing_contacts
            .iter()
            .all(|contact| blocked.is_some_and(|blocked| blocked.contains(&contact.email.to_ascii_lowercase())));
        let workdays = self.workdays(customer);
        let overdue = {
            let rejected = &self.faults.lock().rejected;
            self.answering.acknowledgements.overdue(&id, today, workdays, |answer| {
                unreachable || rejected.contains(&answer.replacen("ans_", "rem_ack_", 1))
            })
        };
        for (answer, problem) in overdue {
            let ids = [id.clone(), answer.clone()];
            self.violate(Invariant::AcknowledgedOnce, answer, &ids, problem);
        }
    }
}
