//! Staff: they decide on the drafts waiting for approval some hours after they appear (approve, one by
//! one or all at once; skip; snooze) and on the ladder's last step (write off, hand over, a plan, keep
//! chasing), in their own business hours, and now and then pause a customer.

use crate::calendar;
use crate::checks::customer_index;
use crate::sim::{SCHEDULE_ZONE, Sim};
use chrono::{Days, Duration, Timelike};
use kindly_core::service;
use kindly_core::tasks::TaskAction;
use kindly_core::{Pause, Reminder, ReminderId, ReminderStatus, Store};
use rand::Rng;

/// The staff who approve; one of them has a name that starts like the system's.
pub const STAFF: [&str; 3] = [
    "ana@northwind.example",
    "ben@northwind.example",
    "kindlyn@northwind.example",
];

impl Sim {
    /// Staff, in their own business hours, decide on each draft some hours after it appeared: mostly
    /// approve (sometimes all at once), sometimes skip or snooze.
    pub(crate) async fn staff(&mut self) -> String {
        let local = self.now.with_timezone(&SCHEDULE_ZONE);
        if !calendar::Workdays::PLAIN.is_business_day(local.date_naive()) || !(9..17).contains(&local.hour()) {
            return String::new();
        }
        let mut resolved = self.resolve_failures().await;
        resolved += &self.fix_contacts().await;
        let by = STAFF[self.answering.rng.random_range(0..2)];
        resolved += &self.settle_answers(by).await;
        resolved += &self.read_replies(by).await;
        resolved += &self.decide_plan_requests(by).await;
        let Ok(waiting) = self
            .store
            .real()
            .reminders_with_status(ReminderStatus::PendingApproval)
            .await
        else {
            return "staff cannot read the drafts".into();
        };
        let mut due: Vec<(Reminder, u32)> = Vec::new();
        // A customer's plan request is decided by its own pace (`decide_plan_requests`).
        for reminder in waiting.into_iter().filter(|reminder| !reminder.is_plan_request()) {
            let decision = match self.staff_due.get(&reminder.id) {
                Some(decision) => *decision,
                None => {
                    let decision = (
                        self.now + Duration::hours(self.rng.random_range(1..40)),
                        self.rng.random_range(0..100),
                    );
                    self.staff_due.insert(reminder.id.clone(), decision);
                    decision
                }
            };
            if decision.0 <= self.now {
                due.push((reminder, decision.1));
            }
        }
        if due.is_empty() {
            return resolved;
        }
        let by = match self.rng.random_range(0..100) {
            0..48 => STAFF[0],
            48..97 => STAFF[1],
            _ => STAFF[2],
        };
        self.faults.begin(self.step, false, false);
        let mut lines = Vec::new();
        // The ladder's last step is decided, not approved: written off, handed over, a plan, or chased on.
        let decision_stage = kindly_core::last_step::decision_stage(&self.policy).map(str::to_owned);
        let (decisions, due): (Vec<_>, Vec<_>) = due.into_iter().partition(|(reminder, _)| {
            reminder.draft.is_none() && decision_stage.as_deref() == Some(reminder.stage_id.as_str())
        });
        for (reminder, dice) in &decisions {
            lines.push(self.decide_last_step(reminder, *dice, by).await);
        }
        let all_at_once = self.rng.random_bool(0.3);
        let approve: Vec<(ReminderId, String)> = due
            .iter()
            .filter(|(_, dice)| *dice < 80)
            .map(|(reminder, _)| {
                let hash = reminder.draft.as_ref().map(|draft| draft.content_hash.clone());
                (reminder.id.clone(), hash.unwrap_or_default())
            })
            .collect();
        if all_at_once && !approve.is_empty() {
            let result = service::approve_all(&self.store, &approve, by, self.now).await;
            lines.push(format!(
                "approve all {}: {:?}",
                approve.len(),
                result.map(|r| r.is_ok())
            ));
        } else {
            for (id, hash) in &approve {
                let result = service::approve(&self.store, id, by, hash, None, self.now).await;
                lines.push(format!(
                    "approve {id}: {}",
                    result.map(|_| "ok".into()).unwrap_or_else(|e| e.to_string())
                ));
            }
        }
        for (reminder, dice) in due.iter().filter(|(_, dice)| *dice >= 80) {
            let id = &reminder.id;
            let snooze = *dice >= 90 && !reminder.is_thank_you();
            let result = if snooze {
                let zone = self.world.customers[customer_index(&reminder.customer_id.0).unwrap_or_default()].time_zone;
                let until = self.now.with_timezone(&zone).date_naive() + Days::new(self.rng.random_range(2..10));
                service::snooze(&self.store, &self.policy, id, by, until, None, self.now).await
            } else {
                service::skip(&self.store, &self.policy, id, by, None, self.now).await
            };
            let verb = if snooze { "snooze" } else { "skip" };
            lines.push(format!(
                "{verb} {id}: {}",
                result.map(|_| "ok".into()).unwrap_or_else(|e| e.to_string())
            ));
        }
        self.faults.end();
        for (reminder, _) in due.iter().chain(&decisions) {
            self.staff_due.remove(&reminder.id);
        }
        format!("staff ({by}): {}{resolved}", lines.join("; "))
    }

    /// The ladder's last step for `task`, by `dice`: mostly written off or handed over, sometimes a plan,
    /// sometimes chased on from a later day in the customer's calendar (when the decision comes back).
    async fn decide_last_step(&mut self, task: &Reminder, dice: u32, by: &str) -> String {
        let zone = self.world.customers[customer_index(&task.customer_id.0).unwrap_or_default()].time_zone;
        let (action, reason, until) = match dice {
            0..40 => (TaskAction::WriteOff, Some("not worth pursuing".to_owned()), None),
            40..70 => (TaskAction::HandOver, Some("Acme Collections".to_owned()), None),
            70..80 => {
                let text = self.agree_last_step_plan(&task.id, by).await;
                self.faults.lock().touched.insert(task.customer_id.0.clone());
                return text;
            }
            _ => {
                let until = self.now.with_timezone(&zone).date_naive() + Days::new(self.rng.random_range(7..30));
                (TaskAction::KeepChasing, None, Some(until))
            }
        };
        let result = service::do_task(
            &self.store,
            &self.policy,
            &task.id.0,
            action,
            reason,
            None,
            until,
            by,
            self.now,
        )
        .await;
        self.faults.lock().touched.insert(task.customer_id.0.clone());
        format!(
            "{action} {}: {}",
            task.id,
            result.map(|_| "ok".into()).unwrap_or_else(|e| e.to_string())
        )
    }

    /// Failed reminders wait for a person: some hours after one failed, staff look it up in the mail
    /// provider's log (the world's inbox) and say whether it went out.
    async fn resolve_failures(&mut self) -> String {
        let Ok(failed) = self.store.real().reminders_with_status(ReminderStatus::Failed).await else {
            return String::new();
        };
        let mut lines = Vec::new();
        for reminder in failed {
            let decision = *self
                .staff_due
                .entry(reminder.id.clone())
                .or_insert_with(|| (self.now + Duration::hours(self.rng.random_range(1..40)), 0));
            if decision.0 > self.now {
                continue;
            }
            // Since it last went undelivered: the message planned again then is sent under the same id (the
            // log's entries of the message that bounced are not this one), but any claim of this round may
            // have sent it, the last or an earlier one a crash cut short.
            let claimed = reminder
                .history
                .iter()
                .rev()
                .find(|step| step.to == ReminderStatus::Undelivered)
                .map(|step| step.at);
            let went_out = self
                .faults
                .lock()
                .inbox
                .iter()
                .any(|delivery| delivery.reminder == reminder.id.0 && claimed.is_none_or(|at| delivery.at >= at));
            let resolution = if went_out {
                service::Resolution::WentOut
            } else {
                service::Resolution::NotSent
            };
            self.faults.begin(self.step, false, false);
            let result = service::resolve(
                &self.store,
                &self.policy,
                &reminder.id,
                STAFF[0],
                resolution,
                None,
                self.now,
            )
            .await;
            self.faults.end();
            if result.is_ok() {
                self.staff_due.remove(&reminder.id);
            }
            lines.push(format!(
                "; resolve {} ({resolution:?}): {}",
                reminder.id,
                result.map(|_| "ok".into()).unwrap_or_else(|e| e.to_string())
            ));
        }
        lines.concat()
    }

    /// Now and then staff pause a customer for some days (a conversation is going on).
    pub(crate) async fn pause(&mut self) -> String {
        let mut lines = Vec::new();
        for index in 0..self.world.customers.len() {
            if !self.rng.random_bool(0.002) {
                continue;
            }
            let mut customer = self.world.customers[index].clone();
            let today = self.now.with_timezone(&customer.time_zone).date_naive();
            let until = today + Days::new(self.rng.random_range(3..20));
            customer.pause = Some(Pause {
                until: Some(until),
                reason: Some("talking to them".into()),
            });
            self.faults.begin(self.step, false, false);
            let result = service::ingest_customer(&self.store, &self.policy, &customer, self.now).await;
            self.faults.end();
            if result.is_ok() {
                self.pauses[index].push((today, until));
                self.world.customers[index] = customer;
            }
            lines.push(format!(
                "pause {} until {until}: {:?}",
                self.world.customers[index].id,
                result.is_ok()
            ));
        }
        lines.join("; ")
    }
}
