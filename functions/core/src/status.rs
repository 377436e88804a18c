//! Where a reminder is in its life, and the moves the lifecycle allows. A leaf: it imports nothing of the
//! domain, so errors and stores can name a status without depending on reminders.

use serde::{Deserialize, Serialize};

/// A reminder's place in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderStatus {
    Planned,
    PendingApproval,
    Approved,
    Sending,
    Sent,
    Skipped,
    Cancelled,
    Failed,
    /// Sent, but the mail system says it did not arrive (a hard bounce, a rejection): it does not count
    /// as said, and waits for a person to fix the contact (or let it go).
    Undelivered,
}

impl ReminderStatus {
    pub const ALL: [ReminderStatus; 9] = [
        ReminderStatus::Planned,
        ReminderStatus::PendingApproval,
        ReminderStatus::Approved,
        ReminderStatus::Sending,
        ReminderStatus::Sent,
        ReminderStatus::Skipped,
        ReminderStatus::Cancelled,
        ReminderStatus::Failed,
        ReminderStatus::Undelivered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReminderStatus::Planned => "planned",
            ReminderStatus::PendingApproval => "pending_approval",
            ReminderStatus::Approved => "approved",
            ReminderStatus::Sending => "sending",
            ReminderStatus::Sent => "sent",
            ReminderStatus::Skipped => "skipped",
            ReminderStatus::Cancelled => "cancelled",
            ReminderStatus::Failed => "failed",
            ReminderStatus::Undelivered => "undelivered",
        }
    }

    /// Still on its way: a customer with an open reminder gets no second one.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ReminderStatus::Planned
                | ReminderStatus::PendingApproval
                | ReminderStatus::Approved
                | ReminderStatus::Sending
        )
    }

    /// The moves the lifecycle allows. `Sending → Approved` returns a claim after a temporary mail failure.
    /// Drafted or approved, and not yet claimed by a sender: what staff may still change or stop.
    pub fn is_waiting(self) -> bool {
        matches!(self, ReminderStatus::PendingApproval | ReminderStatus::Approved)
    }

    pub fn can_become(self, to: ReminderStatus) -> bool {
        use ReminderStatus::*;
        matches!(
            (self, to),
            (Planned, PendingApproval | Approved | Cancelled)
                | (PendingApproval, Approved | Skipped | Cancelled)
                | (Approved, Sending | Skipped | Cancelled)
                | (Sending, Sent | Failed | Cancelled | Approved)
                // A person resolves a failure: it went out after all, or it did not and is planned again.
                | (Failed, Sent | Cancelled)
                // The mail system reports that a sent message did not arrive; a person then fixes the
                // contact (or lets it go) and the stage is planned again.
                | (Sent, Undelivered)
                | (Undelivered, Cancelled)
        )
    }
}

impl std::fmt::Display for ReminderStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ReminderStatus {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ReminderStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or_else(|| format!("`{text}` is not a reminder status"))
    }
}
