//! kindly-local: the `kindly` command — kindly's main job on one machine, with an embedded SQLite store
//! and a file outbox, through the same core services the Lambdas use.
//!
//! Architecture invariant: no business rule lives here. This crate only adapts (SQLite, files, the
//! terminal) and wires the core's services to commands.

pub mod app;
pub mod cli;
pub mod customer_links;
pub mod demo;
pub mod dossier;
pub mod error;
pub mod fee_export;
pub mod import;
pub mod outbox;
pub mod plan_cmd;
pub mod receive;
pub mod reports;
mod serve;
pub mod sqlite_store;
pub mod staff;
pub mod tables;
