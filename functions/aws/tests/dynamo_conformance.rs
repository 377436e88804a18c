//! The store conformance suite, unchanged, against the DynamoDB store on the local stand-in.

mod common;

kindly_core::store_conformance_tests!(common::fresh_store(4));
