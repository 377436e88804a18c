//! An SDK interceptor that records, as IAM actions, every operation a client is asked to send: put it on a
//! function's clients in a test, drive the function, and see what its policy must allow. A DynamoDB
//! transaction is recorded as the actions of its items, which is how IAM authorises it.

use aws_sdk_dynamodb::config::{ConfigBag, RuntimeComponents};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// Records the actions of one service's client (or several clients sharing one recorder).
#[derive(Debug, Clone)]
pub struct ActionRecorder {
    /// The IAM service prefix: `dynamodb`, `ses`, `secretsmanager`.
    prefix: &'static str,
    seen: Arc<Mutex<BTreeSet<String>>>,
}

impl ActionRecorder {
    pub fn new(prefix: &'static str) -> ActionRecorder {
        ActionRecorder {
            prefix,
            seen: Arc::default(),
        }
    }

    /// The actions recorded so far.
    pub fn seen(&self) -> BTreeSet<String> {
        self.seen.lock().expect("the recorder's lock").clone()
    }

    fn note(&self, operation: &str) {
        let action = format!("{}:{operation}", self.prefix);
        self.seen.lock().expect("the recorder's lock").insert(action);
    }
}

impl Intercept for ActionRecorder {
    fn name(&self) -> &'static str {
        "ActionRecorder"
    }

    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(operation) = cfg.load::<Metadata>().map(|metadata| metadata.name().to_owned()) else {
            return Ok(());
        };
        match context.input().downcast_ref::<TransactWriteItemsInput>() {
            Some(transaction) => {
                for item in transaction.transact_items() {
                    if item.put().is_some() {
                        self.note("PutItem");
                    }
                    if item.update().is_some() {
                        self.note("UpdateItem");
                    }
                    if item.delete().is_some() {
                        self.note("DeleteItem");
                    }
                    if item.condition_check().is_some() {
                        self.note("ConditionCheckItem");
                    }
                }
            }
            None => self.note(&operation),
        }
        Ok(())
    }
}
