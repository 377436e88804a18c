//! Customers on payment plans. Now and then a customer who reads a ladder message asks on their page for a
//! plan over one of its invoices, some within the policy's limits (agreed at once), some beyond them (a
//! task staff agree or decline at their pace); staff also agree plans as the ladder's last step. Whatever is
//! agreed, the customer pays its instalments by card: most on the day, some a few days late (a reminder,
//! then kept), a few stop paying (the plan breaks and the ladder resumes).

use crate::faults::Delivery;
use crate::sim::{Act, Sim};
use crate::world::{Channel, PlannedPayment, local_instant, processor_exponent};
use chrono::{DateTime, Days, Duration, Utc};
use kindly_core::instalments::{Frequency, PaymentPlan, PlanId, PlanState, PlanTerms};
use kindly_core::service::{self, PlanMaker};
use kindly_core::tasks::TaskAction;
use kindly_core::{CoreError, ReminderId, Store};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::collections::{BTreeMap, BTreeSet};

/// How often a ladder message that reached the customer makes them ask for a plan.
const ASK_RATE: f64 = 0.025;
/// How many times a customer tries the form when it failed.
const ATTEMPTS: u32 = 5;

/// One customer's request for a plan.
#[derive(Debug, Clone)]
pub struct Ask {
    pub customer: usize,
    pub invoice: usize,
    pub terms: PlanTerms,
    pub attempts: u32,
}

/// The plans' side of the simulation.
pub struct Planning {
    pub rng: ChaCha8Rng,
    pub asks: Vec<Ask>,
    /// Plans whose instalments the customers will pay (scheduled once each).
    pub paying: BTreeSet<PlanId>,
    /// Requests beyond the limits waiting for staff: the task, and when staff look at it.
    pub requests: BTreeMap<ReminderId, DateTime<Utc>>,
    /// Requests asked for, agreed (and paid on) and broken, for the report.
    pub counts: (usize, usize, usize),
}

impl Planning {
    pub fn new(rng: ChaCha8Rng) -> Planning {
        Planning {
            rng,
            asks: Vec::new(),
            paying: BTreeSet::new(),
            requests: BTreeMap::new(),
            counts: (0, 0, 0),
        }
    }
}

impl Sim {
    /// A customer read `delivery`, a ladder message: maybe they ask for a plan over one of its invoices.
    pub(crate) fn consider_plan(&mut self, delivery: &Delivery) {
        if !crate::answer_invariants::on_ladder(&delivery.stage) || delivery.numbers.is_empty() {
            return;
        }
        let Some(customer) = crate::checks::customer_index(&delivery.customer) else {
            return;
        };
        let rng = &mut self.planning.rng;
        if !rng.random_bool(ASK_RATE) {
            return;
        }
        let Some(invoice) = delivery
            .numbers
            .iter()
            .filter_map(|number| self.by_number.get(number).copied())
            .find(|&index| {
                let invoice = &self.world.invoices[index];
                invoice.status_by_accounting.is_none()
                    && invoice.received_processor + invoice.received_transfer < invoice.total_minor
            })
        else {
            return;
        };
        let at = delivery.at + Duration::minutes(rng.random_range(10..2 * 24 * 60));
        let today = at.with_timezone(&self.world.customers[customer].time_zone).date_naive();
        let frequency = [Frequency::Weekly, Frequency::Fortnightly, Frequency::Monthly][rng.random_range(0..3)];
        // Mostly within the shipped limits (6 instalments); some ask for more.
        let count = if rng.random_bool(0.8) {
            rng.random_range(2..=6)
        } else {
            rng.random_range(7..=12)
        };
        let terms = PlanTerms {
            count,
            frequency,
            first: today + Days::new(rng.random_range(2..25)),
        };
        self.planning.asks.push(Ask {
            customer,
            invoice,
            terms,
            attempts: 0,
        });
        self.at(at, Act::AskPlan(self.planning.asks.len() - 1));
    }

    /// The customer sends the plan form (again, after a failure).
    pub(crate) async fn ask_plan(&mut self, index: usize) -> String {
        let ask = self.planning.asks[index].clone();
        let customer = self.world.customers[ask.customer].id.clone();
        let invoice = self.world.invoices[ask.invoice].id.clone();
        {
            let mut state = self.faults.lock();
            state.touched.insert(customer.0.clone());
            state.touched.insert(invoice.0.clone());
        }
        self.planning.asks[index].attempts += 1;
        self.faults.begin(self.step, true, false);
        let result = service::make_plan(
            &self.store,
            &self.policy,
            &customer,
            std::slice::from_ref(&invoice),
            &ask.terms,
            PlanMaker::Customer,
            self.now,
        )
        .await;
        let crashed = if self.faults.end() { " (crashed)" } else { "" };
        let what = format!(
            "{customer} asks for {} {} instalments of {invoice} from {}{crashed}",
            ask.terms.count,
            ask.terms.frequency.as_str(),
            ask.terms.first
        );
        match result {
            Ok(made) => {
                self.planning.counts.0 += 1;
                if let Some(task) = made.task.clone() {
                    let look = self.now + Duration::hours(self.planning.rng.random_range(2..60));
                    self.planning.requests.insert(task.clone(), look);
                    return format!("{what}: beyond the limits, task {task}");
                }
                let paying = self.pay_plan(&made.plan);
                format!("{what}: agreed {} ({paying})", made.plan.id)
            }
            Err(error @ (CoreError::InvalidField { .. } | CoreError::NotFound { .. })) => {
                format!("{what}: refused ({error})")
            }
            Err(error) => {
                if ask.attempts + 1 < ATTEMPTS {
                    let later = self.now + Duration::minutes(self.planning.rng.random_range(20..6 * 60));
                    self.at(later, Act::AskPlan(index));
                }
                format!("{what}: failed ({error}); the customer tries again later")
            }
        }
    }

    /// Staff decide the plan requests whose time has come: most are agreed as asked.
    pub(crate) async fn decide_plan_requests(&mut self, by: &str) -> String {
        let due: Vec<ReminderId> = self
            .planning
            .requests
            .iter()
            .filter(|(_, at)| **at <= self.now)
            .map(|(task, _)| task.clone())
            .collect();
        let mut lines = Vec::new();
        for task in due {
            let agree = self.planning.rng.random_bool(0.7);
            let decision = if agree {
                TaskAction::AgreePlan
            } else {
                TaskAction::DeclinePlan
            };
            self.faults.begin(self.step, true, false);
            let reason = (!agree).then(|| "too long for us".to_owned());
            let result = service::do_task(
                &self.store,
                &self.policy,
                &task.0,
                decision,
                reason,
                None,
                None,
                by,
                self.now,
            )
            .await;
            self.faults.end();
            match result {
                Ok(_) => {
                    self.planning.requests.remove(&task);
                    let plan = PlanId(format!("plan_{}", task.0.trim_start_matches("rem_planreq_")));
                    let paying = match self.store.real().plan(&plan).await {
                        Ok(Some(plan)) if plan.state == PlanState::Active => self.pay_plan(&plan),
                        _ => "declined".to_owned(),
                    };
                    lines.push(format!("{decision} {task}: ok ({paying})"));
                }
                // Gone (its invoices settled meanwhile, or decided before a crash): nothing more to do.
                Err(error @ (CoreError::NotFound { .. } | CoreError::Conflict(_))) => {
                    self.planning.requests.remove(&task);
                    lines.push(format!("{decision} {task}: {error}"));
                }
                Err(error) => lines.push(format!("{decision} {task}: {error}; staff try again later")),
            }
        }
        lines.join("; ")
    }

    /// Staff agree a plan as the ladder's last step (`task`): three monthly instalments from a week on.
    pub(crate) async fn agree_last_step_plan(&mut self, task: &ReminderId, by: &str) -> String {
        let customer = self
            .store
            .real()
            .reminder(task)
            .await
            .ok()
            .flatten()
            .map(|task| task.customer_id);
        let Some(customer) = customer else {
            return format!("plan for {task}: no such task");
        };
        let zone = crate::checks::customer_index(&customer.0)
            .map_or(chrono_tz::UTC, |index| self.world.customers[index].time_zone);
        let terms = PlanTerms {
            count: 3,
            frequency: Frequency::Monthly,
            first: self.now.with_timezone(&zone).date_naive() + Days::new(7),
        };
        let maker = PlanMaker::Staff {
            name: by.to_owned(),
            task: Some(task.clone()),
        };
        let result = service::make_plan(&self.store, &self.policy, &customer, &[], &terms, maker, self.now).await;
        match result {
            Ok(made) => {
                let paying = self.pay_plan(&made.plan);
                format!("agree_plan {task}: {} ({paying})", made.plan.id)
            }
            Err(error) => format!("agree_plan {task}: {error}"),
        }
    }

    /// Schedule the customer's payments of `plan`'s instalments, once per plan: by card, on the plan's
    /// invoices in order. Most customers pay each on its day; some pay one late; a few stop at one.
    fn pay_plan(&mut self, plan: &PaymentPlan) -> String {
        if !self.planning.paying.insert(plan.id.clone()) {
            return "already paying".into();
        }
        self.planning.counts.1 += 1;
        let indexes: Vec<usize> = plan
            .invoices
            .iter()
            .filter_map(|id| self.world.invoices.iter().position(|invoice| invoice.id == *id))
            .collect();
        let Some(&first) = indexes.first() else {
            return "no invoices".into();
        };
        let customer = self.world.invoices[first].customer;
        let zone = self.world.customers[customer].time_zone;
        let count = plan.instalments.len();
        let rng = &mut self.planning.rng;
        let (late, stop) = match rng.random_range(0..100) {
            0..72 => (None, None),
            72..88 => (Some(rng.random_range(0..count)), None),
            _ => (None, Some(rng.random_range(0..count))),
        };
        if stop.is_some() {
            self.planning.counts.2 += 1;
        }
        // Paying by the plan now: the payments the customer had in mind for these invoices are not made.
        for &index in &indexes {
            for payment in self.world.invoices[index]
                .payments
                .iter_mut()
                .filter(|payment| payment.at > self.now)
            {
                payment.minor = 0;
                payment.rest = false;
            }
        }
        let exponent = processor_exponent(plan.currency);
        let scale = Decimal::from(10_i64.pow(exponent));
        // What each invoice still takes, in the processor's minor units.
        let mut room: Vec<i64> = indexes
            .iter()
            .map(|&index| {
                let invoice = &self.world.invoices[index];
                invoice.total_minor - invoice.received_processor - invoice.received_transfer
            })
            .collect();
        let mut scheduled = 0;
        for (number, instalment) in plan.instalments.iter().enumerate() {
            if stop.is_some_and(|stop| number >= stop) {
                break;
            }
            let rng = &mut self.planning.rng;
            let days_late = if late == Some(number) {
                rng.random_range(2..10)
            } else {
                0
            };
            let day = instalment.due + Days::new(days_late);
            let mut at = local_instant(zone, day, rng.random_range(8..16), rng.random_range(0..60));
            // A plan agreed after its first instalment's day (staff decided a request late): the customer
            // pays what has fallen due once they hear of it, not in the past.
            if at <= self.now {
                at = self.now + Duration::minutes(rng.random_range(30..600));
            }
            let mut minor = (instalment.amount * scale).trunc().to_i64().unwrap_or_default();
            for (slot, &index) in indexes.iter().enumerate() {
                let part = minor.min(room[slot]);
                if part <= 0 {
                    continue;
                }
                room[slot] -= part;
                minor -= part;
                self.world.invoices[index].payments.push(PlannedPayment {
                    at,
                    minor: part,
                    channel: Channel::Card { stripe_invoice: false },
                    refund: None,
                    rest: false,
                });
                let payment = self.world.invoices[index].payments.len() - 1;
                self.at(
                    at,
                    Act::Pay {
                        invoice: index,
                        payment,
                    },
                );
                scheduled += 1;
            }
        }
        format!(
            "{scheduled} payments scheduled{}",
            if stop.is_some() { ", stops early" } else { "" }
        )
    }
}
