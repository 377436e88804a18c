//! kindly-core: the domain of polite dunning.
//!
//! Architecture invariant: this crate does no I/O. It reads no clock, no environment, no files, and
//! talks to no network: `now` and every record are parameters, and the outside world is reached only
//! through the [`ports`] traits, which the adapters (embedded store and outbox locally, DynamoDB and
//! SES on AWS) implement. Policy, planning, money, composing and rendering are pure functions, so every
//! rule can be tested without a store or a mailbox.

pub mod actor;
pub mod aging;
pub mod answer;
pub mod calendar;
pub mod catalog;
pub mod compose;
pub mod compose_answers;
pub mod compose_forward;
pub mod compose_interest;
pub mod compose_plans;
#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
pub mod conversation;
pub mod customer;
pub mod deliverability;
pub mod discount;
pub mod discount_note;
pub mod error;
pub mod fee_invoice;
pub mod feedback;
#[cfg(any(test, feature = "conformance"))]
pub mod fixtures;
pub mod holidays;
pub mod instalments;
pub mod interest;
pub mod interest_policy;
pub mod invoice;
pub mod last_step;
pub mod limits;
pub mod link;
pub mod money;
pub mod paid_history;
pub mod payment;
pub mod plan_link;
pub mod planner;
pub mod policy;
pub mod ports;
pub mod rates;
pub mod reasons;
pub mod reminder;
pub mod reports;
pub mod service;
pub mod standing;
pub mod status;
pub mod tasks;
pub mod timeline;
pub mod tone;
pub mod verdict;

pub use customer::{Contact, ContractTerms, Customer, CustomerId, DiscountTerms, Pause, Salutation};
pub use error::CoreError;
pub use interest::{ContractRemedy, Statute};
pub use invoice::{Bookkeeping, DunningProgress, Invoice, InvoiceId, InvoiceStatus, Outcome, OutcomeKind};
pub use money::Currency;
pub use policy::{Policy, Stage};
pub use ports::{Inserted, Mailer, OutgoingEmail, Store};
pub use reminder::{Reminder, ReminderId};
pub use status::ReminderStatus;
pub use tone::{Approval, Tone};
