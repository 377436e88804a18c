//! kindly-sim: a deterministic simulation of kindly in operation — the standing test of its promises.
//!
//! The real services (the daily pass, the hourly send, approvals, ingest, the Stripe webhook through the
//! real web router) run over the real SQLite store on a virtual clock, in a world generated from a seed:
//! customers in many time zones paying on time, late, in pieces or not at all, answering on their page
//! (promises, payments claimed, disputes, new contacts), staff deciding after delays, and the faults the
//! seed picks (mail throttling, 5xx, timeouts after acceptance, lost conditional writes, crashes between
//! writes, scheduled functions late or twice), the mail system's feedback on every message ([`mailsystem`]:
//! deliveries, bounces, complaints) and customers' replies by email ([`replies`]: a person's own words,
//! out-of-office notes), and early-payment discounts paid in time or just after. After every step the
//! promises ([`invariants`], [`answer_invariants`], [`mail_invariants`], [`reply_invariants`],
//! [`discount_invariants`], [`conversation_invariants`]) are checked against the world's inbox — what customers really
//! got.
//!
//! Architecture invariant: nothing here changes how kindly behaves. The simulator only drives kindly's
//! public services and router and reads its store; one seed always gives the same trace, byte for byte.

pub mod actors;
mod answer_checks;
pub mod answer_invariants;
mod answering;
pub mod backend;
pub mod calendar;
mod checks;
pub mod conversation_invariants;
pub mod deployment;
pub mod discount_invariants;
pub mod faults;
pub mod interest_invariants;
pub mod invariants;
mod mail_acts;
pub mod mail_invariants;
pub mod mailsystem;
mod planning;
pub mod processor;
pub mod replies;
mod reply_acts;
pub mod reply_invariants;
pub mod sim;
mod staff;
pub mod trace;
pub mod world;

pub use invariants::Invariant;
pub use sim::{Options, Outcome, Sim, Violation};

/// Simulate one seed.
pub fn simulate(options: Options) -> Outcome {
    Sim::new(options).run()
}
