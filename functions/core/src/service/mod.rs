//! Application services, one module per use case: the pass ([`pass`], over the planning step every change
//! shares, [`plans`]), sending ([`send`]), review by staff
//! ([`review`]: approve, skip, snooze), invoice and customer changes ([`invoices`]), payments
//! ([`payments`]), thank-yous ([`thanks`]) and replies drafted again to a new address ([`redraft`]), customers' answers ([`answers`], [`settle`]), payment plans ([`payment_plans`]), the ladder's last step ([`last_step`]), the mail system's feedback ([`feedback`]), replies forwarded to the billing mailbox ([`forward`]) and the staff's inbox,
//! timelines and reasons report ([`inbox`]), and the receivables reports' reads ([`reports`]). Generic over the ports, so the Lambdas (DynamoDB + SES) and the
//! `kindly` command (SQLite + outbox) share them. The decisions live in pure functions elsewhere in the crate
//! (the planner, [`crate::verdict`], [`crate::payment`]); these modules read, ask, and write.
//! One bad customer or reminder never stops a pass: its error is reported and the pass goes on.

mod answers;
mod fee_invoices;
mod feedback;
mod forward;
mod inbox;
mod invoices;
mod last_step;
mod pass;
mod payment_plans;
mod payments;
mod plans;
mod reads;
mod redraft;
mod reports;
mod review;
mod send;
mod settle;
mod thanks;

pub use crate::verdict::{BusinessHours, STALE_CLAIM};
pub use answers::{AnswerForm, Answered, MAX_INVOICES, record_answer};
pub use fee_invoices::raise_fee_invoice;
pub use feedback::{FeedbackOutcome, fix_contact, let_go_undelivered, record_mail_event};
pub use forward::{Forwarded, forward_replies};
pub use inbox::{Inbox, RECENTLY_DONE_DAYS, customer_timeline, do_task, open_tasks, reasons};
pub use invoices::{ingest_customer, ingest_invoice};
pub use last_step::{hand_over, keep_chasing, write_off};
pub use pass::run_pass;
pub use payment_plans::{
    KeptPlans, MadePlan, PlanMaker, decide_plan_request, describe as describe_plan, keep_plans, make_plan,
};
pub use payments::{PaymentOutcome, apply_payment_event, expire_pending_payments};
#[cfg(any(test, feature = "conformance"))]
pub(crate) use plans::supersede;
pub use plans::{PassEntry, PassOutcome, latest_sending_day, replan_customer};
pub use reports::{Ledger, customers_of, ledger, receipts};
pub use review::{Resolution, approve, approve_all, resolve, skip, snooze};
pub use send::{SendResult, send_approved, send_approved_until, send_approved_within, send_one};
pub use settle::{Decision, settle_answer, settle_by_facts};

/// How often a read-modify-write of one record is tried before giving up on a busy record.
const WRITE_ATTEMPTS: usize = 5;
