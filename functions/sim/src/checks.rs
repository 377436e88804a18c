//! The glue between a step and the invariants: what to read from the real store (never through the
//! faults), what the world knows, and which trace lines explain a violation.

use crate::calendar;
use crate::faults::Delivery;
use crate::invariants::{self, Invariant, Ladder};
use crate::sim::{SCHEDULE_ZONE, Sim};
use chrono::{Duration, NaiveDate, Timelike};
use kindly_core::answer::AnswerKind;
use kindly_core::{InvoiceId, InvoiceStatus, Reminder, ReminderId, ReminderStatus, Store};
use rust_decimal::Decimal;

/// The world's index of a customer id (`C0042` → 42).
pub(crate) fn customer_index(id: &str) -> Option<usize> {
    id.strip_prefix('C')?.parse().ok()
}

/// Whether a person (not the system) approved a reminder: staff sign with their address. A task has no
/// approval record, only its history.
/// One of the simulated staff (every one of them signs in with a northwind address).
fn by_staff(actor: &kindly_core::actor::Actor) -> bool {
    matches!(actor, kindly_core::actor::Actor::Person { name } if name.ends_with("@northwind.example"))
}

fn approved_by_a_person(reminder: &Reminder) -> bool {
    reminder
        .history
        .iter()
        .any(|step| step.to == ReminderStatus::Approved && by_staff(&step.by))
}

impl Sim {
    fn ids_of(&self, customer: &str, numbers: &[String], reminder: &str) -> Vec<String> {
        let mut ids = vec![customer.to_owned(), reminder.to_owned()];
        for number in numbers {
            if let Some(&index) = self.by_number.get(number) {
                ids.push(self.world.invoices[index].id.0.clone());
            }
        }
        ids
    }

    pub(crate) async fn check_delivery(&mut self, delivery: &Delivery) {
        let Some(customer) = customer_index(&delivery.customer).filter(|&c| c < self.world.customers.len()) else {
            let what = format!("a message to an unknown customer `{}`", delivery.customer);
            self.violate(Invariant::NoMessageTwice, what.clone(), &[], what);
            return;
        };
        let ids = self.ids_of(&delivery.customer, &delivery.numbers, &delivery.reminder);
        let key = |what: &str| format!("{}:{what}", delivery.reminder);
        let stored = self.store.real().reminder(&ReminderId(delivery.reminder.clone())).await;
        // Each invoice at its own stage, from the reminder's record (the tag names only the top stage).
        let covered: Vec<(String, String)> = match stored.ok().flatten() {
            Some(reminder) => reminder
                .covers
                .iter()
                .map(|covered| (format!("SIM-{}", &covered.invoice_id.0[1..]), covered.stage_id.clone()))
                .collect(),
            None => delivery
                .numbers
                .iter()
                .map(|n| (n.clone(), delivery.stage.clone()))
                .collect(),
        };
        let invoices = &self.world.invoices;
        let by_number = &self.by_number;
        let reopened = |number: &str| {
            by_number
                .get(number)
                .is_some_and(|&index| invoices[index].refunded_ever)
        };
        for problem in self.deliveries.check(delivery, &covered, reopened) {
            self.violate(Invariant::NoMessageTwice, key(&problem), &ids, problem);
        }
        self.check_mail_delivery(delivery, customer, &covered, &ids).await;
        if delivery.stage == kindly_core::policy::DISCOUNT_NOTE_STAGE {
            let deadlines: Vec<(String, Option<NaiveDate>)> = covered
                .iter()
                .map(|(number, _)| {
                    let deadline = self.by_number.get(number).and_then(|&index| {
                        let (_, deadline) = self.world.invoices[index].early_payment.as_ref()?;
                        Some(*deadline)
                    });
                    (number.clone(), deadline)
                })
                .collect();
            let zone = self.world.customers[customer].time_zone;
            for problem in self.discount_notes.check(delivery, zone, &deadlines) {
                self.violate(Invariant::DiscountKept, key(&problem), &ids, problem);
            }
        }
        let zone = self.world.customers[customer].time_zone;
        let mut known = self.known.clone();
        known.paused.clear();
        if self.world.customers[customer].is_paused_on(delivery.at.with_timezone(&zone).date_naive()) {
            known.paused.insert(delivery.customer.clone());
        }
        for problem in invariants::nothing_after_settling(delivery, &known) {
            self.violate(Invariant::NothingAfterSettling, key(&problem), &ids, problem);
        }
        let hours = self.hours(customer);
        if let Some(problem) = invariants::delivered_in_hours(delivery, zone, self.workdays(customer), hours) {
            self.violate(Invariant::NobodyForgotten, key("hours"), &ids, problem);
        }
        self.check_answered(delivery, customer, &ids).await;
        self.check_replied(delivery, customer, &ids);
        if crate::answer_invariants::on_ladder(&delivery.stage) {
            self.last_message[customer] = Some(delivery.at);
        }
        if let Some(stage) = self
            .policy
            .stage_index(&delivery.stage)
            .map(|index| &self.policy.stages[index])
            .filter(|stage| stage.template.is_some())
            && let Some(problem) = self.conversations.delivered(customer, &stage.id, stage.tone)
        {
            self.violate(Invariant::ToneNeverFallsBack, key("tone"), &ids, problem);
        }
        if delivery.reported_failed {
            let stored = self.store.real().reminder(&ReminderId(delivery.reminder.clone())).await;
            if let Ok(Some(reminder)) = stored
                && let Some(problem) = invariants::unknown_outcome_settled(&reminder)
            {
                self.violate(Invariant::NoSilentLoss, key("unknown"), &ids, problem);
            }
        }
    }

    /// Whether `customer`'s conversation is still live, as kindly stores their invoices now: with none in
    /// escalation on their local today it ended. Once the tone kindly's records give it falls (or it ends),
    /// an invoice that rode along is owed its own ladder from the next sending day, like one reopened.
    async fn observe_conversation(&mut self, customer: usize) {
        let id = self.world.customers[customer].id.clone();
        let (Ok(all), Ok(reminders)) = (
            self.store.real().invoices_of_customer(&id).await,
            self.store.real().reminders_of_customer(&id).await,
        ) else {
            return;
        };
        let today = self
            .now
            .with_timezone(&self.world.customers[customer].time_zone)
            .date_naive();
        let live = all
            .iter()
            .any(|invoice| kindly_core::conversation::in_escalation(invoice, today));
        self.conversations.observed(customer, live);
        let planned = kindly_core::conversation::ConversationFacts::read(&all, &reminders).tone_on(today);
        if self.conversations.planned(customer, planned) {
            let from = self.first_sending_day(customer);
            for &index in &self.invoices_of[customer] {
                // Not yet imported: its arrival sets the day.
                if let Some(since) = self.open_since[index] {
                    self.open_since[index] = Some(since.max(from));
                }
            }
        }
    }

    /// The first day a message to `customer` can go out on, as of now: today in their zone, or their next
    /// business day once today's business hours are over. An invoice kindly learns of (or that reopens)
    /// now is owed its ladder from that day.
    pub(crate) fn first_sending_day(&self, customer: usize) -> NaiveDate {
        let customer = &self.world.customers[customer];
        let hours = customer.sending_hours(self.policy.sending_hours);
        kindly_core::calendar::sending_day(customer.calendar(), customer.time_zone, self.now, hours)
    }

    /// Customer `customer`'s business days.
    pub(crate) fn workdays(&self, customer: usize) -> calendar::Workdays {
        calendar::Workdays::of(&self.world.customers[customer])
    }

    /// Customer `customer`'s business hours: their own, or the deployment's.
    pub(crate) fn hours(&self, customer: usize) -> (u32, u32) {
        self.world.customers[customer]
            .business_hours
            .map_or(invariants::BUSINESS_HOURS, |hours| (hours.from_hour, hours.to_hour))
    }

    pub(crate) async fn check_reminder(&mut self, id: &ReminderId) {
        let Ok(Some(reminder)) = self.store.real().reminder(id).await else {
            return;
        };
        if let Some(problem) = invariants::legal_history(&reminder) {
            let ids = [reminder.customer_id.0.clone(), id.0.clone()];
            self.violate(Invariant::LegalHistory, id.0.clone(), &ids, problem);
        }
        self.check_reminder_feedback(&reminder);
        self.check_interest(&reminder).await;
    }

    /// A message just drafted (its first step in its history) for a customer under a contract's interest:
    /// the figures it states, against the invoices as kindly stored them when it drafted it.
    async fn check_interest(&mut self, reminder: &Reminder) {
        if reminder.history.len() != 1 || reminder.draft.is_none() {
            return;
        }
        let Some(index) = customer_index(&reminder.customer_id.0) else {
            return;
        };
        let customer = &self.world.customers[index];
        let Some(contract) = customer.terms.late_fee.clone() else {
            return;
        };
        let locale = customer.locale.clone();
        let Ok(invoices) = self.store.real().invoices(&reminder.invoice_ids()).await else {
            return;
        };
        let problems =
            crate::interest_invariants::interest_problems(&self.policy, reminder, &contract, &invoices, &locale);
        for problem in problems {
            let ids = [reminder.customer_id.0.clone(), reminder.id.0.clone()];
            self.violate(
                Invariant::InterestExact,
                format!("{}:interest", reminder.id),
                &ids,
                problem,
            );
        }
    }

    /// After an invoice was written or a processor event about it acknowledged: record what kindly now
    /// knows of it, and hold its money to what the processor reported.
    pub(crate) async fn check_invoice(&mut self, id: &InvoiceId) {
        let number = format!("SIM-{}", &id.0[1..]);
        let Some(&index) = self.by_number.get(&number) else {
            return;
        };
        let Ok(Some(stored)) = self.store.real().invoice(id).await else {
            return;
        };
        let before = self.known.status.insert(number, stored.status);
        self.observe_conversation(self.world.invoices[index].customer).await;
        // An answer's hold lifted (a corrected invoice ended an upheld dispute) is like a reopening.
        let holding = stored.bookkeeping.hold.as_ref().is_some_and(|hold| !hold.lifted);
        let was_held = if holding {
            !self.answering.held.insert(index)
        } else {
            self.answering.held.remove(&index)
        };
        let released = was_held && !holding;
        // Reopened (a payment failed or was refunded): its ladder is owed again from today.
        if stored.is_remindable() && (released || before.is_some_and(|status| status != InvoiceStatus::Open)) {
            self.open_since[index] = Some(self.first_sending_day(self.world.invoices[index].customer));
        }
        // An event kindly applied but answered with an error is applied, and acknowledged only on the
        // processor's retry: judge the money once no event is in flight.
        if self.events_in_flight[index] > 0 {
            return;
        }
        let world = &self.world.invoices[index];
        let exponent = crate::world::processor_exponent(world.currency);
        let acknowledged = Decimal::new(self.acknowledged[index].net_minor(), exponent);
        let gross = world.amount(world.received_processor + world.received_transfer + world.refunded_minor);
        if let Some(problem) = invariants::money_exact(&stored, acknowledged, gross) {
            let ids = [id.0.clone(), stored.customer_id.0.clone()];
            self.violate(Invariant::MoneyExact, id.0.clone(), &ids, problem);
        }
        if let Some(truth) = self.discount_truth(index)
            && let Some(problem) = crate::discount_invariants::discount_kept(&stored, &truth)
        {
            let ids = [id.0.clone(), stored.customer_id.0.clone()];
            self.violate(Invariant::DiscountKept, format!("{}:discount", id.0), &ids, problem);
        }
    }

    /// The world's truth about invoice `index`'s discount, once kindly has heard everything about its money
    /// (no event in flight, no copy unsent, no debit clearing) and the accounting system decided nothing
    /// else about it.
    fn discount_truth(&self, index: usize) -> Option<crate::discount_invariants::DiscountTruth> {
        let world = &self.world.invoices[index];
        let (_, deadline) = world.early_payment.as_ref()?;
        let discounted = world.discounted_minor()?;
        let quiet = self.unsynced[index] == 0
            && self.events_in_flight[index] == 0
            && world.debits_in_flight == 0
            && world.status_by_accounting.is_none();
        if !quiet {
            return None;
        }
        let received = world.received_minor();
        let reached = received >= discounted && received < world.total_minor;
        Some(crate::discount_invariants::DiscountTruth {
            deadline: *deadline,
            settled: world.discount_settled,
            late: reached && !world.discount_settled,
            received: world.amount(received),
        })
    }

    /// At 19:00 local on a business day, the customer's day is over: was every open invoice reminded?
    pub(crate) async fn check_evening(&mut self) {
        for customer in 0..self.world.customers.len() {
            let local = self.now.with_timezone(&self.world.customers[customer].time_zone);
            if local.hour() == 19 && self.workdays(customer).is_business_day(local.date_naive()) {
                self.check_acknowledged(customer, local.date_naive());
                self.check_customer(customer, local.date_naive()).await;
            }
        }
    }

    /// The open invoices whose next stage is overdue (or that kindly holds payment-pending with nothing
    /// in flight), given the customer's last message.
    fn late_stages(
        &self,
        stored: &[kindly_core::Invoice],
        today: NaiveDate,
        last_message_on: Option<NaiveDate>,
        conversation: Option<kindly_core::tone::Tone>,
    ) -> Vec<(usize, String, NaiveDate)> {
        let mut late = Vec::new();
        for invoice in stored {
            let index = self.by_number[&invoice.number];
            if invoice.status == InvoiceStatus::PaymentPending {
                late.push((index, "payment_pending".to_owned(), today));
                continue;
            }
            if !invoice.is_remindable() {
                continue;
            }
            let ladder = Ladder {
                policy: &self.policy,
                stored: invoice,
                today,
                open_since: self.open_since[index].unwrap_or(today),
                last_message_on,
                workdays: self.workdays(self.world.invoices[index].customer),
                conversation,
            };
            if let Some((stage, deadline)) = invariants::overdue_stage(&ladder) {
                late.push((index, stage, deadline));
            }
        }
        late
    }

    async fn check_customer(&mut self, customer: usize, today: NaiveDate) {
        if self
            .policy_changed_at
            .is_some_and(|at| self.now - at < Duration::days(10))
        {
            return;
        }
        let recent = today - chrono::Days::new(14);
        if self.pauses[customer].iter().any(|(_, until)| *until >= recent) {
            return;
        }
        let open: Vec<usize> = self.invoices_of[customer]
            .iter()
            .copied()
            .filter(|&index| {
                let invoice = &self.world.invoices[index];
                invoice.imported
                    && self.unsynced[index] == 0
                    && invoice.debits_in_flight == 0
                    && invoice.status_by_accounting.is_none()
                    && invoice.owed_minor() > 0
            })
            .collect();
        if open.is_empty() {
            return;
        }
        let ids: Vec<InvoiceId> = open
            .iter()
            .map(|&index| self.world.invoices[index].id.clone())
            .collect();
        let Ok(stored) = self.store.real().invoices(&ids).await else {
            return;
        };
        let zone = self.world.customers[customer].time_zone;
        let inbox_last = self.last_message[customer].map(|at| at.with_timezone(&zone).date_naive());
        if self.late_stages(&stored, today, inbox_last, None).is_empty() {
            return;
        }
        let customer_id = self.world.customers[customer].id.clone();
        let Ok(reminders) = self.store.real().reminders_of_customer(&customer_id).await else {
            return;
        };
        // Staff's pace is theirs: a draft waiting for them (or decided since the last business day, so the
        // next pass has not run yet) holds the customer's other reminders back.
        let since = self.workdays(customer).previous(today);
        // A failure waits for staff to say whether it went out (they decide up to 40 hours after they first
        // see it, in their own business hours: the staff module): until then it holds the customer, as it
        // must. Past the third of their business days after it failed, it holds them "for good".
        let staff_today = self.now.with_timezone(&SCHEDULE_ZONE).date_naive();
        let staff_busy = reminders.iter().any(|reminder| {
            reminder.status == ReminderStatus::PendingApproval
                || (reminder.status == ReminderStatus::Failed
                    && reminder.history.last().is_some_and(|step| {
                        let failed_on = step.at.with_timezone(&SCHEDULE_ZONE).date_naive();
                        staff_today <= calendar::Workdays::PLAIN.after(failed_on, 3)
                    }))
                || (reminder.status.is_open() && approved_by_a_person(reminder))
                // An undelivered message waits for staff to fix the contact.
                || reminder.status == ReminderStatus::Undelivered
                || reminder.history.iter().any(|step| {
                    (step.from == ReminderStatus::PendingApproval || by_staff(&step.by))
                        && step.at.with_timezone(&zone).date_naive() >= since
                })
        });
        // So does a contact in question, waiting for them, or an answer they settled since the last business
        // day. (An answer holding only its invoices moves their plan: `overdue_stage`.)
        let answers = self
            .store
            .real()
            .answers_of_customer(&customer_id)
            .await
            .unwrap_or_default();
        // A reply holds them for as long as the world reckons it does, not as long as kindly says: one
        // kindly holds on to longer leaves the ladder late. Like an answer settled, a hold that lasted
        // through the last business day excuses today too: the pass that plans them again may come late in
        // their day.
        let answer_busy = answers.iter().any(|answer| {
            let replied = matches!(answer.kind, AnswerKind::Reply { .. } | AnswerKind::AutoReply { .. });
            (answer.holds_customer_on(today) && !replied)
                || answer.settled.as_ref().is_some_and(|settled| {
                    by_staff(&settled.by) && settled.at.with_timezone(&zone).date_naive() >= since
                })
        }) || self.replies.holds_customer_on(customer, today)
            || self.replies.holds_customer_on(customer, since);
        // A customer no address of whom kindly may write to is held on purpose (`NoReachableContact`).
        let unreachable = self
            .store
            .real()
            .customer(&customer_id)
            .await
            .ok()
            .flatten()
            .is_some_and(|stored| stored.reachable_contacts().next().is_none());
        if staff_busy || answer_busy || unreachable {
            return;
        }
        // A task with a message counts for the policy's gap though no mail went out.
        let recorded_last = reminders
            .iter()
            .filter(|reminder| !reminder.is_thank_you() && reminder.draft.is_some())
            .filter_map(|reminder| reminder.sent_on)
            .max();
        // An invoice gentler than the customer's live conversation rides along in its next message.
        let all = self
            .store
            .real()
            .invoices_of_customer(&customer_id)
            .await
            .unwrap_or_default();
        let conversation = kindly_core::conversation::ConversationFacts::read(&all, &reminders).tone_on(today);
        let late = self.late_stages(&stored, today, inbox_last.max(recorded_last), conversation);
        for (index, stage, deadline) in late {
            let invoice = &self.world.invoices[index];
            let covering: Vec<&Reminder> = reminders
                .iter()
                .filter(|reminder| reminder.covers.iter().any(|covered| covered.invoice_id == invoice.id))
                .collect();
            let story: Vec<String> = covering
                .iter()
                .rev()
                .take(3)
                .map(|reminder| {
                    let note = reminder
                        .history
                        .last()
                        .and_then(|step| step.note.clone())
                        .unwrap_or_default();
                    format!("{} {} {} ({note})", reminder.id, reminder.stage_id, reminder.status)
                })
                .collect();
            let ids = [customer_id.0.clone(), invoice.id.0.clone()];
            let key = format!("{}:{stage}", invoice.id);
            let failed = covering
                .iter()
                .find(|reminder| reminder.status == ReminderStatus::Failed);
            let (invariant, what) = if stage == "payment_pending" {
                let what = format!(
                    "{} ({customer_id}, {zone}) is still payment_pending on {today}, though every payment event was \
                     delivered and none is in flight",
                    invoice.number
                );
                (Invariant::NobodyForgotten, what)
            } else if let Some(failed) = failed {
                let steps: Vec<String> = failed
                    .history
                    .iter()
                    .rev()
                    .take(3)
                    .map(|step| {
                        format!(
                            "{} {}→{} by {}",
                            step.at.format("%m-%d %H:%M"),
                            step.from,
                            step.to,
                            step.by
                        )
                    })
                    .collect();
                let what = format!(
                    "{} ({customer_id}, {zone}): stage `{stage}` due by {deadline} is blocked by a failed reminder \
                     ({}); last: {}",
                    invoice.number,
                    steps.join(", "),
                    story.join(" | ")
                );
                (Invariant::NoSilentLoss, what)
            } else {
                let what = format!(
                    "{} ({customer_id}, {zone}, due {}): stage `{stage}` was due by {deadline}, not sent by {today}; \
                     last: {}",
                    invoice.number,
                    invoice.due_date,
                    if story.is_empty() {
                        "no reminder".to_owned()
                    } else {
                        story.join(" | ")
                    }
                );
                (Invariant::NobodyForgotten, what)
            };
            self.violate(invariant, key, &ids, what);
        }
    }
}
