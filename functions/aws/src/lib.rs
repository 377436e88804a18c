//! kindly-aws: the AWS adapters — the DynamoDB store, the SES v2 mailer, configuration — and the Lambda
//! handlers that the `scan`, `send` and `events` entry points run.
//!
//! Architecture invariant: item ↔ domain mapping and SDK error handling live only here. Handlers are
//! plain async functions over the core's services; the entry points only build state and call them.

pub mod config;
pub mod dynamo;
pub mod error;
pub mod events;
pub mod iam;
pub mod lambda;
pub mod links;
pub mod pacing;
pub mod ses;
#[cfg(feature = "stand-in")]
pub mod stand_in;
pub mod stats;
pub mod stored_mail;

pub use config::Config;
pub use dynamo::DynamoStore;
pub use error::AwsError;
pub use ses::SesMailer;
