//! The reads several use cases share.

use crate::customer::Customer;
use crate::error::CoreError;
use crate::ports::Store;
use crate::reminder::{Reminder, ReminderId};

/// A reminder's customer, read fresh from the store.
pub(super) async fn customer_of<S: Store>(store: &S, reminder: &Reminder) -> Result<Customer, CoreError> {
    store
        .customer(&reminder.customer_id)
        .await?
        .ok_or_else(|| CoreError::NotFound {
            what: "customer",
            id: reminder.customer_id.0.clone(),
        })
}

/// A reminder still waiting to go out (pending approval or approved), for `action` on it.
pub(super) async fn load_waiting<S: Store>(
    store: &S,
    id: &ReminderId,
    action: &'static str,
) -> Result<Reminder, CoreError> {
    let reminder = load(store, id).await?;
    if !reminder.status.is_waiting() {
        return Err(CoreError::WrongStatus {
            id: id.0.clone(),
            status: reminder.status,
            action,
            needed: "pending_approval or approved",
        });
    }
    Ok(reminder)
}

pub(super) async fn load<S: Store>(store: &S, id: &ReminderId) -> Result<Reminder, CoreError> {
    store.reminder(id).await?.ok_or_else(|| CoreError::NotFound {
        what: "reminder",
        id: id.0.clone(),
    })
}
